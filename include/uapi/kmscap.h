/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR MIT */
/*
 * kmscap: virtual KMS displays whose every flipped frame is handed to
 * capture clients, zero-copy, as DMA-BUF.
 *
 * All structures use only __u32, __s32, __u64 and __s64 fields, are naturally
 * aligned and have the same layout on 32- and 64-bit ABIs.  Every pad
 * field and every unknown flag bit must be zero; the kernel rejects
 * anything else with -EINVAL.
 *
 * Extension rule: a shipped structure is never changed.  New fields are
 * appended; the size encoded in the ioctl number tells the kernel which
 * revision the caller knows.  A caller passing a larger structure than
 * the kernel knows gets -E2BIG unless the unknown tail is all zero; a
 * caller passing a smaller, older revision (never smaller than the 1.0
 * one: -EINVAL) gets the older behaviour: what it passes is zero-extended,
 * what it gets back is cut to its size.
 *
 * Events grow the same way (since ABI 1.2): a client that attaches with
 * %KMSCAP_ATTACH_FRAMED reads events that each start with a &struct
 * kmscap_event_header giving their type and length; it skips the types it
 * does not know, and fields appended to a type it knows are beyond the
 * length an older module writes.  A client that attaches without it reads
 * the fixed 1.0 &struct kmscap_event, byte for byte as ABI 1.0 defined it.
 */
#ifndef _UAPI_KMSCAP_H
#define _UAPI_KMSCAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define KMSCAP_ABI_MAJOR	1
#define KMSCAP_ABI_MINOR	6

/* 0xC6 is unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst */
#define KMSCAP_IOC_MAGIC	0xC6

/* Mode limits accepted by %KMSCAP_IOC_DISPLAY_CREATE and _CONFIG. */
#define KMSCAP_MIN_SIZE		64
#define KMSCAP_MAX_SIZE		8192
#define KMSCAP_MIN_REFRESH_MHZ	1000
#define KMSCAP_MAX_REFRESH_MHZ	500000

/* Capture limits. */
#define KMSCAP_MAX_DAMAGE	8
#define KMSCAP_DEFAULT_QUEUE	4
#define KMSCAP_MAX_QUEUE	64
#define KMSCAP_MAX_HOLD_NS	10000000000ULL

/* Modifiers one %KMSCAP_IOC_DISPLAY_CREATE may list (since ABI 1.4). */
#define KMSCAP_MAX_MODIFIERS	16

/* Capability bits reported by %KMSCAP_IOC_VERSION. */
#define KMSCAP_CAP_DAMAGE	(1ULL << 0)
#define KMSCAP_CAP_CURSOR	(1ULL << 1)
#define KMSCAP_CAP_PRIME_IMPORT	(1ULL << 2)
#define KMSCAP_CAP_HOLD		(1ULL << 3)
#define KMSCAP_CAP_HOTPLUG	(1ULL << 4)
/* Since 1.3: %KMSCAP_ATTACH_FLIP_DONE and %KMSCAP_EVENT_FLIP_DONE. */
#define KMSCAP_CAP_FLIP_DONE	(1ULL << 5)
/* Since 1.3: %KMSCAP_ATTACH_AUTO_RELEASE. */
#define KMSCAP_CAP_AUTO_RELEASE	(1ULL << 7)
/* Since ABI 1.3: %KMSCAP_CONFIG_REPLUG. */
#define KMSCAP_CAP_REPLUG	(1ULL << 8)
/* Since ABI 1.4: &kmscap_display_create.modifiers_ptr. */
#define KMSCAP_CAP_MODIFIERS	(1ULL << 9)
/* Since ABI 1.5: %KMSCAP_IOC_RELEASE as an io_uring command. */
#define KMSCAP_CAP_URING_RELEASE	(1ULL << 10)
/* Since ABI 1.5: &struct kmscap_client_status, mapped read-only. */
#define KMSCAP_CAP_STATUS_PAGE	(1ULL << 11)
/* Since ABI 1.5: %KMSCAP_ATTACH_FLIP_DONE_DEFER. */
#define KMSCAP_CAP_FLIP_DONE_DEFER	(1ULL << 12)
/* Since ABI 1.6: %KMSCAP_ATTACH_FRAME_RING and &struct kmscap_frame_ring. */
#define KMSCAP_CAP_FRAME_RING	(1ULL << 13)

/**
 * struct kmscap_version - ABI version and capabilities
 * @major: %KMSCAP_ABI_MAJOR of the running module; a change means an
 *	incompatible ABI.
 * @minor: %KMSCAP_ABI_MINOR; grows with compatible additions.
 * @caps: mask of KMSCAP_CAP_* bits.
 * @max_displays: how many displays may exist at once (module parameter).
 * @event_size: size in bytes of one &struct kmscap_event as read() by a
 *	client attached without %KMSCAP_ATTACH_FRAMED (the 1.0 event).
 * @max_event_size: since ABI 1.2: the largest event a client attached
 *	with %KMSCAP_ATTACH_FRAMED may read; a read() buffer this large
 *	always holds the next event.  A 1.1 module leaves it zero.
 * @pad: zero.
 *
 * The 1.0 revision ends after @event_size (24 bytes); a caller passing it
 * gets that much.
 */
struct kmscap_version {
	__u32 major;
	__u32 minor;
	__u64 caps;
	__u32 max_displays;
	__u32 event_size;
	__u32 max_event_size;
	__u32 pad;
};

/* Flags for &struct kmscap_display_create. */
#define KMSCAP_CREATE_DISCONNECTED	(1U << 0)
#define KMSCAP_CREATE_FLAGS		KMSCAP_CREATE_DISCONNECTED

