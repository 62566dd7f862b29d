// SPDX-License-Identifier: MIT
/*
 * prime_vgem: a client renders into buffers of another device (vgem, found
 * by its driver name), shares them with PRIME, and flips them on a kmscap
 * display.  The capture client must see exactly the vgem pixels, through
 * the same pages (a later write through vgem's mapping shows up in the
 * exported capture mapping), with stable buffer ids.
 */
#include <unistd.h>

#include "kmscap_test.h"

#define W 640
#define H 480

struct kmscap_imported {
	struct kmscap_t_buf vgem;
	int prime_fd;
	uint32_t handle;	/* on the kmscap card */
	uint32_t fb_id;
};

static void kmscap_import(int vgem_fd, struct kmscap_t_kms *k, struct kmscap_imported *im,
			  uint32_t seed)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	int r;

	r = kmscap_t_buf_create(vgem_fd, W, H, DRM_FORMAT_XRGB8888, false, &im->vgem);
	KT_ASSERT(!r, "vgem dumb buffer %ux%u: %s", W, H, kmscap_t_errname(r));
	kmscap_t_fill(im->vgem.map, im->vgem.pitch, W, H, seed);
	r = drmPrimeHandleToFD(vgem_fd, im->vgem.handle, DRM_CLOEXEC, &im->prime_fd);
	KT_ASSERT(!r, "vgem: drmPrimeHandleToFD handle %u: %s", im->vgem.handle,
		  strerror(errno));
	r = drmPrimeFDToHandle(k->fd, im->prime_fd, &im->handle);
	KT_ASSERT(!r, "card%u: drmPrimeFDToHandle of vgem dma-buf fd %d: %s", k->minor,
		  im->prime_fd, strerror(errno));
	handles[0] = im->handle;
	pitches[0] = im->vgem.pitch;
	r = drmModeAddFB2(k->fd, W, H, DRM_FORMAT_XRGB8888, handles, pitches, offsets,
			  &im->fb_id, 0);
	KT_ASSERT(!r, "card%u: AddFB2 on imported handle %u pitch %u: %s", k->minor,
		  im->handle, im->vgem.pitch, strerror(errno));
}

/* Flip @im, read its capture event and verify the frame against @seed. */
static uint32_t kmscap_flip_check(struct kmscap_t_kms *k, struct kmscap_imported *im,
				  struct kmscap_t_maps *maps, uint32_t seed, bool keep)
{
	struct kmscap_t_map *map;
	struct kmscap_event ev;
	uint32_t bx = 0, by = 0;
	uint64_t bad;
	int r;

	r = kmscap_t_flip(k, im->fb_id, 2000);
	KT_ASSERT(!r, "flip to imported fb %u: %s", im->fb_id, kmscap_t_errname(r));
	r = kmscap_t_read_event(maps->client_fd, &ev, 2000);
	KT_ASSERT(r == 1, "no capture event (%s)", kmscap_t_errname(r));
	KT_ASSERT(ev.type == KMSCAP_EVENT_FRAME && ev.buffer_id, "event type %u buffer %u",
		  ev.type, ev.buffer_id);
	KT_ASSERT(ev.pitches[0] == im->vgem.pitch, "event pitch %u, vgem pitch %u",
		  ev.pitches[0], im->vgem.pitch);
	map = kmscap_t_maps_get(maps, ev.buffer_id);
	KT_ASSERT(map->size >= (uint64_t)im->vgem.pitch * H, "exported size %llu < %u",
		  (unsigned long long)map->size, im->vgem.pitch * H);
	KT_EXPECT_RET(kmscap_t_dmabuf_sync(map->fd, true), 0, "DMA_BUF_IOCTL_SYNC start");
	bad = kmscap_t_verify(map->ptr, ev.pitches[0], W, H, seed, &bx, &by);
	KT_EXPECT_RET(kmscap_t_dmabuf_sync(map->fd, false), 0, "DMA_BUF_IOCTL_SYNC end");
	KT_ASSERT(!bad, "captured frame of vgem buffer differs in %llu pixels, first (%u,%u)",
		  (unsigned long long)bad, bx, by);
	if (keep) {
		/* Shared pages: draw through vgem, read through the capture mapping. */
		kmscap_t_fill(im->vgem.map, im->vgem.pitch, W, H, seed + 1000);
		bad = kmscap_t_verify(map->ptr, ev.pitches[0], W, H, seed + 1000, &bx, &by);
		KT_ASSERT(!bad, "write through vgem not visible in the capture mapping: %llu "
			  "pixels differ, first (%u,%u)", (unsigned long long)bad, bx, by);
		kmscap_t_fill(im->vgem.map, im->vgem.pitch, W, H, seed);
	}
	r = kmscap_t_release(maps->client_fd, ev.seq);
	KT_ASSERT(!r, "RELEASE %llu: %s", (unsigned long long)ev.seq, kmscap_t_errname(r));
	return ev.buffer_id;
}

int main(void)
{
	struct kmscap_imported im[2];
	struct kmscap_display_create c;
	struct kmscap_t_buf scanout;
	struct kmscap_t_maps maps;
	struct kmscap_t_kms k;
	uint32_t id_a, id_b, id;
	int ctl, vgem, cl, r, i;

	kmscap_t_init("prime_vgem", 100);
	ctl = kmscap_t_open_ctl_or_skip();
	vgem = kmscap_t_open_driver("vgem");
	if (vgem < 0)
		kmscap_t_skip("no DRM card with driver name 'vgem' (vgem.ko not loaded)");

	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &scanout);
	r = kmscap_t_modeset(&k, scanout.fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", c.card_minor, kmscap_t_errname(r));

	kmscap_import(vgem, &k, &im[0], 0x1111);
	kmscap_import(vgem, &k, &im[1], 0x2222);

	cl = kmscap_t_client_or_die(c.id, 0, 1000000000ull);
	kmscap_t_maps_init(&maps, cl);
	id_a = kmscap_flip_check(&k, &im[0], &maps, 0x1111, true);
	id_b = kmscap_flip_check(&k, &im[1], &maps, 0x2222, true);
	KT_ASSERT(id_a != id_b, "two vgem buffers share buffer id %u", id_a);
	for (i = 0; i < 6; i++) {
		id = kmscap_flip_check(&k, &im[i & 1], &maps, (i & 1) ? 0x2222 : 0x1111, false);
		KT_ASSERT(id == ((i & 1) ? id_b : id_a), "buffer id %u for vgem buffer %d, was %u",
			  id, i & 1, (i & 1) ? id_b : id_a);
	}
	KT_ASSERT(maps.n == 2, "%u exports for 2 buffers", maps.n);

	/* Flip back to the scanout buffer, then tear the imports down. */
	r = kmscap_t_flip(&k, scanout.fb_id, 2000);
	KT_ASSERT(!r, "flip to dumb buffer: %s", kmscap_t_errname(r));
	r = kmscap_t_drain(cl, 200);
	KT_ASSERT(r == 1, "drained %d events after the last flip, expected 1", r);
	kmscap_t_maps_fini(&maps);
	close(cl);
	for (i = 0; i < 2; i++) {
		drmModeRmFB(k.fd, im[i].fb_id);
		drmCloseBufferHandle(k.fd, im[i].handle);
		close(im[i].prime_fd);
		kmscap_t_buf_destroy(&im[i].vgem);
	}
	kmscap_t_buf_destroy(&scanout);
	kmscap_t_kms_close(&k);
	close(vgem);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("vgem buffers imported with PRIME, flipped and captured zero-copy");
}
