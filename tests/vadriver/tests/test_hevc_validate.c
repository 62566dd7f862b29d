// SPDX-License-Identifier: MIT
/*
 * test_hevc_validate.c - every HEVC validation rule of the driver, one test
 * each: a picture that is correct except for one parameter must be refused
 * with the status a real driver gives, and the session must then still
 * encode the correct picture (the rejection left no state behind).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_hevc.h"

Suite *kmscap_vat_suite_hevc_validate(void);

typedef void (*kmscap_vath_mutate)(struct kmscap_vath *e);

/*
 * Opens a w x h session of the profile, encodes `before` correct pictures
 * (an IDR, then P), applies mut to the next picture's parameters and
 * expects `want`; then the unmodified picture must encode.
 */
static void kmscap_vath_rule(VAProfile profile, unsigned int w, unsigned int h,
			     unsigned int before, kmscap_vath_mutate mut, VAStatus want)
{
	struct kmscap_vath_frame f;
	struct kmscap_vath e;
	unsigned int i;

	kmscap_vath_open(&e, profile, w, h, 0);
	kmscap_vath_frame_gen(&f, w, h, e.main10, 1);
	kmscap_vath_upload(e.t.dpy, e.input, &f);
	for (i = 0; i < before; i++) {
		kmscap_vath_defaults(&e, i == 0, 1);
		ck_assert_va_ok(kmscap_vath_submit(&e, i == 0, NULL, 0));
	}
	kmscap_vath_defaults(&e, before == 0, 2);
	mut(&e);
	ck_assert_va(kmscap_vath_submit(&e, true, NULL, 0), want);
	e.omit_pic = e.omit_slices = false;
	kmscap_vath_defaults(&e, before == 0, 2);
	ck_assert_va_ok(kmscap_vath_submit(&e, true, NULL, 0));
	free(f.data);
	kmscap_vath_close(&e);
}

#define INVALID VA_STATUS_ERROR_INVALID_PARAMETER
#define MAIN VAProfileHEVCMain
#define MAIN10 VAProfileHEVCMain10

/* A test @name that runs @run with name##_mut, a mutation made of the statements after it. */
#define MUT_TEST(name, run, ...)						\
static void name##_mut(struct kmscap_vath *e)					\
{										\
	__VA_ARGS__;								\
}										\
START_TEST(name)								\
{										\
	run;									\
}										\
END_TEST

