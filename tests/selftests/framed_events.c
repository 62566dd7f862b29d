// SPDX-License-Identifier: MIT
/*
 * framed_events: a client attached with KMSCAP_ATTACH_FRAMED reads events
 * that start with {type, length}:
 *  - a frame with N damage clips is sizeof(struct kmscap_event_frame) +
 *    N rectangles long, the rectangles at damage_offset;
 *  - a frame with full damage carries no rectangle;
 *  - a read() buffer too small for the next event is EINVAL and loses
 *    nothing; several events come back to back in one read, each as long
 *    as it says, never more than VERSION's max_event_size;
 *  - the hang-up is a struct kmscap_event_hangup, then end of file.
 */
#include <poll.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 320
#define H 240

static size_t kmscap_read_framed(int fd, void *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	KT_ASSERT(poll(&p, 1, 3000) == 1, "no event within 3 s");
	n = read(fd, buf, len);
	KT_ASSERT(n > 0, "read of %zu bytes: %zd (%s)", len, n,
		  n < 0 ? strerror(errno) : "end of file");
	return (size_t)n;
}

static const struct kmscap_event_frame *kmscap_frame_at(const uint8_t *buf, size_t off,
							size_t n, uint32_t max)
{
	const struct kmscap_event_frame *f = (const void *)(buf + off);

	KT_ASSERT(off + sizeof(struct kmscap_event_header) <= n, "event header past the data");
	KT_ASSERT(f->base.length >= 8 && f->base.length % 8 == 0 && off + f->base.length <= n &&
		  f->base.length <= max, "event at %zu: length %u (read %zu, max %u)", off,
		  f->base.length, n, max);
	KT_ASSERT(f->base.type == KMSCAP_EVENT_FRAME, "event at %zu: type %u", off,
		  f->base.type);
	KT_ASSERT(f->base.length == f->damage_offset + f->num_damage * sizeof(struct kmscap_rect)
		  && f->damage_offset == sizeof(*f),
		  "frame: length %u, damage_offset %u, num_damage %u", f->base.length,
		  f->damage_offset, f->num_damage);
	return f;
}

