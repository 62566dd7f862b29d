// SPDX-License-Identifier: MIT
/*
 * The compositor tests' mode change: the monitor is replaced by one with
 * another preferred mode (KMSCAP_CONFIG_REPLUG, what kmscapctl set-mode
 * does) while kmscap-stream records the display; the compositor must
 * follow on its own, and the one stream must go on at the new size.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc.h"

/* The largest value of counter @key ("encoded") in kmscap-stream's JSON statistics so far. */
static uint64_t kc_stream_counter(const struct kc_proc *ks, const char *key)
{
	static const char stats[] = "{\"type\":\"stats\",";
	char line[2048], needle[64];
	uint64_t max = 0;
	FILE *f;

	snprintf(needle, sizeof(needle), "\"%s\":", key);
	f = fopen(ks->log, "re");
	while (f && fgets(line, sizeof(line), f)) {
		const char *at = strstr(line, needle);
		uint64_t v;

		if (strncmp(line, stats, strlen(stats)) || !at)
			continue;
		v = strtoull(at + strlen(needle), NULL, 10);
		if (v > max)
			max = v;
	}
	if (f)
		fclose(f);
	return max;
}

/* Wait until kmscap-stream's counter @key reaches @min; fail after @timeout_s. */
static void kc_stream_wait(struct kc_proc *ks, const char *key, uint64_t min,
			   unsigned int timeout_s)
{
	uint64_t end = kmscap_t_now_ns() + (uint64_t)timeout_s * 1000000000ull;

	while (kc_stream_counter(ks, key) < min) {
		kc_alive_or_die(ks, "while it was expected to encode");
		if (kmscap_t_now_ns() > end) {
			kc_show_log(ks, 20);
			kmscap_t_fail("kmscap-stream's statistics did not reach %s %llu within %u s",
				      key, (unsigned long long)min, timeout_s);
		}
		kmscap_t_sleep_ms(200);
	}
}

/* Sizes of the pictures in @stream, in order, as "WxH" runs ("640x480 800x600"). */
static void kc_stream_sizes(const char *stream, char *sizes, size_t len)
{
	static const char *const env[] = { "PATH=/usr/bin:/bin", NULL };
	char csv[160], line[64], last[32] = "";
	const char *argv[] = { "/usr/bin/ffprobe", "-v", "error", "-show_entries",
			       "frame=width,height", "-of", "csv=p=0", "-o", csv, stream, NULL };
	unsigned int w, h;
	size_t used = 0;
	FILE *f;

	snprintf(csv, sizeof(csv), "%s/sizes.csv", kc_dir());
	kc_run_or_die("ffprobe", env, argv, 120);
	f = fopen(csv, "re");
	KT_ASSERT(f, "%s: %s", csv, strerror(errno));
	sizes[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char size[32];

		if (sscanf(line, "%u,%u", &w, &h) != 2)
			continue;
		snprintf(size, sizeof(size), "%ux%u", w, h);
		if (!strcmp(size, last))
			continue;
		snprintf(last, sizeof(last), "%s", size);
		used += (size_t)snprintf(sizes + used, used < len ? len - used : 0, "%s%s",
					 used ? " " : "", size);
	}
	fclose(f);
}

#define KC_REPLUG_TIMEOUT	"/sys/module/kmscap/parameters/replug_timeout_ms"

/* Set the module's replug_timeout_ms. */
static void kc_replug_timeout(unsigned int ms)
{
	char text[16];

	snprintf(text, sizeof(text), "%u\n", ms);
	kc_write_file(KC_REPLUG_TIMEOUT, text);
}

void kc_mode_change(struct kc_display *d, struct kc_proc *comp, uint32_t w, uint32_t h)
{
	static const char *const stats[] = { "--stats", NULL };
	char out[160], want[64], sizes[256];
	uint64_t end, n = 0, encoded;
	struct kmscap_event ev = { 0 };
	struct kc_stream_cmd c;
	struct kc_proc ks;
	int r, st;

	snprintf(out, sizeof(out), "%s/mode.h264", kc_dir());
	kc_stream_cmd(&c, d, out, stats);

	/* kmscap-stream encodes the frame on screen at attach, then waits */
	kc_start(&ks, "kmscap-stream-mode", 0, c.env, c.argv, -1);
	kc_stream_wait(&ks, "encoded", 1, 120);
	encoded = kc_stream_counter(&ks, "encoded");

	/*
	 * Under emulation (and KASAN) udevd and the compositor may take longer
	 * than the default second to look: the replug must wait for them.
	 */
	kc_replug_timeout(10000);
	kmscap_t_log("display %u: replacing the monitor with a %ux%u one", d->id, w, h);
	r = kmscap_t_config(d->ctl, d->id, KMSCAP_CONFIG_MODE | KMSCAP_CONFIG_REPLUG, w, h,
			    60000);
	kc_replug_timeout(1000);
	KT_ASSERT(!r, "display %u: CONFIG MODE|REPLUG %ux%u: %s", d->id, w, h,
		  kmscap_t_errname(r));

	end = kmscap_t_now_ns() + 120 * 1000000000ull;
	for (;;) {
		kc_alive_or_die(comp, "after the monitor was replaced");
		kc_alive_or_die(&ks, "after the monitor was replaced");
		if (kc_next_frame(d, &ev)) {
			bool done = ev.buffer_id && ev.src_w == w && ev.src_h == h &&
				    ev.mode_width == w && ev.mode_height == h;

			n++;
			kc_release_frame(d, &ev);
			if (done)
				break;
		}
		if (kmscap_t_now_ns() > end) {
			kc_show_log(comp, 40);
			kmscap_t_fail("display %u: no %ux%u frame in 120 s after the monitor was "
				      "replaced (%llu frames read, the last %ux%u, mode %ux%u)",
				      d->id, w, h, (unsigned long long)n, ev.src_w, ev.src_h,
				      ev.mode_width, ev.mode_height);
		}
	}
	kmscap_t_log("the compositor shows a %ux%u frame %llu frames after the replug", w, h,
		     (unsigned long long)n);

	/* kmscap-stream follows: it has encoded a frame of the new mode */
	kc_stream_wait(&ks, "mode_changes", 1, 60);
	kc_stream_wait(&ks, "encoded", encoded + 1, 60);
	st = kc_stop(&ks, SIGTERM);
	if (st) {
		kc_show_log(&ks, 30);
		kmscap_t_fail("kmscap-stream ended with status %d after SIGTERM", st);
	}
	kc_stream_sizes(out, sizes, sizeof(sizes));
	snprintf(want, sizeof(want), "%ux%u %ux%u", KC_W, KC_H, w, h);
	KT_ASSERT(!strcmp(sizes, want),
		  "the one stream %s decodes as pictures of %s, expected %s (no restart)", out,
		  sizes, want);
	kmscap_t_log("kmscap-stream went on through the replug: %s decodes as %s", out, sizes);
}
