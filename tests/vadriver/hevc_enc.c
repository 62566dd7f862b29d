// SPDX-License-Identifier: MIT
/*
 * hevc_enc.c - HEVC Main/Main10 encode: the config attributes, collecting
 * the buffers of a picture, and writing the access unit in which every
 * coding unit is PCM (lossless; see hevc_cabac.c).
 *
 * VPS/SPS/PPS and slice segment headers come from the parameter buffers
 * (hevc_bitstream.c) unless the caller packs them: a packed sequence header
 * buffer may hold VPS, SPS and PPS NAL units (ffmpeg's hevc_vaapi does so),
 * a packed picture header a PPS, a packed slice header the slice segment
 * header NAL up to and including its byte_alignment(), to which the slice
 * data is appended.  A packed SPS and PPS are read back and must agree
 * with the parameters on what the slice data depends on.
 */
#include <stdlib.h>
#include <string.h>

#include "kmscap_va.h"

#define KMSCAP_VA_HEVC_PACKED	(VA_ENC_PACKED_HEADER_SEQUENCE | \
				 VA_ENC_PACKED_HEADER_PICTURE | \
				 VA_ENC_PACKED_HEADER_SLICE | \
				 VA_ENC_PACKED_HEADER_MISC | \
				 VA_ENC_PACKED_HEADER_RAW_DATA)
#define KMSCAP_VA_HEVC_SLICE_STRUCTURE	(VA_ENC_SLICE_STRUCTURE_ARBITRARY_MACROBLOCKS | \
					 VA_ENC_SLICE_STRUCTURE_ARBITRARY_ROWS | \
					 VA_ENC_SLICE_STRUCTURE_POWER_OF_TWO_ROWS)

/*
 * KMSCAP_VA_HEVC_GPB=1 emulates a low-power encoder (Intel's VDEnc behind
 * VAEntrypointEncSliceLP is one) that codes no P slices: it declares
 * VA_PREDICTION_DIRECTION_BI_NOT_EMPTY and wants "generalised P and B",
 * B slices whose RefPicList1 repeats RefPicList0.  Read once per display,
 * at vaInitialize(), so a display keeps one behaviour.
 */
bool kmscap_va_hevc_gpb(struct kmscap_va_driver *drv)
{
	if (!drv->hevc_gpb_read) {
		const char *v = getenv("KMSCAP_VA_HEVC_GPB");

		drv->hevc_gpb = v && *v && strcmp(v, "0") != 0;
		drv->hevc_gpb_read = true;
		if (drv->hevc_gpb)
			kmscap_va_reject(drv, VA_STATUS_SUCCESS, "HEVC", "KMSCAP_VA_HEVC_GPB=%s: HEVC codes no P slices, only B slices whose list 1 repeats list 0 (VA_PREDICTION_DIRECTION_BI_NOT_EMPTY)",
				      v);
	}
	return drv->hevc_gpb;
}

uint32_t kmscap_va_hevc_attrib(VAProfile profile, VAEntrypoint ep, VAConfigAttribType type,
			       bool gpb)
{
	switch (type) {
	case VAConfigAttribRTFormat:
		return profile == VAProfileHEVCMain10 ? VA_RT_FORMAT_YUV420_10 :
		       VA_RT_FORMAT_YUV420;
	case VAConfigAttribRateControl:
		return VA_RC_CQP | VA_RC_CBR | VA_RC_VBR;
	case VAConfigAttribEncPackedHeaders:
		return KMSCAP_VA_HEVC_PACKED;
	case VAConfigAttribEncInterlaced:
		return VA_ENC_INTERLACED_NONE;
	case VAConfigAttribEncMaxRefFrames:
		/* list 0 only: no B slices; GPB: list 1 repeats list 0 */
		return KMSCAP_VA_HEVC_MAX_REFS | (gpb ? KMSCAP_VA_HEVC_MAX_REFS << 16 : 0);
	case VAConfigAttribPredictionDirection:
		return gpb ? VA_PREDICTION_DIRECTION_PREVIOUS |
			     VA_PREDICTION_DIRECTION_BI_NOT_EMPTY : VA_ATTRIB_NOT_SUPPORTED;
	case VAConfigAttribEncMaxSlices:
		return KMSCAP_VA_MAX_SLICES;
	case VAConfigAttribEncSliceStructure:
		return KMSCAP_VA_HEVC_SLICE_STRUCTURE;
	case VAConfigAttribMaxPictureWidth:
		return KMSCAP_VA_MAX_WIDTH;
	case VAConfigAttribMaxPictureHeight:
		return KMSCAP_VA_MAX_HEIGHT;
	case VAConfigAttribEncHEVCFeatures:
		return kmscap_va_hevc_features();
	case VAConfigAttribEncHEVCBlockSizes:
		return kmscap_va_hevc_block_sizes();
	default:
		return VA_ATTRIB_NOT_SUPPORTED;
	}
}

