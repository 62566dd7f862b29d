// SPDX-License-Identifier: GPL-2.0-only
/*
 * Backpressure: a compositor gets a buffer back only when no capture
 * client still reads it.
 *
 * Holds pin buffers, not frames.  Every active hold (queued or read, not
 * yet released or revoked) pins the buffers its frame shows: the primary
 * image and the cursor image.  A commit that takes a pinned buffer off the
 * screen becomes a *flip* (&struct kmscap_flip) that waits for the
 * buffer's pins to end; whatever happened in between (cursor commits,
 * flips back to the same buffer) does not matter, since the count is kept
 * on the buffer.
 *
 * What waits is the compositor's notification, never a lock or another
 * commit:
 *  - the commit tail completes DRM's own flip_done at once, so that later
 *    commits (cursor moves, property changes, probes) never stall, and
 *    keeps the flip-done event, with its out-fence, until the flip
 *    completes;
 *  - a blocking commit returns to userspace only when the flip completes:
 *    it waits in a task_work, after the ioctl dropped the modeset locks.
 * A commit that asked for neither an event nor a fence and did not block
 * has nobody to tell: it does not wait.
 *
 * The wait is bounded: a hold pinning a waited-for buffer is revoked when
 * its client's hold timeout (from the moment the buffer left the screen)
 * expires.  @hold_timer fires at the earliest deadline; @hold_work, queued
 * by the timer and by every unpin that frees a waited-for buffer, revokes
 * what expired and completes the flips whose buffers are free, in commit
 * order.
 */

#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <drm/drm_framebuffer.h>
#include <drm/drm_vblank.h>

#include "kmscap_drv.h"
#include "trace.h"

static struct kmscap_bo *kmscap_fb_bo(const struct drm_framebuffer *fb)
{
	return fb ? to_kmscap_bo(fb->obj[0]) : NULL;
}

/**
 * kmscap_frame_shows - does @frame show @bo, as primary or cursor image?
 * @frame: the frame
 * @bo: the buffer
 */
bool kmscap_frame_shows(const struct kmscap_frame *frame, const struct kmscap_bo *bo)
{
	return kmscap_fb_bo(frame->fb) == bo || kmscap_fb_bo(frame->cursor_fb) == bo;
}

/**
 * kmscap_frame_bos - the distinct buffers @frame shows
 * @frame: the frame
 * @bos: filled with up to two buffers, primary first
 *
 * Return: how many.
 */
unsigned int kmscap_frame_bos(const struct kmscap_frame *frame, struct kmscap_bo *bos[2])
{
	unsigned int n = 0;

	bos[0] = kmscap_fb_bo(frame->fb);
	if (bos[0])
		n++;
	bos[n] = kmscap_fb_bo(frame->cursor_fb);
	if (bos[n] && (n == 0 || bos[n] != bos[0]))
		n++;
	return n;
}

/**
 * kmscap_frame_pin - a hold on @frame became active (capture_lock held)
 * @frame: the frame
 */
void kmscap_frame_pin(struct kmscap_frame *frame)
{
	struct kmscap_bo *bos[2];
	unsigned int i, n = kmscap_frame_bos(frame, bos);

	lockdep_assert_held(&frame->disp->capture_lock);
	for (i = 0; i < n; i++)
		bos[i]->pins++;
}

/**
 * kmscap_frame_unpin - a hold on @frame ended (capture_lock held)
 * @frame: the frame
 * @now: the time
 * @waited_ns: raised to how long a flip has waited for these buffers
 *
 * A waited-for buffer that is free now lets hold_work complete flips.
 */
void kmscap_frame_unpin(struct kmscap_frame *frame, ktime_t now, u64 *waited_ns)
{
	struct kmscap_display *disp = frame->disp;
	struct kmscap_bo *bos[2];
	unsigned int i, n = kmscap_frame_bos(frame, bos);

	lockdep_assert_held(&disp->capture_lock);
	for (i = 0; i < n; i++) {
		struct kmscap_bo *bo = bos[i];

		if (WARN_ON_ONCE(!bo->pins))
			continue;
		bo->pins--;
		if (!bo->waiters)
			continue;
		*waited_ns = max_t(u64, *waited_ns, ktime_to_ns(ktime_sub(now, bo->replaced_at)));
		if (!bo->pins)
			queue_work(system_highpri_wq, &disp->hold_work);
	}
}

