// SPDX-License-Identifier: MIT
/*
 * Cursor side data (--cursor separate): when records are written, and
 * their bytes, checked against values computed here.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "ks_test.h"

#define CW 32
#define CH 24
#define CPITCH (CW * 4 + 32)

struct cur_fx {
	int memfd;
	unsigned int exports;
	int fail;
};

static int cur_export(void *opaque, uint32_t id, uint64_t *size)
{
	struct cur_fx *f = opaque;
	struct stat st;

	ck_assert_uint_eq(id, 9);
	if (f->fail)
		return -f->fail;
	f->exports++;
	fstat(f->memfd, &st);
	*size = (uint64_t)st.st_size;
	return fcntl(f->memfd, F_DUPFD_CLOEXEC, 0);
}

static uint8_t pix(unsigned int x, unsigned int y, unsigned int c, unsigned int gen)
{
	return (uint8_t)(x * 7 + y * 13 + c * 50 + gen * 3);
}

static void cur_draw(struct cur_fx *f, unsigned int gen)
{
	uint8_t *map;
	unsigned int x, y, c;

	map = mmap(NULL, CPITCH * CH, PROT_READ | PROT_WRITE, MAP_SHARED, f->memfd, 0);
	ck_assert_ptr_ne(map, MAP_FAILED);
	memset(map, 0xee, CPITCH * CH);	/* the padding must not show up */
	for (y = 0; y < CH; y++)
		for (x = 0; x < CW; x++)
			for (c = 0; c < 4; c++)
				map[y * CPITCH + x * 4 + c] = pix(x, y, c, gen);
	munmap(map, CPITCH * CH);
}

static void cur_open(struct cur_fx *f)
{
	memset(f, 0, sizeof(*f));
	f->memfd = memfd_create("ks-cursor", MFD_CLOEXEC);
	ck_assert_int_ge(f->memfd, 0);
	ck_assert_int_eq(ftruncate(f->memfd, CPITCH * CH), 0);
}

static void cur_event(struct kmscap_event *ev, uint64_t seq, int64_t x, int64_t y,
		      uint32_t flags)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = KMSCAP_EVENT_FRAME;
	ev->seq = seq;
	ev->timestamp_ns = 1000000ull * seq + 5;
	ev->flags = flags;
	ev->cursor_x = x;
	ev->cursor_y = y;
	if (flags & KMSCAP_FRAME_CURSOR_VISIBLE) {
		ev->cursor_buffer_id = 9;
		ev->cursor_format = DRM_FORMAT_ARGB8888;
		ev->cursor_width = CW;
		ev->cursor_height = CH;
		ev->cursor_hot_x = 3;
		ev->cursor_hot_y = 4;
		ev->cursor_pitch = CPITCH;
	}
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Check one record at @p; returns its total length. */
static size_t check_record(const uint8_t *p, const struct kmscap_event *ev, uint32_t flags,
			   unsigned int gen)
{
	size_t img = flags & 4 ? CW * CH * 4 : 0;
	unsigned int x, y, c;

	ck_assert_mem_eq(p, "KSCR", 4);
	ck_assert_uint_eq(p[4] | p[5] << 8, 1);
	ck_assert_uint_eq(p[6] | p[7] << 8, KS_CURSOR_HEADER);
	ck_assert_uint_eq(le64(p + 8), ev->seq);
	ck_assert_uint_eq(le64(p + 16), ev->timestamp_ns);
	ck_assert_int_eq((int32_t)le32(p + 24), (int32_t)ev->cursor_x);
	ck_assert_int_eq((int32_t)le32(p + 28), (int32_t)ev->cursor_y);
	ck_assert_uint_eq(le32(p + 40), flags);
	ck_assert_uint_eq(le32(p + 48), img);
	if (flags & 1) {
		ck_assert_uint_eq(p[32] | p[33] << 8, 3);
		ck_assert_uint_eq(p[34] | p[35] << 8, 4);
		ck_assert_uint_eq(p[36] | p[37] << 8, CW);
		ck_assert_uint_eq(p[38] | p[39] << 8, CH);
		ck_assert_uint_eq(le32(p + 44), DRM_FORMAT_ARGB8888);
	}
	p += KS_CURSOR_HEADER;
	for (y = 0; img && y < CH; y++)
		for (x = 0; x < CW; x++)
			for (c = 0; c < 4; c++)
				ck_assert_uint_eq(p[(y * CW + x) * 4 + c], pix(x, y, c, gen));
	return KS_CURSOR_HEADER + img;
}

