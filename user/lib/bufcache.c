// SPDX-License-Identifier: MIT
/*
 * Buffer cache: buffer id -> exported DMA-BUF fd.
 *
 * The module hands out stable buffer ids; exporting a buffer creates a
 * new fd (and, for a consumer such as VA-API, a new import) each time.
 * The cache exports every buffer once and hands the same fd back until
 * the buffer is known to be gone: on a hang-up, on a mode change (the
 * compositor reallocates its framebuffers), on explicit invalidation, or
 * when the least recently used entry is evicted to keep the number of
 * open fds bounded.  A display has only a few buffers in flight, so a
 * small array searched linearly is the right structure.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "libkmscap.h"

struct kmscap_bufcache_entry {
	uint32_t buffer_id;
	int fd;
	uint64_t size;
	uint64_t last_use;
};

struct kmscap_bufcache {
	kmscap_export_fn export;
	void *opaque;
	size_t max;
	size_t count;
	uint64_t clock;
	struct kmscap_bufcache_entry *entries;
};

int kmscap_bufcache_new(kmscap_export_fn export_fn, void *opaque, size_t max_entries,
			struct kmscap_bufcache **out)
{
	struct kmscap_bufcache *c;

	if (!export_fn || !out)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->export = export_fn;
	c->opaque = opaque;
	c->max = max_entries ? max_entries : KMSCAP_BUFCACHE_DEFAULT_MAX;
	c->entries = calloc(c->max, sizeof(*c->entries));
	if (!c->entries) {
		free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

static void kmscap_bufcache_remove(struct kmscap_bufcache *c, size_t i)
{
	close(c->entries[i].fd);
	c->entries[i] = c->entries[--c->count];
}

void kmscap_bufcache_invalidate(struct kmscap_bufcache *cache)
{
	if (!cache)
		return;
	while (cache->count)
		kmscap_bufcache_remove(cache, cache->count - 1);
}

void kmscap_bufcache_free(struct kmscap_bufcache *cache)
{
	if (!cache)
		return;
	kmscap_bufcache_invalidate(cache);
	free(cache->entries);
	free(cache);
}

static long kmscap_bufcache_find(const struct kmscap_bufcache *c, uint32_t buffer_id)
{
	size_t i;

	for (i = 0; i < c->count; i++)
		if (c->entries[i].buffer_id == buffer_id)
			return (long)i;
	return -1;
}

int kmscap_bufcache_get(struct kmscap_bufcache *cache, uint32_t buffer_id, uint64_t *size)
{
	struct kmscap_bufcache_entry *e;
	uint64_t sz = 0;
	long i;
	int fd;

	if (!cache || !buffer_id)
		return -EINVAL;

	i = kmscap_bufcache_find(cache, buffer_id);
	if (i >= 0) {
		e = &cache->entries[i];
		e->last_use = ++cache->clock;
		if (size)
			*size = e->size;
		return e->fd;
	}

	fd = cache->export(cache->opaque, buffer_id, &sz);
	if (fd < 0)
		return fd;

	if (cache->count == cache->max) {
		size_t j, lru = 0;

		for (j = 1; j < cache->count; j++)
			if (cache->entries[j].last_use < cache->entries[lru].last_use)
				lru = j;
		kmscap_bufcache_remove(cache, lru);
	}
	e = &cache->entries[cache->count++];
	e->buffer_id = buffer_id;
	e->fd = fd;
	e->size = sz;
	e->last_use = ++cache->clock;
	if (size)
		*size = sz;
	return fd;
}

int kmscap_bufcache_drop(struct kmscap_bufcache *cache, uint32_t buffer_id)
{
	long i;

	if (!cache)
		return -EINVAL;
	i = kmscap_bufcache_find(cache, buffer_id);
	if (i < 0)
		return -ENOENT;
	kmscap_bufcache_remove(cache, (size_t)i);
	return 0;
}

size_t kmscap_bufcache_count(const struct kmscap_bufcache *cache)
{
	return cache ? cache->count : 0;
}

int kmscap_bufcache_note_event(struct kmscap_bufcache *cache, const struct kmscap_event *ev)
{
	if (!cache || !ev)
		return 0;
	if (ev->type == KMSCAP_EVENT_HANGUP ||
	    (ev->type == KMSCAP_EVENT_FRAME && (ev->flags & KMSCAP_FRAME_NEW_MODE))) {
		kmscap_bufcache_invalidate(cache);
		return 1;
	}
	return 0;
}
