// SPDX-License-Identifier: MIT
/*
 * context.c - contexts and the vaBeginPicture/vaRenderPicture/vaEndPicture
 * sequence, shared by encode and video processing, dispatched to the codec
 * of the context's profile (h264_enc.c, hevc_enc.c, av1_enc.c) or to
 * vpp.c.  Work is done synchronously in vaEndPicture.
 */
#include <stdlib.h>
#include <string.h>

#include "kmscap_va.h"

static struct kmscap_va_context *kmscap_va_context_get(struct kmscap_va_driver *drv,
						       VAContextID id, VAStatus *st,
						       const char *func)
{
	struct kmscap_va_context *c;
	bool destroyed;

	c = kmscap_va_obj_get(drv, KMSCAP_VA_OBJ_CONTEXT, id, &destroyed);
	if (!c)
		*st = kmscap_va_reject(drv, VA_STATUS_ERROR_INVALID_CONTEXT, func,
				       destroyed ? "context %#x used after vaDestroyContext" :
				       "context %#x does not exist", id);
	return c;
}

VAStatus kmscap_va_create_context(VADriverContextP ctx, VAConfigID config_id, int width,
				  int height, int flag, VASurfaceID *targets, int num_targets,
				  VAContextID *context)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	struct kmscap_va_config *cfg;
	struct kmscap_va_context *c;
	VAStatus st = VA_STATUS_SUCCESS;
	int i;

	cfg = kmscap_va_obj_get(drv, KMSCAP_VA_OBJ_CONFIG, config_id, NULL);
	if (!cfg)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_CONFIG,
					"config %#x does not exist or was destroyed", config_id);
	if (width <= 0 || height <= 0 || width > KMSCAP_VA_MAX_WIDTH ||
	    height > KMSCAP_VA_MAX_HEIGHT)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_RESOLUTION_NOT_SUPPORTED,
					"context size %dx%d outside 1x1..%dx%d", width, height,
					KMSCAP_VA_MAX_WIDTH, KMSCAP_VA_MAX_HEIGHT);
	if (kmscap_va_is_encode(cfg->entrypoint) && flag != 0 && flag != VA_PROGRESSIVE)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"flag %#x: only progressive encode is supported", flag);
	if (num_targets < 0 || (num_targets && !targets))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%d render targets with list %p", num_targets, targets);
	for (i = 0; i < num_targets; i++)
		if (!kmscap_va_surface_get(drv, targets[i], &st, __func__))
			return st;

	c = calloc(1, sizeof(*c));
	if (!c)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	c->config = *cfg;
	c->width = width;
	c->height = height;
	c->render_target = VA_INVALID_SURFACE;
	c->num_targets = num_targets;
	if (num_targets) {
		c->targets = calloc(num_targets, sizeof(*targets));
		if (!c->targets) {
			free(c);
			return VA_STATUS_ERROR_ALLOCATION_FAILED;
		}
		memcpy(c->targets, targets, num_targets * sizeof(*targets));
	}
	if (c->config.codec == KMSCAP_VA_CODEC_HEVC) {
		st = kmscap_va_hevc_create(drv, c);
		if (st != VA_STATUS_SUCCESS) {
			free(c->targets);
			free(c);
			return st;
		}
	}
	c->id = kmscap_va_obj_add(drv, KMSCAP_VA_OBJ_CONTEXT, c);
	if (c->id == VA_INVALID_ID) {
		if (c->config.codec == KMSCAP_VA_CODEC_HEVC)
			kmscap_va_hevc_destroy(c);
		free(c->targets);
		free(c);
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	}
	*context = c->id;
	return VA_STATUS_SUCCESS;
}

static void kmscap_va_reset_picture(struct kmscap_va_context *c)
{
	switch (c->config.codec) {
	case KMSCAP_VA_CODEC_HEVC:
		kmscap_va_hevc_reset_picture(c);
		break;
	case KMSCAP_VA_CODEC_AV1:
		kmscap_va_av1_reset_picture(c);
		break;
	default:
		kmscap_va_enc_reset_picture(&c->enc);
		break;
	}
	c->have_pipeline = false;
}

static void kmscap_va_end_state(struct kmscap_va_driver *drv, struct kmscap_va_context *c)
{
	struct kmscap_va_surface *s;

	s = kmscap_va_obj_get(drv, KMSCAP_VA_OBJ_SURFACE, c->render_target, NULL);
	if (s) {
		s->busy = false;
		s->busy_ctx = VA_INVALID_ID;
	}
	c->render_target = VA_INVALID_SURFACE;
	kmscap_va_reset_picture(c);
}

