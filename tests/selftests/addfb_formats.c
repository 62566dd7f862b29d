// SPDX-License-Identifier: MIT
/*
 * addfb_formats: ADDFB2 takes exactly the format and modifier pairs some
 * plane of the display can show, and refuses the rest with EINVAL at once
 * (not later at the modeset).  kmscube relies on it: it adds its buffer
 * with DRM_FORMAT_MOD_INVALID and the modifiers flag, expects EINVAL, and
 * retries without modifiers.
 */
#include <drm_fourcc.h>

#include "kmscap_test.h"

#define W 256
#define H 128

struct kmscap_fb_case {
	const char *what;
	uint32_t format;
	bool with_modifier;
	uint64_t modifier;
	int expect;	/* 0 or an errno */
};

static const struct kmscap_fb_case kmscap_fb_cases[] = {
	{ "XRGB8888, no modifier", DRM_FORMAT_XRGB8888, false, 0, 0 },
	{ "ARGB8888, no modifier", DRM_FORMAT_ARGB8888, false, 0, 0 },
	{ "XRGB2101010, no modifier", DRM_FORMAT_XRGB2101010, false, 0, 0 },
	{ "XRGB8888, LINEAR", DRM_FORMAT_XRGB8888, true, DRM_FORMAT_MOD_LINEAR, 0 },
	{ "XRGB8888, MOD_INVALID (kmscube's probe)", DRM_FORMAT_XRGB8888, true,
	  DRM_FORMAT_MOD_INVALID, EINVAL },
	{ "XRGB8888, Intel X-tiled (not advertised)", DRM_FORMAT_XRGB8888, true,
	  I915_FORMAT_MOD_X_TILED, EINVAL },
	{ "XRGB8888, AMD GFX9 64K_S (not advertised)", DRM_FORMAT_XRGB8888, true,
	  AMD_FMT_MOD | AMD_FMT_MOD_SET(TILE_VERSION, AMD_FMT_MOD_TILE_VER_GFX9) |
	  AMD_FMT_MOD_SET(TILE, AMD_FMT_MOD_TILE_GFX9_64K_S), EINVAL },
	{ "RGBX8888 (no plane has it)", DRM_FORMAT_RGBX8888, false, 0, EINVAL },
	{ "BGR888 (no plane has it)", DRM_FORMAT_BGR888, false, 0, EINVAL },
};

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_t_buf b;
	struct kmscap_t_kms k;
	unsigned int i, bad = 0;
	int ctl;

	kmscap_t_init("addfb_formats", 60);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	/* One 32 bpp dumb buffer serves every case (pitch and size fit all). */
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &b);

	for (i = 0; i < sizeof(kmscap_fb_cases) / sizeof(kmscap_fb_cases[0]); i++) {
		const struct kmscap_fb_case *t = &kmscap_fb_cases[i];
		uint32_t handles[4] = { b.handle }, pitches[4] = { b.pitch }, offsets[4] = { 0 };
		uint64_t mods[4] = { t->modifier };
		uint32_t fb_id = 0;
		int r, err;

		if (t->format == DRM_FORMAT_BGR888)
			pitches[0] = W * 3;
		r = drmModeAddFB2WithModifiers(k.fd, W, H, t->format, handles, pitches, offsets,
					       mods, &fb_id,
					       t->with_modifier ? DRM_MODE_FB_MODIFIERS : 0);
		err = r ? errno : 0;
		if (!r)
			drmModeRmFB(k.fd, fb_id);
		if (err != t->expect) {
			kmscap_t_log("FAIL: ADDFB2 %s: %s, expected %s", t->what,
				     err ? strerror(err) : "accepted",
				     t->expect ? strerror(t->expect) : "accepted");
			bad++;
		} else {
			kmscap_t_log("ADDFB2 %s: %s", t->what, err ? strerror(err) : "accepted");
		}
	}
	KT_ASSERT(!bad, "%u of %zu ADDFB2 cases answered wrongly", bad,
		  sizeof(kmscap_fb_cases) / sizeof(kmscap_fb_cases[0]));

	kmscap_t_buf_destroy(&b);
	kmscap_t_kms_close(&k);
	kmscap_t_destroy(ctl, c.id);
	kmscap_t_pass("ADDFB2 takes the planes' format/modifier pairs and refuses others");
	return 0;
}
