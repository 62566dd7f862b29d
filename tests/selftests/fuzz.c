// SPDX-License-Identifier: MIT
/*
 * fuzz: an ioctl and atomic fuzzer for kmscap: at least 100,000 calls from
 * a printed, replayable seed, then the count of calls and of each result,
 * per operation.
 *
 * 1. The ioctl layer, one thread (libfuzz.c): every /dev/kmscap ioctl
 *    with sizes smaller and larger than its structure (built with _IOC(),
 *    zero and junk tails), wrong directions, unknown numbers, other type
 *    bytes, junk in pads, flags, ids, counts and ranges, and pointers that
 *    are NULL, PROT_NONE, read-only, misaligned, straddling a PROT_NONE
 *    page, kernel or non-canonical addresses; and read() with odd sizes
 *    and pointers.  Four displays, one of them flipping, and five files.
 *    Only what the ABI documents is asserted: unknown commands are ENOTTY,
 *    a short size, a junk pad, flag or range EINVAL, a junk tail E2BIG,
 *    an argument the kernel cannot read (or, for CREATE and EXPORT, write
 *    back) EFAULT, and such an EFAULT leaves no display and no fd behind;
 *    a valid call on a known state succeeds, read-only calls clear the
 *    tail, LIST counts what exists, STATS keeps the identity.
 * 2. Racing.  Four racers share display ids and client and export fd
 *    slots: create, config, destroy, attach, read (blocking too, ended by
 *    a timer's signal), poll, export, mmap, release, close, STATS, and the
 *    ioctl layer on the same fds.  A slot's fd number never changes:
 *    closing it is dup3() of /dev/null over it, so a racing call meets
 *    /dev/null, never another thread's new file, and a racing read keeps
 *    the old file alive.  A process of uid 1001 (group kmscap) runs the
 *    ioctl layer on root's displays (EPERM, INFO without activity) and
 *    its own (EDQUOT).  Two compositors (libfuzzkms.c) run displays one
 *    after another: random atomic commits (flips with damage clips inside
 *    and outside the buffer, blocking, NONBLOCK|PAGE_FLIP_EVENT with the
 *    events drained, TEST_ONLY, junk flags, properties and blobs), modes
 *    inside and outside the limits (valid ones must be accepted, invalid
 *    ones refused), cursor plane moves and image changes, commits without
 *    the CRTC, legacy SETCRTC, PAGE_FLIP and cursor calls, DIRTYFB, RMFB
 *    and GEM handle closes of buffers capture clients hold, probes; racers
 *    destroy displays under them.  A capture client per compositor checks
 *    every event, holds frames for random times, exports and maps their
 *    buffers, releases, and checks its STATS against what it holds.
 * 3. At the end every client's STATS satisfies flips == delivered +
 *    dropped_queue + dropped_timeout + queued + held, every display made
 *    is destroyed and no fd is left open.  The harness checks the kernel
 *    log (on the debug kernel: KASAN, lockdep, UBSAN, kmemleak).
 *
 * It stops after 120,000 calls and at least 20 s of racing (about 25 s
 * under TCG with Debian's kernel; the debug kernel needs about 3 minutes:
 * tests/vm/timeouts), or when its time runs out.
 *
 * Replay: the seed is printed first.  Each thread draws from its own
 * stream derived from the seed.  Phase 1 replays exactly (each of its
 * flips is published before its next call; it prints a digest of its calls
 * and results, the same in a replay after the same tests, which decide
 * the display ids); in phase 2 each thread starts the same, but the
 * interleaving (and so what racing calls return, and what the threads do
 * next) differs from run to run.  make
 * vm-check VM_TESTS=fuzz VM_FLAGS="--append kmscap_fuzz.seed=N" replays
 * seed N (the program reads /proc/cmdline, which the kernel leaves dotted
 * unknown parameters in; KMSCAP_FUZZ_SEED=N works outside the harness);
 * kmscap_fuzz.scale=N makes N times as many calls.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "libfuzz.h"

#define NRACERS		4
#define NKMS		2
#define NSLOTS		12	/* client fds shared by the racers */
#define NXSLOTS		8	/* export fds shared by the racers */
#define NCHURN		5	/* displays the racers create and destroy */
#define NLAYER		4	/* displays of the ioctl layer */
#define NLFDS		5	/* its files: ctl, three clients, one detached */

/*
 * Phase 1 makes LAYER_CALLS calls (at most 40% of the time there is);
 * phase 2 races at least RACE_MIN_S seconds and until TARGET_CALLS calls
 * were made in all, or until the time there is runs out.  Each scaled by
 * kmscap_fuzz.scale.
 */
#define LAYER_CALLS	60000
#define RACE_MIN_S	20
#define TARGET_CALLS	120000
#define RACER_OPS	1000000
#define OTHER_CALLS	20000	/* of uid 1001 */
#define TEARDOWN_S	20	/* kept for the end */

static struct kmscap_fz_params params;
static unsigned int start_ndisplays;
static uint32_t start_ids[64];
static int devnull = -1;
static int stop;
static unsigned int findings;
static struct kmscap_fz_counts *totals;
static pthread_mutex_t totals_lock = PTHREAD_MUTEX_INITIALIZER;

static int kmscap_fz_stopped(void)
{
	return __atomic_load_n(&stop, __ATOMIC_ACQUIRE);
}

static void kmscap_fz_replay_hint(void)
{
	printf("fuzz: seed %llu: replay with make vm-check VM_TESTS=fuzz VM_FLAGS=\"--append "
	       "kmscap_fuzz.seed=%llu\"%s\n", (unsigned long long)params.seed,
	       (unsigned long long)params.seed,
	       params.scale > 1 ? " (and kmscap_fuzz.scale=...)" : "");
}

static void kmscap_fz_ctx_init(struct kmscap_fz_ctx *c, const char *name, uint64_t stream,
			       bool race)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	kmscap_fz_rng_init(&c->rng, params.seed, stream);
	c->counts = calloc(1, sizeof(*c->counts));
	KT_ASSERT(c->counts, "calloc");
	kmscap_fz_arena_init(&c->arena);
	c->race = race;
	c->race_hold_max_ns = KMSCAP_FZ_HOLD_MAX_NS;
}

