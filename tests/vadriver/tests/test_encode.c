// SPDX-License-Identifier: MIT
/*
 * test_encode.c - H.264 encode of known NV12 frames; the stream is decoded
 * with Debian's ffmpeg and compared byte for byte with the input (I_PCM is
 * lossless), and ffprobe must report the expected profile, level, size and
 * frame count.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "va_test.h"

/* Changes the default parameters of frame i before it is submitted. */
typedef void (*kmscap_vat_tweak)(struct kmscap_vat_enc *e, unsigned int i);

static void kmscap_vat_encode_case_tweak(const char *name, VAProfile profile, unsigned int w,
					 unsigned int h, unsigned int n, unsigned int slices,
					 unsigned int idr_every, bool cabac,
					 const char *profile_str, kmscap_vat_tweak tweak);

/* Encodes n frames; an IDR every idr_every frames (0: only the first). */
static void kmscap_vat_encode_case(const char *name, VAProfile profile, unsigned int w,
				   unsigned int h, unsigned int n, unsigned int slices,
				   unsigned int idr_every, bool cabac, const char *profile_str)
{
	kmscap_vat_encode_case_tweak(name, profile, w, h, n, slices, idr_every, cabac, profile_str,
				     NULL);
}

static void kmscap_vat_encode_case_tweak(const char *name, VAProfile profile, unsigned int w,
					 unsigned int h, unsigned int n, unsigned int slices,
					 unsigned int idr_every, bool cabac,
					 const char *profile_str, kmscap_vat_tweak tweak)
{
	struct kmscap_vat_frame *frames = kmscap_vat_calloc(n, sizeof(*frames));
	struct kmscap_vat_enc e;
	unsigned int i;

	kmscap_vat_need_ffmpeg();
	kmscap_vat_enc_open(&e, profile, w, h, 0, 0);
	for (i = 0; i < n; i++) {
		bool idr = i == 0 || (idr_every && i % idr_every == 0);

		kmscap_vat_frame_gen(&frames[i], w, h, i + 1);
		kmscap_vat_upload(e.t.dpy, e.input, &frames[i]);
		kmscap_vat_enc_defaults(&e, idr, slices);
		if (cabac) {
			unsigned int k;

			e.pic.pic_fields.bits.entropy_coding_mode_flag = 1;
			for (k = 0; k < slices; k++)	/* every init table, and QP 20..34 */
				e.slice[k].cabac_init_idc = (i + k) % 3;
			e.pic.pic_init_qp = 20 + i % 15;
		}
		if (tweak)
			tweak(&e, i);
		ck_assert_va_ok(kmscap_vat_enc_submit(&e, idr, NULL, 0));
	}
	kmscap_vat_check_stream(&e, name, frames, n, profile_str, "30");
	for (i = 0; i < n; i++)
		kmscap_vat_frame_free(&frames[i]);
	free(frames);
	kmscap_vat_enc_close(&e);
}

START_TEST(test_encode_cb_idr_p)
{
	kmscap_vat_encode_case("cb_64x48", VAProfileH264ConstrainedBaseline, 64, 48, 6, 1, 0,
			       false, "Constrained Baseline");
}
END_TEST

START_TEST(test_encode_main_cropped_slices)
{
	kmscap_vat_encode_case("main_100x60", VAProfileH264Main, 100, 60, 5, 3, 0, false,
			       "Main");
}
END_TEST

/* frame_num wraps (MaxFrameNum 16) and a second IDR starts at frame 12. */
START_TEST(test_encode_high_wrap_idr)
{
	kmscap_vat_encode_case("high_wrap", VAProfileH264High, 48, 32, 30, 2, 12, false,
			       "High");
}
END_TEST

static void kmscap_vat_poc2(struct kmscap_vat_enc *e, unsigned int i)
{
	e->seq.seq_fields.bits.pic_order_cnt_type = 2;
}

