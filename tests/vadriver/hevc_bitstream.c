// SPDX-License-Identifier: MIT
/*
 * hevc_bitstream.c - HEVC parameter sets and slice segment headers written
 * from the VA parameter buffers, and the parts of a caller's packed SPS and
 * PPS that decide how the slice data is coded, read back for validation.
 * Written from ITU-T H.265 (clauses 7.3.1 to 7.3.6 and E.2.1).
 *
 * Conventions of the generated headers: VPS/SPS/PPS ids 0 (the PPS id is
 * slice_pic_parameter_set_id), log2_max_pic_order_cnt_lsb 16, no short-term
 * RPS in the SPS (every slice header carries its own), no long-term
 * references, a DPB of KMSCAP_VA_HEVC_MAX_REFS + 1 pictures without
 * reordering, cabac_init_present_flag and deblocking_filter_override
 * enabled, the VUI (when requested) signalling BT.709 limited range.
 */
#include <string.h>

#include "kmscap_va.h"

#define KMSCAP_VA_HEVC_LOG2_POC_LSB	16

static void kmscap_va_hevc_nal_header(struct kmscap_va_bits *b, unsigned int type)
{
	kmscap_va_bits_put(b, 1, 0);		/* forbidden_zero_bit */
	kmscap_va_bits_put(b, 6, type);
	kmscap_va_bits_put(b, 6, 0);		/* nuh_layer_id */
	kmscap_va_bits_put(b, 3, 1);		/* nuh_temporal_id_plus1 */
}

static void kmscap_va_hevc_ptl(struct kmscap_va_bits *b,
			       const VAEncSequenceParameterBufferHEVC *seq)
{
	unsigned int j;

	kmscap_va_bits_put(b, 2, 0);		/* general_profile_space */
	kmscap_va_bits_put(b, 1, seq->general_tier_flag);
	kmscap_va_bits_put(b, 5, seq->general_profile_idc);
	for (j = 0; j < 32; j++)	/* a Main stream is also a Main 10 stream */
		kmscap_va_bits_put(b, 1, j == seq->general_profile_idc ||
				   (seq->general_profile_idc == 1 && j == 2));
	kmscap_va_bits_put(b, 1, 1);		/* general_progressive_source_flag */
	kmscap_va_bits_put(b, 1, 0);		/* general_interlaced_source_flag */
	kmscap_va_bits_put(b, 1, 0);		/* general_non_packed_constraint_flag */
	kmscap_va_bits_put(b, 1, 1);		/* general_frame_only_constraint_flag */
	kmscap_va_bits_put(b, 32, 0);		/* general_reserved_zero_43bits */
	kmscap_va_bits_put(b, 11, 0);
	kmscap_va_bits_put(b, 1, 0);		/* general_inbld_flag */
	kmscap_va_bits_put(b, 8, seq->general_level_idc);
}

void kmscap_va_hevc_write_vps(struct kmscap_va_bits *b,
			      const VAEncSequenceParameterBufferHEVC *seq)
{
	kmscap_va_hevc_nal_header(b, 32);
	kmscap_va_bits_put(b, 4, 0);		/* vps_video_parameter_set_id */
	kmscap_va_bits_put(b, 1, 1);		/* vps_base_layer_internal_flag */
	kmscap_va_bits_put(b, 1, 1);		/* vps_base_layer_available_flag */
	kmscap_va_bits_put(b, 6, 0);		/* vps_max_layers_minus1 */
	kmscap_va_bits_put(b, 3, 0);		/* vps_max_sub_layers_minus1 */
	kmscap_va_bits_put(b, 1, 1);		/* vps_temporal_id_nesting_flag */
	kmscap_va_bits_put(b, 16, 0xffff);
	kmscap_va_hevc_ptl(b, seq);
	kmscap_va_bits_put(b, 1, 1);		/* vps_sub_layer_ordering_info_present_flag */
	kmscap_va_bits_ue(b, KMSCAP_VA_HEVC_MAX_REFS);	/* vps_max_dec_pic_buffering_minus1 */
	kmscap_va_bits_ue(b, 0);		/* vps_max_num_reorder_pics */
	kmscap_va_bits_ue(b, 0);		/* vps_max_latency_increase_plus1 */
	kmscap_va_bits_put(b, 6, 0);		/* vps_max_layer_id */
	kmscap_va_bits_ue(b, 0);		/* vps_num_layer_sets_minus1 */
	kmscap_va_bits_put(b, 1, 0);		/* vps_timing_info_present_flag */
	kmscap_va_bits_put(b, 1, 0);		/* vps_extension_flag */
	kmscap_va_bits_trailing(b);
}

