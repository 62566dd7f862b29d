// SPDX-License-Identifier: MIT
/*
 * uring_release: KMSCAP_IOC_RELEASE as an io_uring command (ABI 1.5,
 * KMSCAP_CAP_URING_RELEASE), on raw io_uring system calls (libring):
 *
 *  1. the release of a held frame completes with 0 and the client's
 *     STATS count it delivered; a second release of it says -ENOENT;
 *  2. one io_uring_enter() submits the release of frame N, a POLL_ADD and
 *     a READ linked to it, and waits: it returns with frame N+1 read and N
 *     delivered, the release's success skipped (IOSQE_CQE_SKIP_SUCCESS);
 *  3. a frame revoked by DIRTYFB: -ESTALE, reported even with
 *     IOSQE_CQE_SKIP_SUCCESS;
 *  4. from an io_uring worker (IOSQE_ASYNC): 0;
 *  5. refused, losing nothing (the frame is still held afterwards, and a
 *     correct release then succeeds): another cmd_op -ENOTTY, a non-zero
 *     byte after the struct -EINVAL, uring_cmd_flags (a registered buffer)
 *     -EINVAL; and in a
 *     128-byte-entry ring a non-zero byte at the end of the 80-byte area;
 *  6. on a file that is not attached: -EINVAL.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "libring.h"

static struct kmscap_t_kms k;
static struct kmscap_t_buf b[2];
static unsigned int flips;

/* An IORING_OP_URING_CMD releasing @seq (a 128-byte entry: room for both). */
static void kmscap_release_sqe(unsigned char sqe[128], int fd, uint64_t seq, uint64_t ud)
{
	struct io_uring_sqe *s = (struct io_uring_sqe *)sqe;
	struct kmscap_release rel = { .seq = seq };

	memset(sqe, 0, 128);
	s->opcode = IORING_OP_URING_CMD;
	s->fd = fd;
	s->cmd_op = KMSCAP_IOC_RELEASE;
	s->user_data = ud;
	memcpy(s->cmd, &rel, sizeof(rel));
}

/* Submit one entry and take its completion: its res. */
static int kmscap_ring_call(struct kmscap_ring *r, const unsigned char *sqe, const char *what)
{
	const struct io_uring_sqe *s = (const struct io_uring_sqe *)sqe;
	struct io_uring_cqe cqe;

	kmscap_ring_submit(r, sqe);
	KT_ASSERT(kmscap_ring_wait(r, &cqe, 3000) == 1, "%s: no completion", what);
	KT_ASSERT(cqe.user_data == s->user_data, "%s: completion of %llu, expected %llu", what,
		  (unsigned long long)cqe.user_data, (unsigned long long)s->user_data);
	return cqe.res;
}

/* Flip the other buffer and read its frame. */
static struct kmscap_event kmscap_flip_read(int cl)
{
	struct kmscap_event ev;
	int r;

	flips++;
	KT_EXPECT_RET(kmscap_t_flip(&k, b[flips % 2].fb_id, 3000), 0, "flip");
	r = kmscap_t_read_event(cl, &ev, 3000);
	KT_ASSERT(r == 1 && ev.type == KMSCAP_EVENT_FRAME, "read after flip %u: %d", flips, r);
	return ev;
}

static void kmscap_expect_held(int cl, uint64_t held, uint64_t delivered, const char *what)
{
	struct kmscap_client_stats st;
	int r = kmscap_t_stats(cl, &st);

	KT_ASSERT(!r, "%s: STATS: %s", what, kmscap_t_errname(r));
	KT_ASSERT(st.held == held && st.delivered == delivered,
		  "%s: held %llu delivered %llu, expected %llu and %llu", what,
		  (unsigned long long)st.held, (unsigned long long)st.delivered,
		  (unsigned long long)held, (unsigned long long)delivered);
}

