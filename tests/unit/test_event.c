// SPDX-License-Identifier: MIT
/*
 * Unit tests: kmscap_event_decode() accepts good events and rejects every
 * kind of malformed one with -EBADMSG and a reason; kmscap_event_parse()
 * splits a framed stream, decodes frames and hang-ups, skips the types it
 * does not know and refuses lengths and damage that do not fit.
 */
#include <errno.h>
#include <string.h>

#include "kmscap_check.h"
#include "libkmscap.h"

static void good_frame(struct kmscap_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = KMSCAP_EVENT_FRAME;
	ev->flags = KMSCAP_FRAME_CURSOR_VISIBLE;
	ev->seq = 42;
	ev->timestamp_ns = 123456789;
	ev->display_id = 3;
	ev->buffer_id = 17;
	ev->format = 0x34325258;	/* XR24 */
	ev->width = 1920;
	ev->height = 1080;
	ev->num_planes = 1;
	ev->pitches[0] = 1920 * 4;
	ev->src_w = 1920;
	ev->src_h = 1080;
	ev->mode_width = 1920;
	ev->mode_height = 1080;
	ev->refresh_mhz = 60000;
	ev->num_damage = 2;
	ev->damage[0] = (struct kmscap_rect){ 0, 0, 10, 10 };
	ev->damage[1] = (struct kmscap_rect){ 100, 200, 1920, 1080 };	/* touches the edge */
	ev->cursor_x = -5;
	ev->cursor_y = -7;
	ev->dropped = 1;
}

/* Decode @ev and expect -EBADMSG with a reason containing @why_has. */
static void expect_bad(const struct kmscap_event *ev, size_t len, const char *why_has)
{
	struct kmscap_event out;
	const char *why = NULL;
	int ret;

	memset(&out, 0xa5, sizeof(out));
	ret = kmscap_event_decode(ev, len, &out, &why);
	ck_assert_int_eq(ret, -EBADMSG);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, why_has), "reason '%s' does not mention '%s'", why, why_has);
	/* @out is left alone */
	{
		unsigned char pattern[sizeof(out)];

		memset(pattern, 0xa5, sizeof(pattern));
		ck_assert_int_eq(memcmp(&out, pattern, sizeof(out)), 0);
	}
}

START_TEST(test_good_frame)
{
	struct kmscap_event ev, out;
	const char *why = "unset";

	good_frame(&ev);
	memset(&out, 0, sizeof(out));
	ck_assert_int_eq(kmscap_event_decode(&ev, sizeof(ev), &out, &why), 0);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(memcmp(&ev, &out, sizeof(ev)), 0);
	ck_assert_int_eq(out.cursor_x, -5);
}
END_TEST

START_TEST(test_good_variants)
{
	struct kmscap_event ev, out;

	/* full damage, no rectangles */
	good_frame(&ev);
	ev.flags |= KMSCAP_FRAME_FULL_DAMAGE | KMSCAP_FRAME_NEW_MODE | KMSCAP_FRAME_FIRST;
	ev.num_damage = 0;
	ck_assert_int_eq(kmscap_event_decode(&ev, sizeof(ev), &out, NULL), 0);
	ck_assert_uint_eq(out.flags, ev.flags);

	/* exactly KMSCAP_MAX_DAMAGE rectangles covering single pixels and the corners */
	good_frame(&ev);
	ev.num_damage = KMSCAP_MAX_DAMAGE;
	for (int i = 0; i < KMSCAP_MAX_DAMAGE; i++)
		ev.damage[i] = (struct kmscap_rect){ i, i, i + 1, i + 1 };
	ev.damage[7] = (struct kmscap_rect){ 1919, 1079, 1920, 1080 };
	ck_assert_int_eq(kmscap_event_decode(&ev, sizeof(ev), &out, NULL), 0);
	ck_assert_uint_eq(out.num_damage, KMSCAP_MAX_DAMAGE);

	/* four planes */
	good_frame(&ev);
	ev.num_planes = 4;
	ck_assert_int_eq(kmscap_event_decode(&ev, sizeof(ev), &out, NULL), 0);

	/* a blank frame: no buffer, no planes */
	good_frame(&ev);
	ev.flags = KMSCAP_FRAME_BLANK | KMSCAP_FRAME_FULL_DAMAGE;
	ev.buffer_id = 0;
	ev.num_planes = 0;
	ev.num_damage = 0;
	ck_assert_int_eq(kmscap_event_decode(&ev, sizeof(ev), &out, NULL), 0);

	/* garbage in damage slots past num_damage is not looked at */
	good_frame(&ev);
	ev.num_damage = 1;
	ev.damage[1] = (struct kmscap_rect){ 5000, 5000, 1, 1 };
	ck_assert_int_eq(kmscap_event_decode(&ev, sizeof(ev), &out, NULL), 0);

	/* NULL out only validates */
	good_frame(&ev);
	ck_assert_int_eq(kmscap_event_decode(&ev, sizeof(ev), NULL, NULL), 0);
}
END_TEST