long kmscap_va_hevc_buffer_size(VABufferType type)
{
	return kmscap_va_enc_buffer_size(type, sizeof(VAEncSequenceParameterBufferHEVC),
					 sizeof(VAEncPictureParameterBufferHEVC),
					 sizeof(VAEncSliceParameterBufferHEVC));
}

VAStatus kmscap_va_hevc_create(struct kmscap_va_driver *drv, struct kmscap_va_context *c)
{
	c->hevc = calloc(1, sizeof(*c->hevc));
	return c->hevc ? VA_STATUS_SUCCESS : VA_STATUS_ERROR_ALLOCATION_FAILED;
}

void kmscap_va_hevc_reset_picture(struct kmscap_va_context *c)
{
	struct kmscap_va_hevc_state *h = c->hevc;

	kmscap_va_packed_reset(&h->pk);
	h->num_slices = 0;
	h->have_seq = h->have_active;
	h->seq_in_pic = false;
	if (h->have_active)
		h->seq = h->active_seq;
	h->have_pic = false;
}

void kmscap_va_hevc_destroy(struct kmscap_va_context *c)
{
	if (c->hevc) {
		kmscap_va_hevc_reset_picture(c);
		free(c->hevc->slices);
	}
	free(c->hevc);
	c->hevc = NULL;
}


VAStatus kmscap_va_hevc_render(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
			       struct kmscap_va_buffer *b)
{
	const struct kmscap_va_enc_slots s = KMSCAP_VA_ENC_SLOTS(c->hevc, true,
								 "an HEVC encode picture");

	return kmscap_va_enc_render_slots(drv, c, b, &s);
}

/* The NAL units of an Annex B buffer: offsets and lengths, start codes excluded. */
/*
 * The caller's non-slice headers: written to the output (escaped unless
 * they already are), VPS/SPS/PPS noted in *types, SPS and PPS checked.
 */
static VAStatus kmscap_va_hevc_emit_packed(struct kmscap_va_driver *drv,
					   struct kmscap_va_context *c,
					   struct kmscap_va_coded_out *o, uint64_t *types)
{
	struct kmscap_va_hevc_state *h = c->hevc;
	struct kmscap_va_hevc_sps_info si;
	struct kmscap_va_hevc_pps_info pi;
	struct kmscap_va_nals nals;
	VAStatus st;
	unsigned int i, j;

	for (i = 0; i < h->pk.num; i++) {
		struct kmscap_va_packed *p = &h->pk.packed[i];

		if (p->slice_index >= 0)
			continue;
		if (kmscap_va_packed_split(p, &nals) < 0)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed header %u: no start code, or more than 16 NAL units",
						i);
		for (j = 0; j < nals.n; j++) {
			const uint8_t *nal = p->data + nals.off[j];
			size_t len = nals.len[j];
			unsigned int type = len >= 2 ? (nal[0] >> 1) & 0x3f : 64;
			uint8_t *rbsp;
			size_t rlen;
			int bad = 0;

			if (type == 64)
				return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
							"packed header %u: NAL unit %u of %zu bytes",
							i, j, len);
			if (type < 32)
				return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
							"packed header %u holds a slice NAL unit (type %u): slices come from slice parameters",
							i, type);
			*types |= 1ull << type;
			if (p->param.has_emulation_bytes) {
				/* zero_byte + start code: parameter sets need the 4 bytes */
				kmscap_va_coded_raw(o, "\0\0\0\1", 4);
				kmscap_va_coded_raw(o, nal, len);
			} else {
				kmscap_va_coded_nal(o, nal, len);
			}
			if (type != 33 && type != 34)
				continue;
			rbsp = malloc(len);
			if (!rbsp)
				return VA_STATUS_ERROR_ALLOCATION_FAILED;
			rlen = kmscap_va_nal_unescape(rbsp, nal, len);
			if (type == 33)
				bad = kmscap_va_hevc_parse_sps(rbsp, rlen, &si);
			else
				bad = kmscap_va_hevc_parse_pps(rbsp, rlen, &pi);
			free(rbsp);
			if (bad)
				return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
							"packed %s in header %u cannot be read",
							type == 33 ? "SPS" : "PPS", i);
			st = type == 33 ? kmscap_va_hevc_check_sps_info(drv, h, &si) :
			     kmscap_va_hevc_check_pps_info(drv, h, &pi);
			if (st != VA_STATUS_SUCCESS)
				return st;
		}
	}
	return VA_STATUS_SUCCESS;
}

