// SPDX-License-Identifier: MIT
/*
 * kmscap-bench-scale: capture only, many displays at once.  N displays
 * (default 16, the module's default max_displays) of 1280x720 at 60 Hz,
 * each with a renderer thread that page-flips two buffers as fast as the
 * flip events allow.  Two phases of the same length, in one run:
 *   alone    the renderers without any capture client: the flip rate
 *            they reach on this machine;
 *   capture  the same with one capture client per display, a thread that
 *            reads every frame (one blocking read per frame with
 *            KMSCAP_ATTACH_AUTO_RELEASE when the module has it, else poll,
 *            read and RELEASE), with the module's default hold timeout
 *            (one refresh period).
 * Per display: frames flipped (the renderer's completed flips and the
 * client's STATS flips), delivered, dropped (queue full / hold timeout),
 * the longest hold wait, and the renderer's flip rate in both phases.
 * Goal: no drops, and no renderer slowed by capture (its rate with
 * capture at least 95% of its rate alone).
 *
 * Usage: kmscap-bench-scale [SECONDS] [DISPLAYS]   (default 5 s, 16)
 * Writes the CSV also to /out/kmscap-bench-scale.csv when /out exists.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 1280
#define H 720
#define MHZ 60000
#define MAX_DISPLAYS 64
#define SLOWED 0.95

struct kmscap_scale_disp {
	struct kmscap_display_create c;
	struct kmscap_t_kms k;
	struct kmscap_t_buf buf[2];
	int cl;				/* capture client, -1 in the alone phase */
	pthread_t cth;			/* its thread */
	bool auto_release;
	uint64_t flips[2];		/* renderer's completed flips, per phase */
	double hz[2];			/* and its rate */
	uint64_t reads;			/* frames the capture thread read */
	struct kmscap_client_stats st;	/* at the end of the capture phase */
	char err[256];
};

static volatile bool kmscap_stop;
static unsigned int kmscap_phase;

static void *kmscap_render(void *arg)
{
	struct kmscap_scale_disp *d = arg;
	uint64_t t0 = kmscap_t_now_ns(), n = 0;
	unsigned int i = 0;
	int r;

	while (!kmscap_stop) {
		r = kmscap_t_flip(&d->k, d->buf[i & 1].fb_id, 10000);
		if (r) {
			snprintf(d->err, sizeof(d->err), "card%u: flip %llu: %s", d->c.card_minor,
				 (unsigned long long)n, kmscap_t_errname(r));
			break;
		}
		n++;
		i++;
	}
	d->flips[kmscap_phase] = n;
	d->hz[kmscap_phase] = n / ((kmscap_t_now_ns() - t0) / 1e9);
	return NULL;
}

/* Read every frame until the hang-up (the display's DESTROY). */
static void *kmscap_capture(void *arg)
{
	struct kmscap_scale_disp *d = arg;
	struct kmscap_event ev;
	ssize_t n;

	for (;;) {
		if (!d->auto_release) {
			struct pollfd p = { .fd = d->cl, .events = POLLIN };

			if (poll(&p, 1, -1) < 0 && errno != EINTR)
				break;
		}
		n = read(d->cl, &ev, sizeof(ev));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(ev) || ev.type != KMSCAP_EVENT_FRAME)
			break;
		d->reads++;
		if (!d->auto_release)
			kmscap_t_release(d->cl, ev.seq);
	}
	return NULL;
}

static int kmscap_client(uint32_t id, bool auto_release)
{
	struct kmscap_attach at = { .display_id = id,
				    .flags = auto_release ? KMSCAP_ATTACH_AUTO_RELEASE : 0 };
	int fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	int r;

	if (fd < 0)
		kmscap_t_fail("open %s: %s", KMSCAP_T_CTL, strerror(errno));
	r = kmscap_t_ioctl(fd, KMSCAP_IOC_ATTACH, &at);
	if (r)
		kmscap_t_fail("%s: ATTACH display %u: %s", KMSCAP_T_CTL, id, kmscap_t_errname(r));
	return fd;
}

