// SPDX-License-Identifier: MIT
/*
 * kc-wl-pattern: a Wayland client that shows kc_pattern.h's picture.
 *
 *   kc-wl-pattern [WIDTH HEIGHT]
 *
 * One xdg_toplevel with a wl_shm XRGB8888 buffer of the size the
 * compositor configures (a kiosk compositor: the output's), or WIDTH x
 * HEIGHT when it leaves the choice to the client (default 640x480); where
 * the compositor has no xdg_wm_base but zwp_fullscreen_shell_v1 (Weston's
 * fullscreen-shell), a WIDTH x HEIGHT surface presented on its output.
 * Prints "shown WxH" after each commit of a new size, and runs until the
 * compositor goes away or SIGTERM comes (exit 0 for both: cage then ends
 * as a kiosk does when its application ends).  Errors name what failed
 * and exit 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <wayland-client.h>

#include "fullscreen-shell-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"
#include "../kc_pattern.h"

struct kc_wl {
	struct wl_display *display;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct zwp_fullscreen_shell_v1 *fs_shell;
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct wl_buffer *buffer;
	int32_t want_w, want_h;		/* from the last toplevel configure */
	int32_t def_w, def_h;
	int32_t shown_w, shown_h;
	bool closed;
};

/* libwayland retries its poll on EINTR: the handler itself ends the client. */
static void kc_on_term(int sig)
{
	(void)sig;
	_exit(0);
}

static void kc_die(const char *fmt, const char *arg)
{
	fprintf(stderr, "kc-wl-pattern: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

static void kc_global(void *data, struct wl_registry *reg, uint32_t name, const char *iface,
		      uint32_t version)
{
	struct kc_wl *c = data;

	(void)version;
	if (!strcmp(iface, wl_compositor_interface.name))
		c->compositor = wl_registry_bind(reg, name, &wl_compositor_interface, 1);
	else if (!strcmp(iface, wl_shm_interface.name))
		c->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
	else if (!strcmp(iface, xdg_wm_base_interface.name))
		c->wm_base = wl_registry_bind(reg, name, &xdg_wm_base_interface, 1);
	else if (!strcmp(iface, zwp_fullscreen_shell_v1_interface.name))
		c->fs_shell = wl_registry_bind(reg, name, &zwp_fullscreen_shell_v1_interface, 1);
}

static void kc_global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
	(void)data;
	(void)reg;
	(void)name;
}

static const struct wl_registry_listener kc_registry_listener = {
	.global = kc_global,
	.global_remove = kc_global_remove,
};

static void kc_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial)
{
	(void)data;
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener kc_wm_base_listener = { .ping = kc_ping };

static void kc_buffer_release(void *data, struct wl_buffer *buffer)
{
	(void)data;
	(void)buffer;
}

static const struct wl_buffer_listener kc_buffer_listener = { .release = kc_buffer_release };

/* A new buffer of @w x @h with the picture, attached and committed. */
static void kc_show(struct kc_wl *c, int32_t w, int32_t h)
{
	size_t stride = (size_t)w * 4, size = stride * (size_t)h;
	struct wl_shm_pool *pool;
	uint32_t *px;
	int32_t x, y;
	int fd;

	fd = memfd_create("kc-wl-pattern", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size))
		kc_die("memfd of the buffer: %s", strerror(errno));
	px = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (px == MAP_FAILED)
		kc_die("mmap of the buffer: %s", strerror(errno));
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			px[(size_t)y * (size_t)w + (size_t)x] = kc_pattern_px((uint32_t)x, (uint32_t)y);
	munmap(px, size);
	pool = wl_shm_create_pool(c->shm, fd, (int32_t)size);
	if (c->buffer)
		wl_buffer_destroy(c->buffer);
	c->buffer = wl_shm_pool_create_buffer(pool, 0, w, h, (int32_t)stride,
					      WL_SHM_FORMAT_XRGB8888);
	wl_buffer_add_listener(c->buffer, &kc_buffer_listener, c);
	wl_shm_pool_destroy(pool);
	close(fd);
	wl_surface_attach(c->surface, c->buffer, 0, 0);
	wl_surface_damage(c->surface, 0, 0, w, h);
	wl_surface_commit(c->surface);
	c->shown_w = w;
	c->shown_h = h;
	printf("shown %dx%d\n", w, h);
	fflush(stdout);
}

