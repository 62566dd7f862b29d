// SPDX-License-Identifier: MIT
/*
 * backpressure: a flip that replaces a frame a client still holds waits for
 * the release or for the client's hold timeout T, never longer:
 *  - stalled client: each such flip takes >= 0.8 T and <= T + margin, for
 *    legacy page flips (flip event) and blocking atomic commits (ioctl);
 *  - a flip to the same buffer does not wait;
 *  - a client releasing after ~100 ms ends the wait early (no revocation);
 *  - hold_timeout 0 means one refresh period;
 *  - max_hold_wait_ns reports the wait.
 * Bounds are generous: qemu TCG is slow and noisy.
 */
#include <pthread.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 640
#define H 480
#define T_NS 600000000ull
#define MARGIN_NS 1500000000ull

static struct kmscap_t_kms k;
static struct kmscap_t_buf buf[2];
static uint32_t display_id;

static uint64_t kmscap_timed_flip(const struct kmscap_t_buf *b)
{
	uint64_t t0 = kmscap_t_now_ns();
	int r = kmscap_t_flip(&k, b->fb_id, 15000);

	KT_ASSERT(!r, "flip to fb %u: %s", b->fb_id, kmscap_t_errname(r));
	return kmscap_t_now_ns() - t0;
}

static uint64_t kmscap_timed_commit(const struct kmscap_t_buf *b)
{
	uint64_t t0 = kmscap_t_now_ns();
	int r = kmscap_t_atomic_flip(&k, b, NULL, 0, false);

	KT_ASSERT(!r, "blocking atomic commit of fb %u: %s", b->fb_id, kmscap_t_errname(r));
	return kmscap_t_now_ns() - t0;
}

static uint64_t kmscap_hold_one(int fd)
{
	struct kmscap_event ev;
	int r = kmscap_t_read_event(fd, &ev, 3000);

	KT_ASSERT(r == 1 && ev.type == KMSCAP_EVENT_FRAME, "no frame event (%s)",
		  kmscap_t_errname(r));
	return ev.seq;
}

static void kmscap_case_stalled(void)
{
	struct kmscap_client_stats st;
	uint64_t dt, t_first, held;
	int fd = kmscap_t_client_or_die(display_id, 0, T_NS), i;

	/* The client holds nothing yet: no wait beyond vblank. */
	t_first = kmscap_timed_flip(&buf[0]);
	kmscap_hold_one(fd);
	kmscap_t_log("first flip (nothing held): %llu ms", (unsigned long long)t_first / 1000000);
	KT_ASSERT(t_first < T_NS * 8 / 10, "flip with nothing held took %llu ms (T %llu ms)",
		  (unsigned long long)t_first / 1000000, T_NS / 1000000);
	for (i = 1; i <= 4; i++) {
		dt = (i & 1) ? kmscap_timed_flip(&buf[1]) : kmscap_timed_flip(&buf[0]);
		held = kmscap_hold_one(fd);
		kmscap_t_log("legacy flip %d over a held frame: %llu ms", i,
			     (unsigned long long)dt / 1000000);
		KT_ASSERT(dt >= T_NS * 8 / 10, "flip %d over a held frame took only %llu ms, hold "
			  "timeout %llu ms", i, (unsigned long long)dt / 1000000,
			  T_NS / 1000000);
		KT_ASSERT(dt <= T_NS + MARGIN_NS, "flip %d took %llu ms, hold timeout %llu ms", i,
			  (unsigned long long)dt / 1000000, T_NS / 1000000);
	}
	/*
	 * Same buffer as the held frame: no wait, and the replaced frame is
	 * not revoked: releasing it succeeds.
	 */
	for (i = 0; i < 3; i++) {
		uint64_t seq;

		dt = kmscap_timed_flip(&buf[0]);
		seq = kmscap_hold_one(fd);
		kmscap_t_log("same-buffer flip: %llu ms", (unsigned long long)dt / 1000000);
		KT_ASSERT(dt < T_NS / 2, "flip of the held buffer itself waited %llu ms",
			  (unsigned long long)dt / 1000000);
		KT_EXPECT_RET(kmscap_t_release(fd, held), 0,
			      "RELEASE of a frame replaced by the same buffer");
		held = seq;
	}
	/* Blocking atomic commits wait inside the ioctl. */
	for (i = 1; i <= 2; i++) {
		dt = kmscap_timed_commit(&buf[i & 1]);
		kmscap_hold_one(fd);
		kmscap_t_log("blocking atomic commit over a held frame: %llu ms",
			     (unsigned long long)dt / 1000000);
		KT_ASSERT(dt >= T_NS * 8 / 10 && dt <= T_NS + MARGIN_NS,
			  "blocking commit over a held frame took %llu ms, hold timeout %llu ms",
			  (unsigned long long)dt / 1000000, T_NS / 1000000);
	}
	KT_EXPECT_RET(kmscap_t_stats(fd, &st), 0, "STATS");
	kmscap_t_stats_print(&st, "stalled client");
	kmscap_t_stats_check(&st, "stalled client");
	KT_ASSERT(st.dropped_timeout == 6, "dropped_timeout %llu, expected 6 (4 flips + 2 commits)",
		  (unsigned long long)st.dropped_timeout);
	KT_ASSERT(st.max_hold_wait_ns >= T_NS * 8 / 10 && st.max_hold_wait_ns <= T_NS + MARGIN_NS,
		  "max_hold_wait %llu ms, hold timeout %llu ms",
		  (unsigned long long)st.max_hold_wait_ns / 1000000, T_NS / 1000000);
	close(fd);
}

struct kmscap_late {
	int fd;
	int frames;
	char err[128];
};

