// SPDX-License-Identifier: MIT
/*
 * test_vpp_rows.c - the driver's row-oriented VPP pixel work (vpp_row.c)
 * gives exactly the bytes of the per-pixel reference (vpp_ref.c, the code
 * it replaced): every fixed-point kernel over its whole input domain, and
 * whole pictures of random content (and of extreme values) in every RGB
 * format, at random sizes, pitches, crops, output regions and scales,
 * nearest and bilinear, 1:1, to NV12 and P010, NV12 and P010 crop and
 * scale, the background fill and
 * the blending of layers in every weighting mode, partly outside.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "va_test.h"
#include "vpp_ref.h"

static uint32_t kmscap_vr_state;

static uint32_t kmscap_vr_rand(void)
{
	/* xorshift32 */
	kmscap_vr_state ^= kmscap_vr_state << 13;
	kmscap_vr_state ^= kmscap_vr_state >> 17;
	kmscap_vr_state ^= kmscap_vr_state << 5;
	return kmscap_vr_state;
}

static int kmscap_vr_range(int lo, int hi)	/* lo..hi */
{
	return lo + (int)(kmscap_vr_rand() % (uint32_t)(hi - lo + 1));
}

/* The kernels of mode m (0: 8-bit -> NV12, 1: RGB10 -> NV12, 2: RGB10 -> P010). */
static void kmscap_vr_kernels(int m)
{
	int max = m ? 1023 : 255, s = m == 2 ? 4 : 1;
	int64_t v, umax = 9278LL * 4 * max, vmax = 7874LL * 4 * max;

	/* luma of one pixel: yn = 0 .. 10000 max */
	for (v = 0; v <= 10000LL * max; v++)
		if (kmscap_va_row_y((uint32_t)v, m) != kmscap_ref_luma_yn(v, 1, max, s))
			ck_abort_msg("mode %d: Y(yn %lld) = %d, reference %d", m, (long long)v,
				     kmscap_va_row_y((uint32_t)v, m),
				     kmscap_ref_luma_yn(v, 1, max, s));
	/* chroma of the sum of 4 pixels: |10000 B - yn| <= 9278 * 4 max, |10000 R - yn| <= 7874 * 4 max */
	for (v = -umax; v <= umax; v++)
		if (kmscap_va_row_cb((int32_t)v, m) != kmscap_ref_cb_u(v, 4, max, s))
			ck_abort_msg("mode %d: Cb(u %lld) = %d, reference %d", m, (long long)v,
				     kmscap_va_row_cb((int32_t)v, m), kmscap_ref_cb_u(v, 4, max, s));
	for (v = -vmax; v <= vmax; v++)
		if (kmscap_va_row_cr((int32_t)v, m) != kmscap_ref_cr_v(v, 4, max, s))
			ck_abort_msg("mode %d: Cr(v %lld) = %d, reference %d", m, (long long)v,
				     kmscap_va_row_cr((int32_t)v, m), kmscap_ref_cr_v(v, 4, max, s));
}

START_TEST(test_vpp_rows_kernels_8)
{
	kmscap_vr_kernels(0);
}
END_TEST

START_TEST(test_vpp_rows_kernels_10)
{
	kmscap_vr_kernels(1);
}
END_TEST

START_TEST(test_vpp_rows_kernels_p010)
{
	kmscap_vr_kernels(2);
}
END_TEST

/* A w x h RGB picture with padded rows: random, or (extreme) mostly 0 and all ones. */
static void kmscap_vr_rgb(struct kmscap_va_img *img, int w, int h, bool extreme)
{
	size_t i, n;

	img->width = w;
	img->height = h;
	img->offset[0] = 4 * kmscap_vr_range(0, 3);
	img->pitch[0] = 4 * (w + kmscap_vr_range(0, 5));
	img->offset[1] = img->pitch[1] = 0;
	n = img->offset[0] + img->pitch[0] * h;
	img->data = kmscap_vat_calloc(n, 1);
	for (i = 0; i < n; i += 4) {
		uint32_t v = kmscap_vr_rand();

		if (extreme)
			v = (kmscap_vr_rand() & 1) ? 0xffffffffu : v & 0xc00ffc00u;
		memcpy(img->data + i, &v, 4);
	}
}

/* A w x h NV12 or P010 picture of random bytes; a copy of it in *copy. */
static void kmscap_vr_yuv(struct kmscap_va_img *img, struct kmscap_va_img *copy, int w, int h,
			  bool p010)
{
	size_t i, n;

	img->width = w;
	img->height = h;
	img->pitch[0] = img->pitch[1] = (p010 ? 2 : 1) * (w + kmscap_vr_range(0, 7));
	img->offset[0] = kmscap_vr_range(0, 3) * 2;
	img->offset[1] = img->offset[0] + img->pitch[0] * h + 2 * kmscap_vr_range(0, 3);
	n = img->offset[1] + img->pitch[1] * (h / 2);
	img->data = kmscap_vat_calloc(n, 1);
	for (i = 0; i < n; i++)
		img->data[i] = (uint8_t)kmscap_vr_rand();
	*copy = *img;
	copy->data = kmscap_vat_calloc(n, 1);
	memcpy(copy->data, img->data, n);
}

