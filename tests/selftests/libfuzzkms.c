// SPDX-License-Identifier: MIT
/*
 * libfuzzkms: the compositors and capture clients of the fuzz selftest
 * (see fuzz.c and libfuzz.h).  A compositor drives its display's card with
 * random atomic commits (flips with damage clips, cursor plane updates,
 * modes inside and outside the limits, TEST_ONLY, NONBLOCK with flip-done
 * events, junk), legacy calls (SETCRTC, PAGE_FLIP, cursor), DIRTYFB, and
 * takes buffers away (RMFB, GEM handle closes) that capture clients hold;
 * what the kernel must accept or refuse is asserted.  The capture client
 * checks every event, holds frames for random times, exports and maps
 * their buffers, and checks its STATS against what it holds.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "libfuzz.h"

#define BIG_W	1024
#define BIG_H	768
#define KMS_OPS	500	/* operations on one display, at most */

static bool kmscap_fz_kms_stopped(const struct kmscap_fz_kms *km)
{
	return __atomic_load_n(km->stop, __ATOMIC_ACQUIRE);
}

/* A valid timing for @hd x @vd at @mhz, blanking inside the limits. */
static void kmscap_fz_timing(drmModeModeInfo *m, uint32_t hd, uint32_t vd, uint64_t mhz,
			     uint32_t hblank, uint32_t vblank)
{
	memset(m, 0, sizeof(*m));
	m->hdisplay = hd;
	m->hsync_start = hd + 1;
	m->hsync_end = hd + 2;
	m->htotal = hd + hblank;
	m->vdisplay = vd;
	m->vsync_start = vd + 1;
	m->vsync_end = vd + 2;
	m->vtotal = vd + vblank;
	m->clock = (uint32_t)((mhz * m->htotal * m->vtotal + 500000) / 1000000);	/* kHz */
	m->flags = DRM_MODE_FLAG_PHSYNC | DRM_MODE_FLAG_NVSYNC;
	m->type = DRM_MODE_TYPE_USERDEF;
	m->vrefresh = (uint32_t)(mhz / 1000);
	snprintf(m->name, sizeof(m->name), "%ux%u", hd, vd);
}

/*
 * A mode of at most @maxw x @maxh: valid (1), or with one thing wrong
 * (0), or junk whose verdict is not certain (-1, nothing is asserted).
 * Valid modes run at 20..240 Hz: a client that asked for no hold timeout
 * has one refresh period, and the compositors wait for their events.
 */
static int kmscap_fz_mode(struct kmscap_fz_rng *r, uint32_t maxw, uint32_t maxh,
			  drmModeModeInfo *m)
{
	uint64_t ht, vt;

	kmscap_fz_timing(m, kmscap_fz_range(r, 64, maxw), kmscap_fz_range(r, 64, maxh),
			 kmscap_fz_range(r, 20000, 240000), kmscap_fz_range(r, 3, 200),
			 kmscap_fz_range(r, 3, 60));
	ht = m->htotal;
	vt = m->vtotal;
	if (kmscap_fz_chance(r, 50))
		return 1;
	switch (kmscap_fz_below(r, 10)) {
	case 0:
		m->hdisplay = m->hsync_start = m->hsync_end = kmscap_fz_below(r, 64);
		break;
	case 1:
		m->vdisplay = m->vsync_start = m->vsync_end = kmscap_fz_below(r, 64);
		break;
	case 2:
		m->clock = 0;
		break;
	case 3:		/* 0.9 Hz */
		m->clock = (uint32_t)(ht * vt * 9 / 10000);
		break;
	case 4:		/* above 501 Hz */
		m->clock = (uint32_t)(ht * vt * 501 / 1000 + 1000);
		break;
	case 5:
		m->hsync_end = m->htotal + 1;
		break;
	case 6:
		m->vsync_start = m->vdisplay - 1;
		break;
	case 7:
		m->flags |= kmscap_fz_chance(r, 50) ? DRM_MODE_FLAG_INTERLACE :
						      DRM_MODE_FLAG_DBLSCAN;
		break;
	case 8:
		m->vscan = 2 + kmscap_fz_below(r, 5);
		break;
	default:	/* junk */
		m->clock = kmscap_fz_edge32(r);
		m->htotal = (uint16_t)kmscap_fz_edge32(r);
		m->vtotal = (uint16_t)kmscap_fz_edge32(r);
		if (kmscap_fz_chance(r, 50))
			m->flags = kmscap_fz_edge32(r);
		return -1;
	}
	return 0;
}

static void kmscap_fz_mode_str(const drmModeModeInfo *m, char *buf, size_t len)
{
	snprintf(buf, len, "clock %u %u %u %u %u / %u %u %u %u flags 0x%x vscan %u", m->clock,
		 m->hdisplay, m->hsync_start, m->hsync_end, m->htotal, m->vdisplay,
		 m->vsync_start, m->vsync_end, m->vtotal, m->flags, m->vscan);
}

/*
 * Was the display destroyed under the compositor (by a racer)?  Then a
 * call that was already running may have failed in any way: a connector
 * that is no longer registered, say, is EINVAL.
 */
static bool kmscap_fz_gone(struct kmscap_fz_kms *km)
{
	drmModeCrtcPtr crtc;

	if (km->dead)
		return true;
	crtc = drmModeGetCrtc(km->k.fd, km->k.crtc_id);
	if (!crtc && errno == ENODEV)
		km->dead = true;
	drmModeFreeCrtc(crtc);
	return km->dead;
}

/* A refusal of a valid call fails the test, unless the display is gone. */
#define KMS_ASSERT(km, cond, fmt, ...) do {					\
	if (!(cond) && !kmscap_fz_gone(km))					\
		kmscap_t_fail("%s:%d: '%s' is false: " fmt, __FILE__, __LINE__,	\
			      #cond, ##__VA_ARGS__);				\
} while (0)

/* Count a DRM call; ENODEV means the display went away under us. */
static int kmscap_fz_drm(struct kmscap_fz_kms *km, enum kmscap_fz_op op, int ret)
{
	kmscap_fz_did(&km->c, op, ret);
	if (ret == -ENODEV)
		km->dead = true;
	return ret;
}

/* The CRTC as the kernel has it: enabled, mode, which buffer is shown. */
static void kmscap_fz_resync(struct kmscap_fz_kms *km)
{
	drmModeCrtcPtr crtc = drmModeGetCrtc(km->k.fd, km->k.crtc_id);
	unsigned int i;

	kmscap_fz_drm(km, KMSCAP_FZ_OP_PROBE, crtc ? 0 : -errno);
	if (!crtc) {
		KMS_ASSERT(km, km->dead, "%s: GETCRTC: %s", km->name, strerror(errno));
		return;
	}
	km->enabled = crtc->mode_valid;
	km->mode = crtc->mode;
	km->shown = -1;
	for (i = 0; i < KMSCAP_FZ_NPRIM; i++)
		if (crtc->buffer_id && km->prim[i].fb_id == crtc->buffer_id)
			km->shown = (int)i;
	drmModeFreeCrtc(crtc);
}

