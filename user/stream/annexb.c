// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: Annex B access units (H.264 / HEVC).
 *
 * An access unit is assembled completely in memory (delimiter, parameter
 * sets, slices) and handed to the output as one unit, so a reader of a
 * pipe or socket never sees half a frame.  The parser below is what the
 * helper and its tests use to look into a unit.
 */
#include <errno.h>

#include "ks.h"

static const uint8_t ks_sc4[4] = { 0, 0, 0, 1 };

int ks_annexb_aud_h264(struct ks_buf *au)
{
	/* nal_unit_type 9; primary_pic_type 7 (111), rbsp stop bit, alignment */
	static const uint8_t aud[] = { 0, 0, 0, 1, 0x09, 0xf0 };

	return ks_buf_append(au, aud, sizeof(aud));
}

int ks_annexb_append_nal(struct ks_buf *au, const void *nal, size_t len)
{
	int ret;

	if (!nal || !len)
		return -EINVAL;
	ret = ks_buf_reserve(au, len + 4);
	if (ret)
		return ret;
	ks_buf_append(au, ks_sc4, 4);
	return ks_buf_append(au, nal, len);
}

/* Length of the start code at @p (3 or 4), or 0. */
static size_t ks_sc_at(const uint8_t *p, size_t left)
{
	if (left >= 3 && !p[0] && !p[1] && p[2] == 1)
		return 3;
	if (left >= 4 && !p[0] && !p[1] && !p[2] && p[3] == 1)
		return 4;
	return 0;
}

int ks_annexb_append_stream(struct ks_buf *au, const void *data, size_t len)
{
	if (!data || !len)
		return -EINVAL;
	if (!ks_sc_at(data, len))
		return -EBADMSG;
	return ks_buf_append(au, data, len);
}

int ks_annexb_next(const uint8_t *data, size_t len, size_t *pos, struct ks_nal *nal)
{
	size_t p = *pos, sc, start, end;

	if (p >= len)
		return 0;
	sc = ks_sc_at(data + p, len - p);
	if (!sc)
		return -EBADMSG;
	start = p + sc;
	/* the NAL ends where "00 00 01" starts, after dropping zero bytes */
	for (end = start; end + 3 <= len; end++)
		if (!data[end] && !data[end + 1] && data[end + 2] == 1)
			break;
	if (end + 3 > len)
		end = len;
	*pos = end;
	while (end > start && !data[end - 1])
		end--;
	/* the next start code begins at the first of the trailing zeros */
	if (*pos < len)
		*pos = end;
	nal->data = data + start;
	nal->len = end - start;
	nal->sc_len = sc;
	return 1;
}
