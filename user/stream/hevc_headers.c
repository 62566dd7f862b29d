// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: HEVC VPS, SPS, PPS and slice segment headers, for
 * drivers that declare packed headers.  They describe exactly what
 * va_hevc.c asks the encoder for: progressive 4:2:0, Main or Main 10,
 * one sub-layer, low-delay P with one reference (one short-term RPS in
 * the SPS: the previous picture; as B slices whose list 1 repeats list 0
 * for drivers that want them), one slice per picture, BT.709 limited
 * range, timing for the frame rate, a conformance window for sizes that
 * are not a multiple of the minimum coding block, and the coding tools
 * the driver's VAConfigAttribEncHEVCFeatures / BlockSizes led to.
 * Written with emulation prevention bytes (ITU-T H.265 7.4.2).
 */
#include <errno.h>

#include "hevc_headers.h"

static void ks_hevc_nal(struct ks_bits *b, unsigned int type)
{
	ks_bits_init(b);
	ks_bits_put(b, 32, 1);		/* start code 00 00 00 01 */
	ks_bits_put(b, 1, 0);		/* forbidden_zero_bit */
	ks_bits_put(b, 6, type);
	ks_bits_put(b, 6, 0);		/* nuh_layer_id */
	ks_bits_put(b, 3, 1);		/* nuh_temporal_id_plus1 */
}

static int ks_hevc_end(struct ks_bits *b, bool trailing)
{
	if (trailing)
		ks_bits_trailing(b);
	if (b->overflow)
		return -ENOSPC;
	return ks_bits_escape(b, 4) < 0 ? -ENOSPC : 0;
}

/* profile_tier_level(1, 0) */
static void ks_hevc_ptl(struct ks_bits *b, const struct ks_hevc_params *p)
{
	unsigned int i;

	ks_bits_put(b, 2, 0);			/* general_profile_space */
	ks_bits_put(b, 1, 0);			/* general_tier_flag: Main tier */
	ks_bits_put(b, 5, p->main10 ? 2 : 1);	/* general_profile_idc */
	/* general_profile_compatibility_flag[32]: Main conforms to Main 10 too */
	for (i = 0; i < 32; i++)
		ks_bits_put(b, 1, i == 2 || (i == 1 && !p->main10));
	ks_bits_put(b, 1, 1);			/* general_progressive_source_flag */
	ks_bits_put(b, 1, 0);			/* general_interlaced_source_flag */
	ks_bits_put(b, 1, 0);			/* general_non_packed_constraint_flag */
	ks_bits_put(b, 1, 1);			/* general_frame_only_constraint_flag */
	ks_bits_put(b, 32, 0);			/* general_reserved_zero_43bits */
	ks_bits_put(b, 11, 0);
	ks_bits_put(b, 1, 0);			/* general_inbld_flag */
	ks_bits_put(b, 8, p->level_idc);	/* general_level_idc */
}

/* The sub-layer ordering info: one picture in the DPB besides the current. */
static void ks_hevc_ordering(struct ks_bits *b)
{
	ks_bits_put(b, 1, 1);			/* sub_layer_ordering_info_present */
	ks_bits_ue(b, 1);			/* max_dec_pic_buffering_minus1 */
	ks_bits_ue(b, 0);			/* max_num_reorder_pics: no B */
	ks_bits_ue(b, 0);			/* max_latency_increase_plus1 */
}

int ks_hevc_vps(struct ks_bits *b, const struct ks_hevc_params *p)
{
	ks_hevc_nal(b, KS_HEVC_VPS);
	ks_bits_put(b, 4, 0);			/* vps_video_parameter_set_id */
	ks_bits_put(b, 1, 1);			/* vps_base_layer_internal_flag */
	ks_bits_put(b, 1, 1);			/* vps_base_layer_available_flag */
	ks_bits_put(b, 6, 0);			/* vps_max_layers_minus1 */
	ks_bits_put(b, 3, 0);			/* vps_max_sub_layers_minus1 */
	ks_bits_put(b, 1, 1);			/* vps_temporal_id_nesting_flag */
	ks_bits_put(b, 16, 0xffff);		/* vps_reserved_0xffff_16bits */
	ks_hevc_ptl(b, p);
	ks_hevc_ordering(b);
	ks_bits_put(b, 6, 0);			/* vps_max_layer_id */
	ks_bits_ue(b, 0);			/* vps_num_layer_sets_minus1 */
	ks_bits_put(b, 1, 1);			/* vps_timing_info_present_flag */
	ks_bits_put(b, 32, p->num_units_in_tick);
	ks_bits_put(b, 32, p->time_scale);
	ks_bits_put(b, 1, 0);			/* vps_poc_proportional_to_timing_flag */
	ks_bits_ue(b, 0);			/* vps_num_hrd_parameters */
	ks_bits_put(b, 1, 0);			/* vps_extension_flag */
	return ks_hevc_end(b, true);
}

