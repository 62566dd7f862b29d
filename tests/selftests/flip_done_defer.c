// SPDX-License-Identifier: MIT
/*
 * flip_done_defer: KMSCAP_ATTACH_FLIP_DONE_DEFER (ABI 1.5,
 * KMSCAP_CAP_FLIP_DONE_DEFER): a client's flip-done events wake nobody on
 * their own.
 *  - the flag without KMSCAP_ATTACH_FLIP_DONE is EINVAL;
 *  - a flip held up by a client's hold, whose frame the deferring client
 *    read: when it completes, a client attached without the flag polls
 *    readable and reads the flip-done event, the deferring client does
 *    not poll readable; a non-blocking read() gives it the flip-done
 *    event all the same;
 *  - a flip whose frame was read before it completed: its flip-done
 *    event comes in the read of the next frame, first;
 *  - a blocking read() returns with a frame, bringing the flip-done
 *    events pending along: one read per frame, each read a frame.
 */
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "kmscap_test.h"

#define LONG_HOLD_NS 10000000000ull

static struct kmscap_t_kms k;

static int kmscap_client(uint32_t id, uint32_t flags)
{
	struct kmscap_attach at = { .display_id = id, .flags = flags,
				    .hold_timeout_ns = LONG_HOLD_NS };
	int fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC), r;

	KT_ASSERT(fd >= 0, "open %s: %s", KMSCAP_T_CTL, strerror(errno));
	r = kmscap_t_ioctl(fd, KMSCAP_IOC_ATTACH, &at);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

static uint64_t last_seq;

/*
 * One read(): the types of its events in @types (count returned); the
 * last frame's seq in last_seq, frames released when @release.
 */
static int kmscap_read_types(int fd, int flags, uint32_t *types, int max, const char *what,
			     bool release)
{
	uint8_t buf[4096];
	ssize_t got;
	size_t off = 0;
	int n = 0;

	if (flags & O_NONBLOCK)
		KT_ASSERT(!fcntl(fd, F_SETFL, O_NONBLOCK), "O_NONBLOCK: %s", strerror(errno));
	got = read(fd, buf, sizeof(buf));
	if (flags & O_NONBLOCK)
		KT_ASSERT(!fcntl(fd, F_SETFL, 0), "O_NONBLOCK off: %s", strerror(errno));
	if (got < 0 && (flags & O_NONBLOCK) && errno == EAGAIN)
		return 0;
	KT_ASSERT(got > 0, "%s: read: %zd (%s)", what, got, got < 0 ? strerror(errno) : "eof");
	while (off < (size_t)got) {
		const struct kmscap_event_header *h = (const void *)(buf + off);

		KT_ASSERT(h->length >= 8 && off + h->length <= (size_t)got && n < max,
			  "%s: event at %zu of %zd, length %u", what, off, got, h->length);
		types[n++] = h->type;
		if (h->type == KMSCAP_EVENT_FRAME)
			last_seq = ((const struct kmscap_event_frame *)h)->seq;
		if (h->type == KMSCAP_EVENT_FRAME && release)
			KT_EXPECT_RET(kmscap_t_release(fd, last_seq), 0, "RELEASE");
		off += h->length;
	}
	return n;
}

