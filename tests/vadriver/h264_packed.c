// SPDX-License-Identifier: MIT
/*
 * h264_packed.c - the parameter sets a caller packs for H.264, read as a
 * decoder reads them.  Each packed header is split into NAL units
 * (kmscap_va_packed_split(): unescaped data is one unit, as drivers take
 * it); an SPS or PPS is parsed to its rbsp_trailing_bits(), and what it
 * says must agree with the sequence and picture parameters the slices are
 * written from.  A header that would not parse, or that describes another
 * stream, is refused at vaEndPicture with the field at fault.
 */
#include <stdlib.h>
#include <string.h>

#include "kmscap_va.h"

/* What the checks compare; the rest is parsed for its syntax only. */
struct kmscap_va_h264_sps {
	unsigned int profile_idc, level_idc, sps_id, chroma_format_idc;
	unsigned int bit_depth_luma, bit_depth_chroma;
	unsigned int log2_max_frame_num, poc_type, log2_max_poc_lsb;
	unsigned int max_num_ref_frames, width_mbs, height_mbs, frame_mbs_only;
	bool timing;
	uint32_t num_units_in_tick, time_scale;
	bool restriction;
	unsigned int max_num_reorder, max_dec_frame_buffering;
};

struct kmscap_va_h264_pps {
	unsigned int pps_id, sps_id, entropy, bottom_field_pic_order, weighted_pred;
	unsigned int weighted_bipred, pic_init_qp, deblocking_control, constrained_intra;
	unsigned int redundant_pic_cnt, transform_8x8;
};

/* A reason a header is refused, or NULL. */
typedef const char *kmscap_va_why;

static bool kmscap_va_h264_high(unsigned int idc)
{
	static const uint8_t high[] = { 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139,
					134, 135 };
	unsigned int i;

	for (i = 0; i < sizeof(high); i++)
		if (idc == high[i])
			return true;
	return false;
}

static void kmscap_va_h264_scaling_list(struct kmscap_va_rbits *r, unsigned int size)
{
	int last = 8, next = 8;
	unsigned int j;

	for (j = 0; j < size && !r->err; j++) {
		if (next) {
			int32_t delta = kmscap_va_rbits_se(r);

			if (delta < -128 || delta > 127)
				r->err = true;
			next = (last + delta + 256) % 256;
		}
		last = next ? next : last;
	}
}

static void kmscap_va_h264_hrd(struct kmscap_va_rbits *r)
{
	unsigned int n = kmscap_va_rbits_ue(r) + 1, i;

	if (n > 32) {
		r->err = true;
		return;
	}
	kmscap_va_rbits_u(r, 8);		/* bit_rate_scale, cpb_size_scale */
	for (i = 0; i < n; i++) {
		kmscap_va_rbits_ue(r);		/* bit_rate_value_minus1 */
		kmscap_va_rbits_ue(r);		/* cpb_size_value_minus1 */
		kmscap_va_rbits_u(r, 1);	/* cbr_flag */
	}
	kmscap_va_rbits_u(r, 20);		/* four delay and offset lengths */
}

