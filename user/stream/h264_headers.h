/* SPDX-License-Identifier: MIT */
/*
 * kmscap-stream: H.264 parameter sets and slice headers (h264_headers.c).
 */
#ifndef KMSCAP_STREAM_H264_HEADERS_H
#define KMSCAP_STREAM_H264_HEADERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bits.h"


enum ks_h264_profile { KS_H264_CB, KS_H264_MAIN, KS_H264_HIGH };

struct ks_h264_params {
	enum ks_h264_profile profile;
	unsigned int level_idc;
	unsigned int width, height;		/* visible size, even */
	unsigned int log2_max_frame_num;	/* 4..16 */
	unsigned int num_units_in_tick, time_scale;
	unsigned int qp;
	bool cabac;
	bool transform_8x8;
};

/*
 * Each writes one NAL unit with its 4-byte start code into @b; b->bits is
 * the exact length in bits.  The SPS and the PPS carry emulation
 * prevention bytes (a whole NAL), the slice header does not (the slice
 * data follows it).  Returns 0 or -ENOSPC.
 */
int ks_h264_sps(struct ks_bits *b, const struct ks_h264_params *p);
int ks_h264_pps(struct ks_bits *b, const struct ks_h264_params *p);
int ks_h264_slice_header(struct ks_bits *b, const struct ks_h264_params *p, bool idr,
			 unsigned int frame_num, unsigned int idr_pic_id);

#endif /* KMSCAP_STREAM_H264_HEADERS_H */
