// SPDX-License-Identifier: MIT
/*
 * Header conformance: for each codec, source bit depth and a matrix of display
 * sizes and refresh rates, kmscap-stream encodes an IDR and a P picture
 * through the test VA driver, and FFmpeg reads every header it wrote:
 * trace_headers must print no error or warning, and the fields a strict
 * decoder sizes itself by must be what the display asks for:
 *  - the level, from the size and the refresh rate (levels.c's tables);
 *  - the timing: H.264 time_scale / (2 num_units_in_tick), HEVC's VPS and
 *    VUI time_scale / num_units_in_tick, AV1's IVF time base: the refresh
 *    rate exactly;
 *  - low latency: no reordering (max_num_reorder 0, one picture of DPB),
 *    every AV1 frame shown;
 *  - colour: BT.709 primaries, transfer and matrix, limited range, as the
 *    VPP converts;
 * and ffprobe decodes both pictures at the display's size.  A table of
 * what was checked goes to stderr.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drm_fourcc.h>

#include "ks_test.h"
#include "vapipe_test.h"
#include "vapipe_fixture.h"

struct conf_mode {
	unsigned int w, h;
	uint32_t mhz;
	/* expected levels: H.264 level_idc, HEVC general_level_idc, AV1 seq_level_idx */
	unsigned int h264, hevc, av1;
};

static const struct conf_mode conf_modes[] = {
	{ 160, 128, 60000, 12, 60, 0 },
	{ 1920, 1080, 60000, 42, 123, 9 },
	{ 2560, 1440, 143912, 52, 153, 13 },
	{ 3840, 2160, 120000, 60, 156, 14 },
};

static const char *const conf_ext[] = { [KS_CODEC_H264] = "h264", [KS_CODEC_HEVC] = "hevc",
					[KS_CODEC_AV1] = "ivf" };
static const char *const conf_name[] = { [KS_CODEC_H264] = "h264", [KS_CODEC_HEVC] = "hevc",
					 [KS_CODEC_AV1] = "av1" };

/* Encodes an IDR and a P picture of @m; the file it wrote. */
static void conf_encode(struct fixture *f, enum ks_codec codec, bool ten,
			const struct conf_mode *m, char *path, size_t size)
{
	struct ks_vapipe_config vc = {
		.codec = codec, .rc = KS_RC_CQP, .qp = 0, .idle = KS_IDLE_SKIP, .pool = 2,
	};
	struct kmscap_event ev;
	char name[64], err[300];
	unsigned int i;
	int ret;

	snprintf(name, sizeof(name), "conf-%s%s-%ux%u", conf_ext[codec], ten ? "10" : "", m->w,
		 m->h);
	fx_open_vc(f, &vc, name, true);
	for (i = 0; i < 2; i++) {
		if (ten)
			draw10(f, 1 + i, i, m->w, m->h);
		else
			draw(f, 1 + i, i, m->w, m->h);
		event_for(&ev, i + 1, 1 + i, m->w, m->h,
			  KMSCAP_FRAME_FULL_DAMAGE | (i ? 0 : KMSCAP_FRAME_FIRST));
		ev.refresh_mhz = m->mhz;
		if (ten)
			ev.format = DRM_FORMAT_XRGB2101010;
		ret = ks_vapipe_frame(f->va, NULL, &ev, &f->out);
		snprintf(err, sizeof(err), "%s", ks_vapipe_error(f->va));
		ck_assert_msg(ret == 0, "%s frame %u: %s", name, i, err);
	}
	snprintf(path, size, "%s/%s.%s", f->dir, name, conf_ext[codec]);
	write_file(path, f->out.data, f->out.len);
}

/* ffprobe decodes @n pictures of @m's size. */
static void conf_probe(const char *path, const struct conf_mode *m, unsigned int n)
{
	char cmd[1200], line[128], want[64];
	unsigned int got = 0;
	FILE *fp;

	snprintf(cmd, sizeof(cmd),
		 "ffprobe -v error -probesize 256M -select_streams v -show_entries frame=width,height -of csv=p=0 '%s'",
		 path);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	snprintf(want, sizeof(want), "%u,%u", m->w, m->h);
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = 0;
		ck_assert_msg(!strcmp(line, want), "%s: ffprobe: frame %s, not %s", path, line, want);
		got++;
	}
	ck_assert_int_eq(pclose(fp), 0);
	ck_assert_msg(got == n, "%s: ffprobe decoded %u frames, not %u", path, got, n);
}

/* @num / @den is the refresh rate @mhz / 1000 exactly. */
static void conf_rate(const char *what, long num, long den, uint32_t mhz)
{
	ck_assert_msg(den > 0 && (int64_t)num * 1000 == (int64_t)den * mhz,
		      "%s: %ld / %ld is not %u.%03u Hz", what, num, den, mhz / 1000, mhz % 1000);
}