START_TEST(test_encode_poc_type_2)
{
	kmscap_vat_encode_case_tweak("poc2", VAProfileH264Main, 48, 32, 6, 1, 4, false, "Main",
				     kmscap_vat_poc2);
}
END_TEST

static void kmscap_vat_poc1(struct kmscap_vat_enc *e, unsigned int i)
{
	unsigned int k;

	e->seq.seq_fields.bits.pic_order_cnt_type = 1;
	e->seq.num_ref_frames_in_pic_order_cnt_cycle = 2;
	e->seq.offset_for_ref_frame[0] = 2;
	e->seq.offset_for_ref_frame[1] = 4;
	e->seq.offset_for_non_ref_pic = -1;
	for (k = 0; k < e->num_slices; k++)
		e->slice[k].delta_pic_order_cnt[0] = i % 2;
}

START_TEST(test_encode_poc_type_1)
{
	kmscap_vat_encode_case_tweak("poc1", VAProfileH264High, 48, 32, 6, 2, 0, true, "High",
				     kmscap_vat_poc1);
}
END_TEST

/*
 * Every other P frame is not a reference: it keeps frame_num, is not marked
 * and stays out of the DPB; the next frame refers to the last reference.
 */
static void kmscap_vat_nonref(struct kmscap_vat_enc *e, unsigned int i)
{
	static VASurfaceID last_ref;
	static unsigned int refs;
	unsigned int k;

	if (i == 0) {
		last_ref = e->pic.CurrPic.picture_id;
		refs = 0;
		return;
	}
	e->pic.pic_fields.bits.reference_pic_flag = i % 2 == 0;
	e->pic.frame_num = (refs + 1) % 16;
	e->pic.CurrPic.picture_id = last_ref == e->recon[0] ? e->recon[1] : e->recon[0];
	e->pic.ReferenceFrames[0].picture_id = last_ref;
	for (k = 0; k < e->num_slices; k++)
		e->slice[k].RefPicList0[0].picture_id = last_ref;
	if (i % 2 == 0) {
		last_ref = e->pic.CurrPic.picture_id;
		refs++;
	}
}

START_TEST(test_encode_non_reference_p)
{
	kmscap_vat_encode_case_tweak("nonref", VAProfileH264High, 48, 32, 9, 1, 0, false, "High",
				     kmscap_vat_nonref);
}
END_TEST

/*
 * B frames in coding order I0 P3 B1 B2 P6 B4 B5 P9 B7 B8 (the B frames are
 * not references), two reference frames, list 1 = the later reference.
 * The decoder must put the frames back in display order.
 */