/* Case 2: release N + POLL_ADD -> READ of N+1 in one io_uring_enter(). */
static void kmscap_case_one_enter(struct kmscap_ring *ring, int cl, uint64_t *delivered)
{
	struct io_uring_sqe *s;
	unsigned char sqe[128];
	struct io_uring_cqe cqe;
	struct kmscap_event held = kmscap_flip_read(cl), next;

	kmscap_release_sqe(sqe, cl, held.seq, 20);
	((struct io_uring_sqe *)sqe)->flags = IOSQE_CQE_SKIP_SUCCESS;
	kmscap_ring_queue(ring, sqe);
	memset(sqe, 0, sizeof(sqe));
	s = (struct io_uring_sqe *)sqe;
	s->opcode = IORING_OP_POLL_ADD;
	s->fd = cl;
	s->poll32_events = POLLIN;
	s->flags = IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
	s->user_data = 21;
	kmscap_ring_queue(ring, sqe);
	memset(sqe, 0, sizeof(sqe));
	s->opcode = IORING_OP_READ;
	s->fd = cl;
	s->addr = (uintptr_t)&next;
	s->len = sizeof(next);
	s->off = (uint64_t)-1;
	s->user_data = 22;
	kmscap_ring_queue(ring, sqe);
	/* the release runs at once: N is delivered before N+1 is flipped */
	kmscap_ring_enter(ring, 3, 0);
	KT_ASSERT(kmscap_ring_ready(ring) == 0, "one enter: %u completions before the flip "
		  "(a release's success or the poll posted one)", kmscap_ring_ready(ring));
	kmscap_expect_held(cl, 0, ++*delivered, "one enter, before the flip");
	flips++;
	KT_EXPECT_RET(kmscap_t_flip(&k, b[flips % 2].fb_id, 3000), 0, "flip");
	KT_ASSERT(kmscap_ring_wait(ring, &cqe, 3000) == 1, "one enter: the READ never completed");
	KT_ASSERT(cqe.user_data == 22 && cqe.res == (int)sizeof(next),
		  "one enter: completion %llu res %d, expected the READ of %zu bytes",
		  (unsigned long long)cqe.user_data, cqe.res, sizeof(next));
	KT_ASSERT(next.type == KMSCAP_EVENT_FRAME && next.seq > held.seq,
		  "one enter: read event type %u seq %llu after %llu", next.type,
		  (unsigned long long)next.seq, (unsigned long long)held.seq);
	kmscap_expect_held(cl, 1, *delivered, "one enter, after the READ");
	KT_EXPECT_RET(kmscap_t_release(cl, next.seq), 0, "RELEASE of the frame read by the ring");
	++*delivered;
}

/* Case 5: what is refused leaves the frame held; a good release then works. */
static void kmscap_case_refused(struct kmscap_ring *ring, struct kmscap_ring *ring128, int cl,
				uint64_t *delivered)
{
	struct kmscap_event ev = kmscap_flip_read(cl);
	struct io_uring_sqe *s;
	unsigned char sqe[128];
	int r;

	kmscap_release_sqe(sqe, cl, ev.seq, 50);
	s = (struct io_uring_sqe *)sqe;
	s->cmd_op = KMSCAP_IOC_STATS;
	KT_EXPECT_RET(kmscap_ring_call(ring, sqe, "cmd_op STATS"), -ENOTTY, "cmd_op STATS");
	s->cmd_op = 0;
	KT_EXPECT_RET(kmscap_ring_call(ring, sqe, "cmd_op 0"), -ENOTTY, "cmd_op 0");
	s->cmd_op = KMSCAP_IOC_RELEASE;
	s->cmd[15] = 1;
	KT_EXPECT_RET(kmscap_ring_call(ring, sqe, "tail byte 15"), -EINVAL,
		      "a non-zero byte after struct kmscap_release");
	s->cmd[15] = 0;
	s->cmd[8] = 0x80;
	KT_EXPECT_RET(kmscap_ring_call(ring, sqe, "tail byte 8"), -EINVAL,
		      "a non-zero byte right after struct kmscap_release");
	s->cmd[8] = 0;
	/* a registered buffer, which io_uring accepts and kmscap has no use for */
	s->uring_cmd_flags = IORING_URING_CMD_FIXED;
	s->buf_index = 0;
	KT_EXPECT_RET(kmscap_ring_call(ring, sqe, "uring_cmd_flags"), -EINVAL,
		      "uring_cmd_flags IORING_URING_CMD_FIXED with a registered buffer");
	s->uring_cmd_flags = 0;
	if (ring128) {
		/* the 80-byte area ends at the end of the second 64 bytes */
		sqe[127] = 1;
		KT_EXPECT_RET(kmscap_ring_call(ring128, sqe, "SQE128 tail"), -EINVAL,
			      "a non-zero last byte of a 128-byte entry's command area");
		sqe[127] = 0;
	}
	kmscap_expect_held(cl, 1, *delivered, "after the refused commands");
	r = kmscap_ring_call(ring128 ? ring128 : ring, sqe, "good release");
	KT_EXPECT_RET(r, 0, "the release after the refused ones");
	kmscap_expect_held(cl, 0, ++*delivered, "after the good release");
}

