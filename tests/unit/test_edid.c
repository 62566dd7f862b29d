// SPDX-License-Identifier: MIT
/*
 * Unit tests: display timing and EDID generation (kmod/edid.c, built for
 * user space).  The EDID is decoded here from the bytes, following the
 * VESA E-EDID 1.4 layout, without using any helper of the generator.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmscap_check.h"
#include "edid.h"
#include "kmscap.h"

struct mode {
	uint32_t w, h, mhz;
};

/* Modes whose detailed timing must be the exact mode. */
static const struct mode fit_modes[] = {
	{ 1920, 1080, 60000 }, { 1920, 1080, 59940 }, { 2560, 1440, 59940 },
	{ 1280, 720, 23976 }, { 3840, 2160, 60000 }, { 3840, 2160, 29970 },
	{ 64, 64, 1000 }, { 64, 64, 500000 }, { 4095, 4095, 1000 }, { 377, 378, 60000 },
	{ 1024, 768, 75000 }, { 800, 600, 143912 }, { 1366, 768, 60001 }, { 64, 4095, 1000 },
};

/* Modes too large for a detailed timing: a smaller stand-in is described. */
static const struct mode big_modes[] = {
	{ 7680, 4320, 60000 }, { 8192, 8192, 500000 }, { 3840, 2160, 144000 },
	{ 64, 4095, 500000 }, { 8192, 64, 500000 }, { 100, 8192, 1000 }, { 8192, 8192, 1000 },
	{ 2560, 1440, 240000 }, { 4096, 2160, 60000 },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NFIT		((int)ARRAY_SIZE(fit_modes))
#define NBIG		((int)ARRAY_SIZE(big_modes))

/* fit_modes, then big_modes */
static const struct mode *any_mode(int i)
{
	return i < NFIT ? &fit_modes[i] : &big_modes[i - NFIT];
}

struct dtd {
	uint32_t clock_khz, ha, hblank, hso, hsw, va, vblank, vso, vsw, hmm, vmm;
	uint8_t flags;
};

static void parse_dtd(const uint8_t *d, struct dtd *o)
{
	o->clock_khz = (d[0] | d[1] << 8) * 10;
	o->ha = d[2] | (d[4] >> 4) << 8;
	o->hblank = d[3] | (d[4] & 0xf) << 8;
	o->va = d[5] | (d[7] >> 4) << 8;
	o->vblank = d[6] | (d[7] & 0xf) << 8;
	o->hso = d[8] | (d[11] >> 6) << 8;
	o->hsw = d[9] | ((d[11] >> 4) & 3) << 8;
	o->vso = (d[10] >> 4) | ((d[11] >> 2) & 3) << 4;
	o->vsw = (d[10] & 0xf) | (d[11] & 3) << 4;
	o->hmm = d[12] | (d[14] >> 4) << 8;
	o->vmm = d[13] | (d[14] & 0xf) << 8;
	o->flags = d[17];
}

static double dtd_refresh_hz(const struct dtd *o)
{
	return o->clock_khz * 1000.0 / ((double)(o->ha + o->hblank) * (o->va + o->vblank));
}

static double rel_err(double got, double want)
{
	double e = got / want - 1;

	return e < 0 ? -e : e;
}

static void build(uint8_t *buf, const struct mode *m, uint32_t id, const char *name)
{
	struct kmscap_edid_params p = {
		.width = m->w, .height = m->h, .refresh_mhz = m->mhz, .display_id = id,
		.product_code = 0x1234, .week = 47, .year = 2026, .name = name,
	};
	int n;

	memset(buf, 0xa5, KMSCAP_EDID_MAX_SIZE);
	n = kmscap_edid_build(buf, KMSCAP_EDID_MAX_SIZE, &p);
	ck_assert_msg(n == 128 || n == 256, "EDID for %ux%u@%u mHz: returned %d", m->w, m->h,
		      m->mhz, n);
}

/* The display descriptor with @tag, or NULL. */
static const uint8_t *find_descriptor(const uint8_t *e, uint8_t tag)
{
	int i;

	for (i = 0; i < 4; i++) {
		const uint8_t *d = e + 54 + 18 * i;

		if (!d[0] && !d[1] && !d[2] && d[3] == tag)
			return d;
	}
	return NULL;
}

/* Text of a descriptor: up to 13 chars ended by 0x0a, then 0x20 padding. */
static void descriptor_text(const uint8_t *d, char *out)
{
	int i, end = 13;

	ck_assert_msg(d[4] == 0, "text descriptor byte 4 is 0x%02x", d[4]);
	for (i = 0; i < 13; i++) {
		if (d[5 + i] == 0x0a) {
			end = i;
			break;
		}
		ck_assert_msg(d[5 + i] >= 0x20 && d[5 + i] < 0x7f,
			      "text descriptor char %d is 0x%02x", i, d[5 + i]);
	}
	for (i = end + 1; i < 13; i++)
		ck_assert_msg(d[5 + i] == 0x20, "text descriptor padding %d is 0x%02x", i,
			      d[5 + i]);
	memcpy(out, d + 5, end);
	out[end] = 0;
}

static void check_blocks(const uint8_t *e, int n, const struct mode *m)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	int b, i;

	ck_assert_msg(!memcmp(e, header, 8), "EDID %ux%u: bad header", m->w, m->h);
	ck_assert_int_eq(e[126], n / 128 - 1);
	for (b = 0; b < n / 128; b++) {
		uint8_t sum = 0;

		for (i = 0; i < 128; i++)
			sum += e[128 * b + i];
		ck_assert_msg(sum == 0, "EDID %ux%u@%u: block %d sums to 0x%02x", m->w, m->h,
			      m->mhz, b, sum);
	}
	ck_assert_int_eq(e[18], 1);
	ck_assert_int_eq(e[19], 4);
}

