// SPDX-License-Identifier: MIT
/*
 * test_av1_obu.c - the test's own AV1 sequence header and frame header
 * writer (as an application writes its packed headers), and IVF framing.
 * Written from the AV1 specification's syntax tables, independently of the
 * driver's parser (av1_obu.c).
 */
#include <string.h>

#include "test_av1.h"

struct kmscap_av1t_bits {
	uint8_t buf[256];
	size_t pos;	/* in bits */
};

static void kmscap_av1t_put(struct kmscap_av1t_bits *b, unsigned int n, uint32_t v)
{
	while (n--) {
		if (b->pos / 8 >= sizeof(b->buf))
			return;
		if ((v >> n) & 1)
			b->buf[b->pos / 8] |= 0x80 >> (b->pos % 8);
		b->pos++;
	}
}

/* trailing_bits(): a one, then zeros to the byte boundary */
static size_t kmscap_av1t_trailing(struct kmscap_av1t_bits *b)
{
	kmscap_av1t_put(b, 1, 1);
	while (b->pos % 8)
		kmscap_av1t_put(b, 1, 0);
	return b->pos / 8;
}

static size_t kmscap_av1t_obu(uint8_t *out, size_t cap, unsigned int type, const uint8_t *p,
			      size_t n)
{
	size_t len = 0, v = n;

	if (cap < n + 10)
		return 0;
	out[len++] = (uint8_t)(type << 3 | 1 << 1);	/* obu_has_size_field */
	do {
		out[len++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	memcpy(out + len, p, n);
	return len + n;
}

size_t kmscap_av1t_write_seq(uint8_t *out, size_t cap, const struct kmscap_av1t_seq *s)
{
	struct kmscap_av1t_bits b = { 0 };

	kmscap_av1t_put(&b, 3, 0);	/* seq_profile */
	kmscap_av1t_put(&b, 1, 0);	/* still_picture */
	kmscap_av1t_put(&b, 1, 0);	/* reduced_still_picture_header */
	kmscap_av1t_put(&b, 1, 0);	/* timing_info_present_flag */
	kmscap_av1t_put(&b, 1, 0);	/* initial_display_delay_present_flag */
	kmscap_av1t_put(&b, 5, 0);	/* operating_points_cnt_minus_1 */
	kmscap_av1t_put(&b, 12, 0);	/* operating_point_idc[0] */
	kmscap_av1t_put(&b, 5, s->level_idx);
	if (s->level_idx > 7)
		kmscap_av1t_put(&b, 1, 0);	/* seq_tier */
	kmscap_av1t_put(&b, 4, 15);	/* frame_width_bits_minus_1 */
	kmscap_av1t_put(&b, 4, 15);	/* frame_height_bits_minus_1 */
	kmscap_av1t_put(&b, 16, s->width - 1);
	kmscap_av1t_put(&b, 16, s->height - 1);
	kmscap_av1t_put(&b, 1, 0);	/* frame_id_numbers_present_flag */
	kmscap_av1t_put(&b, 1, s->use_128x128_superblock);
	kmscap_av1t_put(&b, 1, s->enable_filter_intra);
	kmscap_av1t_put(&b, 1, 1);	/* enable_intra_edge_filter (no effect on DC_PRED) */
	kmscap_av1t_put(&b, 1, 0);	/* enable_interintra_compound */
	kmscap_av1t_put(&b, 1, 0);	/* enable_masked_compound */
	kmscap_av1t_put(&b, 1, 0);	/* enable_warped_motion */
	kmscap_av1t_put(&b, 1, 0);	/* enable_dual_filter */
	kmscap_av1t_put(&b, 1, 1);	/* enable_order_hint */
	kmscap_av1t_put(&b, 1, 0);	/* enable_jnt_comp */
	kmscap_av1t_put(&b, 1, 0);	/* enable_ref_frame_mvs */
	kmscap_av1t_put(&b, 1, 0);	/* seq_choose_screen_content_tools */
	kmscap_av1t_put(&b, 1, s->screen_content);	/* seq_force_screen_content_tools */
	if (s->screen_content)
		kmscap_av1t_put(&b, 1, 1);	/* seq_choose_integer_mv */
	kmscap_av1t_put(&b, 3, KMSCAP_AV1T_ORDER_HINT_BITS - 1);
	kmscap_av1t_put(&b, 1, 0);	/* enable_superres */
	kmscap_av1t_put(&b, 1, s->enable_cdef);
	kmscap_av1t_put(&b, 1, 0);	/* enable_restoration */
	/* color_config */
	kmscap_av1t_put(&b, 1, s->bit_depth == 10);	/* high_bitdepth */
	kmscap_av1t_put(&b, 1, 0);	/* mono_chrome */
	kmscap_av1t_put(&b, 1, 1);	/* color_description_present_flag */
	kmscap_av1t_put(&b, 8, 1);	/* BT.709 primaries */
	kmscap_av1t_put(&b, 8, 1);	/* BT.709 transfer */
	kmscap_av1t_put(&b, 8, 1);	/* BT.709 matrix */
	kmscap_av1t_put(&b, 1, 0);	/* color_range: limited */
	kmscap_av1t_put(&b, 2, 0);	/* chroma_sample_position */
	kmscap_av1t_put(&b, 1, 0);	/* separate_uv_delta_q */
	kmscap_av1t_put(&b, 1, s->film_grain);
	return kmscap_av1t_obu(out, cap, 1, b.buf, kmscap_av1t_trailing(&b));
}

static unsigned int kmscap_av1t_tile_log2(unsigned int blk, unsigned int target)
{
	unsigned int k = 0;

	while ((blk << k) < target)
		k++;
	return k;
}

static void kmscap_av1t_delta_q(struct kmscap_av1t_bits *b, int v)
{
	kmscap_av1t_put(b, 1, v != 0);
	if (v)
		kmscap_av1t_put(b, 7, (uint32_t)v & 0x7f);	/* su(1+6) */
}

size_t kmscap_av1t_write_frame_hdr(uint8_t *out, size_t cap, const struct kmscap_av1t_seq *s,
				   const struct kmscap_av1t_frame *f)
{
	struct kmscap_av1t_bits b = { 0 };
	bool intra = f->frame_type == 0 || f->frame_type == 2;
	bool key_shown = f->frame_type == 0 && f->show_frame;
	bool err_res = key_shown || f->error_resilient_mode;
	unsigned int sb = s->use_128x128_superblock ? 32 : 16;
	unsigned int mi_cols = 2 * ((s->width + 7) >> 3), mi_rows = 2 * ((s->height + 7) >> 3);
	unsigned int sb_cols = (mi_cols + sb - 1) / sb, sb_rows = (mi_rows + sb - 1) / sb;
	unsigned int i, max_log2;

	kmscap_av1t_put(&b, 1, 0);	/* show_existing_frame */
	kmscap_av1t_put(&b, 2, f->frame_type);
	kmscap_av1t_put(&b, 1, f->show_frame);
	if (!f->show_frame)
		kmscap_av1t_put(&b, 1, 1);	/* showable_frame */
	if (!key_shown)
		kmscap_av1t_put(&b, 1, f->error_resilient_mode);
	kmscap_av1t_put(&b, 1, f->disable_cdf_update);
	if (s->screen_content)
		kmscap_av1t_put(&b, 1, 0);	/* force_integer_mv (seq: SELECT) */
	kmscap_av1t_put(&b, 1, 0);	/* frame_size_override_flag */
	kmscap_av1t_put(&b, KMSCAP_AV1T_ORDER_HINT_BITS, f->order_hint);
	if (!intra && !err_res)
		kmscap_av1t_put(&b, 3, f->primary_ref_frame);
	if (!key_shown)
		kmscap_av1t_put(&b, 8, f->refresh_frame_flags);
	if ((!intra || f->refresh_frame_flags != 0xff) && err_res && !key_shown)
		for (i = 0; i < 8; i++)
			kmscap_av1t_put(&b, KMSCAP_AV1T_ORDER_HINT_BITS, 0);	/* ref_order_hint */
	if (intra) {
		kmscap_av1t_put(&b, 1, 0);	/* render_and_frame_size_different */
		if (s->screen_content)
			kmscap_av1t_put(&b, 1, 0);	/* allow_intrabc */
	} else {
		kmscap_av1t_put(&b, 1, 0);	/* frame_refs_short_signaling */
		for (i = 0; i < 7; i++)
			kmscap_av1t_put(&b, 3, f->ref_frame_idx[i]);
		kmscap_av1t_put(&b, 1, 0);	/* render_and_frame_size_different */
		kmscap_av1t_put(&b, 1, 0);	/* allow_high_precision_mv (force_integer_mv 0) */
		kmscap_av1t_put(&b, 1, 1);	/* is_filter_switchable */
		kmscap_av1t_put(&b, 1, 0);	/* is_motion_mode_switchable */
	}
	if (!f->disable_cdf_update)
		kmscap_av1t_put(&b, 1, f->disable_frame_end_update_cdf);
	/* tile_info: uniform spacing, the minimum number of tiles */
	kmscap_av1t_put(&b, 1, 1);
	max_log2 = kmscap_av1t_tile_log2(1, sb_cols < 64 ? sb_cols : 64);
	if (max_log2 > 0) {
		kmscap_av1t_put(&b, 1, f->tile_cols_log2_1);
		if (f->tile_cols_log2_1 && max_log2 > 1)
			kmscap_av1t_put(&b, 1, 0);
	}
	if (kmscap_av1t_tile_log2(1, sb_rows < 64 ? sb_rows : 64) > 0)
		kmscap_av1t_put(&b, 1, 0);
	if (f->tile_cols_log2_1) {
		kmscap_av1t_put(&b, 1, 0);	/* context_update_tile_id */
		kmscap_av1t_put(&b, 2, 3);	/* tile_size_bytes_minus_1 */
	}
	/* quantization_params */
	kmscap_av1t_put(&b, 8, f->base_q_idx);
	kmscap_av1t_delta_q(&b, f->delta_q_y_dc);
	kmscap_av1t_delta_q(&b, 0);	/* DeltaQUDc */
	kmscap_av1t_delta_q(&b, 0);	/* DeltaQUAc */
	kmscap_av1t_put(&b, 1, 0);	/* using_qmatrix */
	/* segmentation_params */
	kmscap_av1t_put(&b, 1, f->segmentation);
	if (f->segmentation) {
		if (!intra && !err_res && f->primary_ref_frame != 7) {
			kmscap_av1t_put(&b, 1, 0);	/* segmentation_update_map */
			kmscap_av1t_put(&b, 1, 1);	/* segmentation_update_data */
		}
		for (i = 0; i < 8 * 8; i++)
			kmscap_av1t_put(&b, 1, 0);	/* feature_enabled */
	}
	if (f->base_q_idx)
		kmscap_av1t_put(&b, 1, 0);	/* delta_q_present */
	/* a lossy frame (only for the rejection tests) is cut short here */
	if (!intra)
		kmscap_av1t_put(&b, 1, 0);	/* reference_select */
	kmscap_av1t_put(&b, 1, f->reduced_tx_set);
	if (!intra)
		for (i = 0; i < 7; i++)
			kmscap_av1t_put(&b, 1, 0);	/* is_global */
	return kmscap_av1t_obu(out, cap, 3, b.buf, kmscap_av1t_trailing(&b));
}

void kmscap_av1t_frame_defaults(struct kmscap_av1t_frame *f, bool key, unsigned int n)
{
	unsigned int i;

	memset(f, 0, sizeof(*f));
	f->frame_type = key ? 0 : 1;
	f->show_frame = true;
	f->disable_cdf_update = true;
	f->order_hint = n & ((1u << KMSCAP_AV1T_ORDER_HINT_BITS) - 1);
	f->primary_ref_frame = 7;
	f->refresh_frame_flags = key ? 0xff : 0x01;
	for (i = 0; i < 7; i++)
		f->ref_frame_idx[i] = 0;
}

static void kmscap_av1t_le(uint8_t *p, uint64_t v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void kmscap_av1t_ivf_header(uint8_t out[32], unsigned int w, unsigned int h,
			    unsigned int frames)
{
	memset(out, 0, 32);
	memcpy(out, "DKIF", 4);
	kmscap_av1t_le(out + 4, 0, 2);		/* version */
	kmscap_av1t_le(out + 6, 32, 2);		/* header size */
	memcpy(out + 8, "AV01", 4);
	kmscap_av1t_le(out + 12, w, 2);
	kmscap_av1t_le(out + 14, h, 2);
	kmscap_av1t_le(out + 16, 30, 4);	/* time base: 1/30 s */
	kmscap_av1t_le(out + 20, 1, 4);
	kmscap_av1t_le(out + 24, frames, 4);
}

void kmscap_av1t_ivf_frame_header(uint8_t out[12], size_t size, uint64_t pts)
{
	kmscap_av1t_le(out, size, 4);
	kmscap_av1t_le(out + 4, pts, 8);
}
