// SPDX-License-Identifier: MIT
/*
 * test_vpp.c - RGB -> NV12 and RGB10 -> P010 / NV12 conversion against reference
 * values computed here, independently of the driver (floating point
 * BT.709 limited-range formulas), plus crop, scale and background fill.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "va_test.h"

/* BT.709: Kr = 0.2126, Kb = 0.0722; max = 255 or 1023, scale 1 or 4 */
static int kmscap_vat_ref_y(double r, double g, double b, double max, double scale)
{
	double e = (0.2126 * r + 0.7152 * g + 0.0722 * b) / max;

	return (int)floor(16.0 * scale + 219.0 * scale * e + 0.5);
}

static void kmscap_vat_ref_c(double r, double g, double b, double max, double scale, int *cb,
			     int *cr)
{
	double ey = (0.2126 * r + 0.7152 * g + 0.0722 * b) / max;

	*cb = (int)floor(128.0 * scale + 224.0 * scale * (b / max - ey) / 1.8556 + 0.5);
	*cr = (int)floor(128.0 * scale + 224.0 * scale * (r / max - ey) / 1.5748 + 0.5);
}

/* Reference conversion of a w x h RGB picture (rgb[i] = {r, g, b}). */
static void kmscap_vat_ref_convert_depth(const int (*rgb)[3], unsigned int w, unsigned int h,
					 bool ten_in, bool ten_out, struct kmscap_vat_yuv *o)
{
	double max = ten_in ? 1023 : 255, scale = ten_out ? 4 : 1;
	unsigned int x, y;

	o->w = w;
	o->h = h;
	o->y = kmscap_vat_calloc(w * h, sizeof(int));
	o->u = kmscap_vat_calloc(w * h / 4, sizeof(int));
	o->v = kmscap_vat_calloc(w * h / 4, sizeof(int));
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			o->y[y * w + x] = kmscap_vat_ref_y(rgb[y * w + x][0], rgb[y * w + x][1],
							   rgb[y * w + x][2], max, scale);
	for (y = 0; y < h / 2; y++) {
		for (x = 0; x < w / 2; x++) {
			double s[3] = { 0, 0, 0 };
			int k, i;

			for (k = 0; k < 3; k++)
				for (i = 0; i < 4; i++)
					s[k] += rgb[(2 * y + i / 2) * w + 2 * x + i % 2][k];
			kmscap_vat_ref_c(s[0] / 4, s[1] / 4, s[2] / 4, max, scale,
					 &o->u[y * (w / 2) + x], &o->v[y * (w / 2) + x]);
		}
	}
}

static void kmscap_vat_ref_convert(const int (*rgb)[3], unsigned int w, unsigned int h,
				   bool ten, struct kmscap_vat_yuv *o)
{
	kmscap_vat_ref_convert_depth(rgb, w, h, ten, ten, o);
}

void kmscap_vat_yuv_free(struct kmscap_vat_yuv *o)
{
	free(o->y);
	free(o->u);
	free(o->v);
}

/* Packs {r,g,b} into the 32-bit little-endian word of a VA fourcc. */
static uint32_t kmscap_vat_pack(unsigned int fourcc, const int *c)
{
	switch (fourcc) {
	case VA_FOURCC_BGRX:
	case VA_FOURCC_BGRA:
		return c[2] | c[1] << 8 | c[0] << 16 | 0xffu << 24;
	case VA_FOURCC_RGBX:
	case VA_FOURCC_RGBA:
		return c[0] | c[1] << 8 | c[2] << 16 | 0xffu << 24;
	case VA_FOURCC_X2R10G10B10:
	case VA_FOURCC_A2R10G10B10:
		return (uint32_t)c[0] << 20 | c[1] << 10 | c[2] | 3u << 30;
	default:
		return (uint32_t)c[2] << 20 | c[1] << 10 | c[0] | 3u << 30;
	}
}

VAStatus kmscap_vat_vpp(VADisplay dpy, VASurfaceID in, VASurfaceID out, const VARectangle *sr,
			const VARectangle *orr, uint32_t flags, uint32_t bg)
{
	VAProcPipelineParameterBuffer p;
	VAConfigID cfg;
	VAContextID ctx;
	VABufferID buf;
	VAStatus st;

	memset(&p, 0, sizeof(p));
	p.surface = in;
	p.surface_region = sr;
	p.output_region = orr;
	p.surface_color_standard = VAProcColorStandardBT709;
	p.output_color_standard = VAProcColorStandardBT709;
	p.filter_flags = flags;
	p.output_background_color = bg;
	ck_assert_va_ok(vaCreateConfig(dpy, VAProfileNone, VAEntrypointVideoProc, NULL, 0, &cfg));
	ck_assert_va_ok(vaCreateContext(dpy, cfg, 16, 16, 0, &out, 1, &ctx));
	ck_assert_va_ok(vaCreateBuffer(dpy, ctx, VAProcPipelineParameterBufferType, sizeof(p), 1,
				       &p, &buf));
	st = vaBeginPicture(dpy, ctx, out);
	if (st == VA_STATUS_SUCCESS) {
		st = vaRenderPicture(dpy, ctx, &buf, 1);
		if (st == VA_STATUS_SUCCESS)
			st = vaEndPicture(dpy, ctx);
		else
			vaEndPicture(dpy, ctx);
	}
	if (st == VA_STATUS_SUCCESS)
		st = vaSyncSurface(dpy, out);
	vaDestroyBuffer(dpy, buf);
	vaDestroyContext(dpy, ctx);
	vaDestroyConfig(dpy, cfg);
	return st;
}

void kmscap_vat_read(VADisplay dpy, VASurfaceID s, unsigned int w, unsigned int h,
		     struct kmscap_vat_yuv *o)
{
	unsigned int x, y;
	VAImage img;
	uint8_t *p;
	bool ten;

