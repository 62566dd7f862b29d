// SPDX-License-Identifier: MIT
/*
 * libkmscap: the /dev/kmscap handle, display management, attach,
 * release, statistics and exports.  Reading and decoding events is
 * read.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libkmscap.h"
#include "libkmscap_priv.h"

/* An ioctl, retried on EINTR: its result or -errno. */
int kmscap_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	return ret;
}

int kmscap_open(const char *path, struct kmscap_dev **out)
{
	struct kmscap_dev *dev;
	int ret;

	if (!out)
		return -EINVAL;
	if (!path)
		path = getenv(KMSCAP_DEVICE_ENV);
	if (!path || !*path)
		path = KMSCAP_DEFAULT_DEVICE;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->path = strdup(path);
	if (!dev->path) {
		free(dev);
		return -ENOMEM;
	}

	dev->fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (dev->fd < 0) {
		ret = -errno;
		goto err_free;
	}

	ret = kmscap_ioctl(dev->fd, KMSCAP_IOC_VERSION, &dev->version);
	if (ret < 0) {
		/* e.g. a regular file or another driver's node */
		if (ret == -EINVAL || ret == -ENOSYS)
			ret = -ENOTTY;
		goto err_close;
	}
	if (dev->version.major != KMSCAP_ABI_MAJOR) {
		ret = -EPROTO;
		goto err_close;
	}
	dev->event_size = dev->version.event_size ? dev->version.event_size :
						    sizeof(struct kmscap_event);
	if (dev->event_size < sizeof(struct kmscap_event) || dev->event_size > 65536) {
		ret = -EPROTO;
		goto err_close;
	}
	/* A 1.1 module clears the field it does not know: 1.0 events then. */
	dev->max_event_size = dev->version.max_event_size;
	if (dev->max_event_size && (dev->max_event_size < sizeof(struct kmscap_event_frame) ||
				    dev->max_event_size > 65536)) {
		ret = -EPROTO;
		goto err_close;
	}
	dev->rbuf = malloc(KMSCAP_READ_EVENTS * (dev->max_event_size > dev->event_size ?
						 dev->max_event_size : dev->event_size));
	if (!dev->rbuf) {
		ret = -ENOMEM;
		goto err_close;
	}

	*out = dev;
	return 0;

err_close:
	close(dev->fd);
err_free:
	free(dev->path);
	free(dev);
	return ret;
}

void kmscap_close(struct kmscap_dev *dev)
{
	if (!dev)
		return;
	kmscap_bufcache_free(dev->cache);
	kmscap_status_unmap(dev);
	kmscap_ring_unmap(dev);
	close(dev->fd);
	free(dev->done);
	free(dev->rbuf);
	free(dev->path);
	free(dev);
}

int kmscap_fd(const struct kmscap_dev *dev)
{
	return dev ? dev->fd : -EINVAL;
}

const char *kmscap_path(const struct kmscap_dev *dev)
{
	return dev ? dev->path : NULL;
}

int kmscap_get_version(const struct kmscap_dev *dev, struct kmscap_version *out)
{
	if (!dev || !out)
		return -EINVAL;
	/* The 1.0 structure: a caller built before 1.2 has no room for more. */
	memcpy(out, &dev->version, offsetof(struct kmscap_version, max_event_size));
	return 0;
}

int kmscap_display_create(struct kmscap_dev *dev, uint32_t width, uint32_t height,
			  uint32_t refresh_mhz, uint32_t flags, uint32_t *id, uint32_t *card_minor)
{
	return kmscap_display_create_modifiers(dev, width, height, refresh_mhz, flags, NULL, 0,
					       id, card_minor);
}

int kmscap_display_create_modifiers(struct kmscap_dev *dev, uint32_t width, uint32_t height,
				    uint32_t refresh_mhz, uint32_t flags,
				    const uint64_t *modifiers, uint32_t num_modifiers,
				    uint32_t *id, uint32_t *card_minor)
{
	struct kmscap_display_create c = {
		.width = width,
		.height = height,
		.refresh_mhz = refresh_mhz,
		.flags = flags,
		.modifiers_ptr = (uintptr_t)modifiers,
		.num_modifiers = num_modifiers,
	};
	int ret;

	if (!dev || (num_modifiers && !modifiers))
		return -EINVAL;
	/* An older module would say E2BIG of the list it does not know. */
	if (num_modifiers && !(dev->version.caps & KMSCAP_CAP_MODIFIERS))
		return -EOPNOTSUPP;
	ret = kmscap_ioctl(dev->fd, KMSCAP_IOC_DISPLAY_CREATE, &c);
	if (ret < 0)
		return ret;
	if (id)
		*id = c.id;
	if (card_minor)
		*card_minor = c.card_minor;
	return 0;
}

