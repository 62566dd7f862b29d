// SPDX-License-Identifier: MIT
/*
 * flip_done: KMSCAP_EVENT_FLIP_DONE (ABI 1.3) tells a client attached with
 * KMSCAP_ATTACH_FRAMED | KMSCAP_ATTACH_FLIP_DONE when each flip completed:
 *  - VERSION says 1.3 and KMSCAP_CAP_FLIP_DONE; the flag without
 *    KMSCAP_ATTACH_FRAMED is EINVAL;
 *  - for every flip, one flip-done event after the frame event of the same
 *    seq, whose vblank_seq (low 32 bits) and timestamp_ns (in us) are the
 *    sequence and time of the compositor's page-flip event, commit_ns the
 *    frame's timestamp_ns; vblank_seq grows from flip to flip;
 *  - a framed client attached without the flag never reads one;
 *  - a flip that waits for the client's hold: no flip-done until the
 *    release, then one with KMSCAP_FLIP_DONE_WAITED and hold_wait_ns > 0;
 *  - such a flip completes at a vblank after the release, as a display
 *    completes a flip: a renderer flipping back to back while the client
 *    releases each frame when the next one comes gets page-flip events of
 *    growing sequences, each above the vblank counter read before the
 *    release and at a vblank time after it; a flip that waited for a
 *    hold until its timeout completes at a vblank after the timeout, and
 *    a blocking commit returns after that vblank;
 *  - a client that reads nothing: its flip-done events beyond its queue
 *    depth are dropped (counted in the next one's dropped), its frames
 *    are dropped as without flip-done events, no more;
 *  - the hang-up comes after the last flip-done.
 */
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <xf86drm.h>

#include "kmscap_test.h"

#define W 320
#define H 240
#define FLIPS 6
#define LONG_HOLD_NS 10000000000ull
#define PACED_FLIPS 12
#define SHORT_HOLD_NS 100000000ull

/* Framed events of one client, read ahead into a buffer. */
struct kmscap_fq {
	int fd;
	const char *name;
	uint8_t buf[4096];
	size_t n, off;
};

static struct kmscap_t_kms k;

static int kmscap_fq_attach_timeout(struct kmscap_fq *q, const char *name, uint32_t id,
				    uint32_t flags, uint32_t depth, uint64_t hold_timeout_ns)
{
	struct kmscap_attach at = { .display_id = id, .flags = flags, .queue_depth = depth,
				    .hold_timeout_ns = hold_timeout_ns };

	memset(q, 0, sizeof(*q));
	q->name = name;
	q->fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	KT_ASSERT(q->fd >= 0, "open %s: %s", KMSCAP_T_CTL, strerror(errno));
	return kmscap_t_ioctl(q->fd, KMSCAP_IOC_ATTACH, &at);
}

static int kmscap_fq_attach(struct kmscap_fq *q, const char *name, uint32_t id,
			    uint32_t flags, uint32_t depth)
{
	return kmscap_fq_attach_timeout(q, name, id, flags, depth, LONG_HOLD_NS);
}

/* The next event of @q, within 5 s; NULL only if @nonblock and none is there. */
static const struct kmscap_event_header *kmscap_fq_next(struct kmscap_fq *q, bool nonblock)
{
	const struct kmscap_event_header *h;
	struct pollfd p = { .fd = q->fd, .events = POLLIN };
	ssize_t got;

	if (q->off == q->n) {
		if (nonblock) {
			if (poll(&p, 1, 0) != 1)
				return NULL;
		} else {
			KT_ASSERT(poll(&p, 1, 5000) == 1, "%s: no event within 5 s", q->name);
		}
		got = read(q->fd, q->buf, sizeof(q->buf));
		KT_ASSERT(got > 0, "%s: read: %zd (%s)", q->name, got,
			  got < 0 ? strerror(errno) : "end of file");
		q->n = (size_t)got;
		q->off = 0;
	}
	h = (const void *)(q->buf + q->off);
	KT_ASSERT(q->off + sizeof(*h) <= q->n && h->length >= 8 && h->length % 8 == 0 &&
		  q->off + h->length <= q->n, "%s: event at %zu of %zu: length %u", q->name,
		  q->off, q->n, h->length);
	q->off += h->length;
	return h;
}

