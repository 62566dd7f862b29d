// SPDX-License-Identifier: MIT
/*
 * Unit tests: error message texts, and the errors kmscap_open() returns
 * for paths that are not a kmscap device.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmscap_check.h"
#include "libkmscap.h"

static const char *msg(int err, enum kmscap_err_ctx ctx, const char *subject)
{
	static char buf[256];

	memset(buf, 'z', sizeof(buf));
	return kmscap_strerror_ctx(err, ctx, subject, buf, sizeof(buf));
}

START_TEST(test_open_messages)
{
	ck_assert_str_eq(msg(-ENOENT, KMSCAP_ERR_OPEN, "/dev/kmscap"),
			 "/dev/kmscap: no such device — is the kmscap module loaded?");
	ck_assert_str_eq(msg(-ENODEV, KMSCAP_ERR_OPEN, "/dev/kmscap"),
			 "/dev/kmscap: no such device — is the kmscap module loaded?");
	ck_assert_str_eq(msg(-ENXIO, KMSCAP_ERR_OPEN, "/dev/kmscap"),
			 "/dev/kmscap: no such device — is the kmscap module loaded?");
	ck_assert_str_eq(msg(-EACCES, KMSCAP_ERR_OPEN, "/dev/kmscap"),
			 "/dev/kmscap: permission denied — is your user in group kmscap?");
	ck_assert_str_eq(msg(-EPERM, KMSCAP_ERR_OPEN, "/dev/kmscap"),
			 "/dev/kmscap: permission denied — is your user in group kmscap?");
	/* the path is the one given */
	ck_assert_str_eq(msg(-EACCES, KMSCAP_ERR_OPEN, "/tmp/other"),
			 "/tmp/other: permission denied — is your user in group kmscap?");
	ck_assert_str_eq(msg(-ENOTTY, KMSCAP_ERR_OPEN, "/dev/null"),
			 "/dev/null: not a kmscap device");
	ck_assert_ptr_nonnull(strstr(msg(-EPROTO, KMSCAP_ERR_OPEN, "/dev/kmscap"), "ABI"));
	/* anything else: the path and strerror() */
	ck_assert_str_eq(msg(-EISDIR, KMSCAP_ERR_OPEN, "/tmp"), "/tmp: Is a directory");
}
END_TEST

START_TEST(test_sign_does_not_matter)
{
	char a[128], b[128];

	kmscap_strerror_ctx(ENOENT, KMSCAP_ERR_DISPLAY, "7", a, sizeof(a));
	kmscap_strerror_ctx(-ENOENT, KMSCAP_ERR_DISPLAY, "7", b, sizeof(b));
	ck_assert_str_eq(a, b);
	ck_assert_str_eq(a, "no such display 7");
}
END_TEST

START_TEST(test_display_messages)
{
	ck_assert_str_eq(msg(-ENOENT, KMSCAP_ERR_DISPLAY, "7"), "no such display 7");
	ck_assert_str_eq(msg(-ENOENT, KMSCAP_ERR_DISPLAY, "12345"), "no such display 12345");
	ck_assert_str_eq(msg(-EPERM, KMSCAP_ERR_DISPLAY, "3"),
			 "display 3 belongs to another user");
	ck_assert_str_eq(msg(-ENOSPC, KMSCAP_ERR_DISPLAY, "3"),
			 "too many displays (module limit max_displays)");
	ck_assert_str_eq(msg(-EINVAL, KMSCAP_ERR_DISPLAY, "3"), "display 3: invalid argument");
	ck_assert_str_eq(msg(-EIO, KMSCAP_ERR_DISPLAY, "3"), "display 3: Input/output error");
	ck_assert_str_eq(msg(-EBUSY, KMSCAP_ERR_ATTACH, "3"),
			 "display 3: this handle is already attached");
	ck_assert_str_eq(msg(-ENOENT, KMSCAP_ERR_ATTACH, "9"), "no such display 9");
}
END_TEST

START_TEST(test_create_messages)
{
	ck_assert_str_eq(msg(-ENOSPC, KMSCAP_ERR_CREATE, "1920x1080@60"),
			 "too many displays (module limit max_displays)");
	ck_assert_str_eq(msg(-EDQUOT, KMSCAP_ERR_CREATE, "1920x1080@60"),
			 "you own too many displays (module limit max_displays_per_user)");
	ck_assert_str_eq(msg(-EINVAL, KMSCAP_ERR_CREATE, "1920x1080@60"),
			 "invalid mode '1920x1080@60': rejected by the module");
	ck_assert_str_eq(msg(-ENOMEM, KMSCAP_ERR_CREATE, "1920x1080@60"),
			 "cannot create a 1920x1080@60 display: Cannot allocate memory");
}
END_TEST

