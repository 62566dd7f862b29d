/* SPDX-License-Identifier: MIT */
/*
 * libkmscap: a small C library around the /dev/kmscap ioctl ABI for
 * streaming daemons and tools.
 *
 * Conventions:
 *  - every function that can fail returns a negative errno value on error
 *    (never -1 with errno set); 0 or a non-negative result on success;
 *  - every file descriptor the library opens is close-on-exec;
 *  - threads: see "Threads" below.
 *
 * Threads
 * -------
 * A handle's file descriptor never changes while it is open, and the
 * module serialises what it keeps per file itself (its queue, held frames
 * and statistics are under its own locks), so a call that only makes
 * ioctls on that descriptor and touches nothing else of the handle may
 * run in any thread, at the same time as any other call on the same
 * handle but kmscap_close().  What the library itself keeps per handle (the
 * undecoded rest of the last read, the pending error, the hung-up flag,
 * the attach state and the buffer cache) has no lock: the calls that use
 * it must not run at the same time as each other on one handle.  Per
 * function:
 *
 *  - any thread, concurrently (only ioctls, or only what open set):
 *    kmscap_fd(), kmscap_path(), kmscap_get_version(),
 *    kmscap_display_create(), _destroy(), _config(), _set_mode(),
 *    _connect(), _disconnect(), _info(), _list(), kmscap_release(),
 *    kmscap_prep_release_sqe(), kmscap_stats() and kmscap_export();
 *    kmscap_ring_release() too (it may also run beside
 *    kmscap_ring_take());
 *  - one thread at a time per handle (the "reader"): kmscap_attach(),
 *    kmscap_attach_flags(), kmscap_ring_attach(), kmscap_ring_take(),
 *    kmscap_next_frame(), kmscap_read_events(),
 *    kmscap_events_from_buffer(), kmscap_event_read_size(),
 *    kmscap_hung_up(), kmscap_frame_revoked(), kmscap_buffer_fd() and
 *    kmscap_invalidate_buffers()
 *    (the last two use the cache that reading invalidates);
 *  - kmscap_open() and kmscap_close(): a handle is closed by one thread
 *    once no other thread uses it;
 *  - a struct kmscap_bufcache is one thread's at a time, like the
 *    reader's calls; its export callback runs in the thread that calls
 *    kmscap_bufcache_get();
 *  - kmscap_event_decode(), kmscap_event_parse(), kmscap_parse_mode(),
 *    kmscap_parse_mode_why(), kmscap_format_mode() and
 *    kmscap_strerror_ctx() keep no state: any thread.
 *
 * So one thread may read events while another exports and releases the
 * frames it was handed (kmscap-stream's encode thread does, with its own
 * buffer cache: Documentation/stream-threads.md); a program that wants
 * kmscap_buffer_fd() from a second thread locks around it and the reads.
 */
#ifndef LIBKMSCAP_H
#define LIBKMSCAP_H

#include <stddef.h>
#include <stdint.h>

#include "kmscap.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(KMSCAP_BUILDING_LIB)
#define KMSCAP_API __attribute__((visibility("default")))
#else
#define KMSCAP_API
#endif

#define KMSCAP_DEFAULT_DEVICE	"/dev/kmscap"
/* Environment variable that overrides the default device path. */
#define KMSCAP_DEVICE_ENV	"KMSCAP_DEVICE"

#define LIBKMSCAP_VERSION	"1.0.0"

/* ------------------------------------------------------------------ */
/* Device handle                                                       */
/* ------------------------------------------------------------------ */

struct kmscap_dev;

/**
 * kmscap_open() - open the kmscap control device
 * @path: device path; NULL means $KMSCAP_DEVICE or else /dev/kmscap.
 * @out: the new handle.
 *
 * Queries the module's version and refuses a module whose ABI major
 * differs from KMSCAP_ABI_MAJOR with -EPROTO.  A file that is not a
 * kmscap device fails with -ENOTTY.  Opening errors are the open(2)
 * errno, negated (-ENOENT, -EACCES, ...).
 */
KMSCAP_API int kmscap_open(const char *path, struct kmscap_dev **out);
KMSCAP_API void kmscap_close(struct kmscap_dev *dev);
/* The underlying fd, e.g. for an external event loop (POLLIN / POLLHUP). */
KMSCAP_API int kmscap_fd(const struct kmscap_dev *dev);
KMSCAP_API const char *kmscap_path(const struct kmscap_dev *dev);
/*
 * Copy of the version the module reported at open time: the fields of the
 * 1.0 structure (up to event_size; a program built before ABI 1.2 has no
 * room for more), the rest of @out is left alone.
 */
