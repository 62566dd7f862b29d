// SPDX-License-Identifier: MIT
/*
 * h264_cabac.c - CABAC slice data made of I_PCM macroblocks.
 *
 * Only a handful of syntax elements are coded arithmetically: mb_skip_flag
 * (always 0) and the mb_type prefix in P and B slices, the mb_type of an I_PCM
 * macroblock (its last bin is a terminate bin, after which the engine is
 * flushed), and end_of_slice_flag.  After the PCM samples the arithmetic
 * engine (not the context states) is initialised again.  Written from
 * ITU-T H.264 clause 9.3 (tables 9-12, 9-13, 9-14, 9-44 and 9-45).
 */
#include "kmscap_va.h"

/* Table 9-44: rangeTabLPS[pStateIdx][qCodIRangeIdx] */
static const uint8_t kmscap_va_range_lps[64][4] = {
	{ 128, 176, 208, 240 }, { 128, 167, 197, 227 }, { 128, 158, 187, 216 },
	{ 123, 150, 178, 205 }, { 116, 142, 169, 195 }, { 111, 135, 160, 185 },
	{ 105, 128, 152, 175 }, { 100, 122, 144, 166 }, { 95, 116, 137, 158 },
	{ 90, 110, 130, 150 }, { 85, 104, 123, 142 }, { 81, 99, 117, 135 },
	{ 77, 94, 111, 128 }, { 73, 89, 105, 122 }, { 69, 85, 100, 116 },
	{ 66, 80, 95, 110 }, { 62, 76, 90, 104 }, { 59, 72, 86, 99 },
	{ 56, 69, 81, 94 }, { 53, 65, 77, 89 }, { 51, 62, 73, 85 },
	{ 48, 59, 69, 80 }, { 46, 56, 66, 76 }, { 43, 53, 63, 72 },
	{ 41, 50, 59, 69 }, { 39, 48, 56, 65 }, { 37, 45, 54, 62 },
	{ 35, 43, 51, 59 }, { 33, 41, 48, 56 }, { 32, 39, 46, 53 },
	{ 30, 37, 43, 50 }, { 29, 35, 41, 48 }, { 27, 33, 39, 45 },
	{ 26, 31, 37, 43 }, { 24, 30, 35, 41 }, { 23, 28, 33, 39 },
	{ 22, 27, 32, 37 }, { 21, 26, 30, 35 }, { 20, 24, 29, 33 },
	{ 19, 23, 27, 31 }, { 18, 22, 26, 30 }, { 17, 21, 25, 28 },
	{ 16, 20, 23, 27 }, { 15, 19, 22, 25 }, { 14, 18, 21, 24 },
	{ 14, 17, 20, 23 }, { 13, 16, 19, 22 }, { 12, 15, 18, 21 },
	{ 12, 14, 17, 20 }, { 11, 14, 16, 19 }, { 11, 13, 15, 18 },
	{ 10, 12, 15, 17 }, { 10, 12, 14, 16 }, { 9, 11, 13, 15 },
	{ 9, 11, 12, 14 }, { 8, 10, 12, 14 }, { 8, 9, 11, 13 },
	{ 7, 9, 11, 12 }, { 7, 9, 10, 12 }, { 7, 8, 10, 11 },
	{ 6, 8, 9, 11 }, { 6, 7, 9, 10 }, { 6, 7, 8, 9 },
	{ 2, 2, 2, 2 },
};

/* Table 9-45: transIdxLPS (transIdxMPS is min(pStateIdx + 1, 62)) */
static const uint8_t kmscap_va_trans_lps[64] = {
	0, 0, 1, 2, 2, 4, 4, 5, 6, 7, 8, 9, 9, 11, 11, 12,
	13, 13, 15, 15, 16, 16, 18, 18, 19, 19, 21, 21, 22, 22, 23, 24,
	24, 25, 26, 26, 27, 27, 28, 29, 29, 30, 30, 30, 31, 32, 32, 33,
	33, 33, 34, 34, 35, 35, 35, 36, 36, 36, 37, 37, 37, 38, 38, 63,
};

/* Table 9-12 (ctxIdx 0..10, all slice types): { m, n } */
static const int8_t kmscap_va_init_i[11][2] = {
	{ 20, -15 }, { 2, 54 }, { 3, 74 }, { 20, -15 }, { 2, 54 }, { 3, 74 },
	{ -28, 127 }, { -23, 104 }, { -6, 53 }, { -1, 54 }, { 7, 51 },
};

