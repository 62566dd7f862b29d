// SPDX-License-Identifier: MIT
/*
 * libkmscap: the frame ring (ABI 1.6, KMSCAP_ATTACH_FRAME_RING).  The
 * module writes each frame into a slot of a ring the handle maps; the
 * library takes the newest READY frame and gives frames back by
 * compare-and-swap on the slot's state, without a system call, but for
 * the RELEASE with seq 0 that a flip waiting for a frame (WANTED) asks for.
 *
 * The ring's header is read once, when it is mapped; afterwards only the
 * slots' states and the events of the slots the handle took are read, and
 * only the states are written, each by a sequentially consistent swap
 * from a state just read, keeping KMSCAP_SLOT_WANTED as it is.
 *
 * Frames skipped for a newer one are taken, their flags read, and given
 * back: the frame returned then says what the skipped ones said (a new
 * mode, a gamma change, the cursor), counts them as lost, and has full
 * damage, since its rectangles are relative to a picture the caller did
 * not see; so does a frame whose seq does not follow the last returned.
 * Frames are returned in the order of their seqs.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "libkmscap_priv.h"

/* What a skipped frame said that the frame returned must say too. */
#define KMSCAP_RING_MERGED	(KMSCAP_FRAME_NEW_MODE | KMSCAP_FRAME_CURSOR_MOVED | \
				 KMSCAP_FRAME_CURSOR_CHANGED | KMSCAP_FRAME_FIRST | \
				 KMSCAP_FRAME_GAMMA_CHANGED)

/*
 * Sweeps of the ring one kmscap_ring_take() makes at most while newer
 * frames keep coming: each sweep after the first takes the older frames
 * written during the one before into slots it had passed.
 */
#define KMSCAP_RING_SWEEPS	8

static struct kmscap_ring_slot *kmscap_ring_slot(const struct kmscap_dev *dev, uint32_t i)
{
	return (struct kmscap_ring_slot *)((char *)dev->ring + dev->ring_slot_offset +
					   (size_t)i * dev->ring_slot_size);
}

/*
 * The client's swap of slot @i from state @from to @to, WANTED kept: true
 * if it was made; *@old is the value it replaced or found.
 */
