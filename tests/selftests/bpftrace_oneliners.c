// SPDX-License-Identifier: MIT
/*
 * bpftrace_oneliners: the bpftrace one-liners of
 * Documentation/observability.md work as written, each run with
 * "-c WORKLOAD" (this program with --work FILE, tests/selftests/
 * liboneliner.c) so that it ends and prints its maps:
 *   the compositor's waits: @wait_us holds one sample per debugfs
 *     hold_wait of the workload's display;
 *   frames lost per client and reason: the @lost counts add up to the
 *     stalled client's dropped_timeout;
 *   flip -> read latency per client: @flip_read_us holds one sample per
 *     event read.
 * bpftrace is KMSCAP_T_BPFTRACE (/usr/bin/bpftrace, Debian's bpftrace;
 * make vm-check puts it into the VM with --extra, with the LLVM and clang
 * libraries it loads); the test skips without it, and on a kernel
 * without BTF (the debug kernel): bpftrace then looks for the kernel's
 * headers to know the types of the tracepoint records, and the VM has
 * none (on the debug kernel: "fatal error: 'linux/types.h' file not found").
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "liboneliner.h"

#ifndef KMSCAP_T_BPFTRACE
#define KMSCAP_T_BPFTRACE "/usr/bin/bpftrace"
#endif

#define OUT "/tmp/bo.out"
#define WORK "/tmp/bo.work"

/* The one-liners, as Documentation/observability.md has them. */
static const char kmscap_bo_wait[] =
	"tracepoint:kmscap:kmscap_flip_wait_end { @wait_us = hist(args->waited_ns / 1000); }";
static const char kmscap_bo_lost[] =
	"tracepoint:kmscap:kmscap_frame_drop, tracepoint:kmscap:kmscap_hold_revoke\n"
	"\t{ @lost[args->display, args->client, args->reason] = count(); }";
static const char kmscap_bo_latency[] =
	"tracepoint:kmscap:kmscap_frame_publish { @pub[args->display, args->seq] = nsecs; }\n"
	"\ttracepoint:kmscap:kmscap_frame_read /@pub[args->display, args->seq]/\n"
	"\t{ @flip_read_us[args->client] = hist((nsecs - @pub[args->display, args->seq]) / 1000); }";

static char kmscap_bo_exe[256];

static bool kmscap_bo_no_headers(void)
{
	struct utsname u;
	char path[128];

	if (uname(&u))
		return true;
	snprintf(path, sizeof(path), "/lib/modules/%s/build/include", u.release);
	return access(path, R_OK) != 0;
}

static struct kmscap_ol_work kmscap_bo_run(const char *prog)
{
	struct kmscap_ol_work w;
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s -e '%s' -c '%s --work %s' >%s 2>&1", KMSCAP_T_BPFTRACE,
		 prog, kmscap_bo_exe, WORK, OUT);
	w = kmscap_ol_run(cmd, WORK, OUT);
	kmscap_ol_show(OUT);
	return w;
}

/*
 * In bpftrace's output: the samples of every histogram (bucket lines
 * "[lo, hi)  count |@@@|") when @prefix is NULL, else the sum of the
 * values of the map lines "@name[keys]: value" starting with @prefix.
 */
static unsigned long long kmscap_bo_sum(const char *prefix)
{
	unsigned long long sum = 0;
	char line[512];
	FILE *f = fopen(OUT, "re");

	KT_ASSERT(f, "%s: %s", OUT, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (!prefix && (line[0] == '[' || line[0] == '(')) {
			p = strpbrk(line, ")]");
			if (p)
				sum += strtoull(p + 1, NULL, 10);
		} else if (prefix && !strncmp(line, prefix, strlen(prefix))) {
			p = strstr(line, "]: ");
			if (p)
				sum += strtoull(p + 3, NULL, 10);
		}
	}
	fclose(f);
	return sum;
}

int main(int argc, char **argv)
{
	struct kmscap_ol_work w;
	unsigned long long n;
	ssize_t len;

	if (argc == 3 && !strcmp(argv[1], "--work")) {
		kmscap_t_init("bpftrace_oneliners (workload)", 60);
		return kmscap_ol_work(argv[2]);
	}
	kmscap_t_init("bpftrace_oneliners", 590);
	if (access(KMSCAP_T_BPFTRACE, X_OK))
		kmscap_t_skip("%s: %s (Debian's bpftrace; make vm-check passes it with --extra)",
			      KMSCAP_T_BPFTRACE, strerror(errno));
	if (access("/sys/kernel/btf/vmlinux", R_OK) && kmscap_bo_no_headers())
		kmscap_t_skip("this kernel has no BTF (/sys/kernel/btf/vmlinux) and no headers "
			      "(/lib/modules/RELEASE/build/include): bpftrace needs one of them for "
			      "the kernel types (u32, u64) of the tracepoint records");
	close(kmscap_t_open_ctl_or_skip());
	kmscap_t_tracefs_or_skip();
	len = readlink("/proc/self/exe", kmscap_bo_exe, sizeof(kmscap_bo_exe) - 1);
	KT_ASSERT(len > 0, "readlink /proc/self/exe: %s", strerror(errno));
	kmscap_bo_exe[len] = '\0';

	w = kmscap_bo_run(kmscap_bo_wait);
	n = kmscap_bo_sum(NULL);
	KT_ASSERT(w.hold_waits > 0 && n == w.hold_waits,
		  "@wait_us has %llu samples, the display %llu hold waits", n, w.hold_waits);
	w = kmscap_bo_run(kmscap_bo_lost);
	n = kmscap_bo_sum("@lost[");
	KT_ASSERT(w.revoked > 0 && n == w.revoked, "@lost adds up to %llu, the stalled client "
		  "lost %llu", n, w.revoked);
	w = kmscap_bo_run(kmscap_bo_latency);
	n = kmscap_bo_sum(NULL);
	KT_ASSERT(n == w.reads, "@flip_read_us has %llu samples for %u events read", n, w.reads);
	kmscap_t_pass("the three bpftrace one-liners counted what the workload did");
}
