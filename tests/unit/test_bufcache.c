// SPDX-License-Identifier: MIT
/*
 * Unit tests: the buffer id -> DMA-BUF fd cache, with an injected export
 * function that hands out memfds in place of DMA-BUFs.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmscap_check.h"
#include "libkmscap.h"

#define FAKE_MAX_ID 64

struct fake_exporter {
	int calls;
	int calls_for[FAKE_MAX_ID];
	uint32_t fail_id;
	int fail_err;
	int last_fd;
};

/* Each buffer is a memfd of 4096 * id bytes, so an fd tells its id. */
static int fake_export(void *opaque, uint32_t buffer_id, uint64_t *size)
{
	struct fake_exporter *fx = opaque;
	int fd;

	fx->calls++;
	if (buffer_id < FAKE_MAX_ID)
		fx->calls_for[buffer_id]++;
	if (buffer_id == fx->fail_id)
		return fx->fail_err;
	fd = memfd_create("kmscap-test-buffer", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, 4096 * (off_t)buffer_id) < 0) {
		close(fd);
		return -errno;
	}
	*size = 4096ULL * buffer_id;
	fx->last_fd = fd;
	return fd;
}

static int fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static int fd_is_closed(int fd)
{
	return fcntl(fd, F_GETFD) < 0 && errno == EBADF;
}

static uint64_t fd_size(int fd)
{
	struct stat st;

	ck_assert_int_eq(fstat(fd, &st), 0);
	return (uint64_t)st.st_size;
}

static struct kmscap_bufcache *new_cache(struct fake_exporter *fx, size_t max)
{
	struct kmscap_bufcache *c = NULL;
	int fd;