static int kmscap_ring_swap(struct kmscap_dev *dev, uint32_t i, uint32_t from, uint32_t to,
			    uint32_t *old)
{
	uint32_t *state = &kmscap_ring_slot(dev, i)->state;
	uint32_t v = __atomic_load_n(state, __ATOMIC_SEQ_CST);

	do {
		if ((v & KMSCAP_SLOT_STATE) != from) {
			*old = v;
			return 0;
		}
	} while (!__atomic_compare_exchange_n(state, &v, to | (v & KMSCAP_SLOT_WANTED), 0,
					      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	*old = v;
	return 1;
}

/*
 * Give back slot @i, which the handle took: 0 if it was HELD, -ESTALE if
 * REVOKED (both are DONE now), -ENOENT if it is in neither state.
 * *@wanted is set when the state had KMSCAP_SLOT_WANTED.
 */
static int kmscap_ring_give_back(struct kmscap_dev *dev, uint32_t i, int *wanted)
{
	uint32_t old;

	if (kmscap_ring_swap(dev, i, KMSCAP_SLOT_HELD, KMSCAP_SLOT_DONE, &old)) {
		*wanted |= !!(old & KMSCAP_SLOT_WANTED);
		return 0;
	}
	if ((old & KMSCAP_SLOT_STATE) == KMSCAP_SLOT_REVOKED &&
	    kmscap_ring_swap(dev, i, KMSCAP_SLOT_REVOKED, KMSCAP_SLOT_DONE, &old)) {
		*wanted |= !!(old & KMSCAP_SLOT_WANTED);
		return -ESTALE;
	}
	/* revoked while it was tried as HELD: once more, from REVOKED */
	if ((old & KMSCAP_SLOT_STATE) == KMSCAP_SLOT_HELD)
		return kmscap_ring_give_back(dev, i, wanted);
	return -ENOENT;
}

/* A flip waits for a frame given back: the module takes it back now. */
static int kmscap_ring_kick(struct kmscap_dev *dev)
{
	struct kmscap_release r = { .seq = 0 };

	return kmscap_ioctl(dev->fd, KMSCAP_IOC_RELEASE, &r);
}

/* Give back taken slot @i unread, noting what its event said in @skip. */
static void kmscap_ring_skip(struct kmscap_dev *dev, uint32_t i, struct kmscap_ring_skip *skip)
{
	const struct kmscap_event *ev = &kmscap_ring_slot(dev, i)->ev;

	skip->skipped++;
	skip->lost += ev->dropped;
	skip->flags |= ev->flags & KMSCAP_RING_MERGED;
	kmscap_ring_give_back(dev, i, &skip->wanted);
}

int kmscap_ring_use(struct kmscap_dev *dev, void *ring, size_t len, uint32_t depth)
{
	const struct kmscap_frame_ring *hdr = ring;
	uint32_t slots, size, offset;

	if (!dev || !ring || dev->ring)
		return -EINVAL;
	if (len < sizeof(*hdr))
		return -EPROTO;
	/* read once: the module never changes it, the library never reads it again */
	slots = __atomic_load_n(&hdr->slots, __ATOMIC_SEQ_CST);
	size = __atomic_load_n(&hdr->slot_size, __ATOMIC_SEQ_CST);
	offset = __atomic_load_n(&hdr->slot_offset, __ATOMIC_SEQ_CST);
	/* a later module may append to the header and to a slot, never shrink them */
	if (slots != depth || !depth || size < sizeof(struct kmscap_ring_slot) || size % 8 ||
	    offset < sizeof(*hdr) || offset % 8 || offset > len ||
	    (len - offset) / size < slots)
		return -EPROTO;
	dev->ring_held = calloc(slots, sizeof(*dev->ring_held));
	if (!dev->ring_held)
		return -ENOMEM;
	dev->ring = ring;
	dev->ring_len = len;
	dev->ring_slots = slots;
	dev->ring_slot_size = size;
	dev->ring_slot_offset = offset;
	return 0;
}

void kmscap_ring_unmap(struct kmscap_dev *dev)
{
	if (dev->ring && dev->ring_mapped)
		munmap(dev->ring, dev->ring_len);
	free(dev->ring_held);
	dev->ring = NULL;
	dev->ring_held = NULL;
	dev->ring_mapped = 0;
}

int kmscap_ring_attach(struct kmscap_dev *dev, uint32_t display_id, uint32_t queue_depth,
		       uint64_t hold_timeout_ns, uint32_t flags)
{
	uint32_t depth = queue_depth ? queue_depth : KMSCAP_DEFAULT_QUEUE;
	size_t len;
	void *p;
	int ret;

	if (!dev || (flags & ~KMSCAP_ATTACH_FLAGS) || (flags & KMSCAP_ATTACH_AUTO_RELEASE) ||
	    queue_depth > KMSCAP_MAX_QUEUE)
		return -EINVAL;
	if (!(dev->version.caps & KMSCAP_CAP_FRAME_RING))
		return -EOPNOTSUPP;
	if (dev->attached)
		return -EBUSY;
	ret = kmscap_attach_with(dev, display_id, queue_depth, hold_timeout_ns,
				 flags | KMSCAP_ATTACH_FRAME_RING);
	if (ret < 0)
		return ret;
	dev->ring_client = 1;
	len = KMSCAP_RING_SIZE(depth);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd, KMSCAP_RING_OFFSET);
	if (p == MAP_FAILED)
		return -errno;
	ret = kmscap_ring_use(dev, p, len, depth);
	if (ret < 0) {
		munmap(p, len);
		return ret;
	}
	dev->ring_mapped = 1;
	return 0;
}

/* The full damage of a frame whose rectangles are relative to a picture not seen. */
static void kmscap_ring_full_damage(struct kmscap_event *ev)
{
	if (ev->flags & KMSCAP_FRAME_BLANK)
		return;
	ev->flags |= KMSCAP_FRAME_FULL_DAMAGE;
	ev->flags &= ~KMSCAP_FRAME_DAMAGE_MERGED;
	ev->num_damage = 0;
	memset(ev->damage, 0, sizeof(ev->damage));
}

/*
 * Take every READY frame: the newest stays taken (its slot returned, or
 * -1), the others go back into @skip, as do frames older than one already
 * returned.  A frame older than the newest, written while a sweep ran,
 * is in a slot it had passed: it is READY by the time the newest was
 * taken (the module wrote its state before the newest's), so the next
 * sweep takes it; sweeps go on while they find newer frames.
 */
static int64_t kmscap_ring_sweep(struct kmscap_dev *dev, struct kmscap_ring_skip *skip)
{
	uint64_t seq, best_seq = 0;
	int64_t best = -1;
	uint32_t i, old;
	int sweep, newer;

	for (sweep = 0; sweep < KMSCAP_RING_SWEEPS; sweep++) {
		newer = 0;
		for (i = 0; i < dev->ring_slots; i++) {
			if (!kmscap_ring_swap(dev, i, KMSCAP_SLOT_READY, KMSCAP_SLOT_HELD, &old))
				continue;
			seq = kmscap_ring_slot(dev, i)->ev.seq;
			if (seq <= dev->ring_last || (best >= 0 && seq < best_seq)) {
				kmscap_ring_skip(dev, i, skip);
				continue;
			}
			if (best >= 0)
				kmscap_ring_skip(dev, (uint32_t)best, skip);
			best = i;
			best_seq = seq;
			newer = 1;
		}
		if (!newer)
			break;
	}
	return best;
}

int kmscap_ring_take(struct kmscap_dev *dev, struct kmscap_event *ev)
{
	struct kmscap_ring_skip skip;
	struct kmscap_event raw;
	int64_t best;
	int ret, r;

	if (!dev || !ev)
		return -EINVAL;
	if (!dev->ring)
		return -ENOTCONN;
	/* what earlier calls skipped and could tell no frame of */
	skip = dev->ring_carry;
	skip.wanted = 0;
	memset(&dev->ring_carry, 0, sizeof(dev->ring_carry));
	best = kmscap_ring_sweep(dev, &skip);
	ret = 0;
	if (best < 0)
		goto out;
	memcpy(&raw, &kmscap_ring_slot(dev, (uint32_t)best)->ev, sizeof(raw));
	if (raw.type != KMSCAP_EVENT_FRAME || !raw.seq ||
	    kmscap_event_decode(&raw, sizeof(raw), NULL, NULL) < 0) {
		/* never held up by a frame the caller cannot have */
		kmscap_ring_skip(dev, (uint32_t)best, &skip);
		ret = -EBADMSG;
		goto out;
	}
	raw.flags |= skip.flags;
	raw.dropped += skip.skipped + skip.lost;
	/* rectangles relative to a frame the caller did not see: the whole frame */
	if (raw.dropped || (dev->ring_last && raw.seq != dev->ring_last + 1))
		kmscap_ring_full_damage(&raw);
	memset(&skip, 0, offsetof(struct kmscap_ring_skip, wanted));
	dev->ring_last = raw.seq;
	__atomic_store_n(&dev->ring_held[best], raw.seq, __ATOMIC_SEQ_CST);
	kmscap_bufcache_note_event(dev->cache, &raw);
	if (raw.seq > dev->max_seq)
		dev->max_seq = raw.seq;
	*ev = raw;
	ret = 1;
out:
	/* for the next frame returned */
	dev->ring_carry = skip;
	if (skip.wanted) {
		r = kmscap_ring_kick(dev);
		if (r < 0 && ret >= 0)
			ret = r;
	}
	return ret;
}

int kmscap_ring_release(struct kmscap_dev *dev, uint64_t seq)
{
	uint64_t want;
	int wanted = 0, ret, r;
	uint32_t i;

	if (!dev)
		return -EINVAL;
	if (!dev->ring)
		return -ENOTCONN;
	if (!seq)
		return -ENOENT;
	for (i = 0; i < dev->ring_slots; i++) {
		want = seq;
		/* claimed by one caller only, should two give the same frame back */
		if (__atomic_compare_exchange_n(&dev->ring_held[i], &want, 0, 0, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			break;
	}
	if (i == dev->ring_slots)
		return -ENOENT;
	ret = kmscap_ring_give_back(dev, i, &wanted);
	if (wanted) {
		r = kmscap_ring_kick(dev);
		if (r < 0 && ret >= 0)
			ret = r;
	}
	return ret;
}
