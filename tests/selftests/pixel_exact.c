// SPDX-License-Identifier: MIT
/*
 * pixel_exact: a compositor thread draws frame k into one of three buffers
 * (every pixel a function of k) and page-flips it; a capture thread reads
 * every frame event, recovers k from the pixels AND from the sequence
 * number, and verifies every pixel of every frame through the exported
 * DMA-BUF mapping before releasing it.  The compositor reuses a buffer as
 * soon as its flip completes, so any frame the capture side sees torn or
 * stale means backpressure (hold until release) did not work.
 */
#include <pthread.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 640
#define H 480
#define NBUF 3
#define FRAMES 60
#define SEED_BASE 0x5eed0000u

struct kmscap_cap {
	int fd;
	uint32_t display_id;
	unsigned int frames;
	uint32_t buf_ids[NBUF];
	char err[512];
};

static uint32_t kmscap_inverse(uint32_t a)
{
	uint32_t x = a;
	int i;

	for (i = 0; i < 5; i++)
		x *= 2 - a * x;
	return x;
}

static void *kmscap_capture(void *arg)
{
	struct kmscap_cap *cap = arg;
	uint32_t inv = kmscap_inverse(0x9e3779b1u);
	struct kmscap_t_maps maps;
	uint64_t seq0 = 0;

	kmscap_t_maps_init(&maps, cap->fd);
	while (cap->frames < FRAMES) {
		struct kmscap_t_map *map;
		struct kmscap_event ev;
		uint32_t k, seed, bx = 0, by = 0;
		uint64_t bad;
		int r;

		r = kmscap_t_read_event(cap->fd, &ev, 5000);
		if (r != 1) {
			snprintf(cap->err, sizeof(cap->err), "frame %u: no event within 5 s (%s)",
				 cap->frames, kmscap_t_errname(r));
			break;
		}
		if (ev.type != KMSCAP_EVENT_FRAME || ev.display_id != cap->display_id) {
			snprintf(cap->err, sizeof(cap->err), "event type %u display %u", ev.type,
				 ev.display_id);
			break;
		}
		if (!seq0)
			seq0 = ev.seq;
		k = (uint32_t)(ev.seq - seq0);
		if (k != cap->frames || ev.dropped) {
			snprintf(cap->err, sizeof(cap->err),
				 "event seq %llu is frame %u, expected frame %u (dropped %llu)",
				 (unsigned long long)ev.seq, k, cap->frames,
				 (unsigned long long)ev.dropped);
			break;
		}
		if (k < NBUF) {
			cap->buf_ids[k] = ev.buffer_id;
		} else if (ev.buffer_id != cap->buf_ids[k % NBUF]) {
			snprintf(cap->err, sizeof(cap->err), "frame %u: buffer id %u, expected %u",
				 k, ev.buffer_id, cap->buf_ids[k % NBUF]);
			break;
		}
		map = kmscap_t_maps_get(&maps, ev.buffer_id);
		/*
		 * Now and then be a slow consumer (think encoder): the compositor
		 * must not draw into this buffer before the frame is released.
		 */
		if (k % 4 == 1)
			kmscap_t_sleep_ms(40);
		kmscap_t_dmabuf_sync(map->fd, true);
		seed = *(const uint32_t *)map->ptr * inv;
		bad = kmscap_t_verify(map->ptr, ev.pitches[0], W, H, SEED_BASE + k, &bx, &by);
		kmscap_t_dmabuf_sync(map->fd, false);
		if (seed != SEED_BASE + k || bad) {
			snprintf(cap->err, sizeof(cap->err),
				 "frame %u (seq %llu, buffer %u): pixels carry frame %d, %llu of "
				 "%u pixels wrong, first at (%u,%u)", k,
				 (unsigned long long)ev.seq, ev.buffer_id,
				 (int)(seed - SEED_BASE), (unsigned long long)bad, W * H, bx, by);
			break;
		}
		r = kmscap_t_release(cap->fd, ev.seq);
		if (r) {
			snprintf(cap->err, sizeof(cap->err), "frame %u: RELEASE: %s", k,
				 kmscap_t_errname(r));
			break;
		}
		cap->frames++;
	}
	kmscap_t_maps_fini(&maps);
	return NULL;
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_client_stats st;
	struct kmscap_t_buf buf[NBUF];
	struct kmscap_cap cap = { 0 };
	struct kmscap_t_kms k;
	pthread_t th;
	unsigned int i;
	int ctl, r;

	kmscap_t_init("pixel_exact", 110);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	for (i = 0; i < NBUF; i++)
		kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[i]);
	memset(buf[NBUF - 1].map, 0, buf[NBUF - 1].size);
	r = kmscap_t_modeset(&k, buf[NBUF - 1].fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", c.card_minor, kmscap_t_errname(r));

	/* Generous hold: the capture side must never be overtaken. */
	cap.fd = kmscap_t_client_or_die(c.id, 4, 3000000000ull);
	cap.display_id = c.id;
	if (pthread_create(&th, NULL, kmscap_capture, &cap))
		kmscap_t_fail("pthread_create failed");

	for (i = 0; i < FRAMES; i++) {
		struct kmscap_t_buf *b = &buf[i % NBUF];

		kmscap_t_fill(b->map, b->pitch, W, H, SEED_BASE + i);
		r = kmscap_t_flip(&k, b->fb_id, 8000);
		if (r)
			kmscap_t_fail("flip of frame %u: %s (capture thread: %s)", i,
				      kmscap_t_errname(r), cap.err[0] ? cap.err : "ok");
	}
	pthread_join(th, NULL);
	if (cap.err[0])
		kmscap_t_fail("capture: %s", cap.err);
	KT_ASSERT(cap.frames == FRAMES, "captured %u of %u frames", cap.frames, FRAMES);

	KT_EXPECT_RET(kmscap_t_stats(cap.fd, &st), 0, "STATS");
	kmscap_t_stats_print(&st, "capture client");
	kmscap_t_stats_check(&st, "capture client");
	KT_ASSERT(st.flips == FRAMES && st.delivered == FRAMES,
		  "flips %llu delivered %llu, expected %u and %u", (unsigned long long)st.flips,
		  (unsigned long long)st.delivered, FRAMES, FRAMES);
	KT_ASSERT(!st.dropped_queue && !st.dropped_timeout && !st.queued && !st.held,
		  "frames dropped or still held at the end");
	close(cap.fd);
	for (i = 0; i < NBUF; i++)
		kmscap_t_buf_destroy(&buf[i]);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("%u frames, every pixel of every frame verified through the dma-buf",
		      FRAMES);
}