static kmscap_va_why kmscap_va_h264_vui(struct kmscap_va_rbits *r, struct kmscap_va_h264_sps *s)
{
	bool nal_hrd, vcl_hrd;

	if (kmscap_va_rbits_u(r, 1) && kmscap_va_rbits_u(r, 8) == 255)	/* aspect_ratio_idc */
		kmscap_va_rbits_u(r, 32);	/* sar_width, sar_height */
	if (kmscap_va_rbits_u(r, 1))		/* overscan_info_present_flag */
		kmscap_va_rbits_u(r, 1);
	if (kmscap_va_rbits_u(r, 1)) {		/* video_signal_type_present_flag */
		kmscap_va_rbits_u(r, 4);	/* video_format, video_full_range_flag */
		if (kmscap_va_rbits_u(r, 1))	/* colour_description_present_flag */
			kmscap_va_rbits_u(r, 24);
	}
	if (kmscap_va_rbits_u(r, 1)) {		/* chroma_loc_info_present_flag */
		kmscap_va_rbits_ue(r);
		kmscap_va_rbits_ue(r);
	}
	s->timing = kmscap_va_rbits_u(r, 1);
	if (s->timing) {
		s->num_units_in_tick = kmscap_va_rbits_u(r, 32);
		s->time_scale = kmscap_va_rbits_u(r, 32);
		kmscap_va_rbits_u(r, 1);	/* fixed_frame_rate_flag */
		if (!r->err && (!s->num_units_in_tick || !s->time_scale))
			return "num_units_in_tick and time_scale must not be 0";
	}
	nal_hrd = kmscap_va_rbits_u(r, 1);
	if (nal_hrd)
		kmscap_va_h264_hrd(r);
	vcl_hrd = kmscap_va_rbits_u(r, 1);
	if (vcl_hrd)
		kmscap_va_h264_hrd(r);
	if (nal_hrd || vcl_hrd)
		kmscap_va_rbits_u(r, 1);	/* low_delay_hrd_flag */
	kmscap_va_rbits_u(r, 1);		/* pic_struct_present_flag */
	s->restriction = kmscap_va_rbits_u(r, 1);
	if (s->restriction) {
		kmscap_va_rbits_u(r, 1);	/* motion_vectors_over_pic_boundaries_flag */
		kmscap_va_rbits_ue(r);		/* max_bytes_per_pic_denom */
		kmscap_va_rbits_ue(r);		/* max_bits_per_mb_denom */
		kmscap_va_rbits_ue(r);		/* log2_max_mv_length_horizontal */
		kmscap_va_rbits_ue(r);		/* log2_max_mv_length_vertical */
		s->max_num_reorder = kmscap_va_rbits_ue(r);
		s->max_dec_frame_buffering = kmscap_va_rbits_ue(r);
		if (!r->err && (s->max_num_reorder > s->max_dec_frame_buffering ||
				s->max_dec_frame_buffering < s->max_num_ref_frames))
			return "max_dec_frame_buffering below max_num_reorder_frames or max_num_ref_frames";
	}
	return NULL;
}

/* seq_parameter_set_rbsp() of @rbsp (NAL header included). */
static kmscap_va_why kmscap_va_h264_parse_sps(const uint8_t *rbsp, size_t len,
					      struct kmscap_va_h264_sps *s)
{
	struct kmscap_va_rbits r = { .p = rbsp, .len = len };
	kmscap_va_why why = NULL;
	unsigned int i, n;

	memset(s, 0, sizeof(*s));
	kmscap_va_rbits_u(&r, 8);		/* NAL header */
	s->profile_idc = kmscap_va_rbits_u(&r, 8);
	kmscap_va_rbits_u(&r, 8);		/* constraint_set flags, reserved_zero_2bits */
	s->level_idc = kmscap_va_rbits_u(&r, 8);
	s->sps_id = kmscap_va_rbits_ue(&r);
	s->chroma_format_idc = 1;
	s->bit_depth_luma = s->bit_depth_chroma = 8;
	if (kmscap_va_h264_high(s->profile_idc)) {
		s->chroma_format_idc = kmscap_va_rbits_ue(&r);
		if (s->chroma_format_idc == 3)
			kmscap_va_rbits_u(&r, 1);	/* separate_colour_plane_flag */
		s->bit_depth_luma = kmscap_va_rbits_ue(&r) + 8;
		s->bit_depth_chroma = kmscap_va_rbits_ue(&r) + 8;
		kmscap_va_rbits_u(&r, 1);	/* qpprime_y_zero_transform_bypass_flag */
		if (kmscap_va_rbits_u(&r, 1)) {	/* seq_scaling_matrix_present_flag */
			n = s->chroma_format_idc != 3 ? 8 : 12;
			for (i = 0; i < n && !r.err; i++)
				if (kmscap_va_rbits_u(&r, 1))
					kmscap_va_h264_scaling_list(&r, i < 6 ? 16 : 64);
		}
	}
	s->log2_max_frame_num = kmscap_va_rbits_ue(&r) + 4;
	s->poc_type = kmscap_va_rbits_ue(&r);
	if (s->poc_type == 0) {
		s->log2_max_poc_lsb = kmscap_va_rbits_ue(&r) + 4;
	} else if (s->poc_type == 1) {
		kmscap_va_rbits_u(&r, 1);	/* delta_pic_order_always_zero_flag */
		kmscap_va_rbits_se(&r);		/* offset_for_non_ref_pic */
		kmscap_va_rbits_se(&r);		/* offset_for_top_to_bottom_field */
		n = kmscap_va_rbits_ue(&r);
		if (n > 255)
			return "num_ref_frames_in_pic_order_cnt_cycle above 255";
		for (i = 0; i < n && !r.err; i++)
			kmscap_va_rbits_se(&r);
	} else if (s->poc_type > 2) {
		return "pic_order_cnt_type above 2";
	}
	s->max_num_ref_frames = kmscap_va_rbits_ue(&r);
	kmscap_va_rbits_u(&r, 1);		/* gaps_in_frame_num_value_allowed_flag */
	s->width_mbs = kmscap_va_rbits_ue(&r) + 1;
	s->height_mbs = kmscap_va_rbits_ue(&r) + 1;
	s->frame_mbs_only = kmscap_va_rbits_u(&r, 1);
	if (!s->frame_mbs_only)
		kmscap_va_rbits_u(&r, 1);	/* mb_adaptive_frame_field_flag */
	kmscap_va_rbits_u(&r, 1);		/* direct_8x8_inference_flag */
	if (kmscap_va_rbits_u(&r, 1))		/* frame_cropping_flag */
		for (i = 0; i < 4; i++)
			kmscap_va_rbits_ue(&r);
	if (kmscap_va_rbits_u(&r, 1))		/* vui_parameters_present_flag */
		why = kmscap_va_h264_vui(&r, s);
	if (why)
		return why;
	if (r.err)
		return "it ends before its last field";
	if (!kmscap_va_rbits_trailing(&r))
		return "no rbsp_trailing_bits() at its end";
	return NULL;
}

