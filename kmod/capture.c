// SPDX-License-Identifier: GPL-2.0-only
/*
 * Frame capture: every commit on a display becomes a frame; each attached
 * client gets a hold on it, reads it as an event and releases it.
 *
 * Frame lifecycle
 *   publish   commit_tail fills the frame (allocated before the commit
 *             started; frame.c) from the committed plane states and queues a hold
 *             for every client (evicting the oldest unread hold of a full
 *             queue: dropped_queue).  A hold pins the frame's buffers.
 *   read      read() moves holds from the client's queue to its held list.
 *   replace   a commit that takes a pinned buffer off the screen waits
 *             (backpressure.c): its flip-done event is sent only once no
 *             hold pins the buffer, holds being revoked when their
 *             client's timeout expires (dropped_timeout).
 *   release   KMSCAP_IOC_RELEASE or close ends a hold (delivered); so
 *             does the next read() returning frames, for a client
 *             attached with KMSCAP_ATTACH_AUTO_RELEASE.
 *
 * read() and poll() of a client are in event.c; a ring client's frames
 * (KMSCAP_ATTACH_FRAME_RING) are written into its ring and taken there
 * (ring.c).
 *
 * Accounting per client, exact at every moment:
 *   flips == delivered + dropped_queue + dropped_timeout + queued + held
 */

#include <linux/cred.h>
#include <linux/ktime.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_atomic.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem.h>

#include "kmscap_drv.h"
#include "trace.h"

/* Free holds collected on @dead (linked by client_link) outside the lock. */
void kmscap_hold_free_list(struct list_head *dead)
{
	struct kmscap_hold *hold, *tmp;

	list_for_each_entry_safe(hold, tmp, dead, client_link) {
		list_del(&hold->client_link);
		kmscap_frame_put(hold->frame);
		kfree(hold);
	}
}

/* The hold timeout: the client's, or one refresh; never above the ABI's cap. */
static u64 kmscap_client_timeout(const struct kmscap_client *client)
{
	u64 ns = client->hold_timeout_ns ?: READ_ONCE(client->disp->period_ns);

	return min_t(u64, ns, KMSCAP_MAX_HOLD_NS);
}

/* The hold becomes active: it pins its frame's buffers. */
static void kmscap_hold_activate(struct kmscap_hold *hold)
{
	list_add_tail(&hold->frame_link, &hold->frame->holds);
	kmscap_frame_pin(hold->frame);
}

/*
 * The hold ends (released, revoked, dropped): its buffers are unpinned,
 * and the client's longest wait is noted if a flip waited for them.
 */
static void kmscap_hold_deactivate(struct kmscap_hold *hold)
{
	struct kmscap_client *client = hold->client;
	u64 waited_ns = 0;

	if (list_empty(&hold->frame_link))
		return;
	list_del_init(&hold->frame_link);
	kmscap_frame_unpin(hold->frame, ktime_get(), &waited_ns);
	client->stats.max_hold_wait_ns = max(client->stats.max_hold_wait_ns, waited_ns);
}

/* Unlink an unread hold from its client's queue and its frame. */
void kmscap_hold_unqueue(struct kmscap_hold *hold, struct list_head *dead)
{
	struct kmscap_client *client = hold->client;

	kmscap_hold_deactivate(hold);
	list_move_tail(&hold->client_link, dead);
	client->nqueued--;
	client->stats.queued--;
	client->ring_carry |= hold->carry;
}

/*
 * The hold ends before its release (@reason: KMSCAP_TRACE_*): its
 * buffers may be reused now.
 */
static void kmscap_hold_revoke(struct kmscap_hold *hold, struct list_head *dead, u32 reason)
{
	struct kmscap_client *client = hold->client;
	struct kmscap_display *disp = client->disp;

	/* a ring client's slot first: it may have been taken or given back */
	if (client->ring && kmscap_ring_revoke(hold, dead))
		return;
	if (!hold->read)
		trace_kmscap_frame_drop(disp->id, client->id, hold->frame->ev.seq, reason);
	else
		trace_kmscap_hold_revoke(disp->id, client->id, hold->frame->ev.seq, reason);
	if (!hold->read) {
		kmscap_hold_unqueue(hold, dead);
		client->dropped_since++;
	} else {
		kmscap_hold_deactivate(hold);
		hold->revoked = true;
		kmscap_status_note_revoke(client, hold->frame->ev.seq);
		client->stats.held--;
		client->stats.revoked_unreleased++;
		client->nrevoked++;
	}
	client->stats.dropped_timeout++;
	disp->stats.drops_timeout++;
	disp->stats.revoked++;
}

