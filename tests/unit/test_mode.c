// SPDX-License-Identifier: MIT
/*
 * Unit tests: mode string parsing and formatting.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kmscap_check.h"
#include "libkmscap.h"

struct good_mode {
	const char *s;
	uint32_t w, h, mhz;
};

static const struct good_mode good_modes[] = {
	{ "1920x1080@60", 1920, 1080, 60000 },
	{ "2560x1440@143.912", 2560, 1440, 143912 },
	{ "1920x1080@59.94", 1920, 1080, 59940 },
	{ "1280x720@59.940", 1280, 720, 59940 },
	{ "1920x1080", 1920, 1080, 60000 },
	{ "3840x2160@29.97", 3840, 2160, 29970 },
	{ "800x600@75.5", 800, 600, 75500 },
	{ "640x480@0060.001", 640, 480, 60001 },
	{ "1024X768@30", 1024, 768, 30000 },
	{ "064x0064", 64, 64, 60000 },
	/* boundaries */
	{ "64x64@60", 64, 64, 60000 },
	{ "8192x8192@60", 8192, 8192, 60000 },
	{ "64x8192", 64, 8192, 60000 },
	{ "8192x64", 8192, 64, 60000 },
	{ "1920x1080@1", 1920, 1080, 1000 },
	{ "1920x1080@1.000", 1920, 1080, 1000 },
	{ "1920x1080@500", 1920, 1080, 500000 },
	{ "1920x1080@500.000", 1920, 1080, 500000 },
	{ "1920x1080@499.999", 1920, 1080, 499999 },
};

START_TEST(test_parse_valid)
{
	const struct good_mode *m = &good_modes[_i];
	uint32_t w = 1, h = 2, mhz = 3;
	const char *why = "unset";

	ck_assert_int_eq(kmscap_parse_mode_why(m->s, &w, &h, &mhz, &why), 0);
	ck_assert_msg(w == m->w && h == m->h && mhz == m->mhz,
		      "'%s' parsed as %ux%u@%u mHz, expected %ux%u@%u", m->s, w, h, mhz,
		      m->w, m->h, m->mhz);
	ck_assert_ptr_null(why);
	/* the plain variant agrees */
	w = h = mhz = 0;
	ck_assert_int_eq(kmscap_parse_mode(m->s, &w, &h, &mhz), 0);
	ck_assert_uint_eq(w, m->w);
	ck_assert_uint_eq(h, m->h);
	ck_assert_uint_eq(mhz, m->mhz);
}
END_TEST

struct bad_mode {
	const char *s;
	int err;
	const char *why_has;	/* a word the reason must contain */
};

static const struct bad_mode bad_modes[] = {
	/* 0x0 and out-of-range sizes */
	{ "0x0", -ERANGE, "64..8192" },
	{ "0x0@60", -ERANGE, "64..8192" },
	{ "63x64", -ERANGE, "width" },
	{ "64x63", -ERANGE, "height" },
	{ "8193x1080", -ERANGE, "width" },
	{ "1920x8193", -ERANGE, "height" },
	{ "0x1080", -ERANGE, "width" },
	/* refresh rate out of range */
	{ "1920x1080@0", -ERANGE, "1..500" },
	{ "1920x1080@0.999", -ERANGE, "1..500" },
	{ "1920x1080@0.001", -ERANGE, "1..500" },
	{ "1920x1080@500.001", -ERANGE, "1..500" },
	{ "1920x1080@501", -ERANGE, "1..500" },
	{ "1920x1080@4294967", -ERANGE, "1..500" },
	/* overflow */
	{ "4294967296x1080", -ERANGE, "width" },
	{ "99999999999999999999x1080", -ERANGE, "width" },
	{ "1920x4294967297", -ERANGE, "height" },
	{ "1920x18446744073709551617", -ERANGE, "height" },
	{ "1920x1080@4294967.296", -ERANGE, "1..500" },
	{ "1920x1080@99999999999999999999", -ERANGE, "refresh" },
	{ "4294969856x1080", -ERANGE, "width" },	/* 2^32 + 2560: wraps to 2560 */
	/* junk */
	{ "", -EINVAL, "empty" },
	{ "x", -EINVAL, "WIDTH" },
	{ "1920", -EINVAL, "WIDTH" },
	{ "1920x", -EINVAL, "height" },
	{ "x1080", -EINVAL, "WIDTH" },
	{ "1920x1080@", -EINVAL, "refresh" },
	{ "1920x1080@60.", -EINVAL, "digits" },
	{ "1920x1080@.5", -EINVAL, "refresh" },
	{ "1920x1080@60Hz", -EINVAL, "refresh" },
	{ "1920x1080@60.1234", -EINVAL, "3 decimals" },
	{ "1920x1080@60.5.5", -EINVAL, "refresh" },
	{ "1920x1080@60@60", -EINVAL, "refresh" },
	{ " 1920x1080", -EINVAL, "WIDTH" },
	{ "1920x1080 ", -EINVAL, "height" },
	{ "-1920x1080", -EINVAL, "WIDTH" },
	{ "+1920x1080", -EINVAL, "WIDTH" },
	{ "1920x-1080", -EINVAL, "height" },
	{ "1920x+1080", -EINVAL, "height" },
	{ "1920x1080@-60", -EINVAL, "refresh" },
	{ "1920x1080@+60", -EINVAL, "refresh" },
	{ "1920*1080", -EINVAL, "WIDTH" },
	{ "1920xx1080", -EINVAL, "height" },
	{ "0x1920x1080", -EINVAL, "height" },
	{ "1920x1080@60,5", -EINVAL, "refresh" },
	{ "1e3x1080", -EINVAL, "WIDTH" },
};

