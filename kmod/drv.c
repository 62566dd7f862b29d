// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmscap display: one DRM device per virtual display, parented by a
 * platform device "kmscap.<id>".
 */

#include <linux/cred.h>
#include <linux/dma-mapping.h>
#include <linux/platform_device.h>

#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_fb_helper.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_plane.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_vblank.h>

#include "kmscap_drv.h"

/*
 * Only the display's owner, or CAP_SYS_ADMIN, may open its card node,
 * whatever the node's mode: whoever opens a card first becomes its DRM
 * master and draws what the owner's capture clients stream.
 */
static int kmscap_drm_open(struct inode *inode, struct file *file)
{
	struct kmscap_display *disp = kmscap_display_get_minor(iminor(inode));
	int ret;

	/* Not (or no longer) in the registry: being created or destroyed. */
	if (!disp)
		return -ENODEV;
	ret = kmscap_display_permitted(disp, file) ? drm_open(inode, file) : -EACCES;
	kmscap_display_put(disp);
	return ret;
}

static const struct file_operations kmscap_drm_fops = {
	.owner = THIS_MODULE,
	DRM_GEM_FOPS,
	/* after DRM_GEM_FOPS, whose drm_open it replaces */
	.open = kmscap_drm_open,
};

static const struct drm_driver kmscap_drm_driver = {
	.driver_features = DRIVER_MODESET | DRIVER_ATOMIC | DRIVER_GEM,
	.fops = &kmscap_drm_fops,
	DRM_GEM_SHMEM_DRIVER_OPS,
	.gem_create_object = kmscap_bo_create_object,
	.name = KMSCAP_NAME,
	.desc = "kmscap virtual display",
	.date = "20261125",
	.major = KMSCAP_ABI_MAJOR,
	.minor = KMSCAP_ABI_MINOR,
};

/* DIRTYFB: the compositor drew into the buffer in place (capture.c). */
static int kmscap_fb_dirty(struct drm_framebuffer *fb, struct drm_file *file,
			   unsigned int flags, unsigned int color, struct drm_clip_rect *clips,
			   unsigned int num_clips)
{
	struct kmscap_bo *bo = to_kmscap_bo(fb->obj[0]);

	kmscap_capture_overwritten(bo->disp, bo);
	return drm_atomic_helper_dirtyfb(fb, file, flags, color, clips, num_clips);
}

static const struct drm_framebuffer_funcs kmscap_fb_funcs = {
	.destroy = drm_gem_fb_destroy,
	.create_handle = drm_gem_fb_create_handle,
	.dirty = kmscap_fb_dirty,
};

/*
 * Whether every GEM object of @cmd is a PRIME import: the display's own
 * dumb buffers are linear, only another device's buffers can be tiled.
 */
static bool kmscap_fb_imported(struct drm_file *file, const struct drm_mode_fb_cmd2 *cmd)
{
	const struct drm_format_info *info = drm_format_info(cmd->pixel_format);
	struct drm_gem_object *obj;
	unsigned int i;
	bool imported;

	for (i = 0; i < info->num_planes; i++) {
		obj = drm_gem_object_lookup(file, cmd->handles[i]);
		if (!obj)
			return false;
		imported = obj->import_attach;
		drm_gem_object_put(obj);
		if (!imported)
			return false;
	}
	return true;
}

/*
 * A buffer no plane can show is refused here, where the compositor probes
 * (kmscube adds its buffer with DRM_FORMAT_MOD_INVALID and retries without
 * modifiers on EINVAL), not later at the commit.  The core has checked
 * that every plane of the buffer has the same modifier.
 */
static struct drm_framebuffer *kmscap_fb_create(struct drm_device *drm, struct drm_file *file,
						const struct drm_mode_fb_cmd2 *cmd)
{
	u64 modifier = cmd->flags & DRM_MODE_FB_MODIFIERS ? cmd->modifier[0] :
			DRM_FORMAT_MOD_LINEAR;

	if (!drm_any_plane_has_format(drm, cmd->pixel_format, modifier)) {
		drm_dbg_kms(drm, "no plane takes format %p4cc with modifier 0x%llx\n",
			    &cmd->pixel_format, modifier);
		return ERR_PTR(-EINVAL);
	}
	if (modifier != DRM_FORMAT_MOD_LINEAR && !kmscap_fb_imported(file, cmd)) {
		drm_dbg_kms(drm, "modifier 0x%llx on a buffer that is not a PRIME import\n",
			    modifier);
		return ERR_PTR(-EINVAL);
	}
	return drm_gem_fb_create_with_funcs(drm, file, cmd, &kmscap_fb_funcs);
}

