// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmscap planes: a primary plane and a cursor plane per display.  There
 * is no hardware: the planes only validate state; capture reads it.
 */

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_plane_helper.h>

#include "kmscap_drv.h"

static const u32 kmscap_primary_formats[] = {
	DRM_FORMAT_XRGB8888,
	DRM_FORMAT_ARGB8888,
	DRM_FORMAT_XBGR8888,
	DRM_FORMAT_ABGR8888,
	DRM_FORMAT_XRGB2101010,
	DRM_FORMAT_ARGB2101010,
	DRM_FORMAT_RGB565,
};

static const u32 kmscap_cursor_formats[] = {
	DRM_FORMAT_ARGB8888,
};

static const u64 kmscap_cursor_modifiers[] = {
	DRM_FORMAT_MOD_LINEAR,
	DRM_FORMAT_MOD_INVALID
};

static int kmscap_plane_atomic_check(struct drm_plane *plane, struct drm_atomic_state *state)
{
	struct drm_plane_state *ps = drm_atomic_get_new_plane_state(state, plane);
	struct drm_plane_state *old_ps = drm_atomic_get_old_plane_state(state, plane);
	bool cursor = plane->type == DRM_PLANE_TYPE_CURSOR;
	struct drm_crtc_state *cs;

	/*
	 * The CRTC joins every commit of its planes, a plane turned off too:
	 * its flip-done event is what backpressure holds back (capture.c).
	 */
	if (!ps->crtc) {
		if (old_ps && old_ps->crtc)
			return PTR_ERR_OR_ZERO(drm_atomic_get_crtc_state(state, old_ps->crtc));
		return 0;
	}
	cs = drm_atomic_get_crtc_state(state, ps->crtc);
	if (IS_ERR(cs))
		return PTR_ERR(cs);
	if (cursor && ps->fb &&
	    (ps->fb->width > KMSCAP_CURSOR_MAX || ps->fb->height > KMSCAP_CURSOR_MAX))
		return -EINVAL;
	return drm_atomic_helper_check_plane_state(ps, cs, DRM_PLANE_NO_SCALING,
						   DRM_PLANE_NO_SCALING, cursor, true);
}

/* Nothing to program: capture reads the committed state in commit_tail. */
static void kmscap_plane_atomic_update(struct drm_plane *plane, struct drm_atomic_state *state)
{
}

static const struct drm_plane_helper_funcs kmscap_plane_helper_funcs = {
	.atomic_check = kmscap_plane_atomic_check,
	.atomic_update = kmscap_plane_atomic_update,
};

static const struct drm_plane_funcs kmscap_plane_funcs = {
	.update_plane = drm_atomic_helper_update_plane,
	.disable_plane = drm_atomic_helper_disable_plane,
	.destroy = drm_plane_cleanup,
	.reset = drm_atomic_helper_plane_reset,
	.atomic_duplicate_state = drm_atomic_helper_plane_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_plane_destroy_state,
};

static int kmscap_plane_init_one(struct kmscap_display *disp, struct drm_plane *plane,
				 enum drm_plane_type type, const u32 *formats,
				 unsigned int nformats, const u64 *modifiers)
{
	int ret;

	/* The core copies @modifiers, and takes each with every format. */
	ret = drm_universal_plane_init(&disp->drm, plane, 0, &kmscap_plane_funcs, formats,
				       nformats, modifiers, type, NULL);
	if (ret)
		return ret;
	drm_plane_helper_add(plane, &kmscap_plane_helper_funcs);
	drm_plane_enable_fb_damage_clips(plane);
	return 0;
}

/**
 * kmscap_plane_init - create the primary and cursor planes of @disp
 * @disp: the display
 * @modifiers: the primary plane's modifiers (the capture consumer's, with
 *	LINEAR), ending with DRM_FORMAT_MOD_INVALID; the cursor is linear
 */
int kmscap_plane_init(struct kmscap_display *disp, const u64 *modifiers)
{
	int ret;

	ret = kmscap_plane_init_one(disp, &disp->primary, DRM_PLANE_TYPE_PRIMARY,
				    kmscap_primary_formats, ARRAY_SIZE(kmscap_primary_formats),
				    modifiers);
	if (ret)
		return ret;
	return kmscap_plane_init_one(disp, &disp->cursor, DRM_PLANE_TYPE_CURSOR,
				     kmscap_cursor_formats, ARRAY_SIZE(kmscap_cursor_formats),
				     kmscap_cursor_modifiers);
}
