// SPDX-License-Identifier: MIT
/*
 * vblank_late: a vblank callback that runs late loses no flip-done event.
 *
 * Under emulation the vblank timer's callback can be held up between
 * forwarding its timer and counting the vblank (its vCPU descheduled)
 * past the vblank it was forwarded to; a commit arming its event then
 * counts that vblank first (the timer is overdue).  The late callback must
 * not then stamp the vblank earlier than the commit did: DRM reads a
 * stamp going back as a jump of billions of vblanks, and the armed event
 * never comes (kmscap-bench's "flip_done timed out").
 *
 * The module's debugfs knob display-<id>/vblank_stall (root only) forces
 * that order: the next callback waits past its vblank (the knob reads 2)
 * until another path counted it.  Each round two threads, one pinned to
 * each CPU, poll the knob; the one not held up by the callback sees 2 and
 * makes a blocking atomic flip with an event (its tail, which arms the
 * event, runs in that thread).  The event must come, and the vblank
 * counter must have moved by a few vblanks, not billions.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 320
#define H 240
#define ROUNDS 4
/* Far more than the rounds take; far less than a counter jump (~2^31). */
#define SEQ_BOUND 10000u

static char stall_path[96];

/* The knob is a simple attribute: no seeking, so one open per access. */
static int kmscap_stall_open(void)
{
	int fd = open(stall_path, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		kmscap_t_skip("%s missing: debugfs not mounted or a module without the knob",
			      stall_path);
	KT_ASSERT(fd >= 0, "open %s: %s", stall_path, strerror(errno));
	return fd;
}

static unsigned int kmscap_stall_state(void)
{
	int fd = kmscap_stall_open();
	char buf[16];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	KT_ASSERT(n > 0, "read %s: %s", stall_path, n < 0 ? strerror(errno) : "empty");
	close(fd);
	buf[n] = '\0';
	return (unsigned int)strtoul(buf, NULL, 10);
}

static void kmscap_stall_arm(void)
{
	int fd = kmscap_stall_open();

	KT_ASSERT(write(fd, "1", 1) == 1, "write 1 to %s: %s", stall_path, strerror(errno));
	close(fd);
}

static uint32_t kmscap_vblank_seq(int fd)
{
	drmVBlank vbl;

	memset(&vbl, 0, sizeof(vbl));
	vbl.request.type = DRM_VBLANK_RELATIVE;
	KT_ASSERT(!drmWaitVBlank(fd, &vbl), "drmWaitVBlank +0: %s", strerror(errno));
	return vbl.reply.sequence;
}

/* A blocking atomic flip to @b with a flip event: the tail runs in this task. */
static void kmscap_blocking_flip(struct kmscap_t_kms *k, const struct kmscap_t_buf *b)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	int r;

	KT_ASSERT(req, "drmModeAtomicAlloc");
	drmModeAtomicAddProperty(req, k->primary_id, k->pp.fb_id, b->fb_id);
	k->flip_pending = true;
	r = drmModeAtomicCommit(k->fd, req, DRM_MODE_PAGE_FLIP_EVENT, k);
	drmModeAtomicFree(req);
	KT_ASSERT(!r, "blocking atomic flip with event: %s", strerror(errno));
}

struct kmscap_racer {
	pthread_t thread;
	int cpu;
	struct kmscap_t_kms *k;
	const struct kmscap_t_buf *b;
	pthread_barrier_t *armed;
};

/* 1 + the CPU of the racer that flipped this round, or 0. */
static atomic_int flipped;

/*
 * Pinned to one CPU: wait until the callback waits past its vblank, then
 * flip, unless the other racer did.  The racer on the callback's CPU is
 * held up until it gives up waiting (after the flip), and sees 0.
 */
