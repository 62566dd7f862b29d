// SPDX-License-Identifier: MIT
/*
 * vpp_ref.c - the driver's VPP pixel work as it was before it became row
 * functions (vpp_row.c): one pixel at a time, every value through a 64-bit
 * division rounded half up.  Kept only as the reference the equivalence
 * test (test_vpp_rows.c) and the host benchmark (bench_vpp.c) compare the
 * row functions with; the formulas are described in vpp.c.
 */
#include <string.h>

#include "vpp_ref.h"

struct kmscap_ref_rgb {
	int r, g, b;
};

/* floor((2n + d) / 2d): n / d rounded half up, for any sign of n, d > 0 */
int kmscap_ref_div_round(int64_t n, int64_t d)
{
	int64_t q = 2 * n + d, dd = 2 * d;

	return (int)(q >= 0 ? q / dd : -((-q + dd - 1) / dd));
}

static int kmscap_ref_clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Luma, Cb and Cr of yn = 2126 R + 7152 G + 722 B, 10000 B - yn, 10000 R - yn */
int kmscap_ref_luma_yn(int64_t yn, int n, int max, int s)
{
	return kmscap_ref_clamp(16 * s + kmscap_ref_div_round(219 * s * yn,
							     (int64_t)max * 10000 * n),
				16 * s, 235 * s);
}

int kmscap_ref_cb_u(int64_t u, int n, int max, int s)
{
	return kmscap_ref_clamp(128 * s + kmscap_ref_div_round(224 * s * u,
							      (int64_t)max * 18556 * n),
				16 * s, 240 * s);
}

int kmscap_ref_cr_v(int64_t v, int n, int max, int s)
{
	return kmscap_ref_clamp(128 * s + kmscap_ref_div_round(224 * s * v,
							      (int64_t)max * 15748 * n),
				16 * s, 240 * s);
}

int kmscap_ref_luma(int64_t r, int64_t g, int64_t b, int n, int max, int s)
{
	return kmscap_ref_luma_yn(2126 * r + 7152 * g + 722 * b, n, max, s);
}

void kmscap_ref_chroma(int64_t r, int64_t g, int64_t b, int n, int max, int s, int *cb,
		       int *cr)
{
	int64_t yn = 2126 * r + 7152 * g + 722 * b;

	*cb = kmscap_ref_cb_u(10000 * b - yn, n, max, s);
	*cr = kmscap_ref_cr_v(10000 * r - yn, n, max, s);
}

static struct kmscap_ref_rgb kmscap_ref_fetch(const struct kmscap_va_img *s,
					      enum kmscap_va_rgbfmt fmt, int x, int y)
{
	const uint8_t *p = s->data + s->offset[0] + (size_t)y * s->pitch[0] + 4 * x;
	uint32_t w = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;

	switch (fmt) {
	case KMSCAP_VA_BGRX8:
		return (struct kmscap_ref_rgb){ p[2], p[1], p[0] };
	case KMSCAP_VA_RGBX8:
		return (struct kmscap_ref_rgb){ p[0], p[1], p[2] };
	case KMSCAP_VA_XRGB10:
		return (struct kmscap_ref_rgb){ (w >> 20) & 0x3ff, (w >> 10) & 0x3ff, w & 0x3ff };
	default:
		return (struct kmscap_ref_rgb){ w & 0x3ff, (w >> 10) & 0x3ff, (w >> 20) & 0x3ff };
	}
}