static void conf_colour(const char *log, const char *prim, const char *range, long full)
{
	ck_assert_int_eq(field(log, prim, 1), 1);
	ck_assert_int_eq(field(log, "transfer_characteristics", 1), 1);
	ck_assert_int_eq(field(log, "matrix_coefficients", 1), 1);
	ck_assert_int_eq(field(log, range, 1), full);
}

static void conf_run(enum ks_codec codec, bool ten)
{
	unsigned int i;

	need_ffmpeg();
	for (i = 0; i < sizeof(conf_modes) / sizeof(conf_modes[0]); i++) {
		const struct conf_mode *m = &conf_modes[i];
		struct fixture f;
		char path[700], *log;
		long level;
		const uint8_t *ivf;

		conf_encode(&f, codec, ten, m, path, sizeof(path));
		headers_clean(path, codec == KS_CODEC_AV1 ? "ivf" : conf_ext[codec]);
		log = trace(path, codec == KS_CODEC_AV1 ? "ivf" : conf_ext[codec]);
		switch (codec) {
		case KS_CODEC_H264:
			level = field(log, "level_idc", 1);
			ck_assert_int_eq(level, m->h264);
			conf_rate("H.264 VUI timing", field(log, "time_scale", 1),
				  2 * field(log, "num_units_in_tick", 1), m->mhz);
			ck_assert_int_eq(field(log, "max_num_reorder_frames", 1), 0);
			ck_assert_int_eq(field(log, "max_dec_frame_buffering", 1), 1);
			conf_colour(log, "colour_primaries", "video_full_range_flag", 0);
			break;
		case KS_CODEC_HEVC:
			level = field(log, "general_level_idc", 1);
			ck_assert_int_eq(level, m->hevc);
			conf_rate("HEVC VPS timing", field(log, "vps_time_scale", 1),
				  field(log, "vps_num_units_in_tick", 1), m->mhz);
			conf_rate("HEVC VUI timing", field(log, "vui_time_scale", 1),
				  field(log, "vui_num_units_in_tick", 1), m->mhz);
			ck_assert_int_eq(field(log, "sps_max_num_reorder_pics[0]", 1), 0);
			ck_assert_int_eq(field(log, "sps_max_dec_pic_buffering_minus1[0]", 1), 1);
			conf_colour(log, "colour_primaries", "video_full_range_flag", 0);
			break;
		default:
			level = field(log, "seq_level_idx[0]", 1);
			ck_assert_int_eq(level, m->av1);
			/* IVF header: time base denominator (rate), numerator (scale) */
			ivf = f.out.data;
			conf_rate("IVF time base", (long)(ivf[16] | ivf[17] << 8 | ivf[18] << 16 |
							  (uint32_t)ivf[19] << 24),
				  (long)(ivf[20] | ivf[21] << 8 | ivf[22] << 16 |
					 (uint32_t)ivf[23] << 24), m->mhz);
			ck_assert_int_eq(field(log, "show_frame", 1), 1);
			ck_assert_int_eq(field(log, "show_frame", 2), 1);
			conf_colour(log, "color_primaries", "color_range", 0);
			break;
		}
		free(log);
		conf_probe(path, m, 2);
		fprintf(stderr, "conformance: %-4s %2s-bit %4ux%-4u @ %3u.%03u Hz: level %ld, "
			"timing, no reordering, BT.709 limited: ok\n", conf_name[codec],
			ten ? "10" : "8", m->w, m->h, m->mhz / 1000, m->mhz % 1000, level);
		fx_close(&f);
	}
}

START_TEST(conformance_h264)
{
	conf_run(KS_CODEC_H264, false);
}
END_TEST

/* H.264 is encoded 8-bit: a 10-bit display's stream is High, 8-bit */
START_TEST(conformance_h264_from10)
{
	conf_run(KS_CODEC_H264, true);
}
END_TEST

START_TEST(conformance_hevc)
{
	conf_run(KS_CODEC_HEVC, false);
}
END_TEST

START_TEST(conformance_hevc10)
{
	conf_run(KS_CODEC_HEVC, true);
}
END_TEST

START_TEST(conformance_av1)
{
	conf_run(KS_CODEC_AV1, false);
}
END_TEST

START_TEST(conformance_av1_10)
{
	conf_run(KS_CODEC_AV1, true);
}
END_TEST

Suite *ks_suite_conformance(void)
{
	Suite *s = suite_create("conformance");

	KS_ADD_T(s, conformance_h264, 600);
	KS_ADD_T(s, conformance_h264_from10, 600);
	KS_ADD_T(s, conformance_hevc, 600);
	KS_ADD_T(s, conformance_hevc10, 600);
	KS_ADD_T(s, conformance_av1, 600);
	KS_ADD_T(s, conformance_av1_10, 600);
	return s;
}
