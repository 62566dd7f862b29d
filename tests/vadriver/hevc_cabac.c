// SPDX-License-Identifier: MIT
/*
 * hevc_cabac.c - HEVC slice segment data in which every coding unit is PCM.
 *
 * Each CTU is split down to the largest PCM size the sequence allows (and
 * further where the picture edge cuts it); every coding unit then codes
 * cu_skip_flag 0 and pred_mode_flag 1 (intra) in P and B slices, part_mode
 * 2Nx2N at the minimum CB size, and pcm_flag 1, after which the arithmetic
 * coder is flushed, the samples follow raw (luma, then Cb, then Cr, at the
 * PCM bit depths), and the coder is initialised again.  Only split_cu_flag,
 * cu_skip_flag, pred_mode_flag and part_mode are context-coded; pcm_flag
 * and end_of_slice_segment_flag are terminate bins.  Written from ITU-T
 * H.265 clauses 7.3.8 and 9.3 (the arithmetic coder, cabac.c, is that of H.264).
 */
#include <stdlib.h>
#include <string.h>

#include "kmscap_va.h"

enum {
	KMSCAP_VA_HEVC_CTX_SPLIT,		/* + 0..2 */
	KMSCAP_VA_HEVC_CTX_SKIP = 3,		/* + 0..2 */
	KMSCAP_VA_HEVC_CTX_PRED_MODE = 6,
	KMSCAP_VA_HEVC_CTX_PART_MODE = 7,
	KMSCAP_VA_HEVC_NUM_CTX = 8,
};

/*
 * initValue per initType (0: I; 1: P without cabac_init_flag, B with it;
 * 2: P with cabac_init_flag, B without),
 * tables 9-11 (split_cu_flag), 9-13 (cu_skip_flag), 9-15 (pred_mode_flag),
 * 9-16 (part_mode, first bin).  I slices use neither skip nor pred_mode.
 */
static const uint8_t kmscap_va_hevc_init[3][KMSCAP_VA_HEVC_NUM_CTX] = {
	{ 139, 141, 157, 154, 154, 154, 154, 184 },
	{ 107, 139, 126, 197, 185, 201, 149, 154 },
	{ 107, 139, 126, 197, 185, 201, 134, 154 },
};

/* Context variables from initValue (9.3.2.2): m and n, then as H.264. */
static void kmscap_va_hevc_cabac_init_ctx(struct kmscap_va_cabac *c, int init_type, int qp)
{
	int i;

	for (i = 0; i < KMSCAP_VA_HEVC_NUM_CTX; i++) {
		int v = kmscap_va_hevc_init[init_type][i];

		kmscap_va_cabac_init_ctx(c, i, (v >> 4) * 5 - 45, ((v & 15) << 3) - 16, qp);
	}
}

struct kmscap_va_hevc_ctu_coder {
	struct kmscap_va_cabac cabac;
	const struct kmscap_va_surface *s;
	unsigned int width, height;		/* coded picture size */
	unsigned int log2_ctb, log2_min_cb, log2_pcm;	/* log2_pcm: the CU size used */
	unsigned int depth_luma, depth_chroma;	/* PCM sample bit depths */
	unsigned int ctb_cols, slice_addr;
	bool is_inter;
	uint8_t *depth;			/* CtDepth per minimum CB */
	unsigned int depth_stride;
};

static uint32_t kmscap_va_hevc_sample(const struct kmscap_va_surface *s, unsigned int plane,
				      unsigned int x, unsigned int y)
{
	const uint8_t *row = s->data + s->offset[plane] + (size_t)y * s->pitch[plane];

	if (s->fourcc == VA_FOURCC_P010)
		return (row[2 * x] | row[2 * x + 1] << 8) >> 6;
	return row[x];
}

static void kmscap_va_hevc_pcm_samples(struct kmscap_va_hevc_ctu_coder *k, unsigned int x0,
				       unsigned int y0, unsigned int size)
{
	struct kmscap_va_bits *b = k->cabac.b;
	unsigned int x, y, c;

	kmscap_va_bits_align_zero(b);		/* pcm_alignment_zero_bit */
	for (y = 0; y < size; y++)
		for (x = 0; x < size; x++)
			kmscap_va_bits_put(b, k->depth_luma,
					   kmscap_va_hevc_sample(k->s, 0, x0 + x, y0 + y));
	for (c = 0; c < 2; c++)			/* Cb, then Cr: interleaved in the surface */
		for (y = 0; y < size / 2; y++)
			for (x = 0; x < size / 2; x++)
				kmscap_va_bits_put(b, k->depth_chroma,
						   kmscap_va_hevc_sample(k->s, 1, x0 + 2 * x + c,
									 y0 / 2 + y));
}

/* Whether the minimum CB at (x, y) belongs to a CTU of this slice decoded before. */
static bool kmscap_va_hevc_available(const struct kmscap_va_hevc_ctu_coder *k, int x, int y)
{
	unsigned int addr;

	if (x < 0 || y < 0)
		return false;
	addr = (y >> k->log2_ctb) * k->ctb_cols + (x >> k->log2_ctb);
	return addr >= k->slice_addr;
}

