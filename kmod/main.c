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

unsigned int kmscap_max_displays = 16;
module_param_named(max_displays, kmscap_max_displays, uint, 0444);
MODULE_PARM_DESC(max_displays, "Maximum number of displays at once (default 16, max 256)");

/* Guards kmscap_displays and kmscap_ndisplays. */
static DEFINE_MUTEX(kmscap_displays_lock);
static DEFINE_XARRAY_ALLOC1(kmscap_displays);
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
	return uid_eq(file->f_cred->euid, disp->owner) ||
	       file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
}

/* The display belongs to the effective uid @file was opened with. */
int kmscap_registry_create(const struct kmscap_display_create *req,
			   struct kmscap_display_create *out, const struct file *file)
{
	struct kmscap_display *disp;
	u32 id;
	int ret;

	mutex_lock(&kmscap_displays_lock);
	if (kmscap_ndisplays >= kmscap_max_displays) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	/* Reserve the id first so that it is never reused while we live. */
	ret = xa_alloc_cyclic(&kmscap_displays, &id, NULL, xa_limit_31b,
			      &kmscap_next_id, GFP_KERNEL);
	if (ret < 0)
		goto out_unlock;

	disp = kmscap_display_create(id, req, file->f_cred->euid);
	if (IS_ERR(disp)) {
		ret = PTR_ERR(disp);
		goto err_erase_id;
	}
	xa_store(&kmscap_displays, id, disp, GFP_KERNEL);
	kmscap_ndisplays++;

	*out = *req;
	out->id = id;
	out->card_minor = disp->drm.primary->index;
	mutex_unlock(&kmscap_displays_lock);
	return 0;

err_erase_id:
	xa_erase(&kmscap_displays, id);
out_unlock:
	mutex_unlock(&kmscap_displays_lock);
	return ret;
}

static void kmscap_registry_remove_locked(struct kmscap_display *disp)
{
	lockdep_assert_held(&kmscap_displays_lock);
	xa_erase(&kmscap_displays, disp->id);
	kmscap_ndisplays--;
	kmscap_display_destroy(disp);
}

int kmscap_registry_destroy(u32 id, const struct file *file)
{
	struct kmscap_display *disp;
	int ret = 0;

	mutex_lock(&kmscap_displays_lock);
	disp = xa_load(&kmscap_displays, id);
	if (!disp)
		ret = -ENOENT;
	else if (!kmscap_display_permitted(disp, file))
		ret = -EPERM;
	else
		kmscap_registry_remove_locked(disp);
	mutex_unlock(&kmscap_displays_lock);
	return ret;
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

static void kmscap_registry_destroy_all(void)
{
	struct kmscap_display *disp;
	unsigned long id;

	mutex_lock(&kmscap_displays_lock);
	xa_for_each(&kmscap_displays, id, disp)
		kmscap_registry_remove_locked(disp);
	mutex_unlock(&kmscap_displays_lock);
}

static int __init kmscap_init(void)
{
	int ret;

	if (kmscap_max_displays < 1 || kmscap_max_displays > 256) {
		pr_err("kmscap: max_displays=%u out of range 1..256\n", kmscap_max_displays);
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
