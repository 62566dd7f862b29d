// SPDX-License-Identifier: MIT
/*
 * vpp_row.c - the VPP's pixel work a row at a time, in integer fixed point
 * with no division: every value is one 64-bit multiply, add and shift.
 * The 1:1 conversion (a capture at its own size, the common case) is one
 * pass over each row pair, two pixels a load, two values a store, the 2x2
 * sums in registers.  Scaled conversion fetches a row pair into int32
 * R, G, B arrays through per-column positions and weights computed once a
 * frame (bilinear: a horizontal pass per source row, then a vertical one),
 * then computes luma per row and chroma from the 2x2 sums.
 *
 * The results are exactly those of the formulas in vpp.c: test_vpp_rows
 * checks every kernel below over its whole input range and whole pictures
 * against the per-pixel reference tests/vpp_ref.c.  (The loops vectorise
 * with -O3, but under qemu TCG, where the demo and the bench run, the SSE
 * code was about twice as slow as this scalar code: the default -O2.)
 */
#include <stdlib.h>
#include <string.h>

#include "vpp_row.h"

#define KMSCAP_VA_INLINE static inline __attribute__((always_inline))

/* Source depth and output scale: 8-bit RGB -> NV12, RGB10 -> NV12, RGB10 -> P010. */
enum kmscap_va_cmode { KMSCAP_VA_C8, KMSCAP_VA_C10, KMSCAP_VA_C10P };

/*
 * Each value is a quotient rounded half up, floor((a x + b) / d), of one
 * integer x, for every x of a known range.  It is computed as
 * (x M + C) >> S in 64 bits, with M, C and S chosen (by a search over S)
 * so that the two agree on the whole range; test_vpp_rows checks every x
 * against the reference formula, clamps included: no value needs one.
 */

/*
 * Y of one pixel from yn = 2126 R + 7152 G + 722 B (0..10000 max):
 * 16 s + round(219 s yn / (10000 max)) = 16 s + floor((219 yn + b) / d) with
 * b / d = 1275000 / 2550000 (C8), 5115000 / 10230000 (C10), 1278750 / 2557500
 * (C10P: 876 yn / 10230000 = 219 yn / 2557500).
 */
KMSCAP_VA_INLINE int32_t kmscap_va_y_of(uint32_t yn, enum kmscap_va_cmode m)
{
	switch (m) {
	case KMSCAP_VA_C8:
		return 16 + (int32_t)(((uint64_t)yn * 47214323u + 274877838856u) >> 39);
	case KMSCAP_VA_C10:
		return 16 + (int32_t)(((uint64_t)yn * 94151729u + 2199022965848u) >> 42);
	default:
		return 64 + (int32_t)(((uint64_t)yn * 376606915u + 2199026396110u) >> 42);
	}
}

/*
 * Cb from u = 10000 B - yn = 9278 B - 2126 R - 7152 G of the sum of the 4
 * pixels (|u| <= 9278 * 4 max): 128 s + round(224 s u / (4 max 18556)).
 * 224 u / (4 255 18556) = 14 u / 1182945, 224 u / (4 1023 18556) =
 * 14 u / 4745697, 896 u / (4 1023 18556) = 56 u / 4745697; and
 * round(n / d) + 128 s = floor((2 n + d + 256 s d) / 2 d), always > 0.
 */
KMSCAP_VA_INLINE int32_t kmscap_va_cb_of(int32_t u, enum kmscap_va_cmode m)
{
	switch (m) {
	case KMSCAP_VA_C8:	/* (28 u + 257 1182945) / (2 1182945) */
		return (int32_t)(((int64_t)u * 104100615 + 1130297952023040) >> 43);
	case KMSCAP_VA_C10:	/* (28 u + 257 4745697) / (2 4745697) */
		return (int32_t)(((int64_t)u * 830362679 + 36169534482935837) >> 48);
	default:		/* (112 u + 1025 4745697) / (2 4745697) */
		return (int32_t)(((int64_t)u * 830362679 + 36063981388595600) >> 46);
	}
}

/*
 * Cr from v = 10000 R - yn = 7874 R - 7152 G - 722 B of the sum of the 4
 * pixels (|v| <= 7874 * 4 max): 128 s + round(224 s v / (4 max 15748)):
 * 14 v / 1003935, 14 v / 4027551, 56 v / 4027551.
 */
