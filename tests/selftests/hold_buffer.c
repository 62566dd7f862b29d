// SPDX-License-Identifier: MIT
/*
 * hold_buffer: a held frame's buffers are protected per buffer, whatever
 * happens between the read and the flip that takes the buffer away.
 * Every case holds frame F showing buffer B (10 s hold timeout), then:
 *  1. a cursor-only commit, then a flip to C;
 *  2. a flip to B again (no damage), then a flip to C;
 *  3. F never read (an unread frame pins too), then a flip to C;
 *  4. a cursor image K1 held, then a commit changing the cursor to K2;
 * and in each the flip-done event that frees the buffer comes only after
 * F's release (a releasing thread marks the order: it sleeps first, so a
 * module that does not wait delivers the event before the mark), F's
 * pixels are B's pattern until then, and RELEASE(F) returns 0.  Then:
 *  5. a 300 ms hold that is never released: the flip's event comes after
 *     revocation and RELEASE says ESTALE;
 *  6. DIRTYFB on B (drawn in place): RELEASE(F) says ESTALE;
 *  7. a held blank frame: a modeset does not wait for it (its release
 *     after the modeset's event returns 0, not ESTALE);
 * and the compositor redraws every buffer as soon as it gets it back.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 320
#define H 240
#define CUR 64
#define LONG_HOLD_NS 10000000000ull

static struct kmscap_t_kms k;
static struct kmscap_t_buf bufs[3], curs[2];
static uint32_t seeds[3] = { 11, 22, 33 };
static uint32_t display_id;
static atomic_uint order;

enum { A, B, C };

struct kmscap_releaser {
	int fd;
	uint64_t seq;
	const struct kmscap_t_map *map;	/* NULL: no pixel check */
	uint32_t seed;
	unsigned int released_at;	/* order mark set before RELEASE */
	int ret;
	char err[160];
};

static void *kmscap_release_later(void *arg)
{
	struct kmscap_releaser *r = arg;
	uint64_t bad;

	kmscap_t_sleep_ms(300);
	if (r->map) {
		bad = kmscap_t_verify(r->map->ptr, bufs[0].pitch, W, H, r->seed, NULL, NULL);
		if (bad)
			snprintf(r->err, sizeof(r->err), "frame %llu changed under its hold: %llu "
				 "pixels differ from pattern %u", (unsigned long long)r->seq,
				 (unsigned long long)bad, r->seed);
	}
	r->released_at = atomic_fetch_add(&order, 1) + 1;
	r->ret = kmscap_t_release(r->fd, r->seq);
	return NULL;
}

/* Read the next frame event; it must show primary buffer @b. */
static struct kmscap_event kmscap_next_frame(int fd, const struct kmscap_t_buf *b,
					     const char *what)
{
	struct kmscap_event ev;
	int r = kmscap_t_read_event(fd, &ev, 5000);

	KT_ASSERT(r == 1 && ev.type == KMSCAP_EVENT_FRAME, "%s: no frame event (%s)", what,
		  kmscap_t_errname(r));
	if (b)
		KT_ASSERT(ev.width == b->width && ev.height == b->height,
			  "%s: frame %llu is %ux%u", what, (unsigned long long)ev.seq, ev.width,
			  ev.height);
	return ev;
}

static void kmscap_flip_now(int idx, const char *what)
{
	int r = kmscap_t_atomic_flip(&k, &bufs[idx], NULL, 0, true);

	if (!r)
		r = kmscap_t_wait_flip(&k, 15000);
	KT_ASSERT(!r, "%s: flip to buffer %c: %s", what, 'A' + idx, kmscap_t_errname(r));
}

/* The compositor got @idx back: it draws the next picture into it at once. */
static void kmscap_redraw(int idx)
{
	seeds[idx] += 100;
	kmscap_t_fill(bufs[idx].map, bufs[idx].pitch, W, H, seeds[idx]);
}

/*
 * Submit a commit (@submit) that takes held frame @f's buffer away, with a
 * thread releasing @f after 300 ms; the commit's event must come after the
 * release.  @pixels: check @f's pixels against @seed before releasing.
 */
