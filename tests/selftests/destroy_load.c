// SPDX-License-Identifier: MIT
/*
 * destroy_load: destroy a display while a compositor thread flips on it and
 * a capture thread reads, exports and maps its frames.  The capture client
 * must get a HANGUP event and POLLHUP, its exported DMA-BUFs must stay
 * mapped with the old pixels, the flipping thread must stop with errors,
 * not hang, and everything must close cleanly.  A second round destroys the
 * display while a flip is blocked on a stalled client holding a frame.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 640
#define H 480

struct kmscap_round {
	struct kmscap_display_create c;
	struct kmscap_t_kms k;
	struct kmscap_t_buf buf[2];
	int cl;
	bool stalled;		/* capture side never releases */
	volatile bool stop;
	volatile bool destroying;
	/* flipper results */
	unsigned int flips;
	int flip_err;
	/* capture results */
	struct kmscap_t_maps maps;
	unsigned int frames;
	uint64_t last_seq, hangup_seq;
	bool hangup, pollhup;
	char err[256];
};

static void *kmscap_flipper(void *arg)
{
	struct kmscap_round *rd = arg;

	while (!rd->stop) {
		int r = kmscap_t_page_flip(&rd->k, rd->buf[rd->flips & 1].fb_id);

		if (r) {
			rd->flip_err = r;
			break;
		}
		/* a stalled client may keep the flip waiting for its hold timeout */
		do {
			r = kmscap_t_wait_flip(&rd->k, 500);
		} while (r == -ETIMEDOUT && !rd->stop);
		if (r) {
			rd->flip_err = r;
			break;
		}
		rd->flips++;
	}
	return NULL;
}

/* Cached export + mapping; NULL if the export failed while destroying. */
static struct kmscap_t_map *kmscap_map(struct kmscap_round *rd, uint32_t buffer_id)
{
	struct kmscap_t_maps *m = &rd->maps;
	struct kmscap_export exp;
	struct kmscap_t_map *map;
	unsigned int i;
	int r;

	for (i = 0; i < m->n; i++)
		if (m->map[i].buffer_id == buffer_id)
			return &m->map[i];
	if (m->n == KMSCAP_T_MAX_MAPS) {
		snprintf(rd->err, sizeof(rd->err), "too many buffer ids");
		return NULL;
	}
	r = kmscap_t_export(rd->cl, buffer_id, KMSCAP_EXPORT_CLOEXEC, &exp);
	if (r) {
		if (!rd->destroying)
			snprintf(rd->err, sizeof(rd->err), "EXPORT %u: %s", buffer_id,
				 kmscap_t_errname(r));
		return NULL;
	}
	map = &m->map[m->n];
	map->buffer_id = buffer_id;
	map->fd = (int)exp.fd;
	map->size = exp.size;
	map->ptr = mmap(NULL, exp.size, PROT_READ, MAP_SHARED, map->fd, 0);
	if (map->ptr == MAP_FAILED) {
		snprintf(rd->err, sizeof(rd->err), "mmap of exported buffer %u: %s", buffer_id,
			 strerror(errno));
		close(map->fd);
		return NULL;
	}
	m->n++;
	return map;
}

static void *kmscap_capturer(void *arg)
{
	struct kmscap_round *rd = arg;

	for (;;) {
		struct pollfd p = { .fd = rd->cl, .events = POLLIN };
		struct kmscap_t_map *map;
		struct kmscap_event ev;
		uint32_t px;
		ssize_t n;
		int r;

		r = poll(&p, 1, 10000);
		if (r <= 0) {
			snprintf(rd->err, sizeof(rd->err), "no event or hang-up within 10 s");
			return NULL;
		}
		if (p.revents & POLLHUP)
			rd->pollhup = true;
		if (!(p.revents & POLLIN)) {
			if (rd->hangup)
				return NULL;
			if (rd->pollhup) {
				snprintf(rd->err, sizeof(rd->err),
					 "POLLHUP without a HANGUP event");
				return NULL;
			}
			continue;
		}
		n = read(rd->cl, &ev, sizeof(ev));
		if (n != sizeof(ev)) {
			if (n == 0 && rd->hangup)
				return NULL;
			snprintf(rd->err, sizeof(rd->err), "read: %zd (%s)", n,
				 n < 0 ? strerror(errno) : "short");
			return NULL;
		}
		if (ev.type == KMSCAP_EVENT_HANGUP) {
			rd->hangup = true;
			rd->hangup_seq = ev.seq;
			if (ev.display_id != rd->c.id)
				snprintf(rd->err, sizeof(rd->err), "HANGUP for display %u",
					 ev.display_id);
			continue;	/* wait for POLLHUP */
		}
		if (ev.type != KMSCAP_EVENT_FRAME) {
			snprintf(rd->err, sizeof(rd->err), "event type %u", ev.type);
			return NULL;
		}
		if (rd->hangup) {
			snprintf(rd->err, sizeof(rd->err), "frame %llu after HANGUP",
				 (unsigned long long)ev.seq);
			return NULL;
		}
		rd->frames++;
		rd->last_seq = ev.seq;
		map = kmscap_map(rd, ev.buffer_id);
		if (!map && rd->err[0])
			return NULL;
		px = map ? *(const uint32_t *)map->ptr : kmscap_t_pattern_px(1, 0, 0);
		if (px != kmscap_t_pattern_px(1, 0, 0) && px != kmscap_t_pattern_px(2, 0, 0)) {
			snprintf(rd->err, sizeof(rd->err), "frame %llu: pixel 0x%08x",
				 (unsigned long long)ev.seq, px);
			return NULL;
		}
		if (!rd->stalled) {
			r = kmscap_t_release(rd->cl, ev.seq);
			if (r && r != -ESTALE && r != -ENOENT && r != -ENODEV) {
				snprintf(rd->err, sizeof(rd->err), "RELEASE %llu: %s",
					 (unsigned long long)ev.seq, kmscap_t_errname(r));
				return NULL;
			}
		}
	}
}

