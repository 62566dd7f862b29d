// SPDX-License-Identifier: MIT
/*
 * kmscap-stream-demo: a test renderer on a kmscap display, streamed to
 * H.264 by kmscap-stream with the software test VA driver on vgem.
 *
 *   kmscap-stream-demo KMSCAP_STREAM VADRIVER_DIR [SECONDS [FPS [CURSOR]]]
 *
 * Creates a 1920x1080@60 display and starts KMSCAP_STREAM on it (CQP,
 * --json, --cursor CURSOR: composite (default) blends the cursor into the
 * picture, separate writes records to /out/cursor.bin, counted at the end;
 * the bitstream in /out/demo.h264, its stderr in /out/stream.log).  Then a
 * renderer drives the display for SECONDS (default 10) at FPS frames a
 * second (default 60) with the libdrm atomic API: a static background, a
 * bouncing striped box and a frame counter, each flip carrying
 * FB_DAMAGE_CLIPS for just what changed, and a cursor plane moving on a
 * circle in the same commit.  Halfway the display's mode changes to
 * 1280x720 (DISPLAY_CONFIG, re-probe, new buffers, atomic modeset).  At
 * the end the helper gets SIGTERM; its final statistics are printed, and
 * /out/demo.txt gets "flips N", "switch N" (first frame at 720p),
 * "status S", "cursor_records N".
 *
 * Exit status: 0 when the helper exited 0 having encoded frames, 1 else.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "kmscap_streamrun.h"

#define NBUF 4
#define BOX 240
#define CUR 64
#define DIG_SCALE 12		/* a digit cell is 3x5 of these */
#define DIG_N 5			/* digits of the frame counter */
#define CNT_X 48
#define CNT_Y 48
#define CNT_W (DIG_N * 4 * DIG_SCALE)
#define CNT_H (5 * DIG_SCALE)

struct kmscap_demo_buf {
	struct kmscap_t_buf b;
	bool drawn;
	struct drm_mode_rect box;	/* where the box was drawn in this buffer */
};

struct kmscap_demo {
	struct kmscap_t_kms k;
	struct kmscap_demo_buf buf[NBUF];
	struct kmscap_t_buf cur;
	uint32_t w, h;
	uint32_t *bg;			/* the background, w x h, packed */
	struct drm_mode_rect last_box;	/* box of the frame on screen */
};

/* 3x5 digits, one row per 3 bits, top row first. */
static const uint16_t kmscap_demo_font[10] = {
	0x7b6f, 0x2c97, 0x73e7, 0x72cf, 0x5bc9, 0x79cf, 0x79ef, 0x7249, 0x7bef, 0x7bcf,
};

static uint32_t kmscap_demo_bg_px(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	uint32_t r = x * 200 / w + 20, g = y * 160 / h + 40, b = 96;

	if (x % 120 < 2 || y % 120 < 2)
		r = g = b = 200;	/* grid lines */
	return 0xff000000u | r << 16 | g << 8 | b;
}

static void kmscap_demo_box_rect(unsigned int n, uint32_t w, uint32_t h,
				 struct drm_mode_rect *r)
{
	/* bounce between the edges, a different period on each axis */
	unsigned int px = 2 * (w - BOX), py = 2 * (h - BOX);
	unsigned int x = (n * 37) % px, y = (n * 23) % py;

	r->x1 = (int)(x < w - BOX ? x : px - x);
	r->y1 = (int)(y < h - BOX ? y : py - y);
	r->x2 = r->x1 + BOX;
	r->y2 = r->y1 + BOX;
}

static void kmscap_demo_restore(struct kmscap_demo *d, struct kmscap_t_buf *b,
				const struct drm_mode_rect *r)
{
	int y;

	for (y = r->y1; y < r->y2; y++)
		memcpy((uint8_t *)b->map + (size_t)y * b->pitch + (size_t)r->x1 * 4,
		       d->bg + (size_t)y * d->w + r->x1, (size_t)(r->x2 - r->x1) * 4);
}

static void kmscap_demo_draw_box(struct kmscap_t_buf *b, const struct drm_mode_rect *r,
				 unsigned int n)
{
	uint32_t hue = 0xff000000u | ((n * 7) & 0xff) << 16 | 0x30 << 8 | (255 - ((n * 5) & 0xff));
	int x, y;

	for (y = r->y1; y < r->y2; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)b->map + (size_t)y * b->pitch);

		for (x = r->x1; x < r->x2; x++) {
			/* diagonal stripes that slide with the frame number */
			bool stripe = ((unsigned int)(x - r->x1 + y - r->y1) + n * 6) / 20 % 2;
			bool edge = x - r->x1 < 4 || r->x2 - x <= 4 || y - r->y1 < 4 ||
				    r->y2 - y <= 4;

			row[x] = edge ? 0xffffffffu : stripe ? hue : 0xff101010u;
		}
	}
}

