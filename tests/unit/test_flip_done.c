// SPDX-License-Identifier: MIT
/*
 * Unit tests of flip-done events (ABI 1.3) in libkmscap:
 * kmscap_event_parse_flip_done() decodes them and refuses malformed ones,
 * kmscap_event_parse() skips them; a handle attached with
 * KMSCAP_ATTACH_FLIP_DONE (only when the module has KMSCAP_CAP_FLIP_DONE)
 * keeps those it reads along with frames for kmscap_read_flip_done(), in
 * order, losing the oldest beyond KMSCAP_FLIP_DONE_KEPT and counting them.
 */
#include "fake_kmscap.h"

START_TEST(test_parse_flip_done)
{
	struct kmscap_event_flip_done d;
	unsigned char buf[256];
	struct kmscap_event ev;
	const char *why;
	size_t len, used;

	len = framed_flip_done(buf, 7, KMSCAP_FLIP_DONE_WAITED, 1234, 0);
	ck_assert_int_eq(kmscap_event_parse_flip_done(buf, len, &used, &d, &why), 1);
	ck_assert_uint_eq(used, len);
	ck_assert_uint_eq(d.seq, 7);
	ck_assert_uint_eq(d.vblank_seq, 1007);
	ck_assert_uint_eq(d.flags, KMSCAP_FLIP_DONE_WAITED);
	ck_assert_uint_eq(d.hold_wait_ns, 1234);
	ck_assert_uint_eq(d.commit_ns, d.timestamp_ns - 3000000);
	/* kmscap_event_parse() skips it: a struct kmscap_event cannot hold it */
	ck_assert_int_eq(kmscap_event_parse(buf, len, &used, &ev, &why), 0);
	ck_assert_uint_eq(used, len);
	/* a later module's longer event: its own fields read, the rest skipped */
	len = framed_flip_done(buf, 8, 0, 0, 24);
	ck_assert_int_eq(kmscap_event_parse_flip_done(buf, len, &used, &d, NULL), 1);
	ck_assert_uint_eq(used, len);
	ck_assert_uint_eq(d.seq, 8);
	ck_assert_uint_eq(d.base.length, len);
	/* a frame is another type */
	frame_event(&ev, 9, 17);
	len = framed_frame(buf, &ev);
	ck_assert_int_eq(kmscap_event_parse_flip_done(buf, len, &used, &d, NULL), 0);
	ck_assert_uint_eq(used, len);
}
END_TEST

/* Each malformed event: -EBADMSG, a reason, and its length to skip (0 for a bad header). */
START_TEST(test_parse_flip_done_reject)
{
	struct kmscap_event_flip_done d;
	unsigned char buf[256];
	const char *why;
	size_t len, used;

	len = framed_flip_done(buf, 7, 0, 0, 0);
	((struct kmscap_event_header *)buf)->length = 32;
	ck_assert_int_eq(kmscap_event_parse_flip_done(buf, len, &used, &d, &why), -EBADMSG);
	ck_assert_uint_eq(used, 32);
	ck_assert_ptr_nonnull(strstr(why, "shorter"));

	len = framed_flip_done(buf, 0, 0, 0, 0);
	ck_assert_int_eq(kmscap_event_parse_flip_done(buf, len, &used, &d, &why), -EBADMSG);
	ck_assert_uint_eq(used, len);
	ck_assert_ptr_nonnull(strstr(why, "frame 0"));

	len = framed_flip_done(buf, 7, 0, 99, 0);
	ck_assert_int_eq(kmscap_event_parse_flip_done(buf, len, &used, &d, &why), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(why, "WAITED"));

	len = framed_flip_done(buf, 7, 0, 0, 0);
	ck_assert_int_eq(kmscap_event_parse_flip_done(buf, len - 8, &used, &d, &why), -EBADMSG);
	ck_assert_uint_eq(used, 0);
	ck_assert_int_eq(kmscap_event_parse_flip_done(NULL, len, &used, &d, &why), -EINVAL);
	ck_assert_int_eq(kmscap_event_parse_flip_done(buf, len, NULL, &d, &why), -EINVAL);
}
END_TEST

static void open_framed(uint64_t caps)
{
	fake.version.caps |= caps;
	fake.version.max_event_size = sizeof(struct kmscap_event_frame) +
				      KMSCAP_MAX_DAMAGE * sizeof(struct kmscap_rect);
	open_dev();
}

/* A module without KMSCAP_CAP_FLIP_DONE is not asked for flip-done events. */
START_TEST(test_attach_needs_cap)
{
	open_framed(0);
	ck_assert_int_eq(kmscap_attach_flags(dev, 5, 4, 0, KMSCAP_ATTACH_FLIP_DONE), -EOPNOTSUPP);
	ck_assert_int_eq(fake.calls[_IOC_NR(KMSCAP_IOC_ATTACH)], 0);
	ck_assert_int_eq(kmscap_attach_flags(dev, 5, 4, 0, 0), 0);
	ck_assert_uint_eq(fake.attach.flags, KMSCAP_ATTACH_FRAMED);
}
END_TEST

