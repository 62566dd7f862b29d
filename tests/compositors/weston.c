// SPDX-License-Identifier: MIT
/*
 * weston: Debian's Weston (drm-backend, pixman renderer, fullscreen-shell) on a
 * kmscap display, as root with its direct launcher on tty2 (Debian builds
 * it without libseat; there is no logind in the VM).  Our Wayland client
 * (clients/kc-wl-pattern) shows kc_pattern.h's picture fullscreen
 * (kiosk-shell would not map it: it shows a surface only once a seat
 * activates it, and without input devices Weston has no seat); the
 * capture client must see it pixel for pixel, and kmscap-stream with the
 * test VA driver must encode it so that ffmpeg decodes it.  Then the
 * monitor is replaced by an 800x600 one (kc_mode_change()): Weston must
 * go on at 800x600, and a running kmscap-stream with it.  SIGTERM ends
 * Weston with status 0, and leaves nothing held (kc_display_finish()).
 */
#include <signal.h>
#include <sys/stat.h>

#include "kc.h"

int main(void)
{
	static const char *const client_env[] = { "PATH=/usr/bin:/bin", "XDG_RUNTIME_DIR=/run/user/0",
						  "WAYLAND_DISPLAY=kc-wayland", NULL };
	static const char *const env[] = { "PATH=/usr/bin:/bin", "HOME=/root",
					   "XDG_RUNTIME_DIR=/run/user/0", NULL };
	const char *client_argv[] = { KC_CLIENTS "/kc-wl-pattern", "640", "480", NULL };
	char ini[128], drm[64], cfg[160];
	const char *argv[] = { "/usr/bin/weston", "--backend=drm-backend.so", "--use-pixman",
			       "--shell=fullscreen-shell.so", drm, "--tty=2", "--socket=kc-wayland",
			       "--continue-without-input", "--idle-time=0", cfg, NULL };
	struct kc_proc weston, client;
	struct kc_display d;
	int st;

	kc_init("weston", "/usr/bin/weston", "weston");
	kc_display_create(&d);
	snprintf(ini, sizeof(ini), "%s/weston.ini", kc_dir());
	kc_write_file(ini, "[core]\nrequire-input=false\nidle-time=0\n");
	snprintf(drm, sizeof(drm), "--drm-device=%s", d.card_name);
	snprintf(cfg, sizeof(cfg), "--config=%s", ini);
	mkdir("/run/user", 0755);
	if (mkdir("/run/user/0", 0700) && errno != EEXIST)
		kmscap_t_fail("mkdir /run/user/0: %s", strerror(errno));

	kc_start(&weston, "weston", 0, env, argv, -1);
	kc_wait_path("/run/user/0/kc-wayland", &weston, 120);
	kc_start(&client, "kc-wl-pattern", 0, client_env, client_argv, -1);
	kc_wait_output(&client, "shown 640x480", 60);
	kc_expect_picture(&d, &weston, kc_pattern, 60);
	kc_stream_check(&d, true);
	/* Weston 10 ignores a new mode of a connected monitor: it must follow a replug */
	kc_mode_change(&d, &weston, 800, 600);

	kc_alive_or_die(&client, "while Weston ran");
	st = kc_stop(&weston, SIGTERM);
	if (st) {
		kc_show_log(&weston, 40);
		kmscap_t_fail("Weston ended with status %d after SIGTERM", st);
	}
	/* the client sees its display go away */
	if (!kc_wait(&client, 30))
		kmscap_t_fail("kc-wl-pattern still runs 30 s after Weston ended");
	kc_display_finish(&d, "Weston");
	kmscap_t_pass("Weston showed the client's picture on %s, captured and streamed", d.card);
}
