// SPDX-License-Identifier: GPL-2.0-only
/*
 * The frame ring (since ABI 1.6): a client attached with
 * KMSCAP_ATTACH_FRAME_RING maps a ring of slots (struct kmscap_frame_ring) where
 * the module writes each frame event; the client takes a frame and gives
 * it back by compare-and-swap on the slot's state, without a system call.
 *
 * The module's holds stay what they are for a read() client (capture.c):
 * a hold is queued when its slot is written and pins the frame's buffers
 * until the module sees the slot given back.  It looks (a "sync") whenever
 * the answer matters: before a new frame is written, before a flip decides
 * to wait, when hold deadlines are checked, at poll(), STATS and RELEASE.
 * A slot it ends early (a drop, a revocation) is settled by a swap of its
 * own, so that the client and the module never both own a frame.  A flip
 * that waits marks the slots it waits for (KMSCAP_SLOT_WANTED); a client
 * that gives such a frame back then calls RELEASE with seq 0, or else the
 * display's hold_work finds it given back within a refresh period.
 *
 * The ring's pages are allocated at attach and mapped for the module with
 * vmap(); a user mapping holds its own page references, so it outlives
 * the file.  The module never reads back what it wrote, only the states.
 */

#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "kmscap_drv.h"
#include "trace.h"

static struct kmscap_ring_slot *kmscap_ring_slot(struct kmscap_client *client, u32 i)
{
	return (void *)client->ring + sizeof(struct kmscap_frame_ring) +
	       i * sizeof(struct kmscap_ring_slot);
}

static u32 *kmscap_ring_state(struct kmscap_hold *hold)
{
	return &kmscap_ring_slot(hold->client, hold->slot)->state;
}

/**
 * kmscap_ring_alloc - allocate the frame ring of a client being attached
 * @client: the client (read_lock held, not attached yet)
 * @depth: its queue depth: the ring's slots
 *
 * Return: 0 or -ENOMEM.
 */
int kmscap_ring_alloc(struct kmscap_client *client, u32 depth)
{
	u32 n = DIV_ROUND_UP(KMSCAP_RING_SIZE(depth), PAGE_SIZE), i;
	struct kmscap_frame_ring *ring;
	struct page **pages;

	pages = kcalloc(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!pages[i])
			goto err_free_pages;
	}
	ring = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	if (!ring)
		goto err_free_pages;
	ring->slots = depth;
	ring->slot_size = sizeof(struct kmscap_ring_slot);
	ring->slot_offset = sizeof(*ring);
	client->ring = ring;
	client->ring_pages = pages;
	client->ring_npages = n;
	return 0;

err_free_pages:
	while (i--)
		put_page(pages[i]);
	kfree(pages);
	return -ENOMEM;
}

/* At the file's release, or a failed attach; a mapping keeps its pages. */
void kmscap_ring_free(struct kmscap_client *client)
{
	u32 i;

	if (!client->ring)
		return;
	vunmap(client->ring);
	for (i = 0; i < client->ring_npages; i++)
		put_page(client->ring_pages[i]);
	kfree(client->ring_pages);
	client->ring = NULL;
	client->ring_pages = NULL;
	client->ring_npages = 0;
}

/**
 * kmscap_ring_mmap - mmap() of the frame ring
 * @client: the client
 * @vma: whole pages from %KMSCAP_RING_OFFSET, shared, not executable
 *
 * Return: 0; -ENODEV if the file is not attached with a ring; -EINVAL for
 * another offset, a longer or a private mapping; -EPERM if executable.
 */
