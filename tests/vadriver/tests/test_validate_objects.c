// SPDX-License-Identifier: MIT
/*
 * test_validate_objects.c - one test per validation rule outside encode
 * pictures: configurations, surfaces and images, DMA-BUF import, video
 * processing, and the KMSCAP_VA_DEBUG log of a rejection.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "va_test.h"

#define EINVAL_P VA_STATUS_ERROR_INVALID_PARAMETER

/* configuration */
START_TEST(cfg_rejections)
{
	VAConfigAttrib a;
	struct kmscap_vat t;
	VAContextID ctx;
	VAConfigID cfg;

	kmscap_vat_open(&t);
	ck_assert_va(vaCreateConfig(t.dpy, VAProfileVP9Profile0, VAEntrypointEncSlice, NULL, 0,
				    &cfg), VA_STATUS_ERROR_UNSUPPORTED_PROFILE);
	ck_assert_va(vaCreateConfig(t.dpy, VAProfileHEVCMain422_10, VAEntrypointEncSlice, NULL,
				    0, &cfg), VA_STATUS_ERROR_UNSUPPORTED_PROFILE);
	ck_assert_va(vaCreateConfig(t.dpy, VAProfileHEVCMain, VAEntrypointVLD, NULL, 0, &cfg),
		     VA_STATUS_ERROR_UNSUPPORTED_ENTRYPOINT);
	ck_assert_va(vaCreateConfig(t.dpy, VAProfileH264High, VAEntrypointVLD, NULL, 0, &cfg),
		     VA_STATUS_ERROR_UNSUPPORTED_ENTRYPOINT);
	ck_assert_va(vaCreateConfig(t.dpy, VAProfileNone, VAEntrypointEncSlice, NULL, 0, &cfg),
		     VA_STATUS_ERROR_UNSUPPORTED_ENTRYPOINT);
	a = (VAConfigAttrib){ VAConfigAttribRateControl, VA_RC_VBR_CONSTRAINED };
	ck_assert_va(vaCreateConfig(t.dpy, VAProfileH264High, VAEntrypointEncSlice, &a, 1, &cfg),
		     VA_STATUS_ERROR_INVALID_VALUE);
	a = (VAConfigAttrib){ VAConfigAttribRateControl, VA_RC_CQP | VA_RC_VBR };
	ck_assert_va(vaCreateConfig(t.dpy, VAProfileH264High, VAEntrypointEncSlice, &a, 1, &cfg),
		     VA_STATUS_ERROR_INVALID_VALUE);
	a = (VAConfigAttrib){ VAConfigAttribRTFormat, VA_RT_FORMAT_YUV420_10 };
	ck_assert_va(vaCreateConfig(t.dpy, VAProfileH264High, VAEntrypointEncSlice, &a, 1, &cfg),
		     VA_STATUS_ERROR_UNSUPPORTED_RT_FORMAT);
	a = (VAConfigAttrib){ VAConfigAttribEncQualityRange, 1 };
	ck_assert_va(vaCreateConfig(t.dpy, VAProfileH264High, VAEntrypointEncSlice, &a, 1, &cfg),
		     VA_STATUS_ERROR_INVALID_VALUE);
	a = (VAConfigAttrib){ VAConfigAttribEncPackedHeaders, 0x100 };
	ck_assert_va(vaCreateConfig(t.dpy, VAProfileH264High, VAEntrypointEncSlice, &a, 1, &cfg),
		     VA_STATUS_ERROR_INVALID_VALUE);
	a = (VAConfigAttrib){ VAConfigAttribEncInterlaced, VA_ENC_INTERLACED_FIELD };
	ck_assert_va(vaCreateConfig(t.dpy, VAProfileH264High, VAEntrypointEncSlice, &a, 1, &cfg),
		     VA_STATUS_ERROR_INVALID_VALUE);
	ck_assert_va_ok(vaCreateConfig(t.dpy, VAProfileH264High, VAEntrypointEncSlice, NULL, 0,
				       &cfg));
	ck_assert_va(vaCreateContext(t.dpy, cfg, 8192, 64, VA_PROGRESSIVE, NULL, 0, &ctx),
		     VA_STATUS_ERROR_RESOLUTION_NOT_SUPPORTED);
	ck_assert_va(vaCreateContext(t.dpy, cfg, 64, 64, VA_BOTTOM_FIELD, NULL, 0, &ctx),
		     EINVAL_P);
	ck_assert_va_ok(vaDestroyConfig(t.dpy, cfg));
	ck_assert_va(vaCreateContext(t.dpy, cfg, 64, 64, VA_PROGRESSIVE, NULL, 0, &ctx),
		     VA_STATUS_ERROR_INVALID_CONFIG);
	kmscap_vat_close(&t);
}
END_TEST

