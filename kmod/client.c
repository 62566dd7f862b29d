// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/kmscap: the control and capture character device.
 *
 * Every ioctl argument is copied in whole, checked field by field (flags,
 * pads, ranges, ids) before anything happens, and copied out only on
 * success.  A call that makes something (a display, an fd) commits it
 * only once its result is written back: a display is destroyed again, an
 * fd is installed only then, so that an EFAULT leaves nothing behind.
 * Structures may grow: a caller's larger structure is accepted when its
 * unknown tail is zero, an older, smaller revision (down to the 1.0 size)
 * is zero-extended on the way in and cut on the way out.
 */

#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/nospec.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_fourcc.h>

#include "kmscap_drv.h"
#include "edid.h"
#include "trace.h"

static struct kmscap_display *kmscap_client_display(struct kmscap_client *client)
{
	return READ_ONCE(client->disp);
}

union kmscap_ioctl_arg {
	struct kmscap_version version;
	struct kmscap_display_create create;
	struct kmscap_display_info info;
	struct kmscap_display_list list;
	struct kmscap_display_config config;
	struct kmscap_display_destroy destroy;
	struct kmscap_attach attach;
	struct kmscap_export export;
	struct kmscap_release release;
	struct kmscap_client_stats stats;
	struct kmscap_display_gamma gamma;
};

/**
 * struct kmscap_ioctl_call - one call, from copy-in to copy-out
 * @arg: the argument (handlers get a pointer to it)
 * @dmabuf: EXPORT: the DMA-BUF whose fd is installed at the end
 */
struct kmscap_ioctl_call {
	union kmscap_ioctl_arg arg;
	struct dma_buf *dmabuf;
};

static int kmscap_check_mode(u32 width, u32 height, u32 refresh_mhz)
{
	struct kmscap_timing t;

	if (width < KMSCAP_MIN_SIZE || width > KMSCAP_MAX_SIZE ||
	    height < KMSCAP_MIN_SIZE || height > KMSCAP_MAX_SIZE ||
	    refresh_mhz < KMSCAP_MIN_REFRESH_MHZ || refresh_mhz > KMSCAP_MAX_REFRESH_MHZ)
		return -EINVAL;
	return kmscap_timing_compute(width, height, refresh_mhz, &t) ? -EINVAL : 0;
}

static int kmscap_ioctl_version(struct kmscap_client *client, void *data)
{
	struct kmscap_version *v = data;

	v->major = KMSCAP_ABI_MAJOR;
	v->minor = KMSCAP_ABI_MINOR;
	v->caps = KMSCAP_CAP_DAMAGE | KMSCAP_CAP_CURSOR | KMSCAP_CAP_PRIME_IMPORT |
		  KMSCAP_CAP_HOLD | KMSCAP_CAP_HOTPLUG | KMSCAP_CAP_FLIP_DONE |
		  KMSCAP_CAP_GAMMA | KMSCAP_CAP_AUTO_RELEASE | KMSCAP_CAP_REPLUG |
		  KMSCAP_CAP_MODIFIERS | KMSCAP_CAP_URING_RELEASE |
		  KMSCAP_CAP_STATUS_PAGE | KMSCAP_CAP_FLIP_DONE_DEFER | KMSCAP_CAP_FRAME_RING;
	v->max_displays = kmscap_max_displays;
	v->event_size = sizeof(struct kmscap_event);
	v->max_event_size = KMSCAP_EVENT_FRAMED_MAX;
	return 0;
}

/*
 * The primary plane's modifiers: LINEAR first, always, then those of the
 * caller's list that are not LINEAR, then the DRM_FORMAT_MOD_INVALID end.
 * Return: the number before the end, or a negative errno.
 */
static int kmscap_create_modifiers(const struct kmscap_display_create *req, u64 *mods)
{
	u64 list[KMSCAP_MAX_MODIFIERS];
	unsigned int i, j, n = 0;

	if (req->pad || req->num_modifiers > KMSCAP_MAX_MODIFIERS ||
	    (!req->num_modifiers && req->modifiers_ptr))
		return -EINVAL;
	if (req->num_modifiers &&
	    copy_from_user(list, u64_to_user_ptr(req->modifiers_ptr),
			   req->num_modifiers * sizeof(list[0])))
		return -EFAULT;

	mods[n++] = DRM_FORMAT_MOD_LINEAR;
	for (i = 0; i < req->num_modifiers; i++) {
		if (list[i] == DRM_FORMAT_MOD_INVALID)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (list[j] == list[i])
				return -EINVAL;
		if (list[i] != DRM_FORMAT_MOD_LINEAR)
			mods[n++] = list[i];
	}
	mods[n] = DRM_FORMAT_MOD_INVALID;
	return n;
}

