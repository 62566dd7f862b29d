// SPDX-License-Identifier: MIT
/*
 * Unit tests of the frame ring calls (LIBKMSCAP_1.6): kmscap_ring_take()
 * and kmscap_ring_release() on a ring in the test's own memory, written
 * as the module writes it, given to the handle by kmscap_ring_use() (what
 * kmscap_ring_attach() calls on its mapping).  The ioctls, RELEASE with
 * seq 0 among them, are the fake module's (fake_kmscap.h), which counts
 * them.  The VM selftest libkmscap_ring checks the real ring.
 */
#include <stdlib.h>

#include "fake_kmscap.h"
#include "libkmscap_priv.h"
#include "ring_mem.h"

#define DEPTH	4
#define NR_RELEASE	_IOC_NR(KMSCAP_IOC_RELEASE)
#define NR_ATTACH	_IOC_NR(KMSCAP_IOC_ATTACH)

static struct kmscap_frame_ring *ring;
static size_t ring_len;

static struct kmscap_ring_slot *slot(uint32_t i)
{
	return (struct kmscap_ring_slot *)((char *)ring + ring->slot_offset +
					   i * ring->slot_size);
}

static uint32_t state(uint32_t i)
{
	return __atomic_load_n(&slot(i)->state, __ATOMIC_SEQ_CST);
}

static void set_state(uint32_t i, uint32_t v)
{
	__atomic_store_n(&slot(i)->state, v, __ATOMIC_SEQ_CST);
}

/* What the module does when it writes frame @seq into slot @i. */
static struct kmscap_event *put(uint32_t i, uint64_t seq, uint32_t flags, uint64_t dropped)
{
	struct kmscap_ring_slot *s = slot(i);

	frame_event(&s->ev, seq, 3);
	s->ev.flags = flags;
	s->ev.dropped = dropped;
	s->seq = seq;
	ring->published++;
	set_state(i, KMSCAP_SLOT_READY);
	return &s->ev;
}

static void new_ring(void)
{
	ring = ring_mem_new(DEPTH, &ring_len);
}

/* A handle attached with the ring (the fake's attach), using @ring. */
static void open_ring(void)
{
	fake.version.caps |= KMSCAP_CAP_FRAME_RING;
	fake.version.max_event_size = 1024;
	open_dev();
	ck_assert_int_eq(kmscap_attach_with(dev, 5, DEPTH, 0, KMSCAP_ATTACH_FRAME_RING), 0);
	new_ring();
	ck_assert_int_eq(kmscap_ring_use(dev, ring, ring_len, DEPTH), 0);
}

static void ring_setup(void)
{
	setup();
	ring = NULL;
}

static void ring_teardown(void)
{
	teardown();	/* closes the handle, which must not unmap test memory */
	free(ring);
	ring = NULL;
}

/* The newest READY frame, the older ones given back and told of. */
START_TEST(test_take_newest)
{
	struct kmscap_event ev;
	struct kmscap_rect r = { 0, 0, 8, 8 };

	open_ring();
	put(2, 3, KMSCAP_FRAME_FIRST | KMSCAP_FRAME_FULL_DAMAGE, 2);
	put(0, 4, KMSCAP_FRAME_GAMMA_CHANGED | KMSCAP_FRAME_NEW_MODE | KMSCAP_FRAME_BLANK, 0);
	/* the newest has damage rectangles of its own, relative to frame 4 */
	put(1, 5, KMSCAP_FRAME_CURSOR_VISIBLE, 0)->num_damage = 1;
	slot(1)->ev.damage[0] = r;
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), 1);
	ck_assert_uint_eq(ev.seq, 5);
	ck_assert_uint_eq(ev.buffer_id, 3);
	/* two skipped, two the module dropped before them */
	ck_assert_uint_eq(ev.dropped, 4);
	ck_assert_uint_eq(ev.flags, KMSCAP_FRAME_FULL_DAMAGE | KMSCAP_FRAME_CURSOR_VISIBLE |
				    KMSCAP_FRAME_FIRST | KMSCAP_FRAME_GAMMA_CHANGED |
				    KMSCAP_FRAME_NEW_MODE);
	ck_assert_uint_eq(ev.num_damage, 0);
	ck_assert_uint_eq(state(1), KMSCAP_SLOT_HELD);
	ck_assert_uint_eq(state(0), KMSCAP_SLOT_DONE);
	ck_assert_uint_eq(state(2), KMSCAP_SLOT_DONE);
	ck_assert_uint_eq(state(3), KMSCAP_SLOT_EMPTY);
	/* nothing else READY: 0, no call at all */
	memset(&ev, 0x5a, sizeof(ev));
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), 0);
	ck_assert_int_eq(fake.calls[NR_RELEASE], 0);
	ck_assert_uint_eq(state(1), KMSCAP_SLOT_HELD);
}
END_TEST

