// SPDX-License-Identifier: MIT
/*
 * version: KMSCAP_IOC_VERSION reports the ABI this test was built against,
 * and unknown ioctls on the kmscap magic are rejected with ENOTTY.
 *
 * Exit status: 0 pass, 1 fail, 77 skip (no /dev/kmscap).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kmscap.h"

#define KMSCAP_VERSION_DEV	"/dev/kmscap"
#define KMSCAP_KNOWN_CAPS	(KMSCAP_CAP_DAMAGE | KMSCAP_CAP_CURSOR | \
				 KMSCAP_CAP_PRIME_IMPORT | KMSCAP_CAP_HOLD | \
				 KMSCAP_CAP_HOTPLUG | KMSCAP_CAP_FLIP_DONE | \
				 KMSCAP_CAP_GAMMA | KMSCAP_CAP_AUTO_RELEASE | \
				 KMSCAP_CAP_REPLUG | KMSCAP_CAP_MODIFIERS | \
				 KMSCAP_CAP_URING_RELEASE | KMSCAP_CAP_STATUS_PAGE | \
				 KMSCAP_CAP_FLIP_DONE_DEFER | KMSCAP_CAP_FRAME_RING)

static int kmscap_failures;

static void kmscap_check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("version: %s: ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		kmscap_failures++;
}

/* An ioctl number on the kmscap magic that must be unknown: ENOTTY. */
static void kmscap_check_unknown(int fd, unsigned long req, const char *what)
{
	struct kmscap_version buf;
	int ret, err;

	memset(&buf, 0, sizeof(buf));
	errno = 0;
	ret = ioctl(fd, req, &buf);
	err = errno;
	kmscap_check(ret == -1 && err == ENOTTY,
		     "%s (0x%08lx) on %s: ret %d errno %d (%s), want -1 ENOTTY",
		     what, req, KMSCAP_VERSION_DEV, ret, err, strerror(err));
}

int main(void)
{
	struct kmscap_version v;
	int fd, ret, err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open(KMSCAP_VERSION_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == ENOENT) {
			printf("version: SKIP: %s does not exist (kmscap.ko not loaded)\n",
			       KMSCAP_VERSION_DEV);
			return 77;
		}
		printf("version: FAIL: open %s: %s\n", KMSCAP_VERSION_DEV, strerror(err));
		return 1;
	}

	memset(&v, 0xa5, sizeof(v));
	errno = 0;
	ret = ioctl(fd, KMSCAP_IOC_VERSION, &v);
	err = errno;
	kmscap_check(ret == 0, "KMSCAP_IOC_VERSION on %s: ret %d errno %d (%s)",
		     KMSCAP_VERSION_DEV, ret, err, strerror(err));
	if (ret == 0) {
		printf("version: module ABI %u.%u caps 0x%llx max_displays %u event_size %u\n",
		       v.major, v.minor, (unsigned long long)v.caps, v.max_displays,
		       v.event_size);
		kmscap_check(v.major == KMSCAP_ABI_MAJOR, "major %u, header says %u",
			     v.major, KMSCAP_ABI_MAJOR);
		kmscap_check(v.event_size == sizeof(struct kmscap_event),
			     "event_size %u, sizeof(struct kmscap_event) is %zu",
			     v.event_size, sizeof(struct kmscap_event));
		kmscap_check(v.max_displays >= 1, "max_displays %u >= 1", v.max_displays);
		if (v.major == KMSCAP_ABI_MAJOR && v.minor >= 2)
			kmscap_check(v.max_event_size >= sizeof(struct kmscap_event_frame) &&
				     v.max_event_size % 8 == 0 && !v.pad,
				     "max_event_size %u (a frame is at least %zu, a multiple of 8), "
				     "pad %u", v.max_event_size, sizeof(struct kmscap_event_frame),
				     v.pad);
		if (v.major == KMSCAP_ABI_MAJOR && v.minor >= 3)
			kmscap_check(v.caps & KMSCAP_CAP_FLIP_DONE,
				     "caps 0x%llx of ABI %u.%u have KMSCAP_CAP_FLIP_DONE (1.3)",
				     (unsigned long long)v.caps, v.major, v.minor);
		if (v.major == KMSCAP_ABI_MAJOR && v.minor >= 5)
			kmscap_check((v.caps & KMSCAP_CAP_URING_RELEASE) &&
				     (v.caps & KMSCAP_CAP_STATUS_PAGE) &&
				     (v.caps & KMSCAP_CAP_FLIP_DONE_DEFER),
				     "caps 0x%llx of ABI %u.%u have KMSCAP_CAP_URING_RELEASE, "
				     "_STATUS_PAGE and _FLIP_DONE_DEFER (1.5)",
				     (unsigned long long)v.caps, v.major, v.minor);
		if (v.major == KMSCAP_ABI_MAJOR && v.minor >= 6)
			kmscap_check(v.caps & KMSCAP_CAP_FRAME_RING,
				     "caps 0x%llx of ABI %u.%u have KMSCAP_CAP_FRAME_RING (1.6)",
				     (unsigned long long)v.caps, v.major, v.minor);
		if (v.major == KMSCAP_ABI_MAJOR && v.minor == KMSCAP_ABI_MINOR)
			kmscap_check(!(v.caps & ~(__u64)KMSCAP_KNOWN_CAPS),
				     "caps 0x%llx has only bits of ABI %u.%u (0x%llx)",
				     (unsigned long long)v.caps, v.major, v.minor,
				     (unsigned long long)KMSCAP_KNOWN_CAPS);
	}

	errno = 0;
	ret = ioctl(fd, KMSCAP_IOC_VERSION, NULL);
	err = errno;
	kmscap_check(ret == -1 && err == EFAULT,
		     "KMSCAP_IOC_VERSION with a NULL argument: ret %d errno %d (%s), want EFAULT",
		     ret, err, strerror(err));

	kmscap_check_unknown(fd, _IO(KMSCAP_IOC_MAGIC, 0x7f), "_IO(magic, 0x7f)");
	kmscap_check_unknown(fd, _IOR(KMSCAP_IOC_MAGIC, 0xff, struct kmscap_version),
			     "_IOR(magic, 0xff, struct kmscap_version)");

	close(fd);
	if (kmscap_failures) {
		printf("version: FAIL: %d check(s) failed\n", kmscap_failures);
		return 1;
	}
	printf("version: PASS\n");
	return 0;
}
