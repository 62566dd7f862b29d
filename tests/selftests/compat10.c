// SPDX-License-Identifier: MIT
/*
 * compat10: a client built against ABI 1.0 works with this module.  The
 * test has its own copy of the 1.0 structures and ioctl numbers (as an old
 * binary has them compiled in) and makes every call with them:
 *  - VERSION with the 1.0 size (24 bytes) works and writes only those;
 *  - CREATE, INFO, LIST, CONFIG, ATTACH without flags, EXPORT, RELEASE,
 *    STATS and DESTROY with the 1.0 sizes;
 *  - read() returns the 1.0 event, 304 bytes each, whose every field
 *    equals the framed event a 1.2 client (attached to the same display)
 *    reads for the same frame; a buffer of 303 bytes is EINVAL;
 *  - the hang-up is a 1.0 event, then end of file.
 */
#include <stddef.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 320
#define H 240

/* ---- ABI 1.0, as include/uapi/kmscap.h had it ---- */
struct v10_version {
	__u32 major, minor;
	__u64 caps;
	__u32 max_displays, event_size;
};

struct v10_display_create {
	__u32 width, height, refresh_mhz, flags, id, card_minor;
};

struct v10_display_info {
	__u32 id, flags, width, height, refresh_mhz, owner_uid, card_minor, clients;
	__u64 frames;
};

struct v10_display_list {
	__u64 ids_ptr;
	__u32 count, pad;
};

struct v10_display_config {
	__u32 id, flags, width, height, refresh_mhz, pad;
};

struct v10_display_destroy {
	__u32 id, pad;
};

struct v10_attach {
	__u32 display_id, flags, queue_depth, pad;
	__u64 hold_timeout_ns;
};

struct v10_export {
	__u32 buffer_id, flags, fd, pad;
	__u64 size;
};

struct v10_release {
	__u64 seq;
};

struct v10_client_stats {
	__u64 flips, delivered, dropped_queue, dropped_timeout, queued, held;
	__u64 revoked_unreleased, max_hold_wait_ns;
};

struct v10_rect {
	__u32 x1, y1, x2, y2;
};

struct v10_event {
	__u32 type, flags;
	__u64 seq, timestamp_ns;
	__u32 display_id, buffer_id, format, width, height, num_planes;
	__u64 modifier;
	__u32 pitches[4], offsets[4];
	__u32 src_x, src_y, src_w, src_h, mode_width, mode_height, refresh_mhz;
	__u32 num_damage;
	struct v10_rect damage[8];
	__s64 cursor_x, cursor_y;
	__u32 cursor_buffer_id, cursor_format, cursor_width, cursor_height;
	__u32 cursor_hot_x, cursor_hot_y, cursor_pitch, pad;
	__u64 dropped;
};

_Static_assert(sizeof(struct v10_event) == 304, "the 1.0 event is 304 bytes");
_Static_assert(sizeof(struct v10_version) == 24, "the 1.0 version is 24 bytes");

#define V10_VERSION		_IOR(0xC6, 0x00, struct v10_version)
#define V10_DISPLAY_CREATE	_IOWR(0xC6, 0x01, struct v10_display_create)
#define V10_DISPLAY_INFO	_IOWR(0xC6, 0x02, struct v10_display_info)
#define V10_DISPLAY_LIST	_IOWR(0xC6, 0x03, struct v10_display_list)
#define V10_DISPLAY_CONFIG	_IOW(0xC6, 0x04, struct v10_display_config)
#define V10_DISPLAY_DESTROY	_IOW(0xC6, 0x05, struct v10_display_destroy)
#define V10_ATTACH		_IOW(0xC6, 0x06, struct v10_attach)
#define V10_EXPORT		_IOWR(0xC6, 0x07, struct v10_export)
#define V10_RELEASE		_IOW(0xC6, 0x08, struct v10_release)
#define V10_STATS		_IOR(0xC6, 0x09, struct v10_client_stats)
#define V10_EVENT_FRAME		1
#define V10_EVENT_HANGUP	2

/* ---- the 1.2 client it is compared with ---- */
static size_t kmscap_framed_read(int fd, void *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	KT_ASSERT(poll(&p, 1, 3000) == 1, "framed client: no event within 3 s");
	n = read(fd, buf, len);
	KT_ASSERT(n > 0, "framed read: %zd (%s)", n, n < 0 ? strerror(errno) : "eof");
	return (size_t)n;
}

#define SAME(f) KT_ASSERT(ev->f == fr->f, "1.0 event %s %llu, framed %llu", #f, \
			  (unsigned long long)ev->f, (unsigned long long)fr->f)

