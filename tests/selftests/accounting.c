// SPDX-License-Identifier: MIT
/*
 * accounting: KMSCAP_IOC_STATS of prompt, stalled, overflowing, slow and
 * killed clients.  Checks the invariant
 *	flips == delivered + dropped_queue + dropped_timeout + queued + held
 * at every step and the exact counts each behaviour must produce, cross-
 * checked with what the client itself saw (events, dropped fields, RELEASE
 * results).  A forked client is SIGKILLed while a flip waits for it: the
 * flip must then complete long before that client's hold timeout.
 */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 640
#define H 480

static struct kmscap_t_kms k;
static struct kmscap_t_buf buf[2];
static uint32_t display_id;
static unsigned int flip_no;
/* drops of every client that has come and gone, for the debugfs totals */
static uint64_t sum_dropped_queue, sum_dropped_timeout;

static void kmscap_account(const struct kmscap_client_stats *st)
{
	sum_dropped_queue += st->dropped_queue;
	sum_dropped_timeout += st->dropped_timeout;
}

static void kmscap_flip_alt(bool same_buffer)
{
	int r;

	flip_no++;
	r = kmscap_t_flip(&k, buf[same_buffer ? 0 : flip_no & 1].fb_id, 5000);
	KT_ASSERT(!r, "flip %u: %s", flip_no, kmscap_t_errname(r));
}

static struct kmscap_client_stats kmscap_stats(int fd, const char *what)
{
	struct kmscap_client_stats st;
	int r = kmscap_t_stats(fd, &st);

	KT_ASSERT(!r, "%s: STATS: %s", what, kmscap_t_errname(r));
	kmscap_t_stats_check(&st, what);
	return st;
}

static void kmscap_expect_stats(const struct kmscap_client_stats *st, const char *what,
				uint64_t f, uint64_t d, uint64_t dq, uint64_t dt, uint64_t q,
				uint64_t h)
{
	if (st->flips == f && st->delivered == d && st->dropped_queue == dq &&
	    st->dropped_timeout == dt && st->queued == q && st->held == h)
		return;
	kmscap_t_stats_print(st, what);
	kmscap_t_fail("%s: expected flips %llu delivered %llu dropped_queue %llu "
		      "dropped_timeout %llu queued %llu held %llu", what,
		      (unsigned long long)f, (unsigned long long)d, (unsigned long long)dq,
		      (unsigned long long)dt, (unsigned long long)q, (unsigned long long)h);
}

#define EXPECT_STATS(st, what, f, d, dq, dt, q, h) \
	kmscap_expect_stats(&(st), what, f, d, dq, dt, q, h)

static struct kmscap_event kmscap_read(int fd, const char *what)
{
	struct kmscap_event ev;
	int r = kmscap_t_read_event(fd, &ev, 3000);

	KT_ASSERT(r == 1, "%s: no event within 3 s (%s)", what, kmscap_t_errname(r));
	KT_ASSERT(ev.type == KMSCAP_EVENT_FRAME, "%s: event type %u", what, ev.type);
	return ev;
}

/* Prompt client: reads and releases every frame right after the flip. */
static void kmscap_phase_prompt(void)
{
	struct kmscap_client_stats st;
	int fd = kmscap_t_client_or_die(display_id, 0, 0), i;

	for (i = 0; i < 20; i++) {
		struct kmscap_event ev;

		kmscap_flip_alt(false);
		ev = kmscap_read(fd, "prompt client");
		st = kmscap_stats(fd, "prompt client (holding)");
		EXPECT_STATS(st, "prompt client (holding)", i + 1, i, 0, 0, 0, 1);
		KT_EXPECT_RET(kmscap_t_release(fd, ev.seq), 0, "prompt client RELEASE");
	}
	st = kmscap_stats(fd, "prompt client");
	EXPECT_STATS(st, "prompt client", 20, 20, 0, 0, 0, 0);
	kmscap_account(&st);
	close(fd);
}

