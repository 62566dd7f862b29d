// SPDX-License-Identifier: MIT
/*
 * av1_enc.c - AV1 encode hooks of the test driver (see kmscap_va.h):
 * VAProfileAV1Profile0, 8-bit (NV12) and 10-bit (P010), lossless.
 *
 * The application sends VAEncSequenceParameterBufferAV1 (first picture and
 * key frames), VAEncPictureParameterBufferAV1, optionally one
 * VAEncTileGroupBufferAV1, and its sequence header and frame header OBUs as
 * packed headers (VA_ENC_PACKED_HEADER_SEQUENCE / _PICTURE).  Both headers
 * are parsed (av1_obu.c) and must agree with the parameters and with what
 * the tile coder does (av1_tile.c: one tile, CodedLossless, 64x64
 * superblocks, every block intra).  The coded buffer receives a temporal
 * delimiter, the sequence header (when sent), the frame header and one
 * OBU_TILE_GROUP; the reconstructed surface receives the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmscap_va.h"
#include <va/va_enc_av1.h>

#include "av1_priv.h"

#define KMSCAP_AV1_PACKED	(VA_ENC_PACKED_HEADER_SEQUENCE | VA_ENC_PACKED_HEADER_PICTURE)
#define KMSCAP_AV1_MAX_REFS	7
#define KMSCAP_AV1_HDR_MAX	4096	/* bytes of a packed header */

struct kmscap_av1_packed {
	bool have;
	uint8_t *data;
	size_t size;
};

struct kmscap_av1_state {
	/* this picture */
	bool have_seq, have_pic, have_tg, pending_param;
	unsigned int pending_type;
	VAEncSequenceParameterBufferAV1 seq;
	VAEncPictureParameterBufferAV1 pic;
	VAEncTileGroupBufferAV1 tg;
	struct kmscap_av1_packed packed_seq, packed_frame;
	/* across pictures */
	bool started;		/* a key frame was encoded */
	VAEncSequenceParameterBufferAV1 active_seq;
	struct kmscap_av1_seq active_hdr;
	uint8_t *active_seq_obu;	/* payload of the last sequence header OBU */
	size_t active_seq_obu_size;
	VASurfaceID slot[8];	/* reconstructed surface in each reference slot */
	struct kmscap_av1_cdfs slot_cdf[8];	/* save_cdfs() of the frame in each slot */
	unsigned int frames;
};

bool kmscap_va_av1_available(void)
{
	return true;
}

static uint32_t kmscap_av1_attrib_av1(void)
{
	VAConfigAttribValEncAV1 v = { .value = 0 };

	/* sequence header flags this driver accepts (it uses none of the tools) */
	v.bits.support_filter_intra = 1;
	v.bits.support_intra_edge_filter = 1;
	return v.value;
}

static uint32_t kmscap_av1_attrib_ext1(void)
{
	VAConfigAttribValEncAV1Ext1 v = { .value = 0 };

	/* every block is intra: any interpolation filter may be signalled */
	v.bits.interpolation_filter = 0x1f;
	return v.value;
}

static uint32_t kmscap_av1_attrib_ext2(void)
{
	VAConfigAttribValEncAV1Ext2 v = { .value = 0 };

	v.bits.tile_size_bytes_minus1 = 3;
	v.bits.obu_size_bytes_minus1 = 3;	/* the tile group's obu_size: 4 bytes */
	v.bits.tx_mode_support = 1;		/* ONLY_4X4 (CodedLossless) */
	v.bits.max_tile_num_minus1 = 0;
	return v.value;
}

uint32_t kmscap_va_av1_attrib(VAEntrypoint ep, VAConfigAttribType type)
{
	switch (type) {
	case VAConfigAttribRTFormat:
		return VA_RT_FORMAT_YUV420 | VA_RT_FORMAT_YUV420_10;
	case VAConfigAttribRateControl:
		return VA_RC_CQP;	/* lossless: no bit rate can be honoured */
	case VAConfigAttribEncPackedHeaders:
		return KMSCAP_AV1_PACKED;
	case VAConfigAttribEncMaxRefFrames:
		return KMSCAP_AV1_MAX_REFS | KMSCAP_AV1_MAX_REFS << 16;
	case VAConfigAttribMaxPictureWidth:
		return KMSCAP_VA_MAX_WIDTH;
	case VAConfigAttribMaxPictureHeight:
		/* and at most MAX_TILE_AREA (4096 x 2304) samples: one tile */
		return KMSCAP_VA_MAX_HEIGHT;
	case VAConfigAttribEncAV1:
		return kmscap_av1_attrib_av1();
	case VAConfigAttribEncAV1Ext1:
		return kmscap_av1_attrib_ext1();
	case VAConfigAttribEncAV1Ext2:
		return kmscap_av1_attrib_ext2();
	default:
		return VA_ATTRIB_NOT_SUPPORTED;
	}
}