START_TEST(test_blocks)
{
	const struct mode *m = any_mode(_i);
	uint8_t e[KMSCAP_EDID_MAX_SIZE];
	struct kmscap_edid_params p = {
		.width = m->w, .height = m->h, .refresh_mhz = m->mhz, .display_id = 3,
		.year = 2026,
	};
	int n = kmscap_edid_build(e, sizeof(e), &p);

	ck_assert_msg(n == 128 || n == 256, "returned %d", n);
	check_blocks(e, n, m);
	/* digital, 8 bits per colour; week and year as given */
	ck_assert_int_eq(e[20] & 0x80, 0x80);
	ck_assert_int_eq((e[20] >> 4) & 7, 2);
	ck_assert_int_eq(e[16], 0);
	ck_assert_int_eq(e[17] + 1990, 2026);
}
END_TEST

START_TEST(test_manufacturer)
{
	const struct mode m = { 1920, 1080, 60000 };
	uint8_t e[KMSCAP_EDID_MAX_SIZE];
	unsigned int v;
	char id[4];

	build(e, &m, 1, NULL);
	v = e[8] << 8 | e[9];
	ck_assert_int_eq(v & 0x8000, 0);
	id[0] = '@' + ((v >> 10) & 31);
	id[1] = '@' + ((v >> 5) & 31);
	id[2] = '@' + (v & 31);
	id[3] = 0;
	ck_assert_str_eq(id, "KCP");
	ck_assert_str_eq(id, KMSCAP_EDID_VENDOR);
	ck_assert_int_eq(e[10] | e[11] << 8, 0x1234);
	ck_assert_int_eq(e[16], 47);
	ck_assert_int_eq(e[17], 2026 - 1990);
}
END_TEST

/* sRGB is declared (feature bit 2): the primaries must be sRGB's. */
START_TEST(test_colour)
{
	static const double want[8] = { 0.64, 0.33, 0.30, 0.60, 0.15, 0.06, 0.3127, 0.3290 };
	const struct mode m = { 1920, 1080, 60000 };
	uint8_t e[KMSCAP_EDID_MAX_SIZE];
	int i;

	build(e, &m, 1, NULL);
	ck_assert_int_eq(e[24] & 0x04, 0x04);
	ck_assert_int_eq(e[24] & 0x18, 0);	/* RGB 4:4:4 */
	for (i = 0; i < 8; i++) {
		unsigned int v = e[27 + i] << 2 | ((e[25 + i / 4] >> (6 - 2 * (i % 4))) & 3);

		ck_assert_msg(v / 1024.0 > want[i] - 0.001 && v / 1024.0 < want[i] + 0.001,
			      "chromaticity %d is %.4f, want %.4f", i, v / 1024.0, want[i]);
	}
}
END_TEST

static void check_dtd_is_timing(const struct dtd *d, const struct kmscap_timing *t)
{
	ck_assert_uint_eq(d->clock_khz, t->clock_khz);
	ck_assert_uint_eq(d->ha, t->hdisplay);
	ck_assert_uint_eq(d->ha + d->hso, t->hsync_start);
	ck_assert_uint_eq(d->ha + d->hso + d->hsw, t->hsync_end);
	ck_assert_uint_eq(d->ha + d->hblank, t->htotal);
	ck_assert_uint_eq(d->va, t->vdisplay);
	ck_assert_uint_eq(d->va + d->vso, t->vsync_start);
	ck_assert_uint_eq(d->va + d->vso + d->vsw, t->vsync_end);
	ck_assert_uint_eq(d->va + d->vblank, t->vtotal);
	/* digital separate sync; polarity bits as the timing's flags */
	ck_assert_int_eq(d->flags & 0x98, 0x18);
	ck_assert_int_eq(!!(d->flags & 0x02), !!(t->flags & KMSCAP_TIMING_PHSYNC));
	ck_assert_int_eq(!!(d->flags & 0x04), !(t->flags & KMSCAP_TIMING_NVSYNC));
}