KMSCAP_VA_INLINE int32_t kmscap_va_cr_of(int32_t v, enum kmscap_va_cmode m)
{
	switch (m) {
	case KMSCAP_VA_C8:	/* (28 v + 257 1003935) / (2 1003935) */
		return (int32_t)(((int64_t)v * 122662625 + 1130297949848700) >> 43);
	case KMSCAP_VA_C10:	/* (28 v + 257 4027551) / (2 4027551) */
		return (int32_t)(((int64_t)v * 244605821 + 9042383621833942) >> 46);
	default:		/* (112 v + 1025 4027551) / (2 4027551) */
		return (int32_t)(((int64_t)v * 1956846567 + 72127962765626411) >> 47);
	}
}

/* The kernels, out of line for the test's exhaustive check. */
int kmscap_va_row_y(uint32_t yn, int mode)
{
	return mode == 0 ? kmscap_va_y_of(yn, KMSCAP_VA_C8) :
	       mode == 1 ? kmscap_va_y_of(yn, KMSCAP_VA_C10) : kmscap_va_y_of(yn, KMSCAP_VA_C10P);
}

int kmscap_va_row_cb(int32_t u, int mode)
{
	return mode == 0 ? kmscap_va_cb_of(u, KMSCAP_VA_C8) :
	       mode == 1 ? kmscap_va_cb_of(u, KMSCAP_VA_C10) : kmscap_va_cb_of(u, KMSCAP_VA_C10P);
}

int kmscap_va_row_cr(int32_t v, int mode)
{
	return mode == 0 ? kmscap_va_cr_of(v, KMSCAP_VA_C8) :
	       mode == 1 ? kmscap_va_cr_of(v, KMSCAP_VA_C10) : kmscap_va_cr_of(v, KMSCAP_VA_C10P);
}

/* One pixel's R, G, B. */
KMSCAP_VA_INLINE void kmscap_va_px(enum kmscap_va_rgbfmt fmt, uint32_t w, int32_t *r,
				   int32_t *g, int32_t *b)
{
	switch (fmt) {
	case KMSCAP_VA_BGRX8:
		*r = (w >> 16) & 0xff, *g = (w >> 8) & 0xff, *b = w & 0xff;
		break;
	case KMSCAP_VA_RGBX8:
		*r = w & 0xff, *g = (w >> 8) & 0xff, *b = (w >> 16) & 0xff;
		break;
	case KMSCAP_VA_XRGB10:
		*r = (w >> 20) & 0x3ff, *g = (w >> 10) & 0x3ff, *b = w & 0x3ff;
		break;
	default:
		*r = w & 0x3ff, *g = (w >> 10) & 0x3ff, *b = (w >> 20) & 0x3ff;
		break;
	}
}

/* n pixels of p into r, g, b. */
KMSCAP_VA_INLINE void kmscap_va_unpack_fmt(enum kmscap_va_rgbfmt fmt, const uint8_t *p, int n,
					   int32_t *r, int32_t *g, int32_t *b)
{
	int i;

	for (i = 0; i < n; i++) {
		uint32_t w;

		memcpy(&w, p + 4 * i, 4);	/* little-endian, as the formats are */
		kmscap_va_px(fmt, w, &r[i], &g[i], &b[i]);
	}
}

static void kmscap_va_unpack(enum kmscap_va_rgbfmt fmt, const uint8_t *p, int n, int32_t *r,
			     int32_t *g, int32_t *b)
{
	switch (fmt) {
	case KMSCAP_VA_BGRX8:
		kmscap_va_unpack_fmt(KMSCAP_VA_BGRX8, p, n, r, g, b);
		break;
	case KMSCAP_VA_RGBX8:
		kmscap_va_unpack_fmt(KMSCAP_VA_RGBX8, p, n, r, g, b);
		break;
	case KMSCAP_VA_XRGB10:
		kmscap_va_unpack_fmt(KMSCAP_VA_XRGB10, p, n, r, g, b);
		break;
	default:
		kmscap_va_unpack_fmt(KMSCAP_VA_XBGR10, p, n, r, g, b);
		break;
	}
}

KMSCAP_VA_INLINE void kmscap_va_luma_row_m(const int32_t *r, const int32_t *g, const int32_t *b,
					   int n, uint8_t *out, enum kmscap_va_cmode m)
{
	int i;

	for (i = 0; i < n; i++) {
		int32_t y = kmscap_va_y_of((uint32_t)(2126 * r[i] + 7152 * g[i] + 722 * b[i]), m);

		if (m == KMSCAP_VA_C10P) {
			uint16_t w = (uint16_t)(y << 6);

			memcpy(out + 2 * i, &w, 2);
		} else {
			out[i] = (uint8_t)y;
		}
	}
}

