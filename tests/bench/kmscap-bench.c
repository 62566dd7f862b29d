// SPDX-License-Identifier: MIT
/*
 * kmscap-bench: per-frame cost of the capture side at 720p, 1080p, 1440p
 * and 2160p, seven ways, side by side:
 *   kmscap  poll, read the frame event, look up the DMA-BUF exported the
 *           first time the buffer id was seen (cached), release;
 *   kmscap-auto  the same with KMSCAP_ATTACH_AUTO_RELEASE (ABI 1.3): one
 *           blocking read per frame, which releases the previous frame;
 *   kmscap-auto-poll  auto-release too, but the wait is a poll(), as in a
 *           daemon whose event loop waits on many fds: the work of a frame
 *           is then one read (the wait excluded, as for kmscap);
 *   copy    read the frame event, copy the whole frame from the (cached)
 *           read-only mapping into client memory, release;
 *   getfb2  what kmsgrab does per frame: GETPLANE + GETFB2 +
 *           PRIME_HANDLE_TO_FD, then close the fd and the GEM handle
 *           (the kmscap event only serves as the "new frame" trigger and
 *           is not counted in the CPU time);
 *   kmscap-uring  the release in the ring (ABI 1.5,
 *           KMSCAP_CAP_URING_RELEASE; libcapring.c): the capture thread's
 *           io_uring; per frame ONE io_uring_enter() submits the release
 *           of the frame held (IOSQE_CQE_SKIP_SUCCESS: a failure still
 *           completes, and is counted and reported) and a POLL_ADD linked
 *           to a READ of the next event, and waits for the READ; then the
 *           cached DMA-BUF is looked up as for kmscap.  The one call is
 *           the release, the wait and the read: like kmscap-auto's read,
 *           it cannot be split, so its CPU counts as work (going to sleep
 *           and waking up included, an upper bound on the work), and the
 *           second table (CPU with the wait) is the one to compare;
 *   kmscap-ring  the frame ring (ABI 1.6, KMSCAP_ATTACH_FRAME_RING;
 *           libframering.c): poll, then the oldest READY frame taken
 *           from the mapped ring and, after the same work as kmscap, given
 *           back by compare-and-swap, without a system call; a RELEASE
 *           with seq 0 only when the slot said a flip waits for it
 *           (counted, and reported as "kicks").  The poll is the wait, as
 *           for kmscap.
 * Besides the CPU time, the system calls of the capture thread per frame,
 * counted by the bench itself (KB_SYS; the bench_syscalls selftest checks
 * the count against strace with "check", which runs only 720p and prints
 * each case's count and thread id).
 * A compositor thread page-flips two buffers on a kmscap display
 * (240 Hz mode, flip events) while the capture thread does one of the
 * above per frame.  Reported per frame: CPU time of the capture thread
 * (CLOCK_THREAD_CPUTIME_ID around the per-frame work, the wait excluded)
 * and wall time of the same work (CLOCK_MONOTONIC); plus, for the kmscap
 * path, the latency from the return of the flip ioctl to the wake-up of
 * the capture thread (p50/p99; negative when the event is queued before
 * the ioctl returns).
 *
 * With top=PATH (make bench passes build/user/kmscap-top when it is
 * built): the kmscap path at 1080p again, alternately without and with
 * kmscap-top --json attached (two runs each), side by side: the capture
 * thread's CPU per frame (its read and RELEASE hit tracepoints that run
 * the BPF programs), the wake-up latency, kmscap-top's own CPU per frame
 * (/proc/PID/schedstat over the run), and the ratio with/without.
 *
 * Usage: kmscap-bench [FRAMES] [top=PATH] [check]   (default 120 frames per case)
 * Writes the CSV also to /out/kmscap-bench.csv when /out exists.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "libcapring.h"
#include "libframering.h"
#include "libtopproc.h"

enum kmscap_method { M_KMSCAP, M_AUTO, M_COPY, M_GETFB2, M_AUTO_POLL, M_URING, M_RING, M_COUNT };
static const char *const kmscap_method_name[M_COUNT] = {
	"kmscap", "kmscap-auto", "copy", "getfb2", "kmscap-auto-poll", "kmscap-uring", "kmscap-ring"
};

/* Attached with KMSCAP_ATTACH_AUTO_RELEASE: a read releases the frames read before. */
static bool kmscap_method_auto(enum kmscap_method m)
{
	return m == M_AUTO || m == M_AUTO_POLL;
}

/* Its wait is in its one call per frame (read, io_uring_enter), counted as work. */
static bool kmscap_method_one_call(enum kmscap_method m)
{
	return m == M_AUTO || m == M_URING;
}

static const struct { uint32_t w, h; const char *name; } kmscap_res[] = {
	{ 1280, 720, "720p" },
	{ 1920, 1080, "1080p" },
	{ 2560, 1440, "1440p" },
	{ 3840, 2160, "2160p" },
};
#define NRES KMSCAP_T_ARRAY_SIZE(kmscap_res)