/* More syntax before the rbsp_trailing_bits() (the last one bit)? */
static bool kmscap_va_more_rbsp_data(const struct kmscap_va_rbits *r)
{
	size_t i = r->len, last;

	while (i && !r->p[i - 1])
		i--;
	if (!i)
		return false;
	last = (i - 1) * 8 + 7 - __builtin_ctz(r->p[i - 1]);
	return r->pos < last;
}

/* pic_parameter_set_rbsp() of @rbsp (NAL header included). */
static kmscap_va_why kmscap_va_h264_parse_pps(const uint8_t *rbsp, size_t len,
					      unsigned int chroma_format_idc,
					      struct kmscap_va_h264_pps *p)
{
	struct kmscap_va_rbits r = { .p = rbsp, .len = len };
	unsigned int i, n;

	memset(p, 0, sizeof(*p));
	kmscap_va_rbits_u(&r, 8);		/* NAL header */
	p->pps_id = kmscap_va_rbits_ue(&r);
	p->sps_id = kmscap_va_rbits_ue(&r);
	p->entropy = kmscap_va_rbits_u(&r, 1);
	p->bottom_field_pic_order = kmscap_va_rbits_u(&r, 1);
	if (kmscap_va_rbits_ue(&r) && !r.err)
		return "slice groups (FMO) are not supported";
	kmscap_va_rbits_ue(&r);			/* num_ref_idx_l0_default_active_minus1 */
	kmscap_va_rbits_ue(&r);			/* num_ref_idx_l1_default_active_minus1 */
	p->weighted_pred = kmscap_va_rbits_u(&r, 1);
	p->weighted_bipred = kmscap_va_rbits_u(&r, 2);
	p->pic_init_qp = (unsigned int)(26 + kmscap_va_rbits_se(&r));
	kmscap_va_rbits_se(&r);			/* pic_init_qs_minus26 */
	kmscap_va_rbits_se(&r);			/* chroma_qp_index_offset */
	p->deblocking_control = kmscap_va_rbits_u(&r, 1);
	p->constrained_intra = kmscap_va_rbits_u(&r, 1);
	p->redundant_pic_cnt = kmscap_va_rbits_u(&r, 1);
	if (!r.err && kmscap_va_more_rbsp_data(&r)) {
		p->transform_8x8 = kmscap_va_rbits_u(&r, 1);
		if (kmscap_va_rbits_u(&r, 1)) {	/* pic_scaling_matrix_present_flag */
			n = 6 + (chroma_format_idc != 3 ? 2 : 6) * p->transform_8x8;
			for (i = 0; i < n && !r.err; i++)
				if (kmscap_va_rbits_u(&r, 1))
					kmscap_va_h264_scaling_list(&r, i < 6 ? 16 : 64);
		}
		kmscap_va_rbits_se(&r);		/* second_chroma_qp_index_offset */
	}
	if (r.err)
		return "it ends before its last field";
	if (!kmscap_va_rbits_trailing(&r))
		return "no rbsp_trailing_bits() at its end";
	return NULL;
}

