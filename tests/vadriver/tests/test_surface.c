// SPDX-License-Identifier: MIT
/*
 * test_surface.c - driver-owned surfaces, images, sync/status and export.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "va_test.h"

START_TEST(test_nv12_roundtrip)
{
	struct kmscap_vat_frame in, out;
	struct kmscap_vat t;
	VASurfaceID s;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, 96, 34, &s, 1, NULL, 0));
	kmscap_vat_frame_gen(&in, 96, 34, 3);
	kmscap_vat_frame_gen(&out, 96, 34, 4);
	ck_assert_mem_ne(in.data, out.data, 96 * 34 * 3 / 2);
	kmscap_vat_upload(t.dpy, s, &in);
	kmscap_vat_download(t.dpy, s, &out);
	ck_assert_mem_eq(in.data, out.data, 96 * 34 * 3 / 2);
	kmscap_vat_frame_free(&in);
	kmscap_vat_frame_free(&out);
	ck_assert_va_ok(vaDestroySurfaces(t.dpy, &s, 1));
	kmscap_vat_close(&t);
}
END_TEST

START_TEST(test_put_image)
{
	VAImageFormat fmt = { .fourcc = VA_FOURCC_NV12, .byte_order = VA_LSB_FIRST,
			      .bits_per_pixel = 12 };
	struct kmscap_vat_frame in, out;
	struct kmscap_vat t;
	unsigned int y;
	VASurfaceID s;
	VAImage img;
	uint8_t *p;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, 64, 32, &s, 1, NULL, 0));
	kmscap_vat_frame_gen(&in, 64, 32, 9);
	kmscap_vat_frame_gen(&out, 64, 32, 1);
	ck_assert_va_ok(vaCreateImage(t.dpy, &fmt, 64, 32, &img));
	ck_assert_va_ok(vaMapBuffer(t.dpy, img.buf, (void **)&p));
	for (y = 0; y < 32; y++)
		memcpy(p + img.offsets[0] + y * img.pitches[0], in.data + y * 64, 64);
	for (y = 0; y < 16; y++)
		memcpy(p + img.offsets[1] + y * img.pitches[1], in.data + 64 * 32 + y * 64, 64);
	ck_assert_va_ok(vaUnmapBuffer(t.dpy, img.buf));
	ck_assert_va_ok(vaPutImage(t.dpy, s, img.image_id, 0, 0, 64, 32, 0, 0, 64, 32));
	ck_assert_va_ok(vaDestroyImage(t.dpy, img.image_id));
	kmscap_vat_download(t.dpy, s, &out);
	ck_assert_mem_eq(in.data, out.data, 64 * 32 * 3 / 2);
	kmscap_vat_frame_free(&in);
	kmscap_vat_frame_free(&out);
	kmscap_vat_close(&t);
}
END_TEST

START_TEST(test_p010_surface)
{
	VASurfaceAttrib attr = {
		.type = VASurfaceAttribPixelFormat, .flags = VA_SURFACE_ATTRIB_SETTABLE,
		.value = { .type = VAGenericValueTypeInteger, .value.i = VA_FOURCC_P010 },
	};
	struct kmscap_vat t;
	VASurfaceID s;
	VAImage img;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420_10, 48, 16, &s, 1, &attr, 1));
	ck_assert_va_ok(vaDeriveImage(t.dpy, s, &img));
	ck_assert_uint_eq(img.format.fourcc, VA_FOURCC_P010);
	ck_assert_uint_ge(img.pitches[0], 96);
	ck_assert_uint_ge(img.offsets[1], img.pitches[0] * 16);
	ck_assert_va_ok(vaDestroyImage(t.dpy, img.image_id));
	/* an NV12 pixel format on a 10-bit RT format is a contradiction */
	attr.value.value.i = VA_FOURCC_NV12;
	ck_assert_va(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420_10, 48, 16, &s, 1, &attr, 1),
		     VA_STATUS_ERROR_INVALID_IMAGE_FORMAT);
	kmscap_vat_close(&t);
}
END_TEST

