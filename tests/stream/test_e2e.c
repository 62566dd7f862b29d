// SPDX-License-Identifier: MIT
/*
 * Host half of the end-to-end tests: the files vm/stream_e2e.c left in
 * $KS_E2E_DIR (the VM's /out) are checked here.  Every decoded picture
 * names its frame number (e2e_pattern.h); it must equal the NV12 this
 * test computes from that frame's RGB (BT.709 limited range, +-1 for
 * rounding; the test driver codes losslessly) and the numbers must
 * increase.  The helper's accounting must add up: encoded + skipped +
 * repeated + blank + dropped == frames flipped, and every frame read was
 * released.  Without $KS_E2E_DIR (no VM run) the tests are skipped.
 * With --cursor composite, the expected picture has the cursor blended in
 * at that frame's position (e2e_blend_cursor()).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e_pattern.h"
#include "ks_test.h"
#include "libkmscap.h"

static int clampi(long v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : (int)v;
}

/* Picture @n of the pattern at @w x @h; @ten: as its 10-bit (XRGB2101010) values. */
struct e2e_pic {
	unsigned int n, w, h;
	bool ten;
};

static void e2e_rgb(const void *arg, unsigned int x, unsigned int y, double *r, double *g,
		    double *b)
{
	const struct e2e_pic *p = arg;
	uint8_t r8, g8, b8;

	ks_e2e_rgb(p->n, x, y, p->w, p->h, &r8, &g8, &b8);
	/* 8 to 10 bits as ks_e2e_xrgb30 widens them */
	*r = p->ten ? (r8 << 2 | r8 >> 6) : r8;
	*g = p->ten ? (g8 << 2 | g8 >> 6) : g8;
	*b = p->ten ? (b8 << 2 | b8 >> 6) : b8;
}

static void e2e_nv12(unsigned int n, unsigned int w, unsigned int h, uint8_t *out)
{
	const struct e2e_pic p = { n, w, h, false };

	ks_test_yuv420(e2e_rgb, &p, w, h, 255, false, out);
}

/* The XRGB2101010 pictures (ks_e2e_xrgb30) as 10-bit P010 samples (value << 6). */
static void e2e_p010(unsigned int n, unsigned int w, unsigned int h, uint16_t *out)
{
	const struct e2e_pic p = { n, w, h, true };

	ks_test_yuv420(e2e_rgb, &p, w, h, 1023, true, out);
}

