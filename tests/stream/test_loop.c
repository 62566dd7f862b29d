// SPDX-License-Identifier: MIT
/*
 * The io_uring loop against a fake event source (a SOCK_SEQPACKET pair
 * carrying struct kmscap_event records), a fake encoder and pipes as the
 * output.  Threads feed events and read the output; the loop runs in the
 * test's main thread.  Nothing here depends on timing: threads wait for
 * each other through the release counter, never by sleeping.
 *
 * Every test runs in both thread models: NAME with the encoder in the
 * loop's thread, NAME_threads2 with the loop's encode thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ks_test.h"
#include "libkmscap.h"

#define MAX_SEQ 64

/* The thread model of the running test (1 or 2): the loop test index. */
static unsigned int loop_threads = 1;

struct fake_src {
	int rd, wr;			/* loop reads rd, feeder writes wr */
	atomic_uint released;
	atomic_uint release_count[MAX_SEQ + 1];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/*
	 * With @flip_done, frames read whose flip-done the source has not
	 * given yet (loop thread).
	 */
	bool flip_done;
	uint64_t flips[MAX_SEQ + 1];
	unsigned int flips_head, flips_tail;
};

struct fake_enc {
	struct fake_src *src;		/* for its lock and condition */
	size_t unit_size;		/* payload bytes per frame (>= 16) */
	bool release_early;
	bool side;			/* also write a side record per frame */
	atomic_uint frames;
	atomic_uint idr_requests;
	bool idr_pending;
	unsigned int idr_frames[MAX_SEQ];
	unsigned int nidr;
	uint32_t flags[MAX_SEQ + 1];
	unsigned int flushes;
	uint64_t block_seq;		/* encode() of this frame waits for 'unblock' */
	bool unblock;
	atomic_uint started;		/* encode() calls begun */
	uint64_t fail_seq;		/* encode() of this frame fails, with a message */
};

static int src_read(void *opaque, struct kmscap_event *evs, size_t max)
{
	struct fake_src *s = opaque;
	uint8_t buf[sizeof(struct kmscap_event)];
	size_t n = 0;
	ssize_t r;
	int ret;

	while (n < max) {
		r = recv(s->rd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r < 0 && errno == EAGAIN)
			break;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		ret = kmscap_event_decode(buf, (size_t)r, &evs[n], NULL);
		if (ret)
			return ret;
		if (s->flip_done && evs[n].type == KMSCAP_EVENT_FRAME)
			s->flips[s->flips_tail++ % (MAX_SEQ + 1)] = evs[n].seq;
		n++;
	}
	return (int)n;
}

/* Each frame read flipped at seq ms: its flip-done, read along with it. */
static int src_flip_done(void *opaque, struct kmscap_event_flip_done *out, size_t max)
{
	struct fake_src *s = opaque;
	size_t n = 0;

	for (; n < max && s->flips_head != s->flips_tail; n++) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].base.type = KMSCAP_EVENT_FLIP_DONE;
		out[n].base.length = sizeof(out[n]);
		out[n].seq = s->flips[s->flips_head++ % (MAX_SEQ + 1)];
		out[n].timestamp_ns = 1000000 * out[n].seq;
	}
	return (int)n;
}

static int src_release(void *opaque, uint64_t seq)
{
	struct fake_src *s = opaque;

	ck_assert_uint_le(seq, MAX_SEQ);
	atomic_fetch_add(&s->release_count[seq], 1);
	pthread_mutex_lock(&s->lock);
	atomic_fetch_add(&s->released, 1);
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static const struct ks_source_ops src_ops = {
	.read = src_read,
	.release = src_release,
	.flip_done = src_flip_done,
};

/* The unit of frame @seq: AUD, then an "IDR"/"P" NAL with recognisable bytes. */
static void expected_unit(struct ks_buf *b, uint64_t seq, size_t size, bool idr)
{
	uint8_t *nal = malloc(size);
	size_t i;

	ck_assert_ptr_nonnull(nal);
	nal[0] = idr ? 0x65 : 0x41;
	for (i = 1; i < size; i++)
		nal[i] = (uint8_t)(seq * 31 + i) | 0x80;	/* never 00: no start codes */
	ck_assert_int_eq(ks_annexb_aud_h264(b), 0);
	ck_assert_int_eq(ks_annexb_append_nal(b, nal, size), 0);
	free(nal);
}

/* With release_early: the frame is read here, and released by the loop after it. */
static int enc_convert(void *opaque, struct ks_frame *f)
{
	(void)opaque;
	f->released = 1;	/* overwritten by the release */
	return 0;
}

static int enc_encode(void *opaque, struct ks_frame *f)
{
	const struct kmscap_event *ev = &f->ev;
	struct ks_buf *out = &f->out, *side = &f->side;
	struct fake_enc *e = opaque;
	bool idr = e->idr_pending || (ev->flags & KMSCAP_FRAME_NEW_MODE);

	ck_assert_uint_le(ev->seq, MAX_SEQ);
	pthread_mutex_lock(&e->src->lock);
	atomic_fetch_add(&e->started, 1);
	pthread_cond_broadcast(&e->src->cond);
	while (ev->seq == e->block_seq && !e->unblock)
		pthread_cond_wait(&e->src->cond, &e->src->lock);
	pthread_mutex_unlock(&e->src->lock);
	if (ev->seq == e->fail_seq) {
		snprintf(f->err, sizeof(f->err), "injected failure at frame %llu",
			 (unsigned long long)ev->seq);
		return -EIO;
	}
	e->flags[ev->seq] = ev->flags;
	if (e->release_early) {
		/* released once, by the loop, before encode() */
		ck_assert_int_eq(f->released, 0);
		ck_assert_uint_eq(atomic_load(&e->src->release_count[ev->seq]), 1);
	} else {
		/* without convert() the loop releases the frame after encode() */
		ck_assert_uint_eq(atomic_load(&e->src->release_count[ev->seq]), 0);
	}
	if (idr)
		e->idr_frames[e->nidr++] = (unsigned int)ev->seq;
	e->idr_pending = false;
	expected_unit(out, ev->seq, e->unit_size, idr);
	if (e->side) {
		char rec[32];
		int n = snprintf(rec, sizeof(rec), "cursor %llu\n", (unsigned long long)ev->seq);

		ck_assert_int_eq(ks_buf_append(side, rec, (size_t)n), 0);
	}
	f->stats->total.encoded++;
	/* a made-up latency the tests find again in the loop's window */
	ks_latency_add(&f->stats->lat, 1000 * ev->seq);
	/* coded 0.25 ms after the flip-done src_flip_done() gives */
	ks_stats_coded(f->stats, ev->seq, 1000000 * ev->seq + 250000);
	atomic_fetch_add(&e->frames, 1);
	return 0;
}

static void enc_idr(void *opaque)
{
	struct fake_enc *e = opaque;

	e->idr_pending = true;
	pthread_mutex_lock(&e->src->lock);
	atomic_fetch_add(&e->idr_requests, 1);
	pthread_cond_broadcast(&e->src->cond);
	pthread_mutex_unlock(&e->src->lock);
}

static int enc_flush(void *opaque, enum ks_stop why, struct ks_buf *out, char *err,
		     size_t errlen)
{
	struct fake_enc *e = opaque;

	(void)why;
	(void)err;
	(void)errlen;

	e->flushes++;
	return ks_buf_append(out, "\0\0\0\1\x0b", 5);	/* end of stream NAL */
}

static const struct ks_encoder_ops enc_ops = {
	.encode = enc_encode, .request_idr = enc_idr, .flush = enc_flush,
};

/* The encoder that reads the frame in a convert() step (release_early). */
static const struct ks_encoder_ops enc_convert_ops = {
	.convert = enc_convert, .encode = enc_encode, .request_idr = enc_idr,
	.flush = enc_flush,
};

static void make_event(struct kmscap_event *ev, uint64_t seq, uint32_t flags)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = KMSCAP_EVENT_FRAME;
	ev->flags = flags | KMSCAP_FRAME_FULL_DAMAGE;
	ev->seq = seq;
	ev->timestamp_ns = ks_now_ns();
	ev->display_id = 1;
	ev->buffer_id = 1 + seq % 3;
	ev->format = 0x34325258;
	ev->width = 640;
	ev->height = 480;
	ev->num_planes = 1;
	ev->pitches[0] = 2560;
	ev->src_w = 640;
	ev->src_h = 480;
	ev->mode_width = 640;
	ev->mode_height = 480;
	ev->refresh_mhz = 60000;
}