int main(void)
{
	const uint32_t flags = KMSCAP_ATTACH_FRAMED | KMSCAP_ATTACH_FLIP_DONE;
	struct kmscap_display_create c;
	struct kmscap_version ver;
	struct kmscap_t_buf b[2];
	uint32_t types[16];
	int ctl, fd, plain, r, n, i;
	uint64_t held;

	kmscap_t_init("flip_done_defer", 60);
	ctl = kmscap_t_open_ctl_or_skip();
	r = kmscap_t_version(ctl, &ver);
	KT_ASSERT(!r && (ver.caps & KMSCAP_CAP_FLIP_DONE_DEFER), "VERSION %s, caps 0x%llx: no "
		  "KMSCAP_CAP_FLIP_DONE_DEFER", kmscap_t_errname(r), (unsigned long long)ver.caps);
	kmscap_t_display_up(ctl, 320, 240, &c, &k, b, 2, 1);

	KT_EXPECT_RET(kmscap_client(c.id, KMSCAP_ATTACH_FRAMED | KMSCAP_ATTACH_FLIP_DONE_DEFER),
		      -EINVAL, "ATTACH with FLIP_DONE_DEFER but not FLIP_DONE");
	fd = kmscap_client(c.id, flags | KMSCAP_ATTACH_FLIP_DONE_DEFER);
	KT_ASSERT(fd >= 0, "ATTACH with FLIP_DONE_DEFER: %s", kmscap_t_errname(fd));
	plain = kmscap_client(c.id, flags);
	KT_ASSERT(plain >= 0, "ATTACH (plain): %s", kmscap_t_errname(plain));

	/*
	 * Flip 1, which both read; the plain client holds it, so that flip 2
	 * waits: the deferring client reads frame 2 before flip 2 completes.
	 */
	KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 5000), 0, "flip 1");
	kmscap_read_types(fd, 0, types, 16, "deferring, flip 1", true);
	n = kmscap_read_types(plain, 0, types, 16, "plain, flip 1", false);
	KT_ASSERT(n == 2 && types[0] == KMSCAP_EVENT_FRAME, "plain, flip 1: %d events", n);
	held = last_seq;
	r = kmscap_t_page_flip(&k, b[1].fb_id);
	KT_ASSERT(!r, "flip 2: %s", kmscap_t_errname(r));
	n = kmscap_read_types(fd, 0, types, 16, "deferring, flip 2", true);
	KT_ASSERT(n == 1 && types[0] == KMSCAP_EVENT_FRAME, "deferring, flip 2 (waiting): %d "
		  "events, the first of type %u", n, types[0]);
	/* flip 2 completes once the plain client lets go */
	KT_EXPECT_RET(kmscap_t_release(plain, held), 0, "RELEASE (plain)");
	r = kmscap_t_wait_flip(&k, 5000);
	KT_ASSERT(!r, "flip 2 never completed: %s", kmscap_t_errname(r));
	KT_ASSERT(kmscap_t_readable(plain, 0), "plain client: flip 2 completed, not readable");
	n = kmscap_read_types(plain, 0, types, 16, "plain, flip 2", true);
	KT_ASSERT(n == 2 && types[1] == KMSCAP_EVENT_FLIP_DONE, "plain client, flip 2: %d "
		  "events, the second of type %u", n, n > 1 ? types[1] : 0);
	KT_ASSERT(!kmscap_t_readable(fd, 0), "deferring client polls readable with only a flip-done "
		  "event pending");
	n = kmscap_read_types(fd, O_NONBLOCK, types, 16, "deferring, non-blocking", true);
	KT_ASSERT(n == 1 && types[0] == KMSCAP_EVENT_FLIP_DONE, "deferring client, "
		  "non-blocking read: %d events, the first of type %u", n, n ? types[0] : 0);
	close(plain);
	kmscap_t_log("a pending flip-done wakes nobody, a non-blocking read takes it: ok");

	/* flip 3 completes: its flip-done waits for flip 4 and comes first */
	KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 5000), 0, "flip 3");
	n = kmscap_read_types(fd, 0, types, 16, "deferring, flip 3", true);
	KT_ASSERT(n == 2 && types[0] == KMSCAP_EVENT_FRAME && types[1] == KMSCAP_EVENT_FLIP_DONE,
		  "flip 3 (complete): %d events, types %u %u", n, types[0], n > 1 ? types[1] : 0);
	KT_ASSERT(!kmscap_t_readable(fd, 0), "readable after flip 3's events were read");
	r = kmscap_t_page_flip(&k, b[1].fb_id);
	KT_ASSERT(!r, "flip 4: %s", kmscap_t_errname(r));
	n = kmscap_read_types(fd, 0, types, 16, "deferring, flip 4", true);
	KT_ASSERT(n >= 1 && types[0] == KMSCAP_EVENT_FRAME, "flip 4: %d events, the first of "
		  "type %u", n, types[0]);
	r = kmscap_t_wait_flip(&k, 5000);
	KT_ASSERT(!r, "flip 4 never completed: %s", kmscap_t_errname(r));
	if (n == 1) {
		/* read before flip 4 completed: its flip-done comes with frame 5 */
		KT_ASSERT(!kmscap_t_readable(fd, 0), "readable with only flip-done 4 pending");
		KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 5000), 0, "flip 5");
		n = kmscap_read_types(fd, 0, types, 16, "deferring, flip 5", true);
		KT_ASSERT(n >= 2 && types[0] == KMSCAP_EVENT_FLIP_DONE &&
			  types[1] == KMSCAP_EVENT_FRAME, "flip 5: %d events, types %u %u: "
			  "expected flip-done 4, then frame 5", n, types[0], n > 1 ? types[1] : 0);
	}

	/* blocking reads: each returns with a frame */
	for (i = 0; i < 4; i++) {
		KT_EXPECT_RET(kmscap_t_flip(&k, b[(i + 1) % 2].fb_id, 5000), 0, "flip");
		n = kmscap_read_types(fd, 0, types, 16, "deferring, blocking", true);
		KT_ASSERT(n >= 1 && (types[0] == KMSCAP_EVENT_FRAME ||
				     (n > 1 && types[1] == KMSCAP_EVENT_FRAME)),
			  "blocking read %d: %d events, types %u %u: no frame", i, n, types[0],
			  n > 1 ? types[1] : 0);
	}
	kmscap_t_log("each read brings a frame, with the flip-done events pending: ok");

	close(fd);
	kmscap_t_display_down(ctl, &c, &k, b, 2);
	close(ctl);
	kmscap_t_pass("KMSCAP_ATTACH_FLIP_DONE_DEFER: flip-done events ride with frames");
}
