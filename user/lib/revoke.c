// SPDX-License-Identifier: MIT
/*
 * libkmscap: frames revoked under their reader, told by the status page
 * (ABI 1.5) without a system call, and the release of a frame as an
 * io_uring entry.
 *
 * The module notes each revocation of a frame this file read in a ring of
 * KMSCAP_STATUS_REVOKED slots, counted by @revokes.  The library scans
 * what is new at each question into a ring of its own (KMSCAP_REVOKED_KEPT
 * seqs), so a frame is found however many questions come between its
 * revocation and the one about it.  When the module's ring turned over
 * before a scan, or the library's own ring drops a seq, the library no
 * longer knows about the frames read until then: it answers "revoked" for
 * all of them (rv_lost_upto), which at worst drops a good picture, never
 * keeps a torn one.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/io_uring.h>

#include "libkmscap_priv.h"

static void kmscap_rv_keep(struct kmscap_dev *dev, uint64_t seq)
{
	if (dev->rv_n < KMSCAP_REVOKED_KEPT) {
		dev->rv_kept[(dev->rv_head + dev->rv_n++) % KMSCAP_REVOKED_KEPT] = seq;
		return;
	}
	/* the oldest goes: what it said about its frame is no longer known */
	if (dev->rv_kept[dev->rv_head] > dev->rv_lost_upto)
		dev->rv_lost_upto = dev->rv_kept[dev->rv_head];
	dev->rv_kept[dev->rv_head] = seq;
	dev->rv_head = (dev->rv_head + 1) % KMSCAP_REVOKED_KEPT;
}

int kmscap_revoked_in(struct kmscap_dev *dev, const struct kmscap_client_status *st,
		      uint64_t seq)
{
	const volatile __u64 *slots = st->revoked_seq;
	uint32_t end = __atomic_load_n(&st->revokes, __ATOMIC_ACQUIRE), again, i;
	unsigned int k;

	if (end != dev->rv_seen) {
		for (i = dev->rv_seen; end - dev->rv_seen < KMSCAP_STATUS_REVOKED && i != end; i++)
			kmscap_rv_keep(dev, slots[i % KMSCAP_STATUS_REVOKED]);
		/*
		 * The module writes revocation n + 32 into the slot of n before
		 * it counts it: if it may have, the slots read are not trusted.
		 */
		again = __atomic_load_n(&st->revokes, __ATOMIC_ACQUIRE);
		if (again - dev->rv_seen >= KMSCAP_STATUS_REVOKED) {
			if (dev->max_seq > dev->rv_lost_upto)
				dev->rv_lost_upto = dev->max_seq;
			end = again;
		}
		dev->rv_seen = end;
	}
	if (seq <= dev->rv_lost_upto)
		return 1;
	for (k = 0; k < dev->rv_n; k++)
		if (dev->rv_kept[(dev->rv_head + k) % KMSCAP_REVOKED_KEPT] == seq)
			return 1;
	return 0;
}

static int kmscap_status_map(struct kmscap_dev *dev)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	if (dev->status)
		return 0;
	if (!(dev->version.caps & KMSCAP_CAP_STATUS_PAGE))
		return -EOPNOTSUPP;
	if (page < (long)sizeof(struct kmscap_client_status))
		return -EINVAL;
	p = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, dev->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	dev->status = p;
	dev->status_len = (size_t)page;
	return 0;
}

void kmscap_status_unmap(struct kmscap_dev *dev)
{
	if (dev->status)
		munmap((void *)dev->status, dev->status_len);
	dev->status = NULL;
}

int kmscap_frame_revoked(struct kmscap_dev *dev, uint64_t seq)
{
	int ret;

	if (!dev)
		return -EINVAL;
	if (!dev->attached)
		return -ENOTCONN;
	ret = kmscap_status_map(dev);
	if (ret)
		return ret;
	return kmscap_revoked_in(dev, dev->status, seq);
}

int kmscap_prep_release_sqe(const struct kmscap_dev *dev, struct io_uring_sqe *sqe,
			    uint64_t seq)
{
	struct kmscap_release rel = { .seq = seq };

	if (!dev || !sqe)
		return -EINVAL;
	if (!(dev->version.caps & KMSCAP_CAP_URING_RELEASE))
		return -EOPNOTSUPP;
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = dev->fd;
	sqe->cmd_op = KMSCAP_IOC_RELEASE;
	memcpy(sqe->cmd, &rel, sizeof(rel));
	return 0;
}
