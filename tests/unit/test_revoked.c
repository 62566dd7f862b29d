// SPDX-License-Identifier: MIT
/*
 * Unit tests of kmscap_frame_revoked() and kmscap_prep_release_sqe()
 * (LIBKMSCAP_1.5).  The status page is a structure of the test's own,
 * written as the module writes it, given to kmscap_revoked_in() (what
 * kmscap_frame_revoked() calls on the mapped page): revocations are found
 * however many questions come between; 32 or more new ones at once (the
 * module's ring turned over) make every frame read until then "revoked";
 * so does a seq the library's own ring of 64 had to drop; the counter
 * wraps at 2^32.  The VM selftest libkmscap checks the real page.
 */
#include <linux/io_uring.h>

#include "fake_kmscap.h"
#include "libkmscap_priv.h"

static struct kmscap_client_status page;

/* What the module does when it revokes frame @seq. */
static void note(uint64_t seq)
{
	page.revoked_seq[page.revokes % KMSCAP_STATUS_REVOKED] = seq;
	page.revokes++;
}

static void open_attached(void)
{
	fake.version.caps |= KMSCAP_CAP_STATUS_PAGE | KMSCAP_CAP_URING_RELEASE;
	open_dev();
	ck_assert_int_eq(kmscap_attach(dev, 5, 4, 0), 0);
	memset(&page, 0, sizeof(page));
}

START_TEST(test_found)
{
	uint64_t s;

	open_attached();
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 7), 0);
	note(7);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 8), 0);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 7), 1);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 7), 1);	/* still, once scanned */
	/* 31 more, one at a time, 31 questions between: all found */
	for (s = 100; s < 131; s++) {
		note(s);
		ck_assert_int_eq(kmscap_revoked_in(dev, &page, s + 1000), 0);
	}
	for (s = 100; s < 131; s++)
		ck_assert_int_eq(kmscap_revoked_in(dev, &page, s), 1);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 99), 0);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 131), 0);
}
END_TEST

/* 31 new at once can be read; 32 cannot be trusted: all read so far are suspect. */
START_TEST(test_turned_over)
{
	uint64_t s;

	open_attached();
	dev->max_seq = 500;
	for (s = 200; s < 231; s++)
		note(s);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 230), 1);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 499), 0);
	for (s = 300; s < 332; s++)
		note(s);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 499), 1);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 500), 1);
	/* a frame read after the turn-over is judged by the new slots again */
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 501), 0);
	note(501);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 501), 1);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 502), 0);
}
END_TEST

/* The library keeps 64 seqs: the ones it drops make older frames suspect. */
START_TEST(test_kept_ring)
{
	uint64_t s;

	open_attached();
	for (s = 1000; s < 1070; s += 10) {
		uint64_t t;

		for (t = s; t < s + 10; t++)
			note(t);
		ck_assert_int_eq(kmscap_revoked_in(dev, &page, 5000), 0);
	}
	/* 70 scanned: 1000..1005 dropped, so 1005 and below are suspect */
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 1005), 1);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 3), 1);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 1069), 1);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 1070), 0);
}
END_TEST

START_TEST(test_counter_wraps)
{
	open_attached();
	page.revokes = 0xfffffffeu;
	dev->rv_seen = 0xfffffffeu;
	note(40);
	note(41);
	note(42);
	ck_assert_uint_eq(page.revokes, 1);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 40), 1);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 42), 1);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 43), 0);
	ck_assert_int_eq(kmscap_revoked_in(dev, &page, 39), 0);
}
END_TEST

START_TEST(test_refused)
{
	open_dev();
	ck_assert_int_eq(kmscap_frame_revoked(NULL, 1), -EINVAL);
	ck_assert_int_eq(kmscap_frame_revoked(dev, 1), -ENOTCONN);
	ck_assert_int_eq(kmscap_attach(dev, 5, 4, 0), 0);
	/* a 1.4 module: no status page, no mapping tried */
	ck_assert_int_eq(kmscap_frame_revoked(dev, 1), -EOPNOTSUPP);
}
END_TEST

START_TEST(test_prep_release_sqe)
{
	struct io_uring_sqe sqe, zero;
	struct kmscap_release rel;

	memset(&sqe, 0x5a, sizeof(sqe));
	open_dev();
	ck_assert_int_eq(kmscap_prep_release_sqe(dev, &sqe, 9), -EOPNOTSUPP);
	ck_assert_int_eq(kmscap_prep_release_sqe(NULL, &sqe, 9), -EINVAL);
	ck_assert_int_eq(kmscap_prep_release_sqe(dev, NULL, 9), -EINVAL);
	kmscap_close(dev);
	dev = NULL;
	fake.version.caps |= KMSCAP_CAP_URING_RELEASE;
	open_dev();
	ck_assert_int_eq(kmscap_prep_release_sqe(dev, &sqe, 0x123456789abcull), 0);
	ck_assert_uint_eq(sqe.opcode, IORING_OP_URING_CMD);
	ck_assert_int_eq(sqe.fd, kmscap_fd(dev));
	ck_assert_uint_eq(sqe.cmd_op, KMSCAP_IOC_RELEASE);
	memcpy(&rel, sqe.cmd, sizeof(rel));
	ck_assert_uint_eq(rel.seq, 0x123456789abcull);
	/* everything else is zero: flags, user_data, the rest of the command */
	memset(&zero, 0, sizeof(zero));
	zero.opcode = sqe.opcode;
	zero.fd = sqe.fd;
	zero.cmd_op = sqe.cmd_op;
	memcpy(zero.cmd, &rel, sizeof(rel));
	ck_assert_mem_eq(&sqe, &zero, sizeof(sqe));
}
END_TEST

static Suite *revoked_suite(void)
{
	Suite *s = suite_create("revoked");
	TCase *tc = tcase_create("status page");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_found);
	tcase_add_test(tc, test_turned_over);
	tcase_add_test(tc, test_kept_ring);
	tcase_add_test(tc, test_counter_wraps);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_prep_release_sqe);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kmscap_run_suite(revoked_suite());
}
