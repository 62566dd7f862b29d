// SPDX-License-Identifier: MIT
/*
 * test_query.c - profiles, entrypoints, config and surface attributes.
 */
#include <stdlib.h>
#include <string.h>

#include "va_test.h"

static bool kmscap_vat_has_profile(VAProfile *list, int n, VAProfile p)
{
	int i;

	for (i = 0; i < n; i++)
		if (list[i] == p)
			return true;
	return false;
}

START_TEST(test_profiles)
{
	struct kmscap_vat t;
	VAProfile *list;
	int n, max;

	kmscap_vat_open(&t);
	max = vaMaxNumProfiles(t.dpy);
	ck_assert_int_gt(max, 0);
	list = kmscap_vat_calloc(max, sizeof(*list));
	ck_assert_va_ok(vaQueryConfigProfiles(t.dpy, list, &n));
	/* AV1 Profile 0 is listed once av1_enc.c implements it */
	ck_assert_int_eq(n, 6 + kmscap_vat_has_profile(list, n, VAProfileAV1Profile0));
	ck_assert(kmscap_vat_has_profile(list, n, VAProfileH264ConstrainedBaseline));
	ck_assert(kmscap_vat_has_profile(list, n, VAProfileH264Main));
	ck_assert(kmscap_vat_has_profile(list, n, VAProfileH264High));
	ck_assert(kmscap_vat_has_profile(list, n, VAProfileHEVCMain));
	ck_assert(kmscap_vat_has_profile(list, n, VAProfileHEVCMain10));
	ck_assert(kmscap_vat_has_profile(list, n, VAProfileNone));
	/* not implemented, so not advertised */
	ck_assert(!kmscap_vat_has_profile(list, n, VAProfileVP9Profile0));
	ck_assert(!kmscap_vat_has_profile(list, n, VAProfileHEVCMain422_10));
	free(list);
	kmscap_vat_close(&t);
}
END_TEST

START_TEST(test_entrypoints)
{
	VAProfile enc[] = { VAProfileH264ConstrainedBaseline, VAProfileH264Main,
			    VAProfileH264High, VAProfileHEVCMain, VAProfileHEVCMain10 };
	VAEntrypoint ep[16];
	struct kmscap_vat t;
	unsigned int i;
	int n;

	kmscap_vat_open(&t);
	ck_assert_int_le(vaMaxNumEntrypoints(t.dpy), 16);
	for (i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		ck_assert_va_ok(vaQueryConfigEntrypoints(t.dpy, enc[i], ep, &n));
		ck_assert_int_eq(n, 2);
		ck_assert(ep[0] == VAEntrypointEncSlice || ep[1] == VAEntrypointEncSlice);
		ck_assert(ep[0] == VAEntrypointEncSliceLP || ep[1] == VAEntrypointEncSliceLP);
	}
	ck_assert_va_ok(vaQueryConfigEntrypoints(t.dpy, VAProfileNone, ep, &n));
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(ep[0], VAEntrypointVideoProc);
	ck_assert_va(vaQueryConfigEntrypoints(t.dpy, VAProfileVP9Profile0, ep, &n),
		     VA_STATUS_ERROR_UNSUPPORTED_PROFILE);
	kmscap_vat_close(&t);
}
END_TEST

