// SPDX-License-Identifier: MIT
/*
 * libkmscap_ring: the frame ring through libkmscap (LIBKMSCAP_1.6) against
 * the module, the ring's states watched through a read-only mapping of
 * the test's own:
 *
 *  1. kmscap_ring_attach() maps the ring; nothing READY: take says 0,
 *     kmscap_next_frame() -EINVAL; a flip makes POLLIN on kmscap_fd(),
 *     take returns its frame (FIRST), STATS counts it held;
 *     kmscap_ring_release() gives it back (delivered), a second time
 *     -ENOENT;
 *  2. three flips unread: take returns the newest, dropped 2 and full
 *     damage, the two older ones given back (STATS: delivered);
 *  3. a held frame whose buffer the next flip takes: the flip waits and
 *     the slot says WANTED; kmscap_ring_release() gives it back and makes
 *     the RELEASE with seq 0, so the flip completes long before the 10 s
 *     hold timeout (no frame revoked) and its flip-done event says WAITED;
 *  4. DIRTYFB of a held frame's buffer: kmscap_ring_release() says
 *     -ESTALE, and the frame is given back all the same;
 *  5. DESTROY: POLLHUP, kmscap_read_events() returns the hang-up, take
 *     says 0; kmscap_close() unmaps the library's ring.
 * STATS' identity holds after every case.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "libkmscap.h"

#define DEPTH	4

static struct kmscap_t_kms k;
static struct kmscap_t_buf b[2];
static const volatile struct kmscap_frame_ring *mirror;

/* The state of the slot that holds frame @seq, as the test's mapping shows it. */
static uint32_t kmscap_slot_state(uint64_t seq)
{
	unsigned int i;

	for (i = 0; i < DEPTH; i++) {
		const volatile struct kmscap_ring_slot *s =
			(const volatile void *)((const volatile char *)mirror +
						sizeof(struct kmscap_frame_ring) +
						i * sizeof(struct kmscap_ring_slot));

		if (s->seq == seq)
			return __atomic_load_n(&s->state, __ATOMIC_SEQ_CST);
	}
	kmscap_t_fail("no slot of the ring has frame %llu", (unsigned long long)seq);
}

static struct kmscap_event kmscap_take_or_die(struct kmscap_dev *dev, const char *what)
{
	struct kmscap_event ev;
	int ret;

	KT_ASSERT(kmscap_t_readable(kmscap_fd(dev), 3000), "%s: no POLLIN within 3 s", what);
	ret = kmscap_ring_take(dev, &ev);
	KT_ASSERT(ret == 1, "%s: kmscap_ring_take: %d (%s), expected a frame", what, ret,
		  ret < 0 ? kmscap_t_errname(ret) : "none READY");
	KT_ASSERT(kmscap_slot_state(ev.seq) == KMSCAP_SLOT_HELD,
		  "%s: frame %llu taken, its slot is 0x%x", what, (unsigned long long)ev.seq,
		  kmscap_slot_state(ev.seq));
	return ev;
}

static struct kmscap_client_stats kmscap_stats_or_die(struct kmscap_dev *dev, const char *what)
{
	struct kmscap_client_stats st;
	int r = kmscap_stats(dev, &st);

	KT_ASSERT(!r, "%s: kmscap_stats: %s", what, kmscap_t_errname(r));
	kmscap_t_stats_check(&st, what);
	return st;
}

/* Mappings of /dev/kmscap in this process. */
static unsigned int kmscap_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned int n = 0;
	char line[512];

	KT_ASSERT(f, "/proc/self/maps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		n += !!strstr(line, KMSCAP_T_CTL);
	fclose(f);
	return n;
}

