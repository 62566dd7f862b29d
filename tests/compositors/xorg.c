// SPDX-License-Identifier: MIT
/*
 * xorg: Debian's X server (xserver-xorg-core) with its modesetting driver
 * on a kmscap display (Option "kmsdev", "AccelMethod" "none": no glamor
 * without a GPU), as root on vt3, no input devices (AutoAddDevices off).
 * Our X client (clients/kc-x11-pattern) covers the screen with the
 * picture; the capture client must see it pixel for pixel.  SIGTERM ends
 * the server with status 0, the client sees it go, and nothing is left
 * held (kc_display_finish()).
 */
#include <signal.h>
#include <unistd.h>

#include "kc.h"

int main(void)
{
	static const char *const env[] = { "PATH=/usr/bin:/bin", "HOME=/root", NULL };
	static const char *const client_env[] = { "PATH=/usr/bin:/bin", "DISPLAY=:7", NULL };
	const char *client_argv[] = { KC_CLIENTS "/kc-x11-pattern", NULL };
	char conf[128], xlog[128], text[1024];
	const char *argv[] = { "/usr/lib/xorg/Xorg", ":7", "-config", conf, "-logfile", xlog,
			       "-nolisten", "tcp", "-noreset", "vt3", NULL };
	struct kc_proc xorg, client;
	struct kc_display d;
	int st;

	kc_init("xorg", "/usr/lib/xorg/Xorg", "xserver-xorg-core");
	kc_display_create(&d);
	snprintf(conf, sizeof(conf), "%s/xorg.conf", kc_dir());
	snprintf(xlog, sizeof(xlog), "%s/Xorg.log", kc_dir());
	snprintf(text, sizeof(text),
		 "Section \"ServerFlags\"\n"
		 "\tOption \"AutoAddDevices\" \"false\"\n"
		 "\tOption \"AutoAddGPU\" \"false\"\n"
		 "EndSection\n"
		 "Section \"Device\"\n"
		 "\tIdentifier \"kmscap\"\n"
		 "\tDriver \"modesetting\"\n"
		 "\tOption \"kmsdev\" \"%s\"\n"
		 "\tOption \"AccelMethod\" \"none\"\n"
		 "EndSection\n"
		 "Section \"Screen\"\n"
		 "\tIdentifier \"kmscap\"\n"
		 "\tDevice \"kmscap\"\n"
		 "\tDefaultDepth 24\n"
		 "EndSection\n", d.card);
	kc_write_file(conf, text);
	unlink("/tmp/.X11-unix/X7");
	unlink("/tmp/.X7-lock");

	kc_start(&xorg, "Xorg", 0, env, argv, -1);
	kc_wait_path("/tmp/.X11-unix/X7", &xorg, 120);
	kc_start(&client, "kc-x11-pattern", 0, client_env, client_argv, -1);
	kc_wait_output(&client, "shown 640x480", 60);
	kc_expect_picture(&d, &xorg, kc_pattern, 60);

	kc_alive_or_die(&client, "while Xorg ran");
	st = kc_stop(&xorg, SIGTERM);
	if (st) {
		kc_show_log(&xorg, 40);
		kmscap_t_fail("Xorg ended with status %d after SIGTERM (its log: %s)", st, xlog);
	}
	if (!kc_wait(&client, 30))
		kmscap_t_fail("kc-x11-pattern still runs 30 s after Xorg ended");
	kc_display_finish(&d, "Xorg");
	kmscap_t_pass("Xorg showed the client's picture on %s", d.card);
}