int kmscap_display_destroy(struct kmscap_dev *dev, uint32_t id)
{
	struct kmscap_display_destroy d = { .id = id };

	if (!dev)
		return -EINVAL;
	return kmscap_ioctl(dev->fd, KMSCAP_IOC_DISPLAY_DESTROY, &d);
}

int kmscap_display_config(struct kmscap_dev *dev, uint32_t id, uint32_t flags, uint32_t width,
			  uint32_t height, uint32_t refresh_mhz)
{
	struct kmscap_display_config c = {
		.id = id,
		.flags = flags,
		.width = width,
		.height = height,
		.refresh_mhz = refresh_mhz,
	};

	if (!dev)
		return -EINVAL;
	return kmscap_ioctl(dev->fd, KMSCAP_IOC_DISPLAY_CONFIG, &c);
}

int kmscap_display_set_mode(struct kmscap_dev *dev, uint32_t id, uint32_t width,
			    uint32_t height, uint32_t refresh_mhz)
{
	return kmscap_display_config(dev, id, KMSCAP_CONFIG_MODE, width, height, refresh_mhz);
}

int kmscap_display_connect(struct kmscap_dev *dev, uint32_t id)
{
	return kmscap_display_config(dev, id, KMSCAP_CONFIG_CONNECT, 0, 0, 0);
}

int kmscap_display_disconnect(struct kmscap_dev *dev, uint32_t id)
{
	return kmscap_display_config(dev, id, KMSCAP_CONFIG_DISCONNECT, 0, 0, 0);
}

int kmscap_display_info(struct kmscap_dev *dev, uint32_t id, struct kmscap_display_info *out)
{
	struct kmscap_display_info info = { .id = id };
	int ret;

	if (!dev || !out)
		return -EINVAL;
	ret = kmscap_ioctl(dev->fd, KMSCAP_IOC_DISPLAY_INFO, &info);
	if (ret < 0)
		return ret;
	*out = info;
	return 0;
}

int kmscap_display_list(struct kmscap_dev *dev, uint32_t **ids)
{
	struct kmscap_display_list l;
	uint32_t *buf = NULL, *nbuf;
	uint32_t cap = 0;
	int ret, tries;

	if (!dev || !ids)
		return -EINVAL;
	*ids = NULL;

	/* displays may be created between two calls: grow until it fits */
	for (tries = 0; tries < 64; tries++) {
		memset(&l, 0, sizeof(l));
		l.ids_ptr = (uintptr_t)buf;
		l.count = cap;
		ret = kmscap_ioctl(dev->fd, KMSCAP_IOC_DISPLAY_LIST, &l);
		if (ret < 0) {
			free(buf);
			return ret;
		}
		if (l.count <= cap) {
			if (l.count == 0) {
				free(buf);
				buf = NULL;
			}
			*ids = buf;
			return (int)l.count;
		}
		if (l.count > 1u << 20) {
			free(buf);
			return -EOVERFLOW;
		}
		cap = l.count + 4;
		nbuf = realloc(buf, cap * sizeof(*buf));
		if (!nbuf) {
			free(buf);
			return -ENOMEM;
		}
		buf = nbuf;
	}
	free(buf);
	return -EAGAIN;
}

int kmscap_display_gamma(struct kmscap_dev *dev, uint32_t id, struct kmscap_gamma_entry *entries,
			 uint32_t max, uint64_t *seq)
{
	struct kmscap_display_gamma g = { .id = id };
	int ret;

	if (!dev || (max && !entries))
		return -EINVAL;
	g.entries_ptr = (uintptr_t)entries;
	g.count = max;
	ret = kmscap_ioctl(dev->fd, KMSCAP_IOC_DISPLAY_GAMMA, &g);
	if (ret < 0)
		return ret;
	if (g.out_flags & KMSCAP_GAMMA_RESTRICTED)
		return -EPERM;
	if (g.count > INT32_MAX)
		return -EOVERFLOW;
	if (seq)
		*seq = g.seq;
	return (int)g.count;
}

int kmscap_gamma_identity(const struct kmscap_gamma_entry *entries, uint32_t n,
			  unsigned int bits)
{
	uint32_t i, step = bits >= 1 && bits <= 16 ? 65536u >> bits : 1;
	int64_t want;

	if (n == 0)
		return 1;
	if (n == 1 || !entries)
		return 0;
	for (i = 0; i < n; i++) {
		want = ((int64_t)i * 65535 + (n - 1) / 2) / (n - 1);
		if (llabs(entries[i].red - want) >= step || llabs(entries[i].green - want) >= step ||
		    llabs(entries[i].blue - want) >= step)
			return 0;
	}
	return 1;
}

