/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmscap private header: the objects and which lock guards each field.
 *
 * Lock order (outer to inner):
 *   DRM modeset locks (taken by the DRM core around commits)
 *     > kmscap_display.config_lock (mutex)
 *   kmscap_client.read_lock (mutex)
 *     > kmscap_display.capture_lock (spinlock, never taken from IRQ)
 *   kmscap_displays_lock (mutex, main.c) is a leaf: held only to read or
 *   change the registry (ATTACH takes it under read_lock), never across
 *   the creation or teardown of a DRM device.
 *
 * Framebuffers, GEM objects and frames are never released with
 * capture_lock held: code that ends holds under the lock moves them to a
 * local list and puts them after unlocking (kmscap_hold_free_list()).
 * Flip-done events of waiting flips are sent by the display's hold_work,
 * with capture_lock dropped, under the DRM device's event_lock.  The
 * DRM device's event_lock (IRQ-safe, taken in the vblank timer) and
 * capture_lock are never held together: completed flips are collected
 * under the former (@presented) and given to clients under the latter
 * by present_work.
 */
#ifndef _KMSCAP_DRV_H_
#define _KMSCAP_DRV_H_

#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/task_work.h>
#include <linux/workqueue.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <drm/drm_atomic.h>
#include <drm/drm_connector.h>
#include <drm/drm_crtc.h>
#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_encoder.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_plane.h>

#include "../include/uapi/kmscap.h"

#define KMSCAP_NAME		"kmscap"
#define KMSCAP_CURSOR_MAX	256
/* Revoked frames a client has not released are remembered up to this. */
#define KMSCAP_MAX_REVOKED	64
/* The largest framed event: a frame with all its damage rectangles. */
#define KMSCAP_EVENT_FRAMED_MAX	(sizeof(struct kmscap_event_frame) + \
				 KMSCAP_MAX_DAMAGE * sizeof(struct kmscap_rect))

extern unsigned int kmscap_max_displays;
extern unsigned int kmscap_replug_timeout_ms;

/**
 * struct kmscap_bo - a GEM object of a kmscap display (dumb or imported)
 * @shmem: the shmem helper object; @shmem.base is the GEM object.
 * @disp: display whose DRM device owns the object.
 * @id: capture buffer id, 0 until the object is first scanned out;
 *	set once under @disp->capture_lock, then constant.
 *
 * Backpressure is tracked per buffer (backpressure.c), under
 * @disp->capture_lock:
 * @pins: active holds (unread or read, not revoked, not released) on
 *	frames that show this buffer, as primary or cursor image.
 * @waiters: flips whose completion waits for @pins to reach 0.
 * @replaced_at: when the first of @waiters started waiting; the holds'
 *	timeouts run from there.  0 while nobody waits.
 */
struct kmscap_bo {
	struct drm_gem_shmem_object shmem;
	struct kmscap_display *disp;
	u32 id;
	u32 pins;
	u32 waiters;
	ktime_t replaced_at;
};

static inline struct kmscap_bo *to_kmscap_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct kmscap_bo, shmem);
}

/**
 * struct kmscap_frame - one flip as seen by capture clients
 * @ref: references: the display's current frame, and each hold.
 * @disp: display of the frame (the frame holds no display reference; a
 *	frame never outlives its holders, which do).
 * @fb: primary framebuffer (reference held) or NULL when blank.
 * @cursor_fb: cursor framebuffer (reference held) or NULL.
 * @holds: active holds on this frame, each pinning the frame's buffers,
 *	under @disp->capture_lock.
 * @ev: the event sent to clients; constant after publication.
 * @gamma_lut: the CRTC's GAMMA_LUT blob (reference held), NULL for none;
 *	constant after the frame is filled.
 * @gamma_seq: seq of the first frame that showed @gamma_lut as it is, 0
 *	if no frame ever had a LUT; set at publication, under capture_lock.
 */
