// SPDX-License-Identifier: MIT
/*
 * Argument parsing: every option, both spellings, and the error text for
 * each kind of mistake.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ks_test.h"

#define KS_MAXARGS 64

/* Parse a NULL-terminated list of arguments (after the program name). */
static int ks_parse(struct ks_args *a, char *err, size_t errlen, ...)
{
	char *argv[KS_MAXARGS];
	int argc = 0;
	va_list ap;
	char *s;

	argv[argc++] = (char *)KS_PROG;
	va_start(ap, errlen);
	while ((s = va_arg(ap, char *)) && argc < KS_MAXARGS - 1)
		argv[argc++] = s;
	va_end(ap);
	argv[argc] = NULL;
	ks_args_init(a);
	return ks_args_parse(a, argc, argv, err, errlen);
}

/* The default hold timeout: 50 ms, or three refresh periods if longer. */
START_TEST(args_default_hold)
{
	ck_assert_uint_eq(ks_default_hold_ns(60000), 50000000ull);
	ck_assert_uint_eq(ks_default_hold_ns(144000), 50000000ull);
	ck_assert_uint_eq(ks_default_hold_ns(0), 50000000ull);
	ck_assert_uint_eq(ks_default_hold_ns(30000), 100000000ull);
	ck_assert_uint_eq(ks_default_hold_ns(10000), 300000000ull);
	ck_assert_uint_eq(ks_default_hold_ns(60001), 50000000ull);
}
END_TEST

START_TEST(args_defaults)
{
	struct ks_args a;
	char err[256];

	unsetenv(KS_THREADS_ENV);
	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "--display", "3", NULL), 0);
	ck_assert_uint_eq(a.threads, KS_DEFAULT_THREADS);
	ck_assert(a.have_display);
	ck_assert_uint_eq(a.display_id, 3);
	ck_assert(!a.create);
	ck_assert_str_eq(a.device, "/dev/dri/renderD128");
	ck_assert_ptr_null(a.kmscap_path);
	ck_assert_int_eq(a.codec, KS_CODEC_H264);
	ck_assert_int_eq(a.format, KS_FORMAT_RAW);
	ck_assert_str_eq(a.output, "-");
	ck_assert_int_eq(a.rc, KS_RC_CBR);
	ck_assert_uint_eq(a.bitrate, 8000000);
	ck_assert_uint_eq(a.gop, 0);
	ck_assert_int_eq(a.cursor, KS_CURSOR_COMPOSITE);
	ck_assert_int_eq(a.idle, KS_IDLE_SKIP);
	ck_assert(!a.stats && !a.json && !a.intra_refresh);
	ck_assert_uint_eq(a.frames, 0);
	ck_assert_uint_eq(a.duration_ns, 0);
	ck_assert_uint_eq(a.pool, KS_DEFAULT_POOL);
	ck_assert_ptr_null(a.control);
	ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(args_all_options)
{
	struct ks_args a;
	char err[256];
	int ret;

	ret = ks_parse(&a, err, sizeof(err), "--create", "1280x720@59.94", "--kmscap-device",
		       "/dev/kmscap1", "--render-node=/dev/dri/renderD129", "-o", "out.h264",
		       "--codec", "hevc", "--format", "matroska", "--rc=vbr", "--bitrate", "2500k", "--qp", "30",
		       "--gop", "120", "--intra-refresh", "--cursor=separate", "--cursor-out",
		       "cur.bin", "--idle", "repeat", "--stats", "--json", "--frames", "600",
		       "--duration", "1.5s", "--queue-depth", "2", "--hold-timeout", "20",
		       "--pool", "4", "--threads", "1", "--control", "/run/ks.ctl", NULL);
	ck_assert_msg(ret == 0, "parse failed: %s", err);
	ck_assert_uint_eq(a.threads, 1);
	ck_assert(a.create && !a.have_display);
	ck_assert_uint_eq(a.width, 1280);
	ck_assert_uint_eq(a.height, 720);
	ck_assert_uint_eq(a.refresh_mhz, 59940);
	ck_assert_str_eq(a.kmscap_path, "/dev/kmscap1");
	ck_assert_str_eq(a.device, "/dev/dri/renderD129");
	ck_assert_str_eq(a.output, "out.h264");
	ck_assert_int_eq(a.codec, KS_CODEC_HEVC);
	ck_assert_int_eq(a.format, KS_FORMAT_MATROSKA);
	ck_assert_int_eq(a.rc, KS_RC_VBR);
	ck_assert_uint_eq(a.bitrate, 2500000);
	ck_assert_uint_eq(a.qp, 30);
	ck_assert_uint_eq(a.gop, 120);
	ck_assert(a.intra_refresh);
	ck_assert_int_eq(a.cursor, KS_CURSOR_SEPARATE);
	ck_assert_str_eq(a.cursor_out, "cur.bin");
	ck_assert_int_eq(a.idle, KS_IDLE_REPEAT);
	ck_assert(a.stats && a.json);
	ck_assert_uint_eq(a.frames, 600);
	ck_assert_uint_eq(a.duration_ns, 1500000000ull);
	ck_assert_uint_eq(a.queue_depth, 2);
	ck_assert_uint_eq(a.hold_timeout_ns, 20000000ull);
	ck_assert_uint_eq(a.pool, 4);
	ck_assert_str_eq(a.control, "/run/ks.ctl");
	/* the other spelling */
	ret = ks_parse(&a, err, sizeof(err), "--display", "1", "--control=ctl.fifo", NULL);
	ck_assert_msg(ret == 0, "parse failed: %s", err);
	ck_assert_str_eq(a.control, "ctl.fifo");
}
END_TEST

