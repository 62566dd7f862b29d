// SPDX-License-Identifier: MIT
/*
 * av1_obu.c - reading the AV1 OBUs an application sends as packed headers:
 * the OBU header and size, sequence_header_obu() and uncompressed_header(),
 * following the specification's syntax tables.  Syntax the tile coder or
 * this parser does not handle is refused with a message naming the field.
 */
#include <stdarg.h>
#include <stdio.h>

#include "av1_priv.h"

struct kmscap_av1_rd {
	const uint8_t *p;
	size_t n;	/* bytes */
	size_t pos;	/* bits */
	bool overrun;
};

static uint32_t kmscap_av1_f(struct kmscap_av1_rd *r, unsigned int bits)
{
	uint32_t v = 0;

	while (bits--) {
		unsigned int bit = 0;

		if (r->pos < r->n * 8)
			bit = (r->p[r->pos / 8] >> (7 - r->pos % 8)) & 1;
		else
			r->overrun = true;
		r->pos++;
		v = v << 1 | bit;
	}
	return v;
}

static uint32_t kmscap_av1_uvlc(struct kmscap_av1_rd *r)
{
	unsigned int zeros = 0;

	while (!kmscap_av1_f(r, 1) && !r->overrun)
		zeros++;
	if (zeros >= 32)
		return UINT32_MAX;
	return zeros ? kmscap_av1_f(r, zeros) + (1u << zeros) - 1 : 0;
}

/* ns(n): non-symmetric unsigned value in 0..n-1 */
static uint32_t kmscap_av1_ns(struct kmscap_av1_rd *r, uint32_t n)
{
	unsigned int w = 0;
	uint32_t m, v;

	for (m = n; m; m >>= 1)
		w++;
	m = (1u << w) - n;
	v = kmscap_av1_f(r, w - 1);
	if (v < m)
		return v;
	return (v << 1) - m + kmscap_av1_f(r, 1);
}

static bool kmscap_av1_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return false;
}

/* trailing_bits(): a one, then zeros up to the end of the payload */
static bool kmscap_av1_trailing(struct kmscap_av1_rd *r, const char *what, char *err,
				size_t errlen)
{
	if (r->overrun)
		return kmscap_av1_fail(err, errlen, "%s ends after its %zu bytes", what, r->n);
	if (!kmscap_av1_f(r, 1) || r->overrun)
		return kmscap_av1_fail(err, errlen,
				       "%s: no trailing one bit after the syntax (bit %zu of %zu)",
				       what, r->pos - 1, r->n * 8);
	while (r->pos < r->n * 8)
		if (kmscap_av1_f(r, 1))
			return kmscap_av1_fail(err, errlen,
					       "%s: non-zero bit %zu after the trailing one bit (%zu bytes)",
					       what, r->pos - 1, r->n);
	return true;
}

int kmscap_av1_obu_split(const uint8_t *data, size_t size, const uint8_t **payload,
			 size_t *payload_size, size_t *obu_total, char *err, size_t errlen)
{
	size_t pos = 1, len = 0;
	unsigned int i, type;

	if (!size) {
		kmscap_av1_fail(err, errlen, "empty OBU");
		return -1;
	}
	if (data[0] & 0x80) {
		kmscap_av1_fail(err, errlen, "obu_forbidden_bit set (byte %#04x)", data[0]);
		return -1;
	}
	type = (data[0] >> 3) & 15;
	if (data[0] & 4) {
		kmscap_av1_fail(err, errlen,
				"OBU type %u with an extension header: scalability is not supported",
				type);
		return -1;
	}
	if (!(data[0] & 2)) {
		kmscap_av1_fail(err, errlen, "OBU type %u without obu_has_size_field", type);
		return -1;
	}
	for (i = 0; i < 8; i++) {
		if (pos >= size) {
			kmscap_av1_fail(err, errlen, "OBU type %u: obu_size cut off", type);
			return -1;
		}
		len |= (size_t)(data[pos] & 0x7f) << (7 * i);
		if (!(data[pos++] & 0x80))
			break;
	}
	if (i == 8 || len > size - pos) {
		kmscap_av1_fail(err, errlen, "OBU type %u: obu_size %zu beyond the %zu bytes given",
				type, len, size - pos);
		return -1;
	}
	*payload = data + pos;
	*payload_size = len;
	*obu_total = pos + len;
	return (int)type;
}

