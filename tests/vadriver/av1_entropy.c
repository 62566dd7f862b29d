// SPDX-License-Identifier: MIT
/*
 * av1_entropy.c - the AV1 symbol encoder: the inverse of the symbol decoder
 * of the AV1 specification (section "Parsing process for symbol decoder").
 *
 * The decoder keeps SymbolValue = (top of the interval) - (code value), so
 * decoding symbol s out of [cur(s), prev(s)) corresponds, on the encoder
 * side, to moving the interval base up by range - prev(s) and setting the
 * range to prev(s) - cur(s).  The base is kept exactly: its high bits are
 * written to buf as they become final, carries are propagated into buf.
 */
#include <stdlib.h>
#include <string.h>

#include "av1_priv.h"

#define KMSCAP_AV1_EC_PROB_SHIFT	6
#define KMSCAP_AV1_EC_MIN_PROB		4

void kmscap_av1_ec_init(struct kmscap_av1_ec *e, bool adapt)
{
	memset(e, 0, sizeof(*e));
	e->adapt = adapt;
	e->rng = 1u << 15;
	e->bits = 15;	/* the decoder's first window is 15 bits */
}

void kmscap_av1_ec_free(struct kmscap_av1_ec *e)
{
	free(e->buf);
	e->buf = NULL;
	e->len = e->cap = 0;
}

static void kmscap_av1_ec_byte(struct kmscap_av1_ec *e, uint8_t v)
{
	if (e->oom)
		return;
	if (e->len == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 4096;
		uint8_t *nb = realloc(e->buf, cap);

		if (!nb) {
			e->oom = true;
			return;
		}
		e->buf = nb;
		e->cap = cap;
	}
	e->buf[e->len++] = v;
}

/* Move a carry out of low into the bytes already written. */
static void kmscap_av1_ec_carry(struct kmscap_av1_ec *e)
{
	size_t i;

	if (!(e->low >> e->bits))
		return;
	e->low &= (1ull << e->bits) - 1;
	for (i = e->len; i-- > 0;) {
		if (++e->buf[i])
			break;
	}
}

static void kmscap_av1_ec_renorm(struct kmscap_av1_ec *e)
{
	/* 15 - FloorLog2(rng): rng is 1..65535 here */
	unsigned int d = (unsigned int)__builtin_clz(e->rng) - 16;

	e->rng <<= d;
	e->low <<= d;
	e->bits += d;
	while (e->bits >= 24) {
		kmscap_av1_ec_byte(e, (uint8_t)(e->low >> (e->bits - 8)));
		e->bits -= 8;
		e->low &= (1ull << e->bits) - 1;
	}
}

/* The decoder's cur for symbol s of an n-symbol cdf at range r. */
static uint32_t kmscap_av1_ec_cur(uint32_t r, const uint16_t *cdf, unsigned int n, unsigned int s)
{
	uint32_t f = (1u << 15) - cdf[s];

	return (((r >> 8) * (f >> KMSCAP_AV1_EC_PROB_SHIFT)) >> (7 - KMSCAP_AV1_EC_PROB_SHIFT)) +
	       KMSCAP_AV1_EC_MIN_PROB * (n - s - 1);
}

static void kmscap_av1_ec_adapt(uint16_t *cdf, unsigned int n, unsigned int sym)
{
	unsigned int rate, i, log2n = 0;
	uint32_t tmp = 0;

	while ((2u << log2n) <= n)
		log2n++;
	rate = 3 + (cdf[n] > 15) + (cdf[n] > 31) + (log2n < 2 ? log2n : 2);
	for (i = 0; i + 1 < n; i++) {
		if (i == sym)
			tmp = 1u << 15;
		if (tmp < cdf[i])
			cdf[i] -= (cdf[i] - tmp) >> rate;
		else
			cdf[i] += (tmp - cdf[i]) >> rate;
	}
	cdf[n] += cdf[n] < 32;
}

static void kmscap_av1_ec_encode(struct kmscap_av1_ec *e, const uint16_t *cdf, unsigned int n,
				 unsigned int sym)
{
	uint32_t r = e->rng;
	uint32_t prev = sym ? kmscap_av1_ec_cur(r, cdf, n, sym - 1) : r;
	uint32_t cur = kmscap_av1_ec_cur(r, cdf, n, sym);

	e->low += r - prev;
	e->rng = prev - cur;
	kmscap_av1_ec_carry(e);
	kmscap_av1_ec_renorm(e);
}

void kmscap_av1_ec_symbol(struct kmscap_av1_ec *e, uint16_t *cdf, unsigned int n,
			  unsigned int sym)
{
	kmscap_av1_ec_encode(e, cdf, n, sym);
	if (e->adapt)
		kmscap_av1_ec_adapt(cdf, n, sym);
}

void kmscap_av1_ec_literal(struct kmscap_av1_ec *e, unsigned int nbits, uint32_t value)
{
	static const uint16_t half[3] = { 1u << 14, 1u << 15, 0 };

	while (nbits--)
		kmscap_av1_ec_encode(e, half, 2, (value >> nbits) & 1);
}

/*
 * exit_symbol() wants, at bit position D (the number of bits the decoder
 * shifted in after its first 15), a 1 followed by zeros up to the end of
 * the tile.  The code value P * 2^15 + 2^14 (P the D-bit prefix) must lie
 * in [low, low + rng): the smallest such P works since rng >= 2^15.
 */
bool kmscap_av1_ec_finish(struct kmscap_av1_ec *e)
{
	uint64_t v = ((e->low + 0x3fff) >> 15 << 15) | 0x4000;
	unsigned int nbits, nbytes, i;

	e->low = v;
	kmscap_av1_ec_carry(e);
	v = e->low >> 14;
	nbits = e->bits - 14;
	nbytes = (nbits + 7) / 8;
	v <<= nbytes * 8 - nbits;
	for (i = nbytes; i-- > 0;)
		kmscap_av1_ec_byte(e, (uint8_t)(v >> (8 * i)));
	return !e->oom;
}