struct kmscap_frame {
	struct kref ref;
	struct kmscap_display *disp;
	struct drm_framebuffer *fb;
	struct drm_framebuffer *cursor_fb;
	struct list_head holds;
	struct kmscap_event ev;
	struct drm_property_blob *gamma_lut;
	u64 gamma_seq;
};

/**
 * struct kmscap_presented - a completed flip, as its flip-done event tells
 * @order: the client's event order (&kmscap_display.event_order).
 * @seq: the frame's seq.
 * @vblank: the vblank counter at completion.
 * @time_ns: that vblank's CLOCK_MONOTONIC time.
 * @commit_ns: the frame's commit time.
 * @wait_ns: how long the flip waited for holds.
 * @flags: KMSCAP_FLIP_DONE_*.
 */
struct kmscap_presented {
	u64 order;
	u64 seq;
	u64 vblank;
	u64 time_ns;
	u64 commit_ns;
	u64 wait_ns;
	u32 flags;
};

/**
 * struct kmscap_present - the record of one frame's flip completion
 * @hook: stands in for the completion of the commit's DRM event, whose
 *	sending (at a vblank, in any context) calls kmscap_present_hooked()
 *	under the DRM device's event_lock.
 * @orig: the event's own completion (DRM's flip_done), or NULL.
 * @orig_release: its release callback, or NULL.
 * @disp: the display.
 * @link: in @disp->presented once done, under the DRM event_lock.
 * @info: what clients are told.
 *
 * Allocated with the commit (kmscap_atomic_commit()) so that the commit
 * tail cannot fail; freed by present_work once clients have it.
 */
struct kmscap_present {
	struct completion hook;
	struct completion *orig;
	void (*orig_release)(struct completion *completion);
	struct kmscap_display *disp;
	struct list_head link;
	struct kmscap_presented info;
};

/**
 * struct kmscap_flip - a commit that took a pinned buffer off the screen
 * @ref: one for @disp->flips, one for a blocking committer's task_work,
 *	one for the event that completes it once its holds end.
 * @link: in @disp->flips, in commit order, under capture_lock.
 * @disp: the display.
 * @event: the commit's flip-done event (with its out-fence), sent only
 *	when the flip completes; NULL when userspace asked for none.
 * @bos: the buffers that left the screen while pinned (GEM reference
 *	held); the flip completes when none of them is pinned any more.
 * @nbos: entries of @bos.
 * @seq: the sequence number of the frame the commit published.
 * @start: when the wait began.
 * @waited_ns: how long it waited, set when it completes.
 * @present: the frame's flip completion record, reported when the flip
 *	completes; NULL if none.
 * @sent: the completion of the event that completes the flip at the
 *	vblank after its holds end; its release completes @done.
 * @done: completed with the flip; a blocking commit waits for it in
 *	@twork, on its way back to userspace, without any lock held.
 * @twork: the task_work of a blocking commit.
 */
struct kmscap_flip {
	struct kref ref;
	struct list_head link;
	struct kmscap_display *disp;
	struct drm_pending_vblank_event *event;
	struct kmscap_bo *bos[2];
	unsigned int nbos;
	u64 seq;
	ktime_t start;
	u64 waited_ns;
	struct kmscap_present *present;
	struct completion sent;
	struct completion done;
	struct callback_head twork;
};

/**
 * struct kmscap_atomic_state - an atomic state with what its commit needs
 * @base: the DRM state.
 * @frame: the frame the commit will publish, allocated before the commit
 *	starts so that the commit tail cannot fail; NULL once published.
 * @flip: likewise for the flip record; NULL once used.
 * @present: likewise for the flip completion record; NULL once used.
 * @seq: the sequence number of the frame published, 0 if none.
 */
struct kmscap_atomic_state {
	struct drm_atomic_state base;
	struct kmscap_frame *frame;
	struct kmscap_flip *flip;
	struct kmscap_present *present;
	u64 seq;
};

