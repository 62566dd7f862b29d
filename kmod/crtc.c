// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmscap CRTC: vblank emulated by an hrtimer at the mode's rate, and the
 * commit tail that hands every frame to capture before the flip
 * completes.
 */

#include <linux/hrtimer.h>
#include <linux/math64.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_vblank.h>

#include "kmscap_drv.h"
#include "edid.h"
#include "trace.h"

static struct kmscap_display *crtc_to_display(struct drm_crtc *crtc)
{
	return container_of(crtc, struct kmscap_display, crtc);
}

/*
 * The vblank_stall test knob: late between forwarding the timer and
 * counting the vblank, past the vblank forwarded to, until another path
 * counted it (bounded: hard-IRQ context).
 */
static void kmscap_crtc_vblank_stall(struct kmscap_display *disp, struct hrtimer *timer)
{
	ktime_t limit = ktime_add_ms(ktime_get(), 500);
	ktime_t due = hrtimer_get_expires(timer);
	u64 count;

	while (ktime_before(ktime_get(), due) && ktime_before(ktime_get(), limit))
		cpu_relax();
	count = drm_crtc_vblank_count(&disp->crtc);
	atomic_set(&disp->vblank_stall, KMSCAP_VBLANK_STALL_WAITING);
	while (drm_crtc_vblank_count(&disp->crtc) == count && ktime_before(ktime_get(), limit))
		cpu_relax();
	atomic_set(&disp->vblank_stall, KMSCAP_VBLANK_STALL_OFF);
}

static enum hrtimer_restart kmscap_crtc_vblank_fire(struct hrtimer *timer)
{
	struct kmscap_display *disp = container_of(timer, struct kmscap_display, vblank_timer);

	hrtimer_forward_now(timer, ns_to_ktime(READ_ONCE(disp->period_ns)));
	if (unlikely(atomic_read(&disp->vblank_stall) == KMSCAP_VBLANK_STALL_ARMED))
		kmscap_crtc_vblank_stall(disp, timer);
	/* False once vblank is disabled: stop, even if the cancel raced. */
	return drm_crtc_handle_vblank(&disp->crtc) ? HRTIMER_RESTART : HRTIMER_NORESTART;
}

static int kmscap_crtc_enable_vblank(struct drm_crtc *crtc)
{
	struct kmscap_display *disp = crtc_to_display(crtc);

	hrtimer_start(&disp->vblank_timer, ns_to_ktime(READ_ONCE(disp->period_ns)),
		      HRTIMER_MODE_REL);
	return 0;
}

static void kmscap_crtc_disable_vblank(struct drm_crtc *crtc)
{
	struct kmscap_display *disp = crtc_to_display(crtc);

	/* May run with the vblank lock held: never wait for the callback. */
	hrtimer_try_to_cancel(&disp->vblank_timer);
}

/*
 * DRM calls this under its vblank_time_lock and counts the vblanks since
 * the stamp it stored last (vblank->time) by the difference: a stamp
 * earlier than that one, by half a period or more, reads as a jump of
 * billions of vblanks (an unsigned difference), past every event armed,
 * which is then never sent ("flip_done timed out").  So every stamp is
 * the last vblank by the clock, read under that lock, never before the
 * stored one.
 */
static bool kmscap_crtc_get_vblank_timestamp(struct drm_crtc *crtc, int *max_error,
					     ktime_t *vblank_time, bool in_vblank_irq)
{
	struct kmscap_display *disp = crtc_to_display(crtc);
	struct drm_vblank_crtc *vblank = &crtc->dev->vblank[drm_crtc_index(crtc)];
	u64 period = READ_ONCE(disp->period_ns);
	ktime_t now, t;

	lockdep_assert_held(&crtc->dev->vblank_time_lock);
	if (!READ_ONCE(vblank->enabled)) {
		*vblank_time = ktime_get();
		return true;
	}
	/* The timer was forwarded past this vblank: step back one period. */
	t = ktime_sub_ns(hrtimer_get_expires(&disp->vblank_timer), period);
	/*
	 * A vblank whose timer is overdue has happened all the same: give
	 * its time, so that an event armed now waits for a vblank still to
	 * come, never one already past.  In the callback too: held up (its
	 * vCPU descheduled, under emulation) between forwarding its timer
	 * and taking the lock, it must not stamp a vblank a commit counted
	 * meanwhile, by the clock, earlier than the commit did.
	 */
	if (period) {
		now = ktime_get();
		if (ktime_compare(now, ktime_add_ns(t, period)) >= 0)
			t = ktime_add_ns(t, div64_u64(ktime_to_ns(ktime_sub(now, t)), period) *
					 period);
	}
	/*
	 * The timer restarted on another phase (vblank enabled again) may
	 * give a vblank before the stamp DRM took when enabling: the same
	 * vblank, nothing new.
	 */
	if (ktime_before(t, vblank->time))
		t = vblank->time;
	*vblank_time = t;
	return true;
}

