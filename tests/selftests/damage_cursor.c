// SPDX-License-Identifier: MIT
/*
 * damage_cursor: what a frame event says about damage and the cursor.
 *  - FB_DAMAGE_CLIPS rectangles come through exactly; more than
 *    KMSCAP_MAX_DAMAGE are merged into their bounding box (DAMAGE_MERGED);
 *    no clips means FULL_DAMAGE; drmModeDirtyFB is a commit with damage;
 *    the first frame read has FULL_DAMAGE whatever its clips;
 *  - legacy cursor ioctls (SetCursor2 with hotspot, MoveCursor, hide) show
 *    up as cursor fields and flags; the cursor image can be exported and
 *    holds what was drawn; a cursor larger than 256x256 is refused.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 800
#define H 600

static int cl;
static struct kmscap_t_kms k;

static struct kmscap_event kmscap_frame(const char *what)
{
	struct kmscap_event ev;
	int r = kmscap_t_read_event(cl, &ev, 3000);

	KT_ASSERT(r == 1, "%s: no frame event within 3 s (%s)", what, kmscap_t_errname(r));
	KT_ASSERT(ev.type == KMSCAP_EVENT_FRAME, "%s: event type %u", what, ev.type);
	r = kmscap_t_release(cl, ev.seq);
	KT_ASSERT(!r, "%s: RELEASE: %s", what, kmscap_t_errname(r));
	return ev;
}

static void kmscap_expect_rect(const struct kmscap_rect *got, const struct drm_mode_rect *want,
			       const char *what)
{
	KT_ASSERT(got->x1 == (uint32_t)want->x1 && got->y1 == (uint32_t)want->y1 &&
		  got->x2 == (uint32_t)want->x2 && got->y2 == (uint32_t)want->y2,
		  "%s: damage (%u,%u)-(%u,%u), expected (%d,%d)-(%d,%d)", what, got->x1, got->y1,
		  got->x2, got->y2, want->x1, want->y1, want->x2, want->y2);
}

static void kmscap_damage(const struct kmscap_t_buf *b)
{
	struct drm_mode_rect clips[KMSCAP_MAX_DAMAGE + 1];
	drmModeClip dclip = { .x1 = 300, .y1 = 200, .x2 = 340, .y2 = 260 };
	struct drm_mode_rect want;
	struct kmscap_event ev;
	unsigned int i;
	int r;

	clips[0] = (struct drm_mode_rect){ 10, 20, 110, 70 };
	/* the first frame a client reads has full damage, whatever its clips */
	r = kmscap_t_atomic_flip(&k, b, clips, 1, false);
	KT_ASSERT(!r, "atomic commit with 1 damage clip: %s", kmscap_t_errname(r));
	ev = kmscap_frame("first frame, 1 clip");
	KT_ASSERT((ev.flags & KMSCAP_FRAME_FIRST) && (ev.flags & KMSCAP_FRAME_FULL_DAMAGE) &&
		  !ev.num_damage, "first frame, 1 clip: num_damage %u flags 0x%x",
		  ev.num_damage, ev.flags);
	r = kmscap_t_atomic_flip(&k, b, clips, 1, false);
	KT_ASSERT(!r, "atomic commit with 1 damage clip: %s", kmscap_t_errname(r));
	ev = kmscap_frame("1 clip");
	KT_ASSERT(ev.num_damage == 1 && !(ev.flags & KMSCAP_FRAME_FULL_DAMAGE),
		  "1 clip: num_damage %u flags 0x%x", ev.num_damage, ev.flags);
	kmscap_expect_rect(&ev.damage[0], &clips[0], "1 clip");

	for (i = 0; i < 3; i++)
		clips[i] = (struct drm_mode_rect){ 100 * i, 10 * i, 100 * i + 50, 10 * i + 5 };
	r = kmscap_t_atomic_flip(&k, b, clips, 3, false);
	KT_ASSERT(!r, "atomic commit with 3 damage clips: %s", kmscap_t_errname(r));
	ev = kmscap_frame("3 clips");
	KT_ASSERT(ev.num_damage == 3 && !(ev.flags & (KMSCAP_FRAME_FULL_DAMAGE |
						       KMSCAP_FRAME_DAMAGE_MERGED)),
		  "3 clips: num_damage %u flags 0x%x", ev.num_damage, ev.flags);
	for (i = 0; i < 3; i++)
		kmscap_expect_rect(&ev.damage[i], &clips[i], "3 clips");

	for (i = 0; i <= KMSCAP_MAX_DAMAGE; i++)
		clips[i] = (struct drm_mode_rect){ 5 + 40 * i, 300 - 20 * i, 25 + 40 * i,
						   310 - 20 * i };
	r = kmscap_t_atomic_flip(&k, b, clips, KMSCAP_MAX_DAMAGE + 1, false);
	KT_ASSERT(!r, "atomic commit with %d damage clips: %s", KMSCAP_MAX_DAMAGE + 1,
		  kmscap_t_errname(r));
	ev = kmscap_frame("9 clips");
	want = (struct drm_mode_rect){ 5, 300 - 20 * KMSCAP_MAX_DAMAGE,
				       25 + 40 * KMSCAP_MAX_DAMAGE, 310 };
	KT_ASSERT(ev.num_damage == 1 && (ev.flags & KMSCAP_FRAME_DAMAGE_MERGED),
		  "%d clips: num_damage %u flags 0x%x, expected 1 merged box",
		  KMSCAP_MAX_DAMAGE + 1, ev.num_damage, ev.flags);
	kmscap_expect_rect(&ev.damage[0], &want, "merged clips");

	r = kmscap_t_atomic_flip(&k, b, NULL, 0, false);
	KT_ASSERT(!r, "atomic commit without damage: %s", kmscap_t_errname(r));
	ev = kmscap_frame("no clips");
	KT_ASSERT((ev.flags & KMSCAP_FRAME_FULL_DAMAGE) && ev.num_damage == 0,
		  "commit without clips: flags 0x%x num_damage %u", ev.flags, ev.num_damage);

	r = drmModeDirtyFB(k.fd, b->fb_id, &dclip, 1);
	KT_ASSERT(!r, "drmModeDirtyFB: %s", strerror(errno));
	ev = kmscap_frame("dirtyfb");
	want = (struct drm_mode_rect){ 300, 200, 340, 260 };
	KT_ASSERT(ev.num_damage == 1 && !(ev.flags & KMSCAP_FRAME_FULL_DAMAGE),
		  "dirtyfb: num_damage %u flags 0x%x", ev.num_damage, ev.flags);
	kmscap_expect_rect(&ev.damage[0], &want, "dirtyfb");
}