static struct kmscap_ref_rgb kmscap_ref_sample(const struct kmscap_va_img *s,
					       enum kmscap_va_rgbfmt fmt, const VARectangle *sr,
					       const VARectangle *orr, int ox, int oy,
					       bool bilinear)
{
	struct kmscap_ref_rgb a, b, c, d, out;
	int64_t fx, fy;
	int x0, y0, x1, y1, wx, wy;

	if (!bilinear) {
		x0 = sr->x + (int)(((2 * (int64_t)ox + 1) * sr->width) / (2 * orr->width));
		y0 = sr->y + (int)(((2 * (int64_t)oy + 1) * sr->height) / (2 * orr->height));
		return kmscap_ref_fetch(s, fmt, x0, y0);
	}
	fx = ((2 * (int64_t)ox + 1) * sr->width * 256) / (2 * orr->width) - 128;
	fy = ((2 * (int64_t)oy + 1) * sr->height * 256) / (2 * orr->height) - 128;
	fx = fx < 0 ? 0 : fx > (sr->width - 1) * 256 ? (sr->width - 1) * 256 : fx;
	fy = fy < 0 ? 0 : fy > (sr->height - 1) * 256 ? (sr->height - 1) * 256 : fy;
	x0 = fx >> 8;
	y0 = fy >> 8;
	wx = fx & 255;
	wy = fy & 255;
	x1 = x0 + 1 < sr->width ? x0 + 1 : x0;
	y1 = y0 + 1 < sr->height ? y0 + 1 : y0;
	a = kmscap_ref_fetch(s, fmt, sr->x + x0, sr->y + y0);
	b = kmscap_ref_fetch(s, fmt, sr->x + x1, sr->y + y0);
	c = kmscap_ref_fetch(s, fmt, sr->x + x0, sr->y + y1);
	d = kmscap_ref_fetch(s, fmt, sr->x + x1, sr->y + y1);
#define KMSCAP_REF_LERP(f) ((((a.f * (256 - wx) + b.f * wx) * (256 - wy) + \
			      (c.f * (256 - wx) + d.f * wx) * wy) + 32768) >> 16)
	out.r = KMSCAP_REF_LERP(r);
	out.g = KMSCAP_REF_LERP(g);
	out.b = KMSCAP_REF_LERP(b);
#undef KMSCAP_REF_LERP
	return out;
}

static void kmscap_ref_put(struct kmscap_va_img *d, bool p010, int plane, int x, int y, int v)
{
	uint8_t *p = d->data + d->offset[plane] + (size_t)y * d->pitch[plane];

	if (p010) {
		uint16_t w = (uint16_t)(v << 6);

		memcpy(p + 2 * x, &w, 2);
	} else {
		p[x] = (uint8_t)v;
	}
}

static int kmscap_ref_get(const struct kmscap_va_img *d, int plane, int x, int y)
{
	return d->data[d->offset[plane] + (size_t)y * d->pitch[plane] + x];
}

void kmscap_ref_fill_yuv(struct kmscap_va_img *d, bool ten, uint32_t argb)
{
	int max = ten ? 1023 : 255, s = ten ? 4 : 1;
	int r = (argb >> 16) & 0xff, g = (argb >> 8) & 0xff, b = argb & 0xff;
	int y, cb, cr, i, j;

	if (ten) {
		r = r << 2 | r >> 6;
		g = g << 2 | g >> 6;
		b = b << 2 | b >> 6;
	}
	y = kmscap_ref_luma(r, g, b, 1, max, s);
	kmscap_ref_chroma(r, g, b, 1, max, s, &cb, &cr);
	for (j = 0; j < (int)d->height; j++)
		for (i = 0; i < (int)d->width; i++)
			kmscap_ref_put(d, ten, 0, i, j, y);
	for (j = 0; j < (int)d->height / 2; j++) {
		for (i = 0; i < (int)d->width / 2; i++) {
			kmscap_ref_put(d, ten, 1, 2 * i, j, cb);
			kmscap_ref_put(d, ten, 1, 2 * i + 1, j, cr);
		}
	}
}

int kmscap_ref_convert_rgb(const struct kmscap_va_img *src, enum kmscap_va_rgbfmt fmt,
			   struct kmscap_va_img *dst, bool ten, const VARectangle *sr,
			   const VARectangle *orr, bool bilinear)
{
	struct kmscap_ref_rgb *rows = malloc(2 * orr->width * sizeof(*rows));
	int max = fmt >= KMSCAP_VA_XRGB10 ? 1023 : 255, s = ten ? 4 : 1, x, y;

	if (!rows)
		return -1;
	for (y = 0; y < orr->height; y += 2) {
		for (x = 0; x < orr->width; x++) {
			rows[x] = kmscap_ref_sample(src, fmt, sr, orr, x, y, bilinear);
			rows[orr->width + x] = kmscap_ref_sample(src, fmt, sr, orr, x, y + 1,
								 bilinear);
		}
		for (x = 0; x < 2 * orr->width; x++) {
			struct kmscap_ref_rgb *p = &rows[x];

			kmscap_ref_put(dst, ten, 0, orr->x + x % orr->width,
				       orr->y + y + x / orr->width,
				       kmscap_ref_luma(p->r, p->g, p->b, 1, max, s));
		}
		for (x = 0; x < orr->width; x += 2) {
			struct kmscap_ref_rgb *p = &rows[x], *q = &rows[orr->width + x];
			int cb, cr;

			kmscap_ref_chroma(p[0].r + p[1].r + q[0].r + q[1].r,
					  p[0].g + p[1].g + q[0].g + q[1].g,
					  p[0].b + p[1].b + q[0].b + q[1].b, 4, max, s, &cb, &cr);
			kmscap_ref_put(dst, ten, 1, orr->x + x, (orr->y + y) / 2, cb);
			kmscap_ref_put(dst, ten, 1, orr->x + x + 1, (orr->y + y) / 2, cr);
		}
	}
	free(rows);
	return 0;
}