struct kmscap_result {
	double cpu_us, wall_us;		/* mean */
	double cpu_p50_us, wall_p50_us;	/* median */
	double lat_p50_us, lat_p99_us;
	double cpu_wait_p50_us;		/* median CPU with the wait (all syscalls) */
	double sys_mean;		/* system calls per frame, mean */
	uint64_t sys_p50;		/* and median */
	uint64_t sys_total;		/* over the run */
	uint64_t release_failed;	/* kmscap-uring: releases completed with an error */
	uint64_t kicks;			/* kmscap-ring: RELEASEs with seq 0 */
	unsigned int frames;
	bool skipped;			/* a path the module or kernel lacks */
};

struct kmscap_run {
	enum kmscap_method m;
	unsigned int frames;
	int cl;			/* kmscap client */
	int drm_fd;		/* second fd of the card (getfb2) */
	uint32_t plane_id;
	uint64_t *t_flip;	/* flip ioctl return, per frame */
	uint64_t *t_wake;	/* capture wake-up, per frame */
	uint64_t *cpu, *wall;	/* per-frame samples */
	uint64_t *cpu_wait;	/* CPU from before the wait to the end of the work */
	uint64_t *sys;		/* system calls per frame */
	uint64_t nsys;		/* system calls of the capture loop */
	pid_t tid;		/* the capture thread */
	unsigned int done;
	struct { uint32_t id; int fd; } fds[16];	/* exported once per buffer id */
	unsigned int nfds;
	struct kmscap_t_maps maps;
	void *copy;
	size_t copy_size;
	struct kmscap_capring ring;	/* kmscap-uring */
	struct kmscap_framering fr;	/* kmscap-ring */
	volatile struct kmscap_ring_slot *slot;	/* its frame taken */
	uint64_t kicks;			/* its RELEASEs with seq 0 */
	char err[256];
};

/*
 * Every system call of the capture loop goes through KB_SYS, which counts
 * it: the bench's own count (the reads of CLOCK_THREAD_CPUTIME_ID around
 * the work are the measurement, not counted).  The bench_syscalls
 * selftest checks it against strace.
 */
/* "check": only 720p, and each case's system call count and thread id printed. */
static bool check;

#define KB_SYS(run, call) ((run)->nsys++, (call))

/* The DMA-BUF of @buffer_id, exported the first time it is seen. */
static int kmscap_export_cached(struct kmscap_run *run, uint32_t buffer_id)
{
	struct kmscap_export exp;
	unsigned int j;

	for (j = 0; j < run->nfds; j++)
		if (run->fds[j].id == buffer_id)
			return 0;
	if (run->nfds == KMSCAP_T_ARRAY_SIZE(run->fds) ||
	    KB_SYS(run, kmscap_t_export(run->cl, buffer_id, KMSCAP_EXPORT_CLOEXEC, &exp))) {
		snprintf(run->err, sizeof(run->err), "EXPORT %u failed", buffer_id);
		return -1;
	}
	run->fds[run->nfds].id = buffer_id;
	run->fds[run->nfds++].fd = (int)exp.fd;
	return 0;
}

/* What kmsgrab does per frame: GETPLANE, GETFB2, PRIME export, close both. */
static int kmscap_getfb2_frame(struct kmscap_run *run)
{
	struct drm_mode_get_plane pl = { .plane_id = run->plane_id };
	struct drm_mode_fb_cmd2 fb = { 0 };
	struct drm_prime_handle prime = { .flags = DRM_CLOEXEC };
	struct drm_gem_close gc = { 0 };

	if (KB_SYS(run, ioctl(run->drm_fd, DRM_IOCTL_MODE_GETPLANE, &pl))) {
		snprintf(run->err, sizeof(run->err), "GETPLANE: %s", strerror(errno));
		return -1;
	}
	fb.fb_id = pl.fb_id;
	if (KB_SYS(run, ioctl(run->drm_fd, DRM_IOCTL_MODE_GETFB2, &fb)) || !fb.handles[0]) {
		snprintf(run->err, sizeof(run->err), "GETFB2: %s (needs CAP_SYS_ADMIN)",
			 fb.handles[0] ? strerror(errno) : "no handle");
		return -1;
	}
	prime.handle = fb.handles[0];
	if (KB_SYS(run, ioctl(run->drm_fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime))) {
		snprintf(run->err, sizeof(run->err), "PRIME_HANDLE_TO_FD: %s", strerror(errno));
		return -1;
	}
	KB_SYS(run, close(prime.fd));
	gc.handle = fb.handles[0];
	KB_SYS(run, ioctl(run->drm_fd, DRM_IOCTL_GEM_CLOSE, &gc));
	return 0;
}

/* The copy path's work on a frame it read. */
static int kmscap_copy_frame(struct kmscap_run *run, const struct kmscap_event *ev)
{
	size_t sz = (size_t)ev->pitches[0] * ev->height;
	struct kmscap_t_map *map;
	unsigned int i;

	for (i = 0; i < run->maps.n && run->maps.map[i].buffer_id != ev->buffer_id; i++)
		;
	if (i == run->maps.n)
		run->nsys += 2;		/* EXPORT and mmap, below */
	map = kmscap_t_maps_get(&run->maps, ev->buffer_id);
	if (sz > run->copy_size) {
		snprintf(run->err, sizeof(run->err), "frame of %zu bytes, larger than the buffers",
			 sz);
		return -1;
	}
	KB_SYS(run, kmscap_t_dmabuf_sync(map->fd, true));
	memcpy(run->copy, map->ptr, sz);
	KB_SYS(run, kmscap_t_dmabuf_sync(map->fd, false));
	return 0;
}

