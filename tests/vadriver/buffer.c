// SPDX-License-Identifier: MIT
/*
 * buffer.c - VA buffers: parameter buffers, packed headers, coded buffers
 * (returned as a VACodedBufferSegment chain) and image buffers.
 */
#include <stdlib.h>
#include <string.h>

#include "kmscap_va.h"

/*
 * Expected element size of fixed-layout buffer types in a context of the
 * codec, 0 if free-form, -1 if the type is not accepted.
 */
static long kmscap_va_buffer_elem_size(enum kmscap_va_codec codec, VABufferType type)
{
	long size;

	if (codec == KMSCAP_VA_CODEC_HEVC)
		return kmscap_va_hevc_buffer_size(type);
	if (codec == KMSCAP_VA_CODEC_AV1) {
		size = kmscap_va_av1_buffer_size(type);
		if (size >= 0)
			return size;
	}
	if (type == VAProcPipelineParameterBufferType)
		return sizeof(VAProcPipelineParameterBuffer);
	if (codec != KMSCAP_VA_CODEC_H264 && codec != KMSCAP_VA_CODEC_NONE)
		return kmscap_va_enc_buffer_size(type, -1, -1, -1);
	return kmscap_va_enc_buffer_size(type, sizeof(VAEncSequenceParameterBufferH264),
					 sizeof(VAEncPictureParameterBufferH264),
					 sizeof(VAEncSliceParameterBufferH264));
}

VABufferID kmscap_va_buffer_new_image(struct kmscap_va_driver *drv, uint8_t *data,
				      unsigned int size, bool owns, VASurfaceID derived)
{
	struct kmscap_va_buffer *b = calloc(1, sizeof(*b));
	VABufferID id;

	if (!b)
		return VA_INVALID_ID;
	b->type = VAImageBufferType;
	b->context = VA_INVALID_ID;
	b->size = size;
	b->num_elements = 1;
	b->data = data;
	b->owns_data = owns;
	b->derived_surface = derived;
	id = kmscap_va_obj_add(drv, KMSCAP_VA_OBJ_BUFFER, b);
	if (id == VA_INVALID_ID)
		free(b);
	else
		b->id = id;
	return id;
}

void kmscap_va_buffer_free(struct kmscap_va_buffer *b)
{
	if (b->owns_data)
		free(b->data);
	free(b);
}

