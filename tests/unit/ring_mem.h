/* SPDX-License-Identifier: MIT */
/*
 * A frame ring in the test's memory, as the module lays it out when it
 * maps one (include/uapi/kmscap.h, "the frame ring"): @depth slots of
 * this ABI's size right after the header, every slot EMPTY.  For
 * kmscap_ring_use(); free() it.
 */
#ifndef KMSCAP_RING_MEM_H
#define KMSCAP_RING_MEM_H

#include <stdlib.h>
#include <string.h>

#include "kmscap_check.h"
#include "kmscap.h"

static inline struct kmscap_frame_ring *ring_mem_new(uint32_t depth, size_t *len)
{
	struct kmscap_frame_ring *r;

	*len = KMSCAP_RING_SIZE(depth);
	r = aligned_alloc(4096, *len);
	ck_assert_ptr_nonnull(r);
	memset(r, 0, *len);
	r->slots = depth;
	r->slot_size = sizeof(struct kmscap_ring_slot);
	r->slot_offset = sizeof(struct kmscap_frame_ring);
	return r;
}

#endif /* KMSCAP_RING_MEM_H */