#define KMSCAP_VA_SAME(field, a, b)						\
	do {									\
		if ((unsigned int)(a) != (unsigned int)(b))			\
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER, \
						"packed %s in header %u: %s is %u, the parameters say %u", \
						what, index, field, (unsigned int)(a),	\
						(unsigned int)(b));			\
	} while (0)

static VAStatus kmscap_va_h264_check_sps(struct kmscap_va_driver *drv,
					 const struct kmscap_va_context *c,
					 const struct kmscap_va_h264_sps *s, unsigned int index)
{
	const VAEncSequenceParameterBufferH264 *seq = &c->enc.seq;
	const char *what = "SPS";
	unsigned int constraints;

	KMSCAP_VA_SAME("profile_idc", s->profile_idc,
		       kmscap_va_h264_profile_idc(c->config.profile, &constraints));
	KMSCAP_VA_SAME("level_idc", s->level_idc, seq->level_idc);
	KMSCAP_VA_SAME("seq_parameter_set_id", s->sps_id, seq->seq_parameter_set_id);
	KMSCAP_VA_SAME("chroma_format_idc", s->chroma_format_idc, 1);
	KMSCAP_VA_SAME("bit depth (luma)", s->bit_depth_luma, 8);
	KMSCAP_VA_SAME("bit depth (chroma)", s->bit_depth_chroma, 8);
	KMSCAP_VA_SAME("log2_max_frame_num", s->log2_max_frame_num,
		       seq->seq_fields.bits.log2_max_frame_num_minus4 + 4);
	KMSCAP_VA_SAME("pic_order_cnt_type", s->poc_type, seq->seq_fields.bits.pic_order_cnt_type);
	if (!s->poc_type)
		KMSCAP_VA_SAME("log2_max_pic_order_cnt_lsb", s->log2_max_poc_lsb,
			       seq->seq_fields.bits.log2_max_pic_order_cnt_lsb_minus4 + 4);
	KMSCAP_VA_SAME("width in macroblocks", s->width_mbs, seq->picture_width_in_mbs);
	KMSCAP_VA_SAME("height in macroblocks", s->height_mbs, seq->picture_height_in_mbs);
	KMSCAP_VA_SAME("frame_mbs_only_flag", s->frame_mbs_only, 1);
	if (s->max_num_ref_frames < seq->max_num_ref_frames)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed SPS in header %u: max_num_ref_frames %u, the parameters use %u",
					index, s->max_num_ref_frames, seq->max_num_ref_frames);
	return VA_STATUS_SUCCESS;
}

static VAStatus kmscap_va_h264_check_pps(struct kmscap_va_driver *drv,
					 const struct kmscap_va_context *c,
					 const struct kmscap_va_h264_pps *p, unsigned int index)
{
	const VAEncPictureParameterBufferH264 *pic = &c->enc.pic;
	const char *what = "PPS";

	KMSCAP_VA_SAME("pic_parameter_set_id", p->pps_id, pic->pic_parameter_set_id);
	KMSCAP_VA_SAME("seq_parameter_set_id", p->sps_id, pic->seq_parameter_set_id);
	KMSCAP_VA_SAME("entropy_coding_mode_flag", p->entropy,
		       pic->pic_fields.bits.entropy_coding_mode_flag);
	KMSCAP_VA_SAME("bottom_field_pic_order_in_frame_present_flag", p->bottom_field_pic_order,
		       pic->pic_fields.bits.pic_order_present_flag);
	KMSCAP_VA_SAME("weighted_pred_flag", p->weighted_pred,
		       pic->pic_fields.bits.weighted_pred_flag);
	KMSCAP_VA_SAME("weighted_bipred_idc", p->weighted_bipred,
		       pic->pic_fields.bits.weighted_bipred_idc);
	KMSCAP_VA_SAME("pic_init_qp", p->pic_init_qp, pic->pic_init_qp);
	KMSCAP_VA_SAME("deblocking_filter_control_present_flag", p->deblocking_control,
		       pic->pic_fields.bits.deblocking_filter_control_present_flag);
	KMSCAP_VA_SAME("constrained_intra_pred_flag", p->constrained_intra,
		       pic->pic_fields.bits.constrained_intra_pred_flag);
	KMSCAP_VA_SAME("redundant_pic_cnt_present_flag", p->redundant_pic_cnt,
		       pic->pic_fields.bits.redundant_pic_cnt_present_flag);
	KMSCAP_VA_SAME("transform_8x8_mode_flag", p->transform_8x8,
		       pic->pic_fields.bits.transform_8x8_mode_flag);
	return VA_STATUS_SUCCESS;
}