/* Add the thread's counts to the totals and free what it had. */
static void kmscap_fz_ctx_fini(struct kmscap_fz_ctx *c)
{
	pthread_mutex_lock(&totals_lock);
	kmscap_fz_counts_add(totals, c->counts);
	pthread_mutex_unlock(&totals_lock);
	free(c->counts);
	c->counts = NULL;
	kmscap_fz_arena_fini(&c->arena);
}

/* Displays that exist now; their ids in @ids. */
static unsigned int kmscap_fz_list(int ctl, uint32_t *ids)
{
	int n = kmscap_t_list(ctl, ids, 64);

	KT_ASSERT(n >= 0 && n <= 64, "LIST: %s", kmscap_t_errname(n));
	return (unsigned int)n;
}

static bool kmscap_fz_was_there(uint32_t id)
{
	unsigned int i;

	for (i = 0; i < start_ndisplays; i++)
		if (start_ids[i] == id)
			return true;
	return false;
}

/* Destroy every display that did not exist at the start; how many there were. */
static unsigned int kmscap_fz_destroy_new(int ctl)
{
	uint32_t ids[64];
	unsigned int i, n = kmscap_fz_list(ctl, ids), gone = 0;

	for (i = 0; i < n; i++) {
		if (kmscap_fz_was_there(ids[i]))
			continue;
		KT_EXPECT_RET(kmscap_t_destroy(ctl, ids[i]), 0, "DESTROY of a leftover display");
		gone++;
	}
	return gone;
}

/* ====================================================================== */
/* Phase 1: the ioctl layer                                               */
/* ====================================================================== */

struct kmscap_fz_layer {
	struct kmscap_fz_ctx c;
	int ctl;
	uint32_t ids[NLAYER];
	uint32_t live;			/* bit per ids[] */
	int fds[NLFDS];			/* [0] is ctl */
	bool attached[NLFDS];
	struct kmscap_t_kms k;		/* the card of ids[0] */
	struct kmscap_t_buf buf[2];
	unsigned int flips;
	uint32_t bufs[8];
	uint64_t seqs[16];
	unsigned int nbufs, nseqs;
	unsigned int ndisplays;		/* all displays that exist */
	int probe_fd;			/* the lowest free fd number */
};

static void kmscap_fz_layer_create(struct kmscap_fz_layer *l, unsigned int i)
{
	struct kmscap_display_create c;
	int r = kmscap_t_create(l->ctl, 64 + 64 * i, 64 + 32 * i, 60000, 0, &c);

	kmscap_fz_did(&l->c, KMSCAP_FZ_OP_CREATE, r);
	KT_ASSERT(!r, "layer: DISPLAY_CREATE: %s", kmscap_t_errname(r));
	l->ids[i] = c.id;
	l->live |= 1u << i;
	l->ndisplays++;
	if (i == 0) {
		kmscap_t_kms_open_or_die(&l->k, c.card_minor);
		kmscap_t_buf_create_or_die(l->k.fd, 64, 64, DRM_FORMAT_XRGB8888, &l->buf[0]);
		kmscap_t_buf_create_or_die(l->k.fd, 64, 64, DRM_FORMAT_XRGB8888, &l->buf[1]);
		r = kmscap_t_modeset(&l->k, l->buf[0].fb_id);
		KT_ASSERT(!r, "layer: modeset: %s", kmscap_t_errname(r));
	}
}

/*
 * A frame on display 0: a flip nobody waits for (no event, not blocking),
 * whose frame is published before the next call, so that phase 1 replays
 * exactly: the calls it makes depend on the frames its clients read.
 */
static void kmscap_fz_layer_flip(struct kmscap_fz_layer *l)
{
	struct kmscap_t_buf *b = &l->buf[++l->flips & 1];
	const struct kmscap_t_plane_props *pp = &l->k.pp;
	struct kmscap_client_stats st;
	drmModeAtomicReqPtr req;
	uint64_t flips;
	int r, i;

	/* fds[1] is attached to display 0 throughout: it counts the frames */
	KT_EXPECT_RET(kmscap_t_stats(l->fds[1], &st), 0, "layer: STATS");
	flips = st.flips;
	for (i = 0;; i++) {
		req = drmModeAtomicAlloc();
		KT_ASSERT(req, "drmModeAtomicAlloc");
		drmModeAtomicAddProperty(req, l->k.primary_id, pp->fb_id, b->fb_id);
		drmModeAtomicAddProperty(req, l->k.primary_id, pp->crtc_id, l->k.crtc_id);
		r = drmModeAtomicCommit(l->k.fd, req, DRM_MODE_ATOMIC_NONBLOCK, NULL) ? -errno : 0;
		drmModeAtomicFree(req);
		kmscap_fz_did(&l->c, KMSCAP_FZ_OP_ATOMIC, r);
		if (r != -EBUSY || i == 1000)
			break;
		kmscap_t_sleep_ms(5);	/* the previous commit is not done yet */
	}
	KT_ASSERT(!r, "layer: flip: %s", kmscap_t_errname(r));
	/* its frame is out before the next call: what the layer reads does not depend on time */
	for (i = 0; st.flips == flips; i++) {
		KT_ASSERT(i < 1000, "layer: the frame of a flip was not published in 5 s");
		kmscap_t_sleep_ms(5);
		KT_EXPECT_RET(kmscap_t_stats(l->fds[1], &st), 0, "layer: STATS");
	}
}

static int kmscap_fz_lowest_free_fd(void)
{
	int fd = fcntl(0, F_DUPFD_CLOEXEC, 0);

	KT_ASSERT(fd >= 0, "F_DUPFD: %s", strerror(errno));
	close(fd);
	return fd;
}

/* An EXPORT or CREATE refused with EFAULT: did it leave something behind? */
static void kmscap_fz_layer_leftovers(struct kmscap_fz_layer *l,
				      const struct kmscap_fz_result *res)
{
	if (res->export_unknown && fcntl(l->probe_fd, F_GETFD) >= 0) {
		kmscap_t_log("KERNEL BUG: EXPORT returned EFAULT (the result could not be "
			     "written) but installed dma-buf fd %d in the caller's table",
			     l->probe_fd);
		findings++;
		close(l->probe_fd);
	}
	if (res->created_unknown) {
		uint32_t ids[64];
		unsigned int n = kmscap_fz_list(l->ctl, ids);

		if (n != l->ndisplays) {
			kmscap_t_log("KERNEL BUG: DISPLAY_CREATE returned EFAULT (the result "
				     "could not be written) but made a display (%u displays, "
				     "expected %u)", n, l->ndisplays);
			findings++;
			/* it is the newest one */
			KT_EXPECT_RET(kmscap_t_destroy(l->ctl, ids[n - 1]), 0,
				      "DESTROY of the display made despite EFAULT");
		}
	}
}

