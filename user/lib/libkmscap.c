// SPDX-License-Identifier: MIT
/*
 * libkmscap: /dev/kmscap handle, display management and capture.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "libkmscap.h"

/* Events per read() at most (the kernel's queue is at most 64 deep). */
#define KMSCAP_READ_EVENTS	64

/*
 * @framed: attached with KMSCAP_ATTACH_FRAMED (the module is 1.2 or later).
 * @rbuf: what read() returned and is not decoded yet, @rhead to @rtail: a
 *	framed read may bring more events than were asked for.
 * @done: flip-done events decoded and not taken yet, a ring of
 *	KMSCAP_FLIP_DONE_KEPT from @done_head (NULL unless attached with
 *	KMSCAP_ATTACH_FLIP_DONE); @ndone of them; @done_lost: lost since the
 *	last one taken.
 */
struct kmscap_dev {
	int fd;
	char *path;
	struct kmscap_version version;
	size_t event_size;
	size_t max_event_size;
	int framed;
	unsigned char *rbuf;
	size_t rhead, rtail;
	struct kmscap_event_flip_done *done;
	size_t done_head, ndone;
	uint64_t done_lost;
	int attached;
	int hung_up;
	int pending_err;
	struct kmscap_bufcache *cache;
};

static int kmscap_ioctl(int fd, unsigned long req, void *arg)
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
	struct kmscap_attach a = {
		.display_id = display_id,
		.flags = flags,
		.queue_depth = queue_depth,
		.hold_timeout_ns = hold_timeout_ns,
	};
	int ret;

	if (!dev || (flags & ~KMSCAP_ATTACH_FLAGS))
		return -EINVAL;
	/* a 1.1 module: 1.0 events, and no flags */
	if (dev->max_event_size)
		a.flags |= KMSCAP_ATTACH_FRAMED;
	else if (flags)
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

int kmscap_hung_up(const struct kmscap_dev *dev)
{
	return dev ? dev->hung_up : 0;
}

static void kmscap_set_hangup(struct kmscap_dev *dev)
{
	dev->hung_up = 1;
	kmscap_bufcache_invalidate(dev->cache);
}

/*
 * A malformed event may still be a frame the module counts as held by
 * this client: give it back rather than stall the display's flips until
 * the hold timeout.  @len bytes of it are there.
 */
static void kmscap_release_malformed(struct kmscap_dev *dev, const unsigned char *raw,
				     size_t len)
{
	struct kmscap_event_frame f;
	struct kmscap_event ev;

	if (!dev->framed) {
		memcpy(&ev, raw, sizeof(ev));	/* event_size >= sizeof(ev), checked at open */
		if (ev.type == KMSCAP_EVENT_FRAME)
			kmscap_release(dev, ev.seq);
		return;
	}
	memset(&f, 0, sizeof(f));
	memcpy(&f, raw, len < sizeof(f) ? len : sizeof(f));
	if (f.base.type == KMSCAP_EVENT_FRAME && len >= offsetof(struct kmscap_event_frame, seq) +
						   sizeof(f.seq))
		kmscap_release(dev, f.seq);
}

