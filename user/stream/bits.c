// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: the bit writer of the header writers (h264_headers.c,
 * hevc_headers.c, av1_obu.c), with H.264 / HEVC emulation prevention.
 */
#include <errno.h>
#include <string.h>

#include "bits.h"

void ks_bits_init(struct ks_bits *b)
{
	memset(b, 0, sizeof(*b));
}

void ks_bits_put(struct ks_bits *b, unsigned int n, uint32_t v)
{
	while (n--) {
		size_t byte = b->bits / 8;

		if (byte >= sizeof(b->buf)) {
			b->overflow = true;
			return;
		}
		if (!(b->bits % 8))
			b->buf[byte] = 0;
		if ((v >> n) & 1)
			b->buf[byte] |= (uint8_t)(0x80 >> (b->bits % 8));
		b->bits++;
	}
}

void ks_bits_ue(struct ks_bits *b, uint32_t v)
{
	uint64_t x = (uint64_t)v + 1;
	unsigned int len = 0;

	while ((x >> len) > 1)
		len++;
	ks_bits_put(b, len, 0);
	/* len + 1 bits of x, at most 33: split to stay within 32-bit puts */
	ks_bits_put(b, 1, (uint32_t)(x >> len) & 1);
	ks_bits_put(b, len, (uint32_t)x);
}

void ks_bits_se(struct ks_bits *b, int32_t v)
{
	ks_bits_ue(b, v > 0 ? (uint32_t)(2 * (int64_t)v - 1) : (uint32_t)(-2 * (int64_t)v));
}

void ks_bits_trailing(struct ks_bits *b)
{
	ks_bits_put(b, 1, 1);
	while (b->bits % 8)
		ks_bits_put(b, 1, 0);
}

int ks_bits_escape(struct ks_bits *b, size_t from)
{
	uint8_t out[sizeof(b->buf)];
	size_t len = (b->bits + 7) / 8, i, o = 0, zeros = 0;
	int added = 0;

	if (b->overflow || b->bits % 8 || from > len)
		return -ENOSPC;
	for (i = from; i < len; i++) {
		if (zeros >= 2 && b->buf[i] <= 3) {
			if (o >= sizeof(out))
				return -ENOSPC;
			out[o++] = 3;
			added++;
			zeros = 0;
		}
		if (o >= sizeof(out) - from)
			return -ENOSPC;
		out[o++] = b->buf[i];
		zeros = b->buf[i] ? 0 : zeros + 1;
	}
	memcpy(b->buf + from, out, o);
	b->bits = (from + o) * 8;
	return added;
}
