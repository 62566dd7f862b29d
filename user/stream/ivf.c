// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: IVF container for AV1.
 *
 * File header, 32 bytes, little endian: "DKIF", version 0 (u16), header
 * size 32 (u16), codec fourcc (u32), width (u16), height (u16), time base
 * denominator "rate" (u32), numerator "scale" (u32), frame count (u32,
 * 0 while streaming), reserved (u32).  Each frame: payload size (u32),
 * presentation timestamp in time base units (u64), payload.
 */
#include <errno.h>
#include <string.h>

#include "ks.h"

static void ks_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void ks_le32(uint8_t *p, uint32_t v)
{
	ks_le16(p, (uint16_t)v);
	ks_le16(p + 2, (uint16_t)(v >> 16));
}

static void ks_le64(uint8_t *p, uint64_t v)
{
	ks_le32(p, (uint32_t)v);
	ks_le32(p + 4, (uint32_t)(v >> 32));
}

void ks_ivf_header(uint8_t out[KS_IVF_HEADER_SIZE], uint32_t fourcc, uint16_t width,
		   uint16_t height, uint32_t rate, uint32_t scale, uint32_t frames)
{
	memcpy(out, "DKIF", 4);
	ks_le16(out + 4, 0);
	ks_le16(out + 6, KS_IVF_HEADER_SIZE);
	ks_le32(out + 8, fourcc);
	ks_le16(out + 12, width);
	ks_le16(out + 14, height);
	ks_le32(out + 16, rate);
	ks_le32(out + 20, scale);
	ks_le32(out + 24, frames);
	ks_le32(out + 28, 0);
}

int ks_ivf_append_frame(struct ks_buf *unit, const void *data, size_t len, uint64_t pts)
{
	uint8_t hdr[KS_IVF_FRAME_HEADER];
	int ret;

	if (!data || !len)
		return -EINVAL;
	if (len > UINT32_MAX)
		return -EFBIG;
	ret = ks_buf_reserve(unit, len + sizeof(hdr));
	if (ret)
		return ret;
	ks_le32(hdr, (uint32_t)len);
	ks_le64(hdr + 4, pts);
	ks_buf_append(unit, hdr, sizeof(hdr));
	return ks_buf_append(unit, data, len);
}