/* read() into the empty buffer: bytes, 0 when nothing is pending, -EPIPE at end of file. */
static int kmscap_read_raw(struct kmscap_dev *dev, size_t max)
{
	size_t one = dev->framed ? dev->max_event_size : dev->event_size;
	ssize_t r;

	do {
		r = read(dev->fd, dev->rbuf, one * max);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (r == 0)
		return -EPIPE;
	if (!dev->framed && (size_t)r % dev->event_size)
		return -EBADMSG;
	dev->rhead = 0;
	dev->rtail = (size_t)r;
	return (int)r;
}

/* Keep a flip-done event for kmscap_read_flip_done(), losing the oldest when full. */
static void kmscap_keep_flip_done(struct kmscap_dev *dev, const struct kmscap_event_flip_done *d)
{
	if (!dev->done)
		return;		/* not asked for: the module sends none */
	if (dev->ndone == KMSCAP_FLIP_DONE_KEPT) {
		dev->done_lost += 1 + dev->done[dev->done_head].dropped;
		dev->done_head = (dev->done_head + 1) % KMSCAP_FLIP_DONE_KEPT;
		dev->ndone--;
	}
	dev->done[(dev->done_head + dev->ndone) % KMSCAP_FLIP_DONE_KEPT] = *d;
	dev->ndone++;
}

int kmscap_read_flip_done(struct kmscap_dev *dev, struct kmscap_event_flip_done *out, size_t max)
{
	size_t n = 0;

	if (!dev || (!out && max))
		return -EINVAL;
	if (max > INT32_MAX)
		max = INT32_MAX;
	for (; n < max && dev->ndone; n++) {
		out[n] = dev->done[dev->done_head];
		out[n].dropped += dev->done_lost;
		dev->done_lost = 0;
		dev->done_head = (dev->done_head + 1) % KMSCAP_FLIP_DONE_KEPT;
		dev->ndone--;
	}
	return (int)n;
}

/*
 * Decode the event at @raw, @left bytes: 1 with @ev, 0 for a type this
 * library does not know or a flip-done event (kept aside; both skipped),
 * or -EBADMSG (a frame in it released).  *@used: its bytes, or all of
 * @left when the rest cannot be split.
 */
static int kmscap_decode_at(struct kmscap_dev *dev, const unsigned char *raw, size_t left,
			    size_t *used, struct kmscap_event *ev)
{
	uint32_t type;
	int ret;

	if (dev->framed) {
		struct kmscap_event_flip_done d;

		ret = kmscap_event_parse(raw, left, used, ev, NULL);
		if (ret == 0) {
			ret = kmscap_event_parse_flip_done(raw, left, used, &d, NULL);
			if (ret == 1)
				kmscap_keep_flip_done(dev, &d);
			ret = ret < 0 ? ret : 0;
		}
		if (!*used) {
			/* no length to go by: the rest cannot be split */
			*used = left;
			kmscap_release_malformed(dev, raw, left);
			return -EBADMSG;
		}
	} else if (left < dev->event_size) {
		/* the end of a cut 1.0 event */
		*used = left;
		if (left >= sizeof(struct kmscap_event))
			kmscap_release_malformed(dev, raw, left);
		return -EBADMSG;
	} else {
		*used = dev->event_size;
		memcpy(&type, raw, sizeof(type));
		if (type != KMSCAP_EVENT_FRAME && type != KMSCAP_EVENT_HANGUP)
			ret = 0;	/* never sent to a 1.0 client; skipped all the same */
		else
			ret = kmscap_event_decode(raw, *used, ev, NULL) < 0 ? -EBADMSG : 1;
	}
	if (ret < 0)
		kmscap_release_malformed(dev, raw, *used);
	return ret;
}

/* kmscap_decode_at() on the handle's buffer. */
static int kmscap_decode_next(struct kmscap_dev *dev, struct kmscap_event *ev)
{
	size_t used;
	int ret;

	ret = kmscap_decode_at(dev, dev->rbuf + dev->rhead, dev->rtail - dev->rhead, &used, ev);
	dev->rhead += used;
	return ret;
}

/* A decoded event: a hang-up marks the handle, a frame goes to the buffer cache. */
static void kmscap_note_decoded(struct kmscap_dev *dev, const struct kmscap_event *ev)
{
	if (ev->type == KMSCAP_EVENT_HANGUP)
		kmscap_set_hangup(dev);
	else
		kmscap_bufcache_note_event(dev->cache, ev);
}

/*
 * Decode up to @max events, reading once when nothing is left from the
 * previous read; returns how many, 0 when none is pending (-EAGAIN from
 * read, or only types this library does not know), -EPIPE at end of
 * file, or an error.  Malformed events are left out; if good ones came
 * with them, those are returned and the error is kept in pending_err for
 * the next call.
 */
static int kmscap_read_some(struct kmscap_dev *dev, struct kmscap_event *evs, size_t max)
{
	size_t good = 0;
	int ret, bad = 0;

	if (max > KMSCAP_READ_EVENTS)
		max = KMSCAP_READ_EVENTS;
	if (dev->rhead == dev->rtail) {
		ret = kmscap_read_raw(dev, max);
		if (ret <= 0)
			return ret;
	}
	while (good < max && dev->rhead < dev->rtail) {
		ret = kmscap_decode_next(dev, &evs[good]);
		if (ret < 0)
			bad = ret;
		if (ret <= 0)
			continue;
		kmscap_note_decoded(dev, &evs[good]);
		good++;
	}
	if (bad && !good)
		return bad;
	dev->pending_err = bad;
	return (int)good;
}

/* Events already read and not decoded yet. */
static int kmscap_buffered(const struct kmscap_dev *dev)
{
	return dev->rhead < dev->rtail;
}

static int64_t kmscap_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A hang-up seen as POLLHUP or end of file, without a hang-up event. */
static int kmscap_hangup_event(struct kmscap_dev *dev, struct kmscap_event *ev)
{
	if (!dev->hung_up)
		kmscap_set_hangup(dev);
	memset(ev, 0, sizeof(*ev));
	ev->type = KMSCAP_EVENT_HANGUP;
	return KMSCAP_NEXT_HANGUP;
}

int kmscap_next_frame(struct kmscap_dev *dev, int timeout_ms, struct kmscap_event *ev)
{
	struct kmscap_event tmp;
	int64_t deadline = 0;
	struct pollfd pfd;
	int wait, ret;

	if (!dev || !ev)
		return -EINVAL;
	if (dev->pending_err) {
		ret = dev->pending_err;
		dev->pending_err = 0;
		return ret;
	}
	if (dev->hung_up) {
		memset(ev, 0, sizeof(*ev));
		ev->type = KMSCAP_EVENT_HANGUP;
		return KMSCAP_NEXT_HANGUP;
	}
	if (timeout_ms > 0)
		deadline = kmscap_now_ms() + timeout_ms;

	for (;;) {
		if (kmscap_buffered(dev)) {
			ret = kmscap_read_some(dev, &tmp, 1);
			if (ret < 0)
				return ret;
			if (ret == 1) {
				*ev = tmp;
				return tmp.type == KMSCAP_EVENT_HANGUP ? KMSCAP_NEXT_HANGUP :
									 KMSCAP_NEXT_FRAME;
			}
			continue;	/* only types this library does not know */
		}
		if (timeout_ms > 0) {
			int64_t left = deadline - kmscap_now_ms();

			wait = left > 0 ? (int)left : 0;
		} else {
			wait = timeout_ms < 0 ? -1 : 0;
		}
		pfd.fd = dev->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		ret = poll(&pfd, 1, wait);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (ret == 0)
			return KMSCAP_NEXT_TIMEOUT;
		if (pfd.revents & POLLNVAL)
			return -EBADF;
		if (pfd.revents & POLLIN) {
			ret = kmscap_read_some(dev, &tmp, 1);
			if (ret == -EPIPE)
				return kmscap_hangup_event(dev, ev);
			if (ret < 0)
				return ret;
			if (ret == 1) {
				*ev = tmp;
				return tmp.type == KMSCAP_EVENT_HANGUP ? KMSCAP_NEXT_HANGUP :
									 KMSCAP_NEXT_FRAME;
			}
			/* spurious wake-up: poll again */
			if (timeout_ms == 0)
				return KMSCAP_NEXT_TIMEOUT;
			continue;
		}
		if (pfd.revents & POLLHUP)
			return kmscap_hangup_event(dev, ev);
		if (pfd.revents & POLLERR)
			return dev->attached ? -EIO : -ENOTCONN;
	}
}

int kmscap_read_events(struct kmscap_dev *dev, struct kmscap_event *evs, size_t max)
{
	struct pollfd pfd;
	int ret;

	if (!dev || (!evs && max))
		return -EINVAL;
	if (!max)
		return 0;
	if (dev->pending_err) {
		ret = dev->pending_err;
		dev->pending_err = 0;
		return ret;
	}
	if (kmscap_buffered(dev))
		return kmscap_read_some(dev, evs, max);
	pfd.fd = dev->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	ret = poll(&pfd, 1, 0);
	if (ret < 0)
		return errno == EINTR ? 0 : -errno;
	if (!(pfd.revents & POLLIN)) {
		/* the module reports POLLERR on a handle that is not attached */
		if (pfd.revents & POLLERR)
			return dev->attached ? -EIO : -ENOTCONN;
		return 0;
	}
	ret = kmscap_read_some(dev, evs, max);
	if (ret == -EPIPE) {
		if (!dev->hung_up)
			kmscap_set_hangup(dev);
		return 0;
	}
	return ret;
}

size_t kmscap_event_read_size(const struct kmscap_dev *dev)
{
	if (!dev || !dev->attached)
		return 0;
	return dev->framed ? dev->max_event_size : dev->event_size;
}

/* Frame and hang-up events in @buf, as far as the lengths can be followed. */
static size_t kmscap_count_events(const struct kmscap_dev *dev, const unsigned char *buf,
				  size_t len)
{
	struct kmscap_event_header hdr;
	size_t off = 0, n = 0;

	if (!dev->framed)
		return len / dev->event_size;
	while (len - off >= sizeof(hdr)) {
		memcpy(&hdr, buf + off, sizeof(hdr));
		if (hdr.length < sizeof(hdr) || hdr.length % 8 || hdr.length > len - off)
			break;
		n += hdr.type == KMSCAP_EVENT_FRAME || hdr.type == KMSCAP_EVENT_HANGUP;
		off += hdr.length;
	}
	return n;
}

int kmscap_events_from_buffer(struct kmscap_dev *dev, const void *buf, size_t len,
			      struct kmscap_event *evs, size_t max)
{
	const unsigned char *raw = buf;
	size_t off = 0, used, good = 0, i;
	struct kmscap_event ev;
	int ret, bad = 0;

	if (!dev || (!buf && len) || (!evs && max))
		return -EINVAL;
	if (!dev->attached)
		return -ENOTCONN;
	if (!len) {
		/* what read() returns at end of file */
		if (!dev->hung_up)
			kmscap_set_hangup(dev);
		return 0;
	}
	if (kmscap_count_events(dev, raw, len) > max || len / 8 > INT32_MAX)
		return -ENOSPC;
	while (off < len) {
		ret = kmscap_decode_at(dev, raw + off, len - off, &used, &ev);
		off += used;
		if (ret < 0)
			bad = ret;
		if (ret <= 0)
			continue;
		kmscap_note_decoded(dev, &ev);
		evs[good++] = ev;
	}
	if (!bad)
		return (int)good;
	/* nothing is returned: the good frames go back too */
	for (i = 0; i < good; i++)
		if (evs[i].type == KMSCAP_EVENT_FRAME)
			kmscap_release(dev, evs[i].seq);
	return bad;
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