VAStatus kmscap_va_destroy_context(VADriverContextP ctx, VAContextID context)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VAStatus st = VA_STATUS_SUCCESS;
	struct kmscap_va_context *c = kmscap_va_context_get(drv, context, &st, __func__);

	if (!c)
		return st;
	kmscap_va_end_state(drv, c);
	kmscap_va_obj_remove(drv, KMSCAP_VA_OBJ_CONTEXT, context);
	if (c->config.codec == KMSCAP_VA_CODEC_HEVC)
		kmscap_va_hevc_destroy(c);
	else if (c->config.codec == KMSCAP_VA_CODEC_AV1)
		kmscap_va_av1_destroy(c);
	free(c->enc.slices);
	free(c->targets);
	free(c);
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_begin_picture(VADriverContextP ctx, VAContextID context,
				 VASurfaceID target)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VAStatus st = VA_STATUS_SUCCESS;
	struct kmscap_va_context *c = kmscap_va_context_get(drv, context, &st, __func__);
	struct kmscap_va_surface *s;
	unsigned int in_fourcc;
	char fcc[2][5];

	if (!c)
		return st;
	if (c->render_target != VA_INVALID_SURFACE)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_OPERATION_FAILED,
					"context %#x: vaBeginPicture again before vaEndPicture",
					context);
	s = kmscap_va_surface_get(drv, target, &st, __func__);
	if (!s)
		return st;
	if (s->busy)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_SURFACE_BUSY,
					"surface %#x is already the target of context %#x",
					target, s->busy_ctx);
	/*
	 * Surfaces are stored macroblock-aligned, the context may be aligned.
	 * Encode input: NV12 for an 8-bit config, P010 for a 10-bit one.
	 */
	in_fourcc = c->config.rt_format == VA_RT_FORMAT_YUV420_10 ? VA_FOURCC_P010 :
		    VA_FOURCC_NV12;
	if (kmscap_va_is_encode(c->config.entrypoint) &&
	    (s->fourcc != in_fourcc || (s->width + 15) / 16 < (c->width + 15) / 16 ||
	     (s->height + 15) / 16 < (c->height + 15) / 16))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_SURFACE,
					"encode input %#x must be %s covering the %ux%u context (is %s %ux%u)",
					target, kmscap_va_fourcc_str(in_fourcc, fcc[0]),
					c->width, c->height, kmscap_va_fourcc_str(s->fourcc, fcc[1]),
					s->width, s->height);
	if (c->config.entrypoint == VAEntrypointVideoProc &&
	    s->fourcc != VA_FOURCC_NV12 && s->fourcc != VA_FOURCC_P010)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_SURFACE,
					"VPP output %#x must be NV12 or P010", target);
	s->busy = true;
	s->busy_ctx = context;
	c->render_target = target;
	kmscap_va_reset_picture(c);
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_render_picture(VADriverContextP ctx, VAContextID context,
				  VABufferID *buffers, int num)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VAStatus st = VA_STATUS_SUCCESS;
	struct kmscap_va_context *c = kmscap_va_context_get(drv, context, &st, __func__);
	int i;

	if (!c)
		return st;
	if (c->render_target == VA_INVALID_SURFACE)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_OPERATION_FAILED,
					"context %#x: vaRenderPicture outside vaBeginPicture",
					context);
	if (num <= 0 || !buffers)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%d buffers", num);
	for (i = 0; i < num; i++) {
		struct kmscap_va_buffer *b = kmscap_va_buffer_get(drv, buffers[i], &st,
								  __func__);

		if (!b)
			return st;
		if (b->context != context)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_BUFFER,
						"buffer %#x belongs to context %#x, not %#x",
						buffers[i], b->context, context);
		if (b->mapped)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_BUFFER,
						"buffer %#x is still mapped", buffers[i]);
		if (c->config.entrypoint == VAEntrypointVideoProc)
			st = kmscap_va_vpp_render(drv, c, b);
		else if (c->config.codec == KMSCAP_VA_CODEC_HEVC)
			st = kmscap_va_hevc_render(drv, c, b);
		else if (c->config.codec == KMSCAP_VA_CODEC_AV1)
			st = kmscap_va_av1_render(drv, c, b);
		else
			st = kmscap_va_enc_render(drv, c, b);
		if (st != VA_STATUS_SUCCESS)
			return st;
	}
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_end_picture(VADriverContextP ctx, VAContextID context)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VAStatus st = VA_STATUS_SUCCESS;
	struct kmscap_va_context *c = kmscap_va_context_get(drv, context, &st, __func__);

	if (!c)
		return st;
	if (c->render_target == VA_INVALID_SURFACE)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_OPERATION_FAILED,
					"context %#x: vaEndPicture without vaBeginPicture",
					context);
	if (c->config.entrypoint == VAEntrypointVideoProc)
		st = kmscap_va_vpp_execute(drv, c);
	else if (c->config.codec == KMSCAP_VA_CODEC_HEVC)
		st = kmscap_va_hevc_execute(drv, c);
	else if (c->config.codec == KMSCAP_VA_CODEC_AV1)
		st = kmscap_va_av1_execute(drv, c);
	else
		st = kmscap_va_enc_execute(drv, c);
	kmscap_va_end_state(drv, c);
	return st;
}
