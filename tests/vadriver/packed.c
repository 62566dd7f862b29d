// SPDX-License-Identifier: MIT
/*
 * packed.c - what the H.264 and HEVC encoders share: packed headers
 * collected per picture (a parameter buffer, then its data), slice
 * parameter arrays, the parameter buffers of a picture, Annex B start
 * codes and NAL units, and the reconstructed picture (the input, the
 * coding being lossless).
 */
#include <stdlib.h>
#include <string.h>

#include "kmscap_va.h"

void kmscap_va_packed_reset(struct kmscap_va_packed_set *set)
{
	unsigned int i;

	for (i = 0; i < set->num; i++)
		free(set->packed[i].data);
	set->num = 0;
	set->pending_param = false;
}

VAStatus kmscap_va_packed_render(struct kmscap_va_driver *drv, const struct kmscap_va_context *c,
				 struct kmscap_va_packed_set *set, struct kmscap_va_buffer *b,
				 bool slice_aligned)
{
	struct kmscap_va_packed *p;
	size_t len = (size_t)b->size * b->num_elements;
	unsigned int type_flag;

	if (b->type == VAEncPackedHeaderParameterBufferType) {
		if (set->pending_param)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"two packed header parameter buffers in a row");
		memcpy(&set->pending, b->data, sizeof(set->pending));
		switch (set->pending.type) {
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
			if (set->pending.type & 0x80000000u) {	/* VAEncPackedHeaderMiscMask */
				type_flag = VA_ENC_PACKED_HEADER_MISC;
				break;
			}
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed header type %#x unknown", set->pending.type);
		}
		if (!(c->config.packed_headers & type_flag))
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed header type %#x not declared in config (%#x)",
						set->pending.type, c->config.packed_headers);
		if (!set->pending.bit_length)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						"packed header of 0 bits");
		set->pending_param = true;
		return VA_STATUS_SUCCESS;
	}
	if (!set->pending_param)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed header data %#x without a parameter buffer before it",
					b->id);
	if (len * 8 < set->pending.bit_length)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed header data of %zu bytes shorter than %u bits", len,
					set->pending.bit_length);
	if (slice_aligned && set->pending.type == VAEncPackedHeaderSlice && set->pending.bit_length % 8)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed slice header of %u bits: it must end with its byte_alignment()",
					set->pending.bit_length);
	if (set->num == KMSCAP_VA_MAX_PACKED)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_MAX_NUM_EXCEEDED,
					"more than %d packed headers in a picture",
					KMSCAP_VA_MAX_PACKED);
	p = &set->packed[set->num];
	p->data = malloc(len);
	if (!p->data)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	memcpy(p->data, b->data, len);
	p->size = (set->pending.bit_length + 7) / 8;
	p->param = set->pending;
	p->slice_index = -1;
	if (p->param.type == VAEncPackedHeaderSlice) {
		unsigned int i, n = 0;

		for (i = 0; i < set->num; i++)
			n += set->packed[i].slice_index >= 0;
		p->slice_index = n;
	}
	set->num++;
	set->pending_param = false;
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_slices_append(struct kmscap_va_driver *drv, void **slices, unsigned int *num,
				 const struct kmscap_va_buffer *b, size_t elem)
{
	uint8_t *sl;

	if (*num + b->num_elements > KMSCAP_VA_MAX_SLICES)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_MAX_NUM_EXCEEDED,
					"more than %d slices", KMSCAP_VA_MAX_SLICES);
	sl = realloc(*slices, (*num + b->num_elements) * elem);
	if (!sl)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	*slices = sl;
	memcpy(sl + *num * elem, b->data, b->num_elements * elem);
	*num += b->num_elements;
	return VA_STATUS_SUCCESS;
}

struct kmscap_va_packed *kmscap_va_packed_slice(struct kmscap_va_packed_set *set,
						unsigned int index)
{
	struct kmscap_va_packed *p = NULL;
	unsigned int i;

	for (i = 0; i < set->num; i++)
		if (set->packed[i].slice_index == (int)index)
			p = &set->packed[i];
	return p;
}

uint8_t *kmscap_va_packed_rbsp(const struct kmscap_va_packed *p, size_t sc, size_t *n)
{
	uint8_t *tmp;

	*n = p->size - sc;
	tmp = malloc(*n);
	if (!tmp)
		return NULL;
	if (p->param.has_emulation_bytes)
		*n = kmscap_va_nal_unescape(tmp, p->data + sc, *n);
	else
		memcpy(tmp, p->data + sc, *n);
	return tmp;
}

