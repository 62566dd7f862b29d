// SPDX-License-Identifier: MIT
/*
 * libkmscap: reading events: read() on the handle's fd, or bytes the
 * caller read itself (kmscap_events_from_buffer()), decoded into frame,
 * hang-up and flip-done events, 1.0 or framed.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libkmscap.h"
#include "libkmscap_priv.h"

int kmscap_hung_up(const struct kmscap_dev *dev)
{
	return dev ? dev->hung_up : 0;
}

/* The display went away: once, whichever way the handle heard of it. */
static void kmscap_set_hangup(struct kmscap_dev *dev)
{
	if (dev->hung_up)
		return;
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
	if (ev->type == KMSCAP_EVENT_FRAME && ev->seq > dev->max_seq)
		dev->max_seq = ev->seq;
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

	/* a ring handle's frames are never read(): kmscap_ring_take() */
	if (!dev || !ev || dev->ring_client)
		return -EINVAL;
	if (dev->pending_err) {
		ret = dev->pending_err;
		dev->pending_err = 0;
		return ret;
	}
	if (dev->hung_up)
		return kmscap_hangup_event(dev, ev);
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
