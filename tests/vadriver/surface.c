// SPDX-License-Identifier: MIT
/*
 * surface.c - surfaces owned by the driver (memfd-backed, so that they can
 * be exported), surface attributes, synchronisation and export.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "kmscap_va.h"
#include "tiling.h"

#define KMSCAP_VA_ALIGN(x, a)	(((x) + (a) - 1) / (a) * (a))

static const unsigned int kmscap_va_vpp_fourccs[] = {
	VA_FOURCC_NV12, VA_FOURCC_P010,
	VA_FOURCC_BGRX, VA_FOURCC_BGRA, VA_FOURCC_RGBX, VA_FOURCC_RGBA,
	VA_FOURCC_X2R10G10B10, VA_FOURCC_A2R10G10B10,
	VA_FOURCC_X2B10G10R10, VA_FOURCC_A2B10G10R10,
};

static unsigned int kmscap_va_default_fourcc(unsigned int rt_format)
{
	switch (rt_format) {
	case VA_RT_FORMAT_YUV420:
		return VA_FOURCC_NV12;
	case VA_RT_FORMAT_YUV420_10:
		return VA_FOURCC_P010;
	case VA_RT_FORMAT_RGB32:
		return VA_FOURCC_BGRX;
	case VA_RT_FORMAT_RGB32_10:
		return VA_FOURCC_X2R10G10B10;
	default:
		return 0;
	}
}

static unsigned int kmscap_va_fourcc_rt_format(unsigned int fourcc)
{
	unsigned int rt;

	if (fourcc == VA_FOURCC_NV12)
		return VA_RT_FORMAT_YUV420;
	if (fourcc == VA_FOURCC_P010)
		return VA_RT_FORMAT_YUV420_10;
	if (kmscap_va_import_fourcc_ok(fourcc, &rt))
		return rt;
	return 0;
}

int kmscap_va_surface_alloc(struct kmscap_va_surface *s, unsigned int fourcc,
			    unsigned int width, unsigned int height)
{
	unsigned int h = KMSCAP_VA_ALIGN(height, 16);
	unsigned int w = KMSCAP_VA_ALIGN(width, 16);
	unsigned int cpp = fourcc == VA_FOURCC_NV12 ? 1 : fourcc == VA_FOURCC_P010 ? 2 : 4;

	s->fourcc = fourcc;
	s->width = width;
	s->height = height;
	s->pitch[0] = KMSCAP_VA_ALIGN(w * cpp, 64);
	s->offset[0] = 0;
	if (cpp <= 2) {
		s->pitch[1] = s->pitch[0];
		s->offset[1] = s->pitch[0] * h;
		s->size = (size_t)s->pitch[0] * h * 3 / 2;
	} else {
		s->size = (size_t)s->pitch[0] * h;
	}
	s->memfd = memfd_create("kmscap-va-surface", MFD_CLOEXEC);
	if (s->memfd < 0)
		return -errno;
	if (ftruncate(s->memfd, s->size) < 0)
		goto fail;
	s->data = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_SHARED, s->memfd, 0);
	if (s->data == MAP_FAILED)
		goto fail;
	s->map = s->data;
	s->map_size = s->size;
	return 0;
fail:
	close(s->memfd);
	s->memfd = -1;
	s->data = NULL;
	return -ENOMEM;
}

void kmscap_va_surface_free(struct kmscap_va_surface *s)
{
	if (s->map)
		munmap(s->map, s->map_size);
	if (s->memfd >= 0)
		close(s->memfd);
	if (s->import_fd >= 0)
		close(s->import_fd);
	free(s->detiled);
	free(s);
}

VAStatus kmscap_va_create_surfaces2(VADriverContextP ctx, unsigned int format,
				    unsigned int width, unsigned int height,
				    VASurfaceID *surfaces, unsigned int num,
				    VASurfaceAttrib *attribs, unsigned int num_attribs)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	unsigned int fourcc = kmscap_va_default_fourcc(format);
	uint32_t mem_type = VA_SURFACE_ATTRIB_MEM_TYPE_VA;
	const void *desc = NULL;
	VAStatus st = VA_STATUS_SUCCESS;
	unsigned int i, n;
	char fcc[5];

	if (!fourcc)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNSUPPORTED_RT_FORMAT,
					"RT format %#x not supported", format);
	if (!width || !height || width > KMSCAP_VA_MAX_WIDTH || height > KMSCAP_VA_MAX_HEIGHT)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_RESOLUTION_NOT_SUPPORTED,
					"size %ux%u outside 1x1..%ux%u", width, height,
					KMSCAP_VA_MAX_WIDTH, KMSCAP_VA_MAX_HEIGHT);
	if (!num)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"zero surfaces requested");
	for (i = 0; i < num_attribs; i++) {
		VASurfaceAttrib *a = &attribs[i];

		if (!(a->flags & VA_SURFACE_ATTRIB_SETTABLE))
			continue;
		switch (a->type) {
		case VASurfaceAttribPixelFormat:
			if (a->value.type != VAGenericValueTypeInteger ||
			    kmscap_va_fourcc_rt_format(a->value.value.i) != format)
				return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_IMAGE_FORMAT,
							"pixel format %s does not match RT format %#x",
							kmscap_va_fourcc_str(a->value.value.i, fcc),
							format);
			fourcc = a->value.value.i;
			break;
		case VASurfaceAttribMemoryType:
			mem_type = a->value.value.i;
			if (mem_type != VA_SURFACE_ATTRIB_MEM_TYPE_VA &&
			    mem_type != VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME &&
			    mem_type != VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2)
				return KMSCAP_VA_REJECT(drv,
							VA_STATUS_ERROR_UNSUPPORTED_MEMORY_TYPE,
							"memory type %#x not supported", mem_type);
			break;
		case VASurfaceAttribExternalBufferDescriptor:
			desc = a->value.value.p;
			break;
		case VASurfaceAttribUsageHint:
			break;
		case VASurfaceAttribDRMFormatModifiers: {
			const VADRMFormatModifierList *ml = a->value.value.p;
			bool linear = false;

			for (n = 0; ml && n < ml->num_modifiers; n++)
				linear |= ml->modifiers[n] == DRM_FORMAT_MOD_LINEAR;
			if (!linear)
				return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
							"modifier list lacks DRM_FORMAT_MOD_LINEAR");
			break;
		}
		default:
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_ATTR_NOT_SUPPORTED,
						"surface attribute type %d not supported", a->type);
		}
	}
	if (mem_type != VA_SURFACE_ATTRIB_MEM_TYPE_VA && !desc)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"memory type %#x without an external buffer descriptor",
					mem_type);
	if (mem_type == VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2 && num != 1)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"DRM_PRIME_2 import of %u surfaces with one descriptor",
					num);
	if (mem_type == VA_SURFACE_ATTRIB_MEM_TYPE_VA &&
	    (format == VA_RT_FORMAT_YUV420 || format == VA_RT_FORMAT_YUV420_10) &&
	    ((width | height) & 1))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"4:2:0 surface size %ux%u is not even", width, height);

	for (n = 0; n < num; n++) {
		struct kmscap_va_surface *s = calloc(1, sizeof(*s));

		if (!s) {
			st = VA_STATUS_ERROR_ALLOCATION_FAILED;
			break;
		}
		s->memfd = -1;
		s->import_fd = -1;
		s->rt_format = format;
		s->busy_ctx = VA_INVALID_ID;
		if (mem_type == VA_SURFACE_ATTRIB_MEM_TYPE_VA) {
			if (kmscap_va_surface_alloc(s, fourcc, width, height) < 0)
				st = VA_STATUS_ERROR_ALLOCATION_FAILED;
		} else if (mem_type == VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME) {
			const VASurfaceAttribExternalBuffers *eb = desc;

			if (eb->num_buffers != num)
				st = KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
						      "%u external buffers for %u surfaces",
						      eb->num_buffers, num);
			else
				st = kmscap_va_import_surface(drv, s, format, width, height,
							      mem_type, eb, n);
		} else {
			st = kmscap_va_import_surface(drv, s, format, width, height, mem_type,
						      desc, 0);
		}
		if (st != VA_STATUS_SUCCESS) {
			kmscap_va_surface_free(s);
			break;
		}
		s->id = kmscap_va_obj_add(drv, KMSCAP_VA_OBJ_SURFACE, s);
		surfaces[n] = s->id;
	}
	if (st != VA_STATUS_SUCCESS) {
		kmscap_va_destroy_surfaces(ctx, surfaces, n);
		for (i = 0; i < num; i++)
			surfaces[i] = VA_INVALID_SURFACE;
	}
	return st;
}

VAStatus kmscap_va_create_surfaces(VADriverContextP ctx, int width, int height, int format,
				   int num, VASurfaceID *surfaces)
{
	if (width < 0 || height < 0 || num < 0)
		return KMSCAP_VA_REJECT(kmscap_va_drv(ctx), VA_STATUS_ERROR_INVALID_PARAMETER,
					"negative size %dx%d or count %d", width, height, num);
	return kmscap_va_create_surfaces2(ctx, format, width, height, surfaces, num, NULL, 0);
}

VAStatus kmscap_va_destroy_surfaces(VADriverContextP ctx, VASurfaceID *list, int num)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VAStatus st = VA_STATUS_SUCCESS;
	int i;

	for (i = 0; i < num; i++) {
		struct kmscap_va_surface *s = kmscap_va_surface_get(drv, list[i], &st, __func__);

		if (!s)
			return st;
		if (s->busy)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_SURFACE_BUSY,
						"surface %#x is the target of an unfinished picture",
						list[i]);
		if (s->derived)
			return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_SURFACE_BUSY,
						"surface %#x still has %u derived image(s)",
						list[i], s->derived);
	}
	for (i = 0; i < num; i++)
		kmscap_va_surface_free(kmscap_va_obj_remove(drv, KMSCAP_VA_OBJ_SURFACE, list[i]));
	return VA_STATUS_SUCCESS;
}

static void kmscap_va_attr(VASurfaceAttrib *a, VASurfaceAttribType type, uint32_t flags,
			   int value)
{
	a->type = type;
	a->flags = flags;
	a->value.type = VAGenericValueTypeInteger;
	a->value.value.i = value;
}

static const VADRMFormatModifierList kmscap_va_import_modifiers = {
	.num_modifiers = 2,
	.modifiers = (uint64_t *)kmscap_va_modifiers,
};

VAStatus kmscap_va_query_surface_attributes(VADriverContextP ctx, VAConfigID config,
					    VASurfaceAttrib *list, unsigned int *num)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	struct kmscap_va_config *cfg = kmscap_va_obj_get(drv, KMSCAP_VA_OBJ_CONFIG, config, NULL);
	VASurfaceAttrib tmp[32];
	unsigned int n = 0, i;
	const uint32_t rw = VA_SURFACE_ATTRIB_GETTABLE | VA_SURFACE_ATTRIB_SETTABLE;

	if (!cfg)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_CONFIG,
					"config %#x does not exist or was destroyed", config);
	if (cfg->entrypoint == VAEntrypointVideoProc) {
		for (i = 0; i < sizeof(kmscap_va_vpp_fourccs) / sizeof(unsigned int); i++)
			kmscap_va_attr(&tmp[n++], VASurfaceAttribPixelFormat, rw,
				       kmscap_va_vpp_fourccs[i]);
	} else {
		/* the encoder's input: 8-bit NV12 or, for a 10-bit config, P010 */
		kmscap_va_attr(&tmp[n++], VASurfaceAttribPixelFormat, rw,
			       cfg->rt_format == VA_RT_FORMAT_YUV420_10 ? VA_FOURCC_P010 :
									  VA_FOURCC_NV12);
	}
	kmscap_va_attr(&tmp[n++], VASurfaceAttribMinWidth, VA_SURFACE_ATTRIB_GETTABLE, 1);
	kmscap_va_attr(&tmp[n++], VASurfaceAttribMinHeight, VA_SURFACE_ATTRIB_GETTABLE, 1);
	kmscap_va_attr(&tmp[n++], VASurfaceAttribMaxWidth, VA_SURFACE_ATTRIB_GETTABLE,
		       KMSCAP_VA_MAX_WIDTH);
	kmscap_va_attr(&tmp[n++], VASurfaceAttribMaxHeight, VA_SURFACE_ATTRIB_GETTABLE,
		       KMSCAP_VA_MAX_HEIGHT);
	kmscap_va_attr(&tmp[n++], VASurfaceAttribMemoryType, rw,
		       VA_SURFACE_ATTRIB_MEM_TYPE_VA | VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME |
		       VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2);
	tmp[n].type = VASurfaceAttribExternalBufferDescriptor;
	tmp[n].flags = VA_SURFACE_ATTRIB_SETTABLE;
	tmp[n].value.type = VAGenericValueTypePointer;
	tmp[n++].value.value.p = NULL;
	if (cfg->entrypoint == VAEntrypointVideoProc) {
		/* what a DRM_PRIME_2 import may name (this driver's reading of the attribute) */
		tmp[n].type = VASurfaceAttribDRMFormatModifiers;
		tmp[n].flags = VA_SURFACE_ATTRIB_GETTABLE;
		tmp[n].value.type = VAGenericValueTypePointer;
		tmp[n++].value.value.p = (void *)&kmscap_va_import_modifiers;
	}

	if (!list) {
		*num = n;
		return VA_STATUS_SUCCESS;
	}
	if (*num < n) {
		*num = n;
		return VA_STATUS_ERROR_MAX_NUM_EXCEEDED;
	}
	memcpy(list, tmp, n * sizeof(*list));
	*num = n;
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_sync_surface2(VADriverContextP ctx, VASurfaceID id, uint64_t timeout_ns)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VAStatus st = VA_STATUS_SUCCESS;
	struct kmscap_va_surface *s = kmscap_va_surface_get(drv, id, &st, __func__);

	if (!s)
		return st;
	if (s->busy)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_SURFACE_BUSY,
					"surface %#x: vaEndPicture was not called, sync would hang",
					id);
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_sync_surface(VADriverContextP ctx, VASurfaceID id)
{
	return kmscap_va_sync_surface2(ctx, id, VA_TIMEOUT_INFINITE);
}