static int kmscap_ioctl_create(struct kmscap_client *client, void *data)
{
	struct kmscap_display_create *req = data;
	u64 mods[KMSCAP_MAX_MODIFIERS + 2];
	int ret;

	if (req->flags & ~KMSCAP_CREATE_FLAGS)
		return -EINVAL;
	if (kmscap_check_mode(req->width, req->height, req->refresh_mhz))
		return -EINVAL;
	ret = kmscap_create_modifiers(req, mods);
	if (ret < 0)
		return ret;
	return kmscap_registry_create(req, mods, req, client->file);
}

static int kmscap_ioctl_info(struct kmscap_client *client, void *data)
{
	struct kmscap_display_info *info = data;
	struct kmscap_display *disp;

	disp = kmscap_display_get(info->id);
	if (!disp)
		return -ENOENT;
	kmscap_display_info(disp, info, client->file);
	kmscap_display_put(disp);
	return 0;
}

static int kmscap_ioctl_list(struct kmscap_client *client, void *data)
{
	struct kmscap_display_list *req = data;
	u32 capacity, count, *ids;
	int ret;

	if (req->pad)
		return -EINVAL;
	/* No array: only count. */
	capacity = req->ids_ptr ? min(req->count, kmscap_max_displays) : 0;
	ids = kcalloc(max(capacity, 1U), sizeof(*ids), GFP_KERNEL);
	if (!ids)
		return -ENOMEM;
	ret = kmscap_registry_list(ids, capacity, &count);
	if (!ret && capacity &&
	    copy_to_user(u64_to_user_ptr(req->ids_ptr), ids,
			 min(capacity, count) * sizeof(*ids)))
		ret = -EFAULT;
	kfree(ids);
	req->count = count;
	return ret;
}

static int kmscap_ioctl_config(struct kmscap_client *client, void *data)
{
	struct kmscap_display_config *cfg = data;
	struct kmscap_display *disp;
	int ret;

	if (!cfg->flags || (cfg->flags & ~KMSCAP_CONFIG_FLAGS) || cfg->pad)
		return -EINVAL;
	if ((cfg->flags & KMSCAP_CONFIG_CONNECT) && (cfg->flags & KMSCAP_CONFIG_DISCONNECT))
		return -EINVAL;
	if ((cfg->flags & KMSCAP_CONFIG_REPLUG) &&
	    (cfg->flags & (KMSCAP_CONFIG_CONNECT | KMSCAP_CONFIG_DISCONNECT)))
		return -EINVAL;
	if (cfg->flags & KMSCAP_CONFIG_MODE) {
		if (kmscap_check_mode(cfg->width, cfg->height, cfg->refresh_mhz))
			return -EINVAL;
	} else if (cfg->width || cfg->height || cfg->refresh_mhz) {
		return -EINVAL;
	}

	disp = kmscap_display_get(cfg->id);
	if (!disp)
		return -ENOENT;
	if (!kmscap_display_permitted(disp, client->file))
		ret = -EPERM;
	else if (cfg->flags & KMSCAP_CONFIG_REPLUG)
		ret = kmscap_display_replug(disp, cfg);
	else
		ret = kmscap_display_configure(disp, cfg);
	kmscap_display_put(disp);
	return ret;
}

static int kmscap_ioctl_destroy(struct kmscap_client *client, void *data)
{
	struct kmscap_display_destroy *req = data;

	if (req->pad)
		return -EINVAL;
	return kmscap_registry_destroy(req->id, client->file);
}

