// SPDX-License-Identifier: MIT
/*
 * h264_validate.c - the checks an H.264 encode picture must pass before it
 * is encoded: sequence (sizes, cropping, level limits of table A-1),
 * picture (ids, frame_num order, references against the DPB) and slices
 * (coverage, types, QP, reference lists).  Also the DPB bookkeeping.
 */
#include <string.h>

#include "kmscap_va.h"

/* ITU-T H.264 table A-1: MaxFS and MaxDpbMbs of each level_idc. */
static const struct {
	uint8_t level_idc;
	uint32_t max_fs, max_dpb_mbs;
} kmscap_va_levels[] = {
	{ 9, 99, 396 }, { 10, 99, 396 }, { 11, 396, 900 }, { 12, 396, 2376 },
	{ 13, 396, 2376 }, { 20, 396, 2376 }, { 21, 792, 4752 }, { 22, 1620, 8100 },
	{ 30, 1620, 8100 }, { 31, 3600, 18000 }, { 32, 5120, 20480 }, { 40, 8192, 32768 },
	{ 41, 8192, 32768 }, { 42, 8704, 34816 }, { 50, 22080, 110400 },
	{ 51, 36864, 184320 }, { 52, 36864, 184320 }, { 60, 139264, 696320 },
	{ 61, 139264, 696320 }, { 62, 139264, 696320 },
};

static VAStatus kmscap_va_enc_check_level(struct kmscap_va_driver *drv,
					  const VAEncSequenceParameterBufferH264 *seq)
{
	unsigned int fs = seq->picture_width_in_mbs * seq->picture_height_in_mbs, i, dpb;

	for (i = 0; i < sizeof(kmscap_va_levels) / sizeof(kmscap_va_levels[0]); i++)
		if (kmscap_va_levels[i].level_idc == seq->level_idc)
			break;
	if (i == sizeof(kmscap_va_levels) / sizeof(kmscap_va_levels[0]))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"level_idc %u is not a level of table A-1", seq->level_idc);
	if (fs > kmscap_va_levels[i].max_fs)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"level_idc %u allows %u macroblocks per frame, the picture has %u",
					seq->level_idc, kmscap_va_levels[i].max_fs, fs);
	dpb = kmscap_va_levels[i].max_dpb_mbs / fs;
	if (dpb > 16)
		dpb = 16;
	if (seq->max_num_ref_frames > dpb)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"max_num_ref_frames %u exceeds the %u frames level_idc %u allows at this size",
					seq->max_num_ref_frames, dpb, seq->level_idc);
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_enc_check_seq(struct kmscap_va_driver *drv,
					struct kmscap_va_context *c)
{
	const VAEncSequenceParameterBufferH264 *seq = &c->enc.seq;
	unsigned int w = seq->picture_width_in_mbs * 16, h = seq->picture_height_in_mbs * 16;
	unsigned int cw = w, ch = h;

	if (seq->frame_cropping_flag) {
		cw -= 2 * (seq->frame_crop_left_offset + seq->frame_crop_right_offset);
		ch -= 2 * (seq->frame_crop_top_offset + seq->frame_crop_bottom_offset);
	}
	if (!seq->picture_width_in_mbs || !seq->picture_height_in_mbs ||
	    w > KMSCAP_VA_MAX_WIDTH || h > KMSCAP_VA_MAX_HEIGHT)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"picture of %ux%u macroblocks",
					seq->picture_width_in_mbs, seq->picture_height_in_mbs);
	if (w != (c->width + 15) / 16 * 16 || h != (c->height + 15) / 16 * 16)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%ux%u macroblocks do not match the %ux%u context (misaligned)",
					seq->picture_width_in_mbs, seq->picture_height_in_mbs,
					c->width, c->height);
	if ((int)cw <= (int)w - 16 || (int)ch <= (int)h - 16 || cw > c->width || ch > c->height)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"cropped size %dx%d does not fit the %ux%u context",
					(int)cw, (int)ch, c->width, c->height);
	if (seq->seq_fields.bits.chroma_format_idc != 1 || seq->bit_depth_luma_minus8 ||
	    seq->bit_depth_chroma_minus8)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"chroma_format_idc %u / bit depth %u,%u: only 4:2:0 8-bit",
					seq->seq_fields.bits.chroma_format_idc,
					seq->bit_depth_luma_minus8 + 8,
					seq->bit_depth_chroma_minus8 + 8);
	if (!seq->seq_fields.bits.frame_mbs_only_flag)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"frame_mbs_only_flag 0: interlaced encode not supported");
	if (seq->seq_fields.bits.seq_scaling_matrix_present_flag)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"sequence scaling matrices are not supported");
	if (seq->seq_fields.bits.log2_max_frame_num_minus4 > 12 ||
	    seq->seq_fields.bits.pic_order_cnt_type > 2 ||
	    seq->seq_fields.bits.log2_max_pic_order_cnt_lsb_minus4 > 12)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"log2_max_frame_num_minus4 %u / poc type %u / log2_max_poc_lsb_minus4 %u out of range",
					seq->seq_fields.bits.log2_max_frame_num_minus4,
					seq->seq_fields.bits.pic_order_cnt_type,
					seq->seq_fields.bits.log2_max_pic_order_cnt_lsb_minus4);
	if (seq->max_num_ref_frames > KMSCAP_VA_MAX_REFS)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"max_num_ref_frames %u > %d (EncMaxRefFrames)",
					seq->max_num_ref_frames, KMSCAP_VA_MAX_REFS);
	return kmscap_va_enc_check_level(drv, seq);
}