/* Read the flip-done events there are, waiting up to @ms for the first. */
static void kmscap_fz_events(struct kmscap_fz_kms *km, int ms)
{
	struct pollfd p = { .fd = km->k.fd, .events = POLLIN };
	char buf[1024];
	ssize_t n, off;

	if (poll(&p, 1, ms) <= 0 || !(p.revents & POLLIN))
		return;
	n = read(km->k.fd, buf, sizeof(buf));
	kmscap_fz_drm(km, KMSCAP_FZ_OP_DRM_EVENT, n < 0 ? -errno : 0);
	for (off = 0; n > 0 && off + (ssize_t)sizeof(struct drm_event) <= n;) {
		const struct drm_event *e = (const void *)(buf + off);

		if (e->type == DRM_EVENT_FLIP_COMPLETE) {
			km->pending--;
			km->events++;
			KT_ASSERT(km->pending >= 0, "%s: a flip-done event nobody asked for",
				  km->name);
		}
		off += e->length ? e->length : n;
	}
}

/* Wait until at most @max flip-done events are outstanding (bounded by the holds). */
static void kmscap_fz_drain(struct kmscap_fz_kms *km, int max)
{
	uint64_t deadline = kmscap_t_now_ns() + 5000000000ull;

	while (km->pending > max && !km->dead) {
		KT_ASSERT(kmscap_t_now_ns() < deadline, "%s: %d flip-done events did not come in "
			  "5 s (holds are at most %llu ms)", km->name, km->pending,
			  KMSCAP_FZ_HOLD_MAX_NS / 1000000);
		kmscap_fz_events(km, 50);
	}
}

static void kmscap_fz_add_plane(drmModeAtomicReqPtr req, const struct kmscap_fz_kms *km,
				uint32_t plane, const struct kmscap_t_plane_props *pp,
				uint32_t fb_id, uint32_t w, uint32_t h, int x, int y)
{
	drmModeAtomicAddProperty(req, plane, pp->fb_id, fb_id);
	drmModeAtomicAddProperty(req, plane, pp->crtc_id, fb_id ? km->k.crtc_id : 0);
	drmModeAtomicAddProperty(req, plane, pp->src_x, 0);
	drmModeAtomicAddProperty(req, plane, pp->src_y, 0);
	drmModeAtomicAddProperty(req, plane, pp->src_w, (uint64_t)w << 16);
	drmModeAtomicAddProperty(req, plane, pp->src_h, (uint64_t)h << 16);
	drmModeAtomicAddProperty(req, plane, pp->crtc_x, (uint64_t)(int64_t)x);
	drmModeAtomicAddProperty(req, plane, pp->crtc_y, (uint64_t)(int64_t)y);
	drmModeAtomicAddProperty(req, plane, pp->crtc_w, w);
	drmModeAtomicAddProperty(req, plane, pp->crtc_h, h);
}

static uint32_t kmscap_fz_blob(struct kmscap_fz_kms *km, const void *data, size_t len)
{
	uint32_t id = 0;
	int r = drmModeCreatePropertyBlob(km->k.fd, data, len, &id) ? -errno : 0;

	kmscap_fz_drm(km, KMSCAP_FZ_OP_BLOB, r);
	KMS_ASSERT(km, !r || r == -ENODEV || (!len && r == -EINVAL), "%s: CREATEPROPBLOB of %zu "
		   "bytes: %s", km->name, len, kmscap_t_errname(r));
	return r ? 0 : id;
}

/* Verdicts: 1 the kernel must accept, 0 it must refuse, -1 either. */
static int kmscap_fz_and(int a, int b)
{
	return !a || !b ? 0 : a < 0 || b < 0 ? -1 : 1;
}

/*
 * Random damage clips, inside, across and outside the buffer, some
 * inverted or empty.  *@verdict: 1 if all are inside the @fbw x @fbh
 * buffer, 0 if one is empty, inverted or negative (the DRM core refuses
 * those), else -1 (6.1's core compares the far edges with the buffer's
 * size in 16.16 fixed point).
 */
static unsigned int kmscap_fz_clips(struct kmscap_fz_rng *r, struct drm_mode_rect *clips,
				    unsigned int max, uint32_t w, uint32_t h, uint32_t fbw,
				    uint32_t fbh, int *verdict)
{
	unsigned int i, n = kmscap_fz_below(r, max + 1);

	*verdict = 1;
	for (i = 0; i < n; i++) {
		struct drm_mode_rect *c = &clips[i];

		c->x1 = (int32_t)kmscap_fz_below(r, w);
		c->y1 = (int32_t)kmscap_fz_below(r, h);
		c->x2 = c->x1 + 1 + (int32_t)kmscap_fz_below(r, 64);
		c->y2 = c->y1 + 1 + (int32_t)kmscap_fz_below(r, 64);
		switch (kmscap_fz_below(r, 8)) {
		case 0:		/* negative */
			c->x1 = -1 - (int32_t)kmscap_fz_below(r, 1000);
			break;
		case 1:		/* anything */
			c->x2 = (int32_t)kmscap_fz_edge32(r);
			break;
		case 2:		/* inverted */
			c->y2 = c->y1 - 1;
			break;
		case 3:		/* the whole mode */
			*c = (struct drm_mode_rect){ 0, 0, (int32_t)w, (int32_t)h };
			break;
		case 4:		/* empty */
			c->x1 = c->x2;
			break;
		default:
			break;
		}
		if (c->x1 < 0 || c->y1 < 0 || c->x1 >= c->x2 || c->y1 >= c->y2)
			*verdict = 0;
		else if (c->x2 > (int64_t)fbw || c->y2 > (int64_t)fbh)
			*verdict = kmscap_fz_and(*verdict, -1);
	}
	return n;
}

/* A buffer the compositor's planes use: dumb buffer, mapping, framebuffer. */
static bool kmscap_fz_buf(struct kmscap_fz_kms *km, struct kmscap_t_buf *b, uint32_t w,
			  uint32_t h, uint32_t format)
{
	int r = kmscap_t_buf_create(km->k.fd, w, h, format, true, b);

	kmscap_fz_drm(km, KMSCAP_FZ_OP_CREATE_DUMB, r);
	KMS_ASSERT(km, !r || r == -ENODEV, "%s: dumb buffer %ux%u: %s", km->name, w, h,
		   kmscap_t_errname(r));
	if (!r)
		kmscap_t_fill(b->map, b->pitch, w * b->bpp / 32, h, km->commits + w);
	return !r;
}

/*
 * Take a buffer away in one of the ways a compositor does: RMFB, closing
 * the GEM handle, in either order; frames that show it may be held.
 */
static void kmscap_fz_free_buf(struct kmscap_fz_kms *km, struct kmscap_t_buf *b)
{
	struct drm_mode_destroy_dumb dd = { .handle = b->handle };
	bool handle_first = kmscap_fz_chance(&km->c.rng, 50);
	int r;

	if (handle_first && b->handle) {
		r = kmscap_t_ioctl(km->k.fd, DRM_IOCTL_MODE_DESTROY_DUMB, &dd);
		kmscap_fz_drm(km, KMSCAP_FZ_OP_DESTROY_DUMB, r);
		b->handle = 0;
	}
	if (b->fb_id) {
		r = drmModeRmFB(km->k.fd, b->fb_id) ? -errno : 0;
		kmscap_fz_drm(km, KMSCAP_FZ_OP_RMFB, r);
		KMS_ASSERT(km, !r || r == -ENODEV, "%s: RMFB: %s", km->name, kmscap_t_errname(r));
		b->fb_id = 0;
	}
	if (b->handle) {
		r = kmscap_t_ioctl(km->k.fd, DRM_IOCTL_MODE_DESTROY_DUMB, &dd);
		kmscap_fz_drm(km, KMSCAP_FZ_OP_DESTROY_DUMB, r);
		b->handle = 0;
	}
	if (b->map)
		munmap(b->map, b->size);
	b->map = NULL;
}

