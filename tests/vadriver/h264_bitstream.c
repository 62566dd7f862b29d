// SPDX-License-Identifier: MIT
/*
 * h264_bitstream.c - H.264 bit writer, emulation prevention and the
 * syntax writers: SPS, PPS, slice header and I_PCM slice data (CAVLC).
 * Written from ITU-T H.264 (clauses 7.3 and 7.4).
 */
#include <string.h>

#include "kmscap_va.h"

void kmscap_va_bits_init(struct kmscap_va_bits *b, uint8_t *buf, size_t cap)
{
	b->buf = buf;
	b->cap = cap;
	b->bitpos = 0;
	b->overflow = false;
}

/* The buffer is not cleared beforehand: each byte is, when its first bit is written. */
static void kmscap_va_bits_put1(struct kmscap_va_bits *b, unsigned int bit)
{
	size_t byte = b->bitpos >> 3;

	if (byte >= b->cap) {
		b->overflow = true;
		return;
	}
	if (!(b->bitpos & 7))
		b->buf[byte] = 0;
	if (bit)
		b->buf[byte] |= 0x80 >> (b->bitpos & 7);
	b->bitpos++;
}

/*
 * The low nbits (<= 32) of value, most significant first: up to a byte at
 * a time when they all fit, else bit by bit up to the end of the buffer.
 */
void kmscap_va_bits_put(struct kmscap_va_bits *b, unsigned int nbits, uint32_t value)
{
	if (((b->bitpos + nbits + 7) >> 3) > b->cap) {
		while (nbits--)
			kmscap_va_bits_put1(b, (value >> nbits) & 1);
		return;
	}
	while (nbits) {
		unsigned int room = 8 - (b->bitpos & 7), n = nbits < room ? nbits : room;
		size_t byte = b->bitpos >> 3;

		if (room == 8)
			b->buf[byte] = 0;
		b->buf[byte] |= ((value >> (nbits - n)) & ((1u << n) - 1)) << (room - n);
		b->bitpos += n;
		nbits -= n;
	}
}

void kmscap_va_bits_put_bytes(struct kmscap_va_bits *b, const uint8_t *src, size_t n)
{
	size_t byte = b->bitpos >> 3;

	if (b->bitpos & 7) {
		while (n--)
			kmscap_va_bits_put(b, 8, *src++);
		return;
	}
	if (byte + n > b->cap) {
		b->overflow = true;
		return;
	}
	memcpy(b->buf + byte, src, n);
	b->bitpos += 8 * n;
}

void kmscap_va_bits_ue(struct kmscap_va_bits *b, uint32_t value)
{
	uint64_t v = (uint64_t)value + 1;
	unsigned int len = 0;

	while ((v >> len) > 1)
		len++;
	kmscap_va_bits_put(b, len, 0);
	while (len + 1 > 32) {
		kmscap_va_bits_put1(b, (v >> len) & 1);
		len--;
	}
	kmscap_va_bits_put(b, len + 1, (uint32_t)v);
}

void kmscap_va_bits_se(struct kmscap_va_bits *b, int32_t value)
{
	kmscap_va_bits_ue(b, value > 0 ? 2u * value - 1 : -2u * value);
}

void kmscap_va_bits_align_zero(struct kmscap_va_bits *b)
{
	while (b->bitpos & 7)
		kmscap_va_bits_put1(b, 0);
}

void kmscap_va_bits_trailing(struct kmscap_va_bits *b)
{
	kmscap_va_bits_put1(b, 1);
	kmscap_va_bits_align_zero(b);
}

/*
 * Returns the escaped length, or 0 if it does not fit in cap.  A run of
 * non-zero bytes after a non-zero byte needs no escape: it is copied whole
 * (PCM samples are never 0, so that is nearly all of a slice).
 */
size_t kmscap_va_nal_escape(uint8_t *dst, size_t cap, const uint8_t *rbsp, size_t len)
{
	unsigned int zeros = 0;
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (!zeros && rbsp[i]) {
			const uint8_t *z = memchr(rbsp + i, 0, len - i);
			size_t n = z ? (size_t)(z - (rbsp + i)) : len - i;

			if (n > cap - o)
				return 0;
			memcpy(dst + o, rbsp + i, n);
			o += n;
			i += n - 1;	/* the last of the run was non-zero: zeros stays 0 */
			continue;
		}
		if (zeros >= 2 && rbsp[i] <= 3) {
			if (o >= cap)
				return 0;
			dst[o++] = 3;
			zeros = 0;
		}
		if (o >= cap)
			return 0;
		dst[o++] = rbsp[i];
		zeros = rbsp[i] ? 0 : zeros + 1;
	}
	return o;
}