START_TEST(test_sync_status)
{
	VASurfaceStatus st;
	struct kmscap_vat t;
	VASurfaceID s[2];

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, 32, 32, s, 2, NULL, 0));
	ck_assert_uint_ne(s[0], s[1]);
	ck_assert_va_ok(vaSyncSurface(t.dpy, s[0]));
	ck_assert_va_ok(vaQuerySurfaceStatus(t.dpy, s[1], &st));
	ck_assert_int_eq(st, VASurfaceReady);
	ck_assert_va_ok(vaDestroySurfaces(t.dpy, s, 2));
	kmscap_vat_close(&t);
}
END_TEST

START_TEST(test_export_nv12)
{
	VADRMPRIMESurfaceDescriptor d;
	struct kmscap_vat_frame in;
	struct kmscap_vat t;
	VASurfaceID s;
	unsigned int y;
	uint8_t *map;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, 80, 40, &s, 1, NULL, 0));
	kmscap_vat_frame_gen(&in, 80, 40, 5);
	kmscap_vat_upload(t.dpy, s, &in);
	ck_assert_va_ok(vaExportSurfaceHandle(t.dpy, s, VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2,
					      VA_EXPORT_SURFACE_READ_ONLY |
					      VA_EXPORT_SURFACE_COMPOSED_LAYERS, &d));
	ck_assert_uint_eq(d.fourcc, VA_FOURCC_NV12);
	ck_assert_uint_eq(d.num_objects, 1);
	ck_assert_uint_eq(d.num_layers, 1);
	ck_assert_uint_eq(d.layers[0].drm_format, DRM_FORMAT_NV12);
	ck_assert_uint_eq(d.layers[0].num_planes, 2);
	ck_assert(d.objects[0].drm_format_modifier == DRM_FORMAT_MOD_LINEAR);
	map = mmap(NULL, d.objects[0].size, PROT_READ, MAP_SHARED, d.objects[0].fd, 0);
	ck_assert(map != MAP_FAILED);
	for (y = 0; y < 40; y++)
		ck_assert_mem_eq(map + d.layers[0].offset[0] + y * d.layers[0].pitch[0],
				 in.data + y * 80, 80);
	for (y = 0; y < 20; y++)
		ck_assert_mem_eq(map + d.layers[0].offset[1] + y * d.layers[0].pitch[1],
				 in.data + 80 * 40 + y * 80, 80);
	munmap(map, d.objects[0].size);
	close(d.objects[0].fd);

	ck_assert_va_ok(vaExportSurfaceHandle(t.dpy, s, VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2,
					      VA_EXPORT_SURFACE_READ_WRITE |
					      VA_EXPORT_SURFACE_SEPARATE_LAYERS, &d));
	ck_assert_uint_eq(d.num_layers, 2);
	ck_assert_uint_eq(d.layers[0].drm_format, DRM_FORMAT_R8);
	ck_assert_uint_eq(d.layers[1].drm_format, DRM_FORMAT_GR88);
	close(d.objects[0].fd);
	kmscap_vat_frame_free(&in);
	kmscap_vat_close(&t);
}
END_TEST

