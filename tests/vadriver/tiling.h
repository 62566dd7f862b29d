/* SPDX-License-Identifier: MIT */
/*
 * tiling.h - the one non-linear layout the driver reads (tiling.c): Intel's
 * X-tiling, I915_FORMAT_MOD_X_TILED, without bit-6 swizzling.  The picture
 * is cut into tiles 512 bytes wide and 8 rows high (4096 bytes each), stored
 * one after another, row of tiles by row of tiles; inside a tile its 8 rows
 * of 512 bytes follow each other.  The pitch is a whole number of tiles.
 */
#ifndef KMSCAP_VA_TILING_H
#define KMSCAP_VA_TILING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMSCAP_VA_XTILE_W	512	/* bytes */
#define KMSCAP_VA_XTILE_H	8	/* rows */

/* The modifiers an import may name, for vaQuerySurfaceAttributes. */
extern const uint64_t kmscap_va_modifiers[2];

/* Whether an import may name @modifier. */
bool kmscap_va_modifier_ok(uint64_t modifier);

/*
 * Why @pitch and @offset do not fit the layout of @modifier (a sentence for
 * the driver's log), or NULL when they do.
 */
const char *kmscap_va_layout_check(uint64_t modifier, size_t pitch, size_t offset);

/* Bytes @height rows of @pitch take in the layout of @modifier: whole tile rows. */
size_t kmscap_va_layout_size(uint64_t modifier, size_t pitch, unsigned int height);

/*
 * Writes the first @height rows of the X-tiled picture @src (pitch @pitch)
 * to @dst as linear rows of @pitch bytes.
 */
void kmscap_va_detile_x(uint8_t *dst, const uint8_t *src, size_t pitch, unsigned int height);

#endif