/**
 * kmscap_hold_take - the client has read (or, in its ring, taken) a frame
 * @hold: its unread hold (capture_lock held), which becomes a read one
 */
void kmscap_hold_take(struct kmscap_hold *hold)
{
	struct kmscap_client *client = hold->client;

	hold->read = true;
	list_move_tail(&hold->client_link, &client->held);
	client->nqueued--;
	client->stats.queued--;
	client->stats.held++;
}

/* A ring client whose every slot is its own: the new frame is dropped. */
static void kmscap_client_ring_full(struct kmscap_client *client, struct kmscap_hold *hold)
{
	struct kmscap_display *disp = client->disp;

	client->stats.dropped_queue++;
	client->dropped_since++;
	disp->stats.drops_queue++;
	trace_kmscap_frame_drop(disp->id, client->id, hold->frame->ev.seq,
				KMSCAP_TRACE_QUEUE_FULL);
	kfree(hold);
}

static void kmscap_client_enqueue(struct kmscap_client *client, struct kmscap_frame *frame,
				  struct list_head *dead)
{
	struct kmscap_display *disp = client->disp;
	struct kmscap_hold *hold;

	client->stats.flips++;
	hold = kzalloc(sizeof(*hold), GFP_ATOMIC);
	if (hold && client->ring) {
		hold->frame = frame;
		hold->client = client;
		if (!kmscap_ring_enqueue(client, hold, dead)) {
			kmscap_client_ring_full(client, hold);
			return;
		}
	} else if (!hold || client->nqueued >= client->queue_depth) {
		struct kmscap_hold *oldest;

		client->stats.dropped_queue++;
		client->dropped_since++;
		disp->stats.drops_queue++;
		if (!hold) {
			trace_kmscap_frame_drop(disp->id, client->id, frame->ev.seq,
						KMSCAP_TRACE_NOMEM);
			return;
		}
		/* Latest frame wins: drop the oldest unread one. */
		oldest = list_first_entry(&client->queue, struct kmscap_hold, client_link);
		trace_kmscap_frame_drop(disp->id, client->id, oldest->frame->ev.seq,
					KMSCAP_TRACE_QUEUE_FULL);
		kmscap_hold_unqueue(oldest, dead);
		/* The newest frame is now counted instead of the dropped one. */
	}
	kref_get(&frame->ref);
	hold->frame = frame;
	hold->client = client;
	hold->order = ++disp->event_order;
	list_add_tail(&hold->client_link, &client->queue);
	kmscap_hold_activate(hold);
	client->nqueued++;
	client->stats.queued++;
	disp->stats.holds++;
}

/* Revoke every active hold of @disp whose frame shows @bo (capture_lock held). */
static void kmscap_capture_revoke_bo(struct kmscap_display *disp, struct kmscap_bo *bo,
				     struct list_head *dead)
{
	struct kmscap_hold *hold, *tmp;
	struct kmscap_client *client;

	list_for_each_entry(client, &disp->clients, link) {
		list_for_each_entry_safe(hold, tmp, &client->queue, client_link)
			if (kmscap_frame_shows(hold->frame, bo))
				kmscap_hold_revoke(hold, dead, KMSCAP_TRACE_OVERWRITTEN);
		list_for_each_entry_safe(hold, tmp, &client->held, client_link)
			if (!hold->revoked && kmscap_frame_shows(hold->frame, bo))
				kmscap_hold_revoke(hold, dead, KMSCAP_TRACE_OVERWRITTEN);
	}
}

/**
 * kmscap_capture_overwritten - the compositor wrote into a buffer in place
 * @disp: the display
 * @bo: the buffer, which may be on screen (front-buffer rendering)
 *
 * Called for DIRTYFB: the pixels of frames showing @bo changed under
 * their readers, so their holds are revoked (RELEASE says -ESTALE).
 */