/* Chroma of n 2x2 blocks from the row pair (r0, g0, b0), (r1, g1, b1). */
KMSCAP_VA_INLINE void kmscap_va_chroma_row_m(const int32_t *r0, const int32_t *g0,
					     const int32_t *b0, const int32_t *r1,
					     const int32_t *g1, const int32_t *b1, int n,
					     uint8_t *out, enum kmscap_va_cmode m)
{
	int i;

	for (i = 0; i < n; i++) {
		int32_t r = r0[2 * i] + r0[2 * i + 1] + r1[2 * i] + r1[2 * i + 1];
		int32_t g = g0[2 * i] + g0[2 * i + 1] + g1[2 * i] + g1[2 * i + 1];
		int32_t b = b0[2 * i] + b0[2 * i + 1] + b1[2 * i] + b1[2 * i + 1];
		int32_t cb = kmscap_va_cb_of(9278 * b - 2126 * r - 7152 * g, m);
		int32_t cr = kmscap_va_cr_of(7874 * r - 7152 * g - 722 * b, m);

		if (m == KMSCAP_VA_C10P) {
			uint16_t w[2] = { (uint16_t)(cb << 6), (uint16_t)(cr << 6) };

			memcpy(out + 4 * i, w, 4);
		} else {
			out[2 * i] = (uint8_t)cb;
			out[2 * i + 1] = (uint8_t)cr;
		}
	}
}

static void kmscap_va_luma_row(const int32_t *r, const int32_t *g, const int32_t *b, int n,
			       uint8_t *out, enum kmscap_va_cmode m)
{
	if (m == KMSCAP_VA_C8)
		kmscap_va_luma_row_m(r, g, b, n, out, KMSCAP_VA_C8);
	else if (m == KMSCAP_VA_C10)
		kmscap_va_luma_row_m(r, g, b, n, out, KMSCAP_VA_C10);
	else
		kmscap_va_luma_row_m(r, g, b, n, out, KMSCAP_VA_C10P);
}

static void kmscap_va_chroma_row(int32_t *const *r, int32_t *const *g, int32_t *const *b,
				 int n, uint8_t *out, enum kmscap_va_cmode m)
{
	if (m == KMSCAP_VA_C8)
		kmscap_va_chroma_row_m(r[0], g[0], b[0], r[1], g[1], b[1], n, out, KMSCAP_VA_C8);
	else if (m == KMSCAP_VA_C10)
		kmscap_va_chroma_row_m(r[0], g[0], b[0], r[1], g[1], b[1], n, out, KMSCAP_VA_C10);
	else
		kmscap_va_chroma_row_m(r[0], g[0], b[0], r[1], g[1], b[1], n, out,
				       KMSCAP_VA_C10P);
}

/* Two horizontally adjacent values, at p (8 or 16 bits each, P010: value << 6). */
KMSCAP_VA_INLINE void kmscap_va_store2(uint8_t *p, int32_t a, int32_t b, enum kmscap_va_cmode m)
{
	if (m == KMSCAP_VA_C10P) {
		uint32_t w = (uint32_t)a << 6 | (uint32_t)b << 22;	/* little-endian */

		memcpy(p, &w, 4);
	} else {
		uint16_t w = (uint16_t)(a | b << 8);

		memcpy(p, &w, 2);
	}
}

#define KMSCAP_VA_YN(p) ((uint32_t)(2126 * r##p + 7152 * g##p + 722 * b##p))

/*
 * The 1:1 case in one pass over a row pair (s0, s1 the source rows at the
 * region's left edge, w even): per 2x2 block its four Y, and Cb and Cr from
 * its sums, in registers, two pixels a load and two values a store.
 */