static void spit(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

const char *e2e_dir(void)
{
	const char *dir = getenv("KS_E2E_DIR");
	char path[600], *why, *nl;

	if (!dir)
		ks_skip("no VM run (make -C tests/stream vm-check runs one)");
	/* the VM half could not run its scenarios and said why */
	snprintf(path, sizeof(path), "%s/skip.txt", dir);
	if (!access(path, R_OK)) {
		why = ks_test_read_file(path, NULL);
		nl = strchr(why, '\n');
		if (nl)
			*nl = '\0';
		ks_skip("%s", why);
	}
	return dir;
}

/* The value of "key" in the line of @log with "type" @type. */
long long json_line_field(const char *log, const char *type, const char *key)
{
	char pat[64];
	const char *line, *p;

	snprintf(pat, sizeof(pat), "{\"type\":\"%s\"", type);
	line = strstr(log, pat);
	ck_assert_msg(line != NULL, "no %s line in the helper's log:\n%s", type, log);
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	ck_assert_msg(p != NULL && p < line + strcspn(line, "\n"), "no %s in the %s line", key,
		      type);
	return strtoll(p + strlen(pat), NULL, 10);
}

static long long json_field(const char *log, const char *key)
{
	return json_line_field(log, "summary", key);
}

struct e2e_run {
	char dir[600];
	unsigned int flips, sw, status;
	char *log, *stream;
	size_t stream_len;
	long long encoded, skipped, repeated, blank, dropped, frames_in, released, modes;
	long long imports;	/* buffers exported and imported into VA-API */
	bool composite;		/* the frames carry the blended cursor */
	const char *ext;	/* h264, hevc, ivf */
	bool p010;		/* 10-bit pictures */
	unsigned long cursor_px;	/* pixels of cursor checked */
};

static void e2e_load_codec(struct e2e_run *r, const char *scenario, const char *ext)
{
	char path[700], *txt;

	memset(r, 0, sizeof(*r));
	r->ext = ext;
	snprintf(r->dir, sizeof(r->dir), "%s/%s", e2e_dir(), scenario);
	/* a codec the test driver does not offer: the helper said so */
	snprintf(path, sizeof(path), "%s/skip.txt", r->dir);
	if (!access(path, R_OK)) {
		snprintf(path, sizeof(path), "%s/stream.log", r->dir);
		txt = ks_test_read_file(path, NULL);
		txt[strcspn(txt, "\n")] = '\0';
		if (strstr(txt, "has no encode entrypoint"))
			ks_skip("%s", txt);
		ck_abort_msg("%s: the helper exited before attaching: %s", scenario, txt);
	}
	snprintf(path, sizeof(path), "%s/e2e.txt", r->dir);
	txt = ks_test_read_file(path, NULL);
	ck_assert_int_eq(sscanf(txt, "flips %u switch %u status %u", &r->flips, &r->sw,
				&r->status), 3);
	free(txt);
	snprintf(path, sizeof(path), "%s/stream.log", r->dir);
	r->log = ks_test_read_file(path, NULL);
	ck_assert_msg(r->status == 0, "kmscap-stream exited with %u:\n%s", r->status, r->log);
	r->encoded = json_field(r->log, "encoded");
	r->skipped = json_field(r->log, "skipped");
	r->repeated = json_field(r->log, "repeated");
	r->blank = json_field(r->log, "blank");
	r->dropped = json_field(r->log, "dropped");
	r->frames_in = json_field(r->log, "frames_in");
	r->released = json_field(r->log, "released");
	r->modes = json_field(r->log, "mode_changes");
	r->imports = json_field(r->log, "imports");
	ck_assert_int_eq(r->released, r->frames_in);
	ck_assert_int_gt(r->encoded, 0);
	/* nothing leaks: no frame held, no VA surface, no fd at exit */
	ck_assert_int_eq(json_line_field(r->log, "exit", "held"), 0);
	ck_assert_int_eq(json_line_field(r->log, "exit", "surfaces"), 0);
	ck_assert_int_eq(json_line_field(r->log, "exit", "fds"), 0);
	snprintf(path, sizeof(path), "%s/e2e.%s", r->dir, r->ext);
	r->stream = ks_test_read_file(path, &r->stream_len);
}

static void e2e_load(struct e2e_run *r, const char *scenario)
{
	e2e_load_codec(r, scenario, "h264");
}

static void e2e_free(struct e2e_run *r)
{
	free(r->log);
	free(r->stream);
}

/*
 * The cursor of frame @n (not on frame 0, the modeset without it; the
 * second image from half the flips on) blended into the expected NV12
 * @out: premultiplied alpha, in the output's colour space, computed here
 * in floating point from the pattern:
 *   Y = 16 A + 219 (Kr R + Kg G + Kb B) / 255 + (1 - A) Y_picture
 *   Cb, Cr likewise, from the mean over the 2x2 pixels of each sample.
 * Returns the number of pixels the cursor covers on the picture.
 */
static unsigned int e2e_blend_cursor(unsigned int n, unsigned int flips, unsigned int w,
				     unsigned int h, uint8_t *out)
{
	const double kr = 0.2126, kb = 0.0722, kg = 1 - kr - kb;
	unsigned int gen = n >= flips / 2, covered = 0, x, y, i, c;
	int cx, cy;

	if (!n)
		return 0;
	ks_e2e_cursor_pos(n, &cx, &cy);
	for (y = 0; y < h / 2; y++) {
		for (x = 0; x < w / 2; x++) {
			double sa = 0, sl[2] = { 0, 0 };
			uint8_t *uv = out + w * h + y * w + 2 * x;

			for (i = 0; i < 4; i++) {
				int px = (int)(2 * x + i % 2), py = (int)(2 * y + i / 2);
				uint8_t *yp = out + py * w + px;
				uint32_t v;
				double A, R, G, B, yl;

				if (px < cx || py < cy || px >= cx + KS_E2E_CUR ||
				    py >= cy + KS_E2E_CUR)
					continue;
				v = ks_e2e_cursor_px(gen, (unsigned int)(px - cx),
						     (unsigned int)(py - cy));
				A = (v >> 24) / 255.0;
				R = (v >> 16) & 255;
				G = (v >> 8) & 255;
				B = v & 255;
				yl = kr * R + kg * G + kb * B;
				*yp = (uint8_t)clampi(lround(16 * A + 219 * yl / 255 +
							     (1 - A) * *yp), 0, 255);
				sa += A;
				sl[0] += 224 * (B - yl) / (2 * (1 - kb) * 255);
				sl[1] += 224 * (R - yl) / (2 * (1 - kr) * 255);
				covered++;
			}
			for (c = 0; c < 2; c++)
				uv[c] = (uint8_t)clampi(lround((sa * 128 + sl[c] +
								(4 - sa) * uv[c]) / 4), 0, 255);
		}
	}
	return covered;
}

/*
 * Decode @len bytes of Annex B as @w x @h pictures; check each against
 * the frame it names, in [@lo, @hi), increasing from *@prev.  Returns the
 * number of pictures.
 */
static unsigned int e2e_check_part(struct e2e_run *r, const char *tag, const uint8_t *data,
				   size_t len, unsigned int w, unsigned int h, unsigned int lo,
				   unsigned int hi, int *prev)
{
	const size_t samples = (size_t)w * h * 3 / 2, fsize = samples * (r->p010 ? 2 : 1);
	const char *ext = r->ext ? r->ext : "h264";
	char in[700], out[700], cmd[1600];
	unsigned int f, n, b, num;
	uint8_t *dec, *want;
	size_t dlen, i;

	snprintf(in, sizeof(in), "%s/%s.%s", r->dir, tag, ext);
	snprintf(out, sizeof(out), "%s/%s.yuv", r->dir, tag);
	spit(in, data, len);
	snprintf(cmd, sizeof(cmd),
		 "ffmpeg -nostdin -v error -y %s -i '%s' -fps_mode passthrough -f rawvideo -pix_fmt %s '%s'",
		 !strcmp(ext, "ivf") ? "-c:v libdav1d" : "", in, r->p010 ? "p010le" : "nv12",
		 out);
	ck_assert_msg(system(cmd) == 0, "ffmpeg could not decode %s", in);
	dec = (uint8_t *)ks_test_read_file(out, &dlen);
	ck_assert_msg(dlen % fsize == 0, "%s: %zu bytes are not whole %ux%u pictures", out, dlen,
		      w, h);
	n = (unsigned int)(dlen / fsize);
	want = malloc(fsize);
	ck_assert_ptr_nonnull(want);
	for (f = 0; f < n; f++) {
		const uint8_t *y = dec + f * fsize;
		const uint16_t *y16 = (const uint16_t *)y, *w16 = (const uint16_t *)want;

		for (num = 0, b = 0; b < KS_E2E_BITS; b++)
			num |= (unsigned int)(r->p010 ? y16[8 * w + 16 * b + 8] >> 6 > 512 :
					      y[8 * w + 16 * b + 8] > 128) << b;
		ck_assert_msg((int)num > *prev, "%s: picture %u is frame %u after frame %d", tag,
			      f, num, *prev);
		ck_assert_msg(num >= lo && num < hi, "%s: picture %u is frame %u, not in %u..%u",
			      tag, f, num, lo, hi - 1);
		*prev = (int)num;
		if (r->p010) {
			e2e_p010(num, w, h, (uint16_t *)want);
			for (i = 0; i < samples; i++)
				ck_assert_msg(abs((y16[i] >> 6) - (w16[i] >> 6)) <= 1 &&
					      !(y16[i] & 0x3f),
					      "%s: picture %u (frame %u): sample %zu is %u, expected %u",
					      tag, f, num, i, y16[i] >> 6, w16[i] >> 6);
			continue;
		}
		e2e_nv12(num, w, h, want);
		if (r->composite)
			r->cursor_px += e2e_blend_cursor(num, r->flips, w, h, want);
		for (i = 0; i < fsize; i++)
			ck_assert_msg(abs((int)y[i] - (int)want[i]) <= 1,
				      "%s: picture %u (frame %u): byte %zu is %u, expected %u", tag,
				      f, num, i, y[i], want[i]);
	}
	free(want);
	free(dec);
	return n;
}

START_TEST(e2e_basic)
{
	struct e2e_run r;
	int prev = -1;
	unsigned int n;

	e2e_load(&r, "basic");
	/* --frames: every flip was read, and ended as exactly one of these */
	ck_assert_int_eq(r.encoded + r.skipped + r.repeated + r.blank + r.dropped, r.flips);
	ck_assert_int_eq(r.frames_in, r.flips);
	n = e2e_check_part(&r, "basic", (uint8_t *)r.stream, r.stream_len, KS_E2E_W, KS_E2E_H, 0,
			   r.flips, &prev);
	ck_assert_uint_eq(n, r.encoded + r.repeated);
	/* the renderer cycles through 4 buffers: each is imported once, not per frame */
	ck_assert_int_ge(r.imports, 1);
	ck_assert_int_le(r.imports, 4);
	ck_assert_int_lt(r.imports, r.encoded);
	/*
	 * The module sends flip-done events (ABI 1.3): the helper asked for
	 * them and timed frames from their flip-done to their coded buffer
	 * (the last flip-done may come after the helper stopped).
	 */
	ck_assert_int_ge(json_field(r.log, "flip_done"), 1);
	ck_assert_int_le(json_field(r.log, "flip_done"), r.flips);
	ck_assert_int_ge(json_field(r.log, "flip_coded"), 1);
	ck_assert_int_le(json_field(r.log, "flip_coded"), json_field(r.log, "flip_done"));
	ck_assert_int_le(json_field(r.log, "flip_coded_p50_us"),
			 json_field(r.log, "flip_coded_p99_us"));
	e2e_free(&r);
}
END_TEST

/*
 * GAMMA_LUT set with three flips (tests/stream/vm/stream_e2e.c): the
 * pictures are encoded as drawn (the LUT is not applied), and the helper
 * said so twice: for the first LUT, not for modetest's ramp (the identity
 * at 8 bits), again for the third, each dated by the flip that set it
 * (frame i has seq i + 1: frame 0 is the display's first).
 */
START_TEST(e2e_gamma)
{
	struct e2e_run r;
	const char *line;
	int prev = -1, seqs[2], i;
	unsigned int n;

	e2e_load(&r, "gamma");
	ck_assert_int_eq(r.frames_in, r.flips);
	n = e2e_check_part(&r, "gamma", (uint8_t *)r.stream, r.stream_len, KS_E2E_W, KS_E2E_H, 0,
			   r.flips, &prev);
	ck_assert_uint_eq(n, r.encoded + r.repeated);
	line = r.log;
	for (i = 0; i < 2; i++) {
		char one[256];

		line = strstr(line, "{\"type\":\"gamma\",");
		ck_assert_msg(line != NULL, "gamma notice %d missing:\n%s", i + 1, r.log);
		snprintf(one, sizeof(one), "%.*s", (int)strcspn(line, "\n"), line);
		ck_assert_msg(strstr(one, ",\"identity\":false,\"applied\":false}") != NULL,
			      "gamma notice %d: %s", i + 1, one);
		seqs[i] = (int)json_line_field(one, "gamma", "seq");
		line++;
	}
	ck_assert_msg(strstr(line, "{\"type\":\"gamma\"") == NULL, "a third gamma notice:\n%s",
		      r.log);
	ck_assert_int_eq(seqs[0], r.flips / 4 + 1);
	ck_assert_int_eq(seqs[1], 3 * r.flips / 4 + 1);
	e2e_free(&r);
}
END_TEST

/*
 * tiled: the renderer flipped Intel X-tiled vgem buffers, added with that
 * modifier to the display kmscap-stream created with the test driver's
 * modifiers; every picture decodes to the linear pattern, as in basic.
 */
START_TEST(e2e_tiled)
{
	struct e2e_run r;
	int prev = -1;
	unsigned int n;

	e2e_load(&r, "tiled");
	ck_assert_int_eq(r.frames_in, r.flips);
	n = e2e_check_part(&r, "tiled", (uint8_t *)r.stream, r.stream_len, KS_E2E_W, KS_E2E_H, 0,
			   r.flips, &prev);
	ck_assert_uint_eq(n, r.encoded + r.repeated);
	ck_assert_uint_ge(n, 1);
	ck_assert_int_ge(r.imports, 1);
	ck_assert_int_le(r.imports, 4);
	e2e_free(&r);
}
END_TEST

/*
 * --cursor composite (the default): the driver blends the cursor (moving,
 * partly off screen at first, new image halfway) into every picture; each
 * decoded picture equals the pattern with the cursor blended at that
 * frame's position, computed here, and the helper never fell back to
 * leaving it out.
 */
START_TEST(e2e_cursor_composite)
{
	struct e2e_run r;
	int prev = -1;
	unsigned int n;

	e2e_load(&r, "composite");
	r.composite = true;
	ck_assert_msg(!strstr(r.log, "cannot blend"), "the cursor was left out:\n%s", r.log);
	ck_assert_msg(!strstr(r.log, "rejected with"), "the driver rejected a call:\n%s", r.log);
	ck_assert_int_eq(r.encoded + r.skipped + r.repeated + r.blank + r.dropped, r.flips);
	n = e2e_check_part(&r, "composite", (uint8_t *)r.stream, r.stream_len, KS_E2E_W,
			   KS_E2E_H, 0, r.flips, &prev);
	ck_assert_uint_eq(n, r.encoded + r.repeated);
	/* the cursor was on the pictures (not only off screen) */
	ck_assert_msg(r.cursor_px >= (unsigned long)(n - 1) * KS_E2E_CUR * KS_E2E_CUR / 2,
		      "only %lu cursor pixels in %u pictures", r.cursor_px, n);
	e2e_free(&r);
}
END_TEST

/*
 * --rc cbr --bitrate 4M: the driver (KMSCAP_VA_DEBUG=1) logs the CBR
 * parameters it validated and recorded: 4 Mbit/s, target 100 %, and a
 * one-frame HRD buffer (bitrate / frame rate); nothing was rejected, and
 * the stream decodes to the exact pictures (I_PCM ignores the bitrate).
 */
START_TEST(e2e_rc_cbr)
{
	struct e2e_run r;
	unsigned int n, hrd, init, num, den;
	int prev = -1;
	const char *p;

	e2e_load(&r, "cbr");
	ck_assert_msg(!strstr(r.log, "rejected with"), "the driver rejected a call:\n%s", r.log);
	p = strstr(r.log, "kmscap_va: rate control: CBR 4000000 bit/s, target 100%");
	ck_assert_msg(p != NULL, "the driver did not record CBR 4000000:\n%s", r.log);
	p = strstr(p, "HRD buffer ");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sscanf(p, "HRD buffer %u bits initial %u, %u/%u fps", &hrd, &init, &num,
				&den), 4);
	ck_assert_uint_gt(num, 0);
	ck_assert_uint_eq(hrd, (unsigned long long)4000000 * den / num);
	ck_assert_uint_eq(init, hrd);
	ck_assert_int_eq(r.encoded + r.skipped + r.repeated + r.blank + r.dropped, r.flips);
	n = e2e_check_part(&r, "cbr", (uint8_t *)r.stream, r.stream_len, KS_E2E_W, KS_E2E_H, 0,
			   r.flips, &prev);
	ck_assert_uint_eq(n, r.encoded + r.repeated);
	e2e_free(&r);
}
END_TEST

