// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: cursor side data for --cursor separate.
 *
 * A record is written whenever the cursor changes: it moved, its image or
 * buffer changed, it appeared or disappeared, or on the first frame and
 * after a mode change.  All fields little endian; the header is 52 bytes:
 *
 *   0  char[4] magic "KSCR"
 *   4  u16     version (1)
 *   6  u16     header size (52)
 *   8  u64     frame sequence number
 *  16  u64     flip time, CLOCK_MONOTONIC ns
 *  24  s32     x of the image's top-left corner on the display
 *  28  s32     y
 *  32  u16     hotspot x, from the image's left
 *  34  u16     hotspot y
 *  36  u16     image width
 *  38  u16     image height
 *  40  u32     flags: bit 0 visible, bit 1 moved (other position than the
 *              last visible record, or the first visible record), bit 2
 *              image follows
 *  44  u32     DRM fourcc of the image (ARGB8888)
 *  48  u32     image bytes that follow (width * height * 4, rows packed)
 *
 * The image follows when it changed since the previous record (and the
 * cursor is visible), as premultiplied ARGB8888, the cursor plane's
 * default blend mode.  A reader keeps the last image it received.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ks.h"

#define KS_CURSOR_VERSION	1
#define KS_CURSOR_MAX		512	/* kmscap's cursor plane is at most 256x256 */

static void ks_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void ks_put32(uint8_t *p, uint32_t v)
{
	ks_put16(p, (uint16_t)v);
	ks_put16(p + 2, (uint16_t)(v >> 16));
}

static void ks_put64(uint8_t *p, uint64_t v)
{
	ks_put32(p, (uint32_t)v);
	ks_put32(p + 4, (uint32_t)(v >> 32));
}

void ks_cursor_init(struct ks_cursor_side *c, int (*export_buf)(void *, uint32_t, uint64_t *),
		    void *opaque)
{
	memset(c, 0, sizeof(*c));
	c->export_buf = export_buf;
	c->opaque = opaque;
}

/* Append the image of @ev's cursor buffer, rows packed, to @out. */
static int ks_cursor_image(struct ks_cursor_side *c, const struct kmscap_event *ev,
			   struct ks_buf *out)
{
	size_t row = (size_t)ev->cursor_width * 4, need;
	uint64_t size = 0;
	uint8_t *map;
	uint32_t y;
	int fd, ret;

	need = (size_t)ev->cursor_pitch * (ev->cursor_height - 1) + row;
	if (ev->cursor_pitch < row)
		return -EINVAL;
	fd = c->export_buf(c->opaque, ev->cursor_buffer_id, &size);
	if (fd < 0)
		return fd;
	if (size < need) {
		close(fd);
		return -EINVAL;
	}
	map = mmap(NULL, need, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -errno;
	ret = ks_buf_reserve(out, row * ev->cursor_height);
	for (y = 0; !ret && y < ev->cursor_height; y++)
		ret = ks_buf_append(out, map + (size_t)y * ev->cursor_pitch, row);
	munmap(map, need);
	return ret;
}

int ks_cursor_frame(struct ks_cursor_side *c, const struct kmscap_event *ev,
		    struct ks_buf *side)
{
	bool visible = ev->cursor_buffer_id && (ev->flags & KMSCAP_FRAME_CURSOR_VISIBLE);
	bool reset = !c->have_state || (ev->flags & (KMSCAP_FRAME_FIRST | KMSCAP_FRAME_NEW_MODE));
	bool moved = visible &&
		     (!c->have_pos || ev->cursor_x != c->x || ev->cursor_y != c->y);
	bool image = visible && (reset || ev->cursor_buffer_id != c->buffer_id ||
				 (ev->flags & KMSCAP_FRAME_CURSOR_CHANGED) || !c->visible);
	uint8_t hdr[KS_CURSOR_HEADER];
	size_t start = side->len;
	uint32_t flags;
	int ret;

	if (!reset && visible == c->visible && !moved && !image)
		return 0;
	if (visible && (ev->cursor_width > KS_CURSOR_MAX || ev->cursor_height > KS_CURSOR_MAX ||
			!ev->cursor_width || !ev->cursor_height))
		return -EINVAL;
	flags = (visible ? 1u : 0) | (moved ? 2u : 0) | (image ? 4u : 0);
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, "KSCR", 4);
	ks_put16(hdr + 4, KS_CURSOR_VERSION);
	ks_put16(hdr + 6, KS_CURSOR_HEADER);
	ks_put64(hdr + 8, ev->seq);
	ks_put64(hdr + 16, ev->timestamp_ns);
	ks_put32(hdr + 24, (uint32_t)(int32_t)ev->cursor_x);
	ks_put32(hdr + 28, (uint32_t)(int32_t)ev->cursor_y);
	ks_put16(hdr + 32, (uint16_t)ev->cursor_hot_x);
	ks_put16(hdr + 34, (uint16_t)ev->cursor_hot_y);
	ks_put16(hdr + 36, (uint16_t)ev->cursor_width);
	ks_put16(hdr + 38, (uint16_t)ev->cursor_height);
	ks_put32(hdr + 40, flags);
	ks_put32(hdr + 44, ev->cursor_format);
	ks_put32(hdr + 48, image ? ev->cursor_width * ev->cursor_height * 4 : 0);
	ret = ks_buf_append(side, hdr, sizeof(hdr));
	if (!ret && image)
		ret = ks_cursor_image(c, ev, side);
	if (ret) {
		side->len = start;	/* never half a record */
		return ret;
	}
	c->have_state = true;
	c->visible = visible;
	c->buffer_id = ev->cursor_buffer_id;
	if (visible) {
		/* "moved" compares with the last position the cursor was shown at */
		c->have_pos = true;
		c->x = ev->cursor_x;
		c->y = ev->cursor_y;
	}
	c->records++;
	return 0;
}
