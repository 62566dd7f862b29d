// SPDX-License-Identifier: MIT
/*
 * mode_limits: a DRM master cannot set a mode outside what kmscap
 * supports (64..8192 pixels and lines, 1..500 Hz, sane totals, a clock,
 * progressive).  Each refused mode is tried as an atomic modeset and as a
 * legacy SETCRTC: both get EINVAL, and the display then still takes valid
 * custom modes (64x64 at exactly 500 Hz, 1024x768 at 60 Hz with VESA DMT
 * timings).  Before the check, a 64x64 mode with 64x64 totals at
 * 4.096 GHz ran a million vblank interrupts a second; a clock near
 * INT_MAX made the frame period zero; 1 kHz with 65535x65535 totals made
 * it 50 days.
 */
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "kmscap_test.h"

static drmModeModeInfo kmscap_mode(int clock, int hd, int hss, int hse, int ht, int vd, int vss,
				   int vse, int vt, uint32_t flags)
{
	drmModeModeInfo m = {
		.clock = clock, .hdisplay = hd, .hsync_start = hss, .hsync_end = hse,
		.htotal = ht, .vdisplay = vd, .vsync_start = vss, .vsync_end = vse,
		.vtotal = vt, .flags = flags, .type = DRM_MODE_TYPE_USERDEF,
	};

	snprintf(m.name, sizeof(m.name), "%dx%d", hd, vd);
	m.vrefresh = ht && vt ? (uint32_t)((uint64_t)clock * 1000 / ((uint64_t)ht * vt)) : 0;
	return m;
}

static const struct {
	const char *what;
	unsigned int clock, hd, hss, hse, ht, vd, vss, vse, vt;
	uint32_t flags;
} kmscap_bad[] = {
	{ "64x64, totals 64x64, 4.096 GHz (1 MHz refresh)",
	  4096000, 64, 64, 64, 64, 64, 64, 64, 64, 0 },
	{ "clock INT_MAX kHz", INT_MAX, 64, 64, 64, 64, 64, 64, 64, 64, 0 },
	{ "1 kHz, totals 65535x65535 (50 days a frame)",
	  1, 64, 64, 64, 65535, 64, 64, 64, 65535, 0 },
	{ "64x64 at 501 Hz", 5010, 64, 70, 80, 100, 64, 70, 80, 100, 0 },
	{ "64x64 at 0.5 Hz", 5, 64, 70, 80, 100, 64, 70, 80, 100, 0 },
	{ "63 pixels wide", 65000, 63, 1048, 1184, 1344, 768, 771, 777, 806, 0 },
	{ "63 lines high", 65000, 1024, 1048, 1184, 1344, 63, 771, 777, 806, 0 },
	{ "8200 pixels wide", 2000000, 8200, 8300, 8400, 8500, 768, 771, 777, 806, 0 },
	{ "htotal below hdisplay", 65000, 1024, 1024, 1024, 1000, 768, 771, 777, 806, 0 },
	{ "vtotal below vdisplay", 65000, 1024, 1048, 1184, 1344, 768, 768, 768, 700, 0 },
	{ "zero clock", 0, 1024, 1048, 1184, 1344, 768, 771, 777, 806, 0 },
	{ "interlaced", 65000, 1024, 1048, 1184, 1344, 768, 771, 777, 806,
	  DRM_MODE_FLAG_INTERLACE },
	{ "doublescan", 65000, 1024, 1048, 1184, 1344, 768, 771, 777, 806,
	  DRM_MODE_FLAG_DBLSCAN },
};

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_t_buf small, big;
	struct kmscap_t_kms k;
	unsigned int i;
	int ctl, r;

	kmscap_t_init("mode_limits", 100);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, 1024, 768, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, 64, 64, DRM_FORMAT_XRGB8888, &small);
	kmscap_t_buf_create_or_die(k.fd, 1024, 768, DRM_FORMAT_XRGB8888, &big);

	for (i = 0; i < KMSCAP_T_ARRAY_SIZE(kmscap_bad); i++) {
		const char *what = kmscap_bad[i].what;

		k.mode = kmscap_mode(kmscap_bad[i].clock, kmscap_bad[i].hd, kmscap_bad[i].hss,
				     kmscap_bad[i].hse, kmscap_bad[i].ht, kmscap_bad[i].vd,
				     kmscap_bad[i].vss, kmscap_bad[i].vse, kmscap_bad[i].vt,
				     kmscap_bad[i].flags);
		r = kmscap_t_atomic_modeset(&k, kmscap_bad[i].hd <= 64 ? &small : &big);
		KT_ASSERT(r == -EINVAL, "atomic modeset of %s: %s, expected EINVAL", what,
			  kmscap_t_errname(r));
		r = kmscap_t_modeset(&k, kmscap_bad[i].hd <= 64 ? small.fb_id : big.fb_id);
		KT_ASSERT(r == -EINVAL, "legacy SETCRTC of %s: %s, expected EINVAL", what,
			  kmscap_t_errname(r));
		kmscap_t_log("refused: %s", what);
	}

	/* The limits themselves are allowed. */
	k.mode = kmscap_mode(5000, 64, 70, 80, 100, 64, 70, 80, 100, 0);
	r = kmscap_t_atomic_modeset(&k, &small);
	KT_ASSERT(!r, "atomic modeset of 64x64 at exactly 500 Hz: %s", kmscap_t_errname(r));
	r = kmscap_t_flip(&k, small.fb_id, 2000);
	KT_ASSERT(!r, "page flip at 500 Hz: %s", kmscap_t_errname(r));
	k.mode = kmscap_mode(65000, 1024, 1048, 1184, 1344, 768, 771, 777, 806,
			     DRM_MODE_FLAG_NHSYNC | DRM_MODE_FLAG_NVSYNC);
	r = kmscap_t_modeset(&k, big.fb_id);
	KT_ASSERT(!r, "legacy SETCRTC of 1024x768 at 60 Hz (DMT): %s", kmscap_t_errname(r));
	r = kmscap_t_flip(&k, big.fb_id, 2000);
	KT_ASSERT(!r, "page flip at 60 Hz: %s", kmscap_t_errname(r));

	kmscap_t_buf_destroy(&small);
	kmscap_t_buf_destroy(&big);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("%u out-of-range modes refused by atomic and legacy modesets; 500 Hz and "
		      "a DMT mode accepted", (unsigned int)KMSCAP_T_ARRAY_SIZE(kmscap_bad));
}
