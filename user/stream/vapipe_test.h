/* SPDX-License-Identifier: MIT */
/*
 * kmscap-stream: the VA pipeline's entry points for the tests (tests/stream)
 * and the benches (tests/bench) only (vapipe_test.c); kmscap-stream uses
 * vapipe.h.
 */
#ifndef KMSCAP_STREAM_VAPIPE_TEST_H
#define KMSCAP_STREAM_VAPIPE_TEST_H

#include "vapipe.h"

/* Tests */

/*
 * ks_vapipe_convert() and ks_vapipe_encode() of a frame nobody holds
 * (nothing to release between them), counted into @stats (may be NULL).
 */
int ks_vapipe_frame(struct ks_vapipe *p, struct ks_stats *stats, const struct kmscap_event *ev,
		    struct ks_buf *out);
/* The next picture is an IDR (what the loop's request_idr() does). */
void ks_vapipe_request_idr(struct ks_vapipe *p);
/* VA surfaces alive now (imports, pool, reconstructed): 0 after close of a session. */
int ks_vapipe_live_surfaces(const struct ks_vapipe *p);
/* VA_ENC_PACKED_HEADER_* bits the pipeline sends. */
uint32_t ks_vapipe_packed_headers(const struct ks_vapipe *p);
/* 1 once the driver refused to blend the cursor (it is then left out). */
int ks_vapipe_blend_refused(const struct ks_vapipe *p);
/* 1 once a DRM_PRIME_2 import was refused and legacy DRM_PRIME used instead. */
int ks_vapipe_prime2_refused(const struct ks_vapipe *p);

/* Benches */

/*
 * For a caller that fills the pool surfaces itself (the copy baseline of
 * the pipeline bench): (re)start the session for @w x @h of DRM @format as
 * a frame of that size would (caches dropped, the next picture an IDR),
 * take the next pool surface (a VASurfaceID; the VADisplay is
 * ks_vapipe_display()), and encode it as the next picture into @out.
 */
int ks_vapipe_session(struct ks_vapipe *p, uint32_t w, uint32_t h, uint32_t format);
void *ks_vapipe_display(const struct ks_vapipe *p);
unsigned int ks_vapipe_next_surface(struct ks_vapipe *p);
int ks_vapipe_encode_surface(struct ks_vapipe *p, unsigned int surface,
			     const struct kmscap_event *ev, struct ks_buf *out);

#endif /* KMSCAP_STREAM_VAPIPE_TEST_H */