static void send_event(struct fake_src *s, const struct kmscap_event *ev)
{
	ck_assert_int_eq(send(s->wr, ev, sizeof(*ev), 0), (ssize_t)sizeof(*ev));
}

static void src_open(struct fake_src *s)
{
	int sv[2];

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	s->rd = sv[0];
	s->wr = sv[1];
}

/* Wait (on a condition variable, no sleep) until @n frames were released. */
static void wait_released(struct fake_src *s, unsigned int n)
{
	pthread_mutex_lock(&s->lock);
	while (atomic_load(&s->released) < n)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

struct reader {
	int fd;
	size_t chunk;
	struct ks_buf got;
	pthread_t thr;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct pollfd p = { .fd = r->fd, .events = POLLIN };
	uint8_t buf[65536];
	ssize_t n;

	for (;;) {
		n = read(r->fd, buf, r->chunk < sizeof(buf) ? r->chunk : sizeof(buf));
		if (n < 0 && errno == EAGAIN) {
			poll(&p, 1, -1);
			continue;
		}
		if (n <= 0)
			break;
		ks_buf_append(&r->got, buf, (size_t)n);
	}
	return NULL;
}

static void reader_start(struct reader *r, int fd, size_t chunk)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->chunk = chunk;
	ck_assert_int_eq(pthread_create(&r->thr, NULL, reader_main, r), 0);
}

struct feeder {
	struct fake_src *src;
	struct fake_enc *enc;
	unsigned int frames;
	int usr1_before;		/* raise SIGUSR1 before this frame (1-based), 0: never */
	bool term_after;		/* SIGTERM once all frames are released */
	struct reader *reader;		/* started once all frames are released */
	int reader_fd;
	pthread_t thr;
};

static void *feeder_main(void *arg)
{
	struct feeder *f = arg;
	struct kmscap_event ev;
	unsigned int i;

	for (i = 1; i <= f->frames; i++) {
		if ((int)i == f->usr1_before) {
			kill(getpid(), SIGUSR1);
			pthread_mutex_lock(&f->src->lock);
			while (atomic_load(&f->enc->idr_requests) == 0)
				pthread_cond_wait(&f->src->cond, &f->src->lock);
			pthread_mutex_unlock(&f->src->lock);
		}
		make_event(&ev, i, i == 1 ? KMSCAP_FRAME_FIRST : 0);
		send_event(f->src, &ev);
		wait_released(f->src, i);
	}
	if (f->reader)
		reader_start(f->reader, f->reader_fd, 65536);
	if (f->term_after)
		kill(getpid(), SIGTERM);
	return NULL;
}

static void loop_config(struct ks_loop_config *cfg, struct fake_src *s, struct fake_enc *e,
			int out_fd)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->src_fd = s->rd;
	cfg->src = &src_ops;
	cfg->src_opaque = s;
	cfg->out_fd = out_fd;
	cfg->enc = e->release_early ? &enc_convert_ops : &enc_ops;
	cfg->enc_opaque = e;
	e->src = s;
	cfg->stats_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	cfg->threads = loop_threads;
}

static void check_all_released_once(struct fake_src *s, unsigned int n)
{
	unsigned int i;

	for (i = 1; i <= n; i++)
		ck_assert_msg(atomic_load(&s->release_count[i]) == 1,
			      "frame %u released %u times", i, atomic_load(&s->release_count[i]));
	ck_assert_uint_eq(atomic_load(&s->released), n);
}

/* Run N frames one by one through the loop into a pipe; compare the bytes. */
static void run_frames(unsigned int n, size_t unit_size, bool nonblock_small, bool early)
{
	struct fake_enc e = { .unit_size = unit_size, .release_early = early };
	struct ks_loop_config cfg;
	struct ks_buf want = { 0 };
	struct fake_src s;
	struct ks_loop *l;
	struct reader r;
	struct feeder f;
	int out[2];
	unsigned int i;

	ck_assert_int_eq(ks_loop_block_signals(), 0);
	src_open(&s);
	s.flip_done = true;
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	if (nonblock_small) {
		ck_assert_int_ge(fcntl(out[1], F_SETPIPE_SZ, 4096), 4096);
		ck_assert_int_eq(fcntl(out[1], F_SETFL, O_NONBLOCK), 0);
	}
	loop_config(&cfg, &s, &e, out[1]);
	cfg.max_frames = n;
	ck_assert_int_eq(ks_loop_new(&cfg, &l), 0);
	reader_start(&r, out[0], nonblock_small ? 1000 : 65536);
	f = (struct feeder){ .src = &s, .enc = &e, .frames = n };
	ck_assert_int_eq(pthread_create(&f.thr, NULL, feeder_main, &f), 0);

	ck_assert_int_eq(ks_loop_run(l), KS_STOP_FRAMES);
	ck_assert_int_eq(ks_loop_error(l), 0);
	pthread_join(f.thr, NULL);
	ck_assert_uint_eq(ks_loop_stats(l)->total.frames_in, n);
	ck_assert_uint_eq(ks_loop_stats(l)->total.encoded, n);
	ck_assert_uint_eq(ks_loop_stats(l)->total.dropped, 0);
	ck_assert_uint_eq(ks_loop_stats(l)->total.released, n);
	/* every frame's latency sample reached the loop's window */
	ck_assert_uint_eq(ks_loop_stats(l)->lat.count, n);
	ck_assert_uint_eq(ks_latency_pct(&ks_loop_stats(l)->lat, 100), 1000 * n);
	ck_assert_uint_eq(ks_latency_pct(&ks_loop_stats(l)->lat, 1), 1000);
	/* and every frame's flip-done -> coded, however the frame was encoded */
	ck_assert_uint_eq(ks_loop_stats(l)->total.flip_done, n);
	ck_assert_uint_eq(ks_loop_stats(l)->total.flip_coded, n);
	ck_assert_uint_eq(ks_latency_pct(&ks_loop_stats(l)->flip_lat, 1), 250000);
	ck_assert_uint_eq(ks_latency_pct(&ks_loop_stats(l)->flip_lat, 100), 250000);
	ks_loop_free(l);
	close(out[1]);
	pthread_join(r.thr, NULL);

	for (i = 1; i <= n; i++)
		expected_unit(&want, i, unit_size, false);
	ks_buf_append(&want, "\0\0\0\1\x0b", 5);
	ck_assert_uint_eq(r.got.len, want.len);
	ck_assert_mem_eq(r.got.data, want.data, want.len);
	ck_assert_uint_eq(e.flushes, 1);
	check_all_released_once(&s, n);
	ks_buf_free(&want);
	ks_buf_free(&r.got);
	close(out[0]);
	close(s.rd);
	close(s.wr);
}