START_TEST(test_dtd_exact)
{
	const struct mode *m = &fit_modes[_i];
	uint8_t e[KMSCAP_EDID_MAX_SIZE];
	struct kmscap_timing t;
	struct dtd d;

	ck_assert_int_eq(kmscap_timing_compute(m->w, m->h, m->mhz, &t), 0);
	build(e, m, 9, NULL);
	ck_assert_msg(e[54] | e[55], "%ux%u: first descriptor is no detailed timing", m->w, m->h);
	parse_dtd(e + 54, &d);
	check_dtd_is_timing(&d, &t);
	ck_assert_msg(rel_err(dtd_refresh_hz(&d), m->mhz / 1000.0) < 1e-4,
		      "%ux%u@%u mHz: DTD gives %.6f Hz", m->w, m->h, m->mhz, dtd_refresh_hz(&d));
	/* the first detailed timing is the native mode */
	ck_assert_int_eq(e[24] & 0x02, 0x02);
}
END_TEST

/* Too big for a DTD: a smaller mode, same refresh, within DTD limits. */
START_TEST(test_dtd_stand_in)
{
	const struct mode *m = &big_modes[_i];
	uint8_t e[KMSCAP_EDID_MAX_SIZE];
	struct kmscap_timing t;
	struct dtd d;

	ck_assert_int_eq(kmscap_timing_compute(m->w, m->h, m->mhz, &t), 0);
	build(e, m, 9, NULL);
	ck_assert_msg(e[54] | e[55], "%ux%u: first descriptor is no detailed timing", m->w, m->h);
	parse_dtd(e + 54, &d);
	ck_assert_msg(d.ha < m->w || d.va < m->h, "%ux%u@%u: DTD %ux%u is not smaller", m->w,
		      m->h, m->mhz, d.ha, d.va);
	ck_assert_uint_ge(d.ha, 64);
	ck_assert_uint_ge(d.va, 64);
	ck_assert_uint_le(d.ha, 4095);
	ck_assert_uint_le(d.va, 4095);
	ck_assert_uint_le(d.clock_khz, 655350);
	ck_assert_uint_ge(d.clock_khz, 10000);
	ck_assert_msg(rel_err(dtd_refresh_hz(&d), m->mhz / 1000.0) < 1e-4,
		      "%ux%u@%u mHz: stand-in DTD gives %.6f Hz", m->w, m->h, m->mhz,
		      dtd_refresh_hz(&d));
	/* not the native mode */
	ck_assert_int_eq(e[24] & 0x02, 0);
}
END_TEST

START_TEST(test_8k)
{
	const struct mode m = { 7680, 4320, 60000 };
	uint8_t e[KMSCAP_EDID_MAX_SIZE];
	struct kmscap_timing t;
	struct dtd d;

	ck_assert_int_eq(kmscap_timing_compute(m.w, m.h, m.mhz, &t), 0);
	ck_assert_uint_eq(t.hdisplay, 7680);
	ck_assert_uint_eq(t.vdisplay, 4320);
	ck_assert(rel_err(t.clock_khz * 1e6 / ((double)t.htotal * t.vtotal), 60000) < 1e-4);
	build(e, &m, 2, NULL);
	parse_dtd(e + 54, &d);
	/* as documented: the 16:9 stand-in 3840x2160 at 60 Hz */
	ck_assert_uint_eq(d.ha, 3840);
	ck_assert_uint_eq(d.va, 2160);
}
END_TEST

/* Every part of the worst case fits drm_display_mode and drm_mode_modeinfo. */
START_TEST(test_worst_case)
{
	const struct mode m = { 8192, 8192, 500000 };
	uint8_t e[KMSCAP_EDID_MAX_SIZE];
	struct kmscap_timing t;

	ck_assert_int_eq(kmscap_timing_compute(m.w, m.h, m.mhz, &t), 0);
	ck_assert_uint_le(t.htotal, 65535);
	ck_assert_uint_le(t.vtotal, 65535);
	ck_assert_uint_le(t.clock_khz, INT_MAX);
	ck_assert_uint_le((uint64_t)t.htotal * t.vtotal, UINT32_MAX);
	ck_assert(rel_err(t.clock_khz * 1e6 / ((double)t.htotal * t.vtotal), m.mhz) < 1e-4);
	build(e, &m, 2, NULL);
}
END_TEST