/* Table 9-13 (ctxIdx 11..23, P/SP/B slices) per cabac_init_idc: { m, n } */
static const int8_t kmscap_va_init_p[3][13][2] = {
	{ { 23, 33 }, { 23, 2 }, { 21, 0 }, { 1, 9 }, { 0, 49 }, { -37, 118 }, { 5, 57 },
	  { -13, 78 }, { -11, 65 }, { 1, 62 }, { 12, 49 }, { -4, 73 }, { 17, 50 } },
	{ { 22, 25 }, { 34, 0 }, { 16, 0 }, { -2, 9 }, { 4, 41 }, { -29, 118 }, { 2, 65 },
	  { -6, 71 }, { -13, 79 }, { 5, 52 }, { 9, 50 }, { -3, 70 }, { 10, 54 } },
	{ { 29, 16 }, { 25, 0 }, { 14, 0 }, { -10, 51 }, { -3, 62 }, { -27, 99 }, { 26, 16 },
	  { -4, 85 }, { -24, 102 }, { 5, 57 }, { 6, 57 }, { -17, 73 }, { 14, 57 } },
};

/* Table 9-14 (ctxIdx 24..39, P/SP/B slices) per cabac_init_idc: { m, n } */
static const int8_t kmscap_va_init_b[3][16][2] = {
	{ { 18, 64 }, { 9, 43 }, { 29, 0 }, { 26, 67 }, { 16, 90 }, { 9, 104 },
	  { -46, 127 }, { -20, 104 }, { 1, 67 }, { -13, 78 }, { -11, 65 }, { 1, 62 },
	  { -6, 86 }, { -17, 95 }, { -6, 61 }, { 9, 45 } },
	{ { 26, 34 }, { 19, 22 }, { 40, 0 }, { 57, 2 }, { 41, 36 }, { 26, 69 },
	  { -45, 127 }, { -15, 101 }, { -4, 76 }, { -6, 71 }, { -13, 79 }, { 5, 52 },
	  { 6, 69 }, { -13, 90 }, { 0, 52 }, { 8, 43 } },
	{ { 20, 40 }, { 20, 10 }, { 29, 0 }, { 54, 0 }, { 37, 42 }, { 12, 97 },
	  { -32, 127 }, { -22, 117 }, { -2, 74 }, { -4, 85 }, { -24, 102 }, { 5, 57 },
	  { -6, 93 }, { -14, 88 }, { -6, 44 }, { 4, 55 } },
};

#define KMSCAP_VA_CTX_MB_TYPE_I		3	/* + 0..2 */
#define KMSCAP_VA_CTX_SKIP_P		11	/* + 0..2 */
#define KMSCAP_VA_CTX_MB_TYPE_P		14
#define KMSCAP_VA_CTX_MB_TYPE_P_INTRA	17
#define KMSCAP_VA_CTX_SKIP_B		24	/* + 0..2 */
#define KMSCAP_VA_CTX_MB_TYPE_B		27	/* + 0..8 */
#define KMSCAP_VA_CTX_MB_TYPE_B_INTRA	32
#define KMSCAP_VA_NUM_CTX		40

struct kmscap_va_cabac {
	struct kmscap_va_bits *b;
	uint32_t low, range;
	unsigned int outstanding;
	bool first;
	uint8_t state[KMSCAP_VA_NUM_CTX];
	uint8_t mps[KMSCAP_VA_NUM_CTX];
};

