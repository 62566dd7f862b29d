// SPDX-License-Identifier: MIT
/*
 * test_tiling.c - Intel X-tiled imports (tiling.c): the detiling against
 * this file's own per-byte address formula, the VPP of an X-tiled import
 * against the VPP of the same picture imported linearly (equal, pixel for
 * pixel), the modifiers vaQuerySurfaceAttributes reports, and the refused
 * layouts.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "va_test.h"
#include "../tiling.h"

/* Byte (@xb, @y) of an X-tiled picture of @pitch bytes a row: its offset. */
static size_t kmscap_vat_xtile_at(size_t pitch, size_t xb, size_t y)
{
	return ((y / 8) * (pitch / 512) + xb / 512) * 4096 + (y % 8) * 512 + xb % 512;
}

/* The X-tiled memfd of @h rows of @pitch linear bytes at @lin (whole tile rows). */
static int kmscap_vat_xtiled_memfd(const uint8_t *lin, size_t pitch, unsigned int h)
{
	size_t size = pitch * ((h + 7) / 8 * 8), xb, y;
	uint8_t *map;
	int fd;

	fd = memfd_create("kmscap-va-xtiled", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, size), 0);
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert(map != MAP_FAILED);
	memset(map, 0xa5, size);	/* rows past h: junk the VPP must not read */
	for (y = 0; y < h; y++)
		for (xb = 0; xb < pitch; xb++)
			map[kmscap_vat_xtile_at(pitch, xb, y)] = lin[y * pitch + xb];
	munmap(map, size);
	return fd;
}

START_TEST(test_tiling_detile_x)
{
	const size_t pitch = 3 * 512;
	const unsigned int h = 21;	/* not whole tile rows */
	uint8_t *lin = kmscap_vat_calloc(pitch, 24), *tiled = kmscap_vat_calloc(pitch, 24);
	uint8_t *out = kmscap_vat_calloc(pitch, h);
	size_t i, xb, y;

	for (i = 0; i < pitch * h; i++)
		lin[i] = (uint8_t)(i * 2654435761u >> 13);
	for (y = 0; y < h; y++)
		for (xb = 0; xb < pitch; xb++)
			tiled[kmscap_vat_xtile_at(pitch, xb, y)] = lin[y * pitch + xb];
	kmscap_va_detile_x(out, tiled, pitch, h);
	for (i = 0; i < pitch * h; i++)
		ck_assert_msg(out[i] == lin[i], "byte %zu of row %zu: %u, expected %u",
			      i % pitch, i / pitch, out[i], lin[i]);
	ck_assert_uint_eq(kmscap_va_layout_size(I915_FORMAT_MOD_X_TILED, pitch, h), pitch * 24);
	ck_assert_uint_eq(kmscap_va_layout_size(DRM_FORMAT_MOD_LINEAR, pitch, h), pitch * h);
	free(lin);
	free(tiled);
	free(out);
}
END_TEST

/* One picture imported linearly and X-tiled: the VPP makes the same NV12 of both. */
START_TEST(test_tiling_vpp_exact)
{
	const unsigned int w = 200, h = 36, pitch = 1024;	/* two tiles wide, 4.5 tile rows */
	int (*rgb)[3] = kmscap_vat_calloc(w * h, sizeof(*rgb));
	uint32_t *px = kmscap_vat_calloc(w * h, 4);
	uint8_t *lin = kmscap_vat_calloc(pitch, h);
	struct kmscap_vat_yuv ref, got;
	VASurfaceID in_lin, in_x, out;
	struct kmscap_vat t;
	unsigned int i, y;
	int fd;

	kmscap_vat_random_rgb(rgb, w * h, 255, 7);
	for (i = 0; i < w * h; i++)
		px[i] = 0xffu << 24 | rgb[i][0] << 16 | rgb[i][1] << 8 | rgb[i][2];
	for (y = 0; y < h; y++)
		memcpy(lin + (size_t)y * pitch, px + y * w, w * 4);
	kmscap_vat_open(&t);

	fd = kmscap_vat_rgb_memfd(px, w, h, pitch, 0);
	ck_assert_va_ok(kmscap_vat_import_prime2(t.dpy, fd, DRM_FORMAT_XRGB8888, VA_FOURCC_BGRX, w,
						 h, pitch, 0, DRM_FORMAT_MOD_LINEAR, &in_lin));
	close(fd);
	fd = kmscap_vat_xtiled_memfd(lin, pitch, h);
	ck_assert_va_ok(kmscap_vat_import_prime2(t.dpy, fd, DRM_FORMAT_XRGB8888, VA_FOURCC_BGRX, w,
						 h, pitch, 0, I915_FORMAT_MOD_X_TILED, &in_x));
	close(fd);

	out = kmscap_vat_out_surface(t.dpy, false, w, h);
	ck_assert_va_ok(kmscap_vat_vpp(t.dpy, in_lin, out, NULL, NULL, 0, 0));
	kmscap_vat_read(t.dpy, out, w, h, &ref);
	ck_assert_va_ok(kmscap_vat_vpp(t.dpy, in_x, out, NULL, NULL, 0, 0));
	kmscap_vat_read(t.dpy, out, w, h, &got);
	kmscap_vat_compare(&got, &ref, "X-tiled import against the linear one");

	kmscap_vat_yuv_free(&ref);
	kmscap_vat_yuv_free(&got);
	kmscap_vat_close(&t);
	free(rgb);
	free(px);
	free(lin);
}
END_TEST