/**
 * struct kmscap_display_create - create a virtual display
 * @width: preferred mode width in pixels, 64..8192.
 * @height: preferred mode height in pixels, 64..8192.
 * @refresh_mhz: preferred refresh rate in millihertz, 1000..500000
 *	(59.94 Hz is 59940).
 * @flags: KMSCAP_CREATE_* flags.
 * @id: out: the new display's id, never reused while the module lives.
 * @card_minor: out: N of the display's /dev/dri/cardN.
 * @modifiers_ptr: since ABI 1.4 (%KMSCAP_CAP_MODIFIERS): user pointer to
 *	an array of @num_modifiers __u64 DRM format modifiers that the
 *	capture consumer can read (from VA-API, EGL or Vulkan), or 0.
 * @num_modifiers: entries at @modifiers_ptr, 0..%KMSCAP_MAX_MODIFIERS; 0
 *	(and @modifiers_ptr 0) for linear buffers only, as before 1.4.
 * @pad: must be zero.
 *
 * The display belongs to the effective uid the /dev/kmscap file was
 * opened with.  Fails with -ENOSPC when the module's max_displays limit is
 * reached, and with -EDQUOT (since ABI 1.1) when that uid already owns
 * max_displays_per_user displays (CAP_SYS_ADMIN is exempt).
 *
 * The primary plane advertises (IN_FORMATS) DRM_FORMAT_MOD_LINEAR, always,
 * and the listed modifiers, for every format; ADDFB2 takes a listed
 * non-linear modifier for PRIME-imported buffers only (the display's own
 * dumb buffers are linear) and refuses the others with -EINVAL.  kmscap
 * never reads the pixels: the layout is the consumer's to decode, named by
 * the frame event's modifier.  The list is fixed for the display's life
 * (%KMSCAP_IOC_DISPLAY_CONFIG does not change it).  -EINVAL for more than
 * %KMSCAP_MAX_MODIFIERS entries, a zero count with a pointer, a
 * %DRM_FORMAT_MOD_INVALID entry, a modifier listed twice or a non-zero
 * @pad; -EFAULT for an unreadable array.  The 1.0 revision ends after
 * @card_minor (24 bytes).
 */
struct kmscap_display_create {
	__u32 width;
	__u32 height;
	__u32 refresh_mhz;
	__u32 flags;
	__u32 id;
	__u32 card_minor;
	__u64 modifiers_ptr;
	__u32 num_modifiers;
	__u32 pad;
};

/* Flags reported in &struct kmscap_display_info. */
#define KMSCAP_INFO_CONNECTED	(1U << 0)
#define KMSCAP_INFO_ACTIVE	(1U << 1)
/* Since 1.1: another user's display; clients, frames and ACTIVE read 0. */
#define KMSCAP_INFO_RESTRICTED	(1U << 2)

/**
 * struct kmscap_display_info - describe one display
 * @id: in: the display id.
 * @flags: out: KMSCAP_INFO_* flags.
 * @width: out: preferred mode width.
 * @height: out: preferred mode height.
 * @refresh_mhz: out: preferred mode refresh rate in mHz.
 * @owner_uid: out: uid that owns the display.
 * @card_minor: out: N of /dev/dri/cardN.
 * @clients: out: number of attached capture clients.
 * @frames: out: frames flipped onto the display since creation.
 *
 * @clients, @frames and %KMSCAP_INFO_ACTIVE are reported to the owner and
 * to CAP_SYS_ADMIN only; anyone else reads zeros and, since ABI 1.1,
 * %KMSCAP_INFO_RESTRICTED.
 */
struct kmscap_display_info {
	__u32 id;
	__u32 flags;
	__u32 width;
	__u32 height;
	__u32 refresh_mhz;
	__u32 owner_uid;
	__u32 card_minor;
	__u32 clients;
	__u64 frames;
};

/**
 * struct kmscap_display_list - list display ids
 * @ids_ptr: user pointer to an array of __u32, or 0 to only count.
 * @count: in: capacity of the array; out: number of displays that exist
 *	(may exceed the capacity; only capacity ids are written).
 * @pad: must be zero.
 */
struct kmscap_display_list {
	__u64 ids_ptr;
	__u32 count;
	__u32 pad;
};

/* Flags for &struct kmscap_display_config. */
#define KMSCAP_CONFIG_MODE		(1U << 0)
#define KMSCAP_CONFIG_CONNECT		(1U << 1)
#define KMSCAP_CONFIG_DISCONNECT	(1U << 2)
#define KMSCAP_CONFIG_REPLUG		(1U << 3)
#define KMSCAP_CONFIG_FLAGS	(KMSCAP_CONFIG_MODE | KMSCAP_CONFIG_CONNECT | \
				 KMSCAP_CONFIG_DISCONNECT | KMSCAP_CONFIG_REPLUG)

/**
 * struct kmscap_display_config - change a display at run time
 * @id: display id.
 * @flags: KMSCAP_CONFIG_*; at least one; CONNECT and DISCONNECT exclude
 *	each other; REPLUG (since ABI 1.3, %KMSCAP_CAP_REPLUG) excludes both.
 * @width: with %KMSCAP_CONFIG_MODE: new preferred width, else zero.
 * @height: with %KMSCAP_CONFIG_MODE: new preferred height, else zero.
 * @refresh_mhz: with %KMSCAP_CONFIG_MODE: new refresh rate, else zero.
 * @pad: must be zero.
 *
 * Every change sends a hotplug uevent on the display's DRM device, as a
 * real monitor being swapped would.
 *
 * %KMSCAP_CONFIG_REPLUG makes the change look like a monitor being
 * replaced, which is what compositors follow (many ignore a new preferred
 * mode on a monitor that stays connected): the connector goes disconnected
 * with a hotplug uevent; the call then waits until the DRM master (the
 * compositor) has probed the connector and seen it disconnected, or until
 * the module's replug_timeout_ms (default 1000) when nobody probes; then
 * the new mode (with %KMSCAP_CONFIG_MODE) is applied and the connector
 * comes back connected with a second uevent.  The display ends connected.
 * A signal cuts the wait short; the display is still reconnected and the
 * call succeeds.
 */
