// SPDX-License-Identifier: MIT
/*
 * The buffer id -> surface cache, with fake export / import functions
 * that count calls and hand out real fds (so leaks would show).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ks_test.h"

struct fake {
	unsigned int exports, imports, destroys;
	uint32_t next_handle;
	int live;			/* imported handles not destroyed */
	int fail_export, fail_import;	/* errno to return, or 0 */
	uint32_t last_exported;
};

static int fake_export(void *opaque, uint32_t id, uint64_t *size)
{
	struct fake *f = opaque;

	if (f->fail_export)
		return -f->fail_export;
	f->exports++;
	f->last_exported = id;
	*size = 4096 * id;
	return memfd_create("fake-dmabuf", MFD_CLOEXEC);
}

static int fake_import(void *opaque, int fd, uint64_t size, const struct ks_layout *lay,
		       uint32_t *h)
{
	struct fake *f = opaque;

	ck_assert_int_ge(fcntl(fd, F_GETFD), 0);
	ck_assert_uint_eq(size, 4096 * f->last_exported);
	ck_assert_uint_ne(lay->width, 0);
	if (f->fail_import)
		return -f->fail_import;
	f->imports++;
	f->live++;
	*h = ++f->next_handle;
	return 0;
}

static void fake_destroy(void *opaque, uint32_t h)
{
	struct fake *f = opaque;

	ck_assert_uint_ne(h, 0);
	f->destroys++;
	f->live--;
}

static const struct ks_import_ops fake_ops = {
	.export_buf = fake_export,
	.import = fake_import,
	.destroy = fake_destroy,
};

static const struct ks_layout lay1080 = {
	.format = 0x34325258, .width = 1920, .height = 1080, .pitch = 7680,
};

