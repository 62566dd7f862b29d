// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: AV1 sequence header and frame header OBUs (AV1
 * specification, sections 5.5 and 5.9), for drivers that take them packed
 * (VAEncPackedHeaderSequence / Picture).  They describe what va_av1.c
 * asks for: Profile 0, 4:2:0, 8 or 10 bits, BT.709 limited range, one
 * operating point, no frame ids, no screen content tools, one tile, no
 * segmentation, no delta q / lf, no film grain; key frames, inter frames
 * that refer to the previous frame, or intra-only frames.  The frame
 * header's obu_size is written with a fixed number of bytes (padded
 * leb128) so that a driver with rate control can rewrite it, and the bit
 * offsets of base_q_idx, segmentation_params, loop_filter_params and
 * cdef_params are recorded as va_enc_av1.h describes.
 */
#include <errno.h>

#include "av1_obu.h"

const uint8_t ks_av1_temporal_delimiter[2] = { 0x12, 0x00 };

static unsigned int ks_bits_for(unsigned int v)
{
	unsigned int n = 1;

	while (n < 16 && (v >> n))
		n++;
	return n;
}

static void ks_obu_header(struct ks_bits *b, unsigned int type)
{
	ks_bits_put(b, 1, 0);		/* obu_forbidden_bit */
	ks_bits_put(b, 4, type);
	ks_bits_put(b, 1, 0);		/* obu_extension_flag */
	ks_bits_put(b, 1, 1);		/* obu_has_size_field */
	ks_bits_put(b, 1, 0);		/* obu_reserved_1bit */
}

/* Write @v as leb128 of exactly @n bytes at byte @at of @b. */
static void ks_leb128_at(struct ks_bits *b, size_t at, unsigned int n, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		b->buf[at + i] = (uint8_t)(((v >> (7 * i)) & 0x7f) | (i + 1 < n ? 0x80 : 0));
}

/* The OBU's payload started at byte @start; fill the @n-byte size field before it. */
static int ks_obu_finish(struct ks_bits *b, size_t start, unsigned int n)
{
	uint64_t payload;

	if (b->overflow)
		return -ENOSPC;
	payload = b->bits / 8 - start;
	if (n < 8 && payload >> (7 * n))
		return -ENOSPC;
	ks_leb128_at(b, start - n, n, payload);
	return 0;
}

int ks_av1_sequence_header(struct ks_bits *b, const struct ks_av1_seq *s)
{
	unsigned int wb = ks_bits_for(s->width - 1), hb = ks_bits_for(s->height - 1);

	ks_bits_init(b);
	ks_obu_header(b, KS_AV1_OBU_SEQUENCE_HEADER);
	ks_bits_put(b, 8, 0);			/* obu_size: one byte, filled in below */
	ks_bits_put(b, 3, 0);			/* seq_profile */
	ks_bits_put(b, 1, 0);			/* still_picture */
	ks_bits_put(b, 1, 0);			/* reduced_still_picture_header */
	ks_bits_put(b, 1, s->time_scale != 0);	/* timing_info_present_flag */
	if (s->time_scale) {
		ks_bits_put(b, 32, s->num_units_in_tick);	/* num_units_in_display_tick */
		ks_bits_put(b, 32, s->time_scale);
		ks_bits_put(b, 1, 0);		/* equal_picture_interval */
		ks_bits_put(b, 1, 0);		/* decoder_model_info_present_flag */
	}
	ks_bits_put(b, 1, 0);			/* initial_display_delay_present_flag */
	ks_bits_put(b, 5, 0);			/* operating_points_cnt_minus_1 */
	ks_bits_put(b, 12, 0);			/* operating_point_idc[0] */
	ks_bits_put(b, 5, s->level_idx);	/* seq_level_idx[0] */
	if (s->level_idx > 7)
		ks_bits_put(b, 1, 0);		/* seq_tier[0]: Main */
	ks_bits_put(b, 4, wb - 1);		/* frame_width_bits_minus_1 */
	ks_bits_put(b, 4, hb - 1);		/* frame_height_bits_minus_1 */
	ks_bits_put(b, wb, s->width - 1);	/* max_frame_width_minus_1 */
	ks_bits_put(b, hb, s->height - 1);	/* max_frame_height_minus_1 */
	ks_bits_put(b, 1, 0);			/* frame_id_numbers_present_flag */
	ks_bits_put(b, 1, s->sb128);		/* use_128x128_superblock */
	ks_bits_put(b, 1, s->filter_intra);	/* enable_filter_intra */
	ks_bits_put(b, 1, s->intra_edge);	/* enable_intra_edge_filter */
	ks_bits_put(b, 1, s->interintra);	/* enable_interintra_compound */
	ks_bits_put(b, 1, s->masked);		/* enable_masked_compound */
	ks_bits_put(b, 1, s->warped);		/* enable_warped_motion */
	ks_bits_put(b, 1, s->dual_filter);	/* enable_dual_filter */
	ks_bits_put(b, 1, s->order_hint_bits != 0);	/* enable_order_hint */
	if (s->order_hint_bits) {
		ks_bits_put(b, 1, s->jnt_comp);		/* enable_jnt_comp */
		ks_bits_put(b, 1, s->ref_frame_mvs);	/* enable_ref_frame_mvs */
	}
	ks_bits_put(b, 1, 0);			/* seq_choose_screen_content_tools */
	ks_bits_put(b, 1, 0);			/* seq_force_screen_content_tools */
	if (s->order_hint_bits)
		ks_bits_put(b, 3, s->order_hint_bits - 1);
	ks_bits_put(b, 1, s->superres);		/* enable_superres */
	ks_bits_put(b, 1, s->cdef);		/* enable_cdef */
	ks_bits_put(b, 1, s->restoration);	/* enable_restoration */
	/* color_config() */
	ks_bits_put(b, 1, s->tenbit);		/* high_bitdepth */
	ks_bits_put(b, 1, 0);			/* mono_chrome */
	ks_bits_put(b, 1, 1);			/* color_description_present_flag */
	ks_bits_put(b, 8, 1);			/* color_primaries: BT.709 */
	ks_bits_put(b, 8, 1);			/* transfer_characteristics: BT.709 */
	ks_bits_put(b, 8, 1);			/* matrix_coefficients: BT.709 */
	ks_bits_put(b, 1, 0);			/* color_range: limited */
	ks_bits_put(b, 2, 0);			/* chroma_sample_position: unknown */
	ks_bits_put(b, 1, 0);			/* separate_uv_delta_q */
	ks_bits_put(b, 1, 0);			/* film_grain_params_present */
	ks_bits_trailing(b);
	return ks_obu_finish(b, 2, 1);
}

