/* SPDX-License-Identifier: MIT */
/*
 * libframering: a raw client of the frame ring (ABI 1.6,
 * KMSCAP_ATTACH_FRAME_RING), for the selftests and kmscap-bench's
 * kmscap-ring path (tests/selftests/libframering.c).  The
 * module writes each frame into a slot of a ring the client maps; the
 * client takes a frame and gives it back by compare-and-swap, without a
 * system call.  Only when a flip waits for the frame given back (the
 * slot said KMSCAP_SLOT_WANTED) does the client call RELEASE with seq 0;
 * the caller makes that call itself, so that it counts it.
 */
#ifndef KMSCAP_LIBFRAMERING_H
#define KMSCAP_LIBFRAMERING_H

#include <stdbool.h>
#include <stdint.h>

#include "kmscap_test.h"

struct kmscap_framering {
	volatile struct kmscap_frame_ring *ring;
	size_t size;				/* of the mapping */
	uint32_t slots;				/* as attached, not as the header says */
};

/*
 * The client's swap of @s's state from @from to @to (low byte), keeping
 * KMSCAP_SLOT_WANTED as it is, sequentially consistent: true if done.
 * *@old is the value replaced, or the value found when not done.
 */
bool kmscap_framering_swap(volatile struct kmscap_ring_slot *s, uint32_t from, uint32_t to,
			   uint32_t *old);
/*
 * Attach @fd (an open /dev/kmscap file) to display @id with a ring of
 * @depth slots and the hold timeout @hold_ns, and map it: 0 or -errno.
 */
int kmscap_framering_attach(struct kmscap_framering *fr, int fd, uint32_t id, uint32_t depth,
			    uint64_t hold_ns);
/*
 * Take the oldest READY frame (every frame, in order, as the read()
 * paths get them): its slot, whose event is the client's to read until it
 * is given back, or NULL if none is READY.
 */
volatile struct kmscap_ring_slot *kmscap_framering_take(struct kmscap_framering *fr);
/*
 * Give back the frame of slot @s: 0, -ESTALE if the module revoked it
 * meanwhile (what was read of it may be torn), -EPROTO if the slot was
 * neither; *@kick is set when a flip waits for it: the caller then calls
 * RELEASE with seq 0.
 */
int kmscap_framering_give_back(volatile struct kmscap_ring_slot *s, bool *kick);
/* Each slot's state and seq, and the count published, into @buf. */
void kmscap_framering_describe(struct kmscap_framering *fr, char *buf, size_t size);
void kmscap_framering_fini(struct kmscap_framering *fr);

#endif
