/* SPDX-License-Identifier: MIT */
/* The fixture of the VA pipeline tests (vapipe_fixture.c). */
#ifndef KMSCAP_STREAM_VAPIPE_FIXTURE_H
#define KMSCAP_STREAM_VAPIPE_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "kmscap.h"
#include "vapipe_test.h"

#define MAX_BUFS 4

struct fixture {
	char device[600];
	char dir[512];
	int memfd[MAX_BUFS + 1];	/* by buffer id */
	unsigned int exports;
	struct ks_vapipe *va;
	struct ks_buf out;
};

/* The DMA-BUF export callback of the pipeline: a dup of the memfd of buffer @id. */
int fx_export(void *opaque, uint32_t id, uint64_t *size);
void fx_need_driver(void);
/*
 * Open the pipeline on the fake render node in the test's own directory;
 * with @skip_unoffered, skip if the driver does not offer the codec.
 */
void fx_open_vc(struct fixture *f, struct ks_vapipe_config *vc, const char *name,
		bool skip_unoffered);
void fx_open_cfg(struct fixture *f, struct ks_vapipe_config *vc, const char *name);
void fx_close(struct fixture *f);
/* The RGB of pixel (x, y) of picture @n: gradients plus a moving block. */
void pattern(unsigned int n, unsigned int x, unsigned int y, uint8_t *r, uint8_t *g, uint8_t *b);
/* Fill buffer @id (XRGB8888, pitch w*4 + 64) with picture @n. */
void draw(struct fixture *f, unsigned int id, unsigned int n, unsigned int w, unsigned int h);
/* The 10-bit RGB of pixel (x, y) of picture @n: the 8-bit pattern plus low bits. */
void pattern10(unsigned int n, unsigned int x, unsigned int y, unsigned int *r, unsigned int *g,
	       unsigned int *b);
/* Fill buffer @id (XRGB2101010, pitch w*4 + 64) with picture @n. */
void draw10(struct fixture *f, unsigned int id, unsigned int n, unsigned int w, unsigned int h);
/*
 * Fill buffer @id with picture @n in XRGB8888, Intel X-tiled (tiles of 512
 * bytes x 8 rows, row-major; whole tiles); returns the pitch.
 */
unsigned int draw_xtiled(struct fixture *f, unsigned int id, unsigned int n, unsigned int w,
			 unsigned int h);
/* A frame event for buffer @id as drawn by draw(), at 60 Hz. */
void event_for(struct kmscap_event *ev, uint64_t seq, unsigned int id, unsigned int w,
	       unsigned int h, uint32_t flags);
void write_file(const char *path, const void *data, size_t len);
/* Decode f->out (H.264) with ffmpeg into NV12 frames of w x h; returns the frame count. */
size_t decode(struct fixture *f, const char *tag, unsigned int w, unsigned int h,
	      uint8_t **frames);
/* NV12 picture @got equals picture @n of pattern() (BT.709 limited range), +-1. */
void compare(const uint8_t *got, unsigned int n, unsigned int w, unsigned int h);
/* Skips the test without ffmpeg and ffprobe. */
void need_ffmpeg(void);
/*
 * Every header of the stream @path (in format @fmt: h264, hevc, ivf) parses:
 * FFmpeg's trace_headers reads each parameter set, slice header or OBU
 * header, and the test fails on any error or warning it prints.
 */
void headers_clean(const char *path, const char *fmt);

/* FFmpeg's trace_headers over @path (format @fmt); its log (free it). */
char *trace(const char *path, const char *fmt);
/*
 * The value of the @nth (from 1) trace line naming @name: the lines look
 * like "[trace_headers @ 0x..] 112  general_level_idc   00011110 = 30".
 */
long field(const char *log, const char *name, int nth);

#endif /* KMSCAP_STREAM_VAPIPE_FIXTURE_H */
