// SPDX-License-Identifier: MIT
/*
 * test_validate.c - one test per validation rule of the driver: the call
 * must fail with the VA status a real driver gives.  Each encode test
 * starts from a valid picture and breaks exactly one thing.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "va_test.h"

/*
 * Encode rule: open a 64x32 session (2 slices), optionally encode a valid
 * IDR first (p = true: the tested picture is a P picture), apply `mutation`
 * and expect `expected` from the submission.
 */
#define KMSCAP_VAT_ENC_RULE(name, profile, p, expected, ...)				\
START_TEST(name)									\
{											\
	struct kmscap_vat_enc e;							\
	bool with_seq = !(p);								\
											\
	kmscap_vat_enc_open(&e, profile, 64, 32, VA_ENC_PACKED_HEADER_NONE, 0);	\
	if (p) {									\
		kmscap_vat_enc_defaults(&e, true, 2);					\
		ck_assert_va_ok(kmscap_vat_enc_submit(&e, true, NULL, 0));		\
	}										\
	kmscap_vat_enc_defaults(&e, !(p), 2);						\
	__VA_ARGS__;								\
	ck_assert_va(kmscap_vat_enc_submit(&e, with_seq, NULL, 0), expected);		\
	kmscap_vat_enc_close(&e);							\
}											\
END_TEST

#define H264_MAIN VAProfileH264Main
#define EINVAL_P VA_STATUS_ERROR_INVALID_PARAMETER

/* picture-level parameters */
KMSCAP_VAT_ENC_RULE(enc_no_sequence_buffer, H264_MAIN, false, EINVAL_P, with_seq = false)
KMSCAP_VAT_ENC_RULE(enc_no_picture_buffer, H264_MAIN, false, EINVAL_P, e.omit_pic = true)
KMSCAP_VAT_ENC_RULE(enc_no_slice_buffer, H264_MAIN, false, EINVAL_P, e.omit_slices = true)
KMSCAP_VAT_ENC_RULE(enc_misaligned_width_in_mbs, H264_MAIN, false, EINVAL_P,
		    e.seq.picture_width_in_mbs++)
KMSCAP_VAT_ENC_RULE(enc_cropping_mismatch, H264_MAIN, false, EINVAL_P,
		    e.seq.frame_cropping_flag = 1; e.seq.frame_crop_right_offset = 8)
KMSCAP_VAT_ENC_RULE(enc_first_picture_not_idr, H264_MAIN, false, EINVAL_P,
		    kmscap_vat_enc_defaults(&e, false, 2); e.pic.frame_num = 0;
		    e.pic.ReferenceFrames[0].picture_id = e.recon[1])
KMSCAP_VAT_ENC_RULE(enc_idr_frame_num_not_zero, H264_MAIN, false, EINVAL_P, e.pic.frame_num = 1)
KMSCAP_VAT_ENC_RULE(enc_idr_not_reference, H264_MAIN, false, EINVAL_P,
		    e.pic.pic_fields.bits.reference_pic_flag = 0)
KMSCAP_VAT_ENC_RULE(enc_idr_with_p_slice, H264_MAIN, false, EINVAL_P, e.slice[1].slice_type = 0)
KMSCAP_VAT_ENC_RULE(enc_frame_num_out_of_order, H264_MAIN, true, EINVAL_P, e.pic.frame_num = 2)
KMSCAP_VAT_ENC_RULE(enc_p_without_reference, H264_MAIN, true, EINVAL_P,
		    e.pic.ReferenceFrames[0].picture_id = VA_INVALID_SURFACE;
		    e.pic.ReferenceFrames[0].flags = VA_PICTURE_H264_INVALID)
KMSCAP_VAT_ENC_RULE(enc_sp_slice, H264_MAIN, true, EINVAL_P, e.slice[0].slice_type = 3)
KMSCAP_VAT_ENC_RULE(enc_b_slice_in_constrained_baseline, VAProfileH264ConstrainedBaseline, true,
		    EINVAL_P, e.slice[0].slice_type = 1)
KMSCAP_VAT_ENC_RULE(enc_b_list1_not_in_dpb, H264_MAIN, true, EINVAL_P,
		    e.slice[0].slice_type = 1; e.slice[0].RefPicList1[0].picture_id = e.input;
		    e.slice[0].RefPicList1[0].flags = VA_PICTURE_H264_SHORT_TERM_REFERENCE)
KMSCAP_VAT_ENC_RULE(enc_b_list1_count_exceeds_dpb, H264_MAIN, true, EINVAL_P,
		    e.slice[1].slice_type = 1; e.slice[1].num_ref_idx_active_override_flag = 1;
		    e.slice[1].num_ref_idx_l1_active_minus1 = 1)