void kmscap_capture_overwritten(struct kmscap_display *disp, struct kmscap_bo *bo)
{
	LIST_HEAD(dead);

	spin_lock(&disp->capture_lock);
	kmscap_capture_revoke_bo(disp, bo, &dead);
	spin_unlock(&disp->capture_lock);
	kmscap_hold_free_list(&dead);
}

/**
 * kmscap_capture_revoke_expired - revoke holds past their deadline
 * @disp: the display, with flips waiting (capture_lock held)
 * @now: the time
 * @earliest: lowered to the earliest deadline still to come
 * @dead: where ended holds go, to be freed after unlocking
 *
 * A hold's deadline runs from when a buffer it pins left the screen.
 */
void kmscap_capture_revoke_expired(struct kmscap_display *disp, ktime_t now,
				   ktime_t *earliest, struct list_head *dead)
{
	struct kmscap_hold *hold, *tmp;
	struct kmscap_client *client;

	lockdep_assert_held(&disp->capture_lock);
	list_for_each_entry(client, &disp->clients, link) {
		u64 timeout = kmscap_client_timeout(client);

		if (client->ring)
			kmscap_ring_sync(client, dead);
		list_for_each_entry_safe(hold, tmp, &client->queue, client_link) {
			ktime_t deadline = kmscap_hold_deadline(hold->frame, timeout);

			if (ktime_compare(deadline, now) <= 0)
				kmscap_hold_revoke(hold, dead, KMSCAP_TRACE_TIMEOUT);
			else
				*earliest = min(*earliest, deadline);
		}
		list_for_each_entry_safe(hold, tmp, &client->held, client_link) {
			ktime_t deadline;

			if (hold->revoked)
				continue;
			deadline = kmscap_hold_deadline(hold->frame, timeout);
			if (ktime_compare(deadline, now) <= 0)
				kmscap_hold_revoke(hold, dead, KMSCAP_TRACE_TIMEOUT);
			else
				*earliest = min(*earliest, deadline);
		}
	}
}

/*
 * A commit that keeps a buffer on @plane but carries damage clips for it
 * says the compositor drew into it in place: frames showing it changed.
 * Return: that buffer, or NULL.
 */
static struct kmscap_bo *kmscap_plane_redrawn(struct drm_atomic_state *state,
					      struct drm_plane *plane)
{
	struct drm_plane_state *old_ps = drm_atomic_get_old_plane_state(state, plane);
	struct drm_plane_state *new_ps = drm_atomic_get_new_plane_state(state, plane);

	if (!old_ps || !new_ps || !new_ps->fb || old_ps->fb != new_ps->fb ||
	    !new_ps->fb_damage_clips)
		return NULL;
	return to_kmscap_bo(new_ps->fb->obj[0]);
}

/**
 * kmscap_capture_publish - hand the frame just committed to every client
 * @disp: the display
 * @state: the atomic state being committed (plane states already swapped)
 *
 * Called from commit_tail after the planes are updated and before the
 * flip-done event is armed.  Never waits and never fails: the frame and
 * the flip record were allocated before the commit started.
 *
 * Return: the flip record when this commit took buffers off the screen
 * that holds still pin (pass it to kmscap_flip_queue() with the commit's
 * CRTC state), else NULL.
 */
struct kmscap_flip *kmscap_capture_publish(struct kmscap_display *disp,
					   struct drm_atomic_state *state)
{
	struct kmscap_atomic_state *ks = to_kmscap_atomic_state(state);
	struct kmscap_frame *frame = ks->frame, *old;
	struct kmscap_flip *flip = ks->flip;
	struct kmscap_bo *bos[2];
	struct kmscap_client *client;
	struct drm_crtc_state *cs;
	ktime_t now = ktime_get();
	bool wait = false;
	LIST_HEAD(dead);
	unsigned int i, n;

	/* Commits before kmscap_atomic_commit() (none today) publish nothing. */
	if (WARN_ON_ONCE(!frame || !flip || !ks->present))
		return NULL;
	/*
	 * Only a commit that includes the CRTC is a frame.  Those are
	 * serialised by DRM (a commit swaps its states in only after the
	 * previous one on the CRTC signalled hw_done, which follows this
	 * call), so the planes' current states are this commit's.  A commit
	 * without the CRTC (a plane that was off turned off again, a
	 * connector property) changes nothing on screen, and its tail may run
	 * before that of an earlier flip.
	 */
	cs = drm_atomic_get_new_crtc_state(state, &disp->crtc);
	if (!cs)
		return NULL;
	ks->frame = NULL;
	ks->flip = NULL;
	kmscap_frame_init(frame, disp, state, cs);