static void kmscap_compare(const struct v10_event *ev, const struct kmscap_event_frame *fr)
{
	const struct v10_rect *d = (const void *)((const char *)fr + fr->damage_offset);
	unsigned int i;

	KT_ASSERT(ev->type == fr->base.type, "type %u, framed %u", ev->type, fr->base.type);
	SAME(flags); SAME(seq); SAME(timestamp_ns); SAME(display_id); SAME(buffer_id);
	SAME(format); SAME(width); SAME(height); SAME(num_planes); SAME(modifier);
	SAME(src_x); SAME(src_y); SAME(src_w); SAME(src_h); SAME(mode_width);
	SAME(mode_height); SAME(refresh_mhz); SAME(num_damage); SAME(cursor_x);
	SAME(cursor_y); SAME(cursor_buffer_id); SAME(cursor_format); SAME(cursor_width);
	SAME(cursor_height); SAME(cursor_hot_x); SAME(cursor_hot_y); SAME(cursor_pitch);
	SAME(dropped);
	for (i = 0; i < 4; i++) {
		SAME(pitches[i]);
		SAME(offsets[i]);
	}
	KT_ASSERT(!ev->pad, "1.0 pad %u", ev->pad);
	for (i = 0; i < ev->num_damage; i++)
		KT_ASSERT(!memcmp(&ev->damage[i], &d[i], sizeof(d[i])), "damage %u differs", i);
	for (; i < 8; i++)
		KT_ASSERT(!ev->damage[i].x1 && !ev->damage[i].x2, "1.0 damage %u not zero", i);
}