START_TEST(args_reparse)
{
	struct ks_args a;
	char err[256];

	/* getopt state must not leak from one parse to the next */
	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "--display", "1", "--stats", NULL), 0);
	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "--display", "2", NULL), 0);
	ck_assert_uint_eq(a.display_id, 2);
	ck_assert(!a.stats);
}
END_TEST

START_TEST(args_help_version)
{
	struct ks_args a;
	char err[256];

	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "--help", NULL), 0);
	ck_assert(a.help);
	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "-h", NULL), 0);
	ck_assert(a.help);
	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "--version", NULL), 0);
	ck_assert(a.version);
}
END_TEST

/*
 * --kmscap and --device, the old names of --kmscap-device and
 * --render-node: they still work, and each leaves one notice naming the
 * new name; the new names leave none.
 */
START_TEST(args_old_names)
{
	struct ks_args a;
	char err[256];

	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "--display", "1", "--kmscap-device",
				  "/dev/kmscap1", "--render-node", "/dev/dri/renderD129", NULL), 0);
	ck_assert_str_eq(a.kmscap_path, "/dev/kmscap1");
	ck_assert_str_eq(a.device, "/dev/dri/renderD129");
	ck_assert_uint_eq(a.notices, 0);

	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "--display", "1", "--device",
				  "/dev/dri/renderD130", NULL), 0);
	ck_assert_str_eq(a.device, "/dev/dri/renderD130");
	ck_assert_ptr_null(a.kmscap_path);
	ck_assert_uint_eq(a.notices, 1);
	ck_assert_str_eq(a.notice[0], KS_NOTICE_DEVICE);
	ck_assert_ptr_nonnull(strstr(a.notice[0], "--render-node"));

	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "--display", "1", "--kmscap=/dev/k2",
				  "--device=/dev/dri/renderD131", "--kmscap", "/dev/k3", NULL), 0);
	ck_assert_str_eq(a.kmscap_path, "/dev/k3");
	ck_assert_str_eq(a.device, "/dev/dri/renderD131");
	ck_assert_uint_eq(a.notices, 2);	/* once each, however often used */
	ck_assert_str_eq(a.notice[0], KS_NOTICE_KMSCAP);
	ck_assert_ptr_nonnull(strstr(a.notice[0], "--kmscap-device"));
	ck_assert_str_eq(a.notice[1], KS_NOTICE_DEVICE);
}
END_TEST

