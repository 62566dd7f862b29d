/* SPDX-License-Identifier: MIT */
/*
 * kmscap-stream: what the files of the VA-API pipeline share (vapipe.c,
 * va_import.c, va_h264.c).
 */
#ifndef KMSCAP_STREAM_VAPIPE_PRIV_H
#define KMSCAP_STREAM_VAPIPE_PRIV_H

#include <va/va.h>
#include <va/va_drm.h>
#include <va/va_drmcommon.h>
#include <va/va_enc_h264.h>
#include <va/va_str.h>
#include <va/va_vpp.h>

#include "ks.h"
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
	int blend_refused;		/* 1 once the driver refused to blend the cursor */
	char *err;			/* where ks_fail() writes */
	size_t errlen;
	char errmsg[512];		/* after opening: the last error */
};

/* Write the message into the pipeline's error buffer; returns @ret. */
int ks_va_fail(struct ks_vapipe *p, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int ks_va_errno(VAStatus st);

/* va_import.c */
bool ks_va_format(uint32_t drm, unsigned int *fourcc, unsigned int *rt);
extern const struct ks_import_ops ks_vapipe_import_ops;

/* va_vpp.c: @src (RGB, the frame) -> @dst (NV12), with the cursor blended in. */
int ks_va_convert(struct ks_vapipe *p, VASurfaceID src, const struct kmscap_event *ev,
		  VASurfaceID dst);

/* va_h264.c: encode @input as the next picture, append the access unit to @out. */
int ks_va_h264_encode(struct ks_vapipe *p, VASurfaceID input, const struct kmscap_event *ev,
		      struct ks_buf *out, struct ks_stats *stats, bool repeat);

#endif /* KMSCAP_STREAM_VAPIPE_PRIV_H */
