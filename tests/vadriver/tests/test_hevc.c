// SPDX-License-Identifier: MIT
/*
 * test_hevc.c - HEVC Main/Main10 encode through the driver, the way an
 * application that reads the driver's attributes does it: the CTB, CB,
 * transform and PCM sizes come from VAConfigAttribEncHEVCBlockSizes, and
 * pcm_enabled_flag from VAConfigAttribEncHEVCFeatures.  The streams are
 * decoded by ffmpeg and compared sample by sample with the input; every
 * validation rule is exercised with the status it must return.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_hevc.h"

void kmscap_vath_frame_gen(struct kmscap_vath_frame *f, unsigned int w, unsigned int h,
			   bool ten, unsigned int seed)
{
	size_t n = (size_t)w * h * 3 / 2, i;
	uint32_t rnd = 88172645u ^ (seed * 2654435761u);

	f->width = w;
	f->height = h;
	f->bps = ten ? 2 : 1;
	f->data = kmscap_vat_calloc(n, f->bps);
	for (i = 0; i < n; i++) {
		unsigned int x = i % w, y = i / w, v;

		rnd ^= rnd << 13;
		rnd ^= rnd >> 17;
		rnd ^= rnd << 5;
		/* gradients and noise, and blocks of 0 and of the maximum (start-code look-alikes) */
		if ((x / 8 + y / 8 + seed) % 5 == 0)
			v = 0;
		else if ((x / 8 + y / 8 + seed) % 7 == 0)
			v = ten ? 1023 : 255;
		else
			v = (x * 3 + y * 5 + seed * 17 + (rnd & 31)) & (ten ? 1023 : 255);
		if (ten) {
			f->data[2 * i] = (v << 6) & 0xff;
			f->data[2 * i + 1] = (v << 6) >> 8;
		} else {
			f->data[i] = v;
		}
	}
}

void kmscap_vath_upload(VADisplay dpy, VASurfaceID s, const struct kmscap_vath_frame *f)
{
	unsigned int y, row = f->width * f->bps;
	VAImage img;
	uint8_t *p;

	ck_assert_va_ok(vaDeriveImage(dpy, s, &img));
	ck_assert_uint_eq(img.format.fourcc, f->bps == 2 ? VA_FOURCC_P010 : VA_FOURCC_NV12);
	ck_assert_va_ok(vaMapBuffer(dpy, img.buf, (void **)&p));
	for (y = 0; y < f->height; y++)
		memcpy(p + img.offsets[0] + (size_t)y * img.pitches[0], f->data + (size_t)y * row,
		       row);
	for (y = 0; y < f->height / 2; y++)
		memcpy(p + img.offsets[1] + (size_t)y * img.pitches[1],
		       f->data + (size_t)row * f->height + (size_t)y * row, row);
	ck_assert_va_ok(vaUnmapBuffer(dpy, img.buf));
	ck_assert_va_ok(vaDestroyImage(dpy, img.image_id));
}

void kmscap_vath_open_rc(struct kmscap_vath *e, VAProfile profile, unsigned int w,
			 unsigned int h, unsigned int packed, unsigned int rc_mode)
{
	bool ten = profile == VAProfileHEVCMain10;
	unsigned int rt = ten ? VA_RT_FORMAT_YUV420_10 : VA_RT_FORMAT_YUV420;
	VAConfigAttrib attr[3] = {
		{ VAConfigAttribRTFormat, rt },
		{ VAConfigAttribRateControl, rc_mode },
		{ VAConfigAttribEncPackedHeaders, packed },
	};
	VAConfigAttrib caps[2] = {
		{ VAConfigAttribEncHEVCFeatures }, { VAConfigAttribEncHEVCBlockSizes },
	};
	VASurfaceID s[4];

	memset(e, 0, sizeof(*e));
	kmscap_vat_open(&e->t);
	e->profile = profile;
	e->main10 = ten;
	e->width = w;
	e->height = h;
	e->packed = packed;
	ck_assert_va_ok(vaGetConfigAttributes(e->t.dpy, profile, VAEntrypointEncSlice, caps, 2));
	ck_assert_uint_ne(caps[0].value, VA_ATTRIB_NOT_SUPPORTED);
	ck_assert_uint_ne(caps[1].value, VA_ATTRIB_NOT_SUPPORTED);
	e->features.value = caps[0].value;
	e->sizes.value = caps[1].value;
	ck_assert_va_ok(vaCreateConfig(e->t.dpy, profile, VAEntrypointEncSlice, attr,
				       packed ? 3 : 2, &e->config));
	ck_assert_va_ok(vaCreateSurfaces(e->t.dpy, rt, w, h, s, 4, NULL, 0));
	e->input = s[0];
	memcpy(e->recon, s + 1, sizeof(e->recon));
	ck_assert_va_ok(vaCreateContext(e->t.dpy, e->config, w, h, VA_PROGRESSIVE, e->recon, 3,
					&e->context));
	/*
	 * Samples at the bit depth, some bytes per CU, headers, and room for
	 * emulation prevention bytes: the test pictures have runs of zeros.
	 */
	e->coded_size = (w + 8) * (h + 8) * 3 / 2 * (ten ? 10 : 8) / 8 * 3 / 2 + 65536;
	ck_assert_va_ok(vaCreateBuffer(e->t.dpy, e->context, VAEncCodedBufferType,
				       e->coded_size, 1, NULL, &e->coded));
	e->ref_surface = VA_INVALID_SURFACE;
}

void kmscap_vath_open(struct kmscap_vath *e, VAProfile profile, unsigned int w,
		      unsigned int h, unsigned int packed)
{
	kmscap_vath_open_rc(e, profile, w, h, packed, VA_RC_CQP);
}

void kmscap_vath_close(struct kmscap_vath *e)
{
	free(e->out);
	e->out = NULL;
	kmscap_vat_close(&e->t);
}

static unsigned int kmscap_vath_ctb_log2(const struct kmscap_vath *e)
{
	unsigned int max = e->sizes.bits.log2_max_coding_tree_block_size_minus3 + 3;

	if (e->ctb_log2)
		return e->ctb_log2;
	return max > 5 ? 5 : max;	/* 32, as most encoders use, if offered */
}

void kmscap_vath_invalid(VAPictureHEVC *p)
{
	p->picture_id = VA_INVALID_SURFACE;
	p->pic_order_cnt = 0;
	p->flags = VA_PICTURE_HEVC_INVALID;
}