long kmscap_va_av1_buffer_size(VABufferType type)
{
	switch (type) {
	case VAEncSequenceParameterBufferType:
		return sizeof(VAEncSequenceParameterBufferAV1);
	case VAEncPictureParameterBufferType:
		return sizeof(VAEncPictureParameterBufferAV1);
	case VAEncSliceParameterBufferType:	/* the tile group buffer */
		return sizeof(VAEncTileGroupBufferAV1);
	default:
		return -1;	/* packed headers, misc and coded: the common rules */
	}
}

static struct kmscap_av1_state *kmscap_av1_state(struct kmscap_va_context *c)
{
	struct kmscap_av1_state *a = c->av1;
	unsigned int i;

	if (a)
		return a;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	for (i = 0; i < 8; i++)
		a->slot[i] = VA_INVALID_SURFACE;
	c->av1 = a;
	return a;
}

static VAStatus kmscap_av1_packed(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
				  struct kmscap_av1_state *a, struct kmscap_va_buffer *b)
{
	const VAEncPackedHeaderParameterBuffer *prm = (const void *)b->data;
	struct kmscap_av1_packed *dst;
	size_t size = (size_t)b->size * b->num_elements;

	if (b->type == VAEncPackedHeaderParameterBufferType) {
		if (a->pending_param)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed header parameter not followed by its data");
		if (prm->type != VAEncPackedHeaderSequence && prm->type != VAEncPackedHeaderPicture)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed header type %#x: AV1 takes the sequence header (VAEncPackedHeaderSequence) and the frame header (VAEncPackedHeaderPicture) only",
						prm->type);
		if (prm->bit_length % 8 || !prm->bit_length)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed header of %u bits: AV1 OBUs are whole bytes",
						prm->bit_length);
		if (prm->has_emulation_bytes)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed AV1 header with has_emulation_bytes set (AV1 has no emulation prevention)");
		if (!(c->config.packed_headers & (prm->type == VAEncPackedHeaderSequence ?
						  VA_ENC_PACKED_HEADER_SEQUENCE :
						  VA_ENC_PACKED_HEADER_PICTURE)))
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed %s header not declared in the config (VAConfigAttribEncPackedHeaders %#x)",
						prm->type == VAEncPackedHeaderSequence ?
						"sequence" : "frame", c->config.packed_headers);
		dst = prm->type == VAEncPackedHeaderSequence ? &a->packed_seq : &a->packed_frame;
		if (dst->have)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"a second packed %s header in one picture",
						prm->type == VAEncPackedHeaderSequence ?
						"sequence" : "frame");
		a->pending_param = true;
		a->pending_type = prm->type;
		/* the length is taken from the parameter: keep it in size */
		dst->size = prm->bit_length / 8;
		return VA_STATUS_SUCCESS;
	}
	if (!a->pending_param)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed header data %#x without a parameter buffer before it",
					b->id);
	a->pending_param = false;
	dst = a->pending_type == VAEncPackedHeaderSequence ? &a->packed_seq : &a->packed_frame;
	if (dst->size > size || dst->size > KMSCAP_AV1_HDR_MAX)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed header data %#x: %zu bytes announced, %zu given (at most %d)",
					b->id, dst->size, size, KMSCAP_AV1_HDR_MAX);
	dst->data = malloc(dst->size);
	if (!dst->data)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	memcpy(dst->data, b->data, dst->size);
	dst->have = true;
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_av1_render(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
			      struct kmscap_va_buffer *b)
{
	struct kmscap_av1_state *a = kmscap_av1_state(c);

	if (!a)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	if (a->pending_param && b->type != VAEncPackedHeaderDataBufferType)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed header parameter not followed by its data");
	switch (b->type) {
	case VAEncSequenceParameterBufferType:
		memcpy(&a->seq, b->data, sizeof(a->seq));
		a->have_seq = true;
		return VA_STATUS_SUCCESS;
	case VAEncPictureParameterBufferType:
		memcpy(&a->pic, b->data, sizeof(a->pic));
		a->have_pic = true;
		return VA_STATUS_SUCCESS;
	case VAEncSliceParameterBufferType:
		if (a->have_tg || b->num_elements != 1)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"more than one tile group: this driver codes one tile in one tile group");
		memcpy(&a->tg, b->data, sizeof(a->tg));
		a->have_tg = true;
		return VA_STATUS_SUCCESS;
	case VAEncPackedHeaderParameterBufferType:
	case VAEncPackedHeaderDataBufferType:
		return kmscap_av1_packed(drv, c, a, b);
	case VAEncMiscParameterBufferType:
		return kmscap_va_enc_render(drv, c, b);
	default:
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNSUPPORTED_BUFFERTYPE,
					"buffer %#x of type %s in an AV1 encode picture", b->id,
					vaBufferTypeStr(b->type));
	}
}

#define KMSCAP_AV1_REJECT(drv, ...) \
	KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER, __VA_ARGS__)