	o->w = w;
	o->h = h;
	o->y = kmscap_vat_calloc(w * h, sizeof(int));
	o->u = kmscap_vat_calloc(w * h / 4, sizeof(int));
	o->v = kmscap_vat_calloc(w * h / 4, sizeof(int));
	ck_assert_va_ok(vaDeriveImage(dpy, s, &img));
	ten = img.format.fourcc == VA_FOURCC_P010;
	ck_assert_va_ok(vaMapBuffer(dpy, img.buf, (void **)&p));
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			const uint8_t *q = p + img.offsets[0] + y * img.pitches[0];

			o->y[y * w + x] = ten ? (q[2 * x] | q[2 * x + 1] << 8) >> 6 : q[x];
			if (ten)
				ck_assert_int_eq(q[2 * x] & 0x3f, 0);
		}
	}
	for (y = 0; y < h / 2; y++) {
		for (x = 0; x < w / 2; x++) {
			const uint8_t *q = p + img.offsets[1] + y * img.pitches[1];

			if (ten) {
				o->u[y * (w / 2) + x] = (q[4 * x] | q[4 * x + 1] << 8) >> 6;
				o->v[y * (w / 2) + x] = (q[4 * x + 2] | q[4 * x + 3] << 8) >> 6;
			} else {
				o->u[y * (w / 2) + x] = q[2 * x];
				o->v[y * (w / 2) + x] = q[2 * x + 1];
			}
		}
	}
	vaUnmapBuffer(dpy, img.buf);
	vaDestroyImage(dpy, img.image_id);
}

void kmscap_vat_compare(const struct kmscap_vat_yuv *got, const struct kmscap_vat_yuv *ref,
			const char *what)
{
	unsigned int i, w = ref->w, h = ref->h;

	for (i = 0; i < w * h; i++)
		ck_assert_msg(got->y[i] == ref->y[i], "%s: Y at %u,%u is %d, reference %d", what,
			      i % w, i / w, got->y[i], ref->y[i]);
	for (i = 0; i < w * h / 4; i++) {
		ck_assert_msg(got->u[i] == ref->u[i], "%s: Cb at %u,%u is %d, reference %d",
			      what, i % (w / 2), i / (w / 2), got->u[i], ref->u[i]);
		ck_assert_msg(got->v[i] == ref->v[i], "%s: Cr at %u,%u is %d, reference %d",
			      what, i % (w / 2), i / (w / 2), got->v[i], ref->v[i]);
	}
}

void kmscap_vat_random_rgb(int (*rgb)[3], unsigned int n, int max, unsigned int seed)
{
	uint32_t r = 0x9e3779b9u * (seed + 1);
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < 3; k++) {
			r ^= r << 13;
			r ^= r >> 17;
			r ^= r << 5;
			rgb[i][k] = r % (max + 1);
		}
		if (i % 37 == 0)	/* extremes */
			rgb[i][0] = rgb[i][1] = rgb[i][2] = (i / 37) % 2 ? max : 0;
	}
}

VASurfaceID kmscap_vat_out_surface(VADisplay dpy, bool ten, unsigned int w, unsigned int h)
{
	VASurfaceAttrib a = {
		.type = VASurfaceAttribPixelFormat, .flags = VA_SURFACE_ATTRIB_SETTABLE,
		.value = { .type = VAGenericValueTypeInteger,
			   .value.i = ten ? VA_FOURCC_P010 : VA_FOURCC_NV12 },
	};
	VASurfaceID s;

	ck_assert_va_ok(vaCreateSurfaces(dpy, ten ? VA_RT_FORMAT_YUV420_10 : VA_RT_FORMAT_YUV420,
					 w, h, &s, 1, &a, 1));
	return s;
}

static const struct {
	uint32_t drm;
	unsigned int va;
	bool ten;
} kmscap_vat_vpp_formats[] = {
	{ DRM_FORMAT_XRGB8888, VA_FOURCC_BGRX, false },
	{ DRM_FORMAT_ARGB8888, VA_FOURCC_BGRA, false },
	{ DRM_FORMAT_XBGR8888, VA_FOURCC_RGBX, false },
	{ DRM_FORMAT_ABGR8888, VA_FOURCC_RGBA, false },
	{ DRM_FORMAT_XRGB2101010, VA_FOURCC_X2R10G10B10, true },
	{ DRM_FORMAT_ARGB2101010, VA_FOURCC_A2R10G10B10, true },
	{ DRM_FORMAT_XBGR2101010, VA_FOURCC_X2B10G10R10, true },
	{ DRM_FORMAT_ABGR2101010, VA_FOURCC_A2B10G10R10, true },
};

/* Import an RGB picture from a memfd (PRIME_2 or legacy PRIME). */
static VASurfaceID kmscap_vat_rgb_surface(VADisplay dpy, unsigned int fmt, const int (*rgb)[3],
					  unsigned int w, unsigned int h, bool legacy)
{
	unsigned int pitch = w * 4 + 64, i;
	uint32_t *px = kmscap_vat_calloc(1, w * h * 4);
	VASurfaceID s;
	int fd;

	for (i = 0; i < w * h; i++)
		px[i] = kmscap_vat_pack(kmscap_vat_vpp_formats[fmt].va, rgb[i]);
	fd = kmscap_vat_rgb_memfd(px, w, h, pitch, legacy ? 0 : 256);
	if (legacy)
		ck_assert_va_ok(kmscap_vat_import_prime(dpy, fd, kmscap_vat_vpp_formats[fmt].va, w,
							h, pitch, &s));
	else
		ck_assert_va_ok(kmscap_vat_import_prime2(dpy, fd, kmscap_vat_vpp_formats[fmt].drm,
							 kmscap_vat_vpp_formats[fmt].va, w, h,
							 pitch, 256, DRM_FORMAT_MOD_LINEAR, &s));
	close(fd);
	free(px);
	return s;
}