/*
 * The stream is cut before the first access unit (after the first) with an
 * SPS (H.264) or a VPS (@hevc), or 0 if there is none.
 */
static size_t e2e_split(const uint8_t *d, size_t len, bool hevc)
{
	unsigned int aud = hevc ? 35 : 9, ps = hevc ? 32 : 7;
	struct ks_nal nal;
	size_t pos = 0, au = 0, aus = 0;

	while (ks_annexb_next(d, len, &pos, &nal) == 1) {
		unsigned int t = hevc ? (nal.data[0] >> 1) & 0x3f : ks_h264_nal_type(&nal);

		if (t == aud) {
			au = (size_t)(nal.data - nal.sc_len - d);
			aus++;
		}
		if (t == ps && aus > 1)
			return au;
	}
	return 0;
}

/*
 * The two parts of a mode-change run cut at @cut: 640x480 frames of the
 * first mode before, an IDR at 320x240 after, together every picture.
 */
static void e2e_check_parts(struct e2e_run *r, const uint8_t *stream, size_t cut)
{
	unsigned int n1, n2;
	int prev = -1;

	n1 = e2e_check_part(r, "before", stream, cut, KS_E2E_W, KS_E2E_H, 0, r->sw, &prev);
	n2 = e2e_check_part(r, "after", stream + cut, r->stream_len - cut, 320, 240, r->sw,
			    r->flips, &prev);
	ck_assert_uint_gt(n1, 0);
	ck_assert_uint_gt(n2, 0);
	ck_assert_uint_eq(n1 + n2, r->encoded + r->repeated);
}

