// SPDX-License-Identifier: MIT
/*
 * Unit test: the frame ring calls (LIBKMSCAP_1.6) with the module and the
 * caller's threads at work at once, as libkmscap.h ("Threads") allows:
 * a "module" thread writes frames into a ring in memory, as fast as slots
 * come back, and now and then marks a held frame WANTED; this thread takes
 * frames (kmscap_ring_take()); a worker thread gives each back
 * (kmscap_ring_release()) when the next comes.
 *
 * The frames returned come in order; each frame written is returned once
 * or counted, once, in the dropped of a frame returned; every give-back
 * returns 0; there is a RELEASE with seq 0 for the frames marked WANTED
 * (one per give-back, one per take for those it skipped).
 * make check also runs it built with ThreadSanitizer (unit-tsan): a data
 * race between the three then fails the test.
 *
 * The kmscap ioctls are answered here, with atomic counters only.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmscap_check.h"
#include "libkmscap_priv.h"
#include "ring_mem.h"

#define T_FRAMES	20000
#define T_DEPTH		8

static atomic_uint t_kicks;
static atomic_uint t_bad_ioctls;

static int kmscap_hook_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case KMSCAP_IOC_VERSION: {
		struct kmscap_version *v = arg;

		memset(v, 0, sizeof(*v));
		v->major = KMSCAP_ABI_MAJOR;
		v->minor = KMSCAP_ABI_MINOR;
		v->caps = KMSCAP_CAP_FRAME_RING;
		v->max_displays = 16;
		v->event_size = sizeof(struct kmscap_event);
		v->max_event_size = 1024;
		return 0;
	}
	case KMSCAP_IOC_ATTACH:
		return 0;
	case KMSCAP_IOC_RELEASE:
		if (((struct kmscap_release *)arg)->seq)
			atomic_fetch_add(&t_bad_ioctls, 1);
		atomic_fetch_add(&t_kicks, 1);
		return 0;
	}
	atomic_fetch_add(&t_bad_ioctls, 1);
	errno = ENOTTY;
	return -1;
}

#include "ioctl_hook.h"

static struct kmscap_frame_ring *ring;

static struct kmscap_ring_slot *t_slot(uint32_t i)
{
	return (struct kmscap_ring_slot *)((char *)(ring + 1) + i * sizeof(struct kmscap_ring_slot));
}

/*
 * The module: T_FRAMES + 1 frames, each into a slot it owns; the take that
 * returns the last tells of every frame not returned before.
 */
struct t_module {
	unsigned int wanted;	/* held frames it marked WANTED */
};

static void t_write(uint32_t i, uint64_t seq)
{
	struct kmscap_ring_slot *s = t_slot(i);

	memset(&s->ev, 0, sizeof(s->ev));
	s->ev.type = KMSCAP_EVENT_FRAME;
	s->ev.flags = seq % 100 == 0 ? KMSCAP_FRAME_NEW_MODE : 0;
	s->ev.seq = seq;
	s->ev.display_id = 5;
	s->ev.buffer_id = 1;
	s->ev.width = 64;
	s->ev.height = 64;
	s->ev.num_planes = 1;
	s->ev.pitches[0] = 256;
	__atomic_store_n(&s->seq, seq, __ATOMIC_RELAXED);
	__atomic_store_n(&s->state, KMSCAP_SLOT_READY, __ATOMIC_RELEASE);
	__atomic_store_n(&ring->published, seq, __ATOMIC_RELEASE);
}

