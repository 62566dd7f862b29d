// SPDX-License-Identifier: MIT
/* kmscap-stream: entry point (the pipeline follows in the next increment). */
#include <stdio.h>

#include "ks.h"

int main(int argc, char **argv)
{
	struct ks_args a;
	char err[256];

	ks_args_init(&a);
	if (ks_args_parse(&a, argc, argv, err, sizeof(err))) {
		fprintf(stderr, KS_PROG ": %s\n", err);
		return KS_EXIT_USAGE;
	}
	if (a.help) {
		ks_args_usage(stdout);
		return 0;
	}
	fprintf(stderr, KS_PROG ": not implemented yet\n");
	return KS_EXIT_FAIL;
}