START_TEST(e2e_mode_change)
{
	struct e2e_run r;
	size_t cut;

	e2e_load(&r, "modechange");
	ck_assert_int_eq(r.encoded + r.skipped + r.repeated + r.blank + r.dropped, r.flips);
	ck_assert_int_ge(r.modes, 1);
	cut = e2e_split((uint8_t *)r.stream, r.stream_len, false);
	ck_assert_msg(cut > 0, "no second SPS: no new IDR after the mode change");
	e2e_check_parts(&r, (uint8_t *)r.stream, cut);
	e2e_free(&r);
}
END_TEST

START_TEST(e2e_sigterm)
{
	struct e2e_run r;
	int prev = -1;
	unsigned int n;

	e2e_load(&r, "sigterm");
	/* the last events may still have been queued at SIGTERM */
	ck_assert_int_le(r.encoded + r.skipped + r.repeated + r.blank + r.dropped, r.flips);
	n = e2e_check_part(&r, "sigterm", (uint8_t *)r.stream, r.stream_len, KS_E2E_W, KS_E2E_H,
			   0, r.flips, &prev);
	ck_assert_uint_eq(n, r.encoded + r.repeated);
	e2e_free(&r);
}
END_TEST

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * --cursor separate: the pictures have no cursor (they match the pattern
 * exactly), and cursor.bin holds one record per frame the helper
 * processed, parsed here from the documented format: each visible record
 * at the position the renderer used for a later frame than the one
 * before, "moved" after the first, and the image (rows packed, as drawn)
 * whenever it is new: the first visible record and when the renderer
 * switched to the second image.
 */