/* Sequence parameters: what the tile coder and the config allow. */
static VAStatus kmscap_av1_check_seq_param(struct kmscap_va_driver *drv,
					   struct kmscap_va_context *c,
					   const VAEncSequenceParameterBufferAV1 *sp)
{
	unsigned int depth = c->config.rt_format == VA_RT_FORMAT_YUV420_10 ? 10 : 8;
	VAConfigAttribValEncAV1 av1 = { .value = kmscap_av1_attrib_av1() };

	if (sp->seq_profile != 0)
		return KMSCAP_AV1_REJECT(drv, "seq_profile %u: only 0 (Main, 4:2:0) is supported",
					 sp->seq_profile);
	if (sp->seq_fields.bits.bit_depth_minus8 + 8u != depth)
		return KMSCAP_AV1_REJECT(drv, "bit_depth_minus8 %u: the config's RT format is %u-bit",
					 sp->seq_fields.bits.bit_depth_minus8, depth);
	if (!sp->seq_fields.bits.subsampling_x || !sp->seq_fields.bits.subsampling_y)
		return KMSCAP_AV1_REJECT(drv, "subsampling_x %u, subsampling_y %u: only 4:2:0 (1, 1) is supported",
					 sp->seq_fields.bits.subsampling_x,
					 sp->seq_fields.bits.subsampling_y);
	if (sp->seq_fields.bits.use_128x128_superblock && !av1.bits.support_128x128_superblock)
		return KMSCAP_AV1_REJECT(drv, "use_128x128_superblock 1: not offered (VAConfigAttribEncAV1)");
	if (sp->seq_fields.bits.enable_interintra_compound ||
	    sp->seq_fields.bits.enable_masked_compound ||
	    sp->seq_fields.bits.enable_warped_motion || sp->seq_fields.bits.enable_dual_filter ||
	    sp->seq_fields.bits.enable_jnt_comp || sp->seq_fields.bits.enable_ref_frame_mvs ||
	    sp->seq_fields.bits.enable_superres || sp->seq_fields.bits.enable_restoration)
		return KMSCAP_AV1_REJECT(drv, "seq_fields %#x: interintra/masked compound, warped motion, dual filter, jnt_comp, ref_frame_mvs, superres and restoration are not offered (VAConfigAttribEncAV1 %#x)",
					 sp->seq_fields.value, av1.value);
	return VA_STATUS_SUCCESS;
}

/* The packed sequence header must say what the parameters say. */
static VAStatus kmscap_av1_check_seq_hdr(struct kmscap_va_driver *drv,
					 struct kmscap_va_context *c,
					 const VAEncSequenceParameterBufferAV1 *sp,
					 const struct kmscap_av1_seq *h)
{
	const char *what = NULL;
	unsigned int hv = 0, pv = 0;

#define KMSCAP_AV1_CMP(name, hval, pval)			\
	do {							\
		if (!what && (unsigned int)(hval) != (unsigned int)(pval)) {	\
			what = name;				\
			hv = (hval);				\
			pv = (pval);				\
		}						\
	} while (0)
	KMSCAP_AV1_CMP("seq_level_idx", h->level_idx0, sp->seq_level_idx);
	KMSCAP_AV1_CMP("seq_tier", h->tier0, sp->seq_tier);
	KMSCAP_AV1_CMP("still_picture", h->still_picture, sp->seq_fields.bits.still_picture);
	KMSCAP_AV1_CMP("use_128x128_superblock", h->use_128x128_superblock,
		       sp->seq_fields.bits.use_128x128_superblock);
	KMSCAP_AV1_CMP("enable_filter_intra", h->enable_filter_intra,
		       sp->seq_fields.bits.enable_filter_intra);
	KMSCAP_AV1_CMP("enable_intra_edge_filter", h->enable_intra_edge_filter,
		       sp->seq_fields.bits.enable_intra_edge_filter);
	KMSCAP_AV1_CMP("enable_interintra_compound", h->enable_interintra_compound,
		       sp->seq_fields.bits.enable_interintra_compound);
	KMSCAP_AV1_CMP("enable_masked_compound", h->enable_masked_compound,
		       sp->seq_fields.bits.enable_masked_compound);
	KMSCAP_AV1_CMP("enable_warped_motion", h->enable_warped_motion,
		       sp->seq_fields.bits.enable_warped_motion);
	KMSCAP_AV1_CMP("enable_dual_filter", h->enable_dual_filter,
		       sp->seq_fields.bits.enable_dual_filter);
	KMSCAP_AV1_CMP("enable_order_hint", h->enable_order_hint,
		       sp->seq_fields.bits.enable_order_hint);
	KMSCAP_AV1_CMP("enable_jnt_comp", h->enable_jnt_comp, sp->seq_fields.bits.enable_jnt_comp);
	KMSCAP_AV1_CMP("enable_ref_frame_mvs", h->enable_ref_frame_mvs,
		       sp->seq_fields.bits.enable_ref_frame_mvs);
	KMSCAP_AV1_CMP("enable_superres", h->enable_superres, sp->seq_fields.bits.enable_superres);
	KMSCAP_AV1_CMP("enable_cdef", h->enable_cdef, sp->seq_fields.bits.enable_cdef);
	KMSCAP_AV1_CMP("enable_restoration", h->enable_restoration,
		       sp->seq_fields.bits.enable_restoration);
	KMSCAP_AV1_CMP("bit depth", h->bit_depth, sp->seq_fields.bits.bit_depth_minus8 + 8);
	if (h->enable_order_hint)
		KMSCAP_AV1_CMP("order_hint_bits_minus_1", h->order_hint_bits - 1,
			       sp->order_hint_bits_minus_1);
	KMSCAP_AV1_CMP("max_frame_width_minus_1", h->max_width - 1, c->width - 1);
	KMSCAP_AV1_CMP("max_frame_height_minus_1", h->max_height - 1, c->height - 1);
#undef KMSCAP_AV1_CMP
	if (what)
		return KMSCAP_AV1_REJECT(drv, "packed sequence header: %s %u, but the parameters (or the %ux%u context) say %u",
					 what, hv, c->width, c->height, pv);
	if (h->mono_chrome)
		return KMSCAP_AV1_REJECT(drv, "packed sequence header: mono_chrome 1 is not supported");
	if (h->film_grain_params_present)
		return KMSCAP_AV1_REJECT(drv, "packed sequence header: film_grain_params_present 1 is not supported");
	return VA_STATUS_SUCCESS;
}

