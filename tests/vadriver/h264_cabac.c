// SPDX-License-Identifier: MIT
/*
 * h264_cabac.c - CABAC slice data made of I_PCM macroblocks.
 *
 * Only a handful of syntax elements are coded arithmetically: mb_skip_flag
 * (always 0) and the mb_type prefix in P and B slices, the mb_type of an I_PCM
 * macroblock (its last bin is a terminate bin, after which the engine is
 * flushed), and end_of_slice_flag.  After the PCM samples the arithmetic
 * engine (not the context states) is initialised again.  Written from
 * ITU-T H.264 clause 9.3 (tables 9-12, 9-13 and 9-14; the engine is cabac.c).
 */
#include "kmscap_va.h"

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
