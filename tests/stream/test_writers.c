// SPDX-License-Identifier: MIT
/*
 * The Annex B access unit builder and parser, and the IVF writer, checked
 * byte for byte against values computed here.
 */
#include <errno.h>
#include <string.h>

#include "ks_test.h"

START_TEST(annexb_aud)
{
	static const uint8_t want[] = { 0, 0, 0, 1, 0x09, 0xf0 };
	struct ks_buf b = { 0 };

	ck_assert_int_eq(ks_annexb_aud_h264(&b), 0);
	ck_assert_uint_eq(b.len, sizeof(want));
	ck_assert_mem_eq(b.data, want, sizeof(want));
	ks_buf_free(&b);
}
END_TEST

START_TEST(annexb_build_and_parse)
{
	static const uint8_t sps[] = { 0x67, 0x42, 0xc0, 0x1e, 0x95 };
	static const uint8_t pps[] = { 0x68, 0xce, 0x3c, 0x80 };
	/* "coded buffer" data as a driver returns it: 3-byte start code, trailing zero */
	static const uint8_t slice[] = { 0, 0, 1, 0x65, 0x88, 0x84, 0x00, 0x03, 0x01, 0x00 };
	struct ks_buf b = { 0 };
	struct ks_nal nal;
	size_t pos = 0, want_len;
	uint8_t want[64];
	unsigned int types[8], n = 0;
	int ret;

	ck_assert_int_eq(ks_annexb_aud_h264(&b), 0);
	ck_assert_int_eq(ks_annexb_append_nal(&b, sps, sizeof(sps)), 0);
	ck_assert_int_eq(ks_annexb_append_nal(&b, pps, sizeof(pps)), 0);
	ck_assert_int_eq(ks_annexb_append_stream(&b, slice, sizeof(slice)), 0);

	/* the expected unit, put together independently */
	want_len = 0;
	memcpy(want + want_len, "\0\0\0\1\x09\xf0", 6);
	want_len += 6;
	memcpy(want + want_len, "\0\0\0\1", 4);
	want_len += 4;
	memcpy(want + want_len, sps, sizeof(sps));
	want_len += sizeof(sps);
	memcpy(want + want_len, "\0\0\0\1", 4);
	want_len += 4;
	memcpy(want + want_len, pps, sizeof(pps));
	want_len += sizeof(pps);
	memcpy(want + want_len, slice, sizeof(slice));
	want_len += sizeof(slice);
	ck_assert_uint_eq(b.len, want_len);
	ck_assert_mem_eq(b.data, want, want_len);

	while ((ret = ks_annexb_next(b.data, b.len, &pos, &nal)) == 1) {
		ck_assert_uint_lt(n, 8);
		types[n++] = ks_h264_nal_type(&nal);
		if (types[n - 1] == 7) {
			ck_assert_uint_eq(nal.len, sizeof(sps));
			ck_assert_mem_eq(nal.data, sps, sizeof(sps));
		}
		if (types[n - 1] == 5) {
			/* the emulation prevention byte stays, the trailing zero goes */
			ck_assert_uint_eq(nal.len, 6);
			ck_assert_uint_eq(nal.sc_len, 3);
			ck_assert_mem_eq(nal.data, slice + 3, 6);
		}
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(types[0], 9);
	ck_assert_uint_eq(types[1], 7);
	ck_assert_uint_eq(types[2], 8);
	ck_assert_uint_eq(types[3], 5);
	ks_buf_free(&b);
}
END_TEST

START_TEST(annexb_rejects)
{
	static const uint8_t no_sc[] = { 0x65, 0x88, 0x84 };
	static const uint8_t two_zero[] = { 0, 0, 0x65 };
	struct ks_buf b = { 0 };
	struct ks_nal nal;
	size_t pos = 0;

	ck_assert_int_eq(ks_annexb_append_stream(&b, no_sc, sizeof(no_sc)), -EBADMSG);
	ck_assert_int_eq(ks_annexb_append_stream(&b, two_zero, sizeof(two_zero)), -EBADMSG);
	ck_assert_int_eq(ks_annexb_append_stream(&b, NULL, 3), -EINVAL);
	ck_assert_int_eq(ks_annexb_append_nal(&b, no_sc, 0), -EINVAL);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(ks_annexb_next(no_sc, sizeof(no_sc), &pos, &nal), -EBADMSG);
	ks_buf_free(&b);
}
END_TEST

/* Many random NALs: build, parse back, compare every one. */
START_TEST(annexb_random_roundtrip)
{
	uint64_t rng = 0x1234567 + (uint64_t)_i;
	static uint8_t nals[40][300];
	size_t lens[40], i, j, pos = 0, count = 0;
	struct ks_buf b = { 0 };
	struct ks_nal nal;

	for (i = 0; i < 40; i++) {
		lens[i] = 1 + ks_rand(&rng) % 299;
		for (j = 0; j < lens[i]; j++) {
			/* escaped payload: never 00 00 0x (x <= 3), never ends in 00 */
			uint8_t v = (uint8_t)ks_rand(&rng);

			if (j >= 2 && !nals[i][j - 1] && !nals[i][j - 2] && v <= 3)
				v = 3 + (v & 1) * 0x80 + 1;
			nals[i][j] = v;
		}
		if (!nals[i][lens[i] - 1])
			nals[i][lens[i] - 1] = 0x80;
		ck_assert_int_eq(ks_annexb_append_nal(&b, nals[i], lens[i]), 0);
	}
	while (ks_annexb_next(b.data, b.len, &pos, &nal) == 1) {
		ck_assert_uint_lt(count, 40);
		ck_assert_uint_eq(nal.len, lens[count]);
		ck_assert_mem_eq(nal.data, nals[count], lens[count]);
		count++;
	}
	ck_assert_uint_eq(count, 40);
	ks_buf_free(&b);
}
END_TEST

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

START_TEST(ivf_header_bytes)
{
	uint8_t h[KS_IVF_HEADER_SIZE], want[KS_IVF_HEADER_SIZE];
	const uint16_t w = 1920, ht = 1080;
	const uint32_t rate = 60000, scale = 1001, frames = 0x01020304;

	ks_ivf_header(h, KS_IVF_FOURCC_AV1, w, ht, rate, scale, frames);
	memset(want, 0, sizeof(want));
	memcpy(want, "DKIF", 4);
	want[6] = 32;
	memcpy(want + 8, "AV01", 4);
	want[12] = w & 0xff;
	want[13] = w >> 8;
	want[14] = ht & 0xff;
	want[15] = ht >> 8;
	want[16] = rate & 0xff;
	want[17] = (rate >> 8) & 0xff;
	want[18] = (rate >> 16) & 0xff;
	want[20] = scale & 0xff;
	want[21] = scale >> 8;
	want[24] = 4;
	want[25] = 3;
	want[26] = 2;
	want[27] = 1;
	ck_assert_mem_eq(h, want, sizeof(want));
	ck_assert_uint_eq(rd32(h + 8), KS_IVF_FOURCC_AV1);
}
END_TEST

START_TEST(ivf_frames_bytes)
{
	static const uint8_t f1[] = { 0x12, 0x00, 0x0a, 0x0b };
	static const uint8_t f2[] = { 0x32, 0x10 };
	const uint64_t pts2 = 0x1122334455667788ull;
	struct ks_buf b = { 0 };
	uint8_t want[64];
	size_t n = 0;
	int k;

	ck_assert_int_eq(ks_ivf_append_frame(&b, f1, sizeof(f1), 0), 0);
	ck_assert_int_eq(ks_ivf_append_frame(&b, f2, sizeof(f2), pts2), 0);
	/* frame 1: size 4, pts 0 */
	want[n++] = sizeof(f1);
	memset(want + n, 0, 11);
	n += 11;
	memcpy(want + n, f1, sizeof(f1));
	n += sizeof(f1);
	/* frame 2: size 2, pts little endian */
	want[n++] = sizeof(f2);
	memset(want + n, 0, 3);
	n += 3;
	for (k = 0; k < 8; k++)
		want[n++] = (uint8_t)(pts2 >> (8 * k));
	memcpy(want + n, f2, sizeof(f2));
	n += sizeof(f2);
	ck_assert_uint_eq(b.len, n);
	ck_assert_mem_eq(b.data, want, n);
	ck_assert_int_eq(ks_ivf_append_frame(&b, f1, 0, 0), -EINVAL);
	ck_assert_uint_eq(b.len, n);
	ks_buf_free(&b);
}
END_TEST

START_TEST(buf_growth)
{
	struct ks_buf b = { 0 };
	uint8_t chunk[1000];
	size_t i;

	for (i = 0; i < sizeof(chunk); i++)
		chunk[i] = (uint8_t)(i * 7);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(ks_buf_append(&b, chunk, sizeof(chunk)), 0);
	ck_assert_uint_eq(b.len, 100 * sizeof(chunk));
	ck_assert_uint_ge(b.cap, b.len);
	for (i = 0; i < 100; i++)
		ck_assert_mem_eq(b.data + i * sizeof(chunk), chunk, sizeof(chunk));
	ks_buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ks_buf_free(&b);
	ck_assert_ptr_null(b.data);
}
END_TEST

Suite *ks_suite_annexb(void)
{
	Suite *s = suite_create("annexb");
	TCase *tc;

	KS_ADD(s, annexb_aud);
	KS_ADD(s, annexb_build_and_parse);
	KS_ADD(s, annexb_rejects);
	tc = tcase_create("annexb_random_roundtrip");
	tcase_add_loop_test(tc, annexb_random_roundtrip, 0, 8);
	suite_add_tcase(s, tc);
	KS_ADD(s, buf_growth);
	return s;
}

Suite *ks_suite_ivf(void)
{
	Suite *s = suite_create("ivf");

	KS_ADD(s, ivf_header_bytes);
	KS_ADD(s, ivf_frames_bytes);
	return s;
}
