/* SPDX-License-Identifier: MIT */
/*
 * kmscap-stream: the VA-API pipeline (vapipe.c).
 */
#ifndef KMSCAP_STREAM_VAPIPE_H
#define KMSCAP_STREAM_VAPIPE_H

#include "ks.h"

struct ks_vapipe_config {
	const char *device;		/* render node path */
	enum ks_codec codec;
	enum ks_rc rc;
	uint32_t bitrate, qp, gop;
	bool intra_refresh;
	enum ks_idle idle;
	uint32_t pool;			/* NV12 surfaces */
	bool no_packed_headers;		/* let the driver write all headers */
	enum ks_cursor cursor;		/* composite: blend the cursor into the picture */
	/* Export a kmscap buffer as a DMA-BUF fd (closed after the import). */
	int (*export_buf)(void *opaque, uint32_t buffer_id, uint64_t *size);
	void *export_opaque;
};

struct ks_vapipe;

/*
 * Open the render node, initialise VA-API and choose the profile and
 * entrypoint.  On failure returns a negative errno and the message (no
 * program name, no newline) in @err.  Surfaces and contexts are created
 * with the first frame, when the size is known.
 */
int ks_vapipe_open(const struct ks_vapipe_config *cfg, struct ks_vapipe **out, char *err,
		   size_t errlen);
/* Destroys everything; returns the VA surfaces still alive before vaTerminate (0). */
int ks_vapipe_close(struct ks_vapipe *p);
/*
 * One frame in two steps, with the frame's release between them (the
 * caller's: the pipeline never releases).  ks_vapipe_convert() does all
 * that reads the frame's buffer: the import (once per buffer) and the VPP
 * pass into a pool surface, or notes that the frame is blank or idle; when
 * it returns the buffer is no longer read.  ks_vapipe_encode() then
 * encodes that picture into @out, unless @released (what the release
 * returned) is -ESTALE: the picture may be torn and is dropped (counted
 * torn; the next frame is converted whatever its damage).  Counters go to
 * @stats (may be NULL).
 */
int ks_vapipe_convert(struct ks_vapipe *p, const struct kmscap_event *ev,
		      struct ks_stats *stats);
int ks_vapipe_encode(struct ks_vapipe *p, const struct kmscap_event *ev, int released,
		     struct ks_buf *out, struct ks_stats *stats);
/*
 * Encode the last picture again (what --idle repeat does with an idle
 * frame) as the frame of @ev: the end of a recording whose last frames
 * were skipped.  -ENODATA if nothing was encoded yet.
 */
int ks_vapipe_repeat(struct ks_vapipe *p, const struct kmscap_event *ev, struct ks_buf *out);
/* The message of the last failure of ks_vapipe_convert() or ks_vapipe_encode(). */
const char *ks_vapipe_error(const struct ks_vapipe *p);
/* "VAProfileHEVCMain10 VAEntrypointEncSliceLP, CBR, P010, packed headers" */
const char *ks_vapipe_describe(const struct ks_vapipe *p, char *buf, size_t size);
/*
 * Up to @max modifiers besides linear that the driver's VPP imports
 * (va_modifiers.c), into @mods; 0 when it reports none.
 */
unsigned int ks_vapipe_import_modifiers(const struct ks_vapipe *p, uint64_t *mods,
					unsigned int max);

/* The encoder interface for ks_loop; the opaque pointer is the struct ks_vapipe. */
extern const struct ks_encoder_ops ks_vapipe_ops;

#endif /* KMSCAP_STREAM_VAPIPE_H */
