// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: buffer id -> imported surface cache.
 *
 * kmscap buffer ids are stable for a buffer's life, so every distinct
 * buffer is exported and imported into VA-API once.  An entry is keyed by
 * the id *and* the layout it was imported with: if a buffer id comes back
 * with another format, size, modifier, pitch or offset, it is imported
 * again.  A mode change or a hang-up drops everything (compositors
 * reallocate their framebuffers on a modeset).  The number of entries is
 * bounded; when full, the least recently used one is destroyed.  The
 * export and import functions are injected, so this file needs neither
 * VA-API nor a kmscap device.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ks.h"

int ks_import_cache_init(struct ks_import_cache *c, const struct ks_import_ops *ops,
			 void *opaque, size_t max)
{
	if (!ops || !ops->export_buf || !ops->import || !ops->destroy || !max)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->entries = calloc(max, sizeof(*c->entries));
	if (!c->entries)
		return -ENOMEM;
	c->ops = *ops;
	c->opaque = opaque;
	c->max = max;
	return 0;
}

static void ks_import_cache_remove(struct ks_import_cache *c, size_t i)
{
	c->ops.destroy(c->opaque, c->entries[i].handle);
	c->entries[i] = c->entries[--c->count];
}

void ks_import_cache_drop_all(struct ks_import_cache *c)
{
	if (c->count)
		c->drops++;
	while (c->count)
		ks_import_cache_remove(c, c->count - 1);
}

void ks_import_cache_fini(struct ks_import_cache *c)
{
	if (!c->entries)
		return;
	ks_import_cache_drop_all(c);
	free(c->entries);
	c->entries = NULL;
}

static bool ks_layout_eq(const struct ks_layout *a, const struct ks_layout *b)
{
	return a->format == b->format && a->width == b->width && a->height == b->height &&
	       a->modifier == b->modifier && a->pitch == b->pitch && a->offset == b->offset;
}

int ks_import_cache_get(struct ks_import_cache *c, uint32_t buffer_id,
			const struct ks_layout *layout, uint32_t *handle)
{
	struct ks_import_entry *e;
	uint64_t size = 0;
	uint32_t h;
	size_t i;
	int fd, ret;

	if (!buffer_id || !layout || !handle)
		return -EINVAL;
	for (i = 0; i < c->count; i++) {
		e = &c->entries[i];
		if (e->buffer_id != buffer_id)
			continue;
		if (ks_layout_eq(&e->layout, layout)) {
			e->last_use = ++c->clock;
			c->hits++;
			*handle = e->handle;
			return 0;
		}
		/* same id, new layout: the old import is useless */
		ks_import_cache_remove(c, i);
		break;
	}

	fd = c->ops.export_buf(c->opaque, buffer_id, &size);
	if (fd < 0)
		return fd;
	ret = c->ops.import(c->opaque, fd, size, layout, &h);
	close(fd);
	if (ret < 0)
		return ret;
	c->imports++;

	if (c->count == c->max) {
		size_t lru = 0;

		for (i = 1; i < c->count; i++)
			if (c->entries[i].last_use < c->entries[lru].last_use)
				lru = i;
		ks_import_cache_remove(c, lru);
		c->evictions++;
	}
	e = &c->entries[c->count++];
	e->buffer_id = buffer_id;
	e->layout = *layout;
	e->handle = h;
	e->last_use = ++c->clock;
	*handle = h;
	return 0;
}

int ks_import_cache_note_event(struct ks_import_cache *c, const struct kmscap_event *ev)
{
	if (ev->type == KMSCAP_EVENT_HANGUP ||
	    (ev->type == KMSCAP_EVENT_FRAME && (ev->flags & KMSCAP_FRAME_NEW_MODE))) {
		ks_import_cache_drop_all(c);
		return 1;
	}
	return 0;
}