VAStatus kmscap_va_query_surface_status(VADriverContextP ctx, VASurfaceID id,
					VASurfaceStatus *status)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VAStatus st = VA_STATUS_SUCCESS;
	struct kmscap_va_surface *s = kmscap_va_surface_get(drv, id, &st, __func__);

	if (!s)
		return st;
	*status = s->busy ? VASurfaceRendering : VASurfaceReady;
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_export_surface_handle(VADriverContextP ctx, VASurfaceID id,
					 uint32_t mem_type, uint32_t flags, void *descriptor)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VADRMPRIMESurfaceDescriptor *d = descriptor;
	VAStatus st = VA_STATUS_SUCCESS;
	struct kmscap_va_surface *s = kmscap_va_surface_get(drv, id, &st, __func__);
	bool p010;
	int fd;

	if (!s)
		return st;
	if (mem_type != VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNSUPPORTED_MEMORY_TYPE,
					"export memory type %#x (only DRM_PRIME_2)", mem_type);
	if (s->memfd < 0 || (s->fourcc != VA_FOURCC_NV12 && s->fourcc != VA_FOURCC_P010))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNSUPPORTED_MEMORY_TYPE,
					"surface %#x is not a driver-owned NV12/P010 surface", id);
	if (!(flags & (VA_EXPORT_SURFACE_SEPARATE_LAYERS | VA_EXPORT_SURFACE_COMPOSED_LAYERS)) ||
	    ((flags & VA_EXPORT_SURFACE_SEPARATE_LAYERS) &&
	     (flags & VA_EXPORT_SURFACE_COMPOSED_LAYERS)))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"flags %#x: exactly one of SEPARATE/COMPOSED_LAYERS needed",
					flags);
	if (!(flags & VA_EXPORT_SURFACE_READ_WRITE))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"flags %#x: no access mode (READ_ONLY/WRITE_ONLY)", flags);
	fd = fcntl(s->memfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_OPERATION_FAILED,
					"dup of surface %#x memfd: %s", id, strerror(errno));
	p010 = s->fourcc == VA_FOURCC_P010;
	memset(d, 0, sizeof(*d));
	d->fourcc = s->fourcc;
	d->width = s->width;
	d->height = s->height;
	d->num_objects = 1;
	d->objects[0].fd = fd;
	d->objects[0].size = s->size;
	d->objects[0].drm_format_modifier = DRM_FORMAT_MOD_LINEAR;
	if (flags & VA_EXPORT_SURFACE_COMPOSED_LAYERS) {
		d->num_layers = 1;
		d->layers[0].drm_format = p010 ? DRM_FORMAT_P010 : DRM_FORMAT_NV12;
		d->layers[0].num_planes = 2;
		d->layers[0].offset[0] = s->offset[0];
		d->layers[0].pitch[0] = s->pitch[0];
		d->layers[0].offset[1] = s->offset[1];
		d->layers[0].pitch[1] = s->pitch[1];
	} else {
		d->num_layers = 2;
		d->layers[0].drm_format = p010 ? DRM_FORMAT_R16 : DRM_FORMAT_R8;
		d->layers[0].num_planes = 1;
		d->layers[0].offset[0] = s->offset[0];
		d->layers[0].pitch[0] = s->pitch[0];
		d->layers[1].drm_format = p010 ? DRM_FORMAT_GR1616 : DRM_FORMAT_GR88;
		d->layers[1].num_planes = 1;
		d->layers[1].offset[0] = s->offset[1];
		d->layers[1].pitch[0] = s->pitch[1];
	}
	return VA_STATUS_SUCCESS;
}
