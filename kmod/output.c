// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmscap output: a virtual encoder and connector whose modes and EDID come
 * from the display's configuration, changeable at run time.
 */

#include <drm/drm_atomic_helper.h>
#include <drm/drm_edid.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_simple_kms_helper.h>

#include "kmscap_drv.h"
#include "edid.h"

/* Smaller modes offered besides the preferred one, all at 60 Hz. */
static const struct {
	u16 w, h;
} kmscap_common_modes[] = {
	{ 640, 480 }, { 800, 600 }, { 1024, 768 }, { 1280, 720 }, { 1280, 800 },
	{ 1280, 1024 }, { 1366, 768 }, { 1440, 900 }, { 1600, 900 }, { 1680, 1050 },
	{ 1920, 1080 }, { 1920, 1200 }, { 2560, 1440 }, { 2560, 1600 }, { 3840, 2160 },
};

static struct kmscap_display *connector_to_display(struct drm_connector *connector)
{
	return container_of(connector, struct kmscap_display, connector);
}

static struct drm_display_mode *kmscap_output_mode(struct drm_device *drm, u32 width,
						   u32 height, u32 refresh_mhz)
{
	struct drm_display_mode *mode;
	struct kmscap_timing t;

	if (kmscap_timing_compute(width, height, refresh_mhz, &t))
		return NULL;
	mode = drm_mode_create(drm);
	if (!mode)
		return NULL;
	mode->clock = t.clock_khz;
	mode->hdisplay = t.hdisplay;
	mode->hsync_start = t.hsync_start;
	mode->hsync_end = t.hsync_end;
	mode->htotal = t.htotal;
	mode->vdisplay = t.vdisplay;
	mode->vsync_start = t.vsync_start;
	mode->vsync_end = t.vsync_end;
	mode->vtotal = t.vtotal;
	mode->flags = (t.flags & KMSCAP_TIMING_PHSYNC ? DRM_MODE_FLAG_PHSYNC :
		       DRM_MODE_FLAG_NHSYNC) |
		      (t.flags & KMSCAP_TIMING_NVSYNC ? DRM_MODE_FLAG_NVSYNC :
		       DRM_MODE_FLAG_PVSYNC);
	mode->type = DRM_MODE_TYPE_DRIVER;
	drm_mode_set_name(mode);
	return mode;
}

static int kmscap_connector_get_modes(struct drm_connector *connector)
{
	struct kmscap_display *disp = connector_to_display(connector);
	struct kmscap_edid_params params = {
		.display_id = disp->id,
		.product_code = 1,
		.year = 2026,
	};
	struct drm_display_mode *mode;
	u8 edid[KMSCAP_EDID_MAX_SIZE];
	unsigned int i;
	int count = 0;

	mutex_lock(&disp->config_lock);
	params.width = disp->width;
	params.height = disp->height;
	params.refresh_mhz = disp->refresh_mhz;
	mutex_unlock(&disp->config_lock);

	if (kmscap_edid_build(edid, sizeof(edid), &params) > 0)
		drm_connector_update_edid_property(connector, (struct edid *)edid);

	mode = kmscap_output_mode(connector->dev, params.width, params.height,
				  params.refresh_mhz);
	if (mode) {
		mode->type |= DRM_MODE_TYPE_PREFERRED;
		drm_mode_probed_add(connector, mode);
		count++;
	}
	for (i = 0; i < ARRAY_SIZE(kmscap_common_modes); i++) {
		u32 w = kmscap_common_modes[i].w, h = kmscap_common_modes[i].h;

		if (w > params.width || h > params.height ||
		    (w == params.width && h == params.height))
			continue;
		mode = kmscap_output_mode(connector->dev, w, h, 60000);
		if (!mode)
			continue;
		drm_mode_probed_add(connector, mode);
		count++;
	}
	return count;
}

static enum drm_connector_status kmscap_connector_detect(struct drm_connector *connector,
							 bool force)
{
	struct kmscap_display *disp = connector_to_display(connector);
	bool connected;

	mutex_lock(&disp->config_lock);
	connected = disp->connected;
	mutex_unlock(&disp->config_lock);
	return connected ? connector_status_connected : connector_status_disconnected;
}

static enum drm_mode_status
kmscap_connector_mode_valid(struct drm_connector *connector, struct drm_display_mode *mode)
{
	return kmscap_mode_valid(mode);
}

static const struct drm_connector_helper_funcs kmscap_connector_helper_funcs = {
	.get_modes = kmscap_connector_get_modes,
	.mode_valid = kmscap_connector_mode_valid,
};

/*
 * Userspace reaches fill_modes only as the DRM master (others get the
 * cached state): a probe that finds the connector disconnected during a
 * REPLUG means the compositor has seen its monitor go.
 */
static int kmscap_connector_fill_modes(struct drm_connector *connector, u32 max_width,
				       u32 max_height)
{
	struct kmscap_display *disp = connector_to_display(connector);
	int count;

	count = drm_helper_probe_single_connector_modes(connector, max_width, max_height);
	mutex_lock(&disp->config_lock);
	if (disp->replug_waiting && connector->status == connector_status_disconnected) {
		WRITE_ONCE(disp->replug_seen, true);
		wake_up_all(&disp->replug_wq);
	}
	mutex_unlock(&disp->config_lock);
	return count;
}

static const struct drm_connector_funcs kmscap_connector_funcs = {
	.detect = kmscap_connector_detect,
	.fill_modes = kmscap_connector_fill_modes,
	.destroy = drm_connector_cleanup,
	.reset = drm_atomic_helper_connector_reset,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

/**
 * kmscap_output_init - create the encoder and connector of @disp
 * @disp: the display (CRTC must exist)
 */
int kmscap_output_init(struct kmscap_display *disp)
{
	int ret;

	ret = drm_simple_encoder_init(&disp->drm, &disp->encoder, DRM_MODE_ENCODER_VIRTUAL);
	if (ret)
		return ret;
	disp->encoder.possible_crtcs = drm_crtc_mask(&disp->crtc);

	ret = drm_connector_init(&disp->drm, &disp->connector, &kmscap_connector_funcs,
				 DRM_MODE_CONNECTOR_VIRTUAL);
	if (ret)
		return ret;
	drm_connector_helper_add(&disp->connector, &kmscap_connector_helper_funcs);
	/* The core leaves EDID off Virtual connectors; ours has one. */
	drm_connector_attach_edid_property(&disp->connector);
	disp->connector.polled = DRM_CONNECTOR_POLL_HPD;
	return drm_connector_attach_encoder(&disp->connector, &disp->encoder);
}

/**
 * kmscap_output_hotplug - tell userspace the monitor changed
 * @disp: the display
 */
void kmscap_output_hotplug(struct kmscap_display *disp)
{
	drm_kms_helper_hotplug_event(&disp->drm);
}
