// SPDX-License-Identifier: MIT
/*
 * Unit tests: kmscap_gamma_identity, which says whether a display's gamma
 * LUT leaves content of a given depth unchanged (kmscapctl gamma and
 * kmscap-stream's notice rely on it).
 */
#include <string.h>

#include "kmscap_check.h"
#include "libkmscap.h"

#define N KMSCAP_GAMMA_SIZE

static struct kmscap_gamma_entry lut[N];

static void fill(uint32_t (*f)(uint32_t i))
{
	uint32_t i;

	memset(lut, 0, sizeof(lut));
	for (i = 0; i < N; i++)
		lut[i].red = lut[i].green = lut[i].blue = f(i);
}

static uint32_t exact(uint32_t i)
{
	return i * 257;
}

static uint32_t shifted(uint32_t i)
{
	return i << 8;
}

static uint32_t inverted(uint32_t i)
{
	return 65535 - i * 257;
}

START_TEST(test_exact_ramp)
{
	fill(exact);
	ck_assert_int_eq(kmscap_gamma_identity(lut, N, 8), 1);
	ck_assert_int_eq(kmscap_gamma_identity(lut, N, 10), 1);
	ck_assert_int_eq(kmscap_gamma_identity(lut, N, 16), 1);
}
END_TEST

/* modetest's ramp: one 8-bit step off at the top, not 10-bit exact. */
START_TEST(test_shifted_ramp)
{
	fill(shifted);
	ck_assert_int_eq(kmscap_gamma_identity(lut, N, 8), 1);
	ck_assert_int_eq(kmscap_gamma_identity(lut, N, 10), 0);
}
END_TEST

START_TEST(test_not_identity)
{
	fill(inverted);
	ck_assert_int_eq(kmscap_gamma_identity(lut, N, 8), 0);
	/* one channel of one entry a whole 8-bit step off */
	fill(exact);
	lut[100].green += 256;
	ck_assert_int_eq(kmscap_gamma_identity(lut, N, 8), 0);
	lut[100].green -= 1;
	ck_assert_int_eq(kmscap_gamma_identity(lut, N, 8), 1);
	lut[0].blue = 300;
	ck_assert_int_eq(kmscap_gamma_identity(lut, N, 8), 0);
}
END_TEST

START_TEST(test_edges)
{
	fill(exact);
	ck_assert_int_eq(kmscap_gamma_identity(NULL, 0, 8), 1);
	ck_assert_int_eq(kmscap_gamma_identity(lut, 0, 8), 1);
	ck_assert_int_eq(kmscap_gamma_identity(lut, 1, 8), 0);
	ck_assert_int_eq(kmscap_gamma_identity(NULL, N, 8), 0);
	/* out-of-range depths are judged at full precision */
	lut[3].red += 1;
	ck_assert_int_eq(kmscap_gamma_identity(lut, N, 0), 0);
	ck_assert_int_eq(kmscap_gamma_identity(lut, N, 17), 0);
	ck_assert_int_eq(kmscap_gamma_identity(lut, N, 8), 1);
}
END_TEST

static Suite *gamma_suite(void)
{
	Suite *s = suite_create("gamma");
	TCase *tc = tcase_create("identity");

	tcase_add_test(tc, test_exact_ramp);
	tcase_add_test(tc, test_shifted_ramp);
	tcase_add_test(tc, test_not_identity);
	tcase_add_test(tc, test_edges);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kmscap_run_suite(gamma_suite());
}