/* surfaces and images */
START_TEST(srf_rejections)
{
	VASurfaceAttrib a = {
		.type = VASurfaceAttribMemoryType, .flags = VA_SURFACE_ATTRIB_SETTABLE,
		.value = { .type = VAGenericValueTypeInteger,
			   .value.i = VA_SURFACE_ATTRIB_MEM_TYPE_USER_PTR },
	};
	struct kmscap_vat t;
	VASurfaceID s;

	kmscap_vat_open(&t);
	ck_assert_va(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, 63, 32, &s, 1, NULL, 0),
		     EINVAL_P);
	ck_assert_va(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV444, 64, 32, &s, 1, NULL, 0),
		     VA_STATUS_ERROR_UNSUPPORTED_RT_FORMAT);
	ck_assert_va(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, 8192, 32, &s, 1, NULL, 0),
		     VA_STATUS_ERROR_RESOLUTION_NOT_SUPPORTED);
	ck_assert_va(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, 64, 32, &s, 1, &a, 1),
		     VA_STATUS_ERROR_UNSUPPORTED_MEMORY_TYPE);
	a.value.value.i = VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2;
	ck_assert_va(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_RGB32, 64, 32, &s, 1, &a, 1), EINVAL_P);
	kmscap_vat_close(&t);
}
END_TEST

START_TEST(img_rejections)
{
	VAImageFormat p010 = { .fourcc = VA_FOURCC_P010 }, yv12 = { .fourcc = VA_FOURCC_YV12 };
	VADRMPRIMESurfaceDescriptor d;
	VAImage img, derived;
	struct kmscap_vat t;
	VASurfaceID s;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, 64, 32, &s, 1, NULL, 0));
	ck_assert_va(vaCreateImage(t.dpy, &yv12, 64, 32, &img),
		     VA_STATUS_ERROR_INVALID_IMAGE_FORMAT);
	ck_assert_va_ok(vaCreateImage(t.dpy, &p010, 64, 32, &img));
	ck_assert_va(vaGetImage(t.dpy, s, 0, 0, 64, 32, img.image_id),
		     VA_STATUS_ERROR_INVALID_IMAGE_FORMAT);
	ck_assert_va(vaDestroyBuffer(t.dpy, img.buf), VA_STATUS_ERROR_INVALID_BUFFER);
	ck_assert_va_ok(vaDestroyImage(t.dpy, img.image_id));
	ck_assert_va(vaDestroyImage(t.dpy, img.image_id), VA_STATUS_ERROR_INVALID_IMAGE);
	ck_assert_va(vaGetImage(t.dpy, s, 0, 0, 64, 32, img.image_id),
		     VA_STATUS_ERROR_INVALID_IMAGE);

	ck_assert_va_ok(vaDeriveImage(t.dpy, s, &derived));
	ck_assert_va(vaDestroySurfaces(t.dpy, &s, 1), VA_STATUS_ERROR_SURFACE_BUSY);
	ck_assert_va_ok(vaDestroyImage(t.dpy, derived.image_id));

	ck_assert_va_ok(vaCreateImage(t.dpy, &(VAImageFormat){ .fourcc = VA_FOURCC_NV12 }, 64, 32,
				      &img));
	ck_assert_va(vaGetImage(t.dpy, s, 2, 0, 64, 32, img.image_id), EINVAL_P);
	ck_assert_va(vaGetImage(t.dpy, s, 1, 0, 32, 32, img.image_id), EINVAL_P);
	ck_assert_va(vaPutImage(t.dpy, s, img.image_id, 0, 0, 64, 32, 0, 0, 32, 16),
		     VA_STATUS_ERROR_UNIMPLEMENTED);
	ck_assert_va_ok(vaDestroyImage(t.dpy, img.image_id));

	ck_assert_va(vaExportSurfaceHandle(t.dpy, s, VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME,
					   VA_EXPORT_SURFACE_READ_ONLY |
					   VA_EXPORT_SURFACE_COMPOSED_LAYERS, &d),
		     VA_STATUS_ERROR_UNSUPPORTED_MEMORY_TYPE);
	ck_assert_va(vaExportSurfaceHandle(t.dpy, s, VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2,
					   VA_EXPORT_SURFACE_READ_ONLY, &d), EINVAL_P);
	ck_assert_va_ok(vaDestroySurfaces(t.dpy, &s, 1));
	kmscap_vat_close(&t);
}
END_TEST