static void kmscap_demo_draw_counter(struct kmscap_t_buf *b, unsigned int n)
{
	unsigned int i, cx, cy, x, y, v = n;

	for (i = 0; i < DIG_N; i++) {
		unsigned int digit = v % 10, col = DIG_N - 1 - i;

		v /= 10;
		for (cy = 0; cy < 5; cy++) {
			for (cx = 0; cx < 4; cx++) {
				bool on = cx < 3 &&
					  (kmscap_demo_font[digit] >> (14 - cy * 3 - cx)) & 1;

				for (y = 0; y < DIG_SCALE; y++) {
					uint32_t *row = (uint32_t *)((uint8_t *)b->map +
						(size_t)(CNT_Y + cy * DIG_SCALE + y) * b->pitch);

					for (x = 0; x < DIG_SCALE; x++)
						row[CNT_X + (col * 4 + cx) * DIG_SCALE + x] =
							on ? 0xffffff40u : 0xff000000u;
				}
			}
		}
	}
}

static void kmscap_demo_cursor_image(struct kmscap_t_buf *c)
{
	int x, y;

	for (y = 0; y < CUR; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)c->map + (size_t)y * c->pitch);

		for (x = 0; x < CUR; x++)
			row[x] = (x <= y && x + y < 96) ? (x == y || x == 0 ? 0xff000000u :
								0xffffffffu) : 0;
	}
}

/* (Re)create the buffers and the background for the current mode. */
static void kmscap_demo_setup_mode(struct kmscap_demo *d)
{
	uint32_t x, y, i;

	d->w = d->k.mode.hdisplay;
	d->h = d->k.mode.vdisplay;
	free(d->bg);
	d->bg = malloc((size_t)d->w * d->h * 4);
	KT_ASSERT(d->bg, "out of memory for a %ux%u background", d->w, d->h);
	for (y = 0; y < d->h; y++)
		for (x = 0; x < d->w; x++)
			d->bg[(size_t)y * d->w + x] = kmscap_demo_bg_px(x, y, d->w, d->h);
	for (i = 0; i < NBUF; i++) {
		if (d->buf[i].b.map)
			kmscap_t_buf_destroy(&d->buf[i].b);
		kmscap_t_buf_create_or_die(d->k.fd, d->w, d->h, DRM_FORMAT_XRGB8888,
					   &d->buf[i].b);
		d->buf[i].drawn = false;
	}
}

/* Draw frame @n into buffer @db: restore what its last frame drew, draw the new. */
static void kmscap_demo_draw(struct kmscap_demo *d, struct kmscap_demo_buf *db, unsigned int n,
			     struct drm_mode_rect *box)
{
	struct drm_mode_rect all = { 0, 0, (int)d->w, (int)d->h };

	kmscap_demo_box_rect(n, d->w, d->h, box);
	kmscap_demo_restore(d, &db->b, db->drawn ? &db->box : &all);
	kmscap_demo_draw_box(&db->b, box, n);
	kmscap_demo_draw_counter(&db->b, n);
	db->box = *box;
	db->drawn = true;
}

static int kmscap_demo_commit(struct kmscap_demo *d, struct kmscap_t_buf *b,
			      const struct drm_mode_rect *clips, unsigned int nclips, int cx,
			      int cy)
{
	const struct kmscap_t_plane_props *pp = &d->k.pp;
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	struct kmscap_t_kms *k = &d->k;
	uint32_t blob = 0;
	int r;

	if (!req)
		return -ENOMEM;
	drmModeAtomicAddProperty(req, k->primary_id, pp->fb_id, b->fb_id);
	drmModeAtomicAddProperty(req, k->primary_id, pp->crtc_id, k->crtc_id);
	drmModeAtomicAddProperty(req, k->primary_id, pp->src_w, (uint64_t)d->w << 16);
	drmModeAtomicAddProperty(req, k->primary_id, pp->src_h, (uint64_t)d->h << 16);
	drmModeAtomicAddProperty(req, k->primary_id, pp->crtc_w, d->w);
	drmModeAtomicAddProperty(req, k->primary_id, pp->crtc_h, d->h);
	if (nclips) {
		if (drmModeCreatePropertyBlob(k->fd, clips, nclips * sizeof(*clips), &blob)) {
			r = -errno;
			goto out;
		}
		drmModeAtomicAddProperty(req, k->primary_id, pp->damage, blob);
	}
	kmscap_t_add_cursor(req, k, &d->cur, cx, cy);
	k->flip_pending = true;
	r = drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT,
				k) ? -errno : 0;
	if (r)
		k->flip_pending = false;
