// SPDX-License-Identifier: GPL-2.0-only
/*
 * Read-only DMA-BUF export of display buffers for capture clients.
 *
 * Each export is a new dma-buf whose file is opened O_RDONLY, so that
 * shared writable mappings are refused by the VFS.  It shares the
 * buffer's memory, never copies it:
 *  - a shmem buffer (dumb) exports its pinned pages;
 *  - an imported buffer forwards every operation to the dma-buf it was
 *    imported from, so a GPU buffer stays where it is.
 *
 * A forwarding export is as dynamic as its origin.  An origin whose
 * exporter may move its buffers unless they are pinned (dma_buf_ops.pin)
 * gets an export with pin and unpin: the export's attachments attach to
 * the origin dynamically, pin it only when their importer pins, and pass
 * the origin's move notifications on to a dynamic importer.  A static
 * origin gets a static export (its attachments keep it in place).
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/fcntl.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <drm/drm_prime.h>

#include "kmscap_drv.h"

static inline struct dma_buf *kmscap_export_origin(struct kmscap_bo *bo)
{
	struct dma_buf_attachment *ia = bo->shmem.base.import_attach;

	return ia ? ia->dmabuf : NULL;
}

/*
 * The origin moves (its reservation held, the export's too: they share
 * it): a dynamic importer of the export must hear of it.  A static one
 * holds a pin on the origin through the export, so nothing moves under it.
 */
static void kmscap_export_move_notify(struct dma_buf_attachment *inner)
{
	struct dma_buf_attachment *attach = inner->importer_priv;

	if (attach->importer_ops)
		attach->importer_ops->move_notify(attach);
}

/* Peer to peer is not offered: the origin gives memory any device reaches. */
static const struct dma_buf_attach_ops kmscap_export_importer_ops = {
	.allow_peer2peer = false,
	.move_notify = kmscap_export_move_notify,
};

static int kmscap_export_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct kmscap_bo *bo = dmabuf->priv;
	struct dma_buf *origin = kmscap_export_origin(bo);
	struct dma_buf_attachment *inner;

	if (!origin)
		return 0;
	if (dma_buf_is_dynamic(origin))
		inner = dma_buf_dynamic_attach(origin, attach->dev, &kmscap_export_importer_ops,
					       attach);
	else
		inner = dma_buf_attach(origin, attach->dev);
	if (IS_ERR(inner))
		return PTR_ERR(inner);
	attach->priv = inner;
	return 0;
}

static void kmscap_export_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct kmscap_bo *bo = dmabuf->priv;
	struct dma_buf *origin = kmscap_export_origin(bo);

	if (origin)
		dma_buf_detach(origin, attach->priv);
}

static struct sg_table *kmscap_export_map(struct dma_buf_attachment *attach,
					  enum dma_data_direction dir)
{
	struct kmscap_bo *bo = attach->dmabuf->priv;
	struct drm_gem_shmem_object *shmem = &bo->shmem;
	struct sg_table *sgt;
	int ret;

	if (attach->priv)
		return kmscap_dma_buf_map(attach->priv, dir);

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table_from_pages(sgt, shmem->pages, shmem->base.size >> PAGE_SHIFT,
					0, shmem->base.size, GFP_KERNEL);
	if (ret)
		goto err_free_sgt;
	ret = dma_map_sgtable(attach->dev, sgt, dir, 0);
	if (ret)
		goto err_free_table;
	return sgt;

err_free_table:
	sg_free_table(sgt);
err_free_sgt:
	kfree(sgt);
	return ERR_PTR(ret);
}

static void kmscap_export_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
				enum dma_data_direction dir)
{
	if (attach->priv) {
		kmscap_dma_buf_unmap(attach->priv, sgt, dir);
		return;
	}
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

static void kmscap_export_release(struct dma_buf *dmabuf)
{
	struct kmscap_bo *bo = dmabuf->priv;
	struct drm_device *drm = bo->shmem.base.dev;

	if (!kmscap_export_origin(bo))
		drm_gem_shmem_unpin(&bo->shmem);
	drm_gem_object_put(&bo->shmem.base);
	drm_dev_put(drm);
}

static int kmscap_export_begin_cpu(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	struct dma_buf *origin = kmscap_export_origin(dmabuf->priv);

	/* shmem pages are cacheable and coherent with the CPU. */
	return origin ? dma_buf_begin_cpu_access(origin, dir) : 0;
}

static int kmscap_export_end_cpu(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	struct dma_buf *origin = kmscap_export_origin(dmabuf->priv);

	return origin ? dma_buf_end_cpu_access(origin, dir) : 0;
}

static int kmscap_export_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct kmscap_bo *bo = dmabuf->priv;
	struct dma_buf *origin = kmscap_export_origin(bo);

	/* The file is read-only: the VFS has already refused shared writes. */
	if (origin)
		return dma_buf_mmap(origin, vma, vma->vm_pgoff);
	return vm_map_pages(vma, bo->shmem.pages, bo->shmem.base.size >> PAGE_SHIFT);
}

/*
 * The pages of @bo (kmscap_export_maps_pages() said it has them): a dumb
 * buffer's pinned shmem pages, or those of the scatterlist its import
 * mapped.  Free with kvfree().
 */
