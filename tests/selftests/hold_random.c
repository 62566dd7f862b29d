// SPDX-License-Identifier: MIT
/*
 * hold_random: after any sequence of flips, re-flips, cursor moves and
 * image changes and DIRTYFB, every frame a client still holds shows
 * exactly the pixels it showed when it was read, or its RELEASE says
 * ESTALE.  A compositor model (seeded, printed) draws into a buffer only
 * when the module has handed it back (not on screen, the flip-done event
 * of the flip that took it away received), except for DIRTYFB, which
 * redraws the buffer on screen first, as front-buffer rendering does.
 * The client keeps random frames for a while (200 ms hold timeout, so
 * some are revoked), checks their primary and cursor pixels against the
 * model at the frame's commit, then releases them: a release that returns
 * 0 after a failed check is a failure.  A second client, attached with a
 * frame ring (ABI 1.6), does the same with the frames it takes from its
 * ring: a give-back that finds its slot still HELD (not REVOKED) after a
 * failed check is a failure.
 */
#include <stdlib.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "libframering.h"

#define W 192
#define H 128
#define CUR 64
#define NBUF 3
#define NCUR 2
#define STEPS 160
#define MAX_COMMITS 1024
#define HOLD_NS 200000000ull

struct kmscap_model {
	int prim, cur;			/* buffer indexes; cur -1: no cursor */
	uint32_t prim_seed, cur_seed;
};

static struct kmscap_t_kms k;
static struct kmscap_t_buf bufs[NBUF], curs[NCUR];
static uint32_t seeds[NBUF], cseeds[NCUR];
static struct kmscap_model shown, models[MAX_COMMITS];
static unsigned int ncommits;
static uint64_t seq0;
static unsigned int checked, stale, released;

struct kmscap_heldf {
	struct kmscap_event ev;
	unsigned int until;		/* step after which it is released */
};

static struct kmscap_heldf held[64];
static unsigned int nheld;
static struct kmscap_t_maps maps;
static int client;

/* The ring client: its frames taken, the slot of each, and its counts. */
#define RING_HELD 32
static struct kmscap_framering ring;
static volatile struct kmscap_ring_slot *ring_slot[RING_HELD];
static struct kmscap_heldf ring_held[RING_HELD];
static unsigned int ring_nheld, ring_checked, ring_stale, ring_released;
static struct kmscap_t_maps ring_maps;
static int ring_client;

static void kmscap_record(void)
{
	KT_ASSERT(ncommits < MAX_COMMITS, "too many commits");
	models[ncommits++] = shown;
}

/* Whether frame @ev shows what the model says its commit showed. */
static bool kmscap_check(const struct kmscap_event *ev, struct kmscap_t_maps *mp,
			 const struct kmscap_model **mo)
{
	const struct kmscap_model *m;
	struct kmscap_t_map *map;
	bool ok = true;

	KT_ASSERT(ev->seq >= seq0 && ev->seq - seq0 < ncommits, "frame %llu of no commit",
		  (unsigned long long)ev->seq);
	m = &models[ev->seq - seq0];
	map = kmscap_t_maps_get(mp, ev->buffer_id);
	if (kmscap_t_verify(map->ptr, bufs[0].pitch, W, H, m->prim_seed, NULL, NULL))
		ok = false;
	if (m->cur >= 0) {
		KT_ASSERT(ev->flags & KMSCAP_FRAME_CURSOR_VISIBLE, "frame %llu: no cursor",
			  (unsigned long long)ev->seq);
		map = kmscap_t_maps_get(mp, ev->cursor_buffer_id);
		if (kmscap_t_verify(map->ptr, curs[0].pitch, CUR, CUR, m->cur_seed, NULL, NULL))
			ok = false;
	}
	*mo = m;
	return ok;
}

/* Check frame @ev against the model at its commit; then release it. */
static void kmscap_check_release(const struct kmscap_event *ev)
{
	const struct kmscap_model *m;
	bool ok = kmscap_check(ev, &maps, &m);
	int r;

	r = kmscap_t_release(client, ev->seq);
	checked++;
	if (r == -ESTALE) {
		stale++;
		return;
	}
	KT_ASSERT(r == 0, "RELEASE %llu: %s", (unsigned long long)ev->seq, kmscap_t_errname(r));
	released++;
	KT_ASSERT(ok, "frame %llu (buffer %d seed %u, cursor %d seed %u) changed under its "
		  "hold, yet RELEASE returned 0", (unsigned long long)ev->seq, m->prim,
		  m->prim_seed, m->cur, m->cur_seed);
}

