// SPDX-License-Identifier: MIT
/*
 * mode_events: frame events describe the active mode.  A capture client
 * attached before the first modeset sees the modeset frame (mode size and
 * refresh, NEW_MODE); after a monitor change (DISPLAY_CONFIG mode) the
 * compositor re-probes and modesets the new preferred mode and the next
 * frame says NEW_MODE with the new size and rate, while plain flips do
 * not; turning the CRTC off gives a BLANK frame with buffer id 0.
 */
#include <unistd.h>

#include "kmscap_test.h"

static struct kmscap_event kmscap_one(int cl, const char *what)
{
	struct kmscap_event ev;
	int r = kmscap_t_read_event(cl, &ev, 3000);

	KT_ASSERT(r == 1, "%s: no frame event within 3 s (%s)", what, kmscap_t_errname(r));
	KT_ASSERT(ev.type == KMSCAP_EVENT_FRAME, "%s: event type %u", what, ev.type);
	r = kmscap_t_release(cl, ev.seq);
	KT_ASSERT(!r, "%s: RELEASE: %s", what, kmscap_t_errname(r));
	return ev;
}

static void kmscap_expect_mode(const struct kmscap_event *ev, uint32_t w, uint32_t h,
			       uint32_t mhz, bool new_mode, const char *what)
{
	KT_ASSERT(ev->mode_width == w && ev->mode_height == h,
		  "%s: event mode %ux%u, expected %ux%u", what, ev->mode_width, ev->mode_height,
		  w, h);
	KT_ASSERT(ev->refresh_mhz + 10 >= mhz && ev->refresh_mhz <= mhz + 10,
		  "%s: event refresh %u mHz, expected %u", what, ev->refresh_mhz, mhz);
	KT_ASSERT(!!(ev->flags & KMSCAP_FRAME_NEW_MODE) == new_mode,
		  "%s: NEW_MODE flag %s (flags 0x%x)", what, new_mode ? "missing" : "set",
		  ev->flags);
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_t_buf a[2], b;
	struct kmscap_event ev;
	struct kmscap_t_kms k;
	int ctl, cl, r, i;

	kmscap_t_init("mode_events", 100);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, 1024, 768, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	cl = kmscap_t_client_or_die(c.id, 0, 1000000000ull);
	kmscap_t_buf_create_or_die(k.fd, 1024, 768, DRM_FORMAT_XRGB8888, &a[0]);
	kmscap_t_buf_create_or_die(k.fd, 1024, 768, DRM_FORMAT_XRGB8888, &a[1]);

	r = kmscap_t_atomic_modeset(&k, &a[0]);
	KT_ASSERT(!r, "card%u: atomic modeset 1024x768: %s", c.card_minor, kmscap_t_errname(r));
	ev = kmscap_one(cl, "first modeset");
	kmscap_expect_mode(&ev, 1024, 768, 60000, true, "first modeset");
	KT_ASSERT(ev.buffer_id && !(ev.flags & KMSCAP_FRAME_BLANK),
		  "first modeset: buffer %u flags 0x%x", ev.buffer_id, ev.flags);
	for (i = 0; i < 3; i++) {
		r = kmscap_t_flip(&k, a[(i + 1) & 1].fb_id, 3000);
		KT_ASSERT(!r, "flip: %s", kmscap_t_errname(r));
		ev = kmscap_one(cl, "flip");
		kmscap_expect_mode(&ev, 1024, 768, 60000, false, "plain flip");
	}

	/* The monitor changes; the compositor follows the hotplug. */
	r = kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_MODE, 800, 600, 75000);
	KT_ASSERT(!r, "CONFIG_MODE 800x600@75: %s", kmscap_t_errname(r));
	r = kmscap_t_kms_reprobe(&k);
	KT_ASSERT(!r && k.mode.hdisplay == 800 && k.mode.vdisplay == 600,
		  "re-probed preferred mode %ux%u (%s)", k.mode.hdisplay, k.mode.vdisplay,
		  kmscap_t_errname(r));
	kmscap_t_buf_create_or_die(k.fd, 800, 600, DRM_FORMAT_XRGB8888, &b);
	r = kmscap_t_atomic_modeset(&k, &b);
	KT_ASSERT(!r, "atomic modeset 800x600@75: %s", kmscap_t_errname(r));
	/* a frame of the old mode may have been emitted by the config itself */
	do {
		ev = kmscap_one(cl, "modeset after CONFIG_MODE");
	} while (ev.mode_width == 1024 && !(ev.flags & KMSCAP_FRAME_NEW_MODE));
	kmscap_expect_mode(&ev, 800, 600, 75000, true, "modeset after CONFIG_MODE");
	KT_ASSERT(ev.width == 800 && ev.height == 600, "new frame %ux%u", ev.width, ev.height);
	KT_EXPECT_RET(kmscap_t_flip(&k, b.fb_id, 3000), 0, "flip");
	ev = kmscap_one(cl, "flip in the new mode");
	kmscap_expect_mode(&ev, 800, 600, 75000, false, "flip in the new mode");

	/* CRTC off: a blank frame. */
	r = drmModeSetCrtc(k.fd, k.crtc_id, 0, 0, 0, NULL, 0, NULL);
	KT_ASSERT(!r, "disable CRTC: %s", strerror(errno));
	ev = kmscap_one(cl, "CRTC off");
	KT_ASSERT((ev.flags & KMSCAP_FRAME_BLANK) && ev.buffer_id == 0,
		  "CRTC off: flags 0x%x buffer %u, expected BLANK and buffer 0", ev.flags,
		  ev.buffer_id);

	close(cl);
	kmscap_t_buf_destroy(&a[0]);
	kmscap_t_buf_destroy(&a[1]);
	kmscap_t_buf_destroy(&b);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("mode fields, NEW_MODE and BLANK follow modesets and monitor changes");
}
