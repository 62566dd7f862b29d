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
 * its read), plus the same EXPORTs; kmscap-uring (the release in the
 * ring, ABI 1.5) one, plus the EXPORTs, with no failed release, and its
 * strace lines must be exactly one io_uring_enter() per frame and the two
 * EXPORT ioctls on the kmscap fd the bench names (ioctls traced raw):
 * nothing else, no read, poll or other ioctl; kmscap-ring (the frame
 * ring, ABI 1.6) one poll() per frame, the two EXPORTs and one RELEASE
 * for each time a flip waited for a frame given back (the bench's
 * "kicks"), nothing else: no read().  When the bench says
 * io_uring is unavailable in the kernel, the test checks the other cases
 * and skips, saying so.
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

/*
 * A thread's calls between its markers: all, io_uring_enter()s, poll()s,
 * EXPORTs and RELEASEs on the fd given.
 */
struct kmscap_calls {
	long n, enters, polls, exports, releases;
};

/* @call (strace -e raw=ioctl) is ioctl(@fd, @req, ...). */
static bool kmscap_is_ioctl(const char *call, int fd, unsigned long req)
{
	char *end;

	if (strncmp(call, "ioctl(", 6) || strtol(call + 6, &end, 0) != fd || strncmp(end, ", ", 2))
		return false;
	return strtoul(end + 2, NULL, 0) == req;
}

/* Calls of thread @tid in the strace log between its two getppid() lines; n -1 without both. */
static struct kmscap_calls kmscap_strace_calls(int tid, int fd)
{
	char line[1024], pfx[32];
	FILE *f = fopen(TRACE, "re");
	struct kmscap_calls c = { 0 };
	int markers = 0;
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
		if (markers != 1 || !strncmp(call, "<...", 4) || !strncmp(call, "---", 3) ||
		    !strncmp(call, "+++", 3))
			continue;
		c.n++;
		if (!strncmp(call, "io_uring_enter(", 15))
			c.enters++;
		else if (!strncmp(call, "poll(", 5) || !strncmp(call, "ppoll(", 6))
			c.polls++;
		else if (kmscap_is_ioctl(call, fd, KMSCAP_IOC_EXPORT))
			c.exports++;
		else if (kmscap_is_ioctl(call, fd, KMSCAP_IOC_RELEASE))
			c.releases++;
	}
	fclose(f);
	if (markers != 2)
		c.n = -1;
	return c;
}

/* kmscap-uring: one io_uring_enter() a frame, the EXPORTs, nothing else. */
static void kmscap_check_uring(unsigned long long calls, unsigned int frames,
			       unsigned long long failed, const struct kmscap_calls *c)
{
	kmscap_t_log("kmscap-uring: strace sees %ld io_uring_enter, %ld EXPORT, %ld other calls",
		     c->enters, c->exports, c->n - c->enters - c->exports);
	KT_ASSERT(!failed, "kmscap-uring: %llu releases in the ring failed", failed);
	KT_ASSERT(calls == frames + 2ull, "kmscap-uring: %llu calls for %u frames, want one "
		  "io_uring_enter per frame and one EXPORT per buffer (%u)", calls, frames,
		  frames + 2);
	KT_ASSERT(c->enters == frames && c->exports == 2 && c->n == c->enters + c->exports,
		  "kmscap-uring: strace sees %ld io_uring_enter, %ld EXPORT and %ld other calls "
		  "for %u frames, want %u, 2 and none", c->enters, c->exports,
		  c->n - c->enters - c->exports, frames, frames);
}

/* kmscap-ring: one poll() a frame, the EXPORTs, a RELEASE per kick, nothing else. */
static void kmscap_check_ring(unsigned long long calls, unsigned int frames,
			      unsigned long long kicks, const struct kmscap_calls *c)
{
	kmscap_t_log("kmscap-ring: strace sees %ld poll, %ld EXPORT, %ld RELEASE (%llu kicks), "
		     "%ld other calls", c->polls, c->exports, c->releases, kicks,
		     c->n - c->polls - c->exports - c->releases);
	KT_ASSERT(calls == frames + 2ull + kicks, "kmscap-ring: %llu calls for %u frames and %llu "
		  "kicks, want one poll per frame, one EXPORT per buffer and the kicks", calls,
		  frames, kicks);
	KT_ASSERT(c->polls == frames && c->exports == 2 && c->releases == (long)kicks &&
		  c->n == c->polls + c->exports + c->releases,
		  "kmscap-ring: strace sees %ld poll, %ld EXPORT, %ld RELEASE and %ld other calls "
		  "for %u frames and %llu kicks", c->polls, c->exports, c->releases,
		  c->n - c->polls - c->exports - c->releases, frames, kicks);
}

int main(void)
{
	char line[256], method[32];
	unsigned long long calls, failed, kicks;
	unsigned int frames, cases = 0;
	bool have_auto = false, have_auto_poll = false, have_uring = false, no_uring = false;
	bool have_ring = false;
	int tid, fd, status;
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

	{
		char *const argv[] = { KMSCAP_T_STRACE, "-f", "-qq", "-o", TRACE, "-e",
				       "trace=!clock_gettime", "-e", "raw=ioctl", KMSCAP_T_BENCH,
				       FRAMES, "check", NULL };

		pid = kmscap_t_spawn(argv, OUT);
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
		struct kmscap_calls seen;

		if (strstr(line, "io_uring unavailable"))
			no_uring = true;
		if (sscanf(line, "kmscap-bench-syscalls %31s tid %d calls %llu frames %u fd %d "
			   "failed-releases %llu kicks %llu", method, &tid, &calls, &frames, &fd,
			   &failed, &kicks) != 7)
			continue;
		seen = kmscap_strace_calls(tid, fd);
		KT_ASSERT(seen.n >= 0, "%s: no getppid() markers of thread %d in %s", method, tid,
			  TRACE);
		kmscap_t_log("%-12s bench counts %llu calls over %u frames, strace %ld", method,
			     calls, frames, seen.n);
		KT_ASSERT((unsigned long long)seen.n == calls,
			  "%s: the bench counts %llu system calls, strace sees %ld", method, calls,
			  seen.n);
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
		if (!strcmp(method, "kmscap-uring")) {
			have_uring = true;
			kmscap_check_uring(calls, frames, failed, &seen);
		}
		if (!strcmp(method, "kmscap-ring")) {
			have_ring = true;
			kmscap_check_ring(calls, frames, kicks, &seen);
		}
		cases++;
	}
	fclose(f);
	if (no_uring && cases == 6 && have_auto && have_auto_poll && have_ring)
		kmscap_t_skip("the 6 other cases checked; kmscap-uring not run: the bench found "
			      "io_uring unavailable in this kernel (%s)", OUT);
	KT_ASSERT(cases == 7 && have_auto && have_auto_poll && have_uring && have_ring,
		  "%u cases in the bench's output (%s), want 7 with kmscap-auto, "
		  "kmscap-auto-poll, kmscap-uring and kmscap-ring", cases, OUT);
	kmscap_t_pass("kmscap-bench's system call counts equal strace's in all 7 cases; "
		      "kmscap-auto makes one per frame, kmscap-auto-poll two (poll and read), "
		      "kmscap-uring one io_uring_enter and nothing else but its 2 EXPORTs, "
		      "kmscap-ring one poll and nothing else but its 2 EXPORTs and its kicks");
	return 0;
}