KMSCAP_API int kmscap_get_version(const struct kmscap_dev *dev, struct kmscap_version *out);

/* ------------------------------------------------------------------ */
/* Display management                                                  */
/* ------------------------------------------------------------------ */

/*
 * Create a display; @id and @card_minor may be NULL.
 * -ENOSPC: too many displays; -EDQUOT: the caller owns too many (ABI 1.1);
 * -EINVAL: bad mode or flags.
 */
KMSCAP_API int kmscap_display_create(struct kmscap_dev *dev, uint32_t width, uint32_t height,
				     uint32_t refresh_mhz, uint32_t flags, uint32_t *id,
				     uint32_t *card_minor);
/*
 * The same, with the @num_modifiers DRM format modifiers at @modifiers that
 * the capture consumer reads (ABI 1.4): the display's primary plane takes
 * them for PRIME-imported buffers, besides linear.  With no modifiers it
 * is kmscap_display_create().  -EOPNOTSUPP: the module predates
 * KMSCAP_CAP_MODIFIERS (create linear-only instead); -EINVAL also for a
 * bad list (more than KMSCAP_MAX_MODIFIERS, DRM_FORMAT_MOD_INVALID, one
 * listed twice).
 */
KMSCAP_API int kmscap_display_create_modifiers(struct kmscap_dev *dev, uint32_t width,
					       uint32_t height, uint32_t refresh_mhz,
					       uint32_t flags, const uint64_t *modifiers,
					       uint32_t num_modifiers, uint32_t *id,
					       uint32_t *card_minor);
/* -ENOENT: no such display; -EPERM: owned by another uid. */
KMSCAP_API int kmscap_display_destroy(struct kmscap_dev *dev, uint32_t id);
/* Raw KMSCAP_IOC_DISPLAY_CONFIG: @flags is a mask of KMSCAP_CONFIG_*. */
KMSCAP_API int kmscap_display_config(struct kmscap_dev *dev, uint32_t id, uint32_t flags,
				     uint32_t width, uint32_t height, uint32_t refresh_mhz);
KMSCAP_API int kmscap_display_set_mode(struct kmscap_dev *dev, uint32_t id, uint32_t width,
				       uint32_t height, uint32_t refresh_mhz);
KMSCAP_API int kmscap_display_connect(struct kmscap_dev *dev, uint32_t id);
KMSCAP_API int kmscap_display_disconnect(struct kmscap_dev *dev, uint32_t id);
KMSCAP_API int kmscap_display_info(struct kmscap_dev *dev, uint32_t id,
				   struct kmscap_display_info *out);
/*
 * List display ids.  On success *@ids is a malloc()ed array the caller
 * free()s (NULL when there are none) and the return value is its length.
 * The buffer grows until the count the module reports fits.
 */
KMSCAP_API int kmscap_display_list(struct kmscap_dev *dev, uint32_t **ids);
/*
 * The gamma LUT of display @id (module ABI 1.3, KMSCAP_CAP_GAMMA): up to
 * @max entries into @entries (NULL with @max 0 to learn the size), and in
 * *@seq (may be NULL) the seq of the first frame that showed it.  Returns
 * the number of entries of the LUT, which may exceed @max (0: none, the
 * identity), -EPERM for another user's display (the module tells such a
 * caller nothing of it), -ENOTTY from an older module, or -errno.
 * kmscap applies the LUT to no pixel: a capture client applies it or
 * says that it does not.
 */
KMSCAP_API int kmscap_display_gamma(struct kmscap_dev *dev, uint32_t id,
				    struct kmscap_gamma_entry *entries, uint32_t max,
				    uint64_t *seq);
/*
 * Does the @n-entry LUT @entries leave @bits-bit content (1..16) as it is?
 * 1 when every channel of every entry is less than one @bits-bit step
 * (65536 >> @bits) from the identity ramp i * 65535 / (@n - 1): modetest's
 * ramp of i << 8 is the identity at 8 bits, not at 10.  An empty LUT (@n
 * 0) is the identity.
 */
KMSCAP_API int kmscap_gamma_identity(const struct kmscap_gamma_entry *entries, uint32_t n,
				     unsigned int bits);

