// SPDX-License-Identifier: MIT
/*
 * Tiled frames through the VA-API pipeline, against the test driver of
 * tests/vadriver: the pipeline reports the modifiers the driver imports
 * (what kmscap-stream --create gives the display), imports X-tiled
 * buffers with the frame event's modifier, and ffmpeg's decoding of the
 * stream equals the pattern drawn, as for linear buffers.
 */
#include <stdlib.h>

#include <drm_fourcc.h>

#include "ks_test.h"
#include "vapipe_test.h"
#include "vapipe_fixture.h"

START_TEST(tiled_modifiers_offered)
{
	uint64_t mods[KMSCAP_MAX_MODIFIERS];
	struct ks_vapipe_config vc = {
		.codec = KS_CODEC_H264, .rc = KS_RC_CQP, .qp = 26, .idle = KS_IDLE_SKIP, .pool = 3,
	};
	struct fixture f;
	unsigned int n;

	fx_open_cfg(&f, &vc, "tiled-mods");
	n = ks_vapipe_import_modifiers(f.va, mods, KMSCAP_MAX_MODIFIERS);
	ck_assert_uint_eq(n, 1);
	ck_assert_msg(mods[0] == I915_FORMAT_MOD_X_TILED, "modifier 0x%llx, expected X-tiled",
		      (unsigned long long)mods[0]);
	/* a shorter array is not overrun */
	ck_assert_uint_eq(ks_vapipe_import_modifiers(f.va, mods, 0), 0);
	fx_close(&f);
}
END_TEST

START_TEST(tiled_encode_decode)
{
	const unsigned int w = 200, h = 100, frames = 4;	/* 100 rows: 12.5 tile rows */
	struct ks_vapipe_config vc = {
		.codec = KS_CODEC_H264, .rc = KS_RC_CQP, .qp = 26, .idle = KS_IDLE_SKIP, .pool = 3,
	};
	struct kmscap_event ev;
	struct fixture f;
	unsigned int i, pitch;
	uint8_t *dec;

	need_ffmpeg();
	fx_open_cfg(&f, &vc, "tiled");
	for (i = 0; i < frames; i++) {
		unsigned int id = 1 + i % 2;
		int ret;

		pitch = draw_xtiled(&f, id, i, w, h);
		event_for(&ev, i + 1, id, w, h, KMSCAP_FRAME_FULL_DAMAGE |
			  (i == 0 ? KMSCAP_FRAME_FIRST : 0));
		ev.modifier = I915_FORMAT_MOD_X_TILED;
		ev.pitches[0] = pitch;
		ret = ks_vapipe_frame(f.va, NULL, &ev, &f.out);
		ck_assert_msg(ret == 0, "X-tiled frame %u: %s", i, ks_vapipe_error(f.va));
	}
	ck_assert_int_eq(ks_vapipe_prime2_refused(f.va), 0);
	ck_assert_uint_eq(decode(&f, "tiled", w, h, &dec), frames);
	for (i = 0; i < frames; i++)
		compare(dec + (size_t)i * w * h * 3 / 2, i, w, h);
	free(dec);
	fx_close(&f);
}
END_TEST

Suite *ks_suite_tiled(void)
{
	Suite *s = suite_create("tiled");
	TCase *tc = tcase_create("tiled");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, tiled_modifiers_offered);
	tcase_add_test(tc, tiled_encode_decode);
	suite_add_tcase(s, tc);
	return s;
}
