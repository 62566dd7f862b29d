// SPDX-License-Identifier: MIT
/*
 * kmscap-top: live per-display and per-client statistics of kmscap, from
 * its tracepoints (events/kmscap/), through BPF.
 *
 * The BPF programs (kmscap-top.bpf.c, classic tracepoint programs: no
 * kernel or module BTF needed) copy every event into a ring buffer; this
 * side pairs them up (a frame's publish with each client's read, a read
 * with its release, a publish with its flip done) and keeps every latency
 * sample, so that percentiles are exact.  Counts and latencies are totals
 * since kmscap-top started; the frame rate is over the last interval.
 *
 * Output: a table refreshed every interval, one JSON object per interval
 * (--json), or log2 histograms of one latency (--hist NAME).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/types.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "kmscap-top.h"
#include "kmscap-top.skel.h"

#define KMSCAP_TOP_RING	4096	/* seq -> time slots per display and client */
#define KMSCAP_TOP_MAX_DISPLAYS	256
#define KMSCAP_TOP_MAX_CLIENTS	4096

/* Reasons of kmscap_frame_drop and kmscap_hold_revoke (kmod/trace.h). */
static const char *const kmscap_top_reasons[] = {
	[1] = "queue_full", [2] = "nomem", [3] = "timeout", [4] = "overwritten", [5] = "hangup",
};
#define KMSCAP_TOP_NREASONS 6

struct kmscap_top_samples {
	uint64_t *v;
	size_t n, cap;
};

struct kmscap_top_display {
	uint32_t id;
	uint64_t frames, frames_prev, flip_done, waits, wait_starts;
	uint64_t ring_seq[KMSCAP_TOP_RING], ring_ts[KMSCAP_TOP_RING];
	struct kmscap_top_samples wait, publish_done;
};

struct kmscap_top_client {
	uint32_t id, display, uid, pid;
	char comm[17];
	bool detached, partial, consistent;
	uint64_t flips, read, delivered, estale, enoent, dropped_queue, dropped_timeout;
	uint64_t drops, revoked, exports;
	uint64_t reasons[KMSCAP_TOP_NREASONS];
	uint64_t ring_seq[KMSCAP_TOP_RING], ring_ts[KMSCAP_TOP_RING];
	struct kmscap_top_samples flip_read, hold;
};

static struct kmscap_top_display *kmscap_top_displays[KMSCAP_TOP_MAX_DISPLAYS];
static unsigned int kmscap_top_ndisplays;
static struct kmscap_top_client *kmscap_top_clients[KMSCAP_TOP_MAX_CLIENTS];
static unsigned int kmscap_top_nclients;
static uint64_t kmscap_top_unpaired, kmscap_top_events_seen;

static struct {
	bool json;
	double interval;
	long count;
	bool has_display, has_uid;
	uint32_t display, uid;
	const char *hist;
} kmscap_top_opt = { .interval = 1.0, .count = -1 };

static volatile sig_atomic_t kmscap_top_stop;

static void kmscap_top_on_signal(int sig)
{
	(void)sig;
	kmscap_top_stop = 1;
}

static uint64_t kmscap_top_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void *kmscap_top_zalloc(size_t size)
{
	void *p = calloc(1, size);

	if (!p) {
		fprintf(stderr, "kmscap-top: out of memory (%zu bytes)\n", size);
		exit(1);
	}
	return p;
}

static void kmscap_top_sample(struct kmscap_top_samples *s, uint64_t v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		uint64_t *nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv) {
			fprintf(stderr, "kmscap-top: out of memory (%zu samples)\n", cap);
			exit(1);
		}
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = v;
}

static int kmscap_top_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentiles (and the maximum) of @s; zeros when empty. */
static void kmscap_top_percentiles(struct kmscap_top_samples *s, uint64_t *p50, uint64_t *p99,
				   uint64_t *max)
{
	*p50 = *p99 = *max = 0;
	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), kmscap_top_cmp_u64);
	*p50 = s->v[(s->n * 50 + 99) / 100 - 1];
	*p99 = s->v[(s->n * 99 + 99) / 100 - 1];
	*max = s->v[s->n - 1];
}

static struct kmscap_top_display *kmscap_top_display(uint32_t id)
{
	struct kmscap_top_display *d;
	unsigned int i;

	for (i = 0; i < kmscap_top_ndisplays; i++)
		if (kmscap_top_displays[i]->id == id)
			return kmscap_top_displays[i];
	if (kmscap_top_ndisplays == KMSCAP_TOP_MAX_DISPLAYS)
		return NULL;
	d = kmscap_top_zalloc(sizeof(*d));
	d->id = id;
	kmscap_top_displays[kmscap_top_ndisplays++] = d;
	return d;
}