/* Convert a random picture of format @fmt to NV12 or (@ten_out) P010. */
static void kmscap_vat_convert_to(unsigned int fmt, bool legacy, bool ten_out)
{
	const unsigned int w = 48, h = 32;
	bool ten = kmscap_vat_vpp_formats[fmt].ten;
	struct kmscap_vat_yuv ref, got;
	int (*rgb)[3] = kmscap_vat_calloc(w * h, sizeof(*rgb));
	struct kmscap_vat t;
	VASurfaceID in, out;
	char what[64];

	kmscap_vat_random_rgb(rgb, w * h, ten ? 1023 : 255, fmt);
	kmscap_vat_ref_convert_depth((const int (*)[3])rgb, w, h, ten, ten_out, &ref);
	kmscap_vat_open(&t);
	in = kmscap_vat_rgb_surface(t.dpy, fmt, (const int (*)[3])rgb, w, h, legacy);
	out = kmscap_vat_out_surface(t.dpy, ten_out, w, h);
	ck_assert_va_ok(kmscap_vat_vpp(t.dpy, in, out, NULL, NULL, VA_FILTER_SCALING_DEFAULT, 0));
	kmscap_vat_read(t.dpy, out, w, h, &got);
	snprintf(what, sizeof(what), "format %u%s to %s", fmt,
		 legacy ? " (legacy DRM_PRIME)" : "", ten_out ? "P010" : "NV12");
	kmscap_vat_compare(&got, &ref, what);
	kmscap_vat_yuv_free(&ref);
	kmscap_vat_yuv_free(&got);
	free(rgb);
	kmscap_vat_close(&t);
}

static void kmscap_vat_convert_case(unsigned int fmt, bool legacy)
{
	kmscap_vat_convert_to(fmt, legacy, kmscap_vat_vpp_formats[fmt].ten);
}

START_TEST(test_vpp_rgb_to_nv12)
{
	unsigned int f;

	for (f = 0; f < 4; f++)
		kmscap_vat_convert_case(f, false);
	kmscap_vat_convert_case(0, true);
}
END_TEST

START_TEST(test_vpp_rgb10_to_p010)
{
	unsigned int f;

	for (f = 4; f < 8; f++)
		kmscap_vat_convert_case(f, false);
	kmscap_vat_convert_case(4, true);
}
END_TEST

/* A 10-bit source to an 8-bit NV12 output: rounded from the 10-bit values. */
START_TEST(test_vpp_rgb10_to_nv12)
{
	unsigned int f;

	for (f = 4; f < 8; f++)
		kmscap_vat_convert_to(f, false, false);
}
END_TEST

/* Published BT.709 limited-range values of the 75%-free primaries. */
START_TEST(test_vpp_known_colours)
{
	static const struct {
		int rgb[3];
		int y, cb, cr;
	} c[] = {
		{ { 255, 255, 255 }, 235, 128, 128 },
		{ { 0, 0, 0 }, 16, 128, 128 },
		{ { 255, 0, 0 }, 63, 102, 240 },
		{ { 0, 255, 0 }, 173, 42, 26 },
		{ { 0, 0, 255 }, 32, 240, 118 },
	};
	int (*rgb)[3] = kmscap_vat_calloc(2 * 2, sizeof(*rgb));
	struct kmscap_vat_yuv got;
	struct kmscap_vat t;
	VASurfaceID in, out;
	unsigned int i, k;

	kmscap_vat_open(&t);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		for (k = 0; k < 4; k++)
			memcpy(rgb[k], c[i].rgb, sizeof(c[i].rgb));
		in = kmscap_vat_rgb_surface(t.dpy, 0, (const int (*)[3])rgb, 2, 2, false);
		out = kmscap_vat_out_surface(t.dpy, false, 2, 2);
		ck_assert_va_ok(kmscap_vat_vpp(t.dpy, in, out, NULL, NULL, 0, 0));
		kmscap_vat_read(t.dpy, out, 2, 2, &got);
		ck_assert_int_eq(got.y[0], c[i].y);
		ck_assert_int_eq(got.y[3], c[i].y);
		ck_assert_int_eq(got.u[0], c[i].cb);
		ck_assert_int_eq(got.v[0], c[i].cr);
		kmscap_vat_yuv_free(&got);
	}
	free(rgb);
	kmscap_vat_close(&t);
}
END_TEST

/* Crop a region and upscale it 2x with nearest: pixel (x, y) = src(x/2, y/2). */
START_TEST(test_vpp_crop_scale_nearest)
{
	const unsigned int w = 40, h = 24, ow = 32, oh = 16;
	VARectangle sr = { .x = 5, .y = 3, .width = ow / 2, .height = oh / 2 };
	int (*rgb)[3] = kmscap_vat_calloc(w * h, sizeof(*rgb));
	int (*exp)[3] = kmscap_vat_calloc(ow * oh, sizeof(*exp));
	struct kmscap_vat_yuv ref, got;
	struct kmscap_vat t;
	VASurfaceID in, out;
	unsigned int x, y;

	kmscap_vat_random_rgb(rgb, w * h, 255, 77);
	for (y = 0; y < oh; y++)
		for (x = 0; x < ow; x++)
			memcpy(exp[y * ow + x], rgb[(sr.y + y / 2) * w + sr.x + x / 2],
			       sizeof(exp[0]));
	kmscap_vat_ref_convert((const int (*)[3])exp, ow, oh, false, &ref);
	kmscap_vat_open(&t);
	in = kmscap_vat_rgb_surface(t.dpy, 2, (const int (*)[3])rgb, w, h, false);
	out = kmscap_vat_out_surface(t.dpy, false, ow, oh);
	ck_assert_va_ok(kmscap_vat_vpp(t.dpy, in, out, &sr, NULL, VA_FILTER_SCALING_FAST, 0));
	kmscap_vat_read(t.dpy, out, ow, oh, &got);
	kmscap_vat_compare(&got, &ref, "nearest 2x");
	kmscap_vat_yuv_free(&ref);
	kmscap_vat_yuv_free(&got);
	free(rgb);
	free(exp);
	kmscap_vat_close(&t);
}
END_TEST