struct kmscap_display_config {
	__u32 id;
	__u32 flags;
	__u32 width;
	__u32 height;
	__u32 refresh_mhz;
	__u32 pad;
};

/**
 * struct kmscap_display_destroy - destroy a display
 * @id: display id.
 * @pad: must be zero.
 *
 * Attached clients get a %KMSCAP_EVENT_HANGUP event and POLLHUP; their
 * fds and exported DMA-BUFs stay valid until closed.
 */
struct kmscap_display_destroy {
	__u32 id;
	__u32 pad;
};

/* Flags for &struct kmscap_attach (since ABI 1.2; a 1.1 module says -EINVAL). */
#define KMSCAP_ATTACH_FRAMED	(1U << 0)
#define KMSCAP_ATTACH_CURRENT_FRAME	(1U << 1)
/* Since ABI 1.3 (%KMSCAP_CAP_FLIP_DONE); only with %KMSCAP_ATTACH_FRAMED. */
#define KMSCAP_ATTACH_FLIP_DONE	(1U << 2)
/* Since ABI 1.3 (%KMSCAP_CAP_AUTO_RELEASE); a 1.2 module says -EINVAL. */
#define KMSCAP_ATTACH_AUTO_RELEASE	(1U << 3)
/* Since ABI 1.5 (%KMSCAP_CAP_FLIP_DONE_DEFER); only with %KMSCAP_ATTACH_FLIP_DONE. */
#define KMSCAP_ATTACH_FLIP_DONE_DEFER	(1U << 4)
/* Since ABI 1.6 (%KMSCAP_CAP_FRAME_RING); not with %KMSCAP_ATTACH_AUTO_RELEASE. */
#define KMSCAP_ATTACH_FRAME_RING	(1U << 5)
#define KMSCAP_ATTACH_FLAGS	(KMSCAP_ATTACH_FRAMED | KMSCAP_ATTACH_CURRENT_FRAME | \
				 KMSCAP_ATTACH_FLIP_DONE | KMSCAP_ATTACH_AUTO_RELEASE | \
				 KMSCAP_ATTACH_FLIP_DONE_DEFER | KMSCAP_ATTACH_FRAME_RING)

/**
 * struct kmscap_attach - make this fd a capture client of a display
 * @display_id: display to capture.
 * @flags: KMSCAP_ATTACH_*: with %KMSCAP_ATTACH_FRAMED, read() returns
 *	framed events (&struct kmscap_event_header first), without it the
 *	1.0 &struct kmscap_event.  With %KMSCAP_ATTACH_CURRENT_FRAME, the
 *	frame on screen (if the display has shown one) is queued at once as
 *	the client's first event, so that a viewer of a static screen has a
 *	picture without waiting for a flip.  With
 *	%KMSCAP_ATTACH_AUTO_RELEASE (since ABI 1.3), a read() that returns
 *	one or more frame events first releases every frame the client
 *	still holds from its earlier reads, as %KMSCAP_IOC_RELEASE would:
 *	a client that keeps one frame in flight gets each frame with one
 *	system call.  A read() that returns no frame event (-EAGAIN, an
 *	error, a hang-up or an unknown event alone) releases nothing, so a
 *	blocking read() keeps the previous frame held while it waits.
 *	%KMSCAP_IOC_RELEASE still works on such a client.  With
 *	%KMSCAP_ATTACH_FLIP_DONE (since ABI 1.3, framed clients only:
 *	-EINVAL without %KMSCAP_ATTACH_FRAMED), the client also reads a
 *	%KMSCAP_EVENT_FLIP_DONE event when each flip published after the
 *	attach completes.  With %KMSCAP_ATTACH_FLIP_DONE_DEFER as well (since
 *	ABI 1.5), flip-done events wake nobody: poll() says POLLIN and a
 *	blocking read() returns only for a frame event (or a hang-up), and
 *	the flip-done events pending then come in the same read, so that a
 *	reader wakes once per frame; a non-blocking read() still returns
 *	the flip-done events pending (-EAGAIN only when nothing is).  With
 *	%KMSCAP_ATTACH_FRAME_RING (since ABI 1.6), frames are not read():
 *	they are written into a ring that the client maps (&struct
 *	kmscap_frame_ring); read() still returns the other events.
 * @queue_depth: unread frame events kept, 1..%KMSCAP_MAX_QUEUE, or 0 for
 *	%KMSCAP_DEFAULT_QUEUE.  When full, the oldest unread frame is dropped.
 *	As many unread flip-done events are kept, apart: when they are full
 *	the oldest flip-done event is dropped, never a frame.
 * @pad: must be zero.
 * @hold_timeout_ns: how long a frame this client holds may delay the
 *	flip that replaces it, up to %KMSCAP_MAX_HOLD_NS; 0 means one
 *	refresh period of the current mode.
 *
 * An fd attaches once; -EBUSY if already attached.
 */
struct kmscap_attach {
	__u32 display_id;
	__u32 flags;
	__u32 queue_depth;
	__u32 pad;
	__u64 hold_timeout_ns;
};

