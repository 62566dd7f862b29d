// SPDX-License-Identifier: MIT
/*
 * stress_concurrent: several displays busy at once, the way a desktop with
 * a screen recorder and a remote-desktop daemon would be:
 *  - per display a compositor thread doing nonblocking atomic flips with
 *    damage and legacy cursor moves;
 *  - per display a prompt capture thread (export cache, pixel check,
 *    release) and a churning client thread that attaches with random
 *    queue depths and hold timeouts, reads a few frames, sometimes
 *    releases, and closes;
 *  - a daemon thread polling LIST, INFO and debugfs.
 * After a few seconds everything stops; the prompt clients must have seen
 * every frame (exact accounting), the churners' invariants must hold at
 * every STATS, nothing may hang (watchdog), and the kernel log stays clean
 * (checked by the harness).
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "kmscap_test.h"

#define NDISP 3
#define W 640
#define H 480
#define RUN_MS 3000

struct kmscap_disp {
	unsigned int idx;
	struct kmscap_display_create c;
	struct kmscap_t_kms k;
	struct kmscap_t_buf buf[2];
	struct kmscap_t_buf cursor;
	int prompt_fd;
	unsigned int commits;
	unsigned int captured;
	unsigned int churn_attaches;
	char err[256];
};

static struct kmscap_disp disps[NDISP];
static volatile bool stop_flips, stop_all;
static char daemon_err[256];
static unsigned int daemon_rounds;

static void *kmscap_compositor(void *arg)
{
	struct kmscap_disp *d = arg;
	unsigned int seed = d->idx * 7919 + 1, nflips = 0;

	while (!stop_flips) {
		struct drm_mode_rect clip;
		int r, x = rand_r(&seed) % (W - 32), y = rand_r(&seed) % (H - 32);

		/*
		 * Always the other buffer, as a double-buffering compositor does
		 * (the modeset showed buf[1]): damage on the buffer already on
		 * screen would say it was redrawn in place, which revokes holds.
		 */
		clip = (struct drm_mode_rect){ x, y, x + 32, y + 32 };
		r = kmscap_t_atomic_flip(&d->k, &d->buf[nflips++ & 1], &clip, 1, true);
		if (!r)
			r = kmscap_t_wait_flip(&d->k, 5000);
		if (r) {
			snprintf(d->err, sizeof(d->err), "compositor: flip %u: %s", d->commits,
				 kmscap_t_errname(r));
			break;
		}
		d->commits++;
		if (d->commits % 8 == 0) {
			if (drmModeMoveCursor(d->k.fd, d->k.crtc_id, x, y)) {
				snprintf(d->err, sizeof(d->err), "compositor: cursor move: %s",
					 strerror(errno));
				break;
			}
			d->commits++;
		}
	}
	return NULL;
}

static void *kmscap_prompt(void *arg)
{
	struct kmscap_disp *d = arg;
	struct kmscap_t_maps maps;

	kmscap_t_maps_init(&maps, d->prompt_fd);
	while (!stop_all) {
		struct kmscap_t_map *map;
		struct kmscap_event ev;
		uint32_t px;
		int r = kmscap_t_read_event(d->prompt_fd, &ev, 200);

		if (r == 0)
			continue;
		if (r < 0 || ev.type != KMSCAP_EVENT_FRAME) {
			snprintf(d->err, sizeof(d->err), "prompt client: read %s type %u",
				 kmscap_t_errname(r), r == 1 ? ev.type : 0);
			break;
		}
		map = kmscap_t_maps_get(&maps, ev.buffer_id);
		px = *(const uint32_t *)map->ptr;
		if (px != kmscap_t_pattern_px(d->idx * 2 + 1, 0, 0) &&
		    px != kmscap_t_pattern_px(d->idx * 2 + 2, 0, 0)) {
			snprintf(d->err, sizeof(d->err), "prompt client: frame %llu pixel 0x%08x "
				 "is not one of this display's buffers",
				 (unsigned long long)ev.seq, px);
			break;
		}
		r = kmscap_t_release(d->prompt_fd, ev.seq);
		if (r) {
			snprintf(d->err, sizeof(d->err), "prompt client: RELEASE: %s",
				 kmscap_t_errname(r));
			break;
		}
		d->captured++;
	}
	kmscap_t_maps_fini(&maps);
	return NULL;
}

