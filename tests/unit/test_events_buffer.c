// SPDX-License-Identifier: MIT
/*
 * Unit tests of kmscap_events_from_buffer() and kmscap_event_read_size()
 * (LIBKMSCAP_1.4): bytes the caller read itself decode as
 * kmscap_read_events() decodes them, framed and 1.0, without the library
 * reading the fd; a malformed event or a buffer cut in the middle of an
 * event is -EBADMSG with every frame of the buffer released; too little
 * room is -ENOSPC with nothing decoded; 0 bytes is the end of file.
 */
#include <stdbool.h>

#include "fake_kmscap.h"

#define NR_RELEASE _IOC_NR(KMSCAP_IOC_RELEASE)

static size_t hangup_at(unsigned char *buf, uint64_t seq)
{
	struct kmscap_event_hangup h;

	memset(&h, 0, sizeof(h));
	h.base.type = KMSCAP_EVENT_HANGUP;
	h.base.length = sizeof(h);
	h.display_id = 5;
	h.seq = seq;
	memcpy(buf, &h, sizeof(h));
	return sizeof(h);
}

/* A type of a later ABI, 24 bytes. */
static size_t unknown_at(unsigned char *buf)
{
	struct kmscap_event_header hdr = { .type = 0x7777, .length = 24 };

	memset(buf, 0x55, 24);
	memcpy(buf, &hdr, sizeof(hdr));
	return 24;
}

static void open_attached(bool framed)
{
	if (framed) {
		fake.version.caps |= KMSCAP_CAP_FLIP_DONE;
		fake.version.max_event_size = sizeof(struct kmscap_event_frame) +
					      KMSCAP_MAX_DAMAGE * sizeof(struct kmscap_rect);
	}
	open_dev();
	ck_assert_uint_eq(kmscap_event_read_size(dev), 0);	/* not attached yet */
	ck_assert_int_eq(kmscap_attach_flags(dev, 5, 4, 0,
					     framed ? KMSCAP_ATTACH_FLIP_DONE : 0), 0);
}

/* Nothing was read from the FIFO: the bytes written there are still pending. */
static void check_fd_not_read(void)
{
	struct kmscap_event ev;

	ck_assert_int_eq(kmscap_read_events(dev, &ev, 1), 0);
}

START_TEST(test_framed)
{
	struct kmscap_event in, evs[4];
	struct kmscap_event_flip_done d[4];
	unsigned char buf[1024];
	size_t n = 0;

	open_attached(true);
	ck_assert_uint_eq(kmscap_event_read_size(dev), fake.version.max_event_size);
	frame_event(&in, 1, 17);
	n += framed_frame(buf + n, &in);
	n += framed_flip_done(buf + n, 1, 0, 0, 0);
	n += unknown_at(buf + n);
	frame_event(&in, 2, 18);
	n += framed_frame(buf + n, &in);
	n += framed_flip_done(buf + n, 2, 0, 0, 0);
	ck_assert_int_eq(kmscap_events_from_buffer(dev, buf, n, evs, 4), 2);
	ck_assert_uint_eq(evs[0].type, KMSCAP_EVENT_FRAME);
	ck_assert_uint_eq(evs[0].seq, 1);
	ck_assert_uint_eq(evs[0].buffer_id, 17);
	ck_assert_uint_eq(evs[1].seq, 2);
	ck_assert_uint_eq(evs[1].buffer_id, 18);
	ck_assert_int_eq(kmscap_read_flip_done(dev, d, 4), 2);
	ck_assert_uint_eq(d[0].seq, 1);
	ck_assert_uint_eq(d[1].seq, 2);
	ck_assert_int_eq(fake.calls[NR_RELEASE], 0);
	ck_assert_int_eq(kmscap_hung_up(dev), 0);
	/* only unknown and flip-done events: 0, the flip-done kept */
	n = unknown_at(buf);
	n += framed_flip_done(buf + n, 3, 0, 0, 0);
	ck_assert_int_eq(kmscap_events_from_buffer(dev, buf, n, evs, 0), 0);
	ck_assert_int_eq(kmscap_read_flip_done(dev, d, 4), 1);
	ck_assert_uint_eq(d[0].seq, 3);
	/* a hang-up is returned and marks the handle */
	n = hangup_at(buf, 4);
	ck_assert_int_eq(kmscap_events_from_buffer(dev, buf, n, evs, 4), 1);
	ck_assert_uint_eq(evs[0].type, KMSCAP_EVENT_HANGUP);
	ck_assert_int_eq(kmscap_hung_up(dev), 1);
	check_fd_not_read();
}
END_TEST

START_TEST(test_unframed)
{
	size_t sz = sizeof(struct kmscap_event) + 16;	/* a later 1.x module's larger event */
	unsigned char buf[3 * (sizeof(struct kmscap_event) + 16)];
	struct kmscap_event in, evs[3];

	fake.version.event_size = (uint32_t)sz;
	open_attached(false);
	ck_assert_uint_eq(kmscap_event_read_size(dev), sz);
	memset(buf, 0, sizeof(buf));
	frame_event(&in, 7, 3);
	memcpy(buf, &in, sizeof(in));
	frame_event(&in, 8, 4);
	memcpy(buf + sz, &in, sizeof(in));
	in.type = KMSCAP_EVENT_HANGUP;
	memcpy(buf + 2 * sz, &in, sizeof(in));
	ck_assert_int_eq(kmscap_events_from_buffer(dev, buf, 3 * sz, evs, 3), 3);
	ck_assert_uint_eq(evs[0].seq, 7);
	ck_assert_uint_eq(evs[1].seq, 8);
	ck_assert_uint_eq(evs[1].buffer_id, 4);
	ck_assert_uint_eq(evs[2].type, KMSCAP_EVENT_HANGUP);
	ck_assert_int_eq(kmscap_hung_up(dev), 1);
	ck_assert_int_eq(fake.calls[NR_RELEASE], 0);
	check_fd_not_read();
}
END_TEST