static void kc_surface_configure(void *data, struct xdg_surface *xs, uint32_t serial)
{
	struct kc_wl *c = data;
	int32_t w = c->want_w > 0 ? c->want_w : c->def_w;
	int32_t h = c->want_h > 0 ? c->want_h : c->def_h;

	xdg_surface_ack_configure(xs, serial);
	if (w != c->shown_w || h != c->shown_h)
		kc_show(c, w, h);
	else
		wl_surface_commit(c->surface);
}

static const struct xdg_surface_listener kc_surface_listener = {
	.configure = kc_surface_configure,
};

static void kc_toplevel_configure(void *data, struct xdg_toplevel *t, int32_t w, int32_t h,
				  struct wl_array *states)
{
	struct kc_wl *c = data;

	(void)t;
	(void)states;
	c->want_w = w;
	c->want_h = h;
}

static void kc_toplevel_close(void *data, struct xdg_toplevel *t)
{
	struct kc_wl *c = data;

	(void)t;
	c->closed = true;
}

static const struct xdg_toplevel_listener kc_toplevel_listener = {
	.configure = kc_toplevel_configure,
	.close = kc_toplevel_close,
};

int main(int argc, char **argv)
{
	struct kc_wl c = { .def_w = 640, .def_h = 480 };
	struct sigaction sa = { .sa_handler = kc_on_term };
	struct wl_registry *reg;

	sigaction(SIGTERM, &sa, NULL);
	if (argc == 3) {
		c.def_w = atoi(argv[1]);
		c.def_h = atoi(argv[2]);
	}
	if (c.def_w <= 0 || c.def_h <= 0 || c.def_w > 8192 || c.def_h > 8192 ||
	    (argc != 1 && argc != 3))
		kc_die("usage: kc-wl-pattern [WIDTH HEIGHT] (got %s)", argc > 1 ? argv[1] : "");
	c.display = wl_display_connect(NULL);
	if (!c.display)
		kc_die("cannot connect to the Wayland display '%s'",
		       getenv("WAYLAND_DISPLAY") ? getenv("WAYLAND_DISPLAY") : "wayland-0");
	reg = wl_display_get_registry(c.display);
	wl_registry_add_listener(reg, &kc_registry_listener, &c);
	wl_display_roundtrip(c.display);
	if (!c.compositor || !c.shm || (!c.wm_base && !c.fs_shell))
		kc_die("the compositor lacks %s", !c.compositor ? "wl_compositor" : !c.shm ?
		       "wl_shm" : "both xdg_wm_base and zwp_fullscreen_shell_v1");
	c.surface = wl_compositor_create_surface(c.compositor);
	if (!c.wm_base) {
		zwp_fullscreen_shell_v1_present_surface(c.fs_shell, c.surface,
			ZWP_FULLSCREEN_SHELL_V1_PRESENT_METHOD_DEFAULT, NULL);
		kc_show(&c, c.def_w, c.def_h);
		while (wl_display_dispatch(c.display) >= 0)
			;
		wl_display_disconnect(c.display);
		return 0;
	}
	xdg_wm_base_add_listener(c.wm_base, &kc_wm_base_listener, &c);
	c.xdg_surface = xdg_wm_base_get_xdg_surface(c.wm_base, c.surface);
	xdg_surface_add_listener(c.xdg_surface, &kc_surface_listener, &c);
	c.toplevel = xdg_surface_get_toplevel(c.xdg_surface);
	xdg_toplevel_add_listener(c.toplevel, &kc_toplevel_listener, &c);
	xdg_toplevel_set_title(c.toplevel, "kc-wl-pattern");
	wl_surface_commit(c.surface);
	while (!c.closed && wl_display_dispatch(c.display) >= 0)
		;
	wl_display_disconnect(c.display);
	return 0;
}
