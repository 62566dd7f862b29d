/* SPDX-License-Identifier: MIT */
/*
 * kmscap-stream: what the files of the VA-API pipeline share (vapipe.c,
 * va_import.c, va_vpp.c, va_enc.c and the codecs va_h264.c, va_hevc.c,
 * va_av1.c).
 */
#ifndef KMSCAP_STREAM_VAPIPE_PRIV_H
#define KMSCAP_STREAM_VAPIPE_PRIV_H

#include <va/va.h>
#include <va/va_drm.h>
#include <va/va_drmcommon.h>
#include <va/va_enc_av1.h>
#include <va/va_enc_h264.h>
#include <va/va_enc_hevc.h>
#include <va/va_str.h>
#include <va/va_vpp.h>

#include "ks.h"
#include "vapipe.h"

#define KS_NUM_RECON	2
#define KS_CACHE_MAX	16

/* The encode config attributes the pipeline reads, by index. */
enum ks_attr {
	KS_AT_RT, KS_AT_RC, KS_AT_RIR, KS_AT_PACKED, KS_AT_MAXREF,
	KS_AT_HEVC_FEAT, KS_AT_HEVC_BLK, KS_AT_AV1, KS_AT_AV1_EXT1, KS_AT_AV1_EXT2,
	KS_AT_PREDDIR, KS_AT_N
};

struct ks_vapipe;

/* One codec: its profiles and how a picture is encoded. */
struct ks_va_codec {
	const char *name;		/* "H.264" */
	/* encode @input as the next picture and append the output unit to @out */
	int (*encode)(struct ks_vapipe *p, VASurfaceID input, const struct kmscap_event *ev,
		      struct ks_buf *out, struct ks_stats *stats, bool repeat);
};

extern const struct ks_va_codec ks_va_h264, ks_va_hevc, ks_va_av1;

/* The buffers of one encode picture. */
struct ks_va_pic {
	VABufferID ids[24];
	unsigned int n;
};

struct ks_vapipe {
	struct ks_vapipe_config cfg;
	int drm_fd;
	VADisplay dpy;
	const struct ks_va_codec *codec;
	VAProfile profile;		/* of the current config */
	VAEntrypoint entrypoint;
	bool tenbit;			/* the current config and pool are 10-bit (P010) */
	VAProfile profile8, profile10;	/* 10: VAProfileNone if not offered */
	VAEntrypoint ep8, ep10;
	uint32_t attr[2][KS_AT_N];	/* [tenbit]: config attributes of profile8/10 */
	bool told_8bit;			/* "10-bit is reduced to 8-bit" was said */
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
	bool after_torn;		/* the last frame was torn: the next one is not idle */
	/* what ks_vapipe_convert() left for ks_vapipe_encode() */
	enum ks_va_next {
		KS_VA_NEXT_NONE,	/* nothing to encode (blank, skipped, failed) */
		KS_VA_NEXT_REPEAT,	/* an idle frame: the last picture again */
		KS_VA_NEXT_PICTURE,	/* next_dst, converted from the frame */
	} next;
	VASurfaceID next_dst;
	uint64_t convert_t0;		/* when the conversion began (after any import) */
	/* encoder state */
	bool idr_pending;
	uint64_t frames_since_idr;
	unsigned int frame_num;		/* H.264 frame_num */
	unsigned int idr_id;
	int prev_recon;			/* index in recon[], -1 before the first frame */
	/* AV1 / IVF */
	bool ivf_started;		/* the IVF file header went out */
	uint64_t ivf_t0;		/* timestamp of the first frame, ns */
	uint64_t ivf_last_pts;
	struct ks_buf tu;		/* scratch: one temporal unit */
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

/* vapipe.c: (re)start the session for @w x @h of DRM @format (caches dropped, an IDR next). */
int ks_va_session(struct ks_vapipe *p, uint32_t w, uint32_t h, uint32_t format);

/* va_import.c */
bool ks_va_format(uint32_t drm, unsigned int *fourcc, unsigned int *rt);
extern const struct ks_import_ops ks_vapipe_import_ops;

/* va_vpp.c: @src (RGB, the frame) -> @dst (NV12), with the cursor blended in. */
int ks_va_convert(struct ks_vapipe *p, VASurfaceID src, const struct kmscap_event *ev,
		  VASurfaceID dst);

/* va_vpp.c: @dst is NV12 or P010, as the pool is. */

/* va_enc.c: what the codecs share */
struct ks_bits;
void ks_va_fps(uint32_t mhz, unsigned int *num, unsigned int *den);
int ks_va_add_buf(struct ks_vapipe *p, struct ks_va_pic *pic, VABufferType type,
		  unsigned int size, void *data);
int ks_va_add_misc(struct ks_vapipe *p, struct ks_va_pic *pic, VAEncMiscParameterType type,
		   const void *data, size_t len);
/* A packed header; @emulation: the data carries emulation prevention bytes. */
int ks_va_add_packed(struct ks_vapipe *p, struct ks_va_pic *pic, uint32_t type,
		     const struct ks_bits *b, bool emulation);
/* Rate control (RateControl, HRD: a one-frame VBV, FrameRate) unless CQP; RIR if on. */
int ks_va_add_rc(struct ks_vapipe *p, struct ks_va_pic *pic, unsigned int initial_qp,
		 unsigned int min_qp, unsigned int max_qp, unsigned int rir_size);
/* Begin, render, end, sync; destroys the picture's buffers. */
int ks_va_run(struct ks_vapipe *p, struct ks_va_pic *pic, VASurfaceID input,
	      const struct kmscap_event *ev);
void ks_va_pic_free(struct ks_vapipe *p, struct ks_va_pic *pic);
/*
 * Append the coded buffer's segments to @out; @annexb: they must start
 * with a start code.
 */
int ks_va_read_coded(struct ks_vapipe *p, struct ks_buf *out, bool annexb);
struct ks_hevc_params;
/* va_hevc.c: the HEVC parameters of the session (for the tests too) */
void ks_va_hevc_params(const struct ks_vapipe *p, struct ks_hevc_params *hp);
/* 0, or the error when the driver requires HEVC tools the helper does not use */
int ks_va_hevc_check(struct ks_vapipe *p, bool tenbit);

struct ks_av1_seq;
/* va_av1.c: base_q_idx for --qp; the sequence header fields of the session */
unsigned int ks_va_av1_qindex(unsigned int qp);
void ks_va_av1_seq(const struct ks_vapipe *p, struct ks_av1_seq *s);

/* Whether the next picture must be an IDR / key frame (request, first picture, --gop). */
bool ks_va_need_key(const struct ks_vapipe *p);
/* After a picture into recon[@cur]: latency and counters, the GOP position. */
void ks_va_picture_done(struct ks_vapipe *p, const struct kmscap_event *ev,
			struct ks_stats *stats, bool repeat, bool key, int cur);

#endif /* KMSCAP_STREAM_VAPIPE_PRIV_H */