static const uint32_t kmscap_fz_formats[] = {
	DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888, DRM_FORMAT_XBGR8888, DRM_FORMAT_ABGR8888,
	DRM_FORMAT_XRGB2101010, DRM_FORMAT_ARGB2101010, DRM_FORMAT_RGB565,
};

/* (Re)make missing buffers: [0], [1] the display's size, [2] another format, [3] big. */
static void kmscap_fz_make_bufs(struct kmscap_fz_kms *km, uint32_t w, uint32_t h)
{
	static const uint32_t cw[KMSCAP_FZ_NCUR] = { 64, 256, 32, 300 };
	static const uint32_t ch[KMSCAP_FZ_NCUR] = { 64, 256, 32, 64 };
	unsigned int i;

	for (i = 0; i < KMSCAP_FZ_NPRIM && !km->dead; i++) {
		if (km->prim[i].fb_id)
			continue;
		if (km->prim[i].map || km->prim[i].handle)
			kmscap_fz_free_buf(km, &km->prim[i]);
		kmscap_fz_buf(km, &km->prim[i], i == 3 ? BIG_W : w, i == 3 ? BIG_H : h,
			      i == 2 ? kmscap_fz_formats[kmscap_fz_below(&km->c.rng, 7)] :
			      DRM_FORMAT_XRGB8888);
	}
	for (i = 0; i < KMSCAP_FZ_NCUR && !km->dead; i++) {
		if (km->cur[i].fb_id)
			continue;
		if (km->cur[i].map || km->cur[i].handle)
			kmscap_fz_free_buf(km, &km->cur[i]);
		kmscap_fz_buf(km, &km->cur[i], cw[i], ch[i], DRM_FORMAT_ARGB8888);
	}
}

static int kmscap_fz_commit(struct kmscap_fz_kms *km, drmModeAtomicReqPtr req, uint32_t flags,
			    enum kmscap_fz_op op)
{
	int r;

	if (flags & DRM_MODE_PAGE_FLIP_EVENT)
		kmscap_fz_drain(km, 32);
	r = drmModeAtomicCommit(km->k.fd, req, flags, NULL) ? -errno : 0;
	kmscap_fz_drm(km, op, r);
	if (!r && (flags & DRM_MODE_PAGE_FLIP_EVENT))
		km->pending++;
	if (!r && !(flags & DRM_MODE_ATOMIC_TEST_ONLY))
		km->commits++;
	return r;
}

/* Commit flags: mostly valid ones, sometimes junk. *@valid says which. */
static uint32_t kmscap_fz_flags(struct kmscap_fz_rng *r, bool *valid)
{
	static const uint32_t good[] = {
		0, DRM_MODE_ATOMIC_NONBLOCK,
		DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT,
		DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT,
		DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT, DRM_MODE_PAGE_FLIP_EVENT,
		DRM_MODE_ATOMIC_TEST_ONLY, DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_ATOMIC_NONBLOCK,
	};

	*valid = kmscap_fz_chance(r, 95);
	if (*valid)
		return good[kmscap_fz_below(r, KMSCAP_T_ARRAY_SIZE(good))];
	return kmscap_fz_chance(r, 50) ? DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_PAGE_FLIP_EVENT :
	       DRM_MODE_ATOMIC_NONBLOCK | 1u << (12 + kmscap_fz_below(r, 20));
}

static void kmscap_fz_expect(struct kmscap_fz_kms *km, const char *what, int verdict,
			     uint32_t flags, int r)
{
	if (r == -ENODEV)
		return;
	if (verdict == 1)
		KMS_ASSERT(km, !r || (r == -EBUSY && (flags & DRM_MODE_ATOMIC_NONBLOCK)),
			   "%s: %s (flags 0x%x) refused: %s", km->name, what, flags,
			   kmscap_t_errname(r));
	else if (verdict == 0)
		KT_ASSERT(r, "%s: %s (flags 0x%x) was accepted, but it is not valid", km->name,
			  what, flags);
}

/* A page flip of the primary plane, with random damage clips. */
static void kmscap_fz_flip(struct kmscap_fz_kms *km)
{
	struct kmscap_fz_rng *r = &km->c.rng;
	unsigned int i = kmscap_fz_below(r, KMSCAP_FZ_NPRIM);
	const struct kmscap_t_buf *b = &km->prim[i];
	uint32_t w = km->mode.hdisplay, h = km->mode.vdisplay, flags, blob = 0;
	struct drm_mode_rect clips[12];
	drmModeAtomicReqPtr req;
	unsigned int n = 0, k;
	int ret, cverdict = 1, verdict;
	char desc[512];
	size_t len;
	bool fvalid;

	/* no buffer: the plane goes off, which needs no CRTC for an event */
	verdict = !b->fb_id ? -1 : km->enabled && b->width >= w && b->height >= h;
	flags = kmscap_fz_flags(r, &fvalid);
	verdict = kmscap_fz_and(verdict, fvalid);
	req = drmModeAtomicAlloc();
	KT_ASSERT(req, "drmModeAtomicAlloc");
	kmscap_fz_add_plane(req, km, km->k.primary_id, &km->k.pp, b->fb_id, w, h, 0, 0);
	if (kmscap_fz_chance(r, 60)) {
		n = kmscap_fz_clips(r, clips, KMSCAP_T_ARRAY_SIZE(clips), w, h, b->width,
				    b->height, &cverdict);
		/* a plane turned off does not look at its clips */
		if (b->fb_id)
			verdict = kmscap_fz_and(verdict, cverdict);
		/* a blob whose size is not a number of rectangles is refused */
		if (kmscap_fz_chance(r, 5) && n)
			blob = kmscap_fz_blob(km, clips, n * sizeof(clips[0]) - 4), verdict = 0;
		else
			blob = n ? kmscap_fz_blob(km, clips, n * sizeof(clips[0])) : 0;
		drmModeAtomicAddProperty(req, km->k.primary_id, km->k.pp.damage, blob);
	}
	ret = kmscap_fz_commit(km, req, flags, flags & DRM_MODE_ATOMIC_TEST_ONLY ?
			       KMSCAP_FZ_OP_ATOMIC_TEST : KMSCAP_FZ_OP_ATOMIC);
	drmModeAtomicFree(req);
	if (blob)
		drmModeDestroyPropertyBlob(km->k.fd, blob);
	len = snprintf(desc, sizeof(desc), "a page flip to buffer %u (%ux%u) in %ux%u, "
		       "damage %s", i, b->width, b->height, w, h, blob ? "" : "none");
	for (k = 0; blob && k < n && len < sizeof(desc); k++)
		len += snprintf(desc + len, sizeof(desc) - len, "%s[%d,%d-%d,%d]", k ? " " : "",
				clips[k].x1, clips[k].y1, clips[k].x2, clips[k].y2);
	kmscap_fz_expect(km, desc, verdict, flags, ret);
	if (!ret && !(flags & DRM_MODE_ATOMIC_TEST_ONLY))
		km->shown = b->fb_id ? (int)i : -1;
}