static int kmscap_ioctl_attach(struct kmscap_client *client, void *data)
{
	struct kmscap_attach *req = data;
	struct kmscap_display *disp;
	int ret;

	if ((req->flags & ~KMSCAP_ATTACH_FLAGS) || req->pad || req->queue_depth > KMSCAP_MAX_QUEUE ||
	    req->hold_timeout_ns > KMSCAP_MAX_HOLD_NS)
		return -EINVAL;
	/* Flip-done events are framed: a 1.0 reader could not skip them. */
	if ((req->flags & KMSCAP_ATTACH_FLIP_DONE) && !(req->flags & KMSCAP_ATTACH_FRAMED))
		return -EINVAL;
	/* Deferring flip-done events needs some. */
	if ((req->flags & KMSCAP_ATTACH_FLIP_DONE_DEFER) && !(req->flags & KMSCAP_ATTACH_FLIP_DONE))
		return -EINVAL;
	/* A ring client's frames are never read(): nothing to release at one. */
	if ((req->flags & KMSCAP_ATTACH_FRAME_RING) && (req->flags & KMSCAP_ATTACH_AUTO_RELEASE))
		return -EINVAL;

	mutex_lock(&client->read_lock);
	if (kmscap_client_display(client)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	disp = kmscap_display_get(req->display_id);
	if (!disp) {
		ret = -ENOENT;
		goto out_unlock;
	}
	if (!kmscap_display_permitted(disp, client->file)) {
		ret = -EPERM;
		goto err_put_display;
	}
	ret = kmscap_capture_attach(client, disp, req);
	if (ret)
		goto err_put_display;
	mutex_unlock(&client->read_lock);
	return 0;

err_put_display:
	kmscap_display_put(disp);
out_unlock:
	mutex_unlock(&client->read_lock);
	return ret;
}

static int kmscap_ioctl_export(struct kmscap_client *client, void *data)
{
	struct kmscap_ioctl_call *call = container_of(data, struct kmscap_ioctl_call, arg);
	struct kmscap_display *disp = kmscap_client_display(client);
	struct kmscap_export *req = data;
	struct dma_buf *dmabuf;
	struct kmscap_bo *bo;
	int fd;

	if (!disp || (req->flags & ~KMSCAP_EXPORT_FLAGS) || req->pad)
		return -EINVAL;
	bo = req->buffer_id ? kmscap_bo_lookup(disp, req->buffer_id) : NULL;
	if (!bo)
		return -ENOENT;
	fd = get_unused_fd_flags((req->flags & KMSCAP_EXPORT_CLOEXEC) ? O_CLOEXEC : 0);
	if (fd < 0) {
		drm_gem_object_put(&bo->shmem.base);
		return fd;
	}
	dmabuf = kmscap_export_bo(bo, &req->size);
	drm_gem_object_put(&bo->shmem.base);
	if (IS_ERR(dmabuf)) {
		put_unused_fd(fd);
		return PTR_ERR(dmabuf);
	}
	/* Installed by kmscap_ioctl_export_finish() once the caller can learn it. */
	call->dmabuf = dmabuf;
	req->fd = fd;
	return 0;
}

static int kmscap_ioctl_release(struct kmscap_client *client, void *data)
{
	struct kmscap_release *req = data;

	if (!kmscap_client_display(client))
		return -EINVAL;
	return kmscap_capture_release(client, req->seq, false);
}

static int kmscap_ioctl_stats(struct kmscap_client *client, void *data)
{
	if (!kmscap_client_display(client))
		return -EINVAL;
	kmscap_capture_stats(client, data);
	return 0;
}

static int kmscap_ioctl_gamma(struct kmscap_client *client, void *data)
{
	struct kmscap_display_gamma *req = data;
	struct kmscap_display *disp;
	int ret;

	if (req->flags)
		return -EINVAL;
	disp = kmscap_display_get(req->id);
	if (!disp)
		return -ENOENT;
	ret = kmscap_gamma_get(disp, req, client->file);
	kmscap_display_put(disp);
	return ret;
}

/* CREATE's result could not be written back: no display. */
static void kmscap_ioctl_create_finish(struct kmscap_client *client,
				       struct kmscap_ioctl_call *call, bool written)
{
	if (!written)
		kmscap_registry_destroy(call->arg.create.id, client->file);
}

/* EXPORT's fd goes into the caller's table only once it knows the number. */
static void kmscap_ioctl_export_finish(struct kmscap_client *client,
				       struct kmscap_ioctl_call *call, bool written)
{
	if (written) {
		trace_kmscap_buffer_export(client->disp->id, client->id,
					   call->arg.export.buffer_id, call->arg.export.size);
		fd_install(call->arg.export.fd, call->dmabuf->file);
		return;
	}
	put_unused_fd(call->arg.export.fd);
	dma_buf_put(call->dmabuf);
}

/**
 * struct kmscap_ioctl_desc - one ioctl
 * @cmd: its command number
 * @min_size: the size of the structure's 1.0 revision, the smallest taken
 * @fn: the handler, with the argument copied in and checked for size
 * @finish: for a call that makes something the caller learns of only from
 *	the result (a display, an fd): run after the handler succeeded, with
 *	whether the result could be written back, to commit or undo it
 */
struct kmscap_ioctl_desc {
	unsigned int cmd;
	unsigned int min_size;
	int (*fn)(struct kmscap_client *client, void *data);
	void (*finish)(struct kmscap_client *client, struct kmscap_ioctl_call *call,
		       bool written);
};

/* A structure unchanged since 1.0; a grown one names its 1.0 end. */
#define KMSCAP_IOCTL(c, f) [_IOC_NR(c)] = { .cmd = c, .min_size = _IOC_SIZE(c), .fn = f }
#define KMSCAP_IOCTL_GROWN(c, f, min) [_IOC_NR(c)] = { .cmd = c, .min_size = min, .fn = f }
#define KMSCAP_IOCTL_MAKES(c, f, d) \
	[_IOC_NR(c)] = { .cmd = c, .min_size = _IOC_SIZE(c), .fn = f, .finish = d }
#define KMSCAP_IOCTL_MAKES_GROWN(c, f, d, min) \
	[_IOC_NR(c)] = { .cmd = c, .min_size = min, .fn = f, .finish = d }

static const struct kmscap_ioctl_desc kmscap_ioctls[] = {
	KMSCAP_IOCTL_GROWN(KMSCAP_IOC_VERSION, kmscap_ioctl_version,
			   offsetofend(struct kmscap_version, event_size)),
	KMSCAP_IOCTL_MAKES_GROWN(KMSCAP_IOC_DISPLAY_CREATE, kmscap_ioctl_create,
				 kmscap_ioctl_create_finish,
				 offsetofend(struct kmscap_display_create, card_minor)),
	KMSCAP_IOCTL(KMSCAP_IOC_DISPLAY_INFO, kmscap_ioctl_info),
	KMSCAP_IOCTL(KMSCAP_IOC_DISPLAY_LIST, kmscap_ioctl_list),
	KMSCAP_IOCTL(KMSCAP_IOC_DISPLAY_CONFIG, kmscap_ioctl_config),
	KMSCAP_IOCTL(KMSCAP_IOC_DISPLAY_DESTROY, kmscap_ioctl_destroy),
	KMSCAP_IOCTL(KMSCAP_IOC_ATTACH, kmscap_ioctl_attach),
	KMSCAP_IOCTL_MAKES(KMSCAP_IOC_EXPORT, kmscap_ioctl_export, kmscap_ioctl_export_finish),
	KMSCAP_IOCTL(KMSCAP_IOC_RELEASE, kmscap_ioctl_release),
	KMSCAP_IOCTL(KMSCAP_IOC_STATS, kmscap_ioctl_stats),
	KMSCAP_IOCTL(KMSCAP_IOC_DISPLAY_GAMMA, kmscap_ioctl_gamma),
};

static long kmscap_client_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct kmscap_client *client = file->private_data;
	void __user *uarg = (void __user *)arg;
	const struct kmscap_ioctl_desc *desc;
	struct kmscap_ioctl_call call;
	unsigned int nr = _IOC_NR(cmd);
	size_t usize, ksize, csize;
	bool written;
	int ret;

	if (_IOC_TYPE(cmd) != KMSCAP_IOC_MAGIC || nr >= ARRAY_SIZE(kmscap_ioctls))
		return -ENOTTY;
	desc = &kmscap_ioctls[array_index_nospec(nr, ARRAY_SIZE(kmscap_ioctls))];
	if (!desc->fn || _IOC_DIR(cmd) != _IOC_DIR(desc->cmd))
		return -ENOTTY;

	usize = _IOC_SIZE(cmd);
	ksize = _IOC_SIZE(desc->cmd);
	BUILD_BUG_ON(sizeof(call.arg) > 64);
	if (usize < desc->min_size)
		return -EINVAL;
	/* An older revision: the fields it lacks read as zero, and go nowhere. */
	csize = min(usize, ksize);

	memset(&call, 0, sizeof(call));
	if (_IOC_DIR(cmd) & _IOC_WRITE) {
		if (copy_from_user(&call.arg, uarg, csize))
			return -EFAULT;
		if (usize > ksize) {
			ret = check_zeroed_user(uarg + ksize, usize - ksize);
			if (ret <= 0)
				return ret ? ret : -E2BIG;
		}
	}

	ret = desc->fn(client, &call.arg);
	if (ret < 0)
		return ret;

	written = true;
	if (_IOC_DIR(cmd) & _IOC_READ) {
		written = !copy_to_user(uarg, &call.arg, csize) &&
			  (usize <= ksize || (_IOC_DIR(cmd) & _IOC_WRITE) ||
			   !clear_user(uarg + ksize, usize - ksize));
	}
	if (desc->finish)
		desc->finish(client, &call, written);
	return written ? ret : -EFAULT;
}