/* A 1.3 module (flip-done, no deferral) is not asked to defer them. */
START_TEST(test_defer_needs_cap)
{
	const uint32_t defer = KMSCAP_ATTACH_FLIP_DONE | KMSCAP_ATTACH_FLIP_DONE_DEFER;

	open_framed(KMSCAP_CAP_FLIP_DONE);
	ck_assert_int_eq(kmscap_attach_flags(dev, 5, 4, 0, defer), -EOPNOTSUPP);
	ck_assert_int_eq(fake.calls[_IOC_NR(KMSCAP_IOC_ATTACH)], 0);
	kmscap_close(dev);
	dev = NULL;
	open_framed(KMSCAP_CAP_FLIP_DONE_DEFER);
	ck_assert_int_eq(kmscap_attach_flags(dev, 5, 4, 0, defer), 0);
	ck_assert_uint_eq(fake.attach.flags, KMSCAP_ATTACH_FRAMED | defer);
}
END_TEST

/* Frames come out of kmscap_read_events(), flip-done events out of kmscap_read_flip_done(). */
START_TEST(test_read_flip_done)
{
	struct kmscap_event_flip_done d[4];
	struct kmscap_event in, out[4];
	unsigned char buf[1024];
	size_t n = 0;

	open_framed(KMSCAP_CAP_FLIP_DONE);
	ck_assert_int_eq(kmscap_attach_flags(dev, 5, 4, 0, KMSCAP_ATTACH_FLIP_DONE), 0);
	ck_assert_uint_eq(fake.attach.flags, KMSCAP_ATTACH_FRAMED | KMSCAP_ATTACH_FLIP_DONE);
	ck_assert_int_eq(kmscap_read_flip_done(dev, d, 4), 0);

	frame_event(&in, 1, 17);
	n += framed_frame(buf + n, &in);
	n += framed_flip_done(buf + n, 1, 0, 0, 0);
	frame_event(&in, 2, 18);
	n += framed_frame(buf + n, &in);
	n += framed_flip_done(buf + n, 2, KMSCAP_FLIP_DONE_WAITED, 500, 0);
	ck_assert_int_eq(write(writer, buf, n), (ssize_t)n);
	ck_assert_int_eq(kmscap_read_events(dev, out, 4), 2);
	ck_assert_uint_eq(out[0].seq, 1);
	ck_assert_uint_eq(out[1].seq, 2);
	ck_assert_int_eq(kmscap_read_flip_done(dev, d, 1), 1);
	ck_assert_uint_eq(d[0].seq, 1);
	ck_assert_int_eq(kmscap_read_flip_done(dev, d, 4), 1);
	ck_assert_uint_eq(d[0].seq, 2);
	ck_assert_uint_eq(d[0].hold_wait_ns, 500);
	ck_assert_int_eq(kmscap_read_flip_done(dev, d, 4), 0);

	/* a flip-done alone: kmscap_next_frame() keeps it and goes on waiting */
	n = framed_flip_done(buf, 3, 0, 0, 0);
	ck_assert_int_eq(write(writer, buf, n), (ssize_t)n);
	ck_assert_int_eq(kmscap_next_frame(dev, 0, out), KMSCAP_NEXT_TIMEOUT);
	ck_assert_int_eq(kmscap_read_flip_done(dev, d, 4), 1);
	ck_assert_uint_eq(d[0].seq, 3);
	ck_assert_int_eq(kmscap_read_flip_done(NULL, d, 4), -EINVAL);
	ck_assert_int_eq(kmscap_read_flip_done(dev, NULL, 4), -EINVAL);
}
END_TEST

/* Beyond KMSCAP_FLIP_DONE_KEPT untaken, the oldest go, counted with the module's own losses. */
START_TEST(test_flip_done_kept)
{
	struct kmscap_event_flip_done d[KMSCAP_FLIP_DONE_KEPT + 1];
	struct kmscap_event out[4];
	unsigned char buf[sizeof(struct kmscap_event_flip_done)];
	const unsigned int total = KMSCAP_FLIP_DONE_KEPT + 6;
	unsigned int i;
	size_t n;

	open_framed(KMSCAP_CAP_FLIP_DONE);
	ck_assert_int_eq(kmscap_attach_flags(dev, 5, 4, 0, KMSCAP_ATTACH_FLIP_DONE), 0);
	for (i = 1; i <= total; i++) {
		n = framed_flip_done(buf, i, 0, 0, 0);
		/* the module lost 2 before the 3rd */
		if (i == 3)
			((struct kmscap_event_flip_done *)buf)->dropped = 2;
		ck_assert_int_eq(write(writer, buf, n), (ssize_t)n);
		/* one event per read, as the module returns whole events: no frame */
		ck_assert_int_eq(kmscap_read_events(dev, out, 4), 0);
	}
	ck_assert_int_eq(kmscap_read_flip_done(dev, d, KMSCAP_FLIP_DONE_KEPT + 1),
			 KMSCAP_FLIP_DONE_KEPT);
	ck_assert_uint_eq(d[0].seq, total - KMSCAP_FLIP_DONE_KEPT + 1);
	/* 6 lost in the library, 2 by the module before the 3rd (lost too) */
	ck_assert_uint_eq(d[0].dropped, 6 + 2);
	for (i = 1; i < KMSCAP_FLIP_DONE_KEPT; i++) {
		ck_assert_uint_eq(d[i].seq, d[0].seq + i);
		ck_assert_uint_eq(d[i].dropped, 0);
	}
}
END_TEST

static Suite *flip_done_suite(void)
{
	Suite *s = suite_create("flip_done");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_flip_done);
	tcase_add_test(tc, test_parse_flip_done_reject);
	suite_add_tcase(s, tc);

	tc = tcase_create("handle");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_attach_needs_cap);
	tcase_add_test(tc, test_defer_needs_cap);
	tcase_add_test(tc, test_read_flip_done);
	tcase_add_test(tc, test_flip_done_kept);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kmscap_run_suite(flip_done_suite());
}