static inline struct kmscap_atomic_state *to_kmscap_atomic_state(struct drm_atomic_state *s)
{
	return container_of(s, struct kmscap_atomic_state, base);
}

/**
 * struct kmscap_hold - a client's claim on a frame
 * @client_link: in @client->queue (unread) or @client->held (read), under
 *	capture_lock.
 * @frame_link: in @frame->holds while the hold is active, pinning the
 *	frame's buffers; empty once revoked or released.
 * @frame: the frame (reference held).
 * @client: the client.
 * @order: the client's event order when queued (&kmscap_display.event_order).
 * @read: the client has read the event (a ring client: taken the slot,
 *	as far as the module has seen).
 * @revoked: the hold timeout expired; the buffer may be reused.
 * @slot: a ring client's slot of the frame (ring.c); constant.
 * @carry: the flags of a ring client's event that its next event must
 *	carry if this one is dropped unread (%KMSCAP_RING_CARRY); constant.
 */
struct kmscap_hold {
	struct list_head client_link;
	struct list_head frame_link;
	struct kmscap_frame *frame;
	struct kmscap_client *client;
	u64 order;
	bool read;
	bool revoked;
	u32 slot;
	u32 carry;
};

/**
 * struct kmscap_client - an open /dev/kmscap file
 * @read_lock: serialises read() against itself.
 * @disp: attached display (drm_dev reference held), NULL before attach.
 *	Set once under capture_lock; stable afterwards.
 * @id: the client's id in tracepoints, from 1, set at attach (global,
 *	never reused while the module is loaded); 0 before.
 * @link: in @disp->clients, under capture_lock.
 * @wq: woken on new events and on hang-up.
 * @file: the open file, constant; its f_cred decides what the client
 *	may do (kmscap_display_permitted()).
 * @framed: attached with %KMSCAP_ATTACH_FRAMED: reads framed events, else
 *	1.0 ones.  Set at attach, before @disp; constant afterwards.
 * @auto_release: attached with %KMSCAP_ATTACH_AUTO_RELEASE: a read that
 *	returns frame events releases the frames read before.  Set like
 *	@framed.
 * @flip_done_defer: attached with %KMSCAP_ATTACH_FLIP_DONE_DEFER: flip-done
 *	events alone make the client neither readable nor woken.  Set like
 *	@framed.
 * @gamma_seq: &kmscap_frame.gamma_seq of the last frame event read() gave
 *	the client, under @read_lock.
 *
 * The following are guarded by @disp->capture_lock:
 * @queue: unread holds, oldest first.
 * @held: read holds, including revoked ones not yet released.
 * @nqueued: length of @queue.
 * @nrevoked: revoked holds in @held.
 * @queue_depth: maximum of @nqueued.
 * @hold_timeout_ns: hold timeout, 0 for one refresh period (capped at
 *	%KMSCAP_MAX_HOLD_NS).
 * @dropped_since: frames lost since the last frame event read.
 * @first_pending: the next frame event read is the first.
 * @hangup: the display was destroyed.
 * @hangup_read: the hang-up event was read.
 * @flip_done: attached with %KMSCAP_ATTACH_FLIP_DONE: @done_ring holds
 *	@queue_depth entries.  Constant after attach.
 * @done_from: the seq of the first frame whose flip-done it gets.
 * @done_ring: unread flip-done events, a ring of @queue_depth entries,
 *	oldest at @done_head; freed when the client is.
 * @done_head: the oldest entry.
 * @ndone: entries in @done_ring.
 * @done_dropped: flip-done events lost since the last one read.
 * @inject_type: a framed client's next event is one of this type, unknown
 *	to the ABI, 0 for none (debugfs inject_event, for testing readers).
 * @stats: counters as reported by %KMSCAP_IOC_STATS.
 *
 * @status_page: the status page (status.c), from open to the file's
 *	release; a mapping of it holds its own reference.
 * @status: its contents, written under @disp->capture_lock.
 *
 * The frame ring (ring.c), of a client attached with
 * %KMSCAP_ATTACH_FRAME_RING, allocated at attach, freed at the file's
 * release; a mapping holds its own references to the pages:
 * @ring_pages: its pages; set before @disp (store-release), constant.
 * @ring_npages: entries of @ring_pages.
 * @ring: the pages, mapped for the module; slots are written under
 *	@disp->capture_lock, their states changed by compare-and-swap, as
 *	the client changes them too.
 * @ring_published: frames written into the ring, under capture_lock.
 * @ring_carry: flags of events dropped unread that the next event
 *	written carries, under capture_lock.
 */
