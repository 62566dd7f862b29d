// SPDX-License-Identifier: MIT
/*
 * Unit tests: kmscapctl argument parsing (kmscapctl_parse_args()) and the
 * messages and exit status of the built tool where no device is needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmscap_check.h"
#include "kmscapctl.h"
#include "libkmscap.h"

#ifndef KMSCAPCTL_BIN
#define KMSCAPCTL_BIN "kmscapctl"
#endif

#define ARGV(...) ((char *const[]){ "kmscapctl", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "kmscapctl", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(cmd, err, ...)							\
	kmscapctl_parse_args(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (cmd), (err), sizeof(err))

START_TEST(test_add)
{
	struct kmscapctl_cmd c;
	char err[256];

	ck_assert_int_eq(PARSE(&c, err, "add", "2560x1440@143.912"), 0);
	ck_assert_int_eq(c.op, KMSCAPCTL_ADD);
	ck_assert_uint_eq(c.width, 2560);
	ck_assert_uint_eq(c.height, 1440);
	ck_assert_uint_eq(c.refresh_mhz, 143912);
	ck_assert_uint_eq(c.create_flags, 0);
	ck_assert_str_eq(c.mode, "2560x1440@143.912");
	ck_assert_ptr_null(c.device);
	ck_assert_str_eq(err, "");

	ck_assert_int_eq(PARSE(&c, err, "add", "1920x1080", "--disconnected"), 0);
	ck_assert_uint_eq(c.create_flags, KMSCAP_CREATE_DISCONNECTED);
	ck_assert_uint_eq(c.refresh_mhz, 60000);

	ck_assert_int_eq(PARSE(&c, err, "--disconnected", "add", "1920x1080@59.94"), 0);
	ck_assert_uint_eq(c.create_flags, KMSCAP_CREATE_DISCONNECTED);
	ck_assert_uint_eq(c.refresh_mhz, 59940);
}
END_TEST

START_TEST(test_id_commands)
{
	static const struct {
		const char *name;
		enum kmscapctl_op op;
	} cmds[] = {
		{ "connect", KMSCAPCTL_CONNECT },
		{ "disconnect", KMSCAPCTL_DISCONNECT },
		{ "remove", KMSCAPCTL_REMOVE },
		{ "stats", KMSCAPCTL_STATS },
		{ "gamma", KMSCAPCTL_GAMMA },
	};
	struct kmscapctl_cmd c;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		ck_assert_int_eq(PARSE(&c, err, (char *)cmds[i].name, "42"), 0);
		ck_assert_int_eq(c.op, cmds[i].op);
		ck_assert_int_eq(c.has_id, 1);
		ck_assert_uint_eq(c.id, 42);
	}
	ck_assert_int_eq(PARSE(&c, err, "remove", "4294967295"), 0);
	ck_assert_uint_eq(c.id, UINT32_MAX);
	ck_assert_int_eq(PARSE(&c, err, "connect", "0"), 0);
	ck_assert_uint_eq(c.id, 0);
	ck_assert_int_eq(c.has_id, 1);
}
END_TEST

START_TEST(test_set_mode)
{
	struct kmscapctl_cmd c;
	char err[256];

	ck_assert_int_eq(PARSE(&c, err, "set-mode", "3", "1280x720@50"), 0);
	ck_assert_int_eq(c.op, KMSCAPCTL_SET_MODE);
	ck_assert_uint_eq(c.id, 3);
	ck_assert_uint_eq(c.width, 1280);
	ck_assert_uint_eq(c.height, 720);
	ck_assert_uint_eq(c.refresh_mhz, 50000);
	ck_assert_uint_eq(c.config_flags, KMSCAP_CONFIG_MODE | KMSCAP_CONFIG_REPLUG);

	ck_assert_int_eq(PARSE(&c, err, "set-mode", "3", "640x480", "--in-place"), 0);
	ck_assert_uint_eq(c.config_flags, KMSCAP_CONFIG_MODE);
	ck_assert_int_eq(PARSE(&c, err, "add", "640x480", "--in-place"), -EINVAL);
	ck_assert_str_eq(err, "kmscapctl: --in-place is only valid with set-mode");
}
END_TEST

START_TEST(test_no_arg_commands)
{
	struct kmscapctl_cmd c;
	char err[256];

	ck_assert_int_eq(PARSE(&c, err, "list"), 0);
	ck_assert_int_eq(c.op, KMSCAPCTL_LIST);
	ck_assert_int_eq(PARSE(&c, err, "stats"), 0);
	ck_assert_int_eq(c.op, KMSCAPCTL_STATS);
	ck_assert_int_eq(c.has_id, 0);
	ck_assert_int_eq(PARSE(&c, err, "version"), 0);
	ck_assert_int_eq(c.op, KMSCAPCTL_VERSION);
	ck_assert_int_eq(PARSE(&c, err, "--version"), 0);
	ck_assert_int_eq(c.op, KMSCAPCTL_VERSION);
	ck_assert_int_eq(PARSE(&c, err, "help"), 0);
	ck_assert_int_eq(c.op, KMSCAPCTL_HELP);
}
END_TEST

START_TEST(test_help_anywhere)
{
	struct kmscapctl_cmd c;
	char err[256];

	ck_assert_int_eq(PARSE(&c, err, "--help"), 0);
	ck_assert_int_eq(c.op, KMSCAPCTL_HELP);
	ck_assert_int_eq(PARSE(&c, err, "-h"), 0);
	ck_assert_int_eq(c.op, KMSCAPCTL_HELP);
	/* even after an invalid mode */
	ck_assert_int_eq(PARSE(&c, err, "add", "0x0", "--help"), 0);
	ck_assert_int_eq(c.op, KMSCAPCTL_HELP);
}
END_TEST