static void kmscap_va_hevc_vui(struct kmscap_va_bits *b,
			       const VAEncSequenceParameterBufferHEVC *seq)
{
	kmscap_va_bits_vui_start(b, seq->vui_fields.bits.aspect_ratio_info_present_flag,
				 seq->aspect_ratio_idc, seq->sar_width, seq->sar_height);
	kmscap_va_bits_put(b, 1, seq->vui_fields.bits.neutral_chroma_indication_flag);
	kmscap_va_bits_put(b, 1, 0);		/* field_seq_flag */
	kmscap_va_bits_put(b, 1, 0);		/* frame_field_info_present_flag */
	kmscap_va_bits_put(b, 1, 0);		/* default_display_window_flag */
	kmscap_va_bits_put(b, 1, seq->vui_fields.bits.vui_timing_info_present_flag);
	if (seq->vui_fields.bits.vui_timing_info_present_flag) {
		kmscap_va_bits_put(b, 32, seq->vui_num_units_in_tick);
		kmscap_va_bits_put(b, 32, seq->vui_time_scale);
		kmscap_va_bits_put(b, 1, 0);	/* vui_poc_proportional_to_timing_flag */
		kmscap_va_bits_put(b, 1, 0);	/* vui_hrd_parameters_present_flag */
	}
	kmscap_va_bits_put(b, 1, seq->vui_fields.bits.bitstream_restriction_flag);
	if (seq->vui_fields.bits.bitstream_restriction_flag) {
		kmscap_va_bits_put(b, 1, seq->vui_fields.bits.tiles_fixed_structure_flag);
		kmscap_va_bits_put(b, 1,
				   seq->vui_fields.bits.motion_vectors_over_pic_boundaries_flag);
		kmscap_va_bits_put(b, 1, seq->vui_fields.bits.restricted_ref_pic_lists_flag);
		kmscap_va_bits_ue(b, seq->min_spatial_segmentation_idc);
		kmscap_va_bits_ue(b, seq->max_bytes_per_pic_denom);
		kmscap_va_bits_ue(b, seq->max_bits_per_min_cu_denom);
		kmscap_va_bits_ue(b, seq->vui_fields.bits.log2_max_mv_length_horizontal);
		kmscap_va_bits_ue(b, seq->vui_fields.bits.log2_max_mv_length_vertical);
	}
}

