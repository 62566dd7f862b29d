// SPDX-License-Identifier: MIT
/*
 * perf_oneliners: the perf one-liners of Documentation/observability.md
 * work as written, with a workload of known counts in place of "sleep 10":
 *   perf stat -e 'kmscap:*' -a -- WORKLOAD
 *   perf record -e kmscap:kmscap_frame_drop -e kmscap:kmscap_hold_revoke -a
 *        -- WORKLOAD && perf script
 * The workload (this program with --work FILE) creates a display, lets a
 * prompt client read and release N_PROMPT flips and a stalled client
 * (20 ms hold) read N_STALL flips and release only the last, and writes
 * what it did to FILE.  perf stat must count a read per event read, a
 * release per RELEASE, a revoke per dropped_timeout of the stalled client,
 * two attaches and two detaches, and as many flip dones as publishes, at
 * least one per flip; perf script must list one kmscap_hold_revoke line
 * with a reason per revocation and no drop.
 * perf is KMSCAP_T_PERF (/usr/bin/perf, from linux-perf; make vm-check
 * puts it into the VM with --extra); the test skips without it.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include "liboneliner.h"

#ifndef KMSCAP_T_PERF
#define KMSCAP_T_PERF "/usr/bin/perf"
#endif

/* The count perf stat printed for kmscap:@event in @out ("1,234" or "1234"). */
static long long kmscap_po_count(const char *out, const char *event)
{
	char name[96], line[512];
	long long n = -1;
	FILE *f = fopen(out, "re");

	KT_ASSERT(f, "%s: %s", out, strerror(errno));
	snprintf(name, sizeof(name), "kmscap:%s", event);
	while (n < 0 && fgets(line, sizeof(line), f)) {
		char num[64], ev[128];
		unsigned int i, j;

		if (sscanf(line, "%63s %127s", num, ev) != 2 || strcmp(ev, name))
			continue;
		for (i = j = 0; num[i]; i++)
			if (num[i] != ',')
				num[j++] = num[i];
		num[j] = '\0';
		n = strtoll(num, NULL, 10);
	}
	fclose(f);
	KT_ASSERT(n >= 0, "perf stat printed no count for %s (see its output above)", name);
	return n;
}

#define KMSCAP_PO_EXPECT(out, ev, want) do {						\
	long long __n = kmscap_po_count(out, ev);					\
	KT_ASSERT(__n == (long long)(want), "perf stat: %s %lld, expected %lld", ev,	\
		  __n, (long long)(want));						\
} while (0)

int main(int argc, char **argv)
{
	char exe[256], cmd[1024], line[512];
	struct kmscap_ol_work w;
	unsigned int revokes = 0, drops = 0;
	long long pub, done;
	ssize_t n;
	FILE *f;

	if (argc == 3 && !strcmp(argv[1], "--work")) {
		kmscap_t_init("perf_oneliners (workload)", 60);
		return kmscap_ol_work(argv[2]);
	}
	kmscap_t_init("perf_oneliners", 110);
	if (access(KMSCAP_T_PERF, X_OK))
		kmscap_t_skip("%s: %s (linux-perf; make vm-check passes it with --extra)",
			      KMSCAP_T_PERF, strerror(errno));
	close(kmscap_t_open_ctl_or_skip());
	kmscap_t_tracefs_or_skip();
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	KT_ASSERT(n > 0, "readlink /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	KT_ASSERT(!chdir("/tmp"), "chdir /tmp: %s", strerror(errno));

	/* perf stat -e 'kmscap:*' -a -- sleep 10 */
	snprintf(cmd, sizeof(cmd), "%s stat -e 'kmscap:*' -a -- %s --work /tmp/po.work "
		 "2>/tmp/po.stat", KMSCAP_T_PERF, exe);
	w = kmscap_ol_run(cmd, "/tmp/po.work", "/tmp/po.stat");
	kmscap_ol_show("/tmp/po.stat");
	KMSCAP_PO_EXPECT("/tmp/po.stat", "kmscap_frame_read", w.reads);
	KMSCAP_PO_EXPECT("/tmp/po.stat", "kmscap_frame_release", w.releases);
	KMSCAP_PO_EXPECT("/tmp/po.stat", "kmscap_hold_revoke", w.revoked);
	KMSCAP_PO_EXPECT("/tmp/po.stat", "kmscap_frame_drop", 0);
	KMSCAP_PO_EXPECT("/tmp/po.stat", "kmscap_client_attach", 2);
	KMSCAP_PO_EXPECT("/tmp/po.stat", "kmscap_client_detach", 2);
	pub = kmscap_po_count("/tmp/po.stat", "kmscap_frame_publish");
	done = kmscap_po_count("/tmp/po.stat", "kmscap_flip_done");
	KT_ASSERT(pub == done && pub >= w.flips, "perf stat: %lld publishes and %lld flip dones "
		  "for %u flips", pub, done, w.flips);

	/* perf record -e ...drop -e ...revoke -a -- sleep 10 && perf script */
	snprintf(cmd, sizeof(cmd), "%s record -e kmscap:kmscap_frame_drop -e "
		 "kmscap:kmscap_hold_revoke -a -- %s --work /tmp/po.work 2>/tmp/po.rec && "
		 "%s script >/tmp/po.script 2>>/tmp/po.rec", KMSCAP_T_PERF, exe, KMSCAP_T_PERF);
	w = kmscap_ol_run(cmd, "/tmp/po.work", "/tmp/po.rec");
	kmscap_ol_show("/tmp/po.script");
	f = fopen("/tmp/po.script", "re");
	KT_ASSERT(f, "/tmp/po.script: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "kmscap:kmscap_hold_revoke:")) {
			KT_ASSERT(strstr(line, "reason="), "no reason in '%s'", line);
			revokes++;
		}
		drops += !!strstr(line, "kmscap:kmscap_frame_drop:");
	}
	fclose(f);
	KT_ASSERT(revokes == w.revoked && !drops, "perf script: %u revokes and %u drops, "
		  "expected %llu and 0", revokes, drops, w.revoked);
	kmscap_t_pass("perf stat counted every event as the workload did it; perf script "
		      "listed its %u revocations", revokes);
}
