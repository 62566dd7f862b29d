// SPDX-License-Identifier: MIT
/*
 * io_uring_capture: a capture client driven by io_uring instead of
 * read()/poll(): IORING_OP_POLL_ADD completes with POLLIN when a frame is
 * queued, IORING_OP_READ submitted before the flip completes with one
 * event when the frame arrives, and a READ shorter than one event
 * completes with -EINVAL.  Raw io_uring syscalls (libring), no liburing.
 * The file is a blocking one, and still io_uring needs no worker thread
 * for the pending READ: the module reads without blocking when io_uring
 * asks (FMODE_NOWAIT), so io_uring waits by polling instead of parking an
 * "iou-wrk" thread in read().
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <poll.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "libring.h"

/* io_uring worker threads of this process ("iou-wrk-PID"). */
static int kmscap_iou_workers(void)
{
	char path[300], comm[32];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/task");
	int n = 0;
	FILE *f;

	KT_ASSERT(dir, "/proc/self/task: %s", strerror(errno));
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "iou-wrk", 7))
			n++;
		fclose(f);
	}
	closedir(dir);
	return n;
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_event ev;
	struct io_uring_sqe sqe;
	struct io_uring_cqe cqe;
	struct kmscap_ring ring;
	struct kmscap_t_buf b[2];
	struct kmscap_t_kms k;
	int ctl, cl, r;

	kmscap_t_init("io_uring_capture", 100);
	ctl = kmscap_t_open_ctl_or_skip();
	r = kmscap_ring_init(&ring, 8, 0);
	if (r == -ENOSYS || r == -EPERM)
		kmscap_t_skip("io_uring_setup: %s (io_uring unavailable in this kernel)",
			      kmscap_t_errname(r));
	KT_ASSERT(!r, "io_uring_setup: %s", kmscap_t_errname(r));

	kmscap_t_display_up(ctl, 640, 480, &c, &k, b, 2, 1);
	cl = kmscap_t_client_or_die(c.id, 0, 1000000000ull);

	/* POLL_ADD completes with POLLIN once a frame is queued, not before. */
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_POLL_ADD;
	sqe.fd = cl;
	sqe.poll32_events = POLLIN;
	sqe.user_data = 1;
	kmscap_ring_submit(&ring, &sqe);
	KT_ASSERT(kmscap_ring_wait(&ring, &cqe, 300) == 0,
		  "POLL_ADD completed (res %d) with no frame queued", cqe.res);
	KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 3000), 0, "flip");
	KT_ASSERT(kmscap_ring_wait(&ring, &cqe, 3000) == 1,
		  "POLL_ADD did not complete after a flip");
	KT_ASSERT(cqe.user_data == 1 && cqe.res > 0 && (cqe.res & POLLIN),
		  "POLL_ADD completion: user_data %llu res 0x%x", (unsigned long long)cqe.user_data,
		  cqe.res);

	/* READ of the queued event. */
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_READ;
	sqe.fd = cl;
	sqe.addr = (uintptr_t)&ev;
	sqe.len = sizeof(ev);
	sqe.off = (uint64_t)-1;
	sqe.user_data = 2;
	kmscap_ring_submit(&ring, &sqe);
	KT_ASSERT(kmscap_ring_wait(&ring, &cqe, 3000) == 1,
		  "READ of a queued event did not complete");
	KT_ASSERT(cqe.user_data == 2 && cqe.res == (int)sizeof(ev),
		  "READ completion res %d (%s), expected %zu", cqe.res,
		  cqe.res < 0 ? kmscap_t_errname(cqe.res) : "bytes", sizeof(ev));
	KT_ASSERT(ev.type == KMSCAP_EVENT_FRAME && ev.display_id == c.id,
		  "event type %u display %u", ev.type, ev.display_id);
	KT_EXPECT_RET(kmscap_t_release(cl, ev.seq), 0, "RELEASE");

	/* READ submitted first, completed by the next flip. */
	memset(&ev, 0, sizeof(ev));
	sqe.user_data = 3;
	kmscap_ring_submit(&ring, &sqe);
	KT_ASSERT(kmscap_ring_wait(&ring, &cqe, 300) == 0,
		  "READ completed (res %d) with no frame queued", cqe.res);
	KT_EXPECT_RET(kmscap_t_flip(&k, b[1].fb_id, 3000), 0, "flip");
	KT_ASSERT(kmscap_ring_wait(&ring, &cqe, 3000) == 1,
		  "pending READ did not complete after a flip");
	KT_ASSERT(cqe.user_data == 3 && cqe.res == (int)sizeof(ev),
		  "pending READ completion res %d (%s)", cqe.res,
		  cqe.res < 0 ? kmscap_t_errname(cqe.res) : "bytes");
	KT_ASSERT(ev.type == KMSCAP_EVENT_FRAME && ev.display_id == c.id,
		  "event type %u display %u", ev.type, ev.display_id);
	KT_EXPECT_RET(kmscap_t_release(cl, ev.seq), 0, "RELEASE");
	KT_ASSERT(kmscap_iou_workers() == 0, "%d io_uring worker threads: the pending READ of "
		  "a blocking kmscap fd was handed to a worker that blocked in read()",
		  kmscap_iou_workers());

	/* A READ shorter than one event fails with EINVAL. */
	KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 3000), 0, "flip");
	sqe.len = sizeof(ev) / 2;
	sqe.user_data = 4;
	kmscap_ring_submit(&ring, &sqe);
	KT_ASSERT(kmscap_ring_wait(&ring, &cqe, 3000) == 1, "short READ did not complete");
	KT_ASSERT(cqe.user_data == 4 && cqe.res == -EINVAL,
		  "short READ: res %d (%s), expected EINVAL",
		  cqe.res, cqe.res < 0 ? kmscap_t_errname(cqe.res) : "bytes");
	KT_EXPECT_RET(kmscap_t_drain(cl, 0), 1, "drain after the short READ");

	kmscap_ring_fini(&ring);
	close(cl);
	kmscap_t_display_down(ctl, &c, &k, b, 2);
	close(ctl);
	kmscap_t_pass("POLL_ADD, READ of a queued event, pending READ and short READ via io_uring");
}
