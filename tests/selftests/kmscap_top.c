// SPDX-License-Identifier: MIT
/*
 * kmscap_top: the real kmscap-top (user/top/kmscap-top.c, BPF on the kmscap
 * tracepoints) agrees exactly with the module's own counters.
 *  1. kmscap-top --json runs while N frames are flipped and a client
 *     reads and releases each: its last JSON object must give that client
 *     the flips, reads, deliveries and drops of KMSCAP_IOC_STATS, N
 *     samples in its flip->read and hold histograms, and the display N
 *     frames, N flip dones and N publish->done samples, nothing lost.
 *  2. A client reads M frames flipped between two buffers and releases
 *     none (20 ms hold): kmscap-top must count its revocations as STATS
 *     counts dropped_timeout, and the compositor's waits (count and
 *     histogram) as debugfs counts hold_waits, each of about 20 ms.
 *  3. -n 2 prints two objects and exits by itself; the table and --hist
 *     views print their headers and the samples of the runs above; as
 *     uid 1001 (no capabilities) it refuses to start, naming CAP_BPF and
 *     CAP_PERFMON; without tracefs (empty mounts over it, in a mount
 *     namespace of its own) it says how to mount it; a bad argument is
 *     exit status 2 with the value named; --display of another display
 *     sees no event, --uid of another user shows no client.
 * The tool is at KMSCAP_T_TOP (build/user/kmscap-top; make vm-check puts
 * it into the VM with --extra); the test skips, saying so, without it.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmscap_test.h"

#ifndef KMSCAP_T_TOP
#define KMSCAP_T_TOP "/usr/local/sbin/kmscap-top"
#endif

#define W 320
#define H 240
#define N_FRAMES 30
#define N_STALL 8
#define OUT "/tmp/kmscap_top.out"
#define ERR "/tmp/kmscap_top.err"

static struct kmscap_t_kms k;
static struct kmscap_t_buf buf[2];
static unsigned int on_screen;
static uint32_t display_id;

static void kmscap_flip_next(void)
{
	int r = kmscap_t_flip(&k, buf[!on_screen].fb_id, 5000);

	KT_ASSERT(!r, "flip: %s", kmscap_t_errname(r));
	on_screen = !on_screen;
}

static char *kmscap_slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *s;
	long n;

	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = calloc(1, n + 1);
	KT_ASSERT(s, "out of memory");
	n = fread(s, 1, n, f);
	s[n > 0 ? n : 0] = 0;
	fclose(f);
	return s;
}

static void kmscap_show(const char *what, const char *path)
{
	char *s = kmscap_slurp(path);

	kmscap_t_log("%s:\n%s", what, s);
	free(s);
}

static uid_t kmscap_top_uid;
/* Hide tracefs from kmscap-top (a mount namespace with tmpfs over it). */
static bool kmscap_top_no_tracefs;
/* kmscap-top is expected to fail: kmscap_top_start() does not wait for it. */
static bool kmscap_top_fails;

/* Start kmscap-top with @args (as kmscap_top_uid); return once it traces. */
static pid_t kmscap_top_start(const char *const *args)
{
	const char *argv[12] = { KMSCAP_T_TOP };
	uint64_t t0 = kmscap_t_now_ns();
	unsigned int i;
	pid_t pid;

	for (i = 0; args[i] && i + 2 < KMSCAP_T_ARRAY_SIZE(argv); i++)
		argv[i + 1] = args[i];
	unlink(OUT);
	unlink(ERR);
	pid = fork();
	KT_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		int out = open(OUT, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int err = open(ERR, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(126);
		if (kmscap_top_uid)
			kmscap_t_become(kmscap_top_uid, NULL, 0);
		if (kmscap_top_no_tracefs &&
		    (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		     mount("tmpfs", "/sys/kernel/debug", "tmpfs", 0, NULL) ||
		     mount("tmpfs", "/sys/kernel/tracing", "tmpfs", 0, NULL)))
			_exit(125);
		execv(KMSCAP_T_TOP, (char *const *)argv);
		_exit(127);
	}
	for (;;) {
		char *e = kmscap_slurp(ERR);
		bool ready = strstr(e, "kmscap-top: tracing") != NULL;
		int status;

		free(e);
		if (ready || kmscap_top_fails)
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			kmscap_show("kmscap-top's errors", ERR);
			kmscap_t_fail("%s exited (status 0x%x) before tracing", KMSCAP_T_TOP, status);
		}
		if (kmscap_t_now_ns() - t0 > 60000000000ull) {
			kill(pid, SIGKILL);
			kmscap_show("kmscap-top's errors", ERR);
			kmscap_t_fail("%s: not tracing after 60 s", KMSCAP_T_TOP);
		}
		kmscap_t_sleep_ms(50);
	}
}