/* ------------------------------------------------------------------ */
/* Capture                                                             */
/* ------------------------------------------------------------------ */

/*
 * Make this handle a capture client of @display_id.  @queue_depth 0 is
 * the module default; @hold_timeout_ns 0 is one refresh period.  A handle
 * attaches once (-EBUSY afterwards): open one handle per capture client.
 */
KMSCAP_API int kmscap_attach(struct kmscap_dev *dev, uint32_t display_id,
			     uint32_t queue_depth, uint64_t hold_timeout_ns);

/*
 * kmscap_attach() with KMSCAP_ATTACH_* @flags (since ABI 1.2); the library
 * adds KMSCAP_ATTACH_FRAMED itself.  KMSCAP_ATTACH_CURRENT_FRAME: the frame
 * on screen is the first event.  KMSCAP_ATTACH_FLIP_DONE (ABI 1.3): the
 * handle collects flip-done events for kmscap_read_flip_done().
 * KMSCAP_ATTACH_AUTO_RELEASE (ABI 1.3, KMSCAP_CAP_AUTO_RELEASE; a 1.2
 * module says -EINVAL): a read that returns a frame (kmscap_next_frame(),
 * kmscap_read_events()) releases the frames read before, so a client with
 * one frame in flight needs no kmscap_release().
 * KMSCAP_ATTACH_FLIP_DONE_DEFER (ABI 1.5, with KMSCAP_ATTACH_FLIP_DONE):
 * flip-done events wake nobody and come with the next frame, so a reader
 * wakes once per frame.  -EOPNOTSUPP when the module is older than 1.2
 * and @flags asks for anything, or lacks KMSCAP_CAP_FLIP_DONE (or
 * KMSCAP_CAP_FLIP_DONE_DEFER) and @flags asks for it.
 * KMSCAP_ATTACH_FRAME_RING (ABI 1.6) is -EINVAL here: such a client's
 * frames are in a ring, never read(): kmscap_ring_attach() maps it.
 */
KMSCAP_API int kmscap_attach_flags(struct kmscap_dev *dev, uint32_t display_id,
				   uint32_t queue_depth, uint64_t hold_timeout_ns,
				   uint32_t flags);

/*
 * The frame ring (ABI 1.6, KMSCAP_CAP_FRAME_RING; LIBKMSCAP_1.6): frames
 * taken and given back without a system call.
 *
 * kmscap_ring_attach() is kmscap_attach_flags() with
 * KMSCAP_ATTACH_FRAME_RING, which it adds itself, and maps the ring the
 * module then writes each frame into (kmscap_close() unmaps it).  @flags:
 * KMSCAP_ATTACH_CURRENT_FRAME, _FLIP_DONE and _FLIP_DONE_DEFER as there;
 * KMSCAP_ATTACH_AUTO_RELEASE is -EINVAL, as is a @queue_depth above
 * KMSCAP_MAX_QUEUE.  -EOPNOTSUPP: the module lacks KMSCAP_CAP_FRAME_RING
 * (attach without the ring); -EBUSY: already attached; -EPROTO: the ring's
 * header does not say @queue_depth slots of this library's (or a larger)
 * slot (the header is read only then).  On an error of mmap() or -EPROTO
 * the handle stays attached, without frames: close it.  Messages that name
 * the device: kmscap_strerror_ctx() with KMSCAP_ERR_RING.
 *
 * kmscap_ring_take() takes the newest READY frame of the ring and returns
 * 1 with its event in @ev, as kmscap_next_frame() gives one, or 0 when no
 * frame is READY: wait for POLLIN on kmscap_fd() (poll() or the caller's
 * epoll) and call it again.  Older READY frames are given back unread;
 * the frame returned then tells of them: @ev->dropped counts them too
 * (and the frames the module dropped before them), its damage is full
 * (KMSCAP_FRAME_FULL_DAMAGE, no rectangles, unless BLANK), and it carries
 * the KMSCAP_FRAME_NEW_MODE, _CURSOR_MOVED, _CURSOR_CHANGED, _FIRST and
 * _GAMMA_CHANGED flags any of them had.  A frame with dropped > 0, or
 * whose seq does not follow the last one returned, has full damage in any
 * case.  Frames come in the order of their seq: one older than a frame
 * returned before (written while the ring was swept) is given back, and
 * the next frame returned tells of it.  No system call, but the one of
 * kmscap_ring_release() when a skipped frame was waited for.  -EBADMSG:
 * the newest frame was malformed, and was given back; -ENOTCONN: not
 * attached with a ring.  A hang-up shows as POLLHUP, and
 * kmscap_read_events() returns it (and keeps flip-done events for
 * kmscap_read_flip_done(); it never returns a frame of a ring handle).
 * kmscap_next_frame() is -EINVAL on a ring handle.
 *
 * kmscap_ring_release() gives back frame @seq that kmscap_ring_take()
 * returned: 0; -ESTALE when the module had revoked it (what was read of
 * its buffers may be torn; it is given back all the same); -ENOENT when
 * the handle holds no such frame (given back before, never taken, 0).
 * No system call, unless a flip waits for the frame (KMSCAP_SLOT_WANTED):
 * then one KMSCAP_IOC_RELEASE with seq 0, which lets the flip complete
 * (its error, if any, is returned; the frame is given back).  Give ring
 * frames back with it, not with kmscap_release().
 *
 * Threads: kmscap_ring_attach() and kmscap_ring_take() are reader calls
 * (one thread at a time, with the others above).  kmscap_ring_release()
 * may run in any thread, at the same time as kmscap_ring_take() and as
 * other kmscap_ring_release() calls: a frame taken in one thread may be
 * given back in another.
 */