void kmscap_va_hevc_write_sps(struct kmscap_va_bits *b, const struct kmscap_va_context *c,
			      const VAEncSequenceParameterBufferHEVC *seq)
{
	unsigned int crop_r = seq->pic_width_in_luma_samples - c->width;
	unsigned int crop_b = seq->pic_height_in_luma_samples - c->height;

	kmscap_va_hevc_nal_header(b, 33);
	kmscap_va_bits_put(b, 4, 0);		/* sps_video_parameter_set_id */
	kmscap_va_bits_put(b, 3, 0);		/* sps_max_sub_layers_minus1 */
	kmscap_va_bits_put(b, 1, 1);		/* sps_temporal_id_nesting_flag */
	kmscap_va_hevc_ptl(b, seq);
	kmscap_va_bits_ue(b, 0);		/* sps_seq_parameter_set_id */
	kmscap_va_bits_ue(b, 1);		/* chroma_format_idc 4:2:0 */
	kmscap_va_bits_ue(b, seq->pic_width_in_luma_samples);
	kmscap_va_bits_ue(b, seq->pic_height_in_luma_samples);
	kmscap_va_bits_put(b, 1, crop_r || crop_b);	/* conformance_window_flag */
	if (crop_r || crop_b) {
		kmscap_va_bits_ue(b, 0);
		kmscap_va_bits_ue(b, crop_r / 2);	/* in chroma samples (SubWidthC 2) */
		kmscap_va_bits_ue(b, 0);
		kmscap_va_bits_ue(b, crop_b / 2);
	}
	kmscap_va_bits_ue(b, seq->seq_fields.bits.bit_depth_luma_minus8);
	kmscap_va_bits_ue(b, seq->seq_fields.bits.bit_depth_chroma_minus8);
	kmscap_va_bits_ue(b, KMSCAP_VA_HEVC_LOG2_POC_LSB - 4);
	kmscap_va_bits_put(b, 1, 1);		/* sps_sub_layer_ordering_info_present_flag */
	kmscap_va_bits_ue(b, KMSCAP_VA_HEVC_MAX_REFS);	/* sps_max_dec_pic_buffering_minus1 */
	kmscap_va_bits_ue(b, 0);		/* sps_max_num_reorder_pics */
	kmscap_va_bits_ue(b, 0);		/* sps_max_latency_increase_plus1 */
	kmscap_va_bits_ue(b, seq->log2_min_luma_coding_block_size_minus3);
	kmscap_va_bits_ue(b, seq->log2_diff_max_min_luma_coding_block_size);
	kmscap_va_bits_ue(b, seq->log2_min_transform_block_size_minus2);
	kmscap_va_bits_ue(b, seq->log2_diff_max_min_transform_block_size);
	kmscap_va_bits_ue(b, seq->max_transform_hierarchy_depth_inter);
	kmscap_va_bits_ue(b, seq->max_transform_hierarchy_depth_intra);
	kmscap_va_bits_put(b, 1, 0);		/* scaling_list_enabled_flag */
	kmscap_va_bits_put(b, 1, seq->seq_fields.bits.amp_enabled_flag);
	kmscap_va_bits_put(b, 1, 0);		/* sample_adaptive_offset_enabled_flag */
	kmscap_va_bits_put(b, 1, 1);		/* pcm_enabled_flag */
	kmscap_va_bits_put(b, 4, seq->pcm_sample_bit_depth_luma_minus1);
	kmscap_va_bits_put(b, 4, seq->pcm_sample_bit_depth_chroma_minus1);
	kmscap_va_bits_ue(b, seq->log2_min_pcm_luma_coding_block_size_minus3);
	kmscap_va_bits_ue(b, seq->log2_max_pcm_luma_coding_block_size_minus3 -
			  seq->log2_min_pcm_luma_coding_block_size_minus3);
	kmscap_va_bits_put(b, 1, seq->seq_fields.bits.pcm_loop_filter_disabled_flag);
	kmscap_va_bits_ue(b, 0);		/* num_short_term_ref_pic_sets */
	kmscap_va_bits_put(b, 1, 0);		/* long_term_ref_pics_present_flag */
	kmscap_va_bits_put(b, 1, seq->seq_fields.bits.sps_temporal_mvp_enabled_flag);
	kmscap_va_bits_put(b, 1, seq->seq_fields.bits.strong_intra_smoothing_enabled_flag);
	kmscap_va_bits_put(b, 1, seq->vui_parameters_present_flag);
	if (seq->vui_parameters_present_flag)
		kmscap_va_hevc_vui(b, seq);
	kmscap_va_bits_put(b, 1, 0);		/* sps_extension_present_flag */
	kmscap_va_bits_trailing(b);
}