/* The ring client's check and give-back of its frame @i. */
static void kmscap_ring_check_give_back(unsigned int i)
{
	const struct kmscap_event *ev = &ring_held[i].ev;
	const struct kmscap_model *m;
	bool ok = kmscap_check(ev, &ring_maps, &m), kick;
	int r = kmscap_framering_give_back(ring_slot[i], &kick);

	ring_checked++;
	if (!r && kick)
		r = kmscap_t_release(ring_client, 0);
	if (r == -ESTALE) {
		ring_stale++;
		return;
	}
	KT_ASSERT(!r, "ring: giving back %llu: %s", (unsigned long long)ev->seq,
		  kmscap_t_errname(r));
	ring_released++;
	KT_ASSERT(ok, "ring: frame %llu (buffer %d seed %u, cursor %d seed %u) changed while "
		  "taken, yet its slot was not revoked", (unsigned long long)ev->seq, m->prim,
		  m->prim_seed, m->cur, m->cur_seed);
}

/* The ring client: take what is READY, keep frames for a random number of steps. */
static void kmscap_ring_step(unsigned int step, unsigned int *rng)
{
	volatile struct kmscap_ring_slot *s;
	unsigned int i;

	/* seq0 is the read client's first frame, which it never drops */
	if (!seq0)
		return;
	while (ring_nheld < RING_HELD && (s = kmscap_framering_take(&ring))) {
		ring_slot[ring_nheld] = s;
		memcpy(&ring_held[ring_nheld].ev, (const void *)&s->ev, sizeof(s->ev));
		ring_held[ring_nheld].until = rand_r(rng) % 3 == 0 ? step : step + rand_r(rng) % 6;
		ring_nheld++;
	}
	for (i = 0; i < ring_nheld;) {
		if (ring_held[i].until <= step) {
			kmscap_ring_check_give_back(i);
			ring_held[i] = ring_held[--ring_nheld];
			ring_slot[i] = ring_slot[ring_nheld];
		} else {
			i++;
		}
	}
}

/* Read what is there; keep frames for a random number of steps. */
static void kmscap_client_step(unsigned int step, unsigned int *rng)
{
	struct kmscap_event ev;
	unsigned int i;

	while (kmscap_t_read_event(client, &ev, 0) == 1) {
		KT_ASSERT(ev.type == KMSCAP_EVENT_FRAME, "event type %u", ev.type);
		if (!seq0)
			seq0 = ev.seq;
		if (nheld == 64 || rand_r(rng) % 3 == 0) {
			kmscap_check_release(&ev);
			continue;
		}
		held[nheld].ev = ev;
		held[nheld++].until = step + rand_r(rng) % 6;
	}
	for (i = 0; i < nheld;) {
		if (held[i].until <= step) {
			kmscap_check_release(&held[i].ev);
			held[i] = held[--nheld];
		} else {
			i++;
		}
	}
	kmscap_ring_step(step, rng);
}

/* Wait for the commit's event, letting the client work meanwhile. */
static void kmscap_wait_event(unsigned int *step, unsigned int *rng)
{
	int r, tries = 0;

	while ((r = kmscap_t_wait_flip(&k, 20)) == -ETIMEDOUT) {
		kmscap_client_step(++*step, rng);
		KT_ASSERT(++tries < 1000, "a flip-done event never came");
	}
	KT_ASSERT(!r, "flip-done event: %s", kmscap_t_errname(r));
}

static void kmscap_redraw(struct kmscap_t_buf *b, uint32_t *seed, uint32_t w, uint32_t h)
{
	*seed += 1000;
	kmscap_t_fill(b->map, b->pitch, w, h, *seed);
}