struct ks_bad {
	const char *args[4];
	const char *msg;
};

static const struct ks_bad ks_bad_cases[] = {
	{ { NULL }, "no display: give --display ID or --create WxH[@HZ]" },
	{ { "--display", "1", "--create", "640x480" },
	  "--display and --create exclude each other" },
	{ { "--display", "x1" }, "--display: 'x1' is not a number" },
	{ { "--display", "-1" }, "--display: '-1' is not a number" },
	{ { "--display", "99999999999" }, "--display: 99999999999 is out of range 0..4294967295" },
	{ { "--create", "10x10" }, "--create: invalid mode '10x10': " },
	{ { "--create", "axb" }, "--create: invalid mode 'axb': " },
	{ { "--display", "1", "--codec", "vp9" },
	  "--codec: unknown value 'vp9' (expected h264, hevc, av1)" },
	{ { "--display", "1", "--format", "mp4" },
	  "--format: unknown value 'mp4' (expected raw, mpegts, matroska)" },
	{ { "--display", "1", "--rc", "abr" },
	  "--rc: unknown value 'abr' (expected cbr, vbr, cqp)" },
	{ { "--display", "1", "--bitrate", "fast" },
	  "--bitrate: 'fast' is not a bit rate (e.g. 8M, 2500k)" },
	{ { "--display", "1", "--bitrate", "5" }, "--bitrate: 5 is out of range 1k..1000M" },
	{ { "--display", "1", "--qp", "52" }, "--qp: 52 is out of range 0..51" },
	{ { "--display", "1", "--cursor", "overlay" },
	  "--cursor: unknown value 'overlay' (expected composite, separate)" },
	{ { "--display", "1", "--cursor", "separate" },
	  "--cursor separate needs --cursor-out FILE" },
	{ { "--display", "1", "--cursor-out", "x" }, "--cursor-out needs --cursor separate" },
	{ { "--display", "1", "--idle", "drop" },
	  "--idle: unknown value 'drop' (expected skip, repeat)" },
	{ { "--display", "1", "--frames", "0" }, "--frames: 0 is out of range 1.." },
	{ { "--display", "1", "--duration", "soon" },
	  "--duration: 'soon' is not a positive duration (e.g. 10, 10s, 500ms, 2m)" },
	{ { "--display", "1", "--duration", "0" },
	  "--duration: '0' is not a positive duration" },
	{ { "--display", "1", "--queue-depth", "65" }, "--queue-depth: 65 is out of range 1..64" },
	{ { "--display", "1", "--pool", "1" }, "--pool: 1 is out of range 2..16" },
	{ { "--display", "1", "--threads", "3" }, "--threads: 3 is out of range 1..2" },
	{ { "--display", "1", "--threads", "0" }, "--threads: 0 is out of range 1..2" },
	{ { "--display", "1", "--bogus" }, "unknown option '--bogus'" },
	{ { "--display", "1", "-x" }, "unknown option '-x'" },
	{ { "--display" }, "--display needs a value" },
	{ { "--display", "1", "extra" }, "unexpected argument 'extra'" },
	{ { "--display", "1", "-o", "" }, "--output: empty destination" },
	{ { "--display", "1", "--render-node", "" }, "--render-node: empty path" },
	{ { "--display", "1", "--device=" }, "--device: empty path" },
	{ { "--display", "1", "--kmscap-device=" }, "--kmscap-device: empty path" },
	{ { "--display", "1", "--kmscap", "" }, "--kmscap: empty path" },
	{ { "--display", "1", "--control", "" }, "--control: empty path" },
	{ { "--display", "1", "--control=" }, "--control: empty path" },
	{ { "--display", "1", "--control" }, "--control needs a value" },
};

START_TEST(args_errors)
{
	const struct ks_bad *b = &ks_bad_cases[_i];
	struct ks_args a;
	char err[256];
	int ret;

	ret = ks_parse(&a, err, sizeof(err), b->args[0], b->args[1], b->args[2], b->args[3],
		       NULL);
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_msg(!strncmp(err, b->msg, strlen(b->msg)), "case %d: got '%s', want '%s'",
		      _i, err, b->msg);
}
END_TEST