/* Flags for &struct kmscap_export. */
#define KMSCAP_EXPORT_CLOEXEC	(1U << 0)
#define KMSCAP_EXPORT_FLAGS	KMSCAP_EXPORT_CLOEXEC

/**
 * struct kmscap_export - export a display buffer as a DMA-BUF
 * @buffer_id: a buffer id seen in an event of this client.
 * @flags: KMSCAP_EXPORT_*.
 * @fd: out: a new read-only DMA-BUF fd sharing the buffer's pages (signed
 *	since ABI 1.2, as file descriptors are; the layout is unchanged).
 * @pad: must be zero.
 * @size: out: size of the DMA-BUF in bytes.
 *
 * Buffer ids are stable for the life of the buffer: export each once and
 * keep the fd.  -ENOENT if the id is unknown or the buffer is gone.
 */
struct kmscap_export {
	__u32 buffer_id;
	__u32 flags;
	__s32 fd;
	__u32 pad;
	__u64 size;
};

/**
 * struct kmscap_release - give a frame back
 * @seq: sequence number of a frame event this client read.
 *
 * Returns 0 on release, -ESTALE if the frame had already been revoked
 * because the hold timeout expired (its buffer may have been reused),
 * -ENOENT if this client holds no such frame.
 */
struct kmscap_release {
	__u64 seq;
};

/* Revocations &struct kmscap_client_status remembers. */
#define KMSCAP_STATUS_REVOKED	32

/**
 * struct kmscap_client_status - what a client learns without a system call
 * @revokes: how many frames this client had read were revoked (their hold
 *	timeout expired, or their buffer was redrawn in place) since the
 *	file was opened; wraps around at 2^32.
 * @pad: zero.
 * @revoked_seq: the seq of the revocation number n (counting from 0) is
 *	in @revoked_seq[n % %KMSCAP_STATUS_REVOKED], written before @revokes
 *	becomes n + 1.
 *
 * Since ABI 1.5 (%KMSCAP_CAP_STATUS_PAGE), mmap() of one page at offset 0
 * of a /dev/kmscap file, PROT_READ and MAP_SHARED (a writable or
 * executable mapping is -EPERM, another length or offset -EINVAL), maps
 * this structure at the start of the page; the rest of the page is zero.
 * The module writes it when it revokes a frame, before the flip that
 * revoked it completes.  A client that has read a frame and then finds
 * its seq among the revocations must assume that what it read of the
 * buffer may be torn; one that does not find it there once it has
 * finished reading the buffer knows what a %KMSCAP_IOC_RELEASE returning
 * 0 at that moment would have told it, without the call.  Read @revokes with acquire
 * semantics, then the slots; the slots of revocations n .. m-1 are intact
 * if @revokes, read again afterwards, is below n + %KMSCAP_STATUS_REVOKED.
 * The mapping stays valid after close().
 */
struct kmscap_client_status {
	__u32 revokes;
	__u32 pad;
	__u64 revoked_seq[KMSCAP_STATUS_REVOKED];
};

/**
 * DOC: io_uring commands (since ABI 1.5, %KMSCAP_CAP_URING_RELEASE)
 *
 * A client that waits for its frames in an io_uring can give them back in
 * the same ring, so that one io_uring_enter() submits the release of one
 * frame together with the read of the next.  The submission entry is an
 * IORING_OP_URING_CMD on the client's fd with:
 *
 * - cmd_op: %KMSCAP_IOC_RELEASE (the only command; others complete with
 *   -ENOTTY);
 * - the command area (sqe->cmd, 16 bytes, or 80 in a ring set up with
 *   IORING_SETUP_SQE128): a &struct kmscap_release at its start, every
 *   byte after it zero (else -EINVAL);
 * - uring_cmd_flags zero (no registered buffer; else -EINVAL).
 *
 * The completion's res is what the ioctl would return: 0, -ESTALE,
 * -ENOENT, or -EINVAL when the fd is not attached.  IOSQE_CQE_SKIP_SUCCESS
 * lets a client hear only of failures.
 */

/**
 * struct kmscap_client_stats - counters of this capture client
 * @flips: frames flipped onto the display while attached, and the frame
 *	on screen queued at attach (%KMSCAP_ATTACH_CURRENT_FRAME).
 * @delivered: frames read and released (or held at detach) in time.
 * @dropped_queue: frames dropped unread because the queue was full.
 * @dropped_timeout: frames revoked because the hold timeout expired,
 *	read or not.
 * @queued: frames queued and not yet read, now.
 * @held: frames read and not yet released, now.
 * @revoked_unreleased: revoked frames the client has not released yet.
 * @max_hold_wait_ns: longest time a flip waited for this client.
 *
 * At every moment: flips == delivered + dropped_queue + dropped_timeout +
 * queued + held.
 */
struct kmscap_client_stats {
	__u64 flips;
	__u64 delivered;
	__u64 dropped_queue;
	__u64 dropped_timeout;
	__u64 queued;
	__u64 held;
	__u64 revoked_unreleased;
	__u64 max_hold_wait_ns;
};

/* &struct kmscap_event.type */
#define KMSCAP_EVENT_FRAME	1
#define KMSCAP_EVENT_HANGUP	2
/* Since ABI 1.3: framed clients attached with %KMSCAP_ATTACH_FLIP_DONE. */
#define KMSCAP_EVENT_FLIP_DONE	3

/* &struct kmscap_event_flip_done.flags */
#define KMSCAP_FLIP_DONE_WAITED		(1U << 0)

