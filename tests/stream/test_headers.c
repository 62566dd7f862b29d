// SPDX-License-Identifier: MIT
/*
 * The header writers: emulation prevention byte for byte; HEVC VPS, SPS,
 * PPS and slice segment headers and AV1 sequence and frame header OBUs
 * parsed back by Debian's ffmpeg (the trace_headers bitstream filter,
 * libavcodec's own parsers), field by field; the AV1 offsets that
 * va_enc_av1.h asks for read back from the written bits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "av1_obu.h"
#include "h264_headers.h"
#include "hevc_headers.h"
#include "levels.h"
#include "ks_test.h"
#include "vapipe_fixture.h"

START_TEST(bits_escape)
{
	static const uint8_t in[] = { 0, 0, 0, 1, 0x40, 0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3,
				      0, 0, 4, 0, 0 };
	static const uint8_t want[] = { 0, 0, 0, 1, 0x40, 0, 0, 3, 0, 0, 3, 0, 1, 0, 0, 3, 2,
					0, 0, 3, 3, 0, 0, 4, 0, 0 };
	struct ks_bits b;
	size_t i;

	ks_bits_init(&b);
	for (i = 0; i < sizeof(in); i++)
		ks_bits_put(&b, 8, in[i]);
	/* the start code itself is left alone */
	ck_assert_int_eq(ks_bits_escape(&b, 4), 4);
	ck_assert_uint_eq(b.bits, sizeof(want) * 8);
	ck_assert_mem_eq(b.buf, want, sizeof(want));
	/* not byte aligned: refused */
	ks_bits_init(&b);
	ks_bits_put(&b, 3, 1);
	ck_assert_int_lt(ks_bits_escape(&b, 0), 0);
}
END_TEST

static void put_bits(FILE *fp, const struct ks_bits *b)
{
	ck_assert(!b->overflow);
	ck_assert_uint_eq(fwrite(b->buf, 1, (b->bits + 7) / 8, fp), (b->bits + 7) / 8);
}

static void hevc_params(struct ks_hevc_params *p)
{
	memset(p, 0, sizeof(*p));
	p->main10 = true;
	p->level_idc = 63;
	p->width = 200;
	p->height = 118;
	p->min_cb = 3;
	p->ctb = 5;
	p->min_tb = 2;
	p->max_tb = 5;
	p->depth_inter = 1;
	p->depth_intra = 2;
	p->pcm = true;
	p->min_pcm = 3;
	p->max_pcm = 5;
	p->pcm_loop_filter_disabled = true;
	p->sao = true;
	p->cu_qp_delta = true;
	p->log2_max_poc_lsb = 8;
	p->scaling_lists = true;
	p->dependent_slices = true;
	p->num_units_in_tick = 1001;
	p->time_scale = 60000;
	p->qp = 30;
}

/*
 * H.264 parameter sets whose raw bits hold 00 00 00 01 (num_units_in_tick
 * 1 at 60 Hz): written escaped, a parser reads every field, the timing and
 * the low-latency fields among them.
 */
