// SPDX-License-Identifier: MIT
/*
 * test_ffmpeg.c - an ordinary VA-API application against the driver:
 * Debian's ffmpeg encodes with h264_vaapi, only environment variables point
 * it at the driver, and the decoded result must equal the NV12 frames
 * ffmpeg fed to the encoder.
 *
 * On the host the device is a regular file named kmscap-va-fake-render,
 * which the preloaded kmscap_va_drmshim.so presents as a render node; with
 * KMSCAP_VA_RENDER_NODE set (the VM), that node is used.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "va_test.h"

static const char *kmscap_vat_device(void)
{
	static char path[512];
	const char *node = getenv("KMSCAP_VA_RENDER_NODE");
	int fd;

	if (node)
		return node;
	snprintf(path, sizeof(path), "%s/kmscap-va-fake-render", kmscap_vat_workdir());
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ck_assert_msg(fd >= 0, "cannot create %s", path);
	close(fd);
	return path;
}

static void kmscap_vat_need(void)
{
	char *out = NULL;

	if (!kmscap_vat_have_tool("ffmpeg") || !kmscap_vat_have_tool("ffprobe"))
		kmscap_vat_skip("ffmpeg/ffprobe not installed (Debian package ffmpeg)");
	kmscap_vat_run("ffmpeg -hide_banner -encoders 2>/dev/null", &out);
	if (!strstr(out, "h264_vaapi")) {
		free(out);
		kmscap_vat_skip("this ffmpeg has no h264_vaapi encoder");
	}
	free(out);
	if (!getenv("LD_PRELOAD") && !getenv("KMSCAP_VA_RENDER_NODE"))
		kmscap_vat_skip("no render node: set KMSCAP_VA_RENDER_NODE or preload kmscap_va_drmshim.so");
}

static long kmscap_vat_file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

/*
 * Encodes `frames` frames of testsrc at w x h with h264_vaapi and `opts`,
 * decodes them, and compares with the same frames converted to NV12 by
 * ffmpeg without any encoder.  Returns ffprobe's output.
 */
static char *kmscap_vat_ffmpeg_case(const char *name, unsigned int w, unsigned int h,
				    unsigned int frames, const char *opts)
{
	const char *dir = kmscap_vat_workdir();
	char cmd[4096], *out = NULL;
	char h264[512], ref[512], dec[512];
	int rc;

	snprintf(h264, sizeof(h264), "%s/ff_%s.h264", dir, name);
	snprintf(ref, sizeof(ref), "%s/ff_%s.ref.nv12", dir, name);
	snprintf(dec, sizeof(dec), "%s/ff_%s.dec.nv12", dir, name);
	snprintf(cmd, sizeof(cmd),
		 "KMSCAP_VA_DEBUG=1 ffmpeg -nostdin -y -v error -vaapi_device '%s' -f lavfi -i testsrc2=size=%ux%u:rate=25 -frames:v %u -vf format=nv12,hwupload -c:v h264_vaapi %s '%s' 2>&1",
		 kmscap_vat_device(), w, h, frames, opts, h264);
	rc = kmscap_vat_run(cmd, &out);
	ck_assert_msg(rc == 0, "ffmpeg h264_vaapi failed (%d): %s\ncommand: %s", rc, out, cmd);
	free(out);
	snprintf(cmd, sizeof(cmd),
		 "ffmpeg -nostdin -y -v error -f lavfi -i testsrc2=size=%ux%u:rate=25 -frames:v %u -vf format=nv12 -f rawvideo '%s' 2>&1 && ffmpeg -nostdin -y -v error -i '%s' -f rawvideo -pix_fmt nv12 '%s' 2>&1",
		 w, h, frames, ref, h264, dec);
	rc = kmscap_vat_run(cmd, &out);
	ck_assert_msg(rc == 0 && !*out, "reference/decode failed (%d): %s", rc, out);
	free(out);
	ck_assert_int_eq(kmscap_vat_file_size(ref), (long)w * h * 3 / 2 * frames);
	snprintf(cmd, sizeof(cmd), "cmp '%s' '%s' 2>&1", ref, dec);
	rc = kmscap_vat_run(cmd, &out);
	ck_assert_msg(rc == 0, "decoded %s differs from the encoder input: %s", h264, out);
	free(out);
	snprintf(cmd, sizeof(cmd),
		 "ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=profile,width,height,nb_read_frames -of default=noprint_wrappers=1 '%s'",
		 h264);
	ck_assert_int_eq(kmscap_vat_run(cmd, &out), 0);
	return out;
}

