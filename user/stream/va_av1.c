// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: one AV1 frame through VA-API, Profile 0 (8-bit NV12 or
 * 10-bit P010).  Low latency: a key frame, then inter frames that refer
 * only to the previous frame (every frame refreshes all eight reference
 * slots, all seven references name slot 0, LAST is searched); where the
 * driver's VAConfigAttribEncMaxRefFrames is 0, intra-only frames after
 * the key frame instead.  A key frame (with a new sequence header) on
 * request, at the start of a session or every --gop frames.
 *
 * Rate control: CQP maps --qp (0..51, the H.264 scale) linearly onto
 * base_q_idx 0..255: qindex = qp * 5, so --qp 0 is qindex 0, lossless;
 * CBR or VBR (one-frame VBV) where the driver offers them.
 *
 * Output: IVF.  The 32-byte file header goes out with the first frame,
 * in the same output unit; then one IVF frame per temporal unit: a
 * temporal delimiter (unless the driver's data starts with one), then the
 * coded data (sequence header on key frames, frame header, tile group).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "av1_obu.h"
#include "levels.h"
#include "vapipe_priv.h"

unsigned int ks_va_av1_qindex(unsigned int qp)
{
	return qp > 51 ? 255 : qp * 5;
}

static bool ks_req(uint32_t v)
{
	return v == VA_FEATURE_REQUIRED;
}

void ks_va_av1_seq(const struct ks_vapipe *p, struct ks_av1_seq *s)
{
	uint32_t feat = p->attr[p->tenbit][KS_AT_AV1];
	VAConfigAttribValEncAV1 f;

	memset(s, 0, sizeof(*s));
	s->width = p->width;
	s->height = p->height;
	s->level_idx = ks_av1_level(p->width, p->height, p->refresh_mhz,
				    p->rc_mode == VA_RC_CQP ? 0 : p->cfg.bitrate);
	s->tenbit = p->tenbit;
	s->order_hint_bits = 8;
	if (feat != VA_ATTRIB_NOT_SUPPORTED) {
		/* what the driver requires is on, everything else off */
		f.value = feat;
		s->sb128 = ks_req(f.bits.support_128x128_superblock);
		s->filter_intra = ks_req(f.bits.support_filter_intra);
		s->intra_edge = ks_req(f.bits.support_intra_edge_filter);
		s->interintra = ks_req(f.bits.support_interintra_compound);
		s->masked = ks_req(f.bits.support_masked_compound);
		s->warped = ks_req(f.bits.support_warped_motion);
		s->dual_filter = ks_req(f.bits.support_dual_filter);
		s->jnt_comp = ks_req(f.bits.support_jnt_comp);
		s->ref_frame_mvs = ks_req(f.bits.support_ref_frame_mvs);
		s->superres = ks_req(f.bits.support_superres);
		s->restoration = ks_req(f.bits.support_restoration);
	}
}

/* interpolation_filter: EIGHTTAP unless the driver lists only others. */
static unsigned int ks_av1_interp(uint32_t ext1)
{
	VAConfigAttribValEncAV1Ext1 e;
	unsigned int i;

	if (ext1 == VA_ATTRIB_NOT_SUPPORTED)
		return 0;
	e.value = ext1;
	if (!e.bits.interpolation_filter || (e.bits.interpolation_filter & 1))
		return 0;
	for (i = 1; i < 5; i++)
		if (e.bits.interpolation_filter & (1u << i))
			return i;
	return 0;
}

static void ks_av1_ivf_start(struct ks_vapipe *p, const struct kmscap_event *ev,
			     struct ks_buf *out, uint64_t *pts)
{
	unsigned int num, den;
	uint8_t hdr[KS_IVF_HEADER_SIZE];

	ks_va_fps(p->refresh_mhz, &num, &den);
	if (!p->ivf_started) {
		/* time base den/num seconds: one tick a refresh period */
		ks_ivf_header(hdr, KS_IVF_FOURCC_AV1, (uint16_t)p->width, (uint16_t)p->height, num,
			      den, 0);
		ks_buf_append(out, hdr, sizeof(hdr));
		p->ivf_started = true;
		p->ivf_t0 = ev->timestamp_ns;
		p->ivf_last_pts = 0;
		*pts = 0;
		return;
	}
	/* the refresh period the frame's flip time falls on, strictly increasing */
	*pts = 0;
	if (ev->timestamp_ns > p->ivf_t0) {
		uint64_t d = ev->timestamp_ns - p->ivf_t0;
		uint64_t n = d / 1000000000ull * num + d % 1000000000ull * num / 1000000000ull;

		*pts = (n + den / 2) / den;
	}
	if (*pts <= p->ivf_last_pts)
		*pts = p->ivf_last_pts + 1;
	p->ivf_last_pts = *pts;
}

static int ks_av1_encode(struct ks_vapipe *p, VASurfaceID input, const struct kmscap_event *ev,
			 struct ks_buf *out, struct ks_stats *stats, bool repeat)
{
	const uint32_t *at = p->attr[p->tenbit];
	VAEncSequenceParameterBufferAV1 seq;
	VAEncPictureParameterBufferAV1 pic;
	VAEncTileGroupBufferAV1 tg;
	struct ks_va_pic vp = { .n = 0 };
	struct ks_av1_seq s;
	struct ks_av1_frame f;
	struct ks_bits bits;
	bool key = ks_va_need_key(p);
	bool intra_only = at[KS_AT_MAXREF] != VA_ATTRIB_NOT_SUPPORTED &&
			  !(at[KS_AT_MAXREF] & 0xffff);
	/*
	 * inter: alternate, the reference slots hold the other surface;
	 * intra-only: the slots keep the key frame (recon[0]), the others use recon[1]
	 */
	int cur = p->prev_recon < 0 ? 0 : intra_only ? !key :
		  (p->prev_recon + 1) % KS_NUM_RECON;
	unsigned int i, qindex = ks_va_av1_qindex(p->cfg.qp);
	unsigned int sb;
	uint64_t pts;
	size_t start = out->len;
	int ret = 0;

	if (key)
		p->frames_since_idr = 0;
	ks_va_av1_seq(p, &s);

	memset(&seq, 0, sizeof(seq));
	seq.seq_profile = 0;
	seq.seq_level_idx = (uint8_t)s.level_idx;
	seq.seq_tier = 0;
	seq.intra_period = p->cfg.gop;
	seq.ip_period = 1;
	seq.bits_per_second = p->rc_mode == VA_RC_CQP ? 0 : p->cfg.bitrate;
	seq.seq_fields.bits.use_128x128_superblock = s.sb128;
	seq.seq_fields.bits.enable_filter_intra = s.filter_intra;
	seq.seq_fields.bits.enable_intra_edge_filter = s.intra_edge;
	seq.seq_fields.bits.enable_interintra_compound = s.interintra;
	seq.seq_fields.bits.enable_masked_compound = s.masked;
	seq.seq_fields.bits.enable_warped_motion = s.warped;
	seq.seq_fields.bits.enable_dual_filter = s.dual_filter;
	seq.seq_fields.bits.enable_order_hint = s.order_hint_bits != 0;
	seq.seq_fields.bits.enable_jnt_comp = s.jnt_comp;
	seq.seq_fields.bits.enable_ref_frame_mvs = s.ref_frame_mvs;
	seq.seq_fields.bits.enable_superres = s.superres;
	seq.seq_fields.bits.enable_cdef = s.cdef;
	seq.seq_fields.bits.enable_restoration = s.restoration;
	seq.seq_fields.bits.bit_depth_minus8 = s.tenbit ? 2 : 0;
	seq.seq_fields.bits.subsampling_x = 1;
	seq.seq_fields.bits.subsampling_y = 1;
	seq.order_hint_bits_minus_1 = (uint8_t)(s.order_hint_bits - 1);

	memset(&f, 0, sizeof(f));
	f.type = key ? KS_AV1_KEY : intra_only ? KS_AV1_INTRA_ONLY : KS_AV1_INTER;
	f.order_hint = (unsigned int)(p->frames_since_idr % 256);
	f.refresh = key ? 0xff : intra_only ? 0 : 0xff;
	f.qindex = qindex;
	if (qindex) {
		/* a modest deblocking strength that grows with the quantiser */
		f.lf_level[0] = f.lf_level[1] = qindex / 8;
		f.lf_level[2] = f.lf_level[3] = qindex / 8;
	}
	f.interp = ks_av1_interp(at[KS_AT_AV1_EXT1]);
	f.tx_select = true;
	if (at[KS_AT_AV1_EXT2] != VA_ATTRIB_NOT_SUPPORTED) {
		VAConfigAttribValEncAV1Ext2 e = { .value = at[KS_AT_AV1_EXT2] };

		f.size_bytes = e.bits.obu_size_bytes_minus1 + 1;
		if (e.bits.tx_mode_support && !(e.bits.tx_mode_support & 4))
			f.tx_select = false;
	}
	if (!f.size_bytes)
		f.size_bytes = 4;

	memset(&pic, 0, sizeof(pic));
	pic.frame_width_minus_1 = (uint16_t)(p->width - 1);
	pic.frame_height_minus_1 = (uint16_t)(p->height - 1);
	pic.reconstructed_frame = p->recon[cur];
	pic.coded_buf = p->coded;
	for (i = 0; i < 8; i++)
		pic.reference_frames[i] = f.type == KS_AV1_INTER ? p->recon[p->prev_recon] :
				       VA_INVALID_SURFACE;
	for (i = 0; i < 7; i++)
		pic.ref_frame_idx[i] = 0;
	pic.primary_ref_frame = 7;
	pic.order_hint = (uint8_t)f.order_hint;
	pic.refresh_frame_flags = (uint8_t)f.refresh;
	if (f.type == KS_AV1_INTER)
		pic.ref_frame_ctrl_l0.fields.search_idx0 = 1;	/* LAST_FRAME */
	pic.picture_flags.bits.frame_type = f.type;
	pic.picture_flags.bits.error_resilient_mode = key;	/* implied for shown keys */
	pic.picture_flags.bits.disable_frame_recon = intra_only && !key;
	pic.filter_level[0] = (uint8_t)f.lf_level[0];
	pic.filter_level[1] = (uint8_t)f.lf_level[1];
	pic.filter_level_u = (uint8_t)f.lf_level[2];
	pic.filter_level_v = (uint8_t)f.lf_level[3];
	pic.interpolation_filter = (uint8_t)f.interp;
	pic.base_qindex = (uint8_t)qindex;
	if (p->rc_mode != VA_RC_CQP) {
		pic.min_base_qindex = 1;
		pic.max_base_qindex = 255;
	}
	pic.mode_control_flags.bits.tx_mode = qindex == 0 ? 0 : f.tx_select ? 2 : 1;
	pic.tile_cols = 1;
	pic.tile_rows = 1;
	sb = s.sb128 ? 128 : 64;
	pic.width_in_sbs_minus_1[0] = (uint16_t)((p->width + sb - 1) / sb - 1);
	pic.height_in_sbs_minus_1[0] = (uint16_t)((p->height + sb - 1) / sb - 1);
	pic.tile_group_obu_hdr_info.bits.obu_has_size_field = 1;

	memset(&tg, 0, sizeof(tg));
	tg.tg_start = 0;
	tg.tg_end = 0;

	if (key) {
		ret = ks_va_add_buf(p, &vp, VAEncSequenceParameterBufferType, sizeof(seq), &seq);
		if (!ret)
			ret = ks_va_add_rc(p, &vp, qindex, 1, 255, 0);
	}
	if (!ret && (p->packed & VA_ENC_PACKED_HEADER_PICTURE)) {
		ret = ks_av1_frame_header(&bits, &s, &f);
		if (!ret && p->rc_mode != VA_RC_CQP) {
			/* va_enc_av1.h: with rate control the driver rewrites these */
			pic.bit_offset_qindex = f.off_qindex;
			pic.bit_offset_segmentation = f.off_segmentation;
			pic.bit_offset_loopfilter_params = f.off_loopfilter;
			pic.bit_offset_cdef_params = f.off_cdef;
			pic.size_in_bits_cdef_params = f.cdef_bits;
			pic.byte_offset_frame_hdr_obu_size = f.off_obu_size;
			pic.size_in_bits_frame_hdr_obu = f.size_bits;
		}
	}
	if (!ret)
		ret = ks_va_add_buf(p, &vp, VAEncPictureParameterBufferType, sizeof(pic), &pic);
	if (!ret && key && (p->packed & VA_ENC_PACKED_HEADER_SEQUENCE)) {
		struct ks_bits sh;

		ret = ks_av1_sequence_header(&sh, &s);
		if (!ret)
			ret = ks_va_add_packed(p, &vp, VAEncPackedHeaderAV1_SPS, &sh, false);
	}
	if (!ret && (p->packed & VA_ENC_PACKED_HEADER_PICTURE))
		ret = ks_va_add_packed(p, &vp, VAEncPackedHeaderAV1_PPS, &bits, false);
	if (!ret)
		ret = ks_va_add_buf(p, &vp, VAEncSliceParameterBufferType, sizeof(tg), &tg);
	if (ret == -ENOSPC)
		ks_va_fail(p, ret, "encode: AV1 packed header too long");
	if (!ret)
		ret = ks_va_run(p, &vp, input, ev);
	if (!ret) {
		/* one temporal unit: the delimiter, then what the driver wrote */
		ks_buf_reset(&p->tu);
		ret = ks_va_read_coded(p, &p->tu, false);
		if (!ret && !p->tu.len)
			ret = ks_va_fail(p, -EIO, "encode: the driver wrote no AV1 data");
	}
	if (!ret && (p->tu.data[0] >> 3 & 0xf) != KS_AV1_OBU_TEMPORAL_DELIMITER) {
		ret = ks_buf_reserve(&p->tu, sizeof(ks_av1_temporal_delimiter));
		if (!ret) {
			memmove(p->tu.data + 2, p->tu.data, p->tu.len);
			memcpy(p->tu.data, ks_av1_temporal_delimiter, 2);
			p->tu.len += 2;
		}
	}
	if (!ret) {
		ks_av1_ivf_start(p, ev, out, &pts);
		ret = ks_ivf_append_frame(out, p->tu.data, p->tu.len, pts);
	}
	ks_va_pic_free(p, &vp);
	if (ret) {
		if (out->len > start && !p->ivf_last_pts)
			p->ivf_started = false;
		out->len = start;
		return ret;
	}
	ks_va_picture_done(p, ev, stats, repeat, key, cur);
	return 0;
}

const struct ks_va_codec ks_va_av1 = {
	.name = "AV1",
	.encode = ks_av1_encode,
};