/* DMA-BUF import */
static int kmscap_vat_small_rgb(void)
{
	uint32_t px[16 * 8] = { 0 };

	return kmscap_vat_rgb_memfd(px, 16, 8, 64, 0);
}

#define KMSCAP_VAT_IMPORT_RULE(name, expected, call)					\
START_TEST(name)									\
{											\
	struct kmscap_vat t;								\
	VASurfaceID s;									\
	int fd = kmscap_vat_small_rgb();						\
											\
	kmscap_vat_open(&t);								\
	ck_assert_va(call, expected);							\
	close(fd);									\
	kmscap_vat_close(&t);								\
}											\
END_TEST

KMSCAP_VAT_IMPORT_RULE(imp_modifier_not_linear, EINVAL_P,
		       kmscap_vat_import_prime2(t.dpy, fd, DRM_FORMAT_XRGB8888, VA_FOURCC_BGRX,
						16, 8, 64, 0, I915_FORMAT_MOD_X_TILED, &s))
KMSCAP_VAT_IMPORT_RULE(imp_unsupported_format, VA_STATUS_ERROR_INVALID_IMAGE_FORMAT,
		       kmscap_vat_import_prime2(t.dpy, fd, DRM_FORMAT_RGB565, VA_FOURCC_BGRX,
						16, 8, 64, 0, DRM_FORMAT_MOD_LINEAR, &s))
KMSCAP_VAT_IMPORT_RULE(imp_fourcc_layer_mismatch, EINVAL_P,
		       kmscap_vat_import_prime2(t.dpy, fd, DRM_FORMAT_XBGR8888, VA_FOURCC_BGRX,
						16, 8, 64, 0, DRM_FORMAT_MOD_LINEAR, &s))
KMSCAP_VAT_IMPORT_RULE(imp_pitch_too_small, EINVAL_P,
		       kmscap_vat_import_prime2(t.dpy, fd, DRM_FORMAT_XRGB8888, VA_FOURCC_BGRX,
						16, 8, 32, 0, DRM_FORMAT_MOD_LINEAR, &s))
KMSCAP_VAT_IMPORT_RULE(imp_buffer_too_small, EINVAL_P,
		       kmscap_vat_import_prime2(t.dpy, fd, DRM_FORMAT_XRGB8888, VA_FOURCC_BGRX,
						16, 8, 64, 4000, DRM_FORMAT_MOD_LINEAR, &s))