static void kmscap_fz_layer_result(struct kmscap_fz_layer *l, unsigned int fdi,
				   const struct kmscap_fz_result *res)
{
	unsigned int i;

	kmscap_fz_layer_leftovers(l, res);
	if (res->created_id) {
		l->ndisplays++;
		for (i = 1; i < NLAYER; i++) {
			if (!(l->live & 1u << i)) {
				l->ids[i] = res->created_id;
				l->live |= 1u << i;
				break;
			}
		}
		if (i == NLAYER) {
			KT_EXPECT_RET(kmscap_t_destroy(l->ctl, res->created_id), 0, "DESTROY");
			kmscap_fz_did(&l->c, KMSCAP_FZ_OP_DESTROY, 0);
			l->ndisplays--;
		}
	}
	if (res->destroyed_id) {
		for (i = 0; i < NLAYER; i++)
			if (l->ids[i] == res->destroyed_id)
				l->live &= ~(1u << i);
		l->ndisplays--;
	}
	if (res->attached)
		l->attached[fdi] = true;
	if (res->export_fd >= 0) {
		/* a read-only mapping works, a shared writable one does not */
		off_t size = lseek(res->export_fd, 0, SEEK_END);
		void *p = size > 0 ? mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
					  res->export_fd, 0) : MAP_FAILED;

		KT_ASSERT(size > 0 && p == MAP_FAILED && errno == EACCES,
			  "layer: exported dma-buf: size %lld, shared writable mmap %s",
			  (long long)size, p == MAP_FAILED ? strerror(errno) : "worked");
		p = mmap(NULL, size, PROT_READ, MAP_SHARED, res->export_fd, 0);
		kmscap_fz_did(&l->c, KMSCAP_FZ_OP_MMAP, p == MAP_FAILED ? -errno : 0);
		KT_ASSERT(p != MAP_FAILED, "layer: mmap of an export: %s", strerror(errno));
		KT_ASSERT(((volatile uint8_t *)p)[size - 1] || 1, "touch");
		munmap(p, size);
		close(res->export_fd);
	}
	for (i = 0; i < res->nev; i++) {
		const struct kmscap_event *ev = &res->ev[i];

		if (ev->type != KMSCAP_EVENT_FRAME)
			continue;
		l->seqs[l->nseqs++ % KMSCAP_T_ARRAY_SIZE(l->seqs)] = ev->seq;
		if (ev->buffer_id)
			l->bufs[l->nbufs++ % KMSCAP_T_ARRAY_SIZE(l->bufs)] = ev->buffer_id;
	}
}

static void kmscap_fz_layer_run(uint64_t calls, uint64_t t_end)
{
	struct kmscap_fz_layer *l = calloc(1, sizeof(*l));
	struct kmscap_client_stats st;
	struct kmscap_fz_result res;
	uint64_t t0 = kmscap_t_now_ns(), n, digest = 0xcbf29ce484222325ull;
	unsigned int i;

	KT_ASSERT(l, "calloc");
	kmscap_fz_ctx_init(&l->c, "layer", 1, false);
	l->ctl = kmscap_fz_open_ctl(&l->c, true);
	l->ndisplays = start_ndisplays;
	for (i = 0; i < NLAYER; i++)
		kmscap_fz_layer_create(l, i);
	l->fds[0] = l->ctl;
	for (i = 1; i < NLFDS; i++) {
		l->fds[i] = kmscap_fz_open_ctl(&l->c, true);
		if (i == NLFDS - 1)
			continue;	/* one stays detached until the fuzzer attaches it */
		KT_EXPECT_RET(kmscap_t_attach(l->fds[i], l->ids[i == 3], 1 + i, 0), 0, "ATTACH");
		l->attached[i] = true;
	}
	l->probe_fd = kmscap_fz_lowest_free_fd();

	for (n = 0; n < calls && (n % 256 || kmscap_t_now_ns() < t_end); n++) {
		struct kmscap_fz_targets tg = {
			.ids = l->ids, .nids = NLAYER, .bufs = l->bufs,
			.nbufs = l->nbufs < 8 ? l->nbufs : 8, .seqs = l->seqs,
			.nseqs = l->nseqs < 16 ? l->nseqs : 16, .know = true,
			.live_mask = l->live, .ndisplays = l->ndisplays,
			.destroy_mask = l->live & ~1u,
		};
		unsigned int fdi = kmscap_fz_below(&l->c.rng, NLFDS);

		if (n % 128 == 0)
			kmscap_fz_layer_flip(l);
		if (n % 512 == 0) {
			/* bring back destroyed displays */
			for (i = 1; i < NLAYER; i++)
				if (!(l->live & 1u << i))
					kmscap_fz_layer_create(l, i);
			tg.live_mask = l->live;
			tg.ndisplays = l->ndisplays;
			tg.destroy_mask = l->live & ~1u;
		}
		tg.attached = l->attached[fdi];
		kmscap_fz_call(&l->c, l->fds[fdi], true, &tg, &res);
		kmscap_fz_layer_result(l, fdi, &res);
		/* the calls and their results, to compare replays by */
		digest = (digest ^ ((uint64_t)res.op << 32 ^ (uint32_t)res.ret)) *
			 0x100000001b3ull;
	}

	for (i = 0; i < NLFDS; i++) {
		if (l->attached[i]) {
			KT_EXPECT_RET(kmscap_t_stats(l->fds[i], &st), 0, "STATS");
			kmscap_fz_did(&l->c, KMSCAP_FZ_OP_STATS, 0);
			kmscap_t_stats_check(&st, "layer client");
		}
		if (i)
			close(l->fds[i]);
	}
	kmscap_t_buf_destroy(&l->buf[0]);
	kmscap_t_buf_destroy(&l->buf[1]);
	kmscap_t_kms_close(&l->k);
	for (i = 0; i < NLAYER; i++)
		if (l->live & 1u << i)
			KT_EXPECT_RET(kmscap_t_destroy(l->ctl, l->ids[i]), 0, "DESTROY");
	i = kmscap_fz_destroy_new(l->ctl);
	KT_ASSERT(!i, "layer: %u displays nobody knew of", i);
	close(l->ctl);
	kmscap_t_log("phase 1: %llu calls of the ioctl layer in %.1f s, %u flips, digest "
		     "%016llx (the same in a replay)",
		     (unsigned long long)kmscap_fz_counts_total(l->c.counts),
		     (kmscap_t_now_ns() - t0) / 1e9, l->flips, (unsigned long long)digest);
	kmscap_fz_ctx_fini(&l->c);
	free(l);
}

