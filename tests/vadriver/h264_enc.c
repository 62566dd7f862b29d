// SPDX-License-Identifier: MIT
/*
 * h264_enc.c - H.264 encode: collects the parameter buffers of a picture,
 * validates them the way a real encoder would, and writes a lossless
 * bitstream in which every macroblock is I_PCM (CAVLC).
 *
 * SPS/PPS/slice headers come from the parameter buffers, unless the caller
 * declared packed headers and passes them, in which case they are passed
 * through (slice headers are unescaped, extended with the slice data and
 * escaped again).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmscap_va.h"

#define KMSCAP_VA_START_CODE_LEN 4

void kmscap_va_enc_reset_picture(struct kmscap_va_enc_state *e)
{
	unsigned int i;

	for (i = 0; i < e->num_packed; i++)
		free(e->packed[i].data);
	e->num_packed = 0;
	e->num_slices = 0;
	e->have_seq = e->have_active;
	e->seq_in_pic = false;
	if (e->have_active)
		e->seq = e->active_seq;
	e->have_pic = false;
	e->pending_param = false;
}

static VAStatus kmscap_va_enc_misc(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
				   struct kmscap_va_buffer *b)
{
	const VAEncMiscParameterBuffer *m = (const void *)b->data;
	size_t payload = (size_t)b->size * b->num_elements;

	if (payload < sizeof(*m))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"misc parameter buffer %#x of %zu bytes", b->id, payload);
	payload -= sizeof(*m);
	switch (m->type) {
	case VAEncMiscParameterTypeFrameRate:
		if (payload < sizeof(VAEncMiscParameterFrameRate))
			break;
		if (!((const VAEncMiscParameterFrameRate *)m->data)->framerate)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"frame rate 0");
		return VA_STATUS_SUCCESS;
	case VAEncMiscParameterTypeRateControl:
		if (payload < sizeof(VAEncMiscParameterRateControl))
			break;
		/* CQP is the only mode; rate control settings are meaningless */
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"rate control parameters sent in CQP mode");
	case VAEncMiscParameterTypeHRD:
		if (payload < sizeof(VAEncMiscParameterHRD))
			break;
		return VA_STATUS_SUCCESS;
	case VAEncMiscParameterTypeRIR:
		if (payload < sizeof(VAEncMiscParameterRIR))
			break;
		return VA_STATUS_SUCCESS;
	default:
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNSUPPORTED_BUFFERTYPE,
					"misc parameter type %d not supported", m->type);
	}
	return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
				"misc parameter type %d: payload of %zu bytes too small",
				m->type, payload);
}

static VAStatus kmscap_va_enc_packed(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
				     struct kmscap_va_buffer *b)
{
	struct kmscap_va_enc_state *e = &c->enc;
	struct kmscap_va_packed *p;
	size_t len = (size_t)b->size * b->num_elements;
	unsigned int type_flag;

	if (b->type == VAEncPackedHeaderParameterBufferType) {
		if (e->pending_param)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"two packed header parameter buffers in a row");
		memcpy(&e->pending, b->data, sizeof(e->pending));
		switch (e->pending.type) {
		case VAEncPackedHeaderSequence:
			type_flag = VA_ENC_PACKED_HEADER_SEQUENCE;
			break;
		case VAEncPackedHeaderPicture:
			type_flag = VA_ENC_PACKED_HEADER_PICTURE;
			break;
		case VAEncPackedHeaderSlice:
			type_flag = VA_ENC_PACKED_HEADER_SLICE;
			break;
		case VAEncPackedHeaderRawData:
			type_flag = VA_ENC_PACKED_HEADER_RAW_DATA | VA_ENC_PACKED_HEADER_MISC;
			break;
		default:
			if (e->pending.type & 0x80000000u) {	/* VAEncPackedHeaderMiscMask */
				type_flag = VA_ENC_PACKED_HEADER_MISC;
				break;
			}
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed header type %#x unknown", e->pending.type);
		}
		if (!(c->config.packed_headers & type_flag))
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed header type %#x not declared in config (%#x)",
						e->pending.type, c->config.packed_headers);
		if (!e->pending.bit_length)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed header of 0 bits");
		e->pending_param = true;
		return VA_STATUS_SUCCESS;
	}
	if (!e->pending_param)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed header data %#x without a parameter buffer before it",
					b->id);
	if (len * 8 < e->pending.bit_length)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed header data of %zu bytes shorter than %u bits", len,
					e->pending.bit_length);
	if (e->num_packed == KMSCAP_VA_MAX_PACKED)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_MAX_NUM_EXCEEDED,
					"more than %d packed headers in a picture",
					KMSCAP_VA_MAX_PACKED);
	p = &e->packed[e->num_packed];
	p->data = malloc(len);
	if (!p->data)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	memcpy(p->data, b->data, len);
	p->size = (e->pending.bit_length + 7) / 8;
	p->param = e->pending;
	p->slice_index = -1;
	if (p->param.type == VAEncPackedHeaderSlice) {
		unsigned int i, n = 0;

		for (i = 0; i < e->num_packed; i++)
			n += e->packed[i].slice_index >= 0;
		p->slice_index = n;
	}
	e->num_packed++;
	e->pending_param = false;
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_enc_render(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
			      struct kmscap_va_buffer *b)
{
	struct kmscap_va_enc_state *e = &c->enc;
	VAEncSliceParameterBufferH264 *sl;

