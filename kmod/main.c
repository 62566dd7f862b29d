// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmscap module entry and the registry of displays.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/xarray.h>

#include "kmscap_drv.h"

/* Card minors are 0..63 in Linux 6.1, shared with every other DRM driver. */
#define KMSCAP_MAX_DISPLAYS_LIMIT	64

unsigned int kmscap_max_displays = 16;
module_param_named(max_displays, kmscap_max_displays, uint, 0444);
MODULE_PARM_DESC(max_displays,
		 "Maximum number of displays at once (default 16, at most 64: DRM card minors)");

unsigned int kmscap_replug_timeout_ms = 1000;
module_param_named(replug_timeout_ms, kmscap_replug_timeout_ms, uint, 0644);
MODULE_PARM_DESC(replug_timeout_ms,
		 "How long a REPLUG waits at most for the compositor to see the monitor gone, in ms (default 1000, at most 10000)");

static unsigned int kmscap_max_displays_per_user = 4;
module_param_named(max_displays_per_user, kmscap_max_displays_per_user, uint, 0444);
MODULE_PARM_DESC(max_displays_per_user,
		 "Maximum number of displays one uid may own at once, CAP_SYS_ADMIN exempt (default 4, 0: max_displays)");

/*
 * Guards the registry:
 * kmscap_ids: every id in use, from its reservation at create until the
 *	display's teardown has finished, with the owner's uid as a value
 *	entry: the accounting of max_displays and max_displays_per_user.
 * kmscap_displays: id -> display, for displays that can be looked up:
 *	stored once the display is registered, erased when its destroy
 *	begins.  The DRM teardown itself runs without the lock.
 * kmscap_ndisplays: number of entries of kmscap_ids.
 * kmscap_next_id: the next id to try; ids are never reused.
 */
static DEFINE_MUTEX(kmscap_displays_lock);
static DEFINE_XARRAY_ALLOC1(kmscap_ids);
static DEFINE_XARRAY(kmscap_displays);
static u32 kmscap_ndisplays;
static u32 kmscap_next_id;

/**
 * kmscap_display_get - look up a display and take a reference
 * @id: display id
 *
 * Return: the display, or NULL. Drop it with kmscap_display_put().
 */
struct kmscap_display *kmscap_display_get(u32 id)
{
	struct kmscap_display *disp;

	mutex_lock(&kmscap_displays_lock);
	disp = xa_load(&kmscap_displays, id);
	if (disp)
		drm_dev_get(&disp->drm);
	mutex_unlock(&kmscap_displays_lock);
	return disp;
}

/**
 * kmscap_display_get_minor - look up the display of a DRM card minor
 * @minor: N of /dev/dri/cardN
 *
 * Return: the display with a reference held, or NULL.
 */
struct kmscap_display *kmscap_display_get_minor(unsigned int minor)
{
	struct kmscap_display *disp;
	unsigned long id;

	mutex_lock(&kmscap_displays_lock);
	xa_for_each(&kmscap_displays, id, disp) {
		if (disp->drm.primary->index == minor) {
			drm_dev_get(&disp->drm);
			break;
		}
	}
	mutex_unlock(&kmscap_displays_lock);
	return disp;
}

void kmscap_display_put(struct kmscap_display *disp)
{
	drm_dev_put(&disp->drm);
}

/* Does @file carry CAP_SYS_ADMIN (in the initial namespace: displays are global)? */
static bool kmscap_file_admin(const struct file *file)
{
	return file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
}

/**
 * kmscap_display_permitted - may the opener of @file control or capture @disp?
 * @disp: the display
 * @file: a /dev/kmscap or DRM file of the caller
 *
 * Only the uid that created a display, or CAP_SYS_ADMIN, may.  The
 * credentials are those @file was opened with, not the caller's: a file
 * keeps the rights of whoever opened it when it is passed on.
 */
bool kmscap_display_permitted(const struct kmscap_display *disp, const struct file *file)
{
	return uid_eq(file->f_cred->euid, disp->owner) || kmscap_file_admin(file);
}

/* Displays (created, being created or being destroyed) owned by @uid. */
static unsigned int kmscap_count_owned(kuid_t uid)
{
	unsigned long id;
	void *entry;
	unsigned int n = 0;

	lockdep_assert_held(&kmscap_displays_lock);
	xa_for_each(&kmscap_ids, id, entry)
		n += xa_to_value(entry) == __kuid_val(uid);
	return n;
}

static unsigned int kmscap_per_user_limit(void)
{
	unsigned int max = kmscap_max_displays_per_user;

	return max && max < kmscap_max_displays ? max : kmscap_max_displays;
}

/* Reserve an id for a display of @owner within the limits. */
static int kmscap_registry_reserve(kuid_t owner, bool admin, u32 *id)
{
	int ret;

	mutex_lock(&kmscap_displays_lock);
	if (kmscap_ndisplays >= kmscap_max_displays) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	if (!admin && kmscap_count_owned(owner) >= kmscap_per_user_limit()) {
		ret = -EDQUOT;
		goto out_unlock;
	}
	ret = xa_alloc_cyclic(&kmscap_ids, id, xa_mk_value(__kuid_val(owner)), xa_limit_31b,
			      &kmscap_next_id, GFP_KERNEL);
	if (ret < 0)
		goto out_unlock;
	/* So that storing the display later cannot fail. */
	ret = xa_reserve(&kmscap_displays, *id, GFP_KERNEL);
	if (ret) {
		xa_erase(&kmscap_ids, *id);
		goto out_unlock;
	}
	kmscap_ndisplays++;
out_unlock:
	mutex_unlock(&kmscap_displays_lock);
	return ret < 0 ? ret : 0;
}

