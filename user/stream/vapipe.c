// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: the VA-API pipeline.
 *
 *   DMA-BUF (RGB, from kmscap) --import, once per buffer id--> VA surface
 *     --VPP: RGB -> NV12--> pool surface --EncSlice(LP), H.264--> coded buffer
 *     --> one Annex B access unit
 *
 * The frame is released to kmscap as soon as the VPP pass that reads it
 * has completed (vaSyncSurface on the NV12 target), before the encode.
 * Encoding is low latency: no B frames, one reference, one frame in
 * flight per stage; an infinite GOP with IDRs on request or a periodic
 * one.  Written against the plain libva 2.x API: nothing here is specific
 * to the test driver.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <va/va.h>
#include <va/va_drm.h>
#include <va/va_drmcommon.h>
#include <va/va_enc_h264.h>
#include <va/va_str.h>
#include <va/va_vpp.h>

#include "ks.h"
#include "h264_headers.h"
#include "vapipe.h"

#define KS_NUM_RECON	2
#define KS_CACHE_MAX	16

struct ks_vapipe {
	struct ks_vapipe_config cfg;
	int drm_fd;
	VADisplay dpy;
	VAProfile profile;
	VAEntrypoint entrypoint;
	uint32_t rc_mode;		/* VA_RC_* used */
	bool have_rir;
	uint32_t packed;		/* VA_ENC_PACKED_HEADER_* we send */
	VAConfigID enc_config, vpp_config;
	VAContextID enc_ctx, vpp_ctx;
	/* session: valid while width != 0 */
	uint32_t width, height;		/* encoded (visible) size */
	uint32_t format;		/* DRM fourcc of the source */
	uint32_t refresh_mhz;
	VASurfaceID pool[KS_MAX_POOL];
	unsigned int pool_next;
	VASurfaceID recon[KS_NUM_RECON];
	VABufferID coded;
	unsigned int coded_size;
	VASurfaceID last_nv12;		/* VA_INVALID_SURFACE if none */
	/* H.264 state */
	bool idr_pending;
	uint64_t frames_since_idr;
	unsigned int frame_num;
	unsigned int idr_id;
	int prev_recon;			/* index in recon[], -1 before the first frame */
	struct ks_import_cache cache;
	int live_surfaces;
	int prime2_refused;		/* 1 once PRIME_2 failed and PRIME worked */
	char *err;			/* where ks_fail() writes */
	size_t errlen;
	char errmsg[512];		/* after opening: the last error */
};