	bos[0] = kmscap_plane_redrawn(state, &disp->primary);
	bos[1] = kmscap_plane_redrawn(state, &disp->cursor);

	spin_lock(&disp->capture_lock);
	if (disp->dead) {
		spin_unlock(&disp->capture_lock);
		kmscap_frame_put(frame);
		kmscap_flip_put(flip);
		return NULL;
	}
	for (i = 0; i < 2; i++)
		if (bos[i])
			kmscap_capture_revoke_bo(disp, bos[i], &dead);

	frame->ev.seq = ++disp->seq;
	kmscap_gamma_frame_publish(frame, disp->current_frame);
	disp->stats.frames++;
	ks->seq = frame->ev.seq;
	flip->seq = frame->ev.seq;
	ks->present->info.seq = frame->ev.seq;
	ks->present->info.commit_ns = frame->ev.timestamp_ns;
	list_for_each_entry(client, &disp->clients, link) {
		kmscap_client_enqueue(client, frame, &dead);
		wake_up_interruptible_poll(&client->wq, EPOLLIN | EPOLLRDNORM);
	}
	if (trace_kmscap_frame_publish_enabled())
		trace_kmscap_frame_publish(disp->id, frame->ev.seq, frame->ev.buffer_id,
					   frame->ev.flags, kmscap_frame_damage_area(&frame->ev),
					   disp->nclients);
	old = disp->current_frame;
	disp->current_frame = frame;

	/* The buffers the old frame showed that this one does not. */
	n = old ? kmscap_frame_bos(old, bos) : 0;
	for (i = 0; i < n; i++) {
		if (kmscap_frame_shows(frame, bos[i]) || !kmscap_flip_add_bo(flip, bos[i], now))
			continue;
		wait = true;
		kmscap_ring_want(disp, bos[i], &dead);
	}
	spin_unlock(&disp->capture_lock);
	kmscap_hold_free_list(&dead);
	if (old)
		kmscap_frame_put(old);
	if (!wait) {
		kmscap_flip_put(flip);
		return NULL;
	}
	return flip;
}

/**
 * kmscap_capture_hangup - the display is going away
 * @disp: the display
 *
 * Unread frames are dropped, read ones revoked; every client sees POLLHUP
 * and a final %KMSCAP_EVENT_HANGUP.  Waiting flips complete.
 */
void kmscap_capture_hangup(struct kmscap_display *disp)
{
	struct kmscap_hold *hold, *tmp;
	struct kmscap_client *client;
	struct kmscap_frame *old;
	LIST_HEAD(dead);

	spin_lock(&disp->capture_lock);
	disp->dead = true;
	old = disp->current_frame;
	disp->current_frame = NULL;
	list_for_each_entry(client, &disp->clients, link) {
		list_for_each_entry_safe(hold, tmp, &client->queue, client_link)
			kmscap_hold_revoke(hold, &dead, KMSCAP_TRACE_HANGUP);
		list_for_each_entry_safe(hold, tmp, &client->held, client_link)
			if (!hold->revoked)
				kmscap_hold_revoke(hold, &dead, KMSCAP_TRACE_HANGUP);
		client->hangup = true;
		wake_up_interruptible_poll(&client->wq, EPOLLHUP | EPOLLIN);
	}
	spin_unlock(&disp->capture_lock);
	kmscap_backpressure_flush(disp);
	kmscap_hold_free_list(&dead);
	if (old)
		kmscap_frame_put(old);
}

/* Client ids of the tracepoints: global, from 1. */
static atomic_t kmscap_client_ids = ATOMIC_INIT(0);

/**
 * kmscap_capture_attach - make @client capture @disp
 * @client: the client, not attached yet (read_lock held by the caller)
 * @disp: the display; the client takes over the caller's reference
 * @req: validated attach request
 */
