// SPDX-License-Identifier: MIT
/*
 * Validation of events read from a kmscap client fd.  The module is
 * trusted, but a daemon should not index arrays or map memory with
 * numbers it has not checked: everything an event carries that is used
 * as a count or a coordinate is bounds-checked here.
 *
 * Two streams: the fixed 1.0 events (kmscap_event_decode()) and, since
 * ABI 1.2, framed events (kmscap_event_parse()), whose unknown types are
 * skipped and whose frames are decoded into a struct kmscap_event.  The
 * flip-done events of ABI 1.3 are skipped by kmscap_event_parse() (a
 * struct kmscap_event cannot hold them) and decoded by
 * kmscap_event_parse_flip_done().
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "libkmscap.h"

static int kmscap_bad(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -EBADMSG;
}

static int kmscap_check_event(const struct kmscap_event *ev, const char **why)
{
	uint32_t i;

	if (ev->num_planes > 4)
		return kmscap_bad(why, "num_planes is larger than 4");
	if (ev->num_damage > KMSCAP_MAX_DAMAGE)
		return kmscap_bad(why, "num_damage is larger than KMSCAP_MAX_DAMAGE");
	if ((ev->flags & KMSCAP_FRAME_FULL_DAMAGE) && ev->num_damage)
		return kmscap_bad(why, "damage rectangles given with FULL_DAMAGE");

	for (i = 0; i < ev->num_damage; i++) {
		const struct kmscap_rect *r = &ev->damage[i];

		if (r->x2 <= r->x1 || r->y2 <= r->y1)
			return kmscap_bad(why, "empty or inverted damage rectangle");
		if (r->x2 > ev->width || r->y2 > ev->height)
			return kmscap_bad(why, "damage rectangle outside the framebuffer");
	}
	return 0;
}

int kmscap_event_decode(const void *buf, size_t len, struct kmscap_event *out, const char **why)
{
	struct kmscap_event ev;
	int ret;

	if (why)
		*why = NULL;
	if (!buf) {
		if (why)
			*why = "no buffer";
		return -EINVAL;
	}
	if (len < sizeof(ev))
		return kmscap_bad(why, "short read: less than one struct kmscap_event");

	memcpy(&ev, buf, sizeof(ev));

	if (ev.pad)
		return kmscap_bad(why, "non-zero pad field");

	if (ev.type != KMSCAP_EVENT_FRAME && ev.type != KMSCAP_EVENT_HANGUP)
		return kmscap_bad(why, "unknown event type");
	/* a hang-up carries no frame, but its counts must still be sane */
	ret = kmscap_check_event(&ev, why);
	if (ret)
		return ret;

	if (out)
		*out = ev;
	return 0;
}

/* The damage of a framed frame as the 1.0 event holds it: at most 8, merged beyond. */
static void kmscap_frame_damage(const struct kmscap_event_frame *f, const unsigned char *rects,
				struct kmscap_event *ev)
{
	struct kmscap_rect r, box = { UINT32_MAX, UINT32_MAX, 0, 0 };
	uint32_t i;

	for (i = 0; i < f->num_damage; i++) {
		memcpy(&r, rects + i * sizeof(r), sizeof(r));
		if (f->num_damage <= KMSCAP_MAX_DAMAGE) {
			ev->damage[i] = r;
			continue;
		}
		box.x1 = r.x1 < box.x1 ? r.x1 : box.x1;
		box.y1 = r.y1 < box.y1 ? r.y1 : box.y1;
		box.x2 = r.x2 > box.x2 ? r.x2 : box.x2;
		box.y2 = r.y2 > box.y2 ? r.y2 : box.y2;
	}
	ev->num_damage = f->num_damage;
	if (f->num_damage > KMSCAP_MAX_DAMAGE) {
		ev->damage[0] = box;
		ev->num_damage = 1;
		ev->flags |= KMSCAP_FRAME_DAMAGE_MERGED;
	}
}

static int kmscap_parse_frame(const unsigned char *buf, uint32_t length,
			      struct kmscap_event *ev, const char **why)
{
	struct kmscap_event_frame f;

	if (length < sizeof(f))
		return kmscap_bad(why, "frame event shorter than struct kmscap_event_frame");
	memcpy(&f, buf, sizeof(f));
	if (f.damage_offset < sizeof(f) || f.damage_offset % 8 || f.damage_offset > length ||
	    f.num_damage > (length - f.damage_offset) / sizeof(struct kmscap_rect))
		return kmscap_bad(why, "damage rectangles outside the frame event");