void kmscap_va_hevc_write_pps(struct kmscap_va_bits *b,
			      const VAEncSequenceParameterBufferHEVC *seq,
			      const VAEncPictureParameterBufferHEVC *pic)
{
	kmscap_va_hevc_nal_header(b, 34);
	kmscap_va_bits_ue(b, pic->slice_pic_parameter_set_id);
	kmscap_va_bits_ue(b, 0);		/* pps_seq_parameter_set_id */
	kmscap_va_bits_put(b, 1, 0);		/* dependent_slice_segments_enabled_flag */
	kmscap_va_bits_put(b, 1, 0);		/* output_flag_present_flag */
	kmscap_va_bits_put(b, 3, 0);		/* num_extra_slice_header_bits */
	kmscap_va_bits_put(b, 1, 0);		/* sign_data_hiding_enabled_flag */
	kmscap_va_bits_put(b, 1, 1);		/* cabac_init_present_flag */
	kmscap_va_bits_ue(b, pic->num_ref_idx_l0_default_active_minus1);
	kmscap_va_bits_ue(b, pic->num_ref_idx_l1_default_active_minus1);
	kmscap_va_bits_se(b, (int)pic->pic_init_qp - 26);
	kmscap_va_bits_put(b, 1, pic->pic_fields.bits.constrained_intra_pred_flag);
	kmscap_va_bits_put(b, 1, 0);		/* transform_skip_enabled_flag */
	kmscap_va_bits_put(b, 1, 0);		/* cu_qp_delta_enabled_flag */
	kmscap_va_bits_se(b, pic->pps_cb_qp_offset);
	kmscap_va_bits_se(b, pic->pps_cr_qp_offset);
	kmscap_va_bits_put(b, 1, 1);		/* pps_slice_chroma_qp_offsets_present_flag */
	kmscap_va_bits_put(b, 1, 0);		/* weighted_pred_flag */
	kmscap_va_bits_put(b, 1, 0);		/* weighted_bipred_flag */
	kmscap_va_bits_put(b, 1, 0);		/* transquant_bypass_enabled_flag */
	kmscap_va_bits_put(b, 1, 0);		/* tiles_enabled_flag */
	kmscap_va_bits_put(b, 1, 0);		/* entropy_coding_sync_enabled_flag */
	kmscap_va_bits_put(b, 1, pic->pic_fields.bits.pps_loop_filter_across_slices_enabled_flag);
	kmscap_va_bits_put(b, 1, 1);		/* deblocking_filter_control_present_flag */
	kmscap_va_bits_put(b, 1, 1);		/* deblocking_filter_override_enabled_flag */
	kmscap_va_bits_put(b, 1, 0);		/* pps_deblocking_filter_disabled_flag */
	kmscap_va_bits_se(b, 0);		/* pps_beta_offset_div2 */
	kmscap_va_bits_se(b, 0);		/* pps_tc_offset_div2 */
	kmscap_va_bits_put(b, 1, 0);		/* pps_scaling_list_data_present_flag */
	kmscap_va_bits_put(b, 1, 0);		/* lists_modification_present_flag */
	kmscap_va_bits_ue(b, pic->log2_parallel_merge_level_minus2);
	kmscap_va_bits_put(b, 1, 0);		/* slice_segment_header_extension_present_flag */
	kmscap_va_bits_put(b, 1, 0);		/* pps_extension_present_flag */
	kmscap_va_bits_trailing(b);
}

static unsigned int kmscap_va_ceil_log2(unsigned int v)
{
	unsigned int n = 0;

	while ((1u << n) < v)
		n++;
	return n;
}

/*
 * The short-term RPS of the picture (st_ref_pic_set(num_short_term_ref_pic_sets)
 * with no inter RPS prediction): every valid entry of reference_frames, all
 * before the current picture (checked), nearest first; used by the current
 * picture when a slice lists it in RefPicList0.
 */
static void kmscap_va_hevc_write_rps(struct kmscap_va_bits *b,
				     const struct kmscap_va_hevc_state *h)
{
	const VAEncPictureParameterBufferHEVC *pic = &h->pic;
	int32_t pocs[15], cur = pic->decoded_curr_pic.pic_order_cnt, prev;
	bool used[15];
	unsigned int n = 0, i, j, k;

	for (i = 0; i < 15; i++) {
		const VAPictureHEVC *r = &pic->reference_frames[i];

		if (r->picture_id == VA_INVALID_SURFACE || (r->flags & VA_PICTURE_HEVC_INVALID))
			continue;
		pocs[n] = r->pic_order_cnt;
		used[n] = false;
		for (j = 0; j < h->num_slices; j++) {
			const VAEncSliceParameterBufferHEVC *sl = &h->slices[j];
			unsigned int nref = sl->slice_fields.bits.num_ref_idx_active_override_flag ?
				sl->num_ref_idx_l0_active_minus1 + 1 :
				pic->num_ref_idx_l0_default_active_minus1 + 1;

			for (k = 0; sl->slice_type != 2 && k < nref && k < 15; k++)
				if (sl->ref_pic_list0[k].pic_order_cnt == r->pic_order_cnt &&
				    sl->ref_pic_list0[k].picture_id == r->picture_id)
					used[n] = true;
		}
		n++;
	}
	/* descending POC: nearest first */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && pocs[j] > pocs[j - 1]; j--) {
			int32_t tp = pocs[j];
			bool tu = used[j];

			pocs[j] = pocs[j - 1];
			used[j] = used[j - 1];
			pocs[j - 1] = tp;
			used[j - 1] = tu;
		}
	kmscap_va_bits_ue(b, n);		/* num_negative_pics */
	kmscap_va_bits_ue(b, 0);		/* num_positive_pics */
	prev = cur;
	for (i = 0; i < n; i++) {
		kmscap_va_bits_ue(b, prev - pocs[i] - 1);	/* delta_poc_s0_minus1 */
		kmscap_va_bits_put(b, 1, used[i]);
		prev = pocs[i];
	}
}