/* SIGINT (unless it exits by itself): it prints a last interval. Its output. */
static char *kmscap_top_stop(pid_t pid, bool signal)
{
	int status;

	if (signal)
		kill(pid, SIGINT);
	status = kmscap_t_wait_child(pid);
	if (status) {
		kmscap_show("kmscap-top's errors", ERR);
		kmscap_t_fail("%s exited with status %d", KMSCAP_T_TOP, status);
	}
	return kmscap_slurp(OUT);
}

/* The last line of @out. */
static const char *kmscap_last_line(char *out)
{
	size_t n = strlen(out);
	char *p;

	KT_ASSERT(n > 0, "kmscap-top printed nothing");
	if (out[n - 1] == '\n')
		out[n - 1] = 0;
	p = strrchr(out, '\n');
	return p ? p + 1 : out;
}

/* The JSON object starting at @start (a '{'), copied. */
static char *kmscap_object(const char *start)
{
	int depth = 0;
	const char *p;

	for (p = start; *p; p++) {
		if (*p == '{')
			depth++;
		else if (*p == '}' && !--depth)
			return strndup(start, p - start + 1);
	}
	kmscap_t_fail("unterminated JSON object: %.200s", start);
}

/* The display object of @id, or the only client object on display @id. */
static char *kmscap_find(const char *line, bool client, uint32_t id)
{
	char pat[48];
	const char *p;
	char *found = NULL;

	if (!client) {
		snprintf(pat, sizeof(pat), "{\"display\":%u,", id);
		p = strstr(line, pat);
		KT_ASSERT(p, "no display %u in kmscap-top's output: %s", id, line);
		return kmscap_object(p);
	}
	snprintf(pat, sizeof(pat), "\"display\":%u,", id);
	for (p = strstr(line, "{\"client\":"); p; p = strstr(p + 1, "{\"client\":")) {
		char *o = kmscap_object(p);

		if (!strstr(o, pat)) {
			free(o);
			continue;
		}
		KT_ASSERT(!found, "two clients on display %u in kmscap-top's output: %s", id, line);
		found = o;
	}
	KT_ASSERT(found, "no client on display %u in kmscap-top's output: %s", id, line);
	return found;
}

static long long kmscap_num(const char *obj, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(obj, pat);
	KT_ASSERT(p, "no \"%s\" in %s", key, obj);
	return strtoll(p + strlen(pat), NULL, 10);
}

/*
 * Stops kmscap-top @top once the last flip's done has had a moment to
 * follow its userspace event; its last JSON object (in *@out, to free),
 * which must have lost nothing.
 */
static const char *kmscap_top_finish(pid_t top, char **out)
{
	const char *line;

	kmscap_t_sleep_ms(300);
	*out = kmscap_top_stop(top, true);
	line = kmscap_last_line(*out);
	kmscap_t_log("kmscap-top's last object: %s", line);
	KT_ASSERT(kmscap_num(line, "lost") == 0, "kmscap-top lost events: %s", line);
	return line;
}

static void kmscap_expect(const char *obj, const char *key, unsigned long long want,
			  const char *what)
{
	long long got = kmscap_num(obj, key);

	kmscap_t_log("%s %-24s %lld (expected %llu)", what, key, got, want);
	KT_ASSERT(got >= 0 && (unsigned long long)got == want,
		  "%s: kmscap-top says %s %lld, the module %llu: %s", what, key, got, want, obj);
}

static void kmscap_expect_true(const char *obj, const char *key, bool want, const char *what)
{
	char pat[64];

	snprintf(pat, sizeof(pat), "\"%s\":%s", key, want ? "true" : "false");
	KT_ASSERT(strstr(obj, pat), "%s: %s expected in %s", what, pat, obj);
}

static uint64_t kmscap_dstat(const char *key)
{
	uint64_t v;
	int r = kmscap_t_debugfs_stat(display_id, key, &v);

	KT_ASSERT(!r, "debugfs display-%u stats %s: %s", display_id, key, kmscap_t_errname(r));
	return v;
}