static const struct kmscap_event_frame *kmscap_fq_frame(struct kmscap_fq *q, const char *what)
{
	const struct kmscap_event_header *h = kmscap_fq_next(q, false);

	KT_ASSERT(h->type == KMSCAP_EVENT_FRAME, "%s: %s: event type %u, not a frame",
		  q->name, what, h->type);
	return (const void *)h;
}

static const struct kmscap_event_flip_done *kmscap_fq_done(struct kmscap_fq *q, const char *what)
{
	const struct kmscap_event_header *h = kmscap_fq_next(q, false);

	KT_ASSERT(h->type == KMSCAP_EVENT_FLIP_DONE, "%s: %s: event type %u, not a flip-done",
		  q->name, what, h->type);
	KT_ASSERT(h->length == sizeof(struct kmscap_event_flip_done), "%s: flip-done length %u",
		  q->name, h->length);
	return (const void *)h;
}

/* @d is the flip-done of frame @f, as the compositor's page-flip event says. */
static void kmscap_check_done(const struct kmscap_event_flip_done *d,
			      const struct kmscap_event_frame *f, const char *what)
{
	KT_ASSERT(d->seq == f->seq && d->display_id == f->display_id &&
		  d->commit_ns == f->timestamp_ns,
		  "%s: flip-done seq %llu display %u commit %llu for frame %llu (display %u, "
		  "timestamp %llu)", what, (unsigned long long)d->seq, d->display_id,
		  (unsigned long long)d->commit_ns, (unsigned long long)f->seq, f->display_id,
		  (unsigned long long)f->timestamp_ns);
	KT_ASSERT((uint32_t)d->vblank_seq == k.flip_seq,
		  "%s: flip-done vblank_seq %llu, the page-flip event's sequence %u", what,
		  (unsigned long long)d->vblank_seq, k.flip_seq);
	KT_ASSERT(d->timestamp_ns / 1000 == k.flip_ns / 1000,
		  "%s: flip-done timestamp %llu ns, the page-flip event's %llu us", what,
		  (unsigned long long)d->timestamp_ns, (unsigned long long)(k.flip_ns / 1000));
}

static void kmscap_flip_to(const struct kmscap_t_buf *b, const char *what)
{
	int r = kmscap_t_atomic_flip(&k, b, NULL, 0, true);

	KT_ASSERT(!r, "%s: flip: %s", what, kmscap_t_errname(r));
}

static void kmscap_wait_drm(const char *what)
{
	int r = kmscap_t_wait_flip(&k, 15000);

	KT_ASSERT(!r, "%s: page-flip event: %s", what, kmscap_t_errname(r));
}

/* The framed client without the flag reads frame @seq and releases it. */
static void kmscap_plain_frame(struct kmscap_fq *q, uint64_t seq, const char *what)
{
	const struct kmscap_event_frame *f = kmscap_fq_frame(q, what);

	KT_ASSERT(f->seq == seq, "%s: %s read frame %llu, expected %llu", what, q->name,
		  (unsigned long long)f->seq, (unsigned long long)seq);
	KT_EXPECT_RET(kmscap_t_release(q->fd, f->seq), 0, "RELEASE (plain client)");
}

/* Flips with prompt releases: one flip-done each, as DRM tells the compositor. */
static void kmscap_case_steady(struct kmscap_fq *fq, struct kmscap_fq *plain,
			       struct kmscap_t_buf *bufs)
{
	const struct kmscap_event_flip_done *d;
	const struct kmscap_event_frame *f;
	uint64_t last_vblank = 0, seq;
	unsigned int i;