out:
	if (blob)
		drmModeDestroyPropertyBlob(k->fd, blob);
	drmModeAtomicFree(req);
	return r;
}

static void kmscap_demo_union(struct drm_mode_rect *a, const struct drm_mode_rect *b)
{
	a->x1 = a->x1 < b->x1 ? a->x1 : b->x1;
	a->y1 = a->y1 < b->y1 ? a->y1 : b->y1;
	a->x2 = a->x2 > b->x2 ? a->x2 : b->x2;
	a->y2 = a->y2 > b->y2 ? a->y2 : b->y2;
}

/* Count the cursor records of @path (format: Documentation/stream.md). */
static int kmscap_demo_cursor_records(const char *path, unsigned int *images)
{
	uint8_t hdr[52];
	int n = 0;
	FILE *f = fopen(path, "re");

	*images = 0;
	if (!f)
		return -1;
	while (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr)) {
		uint32_t flags, len;

		if (memcmp(hdr, "KSCR", 4)) {
			n = -1;
			break;
		}
		memcpy(&flags, hdr + 40, 4);
		memcpy(&len, hdr + 48, 4);
		if (flags & 4)
			(*images)++;
		if (len && fseek(f, len, SEEK_CUR))
			break;
		n++;
	}
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	static struct kmscap_demo d;
	struct kmscap_display_create dc;
	char render[300], id[16], line[4096], summary[4096] = "";
	const char *log = "/out/stream.log";
	unsigned int secs = 10, fps = 5, total, i, sw = 0, images = 0, late = 0, flips;
	const char *cursor = "composite";
	bool switched = false, separate;
	uint64_t t0, cpu = 0;
	int ctl, r, status, recs;
	pid_t pid;
	FILE *f;

	kmscap_t_init("kmscap-stream-demo", 0);
	if (argc < 3)
		kmscap_t_fail("usage: kmscap-stream-demo KMSCAP_STREAM VADRIVER_DIR "
			      "[SECONDS [FPS [CURSOR]]]");
	if (argc > 3)
		secs = (unsigned int)atoi(argv[3]);
	if (argc > 4)
		fps = (unsigned int)atoi(argv[4]);
	if (argc > 5)
		cursor = argv[5];
	separate = !strcmp(cursor, "separate");
	if (!separate && strcmp(cursor, "composite"))
		kmscap_t_fail("CURSOR must be composite or separate, not '%s'", cursor);
	if (!secs || secs > 600 || !fps || fps > 60)
		kmscap_t_fail("SECONDS must be 1..600 and FPS 1..60 (got '%s' '%s')",
			      argc > 3 ? argv[3] : "", argc > 4 ? argv[4] : "");
	total = secs * fps;
	mkdir("/out", 0755);
	if (access(argv[1], X_OK))
		kmscap_t_fail("%s: %s (make user)", argv[1], strerror(errno));
	if (kmscap_t_render_node("vgem", render, sizeof(render)))
		kmscap_t_skip("no vgem render node in the VM");
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, 1920, 1080, 60000, &dc);
	printf("kmscap-stream-demo: display %u is /dev/dri/card%u, 1920x1080@60; encoder on %s; "
	       "%u s at %u fps, 1280x720 from frame %u\n", dc.id, dc.card_minor, render, secs, fps,
	       total / 2);
	snprintf(id, sizeof(id), "%u", dc.id);
	{
		const char *args[] = { argv[1], "--display", id, "--render-node", render, "--rc",
				       "cqp", "--hold-timeout", "5000", "--cursor", cursor, "--json",
				       "-o", "/out/demo.h264", separate ? "--cursor-out" : NULL,
				       "/out/cursor.bin", NULL };

		pid = kmscap_sr_spawn(args, argv[2], log);
	}
	kmscap_sr_wait_attached(ctl, dc.id, pid, log);

	kmscap_t_kms_open_or_die(&d.k, dc.card_minor);
	kmscap_t_buf_create_or_die(d.k.fd, CUR, CUR, DRM_FORMAT_ARGB8888, &d.cur);
	kmscap_demo_cursor_image(&d.cur);
	kmscap_demo_setup_mode(&d);

	t0 = kmscap_t_now_ns();
	for (i = 0, flips = 0; i < total; i++) {
		struct kmscap_demo_buf *db = &d.buf[flips % NBUF];
		struct drm_mode_rect clips[2], box;
		uint64_t due = t0 + (uint64_t)i * 1000000000ull / fps, now = kmscap_t_now_ns();
		bool modeset = !flips;
		int cx, cy;

		/* paced by the clock: a frame whose time has passed is not drawn */
		if (now >= due + 1000000000ull / fps) {
			late++;
			continue;
		}
		if (now < due)
			kmscap_t_sleep_ms((unsigned int)((due - now + 999999) / 1000000));
		if (i >= total / 2 && !switched) {
			r = kmscap_t_config(ctl, dc.id, KMSCAP_CONFIG_MODE, 1280, 720, 60000);
			KT_ASSERT(!r, "DISPLAY_CONFIG %u 1280x720: %s", dc.id, kmscap_t_errname(r));
			r = kmscap_t_kms_reprobe(&d.k);
			KT_ASSERT(!r && d.k.mode.hdisplay == 1280, "card%u: re-probe: %s, %ux%u",
				  dc.card_minor, kmscap_t_errname(r), d.k.mode.hdisplay,
				  d.k.mode.vdisplay);
			kmscap_demo_setup_mode(&d);
			modeset = true;
			switched = true;
			sw = flips;
		}
		kmscap_demo_draw(&d, db, i, &box);
		cx = (int)d.w / 2 - CUR / 2 + (int)(d.w / 3 * cos(i * 0.15));
		cy = (int)d.h / 2 - CUR / 2 + (int)(d.h / 3 * sin(i * 0.15));
		if (modeset) {
			r = kmscap_t_atomic_modeset(&d.k, &db->b);
			KT_ASSERT(!r, "card%u: atomic modeset %ux%u: %s", dc.card_minor, d.w, d.h,
				  kmscap_t_errname(r));
		} else {
			/* what changed since the frame on screen: the boxes, the counter */
			clips[0] = d.last_box;
			kmscap_demo_union(&clips[0], &box);
			clips[1] = (struct drm_mode_rect){ CNT_X, CNT_Y, CNT_X + CNT_W,
							   CNT_Y + CNT_H };
			r = kmscap_demo_commit(&d, &db->b, clips, 2, cx, cy);
			if (!r)
				r = kmscap_t_wait_flip(&d.k, 10000);
			KT_ASSERT(!r, "card%u: frame %u: atomic flip: %s", dc.card_minor, i,
				  kmscap_t_errname(r));
		}
		d.last_box = box;
		flips++;
	}
	printf("kmscap-stream-demo: %u frames flipped in %.2f s (%u of %u not drawn: their time "
	       "had passed)\n", flips, (kmscap_t_now_ns() - t0) / 1e9, late, total);
	kill(pid, SIGTERM);
	status = kmscap_sr_reap(pid, &cpu);
	recs = separate ? kmscap_demo_cursor_records("/out/cursor.bin", &images) : -1;

	f = fopen("/out/demo.txt", "we");
	KT_ASSERT(f, "/out/demo.txt: %s", strerror(errno));
	fprintf(f, "flips %u\nswitch %u\nstatus %d\ncursor_records %d\ncpu_ms %.1f\n", flips, sw,
		status, recs, cpu / 1e6);
	fclose(f);
	printf("kmscap-stream-demo: kmscap-stream exit status %d, CPU %.2f s (user+sys)\n", status,
	       cpu / 1e9);
	if (separate)
		printf("kmscap-stream-demo: --cursor separate: %d cursor records (%u with an "
		       "image) in cursor.bin\n", recs, images);
	r = kmscap_sr_find_line(log, "\"type\":\"summary\"", summary, sizeof(summary));
	if (!r)
		printf("kmscap-stream-demo: %s\n", summary);
	if (!kmscap_sr_find_line(log, "\"type\":\"exit\"", line, sizeof(line)))
		printf("kmscap-stream-demo: %s\n", line);
	if (!kmscap_sr_find_line(log, "cursor", line, sizeof(line)))
		printf("kmscap-stream-demo: %s\n", line);

	for (i = 0; i < NBUF; i++)
		kmscap_t_buf_destroy(&d.buf[i].b);
	kmscap_t_buf_destroy(&d.cur);
	kmscap_t_kms_close(&d.k);
	kmscap_t_destroy(ctl, dc.id);
	close(ctl);
	free(d.bg);
	if (status || r || kmscap_sr_json_num(summary, "encoded") <= 0)
		kmscap_t_fail("kmscap-stream did not stream (status %d), see /out/stream.log",
			      status);
	return 0;
}