START_TEST(loop_frames_to_pipe)
{
	loop_threads = (unsigned int)_i;
	run_frames(20, 100, false, false);
}
END_TEST

START_TEST(loop_partial_writes)
{
	loop_threads = (unsigned int)_i;
	/* units of 200 kB through a 4 kB non-blocking pipe read 1000 bytes at a time */
	run_frames(6, 200000, true, false);
}
END_TEST

START_TEST(loop_encoder_releases_early)
{
	loop_threads = (unsigned int)_i;
	run_frames(10, 50, false, true);
}
END_TEST

START_TEST(loop_latest_wins)
{
	loop_threads = (unsigned int)_i;
	struct fake_enc e = { .unit_size = 32 };
	struct kmscap_event ev;
	struct ks_loop_config cfg;
	struct fake_src s;
	struct ks_loop *l;
	struct reader r;
	int out[2];
	unsigned int i;

	ck_assert_int_eq(ks_loop_block_signals(), 0);
	src_open(&s);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	/* five frames queued before the loop looks: the newest is encoded */
	for (i = 1; i <= 5; i++) {
		make_event(&ev, i, i == 1 ? KMSCAP_FRAME_FIRST :
				   i == 2 ? KMSCAP_FRAME_NEW_MODE : 0);
		if (i == 5) {
			/* no damage on the last one: the merge must add it */
			ev.flags &= ~KMSCAP_FRAME_FULL_DAMAGE;
			ev.dropped = 3;	/* and three the module dropped before it */
		}
		send_event(&s, &ev);
	}
	loop_config(&cfg, &s, &e, out[1]);
	cfg.max_frames = 5;
	ck_assert_int_eq(ks_loop_new(&cfg, &l), 0);
	reader_start(&r, out[0], 65536);
	ck_assert_int_eq(ks_loop_run(l), KS_STOP_FRAMES);
	ck_assert_uint_eq(atomic_load(&e.frames), 1);
	ck_assert_uint_eq(ks_loop_stats(l)->total.frames_in, 5);
	ck_assert_uint_eq(ks_loop_stats(l)->total.dropped, 4 + 3);
	ck_assert(e.flags[5] & KMSCAP_FRAME_NEW_MODE);
	ck_assert(e.flags[5] & KMSCAP_FRAME_FULL_DAMAGE);
	ck_assert(e.flags[5] & KMSCAP_FRAME_FIRST);
	ck_assert_uint_eq(e.nidr, 1);
	ck_assert_uint_eq(e.idr_frames[0], 5);
	ks_loop_free(l);
	close(out[1]);
	pthread_join(r.thr, NULL);
	check_all_released_once(&s, 5);
	ks_buf_free(&r.got);
}
END_TEST

START_TEST(loop_signals)
{
	loop_threads = (unsigned int)_i;
	struct fake_enc e = { .unit_size = 64 };
	struct ks_loop_config cfg;
	uint64_t idr_requests;
	struct ks_buf want = { 0 };
	struct fake_src s;
	struct ks_loop *l;
	struct reader r;
	struct feeder f;
	int out[2];
	unsigned int i;

	ck_assert_int_eq(ks_loop_block_signals(), 0);
	src_open(&s);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	loop_config(&cfg, &s, &e, out[1]);
	ck_assert_int_eq(ks_loop_new(&cfg, &l), 0);
	reader_start(&r, out[0], 65536);
	f = (struct feeder){ .src = &s, .enc = &e, .frames = 6, .usr1_before = 4,
			     .term_after = true };
	ck_assert_int_eq(pthread_create(&f.thr, NULL, feeder_main, &f), 0);
	ck_assert_int_eq(ks_loop_run(l), KS_STOP_SIGNAL);
	pthread_join(f.thr, NULL);
	idr_requests = ks_loop_stats(l)->total.idr_requests;
	ks_loop_free(l);
	close(out[1]);
	pthread_join(r.thr, NULL);

	/* SIGUSR1 made frame 4 the (only) IDR */
	ck_assert_uint_eq(idr_requests, 1);
	ck_assert_uint_eq(e.nidr, 1);
	ck_assert_uint_eq(e.idr_frames[0], 4);
	for (i = 1; i <= 6; i++)
		expected_unit(&want, i, 64, i == 4);
	ks_buf_append(&want, "\0\0\0\1\x0b", 5);
	ck_assert_uint_eq(r.got.len, want.len);
	ck_assert_mem_eq(r.got.data, want.data, want.len);
	check_all_released_once(&s, 6);
	ks_buf_free(&want);
	ks_buf_free(&r.got);
}
END_TEST

START_TEST(loop_hangup)
{
	loop_threads = (unsigned int)_i;
	struct fake_enc e = { .unit_size = 16 };
	struct kmscap_event ev;
	struct ks_loop_config cfg;
	struct fake_src s;
	struct ks_loop *l;
	int out[2];

	ck_assert_int_eq(ks_loop_block_signals(), 0);
	src_open(&s);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	make_event(&ev, 1, 0);
	send_event(&s, &ev);
	memset(&ev, 0, sizeof(ev));
	ev.type = KMSCAP_EVENT_HANGUP;
	ev.seq = 1;
	send_event(&s, &ev);
	loop_config(&cfg, &s, &e, out[1]);
	ck_assert_int_eq(ks_loop_new(&cfg, &l), 0);
	ck_assert_int_eq(ks_loop_run(l), KS_STOP_HANGUP);
	ck_assert_uint_eq(atomic_load(&e.frames), 1);
	ck_assert_uint_eq(e.flushes, 1);
	ks_loop_free(l);
	check_all_released_once(&s, 1);
}
END_TEST

