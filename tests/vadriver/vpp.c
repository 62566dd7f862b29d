// SPDX-License-Identifier: MIT
/*
 * vpp.c - video processing: RGB (8-bit) -> NV12 and RGB 2101010 -> P010 or NV12,
 * BT.709 limited range, with an optional crop (surface_region) and scale
 * into output_region (nearest for VA_FILTER_SCALING_FAST, bilinear
 * otherwise).  The rest of the output is filled with the background colour.
 * NV12 -> NV12 and P010 -> P010 crop/scale is in vpp_yuv.c; the pixel work
 * below is done a row at a time, in fixed point, by vpp_row.c.
 *
 * Further pipeline buffers in the same picture are layers composited, in
 * order, onto the NV12 output (kmscap_va_vpp_blend(), below).
 *
 * Conversion, with Kr = 0.2126, Kb = 0.0722, Kg = 1 - Kr - Kb, R'G'B' in
 * 0..M (M = 255 or 1023) and exact integer rounding (half up):
 *   Y  = 16*s + 219*s * (Kr R + Kg G + Kb B) / M
 *   Cb = 128*s + 224*s * (B - Y') / (2 (1 - Kb) M)
 *   Cr = 128*s + 224*s * (R - Y') / (2 (1 - Kr) M)
 * with s = 1 (8-bit) or 4 (10-bit).  Chroma is computed from the mean of the
 * 2x2 RGB samples it covers (centre siting).
 */
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "kmscap_va.h"
#include "vpp_row.h"

static const VAProcColorStandardType kmscap_va_in_std[] = {
	VAProcColorStandardBT709, VAProcColorStandardSRGB,
};

static const VAProcColorStandardType kmscap_va_out_std[] = {
	VAProcColorStandardBT709,
};

/*
 * The driver's view of a surface for the row functions: an X-tiled import
 * through its linear copy (made by kmscap_va_import_begin_read()).
 */
static struct kmscap_va_img kmscap_va_img_of(const struct kmscap_va_surface *s)
{
	if (s->detiled)
		return (struct kmscap_va_img){
			.data = s->detiled, .pitch = { s->pitch[0] }, .width = s->width,
			.height = s->height,
		};
	return (struct kmscap_va_img){
		.data = s->data, .offset = { s->offset[0], s->offset[1] },
		.pitch = { s->pitch[0], s->pitch[1] }, .width = s->width, .height = s->height,
	};
}

static enum kmscap_va_rgbfmt kmscap_va_rgbfmt_of(unsigned int fourcc)
{
	switch (fourcc) {
	case VA_FOURCC_BGRX:
	case VA_FOURCC_BGRA:
		return KMSCAP_VA_BGRX8;
	case VA_FOURCC_RGBX:
	case VA_FOURCC_RGBA:
		return KMSCAP_VA_RGBX8;
	case VA_FOURCC_X2R10G10B10:
	case VA_FOURCC_A2R10G10B10:
		return KMSCAP_VA_XRGB10;
	default:	/* X2B10G10R10, A2B10G10R10 */
		return KMSCAP_VA_XBGR10;
	}
}

static void kmscap_va_fill_background(struct kmscap_va_surface *d, uint32_t argb)
{
	struct kmscap_va_img img = kmscap_va_img_of(d);

	kmscap_va_fill_yuv(&img, d->fourcc == VA_FOURCC_P010, argb);
}

static VAStatus kmscap_va_check_blend(struct kmscap_va_driver *drv, const VABlendState *bs)
{
	const unsigned int known = VA_BLEND_GLOBAL_ALPHA | VA_BLEND_PREMULTIPLIED_ALPHA;

	if (bs->flags & VA_BLEND_LUMA_KEY)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"blend flags %#x: luma keying is not supported", bs->flags);
	if (bs->flags & ~known)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"blend flags %#x: unknown bits %#x", bs->flags,
					bs->flags & ~known);
	/* written so that NaN fails too */
	if ((bs->flags & VA_BLEND_GLOBAL_ALPHA) &&
	    !(bs->global_alpha >= 0.0f && bs->global_alpha <= 1.0f))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"global_alpha %g outside 0.0..1.0", bs->global_alpha);
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_vpp_render(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
			      struct kmscap_va_buffer *b)
{
	const VAProcPipelineParameterBuffer *p = (const void *)b->data;
	struct kmscap_va_layer *l;
	VAStatus st;

