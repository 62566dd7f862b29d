// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: the VA-API pipeline.
 *
 *   DMA-BUF (RGB, from kmscap) --import, once per buffer id--> VA surface
 *     --VPP: RGB -> NV12 (P010 for 10-bit HEVC/AV1)--> pool surface
 *     --EncSlice(LP): H.264, HEVC or AV1 (va_h264.c, va_hevc.c, va_av1.c)-->
 *     coded buffer --> an Annex B access unit (IVF frame for AV1)
 *
 * A frame goes through in two steps: ks_vapipe_convert() imports it and
 * runs the VPP pass, and returns once that pass has completed
 * (vaSyncSurface on the NV12 target); the caller (the loop) then releases
 * the frame to kmscap and calls ks_vapipe_encode() with the release's
 * result.  The pipeline never releases a frame itself.
 *
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

#include "vapipe_priv.h"

int ks_va_fail(struct ks_vapipe *p, int ret, const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

int ks_va_errno(VAStatus st)
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

/* The preferred encode entrypoint of @prof: EncSliceLP, else EncSlice, else 0. */
static VAEntrypoint ks_enc_entrypoint(VADisplay dpy, VAProfile prof)
{
	if (!ks_has_profile(dpy, prof))
		return 0;
	/* low power first: fixed-function, lower latency */
	if (ks_has_entrypoint(dpy, prof, VAEntrypointEncSliceLP))
		return VAEntrypointEncSliceLP;
	if (ks_has_entrypoint(dpy, prof, VAEntrypointEncSlice))
		return VAEntrypointEncSlice;
	return 0;
}

static int ks_query_attrs(struct ks_vapipe *p, VAProfile prof, VAEntrypoint ep,
			  uint32_t out[KS_AT_N])
{
	static const VAConfigAttribType types[KS_AT_N] = {
		[KS_AT_RT] = VAConfigAttribRTFormat,
		[KS_AT_RC] = VAConfigAttribRateControl,
		[KS_AT_RIR] = VAConfigAttribEncIntraRefresh,
		[KS_AT_PACKED] = VAConfigAttribEncPackedHeaders,
		[KS_AT_MAXREF] = VAConfigAttribEncMaxRefFrames,
		[KS_AT_HEVC_FEAT] = VAConfigAttribEncHEVCFeatures,
		[KS_AT_HEVC_BLK] = VAConfigAttribEncHEVCBlockSizes,
		[KS_AT_AV1] = VAConfigAttribEncAV1,
		[KS_AT_AV1_EXT1] = VAConfigAttribEncAV1Ext1,
		[KS_AT_AV1_EXT2] = VAConfigAttribEncAV1Ext2,
		[KS_AT_PREDDIR] = VAConfigAttribPredictionDirection,
	};
	VAConfigAttrib at[KS_AT_N];
	unsigned int i;

	memset(at, 0, sizeof(at));
	for (i = 0; i < KS_AT_N; i++)
		at[i].type = types[i];
	if (vaGetConfigAttributes(p->dpy, prof, ep, at, KS_AT_N) != VA_STATUS_SUCCESS)
		return ks_va_fail(p, -EIO, "%s: vaGetConfigAttributes failed for %s",
				  p->cfg.device, vaProfileStr(prof));
	for (i = 0; i < KS_AT_N; i++)
		out[i] = at[i].value;
	return 0;
}

static bool ks_attr_has(uint32_t v, uint32_t bits)
{
	return v != VA_ATTRIB_NOT_SUPPORTED && (v & bits);
}

/* Why a 10-bit source is encoded 8-bit ("" if it is not). */
static const char *ks_no10_reason(const struct ks_vapipe *p)
{
	if (p->profile10 != VAProfileNone)
		return "";
	switch (p->cfg.codec) {
	case KS_CODEC_HEVC:
		return "the driver offers no VAProfileHEVCMain10 encoding of VA_RT_FORMAT_YUV420_10";
	case KS_CODEC_AV1:
		return "the driver offers no VAProfileAV1Profile0 encoding of VA_RT_FORMAT_YUV420_10";
	default:
		return "kmscap-stream encodes H.264 in 8-bit profiles only";
	}
}

static int ks_pick_codec(struct ks_vapipe *p)
{
	static const VAProfile h264[] = {
		VAProfileH264High, VAProfileH264Main, VAProfileH264ConstrainedBaseline,
	};
	uint32_t *at, vpp_rt = VA_ATTRIB_NOT_SUPPORTED;
	VAConfigAttrib va;
	unsigned int i;

	p->profile8 = p->profile10 = VAProfileNone;
	switch (p->cfg.codec) {
	case KS_CODEC_HEVC:
		p->codec = &ks_va_hevc;
		p->profile8 = VAProfileHEVCMain;
		p->ep8 = ks_enc_entrypoint(p->dpy, VAProfileHEVCMain);
		p->profile10 = VAProfileHEVCMain10;
		p->ep10 = ks_enc_entrypoint(p->dpy, VAProfileHEVCMain10);
		break;
	case KS_CODEC_AV1:
		p->codec = &ks_va_av1;
		p->profile8 = p->profile10 = VAProfileAV1Profile0;
		p->ep8 = p->ep10 = ks_enc_entrypoint(p->dpy, VAProfileAV1Profile0);
		break;
	default:
		p->codec = &ks_va_h264;
		for (i = 0; i < sizeof(h264) / sizeof(h264[0]); i++) {
			p->ep8 = ks_enc_entrypoint(p->dpy, h264[i]);
			if (p->ep8) {
				p->profile8 = h264[i];
				break;
			}
		}
		break;
	}
	if (!p->ep8) {
		if (p->cfg.codec == KS_CODEC_H264)
			return ks_va_fail(p, -EOPNOTSUPP,
					  "the VA-API driver on %s has no encode entrypoint for H.264 (VAProfileH264High, Main or ConstrainedBaseline)",
					  p->cfg.device);
		return ks_va_fail(p, -EOPNOTSUPP,
				  "the VA-API driver on %s has no encode entrypoint for %s (%s)",
				  p->cfg.device, p->codec->name, vaProfileStr(p->profile8));
	}
	p->profile = p->profile8;
	p->entrypoint = p->ep8;
	if (ks_query_attrs(p, p->profile8, p->ep8, p->attr[0]))
		return -EIO;
	at = p->attr[0];
	if (!ks_attr_has(at[KS_AT_RT], VA_RT_FORMAT_YUV420))
		return ks_va_fail(p, -EOPNOTSUPP, "%s: %s/%s does not encode 4:2:0", p->cfg.device,
				  vaProfileStr(p->profile), vaEntrypointStr(p->entrypoint));
	if (p->cfg.codec == KS_CODEC_HEVC && ks_va_hevc_check(p, false))
		return -EOPNOTSUPP;

	if (!ks_has_entrypoint(p->dpy, VAProfileNone, VAEntrypointVideoProc))
		return ks_va_fail(p, -EOPNOTSUPP,
			       "the VA-API driver on %s has no video processing (VAEntrypointVideoProc) for RGB to NV12",
			       p->cfg.device);
	memset(&va, 0, sizeof(va));
	va.type = VAConfigAttribRTFormat;
	if (vaGetConfigAttributes(p->dpy, VAProfileNone, VAEntrypointVideoProc, &va, 1) ==
	    VA_STATUS_SUCCESS)
		vpp_rt = va.value;

	/* the 10-bit variant: P010 from VPP and a profile that encodes it */
	if (p->profile10 != VAProfileNone && p->ep10 &&
	    !ks_query_attrs(p, p->profile10, p->ep10, p->attr[1]) &&
	    ks_attr_has(p->attr[1][KS_AT_RT], VA_RT_FORMAT_YUV420_10) &&
	    ks_attr_has(vpp_rt, VA_RT_FORMAT_YUV420_10) &&
	    (p->cfg.codec != KS_CODEC_HEVC || !ks_va_hevc_check(p, true))) {
		/* same rate control and packed header choices as 8-bit */
	} else {
		p->profile10 = VAProfileNone;
	}

	if (p->cfg.rc == KS_RC_CBR && ks_attr_has(at[KS_AT_RC], VA_RC_CBR))
		p->rc_mode = VA_RC_CBR;
	else if (p->cfg.rc == KS_RC_VBR && ks_attr_has(at[KS_AT_RC], VA_RC_VBR))
		p->rc_mode = VA_RC_VBR;
	else if (at[KS_AT_RC] == VA_ATTRIB_NOT_SUPPORTED || (at[KS_AT_RC] & VA_RC_CQP))
		p->rc_mode = VA_RC_CQP;
	else
		return ks_va_fail(p, -EOPNOTSUPP,
				  "%s: %s offers none of CBR, VBR, CQP rate control",
			       p->cfg.device, vaProfileStr(p->profile));
	if (p->rc_mode == VA_RC_CQP && p->cfg.rc != KS_RC_CQP)
		fprintf(stderr, KS_PROG ": %s: %s rate control is not offered, using CQP (qp %u)\n",
			p->cfg.device, ks_rc_name(p->cfg.rc), p->cfg.qp);
	if (p->profile10 != VAProfileNone && !ks_attr_has(p->attr[1][KS_AT_RC], p->rc_mode))
		p->profile10 = VAProfileNone;
	p->have_rir = p->cfg.intra_refresh &&
		      ks_attr_has(at[KS_AT_RIR], VA_ENC_INTRA_REFRESH_ROLLING_COLUMN);
	/* the driver wants our headers where it declares it takes them */
	if (at[KS_AT_PACKED] != VA_ATTRIB_NOT_SUPPORTED && !p->cfg.no_packed_headers)
		p->packed = at[KS_AT_PACKED] & (VA_ENC_PACKED_HEADER_SEQUENCE |
						VA_ENC_PACKED_HEADER_PICTURE |
						VA_ENC_PACKED_HEADER_SLICE);
	if (p->cfg.codec == KS_CODEC_AV1)
		p->packed &= VA_ENC_PACKED_HEADER_SEQUENCE | VA_ENC_PACKED_HEADER_PICTURE;
	if (p->cfg.intra_refresh && !p->have_rir)
		fprintf(stderr, KS_PROG ": %s: no rolling intra refresh, option ignored\n",
			p->cfg.device);
	return 0;
}

/* (Re)create the encode config for 8-bit or 10-bit input. */
static int ks_make_config(struct ks_vapipe *p, bool tenbit)
{
	VAConfigAttrib at[3];
	VAStatus st;
	int nat;

	if (p->enc_config != VA_INVALID_ID) {
		if (p->tenbit == tenbit)
			return 0;
		vaDestroyConfig(p->dpy, p->enc_config);
		p->enc_config = VA_INVALID_ID;
	}
	p->tenbit = tenbit;
	p->profile = tenbit ? p->profile10 : p->profile8;
	p->entrypoint = tenbit ? p->ep10 : p->ep8;
	memset(at, 0, sizeof(at));
	at[0].type = VAConfigAttribRTFormat;
	at[0].value = tenbit ? VA_RT_FORMAT_YUV420_10 : VA_RT_FORMAT_YUV420;
	at[1].type = VAConfigAttribRateControl;
	at[1].value = p->rc_mode;
	nat = 2;
	if (p->packed) {
		at[2].type = VAConfigAttribEncPackedHeaders;
		at[2].value = p->packed;
		nat = 3;
	}
	st = vaCreateConfig(p->dpy, p->profile, p->entrypoint, at, nat, &p->enc_config);
	if (st != VA_STATUS_SUCCESS)
		return ks_va_fail(p, ks_va_errno(st), "%s: vaCreateConfig(%s, %s) failed: %s",
				  p->cfg.device, vaProfileStr(p->profile),
				  vaEntrypointStr(p->entrypoint), vaErrorStr(st));
	return 0;
}

int ks_vapipe_open(const struct ks_vapipe_config *cfg, struct ks_vapipe **out, char *err,
		   size_t errlen)
{
	struct ks_vapipe *p;
	int major, minor, ret;
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
			ks_va_fail(p, ret, "no VA-API device at %s (set --render-node)", cfg->device);
		else if (ret == -EACCES || ret == -EPERM)
			ks_va_fail(p, ret, "%s: permission denied (is your user in group render?)",
				cfg->device);
		else
			ks_va_fail(p, ret, "%s: %s", cfg->device, strerror(-ret));
		goto fail;
	}
	p->dpy = vaGetDisplayDRM(p->drm_fd);
	if (!p->dpy) {
		ret = ks_va_fail(p, -ENODEV, "%s is not a DRM render node VA-API can use",
			      cfg->device);
		goto fail;
	}
	vaSetInfoCallback(p->dpy, NULL, NULL);
	st = vaInitialize(p->dpy, &major, &minor);
	if (st != VA_STATUS_SUCCESS) {
		ret = ks_va_fail(p, -ENODEV, "%s: no VA-API driver could be initialised: %s",
			      cfg->device, vaErrorStr(st));
		vaTerminate(p->dpy);
		p->dpy = NULL;
		goto fail;
	}
	ret = ks_pick_codec(p);
	if (ret)
		goto fail;

	ret = ks_make_config(p, false);
	if (ret)
		goto fail;
	st = vaCreateConfig(p->dpy, VAProfileNone, VAEntrypointVideoProc, NULL, 0, &p->vpp_config);
	if (st != VA_STATUS_SUCCESS) {
		ret = ks_va_fail(p, ks_va_errno(st), "%s: vaCreateConfig(VideoProc) failed: %s",
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
	unsigned int rt = p->tenbit ? VA_RT_FORMAT_YUV420_10 : VA_RT_FORMAT_YUV420;
	const char *fmt = p->tenbit ? "P010" : "NV12";
	VASurfaceAttrib at;
	VAStatus st;

	memset(&at, 0, sizeof(at));
	at.type = VASurfaceAttribPixelFormat;
	at.flags = VA_SURFACE_ATTRIB_SETTABLE;
	at.value.type = VAGenericValueTypeInteger;
	at.value.value.i = p->tenbit ? VA_FOURCC_P010 : VA_FOURCC_NV12;
	st = vaCreateSurfaces(p->dpy, rt, w, h, p->pool, n, &at, 1);
	if (st != VA_STATUS_SUCCESS)
		return ks_va_fail(p, ks_va_errno(st), "%s: creating %u %s surfaces of %ux%u: %s",
			       p->cfg.device, n, fmt, w, h, vaErrorStr(st));
	st = vaCreateSurfaces(p->dpy, rt, w, h, p->recon, KS_NUM_RECON, &at, 1);
	if (st != VA_STATUS_SUCCESS) {
		vaDestroySurfaces(p->dpy, p->pool, (int)n);
		return ks_va_fail(p, ks_va_errno(st), "%s: creating reconstructed surfaces: %s",
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
		return ks_va_fail(p, ks_va_errno(st), "%s: creating the VPP context: %s",
			       p->cfg.device, vaErrorStr(st));
	}
	st = vaCreateContext(p->dpy, p->enc_config, (int)w, (int)h, VA_PROGRESSIVE, targets,
			     (int)n + KS_NUM_RECON, &p->enc_ctx);
	if (st != VA_STATUS_SUCCESS) {
		ks_session_end(p);
		return ks_va_fail(p, ks_va_errno(st),
				  "%s: creating the %s encode context for %ux%u: %s",
			       p->cfg.device, vaProfileStr(p->profile), w, h, vaErrorStr(st));
	}
	mbs = ((w + 15) / 16) * ((h + 15) / 16);
	/* uncompressed 4:2:0 is 384 (8-bit) or 480 (10-bit) bytes a macroblock */
	p->coded_size = mbs * (p->tenbit ? 640 : 400) + 65536;
	st = vaCreateBuffer(p->dpy, p->enc_ctx, VAEncCodedBufferType, p->coded_size, 1, NULL,
			    &p->coded);
	if (st != VA_STATUS_SUCCESS) {
		ks_session_end(p);
		return ks_va_fail(p, ks_va_errno(st), "%s: creating a coded buffer: %s",
			       p->cfg.device, vaErrorStr(st));
	}
	p->idr_pending = true;
	return 0;
}

/* The config for a source format: 10-bit (P010) where offered. */
static int ks_session_config(struct ks_vapipe *p, uint32_t format)
{
	unsigned int fourcc, rt;
	bool ten = ks_va_format(format, &fourcc, &rt) && rt == VA_RT_FORMAT_RGB32_10;

	if (ten && p->profile10 == VAProfileNone) {
		if (!p->told_8bit)
			fprintf(stderr, KS_PROG ": %s: %.4s source: 10-bit is reduced to 8-bit (NV12): %s\n",
				p->cfg.device, (const char *)&format, ks_no10_reason(p));
		p->told_8bit = true;
		ten = false;
	}
	return ks_make_config(p, ten);
}

/* ------------------------------------------------------------------ */
/* Per frame: convert, encode                                          */
/* ------------------------------------------------------------------ */

int ks_va_session(struct ks_vapipe *p, uint32_t w, uint32_t h, uint32_t format)
{
	int ret;

	if (p->width)
		ks_import_cache_drop_all(&p->cache);
	ks_session_end(p);
	ret = ks_session_config(p, format);
	if (!ret)
		ret = ks_session_start(p, w, h);
	if (!ret)
		p->format = format;
	return ret;
}

int ks_vapipe_repeat(struct ks_vapipe *p, const struct kmscap_event *ev, struct ks_buf *out)
{
	if (!p->codec || p->last_nv12 == VA_INVALID_SURFACE)
		return -ENODATA;
	return p->codec->encode(p, p->last_nv12, ev, out, NULL, true);
}

static bool ks_is_idle(const struct ks_vapipe *p, const struct kmscap_event *ev)
{
	uint32_t busy = KMSCAP_FRAME_FULL_DAMAGE | KMSCAP_FRAME_NEW_MODE | KMSCAP_FRAME_FIRST;

	/* a cursor change changes the picture only if the cursor is in it */
	if (p->cfg.cursor == KS_CURSOR_COMPOSITE && !p->blend_refused)
		busy |= KMSCAP_FRAME_CURSOR_MOVED | KMSCAP_FRAME_CURSOR_CHANGED;
	return !p->after_torn && !ev->num_damage && !(ev->flags & busy);
}

int ks_vapipe_convert(struct ks_vapipe *p, const struct kmscap_event *ev,
		      struct ks_stats *stats)
{
	uint32_t w = ev->src_w ? ev->src_w : ev->width, h = ev->src_h ? ev->src_h : ev->height;
	struct ks_layout lay;
	uint64_t t0, t1, imports;
	uint32_t src;
	VASurfaceID dst;
	int ret;

	p->next = KS_VA_NEXT_NONE;
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
		if (p->width && stats && !(ev->flags & KMSCAP_FRAME_NEW_MODE))
			stats->total.mode_changes++;
		ret = ks_va_session(p, w, h, ev->format);
		if (ret)
			return ret;
	}
	p->refresh_mhz = ev->refresh_mhz;

	/* an idle frame is skipped or repeated unless a key frame is due */
	if (ks_is_idle(p, ev) && p->last_nv12 != VA_INVALID_SURFACE && !ks_va_need_key(p)) {
		if (p->cfg.idle == KS_IDLE_SKIP) {
			if (stats)
				stats->total.skipped++;
			return 0;
		}
		/* repeat: encode the previous picture again (cheap P frame) */
		p->next = KS_VA_NEXT_REPEAT;
		return 0;
	}

	t0 = ks_now_ns();
	lay.format = ev->format;
	lay.width = ev->width;
	lay.height = ev->height;
	lay.modifier = ev->modifier;
	lay.pitch = ev->pitches[0];
	lay.offset = ev->offsets[0];
	imports = p->cache.imports;
	ret = ks_import_cache_get(&p->cache, ev->buffer_id, &lay, &src);
	if (ret)
		return ret;
	if (p->cache.imports != imports) {
		/* a new buffer: exported and imported now, once for its life */
		t1 = ks_now_ns();
		if (stats) {
			stats->total.imports++;
			stats->total.import_ns += t1 - t0;
		}
		t0 = t1;
	}
	dst = p->pool[p->pool_next];
	p->pool_next = (p->pool_next + 1) % p->cfg.pool;
	ret = ks_va_convert(p, src, ev, dst);
	if (ret)
		return ret;
	/* the GPU is done reading the frame: the caller gives it back now */
	p->next = KS_VA_NEXT_PICTURE;
	p->next_dst = dst;
	p->convert_t0 = t0;
	return 0;
}

int ks_vapipe_encode(struct ks_vapipe *p, const struct kmscap_event *ev, int released,
		     struct ks_buf *out, struct ks_stats *stats)
{
	enum ks_va_next next = p->next;
	VASurfaceID dst = p->next_dst;
	uint64_t t1;
	int ret;

	p->next = KS_VA_NEXT_NONE;
	if (next == KS_VA_NEXT_REPEAT)
		return p->codec->encode(p, p->last_nv12, ev, out, stats, true);
	if (next != KS_VA_NEXT_PICTURE)
		return 0;
	if (released == -ESTALE) {
		/*
		 * Revoked while converted: the compositor may have redrawn the
		 * buffer under the conversion.  The picture is dropped, and the
		 * next frame is converted whatever its damage says.
		 */
		if (dst == p->last_nv12)
			p->last_nv12 = VA_INVALID_SURFACE;
		p->after_torn = true;
		if (stats)
			stats->total.torn++;
		return 0;
	}
	p->after_torn = false;
	p->last_nv12 = dst;
	t1 = ks_now_ns();
	ret = p->codec->encode(p, dst, ev, out, stats, false);
	if (!ret && stats) {
		stats->total.converts++;
		stats->total.convert_ns += t1 - p->convert_t0;
		stats->total.encodes++;
		stats->total.encode_ns += ks_now_ns() - t1;
	}
	return ret;
}

const char *ks_vapipe_error(const struct ks_vapipe *p)
{
	return p->errmsg;
}

const char *ks_vapipe_describe(const struct ks_vapipe *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s, %s, %s%s", vaProfileStr(p->profile),
		 vaEntrypointStr(p->entrypoint),
		 p->rc_mode == VA_RC_CBR ? "CBR" : p->rc_mode == VA_RC_VBR ? "VBR" : "CQP",
		 p->tenbit ? "P010" : "NV12", p->packed ? ", packed headers" : "");
	return buf;
}

int ks_vapipe_close(struct ks_vapipe *p)
{
	int left;

	if (!p)
		return 0;
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
	left = p->live_surfaces;
	ks_buf_free(&p->tu);
	free(p);
	return left;
}

/* The loop's encoder interface: the frame's error message, if any, into f->err. */
static int ks_vapipe_op_result(struct ks_vapipe *p, struct ks_frame *f, int ret)
{
	if (ret < 0 && p->errmsg[0])
		snprintf(f->err, sizeof(f->err), "%s", p->errmsg);
	return ret;
}

static int ks_vapipe_op_convert(void *opaque, struct ks_frame *f)
{
	struct ks_vapipe *p = opaque;

	p->errmsg[0] = '\0';
	return ks_vapipe_op_result(p, f, ks_vapipe_convert(p, &f->ev, f->stats));
}

static int ks_vapipe_op_encode(void *opaque, struct ks_frame *f)
{
	struct ks_vapipe *p = opaque;

	p->errmsg[0] = '\0';
	return ks_vapipe_op_result(p, f, ks_vapipe_encode(p, &f->ev, f->released, &f->out,
							  f->stats));
}

static void ks_vapipe_op_idr(void *opaque)
{
	struct ks_vapipe *p = opaque;

	p->idr_pending = true;
}

static int ks_vapipe_op_flush(void *opaque, enum ks_stop why, struct ks_buf *out, char *err,
			      size_t errlen)
{
	/* encoding is synchronous: nothing is left inside the encoder */
	(void)opaque;
	(void)why;
	(void)out;
	(void)err;
	(void)errlen;
	return 0;
}

const struct ks_encoder_ops ks_vapipe_ops = {
	.convert = ks_vapipe_op_convert,
	.encode = ks_vapipe_op_encode,
	.request_idr = ks_vapipe_op_idr,
	.flush = ks_vapipe_op_flush,
};
