// SPDX-License-Identifier: MIT
/*
 * Error paths of the kmscap-stream binary: each one exits non-zero (2 for
 * usage errors, 1 otherwise), without a crash, with its exact message on
 * stderr.  Messages that libkmscap produces are computed here with
 * kmscap_strerror_ctx(), not copied.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libavformat/version.h>
#include <va/va.h>

#include "ks_test.h"
#include "libkmscap.h"

struct run {
	int status;		/* exit status, or 128 + signal */
	char err[4096];		/* stderr */
};

/* Run @bin with the arguments @ap; @as_nobody drops to uid 65534. */
static void run_bin_va(struct run *r, const char *bin, bool as_nobody, va_list ap)
{
	const char *argv[40];
	int argc = 0, p[2], st, fd;
	pid_t pid;
	ssize_t n;
	size_t len = 0;
	char *a;

	argv[argc++] = bin;
	while ((a = va_arg(ap, char *)) && argc < 39)
		argv[argc++] = a;
	argv[argc] = NULL;
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		fd = open("/dev/null", O_RDWR);
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		if (as_nobody && (setgid(65534) || setuid(65534)))
			_exit(126);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], r->err + len, sizeof(r->err) - 1 - len)) > 0)
		len += (size_t)n;
	r->err[len] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Run the binary with the NULL-terminated arguments; @as_nobody drops to uid 65534. */
static void run_bin(struct run *r, bool as_nobody, ...)
{
	va_list ap;

	if (access(ks_test_bin(), X_OK))
		ks_skip("%s was not built", ks_test_bin());
	va_start(ap, as_nobody);
	run_bin_va(r, ks_test_bin(), as_nobody, ap);
	va_end(ap);
}

/* Run @bin (a copy of the binary) with the NULL-terminated arguments. */
static void run_bin_at(struct run *r, const char *bin, ...)
{
	va_list ap;

	va_start(ap, bin);
	run_bin_va(r, bin, false, ap);
	va_end(ap);
}