static struct page **kmscap_export_pages(struct kmscap_bo *bo, unsigned int *npages)
{
	unsigned int n = bo->shmem.base.size >> PAGE_SHIFT, i = 0;
	struct sg_page_iter it;
	struct page **pages;

	*npages = n;
	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return NULL;
	if (!kmscap_export_origin(bo)) {
		memcpy(pages, bo->shmem.pages, n * sizeof(*pages));
		return pages;
	}
	for_each_sgtable_page(bo->shmem.sgt, &it, 0)
		if (i < n)
			pages[i++] = sg_page_iter_page(&it);
	return pages;
}

/*
 * vmap maps the buffer's own pages itself: the GEM object's vmap (or the
 * origin's) would take a shmem vmap_lock, of the lock class an importer
 * that is itself a shmem driver (vkms) already holds around this call.
 * Only an import whose memory has no struct pages (device memory) is
 * forwarded.  Every page is a struct page, or not: the same answer for
 * vmap and vunmap.
 */
static bool kmscap_export_maps_pages(struct kmscap_bo *bo)
{
	struct sg_table *sgt = bo->shmem.sgt;
	unsigned int n = 0;
	struct sg_page_iter it;

	if (!kmscap_export_origin(bo))
		return true;
	if (!sgt)
		return false;
	for_each_sgtable_page(sgt, &it, 0) {
		struct page *page = sg_page_iter_page(&it);

		if (!page || !pfn_valid(page_to_pfn(page)))
			return false;
		n++;
	}
	return n == bo->shmem.base.size >> PAGE_SHIFT;
}

static int kmscap_export_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct kmscap_bo *bo = dmabuf->priv;
	struct dma_buf *origin = kmscap_export_origin(bo);
	unsigned int npages;
	struct page **pages;
	void *vaddr;

	if (!kmscap_export_maps_pages(bo))
		return kmscap_dma_buf_vmap_inner(origin, map);
	pages = kmscap_export_pages(bo, &npages);
	if (!pages)
		return -ENOMEM;
	vaddr = vmap(pages, npages, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!vaddr)
		return -ENOMEM;
	iosys_map_set_vaddr(map, vaddr);
	return 0;
}

static void kmscap_export_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct kmscap_bo *bo = dmabuf->priv;

	if (kmscap_export_maps_pages(bo))
		vunmap(map->vaddr);
	else
		kmscap_dma_buf_vunmap_inner(kmscap_export_origin(bo), map);
}

/* Only the exports of dynamic origins have these (their reservation held). */
static int kmscap_export_pin(struct dma_buf_attachment *attach)
{
	return dma_buf_pin(attach->priv);
}

static void kmscap_export_unpin(struct dma_buf_attachment *attach)
{
	dma_buf_unpin(attach->priv);
}

#define KMSCAP_EXPORT_OPS					\
	.attach = kmscap_export_attach,				\
	.detach = kmscap_export_detach,				\
	.map_dma_buf = kmscap_export_map,			\
	.unmap_dma_buf = kmscap_export_unmap,			\
	.release = kmscap_export_release,			\
	.begin_cpu_access = kmscap_export_begin_cpu,		\
	.end_cpu_access = kmscap_export_end_cpu,		\
	.mmap = kmscap_export_mmap,				\
	.vmap = kmscap_export_vmap,				\
	.vunmap = kmscap_export_vunmap

static const struct dma_buf_ops kmscap_export_ops = {
	KMSCAP_EXPORT_OPS,
};

static const struct dma_buf_ops kmscap_export_dynamic_ops = {
	KMSCAP_EXPORT_OPS,
	.pin = kmscap_export_pin,
	.unpin = kmscap_export_unpin,
};

/**
 * kmscap_export_bo - export a display buffer as a new read-only DMA-BUF
 * @bo: the buffer (the caller keeps its own reference)
 * @size: out: the DMA-BUF's size
 *
 * The caller installs its file in an fd (once it can tell the fd to its
 * caller) or puts it.
 *
 * Return: the DMA-BUF, or an ERR_PTR.
 */
struct dma_buf *kmscap_export_bo(struct kmscap_bo *bo, u64 *size)
{
	struct drm_gem_object *obj = &bo->shmem.base;
	struct dma_buf *origin = kmscap_export_origin(bo);
	DEFINE_DMA_BUF_EXPORT_INFO(exp);
	struct dma_buf *dmabuf;
	int ret;

	if (!origin) {
		ret = drm_gem_shmem_pin(&bo->shmem);
		if (ret)
			return ERR_PTR(ret);
	}
	drm_gem_object_get(obj);
	drm_dev_get(obj->dev);

	exp.ops = origin && dma_buf_is_dynamic(origin) ? &kmscap_export_dynamic_ops :
							  &kmscap_export_ops;
	exp.size = obj->size;
	exp.flags = O_RDONLY;
	exp.priv = bo;
	/* A forwarding export must share the origin's reservation (compat.h). */
	exp.resv = obj->resv;
	if (WARN_ON(origin && obj->resv != origin->resv)) {
		ret = -EINVAL;
		goto err_put;
	}
	dmabuf = dma_buf_export(&exp);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_put;
	}
	/* From here release() drops what was taken above. */
	*size = obj->size;
	return dmabuf;

err_put:
	drm_dev_put(obj->dev);
	drm_gem_object_put(obj);
	if (!origin)
		drm_gem_shmem_unpin(&bo->shmem);
	return ERR_PTR(ret);
}