static void kmscap_av1_color_config(struct kmscap_av1_rd *r, struct kmscap_av1_seq *s)
{
	unsigned int cp = 2, tc = 2, mc = 2;

	s->bit_depth = kmscap_av1_f(r, 1) ? 10 : 8;	/* profile 0: no twelve_bit */
	s->mono_chrome = kmscap_av1_f(r, 1);
	if (kmscap_av1_f(r, 1)) {	/* color_description_present_flag */
		cp = kmscap_av1_f(r, 8);
		tc = kmscap_av1_f(r, 8);
		mc = kmscap_av1_f(r, 8);
	}
	s->subsampling_x = s->subsampling_y = 1;
	if (s->mono_chrome) {
		s->color_range = kmscap_av1_f(r, 1);
		s->separate_uv_delta_q = 0;
		return;
	}
	if (cp == 1 && tc == 13 && mc == 0) {
		/* sRGB: 4:4:4, not possible in profile 0 */
		s->color_range = 1;
		s->subsampling_x = s->subsampling_y = 0;
	} else {
		s->color_range = kmscap_av1_f(r, 1);
		kmscap_av1_f(r, 2);	/* chroma_sample_position */
	}
	s->separate_uv_delta_q = kmscap_av1_f(r, 1);
}

bool kmscap_av1_parse_seq(const uint8_t *p, size_t n, struct kmscap_av1_seq *s, char *err,
			  size_t errlen)
{
	struct kmscap_av1_rd r = { p, n, 0, false };
	unsigned int i, wbits, hbits;

	*s = (struct kmscap_av1_seq){ 0 };
	s->profile = kmscap_av1_f(&r, 3);
	if (s->profile != 0)
		return kmscap_av1_fail(err, errlen, "sequence header: seq_profile %u, only 0 (Main) is supported",
				       s->profile);
	s->still_picture = kmscap_av1_f(&r, 1);
	s->reduced_still_picture_header = kmscap_av1_f(&r, 1);
	if (s->reduced_still_picture_header) {
		s->operating_points = 1;
		s->level_idx0 = kmscap_av1_f(&r, 5);
	} else {
		unsigned int initial_display_delay;

		s->timing_info_present = kmscap_av1_f(&r, 1);
		if (s->timing_info_present) {
			kmscap_av1_f(&r, 32);	/* num_units_in_display_tick */
			kmscap_av1_f(&r, 32);	/* time_scale */
			if (kmscap_av1_f(&r, 1))	/* equal_picture_interval */
				kmscap_av1_uvlc(&r);
			s->decoder_model_info_present = kmscap_av1_f(&r, 1);
			if (s->decoder_model_info_present)
				return kmscap_av1_fail(err, errlen,
						       "sequence header: decoder_model_info_present_flag 1 is not supported");
		}
		initial_display_delay = kmscap_av1_f(&r, 1);
		s->operating_points = kmscap_av1_f(&r, 5) + 1;
		for (i = 0; i < s->operating_points; i++) {
			unsigned int idc = kmscap_av1_f(&r, 12), level = kmscap_av1_f(&r, 5);
			unsigned int tier = level > 7 ? kmscap_av1_f(&r, 1) : 0;

			if (idc)
				return kmscap_av1_fail(err, errlen,
						       "sequence header: operating_point_idc[%u] %#x: scalability is not supported",
						       i, idc);
			if (!i) {
				s->level_idx0 = level;
				s->tier0 = tier;
			}
			if (initial_display_delay && kmscap_av1_f(&r, 1))
				kmscap_av1_f(&r, 4);
		}
	}
	wbits = kmscap_av1_f(&r, 4) + 1;
	hbits = kmscap_av1_f(&r, 4) + 1;
	s->max_width = kmscap_av1_f(&r, wbits) + 1;
	s->max_height = kmscap_av1_f(&r, hbits) + 1;
	if (!s->reduced_still_picture_header)
		s->frame_id_numbers_present = kmscap_av1_f(&r, 1);
	if (s->frame_id_numbers_present) {
		s->delta_frame_id_len = kmscap_av1_f(&r, 4) + 2;
		s->id_len = kmscap_av1_f(&r, 3) + 1 + s->delta_frame_id_len;
	}
	s->use_128x128_superblock = kmscap_av1_f(&r, 1);
	s->enable_filter_intra = kmscap_av1_f(&r, 1);
	s->enable_intra_edge_filter = kmscap_av1_f(&r, 1);
	s->force_screen_content_tools = 2;
	s->force_integer_mv = 2;
	if (!s->reduced_still_picture_header) {
		s->enable_interintra_compound = kmscap_av1_f(&r, 1);
		s->enable_masked_compound = kmscap_av1_f(&r, 1);
		s->enable_warped_motion = kmscap_av1_f(&r, 1);
		s->enable_dual_filter = kmscap_av1_f(&r, 1);
		s->enable_order_hint = kmscap_av1_f(&r, 1);
		if (s->enable_order_hint) {
			s->enable_jnt_comp = kmscap_av1_f(&r, 1);
			s->enable_ref_frame_mvs = kmscap_av1_f(&r, 1);
		}
		if (!kmscap_av1_f(&r, 1))	/* seq_choose_screen_content_tools */
			s->force_screen_content_tools = kmscap_av1_f(&r, 1);
		if (s->force_screen_content_tools > 0 && !kmscap_av1_f(&r, 1))
			s->force_integer_mv = kmscap_av1_f(&r, 1);
		if (s->enable_order_hint)
			s->order_hint_bits = kmscap_av1_f(&r, 3) + 1;
	}
	s->enable_superres = kmscap_av1_f(&r, 1);
	s->enable_cdef = kmscap_av1_f(&r, 1);
	s->enable_restoration = kmscap_av1_f(&r, 1);
	kmscap_av1_color_config(&r, s);
	s->film_grain_params_present = kmscap_av1_f(&r, 1);
	return kmscap_av1_trailing(&r, "sequence header OBU", err, errlen);
}