/*
 * kmscap-uring's one io_uring_enter() a frame: the release of the frame
 * held, the wait and the read of the next event; another one only when a
 * failed release's completion came before the read's, or the read found
 * no event (-EAGAIN, queued again).  The read's result.
 */
static int kmscap_uring_next(struct kmscap_run *run)
{
	do
		KB_SYS(run, kmscap_ring_enter(&run->ring.ring, kmscap_capring_queue(&run->ring), 1));
	while (!kmscap_capring_reap(&run->ring));
	return run->ring.read_res;
}

/* One frame: wait for it and do the method's work; samples in run->*[done]. */
static int kmscap_capture_frame(struct kmscap_run *run, uint64_t *seq0)
{
	struct pollfd p = { .fd = run->cl, .events = POLLIN };
	uint64_t c0 = 0, w0 = 0, s0 = run->nsys, ca = kmscap_t_thread_cpu_ns(), idx;
	struct kmscap_event ev;
	ssize_t n;
	int r;

	if (kmscap_method_one_call(run->m)) {
		/* One call: the wait, the frame, the previous one's release. */
		c0 = kmscap_t_thread_cpu_ns();
	} else {
		r = KB_SYS(run, poll(&p, 1, 10000));
		if (r <= 0) {
			char ring[160] = "";

			if (run->m == M_RING)
				kmscap_framering_describe(&run->fr, ring, sizeof(ring));
			snprintf(run->err, sizeof(run->err), "no frame event within 10 s (frame %u) %s",
				 run->done, ring);
			return -1;
		}
		w0 = kmscap_t_now_ns();
		c0 = kmscap_t_thread_cpu_ns();
	}
	if (run->m == M_URING) {
		n = kmscap_uring_next(run);
		ev = run->ring.ev;
	} else if (run->m == M_RING) {
		run->slot = kmscap_framering_take(&run->fr);
		n = run->slot ? (ssize_t)sizeof(ev) : 0;
		if (run->slot)
			memcpy(&ev, (const void *)&run->slot->ev, sizeof(ev));
	} else {
		n = KB_SYS(run, read(run->cl, &ev, sizeof(ev)));
	}
	if (kmscap_method_one_call(run->m))
		w0 = kmscap_t_now_ns();
	if (n != sizeof(ev) || ev.type != KMSCAP_EVENT_FRAME) {
		snprintf(run->err, sizeof(run->err), "%s: %zd", run->m == M_URING ?
			 "io_uring READ" : "read", n);
		return -1;
	}
	if (run->m == M_GETFB2) {
		/* The trigger is not counted in the CPU time (its calls are counted). */
		if (KB_SYS(run, kmscap_t_release(run->cl, ev.seq))) {
			snprintf(run->err, sizeof(run->err), "RELEASE failed");
			return -1;
		}
		w0 = kmscap_t_now_ns();
		c0 = kmscap_t_thread_cpu_ns();
		if (kmscap_getfb2_frame(run))
			return -1;
		goto sample;
	}
	if (!*seq0)
		*seq0 = ev.seq;
	idx = ev.seq - *seq0;
	if (idx < run->frames)
		run->t_wake[idx] = w0;
	if (run->m == M_COPY ? kmscap_copy_frame(run, &ev) : kmscap_export_cached(run, ev.buffer_id))
		return -1;
	if (run->m == M_RING) {
		bool kick;

		r = kmscap_framering_give_back(run->slot, &kick);
		if (!r && kick) {
			run->kicks++;
			r = KB_SYS(run, kmscap_t_release(run->cl, 0));
		}
		if (r) {
			snprintf(run->err, sizeof(run->err), "giving back: %s",
				 kmscap_t_errname(r));
			return -1;
		}
	} else if (!kmscap_method_auto(run->m) && run->m != M_URING) {
		r = KB_SYS(run, kmscap_t_release(run->cl, ev.seq));
		if (r) {
			snprintf(run->err, sizeof(run->err), "RELEASE: %s", kmscap_t_errname(r));
			return -1;
		}
	}
sample:
	run->cpu[run->done] = kmscap_t_thread_cpu_ns() - c0;
	run->cpu_wait[run->done] = kmscap_t_thread_cpu_ns() - ca;
	/* kmscap-auto, -uring: from the call's return (the wait is not work). */
	run->wall[run->done] = kmscap_t_now_ns() - w0;
	run->sys[run->done] = run->nsys - s0;
	run->done++;
	return 0;
}