/* Picture parameters against the context, the config and the lossless coder. */
static VAStatus kmscap_av1_check_pic(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
				     struct kmscap_av1_state *a)
{
	const VAEncPictureParameterBufferAV1 *p = &a->pic;
	unsigned int ft = p->picture_flags.bits.frame_type, i;
	struct kmscap_va_surface *s;
	VAStatus st = VA_STATUS_SUCCESS;

	if (p->frame_width_minus_1 + 1u != c->width || p->frame_height_minus_1 + 1u != c->height)
		return KMSCAP_AV1_REJECT(drv, "frame size %ux%u differs from the %ux%u context",
					 p->frame_width_minus_1 + 1u, p->frame_height_minus_1 + 1u,
					 c->width, c->height);
	if ((unsigned long)c->width * c->height > KMSCAP_AV1_MAX_TILE_AREA)
		return KMSCAP_AV1_REJECT(drv, "frame %ux%u larger than one tile (%u samples; MAX_TILE_AREA): this driver codes one tile",
					 c->width, c->height, KMSCAP_AV1_MAX_TILE_AREA);
	if (ft == KMSCAP_AV1_SWITCH_FRAME)
		return KMSCAP_AV1_REJECT(drv, "frame_type 3 (switch frame) is not supported");
	if (!a->started && ft != KMSCAP_AV1_KEY_FRAME)
		return KMSCAP_AV1_REJECT(drv, "first picture has frame_type %u, not a key frame", ft);
	if (p->base_qindex || p->y_dc_delta_q || p->u_dc_delta_q || p->u_ac_delta_q ||
	    p->v_dc_delta_q || p->v_ac_delta_q)
		return KMSCAP_AV1_REJECT(drv, "base_qindex %u, delta q %d/%d/%d/%d/%d: this test driver only encodes AV1 lossless (base_qindex 0, no delta q)",
					 p->base_qindex, p->y_dc_delta_q, p->u_dc_delta_q,
					 p->u_ac_delta_q, p->v_dc_delta_q, p->v_ac_delta_q);
	if (p->min_base_qindex > p->max_base_qindex)
		return KMSCAP_AV1_REJECT(drv, "min_base_qindex %u above max_base_qindex %u",
					 p->min_base_qindex, p->max_base_qindex);
	if (p->picture_flags.bits.use_superres || p->picture_flags.bits.enable_frame_obu ||
	    p->picture_flags.bits.allow_intrabc || p->picture_flags.bits.palette_mode_enable)
		return KMSCAP_AV1_REJECT(drv, "picture_flags %#x: use_superres, enable_frame_obu, allow_intrabc and palette_mode_enable are not supported",
					 p->picture_flags.value);
	if (p->mode_control_flags.bits.delta_q_present ||
	    p->mode_control_flags.bits.delta_lf_present || p->mode_control_flags.bits.tx_mode ||
	    p->mode_control_flags.bits.reference_mode ||
	    p->mode_control_flags.bits.skip_mode_present)
		return KMSCAP_AV1_REJECT(drv, "mode_control_flags %#x: a lossless frame has no delta q/lf, tx_mode ONLY_4X4 (0), single reference (0), no skip mode",
					 p->mode_control_flags.value);
	if (p->segments.seg_flags.bits.segmentation_enabled)
		return KMSCAP_AV1_REJECT(drv, "segmentation is not supported");
	if (p->filter_level[0] || p->filter_level[1] || p->filter_level_u || p->filter_level_v ||
	    p->cdef_bits || p->cdef_y_strengths[0] || p->cdef_uv_strengths[0] ||
	    p->loop_restoration_flags.value & 0x3f)
		return KMSCAP_AV1_REJECT(drv, "loop filter levels %u/%u/%u/%u, cdef_bits %u, strengths %u/%u, restoration %#x: a lossless frame has no loop filter, CDEF or restoration (all 0)",
					 p->filter_level[0], p->filter_level[1], p->filter_level_u,
					 p->filter_level_v, p->cdef_bits, p->cdef_y_strengths[0],
					 p->cdef_uv_strengths[0], p->loop_restoration_flags.value);
	if (p->tile_cols != 1 || p->tile_rows != 1 || p->num_tile_groups_minus1 ||
	    p->context_update_tile_id)
		return KMSCAP_AV1_REJECT(drv, "tile_cols %u, tile_rows %u, num_tile_groups_minus1 %u, context_update_tile_id %u: this driver codes one tile (1, 1, 0, 0)",
					 p->tile_cols, p->tile_rows, p->num_tile_groups_minus1,
					 p->context_update_tile_id);
	if (a->have_tg && (a->tg.tg_start || a->tg.tg_end))
		return KMSCAP_AV1_REJECT(drv, "tile group %u..%u: the frame has one tile (0..0)",
					 a->tg.tg_start, a->tg.tg_end);
	if (p->tile_group_obu_hdr_info.bits.obu_extension_flag)
		return KMSCAP_AV1_REJECT(drv, "tile group OBU with an extension header: scalability is not supported");
	if (p->primary_ref_frame > KMSCAP_AV1_PRIMARY_REF_NONE)
		return KMSCAP_AV1_REJECT(drv, "primary_ref_frame %u above 7", p->primary_ref_frame);
	s = kmscap_va_surface_get(drv, p->reconstructed_frame, &st, __func__);
	if (!s)
		return st;
	if (s->fourcc != (c->config.rt_format == VA_RT_FORMAT_YUV420_10 ? VA_FOURCC_P010 :
			  VA_FOURCC_NV12) || s->width < c->width || s->height < c->height)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_SURFACE,
					"reconstructed_frame %#x (%ux%u) must be %s covering the %ux%u context",
					s->id, s->width, s->height,
					c->config.rt_format == VA_RT_FORMAT_YUV420_10 ? "P010" :
					"NV12", c->width, c->height);
	if (p->reconstructed_frame == c->render_target)
		return KMSCAP_AV1_REJECT(drv, "reconstructed_frame %#x is the input surface",
					 p->reconstructed_frame);
	for (i = 0; i < 8; i++) {
		if (p->reference_frames[i] == VA_INVALID_SURFACE)
			continue;
		if (!kmscap_va_surface_get(drv, p->reference_frames[i], &st, __func__))
			return st;
		if (p->reference_frames[i] != a->slot[i])
			return KMSCAP_AV1_REJECT(drv, "reference_frames[%u] %#x is not the reconstructed frame in slot %u (%#x)",
						 i, p->reference_frames[i], i, a->slot[i]);
	}
	for (i = 0; i < 8 && ft != KMSCAP_AV1_KEY_FRAME; i++)
		if (a->slot[i] == (VASurfaceID)p->reconstructed_frame)
			return KMSCAP_AV1_REJECT(drv, "reconstructed_frame %#x is still the reference frame in slot %u",
						 p->reconstructed_frame, i);
	if (ft == KMSCAP_AV1_INTER_FRAME) {
		for (i = 0; i < 7; i++) {
			unsigned int idx = p->ref_frame_idx[i];

			if (idx > 7 || p->reference_frames[idx] == VA_INVALID_SURFACE)
				return KMSCAP_AV1_REJECT(drv, "ref_frame_idx[%u] %u: no reference frame in that slot",
							 i, idx);
		}
	} else if (p->primary_ref_frame != KMSCAP_AV1_PRIMARY_REF_NONE) {
		return KMSCAP_AV1_REJECT(drv, "primary_ref_frame %u in an intra frame (must be 7, none)",
					 p->primary_ref_frame);
	}
	return VA_STATUS_SUCCESS;
}