KMSCAP_VAT_ENC_RULE(enc_slice_gap, H264_MAIN, false, EINVAL_P,
		    e.slice[1].macroblock_address++; e.slice[1].num_macroblocks--)
KMSCAP_VAT_ENC_RULE(enc_slices_incomplete, H264_MAIN, false, EINVAL_P,
		    e.slice[1].num_macroblocks--)
KMSCAP_VAT_ENC_RULE(enc_slices_overflow, H264_MAIN, false, EINVAL_P,
		    e.slice[1].num_macroblocks++)
KMSCAP_VAT_ENC_RULE(enc_cabac_init_idc_out_of_range, H264_MAIN, true, EINVAL_P,
		    e.pic.pic_fields.bits.entropy_coding_mode_flag = 1;
		    e.slice[0].cabac_init_idc = 3)
KMSCAP_VAT_ENC_RULE(enc_cabac_in_constrained_baseline, VAProfileH264ConstrainedBaseline, false,
		    EINVAL_P, e.pic.pic_fields.bits.entropy_coding_mode_flag = 1)
KMSCAP_VAT_ENC_RULE(enc_transform_8x8_not_high, H264_MAIN, false, EINVAL_P,
		    e.pic.pic_fields.bits.transform_8x8_mode_flag = 1)
KMSCAP_VAT_ENC_RULE(enc_weighted_prediction, H264_MAIN, true, EINVAL_P,
		    e.pic.pic_fields.bits.weighted_pred_flag = 1)
KMSCAP_VAT_ENC_RULE(enc_qp_out_of_range, H264_MAIN, false, EINVAL_P, e.slice[0].slice_qp_delta = 30)
KMSCAP_VAT_ENC_RULE(enc_pic_init_qp_out_of_range, H264_MAIN, false, EINVAL_P,
		    e.pic.pic_init_qp = 52)
KMSCAP_VAT_ENC_RULE(enc_deblocking_offset_out_of_range, H264_MAIN, false, EINVAL_P,
		    e.slice[0].slice_alpha_c0_offset_div2 = 7)
KMSCAP_VAT_ENC_RULE(enc_interlaced, H264_MAIN, false, EINVAL_P,
		    e.seq.seq_fields.bits.frame_mbs_only_flag = 0)
KMSCAP_VAT_ENC_RULE(enc_chroma_444, H264_MAIN, false, EINVAL_P,
		    e.seq.seq_fields.bits.chroma_format_idc = 3)
KMSCAP_VAT_ENC_RULE(enc_bit_depth_10, H264_MAIN, false, EINVAL_P, e.seq.bit_depth_luma_minus8 = 2)
KMSCAP_VAT_ENC_RULE(enc_too_many_refs, H264_MAIN, false, EINVAL_P, e.seq.max_num_ref_frames = 5)
KMSCAP_VAT_ENC_RULE(enc_level_zero, H264_MAIN, false, EINVAL_P, e.seq.level_idc = 0)
KMSCAP_VAT_ENC_RULE(enc_scaling_matrix, H264_MAIN, false, EINVAL_P,
		    e.seq.seq_fields.bits.seq_scaling_matrix_present_flag = 1)
KMSCAP_VAT_ENC_RULE(enc_log2_max_frame_num, H264_MAIN, false, EINVAL_P,
		    e.seq.seq_fields.bits.log2_max_frame_num_minus4 = 13)
KMSCAP_VAT_ENC_RULE(enc_poc_lsb_out_of_range, H264_MAIN, false, EINVAL_P,
		    e.slice[0].pic_order_cnt_lsb = 64)
KMSCAP_VAT_ENC_RULE(enc_pps_id_mismatch, H264_MAIN, false, EINVAL_P,
		    e.slice[1].pic_parameter_set_id = 1)
KMSCAP_VAT_ENC_RULE(enc_sps_id_mismatch, H264_MAIN, false, EINVAL_P,
		    e.pic.seq_parameter_set_id = 1)
KMSCAP_VAT_ENC_RULE(enc_coded_buf_not_coded, H264_MAIN, false, VA_STATUS_ERROR_INVALID_BUFFER,
		    vaCreateBuffer(e.t.dpy, e.context, VAEncMiscParameterBufferType, 64, 1, NULL,
				   &e.pic.coded_buf))
KMSCAP_VAT_ENC_RULE(enc_recon_destroyed, H264_MAIN, false, VA_STATUS_ERROR_INVALID_SURFACE,
		    vaDestroySurfaces(e.t.dpy, &e.recon[0], 1))
