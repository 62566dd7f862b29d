// SPDX-License-Identifier: MIT
/*
 * The tiled scenario of stream_e2e: kmscap-stream --create gives its
 * display the modifiers of the test VA driver, Intel X-tiling among them;
 * the renderer draws the e2e pictures X-tiled into vgem buffers (the
 * layout: tiles of 512 bytes x 8 rows, row-major), adds them to the
 * display with ADDFB2 and I915_FORMAT_MOD_X_TILED, and flips them with
 * blocking commits.  The helper imports them with the frame events'
 * modifier; the host half (test_e2e.c) decodes the stream and compares
 * each picture with the linear pattern.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "stream_e2e.h"
#include "../e2e_pattern.h"

#define KS_TILED_NBUF 4

struct ks_tiled_buf {
	struct kmscap_t_buf vgem;	/* the pixels, drawn through vgem */
	struct kmscap_t_buf fb;		/* its framebuffer on the kmscap card */
	int prime_fd;
};

static void ks_tiled_draw(struct kmscap_t_buf *b, unsigned int n)
{
	uint32_t x, y;

	for (y = 0; y < b->height; y++)
		for (x = 0; x < b->width; x++) {
			size_t xb = 4 * (size_t)x;
			uint8_t *p = (uint8_t *)b->map +
				     ((y / 8) * (b->pitch / 512) + xb / 512) * 4096 +
				     (y % 8) * 512 + xb % 512;

			*(uint32_t *)p = ks_e2e_xrgb(n, x, y, b->width, b->height);
		}
}

static void ks_tiled_buf(int vgem, struct kmscap_t_kms *k, struct ks_tiled_buf *t)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t mods[4] = { I915_FORMAT_MOD_X_TILED };
	int r;

	r = kmscap_t_buf_create(vgem, KS_E2E_W, KS_E2E_H, DRM_FORMAT_XRGB8888, false, &t->vgem);
	KT_ASSERT(!r, "tiled: vgem dumb buffer: %d", r);
	KT_ASSERT(t->vgem.pitch % 512 == 0 && KS_E2E_H % 8 == 0,
		  "tiled: vgem pitch %u is not whole X tiles", t->vgem.pitch);
	r = drmPrimeHandleToFD(vgem, t->vgem.handle, DRM_CLOEXEC, &t->prime_fd);
	KT_ASSERT(!r, "tiled: vgem PRIME export: %s", strerror(errno));
	r = drmPrimeFDToHandle(k->fd, t->prime_fd, &handles[0]);
	KT_ASSERT(!r, "tiled: PRIME import into card%u: %s", k->minor, strerror(errno));
	pitches[0] = t->vgem.pitch;
	t->fb = t->vgem;
	t->fb.drm_fd = k->fd;
	t->fb.handle = handles[0];
	t->fb.map = NULL;
	r = drmModeAddFB2WithModifiers(k->fd, KS_E2E_W, KS_E2E_H, DRM_FORMAT_XRGB8888, handles,
				       pitches, offsets, mods, &t->fb.fb_id,
				       DRM_MODE_FB_MODIFIERS);
	KT_ASSERT(!r, "tiled: ADDFB2 with I915_FORMAT_MOD_X_TILED on the helper's display "
		  "(card%u): %s", k->minor, strerror(errno));
}

void ks_tiled(unsigned int n)
{
	struct ks_tiled_buf buf[KS_TILED_NBUF];
	char frames[16], txt[64];
	const char *args[] = { "--create", "640x480@30", "--render-node", ks_render, "--rc",
			       "cqp", "--frames", frames, "--queue-depth", "64",
			       "--hold-timeout", "10000", "--json", "-o", "/out/tiled/e2e.h264",
			       NULL };
	struct kmscap_t_kms k;
	uint32_t id, minor;
	unsigned int i;
	int ctl, vgem, status, r;
	pid_t pid;
	FILE *f;

	mkdir("/out/tiled", 0755);
	snprintf(frames, sizeof(frames), "%u", n);
	ctl = kmscap_t_open_ctl_or_skip();
	vgem = kmscap_t_open_driver("vgem");
	KT_ASSERT(vgem >= 0, "tiled: no vgem card");
	pid = ks_spawn(args, "/out/tiled/stream.log", NULL, 0);
	ks_wait_created(ctl, pid, "/out/tiled/stream.log", &id, &minor);
	kmscap_t_kms_open_or_die(&k, minor);
	for (i = 0; i < KS_TILED_NBUF; i++)
		ks_tiled_buf(vgem, &k, &buf[i]);
	for (i = 0; i < n; i++) {
		struct ks_tiled_buf *b = &buf[i % KS_TILED_NBUF];

		ks_tiled_draw(&b->vgem, i);
		r = i ? kmscap_t_atomic_flip(&k, &b->fb, NULL, 0, false) :
			kmscap_t_atomic_modeset(&k, &b->fb);
		KT_ASSERT(!r, "tiled: commit of frame %u: %d", i, r);
	}
	status = kmscap_t_wait_child(pid);
	snprintf(txt, sizeof(txt), "/out/tiled/e2e.txt");
	f = fopen(txt, "w");
	KT_ASSERT(f, "%s: %s", txt, strerror(errno));
	fprintf(f, "flips %u\nswitch %u\nstatus %d\n", n, n, status);
	fclose(f);
	for (i = 0; i < KS_TILED_NBUF; i++) {
		kmscap_t_prime_fb_close(&buf[i].fb);
		close(buf[i].prime_fd);
		kmscap_t_buf_destroy(&buf[i].vgem);
	}
	kmscap_t_kms_close(&k);
	close(vgem);
	close(ctl);
	kmscap_t_log("tiled: %u X-tiled frames flipped on display %u, helper status %d", n, id,
		     status);
}
