// SPDX-License-Identifier: MIT
/*
 * sway: Debian's sway (wlroots) on a kmscap display, run as wlroots
 * allows: as uid 1000 with its seat from seatd (LIBSEAT_BACKEND=seatd),
 * WLR_BACKENDS=drm, WLR_RENDERER=pixman and WLR_DRM_DEVICES naming the
 * kmscap card.  Its config starts clients/kc-wl-pattern, the only window,
 * without borders or gaps: it fills the output and the capture client must
 * see its picture pixel for pixel.  Then the monitor is replaced by an
 * 800x600 one (kc_mode_change()): sway keeps running through the moment
 * without an output and must go on at 800x600 by itself, and a running
 * kmscap-stream with it.  SIGTERM ends sway with status 0 and nothing is
 * left held (kc_display_finish()).
 *
 * cage, the other wlroots compositor of these tests, cannot be tested so:
 * it ends when its last output goes (Documentation/compositors.md).
 */
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kc.h"


int main(void)
{
	char devices[64], cfg[160], text[512];
	const char *env[] = { "PATH=/usr/bin:/bin", "HOME=/home/compositor", "USER=compositor",
			      "XDG_RUNTIME_DIR=/run/user/1000", "LIBSEAT_BACKEND=seatd",
			      "WLR_BACKENDS=drm", "WLR_RENDERER=pixman", devices, NULL };
	const char *argv[] = { "/usr/bin/sway", "-c", cfg, NULL };
	struct kc_proc seatd, sway;
	struct kc_display d;
	int st;

	kc_init("sway", "/usr/bin/sway", "sway");
	kc_display_create(&d);
	snprintf(devices, sizeof(devices), "WLR_DRM_DEVICES=%s", d.card);
	snprintf(cfg, sizeof(cfg), "%s/sway.conf", kc_dir());
	snprintf(text, sizeof(text),
		 "xwayland disable\n"
		 "default_border none\n"
		 "default_floating_border none\n"
		 "gaps inner 0\n"
		 "gaps outer 0\n"
		 "output * bg #000000 solid_color\n"
		 "exec %s/kc-wl-pattern\n", KC_CLIENTS);
	kc_write_file(cfg, text);
	kc_seat_start(&seatd);
	kc_start(&sway, "sway", KC_UID, env, argv, -1);
	kc_wait_output(&sway, "shown 640x480", 120);
	kc_expect_picture(&d, &sway, kc_pattern, 60);
	/* wlroots 0.15 keeps a connected monitor's mode: sway must follow a replug */
	kc_mode_change(&d, &sway, 800, 600);

	kc_alive_or_die(&seatd, "while sway ran");
	st = kc_stop(&sway, SIGTERM);
	if (st) {
		kc_show_log(&sway, 40);
		kmscap_t_fail("sway ended with status %d after SIGTERM", st);
	}
	st = kc_stop(&seatd, SIGTERM);
	if (st) {
		kc_show_log(&seatd, 20);
		kmscap_t_fail("seatd ended with status %d after SIGTERM", st);
	}
	kc_display_finish(&d, "sway");
	kmscap_t_pass("sway (uid %u, seatd) showed its client's picture on %s and followed a "
		      "replug to 800x600", KC_UID, d.card);
}