/**
 * kmscap_mode_valid - may a display run @mode?
 * @mode: a mode from a DRM master, or one of the connector's own
 *
 * The limits of the ioctl ABI (64..8192, 1..500 Hz, see
 * kmscap_timing_check()), progressive scan only: the vblank timer and the
 * hold timeouts run at the mode's rate, so it must be bounded.
 */
enum drm_mode_status kmscap_mode_valid(const struct drm_display_mode *mode)
{
	struct kmscap_timing t = {
		.clock_khz = mode->clock < 0 ? 0 : mode->clock,
		.hdisplay = mode->hdisplay,
		.hsync_start = mode->hsync_start,
		.hsync_end = mode->hsync_end,
		.htotal = mode->htotal,
		.vdisplay = mode->vdisplay,
		.vsync_start = mode->vsync_start,
		.vsync_end = mode->vsync_end,
		.vtotal = mode->vtotal,
	};

	if (mode->flags & DRM_MODE_FLAG_INTERLACE)
		return MODE_NO_INTERLACE;
	if (mode->flags & DRM_MODE_FLAG_DBLSCAN)
		return MODE_NO_DBLESCAN;
	if (mode->vscan > 1)
		return MODE_NO_VSCAN;
	switch (kmscap_timing_check(&t)) {
	case KMSCAP_TIMING_OK:
		return MODE_OK;
	case KMSCAP_TIMING_BAD_CLOCK:
		return MODE_CLOCK_LOW;
	case KMSCAP_TIMING_BAD_WIDTH:
		return MODE_BAD_HVALUE;
	case KMSCAP_TIMING_BAD_HEIGHT:
		return MODE_BAD_VVALUE;
	case KMSCAP_TIMING_BAD_HTIMING:
		return MODE_H_ILLEGAL;
	case KMSCAP_TIMING_BAD_VTIMING:
		return MODE_V_ILLEGAL;
	case KMSCAP_TIMING_REFRESH_LOW:
		return MODE_CLOCK_LOW;
	case KMSCAP_TIMING_REFRESH_HIGH:
		return MODE_CLOCK_HIGH;
	}
	return MODE_BAD;
}

static enum drm_mode_status kmscap_crtc_mode_valid(struct drm_crtc *crtc,
						   const struct drm_display_mode *mode)
{
	return kmscap_mode_valid(mode);
}

/*
 * mode_valid already ran for a modeset; check again what will be enabled,
 * whatever path the state took (the period is computed from it).
 */
static int kmscap_crtc_atomic_check(struct drm_crtc *crtc, struct drm_atomic_state *state)
{
	struct drm_crtc_state *cs = drm_atomic_get_new_crtc_state(state, crtc);
	enum drm_mode_status status;
	int ret;

	ret = kmscap_gamma_check(cs);
	if (ret)
		return ret;
	if (!cs->enable)
		return 0;
	status = kmscap_mode_valid(&cs->adjusted_mode);
	if (status == MODE_OK)
		status = kmscap_mode_valid(&cs->mode);
	if (status != MODE_OK) {
		drm_dbg_kms(crtc->dev, "mode " DRM_MODE_FMT " refused: %d\n",
			    DRM_MODE_ARG(&cs->mode), status);
		return -EINVAL;
	}
	return 0;
}

static void kmscap_crtc_atomic_enable(struct drm_crtc *crtc, struct drm_atomic_state *state)
{
	struct kmscap_display *disp = crtc_to_display(crtc);
	const struct drm_display_mode *mode = &crtc->state->adjusted_mode;
	u64 period = div_u64((u64)mode->htotal * mode->vtotal * 1000000, mode->clock);

	WRITE_ONCE(disp->period_ns, period);
	drm_crtc_vblank_on(crtc);
}

static void kmscap_crtc_atomic_disable(struct drm_crtc *crtc, struct drm_atomic_state *state)
{
	drm_crtc_vblank_off(crtc);
}

static const struct drm_crtc_helper_funcs kmscap_crtc_helper_funcs = {
	.mode_valid = kmscap_crtc_mode_valid,
	.atomic_check = kmscap_crtc_atomic_check,
	.atomic_enable = kmscap_crtc_atomic_enable,
	.atomic_disable = kmscap_crtc_atomic_disable,
};