void kmscap_va_hevc_write_slice_header(struct kmscap_va_bits *b,
				       const struct kmscap_va_hevc_state *h,
				       const VAEncSliceParameterBufferHEVC *sl)
{
	const VAEncSequenceParameterBufferHEVC *seq = &h->seq;
	const VAEncPictureParameterBufferHEVC *pic = &h->pic;
	unsigned int ctb = 1u << (seq->log2_min_luma_coding_block_size_minus3 + 3 +
				  seq->log2_diff_max_min_luma_coding_block_size);
	unsigned int ctbs = ((seq->pic_width_in_luma_samples + ctb - 1) / ctb) *
			    ((seq->pic_height_in_luma_samples + ctb - 1) / ctb);
	unsigned int nal = pic->nal_unit_type;
	bool idr = nal == 19 || nal == 20, deblock_off;

	kmscap_va_hevc_nal_header(b, nal);
	kmscap_va_bits_put(b, 1, sl->slice_segment_address == 0);
	if (nal >= 16 && nal <= 23)
		kmscap_va_bits_put(b, 1, pic->pic_fields.bits.no_output_of_prior_pics_flag);
	kmscap_va_bits_ue(b, sl->slice_pic_parameter_set_id);
	if (sl->slice_segment_address)
		kmscap_va_bits_put(b, kmscap_va_ceil_log2(ctbs), sl->slice_segment_address);
	kmscap_va_bits_ue(b, sl->slice_type);
	if (!idr) {
		kmscap_va_bits_put(b, KMSCAP_VA_HEVC_LOG2_POC_LSB,
				   (uint32_t)pic->decoded_curr_pic.pic_order_cnt &
				   ((1u << KMSCAP_VA_HEVC_LOG2_POC_LSB) - 1));
		kmscap_va_bits_put(b, 1, 0);	/* short_term_ref_pic_set_sps_flag */
		kmscap_va_hevc_write_rps(b, h);
		if (seq->seq_fields.bits.sps_temporal_mvp_enabled_flag)
			kmscap_va_bits_put(b, 1, sl->slice_fields.bits.slice_temporal_mvp_enabled_flag);
	}
	if (sl->slice_type != 2) {		/* P, or B (generalised P/B: list 1 = list 0) */
		bool over = sl->slice_fields.bits.num_ref_idx_active_override_flag;
		bool is_b = sl->slice_type == 0;
		bool col_l0 = !is_b || sl->slice_fields.bits.collocated_from_l0_flag;
		unsigned int nref = over ? sl->num_ref_idx_l0_active_minus1 :
			pic->num_ref_idx_l0_default_active_minus1;
		unsigned int nref1 = over ? sl->num_ref_idx_l1_active_minus1 :
			pic->num_ref_idx_l1_default_active_minus1;

		kmscap_va_bits_put(b, 1, over);
		if (over) {
			kmscap_va_bits_ue(b, sl->num_ref_idx_l0_active_minus1);
			if (is_b)
				kmscap_va_bits_ue(b, sl->num_ref_idx_l1_active_minus1);
		}
		/* lists_modification_present_flag 0: no ref_pic_lists_modification() */
		if (is_b)
			kmscap_va_bits_put(b, 1, sl->slice_fields.bits.mvd_l1_zero_flag);
		kmscap_va_bits_put(b, 1, sl->slice_fields.bits.cabac_init_flag);
		if (!idr && seq->seq_fields.bits.sps_temporal_mvp_enabled_flag &&
		    sl->slice_fields.bits.slice_temporal_mvp_enabled_flag) {
			if (is_b)	/* collocated_from_l0_flag */
				kmscap_va_bits_put(b, 1, col_l0);
			if (col_l0 ? nref > 0 : nref1 > 0)
				kmscap_va_bits_ue(b, 0);	/* collocated_ref_idx */
		}
		/* weighted_pred_flag and weighted_bipred_flag 0: no pred_weight_table() */
		kmscap_va_bits_ue(b, 5 - sl->max_num_merge_cand);
	}
	kmscap_va_bits_se(b, sl->slice_qp_delta);
	kmscap_va_bits_se(b, sl->slice_cb_qp_offset);
	kmscap_va_bits_se(b, sl->slice_cr_qp_offset);
	deblock_off = sl->slice_fields.bits.slice_deblocking_filter_disabled_flag;
	kmscap_va_bits_put(b, 1, 1);		/* deblocking_filter_override_flag */
	kmscap_va_bits_put(b, 1, deblock_off);
	if (!deblock_off) {
		kmscap_va_bits_se(b, sl->slice_beta_offset_div2);
		kmscap_va_bits_se(b, sl->slice_tc_offset_div2);
	}
	if (pic->pic_fields.bits.pps_loop_filter_across_slices_enabled_flag && !deblock_off)
		kmscap_va_bits_put(b, 1,
				   sl->slice_fields.bits.slice_loop_filter_across_slices_enabled_flag);
	kmscap_va_bits_put(b, 1, 1);		/* byte_alignment(): alignment_bit_equal_to_one */
	kmscap_va_bits_align_zero(b);
}