/* The cursor plane: another image, a move, or off. */
static void kmscap_fz_cursor(struct kmscap_fz_kms *km)
{
	struct kmscap_fz_rng *r = &km->c.rng;
	unsigned int i = kmscap_fz_below(r, KMSCAP_FZ_NCUR + 1);
	const struct kmscap_t_buf *b = i < KMSCAP_FZ_NCUR ? &km->cur[i] : NULL;
	int x = (int)kmscap_fz_range(r, 0, km->mode.hdisplay + 600) - 300;
	int y = (int)kmscap_fz_range(r, 0, km->mode.vdisplay + 600) - 300;
	uint32_t flags = kmscap_fz_chance(r, 60) ? DRM_MODE_ATOMIC_NONBLOCK :
			 kmscap_fz_chance(r, 50) ? 0 : DRM_MODE_ATOMIC_TEST_ONLY;
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	bool valid;
	int ret;

	KT_ASSERT(req, "drmModeAtomicAlloc");
	if (b && !b->fb_id)
		return drmModeAtomicFree(req);
	valid = !b || (km->enabled && i < 3);
	kmscap_fz_add_plane(req, km, km->k.cursor_id, &km->k.cp, b ? b->fb_id : 0,
			    b ? b->width : 0, b ? b->height : 0, b ? x : 0, b ? y : 0);
	ret = kmscap_fz_commit(km, req, flags, flags & DRM_MODE_ATOMIC_TEST_ONLY ?
			       KMSCAP_FZ_OP_ATOMIC_TEST : KMSCAP_FZ_OP_ATOMIC);
	drmModeAtomicFree(req);
	kmscap_fz_expect(km, b ? "a cursor plane update" : "turning the cursor plane off",
			 valid, flags, ret);
}

/* The legacy cursor calls: image (with a hotspot), move. */
static void kmscap_fz_legacy_cursor(struct kmscap_fz_kms *km)
{
	struct kmscap_fz_rng *r = &km->c.rng;
	unsigned int i = kmscap_fz_below(r, KMSCAP_FZ_NCUR + 1);
	const struct kmscap_t_buf *b = i < KMSCAP_FZ_NCUR ? &km->cur[i] : NULL;
	uint32_t w = b ? b->width : 0, h = b ? b->height : 0, handle = b ? b->handle : 0;
	int ret;

	if (kmscap_fz_chance(r, 40)) {
		ret = drmModeMoveCursor(km->k.fd, km->k.crtc_id,
					(int)kmscap_fz_edge32(r) % 4000,
					(int)kmscap_fz_edge32(r) % 4000) ? -errno : 0;
		kmscap_fz_drm(km, KMSCAP_FZ_OP_MOVE_CURSOR, ret);
		return;
	}
	if (kmscap_fz_chance(r, 10))
		w = kmscap_fz_edge32(r) % 512, h = kmscap_fz_edge32(r) % 512;
	if (kmscap_fz_chance(r, 50))
		ret = drmModeSetCursor2(km->k.fd, km->k.crtc_id, handle, w, h,
					(int)kmscap_fz_edge32(r), (int)kmscap_fz_edge32(r));
	else
		ret = drmModeSetCursor(km->k.fd, km->k.crtc_id, handle, w, h);
	ret = ret ? -errno : 0;
	kmscap_fz_drm(km, KMSCAP_FZ_OP_CURSOR, ret);
	if (km->enabled && (!handle || (i < 3 && b && w == b->width && h == b->height)))
		KMS_ASSERT(km, !ret || ret == -ENODEV, "%s: legacy cursor %s %ux%u: %s", km->name,
			   handle ? "image" : "off", w, h, kmscap_t_errname(ret));
}

/* A modeset with a random mode, atomic or legacy; valid modes must work. */
static void kmscap_fz_modeset(struct kmscap_fz_kms *km, bool legacy)
{
	struct kmscap_fz_rng *r = &km->c.rng;
	const struct kmscap_t_buf *b = &km->prim[3];
	uint32_t flags = DRM_MODE_ATOMIC_ALLOW_MODESET, blob;
	drmModeAtomicReqPtr req;
	drmModeModeInfo m;
	char desc[160];
	int verdict = kmscap_fz_mode(r, BIG_W, BIG_H, &m), ret;

	if (!b->fb_id)
		return;
	kmscap_fz_mode_str(&m, desc, sizeof(desc));
	if (legacy) {
		ret = drmModeSetCrtc(km->k.fd, km->k.crtc_id, b->fb_id, 0, 0, &km->k.conn_id, 1,
				     &m) ? -errno : 0;
		kmscap_fz_drm(km, KMSCAP_FZ_OP_SETCRTC, ret);
	} else {
		if (kmscap_fz_chance(r, 50))
			flags |= DRM_MODE_ATOMIC_TEST_ONLY;
		else if (kmscap_fz_chance(r, 40))
			flags |= DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT;
		blob = kmscap_fz_blob(km, &m, sizeof(m));
		if (km->dead)
			return;
		req = drmModeAtomicAlloc();
		KT_ASSERT(req, "drmModeAtomicAlloc");
		drmModeAtomicAddProperty(req, km->k.conn_id, km->k.conn_crtc_id, km->k.crtc_id);
		drmModeAtomicAddProperty(req, km->k.crtc_id, km->k.crtc_mode_id, blob);
		drmModeAtomicAddProperty(req, km->k.crtc_id, km->k.crtc_active, 1);
		kmscap_fz_add_plane(req, km, km->k.primary_id, &km->k.pp, b->fb_id,
				    m.hdisplay < BIG_W ? m.hdisplay : BIG_W,
				    m.vdisplay < BIG_H ? m.vdisplay : BIG_H, 0, 0);
		ret = kmscap_fz_commit(km, req, flags, flags & DRM_MODE_ATOMIC_TEST_ONLY ?
				       KMSCAP_FZ_OP_ATOMIC_TEST : KMSCAP_FZ_OP_ATOMIC_MODESET);
		drmModeAtomicFree(req);
		drmModeDestroyPropertyBlob(km->k.fd, blob);
	}
	if (ret == -ENODEV)
		return;
	if (verdict == 1 && !ret)
		km->modes_ok++;
	if (verdict == 0 && ret)
		km->modes_refused++;
	KMS_ASSERT(km, verdict != 1 || !ret || (ret == -EBUSY && (flags & DRM_MODE_ATOMIC_NONBLOCK)),
		   "%s: %s modeset of a valid mode (%s) refused: %s", km->name,
		   legacy ? "legacy" : "atomic", desc, kmscap_t_errname(ret));
	KT_ASSERT(verdict != 0 || ret, "%s: %s modeset of an invalid mode (%s) accepted",
		  km->name, legacy ? "legacy" : "atomic", desc);
	if (!ret && !(flags & DRM_MODE_ATOMIC_TEST_ONLY))
		kmscap_fz_resync(km);
}

/* Legacy page flip: the shown buffer's format, covering the mode, with an event. */
static void kmscap_fz_page_flip(struct kmscap_fz_kms *km)
{
	struct kmscap_fz_rng *r = &km->c.rng;
	unsigned int i = kmscap_fz_below(r, KMSCAP_FZ_NPRIM);
	const struct kmscap_t_buf *b = &km->prim[i];
	uint32_t flags = kmscap_fz_chance(r, 90) ? DRM_MODE_PAGE_FLIP_EVENT :
			 DRM_MODE_PAGE_FLIP_EVENT | DRM_MODE_PAGE_FLIP_ASYNC;
	bool valid = km->enabled && km->shown >= 0 && b->fb_id &&
		     b->format == km->prim[km->shown].format && b->width >= km->mode.hdisplay &&
		     b->height >= km->mode.vdisplay && !(flags & DRM_MODE_PAGE_FLIP_ASYNC);
	int ret;

	if (!b->fb_id)
		return;
	kmscap_fz_drain(km, 32);
	ret = drmModePageFlip(km->k.fd, km->k.crtc_id, b->fb_id, flags, NULL) ? -errno : 0;
	kmscap_fz_drm(km, KMSCAP_FZ_OP_PAGE_FLIP, ret);
	if (!ret) {
		km->pending++;
		km->commits++;
		km->shown = (int)i;
	}
	if (valid)
		KMS_ASSERT(km, !ret || ret == -EBUSY || ret == -ENODEV, "%s: legacy page flip: %s",
			   km->name, kmscap_t_errname(ret));
}