/* See test_hevc.h. */
void kmscap_vath_defaults(struct kmscap_vath *e, bool idr, unsigned int slices)
{
	VAEncSequenceParameterBufferHEVC *q = &e->seq;
	VAEncPictureParameterBufferHEVC *p = &e->pic;
	unsigned int min_cb = e->sizes.bits.log2_min_luma_coding_block_size_minus3 + 3;
	unsigned int ctb = kmscap_vath_ctb_log2(e), depth = e->main10 ? 2 : 0;
	unsigned int cw = (e->width + (1u << min_cb) - 1) >> min_cb << min_cb;
	unsigned int ch = (e->height + (1u << min_cb) - 1) >> min_cb << min_cb;
	unsigned int ctbs = ((cw + (1u << ctb) - 1) >> ctb) * ((ch + (1u << ctb) - 1) >> ctb);
	unsigned int i, at = 0;
	VASurfaceID cur = e->recon[e->frame % 3];
	int32_t poc = idr ? 0 : e->ref_poc + 1;

	memset(q, 0, sizeof(*q));
	q->general_profile_idc = e->main10 ? 2 : 1;
	q->general_level_idc = cw * ch > 983040 ? 120 : cw * ch > 36864 ? 93 : 30;
	q->intra_period = 30;
	q->intra_idr_period = 30;
	q->ip_period = 1;
	q->pic_width_in_luma_samples = cw;
	q->pic_height_in_luma_samples = ch;
	q->seq_fields.bits.chroma_format_idc = 1;
	q->seq_fields.bits.bit_depth_luma_minus8 = depth;
	q->seq_fields.bits.bit_depth_chroma_minus8 = depth;
	q->seq_fields.bits.pcm_enabled_flag = e->features.bits.pcm != VA_FEATURE_NOT_SUPPORTED;
	q->seq_fields.bits.pcm_loop_filter_disabled_flag = 1;
	q->seq_fields.bits.sps_temporal_mvp_enabled_flag =
		e->features.bits.temporal_mvp != VA_FEATURE_NOT_SUPPORTED;
	q->seq_fields.bits.low_delay_seq = 1;
	q->log2_min_luma_coding_block_size_minus3 = min_cb - 3;
	q->log2_diff_max_min_luma_coding_block_size = ctb - min_cb;
	q->log2_min_transform_block_size_minus2 =
		e->sizes.bits.log2_min_luma_transform_block_size_minus2;
	q->log2_diff_max_min_transform_block_size =
		e->sizes.bits.log2_max_luma_transform_block_size_minus2 -
		e->sizes.bits.log2_min_luma_transform_block_size_minus2;
	q->max_transform_hierarchy_depth_inter = 2;
	q->max_transform_hierarchy_depth_intra = 2;
	q->pcm_sample_bit_depth_luma_minus1 = 7 + depth;
	q->pcm_sample_bit_depth_chroma_minus1 = 7 + depth;
	q->log2_min_pcm_luma_coding_block_size_minus3 =
		e->sizes.bits.log2_min_pcm_coding_block_size_minus3;
	q->log2_max_pcm_luma_coding_block_size_minus3 = e->pcm_max_log2 ? e->pcm_max_log2 - 3 :
		e->sizes.bits.log2_max_pcm_coding_block_size_minus3;
	q->vui_parameters_present_flag = 1;
	q->vui_fields.bits.vui_timing_info_present_flag = 1;
	q->vui_num_units_in_tick = 1;
	q->vui_time_scale = 25;

	memset(p, 0, sizeof(*p));
	p->decoded_curr_pic.picture_id = cur;
	p->decoded_curr_pic.pic_order_cnt = poc;
	for (i = 0; i < 15; i++)
		kmscap_vath_invalid(&p->reference_frames[i]);
	if (!idr) {
		p->reference_frames[0].picture_id = e->ref_surface;
		p->reference_frames[0].pic_order_cnt = e->ref_poc;
		p->reference_frames[0].flags = 0;
	}
	p->coded_buf = e->coded;
	p->collocated_ref_pic_index = idr ? 0xff : 0;
	p->pic_init_qp = 30;
	p->nal_unit_type = idr ? 19 : 1;
	p->pic_fields.bits.idr_pic_flag = idr;
	p->pic_fields.bits.coding_type = idr ? 1 : 2;
	p->pic_fields.bits.reference_pic_flag = 1;
	p->pic_fields.bits.pps_loop_filter_across_slices_enabled_flag = 1;

	e->num_slices = slices;
	for (i = 0; i < slices; i++) {
		VAEncSliceParameterBufferHEVC *s = &e->slice[i];
		unsigned int k;

		memset(s, 0, sizeof(*s));
		s->slice_segment_address = at;
		s->num_ctu_in_slice = i + 1 == slices ? ctbs - at : ctbs / slices;
		at += s->num_ctu_in_slice;
		s->slice_type = idr ? 2 : 1;
		s->max_num_merge_cand = 5;
		s->slice_qp_delta = (int)i - 1;
		for (k = 0; k < 15; k++) {
			kmscap_vath_invalid(&s->ref_pic_list0[k]);
			kmscap_vath_invalid(&s->ref_pic_list1[k]);
		}
		if (!idr)
			s->ref_pic_list0[0] = p->reference_frames[0];
		s->slice_fields.bits.last_slice_of_pic_flag = i + 1 == slices;
		s->slice_fields.bits.slice_temporal_mvp_enabled_flag =
			!idr && q->seq_fields.bits.sps_temporal_mvp_enabled_flag;
		s->slice_fields.bits.cabac_init_flag = i % 2;
		s->slice_fields.bits.slice_loop_filter_across_slices_enabled_flag = 1;
	}
}

/* Submits the current parameters and extra buffers; on success appends the coded data. */
VAStatus kmscap_vath_submit(struct kmscap_vath *e, bool with_seq, VABufferID *extra,
			    unsigned int num_extra)
{
	VADisplay dpy = e->t.dpy;
	VAStatus st;

	st = kmscap_vat_submit_params(dpy, e->context, e->input, &KMSCAP_VAT_PARAMS(e, with_seq),
				      extra, num_extra);
	if (st != VA_STATUS_SUCCESS)
		return st;
	ck_assert_va_ok(vaSyncSurface(dpy, e->input));
	ck_assert_va_ok(kmscap_vat_coded_append(dpy, e->coded, &e->out, &e->out_len, &e->out_cap));
	if (e->pic.pic_fields.bits.reference_pic_flag) {
		e->ref_surface = e->pic.decoded_curr_pic.picture_id;
		e->ref_poc = e->pic.decoded_curr_pic.pic_order_cnt;
	}
	e->frame++;
	return VA_STATUS_SUCCESS;
}

/* Decodes e->out with ffmpeg and compares it with frames[0..n-1]. */
void kmscap_vath_check(struct kmscap_vath *e, const char *name,
		       struct kmscap_vath_frame *frames, unsigned int n)
{
	size_t fsize = (size_t)e->width * e->height * 3 / 2 * (e->main10 ? 2 : 1);
	char path[512], raw[512], cmd[2048], *out = NULL;
	unsigned int i;
	uint8_t *dec;

	kmscap_vat_need_ffmpeg();
	snprintf(path, sizeof(path), "%s/%s.hevc", kmscap_vat_workdir(), name);
	snprintf(raw, sizeof(raw), "%s/%s.yuv", kmscap_vat_workdir(), name);
	ck_assert_msg(kmscap_vat_write_file(path, e->out, e->out_len), "cannot write %s", path);
	snprintf(cmd, sizeof(cmd),
		 "ffmpeg -nostdin -v error -f hevc -i '%s' -f rawvideo -pix_fmt %s -y '%s' 2>&1",
		 path, e->main10 ? "p010le" : "nv12", raw);
	ck_assert_msg(kmscap_vat_run(cmd, &out) == 0, "ffmpeg failed to decode %s: %s", path, out);
	ck_assert_msg(!*out, "ffmpeg reported problems decoding %s: %s", path, out);
	free(out);
	dec = kmscap_vat_read_decoded(raw, fsize, n);
	for (i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < fsize && dec[i * fsize + k] == frames[i].data[k]; k++)
			;
		ck_assert_msg(k == fsize, "%s: decoded frame %u differs from the input at byte %zu of %zu",
			      path, i, k, fsize);
	}
	free(dec);
	snprintf(cmd, sizeof(cmd),
		 "ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=codec_name,profile,width,height,nb_read_frames -of default=noprint_wrappers=1 '%s'",
		 path);
	ck_assert_msg(kmscap_vat_run(cmd, &out) == 0, "ffprobe failed on %s", path);
	ck_assert_msg(strstr(out, "codec_name=hevc\n"), "not HEVC: %s", out);
	ck_assert_msg(strstr(out, e->main10 ? "profile=Main 10\n" : "profile=Main\n"),
		      "profile: %s", out);
	snprintf(cmd, sizeof(cmd), "width=%u\nheight=%u\n", e->width, e->height);
	ck_assert_msg(strstr(out, cmd), "size not %ux%u: %s", e->width, e->height, out);
	snprintf(cmd, sizeof(cmd), "nb_read_frames=%u\n", n);
	ck_assert_msg(strstr(out, cmd), "not %u frames: %s", n, out);
	free(out);
}

/*
 * KMSCAP_VA_HEVC_GPB for the next display: the driver reads it at the
 * display's first config query (kmscap_vath_open()), so it is set just
 * before and cleared right after opening.
 */
static void kmscap_vath_gpb_env(bool on)
{
	if (on)
		ck_assert_int_eq(setenv("KMSCAP_VA_HEVC_GPB", "1", 1), 0);
	else
		unsetenv("KMSCAP_VA_HEVC_GPB");
}

