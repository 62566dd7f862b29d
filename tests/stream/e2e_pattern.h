/* SPDX-License-Identifier: MIT */
/*
 * The pictures of the end-to-end test, shared by the renderer in the VM
 * (vm/stream_e2e.c) and the check on the host (test_e2e.c): XRGB8888
 * content that depends on the frame number everywhere, with the number
 * itself written as 16 black/white 16x16 blocks along the top (bit b at
 * x = 16 b), so that a decoded picture says which frame it is.
 */
#ifndef KS_E2E_PATTERN_H
#define KS_E2E_PATTERN_H

#include <stdint.h>

#define KS_E2E_W	640
#define KS_E2E_H	480
#define KS_E2E_BITS	16

/* Pixel (x, y) of frame @n in a @w x @h picture. */
static inline void ks_e2e_rgb(unsigned int n, unsigned int x, unsigned int y, unsigned int w,
			      unsigned int h, uint8_t *r, uint8_t *g, uint8_t *b)
{
	if (y < 16 && x < 16 * KS_E2E_BITS) {
		uint8_t v = (n >> (x / 16)) & 1 ? 235 : 20;

		*r = *g = *b = v;
		return;
	}
	*r = (uint8_t)(x * 255 / (w - 1));
	*g = (uint8_t)(y * 255 / (h - 1));
	*b = (uint8_t)((x / 2 + y / 2 + 24 * n) & 0xff);
	if (x / 32 == n % (w / 32) && y / 32 == 2 + n % (h / 32 - 2)) {
		*r = 255 - *r;
		*g = (uint8_t)(n * 37);
	}
}

static inline uint32_t ks_e2e_xrgb(unsigned int n, unsigned int x, unsigned int y,
				   unsigned int w, unsigned int h)
{
	uint8_t r, g, b;

	ks_e2e_rgb(n, x, y, w, h, &r, &g, &b);
	return (uint32_t)r << 16 | (uint32_t)g << 8 | b;
}

/* The same picture as XRGB2101010: each 8-bit value v widened to (v << 2) | (v >> 6). */
static inline uint32_t ks_e2e_xrgb30(unsigned int n, unsigned int x, unsigned int y,
				     unsigned int w, unsigned int h)
{
	uint8_t r, g, b;

	ks_e2e_rgb(n, x, y, w, h, &r, &g, &b);
	return (uint32_t)(r << 2 | r >> 6) << 20 | (uint32_t)(g << 2 | g >> 6) << 10 |
	       (uint32_t)(b << 2 | b >> 6);
}

/* The cursor of the cursor scenario: 64x64 premultiplied ARGB, two images. */
#define KS_E2E_CUR	64

static inline uint32_t ks_e2e_cursor_px(unsigned int gen, unsigned int x, unsigned int y)
{
	uint32_t a = x < 32 ? 255 : 128, c = (x * 4 + y * 2 + gen * 100) & 0xff;

	return a << 24 | (c * a / 255) << 16 | ((255 - c) * a / 255) << 8 | (gen ? a : 0);
}

/* Where the cursor of frame @n is (even, distinct per frame). */
static inline void ks_e2e_cursor_pos(unsigned int n, int *x, int *y)
{
	*x = (int)(8 * n) - 20;	/* starts partly off screen */
	*y = (int)(4 * n) + 10;
}

#endif /* KS_E2E_PATTERN_H */