/* The display of @id is gone (or was never made): its id stays unused. */
static void kmscap_registry_unreserve(u32 id)
{
	mutex_lock(&kmscap_displays_lock);
	xa_release(&kmscap_displays, id);
	xa_erase(&kmscap_ids, id);
	kmscap_ndisplays--;
	mutex_unlock(&kmscap_displays_lock);
}

/**
 * kmscap_registry_create - create a display owned by the opener of @file
 * @req: validated request
 * @modifiers: the primary plane's modifiers, ending with
 *	DRM_FORMAT_MOD_INVALID
 * @out: filled on success (may be @req)
 * @file: the caller's /dev/kmscap file
 *
 * The DRM device is created and registered without the registry lock: only
 * the id and the accounting are taken under it.
 */
int kmscap_registry_create(const struct kmscap_display_create *req, const u64 *modifiers,
			   struct kmscap_display_create *out, const struct file *file)
{
	kuid_t owner = file->f_cred->euid;
	struct kmscap_display *disp;
	u32 id;
	int ret;

	ret = kmscap_registry_reserve(owner, kmscap_file_admin(file), &id);
	if (ret)
		return ret;
	disp = kmscap_display_create(id, req, modifiers, owner);
	if (IS_ERR(disp)) {
		kmscap_registry_unreserve(id);
		return PTR_ERR(disp);
	}
	mutex_lock(&kmscap_displays_lock);
	xa_store(&kmscap_displays, id, disp, GFP_KERNEL);
	mutex_unlock(&kmscap_displays_lock);

	*out = *req;
	out->id = id;
	out->card_minor = disp->drm.primary->index;
	return 0;
}

/*
 * Tear down a display already erased from kmscap_displays, without the
 * registry lock (the teardown waits for commits in flight), then free its
 * id's accounting.  The id itself is never handed out again.
 */
static void kmscap_registry_teardown(struct kmscap_display *disp)
{
	u32 id = disp->id;

	kmscap_display_destroy(disp);
	mutex_lock(&kmscap_displays_lock);
	xa_erase(&kmscap_ids, id);
	kmscap_ndisplays--;
	mutex_unlock(&kmscap_displays_lock);
}

/**
 * kmscap_registry_destroy - destroy display @id if the opener of @file may
 * @id: display id
 * @file: the caller's /dev/kmscap file
 *
 * Of concurrent destroys of one id, the first takes the display out of
 * the registry and tears it down; the others get -ENOENT at once.  The
 * display counts against the limits until its teardown has finished.
 */
int kmscap_registry_destroy(u32 id, const struct file *file)
{
	struct kmscap_display *disp;

	mutex_lock(&kmscap_displays_lock);
	disp = xa_load(&kmscap_displays, id);
	if (!disp) {
		mutex_unlock(&kmscap_displays_lock);
		return -ENOENT;
	}
	if (!kmscap_display_permitted(disp, file)) {
		mutex_unlock(&kmscap_displays_lock);
		return -EPERM;
	}
	xa_erase(&kmscap_displays, id);
	mutex_unlock(&kmscap_displays_lock);

	kmscap_registry_teardown(disp);
	return 0;
}

/**
 * kmscap_registry_list - fill @ids with up to @capacity display ids
 * @ids: kernel array of at least @capacity entries
 * @capacity: size of @ids
 * @count: out: number of displays that exist
 */
int kmscap_registry_list(u32 *ids, u32 capacity, u32 *count)
{
	struct kmscap_display *disp;
	unsigned long id;
	u32 n = 0;

	mutex_lock(&kmscap_displays_lock);
	xa_for_each(&kmscap_displays, id, disp) {
		if (n < capacity)
			ids[n] = id;
		n++;
	}
	mutex_unlock(&kmscap_displays_lock);
	*count = n;
	return 0;
}

/* Module exit: no file of ours is open, so nothing races with this. */
static void kmscap_registry_destroy_all(void)
{
	struct kmscap_display *disp;
	unsigned long id;

	for (;;) {
		id = 0;
		mutex_lock(&kmscap_displays_lock);
		disp = xa_find(&kmscap_displays, &id, ULONG_MAX, XA_PRESENT);
		if (disp)
			xa_erase(&kmscap_displays, id);
		mutex_unlock(&kmscap_displays_lock);
		if (!disp)
			break;
		kmscap_registry_teardown(disp);
	}
}

static int __init kmscap_init(void)
{
	int ret;

	if (kmscap_max_displays < 1 || kmscap_max_displays > KMSCAP_MAX_DISPLAYS_LIMIT) {
		pr_err("kmscap: max_displays=%u out of range 1..%u: each display takes one of DRM's %u card minors\n",
		       kmscap_max_displays, KMSCAP_MAX_DISPLAYS_LIMIT, KMSCAP_MAX_DISPLAYS_LIMIT);
		return -EINVAL;
	}

	kmscap_debugfs_init();
	ret = kmscap_client_register();
	if (ret)
		goto err_debugfs;
	return 0;

err_debugfs:
	kmscap_debugfs_exit();
	return ret;
}

static void __exit kmscap_exit(void)
{
	kmscap_client_unregister();
	kmscap_registry_destroy_all();
	kmscap_debugfs_exit();
}

module_init(kmscap_init);
module_exit(kmscap_exit);

MODULE_AUTHOR("kmscap developers");
MODULE_DESCRIPTION("Virtual KMS displays with zero-copy DMA-BUF frame capture");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0.0");
MODULE_IMPORT_NS(DMA_BUF);