static void kmscap_va_hevc_coding_unit(struct kmscap_va_hevc_ctu_coder *k, unsigned int x0,
				       unsigned int y0, unsigned int log2)
{
	struct kmscap_va_cabac *c = &k->cabac;

	if (k->is_inter) {
		/* neighbours are never skipped: ctxInc 0 */
		kmscap_va_cabac_decision(c, KMSCAP_VA_HEVC_CTX_SKIP, 0);
		kmscap_va_cabac_decision(c, KMSCAP_VA_HEVC_CTX_PRED_MODE, 1);	/* intra */
	}
	if (log2 == k->log2_min_cb)
		kmscap_va_cabac_decision(c, KMSCAP_VA_HEVC_CTX_PART_MODE, 1);	/* 2Nx2N */
	kmscap_va_cabac_terminate(c, 1);	/* pcm_flag */
	kmscap_va_hevc_pcm_samples(k, x0, y0, 1u << log2);
	kmscap_va_cabac_init_engine(c);
}

static void kmscap_va_hevc_quadtree(struct kmscap_va_hevc_ctu_coder *k, unsigned int x0,
				    unsigned int y0, unsigned int log2, unsigned int depth)
{
	unsigned int size = 1u << log2, half = size / 2, i, j;
	bool split;

	if (x0 + size <= k->width && y0 + size <= k->height && log2 > k->log2_min_cb) {
		int inc = 0;
		unsigned int ms = k->log2_min_cb;

		if (kmscap_va_hevc_available(k, (int)x0 - 1, y0) &&
		    k->depth[(y0 >> ms) * k->depth_stride + ((x0 - 1) >> ms)] > depth)
			inc++;
		if (kmscap_va_hevc_available(k, x0, (int)y0 - 1) &&
		    k->depth[((y0 - 1) >> ms) * k->depth_stride + (x0 >> ms)] > depth)
			inc++;
		split = log2 > k->log2_pcm;
		kmscap_va_cabac_decision(&k->cabac, KMSCAP_VA_HEVC_CTX_SPLIT + inc, split);
	} else {
		split = log2 > k->log2_min_cb;
	}
	if (split) {
		for (j = 0; j < 2; j++)
			for (i = 0; i < 2; i++)
				if (x0 + i * half < k->width && y0 + j * half < k->height)
					kmscap_va_hevc_quadtree(k, x0 + i * half, y0 + j * half,
								log2 - 1, depth + 1);
		return;
	}
	for (j = 0; j < size >> k->log2_min_cb; j++)
		for (i = 0; i < size >> k->log2_min_cb; i++)
			k->depth[((y0 >> k->log2_min_cb) + j) * k->depth_stride +
				 (x0 >> k->log2_min_cb) + i] = depth;
	kmscap_va_hevc_coding_unit(k, x0, y0, log2);
}

void kmscap_va_hevc_write_slice_data(struct kmscap_va_bits *b,
				     const struct kmscap_va_surface *s,
				     const struct kmscap_va_hevc_state *h,
				     const VAEncSliceParameterBufferHEVC *sl)
{
	const VAEncSequenceParameterBufferHEVC *seq = &h->seq;
	struct kmscap_va_hevc_ctu_coder k = { .s = s };
	unsigned int i, ctb, rows, init_type = 0;

	k.cabac.b = b;
	k.width = seq->pic_width_in_luma_samples;
	k.height = seq->pic_height_in_luma_samples;
	k.log2_min_cb = seq->log2_min_luma_coding_block_size_minus3 + 3;
	k.log2_ctb = k.log2_min_cb + seq->log2_diff_max_min_luma_coding_block_size;
	k.log2_pcm = seq->log2_max_pcm_luma_coding_block_size_minus3 + 3;
	if (k.log2_pcm > k.log2_ctb)
		k.log2_pcm = k.log2_ctb;
	k.depth_luma = seq->pcm_sample_bit_depth_luma_minus1 + 1;
	k.depth_chroma = seq->pcm_sample_bit_depth_chroma_minus1 + 1;
	ctb = 1u << k.log2_ctb;
	k.ctb_cols = (k.width + ctb - 1) / ctb;
	rows = (k.height + ctb - 1) / ctb;
	k.slice_addr = sl->slice_segment_address;
	/* P and B slices code cu_skip_flag and pred_mode_flag (9.3.2.2: initType) */
	k.is_inter = sl->slice_type != 2;
	if (sl->slice_type == 1)
		init_type = sl->slice_fields.bits.cabac_init_flag ? 2 : 1;
	else if (sl->slice_type == 0)
		init_type = sl->slice_fields.bits.cabac_init_flag ? 1 : 2;
	k.depth_stride = k.ctb_cols << (k.log2_ctb - k.log2_min_cb);
	k.depth = calloc((size_t)k.depth_stride * (rows << (k.log2_ctb - k.log2_min_cb)), 1);
	if (!k.depth) {
		b->overflow = true;
		return;
	}
	kmscap_va_hevc_cabac_init_ctx(&k.cabac, init_type,
				      (int)h->pic.pic_init_qp + sl->slice_qp_delta);
	kmscap_va_cabac_init_engine(&k.cabac);
	for (i = 0; i < sl->num_ctu_in_slice; i++) {
		unsigned int addr = sl->slice_segment_address + i;

		kmscap_va_hevc_quadtree(&k, (addr % k.ctb_cols) << k.log2_ctb,
					(addr / k.ctb_cols) << k.log2_ctb, k.log2_ctb, 0);
		/* end_of_slice_segment_flag; its flush ends in rbsp_stop_one_bit */
		kmscap_va_cabac_terminate(&k.cabac, i + 1 == sl->num_ctu_in_slice);
	}
	kmscap_va_bits_align_zero(b);
	free(k.depth);
}