/*
 * &struct kmscap_event.flags.  FULL_DAMAGE: the whole frame changed, for
 * the client as well as on the display: set (and no rectangles given) on
 * the first frame event a client reads and on every frame event with
 * dropped > 0 (since ABI 1.2), as the client cannot have the previous
 * picture the rectangles are relative to.
 */
#define KMSCAP_FRAME_FULL_DAMAGE	(1U << 0)
#define KMSCAP_FRAME_NEW_MODE		(1U << 1)
#define KMSCAP_FRAME_DISCONNECTED	(1U << 2)
#define KMSCAP_FRAME_BLANK		(1U << 3)
#define KMSCAP_FRAME_CURSOR_VISIBLE	(1U << 4)
#define KMSCAP_FRAME_CURSOR_MOVED	(1U << 5)
#define KMSCAP_FRAME_CURSOR_CHANGED	(1U << 6)
#define KMSCAP_FRAME_DAMAGE_MERGED	(1U << 7)
#define KMSCAP_FRAME_FIRST		(1U << 8)

/**
 * struct kmscap_rect - a damaged rectangle in framebuffer pixels
 * @x1: left, inclusive.
 * @y1: top, inclusive.
 * @x2: right, exclusive.
 * @y2: bottom, exclusive.
 */
struct kmscap_rect {
	__u32 x1;
	__u32 y1;
	__u32 x2;
	__u32 y2;
};

/**
 * struct kmscap_event_header - the start of every framed event
 * @type: KMSCAP_EVENT_*; a reader skips the types it does not know.
 * @length: bytes of the whole event, this header included: a multiple of
 *	8, at least 8.  The next event starts @length bytes after this one.
 *
 * Read by clients attached with %KMSCAP_ATTACH_FRAMED.  read() returns
 * whole events only, as many as fit (-EINVAL when the next one does not
 * fit: a buffer of &kmscap_version.max_event_size bytes always does).  A
 * newer module may append fields to an event type, so @length may exceed
 * the structure a reader knows (read the fields it knows, skip the rest),
 * never fall short of the 1.2 size of the type.
 */
struct kmscap_event_header {
	__u32 type;
	__u32 length;
};

/**
 * struct kmscap_event_frame - a framed %KMSCAP_EVENT_FRAME event
 * @base: type %KMSCAP_EVENT_FRAME and length, which is @damage_offset +
 *	@num_damage * sizeof(&struct kmscap_rect).
 * @flags: KMSCAP_FRAME_* flags.
 * @display_id: display the event belongs to.
 * @seq: frame sequence number on the display, from 1, increasing by one
 *	per flip.
 * @timestamp_ns: CLOCK_MONOTONIC time of the flip, in ns.
 * @dropped: frames this client lost since its previous frame event.
 * @buffer_id: stable id of the primary plane's buffer (0 when blank).
 * @format: DRM fourcc of the buffer.
 * @modifier: DRM format modifier of the buffer.
 * @width: framebuffer width in pixels.
 * @height: framebuffer height in pixels.
 * @num_planes: number of valid @pitches / @offsets.
 * @pad: zero.
 * @pitches: bytes per line of each plane.
 * @offsets: byte offset of each plane in the buffer.
 * @src_x: visible source rectangle, left, in pixels.
 * @src_y: visible source rectangle, top.
 * @src_w: visible source rectangle, width.
 * @src_h: visible source rectangle, height.
 * @mode_width: active mode width.
 * @mode_height: active mode height.
 * @refresh_mhz: active mode refresh rate in mHz.
 * @num_damage: number of &struct kmscap_rect at @damage_offset; zero with
 *	%KMSCAP_FRAME_FULL_DAMAGE (the whole frame changed).  Up to
 *	%KMSCAP_MAX_DAMAGE today; a reader must not assume a limit.
 * @damage_offset: where the damage rectangles start, in bytes from the
 *	start of the event: after every field the module knows, so that
 *	fields appended later move it.
 * @cursor_buffer_id: buffer id of the cursor image, 0 when hidden.
 * @cursor_x: cursor plane's left edge on the CRTC (may be negative).
 * @cursor_y: cursor plane's top edge on the CRTC (may be negative).
 * @cursor_format: DRM fourcc of the cursor buffer.
 * @cursor_width: cursor image width.
 * @cursor_height: cursor image height.
 * @cursor_hot_x: cursor hotspot, from the left of the image.
 * @cursor_hot_y: cursor hotspot, from the top of the image.
 * @cursor_pitch: bytes per line of the cursor buffer.
 *
 * The fields mean what they mean in &struct kmscap_event.  A frame event
 * holds its frame: release it with %KMSCAP_IOC_RELEASE.
 */
struct kmscap_event_frame {
	struct kmscap_event_header base;
	__u32 flags;
	__u32 display_id;
	__u64 seq;
	__u64 timestamp_ns;
	__u64 dropped;
	__u32 buffer_id;
	__u32 format;
	__u64 modifier;
	__u32 width;
	__u32 height;
	__u32 num_planes;
	__u32 pad;
	__u32 pitches[4];
	__u32 offsets[4];
	__u32 src_x;
	__u32 src_y;
	__u32 src_w;
	__u32 src_h;
	__u32 mode_width;
	__u32 mode_height;
	__u32 refresh_mhz;
	__u32 num_damage;
	__u32 damage_offset;
	__u32 cursor_buffer_id;
	__s64 cursor_x;
	__s64 cursor_y;
	__u32 cursor_format;
	__u32 cursor_width;
	__u32 cursor_height;
	__u32 cursor_hot_x;
	__u32 cursor_hot_y;
	__u32 cursor_pitch;
};