struct kmscap_client {
	struct mutex read_lock;
	struct kmscap_display *disp;
	u32 id;
	struct list_head link;
	wait_queue_head_t wq;
	struct file *file;
	bool framed;
	bool auto_release;
	bool flip_done_defer;
	u64 gamma_seq;
	struct list_head queue;
	struct list_head held;
	u32 nqueued;
	u32 nrevoked;
	u32 queue_depth;
	u64 hold_timeout_ns;
	u64 dropped_since;
	bool first_pending;
	bool hangup;
	bool hangup_read;
	bool flip_done;
	u64 done_from;
	struct kmscap_presented *done_ring;
	u32 done_head;
	u32 ndone;
	u64 done_dropped;
	u32 inject_type;
	struct kmscap_client_stats stats;
	struct page *status_page;
	struct kmscap_client_status *status;
	struct page **ring_pages;
	u32 ring_npages;
	struct kmscap_frame_ring *ring;
	u64 ring_published;
	u32 ring_carry;
};

/**
 * struct kmscap_display_stats - per-display counters, under capture_lock
 */
struct kmscap_display_stats {
	u64 frames;
	u64 drops_queue;
	u64 drops_timeout;
	u64 holds;
	u64 hold_waits;
	u64 hold_wait_ns_max;
	u64 revoked;
};

/**
 * struct kmscap_display - one virtual display and its DRM device
 * @drm: the DRM device; its refcount is the display's lifetime.
 * @pdev: platform device parenting @drm.
 * @id: display id, constant.
 * @owner: effective uid the creator's /dev/kmscap file was opened with,
 *	constant.
 *
 * Modeset objects, constant after creation:
 * @crtc, @primary, @cursor, @encoder, @connector.
 *
 * @config_lock guards the requested configuration:
 * @width, @height, @refresh_mhz: preferred mode.
 * @connected: connector status.
 * @replug_waiting: a REPLUG waits for the master to see the connector
 *	disconnected.
 * @replug_seen: the master probed the connector while it was disconnected
 *	for that REPLUG; written under @config_lock, read locklessly by the
 *	waiter (READ_ONCE).
 *
 * @replug_lock: one REPLUG at a time; held across its wait, outside the
 *	modeset locks and @config_lock.
 * @replug_wq: where a REPLUG waits for @replug_seen.
 *
 * @vblank_timer: emulated vblank, armed while vblank is enabled.
 * @period_ns: frame duration of the active mode; written on modeset in
 *	commit_tail, read locklessly (READ_ONCE) elsewhere.
 * @vblank_time: expiry time of the last vblank, set by the timer.
 * @vblank_stall: test knob (debugfs vblank_stall): &enum kmscap_vblank_stall.
 *
 * @capture_lock guards the capture state:
 * @clients: attached clients.
 * @nclients: length of @clients.
 * @seq: sequence number of the last frame.
 * @current_frame: the frame on screen (reference held), or NULL.
 * @dead: the display is being destroyed; no new frames or clients.
 * @stats: counters.
 * @flips: flips waiting for pinned buffers (&struct kmscap_flip), in
 *	commit order; their events are sent in that order.
 * @ring_waits: a flip waits for a frame of a ring client: @hold_work
 *	looks at the rings every refresh period until no flip waits.
 * @event_order: orders the events queued to clients, frames and
 *	flip-done events alike.
 *
 * @presented: completed flips (&struct kmscap_present) not yet given to
 *	clients, under the DRM device's event_lock.
 * @present_work: gives them to the clients (present.c).
 *
 * @hold_timer: fires at the earliest hold deadline of a waiting flip and
 *	queues @hold_work (hard-IRQ context: no capture_lock there).
 * @hold_work: revokes expired holds and completes flips whose buffers
 *	are free (backpressure.c).
 *
 * @bufs: buffer id -> &struct kmscap_bo, with its own lock; entries are
 *	erased when the object is freed.
 * @debugfs: debugfs directory.
 */