/* Bilinear 2x downscale: each output pixel is the rounded mean of a 2x2 block. */
START_TEST(test_vpp_scale_bilinear)
{
	const unsigned int w = 64, h = 32, ow = 32, oh = 16;
	int (*rgb)[3] = kmscap_vat_calloc(w * h, sizeof(*rgb));
	int (*exp)[3] = kmscap_vat_calloc(ow * oh, sizeof(*exp));
	struct kmscap_vat_yuv ref, got;
	struct kmscap_vat t;
	VASurfaceID in, out;
	unsigned int x, y, k;

	kmscap_vat_random_rgb(rgb, w * h, 255, 12);
	for (y = 0; y < oh; y++)
		for (x = 0; x < ow; x++)
			for (k = 0; k < 3; k++)
				exp[y * ow + x][k] = (rgb[2 * y * w + 2 * x][k] +
						      rgb[2 * y * w + 2 * x + 1][k] +
						      rgb[(2 * y + 1) * w + 2 * x][k] +
						      rgb[(2 * y + 1) * w + 2 * x + 1][k] + 2) / 4;
	kmscap_vat_ref_convert((const int (*)[3])exp, ow, oh, false, &ref);
	kmscap_vat_open(&t);
	in = kmscap_vat_rgb_surface(t.dpy, 0, (const int (*)[3])rgb, w, h, false);
	out = kmscap_vat_out_surface(t.dpy, false, ow, oh);
	ck_assert_va_ok(kmscap_vat_vpp(t.dpy, in, out, NULL, NULL, VA_FILTER_SCALING_HQ, 0));
	kmscap_vat_read(t.dpy, out, ow, oh, &got);
	kmscap_vat_compare(&got, &ref, "bilinear 1/2");
	kmscap_vat_yuv_free(&ref);
	kmscap_vat_yuv_free(&got);
	free(rgb);
	free(exp);
	kmscap_vat_close(&t);
}
END_TEST

/* Output region smaller than the surface: the rest is the background colour. */
START_TEST(test_vpp_background)
{
	VARectangle orr = { .x = 8, .y = 4, .width = 8, .height = 8 };
	int (*rgb)[3] = kmscap_vat_calloc(8 * 8, sizeof(*rgb));
	struct kmscap_vat_yuv got;
	struct kmscap_vat t;
	VASurfaceID in, out;
	int by, bcb, bcr, wy;

	kmscap_vat_open(&t);
	memset(rgb, 0, 8 * 8 * sizeof(*rgb));
	in = kmscap_vat_rgb_surface(t.dpy, 0, (const int (*)[3])rgb, 8, 8, false);
	out = kmscap_vat_out_surface(t.dpy, false, 32, 16);
	/* background pure blue 0xff0000ff, picture black */
	ck_assert_va_ok(kmscap_vat_vpp(t.dpy, in, out, NULL, &orr, 0, 0xff0000ff));
	kmscap_vat_read(t.dpy, out, 32, 16, &got);
	by = kmscap_vat_ref_y(0, 0, 255, 255, 1);
	kmscap_vat_ref_c(0, 0, 255, 255, 1, &bcb, &bcr);
	wy = kmscap_vat_ref_y(0, 0, 0, 255, 1);
	ck_assert_int_eq(got.y[0], by);
	ck_assert_int_eq(got.y[15 * 32 + 31], by);
	ck_assert_int_eq(got.u[0], bcb);
	ck_assert_int_eq(got.v[0], bcr);
	ck_assert_int_eq(got.y[4 * 32 + 8], wy);
	ck_assert_int_eq(got.y[11 * 32 + 15], wy);
	ck_assert_int_eq(got.y[11 * 32 + 16], by);
	kmscap_vat_yuv_free(&got);
	free(rgb);
	kmscap_vat_close(&t);
}
END_TEST

/* NV12 -> NV12: out(x, y) = f(x, y) of each plane, from the test's own formulas. */
static void kmscap_vat_yuv_case(unsigned int iw, unsigned int ih, const VARectangle *sr,
				unsigned int ow, unsigned int oh, uint32_t flags,
				int (*ref)(const struct kmscap_vat_frame *in, int plane, int comp,
					   int x, int y))
{
	struct kmscap_vat_frame in, out;
	struct kmscap_vat t;
	VASurfaceID si, so;
	int x, y, c;

	kmscap_vat_open(&t);
	kmscap_vat_frame_gen(&in, iw, ih, 31);
	kmscap_vat_frame_gen(&out, ow, oh, 32);
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, iw, ih, &si, 1, NULL, 0));
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, ow, oh, &so, 1, NULL, 0));
	kmscap_vat_upload(t.dpy, si, &in);
	ck_assert_va_ok(kmscap_vat_vpp(t.dpy, si, so, sr, NULL, flags, 0));
	kmscap_vat_download(t.dpy, so, &out);
	for (y = 0; y < (int)oh; y++)
		for (x = 0; x < (int)ow; x++)
			ck_assert_msg(out.data[y * ow + x] == ref(&in, 0, 0, x, y),
				      "Y at %d,%d: %d, expected %d", x, y, out.data[y * ow + x],
				      ref(&in, 0, 0, x, y));
	for (y = 0; y < (int)oh / 2; y++)
		for (x = 0; x < (int)ow / 2; x++)
			for (c = 0; c < 2; c++)
				ck_assert_msg(out.data[ow * oh + y * ow + 2 * x + c] ==
					      ref(&in, 1, c, x, y), "C%d at %d,%d", c, x, y);
	kmscap_vat_frame_free(&in);
	kmscap_vat_frame_free(&out);
	kmscap_vat_close(&t);
}