/*
 * The picture of kmscap_vath_defaults() as generalised P/B: B slices whose
 * list 1 repeats list 0; coding_type P (as ffmpeg and kmscap-stream send
 * it) on odd frames, B on even ones; mvd_l1_zero_flag and
 * collocated_from_l0_flag varied (with cabac_init_flag varied per slice by
 * the defaults, both B initTypes are used).
 */
static void kmscap_vath_to_gpb(struct kmscap_vath *e, unsigned int frame)
{
	unsigned int i;

	if (e->pic.pic_fields.bits.idr_pic_flag)
		return;
	e->pic.pic_fields.bits.coding_type = frame % 2 ? 2 : 3;
	for (i = 0; i < e->num_slices; i++) {
		VAEncSliceParameterBufferHEVC *sl = &e->slice[i];

		sl->slice_type = 0;
		memcpy(sl->ref_pic_list1, sl->ref_pic_list0, sizeof(sl->ref_pic_list1));
		sl->slice_fields.bits.mvd_l1_zero_flag = frame % 2;
		sl->slice_fields.bits.collocated_from_l0_flag = (frame / 2) % 2;
	}
}

/* ffprobe's pict_type of every frame of <workdir>/name.hevc, e.g. "IBBB". */
static void kmscap_vath_check_types(const char *name, const char *want)
{
	char cmd[1024], *out = NULL, got[64];
	unsigned int n = 0;
	const char *p;

	snprintf(cmd, sizeof(cmd),
		 "ffprobe -v error -select_streams v:0 -show_entries frame=pict_type -of csv=p=0 '%s/%s.hevc'",
		 kmscap_vat_workdir(), name);
	ck_assert_msg(kmscap_vat_run(cmd, &out) == 0, "ffprobe failed on %s.hevc", name);
	for (p = out; *p && n + 1 < sizeof(got); p++)
		if (*p >= 'A' && *p <= 'Z')
			got[n++] = *p;
	got[n] = '\0';
	ck_assert_msg(!strcmp(got, want), "%s.hevc: picture types %s, expected %s", name, got,
		      want);
	free(out);
}

typedef void (*kmscap_vath_tweak)(struct kmscap_vath *e);

/* Encodes n frames (IDR, then P) of w x h and checks the decoded result. */
static void kmscap_vath_roundtrip(VAProfile profile, unsigned int w, unsigned int h,
				  unsigned int n, unsigned int slices, const char *name,
				  kmscap_vath_tweak tweak)
{
	struct kmscap_vath_frame *frames = kmscap_vat_calloc(n, sizeof(*frames));
	struct kmscap_vath e;
	unsigned int i;

	kmscap_vath_open(&e, profile, w, h, 0);
	for (i = 0; i < n; i++) {
		kmscap_vath_frame_gen(&frames[i], w, h, e.main10, i);
		kmscap_vath_upload(e.t.dpy, e.input, &frames[i]);
		if (tweak)
			tweak(&e);	/* sizes */
		kmscap_vath_defaults(&e, i == 0, slices);
		if (tweak)
			tweak(&e);	/* parameters */
		ck_assert_va_ok(kmscap_vath_submit(&e, i == 0, NULL, 0));
	}
	kmscap_vath_check(&e, name, frames, n);
	for (i = 0; i < n; i++)
		free(frames[i].data);
	free(frames);
	kmscap_vath_close(&e);
}

START_TEST(test_hevc_main_200x120)
{
	kmscap_vath_roundtrip(VAProfileHEVCMain, 200, 120, 3, 1, "hevc_main_200x120", NULL);
}
END_TEST

START_TEST(test_hevc_main10_200x120)
{
	kmscap_vath_roundtrip(VAProfileHEVCMain10, 200, 120, 3, 1, "hevc_main10_200x120", NULL);
}
END_TEST

START_TEST(test_hevc_main_1920x1080_slices)
{
	kmscap_vath_roundtrip(VAProfileHEVCMain, 1920, 1080, 2, 3, "hevc_main_1080p", NULL);
}
END_TEST

START_TEST(test_hevc_main10_1920x1080)
{
	kmscap_vath_roundtrip(VAProfileHEVCMain10, 1920, 1080, 2, 2, "hevc_main10_1080p", NULL);
}
END_TEST

/* Odd-ish size: 198x118 is coded as 200x120 with a conformance window. */
START_TEST(test_hevc_main_cropped)
{
	kmscap_vath_roundtrip(VAProfileHEVCMain, 198, 118, 2, 2, "hevc_main_198x118", NULL);
}
END_TEST

/* CTB 64 (the largest offered): each CTU splits into 32x32 PCM CUs, and further at the edges. */
static void kmscap_vath_ctb64(struct kmscap_vath *e)
{
	e->ctb_log2 = e->sizes.bits.log2_max_coding_tree_block_size_minus3 + 3;
	e->seq.max_transform_hierarchy_depth_intra = 3;
	e->slice[0].slice_fields.bits.slice_deblocking_filter_disabled_flag = 1;
}

START_TEST(test_hevc_main_ctb64)
{
	kmscap_vath_roundtrip(VAProfileHEVCMain, 232, 136, 3, 1, "hevc_main_ctb64",
			      kmscap_vath_ctb64);
}
END_TEST

/* CTB 16 (the smallest offered), PCM CUs of 8x8 only: every CTU splits into four. */
static void kmscap_vath_ctb16_pcm8(struct kmscap_vath *e)
{
	e->ctb_log2 = e->sizes.bits.log2_min_coding_tree_block_size_minus3 + 3;
	e->pcm_max_log2 = e->sizes.bits.log2_min_pcm_coding_block_size_minus3 + 3;
	e->seq.log2_diff_max_min_transform_block_size = 2;	/* TB 4..16 */
	e->pic.pic_init_qp = 40;
}

START_TEST(test_hevc_main10_ctb16_pcm8)
{
	kmscap_vath_roundtrip(VAProfileHEVCMain10, 104, 72, 3, 2, "hevc_main10_ctb16",
			      kmscap_vath_ctb16_pcm8);
}
END_TEST

/*
 * Picture types: IDR, TRAIL_R, a non-reference TRAIL_N, TRAIL_R referring
 * past it, a CRA (I, its RPS empties the DPB), then P after the CRA.
 */
START_TEST(test_hevc_picture_types)
{
	struct kmscap_vath_frame frames[6];
	struct kmscap_vath e;
	unsigned int i;
	int32_t poc = 0;

	kmscap_vath_open(&e, VAProfileHEVCMain, 136, 88, 0);
	for (i = 0; i < 6; i++) {
		kmscap_vath_frame_gen(&frames[i], 136, 88, false, 30 + i);
		kmscap_vath_upload(e.t.dpy, e.input, &frames[i]);
		kmscap_vath_defaults(&e, i == 0, 2);
		e.pic.decoded_curr_pic.pic_order_cnt = poc;
		if (i == 2) {
			e.pic.nal_unit_type = 0;	/* TRAIL_N */
			e.pic.pic_fields.bits.reference_pic_flag = 0;
		}
		if (i == 4) {
			e.pic.nal_unit_type = 21;	/* CRA */
			e.pic.pic_fields.bits.coding_type = 1;
			kmscap_vath_invalid(&e.pic.reference_frames[0]);
			e.slice[0].slice_type = e.slice[1].slice_type = 2;
		}
		ck_assert_va_ok(kmscap_vath_submit(&e, i == 0, NULL, 0));
		poc++;
	}
	ck_assert_int_eq(e.ref_poc, 5);
	kmscap_vath_check(&e, "hevc_picture_types", frames, 6);
	for (i = 0; i < 6; i++)
		free(frames[i].data);
	kmscap_vath_close(&e);
}
END_TEST

/*
 * All-zero samples need an emulation prevention byte after every two: a
 * coded buffer of the minimum size overflows, which the segment reports.
 */
