// SPDX-License-Identifier: MIT
/*
 * Host half of the end-to-end test: the files vm/stream_e2e.c left in
 * $KS_E2E_DIR (the VM's /out) are checked here.  Every decoded picture
 * names its frame number (e2e_pattern.h); it must equal the NV12 this
 * test computes from that frame's RGB (BT.709 limited range, +-1 for
 * rounding; the test driver codes losslessly), the numbers must increase,
 * and the helper's accounting must add up: encoded + skipped + repeated +
 * blank + dropped == frames flipped, and every frame read was released.
 * Without $KS_E2E_DIR (no VM run) the test is skipped.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_pattern.h"
#include "ks_test.h"

static int clampi(long v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : (int)v;
}

static void e2e_nv12(unsigned int n, uint8_t *out)
{
	const unsigned int w = KS_E2E_W, h = KS_E2E_H;
	unsigned int x, y, i;
	uint8_t r, g, b;

	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			ks_e2e_rgb(n, x, y, &r, &g, &b);
			out[y * w + x] = (uint8_t)clampi(
				lround(16 + 219 * (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255), 16,
				235);
		}
	}
	for (y = 0; y < h / 2; y++) {
		for (x = 0; x < w / 2; x++) {
			uint8_t *uv = out + w * h + y * w + 2 * x;
			double R = 0, G = 0, B = 0, yl;

			for (i = 0; i < 4; i++) {
				ks_e2e_rgb(n, 2 * x + i % 2, 2 * y + i / 2, &r, &g, &b);
				R += r / 4.0;
				G += g / 4.0;
				B += b / 4.0;
			}
			yl = 0.2126 * R + 0.7152 * G + 0.0722 * B;
			uv[0] = (uint8_t)clampi(lround(128 + 224 * (B - yl) / (1.8556 * 255)),
						16, 240);
			uv[1] = (uint8_t)clampi(lround(128 + 224 * (R - yl) / (1.5748 * 255)),
						16, 240);
		}
	}
}

/* The value of "key": in the last {"type":"summary"...} line of @log. */
static long long json_field(const char *log, const char *key)
{
	const char *line = strstr(log, "{\"type\":\"summary\"");
	char pat[64];
	const char *p;

	ck_assert_msg(line != NULL, "no summary line in the helper's log:\n%s", log);
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	ck_assert_msg(p != NULL, "no %s in the summary", key);
	return strtoll(p + strlen(pat), NULL, 10);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *d;
	long n;

	ck_assert_msg(fp != NULL, "%s is missing: the VM run did not produce it", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	d = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(fread(d, 1, (size_t)n, fp), (size_t)n);
	d[n] = '\0';
	fclose(fp);
	if (len)
		*len = (size_t)n;
	return d;
}

START_TEST(e2e_vm_stream)
{
	const char *dir = getenv("KS_E2E_DIR");
	const size_t fsize = KS_E2E_W * KS_E2E_H * 3 / 2;
	long long encoded, skipped, repeated, blank, dropped, frames_in, released;
	unsigned int flips = 0, status = 1, f, nframes, b, num;
	char path[600], cmd[1400], *txt, *log;
	uint8_t *dec, *want;
	int prev = -1;
	size_t len, i;

	if (!dir)
		ks_skip("no VM run (make -C tests/stream vm-check runs one)");
	snprintf(path, sizeof(path), "%s/e2e.txt", dir);
	txt = slurp(path, NULL);
	ck_assert_int_eq(sscanf(txt, "flips %u status %u", &flips, &status), 2);
	snprintf(path, sizeof(path), "%s/stream.log", dir);
	log = slurp(path, NULL);
	ck_assert_msg(status == 0, "kmscap-stream exited with %u:\n%s", status, log);
	encoded = json_field(log, "encoded");
	skipped = json_field(log, "skipped");
	repeated = json_field(log, "repeated");
	blank = json_field(log, "blank");
	dropped = json_field(log, "dropped");
	frames_in = json_field(log, "frames_in");
	released = json_field(log, "released");
	ck_assert_int_eq(encoded + skipped + repeated + blank + dropped, flips);
	ck_assert_int_eq(released, frames_in);
	ck_assert_int_gt(encoded, 0);

	snprintf(cmd, sizeof(cmd),
		 "ffmpeg -nostdin -v error -y -i '%s/e2e.h264' -f rawvideo -pix_fmt nv12 '%s/e2e.nv12'",
		 dir, dir);
	ck_assert_msg(system(cmd) == 0, "ffmpeg could not decode %s/e2e.h264", dir);
	snprintf(path, sizeof(path), "%s/e2e.nv12", dir);
	dec = (uint8_t *)slurp(path, &len);
	ck_assert_uint_eq(len % fsize, 0);
	nframes = (unsigned int)(len / fsize);
	ck_assert_uint_eq(nframes, encoded + repeated);
	want = malloc(fsize);
	ck_assert_ptr_nonnull(want);
	for (f = 0; f < nframes; f++) {
		const uint8_t *y = dec + f * fsize;

		for (num = 0, b = 0; b < KS_E2E_BITS; b++)
			num |= (y[8 * KS_E2E_W + 16 * b + 8] > 128) << b;
		ck_assert_msg((int)num > prev || (repeated && (int)num == prev),
			      "picture %u is frame %u after frame %d", f, num, prev);
		ck_assert_uint_lt(num, flips);
		prev = (int)num;
		e2e_nv12(num, want);
		for (i = 0; i < fsize; i++)
			ck_assert_msg(abs((int)y[i] - (int)want[i]) <= 1,
				      "picture %u (frame %u): byte %zu is %u, expected %u", f, num,
				      i, y[i], want[i]);
	}
	free(want);
	free(dec);
	free(txt);
	free(log);
}
END_TEST

Suite *ks_suite_e2e(void)
{
	Suite *s = suite_create("e2e");

	KS_ADD_T(s, e2e_vm_stream, 300);
	return s;
}
