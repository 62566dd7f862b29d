// SPDX-License-Identifier: MIT
/*
 * The loop reading the source's fd itself (ks_source_ops.decode): a
 * POLL_ADD linked to a READ in the ring, on a real fd (a pipe) carrying
 * framed or 1.0 events.  The source's read() must never be called; each
 * READ's bytes go to decode() as they came: several events in one READ
 * (the older frames dropped and released), unknown types and flip-done
 * events among them, a hang-up event, the end of file, and a cut event
 * (-EBADMSG from decode: the loop stops with an error naming it).  Every
 * test runs with threads 1 and 2 (the loop test index).  No sleeps: the
 * feeder waits for the releases.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ks_test.h"
#include "libkmscap.h"
#include "pipe_loop.h"

#define RR_MAX_SEQ 32

struct rr_src {
	struct ks_pipe_loop pl;
	bool framed;
	atomic_uint reads, decodes, flip_dones;
	atomic_uint release_count[RR_MAX_SEQ + 1];
	/*
	 * A byte per release, for the feeder; the write end is closed once
	 * the loop is gone, which ends the feeder's waiting.
	 */
	int rel[2];
	unsigned int seen;		/* feeder: releases read from rel[0] */
	struct kmscap_event_flip_done done[RR_MAX_SEQ];
	unsigned int ndone;
};

struct rr_enc {
	atomic_uint frames;
	uint64_t last_seq;
};

static int rr_read(void *opaque, struct kmscap_event *evs, size_t max)
{
	struct rr_src *s = opaque;

	(void)evs;
	(void)max;
	atomic_fetch_add(&s->reads, 1);
	return -EIO;	/* never called: the loop reads the fd itself */
}

static size_t rr_read_size(void *opaque)
{
	struct rr_src *s = opaque;

	return s->framed ? sizeof(struct kmscap_event_frame) + 64 : sizeof(struct kmscap_event);
}

/* The library's decoders, framed or 1.0; a cut event is -EBADMSG. */
static int rr_decode(void *opaque, const void *buf, size_t len, struct kmscap_event *evs,
		     size_t max)
{
	struct rr_src *s = opaque;
	const unsigned char *p = buf;
	size_t off = 0, used, n = 0;
	int ret;

	atomic_fetch_add(&s->decodes, 1);
	while (off < len) {
		if (!s->framed) {
			used = sizeof(struct kmscap_event);
			if (len - off < used || kmscap_event_decode(p + off, used, &evs[n], NULL))
				return -EBADMSG;
			ret = 1;
		} else {
			ret = kmscap_event_parse(p + off, len - off, &used, &evs[n], NULL);
			if (ret == 0 && kmscap_event_parse_flip_done(p + off, len - off, &used,
								     &s->done[s->ndone], NULL) == 1)
				s->ndone++;
			if (ret < 0)
				return ret;
		}
		off += used;
		if (ret == 1)
			n++;
		ck_assert_uint_le(n, max);
	}
	return (int)n;
}

static int rr_flip_done(void *opaque, struct kmscap_event_flip_done *out, size_t max)
{
	struct rr_src *s = opaque;
	size_t n = 0;

	for (; n < max && n < s->ndone; n++)
		out[n] = s->done[n];
	s->ndone = 0;
	atomic_fetch_add(&s->flip_dones, (unsigned int)n);
	return (int)n;
}

static int rr_release(void *opaque, uint64_t seq)
{
	struct rr_src *s = opaque;

	ck_assert_uint_le(seq, RR_MAX_SEQ);
	atomic_fetch_add(&s->release_count[seq], 1);
	ck_assert_int_eq(write(s->rel[1], "r", 1), 1);
	return 0;
}

static const struct ks_source_ops rr_src_ops = {
	.read = rr_read,
	.release = rr_release,
	.flip_done = rr_flip_done,
	.read_size = rr_read_size,
	.decode = rr_decode,
};

static int rr_encode(void *opaque, struct ks_frame *f)
{
	struct rr_enc *e = opaque;
	char line[32];
	int n = snprintf(line, sizeof(line), "F%llu\n", (unsigned long long)f->ev.seq);

	e->last_seq = f->ev.seq;
	atomic_fetch_add(&e->frames, 1);
	f->stats->total.encoded++;
	return ks_buf_append(&f->out, line, (size_t)n);
}

static const struct ks_encoder_ops rr_enc_ops = { .encode = rr_encode };

