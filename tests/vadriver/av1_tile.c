// SPDX-License-Identifier: MIT
/*
 * av1_tile.c - the lossless AV1 tile coder (see av1_priv.h).
 *
 * The picture is copied into padded planes of MiCols * 4 by MiRows * 4
 * samples (the area the decoder reconstructs; the last column and row are
 * repeated).  Since the frame is CodedLossless, the reconstruction equals
 * these samples, so the prediction of every 4x4 transform block is taken
 * from them directly.  Syntax and contexts follow the specification's
 * decode_tile(), decode_partition(), decode_block(), intra_frame_mode_info()
 * / inter_frame_mode_info(), residual(), transform_block() and coeffs().
 */
#include <stdlib.h>
#include <string.h>

#include "av1_priv.h"

enum {
	KMSCAP_AV1_PARTITION_NONE,
	KMSCAP_AV1_PARTITION_HORZ,
	KMSCAP_AV1_PARTITION_VERT,
	KMSCAP_AV1_PARTITION_SPLIT,
	KMSCAP_AV1_PARTITION_HORZ_A,
	KMSCAP_AV1_PARTITION_HORZ_B,
	KMSCAP_AV1_PARTITION_VERT_A,
	KMSCAP_AV1_PARTITION_VERT_B,
	KMSCAP_AV1_PARTITION_HORZ_4,
	KMSCAP_AV1_PARTITION_VERT_4,
};

struct kmscap_av1_tile {
	struct kmscap_av1_ec *ec;
	const struct kmscap_av1_tile_params *p;
	struct kmscap_av1_cdfs cdf;	/* the tile's CDFs, adapted as it goes */
	unsigned int bit_depth;
	unsigned int mi_cols, mi_rows;
	uint16_t *plane[3];
	unsigned int pw[3], ph[3];	/* padded plane sizes */
	/* block sizes (Mi_Width_Log2) last coded per mi column / row */
	uint8_t *above_bsl, *left_bsl;
	/* per plane and 4x4 column / row: culLevel and dcCategory */
	uint8_t *above_level[3], *above_dc[3], *left_level[3], *left_dc[3];
};

static const uint8_t kmscap_av1_scan_4x4[16] = {
	0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15
};

/* Coeff_Base_Ctx_Offset[TX_4X4] */
static const uint8_t kmscap_av1_base_ctx_offset[4][4] = {
	{ 0, 1, 6, 6 }, { 1, 6, 6, 21 }, { 6, 6, 21, 21 }, { 6, 21, 21, 21 }
};

/* Sig_Ref_Diff_Offset[TX_CLASS_2D] and Mag_Ref_Offset_With_Tx_Class[TX_CLASS_2D] */
static const int8_t kmscap_av1_sig_ref[5][2] = { { 0, 1 }, { 1, 0 }, { 1, 1 }, { 0, 2 }, { 2, 0 } };
static const int8_t kmscap_av1_mag_ref[3][2] = { { 0, 1 }, { 1, 0 }, { 1, 1 } };

/* Size_Group of the square sizes BLOCK_8X8..BLOCK_64X64, by Mi_Width_Log2 */
static const uint8_t kmscap_av1_size_group[5] = { 0, 1, 2, 3, 3 };

void kmscap_av1_cdfs_default(struct kmscap_av1_cdfs *c)
{
#define KMSCAP_AV1_CDF_COPY(dst, src) memcpy(c->dst, src, sizeof(c->dst))
	KMSCAP_AV1_CDF_COPY(partition_w8, kmscap_av1_partition_w8_cdf);
	KMSCAP_AV1_CDF_COPY(partition_w16, kmscap_av1_partition_w16_cdf);
	KMSCAP_AV1_CDF_COPY(partition_w32, kmscap_av1_partition_w32_cdf);
	KMSCAP_AV1_CDF_COPY(partition_w64, kmscap_av1_partition_w64_cdf);
	KMSCAP_AV1_CDF_COPY(skip, kmscap_av1_skip_cdf);
	KMSCAP_AV1_CDF_COPY(intra_frame_y_mode_dc, kmscap_av1_intra_frame_y_mode_dc_cdf);
	KMSCAP_AV1_CDF_COPY(y_mode, kmscap_av1_y_mode_cdf);
	KMSCAP_AV1_CDF_COPY(uv_cfl_not_allowed_dc, kmscap_av1_uv_mode_cfl_not_allowed_dc_cdf);
	KMSCAP_AV1_CDF_COPY(uv_cfl_allowed_dc, kmscap_av1_uv_mode_cfl_allowed_dc_cdf);
	KMSCAP_AV1_CDF_COPY(is_inter, kmscap_av1_is_inter_cdf);
	KMSCAP_AV1_CDF_COPY(filter_intra, kmscap_av1_filter_intra_cdf);
	KMSCAP_AV1_CDF_COPY(txb_skip, kmscap_av1_txb_skip_cdf);
	KMSCAP_AV1_CDF_COPY(eob_pt_16, kmscap_av1_eob_pt_16_cdf);
	KMSCAP_AV1_CDF_COPY(eob_extra, kmscap_av1_eob_extra_cdf);
	KMSCAP_AV1_CDF_COPY(dc_sign, kmscap_av1_dc_sign_cdf);
	KMSCAP_AV1_CDF_COPY(coeff_base_eob, kmscap_av1_coeff_base_eob_cdf);
	KMSCAP_AV1_CDF_COPY(coeff_base, kmscap_av1_coeff_base_cdf);
	KMSCAP_AV1_CDF_COPY(coeff_br, kmscap_av1_coeff_br_cdf);
#undef KMSCAP_AV1_CDF_COPY
}

