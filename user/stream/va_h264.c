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
#include "vapipe_priv.h"

static unsigned int ks_level(unsigned int mbs)
{
	if (mbs <= 1620)
		return 31;
	if (mbs <= 8192)
		return 42;
	if (mbs <= 36864)
		return 52;
	return 62;
}

static unsigned int ks_gcd(unsigned int a, unsigned int b)
{
	while (b) {
		unsigned int t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Frame rate as num/den with both < 65536 (VAEncMiscParameterFrameRate). */
static void ks_fps(uint32_t mhz, unsigned int *num, unsigned int *den)
{
	unsigned int g;

	if (!mhz)
		mhz = 60000;
	g = ks_gcd(mhz, 1000);
	*num = mhz / g;
	*den = 1000 / g;
	if (*num > 65535) {
		*num = (mhz + 500) / 1000;
		*den = 1;
	}
}

static int ks_add_buf(struct ks_vapipe *p, VABufferType type, unsigned int size, void *data,
		      VABufferID *ids, unsigned int *n)
{
	VAStatus st = vaCreateBuffer(p->dpy, p->enc_ctx, type, size, 1, data, &ids[*n]);

	if (st != VA_STATUS_SUCCESS)
		return ks_va_fail(p, ks_va_errno(st), "encode: vaCreateBuffer(%s): %s",
			       vaBufferTypeStr(type), vaErrorStr(st));
	(*n)++;
	return 0;
}

static int ks_add_misc(struct ks_vapipe *p, VAEncMiscParameterType type, const void *data,
		       size_t len, VABufferID *ids, unsigned int *n)
{
	uint8_t buf[sizeof(VAEncMiscParameterBuffer) + 256];
	VAEncMiscParameterBuffer *m = (void *)buf;

	memset(buf, 0, sizeof(buf));
	m->type = type;
	memcpy(m->data, data, len);
	return ks_add_buf(p, VAEncMiscParameterBufferType,
			  (unsigned int)(sizeof(*m) + len), buf, ids, n);
}

static int ks_add_packed(struct ks_vapipe *p, uint32_t type, const struct ks_bits *b,
			 VABufferID *ids, unsigned int *n)
{
	VAEncPackedHeaderParameterBuffer ph = {
		.type = type,
		.bit_length = (uint32_t)b->bits,
		.has_emulation_bytes = 0,
	};
	int ret;

	if (b->overflow)
		return ks_va_fail(p, -ENOSPC, "encode: packed header too long");
	ret = ks_add_buf(p, VAEncPackedHeaderParameterBufferType, sizeof(ph), &ph, ids, n);
	if (!ret)
		ret = ks_add_buf(p, VAEncPackedHeaderDataBufferType,
				 (unsigned int)(b->bits + 7) / 8, (void *)b->buf, ids, n);
	return ret;
}

static void ks_invalid_pic(VAPictureH264 *pic)
{
	memset(pic, 0, sizeof(*pic));
	pic->picture_id = VA_INVALID_SURFACE;
	pic->flags = VA_PICTURE_H264_INVALID;
}

int ks_va_h264_encode(struct ks_vapipe *p, VASurfaceID input, const struct kmscap_event *ev,
		     struct ks_buf *out, struct ks_stats *stats, bool repeat)
{
	VAEncSequenceParameterBufferH264 seq;
	VAEncPictureParameterBufferH264 pic;
	VAEncSliceParameterBufferH264 slice;
	unsigned int wmb = (p->width + 15) / 16, hmb = (p->height + 15) / 16;
	unsigned int num, den, i, n = 0;
	bool idr = p->idr_pending || p->prev_recon < 0 ||
		   (p->cfg.gop && p->frames_since_idr >= p->cfg.gop);
	int cur = p->prev_recon < 0 ? 0 : (p->prev_recon + 1) % KS_NUM_RECON;
	VACodedBufferSegment *seg;
	VABufferID ids[20];
	struct ks_h264_params hp;
	struct ks_bits bits;
	VAStatus st;
	int ret = 0;

	if (idr) {
		p->frame_num = 0;
		p->frames_since_idr = 0;
	}
	ks_fps(p->refresh_mhz, &num, &den);

	memset(&seq, 0, sizeof(seq));
	seq.level_idc = (uint8_t)ks_level(wmb * hmb);
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
		ret = ks_add_buf(p, VAEncSequenceParameterBufferType, sizeof(seq), &seq, ids, &n);
		if (!ret && p->rc_mode != VA_RC_CQP) {
			VAEncMiscParameterRateControl rc;
			VAEncMiscParameterHRD hrd;
			VAEncMiscParameterFrameRate fr;
			uint32_t vbv = (uint32_t)((uint64_t)p->cfg.bitrate * den / num);

			memset(&rc, 0, sizeof(rc));
			rc.bits_per_second = p->cfg.bitrate;
			rc.target_percentage = p->rc_mode == VA_RC_CBR ? 100 : 90;
			rc.window_size = 1000 * den / num + 1;	/* one frame, in ms */
			rc.initial_qp = p->cfg.qp;
			memset(&hrd, 0, sizeof(hrd));
			hrd.buffer_size = vbv;			/* a one-frame VBV */
			hrd.initial_buffer_fullness = vbv;
			memset(&fr, 0, sizeof(fr));
			fr.framerate = num | den << 16;
			ret = ks_add_misc(p, VAEncMiscParameterTypeRateControl, &rc, sizeof(rc),
					  ids, &n);
			if (!ret)
				ret = ks_add_misc(p, VAEncMiscParameterTypeHRD, &hrd, sizeof(hrd),
						  ids, &n);
			if (!ret)
				ret = ks_add_misc(p, VAEncMiscParameterTypeFrameRate, &fr,
						  sizeof(fr), ids, &n);
		}
		if (!ret && p->have_rir) {
			VAEncMiscParameterRIR rir;

			memset(&rir, 0, sizeof(rir));
			rir.rir_flags.bits.enable_rir_column = 1;
			rir.intra_insert_size = (uint16_t)(wmb / 30 ? wmb / 30 : 1);
			ret = ks_add_misc(p, VAEncMiscParameterTypeRIR, &rir, sizeof(rir), ids, &n);
		}
	}
	if (!ret)
		ret = ks_add_buf(p, VAEncPictureParameterBufferType, sizeof(pic), &pic, ids, &n);

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
		ret = ks_add_packed(p, VAEncPackedHeaderSequence, &bits, ids, &n);
	}
	if (!ret && idr && (p->packed & VA_ENC_PACKED_HEADER_PICTURE)) {
		ks_h264_pps(&bits, &hp);
		ret = ks_add_packed(p, VAEncPackedHeaderPicture, &bits, ids, &n);
	}
	if (!ret)
		ret = ks_add_buf(p, VAEncSliceParameterBufferType, sizeof(slice), &slice, ids, &n);
	if (!ret && (p->packed & VA_ENC_PACKED_HEADER_SLICE)) {
		ks_h264_slice_header(&bits, &hp, idr, p->frame_num, p->idr_id);
		ret = ks_add_packed(p, VAEncPackedHeaderSlice, &bits, ids, &n);
	}
	if (ret)
		goto out;

	st = vaBeginPicture(p->dpy, p->enc_ctx, input);
	if (st == VA_STATUS_SUCCESS) {
		st = vaRenderPicture(p->dpy, p->enc_ctx, ids, (int)n);
		if (st == VA_STATUS_SUCCESS)
			st = vaEndPicture(p->dpy, p->enc_ctx);
		else
			vaEndPicture(p->dpy, p->enc_ctx);
	}
	if (st == VA_STATUS_SUCCESS)
		st = vaSyncSurface(p->dpy, input);
	if (st != VA_STATUS_SUCCESS) {
		ret = ks_va_fail(p, ks_va_errno(st), "encode: %s frame %llu failed: %s",
			      vaProfileStr(p->profile), (unsigned long long)ev->seq,
			      vaErrorStr(st));
		goto out;
	}
	st = vaMapBuffer(p->dpy, p->coded, (void **)&seg);
	if (st != VA_STATUS_SUCCESS) {
		ret = ks_va_fail(p, ks_va_errno(st), "encode: mapping the coded buffer: %s",
			      vaErrorStr(st));
		goto out;
	}
	if (p->cfg.codec == KS_CODEC_H264)
		ret = ks_annexb_aud_h264(out);
	for (; seg && !ret; seg = seg->next) {
		if (seg->status & VA_CODED_BUF_STATUS_SLICE_OVERFLOW_MASK) {
			ret = ks_va_fail(p, -ENOBUFS, "encode: coded buffer of %u bytes overflowed",
				      p->coded_size);
			break;
		}
		if (seg->size)
			ret = ks_annexb_append_stream(out, seg->buf, seg->size);
		if (ret == -EBADMSG)
			ks_va_fail(p, ret, "encode: the driver's coded data is not Annex B");
	}
	vaUnmapBuffer(p->dpy, p->coded);
	if (ret)
		goto out;
	if (stats) {
		uint64_t now = ks_now_ns();

		if (now > ev->timestamp_ns)
			ks_latency_add(&stats->lat, now - ev->timestamp_ns);
		if (repeat)
			stats->total.repeated++;
		else
			stats->total.encoded++;
		stats->total.idr += idr;
	}
	if (idr)
		p->idr_id = (p->idr_id + 1) % 65536;
	p->idr_pending = false;
	p->prev_recon = cur;
	p->frame_num = (p->frame_num + 1) % 256;
	p->frames_since_idr++;
out:
	for (i = 0; i < n; i++)
		vaDestroyBuffer(p->dpy, ids[i]);
	return ret;
}
