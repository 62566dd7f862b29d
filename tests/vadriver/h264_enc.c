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

void kmscap_va_enc_reset_picture(struct kmscap_va_enc_state *e)
{
	kmscap_va_packed_reset(&e->pk);
	e->num_slices = 0;
	e->have_seq = e->have_active;
	e->seq_in_pic = false;
	if (e->have_active)
		e->seq = e->active_seq;
	e->have_pic = false;
}

static const char *kmscap_va_rc_name(unsigned int mode)
{
	return mode == VA_RC_CBR ? "CBR" : mode == VA_RC_VBR ? "VBR" : "CQP";
}

static VAStatus kmscap_va_enc_misc_rc(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
				      const VAEncMiscParameterRateControl *rc)
{
	unsigned int mode = c->config.rc_mode;

	/* CQP: rate control settings are meaningless */
	if (mode == VA_RC_CQP)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"rate control parameters sent in CQP mode");
	if (!rc->bits_per_second)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%s: bits_per_second 0", kmscap_va_rc_name(mode));
	if (rc->target_percentage > 100)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%s: target_percentage %u above 100",
					kmscap_va_rc_name(mode), rc->target_percentage);
	if (mode == VA_RC_VBR && !rc->target_percentage)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"VBR: target_percentage 0 (a target bit rate of 0)");
	if (rc->initial_qp > 51 || rc->min_qp > 51 || rc->max_qp > 51)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%s: QP initial %u / min %u / max %u outside 0..51",
					kmscap_va_rc_name(mode), rc->initial_qp, rc->min_qp,
					rc->max_qp);
	if (rc->max_qp && rc->min_qp > rc->max_qp)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%s: min_qp %u above max_qp %u", kmscap_va_rc_name(mode),
					rc->min_qp, rc->max_qp);
	c->enc.rc.rc = *rc;
	c->enc.rc.have_rc = true;
	c->enc.rc.changed = true;
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_enc_misc(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
			    struct kmscap_va_buffer *b)
{
	const VAEncMiscParameterBuffer *m = (const void *)b->data;
	size_t payload = (size_t)b->size * b->num_elements;
	const VAEncMiscParameterHRD *hrd;
	uint32_t fr;

	if (payload < sizeof(*m))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"misc parameter buffer %#x of %zu bytes", b->id, payload);
	payload -= sizeof(*m);
	switch (m->type) {
	case VAEncMiscParameterTypeFrameRate:
		if (payload < sizeof(VAEncMiscParameterFrameRate))
			break;
		/* numerator in the low 16 bits, denominator (0 means 1) in the high */
		fr = ((const VAEncMiscParameterFrameRate *)m->data)->framerate;
		if (!(fr & 0xffff))
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"frame rate %#x: numerator 0", fr);
		c->enc.rc.fr_num = fr & 0xffff;
		c->enc.rc.fr_den = fr >> 16 ? fr >> 16 : 1;
		c->enc.rc.have_fr = true;
		c->enc.rc.changed = true;
		return VA_STATUS_SUCCESS;
	case VAEncMiscParameterTypeRateControl:
		if (payload < sizeof(VAEncMiscParameterRateControl))
			break;
		return kmscap_va_enc_misc_rc(drv, c, (const void *)m->data);
	case VAEncMiscParameterTypeHRD:
		if (payload < sizeof(VAEncMiscParameterHRD))
			break;
		hrd = (const void *)m->data;
		if (c->config.rc_mode != VA_RC_CQP && !hrd->buffer_size)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"%s: HRD buffer_size 0",
						kmscap_va_rc_name(c->config.rc_mode));
		if (hrd->initial_buffer_fullness > hrd->buffer_size)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"HRD initial_buffer_fullness %u above buffer_size %u",
						hrd->initial_buffer_fullness, hrd->buffer_size);
		c->enc.rc.hrd = *hrd;
		c->enc.rc.have_hrd = true;
		c->enc.rc.changed = true;
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

/*
 * CBR and VBR need the rate control, frame rate and (CBR) HRD parameters
 * before the first picture; they are recorded and logged, not honoured.
 */
VAStatus kmscap_va_enc_check_rc(struct kmscap_va_driver *drv, struct kmscap_va_context *c)
{
	struct kmscap_va_rc *r = &c->enc.rc;
	unsigned int mode = c->config.rc_mode;

	if (mode == VA_RC_CQP)
		return VA_STATUS_SUCCESS;
	if (!r->have_rc)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%s context without a rate control misc parameter buffer",
					kmscap_va_rc_name(mode));
	if (!r->have_fr)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%s context without a frame rate misc parameter buffer",
					kmscap_va_rc_name(mode));
	if (mode == VA_RC_CBR && (!r->have_hrd || !r->hrd.buffer_size))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"CBR context without an HRD buffer size");
	if (r->changed) {
		r->changed = false;
		kmscap_va_reject(drv, VA_STATUS_SUCCESS, "rate control",
				 "%s %u bit/s, target %u%%, window %u ms, QP initial %u min %u max %u, HRD buffer %u bits initial %u, %u/%u fps: recorded, not honoured (the output is lossless: PCM or lossless blocks only)",
				 kmscap_va_rc_name(mode), r->rc.bits_per_second,
				 r->rc.target_percentage, r->rc.window_size, r->rc.initial_qp,
				 r->rc.min_qp, r->rc.max_qp,
				 r->have_hrd ? r->hrd.buffer_size : 0,
				 r->have_hrd ? r->hrd.initial_buffer_fullness : 0, r->fr_num,
				 r->fr_den);
	}
	return VA_STATUS_SUCCESS;
}


