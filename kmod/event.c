// SPDX-License-Identifier: GPL-2.0-only
/*
 * The client's side of capture: read() takes the queued frames (and the
 * hang-up) as events, poll() says when there are some.
 */

#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <linux/uio.h>

#include "kmscap_drv.h"
#include "trace.h"

/* Frames read() returns: a ring client's are in its ring (capture_lock held). */
static bool kmscap_client_frames(const struct kmscap_client *client)
{
	return client->nqueued && !client->ring;
}

/*
 * Events that make read() return (capture_lock held): flip-done events
 * only when the client did not ask to have them deferred.
 */
static bool kmscap_client_wakes(struct kmscap_client *client)
{
	return kmscap_client_frames(client) || (client->ndone && !client->flip_done_defer) ||
	       client->inject_type || (client->hangup && !client->hangup_read);
}

static bool kmscap_client_readable(struct kmscap_client *client)
{
	struct kmscap_display *disp = client->disp;
	bool ready;

	spin_lock(&disp->capture_lock);
	ready = kmscap_client_wakes(client);
	if (!ready && client->hangup)
		ready = true;	/* end of file */
	spin_unlock(&disp->capture_lock);
	return ready;
}

/* Forget the oldest revoked holds beyond the limit (read_lock held). */
static void kmscap_client_trim_revoked(struct kmscap_client *client, struct list_head *dead)
{
	struct kmscap_hold *hold, *tmp;

	list_for_each_entry_safe(hold, tmp, &client->held, client_link) {
		if (client->nrevoked <= KMSCAP_MAX_REVOKED)
			break;
		if (!hold->revoked)
			continue;
		list_move_tail(&hold->client_link, dead);
		client->nrevoked--;
		client->stats.revoked_unreleased--;
	}
}

/* The whole frame changed for the client: no rectangles. */
static void kmscap_event_full_damage(struct kmscap_event *ev)
{
	if (ev->flags & KMSCAP_FRAME_BLANK)
		return;
	ev->flags |= KMSCAP_FRAME_FULL_DAMAGE;
	ev->flags &= ~KMSCAP_FRAME_DAMAGE_MERGED;
	ev->num_damage = 0;
	memset(ev->damage, 0, sizeof(ev->damage));
}

/**
 * kmscap_event_prepare - a frame's event as @client gets it
 * @client: the client (capture_lock held)
 * @prev: the frame of the event before it in the same read(), or NULL
 * @frame: the frame
 * @ev: a copy of @frame's event, completed here: first, frames lost
 *	before it, gamma change, full damage when there is no previous
 *	picture for the rectangles to be relative to
 */
void kmscap_event_prepare(const struct kmscap_client *client, const struct kmscap_frame *prev,
			  const struct kmscap_frame *frame, struct kmscap_event *ev)
{
	if (client->first_pending)
		ev->flags |= KMSCAP_FRAME_FIRST;
	ev->dropped = client->dropped_since;
	kmscap_gamma_event(client, prev, frame, ev);
	if (client->first_pending || client->dropped_since)
		kmscap_event_full_damage(ev);
}

/* The length of @ev (type KMSCAP_EVENT_*) as @client reads it. */
static size_t kmscap_event_len(const struct kmscap_client *client, const struct kmscap_event *ev)
{
	if (!client->framed)
		return sizeof(*ev);
	if (ev->type == KMSCAP_EVENT_HANGUP)
		return sizeof(struct kmscap_event_hangup);
	return sizeof(struct kmscap_event_frame) + ev->num_damage * sizeof(struct kmscap_rect);
}