static void expect(const struct run *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Exit @status and stderr exactly "kmscap-stream: <message>\n". */
static void expect(const struct run *r, int status, const char *fmt, ...)
{
	char msg[2048], want[2100];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(want, sizeof(want), KS_PROG ": %s\n", msg);
	ck_assert_msg(r->status == status, "exit status %d, expected %d; stderr: %s", r->status,
		      status, r->err);
	ck_assert_str_eq(r->err, want);
}

static bool have_test_driver(void)
{
	const char *name = getenv("LIBVA_DRIVER_NAME");

	return name && !strcmp(name, "kmscap_test") && getenv("LIBVA_DRIVERS_PATH");
}

/* A fake render node the test driver's shim accepts, readable by everyone. */
static const char *fake_node(void)
{
	static char path[600];
	int fd;

	if (!have_test_driver())
		ks_skip("the test VA driver is not set up (build tests/vadriver first)");
	snprintf(path, sizeof(path), "%s/errors", ks_test_workdir());
	mkdir(path, 0755);
	chmod(path, 0755);
	snprintf(path, sizeof(path), "%s/errors/kmscap-va-fake-render", ks_test_workdir());
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	ck_assert_int_ge(fd, 0);
	fchmod(fd, 0666);
	close(fd);
	return path;
}

START_TEST(errors_usage)
{
	struct run r;

	run_bin(&r, false, "--display", "1", "--codec", "vp9", NULL);
	expect(&r, 2, "--codec: unknown value 'vp9' (expected h264, hevc, av1) (see --help)");
	run_bin(&r, false, "--display", "1", "--format", "mp4", NULL);
	expect(&r, 2, "--format: unknown value 'mp4' (expected raw, mpegts, matroska) (see --help)");
	run_bin(&r, false, NULL);
	expect(&r, 2, "no display: give --display ID or --create WxH[@HZ] (see --help)");
	run_bin(&r, false, "--create", "9x9", "--display", "1", NULL);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(!strncmp(r.err, KS_PROG ": --create: invalid mode '9x9': ", 38), "%s",
		      r.err);
}
END_TEST

START_TEST(errors_help_version)
{
	struct run r;

	run_bin(&r, false, "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err, "");
	run_bin(&r, false, "--version", NULL);
	ck_assert_int_eq(r.status, 0);
}
END_TEST

START_TEST(errors_no_render_node)
{
	struct run r;

	run_bin(&r, false, "--display", "1", "--render-node", "/nonexistent/renderD128", NULL);
	expect(&r, 1, "no VA-API device at /nonexistent/renderD128 (set --render-node)");
	/* the old name: the same error, after one notice naming the new one */
	run_bin(&r, false, "--display", "1", "--device", "/nonexistent/renderD128", NULL);
	expect(&r, 1, "%s\n" KS_PROG ": no VA-API device at /nonexistent/renderD128 "
	       "(set --render-node)", KS_NOTICE_DEVICE);
	if (!access("/dev/dri/renderD128", F_OK))
		return;	/* the default exists here; the explicit case above covers it */
	run_bin(&r, false, "--display", "1", NULL);
	expect(&r, 1, "no VA-API device at /dev/dri/renderD128 (set --render-node)");
}
END_TEST

START_TEST(errors_render_node_permission)
{
	char path[600];
	struct run r;
	int fd;

	snprintf(path, sizeof(path), "%s/renderD-noperm", ks_test_workdir());
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	chmod(ks_test_workdir(), 0755);
	run_bin(&r, true, "--display", "1", "--render-node", path, NULL);
	if (r.status == 126)
		ks_skip("cannot switch to uid 65534 to test a permission error");
	expect(&r, 1, "%s: permission denied (is your user in group render?)", path);
}
END_TEST

/*
 * Run the binary with the VA profiles @hide ("17,18") hidden from it by
 * ks_hide_profiles.so (preloaded after the DRM shim).
 */
static void run_hidden(struct run *r, const char *hide, const char *codec, const char *node)
{
	const char *so = getenv("KS_HIDE_SO"), *pre = getenv("LD_PRELOAD");
	char *saved = pre ? strdup(pre) : NULL, env[1200];

	if (!so || access(so, R_OK))
		ks_skip("ks_hide_profiles.so was not built (KS_HIDE_SO)");
	snprintf(env, sizeof(env), "%s%s%s", pre ? pre : "", pre ? ":" : "", so);
	setenv("LD_PRELOAD", env, 1);
	setenv("KS_HIDE_PROFILES", hide, 1);
	run_bin(r, false, "--display", "1", "--render-node", node, "--codec", codec, NULL);
	unsetenv("KS_HIDE_PROFILES");
	if (saved)
		setenv("LD_PRELOAD", saved, 1);
	else
		unsetenv("LD_PRELOAD");
	free(saved);
}

/* A driver without the codec: exit 1, the codec and profile(s) named. */
START_TEST(errors_no_encoder)
{
	const char *node = fake_node();
	char hide[64];
	struct run r;

	snprintf(hide, sizeof(hide), "%d,%d", VAProfileHEVCMain, VAProfileHEVCMain10);
	run_hidden(&r, hide, "hevc", node);
	expect(&r, 1,
	       "the VA-API driver on %s has no encode entrypoint for HEVC (VAProfileHEVCMain)",
	       node);
	snprintf(hide, sizeof(hide), "%d", VAProfileAV1Profile0);
	run_hidden(&r, hide, "av1", node);
	expect(&r, 1,
	       "the VA-API driver on %s has no encode entrypoint for AV1 (VAProfileAV1Profile0)",
	       node);
	snprintf(hide, sizeof(hide), "%d,%d,%d", VAProfileH264High, VAProfileH264Main,
		 VAProfileH264ConstrainedBaseline);
	run_hidden(&r, hide, "h264", node);
	expect(&r, 1,
	       "the VA-API driver on %s has no encode entrypoint for H.264 (VAProfileH264High, Main or ConstrainedBaseline)",
	       node);
}
END_TEST

/* With the VA side fine, the kmscap side fails: the library's message. */
static void kmscap_open_error(const char *dev, bool as_nobody, int err)
{
	const char *node = fake_node();
	char lib[512];
	struct run r;

	run_bin(&r, as_nobody, "--display", "1", "--render-node", node, "--rc", "cqp",
		"--kmscap-device", dev, "-o", "/dev/null", NULL);
	if (as_nobody && r.status == 126)
		ks_skip("cannot switch to uid 65534 to test a permission error");
	kmscap_strerror_ctx(err, KMSCAP_ERR_OPEN, dev, lib, sizeof(lib));
	expect(&r, 1, "%s", lib);
}

START_TEST(errors_no_kmscap_device)
{
	kmscap_open_error("/nonexistent/kmscap", false, -ENOENT);
}
END_TEST

START_TEST(errors_not_kmscap_device)
{
	kmscap_open_error("/dev/null", false, -ENOTTY);
}
END_TEST

START_TEST(errors_kmscap_permission)
{
	char path[600];
	int fd;

	snprintf(path, sizeof(path), "%s/kmscap-noperm", ks_test_workdir());
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	kmscap_open_error(path, true, -EACCES);
}
END_TEST

START_TEST(errors_output)
{
	const char *node = fake_node();
	struct run r;

	run_bin(&r, false, "--display", "1", "--render-node", node, "--rc", "cqp", "-o",
		"/nonexistent/dir/out.h264", NULL);
	expect(&r, 1, "output /nonexistent/dir/out.h264: No such file or directory");
	run_bin(&r, false, "--display", "1", "--render-node", node, "--rc", "cqp", "-o",
		"tcp:localhost", NULL);
	expect(&r, 1, "output tcp:localhost: expected tcp:HOST:PORT");
	/* FFmpeg 5.1 has no AV1 in MPEG-TS: refused before anything is captured */
	run_bin(&r, false, "--display", "1", "--render-node", node, "--rc", "cqp", "--codec",
		"av1", "--format", "mpegts", "-o", "/dev/null", NULL);
	expect(&r, 1, "--format mpegts: kmscap-stream cannot put av1 into mpegts with this libavformat (%s); use --format matroska",
	       LIBAVFORMAT_IDENT);
}
END_TEST

/* A copy of the binary in @dir/bin (so that it finds no plugin next to it). */
static void copy_bin(const char *dir, char *path, size_t len)
{
	struct stat st;
	int in, out;

	snprintf(path, len, "%s/bin", dir);
	mkdir(dir, 0755);
	mkdir(path, 0755);
	snprintf(path, len, "%s/bin/" KS_PROG, dir);
	in = open(ks_test_bin(), O_RDONLY | O_CLOEXEC);
	ck_assert_msg(in >= 0, "%s: %s", ks_test_bin(), strerror(errno));
	ck_assert_int_eq(fstat(in, &st), 0);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ck_assert_msg(out >= 0, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(sendfile(out, in, NULL, (size_t)st.st_size), st.st_size);
	close(out);
	close(in);
}

/*
 * --format mpegts without the container plugin (DIR/lib/kmscap is where a
 * binary in DIR/bin looks when there is none next to it): the message
 * names the plugin and what dlopen() said, and nothing is opened before.
 * A file there that is no plugin: the same with its dlerror().
 */
START_TEST(errors_mux_plugin)
{
	char dir[600], bin[700], so[700], want[1500];
	struct run r;
	void *h;
	int fd;

	if (access(ks_test_bin(), X_OK))
		ks_skip("%s was not built", ks_test_bin());
	snprintf(dir, sizeof(dir), "%s/nomux", ks_test_workdir());
	copy_bin(dir, bin, sizeof(bin));
	snprintf(so, sizeof(so), "%s/lib/kmscap/kmscap-stream-mux.so", dir);
	unlink(so);
	ck_assert_ptr_null(dlopen(so, RTLD_NOW | RTLD_LOCAL));
	snprintf(want, sizeof(want), "--format mpegts needs %s: %s", so, dlerror());
	/* a render node that does not exist: the plugin is looked for first */
	run_bin_at(&r, bin, "--display", "1", "--render-node", "/nonexistent/render",
		   "--format", "mpegts", "-o", "/dev/null", NULL);
	expect(&r, 1, "%s", want);

	snprintf(want, sizeof(want), "%s/lib", dir);
	mkdir(want, 0755);
	snprintf(want, sizeof(want), "%s/lib/kmscap", dir);
	mkdir(want, 0755);
	fd = open(so, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "not a library\n", 14), 14);
	close(fd);
	h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	ck_assert_ptr_null(h);
	snprintf(want, sizeof(want), "--format matroska needs %s: %s", so, dlerror());
	run_bin_at(&r, bin, "--display", "1", "--render-node", "/nonexistent/render",
		   "--format", "matroska", "-o", "/dev/null", NULL);
	expect(&r, 1, "%s", want);
	unlink(so);
}
END_TEST

/* Needs a real /dev/kmscap: in the VM. */
START_TEST(errors_no_such_display)
{
	const char *dev = getenv(KMSCAP_DEVICE_ENV) ? getenv(KMSCAP_DEVICE_ENV) : "/dev/kmscap";
	struct kmscap_dev *d;
	char lib[512];
	struct run r;

	if (kmscap_open(dev, &d))
		ks_skip("no kmscap module here (%s): runs in the VM", dev);
	kmscap_close(d);
	run_bin(&r, false, "--display", "4000000000", "--render-node", fake_node(), "--rc", "cqp",
		"-o", "/dev/null", NULL);
	kmscap_strerror_ctx(-ENOENT, KMSCAP_ERR_DISPLAY, "4000000000", lib, sizeof(lib));
	expect(&r, 1, "%s", lib);
}
END_TEST

Suite *ks_suite_errors(void)
{
	Suite *s = suite_create("errors");

	KS_ADD(s, errors_usage);
	KS_ADD(s, errors_help_version);
	KS_ADD(s, errors_no_render_node);
	KS_ADD(s, errors_render_node_permission);
	KS_ADD(s, errors_no_encoder);
	KS_ADD(s, errors_no_kmscap_device);
	KS_ADD(s, errors_not_kmscap_device);
	KS_ADD(s, errors_kmscap_permission);
	KS_ADD(s, errors_output);
	KS_ADD(s, errors_mux_plugin);
	KS_ADD(s, errors_no_such_display);
	return s;
}