static void kmscap_vat_expect(const char *probe, const char *line)
{
	ck_assert_msg(strstr(probe, line), "ffprobe output lacks \"%s\":\n%s", line, probe);
}

START_TEST(test_ffmpeg_h264_vaapi_high)
{
	char *p;

	kmscap_vat_need();
	p = kmscap_vat_ffmpeg_case("high", 64, 48, 5, "-coder cavlc");
	kmscap_vat_expect(p, "profile=High\n");
	kmscap_vat_expect(p, "width=64\n");
	kmscap_vat_expect(p, "height=48\n");
	kmscap_vat_expect(p, "nb_read_frames=5\n");
	free(p);
}
END_TEST

START_TEST(test_ffmpeg_h264_vaapi_cb_gop_cropped)
{
	char *p;

	kmscap_vat_need();
	p = kmscap_vat_ffmpeg_case("cb", 100, 60, 24, "-profile:v constrained_baseline -g 10");
	kmscap_vat_expect(p, "profile=Constrained Baseline\n");
	kmscap_vat_expect(p, "width=100\n");
	kmscap_vat_expect(p, "height=60\n");
	kmscap_vat_expect(p, "nb_read_frames=24\n");
	free(p);
}
END_TEST

/* Main, CAVLC, two slices, through VAEntrypointEncSliceLP. */
START_TEST(test_ffmpeg_h264_vaapi_main_slices)
{
	char *p;

	kmscap_vat_need();
	p = kmscap_vat_ffmpeg_case("main", 96, 64, 8,
				   "-profile:v main -coder cavlc -slices 2 -low_power 1 -qp 30");
	kmscap_vat_expect(p, "profile=Main\n");
	kmscap_vat_expect(p, "nb_read_frames=8\n");
	free(p);
}
END_TEST

/* ffmpeg's defaults (High, CABAC, B frames): the stream must really use both. */
START_TEST(test_ffmpeg_h264_vaapi_defaults_cabac)
{
	char cmd[1024], *p, *out = NULL;

	kmscap_vat_need();
	p = kmscap_vat_ffmpeg_case("defaults", 80, 64, 12, "");
	kmscap_vat_expect(p, "profile=High\n");
	kmscap_vat_expect(p, "nb_read_frames=12\n");
	free(p);
	snprintf(cmd, sizeof(cmd),
		 "ffmpeg -nostdin -i '%s/ff_defaults.h264' -c copy -bsf:v trace_headers -f null - 2>&1",
		 kmscap_vat_workdir());
	ck_assert_int_eq(kmscap_vat_run(cmd, &out), 0);
	ck_assert_msg(strstr(out, "entropy_coding_mode_flag") &&
		      strstr(out, "cabac_init_idc"), "no CABAC in the stream:\n%s", out);
	ck_assert_msg(strstr(out, "direct_spatial_mv_pred_flag"), "no B slice in the stream");
	free(out);
}
END_TEST