static void kmscap_scenario_prompt(void)
{
	char dstr[16], *out, *disp, *cl;
	const char *args[] = { "--json", "--interval", "0.5", "--display", dstr, NULL };
	struct kmscap_client_stats st;
	const char *line;
	unsigned int i;
	pid_t top;
	int fd;

	snprintf(dstr, sizeof(dstr), "%u", display_id);
	top = kmscap_top_start(args);
	fd = kmscap_t_client_or_die(display_id, 0, 0);
	for (i = 0; i < N_FRAMES; i++) {
		struct kmscap_event ev;
		int r;

		kmscap_flip_next();
		r = kmscap_t_read_event(fd, &ev, 5000);
		KT_ASSERT(r == 1, "frame %u: no event (%s)", i + 1, kmscap_t_errname(r));
		KT_EXPECT_RET(kmscap_t_release(fd, ev.seq), 0, "RELEASE");
	}
	KT_EXPECT_RET(kmscap_t_stats(fd, &st), 0, "STATS");
	kmscap_t_stats_check(&st, "prompt client");
	close(fd);
	line = kmscap_top_finish(top, &out);
	disp = kmscap_find(line, false, display_id);
	kmscap_expect(disp, "frames", N_FRAMES, "display");
	kmscap_expect(disp, "flip_done", N_FRAMES, "display");
	kmscap_expect(strstr(disp, "\"publish_done\":"), "count", N_FRAMES, "display publish_done");
	kmscap_expect(disp, "waits", 0, "display");
	cl = kmscap_find(line, true, display_id);
	kmscap_expect_true(cl, "partial", false, "prompt client");
	kmscap_expect_true(cl, "consistent", true, "prompt client");
	kmscap_expect_true(cl, "attached", false, "prompt client");
	kmscap_expect(cl, "flips", st.flips, "prompt client");
	kmscap_expect(cl, "read", N_FRAMES, "prompt client");
	kmscap_expect(cl, "delivered", st.delivered, "prompt client");
	kmscap_expect(cl, "dropped_queue", st.dropped_queue, "prompt client");
	kmscap_expect(cl, "dropped_timeout", st.dropped_timeout, "prompt client");
	kmscap_expect(strstr(cl, "\"flip_read\":"), "count", N_FRAMES, "prompt client flip_read");
	kmscap_expect(strstr(cl, "\"hold\":"), "count", N_FRAMES, "prompt client hold");
	KT_ASSERT(st.flips == N_FRAMES && st.delivered == N_FRAMES,
		  "STATS: flips %llu delivered %llu after %d flips read and released",
		  (unsigned long long)st.flips, (unsigned long long)st.delivered, N_FRAMES);
	free(disp);
	free(cl);
	free(out);
}

static void kmscap_scenario_stalled(void)
{
	char dstr[16], *out, *disp, *cl, *wait;
	const char *args[] = { "--json", "--interval", "0.5", "--display", dstr, NULL };
	struct kmscap_client_stats st;
	uint64_t waits0 = kmscap_dstat("hold_waits"), revoked0 = kmscap_dstat("revoked"), waits;
	const char *line;
	unsigned int i;
	pid_t top;
	int fd;

	snprintf(dstr, sizeof(dstr), "%u", display_id);
	top = kmscap_top_start(args);
	fd = kmscap_t_client_or_die(display_id, 0, 20000000ull);
	for (i = 0; i < N_STALL; i++) {
		struct kmscap_event ev;
		int r;

		kmscap_flip_next();
		r = kmscap_t_read_event(fd, &ev, 5000);
		KT_ASSERT(r == 1, "frame %u: no event (%s)", i + 1, kmscap_t_errname(r));
	}
	KT_EXPECT_RET(kmscap_t_stats(fd, &st), 0, "STATS");
	kmscap_t_stats_check(&st, "stalled client");
	kmscap_t_stats_print(&st, "stalled client");
	waits = kmscap_dstat("hold_waits") - waits0;
	KT_ASSERT(st.dropped_timeout == N_STALL - 1 && waits == N_STALL - 1 &&
		  kmscap_dstat("revoked") - revoked0 == N_STALL - 1,
		  "stalled client: dropped_timeout %llu, debugfs hold_waits +%llu, expected %d",
		  (unsigned long long)st.dropped_timeout, (unsigned long long)waits, N_STALL - 1);
	close(fd);
	line = kmscap_top_finish(top, &out);
	cl = kmscap_find(line, true, display_id);
	kmscap_expect_true(cl, "partial", false, "stalled client");
	kmscap_expect_true(cl, "consistent", true, "stalled client");
	kmscap_expect(cl, "flips", st.flips, "stalled client");
	kmscap_expect(cl, "read", N_STALL, "stalled client");
	kmscap_expect(cl, "revoked", st.dropped_timeout, "stalled client");
	kmscap_expect(cl, "dropped_timeout", st.dropped_timeout, "stalled client");
	kmscap_expect(cl, "delivered", st.delivered, "stalled client");
	kmscap_expect(strstr(cl, "\"reasons\":"), "timeout", st.dropped_timeout, "stalled client");
	kmscap_expect(strstr(cl, "\"flip_read\":"), "count", N_STALL, "stalled client flip_read");
	disp = kmscap_find(line, false, display_id);
	kmscap_expect(disp, "frames", N_STALL, "display");
	kmscap_expect(disp, "waits", waits, "display");
	kmscap_expect(disp, "flip_done", N_STALL, "display");
	wait = strstr(disp, "\"wait\":");
	kmscap_expect(wait, "count", waits, "display wait");
	KT_ASSERT(kmscap_num(wait, "p50_ns") >= 15000000 && kmscap_num(wait, "p50_ns") < 2000000000,
		  "the compositor's wait for a 20 ms hold: p50 %lld ns", kmscap_num(wait, "p50_ns"));
	free(disp);
	free(cl);
	free(out);
}