KMSCAP_VA_INLINE void kmscap_va_pair_m(enum kmscap_va_rgbfmt fmt, const uint8_t *s0,
				       const uint8_t *s1, int w, uint8_t *y0, uint8_t *y1,
				       uint8_t *c, enum kmscap_va_cmode m)
{
	int bpp = m == KMSCAP_VA_C10P ? 2 : 1, i;

	for (i = 0; i < w / 2; i++) {
		int32_t r0, g0, b0, r1, g1, b1, sr, sg, sb;
		uint64_t p;

		/* the top pair, then the bottom pair, keeping only the sums */
		memcpy(&p, s0 + 8 * i, 8);
		kmscap_va_px(fmt, (uint32_t)p, &r0, &g0, &b0);
		kmscap_va_px(fmt, (uint32_t)(p >> 32), &r1, &g1, &b1);
		kmscap_va_store2(y0 + 2 * bpp * i, kmscap_va_y_of(KMSCAP_VA_YN(0), m),
				 kmscap_va_y_of(KMSCAP_VA_YN(1), m), m);
		sr = r0 + r1;
		sg = g0 + g1;
		sb = b0 + b1;
		memcpy(&p, s1 + 8 * i, 8);
		kmscap_va_px(fmt, (uint32_t)p, &r0, &g0, &b0);
		kmscap_va_px(fmt, (uint32_t)(p >> 32), &r1, &g1, &b1);
		kmscap_va_store2(y1 + 2 * bpp * i, kmscap_va_y_of(KMSCAP_VA_YN(0), m),
				 kmscap_va_y_of(KMSCAP_VA_YN(1), m), m);
		sr += r0 + r1;
		sg += g0 + g1;
		sb += b0 + b1;
		kmscap_va_store2(c + 2 * bpp * i, kmscap_va_cb_of(9278 * sb - 2126 * sr - 7152 * sg, m),
				 kmscap_va_cr_of(7874 * sr - 7152 * sg - 722 * sb, m), m);
	}
}

#undef KMSCAP_VA_YN

static void kmscap_va_pair(enum kmscap_va_rgbfmt fmt, bool p010, const uint8_t *s0,
			   const uint8_t *s1, int w, uint8_t *y0, uint8_t *y1, uint8_t *c)
{
	switch (fmt) {
	case KMSCAP_VA_BGRX8:
		kmscap_va_pair_m(KMSCAP_VA_BGRX8, s0, s1, w, y0, y1, c, KMSCAP_VA_C8);
		break;
	case KMSCAP_VA_RGBX8:
		kmscap_va_pair_m(KMSCAP_VA_RGBX8, s0, s1, w, y0, y1, c, KMSCAP_VA_C8);
		break;
	case KMSCAP_VA_XRGB10:
		if (p010)
			kmscap_va_pair_m(KMSCAP_VA_XRGB10, s0, s1, w, y0, y1, c, KMSCAP_VA_C10P);
		else
			kmscap_va_pair_m(KMSCAP_VA_XRGB10, s0, s1, w, y0, y1, c, KMSCAP_VA_C10);
		break;
	default:
		if (p010)
			kmscap_va_pair_m(KMSCAP_VA_XBGR10, s0, s1, w, y0, y1, c, KMSCAP_VA_C10P);
		else
			kmscap_va_pair_m(KMSCAP_VA_XBGR10, s0, s1, w, y0, y1, c, KMSCAP_VA_C10);
		break;
	}
}

/*
 * Where output position o of on samples comes from in a span of in
 * samples: the nearest sample, or (bilinear) samples i0, i1 and the weight
 * w (0..255) of i1, from the centre-aligned mapping in 1/256 units.
 */
static void kmscap_va_map(int o, int on, int in, bool bilinear, int32_t *i0, int32_t *i1,
			  int32_t *w)
{
	int64_t f;

	if (!bilinear) {
		*i0 = *i1 = (int32_t)(((2 * (int64_t)o + 1) * in) / (2 * (int64_t)on));
		*w = 0;
		return;
	}
	f = ((2 * (int64_t)o + 1) * in * 256) / (2 * (int64_t)on) - 128;
	f = f < 0 ? 0 : f > (int64_t)(in - 1) * 256 ? (int64_t)(in - 1) * 256 : f;
	*i0 = (int32_t)(f >> 8);
	*i1 = *i0 + 1 < in ? *i0 + 1 : *i0;
	*w = (int32_t)(f & 255);
}

/* Horizontal pass of one channel: h[o] = s[x0] (256 - wx) + s[x1] wx. */
static void kmscap_va_hpass(const int32_t *s, const int32_t *x0, const int32_t *x1,
			    const int32_t *wx, int n, int32_t *h)
{
	int i;

	for (i = 0; i < n; i++)
		h[i] = s[x0[i]] * (256 - wx[i]) + s[x1[i]] * wx[i];
}

/* Vertical pass: (a (256 - wy) + b wy + 32768) >> 16 into d. */
static void kmscap_va_vpass(const int32_t *a, const int32_t *b, int32_t wy, int n, int32_t *d)
{
	int i;

	for (i = 0; i < n; i++)
		d[i] = (a[i] * (256 - wy) + b[i] * wy + 32768) >> 16;
}

