// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: the frames the loop holds: read from the module and not yet
 * released.  The encode thread releases too (threads 2): the list has a lock.
 * With threads 1 and a module that can (ABI 1.5), frames go back in the
 * ring with the next submission, which also waits for the next frame; the
 * status page says, without a call, whether a frame was revoked while its
 * buffer was read (Documentation/stream.md, "System calls per frame").
 */
#include <errno.h>
#include <pthread.h>

#include "loop_priv.h"

size_t ks_loop_held(const struct ks_loop *l)
{
	return l->nheld;
}

/*
 * Give @seq back: in the ring (the ring thread's, threads 1), the answer
 * being whether the source says it was revoked since it was read; else
 * by the source's release(), whose answer that is.
 */
static int ks_give_back(struct ks_loop *l, uint64_t seq)
{
	const struct ks_source_ops *src = l->cfg.src;
	int revoked;

	if (l->ring_release) {
		revoked = src->revoked(l->cfg.src_opaque, seq);
		if (revoked >= 0 && !ks_ring_release(l, seq))
			return revoked ? -ESTALE : 0;
		/* the source cannot after all: the ring's releases end here */
		l->ring_release = false;
	}
	return src->release(l->cfg.src_opaque, seq);
}

int ks_held_release(struct ks_loop *l, uint64_t seq, struct ks_stats *stats)
{
	size_t i;
	int ret;

	pthread_mutex_lock(&l->held_lock);
	for (i = 0; i < l->nheld; i++) {
		if (l->held[i] != seq)
			continue;
		l->held[i] = l->held[--l->nheld];
		ret = ks_give_back(l, seq);
		stats->total.released++;
		pthread_mutex_unlock(&l->held_lock);
		return ret;
	}
	pthread_mutex_unlock(&l->held_lock);
	return -ENOENT;
}

void ks_release_all(struct ks_loop *l)
{
	uint64_t seq;

	if (l->ring_release) {
		/* what the ring was to release goes now; the rest directly */
		io_uring_submit(&l->ring);
		l->ring_release = false;
	}

	for (;;) {
		pthread_mutex_lock(&l->held_lock);
		if (!l->nheld) {
			pthread_mutex_unlock(&l->held_lock);
			return;
		}
		seq = l->held[l->nheld - 1];
		pthread_mutex_unlock(&l->held_lock);
		ks_held_release(l, seq, &l->stats);
	}
}

void ks_hold(struct ks_loop *l, uint64_t seq)
{
	pthread_mutex_lock(&l->held_lock);
	if (l->nheld == KS_MAX_HELD) {
		/* cannot happen with the batch size; never leak a hold */
		ks_give_back(l, seq);
		l->stats.total.released++;
	} else {
		l->held[l->nheld++] = seq;
	}
	pthread_mutex_unlock(&l->held_lock);
}
