// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: H.264 SPS, PPS and slice headers, for drivers that
 * declare packed headers (VAConfigAttribEncPackedHeaders).  The headers
 * describe exactly what vapipe.c asks the encoder for: progressive 4:2:0
 * 8-bit, one reference frame, POC type 2 (no B frames), one slice per
 * picture, BT.709 limited range, timing information for the frame rate.
 * Parameter sets are written with emulation prevention bytes
 * (has_emulation_bytes = 1), as a decoder reads them: a driver that takes
 * them unescaped must find the NAL's end itself, and an SPS whose timing
 * fields hold 00 00 01 was cut short there.  The slice header, which the
 * driver continues with the slice data, stays unescaped.
 */
#include <errno.h>
#include <string.h>

#include "ks.h"
#include "h264_headers.h"

static void ks_nal_start(struct ks_bits *b, unsigned int ref_idc, unsigned int type)
{
	ks_bits_put(b, 32, 1);		/* start code 00 00 00 01 */
	ks_bits_put(b, 1, 0);		/* forbidden_zero_bit */
	ks_bits_put(b, 2, ref_idc);
	ks_bits_put(b, 5, type);
}

static unsigned int ks_profile_idc(enum ks_h264_profile p)
{
	return p == KS_H264_HIGH ? 100 : p == KS_H264_MAIN ? 77 : 66;
}

int ks_h264_sps(struct ks_bits *b, const struct ks_h264_params *p)
{
	unsigned int wmb = (p->width + 15) / 16, hmb = (p->height + 15) / 16;
	bool crop = wmb * 16 != p->width || hmb * 16 != p->height;

	ks_bits_init(b);
	ks_nal_start(b, 3, 7);
	ks_bits_put(b, 8, ks_profile_idc(p->profile));
	/* constraint_set0/1 for Constrained Baseline, set1 for Main */
	ks_bits_put(b, 1, p->profile == KS_H264_CB);
	ks_bits_put(b, 1, p->profile != KS_H264_HIGH);
	ks_bits_put(b, 6, 0);
	ks_bits_put(b, 8, p->level_idc);
	ks_bits_ue(b, 0);			/* seq_parameter_set_id */
	if (p->profile == KS_H264_HIGH) {
		ks_bits_ue(b, 1);		/* chroma_format_idc 4:2:0 */
		ks_bits_ue(b, 0);		/* bit_depth_luma_minus8 */
		ks_bits_ue(b, 0);		/* bit_depth_chroma_minus8 */
		ks_bits_put(b, 1, 0);		/* qpprime_y_zero_transform_bypass */
		ks_bits_put(b, 1, 0);		/* seq_scaling_matrix_present */
	}
	ks_bits_ue(b, p->log2_max_frame_num - 4);
	ks_bits_ue(b, 2);			/* pic_order_cnt_type */
	ks_bits_ue(b, 1);			/* max_num_ref_frames */
	ks_bits_put(b, 1, 0);			/* gaps_in_frame_num_value_allowed */
	ks_bits_ue(b, wmb - 1);
	ks_bits_ue(b, hmb - 1);
	ks_bits_put(b, 1, 1);			/* frame_mbs_only */
	ks_bits_put(b, 1, 1);			/* direct_8x8_inference */
	ks_bits_put(b, 1, crop);
	if (crop) {
		ks_bits_ue(b, 0);
		ks_bits_ue(b, (wmb * 16 - p->width) / 2);
		ks_bits_ue(b, 0);
		ks_bits_ue(b, (hmb * 16 - p->height) / 2);
	}
	ks_bits_put(b, 1, 1);			/* vui_parameters_present */
	ks_bits_put(b, 1, 0);			/* aspect_ratio_info_present */
	ks_bits_put(b, 1, 0);			/* overscan_info_present */
	ks_bits_put(b, 1, 1);			/* video_signal_type_present */
	ks_bits_put(b, 3, 5);			/* video_format: unspecified */
	ks_bits_put(b, 1, 0);			/* video_full_range: limited */
	ks_bits_put(b, 1, 1);			/* colour_description_present */
	ks_bits_put(b, 8, 1);			/* colour_primaries BT.709 */
	ks_bits_put(b, 8, 1);			/* transfer_characteristics BT.709 */
	ks_bits_put(b, 8, 1);			/* matrix_coefficients BT.709 */
	ks_bits_put(b, 1, 0);			/* chroma_loc_info_present */
	ks_bits_put(b, 1, 1);			/* timing_info_present */
	ks_bits_put(b, 32, p->num_units_in_tick);
	ks_bits_put(b, 32, p->time_scale);
	ks_bits_put(b, 1, 0);			/* fixed_frame_rate: frames may be skipped */
	ks_bits_put(b, 1, 0);			/* nal_hrd_parameters_present */
	ks_bits_put(b, 1, 0);			/* vcl_hrd_parameters_present */
	ks_bits_put(b, 1, 0);			/* pic_struct_present */
	ks_bits_put(b, 1, 1);			/* bitstream_restriction */
	ks_bits_put(b, 1, 1);			/* motion_vectors_over_pic_boundaries */
	ks_bits_ue(b, 0);			/* max_bytes_per_pic_denom */
	ks_bits_ue(b, 0);			/* max_bits_per_mb_denom */
	ks_bits_ue(b, 15);			/* log2_max_mv_length_horizontal */
	ks_bits_ue(b, 15);			/* log2_max_mv_length_vertical */
	ks_bits_ue(b, 0);			/* max_num_reorder_frames: no B frames */
	ks_bits_ue(b, 1);			/* max_dec_frame_buffering */
	ks_bits_trailing(b);
	return b->overflow || ks_bits_escape(b, 4) < 0 ? -ENOSPC : 0;
}