static unsigned int ks_tile_log2(unsigned int blk, unsigned int target)
{
	unsigned int k = 0;

	while ((blk << k) < target)
		k++;
	return k;
}

/* tile_info() for uniform spacing and as few tiles as allowed (one, up to 4096 wide). */
static void ks_av1_tile_info(struct ks_bits *b, const struct ks_av1_seq *s)
{
	unsigned int mi_cols = 2 * ((s->width + 7) >> 3), mi_rows = 2 * ((s->height + 7) >> 3);
	unsigned int shift = s->sb128 ? 5 : 4, sb_size = shift + 2;
	unsigned int sb_cols = (mi_cols + (1u << shift) - 1) >> shift;
	unsigned int sb_rows = (mi_rows + (1u << shift) - 1) >> shift;
	unsigned int max_w_sb = 4096 >> sb_size, max_area_sb = (4096 * 2304) >> (2 * sb_size);
	unsigned int min_cols = ks_tile_log2(max_w_sb, sb_cols);
	unsigned int max_cols = ks_tile_log2(1, sb_cols < 64 ? sb_cols : 64);
	unsigned int max_rows = ks_tile_log2(1, sb_rows < 64 ? sb_rows : 64);
	unsigned int min_tiles = ks_tile_log2(max_area_sb, sb_rows * sb_cols);
	unsigned int min_rows;

	if (min_tiles < min_cols)
		min_tiles = min_cols;
	ks_bits_put(b, 1, 1);			/* uniform_tile_spacing_flag */
	if (min_cols < max_cols)
		ks_bits_put(b, 1, 0);		/* increment_tile_cols_log2 */
	min_rows = min_tiles > min_cols ? min_tiles - min_cols : 0;
	if (min_rows < max_rows)
		ks_bits_put(b, 1, 0);		/* increment_tile_rows_log2 */
	if (min_cols || min_rows) {
		ks_bits_put(b, min_cols + min_rows, 0);	/* context_update_tile_id */
		ks_bits_put(b, 2, 3);		/* tile_size_bytes_minus_1 */
	}
}