/* The client @id; one first seen by another event than its attach is partial. */
static struct kmscap_top_client *kmscap_top_client(uint32_t id, uint32_t display)
{
	struct kmscap_top_client *c;
	unsigned int i;

	for (i = kmscap_top_nclients; i-- > 0;)
		if (kmscap_top_clients[i]->id == id)
			return kmscap_top_clients[i];
	if (kmscap_top_nclients == KMSCAP_TOP_MAX_CLIENTS) {
		/* Forget the oldest detached client. */
		for (i = 0; i < kmscap_top_nclients && !kmscap_top_clients[i]->detached; i++)
			;
		if (i == kmscap_top_nclients)
			return NULL;
		free(kmscap_top_clients[i]->flip_read.v);
		free(kmscap_top_clients[i]->hold.v);
		free(kmscap_top_clients[i]);
		memmove(&kmscap_top_clients[i], &kmscap_top_clients[i + 1],
			(kmscap_top_nclients - i - 1) * sizeof(kmscap_top_clients[0]));
		kmscap_top_nclients--;
	}
	c = kmscap_top_zalloc(sizeof(*c));
	c->id = id;
	c->display = display;
	c->uid = UINT32_MAX;
	c->partial = true;
	c->consistent = true;
	kmscap_top_clients[kmscap_top_nclients++] = c;
	return c;
}

static bool kmscap_top_uid_shown(uint32_t uid)
{
	return !kmscap_top_opt.has_uid || uid == kmscap_top_opt.uid;
}

static int kmscap_top_handle(void *ctx, void *data, size_t size)
{
	const struct kmscap_top_rec *r = data;
	struct kmscap_top_display *d;
	struct kmscap_top_client *c = NULL;
	unsigned int slot = r->seq % KMSCAP_TOP_RING, i;

	(void)ctx;
	if (size < sizeof(*r))
		return 0;
	kmscap_top_events_seen++;
	d = kmscap_top_display(r->display);
	if (!d)
		return 0;
	if (r->kind != KMSCAP_TOP_PUBLISH && r->kind != KMSCAP_TOP_WAIT_START &&
	    r->kind != KMSCAP_TOP_WAIT_END && r->kind != KMSCAP_TOP_FLIP_DONE) {
		c = kmscap_top_client(r->client, r->display);
		if (!c)
			return 0;
	}

	switch (r->kind) {
	case KMSCAP_TOP_PUBLISH:
		d->frames++;
		d->ring_seq[slot] = r->seq;
		d->ring_ts[slot] = r->ts;
		for (i = 0; i < kmscap_top_nclients; i++) {
			c = kmscap_top_clients[i];
			if (c->display == r->display && !c->detached)
				c->flips++;
		}
		break;
	case KMSCAP_TOP_READ:
		c->read++;
		c->ring_seq[slot] = r->seq;
		c->ring_ts[slot] = r->ts;
		if (d->ring_seq[slot] == r->seq && d->ring_ts[slot])
			kmscap_top_sample(&c->flip_read, r->ts - d->ring_ts[slot]);
		else
			kmscap_top_unpaired++;
		break;
	case KMSCAP_TOP_EXPORT:
		c->exports++;
		break;
	case KMSCAP_TOP_RELEASE:
		if (r->arg == 0) {
			c->delivered++;
			if (c->ring_seq[slot] == r->seq && c->ring_ts[slot])
				kmscap_top_sample(&c->hold, r->ts - c->ring_ts[slot]);
			else
				kmscap_top_unpaired++;
		} else if (r->arg == -ESTALE) {
			c->estale++;
		} else {
			c->enoent++;
		}
		break;
	case KMSCAP_TOP_DROP:
	case KMSCAP_TOP_REVOKE:
		if (r->kind == KMSCAP_TOP_DROP)
			c->drops++;
		else
			c->revoked++;
		if (r->arg == 1 || r->arg == 2)
			c->dropped_queue++;
		else
			c->dropped_timeout++;
		if (r->arg > 0 && r->arg < KMSCAP_TOP_NREASONS)
			c->reasons[r->arg]++;
		break;
	case KMSCAP_TOP_WAIT_START:
		d->wait_starts++;
		break;
	case KMSCAP_TOP_WAIT_END:
		d->waits++;
		kmscap_top_sample(&d->wait, r->val[0]);
		break;
	case KMSCAP_TOP_FLIP_DONE:
		d->flip_done++;
		if (d->ring_seq[slot] == r->seq && d->ring_ts[slot])
			kmscap_top_sample(&d->publish_done, r->ts - d->ring_ts[slot]);
		else
			kmscap_top_unpaired++;
		break;
	case KMSCAP_TOP_ATTACH:
		/* A new client: everything from here on is seen. */
		c->partial = c->read || c->flips || c->drops || c->revoked;
		c->uid = r->arg;
		c->pid = r->arg2;
		memcpy(c->comm, r->comm, sizeof(r->comm));
		c->comm[16] = 0;
		break;
	case KMSCAP_TOP_DETACH:
		c->detached = true;
		if (c->uid == UINT32_MAX)
			c->uid = r->arg;
		/* The module's own count must be what the events said. */
		if (!c->partial)
			c->consistent = r->val[0] == c->flips && r->val[1] == c->delivered &&
					r->val[2] == c->dropped_queue &&
					r->val[3] == c->dropped_timeout;
		break;
	}
	return 0;
}