START_TEST(h264_headers_parsed)
{
	struct ks_h264_params hp = {
		.profile = KS_H264_HIGH, .level_idc = 40, .width = 160, .height = 128,
		.log2_max_frame_num = 8, .num_units_in_tick = 1, .time_scale = 120, .qp = 26,
		.transform_8x8 = true,
	};
	static const uint8_t data[8] = { 0x88, 0x84, 0x21, 0xa0, 0x11, 0x22, 0x33, 0x80 };
	struct ks_bits b;
	char path[600];
	size_t i, len;
	FILE *fp;
	char *log;

	need_ffmpeg();
	snprintf(path, sizeof(path), "%s/h264-headers.h264", ks_test_workdir());
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(ks_h264_sps(&b, &hp), 0);
	/* after the start code, no 00 00 00, 00 00 01 or 00 00 02 */
	len = (b.bits + 7) / 8;
	for (i = 4; i + 2 < len; i++)
		ck_assert_msg(b.buf[i] || b.buf[i + 1] || b.buf[i + 2] > 2,
			      "SPS byte %zu: 00 00 %02x is not escaped", i, b.buf[i + 2]);
	put_bits(fp, &b);
	ck_assert_int_eq(ks_h264_pps(&b, &hp), 0);
	put_bits(fp, &b);
	/* an IDR slice (CAVLC: its data starts within the header's last byte) */
	ck_assert_int_eq(ks_h264_slice_header(&b, &hp, true, 0, 0), 0);
	put_bits(fp, &b);
	fwrite(data, 1, sizeof(data), fp);
	ck_assert_int_eq(fclose(fp), 0);

	log = trace(path, "h264");
	ck_assert_int_eq(field(log, "profile_idc", 1), 100);
	ck_assert_int_eq(field(log, "pic_width_in_mbs_minus1", 1), 9);
	ck_assert_int_eq(field(log, "pic_height_in_map_units_minus1", 1), 7);
	ck_assert_int_eq(field(log, "num_units_in_tick", 1), 1);
	ck_assert_int_eq(field(log, "time_scale", 1), 120);
	ck_assert_int_eq(field(log, "matrix_coefficients", 1), 1);
	ck_assert_int_eq(field(log, "video_full_range_flag", 1), 0);
	ck_assert_int_eq(field(log, "max_num_reorder_frames", 1), 0);
	ck_assert_int_eq(field(log, "max_dec_frame_buffering", 1), 1);
	ck_assert_int_eq(field(log, "transform_8x8_mode_flag", 1), 1);
	free(log);
}
END_TEST

/*
 * Levels from size, rate and bit rate, at the limits of the standards'
 * tables: the frame or sample rate, the frame size, the size of a side,
 * the bit rate (H.264 High's allowance is 1.25 times Main's).
 */
START_TEST(levels_from_size_and_rate)
{
	/* H.264: 1080p is 120 x 68 = 8160 macroblocks */
	ck_assert_uint_eq(ks_h264_level(10, 8, 60000, 0, true), 12);	/* 160x128: 4800 MB/s */
	ck_assert_uint_eq(ks_h264_level(120, 68, 30000, 0, true), 40);
	ck_assert_uint_eq(ks_h264_level(120, 68, 60000, 0, true), 42);
	ck_assert_uint_eq(ks_h264_level(120, 68, 64000, 0, true), 42);	/* 522240: the limit */
	ck_assert_uint_eq(ks_h264_level(120, 68, 64001, 0, true), 50);
	ck_assert_uint_eq(ks_h264_level(120, 68, 120000, 0, true), 51);
	ck_assert_uint_eq(ks_h264_level(120, 68, 144000, 0, true), 52);
	ck_assert_uint_eq(ks_h264_level(160, 90, 143912, 0, true), 52);	/* 1440p */
	ck_assert_uint_eq(ks_h264_level(240, 135, 120000, 0, true), 60);	/* 2160p */
	ck_assert_uint_eq(ks_h264_level(240, 135, 30000, 0, true), 51);
	/* a side longer than sqrt(8 MaxFS) needs a higher level: 1620 -> 113 MBs */
	ck_assert_uint_eq(ks_h264_level(120, 4, 30000, 0, false), 31);
	ck_assert_uint_eq(ks_h264_level(114, 4, 30000, 0, false), 31);
	ck_assert_uint_eq(ks_h264_level(113, 4, 30000, 0, false), 22);
	/* bit rate: levels 4.1 and 4.2 allow 50 Mbit/s (62.5 in High), 5.0 135 */
	ck_assert_uint_eq(ks_h264_level(120, 68, 30000, 20000001, false), 41);
	ck_assert_uint_eq(ks_h264_level(120, 68, 30000, 50000000, false), 41);
	ck_assert_uint_eq(ks_h264_level(120, 68, 30000, 50000001, false), 50);
	ck_assert_uint_eq(ks_h264_level(120, 68, 30000, 62500000, true), 41);
	ck_assert_uint_eq(ks_h264_level(120, 68, 30000, 62500001, true), 50);

	/* HEVC: MaxLumaSr 133693440 at level 4.1 */
	ck_assert_uint_eq(ks_hevc_level(1920, 1080, 60000, 0), 123);
	ck_assert_uint_eq(ks_hevc_level(1920, 1080, 120000, 0), 150);
	ck_assert_uint_eq(ks_hevc_level(1920, 1080, 144000, 0), 153);
	ck_assert_uint_eq(ks_hevc_level(2560, 1440, 143912, 0), 153);
	ck_assert_uint_eq(ks_hevc_level(3840, 2160, 120000, 0), 156);
	ck_assert_uint_eq(ks_hevc_level(3840, 2160, 144000, 0), 183);
	ck_assert_uint_eq(ks_hevc_level(160, 128, 25000, 0), 30);	/* 512000 samples/s */
	ck_assert_uint_eq(ks_hevc_level(160, 128, 60000, 0), 60);
	ck_assert_uint_eq(ks_hevc_level(1920, 1080, 30000, 20000000), 123);
	ck_assert_uint_eq(ks_hevc_level(1920, 1080, 30000, 20000001), 150);

	/* AV1: MaxDisplayRate 70778880 at 4.0, 141557760 at 4.1 */
	ck_assert_uint_eq(ks_av1_level(1920, 1080, 30000, 0), 8);
	ck_assert_uint_eq(ks_av1_level(1920, 1080, 60000, 0), 9);
	ck_assert_uint_eq(ks_av1_level(1920, 1080, 120000, 0), 12);
	ck_assert_uint_eq(ks_av1_level(2560, 1440, 143912, 0), 13);
	ck_assert_uint_eq(ks_av1_level(3840, 2160, 120000, 0), 14);
	ck_assert_uint_eq(ks_av1_level(1920, 1080, 30000, 12000001), 9);
}
END_TEST