static int kmscap_vat_px(const struct kmscap_vat_frame *f, int plane, int comp, int x, int y)
{
	if (!plane)
		return f->data[y * f->width + x];
	return f->data[f->width * f->height + y * f->width + 2 * x + comp];
}

/* crop at (8, 4), 1:1 */
static int kmscap_vat_ref_crop(const struct kmscap_vat_frame *f, int plane, int comp, int x,
			       int y)
{
	if (plane)
		return kmscap_vat_px(f, 1, comp, x + 4, y + 2);
	return kmscap_vat_px(f, 0, 0, x + 8, y + 4);
}

static int kmscap_vat_ref_up2(const struct kmscap_vat_frame *f, int plane, int comp, int x,
			      int y)
{
	return kmscap_vat_px(f, plane, comp, x / 2, y / 2);
}

static int kmscap_vat_ref_down2(const struct kmscap_vat_frame *f, int plane, int comp, int x,
				int y)
{
	return (kmscap_vat_px(f, plane, comp, 2 * x, 2 * y) +
		kmscap_vat_px(f, plane, comp, 2 * x + 1, 2 * y) +
		kmscap_vat_px(f, plane, comp, 2 * x, 2 * y + 1) +
		kmscap_vat_px(f, plane, comp, 2 * x + 1, 2 * y + 1) + 2) / 4;
}

START_TEST(test_vpp_nv12_crop)
{
	VARectangle sr = { .x = 8, .y = 4, .width = 32, .height = 16 };

	kmscap_vat_yuv_case(64, 32, &sr, 32, 16, VA_FILTER_SCALING_FAST, kmscap_vat_ref_crop);
	kmscap_vat_yuv_case(64, 32, &sr, 32, 16, VA_FILTER_SCALING_HQ, kmscap_vat_ref_crop);
}
END_TEST

START_TEST(test_vpp_nv12_scale)
{
	kmscap_vat_yuv_case(32, 16, NULL, 64, 32, VA_FILTER_SCALING_FAST, kmscap_vat_ref_up2);
	kmscap_vat_yuv_case(64, 32, NULL, 32, 16, VA_FILTER_SCALING_DEFAULT,
			    kmscap_vat_ref_down2);
}
END_TEST

/* P010 -> P010 crop at (8, 4), 1:1: the 10-bit samples are copied exactly. */
START_TEST(test_vpp_p010_crop)
{
	VASurfaceAttrib a = {
		.type = VASurfaceAttribPixelFormat, .flags = VA_SURFACE_ATTRIB_SETTABLE,
		.value = { .type = VAGenericValueTypeInteger, .value.i = VA_FOURCC_P010 },
	};
	VARectangle sr = { .x = 8, .y = 4, .width = 16, .height = 8 };
	struct kmscap_vat t;
	VASurfaceID si, so;
	VAImage ii, io;
	uint8_t *pi, *po;
	unsigned int x, y;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420_10, 32, 16, &si, 1, &a, 1));
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420_10, 16, 8, &so, 1, &a, 1));
	ck_assert_va_ok(vaDeriveImage(t.dpy, si, &ii));
	ck_assert_va_ok(vaMapBuffer(t.dpy, ii.buf, (void **)&pi));
	for (y = 0; y < 16; y++)
		for (x = 0; x < 32; x++)
			((uint16_t *)(pi + ii.offsets[0] + y * ii.pitches[0]))[x] =
				((x * 37 + y * 101) % 1024) << 6;
	for (y = 0; y < 8; y++)
		for (x = 0; x < 32; x++)
			((uint16_t *)(pi + ii.offsets[1] + y * ii.pitches[1]))[x] =
				((x * 53 + y * 7 + 300) % 1024) << 6;
	ck_assert_va_ok(kmscap_vat_vpp(t.dpy, si, so, &sr, NULL, VA_FILTER_SCALING_HQ, 0));
	ck_assert_va_ok(vaDeriveImage(t.dpy, so, &io));
	ck_assert_va_ok(vaMapBuffer(t.dpy, io.buf, (void **)&po));
	for (y = 0; y < 8; y++)
		for (x = 0; x < 16; x++)
			ck_assert_uint_eq(((uint16_t *)(po + io.offsets[0] + y * io.pitches[0]))[x],
					  ((uint16_t *)(pi + ii.offsets[0] +
							(y + 4) * ii.pitches[0]))[x + 8]);
	for (y = 0; y < 4; y++)
		for (x = 0; x < 16; x++)
			ck_assert_uint_eq(((uint16_t *)(po + io.offsets[1] + y * io.pitches[1]))[x],
					  ((uint16_t *)(pi + ii.offsets[1] +
							(y + 2) * ii.pitches[1]))[x + 8]);
	vaUnmapBuffer(t.dpy, io.buf);
	vaUnmapBuffer(t.dpy, ii.buf);
	vaDestroyImage(t.dpy, io.image_id);
	vaDestroyImage(t.dpy, ii.image_id);
	kmscap_vat_close(&t);
}
END_TEST

/*
 * The host version of the capture pipeline: an RGB "dma-buf" (memfd) is
 * imported, converted to NV12 by VPP straight into the encoder's input, and
 * encoded; the decoded stream must equal the converted frames, which must
 * equal the reference conversion.
 */