int main(void)
{
	struct drm_mode_rect clips[3] = { { 0, 0, 16, 16 }, { 32, 8, 64, 40 },
					  { 100, 100, 300, 200 } };
	struct kmscap_attach at = { .flags = KMSCAP_ATTACH_FRAMED, .queue_depth = 8 };
	const struct kmscap_event_hangup *hu;
	const struct kmscap_event_frame *f;
	const struct kmscap_rect *d;
	struct kmscap_display_create c;
	struct kmscap_version v;
	struct kmscap_t_buf a, b;
	struct kmscap_t_kms k;
	uint8_t buf[8192];
	size_t n, off;
	ssize_t got;
	int ctl, cl, r;
	unsigned int i;

	kmscap_t_init("framed_events", 90);
	ctl = kmscap_t_open_ctl_or_skip();
	KT_EXPECT_RET(kmscap_t_version(ctl, &v), 0, "VERSION");
	KT_ASSERT(v.minor >= 2 && v.max_event_size >= sizeof(*f) + 3 * sizeof(*d),
		  "ABI %u.%u, max_event_size %u", v.major, v.minor, v.max_event_size);
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &a);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &b);
	r = kmscap_t_atomic_modeset(&k, &a);
	KT_ASSERT(!r, "modeset: %s", kmscap_t_errname(r));

	cl = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	KT_ASSERT(cl >= 0, "open: %s", strerror(errno));
	at.display_id = c.id;
	r = kmscap_t_ioctl(cl, KMSCAP_IOC_ATTACH, &at);
	KT_ASSERT(!r, "ATTACH framed: %s", kmscap_t_errname(r));

	/* The first frame read has full damage: read it out of the way. */
	r = kmscap_t_atomic_flip(&k, &b, NULL, 0, false);
	KT_ASSERT(!r, "flip: %s", kmscap_t_errname(r));
	n = kmscap_read_framed(cl, buf, sizeof(buf));
	f = kmscap_frame_at(buf, 0, n, v.max_event_size);
	KT_ASSERT(n == sizeof(*f) && (f->flags & KMSCAP_FRAME_FIRST) &&
		  (f->flags & KMSCAP_FRAME_FULL_DAMAGE) && !f->num_damage,
		  "first frame: %zu bytes, flags 0x%x num_damage %u", n, f->flags, f->num_damage);
	KT_EXPECT_RET(kmscap_t_release(cl, f->seq), 0, "RELEASE");

	/*
	 * Two frames: 3 clips, then a full-damage commit of the same buffer
	 * (a flip away from it would wait for the unread frame's hold).
	 */
	r = kmscap_t_atomic_flip(&k, &b, clips, 3, false);
	KT_ASSERT(!r, "flip with 3 clips: %s", kmscap_t_errname(r));
	r = kmscap_t_atomic_flip(&k, &b, NULL, 0, false);
	KT_ASSERT(!r, "flip: %s", kmscap_t_errname(r));

	got = read(cl, buf, sizeof(*f));
	KT_ASSERT(got < 0 && errno == EINVAL,
		  "read of %zu bytes with a frame of 3 rectangles next: %zd (%s)", sizeof(*f),
		  got, got < 0 ? strerror(errno) : "data");
	got = read(cl, buf, 4);
	KT_ASSERT(got < 0 && errno == EINVAL, "read of 4 bytes: %zd (%s)", got,
		  got < 0 ? strerror(errno) : "data");

	n = kmscap_read_framed(cl, buf, sizeof(buf));
	f = kmscap_frame_at(buf, 0, n, v.max_event_size);
	KT_ASSERT(f->num_damage == 3 && !(f->flags & KMSCAP_FRAME_FIRST) &&
		  f->display_id == c.id && f->width == W && f->height == H,
		  "first frame: num_damage %u flags 0x%x display %u %ux%u", f->num_damage,
		  f->flags, f->display_id, f->width, f->height);
	d = (const void *)((const uint8_t *)f + f->damage_offset);
	for (i = 0; i < 3; i++)
		KT_ASSERT(d[i].x1 == (uint32_t)clips[i].x1 && d[i].y1 == (uint32_t)clips[i].y1 &&
			  d[i].x2 == (uint32_t)clips[i].x2 && d[i].y2 == (uint32_t)clips[i].y2,
			  "rectangle %u: %u,%u-%u,%u", i, d[i].x1, d[i].y1, d[i].x2, d[i].y2);
	off = f->base.length;
	KT_ASSERT(off < n, "the second frame did not come in the same read (%zu bytes)", n);
	f = kmscap_frame_at(buf, off, n, v.max_event_size);
	KT_ASSERT(f->num_damage == 0 && (f->flags & KMSCAP_FRAME_FULL_DAMAGE) &&
		  f->base.length == sizeof(*f) && off + f->base.length == n &&
		  f->seq == ((const struct kmscap_event_frame *)buf)->seq + 1,
		  "second frame: num_damage %u flags 0x%x length %u, read %zu", f->num_damage,
		  f->flags, f->base.length, n);
	KT_EXPECT_RET(kmscap_t_release(cl, f->seq - 1), 0, "RELEASE");
	KT_EXPECT_RET(kmscap_t_release(cl, f->seq), 0, "RELEASE");

	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	n = kmscap_read_framed(cl, buf, sizeof(buf));
	hu = (const void *)buf;
	KT_ASSERT(n == sizeof(*hu) && hu->base.type == KMSCAP_EVENT_HANGUP &&
		  hu->base.length == sizeof(*hu) && hu->display_id == c.id && !hu->pad &&
		  hu->seq == f->seq, "hang-up: %zu bytes, type %u length %u display %u seq %llu",
		  n, hu->base.type, hu->base.length, hu->display_id,
		  (unsigned long long)hu->seq);
	got = read(cl, buf, sizeof(buf));
	KT_ASSERT(got == 0, "read after the hang-up: %zd", got);

	close(cl);
	kmscap_t_buf_destroy(&a);
	kmscap_t_buf_destroy(&b);
	kmscap_t_pass("framed events: lengths, damage at damage_offset, short buffers, hang-up");
}