/* DIRTYFB on a buffer, shown or not, with random clips and flags. */
static void kmscap_fz_dirtyfb(struct kmscap_fz_kms *km)
{
	struct kmscap_fz_rng *r = &km->c.rng;
	const struct kmscap_t_buf *b = &km->prim[kmscap_fz_below(r, KMSCAP_FZ_NPRIM)];
	struct drm_clip_rect clips[8];
	struct drm_mode_fb_dirty_cmd d = {
		.fb_id = b->fb_id,
		.flags = kmscap_fz_chance(r, 80) ? 0 : kmscap_fz_below(r, 8),
		.num_clips = kmscap_fz_below(r, 9),
	};
	bool valid = b->fb_id && !d.flags;
	unsigned int i;
	int ret;

	for (i = 0; i < d.num_clips; i++) {
		clips[i].x1 = (uint16_t)kmscap_fz_below(r, b->width + 10);
		clips[i].y1 = (uint16_t)kmscap_fz_below(r, b->height + 10);
		clips[i].x2 = clips[i].x1 + (uint16_t)kmscap_fz_below(r, 100);
		clips[i].y2 = clips[i].y1 + (uint16_t)kmscap_fz_below(r, 100);
		/* the damage of the commit made for a shown buffer is checked */
		valid &= clips[i].x1 < clips[i].x2 && clips[i].y1 < clips[i].y2 &&
			 clips[i].x2 <= b->width && clips[i].y2 <= b->height;
	}
	d.clips_ptr = d.num_clips ? (uintptr_t)clips : 0;
	if (kmscap_fz_chance(r, 5))
		d.num_clips = DRM_MODE_FB_DIRTY_MAX_CLIPS + 1, valid = false;
	ret = kmscap_t_ioctl(km->k.fd, DRM_IOCTL_MODE_DIRTYFB, &d);
	kmscap_fz_drm(km, KMSCAP_FZ_OP_DIRTYFB, ret);
	if (valid)
		KMS_ASSERT(km, !ret || ret == -ENODEV, "%s: DIRTYFB: %s", km->name,
			   kmscap_t_errname(ret));
}

/* Commits the kernel must refuse: junk property values, junk blobs. */
static void kmscap_fz_junk_commit(struct kmscap_fz_kms *km)
{
	struct kmscap_fz_rng *r = &km->c.rng;
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	const struct kmscap_t_buf *b = &km->prim[3];
	uint32_t flags = DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_ATOMIC_ALLOW_MODESET, blob = 0;
	uint8_t junk[80];
	unsigned int i;
	const char *what;
	int ret;

	KT_ASSERT(req, "drmModeAtomicAlloc");
	if (kmscap_fz_chance(r, 50))
		flags &= ~DRM_MODE_ATOMIC_TEST_ONLY;
	i = kmscap_fz_below(r, 6);
	if (!b->fb_id && (i == 1 || i == 4))
		i = 2;
	switch (i) {
	case 0: {
		size_t len = 1 + kmscap_fz_below(r, sizeof(junk));

		what = "a mode blob of the wrong size";
		if (len == sizeof(drmModeModeInfo))
			len++;
		for (i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)kmscap_fz_u64(r);
		blob = kmscap_fz_blob(km, junk, len);
		if (!blob)
			return drmModeAtomicFree(req);
		drmModeAtomicAddProperty(req, km->k.crtc_id, km->k.crtc_mode_id, blob);
		drmModeAtomicAddProperty(req, km->k.crtc_id, km->k.crtc_active, 1);
		break;
	}
	case 1:
		what = "a source rectangle outside the buffer";
		kmscap_fz_add_plane(req, km, km->k.primary_id, &km->k.pp, b->fb_id,
				    km->mode.hdisplay, km->mode.vdisplay, 0, 0);
		drmModeAtomicAddProperty(req, km->k.primary_id, km->k.pp.src_x,
					 (uint64_t)(BIG_W + kmscap_fz_below(r, 1000)) << 16);
		break;
	case 2:
		what = "a framebuffer id that does not exist";
		drmModeAtomicAddProperty(req, km->k.primary_id, km->k.pp.fb_id,
					 0x7f000000u + kmscap_fz_below(r, 1000));
		break;
	case 3:
		what = "a property the object does not have";
		drmModeAtomicAddProperty(req, km->k.crtc_id, km->k.pp.src_w, 1);
		break;
	case 5: {
		/* 1..10 entries of 8 bytes, or a partial one: never the 256 the CRTC takes */
		size_t len = 1 + kmscap_fz_below(r, sizeof(junk));

		what = "a GAMMA_LUT of the wrong size";
		for (i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)kmscap_fz_u64(r);
		blob = kmscap_fz_blob(km, junk, len);
		if (!blob)
			return drmModeAtomicFree(req);
		drmModeAtomicAddProperty(req, km->k.crtc_id, km->gamma_lut, blob);
		break;
	}
	default:
		what = "a primary plane scaled";
		kmscap_fz_add_plane(req, km, km->k.primary_id, &km->k.pp, b->fb_id,
				    km->mode.hdisplay, km->mode.vdisplay, 0, 0);
		drmModeAtomicAddProperty(req, km->k.primary_id, km->k.pp.crtc_w,
					 km->mode.hdisplay / 2 + 1);
		break;
	}
	ret = kmscap_fz_commit(km, req, flags, flags & DRM_MODE_ATOMIC_TEST_ONLY ?
			       KMSCAP_FZ_OP_ATOMIC_TEST : KMSCAP_FZ_OP_ATOMIC);
	drmModeAtomicFree(req);
	if (blob)
		drmModeDestroyPropertyBlob(km->k.fd, blob);
	KT_ASSERT(ret, "%s: a commit with %s was accepted", km->name, what);
	if (!ret)
		kmscap_fz_resync(km);
}

/*
 * A commit of a connector property only ("link-status" GOOD, what it is):
 * no CRTC in it, so no frame, and nothing to wait for.
 */
static void kmscap_fz_connector_commit(struct kmscap_fz_kms *km)
{
	uint32_t prop = kmscap_t_prop_id(km->k.fd, km->k.conn_id, DRM_MODE_OBJECT_CONNECTOR,
					 "link-status");
	drmModeAtomicReqPtr req;
	int ret;

	if (!prop)
		return;
	req = drmModeAtomicAlloc();
	KT_ASSERT(req, "drmModeAtomicAlloc");
	drmModeAtomicAddProperty(req, km->k.conn_id, prop, DRM_MODE_LINK_STATUS_GOOD);
	ret = kmscap_fz_commit(km, req, kmscap_fz_chance(&km->c.rng, 50) ?
			       DRM_MODE_ATOMIC_NONBLOCK : 0, KMSCAP_FZ_OP_ATOMIC);
	drmModeAtomicFree(req);
	KMS_ASSERT(km, !ret || ret == -EBUSY || ret == -ENODEV, "%s: a commit of link-status "
		   "alone: %s", km->name, kmscap_t_errname(ret));
}

