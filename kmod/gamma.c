// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gamma: the CRTC's GAMMA_LUT (and the legacy gamma ioctl, which the DRM
 * core turns into GAMMA_LUT), carried by every frame to capture clients.
 * kmscap never scans out: no pixel is changed here, clients learn the LUT
 * from the frame flag and KMSCAP_IOC_DISPLAY_GAMMA.
 */

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <drm/drm_color_mgmt.h>
#include <drm/drm_property.h>

#include "kmscap_drv.h"

/**
 * kmscap_gamma_init - give the CRTC of @disp a gamma LUT
 * @disp: the display, its CRTC initialised
 *
 * GAMMA_LUT and GAMMA_LUT_SIZE, and the legacy gamma size, all
 * %KMSCAP_GAMMA_SIZE; no degamma, no CTM.
 */
int kmscap_gamma_init(struct kmscap_display *disp)
{
	int ret;

	ret = drm_mode_crtc_set_gamma_size(&disp->crtc, KMSCAP_GAMMA_SIZE);
	if (ret)
		return ret;
	drm_crtc_enable_color_mgmt(&disp->crtc, 0, false, KMSCAP_GAMMA_SIZE);
	return 0;
}

/**
 * kmscap_gamma_check - a new CRTC state's LUT has the size the CRTC takes
 * @cs: the new CRTC state
 *
 * The core checks only that a GAMMA_LUT blob is whole entries.
 */
int kmscap_gamma_check(struct drm_crtc_state *cs)
{
	if (!cs->gamma_lut || drm_color_lut_size(cs->gamma_lut) == KMSCAP_GAMMA_SIZE)
		return 0;
	drm_dbg_kms(cs->crtc->dev, "GAMMA_LUT of %d entries refused: the CRTC takes %d\n",
		    drm_color_lut_size(cs->gamma_lut), KMSCAP_GAMMA_SIZE);
	return -EINVAL;
}

/**
 * kmscap_gamma_frame_init - the frame shows the LUT of the committed state
 * @frame: the frame being filled (its release puts the reference)
 * @cs: the commit's new CRTC state
 */
void kmscap_gamma_frame_init(struct kmscap_frame *frame, struct drm_crtc_state *cs)
{
	frame->gamma_lut = cs->gamma_lut ? drm_property_blob_get(cs->gamma_lut) : NULL;
}

static bool kmscap_gamma_same(const struct drm_property_blob *a,
			      const struct drm_property_blob *b)
{
	if (a == b)
		return true;
	return a && b && a->length == b->length && !memcmp(a->data, b->data, a->length);
}

/**
 * kmscap_gamma_frame_publish - date the LUT of a frame being published
 * @frame: the new frame, its seq set
 * @old: the frame it replaces on screen, or NULL
 *
 * capture_lock held.  A LUT equal to the previous frame's keeps its date.
 */
void kmscap_gamma_frame_publish(struct kmscap_frame *frame, const struct kmscap_frame *old)
{
	if (old && kmscap_gamma_same(frame->gamma_lut, old->gamma_lut))
		frame->gamma_seq = old->gamma_seq;
	else if (old || frame->gamma_lut)
		frame->gamma_seq = frame->ev.seq;
	else
		frame->gamma_seq = 0;
}

/**
 * kmscap_gamma_event - flag a frame event whose LUT the client has not seen
 * @client: the client reading (read_lock and capture_lock held)
 * @prev: the frame of the event before, taken by the same read(), or NULL
 * @frame: the frame of the event
 * @ev: the client's copy of the event
 *
 * The first event after attach is flagged when the frame has a LUT, a
 * later one when its LUT differs from that of the previous event read:
 * @prev's, or the last one an earlier read() returned (@client->gamma_seq,
 * which a read() updates once its events reached the client).
 */
void kmscap_gamma_event(const struct kmscap_client *client, const struct kmscap_frame *prev,
			const struct kmscap_frame *frame, struct kmscap_event *ev)
{
	u64 seen = prev ? prev->gamma_seq : client->gamma_seq;

	if (!prev && client->first_pending ? !!frame->gamma_lut : frame->gamma_seq != seen)
		ev->flags |= KMSCAP_FRAME_GAMMA_CHANGED;
}

/* Copy @n entries of @lut out as &struct kmscap_gamma_entry. */
static int kmscap_gamma_copy_out(const struct drm_property_blob *lut, u64 uptr, u32 n)
{
	const struct drm_color_lut *in = lut->data;
	struct kmscap_gamma_entry *out;
	u32 i;
	int ret = 0;

	out = kcalloc(n, sizeof(*out), GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		out[i].red = in[i].red;
		out[i].green = in[i].green;
		out[i].blue = in[i].blue;
	}
	if (copy_to_user(u64_to_user_ptr(uptr), out, array_size(n, sizeof(*out))))
		ret = -EFAULT;
	kfree(out);
	return ret;
}

/**
 * kmscap_gamma_get - KMSCAP_IOC_DISPLAY_GAMMA
 * @disp: the display
 * @req: the validated request, filled on return
 * @file: the caller's /dev/kmscap file
 *
 * The LUT of the frame on screen.  Another user's display reads as
 * restricted, as its activity does in DISPLAY_INFO.
 */
int kmscap_gamma_get(struct kmscap_display *disp, struct kmscap_display_gamma *req,
		     const struct file *file)
{
	struct drm_property_blob *lut = NULL;
	u32 capacity = req->count, n;
	u64 seq = 0;
	int ret = 0;

	req->count = 0;
	req->seq = 0;
	req->out_flags = 0;
	if (!kmscap_display_permitted(disp, file)) {
		req->out_flags = KMSCAP_GAMMA_RESTRICTED;
		return 0;
	}
	spin_lock(&disp->capture_lock);
	if (disp->current_frame) {
		seq = disp->current_frame->gamma_seq;
		if (disp->current_frame->gamma_lut)
			lut = drm_property_blob_get(disp->current_frame->gamma_lut);
	}
	spin_unlock(&disp->capture_lock);

	n = lut ? drm_color_lut_size(lut) : 0;
	if (req->entries_ptr && min(capacity, n))
		ret = kmscap_gamma_copy_out(lut, req->entries_ptr, min(capacity, n));
	/* Not under capture_lock: freeing a blob takes a mutex. */
	drm_property_blob_put(lut);
	req->count = n;
	req->seq = seq;
	return ret;
}
