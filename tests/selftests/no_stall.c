// SPDX-License-Identifier: MIT
/*
 * no_stall: backpressure holds back only the flip that would hand a held
 * buffer back, never anything else.  Proved by order, not by time: the
 * client releases its frame only after the other calls have returned; a
 * call that waited for the release would never return before the hold
 * timeout (10 s) revoked the frame, and the release would then say ESTALE.
 *  1. A nonblocking flip waits for a held frame; meanwhile a legacy cursor
 *     move (what Xorg's modesetting does), a cursor image set, a blocking
 *     atomic commit of the cursor plane only, a TEST_ONLY commit, a
 *     connector probe and a property read all return; then the release;
 *     then the flip's event.
 *  2. A blocking commit that waits for a held frame holds no modeset lock
 *     while it waits: a cursor move from another thread returns while the
 *     commit has not; the commit returns only after the release.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 320
#define H 240
#define CUR 64
#define HOLD_NS 10000000000ull

static struct kmscap_t_kms k;
static struct kmscap_t_buf bufs[2], cur;
static uint32_t display_id;
static atomic_uint order;

static unsigned int kmscap_mark(void)
{
	return atomic_fetch_add(&order, 1) + 1;
}

static struct kmscap_event kmscap_next_frame(int fd, const char *what)
{
	struct kmscap_event ev;
	int r = kmscap_t_read_event(fd, &ev, 10000);

	KT_ASSERT(r == 1 && ev.type == KMSCAP_EVENT_FRAME, "%s: no frame event (%s)", what,
		  kmscap_t_errname(r));
	return ev;
}

/* Everything that must not wait for the client, each on the card's fd. */
static void kmscap_unrelated_calls(void)
{
	drmModeAtomicReqPtr req;
	drmModeConnectorPtr conn;
	uint64_t v;
	int r;

	r = drmModeMoveCursor(k.fd, k.crtc_id, 30, 30);
	KT_ASSERT(!r, "legacy cursor move: %s", strerror(errno));
	kmscap_t_log("legacy cursor move returned (order %u)", kmscap_mark());
	r = drmModeSetCursor(k.fd, k.crtc_id, cur.handle, CUR, CUR);
	KT_ASSERT(!r, "legacy cursor set: %s", strerror(errno));
	kmscap_t_log("legacy cursor set returned (order %u)", kmscap_mark());

	r = kmscap_t_cursor_commit(&k, &cur, 50, 60, false);
	KT_ASSERT(!r, "blocking atomic commit of the cursor plane: %s", kmscap_t_errname(r));
	kmscap_t_log("blocking cursor-plane commit returned (order %u)", kmscap_mark());
	req = drmModeAtomicAlloc();
	kmscap_t_add_cursor(req, &k, &cur, 50, 60);
	r = drmModeAtomicCommit(k.fd, req, DRM_MODE_ATOMIC_TEST_ONLY, NULL) ? -errno : 0;
	KT_ASSERT(!r, "TEST_ONLY commit: %s", kmscap_t_errname(r));
	drmModeAtomicFree(req);

	conn = drmModeGetConnector(k.fd, k.conn_id);	/* a probe: mode_config.mutex */
	KT_ASSERT(conn && conn->count_modes > 0, "connector probe: %s", strerror(errno));
	drmModeFreeConnector(conn);
	r = kmscap_t_prop_value(k.fd, k.crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE", &v);
	KT_ASSERT(!r && v == 1, "CRTC ACTIVE: %s, %llu", kmscap_t_errname(r),
		  (unsigned long long)v);
	kmscap_t_log("probe and property read returned (order %u)", kmscap_mark());
}

static void kmscap_case_nonblocking(void)
{
	struct kmscap_client_stats st;
	struct kmscap_event f;
	unsigned int released_at, event_at;
	int fd = kmscap_t_client_or_die(display_id, 16, HOLD_NS), r;

	r = kmscap_t_flip(&k, bufs[1].fb_id, 15000);
	KT_ASSERT(!r, "flip to buffer 1: %s", kmscap_t_errname(r));
	f = kmscap_next_frame(fd, "flip to buffer 1");

	r = kmscap_t_page_flip(&k, bufs[0].fb_id);
	KT_ASSERT(!r, "flip to buffer 0: %s", kmscap_t_errname(r));
	kmscap_unrelated_calls();
	r = kmscap_t_wait_flip(&k, 0);
	KT_ASSERT(r == -ETIMEDOUT, "the flip away from a held buffer completed before the "
		  "release (%s)", kmscap_t_errname(r));

	released_at = kmscap_mark();
	KT_EXPECT_RET(kmscap_t_release(fd, f.seq), 0,
		      "RELEASE after the unrelated calls (ESTALE: one of them waited until "
		      "the hold timeout revoked the frame)");
	r = kmscap_t_wait_flip(&k, 15000);
	event_at = kmscap_mark();
	KT_ASSERT(!r, "the flip's event after the release: %s", kmscap_t_errname(r));
	KT_ASSERT(released_at < event_at, "event before release");

	kmscap_t_drain(fd, 200);
	KT_EXPECT_RET(kmscap_t_stats(fd, &st), 0, "STATS");
	kmscap_t_stats_check(&st, "nonblocking case");
	KT_ASSERT(!st.dropped_timeout, "%llu frames revoked", (unsigned long long)st.dropped_timeout);
	close(fd);
}

struct kmscap_committer {
	unsigned int returned_at;
	int ret;
};

static void *kmscap_blocking_commit(void *arg)
{
	struct kmscap_committer *c = arg;

	c->ret = kmscap_t_atomic_flip(&k, &bufs[1], NULL, 0, false);
	c->returned_at = kmscap_mark();
	return NULL;
}

static void kmscap_case_blocking(void)
{
	struct kmscap_committer c = { 0 };
	struct kmscap_client_stats st;
	struct kmscap_event f, g;
	unsigned int moved_at, released_at;
	pthread_t th;
	int fd = kmscap_t_client_or_die(display_id, 16, HOLD_NS), r;

	/* Buffer 0 on screen, held. */
	r = kmscap_t_atomic_flip(&k, &bufs[0], NULL, 0, true);
	KT_ASSERT(!r && !kmscap_t_wait_flip(&k, 15000), "flip to buffer 0");
	f = kmscap_next_frame(fd, "flip to buffer 0");

	if (pthread_create(&th, NULL, kmscap_blocking_commit, &c))
		kmscap_t_fail("pthread_create failed");
	/* The blocking commit's frame: its commit tail ran, it now waits. */
	g = kmscap_next_frame(fd, "blocking commit to buffer 1");
	r = drmModeMoveCursor(k.fd, k.crtc_id, 70, 80);
	moved_at = kmscap_mark();
	KT_ASSERT(!r, "cursor move beside a waiting blocking commit: %s", strerror(errno));
	KT_ASSERT(!c.returned_at, "the blocking commit returned (order %u) before the release: "
		  "it did not wait for the held buffer", c.returned_at);

	released_at = kmscap_mark();
	KT_EXPECT_RET(kmscap_t_release(fd, f.seq), 0,
		      "RELEASE after the cursor move (ESTALE: the move waited for the timeout)");
	pthread_join(th, NULL);
	KT_ASSERT(!c.ret, "blocking commit: %s", kmscap_t_errname(c.ret));
	KT_ASSERT(moved_at < released_at && released_at < c.returned_at,
		  "order: cursor move %u, release %u, blocking commit returned %u", moved_at,
		  released_at, c.returned_at);
	KT_EXPECT_RET(kmscap_t_release(fd, g.seq), 0, "RELEASE of the blocking commit's frame");
	kmscap_t_drain(fd, 200);
	KT_EXPECT_RET(kmscap_t_stats(fd, &st), 0, "STATS");
	kmscap_t_stats_check(&st, "blocking case");
	close(fd);
}

int main(void)
{
	struct kmscap_display_create c;
	int ctl, i;

	kmscap_t_init("no_stall", 120);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	display_id = c.id;
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	for (i = 0; i < 2; i++) {
		kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &bufs[i]);
		kmscap_t_fill(bufs[i].map, bufs[i].pitch, W, H, i + 1);
	}
	kmscap_t_buf_create_or_die(k.fd, CUR, CUR, DRM_FORMAT_ARGB8888, &cur);
	KT_ASSERT(!kmscap_t_atomic_modeset(&k, &bufs[0]), "modeset");

	kmscap_case_nonblocking();
	kmscap_case_blocking();

	for (i = 0; i < 2; i++)
		kmscap_t_buf_destroy(&bufs[i]);
	kmscap_t_buf_destroy(&cur);
	kmscap_t_kms_close(&k);
	kmscap_t_destroy(ctl, display_id);
	kmscap_t_pass("only the flip handing back a held buffer waits, without locks");
	return 0;
}
