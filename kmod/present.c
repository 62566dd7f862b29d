// SPDX-License-Identifier: GPL-2.0-only
/*
 * Presentation: when a frame's flip completes, the vblank sequence and
 * time the compositor's page-flip event carries, for the flip-done events
 * of the clients that asked for them (%KMSCAP_ATTACH_FLIP_DONE).
 *
 * Every published frame has a &struct kmscap_present, allocated with its
 * commit.  It is done, under the DRM device's event_lock, where the flip
 * completes:
 *  - a flip that waits for holds: when DRM sends the event that
 *    backpressure.c arms once the holds end (kmscap_flip_finish()), at the
 *    next vblank (its own event if the commit had none), or at once on a
 *    CRTC that is off;
 *  - a flip with a DRM event: when DRM sends it, at the vblank or at once
 *    on a CRTC that is off.  The record stands in for the event's
 *    completion (kmscap_present_hook()), which DRM completes while it
 *    sends the event, right after reading the vblank counter and time;
 *  - any other commit (a legacy cursor update, a CRTC that stays off):
 *    at the end of its tail.
 * The vblank counter and time are read there, under event_lock, as
 * drm_crtc_send_vblank_event() reads them.  Done records wait on
 * @disp->presented for present_work, which gives them to the clients
 * under capture_lock (not an IRQ-safe lock, and the vblank timer may be
 * where a flip completes).
 */

#include <linux/slab.h>

#include <drm/drm_vblank.h>

#include "kmscap_drv.h"

struct kmscap_present *kmscap_present_alloc(struct kmscap_display *disp)
{
	struct kmscap_present *present = kzalloc(sizeof(*present), GFP_KERNEL);

	if (!present)
		return NULL;
	init_completion(&present->hook);
	INIT_LIST_HEAD(&present->link);
	present->disp = disp;
	return present;
}

/* A record that was never done (its commit failed or published nothing). */
void kmscap_present_free(struct kmscap_present *present)
{
	kfree(present);
}

/**
 * kmscap_present_done - the flip of @present's frame completed
 * @present: the record, which present_work then owns
 * @flags: KMSCAP_FLIP_DONE_* flags
 * @wait_ns: how long the flip waited for holds
 *
 * Called with the DRM device's event_lock held, in any context, where the
 * flip's event is (or would be) sent.
 */
void kmscap_present_done(struct kmscap_present *present, u32 flags, u64 wait_ns)
{
	struct kmscap_display *disp = present->disp;
	ktime_t t;

	lockdep_assert_held(&disp->drm.event_lock);
	present->info.vblank = drm_crtc_vblank_count_and_time(&disp->crtc, &t);
	present->info.time_ns = ktime_to_ns(t);
	present->info.flags |= flags;
	present->info.wait_ns = wait_ns;
	list_add_tail(&present->link, &disp->presented);
	queue_work(system_highpri_wq, &disp->present_work);
}

/* DRM sends the event (event_lock held): the flip is done, then its commit. */
static void kmscap_present_hooked(struct completion *hook)
{
	struct kmscap_present *present = container_of(hook, struct kmscap_present, hook);
	void (*release)(struct completion *completion) = present->orig_release;
	struct completion *orig = present->orig;

	/* @present belongs to present_work from here. */
	kmscap_present_done(present, 0, present->info.wait_ns);
	if (orig) {
		complete_all(orig);
		if (release)
			release(orig);
	}
}

/**
 * kmscap_present_hook - @present is done when DRM sends @event
 * @present: the record of the frame the commit published
 * @event: the commit's event, not armed or sent yet
 *
 * The event's completion (DRM's flip_done, which the commit's tail and the
 * next commit wait for) is completed by the record, after it is done.
 */
void kmscap_present_hook(struct kmscap_present *present, struct drm_pending_vblank_event *event)
{
	present->orig = event->base.completion;
	present->orig_release = event->base.completion_release;
	event->base.completion = &present->hook;
	event->base.completion_release = kmscap_present_hooked;
}

/**
 * kmscap_present_hook_waited - kmscap_present_hook() for a flip that waited
 * @present: the record of the frame the commit published
 * @event: the event that completes the flip, not armed or sent yet
 * @wait_ns: how long the flip waited for holds
 *
 * The flip-done events say %KMSCAP_FLIP_DONE_WAITED and @wait_ns.
 */
void kmscap_present_hook_waited(struct kmscap_present *present,
				struct drm_pending_vblank_event *event, u64 wait_ns)
{
	present->info.flags |= KMSCAP_FLIP_DONE_WAITED;
	present->info.wait_ns = wait_ns;
	kmscap_present_hook(present, event);
}

/* A commit without an event: its flip is done now. */
void kmscap_present_now(struct kmscap_present *present)
{
	struct kmscap_display *disp = present->disp;

	spin_lock_irq(&disp->drm.event_lock);
	kmscap_present_done(present, 0, 0);
	spin_unlock_irq(&disp->drm.event_lock);
}

static void kmscap_present_work(struct work_struct *work)
{
	struct kmscap_display *disp = container_of(work, struct kmscap_display, present_work);
	struct kmscap_present *present, *tmp;
	LIST_HEAD(done);

	spin_lock_irq(&disp->drm.event_lock);
	list_splice_init(&disp->presented, &done);
	spin_unlock_irq(&disp->drm.event_lock);

	list_for_each_entry_safe(present, tmp, &done, link) {
		kmscap_capture_flip_done(disp, &present->info);
		list_del(&present->link);
		kfree(present);
	}
}

void kmscap_present_init(struct kmscap_display *disp)
{
	INIT_LIST_HEAD(&disp->presented);
	INIT_WORK(&disp->present_work, kmscap_present_work);
}

/* The device's memory goes: every flip completed, nothing may run on it. */
void kmscap_present_fini(struct kmscap_display *disp)
{
	cancel_work_sync(&disp->present_work);
	/* Frees what is left: the display is dead, no client gets it. */
	kmscap_present_work(&disp->present_work);
}
