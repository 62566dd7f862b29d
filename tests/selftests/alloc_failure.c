// SPDX-License-Identifier: MIT
/*
 * alloc_failure: a flip whose allocations fail never drops the protection
 * of a held frame.  With the kernel's fault injection (fail-nth: the Nth
 * slab allocation of this thread fails; the debug kernel has it, Debian's
 * has not: SKIP there), a page flip taking held buffer B away is retried
 * with the 1st, 2nd, ... allocation failing until one succeeds.  Every
 * failed flip returns a clean error and changes nothing (no event comes,
 * B stays on screen); the one that succeeds still waits for the release of
 * the frame showing B; the frame's pixels are B's throughout.  The harness
 * then checks the kernel log and kmemleak: error paths leak nothing.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 320
#define H 240
#define FAILSLAB "/sys/kernel/debug/failslab/"

static char saved_wait[8], saved_filter[8], saved_verbose[8];

static int kmscap_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int kmscap_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static void kmscap_restore_failslab(void)
{
	if (saved_wait[0])
		kmscap_write_file(FAILSLAB "ignore-gfp-wait", saved_wait);
	if (saved_filter[0])
		kmscap_write_file(FAILSLAB "cache-filter", saved_filter);
	if (saved_verbose[0])
		kmscap_write_file(FAILSLAB "verbose", saved_verbose);
}

int main(void)
{
	struct kmscap_t_buf bufs[3];
	struct kmscap_display_create c;
	struct kmscap_client_stats st;
	struct kmscap_t_maps maps;
	struct kmscap_event f;
	struct kmscap_t_kms k;
	char nth_path[64], val[32];
	unsigned int n, failed = 0, queued = 0;
	int ctl, fd, nth_fd, i, r;
	bool done = false;

	kmscap_t_init("alloc_failure", 120);
	snprintf(nth_path, sizeof(nth_path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	if (access(nth_path, W_OK))
		kmscap_t_skip("no fault injection in this kernel (%s: %s; the debug kernel has "
			      "CONFIG_FAULT_INJECTION and FAILSLAB)", nth_path, strerror(errno));
	/* Fail sleeping allocations too (GFP_KERNEL), of every cache. */
	if (kmscap_read_file(FAILSLAB "ignore-gfp-wait", saved_wait, sizeof(saved_wait)) ||
	    kmscap_read_file(FAILSLAB "cache-filter", saved_filter, sizeof(saved_filter)) ||
	    kmscap_read_file(FAILSLAB "verbose", saved_verbose, sizeof(saved_verbose)))
		kmscap_t_skip("no %s (CONFIG_FAILSLAB, debugfs)", FAILSLAB);
	atexit(kmscap_restore_failslab);
	/* Quiet: an injected failure is no report (its stack dump would be one). */
	KT_ASSERT(!kmscap_write_file(FAILSLAB "ignore-gfp-wait", "N") &&
		  !kmscap_write_file(FAILSLAB "cache-filter", "N") &&
		  !kmscap_write_file(FAILSLAB "verbose", "0"), "configuring failslab");

	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	for (i = 0; i < 3; i++) {
		kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &bufs[i]);
		kmscap_t_fill(bufs[i].map, bufs[i].pitch, W, H, 500 + i);
	}
	KT_ASSERT(!kmscap_t_atomic_modeset(&k, &bufs[0]), "modeset");
	fd = kmscap_t_client_or_die(c.id, 16, 10000000000ull);
	kmscap_t_maps_init(&maps, fd);
	nth_fd = open(nth_path, O_RDWR | O_CLOEXEC);
	KT_ASSERT(nth_fd >= 0, "open %s: %s", nth_path, strerror(errno));
	r = kmscap_t_flip(&k, bufs[1].fb_id, 10000);
	KT_ASSERT(!r, "flip to B: %s", kmscap_t_errname(r));
	r = kmscap_t_read_event(fd, &f, 5000);
	KT_ASSERT(r == 1, "frame of B: %s", kmscap_t_errname(r));
	kmscap_t_maps_get(&maps, f.buffer_id);

	/*
	 * The Nth allocation of this thread fails, for N = 1, 2, ... until
	 * the flip makes fewer than N.  A flip that still goes through (the
	 * failure was one the kernel tolerates, kmemleak's own metadata for
	 * one) must wait for the held frame all the same; then the frame is
	 * released, B goes back on screen and is held again for the next N.
	 */
	for (n = 1; n <= 400 && !done; n++) {
		struct kmscap_t_map *m = kmscap_t_maps_get(&maps, f.buffer_id);
		uint32_t seed_b = 501;

		/*
		 * fail-nth stays armed across calls until it fires: read and
		 * disarm it through an fd opened before (no allocation).
		 */
		snprintf(val, sizeof(val), "%u", n);
		KT_ASSERT(pwrite(nth_fd, val, strlen(val), 0) > 0, "writing %s: %s", nth_path,
			  strerror(errno));
		r = kmscap_t_page_flip(&k, bufs[2].fb_id);
		memset(val, 0, sizeof(val));
		KT_ASSERT(pread(nth_fd, val, sizeof(val) - 1, 0) > 0, "reading %s: %s", nth_path,
			  strerror(errno));
		KT_ASSERT(pwrite(nth_fd, "0", 1, 0) > 0, "disarming %s: %s", nth_path,
			  strerror(errno));
		done = atoi(val) != 0;	/* not fired: fewer than N allocations */
		KT_ASSERT(!kmscap_t_verify(m->ptr, bufs[0].pitch, W, H, seed_b, NULL, NULL),
			  "allocation %u failing: the held frame's pixels changed", n);
		if (r) {
			failed++;
			KT_ASSERT(r == -ENOMEM, "allocation %u failing: page flip returned %s", n,
				  kmscap_t_errname(r));
			KT_ASSERT(!done, "the flip failed (%s) with no allocation failing",
				  kmscap_t_errname(r));
			continue;
		}
		queued++;
		KT_ASSERT(kmscap_t_wait_flip(&k, 300) == -ETIMEDOUT,
			  "allocation %u %s: the flip away from the held buffer completed "
			  "before the release", n, done ? "not reached" : "failing");
		KT_EXPECT_RET(kmscap_t_release(fd, f.seq), 0,
			      "RELEASE of the held frame (not revoked)");
		r = kmscap_t_wait_flip(&k, 10000);
		KT_ASSERT(!r, "the queued flip after the release: %s", kmscap_t_errname(r));
		kmscap_t_drain(fd, 100);
		if (done)
			break;
		r = kmscap_t_flip(&k, bufs[1].fb_id, 10000);
		KT_ASSERT(!r, "flip back to B: %s", kmscap_t_errname(r));
		r = kmscap_t_read_event(fd, &f, 5000);
		KT_ASSERT(r == 1, "frame of B: %s", kmscap_t_errname(r));
	}
	KT_ASSERT(done, "the flip still made %u allocations", n - 1);
	KT_ASSERT(failed > 0, "no allocation of the flip could be made to fail");
	kmscap_t_log("allocations 1..%u of a flip failed in turn: %u flips refused with "
		     "ENOMEM, %u went through (a tolerated failure, or none)", n - 1, failed,
		     queued);
	kmscap_t_drain(fd, 200);
	KT_EXPECT_RET(kmscap_t_stats(fd, &st), 0, "STATS");
	kmscap_t_stats_check(&st, "client");
	KT_ASSERT(!st.dropped_timeout, "%llu frames revoked", (unsigned long long)st.dropped_timeout);

	kmscap_t_maps_fini(&maps);
	close(nth_fd);
	close(fd);
	for (i = 0; i < 3; i++)
		kmscap_t_buf_destroy(&bufs[i]);
	kmscap_t_kms_close(&k);
	kmscap_t_destroy(ctl, c.id);
	kmscap_t_pass("%u flips failed cleanly on an allocation failure; none dropped the "
		      "protection of the held frame", failed);
	return 0;
}