START_TEST(test_tiny_slow)
{
	const struct mode m = { 64, 64, 1000 };
	struct kmscap_timing t;
	double hz;

	ck_assert_int_eq(kmscap_timing_compute(m.w, m.h, m.mhz, &t), 0);
	hz = t.clock_khz * 1000.0 / ((double)t.htotal * t.vtotal);
	ck_assert_msg(rel_err(hz, 1.0) < 1e-4, "64x64@1Hz runs at %.7f Hz", hz);
	ck_assert_uint_ge(t.clock_khz, 10000);
}
END_TEST

/* 59.94 must come out as 59.94, not 60, at every size. */
START_TEST(test_ntsc_rates)
{
	static const uint32_t rates[] = { 23976, 29970, 59940, 119880, 47952 };
	static const struct mode sizes[] = {
		{ 1920, 1080, 0 }, { 1280, 720, 0 }, { 3840, 2160, 0 }, { 720, 480, 0 },
		{ 64, 64, 0 }, { 8192, 8192, 0 },
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(rates); i++) {
		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			struct kmscap_timing t;
			double mhz;

			ck_assert_int_eq(kmscap_timing_compute(sizes[j].w, sizes[j].h, rates[i],
							       &t), 0);
			mhz = t.clock_khz * 1e6 / ((double)t.htotal * t.vtotal);
			ck_assert_msg(rel_err(mhz, rates[i]) < 1e-4,
				      "%ux%u@%u mHz runs at %.4f mHz", sizes[j].w, sizes[j].h,
				      rates[i], mhz);
			ck_assert_msg(rel_err(kmscap_timing_refresh_mhz(&t), rates[i]) < 1e-4,
				      "kmscap_timing_refresh_mhz gives %u for %u",
				      kmscap_timing_refresh_mhz(&t), rates[i]);
		}
	}
}
END_TEST

static uint64_t lcg_state = 0x9e3779b97f4a7c15ULL;

static uint32_t lcg(uint32_t lo, uint32_t hi)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return lo + (uint32_t)((lcg_state >> 33) % (hi - lo + 1));
}

/* A broad sample of the whole input space: every timing is well formed. */
START_TEST(test_sweep)
{
	unsigned int i, vblank_short = 0;

	for (i = 0; i < 20000; i++) {
		uint32_t w = lcg(64, 8192), h = lcg(64, 8192);
		uint32_t mhz = i & 1 ? lcg(1000, 500000) : lcg(1000, 30000);
		struct kmscap_timing t;
		double hz, vblank_us;

		if (i & 2) {
			w = lcg(64, 300);
			h = lcg(64, 300);
		}
		ck_assert_msg(kmscap_timing_compute(w, h, mhz, &t) == 0, "%ux%u@%u rejected", w,
			      h, mhz);
		ck_assert_msg(t.hdisplay == w && t.vdisplay == h, "%ux%u became %ux%u", w, h,
			      t.hdisplay, t.vdisplay);
		ck_assert_msg(t.hsync_start > t.hdisplay && t.hsync_end > t.hsync_start &&
			      t.htotal > t.hsync_end && t.htotal <= 65535,
			      "%ux%u@%u: horizontal %u %u %u %u", w, h, mhz, t.hdisplay,
			      t.hsync_start, t.hsync_end, t.htotal);
		ck_assert_msg(t.vsync_start > t.vdisplay && t.vsync_end > t.vsync_start &&
			      t.vtotal > t.vsync_end && t.vtotal <= 65535,
			      "%ux%u@%u: vertical %u %u %u %u", w, h, mhz, t.vdisplay,
			      t.vsync_start, t.vsync_end, t.vtotal);
		ck_assert_msg(t.clock_khz > 0 && t.clock_khz <= INT_MAX && t.clock_khz % 10 == 0,
			      "%ux%u@%u: clock %u kHz", w, h, mhz, t.clock_khz);
		hz = t.clock_khz * 1000.0 / ((double)t.htotal * t.vtotal);
		ck_assert_msg(rel_err(hz * 1000, mhz) < 1e-4, "%ux%u@%u mHz runs at %.4f mHz",
			      w, h, mhz, hz * 1000);
		vblank_us = (t.vtotal - t.vdisplay) * (double)t.htotal / t.clock_khz * 1000;
		if (vblank_us < 460 * (1 - 1e-4))
			vblank_short++;
	}
	ck_assert_msg(vblank_short == 0, "%u timings with a vertical blank under 460 us",
		      vblank_short);
}
END_TEST

