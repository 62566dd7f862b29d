// SPDX-License-Identifier: MIT
/*
 * modeset_flip: drive a kmscap card like a compositor: check the planes and
 * their formats, legacy modeset, page flips with events paced by vblank,
 * drmWaitVBlank, atomic TEST_ONLY / nonblocking flips, and a framebuffer of
 * every advertised primary format flipped and seen by a capture client with
 * the right format, size and pitch.
 */
#include <unistd.h>

#include "kmscap_test.h"

#define W 1024
#define H 768
#define FLIPS 30

static const uint32_t kmscap_formats[] = {
	DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888, DRM_FORMAT_XBGR8888, DRM_FORMAT_ABGR8888,
	DRM_FORMAT_XRGB2101010, DRM_FORMAT_ARGB2101010, DRM_FORMAT_RGB565,
};

static bool kmscap_plane_has(int fd, uint32_t plane_id, uint32_t fmt)
{
	drmModePlanePtr p = drmModeGetPlane(fd, plane_id);
	bool found = false;
	uint32_t i;

	KT_ASSERT(p, "drmModeGetPlane %u: %s", plane_id, strerror(errno));
	for (i = 0; i < p->count_formats; i++)
		if (p->formats[i] == fmt)
			found = true;
	drmModeFreePlane(p);
	return found;
}