/**
 * struct kmscap_event_hangup - a framed %KMSCAP_EVENT_HANGUP event
 * @base: type %KMSCAP_EVENT_HANGUP and length.
 * @display_id: the display that was destroyed.
 * @pad: zero.
 * @seq: the sequence number of its last frame.
 * @timestamp_ns: CLOCK_MONOTONIC time of the hang-up, in ns.
 *
 * The last event; read() returns 0 afterwards.
 */
struct kmscap_event_hangup {
	struct kmscap_event_header base;
	__u32 display_id;
	__u32 pad;
	__u64 seq;
	__u64 timestamp_ns;
};

/**
 * struct kmscap_event_flip_done - a framed %KMSCAP_EVENT_FLIP_DONE event
 * @base: type %KMSCAP_EVENT_FLIP_DONE and length (64 in ABI 1.3).
 * @flags: KMSCAP_FLIP_DONE_* flags: %KMSCAP_FLIP_DONE_WAITED when the
 *	flip waited for a capture client (of any fd) to give back a buffer
 *	it took off the screen.
 * @display_id: the display.
 * @seq: the seq of the frame whose flip completed, as in its frame event.
 *	The client may not have read that frame (dropped from its queue,
 *	revoked): the flip happened all the same.
 * @vblank_seq: the display's vblank counter when the flip completed: the
 *	sequence the compositor's DRM page-flip event carries (which has its
 *	low 32 bits).
 * @timestamp_ns: CLOCK_MONOTONIC time of that vblank, in ns: the time the
 *	compositor's page-flip event carries (in microseconds).
 * @commit_ns: CLOCK_MONOTONIC time of the commit, in ns: the frame
 *	event's timestamp_ns.
 * @hold_wait_ns: with %KMSCAP_FLIP_DONE_WAITED, how long the flip waited
 *	for the buffers to be given back; else 0.
 * @dropped: flip-done events this client lost (its flip-done queue was
 *	full) since its previous flip-done event.
 *
 * Sent, after the frame event of the same @seq, when the flip completes:
 * when the compositor's page-flip event (and out-fence) is signalled, or,
 * for a commit without one, when DRM considers the flip done.  One per
 * flip published after the attach, in the order the flips complete.  It
 * holds nothing and needs no release.
 */
struct kmscap_event_flip_done {
	struct kmscap_event_header base;
	__u32 flags;
	__u32 display_id;
	__u64 seq;
	__u64 vblank_seq;
	__u64 timestamp_ns;
	__u64 commit_ns;
	__u64 hold_wait_ns;
	__u64 dropped;
};

/**
 * struct kmscap_event - one 1.0 event, as returned by read() on a client fd
 *	attached without %KMSCAP_ATTACH_FRAMED
 * @type: KMSCAP_EVENT_*.
 * @flags: KMSCAP_FRAME_* flags.
 * @seq: frame sequence number on the display, from 1, increasing by one
 *	per flip; for a hang-up, the last frame's sequence number.
 * @timestamp_ns: CLOCK_MONOTONIC time of the flip, in ns.
 * @display_id: display the event belongs to.
 * @buffer_id: stable id of the primary plane's buffer (0 when blank).
 * @format: DRM fourcc of the buffer.
 * @width: framebuffer width in pixels.
 * @height: framebuffer height in pixels.
 * @num_planes: number of valid @pitches / @offsets.
 * @modifier: DRM format modifier of the buffer.
 * @pitches: bytes per line of each plane.
 * @offsets: byte offset of each plane in the buffer.
 * @src_x: visible source rectangle, left, in pixels.
 * @src_y: visible source rectangle, top.
 * @src_w: visible source rectangle, width.
 * @src_h: visible source rectangle, height.
 * @mode_width: active mode width.
 * @mode_height: active mode height.
 * @refresh_mhz: active mode refresh rate in mHz.
 * @num_damage: number of valid @damage rectangles; with
 *	%KMSCAP_FRAME_FULL_DAMAGE it is zero and the whole frame changed.
 * @damage: damaged rectangles; more than %KMSCAP_MAX_DAMAGE are merged
 *	into one bounding box and %KMSCAP_FRAME_DAMAGE_MERGED is set.
 * @cursor_x: cursor plane's left edge on the CRTC (may be negative).
 * @cursor_y: cursor plane's top edge on the CRTC (may be negative).
 * @cursor_buffer_id: buffer id of the cursor image, 0 when hidden.
 * @cursor_format: DRM fourcc of the cursor buffer.
 * @cursor_width: cursor image width.
 * @cursor_height: cursor image height.
 * @cursor_hot_x: cursor hotspot, from the left of the image.
 * @cursor_hot_y: cursor hotspot, from the top of the image.
 * @cursor_pitch: bytes per line of the cursor buffer.
 * @pad: zero.
 * @dropped: frames this client lost since its previous frame event.
 *
 * A frame event holds its frame: release it with %KMSCAP_IOC_RELEASE.
 */
struct kmscap_event {
	__u32 type;
	__u32 flags;
	__u64 seq;
	__u64 timestamp_ns;
	__u32 display_id;
	__u32 buffer_id;
	__u32 format;
	__u32 width;
	__u32 height;
	__u32 num_planes;
	__u64 modifier;
	__u32 pitches[4];
	__u32 offsets[4];
	__u32 src_x;
	__u32 src_y;
	__u32 src_w;
	__u32 src_h;
	__u32 mode_width;
	__u32 mode_height;
	__u32 refresh_mhz;
	__u32 num_damage;
	struct kmscap_rect damage[KMSCAP_MAX_DAMAGE];
	__s64 cursor_x;
	__s64 cursor_y;
	__u32 cursor_buffer_id;
	__u32 cursor_format;
	__u32 cursor_width;
	__u32 cursor_height;
	__u32 cursor_hot_x;
	__u32 cursor_hot_y;
	__u32 cursor_pitch;
	__u32 pad;
	__u64 dropped;
};

