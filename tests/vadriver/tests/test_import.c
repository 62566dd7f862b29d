// SPDX-License-Identifier: MIT
/*
 * test_import.c - DMA-BUF import: memfd stand-in on the host (its ENOTTY on
 * DMA_BUF_IOCTL_SYNC is tolerated), a real dma-buf from /dev/udmabuf when
 * the kernel offers one, and the import rejections.
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
#include <linux/udmabuf.h>

#include "va_test.h"

unsigned int kmscap_vat_rt_of(unsigned int va_fourcc)
{
	switch (va_fourcc) {
	case VA_FOURCC_X2R10G10B10:
	case VA_FOURCC_A2R10G10B10:
	case VA_FOURCC_X2B10G10R10:
	case VA_FOURCC_A2B10G10R10:
		return VA_RT_FORMAT_RGB32_10;
	default:
		return VA_RT_FORMAT_RGB32;
	}
}

int kmscap_vat_rgb_memfd(const uint32_t *pixels, unsigned int w, unsigned int h,
			 unsigned int pitch, unsigned int offset)
{
	size_t size = offset + (size_t)pitch * h;
	unsigned int x, y;
	uint8_t *map;
	int fd;

	fd = memfd_create("kmscap-va-rgb", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	ck_assert_int_ge(fd, 0);
	size = (size + 4095) & ~(size_t)4095;
	ck_assert_int_eq(ftruncate(fd, size), 0);
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert(map != MAP_FAILED);
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			uint32_t v = pixels[y * w + x];
			uint8_t *p = map + offset + (size_t)y * pitch + 4 * x;

			p[0] = v;
			p[1] = v >> 8;
			p[2] = v >> 16;
			p[3] = v >> 24;
		}
	}
	munmap(map, size);
	return fd;
}

static VAStatus kmscap_vat_create(VADisplay dpy, unsigned int rt, unsigned int w,
				  unsigned int h, uint32_t mem, void *desc, VASurfaceID *s)
{
	VASurfaceAttrib a[2] = {
		{ .type = VASurfaceAttribMemoryType, .flags = VA_SURFACE_ATTRIB_SETTABLE,
		  .value = { .type = VAGenericValueTypeInteger, .value.i = mem } },
		{ .type = VASurfaceAttribExternalBufferDescriptor,
		  .flags = VA_SURFACE_ATTRIB_SETTABLE,
		  .value = { .type = VAGenericValueTypePointer, .value.p = desc } },
	};

	return vaCreateSurfaces(dpy, rt, w, h, s, 1, a, 2);
}

VAStatus kmscap_vat_import_prime2(VADisplay dpy, int fd, uint32_t drm_format,
				  unsigned int va_fourcc, unsigned int w, unsigned int h,
				  unsigned int pitch, unsigned int offset, uint64_t modifier,
				  VASurfaceID *s)
{
	VADRMPRIMESurfaceDescriptor d;

	memset(&d, 0, sizeof(d));
	d.fourcc = va_fourcc;
	d.width = w;
	d.height = h;
	d.num_objects = 1;
	d.objects[0].fd = fd;
	d.objects[0].size = lseek(fd, 0, SEEK_END);
	d.objects[0].drm_format_modifier = modifier;
	d.num_layers = 1;
	d.layers[0].drm_format = drm_format;
	d.layers[0].num_planes = 1;
	d.layers[0].object_index[0] = 0;
	d.layers[0].offset[0] = offset;
	d.layers[0].pitch[0] = pitch;
	return kmscap_vat_create(dpy, kmscap_vat_rt_of(va_fourcc), w, h,
				 VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2, &d, s);
}

VAStatus kmscap_vat_import_prime(VADisplay dpy, int fd, unsigned int va_fourcc,
				 unsigned int w, unsigned int h, unsigned int pitch,
				 VASurfaceID *s)
{
	uintptr_t buf = fd;
	VASurfaceAttribExternalBuffers eb;

	memset(&eb, 0, sizeof(eb));
	eb.pixel_format = va_fourcc;
	eb.width = w;
	eb.height = h;
	eb.data_size = pitch * h;
	eb.num_planes = 1;
	eb.pitches[0] = pitch;
	eb.buffers = &buf;
	eb.num_buffers = 1;
	return kmscap_vat_create(dpy, kmscap_vat_rt_of(va_fourcc), w, h,
				 VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME, &eb, s);
}

static const struct {
	uint32_t drm;
	unsigned int va;
} kmscap_vat_formats[] = {
	{ DRM_FORMAT_XRGB8888, VA_FOURCC_BGRX }, { DRM_FORMAT_ARGB8888, VA_FOURCC_BGRA },
	{ DRM_FORMAT_XBGR8888, VA_FOURCC_RGBX }, { DRM_FORMAT_ABGR8888, VA_FOURCC_RGBA },
	{ DRM_FORMAT_XRGB2101010, VA_FOURCC_X2R10G10B10 },
	{ DRM_FORMAT_ARGB2101010, VA_FOURCC_A2R10G10B10 },
	{ DRM_FORMAT_XBGR2101010, VA_FOURCC_X2B10G10R10 },
	{ DRM_FORMAT_ABGR2101010, VA_FOURCC_A2B10G10R10 },
};

START_TEST(test_import_memfd_formats)
{
	uint32_t px[16 * 8];
	struct kmscap_vat t;
	unsigned int i;
	VASurfaceID s;
	int fd;

	for (i = 0; i < 16 * 8; i++)
		px[i] = i * 0x01020304u;
	kmscap_vat_open(&t);
	for (i = 0; i < sizeof(kmscap_vat_formats) / sizeof(kmscap_vat_formats[0]); i++) {
		fd = kmscap_vat_rgb_memfd(px, 16, 8, 64, 0);
		ck_assert_va_ok(kmscap_vat_import_prime2(t.dpy, fd, kmscap_vat_formats[i].drm,
							 kmscap_vat_formats[i].va, 16, 8, 64, 0,
							 DRM_FORMAT_MOD_LINEAR, &s));
		/* the caller may close its fd right after the import */
		close(fd);
		ck_assert_va_ok(vaSyncSurface(t.dpy, s));
		ck_assert_va_ok(vaDestroySurfaces(t.dpy, &s, 1));

		fd = kmscap_vat_rgb_memfd(px, 16, 8, 64, 0);
		ck_assert_va_ok(kmscap_vat_import_prime(t.dpy, fd, kmscap_vat_formats[i].va, 16, 8,
							64, &s));
		close(fd);
		ck_assert_va_ok(vaDestroySurfaces(t.dpy, &s, 1));
	}
	kmscap_vat_close(&t);
}
END_TEST

