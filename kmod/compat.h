/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel version compatibility, force-included into every kmscap source
 * file so that the code itself carries no version conditionals.
 *
 * kmscap is developed against Linux 6.1 (Debian 12).  Newer kernels
 * renamed or reshaped some DRM and dma-buf interfaces; each difference is
 * absorbed here.
 */
#ifndef _KMSCAP_COMPAT_H_
#define _KMSCAP_COMPAT_H_

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "kmscap needs Linux 6.1 or newer"
#endif

/*
 * Calls on the dma-buf a forwarding export wraps (export.c), made from
 * inside the export's own dma_buf_ops.  The two share one reservation
 * object (a PRIME import uses its dma-buf's).
 *
 * From 6.2 the ops run with that reservation locked (the plain map, unmap,
 * vmap and vunmap calls require it), so the inner calls are the plain
 * ones: the _unlocked variants would take the lock again and deadlock.
 * In 6.1 map and unmap take no lock; dma_buf_vmap() takes the dma-buf's
 * own mutex, of one lock class for every dma-buf, which the outer call
 * already holds: the inner vmap goes straight to the exporter's op, as
 * dma_buf_vmap() would under that mutex.
 */
#define kmscap_dma_buf_map(a, d)	dma_buf_map_attachment(a, d)
#define kmscap_dma_buf_unmap(a, s, d)	dma_buf_unmap_attachment(a, s, d)
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define kmscap_dma_buf_vmap_inner(b, m)	dma_buf_vmap(b, m)
#define kmscap_dma_buf_vunmap_inner(b, m)	dma_buf_vunmap(b, m)
#else
/* Macros: this header comes before any other (no struct dma_buf yet). */
#define kmscap_dma_buf_vmap_inner(b, m) \
	((b)->ops->vmap ? (b)->ops->vmap(b, m) : -EINVAL)
#define kmscap_dma_buf_vunmap_inner(b, m) \
	do { if ((b)->ops->vunmap) (b)->ops->vunmap(b, m); } while (0)
#endif

/*
 * io_uring commands (uring.c).  In 6.1 the command carries a pointer to
 * its payload; from 6.5 it carries the whole entry, whose payload
 * io_uring_sqe_cmd() gives; from 6.7 the declarations have their own
 * header.  The header is named as a string: in <...> the word "linux"
 * would be expanded as GCC's predefined macro.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
#define KMSCAP_IO_URING_CMD_H	"linux/io_uring/cmd.h"
#else
#define KMSCAP_IO_URING_CMD_H	"linux/io_uring.h"
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define kmscap_uring_cmd_payload(c)	io_uring_sqe_cmd((c)->sqe)
#else
#define kmscap_uring_cmd_payload(c)	((c)->cmd)
#endif

/* From 6.3 a mapping's flags change only through the vm_flags_*() calls. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define kmscap_vm_flags_mod(vma, set, clear)	vm_flags_mod(vma, set, clear)
#else
#define kmscap_vm_flags_mod(vma, set, clear) \
	((vma)->vm_flags = ((vma)->vm_flags | (set)) & ~(clear))
#endif

#endif /* _KMSCAP_COMPAT_H_ */
