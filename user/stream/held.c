// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: the frames the loop holds: read from the module and not yet
 * released.  The encode thread releases too (threads 2): the list has a lock.
 */
#include <errno.h>
#include <pthread.h>

#include "loop_priv.h"

size_t ks_loop_held(const struct ks_loop *l)
{
	return l->nheld;
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
		ret = l->cfg.src->release(l->cfg.src_opaque, seq);
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
		l->cfg.src->release(l->cfg.src_opaque, seq);
		l->stats.total.released++;
	} else {
		l->held[l->nheld++] = seq;
	}
	pthread_mutex_unlock(&l->held_lock);
}
