// SPDX-License-Identifier: MIT
/*
 * Latency percentiles over the sliding window, against a reference
 * computed here by sorting the window's samples, and the report format.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ks_test.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Reference: nearest rank, from the definition (smallest v with >= p% <= v). */
static uint64_t ref_pct(const uint64_t *win, size_t n, unsigned int pct)
{
	uint64_t *s = malloc(n * sizeof(*s));
	uint64_t v = 0;
	size_t i;

	ck_assert_ptr_nonnull(s);
	memcpy(s, win, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_u64);
	for (i = 0; i < n; i++) {
		/* (i + 1) / n >= pct / 100 */
		if ((i + 1) * 100 >= (size_t)pct * n) {
			v = s[i];
			break;
		}
	}
	free(s);
	return v;
}

START_TEST(latency_empty_and_single)
{
	struct ks_latency l;

	ks_latency_init(&l, 16);
	ck_assert_uint_eq(ks_latency_pct(&l, 50), 0);
	ks_latency_add(&l, 1234);
	ck_assert_uint_eq(ks_latency_pct(&l, 1), 1234);
	ck_assert_uint_eq(ks_latency_pct(&l, 50), 1234);
	ck_assert_uint_eq(ks_latency_pct(&l, 99), 1234);
	ck_assert_uint_eq(ks_latency_pct(&l, 100), 1234);
}
END_TEST

START_TEST(latency_small_known)
{
	struct ks_latency l;
	unsigned int i;

	/* 1..10: p50 = 5, p90 = 9, p99 = 10, p10 = 1 */
	ks_latency_init(&l, 100);
	for (i = 10; i >= 1; i--)
		ks_latency_add(&l, i);
	ck_assert_uint_eq(ks_latency_pct(&l, 50), 5);
	ck_assert_uint_eq(ks_latency_pct(&l, 90), 9);
	ck_assert_uint_eq(ks_latency_pct(&l, 99), 10);
	ck_assert_uint_eq(ks_latency_pct(&l, 10), 1);
}
END_TEST

/* Random streams through windows of several sizes; compare at every step. */
START_TEST(latency_sliding_random)
{
	static const size_t windows[] = { 1, 2, 7, 64, 100, KS_LAT_WINDOW };
	size_t window = windows[_i % 6];
	uint64_t rng = 77 + (uint64_t)_i, *all;
	struct ks_latency l;
	size_t n = 3 * KS_LAT_WINDOW, i, lo;

	all = malloc(n * sizeof(*all));
	ck_assert_ptr_nonnull(all);
	ks_latency_init(&l, window);
	for (i = 0; i < n; i++) {
		/* heavy tail: mostly 1-20 ms, some up to 1 s, many duplicates */
		uint64_t r = ks_rand(&rng);

		all[i] = r % 10 ? 1000000 + r % 19000000 : r % 1000000000;
		if (r % 7 == 0)
			all[i] = 5000000;
		ks_latency_add(&l, all[i]);
		if (i % 37 && i != n - 1)
			continue;
		lo = i + 1 > window ? i + 1 - window : 0;
		ck_assert_uint_eq(ks_latency_pct(&l, 50), ref_pct(all + lo, i + 1 - lo, 50));
		ck_assert_uint_eq(ks_latency_pct(&l, 99), ref_pct(all + lo, i + 1 - lo, 99));
	}
	free(all);
}
END_TEST

static void fill_stats(struct ks_stats *s)
{
	ks_stats_init(s, 1000000000ull);
	s->total.frames_in = 120;
	s->total.encoded = 100;
	s->total.skipped = 15;
	s->total.dropped = 5;
	s->total.torn = 4;
	s->total.idr = 2;
	s->total.bytes_out = 250000;
	s->total.released = 120;
	s->total.idr_requests = 3;
	s->total.ctl_ignored = 7;
	ks_latency_add(&s->lat, 4000000);
	ks_latency_add(&s->lat, 6000000);
	ks_latency_add(&s->lat, 16500000);
}

START_TEST(stats_text_final)
{
	struct ks_stats s;
	char line[1024], want[1024];
	int n;

	fill_stats(&s);
	/* 2 s run: 60 fps in, 50 fps out, 250000 B * 8 / 2 s = 1000 kbit/s */
	n = ks_stats_format(&s, 3000000000ull, true, false, line, sizeof(line));
	snprintf(want, sizeof(want),
		 "summary 2.000s: in 60.00 fps, out 50.00 fps, 1000.00 kbit/s, "
		 "latency p50 6.000 ms p99 16.500 ms, frames 120 encoded 100 skipped 15 "
		 "repeated 0 dropped 5 torn 4 blank 0 idr 2 idr_requests 3 control_ignored 7");
	ck_assert_str_eq(line, want);
	ck_assert_int_eq(n, (int)strlen(want));
}
END_TEST

