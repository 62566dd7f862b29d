/* SPDX-License-Identifier: MIT */
/*
 * libtopproc: kmscap-top as a process kmscap-bench starts and measures
 * (tests/bench/libtopproc.c), for the bench's kmscap-top overhead case.
 */
#ifndef KMSCAP_LIBTOPPROC_H
#define KMSCAP_LIBTOPPROC_H

#include <stdint.h>
#include <sys/types.h>

#include "kmscap_test.h"

/* CPU time of @pid so far in ns (/proc/PID/schedstat), or 0. */
uint64_t kmscap_task_cpu_ns(pid_t pid);
/* Start kmscap-top --json at @top (output into @out); return once it traces. */
pid_t kmscap_top_start(const char *top, const char *out);

#endif
