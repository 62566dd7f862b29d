// SPDX-License-Identifier: MIT
/* A raw frame-ring client, for the selftests and kmscap-bench: see libframering.h. */
#include <errno.h>
#include <sys/mman.h>

#include "libframering.h"

typedef volatile struct kmscap_ring_slot kmscap_vslot;

static kmscap_vslot *kmscap_framering_slot(struct kmscap_framering *fr, uint32_t i)
{
	return (kmscap_vslot *)((volatile char *)fr->ring + sizeof(struct kmscap_frame_ring) +
				i * sizeof(struct kmscap_ring_slot));
}

bool kmscap_framering_swap(volatile struct kmscap_ring_slot *s, uint32_t from, uint32_t to,
			   uint32_t *old)
{
	uint32_t v = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);

	do {
		if ((v & KMSCAP_SLOT_STATE) != from)
			break;
	} while (!__atomic_compare_exchange_n(&s->state, &v, to | (v & KMSCAP_SLOT_WANTED),
					      false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	*old = v;
	return (v & KMSCAP_SLOT_STATE) == from;
}

int kmscap_framering_attach(struct kmscap_framering *fr, int fd, uint32_t id, uint32_t depth,
			    uint64_t hold_ns)
{
	struct kmscap_attach at = { .display_id = id, .flags = KMSCAP_ATTACH_FRAME_RING,
				    .queue_depth = depth, .hold_timeout_ns = hold_ns };
	void *p;
	int r;

	memset(fr, 0, sizeof(*fr));
	r = kmscap_t_ioctl(fd, KMSCAP_IOC_ATTACH, &at);
	if (r)
		return r;
	fr->size = KMSCAP_RING_SIZE(depth);
	p = mmap(NULL, fr->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, KMSCAP_RING_OFFSET);
	if (p == MAP_FAILED)
		return -errno;
	fr->ring = p;
	fr->slots = depth;
	if (fr->ring->slots != depth || fr->ring->slot_size != sizeof(struct kmscap_ring_slot) ||
	    fr->ring->slot_offset != sizeof(struct kmscap_frame_ring)) {
		kmscap_framering_fini(fr);
		return -EPROTO;
	}
	return 0;
}

volatile struct kmscap_ring_slot *kmscap_framering_take(struct kmscap_framering *fr)
{
	kmscap_vslot *first, *s;
	uint32_t i, old;

	do {
		first = NULL;
		for (i = 0; i < fr->slots; i++) {
			s = kmscap_framering_slot(fr, i);
			if ((__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) & KMSCAP_SLOT_STATE) ==
			    KMSCAP_SLOT_READY && (!first || s->seq < first->seq))
				first = s;
		}
		if (!first)
			return NULL;
		/* dropped meanwhile: look again */
	} while (!kmscap_framering_swap(first, KMSCAP_SLOT_READY, KMSCAP_SLOT_HELD, &old));
	return first;
}

int kmscap_framering_give_back(volatile struct kmscap_ring_slot *s, bool *kick)
{
	uint32_t old;
	int r = 0;

	if (!kmscap_framering_swap(s, KMSCAP_SLOT_HELD, KMSCAP_SLOT_DONE, &old)) {
		if (!kmscap_framering_swap(s, KMSCAP_SLOT_REVOKED, KMSCAP_SLOT_DONE, &old))
			return -EPROTO;
		r = -ESTALE;
	}
	*kick = old & KMSCAP_SLOT_WANTED;
	return r;
}

void kmscap_framering_describe(struct kmscap_framering *fr, char *buf, size_t size)
{
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < fr->slots && n < size; i++) {
		kmscap_vslot *s = kmscap_framering_slot(fr, i);

		n += (size_t)snprintf(buf + n, size - n, "%s%u:0x%x/%llu", i ? " " : "", i,
				      __atomic_load_n(&s->state, __ATOMIC_ACQUIRE),
				      (unsigned long long)s->seq);
	}
	if (n < size)
		snprintf(buf + n, size - n, " published %llu",
			 (unsigned long long)fr->ring->published);
}

void kmscap_framering_fini(struct kmscap_framering *fr)
{
	if (fr->ring)
		munmap((void *)fr->ring, fr->size);
	fr->ring = NULL;
}
