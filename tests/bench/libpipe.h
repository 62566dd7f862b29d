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

#endif
