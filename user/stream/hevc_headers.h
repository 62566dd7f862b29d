/* SPDX-License-Identifier: MIT */
/*
 * kmscap-stream: HEVC parameter sets and slice segment headers
 * (hevc_headers.c).
 */
#ifndef KMSCAP_STREAM_HEVC_HEADERS_H
#define KMSCAP_STREAM_HEVC_HEADERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bits.h"
#include "ks.h"

/* nal_unit_type values used */
#define KS_HEVC_TRAIL_R		1
#define KS_HEVC_IDR_W_RADL	19
#define KS_HEVC_VPS		32
#define KS_HEVC_SPS		33
#define KS_HEVC_PPS		34
#define KS_HEVC_AUD		35

struct ks_hevc_params {
	bool main10;			/* Main 10, 10-bit samples; else Main, 8-bit */
	unsigned int level_idc;		/* general_level_idc: 30 x level */
	unsigned int width, height;	/* visible size, even */
	/* log2 sizes */
	unsigned int min_cb, ctb, min_tb, max_tb;
	unsigned int depth_inter, depth_intra;
	bool amp, sao, temporal_mvp, strong_intra_smoothing;
	bool pcm, pcm_loop_filter_disabled;
	unsigned int min_pcm, max_pcm;	/* log2 PCM coding block sizes */
	bool sign_data_hiding, constrained_intra_pred, transform_skip, cu_qp_delta;
	bool transquant_bypass, deblocking_disabled;
	bool scaling_lists;		/* scaling_list_enabled_flag, with the default lists */
	bool dependent_slices;		/* dependent_slice_segments_enabled_flag (unused) */
	/* generalised P and B: P pictures as B slices, list 1 = list 0 */
	bool gpb;
	unsigned int log2_max_poc_lsb;	/* 4..16 */
	unsigned int num_units_in_tick, time_scale;
	unsigned int qp;
};

/* The coded picture size: the visible size rounded up to the minimum CB. */
static inline unsigned int ks_hevc_coded(unsigned int v, const struct ks_hevc_params *p)
{
	return (v + (1u << p->min_cb) - 1) & ~((1u << p->min_cb) - 1);
}

/*
 * Each writes one NAL unit with its 4-byte start code into @b, with
 * emulation prevention bytes (has_emulation_bytes = 1); b->bits is the
 * exact length in bits.  The slice segment header ends with its
 * byte_alignment(); the slice data follows.  Returns 0 or -ENOSPC.
 */
int ks_hevc_vps(struct ks_bits *b, const struct ks_hevc_params *p);
int ks_hevc_sps(struct ks_bits *b, const struct ks_hevc_params *p);
int ks_hevc_pps(struct ks_bits *b, const struct ks_hevc_params *p);
int ks_hevc_slice_header(struct ks_bits *b, const struct ks_hevc_params *p, bool idr,
			 unsigned int poc);
/* Append an access unit delimiter (pic_type 2: I, P or B slices). */
int ks_annexb_aud_hevc(struct ks_buf *au);

#endif /* KMSCAP_STREAM_HEVC_HEADERS_H */
