// SPDX-License-Identifier: MIT
/*
 * plane_off_commit: a commit without the CRTC makes no frame.
 *
 * A non-blocking flip from buffer A (held by a capture client) to buffer
 * B waits in its commit work for a fence on B (a vgem fence imported into
 * B's dma-buf): its new plane state is in place, its frame not published.
 * Then a non-blocking commit turns the cursor plane off while it is off
 * already: the DRM core puts no CRTC into it and orders it with nothing.
 * Its commit work ran at once and published a frame from the planes'
 * current states, B's already: A, held, left the screen, so the commit
 * waited for it, and handed its (missing) CRTC state to backpressure:
 * NULL pointer dereference in kmscap_flip_queue() (found by the fuzz
 * selftest).  Now the second commit publishes nothing, and the flip's
 * frame, once the fence is signalled, is the one frame after A's.
 */
#include <unistd.h>

#include "kmscap_test.h"

#define W 320
#define H 240

/* Put an unsignalled vgem write fence on @b's reservation; false without vgem. */
static bool kmscap_fence_buf(struct kmscap_t_kms *k, const struct kmscap_t_buf *b,
			     struct kmscap_t_vgem_fence *f)
{
	int bfd, r;

	if (kmscap_t_vgem_fence(f))
		return false;
	KT_ASSERT(!drmPrimeHandleToFD(k->fd, b->handle, DRM_CLOEXEC, &bfd),
		  "PRIME export of the kmscap buffer: %s", strerror(errno));
	r = kmscap_t_vgem_fence_import(f, bfd);
	KT_ASSERT(!r, "IMPORT_SYNC_FILE: %s", kmscap_t_errname(r));
	close(bfd);
	return true;
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_event ev0, ev;
	struct kmscap_t_buf a, b;
	struct kmscap_t_vgem_fence f;
	struct kmscap_t_kms k;
	drmModeAtomicReqPtr req;
	int ctl, cl, r;

	kmscap_t_init("plane_off_commit", 100);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &a);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &b);
	cl = kmscap_t_client_or_die(c.id, 4, 5000000000ull);
	r = kmscap_t_atomic_modeset(&k, &a);		/* the cursor plane stays off */
	KT_ASSERT(!r, "atomic modeset: %s", kmscap_t_errname(r));
	r = kmscap_t_read_event(cl, &ev0, 5000);
	KT_ASSERT(r == 1 && ev0.type == KMSCAP_EVENT_FRAME, "no frame after the modeset");

	if (!kmscap_fence_buf(&k, &b, &f))
		kmscap_t_skip("no vgem device to fence a buffer with");
	r = kmscap_t_atomic_flip(&k, &b, NULL, 0, true);
	KT_ASSERT(!r, "non-blocking flip onto the fenced buffer: %s", kmscap_t_errname(r));

	/* the cursor plane, off, set off: a commit without the CRTC */
	req = drmModeAtomicAlloc();
	KT_ASSERT(req, "drmModeAtomicAlloc");
	drmModeAtomicAddProperty(req, k.cursor_id, k.cp.fb_id, 0);
	drmModeAtomicAddProperty(req, k.cursor_id, k.cp.crtc_id, 0);
	r = drmModeAtomicCommit(k.fd, req, DRM_MODE_ATOMIC_NONBLOCK, NULL) ? -errno : 0;
	drmModeAtomicFree(req);
	KT_ASSERT(!r || r == -EBUSY, "turning the cursor plane off again: %s",
		  kmscap_t_errname(r));
	kmscap_t_sleep_ms(300);		/* its commit work has run */
	r = kmscap_t_read_event(cl, &ev, 0);
	KT_ASSERT(r == 0, "a frame before the fenced flip went through: %s",
		  r == 1 ? "yes" : kmscap_t_errname(r));

	kmscap_t_vgem_fence_signal(&f);
	r = kmscap_t_read_event(cl, &ev, 5000);
	KT_ASSERT(r == 1 && ev.type == KMSCAP_EVENT_FRAME, "no frame for the fenced flip: %s",
		  kmscap_t_errname(r));
	KT_ASSERT(ev.seq == ev0.seq + 1 && ev.buffer_id != ev0.buffer_id,
		  "frame %llu (buffer %u) after frame %llu (buffer %u): expected the next frame, "
		  "showing the other buffer", (unsigned long long)ev.seq, ev.buffer_id,
		  (unsigned long long)ev0.seq, ev0.buffer_id);
	KT_EXPECT_RET(kmscap_t_release(cl, ev0.seq), 0, "RELEASE");
	KT_EXPECT_RET(kmscap_t_wait_flip(&k, 5000), 0, "the flip's event after the release");
	KT_EXPECT_RET(kmscap_t_release(cl, ev.seq), 0, "RELEASE");
	close(cl);
	kmscap_t_buf_destroy(&a);
	kmscap_t_buf_destroy(&b);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("a commit without the CRTC makes no frame, even while a flip waits");
}