/**
 * DOC: the frame ring (since ABI 1.6, %KMSCAP_CAP_FRAME_RING)
 *
 * A client attached with %KMSCAP_ATTACH_FRAME_RING gets its frames
 * without a system call: the module writes each frame event into a slot
 * of a ring that the client maps, and the client takes a frame and gives
 * it back by changing the slot's state with an atomic compare-and-swap.
 * poll() still says when a frame is ready, so a client that waits in
 * poll() or epoll pays one system call per frame, its wait.
 *
 * mmap() of %KMSCAP_RING_SIZE(depth) bytes (depth: the attach's
 * queue_depth, or %KMSCAP_DEFAULT_QUEUE for 0) at offset
 * %KMSCAP_RING_OFFSET, PROT_READ | PROT_WRITE and MAP_SHARED, maps the
 * ring: a &struct kmscap_frame_ring, then its slots.  A shorter mapping of the
 * same offset, in whole pages, is allowed; a longer one, a private or an
 * executable one is -EINVAL, -EINVAL or -EPERM, and so is a mapping of a
 * file attached without the flag (-ENODEV).  The mapping stays valid
 * after close().
 *
 * Each slot's @state holds a KMSCAP_SLOT_* value in its low byte:
 *
 * - %KMSCAP_SLOT_EMPTY: the module's; nothing to read.
 * - %KMSCAP_SLOT_READY: a frame the client may take (-> HELD) or give
 *   back unread (-> DONE); the module may still drop it (-> EMPTY) when
 *   the ring is full or its hold timeout expires, as it drops an unread
 *   frame of a read() client.
 * - %KMSCAP_SLOT_HELD: the client's: its event and its buffers are the
 *   client's to read until it gives the frame back (-> DONE).  The
 *   module may revoke it (-> REVOKED), as it revokes a read frame.
 * - %KMSCAP_SLOT_DONE: given back; the module's again.
 * - %KMSCAP_SLOT_REVOKED: revoked: what the client read of the buffers
 *   may be torn (what %KMSCAP_IOC_RELEASE's -ESTALE says); the client
 *   gives it back (-> DONE) when it is done with the event.
 *
 * The client changes a slot only by compare-and-swap from a state it
 * read, with sequentially consistent ordering, and reads @ev only while
 * the slot is HELD or REVOKED by its own swap.  %KMSCAP_SLOT_WANTED may
 * be set by the module in any state: a flip waits for this frame.  A
 * client that gives back a frame whose state had it then calls
 * %KMSCAP_IOC_RELEASE with seq 0, which makes the module take back every
 * frame given back and lets the flip complete at once; without that call
 * the module finds the frame given back within one refresh period, and
 * the flip completes then.  A client that gives frames back before the
 * next flip needs no such call.
 *
 * Each frame counts as a read() frame does: taken and given back it is
 * delivered, dropped or revoked as above, and %KMSCAP_IOC_STATS counts
 * it so.  The module writes a slot only while it owns it (EMPTY, DONE),
 * its @ev first and its @state last (store-release), then increments
 * &kmscap_frame_ring.published; a slot that the client leaves REVOKED stays
 * the client's.  When no slot is the module's, the oldest READY frame
 * is dropped for the new one; when every slot is HELD or REVOKED the new
 * frame is dropped (both count as dropped_queue).  An event's damage and
 * @dropped are relative to the frame written before it: a client that did
 * not take the frame of seq - 1 (it gave it back unread, or the module
 * dropped it, possibly after this one was written) treats this one as
 * fully damaged.  %KMSCAP_FRAME_GAMMA_CHANGED and %KMSCAP_FRAME_NEW_MODE
 * of a frame the module drops unread are carried by the next frame it
 * writes; a client that gives back frames unread carries them itself.
 * read() on such a client returns the
 * hang-up, flip-done and other events, never a frame.
 *
 * %KMSCAP_IOC_RELEASE with the seq of a HELD or REVOKED frame gives it
 * back as the swap would (0, or -ESTALE); with seq 0, on such a client,
 * it only takes back the frames given back, and returns 0.
 */
#define KMSCAP_RING_OFFSET	0x100000ULL

/* &struct kmscap_ring_slot.state */
#define KMSCAP_SLOT_EMPTY	0U
#define KMSCAP_SLOT_READY	1U
#define KMSCAP_SLOT_HELD	2U
#define KMSCAP_SLOT_DONE	3U
#define KMSCAP_SLOT_REVOKED	4U
#define KMSCAP_SLOT_STATE	0xffU
#define KMSCAP_SLOT_WANTED	(1U << 31)

/**
 * struct kmscap_ring_slot - one frame of the frame ring
 * @state: KMSCAP_SLOT_* state, and %KMSCAP_SLOT_WANTED.
 * @pad: zero.
 * @seq: the frame's seq, written with @ev: a hint to choose among READY
 *	slots before taking one; @ev.seq is the frame's once taken.
 * @ev: the frame event, as a client attached without
 *	%KMSCAP_ATTACH_FRAMED reads it.
 */
struct kmscap_ring_slot {
	__u32 state;
	__u32 pad;
	__u64 seq;
	struct kmscap_event ev;
};