START_TEST(test_hevc_overflow)
{
	struct kmscap_vath_frame f;
	VACodedBufferSegment *seg;
	struct kmscap_vath e;
	VABufferID small;

	kmscap_vath_open(&e, VAProfileHEVCMain, 64, 64, 0);
	f.width = f.height = 64;
	f.bps = 1;
	f.data = kmscap_vat_calloc(64 * 64 * 3 / 2, 1);
	kmscap_vath_upload(e.t.dpy, e.input, &f);
	/* samples, 4 bytes per 8x8 block, 1024 for headers, 64 per slice: the minimum */
	ck_assert_va_ok(vaCreateBuffer(e.t.dpy, e.context, VAEncCodedBufferType,
				       64 * 64 * 3 / 2 + 64 * 64 / 16 + 1024 + 64, 1, NULL,
				       &small));
	kmscap_vath_defaults(&e, true, 1);
	e.pic.coded_buf = small;
	ck_assert_va(kmscap_vath_submit(&e, true, NULL, 0), VA_STATUS_ERROR_NOT_ENOUGH_BUFFER);
	ck_assert_va_ok(vaMapBuffer(e.t.dpy, small, (void **)&seg));
	ck_assert_uint_ne(seg->status & VA_CODED_BUF_STATUS_SLICE_OVERFLOW_MASK, 0);
	ck_assert_uint_eq(seg->size, 0);
	ck_assert_va_ok(vaUnmapBuffer(e.t.dpy, small));
	/* one byte less is refused before encoding */
	ck_assert_va_ok(vaCreateBuffer(e.t.dpy, e.context, VAEncCodedBufferType,
				       64 * 64 * 3 / 2 + 64 * 64 / 16 + 1024 + 63, 1, NULL,
				       &small));
	e.pic.coded_buf = small;
	ck_assert_va(kmscap_vath_submit(&e, true, NULL, 0), VA_STATUS_ERROR_NOT_ENOUGH_BUFFER);
	free(f.data);
	kmscap_vath_close(&e);
}
END_TEST

/* A bit writer for the packed headers the tests build, as an application would. */
struct kmscap_vath_bw {
	uint8_t buf[512];
	unsigned int pos;
};

static void kmscap_vath_put(struct kmscap_vath_bw *w, unsigned int n, uint32_t v)
{
	while (n--) {
		ck_assert_uint_lt(w->pos / 8, sizeof(w->buf));
		if ((v >> n) & 1)
			w->buf[w->pos / 8] |= 0x80 >> (w->pos % 8);
		w->pos++;
	}
}

static void kmscap_vath_ue(struct kmscap_vath_bw *w, uint32_t v)
{
	unsigned int len = 0;

	while ((v + 1) >> (len + 1))
		len++;
	kmscap_vath_put(w, len, 0);
	kmscap_vath_put(w, len + 1, v + 1);
}

static void kmscap_vath_se(struct kmscap_vath_bw *w, int v)
{
	kmscap_vath_ue(w, v > 0 ? 2 * v - 1 : -2 * v);
}

/*
 * The slice segment header an application writes for the PPS the driver
 * generates (cabac_init_present_flag, deblocking override, slice chroma QP
 * offsets, loop filter across slices), with a one-picture RPS in P slices.
 */
static void kmscap_vath_slice_header(const struct kmscap_vath *e, unsigned int i,
				     struct kmscap_vath_bw *w)
{
	const VAEncSliceParameterBufferHEVC *sl = &e->slice[i];
	const VAEncPictureParameterBufferHEVC *p = &e->pic;
	unsigned int ctb = 1u << (e->seq.log2_min_luma_coding_block_size_minus3 + 3 +
				  e->seq.log2_diff_max_min_luma_coding_block_size);
	unsigned int ctbs = ((e->seq.pic_width_in_luma_samples + ctb - 1) / ctb) *
			    ((e->seq.pic_height_in_luma_samples + ctb - 1) / ctb), bits = 0;
	bool idr = p->pic_fields.bits.idr_pic_flag;

	memset(w, 0, sizeof(*w));
	kmscap_vath_put(w, 32, 1);			/* start code */
	kmscap_vath_put(w, 16, p->nal_unit_type << 9 | 1);
	kmscap_vath_put(w, 1, sl->slice_segment_address == 0);
	if (idr)
		kmscap_vath_put(w, 1, 0);		/* no_output_of_prior_pics_flag */
	kmscap_vath_ue(w, 0);
	while ((1u << bits) < ctbs)
		bits++;
	if (sl->slice_segment_address)
		kmscap_vath_put(w, bits, sl->slice_segment_address);
	kmscap_vath_ue(w, sl->slice_type);
	if (!idr) {
		kmscap_vath_put(w, 16, p->decoded_curr_pic.pic_order_cnt & 0xffff);
		kmscap_vath_put(w, 1, 0);		/* short_term_ref_pic_set_sps_flag */
		kmscap_vath_ue(w, 1);			/* num_negative_pics */
		kmscap_vath_ue(w, 0);
		kmscap_vath_ue(w, p->decoded_curr_pic.pic_order_cnt -
			       p->reference_frames[0].pic_order_cnt - 1);
		kmscap_vath_put(w, 1, 1);		/* used_by_curr_pic_s0_flag */
		kmscap_vath_put(w, 1, sl->slice_fields.bits.slice_temporal_mvp_enabled_flag);
	}
	if (sl->slice_type != 2) {			/* P, or B with list 1 = list 0 */
		kmscap_vath_put(w, 1, 0);		/* num_ref_idx_active_override_flag */
		if (sl->slice_type == 0)
			kmscap_vath_put(w, 1, sl->slice_fields.bits.mvd_l1_zero_flag);
		kmscap_vath_put(w, 1, sl->slice_fields.bits.cabac_init_flag);
		if (sl->slice_type == 0 && sl->slice_fields.bits.slice_temporal_mvp_enabled_flag)
			kmscap_vath_put(w, 1, sl->slice_fields.bits.collocated_from_l0_flag);
		/* one reference in each list: no collocated_ref_idx */
		kmscap_vath_ue(w, 5 - sl->max_num_merge_cand);
	}
	kmscap_vath_se(w, sl->slice_qp_delta);
	kmscap_vath_se(w, 0);
	kmscap_vath_se(w, 0);
	kmscap_vath_put(w, 1, 1);			/* deblocking_filter_override_flag */
	kmscap_vath_put(w, 1, 0);
	kmscap_vath_se(w, 0);
	kmscap_vath_se(w, 0);
	kmscap_vath_put(w, 1, 1);			/* slice_loop_filter_across_slices */
	kmscap_vath_put(w, 1, 1);			/* byte_alignment() */
	while (w->pos % 8)
		kmscap_vath_put(w, 1, 0);
}

static VABufferID kmscap_vath_packed(struct kmscap_vath *e, unsigned int type, const void *data,
				     unsigned int bits, bool escaped, VABufferID *data_id)
{
	VAEncPackedHeaderParameterBuffer par = {
		.type = type, .bit_length = bits, .has_emulation_bytes = escaped,
	};
	VABufferID id;

	ck_assert_va_ok(vaCreateBuffer(e->t.dpy, e->context, VAEncPackedHeaderParameterBufferType,
				       sizeof(par), 1, &par, &id));
	ck_assert_va_ok(vaCreateBuffer(e->t.dpy, e->context, VAEncPackedHeaderDataBufferType,
				       (bits + 7) / 8, 1, (void *)data, data_id));
	return id;
}

/* The VPS, SPS and PPS NAL units (with start codes) of a coded stream. */
static size_t kmscap_vath_param_sets(const uint8_t *s, size_t n, uint8_t *out, size_t cap)
{
	size_t i = 0, len = 0, start, end;

	while (i + 4 <= n) {
		if (s[i] || s[i + 1] || s[i + 2] || s[i + 3] != 1) {
			i++;
			continue;
		}
		start = i;
		end = i + 4;
		while (end + 4 <= n && (s[end] || s[end + 1] || s[end + 2] || s[end + 3] != 1))
			end++;
		if (end + 4 > n)
			end = n;
		if (((s[start + 4] >> 1) & 0x3f) >= 32 && ((s[start + 4] >> 1) & 0x3f) <= 34) {
			ck_assert_uint_le(len + end - start, cap);
			memcpy(out + len, s + start, end - start);
			len += end - start;
		}
		i = end;
	}
	return len;
}