static int kmscap_client_open(struct inode *inode, struct file *file)
{
	struct kmscap_client *client;

	client = kzalloc(sizeof(*client), GFP_KERNEL);
	if (!client)
		return -ENOMEM;
	if (kmscap_status_init(client)) {
		kfree(client);
		return -ENOMEM;
	}
	mutex_init(&client->read_lock);
	init_waitqueue_head(&client->wq);
	client->file = file;
	INIT_LIST_HEAD(&client->link);
	INIT_LIST_HEAD(&client->queue);
	INIT_LIST_HEAD(&client->held);
	file->private_data = client;
	/*
	 * A read can be asked not to block (IOCB_NOWAIT): io_uring then
	 * tries it at once and waits by polling, instead of handing it to a
	 * worker thread that would block in it.
	 */
	file->f_mode |= FMODE_NOWAIT;
	return nonseekable_open(inode, file);
}

static int kmscap_client_release(struct inode *inode, struct file *file)
{
	struct kmscap_client *client = file->private_data;

	kmscap_capture_detach(client);
	mutex_destroy(&client->read_lock);
	kfree(client->done_ring);
	kmscap_ring_free(client);
	kmscap_status_fini(client);
	kfree(client);
	return 0;
}

static ssize_t kmscap_client_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct kmscap_client *client = iocb->ki_filp->private_data;

	if (!kmscap_client_display(client))
		return -EINVAL;
	return kmscap_capture_read(client, to, (iocb->ki_filp->f_flags & O_NONBLOCK) ||
				   (iocb->ki_flags & IOCB_NOWAIT));
}

