/* SPDX-License-Identifier: MIT */
/* vpp_ref.h - the per-pixel reference of the VPP row functions (vpp_ref.c). */
#ifndef KMSCAP_VPP_REF_H
#define KMSCAP_VPP_REF_H

#include <stdlib.h>

#include "../vpp_row.h"

int kmscap_ref_div_round(int64_t n, int64_t d);
int kmscap_ref_luma_yn(int64_t yn, int n, int max, int s);
int kmscap_ref_cb_u(int64_t u, int n, int max, int s);
int kmscap_ref_cr_v(int64_t v, int n, int max, int s);
/* Y of the sum of n samples of depth max (255, 1023), output scale s (1, 4) */
int kmscap_ref_luma(int64_t r, int64_t g, int64_t b, int n, int max, int s);
void kmscap_ref_chroma(int64_t r, int64_t g, int64_t b, int n, int max, int s, int *cb,
		       int *cr);
int kmscap_ref_convert_rgb(const struct kmscap_va_img *src, enum kmscap_va_rgbfmt fmt,
			   struct kmscap_va_img *dst, bool p010, const VARectangle *sr,
			   const VARectangle *orr, bool bilinear);
void kmscap_ref_scale_yuv(const struct kmscap_va_img *src, struct kmscap_va_img *dst, bool p010,
			  const VARectangle *sr, const VARectangle *orr, bool bilinear);
void kmscap_ref_fill_yuv(struct kmscap_va_img *dst, bool p010, uint32_t argb);
void kmscap_ref_blend_rgb(const struct kmscap_va_img *src, enum kmscap_va_rgbfmt fmt,
			  bool has_alpha, struct kmscap_va_img *dst, const VARectangle *sr,
			  const VARectangle *orr, enum kmscap_va_blend_mode mode, int g);

#endif