/* Number of NAL units of the type in a stream written with 4-byte start codes. */
static unsigned int kmscap_vath_count_nals(const uint8_t *s, size_t n, unsigned int type)
{
	unsigned int count = 0;
	size_t i;

	for (i = 0; i + 4 < n; i++)
		if (!s[i] && !s[i + 1] && !s[i + 2] && s[i + 3] == 1 &&
		    ((s[i + 4] >> 1) & 0x3f) == type)
			count++;
	return count;
}

/*
 * The parameter sets a caller packs: those the driver writes for the
 * parameters of e (pcm_max_log2 may differ), taken from an encode of
 * one IDR.
 */
static size_t kmscap_vath_caller_param_sets(const struct kmscap_vath *like,
					    unsigned int pcm_max_log2, uint8_t *out, size_t cap)
{
	struct kmscap_vath g;
	size_t n;

	kmscap_vath_open(&g, like->profile, like->width, like->height, 0);
	g.pcm_max_log2 = pcm_max_log2;
	kmscap_vath_defaults(&g, true, 1);
	g.pic.pic_init_qp = like->pic.pic_init_qp ? like->pic.pic_init_qp : g.pic.pic_init_qp;
	ck_assert_va_ok(kmscap_vath_submit(&g, true, NULL, 0));
	n = kmscap_vath_param_sets(g.out, g.out_len, out, cap);
	ck_assert_uint_eq(kmscap_vath_count_nals(out, n, 33), 1);
	kmscap_vath_close(&g);
	return n;
}

/*
 * ffmpeg's hevc_vaapi style: VPS, SPS and PPS in one packed sequence header
 * on the IDR, a packed slice header per slice; the driver adds only the
 * slice data, and the result decodes to the input.
 */
static void kmscap_vath_packed_case_gpb(VAProfile profile, unsigned int w, unsigned int h,
					const char *name, bool gpb)
{
	struct kmscap_vath_frame frames[3];
	uint8_t sets[512];
	struct kmscap_vath e;
	size_t nsets;
	unsigned int i, k;

	if (gpb)
		kmscap_vath_gpb_env(true);
	kmscap_vath_open(&e, profile, w, h,
			 VA_ENC_PACKED_HEADER_SEQUENCE | VA_ENC_PACKED_HEADER_SLICE);
	kmscap_vath_gpb_env(false);
	nsets = kmscap_vath_caller_param_sets(&e, 0, sets, sizeof(sets));
	for (i = 0; i < 3; i++) {
		VABufferID extra[2 + 2 * KMSCAP_VATH_MAX_SLICES];
		struct kmscap_vath_bw hdr[KMSCAP_VATH_MAX_SLICES];
		unsigned int n = 0;

		kmscap_vath_frame_gen(&frames[i], w, h, e.main10, 10 + i);
		kmscap_vath_upload(e.t.dpy, e.input, &frames[i]);
		kmscap_vath_defaults(&e, i == 0, 2);
		if (gpb)
			kmscap_vath_to_gpb(&e, i);
		if (i == 0) {
			extra[n] = kmscap_vath_packed(&e, VAEncPackedHeaderSequence, sets, 8 * nsets,
						      true, &extra[n + 1]);
			n += 2;
		}
		for (k = 0; k < e.num_slices; k++) {
			kmscap_vath_slice_header(&e, k, &hdr[k]);
			extra[n] = kmscap_vath_packed(&e, VAEncPackedHeaderSlice, hdr[k].buf,
						      hdr[k].pos, false, &extra[n + 1]);
			n += 2;
		}
		ck_assert_va_ok(kmscap_vath_submit(&e, i == 0, extra, n));
	}
	/* the caller's parameter sets only: the driver wrote none of its own */
	ck_assert_uint_eq(kmscap_vath_count_nals(e.out, e.out_len, 32), 1);
	ck_assert_uint_eq(kmscap_vath_count_nals(e.out, e.out_len, 33), 1);
	ck_assert_uint_eq(kmscap_vath_count_nals(e.out, e.out_len, 34), 1);
	ck_assert_uint_eq(kmscap_vath_count_nals(e.out, e.out_len, 19), 2);
	ck_assert_uint_eq(kmscap_vath_count_nals(e.out, e.out_len, 1), 4);
	kmscap_vath_check(&e, name, frames, 3);
	kmscap_vath_check_types(name, gpb ? "IBB" : "IPP");
	for (i = 0; i < 3; i++)
		free(frames[i].data);
	kmscap_vath_close(&e);
}

static void kmscap_vath_packed_case(VAProfile profile, unsigned int w, unsigned int h,
				    const char *name)
{
	kmscap_vath_packed_case_gpb(profile, w, h, name, false);
}

START_TEST(test_hevc_packed_main)
{
	kmscap_vath_packed_case(VAProfileHEVCMain, 200, 120, "hevc_packed_main");
}
END_TEST

START_TEST(test_hevc_packed_main10)
{
	kmscap_vath_packed_case(VAProfileHEVCMain10, 136, 72, "hevc_packed_main10");
}
END_TEST

/*
 * What a packed header must agree on: the SPS with the parameters (here
 * its PCM sizes), all parameter sets together, slice headers with the
 * picture (NAL type), whole bytes, and declared in the config.
 */