int kmscap_attach(struct kmscap_dev *dev, uint32_t display_id, uint32_t queue_depth,
		  uint64_t hold_timeout_ns)
{
	return kmscap_attach_flags(dev, display_id, queue_depth, hold_timeout_ns, 0);
}

int kmscap_attach_flags(struct kmscap_dev *dev, uint32_t display_id, uint32_t queue_depth,
			uint64_t hold_timeout_ns, uint32_t flags)
{
	/* a ring client's frames are not read(): kmscap_ring_attach() maps them */
	if (!dev || (flags & ~KMSCAP_ATTACH_FLAGS) || (flags & KMSCAP_ATTACH_FRAME_RING))
		return -EINVAL;
	return kmscap_attach_with(dev, display_id, queue_depth, hold_timeout_ns, flags);
}

int kmscap_attach_with(struct kmscap_dev *dev, uint32_t display_id, uint32_t queue_depth,
		       uint64_t hold_timeout_ns, uint32_t flags)
{
	struct kmscap_attach a = {
		.display_id = display_id,
		.flags = flags,
		.queue_depth = queue_depth,
		.hold_timeout_ns = hold_timeout_ns,
	};
	int ret;

	/* a 1.1 module: 1.0 events, and no flags */
	if (dev->max_event_size)
		a.flags |= KMSCAP_ATTACH_FRAMED;
	else if (flags)
		return -EOPNOTSUPP;
	if ((flags & KMSCAP_ATTACH_FLIP_DONE_DEFER) &&
	    !(dev->version.caps & KMSCAP_CAP_FLIP_DONE_DEFER))
		return -EOPNOTSUPP;
	if (flags & KMSCAP_ATTACH_FLIP_DONE) {
		if (!(dev->version.caps & KMSCAP_CAP_FLIP_DONE))
			return -EOPNOTSUPP;
		if (!dev->done)
			dev->done = calloc(KMSCAP_FLIP_DONE_KEPT, sizeof(*dev->done));
		if (!dev->done)
			return -ENOMEM;
	}
	ret = kmscap_ioctl(dev->fd, KMSCAP_IOC_ATTACH, &a);
	if (ret < 0)
		return ret;
	dev->framed = !!(a.flags & KMSCAP_ATTACH_FRAMED);
	dev->attached = 1;
	dev->hung_up = 0;
	return 0;
}

int kmscap_release(struct kmscap_dev *dev, uint64_t seq)
{
	struct kmscap_release r = { .seq = seq };

	if (!dev)
		return -EINVAL;
	return kmscap_ioctl(dev->fd, KMSCAP_IOC_RELEASE, &r);
}

int kmscap_stats(struct kmscap_dev *dev, struct kmscap_client_stats *out)
{
	struct kmscap_client_stats s;
	int ret;

	if (!dev || !out)
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	ret = kmscap_ioctl(dev->fd, KMSCAP_IOC_STATS, &s);
	if (ret < 0)
		return ret;
	*out = s;
	return 0;
}

int kmscap_export(struct kmscap_dev *dev, uint32_t buffer_id, uint32_t flags, uint64_t *size)
{
	struct kmscap_export e = { .buffer_id = buffer_id, .flags = flags };
	int ret;

	if (!dev)
		return -EINVAL;
	ret = kmscap_ioctl(dev->fd, KMSCAP_IOC_EXPORT, &e);
	if (ret < 0)
		return ret;
	if (e.fd < 0)
		return -EBADF;
	if (size)
		*size = e.size;
	return e.fd;
}

static int kmscap_dev_export(void *opaque, uint32_t buffer_id, uint64_t *size)
{
	return kmscap_export(opaque, buffer_id, KMSCAP_EXPORT_CLOEXEC, size);
}

int kmscap_buffer_fd(struct kmscap_dev *dev, uint32_t buffer_id, uint64_t *size)
{
	int ret;

	if (!dev)
		return -EINVAL;
	if (!dev->cache) {
		ret = kmscap_bufcache_new(kmscap_dev_export, dev, 0, &dev->cache);
		if (ret < 0)
			return ret;
	}
	return kmscap_bufcache_get(dev->cache, buffer_id, size);
}

void kmscap_invalidate_buffers(struct kmscap_dev *dev)
{
	if (dev)
		kmscap_bufcache_invalidate(dev->cache);
}
