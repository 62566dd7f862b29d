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

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
/* 6.2 made the plain map/unmap calls require the reservation lock. */
#define kmscap_dma_buf_map(a, d)	dma_buf_map_attachment_unlocked(a, d)
#define kmscap_dma_buf_unmap(a, s, d)	dma_buf_unmap_attachment_unlocked(a, s, d)
#else
#define kmscap_dma_buf_map(a, d)	dma_buf_map_attachment(a, d)
#define kmscap_dma_buf_unmap(a, s, d)	dma_buf_unmap_attachment(a, s, d)
#endif

#endif /* _KMSCAP_COMPAT_H_ */
