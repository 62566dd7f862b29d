/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmscap tracepoints: events/kmscap/ in tracefs.
 *
 * Every field is a fixed-size integer, so that a tool can declare the
 * record as a plain C structure (user/top/kmscap-top.bpf.c does, without
 * BTF).  Documentation/observability.md lists the events and their
 * fields; both are a stable interface: fields are only ever appended.
 *
 * Ids: @display is the display id of the ioctl ABI, @client the id a
 * client gets at ATTACH (global, from 1, never reused while the module
 * is loaded), @seq a frame's sequence number on its display.
 *
 * Included once with CREATE_TRACE_POINTS (trace.c).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kmscap

#if !defined(_KMSCAP_TRACE_H_) || defined(TRACE_HEADER_MULTI_READ)
#define _KMSCAP_TRACE_H_

#include <linux/tracepoint.h>
#include <linux/types.h>

#ifndef KMSCAP_TRACE_QUEUE_FULL
/* Why a frame was dropped or a hold revoked (@reason of the events). */
#define KMSCAP_TRACE_QUEUE_FULL		1	/* unread, the queue overflowed */
#define KMSCAP_TRACE_NOMEM		2	/* no hold could be allocated */
#define KMSCAP_TRACE_TIMEOUT		3	/* the hold timeout expired */
#define KMSCAP_TRACE_OVERWRITTEN	4	/* drawn into in place (DIRTYFB, damage) */
#define KMSCAP_TRACE_HANGUP		5	/* the display was destroyed */

#define kmscap_trace_reason_name(r)					\
	__print_symbolic(r, { KMSCAP_TRACE_QUEUE_FULL, "queue_full" },	\
			 { KMSCAP_TRACE_NOMEM, "nomem" },		\
			 { KMSCAP_TRACE_TIMEOUT, "timeout" },		\
			 { KMSCAP_TRACE_OVERWRITTEN, "overwritten" },	\
			 { KMSCAP_TRACE_HANGUP, "hangup" })
#endif

/* A frame was published: every attached client got a hold on it. */
TRACE_EVENT(kmscap_frame_publish,
	TP_PROTO(u32 display, u64 seq, u32 buffer_id, u32 flags, u64 damage_area, u32 clients),
	TP_ARGS(display, seq, buffer_id, flags, damage_area, clients),
	TP_STRUCT__entry(
		__field(u64, seq)
		__field(u64, damage_area)
		__field(u32, display)
		__field(u32, buffer_id)
		__field(u32, flags)
		__field(u32, clients)
	),
	TP_fast_assign(
		__entry->seq = seq;
		__entry->damage_area = damage_area;
		__entry->display = display;
		__entry->buffer_id = buffer_id;
		__entry->flags = flags;
		__entry->clients = clients;
	),
	TP_printk("display=%u seq=%llu buffer=%u flags=0x%x damage_area=%llu clients=%u",
		  __entry->display, __entry->seq, __entry->buffer_id, __entry->flags,
		  __entry->damage_area, __entry->clients)
);

/* A client read a frame event (only once it was copied out). */
TRACE_EVENT(kmscap_frame_read,
	TP_PROTO(u32 display, u32 client, u64 seq),
	TP_ARGS(display, client, seq),
	TP_STRUCT__entry(
		__field(u64, seq)
		__field(u32, display)
		__field(u32, client)
	),
	TP_fast_assign(
		__entry->seq = seq;
		__entry->display = display;
		__entry->client = client;
	),
	TP_printk("display=%u client=%u seq=%llu", __entry->display, __entry->client,
		  __entry->seq)
);

