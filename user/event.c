// SPDX-License-Identifier: MIT
/*
 * Validation of events read from a kmscap client fd.  The module is
 * trusted, but a daemon should not index arrays or map memory with
 * numbers it has not checked: everything an event carries that is used
 * as a count or a coordinate is bounds-checked here.
 */
#include <errno.h>
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