/* Reads every frame and never releases: each flip waits, then revokes. */
static void kmscap_phase_stalled(void)
{
	struct kmscap_client_stats st;
	uint64_t seqs[10];
	int fd = kmscap_t_client_or_die(display_id, 0, 30000000ull), i;

	for (i = 0; i < 10; i++) {
		kmscap_flip_alt(false);
		seqs[i] = kmscap_read(fd, "stalled client").seq;
		st = kmscap_stats(fd, "stalled client");
		EXPECT_STATS(st, "stalled client", i + 1, 0, 0, i, 0, 1);
		KT_ASSERT(st.revoked_unreleased == (uint64_t)i,
			  "stalled client: revoked_unreleased %llu, expected %d",
			  (unsigned long long)st.revoked_unreleased, i);
	}
	KT_ASSERT(st.max_hold_wait_ns >= 15000000ull,
		  "stalled client (hold 30 ms): max_hold_wait %llu ns",
		  (unsigned long long)st.max_hold_wait_ns);
	for (i = 0; i < 9; i++)
		KT_EXPECT_RET(kmscap_t_release(fd, seqs[i]), -ESTALE, "RELEASE of a revoked frame");
	KT_EXPECT_RET(kmscap_t_release(fd, seqs[0]), -ENOENT, "second RELEASE of a revoked frame");
	st = kmscap_stats(fd, "stalled client");
	KT_ASSERT(st.revoked_unreleased == 0, "revoked_unreleased %llu after releasing them",
		  (unsigned long long)st.revoked_unreleased);
	KT_EXPECT_RET(kmscap_t_release(fd, seqs[9]), 0, "RELEASE of the current frame");
	KT_EXPECT_RET(kmscap_t_release(fd, seqs[9]), -ENOENT, "second RELEASE");
	st = kmscap_stats(fd, "stalled client");
	EXPECT_STATS(st, "stalled client, released", 10, 1, 0, 9, 0, 0);
	kmscap_account(&st);
	close(fd);
}

/* Never reads, all frames on one buffer (no waiting): the queue overflows. */
static void kmscap_phase_overflow(void)
{
	struct kmscap_client_stats st;
	struct kmscap_event ev;
	int fd = kmscap_t_client_or_die(display_id, 2, 1000000000ull), i;
	uint64_t t0 = kmscap_t_now_ns();

	for (i = 0; i < 10; i++) {
		kmscap_flip_alt(true);
		st = kmscap_stats(fd, "overflowing client");
		EXPECT_STATS(st, "overflowing client", i + 1, 0, i > 1 ? i - 1 : 0, 0,
			     i > 1 ? 2 : i + 1, 0);
	}
	KT_ASSERT(kmscap_t_now_ns() - t0 < 5000000000ull,
		  "10 same-buffer flips took %llu ms with a 1 s hold client",
		  (unsigned long long)(kmscap_t_now_ns() - t0) / 1000000);
	ev = kmscap_read(fd, "overflowing client");
	KT_ASSERT(ev.dropped == 8, "first event after overflow: dropped %llu, expected 8",
		  (unsigned long long)ev.dropped);
	KT_EXPECT_RET(kmscap_t_release(fd, ev.seq), 0, "RELEASE");
	ev = kmscap_read(fd, "overflowing client");
	KT_ASSERT(ev.dropped == 0, "second event: dropped %llu", (unsigned long long)ev.dropped);
	KT_EXPECT_RET(kmscap_t_release(fd, ev.seq), 0, "RELEASE");
	st = kmscap_stats(fd, "overflowing client");
	EXPECT_STATS(st, "overflowing client, drained", 10, 2, 8, 0, 0, 0);
	kmscap_account(&st);
	close(fd);
}

struct kmscap_slow {
	int fd;
	volatile bool stop;
	unsigned int events, released, estale;
	uint64_t dropped_sum;
	char err[256];
};

static void *kmscap_slow_thread(void *arg)
{
	struct kmscap_slow *s = arg;

	for (;;) {
		struct kmscap_event ev;
		int r = kmscap_t_read_event(s->fd, &ev, 300);

		if (r == 0 && s->stop)
			break;
		if (r == 0)
			continue;
		if (r < 0) {
			snprintf(s->err, sizeof(s->err), "read: %s", kmscap_t_errname(r));
			break;
		}
		s->events++;
		s->dropped_sum += ev.dropped;
		kmscap_t_sleep_ms(100);
		r = kmscap_t_release(s->fd, ev.seq);
		if (r == 0) {
			s->released++;
		} else if (r == -ESTALE) {
			s->estale++;
		} else {
			snprintf(s->err, sizeof(s->err), "RELEASE %llu: %s",
				 (unsigned long long)ev.seq, kmscap_t_errname(r));
			break;
		}
	}
	return NULL;
}

