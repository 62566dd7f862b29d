// SPDX-License-Identifier: MIT
/*
 * cage: Debian's cage (a wlroots kiosk compositor) on a kmscap display,
 * run the way wlroots allows: not as root but as uid 1000 (user
 * "compositor" of the VM's /etc/passwd), its seat from seatd running as
 * root (LIBSEAT_BACKEND=seatd), WLR_BACKENDS=drm (no libinput),
 * WLR_RENDERER=pixman and WLR_DRM_DEVICES naming the kmscap card, so that
 * it does not take vgem's.  Its one client, clients/kc-wl-pattern,
 * fullscreen: the capture client must see the picture pixel for pixel.
 * SIGTERM ends the client, then cage ends with status 0, SIGTERM ends
 * seatd with status 0, and nothing is left held (kc_display_finish()).
 */
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kc.h"


int main(void)
{
	char devices[64];
	const char *env[] = { "PATH=/usr/bin:/bin", "HOME=/home/compositor", "USER=compositor",
			      "XDG_RUNTIME_DIR=/run/user/1000", "LIBSEAT_BACKEND=seatd",
			      "WLR_BACKENDS=drm", "WLR_RENDERER=pixman", devices, NULL };
	const char *argv[] = { "/usr/bin/cage", "-d", "--", KC_CLIENTS "/kc-wl-pattern", NULL };
	struct kc_proc seatd, cage;
	struct kc_display d;
	pid_t client;
	int st;

	kc_init("cage", "/usr/bin/cage", "cage");
	kc_display_create(&d);
	snprintf(devices, sizeof(devices), "WLR_DRM_DEVICES=%s", d.card);
	kc_seat_start(&seatd);
	kc_start(&cage, "cage", KC_UID, env, argv, -1);
	kc_wait_output(&cage, "shown 640x480", 120);
	kc_expect_picture(&d, &cage, kc_pattern, 60);

	kc_alive_or_die(&seatd, "while cage ran");
	/*
	 * cage ends when its application does (cage 0.1.4 aborts in
	 * wl_display_terminate() on SIGTERM of its own)
	 */
	client = kc_child(&cage, "kc-wl-pattern");
	KT_ASSERT(client > 0, "cage (pid %d) has no child kc-wl-pattern", cage.pid);
	kill(client, SIGTERM);
	if (!kc_wait(&cage, 30)) {
		kc_show_log(&cage, 40);
		kmscap_t_fail("cage still runs 30 s after its client ended");
	}
	if (cage.status) {
		kc_show_log(&cage, 40);
		kmscap_t_fail("cage ended with status %d after its client ended", cage.status);
	}
	st = kc_stop(&seatd, SIGTERM);
	if (st) {
		kc_show_log(&seatd, 20);
		kmscap_t_fail("seatd ended with status %d after SIGTERM", st);
	}
	kc_display_finish(&d, "cage");
	kmscap_t_pass("cage (uid %u, seatd) showed its client's picture on %s", KC_UID, d.card);
}