static uint8_t *kmscap_vat_read_file(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;

	ck_assert_msg(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = kmscap_vat_calloc(1, *len);
	ck_assert_uint_eq(fread(buf, 1, *len, f), (size_t)*len);
	fclose(f);
	return buf;
}

/*
 * scale_vaapi (VPP NV12 -> NV12, nearest 2x) in front of h264_vaapi: each
 * decoded sample must be the source sample at (x / 2, y / 2) of its plane.
 */
START_TEST(test_ffmpeg_scale_vaapi)
{
	const unsigned int w = 48, h = 32, n = 4, ow = 2 * w, oh = 2 * h;
	const char *dir = kmscap_vat_workdir();
	char cmd[4096], *out = NULL, ref[512], dec[512], h264[512];
	unsigned int i, x, y;
	uint8_t *r, *d;
	long rlen, dlen;
	int rc;

	kmscap_vat_need();
	snprintf(h264, sizeof(h264), "%s/ff_scale.h264", dir);
	snprintf(ref, sizeof(ref), "%s/ff_scale.ref.nv12", dir);
	snprintf(dec, sizeof(dec), "%s/ff_scale.dec.nv12", dir);
	snprintf(cmd, sizeof(cmd),
		 "KMSCAP_VA_DEBUG=1 ffmpeg -nostdin -y -v error -vaapi_device '%s' -f lavfi -i testsrc2=size=%ux%u:rate=25 -frames:v %u -vf format=nv12,hwupload,scale_vaapi=w=%u:h=%u:mode=fast -c:v h264_vaapi '%s' 2>&1 && ffmpeg -nostdin -y -v error -f lavfi -i testsrc2=size=%ux%u:rate=25 -frames:v %u -vf format=nv12 -f rawvideo '%s' 2>&1 && ffmpeg -nostdin -y -v error -i '%s' -f rawvideo -pix_fmt nv12 '%s' 2>&1",
		 kmscap_vat_device(), w, h, n, ow, oh, h264, w, h, n, ref, h264, dec);
	rc = kmscap_vat_run(cmd, &out);
	ck_assert_msg(rc == 0, "ffmpeg failed (%d): %s", rc, out);
	free(out);
	r = kmscap_vat_read_file(ref, &rlen);
	d = kmscap_vat_read_file(dec, &dlen);
	ck_assert_int_eq(rlen, (long)w * h * 3 / 2 * n);
	ck_assert_int_eq(dlen, (long)ow * oh * 3 / 2 * n);
	for (i = 0; i < n; i++) {
		const uint8_t *rf = r + (size_t)i * w * h * 3 / 2;
		const uint8_t *df = d + (size_t)i * ow * oh * 3 / 2;

		for (y = 0; y < oh; y++)
			for (x = 0; x < ow; x++)
				ck_assert_msg(df[y * ow + x] == rf[(y / 2) * w + x / 2],
					      "frame %u Y at %u,%u", i, x, y);
		for (y = 0; y < oh / 2; y++)
			for (x = 0; x < ow; x++)
				ck_assert_msg(df[ow * oh + y * ow + x] ==
					      rf[w * h + (y / 2) * w + (x / 4) * 2 + x % 2],
					      "frame %u chroma at %u,%u", i, x, y);
	}
	free(r);
	free(d);
}
END_TEST

/*
 * libva-utils' vainfo (Debian package vainfo) lists what the driver offers;
 * without LIBVA_DRIVER_NAME the name comes from drmGetVersion().
 */
START_TEST(test_vainfo)
{
	static const char * const want[] = {
		"VAProfileH264ConstrainedBaseline:\tVAEntrypointEncSlice",
		"VAProfileH264ConstrainedBaseline:\tVAEntrypointEncSliceLP",
		"VAProfileH264Main               :\tVAEntrypointEncSlice",
		"VAProfileH264High               :\tVAEntrypointEncSliceLP",
		"VAProfileHEVCMain               :\tVAEntrypointEncSlice",
		"VAProfileHEVCMain10             :\tVAEntrypointEncSliceLP",
		"VAProfileNone                   :\tVAEntrypointVideoProc",
		"Driver version: kmscap",
	};
	char cmd[1024], *out = NULL;
	unsigned int i;

	if (!kmscap_vat_have_tool("vainfo"))
		kmscap_vat_skip("vainfo not installed (Debian package vainfo)");
	if (!getenv("LD_PRELOAD") && !getenv("KMSCAP_VA_RENDER_NODE"))
		kmscap_vat_skip("no render node: set KMSCAP_VA_RENDER_NODE or preload kmscap_va_drmshim.so");
	snprintf(cmd, sizeof(cmd), "%svainfo --display drm --device '%s' 2>&1",
		 getenv("KMSCAP_VA_RENDER_NODE") ? "" : "env -u LIBVA_DRIVER_NAME ",
		 kmscap_vat_device());
	ck_assert_msg(kmscap_vat_run(cmd, &out) == 0, "vainfo failed: %s", out);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(out, want[i]), "vainfo output lacks \"%s\":\n%s", want[i], out);
	ck_assert_msg(!strstr(out, "VLD") && !strstr(out, "VP9") && !strstr(out, "Main422"),
		      "vainfo lists something not implemented:\n%s", out);
	free(out);
}
END_TEST

/*
 * A bitrate target (-b:v) makes ffmpeg pick VBR and send rate control, HRD
 * and frame rate parameters: the driver validates and records them (debug
 * log) and the output still decodes.
 */