/* Removes emulation prevention bytes; dst may equal src. */
size_t kmscap_va_nal_unescape(uint8_t *dst, const uint8_t *src, size_t len)
{
	unsigned int zeros = 0;
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (zeros >= 2 && src[i] == 3) {
			zeros = 0;
			continue;
		}
		dst[o++] = src[i];
		zeros = src[i] ? 0 : zeros + 1;
	}
	return o;
}

unsigned int kmscap_va_h264_profile_idc(VAProfile profile, unsigned int *constraints)
{
	switch (profile) {
	case VAProfileH264ConstrainedBaseline:
		*constraints = 0xc0;	/* constraint_set0_flag, constraint_set1_flag */
		return 66;
	case VAProfileH264Main:
		*constraints = 0x40;	/* constraint_set1_flag */
		return 77;
	default:
		*constraints = 0;
		return 100;
	}
}

void kmscap_va_bits_vui_start(struct kmscap_va_bits *b, bool aspect_ratio, unsigned int idc,
			      unsigned int sar_width, unsigned int sar_height)
{
	kmscap_va_bits_put(b, 1, aspect_ratio);	/* aspect_ratio_info_present_flag */
	if (aspect_ratio) {
		kmscap_va_bits_put(b, 8, idc);
		if (idc == 255) {
			kmscap_va_bits_put(b, 16, sar_width);
			kmscap_va_bits_put(b, 16, sar_height);
		}
	}
	kmscap_va_bits_put(b, 1, 0);		/* overscan_info_present_flag */
	/* BT.709 limited range, what the VPP produces */
	kmscap_va_bits_put(b, 1, 1);		/* video_signal_type_present_flag */
	kmscap_va_bits_put(b, 3, 5);		/* video_format: unspecified */
	kmscap_va_bits_put(b, 1, 0);		/* video_full_range_flag */
	kmscap_va_bits_put(b, 1, 1);		/* colour_description_present_flag */
	kmscap_va_bits_put(b, 8, 1);		/* colour_primaries: BT.709 */
	kmscap_va_bits_put(b, 8, 1);		/* transfer_characteristics: BT.709 */
	kmscap_va_bits_put(b, 8, 1);		/* matrix_coefficients: BT.709 */
	kmscap_va_bits_put(b, 1, 0);		/* chroma_loc_info_present_flag */
}

static void kmscap_va_h264_write_vui(struct kmscap_va_bits *b,
				     const VAEncSequenceParameterBufferH264 *seq)
{
	kmscap_va_bits_vui_start(b, seq->vui_fields.bits.aspect_ratio_info_present_flag,
				 seq->aspect_ratio_idc, seq->sar_width, seq->sar_height);
	kmscap_va_bits_put(b, 1, seq->vui_fields.bits.timing_info_present_flag);
	if (seq->vui_fields.bits.timing_info_present_flag) {
		kmscap_va_bits_put(b, 32, seq->num_units_in_tick);
		kmscap_va_bits_put(b, 32, seq->time_scale);
		kmscap_va_bits_put(b, 1, seq->vui_fields.bits.fixed_frame_rate_flag);
	}
	kmscap_va_bits_put(b, 1, 0);		/* nal_hrd_parameters_present_flag */
	kmscap_va_bits_put(b, 1, 0);		/* vcl_hrd_parameters_present_flag */
	kmscap_va_bits_put(b, 1, 0);		/* pic_struct_present_flag */
	kmscap_va_bits_put(b, 1, seq->vui_fields.bits.bitstream_restriction_flag);
	if (seq->vui_fields.bits.bitstream_restriction_flag) {
		kmscap_va_bits_put(b, 1,
				   seq->vui_fields.bits.motion_vectors_over_pic_boundaries_flag);
		kmscap_va_bits_ue(b, 0);	/* max_bytes_per_pic_denom: no limit */
		kmscap_va_bits_ue(b, 0);	/* max_bits_per_mb_denom: no limit (I_PCM) */
		kmscap_va_bits_ue(b, seq->vui_fields.bits.log2_max_mv_length_horizontal);
		kmscap_va_bits_ue(b, seq->vui_fields.bits.log2_max_mv_length_vertical);
		/* B frames (ip_period > 1) may wait for every reference frame */
		kmscap_va_bits_ue(b, seq->ip_period > 1 ? seq->max_num_ref_frames : 0);
		kmscap_va_bits_ue(b, seq->max_num_ref_frames);	/* max_dec_frame_buffering */
	}
}