/* The flags of frame @seq's flip-done event, read through the library. */
static uint32_t kmscap_flip_done_flags(struct kmscap_dev *dev, uint64_t seq)
{
	struct kmscap_event_flip_done d;
	struct kmscap_event ev;
	uint64_t t0 = kmscap_t_now_ns();
	int ret;

	while (kmscap_t_now_ns() - t0 < 3000000000ull) {
		ret = kmscap_read_events(dev, &ev, 1);
		KT_ASSERT(ret == 0, "kmscap_read_events on a ring handle: %d, expected no event",
			  ret);
		while (kmscap_read_flip_done(dev, &d, 1) == 1)
			if (d.seq == seq)
				return d.flags;
		kmscap_t_sleep_ms(5);
	}
	kmscap_t_fail("no flip-done event for frame %llu within 3 s", (unsigned long long)seq);
}

int main(void)
{
	struct kmscap_client_stats st, st0;
	struct kmscap_display_create c;
	drmModeClip clip = { 0, 0, 16, 16 };
	struct kmscap_event ev;
	struct kmscap_dev *dev;
	struct pollfd p;
	uint64_t seq;
	int ctl, ret, i;
	void *m;

	kmscap_t_init("libkmscap_ring", 120);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_require_cap(ctl, KMSCAP_CAP_FRAME_RING, "KMSCAP_CAP_FRAME_RING");
	kmscap_t_display_up(ctl, 640, 480, &c, &k, b, 2, 1);

	/* 1 */
	ret = kmscap_open(KMSCAP_T_CTL, &dev);
	KT_ASSERT(!ret, "kmscap_open %s: %s", KMSCAP_T_CTL, kmscap_t_errname(ret));
	ret = kmscap_ring_attach(dev, c.id, DEPTH, KMSCAP_MAX_HOLD_NS, KMSCAP_ATTACH_FLIP_DONE);
	KT_ASSERT(!ret, "kmscap_ring_attach: %s", kmscap_t_errname(ret));
	KT_EXPECT_RET(kmscap_ring_attach(dev, c.id, DEPTH, 0, 0), -EBUSY, "a second ring attach");
	m = mmap(NULL, KMSCAP_RING_SIZE(DEPTH), PROT_READ, MAP_SHARED, kmscap_fd(dev),
		 KMSCAP_RING_OFFSET);
	KT_ASSERT(m != MAP_FAILED, "read-only mapping of the ring: %s", strerror(errno));
	mirror = m;
	KT_ASSERT(kmscap_mappings() == 2, "%u mappings of %s, expected the library's and the "
		  "test's", kmscap_mappings(), KMSCAP_T_CTL);
	KT_EXPECT_RET(kmscap_ring_take(dev, &ev), 0, "take before any flip");
	KT_EXPECT_RET(kmscap_next_frame(dev, 0, &ev), -EINVAL, "kmscap_next_frame, ring handle");
	KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 3000), 0, "flip to buffer 0");
	ev = kmscap_take_or_die(dev, "1");
	KT_ASSERT((ev.flags & KMSCAP_FRAME_FIRST) && ev.buffer_id && ev.width == 640 &&
		  ev.display_id == c.id && !ev.dropped, "first frame: flags 0x%x buffer %u "
		  "width %u display %u dropped %llu", ev.flags, ev.buffer_id, ev.width,
		  ev.display_id, (unsigned long long)ev.dropped);
	st = kmscap_stats_or_die(dev, "1, taken");
	KT_ASSERT(st.held == 1 && !st.queued, "taken: held %llu queued %llu",
		  (unsigned long long)st.held, (unsigned long long)st.queued);
	KT_EXPECT_RET(kmscap_ring_release(dev, ev.seq), 0, "giving frame 1 back");
	KT_ASSERT(kmscap_slot_state(ev.seq) == KMSCAP_SLOT_DONE, "given back: slot 0x%x",
		  kmscap_slot_state(ev.seq));
	KT_EXPECT_RET(kmscap_ring_release(dev, ev.seq), -ENOENT, "giving frame 1 back again");
	st = kmscap_stats_or_die(dev, "1, given back");
	KT_ASSERT(st.delivered == 1 && !st.held, "given back: delivered %llu held %llu",
		  (unsigned long long)st.delivered, (unsigned long long)st.held);
	kmscap_t_log("1: attach, take, give back: ok");

	/* 2: the same buffer each time, so that no flip waits */
	for (i = 0; i < 3; i++)
		KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 3000), 0, "flip, unread");
	ev = kmscap_take_or_die(dev, "2");
	seq = ev.seq;
	KT_ASSERT(ev.dropped == 2 && (ev.flags & KMSCAP_FRAME_FULL_DAMAGE) && !ev.num_damage,
		  "newest of three: seq %llu dropped %llu flags 0x%x damage %u",
		  (unsigned long long)ev.seq, (unsigned long long)ev.dropped, ev.flags,
		  ev.num_damage);
	KT_ASSERT(kmscap_slot_state(seq - 1) == KMSCAP_SLOT_DONE &&
		  kmscap_slot_state(seq - 2) == KMSCAP_SLOT_DONE,
		  "the skipped frames' slots: 0x%x 0x%x", kmscap_slot_state(seq - 1),
		  kmscap_slot_state(seq - 2));
	st = kmscap_stats_or_die(dev, "2, taken");
	KT_ASSERT(st.delivered == 3 && st.held == 1 && !st.queued && !st.dropped_queue,
		  "skipped frames: delivered %llu held %llu queued %llu dropped_queue %llu",
		  (unsigned long long)st.delivered, (unsigned long long)st.held,
		  (unsigned long long)st.queued, (unsigned long long)st.dropped_queue);
	KT_EXPECT_RET(kmscap_ring_release(dev, seq), 0, "giving the newest back");
	kmscap_t_log("2: newest of three taken, two skipped: ok");

	/* 3: held when the next flip takes its buffer (buffer 0 is on screen) */
	KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 3000), 0, "flip to buffer 0");
	ev = kmscap_take_or_die(dev, "3");
	seq = ev.seq;
	ret = kmscap_t_page_flip(&k, b[1].fb_id);
	KT_ASSERT(!ret, "flip to buffer 1: %s", kmscap_t_errname(ret));
	KT_ASSERT(kmscap_t_readable(kmscap_fd(dev), 3000), "no POLLIN for the flip to buffer 1");
	/* POLLIN may be a flip-done event unread: wait for the flip to mark the slot */
	for (i = 0; i < 300 && !(kmscap_slot_state(seq) & KMSCAP_SLOT_WANTED); i++)
		kmscap_t_sleep_ms(10);
	KT_ASSERT(kmscap_slot_state(seq) == (KMSCAP_SLOT_HELD | KMSCAP_SLOT_WANTED),
		  "the flip waits, but the slot of %llu is 0x%x", (unsigned long long)seq,
		  kmscap_slot_state(seq));
	p = (struct pollfd){ .fd = k.fd, .events = POLLIN };
	KT_ASSERT(poll(&p, 1, 0) == 0, "the flip completed before its frame was given back");
	st0 = kmscap_stats_or_die(dev, "3, before");
	KT_EXPECT_RET(kmscap_ring_release(dev, seq), 0, "giving back a WANTED frame");
	KT_ASSERT(kmscap_slot_state(seq) == (KMSCAP_SLOT_DONE | KMSCAP_SLOT_WANTED) ||
		  (kmscap_slot_state(seq) & KMSCAP_SLOT_STATE) == KMSCAP_SLOT_READY,
		  "given back: slot 0x%x", kmscap_slot_state(seq));
	/* with no RELEASE 0 the flip would wait for the 10 s hold timeout */
	ret = kmscap_t_wait_flip(&k, 8000);
	KT_ASSERT(!ret, "the waiting flip: %s after its frame was given back",
		  kmscap_t_errname(ret));
	KT_ASSERT(kmscap_flip_done_flags(dev, seq + 1) & KMSCAP_FLIP_DONE_WAITED,
		  "the flip-done event of the waiting flip does not say WAITED");
	st = kmscap_stats_or_die(dev, "3");
	KT_ASSERT(st.dropped_timeout == st0.dropped_timeout && st.delivered == st0.delivered + 1,
		  "3: dropped_timeout +%llu delivered +%llu",
		  (unsigned long long)(st.dropped_timeout - st0.dropped_timeout),
		  (unsigned long long)(st.delivered - st0.delivered));
	kmscap_t_log("3: WANTED frame given back, the flip completed: ok");

	/* 4: DIRTYFB revokes a held frame (buffer 1, on screen) */
	ev = kmscap_take_or_die(dev, "4");
	KT_ASSERT(ev.seq == seq + 1, "4: took %llu, expected %llu", (unsigned long long)ev.seq,
		  (unsigned long long)(seq + 1));
	ret = drmModeDirtyFB(k.fd, b[1].fb_id, &clip, 1);
	KT_ASSERT(!ret, "drmModeDirtyFB: %s", strerror(errno));
	KT_ASSERT((kmscap_slot_state(ev.seq) & KMSCAP_SLOT_STATE) == KMSCAP_SLOT_REVOKED,
		  "after DIRTYFB the held slot is 0x%x", kmscap_slot_state(ev.seq));
	KT_EXPECT_RET(kmscap_ring_release(dev, ev.seq), -ESTALE, "giving back a revoked frame");
	KT_EXPECT_RET(kmscap_ring_release(dev, ev.seq), -ENOENT, "and again");
	ev = kmscap_take_or_die(dev, "4, the DIRTYFB frame");
	KT_EXPECT_RET(kmscap_ring_release(dev, ev.seq), 0, "giving the DIRTYFB frame back");
	st = kmscap_stats_or_die(dev, "4");
	KT_ASSERT(st.dropped_timeout == st0.dropped_timeout + 1 && !st.revoked_unreleased &&
		  !st.held, "4: dropped_timeout +%llu revoked_unreleased %llu held %llu",
		  (unsigned long long)(st.dropped_timeout - st0.dropped_timeout),
		  (unsigned long long)st.revoked_unreleased, (unsigned long long)st.held);
	kmscap_t_log("4: DIRTYFB, then -ESTALE: ok");

	/* 5 */
	kmscap_t_display_down(ctl, &c, &k, b, 2);
	p = (struct pollfd){ .fd = kmscap_fd(dev), .events = POLLIN };
	KT_ASSERT(poll(&p, 1, 3000) == 1 && (p.revents & POLLHUP), "no POLLHUP after DESTROY");
	/* flip-done events may come first: the library keeps them */
	for (i = 0; i < 100 && (ret = kmscap_read_events(dev, &ev, 1)) == 0; i++)
		KT_ASSERT(kmscap_t_readable(kmscap_fd(dev), 3000), "no POLLIN after DESTROY");
	KT_ASSERT(ret == 1 && ev.type == KMSCAP_EVENT_HANGUP && kmscap_hung_up(dev),
		  "after DESTROY kmscap_read_events: %d type %u", ret, ret == 1 ? ev.type : 0);
	KT_EXPECT_RET(kmscap_ring_take(dev, &ev), 0, "take after DESTROY");
	kmscap_close(dev);
	KT_ASSERT(kmscap_mappings() == 1, "%u mappings of %s after kmscap_close(), expected "
		  "the test's only", kmscap_mappings(), KMSCAP_T_CTL);
	KT_ASSERT(!munmap(m, KMSCAP_RING_SIZE(DEPTH)), "munmap: %s", strerror(errno));
	close(ctl);
	kmscap_t_pass("libkmscap frame ring: take, skip, give back, WANTED + RELEASE 0, "
		      "-ESTALE after DIRTYFB, hang-up, unmapped at close");
}
