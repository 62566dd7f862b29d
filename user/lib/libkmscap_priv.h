/* SPDX-License-Identifier: MIT */
/*
 * libkmscap's private part: the handle, shared by libkmscap.c (open,
 * displays, attach, release, exports) and read.c (events).  Not
 * installed; nothing here is exported (libkmscap.map).
 */
#ifndef LIBKMSCAP_PRIV_H
#define LIBKMSCAP_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "libkmscap.h"

struct kmscap_bufcache;

/* Frames kmscap_ring_take() gave back unread, and what they said (ring.c). */
struct kmscap_ring_skip {
	uint64_t skipped;	/* frames given back unread */
	uint64_t lost;		/* frames the module dropped before them */
	uint32_t flags;		/* their flags that the next frame returned carries */
	int wanted;		/* a flip waits for one of them */
};

/* Revoked seqs the library remembers from the status page (revoke.c). */
#define KMSCAP_REVOKED_KEPT	64

/* Events per read() at most (the kernel's queue is at most 64 deep). */
#define KMSCAP_READ_EVENTS	64

/*
 * @framed: attached with KMSCAP_ATTACH_FRAMED (the module is 1.2 or later).
 * @rbuf: what read() returned and is not decoded yet, @rhead to @rtail: a
 *	framed read may bring more events than were asked for.
 * @done: flip-done events decoded and not taken yet, a ring of
 *	KMSCAP_FLIP_DONE_KEPT from @done_head (NULL unless attached with
 *	KMSCAP_ATTACH_FLIP_DONE); @ndone of them; @done_lost: lost since the
 *	last one taken.
 * @max_seq: the newest frame event decoded.
 * @status: the status page, mapped at the first kmscap_frame_revoked()
 *	(revoke.c), @status_len bytes; @rv_seen: the module's revocations
 *	scanned; @rv_kept: the seqs they revoked, a ring of @rv_n from
 *	@rv_head; @rv_lost_upto: frames up to this seq may have been
 *	revoked unseen.
 * @ring: the frame ring (ring.c), @ring_len bytes, mapped by
 *	kmscap_ring_attach() when @ring_mapped (@ring_client: attached with
 *	KMSCAP_ATTACH_FRAME_RING, mapped or not); its header as checked once:
 *	@ring_slots slots of @ring_slot_size bytes from @ring_slot_offset;
 *	@ring_held: per slot, the seq of the frame the handle took from it
 *	and has not given back, or 0 (atomic: kmscap_ring_release() may run
 *	beside kmscap_ring_take()); @ring_last: the newest frame returned;
 *	@ring_carry: frames skipped that no frame returned has told of yet.
 */
struct kmscap_dev {
	int fd;
	char *path;
	struct kmscap_version version;
	size_t event_size;
	size_t max_event_size;
	int framed;
	unsigned char *rbuf;
	size_t rhead, rtail;
	struct kmscap_event_flip_done *done;
	size_t done_head, ndone;
	uint64_t done_lost;
	int attached;
	int hung_up;
	int pending_err;
	struct kmscap_bufcache *cache;
	uint64_t max_seq;
	const struct kmscap_client_status *status;
	size_t status_len;
	uint32_t rv_seen;
	uint64_t rv_kept[KMSCAP_REVOKED_KEPT];
	unsigned int rv_head, rv_n;
	uint64_t rv_lost_upto;
	void *ring;
	size_t ring_len;
	int ring_mapped;
	int ring_client;
	uint32_t ring_slots, ring_slot_size, ring_slot_offset;
	uint64_t *ring_held;
	uint64_t ring_last;
	struct kmscap_ring_skip ring_carry;
};

int kmscap_ioctl(int fd, unsigned long req, void *arg);

/* revoke.c; kmscap_revoked_in() is kmscap_frame_revoked() on a given page (unit tests). */
int kmscap_revoked_in(struct kmscap_dev *dev, const struct kmscap_client_status *st,
		      uint64_t seq);
void kmscap_status_unmap(struct kmscap_dev *dev);

/* kmscap_attach_flags() without its refusal of KMSCAP_ATTACH_FRAME_RING. */
int kmscap_attach_with(struct kmscap_dev *dev, uint32_t display_id, uint32_t queue_depth,
		       uint64_t hold_timeout_ns, uint32_t flags);

/*
 * ring.c: use the @len bytes at @ring as the handle's frame ring of @depth
 * slots once its header is checked (-EPROTO); kmscap_ring_attach() calls
 * it on its mapping, unit tests on memory of their own.
 */
int kmscap_ring_use(struct kmscap_dev *dev, void *ring, size_t len, uint32_t depth);
void kmscap_ring_unmap(struct kmscap_dev *dev);

#endif