static void kmscap_scenario_count(void)
{
	const char *args[] = { "--json", "--interval", "0.2", "-n", "2", NULL };
	unsigned int lines = 0;
	char *out, *p;

	out = kmscap_top_stop(kmscap_top_start(args), false);
	for (p = out; (p = strchr(p, '\n')); p++)
		lines++;
	KT_ASSERT(lines == 2, "kmscap-top -n 2 printed %u lines: %s", lines, out);
	KT_ASSERT(strstr(out, "{\"interval\":2,"), "second object lacks \"interval\":2: %s", out);
	free(out);
}

/* A client reads and releases @n flips. */
static void kmscap_prompt_frames(unsigned int n)
{
	int fd = kmscap_t_client_or_die(display_id, 0, 0);
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct kmscap_event ev;
		int r;

		kmscap_flip_next();
		r = kmscap_t_read_event(fd, &ev, 5000);
		KT_ASSERT(r == 1, "frame %u: no event (%s)", i + 1, kmscap_t_errname(r));
		KT_EXPECT_RET(kmscap_t_release(fd, ev.seq), 0, "RELEASE");
	}
	close(fd);
	kmscap_t_sleep_ms(300);
}

/* Does a display line of the table say @frames and @done for display @id? */
static bool kmscap_table_has(const char *out, uint32_t id, unsigned int frames,
			     unsigned int done)
{
	const char *p;

	for (p = out; p; p = strchr(p, '\n')) {
		unsigned int i, f, d;
		double fps;

		while (*p == '\n')
			p++;
		if (sscanf(p, "%u %lf %u %u", &i, &fps, &f, &d) == 4 && i == id && f == frames &&
		    d == done)
			return true;
	}
	return false;
}