	if (e->pending_param && b->type != VAEncPackedHeaderDataBufferType)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed header parameter not followed by its data");
	switch (b->type) {
	case VAEncSequenceParameterBufferType:
		memcpy(&e->seq, b->data, sizeof(e->seq));
		e->have_seq = true;
		e->seq_in_pic = true;
		return VA_STATUS_SUCCESS;
	case VAEncPictureParameterBufferType:
		memcpy(&e->pic, b->data, sizeof(e->pic));
		e->have_pic = true;
		return VA_STATUS_SUCCESS;
	case VAEncSliceParameterBufferType:
		if (e->num_slices + b->num_elements > KMSCAP_VA_MAX_SLICES)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_MAX_NUM_EXCEEDED,
						"more than %d slices", KMSCAP_VA_MAX_SLICES);
		sl = realloc(e->slices, (e->num_slices + b->num_elements) * sizeof(*sl));
		if (!sl)
			return VA_STATUS_ERROR_ALLOCATION_FAILED;
		e->slices = sl;
		memcpy(&sl[e->num_slices], b->data, b->num_elements * sizeof(*sl));
		e->num_slices += b->num_elements;
		return VA_STATUS_SUCCESS;
	case VAEncPackedHeaderParameterBufferType:
	case VAEncPackedHeaderDataBufferType:
		return kmscap_va_enc_packed(drv, c, b);
	case VAEncMiscParameterBufferType:
		return kmscap_va_enc_misc(drv, c, b);
	default:
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNSUPPORTED_BUFFERTYPE,
					"buffer %#x of type %s in an encode picture", b->id,
					vaBufferTypeStr(b->type));
	}
}

/* Output stream under construction. */
struct kmscap_va_out {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;
};