START_TEST(test_config_attributes)
{
	VAConfigAttrib a[] = {
		{ VAConfigAttribRTFormat }, { VAConfigAttribRateControl },
		{ VAConfigAttribEncPackedHeaders }, { VAConfigAttribEncMaxRefFrames },
		{ VAConfigAttribEncSliceStructure }, { VAConfigAttribEncIntraRefresh },
		{ VAConfigAttribEncMaxSlices }, { VAConfigAttribEncQualityRange },
		{ VAConfigAttribEncROI },
	};
	struct kmscap_vat t;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaGetConfigAttributes(t.dpy, VAProfileH264High, VAEntrypointEncSlice, a,
					      sizeof(a) / sizeof(a[0])));
	ck_assert_uint_eq(a[0].value, VA_RT_FORMAT_YUV420);
	ck_assert_uint_eq(a[1].value, VA_RC_CQP | VA_RC_CBR | VA_RC_VBR);
	ck_assert(a[2].value & VA_ENC_PACKED_HEADER_SEQUENCE);
	ck_assert(a[2].value & VA_ENC_PACKED_HEADER_PICTURE);
	ck_assert(a[2].value & VA_ENC_PACKED_HEADER_SLICE);
	ck_assert(a[2].value & VA_ENC_PACKED_HEADER_MISC);
	ck_assert_uint_ge(a[3].value & 0xffff, 1);
	ck_assert_uint_eq(a[3].value >> 16, 1);		/* one list 1 reference: B frames */
	/* Constrained Baseline has no B frames */
	ck_assert_va_ok(vaGetConfigAttributes(t.dpy, VAProfileH264ConstrainedBaseline,
					      VAEntrypointEncSlice, &a[3], 1));
	ck_assert_uint_eq(a[3].value >> 16, 0);
	ck_assert(a[4].value & VA_ENC_SLICE_STRUCTURE_ARBITRARY_MACROBLOCKS);
	ck_assert(a[5].value & VA_ENC_INTRA_REFRESH_ROLLING_COLUMN);
	ck_assert_uint_ge(a[6].value, 1);
	ck_assert_uint_eq(a[7].value, VA_ATTRIB_NOT_SUPPORTED);
	ck_assert_uint_eq(a[8].value, VA_ATTRIB_NOT_SUPPORTED);

	a[0].value = 0;
	ck_assert_va_ok(vaGetConfigAttributes(t.dpy, VAProfileNone, VAEntrypointVideoProc, a, 1));
	ck_assert(a[0].value & VA_RT_FORMAT_YUV420);
	ck_assert(a[0].value & VA_RT_FORMAT_YUV420_10);
	ck_assert(a[0].value & VA_RT_FORMAT_RGB32);
	ck_assert(a[0].value & VA_RT_FORMAT_RGB32_10);
	kmscap_vat_close(&t);
}
END_TEST

START_TEST(test_config_roundtrip)
{
	VAConfigAttrib in[] = {
		{ VAConfigAttribRTFormat, VA_RT_FORMAT_YUV420 },
		{ VAConfigAttribRateControl, VA_RC_CQP },
		{ VAConfigAttribEncPackedHeaders, VA_ENC_PACKED_HEADER_SEQUENCE |
						  VA_ENC_PACKED_HEADER_SLICE },
	};
	VAConfigAttrib out[16];
	VAEntrypoint ep;
	VAConfigID cfg;
	VAProfile p;
	struct kmscap_vat t;
	int n, i;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaCreateConfig(t.dpy, VAProfileH264Main, VAEntrypointEncSliceLP, in, 3,
				       &cfg));
	ck_assert_int_le(vaMaxNumConfigAttributes(t.dpy), 16);
	ck_assert_va_ok(vaQueryConfigAttributes(t.dpy, cfg, &p, &ep, out, &n));
	ck_assert_int_eq(p, VAProfileH264Main);
	ck_assert_int_eq(ep, VAEntrypointEncSliceLP);
	for (i = 0; i < n; i++)
		if (out[i].type == VAConfigAttribEncPackedHeaders)
			ck_assert_uint_eq(out[i].value, in[2].value);
	ck_assert_va_ok(vaDestroyConfig(t.dpy, cfg));
	ck_assert_va(vaDestroyConfig(t.dpy, cfg), VA_STATUS_ERROR_INVALID_CONFIG);
	kmscap_vat_close(&t);
}
END_TEST

START_TEST(test_surface_attributes)
{
	VASurfaceAttrib *a;
	unsigned int n = 0, i, formats = 0, mem = 0;
	struct kmscap_vat t;
	VAConfigID cfg;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaCreateConfig(t.dpy, VAProfileNone, VAEntrypointVideoProc, NULL, 0,
				       &cfg));
	ck_assert_va_ok(vaQuerySurfaceAttributes(t.dpy, cfg, NULL, &n));
	ck_assert_uint_gt(n, 0);
	a = kmscap_vat_calloc(n, sizeof(*a));
	ck_assert_va_ok(vaQuerySurfaceAttributes(t.dpy, cfg, a, &n));
	for (i = 0; i < n; i++) {
		if (a[i].type == VASurfaceAttribPixelFormat)
			formats |= a[i].value.value.i == VA_FOURCC_NV12 ? 1 :
				   a[i].value.value.i == VA_FOURCC_P010 ? 2 :
				   a[i].value.value.i == VA_FOURCC_BGRX ? 4 :
				   a[i].value.value.i == VA_FOURCC_X2R10G10B10 ? 8 : 0;
		if (a[i].type == VASurfaceAttribMemoryType)
			mem = a[i].value.value.i;
	}
	ck_assert_uint_eq(formats, 15);
	ck_assert(mem & VA_SURFACE_ATTRIB_MEM_TYPE_VA);
	ck_assert(mem & VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME);
	ck_assert(mem & VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2);
	free(a);
	kmscap_vat_close(&t);
}
END_TEST