static struct drm_atomic_state *kmscap_atomic_state_alloc(struct drm_device *drm)
{
	struct kmscap_atomic_state *ks = kzalloc(sizeof(*ks), GFP_KERNEL);

	if (!ks)
		return NULL;
	if (drm_atomic_state_init(drm, &ks->base) < 0) {
		kfree(ks);
		return NULL;
	}
	return &ks->base;
}

/* What a commit allocated and did not publish (it failed, or retries). */
static void kmscap_atomic_state_drop(struct kmscap_atomic_state *ks)
{
	if (ks->frame)
		kmscap_frame_free(ks->frame);
	kmscap_flip_put(ks->flip);
	kmscap_present_free(ks->present);
	ks->frame = NULL;
	ks->flip = NULL;
	ks->present = NULL;
}

static void kmscap_atomic_state_clear(struct drm_atomic_state *state)
{
	kmscap_atomic_state_drop(to_kmscap_atomic_state(state));
	drm_atomic_state_default_clear(state);
}

static void kmscap_atomic_state_free(struct drm_atomic_state *state)
{
	struct kmscap_atomic_state *ks = to_kmscap_atomic_state(state);

	kmscap_atomic_state_drop(ks);
	drm_atomic_state_default_release(state);
	kfree(ks);
}

/*
 * Everything the commit tail needs is allocated here, where a failure is
 * still a clean -ENOMEM: the tail itself cannot fail, so a commit never
 * goes on screen without its frame (and its backpressure).
 */
static int kmscap_atomic_commit(struct drm_device *drm, struct drm_atomic_state *state,
				bool nonblock)
{
	struct kmscap_atomic_state *ks = to_kmscap_atomic_state(state);

	if (!ks->frame)
		ks->frame = kmscap_frame_alloc();
	if (!ks->flip)
		ks->flip = kmscap_flip_alloc(to_kmscap_display(drm));
	if (!ks->present)
		ks->present = kmscap_present_alloc(to_kmscap_display(drm));
	if (!ks->frame || !ks->flip || !ks->present)
		return -ENOMEM;
	return drm_atomic_helper_commit(drm, state, nonblock);
}

static enum drm_mode_status kmscap_mode_config_mode_valid(struct drm_device *drm,
							  const struct drm_display_mode *mode)
{
	return kmscap_mode_valid(mode);
}

static const struct drm_mode_config_funcs kmscap_mode_config_funcs = {
	.fb_create = kmscap_fb_create,
	/* A mode blob a master creates is checked here already. */
	.mode_valid = kmscap_mode_config_mode_valid,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = kmscap_atomic_commit,
	.atomic_state_alloc = kmscap_atomic_state_alloc,
	.atomic_state_clear = kmscap_atomic_state_clear,
	.atomic_state_free = kmscap_atomic_state_free,
};

static const struct drm_mode_config_helper_funcs kmscap_mode_config_helpers = {
	.atomic_commit_tail = kmscap_crtc_commit_tail,
};

/* The device's memory goes: nothing of backpressure may still run. */
static void kmscap_display_release(struct drm_device *drm, void *data)
{
	kmscap_backpressure_fini(data);
	kmscap_present_fini(data);
}

static int kmscap_display_init_kms(struct kmscap_display *disp, const u64 *modifiers)
{
	struct drm_device *drm = &disp->drm;
	int ret;

	kmscap_backpressure_init(disp);
	kmscap_present_init(disp);
	ret = drmm_add_action_or_reset(drm, kmscap_display_release, disp);
	if (ret)
		return ret;
	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;
	drm->mode_config.funcs = &kmscap_mode_config_funcs;
	drm->mode_config.helper_private = &kmscap_mode_config_helpers;
	drm->mode_config.min_width = 1;
	drm->mode_config.min_height = 1;
	drm->mode_config.max_width = KMSCAP_MAX_SIZE;
	drm->mode_config.max_height = KMSCAP_MAX_SIZE;
	drm->mode_config.cursor_width = KMSCAP_CURSOR_MAX;
	drm->mode_config.cursor_height = KMSCAP_CURSOR_MAX;
	drm->mode_config.preferred_depth = 24;

	ret = kmscap_plane_init(disp, modifiers);
	if (ret)
		return ret;
	ret = kmscap_crtc_init(disp);
	if (ret)
		return ret;
	ret = kmscap_output_init(disp);
	if (ret)
		return ret;
	ret = drm_vblank_init(drm, 1);
	if (ret)
		return ret;
	drm_mode_config_reset(drm);
	return 0;
}