/* A rule on the first (IDR) picture, or on a P picture after `before` pictures. */
#define RULE_SIZED(name, profile, w, h, before, status, ...)			\
	MUT_TEST(name, kmscap_vath_rule(profile, w, h, before, name##_mut, status), __VA_ARGS__)
#define RULE(name, before, status, ...) \
	RULE_SIZED(name, MAIN, 200, 120, before, status, __VA_ARGS__)

/* sequence */
RULE(hevc_rej_profile_idc, 0, INVALID, e->seq.general_profile_idc = 2)
RULE(hevc_rej_chroma_422, 0, INVALID, e->seq.seq_fields.bits.chroma_format_idc = 2)
RULE(hevc_rej_main_10bit, 0, INVALID,
     e->seq.seq_fields.bits.bit_depth_luma_minus8 = 2;
     e->seq.seq_fields.bits.bit_depth_chroma_minus8 = 2;
     e->seq.pcm_sample_bit_depth_luma_minus1 = 9;
     e->seq.pcm_sample_bit_depth_chroma_minus1 = 9)
RULE_SIZED(hevc_rej_main10_8bit, MAIN10, 200, 120, 0, INVALID,
	   e->seq.seq_fields.bits.bit_depth_luma_minus8 = 0;
	   e->seq.seq_fields.bits.bit_depth_chroma_minus8 = 0;
	   e->seq.pcm_sample_bit_depth_luma_minus1 = 7;
	   e->seq.pcm_sample_bit_depth_chroma_minus1 = 7)
RULE(hevc_rej_ctb_128, 0, INVALID, e->seq.log2_diff_max_min_luma_coding_block_size = 4)
RULE(hevc_rej_ctb_8, 0, INVALID,
     e->seq.log2_diff_max_min_luma_coding_block_size = 0;
     e->seq.log2_max_pcm_luma_coding_block_size_minus3 = 0;
     e->seq.log2_diff_max_min_transform_block_size = 1)
RULE(hevc_rej_min_tb_not_below_min_cb, 0, INVALID,
     e->seq.log2_min_transform_block_size_minus2 = 1;
     e->seq.log2_diff_max_min_transform_block_size = 2)
RULE(hevc_rej_max_tb_64, 0, INVALID, e->seq.log2_diff_max_min_transform_block_size = 4)
RULE(hevc_rej_th_depth, 0, INVALID, e->seq.max_transform_hierarchy_depth_intra = 4)
RULE(hevc_rej_pcm_disabled, 0, INVALID, e->seq.seq_fields.bits.pcm_enabled_flag = 0)
RULE(hevc_rej_pcm_lossy_depth, 0, INVALID, e->seq.pcm_sample_bit_depth_luma_minus1 = 6)
RULE(hevc_rej_pcm_min_above_max, 0, INVALID,
     e->seq.log2_min_pcm_luma_coding_block_size_minus3 = 2;
     e->seq.log2_max_pcm_luma_coding_block_size_minus3 = 1)
RULE(hevc_rej_pcm_above_ctb, 0, INVALID,
     e->seq.log2_diff_max_min_luma_coding_block_size = 1;	/* CTB 16, PCM up to 32 */
     e->seq.log2_diff_max_min_transform_block_size = 2)
RULE(hevc_rej_pcm_loop_filter, 0, INVALID,
     e->seq.seq_fields.bits.pcm_loop_filter_disabled_flag = 0)
RULE(hevc_rej_sao, 0, INVALID, e->seq.seq_fields.bits.sample_adaptive_offset_enabled_flag = 1)
RULE(hevc_rej_scaling_list, 0, INVALID, e->seq.seq_fields.bits.scaling_list_enabled_flag = 1)
RULE(hevc_rej_amp, 0, INVALID, e->seq.seq_fields.bits.amp_enabled_flag = 1)
RULE(hevc_rej_pic_size, 0, INVALID, e->seq.pic_width_in_luma_samples += 8)
/* 200 is not a multiple of 16: the edge CUs would be 8x8, below the PCM minimum */
RULE(hevc_rej_pcm_min_size_vs_picture, 0, INVALID,
     e->seq.log2_min_pcm_luma_coding_block_size_minus3 = 1)
RULE(hevc_rej_level_unknown, 0, INVALID, e->seq.general_level_idc = 31)
RULE_SIZED(hevc_rej_level_too_small, MAIN, 320, 240, 0, INVALID,
	   e->seq.general_level_idc = 30)
RULE(hevc_rej_field_seq, 0, INVALID, e->seq.vui_fields.bits.field_seq_flag = 1)
RULE(hevc_rej_seq_changed_in_p, 1, INVALID, e->seq.vui_time_scale = 50)

/* picture */
RULE(hevc_rej_first_not_idr, 0, INVALID,
     e->pic.pic_fields.bits.idr_pic_flag = 0;
     e->pic.nal_unit_type = 1)
RULE(hevc_rej_idr_nal_type, 0, INVALID, e->pic.nal_unit_type = 1)
RULE(hevc_rej_nal_type_rasl, 1, INVALID, e->pic.nal_unit_type = 8)
RULE(hevc_rej_trail_n_reference, 1, INVALID, e->pic.nal_unit_type = 0)
RULE(hevc_rej_b_picture, 1, INVALID, e->pic.pic_fields.bits.coding_type = 3)
RULE(hevc_rej_idr_coding_p, 0, INVALID, e->pic.pic_fields.bits.coding_type = 2)
RULE(hevc_rej_idr_poc, 0, INVALID, e->pic.decoded_curr_pic.pic_order_cnt = 4)
RULE(hevc_rej_curr_pic_invalid, 0, INVALID,
     e->pic.decoded_curr_pic.flags = VA_PICTURE_HEVC_INVALID)
RULE(hevc_rej_curr_pic_destroyed, 0, VA_STATUS_ERROR_INVALID_SURFACE,
     VASurfaceID s;
     ck_assert_va_ok(vaCreateSurfaces(e->t.dpy, VA_RT_FORMAT_YUV420, 200, 120, &s, 1,
				      NULL, 0));
     ck_assert_va_ok(vaDestroySurfaces(e->t.dpy, &s, 1));
     e->pic.decoded_curr_pic.picture_id = s)
RULE(hevc_rej_recon_format, 0, VA_STATUS_ERROR_INVALID_SURFACE,
     VASurfaceID s;
     ck_assert_va_ok(vaCreateSurfaces(e->t.dpy, VA_RT_FORMAT_YUV420_10, 200, 120, &s, 1,
				      NULL, 0));
     e->pic.decoded_curr_pic.picture_id = s)
RULE(hevc_rej_init_qp, 0, INVALID, e->pic.pic_init_qp = 52)
RULE(hevc_rej_pps_chroma_offset, 0, INVALID, e->pic.pps_cb_qp_offset = 13)
RULE(hevc_rej_sign_data_hiding, 0, INVALID,
     e->pic.pic_fields.bits.sign_data_hiding_enabled_flag = 1)
RULE(hevc_rej_transform_skip, 0, INVALID, e->pic.pic_fields.bits.transform_skip_enabled_flag = 1)
RULE(hevc_rej_cu_qp_delta, 0, INVALID, e->pic.pic_fields.bits.cu_qp_delta_enabled_flag = 1)
RULE(hevc_rej_weighted_pred, 1, INVALID, e->pic.pic_fields.bits.weighted_pred_flag = 1)
RULE(hevc_rej_transquant_bypass, 0, INVALID,
     e->pic.pic_fields.bits.transquant_bypass_enabled_flag = 1)
RULE(hevc_rej_dependent_slices_pps, 0, INVALID,
     e->pic.pic_fields.bits.dependent_slice_segments_enabled_flag = 1)
RULE(hevc_rej_tiles, 0, INVALID, e->pic.pic_fields.bits.tiles_enabled_flag = 1)
RULE(hevc_rej_wavefront, 0, INVALID, e->pic.pic_fields.bits.entropy_coding_sync_enabled_flag = 1)
RULE(hevc_rej_merge_level, 0, INVALID, e->pic.log2_parallel_merge_level_minus2 = 4)
RULE(hevc_rej_num_ref_default, 0, INVALID, e->pic.num_ref_idx_l0_default_active_minus1 = 15)
RULE(hevc_rej_pps_id, 0, INVALID,
     e->pic.slice_pic_parameter_set_id = 64;
     e->slice[0].slice_pic_parameter_set_id = 64;
     e->slice[1].slice_pic_parameter_set_id = 64)
RULE(hevc_rej_poc_jump, 1, INVALID,
     e->pic.decoded_curr_pic.pic_order_cnt = 40000)
RULE(hevc_rej_ref_is_current, 1, INVALID,
     e->pic.reference_frames[1] = e->pic.decoded_curr_pic;
     e->pic.reference_frames[1].pic_order_cnt = 0)
RULE(hevc_rej_ref_after_current, 1, INVALID,
     e->pic.decoded_curr_pic.pic_order_cnt = 0)
RULE(hevc_rej_ref_not_in_dpb, 1, INVALID,
     /* a surface that never was a reconstructed picture */
     e->pic.reference_frames[1].picture_id = e->input;
     e->pic.reference_frames[1].pic_order_cnt = 0;
     e->pic.reference_frames[1].flags = 0)
RULE(hevc_rej_ref_destroyed, 1, VA_STATUS_ERROR_INVALID_SURFACE,
     VASurfaceID s;
     ck_assert_va_ok(vaCreateSurfaces(e->t.dpy, VA_RT_FORMAT_YUV420, 200, 120, &s, 1,
				      NULL, 0));
     ck_assert_va_ok(vaDestroySurfaces(e->t.dpy, &s, 1));
     e->pic.reference_frames[1].picture_id = s;
     e->pic.reference_frames[1].pic_order_cnt = 0;
     e->pic.reference_frames[1].flags = 0)
RULE(hevc_rej_p_without_ref, 1, INVALID,
     kmscap_vath_invalid(&e->pic.reference_frames[0]);
     e->slice[0].slice_type = 2;
     e->slice[1].slice_type = 2)

/* slices */
RULE(hevc_rej_slice_gap, 0, INVALID, e->slice[1].slice_segment_address++;
     e->slice[1].num_ctu_in_slice--)
RULE(hevc_rej_slice_overlap, 0, INVALID, e->slice[1].slice_segment_address--;
     e->slice[1].num_ctu_in_slice++)
RULE(hevc_rej_slice_not_covering, 0, INVALID, e->slice[1].num_ctu_in_slice--)
RULE(hevc_rej_b_slice, 1, INVALID, e->slice[1].slice_type = 0)
RULE(hevc_rej_p_slice_in_i_picture, 0, INVALID, e->slice[1].slice_type = 1)
RULE(hevc_rej_slice_pps_id, 0, INVALID, e->slice[1].slice_pic_parameter_set_id = 1)
RULE(hevc_rej_slice_qp_high, 0, INVALID, e->slice[0].slice_qp_delta = 22)
RULE(hevc_rej_slice_qp_negative_main, 0, INVALID,
     e->pic.pic_init_qp = 0;
     e->slice[0].slice_qp_delta = -1)
RULE_SIZED(hevc_rej_slice_qp_negative_main10, MAIN10, 200, 120, 0, INVALID,
	   e->pic.pic_init_qp = 0;
	   e->slice[0].slice_qp_delta = -12;	/* the lowest Main 10 QP: accepted */
	   e->slice[1].slice_qp_delta = -13)
RULE(hevc_rej_slice_chroma_offset, 0, INVALID,
     e->pic.pps_cr_qp_offset = 6;
     e->slice[0].slice_cr_qp_offset = 7)
RULE(hevc_rej_slice_beta_offset, 0, INVALID, e->slice[0].slice_beta_offset_div2 = 7)
RULE(hevc_rej_dependent_slice, 0, INVALID,
     e->slice[1].slice_fields.bits.dependent_slice_segment_flag = 1)
RULE(hevc_rej_slice_sao, 0, INVALID, e->slice[0].slice_fields.bits.slice_sao_luma_flag = 1)
RULE(hevc_rej_slice_tmvp_without_sps, 0, INVALID,
     e->seq.seq_fields.bits.sps_temporal_mvp_enabled_flag = 0;
     e->slice[1].slice_fields.bits.slice_temporal_mvp_enabled_flag = 1)
RULE(hevc_rej_merge_cand, 1, INVALID, e->slice[0].max_num_merge_cand = 0)
RULE(hevc_rej_too_many_active_refs, 1, INVALID,
     e->slice[0].slice_fields.bits.num_ref_idx_active_override_flag = 1;
     e->slice[0].num_ref_idx_l0_active_minus1 = 4)
RULE(hevc_rej_ref_list_not_in_refs, 1, INVALID,
     e->slice[1].ref_pic_list0[0].pic_order_cnt = 7)
RULE(hevc_rej_no_slices, 0, INVALID, e->omit_slices = true)
RULE(hevc_rej_no_picture, 0, INVALID, e->omit_pic = true)

/* buffers */
RULE(hevc_rej_coded_buf_type, 0, VA_STATUS_ERROR_INVALID_BUFFER,
     VABufferID b;
     ck_assert_va_ok(vaCreateBuffer(e->t.dpy, e->context, VAEncMiscParameterBufferType,
				    64, 1, NULL, &b));
     e->pic.coded_buf = b)
RULE(hevc_rej_coded_buf_small, 0, VA_STATUS_ERROR_NOT_ENOUGH_BUFFER,
     VABufferID b;
     /* 200x120 8-bit: 36000 bytes of samples alone */
     ck_assert_va_ok(vaCreateBuffer(e->t.dpy, e->context, VAEncCodedBufferType,
				    36000, 1, NULL, &b));
     e->pic.coded_buf = b)

/*
 * At most 4 references: frame k refers to all k frames before it, so the
 * DPB holds 5 pictures after frame 4, and frame 5 listing them all is refused.
 */
START_TEST(hevc_rej_too_many_refs)
{
	struct kmscap_vath e;
	VASurfaceID r[6];
	unsigned int k, j;

	kmscap_vath_open(&e, MAIN, 64, 64, 0);
	memcpy(r, e.recon, sizeof(e.recon));
	ck_assert_va_ok(vaCreateSurfaces(e.t.dpy, VA_RT_FORMAT_YUV420, 64, 64, r + 3, 3, NULL,
					 0));
	for (k = 0; k < 6; k++) {
		kmscap_vath_defaults(&e, k == 0, 1);
		e.pic.decoded_curr_pic.picture_id = r[k];
		e.pic.decoded_curr_pic.pic_order_cnt = k;
		for (j = 0; j < k; j++) {
			e.pic.reference_frames[j].picture_id = r[j];
			e.pic.reference_frames[j].pic_order_cnt = j;
			e.pic.reference_frames[j].flags = 0;
		}
		if (k)
			e.slice[0].ref_pic_list0[0] = e.pic.reference_frames[k - 1];
		ck_assert_va(kmscap_vath_submit(&e, k == 0, NULL, 0),
			     k < 5 ? VA_STATUS_SUCCESS : INVALID);
	}
	kmscap_vath_close(&e);
}
END_TEST

/*
 * KMSCAP_VA_HEVC_GPB: the encoder codes no P slices, only B slices whose
 * RefPicList1 repeats RefPicList0.  Each rule: `before` correct pictures
 * (an IDR, then generalised P/B), the mutated one refused with the reason
 * in the debug log, then the correct picture still encodes.
 */
static void kmscap_vath_gpb_picture(struct kmscap_vath *e, bool idr)
{
	unsigned int i;

	kmscap_vath_defaults(e, idr, 2);
	for (i = 0; i < e->num_slices && !idr; i++) {
		e->slice[i].slice_type = 0;
		memcpy(e->slice[i].ref_pic_list1, e->slice[i].ref_pic_list0,
		       sizeof(e->slice[i].ref_pic_list1));
	}
}

static void kmscap_vath_gpb_rule(unsigned int before, kmscap_vath_mutate mut,
				 const char *reason)
{
	struct kmscap_vath_frame f;
	struct kmscap_vath e;
	char logpath[512], *log = NULL, cmd[600];
	unsigned int i;
	int fd, saved;

	snprintf(logpath, sizeof(logpath), "%s/hevc-gpb-%d.log", kmscap_vat_workdir(), getpid());
	fd = open(logpath, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	close(fd);
	setenv("KMSCAP_VA_DEBUG", "1", 1);
	setenv("KMSCAP_VA_HEVC_GPB", "1", 1);
	kmscap_vath_open(&e, MAIN, 200, 120, 0);
	unsetenv("KMSCAP_VA_HEVC_GPB");
	unsetenv("KMSCAP_VA_DEBUG");
	kmscap_vath_frame_gen(&f, 200, 120, false, 3);
	kmscap_vath_upload(e.t.dpy, e.input, &f);
	for (i = 0; i < before; i++) {
		kmscap_vath_gpb_picture(&e, i == 0);
		ck_assert_va_ok(kmscap_vath_submit(&e, i == 0, NULL, 0));
	}
	kmscap_vath_gpb_picture(&e, before == 0);
	mut(&e);
	ck_assert_va(kmscap_vath_submit(&e, true, NULL, 0), INVALID);
	kmscap_vath_gpb_picture(&e, before == 0);
	ck_assert_va_ok(kmscap_vath_submit(&e, true, NULL, 0));
	free(f.data);
	kmscap_vath_close(&e);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	snprintf(cmd, sizeof(cmd), "cat '%s'", logpath);
	ck_assert_int_eq(kmscap_vat_run(cmd, &log), 0);
	ck_assert_msg(strstr(log, "KMSCAP_VA_HEVC_GPB=1: HEVC codes no P slices"),
		      "the GPB mode is not in the debug log:\n%s", log);
	ck_assert_msg(strstr(log, "rejected with invalid parameter: ") && strstr(log, reason),
		      "the debug log does not give the reason \"%s\":\n%s", reason, log);
	free(log);
	unlink(logpath);
}

#define GPB_RULE(name, before, reason, ...)					\
	MUT_TEST(name, kmscap_vath_gpb_rule(before, name##_mut, reason), __VA_ARGS__)

/* a P slice among B slices, and a picture of P slices only */
GPB_RULE(hevc_gpb_rej_p_slice, 2, "slice 1: P slice, but this encoder codes no P slices",
	 e->slice[1].slice_type = 1;
	 kmscap_vath_invalid(&e->slice[1].ref_pic_list1[0]))
GPB_RULE(hevc_gpb_rej_p_picture, 1, "slice 0: P slice, but this encoder codes no P slices",
	 kmscap_vath_defaults(e, false, 2))
/* list 1 longer than list 0: by override, and by the PPS default */
GPB_RULE(hevc_gpb_rej_l1_count, 2, "slice 0: B slice with 2 active list 1 references and 1 in list 0",
	 e->slice[0].slice_fields.bits.num_ref_idx_active_override_flag = 1;
	 e->slice[0].num_ref_idx_l1_active_minus1 = 1;
	 e->slice[0].ref_pic_list1[1] = e->slice[0].ref_pic_list1[0])
GPB_RULE(hevc_gpb_rej_l1_default_count, 1, "slice 0: B slice with 2 active list 1 references and 1 in list 0",
	 e->pic.num_ref_idx_l1_default_active_minus1 = 1)
/* list 1 naming another surface, another POC, or nothing */
GPB_RULE(hevc_gpb_rej_l1_surface, 2, "slice 1: ref_pic_list1[0]",
	 e->slice[1].ref_pic_list1[0].picture_id = e->recon[0] == e->ref_surface ?
						   e->recon[1] : e->recon[0])
GPB_RULE(hevc_gpb_rej_l1_poc, 2, "is not ref_pic_list0[0]",
	 e->slice[0].ref_pic_list1[0].pic_order_cnt--)
GPB_RULE(hevc_gpb_rej_l1_invalid, 1, "this encoder codes only B slices whose RefPicList1 repeats RefPicList0",
	 kmscap_vath_invalid(&e->slice[1].ref_pic_list1[0]))
/* a B slice in an I picture; a coding type that is not I, P or B */
GPB_RULE(hevc_gpb_rej_b_slice_in_i_picture, 0, "slice 1: B slice in an I picture",
	 e->slice[1].slice_type = 0;
	 e->slice[1].ref_pic_list1[0] = e->slice[1].ref_pic_list0[0])
GPB_RULE(hevc_gpb_rej_coding_type, 1, "coding_type 4: only I (1), P (2) and B (3)",
	 e->pic.pic_fields.bits.coding_type = 4)

/* The sequence of the very first picture is mandatory. */
START_TEST(hevc_rej_no_sequence)
{
	struct kmscap_vath e;

	kmscap_vath_open(&e, MAIN, 64, 64, 0);
	kmscap_vath_defaults(&e, true, 1);
	ck_assert_va(kmscap_vath_submit(&e, false, NULL, 0), INVALID);
	ck_assert_va_ok(kmscap_vath_submit(&e, true, NULL, 0));
	kmscap_vath_close(&e);
}
END_TEST

/* 4:2:0 needs an even context, though the surfaces may be larger. */
START_TEST(hevc_rej_odd_context)
{
	VAConfigAttrib a = { VAConfigAttribRTFormat, VA_RT_FORMAT_YUV420 };
	struct kmscap_vath e;
	VAContextID ctx;
	VAConfigID cfg;

	kmscap_vath_open(&e, MAIN, 200, 120, 0);
	ck_assert_va_ok(vaCreateConfig(e.t.dpy, MAIN, VAEntrypointEncSlice, &a, 1, &cfg));
	ck_assert_va_ok(vaCreateContext(e.t.dpy, cfg, 199, 120, VA_PROGRESSIVE, e.recon, 3,
					&ctx));
	kmscap_vath_defaults(&e, true, 1);
	e.context = ctx;
	ck_assert_va_ok(vaCreateBuffer(e.t.dpy, ctx, VAEncCodedBufferType, e.coded_size, 1, NULL,
				       &e.pic.coded_buf));
	ck_assert_va(kmscap_vath_submit(&e, true, NULL, 0), INVALID);
	kmscap_vath_close(&e);
}
END_TEST

/* Main 10 takes P010 input, Main NV12: anything else is refused at vaBeginPicture. */
START_TEST(hevc_rej_input_format)
{
	struct kmscap_vath e;
	VASurfaceID s;

	kmscap_vath_open(&e, MAIN10, 64, 64, 0);
	ck_assert_va_ok(vaCreateSurfaces(e.t.dpy, VA_RT_FORMAT_YUV420, 64, 64, &s, 1, NULL, 0));
	ck_assert_va(vaBeginPicture(e.t.dpy, e.context, s), VA_STATUS_ERROR_INVALID_SURFACE);
	ck_assert_va_ok(vaBeginPicture(e.t.dpy, e.context, e.input));
	ck_assert_va(vaEndPicture(e.t.dpy, e.context), INVALID);	/* nothing rendered */
	kmscap_vath_close(&e);
	kmscap_vath_open(&e, MAIN, 64, 64, 0);
	ck_assert_va_ok(vaCreateSurfaces(e.t.dpy, VA_RT_FORMAT_YUV420_10, 64, 64, &s, 1, NULL,
					 0));
	ck_assert_va(vaBeginPicture(e.t.dpy, e.context, s), VA_STATUS_ERROR_INVALID_SURFACE);
	kmscap_vath_close(&e);
}
END_TEST

/* Parameter buffers must have the HEVC sizes; H.264 or unknown types are refused. */
START_TEST(hevc_rej_buffer_sizes)
{
	struct kmscap_vath e;
	VABufferID b;

	kmscap_vath_open(&e, MAIN, 64, 64, 0);
	ck_assert_va(vaCreateBuffer(e.t.dpy, e.context, VAEncSequenceParameterBufferType,
				    sizeof(VAEncSequenceParameterBufferH264), 1, NULL, &b),
		     INVALID);
	ck_assert_va(vaCreateBuffer(e.t.dpy, e.context, VAEncSliceParameterBufferType,
				    sizeof(VAEncSliceParameterBufferH264), 1, NULL, &b), INVALID);
	ck_assert_va_ok(vaCreateBuffer(e.t.dpy, e.context, VAEncSliceParameterBufferType,
				       sizeof(VAEncSliceParameterBufferHEVC), 1, NULL, &b));
	ck_assert_va(vaCreateBuffer(e.t.dpy, e.context, VAQMatrixBufferType,
				    sizeof(VAQMatrixBufferHEVC), 1, NULL, &b),
		     VA_STATUS_ERROR_UNSUPPORTED_BUFFERTYPE);
	kmscap_vath_close(&e);
}
END_TEST

/* Config: Main 10 is YUV420_10 only; feature and block size attributes are not choices. */
START_TEST(hevc_rej_config)
{
	VAConfigAttrib a;
	struct kmscap_vat t;
	VAConfigID cfg;

	kmscap_vat_open(&t);
	a = (VAConfigAttrib){ VAConfigAttribRTFormat, VA_RT_FORMAT_YUV420 };
	ck_assert_va(vaCreateConfig(t.dpy, MAIN10, VAEntrypointEncSlice, &a, 1, &cfg),
		     VA_STATUS_ERROR_UNSUPPORTED_RT_FORMAT);
	a = (VAConfigAttrib){ VAConfigAttribRTFormat, VA_RT_FORMAT_YUV420_10 };
	ck_assert_va(vaCreateConfig(t.dpy, MAIN, VAEntrypointEncSlice, &a, 1, &cfg),
		     VA_STATUS_ERROR_UNSUPPORTED_RT_FORMAT);
	a = (VAConfigAttrib){ VAConfigAttribEncHEVCFeatures, 0 };
	ck_assert_va(vaCreateConfig(t.dpy, MAIN, VAEntrypointEncSlice, &a, 1, &cfg),
		     VA_STATUS_ERROR_INVALID_VALUE);
	a = (VAConfigAttrib){ VAConfigAttribEncMaxRefFrames, 1 << 16 | 1 };	/* a list 1 ref */
	ck_assert_va(vaCreateConfig(t.dpy, MAIN, VAEntrypointEncSliceLP, &a, 1, &cfg),
		     VA_STATUS_ERROR_INVALID_VALUE);
	a = (VAConfigAttrib){ VAConfigAttribEncHEVCBlockSizes, 0 };
	ck_assert_va_ok(vaGetConfigAttributes(t.dpy, MAIN, VAEntrypointEncSlice, &a, 1));
	ck_assert_va_ok(vaCreateConfig(t.dpy, MAIN, VAEntrypointEncSlice, &a, 1, &cfg));
	ck_assert_va_ok(vaDestroyConfig(t.dpy, cfg));
	kmscap_vat_close(&t);
}
END_TEST

#define ADD(fn) KMSCAP_VAT_ADD(s, fn, 30)

Suite *kmscap_vat_suite_hevc_validate(void)
{
	Suite *s = suite_create("hevc_validate");

	ADD(hevc_rej_profile_idc);
	ADD(hevc_rej_chroma_422);
	ADD(hevc_rej_main_10bit);
	ADD(hevc_rej_main10_8bit);
	ADD(hevc_rej_ctb_128);
	ADD(hevc_rej_ctb_8);
	ADD(hevc_rej_min_tb_not_below_min_cb);
	ADD(hevc_rej_max_tb_64);
	ADD(hevc_rej_th_depth);
	ADD(hevc_rej_pcm_disabled);
	ADD(hevc_rej_pcm_lossy_depth);
	ADD(hevc_rej_pcm_min_above_max);
	ADD(hevc_rej_pcm_above_ctb);
	ADD(hevc_rej_pcm_loop_filter);
	ADD(hevc_rej_sao);
	ADD(hevc_rej_scaling_list);
	ADD(hevc_rej_amp);
	ADD(hevc_rej_pic_size);
	ADD(hevc_rej_pcm_min_size_vs_picture);
	ADD(hevc_rej_level_unknown);
	ADD(hevc_rej_level_too_small);
	ADD(hevc_rej_field_seq);
	ADD(hevc_rej_seq_changed_in_p);
	ADD(hevc_rej_first_not_idr);
	ADD(hevc_rej_idr_nal_type);
	ADD(hevc_rej_nal_type_rasl);
	ADD(hevc_rej_trail_n_reference);
	ADD(hevc_rej_b_picture);
	ADD(hevc_rej_idr_coding_p);
	ADD(hevc_rej_idr_poc);
	ADD(hevc_rej_curr_pic_invalid);
	ADD(hevc_rej_curr_pic_destroyed);
	ADD(hevc_rej_recon_format);
	ADD(hevc_rej_init_qp);
	ADD(hevc_rej_pps_chroma_offset);
	ADD(hevc_rej_sign_data_hiding);
	ADD(hevc_rej_transform_skip);
	ADD(hevc_rej_cu_qp_delta);
	ADD(hevc_rej_weighted_pred);
	ADD(hevc_rej_transquant_bypass);
	ADD(hevc_rej_dependent_slices_pps);
	ADD(hevc_rej_tiles);
	ADD(hevc_rej_wavefront);
	ADD(hevc_rej_merge_level);
	ADD(hevc_rej_num_ref_default);
	ADD(hevc_rej_pps_id);
	ADD(hevc_rej_poc_jump);
	ADD(hevc_rej_ref_is_current);
	ADD(hevc_rej_ref_after_current);
	ADD(hevc_rej_ref_not_in_dpb);
	ADD(hevc_rej_ref_destroyed);
	ADD(hevc_rej_p_without_ref);
	ADD(hevc_rej_too_many_refs);
	ADD(hevc_rej_slice_gap);
	ADD(hevc_rej_slice_overlap);
	ADD(hevc_rej_slice_not_covering);
	ADD(hevc_rej_b_slice);
	ADD(hevc_rej_p_slice_in_i_picture);
	ADD(hevc_rej_slice_pps_id);
	ADD(hevc_rej_slice_qp_high);
	ADD(hevc_rej_slice_qp_negative_main);
	ADD(hevc_rej_slice_qp_negative_main10);
	ADD(hevc_rej_slice_chroma_offset);
	ADD(hevc_rej_slice_beta_offset);
	ADD(hevc_rej_dependent_slice);
	ADD(hevc_rej_slice_sao);
	ADD(hevc_rej_slice_tmvp_without_sps);
	ADD(hevc_rej_merge_cand);
	ADD(hevc_rej_too_many_active_refs);
	ADD(hevc_rej_ref_list_not_in_refs);
	ADD(hevc_rej_no_slices);
	ADD(hevc_rej_no_picture);
	ADD(hevc_rej_coded_buf_type);
	ADD(hevc_rej_coded_buf_small);
	ADD(hevc_rej_no_sequence);
	ADD(hevc_rej_odd_context);
	ADD(hevc_rej_input_format);
	ADD(hevc_rej_buffer_sizes);
	ADD(hevc_rej_config);
	ADD(hevc_gpb_rej_p_slice);
	ADD(hevc_gpb_rej_p_picture);
	ADD(hevc_gpb_rej_l1_count);
	ADD(hevc_gpb_rej_l1_default_count);
	ADD(hevc_gpb_rej_l1_surface);
	ADD(hevc_gpb_rej_l1_poc);
	ADD(hevc_gpb_rej_l1_invalid);
	ADD(hevc_gpb_rej_b_slice_in_i_picture);
	ADD(hevc_gpb_rej_coding_type);
	return s;
}
