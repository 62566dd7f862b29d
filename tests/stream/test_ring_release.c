// SPDX-License-Identifier: MIT
/*
 * The loop giving frames back in its ring (ks_source_ops.prep_release and
 * .revoked, ABI 1.5's io_uring RELEASE and status page): with threads 1
 * every release is an entry of the ring, submitted by the io_uring_enter()
 * that waits for the next frame, never the source's release(); a frame
 * that revoked() says was revoked while converted is torn: not encoded,
 * counted, given back all the same.  With threads 2, or a source whose
 * prep_release() refuses, the source's release() gives frames back, as
 * before.  The source is a pipe of framed events; its "release entry" is
 * a WRITE of the frame's seq into a second pipe, so the test sees which
 * releases the kernel executed, and the feeder waits for them (no sleep).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <liburing.h>

#include "ks_test.h"
#include "libkmscap.h"
#include "pipe_loop.h"

#define RL_FRAMES 6

struct rl_src {
	struct ks_pipe_loop pl;
	int rel[2];		/* seqs given back: 8 bytes each, by the ring or by release() */
	bool refuse;		/* prep_release() says -EOPNOTSUPP */
	uint64_t torn_seq;	/* revoked() says 1 for it */
	uint64_t seqbuf[RL_FRAMES + 1];
	atomic_uint preps, direct, revoked_asks;
};

static size_t rl_read_size(void *opaque)
{
	(void)opaque;
	return sizeof(struct kmscap_event_frame) + 64;
}

static int rl_read(void *opaque, struct kmscap_event *evs, size_t max)
{
	(void)opaque;
	(void)evs;
	(void)max;
	return -EIO;	/* never called: the loop reads the fd itself */
}

static int rl_decode(void *opaque, const void *buf, size_t len, struct kmscap_event *evs,
		     size_t max)
{
	size_t off = 0, used, n = 0;
	int ret;

	(void)opaque;
	while (off < len) {
		ret = kmscap_event_parse((const unsigned char *)buf + off, len - off, &used,
					 &evs[n], NULL);
		if (ret < 0)
			return ret;
		off += used;
		n += ret == 1;
		ck_assert_uint_le(n, max);
	}
	return (int)n;
}

static int rl_release(void *opaque, uint64_t seq)
{
	struct rl_src *s = opaque;

	atomic_fetch_add(&s->direct, 1);
	ck_assert_int_eq(write(s->rel[1], &seq, sizeof(seq)), (ssize_t)sizeof(seq));
	return 0;
}

static int rl_prep_release(void *opaque, struct io_uring_sqe *sqe, uint64_t seq)
{
	struct rl_src *s = opaque;

	if (s->refuse)
		return -EOPNOTSUPP;
	if (seq == 0)
		return 0;	/* the loop's probe: nothing is submitted */
	ck_assert_uint_le(seq, RL_FRAMES);
	atomic_fetch_add(&s->preps, 1);
	s->seqbuf[seq] = seq;
	io_uring_prep_write(sqe, s->rel[1], &s->seqbuf[seq], sizeof(uint64_t), 0);
	return 0;
}

static int rl_revoked(void *opaque, uint64_t seq)
{
	struct rl_src *s = opaque;

	atomic_fetch_add(&s->revoked_asks, 1);
	return seq == s->torn_seq;
}

static const struct ks_source_ops rl_src_ops = {
	.read = rl_read,
	.release = rl_release,
	.read_size = rl_read_size,
	.decode = rl_decode,
	.prep_release = rl_prep_release,
	.revoked = rl_revoked,
};

static int rl_convert(void *opaque, struct ks_frame *f)
{
	(void)opaque;
	(void)f;
	return 0;
}

/* As vapipe: a frame whose release said -ESTALE is torn, not encoded. */
static int rl_encode(void *opaque, struct ks_frame *f)
{
	char line[32];
	int n;

	(void)opaque;
	if (f->released == -ESTALE) {
		f->stats->total.torn++;
		return 0;
	}
	n = snprintf(line, sizeof(line), "F%llu\n", (unsigned long long)f->ev.seq);
	f->stats->total.encoded++;
	return ks_buf_append(&f->out, line, (size_t)n);
}

static const struct ks_encoder_ops rl_enc_ops = { .convert = rl_convert, .encode = rl_encode };

struct rl_feeder {
	struct rl_src *src;
	bool released[RL_FRAMES + 1];
	unsigned int bad, twice;
	pthread_t thr;
};