static void kmscap_expect_wait(int fd, const struct kmscap_event *f, struct kmscap_t_maps *maps,
			       uint32_t seed, bool pixels, int (*submit)(void), const char *what)
{
	struct kmscap_releaser rel = { .fd = fd, .seq = f->seq, .seed = seed };
	unsigned int event_at;
	pthread_t th;
	int r;

	if (pixels)
		rel.map = kmscap_t_maps_get(maps, f->buffer_id);
	r = submit();
	KT_ASSERT(!r, "%s: commit: %s", what, kmscap_t_errname(r));
	if (pthread_create(&th, NULL, kmscap_release_later, &rel))
		kmscap_t_fail("pthread_create failed");
	r = kmscap_t_wait_flip(&k, 15000);
	event_at = atomic_fetch_add(&order, 1) + 1;
	pthread_join(th, NULL);
	KT_ASSERT(!r, "%s: no flip-done event: %s", what, kmscap_t_errname(r));
	if (rel.err[0])
		kmscap_t_fail("%s: %s", what, rel.err);
	KT_ASSERT(rel.released_at && rel.released_at < event_at,
		  "%s: the flip-done event came before frame %llu was released: the buffer "
		  "was handed back while a client held it", what, (unsigned long long)f->seq);
	KT_ASSERT(rel.ret == 0, "%s: RELEASE of frame %llu: %s (expected 0: never revoked)",
		  what, (unsigned long long)f->seq, kmscap_t_errname(rel.ret));
}

static int kmscap_submit_flip_c(void)
{
	return kmscap_t_atomic_flip(&k, &bufs[C], NULL, 0, true);
}

static int kmscap_submit_cursor_k2(void)
{
	return kmscap_t_cursor_commit(&k, &curs[1], 40, 40, true);
}

static int kmscap_client(uint64_t hold_ns, struct kmscap_t_maps *maps)
{
	int fd = kmscap_t_client_or_die(display_id, 16, hold_ns);

	kmscap_t_maps_init(maps, fd);
	return fd;
}

static void kmscap_client_done(int fd, struct kmscap_t_maps *maps, const char *what)
{
	struct kmscap_client_stats st;

	kmscap_t_drain(fd, 100);
	KT_EXPECT_RET(kmscap_t_stats(fd, &st), 0, "STATS");
	kmscap_t_stats_check(&st, what);
	kmscap_t_maps_fini(maps);
	close(fd);
}

/* Cases 1 and 2: a cursor-only commit, or a flip to B again, in between. */
static void kmscap_case_between(bool same_buffer)
{
	const char *what = same_buffer ? "flip to B again, then C" : "cursor commit, then C";
	struct kmscap_t_maps maps;
	struct kmscap_event f, g;
	int fd = kmscap_client(LONG_HOLD_NS, &maps), r;

	kmscap_flip_now(B, what);
	f = kmscap_next_frame(fd, &bufs[B], what);
	if (same_buffer) {
		kmscap_flip_now(B, what);
	} else {
		r = kmscap_t_cursor_commit(&k, &curs[0], 10, 10, true);
		KT_ASSERT(!r, "%s: cursor commit: %s", what, kmscap_t_errname(r));
		r = kmscap_t_wait_flip(&k, 15000);
		KT_ASSERT(!r, "%s: cursor commit's event: %s", what, kmscap_t_errname(r));
	}
	/* The commit in between shows B too: read and released at once. */
	g = kmscap_next_frame(fd, &bufs[B], what);
	KT_ASSERT(g.buffer_id == f.buffer_id, "%s: frame %llu shows buffer %u, not B (%u)", what,
		  (unsigned long long)g.seq, g.buffer_id, f.buffer_id);
	KT_EXPECT_RET(kmscap_t_release(fd, g.seq), 0, "RELEASE of the frame in between");

	kmscap_expect_wait(fd, &f, &maps, seeds[B], true, kmscap_submit_flip_c, what);
	kmscap_redraw(B);
	kmscap_client_done(fd, &maps, what);
	if (!same_buffer) {
		r = drmModeSetCursor(k.fd, k.crtc_id, 0, 0, 0);
		KT_ASSERT(!r, "cursor off: %s", strerror(errno));
	}
	kmscap_t_log("%s: the flip to C waited for the release of frame %llu", what,
		     (unsigned long long)f.seq);
}