static void kmscap_event_frame_encode(const struct kmscap_event *ev, void *buf, size_t len)
{
	struct kmscap_event_frame *f = buf;

	memset(f, 0, sizeof(*f));
	f->base.type = KMSCAP_EVENT_FRAME;
	f->base.length = len;
	f->flags = ev->flags;
	f->display_id = ev->display_id;
	f->seq = ev->seq;
	f->timestamp_ns = ev->timestamp_ns;
	f->dropped = ev->dropped;
	f->buffer_id = ev->buffer_id;
	f->format = ev->format;
	f->modifier = ev->modifier;
	f->width = ev->width;
	f->height = ev->height;
	f->num_planes = ev->num_planes;
	memcpy(f->pitches, ev->pitches, sizeof(f->pitches));
	memcpy(f->offsets, ev->offsets, sizeof(f->offsets));
	f->src_x = ev->src_x;
	f->src_y = ev->src_y;
	f->src_w = ev->src_w;
	f->src_h = ev->src_h;
	f->mode_width = ev->mode_width;
	f->mode_height = ev->mode_height;
	f->refresh_mhz = ev->refresh_mhz;
	f->num_damage = ev->num_damage;
	f->damage_offset = sizeof(*f);
	f->cursor_buffer_id = ev->cursor_buffer_id;
	f->cursor_x = ev->cursor_x;
	f->cursor_y = ev->cursor_y;
	f->cursor_format = ev->cursor_format;
	f->cursor_width = ev->cursor_width;
	f->cursor_height = ev->cursor_height;
	f->cursor_hot_x = ev->cursor_hot_x;
	f->cursor_hot_y = ev->cursor_hot_y;
	f->cursor_pitch = ev->cursor_pitch;
	memcpy(f + 1, ev->damage, ev->num_damage * sizeof(struct kmscap_rect));
}

/*
 * Write @ev at @buf as @client reads it: the 1.0 event as it is, or framed
 * (@len bytes, from kmscap_event_len()).
 */
static void kmscap_event_encode(const struct kmscap_client *client,
				const struct kmscap_event *ev, void *buf, size_t len)
{
	struct kmscap_event_hangup *h = buf;

	if (!client->framed) {
		memcpy(buf, ev, sizeof(*ev));
	} else if (ev->type == KMSCAP_EVENT_HANGUP) {
		memset(h, 0, sizeof(*h));
		h->base.type = KMSCAP_EVENT_HANGUP;
		h->base.length = len;
		h->display_id = ev->display_id;
		h->seq = ev->seq;
		h->timestamp_ns = ev->timestamp_ns;
	} else {
		kmscap_event_frame_encode(ev, buf, len);
	}
}

/*
 * The most a read() of @client can return: its queue, its flip-done
 * events, the hang-up, an injected event.
 */
static size_t kmscap_read_max(const struct kmscap_client *client)
{
	size_t one = client->framed ? KMSCAP_EVENT_FRAMED_MAX : sizeof(struct kmscap_event);
	size_t done = client->flip_done ? sizeof(struct kmscap_event_flip_done) : 0;

	return (client->queue_depth + 2) * one + client->queue_depth * done;
}

/* Is the next event of @client a flip-done one (capture_lock held)? */
static bool kmscap_flip_done_next(struct kmscap_client *client)
{
	const struct kmscap_hold *next;

	if (!client->ndone)
		return false;
	if (!kmscap_client_frames(client))
		return true;
	next = list_first_entry_or_null(&client->queue, struct kmscap_hold, client_link);
	return !next || client->done_ring[client->done_head].order < next->order;
}

/*
 * Take the oldest flip-done event of @client into @buf, which has room
 * for it (capture_lock held).  Return: its length.
 */
static size_t kmscap_read_flip_done(struct kmscap_client *client, void *buf)
{
	const struct kmscap_presented *p = &client->done_ring[client->done_head];
	struct kmscap_event_flip_done *f = buf;

	memset(f, 0, sizeof(*f));
	f->base.type = KMSCAP_EVENT_FLIP_DONE;
	f->base.length = sizeof(*f);
	f->flags = p->flags;
	f->display_id = client->disp->id;
	f->seq = p->seq;
	f->vblank_seq = p->vblank;
	f->timestamp_ns = p->time_ns;
	f->commit_ns = p->commit_ns;
	f->hold_wait_ns = p->wait_ns;
	f->dropped = client->done_dropped;
	client->done_dropped = 0;
	client->done_head = (client->done_head + 1) % client->queue_depth;
	client->ndone--;
	return sizeof(*f);
}

/* The length of an injected event: a header and 16 bytes nobody knows. */
#define KMSCAP_EVENT_INJECTED_LEN	24