/*
 * The control device: --kmscap-device, -d, and --device, its old name,
 * which still works and leaves a notice naming the new one.
 */
static const struct {
	int argc;
	char *argv[6];
	const char *device;
	int notice;
} device_args[] = {
	{ 4, { "kmscapctl", "--kmscap-device", "/tmp/x", "list" }, "/tmp/x", 0 },
	{ 5, { "kmscapctl", "-d", "/tmp/y", "remove", "1" }, "/tmp/y", 0 },
	{ 3, { "kmscapctl", "list", "--kmscap-device=/tmp/z" }, "/tmp/z", 0 },
	{ 4, { "kmscapctl", "--device", "/tmp/x", "list" }, "/tmp/x", 1 },
	{ 3, { "kmscapctl", "list", "--device=/tmp/z" }, "/tmp/z", 1 },
	/* the new name after the old one: the last path wins, the notice stays */
	{ 6, { "kmscapctl", "--device", "/tmp/a", "--kmscap-device", "/tmp/b", "list" },
	  "/tmp/b", 1 },
};

START_TEST(test_device_option)
{
	struct kmscapctl_cmd c;
	char err[256];

	ck_assert_int_eq(kmscapctl_parse_args(device_args[_i].argc, device_args[_i].argv, &c,
					      err, sizeof(err)), 0);
	ck_assert_str_eq(c.device, device_args[_i].device);
	ck_assert_int_ne(c.op, KMSCAPCTL_HELP);
	if (device_args[_i].notice) {
		ck_assert_str_eq(c.notice, KMSCAPCTL_DEVICE_NOTICE);
		ck_assert_ptr_nonnull(strstr(c.notice, "--kmscap-device"));
	} else {
		ck_assert_ptr_null(c.notice);
	}
}
END_TEST

struct bad_args {
	int argc;
	char *argv[6];
	const char *err;
};