int ks_hevc_sps(struct ks_bits *b, const struct ks_hevc_params *p)
{
	unsigned int cw = ks_hevc_coded(p->width, p), ch = ks_hevc_coded(p->height, p);
	unsigned int depth = p->main10 ? 2 : 0;

	ks_hevc_nal(b, KS_HEVC_SPS);
	ks_bits_put(b, 4, 0);			/* sps_video_parameter_set_id */
	ks_bits_put(b, 3, 0);			/* sps_max_sub_layers_minus1 */
	ks_bits_put(b, 1, 1);			/* sps_temporal_id_nesting_flag */
	ks_hevc_ptl(b, p);
	ks_bits_ue(b, 0);			/* sps_seq_parameter_set_id */
	ks_bits_ue(b, 1);			/* chroma_format_idc: 4:2:0 */
	ks_bits_ue(b, cw);			/* pic_width_in_luma_samples */
	ks_bits_ue(b, ch);			/* pic_height_in_luma_samples */
	ks_bits_put(b, 1, cw != p->width || ch != p->height);	/* conformance_window_flag */
	if (cw != p->width || ch != p->height) {
		/* in chroma samples (SubWidthC = SubHeightC = 2) */
		ks_bits_ue(b, 0);
		ks_bits_ue(b, (cw - p->width) / 2);
		ks_bits_ue(b, 0);
		ks_bits_ue(b, (ch - p->height) / 2);
	}
	ks_bits_ue(b, depth);			/* bit_depth_luma_minus8 */
	ks_bits_ue(b, depth);			/* bit_depth_chroma_minus8 */
	ks_bits_ue(b, p->log2_max_poc_lsb - 4);
	ks_hevc_ordering(b);
	ks_bits_ue(b, p->min_cb - 3);		/* log2_min_luma_coding_block_size_minus3 */
	ks_bits_ue(b, p->ctb - p->min_cb);	/* log2_diff_max_min_luma_coding_block_size */
	ks_bits_ue(b, p->min_tb - 2);		/* log2_min_luma_transform_block_size_minus2 */
	ks_bits_ue(b, p->max_tb - p->min_tb);	/* log2_diff_max_min_luma_transform_... */
	ks_bits_ue(b, p->depth_inter);
	ks_bits_ue(b, p->depth_intra);
	ks_bits_put(b, 1, p->scaling_lists);	/* scaling_list_enabled_flag */
	if (p->scaling_lists)
		ks_bits_put(b, 1, 0);		/* sps_scaling_list_data_present: defaults */
	ks_bits_put(b, 1, p->amp);
	ks_bits_put(b, 1, p->sao);
	ks_bits_put(b, 1, p->pcm);
	if (p->pcm) {
		ks_bits_put(b, 4, p->main10 ? 9 : 7);	/* pcm_sample_bit_depth_luma_minus1 */
		ks_bits_put(b, 4, p->main10 ? 9 : 7);	/* ..._chroma_minus1 */
		ks_bits_ue(b, p->min_pcm - 3);
		ks_bits_ue(b, p->max_pcm - p->min_pcm);
		ks_bits_put(b, 1, p->pcm_loop_filter_disabled);
	}
	/* one short-term RPS: the previous picture, used by the current one */
	ks_bits_ue(b, 1);			/* num_short_term_ref_pic_sets */
	ks_bits_ue(b, 1);			/* num_negative_pics */
	ks_bits_ue(b, 0);			/* num_positive_pics */
	ks_bits_ue(b, 0);			/* delta_poc_s0_minus1 */
	ks_bits_put(b, 1, 1);			/* used_by_curr_pic_s0_flag */
	ks_bits_put(b, 1, 0);			/* long_term_ref_pics_present_flag */
	ks_bits_put(b, 1, p->temporal_mvp);
	ks_bits_put(b, 1, p->strong_intra_smoothing);
	ks_bits_put(b, 1, 1);			/* vui_parameters_present_flag */
	ks_bits_put(b, 1, 0);			/* aspect_ratio_info_present_flag */
	ks_bits_put(b, 1, 0);			/* overscan_info_present_flag */
	ks_bits_put(b, 1, 1);			/* video_signal_type_present_flag */
	ks_bits_put(b, 3, 5);			/* video_format: unspecified */
	ks_bits_put(b, 1, 0);			/* video_full_range_flag: limited */
	ks_bits_put(b, 1, 1);			/* colour_description_present_flag */
	ks_bits_put(b, 8, 1);			/* colour_primaries BT.709 */
	ks_bits_put(b, 8, 1);			/* transfer_characteristics BT.709 */
	ks_bits_put(b, 8, 1);			/* matrix_coeffs BT.709 */
	ks_bits_put(b, 1, 0);			/* chroma_loc_info_present_flag */
	ks_bits_put(b, 1, 0);			/* neutral_chroma_indication_flag */
	ks_bits_put(b, 1, 0);			/* field_seq_flag */
	ks_bits_put(b, 1, 0);			/* frame_field_info_present_flag */
	ks_bits_put(b, 1, 0);			/* default_display_window_flag */
	ks_bits_put(b, 1, 1);			/* vui_timing_info_present_flag */
	ks_bits_put(b, 32, p->num_units_in_tick);
	ks_bits_put(b, 32, p->time_scale);
	ks_bits_put(b, 1, 0);			/* vui_poc_proportional_to_timing_flag */
	ks_bits_put(b, 1, 0);			/* vui_hrd_parameters_present_flag */
	ks_bits_put(b, 1, 1);			/* bitstream_restriction_flag */
	ks_bits_put(b, 1, 0);			/* tiles_fixed_structure_flag */
	ks_bits_put(b, 1, 1);			/* motion_vectors_over_pic_boundaries_flag */
	ks_bits_put(b, 1, 1);			/* restricted_ref_pic_lists_flag */
	ks_bits_ue(b, 0);			/* min_spatial_segmentation_idc */
	ks_bits_ue(b, 0);			/* max_bytes_per_pic_denom */
	ks_bits_ue(b, 0);			/* max_bits_per_min_cu_denom */
	ks_bits_ue(b, 15);			/* log2_max_mv_length_horizontal */
	ks_bits_ue(b, 15);			/* log2_max_mv_length_vertical */
	ks_bits_put(b, 1, 0);			/* sps_extension_present_flag */
	return ks_hevc_end(b, true);
}

