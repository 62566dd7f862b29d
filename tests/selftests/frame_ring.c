// SPDX-License-Identifier: MIT
/*
 * frame_ring: frames in a ring the client maps (ABI 1.6,
 * KMSCAP_ATTACH_FRAME_RING), taken and given back without a system call:
 *
 *  1. the attach and mapping rules: with AUTO_RELEASE -EINVAL; a mapping
 *     before the attach -ENODEV, private or too long -EINVAL, executable
 *     -EPERM; the header says slots, slot size and offset, every slot
 *     EMPTY;
 *  2. a flip writes a READY slot and makes poll() say POLLIN, read()
 *     returns no frame; the client takes it by compare-and-swap (the event
 *     is the flip's: FIRST, seq, buffer), STATS counts it held, poll() no
 *     longer says POLLIN; given back, it is delivered;
 *  3. a frame given back before the next flip: that flip does not wait
 *     (its flip-done event, read() from the same file, says so);
 *  4. a frame held when the next flip takes its buffer: the flip waits
 *     and marks the slot WANTED; it completes only after the client gives
 *     the frame back and calls RELEASE with seq 0, in that order; given
 *     back without that call, the flip completes all the same, before the
 *     hold timeout;
 *  5. DIRTYFB of a held frame's buffer makes its slot REVOKED before the
 *     call returns, and noted in the status page; RELEASE of it says
 *     -ESTALE and gives it back;
 *  6. a full ring: six flips unread keep the four newest, those written
 *     after a drop telling the frames lost, with full damage, and the
 *     gamma change of the first, dropped, on a frame kept; when every slot
 *     is held the new frame is dropped; both count as dropped_queue;
 *  7. what a hostile client writes (an unknown state, the header) hurts
 *     only itself: an unknown state counts as taken, the module's count
 *     goes on; the hold timeout revokes a frame never given back;
 *  8. at DESTROY a held frame is REVOKED, a READY one EMPTY, and the
 *     mapping outlives close().
 * STATS' identity holds after every case.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "libframering.h"

#define DEPTH	4

static struct kmscap_t_kms k;
static struct kmscap_t_buf b[2];
static long page;

typedef volatile struct kmscap_ring_slot vslot;

static void *kmscap_map(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	return p == MAP_FAILED ? NULL : p;
}

static vslot *kmscap_slot(volatile struct kmscap_frame_ring *r, unsigned int i)
{
	return (vslot *)((volatile char *)r + r->slot_offset + i * r->slot_size);
}

static uint32_t kmscap_state(vslot *s)
{
	return __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
}

/* The READY slot of the newest frame, or NULL. */
static vslot *kmscap_newest_ready(volatile struct kmscap_frame_ring *r)
{
	vslot *best = NULL;
	unsigned int i;

	for (i = 0; i < r->slots; i++) {
		vslot *s = kmscap_slot(r, i);

		if ((kmscap_state(s) & KMSCAP_SLOT_STATE) == KMSCAP_SLOT_READY &&
		    (!best || s->seq > best->seq))
			best = s;
	}
	return best;
}

static unsigned int kmscap_count(volatile struct kmscap_frame_ring *r, uint32_t state)
{
	unsigned int i, n = 0;

	for (i = 0; i < r->slots; i++)
		n += (kmscap_state(kmscap_slot(r, i)) & KMSCAP_SLOT_STATE) == state;
	return n;
}

/* Take the newest READY frame, once poll() says there is one. */
static vslot *kmscap_take_or_die(int cl, volatile struct kmscap_frame_ring *r, const char *what)
{
	uint32_t old;
	vslot *s;

	KT_ASSERT(kmscap_t_readable(cl, 3000), "%s: no POLLIN within 3 s", what);
	s = kmscap_newest_ready(r);
	KT_ASSERT(s, "%s: POLLIN but no READY slot", what);
	KT_ASSERT(kmscap_framering_swap(s, KMSCAP_SLOT_READY, KMSCAP_SLOT_HELD, &old),
		  "%s: taking the slot: state 0x%x", what, old);
	KT_ASSERT(s->ev.type == KMSCAP_EVENT_FRAME && s->ev.seq == s->seq,
		  "%s: taken slot: type %u seq %llu, slot seq %llu", what, s->ev.type,
		  (unsigned long long)s->ev.seq, (unsigned long long)s->seq);
	return s;
}

