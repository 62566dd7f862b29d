// SPDX-License-Identifier: MIT
/*
 * kmscap-stream tests: runs every suite and writes one TAP line per test
 * into $KS_TAP (default stream.tap).  Exit 1 if any test failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ks_test.h"

const char *ks_test_workdir(void)
{
	const char *d = getenv("KS_TEST_WORKDIR");

	return d && *d ? d : "/tmp";
}

const char *ks_test_bin(void)
{
	const char *b = getenv("KS_STREAM_BIN");

	return b && *b ? b : "kmscap-stream";
}

int main(int argc, char **argv)
{
	const char *tap_path = getenv("KS_TAP");
	SRunner *sr;

	sr = srunner_create(ks_suite_args());
	srunner_add_suite(sr, ks_suite_annexb());
	srunner_add_suite(sr, ks_suite_ivf());
	srunner_add_suite(sr, ks_suite_headers());
	srunner_add_suite(sr, ks_suite_stats());
	srunner_add_suite(sr, ks_suite_import_cache());
	srunner_add_suite(sr, ks_suite_loop());
	srunner_add_suite(sr, ks_suite_cursor());
	srunner_add_suite(sr, ks_suite_vapipe());
	srunner_add_suite(sr, ks_suite_errors());
	/* the end-to-end checks belong to "make vm-check" (stream-e2e.tap) */
	if (getenv("KS_E2E_DIR"))
		srunner_add_suite(sr, ks_suite_e2e());
	/* "stream_check NAME": only the test NAME (for debugging) */
	if (argc > 1)
		setenv("CK_RUN_CASE", argv[1], 1);
	return kmscap_check_tap(sr, "stream", tap_path ? tap_path : "stream.tap");
}