static const struct bad_args bad_args[] = {
	{ 1, { "kmscapctl" }, "kmscapctl: missing command (try --help)" },
	{ 2, { "kmscapctl", "frobnicate" },
	  "kmscapctl: unknown command 'frobnicate' (try --help)" },
	{ 2, { "kmscapctl", "--frob" }, "kmscapctl: unknown option '--frob' (try --help)" },
	{ 3, { "kmscapctl", "list", "--kmscap-device" }, "kmscapctl: --kmscap-device needs a PATH" },
	{ 3, { "kmscapctl", "--kmscap-device=", "list" },
	  "kmscapctl: --kmscap-device needs a non-empty PATH" },
	{ 4, { "kmscapctl", "-d", "", "list" }, "kmscapctl: -d needs a non-empty PATH" },
	{ 3, { "kmscapctl", "list", "--device" }, "kmscapctl: --device needs a PATH" },
	{ 3, { "kmscapctl", "--device=", "list" }, "kmscapctl: --device needs a non-empty PATH" },
	{ 2, { "kmscapctl", "add" },
	  "kmscapctl: add: missing MODE (usage: kmscapctl add MODE [--disconnected])" },
	{ 3, { "kmscapctl", "add", "0x0" },
	  "invalid mode '0x0': width and height must be 64..8192" },
	{ 3, { "kmscapctl", "add", "1920x1080@60Hz" },
	  "invalid mode '1920x1080@60Hz': unexpected characters after the refresh rate" },
	{ 4, { "kmscapctl", "add", "1920x1080", "extra" },
	  "kmscapctl: add: too many arguments (usage: kmscapctl add MODE [--disconnected])" },
	{ 2, { "kmscapctl", "set-mode" },
	  "kmscapctl: set-mode: missing ID (usage: kmscapctl set-mode ID MODE [--in-place])" },
	{ 3, { "kmscapctl", "set-mode", "1" },
	  "kmscapctl: set-mode: missing MODE (usage: kmscapctl set-mode ID MODE [--in-place])" },
	{ 4, { "kmscapctl", "set-mode", "x", "1920x1080" },
	  "kmscapctl: invalid display id 'x': expected a number" },
	{ 4, { "kmscapctl", "set-mode", "1", "0x0" },
	  "invalid mode '0x0': width and height must be 64..8192" },
	{ 2, { "kmscapctl", "connect" },
	  "kmscapctl: connect: missing ID (usage: kmscapctl connect ID)" },
	{ 3, { "kmscapctl", "disconnect", "abc" },
	  "kmscapctl: invalid display id 'abc': expected a number" },
	{ 3, { "kmscapctl", "remove", "4294967296" },
	  "kmscapctl: invalid display id '4294967296': expected a number" },
	{ 3, { "kmscapctl", "remove", "-1" }, "kmscapctl: unknown option '-1' (try --help)" },
	{ 4, { "kmscapctl", "remove", "--", "-1" },
	  "kmscapctl: invalid display id '-1': expected a number" },
	{ 3, { "kmscapctl", "remove", "" }, "kmscapctl: invalid display id '': expected a number" },
	{ 3, { "kmscapctl", "remove", "7x" },
	  "kmscapctl: invalid display id '7x': expected a number" },
	{ 4, { "kmscapctl", "remove", "1", "2" },
	  "kmscapctl: remove: too many arguments (usage: kmscapctl remove ID)" },
	{ 3, { "kmscapctl", "list", "1" },
	  "kmscapctl: list: too many arguments (usage: kmscapctl list)" },
	{ 4, { "kmscapctl", "stats", "1", "2" },
	  "kmscapctl: stats: too many arguments (usage: kmscapctl stats [ID])" },
	{ 3, { "kmscapctl", "stats", "one" },
	  "kmscapctl: invalid display id 'one': expected a number" },
	{ 3, { "kmscapctl", "list", "--disconnected" },
	  "kmscapctl: --disconnected is only valid with add" },
	{ 2, { "kmscapctl", "-d" }, "kmscapctl: -d needs a PATH" },
	{ 3, { "kmscapctl", "--version", "list" }, "kmscapctl: --version takes no command" },
	{ 6, { "kmscapctl", "a", "b", "c", "d", "e" },
	  "kmscapctl: too many arguments (try --help)" },
};

START_TEST(test_bad_args)
{
	const struct bad_args *b = &bad_args[_i];
	struct kmscapctl_cmd c;
	char err[256];

	memset(err, 'z', sizeof(err));
	ck_assert_int_eq(kmscapctl_parse_args(b->argc, b->argv, &c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, b->err);
}
END_TEST

START_TEST(test_parse_id)
{
	uint32_t id = 5;

	ck_assert_int_eq(kmscapctl_parse_id("0", &id), 0);
	ck_assert_uint_eq(id, 0);
	ck_assert_int_eq(kmscapctl_parse_id("4294967295", &id), 0);
	ck_assert_uint_eq(id, 4294967295u);
	ck_assert_int_eq(kmscapctl_parse_id("007", &id), 0);
	ck_assert_uint_eq(id, 7);
	id = 5;
	ck_assert_int_eq(kmscapctl_parse_id("4294967296", &id), -ERANGE);
	ck_assert_int_eq(kmscapctl_parse_id("99999999999999999999999", &id), -ERANGE);
	ck_assert_int_eq(kmscapctl_parse_id("", &id), -EINVAL);
	ck_assert_int_eq(kmscapctl_parse_id(NULL, &id), -EINVAL);
	ck_assert_int_eq(kmscapctl_parse_id(" 1", &id), -EINVAL);
	ck_assert_int_eq(kmscapctl_parse_id("+1", &id), -EINVAL);
	ck_assert_int_eq(kmscapctl_parse_id("0x10", &id), -EINVAL);
	ck_assert_uint_eq(id, 5);	/* untouched on failure */
}
END_TEST

/* ---- the built tool ---------------------------------------------------- */

struct run_result {
	int status;
	char out[4096];
	char err[4096];
};

static void read_all(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
}

/* Run the tool with @argv, as @uid if not -1; stdout/stderr into @res. */
static void run_tool(char *const argv[], uid_t uid, struct run_result *res)
{
	char outp[] = "/tmp/kmscapctl-out-XXXXXX", errp[] = "/tmp/kmscapctl-err-XXXXXX";
	int out = mkstemp(outp), err = mkstemp(errp), st;
	pid_t pid;

	ck_assert_int_ge(out, 0);
	ck_assert_int_ge(err, 0);
	unlink(outp);
	unlink(errp);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(out, 1);
		dup2(err, 2);
		unsetenv(KMSCAP_DEVICE_ENV);
		if (uid != (uid_t)-1 && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(125);
		execv(KMSCAPCTL_BIN, argv);
		_exit(126);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	res->status = WEXITSTATUS(st);
	lseek(out, 0, SEEK_SET);
	lseek(err, 0, SEEK_SET);
	read_all(out, res->out, sizeof(res->out));
	read_all(err, res->err, sizeof(res->err));
	close(out);
	close(err);
}

#define NEED_TOOL()								\
	do {									\
		if (access(KMSCAPCTL_BIN, X_OK))				\
			KMSCAP_SKIP(KMSCAPCTL_BIN " is not built");		\
	} while (0)

START_TEST(test_tool_no_device)
{
	struct run_result r;

	NEED_TOOL();
	run_tool(ARGV("--kmscap-device", "/nonexistent/kmscap", "list"), -1, &r);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err,
			 "/nonexistent/kmscap: no such device — is the kmscap module loaded?\n");
	ck_assert_str_eq(r.out, "");

	run_tool(ARGV("--kmscap-device", "/dev/null", "remove", "7"), -1, &r);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "/dev/null: not a kmscap device\n");

	/* the old name: the notice first, then the same error */
	run_tool(ARGV("--device", "/dev/null", "remove", "7"), -1, &r);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, KMSCAPCTL_DEVICE_NOTICE "\n/dev/null: not a kmscap device\n");
}
END_TEST