/* PRIME_2 import with an explicit RT format and descriptor fourcc. */
static VAStatus kmscap_vat_import_rt(VADisplay dpy, int fd, unsigned int rt,
				     unsigned int fourcc, uint32_t drm, VASurfaceID *s)
{
	VADRMPRIMESurfaceDescriptor d;
	VASurfaceAttrib a[2] = {
		{ .type = VASurfaceAttribMemoryType, .flags = VA_SURFACE_ATTRIB_SETTABLE,
		  .value = { .type = VAGenericValueTypeInteger,
			     .value.i = VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2 } },
		{ .type = VASurfaceAttribExternalBufferDescriptor,
		  .flags = VA_SURFACE_ATTRIB_SETTABLE,
		  .value = { .type = VAGenericValueTypePointer, .value.p = &d } },
	};

	memset(&d, 0, sizeof(d));
	d.fourcc = fourcc;
	d.width = 16;
	d.height = 8;
	d.num_objects = 1;
	d.objects[0].fd = fd;
	d.objects[0].size = 4096;
	d.num_layers = 1;
	d.layers[0].drm_format = drm;
	d.layers[0].num_planes = 1;
	d.layers[0].pitch[0] = 64;
	return vaCreateSurfaces(dpy, rt, 16, 8, s, 1, a, 2);
}

KMSCAP_VAT_IMPORT_RULE(imp_rt_format_mismatch, EINVAL_P,
		       kmscap_vat_import_rt(t.dpy, fd, VA_RT_FORMAT_RGB32_10, VA_FOURCC_BGRX,
					    DRM_FORMAT_XRGB8888, &s))
KMSCAP_VAT_IMPORT_RULE(imp_nv12_import, VA_STATUS_ERROR_UNSUPPORTED_RT_FORMAT,
		       kmscap_vat_import_rt(t.dpy, fd, VA_RT_FORMAT_YUV420, VA_FOURCC_NV12,
					    DRM_FORMAT_NV12, &s))