static void kmscap_va_gather(const int32_t *s, const int32_t *x0, int n, int32_t *d)
{
	int i;

	for (i = 0; i < n; i++)
		d[i] = s[x0[i]];
}

/*
 * A source row resampled horizontally to the output's width (nearest:
 * gathered; bilinear: s[x0] (256 - wx) + s[x1] wx), R, G, B.  Two are kept,
 * so that output rows sharing source rows fetch each only once.
 */
struct kmscap_va_hrow {
	int32_t y;		/* source row, -1: none */
	int32_t *c[3];
};

struct kmscap_va_scaler {
	const struct kmscap_va_img *src;
	enum kmscap_va_rgbfmt fmt;
	const VARectangle *sr;
	bool bilinear;
	int w;
	const int32_t *x0, *x1, *wx;
	int32_t *s[3];			/* a source row, sr->width wide */
	struct kmscap_va_hrow row[2];
};

/* Source row y resampled, computed into the slot not holding row keep unless cached. */
static struct kmscap_va_hrow *kmscap_va_hrow_get(struct kmscap_va_scaler *z, int32_t y,
						 int32_t keep)
{
	struct kmscap_va_hrow *h;
	int i;

	for (i = 0; i < 2; i++)
		if (z->row[i].y == y)
			return &z->row[i];
	h = &z->row[z->row[0].y == keep ? 1 : 0];
	kmscap_va_unpack(z->fmt, z->src->data + z->src->offset[0] + 4 * (size_t)z->sr->x +
			 (size_t)(z->sr->y + y) * z->src->pitch[0], z->sr->width,
			 z->s[0], z->s[1], z->s[2]);
	for (i = 0; i < 3; i++) {
		if (z->bilinear)
			kmscap_va_hpass(z->s[i], z->x0, z->x1, z->wx, z->w, h->c[i]);
		else
			kmscap_va_gather(z->s[i], z->x0, z->w, h->c[i]);
	}
	h->y = y;
	return h;
}

int kmscap_va_convert_rgb(const struct kmscap_va_img *src, enum kmscap_va_rgbfmt fmt,
			  struct kmscap_va_img *dst, bool p010, const VARectangle *sr,
			  const VARectangle *orr, bool bilinear)
{
	enum kmscap_va_cmode m = fmt < KMSCAP_VA_XRGB10 ? KMSCAP_VA_C8 :
				 p010 ? KMSCAP_VA_C10P : KMSCAP_VA_C10;
	int w = orr->width, h = orr->height, sw = sr->width, bpp = p010 ? 2 : 1;
	bool same = sr->width == orr->width && sr->height == orr->height;
	struct kmscap_va_scaler z = {
		.src = src, .fmt = fmt, .sr = sr, .bilinear = bilinear, .w = w,
		.row = { { .y = -1 }, { .y = -1 } },
	};
	int32_t *mem, *rgb[2][3], *x0, *x1, *wx;
	int y, k, i;

	if (same) {	/* one pass per row pair, straight from the source */
		for (y = 0; y < h; y += 2) {
			uint8_t *yp = dst->data + dst->offset[0] +
				      (size_t)(orr->y + y) * dst->pitch[0] + bpp * orr->x;
			uint8_t *cp = dst->data + dst->offset[1] +
				      (size_t)((orr->y + y) / 2) * dst->pitch[1] + bpp * orr->x;
			const uint8_t *s0 = src->data + src->offset[0] + 4 * (size_t)sr->x +
					    (size_t)(sr->y + y) * src->pitch[0];

			kmscap_va_pair(fmt, p010, s0, s0 + src->pitch[0], w, yp,
				       yp + dst->pitch[0], cp);
		}
		return 0;
	}
	/* 2 rows of r, g, b; x0, x1, wx; 2 resampled source rows; a source row */
	mem = malloc(((size_t)15 * w + (size_t)3 * sw) * sizeof(*mem));
	if (!mem)
		return -1;
	for (i = 0; i < 6; i++)
		rgb[i / 3][i % 3] = mem + (size_t)i * w;
	x0 = mem + 6 * (size_t)w;
	x1 = mem + 7 * (size_t)w;
	wx = mem + 8 * (size_t)w;
	for (i = 0; i < 6; i++)
		z.row[i / 3].c[i % 3] = mem + (9 + (size_t)i) * w;
	for (i = 0; i < 3; i++)
		z.s[i] = mem + 15 * (size_t)w + (size_t)i * sw;
	z.x0 = x0;
	z.x1 = x1;
	z.wx = wx;
	for (i = 0; i < w; i++)
		kmscap_va_map(i, w, sw, bilinear, &x0[i], &x1[i], &wx[i]);
	for (y = 0; y < h; y += 2) {
		uint8_t *yp = dst->data + dst->offset[0] + (size_t)(orr->y + y) * dst->pitch[0] +
			      bpp * orr->x;
		uint8_t *cp = dst->data + dst->offset[1] +
			      (size_t)((orr->y + y) / 2) * dst->pitch[1] + bpp * orr->x;
		int32_t *r[2], *g[2], *b[2];

		for (k = 0; k < 2; k++) {
			struct kmscap_va_hrow *a, *c;
			int32_t y0, y1, wy;

			kmscap_va_map(y + k, h, sr->height, bilinear, &y0, &y1, &wy);
			a = kmscap_va_hrow_get(&z, y0, y1);
			c = kmscap_va_hrow_get(&z, y1, y0);
			for (i = 0; i < 3; i++) {
				if (bilinear)
					kmscap_va_vpass(a->c[i], c->c[i], wy, w, rgb[k][i]);
				else
					memcpy(rgb[k][i], a->c[i], (size_t)w * sizeof(int32_t));
			}
			r[k] = rgb[k][0];
			g[k] = rgb[k][1];
			b[k] = rgb[k][2];
		}
		kmscap_va_luma_row(r[0], g[0], b[0], w, yp, m);
		kmscap_va_luma_row(r[1], g[1], b[1], w, yp + dst->pitch[0], m);
		kmscap_va_chroma_row(r, g, b, w / 2, cp, m);
	}
	free(mem);
	return 0;
}