START_TEST(test_good_hangup)
{
	struct kmscap_event ev, out;

	memset(&ev, 0, sizeof(ev));
	ev.type = KMSCAP_EVENT_HANGUP;
	ev.seq = 99;
	ev.display_id = 4;
	ck_assert_int_eq(kmscap_event_decode(&ev, sizeof(ev), &out, NULL), 0);
	ck_assert_uint_eq(out.type, KMSCAP_EVENT_HANGUP);
	ck_assert_uint_eq(out.seq, 99);
	ck_assert_uint_eq(out.display_id, 4);
}
END_TEST

/* A newer module's larger event: the known part is decoded, the tail ignored. */
START_TEST(test_longer_event)
{
	unsigned char buf[sizeof(struct kmscap_event) + 64];
	struct kmscap_event ev, out;

	good_frame(&ev);
	memset(buf, 0x77, sizeof(buf));
	memcpy(buf, &ev, sizeof(ev));
	ck_assert_int_eq(kmscap_event_decode(buf, sizeof(buf), &out, NULL), 0);
	ck_assert_int_eq(memcmp(&ev, &out, sizeof(ev)), 0);
}
END_TEST

START_TEST(test_reject_short)
{
	struct kmscap_event ev;

	good_frame(&ev);
	expect_bad(&ev, sizeof(ev) - 1, "short");
	expect_bad(&ev, 8, "short");
	expect_bad(&ev, 0, "short");
}
END_TEST

START_TEST(test_reject_null)
{
	struct kmscap_event out;
	const char *why = NULL;

	ck_assert_int_eq(kmscap_event_decode(NULL, sizeof(out), &out, &why), -EINVAL);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_reject_type)
{
	static const uint32_t types[] = { 0, 3, 0x100, 0xffffffff };
	struct kmscap_event ev;
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		good_frame(&ev);
		ev.type = types[i];
		expect_bad(&ev, sizeof(ev), "unknown event type");
	}
}
END_TEST

START_TEST(test_reject_num_damage)
{
	struct kmscap_event ev;

	good_frame(&ev);
	ev.num_damage = KMSCAP_MAX_DAMAGE + 1;
	expect_bad(&ev, sizeof(ev), "num_damage");
	ev.num_damage = 0xffffffff;
	expect_bad(&ev, sizeof(ev), "num_damage");
	/* also on a hang-up event */
	memset(&ev, 0, sizeof(ev));
	ev.type = KMSCAP_EVENT_HANGUP;
	ev.num_damage = KMSCAP_MAX_DAMAGE + 1;
	expect_bad(&ev, sizeof(ev), "num_damage");
}
END_TEST

START_TEST(test_reject_damage_with_full)
{
	struct kmscap_event ev;

	good_frame(&ev);
	ev.flags |= KMSCAP_FRAME_FULL_DAMAGE;
	expect_bad(&ev, sizeof(ev), "FULL_DAMAGE");
}
END_TEST