static void *kmscap_late_releaser(void *arg)
{
	struct kmscap_late *l = arg;
	int i;

	for (i = 0; i < l->frames; i++) {
		struct kmscap_event ev;
		int r = kmscap_t_read_event(l->fd, &ev, 10000);

		if (r != 1) {
			snprintf(l->err, sizeof(l->err), "read: %s", kmscap_t_errname(r));
			return NULL;
		}
		kmscap_t_sleep_ms(100);
		r = kmscap_t_release(l->fd, ev.seq);
		if (r) {
			snprintf(l->err, sizeof(l->err), "RELEASE %llu: %s",
				 (unsigned long long)ev.seq, kmscap_t_errname(r));
			return NULL;
		}
	}
	return NULL;
}

static void kmscap_case_release_early(void)
{
	struct kmscap_late l = { .frames = 6 };
	struct kmscap_client_stats st;
	uint64_t dt;
	pthread_t th;
	int i;

	l.fd = kmscap_t_client_or_die(display_id, 0, 5000000000ull);
	if (pthread_create(&th, NULL, kmscap_late_releaser, &l))
		kmscap_t_fail("pthread_create failed");
	kmscap_timed_flip(&buf[0]);
	for (i = 1; i < l.frames; i++) {
		dt = kmscap_timed_flip(&buf[i & 1]);
		kmscap_t_log("flip over a frame released after 100 ms: %llu ms",
			     (unsigned long long)dt / 1000000);
		KT_ASSERT(dt >= 30000000ull, "flip did not wait for the release (%llu ms)",
			  (unsigned long long)dt / 1000000);
		KT_ASSERT(dt < 3000000000ull, "flip waited %llu ms although the frame was released "
			  "after 100 ms (hold 5 s)", (unsigned long long)dt / 1000000);
	}
	pthread_join(th, NULL);
	if (l.err[0])
		kmscap_t_fail("releasing client: %s", l.err);
	KT_EXPECT_RET(kmscap_t_stats(l.fd, &st), 0, "STATS");
	kmscap_t_stats_print(&st, "late releaser");
	kmscap_t_stats_check(&st, "late releaser");
	KT_ASSERT(st.delivered == (uint64_t)l.frames && !st.dropped_timeout && !st.dropped_queue,
		  "late releaser lost frames (delivered %llu of %d)",
		  (unsigned long long)st.delivered, l.frames);
	close(l.fd);
}

static void kmscap_case_default_hold(void)
{
	struct kmscap_client_stats st;
	uint64_t period = (uint64_t)k.mode.htotal * k.mode.vtotal * 1000000ull / k.mode.clock;
	int fd = kmscap_t_client_or_die(display_id, 0, 0), i;

	kmscap_timed_flip(&buf[0]);
	kmscap_hold_one(fd);
	for (i = 1; i <= 3; i++) {
		kmscap_timed_flip(&buf[i & 1]);
		kmscap_hold_one(fd);
	}
	KT_EXPECT_RET(kmscap_t_stats(fd, &st), 0, "STATS");
	kmscap_t_stats_print(&st, "default-hold client");
	kmscap_t_stats_check(&st, "default-hold client");
	KT_ASSERT(st.dropped_timeout == 3, "hold 0 client: dropped_timeout %llu, expected 3",
		  (unsigned long long)st.dropped_timeout);
	KT_ASSERT(st.max_hold_wait_ns >= period / 2 && st.max_hold_wait_ns < period + MARGIN_NS / 3,
		  "hold 0 (one refresh = %llu us): max_hold_wait %llu us",
		  (unsigned long long)period / 1000,
		  (unsigned long long)st.max_hold_wait_ns / 1000);
	close(fd);
}

/*
 * A non-reading client with queue_depth 1: each new frame finds the queue
 * full and evicts the unread one instead of waiting for its long hold.
 */
static void kmscap_case_evict(void)
{
	struct kmscap_client_stats st;
	uint64_t dt;
	int fd = kmscap_t_client_or_die(display_id, 1, 5000000000ull), i;

	for (i = 0; i < 5; i++) {
		dt = kmscap_timed_flip(&buf[i & 1]);
		kmscap_t_log("flip over an unread frame, queue depth 1: %llu ms",
			     (unsigned long long)dt / 1000000);
		KT_ASSERT(dt < 2000000000ull, "flip waited %llu ms although the unread frame "
			  "should have been evicted (queue depth 1, hold 5 s)",
			  (unsigned long long)dt / 1000000);
	}
	KT_EXPECT_RET(kmscap_t_stats(fd, &st), 0, "STATS");
	kmscap_t_stats_print(&st, "non-reader, depth 1");
	kmscap_t_stats_check(&st, "non-reader, depth 1");
	KT_ASSERT(st.flips == 5 && st.dropped_queue == 4 && st.queued == 1 &&
		  !st.dropped_timeout, "non-reader with depth 1: expected 4 evictions, 1 queued");
	KT_EXPECT_RET(kmscap_t_drain(fd, 100), 1, "drain");
	close(fd);
}

int main(void)
{
	struct kmscap_display_create c;
	int ctl, r;

	kmscap_t_init("backpressure", 110);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	display_id = c.id;
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[0]);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[1]);
	r = kmscap_t_modeset(&k, buf[1].fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", c.card_minor, kmscap_t_errname(r));

	kmscap_case_stalled();
	kmscap_case_release_early();
	kmscap_case_default_hold();
	kmscap_case_evict();

	kmscap_t_buf_destroy(&buf[0]);
	kmscap_t_buf_destroy(&buf[1]);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("flips wait for held frames within [0.8 T, T + %llu ms]",
		      MARGIN_NS / 1000000);
}
