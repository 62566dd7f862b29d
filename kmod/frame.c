// SPDX-License-Identifier: GPL-2.0-only
/*
 * A frame: one commit that includes the CRTC, as capture clients see it
 * (struct kmscap_frame).  Allocated before the commit starts, so that the
 * commit tail cannot fail; filled there from the committed plane states
 * (buffers, damage, cursor, mode); freed with its last reference, the
 * display's current frame or a client's hold (capture.c).
 */

#include <linux/slab.h>

#include <drm/drm_atomic.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem.h>

#include "kmscap_drv.h"

static void kmscap_frame_release(struct kref *ref)
{
	struct kmscap_frame *frame = container_of(ref, struct kmscap_frame, ref);

	if (frame->fb)
		drm_framebuffer_put(frame->fb);
	if (frame->cursor_fb)
		drm_framebuffer_put(frame->cursor_fb);
	drm_property_blob_put(frame->gamma_lut);
	kfree(frame);
}

/* Never with capture_lock held: the last put may free framebuffers. */
void kmscap_frame_put(struct kmscap_frame *frame)
{
	kref_put(&frame->ref, kmscap_frame_release);
}

struct kmscap_frame *kmscap_frame_alloc(void)
{
	struct kmscap_frame *frame = kzalloc(sizeof(*frame), GFP_KERNEL);

	if (!frame)
		return NULL;
	kref_init(&frame->ref);
	INIT_LIST_HEAD(&frame->holds);
	return frame;
}

/* A frame that was never published: nothing references it. */
void kmscap_frame_free(struct kmscap_frame *frame)
{
	kmscap_frame_put(frame);
}

static void kmscap_frame_fill_damage(struct kmscap_frame *frame, struct drm_plane_state *old_ps,
				     struct drm_plane_state *new_ps)
{
	struct kmscap_event *ev = &frame->ev;
	struct drm_atomic_helper_damage_iter iter;
	struct drm_rect clip, full, box = {INT_MAX, INT_MAX, 0, 0};
	u32 n = 0;

	full = drm_plane_state_src(new_ps);
	full.x1 >>= 16;
	full.y1 >>= 16;
	full.x2 = DIV_ROUND_UP(full.x2, 1 << 16);
	full.y2 = DIV_ROUND_UP(full.y2, 1 << 16);

	drm_atomic_helper_damage_iter_init(&iter, old_ps, new_ps);
	drm_atomic_for_each_plane_damage(&iter, &clip) {
		if (drm_rect_equals(&clip, &full)) {
			ev->flags |= KMSCAP_FRAME_FULL_DAMAGE;
			ev->num_damage = 0;
			return;
		}
		if (n < KMSCAP_MAX_DAMAGE) {
			ev->damage[n].x1 = clip.x1;
			ev->damage[n].y1 = clip.y1;
			ev->damage[n].x2 = clip.x2;
			ev->damage[n].y2 = clip.y2;
		}
		box.x1 = min(box.x1, clip.x1);
		box.y1 = min(box.y1, clip.y1);
		box.x2 = max(box.x2, clip.x2);
		box.y2 = max(box.y2, clip.y2);
		n++;
	}
	if (n > KMSCAP_MAX_DAMAGE) {
		memset(ev->damage, 0, sizeof(ev->damage));
		ev->damage[0].x1 = box.x1;
		ev->damage[0].y1 = box.y1;
		ev->damage[0].x2 = box.x2;
		ev->damage[0].y2 = box.y2;
		ev->flags |= KMSCAP_FRAME_DAMAGE_MERGED;
		n = 1;
	}
	ev->num_damage = n;
}

static void kmscap_frame_fill_primary(struct kmscap_frame *frame, struct drm_crtc_state *cs,
				      struct drm_plane_state *ps)
{
	struct drm_framebuffer *fb = ps ? ps->fb : NULL;
	struct kmscap_event *ev = &frame->ev;
	const struct drm_display_mode *mode = &cs->mode;
	u64 denom = (u64)mode->htotal * mode->vtotal;
	unsigned int i;

	if (denom)
		ev->refresh_mhz = div64_u64((u64)mode->clock * 1000000 + denom / 2, denom);
	ev->mode_width = mode->hdisplay;
	ev->mode_height = mode->vdisplay;

	if (!cs->active || !fb || !ps->visible) {
		ev->flags |= KMSCAP_FRAME_BLANK;
		return;
	}
	drm_framebuffer_get(fb);
	frame->fb = fb;
	ev->buffer_id = kmscap_bo_id(to_kmscap_bo(fb->obj[0]));
	ev->format = fb->format->format;
	ev->width = fb->width;
	ev->height = fb->height;
	ev->num_planes = fb->format->num_planes;
	ev->modifier = fb->modifier;
	for (i = 0; i < ev->num_planes; i++) {
		ev->pitches[i] = fb->pitches[i];
		ev->offsets[i] = fb->offsets[i];
	}
	ev->src_x = ps->src_x >> 16;
	ev->src_y = ps->src_y >> 16;
	ev->src_w = ps->src_w >> 16;
	ev->src_h = ps->src_h >> 16;
}