void kmscap_va_h264_write_sps(struct kmscap_va_bits *b, VAProfile profile,
			      const VAEncSequenceParameterBufferH264 *seq)
{
	unsigned int constraints, idc = kmscap_va_h264_profile_idc(profile, &constraints);
	unsigned int i;

	kmscap_va_bits_put(b, 8, 0x67);		/* nal_ref_idc 3, type 7 */
	kmscap_va_bits_put(b, 8, idc);
	kmscap_va_bits_put(b, 8, constraints);
	kmscap_va_bits_put(b, 8, seq->level_idc);
	kmscap_va_bits_ue(b, seq->seq_parameter_set_id);
	if (idc == 100) {
		kmscap_va_bits_ue(b, seq->seq_fields.bits.chroma_format_idc);
		kmscap_va_bits_ue(b, seq->bit_depth_luma_minus8);
		kmscap_va_bits_ue(b, seq->bit_depth_chroma_minus8);
		kmscap_va_bits_put(b, 1, 0);	/* qpprime_y_zero_transform_bypass_flag */
		kmscap_va_bits_put(b, 1, 0);	/* seq_scaling_matrix_present_flag */
	}
	kmscap_va_bits_ue(b, seq->seq_fields.bits.log2_max_frame_num_minus4);
	kmscap_va_bits_ue(b, seq->seq_fields.bits.pic_order_cnt_type);
	if (seq->seq_fields.bits.pic_order_cnt_type == 0) {
		kmscap_va_bits_ue(b, seq->seq_fields.bits.log2_max_pic_order_cnt_lsb_minus4);
	} else if (seq->seq_fields.bits.pic_order_cnt_type == 1) {
		kmscap_va_bits_put(b, 1, seq->seq_fields.bits.delta_pic_order_always_zero_flag);
		kmscap_va_bits_se(b, seq->offset_for_non_ref_pic);
		kmscap_va_bits_se(b, seq->offset_for_top_to_bottom_field);
		kmscap_va_bits_ue(b, seq->num_ref_frames_in_pic_order_cnt_cycle);
		for (i = 0; i < seq->num_ref_frames_in_pic_order_cnt_cycle; i++)
			kmscap_va_bits_se(b, seq->offset_for_ref_frame[i]);
	}
	kmscap_va_bits_ue(b, seq->max_num_ref_frames);
	kmscap_va_bits_put(b, 1, 0);		/* gaps_in_frame_num_value_allowed_flag */
	kmscap_va_bits_ue(b, seq->picture_width_in_mbs - 1);
	kmscap_va_bits_ue(b, seq->picture_height_in_mbs - 1);
	kmscap_va_bits_put(b, 1, 1);		/* frame_mbs_only_flag (validated) */
	kmscap_va_bits_put(b, 1, seq->seq_fields.bits.direct_8x8_inference_flag);
	kmscap_va_bits_put(b, 1, seq->frame_cropping_flag);
	if (seq->frame_cropping_flag) {
		kmscap_va_bits_ue(b, seq->frame_crop_left_offset);
		kmscap_va_bits_ue(b, seq->frame_crop_right_offset);
		kmscap_va_bits_ue(b, seq->frame_crop_top_offset);
		kmscap_va_bits_ue(b, seq->frame_crop_bottom_offset);
	}
	kmscap_va_bits_put(b, 1, seq->vui_parameters_present_flag);
	if (seq->vui_parameters_present_flag)
		kmscap_va_h264_write_vui(b, seq);
	kmscap_va_bits_trailing(b);
}