/* ====================================================================== */
/* Phase 2: racing                                                        */
/* ====================================================================== */

/* A client fd number shared by the racers; closing it is dup3(/dev/null). */
struct kmscap_fz_slot {
	int fd;
	uint32_t display;	/* hints, written and read racily (relaxed atomics) */
	uint32_t bufs[4];
	uint64_t seqs[4];
	unsigned int next;
};

static struct kmscap_fz_slot slots[NSLOTS];
static int xslots[NXSLOTS];
static uint32_t churn[NCHURN];

static struct kmscap_fz_kms *kmses[NKMS];

static uint32_t kmscap_fz_kms_id(unsigned int i)
{
	return kmses[i] ? __atomic_load_n(&kmses[i]->id, __ATOMIC_ACQUIRE) : 0;
}

/* Has compositor @i's display been up for half a second (a racer may destroy it)? */
static bool kmscap_fz_kms_settled(unsigned int i)
{
	return kmscap_t_now_ns() > LOAD(kmses[i]->published_at) + 500000000ull;
}


/* Replace what fd number @slot refers to by @fd (closed), or by /dev/null. */
static void kmscap_fz_slot_set(struct kmscap_fz_ctx *c, int slot, int fd)
{
	int r = dup3(fd >= 0 ? fd : devnull, slot, O_CLOEXEC) < 0 ? -errno : 0;

	kmscap_fz_did(c, KMSCAP_FZ_OP_CLOSE, r);
	KT_ASSERT(!r, "%s: dup3 over fd %d: %s", c->name, slot, kmscap_t_errname(r));
	if (fd >= 0)
		close(fd);
}

/* Every display the racers know of: churn and compositor displays. */
static unsigned int kmscap_fz_known_ids(uint32_t *ids)
{
	unsigned int i, n = 0;

	for (i = 0; i < NCHURN + NKMS; i++) {
		ids[n] = i < NCHURN ? LOAD(churn[i]) : kmscap_fz_kms_id(i - NCHURN);
		n += ids[n] != 0;
	}
	return n;
}

static uint32_t kmscap_fz_any_id(struct kmscap_fz_rng *r)
{
	uint32_t ids[NCHURN + NKMS];
	unsigned int n = kmscap_fz_known_ids(ids);

	return n ? ids[kmscap_fz_below(r, n)] : kmscap_fz_never_id(r);
}

static void kmscap_fz_slot_note(struct kmscap_fz_slot *s, const struct kmscap_event *ev)
{
	unsigned int i = LOAD(s->next) % 4;

	if (ev->type != KMSCAP_EVENT_FRAME)
		return;
	STORE(s->seqs[i], ev->seq);
	STORE(s->bufs[i], ev->buffer_id ? ev->buffer_id : ev->cursor_buffer_id);
	STORE(s->next, i + 1);
}

struct kmscap_fz_racer {
	struct kmscap_fz_ctx c;
	char name[16];
	pthread_t thread;
	timer_t timer;		/* SIGUSR1 to this thread: ends a blocking read */
	int ctl;
	uint64_t ops;
	unsigned int created, destroyed, kms_destroyed, attached;
};

static void kmscap_fz_racer_targets(struct kmscap_fz_racer *rc, struct kmscap_fz_targets *tg,
				    uint32_t *ids, uint32_t *bufs, uint64_t *seqs)
{
	struct kmscap_fz_slot *s = &slots[kmscap_fz_below(&rc->c.rng, NSLOTS)];
	unsigned int i;

	memset(tg, 0, sizeof(*tg));
	tg->ids = ids;
	tg->nids = kmscap_fz_known_ids(ids);
	for (i = 0; i < 4; i++) {
		bufs[i] = LOAD(s->bufs[i]);
		seqs[i] = LOAD(s->seqs[i]);
	}
	tg->bufs = bufs;
	tg->nbufs = 4;
	tg->seqs = seqs;
	tg->nseqs = 4;
}

/* Follow up a layer call: nothing it made may stay behind. */
static void kmscap_fz_racer_cleanup(struct kmscap_fz_racer *rc, const struct kmscap_fz_result *res)
{
	if (res->created_id) {
		int r = kmscap_t_destroy(rc->ctl, res->created_id);

		kmscap_fz_did(&rc->c, KMSCAP_FZ_OP_DESTROY, r);
		KT_ASSERT(!r, "%s: DESTROY of a display the layer made: %s", rc->name,
			  kmscap_t_errname(r));
	}
	if (res->export_fd >= 0) {
		if (kmscap_fz_chance(&rc->c.rng, 30))
			kmscap_fz_slot_set(&rc->c, xslots[kmscap_fz_below(&rc->c.rng, NXSLOTS)],
					   res->export_fd);
		else
			close(res->export_fd);
	}
}

static void kmscap_fz_racer_read(struct kmscap_fz_racer *rc, struct kmscap_fz_slot *s)
{
	struct kmscap_event evs[4];
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	enum kmscap_fz_ptr kind = kmscap_fz_pick_ptr(&rc->c.rng, 90);
	size_t len = (1 + kmscap_fz_below(&rc->c.rng, 4)) * sizeof(evs[0]), rd, wr;
	uint8_t *buf = (uint8_t *)evs;
	ssize_t n;
	int r, i;

	/* a read that may block (until the racer's timer): mostly when something is queued */
	r = poll(&p, 1, 0);
	if (r == 0 && kmscap_fz_chance(&rc->c.rng, 70))
		return;
	if (kind != KMSCAP_FZ_PTR_GOOD)
		buf = kmscap_fz_place(&rc->c.arena, &rc->c.rng, kind, NULL, 0, &rd, &wr);
	n = read(s->fd, buf, len);
	r = n < 0 ? -errno : 0;
	kmscap_fz_did(&rc->c, KMSCAP_FZ_OP_READ, r);
	KT_ASSERT(n >= 0 || r == -EAGAIN || r == -EINVAL || r == -EFAULT || r == -EINTR,
		  "%s: read of a client: %s", rc->name, kmscap_t_errname(r));
	if (n <= 0 || buf != (uint8_t *)evs)
		return;
	KT_ASSERT(n % sizeof(evs[0]) == 0, "%s: read returned %zd bytes", rc->name, n);
	for (i = 0; i < n / (ssize_t)sizeof(evs[0]); i++) {
		kmscap_fz_check_event(&evs[i], 0, rc->name);
		kmscap_fz_slot_note(s, &evs[i]);
	}
}

