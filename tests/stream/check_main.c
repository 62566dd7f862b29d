// SPDX-License-Identifier: MIT
/*
 * kmscap-stream tests: runs every suite and writes one TAP line per test
 * into $KS_TAP (default stream.tap).  Exit 1 if any test failed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ks_test.h"

const char *ks_test_workdir(void)
{
	const char *d = getenv("KS_TEST_WORKDIR");

	return d && *d ? d : "/tmp";
}

const char *ks_test_bin(void)
{
	const char *b = getenv("KS_STREAM_BIN");

	return b && *b ? b : "kmscap-stream";
}

char *ks_test_read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *d;
	long n;

	ck_assert_msg(fp != NULL, "cannot open %s: %s", path, strerror(errno));
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	ck_assert_int_ge(n, 0);
	ck_assert_int_eq(fseek(fp, 0, SEEK_SET), 0);
	d = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(fread(d, 1, (size_t)n, fp), (size_t)n);
	d[n] = '\0';
	fclose(fp);
	if (len)
		*len = (size_t)n;
	return d;
}

static int ks_clampi(long v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : (int)v;
}

void ks_test_yuv420(ks_test_rgb_fn *rgb, const void *arg, unsigned int w, unsigned int h,
		    unsigned int max, bool p010, void *out)
{
	/* luma offset and range, chroma middle and range, in the output's depth */
	const int ylo = p010 ? 64 : 16, yr = p010 ? 876 : 219;
	const int cmid = p010 ? 512 : 128, cr = p010 ? 896 : 224;
	const int ymax = ylo + yr, cmin = ylo, cmax = cmid + cr / 2;
	uint16_t *o16 = out;
	uint8_t *o8 = out;
	unsigned int x, y, i;
	double r, g, b;

	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			int v;

			rgb(arg, x, y, &r, &g, &b);
			v = ks_clampi(lround(ylo + yr * (0.2126 * r + 0.7152 * g + 0.0722 * b) /
					     max), ylo, ymax);
			if (p010)
				o16[y * w + x] = (uint16_t)(v << 6);
			else
				o8[y * w + x] = (uint8_t)v;
		}
	}
	for (y = 0; y < h / 2; y++) {
		for (x = 0; x < w / 2; x++) {
			size_t at = (size_t)w * h + y * w + 2 * x;
			double R = 0, G = 0, B = 0, yl;
			int u, v;

			for (i = 0; i < 4; i++) {
				rgb(arg, 2 * x + i % 2, 2 * y + i / 2, &r, &g, &b);
				R += r / 4.0;
				G += g / 4.0;
				B += b / 4.0;
			}
			yl = 0.2126 * R + 0.7152 * G + 0.0722 * B;
			u = ks_clampi(lround(cmid + cr * (B - yl) / (1.8556 * max)), cmin, cmax);
			v = ks_clampi(lround(cmid + cr * (R - yl) / (1.5748 * max)), cmin, cmax);
			if (p010) {
				o16[at] = (uint16_t)(u << 6);
				o16[at + 1] = (uint16_t)(v << 6);
			} else {
				o8[at] = (uint8_t)u;
				o8[at + 1] = (uint8_t)v;
			}
		}
	}
}

int main(int argc, char **argv)
{
	const char *tap_path = getenv("KS_TAP"), *name;
	SRunner *sr;

	sr = srunner_create(ks_suite_args());
	srunner_add_suite(sr, ks_suite_annexb());
	srunner_add_suite(sr, ks_suite_ivf());
	srunner_add_suite(sr, ks_suite_headers());
	srunner_add_suite(sr, ks_suite_stats());
	srunner_add_suite(sr, ks_suite_import_cache());
	srunner_add_suite(sr, ks_suite_loop());
	srunner_add_suite(sr, ks_suite_ring_read());
	srunner_add_suite(sr, ks_suite_ring_release());
	srunner_add_suite(sr, ks_suite_cursor());
	srunner_add_suite(sr, ks_suite_vapipe());
	srunner_add_suite(sr, ks_suite_errors());
	srunner_add_suite(sr, ks_suite_conformance());
	srunner_add_suite(sr, ks_suite_mux());
	srunner_add_suite(sr, ks_suite_tiled());
	srunner_add_suite(sr, ks_suite_layering());
	/* the end-to-end checks belong to "make vm-check" (stream-e2e.tap) */
	if (getenv("KS_E2E_DIR"))
		srunner_add_suite(sr, ks_suite_e2e());
	/* "stream_check NAME": only the test NAME (for debugging) */
	if (argc > 1)
		setenv("CK_RUN_CASE", argv[1], 1);
	/* $KS_TAP_NAME: the name of the TAP lines (stream-asan for the sanitizer run) */
	name = getenv("KS_TAP_NAME");
	return kmscap_check_tap(sr, name && *name ? name : "stream",
				tap_path ? tap_path : "stream.tap");
}
