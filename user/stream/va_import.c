// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: importing kmscap DMA-BUFs into VA-API, the callbacks of
 * the import cache.  DRM_PRIME_2 (with the modifier) first; if the driver
 * refuses it, legacy DRM_PRIME, which carries no modifier and so is only
 * tried for linear buffers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <drm_fourcc.h>

#include "vapipe_priv.h"

bool ks_va_format(uint32_t drm, unsigned int *fourcc, unsigned int *rt)
{
	static const struct {
		uint32_t drm;
		unsigned int va, rt;
	} map[] = {
		{ DRM_FORMAT_XRGB8888, VA_FOURCC_BGRX, VA_RT_FORMAT_RGB32 },
		{ DRM_FORMAT_ARGB8888, VA_FOURCC_BGRA, VA_RT_FORMAT_RGB32 },
		{ DRM_FORMAT_XBGR8888, VA_FOURCC_RGBX, VA_RT_FORMAT_RGB32 },
		{ DRM_FORMAT_ABGR8888, VA_FOURCC_RGBA, VA_RT_FORMAT_RGB32 },
		{ DRM_FORMAT_XRGB2101010, VA_FOURCC_X2R10G10B10, VA_RT_FORMAT_RGB32_10 },
		{ DRM_FORMAT_ARGB2101010, VA_FOURCC_A2R10G10B10, VA_RT_FORMAT_RGB32_10 },
		{ DRM_FORMAT_XBGR2101010, VA_FOURCC_X2B10G10R10, VA_RT_FORMAT_RGB32_10 },
		{ DRM_FORMAT_ABGR2101010, VA_FOURCC_A2B10G10R10, VA_RT_FORMAT_RGB32_10 },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].drm == drm) {
			*fourcc = map[i].va;
			*rt = map[i].rt;
			return true;
		}
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Import (the ks_import_cache callbacks)                              */
/* ------------------------------------------------------------------ */

static int ks_cache_export(void *opaque, uint32_t buffer_id, uint64_t *size)
{
	struct ks_vapipe *p = opaque;

	return p->cfg.export_buf(p->cfg.export_opaque, buffer_id, size);
}

static VAStatus ks_import_prime2(struct ks_vapipe *p, int fd, uint64_t size,
				 const struct ks_layout *l, unsigned int fourcc, unsigned int rt,
				 VASurfaceID *s)
{
	VADRMPRIMESurfaceDescriptor d;
	VASurfaceAttrib at[2];

	memset(&d, 0, sizeof(d));
	d.fourcc = fourcc;
	d.width = l->width;
	d.height = l->height;
	d.num_objects = 1;
	d.objects[0].fd = fd;
	d.objects[0].size = (uint32_t)size;
	d.objects[0].drm_format_modifier = l->modifier;
	d.num_layers = 1;
	d.layers[0].drm_format = l->format;
	d.layers[0].num_planes = 1;
	d.layers[0].object_index[0] = 0;
	d.layers[0].offset[0] = l->offset;
	d.layers[0].pitch[0] = l->pitch;
	memset(at, 0, sizeof(at));
	at[0].type = VASurfaceAttribMemoryType;
	at[0].flags = VA_SURFACE_ATTRIB_SETTABLE;
	at[0].value.type = VAGenericValueTypeInteger;
	at[0].value.value.i = VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2;
	at[1].type = VASurfaceAttribExternalBufferDescriptor;
	at[1].flags = VA_SURFACE_ATTRIB_SETTABLE;
	at[1].value.type = VAGenericValueTypePointer;
	at[1].value.value.p = &d;
	return vaCreateSurfaces(p->dpy, rt, l->width, l->height, s, 1, at, 2);
}

static VAStatus ks_import_prime(struct ks_vapipe *p, int fd, uint64_t size,
				const struct ks_layout *l, unsigned int fourcc, unsigned int rt,
				VASurfaceID *s)
{
	VASurfaceAttribExternalBuffers eb;
	uintptr_t handle = (uintptr_t)fd;
	VASurfaceAttrib at[2];

	memset(&eb, 0, sizeof(eb));
	eb.pixel_format = fourcc;
	eb.width = l->width;
	eb.height = l->height;
	eb.data_size = (uint32_t)size;
	eb.num_planes = 1;
	eb.pitches[0] = l->pitch;
	eb.offsets[0] = l->offset;
	eb.buffers = &handle;
	eb.num_buffers = 1;
	memset(at, 0, sizeof(at));
	at[0].type = VASurfaceAttribMemoryType;
	at[0].flags = VA_SURFACE_ATTRIB_SETTABLE;
	at[0].value.type = VAGenericValueTypeInteger;
	at[0].value.value.i = VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME;
	at[1].type = VASurfaceAttribExternalBufferDescriptor;
	at[1].flags = VA_SURFACE_ATTRIB_SETTABLE;
	at[1].value.type = VAGenericValueTypePointer;
	at[1].value.value.p = &eb;
	return vaCreateSurfaces(p->dpy, rt, l->width, l->height, s, 1, at, 2);
}

static int ks_cache_import(void *opaque, int fd, uint64_t size, const struct ks_layout *l,
			   uint32_t *handle)
{
	struct ks_vapipe *p = opaque;
	unsigned int fourcc, rt;
	VASurfaceID s;
	VAStatus st, st2;

	if (!ks_va_format(l->format, &fourcc, &rt))
		return ks_va_fail(p, -EOPNOTSUPP,
				  "buffer format %.4s is not an RGB format VA can import",
			       (const char *)&l->format);
	st = ks_import_prime2(p, fd, size, l, fourcc, rt, &s);
	if (st != VA_STATUS_SUCCESS) {
		/* legacy DRM_PRIME carries no modifier: linear buffers only */
		if (l->modifier != DRM_FORMAT_MOD_LINEAR)
			return ks_va_fail(p, ks_va_errno(st),
				       "%s: importing a DMA-BUF with modifier %#llx as DRM_PRIME_2 failed: %s",
				       p->cfg.device, (unsigned long long)l->modifier,
				       vaErrorStr(st));
		st2 = ks_import_prime(p, fd, size, l, fourcc, rt, &s);
		if (st2 != VA_STATUS_SUCCESS)
			return ks_va_fail(p, ks_va_errno(st2),
				       "%s: importing a DMA-BUF failed: DRM_PRIME_2: %s, DRM_PRIME: %s",
				       p->cfg.device, vaErrorStr(st), vaErrorStr(st2));
		p->prime2_refused = 1;
	}
	p->live_surfaces++;
	*handle = s;
	return 0;
}

static void ks_cache_destroy(void *opaque, uint32_t handle)
{
	struct ks_vapipe *p = opaque;
	VASurfaceID s = handle;

	vaDestroySurfaces(p->dpy, &s, 1);
	p->live_surfaces--;
}

const struct ks_import_ops ks_vapipe_import_ops = {
	.export_buf = ks_cache_export,
	.import = ks_cache_import,
	.destroy = ks_cache_destroy,
};