static bool kmscap_va_in_dpb(const struct kmscap_va_enc_state *e, VASurfaceID id)
{
	unsigned int i;

	for (i = 0; i < e->dpb_count; i++)
		if (e->dpb[i] == id)
			return true;
	return false;
}

/* Sliding-window marking of the picture just encoded. */
void kmscap_va_dpb_update(struct kmscap_va_enc_state *e, bool idr, bool ref)
{
	unsigned int max = e->seq.max_num_ref_frames ? e->seq.max_num_ref_frames : 1, i, n = 0;
	VASurfaceID cur = e->pic.CurrPic.picture_id;

	if (idr)
		e->dpb_count = 0;
	if (!ref)
		return;
	for (i = 0; i < e->dpb_count; i++)
		if (e->dpb[i] != cur)
			e->dpb[n++] = e->dpb[i];
	e->dpb_count = n;
	if (e->dpb_count == max) {
		memmove(e->dpb, e->dpb + 1, (max - 1) * sizeof(e->dpb[0]));
		e->dpb_count--;
	}
	e->dpb[e->dpb_count++] = cur;
}

VAStatus kmscap_va_enc_check_pic(struct kmscap_va_driver *drv,
					struct kmscap_va_context *c, unsigned int *nal_ref_idc)
{
	struct kmscap_va_enc_state *e = &c->enc;
	const VAEncPictureParameterBufferH264 *pic = &e->pic;
	unsigned int max_frame_num = 1u << (e->seq.seq_fields.bits.log2_max_frame_num_minus4 + 4);
	bool idr = pic->pic_fields.bits.idr_pic_flag;
	unsigned int expect, i, refs = 0;
	VAStatus st = VA_STATUS_SUCCESS;

	if (pic->seq_parameter_set_id != e->seq.seq_parameter_set_id)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"picture refers to SPS %u, sequence has id %u",
					pic->seq_parameter_set_id, e->seq.seq_parameter_set_id);
	if (pic->pic_fields.bits.entropy_coding_mode_flag &&
	    c->config.profile == VAProfileH264ConstrainedBaseline)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"CABAC is not allowed in Constrained Baseline");
	if (pic->pic_fields.bits.transform_8x8_mode_flag && c->config.profile != VAProfileH264High)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"transform_8x8_mode_flag needs the High profile");
	if (pic->pic_fields.bits.weighted_pred_flag || pic->pic_fields.bits.weighted_bipred_idc ||
	    pic->pic_fields.bits.pic_scaling_matrix_present_flag)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"weighted prediction / scaling matrices are not supported");
	if (pic->pic_init_qp > 51 || pic->chroma_qp_index_offset < -12 ||
	    pic->chroma_qp_index_offset > 12 || pic->second_chroma_qp_index_offset < -12 ||
	    pic->second_chroma_qp_index_offset > 12)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"pic_init_qp %u / chroma qp offsets %d,%d out of range",
					pic->pic_init_qp, pic->chroma_qp_index_offset,
					pic->second_chroma_qp_index_offset);
	if (idr && !pic->pic_fields.bits.reference_pic_flag)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"IDR picture not marked as reference");
	if (idr && pic->frame_num)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"IDR picture with frame_num %u (must be 0)", pic->frame_num);
	if (!idr && !e->started)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"first picture of the sequence is not an IDR picture");
	if (!idr && e->seq_in_pic && memcmp(&e->seq, &e->active_seq, sizeof(e->seq)))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"sequence parameters changed without an IDR picture");
	if (!idr) {
		expect = e->prev_was_ref ? (e->prev_frame_num + 1) % max_frame_num :
			 e->prev_frame_num;
		if (pic->frame_num != expect)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"frame_num %u out of order: expected %u",
						pic->frame_num, expect);
		for (i = 0; i < 16; i++) {
			VASurfaceID id = pic->ReferenceFrames[i].picture_id;

			if (id == VA_INVALID_SURFACE ||
			    pic->ReferenceFrames[i].flags & VA_PICTURE_H264_INVALID)
				continue;
			if (!kmscap_va_surface_get(drv, id, &st, __func__))
				return st;
			if (!kmscap_va_in_dpb(e, id))
				return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
							"ReferenceFrames[%u] %#x is not a reconstructed reference picture in the DPB",
							i, id);
			if (id == pic->CurrPic.picture_id)
				return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
							"CurrPic %#x is also ReferenceFrames[%u]",
							id, i);
			refs++;
		}
		if (!refs && e->num_slices && e->slices[0].slice_type % 5 != 2)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"P/B picture without any reference frame");
	}
	if (!kmscap_va_surface_get(drv, pic->CurrPic.picture_id, &st, __func__))
		return st;
	*nal_ref_idc = idr ? 3 : pic->pic_fields.bits.reference_pic_flag ? 2 : 0;
	return VA_STATUS_SUCCESS;
}