/* load_cdfs(): the last entry of every CDF, its symbol counter, is set to 0. */
void kmscap_av1_cdfs_clear_counts(struct kmscap_av1_cdfs *c)
{
#define KMSCAP_AV1_CLEAR(arr)							\
	do {									\
		uint16_t *v = (uint16_t *)c->arr;				\
		size_t i, n = sizeof(c->arr) / sizeof(uint16_t);		\
										\
		for (i = 0; i < n; i++)						\
			if (v[i] == 32768 && i + 1 < n)				\
				v[++i] = 0;					\
	} while (0)
	KMSCAP_AV1_CLEAR(partition_w8);
	KMSCAP_AV1_CLEAR(partition_w16);
	KMSCAP_AV1_CLEAR(partition_w32);
	KMSCAP_AV1_CLEAR(partition_w64);
	KMSCAP_AV1_CLEAR(skip);
	KMSCAP_AV1_CLEAR(intra_frame_y_mode_dc);
	KMSCAP_AV1_CLEAR(y_mode);
	KMSCAP_AV1_CLEAR(uv_cfl_not_allowed_dc);
	KMSCAP_AV1_CLEAR(uv_cfl_allowed_dc);
	KMSCAP_AV1_CLEAR(is_inter);
	KMSCAP_AV1_CLEAR(filter_intra);
	KMSCAP_AV1_CLEAR(txb_skip);
	KMSCAP_AV1_CLEAR(eob_pt_16);
	KMSCAP_AV1_CLEAR(eob_extra);
	KMSCAP_AV1_CLEAR(dc_sign);
	KMSCAP_AV1_CLEAR(coeff_base_eob);
	KMSCAP_AV1_CLEAR(coeff_base);
	KMSCAP_AV1_CLEAR(coeff_br);
#undef KMSCAP_AV1_CLEAR
}

/* Copy the NV12/P010 picture into padded 16-bit planes. */
static bool kmscap_av1_load(struct kmscap_av1_tile *t, const struct kmscap_av1_picture *pic)
{
	unsigned int pl, x, y;

	for (pl = 0; pl < 3; pl++) {
		unsigned int sub = pl ? 1 : 0;
		unsigned int w = (pic->width + sub) >> sub, h = (pic->height + sub) >> sub;

		t->pw[pl] = (t->mi_cols * 4) >> sub;
		t->ph[pl] = (t->mi_rows * 4) >> sub;
		t->plane[pl] = malloc((size_t)t->pw[pl] * t->ph[pl] * sizeof(uint16_t));
		if (!t->plane[pl])
			return false;
		for (y = 0; y < t->ph[pl]; y++) {
			uint16_t *dst = t->plane[pl] + (size_t)y * t->pw[pl];
			unsigned int sy = y < h ? y : h - 1;

			for (x = 0; x < t->pw[pl]; x++) {
				unsigned int sx = x < w ? x : w - 1;
				unsigned int v;

				if (pl == 0 && pic->bit_depth == 8)
					v = pic->luma[(size_t)sy * pic->luma_pitch + sx];
				else if (pl == 0)
					v = ((const uint16_t *)(pic->luma + (size_t)sy *
								pic->luma_pitch))[sx] >> 6;
				else if (pic->bit_depth == 8)
					v = pic->chroma[(size_t)sy * pic->chroma_pitch +
							2 * sx + pl - 1];
				else
					v = ((const uint16_t *)(pic->chroma + (size_t)sy *
								pic->chroma_pitch))
						[2 * sx + pl - 1] >> 6;
				dst[x] = (uint16_t)v;
			}
		}
	}
	return true;
}