static uint64_t kmscap_top_lost(struct kmscap_top *skel)
{
	int ncpus = libbpf_num_possible_cpus(), i;
	uint64_t sum = 0, *v;
	__u32 key = 0;

	if (ncpus <= 0)
		return 0;
	v = kmscap_top_zalloc(ncpus * sizeof(*v));
	if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.kmscap_top_lost), &key, v))
		for (i = 0; i < ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

/* "12.3us" */
static const char *kmscap_top_fmt_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

/* A display is shown unless filtered out by --uid (no client of that uid). */
static bool kmscap_top_display_shown(const struct kmscap_top_display *d)
{
	unsigned int i;

	if (!kmscap_top_opt.has_uid)
		return true;
	for (i = 0; i < kmscap_top_nclients; i++)
		if (kmscap_top_clients[i]->display == d->id &&
		    kmscap_top_uid_shown(kmscap_top_clients[i]->uid))
			return true;
	return false;
}

static void kmscap_top_json_lat(const char *name, struct kmscap_top_samples *s, bool comma)
{
	uint64_t p50, p99, max;

	kmscap_top_percentiles(s, &p50, &p99, &max);
	printf("\"%s\":{\"count\":%zu,\"p50_ns\":%" PRIu64 ",\"p99_ns\":%" PRIu64
	       ",\"max_ns\":%" PRIu64 "}%s", name, s->n, p50, p99, max, comma ? "," : "");
}

static void kmscap_top_print_json(uint64_t now, double secs, uint64_t lost, unsigned long n)
{
	unsigned int i, j;
	bool first = true;

	printf("{\"interval\":%lu,\"time_ns\":%" PRIu64 ",\"interval_s\":%.3f,\"lost\":%" PRIu64
	       ",\"unpaired\":%" PRIu64 ",\"events\":%" PRIu64 ",\"displays\":[", n, now, secs,
	       lost, kmscap_top_unpaired, kmscap_top_events_seen);
	for (i = 0; i < kmscap_top_ndisplays; i++) {
		struct kmscap_top_display *d = kmscap_top_displays[i];

		if (!kmscap_top_display_shown(d))
			continue;
		printf("%s{\"display\":%u,\"fps\":%.2f,\"frames\":%" PRIu64 ",\"flip_done\":%" PRIu64
		       ",\"waits\":%" PRIu64 ",\"waiting\":%" PRIu64 ",", first ? "" : ",", d->id,
		       secs > 0 ? (d->frames - d->frames_prev) / secs : 0.0, d->frames,
		       d->flip_done, d->waits, d->wait_starts - d->waits);
		kmscap_top_json_lat("wait", &d->wait, true);
		kmscap_top_json_lat("publish_done", &d->publish_done, false);
		printf("}");
		first = false;
	}
	printf("],\"clients\":[");
	first = true;
	for (i = 0; i < kmscap_top_nclients; i++) {
		struct kmscap_top_client *c = kmscap_top_clients[i];

		if (!kmscap_top_uid_shown(c->uid))
			continue;
		printf("%s{\"client\":%u,\"display\":%u,\"uid\":%d,\"pid\":%u,\"comm\":\"",
		       first ? "" : ",", c->id, c->display, c->uid == UINT32_MAX ? -1 : (int)c->uid,
		       c->pid);
		for (j = 0; c->comm[j]; j++)
			printf(c->comm[j] == '"' || c->comm[j] == '\\' || c->comm[j] < 0x20 ? "?" :
			       "%c", c->comm[j]);
		printf("\",\"attached\":%s,\"partial\":%s,\"consistent\":%s,\"flips\":%" PRIu64
		       ",\"read\":%" PRIu64 ",\"delivered\":%" PRIu64 ",\"dropped_queue\":%" PRIu64
		       ",\"dropped_timeout\":%" PRIu64 ",\"revoked\":%" PRIu64 ",\"estale\":%" PRIu64
		       ",\"exports\":%" PRIu64 ",\"reasons\":{",
		       c->detached ? "false" : "true", c->partial ? "true" : "false",
		       c->consistent ? "true" : "false", c->flips, c->read, c->delivered,
		       c->dropped_queue, c->dropped_timeout, c->revoked, c->estale, c->exports);
		for (j = 1; j < KMSCAP_TOP_NREASONS; j++)
			printf("%s\"%s\":%" PRIu64, j > 1 ? "," : "", kmscap_top_reasons[j],
			       c->reasons[j]);
		printf("},");
		kmscap_top_json_lat("flip_read", &c->flip_read, true);
		kmscap_top_json_lat("hold", &c->hold, false);
		printf("}");
		first = false;
	}
	printf("]}\n");
}

static const char *kmscap_top_lat_cell(char *buf, size_t len, struct kmscap_top_samples *s)
{
	uint64_t p50, p99, max;
	char a[16], b[16];

	if (!s->n)
		return "-";
	kmscap_top_percentiles(s, &p50, &p99, &max);
	snprintf(buf, len, "%s/%s", kmscap_top_fmt_ns(a, sizeof(a), p50),
		 kmscap_top_fmt_ns(b, sizeof(b), p99));
	return buf;
}

static void kmscap_top_print_table(double secs, uint64_t lost)
{
	char b1[40], b2[40];
	unsigned int i;

	if (isatty(STDOUT_FILENO))
		printf("\033[H\033[2J");
	printf("kmscap-top: interval %.2f s, %" PRIu64 " events, lost %" PRIu64
	       " (counts and latencies since start; p50/p99)\n\n", secs, kmscap_top_events_seen,
	       lost);
	printf("%7s %7s %9s %9s %6s %19s %19s\n", "DISPLAY", "FPS", "FRAMES", "FLIPDONE",
	       "WAITS", "WAIT", "PUBLISH->DONE");
	for (i = 0; i < kmscap_top_ndisplays; i++) {
		struct kmscap_top_display *d = kmscap_top_displays[i];

		if (!kmscap_top_display_shown(d))
			continue;
		printf("%7u %7.1f %9" PRIu64 " %9" PRIu64 " %6" PRIu64 " %19s %19s\n", d->id,
		       secs > 0 ? (d->frames - d->frames_prev) / secs : 0.0, d->frames,
		       d->flip_done, d->waits, kmscap_top_lat_cell(b1, sizeof(b1), &d->wait),
		       kmscap_top_lat_cell(b2, sizeof(b2), &d->publish_done));
	}
	printf("\n%6s %7s %5s %7s %-12s %7s %7s %7s %6s %6s %6s %19s %19s\n", "CLIENT", "DISPLAY",
	       "UID", "PID", "COMM", "FLIPS", "READ", "DELIV", "DROPQ", "DROPT", "REVOK",
	       "FLIP->READ", "HOLD");
	for (i = 0; i < kmscap_top_nclients; i++) {
		struct kmscap_top_client *c = kmscap_top_clients[i];

		if (!kmscap_top_uid_shown(c->uid))
			continue;
		printf("%6u %7u %5d %7u %-12.12s %7" PRIu64 " %7" PRIu64 " %7" PRIu64 " %6" PRIu64
		       " %6" PRIu64 " %6" PRIu64 " %19s %19s%s\n", c->id, c->display,
		       c->uid == UINT32_MAX ? -1 : (int)c->uid, c->pid, c->comm[0] ? c->comm : "?",
		       c->flips, c->read, c->delivered, c->dropped_queue, c->dropped_timeout,
		       c->revoked, kmscap_top_lat_cell(b1, sizeof(b1), &c->flip_read),
		       kmscap_top_lat_cell(b2, sizeof(b2), &c->hold),
		       c->detached ? " (closed)" : "");
	}
}

/* Log2 buckets of @s: [2^(k-1), 2^k) ns, with bars. */
static void kmscap_top_print_hist(const char *what, struct kmscap_top_samples *s)
{
	uint64_t buckets[65] = { 0 }, peak = 0;
	unsigned int i, lo = 64, hi = 0;
	char a[16], b[16];
	size_t j;

	printf("%s: %zu samples\n", what, s->n);
	for (j = 0; j < s->n; j++) {
		unsigned int k = s->v[j] ? 64 - __builtin_clzll(s->v[j]) : 0;

		buckets[k]++;
	}
	for (i = 0; i < 65; i++) {
		if (!buckets[i])
			continue;
		lo = i < lo ? i : lo;
		hi = i;
		peak = buckets[i] > peak ? buckets[i] : peak;
	}
	for (i = lo; i <= hi && s->n; i++) {
		uint64_t from = i ? 1ull << (i - 1) : 0, to = i < 64 ? 1ull << i : UINT64_MAX;
		int bar = peak ? (int)(buckets[i] * 40 / peak) : 0;

		printf("  [%9s, %9s) %8" PRIu64 " |%.*s\n", kmscap_top_fmt_ns(a, sizeof(a), from),
		       kmscap_top_fmt_ns(b, sizeof(b), to), buckets[i], bar,
		       "****************************************");
	}
}

static void kmscap_top_print_hists(void)
{
	const char *h = kmscap_top_opt.hist;
	unsigned int i;
	char what[96];

	if (isatty(STDOUT_FILENO))
		printf("\033[H\033[2J");
	for (i = 0; i < kmscap_top_ndisplays; i++) {
		struct kmscap_top_display *d = kmscap_top_displays[i];

		if (!kmscap_top_display_shown(d))
			continue;
		snprintf(what, sizeof(what), "display %u %s", d->id, h);
		if (!strcmp(h, "wait"))
			kmscap_top_print_hist(what, &d->wait);
		else if (!strcmp(h, "publish_done"))
			kmscap_top_print_hist(what, &d->publish_done);
	}
	for (i = 0; i < kmscap_top_nclients; i++) {
		struct kmscap_top_client *c = kmscap_top_clients[i];

		if (!kmscap_top_uid_shown(c->uid))
			continue;
		snprintf(what, sizeof(what), "client %u (display %u, %s) %s", c->id, c->display,
			 c->comm[0] ? c->comm : "?", h);
		if (!strcmp(h, "flip_read"))
			kmscap_top_print_hist(what, &c->flip_read);
		else if (!strcmp(h, "hold"))
			kmscap_top_print_hist(what, &c->hold);
	}
	printf("\n");
}

/* ---- checks before loading ----------------------------------------------- */

struct kmscap_top_field {
	const char *event, *field;
	size_t offset, size;
};

#define KMSCAP_TOP_FIELD(ev, fld) \
	{ #ev, #fld, offsetof(struct kmscap_tp_##ev, fld), \
	  sizeof(((struct kmscap_tp_##ev *)0)->fld) }

static const struct kmscap_top_field kmscap_top_fields[] = {
	KMSCAP_TOP_FIELD(frame_publish, seq), KMSCAP_TOP_FIELD(frame_publish, damage_area),
	KMSCAP_TOP_FIELD(frame_publish, display), KMSCAP_TOP_FIELD(frame_publish, buffer_id),
	KMSCAP_TOP_FIELD(frame_publish, flags), KMSCAP_TOP_FIELD(frame_publish, clients),
	KMSCAP_TOP_FIELD(frame_read, seq), KMSCAP_TOP_FIELD(frame_read, display),
	KMSCAP_TOP_FIELD(frame_read, client),
	KMSCAP_TOP_FIELD(buffer_export, size), KMSCAP_TOP_FIELD(buffer_export, display),
	KMSCAP_TOP_FIELD(buffer_export, client), KMSCAP_TOP_FIELD(buffer_export, buffer_id),
	KMSCAP_TOP_FIELD(frame_release, seq), KMSCAP_TOP_FIELD(frame_release, display),
	KMSCAP_TOP_FIELD(frame_release, client), KMSCAP_TOP_FIELD(frame_release, result),
	KMSCAP_TOP_FIELD(frame_drop, seq), KMSCAP_TOP_FIELD(frame_drop, display),
	KMSCAP_TOP_FIELD(frame_drop, client), KMSCAP_TOP_FIELD(frame_drop, reason),
	{ "hold_revoke", "seq", offsetof(struct kmscap_tp_frame_drop, seq), 8 },
	{ "hold_revoke", "display", offsetof(struct kmscap_tp_frame_drop, display), 4 },
	{ "hold_revoke", "client", offsetof(struct kmscap_tp_frame_drop, client), 4 },
	{ "hold_revoke", "reason", offsetof(struct kmscap_tp_frame_drop, reason), 4 },
	KMSCAP_TOP_FIELD(flip_wait_start, seq), KMSCAP_TOP_FIELD(flip_wait_start, display),
	KMSCAP_TOP_FIELD(flip_wait_start, buffers), KMSCAP_TOP_FIELD(flip_wait_start, blocking),
	KMSCAP_TOP_FIELD(flip_wait_end, seq), KMSCAP_TOP_FIELD(flip_wait_end, waited_ns),
	KMSCAP_TOP_FIELD(flip_wait_end, display),
	KMSCAP_TOP_FIELD(flip_done, seq), KMSCAP_TOP_FIELD(flip_done, display),
	KMSCAP_TOP_FIELD(flip_done, waited),
	KMSCAP_TOP_FIELD(client_attach, hold_timeout_ns), KMSCAP_TOP_FIELD(client_attach, display),
	KMSCAP_TOP_FIELD(client_attach, client), KMSCAP_TOP_FIELD(client_attach, uid),
	KMSCAP_TOP_FIELD(client_attach, pid), KMSCAP_TOP_FIELD(client_attach, queue_depth),
	KMSCAP_TOP_FIELD(client_detach, flips), KMSCAP_TOP_FIELD(client_detach, delivered),
	KMSCAP_TOP_FIELD(client_detach, dropped_queue),
	KMSCAP_TOP_FIELD(client_detach, dropped_timeout),
	KMSCAP_TOP_FIELD(client_detach, queued), KMSCAP_TOP_FIELD(client_detach, held),
	KMSCAP_TOP_FIELD(client_detach, display), KMSCAP_TOP_FIELD(client_detach, client),
	KMSCAP_TOP_FIELD(client_detach, uid),
};

/* Root, or CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) in the effective set. */
static int kmscap_top_check_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	bool admin, bpf, perfmon;

	if (syscall(SYS_capget, &hdr, data)) {
		fprintf(stderr, "kmscap-top: capget: %s\n", strerror(errno));
		return -1;
	}
#define KMSCAP_TOP_HAS(cap) (!!(data[(cap) / 32].effective & (1u << ((cap) % 32))))
	admin = KMSCAP_TOP_HAS(CAP_SYS_ADMIN);
	bpf = KMSCAP_TOP_HAS(CAP_BPF);
	perfmon = KMSCAP_TOP_HAS(CAP_PERFMON);
	if (admin || (bpf && perfmon))
		return 0;
	fprintf(stderr, "kmscap-top: needs root, or CAP_BPF and CAP_PERFMON (uid %u lacks %s%s%s):"
		" run it with sudo\n", geteuid(), bpf ? "" : "CAP_BPF",
		!bpf && !perfmon ? " and " : "", perfmon ? "" : "CAP_PERFMON");
	return -1;
}

/* The tracefs directory with events/kmscap, in @dir. */
static int kmscap_top_find_events(char *dir, size_t len)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	bool tracefs = false;
	struct stat st;
	unsigned int i;
	char path[128];

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events", roots[i]);
		if (stat(path, &st))
			continue;
		tracefs = true;
		snprintf(path, sizeof(path), "%s/events/kmscap", roots[i]);
		if (!stat(path, &st)) {
			snprintf(dir, len, "%s", roots[i]);
			return 0;
		}
	}
	if (!tracefs) {
		fprintf(stderr, "kmscap-top: no tracefs at /sys/kernel/tracing or "
			"/sys/kernel/debug/tracing: mount -t tracefs nodev /sys/kernel/tracing\n");
	} else if (stat("/sys/module/kmscap", &st)) {
		fprintf(stderr, "kmscap-top: the kmscap module is not loaded (no "
			"/sys/module/kmscap, no events/kmscap in tracefs): modprobe kmscap\n");
	} else {
		fprintf(stderr, "kmscap-top: kmscap is loaded but tracefs has no events/kmscap: "
			"this kmscap.ko has no tracepoints (older than kmscap-top)\n");
	}
	return -1;
}

/* Every field the BPF programs read must be where kmscap-top.h says. */
static int kmscap_top_check_formats(const char *root)
{
	unsigned int i;

	for (i = 0; i < sizeof(kmscap_top_fields) / sizeof(kmscap_top_fields[0]); i++) {
		const struct kmscap_top_field *f = &kmscap_top_fields[i];
		char path[192], line[256], pat[64];
		int offset = -1, size = -1;
		FILE *fp;

		snprintf(path, sizeof(path), "%s/events/kmscap/kmscap_%s/format", root, f->event);
		fp = fopen(path, "re");
		if (!fp) {
			fprintf(stderr, "kmscap-top: %s: %s (kmscap.ko lacks event kmscap_%s: "
				"older than kmscap-top?)\n", path, strerror(errno), f->event);
			return -1;
		}
		snprintf(pat, sizeof(pat), " %s;", f->field);
		while (fgets(line, sizeof(line), fp)) {
			const char *p = strstr(line, pat), *o, *s;

			if (!strstr(line, "field:") || !p)
				continue;
			o = strstr(line, "offset:");
			s = strstr(line, "size:");
			if (o && s) {
				offset = atoi(o + 7);
				size = atoi(s + 5);
			}
			break;
		}
		fclose(fp);
		if (offset != (int)f->offset || size != (int)f->size) {
			fprintf(stderr, "kmscap-top: %s: field %s is at offset %d size %d, kmscap-top "
				"reads it at offset %zu size %zu: kmscap.ko and kmscap-top do not "
				"match\n", path, f->field, offset, size, f->offset, f->size);
			return -1;
		}
	}
	return 0;
}

static int kmscap_top_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void kmscap_top_usage(FILE *f)
{
	fprintf(f,
		"usage: kmscap-top [--json | --hist NAME] [--interval SECS] [--display ID]\n"
		"                  [--uid UID] [-n COUNT | --duration SECS]\n"
		"  --json            one JSON object per interval\n"
		"  --hist NAME       log2 histogram of flip_read, hold, wait or publish_done\n"
		"  --interval SECS   refresh period (default 1)\n"
		"  --display ID      only this display\n"
		"  --uid UID         only the clients of this uid (and their displays)\n"
		"  -n, --count N     stop after N intervals\n"
		"  --duration SECS   stop after SECS seconds\n"
		"SIGINT or SIGTERM prints one last interval and exits.\n");
}

static bool kmscap_top_parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 0);
	if (errno || end == s || *end || x > UINT32_MAX || s[0] == '-')
		return false;
	*v = x;
	return true;
}