static __poll_t kmscap_client_poll(struct file *file, poll_table *wait)
{
	struct kmscap_client *client = file->private_data;

	/*
	 * Registered before the attach too: an epoll set that watches the
	 * file from before ATTACH is woken by the frames that follow it.
	 */
	poll_wait(file, &client->wq, wait);
	if (!kmscap_client_display(client))
		return EPOLLERR;
	return kmscap_capture_poll(client);
}

/* Offset 0: the status page; %KMSCAP_RING_OFFSET: the frame ring. */
static int kmscap_client_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff == KMSCAP_RING_OFFSET >> PAGE_SHIFT)
		return kmscap_ring_mmap(file->private_data, vma);
	return kmscap_status_mmap(file->private_data, vma);
}

static const struct file_operations kmscap_client_fops = {
	.owner = THIS_MODULE,
	.open = kmscap_client_open,
	.release = kmscap_client_release,
	.read_iter = kmscap_client_read_iter,
	.poll = kmscap_client_poll,
	.unlocked_ioctl = kmscap_client_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.uring_cmd = kmscap_client_uring_cmd,
	.mmap = kmscap_client_mmap,
	.llseek = no_llseek,
};

static struct miscdevice kmscap_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KMSCAP_NAME,
	.fops = &kmscap_client_fops,
	.mode = 0660,
};

int kmscap_client_register(void)
{
	return misc_register(&kmscap_miscdev);
}

void kmscap_client_unregister(void)
{
	misc_deregister(&kmscap_miscdev);
}