/**
 * kmscap_hold_deadline - the revocation deadline of a hold, if any
 * @frame: the hold's frame
 * @timeout_ns: its client's hold timeout
 *
 * Return: the earliest deadline among the frame's buffers that a flip
 * waits for, or KTIME_MAX.  capture_lock held.
 */
ktime_t kmscap_hold_deadline(const struct kmscap_frame *frame, u64 timeout_ns)
{
	struct kmscap_bo *bos[2];
	unsigned int i, n = kmscap_frame_bos(frame, bos);
	ktime_t deadline = KTIME_MAX;

	for (i = 0; i < n; i++)
		if (bos[i]->waiters)
			deadline = min(deadline, ktime_add_ns(bos[i]->replaced_at, timeout_ns));
	return deadline;
}

struct kmscap_flip *kmscap_flip_alloc(struct kmscap_display *disp)
{
	struct kmscap_flip *flip = kzalloc(sizeof(*flip), GFP_KERNEL);

	if (!flip)
		return NULL;
	kref_init(&flip->ref);
	INIT_LIST_HEAD(&flip->link);
	flip->disp = disp;
	init_completion(&flip->sent);
	init_completion(&flip->done);
	return flip;
}

static void kmscap_flip_release(struct kref *ref)
{
	struct kmscap_flip *flip = container_of(ref, struct kmscap_flip, ref);
	unsigned int i;

	/* An event is consumed before the last reference goes. */
	WARN_ON(flip->event);
	kmscap_present_free(flip->present);
	for (i = 0; i < flip->nbos; i++)
		drm_gem_object_put(&flip->bos[i]->shmem.base);
	kfree(flip);
}

/*
 * No capture_lock; process context until kmscap_flip_finish() let the
 * buffers go: the last put may free them.  After, any context.
 */
void kmscap_flip_put(struct kmscap_flip *flip)
{
	if (flip)
		kref_put(&flip->ref, kmscap_flip_release);
}

/**
 * kmscap_flip_add_bo - @bo leaves the screen with this commit
 * @flip: the commit's flip record
 * @bo: the buffer
 * @now: the time
 *
 * Return: true if @bo is pinned, so that the flip must wait for it.
 * capture_lock held.
 */
bool kmscap_flip_add_bo(struct kmscap_flip *flip, struct kmscap_bo *bo, ktime_t now)
{
	unsigned int i;

	lockdep_assert_held(&flip->disp->capture_lock);
	if (!bo->pins)
		return false;
	for (i = 0; i < flip->nbos; i++)
		if (flip->bos[i] == bo)
			return true;
	if (WARN_ON(flip->nbos >= ARRAY_SIZE(flip->bos)))
		return false;
	drm_gem_object_get(&bo->shmem.base);
	flip->bos[flip->nbos++] = bo;
	if (!bo->waiters++)
		bo->replaced_at = now;
	flip->start = now;
	return true;
}

/* The flip no longer waits for its buffers (capture_lock held). */
static void kmscap_flip_unwait(struct kmscap_flip *flip)
{
	unsigned int i;

	for (i = 0; i < flip->nbos; i++) {
		struct kmscap_bo *bo = flip->bos[i];

		if (!--bo->waiters)
			bo->replaced_at = 0;
	}
}

static bool kmscap_flip_ready(const struct kmscap_flip *flip)
{
	unsigned int i;

	for (i = 0; i < flip->nbos; i++)
		if (flip->bos[i]->pins)
			return false;
	return true;
}

/* The event of a blocking commit that asked for none, to wait for a vblank. */
static struct drm_pending_vblank_event *kmscap_flip_event_alloc(void)
{
	struct drm_pending_vblank_event *event = kzalloc(sizeof(*event), GFP_KERNEL);

	if (!event)
		return NULL;
	event->event.base.type = DRM_EVENT_FLIP_COMPLETE;
	event->event.base.length = sizeof(event->event);
	event->base.event = &event->event.base;
	return event;
}

/*
 * DRM sent the event of a flip whose holds ended (event_lock held, any
 * context, at a vblank): the flip is done, its blocking committer goes.
 */
static void kmscap_flip_sent(struct completion *sent)
{
	struct kmscap_flip *flip = container_of(sent, struct kmscap_flip, sent);

	trace_kmscap_flip_done(flip->disp->id, flip->seq, 1);
	complete_all(&flip->done);
	kmscap_flip_put(flip);
}