VAStatus kmscap_va_create_buffer(VADriverContextP ctx, VAContextID context,
				 VABufferType type, unsigned int size,
				 unsigned int num_elements, void *data, VABufferID *buf_id)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	struct kmscap_va_context *c;
	struct kmscap_va_buffer *b;
	size_t total = (size_t)size * num_elements;
	long elem;

	c = kmscap_va_obj_get(drv, KMSCAP_VA_OBJ_CONTEXT, context, NULL);
	if (!c)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_CONTEXT,
					"context %#x does not exist or was destroyed", context);
	elem = kmscap_va_buffer_elem_size(c->config.codec, type);
	if (elem < 0)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNSUPPORTED_BUFFERTYPE,
					"buffer type %d (%s) not supported in a %s context", type,
					vaBufferTypeStr(type), vaProfileStr(c->config.profile));
	if (!size || !num_elements)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%s with size %u x %u elements", vaBufferTypeStr(type),
					size, num_elements);
	if (elem && size != elem)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%s element size %u, expected %ld", vaBufferTypeStr(type),
					size, elem);
	if (type == VAEncCodedBufferType && data)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"coded buffer created with initial data");
	if (total > (256u << 20))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_ALLOCATION_FAILED,
					"buffer of %zu bytes is unreasonably large", total);
	b = calloc(1, sizeof(*b));
	if (!b)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	b->data = calloc(1, total);
	if (!b->data) {
		free(b);
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	}
	b->owns_data = true;
	b->type = type;
	b->context = context;
	b->size = size;
	b->num_elements = num_elements;
	b->derived_surface = VA_INVALID_SURFACE;
	if (type == VAEncCodedBufferType)
		b->coded_capacity = total;
	else if (data)
		memcpy(b->data, data, total);
	b->id = kmscap_va_obj_add(drv, KMSCAP_VA_OBJ_BUFFER, b);
	if (b->id == VA_INVALID_ID) {
		kmscap_va_buffer_free(b);
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	}
	*buf_id = b->id;
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_buffer_set_num_elements(VADriverContextP ctx, VABufferID buf_id,
					   unsigned int num_elements)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VAStatus st = VA_STATUS_SUCCESS;
	struct kmscap_va_buffer *b = kmscap_va_buffer_get(drv, buf_id, &st, __func__);

	if (!b)
		return st;
	if (!num_elements || num_elements > b->num_elements || b->type == VAEncCodedBufferType)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"buffer %#x: %u elements (allocated %u)", buf_id,
					num_elements, b->num_elements);
	b->num_elements = num_elements;
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_map_buffer(VADriverContextP ctx, VABufferID buf_id, void **pbuf)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VAStatus st = VA_STATUS_SUCCESS;
	struct kmscap_va_buffer *b = kmscap_va_buffer_get(drv, buf_id, &st, __func__);

	if (!b)
		return st;
	if (!pbuf)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"buffer %#x: NULL pointer for the mapping", buf_id);
	if (b->type == VAEncCodedBufferType) {
		b->seg.buf = b->data;
		b->seg.next = NULL;
		*pbuf = &b->seg;
	} else {
		*pbuf = b->data;
	}
	b->mapped = true;
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_unmap_buffer(VADriverContextP ctx, VABufferID buf_id)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VAStatus st = VA_STATUS_SUCCESS;
	struct kmscap_va_buffer *b = kmscap_va_buffer_get(drv, buf_id, &st, __func__);

	if (!b)
		return st;
	if (!b->mapped)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_BUFFER,
					"buffer %#x unmapped but not mapped", buf_id);
	b->mapped = false;
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_destroy_buffer(VADriverContextP ctx, VABufferID buf_id)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VAStatus st = VA_STATUS_SUCCESS;
	struct kmscap_va_buffer *b = kmscap_va_buffer_get(drv, buf_id, &st, __func__);

	if (!b)
		return st;
	if (b->type == VAImageBufferType)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_BUFFER,
					"buffer %#x belongs to an image: use vaDestroyImage",
					buf_id);
	kmscap_va_buffer_free(kmscap_va_obj_remove(drv, KMSCAP_VA_OBJ_BUFFER, buf_id));
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_buffer_info(VADriverContextP ctx, VABufferID buf_id, VABufferType *type,
			       unsigned int *size, unsigned int *num_elements)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VAStatus st = VA_STATUS_SUCCESS;
	struct kmscap_va_buffer *b = kmscap_va_buffer_get(drv, buf_id, &st, __func__);

	if (!b)
		return st;
	*type = b->type;
	*size = b->size;
	*num_elements = b->num_elements;
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_sync_buffer(VADriverContextP ctx, VABufferID buf_id, uint64_t timeout_ns)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VAStatus st = VA_STATUS_SUCCESS;
	struct kmscap_va_buffer *b = kmscap_va_buffer_get(drv, buf_id, &st, __func__);

	if (!b)
		return st;
	if (b->type != VAEncCodedBufferType)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_BUFFER,
					"buffer %#x is not a coded buffer", buf_id);
	return VA_STATUS_SUCCESS;
}

struct kmscap_va_buffer *kmscap_va_coded_get(struct kmscap_va_driver *drv, VABufferID id,
					     VAStatus *st, const char *func)
{
	struct kmscap_va_buffer *b = kmscap_va_buffer_get(drv, id, st, func);

	if (b && b->type != VAEncCodedBufferType) {
		*st = kmscap_va_reject(drv, VA_STATUS_ERROR_INVALID_BUFFER, func,
				       "coded_buf %#x is a %s, not a coded buffer", id,
				       vaBufferTypeStr(b->type));
		return NULL;
	}
	return b;
}

void kmscap_va_coded_begin(struct kmscap_va_coded_out *o, struct kmscap_va_buffer *coded)
{
	o->coded = coded;
	o->buf = coded->data;
	o->cap = coded->coded_capacity;
	o->len = 0;
	o->overflow = false;
}

void kmscap_va_coded_raw(struct kmscap_va_coded_out *o, const void *data, size_t n)
{
	if (o->overflow || o->len + n > o->cap) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, data, n);
	o->len += n;
}

void kmscap_va_coded_nal(struct kmscap_va_coded_out *o, const uint8_t *rbsp, size_t n)
{
	static const uint8_t sc[4] = { 0, 0, 0, 1 };
	size_t w;

	kmscap_va_coded_raw(o, sc, sizeof(sc));
	if (o->overflow)
		return;
	w = kmscap_va_nal_escape(o->buf + o->len, o->cap - o->len, rbsp, n);
	if (!w && n)
		o->overflow = true;
	o->len += w;
}

VAStatus kmscap_va_coded_finish(struct kmscap_va_driver *drv, struct kmscap_va_coded_out *o)
{
	VACodedBufferSegment *seg = &o->coded->seg;

	seg->bit_offset = 0;
	seg->reserved = 0;
	seg->next = NULL;
	if (o->overflow) {
		seg->status = VA_CODED_BUF_STATUS_SLICE_OVERFLOW_MASK;
		seg->size = 0;
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_NOT_ENOUGH_BUFFER,
					"coded buffer %#x of %u bytes overflowed", o->coded->id,
					o->coded->coded_capacity);
	}
	seg->status = 0;
	seg->size = o->len;
	return VA_STATUS_SUCCESS;
}