START_TEST(test_vpp_then_encode)
{
	const unsigned int w = 96, h = 64, n = 3;
	struct kmscap_vat_frame frames[3];
	int (*rgb)[3] = kmscap_vat_calloc(w * h, sizeof(*rgb));
	struct kmscap_vat_yuv ref;
	struct kmscap_vat_enc e;
	unsigned int i, k;
	VASurfaceID in;

	kmscap_vat_need_ffmpeg();
	kmscap_vat_enc_open(&e, VAProfileH264Main, w, h, 0, 0);
	for (i = 0; i < n; i++) {
		kmscap_vat_random_rgb(rgb, w * h, 255, 100 + i);
		in = kmscap_vat_rgb_surface(e.t.dpy, 0, (const int (*)[3])rgb, w, h, false);
		ck_assert_va_ok(kmscap_vat_vpp(e.t.dpy, in, e.input, NULL, NULL, 0, 0));
		ck_assert_va_ok(vaDestroySurfaces(e.t.dpy, &in, 1));
		kmscap_vat_frame_gen(&frames[i], w, h, 0);
		kmscap_vat_download(e.t.dpy, e.input, &frames[i]);
		kmscap_vat_ref_convert((const int (*)[3])rgb, w, h, false, &ref);
		for (k = 0; k < w * h; k++)
			ck_assert_int_eq(frames[i].data[k], ref.y[k]);
		for (k = 0; k < w * h / 4; k++) {
			ck_assert_int_eq(frames[i].data[w * h + 2 * k], ref.u[k]);
			ck_assert_int_eq(frames[i].data[w * h + 2 * k + 1], ref.v[k]);
		}
		kmscap_vat_yuv_free(&ref);
		kmscap_vat_enc_defaults(&e, i == 0, 2);
		e.pic.pic_fields.bits.entropy_coding_mode_flag = 1;
		ck_assert_va_ok(kmscap_vat_enc_submit(&e, i == 0, NULL, 0));
	}
	kmscap_vat_check_stream(&e, "vpp_encode", frames, n, "Main", "30");
	for (i = 0; i < n; i++)
		kmscap_vat_frame_free(&frames[i]);
	free(rgb);
	kmscap_vat_enc_close(&e);
}
END_TEST

/*
 * Blending: an NV12 picture copied as the first layer, then an ARGB8888
 * layer (imported from a memfd) placed with output_region, partly outside
 * the output.  The expected samples are computed here in floating point:
 * the layer adds k C and keeps (1 - a) of the picture (k = a = A straight
 * alpha, k = 1, a = A premultiplied, k = a = g global, k = g, a = g A both),
 * converted with BT.709 limited range; chroma from the mean of the 2x2
 * pixels.  Exact, except that a value within 1e-6 of .5 may round either way.
 */
static VAStatus kmscap_vat_vpp_layers(VADisplay dpy, VASurfaceID bg, VASurfaceID layer,
				      VASurfaceID out, const VARectangle *sr,
				      const VARectangle *orr, const VABlendState *bs,
				      const VABlendState *bs0)
{
	VAProcPipelineParameterBuffer p[2];
	VAConfigID cfg;
	VAContextID ctx;
	VABufferID buf[2];
	VAStatus st;

	memset(p, 0, sizeof(p));
	p[0].surface = bg;
	p[0].output_color_standard = VAProcColorStandardBT709;
	p[0].blend_state = bs0;
	p[1].surface = layer;
	p[1].surface_region = sr;
	p[1].output_region = orr;
	p[1].output_color_standard = VAProcColorStandardBT709;
	p[1].blend_state = bs;
	ck_assert_va_ok(vaCreateConfig(dpy, VAProfileNone, VAEntrypointVideoProc, NULL, 0, &cfg));
	ck_assert_va_ok(vaCreateContext(dpy, cfg, 16, 16, 0, &out, 1, &ctx));
	ck_assert_va_ok(vaCreateBuffer(dpy, ctx, VAProcPipelineParameterBufferType, sizeof(p[0]),
				       1, &p[0], &buf[0]));
	ck_assert_va_ok(vaCreateBuffer(dpy, ctx, VAProcPipelineParameterBufferType, sizeof(p[1]),
				       1, &p[1], &buf[1]));
	st = vaBeginPicture(dpy, ctx, out);
	if (st == VA_STATUS_SUCCESS) {
		st = vaRenderPicture(dpy, ctx, buf, 2);
		if (st == VA_STATUS_SUCCESS)
			st = vaEndPicture(dpy, ctx);
		else
			vaEndPicture(dpy, ctx);
	}
	if (st == VA_STATUS_SUCCESS)
		st = vaSyncSurface(dpy, out);
	vaDestroyBuffer(dpy, buf[0]);
	vaDestroyBuffer(dpy, buf[1]);
	vaDestroyContext(dpy, ctx);
	vaDestroyConfig(dpy, cfg);
	return st;
}

static bool kmscap_vat_round_ok(double v, int got, int lo, int hi)
{
	double f = floor(v + 0.5);
	int a = (int)f, b = a;

	if (fabs(v + 0.5 - f) < 1e-6)	/* exactly .5 in exact arithmetic: either */
		b = a - 1;
	a = a < lo ? lo : a > hi ? hi : a;
	b = b < lo ? lo : b > hi ? hi : b;
	return got == a || got == b;
}

#define BL_W 64
#define BL_H 48
#define CU_W 20
#define CU_H 14

