/* SPDX-License-Identifier: MIT */
/*
 * Check runner results as TAP, shared by the host test suites that run
 * their own Check runner (tests/stream, tests/vadriver).
 *
 * A test that ends with ck_abort_msg(KMSCAP_CHECK_SKIP_PREFIX "reason") is
 * reported "ok N - suite: name # SKIP reason".
 */
#ifndef KMSCAP_CHECK_TAP_H
#define KMSCAP_CHECK_TAP_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KMSCAP_CHECK_SKIP_PREFIX "SKIP: "

/**
 * kmscap_check_tap() - run @sr and write one TAP line per test to @path
 * @sr: the runner, with its suites added
 * @suite: name put before every test name, also in the summary line
 * @path: TAP file to write
 *
 * Prints SKIP and FAIL lines and "suite: N passed, N failed, N skipped".
 *
 * Return: the exit status for main(): 0 when nothing failed, else 1.
 */
static inline int kmscap_check_tap(SRunner *sr, const char *suite, const char *path)
{
	size_t plen = strlen(KMSCAP_CHECK_SKIP_PREFIX);
	int n, i, failed = 0, passed = 0, skipped = 0;
	TestResult **res;
	FILE *tap;

	srunner_run_all(sr, CK_SILENT);
	tap = fopen(path, "w");
	if (!tap) {
		perror(path);
		srunner_free(sr);
		return 1;
	}
	n = srunner_ntests_run(sr);
	res = srunner_results(sr);
	fprintf(tap, "1..%d\n", n);
	for (i = 0; i < n; i++) {
		const char *msg = tr_msg(res[i]);
		const char *name = tr_tcname(res[i]);

		if (tr_rtype(res[i]) == CK_PASS) {
			fprintf(tap, "ok %d - %s: %s\n", i + 1, suite, name);
			passed++;
		} else if (tr_rtype(res[i]) == CK_FAILURE && msg &&
			   !strncmp(msg, KMSCAP_CHECK_SKIP_PREFIX, plen)) {
			fprintf(tap, "ok %d - %s: %s # SKIP %s\n", i + 1, suite, name, msg + plen);
			printf("SKIP: %s: %s\n", name, msg + plen);
			skipped++;
		} else {
			fprintf(tap, "not ok %d - %s: %s\n", i + 1, suite, name);
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
	printf("%s: %d passed, %d failed, %d skipped\n", suite, passed, failed, skipped);
	return failed ? 1 : 0;
}

#endif /* KMSCAP_CHECK_TAP_H */