	if (b->type != VAProcPipelineParameterBufferType)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNSUPPORTED_BUFFERTYPE,
					"buffer %#x of type %s in a VPP picture", b->id,
					vaBufferTypeStr(b->type));
	if (c->have_pipeline && c->num_layers == KMSCAP_VA_MAX_LAYERS)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"more than %d pipeline buffers in one picture",
					KMSCAP_VA_MAX_LAYERS + 1);
	if (p->num_filters)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNSUPPORTED_FILTER,
					"%u filters: the driver has none", p->num_filters);
	if (p->num_forward_references || p->num_backward_references ||
	    p->num_additional_outputs)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"references / additional outputs are not supported");
	if (p->rotation_state || p->mirror_state)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"rotation %u / mirror %u not supported",
					p->rotation_state, p->mirror_state);
	if ((p->filter_flags & VA_FILTER_SCALING_MASK) == VA_FILTER_SCALING_NL_ANAMORPHIC)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"non-linear anamorphic scaling is not supported");
	if (p->output_color_standard != VAProcColorStandardNone &&
	    p->output_color_standard != VAProcColorStandardBT709)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"output colour standard %d: only BT.709",
					p->output_color_standard);
	if (p->output_color_properties.color_range == VA_SOURCE_RANGE_FULL)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"full-range output: only limited range is produced");
	if (p->blend_state) {
		st = kmscap_va_check_blend(drv, p->blend_state);
		if (st != VA_STATUS_SUCCESS)
			return st;
	}
	if (c->have_pipeline) {
		/* a further layer, composited onto what is below it */
		l = &c->layers[c->num_layers++];
		memset(l, 0, sizeof(*l));
		l->surface = p->surface;
		l->have_surface_region = p->surface_region != NULL;
		if (p->surface_region)
			l->surface_region = *p->surface_region;
		l->have_output_region = p->output_region != NULL;
		if (p->output_region)
			l->output_region = *p->output_region;
		l->have_blend = p->blend_state != NULL;
		if (p->blend_state)
			l->blend = *p->blend_state;
		l->filter_flags = p->filter_flags;
		return VA_STATUS_SUCCESS;
	}
	if (p->blend_state)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"blend state on the first layer (blending onto the background colour) is not supported");
	c->pipeline = *p;
	c->have_surface_region = p->surface_region != NULL;
	if (p->surface_region)
		c->surface_region = *p->surface_region;
	c->have_output_region = p->output_region != NULL;
	if (p->output_region)
		c->output_region = *p->output_region;
	c->pipeline.surface_region = NULL;
	c->pipeline.output_region = NULL;
	c->pipeline.blend_state = NULL;
	c->have_pipeline = true;
	c->num_layers = 0;
	return VA_STATUS_SUCCESS;
}

static VAStatus kmscap_va_check_region(struct kmscap_va_driver *drv, const VARectangle *r,
				       const struct kmscap_va_surface *s, bool even,
				       const char *what)
{
	if (r->x < 0 || r->y < 0 || !r->width || !r->height ||
	    r->x + r->width > (int)s->width || r->y + r->height > (int)s->height)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%s region %d,%d %ux%u outside the %ux%u surface", what,
					r->x, r->y, r->width, r->height, s->width, s->height);
	if (even && ((r->x | r->y | r->width | r->height) & 1))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%s region %d,%d %ux%u not even (4:2:0)", what, r->x,
					r->y, r->width, r->height);
	return VA_STATUS_SUCCESS;
}