/* One phase: every renderer (and capture thread) for @seconds. */
static void kmscap_run_phase(struct kmscap_scale_disp *d, unsigned int nd, unsigned int phase,
			     unsigned int seconds)
{
	pthread_t rth[MAX_DISPLAYS];
	unsigned int i;

	kmscap_phase = phase;
	kmscap_stop = false;
	for (i = 0; i < nd; i++) {
		if (d[i].cl >= 0 && pthread_create(&d[i].cth, NULL, kmscap_capture, &d[i]))
			kmscap_t_fail("pthread_create failed");
		if (pthread_create(&rth[i], NULL, kmscap_render, &d[i]))
			kmscap_t_fail("pthread_create failed");
	}
	kmscap_t_sleep_ms(seconds * 1000);
	kmscap_stop = true;
	for (i = 0; i < nd; i++) {
		pthread_join(rth[i], NULL);
		if (d[i].err[0])
			kmscap_t_fail("%s", d[i].err);
	}
	if (phase == 0)
		return;
	/* The counts once no flip comes any more; then the hang-up ends the readers. */
	for (i = 0; i < nd; i++) {
		int r = kmscap_t_stats(d[i].cl, &d[i].st);

		if (r)
			kmscap_t_fail("STATS of display %u's client: %s", d[i].c.id,
				      kmscap_t_errname(r));
	}
}

/* The CSV lines on stdout, and the file in /out when it exists. */
static void kmscap_scale_csv(const struct kmscap_scale_disp *d, unsigned int nd)
{
	const char *head = "display,renderer_flips,client_flips,delivered,dropped_queue,"
			   "dropped_timeout,in_flight,max_hold_wait_us,renderer_hz_alone,"
			   "renderer_hz_capture";
	FILE *csv = access("/out", W_OK) ? NULL : fopen("/out/kmscap-bench-scale.csv", "we");
	unsigned int i;

	printf("\ncsv-scale,%s\n", head);
	if (csv)
		fprintf(csv, "%s\n", head);
	for (i = 0; i < nd; i++) {
		const struct kmscap_client_stats *st = &d[i].st;
		char line[256];

		snprintf(line, sizeof(line), "%u,%llu,%llu,%llu,%llu,%llu,%llu,%.0f,%.2f,%.2f",
			 d[i].c.id, (unsigned long long)d[i].flips[1],
			 (unsigned long long)st->flips, (unsigned long long)st->delivered,
			 (unsigned long long)st->dropped_queue,
			 (unsigned long long)st->dropped_timeout,
			 (unsigned long long)(st->queued + st->held), st->max_hold_wait_ns / 1000.0,
			 d[i].hz[0], d[i].hz[1]);
		printf("csv-scale,%s\n", line);
		if (csv)
			fprintf(csv, "%s\n", line);
	}
	if (csv)
		fclose(csv);
}

