/* SPDX-License-Identifier: MIT */
/*
 * kmscap-stream: AV1 OBUs the helper writes itself (av1_obu.c).
 */
#ifndef KMSCAP_STREAM_AV1_OBU_H
#define KMSCAP_STREAM_AV1_OBU_H

#include <stdbool.h>
#include <stdint.h>

#include "bits.h"

#define KS_AV1_OBU_SEQUENCE_HEADER	1
#define KS_AV1_OBU_TEMPORAL_DELIMITER	2
#define KS_AV1_OBU_FRAME_HEADER		3
#define KS_AV1_OBU_TILE_GROUP		4
#define KS_AV1_OBU_FRAME		6

enum ks_av1_frame_type { KS_AV1_KEY = 0, KS_AV1_INTER = 1, KS_AV1_INTRA_ONLY = 2 };

/* What the sequence header says; the frame header depends on it. */
struct ks_av1_seq {
	unsigned int width, height;	/* max_frame_width/height */
	unsigned int level_idx;		/* seq_level_idx[0] */
	bool tenbit;			/* high_bitdepth */
	bool sb128, filter_intra, intra_edge, interintra, masked, warped, dual_filter;
	bool jnt_comp, ref_frame_mvs, superres, cdef, restoration;
	unsigned int order_hint_bits;	/* 1..8, 0: enable_order_hint = 0 */
	unsigned int num_units_in_tick, time_scale;	/* timing_info; 0: none */
};

struct ks_av1_frame {
	enum ks_av1_frame_type type;
	unsigned int order_hint;
	unsigned int refresh;		/* refresh_frame_flags (not written for key frames) */
	unsigned int ref_idx[7];	/* ref_frame_idx[] of inter frames */
	unsigned int qindex;		/* base_q_idx; 0 = lossless */
	unsigned int lf_level[4];	/* loop_filter_level[] (y v, y h, u, v) */
	unsigned int lf_sharpness;
	unsigned int interp;		/* interpolation_filter, 4 = switchable */
	bool tx_select;			/* TX_MODE_SELECT, else TX_MODE_LARGEST */
	unsigned int size_bytes;	/* bytes of the obu_size field, 1..8 */
	/* written by ks_av1_frame_header(), from the start of the OBU, in bits */
	unsigned int off_qindex, off_segmentation, off_loopfilter, off_cdef, cdef_bits;
	unsigned int off_obu_size;	/* in bytes */
	unsigned int size_bits;		/* the whole OBU up to its trailing bits */
};

/* The complete sequence header OBU (header, obu_size, payload); 0 or -ENOSPC. */
int ks_av1_sequence_header(struct ks_bits *b, const struct ks_av1_seq *s);
/*
 * The complete frame header OBU with an obu_size field of f->size_bytes
 * bytes (leb128, padded), and the offsets va_enc_av1.h asks for in @f.
 */
int ks_av1_frame_header(struct ks_bits *b, const struct ks_av1_seq *s, struct ks_av1_frame *f);
/* The temporal delimiter OBU: 0x12 0x00. */
extern const uint8_t ks_av1_temporal_delimiter[2];

#endif /* KMSCAP_STREAM_AV1_OBU_H */