/* Case 3: a frame never read pins its buffer like a read one. */
static void kmscap_case_unread(void)
{
	const char *what = "unread frame";
	struct kmscap_t_maps maps;
	struct kmscap_event f, c;
	int fd = kmscap_client(LONG_HOLD_NS, &maps), r;
	unsigned int event_at, released_at;

	kmscap_flip_now(B, what);
	r = kmscap_submit_flip_c();
	KT_ASSERT(!r, "%s: flip to C: %s", what, kmscap_t_errname(r));
	/* Nothing read yet: the event must not come before we read and release. */
	kmscap_t_sleep_ms(300);
	f = kmscap_next_frame(fd, &bufs[B], what);
	c = kmscap_next_frame(fd, &bufs[C], what);
	released_at = atomic_fetch_add(&order, 1) + 1;
	KT_EXPECT_RET(kmscap_t_release(fd, f.seq), 0, "RELEASE of the unread-then-read frame");
	r = kmscap_t_wait_flip(&k, 15000);
	event_at = atomic_fetch_add(&order, 1) + 1;
	KT_ASSERT(!r, "%s: no flip-done event: %s", what, kmscap_t_errname(r));
	KT_ASSERT(released_at < event_at, "%s: event before release", what);
	/* With nothing pinned any more, the event is there; it was not before. */
	KT_EXPECT_RET(kmscap_t_release(fd, c.seq), 0, "RELEASE of frame C");
	kmscap_redraw(B);
	kmscap_client_done(fd, &maps, what);
	kmscap_t_log("%s: ok", what);
}

/* Case 4: cursor buffers are protected like primary buffers. */
static void kmscap_case_cursor(void)
{
	const char *what = "cursor image K1 -> K2";
	struct kmscap_t_maps maps;
	struct kmscap_event f;
	int fd = kmscap_client(LONG_HOLD_NS, &maps), r;

	r = kmscap_t_cursor_commit(&k, &curs[0], 20, 20, true);
	KT_ASSERT(!r, "%s: cursor K1: %s", what, kmscap_t_errname(r));
	r = kmscap_t_wait_flip(&k, 15000);
	KT_ASSERT(!r, "%s: cursor K1 event: %s", what, kmscap_t_errname(r));
	f = kmscap_next_frame(fd, NULL, what);
	KT_ASSERT(f.flags & KMSCAP_FRAME_CURSOR_VISIBLE, "%s: frame %llu has no cursor", what,
		  (unsigned long long)f.seq);
	kmscap_expect_wait(fd, &f, &maps, 0, false, kmscap_submit_cursor_k2, what);
	kmscap_client_done(fd, &maps, what);
	r = drmModeSetCursor(k.fd, k.crtc_id, 0, 0, 0);
	KT_ASSERT(!r, "cursor off: %s", strerror(errno));
	kmscap_t_log("%s: ok", what);
}

/* Case 5: a hold that is never released is revoked: ESTALE. */
static void kmscap_case_revoked(void)
{
	const char *what = "revoked hold";
	struct kmscap_t_maps maps;
	struct kmscap_event f;
	int fd = kmscap_client(300000000ull, &maps), r;

	kmscap_flip_now(B, what);
	f = kmscap_next_frame(fd, &bufs[B], what);
	r = kmscap_submit_flip_c();
	KT_ASSERT(!r, "%s: flip to C: %s", what, kmscap_t_errname(r));
	r = kmscap_t_wait_flip(&k, 15000);
	KT_ASSERT(!r, "%s: the flip never completed: %s", what, kmscap_t_errname(r));
	kmscap_redraw(B);
	KT_EXPECT_RET(kmscap_t_release(fd, f.seq), -ESTALE, "RELEASE of a revoked frame");
	kmscap_client_done(fd, &maps, what);
	kmscap_t_log("%s: ok", what);
}