void kmscap_va_fill_yuv(struct kmscap_va_img *dst, bool p010, uint32_t argb)
{
	enum kmscap_va_cmode m = p010 ? KMSCAP_VA_C10P : KMSCAP_VA_C8;
	int32_t r = (argb >> 16) & 0xff, g = (argb >> 8) & 0xff, b = argb & 0xff;
	int32_t c[3][2], *pr[2] = { c[0], c[0] }, *pg[2] = { c[1], c[1] },
		*pb[2] = { c[2], c[2] };
	uint8_t *yrow = dst->data + dst->offset[0], *crow = dst->data + dst->offset[1];
	int w = dst->width, bpp = p010 ? 2 : 1, x, y;
	uint8_t ypix[2], cpix[4];

	if (p010) {
		r = r << 2 | r >> 6;
		g = g << 2 | g >> 6;
		b = b << 2 | b >> 6;
	}
	c[0][0] = c[0][1] = r;
	c[1][0] = c[1][1] = g;
	c[2][0] = c[2][1] = b;
	/* one pixel and one 2x2 block of the colour, the first row of each plane, copies */
	kmscap_va_luma_row(c[0], c[1], c[2], 1, ypix, m);
	kmscap_va_chroma_row(pr, pg, pb, 1, cpix, m);
	if (!dst->height)
		return;
	for (x = 0; x < w; x++)
		memcpy(yrow + bpp * x, ypix, bpp);
	for (x = 0; x < w / 2 && dst->height >= 2; x++)
		memcpy(crow + 2 * bpp * x, cpix, 2 * bpp);
	for (y = 1; y < (int)dst->height; y++)
		memcpy(yrow + (size_t)y * dst->pitch[0], yrow, (size_t)bpp * w);
	for (y = 1; y < (int)dst->height / 2; y++)
		memcpy(crow + (size_t)y * dst->pitch[1], crow, (size_t)bpp * (w / 2) * 2);
}

/* n / d rounded half up, d > 0 (a constant where inlined) */
KMSCAP_VA_INLINE int64_t kmscap_va_div_round64(int64_t n, int64_t d)
{
	int64_t q = 2 * n + d, dd = 2 * d;

	return q >= 0 ? q / dd : -((-q + dd - 1) / dd);
}

/*
 * The blend (formulas in vpp.c) a row pair at a time: per pixel of a row
 * its weights k and a (in 1/65025), its new Y, and the sums Cb and Cr need;
 * then per 2x2 block the new Cb, Cr from the sums over the block's pixels
 * inside the clipped region (the others have k = a = 0).
 */