static void kmscap_va_out_raw(struct kmscap_va_out *o, const uint8_t *p, size_t n)
{
	if (o->len + n > o->cap) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void kmscap_va_out_nal(struct kmscap_va_out *o, const uint8_t *rbsp, size_t n)
{
	static const uint8_t sc[KMSCAP_VA_START_CODE_LEN] = { 0, 0, 0, 1 };
	size_t w;

	kmscap_va_out_raw(o, sc, sizeof(sc));
	if (o->overflow)
		return;
	w = kmscap_va_nal_escape(o->buf + o->len, o->cap - o->len, rbsp, n);
	if (!w && n)
		o->overflow = true;
	o->len += w;
}

/* Length of the start code at p (3 or 4 bytes), 0 if none. */
static size_t kmscap_va_start_code(const uint8_t *p, size_t n)
{
	if (n >= 3 && !p[0] && !p[1] && p[2] == 1)
		return 3;
	if (n >= 4 && !p[0] && !p[1] && !p[2] && p[3] == 1)
		return 4;
	return 0;
}

/* Calls fn for every NAL unit (start code excluded) in an Annex B buffer. */
static int kmscap_va_for_each_nal(const uint8_t *p, size_t n,
				  void (*fn)(void *arg, const uint8_t *nal, size_t len),
				  void *arg)
{
	size_t i = 0, start, sc;
	int count = 0;

	sc = kmscap_va_start_code(p, n);
	if (!sc)
		return -1;
	i = sc;
	while (i < n) {
		start = i;
		while (i < n && !kmscap_va_start_code(p + i, n - i))
			i++;
		fn(arg, p + start, i - start);
		count++;
		if (i < n)
			i += kmscap_va_start_code(p + i, n - i);
	}
	return count;
}

static void kmscap_va_nal_types(void *arg, const uint8_t *nal, size_t len)
{
	uint32_t *mask = arg;

	if (len)
		*mask |= 1u << (nal[0] & 0x1f);
}

static void kmscap_va_emit_escaped(void *arg, const uint8_t *nal, size_t len)
{
	kmscap_va_out_nal(arg, nal, len);
}

static VAStatus kmscap_va_enc_check_seq(struct kmscap_va_driver *drv,
					struct kmscap_va_context *c)
{
	const VAEncSequenceParameterBufferH264 *seq = &c->enc.seq;
	unsigned int w = seq->picture_width_in_mbs * 16, h = seq->picture_height_in_mbs * 16;
	unsigned int cw = w, ch = h;

	if (seq->frame_cropping_flag) {
		cw -= 2 * (seq->frame_crop_left_offset + seq->frame_crop_right_offset);
		ch -= 2 * (seq->frame_crop_top_offset + seq->frame_crop_bottom_offset);
	}
	if (!seq->picture_width_in_mbs || !seq->picture_height_in_mbs ||
	    w > KMSCAP_VA_MAX_WIDTH || h > KMSCAP_VA_MAX_HEIGHT)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"picture of %ux%u macroblocks",
					seq->picture_width_in_mbs, seq->picture_height_in_mbs);
	if (w != (c->width + 15) / 16 * 16 || h != (c->height + 15) / 16 * 16)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%ux%u macroblocks do not match the %ux%u context (misaligned)",
					seq->picture_width_in_mbs, seq->picture_height_in_mbs,
					c->width, c->height);
	if ((int)cw <= (int)w - 16 || (int)ch <= (int)h - 16 || cw > c->width || ch > c->height)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"cropped size %dx%d does not fit the %ux%u context",
					(int)cw, (int)ch, c->width, c->height);
	if (seq->seq_fields.bits.chroma_format_idc != 1 || seq->bit_depth_luma_minus8 ||
	    seq->bit_depth_chroma_minus8)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"chroma_format_idc %u / bit depth %u,%u: only 4:2:0 8-bit",
					seq->seq_fields.bits.chroma_format_idc,
					seq->bit_depth_luma_minus8 + 8,
					seq->bit_depth_chroma_minus8 + 8);
	if (!seq->seq_fields.bits.frame_mbs_only_flag)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"frame_mbs_only_flag 0: interlaced encode not supported");
	if (seq->seq_fields.bits.seq_scaling_matrix_present_flag)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"sequence scaling matrices are not supported");
	if (seq->seq_fields.bits.log2_max_frame_num_minus4 > 12 ||
	    seq->seq_fields.bits.pic_order_cnt_type > 2 ||
	    seq->seq_fields.bits.log2_max_pic_order_cnt_lsb_minus4 > 12)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"log2_max_frame_num_minus4 %u / poc type %u / log2_max_poc_lsb_minus4 %u out of range",
					seq->seq_fields.bits.log2_max_frame_num_minus4,
					seq->seq_fields.bits.pic_order_cnt_type,
					seq->seq_fields.bits.log2_max_pic_order_cnt_lsb_minus4);
	if (seq->max_num_ref_frames > KMSCAP_VA_MAX_REFS)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"max_num_ref_frames %u > %d (EncMaxRefFrames)",
					seq->max_num_ref_frames, KMSCAP_VA_MAX_REFS);
	if (seq->ip_period > 1)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"ip_period %u: B frames are not supported", seq->ip_period);
	if (!seq->level_idc || seq->level_idc > 62)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"level_idc %u invalid", seq->level_idc);
	return VA_STATUS_SUCCESS;
}

static bool kmscap_va_in_dpb(const struct kmscap_va_enc_state *e, VASurfaceID id)
{
	unsigned int i;

	for (i = 0; i < e->dpb_count; i++)
		if (e->dpb[i] == id)
			return true;
	return false;
}