START_TEST(test_hevc_packed_rejections)
{
	const unsigned int packed = VA_ENC_PACKED_HEADER_SEQUENCE | VA_ENC_PACKED_HEADER_SLICE;
	struct kmscap_vath_bw hdr;
	uint8_t sets[512], pps_only[1024];
	struct kmscap_vath e;
	VABufferID extra[6];
	size_t nsets, i;

	memset(&e, 0, sizeof(e));

	kmscap_vath_open(&e, VAProfileHEVCMain, 200, 120, packed);
	/* an SPS saying PCM up to 16x16 for parameters saying 32x32 */
	nsets = kmscap_vath_caller_param_sets(&e, 4, sets, sizeof(sets));
	kmscap_vath_defaults(&e, true, 1);
	kmscap_vath_slice_header(&e, 0, &hdr);
	extra[0] = kmscap_vath_packed(&e, VAEncPackedHeaderSequence, sets, 8 * nsets, true,
				      &extra[1]);
	extra[2] = kmscap_vath_packed(&e, VAEncPackedHeaderSlice, hdr.buf, hdr.pos, false,
				      &extra[3]);
	ck_assert_va(kmscap_vath_submit(&e, true, extra, 4), VA_STATUS_ERROR_INVALID_PARAMETER);

	/* the right parameter sets, but no packed slice header */
	nsets = kmscap_vath_caller_param_sets(&e, 0, sets, sizeof(sets));
	extra[0] = kmscap_vath_packed(&e, VAEncPackedHeaderSequence, sets, 8 * nsets, true,
				      &extra[1]);
	ck_assert_va(kmscap_vath_submit(&e, true, extra, 2), VA_STATUS_ERROR_INVALID_PARAMETER);

	/* a PPS without its VPS and SPS */
	for (i = 4; i + 4 < nsets; i++)
		if (!sets[i] && !sets[i + 1] && !sets[i + 2] && sets[i + 3] == 1 &&
		    ((sets[i + 4] >> 1) & 0x3f) == 34)
			break;
	ck_assert_uint_lt(i + 4, nsets);
	memcpy(pps_only, sets + i, nsets - i);
	extra[0] = kmscap_vath_packed(&e, VAEncPackedHeaderSequence, pps_only, 8 * (nsets - i),
				      true, &extra[1]);
	extra[2] = kmscap_vath_packed(&e, VAEncPackedHeaderSlice, hdr.buf, hdr.pos, false,
				      &extra[3]);
	ck_assert_va(kmscap_vath_submit(&e, true, extra, 4), VA_STATUS_ERROR_INVALID_PARAMETER);

	/* a slice header of a non-IDR NAL type in an IDR picture */
	hdr.buf[4] = 1 << 1;
	extra[0] = kmscap_vath_packed(&e, VAEncPackedHeaderSequence, sets, 8 * nsets, true,
				      &extra[1]);
	extra[2] = kmscap_vath_packed(&e, VAEncPackedHeaderSlice, hdr.buf, hdr.pos, false,
				      &extra[3]);
	ck_assert_va(kmscap_vath_submit(&e, true, extra, 4), VA_STATUS_ERROR_INVALID_PARAMETER);

	/* a slice header that does not end at a byte boundary (rejected at vaRenderPicture) */
	kmscap_vath_slice_header(&e, 0, &hdr);
	extra[0] = kmscap_vath_packed(&e, VAEncPackedHeaderSlice, hdr.buf, hdr.pos - 3, false,
				      &extra[1]);
	ck_assert_va(kmscap_vath_submit(&e, true, extra, 2), VA_STATUS_ERROR_INVALID_PARAMETER);

	/* a slice header without its start code */
	extra[0] = kmscap_vath_packed(&e, VAEncPackedHeaderSequence, sets, 8 * nsets, true,
				      &extra[1]);
	extra[2] = kmscap_vath_packed(&e, VAEncPackedHeaderSlice, hdr.buf + 4, hdr.pos - 32,
				      false, &extra[3]);
	ck_assert_va(kmscap_vath_submit(&e, true, extra, 4), VA_STATUS_ERROR_INVALID_PARAMETER);

	/* a slice NAL unit in the sequence header buffer */
	memcpy(pps_only, sets, nsets);
	memcpy(pps_only + nsets, hdr.buf, hdr.pos / 8);
	extra[0] = kmscap_vath_packed(&e, VAEncPackedHeaderSequence, pps_only,
				      8 * nsets + hdr.pos, true, &extra[1]);
	extra[2] = kmscap_vath_packed(&e, VAEncPackedHeaderSlice, hdr.buf, hdr.pos, false,
				      &extra[3]);
	ck_assert_va(kmscap_vath_submit(&e, true, extra, 4), VA_STATUS_ERROR_INVALID_PARAMETER);

	/* packed header data without its parameter buffer, a parameter without its data */
	extra[0] = kmscap_vath_packed(&e, VAEncPackedHeaderSlice, hdr.buf, hdr.pos, false,
				      &extra[1]);
	ck_assert_va(kmscap_vath_submit(&e, true, &extra[1], 1),
		     VA_STATUS_ERROR_INVALID_PARAMETER);
	ck_assert_va(kmscap_vath_submit(&e, true, &extra[0], 1),
		     VA_STATUS_ERROR_INVALID_PARAMETER);

	/* two slices, the second one's header claiming to be the first of the picture */
	kmscap_vath_defaults(&e, true, 2);
	extra[0] = kmscap_vath_packed(&e, VAEncPackedHeaderSequence, sets, 8 * nsets, true,
				      &extra[1]);
	kmscap_vath_slice_header(&e, 0, &hdr);
	extra[2] = kmscap_vath_packed(&e, VAEncPackedHeaderSlice, hdr.buf, hdr.pos, false,
				      &extra[3]);
	extra[4] = kmscap_vath_packed(&e, VAEncPackedHeaderSlice, hdr.buf, hdr.pos, false,
				      &extra[5]);
	ck_assert_va(kmscap_vath_submit(&e, true, extra, 6), VA_STATUS_ERROR_INVALID_PARAMETER);
	kmscap_vath_defaults(&e, true, 1);

	/* all correct: accepted */
	extra[0] = kmscap_vath_packed(&e, VAEncPackedHeaderSequence, sets, 8 * nsets, true,
				      &extra[1]);
	extra[2] = kmscap_vath_packed(&e, VAEncPackedHeaderSlice, hdr.buf, hdr.pos, false,
				      &extra[3]);
	ck_assert_va_ok(kmscap_vath_submit(&e, true, extra, 4));
	kmscap_vath_close(&e);

	/* a PPS whose init_qp is not pic_init_qp (the CABAC contexts depend on it) */
	kmscap_vath_open(&e, VAProfileHEVCMain, 200, 120, packed);
	kmscap_vath_defaults(&e, true, 1);
	e.pic.pic_init_qp = 20;
	nsets = kmscap_vath_caller_param_sets(&e, 0, sets, sizeof(sets));
	e.pic.pic_init_qp = 30;
	kmscap_vath_slice_header(&e, 0, &hdr);
	extra[0] = kmscap_vath_packed(&e, VAEncPackedHeaderSequence, sets, 8 * nsets, true,
				      &extra[1]);
	extra[2] = kmscap_vath_packed(&e, VAEncPackedHeaderSlice, hdr.buf, hdr.pos, false,
				      &extra[3]);
	ck_assert_va(kmscap_vath_submit(&e, true, extra, 4), VA_STATUS_ERROR_INVALID_PARAMETER);
	kmscap_vath_close(&e);

	/* a packed header type the config did not declare */
	kmscap_vath_open(&e, VAProfileHEVCMain, 200, 120, VA_ENC_PACKED_HEADER_SEQUENCE);
	kmscap_vath_defaults(&e, true, 1);
	kmscap_vath_slice_header(&e, 0, &hdr);
	extra[0] = kmscap_vath_packed(&e, VAEncPackedHeaderSlice, hdr.buf, hdr.pos, false,
				      &extra[1]);
	ck_assert_va(kmscap_vath_submit(&e, true, extra, 2), VA_STATUS_ERROR_INVALID_PARAMETER);
	kmscap_vath_close(&e);
}
END_TEST

/*
 * The attributes say what the stream contains: every offered profile has
 * both entrypoints, PCM is required, and the sizes in the coded SPS lie
 * within VAConfigAttribEncHEVCBlockSizes; every CU being PCM, the coded
 * picture is at least as large as its samples.
 */
