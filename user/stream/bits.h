/* SPDX-License-Identifier: MIT */
/*
 * kmscap-stream: a bit writer for the headers the helper writes itself
 * (H.264 / HEVC NAL units, AV1 OBUs), bits.c.
 */
#ifndef KMSCAP_STREAM_BITS_H
#define KMSCAP_STREAM_BITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A bit writer over a fixed buffer, big enough for any of our headers. */
struct ks_bits {
	uint8_t buf[512];
	size_t bits;
	bool overflow;
};

void ks_bits_init(struct ks_bits *b);
/* The @n (0..32) low bits of @v, most significant first. */
void ks_bits_put(struct ks_bits *b, unsigned int n, uint32_t v);
void ks_bits_ue(struct ks_bits *b, uint32_t v);
void ks_bits_se(struct ks_bits *b, int32_t v);
/* rbsp_trailing_bits() / AV1 trailing_bits(): a 1, then 0s up to a byte boundary. */
void ks_bits_trailing(struct ks_bits *b);
/*
 * Insert emulation prevention bytes (00 00 0x with x <= 3 -> 00 00 03 0x)
 * into the byte-aligned NAL unit in @b, from byte @from on (after the
 * start code).  Returns the number of bytes inserted, -ENOSPC on overflow.
 */
int ks_bits_escape(struct ks_bits *b, size_t from);

#endif /* KMSCAP_STREAM_BITS_H */