START_TEST(test_ffmpeg_h264_vaapi_bitrate_vbr)
{
	char cmd[2048], *out = NULL, *p;
	unsigned int bps, pct;
	int rc;

	kmscap_vat_need();
	snprintf(cmd, sizeof(cmd),
		 "KMSCAP_VA_DEBUG=1 ffmpeg -nostdin -y -v error -vaapi_device '%s' -f lavfi -i testsrc2=size=64x48:rate=25 -frames:v 3 -vf format=nv12,hwupload -c:v h264_vaapi -b:v 1M '%s/vbr.h264' 2>&1 && ffmpeg -nostdin -v error -i '%s/vbr.h264' -f null - 2>&1",
		 kmscap_vat_device(), kmscap_vat_workdir(), kmscap_vat_workdir());
	rc = kmscap_vat_run(cmd, &out);
	ck_assert_msg(rc == 0, "ffmpeg -b:v 1M failed: %s", out);
	/* ffmpeg probes vaSyncBuffer with VA_INVALID_ID; nothing else may be refused */
	for (p = strstr(out, "rejected with"); p; p = strstr(p + 1, "rejected with"))
		ck_assert_msg(p - out >= 23 && !strncmp(p - 23, "kmscap_va_sync_buffer: ", 23),
			      "the driver rejected something: %s", out);
	ck_assert_msg(!strstr(out, "[h264"), "the decoder complained: %s", out);
	p = strstr(out, "kmscap_va: rate control: VBR ");
	ck_assert_msg(p, "no VBR rate control record in the debug log: %s", out);
	/* the recorded peak times the target percentage is the -b:v target */
	ck_assert_int_eq(sscanf(p, "kmscap_va: rate control: VBR %u bit/s, target %u%%", &bps,
				&pct), 2);
	ck_assert_uint_eq((unsigned long long)bps * pct / 100, 1000000);
	free(out);
}
END_TEST

/* -b:v with an equal -maxrate is CBR: ffmpeg sends an HRD buffer, the driver records it. */
START_TEST(test_ffmpeg_h264_vaapi_bitrate_cbr)
{
	char cmd[2048], *out = NULL, *p;
	unsigned int bps, pct, hrd;
	int rc;

	kmscap_vat_need();
	snprintf(cmd, sizeof(cmd),
		 "KMSCAP_VA_DEBUG=1 ffmpeg -nostdin -y -v error -vaapi_device '%s' -f lavfi -i testsrc2=size=64x48:rate=25 -frames:v 3 -vf format=nv12,hwupload -c:v h264_vaapi -b:v 500k -maxrate 500k '%s/cbr.h264' 2>&1 && ffmpeg -nostdin -v error -i '%s/cbr.h264' -f null - 2>&1",
		 kmscap_vat_device(), kmscap_vat_workdir(), kmscap_vat_workdir());
	rc = kmscap_vat_run(cmd, &out);
	ck_assert_msg(rc == 0, "ffmpeg -b:v 500k -maxrate 500k failed: %s", out);
	ck_assert_msg(!strstr(out, "[h264"), "the decoder complained: %s", out);
	p = strstr(out, "kmscap_va: rate control: CBR ");
	ck_assert_msg(p, "no CBR rate control record in the debug log: %s", out);
	ck_assert_int_eq(sscanf(p, "kmscap_va: rate control: CBR %u bit/s, target %u%%", &bps,
				&pct), 2);
	ck_assert_uint_eq(bps, 500000);
	p = strstr(p, "HRD buffer ");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sscanf(p, "HRD buffer %u", &hrd), 1);
	ck_assert_uint_gt(hrd, 0);
	free(out);
}
END_TEST

Suite *kmscap_vat_suite_ffmpeg(void)
{
	Suite *s = suite_create("ffmpeg");

#define ADD(fn) KMSCAP_VAT_ADD(s, fn, 120)
	ADD(test_vainfo);
	ADD(test_ffmpeg_h264_vaapi_high);
	ADD(test_ffmpeg_h264_vaapi_cb_gop_cropped);
	ADD(test_ffmpeg_h264_vaapi_main_slices);
	ADD(test_ffmpeg_h264_vaapi_defaults_cabac);
	ADD(test_ffmpeg_h264_vaapi_bitrate_vbr);
	ADD(test_ffmpeg_h264_vaapi_bitrate_cbr);
	ADD(test_ffmpeg_scale_vaapi);
#undef ADD
	return s;
}
