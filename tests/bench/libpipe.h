/* SPDX-License-Identifier: MIT */
/* libpipe: frame-by-frame pacing of an encoder (tests/bench/libpipe.c). */
#ifndef KMSCAP_LIBPIPE_H
#define KMSCAP_LIBPIPE_H

#include "kmscap_test.h"

/* How long kmscap_bp_wait_frame() waits for one frame (default 120 s). */
extern unsigned int kmscap_bp_frame_timeout_ms;

/* Size of @path, 0 when it does not exist. */
off_t kmscap_bp_size(const char *path);
/* 1 when every thread of @pid sleeps (none running or in uninterruptible wait). */
int kmscap_bp_idle(pid_t pid);
/*
 * Wait until the frame's coded data is in @path: the file grew past
 * @size, then stayed the same size for 10 ms with every thread of the
 * encoder asleep.  Returns the new size; fails the bench when the encoder
 * exits or the frame takes longer than kmscap_bp_frame_timeout_ms.
 */
off_t kmscap_bp_wait_frame(const char *path, off_t size, pid_t pid, const char *what,
			   unsigned int frame);
/* Draw frame @n into @b: a gradient shifted by n rows, every pixel changed. */
void kmscap_bp_draw(struct kmscap_t_buf *b, unsigned int n);

/* The renderer's side of display @dc: its card and two @w x @h XRGB8888 buffers. */
void kmscap_bp_screen_open(struct kmscap_t_kms *k, struct kmscap_t_buf buf[2],
			   const struct kmscap_display_create *dc, uint32_t w, uint32_t h);
/* Close them and destroy the display (fails the bench if that fails). */
void kmscap_bp_screen_close(struct kmscap_t_kms *k, struct kmscap_t_buf buf[2], int ctl,
			    uint32_t display_id);
/*
 * Render @frames frames for the encoder @pid writing @out, one in flight:
 * a modeset with the first, then each next flip once the previous frame's
 * coded data is in @out (the last one is not waited for: the encoder
 * exits after it).  Returns the encoder's CPU time after the first frame.
 */
uint64_t kmscap_bp_render_paced(struct kmscap_t_kms *k, struct kmscap_t_buf buf[2],
				unsigned int frames, pid_t pid, const char *out, const char *what);

#endif
