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
	int n, i, failed = 0, passed = 0, skipped = 0;
	size_t plen = strlen(KS_SKIP_PREFIX);
	TestResult **res;
	SRunner *sr;
	FILE *tap;

	sr = srunner_create(ks_suite_args());
	srunner_add_suite(sr, ks_suite_annexb());
	srunner_add_suite(sr, ks_suite_ivf());
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
	srunner_run_all(sr, CK_SILENT);

	tap = fopen(tap_path ? tap_path : "stream.tap", "w");
	if (!tap) {
		perror(tap_path ? tap_path : "stream.tap");
		return 1;
	}
	n = srunner_ntests_run(sr);
	res = srunner_results(sr);
	fprintf(tap, "1..%d\n", n);
	for (i = 0; i < n; i++) {
		const char *msg = tr_msg(res[i]);
		const char *name = tr_tcname(res[i]);

		if (tr_rtype(res[i]) == CK_PASS) {
			fprintf(tap, "ok %d - stream: %s\n", i + 1, name);
			passed++;
		} else if (tr_rtype(res[i]) == CK_FAILURE && msg &&
			   !strncmp(msg, KS_SKIP_PREFIX, plen)) {
			fprintf(tap, "ok %d - stream: %s # SKIP %s\n", i + 1, name, msg + plen);
			printf("SKIP: %s: %s\n", name, msg + plen);
			skipped++;
		} else {
			fprintf(tap, "not ok %d - stream: %s\n", i + 1, name);
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
	printf("stream: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
