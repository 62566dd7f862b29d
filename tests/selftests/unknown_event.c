// SPDX-License-Identifier: MIT
/*
 * unknown_event: readers skip the event types of a later ABI.  The
 * module's debugfs knob display-<id>/inject_event (root only) gives every
 * client attached for framed events one event of a type no ABI defines,
 * ahead of its queued frames:
 *  - a raw framed reader sees it first, {type, 24}, then the frame;
 *  - libkmscap (which attaches for framed events with a 1.2 module) skips
 *    it and returns the frame, with nothing released and no error;
 *  - a client attached for 1.0 events never sees it.
 */
#include <poll.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "libkmscap.h"

#define W 320
#define H 240
#define ODD_TYPE 0x4b000001u

static bool kmscap_inject(uint32_t id, uint32_t type)
{
	char path[96], num[16];
	int fd, n;
	ssize_t w;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kmscap/display-%u/inject_event", id);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return false;
	KT_ASSERT(fd >= 0, "open %s: %s", path, strerror(errno));
	n = snprintf(num, sizeof(num), "%u", type);
	w = write(fd, num, (size_t)n);
	KT_ASSERT(w == n, "write %s to %s: %s", num, path, w < 0 ? strerror(errno) : "short");
	close(fd);
	return true;
}

int main(void)
{
	struct kmscap_attach at = { .flags = KMSCAP_ATTACH_FRAMED, .queue_depth = 4,
				    .hold_timeout_ns = 2000000000ull };
	const struct kmscap_event_header *h;
	const struct kmscap_event_frame *f;
	struct kmscap_display_create c;
	struct kmscap_client_stats st;
	struct pollfd p = { .events = POLLIN };
	struct kmscap_t_buf a, b;
	struct kmscap_event ev;
	struct kmscap_dev *dev;
	struct kmscap_t_kms k;
	uint8_t buf[4096];
	int ctl, raw, old, r;
	ssize_t n;

	kmscap_t_init("unknown_event", 60);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &a);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &b);
	r = kmscap_t_atomic_modeset(&k, &a);
	KT_ASSERT(!r, "modeset: %s", kmscap_t_errname(r));

	raw = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	KT_ASSERT(raw >= 0, "open: %s", strerror(errno));
	at.display_id = c.id;
	KT_EXPECT_RET(kmscap_t_ioctl(raw, KMSCAP_IOC_ATTACH, &at), 0, "ATTACH framed");
	old = kmscap_t_client_or_die(c.id, 4, 2000000000ull);
	KT_EXPECT_RET(kmscap_open(NULL, &dev), 0, "kmscap_open");
	KT_EXPECT_RET(kmscap_attach(dev, c.id, 4, 2000000000ull), 0, "kmscap_attach");

	r = kmscap_t_atomic_flip(&k, &b, NULL, 0, false);
	KT_ASSERT(!r, "flip: %s", kmscap_t_errname(r));
	if (!kmscap_inject(c.id, ODD_TYPE))
		kmscap_t_skip("no /sys/kernel/debug/kmscap/display-%u/inject_event "
			      "(debugfs not mounted?)", c.id);

	/* the raw framed reader: the odd event, then the frame */
	n = read(raw, buf, sizeof(buf));
	KT_ASSERT(n > 0, "raw read: %zd (%s)", n, n < 0 ? strerror(errno) : "eof");
	h = (const void *)buf;
	KT_ASSERT(h->type == ODD_TYPE && h->length == 24 && (size_t)n > h->length,
		  "raw read of %zd bytes: first type 0x%x length %u", n, h->type, h->length);
	f = (const void *)(buf + h->length);
	KT_ASSERT(f->base.type == KMSCAP_EVENT_FRAME &&
		  h->length + f->base.length == (size_t)n && f->buffer_id,
		  "after the odd event: type %u length %u", f->base.type, f->base.length);
	KT_EXPECT_RET(kmscap_t_release(raw, f->seq), 0, "raw RELEASE");

	/* libkmscap skips it */
	r = kmscap_next_frame(dev, 3000, &ev);
	KT_ASSERT(r == KMSCAP_NEXT_FRAME && ev.seq == f->seq,
		  "kmscap_next_frame: %d (%s), seq %llu, expected the frame %llu", r,
		  kmscap_t_errname(r < 0 ? r : 0), (unsigned long long)ev.seq,
		  (unsigned long long)f->seq);
	KT_EXPECT_RET(kmscap_release(dev, ev.seq), 0, "kmscap_release");
	/* again, with only the odd event pending: nothing, and no error */
	KT_ASSERT(kmscap_inject(c.id, ODD_TYPE + 1), "inject_event went away");
	r = kmscap_read_events(dev, &ev, 1);
	KT_ASSERT(r == 0, "kmscap_read_events with only an unknown event pending: %d", r);
	p.fd = kmscap_fd(dev);
	KT_ASSERT(poll(&p, 1, 0) == 0, "the skipped event is still pending (revents 0x%x)",
		  p.revents);
	KT_EXPECT_RET(kmscap_t_stats(raw, &st), 0, "STATS");
	kmscap_t_stats_check(&st, "raw framed client");

	/* the 1.0 client: the frame only, and nothing after it */
	r = kmscap_t_read_event(old, &ev, 3000);
	KT_ASSERT(r == 1 && ev.type == KMSCAP_EVENT_FRAME && ev.seq == f->seq,
		  "1.0 client: %d, type %u seq %llu", r, ev.type, (unsigned long long)ev.seq);
	KT_EXPECT_RET(kmscap_t_release(old, ev.seq), 0, "1.0 RELEASE");
	p.fd = old;
	KT_ASSERT(poll(&p, 1, 0) == 0, "the 1.0 client has more to read (revents 0x%x)",
		  p.revents);
	/* the raw client got the second odd event, alone */
	n = read(raw, buf, sizeof(buf));
	KT_ASSERT(n == 24 && h->type == ODD_TYPE + 1, "raw read: %zd bytes, type 0x%x", n,
		  h->type);

	kmscap_close(dev);
	close(old);
	close(raw);
	kmscap_t_buf_destroy(&a);
	kmscap_t_buf_destroy(&b);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	kmscap_t_pass("an unknown event type is read raw, skipped by libkmscap, not sent to a "
		      "1.0 client");
}
