// SPDX-License-Identifier: MIT
/*
 * liboneliner: the workload of the one-liner selftests (perf_oneliners,
 * bpftrace_oneliners): a display, a prompt and a stalled client, and what
 * they did, for a tool of Documentation/observability.md to count.
 */
#include <stdlib.h>
#include <unistd.h>

#include "liboneliner.h"

#define W 320
#define H 240
#define N_PROMPT 12
#define N_STALL 5

/* The workload: one display, a prompt and a stalled client. */
int kmscap_ol_work(const char *file)
{
	struct kmscap_ol_work w = { 0 };
	struct kmscap_display_create c;
	struct kmscap_client_stats st;
	struct kmscap_t_buf buf[2];
	struct kmscap_event ev;
	struct kmscap_t_kms k;
	unsigned int i, on = 1;
	uint64_t last = 0, waits;
	int ctl, fd = -1, r;
	FILE *f;

	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	for (i = 0; i < 2; i++)
		kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[i]);
	r = kmscap_t_modeset(&k, buf[1].fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", c.card_minor, kmscap_t_errname(r));
	for (i = 0; i < N_PROMPT + N_STALL; i++) {
		bool stall = i >= N_PROMPT;

		if (i == 0 || i == N_PROMPT)
			fd = kmscap_t_client_or_die(c.id, 0, stall ? 20000000ull : 0);
		on = !on;
		r = kmscap_t_flip(&k, buf[on].fb_id, 5000);
		KT_ASSERT(!r, "flip %u: %s", i, kmscap_t_errname(r));
		w.flips++;
		r = kmscap_t_read_event(fd, &ev, 5000);
		KT_ASSERT(r == 1, "read of flip %u: %s", i, r ? kmscap_t_errname(r) : "timeout");
		w.reads++;
		last = ev.seq;
		if (!stall) {
			KT_EXPECT_RET(kmscap_t_release(fd, ev.seq), 0, "RELEASE");
			w.releases++;
		}
		if (i == N_PROMPT - 1)
			close(fd);
	}
	KT_EXPECT_RET(kmscap_t_release(fd, last), 0, "RELEASE of the stalled client's last frame");
	w.releases++;
	KT_EXPECT_RET(kmscap_t_stats(fd, &st), 0, "STATS");
	w.revoked = st.dropped_timeout;
	KT_ASSERT(w.revoked == N_STALL - 1, "the stalled client lost %llu frames, expected %d",
		  w.revoked, N_STALL - 1);
	close(fd);
	r = kmscap_t_debugfs_stat(c.id, "hold_waits", &waits);
	KT_ASSERT(!r, "debugfs hold_waits of display %u: %s", c.id, kmscap_t_errname(r));
	w.hold_waits = waits;
	for (i = 0; i < 2; i++)
		kmscap_t_buf_destroy(&buf[i]);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	f = fopen(file, "we");
	KT_ASSERT(f, "%s: %s", file, strerror(errno));
	fprintf(f, "%u %u %u %llu %llu\n", w.flips, w.reads, w.releases, w.revoked,
		w.hold_waits);
	fclose(f);
	return 0;
}

struct kmscap_ol_work kmscap_ol_run(const char *cmd, const char *file, const char *output)
{
	struct kmscap_ol_work w;
	FILE *f;
	int st;

	kmscap_t_log("$ %s", cmd);
	unlink(file);
	st = system(cmd);
	if (st)
		kmscap_ol_show(output);
	KT_ASSERT(st == 0, "'%s' exited with status %#x (its output above)", cmd, st);
	f = fopen(file, "re");
	KT_ASSERT(f, "the workload left no %s: %s", file, strerror(errno));
	KT_ASSERT(fscanf(f, "%u %u %u %llu %llu", &w.flips, &w.reads, &w.releases, &w.revoked,
			 &w.hold_waits) == 5, "%s: unreadable", file);
	fclose(f);
	return w;
}

void kmscap_ol_show(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "re");

	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		kmscap_t_log("| %s", line);
	}
	if (f)
		fclose(f);
}