START_TEST(e2e_cursor_separate)
{
	struct e2e_run r;
	char path[700];
	uint8_t *d;
	size_t len, pos = 0;
	unsigned int records = 0, visible = 0, images = 0, n, x, y;
	int prev = -1, last = -1, cx, cy;
	bool new_image = false;

	e2e_load(&r, "cursor");
	ck_assert_int_eq(r.encoded + r.skipped + r.repeated + r.blank + r.dropped, r.flips);
	n = e2e_check_part(&r, "cursor", (uint8_t *)r.stream, r.stream_len, KS_E2E_W, KS_E2E_H,
			   0, r.flips, &prev);
	ck_assert_uint_eq(n, r.encoded + r.repeated);
	snprintf(path, sizeof(path), "%s/cursor.bin", r.dir);
	d = (uint8_t *)ks_test_read_file(path, &len);
	while (pos < len) {
		const uint8_t *h = d + pos;
		uint32_t flags, img;
		int frame;

		ck_assert_uint_ge(len - pos, KS_CURSOR_HEADER);
		ck_assert_mem_eq(h, "KSCR", 4);
		ck_assert_uint_eq(h[4] | h[5] << 8, 1);
		ck_assert_uint_eq(h[6] | h[7] << 8, 52);
		flags = rd32(h + 40);
		img = rd32(h + 48);
		ck_assert_uint_le(pos + 52 + img, len);
		records++;
		if (!(flags & 1)) {
			/* hidden: only before the cursor first shows (frame 0 has none) */
			ck_assert_uint_eq(visible, 0);
			ck_assert_uint_eq(img, 0);
			pos += 52;
			continue;
		}
		/* the frame whose position this is: x = 8 n - 20 */
		frame = ((int)rd32(h + 24) + 20) / 8;
		ck_assert_int_ge(frame, 0);
		ks_e2e_cursor_pos((unsigned int)frame, &cx, &cy);
		ck_assert_msg((int)rd32(h + 24) == cx && (int)rd32(h + 28) == cy,
			      "record %u: cursor at %d,%d is no frame's position", records,
			      (int)rd32(h + 24), (int)rd32(h + 28));
		ck_assert_msg(frame > last, "record %u: frame %d after %d", records, frame, last);
		ck_assert_uint_eq(h[36] | h[37] << 8, KS_E2E_CUR);
		ck_assert_uint_eq(h[38] | h[39] << 8, KS_E2E_CUR);
		ck_assert_uint_eq(rd32(h + 44), 0x34325241);	/* AR24 */
		ck_assert_msg(flags & 2, "record %u: not marked moved", records);
		new_image = !visible || (last < (int)r.flips / 2 && frame >= (int)r.flips / 2);
		ck_assert_msg(!!(flags & 4) == new_image && img == (new_image ? 64 * 64 * 4 : 0),
			      "record %u (frame %d): flags %#x, %u image bytes", records, frame,
			      flags, img);
		for (y = 0; img && y < KS_E2E_CUR; y++)
			for (x = 0; x < KS_E2E_CUR; x++)
				ck_assert_uint_eq(rd32(h + 52 + (y * KS_E2E_CUR + x) * 4),
						  ks_e2e_cursor_px(frame >= (int)r.flips / 2, x, y));
		images += img != 0;
		visible++;
		last = frame;
		pos += 52 + img;
	}
	ck_assert_uint_eq(records, r.encoded + r.skipped + r.repeated + r.blank);
	ck_assert_uint_eq(images, 2);
	free(d);
	e2e_free(&r);
}
END_TEST

/*
 * The renderer outpaced the encoder.  Frames revoked while being
 * converted (their buffers reused) are dropped as torn, so every decoded
 * picture is exactly its frame's; every flip ended as encoded, skipped,
 * repeated, blank, dropped or torn, except at most the module's queue (4)
 * plus one still unread at SIGTERM.
 */
