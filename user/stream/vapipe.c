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
			return ks_va_fail(p, -EOPNOTSUPP,
				       "the VA-API driver on %s has no encode entrypoint for %s (%s)",
				       p->cfg.device,
				       p->cfg.codec == KS_CODEC_HEVC ? "HEVC" : "AV1",
				       vaProfileStr(prof));
		return ks_va_fail(p, -EOPNOTSUPP, "%s encoding is not implemented yet (%s)",
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
		return ks_va_fail(p, -EOPNOTSUPP,
			       "the VA-API driver on %s has no encode entrypoint for H.264 (VAProfileH264High, Main or ConstrainedBaseline)",
			       p->cfg.device);

	memset(at, 0, sizeof(at));
	at[0].type = VAConfigAttribRTFormat;
	at[1].type = VAConfigAttribRateControl;
	at[2].type = VAConfigAttribEncIntraRefresh;
	at[3].type = VAConfigAttribEncPackedHeaders;
	if (vaGetConfigAttributes(p->dpy, p->profile, p->entrypoint, at, 4) != VA_STATUS_SUCCESS)
		return ks_va_fail(p, -EIO, "%s: vaGetConfigAttributes failed for %s",
			       p->cfg.device, vaProfileStr(p->profile));
	if (at[0].value == VA_ATTRIB_NOT_SUPPORTED || !(at[0].value & VA_RT_FORMAT_YUV420))
		return ks_va_fail(p, -EOPNOTSUPP, "%s: %s/%s does not encode 4:2:0", p->cfg.device,
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
		return ks_va_fail(p, -EOPNOTSUPP,
				  "%s: %s offers none of CBR, VBR, CQP rate control",
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
		return ks_va_fail(p, -EOPNOTSUPP,
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
			ks_va_fail(p, ret, "no VA-API device at %s (set --device)", cfg->device);
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
		ret = ks_va_fail(p, ks_va_errno(st), "%s: vaCreateConfig(%s, %s) failed: %s",
			      cfg->device, vaProfileStr(p->profile),
			      vaEntrypointStr(p->entrypoint), vaErrorStr(st));
		goto fail;
	}
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
	VASurfaceAttrib at;
	VAStatus st;

	memset(&at, 0, sizeof(at));
	at.type = VASurfaceAttribPixelFormat;
	at.flags = VA_SURFACE_ATTRIB_SETTABLE;
	at.value.type = VAGenericValueTypeInteger;
	at.value.value.i = VA_FOURCC_NV12;
	st = vaCreateSurfaces(p->dpy, VA_RT_FORMAT_YUV420, w, h, p->pool, n, &at, 1);
	if (st != VA_STATUS_SUCCESS)
		return ks_va_fail(p, ks_va_errno(st), "%s: creating %u NV12 surfaces of %ux%u: %s",
			       p->cfg.device, n, w, h, vaErrorStr(st));
	st = vaCreateSurfaces(p->dpy, VA_RT_FORMAT_YUV420, w, h, p->recon, KS_NUM_RECON, &at, 1);
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
	p->coded_size = mbs * 400 + 65536;
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

/* ------------------------------------------------------------------ */
/* Per frame: convert, encode                                          */
/* ------------------------------------------------------------------ */

static bool ks_is_idle(const struct ks_vapipe *p, const struct kmscap_event *ev)
{
	uint32_t busy = KMSCAP_FRAME_FULL_DAMAGE | KMSCAP_FRAME_NEW_MODE | KMSCAP_FRAME_FIRST;

	/* a cursor change changes the picture only if the cursor is in it */
	if (p->cfg.cursor == KS_CURSOR_COMPOSITE && !p->blend_refused)
		busy |= KMSCAP_FRAME_CURSOR_MOVED | KMSCAP_FRAME_CURSOR_CHANGED;
	return !ev->num_damage && !(ev->flags & busy);
}

int ks_vapipe_frame(struct ks_vapipe *p, struct ks_loop *loop, const struct kmscap_event *ev,
		    struct ks_buf *out)
{
	struct ks_stats *stats = loop ? ks_loop_stats(loop) : NULL;
	uint32_t w = ev->src_w ? ev->src_w : ev->width, h = ev->src_h ? ev->src_h : ev->height;
	struct ks_layout lay;
	uint64_t t0, t1, imports;
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

	if (ks_is_idle(p, ev) && p->last_nv12 != VA_INVALID_SURFACE && !p->idr_pending &&
	    !(p->cfg.gop && p->frames_since_idr >= p->cfg.gop)) {
		if (loop)
			ks_loop_release(loop, ev->seq);
		if (p->cfg.idle == KS_IDLE_SKIP) {
			if (stats)
				stats->total.skipped++;
			return 0;
		}
		/* repeat: encode the previous picture again (cheap P frame) */
		return ks_va_h264_encode(p, p->last_nv12, ev, out, stats, true);
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
	/* the GPU is done reading the frame: give it back now */
	if (loop)
		ks_loop_release(loop, ev->seq);
	if (ret)
		return ret;
	p->last_nv12 = dst;
	t1 = ks_now_ns();
	ret = ks_va_h264_encode(p, dst, ev, out, stats, false);
	if (!ret && stats) {
		stats->total.converts++;
		stats->total.convert_ns += t1 - t0;
		stats->total.encodes++;
		stats->total.encode_ns += ks_now_ns() - t1;
	}
	return ret;
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

int ks_vapipe_blend_refused(const struct ks_vapipe *p)
{
	return p->blend_refused;
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
	free(p);
	return left;
}

/* The loop's encoder interface. */
static int ks_vapipe_op_frame(void *opaque, struct ks_loop *loop, const struct kmscap_event *ev,
			      struct ks_buf *out, struct ks_buf *side)
{
	struct ks_vapipe *p = opaque;
	int ret;

	(void)side;
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