static unsigned int kmscap_av1_tile_log2(unsigned int blk, unsigned int target)
{
	unsigned int k = 0;

	while ((blk << k) < target)
		k++;
	return k;
}

static bool kmscap_av1_tile_info(struct kmscap_av1_rd *r, const struct kmscap_av1_seq *s,
				 struct kmscap_av1_frame_hdr *f, char *err, size_t errlen)
{
	unsigned int mi_cols = 2 * ((f->frame_width + 7) >> 3);
	unsigned int mi_rows = 2 * ((f->frame_height + 7) >> 3);
	unsigned int sb_shift = s->use_128x128_superblock ? 5 : 4, sb_size = sb_shift + 2;
	unsigned int sb_cols = (mi_cols + (1u << sb_shift) - 1) >> sb_shift;
	unsigned int sb_rows = (mi_rows + (1u << sb_shift) - 1) >> sb_shift;
	unsigned int max_tile_width_sb = 4096 >> sb_size;
	unsigned int max_tile_area_sb = KMSCAP_AV1_MAX_TILE_AREA >> (2 * sb_size);
	unsigned int min_log2_cols = kmscap_av1_tile_log2(max_tile_width_sb, sb_cols);
	unsigned int max_log2_cols = kmscap_av1_tile_log2(1, sb_cols < 64 ? sb_cols : 64);
	unsigned int max_log2_rows = kmscap_av1_tile_log2(1, sb_rows < 64 ? sb_rows : 64);
	unsigned int min_log2_tiles = kmscap_av1_tile_log2(max_tile_area_sb, sb_rows * sb_cols);
	unsigned int tiles_cols = 0, tiles_rows = 0, start, size, widest = 0;