static void e2e_check_fast(const char *name, long long threads)
{
	long long sum, wait, timeout;
	struct e2e_run r;
	char cmd[1400], line[64];
	unsigned int n = 0;
	int prev = -1;
	FILE *fp;

	e2e_load(&r, name);
	ck_assert_uint_eq(e2e_check_part(&r, name, (uint8_t *)r.stream, r.stream_len, KS_E2E_W,
					 KS_E2E_H, 0, r.flips, &prev),
			  r.encoded + r.repeated);
	sum = r.encoded + r.skipped + r.repeated + r.blank + r.dropped + json_field(r.log, "torn");
	ck_assert_int_le(sum, r.flips);
	ck_assert_int_ge(sum, (long long)r.flips - (KMSCAP_DEFAULT_QUEUE + 1));
	snprintf(cmd, sizeof(cmd),
		 "ffprobe -v error -select_streams v -count_frames -show_entries stream=nb_read_frames,width,height -of csv=p=0 '%s/e2e.h264'",
		 r.dir);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), fp));
	ck_assert_int_eq(pclose(fp), 0);
	ck_assert_msg(sscanf(line, "%*u,%*u,%u", &n) == 1, "ffprobe: %s", line);
	ck_assert_uint_eq(n, r.encoded + r.repeated);
	/* the thread model asked for ran; the module saw every flip */
	if (threads)
		ck_assert_int_eq(json_line_field(r.log, "exit", "threads"), threads);
	ck_assert_int_ge(json_line_field(r.log, "exit", "module_flips"), r.flips);
	/*
	 * The renderer is never stalled past the hold timeout: the longest a
	 * flip waited for this client (the module's own measure, from the
	 * replacing commit to the release or revocation) is the timeout plus
	 * at most the waiting thread's wake-up, allowed max(timeout, 100 ms)
	 * under TCG.  Without revocation a flip would wait for the encoder.
	 */
	wait = json_line_field(r.log, "exit", "max_hold_wait_ns");
	timeout = json_line_field(r.log, "exit", "hold_timeout_ns");
	/* kmscap-stream's default for the e2e display (30 Hz): three periods */
	ck_assert_int_eq(timeout, (long long)ks_default_hold_ns(30000));
	ck_assert_int_ge(wait, 0);
	ck_assert_msg(wait <= timeout + (timeout > 100000000 ? timeout : 100000000),
		      "%s: a flip waited %lld ns for kmscap-stream, hold timeout %lld ns", name,
		      wait, timeout);
	/* one thread: frames queue while the loop encodes, the timeout must act */
	if (threads == 1)
		ck_assert_int_gt(json_line_field(r.log, "exit", "module_dropped_timeout"), 0);
	fprintf(stderr, "e2e_%s: %u flips, %lld encoded, %lld dropped; threads %lld, "
		"max_hold_wait_ns %lld, hold_timeout_ns %lld, module_dropped_timeout %lld\n",
		name, r.flips, r.encoded, r.dropped, json_line_field(r.log, "exit", "threads"),
		json_line_field(r.log, "exit", "max_hold_wait_ns"),
		json_line_field(r.log, "exit", "hold_timeout_ns"),
		json_line_field(r.log, "exit", "module_dropped_timeout"));
	e2e_free(&r);
}

/*
 * The renderer redrew each buffer as soon as the module revoked the
 * helper's hold on it, in the middle of its conversion.  A frame whose
 * release said ESTALE must not reach the stream: every decoded picture is
 * exactly its frame's pattern, and the torn frames are counted.
 */
/*
 * The screen showed frame 0 before the helper attached, and nothing
 * flipped after: the helper got it at attach and encoded it.
 */
START_TEST(e2e_static_screen)
{
	struct e2e_run r;
	int prev = -1;

	e2e_load(&r, "static");
	ck_assert_uint_eq(r.flips, 1);
	ck_assert_int_eq(r.encoded, 1);
	ck_assert_uint_eq(e2e_check_part(&r, "static", (uint8_t *)r.stream, r.stream_len,
					 KS_E2E_W, KS_E2E_H, 0, 1, &prev), 1);
	e2e_free(&r);
}
END_TEST

/*
 * With --threads 1 (torn1) the frames went back in the ring and the status
 * page told which were torn: each of those releases said ESTALE too.
 */
static void e2e_check_torn(const char *scenario, bool ring)
{
	long long torn, sum;
	struct e2e_run r;
	unsigned int n;
	int prev = -1;

	e2e_load(&r, scenario);
	n = e2e_check_part(&r, scenario, (uint8_t *)r.stream, r.stream_len, KS_E2E_W, KS_E2E_H, 0,
			   r.flips, &prev);
	ck_assert_uint_eq(n, r.encoded + r.repeated);
	torn = json_field(r.log, "torn");
	ck_assert_msg(torn > 0, "no frame was revoked while converted (torn %lld):\n%s", torn,
		      r.log);
	sum = r.encoded + r.skipped + r.repeated + r.blank + r.dropped + torn;
	ck_assert_int_le(sum, r.flips);
	ck_assert_int_ge(sum, (long long)r.flips - (KMSCAP_DEFAULT_QUEUE + 1));
	if (ring)
		ck_assert_msg(json_field(r.log, "stale_releases") >= torn,
			      "%s: %lld torn, but %lld releases in the ring said ESTALE:\n%s",
			      scenario, torn, json_field(r.log, "stale_releases"), r.log);
	fprintf(stderr, "e2e_%s: %u flips, %lld encoded, %lld torn, %lld dropped\n", scenario,
		r.flips, r.encoded, torn, r.dropped);
	e2e_free(&r);
}

START_TEST(e2e_torn_frames_dropped)
{
	e2e_check_torn("torn", false);
}
END_TEST

START_TEST(e2e_torn_frames_dropped_threads1)
{
	e2e_check_torn("torn1", true);
}
END_TEST

START_TEST(e2e_fast_renderer)
{
	e2e_check_fast("fast", 0);
}
END_TEST

/* The same with --threads 1: the encoder in the event loop's thread. */
START_TEST(e2e_fast_renderer_threads1)
{
	e2e_check_fast("fast1", 1);
}
END_TEST

