// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmscap_peer: a test-only dma-buf peer for the VM selftests.
 *
 * A kernel without a GPU has no driver that plays two roles a kmscap
 * export meets on a real host, so this module plays them:
 *  - a dynamic exporter (its dma_buf_ops have pin and unpin: its buffers
 *    may move unless pinned), whose buffers a compositor imports into a
 *    kmscap display;
 *  - a dynamic importer (dma_buf_dynamic_attach, dma_buf_pin), as a GPU
 *    or RDMA driver imports a capture client's export.
 * Its exporter counts the pins and mappings it holds, so that a test sees
 * whether kmscap's forwarding export passes them on to the origin.  It
 * asserts the reservation locking that dynamic exporters rely on, so the
 * debug kernel's lockdep checks the callers.  Load it in a test VM only.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fcntl.h>
#include <linux/highmem.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "kmscap_peer.h"

#define KMSCAP_PEER_MAX_SIZE (64ull << 20)

/* A device that can DMA, for the mappings of either role. */
static struct platform_device *kmscap_peer_pdev;

/* One exported buffer.  pins and maps change under its reservation lock. */
struct kmscap_peer_buf {
	struct page **pages;
	unsigned int npages;
	atomic_t pins;
	atomic_t maps;
};

static void kmscap_peer_buf_free(struct kmscap_peer_buf *buf)
{
	unsigned int i;

	for (i = 0; i < buf->npages; i++)
		if (buf->pages[i])
			__free_page(buf->pages[i]);
	kvfree(buf->pages);
	kfree(buf);
}

static int kmscap_peer_pin(struct dma_buf_attachment *attach)
{
	struct kmscap_peer_buf *buf = attach->dmabuf->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	atomic_inc(&buf->pins);
	return 0;
}

static void kmscap_peer_unpin(struct dma_buf_attachment *attach)
{
	struct kmscap_peer_buf *buf = attach->dmabuf->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	WARN_ON(atomic_dec_return(&buf->pins) < 0);
}

static struct sg_table *kmscap_peer_map(struct dma_buf_attachment *attach,
					enum dma_data_direction dir)
{
	struct kmscap_peer_buf *buf = attach->dmabuf->priv;
	struct sg_table *sgt;
	int ret;

	/* A dynamic exporter is mapped with its reservation held. */
	dma_resv_assert_held(attach->dmabuf->resv);
	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table_from_pages(sgt, buf->pages, buf->npages, 0,
					(size_t)buf->npages << PAGE_SHIFT, GFP_KERNEL);
	if (ret)
		goto err_free;
	ret = dma_map_sgtable(attach->dev, sgt, dir, 0);
	if (ret)
		goto err_table;
	atomic_inc(&buf->maps);
	return sgt;

err_table:
	sg_free_table(sgt);
err_free:
	kfree(sgt);
	return ERR_PTR(ret);
}

static void kmscap_peer_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
			      enum dma_data_direction dir)
{
	struct kmscap_peer_buf *buf = attach->dmabuf->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
	atomic_dec(&buf->maps);
}

static void kmscap_peer_release(struct dma_buf *dmabuf)
{
	struct kmscap_peer_buf *buf = dmabuf->priv;

	WARN_ON(atomic_read(&buf->pins) || atomic_read(&buf->maps));
	kmscap_peer_buf_free(buf);
}

static int kmscap_peer_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct kmscap_peer_buf *buf = dmabuf->priv;

	return vm_map_pages(vma, buf->pages, buf->npages);
}

static int kmscap_peer_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct kmscap_peer_buf *buf = dmabuf->priv;
	void *vaddr = vmap(buf->pages, buf->npages, VM_MAP, PAGE_KERNEL);

	if (!vaddr)
		return -ENOMEM;
	iosys_map_set_vaddr(map, vaddr);
	return 0;
}

static void kmscap_peer_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	vunmap(map->vaddr);
}

static const struct dma_buf_ops kmscap_peer_ops = {
	.pin = kmscap_peer_pin,
	.unpin = kmscap_peer_unpin,
	.map_dma_buf = kmscap_peer_map,
	.unmap_dma_buf = kmscap_peer_unmap,
	.release = kmscap_peer_release,
	.mmap = kmscap_peer_mmap,
	.vmap = kmscap_peer_vmap,
	.vunmap = kmscap_peer_vunmap,
};