START_TEST(test_parse_invalid)
{
	const struct bad_mode *m = &bad_modes[_i];
	uint32_t w = 11, h = 22, mhz = 33;
	const char *why = NULL;
	int ret;

	ret = kmscap_parse_mode_why(m->s, &w, &h, &mhz, &why);
	ck_assert_msg(ret == m->err, "'%s': got %d, expected %d", m->s, ret, m->err);
	ck_assert_msg(why && strstr(why, m->why_has),
		      "'%s': reason '%s' does not mention '%s'", m->s, why ? why : "(null)",
		      m->why_has);
	/* nothing is written on failure */
	ck_assert_uint_eq(w, 11);
	ck_assert_uint_eq(h, 22);
	ck_assert_uint_eq(mhz, 33);
	ck_assert_int_eq(kmscap_parse_mode(m->s, &w, &h, &mhz), m->err);
}
END_TEST

START_TEST(test_parse_null)
{
	uint32_t w, h, mhz;

	ck_assert_int_eq(kmscap_parse_mode(NULL, &w, &h, &mhz), -EINVAL);
	/* NULL outputs only validate */
	ck_assert_int_eq(kmscap_parse_mode("1920x1080@60", NULL, NULL, NULL), 0);
	ck_assert_int_eq(kmscap_parse_mode("0x0", NULL, NULL, NULL), -ERANGE);
}
END_TEST

/*
 * Every refresh rate with three decimals from 1.000 to 500.000 Hz parses
 * to exactly hz * 1000 + frac: a float-based parser gets some wrong
 * (e.g. 143.912 * 1000 = 143911.99...).
 */
START_TEST(test_parse_exact_all_refresh)
{
	char s[64];
	uint32_t hz, frac, w, h, mhz;

	for (hz = 1; hz <= 500; hz++) {
		for (frac = 0; frac < 1000; frac++) {
			if (hz == 500 && frac)
				break;
			snprintf(s, sizeof(s), "1920x1080@%u.%03u", hz, frac);
			/* plain if: a ck_assert per iteration is slow */
			if (kmscap_parse_mode(s, &w, &h, &mhz))
				ck_abort_msg("'%s' was rejected", s);
			if (mhz != hz * 1000 + frac)
				ck_abort_msg("'%s' gave %u mHz", s, mhz);
		}
	}
}
END_TEST