int kmscap_ring_mmap(struct kmscap_client *client, struct vm_area_struct *vma)
{
	unsigned long n = vma_pages(vma), i;
	int ret;

	/* the ring is constant once the attach is seen (store-release there) */
	if (!smp_load_acquire(&client->disp) || !client->ring)
		return -ENODEV;
	if (vma->vm_pgoff != KMSCAP_RING_OFFSET >> PAGE_SHIFT || n > client->ring_npages ||
	    !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	kmscap_vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTDUMP, VM_MAYEXEC);
	for (i = 0; i < n; i++) {
		ret = vm_insert_page(vma, vma->vm_start + i * PAGE_SIZE, client->ring_pages[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* A frame the client gave back: its hold ends as RELEASE would end it. */
static void kmscap_ring_given_back(struct kmscap_hold *hold, struct list_head *dead)
{
	struct kmscap_client *client = hold->client;
	u64 seq = hold->frame->ev.seq;
	int ret;

	if (!hold->read) {
		kmscap_hold_take(hold);
		trace_kmscap_frame_read(client->disp->id, client->id, seq);
	}
	ret = kmscap_hold_release(hold, dead);
	trace_kmscap_frame_release(client->disp->id, client->id, seq, ret);
}

/**
 * kmscap_ring_sync - learn what the client did with its slots
 * @client: a ring client (capture_lock held)
 * @dead: where ended holds go
 *
 * A READY slot the client took becomes a read hold; a slot it gave back
 * ends its hold (delivered, or forgotten if revoked).  A state the client
 * should not have written counts as taken: only the client is hurt, its
 * hold being revoked at its timeout.
 */
void kmscap_ring_sync(struct kmscap_client *client, struct list_head *dead)
{
	struct kmscap_hold *hold, *tmp;
	u32 st;

	lockdep_assert_held(&client->disp->capture_lock);
	list_for_each_entry_safe(hold, tmp, &client->queue, client_link) {
		st = READ_ONCE(*kmscap_ring_state(hold)) & KMSCAP_SLOT_STATE;
		if (st == KMSCAP_SLOT_READY)
			continue;
		if (st == KMSCAP_SLOT_DONE) {
			kmscap_ring_given_back(hold, dead);
			continue;
		}
		kmscap_hold_take(hold);
		trace_kmscap_frame_read(client->disp->id, client->id, hold->frame->ev.seq);
	}
	list_for_each_entry_safe(hold, tmp, &client->held, client_link) {
		/* pairs with the client's swap: what it read is done */
		st = smp_load_acquire(kmscap_ring_state(hold)) & KMSCAP_SLOT_STATE;
		if (st == KMSCAP_SLOT_DONE)
			kmscap_ring_given_back(hold, dead);
	}
}

/* A slot no hold of @client has, or @client->queue_depth if none. */
static u32 kmscap_ring_free_slot(struct kmscap_client *client)
{
	DECLARE_BITMAP(busy, KMSCAP_MAX_QUEUE) = { 0 };
	struct kmscap_hold *hold;

	list_for_each_entry(hold, &client->queue, client_link)
		__set_bit(hold->slot, busy);
	list_for_each_entry(hold, &client->held, client_link)
		__set_bit(hold->slot, busy);
	return find_first_zero_bit(busy, client->queue_depth);
}

/*
 * No slot is free (capture_lock held): the oldest READY frame must make
 * room for a new one.  Return: its hold, whose slot the caller reuses
 * once it has unqueued it, or NULL if every slot is the client's.
 */
static struct kmscap_hold *kmscap_ring_oldest_ready(struct kmscap_client *client)
{
	struct kmscap_hold *hold, *tmp;
	u32 old;

	list_for_each_entry_safe(hold, tmp, &client->queue, client_link) {
		u32 *state = kmscap_ring_state(hold);

		old = READ_ONCE(*state);
		while ((old & KMSCAP_SLOT_STATE) == KMSCAP_SLOT_READY)
			if (try_cmpxchg(state, &old, KMSCAP_SLOT_EMPTY))
				return hold;
		/* taken (or given back) meanwhile: the next sync sees it */
		kmscap_hold_take(hold);
		trace_kmscap_frame_read(client->disp->id, client->id, hold->frame->ev.seq);
	}
	return NULL;
}

/**
 * kmscap_ring_enqueue - write a new frame into a ring client's ring
 * @client: the client (capture_lock held)
 * @hold: the new hold, its frame set, not queued yet
 * @dead: where ended holds go
 *
 * The client's event for the frame goes into a free slot; the oldest
 * READY frame is dropped (dropped_queue) if there is none.
 *
 * Return: false if every slot is the client's: the caller drops the new
 * frame instead.
 */
bool kmscap_ring_enqueue(struct kmscap_client *client, struct kmscap_hold *hold,
			 struct list_head *dead)
{
	struct kmscap_display *disp = client->disp;
	struct kmscap_hold *oldest;
	struct kmscap_ring_slot *slot;
	struct kmscap_event ev;

	kmscap_ring_sync(client, dead);
	hold->slot = kmscap_ring_free_slot(client);
	if (hold->slot == client->queue_depth) {
		oldest = kmscap_ring_oldest_ready(client);
		if (!oldest)
			return false;
		client->stats.dropped_queue++;
		client->dropped_since++;
		disp->stats.drops_queue++;
		trace_kmscap_frame_drop(disp->id, client->id, oldest->frame->ev.seq,
					KMSCAP_TRACE_QUEUE_FULL);
		kmscap_hold_unqueue(oldest, dead);
		hold->slot = oldest->slot;
	}
	slot = kmscap_ring_slot(client, hold->slot);

	ev = hold->frame->ev;
	kmscap_event_prepare(client, NULL, hold->frame, &ev);
	hold->carry = ev.flags & KMSCAP_RING_CARRY;
	ev.flags |= client->ring_carry;
	client->ring_carry = 0;
	client->first_pending = false;
	client->dropped_since = 0;
	client->gamma_seq = hold->frame->gamma_seq;

	memcpy(&slot->ev, &ev, sizeof(ev));
	slot->pad = 0;
	WRITE_ONCE(slot->seq, ev.seq);
	/* the event before the state: a client that takes the slot sees it */
	smp_store_release(&slot->state, KMSCAP_SLOT_READY);
	/* the state before the count: a client that sees the count sees the slot */
	smp_wmb();
	WRITE_ONCE(client->ring->published, ++client->ring_published);
	return true;
}

/**
 * kmscap_ring_revoke - settle the slot of a hold the module ends early
 * @hold: an active hold of a ring client (capture_lock held)
 * @dead: where ended holds go
 *
 * A READY slot becomes EMPTY (the frame is dropped unread), a taken one
 * REVOKED (its hold is then revoked as a read one), by a swap that the
 * client's cannot cross.
 *
 * Return: true if the client had given the frame back: its hold is ended
 * here, as delivered, and the caller has nothing more to do.
 */
bool kmscap_ring_revoke(struct kmscap_hold *hold, struct list_head *dead)
{
	u32 *state = kmscap_ring_state(hold);
	u32 old = READ_ONCE(*state), new;

	do {
		switch (old & KMSCAP_SLOT_STATE) {
		case KMSCAP_SLOT_DONE:
			smp_rmb();	/* what the client read is done */
			kmscap_ring_given_back(hold, dead);
			return true;
		case KMSCAP_SLOT_READY:
			new = hold->read ? KMSCAP_SLOT_REVOKED : KMSCAP_SLOT_EMPTY;
			break;
		default:
			new = KMSCAP_SLOT_REVOKED;
			break;
		}
	} while (!try_cmpxchg(state, &old, new));
	if (new == KMSCAP_SLOT_REVOKED && !hold->read) {
		kmscap_hold_take(hold);
		trace_kmscap_frame_read(hold->client->disp->id, hold->client->id,
					hold->frame->ev.seq);
	}
	return false;
}

/*
 * A flip waits for @hold's frame: mark its slot WANTED, or end the hold
 * now if the client gave it back meanwhile (capture_lock held).
 */
static void kmscap_ring_want_hold(struct kmscap_hold *hold, struct list_head *dead)
{
	u32 *state = kmscap_ring_state(hold);
	u32 old = READ_ONCE(*state);

	do {
		if ((old & KMSCAP_SLOT_STATE) == KMSCAP_SLOT_DONE) {
			smp_rmb();	/* what the client read is done */
			kmscap_ring_given_back(hold, dead);
			return;
		}
	} while (!try_cmpxchg(state, &old, old | KMSCAP_SLOT_WANTED));
	/* hold_work looks again every refresh period (backpressure.c) */
	hold->client->disp->ring_waits = true;
}

/**
 * kmscap_ring_want - a flip waits for @bo: tell the ring clients that pin it
 * @disp: the display (capture_lock held)
 * @bo: the buffer the flip took off the screen
 * @dead: where ended holds go
 */
void kmscap_ring_want(struct kmscap_display *disp, struct kmscap_bo *bo, struct list_head *dead)
{
	struct kmscap_hold *hold, *tmp;
	struct kmscap_client *client;

	lockdep_assert_held(&disp->capture_lock);
	list_for_each_entry(client, &disp->clients, link) {
		if (!client->ring)
			continue;
		list_for_each_entry_safe(hold, tmp, &client->queue, client_link)
			if (kmscap_frame_shows(hold->frame, bo))
				kmscap_ring_want_hold(hold, dead);
		list_for_each_entry_safe(hold, tmp, &client->held, client_link)
			if (!hold->revoked && kmscap_frame_shows(hold->frame, bo))
				kmscap_ring_want_hold(hold, dead);
	}
}

/**
 * kmscap_ring_release - %KMSCAP_IOC_RELEASE of a ring client
 * @client: the client (read_lock and capture_lock held)
 * @seq: a frame it took, or 0 to have the frames it gave back taken back
 * @dead: where ended holds go
 *
 * Return: 0, -ESTALE if the frame was revoked, -ENOENT if the client has
 * not taken it (or gave it back before).
 */
int kmscap_ring_release(struct kmscap_client *client, u64 seq, struct list_head *dead)
{
	struct kmscap_hold *hold;
	int ret;

	kmscap_ring_sync(client, dead);
	if (!seq)
		return 0;
	list_for_each_entry(hold, &client->held, client_link) {
		if (hold->frame->ev.seq != seq)
			continue;
		/* the module owns the slot again */
		xchg(kmscap_ring_state(hold), KMSCAP_SLOT_DONE);
		ret = kmscap_hold_release(hold, dead);
		trace_kmscap_frame_release(client->disp->id, client->id, seq, ret);
		return ret;
	}
	trace_kmscap_frame_release(client->disp->id, client->id, seq, -ENOENT);
	return -ENOENT;
}