int ks_hevc_pps(struct ks_bits *b, const struct ks_hevc_params *p)
{
	ks_hevc_nal(b, KS_HEVC_PPS);
	ks_bits_ue(b, 0);			/* pps_pic_parameter_set_id */
	ks_bits_ue(b, 0);			/* pps_seq_parameter_set_id */
	ks_bits_put(b, 1, p->dependent_slices);	/* dependent_slice_segments_enabled */
	ks_bits_put(b, 1, 0);			/* output_flag_present_flag */
	ks_bits_put(b, 3, 0);			/* num_extra_slice_header_bits */
	ks_bits_put(b, 1, p->sign_data_hiding);
	ks_bits_put(b, 1, 0);			/* cabac_init_present_flag */
	ks_bits_ue(b, 0);			/* num_ref_idx_l0_default_active_minus1 */
	ks_bits_ue(b, 0);			/* num_ref_idx_l1_default_active_minus1 */
	ks_bits_se(b, (int32_t)p->qp - 26);	/* init_qp_minus26 */
	ks_bits_put(b, 1, p->constrained_intra_pred);
	ks_bits_put(b, 1, p->transform_skip);
	ks_bits_put(b, 1, p->cu_qp_delta);
	if (p->cu_qp_delta)
		ks_bits_ue(b, 0);		/* diff_cu_qp_delta_depth */
	ks_bits_se(b, 0);			/* pps_cb_qp_offset */
	ks_bits_se(b, 0);			/* pps_cr_qp_offset */
	ks_bits_put(b, 1, 0);			/* pps_slice_chroma_qp_offsets_present_flag */
	ks_bits_put(b, 1, 0);			/* weighted_pred_flag */
	ks_bits_put(b, 1, 0);			/* weighted_bipred_flag */
	ks_bits_put(b, 1, p->transquant_bypass);
	ks_bits_put(b, 1, 0);			/* tiles_enabled_flag */
	ks_bits_put(b, 1, 0);			/* entropy_coding_sync_enabled_flag */
	ks_bits_put(b, 1, 0);			/* pps_loop_filter_across_slices_enabled */
	ks_bits_put(b, 1, 1);			/* deblocking_filter_control_present_flag */
	ks_bits_put(b, 1, 0);			/* deblocking_filter_override_enabled_flag */
	ks_bits_put(b, 1, p->deblocking_disabled);	/* pps_deblocking_filter_disabled_flag */
	if (!p->deblocking_disabled) {
		ks_bits_se(b, 0);		/* pps_beta_offset_div2 */
		ks_bits_se(b, 0);		/* pps_tc_offset_div2 */
	}
	ks_bits_put(b, 1, 0);			/* pps_scaling_list_data_present_flag */
	ks_bits_put(b, 1, 0);			/* lists_modification_present_flag */
	ks_bits_ue(b, 0);			/* log2_parallel_merge_level_minus2 */
	ks_bits_put(b, 1, 0);			/* slice_segment_header_extension_present */
	ks_bits_put(b, 1, 0);			/* pps_extension_present_flag */
	return ks_hevc_end(b, true);
}