/* Create a display, open its card, make buffers, set a mode, publish it. */
static bool kmscap_fz_kms_start(struct kmscap_fz_kms *km)
{
	struct kmscap_fz_rng *r = &km->c.rng;
	uint32_t w = kmscap_fz_range(r, 200, BIG_W), h = kmscap_fz_range(r, 150, BIG_H);
	uint32_t mhz = kmscap_fz_range(r, 30000, 240000);
	struct kmscap_display_create cr;
	drmModeAtomicReqPtr req;
	uint32_t blob;
	int ret;

	ret = kmscap_t_create(km->ctl, w, h, mhz, 0, &cr);
	kmscap_fz_did(&km->c, KMSCAP_FZ_OP_CREATE, ret);
	KT_ASSERT(!ret || ret == -ENOSPC, "%s: DISPLAY_CREATE: %s", km->name,
		  kmscap_t_errname(ret));
	if (ret) {
		kmscap_t_sleep_ms(5);
		return false;
	}
	/* nobody destroys it before it is published */
	kmscap_t_kms_open_or_die(&km->k, cr.card_minor);
	km->gamma_lut = kmscap_t_prop_id(km->k.fd, km->k.crtc_id, DRM_MODE_OBJECT_CRTC,
					 "GAMMA_LUT");
	KT_ASSERT(km->gamma_lut, "%s: card%u: no GAMMA_LUT property", km->name, cr.card_minor);
	memset(km->prim, 0, sizeof(km->prim));
	memset(km->cur, 0, sizeof(km->cur));
	km->dead = false;
	km->pending = 0;
	km->displays++;
	kmscap_fz_make_bufs(km, w, h);
	kmscap_fz_timing(&km->mode, w, h, mhz, 80, 10);
	blob = kmscap_fz_blob(km, &km->mode, sizeof(km->mode));
	req = drmModeAtomicAlloc();
	KT_ASSERT(req, "drmModeAtomicAlloc");
	drmModeAtomicAddProperty(req, km->k.conn_id, km->k.conn_crtc_id, km->k.crtc_id);
	drmModeAtomicAddProperty(req, km->k.crtc_id, km->k.crtc_mode_id, blob);
	drmModeAtomicAddProperty(req, km->k.crtc_id, km->k.crtc_active, 1);
	kmscap_fz_add_plane(req, km, km->k.primary_id, &km->k.pp, km->prim[0].fb_id, w, h, 0, 0);
	ret = kmscap_fz_commit(km, req, DRM_MODE_ATOMIC_ALLOW_MODESET, KMSCAP_FZ_OP_ATOMIC_MODESET);
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(km->k.fd, blob);
	KT_ASSERT(!ret, "%s: first modeset, %ux%u at %u mHz: %s", km->name, w, h, mhz,
		  kmscap_t_errname(ret));
	kmscap_fz_resync(km);
	STORE(km->published_at, kmscap_t_now_ns());
	__atomic_store_n(&km->id, cr.id, __ATOMIC_RELEASE);
	return true;
}

/* The display ends: destroyed under the card, or the card closed first. */
static void kmscap_fz_kms_end(struct kmscap_fz_kms *km)
{
	uint32_t id = km->id;
	drmModeAtomicReqPtr req;
	unsigned int i;
	int ret;

	__atomic_store_n(&km->id, 0, __ATOMIC_RELEASE);
	if (!km->dead && kmscap_fz_chance(&km->c.rng, 50)) {
		ret = kmscap_t_destroy(km->ctl, id);
		kmscap_fz_did(&km->c, KMSCAP_FZ_OP_DESTROY, ret);
		KT_ASSERT(!ret || ret == -ENOENT, "%s: DESTROY: %s", km->name,
			  kmscap_t_errname(ret));
		/* ioctls on the card of a destroyed display: ENODEV */
		req = drmModeAtomicAlloc();
		KT_ASSERT(req, "drmModeAtomicAlloc");
		kmscap_fz_add_plane(req, km, km->k.primary_id, &km->k.pp, km->prim[0].fb_id,
				    km->mode.hdisplay, km->mode.vdisplay, 0, 0);
		ret = kmscap_fz_commit(km, req, DRM_MODE_ATOMIC_NONBLOCK, KMSCAP_FZ_OP_ATOMIC);
		drmModeAtomicFree(req);
		KT_ASSERT(ret == -ENODEV, "%s: a commit on the card of a destroyed display: %s",
			  km->name, kmscap_t_errname(ret));
		kmscap_t_kms_close(&km->k);
	} else {
		km->destroyed_under += km->dead;
		kmscap_t_kms_close(&km->k);
		ret = kmscap_t_destroy(km->ctl, id);
		kmscap_fz_did(&km->c, KMSCAP_FZ_OP_DESTROY, ret);
		KT_ASSERT(!ret || ret == -ENOENT, "%s: DESTROY: %s", km->name,
			  kmscap_t_errname(ret));
	}
	for (i = 0; i < KMSCAP_FZ_NPRIM + KMSCAP_FZ_NCUR; i++) {
		struct kmscap_t_buf *b = i < KMSCAP_FZ_NPRIM ? &km->prim[i] : &km->cur[i - KMSCAP_FZ_NPRIM];

		if (b->map)
			munmap(b->map, b->size);
		b->map = NULL;
	}
}

/* Legacy SETCRTC of the valid mode @m with the big buffer, or off (@m NULL): it must work. */
static void kmscap_fz_setcrtc(struct kmscap_fz_kms *km, drmModeModeInfo *m)
{
	int ret = drmModeSetCrtc(km->k.fd, km->k.crtc_id, m ? km->prim[3].fb_id : 0, 0, 0,
				 m ? &km->k.conn_id : NULL, m ? 1 : 0, m) ? -errno : 0;

	kmscap_fz_drm(km, KMSCAP_FZ_OP_SETCRTC, ret);
	KMS_ASSERT(km, !ret || ret == -ENODEV, "%s: SETCRTC %s: %s", km->name,
		   m ? "of a valid mode" : "off", kmscap_t_errname(ret));
	kmscap_fz_resync(km);
}

static void kmscap_fz_kms_op(struct kmscap_fz_kms *km)
{
	struct kmscap_fz_rng *r = &km->c.rng;
	unsigned int op = kmscap_fz_below(r, 100);

	if (!km->enabled) {
		drmModeModeInfo m;

		/* a CRTC turned off comes back with a valid mode first */
		while (kmscap_fz_mode(r, BIG_W, BIG_H, &m) != 1)
			;
		if (!km->prim[3].fb_id)
			kmscap_fz_make_bufs(km, km->prim[0].width ?: 640, km->prim[0].height ?: 480);
		if (!km->dead && km->prim[3].fb_id)
			kmscap_fz_setcrtc(km, &m);
		return;
	}
	if (op < 30) {
		kmscap_fz_flip(km);
	} else if (op < 40) {
		kmscap_fz_cursor(km);
	} else if (op < 47) {
		kmscap_fz_legacy_cursor(km);
	} else if (op < 55) {
		kmscap_fz_modeset(km, false);
	} else if (op < 59) {
		kmscap_fz_modeset(km, true);
	} else if (op < 61) {
		kmscap_fz_setcrtc(km, NULL);
	} else if (op < 67) {
		kmscap_fz_page_flip(km);
	} else if (op < 72) {
		kmscap_fz_dirtyfb(km);
	} else if (op < 77) {
		unsigned int i = kmscap_fz_below(r, KMSCAP_FZ_NPRIM + KMSCAP_FZ_NCUR);

		kmscap_fz_free_buf(km, i < KMSCAP_FZ_NPRIM ? &km->prim[i] :
				   &km->cur[i - KMSCAP_FZ_NPRIM]);
		kmscap_fz_resync(km);
		if (kmscap_fz_chance(r, 50))
			kmscap_fz_make_bufs(km, km->prim[0].width ?: km->mode.hdisplay,
					    km->prim[0].height ?: km->mode.vdisplay);
	} else if (op < 81) {
		kmscap_fz_junk_commit(km);
	} else if (op < 82) {
		kmscap_fz_connector_commit(km);
	} else if (op < 86) {
		drmModeConnectorPtr c = drmModeGetConnector(km->k.fd, km->k.conn_id);

		kmscap_fz_drm(km, KMSCAP_FZ_OP_PROBE, c ? 0 : -errno);
		KMS_ASSERT(km, c || km->dead, "%s: GETCONNECTOR: %s", km->name, strerror(errno));
		drmModeFreeConnector(c);
	} else if (op < 95) {
		kmscap_fz_events(km, (int)kmscap_fz_below(r, 5));
	} else {
		kmscap_fz_make_bufs(km, km->prim[0].width ?: km->mode.hdisplay,
				    km->prim[0].height ?: km->mode.vdisplay);
	}
	if (km->pending > 16)
		kmscap_fz_drain(km, 8);
}