	/* memfd_create is the stand-in for a DMA-BUF: make sure it works here */
	fd = memfd_create("kmscap-probe", MFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	close(fd);
	memset(fx, 0, sizeof(*fx));
	ck_assert_int_eq(kmscap_bufcache_new(fake_export, fx, max, &c), 0);
	ck_assert_ptr_nonnull(c);
	return c;
}

#define NEW_CACHE(c, fx, max)							\
	do {									\
		(c) = new_cache((fx), (max));					\
		if (!(c))							\
			KMSCAP_SKIP("memfd_create() is not available");	\
	} while (0)

START_TEST(test_exports_once)
{
	struct fake_exporter fx;
	struct kmscap_bufcache *c;
	uint64_t size = 0;
	int fd1, fd2, i;

	NEW_CACHE(c, &fx, 0);
	fd1 = kmscap_bufcache_get(c, 5, &size);
	ck_assert_int_ge(fd1, 0);
	ck_assert_int_eq(fd1, fx.last_fd);
	ck_assert_uint_eq(size, 5 * 4096);
	ck_assert_uint_eq(fd_size(fd1), 5 * 4096);
	ck_assert_int_eq(fx.calls, 1);

	for (i = 0; i < 10; i++) {
		size = 0;
		fd2 = kmscap_bufcache_get(c, 5, &size);
		ck_assert_int_eq(fd2, fd1);
		ck_assert_uint_eq(size, 5 * 4096);	/* remembered, not re-exported */
	}
	ck_assert_int_eq(fx.calls, 1);
	ck_assert_uint_eq(kmscap_bufcache_count(c), 1);
	/* the cached fd is close-on-exec like the export made it */
	ck_assert_int_ne(fcntl(fd1, F_GETFD) & FD_CLOEXEC, 0);
	kmscap_bufcache_free(c);
}
END_TEST

START_TEST(test_distinct_buffers)
{
	struct fake_exporter fx;
	struct kmscap_bufcache *c;
	int fds[4], i, j;

	NEW_CACHE(c, &fx, 0);
	for (i = 0; i < 4; i++) {
		fds[i] = kmscap_bufcache_get(c, i + 1, NULL);
		ck_assert_int_ge(fds[i], 0);
		for (j = 0; j < i; j++)
			ck_assert_int_ne(fds[i], fds[j]);
	}
	ck_assert_uint_eq(kmscap_bufcache_count(c), 4);
	/* interleaved lookups return the right fd for each id */
	for (i = 3; i >= 0; i--) {
		int fd = kmscap_bufcache_get(c, i + 1, NULL);

		ck_assert_int_eq(fd, fds[i]);
		ck_assert_uint_eq(fd_size(fd), 4096ULL * (i + 1));
	}
	ck_assert_int_eq(fx.calls, 4);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(fx.calls_for[i + 1], 1);
	kmscap_bufcache_free(c);
}
END_TEST

START_TEST(test_invalidate_closes)
{
	struct fake_exporter fx;
	struct kmscap_bufcache *c;
	int fds[3], i, fd;

	NEW_CACHE(c, &fx, 0);
	for (i = 0; i < 3; i++)
		fds[i] = kmscap_bufcache_get(c, 10 + i, NULL);
	for (i = 0; i < 3; i++)
		ck_assert(fd_is_open(fds[i]));

	kmscap_bufcache_invalidate(c);
	for (i = 0; i < 3; i++)
		ck_assert_msg(fd_is_closed(fds[i]), "fd %d still open", fds[i]);
	ck_assert_uint_eq(kmscap_bufcache_count(c), 0);

	/* the next lookup exports again */
	fd = kmscap_bufcache_get(c, 10, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fx.calls_for[10], 2);
	ck_assert_int_eq(fx.calls, 4);
	kmscap_bufcache_free(c);
}
END_TEST

START_TEST(test_drop_one)
{
	struct fake_exporter fx;
	struct kmscap_bufcache *c;
	int a, b;

	NEW_CACHE(c, &fx, 0);
	a = kmscap_bufcache_get(c, 1, NULL);
	b = kmscap_bufcache_get(c, 2, NULL);
	ck_assert_int_eq(kmscap_bufcache_drop(c, 1), 0);
	ck_assert(fd_is_closed(a));
	ck_assert(fd_is_open(b));
	ck_assert_uint_eq(kmscap_bufcache_count(c), 1);
	ck_assert_int_eq(kmscap_bufcache_drop(c, 1), -ENOENT);
	ck_assert_int_eq(kmscap_bufcache_drop(c, 99), -ENOENT);
	ck_assert_int_eq(kmscap_bufcache_get(c, 2, NULL), b);
	ck_assert_int_eq(fx.calls, 2);
	kmscap_bufcache_free(c);
}
END_TEST

START_TEST(test_events_invalidate)
{
	struct fake_exporter fx;
	struct kmscap_bufcache *c;
	struct kmscap_event ev;
	int fd;

	NEW_CACHE(c, &fx, 0);

	/* an ordinary frame keeps the cache */
	fd = kmscap_bufcache_get(c, 1, NULL);
	memset(&ev, 0, sizeof(ev));
	ev.type = KMSCAP_EVENT_FRAME;
	ev.flags = KMSCAP_FRAME_FULL_DAMAGE | KMSCAP_FRAME_CURSOR_MOVED;
	ck_assert_int_eq(kmscap_bufcache_note_event(c, &ev), 0);
	ck_assert(fd_is_open(fd));
	ck_assert_uint_eq(kmscap_bufcache_count(c), 1);

	/* a mode change drops it */
	ev.flags |= KMSCAP_FRAME_NEW_MODE;
	ck_assert_int_eq(kmscap_bufcache_note_event(c, &ev), 1);
	ck_assert(fd_is_closed(fd));
	ck_assert_uint_eq(kmscap_bufcache_count(c), 0);

	/* so does a hang-up */
	fd = kmscap_bufcache_get(c, 2, NULL);
	memset(&ev, 0, sizeof(ev));
	ev.type = KMSCAP_EVENT_HANGUP;
	ck_assert_int_eq(kmscap_bufcache_note_event(c, &ev), 1);
	ck_assert(fd_is_closed(fd));
	ck_assert_uint_eq(kmscap_bufcache_count(c), 0);
	kmscap_bufcache_free(c);
}
END_TEST

START_TEST(test_export_failure)
{
	struct fake_exporter fx;
	struct kmscap_bufcache *c;
	int fd;

	NEW_CACHE(c, &fx, 0);
	fx.fail_id = 7;
	fx.fail_err = -ENOENT;
	ck_assert_int_eq(kmscap_bufcache_get(c, 7, NULL), -ENOENT);
	ck_assert_uint_eq(kmscap_bufcache_count(c), 0);
	/* a failure is not cached: the next call asks again */
	fx.fail_err = -ENOMEM;
	ck_assert_int_eq(kmscap_bufcache_get(c, 7, NULL), -ENOMEM);
	ck_assert_int_eq(fx.calls_for[7], 2);
	fx.fail_id = 0;
	fd = kmscap_bufcache_get(c, 7, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fx.calls_for[7], 3);
	kmscap_bufcache_free(c);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct fake_exporter fx;
	struct kmscap_bufcache *c = NULL;

	ck_assert_int_eq(kmscap_bufcache_new(NULL, &fx, 0, &c), -EINVAL);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(kmscap_bufcache_new(fake_export, &fx, 0, NULL), -EINVAL);
	NEW_CACHE(c, &fx, 0);
	/* buffer id 0 means "no buffer" (a blank frame): never exported */
	ck_assert_int_eq(kmscap_bufcache_get(c, 0, NULL), -EINVAL);
	ck_assert_int_eq(fx.calls, 0);
	ck_assert_int_eq(kmscap_bufcache_get(NULL, 1, NULL), -EINVAL);
	kmscap_bufcache_free(c);
	kmscap_bufcache_free(NULL);
	kmscap_bufcache_invalidate(NULL);
}
END_TEST

START_TEST(test_lru_eviction)
{
	struct fake_exporter fx;
	struct kmscap_bufcache *c;
	int a, b, d;

	NEW_CACHE(c, &fx, 2);
	a = kmscap_bufcache_get(c, 1, NULL);
	b = kmscap_bufcache_get(c, 2, NULL);
	ck_assert_int_eq(kmscap_bufcache_get(c, 1, NULL), a);	/* 1 is now the most recent */
	d = kmscap_bufcache_get(c, 3, NULL);		/* evicts 2 */
	ck_assert_int_ge(d, 0);
	ck_assert_uint_eq(kmscap_bufcache_count(c), 2);
	ck_assert(fd_is_closed(b));
	ck_assert(fd_is_open(a));
	ck_assert(fd_is_open(d));
	ck_assert_int_eq(kmscap_bufcache_get(c, 1, NULL), a);
	ck_assert_int_eq(fx.calls, 3);
	/* 2 comes back by exporting again, evicting 3 (older use than 1) */
	ck_assert_int_ge(kmscap_bufcache_get(c, 2, NULL), 0);
	ck_assert_int_eq(fx.calls_for[2], 2);
	ck_assert(fd_is_closed(d));
	ck_assert(fd_is_open(a));
	kmscap_bufcache_free(c);
}
END_TEST

START_TEST(test_free_closes)
{
	struct fake_exporter fx;
	struct kmscap_bufcache *c;
	int fds[KMSCAP_BUFCACHE_DEFAULT_MAX], i;

	NEW_CACHE(c, &fx, 0);
	for (i = 0; i < KMSCAP_BUFCACHE_DEFAULT_MAX; i++)
		fds[i] = kmscap_bufcache_get(c, i + 1, NULL);
	ck_assert_uint_eq(kmscap_bufcache_count(c), KMSCAP_BUFCACHE_DEFAULT_MAX);
	kmscap_bufcache_free(c);
	for (i = 0; i < KMSCAP_BUFCACHE_DEFAULT_MAX; i++)
		ck_assert_msg(fd_is_closed(fds[i]), "fd %d of buffer %d still open", fds[i],
			      i + 1);
}
END_TEST

static Suite *bufcache_suite(void)
{
	Suite *s = suite_create("bufcache");
	TCase *tc = tcase_create("cache");

	tcase_add_test(tc, test_exports_once);
	tcase_add_test(tc, test_distinct_buffers);
	tcase_add_test(tc, test_invalidate_closes);
	tcase_add_test(tc, test_drop_one);
	tcase_add_test(tc, test_events_invalidate);
	tcase_add_test(tc, test_export_failure);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_lru_eviction);
	tcase_add_test(tc, test_free_closes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kmscap_run_suite(bufcache_suite());
}
