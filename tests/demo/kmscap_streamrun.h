/* SPDX-License-Identifier: MIT */
/*
 * kmscap_streamrun: run kmscap-stream (or another VA-API program) from a
 * test program in the VM (on vgem's render node, which kmscap_t_render_node()
 * of tests/common finds): start the program with the software test VA
 * driver, wait for it to attach to a display, sample its CPU time,
 * collect its exit status and rusage, and read numbers from its JSON
 * statistics.  Used by tests/demo and tests/bench (static functions: each
 * program includes it once).
 */
#ifndef KMSCAP_STREAMRUN_H
#define KMSCAP_STREAMRUN_H

#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmscap_test.h"

/*
 * Start @argv[0] with the test VA driver of @vadir; stdout and stderr go
 * to @log.  Returns the pid (fails the test when fork fails).
 */
static inline pid_t kmscap_sr_spawn(const char *const *argv, const char *vadir, const char *log)
{
	pid_t pid = fork();

	KT_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		setenv("LIBVA_DRIVER_NAME", "kmscap_test", 1);
		setenv("LIBVA_DRIVERS_PATH", vadir, 1);
		execv(argv[0], (char **)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Wait until display @id has a capture client; fail if @pid exits first. */
static inline void kmscap_sr_wait_attached(int ctl, uint32_t id, pid_t pid, const char *log)
{
	struct kmscap_display_info info;
	unsigned int waited;
	int status;

	for (waited = 0;; waited += 10) {
		int r = kmscap_t_info(ctl, id, &info);

		KT_ASSERT(!r, "DISPLAY_INFO %u: %s", id, kmscap_t_errname(r));
		if (info.clients)
			return;
		if (waited > 120000)
			kmscap_t_fail("%s did not attach to display %u within 120 s (see %s)",
				      "the capture program", id, log);
		if (waitpid(pid, &status, WNOHANG) == pid)
			kmscap_t_fail("the capture program exited early (status %#x), see %s",
				      status, log);
		kmscap_t_sleep_ms(10);
	}
}

/* user + sys time of a running process from /proc/PID/stat, ns; 0 on error. */
static inline uint64_t kmscap_sr_proc_cpu_ns(pid_t pid)
{
	unsigned long long ut = 0, st = 0;
	char path[64], buf[1024], *p;
	long tck = sysconf(_SC_CLK_TCK);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* fields after the ")" that ends the command name: 3 state ... 14 utime 15 stime */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2 || tck <= 0)
		return 0;
	return (ut + st) * (1000000000ull / (unsigned long long)tck);
}

/* Reap @pid; its exit status (128 + signal), user+sys CPU time into @cpu_ns. */
static inline int kmscap_sr_reap(pid_t pid, uint64_t *cpu_ns)
{
	struct rusage ru;
	int status;

	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR)
			return -1;
	}
	*cpu_ns = ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000ull +
		  ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000ull;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

/* The last line of @log containing @needle, into @line; 0 or -ENOENT. */
static inline int kmscap_sr_find_line(const char *log, const char *needle, char *line, size_t size)
{
	char buf[4096];
	int found = -ENOENT;
	FILE *f = fopen(log, "re");

	if (!f)
		return -errno;
	while (fgets(buf, sizeof(buf), f)) {
		if (strstr(buf, needle)) {
			snprintf(line, size, "%s", buf);
			found = 0;
		}
	}
	fclose(f);
	if (!found)
		line[strcspn(line, "\n")] = '\0';
	return found;
}

/* The number after "KEY": in the JSON object @line; -1 when absent. */
static inline double kmscap_sr_json_num(const char *line, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	return p ? strtod(p + strlen(pat), NULL) : -1;
}

#endif /* KMSCAP_STREAMRUN_H */