static void *kmscap_capture(void *arg)
{
	struct kmscap_run *run = arg;
	uint64_t seq0 = 0;
	unsigned int j;
	int r;

	run->tid = (pid_t)syscall(SYS_gettid);
	kmscap_t_maps_init(&run->maps, run->cl);
	r = run->m == M_URING ? kmscap_capring_init(&run->ring, run->cl) : 0;
	if (r)
		snprintf(run->err, sizeof(run->err), "io_uring_setup: %s", kmscap_t_errname(r));
	/* getppid(): the markers around the loop in an strace of the bench. */
	syscall(SYS_getppid);
	while (!r && run->done < run->frames && !kmscap_capture_frame(run, &seq0))
		;
	syscall(SYS_getppid);
	if (run->m == M_URING && !r) {
		/* the last frame, still held after the loop */
		if (run->ring.holding)
			kmscap_t_release(run->cl, run->ring.held);
		kmscap_capring_fini(&run->ring);
	}
	kmscap_framering_fini(&run->fr);
	free(run->copy);
	for (j = 0; j < run->nfds; j++)
		close(run->fds[j].fd);
	kmscap_t_maps_fini(&run->maps);
	return NULL;
}

static int kmscap_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static struct kmscap_result kmscap_bench_one(int ctl, uint32_t w, uint32_t h,
					     enum kmscap_method m, unsigned int frames)
{
	struct kmscap_display_create c;
	struct kmscap_result res = { 0 };
	struct kmscap_run run = { .m = m, .frames = frames };
	struct kmscap_t_buf buf[2];
	struct kmscap_t_kms k;
	pthread_t th;
	unsigned int i;
	int r;