START_TEST(hevc_headers_parsed)
{
	static const uint8_t data[16] = { 0xa5, 0x5a, 0x80, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
					  0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0x80 };
	struct ks_hevc_params hp;
	struct ks_bits b;
	struct ks_buf aud = { 0 };
	char path[600];
	unsigned int poc;
	FILE *fp;
	char *log;

	need_ffmpeg();
	hevc_params(&hp);
	snprintf(path, sizeof(path), "%s/hevc-headers.hevc", ks_test_workdir());
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	for (poc = 0; poc < 3; poc++) {
		ck_assert_int_eq(ks_annexb_aud_hevc(&aud), 0);
		fwrite(aud.data, 1, aud.len, fp);
		ks_buf_reset(&aud);
		if (poc == 0) {
			ck_assert_int_eq(ks_hevc_vps(&b, &hp), 0);
			put_bits(fp, &b);
			ck_assert_int_eq(ks_hevc_sps(&b, &hp), 0);
			put_bits(fp, &b);
			ck_assert_int_eq(ks_hevc_pps(&b, &hp), 0);
			put_bits(fp, &b);
		}
		/* the packed slice header is byte aligned; the slice data follows */
		/* the third picture as a generalised P/B slice */
		hp.gpb = poc == 2;
		ck_assert_int_eq(ks_hevc_slice_header(&b, &hp, poc == 0, poc + 254), 0);
		hp.gpb = false;
		ck_assert_uint_eq(b.bits % 8, 0);
		put_bits(fp, &b);
		fwrite(data, 1, sizeof(data), fp);
	}
	ks_buf_free(&aud);
	ck_assert_int_eq(fclose(fp), 0);

	log = trace(path, "hevc");
	/* VPS / SPS: profile, level, timing */
	ck_assert_int_eq(field(log, "general_profile_idc", 1), 2);
	ck_assert_int_eq(field(log, "general_level_idc", 1), 63);
	ck_assert_int_eq(field(log, "vps_num_units_in_tick", 1), 1001);
	ck_assert_int_eq(field(log, "vps_time_scale", 1), 60000);
	/* SPS: size in CBs of 8, conformance window in chroma samples */
	ck_assert_int_eq(field(log, "pic_width_in_luma_samples", 1), 200);
	ck_assert_int_eq(field(log, "pic_height_in_luma_samples", 1), 120);
	ck_assert_int_eq(field(log, "conformance_window_flag", 1), 1);
	ck_assert_int_eq(field(log, "conf_win_right_offset", 1), 0);
	ck_assert_int_eq(field(log, "conf_win_bottom_offset", 1), 1);
	ck_assert_int_eq(field(log, "bit_depth_luma_minus8", 1), 2);
	ck_assert_int_eq(field(log, "log2_diff_max_min_luma_coding_block_size", 1), 2);
	ck_assert_int_eq(field(log, "max_transform_hierarchy_depth_inter", 1), 1);
	ck_assert_int_eq(field(log, "sample_adaptive_offset_enabled_flag", 1), 1);
	ck_assert_int_eq(field(log, "scaling_list_enabled_flag", 1), 1);
	ck_assert_int_eq(field(log, "sps_scaling_list_data_present_flag", 1), 0);
	ck_assert_int_eq(field(log, "dependent_slice_segments_enabled_flag", 1), 1);
	ck_assert_int_eq(field(log, "pcm_enabled_flag", 1), 1);
	ck_assert_int_eq(field(log, "pcm_sample_bit_depth_luma_minus1", 1), 9);
	ck_assert_int_eq(field(log, "log2_diff_max_min_pcm_luma_coding_block_size", 1), 2);
	ck_assert_int_eq(field(log, "pcm_loop_filter_disabled_flag", 1), 1);
	ck_assert_int_eq(field(log, "num_short_term_ref_pic_sets", 1), 1);
	ck_assert_int_eq(field(log, "num_negative_pics", 1), 1);
	ck_assert_int_eq(field(log, "sps_max_num_reorder_pics[0]", 1), 0);
	ck_assert_int_eq(field(log, "matrix_coefficients", 1), 1);
	ck_assert_int_eq(field(log, "video_full_range_flag", 1), 0);
	ck_assert_int_eq(field(log, "vui_time_scale", 1), 60000);
	/* PPS */
	ck_assert_int_eq(field(log, "init_qp_minus26", 1), 4);
	ck_assert_int_eq(field(log, "cu_qp_delta_enabled_flag", 1), 1);
	/* slices: IDR (I), then TRAIL_R (P) with the POC's low 8 bits */
	ck_assert_int_eq(field(log, "slice_type", 1), 2);
	ck_assert_int_eq(field(log, "slice_type", 2), 1);
	ck_assert_int_eq(field(log, "slice_pic_order_cnt_lsb", 1), 255);
	ck_assert_int_eq(field(log, "slice_pic_order_cnt_lsb", 2), 0);
	ck_assert_int_eq(field(log, "slice_type", 3), 0);	/* B */
	ck_assert_int_eq(field(log, "mvd_l1_zero_flag", 1), 0);
	ck_assert_int_eq(field(log, "five_minus_max_num_merge_cand", 2), 0);
	ck_assert_int_eq(field(log, "slice_sao_luma_flag", 1), 1);
	ck_assert_int_eq(field(log, "five_minus_max_num_merge_cand", 1), 0);
	ck_assert_int_eq(field(log, "pic_type", 1), 2);
	free(log);
}
END_TEST

