// SPDX-License-Identifier: MIT
/* kmscap-top as kmscap-bench runs it: see libtopproc.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libtopproc.h"

/* CPU time of @pid so far in ns (/proc/PID/schedstat), or 0. */
uint64_t kmscap_task_cpu_ns(pid_t pid)
{
	unsigned long long ns = 0;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

/* Start kmscap-top --json at @top (output into @out); return once it traces. */
pid_t kmscap_top_start(const char *top, const char *out)
{
	const char *err = "/tmp/kmscap-bench-top.err";
	uint64_t t0 = kmscap_t_now_ns();
	pid_t pid;

	unlink(err);
	pid = fork();
	if (pid < 0)
		kmscap_t_fail("fork: %s", strerror(errno));
	if (!pid) {
		int o = open(out, O_WRONLY | O_CREAT | O_APPEND, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execl(top, top, "--json", "--interval", "1", (char *)NULL);
		_exit(127);
	}
	for (;;) {
		char line[256] = "";
		FILE *f = fopen(err, "re");
		int status;

		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = 0;
			fclose(f);
		}
		if (strstr(line, "kmscap-top: tracing"))
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid)
			kmscap_t_fail("%s did not start (status 0x%x): %s", top, status, line);
		if (kmscap_t_now_ns() - t0 > 60000000000ull) {
			kill(pid, SIGKILL);
			kmscap_t_fail("%s: not tracing after 60 s", top);
		}
		kmscap_t_sleep_ms(50);
	}
}