/* The bytes of frame @seq (framed: with @extra bytes of a later module) at @buf. */
static size_t rr_frame(const struct rr_src *s, unsigned char *buf, uint64_t seq)
{
	struct kmscap_event ev;

	if (!s->framed) {
		memset(&ev, 0, sizeof(ev));
		ev.type = KMSCAP_EVENT_FRAME;
		ev.flags = KMSCAP_FRAME_FULL_DAMAGE;
		ev.seq = seq;
		ev.width = 64;
		ev.height = 48;
		ev.num_planes = 1;
		memcpy(buf, &ev, sizeof(ev));
		return sizeof(ev);
	}
	return ks_framed_frame(buf, seq);
}

static size_t rr_hangup(const struct rr_src *s, unsigned char *buf)
{
	struct kmscap_event_hangup h;
	struct kmscap_event ev;

	if (!s->framed) {
		memset(&ev, 0, sizeof(ev));
		ev.type = KMSCAP_EVENT_HANGUP;
		memcpy(buf, &ev, sizeof(ev));
		return sizeof(ev);
	}
	memset(&h, 0, sizeof(h));
	h.base.type = KMSCAP_EVENT_HANGUP;
	h.base.length = sizeof(h);
	memcpy(buf, &h, sizeof(h));
	return sizeof(h);
}

/* A flip-done and a type of a later ABI: skipped by the loop. */
static size_t rr_extras(unsigned char *buf, uint64_t seq)
{
	struct kmscap_event_flip_done d;
	struct kmscap_event_header hdr = { .type = 0x7777, .length = 16 };

	memset(&d, 0, sizeof(d));
	d.base.type = KMSCAP_EVENT_FLIP_DONE;
	d.base.length = sizeof(d);
	d.seq = seq;
	d.timestamp_ns = 1000 * seq;
	memcpy(buf, &d, sizeof(d));
	memset(buf + sizeof(d), 0, 16);
	memcpy(buf + sizeof(d), &hdr, sizeof(hdr));
	return sizeof(d) + 16;
}

static void rr_write(struct rr_src *s, const void *buf, size_t len)
{
	ck_assert_int_eq(write(s->pl.src_wr, buf, len), (ssize_t)len);
}

/* Block until @n frames were released in all, or the loop is gone. */
static void rr_wait_released(struct rr_src *s, unsigned int n)
{
	char b;

	while (s->seen < n && read(s->rel[0], &b, 1) == 1)
		s->seen++;
}

enum rr_script { RR_ONE_BY_ONE, RR_BATCH, RR_HANGUP_EVENT, RR_EOF, RR_CUT };

struct rr_feeder {
	struct rr_src *src;
	enum rr_script script;
	unsigned int frames;
	pthread_t thr;
};

static void *rr_feeder_main(void *arg)
{
	struct rr_feeder *f = arg;
	struct rr_src *s = f->src;
	unsigned char buf[4096];
	size_t n = 0;
	unsigned int i;

	switch (f->script) {
	case RR_BATCH:
		/* frames 1-3 in one write, then 4 alone: 1 and 2 dropped */
		for (i = 1; i <= 3; i++) {
			n += rr_frame(s, buf + n, i);
			if (s->framed)
				n += rr_extras(buf + n, i);
		}
		rr_write(s, buf, n);
		rr_wait_released(s, 3);
		n = rr_frame(s, buf, 4);
		rr_write(s, buf, n);
		break;
	case RR_CUT:
		n = rr_frame(s, buf, 1);
		rr_write(s, buf, n);
		rr_wait_released(s, 1);
		n = rr_frame(s, buf, 2);
		rr_write(s, buf, n - 8);
		break;
	default:
		for (i = 1; i <= f->frames; i++) {
			n = rr_frame(s, buf, i);
			if (s->framed)
				n += rr_extras(buf + n, i);
			rr_write(s, buf, n);
			rr_wait_released(s, i);
		}
		if (f->script == RR_HANGUP_EVENT)
			rr_write(s, buf, rr_hangup(s, buf));
		if (f->script == RR_EOF) {
			close(s->pl.src_wr);
			s->pl.src_wr = -1;
		}
		break;
	}
	return NULL;
}

