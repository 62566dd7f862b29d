/* SPDX-License-Identifier: MIT */
/*
 * libcapring: the ring of kmscap-bench's kmscap-uring path
 * (tests/bench/libcapring.c).  Per frame, one io_uring_enter() submits
 * the release of the frame held (an IORING_OP_URING_CMD of
 * KMSCAP_IOC_RELEASE, IOSQE_CQE_SKIP_SUCCESS), a POLL_ADD of the kmscap
 * fd linked to a READ of the next event (the poll's success skipped too),
 * and waits for one completion: the READ's.  The caller makes the system
 * calls itself (kmscap_ring_enter(), libring), so that it counts them;
 * this file only queues the entries and takes the completions.
 */
#ifndef KMSCAP_LIBCAPRING_H
#define KMSCAP_LIBCAPRING_H

#include <stdbool.h>
#include <stdint.h>

#include "kmscap_test.h"
#include "libring.h"

struct kmscap_capring {
	struct kmscap_ring ring;
	int fd;			/* the kmscap client */
	bool holding;		/* a frame read and not yet released */
	uint64_t held;		/* its seq */
	struct kmscap_event ev;	/* the READ's buffer */
	bool reading;		/* a READ in flight */
	int read_res;		/* the READ's result: bytes, or -errno */
	uint64_t failed;	/* releases that completed with an error */
	int failed_res;		/* the last one's error */
};

/*
 * Whether the path can run, with the module's capabilities @caps (0 when
 * unknown): KMSCAP_CAP_URING_RELEASE and a working io_uring_setup();
 * prints why not.
 */
bool kmscap_capring_usable(uint64_t caps);
/* The ring of client @fd, made O_NONBLOCK: 0 or -errno (fcntl's, io_uring_setup's). */
int kmscap_capring_init(struct kmscap_capring *c, int fd);
/*
 * Queue the release of the frame held (if any), and the POLL_ADD and the
 * linked READ of the next event unless that READ is in flight: the number
 * of entries queued (0 or more), for kmscap_ring_enter(&c->ring, n, 1).
 */
unsigned int kmscap_capring_queue(struct kmscap_capring *c);
/*
 * Take the completions in the ring (no system call): a failed release is
 * counted in c->failed; true once the READ completed (c->read_res; on a
 * whole frame event the frame is held, c->held).  False: the READ is
 * still to complete (only a failed release's completion was there), or
 * it found no event (-EAGAIN) and the poll and READ must be queued again.
 */
bool kmscap_capring_reap(struct kmscap_capring *c);
void kmscap_capring_fini(struct kmscap_capring *c);

#endif