/* A regular file is neither a dma-buf nor the memfd stand-in. */
START_TEST(imp_not_a_dmabuf)
{
	uint32_t px[16 * 8 * 2] = { 0 };
	char path[512];
	struct kmscap_vat t;
	VASurfaceID s;
	int fd;

	snprintf(path, sizeof(path), "%s/not-a-dmabuf", kmscap_vat_workdir());
	ck_assert(kmscap_vat_write_file(path, px, sizeof(px)));
	fd = open(path, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	kmscap_vat_open(&t);
	ck_assert_va(kmscap_vat_import_prime2(t.dpy, fd, DRM_FORMAT_XRGB8888, VA_FOURCC_BGRX, 16,
					      8, 64, 0, DRM_FORMAT_MOD_LINEAR, &s), EINVAL_P);
	close(fd);
	kmscap_vat_close(&t);
}
END_TEST

/* video processing */
static VAStatus kmscap_vat_vpp_with(struct kmscap_vat *t, VAProcPipelineParameterBuffer *p,
				    unsigned int out_fourcc, bool render)
{
	VASurfaceAttrib a = {
		.type = VASurfaceAttribPixelFormat, .flags = VA_SURFACE_ATTRIB_SETTABLE,
		.value = { .type = VAGenericValueTypeInteger, .value.i = out_fourcc },
	};
	VAConfigID cfg;
	VAContextID ctx;
	VASurfaceID out;
	VABufferID b;
	VAStatus st;

	ck_assert_va_ok(vaCreateSurfaces(t->dpy, out_fourcc == VA_FOURCC_P010 ?
					 VA_RT_FORMAT_YUV420_10 : VA_RT_FORMAT_YUV420, 32, 16,
					 &out, 1, &a, 1));
	ck_assert_va_ok(vaCreateConfig(t->dpy, VAProfileNone, VAEntrypointVideoProc, NULL, 0,
				       &cfg));
	ck_assert_va_ok(vaCreateContext(t->dpy, cfg, 32, 16, 0, &out, 1, &ctx));
	ck_assert_va_ok(vaCreateBuffer(t->dpy, ctx, VAProcPipelineParameterBufferType,
				       sizeof(*p), 1, p, &b));
	ck_assert_va_ok(vaBeginPicture(t->dpy, ctx, out));
	st = render ? vaRenderPicture(t->dpy, ctx, &b, 1) : VA_STATUS_SUCCESS;
	if (st == VA_STATUS_SUCCESS)
		st = vaEndPicture(t->dpy, ctx);
	else
		vaEndPicture(t->dpy, ctx);
	return st;
}

#define KMSCAP_VAT_VPP_RULE(name, expected, out_fourcc, render, ...)			\
START_TEST(name)									\
{											\
	VAProcPipelineParameterBuffer p;						\
	struct kmscap_vat t;								\
	VARectangle r;									\
	VABufferID fb = 0;								\
	int fd = kmscap_vat_small_rgb();						\
											\
	kmscap_vat_open(&t);								\
	memset(&p, 0, sizeof(p));							\
	ck_assert_va_ok(kmscap_vat_import_prime2(t.dpy, fd, DRM_FORMAT_XRGB8888,	\
						 VA_FOURCC_BGRX, 16, 8, 64, 0,		\
						 DRM_FORMAT_MOD_LINEAR, &p.surface));	\
	__VA_ARGS__;								\
	(void)r;									\
	(void)fb;									\
	ck_assert_va(kmscap_vat_vpp_with(&t, &p, out_fourcc, render), expected);	\
	close(fd);									\
	kmscap_vat_close(&t);								\
}											\
END_TEST

KMSCAP_VAT_VPP_RULE(vpp_valid_control, VA_STATUS_SUCCESS, VA_FOURCC_NV12, true, )
KMSCAP_VAT_VPP_RULE(vpp_filters, VA_STATUS_ERROR_UNSUPPORTED_FILTER, VA_FOURCC_NV12, true,
		    p.filters = &fb; p.num_filters = 1)
KMSCAP_VAT_VPP_RULE(vpp_odd_output_region, EINVAL_P, VA_FOURCC_NV12, true,
		    r = (VARectangle){ 1, 0, 8, 8 }; p.output_region = &r)
KMSCAP_VAT_VPP_RULE(vpp_region_outside, EINVAL_P, VA_FOURCC_NV12, true,
		    r = (VARectangle){ 8, 0, 16, 8 }; p.surface_region = &r)
KMSCAP_VAT_VPP_RULE(vpp_full_range_output, EINVAL_P, VA_FOURCC_NV12, true,
		    p.output_color_properties.color_range = VA_SOURCE_RANGE_FULL)
KMSCAP_VAT_VPP_RULE(vpp_bt601_output, EINVAL_P, VA_FOURCC_NV12, true,
		    p.output_color_standard = VAProcColorStandardBT601)
KMSCAP_VAT_VPP_RULE(vpp_rotation, EINVAL_P, VA_FOURCC_NV12, true,
		    p.rotation_state = VA_ROTATION_90)
KMSCAP_VAT_VPP_RULE(vpp_rgb8_to_p010, VA_STATUS_ERROR_UNIMPLEMENTED, VA_FOURCC_P010, true, )
KMSCAP_VAT_VPP_RULE(vpp_no_pipeline_buffer, EINVAL_P, VA_FOURCC_NV12, false, )
KMSCAP_VAT_VPP_RULE(vpp_input_destroyed, VA_STATUS_ERROR_INVALID_SURFACE, VA_FOURCC_NV12, true,
		    vaDestroySurfaces(t.dpy, &p.surface, 1))

/* Runs fn with KMSCAP_VA_DEBUG=1 and stderr in a file; returns what was logged. */
static char *kmscap_vat_debug_log(void (*fn)(void))
{
	char path[512], *buf = kmscap_vat_calloc(1, 8192);
	int fd, saved;
	FILE *f;

	snprintf(path, sizeof(path), "%s/debug.log", kmscap_vat_workdir());
	fd = open(path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	setenv("KMSCAP_VA_DEBUG", "1", 1);
	saved = dup(2);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	unsetenv("KMSCAP_VA_DEBUG");
	f = fdopen(fd, "r");
	rewind(f);
	ck_assert_int_ge(fread(buf, 1, 8191, f), 0);
	fclose(f);
	return buf;
}

static void kmscap_vat_leaky(void)
{
	struct kmscap_vat t;
	VAConfigID cfg;
	VASurfaceID s[3];
	VAImage img;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaCreateConfig(t.dpy, VAProfileNone, VAEntrypointVideoProc, NULL, 0,
				       &cfg));
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, 32, 32, s, 3, NULL, 0));
	ck_assert_va_ok(vaDeriveImage(t.dpy, s[0], &img));
	kmscap_vat_close(&t);
}