VAStatus kmscap_va_enc_render(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
			      struct kmscap_va_buffer *b)
{
	const struct kmscap_va_enc_slots s = KMSCAP_VA_ENC_SLOTS(&c->enc, false,
								 "an encode picture");

	return kmscap_va_enc_render_slots(drv, c, b, &s);
}

/* Writes one slice NAL: packed or generated header, then I_PCM data. */
static VAStatus kmscap_va_enc_slice(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
				    struct kmscap_va_surface *src, unsigned int index,
				    unsigned int nal_ref_idc, struct kmscap_va_coded_out *o,
				    uint8_t *scratch, size_t scratch_cap)
{
	struct kmscap_va_enc_state *e = &c->enc;
	const VAEncSliceParameterBufferH264 *sl = &e->slices[index];
	struct kmscap_va_packed *p = kmscap_va_packed_slice(&e->pk, index);
	struct kmscap_va_bits b;
	unsigned int i;

	kmscap_va_bits_init(&b, scratch, scratch_cap);
	if (p) {
		size_t sc = kmscap_va_start_code(p->data, p->size);
		size_t nal_bits, n;
		uint8_t *tmp;
		unsigned int type;

		if (!sc || p->param.bit_length < 8 * (sc + 1))
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed slice header %u has no start code", index);
		tmp = kmscap_va_packed_rbsp(p, sc, &n);
		if (!tmp)
			return VA_STATUS_ERROR_ALLOCATION_FAILED;
		/* less the emulation prevention bytes removed */
		nal_bits = p->param.bit_length - 8 * sc - 8 * (p->size - sc - n);
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
	kmscap_va_coded_nal(o, scratch, b.bitpos / 8);
	return VA_STATUS_SUCCESS;
}


VAStatus kmscap_va_enc_execute(struct kmscap_va_driver *drv, struct kmscap_va_context *c)
{
	struct kmscap_va_enc_state *e = &c->enc;
	struct kmscap_va_surface *src;
	struct kmscap_va_buffer *coded;
	struct kmscap_va_coded_out o;
	struct kmscap_va_enc_slots slots;
	struct kmscap_va_bits b;
	unsigned int nal_ref_idc = 0, i, mbs;
	uint32_t packed_nals = 0;
	VAStatus st = VA_STATUS_SUCCESS;
	size_t scratch_cap, need, pps_len = SIZE_MAX;
	uint8_t pps[sizeof(e->last_pps)];
	bool idr, caller_pps;
	uint8_t *scratch;

	slots = KMSCAP_VA_ENC_SLOTS(e, false, "an encode picture");
	st = kmscap_va_enc_check_begun(drv, &slots);
	if (st == VA_STATUS_SUCCESS)
		st = kmscap_va_enc_check_seq(drv, c);
	if (st == VA_STATUS_SUCCESS)
		st = kmscap_va_enc_check_pic(drv, c, &nal_ref_idc);
	if (st == VA_STATUS_SUCCESS)
		st = kmscap_va_enc_check_slices(drv, c);
	if (st == VA_STATUS_SUCCESS)
		st = kmscap_va_enc_check_rc(drv, c);
	if (st != VA_STATUS_SUCCESS)
		return st;
	coded = kmscap_va_coded_get(drv, e->pic.coded_buf, &st, __func__);
	if (!coded)
		return st;
	mbs = e->seq.picture_width_in_mbs * e->seq.picture_height_in_mbs;
	need = (size_t)mbs * 384 + 1024;
	for (i = 0; i < e->pk.num; i++)
		need += e->pk.packed[i].size;
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

	kmscap_va_coded_begin(&o, coded);
	scratch_cap = (size_t)mbs * 400 + 4096;
	scratch = malloc(scratch_cap);
	if (!scratch)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;

	st = kmscap_va_h264_check_packed(drv, c, &packed_nals);
	if (st != VA_STATUS_SUCCESS) {
		free(scratch);
		return st;
	}
	if (e->pic.pic_fields.bits.idr_pic_flag && !(packed_nals & (1u << 7))) {
		kmscap_va_bits_init(&b, scratch, scratch_cap);
		kmscap_va_h264_write_sps(&b, c->config.profile, &e->seq);
		kmscap_va_coded_nal(&o, scratch, b.bitpos / 8);
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
			kmscap_va_coded_nal(&o, scratch, b.bitpos / 8);
			pps_len = b.bitpos / 8 <= sizeof(pps) ? b.bitpos / 8 : 0;
			memcpy(pps, scratch, pps_len);
		}
	}
	kmscap_va_h264_emit_packed(c, &o);
	for (i = 0; i < e->num_slices && st == VA_STATUS_SUCCESS; i++)
		st = kmscap_va_enc_slice(drv, c, src, i, nal_ref_idc, &o, scratch, scratch_cap);
	free(scratch);
	if (st != VA_STATUS_SUCCESS)
		return st;
	st = kmscap_va_coded_finish(drv, &o);
	if (st != VA_STATUS_SUCCESS)
		return st;
	kmscap_va_copy_recon(drv, src, e->pic.CurrPic.picture_id);
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
