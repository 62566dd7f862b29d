// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: frame events, from the source to the encoder and back.
 * The ring thread reads the events, holds each frame (held.c), releases
 * the ones a newer frame supersedes, and hands the newest to the encoder:
 * in its own thread (threads 1), or through the encode thread's mailbox
 * (threads 2, encode_thread.c).
 *
 * The frame's way through the encoder, in the thread that encodes
 * (ks_frame_run): the encoder reads the frame (convert), the loop releases
 * it, the encoder encodes what it read unless the release said it may be
 * torn.  The encoder never calls back into the loop: what it made, its
 * counters and its error come back in the struct ks_frame, and the ring
 * thread queues the output (ks_frame_done).
 */
#include <errno.h>
#include <string.h>

#include "loop_priv.h"

void ks_merge_dropped(struct kmscap_event *keep, const struct kmscap_event *old)
{
	const uint32_t sticky = KMSCAP_FRAME_NEW_MODE | KMSCAP_FRAME_CURSOR_MOVED |
				KMSCAP_FRAME_CURSOR_CHANGED | KMSCAP_FRAME_FIRST;

	keep->flags |= old->flags & sticky;
	if ((old->flags & KMSCAP_FRAME_FULL_DAMAGE) || old->num_damage) {
		keep->flags |= KMSCAP_FRAME_FULL_DAMAGE;
		keep->num_damage = 0;
	}
}

int ks_frame_run(struct ks_loop *l, struct ks_frame *f)
{
	const struct ks_encoder_ops *enc = l->cfg.enc;
	int ret;

	if (enc->convert) {
		ret = enc->convert(l->cfg.enc_opaque, f);
		/* the frame's buffer is no longer read: give it back now */
		f->released = ks_held_release(l, f->ev.seq, f->stats);
		if (ret < 0)
			return ret;
	}
	ret = enc->encode(l->cfg.enc_opaque, f);
	if (!enc->convert)
		ks_held_release(l, f->ev.seq, f->stats);
	return ret;
}

void ks_frame_done(struct ks_loop *l, struct ks_frame *f, int ret)
{
	if (ret < 0 && f->err[0])
		ks_loop_fail(l, ret, "%s", f->err);
	else if (ret < 0)
		ks_loop_fail(l, ret, "encoding frame %llu failed: %s",
			     (unsigned long long)f->ev.seq, strerror(-ret));
	else
		ks_queue_output(l, &f->out, &f->side);
}

static void ks_encode(struct ks_loop *l, const struct kmscap_event *ev)
{
	struct ks_frame *f = &l->frame;

	if (l->threaded)
		return ks_submit(l, ev);
	if (l->out[KS_MAIN_OUT].queued >= l->cfg.max_queued) {
		/* the output does not keep up: drop rather than grow */
		l->stats.total.dropped++;
		ks_held_release(l, ev->seq, &l->stats);
		return;
	}
	f->ev = *ev;
	f->stats = &l->stats;
	f->released = 0;
	f->err[0] = '\0';
	ks_buf_reset(&f->out);
	ks_buf_reset(&f->side);
	ks_frame_done(l, f, ks_frame_run(l, f));
}

/* The flip-done events the source read along with frames, into the statistics. */
static void ks_take_flip_done(struct ks_loop *l)
{
	struct kmscap_event_flip_done d[KS_READ_BATCH];
	int n, i;

	if (!l->cfg.src->flip_done)
		return;
	do {
		n = l->cfg.src->flip_done(l->cfg.src_opaque, d, KS_READ_BATCH);
		for (i = 0; i < n; i++)
			ks_stats_flip_done(&l->stats, d[i].seq, d[i].timestamp_ns);
	} while (n == KS_READ_BATCH);
}

/* What one turn read: the newest frame, and whether a hang-up came. */
struct ks_batch {
	struct kmscap_event keep;
	bool have, hangup;
};

/*
 * Hold the frames of @evs, superseding older ones; how many were taken
 * (fewer than @n once --frames is reached).
 */
static int ks_take_events(struct ks_loop *l, struct ks_batch *b, struct kmscap_event *evs,
			  int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (evs[i].type == KMSCAP_EVENT_HANGUP) {
			b->hangup = true;
			continue;
		}
		if (b->hangup)
			continue;
		ks_hold(l, evs[i].seq);
		l->stats.total.frames_in++;
		l->stats.total.dropped += evs[i].dropped;
		if (b->have) {
			/* an older frame is superseded: drop it now */
			ks_merge_dropped(&evs[i], &b->keep);
			ks_held_release(l, b->keep.seq, &l->stats);
			l->stats.total.dropped++;
		}
		b->keep = evs[i];
		b->have = true;
		if (l->cfg.max_frames && l->stats.total.frames_in >= l->cfg.max_frames)
			return i + 1;
	}
	return n;
}

/* Encode the newest frame of the turn, or give it back; the reasons to stop. */
static void ks_batch_end(struct ks_loop *l, struct ks_batch *b)
{
	if (b->have && l->stop == KS_STOP_NONE)
		ks_encode(l, &b->keep);
	else if (b->have)
		ks_held_release(l, b->keep.seq, &l->stats);
	if (l->stop != KS_STOP_NONE)
		return;
	if (l->cfg.max_frames && l->stats.total.frames_in >= l->cfg.max_frames)
		l->stop = KS_STOP_FRAMES;
	else if (b->hangup)
		l->stop = KS_STOP_HANGUP;
}

void ks_handle_events(struct ks_loop *l)
{
	struct kmscap_event evs[KS_READ_BATCH];
	struct ks_batch b = { .have = false };
	int n;

	while (l->stop == KS_STOP_NONE) {
		n = l->cfg.src->read(l->cfg.src_opaque, evs, KS_READ_BATCH);
		ks_take_flip_done(l);
		if (n < 0)
			return ks_loop_fail(l, n, "reading kmscap events: %s", strerror(-n));
		if (n == 0 || ks_take_events(l, &b, evs, n) < n || b.hangup)
			break;
	}
	ks_batch_end(l, &b);
}

void ks_handle_read(struct ks_loop *l, size_t len)
{
	struct ks_batch b = { .hangup = !len };	/* 0 bytes: end of file */
	int n, i;

	n = l->cfg.src->decode(l->cfg.src_opaque, l->rbuf, len, l->revs, l->revs_max);
	ks_take_flip_done(l);
	if (n < 0)
		return ks_loop_fail(l, n, "decoding %zu bytes of kmscap events: %s", len,
				    strerror(-n));
	/* read as the loop stopped, or past --frames: given back at once */
	i = l->stop == KS_STOP_NONE && !l->draining ? ks_take_events(l, &b, l->revs, n) : 0;
	for (; i < n; i++)
		if (l->revs[i].type == KMSCAP_EVENT_FRAME && !b.hangup)
			l->cfg.src->release(l->cfg.src_opaque, l->revs[i].seq);
	if (l->stop == KS_STOP_NONE && !l->draining)
		ks_batch_end(l, &b);
}

void ks_flush_encoder(struct ks_loop *l)
{
	char err[256] = "";
	int ret;

	if (!l->cfg.enc->flush)
		return;
	ks_buf_reset(&l->scratch);
	ret = l->cfg.enc->flush(l->cfg.enc_opaque, l->stop, &l->scratch, err, sizeof(err));
	if (ret < 0 && err[0])
		ks_loop_fail(l, ret, "%s", err);
	else if (ret < 0)
		ks_loop_fail(l, ret, "flushing the encoder: %s", strerror(-ret));
	else
		ks_enqueue(l, KS_MAIN_OUT, &l->scratch);
}