static void kmscap_vat_encode_b(const char *name, bool cabac)
{
	static const unsigned int order[] = { 0, 3, 1, 2, 6, 4, 5, 9, 7, 8 };
	const unsigned int n = 10, w = 48, h = 32;
	struct kmscap_vat_frame frames[10];
	VASurfaceID pool[4], dpb[2] = { VA_INVALID_SURFACE, VA_INVALID_SURFACE };
	unsigned int dpb_poc[2] = { 0, 0 }, refs = 0, i, k, ndpb = 0;
	struct kmscap_vat_enc e;

	kmscap_vat_need_ffmpeg();
	kmscap_vat_enc_open(&e, VAProfileH264High, w, h, 0, 0);
	ck_assert_va_ok(vaCreateSurfaces(e.t.dpy, VA_RT_FORMAT_YUV420, w, h, pool, 4, NULL, 0));
	for (i = 0; i < n; i++)
		kmscap_vat_frame_gen(&frames[i], w, h, 60 + i);
	for (i = 0; i < n; i++) {
		unsigned int d = order[i];
		bool idr = i == 0, b = d % 3 != 0;
		VAPictureH264 ref[2];
		VASurfaceID cur = VA_INVALID_SURFACE;

		for (k = 0; k < 4 && cur == VA_INVALID_SURFACE; k++)
			if (pool[k] != dpb[0] && pool[k] != dpb[1])
				cur = pool[k];
		kmscap_vat_upload(e.t.dpy, e.input, &frames[d]);
		kmscap_vat_enc_defaults(&e, idr, 1);
		e.seq.max_num_ref_frames = 2;
		e.seq.ip_period = 3;
		e.seq.vui_fields.bits.bitstream_restriction_flag = 1;
		e.seq.vui_fields.bits.log2_max_mv_length_horizontal = 15;
		e.seq.vui_fields.bits.log2_max_mv_length_vertical = 15;
		e.pic.CurrPic.picture_id = cur;
		e.pic.CurrPic.TopFieldOrderCnt = 2 * d;
		e.pic.CurrPic.BottomFieldOrderCnt = 2 * d;
		e.pic.frame_num = idr ? 0 : refs % 16;
		e.pic.pic_fields.bits.reference_pic_flag = !b;
		e.pic.pic_fields.bits.entropy_coding_mode_flag = cabac;
		for (k = 0; k < ndpb; k++) {
			ref[k] = (VAPictureH264){ .picture_id = dpb[k],
						  .flags = VA_PICTURE_H264_SHORT_TERM_REFERENCE,
						  .TopFieldOrderCnt = 2 * dpb_poc[k],
						  .BottomFieldOrderCnt = 2 * dpb_poc[k] };
			e.pic.ReferenceFrames[k] = ref[k];
		}
		e.slice[0].slice_type = idr ? 2 : b ? 1 : 0;
		e.slice[0].pic_order_cnt_lsb = (2 * d) % 64;
		e.slice[0].cabac_init_idc = (i / 2) % 3;	/* 0, 1, 2 for B and P */
		e.slice[0].direct_spatial_mv_pred_flag = 1;
		if (!idr) {
			/* dpb[1] is the latest reference */
			e.slice[0].RefPicList0[0] = b ? ref[0] : ref[ndpb - 1];
			if (b)
				e.slice[0].RefPicList1[0] = ref[1];
		}
		ck_assert_va_ok(kmscap_vat_enc_submit(&e, idr, NULL, 0));
		if (!b) {
			refs++;
			if (ndpb == 2) {
				dpb[0] = dpb[1];
				dpb_poc[0] = dpb_poc[1];
				ndpb = 1;
			}
			dpb[ndpb] = cur;
			dpb_poc[ndpb++] = d;
		}
	}
	kmscap_vat_check_stream(&e, name, frames, n, "High", "30");
	for (i = 0; i < n; i++)
		kmscap_vat_frame_free(&frames[i]);
	kmscap_vat_enc_close(&e);
}

START_TEST(test_encode_b_frames_cavlc)
{
	kmscap_vat_encode_b("b_cavlc", false);
}
END_TEST

START_TEST(test_encode_b_frames_cabac)
{
	kmscap_vat_encode_b("b_cabac", true);
}
END_TEST

/* CABAC: I_PCM with arithmetic-coded mb_type, skip flags and slice ends. */
START_TEST(test_encode_main_cabac)
{
	kmscap_vat_encode_case("main_cabac", VAProfileH264Main, 80, 48, 16, 3, 7, true, "Main");
}
END_TEST

START_TEST(test_encode_high_cabac_cropped)
{
	kmscap_vat_encode_case("high_cabac", VAProfileH264High, 50, 34, 6, 1, 0, true, "High");
}
END_TEST