START_TEST(loop_source_closed_is_hangup)
{
	loop_threads = (unsigned int)_i;
	struct fake_enc e = { .unit_size = 16 };
	struct ks_loop_config cfg;
	struct fake_src s;
	struct ks_loop *l;
	int out[2];

	ck_assert_int_eq(ks_loop_block_signals(), 0);
	src_open(&s);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	close(s.wr);
	loop_config(&cfg, &s, &e, out[1]);
	ck_assert_int_eq(ks_loop_new(&cfg, &l), 0);
	ck_assert_int_eq(ks_loop_run(l), KS_STOP_HANGUP);
	ks_loop_free(l);
}
END_TEST

START_TEST(loop_duration_and_stats)
{
	loop_threads = (unsigned int)_i;
	struct fake_enc e = { .unit_size = 16 };
	struct ks_loop_config cfg;
	struct fake_src s;
	struct ks_loop *l;
	/* about 20 lines of some 700 bytes, all in the pipe (64 KiB) */
	static char buf[65536];
	int out[2], st[2];
	ssize_t n;

	ck_assert_int_eq(ks_loop_block_signals(), 0);
	src_open(&s);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(st, O_CLOEXEC), 0);
	loop_config(&cfg, &s, &e, out[1]);
	cfg.stats_fd = st[1];
	cfg.json = true;
	cfg.stats_interval_ns = 10000000;	/* ticks expire before the duration */
	cfg.duration_ns = 200000000;
	ck_assert_int_eq(ks_loop_new(&cfg, &l), 0);
	ck_assert_int_eq(ks_loop_run(l), KS_STOP_DURATION);
	ks_loop_free(l);
	close(st[1]);
	n = read(st[0], buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_msg(!strncmp(buf, "{\"type\":\"stats\"", 15), "first line: %s", buf);
	ck_assert_msg(strstr(buf, "\n{\"type\":\"summary\"") != NULL, "no summary in: %s", buf);
	ck_assert_int_eq(buf[n - 1], '\n');
}
END_TEST

/*
 * No frame within waiting_ns of the start: the waiting notice, once, on the
 * statistics fd; with a frame at the start, none.
 */
static unsigned int run_waiting(bool frame_first)
{
	struct fake_enc e = { .unit_size = 16 };
	struct ks_loop_config cfg;
	struct kmscap_event ev;
	struct fake_src s;
	struct ks_loop *l;
	char buf[8192], *p;
	int out[2], st[2];
	unsigned int notices = 0;
	ssize_t n;

	ck_assert_int_eq(ks_loop_block_signals(), 0);
	src_open(&s);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(st, O_CLOEXEC), 0);
	loop_config(&cfg, &s, &e, out[1]);
	close(cfg.stats_fd);
	cfg.stats_fd = st[1];
	cfg.waiting_notice = "waiting for the first frame on /dev/dri/card9";
	cfg.waiting_ns = 50000000;
	cfg.duration_ns = 300000000;
	if (frame_first) {
		make_event(&ev, 1, KMSCAP_FRAME_FIRST);
		send_event(&s, &ev);
	}
	ck_assert_int_eq(ks_loop_new(&cfg, &l), 0);
	ck_assert_int_eq(ks_loop_run(l), KS_STOP_DURATION);
	ck_assert_uint_eq(ks_loop_stats(l)->total.frames_in, frame_first);
	ks_loop_free(l);
	close(st[1]);
	n = read(st[0], buf, sizeof(buf) - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, "waiting for the first frame on /dev/dri/card9\n")); p++)
		notices++;
	close(st[0]);
	close(out[0]);
	close(out[1]);
	return notices;
}

START_TEST(loop_waiting_notice)
{
	loop_threads = (unsigned int)_i;
	ck_assert_uint_eq(run_waiting(false), 1);
	ck_assert_uint_eq(run_waiting(true), 0);
}
END_TEST

START_TEST(loop_output_closed)
{
	loop_threads = (unsigned int)_i;
	struct fake_enc e = { .unit_size = 16 };
	struct kmscap_event ev;
	struct ks_loop_config cfg;
	struct fake_src s;
	struct ks_loop *l;
	int out[2];

	ck_assert_int_eq(ks_loop_block_signals(), 0);
	src_open(&s);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	close(out[0]);
	make_event(&ev, 1, 0);
	send_event(&s, &ev);
	loop_config(&cfg, &s, &e, out[1]);
	ck_assert_int_eq(ks_loop_new(&cfg, &l), 0);
	ck_assert_int_eq(ks_loop_run(l), KS_STOP_ERROR);
	ck_assert_int_eq(ks_loop_error(l), -EPIPE);
	ck_assert_str_eq(ks_loop_error_msg(l), "writing the output: Broken pipe");
	ks_loop_free(l);
	check_all_released_once(&s, 1);
}
END_TEST

/* The output does not drain: frames beyond the queue limit are dropped, counted. */
START_TEST(loop_backpressure_drops)
{
	loop_threads = (unsigned int)_i;
	struct fake_enc e = { .unit_size = 65536 };
	struct ks_loop_config cfg;
	struct fake_src s;
	struct ks_loop *l;
	struct reader r;
	struct feeder f;
	struct ks_counters tot, *t = &tot;
	int out[2];

	ck_assert_int_eq(ks_loop_block_signals(), 0);
	src_open(&s);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC | O_NONBLOCK), 0);
	ck_assert_int_ge(fcntl(out[1], F_SETPIPE_SZ, 4096), 4096);
	loop_config(&cfg, &s, &e, out[1]);
	cfg.max_frames = 10;
	cfg.max_queued = 2;
	ck_assert_int_eq(ks_loop_new(&cfg, &l), 0);
	/* the reader starts only once every frame was handled */
	f = (struct feeder){ .src = &s, .enc = &e, .frames = 10, .reader = &r,
			     .reader_fd = out[0] };
	ck_assert_int_eq(pthread_create(&f.thr, NULL, feeder_main, &f), 0);
	ck_assert_int_eq(ks_loop_run(l), KS_STOP_FRAMES);
	pthread_join(f.thr, NULL);
	tot = ks_loop_stats(l)->total;
	ck_assert_uint_eq(t->frames_in, 10);
	ck_assert_uint_ge(t->dropped, 1);
	ck_assert_uint_eq(t->encoded + t->dropped, 10);
	ck_assert_uint_eq(atomic_load(&e.frames), t->encoded);
	ks_loop_free(l);
	close(out[1]);
	pthread_join(r.thr, NULL);
	/* every encoded unit arrived whole: AUD + NAL + end of stream */
	ck_assert_uint_eq(r.got.len, t->encoded * (6 + 4 + 65536) + 5);
	check_all_released_once(&s, 10);
	ks_buf_free(&r.got);
}
END_TEST