static size_t kmscap_vr_size(const struct kmscap_va_img *img)
{
	return img->offset[1] + img->pitch[1] * (img->height / 2);
}

static void kmscap_vr_same(const struct kmscap_va_img *a, const struct kmscap_va_img *b,
			   const char *what, int i)
{
	size_t n = kmscap_vr_size(a), k;

	for (k = 0; k < n; k++)
		if (a->data[k] != b->data[k])
			ck_abort_msg("%s, case %d (seed %u): byte %zu is %u, reference %u", what,
				     i, kmscap_vr_state, k, a->data[k], b->data[k]);
}

/* Even region of n (> 1) samples: the whole, or a random part. */
static void kmscap_vr_region(int n, bool even, int *x, unsigned short *w)
{
	int a = even ? 2 : 1;

	if (kmscap_vr_range(0, 2) == 0 || n < 2 * a) {
		*x = 0;
		*w = (unsigned short)n;
		return;
	}
	*w = (unsigned short)(a * kmscap_vr_range(1, n / a));
	*x = a * kmscap_vr_range(0, (n - *w) / a);
}

START_TEST(test_vpp_rows_convert)
{
	int i;

	kmscap_vr_state = 0x9e3779b9u;
	for (i = 0; i < 3000; i++) {
		enum kmscap_va_rgbfmt fmt = (enum kmscap_va_rgbfmt)kmscap_vr_range(0, 3);
		bool p010 = fmt >= KMSCAP_VA_XRGB10 && (kmscap_vr_rand() & 1);
		bool bilinear = kmscap_vr_rand() & 1, extreme = kmscap_vr_range(0, 4) == 0;
		int sw = kmscap_vr_range(1, 48), sh = kmscap_vr_range(1, 48);
		int dw = 2 * kmscap_vr_range(1, 24), dh = 2 * kmscap_vr_range(1, 24), x, y;
		struct kmscap_va_img src, d, ref;
		VARectangle sr, orr;

		if (i % 3 == 0) {	/* 1:1, the capture at its own size */
			sw = dw;
			sh = dh;
		}
		kmscap_vr_rgb(&src, sw, sh, extreme);
		kmscap_vr_yuv(&d, &ref, dw, dh, p010);
		kmscap_vr_region(sw, false, &x, &sr.width);
		sr.x = (short)x;
		kmscap_vr_region(sh, false, &y, &sr.height);
		sr.y = (short)y;
		kmscap_vr_region(dw, true, &x, &orr.width);
		orr.x = (short)x;
		kmscap_vr_region(dh, true, &y, &orr.height);
		orr.y = (short)y;
		if (i % 3 == 0 && kmscap_vr_rand() & 1) {
			sr.width = orr.width;	/* 1:1 inside the pictures */
			sr.height = orr.height;
			sr.x = (short)kmscap_vr_range(0, sw - sr.width);
			sr.y = (short)kmscap_vr_range(0, sh - sr.height);
		}
		ck_assert_int_eq(kmscap_va_convert_rgb(&src, fmt, &d, p010, &sr, &orr, bilinear), 0);
		ck_assert_int_eq(kmscap_ref_convert_rgb(&src, fmt, &ref, p010, &sr, &orr, bilinear),
				 0);
		kmscap_vr_same(&d, &ref, "convert", i);
		free(src.data);
		free(d.data);
		free(ref.data);
	}
}
END_TEST

/* A 1080p frame 1:1, every format: the case the capture runs. */
START_TEST(test_vpp_rows_convert_1080p)
{
	int f;

	kmscap_vr_state = 12345u;
	for (f = 0; f < 6; f++) {
		enum kmscap_va_rgbfmt fmt = (enum kmscap_va_rgbfmt)(f < 4 ? f : f - 2);
		bool p010 = f >= 4;
		VARectangle r = { 0, 0, 1920, 1080 };
		struct kmscap_va_img src, d, ref;

		kmscap_vr_rgb(&src, 1920, 1080, false);
		kmscap_vr_yuv(&d, &ref, 1920, 1080, p010);
		ck_assert_int_eq(kmscap_va_convert_rgb(&src, fmt, &d, p010, &r, &r, f & 1), 0);
		ck_assert_int_eq(kmscap_ref_convert_rgb(&src, fmt, &ref, p010, &r, &r, f & 1), 0);
		kmscap_vr_same(&d, &ref, "convert 1080p", f);
		free(src.data);
		free(d.data);
		free(ref.data);
	}
}
END_TEST

