// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: one H.264 picture through VA-API.  Low latency: I and P
 * pictures only, one reference (the previous picture), POC type 2, one
 * slice; rate control CBR or VBR with a one-frame VBV, or CQP; IDR on
 * request, at the start of a session or every --gop pictures; packed
 * headers where the driver declares them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "h264_headers.h"
#include "levels.h"
#include "vapipe_priv.h"

static void ks_invalid_pic(VAPictureH264 *pic)
{
	memset(pic, 0, sizeof(*pic));
	pic->picture_id = VA_INVALID_SURFACE;
	pic->flags = VA_PICTURE_H264_INVALID;
}

static int ks_h264_encode(struct ks_vapipe *p, VASurfaceID input, const struct kmscap_event *ev,
			  struct ks_buf *out, struct ks_stats *stats, bool repeat)
{
	VAEncSequenceParameterBufferH264 seq;
	VAEncPictureParameterBufferH264 pic;
	VAEncSliceParameterBufferH264 slice;
	unsigned int wmb = (p->width + 15) / 16, hmb = (p->height + 15) / 16;
	unsigned int num, den, i;
	bool idr = ks_va_need_key(p);
	int cur = p->prev_recon < 0 ? 0 : (p->prev_recon + 1) % KS_NUM_RECON;
	struct ks_va_pic vp = { .n = 0 };
	struct ks_h264_params hp;
	struct ks_bits bits;
	int ret = 0;

	if (idr) {
		p->frame_num = 0;
		p->frames_since_idr = 0;
	}
	ks_va_fps(p->refresh_mhz, &num, &den);

	memset(&seq, 0, sizeof(seq));
	seq.level_idc = (uint8_t)ks_h264_level(wmb, hmb, p->refresh_mhz,
					       p->rc_mode == VA_RC_CQP ? 0 : p->cfg.bitrate,
					       p->profile == VAProfileH264High);
	seq.intra_period = p->cfg.gop;
	seq.intra_idr_period = p->cfg.gop;
	seq.ip_period = 1;
	seq.bits_per_second = p->rc_mode == VA_RC_CQP ? 0 : p->cfg.bitrate;
	seq.max_num_ref_frames = 1;
	seq.picture_width_in_mbs = (uint16_t)wmb;
	seq.picture_height_in_mbs = (uint16_t)hmb;
	seq.seq_fields.bits.chroma_format_idc = 1;
	seq.seq_fields.bits.frame_mbs_only_flag = 1;
	seq.seq_fields.bits.direct_8x8_inference_flag = 1;
	seq.seq_fields.bits.log2_max_frame_num_minus4 = 4;
	seq.seq_fields.bits.pic_order_cnt_type = 2;
	if (wmb * 16 != p->width || hmb * 16 != p->height) {
		seq.frame_cropping_flag = 1;
		seq.frame_crop_right_offset = (wmb * 16 - p->width) / 2;
		seq.frame_crop_bottom_offset = (hmb * 16 - p->height) / 2;
	}
	seq.vui_parameters_present_flag = 1;
	seq.vui_fields.bits.timing_info_present_flag = 1;
	seq.vui_fields.bits.bitstream_restriction_flag = 1;
	seq.vui_fields.bits.log2_max_mv_length_horizontal = 15;
	seq.vui_fields.bits.log2_max_mv_length_vertical = 15;
	seq.num_units_in_tick = den;
	seq.time_scale = 2 * num;