/**
 * struct kmscap_frame_ring - the start of the frame ring
 * @slots: how many slots follow: the attach's queue depth.
 * @slot_size: sizeof(&struct kmscap_ring_slot).
 * @slot_offset: where slot 0 starts, from the start of the ring.
 * @pad: zero.
 * @published: frames written into the ring so far (store-release after
 *	the slot's state): a client that saw this value before will find no
 *	new frame.
 * @reserved: zero.
 *
 * Only the module writes it; it never reads it back.
 */
struct kmscap_frame_ring {
	__u32 slots;
	__u32 slot_size;
	__u32 slot_offset;
	__u32 pad;
	__u64 published;
	__u64 reserved[5];
};

#define KMSCAP_RING_SIZE(depth) \
	((sizeof(struct kmscap_frame_ring) + (depth) * sizeof(struct kmscap_ring_slot) + 4095) & \
	 ~4095ULL)

/*
 * Gamma (since ABI 1.3).  A display's CRTC has a gamma LUT of
 * %KMSCAP_GAMMA_SIZE entries, set as a monitor's would be: the legacy
 * gamma ioctl (drmModeCrtcSetGamma) or the atomic GAMMA_LUT property.
 * kmscap never scans out, so the module applies it to no pixel: a capture
 * client learns it (%KMSCAP_FRAME_GAMMA_CHANGED, then
 * %KMSCAP_IOC_DISPLAY_GAMMA) and applies it or says that it does not.
 */
#define KMSCAP_CAP_GAMMA		(1ULL << 6)
#define KMSCAP_GAMMA_SIZE		256
/*
 * &struct kmscap_event.flags: the first frame event a client reads whose
 * frame has another gamma LUT than the previous frame event it read, and
 * the first frame event after attach when the frame has a LUT at all.
 */
#define KMSCAP_FRAME_GAMMA_CHANGED	(1U << 9)
/* &struct kmscap_display_gamma.out_flags */
#define KMSCAP_GAMMA_RESTRICTED		(1U << 0)

/**
 * struct kmscap_gamma_entry - one entry of a gamma LUT
 * @red: output red for input index i, 0..0xffff (full scale).
 * @green: output green, 0..0xffff.
 * @blue: output blue, 0..0xffff.
 * @pad: zero.
 *
 * Entry i of an n-entry LUT maps the input value i / (n - 1) of each
 * channel (as DRM's &struct drm_color_lut does), so the identity LUT has
 * i * 0xffff / (n - 1) in every channel.
 */
struct kmscap_gamma_entry {
	__u32 red;
	__u32 green;
	__u32 blue;
	__u32 pad;
};

/**
 * struct kmscap_display_gamma - read a display's gamma LUT
 * @id: in: the display id.
 * @flags: in: must be zero.
 * @entries_ptr: in: user pointer to an array of &struct kmscap_gamma_entry,
 *	or 0 to learn only @count.
 * @count: in: capacity of the array in entries; out: entries of the LUT,
 *	0 when the display has none (the identity).  Only min(capacity,
 *	LUT size) entries are written.
 * @out_flags: out: KMSCAP_GAMMA_* flags; its value in is ignored.
 * @seq: out: sequence number of the first frame that showed the LUT as it
 *	is (or showed its removal), 0 when no frame ever had a LUT.
 *
 * The LUT is that of the frame on screen, the newest one published; a
 * frame event with %KMSCAP_FRAME_GAMMA_CHANGED whose seq is below @seq
 * had an older LUT.  Anyone may ask, as with %KMSCAP_IOC_DISPLAY_INFO;
 * for another user's display (and without CAP_SYS_ADMIN) @count and @seq
 * read 0 and %KMSCAP_GAMMA_RESTRICTED is set.  -ENOENT for an unknown id.
 */
struct kmscap_display_gamma {
	__u32 id;
	__u32 flags;
	__u64 entries_ptr;
	__u32 count;
	__u32 out_flags;
	__u64 seq;
};

#define KMSCAP_IOC_VERSION	_IOR(KMSCAP_IOC_MAGIC, 0x00, struct kmscap_version)
#define KMSCAP_IOC_DISPLAY_CREATE \
	_IOWR(KMSCAP_IOC_MAGIC, 0x01, struct kmscap_display_create)
#define KMSCAP_IOC_DISPLAY_INFO \
	_IOWR(KMSCAP_IOC_MAGIC, 0x02, struct kmscap_display_info)
#define KMSCAP_IOC_DISPLAY_LIST \
	_IOWR(KMSCAP_IOC_MAGIC, 0x03, struct kmscap_display_list)
#define KMSCAP_IOC_DISPLAY_CONFIG \
	_IOW(KMSCAP_IOC_MAGIC, 0x04, struct kmscap_display_config)
#define KMSCAP_IOC_DISPLAY_DESTROY \
	_IOW(KMSCAP_IOC_MAGIC, 0x05, struct kmscap_display_destroy)
#define KMSCAP_IOC_ATTACH	_IOW(KMSCAP_IOC_MAGIC, 0x06, struct kmscap_attach)
#define KMSCAP_IOC_EXPORT	_IOWR(KMSCAP_IOC_MAGIC, 0x07, struct kmscap_export)
#define KMSCAP_IOC_RELEASE	_IOW(KMSCAP_IOC_MAGIC, 0x08, struct kmscap_release)
#define KMSCAP_IOC_STATS	_IOR(KMSCAP_IOC_MAGIC, 0x09, struct kmscap_client_stats)
#define KMSCAP_IOC_DISPLAY_GAMMA \
	_IOWR(KMSCAP_IOC_MAGIC, 0x0A, struct kmscap_display_gamma)

#endif /* _UAPI_KMSCAP_H */