int main(int argc, char **argv)
{
	struct kmscap_scale_disp *d;
	unsigned int seconds = 5, nd = 16, i, slowed = 0, faster = 0;
	uint64_t drops = 0, flips = 0, delivered = 0;
	double min_ratio = 1e9;
	struct kmscap_version v;
	bool have_auto;
	int ctl, r;

	kmscap_t_init("kmscap-bench-scale", 0);
	if (argc > 1)
		seconds = (unsigned int)atoi(argv[1]);
	if (argc > 2)
		nd = (unsigned int)atoi(argv[2]);
	if (!seconds)
		seconds = 1;
	if (!nd || nd > MAX_DISPLAYS)
		kmscap_t_fail("DISPLAYS %u: 1 to %d", nd, MAX_DISPLAYS);
	ctl = kmscap_t_open_ctl_or_skip();
	have_auto = !kmscap_t_version(ctl, &v) && (v.caps & KMSCAP_CAP_AUTO_RELEASE);
	d = calloc(nd, sizeof(*d));
	if (!d)
		kmscap_t_fail("out of memory");
	for (i = 0; i < nd; i++) {
		kmscap_t_create_or_die(ctl, W, H, MHZ, &d[i].c);
		kmscap_t_kms_open_or_die(&d[i].k, d[i].c.card_minor);
		kmscap_t_buf_create_or_die(d[i].k.fd, W, H, DRM_FORMAT_XRGB8888, &d[i].buf[0]);
		kmscap_t_buf_create_or_die(d[i].k.fd, W, H, DRM_FORMAT_XRGB8888, &d[i].buf[1]);
		r = kmscap_t_modeset(&d[i].k, d[i].buf[1].fb_id);
		if (r)
			kmscap_t_fail("card%u: modeset: %s", d[i].c.card_minor, kmscap_t_errname(r));
		d[i].cl = -1;
		d[i].auto_release = have_auto;
	}
	printf("kmscap-bench-scale: %u displays %ux%u at %u.%03u Hz, %u s alone then %u s with "
	       "a capture client each (%s), default hold timeout\n", nd, W, H, MHZ / 1000,
	       MHZ % 1000, seconds, seconds,
	       have_auto ? "one blocking read per frame, KMSCAP_ATTACH_AUTO_RELEASE" :
			   "poll, read, RELEASE: the module has no KMSCAP_CAP_AUTO_RELEASE");
	kmscap_run_phase(d, nd, 0, seconds);
	for (i = 0; i < nd; i++)
		d[i].cl = kmscap_client(d[i].c.id, have_auto);
	kmscap_run_phase(d, nd, 1, seconds);

	printf("\n%-8s %9s %9s %9s %9s %9s %9s %11s | %9s %9s %7s\n", "display", "flipped",
	       "cl flips", "delivered", "drop q", "drop t", "held+q", "max wait us",
	       "Hz alone", "Hz capt", "ratio");
	for (i = 0; i < nd; i++) {
		const struct kmscap_client_stats *st = &d[i].st;
		double ratio = d[i].hz[0] > 0 ? d[i].hz[1] / d[i].hz[0] : 0;

		drops += st->dropped_queue + st->dropped_timeout;
		flips += st->flips;
		delivered += st->delivered;
		if (ratio < SLOWED)
			slowed++;
		if (d[i].hz[1] > d[i].hz[0] / SLOWED)
			faster++;
		if (ratio < min_ratio)
			min_ratio = ratio;
		printf("%-8u %9llu %9llu %9llu %9llu %9llu %9llu %11.0f | %9.1f %9.1f %7.2f\n",
		       d[i].c.id, (unsigned long long)d[i].flips[1], (unsigned long long)st->flips,
		       (unsigned long long)st->delivered, (unsigned long long)st->dropped_queue,
		       (unsigned long long)st->dropped_timeout,
		       (unsigned long long)(st->queued + st->held), st->max_hold_wait_ns / 1000.0,
		       d[i].hz[0], d[i].hz[1], ratio);
	}
	printf("(flipped: the renderer's completed flips with capture; cl flips: frames its "
	       "client was given (STATS flips); drop q / drop t: dropped with the queue full / "
	       "at the hold timeout; held+q: still in flight at the end; Hz alone / capt: the "
	       "renderer's flip rate without / with capture; ratio: capt / alone)\n");
	printf("totals: %llu frames given to clients, %llu delivered, %llu dropped; renderers "
	       "with capture at %.2f of their rate alone at worst, %u slowed below %.0f%%\n",
	       (unsigned long long)flips, (unsigned long long)delivered,
	       (unsigned long long)drops, min_ratio, slowed, SLOWED * 100);
	if (faster)
		printf("%u renderers flipped faster with capture than alone, above the mode's "
		       "refresh: a flip that waited for a client's hold completes when the hold "
		       "ends, not at the next vblank\n", faster);
	printf("goal: no drops and no renderer slowed: %s\n",
	       !drops && !slowed ? "met" : "NOT met");
	kmscap_scale_csv(d, nd);

	for (i = 0; i < nd; i++) {
		r = kmscap_t_destroy(ctl, d[i].c.id);
		if (r)
			kmscap_t_fail("DESTROY %u: %s", d[i].c.id, kmscap_t_errname(r));
	}
	/* The readers end at the hang-up; then the clients and buffers go. */
	for (i = 0; i < nd; i++) {
		pthread_join(d[i].cth, NULL);
		close(d[i].cl);
		kmscap_t_buf_destroy(&d[i].buf[0]);
		kmscap_t_buf_destroy(&d[i].buf[1]);
		kmscap_t_kms_close(&d[i].k);
	}
	free(d);
	close(ctl);
	return 0;
}
