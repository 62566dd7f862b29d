/* SPDX-License-Identifier: MIT */
/*
 * The picture the compositor tests' clients show (clients/), and what the
 * tests expect to capture: XRGB8888 cells of 16x16 pixels, each one of 8
 * colours (every channel 0x00 or 0xe0) chosen by a hash of the cell's
 * place, with the pixel's place within the cell in the low 4 bits of each
 * channel.  Pixel-exact through a compositor that copies it; after
 * 4:2:0 encoding each cell keeps its colour (chroma is shared by 2x2
 * pixels, and cells start at even places), so a decoded stream is checked
 * cell by cell against the palette.
 */
#ifndef KC_PATTERN_H
#define KC_PATTERN_H

#include <stdint.h>

#define KC_CELL		16

/* Palette index (0..7: bit 2 red, bit 1 green, bit 0 blue) of cell (cx, cy). */
static inline unsigned int kc_cell_colour(uint32_t cx, uint32_t cy)
{
	return (((cx * 0x9e3779b1u) ^ (cy * 0x85ebca6bu)) * 0xc2b2ae35u) >> 29;
}

/* Pixel (x, y) of the picture, 0x00RRGGBB. */
static inline uint32_t kc_pattern_px(uint32_t x, uint32_t y)
{
	unsigned int c = kc_cell_colour(x / KC_CELL, y / KC_CELL);
	uint32_t lx = x % KC_CELL, ly = y % KC_CELL;

	return (c & 4 ? 0xe00000u : 0) | (c & 2 ? 0xe000u : 0) | (c & 1 ? 0xe0u : 0) |
	       lx << 16 | ly << 8 | ((lx + ly) & 15);
}

#endif /* KC_PATTERN_H */