int kmscap_va_blend_rgb(const struct kmscap_va_img *src, enum kmscap_va_rgbfmt fmt,
			 bool has_alpha, struct kmscap_va_img *dst, const VARectangle *sr,
			 const VARectangle *orr, enum kmscap_va_blend_mode mode, int G)
{
	const int64_t dy = 255 * 10000, dcb = 255 * 18556, dcr = 255 * 15748;
	int x0, y0, x1, y1, bx0, nb, n, y, j, i;
	int32_t *mem, *r, *g, *b, *a[2];
	int64_t *kb[2], *kr[2];

	x0 = orr->x < 0 ? 0 : orr->x;
	y0 = orr->y < 0 ? 0 : orr->y;
	x1 = orr->x + orr->width > (int)dst->width ? (int)dst->width : orr->x + orr->width;
	y1 = orr->y + orr->height > (int)dst->height ? (int)dst->height : orr->y + orr->height;
	if (x0 >= x1 || y0 >= y1)
		return 0;
	/* whole 2x2 blocks from column bx0; pixel i of a row is column bx0 + i */
	bx0 = x0 & ~1;
	nb = (x1 - bx0 + 1) / 2;
	n = x1 - x0;
	mem = calloc((size_t)nb * 2 * (3 + 2 + 4 * 2), sizeof(*mem));
	if (!mem)
		return -1;
	r = mem;
	g = r + 2 * nb;
	b = g + 2 * nb;
	a[0] = b + 2 * nb;
	a[1] = a[0] + 2 * nb;
	kb[0] = (int64_t *)(void *)(a[1] + 2 * nb);
	kb[1] = kb[0] + 2 * nb;
	kr[0] = kb[1] + 2 * nb;
	kr[1] = kr[0] + 2 * nb;
	for (y = y0 & ~1; y < y1; y += 2) {
		uint8_t *cp = dst->data + dst->offset[1] + (size_t)(y / 2) * dst->pitch[1];

		for (j = 0; j < 2; j++) {
			int py = y + j, ly = sr->y + py - orr->y, off = x0 - bx0;
			const uint8_t *lrow = src->data + src->offset[0] +
					      (size_t)ly * src->pitch[0] +
					      4 * (size_t)(sr->x + x0 - orr->x);
			uint8_t *yp = dst->data + dst->offset[0] + (size_t)py * dst->pitch[0] + x0;

			memset(a[j], 0, 2 * nb * sizeof(*a[j]));
			memset(kb[j], 0, 2 * nb * sizeof(*kb[j]));
			memset(kr[j], 0, 2 * nb * sizeof(*kr[j]));
			if (py < y0 || py >= y1)
				continue;
			kmscap_va_unpack(fmt, lrow, n, r, g, b);
			for (i = 0; i < n; i++) {
				int32_t A = has_alpha ? lrow[4 * i + 3] : 255, k, wa;
				int64_t yn = 2126 * r[i] + 7152 * g[i] + 722 * b[i], v;

				switch (mode) {
				case KMSCAP_VA_BLEND_PREMULT_GLOBAL:
					k = 255 * G, wa = G * A;
					break;
				case KMSCAP_VA_BLEND_GLOBAL:
					k = 255 * G, wa = 255 * G;
					break;
				case KMSCAP_VA_BLEND_PREMULT:
					k = 65025, wa = 255 * A;
					break;
				default:
					k = 255 * A, wa = 255 * A;
					break;
				}
				/* all terms >= 0, 65025 dy even */
				v = (int64_t)wa * 16 * dy + (int64_t)k * 219 * yn +
				    (int64_t)(65025 - wa) * yp[i] * dy;
				v = (uint64_t)(v + 65025 * dy / 2) / (uint64_t)(65025 * dy);
				yp[i] = (uint8_t)(v > 255 ? 255 : v);
				a[j][off + i] = wa;
				kb[j][off + i] = (int64_t)k * 224 * (10000 * b[i] - yn);
				kr[j][off + i] = (int64_t)k * 224 * (10000 * r[i] - yn);
			}
		}
		for (i = 0; i < nb; i++) {
			int64_t sa = a[0][2 * i] + a[0][2 * i + 1] + a[1][2 * i] + a[1][2 * i + 1];
			int64_t skb = kb[0][2 * i] + kb[0][2 * i + 1] + kb[1][2 * i] +
				      kb[1][2 * i + 1];
			int64_t skr = kr[0][2 * i] + kr[0][2 * i + 1] + kr[1][2 * i] +
				      kr[1][2 * i + 1];
			uint8_t *c = cp + bx0 + 2 * i;
			int64_t cb = c[0], cr = c[1];

			cb = kmscap_va_div_round64(4 * 65025 * dcb * cb + sa * (128 - cb) * dcb + skb,
						   4 * 65025 * dcb);
			cr = kmscap_va_div_round64(4 * 65025 * dcr * cr + sa * (128 - cr) * dcr + skr,
						   4 * 65025 * dcr);
			c[0] = (uint8_t)(cb < 0 ? 0 : cb > 255 ? 255 : cb);
			c[1] = (uint8_t)(cr < 0 ? 0 : cr > 255 ? 255 : cr);
		}
	}
	free(mem);
	return 0;
}

