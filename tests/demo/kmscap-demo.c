// SPDX-License-Identifier: MIT
/*
 * kmscap-demo: a tiny compositor and a capture client side by side.
 *
 * Creates a 1280x720@60 kmscap display, modesets it with atomic KMS and
 * flips ~60 frames: a gradient with a moving box, a cursor circling over it
 * (cursor plane, same atomic commit) and damage clips covering only what
 * changed.  A capture thread reads every frame event, maps the frame's
 * DMA-BUF (exported once per buffer), checks the checksum of the whole
 * frame against the one the compositor computed when drawing it, checks
 * cursor position and damage, prints one line per frame, and releases it.
 * The first and last captured frames are written, scaled down, as PPM
 * files to /out when that directory exists.
 *
 * Usage: kmscap-demo [FRAMES]   (default 60)
 * Exit status: 0 when every frame arrived and matched, 1 otherwise.
 */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 1280
#define H 720
#define NBUF 3
#define BOX 160
#define CUR 64
#define MAX_FRAMES 1000

struct kmscap_demo_frame {
	uint64_t checksum;
	int cursor_x, cursor_y;
	struct drm_mode_rect damage;
	bool full;
};

static struct kmscap_demo_frame kmscap_frames[MAX_FRAMES];
static unsigned int kmscap_nframes = 60;

struct kmscap_demo_cap {
	int fd;
	uint32_t display_id;
	unsigned int captured, bad, dropped;
	volatile unsigned int drawn;	/* frames whose expectation is recorded */
	volatile bool stop;
};

/* 64-bit word checksum of @rows rows of @row_bytes bytes. */
static uint64_t kmscap_demo_sum(const void *map, uint32_t pitch, uint32_t row_bytes,
				uint32_t rows)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint32_t x, y;

	for (y = 0; y < rows; y++) {
		const uint64_t *row = (const uint64_t *)((const uint8_t *)map + (size_t)y * pitch);

		for (x = 0; x < row_bytes / 8; x++) {
			h = (h ^ row[x]) * 0x9e3779b97f4a7c15ull;
			h ^= h >> 29;
		}
	}
	return h;
}

static void kmscap_demo_box_pos(unsigned int k, int *x, int *y)
{
	*x = (int)((k * 23) % (W - BOX));
	*y = (int)((k * 11) % (H - BOX));
}