/* Sliding-window marking of the picture just encoded. */
static void kmscap_va_dpb_update(struct kmscap_va_enc_state *e, bool idr, bool ref)
{
	unsigned int max = e->seq.max_num_ref_frames ? e->seq.max_num_ref_frames : 1, i, n = 0;
	VASurfaceID cur = e->pic.CurrPic.picture_id;

	if (idr)
		e->dpb_count = 0;
	if (!ref)
		return;
	for (i = 0; i < e->dpb_count; i++)
		if (e->dpb[i] != cur)
			e->dpb[n++] = e->dpb[i];
	e->dpb_count = n;
	if (e->dpb_count == max) {
		memmove(e->dpb, e->dpb + 1, (max - 1) * sizeof(e->dpb[0]));
		e->dpb_count--;
	}
	e->dpb[e->dpb_count++] = cur;
}

static VAStatus kmscap_va_enc_check_pic(struct kmscap_va_driver *drv,
					struct kmscap_va_context *c, unsigned int *nal_ref_idc)
{
	struct kmscap_va_enc_state *e = &c->enc;
	const VAEncPictureParameterBufferH264 *pic = &e->pic;
	unsigned int max_frame_num = 1u << (e->seq.seq_fields.bits.log2_max_frame_num_minus4 + 4);
	bool idr = pic->pic_fields.bits.idr_pic_flag;
	unsigned int expect, i, refs = 0;
	VAStatus st = VA_STATUS_SUCCESS;

	if (pic->seq_parameter_set_id != e->seq.seq_parameter_set_id)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"picture refers to SPS %u, sequence has id %u",
					pic->seq_parameter_set_id, e->seq.seq_parameter_set_id);
	if (pic->pic_fields.bits.entropy_coding_mode_flag &&
	    c->config.profile == VAProfileH264ConstrainedBaseline)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"CABAC is not allowed in Constrained Baseline");
	if (pic->pic_fields.bits.transform_8x8_mode_flag && c->config.profile != VAProfileH264High)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"transform_8x8_mode_flag needs the High profile");
	if (pic->pic_fields.bits.weighted_pred_flag || pic->pic_fields.bits.weighted_bipred_idc ||
	    pic->pic_fields.bits.pic_scaling_matrix_present_flag)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"weighted prediction / scaling matrices are not supported");
	if (pic->pic_init_qp > 51 || pic->chroma_qp_index_offset < -12 ||
	    pic->chroma_qp_index_offset > 12 || pic->second_chroma_qp_index_offset < -12 ||
	    pic->second_chroma_qp_index_offset > 12)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"pic_init_qp %u / chroma qp offsets %d,%d out of range",
					pic->pic_init_qp, pic->chroma_qp_index_offset,
					pic->second_chroma_qp_index_offset);
	if (idr && !pic->pic_fields.bits.reference_pic_flag)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"IDR picture not marked as reference");
	if (idr && pic->frame_num)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"IDR picture with frame_num %u (must be 0)", pic->frame_num);
	if (!idr && !e->started)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"first picture of the sequence is not an IDR picture");
	if (!idr && e->seq_in_pic && memcmp(&e->seq, &e->active_seq, sizeof(e->seq)))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"sequence parameters changed without an IDR picture");
	if (!idr) {
		expect = e->prev_was_ref ? (e->prev_frame_num + 1) % max_frame_num :
			 e->prev_frame_num;
		if (pic->frame_num != expect)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"frame_num %u out of order: expected %u",
						pic->frame_num, expect);
		for (i = 0; i < 16; i++) {
			VASurfaceID id = pic->ReferenceFrames[i].picture_id;

			if (id == VA_INVALID_SURFACE ||
			    pic->ReferenceFrames[i].flags & VA_PICTURE_H264_INVALID)
				continue;
			if (!kmscap_va_surface_get(drv, id, &st, __func__))
				return st;
			if (!kmscap_va_in_dpb(e, id))
				return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
							"ReferenceFrames[%u] %#x is not a reconstructed reference picture in the DPB",
							i, id);
			if (id == pic->CurrPic.picture_id)
				return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
							"CurrPic %#x is also ReferenceFrames[%u]",
							id, i);
			refs++;
		}
		if (!refs && e->num_slices && e->slices[0].slice_type % 5 == 0)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"P picture without any reference frame");
	}
	if (!kmscap_va_surface_get(drv, pic->CurrPic.picture_id, &st, __func__))
		return st;
	*nal_ref_idc = idr ? 3 : pic->pic_fields.bits.reference_pic_flag ? 2 : 0;
	return VA_STATUS_SUCCESS;
}

