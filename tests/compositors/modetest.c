// SPDX-License-Identifier: MIT
/*
 * modetest: libdrm's modetest (libdrm-tests) sets the display's mode with
 * its SMPTE test pattern: -M kmscap -s CONNECTOR@CRTC:640x480.  The
 * capture client must see the seven top bars (grey, yellow, cyan, green,
 * magenta, red, blue at 75%) in the top two thirds of the frame, pixel for
 * pixel; modetest waits for a line on its stdin, then must end with
 * status 0 and leave nothing held (kc_display_finish()).
 */
#include <unistd.h>

#include "kc.h"

/* The top bars of libdrm's SMPTE pattern (tests/util/pattern.c). */
static bool kc_smpte_top(uint32_t x, uint32_t y, uint32_t *want)
{
	static const uint32_t bars[7] = { 0xc0c0c0, 0xc0c000, 0x00c0c0, 0x00c000,
					  0xc000c0, 0xc00000, 0x0000c0 };

	if (y >= KC_H * 6 / 9)
		return false;
	*want = bars[x * 7 / KC_W];
	return true;
}

int main(void)
{
	static const char *const env[] = { "PATH=/usr/bin:/bin", NULL };
	char set[64];
	const char *argv[] = { "/usr/bin/modetest", "-M", "kmscap", "-s", set, NULL };
	struct kc_proc mt;
	struct kc_display d;
	struct kmscap_t_kms k;
	int in[2];

	kc_init("modetest", "/usr/bin/modetest", "libdrm-tests");
	kc_display_create(&d);
	/* its connector and CRTC ids */
	kmscap_t_kms_open_or_die(&k, d.minor);
	snprintf(set, sizeof(set), "%u@%u:%ux%u", k.conn_id, k.crtc_id, KC_W, KC_H);
	kmscap_t_kms_close(&k);
	KT_ASSERT(!pipe(in), "pipe: %s", strerror(errno));
	kc_start(&mt, "modetest", 0, env, argv, in[0]);
	close(in[0]);
	kc_expect_picture(&d, &mt, kc_smpte_top, 120);
	kc_alive_or_die(&mt, "before it was told to end");
	KT_ASSERT(write(in[1], "\n", 1) == 1, "writing to modetest: %s", strerror(errno));
	close(in[1]);
	if (!kc_wait(&mt, 60)) {
		kc_show_log(&mt, 20);
		kmscap_t_fail("modetest still runs 60 s after its line on stdin");
	}
	if (mt.status) {
		kc_show_log(&mt, 20);
		kmscap_t_fail("modetest -s %s ended with status %d", set, mt.status);
	}
	kc_display_finish(&d, "modetest");
	kmscap_t_pass("modetest -M kmscap -s %s showed its SMPTE bars on %s", set, d.card);
}