START_TEST(test_format_known)
{
	char buf[KMSCAP_MODE_STRLEN];

	ck_assert_int_eq(kmscap_format_mode(buf, sizeof(buf), 2560, 1440, 143912), 17);
	ck_assert_str_eq(buf, "2560x1440@143.912");
	kmscap_format_mode(buf, sizeof(buf), 1920, 1080, 60000);
	ck_assert_str_eq(buf, "1920x1080@60");
	kmscap_format_mode(buf, sizeof(buf), 1920, 1080, 59940);
	ck_assert_str_eq(buf, "1920x1080@59.94");
	kmscap_format_mode(buf, sizeof(buf), 800, 600, 75500);
	ck_assert_str_eq(buf, "800x600@75.5");
	kmscap_format_mode(buf, sizeof(buf), 64, 64, 1001);
	ck_assert_str_eq(buf, "64x64@1.001");
	kmscap_format_mode(buf, sizeof(buf), 64, 64, 1010);
	ck_assert_str_eq(buf, "64x64@1.01");
	/* the longest possible string fits KMSCAP_MODE_STRLEN */
	ck_assert_int_gt(kmscap_format_mode(buf, sizeof(buf), UINT32_MAX, UINT32_MAX, 999999),
			 0);
}
END_TEST

START_TEST(test_format_small_buffer)
{
	char buf[32];

	memset(buf, 'z', sizeof(buf));
	/* "1920x1080@60" is 12 characters: needs 13 bytes */
	ck_assert_int_eq(kmscap_format_mode(buf, 12, 1920, 1080, 60000), -ENOSPC);
	ck_assert_int_eq(kmscap_format_mode(buf, 13, 1920, 1080, 60000), 12);
	ck_assert_str_eq(buf, "1920x1080@60");
	ck_assert_int_eq(kmscap_format_mode(NULL, 13, 1920, 1080, 60000), -EINVAL);
}
END_TEST

/* format -> parse gives back the same numbers, for every valid refresh rate */
START_TEST(test_round_trip)
{
	static const uint32_t sizes[][2] = {
		{ 64, 64 }, { 8192, 8192 }, { 1920, 1080 }, { 2560, 1440 }, { 65, 8191 },
	};
	char buf[KMSCAP_MODE_STRLEN];
	uint32_t mhz, w, h, r;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (mhz = KMSCAP_MIN_REFRESH_MHZ; mhz <= KMSCAP_MAX_REFRESH_MHZ;
		     mhz += i ? 7 : 1) {
			if (kmscap_format_mode(buf, sizeof(buf), sizes[i][0], sizes[i][1],
					       mhz) <= 0)
				ck_abort_msg("cannot format %u mHz", mhz);
			if (kmscap_parse_mode(buf, &w, &h, &r))
				ck_abort_msg("'%s' was rejected", buf);
			if (w != sizes[i][0] || h != sizes[i][1] || r != mhz)
				ck_abort_msg("%ux%u@%u mHz -> '%s' -> %ux%u@%u", sizes[i][0],
					     sizes[i][1], mhz, buf, w, h, r);
		}
	}
}
END_TEST

/* parse -> format gives the canonical string */
START_TEST(test_round_trip_string)
{
	static const char *const canon[] = {
		"2560x1440@143.912", "1920x1080@59.94", "64x64@1", "8192x8192@500",
		"1280x720@23.976", "1920x1080@0.5" /* invalid: must not round-trip */,
	};
	char buf[KMSCAP_MODE_STRLEN];
	uint32_t w, h, mhz;
	size_t i;

	for (i = 0; i < sizeof(canon) / sizeof(canon[0]) - 1; i++) {
		ck_assert_int_eq(kmscap_parse_mode(canon[i], &w, &h, &mhz), 0);
		kmscap_format_mode(buf, sizeof(buf), w, h, mhz);
		ck_assert_str_eq(buf, canon[i]);
	}
	ck_assert_int_eq(kmscap_parse_mode(canon[i], &w, &h, &mhz), -ERANGE);
}
END_TEST

static Suite *mode_suite(void)
{
	Suite *s = suite_create("mode");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_valid, 0, sizeof(good_modes) / sizeof(good_modes[0]));
	tcase_add_loop_test(tc, test_parse_invalid, 0, sizeof(bad_modes) / sizeof(bad_modes[0]));
	tcase_add_test(tc, test_parse_null);
	tcase_add_test(tc, test_parse_exact_all_refresh);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, test_format_known);
	tcase_add_test(tc, test_format_small_buffer);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_round_trip_string);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kmscap_run_suite(mode_suite());
}