static struct kmscap_client_stats kmscap_stats_or_die(int cl, const char *what)
{
	struct kmscap_client_stats st;
	int r = kmscap_t_stats(cl, &st);

	KT_ASSERT(!r, "%s: STATS: %s", what, kmscap_t_errname(r));
	kmscap_t_stats_check(&st, what);
	return st;
}

/*
 * The flags of the flip-done event read() gives @cl for frame @seq, and
 * how long that flip waited for holds in *@wait_ns (if not NULL).
 */
static uint32_t kmscap_flip_done_wait(int cl, uint64_t seq, uint64_t *wait_ns)
{
	uint64_t t0 = kmscap_t_now_ns();
	char buf[4096];

	while (kmscap_t_now_ns() - t0 < 3000000000ull) {
		ssize_t n = read(cl, buf, sizeof(buf));
		size_t off = 0;

		if (n < 0 && errno == EAGAIN) {
			kmscap_t_sleep_ms(5);
			continue;
		}
		KT_ASSERT(n > 0, "read of flip-done events: %s", n ? strerror(errno) : "EOF");
		while (off + sizeof(struct kmscap_event_header) <= (size_t)n) {
			const struct kmscap_event_header *h = (const void *)(buf + off);
			const struct kmscap_event_flip_done *f = (const void *)h;

			KT_ASSERT(h->type != KMSCAP_EVENT_FRAME, "read() returned a frame event");
			if (h->type == KMSCAP_EVENT_FLIP_DONE && f->seq == seq) {
				if (wait_ns)
					*wait_ns = f->hold_wait_ns;
				return f->flags;
			}
			KT_ASSERT(h->length >= 8, "event of length %u", h->length);
			off += h->length;
		}
	}
	kmscap_t_fail("no flip-done event for frame %llu within 3 s", (unsigned long long)seq);
}

static int kmscap_ring_client(uint32_t id, uint32_t flags, uint64_t hold_ns)
{
	struct kmscap_attach at = { .display_id = id, .queue_depth = DEPTH,
				    .hold_timeout_ns = hold_ns,
				    .flags = KMSCAP_ATTACH_FRAME_RING | flags };
	int cl = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC | O_NONBLOCK), r;

	KT_ASSERT(cl >= 0, "open %s: %s", KMSCAP_T_CTL, strerror(errno));
	r = kmscap_t_ioctl(cl, KMSCAP_IOC_ATTACH, &at);
	KT_ASSERT(!r, "ATTACH with KMSCAP_ATTACH_FRAME_RING: %s", kmscap_t_errname(r));
	return cl;
}

