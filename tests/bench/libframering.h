/* SPDX-License-Identifier: MIT */
/*
 * libframering: the frame ring of kmscap-bench's kmscap-ring path
 * (tests/bench/libframering.c; ABI 1.6, KMSCAP_ATTACH_FRAME_RING).  The
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
	volatile struct kmscap_ring_slot *held;	/* the slot taken, or NULL */
};

/*
 * Attach @fd (an open /dev/kmscap file) to display @id with a ring of
 * @depth slots and the hold timeout @hold_ns, and map it: 0 or -errno.
 */
int kmscap_framering_attach(struct kmscap_framering *fr, int fd, uint32_t id, uint32_t depth,
			    uint64_t hold_ns);
/*
 * Take the oldest READY frame (every frame, in order, as the read()
 * paths get them): true with its event in @ev, false if none is READY.
 * Only one frame is held at a time: give it back first.
 */
bool kmscap_framering_take(struct kmscap_framering *fr, struct kmscap_event *ev);
/*
 * Give back the frame taken: 0, -ESTALE if the module revoked it
 * meanwhile; *@kick is set when a flip waits for it: the caller then
 * calls RELEASE with seq 0.
 */
int kmscap_framering_give_back(struct kmscap_framering *fr, bool *kick);
/* Each slot's state and seq, and the count published, into @buf. */
void kmscap_framering_describe(struct kmscap_framering *fr, char *buf, size_t size);
void kmscap_framering_fini(struct kmscap_framering *fr);

#endif
