// SPDX-License-Identifier: MIT
/*
 * zero_copy: the exported DMA-BUF is the scanout buffer itself.
 *  - bytes written into the dumb buffer after the export (and after the
 *    flip) appear in the exported read-only mapping;
 *  - the exported mapping cannot be mapped writable (EACCES);
 *  - over 200 flips of 1920x1080 frames, with a frame held at each sample,
 *    MemFree never drops by anything close to one frame and Shmem does not
 *    grow: no pixel memory is allocated per frame;
 *  - debugfs counts exactly the frames flipped.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 1920
#define H 1080
#define FLIPS 200

static struct kmscap_event kmscap_next(int cl, uint32_t want_buf)
{
	struct kmscap_event ev;
	int r = kmscap_t_read_event(cl, &ev, 3000);

	KT_ASSERT(r == 1, "no capture event within 3 s (%s)", kmscap_t_errname(r));
	KT_ASSERT(ev.type == KMSCAP_EVENT_FRAME, "event type %u", ev.type);
	if (want_buf)
		KT_ASSERT(ev.buffer_id == want_buf, "event buffer id %u, expected %u",
			  ev.buffer_id, want_buf);
	return ev;
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_export exp, exp2;
	struct kmscap_client_stats st;
	struct kmscap_t_buf buf[2];
	struct kmscap_event ev;
	struct kmscap_t_kms k;
	uint64_t frames0, frames1, bad, frame_kb;
	uint32_t id[2], bx = 0, by = 0;
	long free0, shmem0, free_min, shmem_max, v;
	uint8_t *ro, *ro2;
	void *w;
	int ctl, cl, r, i;

	kmscap_t_init("zero_copy", 115);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[0]);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[1]);
	kmscap_t_fill(buf[0].map, buf[0].pitch, W, H, 7);
	kmscap_t_fill(buf[1].map, buf[1].pitch, W, H, 8);
	r = kmscap_t_modeset(&k, buf[1].fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", c.card_minor, kmscap_t_errname(r));

	cl = kmscap_t_client_or_die(c.id, 0, 2000000000ull);
	KT_EXPECT_RET(kmscap_t_flip(&k, buf[0].fb_id, 3000), 0, "flip");
	ev = kmscap_next(cl, 0);
	id[0] = ev.buffer_id;
	KT_EXPECT_RET(kmscap_t_export(cl, id[0], 0, &exp), 0, "EXPORT");
	KT_ASSERT(exp.size >= buf[0].size, "exported %llu bytes, dumb buffer has %llu",
		  (unsigned long long)exp.size, (unsigned long long)buf[0].size);
	ro = mmap(NULL, exp.size, PROT_READ, MAP_SHARED, (int)exp.fd, 0);
	KT_ASSERT(ro != MAP_FAILED, "mmap PROT_READ of exported dma-buf: %s", strerror(errno));
	w = mmap(NULL, exp.size, PROT_READ | PROT_WRITE, MAP_SHARED, (int)exp.fd, 0);
	KT_ASSERT(w == MAP_FAILED && errno == EACCES,
		  "mmap PROT_WRITE MAP_SHARED of the read-only dma-buf: %s, expected EACCES",
		  w == MAP_FAILED ? strerror(errno) : "succeeded");
	KT_EXPECT_RET(kmscap_t_dmabuf_sync((int)exp.fd, true), 0, "DMA_BUF_IOCTL_SYNC start");
	bad = kmscap_t_verify(ro, ev.pitches[0], W, H, 7, &bx, &by);
	KT_EXPECT_RET(kmscap_t_dmabuf_sync((int)exp.fd, false), 0, "DMA_BUF_IOCTL_SYNC end");
	KT_ASSERT(!bad, "exported frame differs from the dumb buffer in %llu pixels, first (%u,%u)",
		  (unsigned long long)bad, bx, by);

	/* Write after the export: the same pages, so the mapping shows it. */
	kmscap_t_fill(buf[0].map, buf[0].pitch, W, H, 77);
	bad = kmscap_t_verify(ro, ev.pitches[0], W, H, 77, &bx, &by);
	KT_ASSERT(!bad, "pattern written into the dumb buffer after EXPORT: %llu pixels of the "
		  "export differ, first (%u,%u)", (unsigned long long)bad, bx, by);
	((volatile uint32_t *)buf[0].map)[0] = 0xc0ffee00u;
	KT_ASSERT(*(volatile uint32_t *)ro == 0xc0ffee00u,
		  "single pixel written into the dumb buffer not visible through the export "
		  "(0x%08x)", *(volatile uint32_t *)ro);
	/* A second export of the same buffer shows the same bytes. */
	KT_EXPECT_RET(kmscap_t_export(cl, id[0], KMSCAP_EXPORT_CLOEXEC, &exp2), 0, "EXPORT again");
	ro2 = mmap(NULL, exp2.size, PROT_READ, MAP_SHARED, (int)exp2.fd, 0);
	KT_ASSERT(ro2 != MAP_FAILED, "mmap of the second export: %s", strerror(errno));
	KT_ASSERT(!memcmp(ro, ro2, (size_t)ev.pitches[0] * H), "two exports differ");
	munmap(ro2, exp2.size);
	close((int)exp2.fd);
	kmscap_t_fill(buf[0].map, buf[0].pitch, W, H, 7);
	KT_EXPECT_RET(kmscap_t_release(cl, ev.seq), 0, "RELEASE");

	/* Warm up, then measure. */
	id[1] = 0;
	for (i = 0; i < 10; i++) {
		int n = (i + 1) & 1;

		KT_EXPECT_RET(kmscap_t_flip(&k, buf[n].fb_id, 3000), 0, "flip");
		ev = kmscap_next(cl, n ? id[1] : id[0]);
		if (n)
			id[1] = ev.buffer_id;
		KT_EXPECT_RET(kmscap_t_release(cl, ev.seq), 0, "RELEASE");
	}
	KT_ASSERT(id[1] && id[1] != id[0], "buffer ids: %u and %u for two buffers", id[0], id[1]);
	r = kmscap_t_debugfs_stat(c.id, "frames", &frames0);
	KT_ASSERT(!r, "/sys/kernel/debug/kmscap/display-%u/stats: frames: %s", c.id,
		  kmscap_t_errname(r));
	frame_kb = (uint64_t)buf[0].pitch * H / 1024;
	free0 = kmscap_t_meminfo_kb("MemFree");
	shmem0 = kmscap_t_meminfo_kb("Shmem");
	KT_ASSERT(free0 > 0 && shmem0 >= 0, "/proc/meminfo: MemFree %ld Shmem %ld", free0, shmem0);
	free_min = free0;
	shmem_max = shmem0;
	for (i = 0; i < FLIPS; i++) {
		int n = i & 1;

		KT_EXPECT_RET(kmscap_t_flip(&k, buf[n].fb_id, 3000), 0, "flip");
		ev = kmscap_next(cl, id[n]);
		/* sample while the frame is held */
		v = kmscap_t_meminfo_kb("MemFree");
		if (v < free_min)
			free_min = v;
		v = kmscap_t_meminfo_kb("Shmem");
		if (v > shmem_max)
			shmem_max = v;
		if (i % 50 == 0) {
			const uint32_t *p = (const uint32_t *)ro;

			/* the exported buffer 0 still shows buffer 0's pixels */
			KT_ASSERT(p[W / 2] == kmscap_t_pattern_px(7, W / 2, 0),
				  "export of buffer %u changed: 0x%08x", id[0], p[W / 2]);
		}
		KT_EXPECT_RET(kmscap_t_release(cl, ev.seq), 0, "RELEASE");
	}
	r = kmscap_t_debugfs_stat(c.id, "frames", &frames1);
	KT_ASSERT(!r, "debugfs frames: %s", kmscap_t_errname(r));
	kmscap_t_log("frame %llu kB; over %d flips: MemFree %ld -> min %ld kB, Shmem %ld -> max "
		     "%ld kB; debugfs frames %llu -> %llu", (unsigned long long)frame_kb, FLIPS,
		     free0, free_min, shmem0, shmem_max, (unsigned long long)frames0,
		     (unsigned long long)frames1);
	KT_ASSERT(frames1 - frames0 == FLIPS, "debugfs counted %llu frames for %d flips",
		  (unsigned long long)(frames1 - frames0), FLIPS);
	/* KASAN's quarantine keeps freed memory: MemFree measures nothing there. */
	if (kmscap_t_kernel_has("kasan_report"))
		kmscap_t_log("KASAN kernel: MemFree not checked (its quarantine keeps every "
			     "per-frame allocation for a while); Shmem is");
	else
		KT_ASSERT(free0 - free_min < (long)frame_kb * 3 / 4,
			  "MemFree dropped by %ld kB while holding frames (one frame is %llu kB)",
			  free0 - free_min, (unsigned long long)frame_kb);
	KT_ASSERT(shmem_max - shmem0 < (long)frame_kb / 2,
		  "Shmem grew by %ld kB during capture (one frame is %llu kB)",
		  shmem_max - shmem0, (unsigned long long)frame_kb);

	KT_EXPECT_RET(kmscap_t_stats(cl, &st), 0, "STATS");
	kmscap_t_stats_check(&st, "client");
	KT_ASSERT(st.delivered == st.flips && st.flips == FLIPS + 11,
		  "flips %llu delivered %llu, expected %d", (unsigned long long)st.flips,
		  (unsigned long long)st.delivered, FLIPS + 11);
	/* Once the buffer is gone (no fb, no handle, no export), EXPORT says ENOENT. */
	munmap(ro, exp.size);
	close((int)exp.fd);
	for (i = 0; i < 2; i++) {
		KT_EXPECT_RET(kmscap_t_flip(&k, buf[1].fb_id, 3000), 0, "flip");
		ev = kmscap_next(cl, id[1]);
		KT_EXPECT_RET(kmscap_t_release(cl, ev.seq), 0, "RELEASE");
	}
	kmscap_t_buf_destroy(&buf[0]);
	KT_EXPECT_RET(kmscap_t_export(cl, id[0], 0, &exp), -ENOENT,
		      "EXPORT of a buffer that no longer exists");
	close(cl);
	kmscap_t_buf_destroy(&buf[1]);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("export shares the scanout pages; no per-frame memory over %d flips",
		      FLIPS);
}