/* Run @script through a loop with @framed events; the stop reason, the output in @out. */
static enum ks_stop rr_run(struct rr_src *s, struct rr_enc *e, bool framed,
			   enum rr_script script, unsigned int frames, uint64_t max_frames,
			   unsigned int threads, char *out, size_t outlen, char *err, size_t errlen)
{
	struct rr_feeder feeder = { .src = s, .script = script, .frames = frames };
	struct ks_loop_config cfg;
	struct ks_loop *l;
	enum ks_stop why;

	memset(s, 0, sizeof(*s));
	memset(e, 0, sizeof(*e));
	ck_assert_int_eq(pipe2(s->rel, O_CLOEXEC), 0);
	s->framed = framed;
	ks_pipe_loop_open(&s->pl, &cfg);
	cfg.src = &rr_src_ops;
	cfg.src_opaque = s;
	cfg.enc = &rr_enc_ops;
	cfg.enc_opaque = e;
	cfg.max_frames = max_frames;
	cfg.threads = threads;
	ck_assert_int_eq(ks_loop_new(&cfg, &l), 0);
	ck_assert_int_eq(pthread_create(&feeder.thr, NULL, rr_feeder_main, &feeder), 0);
	why = ks_loop_run(l);
	snprintf(err, errlen, "%s", ks_loop_error_msg(l));
	ks_loop_free(l);
	close(s->rel[1]);
	pthread_join(feeder.thr, NULL);
	close(s->rel[0]);
	ks_pipe_loop_close(&s->pl, &cfg, out, outlen);
	ck_assert_uint_eq(atomic_load(&s->reads), 0);
	ck_assert_uint_gt(atomic_load(&s->decodes), 0);
	return why;
}

static void rr_check_released_once(struct rr_src *s, unsigned int n)
{
	unsigned int i;

	for (i = 1; i <= n; i++)
		ck_assert_msg(atomic_load(&s->release_count[i]) == 1, "frame %u released %u times",
			      i, atomic_load(&s->release_count[i]));
}

/* _i: bit 0 framed, bit 1 threads 2 */
START_TEST(ring_read_frames)
{
	struct rr_src s;
	struct rr_enc e;
	char out[4096], err[256];

	ck_assert_int_eq(rr_run(&s, &e, _i & 1, RR_ONE_BY_ONE, 5, 5, 1 + (_i >> 1), out,
				sizeof(out), err, sizeof(err)), KS_STOP_FRAMES);
	ck_assert_str_eq(out, "F1\nF2\nF3\nF4\nF5\n");
	rr_check_released_once(&s, 5);
	if (_i & 1)
		ck_assert_uint_eq(atomic_load(&s.flip_dones), 5);
}
END_TEST

START_TEST(ring_read_batch)
{
	struct rr_src s;
	struct rr_enc e;
	char out[4096], err[256];

	ck_assert_int_eq(rr_run(&s, &e, _i & 1, RR_BATCH, 0, 4, 1 + (_i >> 1), out, sizeof(out),
				err, sizeof(err)), KS_STOP_FRAMES);
	/* one READ brought 1-3: only the newest was encoded */
	ck_assert_str_eq(out, "F3\nF4\n");
	rr_check_released_once(&s, 4);
	if (_i & 1)
		ck_assert_uint_eq(atomic_load(&s.flip_dones), 3);
}
END_TEST

START_TEST(ring_read_hangup_event)
{
	struct rr_src s;
	struct rr_enc e;
	char out[4096], err[256];

	ck_assert_int_eq(rr_run(&s, &e, _i & 1, RR_HANGUP_EVENT, 2, 0, 1 + (_i >> 1), out,
				sizeof(out), err, sizeof(err)), KS_STOP_HANGUP);
	ck_assert_str_eq(out, "F1\nF2\n");
	rr_check_released_once(&s, 2);
}
END_TEST

START_TEST(ring_read_eof)
{
	struct rr_src s;
	struct rr_enc e;
	char out[4096], err[256];

	ck_assert_int_eq(rr_run(&s, &e, _i & 1, RR_EOF, 2, 0, 1 + (_i >> 1), out, sizeof(out),
				err, sizeof(err)), KS_STOP_HANGUP);
	ck_assert_str_eq(out, "F1\nF2\n");
	rr_check_released_once(&s, 2);
}
END_TEST

START_TEST(ring_read_cut_event)
{
	struct rr_src s;
	struct rr_enc e;
	char out[4096], err[256];

	ck_assert_int_eq(rr_run(&s, &e, _i & 1, RR_CUT, 0, 0, 1 + (_i >> 1), out, sizeof(out),
				err, sizeof(err)), KS_STOP_ERROR);
	ck_assert_str_eq(out, "F1\n");
	ck_assert_msg(strstr(err, "decoding") && strstr(err, "Bad message"), "error: %s", err);
}
END_TEST

static void rr_add(Suite *s, const char *name, const TTest *t)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, t, 0, 4);
	suite_add_tcase(s, tc);
}

Suite *ks_suite_ring_read(void)
{
	Suite *s = suite_create("ring_read");

	rr_add(s, "ring_read_frames", ring_read_frames);
	rr_add(s, "ring_read_batch", ring_read_batch);
	rr_add(s, "ring_read_hangup_event", ring_read_hangup_event);
	rr_add(s, "ring_read_eof", ring_read_eof);
	rr_add(s, "ring_read_cut_event", ring_read_cut_event);
	return s;
}