/* A client exported a buffer as a DMA-BUF (the fd was installed). */
TRACE_EVENT(kmscap_buffer_export,
	TP_PROTO(u32 display, u32 client, u32 buffer_id, u64 size),
	TP_ARGS(display, client, buffer_id, size),
	TP_STRUCT__entry(
		__field(u64, size)
		__field(u32, display)
		__field(u32, client)
		__field(u32, buffer_id)
		__field(u32, pad)
	),
	TP_fast_assign(
		__entry->size = size;
		__entry->display = display;
		__entry->client = client;
		__entry->buffer_id = buffer_id;
		__entry->pad = 0;
	),
	TP_printk("display=%u client=%u buffer=%u size=%llu", __entry->display,
		  __entry->client, __entry->buffer_id, __entry->size)
);

/* KMSCAP_IOC_RELEASE: @result 0, -ESTALE (revoked) or -ENOENT. */
TRACE_EVENT(kmscap_frame_release,
	TP_PROTO(u32 display, u32 client, u64 seq, s32 result),
	TP_ARGS(display, client, seq, result),
	TP_STRUCT__entry(
		__field(u64, seq)
		__field(u32, display)
		__field(u32, client)
		__field(s32, result)
		__field(u32, pad)
	),
	TP_fast_assign(
		__entry->seq = seq;
		__entry->display = display;
		__entry->client = client;
		__entry->result = result;
		__entry->pad = 0;
	),
	TP_printk("display=%u client=%u seq=%llu result=%d", __entry->display,
		  __entry->client, __entry->seq, __entry->result)
);

/* A frame of a client ended early, for a reason (KMSCAP_TRACE_*). */
DECLARE_EVENT_CLASS(kmscap_client_frame_reason,
	TP_PROTO(u32 display, u32 client, u64 seq, u32 reason),
	TP_ARGS(display, client, seq, reason),
	TP_STRUCT__entry(
		__field(u64, seq)
		__field(u32, display)
		__field(u32, client)
		__field(u32, reason)
		__field(u32, pad)
	),
	TP_fast_assign(
		__entry->seq = seq;
		__entry->display = display;
		__entry->client = client;
		__entry->reason = reason;
		__entry->pad = 0;
	),
	TP_printk("display=%u client=%u seq=%llu reason=%s", __entry->display,
		  __entry->client, __entry->seq, kmscap_trace_reason_name(__entry->reason))
);

/* An unread frame was taken from a client's queue: it never sees it. */
DEFINE_EVENT(kmscap_client_frame_reason, kmscap_frame_drop,
	TP_PROTO(u32 display, u32 client, u64 seq, u32 reason),
	TP_ARGS(display, client, seq, reason)
);

/* A frame a client read was revoked: its RELEASE will say -ESTALE. */
DEFINE_EVENT(kmscap_client_frame_reason, kmscap_hold_revoke,
	TP_PROTO(u32 display, u32 client, u64 seq, u32 reason),
	TP_ARGS(display, client, seq, reason)
);

/*
 * The commit of frame @seq took held buffers off the screen: its
 * flip-done event (or its return, if @blocking) waits for the holds.
 */
TRACE_EVENT(kmscap_flip_wait_start,
	TP_PROTO(u32 display, u64 seq, u32 buffers, u32 blocking),
	TP_ARGS(display, seq, buffers, blocking),
	TP_STRUCT__entry(
		__field(u64, seq)
		__field(u32, display)
		__field(u32, buffers)
		__field(u32, blocking)
		__field(u32, pad)
	),
	TP_fast_assign(
		__entry->seq = seq;
		__entry->display = display;
		__entry->buffers = buffers;
		__entry->blocking = blocking;
		__entry->pad = 0;
	),
	TP_printk("display=%u seq=%llu buffers=%u blocking=%u", __entry->display,
		  __entry->seq, __entry->buffers, __entry->blocking)
);