static void kmscap_scenario_views(void)
{
	const char *table[] = { "--interval", "0.3", NULL };
	const char *hist[] = { "--hist", "publish_done", "--interval", "0.3", NULL };
	char *out, *err, pat[64];
	int status;
	pid_t pid;

	pid = kmscap_top_start(table);
	kmscap_prompt_frames(5);
	out = kmscap_top_stop(pid, true);
	kmscap_t_log("kmscap-top's table:\n%s", out);
	KT_ASSERT(strstr(out, "DISPLAY") && strstr(out, "CLIENT") && strstr(out, "PUBLISH->DONE"),
		  "the table lacks its headers: %s", out);
	KT_ASSERT(kmscap_table_has(out, display_id, 5, 5),
		  "the table has no line of display %u with 5 frames and 5 flips done", display_id);
	free(out);

	pid = kmscap_top_start(hist);
	kmscap_prompt_frames(5);
	out = kmscap_top_stop(pid, true);
	kmscap_t_log("kmscap-top --hist publish_done:\n%s", out);
	snprintf(pat, sizeof(pat), "display %u publish_done: 5 samples", display_id);
	KT_ASSERT(strstr(out, pat), "--hist publish_done lacks '%s'", pat);
	free(out);

	/*
	 * Filters: another display's events never reach user space; the
	 * clients of another uid, and their displays, are not shown.
	 */
	{
		char other[16], dpat[32];
		const char *only_other[] = { "--json", "--interval", "0.3", "--display", other, NULL };
		const char *uid1001[] = { "--json", "--interval", "0.3", "--uid", "1001", NULL };

		snprintf(other, sizeof(other), "%u", display_id + 1000);
		snprintf(dpat, sizeof(dpat), "{\"display\":%u,", display_id);
		pid = kmscap_top_start(only_other);
		kmscap_prompt_frames(3);
		out = kmscap_top_stop(pid, true);
		KT_ASSERT(!strstr(out, dpat) && !strstr(out, "{\"client\":") &&
			  kmscap_num(kmscap_last_line(out), "events") == 0,
			  "kmscap-top --display %s saw display %u: %s", other, display_id, out);
		free(out);
		pid = kmscap_top_start(uid1001);
		kmscap_prompt_frames(3);
		out = kmscap_top_stop(pid, true);
		KT_ASSERT(!strstr(out, dpat) && !strstr(out, "{\"client\":") &&
			  kmscap_num(kmscap_last_line(out), "events") > 0,
			  "kmscap-top --uid 1001 showed root's client or its display (or saw no "
			  "events): %s", out);
		free(out);
	}

	/* No capabilities: a clear refusal. */
	kmscap_top_fails = true;
	kmscap_top_uid = 1001;
	pid = kmscap_top_start(table);
	kmscap_top_uid = 0;
	status = kmscap_t_wait_child(pid);
	err = kmscap_slurp(ERR);
	kmscap_t_log("kmscap-top as uid 1001: status %d: %s", status, err);
	KT_ASSERT(status == 1 && strstr(err, "CAP_BPF") && strstr(err, "CAP_PERFMON"),
		  "kmscap-top as uid 1001: exit status %d, errors '%s' (1 and a message naming "
		  "CAP_BPF and CAP_PERFMON expected)", status, err);
	free(err);

	/* No tracefs. */
	kmscap_top_no_tracefs = true;
	pid = kmscap_top_start(table);
	kmscap_top_no_tracefs = false;
	status = kmscap_t_wait_child(pid);
	err = kmscap_slurp(ERR);
	kmscap_t_log("kmscap-top without tracefs: status %d: %s", status, err);
	KT_ASSERT(status == 1 && strstr(err, "no tracefs") && strstr(err, "mount -t tracefs"),
		  "kmscap-top without tracefs: exit status %d, errors '%s' (1 and how to mount "
		  "tracefs expected)", status, err);
	free(err);

	/* Bad arguments: status 2, the value named. */
	{
		static const char *const bad[][3] = {
			{ "--interval", "0", NULL },
			{ "--hist", "latency", NULL },
			{ "--display", "x3", NULL },
		};
		unsigned int i;

		for (i = 0; i < KMSCAP_T_ARRAY_SIZE(bad); i++) {
			pid = kmscap_top_start(bad[i]);
			status = kmscap_t_wait_child(pid);
			err = kmscap_slurp(ERR);
			KT_ASSERT(status == 2 && strstr(err, bad[i][0]) && strstr(err, bad[i][1]),
				  "kmscap-top %s %s: exit status %d, errors '%s' (2, naming the "
				  "option and the value, expected)", bad[i][0], bad[i][1], status, err);
			free(err);
		}
	}
	kmscap_top_fails = false;
}

int main(void)
{
	struct kmscap_display_create c;
	int ctl, r;

	kmscap_t_init("kmscap_top", 110);
	ctl = kmscap_t_open_ctl_or_skip();
	if (access(KMSCAP_T_TOP, X_OK))
		kmscap_t_skip("%s: %s (not built: it needs clang, bpftool and libbpf-dev; make "
			      "vm-check puts it into the VM with --extra)", KMSCAP_T_TOP,
			      strerror(errno));
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	display_id = c.id;
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[0]);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[1]);
	r = kmscap_t_modeset(&k, buf[0].fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", c.card_minor, kmscap_t_errname(r));

	kmscap_scenario_prompt();
	kmscap_t_log("prompt client: ok");
	kmscap_scenario_stalled();
	kmscap_t_log("stalled client: ok");
	kmscap_scenario_count();
	kmscap_t_log("-n 2: ok");
	kmscap_scenario_views();
	kmscap_t_log("table, --hist, filters, no capabilities, no tracefs, bad arguments: ok");

	kmscap_t_buf_destroy(&buf[0]);
	kmscap_t_buf_destroy(&buf[1]);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("kmscap-top's counts and latency samples equal the module's counters");
}