int main(void)
{
	struct kmscap_ring ring, ring128, *r128 = &ring128;
	struct kmscap_display_create c;
	drmModeClip clip = { 0, 0, 16, 16 };
	struct kmscap_version ver;
	struct kmscap_event ev, d;
	unsigned char sqe[128];
	struct io_uring_cqe cqe;
	uint64_t delivered = 0;
	void *fixed;
	int ctl, cl, other, r;

	kmscap_t_init("uring_release", 100);
	ctl = kmscap_t_open_ctl_or_skip();
	r = kmscap_t_version(ctl, &ver);
	KT_ASSERT(!r, "VERSION: %s", kmscap_t_errname(r));
	KT_ASSERT(ver.minor >= 5 && (ver.caps & KMSCAP_CAP_URING_RELEASE),
		  "ABI %u.%u caps 0x%llx: no KMSCAP_CAP_URING_RELEASE", ver.major, ver.minor,
		  (unsigned long long)ver.caps);
	r = kmscap_ring_init(&ring, 8, 0);
	if (r == -ENOSYS || r == -EPERM)
		kmscap_t_skip("io_uring_setup: %s (io_uring unavailable in this kernel)",
			      kmscap_t_errname(r));
	KT_ASSERT(!r, "io_uring_setup: %s", kmscap_t_errname(r));
	/* anonymous memory: io_uring does not register file-backed pages */
	fixed = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_ASSERT(fixed != MAP_FAILED, "mmap of 4096 bytes: %s", strerror(errno));
	r = kmscap_ring_register_buffer(&ring, fixed, 4096);
	KT_ASSERT(!r, "IORING_REGISTER_BUFFERS: %s", kmscap_t_errname(r));
	r = kmscap_ring_init(&ring128, 8, IORING_SETUP_SQE128);
	KT_ASSERT(!r, "io_uring_setup(IORING_SETUP_SQE128): %s", kmscap_t_errname(r));

	kmscap_t_display_up(ctl, 640, 480, &c, &k, b, 2, 0);
	cl = kmscap_t_client_or_die(c.id, 0, 10000000000ull);

	/* 1: release, then the same again */
	ev = kmscap_flip_read(cl);
	kmscap_release_sqe(sqe, cl, ev.seq, 10);
	KT_EXPECT_RET(kmscap_ring_call(&ring, sqe, "release"), 0, "io_uring release");
	kmscap_expect_held(cl, 0, ++delivered, "after the io_uring release");
	KT_EXPECT_RET(kmscap_ring_call(&ring, sqe, "release again"), -ENOENT,
		      "io_uring release of a frame already released");
	kmscap_t_log("release, release again: ok");

	/* 2 */
	kmscap_case_one_enter(&ring, cl, &delivered);
	kmscap_t_log("release + POLL_ADD + READ in one io_uring_enter: ok");

	/* 3: revoked by DIRTYFB on the buffer on screen */
	ev = kmscap_flip_read(cl);
	r = drmModeDirtyFB(k.fd, b[flips % 2].fb_id, &clip, 1);
	KT_ASSERT(!r, "drmModeDirtyFB: %s", strerror(errno));
	r = kmscap_t_read_event(cl, &d, 3000);
	KT_ASSERT(r == 1 && d.type == KMSCAP_EVENT_FRAME, "read after DIRTYFB: %d", r);
	kmscap_release_sqe(sqe, cl, ev.seq, 30);
	((struct io_uring_sqe *)sqe)->flags = IOSQE_CQE_SKIP_SUCCESS;
	KT_EXPECT_RET(kmscap_ring_call(&ring, sqe, "release of a revoked frame"), -ESTALE,
		      "io_uring release of a frame revoked by DIRTYFB");

	/* 4: from a worker */
	kmscap_release_sqe(sqe, cl, d.seq, 40);
	((struct io_uring_sqe *)sqe)->flags = IOSQE_ASYNC;
	KT_EXPECT_RET(kmscap_ring_call(&ring, sqe, "IOSQE_ASYNC"), 0,
		      "io_uring release from a worker (IOSQE_ASYNC)");
	kmscap_expect_held(cl, 0, ++delivered, "after the release from a worker");
	kmscap_t_log("-ESTALE, IOSQE_ASYNC: ok");

	/* 5 */
	kmscap_case_refused(&ring, r128, cl, &delivered);
	kmscap_t_log("refused commands lose nothing: ok");

	/* 6 */
	other = open("/dev/kmscap", O_RDWR | O_CLOEXEC);
	KT_ASSERT(other >= 0, "open /dev/kmscap: %s", strerror(errno));
	kmscap_release_sqe(sqe, other, 1, 60);
	KT_EXPECT_RET(kmscap_ring_call(&ring, sqe, "not attached"), -EINVAL,
		      "io_uring release on a file not attached");
	close(other);

	/* nothing is left in the ring */
	KT_ASSERT(kmscap_ring_wait(&ring, &cqe, 0) == 0, "a stray completion: %llu res %d",
		  (unsigned long long)cqe.user_data, cqe.res);
	kmscap_ring_fini(&ring128);
	kmscap_ring_fini(&ring);
	close(cl);
	kmscap_t_display_down(ctl, &c, &k, b, 2);
	close(ctl);
	kmscap_t_pass("io_uring RELEASE: result, one enter with the next read, ESTALE, "
		      "worker, refusals");
}