/* The generator accepts exactly the range the ioctl ABI promises. */
START_TEST(test_abi_limits)
{
	struct kmscap_timing t;

	ck_assert_int_eq(KMSCAP_TIMING_MIN_SIZE, KMSCAP_MIN_SIZE);
	ck_assert_int_eq(KMSCAP_TIMING_MAX_SIZE, KMSCAP_MAX_SIZE);
	ck_assert_int_eq(KMSCAP_TIMING_MIN_REFRESH_MHZ, KMSCAP_MIN_REFRESH_MHZ);
	ck_assert_int_eq(KMSCAP_TIMING_MAX_REFRESH_MHZ, KMSCAP_MAX_REFRESH_MHZ);
	ck_assert_int_eq(kmscap_timing_compute(KMSCAP_MIN_SIZE, KMSCAP_MAX_SIZE,
					       KMSCAP_MIN_REFRESH_MHZ, &t), 0);
	ck_assert_int_eq(kmscap_timing_compute(KMSCAP_MAX_SIZE, KMSCAP_MIN_SIZE,
					       KMSCAP_MAX_REFRESH_MHZ, &t), 0);
}
END_TEST

START_TEST(test_invalid)
{
	static const struct mode bad[] = {
		{ 63, 1080, 60000 }, { 1920, 63, 60000 }, { 8193, 1080, 60000 },
		{ 1920, 8193, 60000 }, { 1920, 1080, 999 }, { 1920, 1080, 500001 },
		{ 0, 0, 0 }, { UINT32_MAX, UINT32_MAX, UINT32_MAX },
	};
	struct kmscap_edid_params p = {
		.width = 1920, .height = 1080, .refresh_mhz = 60000, .year = 2026,
	};
	uint8_t e[KMSCAP_EDID_MAX_SIZE];
	struct kmscap_timing t;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ck_assert_msg(kmscap_timing_compute(bad[i].w, bad[i].h, bad[i].mhz, &t) == -EINVAL,
			      "%ux%u@%u not rejected", bad[i].w, bad[i].h, bad[i].mhz);
		p.width = bad[i].w;
		p.height = bad[i].h;
		p.refresh_mhz = bad[i].mhz;
		ck_assert_int_eq(kmscap_edid_build(e, sizeof(e), &p), -EINVAL);
	}
	p.width = 1920;
	p.height = 1080;
	p.refresh_mhz = 60000;
	memset(e, 0xa5, sizeof(e));
	ck_assert_int_eq(kmscap_edid_build(e, 127, &p), -ENOSPC);
	for (i = 0; i < sizeof(e); i++)
		ck_assert_msg(e[i] == 0xa5, "byte %u written into a too small buffer", i);
	p.week = 55;
	ck_assert_int_eq(kmscap_edid_build(e, sizeof(e), &p), -EINVAL);
	p.week = 0;
	p.year = 1989;
	ck_assert_int_eq(kmscap_edid_build(e, sizeof(e), &p), -EINVAL);
	p.year = 2246;
	ck_assert_int_eq(kmscap_edid_build(e, sizeof(e), &p), -EINVAL);
	p.year = 2026;
	p.name = "fourteen chars";
	ck_assert_int_eq(kmscap_edid_build(e, sizeof(e), &p), -EINVAL);
	p.name = "tab\there";
	ck_assert_int_eq(kmscap_edid_build(e, sizeof(e), &p), -EINVAL);
	p.name = "caf\xc3\xa9";
	ck_assert_int_eq(kmscap_edid_build(e, sizeof(e), &p), -EINVAL);
	p.name = "";
	ck_assert_int_eq(kmscap_edid_build(e, sizeof(e), &p), 128);
}
END_TEST

/* Every generated timing passes the mode check that DRM masters face. */
START_TEST(test_check_generated)
{
	const struct mode *m = any_mode(_i);
	static const uint32_t edges[][3] = {
		{ 64, 64, 1000 }, { 64, 64, 500000 }, { 8192, 8192, 1000 },
		{ 8192, 8192, 500000 }, { 8192, 64, 500000 }, { 64, 8192, 1000 },
	};
	struct kmscap_timing t;
	unsigned int i;

	ck_assert_int_eq(kmscap_timing_compute(m->w, m->h, m->mhz, &t), 0);
	ck_assert_int_eq(kmscap_timing_check(&t), KMSCAP_TIMING_OK);
	for (i = 0; i < ARRAY_SIZE(edges); i++) {
		ck_assert_int_eq(kmscap_timing_compute(edges[i][0], edges[i][1], edges[i][2],
						       &t), 0);
		ck_assert_msg(kmscap_timing_check(&t) == KMSCAP_TIMING_OK,
			      "generated %ux%u@%u refused: %d", edges[i][0], edges[i][1],
			      edges[i][2], kmscap_timing_check(&t));
	}
}
END_TEST