KMSCAP_API int kmscap_ring_attach(struct kmscap_dev *dev, uint32_t display_id,
				  uint32_t queue_depth, uint64_t hold_timeout_ns, uint32_t flags);
KMSCAP_API int kmscap_ring_take(struct kmscap_dev *dev, struct kmscap_event *ev);
KMSCAP_API int kmscap_ring_release(struct kmscap_dev *dev, uint64_t seq);

/* Return values of kmscap_next_frame(). */
#define KMSCAP_NEXT_TIMEOUT	0
#define KMSCAP_NEXT_FRAME	1
#define KMSCAP_NEXT_HANGUP	2

/**
 * kmscap_next_frame() - wait for the next event
 * @timeout_ms: -1 waits forever, 0 only looks.
 * @ev: out: the decoded, validated event.
 *
 * Returns %KMSCAP_NEXT_FRAME with a frame event in @ev (release it with
 * kmscap_release()), %KMSCAP_NEXT_TIMEOUT when nothing arrived in time,
 * %KMSCAP_NEXT_HANGUP when the display went away (a hang-up event or
 * POLLHUP; @ev then has type %KMSCAP_EVENT_HANGUP; every later call returns
 * it again), or a negative errno (-EBADMSG for a malformed event,
 * -ENOTCONN if the handle is not attached).
 *
 * A hang-up or a frame with %KMSCAP_FRAME_NEW_MODE invalidates the
 * handle's buffer cache before returning.  A malformed frame event is
 * released at once (best effort) so that it does not hold up the display.
 */
KMSCAP_API int kmscap_next_frame(struct kmscap_dev *dev, int timeout_ms,
				 struct kmscap_event *ev);

/*
 * Read up to @max events without blocking.  Returns the number read
 * (0 if none is pending), or a negative errno (-ENOTCONN if the handle is
 * not attached).  Malformed events are released and left out: when good
 * ones came with them, those are returned and -EBADMSG comes from the
 * next call of kmscap_read_events() or kmscap_next_frame().  A hang-up event is
 * returned like any other, and also marks the handle as hung up and
 * invalidates the buffer cache, as kmscap_next_frame() does.
 *
 * With a 1.2 module the handle reads framed events (and skips the types
 * it does not know): one read() may bring more than @max, and the rest
 * are returned by the next call without waiting for POLLIN.  An event
 * loop calls it until it returns less than @max before polling again.
 */
KMSCAP_API int kmscap_read_events(struct kmscap_dev *dev, struct kmscap_event *evs, size_t max);

/*
 * Bytes a read() buffer needs for one event of an attached handle: the
 * module's max_event_size for framed events, its event_size for 1.0 ones;
 * 0 when the handle is not attached.  For a caller that reads the fd
 * itself (an io_uring READ) and decodes with kmscap_events_from_buffer().
 * (LIBKMSCAP_1.4)
 */
KMSCAP_API size_t kmscap_event_read_size(const struct kmscap_dev *dev);

