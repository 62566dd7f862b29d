// SPDX-License-Identifier: MIT
/*
 * object.c - ID tables of the kmscap VA test driver.
 *
 * Each object type has its own ID range, and IDs are never reused: an ID of
 * the wrong type or of a destroyed object is always recognised as invalid.
 */
#include <stdlib.h>

#include "kmscap_va.h"

int kmscap_va_table_init(struct kmscap_va_table *t, unsigned int base)
{
	t->slots = NULL;
	t->count = 0;
	t->cap = 0;
	t->base = base;
	return 0;
}

void kmscap_va_table_fini(struct kmscap_va_table *t)
{
	free(t->slots);
	t->slots = NULL;
	t->count = 0;
	t->cap = 0;
}

unsigned int kmscap_va_obj_add(struct kmscap_va_driver *drv, enum kmscap_va_obj_type type,
			       void *obj)
{
	struct kmscap_va_table *t = &drv->tables[type];

	/* each type owns 2^24 IDs from its base */
	if (t->count >= 0x00ffffff)
		return VA_INVALID_ID;
	if (t->count == t->cap) {
		unsigned int cap = t->cap ? 2 * t->cap : 64;
		void **slots = realloc(t->slots, cap * sizeof(*slots));

		if (!slots)
			return VA_INVALID_ID;
		t->slots = slots;
		t->cap = cap;
	}
	t->slots[t->count] = obj;
	return t->base + t->count++;
}

void *kmscap_va_obj_get(struct kmscap_va_driver *drv, enum kmscap_va_obj_type type,
			unsigned int id, bool *destroyed)
{
	struct kmscap_va_table *t = &drv->tables[type];

	if (destroyed)
		*destroyed = false;
	if (id < t->base || id - t->base >= t->count)
		return NULL;
	if (!t->slots[id - t->base] && destroyed)
		*destroyed = true;
	return t->slots[id - t->base];
}

void *kmscap_va_obj_remove(struct kmscap_va_driver *drv, enum kmscap_va_obj_type type,
			   unsigned int id)
{
	struct kmscap_va_table *t = &drv->tables[type];
	void *obj;

	if (id < t->base || id - t->base >= t->count)
		return NULL;
	obj = t->slots[id - t->base];
	t->slots[id - t->base] = NULL;
	return obj;
}

struct kmscap_va_surface *kmscap_va_surface_get(struct kmscap_va_driver *drv, VASurfaceID id,
						VAStatus *err, const char *func)
{
	struct kmscap_va_surface *s;
	bool destroyed;

	s = kmscap_va_obj_get(drv, KMSCAP_VA_OBJ_SURFACE, id, &destroyed);
	if (s)
		return s;
	*err = kmscap_va_reject(drv, VA_STATUS_ERROR_INVALID_SURFACE, func,
				destroyed ? "surface %#x used after vaDestroySurfaces" :
				"surface %#x does not exist", id);
	return NULL;
}

struct kmscap_va_buffer *kmscap_va_buffer_get(struct kmscap_va_driver *drv, VABufferID id,
					      VAStatus *err, const char *func)
{
	struct kmscap_va_buffer *b;
	bool destroyed;

	b = kmscap_va_obj_get(drv, KMSCAP_VA_OBJ_BUFFER, id, &destroyed);
	if (b)
		return b;
	*err = kmscap_va_reject(drv, VA_STATUS_ERROR_INVALID_BUFFER, func,
				destroyed ? "buffer %#x used after vaDestroyBuffer" :
				"buffer %#x does not exist", id);
	return NULL;
}
