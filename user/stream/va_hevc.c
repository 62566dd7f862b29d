// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: one HEVC picture through VA-API.  Main (NV12) or Main 10
 * (P010).  Low latency: IDR then P pictures only (low-delay P: one
 * reference, the previous picture, no B, no reordering), one slice; rate
 * control CBR or VBR with a one-frame VBV, or CQP; an IDR on request, at
 * the start of a session or every --gop pictures.
 *
 * The coding tools follow the driver: every feature of
 * VAConfigAttribEncHEVCFeatures the driver marks REQUIRED is switched on,
 * every NOT_SUPPORTED one off, optional ones as suits low latency (PCM
 * only when required; cu_qp_delta with rate control); a driver that
 * requires separate colour planes or weighted prediction is refused; the CTB, CB,
 * transform and PCM sizes come from VAConfigAttribEncHEVCBlockSizes.
 * Packed VPS, SPS, PPS and slice headers (hevc_headers.c) where the
 * driver declares them.  A driver that declares
 * VA_PREDICTION_DIRECTION_BI_NOT_EMPTY (no P slices) gets the P pictures
 * as B slices whose list 1 repeats list 0 (generalised P and B): still one
 * reference, no reordering.  Output: Annex B with an AUD per access unit.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hevc_headers.h"
#include "levels.h"
#include "vapipe_priv.h"

/* A VA_FEATURE_* field: REQUIRED -> on, NOT_SUPPORTED -> off, else @want. */
static bool ks_feature(uint32_t v, bool want)
{
	return v == VA_FEATURE_REQUIRED ? true : v == VA_FEATURE_NOT_SUPPORTED ? false : want;
}

int ks_va_hevc_check(struct ks_vapipe *p, bool tenbit)
{
	uint32_t feat = p->attr[tenbit][KS_AT_HEVC_FEAT];
	VAConfigAttribValEncHEVCFeatures f = { .value = feat };

	if (feat == VA_ATTRIB_NOT_SUPPORTED)
		return 0;
	/* what a 4:2:0 low-delay stream without weighted prediction cannot honour */
	if (f.bits.separate_colour_planes == VA_FEATURE_REQUIRED ||
	    f.bits.weighted_prediction == VA_FEATURE_REQUIRED)
		return ks_va_fail(p, -EOPNOTSUPP,
				  "%s: %s requires %s (VAConfigAttribEncHEVCFeatures %#x), which kmscap-stream does not use",
				  p->cfg.device,
				  vaProfileStr(tenbit ? p->profile10 : p->profile8),
				  f.bits.separate_colour_planes == VA_FEATURE_REQUIRED ?
				  "separate colour planes" : "weighted prediction", feat);
	return 0;
}

