// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: counters, capture->coded latency percentiles over a
 * sliding window, and the report line (text or JSON).
 *
 * Latency is the time from the flip (the event's CLOCK_MONOTONIC
 * timestamp) to the moment the coded buffer was ready; the window holds
 * the last @window samples and percentiles are nearest-rank.  With a
 * module that sends flip-done events (ABI 1.3), a second latency runs from
 * the flip's completion (the vblank the compositor's page-flip event
 * names) to the coded buffer: 0 for a frame coded before its flip
 * completed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ks.h"

uint64_t ks_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void ks_latency_init(struct ks_latency *l, size_t window)
{
	memset(l, 0, sizeof(*l));
	l->window = window && window <= KS_LAT_WINDOW ? window : KS_LAT_WINDOW;
}

void ks_latency_add(struct ks_latency *l, uint64_t ns)
{
	l->samples[l->next] = ns;
	l->next = (l->next + 1) % l->window;
	if (l->count < l->window)
		l->count++;
}

static int ks_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t ks_latency_pct(const struct ks_latency *l, unsigned int pct)
{
	uint64_t sorted[KS_LAT_WINDOW];
	size_t rank;

	if (!l->count)
		return 0;
	if (pct > 100)
		pct = 100;
	/* the window is the first count slots until it wraps, then all of it */
	memcpy(sorted, l->samples, l->count * sizeof(sorted[0]));
	qsort(sorted, l->count, sizeof(sorted[0]), ks_cmp_u64);
	/* nearest rank: ceil(pct / 100 * n), at least 1 */
	rank = (pct * l->count + 99) / 100;
	if (!rank)
		rank = 1;
	return sorted[rank - 1];
}

void ks_stats_init(struct ks_stats *s, uint64_t now_ns)
{
	memset(s, 0, sizeof(*s));
	s->start_ns = now_ns;
	s->last_ns = now_ns;
	ks_latency_init(&s->lat, KS_LAT_WINDOW);
	ks_latency_init(&s->flip_lat, KS_LAT_WINDOW);
}

/* The slot of frame @seq, emptied if it held another frame. */
static struct ks_flip_slot *ks_flip_slot(struct ks_stats *s, uint64_t seq)
{
	struct ks_flip_slot *slot = &s->flip_slots[seq % KS_FLIP_SLOTS];

	if (slot->seq != seq)
		*slot = (struct ks_flip_slot){ .seq = seq };
	return slot;
}

/* Both times of @slot are known: one sample, and the slot is done. */
static void ks_flip_sample(struct ks_stats *s, struct ks_flip_slot *slot)
{
	if (!slot->flip_ns || !slot->coded_ns)
		return;
	ks_latency_add(&s->flip_lat, slot->coded_ns > slot->flip_ns ?
				     slot->coded_ns - slot->flip_ns : 0);
	s->total.flip_coded++;
	slot->seq = 0;
}

void ks_stats_flip_done(struct ks_stats *s, uint64_t seq, uint64_t ns)
{
	struct ks_flip_slot *slot = ks_flip_slot(s, seq);

	s->total.flip_done++;
	slot->flip_ns = ns;
	ks_flip_sample(s, slot);
}

void ks_stats_coded(struct ks_stats *s, uint64_t seq, uint64_t ns)
{
	struct ks_flip_slot *slot = ks_flip_slot(s, seq);

	if (!slot->coded_ns)
		slot->coded_ns = ns;
	ks_flip_sample(s, slot);
}

void ks_stats_merge_coded(struct ks_stats *to, const struct ks_stats *from)
{
	size_t i;

	for (i = 0; i < KS_FLIP_SLOTS; i++)
		if (from->flip_slots[i].coded_ns)
			ks_stats_coded(to, from->flip_slots[i].seq, from->flip_slots[i].coded_ns);
}

void ks_stats_mark(struct ks_stats *s, uint64_t now_ns)
{
	s->last = s->total;
	s->last_ns = now_ns;
}

/* x per second over ns, with two decimals, as hundredths (integer maths) */
static uint64_t ks_rate100(uint64_t x, uint64_t ns)
{
	if (!ns)
		return 0;
	return (uint64_t)((unsigned __int128)x * 100u * 1000000000u / ns);
}