static void kmscap_cursor(const struct kmscap_t_buf *b)
{
	struct kmscap_t_buf cur, big;
	struct kmscap_event ev;
	struct kmscap_export exp;
	uint32_t prim_id, bx = 0, by = 0;
	uint64_t bad;
	void *map;
	int r;

	r = kmscap_t_buf_create(k.fd, 64, 64, DRM_FORMAT_ARGB8888, false, &cur);
	KT_ASSERT(!r, "64x64 cursor dumb buffer: %s", kmscap_t_errname(r));
	kmscap_t_fill(cur.map, cur.pitch, 64, 64, 0xc0c0);

	r = kmscap_t_atomic_flip(&k, b, NULL, 0, false);
	KT_ASSERT(!r, "commit: %s", kmscap_t_errname(r));
	prim_id = kmscap_frame("before cursor").buffer_id;

	r = drmModeSetCursor2(k.fd, k.crtc_id, cur.handle, 64, 64, 5, 7);
	KT_ASSERT(!r, "drmModeSetCursor2 64x64 hot (5,7): %s", strerror(errno));
	ev = kmscap_frame("cursor set");
	KT_ASSERT((ev.flags & KMSCAP_FRAME_CURSOR_VISIBLE) &&
		  (ev.flags & KMSCAP_FRAME_CURSOR_CHANGED),
		  "cursor set: flags 0x%x", ev.flags);
	KT_ASSERT(ev.cursor_buffer_id && ev.cursor_buffer_id != prim_id,
		  "cursor buffer id %u (primary %u)", ev.cursor_buffer_id, prim_id);
	KT_ASSERT(ev.cursor_width == 64 && ev.cursor_height == 64 &&
		  ev.cursor_format == DRM_FORMAT_ARGB8888 && ev.cursor_pitch == cur.pitch,
		  "cursor %ux%u format %.4s pitch %u", ev.cursor_width, ev.cursor_height,
		  (const char *)&ev.cursor_format, ev.cursor_pitch);
	KT_ASSERT(ev.cursor_hot_x == 5 && ev.cursor_hot_y == 7, "cursor hotspot (%u,%u)",
		  ev.cursor_hot_x, ev.cursor_hot_y);
	KT_ASSERT(ev.buffer_id == prim_id, "primary buffer id changed with the cursor: %u -> %u",
		  prim_id, ev.buffer_id);

	r = kmscap_t_export(cl, ev.cursor_buffer_id, 0, &exp);
	KT_ASSERT(!r, "EXPORT of cursor buffer %u: %s", ev.cursor_buffer_id, kmscap_t_errname(r));
	map = mmap(NULL, exp.size, PROT_READ, MAP_SHARED, (int)exp.fd, 0);
	KT_ASSERT(map != MAP_FAILED, "mmap of exported cursor: %s", strerror(errno));
	bad = kmscap_t_verify(map, ev.cursor_pitch, 64, 64, 0xc0c0, &bx, &by);
	KT_ASSERT(!bad, "exported cursor image: %llu pixels differ, first (%u,%u)",
		  (unsigned long long)bad, bx, by);
	munmap(map, exp.size);
	close((int)exp.fd);

	r = drmModeMoveCursor(k.fd, k.crtc_id, 100, 50);
	KT_ASSERT(!r, "drmModeMoveCursor: %s", strerror(errno));
	ev = kmscap_frame("cursor move");
	KT_ASSERT((ev.flags & KMSCAP_FRAME_CURSOR_MOVED) &&
		  (ev.flags & KMSCAP_FRAME_CURSOR_VISIBLE),
		  "cursor move: flags 0x%x", ev.flags);
	KT_ASSERT(ev.cursor_x == 100 && ev.cursor_y == 50,
		  "cursor at (%lld,%lld), moved to (100,50)",
		  (long long)ev.cursor_x, (long long)ev.cursor_y);

	r = drmModeMoveCursor(k.fd, k.crtc_id, -10, -20);
	KT_ASSERT(!r, "drmModeMoveCursor to (-10,-20): %s", strerror(errno));
	ev = kmscap_frame("cursor move negative");
	KT_ASSERT(ev.cursor_x == -10 && ev.cursor_y == -20,
		  "cursor at (%lld,%lld), moved to (-10,-20)",
		  (long long)ev.cursor_x, (long long)ev.cursor_y);

	r = kmscap_t_buf_create(k.fd, 512, 512, DRM_FORMAT_ARGB8888, false, &big);
	KT_ASSERT(!r, "512x512 dumb buffer: %s", kmscap_t_errname(r));
	r = drmModeSetCursor(k.fd, k.crtc_id, big.handle, 512, 512);
	KT_ASSERT(r, "a 512x512 cursor was accepted (max 256x256)");
	kmscap_t_buf_destroy(&big);
	r = kmscap_t_buf_create(k.fd, 256, 256, DRM_FORMAT_ARGB8888, false, &big);
	KT_ASSERT(!r, "256x256 dumb buffer: %s", kmscap_t_errname(r));
	r = drmModeSetCursor(k.fd, k.crtc_id, big.handle, 256, 256);
	KT_ASSERT(!r, "256x256 cursor: %s", strerror(errno));
	ev = kmscap_frame("256x256 cursor");
	KT_ASSERT(ev.cursor_width == 256 && ev.cursor_height == 256, "cursor %ux%u",
		  ev.cursor_width, ev.cursor_height);

	r = drmModeSetCursor(k.fd, k.crtc_id, 0, 0, 0);
	KT_ASSERT(!r, "hide cursor: %s", strerror(errno));
	ev = kmscap_frame("cursor hidden");
	KT_ASSERT(!(ev.flags & KMSCAP_FRAME_CURSOR_VISIBLE) && ev.cursor_buffer_id == 0,
		  "hidden cursor: flags 0x%x cursor buffer %u", ev.flags, ev.cursor_buffer_id);
	kmscap_t_buf_destroy(&big);
	kmscap_t_buf_destroy(&cur);
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_t_buf b;
	int ctl, r;

	kmscap_t_init("damage_cursor", 100);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &b);
	r = kmscap_t_modeset(&k, b.fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", c.card_minor, kmscap_t_errname(r));
	cl = kmscap_t_client_or_die(c.id, 0, 1000000000ull);

	kmscap_damage(&b);
	kmscap_cursor(&b);

	close(cl);
	kmscap_t_buf_destroy(&b);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("damage clips, merged damage, dirtyfb and cursor set/move/hide in events");
}