static int ks_fail(struct ks_vapipe *p, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int ks_fail(struct ks_vapipe *p, int ret, const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static int ks_va_errno(VAStatus st)
{
	switch (st) {
	case VA_STATUS_SUCCESS:
		return 0;
	case VA_STATUS_ERROR_ALLOCATION_FAILED:
		return -ENOMEM;
	case VA_STATUS_ERROR_UNSUPPORTED_PROFILE:
	case VA_STATUS_ERROR_UNSUPPORTED_ENTRYPOINT:
	case VA_STATUS_ERROR_UNSUPPORTED_RT_FORMAT:
	case VA_STATUS_ERROR_UNSUPPORTED_MEMORY_TYPE:
	case VA_STATUS_ERROR_ATTR_NOT_SUPPORTED:
	case VA_STATUS_ERROR_UNIMPLEMENTED:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

/* DRM fourcc of a kmscap buffer -> VA fourcc and RT format. */
static bool ks_va_format(uint32_t drm, unsigned int *fourcc, unsigned int *rt)
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
		return ks_fail(p, -EOPNOTSUPP, "buffer format %.4s is not an RGB format VA can import",
			       (const char *)&l->format);
	st = ks_import_prime2(p, fd, size, l, fourcc, rt, &s);
	if (st != VA_STATUS_SUCCESS) {
		/* legacy DRM_PRIME carries no modifier: linear buffers only */
		if (l->modifier != DRM_FORMAT_MOD_LINEAR)
			return ks_fail(p, ks_va_errno(st),
				       "%s: importing a DMA-BUF with modifier %#llx as DRM_PRIME_2 failed: %s",
				       p->cfg.device, (unsigned long long)l->modifier,
				       vaErrorStr(st));
		st2 = ks_import_prime(p, fd, size, l, fourcc, rt, &s);
		if (st2 != VA_STATUS_SUCCESS)
			return ks_fail(p, ks_va_errno(st2),
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

static const struct ks_import_ops ks_vapipe_import_ops = {
	.export_buf = ks_cache_export,
	.import = ks_cache_import,
	.destroy = ks_cache_destroy,
};

/* ------------------------------------------------------------------ */
/* Opening: device, driver, profile and entrypoint                     */
/* ------------------------------------------------------------------ */

static bool ks_has_entrypoint(VADisplay dpy, VAProfile prof, VAEntrypoint want)
{
	VAEntrypoint eps[32];
	int n = 0, i, max = vaMaxNumEntrypoints(dpy);

	if (max > 32)
		max = 32;
	if (vaQueryConfigEntrypoints(dpy, prof, eps, &n) != VA_STATUS_SUCCESS)
		return false;
	for (i = 0; i < n && i < max; i++)
		if (eps[i] == want)
			return true;
	return false;
}

static bool ks_has_profile(VADisplay dpy, VAProfile want)
{
	VAProfile *profs;
	int n = 0, i, max = vaMaxNumProfiles(dpy);
	bool found = false;

	profs = calloc((size_t)(max > 0 ? max : 1), sizeof(*profs));
	if (!profs)
		return false;
	if (vaQueryConfigProfiles(dpy, profs, &n) == VA_STATUS_SUCCESS)
		for (i = 0; i < n; i++)
			found |= profs[i] == want;
	free(profs);
	return found;
}

static int ks_pick_codec(struct ks_vapipe *p)
{
	static const VAProfile h264[] = {
		VAProfileH264High, VAProfileH264Main, VAProfileH264ConstrainedBaseline,
	};
	VAConfigAttrib at[4];
	unsigned int i;

	if (p->cfg.codec == KS_CODEC_HEVC || p->cfg.codec == KS_CODEC_AV1) {
		VAProfile prof = p->cfg.codec == KS_CODEC_HEVC ? VAProfileHEVCMain :
								 VAProfileAV1Profile0;

		if (!ks_has_profile(p->dpy, prof) ||
		    (!ks_has_entrypoint(p->dpy, prof, VAEntrypointEncSliceLP) &&
		     !ks_has_entrypoint(p->dpy, prof, VAEntrypointEncSlice)))
			return ks_fail(p, -EOPNOTSUPP,
				       "the VA-API driver on %s has no encode entrypoint for %s (%s)",
				       p->cfg.device, p->cfg.codec == KS_CODEC_HEVC ? "HEVC" : "AV1",
				       vaProfileStr(prof));
		return ks_fail(p, -EOPNOTSUPP, "%s encoding is not implemented yet (%s)",
			       p->cfg.codec == KS_CODEC_HEVC ? "HEVC" : "AV1", vaProfileStr(prof));
	}
	p->profile = VAProfileNone;
	for (i = 0; i < sizeof(h264) / sizeof(h264[0]) && p->profile == VAProfileNone; i++) {
		if (!ks_has_profile(p->dpy, h264[i]))
			continue;
		/* low power first: fixed-function, lower latency */
		if (ks_has_entrypoint(p->dpy, h264[i], VAEntrypointEncSliceLP)) {
			p->profile = h264[i];
			p->entrypoint = VAEntrypointEncSliceLP;
		} else if (ks_has_entrypoint(p->dpy, h264[i], VAEntrypointEncSlice)) {
			p->profile = h264[i];
			p->entrypoint = VAEntrypointEncSlice;
		}
	}
	if (p->profile == VAProfileNone)
		return ks_fail(p, -EOPNOTSUPP,
			       "the VA-API driver on %s has no encode entrypoint for H.264 (VAProfileH264High, Main or ConstrainedBaseline)",
			       p->cfg.device);

	memset(at, 0, sizeof(at));
	at[0].type = VAConfigAttribRTFormat;
	at[1].type = VAConfigAttribRateControl;
	at[2].type = VAConfigAttribEncIntraRefresh;
	at[3].type = VAConfigAttribEncPackedHeaders;
	if (vaGetConfigAttributes(p->dpy, p->profile, p->entrypoint, at, 4) != VA_STATUS_SUCCESS)
		return ks_fail(p, -EIO, "%s: vaGetConfigAttributes failed for %s",
			       p->cfg.device, vaProfileStr(p->profile));
	if (at[0].value == VA_ATTRIB_NOT_SUPPORTED || !(at[0].value & VA_RT_FORMAT_YUV420))
		return ks_fail(p, -EOPNOTSUPP, "%s: %s/%s does not encode 4:2:0", p->cfg.device,
			       vaProfileStr(p->profile), vaEntrypointStr(p->entrypoint));
	if (p->cfg.rc == KS_RC_CBR && at[1].value != VA_ATTRIB_NOT_SUPPORTED &&
	    (at[1].value & VA_RC_CBR))
		p->rc_mode = VA_RC_CBR;
	else if (p->cfg.rc == KS_RC_VBR && at[1].value != VA_ATTRIB_NOT_SUPPORTED &&
		 (at[1].value & VA_RC_VBR))
		p->rc_mode = VA_RC_VBR;
	else if (at[1].value == VA_ATTRIB_NOT_SUPPORTED || (at[1].value & VA_RC_CQP))
		p->rc_mode = VA_RC_CQP;
	else
		return ks_fail(p, -EOPNOTSUPP, "%s: %s offers none of CBR, VBR, CQP rate control",
			       p->cfg.device, vaProfileStr(p->profile));
	if (p->rc_mode == VA_RC_CQP && p->cfg.rc != KS_RC_CQP)
		fprintf(stderr, KS_PROG ": %s: %s rate control is not offered, using CQP (qp %u)\n",
			p->cfg.device, ks_rc_name(p->cfg.rc), p->cfg.qp);
	p->have_rir = p->cfg.intra_refresh && at[2].value != VA_ATTRIB_NOT_SUPPORTED &&
		      (at[2].value & VA_ENC_INTRA_REFRESH_ROLLING_COLUMN);
	/* the driver wants our headers where it declares it takes them */
	if (at[3].value != VA_ATTRIB_NOT_SUPPORTED && !p->cfg.no_packed_headers)
		p->packed = at[3].value & (VA_ENC_PACKED_HEADER_SEQUENCE |
					   VA_ENC_PACKED_HEADER_PICTURE |
					   VA_ENC_PACKED_HEADER_SLICE);
	if (p->cfg.intra_refresh && !p->have_rir)
		fprintf(stderr, KS_PROG ": %s: no rolling intra refresh, option ignored\n",
			p->cfg.device);

	if (!ks_has_entrypoint(p->dpy, VAProfileNone, VAEntrypointVideoProc))
		return ks_fail(p, -EOPNOTSUPP,
			       "the VA-API driver on %s has no video processing (VAEntrypointVideoProc) for RGB to NV12",
			       p->cfg.device);
	return 0;
}

int ks_vapipe_open(const struct ks_vapipe_config *cfg, struct ks_vapipe **out, char *err,
		   size_t errlen)
{
	struct ks_vapipe *p;
	VAConfigAttrib at[3];
	int major, minor, ret, nat;
	VAStatus st;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cfg = *cfg;
	p->err = err;
	p->errlen = errlen;
	p->drm_fd = -1;
	p->enc_config = p->vpp_config = VA_INVALID_ID;
	p->enc_ctx = p->vpp_ctx = VA_INVALID_ID;
	p->coded = VA_INVALID_ID;
	p->last_nv12 = VA_INVALID_SURFACE;
	p->prev_recon = -1;
	if (!p->cfg.pool)
		p->cfg.pool = KS_DEFAULT_POOL;

	p->drm_fd = open(cfg->device, O_RDWR | O_CLOEXEC);
	if (p->drm_fd < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			ks_fail(p, ret, "no VA-API device at %s (set --device)", cfg->device);
		else if (ret == -EACCES || ret == -EPERM)
			ks_fail(p, ret, "%s: permission denied (is your user in group render?)",
				cfg->device);
		else
			ks_fail(p, ret, "%s: %s", cfg->device, strerror(-ret));
		goto fail;
	}
	p->dpy = vaGetDisplayDRM(p->drm_fd);
	if (!p->dpy) {
		ret = ks_fail(p, -ENODEV, "%s is not a DRM render node VA-API can use",
			      cfg->device);
		goto fail;
	}
	vaSetInfoCallback(p->dpy, NULL, NULL);
	st = vaInitialize(p->dpy, &major, &minor);
	if (st != VA_STATUS_SUCCESS) {
		ret = ks_fail(p, -ENODEV, "%s: no VA-API driver could be initialised: %s",
			      cfg->device, vaErrorStr(st));
		vaTerminate(p->dpy);
		p->dpy = NULL;
		goto fail;
	}
	ret = ks_pick_codec(p);
	if (ret)
		goto fail;

	memset(at, 0, sizeof(at));
	at[0].type = VAConfigAttribRTFormat;
	at[0].value = VA_RT_FORMAT_YUV420;
	at[1].type = VAConfigAttribRateControl;
	at[1].value = p->rc_mode;
	nat = 2;
	if (p->packed) {
		at[2].type = VAConfigAttribEncPackedHeaders;
		at[2].value = p->packed;
		nat = 3;
	}
	st = vaCreateConfig(p->dpy, p->profile, p->entrypoint, at, nat, &p->enc_config);
	if (st != VA_STATUS_SUCCESS) {
		ret = ks_fail(p, ks_va_errno(st), "%s: vaCreateConfig(%s, %s) failed: %s",
			      cfg->device, vaProfileStr(p->profile),
			      vaEntrypointStr(p->entrypoint), vaErrorStr(st));
		goto fail;
	}
	st = vaCreateConfig(p->dpy, VAProfileNone, VAEntrypointVideoProc, NULL, 0, &p->vpp_config);
	if (st != VA_STATUS_SUCCESS) {
		ret = ks_fail(p, ks_va_errno(st), "%s: vaCreateConfig(VideoProc) failed: %s",
			      cfg->device, vaErrorStr(st));
		goto fail;
	}
	ret = ks_import_cache_init(&p->cache, &ks_vapipe_import_ops, p, KS_CACHE_MAX);
	if (ret)
		goto fail;
	p->idr_pending = true;
	p->err = p->errmsg;
	p->errlen = sizeof(p->errmsg);
	*out = p;
	return 0;
fail:
	ks_vapipe_close(p);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Session: surfaces and contexts for one size                         */
/* ------------------------------------------------------------------ */

static void ks_session_end(struct ks_vapipe *p)
{
	if (p->coded != VA_INVALID_ID)
		vaDestroyBuffer(p->dpy, p->coded);
	p->coded = VA_INVALID_ID;
	if (p->enc_ctx != VA_INVALID_ID)
		vaDestroyContext(p->dpy, p->enc_ctx);
	if (p->vpp_ctx != VA_INVALID_ID)
		vaDestroyContext(p->dpy, p->vpp_ctx);
	p->enc_ctx = p->vpp_ctx = VA_INVALID_ID;
	if (p->width) {
		vaDestroySurfaces(p->dpy, p->pool, (int)p->cfg.pool);
		vaDestroySurfaces(p->dpy, p->recon, KS_NUM_RECON);
		p->live_surfaces -= (int)p->cfg.pool + KS_NUM_RECON;
	}
	p->width = p->height = 0;
	p->last_nv12 = VA_INVALID_SURFACE;
	p->prev_recon = -1;
}

static int ks_session_start(struct ks_vapipe *p, uint32_t w, uint32_t h)
{
	VASurfaceID targets[KS_MAX_POOL + KS_NUM_RECON];
	unsigned int mbs, n = p->cfg.pool;
	VASurfaceAttrib at;
	VAStatus st;

	memset(&at, 0, sizeof(at));
	at.type = VASurfaceAttribPixelFormat;
	at.flags = VA_SURFACE_ATTRIB_SETTABLE;
	at.value.type = VAGenericValueTypeInteger;
	at.value.value.i = VA_FOURCC_NV12;
	st = vaCreateSurfaces(p->dpy, VA_RT_FORMAT_YUV420, w, h, p->pool, n, &at, 1);
	if (st != VA_STATUS_SUCCESS)
		return ks_fail(p, ks_va_errno(st), "%s: creating %u NV12 surfaces of %ux%u: %s",
			       p->cfg.device, n, w, h, vaErrorStr(st));
	st = vaCreateSurfaces(p->dpy, VA_RT_FORMAT_YUV420, w, h, p->recon, KS_NUM_RECON, &at, 1);
	if (st != VA_STATUS_SUCCESS) {
		vaDestroySurfaces(p->dpy, p->pool, (int)n);
		return ks_fail(p, ks_va_errno(st), "%s: creating reconstructed surfaces: %s",
			       p->cfg.device, vaErrorStr(st));
	}
	p->live_surfaces += (int)n + KS_NUM_RECON;
	p->width = w;
	p->height = h;
	memcpy(targets, p->pool, n * sizeof(targets[0]));
	memcpy(targets + n, p->recon, KS_NUM_RECON * sizeof(targets[0]));

	st = vaCreateContext(p->dpy, p->vpp_config, (int)w, (int)h, VA_PROGRESSIVE, p->pool,
			     (int)n, &p->vpp_ctx);
	if (st != VA_STATUS_SUCCESS) {
		ks_session_end(p);
		return ks_fail(p, ks_va_errno(st), "%s: creating the VPP context: %s",
			       p->cfg.device, vaErrorStr(st));
	}
	st = vaCreateContext(p->dpy, p->enc_config, (int)w, (int)h, VA_PROGRESSIVE, targets,
			     (int)n + KS_NUM_RECON, &p->enc_ctx);
	if (st != VA_STATUS_SUCCESS) {
		ks_session_end(p);
		return ks_fail(p, ks_va_errno(st), "%s: creating the %s encode context for %ux%u: %s",
			       p->cfg.device, vaProfileStr(p->profile), w, h, vaErrorStr(st));
	}
	mbs = ((w + 15) / 16) * ((h + 15) / 16);
	p->coded_size = mbs * 400 + 65536;
	st = vaCreateBuffer(p->dpy, p->enc_ctx, VAEncCodedBufferType, p->coded_size, 1, NULL,
			    &p->coded);
	if (st != VA_STATUS_SUCCESS) {
		ks_session_end(p);
		return ks_fail(p, ks_va_errno(st), "%s: creating a coded buffer: %s",
			       p->cfg.device, vaErrorStr(st));
	}
	p->idr_pending = true;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Per frame: convert, encode                                          */
/* ------------------------------------------------------------------ */

static int ks_convert(struct ks_vapipe *p, VASurfaceID src, const struct kmscap_event *ev,
		      VASurfaceID dst)
{
	VAProcPipelineParameterBuffer pp;
	VARectangle region = {
		.x = (int16_t)ev->src_x, .y = (int16_t)ev->src_y,
		.width = (uint16_t)p->width, .height = (uint16_t)p->height,
	};
	VABufferID buf;
	VAStatus st;

	memset(&pp, 0, sizeof(pp));
	pp.surface = src;
	pp.surface_region = &region;
	pp.surface_color_standard = VAProcColorStandardNone;	/* RGB */
	pp.output_color_standard = VAProcColorStandardBT709;
	pp.output_color_properties.color_range = VA_SOURCE_RANGE_REDUCED;
	pp.filter_flags = VA_FILTER_SCALING_DEFAULT;
	st = vaCreateBuffer(p->dpy, p->vpp_ctx, VAProcPipelineParameterBufferType, sizeof(pp), 1,
			    &pp, &buf);
	if (st != VA_STATUS_SUCCESS)
		return ks_fail(p, ks_va_errno(st), "VPP: vaCreateBuffer: %s", vaErrorStr(st));
	st = vaBeginPicture(p->dpy, p->vpp_ctx, dst);
	if (st == VA_STATUS_SUCCESS) {
		st = vaRenderPicture(p->dpy, p->vpp_ctx, &buf, 1);
		if (st == VA_STATUS_SUCCESS)
			st = vaEndPicture(p->dpy, p->vpp_ctx);
		else
			vaEndPicture(p->dpy, p->vpp_ctx);
	}
	if (st == VA_STATUS_SUCCESS)
		st = vaSyncSurface(p->dpy, dst);
	vaDestroyBuffer(p->dpy, buf);
	if (st != VA_STATUS_SUCCESS)
		return ks_fail(p, ks_va_errno(st), "VPP: RGB to NV12 conversion failed: %s",
			       vaErrorStr(st));
	return 0;
}

static unsigned int ks_level(unsigned int mbs)
{
	if (mbs <= 1620)
		return 31;
	if (mbs <= 8192)
		return 42;
	if (mbs <= 36864)
		return 52;
	return 62;
}

static unsigned int ks_gcd(unsigned int a, unsigned int b)
{
	while (b) {
		unsigned int t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Frame rate as num/den with both < 65536 (VAEncMiscParameterFrameRate). */
static void ks_fps(uint32_t mhz, unsigned int *num, unsigned int *den)
{
	unsigned int g;

	if (!mhz)
		mhz = 60000;
	g = ks_gcd(mhz, 1000);
	*num = mhz / g;
	*den = 1000 / g;
	if (*num > 65535) {
		*num = (mhz + 500) / 1000;
		*den = 1;
	}
}

static int ks_add_buf(struct ks_vapipe *p, VABufferType type, unsigned int size, void *data,
		      VABufferID *ids, unsigned int *n)
{
	VAStatus st = vaCreateBuffer(p->dpy, p->enc_ctx, type, size, 1, data, &ids[*n]);

	if (st != VA_STATUS_SUCCESS)
		return ks_fail(p, ks_va_errno(st), "encode: vaCreateBuffer(%s): %s",
			       vaBufferTypeStr(type), vaErrorStr(st));
	(*n)++;
	return 0;
}

static int ks_add_misc(struct ks_vapipe *p, VAEncMiscParameterType type, const void *data,
		       size_t len, VABufferID *ids, unsigned int *n)
{
	uint8_t buf[sizeof(VAEncMiscParameterBuffer) + 256];
	VAEncMiscParameterBuffer *m = (void *)buf;

	memset(buf, 0, sizeof(buf));
	m->type = type;
	memcpy(m->data, data, len);
	return ks_add_buf(p, VAEncMiscParameterBufferType,
			  (unsigned int)(sizeof(*m) + len), buf, ids, n);
}

static int ks_add_packed(struct ks_vapipe *p, uint32_t type, const struct ks_bits *b,
			 VABufferID *ids, unsigned int *n)
{
	VAEncPackedHeaderParameterBuffer ph = {
		.type = type,
		.bit_length = (uint32_t)b->bits,
		.has_emulation_bytes = 0,
	};
	int ret;

	if (b->overflow)
		return ks_fail(p, -ENOSPC, "encode: packed header too long");
	ret = ks_add_buf(p, VAEncPackedHeaderParameterBufferType, sizeof(ph), &ph, ids, n);
	if (!ret)
		ret = ks_add_buf(p, VAEncPackedHeaderDataBufferType,
				 (unsigned int)(b->bits + 7) / 8, (void *)b->buf, ids, n);
	return ret;
}

static void ks_invalid_pic(VAPictureH264 *pic)
{
	memset(pic, 0, sizeof(*pic));
	pic->picture_id = VA_INVALID_SURFACE;
	pic->flags = VA_PICTURE_H264_INVALID;
}

static int ks_encode(struct ks_vapipe *p, VASurfaceID input, const struct kmscap_event *ev,
		     struct ks_buf *out, struct ks_stats *stats, bool repeat)
{
	VAEncSequenceParameterBufferH264 seq;
	VAEncPictureParameterBufferH264 pic;
	VAEncSliceParameterBufferH264 slice;
	unsigned int wmb = (p->width + 15) / 16, hmb = (p->height + 15) / 16;
	unsigned int num, den, i, n = 0;
	bool idr = p->idr_pending || p->prev_recon < 0 ||
		   (p->cfg.gop && p->frames_since_idr >= p->cfg.gop);
	int cur = p->prev_recon < 0 ? 0 : (p->prev_recon + 1) % KS_NUM_RECON;
	VACodedBufferSegment *seg;
	VABufferID ids[20];
	struct ks_h264_params hp;
	struct ks_bits bits;
	VAStatus st;
	int ret = 0;

	if (idr) {
		p->frame_num = 0;
		p->frames_since_idr = 0;
	}
	ks_fps(p->refresh_mhz, &num, &den);

	memset(&seq, 0, sizeof(seq));
	seq.level_idc = (uint8_t)ks_level(wmb * hmb);
	seq.intra_period = p->cfg.gop;
	seq.intra_idr_period = p->cfg.gop;
	seq.ip_period = 1;
	seq.bits_per_second = p->rc_mode == VA_RC_CQP ? 0 : p->cfg.bitrate;
	seq.max_num_ref_frames = 1;
	seq.picture_width_in_mbs = (uint16_t)wmb;
	seq.picture_height_in_mbs = (uint16_t)hmb;
	seq.seq_fields.bits.chroma_format_idc = 1;
	seq.seq_fields.bits.frame_mbs_only_flag = 1;
	seq.seq_fields.bits.direct_8x8_inference_flag = 1;
	seq.seq_fields.bits.log2_max_frame_num_minus4 = 4;
	seq.seq_fields.bits.pic_order_cnt_type = 2;
	if (wmb * 16 != p->width || hmb * 16 != p->height) {
		seq.frame_cropping_flag = 1;
		seq.frame_crop_right_offset = (wmb * 16 - p->width) / 2;
		seq.frame_crop_bottom_offset = (hmb * 16 - p->height) / 2;
	}
	seq.vui_parameters_present_flag = 1;
	seq.vui_fields.bits.timing_info_present_flag = 1;
	seq.vui_fields.bits.bitstream_restriction_flag = 1;
	seq.vui_fields.bits.log2_max_mv_length_horizontal = 15;
	seq.vui_fields.bits.log2_max_mv_length_vertical = 15;
	seq.num_units_in_tick = den;
	seq.time_scale = 2 * num;

	memset(&pic, 0, sizeof(pic));
	pic.CurrPic.picture_id = p->recon[cur];
	pic.CurrPic.frame_idx = p->frame_num;
	pic.CurrPic.TopFieldOrderCnt = (int32_t)(2 * p->frames_since_idr);
	pic.CurrPic.BottomFieldOrderCnt = pic.CurrPic.TopFieldOrderCnt;
	for (i = 0; i < 16; i++)
		ks_invalid_pic(&pic.ReferenceFrames[i]);
	if (!idr) {
		pic.ReferenceFrames[0].picture_id = p->recon[p->prev_recon];
		pic.ReferenceFrames[0].frame_idx = p->frame_num - 1;
		pic.ReferenceFrames[0].flags = VA_PICTURE_H264_SHORT_TERM_REFERENCE;
		pic.ReferenceFrames[0].TopFieldOrderCnt = (int32_t)(2 * (p->frames_since_idr - 1));
		pic.ReferenceFrames[0].BottomFieldOrderCnt =
			pic.ReferenceFrames[0].TopFieldOrderCnt;
	}
	pic.coded_buf = p->coded;
	pic.frame_num = (uint16_t)p->frame_num;
	pic.pic_init_qp = (uint8_t)p->cfg.qp;
	pic.num_ref_idx_l0_active_minus1 = 0;
	pic.pic_fields.bits.idr_pic_flag = idr;
	pic.pic_fields.bits.reference_pic_flag = 1;
	pic.pic_fields.bits.entropy_coding_mode_flag =
		p->profile != VAProfileH264ConstrainedBaseline;
	pic.pic_fields.bits.transform_8x8_mode_flag = p->profile == VAProfileH264High;
	pic.pic_fields.bits.deblocking_filter_control_present_flag = 1;

	memset(&slice, 0, sizeof(slice));
	slice.macroblock_address = 0;
	slice.num_macroblocks = wmb * hmb;
	slice.slice_type = idr ? 2 : 0;
	slice.idr_pic_id = (uint16_t)p->idr_id;
	for (i = 0; i < 32; i++) {
		ks_invalid_pic(&slice.RefPicList0[i]);
		ks_invalid_pic(&slice.RefPicList1[i]);
	}
	if (!idr)
		slice.RefPicList0[0] = pic.ReferenceFrames[0];

	if (idr) {
		ret = ks_add_buf(p, VAEncSequenceParameterBufferType, sizeof(seq), &seq, ids, &n);
		if (!ret && p->rc_mode != VA_RC_CQP) {
			VAEncMiscParameterRateControl rc;
			VAEncMiscParameterHRD hrd;
			VAEncMiscParameterFrameRate fr;
			uint32_t vbv = (uint32_t)((uint64_t)p->cfg.bitrate * den / num);

			memset(&rc, 0, sizeof(rc));
			rc.bits_per_second = p->cfg.bitrate;
			rc.target_percentage = p->rc_mode == VA_RC_CBR ? 100 : 90;
			rc.window_size = 1000 * den / num + 1;	/* one frame, in ms */
			rc.initial_qp = p->cfg.qp;
			memset(&hrd, 0, sizeof(hrd));
			hrd.buffer_size = vbv;			/* a one-frame VBV */
			hrd.initial_buffer_fullness = vbv;
			memset(&fr, 0, sizeof(fr));
			fr.framerate = num | den << 16;
			ret = ks_add_misc(p, VAEncMiscParameterTypeRateControl, &rc, sizeof(rc),
					  ids, &n);
			if (!ret)
				ret = ks_add_misc(p, VAEncMiscParameterTypeHRD, &hrd, sizeof(hrd),
						  ids, &n);
			if (!ret)
				ret = ks_add_misc(p, VAEncMiscParameterTypeFrameRate, &fr,
						  sizeof(fr), ids, &n);
		}
		if (!ret && p->have_rir) {
			VAEncMiscParameterRIR rir;

			memset(&rir, 0, sizeof(rir));
			rir.rir_flags.bits.enable_rir_column = 1;
			rir.intra_insert_size = (uint16_t)(wmb / 30 ? wmb / 30 : 1);
			ret = ks_add_misc(p, VAEncMiscParameterTypeRIR, &rir, sizeof(rir), ids, &n);
		}
	}
	if (!ret)
		ret = ks_add_buf(p, VAEncPictureParameterBufferType, sizeof(pic), &pic, ids, &n);

	memset(&hp, 0, sizeof(hp));
	hp.profile = p->profile == VAProfileH264High ? KS_H264_HIGH :
		     p->profile == VAProfileH264Main ? KS_H264_MAIN : KS_H264_CB;
	hp.level_idc = seq.level_idc;
	hp.width = p->width;
	hp.height = p->height;
	hp.log2_max_frame_num = seq.seq_fields.bits.log2_max_frame_num_minus4 + 4;
	hp.num_units_in_tick = seq.num_units_in_tick;
	hp.time_scale = seq.time_scale;
	hp.qp = pic.pic_init_qp;
	hp.cabac = pic.pic_fields.bits.entropy_coding_mode_flag;
	hp.transform_8x8 = pic.pic_fields.bits.transform_8x8_mode_flag;
	if (!ret && idr && (p->packed & VA_ENC_PACKED_HEADER_SEQUENCE)) {
		ks_h264_sps(&bits, &hp);
		ret = ks_add_packed(p, VAEncPackedHeaderSequence, &bits, ids, &n);
	}
	if (!ret && idr && (p->packed & VA_ENC_PACKED_HEADER_PICTURE)) {
		ks_h264_pps(&bits, &hp);
		ret = ks_add_packed(p, VAEncPackedHeaderPicture, &bits, ids, &n);
	}
	if (!ret)
		ret = ks_add_buf(p, VAEncSliceParameterBufferType, sizeof(slice), &slice, ids, &n);
	if (!ret && (p->packed & VA_ENC_PACKED_HEADER_SLICE)) {
		ks_h264_slice_header(&bits, &hp, idr, p->frame_num, p->idr_id);
		ret = ks_add_packed(p, VAEncPackedHeaderSlice, &bits, ids, &n);
	}
	if (ret)
		goto out;

	st = vaBeginPicture(p->dpy, p->enc_ctx, input);
	if (st == VA_STATUS_SUCCESS) {
		st = vaRenderPicture(p->dpy, p->enc_ctx, ids, (int)n);
		if (st == VA_STATUS_SUCCESS)
			st = vaEndPicture(p->dpy, p->enc_ctx);
		else
			vaEndPicture(p->dpy, p->enc_ctx);
	}
	if (st == VA_STATUS_SUCCESS)
		st = vaSyncSurface(p->dpy, input);
	if (st != VA_STATUS_SUCCESS) {
		ret = ks_fail(p, ks_va_errno(st), "encode: %s frame %llu failed: %s",
			      vaProfileStr(p->profile), (unsigned long long)ev->seq,
			      vaErrorStr(st));
		goto out;
	}
	st = vaMapBuffer(p->dpy, p->coded, (void **)&seg);
	if (st != VA_STATUS_SUCCESS) {
		ret = ks_fail(p, ks_va_errno(st), "encode: mapping the coded buffer: %s",
			      vaErrorStr(st));
		goto out;
	}
	if (p->cfg.codec == KS_CODEC_H264)
		ret = ks_annexb_aud_h264(out);
	for (; seg && !ret; seg = seg->next) {
		if (seg->status & VA_CODED_BUF_STATUS_SLICE_OVERFLOW_MASK) {
			ret = ks_fail(p, -ENOBUFS, "encode: coded buffer of %u bytes overflowed",
				      p->coded_size);
			break;
		}
		if (seg->size)
			ret = ks_annexb_append_stream(out, seg->buf, seg->size);
		if (ret == -EBADMSG)
			ks_fail(p, ret, "encode: the driver's coded data is not Annex B");
	}
	vaUnmapBuffer(p->dpy, p->coded);
	if (ret)
		goto out;
	if (stats) {
		uint64_t now = ks_now_ns();

		if (now > ev->timestamp_ns)
			ks_latency_add(&stats->lat, now - ev->timestamp_ns);
		if (repeat)
			stats->total.repeated++;
		else
			stats->total.encoded++;
		stats->total.idr += idr;
	}
	if (idr)
		p->idr_id = (p->idr_id + 1) % 65536;
	p->idr_pending = false;
	p->prev_recon = cur;
	p->frame_num = (p->frame_num + 1) % 256;
	p->frames_since_idr++;
out:
	for (i = 0; i < n; i++)
		vaDestroyBuffer(p->dpy, ids[i]);
	return ret;
}

static bool ks_is_idle(const struct kmscap_event *ev)
{
	const uint32_t busy = KMSCAP_FRAME_FULL_DAMAGE | KMSCAP_FRAME_NEW_MODE |
			      KMSCAP_FRAME_FIRST | KMSCAP_FRAME_CURSOR_MOVED |
			      KMSCAP_FRAME_CURSOR_CHANGED;

	return !ev->num_damage && !(ev->flags & busy);
}

int ks_vapipe_frame(struct ks_vapipe *p, struct ks_loop *loop, const struct kmscap_event *ev,
		    struct ks_buf *out)
{
	struct ks_stats *stats = loop ? ks_loop_stats(loop) : NULL;
	uint32_t w = ev->src_w ? ev->src_w : ev->width, h = ev->src_h ? ev->src_h : ev->height;
	struct ks_layout lay;
	uint32_t src;
	VASurfaceID dst;
	int ret;

	if (ks_import_cache_note_event(&p->cache, ev) && p->width) {
		/* a new mode: new buffers, maybe a new size; restart with an IDR */
		if (stats)
			stats->total.mode_changes++;
		p->idr_pending = true;
	}
	if (ev->flags & KMSCAP_FRAME_BLANK || !ev->buffer_id) {
		if (stats)
			stats->total.blank++;
		return 0;
	}
	/* 4:2:0 needs even sizes: drop the odd last column / row */
	w &= ~1u;
	h &= ~1u;
	if (w != p->width || h != p->height || ev->format != p->format) {
		if (p->width) {
			ks_import_cache_drop_all(&p->cache);
			if (stats && !(ev->flags & KMSCAP_FRAME_NEW_MODE))
				stats->total.mode_changes++;
		}
		ks_session_end(p);
		ret = ks_session_start(p, w, h);
		if (ret)
			return ret;
		p->format = ev->format;
	}
	p->refresh_mhz = ev->refresh_mhz;

	if (ks_is_idle(ev) && p->last_nv12 != VA_INVALID_SURFACE && !p->idr_pending &&
	    !(p->cfg.gop && p->frames_since_idr >= p->cfg.gop)) {
		if (loop)
			ks_loop_release(loop, ev->seq);
		if (p->cfg.idle == KS_IDLE_SKIP) {
			if (stats)
				stats->total.skipped++;
			return 0;
		}
		/* repeat: encode the previous picture again (cheap P frame) */
		return ks_encode(p, p->last_nv12, ev, out, stats, true);
	}

	lay.format = ev->format;
	lay.width = ev->width;
	lay.height = ev->height;
	lay.modifier = ev->modifier;
	lay.pitch = ev->pitches[0];
	lay.offset = ev->offsets[0];
	ret = ks_import_cache_get(&p->cache, ev->buffer_id, &lay, &src);
	if (ret)
		return ret;
	dst = p->pool[p->pool_next];
	p->pool_next = (p->pool_next + 1) % p->cfg.pool;
	ret = ks_convert(p, src, ev, dst);
	/* the GPU is done reading the frame: give it back now */
	if (loop)
		ks_loop_release(loop, ev->seq);
	if (ret)
		return ret;
	p->last_nv12 = dst;
	return ks_encode(p, dst, ev, out, stats, false);
}

void ks_vapipe_request_idr(struct ks_vapipe *p)
{
	p->idr_pending = true;
}

uint32_t ks_vapipe_packed_headers(const struct ks_vapipe *p)
{
	return p->packed;
}

int ks_vapipe_live_surfaces(const struct ks_vapipe *p)
{
	return p->live_surfaces;
}

const char *ks_vapipe_error(const struct ks_vapipe *p)
{
	return p->errmsg;
}

int ks_vapipe_prime2_refused(const struct ks_vapipe *p)
{
	return p->prime2_refused;
}

const char *ks_vapipe_describe(const struct ks_vapipe *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s, %s%s", vaProfileStr(p->profile),
		 vaEntrypointStr(p->entrypoint),
		 p->rc_mode == VA_RC_CBR ? "CBR" : p->rc_mode == VA_RC_VBR ? "VBR" : "CQP",
		 p->packed ? ", packed headers" : "");
	return buf;
}

void ks_vapipe_close(struct ks_vapipe *p)
{
	if (!p)
		return;
	if (p->dpy) {
		ks_import_cache_fini(&p->cache);
		ks_session_end(p);
		if (p->enc_config != VA_INVALID_ID)
			vaDestroyConfig(p->dpy, p->enc_config);
		if (p->vpp_config != VA_INVALID_ID)
			vaDestroyConfig(p->dpy, p->vpp_config);
		vaTerminate(p->dpy);
	}
	if (p->drm_fd >= 0)
		close(p->drm_fd);
	free(p);
}

/* The loop's encoder interface. */
static int ks_vapipe_op_frame(void *opaque, struct ks_loop *loop, const struct kmscap_event *ev,
			      struct ks_buf *out)
{
	struct ks_vapipe *p = opaque;
	int ret;

	p->errmsg[0] = '\0';
	ret = ks_vapipe_frame(p, loop, ev, out);
	if (ret < 0 && p->errmsg[0])
		ks_loop_fail(loop, ret, "%s", p->errmsg);
	return ret;
}

static void ks_vapipe_op_idr(void *opaque)
{
	ks_vapipe_request_idr(opaque);
}

static int ks_vapipe_op_flush(void *opaque, struct ks_buf *out)
{
	/* encoding is synchronous: nothing is left inside the encoder */
	(void)opaque;
	(void)out;
	return 0;
}

const struct ks_encoder_ops ks_vapipe_ops = {
	.frame = ks_vapipe_op_frame,
	.request_idr = ks_vapipe_op_idr,
	.flush = ks_vapipe_op_flush,
};