static void *kmscap_churn(void *arg)
{
	struct kmscap_disp *d = arg;
	unsigned int seed = d->idx * 104729 + 3;

	while (!stop_flips) {
		struct kmscap_client_stats st;
		int fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
		int n = rand_r(&seed) % 5, i, r;

		if (fd < 0) {
			snprintf(d->err, sizeof(d->err), "churn: open: %s", strerror(errno));
			break;
		}
		r = kmscap_t_attach(fd, d->c.id, 1 + rand_r(&seed) % 4,
				    (5 + rand_r(&seed) % 45) * 1000000ull);
		if (r) {
			snprintf(d->err, sizeof(d->err), "churn: ATTACH: %s", kmscap_t_errname(r));
			close(fd);
			break;
		}
		d->churn_attaches++;
		for (i = 0; i < n; i++) {
			struct kmscap_event ev;

			r = kmscap_t_read_event(fd, &ev, 100);
			if (r < 0) {
				snprintf(d->err, sizeof(d->err), "churn: read: %s",
					 kmscap_t_errname(r));
				break;
			}
			if (r == 1 && rand_r(&seed) % 2) {
				r = kmscap_t_release(fd, ev.seq);
				if (r && r != -ESTALE) {
					snprintf(d->err, sizeof(d->err), "churn: RELEASE: %s",
						 kmscap_t_errname(r));
					break;
				}
			}
			r = kmscap_t_stats(fd, &st);
			if (r || st.flips != st.delivered + st.dropped_queue + st.dropped_timeout +
					     st.queued + st.held) {
				snprintf(d->err, sizeof(d->err), "churn: STATS %s, invariant %s",
					 kmscap_t_errname(r), r ? "n/a" : "broken");
				break;
			}
		}
		close(fd);
		if (d->err[0])
			break;
	}
	return NULL;
}

static void *kmscap_daemon(void *arg)
{
	int ctl = *(int *)arg;

	(void)arg;
	while (!stop_all) {
		struct kmscap_display_info info;
		uint32_t ids[64];
		uint64_t v;
		int n = kmscap_t_list(ctl, ids, 64), i, r;

		if (n < NDISP) {
			snprintf(daemon_err, sizeof(daemon_err), "LIST: %d", n);
			break;
		}
		for (i = 0; i < NDISP; i++) {
			r = kmscap_t_info(ctl, disps[i].c.id, &info);
			if (r || info.id != disps[i].c.id) {
				snprintf(daemon_err, sizeof(daemon_err), "INFO %u: %s",
					 disps[i].c.id, kmscap_t_errname(r));
				break;
			}
			r = kmscap_t_debugfs_stat(disps[i].c.id, "frames", &v);
			if (r) {
				snprintf(daemon_err, sizeof(daemon_err), "debugfs frames: %s",
					 kmscap_t_errname(r));
				break;
			}
		}
		if (daemon_err[0])
			break;
		daemon_rounds++;
		kmscap_t_sleep_ms(5);
	}
	return NULL;
}