static const struct drm_crtc_funcs kmscap_crtc_funcs = {
	.set_config = drm_atomic_helper_set_config,
	.page_flip = drm_atomic_helper_page_flip,
	.destroy = drm_crtc_cleanup,
	.reset = drm_atomic_helper_crtc_reset,
	.atomic_duplicate_state = drm_atomic_helper_crtc_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_crtc_destroy_state,
	.enable_vblank = kmscap_crtc_enable_vblank,
	.disable_vblank = kmscap_crtc_disable_vblank,
	.get_vblank_timestamp = kmscap_crtc_get_vblank_timestamp,
};

/*
 * Send the commit's flip-done event at the next vblank, or now if off;
 * the frame's flip is done (@present, taken) when it is sent.
 */
static void kmscap_crtc_send_event(struct drm_crtc *crtc, struct drm_crtc_state *cs,
				   struct kmscap_present **present)
{
	struct drm_pending_vblank_event *event = cs->event;

	if (!event)
		return;
	cs->event = NULL;
	if (*present)
		kmscap_present_hook(*present, event);
	*present = NULL;
	spin_lock_irq(&crtc->dev->event_lock);
	if (cs->active && drm_crtc_vblank_get(crtc) == 0)
		drm_crtc_arm_vblank_event(crtc, event);
	else
		drm_crtc_send_vblank_event(crtc, event);
	spin_unlock_irq(&crtc->dev->event_lock);
}

/**
 * kmscap_crtc_commit_tail - &drm_mode_config_helper_funcs.atomic_commit_tail
 * @state: the committed state
 *
 * As the default tail, except that the frame is published to capture
 * clients, and that a commit taking off the screen a buffer that capture
 * clients still hold hands its flip-done event (or, if it blocks, its
 * return to userspace) to backpressure.c, which lets it go once the holds
 * end or are revoked: a compositor reuses a buffer only after that.
 * Nothing here waits for a client.
 */
void kmscap_crtc_commit_tail(struct drm_atomic_state *state)
{
	struct drm_device *drm = state->dev;
	struct kmscap_display *disp = to_kmscap_display(drm);
	struct kmscap_atomic_state *ks = to_kmscap_atomic_state(state);
	struct kmscap_present *present = NULL;
	struct kmscap_flip *flip;
	struct drm_crtc_state *cs;
	struct drm_crtc *crtc;
	bool waits = false;
	int i;

	drm_atomic_helper_commit_modeset_disables(drm, state);
	drm_atomic_helper_commit_planes(drm, state, 0);
	drm_atomic_helper_commit_modeset_enables(drm, state);

	flip = kmscap_capture_publish(disp, state);
	if (ks->seq)
		swap(present, ks->present);

	/* Only a commit with the CRTC publishes, so a flip has its CRTC here. */
	for_each_new_crtc_in_state(state, crtc, cs, i) {
		if (flip)
			waits = kmscap_flip_queue(flip, cs, &present);
		else
			kmscap_crtc_send_event(crtc, cs, &present);
		flip = NULL;
	}
	/* Nothing to wait for and no event to send: the flip is done. */
	if (present)
		kmscap_present_now(present);
	drm_atomic_helper_commit_hw_done(state);
	drm_atomic_helper_wait_for_flip_done(drm, state);
	/* A flip that waited for holds is done when hold_work completes it. */
	if (ks->seq && !waits)
		trace_kmscap_flip_done(disp->id, ks->seq, 0);
	drm_atomic_helper_cleanup_planes(drm, state);
}

/* The device's memory goes: no timer may still fire into it. */
static void kmscap_crtc_release(struct drm_device *drm, void *data)
{
	struct kmscap_display *disp = data;

	hrtimer_cancel(&disp->vblank_timer);
}

/**
 * kmscap_crtc_init - create the CRTC of @disp (planes must exist)
 * @disp: the display
 */
int kmscap_crtc_init(struct kmscap_display *disp)
{
	int ret;

	hrtimer_init(&disp->vblank_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	disp->vblank_timer.function = kmscap_crtc_vblank_fire;
	disp->period_ns = div_u64(1000000000000ULL, disp->refresh_mhz);
	ret = drmm_add_action_or_reset(&disp->drm, kmscap_crtc_release, disp);
	if (ret)
		return ret;

	ret = drm_crtc_init_with_planes(&disp->drm, &disp->crtc, &disp->primary, &disp->cursor,
					&kmscap_crtc_funcs, NULL);
	if (ret)
		return ret;
	drm_crtc_helper_add(&disp->crtc, &kmscap_crtc_helper_funcs);
	return kmscap_gamma_init(disp);
}
