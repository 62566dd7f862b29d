/* SPDX-License-Identifier: MIT */
/*
 * vpp_row.h - the pixel work of the VPP (vpp_row.c): RGB -> NV12 / P010
 * conversion with crop and scale, background fill and layer blending, on
 * plain memory, a row at a time, so that the driver (vpp.c) and the
 * equivalence test (tests/test_vpp_rows.c, against the per-pixel reference
 * in tests/vpp_ref.c) run the same code.
 */
#ifndef KMSCAP_VA_VPP_ROW_H
#define KMSCAP_VA_VPP_ROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <va/va.h>

/* Byte order of a 32-bit RGB pixel in memory. */
enum kmscap_va_rgbfmt {
	KMSCAP_VA_BGRX8,	/* VA_FOURCC_BGRX / BGRA: B, G, R, X bytes */
	KMSCAP_VA_RGBX8,	/* VA_FOURCC_RGBX / RGBA: R, G, B, X bytes */
	KMSCAP_VA_XRGB10,	/* VA_FOURCC_X2R10G10B10 / A2R10G10B10 */
	KMSCAP_VA_XBGR10,	/* VA_FOURCC_X2B10G10R10 / A2B10G10R10 */
};

/* A picture in memory: plane p at data + offset[p], rows pitch[p] bytes apart. */
struct kmscap_va_img {
	uint8_t *data;
	size_t offset[2];
	size_t pitch[2];
	unsigned int width, height;
};

/* How a blend layer is weighted (vpp.c has the rules). */
enum kmscap_va_blend_mode {
	KMSCAP_VA_BLEND_ALPHA,		/* straight per-pixel alpha */
	KMSCAP_VA_BLEND_PREMULT,	/* premultiplied per-pixel alpha */
	KMSCAP_VA_BLEND_GLOBAL,		/* global alpha G, pixel alpha ignored */
	KMSCAP_VA_BLEND_PREMULT_GLOBAL,	/* premultiplied, times global alpha G */
};

/*
 * Converts region sr of the RGB picture src to region orr of the NV12
 * (p010 false) or P010 picture dst; 8-bit sources only to NV12.  Regions
 * inside their pictures, orr even.  0, or -1 when out of memory.
 */
int kmscap_va_convert_rgb(const struct kmscap_va_img *src, enum kmscap_va_rgbfmt fmt,
			  struct kmscap_va_img *dst, bool p010, const VARectangle *sr,
			  const VARectangle *orr, bool bilinear);

/*
 * Crops and scales region sr of the NV12 or P010 picture src into region
 * orr of dst, of the same format, plane by plane (regions even).  0, or -1
 * when out of memory.
 */
int kmscap_va_scale_yuv(const struct kmscap_va_img *src, struct kmscap_va_img *dst, bool p010,
			const VARectangle *sr, const VARectangle *orr, bool bilinear);

/* Fills the whole NV12 / P010 picture with the colour argb (8 bits a channel). */
void kmscap_va_fill_yuv(struct kmscap_va_img *dst, bool p010, uint32_t argb);

/* The kernels of one value (mode 0: 8-bit RGB -> NV12, 1: RGB10 -> NV12, 2: RGB10 -> P010), for the test. */
int kmscap_va_row_y(uint32_t yn, int mode);
int kmscap_va_row_cb(int32_t u, int mode);
int kmscap_va_row_cr(int32_t v, int mode);

/*
 * Blends 8-bit RGB layer src (region sr, has_alpha: its fourth byte is
 * alpha) onto the NV12 picture dst at orr (same size as sr, clipped to dst
 * here), weighted by mode and the global alpha g (0..255).  0, or -1 when out
 * of memory.
 */
int kmscap_va_blend_rgb(const struct kmscap_va_img *src, enum kmscap_va_rgbfmt fmt,
			 bool has_alpha, struct kmscap_va_img *dst, const VARectangle *sr,
			 const VARectangle *orr, enum kmscap_va_blend_mode mode, int g);

#endif
