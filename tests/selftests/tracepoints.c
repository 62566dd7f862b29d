// SPDX-License-Identifier: MIT
/*
 * tracepoints: events/kmscap/ in tracefs records what the module counts.
 * With every kmscap event enabled, three clients in turn on one display:
 *  P  reads and releases each of N flips, exporting every new buffer;
 *  S  reads each of M flips between two buffers and releases none (20 ms
 *     hold): every flip after the first waits and revokes S's hold;
 *  O  never reads K flips of one buffer (queue depth 2): the queue overflows.
 * Then the trace must hold, for the test's display, exactly: a publish and
 * a flip done per frame (the debugfs frame count), a read per event read,
 * a release per RELEASE with its result, an export per EXPORT, a revoke
 * per S's dropped_timeout, a drop per O's dropped_queue, a wait start and
 * end per debugfs hold_wait, and an attach and a detach per client whose
 * detach carries the client's final KMSCAP_IOC_STATS.
 * Skips when tracefs cannot be found or mounted.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 320
#define H 240
#define N_PROMPT 20
#define N_STALL 6
#define N_OVERFLOW 6
#define MAX_LINES 4096

static struct kmscap_t_kms k;
static struct kmscap_t_buf buf[2];
static unsigned int on_screen, flips;
static uint32_t display_id;
static const char *tracefs;
static char *lines[MAX_LINES];
static unsigned int nlines;

static void kmscap_flip_to(unsigned int b)
{
	int r = kmscap_t_flip(&k, buf[b].fb_id, 5000);

	KT_ASSERT(!r, "flip %u: %s", flips + 1, kmscap_t_errname(r));
	on_screen = b;
	flips++;
}

static int kmscap_tf_write(const char *file, const char *val)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", tracefs, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static void kmscap_tf_write_or_die(const char *file, const char *val)
{
	int r = kmscap_tf_write(file, val);

	KT_ASSERT(!r, "write '%s' to %s/%s: %s", val, tracefs, file, kmscap_t_errname(r));
}

/* The value of "key=" in @line, or -1 when absent. */
static long long kmscap_field(const char *line, const char *key)
{
	char pat[40];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	if (!p)
		return -1;
	return strtoll(p + strlen(pat), NULL, 0);
}

static const char *kmscap_field_str(const char *line, const char *key, char *out, size_t len)
{
	char pat[40];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	out[0] = 0;
	if (!p)
		return out;
	p += strlen(pat);
	while (p[n] && p[n] != ' ' && p[n] != '\n' && n + 1 < len) {
		out[n] = p[n];
		n++;
	}
	out[n] = 0;
	return out;
}