START_TEST(test_hevc_attributes)
{
	VAConfigAttrib a[] = {
		{ VAConfigAttribRTFormat }, { VAConfigAttribRateControl },
		{ VAConfigAttribEncPackedHeaders }, { VAConfigAttribEncMaxRefFrames },
		{ VAConfigAttribEncHEVCFeatures }, { VAConfigAttribEncHEVCBlockSizes },
		{ VAConfigAttribEncMaxSlices }, { VAConfigAttribEncQualityRange },
	};
	VAProfile prof[] = { VAProfileHEVCMain, VAProfileHEVCMain10 };
	VAConfigAttribValEncHEVCFeatures f;
	VAConfigAttribValEncHEVCBlockSizes b;
	char cmd[1024], *out = NULL;
	struct kmscap_vath e;
	unsigned int i, v;
	VAEntrypoint ep[8];
	int n;

	kmscap_vat_open(&e.t);
	for (i = 0; i < 2; i++) {
		ck_assert_va_ok(vaQueryConfigEntrypoints(e.t.dpy, prof[i], ep, &n));
		ck_assert_int_eq(n, 2);
		ck_assert_va_ok(vaGetConfigAttributes(e.t.dpy, prof[i], VAEntrypointEncSliceLP, a,
						      sizeof(a) / sizeof(a[0])));
		ck_assert_uint_eq(a[0].value, i ? VA_RT_FORMAT_YUV420_10 : VA_RT_FORMAT_YUV420);
		ck_assert_uint_eq(a[1].value, VA_RC_CQP | VA_RC_CBR | VA_RC_VBR);
		ck_assert(a[2].value & VA_ENC_PACKED_HEADER_SEQUENCE);
		ck_assert(a[2].value & VA_ENC_PACKED_HEADER_SLICE);
		ck_assert_uint_eq(a[3].value >> 16, 0);	/* no list 1: no B slices */
		ck_assert_uint_ge(a[3].value & 0xffff, 1);
		f.value = a[4].value;
		b.value = a[5].value;
		ck_assert_uint_eq(f.bits.pcm, VA_FEATURE_REQUIRED);
		ck_assert_uint_eq(f.bits.sao, VA_FEATURE_NOT_SUPPORTED);
		ck_assert_uint_eq(f.bits.scaling_lists, VA_FEATURE_NOT_SUPPORTED);
		ck_assert_uint_eq(f.bits.transquant_bypass, VA_FEATURE_NOT_SUPPORTED);
		ck_assert_uint_le(b.bits.log2_min_coding_tree_block_size_minus3,
				  b.bits.log2_max_coding_tree_block_size_minus3);
		ck_assert_uint_le(b.bits.log2_min_pcm_coding_block_size_minus3,
				  b.bits.log2_max_pcm_coding_block_size_minus3);
		ck_assert_uint_ge(b.bits.log2_min_pcm_coding_block_size_minus3,
				  b.bits.log2_min_luma_coding_block_size_minus3);
		ck_assert_uint_gt(a[6].value, 0);
		ck_assert_uint_eq(a[7].value, VA_ATTRIB_NOT_SUPPORTED);
	}
	kmscap_vat_close(&e.t);

	kmscap_vath_roundtrip(VAProfileHEVCMain, 200, 120, 1, 1, "hevc_attributes", NULL);
	kmscap_vath_open(&e, VAProfileHEVCMain, 200, 120, 0);
	snprintf(cmd, sizeof(cmd),
		 "ffmpeg -nostdin -hide_banner -f hevc -i '%s/hevc_attributes.hevc' -c copy -bsf:v trace_headers -f null - 2>&1",
		 kmscap_vat_workdir());
	ck_assert_int_eq(kmscap_vat_run(cmd, &out), 0);
#define KMSCAP_VATH_FIELD(name)								\
	({										\
		const char *_p = strstr(out, " " name " ");				\
		ck_assert_msg(_p, "no %s in the SPS:\n%s", name, out);			\
		_p = strstr(_p, " = ");							\
		ck_assert_ptr_nonnull(_p);						\
		(unsigned int)atoi(_p + 3);						\
	})
	ck_assert_uint_eq(KMSCAP_VATH_FIELD("pcm_enabled_flag"), 1);
	v = KMSCAP_VATH_FIELD("log2_min_luma_coding_block_size_minus3");
	ck_assert_uint_ge(v, e.sizes.bits.log2_min_luma_coding_block_size_minus3);
	v += KMSCAP_VATH_FIELD("log2_diff_max_min_luma_coding_block_size");
	ck_assert_uint_ge(v, e.sizes.bits.log2_min_coding_tree_block_size_minus3);
	ck_assert_uint_le(v, e.sizes.bits.log2_max_coding_tree_block_size_minus3);
	v = KMSCAP_VATH_FIELD("log2_min_pcm_luma_coding_block_size_minus3");
	ck_assert_uint_ge(v, e.sizes.bits.log2_min_pcm_coding_block_size_minus3);
	v += KMSCAP_VATH_FIELD("log2_diff_max_min_pcm_luma_coding_block_size");
	ck_assert_uint_le(v, e.sizes.bits.log2_max_pcm_coding_block_size_minus3);
	ck_assert_uint_eq(KMSCAP_VATH_FIELD("sample_adaptive_offset_enabled_flag"), 0);
	ck_assert_uint_eq(KMSCAP_VATH_FIELD("scaling_list_enabled_flag"), 0);
	ck_assert_uint_eq(KMSCAP_VATH_FIELD("pcm_sample_bit_depth_luma_minus1"), 7);
#undef KMSCAP_VATH_FIELD
	free(out);
	kmscap_vath_defaults(&e, true, 1);
	ck_assert_va_ok(kmscap_vath_submit(&e, true, NULL, 0));
	ck_assert_uint_ge(e.out_len, 200 * 120 * 3 / 2);
	kmscap_vath_close(&e);
}
END_TEST

/*
 * CBR as with H.264: rate control, HRD and frame rate parameters are
 * validated and recorded, the output stays lossless; in CQP they are refused.
 */
START_TEST(test_hevc_rate_control)
{
	struct {
		VAEncMiscParameterBuffer h;
		VAEncMiscParameterRateControl rc;
	} rc = { { VAEncMiscParameterTypeRateControl }, { .bits_per_second = 4000000,
							   .target_percentage = 100 } };
	struct {
		VAEncMiscParameterBuffer h;
		VAEncMiscParameterHRD hrd;
	} hrd = { { VAEncMiscParameterTypeHRD }, { 2000000, 4000000 } };
	struct {
		VAEncMiscParameterBuffer h;
		VAEncMiscParameterFrameRate fr;
	} fr = { { VAEncMiscParameterTypeFrameRate }, { 25 } };
	struct kmscap_vath_frame frames[2];
	struct kmscap_vath e;
	VABufferID misc[3];
	unsigned int i;

	kmscap_vath_open_rc(&e, VAProfileHEVCMain, 200, 120, 0, VA_RC_CBR);
	kmscap_vath_defaults(&e, true, 1);
	ck_assert_va(kmscap_vath_submit(&e, true, NULL, 0), VA_STATUS_ERROR_INVALID_PARAMETER);
	for (i = 0; i < 2; i++) {
		kmscap_vath_frame_gen(&frames[i], 200, 120, false, 20 + i);
		kmscap_vath_upload(e.t.dpy, e.input, &frames[i]);
		kmscap_vath_defaults(&e, i == 0, 1);
		ck_assert_va_ok(vaCreateBuffer(e.t.dpy, e.context, VAEncMiscParameterBufferType,
					       sizeof(rc), 1, &rc, &misc[0]));
		ck_assert_va_ok(vaCreateBuffer(e.t.dpy, e.context, VAEncMiscParameterBufferType,
					       sizeof(hrd), 1, &hrd, &misc[1]));
		ck_assert_va_ok(vaCreateBuffer(e.t.dpy, e.context, VAEncMiscParameterBufferType,
					       sizeof(fr), 1, &fr, &misc[2]));
		ck_assert_va_ok(kmscap_vath_submit(&e, i == 0, misc, i == 0 ? 3 : 0));
	}
	kmscap_vath_check(&e, "hevc_cbr", frames, 2);
	for (i = 0; i < 2; i++)
		free(frames[i].data);
	kmscap_vath_close(&e);

	kmscap_vath_open(&e, VAProfileHEVCMain, 200, 120, 0);
	kmscap_vath_defaults(&e, true, 1);
	ck_assert_va_ok(vaCreateBuffer(e.t.dpy, e.context, VAEncMiscParameterBufferType,
				       sizeof(rc), 1, &rc, &misc[0]));
	ck_assert_va(kmscap_vath_submit(&e, true, misc, 1), VA_STATUS_ERROR_INVALID_PARAMETER);
	kmscap_vath_close(&e);
}
END_TEST

/*
 * KMSCAP_VA_HEVC_GPB: an IDR and n - 1 generalised P/B pictures (B slices,
 * list 1 = list 0) with the headers the driver writes.  With two_refs,
 * pictures from the third on use the two previous pictures, in both lists
 * (num_ref_idx_active_override_flag, one and two references).
 */
