// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: the loop's io_uring plumbing: submission entries, timeouts,
 * one turn of the ring (submit, wait, dispatch every completion), and the
 * cancellation of everything in flight at the end.
 */
#include <errno.h>

#include <liburing.h>

#include "loop_priv.h"

static void ks_ns_to_ts(uint64_t ns, struct __kernel_timespec *ts)
{
	ts->tv_sec = (long long)(ns / 1000000000ull);
	ts->tv_nsec = (long long)(ns % 1000000000ull);
}

struct io_uring_sqe *ks_sqe(struct ks_loop *l)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

	if (!sqe) {
		/* the ring is full of unsubmitted entries: push them out */
		io_uring_submit(&l->ring);
		sqe = io_uring_get_sqe(&l->ring);
	}
	if (sqe)
		l->inflight++;
	return sqe;
}

void ks_arm_timeout(struct ks_loop *l, struct __kernel_timespec *ts, uint64_t ns,
		    enum ks_ud ud, bool *armed)
{
	struct io_uring_sqe *sqe;

	if (*armed || !ns)
		return;
	sqe = ks_sqe(l);
	if (!sqe)
		return ks_loop_fail(l, -EBUSY, "io_uring: no submission entry");
	ks_ns_to_ts(ns, ts);
	io_uring_prep_timeout(sqe, ts, 0, 0);
	io_uring_sqe_set_data64(sqe, ud);
	*armed = true;
}

int ks_ring_release(struct ks_loop *l, uint64_t seq)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);
	int ret;

	if (!sqe) {
		io_uring_submit(&l->ring);
		sqe = io_uring_get_sqe(&l->ring);
	}
	if (!sqe)
		return -EBUSY;
	ret = l->cfg.src->prep_release(l->cfg.src_opaque, sqe, seq);
	if (ret) {
		/* the entry is taken: it becomes a silent no-op */
		io_uring_prep_nop(sqe);
		sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
		io_uring_sqe_set_data64(sqe, KS_UD_RELEASE);
		return ret;
	}
	/* not counted in flight: only a failure completes */
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	io_uring_sqe_set_data64(sqe, KS_UD_RELEASE | seq << 8);
	return 0;
}

bool ks_ring_release_probe(struct ks_loop *l)
{
	const struct ks_source_ops *src = l->cfg.src;
	struct io_uring_sqe sqe;
	struct io_uring_probe *probe;
	bool ok;

	if (!src->prep_release || !src->revoked ||
	    src->prep_release(l->cfg.src_opaque, &sqe, 0))
		return false;
	/* the kernel's io_uring must know the command and skipping successes */
	probe = io_uring_get_probe_ring(&l->ring);
	ok = probe && io_uring_opcode_supported(probe, IORING_OP_URING_CMD) &&
	     (l->ring.features & IORING_FEAT_CQE_SKIP);
	io_uring_free_probe(probe);
	return ok;
}

/*
 * Submit what is prepared, wait, handle all the completions there are.
 *
 * The wait is for one completion, and for the WRITEs to regular files
 * submitted now besides when the next frame's READ is armed: such a WRITE
 * completes at once, or soon from a worker, and its completion alone
 * would end the wait for the frame, which then takes a second
 * io_uring_enter().  A WRITE to a pipe or socket can wait for its reader:
 * its completion ends the wait, so that a slow reader of the output never
 * delays a frame (nor the compositor, whose buffer the frame holds).
 */
int ks_turn(struct ks_loop *l)
{
	unsigned int head, n = 0, wait = 1;
	struct io_uring_cqe *cqe;
	int ret;

	if (l->rbuf && l->src_armed && !l->draining && l->stop == KS_STOP_NONE)
		wait += l->file_writes;
	l->file_writes = 0;
	ret = io_uring_submit_and_wait(&l->ring, wait);
	if (ret < 0 && ret != -EINTR && ret != -ETIME)
		return ret;
	io_uring_for_each_cqe(&l->ring, head, cqe) {
		ks_handle_cqe(l, cqe);
		n++;
	}
	io_uring_cq_advance(&l->ring, n);
	return 0;
}

void ks_cancel_all(struct ks_loop *l)
{
	struct io_uring_sqe *sqe;

	if (!l->inflight)
		return;
	sqe = ks_sqe(l);
	if (!sqe)
		return;
	io_uring_prep_cancel(sqe, NULL, IORING_ASYNC_CANCEL_ANY);
	io_uring_sqe_set_data64(sqe, KS_UD_CANCEL);
	/* every request, and the cancel itself, completes */
	while (l->inflight)
		if (ks_turn(l) < 0)
			break;
}