/* kmscap_hold.seed=N on the kernel command line, else the clock. */
static unsigned int kmscap_seed(void)
{
	char line[1024] = "";
	const char *p;
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	p = strstr(line, "kmscap_hold.seed=");
	if (p)
		return (unsigned int)strtoul(p + strlen("kmscap_hold.seed="), NULL, 0);
	return (unsigned int)kmscap_t_now_ns();
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_client_stats st;
	unsigned int seed, rng, step = 0, i;
	int ctl, r;

	kmscap_t_init("hold_random", 120);
	seed = kmscap_seed();
	rng = seed;
	kmscap_t_log("seed %u (replay: make vm-check VM_TESTS=hold_random "
		     "VM_FLAGS=\"--append kmscap_hold.seed=%u\")", seed, seed);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	for (i = 0; i < NBUF; i++) {
		kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &bufs[i]);
		seeds[i] = 10 + i;
		kmscap_t_fill(bufs[i].map, bufs[i].pitch, W, H, seeds[i]);
	}
	for (i = 0; i < NCUR; i++) {
		kmscap_t_buf_create_or_die(k.fd, CUR, CUR, DRM_FORMAT_ARGB8888, &curs[i]);
		cseeds[i] = 20 + i;
		kmscap_t_fill(curs[i].map, curs[i].pitch, CUR, CUR, cseeds[i]);
	}
	KT_ASSERT(!kmscap_t_atomic_modeset(&k, &bufs[0]), "modeset");
	shown = (struct kmscap_model){ .prim = 0, .cur = -1, .prim_seed = seeds[0] };
	client = kmscap_t_client_or_die(c.id, 64, HOLD_NS);
	kmscap_t_maps_init(&maps, client);
	ring_client = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	KT_ASSERT(ring_client >= 0, "open %s: %s", KMSCAP_T_CTL, strerror(errno));
	r = kmscap_framering_attach(&ring, ring_client, c.id, KMSCAP_MAX_QUEUE, HOLD_NS);
	KT_ASSERT(!r, "ATTACH with a frame ring, and its mapping: %s", kmscap_t_errname(r));
	kmscap_t_maps_init(&ring_maps, ring_client);

	while (step < STEPS) {
		unsigned int op = rand_r(&rng) % 10;
		drmModeClip clip = { 0, 0, 8, 8 };
		int x;

		if (op < 5) {
			/* Flip to another buffer, drawn now: it is free. */
			x = (shown.prim + 1 + rand_r(&rng) % (NBUF - 1)) % NBUF;
			kmscap_redraw(&bufs[x], &seeds[x], W, H);
			shown.prim = x;
			shown.prim_seed = seeds[x];
			kmscap_record();
			r = kmscap_t_atomic_flip(&k, &bufs[x], NULL, 0, true);
		} else if (op < 6) {
			/* The same buffer again, without damage. */
			kmscap_record();
			r = kmscap_t_atomic_flip(&k, &bufs[shown.prim], NULL, 0, true);
		} else if (op < 8) {
			/* Cursor: moved, or another image, drawn now: it is free. */
			x = shown.cur;
			if (x < 0 || rand_r(&rng) % 2) {
				x = x < 0 ? 0 : 1 - x;
				kmscap_redraw(&curs[x], &cseeds[x], CUR, CUR);
			}
			shown.cur = x;
			shown.cur_seed = cseeds[x];
			kmscap_record();
			r = kmscap_t_cursor_commit(&k, &curs[x], rand_r(&rng) % W, rand_r(&rng) % H, true);
		} else {
			/* Front-buffer rendering: redraw the buffer on screen, DIRTYFB. */
			kmscap_redraw(&bufs[shown.prim], &seeds[shown.prim], W, H);
			shown.prim_seed = seeds[shown.prim];
			kmscap_record();
			r = drmModeDirtyFB(k.fd, bufs[shown.prim].fb_id, &clip, 1) ? -errno : 0;
			KT_ASSERT(!r, "step %u: DIRTYFB: %s", step, kmscap_t_errname(r));
			kmscap_client_step(++step, &rng);
			continue;
		}
		KT_ASSERT(!r, "step %u: commit (op %u): %s", step, op, kmscap_t_errname(r));
		kmscap_wait_event(&step, &rng);
		kmscap_client_step(++step, &rng);
	}
	/* Everything left: check and release. */
	kmscap_t_sleep_ms(100);
	kmscap_client_step(UINT32_MAX, &rng);
	kmscap_ring_step(UINT32_MAX, &rng);
	KT_EXPECT_RET(kmscap_t_stats(client, &st), 0, "STATS");
	kmscap_t_stats_check(&st, "client");
	KT_ASSERT(!st.dropped_queue, "%llu frames dropped from the queue: frames and commits "
		  "no longer line up", (unsigned long long)st.dropped_queue);
	kmscap_t_log("%u commits, %u frames checked: %u released intact, %u revoked (ESTALE)",
		     ncommits, checked, released, stale);
	KT_ASSERT(checked == ncommits, "%u frames checked of %u commits", checked, ncommits);
	KT_EXPECT_RET(kmscap_t_stats(ring_client, &st), 0, "STATS of the ring client");
	kmscap_t_stats_check(&st, "ring client");
	kmscap_t_log("ring client: %u frames checked: %u given back intact, %u revoked; "
		     "dropped unread %llu", ring_checked, ring_released, ring_stale,
		     (unsigned long long)(st.dropped_queue + st.dropped_timeout - ring_stale));
	/* frames the module dropped before the client took them were never checked */
	KT_ASSERT(ring_checked + st.dropped_queue + st.dropped_timeout - ring_stale == ncommits,
		  "ring client: %u checked, %llu dropped unread, of %u commits", ring_checked,
		  (unsigned long long)(st.dropped_queue + st.dropped_timeout - ring_stale),
		  ncommits);
	KT_ASSERT(ring_released > 0, "the ring client gave back no frame intact");
	KT_ASSERT(released > 0 && stale > 0, "the run should have both intact and revoked "
		  "frames (%u, %u): change the seed or the hold timeout", released, stale);

	kmscap_t_maps_fini(&maps);
	close(client);
	kmscap_t_maps_fini(&ring_maps);
	kmscap_framering_fini(&ring);
	close(ring_client);
	for (i = 0; i < NBUF; i++)
		kmscap_t_buf_destroy(&bufs[i]);
	for (i = 0; i < NCUR; i++)
		kmscap_t_buf_destroy(&curs[i]);
	kmscap_t_kms_close(&k);
	kmscap_t_destroy(ctl, c.id);
	kmscap_t_pass("seed %u: every held frame kept its pixels or was revoked", seed);
	return 0;
}