/* The packed frame header must say what the picture parameters say. */
static VAStatus kmscap_av1_check_frame_hdr(struct kmscap_va_driver *drv,
					   const VAEncPictureParameterBufferAV1 *p,
					   const struct kmscap_av1_seq *sh,
					   const struct kmscap_av1_frame_hdr *h)
{
	const char *what = NULL;
	unsigned int hv = 0, pv = 0, i;

#define KMSCAP_AV1_CMP(name, hval, pval)			\
	do {							\
		if (!what && (unsigned int)(hval) != (unsigned int)(pval)) {	\
			what = name;				\
			hv = (hval);				\
			pv = (pval);				\
		}						\
	} while (0)
	KMSCAP_AV1_CMP("frame_type", h->frame_type, p->picture_flags.bits.frame_type);
	KMSCAP_AV1_CMP("error_resilient_mode", h->error_resilient_mode,
		       p->picture_flags.bits.error_resilient_mode ||
		       (h->frame_type == KMSCAP_AV1_KEY_FRAME && h->show_frame));
	KMSCAP_AV1_CMP("disable_cdf_update", h->disable_cdf_update,
		       p->picture_flags.bits.disable_cdf_update);
	KMSCAP_AV1_CMP("disable_frame_end_update_cdf", h->disable_frame_end_update_cdf,
		       p->picture_flags.bits.disable_frame_end_update_cdf ||
		       h->disable_cdf_update);
	KMSCAP_AV1_CMP("reduced_tx_set", h->reduced_tx_set, p->picture_flags.bits.reduced_tx_set);
	KMSCAP_AV1_CMP("order_hint", h->order_hint, sh->enable_order_hint ?
		       p->order_hint & ((1u << sh->order_hint_bits) - 1) : 0);
	KMSCAP_AV1_CMP("primary_ref_frame", h->primary_ref_frame, p->primary_ref_frame);
	KMSCAP_AV1_CMP("refresh_frame_flags", h->refresh_frame_flags, p->refresh_frame_flags);
	KMSCAP_AV1_CMP("using_qmatrix", h->using_qmatrix, p->qmatrix_flags.bits.using_qmatrix);
	KMSCAP_AV1_CMP("allow_intrabc", h->allow_intrabc, p->picture_flags.bits.allow_intrabc);
	if (h->frame_type == KMSCAP_AV1_INTER_FRAME)
		for (i = 0; i < 7; i++)
			KMSCAP_AV1_CMP("ref_frame_idx", h->ref_frame_idx[i], p->ref_frame_idx[i]);
#undef KMSCAP_AV1_CMP
	if (what)
		return KMSCAP_AV1_REJECT(drv, "packed frame header: %s %u, but the picture parameters say %u",
					 what, hv, pv);
	if (h->allow_screen_content_tools)
		return KMSCAP_AV1_REJECT(drv, "packed frame header: allow_screen_content_tools 1 (palette) is not supported");
	if (h->frame_type == KMSCAP_AV1_INTRA_ONLY_FRAME && h->refresh_frame_flags == 0xff)
		return KMSCAP_AV1_REJECT(drv, "packed frame header: an intra-only frame must not refresh all 8 slots");
	return VA_STATUS_SUCCESS;
}