/* profile_tier_level(1, max_sub_layers_minus1) */
static void kmscap_va_rbits_ptl(struct kmscap_va_rbits *r, unsigned int sub_layers)
{
	bool prof[8], level[8];
	unsigned int i;

	kmscap_va_rbits_u(r, 32);
	kmscap_va_rbits_u(r, 32);
	kmscap_va_rbits_u(r, 32);	/* 88 bits of general profile, then the level */
	for (i = 0; i < sub_layers; i++) {
		prof[i] = kmscap_va_rbits_u(r, 1);
		level[i] = kmscap_va_rbits_u(r, 1);
	}
	if (sub_layers)
		for (i = sub_layers; i < 8; i++)
			kmscap_va_rbits_u(r, 2);
	for (i = 0; i < sub_layers; i++) {
		if (prof[i]) {
			kmscap_va_rbits_u(r, 32);
			kmscap_va_rbits_u(r, 32);
			kmscap_va_rbits_u(r, 24);
		}
		if (level[i])
			kmscap_va_rbits_u(r, 8);
	}
}

/* Reads an SPS NAL (header included) up to the PCM fields; -1 if malformed. */
int kmscap_va_hevc_parse_sps(const uint8_t *rbsp, size_t len,
			     struct kmscap_va_hevc_sps_info *si)
{
	struct kmscap_va_rbits r = { .p = rbsp, .len = len };
	unsigned int sub, i, chroma;

