// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: the loop's outputs (the bitstream, the cursor side data): queues
 * of whole units, each written by one WRITE in flight so the order is kept; a
 * short write is resubmitted for the rest, -EAGAIN (a full non-blocking pipe or
 * socket) waits for POLLOUT first.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <liburing.h>

#include "loop_priv.h"

static void ks_arm_write(struct ks_loop *l, unsigned int i)
{
	struct ks_outq *q = &l->out[i];
	struct io_uring_sqe *sqe;
	struct ks_unit *u = q->head;

	if (!u || q->write_armed || q->poll_armed || q->failed)
		return;
	sqe = ks_sqe(l);
	if (!sqe)
		return ks_loop_fail(l, -EBUSY, "io_uring: no submission entry");
	io_uring_prep_write(sqe, q->fd, u->buf.data + u->off,
			    (unsigned int)(u->buf.len - u->off), (__u64)-1);
	io_uring_sqe_set_data64(sqe, KS_UD_WRITE | i << 8);
	q->write_armed = true;
	if (q->regular)
		l->file_writes++;
}

void ks_arm_writes(struct ks_loop *l)
{
	unsigned int i;

	for (i = 0; i < KS_NUM_OUT; i++)
		ks_arm_write(l, i);
}

static void ks_arm_out_poll(struct ks_loop *l, unsigned int i)
{
	struct io_uring_sqe *sqe = ks_sqe(l);

	if (!sqe)
		return ks_loop_fail(l, -EBUSY, "io_uring: no submission entry");
	io_uring_prep_poll_add(sqe, l->out[i].fd, POLLOUT);
	io_uring_sqe_set_data64(sqe, KS_UD_OUT_POLL | i << 8);
	l->out[i].poll_armed = true;
}

/* Queue @b (taken over: *b is left empty) for output @i. */
int ks_enqueue(struct ks_loop *l, unsigned int i, struct ks_buf *b)
{
	struct ks_outq *q = &l->out[i];
	struct ks_unit *u;

	if (!b->len)
		return 0;
	if (q->fd < 0 || q->failed) {
		ks_buf_reset(b);
		return 0;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->buf = *b;
	memset(b, 0, sizeof(*b));
	if (q->tail)
		q->tail->next = u;
	else
		q->head = u;
	q->tail = u;
	q->queued++;
	return 0;
}

static void ks_unit_pop(struct ks_outq *q)
{
	struct ks_unit *u = q->head;

	q->head = u->next;
	if (!q->head)
		q->tail = NULL;
	q->queued--;
	ks_buf_free(&u->buf);
	free(u);
}

void ks_free_units(struct ks_loop *l)
{
	unsigned int i;

	for (i = 0; i < KS_NUM_OUT; i++)
		while (l->out[i].head)
			ks_unit_pop(&l->out[i]);
}

/* Something is still to be written, and can be. */
bool ks_pending_output(const struct ks_loop *l)
{
	unsigned int i;

	for (i = 0; i < KS_NUM_OUT; i++)
		if (l->out[i].head && !l->out[i].failed)
			return true;
	return false;
}

/* Queue what the encoder made of a frame: side data, then the unit. */
void ks_queue_output(struct ks_loop *l, struct ks_buf *out, struct ks_buf *side)
{
	int ret = 0;

	/* side data is small and best effort: dropped if its reader stalls */
	if (l->out[KS_SIDE_OUT].queued < KS_MAX_SIDE_QUEUED)
		ret = ks_enqueue(l, KS_SIDE_OUT, side);
	if (!ret)
		ret = ks_enqueue(l, KS_MAIN_OUT, out);
	if (ret < 0)
		ks_loop_fail(l, ret, "output queue: %s", strerror(-ret));
}

void ks_handle_write(struct ks_loop *l, unsigned int i, int res)
{
	struct ks_outq *q = &l->out[i];
	struct ks_unit *u = q->head;

	q->write_armed = false;
	if (res == -EAGAIN) {
		ks_arm_out_poll(l, i);
		return;
	}
	if (res == -EINTR)
		return;	/* resubmitted by the main loop */
	if (res <= 0) {
		ks_loop_fail(l, res ? res : -EIO, "writing %s: %s", q->name,
			     strerror(res ? -res : EIO));
		q->failed = true;
		return;
	}
	u->off += (size_t)res;
	if (i == KS_MAIN_OUT)
		l->stats.total.bytes_out += (uint64_t)res;
	if (u->off == u->buf.len)
		ks_unit_pop(q);
}
