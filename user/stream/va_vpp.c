// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: RGB -> NV12 through VA video processing, with the cursor
 * composited.
 *
 * One VPP picture per frame into an NV12 pool surface: the visible source
 * rectangle of the frame, BT.709 limited range, and, with --cursor
 * composite and a visible cursor, a second pipeline buffer in the same
 * picture that places the cursor image (imported like any buffer) at its
 * position, blended with premultiplied alpha (the DRM cursor plane's
 * default blend mode).  A driver that refuses the second layer gets the
 * frame without the cursor, and a notice, from then on.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <drm_fourcc.h>

#include "vapipe_priv.h"

/* Where the cursor goes on the encoded picture, clipped; false if nowhere. */
static bool ks_cursor_rects(const struct ks_vapipe *p, const struct kmscap_event *ev,
			    VARectangle *from, VARectangle *to)
{
	int64_t x = ev->cursor_x - (int64_t)ev->src_x, y = ev->cursor_y - (int64_t)ev->src_y;
	int64_t sx = 0, sy = 0, w = ev->cursor_width, h = ev->cursor_height;

	if (x < 0) {
		sx = -x;
		w += x;
		x = 0;
	}
	if (y < 0) {
		sy = -y;
		h += y;
		y = 0;
	}
	if (x + w > p->width)
		w = (int64_t)p->width - x;
	if (y + h > p->height)
		h = (int64_t)p->height - y;
	if (w <= 0 || h <= 0)
		return false;
	*from = (VARectangle){ .x = (int16_t)sx, .y = (int16_t)sy,
			       .width = (uint16_t)w, .height = (uint16_t)h };
	*to = (VARectangle){ .x = (int16_t)x, .y = (int16_t)y,
			     .width = (uint16_t)w, .height = (uint16_t)h };
	return true;
}

static VAStatus ks_vpp_run(struct ks_vapipe *p, VASurfaceID dst, VABufferID *bufs,
			   unsigned int n)
{
	VAStatus st = vaBeginPicture(p->dpy, p->vpp_ctx, dst);

	if (st != VA_STATUS_SUCCESS)
		return st;
	st = vaRenderPicture(p->dpy, p->vpp_ctx, bufs, (int)n);
	if (st != VA_STATUS_SUCCESS) {
		vaEndPicture(p->dpy, p->vpp_ctx);
		return st;
	}
	st = vaEndPicture(p->dpy, p->vpp_ctx);
	if (st == VA_STATUS_SUCCESS)
		st = vaSyncSurface(p->dpy, dst);
	return st;
}

int ks_va_convert(struct ks_vapipe *p, VASurfaceID src, const struct kmscap_event *ev,
		  VASurfaceID dst)
{
	VAProcPipelineParameterBuffer pp, cp;
	VABlendState blend = { .flags = VA_BLEND_PREMULTIPLIED_ALPHA };
	VARectangle region = {
		.x = (int16_t)ev->src_x, .y = (int16_t)ev->src_y,
		.width = (uint16_t)p->width, .height = (uint16_t)p->height,
	};
	VARectangle cfrom, cto;
	VABufferID bufs[2] = { VA_INVALID_ID, VA_INVALID_ID };
	unsigned int n = 1;
	uint32_t csurf;
	VAStatus st;
	int ret;

	memset(&pp, 0, sizeof(pp));
	pp.surface = src;
	pp.surface_region = &region;
	pp.surface_color_standard = VAProcColorStandardNone;	/* RGB */
	pp.output_color_standard = VAProcColorStandardBT709;
	pp.output_color_properties.color_range = VA_SOURCE_RANGE_REDUCED;
	pp.filter_flags = VA_FILTER_SCALING_DEFAULT;
	st = vaCreateBuffer(p->dpy, p->vpp_ctx, VAProcPipelineParameterBufferType, sizeof(pp), 1,
			    &pp, &bufs[0]);
	if (st != VA_STATUS_SUCCESS)
		return ks_va_fail(p, ks_va_errno(st), "VPP: vaCreateBuffer: %s", vaErrorStr(st));

	if (p->cfg.cursor == KS_CURSOR_COMPOSITE && !p->blend_refused && ev->cursor_buffer_id &&
	    (ev->flags & KMSCAP_FRAME_CURSOR_VISIBLE) && ks_cursor_rects(p, ev, &cfrom, &cto)) {
		struct ks_layout lay = {
			.format = ev->cursor_format, .width = ev->cursor_width,
			.height = ev->cursor_height, .modifier = DRM_FORMAT_MOD_LINEAR,
			.pitch = ev->cursor_pitch,
		};

		ret = ks_import_cache_get(&p->cache, ev->cursor_buffer_id, &lay, &csurf);
		if (ret) {
			vaDestroyBuffer(p->dpy, bufs[0]);
			return ret;
		}
		memcpy(&cp, &pp, sizeof(cp));
		cp.surface = csurf;
		cp.surface_region = &cfrom;
		cp.output_region = &cto;
		cp.blend_state = &blend;
		st = vaCreateBuffer(p->dpy, p->vpp_ctx, VAProcPipelineParameterBufferType,
				    sizeof(cp), 1, &cp, &bufs[1]);
		if (st == VA_STATUS_SUCCESS)
			n = 2;
		else
			bufs[1] = VA_INVALID_ID;
	}
	st = ks_vpp_run(p, dst, bufs, n);
	if (st != VA_STATUS_SUCCESS && n == 2) {
		/* no blending here: the frame alone, from now on */
		p->blend_refused = 1;
		fprintf(stderr, KS_PROG ": %s: the VA-API driver cannot blend the cursor (%s); it is left out of the picture\n",
			p->cfg.device, vaErrorStr(st));
		n = 1;
		st = ks_vpp_run(p, dst, bufs, n);
	}
	vaDestroyBuffer(p->dpy, bufs[0]);
	if (bufs[1] != VA_INVALID_ID)
		vaDestroyBuffer(p->dpy, bufs[1]);
	if (st != VA_STATUS_SUCCESS)
		return ks_va_fail(p, ks_va_errno(st), "VPP: RGB to NV12 conversion failed: %s",
				  vaErrorStr(st));
	return 0;
}