struct kmscap_ref_weight {
	int64_t k, a;
};

static struct kmscap_ref_weight kmscap_ref_blend_weight(enum kmscap_va_blend_mode mode,
							 int G, bool has_alpha, int alpha)
{
	int A = has_alpha ? alpha : 255;

	switch (mode) {
	case KMSCAP_VA_BLEND_PREMULT_GLOBAL:
		return (struct kmscap_ref_weight){ 255 * G, (int64_t)G * A };
	case KMSCAP_VA_BLEND_GLOBAL:
		return (struct kmscap_ref_weight){ 255 * G, 255 * G };
	case KMSCAP_VA_BLEND_PREMULT:
		return (struct kmscap_ref_weight){ 65025, 255 * A };
	default:
		return (struct kmscap_ref_weight){ 255 * A, 255 * A };
	}
}

void kmscap_ref_blend_rgb(const struct kmscap_va_img *src, enum kmscap_va_rgbfmt fmt,
			  bool has_alpha, struct kmscap_va_img *dst, const VARectangle *sr,
			  const VARectangle *orr, enum kmscap_va_blend_mode mode, int G)
{
	int x0, y0, x1, y1, x, y, i;

	x0 = orr->x < 0 ? 0 : orr->x;
	y0 = orr->y < 0 ? 0 : orr->y;
	x1 = orr->x + orr->width > (int)dst->width ? (int)dst->width : orr->x + orr->width;
	y1 = orr->y + orr->height > (int)dst->height ? (int)dst->height : orr->y + orr->height;
	if (x0 >= x1 || y0 >= y1)
		return;
	for (y = y0 & ~1; y < y1; y += 2) {
		for (x = x0 & ~1; x < x1; x += 2) {
			const int64_t dy = 255 * 10000, dcb = 255 * 18556, dcr = 255 * 15748;
			int64_t sum_a = 0, sum_kb = 0, sum_kr = 0;
			int cb, cr;

			for (i = 0; i < 4; i++) {
				int px = x + (i & 1), py = y + (i >> 1), lx, ly;
				struct kmscap_ref_rgb rgb;
				struct kmscap_ref_weight w;
				int64_t yn, v;

				if (px < x0 || px >= x1 || py < y0 || py >= y1)
					continue;
				lx = sr->x + px - orr->x;
				ly = sr->y + py - orr->y;
				rgb = kmscap_ref_fetch(src, fmt, lx, ly);
				w = kmscap_ref_blend_weight(mode, G, has_alpha,
							    src->data[src->offset[0] +
								      (size_t)ly * src->pitch[0] +
								      4 * lx + 3]);
				yn = 2126 * rgb.r + 7152 * rgb.g + 722 * rgb.b;
				v = w.a * 16 * dy + w.k * 219 * yn +
				    (65025 - w.a) * kmscap_ref_get(dst, 0, px, py) * dy;
				kmscap_ref_put(dst, false, 0, px, py,
					       kmscap_ref_clamp(kmscap_ref_div_round(v, 65025 * dy),
								0, 255));
				sum_a += w.a;
				sum_kb += w.k * 224 * (10000 * rgb.b - yn);
				sum_kr += w.k * 224 * (10000 * rgb.r - yn);
			}
			cb = kmscap_ref_get(dst, 1, x, y / 2);
			cr = kmscap_ref_get(dst, 1, x + 1, y / 2);
			cb = kmscap_ref_div_round(4 * 65025 * dcb * cb + sum_a * (128 - cb) * dcb +
						  sum_kb, 4 * 65025 * dcb);
			cr = kmscap_ref_div_round(4 * 65025 * dcr * cr + sum_a * (128 - cr) * dcr +
						  sum_kr, 4 * 65025 * dcr);
			kmscap_ref_put(dst, false, 1, x, y / 2, kmscap_ref_clamp(cb, 0, 255));
			kmscap_ref_put(dst, false, 1, x + 1, y / 2, kmscap_ref_clamp(cr, 0, 255));
		}
	}
}