static void kmscap_frame_fill_cursor(struct kmscap_frame *frame, struct drm_crtc_state *cs,
				     struct drm_plane_state *old_ps, struct drm_plane_state *ps)
{
	struct drm_framebuffer *fb = ps ? ps->fb : NULL;
	struct kmscap_event *ev = &frame->ev;

	if (!ps)
		return;		/* off the CRTC */

	if (old_ps) {
		if (old_ps->crtc_x != ps->crtc_x || old_ps->crtc_y != ps->crtc_y)
			ev->flags |= KMSCAP_FRAME_CURSOR_MOVED;
		if (old_ps->fb != ps->fb || old_ps->visible != ps->visible)
			ev->flags |= KMSCAP_FRAME_CURSOR_CHANGED;
	}
	ev->cursor_x = ps->crtc_x;
	ev->cursor_y = ps->crtc_y;
	if (!cs->active || !fb || !ps->visible)
		return;
	drm_framebuffer_get(fb);
	frame->cursor_fb = fb;
	ev->flags |= KMSCAP_FRAME_CURSOR_VISIBLE;
	ev->cursor_buffer_id = kmscap_bo_id(to_kmscap_bo(fb->obj[0]));
	ev->cursor_format = fb->format->format;
	ev->cursor_width = fb->width;
	ev->cursor_height = fb->height;
	ev->cursor_hot_x = fb->hot_x;
	ev->cursor_hot_y = fb->hot_y;
	ev->cursor_pitch = fb->pitches[0];
}

/*
 * The state @plane is in after this commit: its new state if the commit
 * has the plane; else its current one if it is on the CRTC (a commit that
 * changes it includes the CRTC, so it runs after this one); else NULL, off
 * (a commit without the CRTC may be replacing, and freeing, that state
 * concurrently).
 */
static struct drm_plane_state *kmscap_frame_plane(struct drm_atomic_state *state,
						  struct drm_crtc_state *cs,
						  struct drm_plane *plane)
{
	struct drm_plane_state *ps = drm_atomic_get_new_plane_state(state, plane);

	if (ps)
		return ps;
	return cs->plane_mask & drm_plane_mask(plane) ? plane->state : NULL;
}

/* Fill @frame from a commit that includes the CRTC (@cs: its new state). */
void kmscap_frame_init(struct kmscap_frame *frame, struct kmscap_display *disp,
		       struct drm_atomic_state *state, struct drm_crtc_state *cs)
{
	struct drm_plane_state *old_ps, *new_ps;

	frame->disp = disp;
	frame->ev.type = KMSCAP_EVENT_FRAME;
	frame->ev.display_id = disp->id;
	frame->ev.timestamp_ns = ktime_get_ns();

	kmscap_frame_fill_primary(frame, cs, kmscap_frame_plane(state, cs, &disp->primary));

	if (drm_atomic_crtc_needs_modeset(cs) && cs->active)
		frame->ev.flags |= KMSCAP_FRAME_NEW_MODE | KMSCAP_FRAME_FULL_DAMAGE;
	old_ps = drm_atomic_get_old_plane_state(state, &disp->primary);
	new_ps = drm_atomic_get_new_plane_state(state, &disp->primary);
	if (new_ps && frame->fb && !(frame->ev.flags & KMSCAP_FRAME_FULL_DAMAGE))
		kmscap_frame_fill_damage(frame, old_ps, new_ps);

	old_ps = drm_atomic_get_old_plane_state(state, &disp->cursor);
	kmscap_frame_fill_cursor(frame, cs, old_ps, kmscap_frame_plane(state, cs, &disp->cursor));

	if (!READ_ONCE(disp->connected))
		frame->ev.flags |= KMSCAP_FRAME_DISCONNECTED;
	kmscap_gamma_frame_init(frame, cs);
}

/* Pixels the frame's damage covers (rectangles summed), for tracing. */
u64 kmscap_frame_damage_area(const struct kmscap_event *ev)
{
	u64 area = 0;
	u32 i;

	if (ev->flags & KMSCAP_FRAME_BLANK)
		return 0;
	if (ev->flags & KMSCAP_FRAME_FULL_DAMAGE)
		return (u64)ev->src_w * ev->src_h;
	for (i = 0; i < ev->num_damage && i < KMSCAP_MAX_DAMAGE; i++)
		area += (u64)(ev->damage[i].x2 - ev->damage[i].x1) *
			(ev->damage[i].y2 - ev->damage[i].y1);
	return area;
}