	if (min_log2_tiles < min_log2_cols)
		min_log2_tiles = min_log2_cols;
	f->uniform_tile_spacing = kmscap_av1_f(r, 1);
	if (f->uniform_tile_spacing) {
		unsigned int min_log2_rows;

		f->tile_cols_log2 = min_log2_cols;
		while (f->tile_cols_log2 < max_log2_cols && kmscap_av1_f(r, 1))
			f->tile_cols_log2++;
		min_log2_rows = min_log2_tiles > f->tile_cols_log2 ?
				min_log2_tiles - f->tile_cols_log2 : 0;
		f->tile_rows_log2 = min_log2_rows;
		while (f->tile_rows_log2 < max_log2_rows && kmscap_av1_f(r, 1))
			f->tile_rows_log2++;
		size = (sb_cols + (1u << f->tile_cols_log2) - 1) >> f->tile_cols_log2;
		for (start = 0; start < sb_cols; start += size)
			tiles_cols++;
		size = (sb_rows + (1u << f->tile_rows_log2) - 1) >> f->tile_rows_log2;
		for (start = 0; start < sb_rows; start += size)
			tiles_rows++;
	} else {
		unsigned int max_h;

		for (start = 0; start < sb_cols && !r->overrun; tiles_cols++) {
			unsigned int maxw = sb_cols - start < max_tile_width_sb ?
					    sb_cols - start : max_tile_width_sb;

			size = kmscap_av1_ns(r, maxw) + 1;
			widest = size > widest ? size : widest;
			start += size;
		}
		if (min_log2_tiles)
			max_tile_area_sb = (sb_rows * sb_cols) >> (min_log2_tiles + 1);
		else
			max_tile_area_sb = sb_rows * sb_cols;
		max_h = widest ? max_tile_area_sb / widest : 1;
		if (!max_h)
			max_h = 1;
		for (start = 0; start < sb_rows && !r->overrun; tiles_rows++) {
			unsigned int maxh = sb_rows - start < max_h ? sb_rows - start : max_h;

			start += kmscap_av1_ns(r, maxh) + 1;
		}
		f->tile_cols_log2 = kmscap_av1_tile_log2(1, tiles_cols);
		f->tile_rows_log2 = kmscap_av1_tile_log2(1, tiles_rows);
	}
	if (f->tile_cols_log2 || f->tile_rows_log2) {
		kmscap_av1_f(r, f->tile_cols_log2 + f->tile_rows_log2);
		kmscap_av1_f(r, 2);
	}
	if (tiles_cols * tiles_rows != 1)
		return kmscap_av1_fail(err, errlen,
				       "frame header: %u x %u tiles; this driver codes one tile (at most %u superblocks of 64x64)",
				       tiles_cols, tiles_rows, KMSCAP_AV1_MAX_TILE_AREA / 4096);
	return true;
}

static int kmscap_av1_delta_q(struct kmscap_av1_rd *r)
{
	int v;

	if (!kmscap_av1_f(r, 1))
		return 0;
	v = (int)kmscap_av1_f(r, 7);
	return v >= 64 ? v - 128 : v;
}

/*
 * frame_size() without frame_size_override_flag (superres_params() only),
 * then render_size(); false (with the reason in @err) for superres.
 */
static bool kmscap_av1_frame_size(struct kmscap_av1_rd *r, const struct kmscap_av1_seq *s,
				  struct kmscap_av1_frame_hdr *f, char *err, size_t errlen)
{
	if (s->enable_superres)
		f->use_superres = kmscap_av1_f(r, 1);
	if (f->use_superres)
		return kmscap_av1_fail(err, errlen,
				       "frame header: use_superres 1 is not supported");
	if (kmscap_av1_f(r, 1))	/* render_and_frame_size_different */
		kmscap_av1_f(r, 32);
	return true;
}