static void *t_module_run(void *arg)
{
	struct t_module *m = arg;
	uint64_t seq = 1, tick = 0;
	uint32_t i = 0, n, v;

	while (seq <= T_FRAMES + 1) {
		/* every third round, a flip waits for the first frame held */
		for (n = 0; ++tick % 3 == 0 && n < T_DEPTH; n++) {
			v = __atomic_load_n(&t_slot(n)->state, __ATOMIC_ACQUIRE);
			if ((v & KMSCAP_SLOT_STATE) != KMSCAP_SLOT_HELD || (v & KMSCAP_SLOT_WANTED))
				continue;
			if (__atomic_compare_exchange_n(&t_slot(n)->state, &v,
							v | KMSCAP_SLOT_WANTED, 0,
							__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				m->wanted++;
			break;
		}
		for (n = 0; n < T_DEPTH; n++, i = (i + 1) % T_DEPTH) {
			v = __atomic_load_n(&t_slot(i)->state, __ATOMIC_ACQUIRE);
			if ((v & KMSCAP_SLOT_STATE) == KMSCAP_SLOT_EMPTY ||
			    (v & KMSCAP_SLOT_STATE) == KMSCAP_SLOT_DONE)
				break;
		}
		if (n == T_DEPTH) {
			sched_yield();
			continue;
		}
		t_write(i, seq++);
		i = (i + 1) % T_DEPTH;
	}
	return NULL;
}

/* The worker: give back every frame handed over @pipe. */
struct t_worker {
	struct kmscap_dev *dev;
	int pipe;
	unsigned int done;
	int err;
};

static void t_give_back(struct t_worker *w, uint64_t seq)
{
	int ret = kmscap_ring_release(w->dev, seq);

	if (ret && !w->err)
		w->err = ret;
	w->done += !ret;
}

/* Each frame is kept until the next one comes, as an encoder keeps its reference. */
static void *t_work(void *arg)
{
	struct t_worker *w = arg;
	uint64_t seq, kept = 0;

	while (read(w->pipe, &seq, sizeof(seq)) == (ssize_t)sizeof(seq)) {
		if (kept)
			t_give_back(w, kept);
		kept = seq;
	}
	if (kept)
		t_give_back(w, kept);
	return NULL;
}

START_TEST(test_take_while_giving_back)
{
	char dir[] = "/tmp/kmscap-ring-XXXXXX", path[64];
	size_t len;
	struct t_worker w = { 0 };
	struct t_module m = { 0 };
	struct kmscap_event ev;
	uint64_t last = 0, told = 0, returned = 0, new_modes = 0;
	pthread_t mod, work;
	struct kmscap_dev *dev;
	int p[2], ret;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kmscap", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(kmscap_open(path, &dev), 0);
	ck_assert_int_eq(kmscap_attach_with(dev, 5, T_DEPTH, 0, KMSCAP_ATTACH_FRAME_RING), 0);
	ring = ring_mem_new(T_DEPTH, &len);
	ck_assert_int_eq(kmscap_ring_use(dev, ring, len, T_DEPTH), 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	w.dev = dev;
	w.pipe = p[0];
	ck_assert_int_eq(pthread_create(&work, NULL, t_work, &w), 0);
	ck_assert_int_eq(pthread_create(&mod, NULL, t_module_run, &m), 0);

	while (last < T_FRAMES + 1) {
		ret = kmscap_ring_take(dev, &ev);
		ck_assert_int_ge(ret, 0);
		if (!ret) {
			sched_yield();
			continue;
		}
		ck_assert_uint_gt(ev.seq, last);
		ck_assert_uint_le(ev.seq, T_FRAMES + 1);
		/* a frame after a gap never keeps its (relative) damage */
		if (ev.seq != last + 1 || ev.dropped)
			ck_assert(ev.flags & KMSCAP_FRAME_FULL_DAMAGE);
		last = ev.seq;
		told += 1 + ev.dropped;
		returned++;
		new_modes += !!(ev.flags & KMSCAP_FRAME_NEW_MODE);
		ck_assert_int_eq(write(p[1], &ev.seq, sizeof(ev.seq)), (ssize_t)sizeof(ev.seq));
	}
	ck_assert_int_eq(pthread_join(mod, NULL), 0);
	close(p[1]);
	ck_assert_int_eq(pthread_join(work, NULL), 0);
	ck_assert_int_eq(w.err, 0);
	ck_assert_uint_eq(w.done, returned);
	ck_assert_uint_eq(told, T_FRAMES + 1);
	/* 200 frames had NEW_MODE; a frame returned carries one or more of them */
	ck_assert_uint_ge(new_modes, 1);
	ck_assert_uint_le(new_modes, T_FRAMES / 100);
	/*
	 * One call per frame marked WANTED that the worker gave back; frames
	 * kmscap_ring_take() skipped, if marked while it had them, share one.
	 */
	ck_assert_uint_le(atomic_load(&t_kicks), m.wanted);
	ck_assert(!m.wanted || atomic_load(&t_kicks));
	ck_assert_uint_eq(atomic_load(&t_bad_ioctls), 0);
	printf("ring threads: %llu frames returned of %u, %u marked WANTED\n",
	       (unsigned long long)returned, T_FRAMES + 1, m.wanted);

	close(p[0]);
	kmscap_close(dev);
	free(ring);
	unlink(path);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ring threads");
	TCase *tc = tcase_create("ring threads");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_take_while_giving_back);
	suite_add_tcase(s, tc);
	return kmscap_run_suite(s);
}