/* Modes a DRM master may try: each refused for the right reason. */
START_TEST(test_check_refused)
{
	static const struct {
		const char *what;
		struct kmscap_timing t;
		enum kmscap_timing_verdict want;
	} cases[] = {
		/* the 64x64, 64x64-total mode at 4.096 GHz: 1 MHz of vblanks */
		{ "1 MHz refresh", { 4096000, 64, 64, 64, 64, 64, 64, 64, 64, 0 },
		  KMSCAP_TIMING_REFRESH_HIGH },
		{ "clock near INT_MAX", { INT_MAX, 64, 64, 64, 64, 64, 64, 64, 64, 0 },
		  KMSCAP_TIMING_REFRESH_HIGH },
		{ "zero clock", { 0, 1920, 2008, 2052, 2200, 1080, 1084, 1089, 1125, 0 },
		  KMSCAP_TIMING_BAD_CLOCK },
		/* a period of days */
		{ "1 kHz clock, 65535 totals", { 1, 1920, 2008, 2052, 65535, 1080, 1084, 1089,
						  65535, 0 }, KMSCAP_TIMING_REFRESH_LOW },
		/* beyond the 0.01% slack */
		{ "500.06 Hz", { 1000120, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 2000, 0 },
		  KMSCAP_TIMING_REFRESH_HIGH },
		{ "0.9998 Hz", { 19996, 1000, 1000, 1000, 2000, 1000, 1000, 1000, 10000, 0 },
		  KMSCAP_TIMING_REFRESH_LOW },
		{ "63 wide", { 148500, 63, 2008, 2052, 2200, 1080, 1084, 1089, 1125, 0 },
		  KMSCAP_TIMING_BAD_WIDTH },
		{ "8193 wide", { 1485000, 8193, 8193, 8193, 8300, 1080, 1084, 1089, 1125, 0 },
		  KMSCAP_TIMING_BAD_WIDTH },
		{ "63 high", { 148500, 1920, 2008, 2052, 2200, 63, 1084, 1089, 1125, 0 },
		  KMSCAP_TIMING_BAD_HEIGHT },
		{ "8193 high", { 1485000, 1920, 2008, 2052, 2200, 8193, 8193, 8193, 8300, 0 },
		  KMSCAP_TIMING_BAD_HEIGHT },
		{ "htotal < hdisplay", { 148500, 1920, 1920, 1920, 1919, 1080, 1084, 1089, 1125, 0 },
		  KMSCAP_TIMING_BAD_HTIMING },
		{ "hsync before active end", { 148500, 1920, 1900, 2052, 2200, 1080, 1084, 1089,
					       1125, 0 }, KMSCAP_TIMING_BAD_HTIMING },
		{ "hsync_end < hsync_start", { 148500, 1920, 2008, 2000, 2200, 1080, 1084, 1089,
					       1125, 0 }, KMSCAP_TIMING_BAD_HTIMING },
		{ "htotal > 65535", { 148500, 1920, 2008, 2052, 65536, 1080, 1084, 1089, 1125, 0 },
		  KMSCAP_TIMING_BAD_HTIMING },
		{ "vtotal < vdisplay", { 148500, 1920, 2008, 2052, 2200, 1080, 1080, 1080, 1079, 0 },
		  KMSCAP_TIMING_BAD_VTIMING },
		{ "vsync_end < vsync_start", { 148500, 1920, 2008, 2052, 2200, 1080, 1090, 1089,
					       1125, 0 }, KMSCAP_TIMING_BAD_VTIMING },
		{ "vtotal > 65535", { 148500, 1920, 2008, 2052, 2200, 1080, 1084, 1089, 65536, 0 },
		  KMSCAP_TIMING_BAD_VTIMING },
	};
	/* exactly 1 Hz and exactly 500 Hz are allowed, and within the slack */
	const struct kmscap_timing hz1 = { 2000, 1000, 1000, 1000, 1000, 1000, 1000, 1000,
					   2000, 0 };
	const struct kmscap_timing hz500 = { 1000000, 1000, 1000, 1000, 1000, 1000, 1000, 1000,
					     2000, 0 };
	/* 0.99995 Hz */
	const struct kmscap_timing hz1_slack = { 19999, 1000, 1000, 1000, 2000, 1000, 1000,
						 1000, 10000, 0 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		ck_assert_msg(kmscap_timing_check(&cases[i].t) == cases[i].want,
			      "%s: verdict %d, expected %d", cases[i].what,
			      kmscap_timing_check(&cases[i].t), cases[i].want);
	ck_assert_int_eq(kmscap_timing_check(&hz1), KMSCAP_TIMING_OK);
	ck_assert_int_eq(kmscap_timing_check(&hz500), KMSCAP_TIMING_OK);
	ck_assert_int_eq(kmscap_timing_check(&hz1_slack), KMSCAP_TIMING_OK);
}
END_TEST

START_TEST(test_name_serial)
{
	static const uint32_t ids[] = { 0, 7, 42, 999999, 1000000, 1234567, 87654321,
					UINT32_MAX };
	const struct mode m = { 1920, 1080, 60000 };
	uint8_t e[KMSCAP_EDID_MAX_SIZE];
	char text[14], want[24], digits[12];
	unsigned int i;
	size_t n;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		build(e, &m, ids[i], NULL);
		ck_assert_uint_eq(e[12] | e[13] << 8 | e[14] << 16 | (uint32_t)e[15] << 24,
				  ids[i]);
		ck_assert_msg(find_descriptor(e, 0xfc), "id %u: no name descriptor", ids[i]);
		descriptor_text(find_descriptor(e, 0xfc), text);
		/* documented: "kmscap N", or "kmscap" + last 7 digits past 6 digits */
		n = snprintf(digits, sizeof(digits), "%u", ids[i]);
		if (n <= 6)
			snprintf(want, sizeof(want), "kmscap %s", digits);
		else
			snprintf(want, sizeof(want), "kmscap%s", digits + n - 7);
		ck_assert_str_eq(text, want);
		ck_assert_msg(find_descriptor(e, 0xff), "id %u: no serial descriptor", ids[i]);
		descriptor_text(find_descriptor(e, 0xff), text);
		ck_assert_str_eq(text, digits);
	}

	build(e, &m, 5, "Studio left");
	descriptor_text(find_descriptor(e, 0xfc), text);
	ck_assert_str_eq(text, "Studio left");
	/* 13 characters exactly: no terminator */
	build(e, &m, 5, "ABCDEFGHIJKLM");
	ck_assert(!memcmp(find_descriptor(e, 0xfc) + 5, "ABCDEFGHIJKLM", 13));
	descriptor_text(find_descriptor(e, 0xfc), text);
	ck_assert_str_eq(text, "ABCDEFGHIJKLM");
}
END_TEST