	kmscap_t_create_or_die(ctl, w, h, 240000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	for (i = 0; i < 2; i++) {
		kmscap_t_buf_create_or_die(k.fd, w, h, DRM_FORMAT_XRGB8888, &buf[i]);
		memset(buf[i].map, 0x30 + i, buf[i].size);
	}
	r = kmscap_t_modeset(&k, buf[1].fb_id);
	if (r)
		kmscap_t_fail("card%u: modeset %ux%u: %s", c.card_minor, w, h, kmscap_t_errname(r));
	if (kmscap_method_auto(m)) {
		struct kmscap_attach at = { .display_id = c.id, .hold_timeout_ns = 5000000000ull,
					    .flags = KMSCAP_ATTACH_AUTO_RELEASE };

		run.cl = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
		if (run.cl < 0)
			kmscap_t_fail("open %s: %s", KMSCAP_T_CTL, strerror(errno));
		r = kmscap_t_ioctl(run.cl, KMSCAP_IOC_ATTACH, &at);
		if (r)
			kmscap_t_fail("%s: ATTACH display %u with KMSCAP_ATTACH_AUTO_RELEASE: %s",
				      KMSCAP_T_CTL, c.id, kmscap_t_errname(r));
	} else if (m == M_RING) {
		run.cl = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
		if (run.cl < 0)
			kmscap_t_fail("open %s: %s", KMSCAP_T_CTL, strerror(errno));
		r = kmscap_framering_attach(&run.fr, run.cl, c.id, 4, 5000000000ull);
		if (r)
			kmscap_t_fail("%s: ATTACH display %u with a frame ring, and its mapping: %s",
				      KMSCAP_T_CTL, c.id, kmscap_t_errname(r));
	} else {
		run.cl = kmscap_t_client_or_die(c.id, 0, 5000000000ull);
	}
	run.drm_fd = kmscap_t_open_card(c.card_minor);
	if (run.drm_fd < 0)
		kmscap_t_fail("second open of card%u: %s", c.card_minor,
			      kmscap_t_errname(run.drm_fd));
	drmSetClientCap(run.drm_fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	run.plane_id = k.primary_id;
	run.t_flip = calloc(frames, sizeof(uint64_t));
	run.t_wake = calloc(frames, sizeof(uint64_t));
	run.cpu = calloc(frames, sizeof(uint64_t));
	run.wall = calloc(frames, sizeof(uint64_t));
	run.sys = calloc(frames, sizeof(uint64_t));
	run.cpu_wait = calloc(frames, sizeof(uint64_t));
	/* Allocated here: a malloc() in the loop may be an mmap() there. */
	run.copy_size = (size_t)buf[0].pitch * h;
	run.copy = m == M_COPY ? malloc(run.copy_size) : NULL;
	if (m == M_COPY && !run.copy)
		kmscap_t_fail("out of memory");
	if (!run.t_flip || !run.t_wake || !run.cpu || !run.wall || !run.sys || !run.cpu_wait)
		kmscap_t_fail("out of memory");
	if (pthread_create(&th, NULL, kmscap_capture, &run))
		kmscap_t_fail("pthread_create failed");
	for (i = 0; i < frames && !run.err[0]; i++) {
		r = kmscap_t_page_flip(&k, buf[i & 1].fb_id);
		run.t_flip[i] = kmscap_t_now_ns();
		if (!r)
			r = kmscap_t_wait_flip(&k, 10000);
		if (r)
			kmscap_t_fail("%ux%u %s: flip %u: %s", w, h, kmscap_method_name[m], i,
				      kmscap_t_errname(r));
	}
	pthread_join(th, NULL);
	if (run.err[0])
		kmscap_t_fail("%ux%u %s: capture: %s", w, h, kmscap_method_name[m], run.err);
	res.frames = run.done;
	{
		uint64_t cpu_sum = 0, wall_sum = 0;

		for (i = 0; i < run.done; i++) {
			cpu_sum += run.cpu[i];
			wall_sum += run.wall[i];
		}
		res.cpu_us = cpu_sum / 1000.0 / run.done;
		res.wall_us = wall_sum / 1000.0 / run.done;
		for (i = 0; i < run.done; i++)
			res.sys_total += run.sys[i];
		res.sys_mean = (double)res.sys_total / run.done;
		kmscap_t_sort_u64(run.sys, run.done);
		res.sys_p50 = run.sys[run.done / 2];
		kmscap_t_sort_u64(run.cpu_wait, run.done);
		res.cpu_wait_p50_us = run.cpu_wait[run.done / 2] / 1000.0;
		kmscap_t_sort_u64(run.cpu, run.done);
		kmscap_t_sort_u64(run.wall, run.done);
		res.cpu_p50_us = run.cpu[run.done / 2] / 1000.0;
		res.wall_p50_us = run.wall[run.done / 2] / 1000.0;
	}
	res.release_failed = run.ring.failed;
	res.kicks = run.kicks;
	if (run.ring.failed)
		printf("kmscap-bench: %ux%u kmscap-uring: %llu releases failed, the last with %s\n",
		       w, h, (unsigned long long)run.ring.failed,
		       kmscap_t_errname(run.ring.failed_res));
	if (m == M_KMSCAP || kmscap_method_auto(m) || m == M_URING || m == M_RING) {
		int64_t *lat = calloc(frames, sizeof(int64_t));
		unsigned int n = 0;

		for (i = 0; i < frames; i++)
			if (run.t_wake[i] && run.t_flip[i])
				lat[n++] = (int64_t)(run.t_wake[i] - run.t_flip[i]);
		qsort(lat, n, sizeof(*lat), kmscap_cmp_i64);
		if (n) {
			res.lat_p50_us = lat[n / 2] / 1000.0;
			res.lat_p99_us = lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1000.0;
		}
		free(lat);
	}
	free(run.t_flip);
	free(run.t_wake);
	free(run.cpu);
	free(run.wall);
	free(run.sys);
	free(run.cpu_wait);
	if (check)
		printf("kmscap-bench-syscalls %s tid %d calls %llu frames %u fd %d "
		       "failed-releases %llu kicks %llu\n", kmscap_method_name[m], (int)run.tid,
		       (unsigned long long)run.nsys, run.done, run.cl,
		       (unsigned long long)run.ring.failed, (unsigned long long)run.kicks);
	close(run.drm_fd);
	close(run.cl);
	for (i = 0; i < 2; i++)
		kmscap_t_buf_destroy(&buf[i]);
	kmscap_t_kms_close(&k);
	r = kmscap_t_destroy(ctl, c.id);
	if (r)
		kmscap_t_fail("DESTROY %u: %s", c.id, kmscap_t_errname(r));
	return res;
}

/* The kmscap path at 1080p without and with kmscap-top, alternately. */
static void kmscap_bench_top(int ctl, const char *top, unsigned int frames, FILE *csv)
{
	const char *out = access("/out", W_OK) ? "/dev/null" : "/out/kmscap-top-bench.json";
	struct kmscap_result r[2][2];
	double top_us[2] = { 0 }, cpu[2], lat[2], idle_us;
	unsigned int run, on;
	uint64_t c0, t0;
	pid_t pid;

	/* What kmscap-top costs with nothing to trace, for comparison. */
	pid = kmscap_top_start(top, "/dev/null");
	c0 = kmscap_task_cpu_ns(pid);
	t0 = kmscap_t_now_ns();
	kmscap_t_sleep_ms(2000);
	idle_us = (kmscap_task_cpu_ns(pid) - c0) / 1000.0 / ((kmscap_t_now_ns() - t0) / 1e9);
	kill(pid, SIGINT);
	if (kmscap_t_wait_child(pid))
		kmscap_t_fail("%s did not exit cleanly on SIGINT", top);

	for (run = 0; run < 2; run++) {
		for (on = 0; on < 2; on++) {
			pid = 0;
			c0 = 0;
			if (on) {
				pid = kmscap_top_start(top, out);
				c0 = kmscap_task_cpu_ns(pid);
			}
			r[on][run] = kmscap_bench_one(ctl, 1920, 1080, M_KMSCAP, frames);
			if (on) {
				top_us[run] = (kmscap_task_cpu_ns(pid) - c0) / 1000.0 / frames;
				kill(pid, SIGINT);
				if (kmscap_t_wait_child(pid))
					kmscap_t_fail("%s did not exit cleanly on SIGINT", top);
			}
			printf("  1080p  kmscap %-14s cpu p50 %9.1f mean %9.1f us/frame   wake-up "
			       "lat p50 %9.1f us\n", on ? "+ kmscap-top" : "", r[on][run].cpu_p50_us,
			       r[on][run].cpu_us, r[on][run].lat_p50_us);
		}
	}
	for (on = 0; on < 2; on++) {
		cpu[on] = (r[on][0].cpu_p50_us + r[on][1].cpu_p50_us) / 2;
		lat[on] = (r[on][0].lat_p50_us + r[on][1].lat_p50_us) / 2;
	}
	printf("\nkmscap-top attached (%s --json --interval 1), 1080p, kmscap path, mean of two "
	       "runs each:\n", top);
	printf("%-16s %14s %14s %18s\n", "", "cpu p50 us", "lat p50 us", "kmscap-top us/frame");
	printf("%-16s %14.1f %14.1f %18s\n", "without", cpu[0], lat[0], "-");
	printf("%-16s %14.1f %14.1f %18.1f\n", "with kmscap-top", cpu[1], lat[1],
	       (top_us[0] + top_us[1]) / 2);
	printf("ratio with/without: capture cpu p50 %.2f, wake-up latency p50 %.2f\n",
	       cpu[1] / cpu[0], lat[0] > 0 ? lat[1] / lat[0] : 0.0);
	printf("kmscap-top with nothing to trace: %.1f us of CPU per second\n", idle_us);
	printf("csv-top,case,cpu_p50_us,latency_p50_us,kmscap_top_us_per_frame\n");
	printf("csv-top,without,%.2f,%.2f,\n", cpu[0], lat[0]);
	printf("csv-top,with,%.2f,%.2f,%.2f\n", cpu[1], lat[1], (top_us[0] + top_us[1]) / 2);
	if (csv) {
		fprintf(csv, "1080p,1920,1080,kmscap-no-top,%u,%.2f,,,,%.2f,,,,\n", frames, cpu[0],
			lat[0]);
		fprintf(csv, "1080p,1920,1080,kmscap+top,%u,%.2f,,,,%.2f,,,,\n", frames, cpu[1],
			lat[1]);
	}
}

/* @a's median CPU over @b's, or 0 when @b did not run. */
static double kmscap_ratio(const struct kmscap_result *a, const struct kmscap_result *b)
{
	return b->skipped || !b->cpu_p50_us ? 0.0 : a->cpu_p50_us / b->cpu_p50_us;
}

/* The same for the CPU with the wait. */
static double kmscap_wait_ratio(const struct kmscap_result *a, const struct kmscap_result *b)
{
	return b->skipped || !b->cpu_wait_p50_us ? 0.0 : a->cpu_wait_p50_us / b->cpu_wait_p50_us;
}

/* The tables and the CSV of the seven methods at every resolution. */
static void kmscap_bench_report(struct kmscap_result res[NRES][M_COUNT], FILE *csv)
{
	unsigned int i, m;
	bool goal = true;

	printf("\nper-frame CPU time of the capture side, median, us; system calls per frame, "
	       "median (mean):\n");
	printf("%-6s %-9s %8s %8s %8s %8s %8s %8s %8s | %10s %10s %10s %10s %10s %10s %10s | "
	       "%8s %8s %8s %8s %8s | %9s %9s\n", "res", "size", "kmscap", "k-auto", "copy",
	       "getfb2", "k-a-poll", "k-uring", "k-ring", "sys kmscap", "sys k-auto", "sys copy",
	       "sys getfb2", "sys k-a-p", "sys k-ur", "sys k-ring", "g2/kms", "g2/auto", "g2/a-p",
	       "g2/uring", "g2/ring", "lat p50", "lat p99");
	for (i = 0; i < NRES; i++) {
		const struct kmscap_result *r = res[i];
		double best = r[M_KMSCAP].cpu_p50_us;

		for (m = 0; m < M_COUNT; m++)
			if (m != M_COPY && m != M_GETFB2 && !r[m].skipped &&
			    r[m].cpu_p50_us < best)
				best = r[m].cpu_p50_us;
		if (r[M_GETFB2].cpu_p50_us < 5 * best)
			goal = false;
		printf("%-6s %4ux%-4u %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f |",
		       kmscap_res[i].name, kmscap_res[i].w, kmscap_res[i].h, r[M_KMSCAP].cpu_p50_us,
		       r[M_AUTO].cpu_p50_us, r[M_COPY].cpu_p50_us, r[M_GETFB2].cpu_p50_us,
		       r[M_AUTO_POLL].cpu_p50_us, r[M_URING].cpu_p50_us, r[M_RING].cpu_p50_us);
		for (m = 0; m < M_COUNT; m++)
			printf(" %3llu (%4.2f)", (unsigned long long)r[m].sys_p50, r[m].sys_mean);
		printf(" | %8.2f %8.2f %8.2f %8.2f %8.2f | %9.1f %9.1f\n",
		       r[M_GETFB2].cpu_p50_us / r[M_KMSCAP].cpu_p50_us,
		       kmscap_ratio(&r[M_GETFB2], &r[M_AUTO]),
		       kmscap_ratio(&r[M_GETFB2], &r[M_AUTO_POLL]),
		       kmscap_ratio(&r[M_GETFB2], &r[M_URING]),
		       kmscap_ratio(&r[M_GETFB2], &r[M_RING]),
		       r[M_KMSCAP].lat_p50_us, r[M_KMSCAP].lat_p99_us);
	}
	printf("(kmscap: poll + read + RELEASE; k-auto = kmscap-auto: one blocking read with "
	       "KMSCAP_ATTACH_AUTO_RELEASE, its CPU includes going to sleep and waking up; "
	       "k-a-poll = kmscap-auto-poll: poll, then one read with auto-release, the poll "
	       "being the wait as for kmscap; k-uring = kmscap-uring: one io_uring_enter() "
	       "releasing the frame held and waiting for the READ of the next (linked to a "
	       "POLL_ADD), its CPU includes going to sleep and waking up as k-auto's; "
	       "k-ring = kmscap-ring: poll, then the frame taken from and given back to the "
	       "frame ring without a system call (RELEASE 0 only when a flip waits for it), "
	       "the poll being the wait; getfb2's calls include its trigger, poll + read + RELEASE of a kmscap event, "
	       "not its CPU; g2/kms, g2/auto, g2/a-p, g2/uring, g2/ring: getfb2 cpu / kmscap, "
	       "/ kmscap-auto, / kmscap-auto-poll, / kmscap-uring, / kmscap-ring cpu; latency: "
	       "flip ioctl return -> capture thread wake-up, kmscap path; negative = woken "
	       "before the ioctl returned)\n");
	printf("\nthe same with the wait: CPU of the capture thread from before its poll() (or "
	       "kmscap-auto's read, kmscap-uring's io_uring_enter) to the end of the work, "
	       "median, us (getfb2: with its trigger):\n");
	printf("%-6s %-9s %8s %8s %8s %8s %8s %8s %8s | %8s %8s %8s %8s\n", "res", "size",
	       "kmscap", "k-auto", "copy", "getfb2", "k-a-poll", "k-uring", "k-ring", "kms/auto",
	       "g2/a-p", "g2/uring", "g2/ring");
	for (i = 0; i < NRES; i++) {
		const struct kmscap_result *r = res[i];

		printf("%-6s %4ux%-4u %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f | %8.2f %8.2f %8.2f "
		       "%8.2f\n", kmscap_res[i].name, kmscap_res[i].w, kmscap_res[i].h,
		       r[M_KMSCAP].cpu_wait_p50_us, r[M_AUTO].cpu_wait_p50_us,
		       r[M_COPY].cpu_wait_p50_us, r[M_GETFB2].cpu_wait_p50_us,
		       r[M_AUTO_POLL].cpu_wait_p50_us, r[M_URING].cpu_wait_p50_us,
		       r[M_RING].cpu_wait_p50_us, kmscap_wait_ratio(&r[M_KMSCAP], &r[M_AUTO]),
		       kmscap_wait_ratio(&r[M_GETFB2], &r[M_AUTO_POLL]),
		       kmscap_wait_ratio(&r[M_GETFB2], &r[M_URING]),
		       kmscap_wait_ratio(&r[M_GETFB2], &r[M_RING]));
	}
	printf("goal: kmscap's fastest path at least 5x below getfb2 at every resolution: %s; "
	       "system calls per frame (median): kmscap-auto %llu, kmscap-auto-poll %llu (its "
	       "poll, the wait, and one read), kmscap-uring %llu (its io_uring_enter), "
	       "kmscap-ring %llu (its poll, the wait; %.2f mean)\n",
	       goal ? "met" : "NOT met", (unsigned long long)res[0][M_AUTO].sys_p50,
	       (unsigned long long)res[0][M_AUTO_POLL].sys_p50,
	       (unsigned long long)res[0][M_URING].sys_p50,
	       (unsigned long long)res[0][M_RING].sys_p50, res[0][M_RING].sys_mean);
	for (i = 0; i < NRES; i++)
		if (res[i][M_URING].release_failed)
			printf("kmscap-uring at %s: %llu releases failed (completions posted "
			       "despite IOSQE_CQE_SKIP_SUCCESS)\n", kmscap_res[i].name,
			       (unsigned long long)res[i][M_URING].release_failed);

	printf("\ncsv,resolution,width,height,method,frames,cpu_p50_us,cpu_mean_us,wall_p50_us,"
	       "wall_mean_us,latency_p50_us,latency_p99_us,syscalls_p50,syscalls_mean,"
	       "cpu_wait_p50_us\n");
	if (csv)
		fprintf(csv, "resolution,width,height,method,frames,cpu_p50_us,cpu_mean_us,"
			"wall_p50_us,wall_mean_us,latency_p50_us,latency_p99_us,syscalls_p50,"
			"syscalls_mean,cpu_wait_p50_us\n");
	for (i = 0; i < NRES; i++) {
		for (m = 0; m < M_COUNT; m++) {
			const struct kmscap_result *x = &res[i][m];
			char lat[64] = ",", line[320];

			if (x->skipped)
				continue;
			if (m == M_KMSCAP || kmscap_method_auto(m) || m == M_URING || m == M_RING)
				snprintf(lat, sizeof(lat), "%.2f,%.2f", x->lat_p50_us,
					 x->lat_p99_us);
			snprintf(line, sizeof(line), "%s,%u,%u,%s,%u,%.2f,%.2f,%.2f,%.2f,%s,%llu,%.2f,%.2f",
				 kmscap_res[i].name, kmscap_res[i].w, kmscap_res[i].h,
				 kmscap_method_name[m], x->frames, x->cpu_p50_us, x->cpu_us,
				 x->wall_p50_us, x->wall_us, lat, (unsigned long long)x->sys_p50,
				 x->sys_mean, x->cpu_wait_p50_us);
			printf("csv,%s\n", line);
			if (csv)
				fprintf(csv, "%s\n", line);
		}
	}

	printf("\nratio kmscap cpu 2160p / 720p (median): %.2f (9x the pixels)\n",
	       res[NRES - 1][M_KMSCAP].cpu_p50_us / res[0][M_KMSCAP].cpu_p50_us);
	printf("ratio copy / kmscap cpu at 2160p (median): %.1f\n",
	       res[NRES - 1][M_COPY].cpu_p50_us / res[NRES - 1][M_KMSCAP].cpu_p50_us);
	for (i = 0; i < NRES; i++)
		printf("ratio getfb2 / kmscap cpu at %s (median): %.2f; getfb2 / kmscap-auto: "
		       "%.2f; getfb2 / kmscap-auto-poll: %.2f; getfb2 / kmscap-uring: %.2f "
		       "(with the wait: %.2f); getfb2 / kmscap-ring: %.2f (with the wait: %.2f, "
		       "%llu RELEASE 0)\n", kmscap_res[i].name,
		       res[i][M_GETFB2].cpu_p50_us / res[i][M_KMSCAP].cpu_p50_us,
		       kmscap_ratio(&res[i][M_GETFB2], &res[i][M_AUTO]),
		       kmscap_ratio(&res[i][M_GETFB2], &res[i][M_AUTO_POLL]),
		       kmscap_ratio(&res[i][M_GETFB2], &res[i][M_URING]),
		       kmscap_wait_ratio(&res[i][M_GETFB2], &res[i][M_URING]),
		       kmscap_ratio(&res[i][M_GETFB2], &res[i][M_RING]),
		       kmscap_wait_ratio(&res[i][M_GETFB2], &res[i][M_RING]),
		       (unsigned long long)res[i][M_RING].kicks);
}

int main(int argc, char **argv)
{
	struct kmscap_result res[NRES][M_COUNT];
	unsigned int frames = 120, nres = NRES;
	struct kmscap_version v;
	const char *top = NULL;
	bool have_auto, have_uring, have_ring;
	unsigned int i, m;
	FILE *csv = NULL;
	int ctl;

	kmscap_t_init("kmscap-bench", 0);
	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strncmp(argv[i], "top=", 4))
			top = argv[i] + 4;
		else if (!strcmp(argv[i], "check"))
			check = true;
		else
			frames = (unsigned int)atoi(argv[i]);
	}
	if (top && access(top, X_OK)) {
		printf("kmscap-bench: %s: %s: no kmscap-top overhead case\n", top, strerror(errno));
		top = NULL;
	}
	if (frames < 10)
		frames = 10;
	ctl = kmscap_t_open_ctl_or_skip();
	if (kmscap_t_version(ctl, &v))
		v.caps = 0;
	have_auto = v.caps & KMSCAP_CAP_AUTO_RELEASE;
	if (!have_auto)
		printf("kmscap-bench: the module has no KMSCAP_CAP_AUTO_RELEASE (ABI 1.3): no "
		       "kmscap-auto and kmscap-auto-poll cases\n");
	have_uring = kmscap_capring_usable(v.caps);
	have_ring = v.caps & KMSCAP_CAP_FRAME_RING;
	if (!have_ring)
		printf("kmscap-bench: the module has no KMSCAP_CAP_FRAME_RING (ABI 1.6): no "
		       "kmscap-ring case\n");
	if (check)
		nres = 1;	/* the system call counts, for the bench_syscalls selftest */
	else if (!access("/out", W_OK))
		csv = fopen("/out/kmscap-bench.csv", "we");
	printf("kmscap-bench: %u frames per case; cpu = CLOCK_THREAD_CPUTIME_ID of the capture "
	       "thread around the per-frame work (the wait excluded, but for kmscap-auto and "
	       "kmscap-uring, whose wait is their one read or io_uring_enter), wall = "
	       "CLOCK_MONOTONIC of the same work (kmscap-auto, -uring: after that call); p50 = "
	       "median, mean includes first-use exports; system calls: every one the capture "
	       "thread makes per frame, the wait included\n", frames);
	memset(res, 0, sizeof(res));
	for (i = 0; i < nres; i++) {
		for (m = 0; m < M_COUNT; m++) {
			if ((kmscap_method_auto(m) && !have_auto) || (m == M_URING && !have_uring) ||
			    (m == M_RING && !have_ring)) {
				res[i][m].skipped = true;
				continue;
			}
			res[i][m] = kmscap_bench_one(ctl, kmscap_res[i].w, kmscap_res[i].h, m,
						     frames);
			printf("  %-6s %-11s cpu p50 %9.1f mean %9.1f us/frame   wall p50 %9.1f "
			       "mean %9.1f us/frame   syscalls p50 %llu mean %.2f\n",
			       kmscap_res[i].name, kmscap_method_name[m], res[i][m].cpu_p50_us,
			       res[i][m].cpu_us, res[i][m].wall_p50_us, res[i][m].wall_us,
			       (unsigned long long)res[i][m].sys_p50, res[i][m].sys_mean);
		}
	}
	if (check) {
		close(ctl);
		return 0;
	}
	kmscap_bench_report(res, csv);
	if (top) {
		printf("\n");
		kmscap_bench_top(ctl, top, frames, csv);
	}
	if (csv)
		fclose(csv);
	close(ctl);
	return 0;
}