void kmscap_va_h264_write_pps(struct kmscap_va_bits *b, VAProfile profile,
			      const VAEncPictureParameterBufferH264 *pic)
{
	kmscap_va_bits_put(b, 8, 0x68);		/* nal_ref_idc 3, type 8 */
	kmscap_va_bits_ue(b, pic->pic_parameter_set_id);
	kmscap_va_bits_ue(b, pic->seq_parameter_set_id);
	kmscap_va_bits_put(b, 1, pic->pic_fields.bits.entropy_coding_mode_flag);
	kmscap_va_bits_put(b, 1, pic->pic_fields.bits.pic_order_present_flag);
	kmscap_va_bits_ue(b, 0);		/* num_slice_groups_minus1 */
	kmscap_va_bits_ue(b, pic->num_ref_idx_l0_active_minus1);
	kmscap_va_bits_ue(b, pic->num_ref_idx_l1_active_minus1);
	kmscap_va_bits_put(b, 1, pic->pic_fields.bits.weighted_pred_flag);
	kmscap_va_bits_put(b, 2, pic->pic_fields.bits.weighted_bipred_idc);
	kmscap_va_bits_se(b, (int)pic->pic_init_qp - 26);
	kmscap_va_bits_se(b, 0);		/* pic_init_qs_minus26 */
	kmscap_va_bits_se(b, pic->chroma_qp_index_offset);
	kmscap_va_bits_put(b, 1, pic->pic_fields.bits.deblocking_filter_control_present_flag);
	kmscap_va_bits_put(b, 1, pic->pic_fields.bits.constrained_intra_pred_flag);
	kmscap_va_bits_put(b, 1, pic->pic_fields.bits.redundant_pic_cnt_present_flag);
	if (profile == VAProfileH264High &&
	    (pic->pic_fields.bits.transform_8x8_mode_flag ||
	     pic->second_chroma_qp_index_offset != pic->chroma_qp_index_offset)) {
		kmscap_va_bits_put(b, 1, pic->pic_fields.bits.transform_8x8_mode_flag);
		kmscap_va_bits_put(b, 1, 0);	/* pic_scaling_matrix_present_flag */
		kmscap_va_bits_se(b, pic->second_chroma_qp_index_offset);
	}
	kmscap_va_bits_trailing(b);
}

void kmscap_va_h264_write_slice_header(struct kmscap_va_bits *b,
				       const VAEncSequenceParameterBufferH264 *seq,
				       const VAEncPictureParameterBufferH264 *pic,
				       const VAEncSliceParameterBufferH264 *slice,
				       unsigned int nal_ref_idc)
{
	bool idr = pic->pic_fields.bits.idr_pic_flag;
	bool is_p = slice->slice_type % 5 == 0, is_b = slice->slice_type % 5 == 1;

	kmscap_va_bits_put(b, 1, 0);
	kmscap_va_bits_put(b, 2, nal_ref_idc);
	kmscap_va_bits_put(b, 5, idr ? 5 : 1);
	kmscap_va_bits_ue(b, slice->macroblock_address);
	kmscap_va_bits_ue(b, slice->slice_type);
	kmscap_va_bits_ue(b, slice->pic_parameter_set_id);
	kmscap_va_bits_put(b, seq->seq_fields.bits.log2_max_frame_num_minus4 + 4,
			   pic->frame_num);
	if (idr)
		kmscap_va_bits_ue(b, slice->idr_pic_id);
	if (seq->seq_fields.bits.pic_order_cnt_type == 0) {
		kmscap_va_bits_put(b, seq->seq_fields.bits.log2_max_pic_order_cnt_lsb_minus4 + 4,
				   slice->pic_order_cnt_lsb);
		if (pic->pic_fields.bits.pic_order_present_flag)
			kmscap_va_bits_se(b, slice->delta_pic_order_cnt_bottom);
	} else if (seq->seq_fields.bits.pic_order_cnt_type == 1 &&
		   !seq->seq_fields.bits.delta_pic_order_always_zero_flag) {
		kmscap_va_bits_se(b, slice->delta_pic_order_cnt[0]);
		if (pic->pic_fields.bits.pic_order_present_flag)
			kmscap_va_bits_se(b, slice->delta_pic_order_cnt[1]);
	}
	if (pic->pic_fields.bits.redundant_pic_cnt_present_flag)
		kmscap_va_bits_ue(b, 0);	/* redundant_pic_cnt */
	if (is_b)
		kmscap_va_bits_put(b, 1, slice->direct_spatial_mv_pred_flag);
	if (is_p || is_b) {
		kmscap_va_bits_put(b, 1, slice->num_ref_idx_active_override_flag);
		if (slice->num_ref_idx_active_override_flag) {
			kmscap_va_bits_ue(b, slice->num_ref_idx_l0_active_minus1);
			if (is_b)
				kmscap_va_bits_ue(b, slice->num_ref_idx_l1_active_minus1);
		}
		kmscap_va_bits_put(b, 1, 0);	/* ref_pic_list_modification_flag_l0 */
		if (is_b)
			kmscap_va_bits_put(b, 1, 0);	/* ref_pic_list_modification_flag_l1 */
	}
	if (nal_ref_idc) {
		if (idr) {
			kmscap_va_bits_put(b, 1, 0);	/* no_output_of_prior_pics_flag */
			kmscap_va_bits_put(b, 1, 0);	/* long_term_reference_flag */
		} else {
			kmscap_va_bits_put(b, 1, 0);	/* adaptive_ref_pic_marking_mode_flag */
		}
	}
	if (pic->pic_fields.bits.entropy_coding_mode_flag && (is_p || is_b))
		kmscap_va_bits_ue(b, slice->cabac_init_idc);
	kmscap_va_bits_se(b, slice->slice_qp_delta);
	if (pic->pic_fields.bits.deblocking_filter_control_present_flag) {
		kmscap_va_bits_ue(b, slice->disable_deblocking_filter_idc);
		if (slice->disable_deblocking_filter_idc != 1) {
			kmscap_va_bits_se(b, slice->slice_alpha_c0_offset_div2);
			kmscap_va_bits_se(b, slice->slice_beta_offset_div2);
		}
	}
}