/*
 * Blending of a further layer onto the NV12 output, in the output's colour
 * space.  With A the pixel's alpha (255 for formats without alpha), G the
 * global alpha rounded to 0..255 and C the layer's R'G'B', the layer adds
 * k C and keeps (1 - a) of the output, in units of 1/65025:
 *   no blend state or flags 0: straight per-pixel alpha  k = 255 A, a = 255 A
 *   PREMULTIPLIED_ALPHA (C is premultiplied)             k = 65025, a = 255 A
 *   GLOBAL_ALPHA (pixel alpha ignored)                   k = 255 G, a = 255 G
 *   both                                                 k = G 255, a = G A
 * The conversion is affine, so blending R'G'B' and converting equals
 *   Y = a 16 / 65025 + 219 k (Kr R + Kg G + Kb B) / (255 65025) + (1 - a / 65025) Y_out
 * (Cb, Cr likewise, from the mean of the 2x2 pixels a chroma sample covers,
 * pixels outside the layer counting with k = a = 0), in exact integers,
 * rounded half up.  Valid inputs stay in range; the result is only clamped
 * to 0..255 (a premultiplied colour above its alpha can overshoot).
 */
static enum kmscap_va_blend_mode kmscap_va_blend_mode_of(const struct kmscap_va_layer *l)
{
	unsigned int f = l->have_blend ? l->blend.flags : 0;

	if ((f & VA_BLEND_GLOBAL_ALPHA) && (f & VA_BLEND_PREMULTIPLIED_ALPHA))
		return KMSCAP_VA_BLEND_PREMULT_GLOBAL;
	if (f & VA_BLEND_GLOBAL_ALPHA)
		return KMSCAP_VA_BLEND_GLOBAL;
	if (f & VA_BLEND_PREMULTIPLIED_ALPHA)
		return KMSCAP_VA_BLEND_PREMULT;
	return KMSCAP_VA_BLEND_ALPHA;
}

static VAStatus kmscap_va_vpp_blend(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
				    struct kmscap_va_surface *dst,
				    const struct kmscap_va_layer *l)
{
	struct kmscap_va_surface *src;
	struct kmscap_va_img simg, dimg;
	VAStatus st = VA_STATUS_SUCCESS;
	VARectangle sr, orr;
	bool has_alpha;
	int x0, y0, x1, y1;
	char a[5];

	src = kmscap_va_surface_get(drv, l->surface, &st, __func__);
	if (!src)
		return st;
	if (src == dst)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"surface %#x is both a layer and the output", src->id);
	if (dst->fourcc != VA_FOURCC_NV12 || src->rt_format != VA_RT_FORMAT_RGB32)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNIMPLEMENTED,
					"blending a %s layer onto %s: only 8-bit RGB onto NV12",
					kmscap_va_fourcc_str(src->fourcc, a),
					dst->fourcc == VA_FOURCC_NV12 ? "NV12" : "P010");
	has_alpha = src->fourcc == VA_FOURCC_BGRA || src->fourcc == VA_FOURCC_RGBA;
	if (l->have_blend && (l->blend.flags & VA_BLEND_PREMULTIPLIED_ALPHA) && !has_alpha)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"premultiplied alpha on a %s layer, which has no alpha",
					kmscap_va_fourcc_str(src->fourcc, a));
	sr = l->have_surface_region ? l->surface_region :
	     (VARectangle){ 0, 0, src->width, src->height };
	orr = l->have_output_region ? l->output_region :
	      (VARectangle){ 0, 0, dst->width, dst->height };
	st = kmscap_va_check_region(drv, &sr, src, false, "layer surface");
	if (st != VA_STATUS_SUCCESS)
		return st;
	if (!orr.width || !orr.height)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"layer output region %d,%d %ux%u is empty", orr.x, orr.y,
					orr.width, orr.height);
	if (sr.width != orr.width || sr.height != orr.height)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNIMPLEMENTED,
					"layer scaled from %ux%u to %ux%u: blend layers are not scaled",
					sr.width, sr.height, orr.width, orr.height);
	/* the output region may lie partly (or wholly) outside: clip */
	x0 = orr.x < 0 ? 0 : orr.x;
	y0 = orr.y < 0 ? 0 : orr.y;
	x1 = orr.x + orr.width > (int)dst->width ? (int)dst->width : orr.x + orr.width;
	y1 = orr.y + orr.height > (int)dst->height ? (int)dst->height : orr.y + orr.height;
	if (x0 >= x1 || y0 >= y1)
		return VA_STATUS_SUCCESS;
	st = kmscap_va_import_begin_read(drv, src);
	if (st != VA_STATUS_SUCCESS)
		return st;
	simg = kmscap_va_img_of(src);
	dimg = kmscap_va_img_of(dst);
	if (kmscap_va_blend_rgb(&simg, kmscap_va_rgbfmt_of(src->fourcc), has_alpha, &dimg, &sr,
				&orr, kmscap_va_blend_mode_of(l),
				(int)(l->blend.global_alpha * 255.0f + 0.5f)))
		st = VA_STATUS_ERROR_ALLOCATION_FAILED;
	kmscap_va_import_end_read(src);
	return st;
}