/* Frames 1..RL_FRAMES, each once the one before came back. */
static void *rl_feeder_main(void *arg)
{
	struct rl_feeder *f = arg;
	struct rl_src *s = f->src;
	unsigned char ev[sizeof(struct kmscap_event_frame)];
	uint64_t seq, i;
	size_t n;

	for (i = 1; i <= RL_FRAMES; i++) {
		n = ks_framed_frame(ev, i);
		ck_assert_int_eq(write(s->pl.src_wr, ev, n), (ssize_t)n);
		while (!f->released[i] && read(s->rel[0], &seq, sizeof(seq)) == sizeof(seq)) {
			if (seq < 1 || seq > RL_FRAMES)
				f->bad++;
			else if (f->released[seq])
				f->twice++;
			else
				f->released[seq] = true;
		}
	}
	return NULL;
}

/* Run RL_FRAMES frames through a loop of @threads; its output in @out. */
static void rl_run(struct rl_src *s, unsigned int threads, struct ks_counters *c, char *out,
		   size_t outlen)
{
	struct rl_feeder feeder = { .src = s };
	struct ks_loop_config cfg;
	struct ks_loop *l;
	unsigned int i;

	ck_assert_int_eq(pipe2(s->rel, O_CLOEXEC), 0);
	ks_pipe_loop_open(&s->pl, &cfg);
	cfg.src = &rl_src_ops;
	cfg.src_opaque = s;
	cfg.enc = &rl_enc_ops;
	cfg.max_frames = RL_FRAMES;
	cfg.threads = threads;
	ck_assert_int_eq(ks_loop_new(&cfg, &l), 0);
	ck_assert_int_eq(pthread_create(&feeder.thr, NULL, rl_feeder_main, &feeder), 0);
	ck_assert_int_eq(ks_loop_run(l), KS_STOP_FRAMES);
	*c = ks_loop_stats(l)->total;
	ks_loop_free(l);
	pthread_join(feeder.thr, NULL);
	for (i = 1; i <= RL_FRAMES; i++)
		ck_assert_msg(feeder.released[i], "frame %u never came back", i);
	ck_assert_uint_eq(feeder.bad, 0);
	ck_assert_uint_eq(feeder.twice, 0);
	ks_pipe_loop_close(&s->pl, &cfg, out, outlen);
	close(s->rel[0]);
	close(s->rel[1]);
}

START_TEST(ring_release_threads1)
{
	struct rl_src s = { .torn_seq = 0 };
	struct ks_counters c;
	char out[256];

	rl_run(&s, 1, &c, out, sizeof(out));
	ck_assert_str_eq(out, "F1\nF2\nF3\nF4\nF5\nF6\n");
	ck_assert_uint_eq(atomic_load(&s.preps), RL_FRAMES);
	ck_assert_uint_eq(atomic_load(&s.direct), 0);
	ck_assert_uint_eq(atomic_load(&s.revoked_asks), RL_FRAMES);
	ck_assert_uint_eq(c.released, RL_FRAMES);
	ck_assert_uint_eq(c.torn, 0);
}
END_TEST

START_TEST(ring_release_torn)
{
	struct rl_src s = { .torn_seq = 3 };
	struct ks_counters c;
	char out[256];

	rl_run(&s, 1, &c, out, sizeof(out));
	ck_assert_str_eq(out, "F1\nF2\nF4\nF5\nF6\n");
	ck_assert_uint_eq(c.torn, 1);
	ck_assert_uint_eq(atomic_load(&s.preps), RL_FRAMES);
	ck_assert_uint_eq(atomic_load(&s.direct), 0);
}
END_TEST

START_TEST(ring_release_threads2)
{
	struct rl_src s = { .torn_seq = 3 };
	struct ks_counters c;
	char out[256];

	rl_run(&s, 2, &c, out, sizeof(out));
	/* the encode thread releases itself, right after converting */
	ck_assert_str_eq(out, "F1\nF2\nF3\nF4\nF5\nF6\n");
	ck_assert_uint_eq(atomic_load(&s.preps), 0);
	ck_assert_uint_eq(atomic_load(&s.revoked_asks), 0);
	ck_assert_uint_eq(atomic_load(&s.direct), RL_FRAMES);
}
END_TEST

START_TEST(ring_release_refused)
{
	struct rl_src s = { .refuse = true, .torn_seq = 3 };
	struct ks_counters c;
	char out[256];

	rl_run(&s, 1, &c, out, sizeof(out));
	ck_assert_str_eq(out, "F1\nF2\nF3\nF4\nF5\nF6\n");
	ck_assert_uint_eq(atomic_load(&s.preps), 0);
	ck_assert_uint_eq(atomic_load(&s.direct), RL_FRAMES);
}
END_TEST

Suite *ks_suite_ring_release(void)
{
	Suite *s = suite_create("ring_release");
	TCase *tc = tcase_create("ring_release");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, ring_release_threads1);
	tcase_add_test(tc, ring_release_torn);
	tcase_add_test(tc, ring_release_threads2);
	tcase_add_test(tc, ring_release_refused);
	suite_add_tcase(s, tc);
	return s;
}