START_TEST(test_export_p010)
{
	VASurfaceAttrib attr = {
		.type = VASurfaceAttribPixelFormat, .flags = VA_SURFACE_ATTRIB_SETTABLE,
		.value = { .type = VAGenericValueTypeInteger, .value.i = VA_FOURCC_P010 },
	};
	VADRMPRIMESurfaceDescriptor d;
	struct kmscap_vat t;
	VASurfaceID s;
	VAImage img;
	uint16_t *p, *map;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420_10, 32, 16, &s, 1, &attr, 1));
	ck_assert_va_ok(vaDeriveImage(t.dpy, s, &img));
	ck_assert_va_ok(vaMapBuffer(t.dpy, img.buf, (void **)&p));
	p[img.offsets[1] / 2 + 3] = 0x1234 << 2;	/* a chroma sample */
	ck_assert_va_ok(vaUnmapBuffer(t.dpy, img.buf));
	ck_assert_va_ok(vaDestroyImage(t.dpy, img.image_id));
	ck_assert_va_ok(vaExportSurfaceHandle(t.dpy, s, VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2,
					      VA_EXPORT_SURFACE_READ_ONLY |
					      VA_EXPORT_SURFACE_SEPARATE_LAYERS, &d));
	ck_assert_uint_eq(d.fourcc, VA_FOURCC_P010);
	ck_assert_uint_eq(d.num_layers, 2);
	ck_assert_uint_eq(d.layers[0].drm_format, DRM_FORMAT_R16);
	ck_assert_uint_eq(d.layers[1].drm_format, DRM_FORMAT_GR1616);
	map = mmap(NULL, d.objects[0].size, PROT_READ, MAP_SHARED, d.objects[0].fd, 0);
	ck_assert(map != MAP_FAILED);
	ck_assert_uint_eq(map[d.layers[1].offset[0] / 2 + 3], 0x1234 << 2);
	munmap(map, d.objects[0].size);
	close(d.objects[0].fd);
	kmscap_vat_close(&t);
}
END_TEST

struct kmscap_vat_thread {
	VADisplay dpy;
	unsigned int seed;
	int failures;
};

/* Creates, fills, reads back and destroys surfaces in a loop. */
static void *kmscap_vat_thread_fn(void *arg)
{
	struct kmscap_vat_thread *th = arg;
	VAImageFormat fmt = { .fourcc = VA_FOURCC_NV12 };
	unsigned int i;

	for (i = 0; i < 2000; i++) {
		VASurfaceID s[4];
		VAImage img;
		uint8_t *p;

		if (vaCreateSurfaces(th->dpy, VA_RT_FORMAT_YUV420, 32, 16, s, 4, NULL, 0) ||
		    vaCreateImage(th->dpy, &fmt, 32, 16, &img)) {
			th->failures++;
			continue;
		}
		if (vaMapBuffer(th->dpy, img.buf, (void **)&p) == VA_STATUS_SUCCESS) {
			memset(p, th->seed + i, img.data_size);
			vaUnmapBuffer(th->dpy, img.buf);
		}
		if (vaPutImage(th->dpy, s[i % 4], img.image_id, 0, 0, 32, 16, 0, 0, 32, 16) ||
		    vaGetImage(th->dpy, s[i % 4], 0, 0, 32, 16, img.image_id) ||
		    vaDestroyImage(th->dpy, img.image_id) || vaDestroySurfaces(th->dpy, s, 4))
			th->failures++;
	}
	return NULL;
}

/* The driver serialises calls: concurrent object creation must not corrupt it. */
START_TEST(test_threads)
{
	struct kmscap_vat_thread th[4];
	pthread_t tid[4];
	struct kmscap_vat t;
	unsigned int i;

	kmscap_vat_open(&t);
	for (i = 0; i < 4; i++) {
		th[i] = (struct kmscap_vat_thread){ .dpy = t.dpy, .seed = i * 50 };
		ck_assert_int_eq(pthread_create(&tid[i], NULL, kmscap_vat_thread_fn, &th[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		ck_assert_int_eq(th[i].failures, 0);
	}
	kmscap_vat_close(&t);
}
END_TEST

Suite *kmscap_vat_suite_surface(void)
{
	Suite *s = suite_create("surface");

#define ADD(fn) KMSCAP_VAT_ADD(s, fn, 60)
	ADD(test_nv12_roundtrip);
	ADD(test_put_image);
	ADD(test_p010_surface);
	ADD(test_sync_status);
	ADD(test_export_nv12);
	ADD(test_export_p010);
	ADD(test_threads);
#undef ADD
	return s;
}