START_TEST(test_tiling_query)
{
	const VADRMFormatModifierList *ml = NULL;
	struct kmscap_vat t;
	VASurfaceAttrib *a;
	unsigned int n = 0, i;
	VAConfigID cfg;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaCreateConfig(t.dpy, VAProfileNone, VAEntrypointVideoProc, NULL, 0,
				       &cfg));
	ck_assert_va_ok(vaQuerySurfaceAttributes(t.dpy, cfg, NULL, &n));
	a = kmscap_vat_calloc(n, sizeof(*a));
	ck_assert_va_ok(vaQuerySurfaceAttributes(t.dpy, cfg, a, &n));
	for (i = 0; i < n; i++) {
		if (a[i].type != VASurfaceAttribDRMFormatModifiers)
			continue;
		ck_assert_int_eq(a[i].value.type, VAGenericValueTypePointer);
		ck_assert(a[i].flags & VA_SURFACE_ATTRIB_GETTABLE);
		ml = a[i].value.value.p;
	}
	ck_assert_msg(ml, "no VASurfaceAttribDRMFormatModifiers among %u attributes", n);
	ck_assert_uint_eq(ml->num_modifiers, 2);
	ck_assert(ml->modifiers[0] == DRM_FORMAT_MOD_LINEAR);
	ck_assert(ml->modifiers[1] == I915_FORMAT_MOD_X_TILED);
	free(a);
	ck_assert_va_ok(vaDestroyConfig(t.dpy, cfg));
	kmscap_vat_close(&t);
}
END_TEST

/* Layouts X-tiling cannot have, and modifiers the driver cannot read. */
START_TEST(test_tiling_refused)
{
	static const uint32_t px12[16 * 12];
	uint8_t lin[1024 * 16] = { 0 };
	const struct {
		const char *what;
		unsigned int pitch, offset, h;
		uint64_t modifier;
	} c[] = {
		{ "pitch 800, not whole tiles", 800, 0, 16, I915_FORMAT_MOD_X_TILED },
		{ "offset 512, not a whole tile", 1024, 512, 8, I915_FORMAT_MOD_X_TILED },
		{ "Y-tiled", 1024, 0, 16, I915_FORMAT_MOD_Y_TILED },
		{ "DRM_FORMAT_MOD_INVALID", 1024, 0, 16, DRM_FORMAT_MOD_INVALID },
	};
	struct kmscap_vat t;
	VASurfaceID s;
	unsigned int i;
	int fd;

	kmscap_vat_open(&t);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		fd = kmscap_vat_xtiled_memfd(lin, 1024, 16);
		ck_assert_msg(kmscap_vat_import_prime2(t.dpy, fd, DRM_FORMAT_XRGB8888,
						       VA_FOURCC_BGRX, 64, c[i].h, c[i].pitch,
						       c[i].offset, c[i].modifier, &s) !=
			      VA_STATUS_SUCCESS, "import accepted: %s", c[i].what);
		close(fd);
	}
	/* 12 rows fit linearly in 12 KiB; X-tiled they take two whole tile rows, 16 KiB. */
	fd = kmscap_vat_rgb_memfd(px12, 16, 12, 1024, 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_END), 12 * 1024);
	ck_assert_va_ok(kmscap_vat_import_prime2(t.dpy, fd, DRM_FORMAT_XRGB8888, VA_FOURCC_BGRX,
						 16, 12, 1024, 0, DRM_FORMAT_MOD_LINEAR, &s));
	ck_assert_va_ok(vaDestroySurfaces(t.dpy, &s, 1));
	ck_assert_msg(kmscap_vat_import_prime2(t.dpy, fd, DRM_FORMAT_XRGB8888, VA_FOURCC_BGRX, 16,
					       12, 1024, 0, I915_FORMAT_MOD_X_TILED, &s) !=
		      VA_STATUS_SUCCESS, "X-tiled import of 12 rows from a 12-row buffer accepted");
	close(fd);
	kmscap_vat_close(&t);
}
END_TEST

Suite *kmscap_vat_suite_tiling(void)
{
	Suite *s = suite_create("tiling");

#define ADD(fn) KMSCAP_VAT_ADD(s, fn, 60)
	ADD(test_tiling_detile_x);
	ADD(test_tiling_vpp_exact);
	ADD(test_tiling_query);
	ADD(test_tiling_refused);
#undef ADD
	return s;
}