bool kmscap_av1_parse_frame(const uint8_t *p, size_t n, const struct kmscap_av1_seq *s,
			    struct kmscap_av1_frame_hdr *f, char *err, size_t errlen)
{
	struct kmscap_av1_rd r = { p, n, 0, false };
	bool intra, force_integer_mv = false;
	unsigned int i;
	int dq[5] = { 0 };

	*f = (struct kmscap_av1_frame_hdr){ 0 };
	f->primary_ref_frame = KMSCAP_AV1_PRIMARY_REF_NONE;
	if (s->reduced_still_picture_header) {
		f->frame_type = KMSCAP_AV1_KEY_FRAME;
		f->show_frame = 1;
	} else {
		f->show_existing_frame = kmscap_av1_f(&r, 1);
		if (f->show_existing_frame)
			return kmscap_av1_fail(err, errlen,
					       "frame header: show_existing_frame 1; the driver encodes a frame per picture");
		f->frame_type = kmscap_av1_f(&r, 2);
		f->show_frame = kmscap_av1_f(&r, 1);
		f->showable_frame = f->show_frame ? f->frame_type != KMSCAP_AV1_KEY_FRAME :
				    kmscap_av1_f(&r, 1);
		if (f->frame_type == KMSCAP_AV1_SWITCH_FRAME)
			return kmscap_av1_fail(err, errlen, "frame header: switch frames are not supported");
		if (f->frame_type == KMSCAP_AV1_KEY_FRAME && f->show_frame)
			f->error_resilient_mode = 1;
		else
			f->error_resilient_mode = kmscap_av1_f(&r, 1);
	}
	intra = f->frame_type == KMSCAP_AV1_KEY_FRAME ||
		f->frame_type == KMSCAP_AV1_INTRA_ONLY_FRAME;
	f->disable_cdf_update = kmscap_av1_f(&r, 1);
	f->allow_screen_content_tools = s->force_screen_content_tools == 2 ? kmscap_av1_f(&r, 1) :
					s->force_screen_content_tools;
	if (f->allow_screen_content_tools)
		force_integer_mv = s->force_integer_mv == 2 ? kmscap_av1_f(&r, 1) :
				   s->force_integer_mv;
	if (intra)
		force_integer_mv = true;
	if (s->frame_id_numbers_present)
		kmscap_av1_f(&r, s->id_len);	/* current_frame_id */
	if (!s->reduced_still_picture_header)
		f->frame_size_override_flag = kmscap_av1_f(&r, 1);
	if (f->frame_size_override_flag)
		return kmscap_av1_fail(err, errlen,
				       "frame header: frame_size_override_flag 1; the frame size must be the sequence header's maximum");
	f->order_hint = kmscap_av1_f(&r, s->order_hint_bits);
	if (!intra && !f->error_resilient_mode)
		f->primary_ref_frame = kmscap_av1_f(&r, 3);
	if (f->frame_type == KMSCAP_AV1_KEY_FRAME && f->show_frame)
		f->refresh_frame_flags = 0xff;
	else
		f->refresh_frame_flags = kmscap_av1_f(&r, 8);
	if ((!intra || f->refresh_frame_flags != 0xff) && f->error_resilient_mode &&
	    s->enable_order_hint)
		for (i = 0; i < 8; i++)
			kmscap_av1_f(&r, s->order_hint_bits);	/* ref_order_hint[i] */
	f->frame_width = s->max_width;
	f->frame_height = s->max_height;
	if (intra) {
		if (!kmscap_av1_frame_size(&r, s, f, err, errlen))
			return false;
		if (f->allow_screen_content_tools)
			f->allow_intrabc = kmscap_av1_f(&r, 1);
	} else {
		if (s->enable_order_hint && kmscap_av1_f(&r, 1))
			return kmscap_av1_fail(err, errlen,
					       "frame header: frame_refs_short_signaling 1 is not supported");
		for (i = 0; i < 7; i++) {
			f->ref_frame_idx[i] = kmscap_av1_f(&r, 3);
			if (s->frame_id_numbers_present)
				kmscap_av1_f(&r, s->delta_frame_id_len);
		}
		if (!kmscap_av1_frame_size(&r, s, f, err, errlen))
			return false;
		if (!force_integer_mv)
			kmscap_av1_f(&r, 1);	/* allow_high_precision_mv */
		if (!kmscap_av1_f(&r, 1))	/* is_filter_switchable */
			kmscap_av1_f(&r, 2);	/* interpolation_filter */
		kmscap_av1_f(&r, 1);		/* is_motion_mode_switchable */
		if (!f->error_resilient_mode && s->enable_ref_frame_mvs)
			kmscap_av1_f(&r, 1);	/* use_ref_frame_mvs */
	}
	if (s->reduced_still_picture_header || f->disable_cdf_update)
		f->disable_frame_end_update_cdf = 1;
	else
		f->disable_frame_end_update_cdf = kmscap_av1_f(&r, 1);
	if (!kmscap_av1_tile_info(&r, s, f, err, errlen))
		return false;
	/* quantization_params() */
	f->base_q_idx = kmscap_av1_f(&r, 8);
	dq[0] = kmscap_av1_delta_q(&r);
	if (!s->mono_chrome) {
		bool diff_uv = s->separate_uv_delta_q && kmscap_av1_f(&r, 1);

		dq[1] = kmscap_av1_delta_q(&r);
		dq[2] = kmscap_av1_delta_q(&r);
		if (diff_uv) {
			dq[3] = kmscap_av1_delta_q(&r);
			dq[4] = kmscap_av1_delta_q(&r);
		}
	}
	f->using_qmatrix = kmscap_av1_f(&r, 1);
	if (f->using_qmatrix) {
		kmscap_av1_f(&r, 8);
		if (s->separate_uv_delta_q)
			kmscap_av1_f(&r, 4);
	}
	for (i = 0; i < 5; i++)
		f->delta_q_nonzero |= dq[i] != 0;
	if (f->base_q_idx || f->delta_q_nonzero)
		return kmscap_av1_fail(err, errlen,
				       "frame header: base_q_idx %u, delta q Y DC %d U DC %d U AC %d V DC %d V AC %d: this test driver only encodes AV1 lossless (base_q_idx 0, no delta q)",
				       f->base_q_idx, dq[0], dq[1], dq[2], dq[3], dq[4]);
	f->segmentation_enabled = kmscap_av1_f(&r, 1);
	if (f->segmentation_enabled)
		return kmscap_av1_fail(err, errlen, "frame header: segmentation_enabled 1 is not supported");
	/*
	 * base_q_idx 0: no delta_q_params/delta_lf_params; CodedLossless:
	 * no loop filter, CDEF, loop restoration or tx mode syntax.
	 */
	if (!intra)
		f->reference_select = kmscap_av1_f(&r, 1);
	if (f->reference_select)
		return kmscap_av1_fail(err, errlen,
				       "frame header: reference_select 1 (compound prediction): every block of this driver is intra");
	if (!intra && !f->error_resilient_mode && s->enable_warped_motion)
		f->allow_warped_motion = kmscap_av1_f(&r, 1);
	f->reduced_tx_set = kmscap_av1_f(&r, 1);
	if (!intra)
		for (i = 0; i < 7; i++)
			if (kmscap_av1_f(&r, 1))
				return kmscap_av1_fail(err, errlen,
						       "frame header: is_global 1 for reference %u: global motion is not supported",
						       i + 1);
	if (s->film_grain_params_present)
		return kmscap_av1_fail(err, errlen, "frame header: film grain is not supported");
	return kmscap_av1_trailing(&r, "frame header OBU", err, errlen);
}