/* The HEVC parameters of the current session from the driver's attributes. */
void ks_va_hevc_params(const struct ks_vapipe *p, struct ks_hevc_params *hp)
{
	uint32_t feat = p->attr[p->tenbit][KS_AT_HEVC_FEAT];
	uint32_t blk = p->attr[p->tenbit][KS_AT_HEVC_BLK];
	uint32_t dir = p->attr[p->tenbit][KS_AT_PREDDIR];
	VAConfigAttribValEncHEVCFeatures f;
	VAConfigAttribValEncHEVCBlockSizes b;
	unsigned int num, den;
	bool rc = p->rc_mode != VA_RC_CQP;

	memset(hp, 0, sizeof(*hp));
	hp->main10 = p->tenbit;
	hp->width = p->width;
	hp->height = p->height;
	ks_va_fps(p->refresh_mhz, &num, &den);
	hp->num_units_in_tick = den;
	hp->time_scale = num;
	hp->qp = p->cfg.qp;
	hp->log2_max_poc_lsb = 8;
	/* a driver whose B slices need a non-empty list 1 codes no P slices */
	hp->gpb = dir != VA_ATTRIB_NOT_SUPPORTED && (dir & VA_PREDICTION_DIRECTION_BI_NOT_EMPTY);
	if (blk == VA_ATTRIB_NOT_SUPPORTED || feat == VA_ATTRIB_NOT_SUPPORTED) {
		/* nothing declared: CTB 32, CB 8, TB 4..32, no PCM */
		hp->ctb = 5;
		hp->min_cb = 3;
		hp->min_tb = 2;
		hp->max_tb = 5;
		hp->depth_inter = hp->depth_intra = 2;
		hp->deblocking_disabled = false;
		hp->cu_qp_delta = rc;
	} else {
		b.value = blk;
		f.value = feat;
		hp->ctb = b.bits.log2_max_coding_tree_block_size_minus3 + 3;
		hp->min_cb = b.bits.log2_min_luma_coding_block_size_minus3 + 3;
		hp->min_tb = b.bits.log2_min_luma_transform_block_size_minus2 + 2;
		hp->max_tb = b.bits.log2_max_luma_transform_block_size_minus2 + 2;
		if (hp->max_tb > hp->ctb)
			hp->max_tb = hp->ctb;
		hp->depth_inter = b.bits.max_max_transform_hierarchy_depth_inter;
		hp->depth_intra = b.bits.max_max_transform_hierarchy_depth_intra;
		hp->pcm = ks_feature(f.bits.pcm, false);
		if (hp->pcm) {
			hp->min_pcm = b.bits.log2_min_pcm_coding_block_size_minus3 + 3;
			hp->max_pcm = b.bits.log2_max_pcm_coding_block_size_minus3 + 3;
			/* PCM samples stay exact */
			hp->pcm_loop_filter_disabled = true;
		}
		hp->amp = ks_feature(f.bits.amp, false);
		hp->sao = ks_feature(f.bits.sao, false);
		hp->temporal_mvp = ks_feature(f.bits.temporal_mvp, false);
		hp->strong_intra_smoothing = ks_feature(f.bits.strong_intra_smoothing, false);
		hp->sign_data_hiding = ks_feature(f.bits.sign_data_hiding, false);
		hp->constrained_intra_pred = ks_feature(f.bits.constrained_intra_pred, false);
		hp->transform_skip = ks_feature(f.bits.transform_skip, false);
		hp->cu_qp_delta = ks_feature(f.bits.cu_qp_delta, rc);
		hp->transquant_bypass = ks_feature(f.bits.transquant_bypass, false);
		hp->deblocking_disabled = ks_feature(f.bits.deblocking_filter_disable, false);
		hp->scaling_lists = ks_feature(f.bits.scaling_lists, false);
		hp->dependent_slices = ks_feature(f.bits.dependent_slices, false);
	}
	hp->level_idc = ks_hevc_level(ks_hevc_coded(p->width, hp), ks_hevc_coded(p->height, hp),
				      p->refresh_mhz, p->rc_mode == VA_RC_CQP ? 0 : p->cfg.bitrate);
}

static void ks_hevc_invalid(VAPictureHEVC *pic)
{
	memset(pic, 0, sizeof(*pic));
	pic->picture_id = VA_INVALID_SURFACE;
	pic->flags = VA_PICTURE_HEVC_INVALID;
}

static int ks_hevc_encode(struct ks_vapipe *p, VASurfaceID input, const struct kmscap_event *ev,
			  struct ks_buf *out, struct ks_stats *stats, bool repeat)
{
	VAEncSequenceParameterBufferHEVC seq;
	VAEncPictureParameterBufferHEVC pic;
	VAEncSliceParameterBufferHEVC slice;
	struct ks_va_pic vp = { .n = 0 };
	struct ks_hevc_params hp;
	struct ks_bits bits;
	bool idr = ks_va_need_key(p);
	int cur = p->prev_recon < 0 ? 0 : (p->prev_recon + 1) % KS_NUM_RECON;
	unsigned int i, ctbs, cw, ch, poc;
	int ret = 0;

	if (idr)
		p->frames_since_idr = 0;
	/* PicOrderCntVal; the slice header carries its 8 low bits */
	poc = (unsigned int)p->frames_since_idr;
	ks_va_hevc_params(p, &hp);
	cw = ks_hevc_coded(p->width, &hp);
	ch = ks_hevc_coded(p->height, &hp);
	ctbs = ((cw + (1u << hp.ctb) - 1) >> hp.ctb) * ((ch + (1u << hp.ctb) - 1) >> hp.ctb);

