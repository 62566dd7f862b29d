// SPDX-License-Identifier: MIT
/*
 * The host half of the syscalls1 and syscalls2 scenarios
 * (tests/stream/vm/stream_e2e.c): kmscap-stream captured FRAMES frames
 * under strace -f -y (--threads 1, then 2).  Its system calls, over all
 * its threads and the whole run (start and stop included):
 *   - no read() and no poll() of the kmscap fd: the loop's ring reads the
 *     events (a POLL_ADD linked to a READ) and libkmscap decodes them;
 *   - threads 1 (a module of ABI 1.5): no kmscap ioctl per frame, only a
 *     constant (VERSION, ATTACH, the exports, the statistics at exit): the
 *     frames go back in the ring; and one io_uring_enter per frame plus a
 *     constant: it submits the release, the WRITE to the output file and
 *     the next READ, and waits for the READ (and the WRITE);
 *   - threads 2: one kmscap ioctl per frame (the encode thread's RELEASE)
 *     plus the constant; io_uring_enter at most one per completion a frame
 *     brings (READ, WRITE, the encode thread's eventfd: flip-done events
 *     come with the frames), and one more per frame for how the encode
 *     thread's and the output's completions fall between waits, which is
 *     timing (Documentation/stream.md, "System calls per frame", gives
 *     the counts measured).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ks_test.h"

#define SC_SLACK 16	/* calls at start and stop, not per frame */

struct sc_counts {
	long enters;		/* io_uring_enter */
	long kmscap_ioctls;	/* ioctl() of the kmscap fd */
	long kmscap_reads;	/* read/readv/pread64/poll/ppoll/select of it */
	char first_read[200];
};

/* Count the calls begun in @trace (strace -f -y: "TID name(args..."). */
static void sc_count(const char *trace, struct sc_counts *c)
{
	static const char *const reads[] = { "read", "readv", "pread64", "poll", "ppoll",
					     "select", "pselect6" };
	const char *line = trace, *p, *name, *next;
	size_t len, i;

	memset(c, 0, sizeof(*c));
	for (; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		p = line;
		while (isdigit((unsigned char)*p))
			p++;
		while (*p == ' ')
			p++;
		name = p;
		while (*p == '_' || isalnum((unsigned char)*p))
			p++;
		if (*p != '(' || p == name)
			continue;	/* "<... resumed>", a signal, an exit */
		len = (size_t)(p - name);
		/* the rest of this line names the kmscap fd: -y prints fd</dev/kmscap> */
		if (len == 14 && !strncmp(name, "io_uring_enter", 14))
			c->enters++;
		if (!memmem(p, (size_t)(next - p), "</dev/kmscap>", 13))
			continue;
		if (len == 5 && !strncmp(name, "ioctl", 5))
			c->kmscap_ioctls++;
		for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
			if (len != strlen(reads[i]) || strncmp(name, reads[i], len))
				continue;
			if (!c->kmscap_reads++)
				snprintf(c->first_read, sizeof(c->first_read), "%.*s",
					 (int)(next - line - 1), line);
		}
	}
}

static void sc_check(const char *scenario, long ioctls_per_frame, long enters_per_frame)
{
	char dir[700], path[800], *txt, *log, *trace;
	unsigned int flips, sw, status;
	struct sc_counts c;

	snprintf(dir, sizeof(dir), "%s/%s", e2e_dir(), scenario);
	snprintf(path, sizeof(path), "%s/skip.txt", dir);
	if (!access(path, R_OK)) {
		txt = ks_test_read_file(path, NULL);
		txt[strcspn(txt, "\n")] = '\0';
		ks_skip("%s: %s", scenario, txt);
	}
	snprintf(path, sizeof(path), "%s/e2e.txt", dir);
	txt = ks_test_read_file(path, NULL);
	ck_assert_int_eq(sscanf(txt, "flips %u switch %u status %u", &flips, &sw, &status), 3);
	free(txt);
	snprintf(path, sizeof(path), "%s/stream.log", dir);
	log = ks_test_read_file(path, NULL);
	ck_assert_msg(status == 0, "%s: kmscap-stream exited with %u:\n%s", scenario, status, log);
	ck_assert_int_eq(json_line_field(log, "summary", "frames_in"), flips);
	ck_assert_int_eq(json_line_field(log, "summary", "released"), flips);
	ck_assert_int_gt(json_line_field(log, "summary", "encoded"), 0);
	free(log);
	snprintf(path, sizeof(path), "%s/strace.txt", dir);
	trace = ks_test_read_file(path, NULL);
	sc_count(trace, &c);
	free(trace);
	ck_assert_msg(c.kmscap_reads == 0, "%s: %ld reads or polls of the kmscap fd, the first: %s",
		      scenario, c.kmscap_reads, c.first_read);
	ck_assert_msg(c.kmscap_ioctls >= ioctls_per_frame * flips &&
		      c.kmscap_ioctls <= ioctls_per_frame * flips + SC_SLACK,
		      "%s: %ld kmscap ioctls for %u frames", scenario, c.kmscap_ioctls, flips);
	ck_assert_msg(c.enters >= 1 && c.enters <= enters_per_frame * flips + SC_SLACK,
		      "%s: %ld io_uring_enter for %u frames", scenario, c.enters, flips);
}

START_TEST(e2e_syscalls_threads1)
{
	sc_check("syscalls1", 0, 1);
}
END_TEST

START_TEST(e2e_syscalls_threads2)
{
	sc_check("syscalls2", 1, 4);
}
END_TEST

void ks_e2e_syscalls_add(Suite *s)
{
	KS_ADD(s, e2e_syscalls_threads1);
	KS_ADD(s, e2e_syscalls_threads2);
}