static void kmscap_fz_racer_export(struct kmscap_fz_racer *rc, struct kmscap_fz_slot *s)
{
	struct kmscap_export exp;
	int r = kmscap_t_export(s->fd, LOAD(s->bufs[kmscap_fz_below(&rc->c.rng, 4)]),
				kmscap_fz_chance(&rc->c.rng, 80) ? KMSCAP_EXPORT_CLOEXEC : 0, &exp);

	kmscap_fz_did(&rc->c, KMSCAP_FZ_OP_EXPORT, r);
	KT_ASSERT(!r || r == -ENOENT || r == -EINVAL || r == -ENOTTY,
		  "%s: EXPORT of a buffer seen: %s", rc->name, kmscap_t_errname(r));
	if (!r)
		kmscap_fz_slot_set(&rc->c, xslots[kmscap_fz_below(&rc->c.rng, NXSLOTS)],
				   (int)exp.fd);
}

/* Map an export slot (or /dev/null, if it was closed) and read from it. */
static void kmscap_fz_racer_map(struct kmscap_fz_racer *rc, int xfd)
{
	off_t size = lseek(xfd, 0, SEEK_END);
	volatile uint8_t *p;
	int r;

	if (size <= 0)
		return;
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, xfd, 0);
	r = p == MAP_FAILED ? -errno : 0;
	kmscap_fz_did(&rc->c, KMSCAP_FZ_OP_MMAP, r);
	/* EINVAL: the slot now holds a smaller buffer than lseek() saw */
	KT_ASSERT(!r || r == -ENODEV || r == -EINVAL || r == -EACCES, "%s: mmap of an export: %s",
		  rc->name, kmscap_t_errname(r));
	if (r)
		return;
	(void)p[0];
	(void)p[size - 1];
	munmap((void *)p, size);
}

static void kmscap_fz_racer_attach(struct kmscap_fz_racer *rc, struct kmscap_fz_slot *s)
{
	struct kmscap_fz_rng *r = &rc->c.rng;
	bool nonblock = kmscap_fz_chance(r, 70);
	int fd = kmscap_fz_open_ctl(&rc->c, nonblock), ret;
	uint32_t id = kmscap_fz_any_id(r);

	ret = kmscap_t_attach(fd, id, kmscap_fz_below(r, 9),
			      kmscap_fz_u64(r) % (KMSCAP_FZ_HOLD_MAX_NS + 1));
	kmscap_fz_did(&rc->c, KMSCAP_FZ_OP_ATTACH, ret);
	KT_ASSERT(!ret || ret == -ENOENT, "%s: ATTACH to display %u: %s", rc->name, id,
		  kmscap_t_errname(ret));
	rc->attached += !ret;
	STORE(s->display, ret ? 0 : id);
	kmscap_fz_slot_set(&rc->c, s->fd, fd);
}

static void kmscap_fz_racer_churn(struct kmscap_fz_racer *rc, bool create)
{
	struct kmscap_fz_rng *r = &rc->c.rng;
	unsigned int i = kmscap_fz_below(r, NCHURN);
	struct kmscap_display_create cr;
	uint32_t id, zero = 0;
	int ret;

	if (!create) {
		id = __atomic_exchange_n(&churn[i], 0, __ATOMIC_ACQ_REL);
		if (!id)
			return;
		ret = kmscap_t_destroy(rc->ctl, id);
		kmscap_fz_did(&rc->c, KMSCAP_FZ_OP_DESTROY, ret);
		KT_ASSERT(!ret, "%s: DESTROY of churn display %u: %s", rc->name, id,
			  kmscap_t_errname(ret));
		rc->destroyed++;
		return;
	}
	if (LOAD(churn[i]) || kmscap_fz_stopped())
		return;
	ret = kmscap_t_create(rc->ctl, kmscap_fz_range(r, 64, 320), kmscap_fz_range(r, 64, 240),
			      kmscap_fz_range(r, 30000, 120000),
			      kmscap_fz_chance(r, 20) ? KMSCAP_CREATE_DISCONNECTED : 0, &cr);
	kmscap_fz_did(&rc->c, KMSCAP_FZ_OP_CREATE, ret);
	KT_ASSERT(!ret || ret == -ENOSPC, "%s: DISPLAY_CREATE: %s", rc->name, kmscap_t_errname(ret));
	if (ret)
		return;
	rc->created++;
	if (!__atomic_compare_exchange_n(&churn[i], &zero, cr.id, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED)) {
		ret = kmscap_t_destroy(rc->ctl, cr.id);
		kmscap_fz_did(&rc->c, KMSCAP_FZ_OP_DESTROY, ret);
		KT_ASSERT(!ret, "%s: DESTROY: %s", rc->name, kmscap_t_errname(ret));
	}
}

