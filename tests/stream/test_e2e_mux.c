// SPDX-License-Identifier: MIT
/*
 * Host half of the e2e scenario "mux" (vm/stream_e2e.c): kmscap-stream
 * --format matroska recorded pictures flipped with pauses and two idle
 * cursor-only commits, and got SIGTERM 1.5 s after the last flip.  Each
 * picture's presentation time must be its flip time as a second capture
 * client saw it, rebased to the first, within one tick (1 ms); the idle
 * frames are not in the file; the recording ends with the last picture
 * at the end of the capture, which lies between the SIGTERM and the
 * helper's exit, and lasts from the first flip to that end.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ks_test.h"
#include "vapipe_fixture.h"

#define MUX_MAX 16

START_TEST(e2e_mux)
{
	const char *dir = e2e_dir();
	unsigned long long flip[MUX_MAX], kill_ns, exit_ns, first, end;
	unsigned int nflips = 0, pictures = 0, idle = 0, i, n, keys;
	long long den, pts[MUX_MAX], want, packets;
	char path[700], *txt, *log, *line, *save = NULL;
	int status, is_idle;
	double dur;

	need_ffmpeg();
	snprintf(path, sizeof(path), "%s/mux/e2e.txt", dir);
	txt = ks_test_read_file(path, NULL);
	ck_assert_msg(sscanf(txt, "kill %llu\nexit %llu\nstatus %d", &kill_ns, &exit_ns,
			     &status) == 3, "%s: %s", path, txt);
	free(txt);
	snprintf(path, sizeof(path), "%s/mux/stream.log", dir);
	log = ks_test_read_file(path, NULL);
	ck_assert_msg(status == 0, "kmscap-stream exited with %d:\n%s", status, log);
	/* the pictures' flip times; the idle commits must have been idle */
	snprintf(path, sizeof(path), "%s/mux/flips.txt", dir);
	txt = ks_test_read_file(path, NULL);
	for (line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ck_assert_uint_lt(nflips, MUX_MAX);
		ck_assert_msg(sscanf(line, "flip %llu %d", &flip[pictures], &is_idle) == 2,
			      "%s: %s", path, line);
		nflips++;
		if (is_idle)
			idle++;
		else
			pictures++;
	}
	free(txt);
	ck_assert_uint_eq(nflips, 8);
	ck_assert_msg(idle == 2, "%u of the 2 cursor-only commits were idle", idle);
	ck_assert_int_eq(json_line_field(log, "summary", "skipped"), 2);
	first = (unsigned long long)json_line_field(log, "mux", "first_ns");
	end = (unsigned long long)json_line_field(log, "mux", "end_ns");
	packets = json_line_field(log, "mux", "packets");
	free(log);
	ck_assert_uint_eq(first, flip[0]);
	/* the end of the capture: after the SIGTERM, before the exit */
	ck_assert_msg(kill_ns <= end && end <= exit_ns, "end %llu outside [%llu, %llu]", end,
		      kill_ns, exit_ns);
	ck_assert_int_eq(packets, pictures + 1);

	snprintf(path, sizeof(path), "%s/mux/e2e.mkv", dir);
	n = ks_probe_packets(path, &den, pts, MUX_MAX, &keys);
	ck_assert_int_eq(den, 1000);
	ck_assert_uint_eq(n, pictures + 1);
	ck_assert_uint_eq(keys, 1);
	flip[pictures] = end;
	for (i = 0; i < n; i++) {
		want = (long long)((flip[i] - first + 500000) / 1000000);
		ck_assert_msg(llabs(pts[i] - pts[0] - want) <= 1,
			      "packet %u: pts %lld - %lld ms, flipped %lld ms after the first", i,
			      pts[i], pts[0], want);
	}
	ck_assert_uint_eq(ks_probe_frames(path), n);
	dur = ks_probe_duration(path);
	ck_assert_msg(fabs(dur - (double)(end - first) / 1e9) <= 0.001,
		      "duration %f s, captured %f s", dur, (double)(end - first) / 1e9);
}
END_TEST

void ks_e2e_mux_add(Suite *s)
{
	KS_ADD_T(s, e2e_mux, 120);
}