START_TEST(test_vpp_rows_scale_yuv)
{
	int i;

	kmscap_vr_state = 2024u;
	for (i = 0; i < 2000; i++) {
		bool p010 = kmscap_vr_rand() & 1, bilinear = kmscap_vr_rand() & 1;
		int sw = 2 * kmscap_vr_range(1, 24), sh = 2 * kmscap_vr_range(1, 24);
		int dw = 2 * kmscap_vr_range(1, 24), dh = 2 * kmscap_vr_range(1, 24), x, y;
		struct kmscap_va_img src, scopy, d, ref;
		VARectangle sr, orr;

		if (i % 3 == 0) {
			dw = sw;
			dh = sh;
		}
		kmscap_vr_yuv(&src, &scopy, sw, sh, p010);
		kmscap_vr_yuv(&d, &ref, dw, dh, p010);
		kmscap_vr_region(sw, true, &x, &sr.width);
		sr.x = (short)x;
		kmscap_vr_region(sh, true, &y, &sr.height);
		sr.y = (short)y;
		kmscap_vr_region(dw, true, &x, &orr.width);
		orr.x = (short)x;
		kmscap_vr_region(dh, true, &y, &orr.height);
		orr.y = (short)y;
		ck_assert_int_eq(kmscap_va_scale_yuv(&src, &d, p010, &sr, &orr, bilinear), 0);
		kmscap_ref_scale_yuv(&src, &ref, p010, &sr, &orr, bilinear);
		kmscap_vr_same(&d, &ref, "scale yuv", i);
		free(src.data);
		free(scopy.data);
		free(d.data);
		free(ref.data);
	}
}
END_TEST

START_TEST(test_vpp_rows_fill)
{
	int i;

	kmscap_vr_state = 77u;
	for (i = 0; i < 400; i++) {
		bool p010 = kmscap_vr_rand() & 1;
		uint32_t argb = i < 8 ? (i & 1 ? 0xff000000u : 0xffffffffu) * (i < 4) :
				kmscap_vr_rand();
		struct kmscap_va_img d, ref;

		kmscap_vr_yuv(&d, &ref, kmscap_vr_range(1, 40), kmscap_vr_range(1, 40), p010);
		kmscap_va_fill_yuv(&d, p010, argb);
		kmscap_ref_fill_yuv(&ref, p010, argb);
		kmscap_vr_same(&d, &ref, "fill", i);
		free(d.data);
		free(ref.data);
	}
}
END_TEST

START_TEST(test_vpp_rows_blend)
{
	int i;

	kmscap_vr_state = 4242u;
	for (i = 0; i < 3000; i++) {
		enum kmscap_va_rgbfmt fmt = (enum kmscap_va_rgbfmt)kmscap_vr_range(0, 1);
		enum kmscap_va_blend_mode mode = (enum kmscap_va_blend_mode)kmscap_vr_range(0, 3);
		bool has_alpha = kmscap_vr_range(0, 3) != 0;
		int sw = kmscap_vr_range(1, 40), sh = kmscap_vr_range(1, 40);
		int dw = 2 * kmscap_vr_range(1, 24), dh = 2 * kmscap_vr_range(1, 24), x, y;
		int g = kmscap_vr_range(0, 3) == 0 ? 255 * kmscap_vr_range(0, 1) :
			kmscap_vr_range(0, 255);
		struct kmscap_va_img src, d, ref;
		VARectangle sr, orr;

		kmscap_vr_rgb(&src, sw, sh, kmscap_vr_range(0, 4) == 0);
		kmscap_vr_yuv(&d, &ref, dw, dh, false);
		kmscap_vr_region(sw, false, &x, &sr.width);
		sr.x = (short)x;
		kmscap_vr_region(sh, false, &y, &sr.height);
		sr.y = (short)y;
		/* anywhere, partly or wholly outside */
		orr.width = sr.width;
		orr.height = sr.height;
		orr.x = (short)kmscap_vr_range(-sr.width - 2, dw + 2);
		orr.y = (short)kmscap_vr_range(-sr.height - 2, dh + 2);
		ck_assert_int_eq(kmscap_va_blend_rgb(&src, fmt, has_alpha, &d, &sr, &orr, mode, g),
				 0);
		kmscap_ref_blend_rgb(&src, fmt, has_alpha, &ref, &sr, &orr, mode, g);
		kmscap_vr_same(&d, &ref, "blend", i);
		free(src.data);
		free(d.data);
		free(ref.data);
	}
}
END_TEST

Suite *kmscap_vat_suite_vpp_rows(void)
{
	Suite *s = suite_create("vpp_rows");

#define ADD(fn) KMSCAP_VAT_ADD(s, fn, 120)
	ADD(test_vpp_rows_kernels_8);
	ADD(test_vpp_rows_kernels_10);
	ADD(test_vpp_rows_kernels_p010);
	ADD(test_vpp_rows_convert);
	ADD(test_vpp_rows_convert_1080p);
	ADD(test_vpp_rows_scale_yuv);
	ADD(test_vpp_rows_fill);
	ADD(test_vpp_rows_blend);
#undef ADD
	return s;
}
