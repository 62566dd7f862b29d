// SPDX-License-Identifier: MIT
/*
 * bench_syscalls: kmscap-bench's own count of the system calls per frame
 * is what strace sees.  kmscap-bench runs under strace -f (every call
 * but clock_gettime, the bench's measurement) with "check": 720p only,
 * each case printing its capture thread's id and its count.  For each
 * case the strace lines of that thread between its two getppid() markers
 * must number exactly the bench's count, and kmscap-auto
 * (KMSCAP_ATTACH_AUTO_RELEASE) must make one call per frame, plus one
 * EXPORT per buffer (two buffers); kmscap-auto-poll two (its poll and
 * its read), plus the same EXPORTs.
 * The bench is at KMSCAP_T_BENCH (build/selftests/bench/kmscap-bench),
 * strace at KMSCAP_T_STRACE (/usr/bin/strace): make vm-check puts both
 * into the VM with --extra; the test skips, saying so, without them.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmscap_test.h"

#ifndef KMSCAP_T_BENCH
#define KMSCAP_T_BENCH "/usr/local/lib/kmscap/kmscap-bench"
#endif
#ifndef KMSCAP_T_STRACE
#define KMSCAP_T_STRACE "/usr/bin/strace"
#endif

#define FRAMES "20"
#define OUT "/tmp/bench_syscalls.out"
#define TRACE "/tmp/bench_syscalls.strace"

/* Calls of thread @tid in the strace log between its two getppid() lines; -1 without both. */
static long kmscap_strace_count(int tid)
{
	char line[1024], pfx[32];
	FILE *f = fopen(TRACE, "re");
	int markers = 0;
	long n = 0;
	size_t plen;

	KT_ASSERT(f, "%s: %s", TRACE, strerror(errno));
	plen = (size_t)snprintf(pfx, sizeof(pfx), "%d ", tid);
	while (fgets(line, sizeof(line), f)) {
		const char *call = line + plen;

		if (strncmp(line, pfx, plen))
			continue;
		while (*call == ' ')
			call++;
		if (!strncmp(call, "getppid(", 8)) {
			if (++markers == 2)
				break;
			continue;
		}
		/* an interrupted call's second half, a signal, an exit: not a call */
		if (markers == 1 && strncmp(call, "<...", 4) && strncmp(call, "---", 3) &&
		    strncmp(call, "+++", 3))
			n++;
	}
	fclose(f);
	return markers == 2 ? n : -1;
}

int main(void)
{
	char line[256], method[32];
	unsigned long long calls;
	unsigned int frames, cases = 0;
	bool have_auto = false, have_auto_poll = false;
	int tid, status;
	FILE *f;
	pid_t pid;

	kmscap_t_init("bench_syscalls", 600);
	close(kmscap_t_open_ctl_or_skip());
	if (access(KMSCAP_T_BENCH, X_OK))
		kmscap_t_skip("%s: %s (make selftests builds it; run-vm.sh --extra puts it into "
			      "the VM)", KMSCAP_T_BENCH, strerror(errno));
	if (access(KMSCAP_T_STRACE, X_OK))
		kmscap_t_skip("%s: %s (install strace; run-vm.sh --extra %s puts it into the VM)",
			      KMSCAP_T_STRACE, strerror(errno), KMSCAP_T_STRACE);

	pid = fork();
	KT_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		int o = open(OUT, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (o < 0 || dup2(o, 1) < 0 || dup2(o, 2) < 0)
			_exit(126);
		execl(KMSCAP_T_STRACE, KMSCAP_T_STRACE, "-f", "-qq", "-o", TRACE, "-e",
		      "trace=!clock_gettime", KMSCAP_T_BENCH, FRAMES, "check", (char *)NULL);
		_exit(127);
	}
	KT_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
	f = fopen(OUT, "re");
	KT_ASSERT(f, "%s: %s", OUT, strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		while (fgets(line, sizeof(line), f))
			kmscap_t_log("bench: %s", line);
		kmscap_t_fail("strace %s %s check: status 0x%x", KMSCAP_T_BENCH, FRAMES, status);
	}
	while (fgets(line, sizeof(line), f)) {
		long seen;

		if (sscanf(line, "kmscap-bench-syscalls %31s tid %d calls %llu frames %u", method,
			   &tid, &calls, &frames) != 4)
			continue;
		seen = kmscap_strace_count(tid);
		KT_ASSERT(seen >= 0, "%s: no getppid() markers of thread %d in %s", method, tid,
			  TRACE);
		kmscap_t_log("%-12s bench counts %llu calls over %u frames, strace %ld", method,
			     calls, frames, seen);
		KT_ASSERT((unsigned long long)seen == calls,
			  "%s: the bench counts %llu system calls, strace sees %ld", method, calls,
			  seen);
		if (!strcmp(method, "kmscap-auto")) {
			have_auto = true;
			KT_ASSERT(calls == frames + 2ull, "kmscap-auto: %llu calls for %u frames, "
				  "want one per frame and one EXPORT per buffer (%u)", calls, frames,
				  frames + 2);
		}
		if (!strcmp(method, "kmscap-auto-poll")) {
			have_auto_poll = true;
			KT_ASSERT(calls == 2ull * frames + 2, "kmscap-auto-poll: %llu calls for %u "
				  "frames, want a poll and a read per frame and one EXPORT per "
				  "buffer (%u)", calls, frames, 2 * frames + 2);
		}
		cases++;
	}
	fclose(f);
	KT_ASSERT(cases == 5 && have_auto && have_auto_poll, "%u cases in the bench's output "
		  "(%s), want 5 with kmscap-auto and kmscap-auto-poll", cases, OUT);
	kmscap_t_pass("kmscap-bench's system call counts equal strace's in all 5 cases; "
		      "kmscap-auto makes one per frame, kmscap-auto-poll two (poll and read)");
	return 0;
}