/* Two outputs: the side records go to their own fd, in order, whole. */
START_TEST(loop_side_output)
{
	loop_threads = (unsigned int)_i;
	struct fake_enc e = { .unit_size = 40, .side = true };
	struct ks_loop_config cfg;
	struct ks_buf want = { 0 };
	struct fake_src s;
	struct ks_loop *l;
	struct reader r, rs;
	struct feeder f;
	int out[2], side[2];
	unsigned int i;
	char rec[32];

	ck_assert_int_eq(ks_loop_block_signals(), 0);
	src_open(&s);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(side, O_CLOEXEC), 0);
	loop_config(&cfg, &s, &e, out[1]);
	cfg.side_fd = side[1];
	cfg.max_frames = 7;
	ck_assert_int_eq(ks_loop_new(&cfg, &l), 0);
	reader_start(&r, out[0], 65536);
	reader_start(&rs, side[0], 7);
	f = (struct feeder){ .src = &s, .enc = &e, .frames = 7 };
	ck_assert_int_eq(pthread_create(&f.thr, NULL, feeder_main, &f), 0);
	ck_assert_int_eq(ks_loop_run(l), KS_STOP_FRAMES);
	pthread_join(f.thr, NULL);
	/* the side bytes do not count as bitstream */
	ck_assert_uint_eq(ks_loop_stats(l)->total.bytes_out, 7 * (6 + 4 + 40) + 5);
	ks_loop_free(l);
	close(out[1]);
	close(side[1]);
	pthread_join(r.thr, NULL);
	pthread_join(rs.thr, NULL);
	for (i = 1; i <= 7; i++) {
		int n = snprintf(rec, sizeof(rec), "cursor %u\n", i);

		ks_buf_append(&want, rec, (size_t)n);
	}
	ck_assert_uint_eq(rs.got.len, want.len);
	ck_assert_mem_eq(rs.got.data, want.data, want.len);
	ck_assert_uint_eq(r.got.len, 7 * (6 + 4 + 40) + 5);
	ks_buf_free(&want);
	ks_buf_free(&r.got);
	ks_buf_free(&rs.got);
}
END_TEST

/* The encoder fails: the loop stops with its message, every frame released once. */
START_TEST(loop_encoder_fails)
{
	struct fake_enc e = { .unit_size = 16, .fail_seq = 2 };
	struct ks_loop_config cfg;
	struct fake_src s;
	struct ks_loop *l;
	struct reader r;
	struct feeder f;
	int out[2];

	loop_threads = (unsigned int)_i;
	ck_assert_int_eq(ks_loop_block_signals(), 0);
	src_open(&s);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	loop_config(&cfg, &s, &e, out[1]);
	ck_assert_int_eq(ks_loop_new(&cfg, &l), 0);
	reader_start(&r, out[0], 65536);
	f = (struct feeder){ .src = &s, .enc = &e, .frames = 2 };
	ck_assert_int_eq(pthread_create(&f.thr, NULL, feeder_main, &f), 0);
	ck_assert_int_eq(ks_loop_run(l), KS_STOP_ERROR);
	pthread_join(f.thr, NULL);
	ck_assert_int_eq(ks_loop_error(l), -EIO);
	ck_assert_str_eq(ks_loop_error_msg(l), "injected failure at frame 2");
	ck_assert_uint_eq(atomic_load(&e.frames), 1);
	ck_assert_uint_eq(ks_loop_stats(l)->total.encoded, 1);
	ks_loop_free(l);
	close(out[1]);
	pthread_join(r.thr, NULL);
	check_all_released_once(&s, 2);
	ks_buf_free(&r.got);
}
END_TEST

/*
 * With the encode thread, the loop keeps reading while a frame encodes:
 * frame 2 arrives while frame 1 is in the encoder and is replaced by
 * frame 3 -- released (and counted dropped) before frame 1 is done, its
 * flags folded into frame 3.  Frames 1 and 3 are encoded, in order.
 */
struct busy_ctl {
	struct fake_src *s;
	struct fake_enc *e;
	bool ok;
};

static void *busy_main(void *arg)
{
	struct busy_ctl *c = arg;
	struct kmscap_event ev;

	/* frame 1 is in the encoder, which waits */
	pthread_mutex_lock(&c->s->lock);
	while (atomic_load(&c->e->started) < 1)
		pthread_cond_wait(&c->s->cond, &c->s->lock);
	pthread_mutex_unlock(&c->s->lock);
	make_event(&ev, 2, KMSCAP_FRAME_CURSOR_CHANGED);
	send_event(c->s, &ev);
	make_event(&ev, 3, 0);
	send_event(c->s, &ev);
	/* frame 2 comes back while frame 1 is still being encoded */
	pthread_mutex_lock(&c->s->lock);
	while (atomic_load(&c->s->release_count[2]) == 0)
		pthread_cond_wait(&c->s->cond, &c->s->lock);
	c->ok = atomic_load(&c->e->frames) == 0 && atomic_load(&c->s->release_count[1]) == 0;
	c->e->unblock = true;
	pthread_cond_broadcast(&c->s->cond);
	pthread_mutex_unlock(&c->s->lock);
	return NULL;
}

START_TEST(loop_threads2_busy_encoder)
{
	struct fake_enc e = { .unit_size = 24, .block_seq = 1 };
	struct busy_ctl b;
	pthread_t thr;
	struct ks_loop_config cfg;
	struct ks_buf want = { 0 };
	struct kmscap_event ev;
	struct fake_src s;
	struct ks_loop *l;
	struct reader r;
	int out[2];

	loop_threads = 2;
	ck_assert_int_eq(ks_loop_block_signals(), 0);
	src_open(&s);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	loop_config(&cfg, &s, &e, out[1]);
	cfg.max_frames = 3;
	ck_assert_int_eq(ks_loop_new(&cfg, &l), 0);
	reader_start(&r, out[0], 65536);
	make_event(&ev, 1, KMSCAP_FRAME_FIRST);
	send_event(&s, &ev);
	b = (struct busy_ctl){ .s = &s, .e = &e };
	ck_assert_int_eq(pthread_create(&thr, NULL, busy_main, &b), 0);
	ck_assert_int_eq(ks_loop_run(l), KS_STOP_FRAMES);
	pthread_join(thr, NULL);
	ck_assert_msg(b.ok, "frame 1 finished before frame 2 was released");
	ck_assert_int_eq(ks_loop_error(l), 0);
	ck_assert_uint_eq(atomic_load(&e.frames), 2);
	ck_assert_uint_eq(ks_loop_stats(l)->total.frames_in, 3);
	ck_assert_uint_eq(ks_loop_stats(l)->total.encoded, 2);
	ck_assert_uint_eq(ks_loop_stats(l)->total.dropped, 1);
	ck_assert_uint_eq(ks_loop_stats(l)->total.released, 3);
	ck_assert(e.flags[3] & KMSCAP_FRAME_CURSOR_CHANGED);
	ck_assert_uint_eq(e.flags[2], 0);	/* never seen by the encoder */
	ks_loop_free(l);
	close(out[1]);
	pthread_join(r.thr, NULL);
	expected_unit(&want, 1, 24, false);
	expected_unit(&want, 3, 24, false);
	ks_buf_append(&want, "\0\0\0\1\x0b", 5);
	ck_assert_uint_eq(r.got.len, want.len);
	ck_assert_mem_eq(r.got.data, want.data, want.len);
	check_all_released_once(&s, 3);
	ks_buf_free(&want);
	ks_buf_free(&r.got);
}
END_TEST