KMSCAP_VAT_ENC_RULE(enc_reference_destroyed, H264_MAIN, true, VA_STATUS_ERROR_INVALID_SURFACE,
		    vaDestroySurfaces(e.t.dpy, &e.recon[0], 1))

KMSCAP_VAT_ENC_RULE(enc_sequence_changed_without_idr, H264_MAIN, true, EINVAL_P,
		    with_seq = true; e.seq.level_idc = 31)
KMSCAP_VAT_ENC_RULE(enc_reference_not_reconstructed, H264_MAIN, true, EINVAL_P,
		    e.pic.ReferenceFrames[0].picture_id = e.input)
KMSCAP_VAT_ENC_RULE(enc_current_is_reference, H264_MAIN, true, EINVAL_P,
		    e.pic.CurrPic.picture_id = e.pic.ReferenceFrames[0].picture_id)
KMSCAP_VAT_ENC_RULE(enc_ref_list_not_in_dpb, H264_MAIN, true, EINVAL_P,
		    e.slice[1].RefPicList0[0].picture_id = e.input)

KMSCAP_VAT_ENC_RULE(enc_level_unknown, H264_MAIN, false, EINVAL_P, e.seq.level_idc = 25)
KMSCAP_VAT_ENC_RULE(enc_num_ref_idx_exceeds_dpb, H264_MAIN, true, EINVAL_P,
		    e.slice[0].num_ref_idx_active_override_flag = 1;
		    e.slice[0].num_ref_idx_l0_active_minus1 = 1)

/* Level limits of table A-1: frame size and DPB size. */
static VAStatus kmscap_vat_level_case(unsigned int w, unsigned int h, unsigned int level,
				      unsigned int refs)
{
	struct kmscap_vat_frame f;
	struct kmscap_vat_enc e;
	VAStatus st;

	/* all-zero samples would need emulation prevention beyond the coded buffer */
	kmscap_vat_enc_open(&e, H264_MAIN, w, h, 0, 0);
	kmscap_vat_frame_gen(&f, w, h, 1);
	kmscap_vat_upload(e.t.dpy, e.input, &f);
	kmscap_vat_frame_free(&f);
	kmscap_vat_enc_defaults(&e, true, 1);
	e.seq.level_idc = level;
	e.seq.max_num_ref_frames = refs;
	st = kmscap_vat_enc_submit(&e, true, NULL, 0);
	kmscap_vat_enc_close(&e);
	return st;
}

START_TEST(enc_level_frame_too_big)
{
	/* level 1: 99 macroblocks; 176x144 is 99, 176x160 is 110 */
	ck_assert_va_ok(kmscap_vat_level_case(176, 144, 10, 1));
	ck_assert_va(kmscap_vat_level_case(176, 160, 10, 1), EINVAL_P);
}
END_TEST

START_TEST(enc_level_dpb_too_small)
{
	/* level 1.1 at 352x288 (396 macroblocks): 900 / 396 = 2 frames */
	ck_assert_va_ok(kmscap_vat_level_case(352, 288, 11, 2));
	ck_assert_va(kmscap_vat_level_case(352, 288, 11, 3), EINVAL_P);
}
END_TEST

/* The same sequence may be sent again with any picture. */
START_TEST(enc_sequence_resent_unchanged)
{
	struct kmscap_vat_enc e;

	kmscap_vat_enc_open(&e, H264_MAIN, 64, 32, 0, 0);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va_ok(kmscap_vat_enc_submit(&e, true, NULL, 0));
	kmscap_vat_enc_defaults(&e, false, 1);
	ck_assert_va_ok(kmscap_vat_enc_submit(&e, true, NULL, 0));
	kmscap_vat_enc_close(&e);
}
END_TEST

/* max_num_ref_frames 1: the IDR leaves the DPB when the first P enters it. */
START_TEST(enc_reference_evicted)
{
	struct kmscap_vat_enc e;
	VASurfaceID idr_recon;

	kmscap_vat_enc_open(&e, H264_MAIN, 64, 32, 0, 0);
	kmscap_vat_enc_defaults(&e, true, 1);
	idr_recon = e.pic.CurrPic.picture_id;
	ck_assert_va_ok(kmscap_vat_enc_submit(&e, true, NULL, 0));
	kmscap_vat_enc_defaults(&e, false, 1);
	ck_assert_va_ok(kmscap_vat_enc_submit(&e, false, NULL, 0));
	kmscap_vat_enc_defaults(&e, false, 1);
	e.pic.CurrPic.picture_id = e.input;	/* any surface but the two recons */
	e.pic.ReferenceFrames[0].picture_id = idr_recon;
	e.slice[0].RefPicList0[0].picture_id = idr_recon;
	ck_assert_va(kmscap_vat_enc_submit(&e, false, NULL, 0), EINVAL_P);
	kmscap_vat_enc_close(&e);
}
END_TEST

