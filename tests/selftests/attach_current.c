// SPDX-License-Identifier: MIT
/*
 * attach_current: a picture on attach, and damage a client can trust.
 *  - A client attaching with KMSCAP_ATTACH_CURRENT_FRAME to a display that
 *    shows a frame can read it at once (no flip), with FIRST and
 *    FULL_DAMAGE, and its exported buffer has exactly the pixels drawn;
 *    framed and 1.0 clients and libkmscap (kmscap_attach_flags()) alike.
 *    Without the flag, or on a display that never showed a frame, nothing
 *    is pending.
 *  - The first frame a client reads carries FULL_DAMAGE and no rectangle,
 *    even when its commit had damage clips; so does every frame read
 *    after drops; a frame after neither carries the commit's rectangles.
 */
#include <poll.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "libkmscap.h"

#define W 320
#define H 240
#define SEED 0xc0ffee00u

static int kmscap_client(uint32_t id, uint32_t flags, uint32_t depth)
{
	struct kmscap_attach at = { .display_id = id, .flags = flags, .queue_depth = depth,
				    .hold_timeout_ns = 2000000000ull };
	int fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	int r;

	KT_ASSERT(fd >= 0, "open: %s", strerror(errno));
	r = kmscap_t_ioctl(fd, KMSCAP_IOC_ATTACH, &at);
	KT_ASSERT(!r, "ATTACH flags 0x%x: %s", flags, kmscap_t_errname(r));
	return fd;
}

