// SPDX-License-Identifier: MIT
/*
 * io_uring_capture: a capture client driven by io_uring instead of
 * read()/poll(): IORING_OP_POLL_ADD completes with POLLIN when a frame is
 * queued, IORING_OP_READ submitted before the flip completes with one
 * event when the frame arrives, and a READ shorter than one event
 * completes with -EINVAL.  Raw io_uring syscalls, no liburing.
 */
#define _GNU_SOURCE
#include <linux/io_uring.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kmscap_test.h"

struct kmscap_ring {
	int fd;
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int kmscap_ring_init(struct kmscap_ring *r)
{
	struct io_uring_params p;
	uint8_t *sq, *cq;

	memset(&p, 0, sizeof(p));
	r->fd = (int)syscall(__NR_io_uring_setup, 8, &p);
	if (r->fd < 0)
		return -errno;
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned int),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		kmscap_t_fail("mmap of the io_uring rings: %s", strerror(errno));
	r->sq_head = (unsigned int *)(sq + p.sq_off.head);
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

static void kmscap_ring_submit(struct kmscap_ring *r, const struct io_uring_sqe *sqe)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask;
	int n;

	r->sqes[idx] = *sqe;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	n = (int)syscall(__NR_io_uring_enter, r->fd, 1, 0, 0, NULL, 0);
	KT_ASSERT(n == 1, "io_uring_enter submitted %d: %s", n, n < 0 ? strerror(errno) : "");
}

/* Next completion within @timeout_ms: 1 and *cqe, or 0 on timeout. */
static int kmscap_ring_wait(struct kmscap_ring *r, struct io_uring_cqe *cqe, int timeout_ms)
{
	uint64_t deadline = kmscap_t_now_ns() + (uint64_t)timeout_ms * 1000000ull;

	for (;;) {
		unsigned int head = *r->cq_head;
		struct pollfd p = { .fd = r->fd, .events = POLLIN };

		if (head != __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE)) {
			*cqe = r->cqes[head & *r->cq_mask];
			__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
			return 1;
		}
		if (kmscap_t_now_ns() >= deadline)
			return 0;
		poll(&p, 1, 10);
	}
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_event ev;
	struct io_uring_sqe sqe;
	struct io_uring_cqe cqe;
	struct kmscap_ring ring;
	struct kmscap_t_buf b[2];
	struct kmscap_t_kms k;
	int ctl, cl, r;

	kmscap_t_init("io_uring_capture", 100);
	ctl = kmscap_t_open_ctl_or_skip();
	r = kmscap_ring_init(&ring);
	if (r == -ENOSYS || r == -EPERM)
		kmscap_t_skip("io_uring_setup: %s (io_uring unavailable in this kernel)",
			      kmscap_t_errname(r));
	KT_ASSERT(!r, "io_uring_setup: %s", kmscap_t_errname(r));

	kmscap_t_create_or_die(ctl, 640, 480, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, 640, 480, DRM_FORMAT_XRGB8888, &b[0]);
	kmscap_t_buf_create_or_die(k.fd, 640, 480, DRM_FORMAT_XRGB8888, &b[1]);
	r = kmscap_t_modeset(&k, b[1].fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", c.card_minor, kmscap_t_errname(r));
	cl = kmscap_t_client_or_die(c.id, 0, 1000000000ull);

	/* POLL_ADD completes with POLLIN once a frame is queued, not before. */
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_POLL_ADD;
	sqe.fd = cl;
	sqe.poll32_events = POLLIN;
	sqe.user_data = 1;
	kmscap_ring_submit(&ring, &sqe);
	KT_ASSERT(kmscap_ring_wait(&ring, &cqe, 300) == 0,
		  "POLL_ADD completed (res %d) with no frame queued", cqe.res);
	KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 3000), 0, "flip");
	KT_ASSERT(kmscap_ring_wait(&ring, &cqe, 3000) == 1,
		  "POLL_ADD did not complete after a flip");
	KT_ASSERT(cqe.user_data == 1 && cqe.res > 0 && (cqe.res & POLLIN),
		  "POLL_ADD completion: user_data %llu res 0x%x", (unsigned long long)cqe.user_data,
		  cqe.res);

	/* READ of the queued event. */
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_READ;
	sqe.fd = cl;
	sqe.addr = (uintptr_t)&ev;
	sqe.len = sizeof(ev);
	sqe.off = (uint64_t)-1;
	sqe.user_data = 2;
	kmscap_ring_submit(&ring, &sqe);
	KT_ASSERT(kmscap_ring_wait(&ring, &cqe, 3000) == 1,
		  "READ of a queued event did not complete");
	KT_ASSERT(cqe.user_data == 2 && cqe.res == (int)sizeof(ev),
		  "READ completion res %d (%s), expected %zu", cqe.res,
		  cqe.res < 0 ? kmscap_t_errname(cqe.res) : "bytes", sizeof(ev));
	KT_ASSERT(ev.type == KMSCAP_EVENT_FRAME && ev.display_id == c.id,
		  "event type %u display %u", ev.type, ev.display_id);
	KT_EXPECT_RET(kmscap_t_release(cl, ev.seq), 0, "RELEASE");

	/* READ submitted first, completed by the next flip. */
	memset(&ev, 0, sizeof(ev));
	sqe.user_data = 3;
	kmscap_ring_submit(&ring, &sqe);
	KT_ASSERT(kmscap_ring_wait(&ring, &cqe, 300) == 0,
		  "READ completed (res %d) with no frame queued", cqe.res);
	KT_EXPECT_RET(kmscap_t_flip(&k, b[1].fb_id, 3000), 0, "flip");
	KT_ASSERT(kmscap_ring_wait(&ring, &cqe, 3000) == 1,
		  "pending READ did not complete after a flip");
	KT_ASSERT(cqe.user_data == 3 && cqe.res == (int)sizeof(ev),
		  "pending READ completion res %d (%s)", cqe.res,
		  cqe.res < 0 ? kmscap_t_errname(cqe.res) : "bytes");
	KT_ASSERT(ev.type == KMSCAP_EVENT_FRAME && ev.display_id == c.id,
		  "event type %u display %u", ev.type, ev.display_id);
	KT_EXPECT_RET(kmscap_t_release(cl, ev.seq), 0, "RELEASE");

	/* A READ shorter than one event fails with EINVAL. */
	KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 3000), 0, "flip");
	sqe.len = sizeof(ev) / 2;
	sqe.user_data = 4;
	kmscap_ring_submit(&ring, &sqe);
	KT_ASSERT(kmscap_ring_wait(&ring, &cqe, 3000) == 1, "short READ did not complete");
	KT_ASSERT(cqe.user_data == 4 && cqe.res == -EINVAL,
		  "short READ: res %d (%s), expected EINVAL",
		  cqe.res, cqe.res < 0 ? kmscap_t_errname(cqe.res) : "bytes");
	KT_EXPECT_RET(kmscap_t_drain(cl, 0), 1, "drain after the short READ");

	close(ring.fd);
	close(cl);
	kmscap_t_buf_destroy(&b[0]);
	kmscap_t_buf_destroy(&b[1]);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("POLL_ADD, READ of a queued event, pending READ and short READ via io_uring");
}