/* ---- control lines ------------------------------------------------ */

/* Wait (on the condition variable) until the encoder saw @n IDR requests. */
static void wait_idr_requests(struct fake_src *s, struct fake_enc *e, unsigned int n)
{
	pthread_mutex_lock(&s->lock);
	while (atomic_load(&e->idr_requests) < n)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

/* Bytes a control test sends before a frame. */
struct ctl_step {
	unsigned int before;	/* before this frame (1-based); 0 ends the list */
	const char *data;
	size_t len;		/* 0: strlen(data) */
	unsigned int wait_idr;	/* then wait until the encoder saw this many requests */
	bool shut;		/* then shut the writing side of the socket */
};

struct ctl_feeder {
	struct fake_src *src;
	struct fake_enc *enc;
	unsigned int frames;
	int fd;			/* the peer socket the lines go to, or -1: ... */
	const char *fifo;	/* ... this FIFO, opened and closed for each step */
	const struct ctl_step *steps;
	pthread_t thr;
};

static void write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, data, len);
		ck_assert_msg(n > 0, "writing control bytes: %s", strerror(errno));
		data += n;
		len -= (size_t)n;
	}
}

static void *ctl_feeder_main(void *arg)
{
	struct ctl_feeder *f = arg;
	const struct ctl_step *st;
	struct kmscap_event ev;
	unsigned int i;
	int fd;

	for (i = 1; i <= f->frames; i++) {
		for (st = f->steps; st->before; st++) {
			if (st->before != i)
				continue;
			fd = f->fifo ? open(f->fifo, O_WRONLY | O_CLOEXEC) : f->fd;
			ck_assert_int_ge(fd, 0);
			write_all(fd, st->data, st->len ? st->len : strlen(st->data));
			if (st->shut)
				ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
			if (f->fifo)
				close(fd);	/* the writer goes away: no end of file */
			if (st->wait_idr)
				wait_idr_requests(f->src, f->enc, st->wait_idr);
		}
		make_event(&ev, i, i == 1 ? KMSCAP_FRAME_FIRST : 0);
		send_event(f->src, &ev);
		wait_released(f->src, i);
	}
	return NULL;
}

/* Everything read from @fd until the end of file (a pipe of notices). */
static char *slurp(int fd)
{
	struct ks_buf b = { 0 };
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		ck_assert_int_eq(ks_buf_append(&b, buf, (size_t)n), 0);
	ck_assert_int_eq(ks_buf_append(&b, "", 1), 0);
	return (char *)b.data;
}