static int kmscap_top_parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "interval", required_argument, NULL, 'i' },
		{ "display", required_argument, NULL, 'd' },
		{ "uid", required_argument, NULL, 'u' },
		{ "hist", required_argument, NULL, 'H' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	double duration = -1;
	char *end;
	int o;

	while ((o = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (o) {
		case 'j':
			kmscap_top_opt.json = true;
			break;
		case 'i':
			kmscap_top_opt.interval = strtod(optarg, &end);
			if (*end || end == optarg || !(kmscap_top_opt.interval >= 0.01) ||
			    kmscap_top_opt.interval > 3600) {
				fprintf(stderr, "kmscap-top: --interval '%s': seconds from 0.01 to "
					"3600 expected\n", optarg);
				return -1;
			}
			break;
		case 'd':
			if (!kmscap_top_parse_u32(optarg, &kmscap_top_opt.display)) {
				fprintf(stderr, "kmscap-top: --display '%s': a display id expected\n",
					optarg);
				return -1;
			}
			kmscap_top_opt.has_display = true;
			break;
		case 'u':
			if (!kmscap_top_parse_u32(optarg, &kmscap_top_opt.uid)) {
				fprintf(stderr, "kmscap-top: --uid '%s': a numeric uid expected\n",
					optarg);
				return -1;
			}
			kmscap_top_opt.has_uid = true;
			break;
		case 'H':
			if (strcmp(optarg, "flip_read") && strcmp(optarg, "hold") &&
			    strcmp(optarg, "wait") && strcmp(optarg, "publish_done")) {
				fprintf(stderr, "kmscap-top: --hist '%s': one of flip_read, hold, "
					"wait, publish_done expected\n", optarg);
				return -1;
			}
			kmscap_top_opt.hist = optarg;
			break;
		case 'n':
			kmscap_top_opt.count = strtol(optarg, &end, 10);
			if (*end || end == optarg || kmscap_top_opt.count < 1) {
				fprintf(stderr, "kmscap-top: --count '%s': a positive number expected\n",
					optarg);
				return -1;
			}
			break;
		case 'D':
			duration = strtod(optarg, &end);
			if (*end || end == optarg || !(duration > 0)) {
				fprintf(stderr, "kmscap-top: --duration '%s': positive seconds "
					"expected\n", optarg);
				return -1;
			}
			break;
		case 'h':
			kmscap_top_usage(stdout);
			exit(0);
		default:
			kmscap_top_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kmscap-top: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (kmscap_top_opt.json && kmscap_top_opt.hist) {
		fprintf(stderr, "kmscap-top: --json and --hist exclude each other\n");
		return -1;
	}
	if (duration > 0) {
		if (kmscap_top_opt.count > 0) {
			fprintf(stderr, "kmscap-top: --count and --duration exclude each other\n");
			return -1;
		}
		kmscap_top_opt.count = (long)ceil(duration / kmscap_top_opt.interval);
	}
	return 0;
}

static void kmscap_top_print(struct kmscap_top *skel, uint64_t now, uint64_t *last,
			     unsigned long n)
{
	double secs = (now - *last) / 1e9;
	uint64_t lost = kmscap_top_lost(skel);
	unsigned int i;

	if (kmscap_top_opt.json)
		kmscap_top_print_json(now, secs, lost, n);
	else if (kmscap_top_opt.hist)
		kmscap_top_print_hists();
	else
		kmscap_top_print_table(secs, lost);
	fflush(stdout);
	for (i = 0; i < kmscap_top_ndisplays; i++)
		kmscap_top_displays[i]->frames_prev = kmscap_top_displays[i]->frames;
	*last = now;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[KMSCAP_TOP_NKINDS] = { 0 };
	struct ring_buffer *rb = NULL;
	struct kmscap_top *skel;
	struct bpf_program *prog;
	uint64_t last, next, period;
	struct sigaction sa = { .sa_handler = kmscap_top_on_signal };
	unsigned long n = 0;
	unsigned int nprogs = 0, i;
	char root[64];
	int err;

	if (kmscap_top_parse(argc, argv))
		return 2;
	if (kmscap_top_check_caps() || kmscap_top_find_events(root, sizeof(root)) ||
	    kmscap_top_check_formats(root))
		return 1;

	libbpf_set_print(kmscap_top_libbpf_print);
	skel = kmscap_top__open();
	if (!skel) {
		fprintf(stderr, "kmscap-top: opening the BPF object failed: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->kmscap_top_filter_display = kmscap_top_opt.has_display;
	skel->rodata->kmscap_top_only_display = kmscap_top_opt.display;
	err = kmscap_top__load(skel);
	if (err) {
		fprintf(stderr, "kmscap-top: loading the BPF programs failed: %s\n", strerror(-err));
		goto out;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_link *link = nprogs < KMSCAP_TOP_NKINDS ? bpf_program__attach(prog) : NULL;

		if (!link) {
			err = nprogs < KMSCAP_TOP_NKINDS ? -errno : -E2BIG;
			fprintf(stderr, "kmscap-top: attaching %s to tracepoint %s failed: %s\n",
				bpf_program__name(prog), bpf_program__section_name(prog),
				strerror(-err));
			goto out;
		}
		links[nprogs++] = link;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.kmscap_top_events), kmscap_top_handle,
			      NULL, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "kmscap-top: ring buffer: %s\n", strerror(errno));
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "kmscap-top: tracing %u kmscap events (%s/events/kmscap)\n", nprogs, root);

	period = (uint64_t)(kmscap_top_opt.interval * 1e9);
	last = kmscap_top_now();
	next = last + period;
	while (!kmscap_top_stop) {
		uint64_t now = kmscap_top_now();
		int ms = now >= next ? 0 : (int)((next - now + 999999) / 1000000);

		/*
		 * Woken only when the ring fills (kmscap_top_submit()) or by a
		 * signal (no SA_RESTART: EINTR): read it anyway.
		 */
		err = ring_buffer__poll(rb, ms);
		if (err >= 0)
			err = ring_buffer__consume(rb);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "kmscap-top: ring buffer poll: %s\n", strerror(-err));
			goto out;
		}
		now = kmscap_top_now();
		if (now < next)
			continue;
		ring_buffer__consume(rb);
		kmscap_top_print(skel, now, &last, ++n);
		next += period;
		if (next <= now)
			next = now + period;
		if (kmscap_top_opt.count > 0 && n >= (unsigned long)kmscap_top_opt.count)
			break;
	}
	if (kmscap_top_stop) {
		/* Signalled: what the ring holds, then one last interval. */
		ring_buffer__consume(rb);
		kmscap_top_print(skel, kmscap_top_now(), &last, ++n);
	}
	err = 0;
out:
	ring_buffer__free(rb);
	for (i = 0; i < nprogs; i++)
		bpf_link__destroy(links[i]);
	kmscap_top__destroy(skel);
	return err ? 1 : 0;
}