/**
 * kmscap_events_from_buffer() - decode events the caller read itself
 * @dev: an attached handle; @buf, @len: bytes one read() of its fd
 *	returned (of the handle's attach format, framed or 1.0).
 * @evs, @max: room for every frame and hang-up event in @buf.
 *
 * Returns what kmscap_read_events() returns for the same bytes: the
 * number of frame and hang-up events decoded into @evs (0 if none:
 * types this library does not know are skipped), flip-done events kept
 * in the handle for kmscap_read_flip_done(), a hang-up marking the handle
 * and invalidating its buffer cache.  @len 0 (read() at end of file)
 * marks the handle hung up and returns 0.  Errors: -EINVAL, -ENOTCONN
 * (not attached), -ENOSPC (@buf holds more than @max such events:
 * nothing decoded, call again with more room), and -EBADMSG when an event
 * is malformed or @buf ends in the middle of an event (a read() of the
 * module never does): then no event is returned and every frame of
 * @buf is released (best effort), so that an error never leaves a frame
 * held.  The handle's own read buffer is neither used nor changed.
 * (LIBKMSCAP_1.4)
 */
KMSCAP_API int kmscap_events_from_buffer(struct kmscap_dev *dev, const void *buf, size_t len,
					 struct kmscap_event *evs, size_t max);

/* Flip-done events a handle keeps for kmscap_read_flip_done(). */
#define KMSCAP_FLIP_DONE_KEPT	64

/*
 * Take up to @max flip-done events (ABI 1.3) of a handle attached with
 * KMSCAP_ATTACH_FLIP_DONE, oldest first.  Never reads the fd: the events
 * are those kmscap_next_frame() and kmscap_read_events() decoded on their
 * way (neither returns them), so call it after them.  Beyond
 * KMSCAP_FLIP_DONE_KEPT untaken events the oldest is lost, and counted in
 * the next one's dropped, as the module counts its own losses.  Returns how
 * many (0 if none), or -EINVAL.  (LIBKMSCAP_1.3)
 */
KMSCAP_API int kmscap_read_flip_done(struct kmscap_dev *dev, struct kmscap_event_flip_done *out,
				     size_t max);

/* 1 once a hang-up was seen, else 0. */
KMSCAP_API int kmscap_hung_up(const struct kmscap_dev *dev);

/* -ESTALE: frame revoked after the hold timeout; -ENOENT: no such frame. */
KMSCAP_API int kmscap_release(struct kmscap_dev *dev, uint64_t seq);

/*
 * Whether frame @seq, which this handle read, was revoked since (its hold
 * timeout expired, or its buffer was redrawn in place): 1 if it was, or
 * may have been (more revocations came at once than the module's status
 * page keeps), 0 if not, without a system call once the first call has
 * mapped the status page (ABI 1.5).  Ask after reading the frame's
 * buffer: 0 means the picture read is whole, as kmscap_release()
 * returning 0 at that moment would, and the frame can be released later
 * (in a batch, or with kmscap_prep_release_sqe()).  -EOPNOTSUPP: the
 * module has no status page (KMSCAP_CAP_STATUS_PAGE; use
 * kmscap_release()); -ENOTCONN: not attached.  A reader's call.
 * (LIBKMSCAP_1.5)
 */
KMSCAP_API int kmscap_frame_revoked(struct kmscap_dev *dev, uint64_t seq);

/*
 * Fill @sqe, an io_uring submission entry of 64 bytes (struct io_uring_sqe
 * of <linux/io_uring.h> or liburing), with the release of frame @seq
 * (IORING_OP_URING_CMD, ABI 1.5): everything else is zeroed; the caller
 * sets user_data and flags (IOSQE_CQE_SKIP_SUCCESS: only a failure
 * completes).  The completion's res is kmscap_release()'s result.
 * -EOPNOTSUPP: the module lacks KMSCAP_CAP_URING_RELEASE.  Any thread.
 * (LIBKMSCAP_1.5)
 */
struct io_uring_sqe;
KMSCAP_API int kmscap_prep_release_sqe(const struct kmscap_dev *dev, struct io_uring_sqe *sqe,
				       uint64_t seq);
KMSCAP_API int kmscap_stats(struct kmscap_dev *dev, struct kmscap_client_stats *out);

/*
 * Export a buffer seen in an event as a new DMA-BUF fd (returned; the
 * caller owns it).  @flags: KMSCAP_EXPORT_*.  @size may be NULL.
 * Prefer kmscap_buffer_fd(), which exports each buffer once.
 */
