// SPDX-License-Identifier: MIT
/*
 * vpp_yuv.c - video processing between YUV surfaces of the same format
 * (NV12 -> NV12, P010 -> P010): crop and scale, plane by plane, nearest for
 * VA_FILTER_SCALING_FAST and bilinear otherwise, with the same centre-aligned
 * sample mapping as the RGB conversion.
 */
#include <string.h>

#include "kmscap_va.h"

/* Sample comp (0 luma / Cb, 1 Cr) of plane at x, y, as a 10- or 8-bit value. */
static unsigned int kmscap_va_yuv_get(const struct kmscap_va_surface *s, int plane, int comp,
				      int x, int y)
{
	const uint8_t *row = s->data + s->offset[plane] + (size_t)y * s->pitch[plane];
	int i = plane ? 2 * x + comp : x;
	uint16_t v;

	if (s->fourcc != VA_FOURCC_P010)
		return row[i];
	memcpy(&v, row + 2 * i, 2);
	return v >> 6;
}

static void kmscap_va_yuv_put(struct kmscap_va_surface *s, int plane, int comp, int x, int y,
			      unsigned int v)
{
	uint8_t *row = s->data + s->offset[plane] + (size_t)y * s->pitch[plane];
	int i = plane ? 2 * x + comp : x;
	uint16_t w = (uint16_t)(v << 6);

	if (s->fourcc != VA_FOURCC_P010)
		row[i] = (uint8_t)v;
	else
		memcpy(row + 2 * i, &w, 2);
}

/* Maps output position o of on samples onto in samples, in 1/256 units. */
static int64_t kmscap_va_map(int o, int on, int in)
{
	int64_t f = ((2 * (int64_t)o + 1) * in * 256) / (2 * on) - 128;

	return f < 0 ? 0 : f > (int64_t)(in - 1) * 256 ? (int64_t)(in - 1) * 256 : f;
}

static unsigned int kmscap_va_bilinear(const struct kmscap_va_surface *src, int plane, int comp,
				       const VARectangle *sr, const VARectangle *orr, int ox,
				       int oy)
{
	int64_t fx = kmscap_va_map(ox, orr->width, sr->width);
	int64_t fy = kmscap_va_map(oy, orr->height, sr->height);
	int x0 = fx >> 8, y0 = fy >> 8, wx = fx & 255, wy = fy & 255;
	int x1 = sr->x + (x0 + 1 < sr->width ? x0 + 1 : x0);
	int y1 = sr->y + (y0 + 1 < sr->height ? y0 + 1 : y0);
	uint64_t a, b, c, d;

	x0 += sr->x;
	y0 += sr->y;
	a = kmscap_va_yuv_get(src, plane, comp, x0, y0);
	b = kmscap_va_yuv_get(src, plane, comp, x1, y0);
	c = kmscap_va_yuv_get(src, plane, comp, x0, y1);
	d = kmscap_va_yuv_get(src, plane, comp, x1, y1);
	return (((a * (256 - wx) + b * wx) * (256 - wy) + (c * (256 - wx) + d * wx) * wy) +
		32768) >> 16;
}

static void kmscap_va_scale_plane(const struct kmscap_va_surface *src,
				  struct kmscap_va_surface *dst, int plane, int comp,
				  const VARectangle *sr, const VARectangle *orr, bool bilinear)
{
	int ox, oy, sx, sy;
	unsigned int v;

	for (oy = 0; oy < orr->height; oy++) {
		for (ox = 0; ox < orr->width; ox++) {
			if (bilinear) {
				v = kmscap_va_bilinear(src, plane, comp, sr, orr, ox, oy);
			} else {
				sx = sr->x + (int)(((2 * (int64_t)ox + 1) * sr->width) /
						   (2 * orr->width));
				sy = sr->y + (int)(((2 * (int64_t)oy + 1) * sr->height) /
						   (2 * orr->height));
				v = kmscap_va_yuv_get(src, plane, comp, sx, sy);
			}
			kmscap_va_yuv_put(dst, plane, comp, orr->x + ox, orr->y + oy, v);
		}
	}
}

/* Regions are even (4:2:0), checked by the caller. */
void kmscap_va_vpp_scale_yuv(const struct kmscap_va_surface *src,
			     struct kmscap_va_surface *dst, const VARectangle *sr,
			     const VARectangle *orr, bool bilinear)
{
	VARectangle csr = { sr->x / 2, sr->y / 2, sr->width / 2, sr->height / 2 };
	VARectangle corr = { orr->x / 2, orr->y / 2, orr->width / 2, orr->height / 2 };

	kmscap_va_scale_plane(src, dst, 0, 0, sr, orr, bilinear);
	kmscap_va_scale_plane(src, dst, 1, 0, &csr, &corr, bilinear);
	kmscap_va_scale_plane(src, dst, 1, 1, &csr, &corr, bilinear);
}
