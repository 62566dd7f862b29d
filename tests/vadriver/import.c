// SPDX-License-Identifier: MIT
/*
 * import.c - import of DMA-BUFs as VPP input surfaces.
 *
 * Accepted: VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2 (VADRMPRIMESurfaceDescriptor)
 * and legacy DRM_PRIME (VASurfaceAttribExternalBuffers), one object, one
 * single-plane layer, 8-bit BGRX/BGRA/RGBX/RGBA or 10-bit 2101010, linear
 * or, with DRM_PRIME_2, Intel X-tiled (tiling.h; the VPP reads a linear copy).  The buffer is mapped with mmap() and every CPU read is
 * bracketed with DMA_BUF_IOCTL_SYNC.  A memfd may stand in for a dma-buf in
 * host tests: its ENOTTY on DMA_BUF_IOCTL_SYNC is tolerated, and only its.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <linux/dma-buf.h>

#include "kmscap_va.h"
#include "tiling.h"

static const struct {
	uint32_t drm;
	unsigned int va;
	unsigned int rt;
} kmscap_va_rgb_formats[] = {
	{ DRM_FORMAT_XRGB8888, VA_FOURCC_BGRX, VA_RT_FORMAT_RGB32 },
	{ DRM_FORMAT_ARGB8888, VA_FOURCC_BGRA, VA_RT_FORMAT_RGB32 },
	{ DRM_FORMAT_XBGR8888, VA_FOURCC_RGBX, VA_RT_FORMAT_RGB32 },
	{ DRM_FORMAT_ABGR8888, VA_FOURCC_RGBA, VA_RT_FORMAT_RGB32 },
	{ DRM_FORMAT_XRGB2101010, VA_FOURCC_X2R10G10B10, VA_RT_FORMAT_RGB32_10 },
	{ DRM_FORMAT_ARGB2101010, VA_FOURCC_A2R10G10B10, VA_RT_FORMAT_RGB32_10 },
	{ DRM_FORMAT_XBGR2101010, VA_FOURCC_X2B10G10R10, VA_RT_FORMAT_RGB32_10 },
	{ DRM_FORMAT_ABGR2101010, VA_FOURCC_A2B10G10R10, VA_RT_FORMAT_RGB32_10 },
};

#define KMSCAP_VA_NUM_RGB (sizeof(kmscap_va_rgb_formats) / sizeof(kmscap_va_rgb_formats[0]))

bool kmscap_va_import_fourcc_ok(unsigned int fourcc, unsigned int *rt_format)
{
	unsigned int i;

	for (i = 0; i < KMSCAP_VA_NUM_RGB; i++) {
		if (kmscap_va_rgb_formats[i].va == fourcc) {
			*rt_format = kmscap_va_rgb_formats[i].rt;
			return true;
		}
	}
	return false;
}

static unsigned int kmscap_va_drm_to_va(uint32_t drm)
{
	unsigned int i;

	for (i = 0; i < KMSCAP_VA_NUM_RGB; i++)
		if (kmscap_va_rgb_formats[i].drm == drm)
			return kmscap_va_rgb_formats[i].va;
	return 0;
}

static VAStatus kmscap_va_sync(struct kmscap_va_driver *drv, int fd, bool is_memfd,
			       uint64_t flags, const char *func)
{
	struct dma_buf_sync sync = { .flags = flags };

	while (ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync) < 0) {
		if (errno == EINTR || errno == EAGAIN)
			continue;
		if (errno == ENOTTY && is_memfd)
			return VA_STATUS_SUCCESS;
		return kmscap_va_reject(drv, VA_STATUS_ERROR_INVALID_PARAMETER, func,
					"DMA_BUF_IOCTL_SYNC on fd %d failed: %s (not a dma-buf?)",
					fd, strerror(errno));
	}
	return VA_STATUS_SUCCESS;
}

static VAStatus kmscap_va_do_import(struct kmscap_va_driver *drv, struct kmscap_va_surface *s,
				    unsigned int rt_format, unsigned int width,
				    unsigned int height, unsigned int fourcc, int fd,
				    uint32_t obj_size, uint32_t offset, uint32_t pitch,
				    uint64_t modifier)
{
	const char *why;
	unsigned int rt;
	size_t need;
	off_t end;
	VAStatus st;
	char fcc[5];

	if (!kmscap_va_import_fourcc_ok(fourcc, &rt))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_IMAGE_FORMAT,
					"import format %s is not an 8-bit or 2101010 RGB format",
					kmscap_va_fourcc_str(fourcc, fcc));
	if (rt != rt_format)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"import format %s does not match RT format %#x",
					kmscap_va_fourcc_str(fourcc, fcc), rt_format);
	if (fd < 0)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"invalid dma-buf fd %d", fd);
	if (pitch < width * 4 || pitch % 4)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"pitch %u too small or unaligned for width %u", pitch, width);
	why = kmscap_va_layout_check(modifier, pitch, offset);
	if (why)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"pitch %u, offset %u with modifier %#llx: %s", pitch,
					offset, (unsigned long long)modifier, why);
	need = (size_t)offset + kmscap_va_layout_size(modifier, pitch, height);
	end = lseek(fd, 0, SEEK_END);
	if (end < 0)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"cannot size fd %d: %s", fd, strerror(errno));
	if (obj_size && obj_size > (uint64_t)end)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"object size %u larger than fd %d (%lld bytes)", obj_size,
					fd, (long long)end);
	if (need > (uint64_t)end || (obj_size && need > obj_size))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"offset %u + pitch %u x height %u exceeds buffer of fd %d",
					offset, pitch, height, fd);

	s->import_is_memfd = fcntl(fd, F_GET_SEALS) >= 0;
	st = kmscap_va_sync(drv, fd, s->import_is_memfd,
			    DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, __func__);
	if (st != VA_STATUS_SUCCESS)
		return st;
	kmscap_va_sync(drv, fd, s->import_is_memfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
		       __func__);

	s->map_size = need;
	/* populated now, once per import, rather than by faults in the first conversion */
	s->map = mmap(NULL, s->map_size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"mmap of fd %d failed: %s", fd, strerror(errno));
	}
	s->import_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (s->import_fd < 0)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	s->modifier = modifier;
	if (modifier != DRM_FORMAT_MOD_LINEAR) {
		s->detiled = malloc((size_t)pitch * height);
		if (!s->detiled)
			return VA_STATUS_ERROR_ALLOCATION_FAILED;
	}
	s->imported = true;
	s->data = s->map;
	s->fourcc = fourcc;
	s->width = width;
	s->height = height;
	s->pitch[0] = pitch;
	s->offset[0] = offset;
	s->size = need;
	return VA_STATUS_SUCCESS;
}

