// SPDX-License-Identifier: MIT
/*
 * check_main.c - runs every suite of the kmscap VA driver tests and writes
 * one TAP line per test case into $KMSCAP_VA_TAP (default
 * build/results/vadriver.tap).  A test that calls kmscap_vat_skip() is
 * reported "ok N - name # SKIP reason"; exit status 1 if any test failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "va_test.h"

/* test_hevc.c */
Suite *kmscap_vat_suite_hevc(void);
Suite *kmscap_vat_suite_hevc_validate(void);
Suite *kmscap_vat_suite_av1(void);
/* test_packed_h264.c */
Suite *kmscap_vat_suite_packed_h264(void);

int main(void)
{
	const char *tap_path = getenv("KMSCAP_VA_TAP");
	SRunner *sr;

	sr = srunner_create(kmscap_vat_suite_query());
	srunner_add_suite(sr, kmscap_vat_suite_surface());
	srunner_add_suite(sr, kmscap_vat_suite_import());
	srunner_add_suite(sr, kmscap_vat_suite_vpp());
	srunner_add_suite(sr, kmscap_vat_suite_vpp_rows());
	srunner_add_suite(sr, kmscap_vat_suite_tiling());
	srunner_add_suite(sr, kmscap_vat_suite_encode());
	srunner_add_suite(sr, kmscap_vat_suite_validate());
	srunner_add_suite(sr, kmscap_vat_suite_validate_objects());
	srunner_add_suite(sr, kmscap_vat_suite_ffmpeg());
	srunner_add_suite(sr, kmscap_vat_suite_hevc());
	srunner_add_suite(sr, kmscap_vat_suite_hevc_validate());
	srunner_add_suite(sr, kmscap_vat_suite_av1());
	srunner_add_suite(sr, kmscap_vat_suite_packed_h264());
	return kmscap_check_tap(sr, "vadriver", tap_path ? tap_path : "vadriver.tap");
}