	for (i = 0; i < FLIPS; i++) {
		kmscap_flip_to(&bufs[i % 2], "steady");
		f = kmscap_fq_frame(fq, "steady");
		seq = f->seq;
		KT_EXPECT_RET(kmscap_t_release(fq->fd, seq), 0, "RELEASE");
		kmscap_plain_frame(plain, seq, "steady");
		kmscap_wait_drm("steady");
		d = kmscap_fq_done(fq, "steady");
		/* @f's bytes are still in the buffer unless a read refilled it. */
		KT_ASSERT(d->seq == seq, "steady: flip-done seq %llu after frame %llu",
			  (unsigned long long)d->seq, (unsigned long long)seq);
		KT_ASSERT(!d->flags && !d->hold_wait_ns && !d->dropped,
			  "steady: flip-done of frame %llu: flags 0x%x hold_wait %llu dropped %llu",
			  (unsigned long long)seq, d->flags, (unsigned long long)d->hold_wait_ns,
			  (unsigned long long)d->dropped);
		KT_ASSERT((uint32_t)d->vblank_seq == k.flip_seq &&
			  d->timestamp_ns / 1000 == k.flip_ns / 1000,
			  "steady: flip-done of frame %llu: vblank %llu at %llu ns; page-flip "
			  "event: %u at %llu us", (unsigned long long)seq,
			  (unsigned long long)d->vblank_seq, (unsigned long long)d->timestamp_ns,
			  k.flip_seq, (unsigned long long)(k.flip_ns / 1000));
		KT_ASSERT(d->vblank_seq > last_vblank, "steady: vblank_seq %llu after %llu",
			  (unsigned long long)d->vblank_seq, (unsigned long long)last_vblank);
		last_vblank = d->vblank_seq;
		kmscap_t_log("frame %llu: vblank %llu at %llu ns, committed at %llu ns",
			     (unsigned long long)seq, (unsigned long long)d->vblank_seq,
			     (unsigned long long)d->timestamp_ns, (unsigned long long)d->commit_ns);
	}
}

/* A flip away from a buffer the client holds completes at its release. */
static void kmscap_case_waited(struct kmscap_fq *fq, struct kmscap_fq *plain,
			       struct kmscap_t_buf *bufs)
{
	struct kmscap_event_frame held, g;
	const struct kmscap_event_flip_done *d;
	struct pollfd p;

	/* The screen shows bufs[1] (FLIPS is even: the last flip was to [1]). */
	kmscap_flip_to(&bufs[0], "waited");
	held = *kmscap_fq_frame(fq, "waited: held frame");
	kmscap_plain_frame(plain, held.seq, "waited");
	kmscap_wait_drm("waited: first flip");
	d = kmscap_fq_done(fq, "waited: held frame");
	kmscap_check_done(d, &held, "waited: held frame");

	kmscap_flip_to(&bufs[1], "waited");
	g = *kmscap_fq_frame(fq, "waited: replacing frame");
	KT_EXPECT_RET(kmscap_t_release(fq->fd, g.seq), 0, "RELEASE of the replacing frame");
	kmscap_plain_frame(plain, g.seq, "waited");
	KT_ASSERT(!kmscap_fq_next(fq, true),
		  "waited: an event before frame %llu was released (its buffer is still held)",
		  (unsigned long long)held.seq);
	p = (struct pollfd){ .fd = k.fd, .events = POLLIN };
	KT_ASSERT(poll(&p, 1, 0) == 0,
		  "waited: the page-flip event came while the buffer was held");
	KT_EXPECT_RET(kmscap_t_release(fq->fd, held.seq), 0, "RELEASE of the held frame");
	kmscap_wait_drm("waited: flip away from the held buffer");
	d = kmscap_fq_done(fq, "waited");
	kmscap_check_done(d, &g, "waited");
	KT_ASSERT((d->flags & KMSCAP_FLIP_DONE_WAITED) && d->hold_wait_ns > 0 && !d->dropped,
		  "waited: flip-done of frame %llu: flags 0x%x hold_wait_ns %llu dropped %llu",
		  (unsigned long long)d->seq, d->flags, (unsigned long long)d->hold_wait_ns,
		  (unsigned long long)d->dropped);
	kmscap_t_log("frame %llu waited %llu ns for the release of frame %llu",
		     (unsigned long long)g.seq, (unsigned long long)d->hold_wait_ns,
		     (unsigned long long)held.seq);
}