/* Sample i (an element index in the row) of an 8-bit or P010 row. */
KMSCAP_VA_INLINE int32_t kmscap_va_yuv_at(const uint8_t *row, int32_t i, bool p010)
{
	uint16_t v;

	if (!p010)
		return row[i];
	memcpy(&v, row + 2 * i, 2);
	return v >> 6;
}

/*
 * One plane (0: Y; 1: component comp of the interleaved CbCr) of a YUV
 * crop and scale: per-column element indices and weights once, then per
 * output row its one or two source rows.
 */
static void kmscap_va_scale_plane(const struct kmscap_va_img *src, struct kmscap_va_img *dst,
				  bool p010, int plane, int comp, const VARectangle *sr,
				  const VARectangle *orr, bool bilinear, int32_t *mem)
{
	int32_t *i0 = mem, *i1 = mem + orr->width, *wx = mem + 2 * orr->width;
	int step = plane ? 2 : 1, ox, oy;

	for (ox = 0; ox < orr->width; ox++) {
		kmscap_va_map(ox, orr->width, sr->width, bilinear, &i0[ox], &i1[ox], &wx[ox]);
		i0[ox] = step * (sr->x + i0[ox]) + comp;
		i1[ox] = step * (sr->x + i1[ox]) + comp;
	}
	for (oy = 0; oy < orr->height; oy++) {
		const uint8_t *base = src->data + src->offset[plane];
		uint8_t *out = dst->data + dst->offset[plane] + (size_t)(orr->y + oy) * dst->pitch[plane];
		int32_t y0, y1, wy, o = step * orr->x + comp;
		const uint8_t *r0, *r1;

		kmscap_va_map(oy, orr->height, sr->height, bilinear, &y0, &y1, &wy);
		r0 = base + (size_t)(sr->y + y0) * src->pitch[plane];
		r1 = base + (size_t)(sr->y + y1) * src->pitch[plane];
		for (ox = 0; ox < orr->width; ox++, o += step) {
			int32_t v = kmscap_va_yuv_at(r0, i0[ox], p010);

			if (bilinear) {
				int32_t a = v, b = kmscap_va_yuv_at(r0, i1[ox], p010);
				int32_t c = kmscap_va_yuv_at(r1, i0[ox], p010);
				int32_t d = kmscap_va_yuv_at(r1, i1[ox], p010);

				v = ((a * (256 - wx[ox]) + b * wx[ox]) * (256 - wy) +
				     (c * (256 - wx[ox]) + d * wx[ox]) * wy + 32768) >> 16;
			}
			if (p010) {
				uint16_t w = (uint16_t)(v << 6);

				memcpy(out + 2 * o, &w, 2);
			} else {
				out[o] = (uint8_t)v;
			}
		}
	}
}

int kmscap_va_scale_yuv(const struct kmscap_va_img *src, struct kmscap_va_img *dst, bool p010,
			const VARectangle *sr, const VARectangle *orr, bool bilinear)
{
	VARectangle csr = { sr->x / 2, sr->y / 2, sr->width / 2, sr->height / 2 };
	VARectangle corr = { orr->x / 2, orr->y / 2, orr->width / 2, orr->height / 2 };
	int32_t *mem = malloc((size_t)3 * orr->width * sizeof(*mem));

	if (!mem)
		return -1;
	kmscap_va_scale_plane(src, dst, p010, 0, 0, sr, orr, bilinear, mem);
	kmscap_va_scale_plane(src, dst, p010, 1, 0, &csr, &corr, bilinear, mem);
	kmscap_va_scale_plane(src, dst, p010, 1, 1, &csr, &corr, bilinear, mem);
	free(mem);
	return 0;
}