/**
 * kmscap_capture_inject - give every framed client an event of an unknown type
 * @disp: the display
 * @type: the type, none of KMSCAP_EVENT_*
 *
 * For debugfs only: a test of readers that must skip the event types of a
 * later ABI.  The event comes before the frames queued; a client that
 * has not read the previous one gets only one.
 */
int kmscap_capture_inject(struct kmscap_display *disp, u32 type)
{
	struct kmscap_client *client;

	if (!type || type == KMSCAP_EVENT_FRAME || type == KMSCAP_EVENT_HANGUP ||
	    type == KMSCAP_EVENT_FLIP_DONE)
		return -EINVAL;
	spin_lock(&disp->capture_lock);
	list_for_each_entry(client, &disp->clients, link) {
		if (!client->framed)
			continue;
		client->inject_type = type;
		wake_up_interruptible_poll(&client->wq, EPOLLIN | EPOLLRDNORM);
	}
	spin_unlock(&disp->capture_lock);
	return 0;
}

/**
 * kmscap_capture_read - read() on an attached client
 * @client: the client
 * @to: where the events go; its count is at least one event
 * @nonblock: O_NONBLOCK, or a caller that must not block (IOCB_NOWAIT:
 *	io_uring, which then waits by polling)
 *
 * A client attached with %KMSCAP_ATTACH_FRAMED reads framed events (each
 * as long as it says), any other the fixed 1.0 event.  Whole events only:
 * -EINVAL when the next one does not fit.
 *
 * Return: bytes read, 0 at end of file after the hang-up event, or a
 * negative errno.
 */