static void kmscap_av1_copy_recon(struct kmscap_va_driver *drv, struct kmscap_va_surface *src,
				  VASurfaceID recon_id, unsigned int w, unsigned int h)
{
	struct kmscap_va_surface *dst = kmscap_va_obj_get(drv, KMSCAP_VA_OBJ_SURFACE, recon_id,
							  NULL);
	unsigned int bps = src->fourcc == VA_FOURCC_P010 ? 2 : 1, y;

	if (!dst || dst == src)
		return;
	for (y = 0; y < h; y++)
		memcpy(dst->data + dst->offset[0] + (size_t)y * dst->pitch[0],
		       src->data + src->offset[0] + (size_t)y * src->pitch[0], (size_t)w * bps);
	for (y = 0; y < (h + 1) / 2; y++)
		memcpy(dst->data + dst->offset[1] + (size_t)y * dst->pitch[1],
		       src->data + src->offset[1] + (size_t)y * src->pitch[1],
		       (size_t)((w + 1) & ~1u) * bps);
}

/* leb128 in exactly 4 bytes (VAConfigAttribEncAV1Ext2 obu_size_bytes_minus1 3) */
static void kmscap_av1_leb128_4(uint8_t *p, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(((v >> (7 * i)) & 0x7f) | (i < 3 ? 0x80 : 0));
}

