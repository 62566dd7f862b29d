// SPDX-License-Identifier: MIT
/*
 * rbits.c - the bit reader over an RBSP (emulation prevention removed) with
 * which the encoders read the parameter sets a caller packs.  A read past
 * the end, or an Exp-Golomb code longer than 32 bits, sets err and reads 0.
 */
#include "kmscap_va.h"

uint32_t kmscap_va_rbits_u(struct kmscap_va_rbits *r, unsigned int n)
{
	uint32_t v = 0;

	while (n--) {
		if (r->pos >= 8 * r->len) {
			r->err = true;
			return 0;
		}
		v = v << 1 | ((r->p[r->pos >> 3] >> (7 - (r->pos & 7))) & 1);
		r->pos++;
	}
	return v;
}

uint32_t kmscap_va_rbits_ue(struct kmscap_va_rbits *r)
{
	unsigned int zeros = 0;

	while (!kmscap_va_rbits_u(r, 1)) {
		if (r->err || ++zeros > 31) {
			r->err = true;
			return 0;
		}
	}
	return ((1u << zeros) - 1) + kmscap_va_rbits_u(r, zeros);
}

int32_t kmscap_va_rbits_se(struct kmscap_va_rbits *r)
{
	uint32_t v = kmscap_va_rbits_ue(r);

	return v & 1 ? (int32_t)((v + 1) / 2) : -(int32_t)(v / 2);
}

/* rbsp_trailing_bits(): a one, zeros to the byte boundary, and nothing after. */
bool kmscap_va_rbits_trailing(struct kmscap_va_rbits *r)
{
	if (kmscap_va_rbits_u(r, 1) != 1)
		return false;
	while (r->pos % 8)
		if (kmscap_va_rbits_u(r, 1))
			return false;
	return !r->err && r->pos == 8 * r->len;
}