/* NAME.txt: "status S", "id N", then stderr. */
static char *e2e_error(const char *name, unsigned int *status, unsigned int *id)
{
	char path[700], *txt, *nl;

	snprintf(path, sizeof(path), "%s/errors/%s.txt", e2e_dir(), name);
	txt = ks_test_read_file(path, NULL);
	ck_assert_int_eq(sscanf(txt, "status %u id %u", status, id), 2);
	nl = strchr(strchr(txt, '\n') + 1, '\n');
	ck_assert_ptr_nonnull(nl);
	memmove(txt, nl + 1, strlen(nl + 1) + 1);
	return txt;
}

START_TEST(e2e_errors)
{
	char lib[512], want[600], want2[600], subj[32];
	unsigned int status, id;
	char *err;

	err = e2e_error("nodisplay", &status, &id);
	snprintf(subj, sizeof(subj), "%u", id);
	kmscap_strerror_ctx(-ENOENT, KMSCAP_ERR_DISPLAY, subj, lib, sizeof(lib));
	snprintf(want, sizeof(want), KS_PROG ": %s\n", lib);
	ck_assert_uint_eq(status, 1);
	ck_assert_str_eq(err, want);
	free(err);

	/* uid 65534: either /dev/kmscap is closed to it, or the display is not its */
	err = e2e_error("notowner", &status, &id);
	snprintf(subj, sizeof(subj), "%u", id);
	kmscap_strerror_ctx(-EPERM, KMSCAP_ERR_ATTACH, subj, lib, sizeof(lib));
	snprintf(want, sizeof(want), KS_PROG ": %s\n", lib);
	kmscap_strerror_ctx(-EACCES, KMSCAP_ERR_OPEN, "/dev/kmscap", lib, sizeof(lib));
	snprintf(want2, sizeof(want2), KS_PROG ": %s\n", lib);
	ck_assert_uint_eq(status, 1);
	ck_assert_msg(!strcmp(err, want) || !strcmp(err, want2),
		      "stderr '%s', expected '%s' or '%s'", err, want, want2);
	free(err);
}
END_TEST

/* --create: a display of its own while it runs, none left after SIGTERM. */
START_TEST(e2e_create_removed)
{
	char path[700], *txt, *log;
	int status, seen, left;

	snprintf(path, sizeof(path), "%s/create.txt", e2e_dir());
	txt = ks_test_read_file(path, NULL);
	ck_assert_int_eq(sscanf(txt, "status %d seen %d left %d", &status, &seen, &left), 3);
	snprintf(path, sizeof(path), "%s/create.log", e2e_dir());
	log = ks_test_read_file(path, NULL);
	ck_assert_msg(status == 0, "exit status %d:\n%s", status, log);
	ck_assert_msg(seen >= 0, "the helper's display never had a capture client:\n%s", log);
	ck_assert_int_eq(left, 0);
	ck_assert_ptr_nonnull(strstr(log, "{\"type\":\"exit\",\"held\":0,\"surfaces\":0,\"fds\":0,"));
	/* 3 s without a frame: said once */
	snprintf(path, sizeof(path), "{\"type\":\"waiting\",\"display\":%d,\"card\":", seen);
	ck_assert_msg(strstr(log, path) != NULL, "no waiting line for display %d:\n%s", seen, log);
	ck_assert_msg(strstr(strstr(log, path) + strlen(path), "\"type\":\"waiting\"") == NULL,
		      "more than one waiting line:\n%s", log);
	free(txt);
	free(log);
}
END_TEST

/*
 * --codec hevc with the mode change halfway: one AUD per access unit,
 * VPS/SPS/PPS and an IDR again at the new size, and both parts decode to
 * the exact pictures (the test driver's HEVC is lossless, all PCM).
 */
START_TEST(e2e_hevc)
{
	struct e2e_run r;
	struct ks_nal nal;
	size_t cut, pos = 0;
	unsigned int auds = 0, idrs = 0;

	e2e_load_codec(&r, "hevc", "hevc");
	ck_assert_msg(!strstr(r.log, "rejected with"), "the driver rejected a call:\n%s", r.log);
	ck_assert_int_eq(r.encoded + r.skipped + r.repeated + r.blank + r.dropped, r.flips);
	ck_assert_int_ge(r.modes, 1);
	while (ks_annexb_next((uint8_t *)r.stream, r.stream_len, &pos, &nal) == 1) {
		auds += ((nal.data[0] >> 1) & 0x3f) == 35;
		idrs += ((nal.data[0] >> 1) & 0x3f) == 19;
	}
	ck_assert_uint_eq(auds, r.encoded + r.repeated);
	ck_assert_uint_eq(idrs, 2);
	cut = e2e_split((uint8_t *)r.stream, r.stream_len, true);
	ck_assert_msg(cut > 0, "no second VPS: no new IDR after the mode change");
	e2e_check_parts(&r, (uint8_t *)r.stream, cut);
	e2e_free(&r);
}
END_TEST

/*
 * --codec av1 --qp 0 with the mode change: an IVF file (header with the
 * first size, one frame per temporal unit, each starting with a temporal
 * delimiter, increasing timestamps), a sequence header (key frame) at the
 * start and at the new size, and both parts decode (libdav1d) exactly.
 */