void *kmscap_fz_kms_thread(void *arg)
{
	struct kmscap_fz_kms *km = arg;

	km->ctl = kmscap_fz_open_ctl(&km->c, true);
	while (!kmscap_fz_kms_stopped(km)) {
		unsigned int n = kmscap_fz_range(&km->c.rng, KMS_OPS / 4, KMS_OPS), i;

		if (!kmscap_fz_kms_start(km))
			continue;
		for (i = 0; i < n && !km->dead && !kmscap_fz_kms_stopped(km); i++)
			kmscap_fz_kms_op(km);
		kmscap_fz_kms_end(km);
	}
	close(km->ctl);
	return NULL;
}

/* ---- the capture client ------------------------------------------------ */

struct kmscap_fz_held {
	uint64_t seq;
	uint64_t until;		/* released after this time */
};

struct kmscap_fz_xmap {
	uint32_t buffer_id;
	int fd;
	const volatile uint8_t *map;
	uint64_t size;
};

#define NHELD	12
#define NXMAP	6

struct kmscap_fz_capture {
	struct kmscap_fz_kms *km;
	struct kmscap_fz_ctx *c;
	int fd;
	uint32_t id, dead_id;
	uint64_t last_seq, attached_at;
	bool first, hangup;
	struct kmscap_fz_held held[NHELD];
	unsigned int nheld;
	struct kmscap_fz_xmap x[NXMAP];
	unsigned int nx;
};

static void kmscap_fz_xmap_drop(struct kmscap_fz_capture *cap, unsigned int i)
{
	struct kmscap_fz_xmap *x = &cap->x[i];

	/* the mapping outlives the fd, the display and the buffer: touch it */
	(void)x->map[0];
	(void)x->map[x->size - 1];
	munmap((void *)x->map, x->size);
	close(x->fd);
	cap->x[i] = cap->x[--cap->nx];
}

/* Export and map a buffer of a frame this client holds: it must work. */
static void kmscap_fz_xmap_add(struct kmscap_fz_capture *cap, uint32_t buffer_id)
{
	struct kmscap_fz_rng *r = &cap->c->rng;
	struct kmscap_fz_xmap *x;
	struct kmscap_export exp;
	unsigned int i;
	void *p;
	int ret;

	for (i = 0; i < cap->nx; i++)
		if (cap->x[i].buffer_id == buffer_id)
			return;
	if (cap->nx == NXMAP)
		kmscap_fz_xmap_drop(cap, kmscap_fz_below(r, NXMAP));
	ret = kmscap_t_export(cap->fd, buffer_id, kmscap_fz_chance(r, 80) ? KMSCAP_EXPORT_CLOEXEC : 0,
			      &exp);
	kmscap_fz_did(cap->c, KMSCAP_FZ_OP_EXPORT, ret);
	KT_ASSERT(!ret, "%s: EXPORT of buffer %u of a frame it holds: %s", cap->c->name,
		  buffer_id, kmscap_t_errname(ret));
	cap->km->exports++;
	p = mmap(NULL, exp.size, PROT_READ, MAP_SHARED, (int)exp.fd, 0);
	kmscap_fz_did(cap->c, KMSCAP_FZ_OP_MMAP, p == MAP_FAILED ? -errno : 0);
	KT_ASSERT(p != MAP_FAILED, "%s: mmap of export %u (%llu bytes): %s", cap->c->name,
		  buffer_id, (unsigned long long)exp.size, strerror(errno));
	if (kmscap_fz_chance(r, 10)) {
		void *w = mmap(NULL, exp.size, PROT_READ | PROT_WRITE, MAP_SHARED, (int)exp.fd, 0);

		kmscap_fz_did(cap->c, KMSCAP_FZ_OP_MMAP, w == MAP_FAILED ? -errno : 0);
		KT_ASSERT(w == MAP_FAILED && errno == EACCES, "%s: a shared writable mapping of a "
			  "read-only export: %s", cap->c->name, w == MAP_FAILED ? strerror(errno) :
			  "it worked");
	}
	if (kmscap_fz_chance(r, 10)) {
		ret = kmscap_t_dmabuf_sync((int)exp.fd, true);
		if (!ret)
			ret = kmscap_t_dmabuf_sync((int)exp.fd, false);
		kmscap_fz_did(cap->c, KMSCAP_FZ_OP_DMABUF_SYNC, ret);
		KT_ASSERT(!ret, "%s: DMA_BUF_IOCTL_SYNC: %s", cap->c->name, kmscap_t_errname(ret));
	}
	x = &cap->x[cap->nx++];
	x->buffer_id = buffer_id;
	x->fd = (int)exp.fd;
	x->map = p;
	x->size = exp.size;
	(void)x->map[0];
}

static void kmscap_fz_cap_stats(struct kmscap_fz_capture *cap)
{
	struct kmscap_client_stats st;
	int ret = kmscap_t_stats(cap->fd, &st);

	kmscap_fz_did(cap->c, KMSCAP_FZ_OP_STATS, ret);
	KT_ASSERT(!ret, "%s: STATS: %s", cap->c->name, kmscap_t_errname(ret));
	kmscap_t_stats_check(&st, cap->c->name);
	/* what it holds, revoked or not, is what it read and did not release */
	if (st.held + st.revoked_unreleased != cap->nheld) {
		kmscap_t_stats_print(&st, cap->c->name);
		kmscap_t_fail("%s: it holds %u frames, STATS says held %llu + revoked %llu",
			      cap->c->name, cap->nheld, (unsigned long long)st.held,
			      (unsigned long long)st.revoked_unreleased);
	}
}

static void kmscap_fz_cap_release(struct kmscap_fz_capture *cap, unsigned int i)
{
	int ret = kmscap_t_release(cap->fd, cap->held[i].seq);

	kmscap_fz_did(cap->c, KMSCAP_FZ_OP_RELEASE, ret);
	KT_ASSERT(!ret || ret == -ESTALE, "%s: RELEASE of frame %llu it holds: %s", cap->c->name,
		  (unsigned long long)cap->held[i].seq, kmscap_t_errname(ret));
	cap->km->stale += ret == -ESTALE;
	cap->held[i] = cap->held[--cap->nheld];
}

