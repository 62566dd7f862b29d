/* SPDX-License-Identifier: MIT */
/*
 * A loop fed through pipes, for the tests of the ring's reads and
 * releases: a non-blocking pipe as the kmscap fd, another as the output,
 * statistics to /dev/null; and the bytes of a framed frame event.
 */
#ifndef KS_PIPE_LOOP_H
#define KS_PIPE_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "ks.h"

struct ks_pipe_loop {
	int src_rd, src_wr;	/* src_wr: the feeder's; -1 once it closed it */
	int out_rd, out_wr;
};

/* The pipes, and @cfg zeroed with its src_fd, out_fd and stats_fd set. */
void ks_pipe_loop_open(struct ks_pipe_loop *pl, struct ks_loop_config *cfg);
/* What the loop wrote, NUL-terminated, into @out; every fd closed. */
void ks_pipe_loop_close(struct ks_pipe_loop *pl, const struct ks_loop_config *cfg, char *out,
			size_t outlen);
/* A framed frame event @seq at @buf (64x48, full damage, no rectangles): its size. */
size_t ks_framed_frame(unsigned char *buf, uint64_t seq);

#endif