static int kmscap_va_clip(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void kmscap_va_cabac_init_ctx(struct kmscap_va_cabac *c, int ctx, int m, int n, int qp)
{
	int pre = kmscap_va_clip(((m * kmscap_va_clip(qp, 0, 51)) >> 4) + n, 1, 126);

	if (pre <= 63) {
		c->state[ctx] = 63 - pre;
		c->mps[ctx] = 0;
	} else {
		c->state[ctx] = pre - 64;
		c->mps[ctx] = 1;
	}
}

static void kmscap_va_cabac_init_engine(struct kmscap_va_cabac *c)
{
	c->low = 0;
	c->range = 510;
	c->outstanding = 0;
	c->first = true;
}

static void kmscap_va_cabac_put(struct kmscap_va_cabac *c, unsigned int bit)
{
	if (c->first)
		c->first = false;
	else
		kmscap_va_bits_put(c->b, 1, bit);
	for (; c->outstanding; c->outstanding--)
		kmscap_va_bits_put(c->b, 1, !bit);
}

static void kmscap_va_cabac_renorm(struct kmscap_va_cabac *c)
{
	while (c->range < 256) {
		if (c->low < 256) {
			kmscap_va_cabac_put(c, 0);
		} else if (c->low >= 512) {
			c->low -= 512;
			kmscap_va_cabac_put(c, 1);
		} else {
			c->low -= 256;
			c->outstanding++;
		}
		c->range <<= 1;
		c->low <<= 1;
	}
}

static void kmscap_va_cabac_decision(struct kmscap_va_cabac *c, int ctx, unsigned int bin)
{
	unsigned int lps = kmscap_va_range_lps[c->state[ctx]][(c->range >> 6) & 3];

	c->range -= lps;
	if (bin != c->mps[ctx]) {
		c->low += c->range;
		c->range = lps;
		if (!c->state[ctx])
			c->mps[ctx] = !c->mps[ctx];
		c->state[ctx] = kmscap_va_trans_lps[c->state[ctx]];
	} else if (c->state[ctx] < 62) {
		c->state[ctx]++;
	}
	kmscap_va_cabac_renorm(c);
}

static void kmscap_va_cabac_terminate(struct kmscap_va_cabac *c, unsigned int bin)
{
	c->range -= 2;
	if (!bin) {
		kmscap_va_cabac_renorm(c);
		return;
	}
	/* EncodeFlush: the last bit written is 1 (rbsp_stop_one_bit at slice end) */
	c->low += c->range;
	c->range = 2;
	kmscap_va_cabac_renorm(c);
	kmscap_va_cabac_put(c, (c->low >> 9) & 1);
	kmscap_va_bits_put(c->b, 2, ((c->low >> 7) & 3) | 1);
}

void kmscap_va_h264_write_pcm_mbs_cabac(struct kmscap_va_bits *b,
					const struct kmscap_va_surface *s,
					const VAEncSequenceParameterBufferH264 *seq,
					const VAEncPictureParameterBufferH264 *pic,
					const VAEncSliceParameterBufferH264 *slice)
{
	bool is_p = slice->slice_type % 5 == 0, is_b = slice->slice_type % 5 == 1;
	int qp = pic->pic_init_qp + slice->slice_qp_delta;
	unsigned int w = seq->picture_width_in_mbs, first = slice->macroblock_address;
	struct kmscap_va_cabac c = { .b = b };
	unsigned int i;
	int k;

	while (b->bitpos & 7)
		kmscap_va_bits_put(b, 1, 1);	/* cabac_alignment_one_bit */
	for (k = 0; k < 11; k++)
		kmscap_va_cabac_init_ctx(&c, k, kmscap_va_init_i[k][0], kmscap_va_init_i[k][1], qp);
	for (k = 0; (is_p || is_b) && k < 13; k++)
		kmscap_va_cabac_init_ctx(&c, 11 + k, kmscap_va_init_p[slice->cabac_init_idc][k][0],
					 kmscap_va_init_p[slice->cabac_init_idc][k][1], qp);
	for (k = 0; (is_p || is_b) && k < 16; k++)
		kmscap_va_cabac_init_ctx(&c, 24 + k, kmscap_va_init_b[slice->cabac_init_idc][k][0],
					 kmscap_va_init_b[slice->cabac_init_idc][k][1], qp);
	kmscap_va_cabac_init_engine(&c);

	for (i = 0; i < slice->num_macroblocks; i++) {
		unsigned int mb = first + i;
		/* neighbours in this slice; all are I_PCM and never skipped */
		int inc = (mb % w && mb - 1 >= first) + (mb >= w && mb - w >= first);

		if (is_p) {
			kmscap_va_cabac_decision(&c, KMSCAP_VA_CTX_SKIP_P + inc, 0);
			kmscap_va_cabac_decision(&c, KMSCAP_VA_CTX_MB_TYPE_P, 1);	/* intra */
			kmscap_va_cabac_decision(&c, KMSCAP_VA_CTX_MB_TYPE_P_INTRA, 1);
		} else if (is_b) {
			/* mb_type prefix 111101 (intra), neighbours are not direct */
			kmscap_va_cabac_decision(&c, KMSCAP_VA_CTX_SKIP_B + inc, 0);
			kmscap_va_cabac_decision(&c, KMSCAP_VA_CTX_MB_TYPE_B + inc, 1);
			kmscap_va_cabac_decision(&c, KMSCAP_VA_CTX_MB_TYPE_B + 3, 1);
			kmscap_va_cabac_decision(&c, KMSCAP_VA_CTX_MB_TYPE_B + 4, 1);
			kmscap_va_cabac_decision(&c, KMSCAP_VA_CTX_MB_TYPE_B + 5, 1);
			kmscap_va_cabac_decision(&c, KMSCAP_VA_CTX_MB_TYPE_B + 5, 0);
			kmscap_va_cabac_decision(&c, KMSCAP_VA_CTX_MB_TYPE_B + 5, 1);
			kmscap_va_cabac_decision(&c, KMSCAP_VA_CTX_MB_TYPE_B_INTRA, 1);
		} else {
			kmscap_va_cabac_decision(&c, KMSCAP_VA_CTX_MB_TYPE_I + inc, 1);
		}
		kmscap_va_cabac_terminate(&c, 1);	/* I_PCM */
		kmscap_va_h264_write_pcm_samples(b, s, mb % w, mb / w);
		kmscap_va_cabac_init_engine(&c);
		kmscap_va_cabac_terminate(&c, i + 1 == slice->num_macroblocks);
	}
	kmscap_va_bits_align_zero(b);
}