int kmscap_capture_attach(struct kmscap_client *client, struct kmscap_display *disp,
			  const struct kmscap_attach *req)
{
	u32 depth = req->queue_depth ?: KMSCAP_DEFAULT_QUEUE;
	LIST_HEAD(dead);
	int ret;

	if (req->flags & KMSCAP_ATTACH_FLIP_DONE) {
		client->done_ring = kcalloc(depth, sizeof(*client->done_ring), GFP_KERNEL);
		if (!client->done_ring)
			return -ENOMEM;
	}
	if (req->flags & KMSCAP_ATTACH_FRAME_RING) {
		ret = kmscap_ring_alloc(client, depth);
		if (ret)
			goto err_free_done;
	}
	spin_lock(&disp->capture_lock);
	if (disp->dead) {
		spin_unlock(&disp->capture_lock);
		ret = -ENOENT;
		goto err_free_ring;
	}
	client->queue_depth = depth;
	client->flip_done = client->done_ring;
	/* Flips published from now on; not the current frame's, even if queued. */
	client->done_from = disp->seq + 1;
	client->hold_timeout_ns = req->hold_timeout_ns;
	client->framed = req->flags & KMSCAP_ATTACH_FRAMED;
	client->auto_release = req->flags & KMSCAP_ATTACH_AUTO_RELEASE;
	client->flip_done_defer = req->flags & KMSCAP_ATTACH_FLIP_DONE_DEFER;
	client->first_pending = true;
	/* mmap() of the ring looks without locks (ring.c) */
	smp_store_release(&client->disp, disp);
	client->id = atomic_inc_return(&kmscap_client_ids);
	list_add_tail(&client->link, &disp->clients);
	disp->nclients++;
	/* Under the lock: no frame is published between the two for a tracer. */
	trace_kmscap_client_attach(disp->id, client->id,
				   from_kuid(&init_user_ns, client->file->f_cred->euid),
				   task_tgid_nr(current), client->queue_depth,
				   client->hold_timeout_ns);
	/* The picture on screen comes first, as the next flip's would. */
	if ((req->flags & KMSCAP_ATTACH_CURRENT_FRAME) && disp->current_frame) {
		kmscap_client_enqueue(client, disp->current_frame, &dead);
		wake_up_interruptible_poll(&client->wq, EPOLLIN | EPOLLRDNORM);
	}
	spin_unlock(&disp->capture_lock);
	kmscap_hold_free_list(&dead);
	return 0;

err_free_ring:
	kmscap_ring_free(client);
err_free_done:
	kfree(client->done_ring);
	client->done_ring = NULL;
	return ret;
}

/**
 * kmscap_capture_detach - end all holds of a closing client
 * @client: the client
 *
 * Frames it still had, read or not, count as delivered.
 */
void kmscap_capture_detach(struct kmscap_client *client)
{
	struct kmscap_display *disp = client->disp;
	struct kmscap_hold *hold, *tmp;
	LIST_HEAD(dead);

	if (!disp)
		return;
	spin_lock(&disp->capture_lock);
	list_splice_init(&client->queue, &dead);
	list_splice_tail_init(&client->held, &dead);
	list_for_each_entry_safe(hold, tmp, &dead, client_link)
		kmscap_hold_deactivate(hold);
	list_del(&client->link);
	disp->nclients--;
	trace_kmscap_client_detach(disp->id, client->id,
				   from_kuid(&init_user_ns, client->file->f_cred->euid),
				   &client->stats);
	spin_unlock(&disp->capture_lock);
	kmscap_hold_free_list(&dead);
	client->disp = NULL;
	kmscap_display_put(disp);
}

/* End the read hold @hold as RELEASE would; return what RELEASE would (capture_lock held). */
int kmscap_hold_release(struct kmscap_hold *hold, struct list_head *dead)
{
	struct kmscap_client *client = hold->client;

	list_move(&hold->client_link, dead);
	if (hold->revoked) {
		client->nrevoked--;
		client->stats.revoked_unreleased--;
		return -ESTALE;
	}
	kmscap_hold_deactivate(hold);
	client->stats.held--;
	client->stats.delivered++;
	return 0;
}

/**
 * kmscap_capture_release - KMSCAP_IOC_RELEASE, by ioctl or io_uring command
 * @client: the client
 * @seq: frame sequence number
 * @nowait: return -EAGAIN rather than wait for another thread's read
 *	(an io_uring command issued without blocking; io_uring retries it
 *	from a worker)
 *
 * Return: 0, -ESTALE if the frame was revoked, -ENOENT if not held,
 * -EAGAIN (only with @nowait).
 */
