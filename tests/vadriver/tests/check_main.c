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

int main(void)
{
	const char *tap_path = getenv("KMSCAP_VA_TAP");
	int n, i, failed = 0, passed = 0, skipped = 0;
	SRunner *sr;
	TestResult **res;
	FILE *tap;

	sr = srunner_create(kmscap_vat_suite_query());
	srunner_add_suite(sr, kmscap_vat_suite_surface());
	srunner_add_suite(sr, kmscap_vat_suite_import());
	srunner_add_suite(sr, kmscap_vat_suite_vpp());
	srunner_add_suite(sr, kmscap_vat_suite_encode());
	srunner_add_suite(sr, kmscap_vat_suite_validate());
	srunner_add_suite(sr, kmscap_vat_suite_validate_objects());
	srunner_add_suite(sr, kmscap_vat_suite_ffmpeg());
	srunner_run_all(sr, CK_SILENT);

	tap = fopen(tap_path ? tap_path : "vadriver.tap", "w");
	if (!tap) {
		perror(tap_path ? tap_path : "vadriver.tap");
		return 1;
	}
	n = srunner_ntests_run(sr);
	res = srunner_results(sr);
	fprintf(tap, "1..%d\n", n);
	for (i = 0; i < n; i++) {
		const char *msg = tr_msg(res[i]);
		const char *name = tr_tcname(res[i]);
		size_t plen = strlen(KMSCAP_VAT_SKIP_PREFIX);

		if (tr_rtype(res[i]) == CK_PASS) {
			fprintf(tap, "ok %d - vadriver: %s\n", i + 1, name);
			passed++;
		} else if (tr_rtype(res[i]) == CK_FAILURE && msg &&
			   !strncmp(msg, KMSCAP_VAT_SKIP_PREFIX, plen)) {
			fprintf(tap, "ok %d - vadriver: %s # SKIP %s\n", i + 1, name, msg + plen);
			printf("SKIP: %s: %s\n", name, msg + plen);
			skipped++;
		} else {
			fprintf(tap, "not ok %d - vadriver: %s\n", i + 1, name);
			fprintf(tap, "# %s:%d: %s\n", tr_lfile(res[i]), tr_lno(res[i]),
				msg ? msg : "");
			printf("FAIL: %s (%s:%d): %s\n", name, tr_lfile(res[i]), tr_lno(res[i]),
			       msg ? msg : "");
			failed++;
		}
	}
	fclose(tap);
	free(res);
	srunner_free(sr);
	printf("vadriver: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