	memset(si, 0, sizeof(*si));
	kmscap_va_rbits_u(&r, 16);		/* NAL header */
	kmscap_va_rbits_u(&r, 4);
	sub = kmscap_va_rbits_u(&r, 3);
	kmscap_va_rbits_u(&r, 1);
	kmscap_va_rbits_ptl(&r, sub);
	kmscap_va_rbits_ue(&r);			/* sps_seq_parameter_set_id */
	chroma = kmscap_va_rbits_ue(&r);
	if (chroma != 1)
		return -1;
	si->width = kmscap_va_rbits_ue(&r);
	si->height = kmscap_va_rbits_ue(&r);
	if (kmscap_va_rbits_u(&r, 1))
		for (i = 0; i < 4; i++)
			kmscap_va_rbits_ue(&r);
	si->bit_depth_luma = kmscap_va_rbits_ue(&r) + 8;
	si->bit_depth_chroma = kmscap_va_rbits_ue(&r) + 8;
	kmscap_va_rbits_ue(&r);			/* log2_max_pic_order_cnt_lsb_minus4 */
	i = kmscap_va_rbits_u(&r, 1) ? 0 : sub;
	for (; i <= sub && !r.err; i++) {
		kmscap_va_rbits_ue(&r);
		kmscap_va_rbits_ue(&r);
		kmscap_va_rbits_ue(&r);
	}
	si->log2_min_cb = kmscap_va_rbits_ue(&r) + 3;
	si->log2_ctb = si->log2_min_cb + kmscap_va_rbits_ue(&r);
	si->log2_min_tb = kmscap_va_rbits_ue(&r) + 2;
	si->log2_max_tb = si->log2_min_tb + kmscap_va_rbits_ue(&r);
	kmscap_va_rbits_ue(&r);
	kmscap_va_rbits_ue(&r);
	si->scaling_list = kmscap_va_rbits_u(&r, 1);
	if (si->scaling_list)
		return r.err ? -1 : 0;		/* rejected anyway; its data is not read */
	kmscap_va_rbits_u(&r, 1);		/* amp_enabled_flag */
	si->sao = kmscap_va_rbits_u(&r, 1);
	si->pcm_enabled = kmscap_va_rbits_u(&r, 1);
	if (si->pcm_enabled) {
		si->pcm_bit_depth_luma = kmscap_va_rbits_u(&r, 4) + 1;
		si->pcm_bit_depth_chroma = kmscap_va_rbits_u(&r, 4) + 1;
		si->log2_min_pcm = kmscap_va_rbits_ue(&r) + 3;
		si->log2_max_pcm = si->log2_min_pcm + kmscap_va_rbits_ue(&r);
		si->pcm_loop_filter_disabled = kmscap_va_rbits_u(&r, 1);
	}
	return r.err ? -1 : 0;
}

/* Reads a PPS NAL (header included) up to entropy_coding_sync_enabled_flag. */
int kmscap_va_hevc_parse_pps(const uint8_t *rbsp, size_t len,
			     struct kmscap_va_hevc_pps_info *pi)
{
	struct kmscap_va_rbits r = { .p = rbsp, .len = len };

	memset(pi, 0, sizeof(*pi));
	kmscap_va_rbits_u(&r, 16);
	kmscap_va_rbits_ue(&r);			/* pps_pic_parameter_set_id */
	kmscap_va_rbits_ue(&r);			/* pps_seq_parameter_set_id */
	pi->dependent_slices = kmscap_va_rbits_u(&r, 1);
	kmscap_va_rbits_u(&r, 1);		/* output_flag_present_flag */
	kmscap_va_rbits_u(&r, 3);		/* num_extra_slice_header_bits */
	kmscap_va_rbits_u(&r, 1);		/* sign_data_hiding_enabled_flag */
	kmscap_va_rbits_u(&r, 1);		/* cabac_init_present_flag */
	kmscap_va_rbits_ue(&r);
	kmscap_va_rbits_ue(&r);
	pi->init_qp = 26 + kmscap_va_rbits_se(&r);
	kmscap_va_rbits_u(&r, 1);		/* constrained_intra_pred_flag */
	kmscap_va_rbits_u(&r, 1);		/* transform_skip_enabled_flag */
	if (kmscap_va_rbits_u(&r, 1))		/* cu_qp_delta_enabled_flag */
		kmscap_va_rbits_ue(&r);
	kmscap_va_rbits_se(&r);
	kmscap_va_rbits_se(&r);
	kmscap_va_rbits_u(&r, 1);		/* pps_slice_chroma_qp_offsets_present_flag */
	kmscap_va_rbits_u(&r, 1);		/* weighted_pred_flag */
	kmscap_va_rbits_u(&r, 1);		/* weighted_bipred_flag */
	pi->transquant_bypass = kmscap_va_rbits_u(&r, 1);
	pi->tiles = kmscap_va_rbits_u(&r, 1);
	pi->entropy_coding_sync = kmscap_va_rbits_u(&r, 1);
	return r.err ? -1 : 0;
}