	memset(&seq, 0, sizeof(seq));
	seq.general_profile_idc = hp.main10 ? 2 : 1;
	seq.general_level_idc = (uint8_t)hp.level_idc;
	seq.general_tier_flag = 0;
	seq.intra_period = p->cfg.gop;
	seq.intra_idr_period = p->cfg.gop;
	seq.ip_period = 1;
	seq.bits_per_second = p->rc_mode == VA_RC_CQP ? 0 : p->cfg.bitrate;
	seq.pic_width_in_luma_samples = (uint16_t)cw;
	seq.pic_height_in_luma_samples = (uint16_t)ch;
	seq.seq_fields.bits.chroma_format_idc = 1;
	seq.seq_fields.bits.bit_depth_luma_minus8 = hp.main10 ? 2 : 0;
	seq.seq_fields.bits.bit_depth_chroma_minus8 = hp.main10 ? 2 : 0;
	seq.seq_fields.bits.scaling_list_enabled_flag = hp.scaling_lists;
	seq.seq_fields.bits.strong_intra_smoothing_enabled_flag = hp.strong_intra_smoothing;
	seq.seq_fields.bits.amp_enabled_flag = hp.amp;
	seq.seq_fields.bits.sample_adaptive_offset_enabled_flag = hp.sao;
	seq.seq_fields.bits.pcm_enabled_flag = hp.pcm;
	seq.seq_fields.bits.pcm_loop_filter_disabled_flag = hp.pcm_loop_filter_disabled;
	seq.seq_fields.bits.sps_temporal_mvp_enabled_flag = hp.temporal_mvp;
	seq.seq_fields.bits.low_delay_seq = 1;
	seq.log2_min_luma_coding_block_size_minus3 = (uint8_t)(hp.min_cb - 3);
	seq.log2_diff_max_min_luma_coding_block_size = (uint8_t)(hp.ctb - hp.min_cb);
	seq.log2_min_transform_block_size_minus2 = (uint8_t)(hp.min_tb - 2);
	seq.log2_diff_max_min_transform_block_size = (uint8_t)(hp.max_tb - hp.min_tb);
	seq.max_transform_hierarchy_depth_inter = (uint8_t)hp.depth_inter;
	seq.max_transform_hierarchy_depth_intra = (uint8_t)hp.depth_intra;
	if (hp.pcm) {
		seq.pcm_sample_bit_depth_luma_minus1 = hp.main10 ? 9 : 7;
		seq.pcm_sample_bit_depth_chroma_minus1 = hp.main10 ? 9 : 7;
		seq.log2_min_pcm_luma_coding_block_size_minus3 = hp.min_pcm - 3;
		seq.log2_max_pcm_luma_coding_block_size_minus3 = hp.max_pcm - 3;
	}
	seq.vui_parameters_present_flag = 1;
	seq.vui_fields.bits.vui_timing_info_present_flag = 1;
	seq.vui_fields.bits.bitstream_restriction_flag = 1;
	seq.vui_fields.bits.motion_vectors_over_pic_boundaries_flag = 1;
	seq.vui_fields.bits.restricted_ref_pic_lists_flag = 1;
	seq.vui_fields.bits.log2_max_mv_length_horizontal = 15;
	seq.vui_fields.bits.log2_max_mv_length_vertical = 15;
	seq.vui_num_units_in_tick = hp.num_units_in_tick;
	seq.vui_time_scale = hp.time_scale;

	memset(&pic, 0, sizeof(pic));
	pic.decoded_curr_pic.picture_id = p->recon[cur];
	pic.decoded_curr_pic.pic_order_cnt = (int32_t)poc;
	pic.decoded_curr_pic.flags = 0;
	for (i = 0; i < 15; i++)
		ks_hevc_invalid(&pic.reference_frames[i]);
	if (!idr) {
		pic.reference_frames[0].picture_id = p->recon[p->prev_recon];
		pic.reference_frames[0].pic_order_cnt = (int32_t)poc - 1;
		pic.reference_frames[0].flags = VA_PICTURE_HEVC_RPS_ST_CURR_BEFORE;
	}
	pic.coded_buf = p->coded;
	pic.collocated_ref_pic_index = hp.temporal_mvp && !idr ? 0 : 0xff;
	pic.pic_init_qp = (uint8_t)hp.qp;
	pic.nal_unit_type = idr ? KS_HEVC_IDR_W_RADL : KS_HEVC_TRAIL_R;
	pic.pic_fields.bits.idr_pic_flag = idr;
	pic.pic_fields.bits.coding_type = idr ? 1 : 2;
	pic.pic_fields.bits.reference_pic_flag = 1;
	pic.pic_fields.bits.dependent_slice_segments_enabled_flag = hp.dependent_slices;
	pic.pic_fields.bits.sign_data_hiding_enabled_flag = hp.sign_data_hiding;
	pic.pic_fields.bits.constrained_intra_pred_flag = hp.constrained_intra_pred;
	pic.pic_fields.bits.transform_skip_enabled_flag = hp.transform_skip;
	pic.pic_fields.bits.cu_qp_delta_enabled_flag = hp.cu_qp_delta;
	pic.pic_fields.bits.transquant_bypass_enabled_flag = hp.transquant_bypass;