/* One NAL unit of packed header @index: its type noted, an SPS or PPS checked. */
static VAStatus kmscap_va_h264_check_nal(struct kmscap_va_driver *drv,
					 const struct kmscap_va_context *c,
					 const struct kmscap_va_packed *p, const uint8_t *nal,
					 size_t len, unsigned int index, uint32_t *types)
{
	struct kmscap_va_h264_sps sps;
	struct kmscap_va_h264_pps pps;
	unsigned int type = len ? nal[0] & 0x1f : 0;
	kmscap_va_why why;
	uint8_t *rbsp;
	size_t rlen;
	VAStatus st;

	if (!len || nal[0] & 0x80)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed header %u: an empty NAL unit, or forbidden_zero_bit set",
					index);
	if (type >= 1 && type <= 5)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed header %u holds a slice NAL unit (type %u): slices come from slice parameters",
					index, type);
	*types |= 1u << type;
	if (type != 7 && type != 8)
		return VA_STATUS_SUCCESS;
	rbsp = malloc(len);
	if (!rbsp)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	if (p->param.has_emulation_bytes) {
		rlen = kmscap_va_nal_unescape(rbsp, nal, len);
	} else {
		memcpy(rbsp, nal, len);
		rlen = len;
	}
	if (type == 7)
		why = kmscap_va_h264_parse_sps(rbsp, rlen, &sps);
	else
		why = kmscap_va_h264_parse_pps(rbsp, rlen,
					       c->enc.seq.seq_fields.bits.chroma_format_idc, &pps);
	free(rbsp);
	if (why)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed %s in header %u (%zu bytes, %s) cannot be read: %s",
					type == 7 ? "SPS" : "PPS", index, len,
					p->param.has_emulation_bytes ? "escaped" : "unescaped", why);
	st = type == 7 ? kmscap_va_h264_check_sps(drv, c, &sps, index) :
	     kmscap_va_h264_check_pps(drv, c, &pps, index);
	return st;
}

VAStatus kmscap_va_h264_check_packed(struct kmscap_va_driver *drv,
				     const struct kmscap_va_context *c, uint32_t *types)
{
	const struct kmscap_va_packed_set *set = &c->enc.pk;
	struct kmscap_va_nals nals;
	unsigned int i, j;
	VAStatus st;

	for (i = 0; i < set->num; i++) {
		const struct kmscap_va_packed *p = &set->packed[i];

		if (p->slice_index >= 0)
			continue;
		if (kmscap_va_packed_split(p, &nals) < 0)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed header %u: no start code, or more than %d NAL units",
						i, KMSCAP_VA_MAX_NALS);
		for (j = 0; j < nals.n; j++) {
			st = kmscap_va_h264_check_nal(drv, c, p, p->data + nals.off[j],
						      nals.len[j], i, types);
			if (st != VA_STATUS_SUCCESS)
				return st;
		}
	}
	return VA_STATUS_SUCCESS;
}

void kmscap_va_h264_emit_packed(const struct kmscap_va_context *c, struct kmscap_va_coded_out *o)
{
	const struct kmscap_va_packed_set *set = &c->enc.pk;
	struct kmscap_va_nals nals;
	unsigned int i, j;

	for (i = 0; i < set->num; i++) {
		const struct kmscap_va_packed *p = &set->packed[i];

		if (p->slice_index >= 0 || kmscap_va_packed_split(p, &nals) < 0)
			continue;
		for (j = 0; j < nals.n; j++) {
			if (p->param.has_emulation_bytes) {
				kmscap_va_coded_raw(o, "\0\0\0\1", 4);
				kmscap_va_coded_raw(o, p->data + nals.off[j], nals.len[j]);
			} else {
				kmscap_va_coded_nal(o, p->data + nals.off[j], nals.len[j]);
			}
		}
	}
}