/* The CRTC's vblank counter now (DRM_IOCTL_WAIT_VBLANK for no vblank). */
static unsigned int kmscap_vblank_now(void)
{
	drmVBlank vbl = { .request = { .type = DRM_VBLANK_RELATIVE, .sequence = 0 } };
	int r;

	vbl.request.type |= (k.crtc_index << DRM_VBLANK_HIGH_CRTC_SHIFT) &
			    DRM_VBLANK_HIGH_CRTC_MASK;
	r = drmWaitVBlank(k.fd, &vbl);
	KT_ASSERT(!r, "DRM_IOCTL_WAIT_VBLANK (the current vblank): %s", strerror(errno));
	return vbl.reply.sequence;
}

/*
 * A renderer flips back to back, each flip after the last one's page-flip
 * event, and the client releases each frame when the next one comes (as
 * an encoder does): every flip but the first waits for that release, and
 * completes at the next vblank, never at the release itself.
 */
static void kmscap_case_paced(struct kmscap_fq *fq, struct kmscap_fq *plain,
			      struct kmscap_t_buf *bufs)
{
	const struct kmscap_event_flip_done *d;
	unsigned int i, before = 0, last = 0;
	uint64_t seq, prev = 0, released_ns = 0;

	/* The screen shows bufs[1], which nobody holds. */
	for (i = 0; i < PACED_FLIPS; i++) {
		kmscap_flip_to(&bufs[i % 2], "paced");
		seq = kmscap_fq_frame(fq, "paced")->seq;
		kmscap_plain_frame(plain, seq, "paced");
		if (i) {
			before = kmscap_vblank_now();
			released_ns = kmscap_t_now_ns();
			KT_EXPECT_RET(kmscap_t_release(fq->fd, prev), 0, "RELEASE (paced)");
		}
		kmscap_wait_drm("paced");
		d = kmscap_fq_done(fq, "paced");
		KT_ASSERT(d->seq == seq && (uint32_t)d->vblank_seq == k.flip_seq,
			  "paced: flip-done of frame %llu at vblank %llu; expected frame %llu at "
			  "the page-flip event's %u", (unsigned long long)d->seq,
			  (unsigned long long)d->vblank_seq, (unsigned long long)seq, k.flip_seq);
		kmscap_t_log("paced: frame %llu: vblank %u at %llu ns, counter %u at the "
			     "release (%llu ns), waited %llu ns", (unsigned long long)seq,
			     k.flip_seq, (unsigned long long)d->timestamp_ns, before,
			     (unsigned long long)released_ns, (unsigned long long)d->hold_wait_ns);
		if (i) {
			KT_ASSERT(d->flags & KMSCAP_FLIP_DONE_WAITED,
				  "paced: flip of frame %llu did not wait for the release of %llu "
				  "(flags 0x%x)", (unsigned long long)seq,
				  (unsigned long long)prev, d->flags);
			KT_ASSERT((int32_t)(k.flip_seq - last) > 0,
				  "paced: page-flip event of frame %llu at vblank %u, the previous "
				  "one's at %u", (unsigned long long)seq, k.flip_seq, last);
			KT_ASSERT((int32_t)(k.flip_seq - before) > 0,
				  "paced: page-flip event of frame %llu at vblank %u, not after "
				  "vblank %u, current before the release", (unsigned long long)seq,
				  k.flip_seq, before);
			KT_ASSERT(d->timestamp_ns >= released_ns,
				  "paced: frame %llu flipped at a vblank at %llu ns, before the "
				  "release at %llu ns", (unsigned long long)seq,
				  (unsigned long long)d->timestamp_ns,
				  (unsigned long long)released_ns);
		}
		last = k.flip_seq;
		prev = seq;
	}
	KT_EXPECT_RET(kmscap_t_release(fq->fd, prev), 0, "RELEASE (paced, last)");
}