size_t kmscap_va_start_code(const uint8_t *p, size_t n)
{
	if (n >= 3 && !p[0] && !p[1] && p[2] == 1)
		return 3;
	if (n >= 4 && !p[0] && !p[1] && !p[2] && p[3] == 1)
		return 4;
	return 0;
}

int kmscap_va_for_each_nal(const uint8_t *p, size_t n,
			   void (*fn)(void *arg, const uint8_t *nal, size_t len), void *arg)
{
	size_t i, start, sc = kmscap_va_start_code(p, n);
	int count = 0;

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

static void kmscap_va_note_nal(void *arg, const uint8_t *nal, size_t len)
{
	struct kmscap_va_nals *out = arg;

	if (out->n == KMSCAP_VA_MAX_NALS) {
		out->too_many = true;
		return;
	}
	out->off[out->n] = nal - out->base;
	out->len[out->n++] = len;
}

int kmscap_va_packed_split(const struct kmscap_va_packed *p, struct kmscap_va_nals *out)
{
	size_t sc = kmscap_va_start_code(p->data, p->size);

	out->base = p->data;
	out->n = 0;
	out->too_many = false;
	if (!sc)
		return -1;
	/*
	 * Without emulation prevention the data may hold 00 00 01 anywhere:
	 * it is one NAL unit, as drivers take it (they escape it whole).
	 */
	if (!p->param.has_emulation_bytes) {
		kmscap_va_note_nal(out, p->data + sc, p->size - sc);
		return 0;
	}
	if (kmscap_va_for_each_nal(p->data, p->size, kmscap_va_note_nal, out) < 0 ||
	    out->too_many)
		return -1;
	return 0;
}

VAStatus kmscap_va_enc_render_slots(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
				    struct kmscap_va_buffer *b,
				    const struct kmscap_va_enc_slots *s)
{
	if (s->pk->pending_param && b->type != VAEncPackedHeaderDataBufferType)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed header parameter not followed by its data");
	switch (b->type) {
	case VAEncSequenceParameterBufferType:
		memcpy(s->seq, b->data, s->seq_size);
		*s->have_seq = true;
		*s->seq_in_pic = true;
		return VA_STATUS_SUCCESS;
	case VAEncPictureParameterBufferType:
		memcpy(s->pic, b->data, s->pic_size);
		*s->have_pic = true;
		return VA_STATUS_SUCCESS;
	case VAEncSliceParameterBufferType:
		return kmscap_va_slices_append(drv, s->slices, s->num_slices, b, s->slice_size);
	case VAEncPackedHeaderParameterBufferType:
	case VAEncPackedHeaderDataBufferType:
		return kmscap_va_packed_render(drv, c, s->pk, b, s->slice_aligned);
	case VAEncMiscParameterBufferType:
		/* rate control, HRD, frame rate: into c->enc.rc */
		return kmscap_va_enc_misc(drv, c, b);
	default:
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNSUPPORTED_BUFFERTYPE,
					"buffer %#x of type %s in %s", b->id,
					vaBufferTypeStr(b->type), s->what);
	}
}

VAStatus kmscap_va_enc_check_begun(struct kmscap_va_driver *drv,
				   const struct kmscap_va_enc_slots *s)
{
	if (s->pk->pending_param)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"packed header parameter without data at vaEndPicture");
	if (!*s->have_seq)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"picture without a sequence parameter buffer");
	if (!*s->have_pic)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"picture without a picture parameter buffer");
	return VA_STATUS_SUCCESS;
}

long kmscap_va_enc_buffer_size(VABufferType type, long seq, long pic, long slice)
{
	switch (type) {
	case VAEncSequenceParameterBufferType:
		return seq;
	case VAEncPictureParameterBufferType:
		return pic;
	case VAEncSliceParameterBufferType:
		return slice;
	case VAEncPackedHeaderParameterBufferType:
		return sizeof(VAEncPackedHeaderParameterBuffer);
	case VAEncPackedHeaderDataBufferType:
	case VAEncMiscParameterBufferType:
	case VAEncCodedBufferType:
		return 0;
	default:
		return -1;
	}
}

void kmscap_va_copy_recon(struct kmscap_va_driver *drv, const struct kmscap_va_surface *src,
			  VASurfaceID id)
{
	struct kmscap_va_surface *r = kmscap_va_obj_get(drv, KMSCAP_VA_OBJ_SURFACE, id, NULL);

	/* lossless coding: the reconstruction is the input */
	if (r && r != src && r->fourcc == src->fourcc && r->size == src->size)
		memcpy(r->data, src->data, src->size);
}