int ks_h264_pps(struct ks_bits *b, const struct ks_h264_params *p)
{
	ks_bits_init(b);
	ks_nal_start(b, 3, 8);
	ks_bits_ue(b, 0);			/* pic_parameter_set_id */
	ks_bits_ue(b, 0);			/* seq_parameter_set_id */
	ks_bits_put(b, 1, p->cabac);
	ks_bits_put(b, 1, 0);			/* bottom_field_pic_order_in_frame_present */
	ks_bits_ue(b, 0);			/* num_slice_groups_minus1 */
	ks_bits_ue(b, 0);			/* num_ref_idx_l0_default_active_minus1 */
	ks_bits_ue(b, 0);			/* num_ref_idx_l1_default_active_minus1 */
	ks_bits_put(b, 1, 0);			/* weighted_pred */
	ks_bits_put(b, 2, 0);			/* weighted_bipred_idc */
	ks_bits_se(b, (int32_t)p->qp - 26);	/* pic_init_qp_minus26 */
	ks_bits_se(b, 0);			/* pic_init_qs_minus26 */
	ks_bits_se(b, 0);			/* chroma_qp_index_offset */
	ks_bits_put(b, 1, 1);			/* deblocking_filter_control_present */
	ks_bits_put(b, 1, 0);			/* constrained_intra_pred */
	ks_bits_put(b, 1, 0);			/* redundant_pic_cnt_present */
	if (p->transform_8x8) {
		ks_bits_put(b, 1, 1);		/* transform_8x8_mode */
		ks_bits_put(b, 1, 0);		/* pic_scaling_matrix_present */
		ks_bits_se(b, 0);		/* second_chroma_qp_index_offset */
	}
	ks_bits_trailing(b);
	return b->overflow || ks_bits_escape(b, 4) < 0 ? -ENOSPC : 0;
}

int ks_h264_slice_header(struct ks_bits *b, const struct ks_h264_params *p, bool idr,
			 unsigned int frame_num, unsigned int idr_pic_id)
{
	ks_bits_init(b);
	ks_nal_start(b, idr ? 3 : 2, idr ? 5 : 1);
	ks_bits_ue(b, 0);			/* first_mb_in_slice */
	ks_bits_ue(b, idr ? 2 : 0);		/* slice_type I / P */
	ks_bits_ue(b, 0);			/* pic_parameter_set_id */
	ks_bits_put(b, p->log2_max_frame_num, frame_num);
	if (idr)
		ks_bits_ue(b, idr_pic_id);
	/* pic_order_cnt_type 2: nothing; no redundant_pic_cnt */
	if (!idr) {
		ks_bits_put(b, 1, 0);		/* num_ref_idx_active_override */
		ks_bits_put(b, 1, 0);		/* ref_pic_list_modification_flag_l0 */
	}
	if (idr) {
		ks_bits_put(b, 1, 0);		/* no_output_of_prior_pics */
		ks_bits_put(b, 1, 0);		/* long_term_reference */
	} else {
		ks_bits_put(b, 1, 0);		/* adaptive_ref_pic_marking_mode */
	}
	if (p->cabac && !idr)
		ks_bits_ue(b, 0);		/* cabac_init_idc */
	ks_bits_se(b, 0);			/* slice_qp_delta */
	ks_bits_ue(b, 0);			/* disable_deblocking_filter_idc */
	ks_bits_se(b, 0);			/* slice_alpha_c0_offset_div2 */
	ks_bits_se(b, 0);			/* slice_beta_offset_div2 */
	/* no trailing bits: the slice data follows */
	return b->overflow ? -ENOSPC : 0;
}