static unsigned int count_str(const char *hay, const char *needle)
{
	unsigned int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* What a control run should produce: the frames in order, IDRs where asked. */
static void check_control_output(const struct reader *r, unsigned int frames, size_t size,
				 const unsigned int *idr, unsigned int nidr)
{
	struct ks_buf want = { 0 };
	unsigned int i, k;
	bool is_idr;

	for (i = 1; i <= frames; i++) {
		is_idr = false;
		for (k = 0; k < nidr; k++)
			is_idr |= idr[k] == i;
		expected_unit(&want, i, size, is_idr);
	}
	ks_buf_append(&want, "\0\0\0\1\x0b", 5);
	ck_assert_uint_eq(r->got.len, want.len);
	ck_assert_mem_eq(r->got.data, want.data, want.len);
	ks_buf_free(&want);
}

/* One control run: the loop streams @frames to a stream socket pair. */
struct ctl_run {
	unsigned int frames;
	const struct ctl_step *steps;
	const char *pre;	/* written to the peer before the loop starts */
	size_t pre_len;
	bool pre_shut;		/* and then its writing side is shut */
	int control_fd;		/* --control, or -1 */
	const char *control_name;
	const char *fifo;	/* the steps go to this FIFO instead of the peer */
	int steps_fd;		/* or to this socket (0: the output's peer) */
	bool nonblock;		/* the output socket is non-blocking */
	/* results */
	struct fake_enc e;
	struct ks_counters tot;
	uint64_t reads;		/* control READs the loop submitted */
	char *notices;
};

static void run_control(struct ctl_run *cr)
{
	struct ks_loop_config cfg;
	struct ctl_feeder f;
	struct fake_src s;
	struct ks_loop *l;
	struct reader r;
	int sv[2], st[2];

	ck_assert_int_eq(ks_loop_block_signals(), 0);
	src_open(&s);
	memset(&cr->e, 0, sizeof(cr->e));
	cr->e.unit_size = 48;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(pipe2(st, O_CLOEXEC), 0);
	if (cr->pre)
		write_all(sv[1], cr->pre, cr->pre_len ? cr->pre_len : strlen(cr->pre));
	if (cr->pre_shut)
		ck_assert_int_eq(shutdown(sv[1], SHUT_WR), 0);
	/*
	 * a non-blocking output socket (sockets support non-blocking reads,
	 * so io_uring still waits for data instead of returning -EAGAIN)
	 */
	if (cr->nonblock)
		ck_assert_int_eq(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	loop_config(&cfg, &s, &cr->e, sv[0]);
	close(cfg.stats_fd);
	cfg.stats_fd = st[1];
	cfg.out_control = true;
	cfg.control_fd = cr->control_fd;
	cfg.control_name = cr->control_name;
	cfg.max_frames = cr->frames;
	ck_assert_int_eq(ks_loop_new(&cfg, &l), 0);
	reader_start(&r, sv[1], 65536);
	f = (struct ctl_feeder){ .src = &s, .enc = &cr->e, .frames = cr->frames,
				 .fd = cr->steps_fd > 0 ? cr->steps_fd : sv[1], .fifo = cr->fifo,
				 .steps = cr->steps };
	ck_assert_int_eq(pthread_create(&f.thr, NULL, ctl_feeder_main, &f), 0);
	ck_assert_int_eq(ks_loop_run(l), KS_STOP_FRAMES);
	ck_assert_msg(ks_loop_error(l) == 0, "loop error: %s", ks_loop_error_msg(l));
	pthread_join(f.thr, NULL);
	cr->tot = ks_loop_stats(l)->total;
	cr->reads = ks_loop_control_reads(l);
	ck_assert_uint_eq(cr->tot.frames_in, cr->frames);
	ck_assert_uint_eq(cr->tot.encoded, cr->frames);
	ks_loop_free(l);
	close(st[1]);
	cr->notices = slurp(st[0]);
	close(st[0]);
	{
		/* the notices, then the summary line, which counts the requests too */
		char *sum = strstr(cr->notices, "summary ");
		char want[128];

		ck_assert_msg(sum && (sum == cr->notices || sum[-1] == '\n'),
			      "no summary in: %s", cr->notices);
		snprintf(want, sizeof(want), " idr_requests %llu control_ignored %llu\n",
			 (unsigned long long)cr->tot.idr_requests,
			 (unsigned long long)cr->tot.ctl_ignored);
		ck_assert_msg(strstr(sum, want) && !strcmp(strstr(sum, want), want),
			      "summary '%s' does not end in '%s'", sum, want);
		*sum = '\0';
	}
	/* the peer sees the end of the stream once our side is closed */
	close(sv[0]);
	pthread_join(r.thr, NULL);
	check_control_output(&r, cr->frames, 48, cr->e.idr_frames, cr->e.nidr);
	check_all_released_once(&s, cr->frames);
	ks_buf_free(&r.got);
	close(sv[1]);
	close(s.rd);
	close(s.wr);
}

/* "idr" from the output socket's peer makes the next frame an IDR. */
START_TEST(loop_control_socket)
{
	static const struct ctl_step steps[] = {
		{ .before = 3, .data = "idr\n", .wait_idr = 1 },
		{ .before = 5, .data = "idr\r\n", .wait_idr = 2 },
		{ 0 },
	};
	struct ctl_run cr = { .frames = 6, .steps = steps, .control_fd = -1 };

	loop_threads = (unsigned int)_i;
	run_control(&cr);
	ck_assert_uint_eq(cr.e.nidr, 2);
	ck_assert_uint_eq(cr.e.idr_frames[0], 3);
	ck_assert_uint_eq(cr.e.idr_frames[1], 5);
	ck_assert_uint_eq(cr.tot.idr_requests, 2);
	ck_assert_uint_eq(cr.tot.ctl_ignored, 0);
	ck_assert_str_eq(cr.notices, "");
	free(cr.notices);
}
END_TEST

/* Lines that are not "idr" are counted and ignored, one notice names the first. */
START_TEST(loop_control_garbage)
{
	char junk[512];
	struct ctl_step steps[3] = {
		{ .before = 1, .data = junk, .wait_idr = 1 },
		/* "idr" split over two writes */
		{ .before = 3, .data = "id" },
		{ .before = 3, .data = "r\n", .wait_idr = 2 },
	};
	struct ctl_step all[4];
	struct ctl_run cr = { .frames = 4, .steps = all, .control_fd = -1, .nonblock = true };
	int n;

	loop_threads = (unsigned int)_i;
	/* 5 not understood (two names, a space, a control byte, 200 bytes), 1 empty */
	n = snprintf(junk, sizeof(junk), "hello\n\nIDR\nidr \nbad\x01line\n%0200d\nidr\n", 7);
	ck_assert_int_lt(n, (int)sizeof(junk));
	memcpy(all, steps, sizeof(steps));
	memset(&all[3], 0, sizeof(all[3]));
	run_control(&cr);
	ck_assert_uint_eq(cr.tot.ctl_ignored, 5);
	ck_assert_uint_eq(cr.tot.idr_requests, 2);
	ck_assert_uint_eq(cr.e.nidr, 2);
	ck_assert_uint_eq(cr.e.idr_frames[0], 1);
	ck_assert_uint_eq(cr.e.idr_frames[1], 3);
	ck_assert_str_eq(cr.notices,
			 "kmscap-stream: control from the output socket: unknown line 'hello' "
			 "ignored (further ones are only counted)\n");
	free(cr.notices);
}
END_TEST

/* The peer shuts its writing side: reading stops, the stream goes on. */
START_TEST(loop_control_peer_eof)
{
	static const struct ctl_step none[] = { { 0 } };
	struct ctl_run cr = { .frames = 5, .steps = none, .control_fd = -1,
			      .pre = "junk\nidr", .pre_shut = true };

	loop_threads = (unsigned int)_i;
	run_control(&cr);
	/* "junk", and "idr" without its newline, which is no request */
	ck_assert_uint_eq(cr.tot.ctl_ignored, 2);
	ck_assert_uint_eq(cr.tot.idr_requests, 0);
	ck_assert_uint_eq(cr.e.nidr, 0);
	ck_assert_uint_eq(atomic_load(&cr.e.idr_requests), 0);
	ck_assert_uint_eq(count_str(cr.notices, "\n"), 1);
	/*
	 * no busy loop on the end of file: one READ got the bytes (written
	 * before the loop started), the next one the end, and no more
	 */
	ck_assert_uint_eq(cr.reads, 2);
	ck_assert_ptr_nonnull(strstr(cr.notices, "unknown line 'junk' ignored"));
	free(cr.notices);
}
END_TEST

static void make_path(char *buf, size_t size, const char *what)
{
	snprintf(buf, size, "%s/ctl-%d-%u-%s", ks_test_workdir(), (int)getpid(), loop_threads,
		 what);
	unlink(buf);
}

/* --control FIFO: writers come and go; a long line is named once, cut. */
START_TEST(loop_control_fifo)
{
	char path[512], longline[80], want[1024];
	struct ctl_step steps[] = {
		{ .before = 1, .data = longline, .wait_idr = 1 },
		{ .before = 4, .data = "idr\n", .wait_idr = 2 },
		{ 0 },
	};
	struct ctl_run cr = { .frames = 5, .steps = steps };
	char err[512];
	int fd, fl;

	loop_threads = (unsigned int)_i;
	make_path(path, sizeof(path), "fifo");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	fd = ks_control_open(path, err, sizeof(err));
	ck_assert_msg(fd >= 0, "ks_control_open: %s", err);
	fl = fcntl(fd, F_GETFL);
	ck_assert_int_eq(fl & O_ACCMODE, O_RDWR);
	ck_assert_int_eq(fl & O_NONBLOCK, 0);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	/* 70 'x', one over the limit by 6, then a request */
	memset(longline, 'x', 70);
	memcpy(longline + 70, "\nidr\n", 6);
	longline[76] = '\0';
	cr.control_fd = fd;
	cr.control_name = path;
	cr.fifo = path;
	run_control(&cr);
	ck_assert_uint_eq(cr.e.nidr, 2);
	ck_assert_uint_eq(cr.e.idr_frames[0], 1);
	ck_assert_uint_eq(cr.e.idr_frames[1], 4);
	ck_assert_uint_eq(cr.tot.idr_requests, 2);
	ck_assert_uint_eq(cr.tot.ctl_ignored, 1);
	snprintf(want, sizeof(want),
		 "kmscap-stream: control from --control %s: line longer than %d bytes "
		 "'%.*s...' ignored (further ones are only counted)\n", path, KS_CTL_MAX_LINE,
		 KS_CTL_MAX_LINE, longline);
	ck_assert_str_eq(cr.notices, want);
	free(cr.notices);
	close(fd);
	unlink(path);
}
END_TEST

/* A listening socket to connect --control to. */
static int listen_unix(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(strlen(path), sizeof(sun.sun_path));
	strcpy(sun.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	return fd;
}

/* --control on a listening unix socket; the daemon closes its side after one request. */
START_TEST(loop_control_unix_socket)
{
	static const struct ctl_step steps[] = {
		{ .before = 2, .data = "idr\n", .wait_idr = 1, .shut = true },
		{ 0 },
	};
	struct ctl_run cr = { .frames = 4, .steps = steps };
	char path[512], err[512];
	int lfd, fd, peer;

	loop_threads = (unsigned int)_i;
	make_path(path, sizeof(path), "sock");
	lfd = listen_unix(path);
	fd = ks_control_open(path, err, sizeof(err));
	ck_assert_msg(fd >= 0, "ks_control_open: %s", err);
	peer = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(peer, 0);
	cr.control_fd = fd;
	cr.control_name = path;
	/* the steps go to the daemon's end; the output's peer stays silent */
	cr.steps_fd = peer;	/* the output's peer stays silent */
	run_control(&cr);
	ck_assert_uint_eq(cr.e.nidr, 1);
	ck_assert_uint_eq(cr.e.idr_frames[0], 2);
	ck_assert_uint_eq(cr.tot.idr_requests, 1);
	ck_assert_uint_eq(cr.tot.ctl_ignored, 0);
	ck_assert_str_eq(cr.notices, "");
	free(cr.notices);
	close(peer);
	close(fd);
	close(lfd);
	unlink(path);
}
END_TEST

static void expect_open_error(const char *path, int ret, const char *fmt)
{
	char err[512], want[1024];
	int fd;

	snprintf(want, sizeof(want), fmt, path);
	fd = ks_control_open(path, err, sizeof(err));
	if (fd >= 0)
		close(fd);
	ck_assert_msg(fd == ret, "%s: got %d (%s), want %d", path, fd, fd < 0 ? err : "", ret);
	ck_assert_str_eq(err, want);
}

/* --control's errors name the path and say what is wrong with it. */
START_TEST(loop_control_open_errors)
{
	char dir[] = "/tmp/ks-ctl-XXXXXX", path[512], err[512], buf[8];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, lfd, peer, st[2], status;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);

	snprintf(path, sizeof(path), "%s/missing", dir);
	expect_open_error(path, -ENOENT, "--control %s: No such file or directory "
			  "(create a FIFO with mkfifo, or listen on a unix socket there)");
	snprintf(path, sizeof(path), "%s/missing/x", dir);
	expect_open_error(path, -ENOENT, "--control %s: No such file or directory "
			  "(create a FIFO with mkfifo, or listen on a unix socket there)");
	expect_open_error(dir, -EINVAL, "--control %s: not a FIFO or a unix socket");
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	expect_open_error(path, -EINVAL, "--control %s: not a FIFO or a unix socket");
	snprintf(path, sizeof(path), "%s/file/x", dir);
	expect_open_error(path, -ENOTDIR, "--control %s: Not a directory");

	/* a socket nobody listens on */
	snprintf(path, sizeof(path), "%s/sock", dir);
	strcpy(sun.sun_path, path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	expect_open_error(path, -ECONNREFUSED, "--control %s: cannot connect: Connection refused");
	/* once it listens: connected, and what the daemon writes is read */
	ck_assert_int_eq(listen(lfd, 1), 0);
	fd = ks_control_open(path, err, sizeof(err));
	ck_assert_msg(fd >= 0, "ks_control_open: %s", err);
	peer = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(peer, 0);
	write_all(peer, "idr\n", 4);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 4);
	ck_assert_mem_eq(buf, "idr\n", 4);
	close(peer);
	close(fd);
	close(lfd);
	unlink(path);

	/* a FIFO the user may not write to (it is opened read-write) */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	ck_assert_int_eq(pipe2(st, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int ret = -1;

		if (!setgid(65534) && !setuid(65534))
			ret = ks_control_open(path, err, sizeof(err));
		if (ret >= 0)
			snprintf(err, sizeof(err), "opened (fd %d)", ret);
		else if (ret == -1)
			snprintf(err, sizeof(err), "could not become uid 65534");
		if (write(st[1], err, strlen(err)) < 0)
			_exit(2);
		_exit(0);
	}
	close(st[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	{
		char *got = slurp(st[0]), want[1024];

		snprintf(want, sizeof(want),
			 "--control %s: Permission denied (a FIFO is opened to read and write)",
			 path);
		if (getuid() != 0 && !strcmp(got, "could not become uid 65534")) {
			free(got);
			ks_skip("not root: cannot try the FIFO as uid 65534");
		}
		ck_assert_str_eq(got, want);
		free(got);
	}
	close(st[0]);
	unlink(path);
	snprintf(path, sizeof(path), "%s/file", dir);
	unlink(path);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* NAME in the one-thread model, NAME_threads2 with the encode thread. */
static void add_both(Suite *s, const char *name, const TTest *t)
{
	/* Check keeps the name's pointer for the run: one slot per test */
	static char names2[32][96];
	static unsigned int n;
	TCase *tc;

	if (n == sizeof(names2) / sizeof(names2[0])) {
		fprintf(stderr, "test_loop.c: add_both: more than %u tests, make names2 bigger\n", n);
		abort();
	}
	tc = tcase_create(name);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, t, 1, 2);
	suite_add_tcase(s, tc);
	snprintf(names2[n], sizeof(names2[n]), "%s_threads2", name);
	tc = tcase_create(names2[n++]);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, t, 2, 3);
	suite_add_tcase(s, tc);
}

#define ADD_BOTH(s, t) add_both((s), #t, t)

Suite *ks_suite_loop(void)
{
	Suite *s = suite_create("loop");

	ADD_BOTH(s, loop_frames_to_pipe);
	ADD_BOTH(s, loop_partial_writes);
	ADD_BOTH(s, loop_encoder_releases_early);
	ADD_BOTH(s, loop_latest_wins);
	ADD_BOTH(s, loop_signals);
	ADD_BOTH(s, loop_hangup);
	ADD_BOTH(s, loop_source_closed_is_hangup);
	ADD_BOTH(s, loop_duration_and_stats);
	ADD_BOTH(s, loop_waiting_notice);
	ADD_BOTH(s, loop_output_closed);
	ADD_BOTH(s, loop_backpressure_drops);
	ADD_BOTH(s, loop_side_output);
	ADD_BOTH(s, loop_encoder_fails);
	ADD_BOTH(s, loop_control_socket);
	ADD_BOTH(s, loop_control_garbage);
	ADD_BOTH(s, loop_control_peer_eof);
	ADD_BOTH(s, loop_control_fifo);
	ADD_BOTH(s, loop_control_unix_socket);
	KS_ADD(s, loop_control_open_errors);
	KS_ADD(s, loop_threads2_busy_encoder);
	return s;
}
