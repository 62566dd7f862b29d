// SPDX-License-Identifier: MIT
/*
 * kc-x11-pattern: an X client that shows kc_pattern.h's picture.
 *
 *   kc-x11-pattern
 *
 * An override-redirect window covering the whole screen (no window
 * manager needed) at (0, 0), its picture put with PutImage (ZPixmap,
 * depth 24, 32 bits per pixel) and put again on every Expose.  Prints
 * "shown WxH" once the server has the first picture, and runs until the
 * server goes away (exit 0) or a signal ends it.  Errors name what failed
 * and exit 1.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xcb/xcb.h>

#include "../kc_pattern.h"

static void kc_die(const char *what, int code)
{
	fprintf(stderr, "kc-x11-pattern: %s (%d)\n", what, code);
	exit(1);
}

/* The picture into @win, in strips that fit into a request. */
static void kc_put(xcb_connection_t *conn, xcb_window_t win, xcb_gcontext_t gc, uint16_t w,
		   uint16_t h)
{
	uint32_t max = xcb_get_maximum_request_length(conn) * 4 - 64;
	uint16_t rows = (uint16_t)(max / (w * 4u)), y0, y, x;
	uint32_t *strip;

	if (rows > h)
		rows = h;
	if (!rows)
		kc_die("a row does not fit into one request", w);
	strip = malloc((size_t)rows * w * 4);
	if (!strip)
		kc_die("out of memory", rows);
	for (y0 = 0; y0 < h; y0 += rows) {
		uint16_t n = (uint16_t)(h - y0 < rows ? h - y0 : rows);

		for (y = 0; y < n; y++)
			for (x = 0; x < w; x++)
				strip[(size_t)y * w + x] = kc_pattern_px(x, (uint32_t)(y0 + y));
		xcb_put_image(conn, XCB_IMAGE_FORMAT_Z_PIXMAP, win, gc, w, n, 0, (int16_t)y0, 0, 24,
			      (uint32_t)n * w * 4, (const uint8_t *)strip);
	}
	free(strip);
}

int main(void)
{
	xcb_connection_t *conn = xcb_connect(NULL, NULL);
	const xcb_setup_t *setup;
	xcb_format_iterator_t fi;
	xcb_generic_event_t *ev;
	xcb_screen_t *screen;
	xcb_window_t win;
	xcb_gcontext_t gc;
	uint32_t vals[3];
	bool bpp32 = false;

	if (xcb_connection_has_error(conn))
		kc_die("cannot connect to the X server (DISPLAY)", xcb_connection_has_error(conn));
	setup = xcb_get_setup(conn);
	screen = xcb_setup_roots_iterator(setup).data;
	if (screen->root_depth != 24)
		kc_die("the root window's depth is not 24", screen->root_depth);
	for (fi = xcb_setup_pixmap_formats_iterator(setup); fi.rem; xcb_format_next(&fi))
		if (fi.data->depth == 24 && fi.data->bits_per_pixel == 32)
			bpp32 = true;
	if (!bpp32 || setup->image_byte_order != XCB_IMAGE_ORDER_LSB_FIRST)
		kc_die("depth 24 is not 32 bits per pixel, least significant byte first",
		       setup->image_byte_order);
	win = xcb_generate_id(conn);
	vals[0] = screen->black_pixel;
	vals[1] = 1;
	vals[2] = XCB_EVENT_MASK_EXPOSURE;
	xcb_create_window(conn, 24, win, screen->root, 0, 0, screen->width_in_pixels,
			  screen->height_in_pixels, 0, XCB_WINDOW_CLASS_INPUT_OUTPUT,
			  screen->root_visual,
			  XCB_CW_BACK_PIXEL | XCB_CW_OVERRIDE_REDIRECT | XCB_CW_EVENT_MASK, vals);
	gc = xcb_generate_id(conn);
	xcb_create_gc(conn, gc, win, 0, NULL);
	xcb_map_window(conn, win);
	xcb_flush(conn);
	while ((ev = xcb_wait_for_event(conn))) {
		if ((ev->response_type & 0x7f) == XCB_EXPOSE &&
		    !((xcb_expose_event_t *)ev)->count) {
			kc_put(conn, win, gc, screen->width_in_pixels, screen->height_in_pixels);
			/* a round trip: the server has it all */
			free(xcb_get_input_focus_reply(conn, xcb_get_input_focus(conn), NULL));
			printf("shown %ux%u\n", screen->width_in_pixels, screen->height_in_pixels);
			fflush(stdout);
		}
		free(ev);
	}
	xcb_disconnect(conn);
	return 0;
}
