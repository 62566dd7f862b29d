// SPDX-License-Identifier: MIT
/*
 * The display's gamma LUT: kmscap hands frames over as the compositor drew
 * them, and the compositor's gamma (night light, calibration) is only a
 * property of the display (KMSCAP_IOC_DISPLAY_GAMMA).  kmscap-stream does
 * not apply it: the VA-API pipeline has no LUT stage here (the test driver
 * has none, and VA's 3D LUT filter is not used).  So that a viewer is not
 * surprised by colours that differ from the monitor's, one notice says so
 * when the display gets a LUT that changes the frame's content; a LUT
 * going back to the identity re-arms it.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "ks.h"
#include "libkmscap.h"

/* Bits per channel of the frame's format, the depth the LUT is judged at. */
static unsigned int ks_gamma_bits(uint32_t format)
{
	switch (format) {
	case DRM_FORMAT_XRGB2101010:
	case DRM_FORMAT_ARGB2101010:
	case DRM_FORMAT_XBGR2101010:
	case DRM_FORMAT_ABGR2101010:
		return 10;
	default:
		return 8;
	}
}

void ks_gamma_note(struct ks_gamma *g, const struct kmscap_event *ev)
{
	struct kmscap_gamma_entry lut[KMSCAP_GAMMA_SIZE];
	uint64_t seq = 0;
	bool identity;
	int n;

	if (ev->type != KMSCAP_EVENT_FRAME || !(ev->flags & KMSCAP_FRAME_GAMMA_CHANGED))
		return;
	n = kmscap_display_gamma(g->dev, g->display_id, lut, KMSCAP_GAMMA_SIZE, &seq);
	if (n < 0 || n > KMSCAP_GAMMA_SIZE) {
		if (!g->failed)
			dprintf(g->fd, g->json ?
				"{\"type\":\"gamma\",\"display\":%u,\"error\":\"%s\"}\n" :
				KS_PROG ": display %u changed its gamma LUT, which cannot be read: %s\n",
				g->display_id, n < 0 ? strerror(-n) : "larger than 256 entries");
		g->failed = true;
		return;
	}
	identity = kmscap_gamma_identity(lut, (uint32_t)n, ks_gamma_bits(ev->format));
	if (identity || g->noticed) {
		g->noticed = !identity;
		return;
	}
	g->noticed = true;
	if (g->json)
		dprintf(g->fd, "{\"type\":\"gamma\",\"display\":%u,\"seq\":%llu,\"entries\":%d,"
			"\"identity\":false,\"applied\":false}\n", g->display_id,
			(unsigned long long)seq, n);
	else
		dprintf(g->fd, KS_PROG ": display %u has a gamma LUT of %d entries (from frame %llu) "
			"that is not the identity: the stream is encoded without it, so its colours "
			"differ from what the compositor shows on a monitor\n", g->display_id, n,
			(unsigned long long)seq);
}
