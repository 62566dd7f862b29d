// SPDX-License-Identifier: MIT
/*
 * Unit tests: kmscapctl's commands (kmscapctl_main()) against the fake
 * module of fake_kmscap.h: what each command sends, what it prints, and
 * the error message and exit status for each errno the module returns.
 */
#include <pwd.h>

#include "fake_kmscap.h"
#include "kmscapctl.h"

struct result {
	int rc;
	char out[8192];
	char err[4096];
};

static void slurp(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/* Run "kmscapctl --kmscap-device <fifo> ARGS..." in this process, capturing its output. */
static void run(struct result *r, ...)
{
	char *argv[16];
	int argc = 0, mo, me, so, se;
	va_list ap;
	char *a;

	argv[argc++] = "kmscapctl";
	argv[argc++] = "--kmscap-device";
	argv[argc++] = path;
	va_start(ap, r);
	while ((a = va_arg(ap, char *)) && argc < 15)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;

	mo = memfd_create("kmscapctl-stdout", MFD_CLOEXEC);
	me = memfd_create("kmscapctl-stderr", MFD_CLOEXEC);
	ck_assert_int_ge(mo, 0);
	ck_assert_int_ge(me, 0);
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(mo, 1);
	dup2(me, 2);
	r->rc = kmscapctl_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(mo, r->out, sizeof(r->out));
	slurp(me, r->err, sizeof(r->err));
}

/* Split @line into whitespace-separated fields; returns how many. */
static int fields(const char *line, char f[][64], int max)
{
	int n = 0;

	while (*line && *line != '\n' && n < max) {
		int len = 0;

		while (*line == ' ')
			line++;
		if (!*line || *line == '\n')
			break;
		while (*line && *line != ' ' && *line != '\n' && len < 63)
			f[n][len++] = *line++;
		f[n++][len] = '\0';
	}
	return n;
}

static const char *line_n(const char *s, int n)
{
	while (n-- > 0 && s) {
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	return s;
}

START_TEST(test_add)
{
	struct result r;

	run(&r, "add", "2560x1440@143.912", NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(r.out, "5 /dev/dri/card2\n");
	ck_assert_str_eq(r.err, "");
	ck_assert_uint_eq(fake.create.width, 2560);
	ck_assert_uint_eq(fake.create.height, 1440);
	ck_assert_uint_eq(fake.create.refresh_mhz, 143912);
	ck_assert_uint_eq(fake.create.flags, 0);

	run(&r, "add", "--disconnected", "1920x1080", NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(fake.create.flags, KMSCAP_CREATE_DISCONNECTED);
	ck_assert_uint_eq(fake.create.refresh_mhz, 60000);
}
END_TEST

START_TEST(test_add_errors)
{
	struct result r;

	fake.fail_nr = _IOC_NR(KMSCAP_IOC_DISPLAY_CREATE);
	fake.fail_errno = ENOSPC;
	run(&r, "add", "1920x1080@60", NULL);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.out, "");
	ck_assert_str_eq(r.err, "kmscapctl: too many displays (module limit max_displays)\n");

	fake.fail_errno = EINVAL;
	run(&r, "add", "1920x1080@60", NULL);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.err, "invalid mode '1920x1080@60': rejected by the module\n");

	/* a mode the parser refuses never reaches the module */
	fake.calls[_IOC_NR(KMSCAP_IOC_DISPLAY_CREATE)] = 0;
	run(&r, "add", "0x0", NULL);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.err, "invalid mode '0x0': width and height must be 64..8192\n");
	ck_assert_int_eq(fake.calls[_IOC_NR(KMSCAP_IOC_DISPLAY_CREATE)], 0);
	ck_assert_int_eq(fake.calls[_IOC_NR(KMSCAP_IOC_VERSION)], 2);
}
END_TEST

START_TEST(test_remove)
{
	struct result r;

	run(&r, "remove", "7", NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(r.out, "");
	ck_assert_str_eq(r.err, "");
	ck_assert_uint_eq(fake.destroy.id, 7);

	fake.fail_id = 7;
	fake.fail_id_errno = ENOENT;
	run(&r, "remove", "7", NULL);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.err, "kmscapctl: no such display 7\n");

	fake.fail_id_errno = EPERM;
	run(&r, "remove", "7", NULL);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.err, "kmscapctl: display 7 belongs to another user\n");
}
END_TEST