static bool kmscap_pending(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* Read one framed frame event at once (no waiting). */
static void kmscap_read_framed_now(int fd, struct kmscap_event_frame *f)
{
	uint8_t buf[1024];
	ssize_t n;

	KT_ASSERT(kmscap_pending(fd), "framed client: nothing to read right after ATTACH");
	n = read(fd, buf, sizeof(buf));
	KT_ASSERT(n >= (ssize_t)sizeof(*f), "framed read: %zd (%s)", n,
		  n < 0 ? strerror(errno) : "short");
	memcpy(f, buf, sizeof(*f));
	KT_ASSERT(f->base.type == KMSCAP_EVENT_FRAME && f->base.length == n,
		  "framed read: type %u length %u of %zd bytes", f->base.type, f->base.length, n);
}

static void kmscap_verify_pixels(int fd, uint32_t buffer_id, uint32_t pitch, const char *who)
{
	struct kmscap_t_maps maps;
	struct kmscap_t_map *m;
	uint32_t bx = 0, by = 0;
	uint64_t bad;

	kmscap_t_maps_init(&maps, fd);
	m = kmscap_t_maps_get(&maps, buffer_id);
	kmscap_t_dmabuf_sync(m->fd, true);
	bad = kmscap_t_verify(m->ptr, pitch, W, H, SEED, &bx, &by);
	kmscap_t_dmabuf_sync(m->fd, false);
	KT_ASSERT(!bad, "%s: %llu of %u pixels differ from what was drawn, first at (%u,%u)",
		  who, (unsigned long long)bad, W * H, bx, by);
	kmscap_t_maps_fini(&maps);
}

int main(void)
{
	struct drm_mode_rect clip = { 16, 16, 80, 48 };
	struct kmscap_display_create c, c2;
	struct kmscap_event_frame f;
	struct kmscap_client_stats st;
	struct kmscap_t_buf a, b;
	struct kmscap_event ev;
	struct kmscap_dev *dev;
	struct kmscap_t_kms k;
	int ctl, fr, old, plain, none, d, r;

	kmscap_t_init("attach_current", 90);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_create_or_die(ctl, W, H, 60000, &c2);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &a);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &b);
	kmscap_t_fill(a.map, a.pitch, W, H, SEED);
	r = kmscap_t_atomic_modeset(&k, &a);
	KT_ASSERT(!r, "modeset: %s", kmscap_t_errname(r));

	/* ---- the picture on screen, at once ---- */
	fr = kmscap_client(c.id, KMSCAP_ATTACH_FRAMED | KMSCAP_ATTACH_CURRENT_FRAME, 4);
	kmscap_read_framed_now(fr, &f);
	KT_ASSERT((f.flags & KMSCAP_FRAME_FIRST) && (f.flags & KMSCAP_FRAME_FULL_DAMAGE) &&
		  !f.num_damage && f.buffer_id && f.width == W && f.height == H && !f.dropped,
		  "current frame (framed): flags 0x%x num_damage %u buffer %u %ux%u dropped %llu",
		  f.flags, f.num_damage, f.buffer_id, f.width, f.height,
		  (unsigned long long)f.dropped);
	kmscap_verify_pixels(fr, f.buffer_id, f.pitches[0], "current frame (framed)");
	KT_ASSERT(!kmscap_pending(fr), "more than the current frame pending");
	KT_EXPECT_RET(kmscap_t_stats(fr, &st), 0, "STATS");
	kmscap_t_stats_check(&st, "framed client");
	KT_ASSERT(st.flips == 1 && st.held == 1, "stats: flips %llu held %llu",
		  (unsigned long long)st.flips, (unsigned long long)st.held);
	KT_EXPECT_RET(kmscap_t_release(fr, f.seq), 0, "RELEASE");

	old = kmscap_client(c.id, KMSCAP_ATTACH_CURRENT_FRAME, 4);
	KT_ASSERT(kmscap_pending(old), "1.0 client: nothing to read right after ATTACH");
	r = kmscap_t_read_event(old, &ev, 0);
	KT_ASSERT(r == 1 && ev.type == KMSCAP_EVENT_FRAME && ev.seq == f.seq &&
		  ev.buffer_id == f.buffer_id && (ev.flags & KMSCAP_FRAME_FIRST) &&
		  (ev.flags & KMSCAP_FRAME_FULL_DAMAGE) && !ev.num_damage,
		  "current frame (1.0): %d, seq %llu flags 0x%x", r, (unsigned long long)ev.seq,
		  ev.flags);
	kmscap_verify_pixels(old, ev.buffer_id, ev.pitches[0], "current frame (1.0)");
	KT_EXPECT_RET(kmscap_t_release(old, ev.seq), 0, "RELEASE");

	KT_EXPECT_RET(kmscap_open(NULL, &dev), 0, "kmscap_open");
	KT_EXPECT_RET(kmscap_attach_flags(dev, c.id, 4, 2000000000ull,
					  KMSCAP_ATTACH_CURRENT_FRAME), 0, "kmscap_attach_flags");
	r = kmscap_next_frame(dev, 0, &ev);
	KT_ASSERT(r == KMSCAP_NEXT_FRAME && ev.seq == f.seq &&
		  (ev.flags & KMSCAP_FRAME_FULL_DAMAGE) && (ev.flags & KMSCAP_FRAME_FIRST),
		  "libkmscap: kmscap_next_frame without waiting: %d, seq %llu flags 0x%x", r,
		  (unsigned long long)ev.seq, ev.flags);
	KT_EXPECT_RET(kmscap_release(dev, ev.seq), 0, "kmscap_release");
	kmscap_close(dev);

	plain = kmscap_client(c.id, KMSCAP_ATTACH_FRAMED, 1);
	KT_ASSERT(!kmscap_pending(plain), "a client without CURRENT_FRAME has an event at once");
	none = kmscap_client(c2.id, KMSCAP_ATTACH_FRAMED | KMSCAP_ATTACH_CURRENT_FRAME, 4);
	KT_ASSERT(!kmscap_pending(none), "a display that never showed a frame gave one");
	close(none);

	/* ---- the first frame read: full damage despite the clip ---- */
	kmscap_t_fill(b.map, b.pitch, W, H, SEED + 1);
	r = kmscap_t_atomic_flip(&k, &b, &clip, 1, false);
	KT_ASSERT(!r, "flip with a clip: %s", kmscap_t_errname(r));
	kmscap_read_framed_now(plain, &f);
	KT_ASSERT((f.flags & KMSCAP_FRAME_FIRST) && (f.flags & KMSCAP_FRAME_FULL_DAMAGE) &&
		  !f.num_damage, "first frame read: flags 0x%x num_damage %u", f.flags,
		  f.num_damage);
	KT_EXPECT_RET(kmscap_t_release(plain, f.seq), 0, "RELEASE");
	/* the others read it too (they hold nothing that would stall the next flips) */
	kmscap_t_drain(fr, 0);
	kmscap_t_drain(old, 0);

	/* ---- a frame after neither: the commit's rectangle ---- */
	r = kmscap_t_atomic_flip(&k, &b, &clip, 1, false);
	KT_ASSERT(!r, "flip with a clip: %s", kmscap_t_errname(r));
	kmscap_read_framed_now(plain, &f);
	KT_ASSERT(!(f.flags & KMSCAP_FRAME_FULL_DAMAGE) && f.num_damage == 1 && !f.dropped,
		  "a frame without drops: flags 0x%x num_damage %u dropped %llu", f.flags,
		  f.num_damage, (unsigned long long)f.dropped);
	KT_EXPECT_RET(kmscap_t_release(plain, f.seq), 0, "RELEASE");
	kmscap_t_drain(fr, 0);
	kmscap_t_drain(old, 0);

	/* ---- after drops: full damage (queue depth 1, three commits unread) ---- */
	for (d = 0; d < 3; d++) {
		r = kmscap_t_atomic_flip(&k, &b, &clip, 1, false);
		KT_ASSERT(!r, "flip with a clip: %s", kmscap_t_errname(r));
		kmscap_t_drain(fr, 0);
		kmscap_t_drain(old, 0);
	}
	kmscap_read_framed_now(plain, &f);
	KT_ASSERT(f.dropped >= 1 && (f.flags & KMSCAP_FRAME_FULL_DAMAGE) && !f.num_damage &&
		  !(f.flags & KMSCAP_FRAME_FIRST),
		  "a frame after drops: dropped %llu flags 0x%x num_damage %u",
		  (unsigned long long)f.dropped, f.flags, f.num_damage);
	KT_EXPECT_RET(kmscap_t_release(plain, f.seq), 0, "RELEASE");
	KT_EXPECT_RET(kmscap_t_stats(plain, &st), 0, "STATS");
	kmscap_t_stats_check(&st, "queue depth 1 client");

	close(plain);
	close(old);
	close(fr);
	kmscap_t_buf_destroy(&a);
	kmscap_t_buf_destroy(&b);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c2.id), 0, "DESTROY");
	kmscap_t_pass("the frame on screen at attach, pixels exact, with FULL_DAMAGE; full "
		      "damage on the first frame and after drops only");
}