/*
 * The holds of a flip ended: it completes at the next vblank, as a flip
 * that never waited does, never at the release itself (a compositor paced
 * by its page-flip events would draw faster than the refresh).  Its event
 * (or one of its own for a blocking commit that asked for none) is armed
 * on the vblank; sending it does the frame's flip-done for the clients
 * (the vblank read as the event's) and wakes the blocking committer.
 * At once on a CRTC whose vblank is off.
 */
static void kmscap_flip_finish(struct kmscap_flip *flip)
{
	struct kmscap_display *disp = flip->disp;
	struct drm_pending_vblank_event *event = flip->event;
	unsigned int i;

	flip->event = NULL;
	/* The event may put the last reference at the vblank, in IRQ context. */
	for (i = 0; i < flip->nbos; i++)
		drm_gem_object_put(&flip->bos[i]->shmem.base);
	flip->nbos = 0;
	if (!event)
		event = kmscap_flip_event_alloc();
	if (!event) {
		/* Out of memory for the blocking committer's event: done now. */
		spin_lock_irq(&disp->drm.event_lock);
		if (flip->present)
			kmscap_present_done(flip->present, KMSCAP_FLIP_DONE_WAITED,
					    flip->waited_ns);
		flip->present = NULL;
		spin_unlock_irq(&disp->drm.event_lock);
		trace_kmscap_flip_done(disp->id, flip->seq, 1);
		complete_all(&flip->done);
		kmscap_flip_put(flip);
		return;
	}
	kref_get(&flip->ref);
	event->base.completion = &flip->sent;
	event->base.completion_release = kmscap_flip_sent;
	if (flip->present)
		kmscap_present_hook_waited(flip->present, event, flip->waited_ns);
	flip->present = NULL;

	spin_lock_irq(&disp->drm.event_lock);
	if (drm_crtc_vblank_get(&disp->crtc) == 0)
		drm_crtc_arm_vblank_event(&disp->crtc, event);
	else
		drm_crtc_send_vblank_event(&disp->crtc, event);
	spin_unlock_irq(&disp->drm.event_lock);
	kmscap_flip_put(flip);
}

/* A blocking commit, on its way back to userspace: no lock is held. */
static void kmscap_flip_twork(struct callback_head *twork)
{
	struct kmscap_flip *flip = container_of(twork, struct kmscap_flip, twork);

	/* Bounded by the hold timeouts; a fatal signal ends it early. */
	wait_for_completion_killable(&flip->done);
	kmscap_flip_put(flip);
}

/* Give DRM its flip_done now: no later commit may wait for a client. */
static void kmscap_event_complete_early(struct drm_pending_vblank_event *event)
{
	struct completion *done = event->base.completion;

	if (!done)
		return;
	event->base.completion = NULL;
	complete_all(done);
	if (event->base.completion_release)
		event->base.completion_release(done);
}

/**
 * kmscap_flip_queue - make a commit wait for the buffers it took away
 * @flip: the flip from kmscap_capture_publish(), with buffers to wait for
 * @cs: the commit's new CRTC state (always there: only a commit with the
 *	CRTC publishes), whose event it takes over
 * @present: the frame's flip completion record, taken if the flip waits
 *
 * Called from the commit tail in place of arming the flip-done event.
 * Consumes @flip.
 *
 * Return: true if the flip waits (hold_work completes it), false if
 * nobody is told and it is done at once.
 */
bool kmscap_flip_queue(struct kmscap_flip *flip, struct drm_crtc_state *cs,
		       struct kmscap_present **present)
{
	struct kmscap_display *disp = flip->disp;
	struct drm_pending_vblank_event *event = cs->event;
	bool blocking = !(current->flags & PF_KTHREAD);
	bool told = event && (event->base.file_priv || event->base.fence);

	cs->event = NULL;
	if (event) {
		kmscap_event_complete_early(event);
		if (told) {
			flip->event = event;
		} else {
			/* DRM's own event, for its completion only: done. */
			spin_lock_irq(&disp->drm.event_lock);
			drm_crtc_send_vblank_event(&disp->crtc, event);
			spin_unlock_irq(&disp->drm.event_lock);
		}
	}