START_TEST(test_config)
{
	struct result r;

	fake.version.caps |= KMSCAP_CAP_REPLUG;
	run(&r, "set-mode", "3", "1280x720@50", NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(fake.config.id, 3);
	ck_assert_uint_eq(fake.config.flags, KMSCAP_CONFIG_MODE | KMSCAP_CONFIG_REPLUG);
	ck_assert_uint_eq(fake.config.width, 1280);
	ck_assert_uint_eq(fake.config.height, 720);
	ck_assert_uint_eq(fake.config.refresh_mhz, 50000);
	ck_assert_str_eq(r.err, "");

	run(&r, "set-mode", "--in-place", "5", "800x600", NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(fake.config.id, 5);
	ck_assert_uint_eq(fake.config.flags, KMSCAP_CONFIG_MODE);
	ck_assert_uint_eq(fake.config.width, 800);

	run(&r, "connect", "4", NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(fake.config.id, 4);
	ck_assert_uint_eq(fake.config.flags, KMSCAP_CONFIG_CONNECT);

	run(&r, "disconnect", "6", NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(fake.config.id, 6);
	ck_assert_uint_eq(fake.config.flags, KMSCAP_CONFIG_DISCONNECT);
	ck_assert_str_eq(r.out, "");
	ck_assert_str_eq(r.err, "");
}
END_TEST

/* A module without REPLUG (ABI < 1.3): the mode changes in place, with a notice. */
START_TEST(test_config_old_module)
{
	struct result r;

	fake.version.minor = 2;
	run(&r, "set-mode", "3", "1280x720", NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(fake.config.flags, KMSCAP_CONFIG_MODE);
	ck_assert_str_eq(r.err,
			 "kmscapctl: the module (ABI 1.2) cannot replace the monitor: changing the mode in place; compositors may keep the old mode until the display is reconnected\n");
}
END_TEST

START_TEST(test_config_errors)
{
	struct result r;

	fake.version.caps |= KMSCAP_CAP_REPLUG;
	fake.fail_id = 3;
	fake.fail_id_errno = EINVAL;
	run(&r, "set-mode", "3", "1280x720@50", NULL);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.err, "invalid mode '1280x720@50': rejected by the module\n");

	fake.fail_id_errno = ENOENT;
	run(&r, "set-mode", "3", "1280x720@50", NULL);
	ck_assert_str_eq(r.err, "kmscapctl: no such display 3\n");
	run(&r, "connect", "3", NULL);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.err, "kmscapctl: no such display 3\n");

	fake.fail_id_errno = EPERM;
	run(&r, "disconnect", "3", NULL);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.err, "kmscapctl: display 3 belongs to another user\n");
}
END_TEST

START_TEST(test_list)
{
	char f[8][64], owner[64];
	struct passwd *pw = getpwuid(1000);
	struct result r;
	const char *l;

	snprintf(owner, sizeof(owner), "%s", pw ? pw->pw_name : "1000");
	fake.nids = 2;
	fake.ids[0] = 1;
	fake.ids[1] = 4;
	run(&r, "list", NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(r.err, "");

	ck_assert_int_eq(fields(r.out, f, 8), 7);
	ck_assert_str_eq(f[0], "ID");
	ck_assert_str_eq(f[1], "MODE");
	ck_assert_str_eq(f[2], "CONNECTED");
	ck_assert_str_eq(f[3], "OWNER");
	ck_assert_str_eq(f[4], "CARD");
	ck_assert_str_eq(f[5], "CLIENTS");
	ck_assert_str_eq(f[6], "FRAMES");

	l = line_n(r.out, 1);
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(fields(l, f, 8), 7);
	ck_assert_str_eq(f[0], "1");
	ck_assert_str_eq(f[1], "1920x1080@59.94");
	ck_assert_str_eq(f[2], "yes");
	ck_assert_str_eq(f[3], owner);
	ck_assert_str_eq(f[4], "/dev/dri/card2");
	ck_assert_str_eq(f[5], "2");
	ck_assert_str_eq(f[6], "12345678901");

	l = line_n(r.out, 2);
	ck_assert_int_eq(fields(l, f, 8), 7);
	ck_assert_str_eq(f[0], "4");
	ck_assert_str_eq(f[4], "/dev/dri/card5");
	ck_assert_str_eq(line_n(r.out, 3), "");
}
END_TEST

START_TEST(test_list_races_and_errors)
{
	char f[8][64];
	struct result r;

	/* a display removed between LIST and INFO is left out */
	fake.nids = 2;
	fake.ids[0] = 1;
	fake.ids[1] = 4;
	fake.fail_id = 1;
	fake.fail_id_errno = ENOENT;
	run(&r, "list", NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(fields(line_n(r.out, 1), f, 8), 7);
	ck_assert_str_eq(f[0], "4");
	ck_assert_str_eq(line_n(r.out, 2), "");

	fake.fail_nr = _IOC_NR(KMSCAP_IOC_DISPLAY_LIST);
	fake.fail_errno = EFAULT;
	run(&r, "list", NULL);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_ptr_nonnull(strstr(r.err, path));
	ck_assert_ptr_nonnull(strstr(r.err, "cannot list displays: Bad address"));
}
END_TEST

/*
 * INFO failing with anything but ENOENT stops list and stats with an
 * error naming the display: the id is read before the id array is freed
 * (a use after free printed whatever the allocator left in it).
 */
START_TEST(test_list_stats_info_error)
{
	const char *cmds[] = { "list", "stats" };
	unsigned int i;
	struct result r;

	for (i = 0; i < 2; i++) {
		fake_reset();
		fake.nids = 3;
		fake.ids[0] = 1;
		fake.ids[1] = 5;
		fake.ids[2] = 9;
		fake.fail_id = 5;
		fake.fail_id_errno = EPERM;
		run(&r, cmds[i], NULL);
		ck_assert_int_eq(r.rc, 1);
		ck_assert_str_eq(r.err, "kmscapctl: display 5 belongs to another user\n");
	}
}
END_TEST

START_TEST(test_stats)
{
	char dbg[128], file[256];
	struct result r;
	FILE *f;

	snprintf(dbg, sizeof(dbg), "%s/debugfs", dir);
	ck_assert_int_eq(mkdir(dbg, 0700), 0);
	snprintf(file, sizeof(file), "%s/display-4", dbg);
	ck_assert_int_eq(mkdir(file, 0700), 0);
	snprintf(file, sizeof(file), "%s/display-4/stats", dbg);
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fputs("frames 42\nclients 1\n", f);
	fclose(f);
	setenv("KMSCAP_DEBUGFS", dbg, 1);

	run(&r, "stats", "4", NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(r.err, "");
	ck_assert_int_eq(strncmp(r.out, "display 4\n", 10), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "  mode:       1920x1080@59.94\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "  connected:  yes\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "  card:       /dev/dri/card5\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "  frames:     12345678901\n"));
	snprintf(file, sizeof(file), "  debugfs:    %s/display-4\n", dbg);
	ck_assert_ptr_nonnull(strstr(r.out, file));
	ck_assert_ptr_nonnull(strstr(r.out, "  stats:\n    frames 42\n    clients 1\n"));

	/* display 1 has no debugfs directory */
	run(&r, "stats", "1", NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "  debugfs:    not readable ("));
	ck_assert_ptr_null(strstr(r.out, "frames 42"));

	/* all displays */
	fake.nids = 2;
	fake.ids[0] = 1;
	fake.ids[1] = 4;
	run(&r, "stats", NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "display 1\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "display 4\n"));
	unsetenv("KMSCAP_DEBUGFS");

	fake.nids = 0;
	run(&r, "stats", NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(r.out, "no displays\n");

	fake.fail_id = 9;
	fake.fail_id_errno = ENOENT;
	run(&r, "stats", "9", NULL);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.err, "kmscapctl: no such display 9\n");

	snprintf(file, sizeof(file), "%s/display-4/stats", dbg);
	ck_assert_int_eq(unlink(file), 0);
	snprintf(file, sizeof(file), "%s/display-4", dbg);
	ck_assert_int_eq(rmdir(file), 0);
	ck_assert_int_eq(rmdir(dbg), 0);
}
END_TEST

START_TEST(test_version)
{
	struct result r;
	char line[64];

	fake.version.caps = KMSCAP_CAP_DAMAGE | KMSCAP_CAP_HOTPLUG | (1ULL << 40);
	fake.version.max_displays = 12;
	run(&r, "version", NULL);
	ck_assert_int_eq(r.rc, 0);
	snprintf(line, sizeof(line), "module ABI:      %u.%u\n", KMSCAP_ABI_MAJOR,
		 KMSCAP_ABI_MINOR);
	ck_assert_ptr_nonnull(strstr(r.out, line));
	ck_assert_ptr_nonnull(strstr(r.out,
				     "capabilities:    damage hotplug unknown(0x10000000000)\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "max displays:    12\n"));
	snprintf(line, sizeof(line), "built for ABI:   %u.%u\n", KMSCAP_ABI_MAJOR,
		 KMSCAP_ABI_MINOR);
	ck_assert_ptr_nonnull(strstr(r.out, line));
}
END_TEST

START_TEST(test_abi_mismatch)
{
	char want[256];
	struct result r;

	fake.version.major = KMSCAP_ABI_MAJOR + 1;
	run(&r, "list", NULL);
	ck_assert_int_eq(r.rc, 1);
	snprintf(want, sizeof(want), "%s: module ABI major differs from this tool's (%d)\n", path,
		 KMSCAP_ABI_MAJOR);
	ck_assert_str_eq(r.err, want);
	ck_assert_str_eq(r.out, "");
}
END_TEST

START_TEST(test_no_device_for_help_and_usage_errors)
{
	struct result r;

	run(&r, "--help", NULL);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(strncmp(r.out, "usage: kmscapctl", 16), 0);
	run(&r, "remove", NULL);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.err, "kmscapctl: remove: missing ID (usage: kmscapctl remove ID)\n");
	ck_assert_int_eq(fake.calls[_IOC_NR(KMSCAP_IOC_VERSION)], 0);
}
END_TEST

static Suite *kmscapctl_run_suite(void)
{
	Suite *s = suite_create("kmscapctl_run");
	TCase *tc = tcase_create("commands");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_add);
	tcase_add_test(tc, test_add_errors);
	tcase_add_test(tc, test_remove);
	tcase_add_test(tc, test_config);
	tcase_add_test(tc, test_config_old_module);
	tcase_add_test(tc, test_config_errors);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_list_races_and_errors);
	tcase_add_test(tc, test_list_stats_info_error);
	tcase_add_test(tc, test_stats);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_abi_mismatch);
	tcase_add_test(tc, test_no_device_for_help_and_usage_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kmscap_run_suite(kmscapctl_run_suite());
}