int main(void)
{
	pthread_t comp[NDISP], prompt[NDISP], churn[NDISP], daemon;
	struct kmscap_client_stats st;
	unsigned int i, j;
	int ctl, r;

	kmscap_t_init("stress_concurrent", 110);
	ctl = kmscap_t_open_ctl_or_skip();
	for (i = 0; i < NDISP; i++) {
		struct kmscap_disp *d = &disps[i];

		d->idx = i;
		kmscap_t_create_or_die(ctl, W, H, i == 2 ? 120000 : 60000, &d->c);
		kmscap_t_kms_open_or_die(&d->k, d->c.card_minor);
		for (j = 0; j < 2; j++) {
			kmscap_t_buf_create_or_die(d->k.fd, W, H, DRM_FORMAT_XRGB8888, &d->buf[j]);
			kmscap_t_fill(d->buf[j].map, d->buf[j].pitch, W, H, i * 2 + j + 1);
		}
		r = kmscap_t_buf_create(d->k.fd, 64, 64, DRM_FORMAT_ARGB8888, false, &d->cursor);
		KT_ASSERT(!r, "cursor buffer: %s", kmscap_t_errname(r));
		r = kmscap_t_atomic_modeset(&d->k, &d->buf[1]);
		KT_ASSERT(!r, "card%u: atomic modeset: %s", d->c.card_minor, kmscap_t_errname(r));
		r = drmModeSetCursor(d->k.fd, d->k.crtc_id, d->cursor.handle, 64, 64);
		KT_ASSERT(!r, "card%u: set cursor: %s", d->c.card_minor, strerror(errno));
		d->prompt_fd = kmscap_t_client_or_die(d->c.id, KMSCAP_MAX_QUEUE, 2000000000ull);
	}
	for (i = 0; i < NDISP; i++) {
		if (pthread_create(&prompt[i], NULL, kmscap_prompt, &disps[i]) ||
		    pthread_create(&churn[i], NULL, kmscap_churn, &disps[i]) ||
		    pthread_create(&comp[i], NULL, kmscap_compositor, &disps[i]))
			kmscap_t_fail("pthread_create failed");
	}
	if (pthread_create(&daemon, NULL, kmscap_daemon, &ctl))
		kmscap_t_fail("pthread_create failed");

	kmscap_t_sleep_ms(RUN_MS);
	stop_flips = true;
	for (i = 0; i < NDISP; i++) {
		pthread_join(comp[i], NULL);
		pthread_join(churn[i], NULL);
	}
	/* let the prompt clients catch up with the last frames */
	for (j = 0; j < 300; j++) {
		bool done = true;

		for (i = 0; i < NDISP; i++)
			done &= disps[i].captured >= disps[i].commits || disps[i].err[0];
		if (done)
			break;
		kmscap_t_sleep_ms(10);
	}
	stop_all = true;
	for (i = 0; i < NDISP; i++)
		pthread_join(prompt[i], NULL);
	pthread_join(daemon, NULL);

	if (daemon_err[0])
		kmscap_t_fail("daemon thread: %s", daemon_err);
	for (i = 0; i < NDISP; i++) {
		struct kmscap_disp *d = &disps[i];

		if (d->err[0])
			kmscap_t_fail("display %u: %s", d->c.id, d->err);
		r = kmscap_t_stats(d->prompt_fd, &st);
		KT_ASSERT(!r, "STATS: %s", kmscap_t_errname(r));
		kmscap_t_log("display %u: %u commits, %u captured, %u churning attaches",
			     d->c.id, d->commits, d->captured, d->churn_attaches);
		kmscap_t_stats_print(&st, "prompt client");
		kmscap_t_stats_check(&st, "prompt client");
		KT_ASSERT(d->commits > 20, "display %u: only %u commits in %d ms", d->c.id,
			  d->commits, RUN_MS);
		KT_ASSERT(st.flips == d->commits && st.delivered == d->commits &&
			  d->captured == d->commits,
			  "display %u: %u commits, prompt client flips %llu delivered %llu captured %u",
			  d->c.id, d->commits, (unsigned long long)st.flips,
			  (unsigned long long)st.delivered, d->captured);
		KT_ASSERT(d->churn_attaches > 3, "display %u: only %u churning attaches", d->c.id,
			  d->churn_attaches);
	}
	KT_ASSERT(daemon_rounds > 10, "daemon thread made only %u rounds", daemon_rounds);

	for (i = 0; i < NDISP; i++) {
		struct kmscap_disp *d = &disps[i];

		close(d->prompt_fd);
		for (j = 0; j < 2; j++)
			kmscap_t_buf_destroy(&d->buf[j]);
		kmscap_t_buf_destroy(&d->cursor);
		kmscap_t_kms_close(&d->k);
		KT_EXPECT_RET(kmscap_t_destroy(ctl, d->c.id), 0, "DESTROY");
	}
	close(ctl);
	kmscap_t_pass("%d displays, compositors, prompt and churning clients and a daemon "
		      "ran %d ms concurrently", NDISP, RUN_MS);
}