/* Reference lists and counts of a P (list 0) or B (lists 0 and 1) slice. */
static VAStatus kmscap_va_enc_check_ref_lists(struct kmscap_va_driver *drv,
					      const struct kmscap_va_enc_state *e,
					      const VAEncSliceParameterBufferH264 *s,
					      unsigned int i)
{
	bool is_b = s->slice_type % 5 == 1;
	const VAPictureH264 *list;
	unsigned int l, j, active, minus1;

	if (e->pic.pic_fields.bits.entropy_coding_mode_flag && s->cabac_init_idc > 2)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"slice %u cabac_init_idc %u > 2", i, s->cabac_init_idc);
	for (l = 0; l < (is_b ? 2u : 1u); l++) {
		list = l ? s->RefPicList1 : s->RefPicList0;
		minus1 = s->num_ref_idx_active_override_flag ?
			 (l ? s->num_ref_idx_l1_active_minus1 : s->num_ref_idx_l0_active_minus1) :
			 (l ? e->pic.num_ref_idx_l1_active_minus1 :
			  e->pic.num_ref_idx_l0_active_minus1);
		if (minus1 >= 32)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u num_ref_idx_l%u_active_minus1 %u", i, l,
						minus1);
		active = minus1 + 1;
		if (active > e->dpb_count)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u uses %u list %u reference indices, the DPB holds %u frames",
						i, active, l, e->dpb_count);
		for (j = 0; j < 32; j++) {
			VASurfaceID id = list[j].picture_id;

			if (id == VA_INVALID_SURFACE || list[j].flags & VA_PICTURE_H264_INVALID)
				continue;
			if (!kmscap_va_in_dpb(e, id))
				return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
							"slice %u RefPicList%u[%u] %#x is not in the DPB",
							i, l, j, id);
		}
	}
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_enc_check_slices(struct kmscap_va_driver *drv,
					   struct kmscap_va_context *c)
{
	struct kmscap_va_enc_state *e = &c->enc;
	unsigned int total = e->seq.picture_width_in_mbs * e->seq.picture_height_in_mbs;
	unsigned int max_poc = 1u << (e->seq.seq_fields.bits.log2_max_pic_order_cnt_lsb_minus4 + 4);
	unsigned int next = 0, i;
	VAStatus st;

	if (!e->num_slices)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"picture without a slice parameter buffer");
	for (i = 0; i < e->num_slices; i++) {
		const VAEncSliceParameterBufferH264 *s = &e->slices[i];
		unsigned int type = s->slice_type % 5;
		int qp = e->pic.pic_init_qp + s->slice_qp_delta;

		if (s->macroblock_address != next || !s->num_macroblocks ||
		    s->num_macroblocks > total - next)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u covers macroblocks %u+%u, expected to start at %u of %u",
						i, s->macroblock_address, s->num_macroblocks, next,
						total);
		next += s->num_macroblocks;
		if (s->slice_type > 9 || type > 2)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u type %u: only P, B and I slices are supported",
						i, s->slice_type);
		if (type == 1 && c->config.profile == VAProfileH264ConstrainedBaseline)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u: B slices are not allowed in Constrained Baseline",
						i);
		if (e->pic.pic_fields.bits.idr_pic_flag && type != 2)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u of an IDR picture has type %u, not I", i,
						s->slice_type);
		if (s->pic_parameter_set_id != e->pic.pic_parameter_set_id)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u refers to PPS %u, picture has %u", i,
						s->pic_parameter_set_id,
						e->pic.pic_parameter_set_id);
		if (qp < 0 || qp > 51)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u QP %d out of 0..51", i, qp);
		if (s->disable_deblocking_filter_idc > 2 || s->slice_alpha_c0_offset_div2 < -6 ||
		    s->slice_alpha_c0_offset_div2 > 6 || s->slice_beta_offset_div2 < -6 ||
		    s->slice_beta_offset_div2 > 6)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u deblocking idc %u / offsets %d,%d invalid", i,
						s->disable_deblocking_filter_idc,
						s->slice_alpha_c0_offset_div2,
						s->slice_beta_offset_div2);
		if (e->seq.seq_fields.bits.pic_order_cnt_type == 0 &&
		    s->pic_order_cnt_lsb >= max_poc)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u pic_order_cnt_lsb %u >= %u", i,
						s->pic_order_cnt_lsb, max_poc);
		if (type != 2) {
			st = kmscap_va_enc_check_ref_lists(drv, e, s, i);
			if (st != VA_STATUS_SUCCESS)
				return st;
		}
	}
	if (next != total)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"slices cover %u of %u macroblocks", next, total);
	return VA_STATUS_SUCCESS;
}