KMSCAP_API int kmscap_export(struct kmscap_dev *dev, uint32_t buffer_id, uint32_t flags,
			     uint64_t *size);

/* ------------------------------------------------------------------ */
/* Buffer cache: buffer id -> DMA-BUF fd, exported once                */
/* ------------------------------------------------------------------ */

/*
 * Exports @buffer_id; returns a new fd the cache takes ownership of, or a
 * negative errno.  Stores the buffer size in *@size.
 */
typedef int (*kmscap_export_fn)(void *opaque, uint32_t buffer_id, uint64_t *size);

struct kmscap_bufcache;

/* Default number of buffers a cache keeps before evicting the least recently used. */
#define KMSCAP_BUFCACHE_DEFAULT_MAX	32

/*
 * Create a cache that calls @export_fn (with @opaque) on a miss.  It keeps at
 * most @max_entries fds (0: KMSCAP_BUFCACHE_DEFAULT_MAX), closing the
 * least recently used one when full.
 */
KMSCAP_API int kmscap_bufcache_new(kmscap_export_fn export_fn, void *opaque, size_t max_entries,
				   struct kmscap_bufcache **out);
/* Closes every cached fd. */
KMSCAP_API void kmscap_bufcache_free(struct kmscap_bufcache *cache);
/*
 * Return the fd for @buffer_id, exporting it on first use.  The fd stays
 * owned by the cache and is valid until the entry is invalidated: dup() it
 * to keep it longer.  @size may be NULL.  0 is not a valid buffer id
 * (-EINVAL).
 */
KMSCAP_API int kmscap_bufcache_get(struct kmscap_bufcache *cache, uint32_t buffer_id,
				   uint64_t *size);
/* Close and forget one entry; -ENOENT if it was not cached. */
KMSCAP_API int kmscap_bufcache_drop(struct kmscap_bufcache *cache, uint32_t buffer_id);
/* Close and forget every entry. */
KMSCAP_API void kmscap_bufcache_invalidate(struct kmscap_bufcache *cache);
KMSCAP_API size_t kmscap_bufcache_count(const struct kmscap_bufcache *cache);
/*
 * Let the cache see an event: a hang-up or a frame with
 * KMSCAP_FRAME_NEW_MODE invalidates it.  Returns 1 if it did, else 0.
 */
KMSCAP_API int kmscap_bufcache_note_event(struct kmscap_bufcache *cache,
					  const struct kmscap_event *ev);

/* The handle's own cache (exports with KMSCAP_EXPORT_CLOEXEC). */
KMSCAP_API int kmscap_buffer_fd(struct kmscap_dev *dev, uint32_t buffer_id, uint64_t *size);
KMSCAP_API void kmscap_invalidate_buffers(struct kmscap_dev *dev);

/* ------------------------------------------------------------------ */
/* Event decoding                                                      */
/* ------------------------------------------------------------------ */

/**
 * kmscap_event_decode() - validate one event as read() returned it
 * @buf: the bytes read.
 * @len: how many; at least sizeof(struct kmscap_event).  A longer event
 *	(a newer module's event_size) is accepted and its tail ignored.
 * @out: the decoded event; may be NULL to only validate.
 * @why: if not NULL, set to a static text saying what was wrong, or NULL.
 *
 * Returns 0, -EINVAL for a NULL @buf, or -EBADMSG when the event is
 * malformed: short, unknown type, non-zero pad, more than 4 planes, more
 * than KMSCAP_MAX_DAMAGE rectangles, damage with FULL_DAMAGE, an empty
 * rectangle or one outside the framebuffer.
 */
KMSCAP_API int kmscap_event_decode(const void *buf, size_t len, struct kmscap_event *out,
				   const char **why);

/**
 * kmscap_event_parse() - decode the next event of a framed stream (ABI 1.2)
 * @buf: the bytes read() returned, from the start of an event.
 * @len: how many are left.
 * @used: out: the event's length: how far the next event is, whether this
 *	one was decoded, skipped or malformed; 0 when the header itself is
 *	bad (the rest of the bytes cannot be split into events).
 * @out: the decoded event, as a struct kmscap_event (more than
 *	KMSCAP_MAX_DAMAGE rectangles are merged into their bounding box with
 *	%KMSCAP_FRAME_DAMAGE_MERGED); may be NULL.
 * @why: if not NULL, set to a static text saying what was wrong, or NULL.
 *
 * Returns 1 with a frame or hang-up in @out, 0 for an event of a type
 * this library does not know (skip @used bytes; @out is left alone),
 * -EINVAL for a NULL @buf or @used, or -EBADMSG when the event is
 * malformed (as kmscap_event_decode() says, or its length or damage
 * rectangles do not fit).
 */