/* One frame alone keeps its damage and flags; dropped > 0 makes it full. */
START_TEST(test_take_one)
{
	struct kmscap_event ev;
	struct kmscap_rect r = { 16, 16, 32, 48 };

	open_ring();
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), 0);
	put(3, 9, KMSCAP_FRAME_CURSOR_MOVED, 0)->num_damage = 1;
	slot(3)->ev.damage[0] = r;
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), 1);
	ck_assert_uint_eq(ev.seq, 9);
	ck_assert_uint_eq(ev.flags, KMSCAP_FRAME_CURSOR_MOVED);
	ck_assert_uint_eq(ev.num_damage, 1);
	ck_assert_mem_eq(&ev.damage[0], &r, sizeof(r));
	ck_assert_uint_eq(ev.dropped, 0);
	ck_assert_int_eq(kmscap_ring_release(dev, 9), 0);
	ck_assert_uint_eq(state(3), KMSCAP_SLOT_DONE);

	/* as the module writes it after a drop, but without FULL_DAMAGE */
	put(0, 12, 0, 2)->num_damage = 1;
	slot(0)->ev.damage[0] = r;
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), 1);
	ck_assert_uint_eq(ev.dropped, 2);
	ck_assert_uint_eq(ev.flags, KMSCAP_FRAME_FULL_DAMAGE);
	ck_assert_uint_eq(ev.num_damage, 0);
	ck_assert_int_eq(fake.calls[NR_RELEASE], 0);
}
END_TEST

/*
 * Damage is relative to the frame before: kept after the frame returned
 * last, full after a gap.  A frame older than one returned (a sweep's
 * cap reached) goes back, and the next frame returned tells of it.
 */
START_TEST(test_order)
{
	struct kmscap_event ev;
	struct kmscap_rect r = { 8, 8, 16, 16 };
	uint32_t i;

	open_ring();
	for (i = 0; i < 2; i++) {
		put(i, 5 + i, 0, 0)->num_damage = 1;
		slot(i)->ev.damage[0] = r;
		ck_assert_int_eq(kmscap_ring_take(dev, &ev), 1);
		ck_assert_uint_eq(ev.seq, 5 + i);
		ck_assert_uint_eq(ev.num_damage, 1);
		ck_assert_uint_eq(ev.flags, 0);
		ck_assert_int_eq(kmscap_ring_release(dev, ev.seq), 0);
	}
	put(2, 8, 0, 0)->num_damage = 1;
	slot(2)->ev.damage[0] = r;
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), 1);
	ck_assert_uint_eq(ev.seq, 8);
	ck_assert_uint_eq(ev.flags, KMSCAP_FRAME_FULL_DAMAGE);
	ck_assert_uint_eq(ev.num_damage, 0);
	ck_assert_uint_eq(ev.dropped, 0);
	/* frame 7, READY only now: never returned after 8 */
	put(0, 7, KMSCAP_FRAME_NEW_MODE, 1);
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), 0);
	ck_assert_uint_eq(state(0), KMSCAP_SLOT_DONE);
	ck_assert_int_eq(kmscap_ring_release(dev, 8), 0);
	put(1, 9, 0, 0)->num_damage = 1;
	slot(1)->ev.damage[0] = r;
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), 1);
	ck_assert_uint_eq(ev.seq, 9);
	ck_assert_uint_eq(ev.flags, KMSCAP_FRAME_FULL_DAMAGE | KMSCAP_FRAME_NEW_MODE);
	ck_assert_uint_eq(ev.dropped, 2);
	ck_assert_uint_eq(ev.num_damage, 0);
	/* told once */
	ck_assert_int_eq(kmscap_ring_release(dev, 9), 0);
	put(2, 10, 0, 0)->num_damage = 1;
	slot(2)->ev.damage[0] = r;
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), 1);
	ck_assert_uint_eq(ev.flags, 0);
	ck_assert_uint_eq(ev.dropped, 0);
	ck_assert_uint_eq(ev.num_damage, 1);
}
END_TEST

