// SPDX-License-Identifier: GPL-2.0-only
/*
 * The client's status page (since ABI 1.5): a page of each open
 * /dev/kmscap file that its owner maps read-only, where the module notes
 * every revocation of a frame the client had read (struct
 * kmscap_client_status).  A client checks there, without a system call,
 * whether a frame it just finished reading was revoked meanwhile, and
 * can then give the frame back later, in a batch or in its io_uring.
 *
 * The page is allocated at open and freed at the file's release; a
 * mapping holds its own reference, so it outlives close().  The module
 * is its one writer, under the display's capture_lock.
 */

#include <linux/gfp.h>
#include <linux/mm.h>

#include "kmscap_drv.h"

int kmscap_status_init(struct kmscap_client *client)
{
	client->status_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!client->status_page)
		return -ENOMEM;
	client->status = page_address(client->status_page);
	return 0;
}

void kmscap_status_fini(struct kmscap_client *client)
{
	/* a mapping that is left keeps the page until it goes */
	put_page(client->status_page);
	client->status = NULL;
}

/**
 * kmscap_status_mmap - mmap() of a /dev/kmscap file: its status page
 * @client: the client
 * @vma: the mapping: one page at offset 0, neither writable nor executable
 *
 * Return: 0, -EINVAL for another length or offset, -EPERM for a writable
 * or executable mapping.
 */
int kmscap_status_mmap(struct kmscap_client *client, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != PAGE_SIZE)
		return -EINVAL;
	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EPERM;
	/* nor later, through mprotect() */
	kmscap_vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTDUMP, VM_MAYWRITE | VM_MAYEXEC);
	return vm_insert_page(vma, vma->vm_start, client->status_page);
}

/**
 * kmscap_status_note_revoke - a frame the client had read is revoked
 * @client: the client (its display's capture_lock held)
 * @seq: the frame's sequence number
 *
 * The slot first, then the count, with release semantics: a reader that
 * sees the count sees the slot.
 */
void kmscap_status_note_revoke(struct kmscap_client *client, u64 seq)
{
	struct kmscap_client_status *st = client->status;
	u32 n = st->revokes;

	lockdep_assert_held(&client->disp->capture_lock);
	WRITE_ONCE(st->revoked_seq[n % KMSCAP_STATUS_REVOKED], seq);
	/* pairs with the client's acquire load of revokes before the slots */
	smp_store_release(&st->revokes, n + 1);
}