struct kmscap_display {
	struct drm_device drm;
	struct platform_device *pdev;
	u32 id;
	kuid_t owner;

	struct drm_crtc crtc;
	struct drm_plane primary;
	struct drm_plane cursor;
	struct drm_encoder encoder;
	struct drm_connector connector;

	struct mutex config_lock;
	u32 width;
	u32 height;
	u32 refresh_mhz;
	bool connected;
	bool replug_waiting;
	bool replug_seen;

	struct mutex replug_lock;
	wait_queue_head_t replug_wq;

	struct hrtimer vblank_timer;
	u64 period_ns;
	ktime_t vblank_time;
	atomic_t vblank_stall;

	spinlock_t capture_lock;
	struct list_head clients;
	u32 nclients;
	u64 seq;
	struct kmscap_frame *current_frame;
	bool dead;
	struct kmscap_display_stats stats;
	struct list_head flips;
	bool ring_waits;
	u64 event_order;

	struct list_head presented;
	struct work_struct present_work;

	struct hrtimer hold_timer;
	struct work_struct hold_work;

	struct xarray bufs;
	u32 next_buf_id;
	struct dentry *debugfs;
};

/**
 * enum kmscap_vblank_stall - the debugfs vblank_stall knob (root, tests)
 * @KMSCAP_VBLANK_STALL_OFF: the vblank callback runs as always.
 * @KMSCAP_VBLANK_STALL_ARMED: its next run, once its timer is forwarded,
 *	waits past the vblank it was forwarded to, as a vCPU descheduled
 *	there would;
 * @KMSCAP_VBLANK_STALL_WAITING: then waits until another path (an event
 *	armed by a commit) counts that vblank, or 500 ms, before counting
 *	it itself: the order of a lost flip-done seen under emulation.
 */
enum kmscap_vblank_stall {
	KMSCAP_VBLANK_STALL_OFF,
	KMSCAP_VBLANK_STALL_ARMED,
	KMSCAP_VBLANK_STALL_WAITING,
};

static inline struct kmscap_display *to_kmscap_display(struct drm_device *drm)
{
	return container_of(drm, struct kmscap_display, drm);
}

/* main.c: the registry of displays */
struct kmscap_display *kmscap_display_get(u32 id);
struct kmscap_display *kmscap_display_get_minor(unsigned int minor);
void kmscap_display_put(struct kmscap_display *disp);
bool kmscap_display_permitted(const struct kmscap_display *disp, const struct file *file);
int kmscap_registry_create(const struct kmscap_display_create *req, const u64 *modifiers,
			   struct kmscap_display_create *out, const struct file *file);
int kmscap_registry_destroy(u32 id, const struct file *file);
int kmscap_registry_list(u32 *ids, u32 capacity, u32 *count);

/* drv.c: a display's DRM device */
struct kmscap_display *kmscap_display_create(u32 id, const struct kmscap_display_create *req,
					     const u64 *modifiers, kuid_t owner);
void kmscap_display_destroy(struct kmscap_display *disp);
void kmscap_display_info(struct kmscap_display *disp, struct kmscap_display_info *info,
			 const struct file *file);
int kmscap_display_replug(struct kmscap_display *disp,
			  const struct kmscap_display_config *cfg);
int kmscap_display_configure(struct kmscap_display *disp,
			     const struct kmscap_display_config *cfg);

