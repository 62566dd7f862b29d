// SPDX-License-Identifier: MIT
/*
 * Unit tests: the libkmscap device layer against a fake /dev/kmscap
 * (fake_kmscap.h): the wrappers, the list growth, event reading with
 * timeouts, hang-up handling and the per-handle buffer cache, without
 * the module.
 */
#include "fake_kmscap.h"

/* ---- tests --------------------------------------------------------------- */

START_TEST(test_open_version)
{
	size_t v10 = offsetof(struct kmscap_version, max_event_size);
	struct kmscap_version v;

	open_dev();
	ck_assert_int_eq(fake.calls[_IOC_NR(KMSCAP_IOC_VERSION)], 1);
	/* the 1.0 fields only: an older program's structure has no more */
	memset(&v, 0xa5, sizeof(v));
	ck_assert_int_eq(kmscap_get_version(dev, &v), 0);
	ck_assert_int_eq(memcmp(&v, &fake.version, v10), 0);
	ck_assert_uint_eq(v.max_event_size, 0xa5a5a5a5u);
	ck_assert_str_eq(kmscap_path(dev), path);
	ck_assert_int_ge(kmscap_fd(dev), 0);
	ck_assert_int_ne(fcntl(kmscap_fd(dev), F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_eq(kmscap_hung_up(dev), 0);
}
END_TEST

START_TEST(test_open_abi_mismatch)
{
	struct kmscap_dev *d = NULL;

	fake.version.major = KMSCAP_ABI_MAJOR + 1;
	ck_assert_int_eq(kmscap_open(path, &d), -EPROTO);
	ck_assert_ptr_null(d);
	/* a newer minor is fine */
	fake.version.major = KMSCAP_ABI_MAJOR;
	fake.version.minor = KMSCAP_ABI_MINOR + 5;
	ck_assert_int_eq(kmscap_open(path, &d), 0);
	kmscap_close(d);
	/* events smaller than this library's struct cannot be decoded */
	fake.version.event_size = sizeof(struct kmscap_event) - 8;
	ck_assert_int_eq(kmscap_open(path, &d), -EPROTO);
	/* VERSION failing with EINVAL (another driver) reads as "not kmscap" */
	fake.version.event_size = sizeof(struct kmscap_event);
	fake.fail_nr = _IOC_NR(KMSCAP_IOC_VERSION);
	fake.fail_errno = EINVAL;
	ck_assert_int_eq(kmscap_open(path, &d), -ENOTTY);
	fake.fail_errno = EIO;
	ck_assert_int_eq(kmscap_open(path, &d), -EIO);
}
END_TEST

START_TEST(test_display_wrappers)
{
	struct kmscap_display_info info;
	uint32_t id = 0, minor = 0;

	open_dev();
	ck_assert_int_eq(kmscap_display_create(dev, 2560, 1440, 143912,
					       KMSCAP_CREATE_DISCONNECTED, &id, &minor), 0);
	ck_assert_uint_eq(fake.create.width, 2560);
	ck_assert_uint_eq(fake.create.height, 1440);
	ck_assert_uint_eq(fake.create.refresh_mhz, 143912);
	ck_assert_uint_eq(fake.create.flags, KMSCAP_CREATE_DISCONNECTED);
	ck_assert_uint_eq(fake.create.id, 0);
	ck_assert_uint_eq(id, 5);
	ck_assert_uint_eq(minor, 2);
	ck_assert_int_eq(kmscap_display_create(dev, 64, 64, 1000, 0, NULL, NULL), 0);

	ck_assert_int_eq(kmscap_display_set_mode(dev, 7, 1280, 720, 50000), 0);
	ck_assert_uint_eq(fake.config.id, 7);
	ck_assert_uint_eq(fake.config.flags, KMSCAP_CONFIG_MODE);
	ck_assert_uint_eq(fake.config.width, 1280);
	ck_assert_uint_eq(fake.config.height, 720);
	ck_assert_uint_eq(fake.config.refresh_mhz, 50000);
	ck_assert_uint_eq(fake.config.pad, 0);

	ck_assert_int_eq(kmscap_display_connect(dev, 8), 0);
	ck_assert_uint_eq(fake.config.id, 8);
	ck_assert_uint_eq(fake.config.flags, KMSCAP_CONFIG_CONNECT);
	ck_assert_uint_eq(fake.config.width | fake.config.height | fake.config.refresh_mhz, 0);
	ck_assert_int_eq(kmscap_display_disconnect(dev, 9), 0);
	ck_assert_uint_eq(fake.config.id, 9);
	ck_assert_uint_eq(fake.config.flags, KMSCAP_CONFIG_DISCONNECT);

	ck_assert_int_eq(kmscap_display_destroy(dev, 11), 0);
	ck_assert_uint_eq(fake.destroy.id, 11);
	ck_assert_uint_eq(fake.destroy.pad, 0);

	ck_assert_int_eq(kmscap_display_info(dev, 4, &info), 0);
	ck_assert_uint_eq(info.id, 4);
	ck_assert_uint_eq(info.card_minor, 5);
	ck_assert_uint_eq(info.refresh_mhz, 59940);
	ck_assert_uint_eq(info.frames, 12345678901ULL);
}
END_TEST

START_TEST(test_errors_are_negative_errno)
{
	static const int errs[] = { ENOENT, EPERM, ENOSPC, EINVAL };
	struct kmscap_display_info info;
	uint32_t id = 77;
	size_t i;

	open_dev();
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fake.fail_errno = errs[i];
		fake.fail_nr = _IOC_NR(KMSCAP_IOC_DISPLAY_CREATE);
		ck_assert_int_eq(kmscap_display_create(dev, 64, 64, 1000, 0, &id, NULL),
				 -errs[i]);
		ck_assert_uint_eq(id, 77);	/* untouched */
		fake.fail_nr = _IOC_NR(KMSCAP_IOC_DISPLAY_CONFIG);
		ck_assert_int_eq(kmscap_display_connect(dev, 1), -errs[i]);
		fake.fail_nr = _IOC_NR(KMSCAP_IOC_DISPLAY_DESTROY);
		ck_assert_int_eq(kmscap_display_destroy(dev, 1), -errs[i]);
		fake.fail_nr = _IOC_NR(KMSCAP_IOC_DISPLAY_INFO);
		ck_assert_int_eq(kmscap_display_info(dev, 1, &info), -errs[i]);
		fake.fail_nr = _IOC_NR(KMSCAP_IOC_RELEASE);
		ck_assert_int_eq(kmscap_release(dev, 1), -errs[i]);
	}
}
END_TEST

START_TEST(test_list_grows)
{
	uint32_t *ids = NULL, i;
	int n;

	open_dev();
	/* none */
	ck_assert_int_eq(kmscap_display_list(dev, &ids), 0);
	ck_assert_ptr_null(ids);

	/* 3 displays */
	fake.nids = 3;
	fake.ids[0] = 4;
	fake.ids[1] = 9;
	fake.ids[2] = 1;
	n = kmscap_display_list(dev, &ids);
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(ids[0], 4);
	ck_assert_uint_eq(ids[1], 9);
	ck_assert_uint_eq(ids[2], 1);
	free(ids);

	/* 8 more appear on each of the next 4 calls: the buffer must keep growing */
	fake.grow_on_list = 4;
	fake.calls[_IOC_NR(KMSCAP_IOC_DISPLAY_LIST)] = 0;
	n = kmscap_display_list(dev, &ids);
	ck_assert_int_eq(n, (int)fake.nids);
	ck_assert_int_ge(n, 3 + 4 * 5);
	ck_assert_int_ge(fake.calls[_IOC_NR(KMSCAP_IOC_DISPLAY_LIST)], 3);
	for (i = 0; i < (uint32_t)n; i++)
		ck_assert_uint_eq(ids[i], fake.ids[i]);
	free(ids);

	fake.fail_nr = _IOC_NR(KMSCAP_IOC_DISPLAY_LIST);
	fake.fail_errno = EFAULT;
	ids = (uint32_t *)&n;
	ck_assert_int_eq(kmscap_display_list(dev, &ids), -EFAULT);
	ck_assert_ptr_null(ids);
}
END_TEST

START_TEST(test_capture_wrappers)
{
	struct kmscap_client_stats st;
	uint64_t size = 0;
	int fd;

	open_dev();
	ck_assert_int_eq(kmscap_attach(dev, 5, 8, 2000000), 0);
	ck_assert_uint_eq(fake.attach.display_id, 5);
	ck_assert_uint_eq(fake.attach.queue_depth, 8);
	ck_assert_uint_eq(fake.attach.hold_timeout_ns, 2000000);
	ck_assert_uint_eq(fake.attach.flags | fake.attach.pad, 0);

	ck_assert_int_eq(kmscap_release(dev, 1ULL << 40), 0);
	ck_assert_uint_eq(fake.release.seq, 1ULL << 40);

	ck_assert_int_eq(kmscap_stats(dev, &st), 0);
	ck_assert_uint_eq(st.flips, 10);
	ck_assert_uint_eq(st.delivered + st.dropped_queue + st.dropped_timeout + st.queued +
			  st.held, st.flips);

	fd = kmscap_export(dev, 3, 0, &size);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(size, 8192);
	ck_assert_uint_eq(fake.export.buffer_id, 3);
	ck_assert_uint_eq(fake.export.flags, 0);
	close(fd);
}
END_TEST

START_TEST(test_next_frame_timeout)
{
	struct kmscap_event ev;
	int64_t t0, dt;

	open_dev();
	ck_assert_int_eq(kmscap_next_frame(dev, 0, &ev), KMSCAP_NEXT_TIMEOUT);
	t0 = now_ms();
	ck_assert_int_eq(kmscap_next_frame(dev, 100, &ev), KMSCAP_NEXT_TIMEOUT);
	dt = now_ms() - t0;
	ck_assert_msg(dt >= 95 && dt < 2000, "a 100 ms timeout took %lld ms", (long long)dt);
}
END_TEST

START_TEST(test_next_frame_reads)
{
	struct kmscap_event in, out;

	open_dev();
	frame_event(&in, 1, 17);
	send_event(&in);
	frame_event(&in, 2, 18);
	send_event(&in);

	ck_assert_int_eq(kmscap_next_frame(dev, 1000, &out), KMSCAP_NEXT_FRAME);
	ck_assert_uint_eq(out.seq, 1);
	ck_assert_uint_eq(out.buffer_id, 17);
	ck_assert_int_eq(kmscap_next_frame(dev, -1, &out), KMSCAP_NEXT_FRAME);
	ck_assert_uint_eq(out.seq, 2);
	ck_assert_int_eq(memcmp(&in, &out, sizeof(in)), 0);
	ck_assert_int_eq(kmscap_next_frame(dev, 0, &out), KMSCAP_NEXT_TIMEOUT);
}
END_TEST

/* A newer module with larger events: frames are still split correctly. */
START_TEST(test_larger_event_size)
{
	struct kmscap_event in, out[4];
	int i;

	fake.version.event_size = sizeof(struct kmscap_event) + 40;
	open_dev();
	for (i = 0; i < 3; i++) {
		frame_event(&in, 10 + i, 20 + i);
		send_event(&in);
	}
	ck_assert_int_eq(kmscap_next_frame(dev, 1000, &out[0]), KMSCAP_NEXT_FRAME);
	ck_assert_uint_eq(out[0].seq, 10);
	ck_assert_int_eq(kmscap_read_events(dev, out, 4), 2);
	ck_assert_uint_eq(out[0].seq, 11);
	ck_assert_uint_eq(out[1].seq, 12);
	ck_assert_uint_eq(out[1].buffer_id, 22);
}
END_TEST

START_TEST(test_read_events)
{
	struct kmscap_event in, out[8];
	int i;

	open_dev();
	ck_assert_int_eq(kmscap_read_events(dev, out, 8), 0);
	for (i = 0; i < 5; i++) {
		frame_event(&in, 100 + i, 1);
		send_event(&in);
	}
	ck_assert_int_eq(kmscap_read_events(dev, out, 2), 2);
	ck_assert_uint_eq(out[0].seq, 100);
	ck_assert_uint_eq(out[1].seq, 101);
	ck_assert_int_eq(kmscap_read_events(dev, out, 8), 3);
	ck_assert_uint_eq(out[2].seq, 104);
	ck_assert_int_eq(kmscap_read_events(dev, out, 8), 0);
	ck_assert_int_eq(kmscap_read_events(dev, out, 0), 0);
}
END_TEST

START_TEST(test_malformed_event)
{
	struct kmscap_event in, out;

	open_dev();
	frame_event(&in, 1, 1);
	in.num_damage = KMSCAP_MAX_DAMAGE + 1;
	send_event(&in);
	ck_assert_int_eq(kmscap_next_frame(dev, 1000, &out), -EBADMSG);
	/* the malformed frame is given back, not left held */
	ck_assert_int_eq(fake.calls[_IOC_NR(KMSCAP_IOC_RELEASE)], 1);
	ck_assert_uint_eq(fake.release.seq, 1);
	frame_event(&in, 2, 1);
	in.type = 77;
	send_event(&in);
	/* an unknown type is skipped, not an error, and nothing is released */
	ck_assert_int_eq(kmscap_read_events(dev, &out, 1), 0);
	ck_assert_int_eq(fake.calls[_IOC_NR(KMSCAP_IOC_RELEASE)], 1);
	/* a good one after that is read normally */
	frame_event(&in, 3, 1);
	send_event(&in);
	ck_assert_int_eq(kmscap_next_frame(dev, 1000, &out), KMSCAP_NEXT_FRAME);
	ck_assert_uint_eq(out.seq, 3);
}
END_TEST

/* good, bad, good in one read: the good ones come now, the error next */
START_TEST(test_malformed_in_batch)
{
	struct kmscap_event in, out[4];

	open_dev();
	frame_event(&in, 1, 1);
	send_event(&in);
	frame_event(&in, 2, 1);
	in.pad = 9;
	send_event(&in);
	frame_event(&in, 3, 1);
	send_event(&in);
	memset(out, 0, sizeof(out));
	ck_assert_int_eq(kmscap_read_events(dev, out, 4), 2);
	ck_assert_uint_eq(out[0].seq, 1);
	ck_assert_uint_eq(out[1].seq, 3);
	ck_assert_uint_eq(fake.release.seq, 2);
	ck_assert_int_eq(kmscap_next_frame(dev, 0, out), -EBADMSG);
	ck_assert_int_eq(kmscap_read_events(dev, out, 4), 0);
	ck_assert_int_eq(kmscap_next_frame(dev, 0, out), KMSCAP_NEXT_TIMEOUT);
}
END_TEST

/* An event of a type this library does not know, @len bytes. */
static size_t framed_unknown(unsigned char *buf, uint32_t type, uint32_t len)
{
	struct kmscap_event_header h = { .type = type, .length = len };

	memset(buf, 0x5a, len);
	memcpy(buf, &h, sizeof(h));
	return len;
}

/*
 * A 1.2 module: libkmscap attaches for framed events and skips the types
 * it does not know, in a batch and one event at a time.
 */
START_TEST(test_framed_skips_unknown)
{
	unsigned char buf[2048];
	struct kmscap_event in, out[4];
	size_t n = 0;

	fake.version.max_event_size = sizeof(struct kmscap_event_frame) +
				      KMSCAP_MAX_DAMAGE * sizeof(struct kmscap_rect);
	open_dev();
	ck_assert_int_eq(kmscap_attach(dev, 5, 4, 0), 0);
	ck_assert_uint_eq(fake.attach.flags, KMSCAP_ATTACH_FRAMED);

	n += framed_unknown(buf + n, 0x100, 32);
	frame_event(&in, 1, 17);
	n += framed_frame(buf + n, &in);
	n += framed_unknown(buf + n, 0xffffffffu, 64);
	frame_event(&in, 2, 18);
	n += framed_frame(buf + n, &in);
	ck_assert_int_eq(write(writer, buf, n), (ssize_t)n);
	memset(out, 0, sizeof(out));
	ck_assert_int_eq(kmscap_read_events(dev, out, 4), 2);
	ck_assert_uint_eq(out[0].seq, 1);
	ck_assert_uint_eq(out[0].buffer_id, 17);
	ck_assert_uint_eq(out[1].seq, 2);
	ck_assert_uint_eq(out[1].buffer_id, 18);
	ck_assert_int_eq(fake.calls[_IOC_NR(KMSCAP_IOC_RELEASE)], 0);

	/* one at a time: the unknown one first, then the frame */
	n = framed_unknown(buf, 0x200, 8);
	frame_event(&in, 3, 19);
	n += framed_frame(buf + n, &in);
	ck_assert_int_eq(write(writer, buf, n), (ssize_t)n);
	ck_assert_int_eq(kmscap_next_frame(dev, 1000, out), KMSCAP_NEXT_FRAME);
	ck_assert_uint_eq(out[0].seq, 3);
	ck_assert_int_eq(kmscap_next_frame(dev, 0, out), KMSCAP_NEXT_TIMEOUT);
}
END_TEST

/* A 1.1 module (max_event_size 0): the attach asks for 1.0 events, and no flags. */
START_TEST(test_old_module_not_framed)
{
	open_dev();
	ck_assert_int_eq(kmscap_attach_flags(dev, 5, 4, 0, KMSCAP_ATTACH_CURRENT_FRAME),
			 -EOPNOTSUPP);
	ck_assert_int_eq(fake.calls[_IOC_NR(KMSCAP_IOC_ATTACH)], 0);
	ck_assert_int_eq(kmscap_attach(dev, 5, 4, 0), 0);
	ck_assert_uint_eq(fake.attach.flags, 0);
}
END_TEST

/* A 1.2 module: the caller's flags go through, with FRAMED; unknown ones do not. */
START_TEST(test_attach_flags)
{
	fake.version.max_event_size = sizeof(struct kmscap_event_frame);
	open_dev();
	ck_assert_int_eq(kmscap_attach_flags(dev, 5, 4, 0, 1u << 31), -EINVAL);
	ck_assert_int_eq(kmscap_attach_flags(dev, 5, 4, 0, KMSCAP_ATTACH_CURRENT_FRAME), 0);
	ck_assert_uint_eq(fake.attach.flags, KMSCAP_ATTACH_FRAMED | KMSCAP_ATTACH_CURRENT_FRAME);
	ck_assert_uint_eq(fake.attach.display_id, 5);
}
END_TEST

START_TEST(test_hangup)
{
	struct kmscap_event in, out;
	int fd;

	open_dev();
	fd = kmscap_buffer_fd(dev, 17, NULL);
	ck_assert_int_ge(fd, 0);

	memset(&in, 0, sizeof(in));
	in.type = KMSCAP_EVENT_HANGUP;
	in.seq = 41;
	in.display_id = 5;
	send_event(&in);
	ck_assert_int_eq(kmscap_next_frame(dev, 1000, &out), KMSCAP_NEXT_HANGUP);
	ck_assert_uint_eq(out.type, KMSCAP_EVENT_HANGUP);
	ck_assert_uint_eq(out.seq, 41);
	ck_assert_int_eq(kmscap_hung_up(dev), 1);
	ck_assert_msg(fd_is_closed(fd), "the cached DMA-BUF fd survived the hang-up");

	/* sticky: a later frame is not returned */
	frame_event(&in, 42, 1);
	send_event(&in);
	ck_assert_int_eq(kmscap_next_frame(dev, 0, &out), KMSCAP_NEXT_HANGUP);
	ck_assert_uint_eq(out.type, KMSCAP_EVENT_HANGUP);
}
END_TEST

START_TEST(test_hangup_via_read_events)
{
	struct kmscap_event in, out[4];
	int fd;

	open_dev();
	fd = kmscap_buffer_fd(dev, 3, NULL);
	ck_assert_int_ge(fd, 0);
	frame_event(&in, 1, 3);
	send_event(&in);
	memset(&in, 0, sizeof(in));
	in.type = KMSCAP_EVENT_HANGUP;
	send_event(&in);
	ck_assert_int_eq(kmscap_read_events(dev, out, 4), 2);
	ck_assert_uint_eq(out[0].type, KMSCAP_EVENT_FRAME);
	ck_assert_uint_eq(out[1].type, KMSCAP_EVENT_HANGUP);
	ck_assert_int_eq(kmscap_hung_up(dev), 1);
	ck_assert(fd_is_closed(fd));
	ck_assert_int_eq(kmscap_next_frame(dev, 0, &out[0]), KMSCAP_NEXT_HANGUP);
}
END_TEST

START_TEST(test_buffer_cache)
{
	struct kmscap_event in, out;
	uint64_t size = 0;
	int fd, fd2, fd3;

	open_dev();
	fd = kmscap_buffer_fd(dev, 17, &size);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(size, 8192);
	ck_assert_uint_eq(fake.export.flags, KMSCAP_EXPORT_CLOEXEC);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_eq(kmscap_buffer_fd(dev, 17, NULL), fd);
	ck_assert_int_eq(fake.export_calls_for[17], 1);
	fd2 = kmscap_buffer_fd(dev, 18, NULL);
	ck_assert_int_ne(fd2, fd);

	/* an ordinary frame keeps the cache */
	frame_event(&in, 1, 17);
	send_event(&in);
	ck_assert_int_eq(kmscap_next_frame(dev, 1000, &out), KMSCAP_NEXT_FRAME);
	ck_assert_int_eq(kmscap_buffer_fd(dev, 17, NULL), fd);
	ck_assert_int_eq(fake.export_calls_for[17], 1);

	/* a new mode drops it before the frame is returned */
	frame_event(&in, 2, 17);
	in.flags |= KMSCAP_FRAME_NEW_MODE;
	send_event(&in);
	ck_assert_int_eq(kmscap_next_frame(dev, 1000, &out), KMSCAP_NEXT_FRAME);
	ck_assert(fd_is_closed(fd));
	ck_assert(fd_is_closed(fd2));
	fd3 = kmscap_buffer_fd(dev, 17, NULL);
	ck_assert_int_ge(fd3, 0);
	ck_assert_int_eq(fake.export_calls_for[17], 2);

	/* explicit invalidation */
	kmscap_invalidate_buffers(dev);
	ck_assert(fd_is_closed(fd3));
	ck_assert_int_ge(kmscap_buffer_fd(dev, 17, NULL), 0);
	ck_assert_int_eq(fake.export_calls_for[17], 3);

	/* export errors are passed on and not cached */
	fake.fail_nr = _IOC_NR(KMSCAP_IOC_EXPORT);
	fake.fail_errno = ENOENT;
	ck_assert_int_eq(kmscap_buffer_fd(dev, 30, NULL), -ENOENT);
	fake.fail_nr = -1;
	ck_assert_int_ge(kmscap_buffer_fd(dev, 30, NULL), 0);
}
END_TEST

static Suite *device_suite(void)
{
	Suite *s = suite_create("device");
	TCase *tc;

	tc = tcase_create("control");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_version);
	tcase_add_test(tc, test_open_abi_mismatch);
	tcase_add_test(tc, test_display_wrappers);
	tcase_add_test(tc, test_errors_are_negative_errno);
	tcase_add_test(tc, test_list_grows);
	tcase_add_test(tc, test_capture_wrappers);
	suite_add_tcase(s, tc);

	tc = tcase_create("capture");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_next_frame_timeout);
	tcase_add_test(tc, test_next_frame_reads);
	tcase_add_test(tc, test_larger_event_size);
	tcase_add_test(tc, test_read_events);
	tcase_add_test(tc, test_malformed_event);
	tcase_add_test(tc, test_malformed_in_batch);
	tcase_add_test(tc, test_framed_skips_unknown);
	tcase_add_test(tc, test_old_module_not_framed);
	tcase_add_test(tc, test_attach_flags);
	tcase_add_test(tc, test_hangup);
	tcase_add_test(tc, test_hangup_via_read_events);
	tcase_add_test(tc, test_buffer_cache);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kmscap_run_suite(device_suite());
}