static int kmscap_peer_export(struct kmscap_peer_export __user *uarg)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp);
	struct kmscap_peer_export arg;
	struct kmscap_peer_buf *buf;
	struct dma_buf *dmabuf;
	unsigned int i;
	int fd, ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad || !arg.size || arg.size > KMSCAP_PEER_MAX_SIZE ||
	    !PAGE_ALIGNED(arg.size))
		return -EINVAL;
	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	buf->npages = arg.size >> PAGE_SHIFT;
	buf->pages = kvcalloc(buf->npages, sizeof(*buf->pages), GFP_KERNEL);
	if (!buf->pages) {
		ret = -ENOMEM;
		goto err_buf;
	}
	for (i = 0; i < buf->npages; i++) {
		buf->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!buf->pages[i]) {
			ret = -ENOMEM;
			goto err_buf;
		}
	}
	exp.ops = &kmscap_peer_ops;
	exp.size = arg.size;
	exp.flags = O_RDWR;
	exp.priv = buf;
	dmabuf = dma_buf_export(&exp);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_buf;
	}
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	arg.fd = fd;
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		put_unused_fd(fd);
		dma_buf_put(dmabuf);
		return -EFAULT;
	}
	fd_install(fd, dmabuf->file);
	return 0;

err_buf:
	kmscap_peer_buf_free(buf);
	return ret;
}

/* A dma-buf of this module's, by fd; put it with dma_buf_put(). */
static struct dma_buf *kmscap_peer_get(int fd)
{
	struct dma_buf *dmabuf = dma_buf_get(fd);

	if (IS_ERR(dmabuf))
		return dmabuf;
	if (dmabuf->ops != &kmscap_peer_ops) {
		dma_buf_put(dmabuf);
		return ERR_PTR(-EINVAL);
	}
	return dmabuf;
}