/* Bits @off..@off+n of @b, most significant first. */
static uint32_t get_bits(const struct ks_bits *b, size_t off, unsigned int n)
{
	uint32_t v = 0;

	while (n--) {
		v = v << 1 | ((b->buf[off / 8] >> (7 - off % 8)) & 1);
		off++;
	}
	return v;
}

/* The offsets va_enc_av1.h describes, checked against the written bits. */
static void check_av1_offsets(const struct ks_bits *b, const struct ks_av1_frame *f)
{
	uint64_t size = 0;
	unsigned int i;

	ck_assert_uint_eq(get_bits(b, f->off_qindex, 8), f->qindex);
	ck_assert_uint_eq(get_bits(b, f->off_segmentation, 1), 0);
	if (f->qindex) {
		ck_assert_uint_eq(get_bits(b, f->off_loopfilter, 6), f->lf_level[0]);
		ck_assert_uint_eq(get_bits(b, f->off_loopfilter + 6, 6), f->lf_level[1]);
	} else {
		/* a lossless frame has no loop filter or CDEF parameters */
		ck_assert_uint_eq(f->off_loopfilter, f->off_segmentation + 1);
		ck_assert_uint_eq(f->cdef_bits, 0);
	}
	/* obu_size: padded leb128 of f->size_bytes bytes, the payload's length */
	ck_assert_uint_eq(f->off_obu_size, 1);
	for (i = 0; i < f->size_bytes; i++) {
		uint8_t c = b->buf[1 + i];

		size |= (uint64_t)(c & 0x7f) << (7 * i);
		ck_assert_uint_eq(!!(c & 0x80), i + 1 < f->size_bytes);
	}
	ck_assert_uint_eq(size, b->bits / 8 - 1 - f->size_bytes);
	/* the size counts up to the trailing one bit */
	ck_assert_uint_eq(get_bits(b, f->size_bits - 1, 1), 1);
	ck_assert_uint_le(f->size_bits, b->bits);
	ck_assert_uint_gt(f->size_bits + 8, b->bits);
}