int ks_hevc_slice_header(struct ks_bits *b, const struct ks_hevc_params *p, bool idr,
			 unsigned int poc)
{
	ks_hevc_nal(b, idr ? KS_HEVC_IDR_W_RADL : KS_HEVC_TRAIL_R);
	ks_bits_put(b, 1, 1);			/* first_slice_segment_in_pic_flag */
	if (idr)
		ks_bits_put(b, 1, 0);		/* no_output_of_prior_pics_flag */
	ks_bits_ue(b, 0);			/* slice_pic_parameter_set_id */
	ks_bits_ue(b, idr ? 2 : p->gpb ? 0 : 1);	/* slice_type: I / P (B with gpb) */
	if (!idr) {
		ks_bits_put(b, p->log2_max_poc_lsb, poc & ((1u << p->log2_max_poc_lsb) - 1));
		ks_bits_put(b, 1, 1);		/* short_term_ref_pic_set_sps_flag */
		if (p->temporal_mvp)
			ks_bits_put(b, 1, 1);	/* slice_temporal_mvp_enabled_flag */
	}
	if (p->sao) {
		ks_bits_put(b, 1, 1);		/* slice_sao_luma_flag */
		ks_bits_put(b, 1, 1);		/* slice_sao_chroma_flag */
	}
	if (!idr) {
		ks_bits_put(b, 1, 0);		/* num_ref_idx_active_override_flag */
		if (p->gpb)
			ks_bits_put(b, 1, 0);	/* mvd_l1_zero_flag */
		if (p->gpb && p->temporal_mvp)
			ks_bits_put(b, 1, 1);	/* collocated_from_l0_flag */
		/* collocated_ref_idx: not present with one reference */
		ks_bits_ue(b, 0);		/* five_minus_max_num_merge_cand */
	}
	ks_bits_se(b, 0);			/* slice_qp_delta */
	/* no override, no loop filter across slices: nothing more */
	ks_bits_trailing(b);			/* byte_alignment() */
	return ks_hevc_end(b, false);
}

int ks_annexb_aud_hevc(struct ks_buf *au)
{
	/* nal_unit_type 35, layer 0, tid 1; pic_type 2 (I, P, B); stop bit */
	static const uint8_t aud[] = { 0, 0, 0, 1, 0x46, 0x01, 0x50 };

	return ks_buf_append(au, aud, sizeof(aud));
}