static void kmscap_round(int ctl, bool stalled, unsigned int run_ms)
{
	struct kmscap_round rd = { .stalled = stalled };
	struct kmscap_display_info info;
	pthread_t tf, tc;
	uint64_t t0, t_destroy;
	unsigned int i;
	int r, fd;

	kmscap_t_create_or_die(ctl, W, H, 60000, &rd.c);
	kmscap_t_kms_open_or_die(&rd.k, rd.c.card_minor);
	for (i = 0; i < 2; i++) {
		kmscap_t_buf_create_or_die(rd.k.fd, W, H, DRM_FORMAT_XRGB8888, &rd.buf[i]);
		kmscap_t_fill(rd.buf[i].map, rd.buf[i].pitch, W, H, i + 1);
	}
	r = kmscap_t_modeset(&rd.k, rd.buf[1].fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", rd.c.card_minor, kmscap_t_errname(r));
	rd.cl = kmscap_t_client_or_die(rd.c.id, 0, stalled ? 5000000000ull : 100000000ull);
	kmscap_t_maps_init(&rd.maps, rd.cl);

	if (pthread_create(&tc, NULL, kmscap_capturer, &rd) ||
	    pthread_create(&tf, NULL, kmscap_flipper, &rd))
		kmscap_t_fail("pthread_create failed");
	kmscap_t_sleep_ms(run_ms);

	rd.destroying = true;
	t0 = kmscap_t_now_ns();
	r = kmscap_t_destroy(ctl, rd.c.id);
	t_destroy = kmscap_t_now_ns() - t0;
	KT_ASSERT(!r, "DESTROY under load: %s", kmscap_t_errname(r));
	kmscap_t_log("%s round: DESTROY after %u flips / %u frames took %llu ms",
		     stalled ? "stalled" : "busy", rd.flips, rd.frames,
		     (unsigned long long)t_destroy / 1000000);
	KT_ASSERT(t_destroy < 7000000000ull, "DESTROY took %llu ms",
		  (unsigned long long)t_destroy / 1000000);

	pthread_join(tc, NULL);
	rd.stop = true;
	pthread_join(tf, NULL);
	if (rd.err[0])
		kmscap_t_fail("capture thread: %s", rd.err);
	KT_ASSERT(rd.frames > 0, "capture thread saw no frame before the destroy");
	KT_ASSERT(rd.hangup, "no HANGUP event after DESTROY");
	KT_ASSERT(rd.pollhup, "no POLLHUP after DESTROY");
	KT_ASSERT(rd.hangup_seq >= rd.last_seq, "HANGUP seq %llu < last frame seq %llu",
		  (unsigned long long)rd.hangup_seq, (unsigned long long)rd.last_seq);
	kmscap_t_log("flipper stopped after %u flips: %s", rd.flips,
		     kmscap_t_errname(rd.flip_err));

	/* The exported buffers outlive the display, with their pixels. */
	KT_ASSERT(rd.maps.n >= 1, "no buffer was exported");
	for (i = 0; i < rd.maps.n; i++) {
		struct kmscap_t_map *m = &rd.maps.map[i];
		uint32_t seed = *(const uint32_t *)m->ptr == kmscap_t_pattern_px(1, 0, 0) ? 1 : 2;
		uint32_t bx = 0, by = 0;
		uint64_t bad = kmscap_t_verify(m->ptr, rd.buf[0].pitch, W, H, seed, &bx, &by);

		KT_ASSERT(!bad,
			  "exported buffer %u after DESTROY: %llu pixels changed, first (%u,%u)",
			  m->buffer_id, (unsigned long long)bad, bx, by);
	}
	KT_EXPECT_RET(kmscap_t_info(ctl, rd.c.id, &info), -ENOENT, "INFO after DESTROY");
	fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	KT_ASSERT(fd >= 0, "open %s: %s", KMSCAP_T_CTL, strerror(errno));
	KT_EXPECT_RET(kmscap_t_attach(fd, rd.c.id, 0, 0), -ENOENT, "ATTACH to a destroyed display");
	close(fd);

	kmscap_t_maps_fini(&rd.maps);
	close(rd.cl);
	for (i = 0; i < 2; i++)
		kmscap_t_buf_destroy(&rd.buf[i]);
	kmscap_t_kms_close(&rd.k);
}

int main(void)
{
	int ctl;

	kmscap_t_init("destroy_load", 110);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_round(ctl, false, 800);
	kmscap_round(ctl, false, 200);
	kmscap_round(ctl, true, 800);
	close(ctl);
	kmscap_t_pass("HANGUP + POLLHUP, buffers kept, no hang, in 3 destroy-under-load rounds");
}