/* Range limits cover the detailed timing (and the preferred mode if it can). */
START_TEST(test_range_limits)
{
	const struct mode *m = any_mode(_i);
	uint8_t e[KMSCAP_EDID_MAX_SIZE];
	uint32_t vmin, vmax, hmin, hmax, clk;
	const uint8_t *r;
	struct kmscap_timing t;
	double hz, khz;
	struct dtd d;

	build(e, m, 1, NULL);
	r = find_descriptor(e, 0xfd);
	ck_assert_msg(r, "%ux%u@%u: no range limits descriptor", m->w, m->h, m->mhz);
	ck_assert_int_eq(r[4] & 0xf0, 0);
	vmin = r[5] + ((r[4] & 3) == 3 ? 255 : 0);
	vmax = r[6] + (r[4] & 2 ? 255 : 0);
	hmin = r[7] + (((r[4] >> 2) & 3) == 3 ? 255 : 0);
	hmax = r[8] + (r[4] & 8 ? 255 : 0);
	clk = r[9] * 10000;
	ck_assert(vmin >= 1 && vmin <= vmax && hmin >= 1 && hmin <= hmax);

	parse_dtd(e + 54, &d);
	hz = dtd_refresh_hz(&d);
	khz = (double)d.clock_khz / (d.ha + d.hblank);
	ck_assert_msg(hz >= vmin - 1e-4 * hz && hz <= vmax, "%ux%u@%u: DTD %.6f Hz not in %u-%u",
		      m->w, m->h, m->mhz, hz, vmin, vmax);
	ck_assert_msg(khz >= hmin && khz <= hmax, "%ux%u@%u: DTD %.3f kHz not in %u-%u", m->w,
		      m->h, m->mhz, khz, hmin, hmax);
	ck_assert_uint_le(d.clock_khz, clk);

	ck_assert_int_eq(kmscap_timing_compute(m->w, m->h, m->mhz, &t), 0);
	khz = (double)t.clock_khz / t.htotal;
	if (khz <= 510)
		ck_assert_msg(khz >= hmin && khz <= hmax, "%ux%u@%u: %.3f kHz not in %u-%u",
			      m->w, m->h, m->mhz, khz, hmin, hmax);
	if (t.clock_khz <= 2550000)
		ck_assert_uint_le(t.clock_khz, clk);
}
END_TEST

