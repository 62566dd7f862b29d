/* SPDX-License-Identifier: MIT */
/*
 * kmscap-stream: container output through libavformat (mux.c).
 *
 * The encoder's raw units (Annex B access units, IVF frames for AV1) go
 * into MPEG-TS or Matroska with each frame's flip time, rebased to the
 * first frame, as its presentation time.  The muxer writes into memory:
 * ks_mux_unit() replaces a unit by the container bytes of that frame, so
 * the event loop's output path stays as it is.
 *
 * mux.c is built into its own shared object, kmscap-stream-mux.so, with
 * libavformat, libavcodec and libavutil: kmscap-stream itself does not link
 * them and loads the plugin (mux_load.c) only for a container --format.
 * The plugin's one exported symbol is KS_MUX_PLUGIN_SYMBOL, a struct
 * ks_mux_ops of the functions below.
 */
#ifndef KMSCAP_STREAM_MUX_H
#define KMSCAP_STREAM_MUX_H

#include <sys/types.h>

#include "ks.h"

struct ks_mux;

/*
 * A muxer of @codec into @format (not KS_FORMAT_RAW).  @seekable: the
 * output is a regular file, whose head the trailer may rewrite (see
 * ks_mux_apply_patches()); else the stream never looks back (a pipe or a
 * socket: Matroska is written as a live stream).  On failure returns a
 * negative errno and a one-line message in @err.
 */
int ks_mux_new(enum ks_format format, enum ks_codec codec, bool seekable, struct ks_mux **out,
	       char *err, size_t errlen);
void ks_mux_free(struct ks_mux *m);
/*
 * Replace @unit (one raw unit of the encoder; the first must be a key
 * frame) by its container bytes, the frame presented at @flip_ns
 * (CLOCK_MONOTONIC); @width x @height is the picture size the container
 * header gives.  The header goes out with the first unit.  Presentation
 * times strictly increase (one tick later than the previous one if the
 * flip times do not tell them apart).
 */
int ks_mux_unit(struct ks_mux *m, struct ks_buf *unit, uint64_t flip_ns, uint32_t width,
		uint32_t height, char *err, size_t errlen);
/* 1 if a frame at @end_ns would get a presentation time after the last one. */
int ks_mux_wants_end(const struct ks_mux *m, uint64_t end_ns);
/* Append the trailer to @out (nothing if no frame went in). */
int ks_mux_finish(struct ks_mux *m, struct ks_buf *out, char *err, size_t errlen);
/*
 * Seekable output: write what the trailer changed before the end (the
 * Matroska duration, seek head) into @fd, whose offset @base is where the
 * stream began, once the stream is all written.
 */
int ks_mux_apply_patches(struct ks_mux *m, int fd, off_t base);
/* Frames muxed, first flip time, time base of the presentation times. */
uint64_t ks_mux_packets(const struct ks_mux *m);
uint64_t ks_mux_first_ns(const struct ks_mux *m);
void ks_mux_time_base(const struct ks_mux *m, int *num, int *den);

/* The plugin's file name; see ks_mux_load() for where it is looked for. */
#define KS_MUX_PLUGIN_NAME	"kmscap-stream-mux.so"
/* Relative to the binary's directory's parent when installed. */
#define KS_MUX_PLUGIN_DIR	"lib/kmscap"
#define KS_MUX_PLUGIN_SYMBOL	"ks_mux_plugin"
/* Bumped whenever struct ks_mux_ops or a signature in it changes. */
#define KS_MUX_PLUGIN_VERSION	1

/* What the plugin exports: the functions above, for a loaded plugin's user. */
struct ks_mux_ops {
	uint32_t version;	/* KS_MUX_PLUGIN_VERSION */
	uint32_t size;		/* sizeof(struct ks_mux_ops) */
	int (*new)(enum ks_format format, enum ks_codec codec, bool seekable,
		   struct ks_mux **out, char *err, size_t errlen);
	void (*free)(struct ks_mux *m);
	int (*unit)(struct ks_mux *m, struct ks_buf *unit, uint64_t flip_ns, uint32_t width,
		    uint32_t height, char *err, size_t errlen);
	int (*wants_end)(const struct ks_mux *m, uint64_t end_ns);
	int (*finish)(struct ks_mux *m, struct ks_buf *out, char *err, size_t errlen);
	int (*apply_patches)(struct ks_mux *m, int fd, off_t base);
	uint64_t (*packets)(const struct ks_mux *m);
	uint64_t (*first_ns)(const struct ks_mux *m);
	void (*time_base)(const struct ks_mux *m, int *num, int *den);
};

/*
 * Load the plugin for --format @format (mux_load.c): KS_MUX_PLUGIN_NAME
 * next to the running binary (the build tree) if that file exists, else in
 * KS_MUX_PLUGIN_DIR under the parent of the binary's directory (installed:
 * /usr/local/bin/kmscap-stream finds /usr/local/lib/kmscap/).  Returns its
 * table, or NULL with "--format F needs PATH: why" in @err.  The plugin
 * stays loaded until the program exits.
 */
const struct ks_mux_ops *ks_mux_load(enum ks_format format, char *err, size_t errlen);

#endif /* KMSCAP_STREAM_MUX_H */