static VAStatus kmscap_va_enc_check_slices(struct kmscap_va_driver *drv,
					   struct kmscap_va_context *c)
{
	struct kmscap_va_enc_state *e = &c->enc;
	unsigned int total = e->seq.picture_width_in_mbs * e->seq.picture_height_in_mbs;
	unsigned int max_poc = 1u << (e->seq.seq_fields.bits.log2_max_pic_order_cnt_lsb_minus4 + 4);
	unsigned int next = 0, i, j;

	if (!e->num_slices)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"picture without a slice parameter buffer");
	for (i = 0; i < e->num_slices; i++) {
		const VAEncSliceParameterBufferH264 *s = &e->slices[i];
		unsigned int type = s->slice_type % 5;
		int qp = e->pic.pic_init_qp + s->slice_qp_delta;

		if (s->macroblock_address != next || !s->num_macroblocks ||
		    s->num_macroblocks > total - next)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u covers macroblocks %u+%u, expected to start at %u of %u",
						i, s->macroblock_address, s->num_macroblocks, next,
						total);
		next += s->num_macroblocks;
		if (s->slice_type > 9 || (type != 0 && type != 2))
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u type %u: only P and I slices are supported",
						i, s->slice_type);
		if (e->pic.pic_fields.bits.idr_pic_flag && type != 2)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u of an IDR picture has type %u, not I", i,
						s->slice_type);
		if (s->pic_parameter_set_id != e->pic.pic_parameter_set_id)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u refers to PPS %u, picture has %u", i,
						s->pic_parameter_set_id,
						e->pic.pic_parameter_set_id);
		if (qp < 0 || qp > 51)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u QP %d out of 0..51", i, qp);
		if (s->disable_deblocking_filter_idc > 2 || s->slice_alpha_c0_offset_div2 < -6 ||
		    s->slice_alpha_c0_offset_div2 > 6 || s->slice_beta_offset_div2 < -6 ||
		    s->slice_beta_offset_div2 > 6)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u deblocking idc %u / offsets %d,%d invalid", i,
						s->disable_deblocking_filter_idc,
						s->slice_alpha_c0_offset_div2,
						s->slice_beta_offset_div2);
		if (e->seq.seq_fields.bits.pic_order_cnt_type == 0 &&
		    s->pic_order_cnt_lsb >= max_poc)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u pic_order_cnt_lsb %u >= %u", i,
						s->pic_order_cnt_lsb, max_poc);
		for (j = 0; type == 0 && j < 32; j++) {
			VASurfaceID id = s->RefPicList0[j].picture_id;

			if (id == VA_INVALID_SURFACE || s->RefPicList0[j].flags & VA_PICTURE_H264_INVALID)
				continue;
			if (!kmscap_va_in_dpb(e, id))
				return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
							"slice %u RefPicList0[%u] %#x is not in the DPB",
							i, j, id);
		}
		if (type == 0 && e->pic.pic_fields.bits.entropy_coding_mode_flag &&
		    s->cabac_init_idc > 2)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u cabac_init_idc %u > 2", i,
						s->cabac_init_idc);
		if (type == 0 && s->num_ref_idx_active_override_flag &&
		    s->num_ref_idx_l0_active_minus1 >= 32)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"slice %u num_ref_idx_l0_active_minus1 %u", i,
						s->num_ref_idx_l0_active_minus1);
	}
	if (next != total)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"slices cover %u of %u macroblocks", next, total);
	return VA_STATUS_SUCCESS;
}