/**
 * kmscap_display_create - create and register a display's DRM device
 * @id: the display id reserved by the registry
 * @req: validated create request
 * @modifiers: the primary plane's modifiers, LINEAR first, ending with
 *	DRM_FORMAT_MOD_INVALID
 * @owner: the uid the display belongs to
 *
 * Return: the display, owned by the registry, or an ERR_PTR.
 */
struct kmscap_display *kmscap_display_create(u32 id, const struct kmscap_display_create *req,
					     const u64 *modifiers, kuid_t owner)
{
	struct platform_device *pdev;
	struct kmscap_display *disp;
	int ret;

	pdev = platform_device_register_simple(KMSCAP_NAME, id, NULL, 0);
	if (IS_ERR(pdev))
		return ERR_CAST(pdev);
	if (!devres_open_group(&pdev->dev, NULL, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto err_unregister_pdev;
	}

	disp = devm_drm_dev_alloc(&pdev->dev, &kmscap_drm_driver, struct kmscap_display, drm);
	if (IS_ERR(disp)) {
		ret = PTR_ERR(disp);
		goto err_release_group;
	}
	disp->pdev = pdev;
	disp->id = id;
	disp->owner = owner;
	disp->width = req->width;
	disp->height = req->height;
	disp->refresh_mhz = req->refresh_mhz;
	disp->connected = !(req->flags & KMSCAP_CREATE_DISCONNECTED);
	mutex_init(&disp->config_lock);
	mutex_init(&disp->replug_lock);
	init_waitqueue_head(&disp->replug_wq);
	spin_lock_init(&disp->capture_lock);
	INIT_LIST_HEAD(&disp->clients);
	xa_init_flags(&disp->bufs, XA_FLAGS_ALLOC1);

	ret = dma_coerce_mask_and_coherent(disp->drm.dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_release_group;
	ret = kmscap_display_init_kms(disp, modifiers);
	if (ret)
		goto err_release_group;
	ret = drm_dev_register(&disp->drm, 0);
	if (ret)
		goto err_release_group;
	kmscap_debugfs_display_add(disp);
	return disp;

err_release_group:
	devres_release_group(&pdev->dev, NULL);
err_unregister_pdev:
	platform_device_unregister(pdev);
	return ERR_PTR(ret);
}

/**
 * kmscap_display_destroy - unregister a display and drop the registry's
 *	reference
 * @disp: the display
 *
 * Clients are hung up first so that no commit waits on them; open files
 * of the DRM device and of clients keep the memory alive until closed.
 */
void kmscap_display_destroy(struct kmscap_display *disp)
{
	struct platform_device *pdev = disp->pdev;

	kmscap_debugfs_display_remove(disp);
	kmscap_capture_hangup(disp);
	drm_dev_unplug(&disp->drm);
	wake_up_all(&disp->replug_wq);
	drm_atomic_helper_shutdown(&disp->drm);
	hrtimer_cancel(&disp->vblank_timer);
	devres_release_group(&pdev->dev, NULL);
	platform_device_unregister(pdev);
}

/**
 * kmscap_display_info - describe @disp to the opener of @file
 * @disp: the display
 * @info: filled in
 * @file: the caller's /dev/kmscap file
 *
 * Anyone may see a display's id, owner, card and configured mode; its
 * activity (clients, frames, %KMSCAP_INFO_ACTIVE) only its owner and
 * CAP_SYS_ADMIN: others get zeros and %KMSCAP_INFO_RESTRICTED.
 */
void kmscap_display_info(struct kmscap_display *disp, struct kmscap_display_info *info,
			 const struct file *file)
{
	mutex_lock(&disp->config_lock);
	info->width = disp->width;
	info->height = disp->height;
	info->refresh_mhz = disp->refresh_mhz;
	info->flags = disp->connected ? KMSCAP_INFO_CONNECTED : 0;
	mutex_unlock(&disp->config_lock);

	info->owner_uid = from_kuid_munged(file->f_cred->user_ns, disp->owner);
	info->card_minor = disp->drm.primary->index;

	if (!kmscap_display_permitted(disp, file)) {
		info->flags |= KMSCAP_INFO_RESTRICTED;
		info->clients = 0;
		info->frames = 0;
		return;
	}
	spin_lock(&disp->capture_lock);
	if (disp->current_frame && !(disp->current_frame->ev.flags & KMSCAP_FRAME_BLANK))
		info->flags |= KMSCAP_INFO_ACTIVE;
	info->clients = disp->nclients;
	info->frames = disp->stats.frames;
	spin_unlock(&disp->capture_lock);
}

/* The new preferred mode of @cfg, if it has one (config_lock held). */
static void kmscap_display_take_mode(struct kmscap_display *disp,
				     const struct kmscap_display_config *cfg)
{
	lockdep_assert_held(&disp->config_lock);
	if (cfg->flags & KMSCAP_CONFIG_MODE) {
		disp->width = cfg->width;
		disp->height = cfg->height;
		disp->refresh_mhz = cfg->refresh_mhz;
	}
}

/**
 * kmscap_display_configure - apply a validated configuration change
 * @disp: the display
 * @cfg: the change
 *
 * Userspace learns of it through a hotplug uevent, as for a real monitor.
 */
int kmscap_display_configure(struct kmscap_display *disp,
			     const struct kmscap_display_config *cfg)
{
	int idx;

	/* Being destroyed: no hotplug event on a device going away. */
	if (!drm_dev_enter(&disp->drm, &idx))
		return -ENOENT;
	mutex_lock(&disp->config_lock);
	kmscap_display_take_mode(disp, cfg);
	if (cfg->flags & KMSCAP_CONFIG_CONNECT)
		WRITE_ONCE(disp->connected, true);
	if (cfg->flags & KMSCAP_CONFIG_DISCONNECT)
		WRITE_ONCE(disp->connected, false);
	mutex_unlock(&disp->config_lock);

	kmscap_output_hotplug(disp);
	drm_dev_exit(idx);
	return 0;
}

/* Longest wait a REPLUG accepts from the module parameter. */
#define KMSCAP_REPLUG_TIMEOUT_MAX_MS	10000

/* A wait condition: runs in a sleeping task state, so it takes no lock. */
static bool kmscap_display_replug_seen(struct kmscap_display *disp)
{
	return READ_ONCE(disp->replug_seen) || drm_dev_is_unplugged(&disp->drm);
}

/**
 * kmscap_display_replug - replace the monitor: disconnect, wait, reconnect
 * @disp: the display
 * @cfg: the change (%KMSCAP_CONFIG_REPLUG, maybe with a mode)
 *
 * The connector goes disconnected with a hotplug event; once the DRM
 * master has probed it disconnected (kmscap_output_replug_probed()), or
 * after kmscap_replug_timeout_ms, the new mode is applied and the
 * connector reconnected with a second hotplug event.  No lock is held
 * while waiting but @replug_lock, and the device is not entered, so that
 * destroying the display is not delayed.
 */
int kmscap_display_replug(struct kmscap_display *disp,
			  const struct kmscap_display_config *cfg)
{
	unsigned int timeout_ms = min(READ_ONCE(kmscap_replug_timeout_ms),
				      KMSCAP_REPLUG_TIMEOUT_MAX_MS);
	bool was_connected;
	int idx, ret = 0;

	mutex_lock(&disp->replug_lock);
	if (!drm_dev_enter(&disp->drm, &idx)) {
		ret = -ENOENT;
		goto out_unlock;
	}
	mutex_lock(&disp->config_lock);
	was_connected = disp->connected;
	WRITE_ONCE(disp->connected, false);
	disp->replug_waiting = was_connected;
	WRITE_ONCE(disp->replug_seen, false);
	mutex_unlock(&disp->config_lock);
	if (was_connected)
		kmscap_output_hotplug(disp);
	drm_dev_exit(idx);

	/* A signal only shortens the wait: the monitor always comes back. */
	if (was_connected && timeout_ms)
		wait_event_interruptible_timeout(disp->replug_wq,
						 kmscap_display_replug_seen(disp),
						 msecs_to_jiffies(timeout_ms));

	if (!drm_dev_enter(&disp->drm, &idx)) {
		ret = -ENOENT;
		goto out_unlock;
	}
	mutex_lock(&disp->config_lock);
	kmscap_display_take_mode(disp, cfg);
	disp->replug_waiting = false;
	WRITE_ONCE(disp->connected, true);
	mutex_unlock(&disp->config_lock);
	kmscap_output_hotplug(disp);
	drm_dev_exit(idx);
out_unlock:
	mutex_unlock(&disp->replug_lock);
	return ret;
}