/* The bad rectangle sits at index _i: every listed rectangle is checked. */
START_TEST(test_reject_empty_rect)
{
	static const struct kmscap_rect bad[] = {
		{ 10, 10, 10, 20 },	/* x2 == x1 */
		{ 10, 10, 9, 20 },	/* x2 < x1 */
		{ 10, 10, 20, 10 },	/* y2 == y1 */
		{ 10, 10, 20, 5 },	/* y2 < y1 */
		{ 0, 0, 0, 0 },
	};
	struct kmscap_event ev;
	size_t j;

	for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
		good_frame(&ev);
		ev.num_damage = KMSCAP_MAX_DAMAGE;
		for (int i = 0; i < KMSCAP_MAX_DAMAGE; i++)
			ev.damage[i] = (struct kmscap_rect){ 0, 0, 1, 1 };
		ev.damage[_i] = bad[j];
		expect_bad(&ev, sizeof(ev), "empty or inverted");
	}
}
END_TEST

START_TEST(test_reject_rect_outside)
{
	static const struct kmscap_rect bad[] = {
		{ 0, 0, 1921, 10 },		/* one past the right edge */
		{ 0, 0, 10, 1081 },		/* one past the bottom */
		{ 1920, 0, 1921, 10 },		/* entirely right of it */
		{ 0, 1080, 10, 1081 },		/* entirely below */
		{ 0, 0, 0xffffffff, 0xffffffff },
	};
	struct kmscap_event ev;
	size_t j;

	for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
		good_frame(&ev);
		ev.num_damage = KMSCAP_MAX_DAMAGE;
		for (int i = 0; i < KMSCAP_MAX_DAMAGE; i++)
			ev.damage[i] = (struct kmscap_rect){ 0, 0, 1, 1 };
		ev.damage[_i] = bad[j];
		expect_bad(&ev, sizeof(ev), "outside the framebuffer");
	}
}
END_TEST

START_TEST(test_reject_pad)
{
	struct kmscap_event ev;

	good_frame(&ev);
	ev.pad = 1;
	expect_bad(&ev, sizeof(ev), "pad");
	ev.pad = 0x80000000;
	expect_bad(&ev, sizeof(ev), "pad");
	memset(&ev, 0, sizeof(ev));
	ev.type = KMSCAP_EVENT_HANGUP;
	ev.pad = 2;
	expect_bad(&ev, sizeof(ev), "pad");
}
END_TEST

START_TEST(test_reject_planes)
{
	struct kmscap_event ev;

	good_frame(&ev);
	ev.num_planes = 5;
	expect_bad(&ev, sizeof(ev), "num_planes");
	ev.num_planes = 0xffffffff;
	expect_bad(&ev, sizeof(ev), "num_planes");
}
END_TEST

/* Each rule has its own reason, so a log line says what was wrong. */
START_TEST(test_reasons_distinct)
{
	struct kmscap_event ev;
	const char *r[6];
	int i, j;

	good_frame(&ev);
	kmscap_event_decode(&ev, 4, NULL, &r[0]);
	ev.type = 9;
	kmscap_event_decode(&ev, sizeof(ev), NULL, &r[1]);
	good_frame(&ev);
	ev.pad = 1;
	kmscap_event_decode(&ev, sizeof(ev), NULL, &r[2]);
	good_frame(&ev);
	ev.num_planes = 9;
	kmscap_event_decode(&ev, sizeof(ev), NULL, &r[3]);
	good_frame(&ev);
	ev.num_damage = 9;
	kmscap_event_decode(&ev, sizeof(ev), NULL, &r[4]);
	good_frame(&ev);
	ev.damage[0].x2 = 5000;
	kmscap_event_decode(&ev, sizeof(ev), NULL, &r[5]);
	for (i = 0; i < 6; i++) {
		ck_assert_ptr_nonnull(r[i]);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(r[i], r[j]);
	}
}
END_TEST