/* Cut in the middle of the second event: -EBADMSG, and both frames released. */
START_TEST(test_cut_framed)
{
	struct kmscap_event in, evs[4];
	unsigned char buf[1024];
	size_t n = 0;

	open_attached(true);
	frame_event(&in, 1, 17);
	n += framed_frame(buf + n, &in);
	frame_event(&in, 2, 18);
	n += framed_frame(buf + n, &in);
	ck_assert_int_eq(kmscap_events_from_buffer(dev, buf, n - 40, evs, 4), -EBADMSG);
	ck_assert_int_eq(fake.calls[NR_RELEASE], 2);
	/* the cut one was released before the whole one before it */
	ck_assert_uint_eq(fake.release.seq, 1);
	/* a buffer shorter than a header */
	ck_assert_int_eq(kmscap_events_from_buffer(dev, buf, 4, evs, 4), -EBADMSG);
	ck_assert_int_eq(kmscap_hung_up(dev), 0);
}
END_TEST

START_TEST(test_cut_unframed)
{
	unsigned char buf[2 * sizeof(struct kmscap_event)];
	struct kmscap_event in, evs[2];

	open_attached(false);
	frame_event(&in, 1, 17);
	memcpy(buf, &in, sizeof(in));
	frame_event(&in, 2, 18);
	memcpy(buf + sizeof(in), &in, sizeof(in));
	ck_assert_int_eq(kmscap_events_from_buffer(dev, buf, sizeof(buf) - 8, evs, 2),
			 -EBADMSG);
	/* the whole frame given back; too little is left of the cut one to name it */
	ck_assert_int_eq(fake.calls[NR_RELEASE], 1);
	ck_assert_uint_eq(fake.release.seq, 1);
}
END_TEST

/* A malformed frame after a good one: nothing returned, both released. */
START_TEST(test_malformed)
{
	struct kmscap_event in, evs[4];
	unsigned char buf[1024];
	size_t n = 0, bad;

	open_attached(true);
	frame_event(&in, 1, 17);
	n += framed_frame(buf + n, &in);
	frame_event(&in, 2, 18);
	bad = n;
	n += framed_frame(buf + n, &in);
	((struct kmscap_event_frame *)(buf + bad))->num_planes = 9;
	n += framed_flip_done(buf + n, 2, 0, 0, 0);
	ck_assert_int_eq(kmscap_events_from_buffer(dev, buf, n, evs, 4), -EBADMSG);
	ck_assert_int_eq(fake.calls[NR_RELEASE], 2);
}
END_TEST

START_TEST(test_no_room)
{
	struct kmscap_event in, evs[2];
	struct kmscap_event_flip_done d[4];
	unsigned char buf[1024];
	size_t n = 0;

	open_attached(true);
	frame_event(&in, 1, 17);
	n += framed_frame(buf + n, &in);
	n += framed_flip_done(buf + n, 1, 0, 0, 0);
	frame_event(&in, 2, 18);
	n += framed_frame(buf + n, &in);
	n += hangup_at(buf + n, 3);
	ck_assert_int_eq(kmscap_events_from_buffer(dev, buf, n, evs, 2), -ENOSPC);
	/* nothing decoded: no flip-done kept, no hang-up, nothing released */
	ck_assert_int_eq(kmscap_read_flip_done(dev, d, 4), 0);
	ck_assert_int_eq(kmscap_hung_up(dev), 0);
	ck_assert_int_eq(fake.calls[NR_RELEASE], 0);
}
END_TEST

START_TEST(test_args_and_eof)
{
	struct kmscap_event evs[1];
	unsigned char buf[8] = { 0 };

	open_dev();
	ck_assert_int_eq(kmscap_events_from_buffer(dev, buf, sizeof(buf), evs, 1), -ENOTCONN);
	ck_assert_int_eq(kmscap_attach(dev, 5, 4, 0), 0);
	ck_assert_int_eq(kmscap_events_from_buffer(NULL, buf, sizeof(buf), evs, 1), -EINVAL);
	ck_assert_int_eq(kmscap_events_from_buffer(dev, NULL, 8, evs, 1), -EINVAL);
	ck_assert_int_eq(kmscap_events_from_buffer(dev, buf, 8, NULL, 1), -EINVAL);
	ck_assert_uint_eq(kmscap_event_read_size(NULL), 0);
	/* what read() returns at end of file */
	ck_assert_int_eq(kmscap_hung_up(dev), 0);
	ck_assert_int_eq(kmscap_events_from_buffer(dev, buf, 0, evs, 1), 0);
	ck_assert_int_eq(kmscap_hung_up(dev), 1);
}
END_TEST

static Suite *events_buffer_suite(void)
{
	Suite *s = suite_create("events_buffer");
	TCase *tc = tcase_create("decode");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_framed);
	tcase_add_test(tc, test_unframed);
	tcase_add_test(tc, test_cut_framed);
	tcase_add_test(tc, test_cut_unframed);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_no_room);
	tcase_add_test(tc, test_args_and_eof);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kmscap_run_suite(events_buffer_suite());
}