/*
 * pcm_alignment_zero_bit and the 384 samples of macroblock (mbx, mby),
 * written straight into the (then byte-aligned) buffer: 16 luma rows, the
 * 8x8 Cb samples, the 8x8 Cr samples.
 */
void kmscap_va_h264_write_pcm_samples(struct kmscap_va_bits *b,
				      const struct kmscap_va_surface *s, unsigned int mbx,
				      unsigned int mby)
{
	const uint8_t *y_plane = s->data + s->offset[0];
	const uint8_t *uv_plane = s->data + s->offset[1];
	unsigned int r, c;
	uint8_t *d;

	kmscap_va_bits_align_zero(b);
	if ((b->bitpos >> 3) + 384 > b->cap) {
		b->overflow = true;
		return;
	}
	d = b->buf + (b->bitpos >> 3);
	for (r = 0; r < 16; r++)
		memcpy(d + 16 * r, y_plane + (size_t)(mby * 16 + r) * s->pitch[0] + mbx * 16, 16);
	d += 256;
	for (r = 0; r < 8; r++) {
		const uint8_t *row = uv_plane + (size_t)(mby * 8 + r) * s->pitch[1] + mbx * 16;

		for (c = 0; c < 8; c++) {
			d[r * 8 + c] = row[2 * c];
			d[64 + r * 8 + c] = row[2 * c + 1];
		}
	}
	b->bitpos += 8 * 384;
}

/*
 * Slice data of I_PCM macroblocks (CAVLC): in P and B slices every
 * macroblock is preceded by mb_skip_run = 0, and its mb_type is the intra
 * offset (5 in P, 23 in B) + 25.
 */
void kmscap_va_h264_write_pcm_mbs(struct kmscap_va_bits *b, const struct kmscap_va_surface *s,
				  const VAEncSequenceParameterBufferH264 *seq,
				  const VAEncSliceParameterBufferH264 *slice)
{
	unsigned int type = slice->slice_type % 5, i;
	unsigned int mb_type = type == 0 ? 5 + 25 : type == 1 ? 23 + 25 : 25;

	for (i = 0; i < slice->num_macroblocks; i++) {
		unsigned int mb = slice->macroblock_address + i;

		if (type != 2)
			kmscap_va_bits_ue(b, 0);	/* mb_skip_run */
		kmscap_va_bits_ue(b, mb_type);		/* I_PCM */
		kmscap_va_h264_write_pcm_samples(b, s, mb % seq->picture_width_in_mbs,
						 mb / seq->picture_width_in_mbs);
	}
	kmscap_va_bits_trailing(b);
}