/* Case 6: DIRTYFB says the buffer on screen was drawn into in place. */
static void kmscap_case_dirtyfb(void)
{
	const char *what = "DIRTYFB";
	drmModeClip clip = { 0, 0, 16, 16 };
	struct kmscap_t_maps maps;
	struct kmscap_event f, d;
	int fd = kmscap_client(LONG_HOLD_NS, &maps), r;

	kmscap_flip_now(B, what);
	f = kmscap_next_frame(fd, &bufs[B], what);
	kmscap_redraw(B);
	r = drmModeDirtyFB(k.fd, bufs[B].fb_id, &clip, 1);
	KT_ASSERT(!r, "%s: drmModeDirtyFB: %s", what, strerror(errno));
	d = kmscap_next_frame(fd, &bufs[B], what);
	KT_EXPECT_RET(kmscap_t_release(fd, f.seq), -ESTALE,
		      "RELEASE of a frame whose buffer was redrawn in place");
	KT_EXPECT_RET(kmscap_t_release(fd, d.seq), 0, "RELEASE of the DIRTYFB frame");
	kmscap_client_done(fd, &maps, what);
	kmscap_t_log("%s: ok", what);
}

/* Case 7: a blank frame has no buffer: nothing waits for it. */
static void kmscap_case_blank(void)
{
	const char *what = "held blank frame";
	uint32_t prop_active = kmscap_t_prop_id(k.fd, k.crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE");
	struct kmscap_t_maps maps;
	struct kmscap_event f;
	drmModeAtomicReqPtr req;
	int fd, r;

	KT_ASSERT(prop_active, "no ACTIVE property");
	fd = kmscap_client(LONG_HOLD_NS, &maps);
	req = drmModeAtomicAlloc();
	drmModeAtomicAddProperty(req, k.crtc_id, prop_active, 0);
	r = drmModeAtomicCommit(k.fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) ? -errno : 0;
	drmModeAtomicFree(req);
	KT_ASSERT(!r, "%s: CRTC off: %s", what, kmscap_t_errname(r));
	f = kmscap_next_frame(fd, NULL, what);
	KT_ASSERT(f.flags & KMSCAP_FRAME_BLANK, "%s: frame %llu after ACTIVE=0 is not blank",
		  what, (unsigned long long)f.seq);
	r = kmscap_t_atomic_modeset(&k, &bufs[A]);
	KT_ASSERT(!r, "%s: modeset: %s", what, kmscap_t_errname(r));
	KT_EXPECT_RET(kmscap_t_release(fd, f.seq), 0,
		      "RELEASE of the blank frame after the modeset (a wait would have revoked it)");
	kmscap_client_done(fd, &maps, what);
	kmscap_t_log("%s: ok", what);
}

int main(void)
{
	struct kmscap_display_create c;
	int ctl, i;

	kmscap_t_init("hold_buffer", 120);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	display_id = c.id;
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	for (i = 0; i < 3; i++) {
		kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &bufs[i]);
		kmscap_t_fill(bufs[i].map, bufs[i].pitch, W, H, seeds[i]);
	}
	for (i = 0; i < 2; i++) {
		kmscap_t_buf_create_or_die(k.fd, CUR, CUR, DRM_FORMAT_ARGB8888, &curs[i]);
		kmscap_t_fill(curs[i].map, curs[i].pitch, CUR, CUR, 77 + i);
	}
	KT_ASSERT(!kmscap_t_atomic_modeset(&k, &bufs[A]), "modeset");

	kmscap_case_between(false);
	kmscap_flip_now(A, "back to A");
	kmscap_case_between(true);
	kmscap_flip_now(A, "back to A");
	kmscap_case_unread();
	kmscap_flip_now(A, "back to A");
	kmscap_case_cursor();
	kmscap_case_revoked();
	kmscap_flip_now(A, "back to A");
	kmscap_case_dirtyfb();
	kmscap_case_blank();

	for (i = 0; i < 3; i++)
		kmscap_t_buf_destroy(&bufs[i]);
	for (i = 0; i < 2; i++)
		kmscap_t_buf_destroy(&curs[i]);
	kmscap_t_kms_close(&k);
	kmscap_t_destroy(ctl, display_id);
	kmscap_t_pass("held buffers stay untouched until released or revoked");
	return 0;
}
