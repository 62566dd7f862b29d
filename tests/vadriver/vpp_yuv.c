// SPDX-License-Identifier: MIT
/*
 * vpp_yuv.c - video processing between YUV surfaces of the same format
 * (NV12 -> NV12, P010 -> P010): crop and scale, plane by plane, nearest for
 * VA_FILTER_SCALING_FAST and bilinear otherwise, with the same centre-aligned
 * sample mapping as the RGB conversion; the rows are done by vpp_row.c.
 */
#include "kmscap_va.h"
#include "vpp_row.h"

/* Regions are even (4:2:0), checked by the caller. */
VAStatus kmscap_va_vpp_scale_yuv(const struct kmscap_va_surface *src,
				 struct kmscap_va_surface *dst, const VARectangle *sr,
				 const VARectangle *orr, bool bilinear)
{
	struct kmscap_va_img s = {
		.data = src->data, .offset = { src->offset[0], src->offset[1] },
		.pitch = { src->pitch[0], src->pitch[1] }, .width = src->width,
		.height = src->height,
	};
	struct kmscap_va_img d = {
		.data = dst->data, .offset = { dst->offset[0], dst->offset[1] },
		.pitch = { dst->pitch[0], dst->pitch[1] }, .width = dst->width,
		.height = dst->height,
	};

	if (kmscap_va_scale_yuv(&s, &d, dst->fourcc == VA_FOURCC_P010, sr, orr, bilinear))
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	return VA_STATUS_SUCCESS;
}
