/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR MIT */
/*
 * The interface of kmscap_peer.ko, a test-only dma-buf peer loaded by the
 * VM selftests (tests/dmabuf-peer/kmscap_peer.c).  Not part of kmscap's ABI.
 */
#ifndef _KMSCAP_PEER_H_
#define _KMSCAP_PEER_H_

#include <linux/ioctl.h>
#include <linux/types.h>

#define KMSCAP_PEER_DEV "/dev/kmscap_peer"

/**
 * struct kmscap_peer_export - KMSCAP_PEER_IOC_EXPORT: a new buffer
 * @size: bytes, a multiple of the page size, at most 64 MiB
 * @fd: out: a dynamic dma-buf (it has pin and unpin), O_RDWR, close-on-exec
 * @pad: zero
 */
struct kmscap_peer_export {
	__u64 size;
	__s32 fd;
	__u32 pad;
};

/**
 * struct kmscap_peer_count - KMSCAP_PEER_IOC_COUNT: what a buffer was asked
 * @fd: a dma-buf of KMSCAP_PEER_IOC_EXPORT
 * @pins: out: pins now held
 * @maps: out: device mappings now held
 * @pad: zero
 */
struct kmscap_peer_count {
	__s32 fd;
	__u32 pins;
	__u32 maps;
	__u32 pad;
};

/* Import as a dynamic importer (dma_buf_dynamic_attach + dma_buf_pin). */
#define KMSCAP_PEER_IMPORT_DYNAMIC	(1u << 0)

/* The steps of an import at which @pins of struct kmscap_peer_import is read. */
enum kmscap_peer_step {
	KMSCAP_PEER_BEFORE,	/* before attaching */
	KMSCAP_PEER_ATTACHED,	/* attached, neither pinned nor mapped */
	KMSCAP_PEER_PINNED,	/* dynamic: after dma_buf_pin() */
	KMSCAP_PEER_MAPPED,	/* mapped for the device */
	KMSCAP_PEER_UNMAPPED,	/* dynamic: unmapped and unpinned */
	KMSCAP_PEER_DETACHED,	/* detached */
	KMSCAP_PEER_STEPS
};

/**
 * struct kmscap_peer_import - KMSCAP_PEER_IOC_IMPORT: import a dma-buf
 * @fd: the dma-buf to import (any exporter's)
 * @origin_fd: a dma-buf of KMSCAP_PEER_IOC_EXPORT whose pins are read at
 *	each step, and which is moved (dma_buf_move_notify) while attached
 * @flags: KMSCAP_PEER_IMPORT_*
 * @moves: out: move notifications the import received
 * @pins: out: the origin's pins at each &enum kmscap_peer_step
 * @map_hash: out: kmscap_peer_hash() of the pages of the device mapping
 * @vmap_hash: out: the same over dma_buf_vmap() of @fd
 */
struct kmscap_peer_import {
	__s32 fd;
	__s32 origin_fd;
	__u32 flags;
	__u32 moves;
	__u32 pins[KMSCAP_PEER_STEPS];
	__u64 map_hash;
	__u64 vmap_hash;
};

#define KMSCAP_PEER_IOC_EXPORT	_IOWR('K', 0x80, struct kmscap_peer_export)
#define KMSCAP_PEER_IOC_COUNT	_IOWR('K', 0x81, struct kmscap_peer_count)
#define KMSCAP_PEER_IOC_IMPORT	_IOWR('K', 0x82, struct kmscap_peer_import)

/* FNV-1a over 32-bit words, from the kernel and from the tests alike. */
static inline __u64 kmscap_peer_hash(__u64 h, const __u32 *w, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		h = (h ^ w[i]) * 0x100000001b3ull;
	return h;
}

#define KMSCAP_PEER_HASH_INIT 0xcbf29ce484222325ull

#endif /* _KMSCAP_PEER_H_ */
