// SPDX-License-Identifier: MIT
/*
 * cabac.c - the binary arithmetic encoder that H.264 (clause 9.3) and HEVC
 * (clause 9.3) share: context initialisation from (m, n) and the slice QP,
 * regular (decision) and terminate bins, renormalisation with outstanding
 * bits, and the flush that ends with a 1 bit.  The codecs' files choose
 * the contexts (h264_cabac.c, hevc_cabac.c).
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

static int kmscap_va_clip(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void kmscap_va_cabac_init_ctx(struct kmscap_va_cabac *c, int ctx, int m, int n, int qp)
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

void kmscap_va_cabac_init_engine(struct kmscap_va_cabac *c)
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

void kmscap_va_cabac_decision(struct kmscap_va_cabac *c, int ctx, unsigned int bin)
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

void kmscap_va_cabac_terminate(struct kmscap_va_cabac *c, unsigned int bin)
{
	c->range -= 2;
	if (!bin) {
		kmscap_va_cabac_renorm(c);
		return;
	}
	/* EncodeFlush: the last bit written is 1 (the stop bit at the slice end) */
	c->low += c->range;
	c->range = 2;
	kmscap_va_cabac_renorm(c);
	kmscap_va_cabac_put(c, (c->low >> 9) & 1);
	kmscap_va_bits_put(c->b, 2, ((c->low >> 7) & 3) | 1);
}