START_TEST(enc_frame_num_recovers)
{
	struct kmscap_vat_enc e;

	kmscap_vat_enc_open(&e, H264_MAIN, 64, 32, 0, 0);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va_ok(kmscap_vat_enc_submit(&e, true, NULL, 0));
	kmscap_vat_enc_defaults(&e, false, 1);
	e.pic.frame_num = 0;		/* a repeat of the previous reference frame_num */
	ck_assert_va(kmscap_vat_enc_submit(&e, false, NULL, 0), EINVAL_P);
	kmscap_vat_enc_defaults(&e, false, 1);
	ck_assert_va_ok(kmscap_vat_enc_submit(&e, false, NULL, 0));
	kmscap_vat_enc_close(&e);
}
END_TEST

START_TEST(enc_coded_buffer_too_small)
{
	struct kmscap_vat_enc e;

	kmscap_vat_enc_open(&e, H264_MAIN, 64, 32, 0, 1000);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va(kmscap_vat_enc_submit(&e, true, NULL, 0), VA_STATUS_ERROR_NOT_ENOUGH_BUFFER);
	kmscap_vat_enc_close(&e);
}
END_TEST

/*
 * All-zero samples need an emulation prevention byte every two bytes: a
 * buffer that passes the size check overflows, and the segment says so.
 */
START_TEST(enc_coded_buffer_overflow)
{
	VACodedBufferSegment *seg;
	struct kmscap_vat_enc e;

	kmscap_vat_enc_open(&e, H264_MAIN, 64, 32, 0, 8 * 384 + 1024 + 100);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va(kmscap_vat_enc_submit(&e, true, NULL, 0), VA_STATUS_ERROR_NOT_ENOUGH_BUFFER);
	ck_assert_va_ok(vaMapBuffer(e.t.dpy, e.coded, (void **)&seg));
	ck_assert(seg->status & VA_CODED_BUF_STATUS_SLICE_OVERFLOW_MASK);
	ck_assert_uint_eq(seg->size, 0);
	ck_assert_va_ok(vaUnmapBuffer(e.t.dpy, e.coded));
	kmscap_vat_enc_close(&e);
}
END_TEST

START_TEST(enc_surface_used_after_destroy)
{
	struct kmscap_vat_enc e;
	VASurfaceID s;

	kmscap_vat_enc_open(&e, H264_MAIN, 64, 32, 0, 0);
	ck_assert_va_ok(vaCreateSurfaces(e.t.dpy, VA_RT_FORMAT_YUV420, 64, 32, &s, 1, NULL, 0));
	ck_assert_va_ok(vaDestroySurfaces(e.t.dpy, &s, 1));
	ck_assert_va(vaBeginPicture(e.t.dpy, e.context, s), VA_STATUS_ERROR_INVALID_SURFACE);
	ck_assert_va(vaSyncSurface(e.t.dpy, s), VA_STATUS_ERROR_INVALID_SURFACE);
	ck_assert_va(vaDestroySurfaces(e.t.dpy, &s, 1), VA_STATUS_ERROR_INVALID_SURFACE);
	kmscap_vat_enc_close(&e);
}
END_TEST

START_TEST(enc_buffer_used_after_destroy)
{
	struct kmscap_vat_enc e;
	VABufferID b;
	void *p;

	kmscap_vat_enc_open(&e, H264_MAIN, 64, 32, 0, 0);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va_ok(vaCreateBuffer(e.t.dpy, e.context, VAEncPictureParameterBufferType,
				       sizeof(e.pic), 1, &e.pic, &b));
	ck_assert_va_ok(vaDestroyBuffer(e.t.dpy, b));
	ck_assert_va_ok(vaBeginPicture(e.t.dpy, e.context, e.input));
	ck_assert_va(vaRenderPicture(e.t.dpy, e.context, &b, 1), VA_STATUS_ERROR_INVALID_BUFFER);
	ck_assert_va(vaMapBuffer(e.t.dpy, b, &p), VA_STATUS_ERROR_INVALID_BUFFER);
	vaEndPicture(e.t.dpy, e.context);
	kmscap_vat_enc_close(&e);
}
END_TEST