static void kmscap_vat_blend_case(const VABlendState *bs, bool has_alpha, int ox, int oy)
{
	static uint32_t px[CU_W * CU_H];
	const double kr = 0.2126, kb = 0.0722, kg = 1 - kr - kb;
	VARectangle sr = { 2, 1, CU_W - 2, CU_H - 1 }, orr = { ox, oy, CU_W - 2, CU_H - 1 };
	unsigned int flags = bs ? bs->flags : 0, i, r = 12345;
	struct kmscap_vat_frame in, out;
	struct kmscap_vat t;
	VASurfaceID si, so, sl;
	double ka[BL_H][BL_W][2], lin[BL_H][BL_W][3], g;
	int x, y, fd, hits = 0;

	kmscap_vat_open(&t);
	for (i = 0; i < CU_W * CU_H; i++) {
		int a, c[3], k;

		r = r * 1103515245 + 12345;
		a = i % 7 == 0 ? 0 : i % 7 == 1 ? 255 : (r >> 8) & 255;
		for (k = 0; k < 3; k++) {
			r = r * 1103515245 + 12345;
			c[k] = (r >> 8) % 256;
			if (flags & VA_BLEND_PREMULTIPLIED_ALPHA)
				c[k] = c[k] * a / 255;	/* a premultiplied colour <= alpha */
		}
		px[i] = (uint32_t)c[2] | c[1] << 8 | c[0] << 16 | (uint32_t)a << 24;
	}
	fd = kmscap_vat_rgb_memfd(px, CU_W, CU_H, CU_W * 4, 0);
	ck_assert_va_ok(kmscap_vat_import_prime2(t.dpy, fd, has_alpha ? DRM_FORMAT_ARGB8888 :
							 DRM_FORMAT_XRGB8888,
						 has_alpha ? VA_FOURCC_BGRA : VA_FOURCC_BGRX, CU_W,
						 CU_H, CU_W * 4, 0, DRM_FORMAT_MOD_LINEAR, &sl));
	close(fd);
	kmscap_vat_frame_gen(&in, BL_W, BL_H, 77);
	kmscap_vat_frame_gen(&out, BL_W, BL_H, 78);
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, BL_W, BL_H, &si, 1, NULL, 0));
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, BL_W, BL_H, &so, 1, NULL, 0));
	kmscap_vat_upload(t.dpy, si, &in);
	ck_assert_va_ok(kmscap_vat_vpp_layers(t.dpy, si, sl, so, &sr, &orr, bs, NULL));
	kmscap_vat_download(t.dpy, so, &out);

	/* per output pixel: k, a and the layer's Y', B - Y', R - Y' (0 outside) */
	g = (flags & VA_BLEND_GLOBAL_ALPHA) ? floor(bs->global_alpha * 255 + 0.5) / 255 : 1;
	memset(ka, 0, sizeof(ka));
	memset(lin, 0, sizeof(lin));
	for (y = 0; y < BL_H; y++) {
		for (x = 0; x < BL_W; x++) {
			int lx = x - ox + sr.x, ly = y - oy + sr.y;
			uint32_t v;
			double R, G, B, A, yp;

			if (x < ox || y < oy || x >= ox + orr.width || y >= oy + orr.height)
				continue;
			v = px[ly * CU_W + lx];
			R = (v >> 16) & 255;
			G = (v >> 8) & 255;
			B = v & 255;
			A = has_alpha ? (v >> 24) / 255.0 : 1;
			if ((flags & VA_BLEND_GLOBAL_ALPHA) &&
			    (flags & VA_BLEND_PREMULTIPLIED_ALPHA)) {
				ka[y][x][0] = g;
				ka[y][x][1] = g * A;
			} else if (flags & VA_BLEND_GLOBAL_ALPHA) {
				ka[y][x][0] = ka[y][x][1] = g;
			} else if (flags & VA_BLEND_PREMULTIPLIED_ALPHA) {
				ka[y][x][0] = 1;
				ka[y][x][1] = A;
			} else {
				ka[y][x][0] = ka[y][x][1] = A;
			}
			yp = kr * R + kg * G + kb * B;
			lin[y][x][0] = yp;
			lin[y][x][1] = B - yp;
			lin[y][x][2] = R - yp;
			hits++;
		}
	}
	ck_assert_int_gt(hits, 0);
	for (y = 0; y < BL_H; y++) {
		for (x = 0; x < BL_W; x++) {
			int d = in.data[y * BL_W + x], got = out.data[y * BL_W + x];
			double e = ka[y][x][1] * 16 + ka[y][x][0] * 219 * lin[y][x][0] / 255 +
				   (1 - ka[y][x][1]) * d;

			ck_assert_msg(kmscap_vat_round_ok(e, got, 0, 255),
				      "flags %#x at %+d,%+d: Y at %d,%d is %d, expected %.4f (picture %d)",
				      flags, ox, oy, x, y, got, e, d);
		}
	}
	for (y = 0; y < BL_H / 2; y++) {
		for (x = 0; x < BL_W / 2; x++) {
			int c;

			for (c = 0; c < 2; c++) {
				size_t o = BL_W * BL_H + y * BL_W + 2 * x + c;
				double e = 0, den = (c ? 2 * (1 - kr) : 2 * (1 - kb)) * 255;
				int d = in.data[o], j;

				for (j = 0; j < 4; j++) {
					int xx = 2 * x + j % 2, yy = 2 * y + j / 2;

					e += ka[yy][xx][1] * 128 +
					     ka[yy][xx][0] * 224 * lin[yy][xx][1 + c] / den +
					     (1 - ka[yy][xx][1]) * d;
				}
				ck_assert_msg(kmscap_vat_round_ok(e / 4, out.data[o], 0, 255),
					      "flags %#x at %+d,%+d: C%d at %d,%d is %d, expected %.4f",
					      flags, ox, oy, c, x, y, out.data[o], e / 4);
			}
		}
	}
	kmscap_vat_frame_free(&in);
	kmscap_vat_frame_free(&out);
	kmscap_vat_close(&t);
}

START_TEST(test_vpp_blend_premultiplied)
{
	VABlendState bs = { .flags = VA_BLEND_PREMULTIPLIED_ALPHA };

	kmscap_vat_blend_case(&bs, true, 10, 6);	/* inside, odd size */
	kmscap_vat_blend_case(&bs, true, -5, 40);	/* clipped left and bottom */
	kmscap_vat_blend_case(&bs, true, 51, -7);	/* clipped right and top */
}
END_TEST

START_TEST(test_vpp_blend_global_alpha)
{
	VABlendState g = { .flags = VA_BLEND_GLOBAL_ALPHA, .global_alpha = 0.3f };
	VABlendState gp = { .flags = VA_BLEND_GLOBAL_ALPHA | VA_BLEND_PREMULTIPLIED_ALPHA,
			    .global_alpha = 0.75f };

	kmscap_vat_blend_case(&g, true, 3, 5);
	kmscap_vat_blend_case(&g, false, -3, -2);
	kmscap_vat_blend_case(&gp, true, 47, 37);
}
END_TEST