/* A slow reader thread; the invariant is sampled while it runs. */
static void kmscap_phase_slow(void)
{
	struct kmscap_slow s = { 0 };
	struct kmscap_client_stats st;
	pthread_t th;
	int i;

	s.fd = kmscap_t_client_or_die(display_id, 2, 20000000ull);
	if (pthread_create(&th, NULL, kmscap_slow_thread, &s))
		kmscap_t_fail("pthread_create failed");
	for (i = 0; i < 40; i++) {
		kmscap_flip_alt(false);
		st = kmscap_stats(s.fd, "slow client (running)");
	}
	s.stop = true;
	pthread_join(th, NULL);
	if (s.err[0])
		kmscap_t_fail("slow client: %s", s.err);
	st = kmscap_stats(s.fd, "slow client");
	kmscap_t_stats_print(&st, "slow client");
	kmscap_t_log("slow client saw %u events (%u released, %u stale), dropped fields sum %llu",
		     s.events, s.released, s.estale, (unsigned long long)s.dropped_sum);
	KT_ASSERT(st.flips == 40 && st.queued == 0 && st.held == 0,
		  "slow client: flips %llu queued %llu held %llu", (unsigned long long)st.flips,
		  (unsigned long long)st.queued, (unsigned long long)st.held);
	KT_ASSERT(st.delivered == s.released, "delivered %llu but %u RELEASEs returned 0",
		  (unsigned long long)st.delivered, s.released);
	KT_ASSERT(st.dropped_timeout >= s.estale, "dropped_timeout %llu < %u ESTALE releases",
		  (unsigned long long)st.dropped_timeout, s.estale);
	KT_ASSERT(s.events + s.dropped_sum == st.flips,
		  "events %u + dropped fields %llu != flips %llu", s.events,
		  (unsigned long long)s.dropped_sum, (unsigned long long)st.flips);
	KT_ASSERT(st.delivered + st.dropped_queue + st.dropped_timeout == st.flips,
		  "after draining, delivered + dropped != flips");
	KT_ASSERT(st.dropped_queue + st.dropped_timeout > 0,
		  "a client sleeping 100 ms per frame with a 20 ms hold lost no frame");
	kmscap_account(&st);
	close(s.fd);
}

static int kmscap_pipe[2];

static int kmscap_killed_child(void *arg)
{
	int fd, n = 0;
	char c = 'r';

	(void)arg;
	fd = kmscap_t_client_or_die(display_id, 0, 8000000000ull);
	if (write(kmscap_pipe[1], &c, 1) != 1)
		return 1;
	for (;;) {
		struct kmscap_event ev;
		int r = kmscap_t_read_event(fd, &ev, -1);

		if (r != 1)
			return 1;
		if (++n <= 10 && kmscap_t_release(fd, ev.seq))
			return 1;
		if (n == 11 && write(kmscap_pipe[1], &c, 1) != 1)
			return 1;
	}
}

