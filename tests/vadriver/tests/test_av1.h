/* SPDX-License-Identifier: MIT */
/*
 * test_av1.h - the AV1 tests of the kmscap VA driver: the test's own writer
 * of the sequence and frame header OBUs an application sends as packed
 * headers (test_av1_obu.c), an IVF writer, and the suite (test_av1.c).
 */
#ifndef KMSCAP_VAT_AV1_H
#define KMSCAP_VAT_AV1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sequence header fields the tests vary; everything else is fixed. */
struct kmscap_av1t_seq {
	unsigned int width, height;	/* max_frame_width/height */
	unsigned int bit_depth;		/* 8 or 10 */
	unsigned int level_idx;		/* seq_level_idx[0] */
	bool use_128x128_superblock;
	bool enable_filter_intra;
	bool enable_cdef;
	bool screen_content;		/* seq_force_screen_content_tools = 1 */
	bool film_grain;		/* film_grain_params_present */
};

/* Frame header fields the tests vary. */
struct kmscap_av1t_frame {
	unsigned int frame_type;	/* 0 KEY, 1 INTER, 2 INTRA_ONLY */
	bool show_frame;
	bool error_resilient_mode;	/* for non-key frames */
	bool disable_cdf_update;
	bool disable_frame_end_update_cdf;	/* coded when disable_cdf_update is 0 */
	unsigned int order_hint;	/* 7 bits */
	unsigned int primary_ref_frame;	/* inter frames, 7 = none */
	unsigned int refresh_frame_flags;	/* not coded for shown key frames */
	unsigned int ref_frame_idx[7];
	unsigned int base_q_idx;
	int delta_q_y_dc;
	bool tile_cols_log2_1;		/* ask for two tile columns */
	bool segmentation;		/* segmentation_enabled with no features */
	bool reduced_tx_set;
};

#define KMSCAP_AV1T_ORDER_HINT_BITS 7

/* Full OBUs (header with obu_has_size_field, leb128 size, payload). */
size_t kmscap_av1t_write_seq(uint8_t *out, size_t cap, const struct kmscap_av1t_seq *s);
size_t kmscap_av1t_write_frame_hdr(uint8_t *out, size_t cap, const struct kmscap_av1t_seq *s,
				   const struct kmscap_av1t_frame *f);
void kmscap_av1t_frame_defaults(struct kmscap_av1t_frame *f, bool key, unsigned int n);

/* IVF: file header, then one frame record per temporal unit. */
void kmscap_av1t_ivf_header(uint8_t out[32], unsigned int w, unsigned int h,
			    unsigned int frames);
void kmscap_av1t_ivf_frame_header(uint8_t out[12], size_t size, uint64_t pts);

#endif /* KMSCAP_VAT_AV1_H */
