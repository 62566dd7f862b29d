// SPDX-License-Identifier: MIT
/*
 * auto_release: KMSCAP_ATTACH_AUTO_RELEASE (ABI 1.3), one system call per
 * frame.  Beside it, a client attached without the flag, on the same
 * display, sees the 1.2 behaviour: its reads release nothing.
 *  - VERSION reports KMSCAP_CAP_AUTO_RELEASE and minor >= 3; unknown
 *    ATTACH flag bits are still EINVAL.
 *  - A read that returns a frame releases the frame read before (stats:
 *    delivered +1, held stays 1), and the flip that waited for that frame's
 *    buffer completes because of the read, not the hold timeout (10 s;
 *    dropped_timeout stays 0).  The DMA-BUF exported while it was held
 *    still maps the buffer's pixels after the release.
 *  - A non-blocking read that returns nothing (EAGAIN) releases nothing.
 *  - A read that returns two frames holds both; the next read releases
 *    both.  RELEASE still works (and says ENOENT for a frame a read
 *    already released).
 *  - A revoked hold (DIRTYFB on its buffer) is forgotten by the next
 *    read: revoked_unreleased back to 0, counted once as dropped_timeout.
 */
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 320
#define H 240
#define SEED 0x5eed1234u
#define HOLD_NS KMSCAP_MAX_HOLD_NS

static int kmscap_client(uint32_t id, uint32_t flags)
{
	struct kmscap_attach at = { .display_id = id, .flags = flags, .queue_depth = 8,
				    .hold_timeout_ns = HOLD_NS };
	int fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	int r;

	KT_ASSERT(fd >= 0, "open %s: %s", KMSCAP_T_CTL, strerror(errno));
	r = kmscap_t_ioctl(fd, KMSCAP_IOC_ATTACH, &at);
	KT_ASSERT(!r, "ATTACH display %u flags 0x%x: %s", id, flags, kmscap_t_errname(r));
	return fd;
}

/* One frame event, waiting up to 10 s. */
static struct kmscap_event kmscap_read_frame(int fd, const char *who)
{
	struct kmscap_event ev;
	int r = kmscap_t_read_event(fd, &ev, 10000);

	KT_ASSERT(r == 1 && ev.type == KMSCAP_EVENT_FRAME, "%s: read: %d (%s) type %u", who, r,
		  r < 0 ? kmscap_t_errname(r) : "no event in 10 s", r == 1 ? ev.type : 0);
	return ev;
}

/* The client's stats, checked for the identity, against the expected counts. */
static void kmscap_expect(int fd, const char *what, uint64_t delivered, uint64_t held,
			  uint64_t queued, uint64_t dropped_timeout, uint64_t revoked_unreleased)
{
	struct kmscap_client_stats st;

	KT_EXPECT_RET(kmscap_t_stats(fd, &st), 0, "STATS");
	kmscap_t_stats_check(&st, what);
	if (st.delivered != delivered || st.held != held || st.queued != queued ||
	    st.dropped_timeout != dropped_timeout || st.revoked_unreleased != revoked_unreleased ||
	    st.dropped_queue) {
		kmscap_t_stats_print(&st, what);
		kmscap_t_fail("%s: want delivered %llu held %llu queued %llu dropped_timeout %llu "
			      "revoked_unreleased %llu dropped_queue 0", what,
			      (unsigned long long)delivered, (unsigned long long)held,
			      (unsigned long long)queued, (unsigned long long)dropped_timeout,
			      (unsigned long long)revoked_unreleased);
	}
}

static void kmscap_check_version_and_flags(int ctl, uint32_t id)
{
	struct kmscap_attach at = { .display_id = id };
	struct kmscap_version v;
	int fd, r;

	KT_EXPECT_RET(kmscap_t_version(ctl, &v), 0, "VERSION");
	KT_ASSERT((v.caps & KMSCAP_CAP_AUTO_RELEASE) && v.major == 1 && v.minor >= 3,
		  "VERSION: %u.%u caps 0x%llx: want 1.3+ with KMSCAP_CAP_AUTO_RELEASE", v.major,
		  v.minor, (unsigned long long)v.caps);
	fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	KT_ASSERT(fd >= 0, "open %s: %s", KMSCAP_T_CTL, strerror(errno));
	at.flags = KMSCAP_ATTACH_AUTO_RELEASE | (1U << 4);
	r = kmscap_t_ioctl(fd, KMSCAP_IOC_ATTACH, &at);
	KT_ASSERT(r == -EINVAL, "ATTACH flags 0x%x: %s, want EINVAL", at.flags,
		  kmscap_t_errname(r));
	at.flags = KMSCAP_ATTACH_AUTO_RELEASE | (1U << 31);
	r = kmscap_t_ioctl(fd, KMSCAP_IOC_ATTACH, &at);
	KT_ASSERT(r == -EINVAL, "ATTACH flags 0x%x: %s, want EINVAL", at.flags,
		  kmscap_t_errname(r));
	/* Refused calls leave the fd unattached: a valid one still works. */
	at.flags = KMSCAP_ATTACH_AUTO_RELEASE | KMSCAP_ATTACH_FRAMED | KMSCAP_ATTACH_CURRENT_FRAME;
	r = kmscap_t_ioctl(fd, KMSCAP_IOC_ATTACH, &at);
	KT_ASSERT(!r, "ATTACH flags 0x%x: %s", at.flags, kmscap_t_errname(r));
	close(fd);
}

