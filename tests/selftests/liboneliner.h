/* SPDX-License-Identifier: MIT */
/*
 * liboneliner: a workload of known counts for the one-liner selftests
 * (perf_oneliners, bpftrace_oneliners): each runs a tool of
 * Documentation/observability.md around its own program started with
 * "--work FILE", in place of the documented "sleep 10".
 */
#ifndef KMSCAP_LIBONELINER_H
#define KMSCAP_LIBONELINER_H

#include "kmscap_test.h"

/* What the workload did. */
struct kmscap_ol_work {
	unsigned int flips, reads, releases;
	unsigned long long revoked;	/* the stalled client's dropped_timeout */
	unsigned long long hold_waits;	/* the display's debugfs hold_waits */
};

/*
 * The workload: a display; a prompt client reads and releases N_PROMPT
 * flips, then a stalled client (20 ms hold) reads N_STALL flips and
 * releases only the last.  Writes its counts to @file; returns 0.
 */
int kmscap_ol_work(const char *file);
/*
 * Run @cmd with system() (it must exit 0, else the file @output it wrote
 * is logged and the test fails); the counts its workload wrote to @file.
 */
struct kmscap_ol_work kmscap_ol_run(const char *cmd, const char *file, const char *output);
/* Log @path line by line. */
void kmscap_ol_show(const char *path);

#endif