static void kmscap_fz_racer_op(struct kmscap_fz_racer *rc)
{
	struct kmscap_fz_rng *r = &rc->c.rng;
	struct kmscap_fz_slot *s = &slots[kmscap_fz_below(r, NSLOTS)];
	struct kmscap_fz_targets tg;
	struct kmscap_fz_result res;
	struct kmscap_client_stats st;
	uint32_t ids[NCHURN + NKMS], bufs[4];
	uint64_t seqs[4];
	unsigned int op = kmscap_fz_below(r, 100);
	int ret;

	if (op < 30) {			/* the ioctl layer on a shared fd */
		kmscap_fz_racer_targets(rc, &tg, ids, bufs, seqs);
		kmscap_fz_call(&rc->c, s->fd, false, &tg, &res);
		kmscap_fz_racer_cleanup(rc, &res);
	} else if (op < 42) {		/* ... and on this racer's own */
		kmscap_fz_racer_targets(rc, &tg, ids, bufs, seqs);
		kmscap_fz_call(&rc->c, rc->ctl, true, &tg, &res);
		kmscap_fz_racer_cleanup(rc, &res);
	} else if (op < 43) {
		kmscap_fz_racer_churn(rc, true);
	} else if (op < 44) {
		kmscap_fz_racer_churn(rc, false);
	} else if (op < 48) {
		uint32_t id = kmscap_fz_any_id(r), f = 1u << kmscap_fz_below(r, 3);

		ret = f == KMSCAP_CONFIG_MODE ?
		      kmscap_t_config(rc->ctl, id, f, kmscap_fz_range(r, 64, 1024),
				      kmscap_fz_range(r, 64, 768), kmscap_fz_range(r, 1000, 500000)) :
		      kmscap_t_config(rc->ctl, id, f, 0, 0, 0);
		kmscap_fz_did(&rc->c, KMSCAP_FZ_OP_CONFIG, ret);
		KT_ASSERT(!ret || ret == -ENOENT, "%s: CONFIG 0x%x of display %u: %s", rc->name,
			  f, id, kmscap_t_errname(ret));
	} else if (op < 56) {
		kmscap_fz_racer_attach(rc, s);
	} else if (op < 60) {
		kmscap_fz_slot_set(&rc->c, s->fd, -1);
	} else if (op < 72) {
		kmscap_fz_racer_read(rc, s);
	} else if (op < 76) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };

		ret = poll(&p, 1, (int)kmscap_fz_below(r, 4));
		kmscap_fz_did(&rc->c, KMSCAP_FZ_OP_POLL, ret < 0 ? -errno : 0);
	} else if (op < 82) {
		ret = kmscap_t_release(s->fd, LOAD(s->seqs[kmscap_fz_below(r, 4)]));
		kmscap_fz_did(&rc->c, KMSCAP_FZ_OP_RELEASE, ret);
		KT_ASSERT(!ret || ret == -ENOENT || ret == -ESTALE || ret == -EINVAL ||
			  ret == -ENOTTY, "%s: RELEASE: %s", rc->name, kmscap_t_errname(ret));
	} else if (op < 88) {
		ret = kmscap_t_stats(s->fd, &st);
		kmscap_fz_did(&rc->c, KMSCAP_FZ_OP_STATS, ret);
		KT_ASSERT(!ret || ret == -EINVAL || ret == -ENOTTY, "%s: STATS: %s", rc->name,
			  kmscap_t_errname(ret));
		if (!ret)
			kmscap_t_stats_check(&st, rc->name);
	} else if (op < 93) {
		kmscap_fz_racer_export(rc, s);
	} else if (op < 97) {
		kmscap_fz_racer_map(rc, xslots[kmscap_fz_below(r, NXSLOTS)]);
	} else if (op < 98) {
		kmscap_fz_slot_set(&rc->c, xslots[kmscap_fz_below(r, NXSLOTS)], -1);
	} else if (op < 99) {
		struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
		int xfd = xslots[kmscap_fz_below(r, NXSLOTS)];

		ret = kmscap_t_ioctl(xfd, DMA_BUF_IOCTL_SYNC, &sync);
		if (!ret) {
			sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
			ret = kmscap_t_ioctl(xfd, DMA_BUF_IOCTL_SYNC, &sync);
		}
		kmscap_fz_did(&rc->c, KMSCAP_FZ_OP_DMABUF_SYNC, ret);
		KT_ASSERT(!ret || ret == -ENOTTY, "%s: DMA_BUF_IOCTL_SYNC: %s", rc->name,
			  kmscap_t_errname(ret));
	} else {
		/* now and then, a compositor's display goes under it (after a while) */
		unsigned int k = kmscap_fz_below(r, NKMS);
		uint32_t id = kmscap_fz_kms_id(k);

		if (!id || !kmscap_fz_kms_settled(k) || kmscap_fz_chance(r, 50))
			return;
		ret = kmscap_t_destroy(rc->ctl, id);
		kmscap_fz_did(&rc->c, KMSCAP_FZ_OP_DESTROY, ret);
		KT_ASSERT(!ret || ret == -ENOENT, "%s: DESTROY of compositor display %u: %s",
			  rc->name, id, kmscap_t_errname(ret));
		rc->kms_destroyed += !ret;
	}
}

static void kmscap_fz_on_signal(int sig)
{
	(void)sig;
}

static void *kmscap_fz_racer(void *arg)
{
	struct kmscap_fz_racer *rc = arg;
	uint64_t n = (uint64_t)RACER_OPS * params.scale;
	struct itimerspec arm = { .it_value.tv_nsec = 30000000 }, disarm = { 0 };
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1,
	};

	/* a read (or poll) of a slot that blocks is interrupted after 30 ms */
	sev._sigev_un._tid = gettid();
	KT_ASSERT(!timer_create(CLOCK_MONOTONIC, &sev, &rc->timer), "timer_create: %s",
		  strerror(errno));
	rc->ctl = kmscap_fz_open_ctl(&rc->c, true);
	for (rc->ops = 0; rc->ops < n && !kmscap_fz_stopped(); rc->ops++) {
		timer_settime(rc->timer, 0, &arm, NULL);
		kmscap_fz_racer_op(rc);
		timer_settime(rc->timer, 0, &disarm, NULL);
		/* leave the compositors (and their commit work) a share of the CPUs */
		if (rc->ops % 16 == 15)
			kmscap_t_sleep_ms(1);
	}
	timer_delete(rc->timer);
	close(rc->ctl);
	return NULL;
}

/* ====================================================================== */

/* ---- a racer of another user ------------------------------------------ */

/*
 * A process running as uid 1001 (a member of group kmscap) makes calls of
 * the ioctl layer on the ids of root's displays, which it may see but not
 * change (EPERM), and its own (at most max_displays_per_user: EDQUOT).
 * Shared with it, in a MAP_SHARED mapping made before the fork:
 */
struct kmscap_fz_other {
	int stop;
	uint32_t ids[NCHURN + NKMS];	/* root's displays, updated by the main thread */
	uint64_t ops;
	struct kmscap_fz_counts counts;
};

static struct kmscap_fz_other *other;

/* INFO of another user's display shows neither its clients nor its frames. */
static void kmscap_fz_other_info(struct kmscap_fz_ctx *c, int ctl, uint32_t id)
{
	struct kmscap_display_info info;
	int ret = kmscap_t_info(ctl, id, &info);

	kmscap_fz_did(c, KMSCAP_FZ_OP_INFO, ret);
	KT_ASSERT(!ret || ret == -ENOENT, "%s: INFO of display %u: %s", c->name, id,
		  kmscap_t_errname(ret));
	KT_ASSERT(ret || ((info.flags & KMSCAP_INFO_RESTRICTED) &&
			  !(info.flags & KMSCAP_INFO_ACTIVE) && !info.clients && !info.frames),
		  "%s: INFO of root's display %u: flags 0x%x clients %u frames %llu", c->name,
		  id, info.flags, info.clients, (unsigned long long)info.frames);
}