static VAStatus kmscap_av1_parse_packed(struct kmscap_va_driver *drv,
					const struct kmscap_av1_packed *pk, int want,
					const uint8_t **payload, size_t *psize, const char *what)
{
	char err[256];
	size_t total;
	int type = kmscap_av1_obu_split(pk->data, pk->size, payload, psize, &total, err,
					sizeof(err));

	if (type < 0)
		return KMSCAP_AV1_REJECT(drv, "packed %s header: %s", what, err);
	if (type != want)
		return KMSCAP_AV1_REJECT(drv, "packed %s header: OBU type %d, expected %d%s", what,
					 type, want,
					 type == KMSCAP_AV1_OBU_TEMPORAL_DELIMITER ?
					 " (the driver writes the temporal delimiter itself)" :
					 type == KMSCAP_AV1_OBU_FRAME ?
					 " (OBU_FRAME: the driver writes the tile group itself)" : "");
	if (total != pk->size)
		return KMSCAP_AV1_REJECT(drv, "packed %s header: %zu bytes after the OBU (one OBU expected)",
					 what, pk->size - total);
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_av1_execute(struct kmscap_va_driver *drv, struct kmscap_va_context *c)
{
	struct kmscap_av1_state *a = kmscap_av1_state(c);
	const VAEncSequenceParameterBufferAV1 *sp;
	struct kmscap_av1_seq seq_hdr;
	struct kmscap_av1_frame_hdr fh;
	struct kmscap_av1_tile_params tp = { 0 };
	struct kmscap_av1_picture pic;
	struct kmscap_va_coded_out o;
	struct kmscap_va_buffer *coded;
	struct kmscap_va_surface *src;
	struct kmscap_av1_ec ec;
	const uint8_t *payload;
	size_t psize;
	VAStatus st = VA_STATUS_SUCCESS;
	struct kmscap_av1_cdfs frame_cdf, tile_cdf;
	bool seq_changed;
	char err[256];
	uint8_t obu[5];
	unsigned int i;

	if (!a)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	if (a->pending_param)
		return KMSCAP_AV1_REJECT(drv, "packed header parameter without data at vaEndPicture");
	if (!a->have_pic)
		return KMSCAP_AV1_REJECT(drv, "picture without a picture parameter buffer");
	if (!a->have_seq && !a->started)
		return KMSCAP_AV1_REJECT(drv, "first picture without a sequence parameter buffer");
	if (!(c->config.packed_headers & VA_ENC_PACKED_HEADER_PICTURE) ||
	    !(c->config.packed_headers & VA_ENC_PACKED_HEADER_SEQUENCE))
		return KMSCAP_AV1_REJECT(drv, "config without VA_ENC_PACKED_HEADER_SEQUENCE | VA_ENC_PACKED_HEADER_PICTURE (%#x): this driver does not write AV1 headers itself",
					 c->config.packed_headers);
	if (!a->packed_frame.have)
		return KMSCAP_AV1_REJECT(drv, "picture without a packed frame header (VAEncPackedHeaderPicture)");
	if (!a->packed_seq.have && !a->started)
		return KMSCAP_AV1_REJECT(drv, "first picture without a packed sequence header (VAEncPackedHeaderSequence)");
	sp = a->have_seq ? &a->seq : &a->active_seq;
	if (a->have_seq && a->started && memcmp(&a->seq, &a->active_seq, sizeof(a->seq)) &&
	    a->pic.picture_flags.bits.frame_type != KMSCAP_AV1_KEY_FRAME)
		return KMSCAP_AV1_REJECT(drv, "sequence parameters changed on a frame that is not a key frame");
	st = kmscap_av1_check_seq_param(drv, c, sp);
	if (st != VA_STATUS_SUCCESS)
		return st;
	seq_hdr = a->active_hdr;
	seq_changed = false;
	if (a->packed_seq.have) {
		st = kmscap_av1_parse_packed(drv, &a->packed_seq, KMSCAP_AV1_OBU_SEQUENCE_HEADER,
					     &payload, &psize, "sequence");
		if (st != VA_STATUS_SUCCESS)
			return st;
		if (!kmscap_av1_parse_seq(payload, psize, &seq_hdr, err, sizeof(err)))
			return KMSCAP_AV1_REJECT(drv, "packed sequence header: %s", err);
		/* the content counts, not how obu_size is written */
		seq_changed = !a->active_seq_obu || a->active_seq_obu_size != psize ||
			      memcmp(a->active_seq_obu, payload, psize);
		if (seq_changed && a->started &&
		    a->pic.picture_flags.bits.frame_type != KMSCAP_AV1_KEY_FRAME)
			return KMSCAP_AV1_REJECT(drv, "a different sequence header on a frame that is not a key frame");
	}
	st = kmscap_av1_check_seq_hdr(drv, c, sp, &seq_hdr);
	if (st != VA_STATUS_SUCCESS)
		return st;
	st = kmscap_av1_check_pic(drv, c, a);
	if (st != VA_STATUS_SUCCESS)
		return st;
	st = kmscap_av1_parse_packed(drv, &a->packed_frame, KMSCAP_AV1_OBU_FRAME_HEADER, &payload,
				     &psize, "frame");
	if (st != VA_STATUS_SUCCESS)
		return st;
	if (!kmscap_av1_parse_frame(payload, psize, &seq_hdr, &fh, err, sizeof(err)))
		return KMSCAP_AV1_REJECT(drv, "packed frame header: %s", err);
	st = kmscap_av1_check_frame_hdr(drv, &a->pic, &seq_hdr, &fh);
	if (st != VA_STATUS_SUCCESS)
		return st;
	if (fh.frame_type == KMSCAP_AV1_KEY_FRAME && !fh.show_frame && !a->started)
		return KMSCAP_AV1_REJECT(drv, "the first key frame must be shown");
	st = kmscap_va_enc_check_rc(drv, c);
	if (st != VA_STATUS_SUCCESS)
		return st;
	coded = kmscap_va_coded_get(drv, a->pic.coded_buf, &st, __func__);
	if (!coded)
		return st;
	src = kmscap_va_surface_get(drv, c->render_target, &st, __func__);
	if (!src)
		return st;

	/* the tile */
	pic.width = c->width;
	pic.height = c->height;
	pic.bit_depth = seq_hdr.bit_depth;
	pic.luma = src->data + src->offset[0];
	pic.chroma = src->data + src->offset[1];
	pic.luma_pitch = src->pitch[0];
	pic.chroma_pitch = src->pitch[1];
	tp.intra_frame = fh.frame_type == KMSCAP_AV1_KEY_FRAME ||
			 fh.frame_type == KMSCAP_AV1_INTRA_ONLY_FRAME;
	tp.disable_cdf_update = fh.disable_cdf_update;
	tp.enable_filter_intra = seq_hdr.enable_filter_intra;
	/* the frame's CDFs: defaults, or load_cdfs() from the primary reference */
	if (fh.primary_ref_frame == KMSCAP_AV1_PRIMARY_REF_NONE) {
		kmscap_av1_cdfs_default(&frame_cdf);
	} else {
		frame_cdf = a->slot_cdf[fh.ref_frame_idx[fh.primary_ref_frame]];
		kmscap_av1_cdfs_clear_counts(&frame_cdf);
	}
	tile_cdf = frame_cdf;
	kmscap_av1_ec_init(&ec, !fh.disable_cdf_update);
	if (!kmscap_av1_encode_tile(&ec, &pic, &tp, &tile_cdf)) {
		kmscap_av1_ec_free(&ec);
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	}

	/* temporal delimiter, sequence header, frame header, tile group */
	kmscap_va_coded_begin(&o, coded);
	obu[0] = KMSCAP_AV1_OBU_TEMPORAL_DELIMITER << 3 | 2;
	obu[1] = 0;
	kmscap_va_coded_raw(&o, obu, 2);
	if (a->packed_seq.have)
		kmscap_va_coded_raw(&o, a->packed_seq.data, a->packed_seq.size);
	kmscap_va_coded_raw(&o, a->packed_frame.data, a->packed_frame.size);
	obu[0] = KMSCAP_AV1_OBU_TILE_GROUP << 3 | 2;
	kmscap_av1_leb128_4(obu + 1, (uint32_t)ec.len);
	kmscap_va_coded_raw(&o, obu, 5);
	kmscap_va_coded_raw(&o, ec.buf, ec.len);
	kmscap_av1_ec_free(&ec);
	st = kmscap_va_coded_finish(drv, &o);
	if (st != VA_STATUS_SUCCESS)
		return st;

	/* lossless: the reconstruction is the input */
	kmscap_av1_copy_recon(drv, src, a->pic.reconstructed_frame, c->width, c->height);
	/* frame_end_update_cdf() (one tile), then save_cdfs() into the refreshed slots */
	if (!fh.disable_frame_end_update_cdf)
		frame_cdf = tile_cdf;
	for (i = 0; i < 8; i++) {
		if (!(fh.refresh_frame_flags & (1u << i)))
			continue;
		a->slot[i] = a->pic.reconstructed_frame;
		a->slot_cdf[i] = frame_cdf;
	}
	if (a->have_seq)
		a->active_seq = a->seq;
	if (a->packed_seq.have && seq_changed) {
		uint8_t *copy;

		st = kmscap_av1_parse_packed(drv, &a->packed_seq, KMSCAP_AV1_OBU_SEQUENCE_HEADER,
					     &payload, &psize, "sequence");
		copy = malloc(psize);
		if (st == VA_STATUS_SUCCESS && copy) {
			memcpy(copy, payload, psize);
			free(a->active_seq_obu);
			a->active_seq_obu = copy;
			a->active_seq_obu_size = psize;
		} else {
			free(copy);
		}
	}
	a->active_hdr = seq_hdr;
	a->started = true;
	a->frames++;
	return VA_STATUS_SUCCESS;
}

void kmscap_va_av1_reset_picture(struct kmscap_va_context *c)
{
	struct kmscap_av1_state *a = c->av1;

	if (!a)
		return;
	free(a->packed_seq.data);
	free(a->packed_frame.data);
	memset(&a->packed_seq, 0, sizeof(a->packed_seq));
	memset(&a->packed_frame, 0, sizeof(a->packed_frame));
	a->have_seq = a->have_pic = a->have_tg = a->pending_param = false;
}

void kmscap_va_av1_destroy(struct kmscap_va_context *c)
{
	struct kmscap_av1_state *a = c->av1;

	if (a) {
		kmscap_va_av1_reset_picture(c);
		free(a->active_seq_obu);
		free(a);
	}
	c->av1 = NULL;
}
