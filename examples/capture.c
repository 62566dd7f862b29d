// SPDX-License-Identifier: MIT
/*
 * capture: the smallest complete libkmscap capture client.
 *
 *   capture [--kmscap-device PATH] [--ring] DISPLAY_ID [FRAMES]
 *
 * Attaches to a kmscap display, waits for FRAMES frame events (default
 * 10), exports each frame's buffer as a DMA-BUF, prints its size,
 * format, modifier and damage, closes the DMA-BUF and releases the frame.
 * With --ring (ABI 1.6) the frames come from the frame ring: poll() is
 * the only system call a frame costs, taking and giving it back cost
 * none.
 * A real client would import the DMA-BUF into EGL, Vulkan or VA-API
 * before the release, and would keep the fd of each buffer id
 * (kmscap_buffer_fd() does that) instead of exporting every frame.
 *
 * Built against the installed library:
 *   cc -o capture capture.c $(pkg-config --cflags --libs libkmscap)
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkmscap.h>

/* A DRM fourcc as its four characters, e.g. "XR24". */
static const char *fourcc(uint32_t f, char buf[5])
{
	int i;

	for (i = 0; i < 4; i++) {
		char c = (char)((f >> (8 * i)) & 0xff);

		buf[i] = c >= ' ' && c <= '~' ? c : '?';
	}
	buf[4] = '\0';
	return buf;
}

static int usage(void)
{
	fprintf(stderr, "usage: capture [--kmscap-device PATH] [--ring] DISPLAY_ID [FRAMES]\n");
	return 2;
}

/* A decimal number in 0..max, or -1. */
static long long number(const char *s, unsigned long long max)
{
	unsigned long long v;
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno || v > max)
		return -1;
	return (long long)v;
}

/* One frame: export its buffer, describe it, close the DMA-BUF. */
static int show_frame(struct kmscap_dev *dev, const struct kmscap_event *ev)
{
	char buf[256], id[16], f[5];
	uint64_t size = 0;
	int fd;

	fd = kmscap_export(dev, ev->buffer_id, KMSCAP_EXPORT_CLOEXEC, &size);
	if (fd < 0) {
		snprintf(id, sizeof(id), "%u", ev->buffer_id);
		fprintf(stderr, "capture: frame %" PRIu64 ": %s\n", (uint64_t)ev->seq,
			kmscap_strerror_ctx(fd, KMSCAP_ERR_EXPORT, id, buf, sizeof(buf)));
		return fd;
	}
	printf("frame %" PRIu64 ": buffer %u, %ux%u %s modifier 0x%016" PRIx64
	       ", dma-buf of %" PRIu64 " bytes, %s\n",
	       (uint64_t)ev->seq, ev->buffer_id, ev->width, ev->height, fourcc(ev->format, f),
	       (uint64_t)ev->modifier, size,
	       ev->flags & KMSCAP_FRAME_FULL_DAMAGE ? "full damage" : "partial damage");
	close(fd);
	return 0;
}

/*
 * The next frame of a ring handle: wait for POLLIN, take the newest frame
 * (the ones it skipped are given back); KMSCAP_NEXT_* or -errno.
 */
static int next_ring_frame(struct kmscap_dev *dev, struct kmscap_event *ev)
{
	struct pollfd p = { .fd = kmscap_fd(dev), .events = POLLIN };
	int ret;

	for (;;) {
		ret = kmscap_ring_take(dev, ev);
		if (ret)
			return ret < 0 ? ret : KMSCAP_NEXT_FRAME;
		if (p.revents & POLLHUP)
			return KMSCAP_NEXT_HANGUP;
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return -errno;
	}
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	struct kmscap_dev *dev;
	struct kmscap_event ev;
	long long display, frames = 10, n;
	char buf[256], subj[32];
	int ret, a = 1, status = 0;
	bool ring = false;

	if (argc > a + 1 && !strcmp(argv[a], "--kmscap-device")) {
		path = argv[a + 1];
		a += 2;
	}
	if (argc > a && !strcmp(argv[a], "--ring")) {
		ring = true;
		a++;
	}
	if (argc - a < 1 || argc - a > 2)
		return usage();
	display = number(argv[a], UINT32_MAX);
	if (argc - a == 2)
		frames = number(argv[a + 1], 1000000);
	if (display < 0 || frames <= 0)
		return usage();

	ret = kmscap_open(path, &dev);
	if (ret < 0) {
		/* the path kmscap_open() used: the option, $KMSCAP_DEVICE or the default */
		if (!path)
			path = getenv(KMSCAP_DEVICE_ENV);
		if (!path || !*path)
			path = KMSCAP_DEFAULT_DEVICE;
		fprintf(stderr, "capture: %s\n",
			kmscap_strerror_ctx(ret, KMSCAP_ERR_OPEN, path, buf, sizeof(buf)));
		return 1;
	}
	ret = ring ? kmscap_ring_attach(dev, (uint32_t)display, 0, 0, 0) :
		     kmscap_attach(dev, (uint32_t)display, 0, 0);
	if (ret < 0) {
		snprintf(subj, sizeof(subj), "%lld", display);
		fprintf(stderr, "capture: %s\n",
			kmscap_strerror_ctx(ret, KMSCAP_ERR_ATTACH, subj, buf, sizeof(buf)));
		kmscap_close(dev);
		return 1;
	}

	for (n = 0; n < frames;) {
		ret = ring ? next_ring_frame(dev, &ev) : kmscap_next_frame(dev, -1, &ev);
		if (ret == KMSCAP_NEXT_HANGUP) {
			printf("display %lld went away after %lld frames\n", display, n);
			break;
		}
		if (ret < 0) {
			fprintf(stderr, "capture: %s: reading events: %s\n", kmscap_path(dev),
				strerror(-ret));
			status = 1;
			break;
		}
		if (ret != KMSCAP_NEXT_FRAME)
			continue;
		if (show_frame(dev, &ev) < 0)
			status = 1;
		/* every frame read is held until released: give it back */
		ret = ring ? kmscap_ring_release(dev, ev.seq) : kmscap_release(dev, ev.seq);
		if (ret == -ESTALE)
			printf("frame %" PRIu64 ": revoked before its release (hold timeout)\n",
			       (uint64_t)ev.seq);
		n++;
	}
	kmscap_close(dev);
	return status;
}