/*
 * A client holds a frame until its hold timeout: the flip away from it
 * completes at a vblank after the timeout, from the flip, has passed; a
 * @blocking commit returns after that vblank.
 */
static void kmscap_case_timeout(uint32_t id, struct kmscap_fq *fq, struct kmscap_fq *plain,
				struct kmscap_t_buf *bufs, bool blocking)
{
	const char *what = blocking ? "timeout (blocking)" : "timeout";
	const struct kmscap_event_flip_done *d;
	struct kmscap_fq *hold = calloc(1, sizeof(*hold));
	uint64_t held, seq, flipped_ns, returned_ns = 0;
	unsigned int last;
	int r;

	KT_ASSERT(hold, "out of memory");
	KT_EXPECT_RET(kmscap_fq_attach_timeout(hold, "holding client", id, KMSCAP_ATTACH_FRAMED,
					       8, SHORT_HOLD_NS), 0,
		      "ATTACH of the holding client");
	/* The screen shows bufs[1] (PACED_FLIPS is even), which nobody holds. */
	kmscap_flip_to(&bufs[0], "timeout");
	held = kmscap_fq_frame(fq, "timeout: held frame")->seq;
	KT_EXPECT_RET(kmscap_t_release(fq->fd, held), 0, "RELEASE (timeout)");
	kmscap_plain_frame(plain, held, "timeout");
	KT_ASSERT(kmscap_fq_frame(hold, "timeout: held frame")->seq == held,
		  "timeout: the holding client did not read frame %llu",
		  (unsigned long long)held);
	kmscap_wait_drm("timeout: first flip");
	kmscap_fq_done(fq, "timeout: held frame");
	last = k.flip_seq;

	flipped_ns = kmscap_t_now_ns();
	if (blocking) {
		r = kmscap_t_atomic_flip(&k, &bufs[1], NULL, 0, false);
		KT_ASSERT(!r, "%s: blocking flip: %s", what, kmscap_t_errname(r));
		returned_ns = kmscap_t_now_ns();
	} else {
		kmscap_flip_to(&bufs[1], what);
	}
	seq = kmscap_fq_frame(fq, "timeout: replacing frame")->seq;
	KT_EXPECT_RET(kmscap_t_release(fq->fd, seq), 0, "RELEASE (timeout)");
	kmscap_plain_frame(plain, seq, what);
	if (!blocking)
		kmscap_wait_drm("timeout: flip away from the held buffer");
	d = kmscap_fq_done(fq, what);
	kmscap_t_log("%s: frame %llu: vblank %llu at %llu ns, flipped at %llu ns, returned at "
		     "%llu ns, hold timeout %llu ns, waited %llu ns", what,
		     (unsigned long long)seq, (unsigned long long)d->vblank_seq,
		     (unsigned long long)d->timestamp_ns, (unsigned long long)flipped_ns,
		     (unsigned long long)returned_ns, SHORT_HOLD_NS,
		     (unsigned long long)d->hold_wait_ns);
	KT_ASSERT(d->seq == seq && (d->flags & KMSCAP_FLIP_DONE_WAITED) &&
		  (int32_t)((uint32_t)d->vblank_seq - last) > 0 &&
		  (blocking || (uint32_t)d->vblank_seq == k.flip_seq),
		  "%s: flip-done of frame %llu (expected %llu), vblank %llu after %u (page-flip "
		  "event: %u), flags 0x%x", what, (unsigned long long)d->seq,
		  (unsigned long long)seq, (unsigned long long)d->vblank_seq, last, k.flip_seq,
		  d->flags);
	KT_ASSERT(d->timestamp_ns >= flipped_ns + SHORT_HOLD_NS,
		  "%s: frame %llu flipped at a vblank at %llu ns, before the hold timeout "
		  "(%llu ns after the flip at %llu ns) ended", what, (unsigned long long)seq,
		  (unsigned long long)d->timestamp_ns, SHORT_HOLD_NS,
		  (unsigned long long)flipped_ns);
	KT_ASSERT(!blocking || returned_ns >= d->timestamp_ns,
		  "%s: the commit returned at %llu ns, before its flip's vblank at %llu ns", what,
		  (unsigned long long)returned_ns, (unsigned long long)d->timestamp_ns);
	close(hold->fd);
	free(hold);
}

