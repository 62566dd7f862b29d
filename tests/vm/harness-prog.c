// SPDX-License-Identifier: MIT
/*
 * harness-prog: one program, many behaviours, picked by the name it is
 * run under; tests/vm/harness-test.sh runs it in the VM to check that the
 * harness reports each outcome as it should.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define KMSCAP_DEBUGFS_MAGIC	0x64626720

static int kmscap_sysrq(char c)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	if (fd < 0 || write(fd, &c, 1) != 1) {
		printf("FAIL: /proc/sysrq-trigger: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}

/* The VM's users, groups and mounts are what the selftests rely on. */
static int kmscap_env(void)
{
	struct passwd *pw = getpwnam("kmscap1");
	struct group *gr = getgrnam("kmscap");
	struct statfs sfs;
	int status, fd;
	pid_t pid;

	if (!pw || pw->pw_uid != 1001) {
		printf("FAIL: user kmscap1 is not uid 1001\n");
		return 1;
	}
	pw = getpwnam("kmscap2");
	if (!pw || pw->pw_uid != 1002) {
		printf("FAIL: user kmscap2 is not uid 1002\n");
		return 1;
	}
	if (!gr || gr->gr_gid != 990) {
		printf("FAIL: group kmscap is not gid 990\n");
		return 1;
	}
	if (access("/dev/dri/card0", F_OK)) {
		printf("FAIL: /dev/dri/card0 (vgem): %s\n", strerror(errno));
		return 1;
	}
	if (statfs("/sys/kernel/debug", &sfs) || sfs.f_type != KMSCAP_DEBUGFS_MAGIC) {
		printf("FAIL: debugfs is not mounted on /sys/kernel/debug\n");
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		if (setgid(1001) || setuid(1001))
			_exit(2);
		fd = open("/tmp/kmscap-harness-1001", O_CREAT | O_WRONLY, 0600);
		_exit(fd < 0 ? 3 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		printf("FAIL: uid 1001 cannot switch or write /tmp (status 0x%x)\n", status);
		return 1;
	}
	printf("users, groups, vgem, debugfs and /tmp are as expected\n");
	return 0;
}

static int kmscap_out(int argc, char **argv)
{
	FILE *f;
	int i;

	if (argc != 4 || strcmp(argv[1], "alpha") || strcmp(argv[2], "beta")) {
		printf("FAIL: expected arguments 'alpha beta EXTRA', got %d\n", argc - 1);
		return 1;
	}
	if (access(argv[3], R_OK)) {
		printf("FAIL: the --extra file %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	if (mkdir("sub", 0755) && errno != EEXIST)
		return 1;
	f = fopen("sub/numbers.txt", "w");
	if (!f)
		return 1;
	for (i = 0; i < 100000; i++)
		fprintf(f, "%d\n", i);
	return fclose(f) ? 1 : 0;
}

/*
 * hostpath DIR: run-vm.sh --hostroot --host-path DIR: the host's DIR is
 * seen at /host/DIR with its file "marker" even when DIR is under a
 * directory that the VM covers with its own (/tmp, /run, /home, /root),
 * and /host/tmp stays the VM's, writable.
 */
static int kmscap_hostpath(int argc, char **argv)
{
	static const char want[] = "kmscap hostpath\n";
	char path[4096], got[64];
	ssize_t n;
	int fd;

	if (argc != 2) {
		printf("FAIL: hostpath: expected one argument, got %d\n", argc - 1);
		return 1;
	}
	snprintf(path, sizeof(path), "/host%s/marker", argv[1]);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("FAIL: hostpath: %s: %s\n", path, strerror(errno));
		return 1;
	}
	n = read(fd, got, sizeof(got) - 1);
	close(fd);
	got[n > 0 ? n : 0] = 0;
	if (strcmp(got, want)) {
		printf("FAIL: hostpath: %s holds '%s', not '%s'\n", path, got, want);
		return 1;
	}
	fd = open("/host/tmp/hostpath-written", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		printf("FAIL: hostpath: /host/tmp is not writable: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	printf("hostpath: %s seen, /host/tmp writable\n", path);
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("%s: started\n", name);
	if (!strcmp(name, "a_pass"))
		return 0;
	if (!strcmp(name, "b_skip")) {
		printf("%s: SKIP: no frobnicator here\n", name);
		return 77;
	}
	if (!strcmp(name, "c_fail")) {
		printf("%s: FAIL: 1 != 2\n", name);
		return 1;
	}
	if (!strcmp(name, "d_segv")) {
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
		return 0;
	}
	if (!strcmp(name, "e_hang")) {
		signal(SIGTERM, SIG_IGN);
		for (;;)
			pause();
	}
	if (!strcmp(name, "f_env"))
		return kmscap_env();
	if (!strcmp(name, "g_trace"))
		return kmscap_sysrq('l');
	if (!strcmp(name, "h_crash"))
		return kmscap_sysrq('c');
	if (!strcmp(name, "out"))
		return kmscap_out(argc, argv);
	if (!strcmp(name, "hostpath"))
		return kmscap_hostpath(argc, argv);
	if (!strcmp(name, "i_after"))
		return 0;
	printf("FAIL: unknown behaviour '%s'\n", name);
	return 1;
}