/* The forward transform of the decoder's inverse WHT (spec 7.13.2.10). */
static void kmscap_av1_fwht1(int32_t *y0, int32_t *y1, int32_t *y2, int32_t *y3)
{
	int32_t a1 = *y0 + *y1, d1 = *y3 - *y2;
	int32_t e = (a1 - d1) >> 1;
	int32_t x3 = e - *y1, x1 = e - *y2;

	*y0 = a1 - x1;
	*y1 = x1;
	*y2 = d1 + x3;
	*y3 = x3;
}

/* residual r[row * 4 + col] -> coefficients in place (Quant order) */
static void kmscap_av1_fwht4x4(int32_t *r)
{
	unsigned int i;

	/* the decoder does rows, then columns: undo columns first */
	for (i = 0; i < 4; i++)
		kmscap_av1_fwht1(&r[i], &r[4 + i], &r[8 + i], &r[12 + i]);
	for (i = 0; i < 4; i++)
		kmscap_av1_fwht1(&r[4 * i], &r[4 * i + 1], &r[4 * i + 2], &r[4 * i + 3]);
}

static unsigned int kmscap_av1_dc_pred(const struct kmscap_av1_tile *t, unsigned int pl,
				       unsigned int x, unsigned int y)
{
	const uint16_t *s = t->plane[pl];
	unsigned int w = t->pw[pl], sum = 0, k;

	if (x && y) {
		for (k = 0; k < 4; k++)
			sum += s[(size_t)(y - 1) * w + x + k] + s[(size_t)(y + k) * w + x - 1];
		return (sum + 4) >> 3;
	}
	if (x) {
		for (k = 0; k < 4; k++)
			sum += s[(size_t)(y + k) * w + x - 1];
		return (sum + 2) >> 2;
	}
	if (y) {
		for (k = 0; k < 4; k++)
			sum += s[(size_t)(y - 1) * w + x + k];
		return (sum + 2) >> 2;
	}
	return 1u << (t->bit_depth - 1);
}