/* --threads, and its default from $KMSCAP_STREAM_THREADS (the option wins). */
START_TEST(args_threads)
{
	struct ks_args a;
	char err[256];

	unsetenv(KS_THREADS_ENV);
	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "--display", "1", "--threads=2", NULL), 0);
	ck_assert_uint_eq(a.threads, 2);
	ck_assert_int_eq(setenv(KS_THREADS_ENV, "1", 1), 0);
	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "--display", "1", NULL), 0);
	ck_assert_uint_eq(a.threads, 1);
	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "--display", "1", "--threads", "2", NULL),
			 0);
	ck_assert_uint_eq(a.threads, 2);
	ck_assert_int_eq(setenv(KS_THREADS_ENV, "2", 1), 0);
	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "--display", "1", NULL), 0);
	ck_assert_uint_eq(a.threads, 2);
	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "--display", "1", "--threads", "1", NULL),
			 0);
	ck_assert_uint_eq(a.threads, 1);
	ck_assert_int_eq(setenv(KS_THREADS_ENV, "3", 1), 0);
	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "--display", "1", NULL), -EINVAL);
	ck_assert_str_eq(err, "$KMSCAP_STREAM_THREADS: '3' is not 1 or 2");
	/* an explicit --threads does not look at the variable */
	ck_assert_int_eq(ks_parse(&a, err, sizeof(err), "--display", "1", "--threads", "1", NULL),
			 0);
	unsetenv(KS_THREADS_ENV);
}
END_TEST

START_TEST(args_durations)
{
	static const struct {
		const char *s;
		uint64_t ns;
	} ok[] = {
		{ "10", 10000000000ull }, { "10s", 10000000000ull }, { "500ms", 500000000ull },
		{ "2m", 120000000000ull }, { "1.5", 1500000000ull }, { "0.001", 1000000ull },
		{ "1.25ms", 1250000ull },
	};
	static const char *const bad[] = { "", "s", "1.", ".5", "1h", "-1", "1e3", "0",
					   "0.0000000001" };
	uint64_t ns;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(ks_parse_duration(ok[i].s, &ns) == 0, "'%s' refused", ok[i].s);
		ck_assert_msg(ns == ok[i].ns, "'%s' = %llu", ok[i].s, (unsigned long long)ns);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ks_parse_duration(bad[i], &ns) < 0, "'%s' accepted", bad[i]);
}
END_TEST

START_TEST(args_bitrates)
{
	static const struct {
		const char *s;
		uint32_t bps;
	} ok[] = {
		{ "8000000", 8000000 }, { "8M", 8000000 }, { "2500k", 2500000 },
		{ "2.5M", 2500000 }, { "1k", 1000 }, { "1000M", 1000000000 }, { "64K", 64000 },
	};
	static const char *const bad[] = { "", "M", "8G", "1001M", "999", "8 M", "-8M" };
	uint32_t bps;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(ks_parse_bitrate(ok[i].s, &bps) == 0, "'%s' refused", ok[i].s);
		ck_assert_msg(bps == ok[i].bps, "'%s' = %u", ok[i].s, bps);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ks_parse_bitrate(bad[i], &bps) < 0, "'%s' accepted", bad[i]);
}
END_TEST

START_TEST(args_names)
{
	ck_assert_str_eq(ks_codec_name(KS_CODEC_H264), "h264");
	ck_assert_str_eq(ks_codec_name(KS_CODEC_HEVC), "hevc");
	ck_assert_str_eq(ks_codec_name(KS_CODEC_AV1), "av1");
	ck_assert_str_eq(ks_rc_name(KS_RC_CQP), "cqp");
	ck_assert_str_eq(ks_format_name(KS_FORMAT_RAW), "raw");
	ck_assert_str_eq(ks_format_name(KS_FORMAT_MPEGTS), "mpegts");
	ck_assert_str_eq(ks_format_name(KS_FORMAT_MATROSKA), "matroska");
}
END_TEST