/* One slice segment NAL: the packed or generated header, then the PCM data. */
static VAStatus kmscap_va_hevc_slice(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
				     struct kmscap_va_surface *src, unsigned int index,
				     struct kmscap_va_coded_out *o, uint8_t *scratch, size_t cap)
{
	struct kmscap_va_hevc_state *h = c->hevc;
	const VAEncSliceParameterBufferHEVC *sl = &h->slices[index];
	struct kmscap_va_packed *p = kmscap_va_packed_slice(&h->pk, index);
	struct kmscap_va_bits b;

	kmscap_va_bits_init(&b, scratch, cap);
	if (p) {
		size_t sc = kmscap_va_start_code(p->data, p->size), n;
		unsigned int type;
		uint8_t *tmp;

		if (!sc || p->size < sc + 3)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed slice header %u has no start code or no body",
						index);
		tmp = kmscap_va_packed_rbsp(p, sc, &n);
		if (!tmp)
			return VA_STATUS_ERROR_ALLOCATION_FAILED;
		type = (tmp[0] >> 1) & 0x3f;
		if (type != h->pic.nal_unit_type || !(tmp[2] & 0x80) != !!sl->slice_segment_address) {
			free(tmp);
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed slice header %u: NAL type %u (picture: %u) or first_slice_segment_in_pic_flag not matching address %u",
						index, type, h->pic.nal_unit_type,
						sl->slice_segment_address);
		}
		kmscap_va_bits_put_bytes(&b, tmp, n);
		free(tmp);
	} else {
		kmscap_va_hevc_write_slice_header(&b, h, sl);
	}
	kmscap_va_hevc_write_slice_data(&b, src, h, sl);
	if (b.overflow)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_NOT_ENOUGH_BUFFER,
					"slice %u larger than its scratch buffer", index);
	kmscap_va_coded_nal(o, scratch, b.bitpos / 8);
	return VA_STATUS_SUCCESS;
}

/* Bytes the coded buffer must hold: raw samples, CU overhead, headers. */
static size_t kmscap_va_hevc_need(const struct kmscap_va_hevc_state *h)
{
	const VAEncSequenceParameterBufferHEVC *seq = &h->seq;
	size_t px = (size_t)seq->pic_width_in_luma_samples * seq->pic_height_in_luma_samples;
	unsigned int depth = seq->seq_fields.bits.bit_depth_luma_minus8 + 8;
	size_t need = px * 3 / 2 * depth / 8 + px / 64 * 4 + 1024;
	unsigned int i;

	for (i = 0; i < h->pk.num; i++)
		need += h->pk.packed[i].size;
	return need + (size_t)h->num_slices * 64;
}


/* After a picture: the DPB is what its RPS kept, plus the picture if it is a reference. */
static void kmscap_va_hevc_dpb_update(struct kmscap_va_hevc_state *h)
{
	const VAEncPictureParameterBufferHEVC *pic = &h->pic;
	struct kmscap_va_hevc_ref kept[KMSCAP_VA_HEVC_MAX_REFS + 1];
	unsigned int n = 0, i, j;

	for (i = 0; i < h->dpb_count && !pic->pic_fields.bits.idr_pic_flag; i++)
		for (j = 0; j < 15; j++) {
			const VAPictureHEVC *r = &pic->reference_frames[j];

			if (r->picture_id != VA_INVALID_SURFACE &&
			    !(r->flags & VA_PICTURE_HEVC_INVALID) &&
			    r->picture_id == h->dpb[i].surface &&
			    r->pic_order_cnt == h->dpb[i].poc) {
				kept[n++] = h->dpb[i];
				break;
			}
		}
	if (pic->pic_fields.bits.reference_pic_flag && n <= KMSCAP_VA_HEVC_MAX_REFS) {
		kept[n].surface = pic->decoded_curr_pic.picture_id;
		kept[n++].poc = pic->decoded_curr_pic.pic_order_cnt;
	}
	memcpy(h->dpb, kept, n * sizeof(kept[0]));
	h->dpb_count = n;
}

