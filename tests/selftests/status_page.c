// SPDX-License-Identifier: MIT
/*
 * status_page: the client's status page (ABI 1.5, KMSCAP_CAP_STATUS_PAGE),
 * struct kmscap_client_status mapped read-only from a /dev/kmscap file:
 *
 *  1. one page at offset 0, PROT_READ, MAP_SHARED maps, all zero;
 *     PROT_WRITE and PROT_EXEC are -EPERM, mprotect() to writable fails
 *     (EACCES), another offset or length is -EINVAL;
 *  2. a frame read and then revoked by DIRTYFB is noted (revokes 1, its
 *     seq in slot 0) before the DIRTYFB call returns, and RELEASE of it
 *     says -ESTALE; a frame revoked by its hold timeout when the next flip
 *     takes its buffer is noted before that flip completes;
 *  3. frames dropped unread (their hold timeout expired in the queue) are
 *     not revocations of read frames: the count stays;
 *  4. 40 revocations: revokes 40, the last 32 seqs in their slots;
 *  5. the mapping outlives close() of the file and the display's
 *     destruction, which revokes the frame still held.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "kmscap_test.h"

#define N_MANY	40

static struct kmscap_t_kms k;
static struct kmscap_t_buf b[2];
static long page;

static void *kmscap_map(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	return p == MAP_FAILED ? NULL : p;
}

/* Case 1: what maps and what does not. */
static const volatile struct kmscap_client_status *kmscap_case_map(int cl)
{
	const unsigned char *bytes;
	void *p;
	long i;

	p = kmscap_map(cl, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	KT_ASSERT(!p && errno == EPERM, "a writable mapping: %s, expected EPERM",
		  p ? "mapped" : strerror(errno));
	p = kmscap_map(cl, (size_t)page, PROT_READ | PROT_EXEC, MAP_SHARED, 0);
	KT_ASSERT(!p && errno == EPERM, "an executable mapping: %s, expected EPERM",
		  p ? "mapped" : strerror(errno));
	p = kmscap_map(cl, (size_t)page, PROT_READ, MAP_SHARED, page);
	KT_ASSERT(!p && errno == EINVAL, "a mapping at offset %ld: %s, expected EINVAL", page,
		  p ? "mapped" : strerror(errno));
	p = kmscap_map(cl, 2 * (size_t)page, PROT_READ, MAP_SHARED, 0);
	KT_ASSERT(!p && errno == EINVAL, "a mapping of two pages: %s, expected EINVAL",
		  p ? "mapped" : strerror(errno));
	p = kmscap_map(cl, (size_t)page, PROT_READ, MAP_SHARED, 0);
	KT_ASSERT(p, "mmap of the status page: %s", strerror(errno));
	KT_ASSERT(mprotect(p, (size_t)page, PROT_READ | PROT_WRITE) && errno == EACCES,
		  "mprotect of the status page to writable: %s, expected EACCES",
		  errno == EACCES ? "?" : strerror(errno));
	bytes = p;
	for (i = 0; i < page; i++)
		KT_ASSERT(!bytes[i], "byte %ld of a new status page is 0x%02x", i, bytes[i]);
	kmscap_t_log("mappings refused and made: ok");
	return p;
}

static uint32_t kmscap_revokes(const volatile struct kmscap_client_status *st)
{
	return __atomic_load_n(&st->revokes, __ATOMIC_ACQUIRE);
}

static struct kmscap_event kmscap_read_or_die(int cl, const char *what)
{
	struct kmscap_event ev;
	int r = kmscap_t_read_event(cl, &ev, 3000);

	KT_ASSERT(r == 1 && ev.type == KMSCAP_EVENT_FRAME, "%s: read: %d", what, r);
	return ev;
}

/* Case 4 (and the DIRTYFB half of 2): @n frames read, each revoked by DIRTYFB. */
static void kmscap_dirty_revokes(int cl, const volatile struct kmscap_client_status *st,
				 unsigned int n, uint64_t *seqs, const char *what)
{
	drmModeClip clip = { 0, 0, 16, 16 };
	struct kmscap_event f = kmscap_read_or_die(cl, what), d;
	uint32_t before = kmscap_revokes(st);
	unsigned int i;
	int r;

	for (i = 0; i < n; i++) {
		r = drmModeDirtyFB(k.fd, b[0].fb_id, &clip, 1);
		KT_ASSERT(!r, "%s: drmModeDirtyFB: %s", what, strerror(errno));
		/* noted before DIRTYFB returned */
		KT_ASSERT(kmscap_revokes(st) == before + i + 1,
			  "%s: after DIRTYFB %u, revokes %u, expected %u", what, i + 1,
			  kmscap_revokes(st), before + i + 1);
		seqs[i] = f.seq;
		KT_EXPECT_RET(kmscap_t_release(cl, f.seq), -ESTALE, "RELEASE of a revoked frame");
		d = kmscap_read_or_die(cl, what);
		f = d;
	}
	KT_EXPECT_RET(kmscap_t_release(cl, f.seq), 0, "RELEASE of the last DIRTYFB frame");
}

int main(void)
{
	const volatile struct kmscap_client_status *st;
	struct kmscap_client_stats stats;
	struct kmscap_display_create c;
	uint64_t seqs[N_MANY], held_seq;
	struct kmscap_event ev;
	unsigned int i;
	uint32_t n;
	int ctl, cl, r;

	kmscap_t_init("status_page", 120);
	page = sysconf(_SC_PAGESIZE);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_require_cap(ctl, KMSCAP_CAP_STATUS_PAGE, "KMSCAP_CAP_STATUS_PAGE");
	KT_ASSERT(sizeof(struct kmscap_client_status) <= (size_t)page,
		  "struct kmscap_client_status is %zu bytes, a page %ld",
		  sizeof(struct kmscap_client_status), page);

	kmscap_t_display_up(ctl, 640, 480, &c, &k, b, 2, 1);

	/* 1 */
	cl = kmscap_t_client_or_die(c.id, 0, 50000000ull);
	st = kmscap_case_map(cl);

	/* 2: DIRTYFB */
	KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 3000), 0, "flip to buffer 0");
	kmscap_dirty_revokes(cl, st, 1, seqs, "DIRTYFB");
	KT_ASSERT(st->revoked_seq[0] == seqs[0], "slot 0 holds %llu, the revoked frame is %llu",
		  (unsigned long long)st->revoked_seq[0], (unsigned long long)seqs[0]);
	/* 2: hold timeout, when the flip to buffer 1 takes buffer 0 off the screen */
	KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 3000), 0, "flip to buffer 0");
	ev = kmscap_read_or_die(cl, "hold timeout");
	r = kmscap_t_page_flip(&k, b[1].fb_id);
	KT_ASSERT(!r, "flip to buffer 1: %s", kmscap_t_errname(r));
	r = kmscap_t_wait_flip(&k, 5000);
	KT_ASSERT(!r, "the flip waiting for a hold never completed: %s", kmscap_t_errname(r));
	n = kmscap_revokes(st);
	KT_ASSERT(n == 2 && st->revoked_seq[1] == ev.seq,
		  "after a hold timeout: revokes %u slot 1 %llu, expected 2 and %llu", n,
		  (unsigned long long)st->revoked_seq[1], (unsigned long long)ev.seq);
	KT_EXPECT_RET(kmscap_t_release(cl, ev.seq), -ESTALE, "RELEASE after the hold timeout");
	KT_EXPECT_RET(kmscap_t_drain(cl, 300), 1, "the frame of the flip to buffer 1");
	kmscap_t_log("DIRTYFB and hold timeout revocations noted: ok");

	/* 3: unread frames whose hold timeout expires: dropped, not revoked */
	r = kmscap_t_stats(cl, &stats);
	KT_ASSERT(!r, "STATS: %s", kmscap_t_errname(r));
	held_seq = stats.dropped_timeout;
	for (i = 0; i < 3; i++)
		KT_EXPECT_RET(kmscap_t_flip(&k, b[i % 2].fb_id, 5000), 0, "flip, unread");
	r = kmscap_t_stats(cl, &stats);
	KT_ASSERT(!r, "STATS: %s", kmscap_t_errname(r));
	KT_ASSERT(stats.dropped_timeout > held_seq, "3 unread flips with a 50 ms hold dropped "
		  "none at the timeout (dropped_timeout %llu)",
		  (unsigned long long)stats.dropped_timeout);
	KT_ASSERT(kmscap_revokes(st) == 2, "frames dropped unread counted as revocations: %u",
		  kmscap_revokes(st));
	kmscap_t_drain(cl, 300);
	kmscap_t_log("unread drops are not revocations: ok");

	/* 4: wrap around */
	KT_EXPECT_RET(kmscap_t_flip(&k, b[0].fb_id, 3000), 0, "flip to buffer 0");
	kmscap_dirty_revokes(cl, st, N_MANY, seqs, "many");
	n = kmscap_revokes(st);
	KT_ASSERT(n == 2 + N_MANY, "revokes %u, expected %u", n, 2 + N_MANY);
	for (i = N_MANY - KMSCAP_STATUS_REVOKED; i < N_MANY; i++)
		KT_ASSERT(st->revoked_seq[(2 + i) % KMSCAP_STATUS_REVOKED] == seqs[i],
			  "revocation %u: slot %u holds %llu, expected %llu", 2 + i,
			  (2 + i) % KMSCAP_STATUS_REVOKED,
			  (unsigned long long)st->revoked_seq[(2 + i) % KMSCAP_STATUS_REVOKED],
			  (unsigned long long)seqs[i]);
	KT_ASSERT(!st->pad, "pad is %u", st->pad);
	kmscap_t_log("%u revocations, the last %u kept: ok", N_MANY, KMSCAP_STATUS_REVOKED);

	/* 5: a frame still held when the display goes; then the file closes */
	KT_EXPECT_RET(kmscap_t_flip(&k, b[1].fb_id, 3000), 0, "flip to buffer 1");
	ev = kmscap_read_or_die(cl, "held at destroy");
	kmscap_t_buf_destroy(&b[0]);
	kmscap_t_buf_destroy(&b[1]);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	n = kmscap_revokes(st);
	KT_ASSERT(n == 3 + N_MANY && st->revoked_seq[(n - 1) % KMSCAP_STATUS_REVOKED] == ev.seq,
		  "after DESTROY: revokes %u, last slot %llu; expected %u and %llu", n,
		  (unsigned long long)st->revoked_seq[(n - 1) % KMSCAP_STATUS_REVOKED],
		  3 + N_MANY, (unsigned long long)ev.seq);
	close(cl);
	KT_ASSERT(kmscap_revokes(st) == n, "the page changed after close: %u",
		  kmscap_revokes(st));
	KT_ASSERT(!munmap((void *)st, (size_t)page), "munmap: %s", strerror(errno));
	close(ctl);
	kmscap_t_pass("status page: mapping rules, revocations noted (DIRTYFB, timeout, "
		      "destroy), drops not, wrap-around, outlives close");
}