START_TEST(cursor_records)
{
	const uint32_t vis = KMSCAP_FRAME_CURSOR_VISIBLE;
	struct kmscap_event ev[7];
	struct ks_cursor_side c;
	struct ks_buf b = { 0 };
	struct cur_fx f;
	size_t pos = 0;

	cur_open(&f);
	cur_draw(&f, 0);
	ks_cursor_init(&c, cur_export, &f);
	/* 1: first frame, visible: record with image */
	cur_event(&ev[0], 1, 100, 50, vis | KMSCAP_FRAME_FIRST);
	ck_assert_int_eq(ks_cursor_frame(&c, &ev[0], &b), 0);
	/* 2: nothing changed: no record */
	cur_event(&ev[1], 2, 100, 50, vis);
	ck_assert_int_eq(ks_cursor_frame(&c, &ev[1], &b), 0);
	/* 3: moved (to a negative position): record without image */
	cur_event(&ev[2], 3, -5, -7, vis | KMSCAP_FRAME_CURSOR_MOVED);
	ck_assert_int_eq(ks_cursor_frame(&c, &ev[2], &b), 0);
	/* 4: new image: record with the new pixels */
	cur_draw(&f, 1);
	cur_event(&ev[3], 4, -5, -7, vis | KMSCAP_FRAME_CURSOR_CHANGED);
	ck_assert_int_eq(ks_cursor_frame(&c, &ev[3], &b), 0);
	/* 5: hidden */
	cur_event(&ev[4], 5, 0, 0, KMSCAP_FRAME_CURSOR_CHANGED);
	ck_assert_int_eq(ks_cursor_frame(&c, &ev[4], &b), 0);
	/* 6: still hidden: nothing */
	cur_event(&ev[5], 6, 0, 0, 0);
	ck_assert_int_eq(ks_cursor_frame(&c, &ev[5], &b), 0);
	/* 7: visible again at the same place as before hiding: image again */
	cur_event(&ev[6], 7, 0, 0, vis | KMSCAP_FRAME_CURSOR_CHANGED);
	ck_assert_int_eq(ks_cursor_frame(&c, &ev[6], &b), 0);

	pos += check_record(b.data + pos, &ev[0], 1 | 2 | 4, 0);
	pos += check_record(b.data + pos, &ev[2], 1 | 2, 0);
	pos += check_record(b.data + pos, &ev[3], 1 | 4, 1);
	pos += check_record(b.data + pos, &ev[4], 0, 0);
	pos += check_record(b.data + pos, &ev[6], 1 | 2 | 4, 1);
	ck_assert_uint_eq(pos, b.len);
	ck_assert_uint_eq(c.records, 5);
	ck_assert_uint_eq(f.exports, 3);
	ks_buf_free(&b);
	close(f.memfd);
}
END_TEST

START_TEST(cursor_export_failure_leaves_nothing)
{
	struct kmscap_event ev;
	struct ks_cursor_side c;
	struct ks_buf b = { 0 };
	struct cur_fx f;

	cur_open(&f);
	ks_cursor_init(&c, cur_export, &f);
	ck_assert_int_eq(ks_buf_append(&b, "xyz", 3), 0);
	f.fail = ENOENT;
	cur_event(&ev, 1, 10, 10, KMSCAP_FRAME_CURSOR_VISIBLE | KMSCAP_FRAME_FIRST);
	ck_assert_int_eq(ks_cursor_frame(&c, &ev, &b), -ENOENT);
	ck_assert_uint_eq(b.len, 3);	/* no half record */
	f.fail = 0;
	ck_assert_int_eq(ks_cursor_frame(&c, &ev, &b), 0);
	ck_assert_uint_eq(b.len, 3 + KS_CURSOR_HEADER + CW * CH * 4);
	ks_buf_free(&b);
	close(f.memfd);
}
END_TEST

START_TEST(cursor_mode_change_resends)
{
	const uint32_t vis = KMSCAP_FRAME_CURSOR_VISIBLE;
	struct kmscap_event ev;
	struct ks_cursor_side c;
	struct ks_buf b = { 0 };
	struct cur_fx f;

	cur_open(&f);
	ks_cursor_init(&c, cur_export, &f);
	cur_event(&ev, 1, 1, 1, vis | KMSCAP_FRAME_FIRST);
	ck_assert_int_eq(ks_cursor_frame(&c, &ev, &b), 0);
	ks_buf_reset(&b);
	cur_event(&ev, 2, 1, 1, vis | KMSCAP_FRAME_NEW_MODE);
	ck_assert_int_eq(ks_cursor_frame(&c, &ev, &b), 0);
	ck_assert_uint_eq(b.len, KS_CURSOR_HEADER + CW * CH * 4);
	ks_buf_free(&b);
	close(f.memfd);
}
END_TEST

Suite *ks_suite_cursor(void)
{
	Suite *s = suite_create("cursor");

	KS_ADD(s, cursor_records);
	KS_ADD(s, cursor_export_failure_leaves_nothing);
	KS_ADD(s, cursor_mode_change_resends);
	return s;
}