static void kmscap_demo_draw(struct kmscap_t_buf *b, unsigned int k)
{
	int bx, by, x, y;

	kmscap_demo_box_pos(k, &bx, &by);
	for (y = 0; y < H; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)b->map + (size_t)y * b->pitch);

		for (x = 0; x < W; x++) {
			bool in = x >= bx && x < bx + BOX && y >= by && y < by + BOX;

			row[x] = in ? 0xffff4020u + (k << 8) :
				      0xff000000u | (uint32_t)(x * 255 / W) << 16 |
				      (uint32_t)(y * 255 / H) << 8 | 0x60;
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

/* Scaled-down PPM of a captured frame with the captured cursor blended in. */
static void kmscap_demo_write_ppm(const char *path, const void *map, uint32_t pitch,
				  const void *cmap, uint32_t cpitch, int cx, int cy)
{
	FILE *f = fopen(path, "we");
	int x, y;

	if (!f) {
		printf("kmscap-demo: cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f, "P6\n%d %d\n255\n", W / 4, H / 4);
	for (y = 0; y < H; y += 4) {
		const uint32_t *row = (const uint32_t *)((const uint8_t *)map + (size_t)y * pitch);

		for (x = 0; x < W; x += 4) {
			uint32_t v = row[x];
			uint8_t px[3];

			if (cmap && x >= cx && x < cx + CUR && y >= cy && y < cy + CUR) {
				uint32_t c = ((const uint32_t *)((const uint8_t *)cmap +
						(size_t)(y - cy) * cpitch))[x - cx];

				if (c >> 24)
					v = c;
			}
			px[0] = v >> 16;
			px[1] = v >> 8;
			px[2] = v;
			fwrite(px, 1, 3, f);
		}
	}
	fclose(f);
	printf("kmscap-demo: wrote %s\n", path);
}

static void *kmscap_demo_capture(void *arg)
{
	struct kmscap_demo_cap *cap = arg;
	bool out = !access("/out", W_OK);
	struct kmscap_t_maps maps;
	uint64_t seq0 = 0;

	kmscap_t_maps_init(&maps, cap->fd);
	while (cap->captured + cap->dropped < kmscap_nframes) {
		const struct kmscap_demo_frame *want;
		struct kmscap_t_map *map;
		struct kmscap_event ev;
		char dmg[96] = "full";
		uint64_t sum;
		unsigned int k, i;
		bool ok;
		int r;

		r = kmscap_t_read_event(cap->fd, &ev, 5000);
		if (r != 1) {
			printf("kmscap-demo: capture: no frame within 5 s (%s)\n",
			       kmscap_t_errname(r));
			break;
		}
		if (ev.type != KMSCAP_EVENT_FRAME)
			continue;
		if (!seq0)
			seq0 = ev.seq;
		k = (unsigned int)(ev.seq - seq0);
		cap->dropped += (unsigned int)ev.dropped;
		while (cap->drawn <= k)
			kmscap_t_sleep_ms(1);	/* expectation is recorded before the flip */
		want = &kmscap_frames[k];
		map = kmscap_t_maps_get(&maps, ev.buffer_id);
		kmscap_t_dmabuf_sync(map->fd, true);
		sum = kmscap_demo_sum(map->ptr, ev.pitches[0], W * 4, H);
		if (out && (k == 0 || k == kmscap_nframes - 1)) {
			struct kmscap_t_map *cm = ev.cursor_buffer_id ?
				kmscap_t_maps_get(&maps, ev.cursor_buffer_id) : NULL;

			kmscap_demo_write_ppm(k ? "/out/frame-last.ppm" : "/out/frame-first.ppm",
					      map->ptr, ev.pitches[0], cm ? cm->ptr : NULL,
					      ev.cursor_pitch, (int)ev.cursor_x, (int)ev.cursor_y);
		}
		kmscap_t_dmabuf_sync(map->fd, false);
		ok = sum == want->checksum && ev.cursor_x == want->cursor_x &&
		     ev.cursor_y == want->cursor_y && ev.cursor_buffer_id &&
		     (ev.flags & KMSCAP_FRAME_CURSOR_VISIBLE);
		if (!(ev.flags & KMSCAP_FRAME_FULL_DAMAGE)) {
			bool covered = false;
			int n = 0;

			for (i = 0; i < ev.num_damage && n < (int)sizeof(dmg) - 24; i++)
				n += snprintf(dmg + n, sizeof(dmg) - n, "%s%ux%u+%u+%u",
					      i ? "," : "",
					      ev.damage[i].x2 - ev.damage[i].x1,
					      ev.damage[i].y2 - ev.damage[i].y1, ev.damage[i].x1,
					      ev.damage[i].y1);
			/* what changed must be covered by one reported rectangle */
			for (i = 0; i < ev.num_damage; i++)
				covered |= ev.damage[i].x1 <= (uint32_t)want->damage.x1 &&
					   ev.damage[i].y1 <= (uint32_t)want->damage.y1 &&
					   ev.damage[i].x2 >= (uint32_t)want->damage.x2 &&
					   ev.damage[i].y2 >= (uint32_t)want->damage.y2;
			ok = ok && !want->full && covered;
		}
		printf("frame %3u seq %5llu buffer %3u damage %-24s cursor %4lld,%-4lld "
		       "checksum %016llx %s\n", k, (unsigned long long)ev.seq, ev.buffer_id, dmg,
		       (long long)ev.cursor_x, (long long)ev.cursor_y, (unsigned long long)sum,
		       ok ? "ok" : "MISMATCH");
		if (!ok) {
			printf("kmscap-demo: frame %u expected checksum %016llx cursor %d,%d\n", k,
			       (unsigned long long)want->checksum, want->cursor_x, want->cursor_y);
			cap->bad++;
		}
		cap->captured++;
		r = kmscap_t_release(cap->fd, ev.seq);
		if (r)
			printf("kmscap-demo: RELEASE %llu: %s\n", (unsigned long long)ev.seq,
			       kmscap_t_errname(r));
	}
	kmscap_t_maps_fini(&maps);
	return NULL;
}

static int kmscap_demo_commit(struct kmscap_t_kms *k, struct kmscap_t_buf *b,
			      struct kmscap_t_buf *cur, const struct kmscap_demo_frame *f)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	const struct kmscap_t_plane_props *pp = &k->pp;
	uint32_t blob = 0;
	int r;

	if (!req)
		return -ENOMEM;
	drmModeAtomicAddProperty(req, k->primary_id, pp->fb_id, b->fb_id);
	drmModeAtomicAddProperty(req, k->primary_id, pp->crtc_id, k->crtc_id);
	drmModeAtomicAddProperty(req, k->primary_id, pp->src_w, (uint64_t)W << 16);
	drmModeAtomicAddProperty(req, k->primary_id, pp->src_h, (uint64_t)H << 16);
	drmModeAtomicAddProperty(req, k->primary_id, pp->crtc_w, W);
	drmModeAtomicAddProperty(req, k->primary_id, pp->crtc_h, H);
	if (!f->full) {
		if (drmModeCreatePropertyBlob(k->fd, &f->damage, sizeof(f->damage), &blob)) {
			r = -errno;
			goto out;
		}
		drmModeAtomicAddProperty(req, k->primary_id, pp->damage, blob);
	}
	kmscap_t_add_cursor(req, k, cur, f->cursor_x, f->cursor_y);
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

int main(int argc, char **argv)
{
	struct kmscap_demo_cap cap = { 0 };
	struct kmscap_display_create c;
	struct kmscap_client_stats st;
	struct kmscap_t_buf buf[NBUF], cur;
	struct kmscap_t_kms k;
	uint64_t t0, t1;
	pthread_t th;
	unsigned int i;
	int ctl, r;

	kmscap_t_init("kmscap-demo", 0);
	if (argc > 1)
		kmscap_nframes = (unsigned int)atoi(argv[1]);
	if (kmscap_nframes < 2 || kmscap_nframes > MAX_FRAMES)
		kmscap_nframes = 60;
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	printf("kmscap-demo: display %u is /dev/dri/card%u, %dx%d@60\n", c.id, c.card_minor, W, H);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	for (i = 0; i < NBUF; i++)
		kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[i]);
	kmscap_t_buf_create_or_die(k.fd, CUR, CUR, DRM_FORMAT_ARGB8888, &cur);
	kmscap_demo_cursor_image(&cur);
	memset(buf[NBUF - 1].map, 0, buf[NBUF - 1].size);
	r = kmscap_t_atomic_modeset(&k, &buf[NBUF - 1]);
	if (r)
		kmscap_t_fail("card%u: atomic modeset: %s", c.card_minor, kmscap_t_errname(r));

	cap.fd = kmscap_t_client_or_die(c.id, 4, 1000000000ull);
	cap.display_id = c.id;
	if (pthread_create(&th, NULL, kmscap_demo_capture, &cap))
		kmscap_t_fail("pthread_create failed");

	t0 = kmscap_t_now_ns();
	for (i = 0; i < kmscap_nframes; i++) {
		struct kmscap_demo_frame *f = &kmscap_frames[i];
		struct kmscap_t_buf *b = &buf[i % NBUF];
		int x0, y0, x1, y1;

		kmscap_demo_draw(b, i);
		f->checksum = kmscap_demo_sum(b->map, b->pitch, W * 4, H);
		f->cursor_x = W / 2 - CUR / 2 + (int)((W / 3) * cos(i * 0.2));
		f->cursor_y = H / 2 - CUR / 2 + (int)((H / 3) * sin(i * 0.2));
		f->full = i == 0;
		if (!f->full) {
			kmscap_demo_box_pos(i - 1, &x0, &y0);
			kmscap_demo_box_pos(i, &x1, &y1);
			f->damage.x1 = x0 < x1 ? x0 : x1;
			f->damage.y1 = y0 < y1 ? y0 : y1;
			f->damage.x2 = (x0 > x1 ? x0 : x1) + BOX;
			f->damage.y2 = (y0 > y1 ? y0 : y1) + BOX;
		}
		__atomic_store_n(&cap.drawn, i + 1, __ATOMIC_RELEASE);
		r = kmscap_demo_commit(&k, b, &cur, f);
		if (!r)
			r = kmscap_t_wait_flip(&k, 5000);
		if (r)
			kmscap_t_fail("frame %u: atomic flip: %s", i, kmscap_t_errname(r));
	}
	t1 = kmscap_t_now_ns();
	pthread_join(th, NULL);

	KT_EXPECT_RET(kmscap_t_stats(cap.fd, &st), 0, "STATS");
	printf("kmscap-demo: summary: %u frames drawn in %.2f s, %u captured, %u mismatched, "
	       "%u dropped\n", kmscap_nframes, (t1 - t0) / 1e9, cap.captured, cap.bad,
	       cap.dropped);
	printf("kmscap-demo: client stats: flips %llu delivered %llu dropped_queue %llu "
	       "dropped_timeout %llu max_hold_wait %llu us\n", (unsigned long long)st.flips,
	       (unsigned long long)st.delivered, (unsigned long long)st.dropped_queue,
	       (unsigned long long)st.dropped_timeout,
	       (unsigned long long)st.max_hold_wait_ns / 1000);
	close(cap.fd);
	for (i = 0; i < NBUF; i++)
		kmscap_t_buf_destroy(&buf[i]);
	kmscap_t_buf_destroy(&cur);
	kmscap_t_kms_close(&k);
	kmscap_t_destroy(ctl, c.id);
	close(ctl);
	if (cap.captured != kmscap_nframes || cap.bad) {
		printf("kmscap-demo: FAILED\n");
		return 1;
	}
	printf("kmscap-demo: all %u frames arrived and matched what was drawn\n", kmscap_nframes);
	return 0;
}