/* No blend state: RGB layers are blended with their (straight) per-pixel alpha. */
START_TEST(test_vpp_blend_default)
{
	VABlendState none = { .flags = 0 };

	kmscap_vat_blend_case(NULL, true, 7, 9);
	kmscap_vat_blend_case(&none, true, -1, -1);
	kmscap_vat_blend_case(NULL, false, 30, 20);	/* XRGB: opaque */
}
END_TEST

/* Pipeline caps advertise the blending implemented; invalid blend states. */
START_TEST(test_vpp_blend_rules)
{
	static uint32_t px[16 * 16];
	VABlendState luma = { .flags = VA_BLEND_LUMA_KEY, .min_luma = 0.1f, .max_luma = 0.9f };
	VABlendState big = { .flags = VA_BLEND_GLOBAL_ALPHA, .global_alpha = 1.5f };
	VABlendState nan = { .flags = VA_BLEND_GLOBAL_ALPHA, .global_alpha = NAN };
	VABlendState unk = { .flags = 0x100 };
	VABlendState pm = { .flags = VA_BLEND_PREMULTIPLIED_ALPHA };
	VARectangle r16 = { 0, 0, 16, 16 }, r8 = { 0, 0, 8, 8 }, far = { 100, 100, 16, 16 };
	VAProcPipelineCaps caps;
	struct kmscap_vat t;
	VAConfigID cfg;
	VAContextID ctx;
	VASurfaceID si, so, sa, sx;
	int fd;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaCreateConfig(t.dpy, VAProfileNone, VAEntrypointVideoProc, NULL, 0, &cfg));
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, 32, 32, &si, 1, NULL, 0));
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, 32, 32, &so, 1, NULL, 0));
	ck_assert_va_ok(vaCreateContext(t.dpy, cfg, 32, 32, 0, &so, 1, &ctx));
	memset(&caps, 0, sizeof(caps));
	ck_assert_va_ok(vaQueryVideoProcPipelineCaps(t.dpy, ctx, NULL, 0, &caps));
	ck_assert_uint_eq(caps.blend_flags, VA_BLEND_GLOBAL_ALPHA | VA_BLEND_PREMULTIPLIED_ALPHA);
	vaDestroyContext(t.dpy, ctx);
	vaDestroyConfig(t.dpy, cfg);
	fd = kmscap_vat_rgb_memfd(px, 16, 16, 64, 0);
	ck_assert_va_ok(kmscap_vat_import_prime2(t.dpy, fd, DRM_FORMAT_ARGB8888, VA_FOURCC_BGRA,
						 16, 16, 64, 0, DRM_FORMAT_MOD_LINEAR, &sa));
	ck_assert_va_ok(kmscap_vat_import_prime2(t.dpy, fd, DRM_FORMAT_XRGB8888, VA_FOURCC_BGRX,
						 16, 16, 64, 0, DRM_FORMAT_MOD_LINEAR, &sx));
	close(fd);
#define EINVAL_P VA_STATUS_ERROR_INVALID_PARAMETER
	ck_assert_va(kmscap_vat_vpp_layers(t.dpy, si, sa, so, &r16, &r16, &luma, NULL), EINVAL_P);
	ck_assert_va(kmscap_vat_vpp_layers(t.dpy, si, sa, so, &r16, &r16, &big, NULL), EINVAL_P);
	ck_assert_va(kmscap_vat_vpp_layers(t.dpy, si, sa, so, &r16, &r16, &nan, NULL), EINVAL_P);
	ck_assert_va(kmscap_vat_vpp_layers(t.dpy, si, sa, so, &r16, &r16, &unk, NULL), EINVAL_P);
	/* premultiplied alpha needs an alpha channel */
	ck_assert_va(kmscap_vat_vpp_layers(t.dpy, si, sx, so, &r16, &r16, &pm, NULL), EINVAL_P);
	/* blending the first layer onto the background is not implemented */
	ck_assert_va(kmscap_vat_vpp_layers(t.dpy, si, sa, so, &r16, &r16, &pm, &pm), EINVAL_P);
	/* layers are not scaled */
	ck_assert_va(kmscap_vat_vpp_layers(t.dpy, si, sa, so, &r16, &r8, &pm, NULL),
		     VA_STATUS_ERROR_UNIMPLEMENTED);
	/* the layer's surface region must lie in the layer */
	ck_assert_va(kmscap_vat_vpp_layers(t.dpy, si, sa, so, &far, &r16, &pm, NULL), EINVAL_P);
	/* an NV12 layer is not blended */
	ck_assert_va(kmscap_vat_vpp_layers(t.dpy, si, si, so, &r16, &r16, NULL, NULL),
		     VA_STATUS_ERROR_UNIMPLEMENTED);
	/* an output region wholly outside is fine: nothing to draw */
	ck_assert_va_ok(kmscap_vat_vpp_layers(t.dpy, si, sa, so, &r16, &far, &pm, NULL));
#undef EINVAL_P
	kmscap_vat_close(&t);
}
END_TEST

Suite *kmscap_vat_suite_vpp(void)
{
	Suite *s = suite_create("vpp");

#define ADD(fn) KMSCAP_VAT_ADD(s, fn, 60)
	ADD(test_vpp_rgb_to_nv12);
	ADD(test_vpp_rgb10_to_p010);
	ADD(test_vpp_rgb10_to_nv12);
	ADD(test_vpp_known_colours);
	ADD(test_vpp_crop_scale_nearest);
	ADD(test_vpp_scale_bilinear);
	ADD(test_vpp_background);
	ADD(test_vpp_nv12_crop);
	ADD(test_vpp_nv12_scale);
	ADD(test_vpp_p010_crop);
	ADD(test_vpp_then_encode);
	ADD(test_vpp_blend_premultiplied);
	ADD(test_vpp_blend_global_alpha);
	ADD(test_vpp_blend_default);
	ADD(test_vpp_blend_rules);
#undef ADD
	return s;
}