/* Given back by a swap, no call; a second time, or an unknown seq: -ENOENT. */
START_TEST(test_release)
{
	struct kmscap_event ev;

	open_ring();
	put(1, 20, 0, 0);
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), 1);
	ck_assert_int_eq(kmscap_ring_release(dev, 21), -ENOENT);
	ck_assert_int_eq(kmscap_ring_release(dev, 0), -ENOENT);
	ck_assert_uint_eq(state(1), KMSCAP_SLOT_HELD);
	ck_assert_int_eq(kmscap_ring_release(dev, 20), 0);
	ck_assert_uint_eq(state(1), KMSCAP_SLOT_DONE);
	ck_assert_int_eq(kmscap_ring_release(dev, 20), -ENOENT);
	ck_assert_uint_eq(state(1), KMSCAP_SLOT_DONE);
	/* a READY frame never taken is not the handle's */
	put(2, 22, 0, 0);
	ck_assert_int_eq(kmscap_ring_release(dev, 22), -ENOENT);
	ck_assert_uint_eq(state(2), KMSCAP_SLOT_READY);
	ck_assert_int_eq(fake.calls[NR_RELEASE], 0);
}
END_TEST

/* WANTED kept in the swap, and one RELEASE with seq 0 after it. */
START_TEST(test_wanted)
{
	struct kmscap_event ev;

	open_ring();
	put(0, 30, 0, 0);
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), 1);
	/* a flip waits for it */
	set_state(0, KMSCAP_SLOT_HELD | KMSCAP_SLOT_WANTED);
	fake.release.seq = 99;
	ck_assert_int_eq(kmscap_ring_release(dev, 30), 0);
	ck_assert_uint_eq(state(0), KMSCAP_SLOT_DONE | KMSCAP_SLOT_WANTED);
	ck_assert_int_eq(fake.calls[NR_RELEASE], 1);
	ck_assert_uint_eq(fake.release.seq, 0);
	ck_assert_int_eq(kmscap_ring_release(dev, 30), -ENOENT);
	ck_assert_int_eq(fake.calls[NR_RELEASE], 1);

	/* a skipped frame that a flip waits for: one call, in the take */
	put(1, 31, 0, 0);
	put(2, 32, 0, 0);
	set_state(1, KMSCAP_SLOT_READY | KMSCAP_SLOT_WANTED);
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), 1);
	ck_assert_uint_eq(ev.seq, 32);
	ck_assert_uint_eq(state(1), KMSCAP_SLOT_DONE | KMSCAP_SLOT_WANTED);
	ck_assert_int_eq(fake.calls[NR_RELEASE], 2);
	/* the call's error is told, the frame is given back all the same */
	set_state(2, KMSCAP_SLOT_HELD | KMSCAP_SLOT_WANTED);
	fake.fail_nr = NR_RELEASE;
	fake.fail_errno = EIO;
	ck_assert_int_eq(kmscap_ring_release(dev, 32), -EIO);
	ck_assert_uint_eq(state(2), KMSCAP_SLOT_DONE | KMSCAP_SLOT_WANTED);
}
END_TEST

/* A revoked frame is given back too, and said stale. */
START_TEST(test_revoked)
{
	struct kmscap_event ev;

	open_ring();
	put(3, 40, 0, 0);
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), 1);
	set_state(3, KMSCAP_SLOT_REVOKED);
	ck_assert_int_eq(kmscap_ring_release(dev, 40), -ESTALE);
	ck_assert_uint_eq(state(3), KMSCAP_SLOT_DONE);
	ck_assert_int_eq(kmscap_ring_release(dev, 40), -ENOENT);
	ck_assert_int_eq(fake.calls[NR_RELEASE], 0);
}
END_TEST

/* A malformed newest frame is given back, not returned. */
START_TEST(test_malformed)
{
	struct kmscap_event ev;

	open_ring();
	put(0, 50, 0, 0)->num_damage = KMSCAP_MAX_DAMAGE + 1;
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), -EBADMSG);
	ck_assert_uint_eq(state(0), KMSCAP_SLOT_DONE);
	ck_assert_int_eq(kmscap_ring_release(dev, 50), -ENOENT);
}
END_TEST

