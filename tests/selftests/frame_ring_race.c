// SPDX-License-Identifier: MIT
/*
 * frame_ring_race: a frame ring (ABI 1.6) under a hostile client, while a
 * compositor flips and the display is destroyed under it.  A seeded,
 * printed run of about two seconds:
 *  - a compositor thread flips three buffers (non-blocking, with events),
 *    and now and then redraws the one on screen and calls DIRTYFB;
 *  - a client thread takes frames and gives them back, calling RELEASE 0
 *    when a slot says a flip waits;
 *  - two hostile threads write random values into the slots' states (any
 *    value, and valid swaps at random), the header and the events, from a
 *    second mapping of the same ring;
 *  - a thread calls STATS (the identity must hold each time), RELEASE with
 *    random seqs and seq 0, poll() and read();
 * then the display is destroyed with all of them running, and the ring is
 * used after close().  The module must neither crash nor warn (the VM
 * harness fails on any kernel report), nor let a flip wait beyond the
 * hold timeout; every call's result must be one the ABI documents.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "libframering.h"

#define DEPTH	8
#define NBUF	3
#define HOLD_NS	50000000ull

static struct kmscap_t_kms k;
static struct kmscap_t_buf b[NBUF];
static struct kmscap_framering ring;
static volatile struct kmscap_frame_ring *evil;	/* the second mapping */
static int cl;
static volatile int stop, gone;
static unsigned int seed;
static unsigned long long taken, given, kicks, hostile, stats_calls;

static unsigned int kmscap_rng(unsigned int *r)
{
	return (unsigned int)rand_r(r);
}

static void *kmscap_compositor(void *arg)
{
	unsigned int r = seed + 1, i = 0, n = 0;
	drmModeClip clip = { 0, 0, 8, 8 };
	int ret;

	(void)arg;
	while (!stop) {
		if (kmscap_rng(&r) % 8 == 0) {
			kmscap_t_fill(b[i].map, b[i].pitch, 64, 64, kmscap_rng(&r));
			ret = drmModeDirtyFB(k.fd, b[i].fb_id, &clip, 1) ? -errno : 0;
		} else {
			i = (i + 1 + kmscap_rng(&r) % (NBUF - 1)) % NBUF;
			ret = kmscap_t_page_flip(&k, b[i].fb_id);
			/* a flip waits at most the hold timeout: 5 s is a hang */
			if (!ret)
				ret = kmscap_t_wait_flip(&k, 5000);
		}
		KT_ASSERT(!ret || gone, "compositor, commit %u: %s", n, kmscap_t_errname(ret));
		if (ret)
			break;
		n++;
	}
	kmscap_t_log("compositor: %u commits", n);
	return NULL;
}

static void *kmscap_taker(void *arg)
{
	volatile struct kmscap_ring_slot *s;
	unsigned int r = seed + 2;
	bool kick;
	int ret;

	(void)arg;
	while (!stop) {
		struct pollfd p = { .fd = cl, .events = POLLIN };

		if (poll(&p, 1, 20) < 0)
			break;
		while ((s = kmscap_framering_take(&ring))) {
			taken++;
			if (kmscap_rng(&r) % 4 == 0)
				usleep(kmscap_rng(&r) % 20000);
			ret = kmscap_framering_give_back(s, &kick);
			/* the hostile threads may have written anything there */
			KT_ASSERT(!ret || ret == -ESTALE || ret == -EPROTO, "give back: %s",
				  kmscap_t_errname(ret));
			given += !ret;
			if (kick) {
				ret = kmscap_t_release(cl, 0);
				KT_ASSERT(!ret, "RELEASE 0: %s", kmscap_t_errname(ret));
				kicks++;
			}
		}
	}
	return NULL;
}

static void *kmscap_hostile(void *arg)
{
	unsigned int r = seed + 3 + (unsigned int)(uintptr_t)arg;
	volatile struct kmscap_ring_slot *s;

	while (!stop) {
		unsigned int i = kmscap_rng(&r) % DEPTH, what = kmscap_rng(&r) % 8;
		uint32_t old;

		s = (volatile struct kmscap_ring_slot *)((volatile char *)evil +
			sizeof(struct kmscap_frame_ring) + i * sizeof(struct kmscap_ring_slot));
		if (what < 3)
			__atomic_store_n(&s->state, kmscap_rng(&r) % 2 ? kmscap_rng(&r) :
						    kmscap_rng(&r) % 6, __ATOMIC_SEQ_CST);
		else if (what < 6)
			kmscap_framering_swap(s, kmscap_rng(&r) % 5, kmscap_rng(&r) % 5, &old);
		else if (what == 6)
			s->ev.buffer_id = kmscap_rng(&r);
		else
			evil->slots = kmscap_rng(&r);
		hostile++;
		if (kmscap_rng(&r) % 64 == 0)
			usleep(1000);
	}
	return NULL;
}