/* A client process that stops releasing and is SIGKILLed while a flip waits. */
static void kmscap_phase_killed(int ctl)
{
	struct kmscap_display_info info;
	struct kmscap_client_stats st;
	uint64_t t_kill, t_done, clients;
	int fd, i, r, status;
	pid_t pid;
	char c;

	fd = kmscap_t_client_or_die(display_id, 0, 0);
	KT_ASSERT(!pipe(kmscap_pipe), "pipe: %s", strerror(errno));
	pid = kmscap_t_fork(kmscap_killed_child, NULL);
	KT_ASSERT(read(kmscap_pipe[0], &c, 1) == 1, "child client did not attach");
	KT_EXPECT_RET(kmscap_t_info(ctl, display_id, &info), 0, "INFO");
	KT_ASSERT(info.clients == 2, "INFO clients %u with two attached", info.clients);
	r = kmscap_t_debugfs_stat(display_id, "clients", &clients);
	KT_ASSERT(!r && clients == 2, "debugfs clients %llu (%s), expected 2",
		  (unsigned long long)clients, kmscap_t_errname(r));
	for (i = 0; i < 11; i++) {
		kmscap_flip_alt(false);
		KT_EXPECT_RET(kmscap_t_drain(fd, 0), 1, "drain of the parent's client");
	}
	/* The child now holds frame 11 and stops releasing. */
	KT_ASSERT(read(kmscap_pipe[0], &c, 1) == 1, "child client died early");
	flip_no++;
	r = kmscap_t_page_flip(&k, buf[flip_no & 1].fb_id);
	KT_ASSERT(!r, "flip: %s", kmscap_t_errname(r));
	r = kmscap_t_wait_flip(&k, 500);
	KT_ASSERT(r == -ETIMEDOUT, "flip replacing a frame held by a client with an 8 s hold "
		  "completed within 500 ms (%s)", kmscap_t_errname(r));
	t_kill = kmscap_t_now_ns();
	kill(pid, SIGKILL);
	status = kmscap_t_wait_child(pid);
	KT_ASSERT(status == 128 + SIGKILL, "child exit status %d", status);
	r = kmscap_t_wait_flip(&k, 4000);
	t_done = kmscap_t_now_ns();
	KT_ASSERT(!r, "flip still waiting 4 s after the holding client was killed: %s",
		  kmscap_t_errname(r));
	kmscap_t_log("flip completed %llu ms after SIGKILL of the holding client",
		     (unsigned long long)(t_done - t_kill) / 1000000);
	KT_EXPECT_RET(kmscap_t_drain(fd, 0), 1, "drain of the parent's client");
	for (i = 0; i < 5; i++) {
		kmscap_flip_alt(false);
		KT_EXPECT_RET(kmscap_t_drain(fd, 0), 1, "drain of the parent's client");
	}
	KT_EXPECT_RET(kmscap_t_info(ctl, display_id, &info), 0, "INFO");
	KT_ASSERT(info.clients == 1, "INFO clients %u after the child was killed", info.clients);
	r = kmscap_t_debugfs_stat(display_id, "clients", &clients);
	KT_ASSERT(!r && clients == 1, "debugfs clients %llu (%s), expected 1",
		  (unsigned long long)clients, kmscap_t_errname(r));
	st = kmscap_stats(fd, "surviving client");
	EXPECT_STATS(st, "surviving client", 17, 17, 0, 0, 0, 0);
	kmscap_account(&st);
	close(fd);
	close(kmscap_pipe[0]);
	close(kmscap_pipe[1]);
}

int main(void)
{
	struct kmscap_display_create c;
	int ctl, r;

	kmscap_t_init("accounting", 110);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	display_id = c.id;
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[0]);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[1]);
	r = kmscap_t_modeset(&k, buf[1].fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", c.card_minor, kmscap_t_errname(r));

	kmscap_phase_prompt();
	kmscap_t_log("prompt client: ok");
	kmscap_phase_stalled();
	kmscap_t_log("stalled client: ok");
	kmscap_phase_overflow();
	kmscap_t_log("overflowing client: ok");
	kmscap_phase_slow();
	kmscap_t_log("slow client: ok");
	kmscap_phase_killed(ctl);
	kmscap_t_log("killed client: ok");

	/* The display-wide debugfs counters add up the clients. */
	{
		uint64_t frames, dq, dt, waits;

		r = kmscap_t_debugfs_stat(c.id, "frames", &frames) ||
		    kmscap_t_debugfs_stat(c.id, "drops_queue", &dq) ||
		    kmscap_t_debugfs_stat(c.id, "drops_timeout", &dt) ||
		    kmscap_t_debugfs_stat(c.id, "hold_waits", &waits);
		KT_ASSERT(!r, "/sys/kernel/debug/kmscap/display-%u/stats lacks frames, "
			  "drops_queue, drops_timeout or hold_waits", c.id);
		kmscap_t_log("debugfs: frames %llu drops_queue %llu drops_timeout %llu hold_waits "
			     "%llu; %u flips made", (unsigned long long)frames,
			     (unsigned long long)dq, (unsigned long long)dt,
			     (unsigned long long)waits, flip_no);
		KT_ASSERT(frames == flip_no || frames == flip_no + 1ull,
			  "debugfs frames %llu after %u flips (+1 modeset)",
			  (unsigned long long)frames, flip_no);
		KT_ASSERT(dq == sum_dropped_queue && dt == sum_dropped_timeout,
			  "debugfs drops_queue %llu drops_timeout %llu; clients dropped "
			  "%llu / %llu",
			  (unsigned long long)dq, (unsigned long long)dt,
			  (unsigned long long)sum_dropped_queue,
			  (unsigned long long)sum_dropped_timeout);
		KT_ASSERT(waits > 0, "debugfs hold_waits 0 after stalled clients");
	}

	kmscap_t_buf_destroy(&buf[0]);
	kmscap_t_buf_destroy(&buf[1]);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("prompt, stalled, overflowing, slow and killed clients accounted exactly");
}