/*
 * The conversion, taking KMSCAP_VA_VPP_DELAY_MS longer: a GPU slower than
 * the display, for the tests of what a capture client does when its
 * reading is overtaken.  Unscaled, the delay falls between the two halves
 * of the picture, so that a buffer redrawn meanwhile gives a torn picture.
 */
static int kmscap_va_convert_slow(struct kmscap_va_driver *drv, const struct kmscap_va_img *src,
				  enum kmscap_va_rgbfmt fmt, struct kmscap_va_img *dst, bool ten,
				  const VARectangle *sr, const VARectangle *orr, bool bilinear)
{
	struct timespec ts = { drv->vpp_delay_ms / 1000, drv->vpp_delay_ms % 1000 * 1000000L };
	VARectangle s1 = *sr, o1 = *orr, s2, o2;

	if (!drv->vpp_delay_ms)
		return kmscap_va_convert_rgb(src, fmt, dst, ten, sr, orr, bilinear);
	if (sr->width != orr->width || sr->height != orr->height || orr->height < 4) {
		nanosleep(&ts, NULL);
		return kmscap_va_convert_rgb(src, fmt, dst, ten, sr, orr, bilinear);
	}
	o1.height = s1.height = (orr->height / 2) & ~1;
	s2 = *sr;
	o2 = *orr;
	s2.y += s1.height;
	o2.y += o1.height;
	s2.height = o2.height = orr->height - o1.height;
	if (kmscap_va_convert_rgb(src, fmt, dst, ten, &s1, &o1, bilinear))
		return -1;
	nanosleep(&ts, NULL);
	return kmscap_va_convert_rgb(src, fmt, dst, ten, &s2, &o2, bilinear);
}

static VAStatus kmscap_va_vpp_first(struct kmscap_va_driver *drv, struct kmscap_va_context *c)
{
	struct kmscap_va_surface *src, *dst;
	struct kmscap_va_img simg, dimg;
	VARectangle sr, orr;
	VAStatus st = VA_STATUS_SUCCESS;
	bool bilinear, ten, yuv;
	char a[5], b[5];

	if (!c->have_pipeline)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"VPP picture without a pipeline parameter buffer");
	src = kmscap_va_surface_get(drv, c->pipeline.surface, &st, __func__);
	if (!src)
		return st;
	dst = kmscap_va_surface_get(drv, c->render_target, &st, __func__);
	if (!dst)
		return st;
	if (src == dst)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"surface %#x is both the input and the output", src->id);
	ten = dst->fourcc == VA_FOURCC_P010;
	yuv = src->fourcc == dst->fourcc;
	/* RGB10 -> NV12 rounds the 10-bit source to 8 bits; 8-bit RGB -> P010 is not done */
	if (!yuv && !((src->rt_format == VA_RT_FORMAT_RGB32 && !ten) ||
		      src->rt_format == VA_RT_FORMAT_RGB32_10))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNIMPLEMENTED,
					"conversion %s -> %s: only RGB -> NV12, RGB10 -> P010 or NV12, NV12 -> NV12, P010 -> P010",
					kmscap_va_fourcc_str(src->fourcc, a),
					kmscap_va_fourcc_str(dst->fourcc, b));
	sr = c->have_surface_region ? c->surface_region :
	     (VARectangle){ 0, 0, src->width, src->height };
	orr = c->have_output_region ? c->output_region :
	      (VARectangle){ 0, 0, dst->width, dst->height };
	bilinear = (c->pipeline.filter_flags & VA_FILTER_SCALING_MASK) != VA_FILTER_SCALING_FAST;
	st = kmscap_va_check_region(drv, &sr, src, yuv, "surface");
	if (st == VA_STATUS_SUCCESS)
		st = kmscap_va_check_region(drv, &orr, dst, true, "output");
	if (st != VA_STATUS_SUCCESS)
		return st;
	if (yuv) {
		if (orr.x || orr.y || orr.width != dst->width || orr.height != dst->height)
			kmscap_va_fill_background(dst, c->pipeline.output_background_color);
		return kmscap_va_vpp_scale_yuv(src, dst, &sr, &orr, bilinear);
	}
	st = kmscap_va_import_begin_read(drv, src);
	if (st != VA_STATUS_SUCCESS)
		return st;
	if (orr.x || orr.y || orr.width != dst->width || orr.height != dst->height)
		kmscap_va_fill_background(dst, c->pipeline.output_background_color);
	simg = kmscap_va_img_of(src);
	dimg = kmscap_va_img_of(dst);
	if (kmscap_va_convert_slow(drv, &simg, kmscap_va_rgbfmt_of(src->fourcc), &dimg, ten, &sr,
				   &orr, bilinear))
		st = VA_STATUS_ERROR_ALLOCATION_FAILED;
	kmscap_va_import_end_read(src);
	return st;
}