START_TEST(enc_picture_sequence_errors)
{
	struct kmscap_vat_enc e;
	VABufferID b;

	kmscap_vat_enc_open(&e, H264_MAIN, 64, 32, 0, 0);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va_ok(vaCreateBuffer(e.t.dpy, e.context, VAEncPictureParameterBufferType,
				       sizeof(e.pic), 1, &e.pic, &b));
	ck_assert_va(vaRenderPicture(e.t.dpy, e.context, &b, 1), VA_STATUS_ERROR_OPERATION_FAILED);
	ck_assert_va(vaEndPicture(e.t.dpy, e.context), VA_STATUS_ERROR_OPERATION_FAILED);
	ck_assert_va_ok(vaBeginPicture(e.t.dpy, e.context, e.input));
	ck_assert_va(vaBeginPicture(e.t.dpy, e.context, e.input),
		     VA_STATUS_ERROR_OPERATION_FAILED);
	/* the input is in use until vaEndPicture */
	ck_assert_va(vaSyncSurface(e.t.dpy, e.input), VA_STATUS_ERROR_SURFACE_BUSY);
	ck_assert_va(vaDestroySurfaces(e.t.dpy, &e.input, 1), VA_STATUS_ERROR_SURFACE_BUSY);
	vaEndPicture(e.t.dpy, e.context);
	kmscap_vat_enc_close(&e);
}
END_TEST

START_TEST(enc_buffer_checks)
{
	struct kmscap_vat_enc e, other;
	VABufferID b;
	void *p;

	kmscap_vat_enc_open(&e, H264_MAIN, 64, 32, 0, 0);
	kmscap_vat_enc_defaults(&e, true, 1);
	/* wrong element size */
	ck_assert_va(vaCreateBuffer(e.t.dpy, e.context, VAEncSequenceParameterBufferType,
				    sizeof(e.seq) - 4, 1, &e.seq, &b), EINVAL_P);
	/* a buffer type the encoder does not know */
	ck_assert_va(vaCreateBuffer(e.t.dpy, e.context, VAPictureParameterBufferType, 64, 1, NULL,
				    &b), VA_STATUS_ERROR_UNSUPPORTED_BUFFERTYPE);
	/* a buffer still mapped at render time */
	ck_assert_va_ok(vaCreateBuffer(e.t.dpy, e.context, VAEncPictureParameterBufferType,
				       sizeof(e.pic), 1, &e.pic, &b));
	ck_assert_va_ok(vaMapBuffer(e.t.dpy, b, &p));
	ck_assert_va_ok(vaBeginPicture(e.t.dpy, e.context, e.input));
	ck_assert_va(vaRenderPicture(e.t.dpy, e.context, &b, 1), VA_STATUS_ERROR_INVALID_BUFFER);
	ck_assert_va_ok(vaUnmapBuffer(e.t.dpy, b));
	ck_assert_va(vaUnmapBuffer(e.t.dpy, b), VA_STATUS_ERROR_INVALID_BUFFER);
	vaEndPicture(e.t.dpy, e.context);
	/* a VPP buffer in an encode picture */
	{
		VAProcPipelineParameterBuffer pp;

		memset(&pp, 0, sizeof(pp));
		ck_assert_va_ok(vaCreateBuffer(e.t.dpy, e.context,
					       VAProcPipelineParameterBufferType, sizeof(pp), 1,
					       &pp, &b));
		ck_assert_va_ok(vaBeginPicture(e.t.dpy, e.context, e.input));
		ck_assert_va(vaRenderPicture(e.t.dpy, e.context, &b, 1),
			     VA_STATUS_ERROR_UNSUPPORTED_BUFFERTYPE);
		vaEndPicture(e.t.dpy, e.context);
	}
	kmscap_vat_enc_close(&e);
	(void)other;
}
END_TEST

START_TEST(enc_buffer_of_other_context)
{
	struct kmscap_vat_enc e;
	VAContextID ctx2;
	VABufferID b;

	kmscap_vat_enc_open(&e, H264_MAIN, 64, 32, 0, 0);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va_ok(vaCreateContext(e.t.dpy, e.config, 64, 32, VA_PROGRESSIVE, e.recon, 2,
					&ctx2));
	ck_assert_va_ok(vaCreateBuffer(e.t.dpy, ctx2, VAEncPictureParameterBufferType,
				       sizeof(e.pic), 1, &e.pic, &b));
	ck_assert_va_ok(vaBeginPicture(e.t.dpy, e.context, e.input));
	ck_assert_va(vaRenderPicture(e.t.dpy, e.context, &b, 1), VA_STATUS_ERROR_INVALID_BUFFER);
	vaEndPicture(e.t.dpy, e.context);
	ck_assert_va_ok(vaDestroyContext(e.t.dpy, ctx2));
	ck_assert_va(vaDestroyContext(e.t.dpy, ctx2), VA_STATUS_ERROR_INVALID_CONTEXT);
	ck_assert_va(vaCreateBuffer(e.t.dpy, ctx2, VAEncPictureParameterBufferType,
				    sizeof(e.pic), 1, &e.pic, &b), VA_STATUS_ERROR_INVALID_CONTEXT);
	kmscap_vat_enc_close(&e);
}
END_TEST