static unsigned int kmscap_av1_min(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

/* coeffs() for one 4x4 transform block at 4x4 position (x4, y4) of plane pl */
static void kmscap_av1_coeffs(struct kmscap_av1_tile *t, unsigned int pl, unsigned int x4,
			      unsigned int y4, bool chroma_4x4_block, const int32_t *coef)
{
	struct kmscap_av1_ec *e = t->ec;
	unsigned int ptype = pl > 0, quant[16] = { 0 };
	unsigned int eob = 0, c, ctx, cul = 0, dc_cat = 0, above, left;
	int dc;

	for (c = 0; c < 16; c++)
		if (coef[kmscap_av1_scan_4x4[c]])
			eob = c + 1;
	above = t->above_level[pl][x4];
	left = t->left_level[pl][y4];
	if (!pl) {
		/* the block is never a single 4x4 (blocks are 8x8 or larger) */
		unsigned int mx = above > left ? above : left, mn = above < left ? above : left;

		if (!above && !left)
			ctx = 1;
		else if (!above || !left)
			ctx = 2 + (mx > 3);
		else if (mx <= 3)
			ctx = 4;
		else if (mn <= 3)
			ctx = 5;
		else
			ctx = 6;
	} else {
		above |= t->above_dc[pl][x4];
		left |= t->left_dc[pl][y4];
		ctx = 7 + (above != 0) + (left != 0) + (chroma_4x4_block ? 0 : 3);
	}
	kmscap_av1_ec_symbol(e, t->cdf.txb_skip[ctx], 2, eob == 0);
	if (eob) {
		unsigned int eob_pt = 1, i;

		/* eobPt: 1, 2, 3..4, 5..8, 9..16 */
		while (eob > (eob_pt < 2 ? eob_pt : 1u << (eob_pt - 1)))
			eob_pt++;
		kmscap_av1_ec_symbol(e, t->cdf.eob_pt_16[ptype][0], 5, eob_pt - 1);
		if (eob_pt >= 3) {
			unsigned int off = eob - ((1u << (eob_pt - 2)) + 1);

			kmscap_av1_ec_symbol(e, t->cdf.eob_extra[ptype][eob_pt - 3], 2,
					     (off >> (eob_pt - 3)) & 1);
			for (i = 1; i + 2 < eob_pt; i++)
				kmscap_av1_ec_literal(e, 1, (off >> (eob_pt - 3 - i)) & 1);
		}
		for (c = eob; c-- > 0;) {
			unsigned int pos = kmscap_av1_scan_4x4[c];
			unsigned int row = pos >> 2, col = pos & 3;
			unsigned int level = (unsigned int)abs(coef[pos]), k, mag = 0;

			if (c == eob - 1) {
				ctx = c == 0 ? 0 : c <= 2 ? 1 : c <= 4 ? 2 : 3;
				kmscap_av1_ec_symbol(e, t->cdf.coeff_base_eob[ptype][ctx], 3,
						     kmscap_av1_min(level, 3) - 1);
			} else {
				for (k = 0; k < 5; k++) {
					unsigned int rr = row + kmscap_av1_sig_ref[k][0];
					unsigned int cc = col + kmscap_av1_sig_ref[k][1];

					if (rr < 4 && cc < 4)
						mag += kmscap_av1_min(quant[rr * 4 + cc], 3);
				}
				ctx = kmscap_av1_min((mag + 1) >> 1, 4);
				ctx = pos ? ctx + kmscap_av1_base_ctx_offset[row][col] : 0;
				kmscap_av1_ec_symbol(e, t->cdf.coeff_base[ptype][ctx], 4,
						     kmscap_av1_min(level, 3));
			}
			if (level > 2) {
				unsigned int rem = level - 3, idx;

				mag = 0;
				for (k = 0; k < 3; k++) {
					unsigned int rr = row + kmscap_av1_mag_ref[k][0];
					unsigned int cc = col + kmscap_av1_mag_ref[k][1];

					if (rr < 4 && cc < 4)
						mag += kmscap_av1_min(quant[rr * 4 + cc], 15);
				}
				mag = kmscap_av1_min((mag + 1) >> 1, 6);
				ctx = !pos ? mag : (row < 2 && col < 2) ? mag + 7 : mag + 14;
				for (idx = 0; idx < 4; idx++) {
					unsigned int br = kmscap_av1_min(rem, 3);

					kmscap_av1_ec_symbol(e, t->cdf.coeff_br[ptype][ctx], 4, br);
					rem -= br;
					if (br < 3)
						break;
				}
			}
			quant[pos] = kmscap_av1_min(level, 15);
		}
		for (c = 0; c < eob; c++) {
			unsigned int pos = kmscap_av1_scan_4x4[c];
			unsigned int level = (unsigned int)abs(coef[pos]);

			if (coef[pos] && c == 0) {
				int s = 0;

				for (i = 0; i < 2; i++) {
					unsigned int cat = i ? t->left_dc[pl][y4] :
							   t->above_dc[pl][x4];

					s += cat == 2 ? 1 : cat == 1 ? -1 : 0;
				}
				ctx = s < 0 ? 1 : s > 0 ? 2 : 0;
				kmscap_av1_ec_symbol(e, t->cdf.dc_sign[ptype][ctx], 2,
						     coef[pos] < 0);
			} else if (coef[pos]) {
				kmscap_av1_ec_literal(e, 1, coef[pos] < 0);
			}
			if (level > 14) {
				uint32_t x = level - 14;
				unsigned int len = 0;

				while ((x >> len) > 1)
					len++;
				/* len zeros, a one, then the len bits below the leading one */
				kmscap_av1_ec_literal(e, len, 0);
				kmscap_av1_ec_literal(e, 1, 1);
				kmscap_av1_ec_literal(e, len, x & ((1u << len) - 1));
			}
			cul += level;
		}
		dc = coef[0];
		dc_cat = dc < 0 ? 1 : dc > 0 ? 2 : 0;
		cul = kmscap_av1_min(cul, 63);
	}
	t->above_level[pl][x4] = (uint8_t)cul;
	t->left_level[pl][y4] = (uint8_t)cul;
	t->above_dc[pl][x4] = (uint8_t)dc_cat;
	t->left_dc[pl][y4] = (uint8_t)dc_cat;
}

static void kmscap_av1_block(struct kmscap_av1_tile *t, unsigned int r, unsigned int c,
			     unsigned int bsl)
{
	struct kmscap_av1_ec *e = t->ec;
	unsigned int bw4 = 1u << bsl;	/* Num_4x4_Blocks_Wide */
	unsigned int mi_size = 3 * bsl;	/* BLOCK_8X8 = 3, ..., BLOCK_64X64 = 12 */
	bool avail_u = r > 0, avail_l = c > 0;
	unsigned int pl, i;

	/* mode info: skip 0 (neighbours never skip: ctx 0), DC_PRED, no palette */
	if (t->p->intra_frame) {
		kmscap_av1_ec_symbol(e, t->cdf.skip[0], 2, 0);
		kmscap_av1_ec_symbol(e, t->cdf.intra_frame_y_mode_dc, 13, 0);
	} else {
		unsigned int ctx = avail_u && avail_l ? 3 : (avail_u || avail_l) ? 2 : 0;

		kmscap_av1_ec_symbol(e, t->cdf.skip[0], 2, 0);
		kmscap_av1_ec_symbol(e, t->cdf.is_inter[ctx], 2, 0);
		kmscap_av1_ec_symbol(e, t->cdf.y_mode[kmscap_av1_size_group[bsl]], 13, 0);
	}
	/* Lossless: CfL is allowed when the chroma block is 4x4 (BLOCK_8X8) */
	if (bsl == 1)
		kmscap_av1_ec_symbol(e, t->cdf.uv_cfl_allowed_dc, 14, 0);
	else
		kmscap_av1_ec_symbol(e, t->cdf.uv_cfl_not_allowed_dc, 13, 0);
	if (t->p->enable_filter_intra && bsl <= 3)
		kmscap_av1_ec_symbol(e, t->cdf.filter_intra[mi_size], 2, 0);

	/* residual: per plane, 4x4 blocks in raster order inside the frame */
	for (pl = 0; pl < 3; pl++) {
		unsigned int sub = pl ? 1 : 0;
		unsigned int n4 = bw4 >> sub;
		unsigned int x0 = (c * 4) >> sub, y0 = (r * 4) >> sub;
		unsigned int maxx = (t->mi_cols * 4) >> sub, maxy = (t->mi_rows * 4) >> sub;
		unsigned int bx, by;

		for (by = 0; by < n4; by++) {
			for (bx = 0; bx < n4; bx++) {
				unsigned int x = x0 + 4 * bx, y = y0 + 4 * by, j, pred;
				const uint16_t *s = t->plane[pl];
				int32_t res[16];

				if (x >= maxx || y >= maxy)
					continue;
				pred = kmscap_av1_dc_pred(t, pl, x, y);
				for (i = 0; i < 4; i++)
					for (j = 0; j < 4; j++)
						res[i * 4 + j] = (int32_t)s[(size_t)(y + i) *
									   t->pw[pl] + x + j] -
								 (int32_t)pred;
				kmscap_av1_fwht4x4(res);
				kmscap_av1_coeffs(t, pl, x >> 2, y >> 2, bsl == 1, res);
			}
		}
	}
	for (i = 0; i < bw4 && c + i < t->mi_cols; i++)
		t->above_bsl[c + i] = (uint8_t)bsl;
	for (i = 0; i < bw4 && r + i < t->mi_rows; i++)
		t->left_bsl[r + i] = (uint8_t)bsl;
}

/* psum of the partitions that split the block along the given direction */
static void kmscap_av1_split_cdf(const uint16_t *pcdf, bool horz, uint16_t out[3])
{
	static const uint8_t horz_parts[] = { KMSCAP_AV1_PARTITION_VERT,
		KMSCAP_AV1_PARTITION_SPLIT, KMSCAP_AV1_PARTITION_HORZ_A,
		KMSCAP_AV1_PARTITION_VERT_A, KMSCAP_AV1_PARTITION_VERT_B,
		KMSCAP_AV1_PARTITION_VERT_4 };
	static const uint8_t vert_parts[] = { KMSCAP_AV1_PARTITION_HORZ,
		KMSCAP_AV1_PARTITION_SPLIT, KMSCAP_AV1_PARTITION_HORZ_A,
		KMSCAP_AV1_PARTITION_HORZ_B, KMSCAP_AV1_PARTITION_VERT_A,
		KMSCAP_AV1_PARTITION_HORZ_4 };
	const uint8_t *parts = horz ? horz_parts : vert_parts;
	uint32_t psum = 0;
	unsigned int i;

	for (i = 0; i < 6; i++)
		psum += pcdf[parts[i]] - pcdf[parts[i] - 1];
	out[0] = (uint16_t)((1u << 15) - psum);
	out[1] = 1u << 15;
	out[2] = 0;
}

/* decode_partition(): bsl = Mi_Width_Log2 of the square block (1 = 8x8, 4 = 64x64) */
static void kmscap_av1_partition(struct kmscap_av1_tile *t, unsigned int r, unsigned int c,
				 unsigned int bsl)
{
	unsigned int half = 1u << (bsl - 1);	/* halfBlock4x4 */
	bool has_rows, has_cols;
	unsigned int ctx;
	uint16_t *pcdf;
	uint16_t tmp[3];

	if (r >= t->mi_rows || c >= t->mi_cols)
		return;
	has_rows = r + half < t->mi_rows;
	has_cols = c + half < t->mi_cols;
	ctx = ((c > 0 && t->left_bsl[r] < bsl) ? 2 : 0) +
	      ((r > 0 && t->above_bsl[c] < bsl) ? 1 : 0);
	switch (bsl) {
	case 1:
		pcdf = t->cdf.partition_w8[ctx];
		break;
	case 2:
		pcdf = t->cdf.partition_w16[ctx];
		break;
	case 3:
		pcdf = t->cdf.partition_w32[ctx];
		break;
	default:
		pcdf = t->cdf.partition_w64[ctx];
		break;
	}
	if (has_rows && has_cols) {
		kmscap_av1_ec_symbol(t->ec, pcdf, bsl == 1 ? 4 : 10, KMSCAP_AV1_PARTITION_NONE);
		kmscap_av1_block(t, r, c, bsl);
		return;
	}
	if (has_cols || has_rows) {
		/*
		 * split_or_horz (only the columns fit) or split_or_vert (only the
		 * rows fit): 1 = PARTITION_SPLIT.  The derived CDF is a temporary,
		 * so it is not adapted.
		 */
		bool save = t->ec->adapt;

		kmscap_av1_split_cdf(pcdf, has_cols, tmp);
		t->ec->adapt = false;
		kmscap_av1_ec_symbol(t->ec, tmp, 2, 1);
		t->ec->adapt = save;
	}
	kmscap_av1_partition(t, r, c, bsl - 1);
	kmscap_av1_partition(t, r, c + half, bsl - 1);
	kmscap_av1_partition(t, r + half, c, bsl - 1);
	kmscap_av1_partition(t, r + half, c + half, bsl - 1);
}

bool kmscap_av1_encode_tile(struct kmscap_av1_ec *e, const struct kmscap_av1_picture *pic,
			    const struct kmscap_av1_tile_params *p, struct kmscap_av1_cdfs *cdfs)
{
	struct kmscap_av1_tile *t = calloc(1, sizeof(*t));
	unsigned int pl, r, c;
	bool ok = false;

	if (!t)
		return false;
	t->ec = e;
	t->p = p;
	t->bit_depth = pic->bit_depth;
	t->mi_cols = 2 * ((pic->width + 7) >> 3);
	t->mi_rows = 2 * ((pic->height + 7) >> 3);
	t->cdf = *cdfs;
	t->above_bsl = calloc(t->mi_cols, 1);
	t->left_bsl = calloc(t->mi_rows, 1);
	if (!t->above_bsl || !t->left_bsl)
		goto out;
	for (pl = 0; pl < 3; pl++) {
		t->above_level[pl] = calloc(t->mi_cols, 1);
		t->above_dc[pl] = calloc(t->mi_cols, 1);
		t->left_level[pl] = calloc(t->mi_rows, 1);
		t->left_dc[pl] = calloc(t->mi_rows, 1);
		if (!t->above_level[pl] || !t->above_dc[pl] || !t->left_level[pl] ||
		    !t->left_dc[pl])
			goto out;
	}
	if (!kmscap_av1_load(t, pic))
		goto out;
	/* one tile: 64x64 superblocks in raster order */
	for (r = 0; r < t->mi_rows; r += 16)
		for (c = 0; c < t->mi_cols; c += 16)
			kmscap_av1_partition(t, r, c, 4);
	ok = kmscap_av1_ec_finish(e);
	*cdfs = t->cdf;
out:
	for (pl = 0; pl < 3; pl++) {
		free(t->plane[pl]);
		free(t->above_level[pl]);
		free(t->above_dc[pl]);
		free(t->left_level[pl]);
		free(t->left_dc[pl]);
	}
	free(t->above_bsl);
	free(t->left_bsl);
	free(t);
	return ok;
}
