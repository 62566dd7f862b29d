// SPDX-License-Identifier: MIT
/*
 * test_packed_h264.c - H.264 parameter sets packed by the caller are taken
 * as real drivers take them, and read as a decoder reads them:
 *  - escaped data (has_emulation_bytes = 1) is split at its start codes
 *    and written as it is;
 *  - unescaped data is one NAL unit, escaped by the driver, even where
 *    its bits hold 00 00 01 (num_units_in_tick = 1 does);
 *  - an SPS or PPS that would not parse, or that describes another
 *    stream than the parameters, is refused at vaEndPicture.
 * The reference SPS and PPS are the ones the driver writes itself for the
 * same parameters (a first IDR without packed headers).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "va_test.h"

#define PK_SEQ_PIC (VA_ENC_PACKED_HEADER_SEQUENCE | VA_ENC_PACKED_HEADER_PICTURE)

struct pk_nal {
	uint8_t data[256];
	size_t len;
};

/* The first NAL unit of @type in Annex B @s (without its start code). */
static bool pk_find(const uint8_t *s, size_t n, unsigned int type, struct pk_nal *out)
{
	size_t i = 0, start, end;

	while (i + 3 <= n) {
		if (s[i] || s[i + 1] || s[i + 2] != 1) {
			i++;
			continue;
		}
		start = i + 3;
		end = start;
		while (end + 3 <= n && !(!s[end] && !s[end + 1] && s[end + 2] <= 1))
			end++;
		if (end + 3 > n)
			end = n;
		if (start < end && (s[start] & 0x1f) == type) {
			ck_assert_uint_le(end - start, sizeof(out->data));
			memcpy(out->data, s + start, end - start);
			out->len = end - start;
			return true;
		}
		i = end;
	}
	return false;
}

/* A session whose IDR the driver wrote with its own SPS and PPS. */
static void pk_open(struct kmscap_vat_enc *e, struct pk_nal *sps, struct pk_nal *pps)
{
	kmscap_vat_enc_open(e, VAProfileH264Main, 64, 32, PK_SEQ_PIC, 0);
	kmscap_vat_enc_defaults(e, true, 1);
	ck_assert_va_ok(kmscap_vat_enc_submit(e, true, NULL, 0));
	ck_assert(pk_find(e->out, e->out_len, 7, sps));
	ck_assert(pk_find(e->out, e->out_len, 8, pps));
	e->out_len = 0;
	kmscap_vat_enc_defaults(e, true, 1);
}

/* Submits an IDR with one packed header: start code + @len bytes of @data. */
static VAStatus pk_submit(struct kmscap_vat_enc *e, VAEncPackedHeaderType type,
			  const uint8_t *data, size_t len, bool escaped)
{
	VAEncPackedHeaderParameterBuffer pp = {
		.type = type, .bit_length = (unsigned int)(8 * (len + 4)),
		.has_emulation_bytes = escaped,
	};
	uint8_t buf[300] = { 0, 0, 0, 1 };
	VABufferID ids[2];

	ck_assert_uint_le(len + 4, sizeof(buf));
	memcpy(buf + 4, data, len);
	ck_assert_va_ok(vaCreateBuffer(e->t.dpy, e->context, VAEncPackedHeaderParameterBufferType,
				       sizeof(pp), 1, &pp, &ids[0]));
	ck_assert_va_ok(vaCreateBuffer(e->t.dpy, e->context, VAEncPackedHeaderDataBufferType,
				       (unsigned int)(len + 4), 1, buf, &ids[1]));
	return kmscap_vat_enc_submit(e, true, ids, 2);
}

/* The RBSP of NAL @n (emulation prevention bytes removed). */
static size_t pk_unescape(const struct pk_nal *n, uint8_t *out)
{
	size_t i, o = 0, zeros = 0;

	for (i = 0; i < n->len; i++) {
		if (zeros >= 2 && n->data[i] == 3) {
			zeros = 0;
			continue;
		}
		out[o++] = n->data[i];
		zeros = n->data[i] ? 0 : zeros + 1;
	}
	return o;
}