START_TEST(stats_json_interval)
{
	struct ks_stats s;
	char line[1024], want[1024];

	fill_stats(&s);
	ks_stats_mark(&s, 2000000000ull);
	s.total.frames_in += 30;
	s.total.encoded += 29;
	s.total.bytes_out += 12345;
	/*
	 * 5.001 ms over 2 imports, 6 ms over 4 conversions, 6.000999 ms over
	 * 3 encodes: us, rounded down
	 */
	s.total.imports = 2;
	s.total.import_ns = 5001000;
	s.total.converts = 4;
	s.total.convert_ns = 6000000;
	s.total.encodes = 3;
	s.total.encode_ns = 6000999;
	s.total.idr_requests += 2;
	s.total.stale_releases = 3;
	/* interval of 0.5 s: 60 fps in, 58 out, 12345*8/0.5 = 197520 bit/s */
	ck_assert_int_gt(ks_stats_format(&s, 2500000000ull, false, true, line, sizeof(line)), 0);
	snprintf(want, sizeof(want),
		 "{\"type\":\"stats\",\"time_s\":0.500,\"fps_in\":60.00,\"fps_out\":58.00,"
		 "\"kbps\":197.52,\"latency_p50_us\":6000,\"latency_p99_us\":16500,"
		 "\"frames_in\":150,\"encoded\":129,\"skipped\":15,\"repeated\":0,"
		 "\"dropped\":5,\"torn\":4,\"blank\":0,\"idr\":2,\"bytes\":262345,\"released\":120,"
		 "\"mode_changes\":0,\"imports\":2,\"import_avg_us\":2500,"
		 "\"convert_avg_us\":1500,\"encode_avg_us\":2000,\"idr_requests\":5,"
		 "\"control_ignored\":7,\"flip_done\":0,\"flip_coded\":0,"
		 "\"flip_coded_p50_us\":0,\"flip_coded_p99_us\":0,\"stale_releases\":3}");
	ck_assert_str_eq(line, want);
}
END_TEST

/*
 * Flip-done -> coded: a sample when both times of a frame are known,
 * whichever comes first; 0 for a frame coded before its flip completed;
 * only a frame's first coded time; an encode thread's coded times merged;
 * a slot taken by a newer frame forgets the older one.
 */
START_TEST(stats_flip_done)
{
	struct ks_stats s, job;
	char line[1024];

	ks_stats_init(&s, 0);
	/* frame 1: flip done at 10 ms, coded at 14 ms, then re-coded at 40 ms */
	ks_stats_flip_done(&s, 1, 10000000);
	ck_assert_uint_eq(s.total.flip_coded, 0);
	ks_stats_coded(&s, 1, 14000000);
	ks_stats_coded(&s, 1, 40000000);
	/* frame 2: coded at 20 ms, before its flip completed at 26 ms: 0 */
	ks_stats_coded(&s, 2, 20000000);
	ks_stats_flip_done(&s, 2, 26000000);
	/* frame 3, from an encode thread: coded at 45 ms, flip done at 36 ms */
	ks_stats_flip_done(&s, 3, 36000000);
	ks_stats_init(&job, 0);
	ks_stats_coded(&job, 3, 45000000);
	ck_assert_uint_eq(job.total.flip_coded, 0);
	ks_stats_merge_coded(&s, &job);
	/* frame 4's flip-done is forgotten when frame 4 + KS_FLIP_SLOTS takes its slot */
	ks_stats_flip_done(&s, 4, 50000000);
	ks_stats_coded(&s, 4 + KS_FLIP_SLOTS, 60000000);
	ks_stats_coded(&s, 4, 70000000);
	ck_assert_uint_eq(s.total.flip_done, 4);
	ck_assert_uint_eq(s.total.flip_coded, 3);
	ck_assert_uint_eq(s.flip_lat.count, 3);
	ck_assert_uint_eq(ks_latency_pct(&s.flip_lat, 1), 0);
	ck_assert_uint_eq(ks_latency_pct(&s.flip_lat, 50), 4000000);
	ck_assert_uint_eq(ks_latency_pct(&s.flip_lat, 99), 9000000);

	ck_assert_int_gt(ks_stats_format(&s, 1000000000ull, true, false, line, sizeof(line)), 0);
	ck_assert_ptr_nonnull(strstr(line, ", flip-done->coded p50 4.000 ms p99 9.000 ms"));
	ck_assert_int_gt(ks_stats_format(&s, 1000000000ull, true, true, line, sizeof(line)), 0);
	ck_assert_ptr_nonnull(strstr(line, "\"flip_done\":4,\"flip_coded\":3,"
				     "\"flip_coded_p50_us\":4000,\"flip_coded_p99_us\":9000,"));
}
END_TEST

START_TEST(stats_too_small)
{
	struct ks_stats s;
	char line[16];

	fill_stats(&s);
	ck_assert_int_eq(ks_stats_format(&s, 3000000000ull, true, true, line, sizeof(line)),
			 -ENOSPC);
}
END_TEST

Suite *ks_suite_stats(void)
{
	Suite *s = suite_create("stats");
	TCase *tc;

	KS_ADD(s, latency_empty_and_single);
	KS_ADD(s, latency_small_known);
	tc = tcase_create("latency_sliding_random");
	tcase_add_loop_test(tc, latency_sliding_random, 0, 12);
	suite_add_tcase(s, tc);
	KS_ADD(s, stats_text_final);
	KS_ADD(s, stats_json_interval);
	KS_ADD(s, stats_flip_done);
	KS_ADD(s, stats_too_small);
	return s;
}
