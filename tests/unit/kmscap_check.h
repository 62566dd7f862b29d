/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the Check-based unit tests.
 *
 * KMSCAP_SKIP(reason) ends the current test and records it as skipped:
 * the line "name<TAB>reason" goes to $KMSCAP_SKIP_FILE, from which
 * run-unit.sh turns the test's TAP line into "ok N - name # SKIP reason".
 * Check itself has no notion of a skip, so without that file the test
 * only prints "SKIP: ..." on stdout.
 */
#ifndef KMSCAP_CHECK_H
#define KMSCAP_CHECK_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void kmscap_test_skip(const char *func, const char *reason)
{
	const char *path = getenv("KMSCAP_SKIP_FILE");
	size_t n = strlen(func);
	FILE *f;

	/* START_TEST(name) defines name_fn() */
	if (n > 3 && !strcmp(func + n - 3, "_fn"))
		n -= 3;
	printf("SKIP: %.*s: %s\n", (int)n, func, reason);
	fflush(stdout);
	if (!path)
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f, "%.*s\t%s\n", (int)n, func, reason);
	fclose(f);
}

#define KMSCAP_SKIP(reason)					\
	do {							\
		kmscap_test_skip(__func__, (reason));		\
		return;						\
	} while (0)

/* Run @s with Check's normal output; 0 if every test passed, else 1. */
static inline int kmscap_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif /* KMSCAP_CHECK_H */