START_TEST(packed_sps_escaped_written_as_is)
{
	struct pk_nal sps, pps, got;
	struct kmscap_vat_enc e;

	pk_open(&e, &sps, &pps);
	ck_assert_va_ok(pk_submit(&e, VAEncPackedHeaderSequence, sps.data, sps.len, true));
	ck_assert(pk_find(e.out, e.out_len, 7, &got));
	ck_assert_uint_eq(got.len, sps.len);
	ck_assert_mem_eq(got.data, sps.data, sps.len);
	kmscap_vat_enc_close(&e);
}
END_TEST

START_TEST(packed_sps_unescaped_is_one_nal)
{
	struct pk_nal sps, pps, got;
	struct kmscap_vat_enc e;
	uint8_t rbsp[256];
	size_t n, i;
	bool sc = false;

	pk_open(&e, &sps, &pps);
	n = pk_unescape(&sps, rbsp);
	/* num_units_in_tick = 1: the raw bits hold a start code */
	for (i = 0; i + 2 < n; i++)
		sc |= !rbsp[i] && !rbsp[i + 1] && rbsp[i + 2] == 1;
	ck_assert_msg(sc, "the reference SPS has no 00 00 01 in its RBSP: the test proves nothing");
	ck_assert_va_ok(pk_submit(&e, VAEncPackedHeaderSequence, rbsp, n, false));
	/* escaped by the driver: the very SPS it writes itself */
	ck_assert(pk_find(e.out, e.out_len, 7, &got));
	ck_assert_uint_eq(got.len, sps.len);
	ck_assert_mem_eq(got.data, sps.data, sps.len);
	kmscap_vat_enc_close(&e);
}
END_TEST

START_TEST(packed_sps_truncated)
{
	struct pk_nal sps, pps;
	struct kmscap_vat_enc e;

	pk_open(&e, &sps, &pps);
	ck_assert_va(pk_submit(&e, VAEncPackedHeaderSequence, sps.data, sps.len - 1, true),
		     VA_STATUS_ERROR_INVALID_PARAMETER);
	kmscap_vat_enc_close(&e);
}
END_TEST

START_TEST(packed_sps_other_level)
{
	struct pk_nal sps, pps;
	struct kmscap_vat_enc e;

	pk_open(&e, &sps, &pps);
	sps.data[3]++;		/* level_idc: NAL header, profile, constraints, level */
	ck_assert_va(pk_submit(&e, VAEncPackedHeaderSequence, sps.data, sps.len, true),
		     VA_STATUS_ERROR_INVALID_PARAMETER);
	kmscap_vat_enc_close(&e);
}
END_TEST

START_TEST(packed_pps)
{
	struct pk_nal sps, pps, got;
	struct kmscap_vat_enc e;

	pk_open(&e, &sps, &pps);
	ck_assert_va_ok(pk_submit(&e, VAEncPackedHeaderPicture, pps.data, pps.len, true));
	ck_assert(pk_find(e.out, e.out_len, 8, &got));
	ck_assert_mem_eq(got.data, pps.data, pps.len);
	kmscap_vat_enc_defaults(&e, true, 1);
	ck_assert_va(pk_submit(&e, VAEncPackedHeaderPicture, pps.data, pps.len - 1, true),
		     VA_STATUS_ERROR_INVALID_PARAMETER);
	kmscap_vat_enc_close(&e);
}
END_TEST

/* A packed header may not carry slices: they come from slice parameters. */
START_TEST(packed_slice_nal_refused)
{
	static const uint8_t idr_slice[] = { 0x65, 0x88, 0x84, 0x00, 0x10 };
	struct pk_nal sps, pps;
	struct kmscap_vat_enc e;

	pk_open(&e, &sps, &pps);
	ck_assert_va(pk_submit(&e, VAEncPackedHeaderSequence, idr_slice, sizeof(idr_slice), true),
		     VA_STATUS_ERROR_INVALID_PARAMETER);
	kmscap_vat_enc_close(&e);
}
END_TEST

Suite *kmscap_vat_suite_packed_h264(void)
{
	Suite *s = suite_create("packed_h264");
	TCase *tc = tcase_create("packed_h264");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, packed_sps_escaped_written_as_is);
	tcase_add_test(tc, packed_sps_unescaped_is_one_nal);
	tcase_add_test(tc, packed_sps_truncated);
	tcase_add_test(tc, packed_sps_other_level);
	tcase_add_test(tc, packed_pps);
	tcase_add_test(tc, packed_slice_nal_refused);
	suite_add_tcase(s, tc);
	return s;
}