int ks_stats_format(const struct ks_stats *s, uint64_t now_ns, bool final, bool json,
		    char *buf, size_t size)
{
	const struct ks_counters *t = &s->total;
	struct ks_counters d = *t;
	uint64_t since = final ? s->start_ns : s->last_ns;
	uint64_t ns = now_ns > since ? now_ns - since : 0;
	uint64_t fin, fout, kbps, p50, p99, f50, f99;
	int n;

	if (!final) {
		d.frames_in -= s->last.frames_in;
		d.encoded -= s->last.encoded;
		d.repeated -= s->last.repeated;
		d.bytes_out -= s->last.bytes_out;
	}
	fin = ks_rate100(d.frames_in, ns);
	fout = ks_rate100(d.encoded + d.repeated, ns);
	kbps = ks_rate100(d.bytes_out * 8, ns) / 1000;	/* kbit/s * 100 */
	p50 = ks_latency_pct(&s->lat, 50) / 1000;	/* us */
	p99 = ks_latency_pct(&s->lat, 99) / 1000;
	f50 = ks_latency_pct(&s->flip_lat, 50) / 1000;
	f99 = ks_latency_pct(&s->flip_lat, 99) / 1000;

	if (json)
		n = snprintf(buf, size,
			     "{\"type\":\"%s\",\"time_s\":%" PRIu64 ".%03" PRIu64
			     ",\"fps_in\":%" PRIu64 ".%02" PRIu64 ",\"fps_out\":%" PRIu64
			     ".%02" PRIu64 ",\"kbps\":%" PRIu64 ".%02" PRIu64
			     ",\"latency_p50_us\":%" PRIu64 ",\"latency_p99_us\":%" PRIu64
			     ",\"frames_in\":%" PRIu64 ",\"encoded\":%" PRIu64
			     ",\"skipped\":%" PRIu64 ",\"repeated\":%" PRIu64
			     ",\"dropped\":%" PRIu64 ",\"torn\":%" PRIu64 ",\"blank\":%" PRIu64
			     ",\"idr\":%" PRIu64
			     ",\"bytes\":%" PRIu64 ",\"released\":%" PRIu64
			     ",\"mode_changes\":%" PRIu64 ",\"imports\":%" PRIu64
			     ",\"import_avg_us\":%" PRIu64 ",\"convert_avg_us\":%" PRIu64
			     ",\"encode_avg_us\":%" PRIu64 ",\"idr_requests\":%" PRIu64
			     ",\"control_ignored\":%" PRIu64 ",\"flip_done\":%" PRIu64
			     ",\"flip_coded\":%" PRIu64 ",\"flip_coded_p50_us\":%" PRIu64
			     ",\"flip_coded_p99_us\":%" PRIu64 ",\"stale_releases\":%" PRIu64 "}",
			     final ? "summary" : "stats", ns / 1000000000, ns / 1000000 % 1000,
			     fin / 100, fin % 100, fout / 100, fout % 100, kbps / 100, kbps % 100,
			     p50, p99, t->frames_in, t->encoded, t->skipped, t->repeated,
			     t->dropped, t->torn, t->blank, t->idr, t->bytes_out, t->released,
			     t->mode_changes, t->imports,
			     t->imports ? t->import_ns / t->imports / 1000 : 0,
			     t->converts ? t->convert_ns / t->converts / 1000 : 0,
			     t->encodes ? t->encode_ns / t->encodes / 1000 : 0, t->idr_requests,
			     t->ctl_ignored, t->flip_done, t->flip_coded, f50, f99,
			     t->stale_releases);
	else
		n = snprintf(buf, size,
			     "%s %" PRIu64 ".%03" PRIu64 "s: in %" PRIu64 ".%02" PRIu64
			     " fps, out %" PRIu64 ".%02" PRIu64 " fps, %" PRIu64 ".%02" PRIu64
			     " kbit/s, latency p50 %" PRIu64 ".%03" PRIu64 " ms p99 %" PRIu64
			     ".%03" PRIu64 " ms, frames %" PRIu64 " encoded %" PRIu64
			     " skipped %" PRIu64 " repeated %" PRIu64 " dropped %" PRIu64
			     " torn %" PRIu64 " blank %" PRIu64 " idr %" PRIu64 " idr_requests %" PRIu64
			     " control_ignored %" PRIu64,
			     final ? "summary" : "stats", ns / 1000000000, ns / 1000000 % 1000,
			     fin / 100, fin % 100, fout / 100, fout % 100, kbps / 100, kbps % 100,
			     p50 / 1000, p50 % 1000, p99 / 1000, p99 % 1000, t->frames_in,
			     t->encoded, t->skipped, t->repeated, t->dropped, t->torn, t->blank,
			     t->idr, t->idr_requests, t->ctl_ignored);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENOSPC;
	/* only with a module that sends flip-done events */
	if (!json && t->flip_done) {
		int m = snprintf(buf + n, size - (size_t)n,
				 ", flip-done->coded p50 %" PRIu64 ".%03" PRIu64 " ms p99 %" PRIu64
				 ".%03" PRIu64 " ms", f50 / 1000, f50 % 1000, f99 / 1000,
				 f99 % 1000);

		if (m < 0)
			return -EINVAL;
		if ((size_t)m >= size - (size_t)n)
			return -ENOSPC;
		n += m;
	}
	return n;
}