/* Writes one slice NAL: packed or generated header, then I_PCM data. */
static VAStatus kmscap_va_enc_slice(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
				    struct kmscap_va_surface *src, unsigned int index,
				    unsigned int nal_ref_idc, struct kmscap_va_out *o,
				    uint8_t *scratch, size_t scratch_cap)
{
	struct kmscap_va_enc_state *e = &c->enc;
	const VAEncSliceParameterBufferH264 *sl = &e->slices[index];
	struct kmscap_va_packed *p = NULL;
	struct kmscap_va_bits b;
	unsigned int i;

	for (i = 0; i < e->num_packed; i++)
		if (e->packed[i].slice_index == (int)index)
			p = &e->packed[i];
	kmscap_va_bits_init(&b, scratch, scratch_cap);
	if (p) {
		size_t sc = kmscap_va_start_code(p->data, p->size);
		size_t nal_bits, n, removed;
		uint8_t *tmp;
		unsigned int type;

		if (!sc || p->param.bit_length < 8 * (sc + 1))
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed slice header %u has no start code", index);
		nal_bits = p->param.bit_length - 8 * sc;
		n = p->size - sc;
		tmp = malloc(n);
		if (!tmp)
			return VA_STATUS_ERROR_ALLOCATION_FAILED;
		removed = n;
		if (p->param.has_emulation_bytes)
			n = kmscap_va_nal_unescape(tmp, p->data + sc, n);
		else
			memcpy(tmp, p->data + sc, n);
		removed -= n;
		nal_bits -= 8 * removed;
		type = tmp[0] & 0x1f;
		if (type != (e->pic.pic_fields.bits.idr_pic_flag ? 5u : 1u)) {
			free(tmp);
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed slice header %u has NAL type %u", index,
						type);
		}
		for (i = 0; i < nal_bits / 8; i++)
			kmscap_va_bits_put(&b, 8, tmp[i]);
		if (nal_bits % 8)
			kmscap_va_bits_put(&b, nal_bits % 8, tmp[i] >> (8 - nal_bits % 8));
		free(tmp);
	} else {
		kmscap_va_h264_write_slice_header(&b, &e->seq, &e->pic, sl, nal_ref_idc);
	}
	if (e->pic.pic_fields.bits.entropy_coding_mode_flag)
		kmscap_va_h264_write_pcm_mbs_cabac(&b, src, &e->seq, &e->pic, sl);
	else
		kmscap_va_h264_write_pcm_mbs(&b, src, &e->seq, sl);
	if (b.overflow)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_NOT_ENOUGH_BUFFER,
					"slice %u larger than its scratch buffer", index);
	kmscap_va_out_nal(o, scratch, b.bitpos / 8);
	return VA_STATUS_SUCCESS;
}

static void kmscap_va_enc_copy_recon(struct kmscap_va_driver *drv,
				     const struct kmscap_va_surface *src, VASurfaceID id)
{
	struct kmscap_va_surface *r = kmscap_va_obj_get(drv, KMSCAP_VA_OBJ_SURFACE, id, NULL);

	/* lossless coding: the reconstruction is the input */
	if (r && r != src && r->fourcc == src->fourcc && r->size == src->size)
		memcpy(r->data, src->data, src->size);
}