/*
 * A client of queue depth 2 reads nothing while 5 commits show the same
 * buffer (nothing waits): it keeps the last 2 frames and the last 2
 * flip-done events, the first of which says 3 were dropped.
 */
static void kmscap_case_full(uint32_t id, struct kmscap_fq *fq, struct kmscap_fq *plain,
			     struct kmscap_t_buf *bufs)
{
	const struct kmscap_event_flip_done *d;
	const struct kmscap_event_frame *f;
	struct kmscap_client_stats st;
	uint64_t seqs[5], frames[2], dones[2];
	unsigned int i, nf = 0, nd = 0;
	struct kmscap_fq *slow = calloc(1, sizeof(*slow));

	KT_ASSERT(slow, "out of memory");
	KT_EXPECT_RET(kmscap_fq_attach(slow, "slow client", id,
				       KMSCAP_ATTACH_FRAMED | KMSCAP_ATTACH_FLIP_DONE, 2), 0,
		      "ATTACH of the slow client");
	for (i = 0; i < 5; i++) {
		kmscap_flip_to(&bufs[1], "full");
		f = kmscap_fq_frame(fq, "full");
		seqs[i] = f->seq;
		KT_EXPECT_RET(kmscap_t_release(fq->fd, seqs[i]), 0, "RELEASE");
		kmscap_plain_frame(plain, seqs[i], "full");
		kmscap_wait_drm("full");
		d = kmscap_fq_done(fq, "full");
		KT_ASSERT(d->seq == seqs[i], "full: flip-done %llu for frame %llu",
			  (unsigned long long)d->seq, (unsigned long long)seqs[i]);
	}
	/* The slow client's last flip-done may still be on its way. */
	while (nd < 2 || dones[nd - 1] != seqs[4]) {
		const struct kmscap_event_header *h = kmscap_fq_next(slow, false);

		if (h->type == KMSCAP_EVENT_FRAME) {
			f = (const void *)h;
			KT_ASSERT(nf < 2, "full: a third frame (%llu) from a queue of 2",
				  (unsigned long long)f->seq);
			frames[nf++] = f->seq;
			KT_ASSERT(f->dropped == (nf == 1 ? 3 : 0), "full: frame %llu dropped %llu",
				  (unsigned long long)f->seq, (unsigned long long)f->dropped);
			continue;
		}
		KT_ASSERT(h->type == KMSCAP_EVENT_FLIP_DONE, "full: event type %u", h->type);
		d = (const void *)h;
		KT_ASSERT(nd < 2, "full: a third flip-done (%llu) from a queue of 2",
			  (unsigned long long)d->seq);
		KT_ASSERT(nf > nd, "full: flip-done %llu before its frame",
			  (unsigned long long)d->seq);
		dones[nd++] = d->seq;
		KT_ASSERT(d->dropped == (nd == 1 ? 3 : 0), "full: flip-done %llu dropped %llu",
			  (unsigned long long)d->seq, (unsigned long long)d->dropped);
	}
	KT_ASSERT(nf == 2 && frames[0] == seqs[3] && frames[1] == seqs[4] &&
		  dones[0] == seqs[3] && dones[1] == seqs[4],
		  "full: frames %u (%llu, %llu), flip-done events of %llu and %llu; expected "
		  "%llu and %llu", nf, (unsigned long long)frames[0],
		  (unsigned long long)frames[1], (unsigned long long)dones[0],
		  (unsigned long long)dones[1], (unsigned long long)seqs[3],
		  (unsigned long long)seqs[4]);
	KT_EXPECT_RET(kmscap_t_stats(slow->fd, &st), 0, "STATS of the slow client");
	kmscap_t_stats_check(&st, "slow client");
	KT_ASSERT(st.flips == 5 && st.dropped_queue == 3 && st.held == 2,
		  "full: slow client: flips %llu dropped_queue %llu held %llu",
		  (unsigned long long)st.flips, (unsigned long long)st.dropped_queue,
		  (unsigned long long)st.held);
	close(slow->fd);
	free(slow);
}

