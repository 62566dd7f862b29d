// SPDX-License-Identifier: MIT
/*
 * Unit test: what libkmscap.h ("Threads") allows on one handle at the
 * same time: one thread reads frame events (kmscap_read_events()) while
 * another exports and releases the frames it is handed (kmscap_export(),
 * kmscap_release(), kmscap_stats()), as kmscap-stream's encode thread does.
 *
 * Every event must arrive whole and in order, and every frame be exported
 * and released once.  make check also runs this binary built with
 * ThreadSanitizer (unit-tsan, TSAN_OPTIONS=halt_on_error=1): a data race
 * between those calls inside the library then fails the test.
 *
 * The device is a FIFO, as in fake_kmscap.h; the kmscap ioctls are
 * answered here, through ioctl_hook.h, with atomic counters only (that
 * header's fake keeps unsynchronised state, fine for one thread).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmscap_check.h"
#include "libkmscap.h"

#define T_FRAMES	2000
#define T_BUFFERS	3

static atomic_uint t_exports;
static atomic_uint t_releases;
static atomic_uint t_stats;
static atomic_uint t_released[T_FRAMES + 1];	/* per seq */

static int kmscap_hook_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case KMSCAP_IOC_VERSION: {
		struct kmscap_version *v = arg;

		memset(v, 0, sizeof(*v));
		v->major = KMSCAP_ABI_MAJOR;
		v->minor = 1;	/* 1.0 events, fixed size: no framing */
		v->max_displays = 16;
		v->event_size = sizeof(struct kmscap_event);
		return 0;
	}
	case KMSCAP_IOC_ATTACH:
		return 0;
	case KMSCAP_IOC_EXPORT: {
		struct kmscap_export *e = arg;
		int fd;

		if (!e->buffer_id || e->buffer_id > T_BUFFERS) {
			errno = ENOENT;
			return -1;
		}
		fd = memfd_create("t-dmabuf", MFD_CLOEXEC);
		if (fd < 0)
			return -1;
		atomic_fetch_add(&t_exports, 1);
		e->fd = fd;
		e->size = 4096 * e->buffer_id;
		return 0;
	}
	case KMSCAP_IOC_RELEASE: {
		struct kmscap_release *r = arg;

		if (!r->seq || r->seq > T_FRAMES) {
			errno = ENOENT;
			return -1;
		}
		atomic_fetch_add(&t_released[r->seq], 1);
		atomic_fetch_add(&t_releases, 1);
		return 0;
	}
	case KMSCAP_IOC_STATS: {
		struct kmscap_client_stats *s = arg;

		memset(s, 0, sizeof(*s));
		s->flips = atomic_fetch_add(&t_stats, 1) + 1;
		return 0;
	}
	}
	errno = ENOTTY;
	return -1;
}

#include "ioctl_hook.h"

struct t_frame {
	uint64_t seq;
	uint32_t buffer_id;
};

/* The worker: export, stats and release every frame handed over @pipe. */
struct t_worker {
	struct kmscap_dev *dev;
	int pipe;
	unsigned int done;
	int err;
};

static void *t_work(void *arg)
{
	struct t_worker *w = arg;
	struct kmscap_client_stats st;
	struct t_frame f;
	uint64_t size;
	int fd, ret;

	while (read(w->pipe, &f, sizeof(f)) == (ssize_t)sizeof(f)) {
		fd = kmscap_export(w->dev, f.buffer_id, KMSCAP_EXPORT_CLOEXEC, &size);
		if (fd < 0 || size != 4096u * f.buffer_id) {
			w->err = fd < 0 ? fd : -EINVAL;
			break;
		}
		close(fd);
		if (f.seq % 16 == 0 && kmscap_stats(w->dev, &st) < 0) {
			w->err = -EIO;
			break;
		}
		ret = kmscap_release(w->dev, f.seq);
		if (ret) {
			w->err = ret;
			break;
		}
		w->done++;
	}
	return NULL;
}

START_TEST(test_read_while_exporting)
{
	char dir[] = "/tmp/kmscap-threads-XXXXXX", path[64];
	struct kmscap_event ev, evs[8];
	struct t_worker w = { 0 };
	struct kmscap_dev *dev;
	uint64_t seq, next = 1;
	int writer, p[2], n, i;
	pthread_t thr;
	unsigned int flags;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kmscap", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(kmscap_open(path, &dev), 0);
	writer = open(path, O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(writer, 0);
	/* the writer must not block the reader's thread: non-blocking, retried */
	flags = (unsigned int)fcntl(writer, F_GETFL);
	ck_assert_int_eq(fcntl(writer, F_SETFL, flags | O_NONBLOCK), 0);
	ck_assert_int_eq(kmscap_attach(dev, 5, 0, 0), 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	w.dev = dev;
	w.pipe = p[0];
	ck_assert_int_eq(pthread_create(&thr, NULL, t_work, &w), 0);

	/* this thread writes events and reads them back; the worker exports */
	for (seq = 1; seq <= T_FRAMES || next <= T_FRAMES;) {
		struct pollfd pfd = { .fd = kmscap_fd(dev), .events = POLLIN };

		if (seq <= T_FRAMES) {
			memset(&ev, 0, sizeof(ev));
			ev.type = KMSCAP_EVENT_FRAME;
			ev.flags = KMSCAP_FRAME_FULL_DAMAGE;
			ev.seq = seq;
			ev.display_id = 5;
			ev.buffer_id = (uint32_t)(seq % T_BUFFERS) + 1;
			ev.width = 64;
			ev.height = 64;
			ev.num_planes = 1;
			ev.pitches[0] = 256;
			if (write(writer, &ev, sizeof(ev)) == (ssize_t)sizeof(ev))
				seq++;
			else
				ck_assert_int_eq(errno, EAGAIN);
		}
		poll(&pfd, 1, seq <= T_FRAMES ? 0 : 1000);
		n = kmscap_read_events(dev, evs, sizeof(evs) / sizeof(evs[0]));
		ck_assert_int_ge(n, 0);
		for (i = 0; i < n; i++) {
			struct t_frame f = { evs[i].seq, evs[i].buffer_id };

			ck_assert_uint_eq(evs[i].type, KMSCAP_EVENT_FRAME);
			ck_assert_uint_eq(evs[i].seq, next);
			ck_assert_uint_eq(evs[i].buffer_id, (next % T_BUFFERS) + 1);
			ck_assert_uint_eq(evs[i].width, 64);
			next++;
			ck_assert_int_eq(write(p[1], &f, sizeof(f)), (ssize_t)sizeof(f));
		}
		ck_assert_int_eq(kmscap_hung_up(dev), 0);
	}
	close(p[1]);
	ck_assert_int_eq(pthread_join(thr, NULL), 0);
	ck_assert_int_eq(w.err, 0);
	ck_assert_uint_eq(w.done, T_FRAMES);
	ck_assert_uint_eq(atomic_load(&t_exports), T_FRAMES);
	ck_assert_uint_eq(atomic_load(&t_releases), T_FRAMES);
	for (seq = 1; seq <= T_FRAMES; seq++)
		ck_assert_uint_eq(atomic_load(&t_released[seq]), 1);
	ck_assert_uint_eq(atomic_load(&t_stats), T_FRAMES / 16);

	close(p[0]);
	close(writer);
	kmscap_close(dev);
	unlink(path);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("threads");
	TCase *tc = tcase_create("threads");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_read_while_exporting);
	suite_add_tcase(s, tc);
	return kmscap_run_suite(s);
}