static int kmscap_peer_count(struct kmscap_peer_count __user *uarg)
{
	struct kmscap_peer_count arg;
	struct kmscap_peer_buf *buf;
	struct dma_buf *dmabuf;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.pad)
		return -EINVAL;
	dmabuf = kmscap_peer_get(arg.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	buf = dmabuf->priv;
	arg.pins = atomic_read(&buf->pins);
	arg.maps = atomic_read(&buf->maps);
	dma_buf_put(dmabuf);
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

/* The import's move notifications, counted in its importer_priv. */
static void kmscap_peer_move_notify(struct dma_buf_attachment *attach)
{
	u32 *moves = attach->importer_priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	(*moves)++;
}

static const struct dma_buf_attach_ops kmscap_peer_importer_ops = {
	.allow_peer2peer = false,
	.move_notify = kmscap_peer_move_notify,
};

static u64 kmscap_peer_hash_sgt(struct sg_table *sgt, size_t size)
{
	u64 h = KMSCAP_PEER_HASH_INIT;
	struct sg_page_iter it;
	size_t done = 0;

	for_each_sgtable_page(sgt, &it, 0) {
		void *p;

		if (done >= size)
			break;
		p = kmap_local_page(sg_page_iter_page(&it));
		h = kmscap_peer_hash(h, p, PAGE_SIZE / 4);
		kunmap_local(p);
		done += PAGE_SIZE;
	}
	return h;
}

static int kmscap_peer_vmap_hash(struct dma_buf *dmabuf, u64 *hash)
{
	struct iosys_map map;
	int ret;

	ret = dma_buf_vmap(dmabuf, &map);
	if (ret)
		return ret;
	if (map.is_iomem)
		ret = -EOPNOTSUPP;
	else
		*hash = kmscap_peer_hash(KMSCAP_PEER_HASH_INIT, map.vaddr, dmabuf->size / 4);
	dma_buf_vunmap(dmabuf, &map);
	return ret;
}

/* The steps of KMSCAP_PEER_IOC_IMPORT on @dmabuf, with @origin's pins read at each. */
static int kmscap_peer_import_steps(struct dma_buf *dmabuf, struct dma_buf *origin,
				    struct kmscap_peer_import *arg)
{
	struct kmscap_peer_buf *obuf = origin->priv;
	bool dynamic = arg->flags & KMSCAP_PEER_IMPORT_DYNAMIC;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	int ret = 0;

	arg->pins[KMSCAP_PEER_BEFORE] = atomic_read(&obuf->pins);
	attach = dma_buf_dynamic_attach(dmabuf, &kmscap_peer_pdev->dev,
					dynamic ? &kmscap_peer_importer_ops : NULL, &arg->moves);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	arg->pins[KMSCAP_PEER_ATTACHED] = atomic_read(&obuf->pins);
	/* The origin's exporter may move it now: the import must hear of it. */
	dma_resv_lock(origin->resv, NULL);
	dma_buf_move_notify(origin);
	dma_resv_unlock(origin->resv);

	dma_resv_lock(dmabuf->resv, NULL);
	if (dynamic) {
		ret = dma_buf_pin(attach);
		if (ret)
			goto out_unlock;
	}
	arg->pins[KMSCAP_PEER_PINNED] = atomic_read(&obuf->pins);
	sgt = dma_buf_map_attachment(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto out_unpin;
	}
	arg->pins[KMSCAP_PEER_MAPPED] = atomic_read(&obuf->pins);
	arg->map_hash = kmscap_peer_hash_sgt(sgt, dmabuf->size);
	dma_buf_unmap_attachment(attach, sgt, DMA_BIDIRECTIONAL);
out_unpin:
	if (dynamic)
		dma_buf_unpin(attach);
out_unlock:
	dma_resv_unlock(dmabuf->resv);
	arg->pins[KMSCAP_PEER_UNMAPPED] = atomic_read(&obuf->pins);
	dma_buf_detach(dmabuf, attach);
	arg->pins[KMSCAP_PEER_DETACHED] = atomic_read(&obuf->pins);
	return ret;
}

static int kmscap_peer_import(struct kmscap_peer_import __user *uarg)
{
	struct kmscap_peer_import arg;
	struct dma_buf *dmabuf, *origin;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags & ~KMSCAP_PEER_IMPORT_DYNAMIC)
		return -EINVAL;
	arg.moves = 0;
	dmabuf = dma_buf_get(arg.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	origin = kmscap_peer_get(arg.origin_fd);
	if (IS_ERR(origin)) {
		ret = PTR_ERR(origin);
		goto out_put;
	}
	ret = kmscap_peer_import_steps(dmabuf, origin, &arg);
	if (!ret)
		ret = kmscap_peer_vmap_hash(dmabuf, &arg.vmap_hash);
	if (!ret && copy_to_user(uarg, &arg, sizeof(arg)))
		ret = -EFAULT;
	dma_buf_put(origin);
out_put:
	dma_buf_put(dmabuf);
	return ret;
}

static long kmscap_peer_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KMSCAP_PEER_IOC_EXPORT:
		return kmscap_peer_export(uarg);
	case KMSCAP_PEER_IOC_COUNT:
		return kmscap_peer_count(uarg);
	case KMSCAP_PEER_IOC_IMPORT:
		return kmscap_peer_import(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations kmscap_peer_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = kmscap_peer_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice kmscap_peer_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kmscap_peer",
	.fops = &kmscap_peer_fops,
	.mode = 0600,
};

static int __init kmscap_peer_init(void)
{
	int ret;

	kmscap_peer_pdev = platform_device_register_simple("kmscap_peer", -1, NULL, 0);
	if (IS_ERR(kmscap_peer_pdev))
		return PTR_ERR(kmscap_peer_pdev);
	ret = dma_coerce_mask_and_coherent(&kmscap_peer_pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_pdev;
	ret = misc_register(&kmscap_peer_misc);
	if (ret)
		goto err_pdev;
	return 0;

err_pdev:
	platform_device_unregister(kmscap_peer_pdev);
	return ret;
}

static void __exit kmscap_peer_exit(void)
{
	misc_deregister(&kmscap_peer_misc);
	platform_device_unregister(kmscap_peer_pdev);
}

module_init(kmscap_peer_init);
module_exit(kmscap_peer_exit);
MODULE_DESCRIPTION("kmscap test-only dma-buf peer (dynamic exporter and importer)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