	memset(&slice, 0, sizeof(slice));
	slice.slice_segment_address = 0;
	slice.num_ctu_in_slice = ctbs;
	slice.slice_type = idr ? 2 : hp.gpb ? 0 : 1;	/* HEVC: 2 I, 1 P, 0 B */
	for (i = 0; i < 15; i++) {
		ks_hevc_invalid(&slice.ref_pic_list0[i]);
		ks_hevc_invalid(&slice.ref_pic_list1[i]);
	}
	if (!idr)
		slice.ref_pic_list0[0] = pic.reference_frames[0];
	if (!idr && hp.gpb)
		slice.ref_pic_list1[0] = pic.reference_frames[0];	/* generalised P/B */
	slice.max_num_merge_cand = 5;
	slice.slice_fields.bits.last_slice_of_pic_flag = 1;
	slice.slice_fields.bits.slice_temporal_mvp_enabled_flag = hp.temporal_mvp && !idr;
	slice.slice_fields.bits.slice_sao_luma_flag = hp.sao;
	slice.slice_fields.bits.slice_sao_chroma_flag = hp.sao;
	slice.slice_fields.bits.collocated_from_l0_flag = 1;
	slice.slice_fields.bits.slice_deblocking_filter_disabled_flag = hp.deblocking_disabled;

	if (idr) {
		ret = ks_va_add_buf(p, &vp, VAEncSequenceParameterBufferType, sizeof(seq), &seq);
		if (!ret)
			ret = ks_va_add_rc(p, &vp, hp.qp, 0, 0, (cw >> hp.ctb) / 30);
	}
	if (!ret)
		ret = ks_va_add_buf(p, &vp, VAEncPictureParameterBufferType, sizeof(pic), &pic);
	if (!ret && idr && (p->packed & VA_ENC_PACKED_HEADER_SEQUENCE)) {
		/* VPS and SPS: two packed sequence headers */
		ret = ks_hevc_vps(&bits, &hp);
		if (!ret)
			ret = ks_va_add_packed(p, &vp, VAEncPackedHeaderHEVC_VPS, &bits, true);
		if (!ret)
			ret = ks_hevc_sps(&bits, &hp);
		if (!ret)
			ret = ks_va_add_packed(p, &vp, VAEncPackedHeaderHEVC_SPS, &bits, true);
	}
	if (!ret && idr && (p->packed & VA_ENC_PACKED_HEADER_PICTURE)) {
		ret = ks_hevc_pps(&bits, &hp);
		if (!ret)
			ret = ks_va_add_packed(p, &vp, VAEncPackedHeaderHEVC_PPS, &bits, true);
	}
	if (!ret)
		ret = ks_va_add_buf(p, &vp, VAEncSliceParameterBufferType, sizeof(slice), &slice);
	if (!ret && (p->packed & VA_ENC_PACKED_HEADER_SLICE)) {
		ret = ks_hevc_slice_header(&bits, &hp, idr, poc);
		if (!ret)
			ret = ks_va_add_packed(p, &vp, VAEncPackedHeaderHEVC_Slice, &bits, true);
	}
	if (ret == -ENOSPC)
		ks_va_fail(p, ret, "encode: HEVC packed header too long");
	if (!ret)
		ret = ks_va_run(p, &vp, input, ev);
	if (!ret)
		ret = ks_annexb_aud_hevc(out);
	if (!ret)
		ret = ks_va_read_coded(p, out, true);
	ks_va_pic_free(p, &vp);
	if (ret)
		return ret;
	ks_va_picture_done(p, ev, stats, repeat, idr, cur);
	return 0;
}

const struct ks_va_codec ks_va_hevc = {
	.name = "HEVC",
	.encode = ks_hevc_encode,
};
