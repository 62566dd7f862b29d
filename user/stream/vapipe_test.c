// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: the VA pipeline's entry points for the tests (tests/stream)
 * and the benches (tests/bench), declared in vapipe_test.h.  kmscap-stream
 * itself calls none of them: from libks-va.a this file is not linked into
 * the binary.
 */
#include "vapipe_priv.h"
#include "vapipe_test.h"

int ks_vapipe_session(struct ks_vapipe *p, uint32_t w, uint32_t h, uint32_t format)
{
	return ks_va_session(p, w, h, format);
}

void *ks_vapipe_display(const struct ks_vapipe *p)
{
	return p->dpy;
}

unsigned int ks_vapipe_next_surface(struct ks_vapipe *p)
{
	VASurfaceID s = p->pool[p->pool_next];

	p->pool_next = (p->pool_next + 1) % p->cfg.pool;
	return s;
}

int ks_vapipe_encode_surface(struct ks_vapipe *p, unsigned int surface,
			     const struct kmscap_event *ev, struct ks_buf *out)
{
	p->refresh_mhz = ev->refresh_mhz;
	p->last_nv12 = surface;
	return p->codec->encode(p, surface, ev, out, NULL, false);
}

int ks_vapipe_frame(struct ks_vapipe *p, struct ks_stats *stats, const struct kmscap_event *ev,
		    struct ks_buf *out)
{
	int ret = ks_vapipe_convert(p, ev, stats);

	return ret ? ret : ks_vapipe_encode(p, ev, 0, out, stats);
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

int ks_vapipe_prime2_refused(const struct ks_vapipe *p)
{
	return p->prime2_refused;
}