KMSCAP_API int kmscap_event_parse(const void *buf, size_t len, size_t *used,
				  struct kmscap_event *out, const char **why);

/**
 * kmscap_event_parse_flip_done() - decode a flip-done event (ABI 1.3)
 * @buf: the bytes read() returned, from the start of an event.
 * @len: how many are left.
 * @used: out: the event's length, as kmscap_event_parse() sets it.
 * @out: the event, as the module wrote it (the fields of this library's
 *	struct kmscap_event_flip_done; a later module's are ignored); may be
 *	NULL.
 * @why: if not NULL, set to a static text saying what was wrong, or NULL.
 *
 * Returns 1 with a %KMSCAP_EVENT_FLIP_DONE event in @out, 0 for an event
 * of another type (kmscap_event_parse() skips flip-done events and decodes
 * those), -EINVAL for a NULL @buf or @used, or -EBADMSG when the event is
 * malformed (a bad header, shorter than the 1.3 structure, frame 0, or a
 * hold wait without %KMSCAP_FLIP_DONE_WAITED).
 */
KMSCAP_API int kmscap_event_parse_flip_done(const void *buf, size_t len, size_t *used,
					    struct kmscap_event_flip_done *out,
					    const char **why);

/* ------------------------------------------------------------------ */
/* Modes                                                               */
/* ------------------------------------------------------------------ */

/*
 * Parse "WIDTHxHEIGHT[@HZ]", HZ with up to three decimals ("143.912"),
 * 60 Hz when absent.  The refresh rate is computed exactly in mHz.
 * Returns 0, -EINVAL for a syntax error or -ERANGE for a value outside
 * KMSCAP_MIN/MAX_SIZE or KMSCAP_MIN/MAX_REFRESH_MHZ (or too big to parse).
 */
KMSCAP_API int kmscap_parse_mode(const char *s, uint32_t *width, uint32_t *height,
				 uint32_t *refresh_mhz);
/* Same, and sets *@why (if not NULL) to a static reason on failure. */
KMSCAP_API int kmscap_parse_mode_why(const char *s, uint32_t *width, uint32_t *height,
				     uint32_t *refresh_mhz, const char **why);
/*
 * Format a mode as kmscap_parse_mode() reads it: "2560x1440@143.912",
 * "1920x1080@60" (no trailing zero decimals).  Returns the length, or
 * -ENOSPC if @size is too small.
 */
KMSCAP_API int kmscap_format_mode(char *buf, size_t size, uint32_t width, uint32_t height,
				  uint32_t refresh_mhz);
/* Largest string kmscap_format_mode() writes, with the NUL. */
#define KMSCAP_MODE_STRLEN	40

/* ------------------------------------------------------------------ */
/* Error messages                                                      */
/* ------------------------------------------------------------------ */

enum kmscap_err_ctx {
	KMSCAP_ERR_OPEN,	/* subject: the device path */
	KMSCAP_ERR_DISPLAY,	/* subject: the display id as text */
	KMSCAP_ERR_CREATE,	/* subject: the mode as text */
	KMSCAP_ERR_MODE,	/* subject: the mode string given by the user */
	KMSCAP_ERR_ATTACH,	/* subject: the display id as text */
	KMSCAP_ERR_EXPORT,	/* subject: the buffer id as text */
	KMSCAP_ERR_RING,	/* subject: the device path (LIBKMSCAP_1.6) */
};

/*
 * Write a message for the (negative or positive) errno @err that happened
 * in @ctx about @subject into @buf, and return @buf, e.g.
 * "no such display 7",
 * "/dev/kmscap: permission denied — is your user in group kmscap?",
 * "invalid mode '0x0': width and height must be 64..8192".
 * The message has no program-name prefix and no newline.
 */
KMSCAP_API const char *kmscap_strerror_ctx(int err, enum kmscap_err_ctx ctx,
					   const char *subject, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* LIBKMSCAP_H */