/* That wait ended after @waited_ns (holds released, revoked, or hang-up). */
TRACE_EVENT(kmscap_flip_wait_end,
	TP_PROTO(u32 display, u64 seq, u64 waited_ns),
	TP_ARGS(display, seq, waited_ns),
	TP_STRUCT__entry(
		__field(u64, seq)
		__field(u64, waited_ns)
		__field(u32, display)
		__field(u32, pad)
	),
	TP_fast_assign(
		__entry->seq = seq;
		__entry->waited_ns = waited_ns;
		__entry->display = display;
		__entry->pad = 0;
	),
	TP_printk("display=%u seq=%llu waited_ns=%llu", __entry->display, __entry->seq,
		  __entry->waited_ns)
);

/*
 * The commit of frame @seq is done for the compositor: its flip-done
 * event was sent (after the vblank, or after its wait: @waited 1), or a
 * blocking commit may return.  One per published frame.
 */
TRACE_EVENT(kmscap_flip_done,
	TP_PROTO(u32 display, u64 seq, u32 waited),
	TP_ARGS(display, seq, waited),
	TP_STRUCT__entry(
		__field(u64, seq)
		__field(u32, display)
		__field(u32, waited)
	),
	TP_fast_assign(
		__entry->seq = seq;
		__entry->display = display;
		__entry->waited = waited;
	),
	TP_printk("display=%u seq=%llu waited=%u", __entry->display, __entry->seq,
		  __entry->waited)
);

/* A /dev/kmscap file attached to a display as client @client. */
TRACE_EVENT(kmscap_client_attach,
	TP_PROTO(u32 display, u32 client, u32 uid, u32 pid, u32 queue_depth, u64 hold_timeout_ns),
	TP_ARGS(display, client, uid, pid, queue_depth, hold_timeout_ns),
	TP_STRUCT__entry(
		__field(u64, hold_timeout_ns)
		__field(u32, display)
		__field(u32, client)
		__field(u32, uid)
		__field(u32, pid)
		__field(u32, queue_depth)
		__field(u32, pad)
	),
	TP_fast_assign(
		__entry->hold_timeout_ns = hold_timeout_ns;
		__entry->display = display;
		__entry->client = client;
		__entry->uid = uid;
		__entry->pid = pid;
		__entry->queue_depth = queue_depth;
		__entry->pad = 0;
	),
	TP_printk("display=%u client=%u uid=%u pid=%u queue_depth=%u hold_timeout_ns=%llu",
		  __entry->display, __entry->client, __entry->uid, __entry->pid,
		  __entry->queue_depth, __entry->hold_timeout_ns)
);

/*
 * The client's file was closed; its final counters (KMSCAP_IOC_STATS as
 * it would have read them just before; @queued and @held end as delivered).
 */
TRACE_EVENT(kmscap_client_detach,
	TP_PROTO(u32 display, u32 client, u32 uid, const struct kmscap_client_stats *st),
	TP_ARGS(display, client, uid, st),
	TP_STRUCT__entry(
		__field(u64, flips)
		__field(u64, delivered)
		__field(u64, dropped_queue)
		__field(u64, dropped_timeout)
		__field(u64, queued)
		__field(u64, held)
		__field(u32, display)
		__field(u32, client)
		__field(u32, uid)
		__field(u32, pad)
	),
	TP_fast_assign(
		__entry->flips = st->flips;
		__entry->delivered = st->delivered;
		__entry->dropped_queue = st->dropped_queue;
		__entry->dropped_timeout = st->dropped_timeout;
		__entry->queued = st->queued;
		__entry->held = st->held;
		__entry->display = display;
		__entry->client = client;
		__entry->uid = uid;
		__entry->pad = 0;
	),
	TP_printk("display=%u client=%u uid=%u flips=%llu delivered=%llu dropped_queue=%llu dropped_timeout=%llu queued=%llu held=%llu",
		  __entry->display, __entry->client, __entry->uid, __entry->flips,
		  __entry->delivered, __entry->dropped_queue, __entry->dropped_timeout,
		  __entry->queued, __entry->held)
);

#endif /* _KMSCAP_TRACE_H_ */

/* Out of tree: define_trace.h finds this file through -I$(src) (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