/* The reconstructed picture of a lossless encode is the input itself. */
START_TEST(test_encode_recon)
{
	struct kmscap_vat_frame in, rec;
	struct kmscap_vat_enc e;

	kmscap_vat_enc_open(&e, VAProfileH264Main, 32, 32, 0, 0);
	kmscap_vat_frame_gen(&in, 32, 32, 7);
	kmscap_vat_frame_gen(&rec, 32, 32, 8);
	kmscap_vat_upload(e.t.dpy, e.input, &in);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va_ok(kmscap_vat_enc_submit(&e, true, NULL, 0));
	kmscap_vat_download(e.t.dpy, e.recon[0], &rec);
	ck_assert_mem_eq(in.data, rec.data, 32 * 32 * 3 / 2);
	/* 4 macroblocks of 384 PCM bytes at least */
	ck_assert_uint_gt(e.out_len, 4 * 384);
	kmscap_vat_frame_free(&in);
	kmscap_vat_frame_free(&rec);
	kmscap_vat_enc_close(&e);
}
END_TEST

/* A packed raw header (an access unit delimiter) is passed through as is. */
START_TEST(test_encode_packed_raw)
{
	static const uint8_t aud[] = { 0, 0, 0, 1, 0x09, 0xf0 };
	VAEncPackedHeaderParameterBuffer pp = {
		.type = VAEncPackedHeaderRawData, .bit_length = 8 * sizeof(aud),
		.has_emulation_bytes = 1,
	};
	struct kmscap_vat_frame frames[2];
	struct kmscap_vat_enc e;
	VABufferID extra[2];
	unsigned int i;

	kmscap_vat_need_ffmpeg();
	kmscap_vat_enc_open(&e, VAProfileH264High, 32, 16, VA_ENC_PACKED_HEADER_RAW_DATA, 0);
	for (i = 0; i < 2; i++) {
		kmscap_vat_frame_gen(&frames[i], 32, 16, 20 + i);
		kmscap_vat_upload(e.t.dpy, e.input, &frames[i]);
		kmscap_vat_enc_defaults(&e, i == 0, 1);
		ck_assert_va_ok(vaCreateBuffer(e.t.dpy, e.context,
					       VAEncPackedHeaderParameterBufferType, sizeof(pp), 1,
					       &pp, &extra[0]));
		ck_assert_va_ok(vaCreateBuffer(e.t.dpy, e.context, VAEncPackedHeaderDataBufferType,
					       sizeof(aud), 1, (void *)aud, &extra[1]));
		ck_assert_va_ok(kmscap_vat_enc_submit(&e, i == 0, extra, 2));
	}
	ck_assert(memmem(e.out, e.out_len, aud, sizeof(aud)) != NULL);
	kmscap_vat_check_stream(&e, "packed_raw", frames, 2, "High", "30");
	kmscap_vat_frame_free(&frames[0]);
	kmscap_vat_frame_free(&frames[1]);
	kmscap_vat_enc_close(&e);
}
END_TEST

/* A small bit writer of the test's own, for packed slice headers. */
struct kmscap_vat_bw {
	uint8_t buf[64];
	unsigned int bits;
};

static void kmscap_vat_bw_u(struct kmscap_vat_bw *w, unsigned int n, uint32_t v)
{
	while (n--) {
		if ((v >> n) & 1)
			w->buf[w->bits / 8] |= 0x80 >> (w->bits % 8);
		w->bits++;
	}
}

static void kmscap_vat_bw_ue(struct kmscap_vat_bw *w, uint32_t v)
{
	unsigned int len = 0;

	while ((v + 1) >> (len + 1))
		len++;
	kmscap_vat_bw_u(w, len, 0);
	kmscap_vat_bw_u(w, len + 1, v + 1);
}

/*
 * Slice header (with start code) for kmscap_vat_enc_defaults() parameters:
 * CAVLC, POC type 0, 4-bit frame_num, 6-bit POC LSB, deblocking control.
 */