static void *kmscap_racer_run(void *arg)
{
	struct kmscap_racer *r = arg;
	uint64_t deadline;
	unsigned int st;
	cpu_set_t set;
	int none = 0;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	KT_ASSERT(!pthread_setaffinity_np(pthread_self(), sizeof(set), &set),
		  "pin a thread to CPU %d", r->cpu);
	pthread_barrier_wait(r->armed);
	deadline = kmscap_t_now_ns() + 2000000000ull;
	do {
		st = kmscap_stall_state();
		if (st == 2) {
			if (atomic_compare_exchange_strong(&flipped, &none, r->cpu + 1))
				kmscap_blocking_flip(r->k, r->b);
			break;
		}
	} while (st == 1 && kmscap_t_now_ns() < deadline);
	return NULL;
}

/* One round: arm the knob, let the racers flip to @b; true if one did. */
static bool kmscap_late_flip(struct kmscap_t_kms *k, const struct kmscap_t_buf *b)
{
	struct kmscap_racer racers[2];
	pthread_barrier_t armed;
	int i;

	atomic_store(&flipped, 0);
	pthread_barrier_init(&armed, NULL, 3);
	for (i = 0; i < 2; i++) {
		racers[i] = (struct kmscap_racer){ .cpu = i, .k = k, .b = b, .armed = &armed };
		KT_ASSERT(!pthread_create(&racers[i].thread, NULL, kmscap_racer_run, &racers[i]),
			  "pthread_create");
	}
	kmscap_stall_arm();
	pthread_barrier_wait(&armed);
	for (i = 0; i < 2; i++)
		pthread_join(racers[i].thread, NULL);
	pthread_barrier_destroy(&armed);
	return atomic_load(&flipped) != 0;
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_t_buf buf[2];
	struct kmscap_t_kms k;
	unsigned int i, stalled = 0, tries = 0;
	uint32_t seq0, seq1;
	int ctl, r;

	kmscap_t_init("vblank_late", 120);
	if (sysconf(_SC_NPROCESSORS_ONLN) != 2)
		kmscap_t_skip("%ld CPUs online, not 2: one racer per CPU, the stalled vblank callback holds one, the flip needs the other",
			      sysconf(_SC_NPROCESSORS_ONLN));
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	snprintf(stall_path, sizeof(stall_path), "/sys/kernel/debug/kmscap/display-%u/vblank_stall",
		 c.id);
	close(kmscap_stall_open());
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[0]);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[1]);
	r = kmscap_t_atomic_modeset(&k, &buf[0]);
	KT_ASSERT(!r, "card%u: modeset: %s", c.card_minor, kmscap_t_errname(r));
	r = kmscap_t_flip(&k, buf[1].fb_id, 2000);
	KT_ASSERT(!r, "first page flip: %s", kmscap_t_errname(r));

	for (i = 0; stalled < ROUNDS; i++) {
		seq0 = kmscap_vblank_seq(k.fd);
		if (!kmscap_late_flip(&k, &buf[i & 1])) {
			/* The callback gave up (500 ms) before a racer saw it wait. */
			KT_ASSERT(++tries < 10, "vblank_stall never read 2 in %u tries", tries);
			continue;
		}
		r = kmscap_t_wait_flip(&k, 3000);
		seq1 = kmscap_vblank_seq(k.fd);
		KT_ASSERT(!r, "round %u: the flip event of a commit armed while the vblank callback was late never came (%s; vblank %u -> %u)",
			  stalled, kmscap_t_errname(r), seq0, seq1);
		kmscap_t_log("round %u: vblank %u -> %u, flip event at %u", stalled, seq0, seq1,
			     k.flip_seq);
		KT_ASSERT(seq1 - seq0 < SEQ_BOUND,
			  "round %u: vblank counter jumped from %u to %u over one flip", stalled,
			  seq0, seq1);
		stalled++;
	}
	KT_ASSERT(kmscap_stall_state() == 0, "vblank_stall reads %u after the rounds",
		  kmscap_stall_state());
	kmscap_t_pass("%u flips armed while the vblank callback was late, every event came",
		      ROUNDS);
	return 0;
}