/* The reason comes from the mode parser itself. */
START_TEST(test_mode_messages)
{
	ck_assert_str_eq(msg(-ERANGE, KMSCAP_ERR_MODE, "0x0"),
			 "invalid mode '0x0': width and height must be 64..8192");
	ck_assert_str_eq(msg(-EINVAL, KMSCAP_ERR_MODE, "1920x1080@60Hz"),
			 "invalid mode '1920x1080@60Hz': unexpected characters after the refresh rate");
	ck_assert_str_eq(msg(-ERANGE, KMSCAP_ERR_MODE, "1920x1080@501"),
			 "invalid mode '1920x1080@501': refresh rate must be 1..500 Hz");
	/* a mode that parses but that the module refused */
	ck_assert_str_eq(msg(-EINVAL, KMSCAP_ERR_MODE, "1920x1080@60"),
			 "invalid mode '1920x1080@60': rejected by the module");
}
END_TEST

START_TEST(test_export_messages)
{
	ck_assert_str_eq(msg(-ENOENT, KMSCAP_ERR_EXPORT, "17"),
			 "buffer 17: no such buffer (gone or never seen)");
	ck_assert_str_eq(msg(-EMFILE, KMSCAP_ERR_EXPORT, "17"),
			 "buffer 17: cannot export: Too many open files");
}
END_TEST

START_TEST(test_truncation)
{
	char buf[12];

	memset(buf, 'z', sizeof(buf));
	ck_assert_ptr_eq(kmscap_strerror_ctx(-ENOENT, KMSCAP_ERR_DISPLAY, "7", buf, sizeof(buf)),
			 buf);
	ck_assert_str_eq(buf, "no such dis");	/* cut, NUL-terminated */
	ck_assert_str_eq(kmscap_strerror_ctx(-ENOENT, KMSCAP_ERR_DISPLAY, "7", NULL, 10), "");
	ck_assert_str_eq(msg(-ENOENT, KMSCAP_ERR_DISPLAY, NULL), "no such display ?");
}
END_TEST

START_TEST(test_open_errors)
{
	char dir[] = "/tmp/kmscap-unit-XXXXXX";
	char path[64];
	struct kmscap_dev *dev = (struct kmscap_dev *)&dir;	/* must stay untouched */
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));

	snprintf(path, sizeof(path), "%s/missing", dir);
	ck_assert_int_eq(kmscap_open(path, &dev), -ENOENT);
	ck_assert_ptr_eq(dev, (struct kmscap_dev *)&dir);

	/* a regular file answers no ioctl */
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(kmscap_open(path, &dev), -ENOTTY);
	unlink(path);

	ck_assert_int_eq(kmscap_open(dir, &dev), -EISDIR);
	ck_assert_int_eq(kmscap_open("/dev/null", &dev), -ENOTTY);
	ck_assert_int_eq(kmscap_open("/dev/null", NULL), -EINVAL);
	rmdir(dir);

	/* $KMSCAP_DEVICE overrides the default path */
	setenv(KMSCAP_DEVICE_ENV, "/dev/null", 1);
	ck_assert_int_eq(kmscap_open(NULL, &dev), -ENOTTY);
	setenv(KMSCAP_DEVICE_ENV, "/nonexistent/kmscap", 1);
	ck_assert_int_eq(kmscap_open(NULL, &dev), -ENOENT);
	unsetenv(KMSCAP_DEVICE_ENV);
	ck_assert_ptr_eq(dev, (struct kmscap_dev *)&dir);
}
END_TEST

START_TEST(test_null_handles)
{
	struct kmscap_display_info info;
	struct kmscap_event ev;
	uint32_t *ids;

	kmscap_close(NULL);
	ck_assert_int_eq(kmscap_fd(NULL), -EINVAL);
	ck_assert_int_eq(kmscap_display_create(NULL, 64, 64, 60000, 0, NULL, NULL), -EINVAL);
	ck_assert_int_eq(kmscap_display_info(NULL, 1, &info), -EINVAL);
	ck_assert_int_eq(kmscap_display_list(NULL, &ids), -EINVAL);
	ck_assert_int_eq(kmscap_next_frame(NULL, 0, &ev), -EINVAL);
	ck_assert_int_eq(kmscap_read_events(NULL, &ev, 1), -EINVAL);
	ck_assert_int_eq(kmscap_buffer_fd(NULL, 1, NULL), -EINVAL);
}
END_TEST

static Suite *errors_suite(void)
{
	Suite *s = suite_create("errors");
	TCase *tc;

	tc = tcase_create("messages");
	tcase_add_test(tc, test_open_messages);
	tcase_add_test(tc, test_sign_does_not_matter);
	tcase_add_test(tc, test_display_messages);
	tcase_add_test(tc, test_create_messages);
	tcase_add_test(tc, test_mode_messages);
	tcase_add_test(tc, test_export_messages);
	tcase_add_test(tc, test_truncation);
	suite_add_tcase(s, tc);

	tc = tcase_create("open");
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_null_handles);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return kmscap_run_suite(errors_suite());
}