static void kmscap_vat_slice_header(struct kmscap_vat_bw *w, const struct kmscap_vat_enc *e,
				    unsigned int i)
{
	const VAEncSliceParameterBufferH264 *sl = &e->slice[i];
	bool idr = e->pic.pic_fields.bits.idr_pic_flag;

	memset(w, 0, sizeof(*w));
	kmscap_vat_bw_u(w, 32, 1);			/* start code */
	kmscap_vat_bw_u(w, 8, idr ? 0x65 : 0x41);	/* nal_ref_idc 3 / 2, type 5 / 1 */
	kmscap_vat_bw_ue(w, sl->macroblock_address);
	kmscap_vat_bw_ue(w, sl->slice_type);
	kmscap_vat_bw_ue(w, 0);				/* pic_parameter_set_id */
	kmscap_vat_bw_u(w, 4, e->pic.frame_num);
	if (idr)
		kmscap_vat_bw_ue(w, sl->idr_pic_id);
	kmscap_vat_bw_u(w, 6, sl->pic_order_cnt_lsb);
	if (!idr) {
		kmscap_vat_bw_u(w, 1, 0);		/* num_ref_idx_active_override_flag */
		kmscap_vat_bw_u(w, 1, 0);		/* ref_pic_list_modification_flag_l0 */
		kmscap_vat_bw_u(w, 1, 0);		/* adaptive_ref_pic_marking_mode_flag */
	} else {
		kmscap_vat_bw_u(w, 2, 0);		/* no_output_of_prior_pics, long_term */
	}
	kmscap_vat_bw_ue(w, 0);				/* slice_qp_delta (se 0) */
	kmscap_vat_bw_ue(w, 0);				/* disable_deblocking_filter_idc */
	kmscap_vat_bw_ue(w, 0);				/* slice_alpha_c0_offset_div2 */
	kmscap_vat_bw_ue(w, 0);				/* slice_beta_offset_div2 */
}

/* Finds the first NAL of a type; returns its offset (start code included). */
static size_t kmscap_vat_find_nal(const uint8_t *p, size_t n, unsigned int type, size_t *len)
{
	size_t i, start = SIZE_MAX;

	for (i = 0; i + 4 < n; i++) {
		if (p[i] || p[i + 1] || p[i + 2] || p[i + 3] != 1)
			continue;
		if (start != SIZE_MAX) {
			*len = i - start;
			return start;
		}
		if ((p[i + 4] & 0x1f) == type)
			start = i;
	}
	ck_assert_msg(start != SIZE_MAX, "no NAL unit of type %u", type);
	*len = n - start;
	return start;
}

/*
 * Packed SPS (escaped), PPS (unescaped) and slice headers (written by the
 * test, unaligned bit lengths) must give exactly the stream the driver
 * writes from the parameter buffers alone.
 */