static void kmscap_vath_gpb_roundtrip(VAProfile profile, unsigned int w, unsigned int h,
				      unsigned int n, unsigned int slices, const char *name,
				      bool two_refs, kmscap_vath_tweak tweak)
{
	struct kmscap_vath_frame *frames = kmscap_vat_calloc(n, sizeof(*frames));
	VAPictureHEVC older = { .picture_id = VA_INVALID_SURFACE };
	char types[32];
	struct kmscap_vath e;
	unsigned int i, k;

	ck_assert_uint_lt(n, sizeof(types));
	kmscap_vath_gpb_env(true);
	kmscap_vath_open(&e, profile, w, h, 0);
	kmscap_vath_gpb_env(false);
	for (i = 0; i < n; i++) {
		VAPictureHEVC prev = e.pic.decoded_curr_pic;

		kmscap_vath_frame_gen(&frames[i], w, h, e.main10, 40 + i);
		kmscap_vath_upload(e.t.dpy, e.input, &frames[i]);
		if (tweak)
			tweak(&e);	/* sizes */
		kmscap_vath_defaults(&e, i == 0, slices);
		if (tweak)
			tweak(&e);	/* parameters */
		kmscap_vath_to_gpb(&e, i);
		if (two_refs && i >= 2) {
			e.pic.reference_frames[1] = older;
			for (k = 0; k < e.num_slices; k++) {
				VAEncSliceParameterBufferHEVC *sl = &e.slice[k];

				sl->slice_fields.bits.num_ref_idx_active_override_flag = 1;
				sl->num_ref_idx_l0_active_minus1 = k % 2;
				sl->num_ref_idx_l1_active_minus1 = k % 2;
				sl->ref_pic_list0[1] = sl->ref_pic_list1[1] = older;
			}
		}
		ck_assert_va_ok(kmscap_vath_submit(&e, i == 0, NULL, 0));
		older = prev;
		older.flags = 0;
		types[i] = i ? 'B' : 'I';
	}
	types[n] = '\0';
	/* a B slice header per slice of every picture after the IDR */
	ck_assert_uint_eq(kmscap_vath_count_nals(e.out, e.out_len, 1), (n - 1) * slices);
	kmscap_vath_check(&e, name, frames, n);
	kmscap_vath_check_types(name, types);
	for (i = 0; i < n; i++)
		free(frames[i].data);
	free(frames);
	kmscap_vath_close(&e);
}

START_TEST(test_hevc_gpb_200x120)
{
	kmscap_vath_gpb_roundtrip(VAProfileHEVCMain, 200, 120, 6, 2, "hevc_gpb_200x120", false,
				  NULL);
}
END_TEST

START_TEST(test_hevc_gpb_main10_two_refs)
{
	/* CTB 16, 8x8 PCM CUs and QP 40: enough bins to tell the CABAC initTypes apart */
	kmscap_vath_gpb_roundtrip(VAProfileHEVCMain10, 104, 72, 5, 2, "hevc_gpb_main10_2refs",
				  true, kmscap_vath_ctb16_pcm8);
}
END_TEST

START_TEST(test_hevc_gpb_1920x1080)
{
	kmscap_vath_gpb_roundtrip(VAProfileHEVCMain, 1920, 1080, 4, 3, "hevc_gpb_1080p", false,
				  NULL);
}
END_TEST

START_TEST(test_hevc_gpb_packed)
{
	kmscap_vath_packed_case_gpb(VAProfileHEVCMain, 200, 120, "hevc_gpb_packed", true);
}
END_TEST

/*
 * The attributes with and without KMSCAP_VA_HEVC_GPB: without it, no
 * PredictionDirection and no list 1; with it, PREVIOUS | BI_NOT_EMPTY and
 * list 1 as large as list 0, for both entrypoints and profiles.  A config
 * may name the directions offered, nothing else.
 */
START_TEST(test_hevc_gpb_attributes)
{
	VAProfile prof[] = { VAProfileHEVCMain, VAProfileHEVCMain10 };
	VAEntrypoint eps[] = { VAEntrypointEncSlice, VAEntrypointEncSliceLP };
	unsigned int gpb, i, j;

	for (gpb = 0; gpb < 2; gpb++) {
		struct kmscap_vat t;

		kmscap_vath_gpb_env(gpb);
		kmscap_vat_open(&t);
		for (i = 0; i < 2; i++)
			for (j = 0; j < 2; j++) {
				VAConfigAttrib a[2] = {
					{ VAConfigAttribPredictionDirection },
					{ VAConfigAttribEncMaxRefFrames },
				};
				VAConfigAttrib c[2] = {
					{ VAConfigAttribRTFormat,
					  i ? VA_RT_FORMAT_YUV420_10 : VA_RT_FORMAT_YUV420 },
					{ VAConfigAttribPredictionDirection,
					  VA_PREDICTION_DIRECTION_PREVIOUS |
					  VA_PREDICTION_DIRECTION_BI_NOT_EMPTY },
				};
				VAConfigID cfg;

				ck_assert_va_ok(vaGetConfigAttributes(t.dpy, prof[i], eps[j], a,
								      2));
				if (!gpb) {
					ck_assert_uint_eq(a[0].value, VA_ATTRIB_NOT_SUPPORTED);
					ck_assert_uint_eq(a[1].value >> 16, 0);
					ck_assert_va(vaCreateConfig(t.dpy, prof[i], eps[j], c, 2,
								    &cfg),
						     VA_STATUS_ERROR_INVALID_VALUE);
					continue;
				}
				ck_assert_uint_eq(a[0].value, VA_PREDICTION_DIRECTION_PREVIOUS |
						  VA_PREDICTION_DIRECTION_BI_NOT_EMPTY);
				ck_assert_uint_ge(a[1].value & 0xffff, 1);
				ck_assert_uint_eq(a[1].value >> 16, a[1].value & 0xffff);
				ck_assert_va_ok(vaCreateConfig(t.dpy, prof[i], eps[j], c, 2, &cfg));
				ck_assert_va_ok(vaDestroyConfig(t.dpy, cfg));
				c[1].value = VA_PREDICTION_DIRECTION_FUTURE;
				ck_assert_va(vaCreateConfig(t.dpy, prof[i], eps[j], c, 2, &cfg),
					     VA_STATUS_ERROR_INVALID_VALUE);
			}
		kmscap_vath_gpb_env(false);
		/* read once per display: clearing the variable changes nothing */
		{
			VAConfigAttrib a = { VAConfigAttribPredictionDirection };

			ck_assert_va_ok(vaGetConfigAttributes(t.dpy, VAProfileHEVCMain,
							      VAEntrypointEncSliceLP, &a, 1));
			ck_assert_uint_eq(a.value != VA_ATTRIB_NOT_SUPPORTED, gpb);
		}
		kmscap_vat_close(&t);
	}
	/* H.264 is not affected */
	{
		struct kmscap_vat t;
		VAConfigAttrib a = { VAConfigAttribPredictionDirection };

		kmscap_vath_gpb_env(true);
		kmscap_vat_open(&t);
		kmscap_vath_gpb_env(false);
		ck_assert_va_ok(vaGetConfigAttributes(t.dpy, VAProfileH264High,
						      VAEntrypointEncSlice, &a, 1));
		ck_assert_uint_eq(a.value, VA_ATTRIB_NOT_SUPPORTED);
		kmscap_vat_close(&t);
	}
}
END_TEST

Suite *kmscap_vat_suite_hevc(void)
{
	Suite *s = suite_create("hevc");

	KMSCAP_VAT_ADD(s, test_hevc_main_200x120, 60);
	KMSCAP_VAT_ADD(s, test_hevc_main10_200x120, 60);
	KMSCAP_VAT_ADD(s, test_hevc_main_cropped, 60);
	KMSCAP_VAT_ADD(s, test_hevc_main_1920x1080_slices, 120);
	KMSCAP_VAT_ADD(s, test_hevc_main10_1920x1080, 120);
	KMSCAP_VAT_ADD(s, test_hevc_main_ctb64, 60);
	KMSCAP_VAT_ADD(s, test_hevc_main10_ctb16_pcm8, 60);
	KMSCAP_VAT_ADD(s, test_hevc_picture_types, 60);
	KMSCAP_VAT_ADD(s, test_hevc_overflow, 60);
	KMSCAP_VAT_ADD(s, test_hevc_packed_main, 60);
	KMSCAP_VAT_ADD(s, test_hevc_packed_main10, 60);
	KMSCAP_VAT_ADD(s, test_hevc_packed_rejections, 60);
	KMSCAP_VAT_ADD(s, test_hevc_attributes, 60);
	KMSCAP_VAT_ADD(s, test_hevc_rate_control, 60);
	KMSCAP_VAT_ADD(s, test_hevc_gpb_attributes, 60);
	KMSCAP_VAT_ADD(s, test_hevc_gpb_200x120, 60);
	KMSCAP_VAT_ADD(s, test_hevc_gpb_main10_two_refs, 60);
	KMSCAP_VAT_ADD(s, test_hevc_gpb_1920x1080, 120);
	KMSCAP_VAT_ADD(s, test_hevc_gpb_packed, 60);
	return s;
}