int main(void)
{
	struct kmscap_fq *fq = calloc(1, sizeof(*fq)), *plain = calloc(1, sizeof(*plain));
	const struct kmscap_event_header *h;
	struct kmscap_display_create c;
	struct kmscap_t_buf bufs[2];
	struct kmscap_version v;
	struct kmscap_attach at;
	int ctl, r, bad;

	kmscap_t_init("flip_done", 120);
	KT_ASSERT(fq && plain, "out of memory");
	ctl = kmscap_t_open_ctl_or_skip();
	KT_EXPECT_RET(kmscap_t_version(ctl, &v), 0, "VERSION");
	KT_ASSERT(v.major == 1 && v.minor >= 3 && (v.caps & KMSCAP_CAP_FLIP_DONE),
		  "ABI %u.%u caps 0x%llx: no KMSCAP_CAP_FLIP_DONE", v.major, v.minor,
		  (unsigned long long)v.caps);
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &bufs[0]);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &bufs[1]);
	r = kmscap_t_atomic_modeset(&k, &bufs[1]);
	KT_ASSERT(!r, "modeset: %s", kmscap_t_errname(r));

	bad = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	KT_ASSERT(bad >= 0, "open: %s", strerror(errno));
	at = (struct kmscap_attach){ .display_id = c.id, .flags = KMSCAP_ATTACH_FLIP_DONE };
	KT_EXPECT_RET(kmscap_t_ioctl(bad, KMSCAP_IOC_ATTACH, &at), -EINVAL,
		      "ATTACH with KMSCAP_ATTACH_FLIP_DONE and without KMSCAP_ATTACH_FRAMED");
	close(bad);

	KT_EXPECT_RET(kmscap_fq_attach(fq, "flip-done client", c.id,
				       KMSCAP_ATTACH_FRAMED | KMSCAP_ATTACH_FLIP_DONE, 8), 0,
		      "ATTACH framed with flip-done events");
	KT_EXPECT_RET(kmscap_fq_attach(plain, "framed client", c.id, KMSCAP_ATTACH_FRAMED, 8), 0,
		      "ATTACH framed");

	kmscap_case_steady(fq, plain, bufs);
	kmscap_case_waited(fq, plain, bufs);
	kmscap_case_paced(fq, plain, bufs);
	kmscap_case_timeout(c.id, fq, plain, bufs, false);
	kmscap_case_timeout(c.id, fq, plain, bufs, true);
	kmscap_case_full(c.id, fq, plain, bufs);

	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	h = kmscap_fq_next(fq, false);
	KT_ASSERT(h->type == KMSCAP_EVENT_HANGUP, "flip-done client: event type %u before the "
		  "hang-up", h->type);
	h = kmscap_fq_next(plain, false);
	KT_ASSERT(h->type == KMSCAP_EVENT_HANGUP, "framed client: event type %u before the "
		  "hang-up", h->type);
	close(fq->fd);
	close(plain->fd);
	kmscap_t_buf_destroy(&bufs[0]);
	kmscap_t_buf_destroy(&bufs[1]);
	free(fq);
	free(plain);
	kmscap_t_pass("flip-done events: one per flip after its frame, with the page-flip "
		      "event's vblank and time, WAITED for a held buffer, dropped apart from frames");
}