static int count_fds(void)
{
	int n = 0, fd;

	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

START_TEST(cache_imports_once)
{
	struct ks_import_cache c;
	struct fake f = { 0 };
	uint32_t h1, h2, h;
	int fds = count_fds(), i;

	ck_assert_int_eq(ks_import_cache_init(&c, &fake_ops, &f, 8), 0);
	ck_assert_int_eq(ks_import_cache_get(&c, 5, &lay1080, &h1), 0);
	ck_assert_int_eq(ks_import_cache_get(&c, 6, &lay1080, &h2), 0);
	ck_assert_uint_ne(h1, h2);
	for (i = 0; i < 100; i++) {
		ck_assert_int_eq(ks_import_cache_get(&c, i % 2 ? 5 : 6, &lay1080, &h), 0);
		ck_assert_uint_eq(h, i % 2 ? h1 : h2);
	}
	ck_assert_uint_eq(f.exports, 2);
	ck_assert_uint_eq(f.imports, 2);
	ck_assert_uint_eq(c.hits, 100);
	/* export fds are closed right after the import */
	ck_assert_int_eq(count_fds(), fds);
	ks_import_cache_fini(&c);
	ck_assert_int_eq(f.live, 0);
}
END_TEST

START_TEST(cache_layout_change_reimports)
{
	struct ks_import_cache c;
	struct fake f = { 0 };
	struct ks_layout l2 = lay1080;
	uint32_t h1, h2;

	ck_assert_int_eq(ks_import_cache_init(&c, &fake_ops, &f, 8), 0);
	ck_assert_int_eq(ks_import_cache_get(&c, 9, &lay1080, &h1), 0);
	l2.pitch = 8192;
	ck_assert_int_eq(ks_import_cache_get(&c, 9, &l2, &h2), 0);
	ck_assert_uint_ne(h1, h2);
	ck_assert_uint_eq(f.destroys, 1);
	ck_assert_uint_eq(c.count, 1);
	l2 = lay1080;
	l2.modifier = 1;
	ck_assert_int_eq(ks_import_cache_get(&c, 9, &l2, &h1), 0);
	ck_assert_uint_eq(f.imports, 3);
	ck_assert_int_eq(f.live, 1);
	ks_import_cache_fini(&c);
	ck_assert_int_eq(f.live, 0);
}
END_TEST

START_TEST(cache_lru_eviction)
{
	struct ks_import_cache c;
	struct fake f = { 0 };
	uint32_t h, id;

	ck_assert_int_eq(ks_import_cache_init(&c, &fake_ops, &f, 3), 0);
	for (id = 1; id <= 3; id++)
		ck_assert_int_eq(ks_import_cache_get(&c, id, &lay1080, &h), 0);
	/* touch 1 and 3: 2 is the least recently used */
	ck_assert_int_eq(ks_import_cache_get(&c, 1, &lay1080, &h), 0);
	ck_assert_int_eq(ks_import_cache_get(&c, 3, &lay1080, &h), 0);
	ck_assert_int_eq(ks_import_cache_get(&c, 4, &lay1080, &h), 0);
	ck_assert_uint_eq(c.evictions, 1);
	ck_assert_uint_eq(c.count, 3);
	ck_assert_int_eq(f.live, 3);
	/* 1 and 3 still cached, 2 must be imported again */
	f.imports = 0;
	ck_assert_int_eq(ks_import_cache_get(&c, 1, &lay1080, &h), 0);
	ck_assert_int_eq(ks_import_cache_get(&c, 3, &lay1080, &h), 0);
	ck_assert_uint_eq(f.imports, 0);
	ck_assert_int_eq(ks_import_cache_get(&c, 2, &lay1080, &h), 0);
	ck_assert_uint_eq(f.imports, 1);
	ks_import_cache_fini(&c);
	ck_assert_int_eq(f.live, 0);
}
END_TEST

START_TEST(cache_mode_change_drops)
{
	struct kmscap_event ev;
	struct ks_import_cache c;
	struct fake f = { 0 };
	uint32_t h;

	ck_assert_int_eq(ks_import_cache_init(&c, &fake_ops, &f, 8), 0);
	ck_assert_int_eq(ks_import_cache_get(&c, 1, &lay1080, &h), 0);
	ck_assert_int_eq(ks_import_cache_get(&c, 2, &lay1080, &h), 0);
	memset(&ev, 0, sizeof(ev));
	ev.type = KMSCAP_EVENT_FRAME;
	ev.flags = KMSCAP_FRAME_FULL_DAMAGE;
	ck_assert_int_eq(ks_import_cache_note_event(&c, &ev), 0);
	ck_assert_uint_eq(c.count, 2);
	ev.flags |= KMSCAP_FRAME_NEW_MODE;
	ck_assert_int_eq(ks_import_cache_note_event(&c, &ev), 1);
	ck_assert_uint_eq(c.count, 0);
	ck_assert_int_eq(f.live, 0);
	ck_assert_int_eq(ks_import_cache_get(&c, 1, &lay1080, &h), 0);
	ev.type = KMSCAP_EVENT_HANGUP;
	ev.flags = 0;
	ck_assert_int_eq(ks_import_cache_note_event(&c, &ev), 1);
	ck_assert_int_eq(f.live, 0);
	ks_import_cache_fini(&c);
}
END_TEST

START_TEST(cache_errors)
{
	struct ks_import_cache c;
	struct fake f = { 0 };
	int fds = count_fds();
	uint32_t h = 77;

	ck_assert_int_eq(ks_import_cache_init(&c, &fake_ops, &f, 0), -EINVAL);
	ck_assert_int_eq(ks_import_cache_init(&c, &fake_ops, &f, 4), 0);
	ck_assert_int_eq(ks_import_cache_get(&c, 0, &lay1080, &h), -EINVAL);
	f.fail_export = ENOENT;
	ck_assert_int_eq(ks_import_cache_get(&c, 1, &lay1080, &h), -ENOENT);
	f.fail_export = 0;
	f.fail_import = EOPNOTSUPP;
	ck_assert_int_eq(ks_import_cache_get(&c, 1, &lay1080, &h), -EOPNOTSUPP);
	ck_assert_uint_eq(h, 77);
	ck_assert_uint_eq(c.count, 0);
	/* the fd of the failed import is closed too */
	ck_assert_int_eq(count_fds(), fds);
	ks_import_cache_fini(&c);
}
END_TEST

Suite *ks_suite_import_cache(void)
{
	Suite *s = suite_create("import_cache");

	KS_ADD(s, cache_imports_once);
	KS_ADD(s, cache_layout_change_reimports);
	KS_ADD(s, cache_lru_eviction);
	KS_ADD(s, cache_mode_change_drops);
	KS_ADD(s, cache_errors);
	return s;
}