	memset(&pic, 0, sizeof(pic));
	pic.CurrPic.picture_id = p->recon[cur];
	pic.CurrPic.frame_idx = p->frame_num;
	pic.CurrPic.TopFieldOrderCnt = (int32_t)(2 * p->frames_since_idr);
	pic.CurrPic.BottomFieldOrderCnt = pic.CurrPic.TopFieldOrderCnt;
	for (i = 0; i < 16; i++)
		ks_invalid_pic(&pic.ReferenceFrames[i]);
	if (!idr) {
		pic.ReferenceFrames[0].picture_id = p->recon[p->prev_recon];
		pic.ReferenceFrames[0].frame_idx = p->frame_num - 1;
		pic.ReferenceFrames[0].flags = VA_PICTURE_H264_SHORT_TERM_REFERENCE;
		pic.ReferenceFrames[0].TopFieldOrderCnt = (int32_t)(2 * (p->frames_since_idr - 1));
		pic.ReferenceFrames[0].BottomFieldOrderCnt =
			pic.ReferenceFrames[0].TopFieldOrderCnt;
	}
	pic.coded_buf = p->coded;
	pic.frame_num = (uint16_t)p->frame_num;
	pic.pic_init_qp = (uint8_t)p->cfg.qp;
	pic.num_ref_idx_l0_active_minus1 = 0;
	pic.pic_fields.bits.idr_pic_flag = idr;
	pic.pic_fields.bits.reference_pic_flag = 1;
	pic.pic_fields.bits.entropy_coding_mode_flag =
		p->profile != VAProfileH264ConstrainedBaseline;
	pic.pic_fields.bits.transform_8x8_mode_flag = p->profile == VAProfileH264High;
	pic.pic_fields.bits.deblocking_filter_control_present_flag = 1;

	memset(&slice, 0, sizeof(slice));
	slice.macroblock_address = 0;
	slice.num_macroblocks = wmb * hmb;
	slice.slice_type = idr ? 2 : 0;
	slice.idr_pic_id = (uint16_t)p->idr_id;
	for (i = 0; i < 32; i++) {
		ks_invalid_pic(&slice.RefPicList0[i]);
		ks_invalid_pic(&slice.RefPicList1[i]);
	}
	if (!idr)
		slice.RefPicList0[0] = pic.ReferenceFrames[0];

	if (idr) {
		ret = ks_va_add_buf(p, &vp, VAEncSequenceParameterBufferType, sizeof(seq), &seq);
		if (!ret)
			ret = ks_va_add_rc(p, &vp, p->cfg.qp, 0, 0, wmb / 30);
	}
	if (!ret)
		ret = ks_va_add_buf(p, &vp, VAEncPictureParameterBufferType, sizeof(pic), &pic);

	memset(&hp, 0, sizeof(hp));
	hp.profile = p->profile == VAProfileH264High ? KS_H264_HIGH :
		     p->profile == VAProfileH264Main ? KS_H264_MAIN : KS_H264_CB;
	hp.level_idc = seq.level_idc;
	hp.width = p->width;
	hp.height = p->height;
	hp.log2_max_frame_num = seq.seq_fields.bits.log2_max_frame_num_minus4 + 4;
	hp.num_units_in_tick = seq.num_units_in_tick;
	hp.time_scale = seq.time_scale;
	hp.qp = pic.pic_init_qp;
	hp.cabac = pic.pic_fields.bits.entropy_coding_mode_flag;
	hp.transform_8x8 = pic.pic_fields.bits.transform_8x8_mode_flag;
	if (!ret && idr && (p->packed & VA_ENC_PACKED_HEADER_SEQUENCE)) {
		ks_h264_sps(&bits, &hp);
		ret = ks_va_add_packed(p, &vp, VAEncPackedHeaderSequence, &bits, true);
	}
	if (!ret && idr && (p->packed & VA_ENC_PACKED_HEADER_PICTURE)) {
		ks_h264_pps(&bits, &hp);
		ret = ks_va_add_packed(p, &vp, VAEncPackedHeaderPicture, &bits, true);
	}
	if (!ret)
		ret = ks_va_add_buf(p, &vp, VAEncSliceParameterBufferType, sizeof(slice), &slice);
	if (!ret && (p->packed & VA_ENC_PACKED_HEADER_SLICE)) {
		ks_h264_slice_header(&bits, &hp, idr, p->frame_num, p->idr_id);
		ret = ks_va_add_packed(p, &vp, VAEncPackedHeaderSlice, &bits, false);
	}
	if (!ret)
		ret = ks_va_run(p, &vp, input, ev);
	if (!ret)
		ret = ks_annexb_aud_h264(out);
	if (!ret)
		ret = ks_va_read_coded(p, out, true);
	ks_va_pic_free(p, &vp);
	if (ret)
		return ret;
	if (idr)
		p->idr_id = (p->idr_id + 1) % 65536;
	p->frame_num = (p->frame_num + 1) % 256;
	ks_va_picture_done(p, ev, stats, repeat, idr, cur);
	return 0;
}

const struct ks_va_codec ks_va_h264 = {
	.name = "H.264",
	.encode = ks_h264_encode,
};
