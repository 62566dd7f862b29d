// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: the level each codec's stream declares, the lowest whose
 * limits hold the picture size, the display's refresh rate (the most
 * frames a second the stream can carry: idle frames are only skipped)
 * and, with a rate-controlled mode, the bit rate.  A decoder sizes its
 * buffers and its speed by the level: one too low is a stream it may
 * refuse or fail to keep up with.
 */
#include "levels.h"

/* ITU-T H.264 table A-1: MaxMBPS, MaxFS (macroblocks), MaxBR (kbit/s, Baseline/Main). */
static const struct {
	unsigned int idc;
	uint64_t max_mbps;
	unsigned int max_fs, max_br;
} ks_h264_levels[] = {
	{ 10, 1485, 99, 64 },		{ 11, 3000, 396, 192 },
	{ 12, 6000, 396, 384 },		{ 13, 11880, 396, 768 },
	{ 20, 11880, 396, 2000 },	{ 21, 19800, 792, 4000 },
	{ 22, 20250, 1620, 4000 },	{ 30, 40500, 1620, 10000 },
	{ 31, 108000, 3600, 14000 },	{ 32, 216000, 5120, 20000 },
	{ 40, 245760, 8192, 20000 },	{ 41, 245760, 8192, 50000 },
	{ 42, 522240, 8704, 50000 },	{ 50, 589824, 22080, 135000 },
	{ 51, 983040, 36864, 240000 },	{ 52, 2073600, 36864, 240000 },
	{ 60, 4177920, 139264, 240000 }, { 61, 8355840, 139264, 480000 },
	{ 62, 16711680, 139264, 800000 },
};

unsigned int ks_h264_level(unsigned int wmb, unsigned int hmb, uint32_t refresh_mhz,
			   uint64_t bitrate, bool high)
{
	uint64_t fs = (uint64_t)wmb * hmb;
	unsigned int i, n = sizeof(ks_h264_levels) / sizeof(ks_h264_levels[0]);

	for (i = 0; i < n; i++) {
		uint64_t max_fs = ks_h264_levels[i].max_fs;
		/* cpbBrVclFactor: 1250 for High, 1000 for the others (table A-2) */
		uint64_t max_bps = (uint64_t)ks_h264_levels[i].max_br * (high ? 1250 : 1000);

		if (fs <= max_fs && (uint64_t)wmb * wmb <= 8 * max_fs &&
		    (uint64_t)hmb * hmb <= 8 * max_fs &&
		    fs * refresh_mhz <= ks_h264_levels[i].max_mbps * 1000 && bitrate <= max_bps)
			return ks_h264_levels[i].idc;
	}
	return ks_h264_levels[n - 1].idc;
}

/* ITU-T H.265 tables A.8 and A.9, Main tier: MaxLumaPs, MaxLumaSr, MaxBR (kbit/s). */
static const struct {
	unsigned int idc;
	uint64_t max_ps, max_sr;
	unsigned int max_br;
} ks_hevc_levels[] = {
	{ 30, 36864, 552960, 128 },		{ 60, 122880, 3686400, 1500 },
	{ 63, 245760, 7372800, 3000 },		{ 90, 552960, 16588800, 6000 },
	{ 93, 983040, 33177600, 10000 },	{ 120, 2228224, 66846720, 12000 },
	{ 123, 2228224, 133693440, 20000 },	{ 150, 8912896, 267386880, 25000 },
	{ 153, 8912896, 534773760, 40000 },	{ 156, 8912896, 1069547520, 60000 },
	{ 180, 35651584, 1069547520, 60000 },	{ 183, 35651584, 2139095040, 120000 },
	{ 186, 35651584, 4278190080ull, 240000 },
};

unsigned int ks_hevc_level(unsigned int w, unsigned int h, uint32_t refresh_mhz, uint64_t bitrate)
{
	uint64_t ps = (uint64_t)w * h;
	unsigned int i, n = sizeof(ks_hevc_levels) / sizeof(ks_hevc_levels[0]);

	for (i = 0; i < n; i++) {
		uint64_t max_ps = ks_hevc_levels[i].max_ps;

		/* also width and height <= sqrt(8 MaxLumaPs); CpbBrVclFactor 1000 */
		if (ps <= max_ps && (uint64_t)w * w <= 8 * max_ps && (uint64_t)h * h <= 8 * max_ps &&
		    ps * refresh_mhz <= ks_hevc_levels[i].max_sr * 1000 &&
		    bitrate <= (uint64_t)ks_hevc_levels[i].max_br * 1000)
			return ks_hevc_levels[i].idc;
	}
	return ks_hevc_levels[n - 1].idc;
}

/*
 * AV1 Annex A.3: MaxPicSize, MaxHSize, MaxVSize, MaxDisplayRate (the
 * decode rate is the same: no frame is hidden), MainMbps; seq_level_idx.
 */
static const struct {
	unsigned int idx;
	uint64_t pic, hs, vs, display_rate, mbps;
} ks_av1_levels[] = {
	{ 0, 147456, 2048, 1152, 4423680, 1500000 },		/* 2.0 */
	{ 1, 278784, 2816, 1584, 8363520, 3000000 },		/* 2.1 */
	{ 4, 665856, 4352, 2448, 19975680, 6000000 },		/* 3.0 */
	{ 5, 1065024, 5504, 3096, 31950720, 10000000 },		/* 3.1 */
	{ 8, 2359296, 6144, 3456, 70778880, 12000000 },		/* 4.0 */
	{ 9, 2359296, 6144, 3456, 141557760, 20000000 },	/* 4.1 */
	{ 12, 8912896, 8192, 4352, 267386880, 30000000 },	/* 5.0 */
	{ 13, 8912896, 8192, 4352, 534773760, 40000000 },	/* 5.1 */
	{ 14, 8912896, 8192, 4352, 1069547520, 60000000 },	/* 5.2 */
	{ 16, 35651584, 16384, 8704, 1069547520, 60000000 },	/* 6.0 */
	{ 17, 35651584, 16384, 8704, 2139095040, 100000000 },	/* 6.1 */
	{ 18, 35651584, 16384, 8704, 4278190080ull, 160000000 },	/* 6.2 */
};

unsigned int ks_av1_level(unsigned int w, unsigned int h, uint32_t refresh_mhz, uint64_t bitrate)
{
	uint64_t ps = (uint64_t)w * h;
	unsigned int i, n = sizeof(ks_av1_levels) / sizeof(ks_av1_levels[0]);

	for (i = 0; i < n; i++)
		if (ps <= ks_av1_levels[i].pic && w <= ks_av1_levels[i].hs &&
		    h <= ks_av1_levels[i].vs &&
		    ps * refresh_mhz <= ks_av1_levels[i].display_rate * 1000 &&
		    bitrate <= ks_av1_levels[i].mbps)
			return ks_av1_levels[i].idx;
	return 31;	/* level 7.3 and above: "maximum parameters" */
}