/* Read the trace; keep the kmscap lines of our display. */
static void kmscap_trace_load(void)
{
	char path[128], line[512], pat[32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", tracefs);
	f = fopen(path, "re");
	KT_ASSERT(f, "open %s: %s", path, strerror(errno));
	snprintf(pat, sizeof(pat), " display=%u ", display_id);
	while (fgets(line, sizeof(line), f)) {
		const char *ev = strstr(line, ": kmscap_");

		if (!ev || !strstr(line, pat))
			continue;
		KT_ASSERT(nlines < MAX_LINES, "more than %d kmscap trace lines", MAX_LINES);
		lines[nlines++] = strdup(ev + 2);
	}
	fclose(f);
	kmscap_t_log("%u kmscap trace lines for display %u", nlines, display_id);
}

/* Lines of event @name (client @client unless 0, @key=@val unless key NULL). */
static unsigned int kmscap_count(const char *name, uint32_t client, const char *key,
				 long long val)
{
	size_t len = strlen(name);
	unsigned int i, n = 0;

	for (i = 0; i < nlines; i++) {
		if (strncmp(lines[i], name, len) || lines[i][len] != ':')
			continue;
		if (client && kmscap_field(lines[i], "client") != client)
			continue;
		if (key && kmscap_field(lines[i], key) != val)
			continue;
		n++;
	}
	return n;
}

static void kmscap_expect(const char *what, unsigned int got, unsigned long long want)
{
	kmscap_t_log("%-44s %u (expected %llu)", what, got, want);
	KT_ASSERT(got == want, "%s: %u trace events, the module counted %llu", what, got, want);
}

static struct kmscap_client_stats kmscap_stats(int fd, const char *what)
{
	struct kmscap_client_stats st;
	int r = kmscap_t_stats(fd, &st);

	KT_ASSERT(!r, "%s: STATS: %s", what, kmscap_t_errname(r));
	kmscap_t_stats_check(&st, what);
	return st;
}

static struct kmscap_event kmscap_read(int fd, const char *what)
{
	struct kmscap_event ev;
	int r = kmscap_t_read_event(fd, &ev, 5000);

	KT_ASSERT(r == 1 && ev.type == KMSCAP_EVENT_FRAME, "%s: no frame event (%s)", what,
		  kmscap_t_errname(r));
	return ev;
}

static uint64_t kmscap_dstat(const char *key)
{
	uint64_t v;
	int r = kmscap_t_debugfs_stat(display_id, key, &v);

	KT_ASSERT(!r, "/sys/kernel/debug/kmscap/display-%u/stats: %s: %s", display_id, key,
		  kmscap_t_errname(r));
	return v;
}

/* The detach event of @client must carry @st. */
static void kmscap_expect_detach(uint32_t client, const struct kmscap_client_stats *st,
				 const char *what)
{
	unsigned int i;

	for (i = 0; i < nlines; i++) {
		const char *l = lines[i];

		if (strncmp(l, "kmscap_client_detach:", 21) || kmscap_field(l, "client") != client)
			continue;
		KT_ASSERT((uint64_t)kmscap_field(l, "flips") == st->flips &&
			  (uint64_t)kmscap_field(l, "delivered") == st->delivered &&
			  (uint64_t)kmscap_field(l, "dropped_queue") == st->dropped_queue &&
			  (uint64_t)kmscap_field(l, "dropped_timeout") == st->dropped_timeout &&
			  (uint64_t)kmscap_field(l, "queued") == st->queued &&
			  (uint64_t)kmscap_field(l, "held") == st->held &&
			  kmscap_field(l, "uid") == (long long)getuid(),
			  "%s: detach event '%s' does not carry its final stats (flips %llu "
			  "delivered %llu dropped_queue %llu dropped_timeout %llu queued %llu "
			  "held %llu, uid %u)", what, l, (unsigned long long)st->flips,
			  (unsigned long long)st->delivered,
			  (unsigned long long)st->dropped_queue,
			  (unsigned long long)st->dropped_timeout, (unsigned long long)st->queued,
			  (unsigned long long)st->held, getuid());
		return;
	}
	kmscap_t_fail("%s: no kmscap_client_detach event for client %u", what, client);
}

int main(void)
{
	struct kmscap_client_stats sp, ss, so;
	struct kmscap_display_create c;
	uint64_t frames0, waits0, revoked0, dq0, dt0;
	uint32_t ids[3] = { 0 }, exported[2] = { 0 };
	unsigned int i, nexp = 0, nattach = 0, publish_clients = 0;
	struct kmscap_event ev;
	uint64_t seqs[N_STALL];
	char name[40], path[128];
	struct stat st;
	int ctl, fd, r;

	kmscap_t_init("tracepoints", 110);
	ctl = kmscap_t_open_ctl_or_skip();
	tracefs = kmscap_t_tracefs_or_skip();
	snprintf(path, sizeof(path), "%s/events/kmscap", tracefs);
	KT_ASSERT(!stat(path, &st), "%s does not exist: kmscap.ko has no tracepoints", path);

	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	display_id = c.id;
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[0]);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[1]);
	r = kmscap_t_modeset(&k, buf[1].fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", c.card_minor, kmscap_t_errname(r));
	on_screen = 1;

	kmscap_tf_write_or_die("tracing_on", "0");
	kmscap_tf_write_or_die("trace", "");
	kmscap_tf_write_or_die("buffer_size_kb", "2048");
	kmscap_tf_write_or_die("events/kmscap/enable", "1");
	frames0 = kmscap_dstat("frames");
	waits0 = kmscap_dstat("hold_waits");
	revoked0 = kmscap_dstat("revoked");
	dq0 = kmscap_dstat("drops_queue");
	dt0 = kmscap_dstat("drops_timeout");
	kmscap_tf_write_or_die("tracing_on", "1");

	/* P: prompt. */
	fd = kmscap_t_client_or_die(display_id, 0, 0);
	for (i = 0; i < N_PROMPT; i++) {
		struct kmscap_export exp;

		kmscap_flip_to(!on_screen);
		ev = kmscap_read(fd, "prompt client");
		if (nexp < 2 && exported[0] != ev.buffer_id && exported[1] != ev.buffer_id) {
			r = kmscap_t_export(fd, ev.buffer_id, KMSCAP_EXPORT_CLOEXEC, &exp);
			KT_ASSERT(!r, "EXPORT buffer %u: %s", ev.buffer_id, kmscap_t_errname(r));
			close(exp.fd);
			exported[nexp++] = ev.buffer_id;
		}
		KT_EXPECT_RET(kmscap_t_release(fd, ev.seq), 0, "prompt client RELEASE");
	}
	sp = kmscap_stats(fd, "prompt client");
	close(fd);

	/* S: reads, never releases, 20 ms hold. */
	fd = kmscap_t_client_or_die(display_id, 0, 20000000ull);
	for (i = 0; i < N_STALL; i++) {
		kmscap_flip_to(!on_screen);
		seqs[i] = kmscap_read(fd, "stalled client").seq;
	}
	ss = kmscap_stats(fd, "stalled client");
	KT_ASSERT(ss.dropped_timeout == N_STALL - 1 && ss.held == 1,
		  "stalled client: dropped_timeout %llu held %llu, expected %d and 1",
		  (unsigned long long)ss.dropped_timeout, (unsigned long long)ss.held,
		  N_STALL - 1);
	KT_EXPECT_RET(kmscap_t_release(fd, seqs[0]), -ESTALE, "RELEASE of a revoked frame");
	KT_EXPECT_RET(kmscap_t_release(fd, seqs[N_STALL - 1]), 0, "RELEASE of the last frame");
	ss = kmscap_stats(fd, "stalled client");
	close(fd);

	/* O: never reads, one buffer, queue of 2. */
	fd = kmscap_t_client_or_die(display_id, 2, 1000000000ull);
	for (i = 0; i < N_OVERFLOW; i++)
		kmscap_flip_to(on_screen);
	so = kmscap_stats(fd, "overflowing client");
	KT_ASSERT(so.dropped_queue == N_OVERFLOW - 2 && so.queued == 2,
		  "overflowing client: dropped_queue %llu queued %llu",
		  (unsigned long long)so.dropped_queue, (unsigned long long)so.queued);
	close(fd);

	/* A flip's done event may follow its userspace event by a moment. */
	kmscap_t_sleep_ms(200);
	kmscap_tf_write_or_die("tracing_on", "0");
	kmscap_tf_write_or_die("events/kmscap/enable", "0");
	kmscap_trace_load();

	for (i = 0; i < nlines; i++) {
		if (!strncmp(lines[i], "kmscap_client_attach:", 21)) {
			KT_ASSERT(nattach < 3, "more than 3 attach events: %s", lines[i]);
			ids[nattach++] = kmscap_field(lines[i], "client");
			KT_ASSERT(kmscap_field(lines[i], "uid") == (long long)getuid() &&
				  kmscap_field(lines[i], "pid") == (long long)getpid(),
				  "attach event '%s': uid %u pid %d expected", lines[i], getuid(),
				  getpid());
		}
		if (!strncmp(lines[i], "kmscap_frame_publish:", 21))
			publish_clients += kmscap_field(lines[i], "clients");
	}
	KT_ASSERT(nattach == 3 && ids[0] > 0 && ids[0] < ids[1] && ids[1] < ids[2],
		  "attach events: %u, client ids %u %u %u (3 increasing ids expected)", nattach,
		  ids[0], ids[1], ids[2]);
	kmscap_t_log("client ids: prompt %u, stalled %u, overflowing %u", ids[0], ids[1], ids[2]);

	kmscap_expect("kmscap_frame_publish", kmscap_count("kmscap_frame_publish", 0, NULL, 0),
		      kmscap_dstat("frames") - frames0);
	kmscap_expect("kmscap_frame_publish (flips made)",
		      kmscap_count("kmscap_frame_publish", 0, NULL, 0), flips);
	kmscap_expect("sum of kmscap_frame_publish clients=", publish_clients,
		      sp.flips + ss.flips + so.flips);
	kmscap_expect("kmscap_flip_done", kmscap_count("kmscap_flip_done", 0, NULL, 0), flips);
	kmscap_expect("kmscap_flip_done waited=1", kmscap_count("kmscap_flip_done", 0, "waited", 1),
		      kmscap_dstat("hold_waits") - waits0);
	kmscap_expect("kmscap_flip_wait_start", kmscap_count("kmscap_flip_wait_start", 0, NULL, 0),
		      kmscap_dstat("hold_waits") - waits0);
	kmscap_expect("kmscap_flip_wait_end", kmscap_count("kmscap_flip_wait_end", 0, NULL, 0),
		      kmscap_dstat("hold_waits") - waits0);
	KT_ASSERT(kmscap_dstat("hold_waits") - waits0 >= N_STALL - 1,
		  "hold_waits grew by %llu with a stalled client",
		  (unsigned long long)(kmscap_dstat("hold_waits") - waits0));

	kmscap_expect("kmscap_frame_read (prompt)", kmscap_count("kmscap_frame_read", ids[0], NULL, 0),
		      sp.delivered);
	kmscap_expect("kmscap_frame_release result=0 (prompt)",
		      kmscap_count("kmscap_frame_release", ids[0], "result", 0), sp.delivered);
	kmscap_expect("kmscap_frame_release (prompt)",
		      kmscap_count("kmscap_frame_release", ids[0], NULL, 0), N_PROMPT);
	kmscap_expect("kmscap_buffer_export (prompt)",
		      kmscap_count("kmscap_buffer_export", ids[0], NULL, 0), nexp);
	for (i = 0; i < nexp; i++)
		kmscap_expect("kmscap_buffer_export of each buffer",
			      kmscap_count("kmscap_buffer_export", ids[0], "buffer", exported[i]), 1);

	kmscap_expect("kmscap_frame_read (stalled)", kmscap_count("kmscap_frame_read", ids[1], NULL, 0),
		      ss.flips);
	kmscap_expect("kmscap_hold_revoke (stalled)",
		      kmscap_count("kmscap_hold_revoke", ids[1], NULL, 0), ss.dropped_timeout);
	kmscap_expect("kmscap_frame_release result=-ESTALE (stalled)",
		      kmscap_count("kmscap_frame_release", ids[1], "result", -ESTALE), 1);
	kmscap_expect("kmscap_frame_release result=0 (stalled)",
		      kmscap_count("kmscap_frame_release", ids[1], "result", 0), ss.delivered);
	for (i = 0; i < nlines; i++)
		if (!strncmp(lines[i], "kmscap_hold_revoke:", 19))
			KT_ASSERT(!strcmp(kmscap_field_str(lines[i], "reason", name, sizeof(name)),
					  "timeout"), "'%s': reason timeout expected", lines[i]);

	kmscap_expect("kmscap_frame_read (overflowing)",
		      kmscap_count("kmscap_frame_read", ids[2], NULL, 0), 0);
	kmscap_expect("kmscap_frame_drop (overflowing)",
		      kmscap_count("kmscap_frame_drop", ids[2], NULL, 0), so.dropped_queue);
	for (i = 0; i < nlines; i++)
		if (!strncmp(lines[i], "kmscap_frame_drop:", 18))
			KT_ASSERT(!strcmp(kmscap_field_str(lines[i], "reason", name, sizeof(name)),
					  "queue_full"), "'%s': reason queue_full expected", lines[i]);

	kmscap_expect("kmscap_frame_drop, all", kmscap_count("kmscap_frame_drop", 0, NULL, 0),
		      kmscap_dstat("drops_queue") - dq0);
	kmscap_expect("kmscap_hold_revoke, all", kmscap_count("kmscap_hold_revoke", 0, NULL, 0),
		      kmscap_dstat("drops_timeout") - dt0);
	kmscap_expect("kmscap_hold_revoke, all (debugfs revoked)",
		      kmscap_count("kmscap_hold_revoke", 0, NULL, 0),
		      kmscap_dstat("revoked") - revoked0);

	kmscap_expect("kmscap_client_detach", kmscap_count("kmscap_client_detach", 0, NULL, 0), 3);
	kmscap_expect_detach(ids[0], &sp, "prompt client");
	kmscap_expect_detach(ids[1], &ss, "stalled client");
	kmscap_expect_detach(ids[2], &so, "overflowing client");

	for (i = 0; i < nlines; i++)
		free(lines[i]);
	kmscap_t_buf_destroy(&buf[0]);
	kmscap_t_buf_destroy(&buf[1]);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("%u trace events match the module's counters (%u flips, 3 clients)",
		      nlines, flips);
}