int kmscap_capture_release(struct kmscap_client *client, u64 seq, bool nowait)
{
	struct kmscap_display *disp = client->disp;
	struct kmscap_hold *hold, *found = NULL;
	LIST_HEAD(dead);
	int ret = 0;

	if (!nowait)
		mutex_lock(&client->read_lock);
	else if (!mutex_trylock(&client->read_lock))
		return -EAGAIN;
	spin_lock(&disp->capture_lock);
	if (client->ring) {
		ret = kmscap_ring_release(client, seq, &dead);
		goto out_unlock;
	}
	list_for_each_entry(hold, &client->held, client_link) {
		if (hold->frame->ev.seq == seq) {
			found = hold;
			break;
		}
	}
	ret = found ? kmscap_hold_release(found, &dead) : -ENOENT;
	trace_kmscap_frame_release(disp->id, client->id, seq, ret);
out_unlock:
	spin_unlock(&disp->capture_lock);
	mutex_unlock(&client->read_lock);
	kmscap_hold_free_list(&dead);
	return ret;
}

/**
 * kmscap_capture_auto_release - the read of a %KMSCAP_ATTACH_AUTO_RELEASE
 *	client returned frame events: release the frames it read before
 * @client: the client (read_lock held)
 * @first: the first hold this read took; the read appended its holds to
 *	@client->held after those of the earlier reads
 *
 * Each earlier hold is ended as %KMSCAP_IOC_RELEASE would end it: an
 * active hold is delivered, a revoked one forgotten (it counted as
 * dropped_timeout when it was revoked).  Under read_lock nobody else
 * takes holds off @client->held, so @first is still on it.
 */
void kmscap_capture_auto_release(struct kmscap_client *client, struct kmscap_hold *first)
{
	struct kmscap_display *disp = client->disp;
	struct kmscap_hold *hold, *tmp;
	LIST_HEAD(dead);
	u64 seq;
	int ret;

	lockdep_assert_held(&client->read_lock);
	spin_lock(&disp->capture_lock);
	list_for_each_entry_safe(hold, tmp, &client->held, client_link) {
		if (hold == first)
			break;
		seq = hold->frame->ev.seq;
		ret = kmscap_hold_release(hold, &dead);
		trace_kmscap_frame_release(disp->id, client->id, seq, ret);
	}
	spin_unlock(&disp->capture_lock);
	kmscap_hold_free_list(&dead);
}

/* Queue a flip-done event for @client (capture_lock held). */
static void kmscap_client_flip_done(struct kmscap_client *client,
				    const struct kmscap_presented *info)
{
	struct kmscap_presented *slot;

	if (!client->flip_done || info->seq < client->done_from)
		return;
	if (client->ndone == client->queue_depth) {
		/* Full: the oldest flip-done goes, never a frame. */
		client->done_head = (client->done_head + 1) % client->queue_depth;
		client->ndone--;
		client->done_dropped++;
	}
	slot = &client->done_ring[(client->done_head + client->ndone) % client->queue_depth];
	*slot = *info;
	slot->order = ++client->disp->event_order;
	client->ndone++;
	if (!client->flip_done_defer)
		wake_up_interruptible_poll(&client->wq, EPOLLIN | EPOLLRDNORM);
}

/**
 * kmscap_capture_flip_done - a frame's flip completed
 * @disp: the display
 * @info: what the flip-done events say
 *
 * Every client that asked for flip-done events and was attached when the
 * frame was published gets one.
 */
void kmscap_capture_flip_done(struct kmscap_display *disp, const struct kmscap_presented *info)
{
	struct kmscap_client *client;

	spin_lock(&disp->capture_lock);
	if (!disp->dead)
		list_for_each_entry(client, &disp->clients, link)
			kmscap_client_flip_done(client, info);
	spin_unlock(&disp->capture_lock);
}

void kmscap_capture_stats(struct kmscap_client *client, struct kmscap_client_stats *st)
{
	struct kmscap_display *disp = client->disp;
	LIST_HEAD(dead);

	spin_lock(&disp->capture_lock);
	if (client->ring)
		kmscap_ring_sync(client, &dead);
	*st = client->stats;
	spin_unlock(&disp->capture_lock);
	kmscap_hold_free_list(&dead);
}