/* Run the binary with @argv (NULL-terminated); its stderr into @err, the exit status. */
static int run_bin(const char *const *argv, char *err, size_t errlen)
{
	int p[2], st, fd;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		fd = open("/dev/null", O_RDWR);
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	close(p[1]);
	while (len < errlen - 1 && (n = read(p[0], err + len, errlen - 1 - len)) > 0)
		len += (size_t)n;
	err[len] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * The binary opens --control after the output and before kmscap: a bad
 * path stops it (exit 1) with the path named; a FIFO is accepted (the
 * run then stops at the kmscap device, which does not exist).  Needs the
 * test VA driver, which stands in for a render node.
 */
START_TEST(args_control_binary)
{
	const char *drv = getenv("LIBVA_DRIVER_NAME");
	char node[600], ctl[600], err[4096], want[2048];
	const char *argv[16] = {
		ks_test_bin(), "--display", "1", "--render-node", node, "--rc", "cqp", "-o",
		"/dev/null", "--kmscap-device", "/nonexistent/kmscap", "--control", ctl, NULL,
	};
	int fd, status;

	if (access(ks_test_bin(), X_OK))
		ks_skip("%s was not built", ks_test_bin());
	if (!drv || strcmp(drv, "kmscap_test") || !getenv("LIBVA_DRIVERS_PATH"))
		ks_skip("the test VA driver is not set up (build tests/vadriver first)");
	snprintf(node, sizeof(node), "%s/args-control", ks_test_workdir());
	mkdir(node, 0755);
	snprintf(ctl, sizeof(ctl), "%s/args-control/ctl", ks_test_workdir());
	unlink(ctl);
	snprintf(node, sizeof(node), "%s/args-control/kmscap-va-fake-render", ks_test_workdir());
	fd = open(node, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	ck_assert_int_ge(fd, 0);
	close(fd);

	status = run_bin(argv, err, sizeof(err));
	snprintf(want, sizeof(want), KS_PROG ": --control %s: No such file or directory (create a "
		 "FIFO with mkfifo, or listen on a unix socket there)\n", ctl);
	ck_assert_msg(status == 1, "exit status %d; stderr: %s", status, err);
	ck_assert_str_eq(err, want);

	fd = open(ctl, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	status = run_bin(argv, err, sizeof(err));
	snprintf(want, sizeof(want), KS_PROG ": --control %s: not a FIFO or a unix socket\n", ctl);
	ck_assert_msg(status == 1, "exit status %d; stderr: %s", status, err);
	ck_assert_str_eq(err, want);

	/* a FIFO passes: the next step, the kmscap device, is what fails */
	ck_assert_int_eq(unlink(ctl), 0);
	ck_assert_int_eq(mkfifo(ctl, 0600), 0);
	status = run_bin(argv, err, sizeof(err));
	ck_assert_msg(status == 1, "exit status %d; stderr: %s", status, err);
	ck_assert_msg(!strstr(err, "--control") && strstr(err, "/nonexistent/kmscap"),
		      "stderr: %s", err);
	unlink(ctl);
}
END_TEST

Suite *ks_suite_args(void)
{
	Suite *s = suite_create("args");
	TCase *tc;

	KS_ADD(s, args_default_hold);
	KS_ADD(s, args_defaults);
	KS_ADD(s, args_all_options);
	KS_ADD(s, args_reparse);
	KS_ADD(s, args_help_version);
	KS_ADD(s, args_old_names);
	tc = tcase_create("args_errors");
	tcase_add_loop_test(tc, args_errors, 0, sizeof(ks_bad_cases) / sizeof(ks_bad_cases[0]));
	suite_add_tcase(s, tc);
	KS_ADD(s, args_threads);
	KS_ADD(s, args_durations);
	KS_ADD(s, args_bitrates);
	KS_ADD(s, args_names);
	KS_ADD(s, args_control_binary);
	return s;
}