static int kmscap_fz_other_main(void *arg)
{
	static const gid_t groups[] = { KMSCAP_T_GID };
	struct kmscap_fz_ctx c;
	struct kmscap_fz_result res;
	uint32_t ids[NCHURN + NKMS];
	unsigned int i, n;
	int ctl, ret;

	(void)arg;
	kmscap_t_become(1001, groups, 1);
	kmscap_fz_ctx_init(&c, "uid1001", 50, true);
	free(c.counts);
	c.counts = &other->counts;
	ctl = kmscap_fz_open_ctl(&c, true);
	while (!LOAD(other->stop)) {
		struct kmscap_fz_targets tg = { .ids = ids };

		/* a share of the calls, not of the CPUs: the compositors need them */
		if (LOAD(other->ops) >= (uint64_t)OTHER_CALLS * params.scale) {
			kmscap_t_sleep_ms(10);
			continue;
		}

		for (i = n = 0; i < NCHURN + NKMS; i++) {
			ids[n] = LOAD(other->ids[i]);
			n += ids[n] != 0;
		}
		tg.nids = n;
		if (n && !(LOAD(other->ops) % 16))
			kmscap_fz_other_info(&c, ctl, ids[kmscap_fz_below(&c.rng, n)]);
		kmscap_fz_call(&c, ctl, true, &tg, &res);
		if (res.created_id) {
			ret = kmscap_t_destroy(ctl, res.created_id);
			kmscap_fz_did(&c, KMSCAP_FZ_OP_DESTROY, ret);
			KT_ASSERT(!ret, "%s: DESTROY of its own display: %s", c.name,
				  kmscap_t_errname(ret));
		}
		if (res.export_fd >= 0)
			close(res.export_fd);
		STORE(other->ops, LOAD(other->ops) + 1);
	}
	close(ctl);
	kmscap_fz_arena_fini(&c.arena);
	return 0;
}

/* Calls made so far: the totals and the counts of running threads (read racily). */
static uint64_t kmscap_fz_live_total(const struct kmscap_fz_racer *rc)
{
	uint64_t n = kmscap_fz_counts_total(totals);
	unsigned int i;

	for (i = 0; i < NRACERS; i++)
		n += kmscap_fz_counts_total(rc[i].c.counts);
	for (i = 0; i < NKMS; i++)
		n += kmscap_fz_counts_total(kmses[i]->c.counts) +
		     kmscap_fz_counts_total(kmses[i]->cc.counts);
	return n + kmscap_fz_counts_total(&other->counts);
}

static void kmscap_fz_race(int ctl, uint64_t t_end)
{
	struct kmscap_fz_racer *rc = calloc(NRACERS, sizeof(*rc));
	struct kmscap_client_stats st;
	uint64_t t0 = kmscap_t_now_ns(), t_stop, t_min, now;
	pid_t other_pid;
	unsigned int i, left, attached = 0, loops = 0;
	const char *why = NULL;
	bool joined[NRACERS] = { false };
	int ret;

	KT_ASSERT(rc, "calloc");
	sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = kmscap_fz_on_signal }, NULL);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	KT_ASSERT(devnull >= 0, "open /dev/null: %s", strerror(errno));
	/* the other user first, while this process has one thread */
	other = mmap(NULL, sizeof(*other), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		     -1, 0);
	KT_ASSERT(other != MAP_FAILED, "mmap: %s", strerror(errno));
	kmscap_t_node_set(KMSCAP_T_CTL, 0, KMSCAP_T_GID, 0660);
	other_pid = kmscap_t_fork(kmscap_fz_other_main, NULL);
	for (i = 0; i < NSLOTS + NXSLOTS; i++) {
		int fd = fcntl(devnull, F_DUPFD_CLOEXEC, 0);

		KT_ASSERT(fd >= 0, "dup: %s", strerror(errno));
		if (i < NSLOTS)
			slots[i].fd = fd;
		else
			xslots[i - NSLOTS] = fd;
	}
	t_min = t0 + (uint64_t)RACE_MIN_S * params.scale * 1000000000ull;

	for (i = 0; i < NKMS; i++) {
		struct kmscap_fz_kms *km = calloc(1, sizeof(*km));

		KT_ASSERT(km, "calloc");
		km->stop = &stop;
		snprintf(km->name, sizeof(km->name), "compositor%u", i);
		snprintf(km->cname, sizeof(km->cname), "capture%u", i);
		kmscap_fz_ctx_init(&km->c, km->name, 100 + i, true);
		kmscap_fz_ctx_init(&km->cc, km->cname, 200 + i, true);
		kmses[i] = km;
		KT_ASSERT(!pthread_create(&km->thread, NULL, kmscap_fz_kms_thread, km) &&
			  !pthread_create(&km->capture, NULL, kmscap_fz_capture_thread, km),
			  "pthread_create");
	}
	for (i = 0; i < NRACERS; i++) {
		snprintf(rc[i].name, sizeof(rc[i].name), "racer%u", i);
		kmscap_fz_ctx_init(&rc[i].c, rc[i].name, 10 + i, true);
		KT_ASSERT(!pthread_create(&rc[i].thread, NULL, kmscap_fz_racer, &rc[i]),
			  "pthread_create");
	}

	/* until every racer is done; then whoever waits in a read is woken */
	for (left = NRACERS; left;) {
		for (i = 0; i < NRACERS; i++) {
			if (!joined[i] && pthread_tryjoin_np(rc[i].thread, NULL) == 0) {
				joined[i] = true;
				left--;
				why = why ?: "a racer made all its operations";
			}
		}
		now = kmscap_t_now_ns();
		if (!why && now >= t_end)
			why = "the time ran out";
		if (!why && now >= t_min && !(++loops % 20) &&
		    kmscap_fz_live_total(rc) >= (uint64_t)TARGET_CALLS * params.scale)
			why = "enough calls";
		if (why)
			__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
		for (i = 0; i < NCHURN + NKMS; i++)
			STORE(other->ids[i], i < NCHURN ? LOAD(churn[i]) : kmscap_fz_kms_id(i - NCHURN));
		if (kmscap_fz_stopped()) {
			for (i = 0; i < NCHURN; i++) {
				uint32_t id = __atomic_exchange_n(&churn[i], 0, __ATOMIC_ACQ_REL);

				if (id)
					KT_EXPECT_RET(kmscap_t_destroy(ctl, id), 0, "DESTROY");
			}
		}
		kmscap_t_sleep_ms(5);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	t_stop = kmscap_t_now_ns();
	STORE(other->stop, 1);
	ret = kmscap_t_wait_child(other_pid);
	KT_ASSERT(!ret, "the racer of uid 1001 exited with status %d", ret);
	kmscap_fz_counts_add(totals, &other->counts);
	for (i = 0; i < NKMS; i++) {
		pthread_join(kmses[i]->thread, NULL);
		pthread_join(kmses[i]->capture, NULL);
	}

	/* every client left: its accounting holds */
	for (i = 0; i < NSLOTS; i++) {
		ret = kmscap_t_stats(slots[i].fd, &st);
		KT_ASSERT(!ret || ret == -EINVAL || ret == -ENOTTY, "STATS of slot %u: %s", i,
			  kmscap_t_errname(ret));
		if (!ret) {
			kmscap_t_stats_check(&st, "racing client");
			attached++;
		}
		close(slots[i].fd);
	}
	for (i = 0; i < NXSLOTS; i++)
		close(xslots[i]);
	close(devnull);

	kmscap_t_log("phase 2: %.1f s racing (stopped: %s; %.1f s to stop), %u clients at "
		     "the end", (t_stop - t0) / 1e9, why, (kmscap_t_now_ns() - t_stop) / 1e9,
		     attached);
	kmscap_t_log("  uid 1001: %llu calls of the ioctl layer", (unsigned long long)other->ops);
	munmap(other, sizeof(*other));
	for (i = 0; i < NRACERS; i++) {
		kmscap_t_log("  %s: %llu ops, %u displays created, %u destroyed, %u compositor "
			     "displays destroyed, %u attaches", rc[i].name,
			     (unsigned long long)rc[i].ops, rc[i].created, rc[i].destroyed,
			     rc[i].kms_destroyed, rc[i].attached);
		kmscap_fz_ctx_fini(&rc[i].c);
	}
	for (i = 0; i < NKMS; i++) {
		struct kmscap_fz_kms *km = kmses[i];

		kmscap_t_log("  %s: %u displays (%u destroyed under it), %u commits, %u flip "
			     "events, valid modes set %u, invalid refused %u; %s: %u frames, %u "
			     "exports, %u stale releases, %u reattaches", km->name, km->displays,
			     km->destroyed_under, km->commits, km->events, km->modes_ok,
			     km->modes_refused, km->cname, km->frames, km->exports, km->stale,
			     km->reattach);
		kmses[i] = NULL;
		kmscap_fz_ctx_fini(&km->c);
		kmscap_fz_ctx_fini(&km->cc);
		free(km);
	}
	free(rc);
}