/* The header is checked once, at map time; a mismatch is -EPROTO. */
START_TEST(test_header)
{
	struct kmscap_event ev;

	fake.version.caps |= KMSCAP_CAP_FRAME_RING;
	open_dev();
	new_ring();
	ck_assert_int_eq(kmscap_ring_use(dev, ring, ring_len, DEPTH + 1), -EPROTO);
	ring->slot_size = sizeof(struct kmscap_ring_slot) - 8;
	ck_assert_int_eq(kmscap_ring_use(dev, ring, ring_len, DEPTH), -EPROTO);
	ring->slot_size = sizeof(struct kmscap_ring_slot) + 4;
	ck_assert_int_eq(kmscap_ring_use(dev, ring, ring_len, DEPTH), -EPROTO);
	ring->slot_size = sizeof(struct kmscap_ring_slot);
	ring->slot_offset = 8;
	ck_assert_int_eq(kmscap_ring_use(dev, ring, ring_len, DEPTH), -EPROTO);
	ring->slot_offset = (uint32_t)ring_len;
	ck_assert_int_eq(kmscap_ring_use(dev, ring, ring_len, DEPTH), -EPROTO);
	ring->slot_offset = sizeof(struct kmscap_frame_ring);
	ck_assert_int_eq(kmscap_ring_use(dev, ring, sizeof(struct kmscap_frame_ring) +
					 (DEPTH - 1) * sizeof(struct kmscap_ring_slot), DEPTH),
			 -EPROTO);
	ck_assert_int_eq(kmscap_ring_use(dev, ring, 16, DEPTH), -EPROTO);
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), -ENOTCONN);
	/* a later module's larger slots, further on, are fine */
	ring->slot_offset = sizeof(struct kmscap_frame_ring) + 64;
	ring->slot_size = sizeof(struct kmscap_ring_slot) + 8;
	ck_assert_int_eq(kmscap_ring_use(dev, ring, ring_len, DEPTH), 0);
	put(DEPTH - 1, 60, 0, 0);
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), 1);
	ck_assert_uint_eq(ev.seq, 60);
	/* what the header says afterwards is not read again */
	put(DEPTH - 2, 61, 0, 0);
	ring->slots = 1000;
	ring->slot_size = 8;
	ring->slot_offset = 0;
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), 1);
	ck_assert_uint_eq(ev.seq, 61);
}
END_TEST

/* What is refused, and what the attach asks of the module. */
START_TEST(test_refused)
{
	struct kmscap_event ev;
	char msg[256];

	open_dev();
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), -ENOTCONN);
	ck_assert_int_eq(kmscap_ring_release(dev, 1), -ENOTCONN);
	ck_assert_int_eq(kmscap_ring_take(NULL, &ev), -EINVAL);
	ck_assert_int_eq(kmscap_ring_release(NULL, 1), -EINVAL);
	/* a 1.5 module: no ring, and no attach tried */
	ck_assert_int_eq(kmscap_ring_attach(dev, 5, 0, 0, 0), -EOPNOTSUPP);
	ck_assert_int_eq(fake.calls[NR_ATTACH], 0);
	ck_assert_str_eq(kmscap_strerror_ctx(-EOPNOTSUPP, KMSCAP_ERR_RING, path, msg,
					     sizeof(msg)) + strlen(path),
			 ": the module has no frame ring (KMSCAP_CAP_FRAME_RING, ABI 1.6)");
	kmscap_close(dev);
	dev = NULL;
	close(writer);
	fake.version.caps |= KMSCAP_CAP_FRAME_RING;
	fake.version.max_event_size = 1024;
	open_dev();
	ck_assert_int_eq(kmscap_ring_attach(dev, 5, 0, 0, KMSCAP_ATTACH_AUTO_RELEASE), -EINVAL);
	ck_assert_int_eq(kmscap_ring_attach(dev, 5, KMSCAP_MAX_QUEUE + 1, 0, 0), -EINVAL);
	ck_assert_int_eq(kmscap_attach_flags(dev, 5, 0, 0, KMSCAP_ATTACH_FRAME_RING), -EINVAL);
	ck_assert_int_eq(fake.calls[NR_ATTACH], 0);
	/* the FIFO cannot be mapped: attached, with the flags, but without frames */
	ck_assert_int_lt(kmscap_ring_attach(dev, 5, 3, 7, KMSCAP_ATTACH_CURRENT_FRAME), 0);
	ck_assert_int_eq(fake.calls[NR_ATTACH], 1);
	ck_assert_uint_eq(fake.attach.flags, KMSCAP_ATTACH_FRAME_RING | KMSCAP_ATTACH_FRAMED |
					     KMSCAP_ATTACH_CURRENT_FRAME);
	ck_assert_uint_eq(fake.attach.queue_depth, 3);
	ck_assert_uint_eq(fake.attach.hold_timeout_ns, 7);
	ck_assert_int_eq(kmscap_ring_take(dev, &ev), -ENOTCONN);
	ck_assert_int_eq(kmscap_next_frame(dev, 0, &ev), -EINVAL);
	ck_assert_int_eq(kmscap_ring_attach(dev, 5, 0, 0, 0), -EBUSY);
	ck_assert_int_eq(fake.calls[NR_ATTACH], 1);
}
END_TEST

static Suite *ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("frame ring");

	tcase_add_checked_fixture(tc, ring_setup, ring_teardown);
	tcase_add_test(tc, test_take_newest);
	tcase_add_test(tc, test_take_one);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_release);
	tcase_add_test(tc, test_wanted);
	tcase_add_test(tc, test_revoked);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kmscap_run_suite(ring_suite());
}