VAStatus kmscap_va_enc_execute(struct kmscap_va_driver *drv, struct kmscap_va_context *c)
{
	struct kmscap_va_enc_state *e = &c->enc;
	struct kmscap_va_surface *src;
	struct kmscap_va_buffer *coded;
	struct kmscap_va_out o = { 0 };
	struct kmscap_va_bits b;
	unsigned int nal_ref_idc = 0, i, mbs;
	uint32_t packed_nals = 0;
	VAStatus st = VA_STATUS_SUCCESS;
	size_t scratch_cap, need, pps_len = SIZE_MAX;
	uint8_t pps[sizeof(e->last_pps)];
	bool idr, caller_pps;
	uint8_t *scratch;

	if (e->pending_param)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed header parameter without data at vaEndPicture");
	if (!e->have_seq)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"picture without a sequence parameter buffer");
	if (!e->have_pic)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"picture without a picture parameter buffer");
	st = kmscap_va_enc_check_seq(drv, c);
	if (st == VA_STATUS_SUCCESS)
		st = kmscap_va_enc_check_pic(drv, c, &nal_ref_idc);
	if (st == VA_STATUS_SUCCESS)
		st = kmscap_va_enc_check_slices(drv, c);
	if (st != VA_STATUS_SUCCESS)
		return st;
	coded = kmscap_va_buffer_get(drv, e->pic.coded_buf, &st, __func__);
	if (!coded)
		return st;
	if (coded->type != VAEncCodedBufferType)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_BUFFER,
					"coded_buf %#x is a %s, not a coded buffer",
					e->pic.coded_buf, vaBufferTypeStr(coded->type));
	mbs = e->seq.picture_width_in_mbs * e->seq.picture_height_in_mbs;
	need = (size_t)mbs * 384 + 1024;
	for (i = 0; i < e->num_packed; i++)
		need += e->packed[i].size;
	if (coded->coded_capacity < need)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_NOT_ENOUGH_BUFFER,
					"coded buffer %#x of %u bytes, at least %zu needed",
					coded->id, coded->coded_capacity, need);
	src = kmscap_va_surface_get(drv, c->render_target, &st, __func__);
	if (!src)
		return st;
	if (src->width < e->seq.picture_width_in_mbs * 16 - 2 * (e->seq.frame_crop_left_offset +
							       e->seq.frame_crop_right_offset) ||
	    src->height < e->seq.picture_height_in_mbs * 16 - 2 * (e->seq.frame_crop_top_offset +
								 e->seq.frame_crop_bottom_offset))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_SURFACE,
					"input surface %#x (%ux%u) smaller than the cropped picture",
					src->id, src->width, src->height);

	o.buf = coded->data;
	o.cap = coded->coded_capacity;
	scratch_cap = (size_t)mbs * 400 + 4096;
	scratch = malloc(scratch_cap);
	if (!scratch)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;

	for (i = 0; i < e->num_packed; i++)
		if (e->packed[i].slice_index < 0)
			kmscap_va_for_each_nal(e->packed[i].data, e->packed[i].size,
					       kmscap_va_nal_types, &packed_nals);
	if (e->pic.pic_fields.bits.idr_pic_flag && !(packed_nals & (1u << 7))) {
		kmscap_va_bits_init(&b, scratch, scratch_cap);
		kmscap_va_h264_write_sps(&b, c->config.profile, &e->seq);
		kmscap_va_out_nal(&o, scratch, b.bitpos / 8);
	}
	/*
	 * Generated PPS: on every IDR, and whenever the picture parameters
	 * change it, unless the caller packs its own PPS (then it is in charge).
	 */
	idr = e->pic.pic_fields.bits.idr_pic_flag;
	caller_pps = idr ? !!(packed_nals & (1u << 8)) : e->caller_pps;
	if (!(packed_nals & (1u << 8)) && !caller_pps) {
		kmscap_va_bits_init(&b, scratch, scratch_cap);
		kmscap_va_h264_write_pps(&b, c->config.profile, &e->pic);
		if (e->pic.pic_fields.bits.idr_pic_flag || b.bitpos / 8 != e->last_pps_len ||
		    memcmp(scratch, e->last_pps, e->last_pps_len)) {
			kmscap_va_out_nal(&o, scratch, b.bitpos / 8);
			pps_len = b.bitpos / 8 <= sizeof(pps) ? b.bitpos / 8 : 0;
			memcpy(pps, scratch, pps_len);
		}
	}
	for (i = 0; i < e->num_packed; i++) {
		struct kmscap_va_packed *p = &e->packed[i];

		if (p->slice_index >= 0)
			continue;
		if (p->param.has_emulation_bytes)
			kmscap_va_out_raw(&o, p->data, p->size);
		else if (kmscap_va_for_each_nal(p->data, p->size, kmscap_va_emit_escaped, &o) < 0)
			st = KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					      "packed header %u has no start code", i);
	}
	for (i = 0; i < e->num_slices && st == VA_STATUS_SUCCESS; i++)
		st = kmscap_va_enc_slice(drv, c, src, i, nal_ref_idc, &o, scratch, scratch_cap);
	free(scratch);
	if (st == VA_STATUS_SUCCESS && o.overflow) {
		coded->seg.status = VA_CODED_BUF_STATUS_SLICE_OVERFLOW_MASK;
		coded->seg.size = 0;
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_NOT_ENOUGH_BUFFER,
					"coded buffer %#x of %u bytes overflowed", coded->id,
					coded->coded_capacity);
	}
	if (st != VA_STATUS_SUCCESS)
		return st;
	coded->seg.size = o.len;
	coded->seg.bit_offset = 0;
	coded->seg.status = 0;
	coded->seg.reserved = 0;
	coded->seg.next = NULL;
	kmscap_va_enc_copy_recon(drv, src, e->pic.CurrPic.picture_id);
	e->caller_pps = caller_pps;
	if (pps_len != SIZE_MAX) {
		memcpy(e->last_pps, pps, pps_len);
		e->last_pps_len = pps_len;
	}

	e->active_seq = e->seq;
	e->have_active = true;
	kmscap_va_dpb_update(e, e->pic.pic_fields.bits.idr_pic_flag, nal_ref_idc != 0);
	e->started = true;
	e->prev_frame_num = e->pic.frame_num;
	e->prev_was_ref = nal_ref_idc != 0;
	e->frames++;
	return VA_STATUS_SUCCESS;
}