int main(void)
{
	struct v10_display_create c = { .width = W, .height = H, .refresh_mhz = 60000 };
	struct drm_mode_rect clips[2] = { { 8, 16, 40, 48 }, { 100, 120, 164, 200 } };
	uint8_t vbuf[sizeof(struct v10_version) + 8], fbuf[4096];
	struct kmscap_attach fa = { .flags = KMSCAP_ATTACH_FRAMED };
	const struct kmscap_event_frame *fr = (const void *)fbuf;
	struct v10_version *v = (void *)vbuf;
	struct v10_display_info info;
	struct v10_display_list list;
	struct v10_display_config cfg;
	struct v10_display_destroy des;
	struct v10_attach at;
	struct v10_export ex;
	struct v10_release rel;
	struct v10_client_stats st;
	struct v10_event ev[2];
	struct kmscap_t_buf a, b;
	struct kmscap_t_kms k;
	uint32_t ids[64];
	int ctl, cl, fcl, r;
	unsigned int i;
	ssize_t n;

	kmscap_t_init("compat10", 90);
	ctl = kmscap_t_open_ctl_or_skip();

	memset(vbuf, 0xa5, sizeof(vbuf));
	r = kmscap_t_ioctl(ctl, V10_VERSION, v);
	KT_ASSERT(!r, "1.0 VERSION (24 bytes): %s", kmscap_t_errname(r));
	KT_ASSERT(v->major == 1 && v->minor >= 2 && v->event_size == sizeof(struct v10_event),
		  "1.0 VERSION: %u.%u event_size %u", v->major, v->minor, v->event_size);
	for (i = sizeof(*v); i < sizeof(vbuf); i++)
		KT_ASSERT(vbuf[i] == 0xa5, "1.0 VERSION wrote byte %u beyond its 24", i);

	r = kmscap_t_ioctl(ctl, V10_DISPLAY_CREATE, &c);
	KT_ASSERT(!r, "1.0 CREATE: %s", kmscap_t_errname(r));
	info = (struct v10_display_info){ .id = c.id };
	r = kmscap_t_ioctl(ctl, V10_DISPLAY_INFO, &info);
	KT_ASSERT(!r && info.width == W && info.height == H && info.card_minor == c.card_minor,
		  "1.0 INFO: %s, %ux%u card %u", kmscap_t_errname(r), info.width, info.height,
		  info.card_minor);
	list = (struct v10_display_list){ .ids_ptr = (uintptr_t)ids, .count = 64 };
	r = kmscap_t_ioctl(ctl, V10_DISPLAY_LIST, &list);
	KT_ASSERT(!r && list.count >= 1, "1.0 LIST: %s, count %u", kmscap_t_errname(r),
		  list.count);
	cfg = (struct v10_display_config){ .id = c.id, .flags = KMSCAP_CONFIG_CONNECT };
	r = kmscap_t_ioctl(ctl, V10_DISPLAY_CONFIG, &cfg);
	KT_ASSERT(!r, "1.0 CONFIG: %s", kmscap_t_errname(r));

	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &a);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &b);
	r = kmscap_t_atomic_modeset(&k, &a);
	KT_ASSERT(!r, "modeset: %s", kmscap_t_errname(r));

	cl = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	fcl = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	KT_ASSERT(cl >= 0 && fcl >= 0, "open: %s", strerror(errno));
	at = (struct v10_attach){ .display_id = c.id, .queue_depth = 4,
				  .hold_timeout_ns = 1000000000ull };
	r = kmscap_t_ioctl(cl, V10_ATTACH, &at);
	KT_ASSERT(!r, "1.0 ATTACH: %s", kmscap_t_errname(r));
	fa.display_id = c.id;
	fa.queue_depth = 4;
	fa.hold_timeout_ns = 1000000000ull;
	r = kmscap_t_ioctl(fcl, KMSCAP_IOC_ATTACH, &fa);
	KT_ASSERT(!r, "framed ATTACH: %s", kmscap_t_errname(r));

	/* the first frame read has full damage: the rectangles come with the second */
	r = kmscap_t_atomic_flip(&k, &b, NULL, 0, false);
	KT_ASSERT(!r, "flip: %s", kmscap_t_errname(r));
	n = read(cl, ev, sizeof(ev));
	KT_ASSERT(n == sizeof(struct v10_event) && ev[0].type == V10_EVENT_FRAME &&
		  (ev[0].flags & KMSCAP_FRAME_FIRST) && (ev[0].flags & KMSCAP_FRAME_FULL_DAMAGE),
		  "1.0 first frame: %zd bytes, type %u flags 0x%x", n, ev[0].type, ev[0].flags);
	n = (ssize_t)kmscap_framed_read(fcl, fbuf, sizeof(fbuf));
	kmscap_compare(&ev[0], fr);
	rel.seq = ev[0].seq;
	KT_EXPECT_RET(kmscap_t_ioctl(cl, V10_RELEASE, &rel), 0, "1.0 RELEASE");
	KT_EXPECT_RET(kmscap_t_release(fcl, fr->seq), 0, "framed RELEASE");

	r = kmscap_t_atomic_flip(&k, &b, clips, 2, false);
	KT_ASSERT(!r, "flip with 2 clips: %s", kmscap_t_errname(r));
	n = read(cl, ev, sizeof(struct v10_event) - 1);
	KT_ASSERT(n < 0 && errno == EINVAL, "1.0 read of 303 bytes: %zd (%s)", n,
		  n < 0 ? strerror(errno) : "data");
	n = read(cl, ev, sizeof(ev));
	KT_ASSERT(n == sizeof(struct v10_event), "1.0 read with room for 2: %zd bytes (%s)", n,
		  n < 0 ? strerror(errno) : "data");
	KT_ASSERT(ev[0].type == V10_EVENT_FRAME && ev[0].num_damage == 2 &&
		  ev[0].damage[1].x2 == 164 && !(ev[0].flags & KMSCAP_FRAME_FIRST),
		  "1.0 frame: type %u num_damage %u flags 0x%x", ev[0].type, ev[0].num_damage,
		  ev[0].flags);
	n = (ssize_t)kmscap_framed_read(fcl, fbuf, sizeof(fbuf));
	KT_ASSERT(n == (ssize_t)fr->base.length, "framed read %zd bytes, length %u", n,
		  fr->base.length);
	kmscap_compare(&ev[0], fr);

	ex = (struct v10_export){ .buffer_id = ev[0].buffer_id, .flags = KMSCAP_EXPORT_CLOEXEC };
	r = kmscap_t_ioctl(cl, V10_EXPORT, &ex);
	KT_ASSERT(!r && (int)ex.fd >= 0 && ex.size >= (uint64_t)W * H * 4,
		  "1.0 EXPORT: %s fd %d size %llu", kmscap_t_errname(r), (int)ex.fd,
		  (unsigned long long)ex.size);
	close((int)ex.fd);
	rel.seq = ev[0].seq;
	r = kmscap_t_ioctl(cl, V10_RELEASE, &rel);
	KT_ASSERT(!r, "1.0 RELEASE: %s", kmscap_t_errname(r));
	KT_EXPECT_RET(kmscap_t_release(fcl, fr->seq), 0, "framed RELEASE");
	r = kmscap_t_ioctl(cl, V10_STATS, &st);
	KT_ASSERT(!r && st.flips == 2 && st.delivered == 2 && !st.queued && !st.held,
		  "1.0 STATS: %s flips %llu delivered %llu", kmscap_t_errname(r),
		  (unsigned long long)st.flips, (unsigned long long)st.delivered);

	kmscap_t_kms_close(&k);
	des = (struct v10_display_destroy){ .id = c.id };
	r = kmscap_t_ioctl(ctl, V10_DISPLAY_DESTROY, &des);
	KT_ASSERT(!r, "1.0 DESTROY: %s", kmscap_t_errname(r));
	n = read(cl, ev, sizeof(ev));
	KT_ASSERT(n == sizeof(struct v10_event) && ev[0].type == V10_EVENT_HANGUP &&
		  ev[0].display_id == c.id && ev[0].seq == fr->seq,
		  "1.0 hang-up: %zd bytes, type %u", n, ev[0].type);
	n = kmscap_framed_read(fcl, fbuf, sizeof(fbuf));
	KT_ASSERT(fr->base.type == KMSCAP_EVENT_HANGUP &&
		  n == sizeof(struct kmscap_event_hangup) &&
		  fr->base.length == sizeof(struct kmscap_event_hangup),
		  "framed hang-up: %zd bytes, type %u length %u", n, fr->base.type,
		  fr->base.length);
	n = read(cl, ev, sizeof(ev));
	KT_ASSERT(n == 0, "1.0 read after the hang-up: %zd", n);

	close(cl);
	close(fcl);
	kmscap_t_buf_destroy(&a);
	kmscap_t_buf_destroy(&b);
	kmscap_t_pass("a client with the 1.0 structures and ioctl numbers works; its events "
		      "equal the framed ones");
}
