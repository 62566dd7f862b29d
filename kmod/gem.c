// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmscap GEM objects: shmem-backed dumb buffers and PRIME imports, each
 * with a capture buffer id assigned when it is first scanned out.
 */

#include <linux/slab.h>
#include <linux/xarray.h>

#include "kmscap_drv.h"

static void kmscap_bo_free(struct drm_gem_object *obj)
{
	struct kmscap_bo *bo = to_kmscap_bo(obj);

	if (bo->id)
		xa_erase(&bo->disp->bufs, bo->id);
	/* Frees bo too: shmem is its first member. */
	drm_gem_shmem_free(&bo->shmem);
}

static const struct drm_gem_object_funcs kmscap_bo_funcs = {
	.free = kmscap_bo_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/**
 * kmscap_bo_create_object - &drm_driver.gem_create_object hook
 * @drm: the display's DRM device
 * @size: object size
 *
 * Used by the shmem helpers for dumb buffers and for PRIME imports alike.
 */
struct drm_gem_object *kmscap_bo_create_object(struct drm_device *drm, size_t size)
{
	struct kmscap_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->disp = to_kmscap_display(drm);
	bo->shmem.base.funcs = &kmscap_bo_funcs;
	return &bo->shmem.base;
}

/**
 * kmscap_bo_id - the capture buffer id of @bo, assigned on first use
 * @bo: a buffer being scanned out
 *
 * Return: the id, or 0 if no id could be allocated.
 */
u32 kmscap_bo_id(struct kmscap_bo *bo)
{
	struct kmscap_display *disp = bo->disp;
	u32 id;

	xa_lock(&disp->bufs);
	if (!bo->id && __xa_alloc_cyclic(&disp->bufs, &id, bo, xa_limit_32b,
					 &disp->next_buf_id, GFP_ATOMIC) >= 0)
		WRITE_ONCE(bo->id, id);
	id = bo->id;
	xa_unlock(&disp->bufs);
	return id;
}

/**
 * kmscap_bo_lookup - find a scanned-out buffer by id and reference it
 * @disp: the display
 * @id: capture buffer id
 *
 * Return: the buffer with a GEM reference held, or NULL.
 */
struct kmscap_bo *kmscap_bo_lookup(struct kmscap_display *disp, u32 id)
{
	struct kmscap_bo *bo;

	xa_lock(&disp->bufs);
	bo = xa_load(&disp->bufs, id);
	/* A dying object stays in the array until its free hook erases it. */
	if (bo && !kref_get_unless_zero(&bo->shmem.base.refcount))
		bo = NULL;
	xa_unlock(&disp->bufs);
	return bo;
}