/* crtc.c */
int kmscap_crtc_init(struct kmscap_display *disp);
enum drm_mode_status kmscap_mode_valid(const struct drm_display_mode *mode);
void kmscap_crtc_commit_tail(struct drm_atomic_state *state);

/* gamma.c: the CRTC's gamma LUT, as capture clients learn it */
int kmscap_gamma_init(struct kmscap_display *disp);
int kmscap_gamma_check(struct drm_crtc_state *cs);
void kmscap_gamma_frame_init(struct kmscap_frame *frame, struct drm_crtc_state *cs);
void kmscap_gamma_frame_publish(struct kmscap_frame *frame, const struct kmscap_frame *old);
void kmscap_gamma_event(const struct kmscap_client *client, const struct kmscap_frame *prev,
			const struct kmscap_frame *frame, struct kmscap_event *ev);
int kmscap_gamma_get(struct kmscap_display *disp, struct kmscap_display_gamma *req,
		     const struct file *file);

/* plane.c */
int kmscap_plane_init(struct kmscap_display *disp, const u64 *modifiers);

/* output.c */
int kmscap_output_init(struct kmscap_display *disp);
void kmscap_output_hotplug(struct kmscap_display *disp);

/* gem.c */
struct drm_gem_object *kmscap_bo_create_object(struct drm_device *drm, size_t size);
u32 kmscap_bo_id(struct kmscap_bo *bo);
struct kmscap_bo *kmscap_bo_lookup(struct kmscap_display *disp, u32 id);

/* export.c */
struct dma_buf *kmscap_export_bo(struct kmscap_bo *bo, u64 *size);

/* frame.c: a frame, filled from a commit */
struct kmscap_frame *kmscap_frame_alloc(void);
void kmscap_frame_free(struct kmscap_frame *frame);
void kmscap_frame_put(struct kmscap_frame *frame);
void kmscap_frame_init(struct kmscap_frame *frame, struct kmscap_display *disp,
		       struct drm_atomic_state *state, struct drm_crtc_state *cs);
u64 kmscap_frame_damage_area(const struct kmscap_event *ev);

/* capture.c */
struct kmscap_flip *kmscap_capture_publish(struct kmscap_display *disp,
					   struct drm_atomic_state *state);
void kmscap_capture_overwritten(struct kmscap_display *disp, struct kmscap_bo *bo);
void kmscap_capture_revoke_expired(struct kmscap_display *disp, ktime_t now,
				   ktime_t *earliest, struct list_head *dead);
void kmscap_hold_free_list(struct list_head *dead);
void kmscap_capture_hangup(struct kmscap_display *disp);
int kmscap_capture_attach(struct kmscap_client *client, struct kmscap_display *disp,
			  const struct kmscap_attach *req);
void kmscap_capture_detach(struct kmscap_client *client);
int kmscap_capture_release(struct kmscap_client *client, u64 seq, bool nowait);
int kmscap_hold_release(struct kmscap_hold *hold, struct list_head *dead);
void kmscap_hold_take(struct kmscap_hold *hold);
void kmscap_hold_unqueue(struct kmscap_hold *hold, struct list_head *dead);
void kmscap_capture_auto_release(struct kmscap_client *client, struct kmscap_hold *first);
void kmscap_capture_stats(struct kmscap_client *client, struct kmscap_client_stats *st);
void kmscap_capture_flip_done(struct kmscap_display *disp, const struct kmscap_presented *info);

/* event.c: read() and poll() of a capture client */
struct iov_iter;
ssize_t kmscap_capture_read(struct kmscap_client *client, struct iov_iter *to, bool nonblock);
__poll_t kmscap_capture_poll(struct kmscap_client *client);
void kmscap_event_prepare(const struct kmscap_client *client, const struct kmscap_frame *prev,
			  const struct kmscap_frame *frame, struct kmscap_event *ev);