/* An encode config's input format: NV12 for 8-bit, P010 for a 10-bit config. */
static unsigned int encode_input_format(struct kmscap_vat *t, VAProfile profile,
					unsigned int rt_format)
{
	VAConfigAttrib rt = { .type = VAConfigAttribRTFormat, .value = rt_format };
	unsigned int n = 0, i, fourcc = 0, formats = 0;
	VASurfaceAttrib *a;
	VAConfigID cfg;

	ck_assert_va_ok(vaCreateConfig(t->dpy, profile, VAEntrypointEncSlice, &rt, 1, &cfg));
	ck_assert_va_ok(vaQuerySurfaceAttributes(t->dpy, cfg, NULL, &n));
	a = kmscap_vat_calloc(n, sizeof(*a));
	ck_assert_va_ok(vaQuerySurfaceAttributes(t->dpy, cfg, a, &n));
	for (i = 0; i < n; i++) {
		if (a[i].type == VASurfaceAttribPixelFormat) {
			fourcc = a[i].value.value.i;
			formats++;
		}
	}
	free(a);
	ck_assert_va_ok(vaDestroyConfig(t->dpy, cfg));
	ck_assert_uint_eq(formats, 1);
	return fourcc;
}

START_TEST(test_surface_attributes_encode)
{
	struct kmscap_vat t;

	kmscap_vat_open(&t);
	ck_assert_uint_eq(encode_input_format(&t, VAProfileH264High, VA_RT_FORMAT_YUV420),
			  VA_FOURCC_NV12);
	ck_assert_uint_eq(encode_input_format(&t, VAProfileHEVCMain, VA_RT_FORMAT_YUV420),
			  VA_FOURCC_NV12);
	ck_assert_uint_eq(encode_input_format(&t, VAProfileHEVCMain10, VA_RT_FORMAT_YUV420_10),
			  VA_FOURCC_P010);
	kmscap_vat_close(&t);
}
END_TEST

START_TEST(test_image_formats)
{
	VAImageFormat f[8];
	struct kmscap_vat t;
	int n, i, found = 0;

	kmscap_vat_open(&t);
	ck_assert_int_le(vaMaxNumImageFormats(t.dpy), 8);
	ck_assert_va_ok(vaQueryImageFormats(t.dpy, f, &n));
	for (i = 0; i < n; i++)
		found |= f[i].fourcc == VA_FOURCC_NV12 ? 1 : f[i].fourcc == VA_FOURCC_P010 ? 2 : 0;
	ck_assert_int_eq(found, 3);
	kmscap_vat_close(&t);
}
END_TEST

START_TEST(test_vpp_caps)
{
	VAProcPipelineCaps caps;
	VAProcFilterType f[8];
	unsigned int n = 8;
	struct kmscap_vat t;
	VAContextID ctx;
	VAConfigID cfg;
	VASurfaceID s;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaCreateConfig(t.dpy, VAProfileNone, VAEntrypointVideoProc, NULL, 0,
				       &cfg));
	ck_assert_va_ok(vaCreateSurfaces(t.dpy, VA_RT_FORMAT_YUV420, 64, 64, &s, 1, NULL, 0));
	ck_assert_va_ok(vaCreateContext(t.dpy, cfg, 64, 64, 0, &s, 1, &ctx));
	ck_assert_va_ok(vaQueryVideoProcFilters(t.dpy, ctx, f, &n));
	ck_assert_uint_eq(n, 0);
	memset(&caps, 0, sizeof(caps));
	ck_assert_va_ok(vaQueryVideoProcPipelineCaps(t.dpy, ctx, NULL, 0, &caps));
	ck_assert_uint_eq(caps.num_output_color_standards, 1);
	ck_assert_int_eq(caps.output_color_standards[0], VAProcColorStandardBT709);
	ck_assert_uint_eq(caps.num_forward_references, 0);
	ck_assert_uint_eq(caps.max_output_width, 4096);
	kmscap_vat_close(&t);
}
END_TEST

Suite *kmscap_vat_suite_query(void)
{
	Suite *s = suite_create("query");

#define ADD(fn) KMSCAP_VAT_ADD(s, fn, 60)
	ADD(test_profiles);
	ADD(test_entrypoints);
	ADD(test_config_attributes);
	ADD(test_config_roundtrip);
	ADD(test_surface_attributes);
	ADD(test_surface_attributes_encode);
	ADD(test_image_formats);
	ADD(test_vpp_caps);
#undef ADD
	return s;
}