/* Case 1. */
static volatile struct kmscap_frame_ring *kmscap_case_map(uint32_t id, int *clp)
{
	size_t size = KMSCAP_RING_SIZE(DEPTH);
	struct kmscap_attach at = { .display_id = id,
				    .flags = KMSCAP_ATTACH_FRAME_RING | KMSCAP_ATTACH_AUTO_RELEASE };
	volatile struct kmscap_frame_ring *r;
	unsigned int i;
	int cl, ret;
	void *p;

	cl = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	KT_ASSERT(cl >= 0, "open: %s", strerror(errno));
	p = kmscap_map(cl, size, PROT_READ | PROT_WRITE, MAP_SHARED, KMSCAP_RING_OFFSET);
	KT_ASSERT(!p && errno == ENODEV, "a ring mapping before ATTACH: %s, expected ENODEV",
		  p ? "mapped" : strerror(errno));
	ret = kmscap_t_ioctl(cl, KMSCAP_IOC_ATTACH, &at);
	KT_ASSERT(ret == -EINVAL, "ATTACH with FRAME_RING | AUTO_RELEASE: %s, expected EINVAL",
		  kmscap_t_errname(ret));
	close(cl);

	cl = kmscap_ring_client(id, KMSCAP_ATTACH_FRAMED | KMSCAP_ATTACH_FLIP_DONE, 2000000000ull);
	p = kmscap_map(cl, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, KMSCAP_RING_OFFSET);
	KT_ASSERT(!p && errno == EINVAL, "a private ring mapping: %s, expected EINVAL",
		  p ? "mapped" : strerror(errno));
	p = kmscap_map(cl, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED,
		       KMSCAP_RING_OFFSET);
	KT_ASSERT(!p && errno == EPERM, "an executable ring mapping: %s, expected EPERM",
		  p ? "mapped" : strerror(errno));
	p = kmscap_map(cl, size + (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED,
		       KMSCAP_RING_OFFSET);
	KT_ASSERT(!p && errno == EINVAL, "a ring mapping a page too long: %s, expected EINVAL",
		  p ? "mapped" : strerror(errno));
	p = kmscap_map(cl, size, PROT_READ | PROT_WRITE, MAP_SHARED, KMSCAP_RING_OFFSET);
	KT_ASSERT(p, "mmap of the ring: %s", strerror(errno));
	r = p;
	KT_ASSERT(r->slots == DEPTH && r->slot_size == sizeof(struct kmscap_ring_slot) &&
		  r->slot_offset == sizeof(struct kmscap_frame_ring) && !r->published && !r->pad,
		  "ring header: slots %u slot_size %u slot_offset %u published %llu pad %u",
		  r->slots, r->slot_size, r->slot_offset, (unsigned long long)r->published,
		  r->pad);
	for (i = 0; i < DEPTH; i++)
		KT_ASSERT(!kmscap_state(kmscap_slot(r, i)), "slot %u of a new ring: state 0x%x", i,
			  kmscap_state(kmscap_slot(r, i)));
	kmscap_t_log("1: attach and mapping rules: ok");
	*clp = cl;
	return r;
}

int main(void)
{
	struct kmscap_client_stats st, st0;
	volatile struct kmscap_frame_ring *r;
	const volatile struct kmscap_client_status *status;
	struct kmscap_display_create c;
	drmModeClip clip = { 0, 0, 16, 16 };
	uint64_t seq, published;
	uint32_t old, revokes, flags;
	uint64_t wait_ns;
	unsigned int i;
	int ctl, cl, cl2, ret;
	vslot *s, *s2;

	kmscap_t_init("frame_ring", 120);
	page = sysconf(_SC_PAGESIZE);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_require_cap(ctl, KMSCAP_CAP_FRAME_RING, "KMSCAP_CAP_FRAME_RING");

	kmscap_t_display_up(ctl, 640, 480, &c, &k, b, 2, 1);

	/* 1 */
	r = kmscap_case_map(c.id, &cl);
	status = kmscap_map(cl, (size_t)page, PROT_READ, MAP_SHARED, 0);
	KT_ASSERT(status, "mmap of the status page: %s", strerror(errno));

	/* 2: one frame, taken and given back */
	KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 3000), 0, "flip to buffer 0");
	KT_ASSERT(kmscap_t_readable(cl, 3000), "no POLLIN within 3 s of a flip");
	KT_ASSERT(r->published == 1, "published %llu after one flip",
		  (unsigned long long)r->published);
	KT_ASSERT(kmscap_count(r, KMSCAP_SLOT_READY) == 1, "%u READY slots after one flip",
		  kmscap_count(r, KMSCAP_SLOT_READY));
	s = kmscap_take_or_die(cl, r, "2");
	/* read() gives the flip-done event, never the frame (it fails on one) */
	kmscap_flip_done_wait(cl, s->ev.seq, NULL);
	KT_ASSERT((s->ev.flags & KMSCAP_FRAME_FIRST) && s->ev.buffer_id && s->ev.width == 640 &&
		  s->ev.display_id == c.id, "first frame: flags 0x%x buffer %u width %u display %u",
		  s->ev.flags, s->ev.buffer_id, s->ev.width, s->ev.display_id);
	st = kmscap_stats_or_die(cl, "2, taken");
	KT_ASSERT(st.held == 1 && !st.queued && st.flips == 1, "taken: held %llu queued %llu",
		  (unsigned long long)st.held, (unsigned long long)st.queued);
	KT_ASSERT(!kmscap_t_readable(cl, 0), "POLLIN with the only frame taken");
	seq = s->ev.seq;
	KT_ASSERT(kmscap_framering_swap(s, KMSCAP_SLOT_HELD, KMSCAP_SLOT_DONE, &old) &&
		  !(old & KMSCAP_SLOT_WANTED), "giving back: state 0x%x", old);
	st = kmscap_stats_or_die(cl, "2, given back");
	KT_ASSERT(st.delivered == 1 && !st.held, "given back: delivered %llu held %llu",
		  (unsigned long long)st.delivered, (unsigned long long)st.held);
	KT_EXPECT_RET(kmscap_t_release(cl, seq), -ENOENT, "RELEASE of a frame given back");
	kmscap_t_log("2: frame %llu taken and given back: ok", (unsigned long long)seq);

	/* 3: given back before the next flip: no wait */
	KT_EXPECT_RET(kmscap_t_flip(&k, b[1].fb_id, 3000), 0, "flip to buffer 1");
	s = kmscap_take_or_die(cl, r, "3");
	seq = s->ev.seq;
	KT_ASSERT(!(kmscap_flip_done_wait(cl, seq, NULL) & KMSCAP_FLIP_DONE_WAITED),
		  "the flip to buffer 1 waited, though frame 1 was given back");
	KT_ASSERT(kmscap_framering_swap(s, KMSCAP_SLOT_HELD, KMSCAP_SLOT_DONE, &old) &&
		  !(old & KMSCAP_SLOT_WANTED), "giving back: state 0x%x", old);
	KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 3000), 0, "flip to buffer 0");
	KT_ASSERT(!(kmscap_flip_done_wait(cl, seq + 1, NULL) & KMSCAP_FLIP_DONE_WAITED),
		  "a flip waited for a frame given back before it");
	kmscap_t_log("3: no wait for a frame given back: ok");

	/* 4: held when the next flip takes its buffer */
	s = kmscap_take_or_die(cl, r, "4");
	seq = s->ev.seq;
	ret = kmscap_t_page_flip(&k, b[1].fb_id);
	KT_ASSERT(!ret, "flip to buffer 1: %s", kmscap_t_errname(ret));
	/* its frame is in the ring once poll() says so, the slot marked in the same step */
	KT_ASSERT(kmscap_t_readable(cl, 3000), "no POLLIN for the flip to buffer 1");
	KT_ASSERT(kmscap_state(s) & KMSCAP_SLOT_WANTED, "the flip waits, but slot of %llu is 0x%x",
		  (unsigned long long)seq, kmscap_state(s));
	{
		struct pollfd p = { .fd = k.fd, .events = POLLIN };

		KT_ASSERT(poll(&p, 1, 0) == 0,
			  "the flip completed before the frame it waits for was given back");
	}
	KT_ASSERT(kmscap_framering_swap(s, KMSCAP_SLOT_HELD, KMSCAP_SLOT_DONE, &old) &&
		  (old & KMSCAP_SLOT_WANTED), "giving back: state 0x%x", old);
	KT_EXPECT_RET(kmscap_t_release(cl, 0), 0, "RELEASE with seq 0");
	ret = kmscap_t_wait_flip(&k, 3000);
	KT_ASSERT(!ret, "the waiting flip: %s after the frame was given back",
		  kmscap_t_errname(ret));
	KT_ASSERT(kmscap_flip_done_wait(cl, seq + 1, NULL) & KMSCAP_FLIP_DONE_WAITED,
		  "the flip-done event of the waiting flip does not say WAITED");
	st = kmscap_stats_or_die(cl, "4");
	KT_ASSERT(!st.dropped_timeout && st.max_hold_wait_ns, "4: dropped_timeout %llu, "
		  "max_hold_wait_ns %llu", (unsigned long long)st.dropped_timeout,
		  (unsigned long long)st.max_hold_wait_ns);
	kmscap_t_log("4: WANTED, given back, RELEASE 0, then the flip: ok");

	/* 4b: the same without RELEASE 0: the module looks again every refresh */
	s = kmscap_take_or_die(cl, r, "4b");
	seq = s->ev.seq;
	ret = kmscap_t_page_flip(&k, b[0].fb_id);
	KT_ASSERT(!ret, "flip to buffer 0: %s", kmscap_t_errname(ret));
	KT_ASSERT(kmscap_t_readable(cl, 3000), "no POLLIN for the flip to buffer 0");
	KT_ASSERT(kmscap_framering_swap(s, KMSCAP_SLOT_HELD, KMSCAP_SLOT_DONE, &old) &&
		  (old & KMSCAP_SLOT_WANTED), "4b: giving back: state 0x%x", old);
	ret = kmscap_t_wait_flip(&k, 5000);
	KT_ASSERT(!ret, "4b: the waiting flip: %s", kmscap_t_errname(ret));
	flags = kmscap_flip_done_wait(cl, seq + 1, &wait_ns);
	/* ended by the give-back, before the 2 s hold timeout would have ended it */
	KT_ASSERT((flags & KMSCAP_FLIP_DONE_WAITED) && wait_ns < 2000000000ull,
		  "4b: flip-done flags 0x%x, waited %llu ns (hold timeout 2 s)", flags,
		  (unsigned long long)wait_ns);
	st = kmscap_stats_or_die(cl, "4b");
	KT_ASSERT(!st.dropped_timeout, "4b: dropped_timeout %llu",
		  (unsigned long long)st.dropped_timeout);
	kmscap_t_log("4b: given back without RELEASE 0: the flip waited %llu us: ok",
		     (unsigned long long)(wait_ns / 1000));

	/* 5: DIRTYFB revokes a held frame */
	s = kmscap_take_or_die(cl, r, "5");
	seq = s->ev.seq;
	revokes = status->revokes;
	ret = drmModeDirtyFB(k.fd, b[0].fb_id, &clip, 1);
	KT_ASSERT(!ret, "drmModeDirtyFB: %s", strerror(errno));
	KT_ASSERT((kmscap_state(s) & KMSCAP_SLOT_STATE) == KMSCAP_SLOT_REVOKED,
		  "after DIRTYFB the held slot is 0x%x", kmscap_state(s));
	KT_ASSERT(status->revokes == revokes + 1 &&
		  status->revoked_seq[revokes % KMSCAP_STATUS_REVOKED] == seq,
		  "the status page did not note the revocation of %llu", (unsigned long long)seq);
	KT_EXPECT_RET(kmscap_t_release(cl, seq), -ESTALE, "RELEASE of a REVOKED frame");
	KT_ASSERT(kmscap_state(s) == KMSCAP_SLOT_DONE, "after RELEASE the slot is 0x%x",
		  kmscap_state(s));
	/* the DIRTYFB frame itself, taken and given back by RELEASE */
	s = kmscap_take_or_die(cl, r, "5, DIRTYFB frame");
	KT_EXPECT_RET(kmscap_t_release(cl, s->ev.seq), 0, "RELEASE of a HELD frame");
	st = kmscap_stats_or_die(cl, "5");
	KT_ASSERT(st.dropped_timeout == 1 && !st.revoked_unreleased && !st.held,
		  "5: dropped_timeout %llu revoked_unreleased %llu held %llu",
		  (unsigned long long)st.dropped_timeout,
		  (unsigned long long)st.revoked_unreleased, (unsigned long long)st.held);
	kmscap_t_log("5: DIRTYFB revoked the held frame, RELEASE said ESTALE: ok");

	/* 6: full ring: the same buffer every time, so that no flip waits */
	st0 = kmscap_stats_or_die(cl, "6, before");
	{
		/* the first frame changes the gamma LUT, and is dropped unread */
		struct drm_color_lut lut[KMSCAP_GAMMA_SIZE];

		for (i = 0; i < KMSCAP_GAMMA_SIZE; i++)
			lut[i] = (struct drm_color_lut){ .red = (uint16_t)(i * 200),
							 .green = (uint16_t)(i * 256),
							 .blue = (uint16_t)(i * 256) };
		KT_EXPECT_RET(kmscap_t_gamma_commit(&k, &b[1], lut, sizeof(lut), 0), 0,
			      "gamma commit, unread");
	}
	for (i = 1; i < DEPTH + 2; i++)
		KT_EXPECT_RET(kmscap_t_flip(&k, b[1].fb_id, 3000), 0, "flip, unread");
	st = kmscap_stats_or_die(cl, "6, unread");
	KT_ASSERT(st.dropped_queue == st0.dropped_queue + 2 && st.queued == DEPTH,
		  "6 flips into 4 slots: dropped_queue +%llu queued %llu",
		  (unsigned long long)(st.dropped_queue - st0.dropped_queue),
		  (unsigned long long)st.queued);
	seq = 0;
	flags = 0;
	for (i = 0; i < DEPTH; i++) {
		s = kmscap_slot(r, i);
		KT_ASSERT(kmscap_framering_swap(s, KMSCAP_SLOT_READY, KMSCAP_SLOT_HELD, &old),
			  "slot %u of a full ring: 0x%x", i, old);
		flags |= s->ev.flags;
		/* each frame written after a drop tells it, with full damage */
		KT_ASSERT(!s->ev.dropped || (s->ev.flags & KMSCAP_FRAME_FULL_DAMAGE),
			  "a frame after %llu lost: flags 0x%x", (unsigned long long)s->ev.dropped,
			  s->ev.flags);
		seq += s->ev.dropped;
	}
	KT_ASSERT(seq == 2, "the frames kept tell %llu lost, 2 were", (unsigned long long)seq);
	KT_ASSERT(flags & KMSCAP_FRAME_GAMMA_CHANGED, "the gamma change of a frame dropped "
		  "unread is on no frame kept");
	published = r->published;
	KT_EXPECT_RET(kmscap_t_flip(&k, b[1].fb_id, 3000), 0, "flip, every slot held");
	st = kmscap_stats_or_die(cl, "6, all held");
	KT_ASSERT(r->published == published && st.dropped_queue == st0.dropped_queue + 3 &&
		  st.held == DEPTH, "a flip with every slot held: published %llu (was %llu), "
		  "dropped_queue +%llu held %llu", (unsigned long long)r->published,
		  (unsigned long long)published,
		  (unsigned long long)(st.dropped_queue - st0.dropped_queue),
		  (unsigned long long)st.held);
	for (i = 0; i < DEPTH; i++)
		KT_ASSERT(kmscap_framering_swap(kmscap_slot(r, i), KMSCAP_SLOT_HELD, KMSCAP_SLOT_DONE, &old),
			  "giving back slot %u: 0x%x", i, old);
	kmscap_t_log("6: full ring: oldest READY dropped, then the new frame: ok");

	/* 7: hostile writes, and a frame never given back */
	KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 3000), 0, "flip to buffer 0");
	KT_ASSERT(kmscap_t_readable(cl, 3000), "no POLLIN");
	s = kmscap_newest_ready(r);
	KT_ASSERT(s, "no READY slot");
	published = r->published;
	r->published = 0;
	__atomic_store_n(&s->state, 0x7f, __ATOMIC_SEQ_CST);
	st = kmscap_stats_or_die(cl, "7, unknown state");
	r->slots = 1000;
	KT_ASSERT(st.held == 1 && !st.queued, "an unknown state: held %llu queued %llu",
		  (unsigned long long)st.held, (unsigned long long)st.queued);
	st0 = st;
	/* the flip takes buffer 0, held: it waits for the 2 s timeout */
	ret = kmscap_t_flip(&k, b[1].fb_id, 5000);
	KT_ASSERT(!ret, "the flip after a frame never given back: %s", kmscap_t_errname(ret));
	KT_ASSERT((kmscap_state(s) & KMSCAP_SLOT_STATE) == KMSCAP_SLOT_REVOKED,
		  "a frame never given back: slot 0x%x after the flip", kmscap_state(s));
	KT_ASSERT(r->published == published + 1 && r->slots == 1000,
		  "published %llu slots %u: the module read back what the client wrote",
		  (unsigned long long)r->published, r->slots);
	r->slots = DEPTH;
	KT_ASSERT(kmscap_framering_swap(s, KMSCAP_SLOT_REVOKED, KMSCAP_SLOT_DONE, &old), "0x%x", old);
	st = kmscap_stats_or_die(cl, "7, timeout");
	KT_ASSERT(st.dropped_timeout == st0.dropped_timeout + 1 && !st.revoked_unreleased,
		  "7: dropped_timeout +%llu revoked_unreleased %llu",
		  (unsigned long long)(st.dropped_timeout - st0.dropped_timeout),
		  (unsigned long long)st.revoked_unreleased);
	kmscap_t_log("7: hostile writes ignored, timeout revoked: ok");

	/* 8: DESTROY with one frame held and one READY; a second client's ring too */
	cl2 = kmscap_ring_client(c.id, 0, 2000000000ull);
	s = kmscap_take_or_die(cl, r, "8");
	KT_EXPECT_RET(kmscap_t_flip(&k, b[1].fb_id, 3000), 0, "flip, unread");
	KT_ASSERT(kmscap_t_readable(cl, 3000), "no POLLIN");
	s2 = kmscap_newest_ready(r);
	KT_ASSERT(s2 && s2 != s, "no second frame in the ring");
	{
		volatile struct kmscap_frame_ring *r2 = kmscap_map(cl2, KMSCAP_RING_SIZE(DEPTH),
							     PROT_READ | PROT_WRITE, MAP_SHARED,
							     KMSCAP_RING_OFFSET);

		KT_ASSERT(r2 && r2 != r, "mmap of a second client's ring: %s", strerror(errno));
		KT_ASSERT(r2->published == 1, "second client: published %llu",
			  (unsigned long long)r2->published);
		close(cl2);
		KT_ASSERT(!munmap((void *)r2, KMSCAP_RING_SIZE(DEPTH)), "munmap: %s",
			  strerror(errno));
	}
	kmscap_t_display_down(ctl, &c, &k, b, 2);
	KT_ASSERT((kmscap_state(s) & KMSCAP_SLOT_STATE) == KMSCAP_SLOT_REVOKED &&
		  kmscap_state(s2) == KMSCAP_SLOT_EMPTY,
		  "after DESTROY: held slot 0x%x, READY slot 0x%x", kmscap_state(s),
		  kmscap_state(s2));
	{
		struct pollfd p = { .fd = cl, .events = POLLIN };

		KT_ASSERT(poll(&p, 1, 3000) == 1 && (p.revents & POLLHUP),
			  "no POLLHUP after DESTROY");
	}
	close(cl);
	KT_ASSERT((kmscap_state(s) & KMSCAP_SLOT_STATE) == KMSCAP_SLOT_REVOKED,
		  "the ring changed after close");
	KT_ASSERT(!munmap((void *)r, KMSCAP_RING_SIZE(DEPTH)), "munmap: %s", strerror(errno));
	KT_ASSERT(!munmap((void *)status, (size_t)page), "munmap: %s", strerror(errno));
	close(ctl);
	kmscap_t_pass("frame ring: mapping rules, take and give back without a call, no wait "
		      "when given back in time, WANTED + RELEASE 0 before the flip, DIRTYFB and "
		      "timeout revocations, full ring drops, hostile writes, DESTROY");
}