START_TEST(test_tool_usage_errors)
{
	struct run_result r;

	NEED_TOOL();
	/* parsed before the device is opened: no device needed */
	run_tool(ARGV("-d", "/nonexistent/kmscap", "add", "0x0"), -1, &r);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "invalid mode '0x0': width and height must be 64..8192\n");

	run_tool(ARGV("frobnicate"), -1, &r);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "kmscapctl: unknown command 'frobnicate' (try --help)\n");

	run_tool(ARGV("--help"), -1, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err, "");
	ck_assert_ptr_nonnull(strstr(r.out, "usage: kmscapctl"));
	ck_assert_ptr_nonnull(strstr(r.out, "set-mode ID MODE"));
}
END_TEST

START_TEST(test_tool_permission_denied)
{
	char dir[] = "/tmp/kmscapctl-perm-XXXXXX";
	char path[64], *argv[5];
	struct run_result r;
	uid_t uid = geteuid();
	int fd;

	NEED_TOOL();
	ck_assert_ptr_nonnull(mkdtemp(dir));
	chmod(dir, 0755);
	snprintf(path, sizeof(path), "%s/kmscap", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	chmod(path, 0);
	argv[0] = "kmscapctl";
	argv[1] = "--kmscap-device";
	argv[2] = path;
	argv[3] = "list";
	argv[4] = NULL;

	if (uid == 0)
		uid = 65534;	/* root ignores file modes: drop to nobody */
	else
		uid = (uid_t)-1;
	if (uid != (uid_t)-1 && access(KMSCAPCTL_BIN, F_OK) == 0) {
		/* nobody must be able to run the tool from where it was built */
		run_tool(ARGV("--help"), uid, &r);
		if (r.status != 0) {
			unlink(path);
			rmdir(dir);
			KMSCAP_SKIP("cannot run " KMSCAPCTL_BIN " as uid 65534");
		}
	}
	run_tool(argv, uid, &r);
	unlink(path);
	rmdir(dir);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err,
				     ": permission denied — is your user in group kmscap?\n"));
	ck_assert_int_eq(strncmp(r.err, path, strlen(path)), 0);
}
END_TEST

static Suite *kmscapctl_suite(void)
{
	Suite *s = suite_create("kmscapctl");
	TCase *tc;

	tc = tcase_create("args");
	tcase_add_test(tc, test_add);
	tcase_add_test(tc, test_id_commands);
	tcase_add_test(tc, test_set_mode);
	tcase_add_test(tc, test_no_arg_commands);
	tcase_add_test(tc, test_help_anywhere);
	tcase_add_loop_test(tc, test_device_option, 0,
			    (int)(sizeof(device_args) / sizeof(device_args[0])));
	tcase_add_loop_test(tc, test_bad_args, 0, sizeof(bad_args) / sizeof(bad_args[0]));
	tcase_add_test(tc, test_parse_id);
	suite_add_tcase(s, tc);

	tc = tcase_create("tool");
	tcase_add_test(tc, test_tool_no_device);
	tcase_add_test(tc, test_tool_usage_errors);
	tcase_add_test(tc, test_tool_permission_denied);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kmscap_run_suite(kmscapctl_suite());
}