/* The DMA-BUF mapped in @maps (exported while its frame was held) shows what was drawn. */
static void kmscap_verify_export(struct kmscap_t_maps *maps, uint32_t buffer_id, uint32_t pitch)
{
	struct kmscap_t_map *m = kmscap_t_maps_get(maps, buffer_id);
	uint32_t bx = 0, by = 0;
	uint64_t bad;

	kmscap_t_dmabuf_sync(m->fd, true);
	bad = kmscap_t_verify(m->ptr, pitch, W, H, SEED, &bx, &by);
	kmscap_t_dmabuf_sync(m->fd, false);
	KT_ASSERT(!bad, "buffer %u after its frame was released: %llu of %u pixels differ, "
		  "first at (%u,%u)", buffer_id, (unsigned long long)bad, W * H, bx, by);
}

int main(void)
{
	struct kmscap_event two[2], e1, e2, ev;
	struct kmscap_client_stats st;
	struct kmscap_display_create c;
	struct kmscap_t_maps maps;
	struct kmscap_t_buf a, b;
	struct kmscap_t_kms k;
	int ctl, ar, plain, r;
	uint64_t s5;
	ssize_t n;

	kmscap_t_init("auto_release", 120);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_check_version_and_flags(ctl, c.id);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &a);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &b);
	kmscap_t_fill(a.map, a.pitch, W, H, SEED);
	r = kmscap_t_modeset(&k, b.fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", c.card_minor, kmscap_t_errname(r));
	ar = kmscap_client(c.id, KMSCAP_ATTACH_AUTO_RELEASE);
	plain = kmscap_client(c.id, 0);

	/* s1 shows a; both read it, only the plain client releases it. */
	KT_EXPECT_RET(kmscap_t_flip(&k, a.fb_id, 10000), 0, "flip to a");
	e1 = kmscap_read_frame(ar, "auto-release client");
	ev = kmscap_read_frame(plain, "plain client");
	KT_ASSERT(ev.seq == e1.seq, "the clients read other frames");
	KT_EXPECT_RET(kmscap_t_release(plain, e1.seq), 0, "plain client: RELEASE s1");
	kmscap_expect(ar, "auto-release client after reading s1", 0, 1, 0, 0, 0);
	kmscap_t_maps_init(&maps, ar);
	kmscap_t_maps_get(&maps, e1.buffer_id);		/* exported while s1 is held */

	/*
	 * The flip to b waits for a, pinned by s1 (for up to 10 s); reading
	 * s2 releases s1 and the flip completes: by the read, as s1 was
	 * delivered and not revoked.
	 */
	KT_EXPECT_RET(kmscap_t_page_flip(&k, b.fb_id), 0, "flip to b");
	e2 = kmscap_read_frame(ar, "auto-release client");
	KT_ASSERT(e2.seq == e1.seq + 1, "auto-release client read seq %llu after %llu",
		  (unsigned long long)e2.seq, (unsigned long long)e1.seq);
	KT_EXPECT_RET(kmscap_t_wait_flip(&k, 20000), 0, "flip to b done");
	kmscap_expect(ar, "auto-release client after reading s2", 1, 1, 0, 0, 0);
	KT_EXPECT_RET(kmscap_t_release(ar, e1.seq), -ENOENT, "RELEASE of s1, released by a read");
	kmscap_verify_export(&maps, e1.buffer_id, e1.pitches[0]);
	kmscap_t_maps_fini(&maps);
	ev = kmscap_read_frame(plain, "plain client");
	KT_ASSERT(ev.seq == e2.seq, "plain client: not s2");
	kmscap_expect(plain, "plain client after reading s2 (not released)", 1, 1, 0, 0, 0);

	/* A read that returns nothing releases nothing. */
	r = fcntl(ar, F_SETFL, fcntl(ar, F_GETFL) | O_NONBLOCK);
	KT_ASSERT(!r, "fcntl O_NONBLOCK: %s", strerror(errno));
	n = read(ar, two, sizeof(two));
	KT_ASSERT(n < 0 && errno == EAGAIN, "non-blocking read with nothing queued: %zd (%s)", n,
		  n < 0 ? strerror(errno) : "data");
	kmscap_expect(ar, "auto-release client after EAGAIN", 1, 1, 0, 0, 0);
	r = fcntl(ar, F_SETFL, fcntl(ar, F_GETFL) & ~O_NONBLOCK);
	KT_ASSERT(!r, "fcntl: %s", strerror(errno));

	/* Two frames in one read (b stays on screen: no flip waits); both held. */
	KT_EXPECT_RET(kmscap_t_flip(&k, b.fb_id, 10000), 0, "flip to b again (s3)");
	KT_EXPECT_RET(kmscap_t_flip(&k, b.fb_id, 10000), 0, "flip to b again (s4)");
	n = read(ar, two, sizeof(two));
	KT_ASSERT(n == (ssize_t)sizeof(two) && two[0].seq == e2.seq + 1 &&
		  two[1].seq == e2.seq + 2, "read of two events: %zd bytes, seqs %llu %llu", n,
		  (unsigned long long)two[0].seq, (unsigned long long)two[1].seq);
	kmscap_expect(ar, "auto-release client after reading s3 and s4", 2, 2, 0, 0, 0);
	KT_EXPECT_RET(kmscap_t_flip(&k, b.fb_id, 10000), 0, "flip to b again (s5)");
	s5 = kmscap_read_frame(ar, "auto-release client").seq;
	kmscap_expect(ar, "auto-release client after reading s5", 4, 1, 0, 0, 0);

	/* RELEASE still works; the next read then has nothing more to release. */
	KT_EXPECT_RET(kmscap_t_release(ar, s5), 0, "auto-release client: RELEASE s5");
	KT_EXPECT_RET(kmscap_t_release(ar, s5 - 1), -ENOENT, "RELEASE of s4, released by a read");
	kmscap_expect(ar, "auto-release client after RELEASE of s5", 5, 0, 0, 0, 0);
	KT_EXPECT_RET(kmscap_t_flip(&k, b.fb_id, 10000), 0, "flip to b again (s6)");
	kmscap_read_frame(ar, "auto-release client");
	kmscap_expect(ar, "auto-release client after reading s6", 5, 1, 0, 0, 0);

	/* The plain client's reads released nothing: s2 is still held. */
	KT_ASSERT(kmscap_t_drain(plain, 0) == 4, "plain client: not s3..s6 queued");
	kmscap_expect(plain, "plain client after draining s3..s6", 5, 1, 0, 0, 0);
	KT_EXPECT_RET(kmscap_t_release(plain, e2.seq), 0, "plain client: RELEASE s2");

	/* A revoked hold (b redrawn in place) is forgotten by the next read. */
	KT_EXPECT_RET(drmModeDirtyFB(k.fd, b.fb_id, NULL, 0) ? -errno : 0, 0, "DIRTYFB of b");
	KT_EXPECT_RET(kmscap_t_stats(ar, &st), 0, "STATS");
	KT_ASSERT(st.revoked_unreleased == 1 && st.dropped_timeout == 1 && !st.held,
		  "auto-release client after DIRTYFB of the buffer of its frame: "
		  "revoked_unreleased %llu dropped_timeout %llu held %llu, want 1 1 0",
		  (unsigned long long)st.revoked_unreleased,
		  (unsigned long long)st.dropped_timeout, (unsigned long long)st.held);
	/* b stays on screen: no flip waits, whatever DIRTYFB's own commit queued. */
	KT_EXPECT_RET(kmscap_t_flip(&k, b.fb_id, 10000), 0, "flip to b again (s7)");
	kmscap_read_frame(ar, "auto-release client");
	KT_EXPECT_RET(kmscap_t_stats(ar, &st), 0, "STATS");
	kmscap_t_stats_check(&st, "auto-release client after DIRTYFB and a read");
	KT_ASSERT(!st.revoked_unreleased && st.dropped_timeout == 1 && st.delivered == 5 &&
		  st.held == 1, "after a read following the revoke: revoked_unreleased %llu "
		  "dropped_timeout %llu delivered %llu held %llu, want 0 1 5 1",
		  (unsigned long long)st.revoked_unreleased,
		  (unsigned long long)st.dropped_timeout, (unsigned long long)st.delivered,
		  (unsigned long long)st.held);

	close(plain);
	close(ar);
	kmscap_t_buf_destroy(&a);
	kmscap_t_buf_destroy(&b);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	kmscap_t_pass("a read returning frames releases the frames read before it (the waiting "
		      "flip completes by it), nothing else does; a plain client's reads release "
		      "nothing");
	return 0;
}
