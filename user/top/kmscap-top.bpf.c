// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * kmscap-top's BPF side: one classic tracepoint program per kmscap event
 * (events/kmscap/ in tracefs, kmod/trace.h), each copying the record into
 * a ring buffer with the time; user space (kmscap-top.c) aggregates.
 *
 * No BTF of the kernel or of kmscap.ko is needed: the records are
 * declared in kmscap-top.h as kmod/trace.h lays them out (the common
 * header, then the fields in order, naturally aligned), and kmscap-top.c
 * checks these layouts against each event's format file before loading.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "kmscap-top.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} kmscap_top_events SEC(".maps");

/* Records the ring buffer had no room for. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} kmscap_top_lost SEC(".maps");

/* --display: only this display's events (set before loading). */
const volatile __u32 kmscap_top_only_display = 0;
const volatile __u32 kmscap_top_filter_display = 0;

static __always_inline struct kmscap_top_rec *kmscap_top_reserve(__u32 kind, __u32 display)
{
	struct kmscap_top_rec *r;
	__u32 zero = 0;
	__u64 *lost;

	if (kmscap_top_filter_display && display != kmscap_top_only_display)
		return NULL;
	r = bpf_ringbuf_reserve(&kmscap_top_events, sizeof(*r), 0);
	if (!r) {
		lost = bpf_map_lookup_elem(&kmscap_top_lost, &zero);
		if (lost)
			(*lost)++;
		return NULL;
	}
	__builtin_memset(r, 0, sizeof(*r));
	r->ts = bpf_ktime_get_ns();
	r->kind = kind;
	r->display = display;
	return r;
}

/*
 * User space reads the ring every interval: wake it only when the ring
 * is a quarter full, not for every record.
 */
static __always_inline void kmscap_top_submit(struct kmscap_top_rec *r)
{
	__u64 flags = bpf_ringbuf_query(&kmscap_top_events, BPF_RB_AVAIL_DATA) > (1 << 20) ?
		      BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;

	bpf_ringbuf_submit(r, flags);
}

SEC("tp/kmscap/kmscap_frame_publish")
int kmscap_top_frame_publish(struct kmscap_tp_frame_publish *ctx)
{
	struct kmscap_top_rec *r = kmscap_top_reserve(KMSCAP_TOP_PUBLISH, ctx->display);

	if (!r)
		return 0;
	r->seq = ctx->seq;
	r->arg = ctx->clients;
	r->arg2 = ctx->buffer_id;
	r->val[0] = ctx->damage_area;
	r->val[1] = ctx->flags;
	kmscap_top_submit(r);
	return 0;
}

SEC("tp/kmscap/kmscap_frame_read")
int kmscap_top_frame_read(struct kmscap_tp_frame_read *ctx)
{
	struct kmscap_top_rec *r = kmscap_top_reserve(KMSCAP_TOP_READ, ctx->display);

	if (!r)
		return 0;
	r->seq = ctx->seq;
	r->client = ctx->client;
	kmscap_top_submit(r);
	return 0;
}

SEC("tp/kmscap/kmscap_buffer_export")
int kmscap_top_buffer_export(struct kmscap_tp_buffer_export *ctx)
{
	struct kmscap_top_rec *r = kmscap_top_reserve(KMSCAP_TOP_EXPORT, ctx->display);

	if (!r)
		return 0;
	r->client = ctx->client;
	r->arg = ctx->buffer_id;
	r->val[0] = ctx->size;
	kmscap_top_submit(r);
	return 0;
}

SEC("tp/kmscap/kmscap_frame_release")
int kmscap_top_frame_release(struct kmscap_tp_frame_release *ctx)
{
	struct kmscap_top_rec *r = kmscap_top_reserve(KMSCAP_TOP_RELEASE, ctx->display);

	if (!r)
		return 0;
	r->seq = ctx->seq;
	r->client = ctx->client;
	r->arg = ctx->result;
	kmscap_top_submit(r);
	return 0;
}

static __always_inline int kmscap_top_drop(struct kmscap_tp_frame_drop *ctx, __u32 kind)
{
	struct kmscap_top_rec *r = kmscap_top_reserve(kind, ctx->display);

	if (!r)
		return 0;
	r->seq = ctx->seq;
	r->client = ctx->client;
	r->arg = ctx->reason;
	kmscap_top_submit(r);
	return 0;
}

SEC("tp/kmscap/kmscap_frame_drop")
int kmscap_top_frame_drop(struct kmscap_tp_frame_drop *ctx)
{
	return kmscap_top_drop(ctx, KMSCAP_TOP_DROP);
}

SEC("tp/kmscap/kmscap_hold_revoke")
int kmscap_top_hold_revoke(struct kmscap_tp_frame_drop *ctx)
{
	return kmscap_top_drop(ctx, KMSCAP_TOP_REVOKE);
}

SEC("tp/kmscap/kmscap_flip_wait_start")
int kmscap_top_flip_wait_start(struct kmscap_tp_flip_wait_start *ctx)
{
	struct kmscap_top_rec *r = kmscap_top_reserve(KMSCAP_TOP_WAIT_START, ctx->display);

	if (!r)
		return 0;
	r->seq = ctx->seq;
	r->arg = ctx->buffers;
	r->arg2 = ctx->blocking;
	kmscap_top_submit(r);
	return 0;
}

SEC("tp/kmscap/kmscap_flip_wait_end")
int kmscap_top_flip_wait_end(struct kmscap_tp_flip_wait_end *ctx)
{
	struct kmscap_top_rec *r = kmscap_top_reserve(KMSCAP_TOP_WAIT_END, ctx->display);

	if (!r)
		return 0;
	r->seq = ctx->seq;
	r->val[0] = ctx->waited_ns;
	kmscap_top_submit(r);
	return 0;
}

SEC("tp/kmscap/kmscap_flip_done")
int kmscap_top_flip_done(struct kmscap_tp_flip_done *ctx)
{
	struct kmscap_top_rec *r = kmscap_top_reserve(KMSCAP_TOP_FLIP_DONE, ctx->display);

	if (!r)
		return 0;
	r->seq = ctx->seq;
	r->arg = ctx->waited;
	kmscap_top_submit(r);
	return 0;
}

SEC("tp/kmscap/kmscap_client_attach")
int kmscap_top_client_attach(struct kmscap_tp_client_attach *ctx)
{
	struct kmscap_top_rec *r = kmscap_top_reserve(KMSCAP_TOP_ATTACH, ctx->display);

	if (!r)
		return 0;
	r->client = ctx->client;
	r->arg = ctx->uid;
	r->arg2 = ctx->pid;
	r->val[0] = ctx->hold_timeout_ns;
	r->val[1] = ctx->queue_depth;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	kmscap_top_submit(r);
	return 0;
}

SEC("tp/kmscap/kmscap_client_detach")
int kmscap_top_client_detach(struct kmscap_tp_client_detach *ctx)
{
	struct kmscap_top_rec *r = kmscap_top_reserve(KMSCAP_TOP_DETACH, ctx->display);

	if (!r)
		return 0;
	r->client = ctx->client;
	r->arg = ctx->uid;
	r->val[0] = ctx->flips;
	r->val[1] = ctx->delivered;
	r->val[2] = ctx->dropped_queue;
	r->val[3] = ctx->dropped_timeout;
	r->val[4] = ctx->queued;
	r->val[5] = ctx->held;
	kmscap_top_submit(r);
	return 0;
}