/* Physical size: 96 DPI, in cm in the base block and mm in the DTD, or 0. */
START_TEST(test_size)
{
	static const struct mode ms[] = {
		{ 1920, 1080, 60000 }, { 8192, 8192, 60000 }, { 64, 64, 60000 },
		{ 7680, 4320, 30000 }, { 300, 2000, 60000 },
	};
	uint8_t e[KMSCAP_EDID_MAX_SIZE];
	unsigned int i;
	struct dtd d;

	for (i = 0; i < ARRAY_SIZE(ms); i++) {
		double wmm = ms[i].w * 25.4 / 96, hmm = ms[i].h * 25.4 / 96;

		build(e, &ms[i], 1, NULL);
		parse_dtd(e + 54, &d);
		if (wmm < 100 || hmm < 100) {
			ck_assert_msg(!e[21] && !e[22] && !d.hmm && !d.vmm,
				      "%ux%u: size should be unknown (0)", ms[i].w, ms[i].h);
			continue;
		}
		ck_assert_msg(e[21] >= wmm / 10 - 1 && e[21] <= wmm / 10 + 1 &&
			      e[22] >= hmm / 10 - 1 && e[22] <= hmm / 10 + 1,
			      "%ux%u: %ux%u cm, want about %.1fx%.1f", ms[i].w, ms[i].h, e[21],
			      e[22], wmm / 10, hmm / 10);
		ck_assert_msg(d.hmm >= wmm - 1 && d.hmm <= wmm + 1 && d.vmm >= hmm - 1 &&
			      d.vmm <= hmm + 1, "%ux%u: DTD %ux%u mm, want about %.0fx%.0f",
			      ms[i].w, ms[i].h, d.hmm, d.vmm, wmm, hmm);
	}
}
END_TEST

static int have_edid_decode(void)
{
	char *path = getenv("PATH"), *copy, *dir, *save = NULL;
	char file[4096];
	int found = 0;

	if (!path)
		return 0;
	copy = strdup(path);
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		snprintf(file, sizeof(file), "%s/edid-decode", dir);
		found = !access(file, X_OK);
	}
	free(copy);
	return found;
}

/* edid-decode (Debian package edid-decode) finds no conformity failure. */
START_TEST(test_edid_decode)
{
	const struct mode *m = any_mode(_i);
	char file[] = "/tmp/kmscap-edid-XXXXXX", cmd[256], line[512], failures[4096] = "";
	uint8_t e[KMSCAP_EDID_MAX_SIZE];
	int fd, pass = 0, in_failures = 0, n, st;
	size_t used = 0;
	char *p;
	FILE *f;

	if (!have_edid_decode())
		KMSCAP_SKIP("edid-decode not installed (Debian package edid-decode)");
	build(e, m, 1234, NULL);
	n = e[126] ? 256 : 128;
	fd = mkstemp(file);
	ck_assert_msg(fd >= 0, "mkstemp %s: %s", file, strerror(errno));
	ck_assert_int_eq(write(fd, e, n), n);
	close(fd);
	snprintf(cmd, sizeof(cmd), "edid-decode --check %s 2>&1", file);
	f = popen(cmd, "r");
	ck_assert_msg(f, "popen %s: %s", cmd, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Failures:", 9))
			in_failures = 1;
		else if (!strncmp(line, "EDID conformity: PASS", 21))
			pass = 1;
		else if (!strncmp(line, "EDID conformity:", 16) || !strncmp(line, "Warnings:", 9))
			in_failures = 0;
		/* gathered on one line, for TAP */
		line[strcspn(line, "\n")] = ' ';
		p = line + strspn(line, " ");
		if (in_failures && *p && strncmp(p, "Failures:", 9) &&
		    used + strlen(p) < sizeof(failures)) {
			strcpy(failures + used, p);
			used += strlen(p);
		}
	}
	st = pclose(f);
	unlink(file);
	ck_assert_msg(pass && !used, "edid-decode on %ux%u@%u mHz: %s", m->w, m->h, m->mhz,
		      used ? failures : "no 'EDID conformity: PASS'");
	ck_assert_msg(st == 0, "edid-decode on %ux%u@%u mHz exited with status %d", m->w, m->h,
		      m->mhz, st);
}
END_TEST

static Suite *edid_suite(void)
{
	Suite *s = suite_create("edid");
	TCase *tc = tcase_create("edid");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_blocks, 0, NFIT + NBIG);
	tcase_add_test(tc, test_manufacturer);
	tcase_add_test(tc, test_colour);
	tcase_add_loop_test(tc, test_dtd_exact, 0, NFIT);
	tcase_add_loop_test(tc, test_dtd_stand_in, 0, NBIG);
	tcase_add_test(tc, test_8k);
	tcase_add_test(tc, test_worst_case);
	tcase_add_test(tc, test_tiny_slow);
	tcase_add_test(tc, test_ntsc_rates);
	tcase_add_test(tc, test_sweep);
	tcase_add_test(tc, test_abi_limits);
	tcase_add_test(tc, test_invalid);
	tcase_add_loop_test(tc, test_check_generated, 0, NFIT + NBIG);
	tcase_add_test(tc, test_check_refused);
	tcase_add_test(tc, test_name_serial);
	tcase_add_loop_test(tc, test_range_limits, 0, NFIT + NBIG);
	tcase_add_test(tc, test_size);
	tcase_add_loop_test(tc, test_edid_decode, 0, NFIT + NBIG);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kmscap_run_suite(edid_suite());
}