int kmscap_capture_inject(struct kmscap_display *disp, u32 type);

/* backpressure.c: buffers pinned by holds, flips waiting for them */
void kmscap_backpressure_init(struct kmscap_display *disp);
void kmscap_backpressure_fini(struct kmscap_display *disp);
struct kmscap_flip *kmscap_flip_alloc(struct kmscap_display *disp);
void kmscap_flip_put(struct kmscap_flip *flip);
void kmscap_frame_pin(struct kmscap_frame *frame);
void kmscap_frame_unpin(struct kmscap_frame *frame, ktime_t now, u64 *waited_ns);
bool kmscap_frame_shows(const struct kmscap_frame *frame, const struct kmscap_bo *bo);
unsigned int kmscap_frame_bos(const struct kmscap_frame *frame, struct kmscap_bo *bos[2]);
ktime_t kmscap_hold_deadline(const struct kmscap_frame *frame, u64 timeout_ns);
bool kmscap_flip_add_bo(struct kmscap_flip *flip, struct kmscap_bo *bo, ktime_t now);
bool kmscap_flip_queue(struct kmscap_flip *flip, struct drm_crtc_state *cs,
		       struct kmscap_present **present);
void kmscap_backpressure_flush(struct kmscap_display *disp);

/* present.c: when flips complete, for flip-done events */
void kmscap_present_init(struct kmscap_display *disp);
void kmscap_present_fini(struct kmscap_display *disp);
struct kmscap_present *kmscap_present_alloc(struct kmscap_display *disp);
void kmscap_present_free(struct kmscap_present *present);
void kmscap_present_hook(struct kmscap_present *present, struct drm_pending_vblank_event *event);
void kmscap_present_hook_waited(struct kmscap_present *present,
				struct drm_pending_vblank_event *event, u64 wait_ns);
void kmscap_present_done(struct kmscap_present *present, u32 flags, u64 wait_ns);
void kmscap_present_now(struct kmscap_present *present);

/* client.c: /dev/kmscap */
int kmscap_client_register(void);
void kmscap_client_unregister(void);

/* status.c: the client's status page */
int kmscap_status_init(struct kmscap_client *client);
void kmscap_status_fini(struct kmscap_client *client);
int kmscap_status_mmap(struct kmscap_client *client, struct vm_area_struct *vma);
void kmscap_status_note_revoke(struct kmscap_client *client, u64 seq);

/* ring.c: the frame ring of a client attached with KMSCAP_ATTACH_FRAME_RING */
/*
 * What an event dropped unread tells that the next one must: a read()
 * client's event is made when it is read, a ring client's when written.
 */
#define KMSCAP_RING_CARRY	(KMSCAP_FRAME_GAMMA_CHANGED | KMSCAP_FRAME_NEW_MODE)
int kmscap_ring_alloc(struct kmscap_client *client, u32 depth);
void kmscap_ring_free(struct kmscap_client *client);
int kmscap_ring_mmap(struct kmscap_client *client, struct vm_area_struct *vma);
void kmscap_ring_sync(struct kmscap_client *client, struct list_head *dead);
bool kmscap_ring_enqueue(struct kmscap_client *client, struct kmscap_hold *hold,
			 struct list_head *dead);
bool kmscap_ring_revoke(struct kmscap_hold *hold, struct list_head *dead);
void kmscap_ring_want(struct kmscap_display *disp, struct kmscap_bo *bo, struct list_head *dead);
int kmscap_ring_release(struct kmscap_client *client, u64 seq, struct list_head *dead);

/* uring.c: io_uring commands on /dev/kmscap */
struct io_uring_cmd;
int kmscap_client_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags);

/* debugfs.c */
void kmscap_debugfs_init(void);
void kmscap_debugfs_exit(void);
void kmscap_debugfs_display_add(struct kmscap_display *disp);
void kmscap_debugfs_display_remove(struct kmscap_display *disp);

#endif /* _KMSCAP_DRV_H_ */
