// SPDX-License-Identifier: MIT
/*
 * kmscube: Debian's kmscube on a kmscap display, rendering with Mesa's
 * software drivers (GBM falls back to kms_swrast on a card it has no
 * driver for: dumb buffers, llvmpipe), legacy modeset and page flips, for
 * KC_CUBE_FRAMES frames (-c).  It must exit 0; the display must have
 * flipped at least that many frames (STATS), the capture client must
 * have read frames of the mode's size, and the picture must have changed
 * in at least half of the frames read (the cube turns).  Nothing is held afterwards.
 * Its stdin is a pipe that stays empty: kmscube ends ("user interrupted")
 * as soon as its stdin is readable, which /dev/null always is.
 */
#include <unistd.h>

#include "kc.h"

#define KC_CUBE_FRAMES	20
#define KC_STR2(x)	#x
#define KC_STR(x)	KC_STR2(x)

int main(void)
{
	static const char *const env[] = { "PATH=/usr/bin:/bin", "HOME=/root", NULL };
	const char *argv[] = { "/usr/bin/kmscube", "-D", NULL, "-c", KC_STR(KC_CUBE_FRAMES), NULL };
	struct kmscap_client_stats st;
	struct kc_proc cube;
	struct kc_display d;
	uint64_t n, changes;
	int r, in[2];

	kc_init("kmscube", "/usr/bin/kmscube", "kmscube");
	kc_display_create(&d);
	argv[2] = d.card;
	KT_ASSERT(!pipe(in), "pipe: %s", strerror(errno));
	kc_start(&cube, "kmscube", 0, env, argv, in[0]);
	close(in[0]);
	n = kc_count_frames(&d, &cube, 300, &changes);
	close(in[1]);
	if (!kc_ended(&cube)) {
		kc_show_log(&cube, 30);
		kmscap_t_fail("kmscube -c %d still runs after 300 s", KC_CUBE_FRAMES);
	}
	if (cube.status) {
		kc_show_log(&cube, 30);
		kmscap_t_fail("kmscube ended with status %d", cube.status);
	}
	r = kmscap_t_stats(d.client, &st);
	KT_ASSERT(!r, "STATS: %s", kmscap_t_errname(r));
	kmscap_t_log("kmscube ended with 0: %llu frames on the display, %llu read, %llu changed "
		     "the picture", (unsigned long long)st.flips, (unsigned long long)n,
		     (unsigned long long)changes);
	kc_show_log(&cube, 10);
	if (st.flips < KC_CUBE_FRAMES)
		kmscap_t_fail("kmscube -c %d flipped only %llu frames", KC_CUBE_FRAMES,
			      (unsigned long long)st.flips);
	if (changes * 2 < n)
		kmscap_t_fail("the captured picture changed %llu times in %llu frames read: the "
			      "cube does not turn", (unsigned long long)changes,
			      (unsigned long long)n);
	kc_display_finish(&d, "kmscube");
	kmscap_t_pass("kmscube rendered %llu frames on %s, %llu of them captured",
		      (unsigned long long)st.flips, d.card, (unsigned long long)n);
}