START_TEST(e2e_av1)
{
	struct e2e_run r;
	const uint8_t *d;
	size_t pos = 32, cut = 0;
	unsigned int frames = 0, keys = 0, n1, n2;
	uint64_t last = 0;
	uint8_t *part;
	int prev = -1;

	e2e_load_codec(&r, "av1", "ivf");
	d = (const uint8_t *)r.stream;
	ck_assert_msg(!strstr(r.log, "rejected with"), "the driver rejected a call:\n%s", r.log);
	ck_assert_int_eq(r.encoded + r.skipped + r.repeated + r.blank + r.dropped, r.flips);
	ck_assert_uint_ge(r.stream_len, 32);
	ck_assert_mem_eq(d, "DKIF", 4);
	ck_assert_mem_eq(d + 8, "AV01", 4);
	ck_assert_uint_eq(d[12] | d[13] << 8, KS_E2E_W);
	ck_assert_uint_eq(d[14] | d[15] << 8, KS_E2E_H);
	while (pos + 12 <= r.stream_len) {
		uint32_t size = rd32(d + pos);
		uint64_t pts = rd32(d + pos + 4) | (uint64_t)rd32(d + pos + 8) << 32;

		ck_assert_uint_le(pos + 12 + size, r.stream_len);
		ck_assert_msg(!frames || pts > last, "IVF frame %u: pts %llu", frames,
			      (unsigned long long)pts);
		last = pts;
		ck_assert_uint_eq(d[pos + 12], 0x12);	/* temporal delimiter */
		ck_assert_uint_eq(d[pos + 13], 0x00);
		if (size > 2 && (d[pos + 14] >> 3 & 0xf) == 1) {
			/* sequence header: a key frame; the second one starts the new mode */
			if (++keys == 2)
				cut = pos;
		}
		pos += 12 + size;
		frames++;
	}
	ck_assert_uint_eq(pos, r.stream_len);
	ck_assert_uint_eq(frames, r.encoded + r.repeated);
	ck_assert_uint_eq(keys, 2);
	n1 = e2e_check_part(&r, "before", d, cut, KS_E2E_W, KS_E2E_H, 0, r.sw, &prev);
	/* the second part as a file of its own: the IVF header with the new size */
	part = malloc(32 + r.stream_len - cut);
	ck_assert_ptr_nonnull(part);
	memcpy(part, d, 32);
	part[12] = 320 & 0xff;
	part[13] = 320 >> 8;
	part[14] = 240;
	part[15] = 0;
	memcpy(part + 32, d + cut, r.stream_len - cut);
	n2 = e2e_check_part(&r, "after", part, 32 + r.stream_len - cut, 320, 240, r.sw, r.flips,
			    &prev);
	free(part);
	ck_assert_uint_gt(n1, 0);
	ck_assert_uint_gt(n2, 0);
	ck_assert_uint_eq(n1 + n2, r.encoded + r.repeated);
	e2e_free(&r);
}
END_TEST

/*
 * XRGB2101010 buffers with --codec hevc: where the driver offers HEVC
 * Main 10 the helper converts to P010 and encodes Main 10, and the 10-bit
 * pictures decode exactly; otherwise it says once that 10-bit is reduced
 * to 8-bit.
 */
START_TEST(e2e_hevc10)
{
	struct e2e_run r;
	char cmd[1400], line[128];
	unsigned int n;
	int prev = -1;
	FILE *fp;

	e2e_load_codec(&r, "hevc10", "hevc");
	ck_assert_msg(!strstr(r.log, "rejected with"), "the driver rejected a call:\n%s", r.log);
	if (strstr(r.log, "10-bit is reduced to 8-bit"))
		ks_skip("the driver offers no HEVC Main 10: %s", strstr(r.log, "10-bit"));
	ck_assert_int_eq(r.encoded + r.skipped + r.repeated + r.blank + r.dropped, r.flips);
	snprintf(cmd, sizeof(cmd),
		 "ffprobe -v error -select_streams v -show_entries stream=profile,pix_fmt -of csv=p=0 '%s/e2e.hevc'",
		 r.dir);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), fp));
	ck_assert_int_eq(pclose(fp), 0);
	line[strcspn(line, "\n")] = '\0';
	ck_assert_str_eq(line, "Main 10,yuv420p10le");
	r.p010 = true;
	n = e2e_check_part(&r, "hevc10", (uint8_t *)r.stream, r.stream_len, KS_E2E_W, KS_E2E_H, 0,
			   r.flips, &prev);
	ck_assert_uint_eq(n, r.encoded + r.repeated);
	e2e_free(&r);
}
END_TEST

Suite *ks_suite_e2e(void)
{
	Suite *s = suite_create("e2e");

	KS_ADD_T(s, e2e_basic, 300);
	KS_ADD_T(s, e2e_mode_change, 300);
	KS_ADD_T(s, e2e_sigterm, 300);
	KS_ADD_T(s, e2e_fast_renderer, 300);
	KS_ADD_T(s, e2e_fast_renderer_threads1, 300);
	KS_ADD_T(s, e2e_torn_frames_dropped, 300);
	KS_ADD_T(s, e2e_torn_frames_dropped_threads1, 300);
	KS_ADD_T(s, e2e_static_screen, 300);
	KS_ADD_T(s, e2e_cursor_separate, 300);
	KS_ADD_T(s, e2e_cursor_composite, 300);
	KS_ADD_T(s, e2e_rc_cbr, 300);
	KS_ADD_T(s, e2e_hevc, 300);
	KS_ADD_T(s, e2e_av1, 300);
	KS_ADD_T(s, e2e_hevc10, 300);
	ks_e2e_mux_add(s);
	KS_ADD_T(s, e2e_gamma, 300);
	KS_ADD(s, e2e_errors);
	KS_ADD(s, e2e_create_removed);
	KS_ADD_T(s, e2e_tiled, 300);
	ks_e2e_syscalls_add(s);
	return s;
}
