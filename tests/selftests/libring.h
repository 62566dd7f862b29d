/* SPDX-License-Identifier: MIT */
/*
 * libring: a minimal io_uring for the selftests, on the raw system calls
 * (no liburing), so that a test sees exactly the entries it submits and
 * the io_uring_enter() calls it makes.
 */
#ifndef KMSCAP_LIBRING_H
#define KMSCAP_LIBRING_H

#include <linux/io_uring.h>
#include <stddef.h>

struct kmscap_ring {
	int fd;
	unsigned int sqe_size;	/* 64, or 128 with IORING_SETUP_SQE128 */
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	unsigned char *sqes;
	struct io_uring_cqe *cqes;
};

/* A ring of @entries with IORING_SETUP_* @flags: 0 or -errno. */
int kmscap_ring_init(struct kmscap_ring *r, unsigned int entries, unsigned int flags);
void kmscap_ring_fini(struct kmscap_ring *r);
/* Register @len bytes at @buf as fixed buffer 0: 0 or -errno. */
int kmscap_ring_register_buffer(struct kmscap_ring *r, void *buf, size_t len);
/* Queue a copy of @sqe (sqe_size bytes); not yet submitted. */
void kmscap_ring_queue(struct kmscap_ring *r, const void *sqe);
/*
 * One io_uring_enter(): submit the @n queued entries and, with
 * @min_complete, wait until that many completions are in the ring.
 * Fails the test unless all @n are submitted.
 */
void kmscap_ring_enter(struct kmscap_ring *r, unsigned int n, unsigned int min_complete);
/* Queue and submit one entry. */
void kmscap_ring_submit(struct kmscap_ring *r, const void *sqe);
/* Next completion within @timeout_ms: 1 and *cqe, or 0 on timeout. */
int kmscap_ring_wait(struct kmscap_ring *r, struct io_uring_cqe *cqe, int timeout_ms);
/* Completions in the ring, not yet taken. */
unsigned int kmscap_ring_ready(const struct kmscap_ring *r);

#endif