static void tu_bits(struct ks_buf *tu, const struct ks_bits *b)
{
	ck_assert(!b->overflow);
	ck_assert_int_eq(ks_buf_append(tu, b->buf, (b->bits + 7) / 8), 0);
}

/* End a temporal unit: a tile group OBU of one tile, then into the IVF file. */
static void tu_end(struct ks_buf *tu, struct ks_buf *file, uint64_t pts)
{
	/* header, size, 6 bytes of "tile data" (not parsed by trace_headers) */
	static const uint8_t tg[] = { 0x22, 6, 0x80, 1, 2, 3, 4, 5 };

	ck_assert_int_eq(ks_buf_append(tu, tg, sizeof(tg)), 0);
	ck_assert_int_eq(ks_ivf_append_frame(file, tu->data, tu->len, pts), 0);
	ks_buf_reset(tu);
	ck_assert_int_eq(ks_buf_append(tu, ks_av1_temporal_delimiter, 2), 0);
}

START_TEST(av1_obus_parsed)
{
	struct ks_av1_seq s = {
		.width = 330, .height = 200, .tenbit = true, .order_hint_bits = 8,
		.cdef = true, .restoration = true, .superres = true, .warped = true,
	};
	struct ks_av1_frame f;
	struct ks_bits b;
	struct ks_buf tu = { 0 }, file = { 0 };
	uint8_t hdr[KS_IVF_HEADER_SIZE];
	char path[600], *log;
	unsigned int i;
	FILE *fp;

	need_ffmpeg();
	s.level_idx = ks_av1_level(s.width, s.height, 30000, 0);
	ck_assert_uint_eq(s.level_idx, 0);
	ck_assert_uint_eq(ks_av1_level(1920, 1080, 60000, 0), 9);
	/* IVF: its header gives ffmpeg the size the dummy tiles cannot */
	ks_ivf_header(hdr, KS_IVF_FOURCC_AV1, 330, 200, 30, 1, 0);
	ck_assert_int_eq(ks_buf_append(&file, hdr, sizeof(hdr)), 0);
	ck_assert_int_eq(ks_buf_append(&tu, ks_av1_temporal_delimiter, 2), 0);

	/* key frame, lossless */
	ck_assert_int_eq(ks_av1_sequence_header(&b, &s), 0);
	tu_bits(&tu, &b);
	memset(&f, 0, sizeof(f));
	f.type = KS_AV1_KEY;
	f.tx_select = true;
	ck_assert_int_eq(ks_av1_frame_header(&b, &s, &f), 0);
	ck_assert_uint_eq(f.size_bytes, 4);
	check_av1_offsets(&b, &f);
	tu_bits(&tu, &b);
	tu_end(&tu, &file, 0);

	/* inter frame, base_q_idx 100, deblocking, 2-byte obu_size */
	memset(&f, 0, sizeof(f));
	f.type = KS_AV1_INTER;
	f.order_hint = 1;
	f.refresh = 0xff;
	f.qindex = 100;
	f.lf_level[0] = 12;
	f.lf_level[1] = 13;
	f.lf_level[2] = 5;
	f.lf_level[3] = 6;
	f.lf_sharpness = 2;
	f.tx_select = true;
	f.size_bytes = 2;
	ck_assert_int_eq(ks_av1_frame_header(&b, &s, &f), 0);
	check_av1_offsets(&b, &f);
	ck_assert_uint_eq(f.cdef_bits, 16);
	tu_bits(&tu, &b);
	tu_end(&tu, &file, 1);

	/* intra-only frame, refreshing no slot */
	memset(&f, 0, sizeof(f));
	f.type = KS_AV1_INTRA_ONLY;
	f.order_hint = 2;
	f.qindex = 40;
	ck_assert_int_eq(ks_av1_frame_header(&b, &s, &f), 0);
	check_av1_offsets(&b, &f);
	tu_bits(&tu, &b);
	tu_end(&tu, &file, 2);

	snprintf(path, sizeof(path), "%s/av1-headers.ivf", ks_test_workdir());
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(file.data, 1, file.len, fp), file.len);
	ck_assert_int_eq(fclose(fp), 0);
	ks_buf_free(&file);
	ks_buf_free(&tu);

	log = trace(path, "ivf");
	ck_assert_int_eq(field(log, "seq_profile", 1), 0);
	ck_assert_int_eq(field(log, "max_frame_width_minus_1", 1), 329);
	ck_assert_int_eq(field(log, "max_frame_height_minus_1", 1), 199);
	ck_assert_int_eq(field(log, "high_bitdepth", 1), 1);
	ck_assert_int_eq(field(log, "color_primaries", 1), 1);
	ck_assert_int_eq(field(log, "color_range", 1), 0);
	ck_assert_int_eq(field(log, "enable_order_hint", 1), 1);
	ck_assert_int_eq(field(log, "enable_cdef", 1), 1);
	ck_assert_int_eq(field(log, "order_hint_bits_minus_1", 1), 7);
	/* key frame */
	ck_assert_int_eq(field(log, "frame_type", 1), 0);
	ck_assert_int_eq(field(log, "base_q_idx", 1), 0);
	/* inter frame */
	ck_assert_int_eq(field(log, "frame_type", 2), 1);
	ck_assert_int_eq(field(log, "order_hint", 2), 1);
	ck_assert_int_eq(field(log, "primary_ref_frame", 1), 7);
	ck_assert_int_eq(field(log, "refresh_frame_flags", 1), 255);
	for (i = 0; i < 7; i++) {
		char name[32];

		snprintf(name, sizeof(name), "ref_frame_idx[%u]", i);
		ck_assert_int_eq(field(log, name, 1), 0);
	}
	ck_assert_int_eq(field(log, "base_q_idx", 2), 100);
	ck_assert_int_eq(field(log, "loop_filter_level[0]", 1), 12);
	ck_assert_int_eq(field(log, "loop_filter_level[3]", 1), 6);
	ck_assert_int_eq(field(log, "loop_filter_sharpness", 1), 2);
	ck_assert_int_eq(field(log, "tx_mode", 1), 2);	/* TX_MODE_SELECT */
	/* intra-only frame */
	ck_assert_int_eq(field(log, "frame_type", 3), 2);
	ck_assert_int_eq(field(log, "refresh_frame_flags", 2), 0);
	ck_assert_int_eq(field(log, "base_q_idx", 3), 40);
	/* every frame header was parsed to its end */
	ck_assert_int_eq(field(log, "reduced_tx_set", 3), 0);
	ck_assert_ptr_null(strstr(log, "Error"));
	ck_assert_ptr_null(strstr(log, "Invalid"));
	free(log);
}
END_TEST

Suite *ks_suite_headers(void)
{
	Suite *s = suite_create("headers");

	KS_ADD(s, bits_escape);
	KS_ADD(s, h264_headers_parsed);
	KS_ADD(s, levels_from_size_and_rate);
	KS_ADD(s, hevc_headers_parsed);
	KS_ADD(s, av1_obus_parsed);
	return s;
}