static VAStatus kmscap_vat_packed(struct kmscap_vat_enc *e, unsigned int type, bool param,
				  bool data)
{
	static const uint8_t aud[] = { 0, 0, 0, 1, 0x09, 0xf0 };
	VAEncPackedHeaderParameterBuffer pp = {
		.type = type, .bit_length = 8 * sizeof(aud), .has_emulation_bytes = 1,
	};
	VABufferID ids[2];
	unsigned int n = 0;

	if (param)
		ck_assert_va_ok(vaCreateBuffer(e->t.dpy, e->context,
					       VAEncPackedHeaderParameterBufferType, sizeof(pp), 1,
					       &pp, &ids[n++]));
	if (data)
		ck_assert_va_ok(vaCreateBuffer(e->t.dpy, e->context,
					       VAEncPackedHeaderDataBufferType, sizeof(aud), 1,
					       (void *)aud, &ids[n++]));
	return kmscap_vat_enc_submit(e, true, ids, n);
}

START_TEST(enc_packed_not_declared)
{
	struct kmscap_vat_enc e;

	kmscap_vat_enc_open(&e, H264_MAIN, 64, 32, VA_ENC_PACKED_HEADER_SLICE, 0);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va(kmscap_vat_packed(&e, VAEncPackedHeaderRawData, true, true), EINVAL_P);
	kmscap_vat_enc_close(&e);
}
END_TEST

START_TEST(enc_packed_data_without_param)
{
	struct kmscap_vat_enc e;

	kmscap_vat_enc_open(&e, H264_MAIN, 64, 32, VA_ENC_PACKED_HEADER_RAW_DATA, 0);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va(kmscap_vat_packed(&e, VAEncPackedHeaderRawData, false, true), EINVAL_P);
	kmscap_vat_enc_close(&e);
}
END_TEST

START_TEST(enc_packed_param_without_data)
{
	struct kmscap_vat_enc e;

	kmscap_vat_enc_open(&e, H264_MAIN, 64, 32, VA_ENC_PACKED_HEADER_RAW_DATA, 0);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va(kmscap_vat_packed(&e, VAEncPackedHeaderRawData, true, false), EINVAL_P);
	kmscap_vat_enc_close(&e);
}
END_TEST

static VAStatus kmscap_vat_misc(struct kmscap_vat_enc *e, VAEncMiscParameterType type,
				size_t payload)
{
	VAEncMiscParameterBuffer *m = kmscap_vat_calloc(1, sizeof(*m) + payload);
	VABufferID b;
	VAStatus st;

	m->type = type;
	ck_assert_va_ok(vaCreateBuffer(e->t.dpy, e->context, VAEncMiscParameterBufferType,
				       sizeof(*m) + payload, 1, m, &b));
	free(m);
	st = kmscap_vat_enc_submit(e, true, &b, 1);
	vaDestroyBuffer(e->t.dpy, b);
	return st;
}

START_TEST(enc_misc_rate_control_in_cqp)
{
	struct kmscap_vat_enc e;

	kmscap_vat_enc_open(&e, H264_MAIN, 64, 32, 0, 0);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va(kmscap_vat_misc(&e, VAEncMiscParameterTypeRateControl,
				     sizeof(VAEncMiscParameterRateControl)), EINVAL_P);
	kmscap_vat_enc_close(&e);
}
END_TEST

START_TEST(enc_misc_unknown_type)
{
	struct kmscap_vat_enc e;

	kmscap_vat_enc_open(&e, H264_MAIN, 64, 32, 0, 0);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va(kmscap_vat_misc(&e, VAEncMiscParameterTypeROI,
				     sizeof(VAEncMiscParameterBufferROI)),
		     VA_STATUS_ERROR_UNSUPPORTED_BUFFERTYPE);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va(kmscap_vat_misc(&e, VAEncMiscParameterTypeFrameRate, 2), EINVAL_P);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va_ok(kmscap_vat_misc(&e, VAEncMiscParameterTypeHRD,
					sizeof(VAEncMiscParameterHRD)));
	kmscap_vat_enc_close(&e);
}
END_TEST

/*
 * CBR / VBR: an IDR with the given misc parameters (NULL / 0: not sent).
 * Good values: 2 Mbit/s, target 100 %, a one-frame HRD buffer, 30 fps.
 */
struct kmscap_vat_rc_case {
	VAEncMiscParameterRateControl rc;
	VAEncMiscParameterHRD hrd;
	uint32_t fr;
	bool no_rc, no_hrd, no_fr;
};