static VAStatus kmscap_va_import_prime2(struct kmscap_va_driver *drv,
					struct kmscap_va_surface *s, unsigned int rt_format,
					unsigned int width, unsigned int height,
					const VADRMPRIMESurfaceDescriptor *d)
{
	const typeof(d->layers[0]) *l = &d->layers[0];
	unsigned int va;
	char fcc[5];

	if (d->num_objects != 1 || d->num_layers != 1 || l->num_planes != 1)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%u objects / %u layers / %u planes: only 1/1/1 supported",
					d->num_objects, d->num_layers, l->num_planes);
	if (l->object_index[0] != 0)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"plane object index %u out of range",
					l->object_index[0]);
	if (!kmscap_va_modifier_ok(d->objects[0].drm_format_modifier))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"modifier %#llx is neither DRM_FORMAT_MOD_LINEAR nor I915_FORMAT_MOD_X_TILED",
					(unsigned long long)d->objects[0].drm_format_modifier);
	va = kmscap_va_drm_to_va(l->drm_format);
	if (!va)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_IMAGE_FORMAT,
					"DRM format %s is not supported for import",
					kmscap_va_fourcc_str(l->drm_format, fcc));
	if (va != d->fourcc)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"descriptor fourcc %s does not match layer format",
					kmscap_va_fourcc_str(d->fourcc, fcc));
	if (d->width < width || d->height < height)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"descriptor %ux%u smaller than surface %ux%u",
					d->width, d->height, width, height);
	return kmscap_va_do_import(drv, s, rt_format, width, height, va, d->objects[0].fd,
				   d->objects[0].size, l->offset[0], l->pitch[0],
				   d->objects[0].drm_format_modifier);
}

static VAStatus kmscap_va_import_prime(struct kmscap_va_driver *drv,
				       struct kmscap_va_surface *s, unsigned int rt_format,
				       unsigned int width, unsigned int height,
				       const VASurfaceAttribExternalBuffers *eb, unsigned int index)
{
	if (eb->num_planes != 1)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%u planes: only single-plane RGB can be imported",
					eb->num_planes);
	if (!eb->buffers || index >= eb->num_buffers)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"no buffer %u in the external buffer list", index);
	if (eb->width < width || eb->height < height)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"external buffer %ux%u smaller than surface %ux%u",
					eb->width, eb->height, width, height);
	return kmscap_va_do_import(drv, s, rt_format, width, height, eb->pixel_format,
				   (int)eb->buffers[index], eb->data_size, eb->offsets[0],
				   eb->pitches[0], DRM_FORMAT_MOD_LINEAR);
}

VAStatus kmscap_va_import_surface(struct kmscap_va_driver *drv, struct kmscap_va_surface *s,
				  unsigned int rt_format, unsigned int width,
				  unsigned int height, uint32_t mem_type, const void *desc,
				  unsigned int index)
{
	if (rt_format != VA_RT_FORMAT_RGB32 && rt_format != VA_RT_FORMAT_RGB32_10)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNSUPPORTED_RT_FORMAT,
					"import only for RGB32/RGB32_10, not RT format %#x",
					rt_format);
	if (mem_type == VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2)
		return kmscap_va_import_prime2(drv, s, rt_format, width, height, desc);
	return kmscap_va_import_prime(drv, s, rt_format, width, height, desc, index);
}

VAStatus kmscap_va_import_begin_read(struct kmscap_va_driver *drv,
				     struct kmscap_va_surface *s)
{
	VAStatus st;

	if (!s->imported)
		return VA_STATUS_SUCCESS;
	st = kmscap_va_sync(drv, s->import_fd, s->import_is_memfd,
			    DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, __func__);
	if (st == VA_STATUS_SUCCESS && s->detiled)
		kmscap_va_detile_x(s->detiled, s->data + s->offset[0], s->pitch[0], s->height);
	return st;
}

void kmscap_va_import_end_read(struct kmscap_va_surface *s)
{
	if (s->imported)
		kmscap_va_sync(NULL, s->import_fd, s->import_is_memfd,
			       DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, __func__);
}