	memset(ev, 0, sizeof(*ev));
	ev->type = KMSCAP_EVENT_FRAME;
	ev->flags = f.flags;
	ev->seq = f.seq;
	ev->timestamp_ns = f.timestamp_ns;
	ev->display_id = f.display_id;
	ev->buffer_id = f.buffer_id;
	ev->format = f.format;
	ev->width = f.width;
	ev->height = f.height;
	ev->num_planes = f.num_planes;
	ev->modifier = f.modifier;
	memcpy(ev->pitches, f.pitches, sizeof(ev->pitches));
	memcpy(ev->offsets, f.offsets, sizeof(ev->offsets));
	ev->src_x = f.src_x;
	ev->src_y = f.src_y;
	ev->src_w = f.src_w;
	ev->src_h = f.src_h;
	ev->mode_width = f.mode_width;
	ev->mode_height = f.mode_height;
	ev->refresh_mhz = f.refresh_mhz;
	ev->cursor_x = f.cursor_x;
	ev->cursor_y = f.cursor_y;
	ev->cursor_buffer_id = f.cursor_buffer_id;
	ev->cursor_format = f.cursor_format;
	ev->cursor_width = f.cursor_width;
	ev->cursor_height = f.cursor_height;
	ev->cursor_hot_x = f.cursor_hot_x;
	ev->cursor_hot_y = f.cursor_hot_y;
	ev->cursor_pitch = f.cursor_pitch;
	ev->dropped = f.dropped;
	kmscap_frame_damage(&f, buf + f.damage_offset, ev);
	return kmscap_check_event(ev, why);
}

/* The header of the next framed event, into @hdr; *@used its length (0 if bad). */
static int kmscap_parse_header(const void *buf, size_t len, size_t *used,
			       struct kmscap_event_header *hdr, const char **why)
{
	if (why)
		*why = NULL;
	if (used)
		*used = 0;
	if (!buf || !used) {
		if (why)
			*why = "no buffer";
		return -EINVAL;
	}
	if (len < sizeof(*hdr))
		return kmscap_bad(why, "short read: less than one event header");
	memcpy(hdr, buf, sizeof(*hdr));
	if (hdr->length < sizeof(*hdr) || hdr->length % 8 || hdr->length > len)
		return kmscap_bad(why, "event length not a multiple of 8 or past the data");
	*used = hdr->length;
	return 0;
}

int kmscap_event_parse(const void *buf, size_t len, size_t *used, struct kmscap_event *out,
		       const char **why)
{
	struct kmscap_event_hangup h;
	struct kmscap_event_header hdr;
	struct kmscap_event ev;
	int ret;

	ret = kmscap_parse_header(buf, len, used, &hdr, why);
	if (ret)
		return ret;

	switch (hdr.type) {
	case KMSCAP_EVENT_FRAME:
		ret = kmscap_parse_frame(buf, hdr.length, &ev, why);
		if (ret)
			return ret;
		break;
	case KMSCAP_EVENT_HANGUP:
		if (hdr.length < sizeof(h))
			return kmscap_bad(why, "hang-up event shorter than struct kmscap_event_hangup");
		memcpy(&h, buf, sizeof(h));
		memset(&ev, 0, sizeof(ev));
		ev.type = KMSCAP_EVENT_HANGUP;
		ev.display_id = h.display_id;
		ev.seq = h.seq;
		ev.timestamp_ns = h.timestamp_ns;
		break;
	default:
		return 0;	/* a type of a later ABI: skip it */
	}
	if (out)
		*out = ev;
	return 1;
}

int kmscap_event_parse_flip_done(const void *buf, size_t len, size_t *used,
				 struct kmscap_event_flip_done *out, const char **why)
{
	struct kmscap_event_flip_done d;
	struct kmscap_event_header hdr;
	int ret;

	ret = kmscap_parse_header(buf, len, used, &hdr, why);
	if (ret)
		return ret;
	if (hdr.type != KMSCAP_EVENT_FLIP_DONE)
		return 0;
	if (hdr.length < sizeof(d))
		return kmscap_bad(why, "flip-done event shorter than struct kmscap_event_flip_done");
	memcpy(&d, buf, sizeof(d));
	if (!d.seq)
		return kmscap_bad(why, "flip-done event of frame 0");
	if (d.hold_wait_ns && !(d.flags & KMSCAP_FLIP_DONE_WAITED))
		return kmscap_bad(why, "hold_wait_ns of a flip-done event without WAITED");
	if (out)
		*out = d;
	return 1;
}