VAStatus kmscap_va_hevc_execute(struct kmscap_va_driver *drv, struct kmscap_va_context *c)
{
	struct kmscap_va_hevc_state *h = c->hevc;
	struct kmscap_va_coded_out o;
	struct kmscap_va_enc_slots slots;
	struct kmscap_va_surface *src;
	struct kmscap_va_buffer *coded;
	struct kmscap_va_bits b;
	VAStatus st = VA_STATUS_SUCCESS;
	uint64_t types = 0;
	size_t cap, need;
	uint8_t *scratch;
	bool idr, caller_headers;
	unsigned int i;

	slots = KMSCAP_VA_ENC_SLOTS(h, true, "an HEVC encode picture");
	st = kmscap_va_enc_check_begun(drv, &slots);
	if (st == VA_STATUS_SUCCESS)
		st = kmscap_va_hevc_check_seq(drv, c);
	if (st == VA_STATUS_SUCCESS)
		st = kmscap_va_hevc_check_pic(drv, c);
	if (st == VA_STATUS_SUCCESS)
		st = kmscap_va_hevc_check_slices(drv, c);
	if (st == VA_STATUS_SUCCESS)
		st = kmscap_va_enc_check_rc(drv, c);
	if (st != VA_STATUS_SUCCESS)
		return st;
	coded = kmscap_va_coded_get(drv, h->pic.coded_buf, &st, __func__);
	if (!coded)
		return st;
	need = kmscap_va_hevc_need(h);
	if (coded->coded_capacity < need)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_NOT_ENOUGH_BUFFER,
					"coded buffer %#x of %u bytes, at least %zu needed",
					coded->id, coded->coded_capacity, need);
	src = kmscap_va_surface_get(drv, c->render_target, &st, __func__);
	if (!src)
		return st;

	cap = need + 4096;
	scratch = malloc(cap);
	if (!scratch)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	kmscap_va_coded_begin(&o, coded);
	idr = h->pic.pic_fields.bits.idr_pic_flag;
	/* the caller's headers first, to see which parameter sets it sends */
	{
		struct kmscap_va_coded_out probe = o;

		probe.buf = scratch;
		probe.cap = cap;
		st = kmscap_va_hevc_emit_packed(drv, c, &probe, &types);
	}
	caller_headers = idr ? !!(types & (1ull << 33)) : h->caller_headers;
	if (st == VA_STATUS_SUCCESS && idr && !caller_headers &&
	    (types & (1ull << 32 | 1ull << 34)))
		st = KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
				      "packed VPS or PPS without a packed SPS: pack all three or none");
	if (st == VA_STATUS_SUCCESS && caller_headers) {
		for (i = 0; i < h->num_slices; i++) {
			if (!kmscap_va_packed_slice(&h->pk, i)) {
				st = KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						      "slice %u has no packed header although the caller packs the SPS/PPS: generated slice headers need the driver's own",
						      i);
				break;
			}
		}
	}
	if (st != VA_STATUS_SUCCESS) {
		free(scratch);
		return st;
	}
	if (!caller_headers) {
		if (idr) {
			kmscap_va_bits_init(&b, scratch, cap);
			kmscap_va_hevc_write_vps(&b, &h->seq);
			kmscap_va_coded_nal(&o, scratch, b.bitpos / 8);
			kmscap_va_bits_init(&b, scratch, cap);
			kmscap_va_hevc_write_sps(&b, c, &h->seq);
			kmscap_va_coded_nal(&o, scratch, b.bitpos / 8);
		}
		kmscap_va_bits_init(&b, scratch, cap);
		kmscap_va_hevc_write_pps(&b, &h->seq, &h->pic);
		if (idr || b.bitpos / 8 != h->last_pps_len ||
		    memcmp(scratch, h->last_pps, h->last_pps_len)) {
			kmscap_va_coded_nal(&o, scratch, b.bitpos / 8);
			h->last_pps_len = b.bitpos / 8 <= sizeof(h->last_pps) ? b.bitpos / 8 : 0;
			memcpy(h->last_pps, scratch, h->last_pps_len);
		}
	}
	st = kmscap_va_hevc_emit_packed(drv, c, &o, &types);
	for (i = 0; i < h->num_slices && st == VA_STATUS_SUCCESS; i++)
		st = kmscap_va_hevc_slice(drv, c, src, i, &o, scratch, cap);
	free(scratch);
	if (st != VA_STATUS_SUCCESS)
		return st;
	st = kmscap_va_coded_finish(drv, &o);
	if (st != VA_STATUS_SUCCESS)
		return st;
	kmscap_va_copy_recon(drv, src, h->pic.decoded_curr_pic.picture_id);
	h->caller_headers = caller_headers;
	h->active_seq = h->seq;
	h->have_active = true;
	kmscap_va_hevc_dpb_update(h);
	h->started = true;
	h->prev_poc = h->pic.decoded_curr_pic.pic_order_cnt;
	h->frames++;
	return VA_STATUS_SUCCESS;
}
