// SPDX-License-Identifier: MIT
/*
 * libcapring: release + POLL_ADD -> READ in one io_uring_enter() per
 * frame, for kmscap-bench's kmscap-uring path (libcapring.h).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>

#include "libcapring.h"

/* user_data of the three entries */
enum { KMSCAP_CAPRING_RELEASE = 1, KMSCAP_CAPRING_POLL, KMSCAP_CAPRING_READ };

bool kmscap_capring_usable(uint64_t caps)
{
	struct kmscap_ring ring;
	int r;

	if (!(caps & KMSCAP_CAP_URING_RELEASE)) {
		printf("kmscap-bench: the module has no KMSCAP_CAP_URING_RELEASE (ABI 1.5): no "
		       "kmscap-uring case\n");
		return false;
	}
	r = kmscap_ring_init(&ring, 8, 0);
	if (r) {
		printf("kmscap-bench: io_uring_setup: %s (io_uring unavailable in this kernel): "
		       "no kmscap-uring case\n", kmscap_t_errname(r));
		return false;
	}
	kmscap_ring_fini(&ring);
	return true;
}

int kmscap_capring_init(struct kmscap_capring *c, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	/*
	 * O_NONBLOCK, as libkmscap opens it: io_uring then issues the READ at
	 * once when the poll fires.  A 1.5 module does so on a blocking fd
	 * too (FMODE_NOWAIT); on one of a 1.4 module io_uring handed every
	 * READ to an io-wq worker thread, whose CPU and wake-ups the capture
	 * thread's clock does not see.
	 */
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return kmscap_ring_init(&c->ring, 8, 0);
}

unsigned int kmscap_capring_queue(struct kmscap_capring *c)
{
	struct kmscap_release rel = { .seq = c->held };
	struct io_uring_sqe s;
	unsigned int n = 0;

	if (c->holding) {
		memset(&s, 0, sizeof(s));
		s.opcode = IORING_OP_URING_CMD;
		s.fd = c->fd;
		s.cmd_op = KMSCAP_IOC_RELEASE;
		s.flags = IOSQE_CQE_SKIP_SUCCESS;
		s.user_data = KMSCAP_CAPRING_RELEASE;
		memcpy(s.cmd, &rel, sizeof(rel));
		kmscap_ring_queue(&c->ring, &s);
		c->holding = false;
		n++;
	}
	if (c->reading)
		return n;
	memset(&s, 0, sizeof(s));
	s.opcode = IORING_OP_POLL_ADD;
	s.fd = c->fd;
	s.poll32_events = POLLIN;
	s.flags = IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
	s.user_data = KMSCAP_CAPRING_POLL;
	kmscap_ring_queue(&c->ring, &s);
	memset(&s, 0, sizeof(s));
	s.opcode = IORING_OP_READ;
	s.fd = c->fd;
	s.addr = (uintptr_t)&c->ev;
	s.len = sizeof(c->ev);
	s.off = (uint64_t)-1;
	s.user_data = KMSCAP_CAPRING_READ;
	kmscap_ring_queue(&c->ring, &s);
	c->reading = true;
	return n + 2;
}

bool kmscap_capring_reap(struct kmscap_capring *c)
{
	struct io_uring_cqe cqe;
	bool read = false;

	while (kmscap_ring_ready(&c->ring) && kmscap_ring_wait(&c->ring, &cqe, 0)) {
		switch (cqe.user_data) {
		case KMSCAP_CAPRING_RELEASE:
			c->failed++;
			c->failed_res = cqe.res;
			break;
		case KMSCAP_CAPRING_POLL:
			/* a failed poll: its READ completes with -ECANCELED */
			break;
		case KMSCAP_CAPRING_READ:
			c->reading = false;
			if (cqe.res == -EAGAIN)
				break;	/* no event after all: queue the poll again */
			c->read_res = cqe.res;
			read = true;
			if (cqe.res == (int)sizeof(c->ev) && c->ev.type == KMSCAP_EVENT_FRAME) {
				c->holding = true;
				c->held = c->ev.seq;
			}
			break;
		}
	}
	return read;
}

void kmscap_capring_fini(struct kmscap_capring *c)
{
	kmscap_ring_fini(&c->ring);
}