/* @ev as a framed event at @buf (damage after the frame, @extra bytes of later fields). */
static size_t to_framed(const struct kmscap_event *ev, unsigned char *buf, uint32_t extra)
{
	struct kmscap_event_frame f;
	uint32_t off = sizeof(f) + extra;

	memset(&f, 0, sizeof(f));
	f.base.type = KMSCAP_EVENT_FRAME;
	f.base.length = off + ev->num_damage * sizeof(struct kmscap_rect);
	f.flags = ev->flags;
	f.display_id = ev->display_id;
	f.seq = ev->seq;
	f.timestamp_ns = ev->timestamp_ns;
	f.dropped = ev->dropped;
	f.buffer_id = ev->buffer_id;
	f.format = ev->format;
	f.modifier = ev->modifier;
	f.width = ev->width;
	f.height = ev->height;
	f.num_planes = ev->num_planes;
	memcpy(f.pitches, ev->pitches, sizeof(f.pitches));
	memcpy(f.offsets, ev->offsets, sizeof(f.offsets));
	f.src_w = ev->src_w;
	f.src_h = ev->src_h;
	f.mode_width = ev->mode_width;
	f.mode_height = ev->mode_height;
	f.refresh_mhz = ev->refresh_mhz;
	f.num_damage = ev->num_damage;
	f.damage_offset = off;
	f.cursor_x = ev->cursor_x;
	f.cursor_y = ev->cursor_y;
	memset(buf, 0x77, off);		/* later fields: anything */
	memcpy(buf, &f, sizeof(f));
	memcpy(buf + off, ev->damage, ev->num_damage * sizeof(struct kmscap_rect));
	return f.base.length;
}

static size_t unknown_event(unsigned char *buf, uint32_t type, uint32_t len)
{
	struct kmscap_event_header h = { .type = type, .length = len };

	memset(buf, 0xee, len);
	memcpy(buf, &h, sizeof(h));
	return len;
}

START_TEST(test_parse_frame)
{
	unsigned char buf[1024];
	struct kmscap_event in, out;
	size_t len, used;

	good_frame(&in);
	len = to_framed(&in, buf, 0);
	ck_assert_int_eq(kmscap_event_parse(buf, len, &used, &out, NULL), 1);
	ck_assert_uint_eq(used, len);
	ck_assert_int_eq(memcmp(&in, &out, sizeof(in)), 0);
	/* a later module's frame, with fields the library does not know */
	len = to_framed(&in, buf, 40);
	ck_assert_int_eq(kmscap_event_parse(buf, len, &used, &out, NULL), 1);
	ck_assert_uint_eq(used, len);
	ck_assert_int_eq(memcmp(&in, &out, sizeof(in)), 0);
}
END_TEST

/* A stream of unknown, frame, unknown, hang-up: two events, the rest skipped. */
START_TEST(test_parse_skips_unknown)
{
	unsigned char buf[2048];
	struct kmscap_event in, out;
	size_t n = 0, off = 0, used;
	int got[4], i = 0;

	good_frame(&in);
	n += unknown_event(buf + n, 0x7fff0001u, 8);
	n += to_framed(&in, buf + n, 0);
	n += unknown_event(buf + n, 0x80000001u, 400);
	{
		struct kmscap_event_hangup h = { .base = { KMSCAP_EVENT_HANGUP, sizeof(h) },
						 .display_id = 3, .seq = 43 };

		memcpy(buf + n, &h, sizeof(h));
		n += sizeof(h);
	}
	while (off < n) {
		ck_assert_int_lt(i, 4);
		memset(&out, 0, sizeof(out));
		got[i] = kmscap_event_parse(buf + off, n - off, &used, &out, NULL);
		ck_assert_uint_gt(used, 0);
		if (got[i] == 1 && out.type == KMSCAP_EVENT_FRAME)
			ck_assert_uint_eq(out.seq, 42);
		if (got[i] == 1 && out.type == KMSCAP_EVENT_HANGUP)
			ck_assert_uint_eq(out.seq, 43);
		off += used;
		i++;
	}
	ck_assert_uint_eq(off, n);
	ck_assert_int_eq(i, 4);
	ck_assert_int_eq(got[0], 0);
	ck_assert_int_eq(got[1], 1);
	ck_assert_int_eq(got[2], 0);
	ck_assert_int_eq(got[3], 1);
}
END_TEST