ssize_t kmscap_capture_read(struct kmscap_client *client, struct iov_iter *to, bool nonblock)
{
	size_t count = iov_iter_count(to);
	struct kmscap_display *disp = client->disp;
	struct kmscap_hold *taken[KMSCAP_MAX_QUEUE + 1];
	size_t len, size, done = 0, ntaken = 0, ndone = 0, n;
	bool hangup_taken = false, first_was;
	u32 inject_was = 0;
	struct kmscap_event ev;
	u64 dropped_was;
	LIST_HEAD(dead);
	ssize_t ret;
	u8 *kbuf;

	if (count < (client->framed ? sizeof(struct kmscap_event_header) :
				      sizeof(struct kmscap_event)))
		return -EINVAL;
	size = min(count, kmscap_read_max(client));
	kbuf = kmalloc(size, GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;

	mutex_lock(&client->read_lock);
	for (;;) {
		spin_lock(&disp->capture_lock);
		/* a non-blocking read takes deferred flip-done events too */
		if (kmscap_client_wakes(client) || client->hangup || (nonblock && client->ndone))
			break;
		spin_unlock(&disp->capture_lock);
		if (nonblock) {
			ret = -EAGAIN;
			goto out_unlock;
		}
		mutex_unlock(&client->read_lock);
		ret = wait_event_interruptible(client->wq, kmscap_client_readable(client));
		mutex_lock(&client->read_lock);
		if (ret)
			goto out_unlock;
	}

	/* capture_lock held; a ring client's revoked frames are in its ring */
	if (!client->ring)
		kmscap_client_trim_revoked(client, &dead);
	first_was = client->first_pending;
	dropped_was = client->dropped_since;
	if (client->inject_type && size >= KMSCAP_EVENT_INJECTED_LEN) {
		struct kmscap_event_header *h = (void *)kbuf;

		memset(kbuf, 0, KMSCAP_EVENT_INJECTED_LEN);
		h->type = client->inject_type;
		h->length = KMSCAP_EVENT_INJECTED_LEN;
		done = KMSCAP_EVENT_INJECTED_LEN;
		inject_was = client->inject_type;
		client->inject_type = 0;
	}
	for (;;) {
		struct kmscap_hold *hold;

		if (kmscap_flip_done_next(client)) {
			if (sizeof(struct kmscap_event_flip_done) > size - done)
				break;
			done += kmscap_read_flip_done(client, kbuf + done);
			ndone++;
			continue;
		}
		if (!kmscap_client_frames(client))
			break;
		hold = list_first_entry(&client->queue, struct kmscap_hold, client_link);
		ev = hold->frame->ev;
		kmscap_event_prepare(client, ntaken ? taken[ntaken - 1]->frame : NULL, hold->frame,
				     &ev);
		len = kmscap_event_len(client, &ev);
		if (len > size - done)
			break;
		kmscap_event_encode(client, &ev, kbuf + done, len);
		done += len;
		client->first_pending = false;
		client->dropped_since = 0;
		kmscap_hold_take(hold);
		taken[ntaken++] = hold;
	}
	if (!kmscap_client_frames(client) && !client->ndone && client->hangup &&
	    !client->hangup_read) {
		memset(&ev, 0, sizeof(ev));
		ev.type = KMSCAP_EVENT_HANGUP;
		ev.display_id = disp->id;
		ev.seq = disp->seq;
		ev.timestamp_ns = ktime_get_ns();
		len = kmscap_event_len(client, &ev);
		if (len <= size - done) {
			kmscap_event_encode(client, &ev, kbuf + done, len);
			done += len;
			client->hangup_read = true;
			hangup_taken = true;
		}
	}
	spin_unlock(&disp->capture_lock);

	ret = done;
	if (!done && (kmscap_client_frames(client) || client->ndone || client->inject_type ||
		      (client->hangup && !client->hangup_read)))
		ret = -EINVAL;		/* the next event does not fit */
	if (done && copy_to_iter(kbuf, done, to) != done) {
		/*
		 * Undo: the client saw nothing, so nothing is lost: the holds go
		 * back to the queue, the next event read is still the first and
		 * reports the frames lost before it.  A hold revoked meanwhile
		 * is a frame lost (and counted as such): the client cannot
		 * release a frame it never saw.  Flip-done events taken are
		 * lost, and counted in the next one's dropped.
		 */
		spin_lock(&disp->capture_lock);
		client->done_dropped += ndone;
		client->first_pending = first_was;
		client->dropped_since += dropped_was;
		if (inject_was && !client->inject_type)
			client->inject_type = inject_was;
		while (ntaken--) {
			struct kmscap_hold *hold = taken[ntaken];

			if (hold->revoked) {
				list_move(&hold->client_link, &dead);
				client->nrevoked--;
				client->stats.revoked_unreleased--;
				client->dropped_since++;
				continue;
			}
			hold->read = false;
			list_move(&hold->client_link, &client->queue);
			client->nqueued++;
			client->stats.queued++;
			client->stats.held--;
		}
		if (hangup_taken)
			client->hangup_read = false;
		spin_unlock(&disp->capture_lock);
		ret = -EFAULT;
	} else {
		/*
		 * The holds read stay on @client->held until a RELEASE or a
		 * later read() frees them, both under read_lock, held here.
		 */
		if (ntaken)
			client->gamma_seq = taken[ntaken - 1]->frame->gamma_seq;
		if (trace_kmscap_frame_read_enabled())
			for (n = 0; n < ntaken; n++)
				trace_kmscap_frame_read(disp->id, client->id,
							taken[n]->frame->ev.seq);
	}
	if (client->auto_release && ret > 0 && ntaken)
		kmscap_capture_auto_release(client, taken[0]);
out_unlock:
	mutex_unlock(&client->read_lock);
	kmscap_hold_free_list(&dead);
	kfree(kbuf);
	return ret;
}

/*
 * The events of an attached client (the caller registered its wait
 * queue): a ring client is readable while its ring has a READY frame.
 */
__poll_t kmscap_capture_poll(struct kmscap_client *client)
{
	struct kmscap_display *disp = client->disp;
	__poll_t mask = 0;
	LIST_HEAD(dead);

	spin_lock(&disp->capture_lock);
	if (client->ring)
		kmscap_ring_sync(client, &dead);
	if (kmscap_client_wakes(client) || client->nqueued)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (client->hangup)
		mask |= EPOLLHUP;
	spin_unlock(&disp->capture_lock);
	kmscap_hold_free_list(&dead);
	return mask;
}
