// SPDX-License-Identifier: MIT
/*
 * tiling.c - X-tiled imports read as linear rows (the layout: tiling.h).
 * The VPP reads a tiled import through a linear copy made at the start of
 * each read (kmscap_va_import_begin_read()), a tile row at a time.
 */
#include <string.h>

#include <drm_fourcc.h>

#include "tiling.h"

const uint64_t kmscap_va_modifiers[2] = { DRM_FORMAT_MOD_LINEAR, I915_FORMAT_MOD_X_TILED };

bool kmscap_va_modifier_ok(uint64_t modifier)
{
	return modifier == DRM_FORMAT_MOD_LINEAR || modifier == I915_FORMAT_MOD_X_TILED;
}

const char *kmscap_va_layout_check(uint64_t modifier, size_t pitch, size_t offset)
{
	if (modifier != I915_FORMAT_MOD_X_TILED)
		return NULL;
	if (pitch % KMSCAP_VA_XTILE_W)
		return "an X-tiled pitch is a multiple of 512 bytes";
	if (offset % (KMSCAP_VA_XTILE_W * KMSCAP_VA_XTILE_H))
		return "an X-tiled plane starts at a multiple of 4096 bytes";
	return NULL;
}

size_t kmscap_va_layout_size(uint64_t modifier, size_t pitch, unsigned int height)
{
	if (modifier == I915_FORMAT_MOD_X_TILED)
		height = (height + KMSCAP_VA_XTILE_H - 1) / KMSCAP_VA_XTILE_H * KMSCAP_VA_XTILE_H;
	return pitch * height;
}

void kmscap_va_detile_x(uint8_t *dst, const uint8_t *src, size_t pitch, unsigned int height)
{
	size_t tiles = pitch / KMSCAP_VA_XTILE_W, t;
	unsigned int y, r;

	for (y = 0; y < height; y += KMSCAP_VA_XTILE_H) {
		/* one row of tiles: pitch * 8 bytes in, 8 linear rows out */
		const uint8_t *row = src + (size_t)y * pitch;

		for (r = 0; r < KMSCAP_VA_XTILE_H && y + r < height; r++)
			for (t = 0; t < tiles; t++)
				memcpy(dst + (size_t)(y + r) * pitch + t * KMSCAP_VA_XTILE_W,
				       row + t * KMSCAP_VA_XTILE_W * KMSCAP_VA_XTILE_H +
				       (size_t)r * KMSCAP_VA_XTILE_W, KMSCAP_VA_XTILE_W);
	}
}