static void kmscap_vat_rc_good(struct kmscap_vat_rc_case *k)
{
	memset(k, 0, sizeof(*k));
	k->rc.bits_per_second = 2000000;
	k->rc.target_percentage = 100;
	k->rc.window_size = 34;
	k->rc.initial_qp = 26;
	k->hrd.buffer_size = 2000000 / 30;
	k->hrd.initial_buffer_fullness = 2000000 / 30;
	k->fr = 30 | 1 << 16;
}

static VABufferID kmscap_vat_misc_buf(struct kmscap_vat_enc *e, VAEncMiscParameterType type,
				      const void *data, size_t len)
{
	VAEncMiscParameterBuffer *m = kmscap_vat_calloc(1, sizeof(*m) + len);
	VABufferID b;

	m->type = type;
	memcpy(m->data, data, len);
	ck_assert_va_ok(vaCreateBuffer(e->t.dpy, e->context, VAEncMiscParameterBufferType,
				       sizeof(*m) + len, 1, m, &b));
	free(m);
	return b;
}

static VAStatus kmscap_vat_rc_run(unsigned int mode, const struct kmscap_vat_rc_case *k)
{
	VAEncMiscParameterFrameRate fr = { .framerate = k->fr };
	struct kmscap_vat_enc e;
	VABufferID b[3];
	unsigned int n = 0, i;
	VAStatus st;

	kmscap_vat_enc_open_rc(&e, H264_MAIN, 64, 32, 0, 0, mode);
	kmscap_vat_enc_defaults(&e, true, 1);
	e.seq.bits_per_second = k->rc.bits_per_second;
	if (!k->no_rc)
		b[n++] = kmscap_vat_misc_buf(&e, VAEncMiscParameterTypeRateControl, &k->rc,
					     sizeof(k->rc));
	if (!k->no_hrd)
		b[n++] = kmscap_vat_misc_buf(&e, VAEncMiscParameterTypeHRD, &k->hrd,
					     sizeof(k->hrd));
	if (!k->no_fr)
		b[n++] = kmscap_vat_misc_buf(&e, VAEncMiscParameterTypeFrameRate, &fr,
					     sizeof(fr));
	st = kmscap_vat_enc_submit(&e, true, b, n);
	if (st == VA_STATUS_SUCCESS)
		ck_assert_msg(e.out_len > 64 * 32, "CBR/VBR picture of only %zu bytes", e.out_len);
	for (i = 0; i < n; i++)
		vaDestroyBuffer(e.t.dpy, b[i]);
	kmscap_vat_enc_close(&e);
	return st;
}

#define KMSCAP_VAT_RC_RULE(name, mode, expected, change)		\
	START_TEST(name)						\
	{								\
		struct kmscap_vat_rc_case k;				\
									\
		kmscap_vat_rc_good(&k);					\
		change;							\
		ck_assert_va(kmscap_vat_rc_run(mode, &k), expected);	\
	}								\
	END_TEST

KMSCAP_VAT_RC_RULE(rc_cbr_valid, VA_RC_CBR, VA_STATUS_SUCCESS, )
KMSCAP_VAT_RC_RULE(rc_vbr_valid_without_hrd, VA_RC_VBR, VA_STATUS_SUCCESS,
		   k.rc.target_percentage = 90; k.no_hrd = true)
KMSCAP_VAT_RC_RULE(rc_cbr_bits_per_second_zero, VA_RC_CBR, EINVAL_P, k.rc.bits_per_second = 0)
KMSCAP_VAT_RC_RULE(rc_vbr_bits_per_second_zero, VA_RC_VBR, EINVAL_P, k.rc.bits_per_second = 0)
KMSCAP_VAT_RC_RULE(rc_target_percentage_101, VA_RC_VBR, EINVAL_P, k.rc.target_percentage = 101)
KMSCAP_VAT_RC_RULE(rc_vbr_target_percentage_0, VA_RC_VBR, EINVAL_P, k.rc.target_percentage = 0)
KMSCAP_VAT_RC_RULE(rc_qp_out_of_range, VA_RC_CBR, EINVAL_P, k.rc.max_qp = 52)
KMSCAP_VAT_RC_RULE(rc_min_qp_above_max, VA_RC_CBR, EINVAL_P, k.rc.min_qp = 40; k.rc.max_qp = 30)
KMSCAP_VAT_RC_RULE(rc_cbr_without_hrd, VA_RC_CBR, EINVAL_P, k.no_hrd = true)
KMSCAP_VAT_RC_RULE(rc_cbr_hrd_buffer_size_zero, VA_RC_CBR, EINVAL_P,
		   k.hrd.buffer_size = 0; k.hrd.initial_buffer_fullness = 0)