VAStatus kmscap_va_vpp_execute(struct kmscap_va_driver *drv, struct kmscap_va_context *c)
{
	struct kmscap_va_surface *dst;
	VAStatus st = kmscap_va_vpp_first(drv, c);
	unsigned int i;

	if (st != VA_STATUS_SUCCESS || !c->num_layers)
		return st;
	dst = kmscap_va_surface_get(drv, c->render_target, &st, __func__);
	if (!dst)
		return st;
	for (i = 0; i < c->num_layers && st == VA_STATUS_SUCCESS; i++)
		st = kmscap_va_vpp_blend(drv, c, dst, &c->layers[i]);
	return st;
}

VAStatus kmscap_va_query_video_proc_filters(VADriverContextP ctx, VAContextID context,
					    VAProcFilterType *filters, unsigned int *num)
{
	*num = 0;
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_query_video_proc_filter_caps(VADriverContextP ctx, VAContextID context,
						VAProcFilterType type, void *caps,
						unsigned int *num)
{
	*num = 0;
	return KMSCAP_VA_REJECT(kmscap_va_drv(ctx), VA_STATUS_ERROR_UNSUPPORTED_FILTER,
				"filter type %d: the driver has no filters", type);
}

VAStatus kmscap_va_query_video_proc_pipeline_caps(VADriverContextP ctx,
						  VAContextID context, VABufferID *filters,
						  unsigned int num, VAProcPipelineCaps *caps)
{
	if (num)
		return KMSCAP_VA_REJECT(kmscap_va_drv(ctx), VA_STATUS_ERROR_UNSUPPORTED_FILTER,
					"%u filters: the driver has none", num);
	caps->pipeline_flags = 0;
	caps->filter_flags = VA_FILTER_SCALING_FAST | VA_FILTER_SCALING_HQ;
	caps->num_forward_references = 0;
	caps->num_backward_references = 0;
	caps->input_color_standards = (VAProcColorStandardType *)kmscap_va_in_std;
	caps->num_input_color_standards = 2;
	caps->output_color_standards = (VAProcColorStandardType *)kmscap_va_out_std;
	caps->num_output_color_standards = 1;
	caps->rotation_flags = 0;
	caps->blend_flags = VA_BLEND_GLOBAL_ALPHA | VA_BLEND_PREMULTIPLIED_ALPHA;
	caps->mirror_flags = 0;
	caps->num_additional_outputs = 0;
	caps->max_input_width = KMSCAP_VA_MAX_WIDTH;
	caps->max_input_height = KMSCAP_VA_MAX_HEIGHT;
	caps->min_input_width = 1;
	caps->min_input_height = 1;
	caps->max_output_width = KMSCAP_VA_MAX_WIDTH;
	caps->max_output_height = KMSCAP_VA_MAX_HEIGHT;
	caps->min_output_width = 2;
	caps->min_output_height = 2;
	return VA_STATUS_SUCCESS;
}
