/* SPDX-License-Identifier: MIT */
/*
 * Shared definitions of the kmscap-stream Check tests.
 *
 * Each test is its own TCase named after it, so the TAP line names the
 * test.  A test that cannot run calls ks_skip(reason): it ends as a
 * failure whose message starts with "SKIP: ", which check_main.c reports
 * as "ok N - name # SKIP reason".
 */
#ifndef KS_TEST_H
#define KS_TEST_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../check/check_tap.h"
#include "ks.h"

#define KS_SKIP_PREFIX KMSCAP_CHECK_SKIP_PREFIX
#define ks_skip(...) ck_abort_msg(KS_SKIP_PREFIX __VA_ARGS__)

static inline void ks_add_test(Suite *s, const char *name, const TTest *t, int timeout)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout);
	tcase_add_test(tc, t);
	suite_add_tcase(s, tc);
}

/* KS_ADD(suite, test) / KS_ADD_T(suite, test, seconds) */
#define KS_ADD(s, t) ks_add_test((s), #t, t, 30)
#define KS_ADD_T(s, t, secs) ks_add_test((s), #t, t, (secs))

/* Deterministic pseudo-random numbers (xorshift64*), seedable per test. */
static inline uint64_t ks_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* Directory for test files ($KS_TEST_WORKDIR, else /tmp). */
const char *ks_test_workdir(void);
/* Path of the kmscap-stream binary ($KS_STREAM_BIN). */
const char *ks_test_bin(void);

/* Gives the R, G and B of pixel (@x, @y), each from 0 to the picture's maximum. */
typedef void ks_test_rgb_fn(const void *arg, unsigned int x, unsigned int y, double *r,
			    double *g, double *b);
/*
 * The whole file at @path, NUL-terminated (also binary data: *@len, if
 * not NULL, is its size); the test fails if it cannot be read.
 */
char *ks_test_read_file(const char *path, size_t *len);

/*
 * The BT.709 limited-range 4:2:0 picture of @w x @h pixels whose RGB (0 to
 * @max) @rgb gives, from the definition; chroma from the mean of each 2x2
 * block.  @out: NV12 bytes, or with @p010 P010 samples (10-bit value << 6).
 */
void ks_test_yuv420(ks_test_rgb_fn *rgb, const void *arg, unsigned int w, unsigned int h,
		    unsigned int max, bool p010, void *out);

/*
 * Whether the VA driver on @device offers encoding (EncSlice or EncSliceLP)
 * of the VAProfile @profile with @rt_format (a VA_RT_FORMAT_*) (test_vapipe.c).
 */
bool ks_test_va_offers(const char *device, int profile, unsigned int rt_format);

/*
 * ffprobe of the container at @path (test_mux.c), failing the test on any
 * warning: the video stream's time base 1/@den, each packet's pts (at
 * most @max; dts, where there is one, must equal it) and the key frames
 * among them; the frames that decode; the duration in seconds.
 */
unsigned int ks_probe_packets(const char *path, long long *den, long long *pts,
			      unsigned int max, unsigned int *keys);
unsigned int ks_probe_frames(const char *path);
double ks_probe_duration(const char *path);

/* test_e2e.c: $KS_E2E_DIR (skips without it), a field of a JSON line of the helper's log. */
const char *e2e_dir(void);
long long json_line_field(const char *log, const char *type, const char *key);
/* test_e2e_mux.c: the e2e suite's test of the mux scenario */
void ks_e2e_mux_add(Suite *s);
void ks_e2e_syscalls_add(Suite *s);

Suite *ks_suite_args(void);
Suite *ks_suite_annexb(void);
Suite *ks_suite_ivf(void);
Suite *ks_suite_stats(void);
Suite *ks_suite_import_cache(void);
Suite *ks_suite_loop(void);
Suite *ks_suite_ring_read(void);
Suite *ks_suite_ring_release(void);
Suite *ks_suite_cursor(void);
Suite *ks_suite_e2e(void);
Suite *ks_suite_vapipe(void);
Suite *ks_suite_errors(void);
Suite *ks_suite_headers(void);
Suite *ks_suite_conformance(void);
Suite *ks_suite_mux(void);
Suite *ks_suite_tiled(void);
Suite *ks_suite_layering(void);

#endif /* KS_TEST_H */
