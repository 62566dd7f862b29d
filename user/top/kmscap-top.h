/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * kmscap-top: what its BPF programs (kmscap-top.bpf.c) send to user space
 * (kmscap-top.c) through the ring buffer: one record per kmscap
 * tracepoint hit, with the time it was hit.
 */
#ifndef KMSCAP_TOP_H
#define KMSCAP_TOP_H

enum kmscap_top_kind {
	KMSCAP_TOP_PUBLISH = 1,
	KMSCAP_TOP_READ,
	KMSCAP_TOP_EXPORT,
	KMSCAP_TOP_RELEASE,
	KMSCAP_TOP_DROP,
	KMSCAP_TOP_REVOKE,
	KMSCAP_TOP_WAIT_START,
	KMSCAP_TOP_WAIT_END,
	KMSCAP_TOP_FLIP_DONE,
	KMSCAP_TOP_ATTACH,
	KMSCAP_TOP_DETACH,
	KMSCAP_TOP_NKINDS
};

/*
 * @ts: bpf_ktime_get_ns() (CLOCK_MONOTONIC) when the tracepoint was hit.
 * @arg: by kind: PUBLISH clients, EXPORT buffer id, RELEASE result,
 *	DROP/REVOKE reason, WAIT_START buffers, FLIP_DONE waited,
 *	ATTACH/DETACH uid.
 * @arg2: PUBLISH buffer id, WAIT_START blocking, ATTACH pid.
 * @val: PUBLISH damage area, flags; EXPORT size; WAIT_END waited ns;
 *	ATTACH hold timeout, queue depth; DETACH flips, delivered,
 *	dropped_queue, dropped_timeout, queued, held.
 * @comm: ATTACH: the attaching task's name.
 */
struct kmscap_top_rec {
	__u64 ts;
	__u64 seq;
	__u64 val[6];
	__u32 kind;
	__u32 display;
	__u32 client;
	__s32 arg;
	__u32 arg2;
	__u32 pad;
	char comm[16];
};

/*
 * The tracepoint records as the kernel writes them (kmod/trace.h), the
 * context of each BPF program; kmscap-top.c checks every field's offset
 * and size against events/kmscap/<event>/format.
 */
/* struct trace_entry */
struct kmscap_tp_common {
	__u16 type;
	__u8 flags;
	__u8 preempt_count;
	__s32 pid;
};

struct kmscap_tp_frame_publish {
	struct kmscap_tp_common c;
	__u64 seq;
	__u64 damage_area;
	__u32 display;
	__u32 buffer_id;
	__u32 flags;
	__u32 clients;
};

struct kmscap_tp_frame_read {
	struct kmscap_tp_common c;
	__u64 seq;
	__u32 display;
	__u32 client;
};

struct kmscap_tp_buffer_export {
	struct kmscap_tp_common c;
	__u64 size;
	__u32 display;
	__u32 client;
	__u32 buffer_id;
	__u32 pad;
};

struct kmscap_tp_frame_release {
	struct kmscap_tp_common c;
	__u64 seq;
	__u32 display;
	__u32 client;
	__s32 result;
	__u32 pad;
};

/* kmscap_frame_drop and kmscap_hold_revoke */
struct kmscap_tp_frame_drop {
	struct kmscap_tp_common c;
	__u64 seq;
	__u32 display;
	__u32 client;
	__u32 reason;
	__u32 pad;
};

struct kmscap_tp_flip_wait_start {
	struct kmscap_tp_common c;
	__u64 seq;
	__u32 display;
	__u32 buffers;
	__u32 blocking;
	__u32 pad;
};

struct kmscap_tp_flip_wait_end {
	struct kmscap_tp_common c;
	__u64 seq;
	__u64 waited_ns;
	__u32 display;
	__u32 pad;
};

struct kmscap_tp_flip_done {
	struct kmscap_tp_common c;
	__u64 seq;
	__u32 display;
	__u32 waited;
};

struct kmscap_tp_client_attach {
	struct kmscap_tp_common c;
	__u64 hold_timeout_ns;
	__u32 display;
	__u32 client;
	__u32 uid;
	__u32 pid;
	__u32 queue_depth;
	__u32 pad;
};

struct kmscap_tp_client_detach {
	struct kmscap_tp_common c;
	__u64 flips;
	__u64 delivered;
	__u64 dropped_queue;
	__u64 dropped_timeout;
	__u64 queued;
	__u64 held;
	__u32 display;
	__u32 client;
	__u32 uid;
	__u32 pad;
};

#endif /* KMSCAP_TOP_H */