static bool passed;
static pid_t main_pid;

#define REPLUG_TIMEOUT_PARAM	"/sys/module/kmscap/parameters/replug_timeout_ms"

/* Write @ms into the module's replug_timeout_ms, if this process may. */
static void kmscap_fz_replug_timeout(unsigned int ms)
{
	FILE *f = fopen(REPLUG_TIMEOUT_PARAM, "we");

	if (f) {
		fprintf(f, "%u\n", ms);
		fclose(f);
	}
}

static void kmscap_fz_at_exit(void)
{
	if (getpid() != main_pid)
		return;
	kmscap_fz_replug_timeout(1000);
	if (!passed)
		kmscap_fz_replay_hint();
}

int main(void)
{
	const char *tmo = getenv("KMSCAP_TIMEOUT_S");
	unsigned int timeout = tmo && atoi(tmo) > 60 ? (unsigned int)atoi(tmo) : 120;
	struct kmscap_version ver;
	uint64_t t0 = kmscap_t_now_ns(), total, budget;
	int ctl, fds0, fds1, ret;

	kmscap_fz_params_get(&params);
	kmscap_t_init("fuzz", timeout - 3);
	kmscap_t_log("seed %llu (from %s), scale %u", (unsigned long long)params.seed,
		     params.from, params.scale);
	kmscap_fz_replay_hint();
	main_pid = getpid();
	atexit(kmscap_fz_at_exit);
	/*
	 * A REPLUG waits up to this for a compositor to look: the fuzzer's own
	 * "compositors" do not, and would be throttled to a call a second.
	 */
	kmscap_fz_replug_timeout(0);
	totals = calloc(1, sizeof(*totals));
	KT_ASSERT(totals, "calloc");

	ctl = kmscap_t_open_ctl_or_skip();
	KT_EXPECT_RET(kmscap_t_version(ctl, &ver), 0, "VERSION");
	start_ndisplays = kmscap_fz_list(ctl, start_ids);
	fds0 = kmscap_t_count_fds();

	/* all the time there is, less the end's: 40% for phase 1 at most */
	budget = (uint64_t)(timeout - TEARDOWN_S) * 1000000000ull;
	kmscap_fz_layer_run((uint64_t)LAYER_CALLS * params.scale, t0 + budget * 4 / 10);
	kmscap_fz_race(ctl, t0 + budget);

	ret = (int)kmscap_fz_destroy_new(ctl);
	if (ret) {
		kmscap_t_log("KERNEL BUG: %d displays left behind by calls that failed", ret);
		findings++;
	}
	fds1 = kmscap_t_count_fds();
	if (fds1 != fds0) {
		kmscap_t_log("KERNEL BUG: %d fds open at the end, %d at the start (system "
			     "calls that failed installed fds)", fds1, fds0);
		findings++;
	}
	close(ctl);

	total = kmscap_fz_counts_total(totals);
	kmscap_t_log("%llu calls in %.1f s; per operation, its results:",
		     (unsigned long long)total, (kmscap_t_now_ns() - t0) / 1e9);
	kmscap_fz_counts_print(totals);
	KT_ASSERT(total >= 100000, "only %llu calls", (unsigned long long)total);
	if (findings)
		kmscap_t_fail("%u findings (KERNEL BUG lines above)", findings);
	passed = true;
	kmscap_t_pass("seed %llu: %llu calls; every client's accounting held, nothing left "
		      "behind", (unsigned long long)params.seed, (unsigned long long)total);
}