START_TEST(test_encode_packed_headers)
{
	const unsigned int packed = VA_ENC_PACKED_HEADER_SEQUENCE | VA_ENC_PACKED_HEADER_PICTURE |
				    VA_ENC_PACKED_HEADER_SLICE;
	struct kmscap_vat_frame frames[3];
	struct kmscap_vat_enc ref, e;
	uint8_t sps[64], pps[64];
	size_t sps_len, pps_len, off, k;
	unsigned int i, j, unaligned = 0;

	kmscap_vat_need_ffmpeg();
	kmscap_vat_enc_open(&ref, VAProfileH264High, 64, 48, 0, 0);
	for (i = 0; i < 3; i++) {
		kmscap_vat_frame_gen(&frames[i], 64, 48, 40 + i);
		kmscap_vat_upload(ref.t.dpy, ref.input, &frames[i]);
		kmscap_vat_enc_defaults(&ref, i == 0, 2);
		ck_assert_va_ok(kmscap_vat_enc_submit(&ref, i == 0, NULL, 0));
	}
	off = kmscap_vat_find_nal(ref.out, ref.out_len, 7, &sps_len);
	ck_assert_uint_le(sps_len, sizeof(sps));
	memcpy(sps, ref.out + off, sps_len);
	off = kmscap_vat_find_nal(ref.out, ref.out_len, 8, &pps_len);
	ck_assert_uint_le(pps_len, sizeof(pps));
	/* unescape: the driver must escape a header declared without escapes */
	for (k = 0, j = 0; k < pps_len; k++) {
		if (k >= 6 && ref.out[off + k] == 3 && !ref.out[off + k - 1] &&
		    !ref.out[off + k - 2])
			continue;
		pps[j++] = ref.out[off + k];
	}
	pps_len = j;

	kmscap_vat_enc_open(&e, VAProfileH264High, 64, 48, packed, 0);
	for (i = 0; i < 3; i++) {
		VAEncPackedHeaderParameterBuffer pp;
		VABufferID extra[8];
		struct kmscap_vat_bw w;
		unsigned int n = 0, s;

		kmscap_vat_upload(e.t.dpy, e.input, &frames[i]);
		kmscap_vat_enc_defaults(&e, i == 0, 2);
		if (i == 0) {
			pp = (VAEncPackedHeaderParameterBuffer){ VAEncPackedHeaderSequence,
								 8 * sps_len, 1 };
			vaCreateBuffer(e.t.dpy, e.context, VAEncPackedHeaderParameterBufferType,
				       sizeof(pp), 1, &pp, &extra[n++]);
			vaCreateBuffer(e.t.dpy, e.context, VAEncPackedHeaderDataBufferType, sps_len,
				       1, sps, &extra[n++]);
			pp = (VAEncPackedHeaderParameterBuffer){ VAEncPackedHeaderPicture,
								 8 * pps_len, 0 };
			vaCreateBuffer(e.t.dpy, e.context, VAEncPackedHeaderParameterBufferType,
				       sizeof(pp), 1, &pp, &extra[n++]);
			vaCreateBuffer(e.t.dpy, e.context, VAEncPackedHeaderDataBufferType, pps_len,
				       1, pps, &extra[n++]);
		}
		for (s = 0; s < 2; s++) {
			kmscap_vat_slice_header(&w, &e, s);
			unaligned += w.bits % 8 != 0;
			pp = (VAEncPackedHeaderParameterBuffer){ VAEncPackedHeaderSlice,
								 w.bits, 0 };
			vaCreateBuffer(e.t.dpy, e.context, VAEncPackedHeaderParameterBufferType,
				       sizeof(pp), 1, &pp, &extra[n++]);
			vaCreateBuffer(e.t.dpy, e.context, VAEncPackedHeaderDataBufferType,
				       (w.bits + 7) / 8, 1, w.buf, &extra[n++]);
		}
		ck_assert_va_ok(kmscap_vat_enc_submit(&e, i == 0, extra, n));
	}
	ck_assert_uint_gt(unaligned, 0);	/* bit-exact appending was exercised */
	ck_assert_uint_eq(e.out_len, ref.out_len);
	ck_assert_mem_eq(e.out, ref.out, ref.out_len);
	kmscap_vat_check_stream(&e, "packed_headers", frames, 3, "High", "30");
	for (i = 0; i < 3; i++)
		kmscap_vat_frame_free(&frames[i]);
	kmscap_vat_enc_close(&ref);
	kmscap_vat_enc_close(&e);
}
END_TEST

Suite *kmscap_vat_suite_encode(void)
{
	Suite *s = suite_create("encode");

#define ADD(fn) KMSCAP_VAT_ADD(s, fn, 60)
	ADD(test_encode_cb_idr_p);
	ADD(test_encode_main_cropped_slices);
	ADD(test_encode_high_wrap_idr);
	ADD(test_encode_main_cabac);
	ADD(test_encode_poc_type_2);
	ADD(test_encode_poc_type_1);
	ADD(test_encode_non_reference_p);
	ADD(test_encode_b_frames_cavlc);
	ADD(test_encode_b_frames_cabac);
	ADD(test_encode_high_cabac_cropped);
	ADD(test_encode_recon);
	ADD(test_encode_packed_raw);
	ADD(test_encode_packed_headers);
#undef ADD
	return s;
}
