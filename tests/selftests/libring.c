// SPDX-License-Identifier: MIT
/*
 * libring: a minimal io_uring for the selftests (libring.h).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "libring.h"

int kmscap_ring_init(struct kmscap_ring *r, unsigned int entries, unsigned int flags)
{
	struct io_uring_params p;
	uint8_t *sq, *cq;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	r->fd = (int)syscall(__NR_io_uring_setup, entries, &p);
	if (r->fd < 0)
		return -errno;
	r->sqe_size = flags & IORING_SETUP_SQE128 ? 128 : 64;
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned int),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * r->sqe_size, PROT_READ | PROT_WRITE,
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

int kmscap_ring_register_buffer(struct kmscap_ring *r, void *buf, size_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	if (syscall(__NR_io_uring_register, r->fd, IORING_REGISTER_BUFFERS, &iov, 1) < 0)
		return -errno;
	return 0;
}

void kmscap_ring_fini(struct kmscap_ring *r)
{
	/* the mappings go with the process; the ring with its fd */
	close(r->fd);
	r->fd = -1;
}

void kmscap_ring_queue(struct kmscap_ring *r, const void *sqe)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask;

	memcpy(r->sqes + (size_t)idx * r->sqe_size, sqe, r->sqe_size);
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
}

void kmscap_ring_enter(struct kmscap_ring *r, unsigned int n, unsigned int min_complete)
{
	unsigned int flags = min_complete ? IORING_ENTER_GETEVENTS : 0;
	int ret;

	do
		ret = (int)syscall(__NR_io_uring_enter, r->fd, n, min_complete, flags, NULL, 0);
	while (ret < 0 && errno == EINTR);
	KT_ASSERT(ret == (int)n, "io_uring_enter submitted %d of %u: %s", ret, n,
		  ret < 0 ? strerror(errno) : "");
}

void kmscap_ring_submit(struct kmscap_ring *r, const void *sqe)
{
	kmscap_ring_queue(r, sqe);
	kmscap_ring_enter(r, 1, 0);
}

unsigned int kmscap_ring_ready(const struct kmscap_ring *r)
{
	return __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) - *r->cq_head;
}

int kmscap_ring_wait(struct kmscap_ring *r, struct io_uring_cqe *cqe, int timeout_ms)
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