KMSCAP_VAT_RC_RULE(rc_hrd_fullness_above_size, VA_RC_VBR, EINVAL_P,
		   k.hrd.initial_buffer_fullness = k.hrd.buffer_size + 1)
KMSCAP_VAT_RC_RULE(rc_without_rate_control, VA_RC_VBR, EINVAL_P, k.no_rc = true)
KMSCAP_VAT_RC_RULE(rc_without_frame_rate, VA_RC_CBR, EINVAL_P, k.no_fr = true)
KMSCAP_VAT_RC_RULE(rc_frame_rate_numerator_zero, VA_RC_CBR, EINVAL_P, k.fr = 1 << 16)

Suite *kmscap_vat_suite_validate(void)
{
	Suite *s = suite_create("validate");

#define ADD(fn) KMSCAP_VAT_ADD(s, fn, 60)
	ADD(enc_no_sequence_buffer);
	ADD(enc_no_picture_buffer);
	ADD(enc_no_slice_buffer);
	ADD(enc_misaligned_width_in_mbs);
	ADD(enc_cropping_mismatch);
	ADD(enc_first_picture_not_idr);
	ADD(enc_idr_frame_num_not_zero);
	ADD(enc_idr_not_reference);
	ADD(enc_idr_with_p_slice);
	ADD(enc_frame_num_out_of_order);
	ADD(enc_frame_num_recovers);
	ADD(enc_sequence_changed_without_idr);
	ADD(enc_sequence_resent_unchanged);
	ADD(enc_reference_not_reconstructed);
	ADD(enc_current_is_reference);
	ADD(enc_ref_list_not_in_dpb);
	ADD(enc_reference_evicted);
	ADD(enc_p_without_reference);
	ADD(enc_sp_slice);
	ADD(enc_b_slice_in_constrained_baseline);
	ADD(enc_b_list1_not_in_dpb);
	ADD(enc_b_list1_count_exceeds_dpb);
	ADD(enc_slice_gap);
	ADD(enc_slices_incomplete);
	ADD(enc_slices_overflow);
	ADD(enc_cabac_init_idc_out_of_range);
	ADD(enc_cabac_in_constrained_baseline);
	ADD(enc_transform_8x8_not_high);
	ADD(enc_weighted_prediction);
	ADD(enc_qp_out_of_range);
	ADD(enc_pic_init_qp_out_of_range);
	ADD(enc_deblocking_offset_out_of_range);
	ADD(enc_interlaced);
	ADD(enc_chroma_444);
	ADD(enc_bit_depth_10);
	ADD(enc_too_many_refs);
	ADD(enc_level_zero);
	ADD(enc_level_unknown);
	ADD(enc_level_frame_too_big);
	ADD(enc_level_dpb_too_small);
	ADD(enc_num_ref_idx_exceeds_dpb);
	ADD(enc_scaling_matrix);
	ADD(enc_log2_max_frame_num);
	ADD(enc_poc_lsb_out_of_range);
	ADD(enc_pps_id_mismatch);
	ADD(enc_sps_id_mismatch);
	ADD(enc_coded_buf_not_coded);
	ADD(enc_recon_destroyed);
	ADD(enc_reference_destroyed);
	ADD(enc_coded_buffer_too_small);
	ADD(enc_coded_buffer_overflow);
	ADD(enc_surface_used_after_destroy);
	ADD(enc_buffer_used_after_destroy);
	ADD(enc_picture_sequence_errors);
	ADD(enc_buffer_checks);
	ADD(enc_buffer_of_other_context);
	ADD(enc_packed_not_declared);
	ADD(enc_packed_data_without_param);
	ADD(enc_packed_param_without_data);
	ADD(enc_misc_rate_control_in_cqp);
	ADD(enc_misc_unknown_type);
	ADD(rc_cbr_valid);
	ADD(rc_vbr_valid_without_hrd);
	ADD(rc_cbr_bits_per_second_zero);
	ADD(rc_vbr_bits_per_second_zero);
	ADD(rc_target_percentage_101);
	ADD(rc_vbr_target_percentage_0);
	ADD(rc_qp_out_of_range);
	ADD(rc_min_qp_above_max);
	ADD(rc_cbr_without_hrd);
	ADD(rc_cbr_hrd_buffer_size_zero);
	ADD(rc_hrd_fullness_above_size);
	ADD(rc_without_rate_control);
	ADD(rc_without_frame_rate);
	ADD(rc_frame_rate_numerator_zero);
#undef ADD
	return s;
}