	spin_lock(&disp->capture_lock);
	if (!told && !blocking) {
		/* Nobody to tell: nothing waits. */
		kmscap_flip_unwait(flip);
		spin_unlock(&disp->capture_lock);
		kmscap_flip_put(flip);
		return false;
	}
	list_add_tail(&flip->link, &disp->flips);
	flip->present = *present;
	*present = NULL;
	trace_kmscap_flip_wait_start(disp->id, flip->seq, flip->nbos, blocking);
	if (blocking) {
		kref_get(&flip->ref);
		init_task_work(&flip->twork, kmscap_flip_twork);
		if (task_work_add(current, &flip->twork, TWA_RESUME))
			kref_put(&flip->ref, kmscap_flip_release);	/* list ref remains */
	}
	spin_unlock(&disp->capture_lock);
	queue_work(system_highpri_wq, &disp->hold_work);
	return true;
}

/* Pop the completed flips off the head of @disp->flips onto @done. */
static void kmscap_flips_collect(struct kmscap_display *disp, struct list_head *done, ktime_t now)
{
	struct kmscap_flip *flip, *tmp;

	lockdep_assert_held(&disp->capture_lock);
	list_for_each_entry_safe(flip, tmp, &disp->flips, link) {
		u64 waited;

		if (!disp->dead && !kmscap_flip_ready(flip))
			break;
		kmscap_flip_unwait(flip);
		waited = ktime_to_ns(ktime_sub(now, flip->start));
		disp->stats.hold_waits++;
		disp->stats.hold_wait_ns_max = max_t(u64, disp->stats.hold_wait_ns_max, waited);
		flip->waited_ns = waited;
		trace_kmscap_flip_wait_end(disp->id, flip->seq, waited);
		list_move_tail(&flip->link, done);
	}
}

static void kmscap_backpressure_work(struct work_struct *work)
{
	struct kmscap_display *disp = container_of(work, struct kmscap_display, hold_work);
	ktime_t now = ktime_get(), earliest = KTIME_MAX;
	struct kmscap_flip *flip, *tmp;
	LIST_HEAD(done);
	LIST_HEAD(dead);

	spin_lock(&disp->capture_lock);
	if (!list_empty(&disp->flips))
		kmscap_capture_revoke_expired(disp, now, &earliest, &dead);
	kmscap_flips_collect(disp, &done, now);
	/*
	 * A ring client gives frames back without a call: while a flip
	 * waits for one, look again every refresh period.
	 */
	if (list_empty(&disp->flips))
		disp->ring_waits = false;
	else if (disp->ring_waits)
		earliest = min_t(ktime_t, earliest,
				 ktime_add_ns(now, READ_ONCE(disp->period_ns)));
	if (!list_empty(&disp->flips) && earliest != KTIME_MAX)
		hrtimer_start(&disp->hold_timer, earliest, HRTIMER_MODE_ABS);
	spin_unlock(&disp->capture_lock);

	kmscap_hold_free_list(&dead);
	list_for_each_entry_safe(flip, tmp, &done, link) {
		list_del_init(&flip->link);
		kmscap_flip_finish(flip);
	}
}

static enum hrtimer_restart kmscap_backpressure_timer(struct hrtimer *timer)
{
	struct kmscap_display *disp = container_of(timer, struct kmscap_display, hold_timer);

	queue_work(system_highpri_wq, &disp->hold_work);
	return HRTIMER_NORESTART;
}

/**
 * kmscap_backpressure_flush - end the wait of every waiting flip now
 * @disp: a display marked dead (kmscap_capture_hangup() revoked every hold)
 *
 * Their events are armed on the next vblank (sent at the latest when the
 * CRTC goes off).  Neither @hold_work nor @hold_timer is queued or armed
 * afterwards: no hold pins a buffer any more.
 */
void kmscap_backpressure_flush(struct kmscap_display *disp)
{
	queue_work(system_highpri_wq, &disp->hold_work);
	flush_work(&disp->hold_work);
	hrtimer_cancel(&disp->hold_timer);
	cancel_work_sync(&disp->hold_work);
}

void kmscap_backpressure_init(struct kmscap_display *disp)
{
	INIT_LIST_HEAD(&disp->flips);
	hrtimer_init(&disp->hold_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	disp->hold_timer.function = kmscap_backpressure_timer;
	INIT_WORK(&disp->hold_work, kmscap_backpressure_work);
}

/* The device's memory goes: nothing may still run on it. */
void kmscap_backpressure_fini(struct kmscap_display *disp)
{
	hrtimer_cancel(&disp->hold_timer);
	cancel_work_sync(&disp->hold_work);
	WARN_ON(!list_empty(&disp->flips));
}