/* More rectangles than struct kmscap_event holds: merged into their bounding box. */
START_TEST(test_parse_many_rects)
{
	unsigned char buf[1024];
	struct kmscap_event in, out;
	struct kmscap_rect r[10];
	size_t len, used;
	unsigned int i;

	good_frame(&in);
	in.num_damage = 0;
	len = to_framed(&in, buf, 0);
	for (i = 0; i < 10; i++)
		r[i] = (struct kmscap_rect){ 10 * i, 5 + i, 10 * i + 4, 6 + i };
	memcpy(buf + len, r, sizeof(r));
	((struct kmscap_event_frame *)buf)->num_damage = 10;
	((struct kmscap_event_frame *)buf)->base.length = len + sizeof(r);
	ck_assert_int_eq(kmscap_event_parse(buf, len + sizeof(r), &used, &out, NULL), 1);
	ck_assert_uint_eq(out.num_damage, 1);
	ck_assert(out.flags & KMSCAP_FRAME_DAMAGE_MERGED);
	ck_assert_uint_eq(out.damage[0].x1, 0);
	ck_assert_uint_eq(out.damage[0].y1, 5);
	ck_assert_uint_eq(out.damage[0].x2, 94);
	ck_assert_uint_eq(out.damage[0].y2, 15);
}
END_TEST

START_TEST(test_parse_reject)
{
	unsigned char buf[1024];
	struct kmscap_event in, out;
	const char *why;
	size_t len, used;

	good_frame(&in);
	len = to_framed(&in, buf, 0);
	/* cut short: the length points past the data */
	ck_assert_int_eq(kmscap_event_parse(buf, len - 8, &used, &out, &why), -EBADMSG);
	ck_assert_uint_eq(used, 0);
	ck_assert_int_eq(kmscap_event_parse(buf, 4, &used, &out, &why), -EBADMSG);
	ck_assert_uint_eq(used, 0);
	ck_assert_int_eq(kmscap_event_parse(NULL, len, &used, &out, &why), -EINVAL);
	/* a length that is no multiple of 8, or less than a header */
	((struct kmscap_event_header *)buf)->length = 12;
	ck_assert_int_eq(kmscap_event_parse(buf, len, &used, &out, &why), -EBADMSG);
	((struct kmscap_event_header *)buf)->length = 0;
	ck_assert_int_eq(kmscap_event_parse(buf, len, &used, &out, &why), -EBADMSG);
	ck_assert_uint_eq(used, 0);
	/* a frame shorter than its 1.2 structure: skipped by its length */
	len = to_framed(&in, buf, 0);
	((struct kmscap_event_header *)buf)->length = 64;
	ck_assert_int_eq(kmscap_event_parse(buf, len, &used, &out, &why), -EBADMSG);
	ck_assert_uint_eq(used, 64);
	/* damage past the event */
	len = to_framed(&in, buf, 0);
	((struct kmscap_event_frame *)buf)->num_damage = 3;
	ck_assert_int_eq(kmscap_event_parse(buf, len, &used, &out, &why), -EBADMSG);
	ck_assert_uint_eq(used, len);
	ck_assert_ptr_nonnull(why);
	/* a malformed frame as kmscap_event_decode() sees it */
	in.num_planes = 5;
	len = to_framed(&in, buf, 0);
	ck_assert_int_eq(kmscap_event_parse(buf, len, &used, &out, &why), -EBADMSG);
}
END_TEST

static Suite *event_suite(void)
{
	Suite *s = suite_create("event");
	TCase *tc;

	tc = tcase_create("accept");
	tcase_add_test(tc, test_good_frame);
	tcase_add_test(tc, test_good_variants);
	tcase_add_test(tc, test_good_hangup);
	tcase_add_test(tc, test_longer_event);
	suite_add_tcase(s, tc);

	tc = tcase_create("reject");
	tcase_add_test(tc, test_reject_short);
	tcase_add_test(tc, test_reject_null);
	tcase_add_test(tc, test_reject_type);
	tcase_add_test(tc, test_reject_num_damage);
	tcase_add_test(tc, test_reject_damage_with_full);
	tcase_add_loop_test(tc, test_reject_empty_rect, 0, KMSCAP_MAX_DAMAGE);
	tcase_add_loop_test(tc, test_reject_rect_outside, 0, KMSCAP_MAX_DAMAGE);
	tcase_add_test(tc, test_reject_pad);
	tcase_add_test(tc, test_reject_planes);
	tcase_add_test(tc, test_reasons_distinct);
	suite_add_tcase(s, tc);

	tc = tcase_create("framed");
	tcase_add_test(tc, test_parse_frame);
	tcase_add_test(tc, test_parse_skips_unknown);
	tcase_add_test(tc, test_parse_many_rects);
	tcase_add_test(tc, test_parse_reject);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kmscap_run_suite(event_suite());
}