int ks_av1_frame_header(struct ks_bits *b, const struct ks_av1_seq *s, struct ks_av1_frame *f)
{
	bool intra = f->type != KS_AV1_INTER, key = f->type == KS_AV1_KEY;
	bool lossless = f->qindex == 0;
	unsigned int i, n = f->size_bytes ? f->size_bytes : 4;
	size_t start;

	f->size_bytes = n;
	ks_bits_init(b);
	ks_obu_header(b, KS_AV1_OBU_FRAME_HEADER);
	f->off_obu_size = 1;
	ks_bits_put(b, 8 * n > 32 ? 32 : 8 * n, 0);	/* obu_size, filled in below */
	if (n > 4)
		ks_bits_put(b, 8 * (n - 4), 0);
	start = 1 + n;
	ks_bits_put(b, 1, 0);			/* show_existing_frame */
	ks_bits_put(b, 2, f->type);		/* frame_type */
	ks_bits_put(b, 1, 1);			/* show_frame */
	if (!key)
		ks_bits_put(b, 1, 0);		/* error_resilient_mode (1 for shown keys) */
	ks_bits_put(b, 1, 0);			/* disable_cdf_update */
	ks_bits_put(b, 1, 0);			/* frame_size_override_flag */
	if (s->order_hint_bits)
		ks_bits_put(b, s->order_hint_bits, f->order_hint);
	if (!intra)
		ks_bits_put(b, 3, 7);		/* primary_ref_frame: PRIMARY_REF_NONE */
	if (!key)
		ks_bits_put(b, 8, f->refresh);	/* refresh_frame_flags */
	if (!intra) {
		if (s->order_hint_bits)
			ks_bits_put(b, 1, 0);	/* frame_refs_short_signaling */
		for (i = 0; i < 7; i++)
			ks_bits_put(b, 3, f->ref_idx[i]);
	}
	/* frame_size(): no override; superres_params(); render_size() */
	if (s->superres)
		ks_bits_put(b, 1, 0);		/* use_superres */
	ks_bits_put(b, 1, 0);			/* render_and_frame_size_different */
	if (!intra) {
		ks_bits_put(b, 1, 0);		/* allow_high_precision_mv */
		ks_bits_put(b, 1, f->interp == 4);	/* is_filter_switchable */
		if (f->interp != 4)
			ks_bits_put(b, 2, f->interp);
		ks_bits_put(b, 1, 0);		/* is_motion_mode_switchable */
		if (s->ref_frame_mvs && s->order_hint_bits)
			ks_bits_put(b, 1, 0);	/* use_ref_frame_mvs */
	}
	ks_bits_put(b, 1, 0);			/* disable_frame_end_update_cdf */
	ks_av1_tile_info(b, s);
	/* quantization_params() */
	f->off_qindex = (unsigned int)b->bits;
	ks_bits_put(b, 8, f->qindex);		/* base_q_idx */
	ks_bits_put(b, 1, 0);			/* DeltaQYDc: delta_coded */
	ks_bits_put(b, 1, 0);			/* DeltaQUDc: delta_coded */
	ks_bits_put(b, 1, 0);			/* DeltaQUAc: delta_coded */
	ks_bits_put(b, 1, 0);			/* using_qmatrix */
	f->off_segmentation = (unsigned int)b->bits;
	ks_bits_put(b, 1, 0);			/* segmentation_enabled */
	if (f->qindex)
		ks_bits_put(b, 1, 0);		/* delta_q_present */
	/* loop_filter_params(): none in a coded lossless frame */
	f->off_loopfilter = (unsigned int)b->bits;
	if (!lossless) {
		ks_bits_put(b, 6, f->lf_level[0]);
		ks_bits_put(b, 6, f->lf_level[1]);
		if (f->lf_level[0] || f->lf_level[1]) {
			ks_bits_put(b, 6, f->lf_level[2]);
			ks_bits_put(b, 6, f->lf_level[3]);
		}
		ks_bits_put(b, 3, f->lf_sharpness);
		ks_bits_put(b, 1, 0);		/* loop_filter_delta_enabled */
	}
	/* cdef_params(): strength 0 where it is coded at all */
	f->off_cdef = (unsigned int)b->bits;
	if (!lossless && s->cdef) {
		ks_bits_put(b, 2, 0);		/* cdef_damping_minus_3 */
		ks_bits_put(b, 2, 0);		/* cdef_bits */
		ks_bits_put(b, 4, 0);		/* cdef_y_pri_strength[0] */
		ks_bits_put(b, 2, 0);		/* cdef_y_sec_strength[0] */
		ks_bits_put(b, 4, 0);		/* cdef_uv_pri_strength[0] */
		ks_bits_put(b, 2, 0);		/* cdef_uv_sec_strength[0] */
	}
	f->cdef_bits = (unsigned int)b->bits - f->off_cdef;
	/* lr_params(): RESTORE_NONE for every plane */
	if (!lossless && s->restoration)
		ks_bits_put(b, 6, 0);
	if (!lossless)
		ks_bits_put(b, 1, f->tx_select);	/* tx_mode_select */
	if (!intra)
		ks_bits_put(b, 1, 0);		/* reference_select */
	if (!intra && s->warped)
		ks_bits_put(b, 1, 0);		/* allow_warped_motion */
	ks_bits_put(b, 1, 0);			/* reduced_tx_set */
	if (!intra)
		for (i = 0; i < 7; i++)
			ks_bits_put(b, 1, 0);	/* is_global */
	/* trailing_bits(): the size counts up to its one bit */
	ks_bits_put(b, 1, 1);
	f->size_bits = (unsigned int)b->bits;
	while (b->bits % 8)
		ks_bits_put(b, 1, 0);
	return ks_obu_finish(b, start, n);
}