static void kmscap_fz_cap_close(struct kmscap_fz_capture *cap)
{
	kmscap_fz_cap_stats(cap);
	close(cap->fd);
	kmscap_fz_did(cap->c, KMSCAP_FZ_OP_CLOSE, 0);
	cap->fd = -1;
	cap->nheld = 0;
}

static void kmscap_fz_cap_attach(struct kmscap_fz_capture *cap)
{
	struct kmscap_fz_rng *r = &cap->c->rng;
	uint32_t id = __atomic_load_n(&cap->km->id, __ATOMIC_ACQUIRE);
	int ret;

	if (!id || id == cap->dead_id) {
		kmscap_t_sleep_ms(1);
		return;
	}
	cap->fd = kmscap_fz_open_ctl(cap->c, kmscap_fz_chance(r, 50));
	ret = kmscap_t_attach(cap->fd, id, kmscap_fz_below(r, 9),
			      kmscap_fz_chance(r, 20) ? 0 : kmscap_fz_range(r, 1000000, 40000000));
	kmscap_fz_did(cap->c, KMSCAP_FZ_OP_ATTACH, ret);
	KT_ASSERT(!ret || ret == -ENOENT, "%s: ATTACH: %s", cap->c->name, kmscap_t_errname(ret));
	if (ret) {
		close(cap->fd);
		cap->fd = -1;
		cap->dead_id = id;
		return;
	}
	cap->id = id;
	cap->last_seq = 0;
	cap->first = true;
	cap->hangup = false;
	cap->attached_at = kmscap_t_now_ns();
}

/* One frame or hang-up event read. */
static void kmscap_fz_cap_event(struct kmscap_fz_capture *cap, const struct kmscap_event *ev)
{
	struct kmscap_fz_rng *r = &cap->c->rng;

	kmscap_fz_check_event(ev, cap->id, cap->c->name);
	KT_ASSERT(!cap->hangup, "%s: an event after the hang-up", cap->c->name);
	if (ev->type == KMSCAP_EVENT_HANGUP) {
		cap->hangup = true;
		return;
	}
	KT_ASSERT(ev->seq > cap->last_seq, "%s: frame %llu after frame %llu", cap->c->name,
		  (unsigned long long)ev->seq, (unsigned long long)cap->last_seq);
	KT_ASSERT(!!(ev->flags & KMSCAP_FRAME_FIRST) == cap->first,
		  "%s: frame %llu: FIRST %s on the %s frame read", cap->c->name,
		  (unsigned long long)ev->seq, cap->first ? "missing" : "set",
		  cap->first ? "first" : "next");
	cap->first = false;
	cap->last_seq = ev->seq;
	cap->km->frames++;
	if (cap->nheld == NHELD)
		kmscap_fz_cap_release(cap, 0);
	cap->held[cap->nheld].seq = ev->seq;
	cap->held[cap->nheld].until = kmscap_t_now_ns() +
				      (kmscap_fz_chance(r, 70) ? kmscap_fz_below(r, 5000000) :
				       kmscap_fz_below(r, 80000000));
	cap->nheld++;
	if (ev->buffer_id && kmscap_fz_chance(r, 40))
		kmscap_fz_xmap_add(cap, ev->buffer_id);
	if (ev->cursor_buffer_id && kmscap_fz_chance(r, 10))
		kmscap_fz_xmap_add(cap, ev->cursor_buffer_id);
}

static void kmscap_fz_cap_step(struct kmscap_fz_capture *cap)
{
	struct kmscap_fz_rng *r = &cap->c->rng;
	struct pollfd p = { .fd = cap->fd, .events = POLLIN };
	struct kmscap_event evs[4];
	unsigned int i;
	ssize_t n;
	int ret;

	ret = poll(&p, 1, 10);
	kmscap_fz_did(cap->c, KMSCAP_FZ_OP_POLL, ret < 0 ? -errno : 0);
	if (ret > 0 && (p.revents & POLLIN)) {
		size_t len = (1 + kmscap_fz_below(r, 4)) * sizeof(evs[0]);

		if (kmscap_fz_chance(r, 3)) {
			/* a fault while copying out loses nothing */
			n = read(cap->fd, (void *)(uintptr_t)0x10, len);
			kmscap_fz_did(cap->c, KMSCAP_FZ_OP_READ, n < 0 ? -errno : 0);
			KT_ASSERT(n < 0 && (errno == EFAULT || errno == EAGAIN),
				  "%s: read into address 0x10: %zd (%s)", cap->c->name, n,
				  n < 0 ? strerror(errno) : "data");
			kmscap_fz_cap_stats(cap);
		}
		n = read(cap->fd, evs, len);
		ret = n < 0 ? -errno : 0;
		kmscap_fz_did(cap->c, KMSCAP_FZ_OP_READ, ret);
		KT_ASSERT(n >= 0 || ret == -EAGAIN, "%s: read: %s", cap->c->name,
			  kmscap_t_errname(ret));
		if (n == 0) {
			/* end of file: only after the hang-up event */
			KT_ASSERT(cap->hangup, "%s: read returned 0 before the hang-up event",
				  cap->c->name);
			cap->dead_id = cap->id;
			kmscap_fz_cap_close(cap);
			return;
		}
		for (i = 0; n > 0 && i < n / sizeof(evs[0]); i++)
			kmscap_fz_cap_event(cap, &evs[i]);
	} else if (cap->hangup && kmscap_fz_chance(r, 20)) {
		KT_ASSERT(ret > 0 && (p.revents & POLLHUP), "%s: no POLLHUP after the hang-up",
			  cap->c->name);
	}
	for (i = 0; i < cap->nheld; i++)
		if (cap->held[i].until <= kmscap_t_now_ns() || kmscap_fz_chance(r, 2))
			kmscap_fz_cap_release(cap, i--);
	if (kmscap_fz_chance(r, 3)) {
		ret = kmscap_t_release(cap->fd, kmscap_fz_chance(r, 50) ? 0 : cap->last_seq + 1000000);
		kmscap_fz_did(cap->c, KMSCAP_FZ_OP_RELEASE, ret);
		KT_ASSERT(ret == -ENOENT, "%s: RELEASE of a frame never read: %s", cap->c->name,
			  kmscap_t_errname(ret));
	}
	if (kmscap_fz_chance(r, 15))
		kmscap_fz_cap_stats(cap);
	if (kmscap_fz_chance(r, 1)) {
		cap->km->reattach++;
		kmscap_fz_cap_close(cap);
	}
}

void *kmscap_fz_capture_thread(void *arg)
{
	struct kmscap_fz_kms *km = arg;
	struct kmscap_fz_capture cap = { .km = km, .c = &km->cc, .fd = -1 };
	uint64_t stopped_at = 0;

	for (;;) {
		if (cap.fd < 0) {
			if (kmscap_fz_kms_stopped(km))
				break;
			kmscap_fz_cap_attach(&cap);
			continue;
		}
		/* at the end the display is destroyed: the hang-up must come */
		if (kmscap_fz_kms_stopped(km) && !stopped_at)
			stopped_at = kmscap_t_now_ns();
		KT_ASSERT(!stopped_at || kmscap_t_now_ns() - stopped_at < 20000000000ull,
			  "%s: no hang-up 20 s after the end", cap.c->name);
		kmscap_fz_cap_step(&cap);
	}
	while (cap.nx)
		kmscap_fz_xmap_drop(&cap, 0);
	return NULL;
}