/* The NV12 / P010 crop and scale (vpp_yuv.c as it was). */
static unsigned int kmscap_ref_yuv_get(const struct kmscap_va_img *s, bool p010, int plane,
				       int comp, int x, int y)
{
	const uint8_t *row = s->data + s->offset[plane] + (size_t)y * s->pitch[plane];
	int i = plane ? 2 * x + comp : x;
	uint16_t v;

	if (!p010)
		return row[i];
	memcpy(&v, row + 2 * i, 2);
	return v >> 6;
}

static void kmscap_ref_yuv_put(struct kmscap_va_img *s, bool p010, int plane, int comp, int x,
			       int y, unsigned int v)
{
	uint8_t *row = s->data + s->offset[plane] + (size_t)y * s->pitch[plane];
	int i = plane ? 2 * x + comp : x;
	uint16_t w = (uint16_t)(v << 6);

	if (!p010)
		row[i] = (uint8_t)v;
	else
		memcpy(row + 2 * i, &w, 2);
}

static int64_t kmscap_ref_map(int o, int on, int in)
{
	int64_t f = ((2 * (int64_t)o + 1) * in * 256) / (2 * on) - 128;

	return f < 0 ? 0 : f > (int64_t)(in - 1) * 256 ? (int64_t)(in - 1) * 256 : f;
}

static unsigned int kmscap_ref_bilinear(const struct kmscap_va_img *src, bool p010, int plane,
					int comp, const VARectangle *sr, const VARectangle *orr,
					int ox, int oy)
{
	int64_t fx = kmscap_ref_map(ox, orr->width, sr->width);
	int64_t fy = kmscap_ref_map(oy, orr->height, sr->height);
	int x0 = fx >> 8, y0 = fy >> 8, wx = fx & 255, wy = fy & 255;
	int x1 = sr->x + (x0 + 1 < sr->width ? x0 + 1 : x0);
	int y1 = sr->y + (y0 + 1 < sr->height ? y0 + 1 : y0);
	uint64_t a, b, c, d;

	x0 += sr->x;
	y0 += sr->y;
	a = kmscap_ref_yuv_get(src, p010, plane, comp, x0, y0);
	b = kmscap_ref_yuv_get(src, p010, plane, comp, x1, y0);
	c = kmscap_ref_yuv_get(src, p010, plane, comp, x0, y1);
	d = kmscap_ref_yuv_get(src, p010, plane, comp, x1, y1);
	return (((a * (256 - wx) + b * wx) * (256 - wy) + (c * (256 - wx) + d * wx) * wy) +
		32768) >> 16;
}

static void kmscap_ref_scale_plane(const struct kmscap_va_img *src, struct kmscap_va_img *dst,
				   bool p010, int plane, int comp, const VARectangle *sr,
				   const VARectangle *orr, bool bilinear)
{
	int ox, oy, sx, sy;
	unsigned int v;

	for (oy = 0; oy < orr->height; oy++) {
		for (ox = 0; ox < orr->width; ox++) {
			if (bilinear) {
				v = kmscap_ref_bilinear(src, p010, plane, comp, sr, orr, ox, oy);
			} else {
				sx = sr->x + (int)(((2 * (int64_t)ox + 1) * sr->width) /
						   (2 * orr->width));
				sy = sr->y + (int)(((2 * (int64_t)oy + 1) * sr->height) /
						   (2 * orr->height));
				v = kmscap_ref_yuv_get(src, p010, plane, comp, sx, sy);
			}
			kmscap_ref_yuv_put(dst, p010, plane, comp, orr->x + ox, orr->y + oy, v);
		}
	}
}

void kmscap_ref_scale_yuv(const struct kmscap_va_img *src, struct kmscap_va_img *dst, bool p010,
			  const VARectangle *sr, const VARectangle *orr, bool bilinear)
{
	VARectangle csr = { sr->x / 2, sr->y / 2, sr->width / 2, sr->height / 2 };
	VARectangle corr = { orr->x / 2, orr->y / 2, orr->width / 2, orr->height / 2 };

	kmscap_ref_scale_plane(src, dst, p010, 0, 0, sr, orr, bilinear);
	kmscap_ref_scale_plane(src, dst, p010, 1, 0, &csr, &corr, bilinear);
	kmscap_ref_scale_plane(src, dst, p010, 1, 1, &csr, &corr, bilinear);
}