/* Read the capture event of the flip just done and check it describes @b. */
static void kmscap_check_frame(int cl, const struct kmscap_t_buf *b, uint32_t display_id,
			       uint64_t t_commit, uint64_t *last_seq, uint32_t *buffer_id)
{
	struct kmscap_event ev;
	int r;

	r = kmscap_t_read_event(cl, &ev, 2000);
	KT_ASSERT(r == 1, "no capture event within 2 s of a completed flip (%s)",
		  kmscap_t_errname(r));
	KT_ASSERT(ev.type == KMSCAP_EVENT_FRAME, "event type %u", ev.type);
	KT_ASSERT(ev.display_id == display_id, "event display %u, expected %u", ev.display_id,
		  display_id);
	KT_ASSERT(ev.format == b->format, "event format %.4s, framebuffer format %.4s",
		  (const char *)&ev.format, (const char *)&b->format);
	KT_ASSERT(ev.width == b->width && ev.height == b->height, "event size %ux%u, fb %ux%u",
		  ev.width, ev.height, b->width, b->height);
	KT_ASSERT(ev.num_planes == 1 && ev.pitches[0] == b->pitch && ev.offsets[0] == 0,
		  "event planes %u pitch %u offset %u; fb pitch %u", ev.num_planes,
		  ev.pitches[0], ev.offsets[0], b->pitch);
	KT_ASSERT(ev.modifier == DRM_FORMAT_MOD_LINEAR, "event modifier 0x%llx",
		  (unsigned long long)ev.modifier);
	KT_ASSERT(ev.buffer_id != 0, "event buffer id 0 for a visible frame");
	KT_ASSERT(!*last_seq || ev.seq == *last_seq + 1, "event seq %llu after %llu",
		  (unsigned long long)ev.seq, (unsigned long long)*last_seq);
	KT_ASSERT(ev.timestamp_ns >= t_commit && ev.timestamp_ns <= kmscap_t_now_ns(),
		  "event timestamp %llu ns outside [commit %llu, now]",
		  (unsigned long long)ev.timestamp_ns, (unsigned long long)t_commit);
	*last_seq = ev.seq;
	*buffer_id = ev.buffer_id;
	r = kmscap_t_release(cl, ev.seq);
	KT_ASSERT(!r, "RELEASE seq %llu: %s", (unsigned long long)ev.seq, kmscap_t_errname(r));
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_display_info info;
	struct kmscap_t_buf buf[2], fbuf;
	struct kmscap_t_kms k;
	drmModeAtomicReqPtr req;
	uint64_t t0, t1, period_ns, last_seq = 0, frames0, cap;
	uint32_t ids[KMSCAP_T_ARRAY_SIZE(kmscap_formats)];
	unsigned int i, j, seq0;
	drmVBlank vbl;
	int ctl, cl, r;

	kmscap_t_init("modeset_flip", 110);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	period_ns = (uint64_t)k.mode.htotal * k.mode.vtotal * 1000000ull / k.mode.clock;
	kmscap_t_log("card%u: crtc %u conn %u primary %u cursor %u, frame period %llu us",
		     c.card_minor, k.crtc_id, k.conn_id, k.primary_id, k.cursor_id,
		     (unsigned long long)period_ns / 1000);

	for (i = 0; i < KMSCAP_T_ARRAY_SIZE(kmscap_formats); i++)
		KT_ASSERT(kmscap_plane_has(k.fd, k.primary_id, kmscap_formats[i]),
			  "primary plane lacks format %.4s", (const char *)&kmscap_formats[i]);
	KT_ASSERT(kmscap_plane_has(k.fd, k.cursor_id, DRM_FORMAT_ARGB8888),
		  "cursor plane lacks ARGB8888");
	KT_ASSERT(k.pp.damage, "primary plane lacks FB_DAMAGE_CLIPS");
	KT_ASSERT(!drmGetCap(k.fd, DRM_CAP_DUMB_BUFFER, &cap) && cap, "no DUMB_BUFFER cap");
	KT_ASSERT(!drmGetCap(k.fd, DRM_CAP_PRIME, &cap) && (cap & DRM_PRIME_CAP_IMPORT),
		  "no PRIME import cap");

	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[0]);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[1]);
	kmscap_t_fill(buf[0].map, buf[0].pitch, W, H, 1);
	kmscap_t_fill(buf[1].map, buf[1].pitch, W, H, 2);

	r = kmscap_t_modeset(&k, buf[0].fb_id);
	KT_ASSERT(!r, "card%u: legacy modeset %ux%u: %s", c.card_minor, W, H,
		  kmscap_t_errname(r));
	KT_EXPECT_RET(kmscap_t_info(ctl, c.id, &info), 0, "INFO");
	KT_ASSERT(info.flags & KMSCAP_INFO_ACTIVE, "INFO flags 0x%x: not ACTIVE after modeset",
		  info.flags);
	frames0 = info.frames;

	/* Legacy page flips with events: one per vblank at most. */
	t0 = kmscap_t_now_ns();
	seq0 = 0;
	for (i = 0; i < FLIPS; i++) {
		r = kmscap_t_flip(&k, buf[(i + 1) & 1].fb_id, 2000);
		KT_ASSERT(!r, "page flip %u: %s", i, kmscap_t_errname(r));
		if (i == 0)
			seq0 = k.flip_seq;
	}
	t1 = kmscap_t_now_ns();
	kmscap_t_log("%u page flips in %llu ms (vblank seq %u -> %u)", FLIPS,
		     (unsigned long long)(t1 - t0) / 1000000, seq0, k.flip_seq);
	KT_ASSERT(t1 - t0 >= (FLIPS - 1) * period_ns * 8 / 10,
		  "%u flips took %llu us: faster than the %llu us refresh", FLIPS,
		  (unsigned long long)(t1 - t0) / 1000, (unsigned long long)period_ns / 1000);
	KT_ASSERT(k.flip_seq - seq0 >= FLIPS - 1, "vblank counter advanced %u over %u flips",
		  k.flip_seq - seq0, FLIPS);
	KT_ASSERT(k.flip_ns && k.flip_ns <= kmscap_t_now_ns(), "flip event timestamp %llu",
		  (unsigned long long)k.flip_ns);
	KT_EXPECT_RET(kmscap_t_info(ctl, c.id, &info), 0, "INFO");
	KT_ASSERT(info.frames >= frames0 + FLIPS, "INFO frames %llu, expected >= %llu",
		  (unsigned long long)info.frames, (unsigned long long)frames0 + FLIPS);

	/* A flip while one is pending is refused with EBUSY. */
	r = kmscap_t_page_flip(&k, buf[0].fb_id);
	KT_ASSERT(!r, "page flip: %s", kmscap_t_errname(r));
	r = drmModePageFlip(k.fd, k.crtc_id, buf[1].fb_id, 0, NULL);
	if (r == 0)
		kmscap_t_log("second flip accepted: the first one had already completed");
	else
		KT_ASSERT(errno == EBUSY, "second pending flip: %s, expected EBUSY",
			  strerror(errno));
	KT_EXPECT_RET(kmscap_t_wait_flip(&k, 2000), 0, "flip event");
	if (r == 0)
		kmscap_t_sleep_ms(200);

	/* drmWaitVBlank relative: the vblank rate is the mode's rate. */
	memset(&vbl, 0, sizeof(vbl));
	vbl.request.type = DRM_VBLANK_RELATIVE;
	vbl.request.sequence = 1;
	r = drmWaitVBlank(k.fd, &vbl);
	KT_ASSERT(!r, "drmWaitVBlank +1: %s", strerror(errno));
	seq0 = vbl.reply.sequence;
	memset(&vbl, 0, sizeof(vbl));
	vbl.request.type = DRM_VBLANK_RELATIVE;
	vbl.request.sequence = 30;
	t0 = kmscap_t_now_ns();
	r = drmWaitVBlank(k.fd, &vbl);
	t1 = kmscap_t_now_ns();
	KT_ASSERT(!r, "drmWaitVBlank +30: %s", strerror(errno));
	kmscap_t_log("30 vblanks in %llu us (period %llu us), sequence %u -> %u",
		     (unsigned long long)(t1 - t0) / 1000, (unsigned long long)period_ns / 1000,
		     seq0, vbl.reply.sequence);
	KT_ASSERT(vbl.reply.sequence - seq0 >= 30, "vblank sequence %u -> %u after waiting 30",
		  seq0, vbl.reply.sequence);
	KT_ASSERT(t1 - t0 >= 30 * period_ns * 8 / 10 && t1 - t0 <= 30 * period_ns * 2,
		  "30 vblanks took %llu us, period %llu us: not the mode's rate",
		  (unsigned long long)(t1 - t0) / 1000, (unsigned long long)period_ns / 1000);

	/* Atomic: TEST_ONLY, then nonblocking flips with events. */
	req = drmModeAtomicAlloc();
	drmModeAtomicAddProperty(req, k.primary_id, k.pp.fb_id, buf[0].fb_id);
	r = drmModeAtomicCommit(k.fd, req, DRM_MODE_ATOMIC_TEST_ONLY, NULL);
	KT_ASSERT(!r, "atomic TEST_ONLY: %s", strerror(errno));
	drmModeAtomicFree(req);
	for (i = 0; i < 10; i++) {
		r = kmscap_t_atomic_flip(&k, &buf[i & 1], NULL, 0, true);
		KT_ASSERT(!r, "atomic nonblocking flip %u: %s", i, kmscap_t_errname(r));
		r = kmscap_t_wait_flip(&k, 2000);
		KT_ASSERT(!r, "atomic flip %u event: %s", i, kmscap_t_errname(r));
	}

	/* Every primary format, blocking atomic commits, seen by a capture client. */
	cl = kmscap_t_client_or_die(c.id, 0, 0);
	for (i = 0; i < KMSCAP_T_ARRAY_SIZE(kmscap_formats); i++) {
		uint32_t fmt = kmscap_formats[i];

		r = kmscap_t_buf_create(k.fd, W, H, fmt, true, &fbuf);
		KT_ASSERT(!r, "framebuffer %ux%u %.4s: %s", W, H, (const char *)&fmt,
			  kmscap_t_errname(r));
		memset(fbuf.map, 0x40 + i, fbuf.size);
		t0 = kmscap_t_now_ns();
		r = kmscap_t_atomic_flip(&k, &fbuf, NULL, 0, false);
		KT_ASSERT(!r, "atomic commit of a %.4s framebuffer: %s", (const char *)&fmt,
			  kmscap_t_errname(r));
		kmscap_check_frame(cl, &fbuf, c.id, t0, &last_seq, &ids[i]);
		for (j = 0; j < i; j++)
			KT_ASSERT(ids[j] != ids[i], "buffers %u and %u share buffer id %u", j, i,
				  ids[i]);
		/* Flip away before freeing the buffer. */
		t0 = kmscap_t_now_ns();
		r = kmscap_t_atomic_flip(&k, &buf[0], NULL, 0, false);
		KT_ASSERT(!r, "atomic commit back to XR24: %s", kmscap_t_errname(r));
		kmscap_check_frame(cl, &buf[0], c.id, t0, &last_seq, &j);
		kmscap_t_buf_destroy(&fbuf);
	}
	close(cl);

	/* Turn the CRTC off. */
	r = drmModeSetCrtc(k.fd, k.crtc_id, 0, 0, 0, NULL, 0, NULL);
	KT_ASSERT(!r, "disable CRTC: %s", strerror(errno));
	KT_EXPECT_RET(kmscap_t_info(ctl, c.id, &info), 0, "INFO");
	KT_ASSERT(!(info.flags & KMSCAP_INFO_ACTIVE), "INFO flags 0x%x: ACTIVE after disable",
		  info.flags);
	kmscap_t_buf_destroy(&buf[0]);
	kmscap_t_buf_destroy(&buf[1]);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("modeset, %u legacy + 10 atomic flips, %zu formats captured", FLIPS,
		      KMSCAP_T_ARRAY_SIZE(kmscap_formats));
}