/* Objects the application forgot are listed at vaTerminate. */
START_TEST(log_leaks_at_terminate)
{
	char *log = kmscap_vat_debug_log(kmscap_vat_leaky);

	ck_assert_msg(strstr(log, "vaTerminate: 1 config(s) not destroyed"), "log: \"%s\"", log);
	ck_assert_msg(strstr(log, "vaTerminate: 3 surface(s) not destroyed"), "log: \"%s\"", log);
	ck_assert_msg(strstr(log, "vaTerminate: 1 image(s) not destroyed"), "log: \"%s\"", log);
	ck_assert_msg(!strstr(log, "buffer(s)"), "image buffer counted: \"%s\"", log);
	free(log);
}
END_TEST

/* In-place processing would read what it has already written. */
START_TEST(vpp_input_is_output)
{
	VAProcPipelineParameterBuffer p;
	struct kmscap_vat t;
	VAConfigID cfg;
	VAContextID ctx;
	VASurfaceID s;
	VABufferID b;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, 32, 16, &s, 1, NULL, 0));
	ck_assert_va_ok(vaCreateConfig(t.dpy, VAProfileNone, VAEntrypointVideoProc, NULL, 0,
				       &cfg));
	ck_assert_va_ok(vaCreateContext(t.dpy, cfg, 32, 16, 0, &s, 1, &ctx));
	memset(&p, 0, sizeof(p));
	p.surface = s;
	ck_assert_va_ok(vaCreateBuffer(t.dpy, ctx, VAProcPipelineParameterBufferType, sizeof(p),
				       1, &p, &b));
	ck_assert_va_ok(vaBeginPicture(t.dpy, ctx, s));
	ck_assert_va_ok(vaRenderPicture(t.dpy, ctx, &b, 1));
	ck_assert_va(vaEndPicture(t.dpy, ctx), EINVAL_P);
	kmscap_vat_close(&t);
}
END_TEST

static void kmscap_vat_bad_config(void)
{
	struct kmscap_vat t;
	VAConfigID cfg;

	kmscap_vat_open(&t);
	vaCreateConfig(t.dpy, VAProfileH264High, VAEntrypointEncSlice,
		       &(VAConfigAttrib){ VAConfigAttribRateControl, VA_RC_VCM }, 1, &cfg);
	kmscap_vat_close(&t);
}

/* KMSCAP_VA_DEBUG=1 logs every rejection with its reason on stderr. */
START_TEST(log_debug_reason)
{
	char *log = kmscap_vat_debug_log(kmscap_vat_bad_config);

	ck_assert_msg(strstr(log, "kmscap_va_create_config: rejected with") &&
		      strstr(log, "rate control mode 0x8 not supported"),
		      "no reason in the debug log: \"%s\"", log);
	free(log);
}
END_TEST

Suite *kmscap_vat_suite_validate_objects(void)
{
	Suite *s = suite_create("validate_objects");

#define ADD(fn) KMSCAP_VAT_ADD(s, fn, 60)
	ADD(cfg_rejections);
	ADD(srf_rejections);
	ADD(img_rejections);
	ADD(imp_modifier_not_linear);
	ADD(imp_unsupported_format);
	ADD(imp_fourcc_layer_mismatch);
	ADD(imp_pitch_too_small);
	ADD(imp_buffer_too_small);
	ADD(imp_rt_format_mismatch);
	ADD(imp_nv12_import);
	ADD(imp_not_a_dmabuf);
	ADD(vpp_valid_control);
	ADD(vpp_filters);
	ADD(vpp_odd_output_region);
	ADD(vpp_region_outside);
	ADD(vpp_full_range_output);
	ADD(vpp_bt601_output);
	ADD(vpp_rotation);
	ADD(vpp_rgb8_to_p010);
	ADD(vpp_no_pipeline_buffer);
	ADD(vpp_input_destroyed);
	ADD(vpp_input_is_output);
	ADD(log_debug_reason);
	ADD(log_leaks_at_terminate);
#undef ADD
	return s;
}