START_TEST(test_import_udmabuf)
{
	uint32_t px[64 * 16];
	struct udmabuf_create c;
	struct kmscap_vat t;
	int ub, memfd, dmabuf;
	VASurfaceID s;
	unsigned int i;

	ub = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (ub < 0)
		kmscap_vat_skip("no real dma-buf exporter on this machine: /dev/udmabuf: %s (the VM test with vgem covers it)",
				strerror(errno));
	for (i = 0; i < 64 * 16; i++)
		px[i] = i;
	memfd = kmscap_vat_rgb_memfd(px, 64, 16, 256, 0);
	ck_assert_int_eq(fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	memset(&c, 0, sizeof(c));
	c.memfd = memfd;
	c.size = 4096;
	dmabuf = ioctl(ub, UDMABUF_CREATE, &c);
	ck_assert_msg(dmabuf >= 0, "UDMABUF_CREATE: %s", strerror(errno));
	kmscap_vat_open(&t);
	ck_assert_va_ok(kmscap_vat_import_prime2(t.dpy, dmabuf, DRM_FORMAT_XRGB8888,
						 VA_FOURCC_BGRX, 64, 16, 256, 0,
						 DRM_FORMAT_MOD_LINEAR, &s));
	ck_assert_va_ok(vaDestroySurfaces(t.dpy, &s, 1));
	kmscap_vat_close(&t);
	close(dmabuf);
	close(memfd);
	close(ub);
}
END_TEST

Suite *kmscap_vat_suite_import(void)
{
	Suite *s = suite_create("import");

#define ADD(fn) KMSCAP_VAT_ADD(s, fn, 60)
	ADD(test_import_memfd_formats);
	ADD(test_import_udmabuf);
#undef ADD
	return s;
}