static void *kmscap_caller(void *arg)
{
	unsigned int r = seed + 9;
	struct kmscap_client_stats st;
	char buf[512];
	int ret;

	(void)arg;
	while (!stop) {
		switch (kmscap_rng(&r) % 4) {
		case 0:
			ret = kmscap_t_stats(cl, &st);
			KT_ASSERT(!ret, "STATS: %s", kmscap_t_errname(ret));
			kmscap_t_stats_check(&st, "racing ring client");
			stats_calls++;
			break;
		case 1:
			ret = kmscap_t_release(cl, kmscap_rng(&r) % 3 ? 0 : kmscap_rng(&r) % 200);
			KT_ASSERT(!ret || ret == -ENOENT || ret == -ESTALE, "RELEASE: %s",
				  kmscap_t_errname(ret));
			break;
		case 2: {
			struct pollfd p = { .fd = cl, .events = POLLIN };

			poll(&p, 1, 1);
			break;
		}
		default:
			/* only flip-done or hang-up events: never a frame */
			ret = (int)read(cl, buf, sizeof(buf));
			KT_ASSERT(ret <= 0 || ((struct kmscap_event_header *)buf)->type !=
				  KMSCAP_EVENT_FRAME, "read() of a ring client gave a frame");
			break;
		}
		usleep(500);
	}
	return NULL;
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_version ver;
	pthread_t th[5];
	unsigned int i;
	int ctl, ret;

	kmscap_t_init("frame_ring_race", 120);
	seed = (unsigned int)kmscap_t_now_ns();
	kmscap_t_log("seed %u", seed);
	ctl = kmscap_t_open_ctl_or_skip();
	ret = kmscap_t_version(ctl, &ver);
	KT_ASSERT(!ret, "VERSION: %s", kmscap_t_errname(ret));
	if (!(ver.caps & KMSCAP_CAP_FRAME_RING))
		kmscap_t_skip("the module has no KMSCAP_CAP_FRAME_RING (ABI %u.%u)", ver.major,
			      ver.minor);
	kmscap_t_display_up(ctl, 64, 64, &c, &k, b, NBUF, 0);

	cl = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	KT_ASSERT(cl >= 0, "open %s: %s", KMSCAP_T_CTL, strerror(errno));
	{
		struct kmscap_attach at = { .display_id = c.id, .queue_depth = DEPTH,
					    .hold_timeout_ns = HOLD_NS,
					    .flags = KMSCAP_ATTACH_FRAME_RING |
						     KMSCAP_ATTACH_FRAMED | KMSCAP_ATTACH_FLIP_DONE };
		void *p;

		ret = kmscap_t_ioctl(cl, KMSCAP_IOC_ATTACH, &at);
		KT_ASSERT(!ret, "ATTACH: %s", kmscap_t_errname(ret));
		ring.size = KMSCAP_RING_SIZE(DEPTH);
		ring.slots = DEPTH;
		p = mmap(NULL, ring.size, PROT_READ | PROT_WRITE, MAP_SHARED, cl,
			 KMSCAP_RING_OFFSET);
		KT_ASSERT(p != MAP_FAILED, "mmap of the ring: %s", strerror(errno));
		ring.ring = p;
		p = mmap(NULL, ring.size, PROT_READ | PROT_WRITE, MAP_SHARED, cl,
			 KMSCAP_RING_OFFSET);
		KT_ASSERT(p != MAP_FAILED, "second mmap of the ring: %s", strerror(errno));
		evil = p;
	}

	KT_ASSERT(!pthread_create(&th[0], NULL, kmscap_compositor, NULL), "pthread_create");
	KT_ASSERT(!pthread_create(&th[1], NULL, kmscap_taker, NULL), "pthread_create");
	KT_ASSERT(!pthread_create(&th[2], NULL, kmscap_hostile, (void *)0), "pthread_create");
	KT_ASSERT(!pthread_create(&th[3], NULL, kmscap_hostile, (void *)1), "pthread_create");
	KT_ASSERT(!pthread_create(&th[4], NULL, kmscap_caller, NULL), "pthread_create");
	kmscap_t_sleep_ms(2000);

	/* the display goes with every thread still at work */
	gone = 1;
	ret = kmscap_t_destroy(ctl, c.id);
	KT_ASSERT(!ret, "DESTROY under the racers: %s", kmscap_t_errname(ret));
	kmscap_t_sleep_ms(200);
	stop = 1;
	for (i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	{
		struct pollfd p = { .fd = cl, .events = POLLIN };

		KT_ASSERT(poll(&p, 1, 1000) == 1 && (p.revents & POLLHUP),
			  "no POLLHUP after DESTROY");
	}
	close(cl);
	/* the mappings outlive the file: write into them, then unmap */
	evil->published = 1;
	__atomic_store_n(&ring.ring->published, 2, __ATOMIC_SEQ_CST);
	KT_ASSERT(!munmap((void *)evil, ring.size), "munmap: %s", strerror(errno));
	kmscap_framering_fini(&ring);
	for (i = 0; i < NBUF; i++)
		kmscap_t_buf_destroy(&b[i]);
	kmscap_t_kms_close(&k);
	close(ctl);
	kmscap_t_log("%llu frames taken, %llu given back intact, %llu kicks, %llu hostile "
		     "writes, %llu STATS", taken, given, kicks, hostile, stats_calls);
	KT_ASSERT(taken > 0 && hostile > 0 && stats_calls > 0, "the race did not run");
	kmscap_t_pass("seed %u: a hostile ring under flips, DIRTYFB and DESTROY: no report, "
		      "every result documented", seed);
}
