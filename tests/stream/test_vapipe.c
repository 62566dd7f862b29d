// SPDX-License-Identifier: MIT
/*
 * The VA-API pipeline against the strict software test driver of
 * tests/vadriver: memfds stand in for kmscap's DMA-BUFs, the pipeline
 * imports, converts and encodes them, and Debian's ffmpeg decodes the
 * result, which must equal the NV12 this test computes from the RGB it
 * drew (BT.709, limited range), up to rounding.  The test driver encodes
 * losslessly (I_PCM), so nothing but the colour conversion may differ.
 *
 * Needs LIBVA_DRIVER_NAME / LIBVA_DRIVERS_PATH / LD_PRELOAD of the DRM
 * shim, which tests/stream/Makefile sets when build/vadriver exists;
 * otherwise the tests are skipped.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <va/va.h>
#include <va/va_drm.h>
#include <va/va_str.h>

#include "ks_test.h"
#include "vapipe_test.h"
#include "vapipe_fixture.h"

static void fx_open_packed(struct fixture *f, const char *name, enum ks_idle idle,
			   bool packed)
{
	struct ks_vapipe_config vc = {
		.codec = KS_CODEC_H264, .rc = KS_RC_CQP, .qp = 26, .idle = idle, .pool = 3,
		.no_packed_headers = !packed,
	};

	fx_open_cfg(f, &vc, name);
	/* the test driver declares SPS, PPS and slice packed headers */
	ck_assert_uint_eq(ks_vapipe_packed_headers(f->va),
			  packed ? VA_ENC_PACKED_HEADER_SEQUENCE | VA_ENC_PACKED_HEADER_PICTURE |
			  VA_ENC_PACKED_HEADER_SLICE : 0);
}

static void fx_open(struct fixture *f, const char *name, enum ks_idle idle)
{
	fx_open_packed(f, name, idle, true);
}

static void encode(struct fixture *f, const struct kmscap_event *ev);
static bool ks_no_refs, ks_require_wp;

/* ---- 10-bit sources ---- */

static void pattern10_rgb(const void *arg, unsigned int x, unsigned int y, double *r,
			  double *g, double *b)
{
	unsigned int r10, g10, b10;

	pattern10(*(const unsigned int *)arg, x, y, &r10, &g10, &b10);
	*r = r10;
	*g = g10;
	*b = b10;
}

/* BT.709 limited range 10-bit, as P010 samples (value << 6). */
static void expected_p010(unsigned int n, unsigned int w, unsigned int h, uint16_t *out)
{
	ks_test_yuv420(pattern10_rgb, &n, w, h, 1023, true, out);
}

/* The 10-bit pattern as 8-bit NV12: BT.709 limited range from the 10-bit values. */
static void expected_nv12_from10(unsigned int n, unsigned int w, unsigned int h, uint8_t *out)
{
	ks_test_yuv420(pattern10_rgb, &n, w, h, 1023, false, out);
}

static void compare_p010(const uint16_t *got, unsigned int n, unsigned int w, unsigned int h)
{
	size_t size = (size_t)w * h * 3 / 2, i;
	uint16_t *want = malloc(size * 2);

	ck_assert_ptr_nonnull(want);
	expected_p010(n, w, h, want);
	for (i = 0; i < size; i++) {
		int d = ((int)got[i] >> 6) - ((int)want[i] >> 6);

		ck_assert_msg(d >= -1 && d <= 1 && !(got[i] & 0x3f),
			      "picture %u: %s sample %zu (x %zu, y %zu) is %u, expected %u", n,
			      i < (size_t)w * h ? "luma" : "chroma", i,
			      i < (size_t)w * h ? i % w : (i - (size_t)w * h) % w,
			      i < (size_t)w * h ? i / w : (i - (size_t)w * h) / w, got[i] >> 6,
			      want[i] >> 6);
	}
	free(want);
}

/* ---- HEVC and AV1 ---- */

static const char *codec_ext(enum ks_codec c)
{
	return c == KS_CODEC_HEVC ? "hevc" : c == KS_CODEC_AV1 ? "ivf" : "h264";
}

/* Decode the output with ffmpeg (libdav1d for AV1) into raw frames; the frame count. */
static size_t decode_codec(struct fixture *f, enum ks_codec c, const char *tag, bool p010,
			   unsigned int w, unsigned int h, void **frames)
{
	char in[600], out[600], cmd[1600];
	size_t len, fsize = (size_t)w * h * 3 / 2 * (p010 ? 2 : 1);

	snprintf(in, sizeof(in), "%s/%s.%s", f->dir, tag, codec_ext(c));
	snprintf(out, sizeof(out), "%s/%s.yuv", f->dir, tag);
	write_file(in, f->out.data, f->out.len);
	headers_clean(in, c == KS_CODEC_AV1 ? "ivf" : codec_ext(c));
	snprintf(cmd, sizeof(cmd),
		 "ffmpeg -nostdin -v error -y %s -i '%s' -fps_mode passthrough -f rawvideo -pix_fmt %s '%s'",
		 c == KS_CODEC_AV1 ? "-c:v libdav1d" : c == KS_CODEC_HEVC ? "-f hevc" : "-f h264",
		 in, p010 ? "p010le" : "nv12", out);
	ck_assert_msg(system(cmd) == 0, "ffmpeg could not decode %s", in);
	*frames = (uint8_t *)ks_test_read_file(out, &len);
	ck_assert_msg(len % fsize == 0, "decoded %zu bytes: not whole %ux%u frames", len, w, h);
	return len / fsize;
}

/* ffprobe: per frame "key,width,height,pix_fmt" into @lines; the count. */
static unsigned int probe_frames(struct fixture *f, enum ks_codec c, const char *tag,
				 char lines[][160], unsigned int max)
{
	char cmd[1400], line[128];
	unsigned int n = 0;
	FILE *fp;

	snprintf(cmd, sizeof(cmd),
		 "ffprobe -v error -select_streams v -show_entries frame=key_frame,width,height,pix_fmt "
		 "-of csv=p=0 '%s/%s.%s'", f->dir, tag, codec_ext(c));
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (n < max)
			snprintf(lines[n], 160, "%s", line);
		n++;
	}
	ck_assert_int_eq(pclose(fp), 0);
	return n;
}

/* Open the pipeline for @codec; skip if the driver does not offer it. */
static void fx_open_codec(struct fixture *f, struct ks_vapipe_config *vc, const char *name)
{
	fx_open_vc(f, vc, name, true);
}

/* The IVF file: header fields, and per frame a temporal unit starting with a TD. */
static void check_ivf(const struct ks_buf *b, unsigned int w, unsigned int h, unsigned int frames,
		      unsigned int *keys)
{
	size_t pos = 32;
	uint64_t last = 0;
	unsigned int n = 0;

	ck_assert_uint_ge(b->len, 32);
	ck_assert_mem_eq(b->data, "DKIF", 4);
	ck_assert_uint_eq(b->data[4] | b->data[5] << 8, 0);
	ck_assert_uint_eq(b->data[6] | b->data[7] << 8, 32);
	ck_assert_mem_eq(b->data + 8, "AV01", 4);
	ck_assert_uint_eq(b->data[12] | b->data[13] << 8, w);
	ck_assert_uint_eq(b->data[14] | b->data[15] << 8, h);
	*keys = 0;
	while (pos < b->len) {
		uint32_t size;
		uint64_t pts = 0;
		int i;

		ck_assert_uint_le(pos + 12, b->len);
		size = b->data[pos] | b->data[pos + 1] << 8 | b->data[pos + 2] << 16 |
		       (uint32_t)b->data[pos + 3] << 24;
		for (i = 7; i >= 0; i--)
			pts = pts << 8 | b->data[pos + 4 + i];
		ck_assert_msg(n == 0 || pts > last, "IVF frame %u: pts %llu after %llu", n,
			      (unsigned long long)pts, (unsigned long long)last);
		last = pts;
		ck_assert_uint_le(pos + 12 + size, b->len);
		/* a temporal unit: temporal delimiter first */
		ck_assert_uint_ge(size, 2);
		ck_assert_uint_eq(b->data[pos + 12], 0x12);
		ck_assert_uint_eq(b->data[pos + 13], 0x00);
		/* a sequence header OBU right after it: a key frame */
		if (size > 2 && (b->data[pos + 14] >> 3 & 0xf) == 1)
			(*keys)++;
		pos += 12 + size;
		n++;
	}
	ck_assert_uint_eq(pos, b->len);
	ck_assert_uint_eq(n, frames);
}

/*
 * Six frames of @codec (XR30 sources if @ten), an IDR / key frame
 * requested before frame 4; checks the stream's structure, the key
 * frames, and every decoded sample.
 */
struct codec_opts {
	enum ks_rc rc;			/* default CQP */
	bool driver_headers;		/* no packed headers: the driver writes them */
	bool intra_only;		/* AV1: frames after a key frame are intra-only */
};

static void run_codec_opts(enum ks_codec codec, unsigned int w, unsigned int h, const char *tag,
			   bool ten, bool want_p010, const struct codec_opts *o)
{
	struct ks_vapipe_config vc = {
		.codec = codec, .rc = o->rc, .bitrate = 3000000, .qp = 0, .idle = KS_IDLE_SKIP,
		.pool = 3, .no_packed_headers = o->driver_headers,
	};
	const unsigned int frames = 6;
	struct kmscap_event ev;
	struct fixture f;
	char desc[160], probe[8][160], want[64];
	unsigned int i, n, keys;
	void *dec;

	need_ffmpeg();
	ks_no_refs = o->intra_only;
	fx_open_codec(&f, &vc, tag);
	ks_no_refs = false;
	for (i = 0; i < frames; i++) {
		unsigned int id = 1 + i % 2;

		if (ten)
			draw10(&f, id, i, w, h);
		else
			draw(&f, id, i, w, h);
		if (i == 4)
			ks_vapipe_request_idr(f.va);
		event_for(&ev, i + 1, id, w, h, KMSCAP_FRAME_FULL_DAMAGE |
			  (i == 0 ? KMSCAP_FRAME_FIRST : 0));
		if (ten) {
			ev.format = DRM_FORMAT_XRGB2101010;
		}
		encode(&f, &ev);
	}
	ks_vapipe_describe(f.va, desc, sizeof(desc));
	if (codec == KS_CODEC_HEVC) {
		const char *prof = want_p010 ? "VAProfileHEVCMain10 " : "VAProfileHEVCMain ";

		ck_assert_msg(strncmp(desc, prof, strlen(prof)) == 0, "%s", desc);
	}
	ck_assert_msg(strstr(desc, want_p010 ? "P010" : "NV12") != NULL, "%s", desc);
	ck_assert_msg(strstr(desc, o->rc == KS_RC_CBR ? ", CBR," : ", CQP,") != NULL, "%s", desc);
	ck_assert_uint_eq(!!ks_vapipe_packed_headers(f.va), !o->driver_headers);
	ck_assert_int_eq(ks_vapipe_live_surfaces(f.va), 3 + 2 + 2);
	if (codec == KS_CODEC_HEVC) {
		struct ks_nal nal;
		unsigned int counts[64] = { 0 };
		size_t pos = 0;

		while (ks_annexb_next(f.out.data, f.out.len, &pos, &nal) == 1)
			counts[(nal.data[0] >> 1) & 0x3f]++;
		ck_assert_uint_eq(counts[35], frames);		/* an AUD per access unit */
		ck_assert_uint_eq(counts[19], 2);		/* IDR_W_RADL */
		ck_assert_uint_eq(counts[1], frames - 2);	/* TRAIL_R */
		ck_assert_uint_eq(counts[32], 2);		/* VPS, SPS, PPS on each IDR */
		ck_assert_uint_eq(counts[33], 2);
		ck_assert_uint_eq(counts[34], 2);
	} else if (codec == KS_CODEC_AV1) {
		check_ivf(&f.out, w, h, frames, &keys);
		ck_assert_uint_eq(keys, 2);
	}
	n = decode_codec(&f, codec, tag, want_p010, w, h, &dec);
	ck_assert_uint_eq(n, frames);
	for (i = 0; i < frames; i++) {
		if (want_p010)
			compare_p010((uint16_t *)dec + (size_t)i * w * h * 3 / 2, i, w, h);
		else
			compare((uint8_t *)dec + (size_t)i * w * h * 3 / 2, i, w, h);
	}
	free(dec);
	ck_assert_uint_eq(probe_frames(&f, codec, tag, probe, 8), frames);
	for (i = 0; i < frames; i++) {
		snprintf(want, sizeof(want), "%u,%u,%u,%s", i == 0 || i == 4, w, h,
			 want_p010 ? "yuv420p10le" : "yuv420p");
		ck_assert_msg(!strcmp(probe[i], want), "frame %u: ffprobe %s, expected %s", i,
			      probe[i], want);
	}
	fx_close(&f);
}

static void run_codec(enum ks_codec codec, unsigned int w, unsigned int h, const char *tag,
		      bool ten, bool want_p010)
{
	const struct codec_opts o = { .rc = KS_RC_CQP };

	run_codec_opts(codec, w, h, tag, ten, want_p010, &o);
}

START_TEST(vapipe_hevc_encode_decode)
{
	run_codec(KS_CODEC_HEVC, 320, 240, "hevc", false, false);
}
END_TEST

START_TEST(vapipe_hevc_cbr_driver_headers)
{
	/* CBR (cu_qp_delta where optional) and no packed headers: the driver writes them */
	const struct codec_opts o = { .rc = KS_RC_CBR, .driver_headers = true };

	run_codec_opts(KS_CODEC_HEVC, 192, 128, "hevc-cbr", false, false, &o);
}
END_TEST

/* ffprobe's pict_type of every frame of <workdir>/<tag>/<tag>.hevc, e.g. "IBBBIB". */
static void check_pict_types(const char *tag, const char *want)
{
	char cmd[1400], line[64], got[64];
	unsigned int n = 0;
	FILE *fp;

	snprintf(cmd, sizeof(cmd),
		 "ffprobe -v error -select_streams v -show_entries frame=pict_type -of csv=p=0 '%s/%s/%s.hevc'",
		 ks_test_workdir(), tag, tag);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp) && n + 1 < sizeof(got))
		if (line[0] >= 'A' && line[0] <= 'Z')
			got[n++] = line[0];
	got[n] = '\0';
	ck_assert_int_eq(pclose(fp), 0);
	ck_assert_msg(!strcmp(got, want), "%s.hevc: picture types %s, expected %s", tag, got,
		      want);
}

/*
 * The test driver emulating a low-power HEVC encoder without P slices
 * (KMSCAP_VA_HEVC_GPB=1: VAConfigAttribPredictionDirection with
 * VA_PREDICTION_DIRECTION_BI_NOT_EMPTY, P slices refused, B slices with
 * list 1 = list 0 accepted): kmscap-stream codes its P pictures as
 * generalised P/B, so after each IDR every picture is B, and the stream
 * decodes to the frames drawn.  The driver reads the variable when the
 * pipeline's display first asks for a config, i.e. inside
 * ks_vapipe_open(); as a control, without it the same run gives P.
 */
static void run_hevc_gpb(const char *tag, bool driver_headers)
{
	const struct codec_opts o = { .rc = KS_RC_CQP, .driver_headers = driver_headers };
	char ctl[64];

	snprintf(ctl, sizeof(ctl), "%s-ctl", tag);
	unsetenv("KMSCAP_VA_HEVC_GPB");
	run_codec_opts(KS_CODEC_HEVC, 200, 120, ctl, false, false, &o);
	check_pict_types(ctl, "IPPPIP");

	ck_assert_int_eq(setenv("KMSCAP_VA_HEVC_GPB", "1", 1), 0);
	/* six pictures, IDRs at 0 and 4, every sample compared (run_codec_opts) */
	run_codec_opts(KS_CODEC_HEVC, 200, 120, tag, false, false, &o);
	unsetenv("KMSCAP_VA_HEVC_GPB");
	check_pict_types(tag, "IBBBIB");
}

START_TEST(vapipe_hevc_gpb)
{
	/* packed VPS, SPS, PPS and B slice headers from kmscap-stream */
	run_hevc_gpb("hevc-gpb", false);
}
END_TEST

START_TEST(vapipe_hevc_gpb_driver_headers)
{
	/* no packed headers: the driver writes the B slice headers from the parameters */
	run_hevc_gpb("hevc-gpb-drv", true);
}
END_TEST

START_TEST(vapipe_av1_intra_only)
{
	/* a driver with VAConfigAttribEncMaxRefFrames 0: intra-only frames after a key frame */
	const struct codec_opts o = { .rc = KS_RC_CQP, .intra_only = true };

	run_codec_opts(KS_CODEC_AV1, 192, 128, "av1-intra", false, false, &o);
}
END_TEST

START_TEST(vapipe_hevc_cropped)
{
	/* not a multiple of the coding block: the SPS conformance window crops */
	run_codec(KS_CODEC_HEVC, 200, 120, "hevc-crop", false, false);
}
END_TEST

START_TEST(vapipe_hevc_main10)
{
	/* XR30 frames: VPP to P010, HEVC Main 10 */
	run_codec(KS_CODEC_HEVC, 320, 240, "hevc10", true, true);
}
END_TEST

START_TEST(vapipe_av1_encode_decode)
{
	/* --qp 0: base_q_idx 0, lossless */
	run_codec(KS_CODEC_AV1, 320, 240, "av1", false, false);
}
END_TEST

START_TEST(vapipe_av1_ten_bit)
{
	run_codec(KS_CODEC_AV1, 200, 120, "av1-10", true, true);
}
END_TEST

/*
 * H.264 is encoded 8-bit: an XR30 source goes to the NV12 pool and an
 * 8-bit profile (with a notice on stderr).
 */
START_TEST(vapipe_ten_bit_to_8bit_h264)
{
	struct ks_vapipe_config vc = {
		.codec = KS_CODEC_H264, .rc = KS_RC_CQP, .qp = 26, .idle = KS_IDLE_SKIP, .pool = 2,
	};
	struct kmscap_event ev;
	struct fixture f;
	uint8_t *want, *got;
	void *frames;
	char desc[160];
	size_t nf, i;
	int ret;

	fx_open_codec(&f, &vc, "h264-xr30");
	draw10(&f, 1, 0, 128, 96);
	event_for(&ev, 1, 1, 128, 96, KMSCAP_FRAME_FULL_DAMAGE | KMSCAP_FRAME_FIRST);
	ev.format = DRM_FORMAT_XRGB2101010;
	ret = ks_vapipe_frame(f.va, NULL, &ev, &f.out);
	ks_vapipe_describe(f.va, desc, sizeof(desc));
	ck_assert_msg(strncmp(desc, "VAProfileH264High ", 18) == 0 && strstr(desc, "NV12"),
		      "%s", desc);
	ck_assert_msg(ret == 0, "%s", ks_vapipe_error(f.va));
	/* decoded: the 10-bit picture rounded to 8 bits (within 1) */
	nf = decode_codec(&f, KS_CODEC_H264, "h264-xr30", false, 128, 96, &frames);
	ck_assert_uint_eq(nf, 1);
	want = malloc(128 * 96 * 3 / 2);
	ck_assert_ptr_nonnull(want);
	expected_nv12_from10(0, 128, 96, want);
	got = frames;
	for (i = 0; i < 128 * 96 * 3 / 2; i++)
		ck_assert_msg(abs((int)got[i] - (int)want[i]) <= 1,
			      "%s byte %zu is %u, expected %u", i < 128 * 96 ? "luma" : "chroma",
			      i, got[i], want[i]);
	free(want);
	free(frames);
	fx_close(&f);
}
END_TEST

/* NAL types of every NAL in the output, counted. */
static void count_nals(const struct ks_buf *b, unsigned int counts[32])
{
	struct ks_nal nal;
	size_t pos = 0;
	int ret;

	memset(counts, 0, 32 * sizeof(counts[0]));
	while ((ret = ks_annexb_next(b->data, b->len, &pos, &nal)) == 1)
		counts[ks_h264_nal_type(&nal)]++;
	ck_assert_int_eq(ret, 0);
}

static void encode(struct fixture *f, const struct kmscap_event *ev)
{
	int ret = ks_vapipe_frame(f->va, NULL, ev, &f->out);

	ck_assert_msg(ret == 0, "frame %llu: %s", (unsigned long long)ev->seq,
		      ks_vapipe_error(f->va));
}

static void run_sequence(unsigned int w, unsigned int h, const char *tag, bool packed)
{
	const unsigned int frames = 6;
	struct kmscap_event ev;
	struct fixture f;
	unsigned int i, counts[32];
	uint8_t *dec;

	need_ffmpeg();
	fx_open_packed(&f, tag, KS_IDLE_SKIP, packed);
	for (i = 0; i < frames; i++) {
		unsigned int id = 1 + i % 2;

		/* double buffering: two buffer ids, each imported once */
		draw(&f, id, i, w, h);
		if (i == 4)
			ks_vapipe_request_idr(f.va);	/* what SIGUSR1 does */
		event_for(&ev, i + 1, id, w, h, KMSCAP_FRAME_FULL_DAMAGE |
			  (i == 0 ? KMSCAP_FRAME_FIRST : 0));
		encode(&f, &ev);
	}
	ck_assert_uint_eq(f.exports, 2);
	/* 3 pool + 2 reconstructed + 2 imported */
	ck_assert_int_eq(ks_vapipe_live_surfaces(f.va), 3 + 2 + 2);
	count_nals(&f.out, counts);
	ck_assert_uint_eq(counts[9], frames);	/* one AUD per access unit */
	ck_assert_uint_eq(counts[5], 2);	/* IDR slices: frame 0 and the request */
	ck_assert_uint_eq(counts[1], frames - 2);
	ck_assert_uint_ge(counts[7], 1);
	ck_assert_uint_ge(counts[8], 1);
	ck_assert_uint_eq(decode(&f, tag, w, h, &dec), frames);
	for (i = 0; i < frames; i++)
		compare(dec + (size_t)i * w * h * 3 / 2, i, w, h);
	free(dec);
	fx_close(&f);
}

START_TEST(vapipe_encode_decode)
{
	run_sequence(320, 240, "encode", true);
}
END_TEST

START_TEST(vapipe_driver_headers)
{
	/* the driver writes SPS, PPS and slice headers itself */
	run_sequence(320, 240, "driverhdr", false);
}
END_TEST

START_TEST(vapipe_cropped_size)
{
	/* not a multiple of 16: the SPS crops 208x128 down to 200x120 */
	run_sequence(200, 120, "crop", true);
}
END_TEST

START_TEST(vapipe_mode_change_idr)
{
	struct kmscap_event ev;
	struct fixture f;
	char cmd[1400], line[128];
	unsigned int i, n = 0;
	FILE *fp;
	static const struct {
		unsigned int w, h, key;
	} want[] = { { 320, 240, 1 }, { 320, 240, 0 }, { 256, 192, 1 }, { 256, 192, 0 } };

	need_ffmpeg();
	fx_open(&f, "modechange", KS_IDLE_SKIP);
	for (i = 0; i < 4; i++) {
		unsigned int w = want[i].w, h = want[i].h, id = i < 2 ? 1 : 3;

		draw(&f, id, i, w, h);
		event_for(&ev, i + 1, id, w, h, KMSCAP_FRAME_FULL_DAMAGE |
			  (i == 2 ? KMSCAP_FRAME_NEW_MODE : 0));
		encode(&f, &ev);
	}
	/* the mode change dropped the import of buffer 1 */
	ck_assert_int_eq(ks_vapipe_live_surfaces(f.va), 3 + 2 + 1);
	snprintf(cmd, sizeof(cmd), "%s/mc.h264", f.dir);
	write_file(cmd, f.out.data, f.out.len);
	snprintf(cmd, sizeof(cmd),
		 "ffprobe -v error -select_streams v -show_entries frame=width,height,key_frame "
		 "-of csv=p=0 '%s/mc.h264'", f.dir);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp)) {
		unsigned int key, w, h;

		ck_assert_msg(sscanf(line, "%u,%u,%u", &key, &w, &h) == 3, "ffprobe: %s", line);
		ck_assert_uint_lt(n, 4);
		ck_assert_msg(w == want[n].w && h == want[n].h && key == want[n].key,
			      "frame %u: %ux%u key %u, expected %ux%u key %u", n, w, h, key,
			      want[n].w, want[n].h, want[n].key);
		n++;
	}
	ck_assert_int_eq(pclose(fp), 0);
	ck_assert_uint_eq(n, 4);
	fx_close(&f);
}
END_TEST

static void idle_run(enum ks_idle idle, unsigned int *units, unsigned int *slices)
{
	struct kmscap_event ev;
	struct fixture f;
	unsigned int counts[32];

	fx_open(&f, idle == KS_IDLE_SKIP ? "idle-skip" : "idle-repeat", idle);
	draw(&f, 1, 0, 128, 96);
	event_for(&ev, 1, 1, 128, 96, KMSCAP_FRAME_FULL_DAMAGE | KMSCAP_FRAME_FIRST);
	encode(&f, &ev);
	/* no damage, no cursor change: idle */
	event_for(&ev, 2, 1, 128, 96, 0);
	encode(&f, &ev);
	/* damage again */
	event_for(&ev, 3, 1, 128, 96, 0);
	ev.num_damage = 1;
	ev.damage[0] = (struct kmscap_rect){ 0, 0, 16, 16 };
	encode(&f, &ev);
	count_nals(&f.out, counts);
	*units = counts[9];
	*slices = counts[1] + counts[5];
	fx_close(&f);
}

START_TEST(vapipe_idle_skip_repeat)
{
	unsigned int units, slices;

	idle_run(KS_IDLE_SKIP, &units, &slices);
	ck_assert_uint_eq(units, 2);
	ck_assert_uint_eq(slices, 2);
	idle_run(KS_IDLE_REPEAT, &units, &slices);
	ck_assert_uint_eq(units, 3);
	ck_assert_uint_eq(slices, 3);
}
END_TEST

START_TEST(vapipe_blank_frame)
{
	struct kmscap_event ev;
	struct fixture f;

	fx_open(&f, "blank", KS_IDLE_SKIP);
	event_for(&ev, 1, 0, 128, 96, KMSCAP_FRAME_BLANK | KMSCAP_FRAME_FULL_DAMAGE);
	encode(&f, &ev);
	ck_assert_uint_eq(f.out.len, 0);
	ck_assert_uint_eq(f.exports, 0);
	fx_close(&f);
}
END_TEST

START_TEST(vapipe_no_device)
{
	struct ks_vapipe_config vc = { .device = "/nonexistent/renderD128" };
	struct ks_vapipe *va = NULL;
	char err[512];

	ck_assert_int_eq(ks_vapipe_open(&vc, &va, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "no VA-API device at /nonexistent/renderD128 (set --render-node)");
	ck_assert_ptr_null(va);
}
END_TEST

bool ks_test_va_offers(const char *device, int profile, unsigned int rt_format)
{
	VAEntrypoint eps[16];
	VAConfigAttrib at = { .type = VAConfigAttribRTFormat };
	VADisplay dpy;
	int fd, n = 0, i, major, minor;
	bool ok = false;

	fd = open(device, O_RDWR | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "%s: %s", device, strerror(errno));
	dpy = vaGetDisplayDRM(fd);
	ck_assert_ptr_nonnull(dpy);
	vaSetInfoCallback(dpy, NULL, NULL);
	ck_assert_int_eq(vaInitialize(dpy, &major, &minor), VA_STATUS_SUCCESS);
	if (vaQueryConfigEntrypoints(dpy, (VAProfile)profile, eps, &n) != VA_STATUS_SUCCESS)
		n = 0;
	for (i = 0; i < n && i < 16 && !ok; i++) {
		if (eps[i] != VAEntrypointEncSlice && eps[i] != VAEntrypointEncSliceLP)
			continue;
		if (vaGetConfigAttributes(dpy, (VAProfile)profile, eps[i], &at, 1) ==
		    VA_STATUS_SUCCESS && at.value != VA_ATTRIB_NOT_SUPPORTED &&
		    (at.value & rt_format))
			ok = true;
	}
	vaTerminate(dpy);
	close(fd);
	return ok;
}

/*
 * The driver as the pipeline sees it, with profiles hidden: hide_profiles.c,
 * linked into this program, interposes libva's profile and entrypoint
 * queries (the real ones are called through RTLD_NEXT); a profile listed
 * in $KS_HIDE_PROFILES is neither listed nor has entrypoints, and with
 * $KS_HIDE_LP set no profile has VAEntrypointEncSliceLP.  This simulates
 * a driver without HEVC / AV1 / H.264 encoding while the test driver
 * offers them all.
 */
#define KS_NOHIDE (-100)	/* not a VAProfile (VAProfileNone is -1) */

/* Hides the (up to 4) profiles of @hide, KS_NOHIDE where there are fewer. */
static void ks_hide(const int hide[4])
{
	char list[64] = "";
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (hide[i] != KS_NOHIDE)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d",
				 *list ? "," : "", hide[i]);
	setenv("KS_HIDE_PROFILES", list, 1);
}

static void ks_unhide(void)
{
	unsetenv("KS_HIDE_PROFILES");
}

/* With ks_no_refs, the driver answers VAConfigAttribEncMaxRefFrames with 0. */

VAStatus vaGetConfigAttributes(VADisplay dpy, VAProfile prof, VAEntrypoint ep,
			       VAConfigAttrib *list, int num);
VAStatus vaGetConfigAttributes(VADisplay dpy, VAProfile prof, VAEntrypoint ep,
			       VAConfigAttrib *list, int num)
{
	VAStatus (*real)(VADisplay, VAProfile, VAEntrypoint, VAConfigAttrib *, int) =
		(VAStatus (*)(VADisplay, VAProfile, VAEntrypoint, VAConfigAttrib *, int))dlsym(
			RTLD_NEXT, "vaGetConfigAttributes");
	VAStatus st = real(dpy, prof, ep, list, num);
	int i;

	for (i = 0; st == VA_STATUS_SUCCESS && ks_no_refs && i < num; i++)
		if (list[i].type == VAConfigAttribEncMaxRefFrames)
			list[i].value = 0;
	for (i = 0; st == VA_STATUS_SUCCESS && ks_require_wp && i < num; i++) {
		if (list[i].type == VAConfigAttribEncHEVCFeatures &&
		    list[i].value != VA_ATTRIB_NOT_SUPPORTED) {
			VAConfigAttribValEncHEVCFeatures f = { .value = list[i].value };

			f.bits.weighted_prediction = VA_FEATURE_REQUIRED;
			list[i].value = f.value;
		}
	}
	return st;
}

/* ks_vapipe_open()'s message with the profiles of @hide hidden. */
static int open_hidden(struct ks_vapipe_config *vc, const int hide[4], char *err, size_t len)
{
	struct ks_vapipe *va = NULL;
	int ret;

	ks_hide(hide);
	ret = ks_vapipe_open(vc, &va, err, len);
	ks_unhide();
	if (!ret)
		ks_vapipe_close(va);
	return ret;
}

/*
 * A driver without the codec's encode entrypoint: the error names the
 * codec and the profile(s); with the profile back, the same open works.
 */
START_TEST(vapipe_no_hevc_entrypoint)
{
	static const int none[4] = { KS_NOHIDE, KS_NOHIDE, KS_NOHIDE, KS_NOHIDE };
	static const int no_hevc[4] = { VAProfileHEVCMain, VAProfileHEVCMain10, KS_NOHIDE,
					 KS_NOHIDE };
	static const int no_av1[4] = { VAProfileAV1Profile0, KS_NOHIDE, KS_NOHIDE, KS_NOHIDE };
	static const int no_h264[4] = { VAProfileH264High, VAProfileH264Main,
					VAProfileH264ConstrainedBaseline, KS_NOHIDE };
	struct ks_vapipe_config vc = { .rc = KS_RC_CQP, .qp = 26 };
	struct fixture f;
	char err[512], want[800];

	fx_need_driver();
	memset(&f, 0, sizeof(f));
	snprintf(f.device, sizeof(f.device), "%s/kmscap-va-fake-render", ks_test_workdir());
	close(open(f.device, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	vc.device = f.device;
	vc.export_buf = fx_export;

	vc.codec = KS_CODEC_HEVC;
	ck_assert_int_eq(open_hidden(&vc, no_hevc, err, sizeof(err)), -EOPNOTSUPP);
	snprintf(want, sizeof(want),
		 "the VA-API driver on %s has no encode entrypoint for HEVC (VAProfileHEVCMain)",
		 f.device);
	ck_assert_str_eq(err, want);
	vc.codec = KS_CODEC_AV1;
	ck_assert_int_eq(open_hidden(&vc, no_av1, err, sizeof(err)), -EOPNOTSUPP);
	snprintf(want, sizeof(want),
		 "the VA-API driver on %s has no encode entrypoint for AV1 (VAProfileAV1Profile0)",
		 f.device);
	ck_assert_str_eq(err, want);
	vc.codec = KS_CODEC_H264;
	ck_assert_int_eq(open_hidden(&vc, no_h264, err, sizeof(err)), -EOPNOTSUPP);
	snprintf(want, sizeof(want),
		 "the VA-API driver on %s has no encode entrypoint for H.264 (VAProfileH264High, Main or ConstrainedBaseline)",
		 f.device);
	ck_assert_str_eq(err, want);

	/* the driver's real answers: whatever it offers opens */
	for (vc.codec = KS_CODEC_H264; vc.codec <= KS_CODEC_AV1; vc.codec++) {
		static const VAProfile prof[] = { VAProfileH264High, VAProfileHEVCMain,
						  VAProfileAV1Profile0 };

		if (!ks_test_va_offers(f.device, prof[vc.codec], VA_RT_FORMAT_YUV420))
			continue;
		ck_assert_msg(open_hidden(&vc, none, err, sizeof(err)) == 0, "%s", err);
	}
}
END_TEST

/*
 * The entrypoint and profile choice: EncSliceLP where offered, else
 * EncSlice; H.264 High first.
 */
START_TEST(vapipe_entrypoint_choice)
{
	static const char *const want[] = { "VAProfileH264High ", "VAProfileHEVCMain ",
					    "VAProfileAV1Profile0 " };
	static const VAProfile prof[] = { VAProfileH264High, VAProfileHEVCMain,
					  VAProfileAV1Profile0 };
	struct ks_vapipe_config vc = { .rc = KS_RC_CQP, .qp = 26 };
	struct ks_vapipe *va = NULL;
	struct fixture f;
	char err[512], desc[160];
	unsigned int lp, tested = 0;

	fx_need_driver();
	memset(&f, 0, sizeof(f));
	snprintf(f.device, sizeof(f.device), "%s/kmscap-va-fake-render", ks_test_workdir());
	close(open(f.device, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	vc.device = f.device;
	vc.export_buf = fx_export;
	for (vc.codec = KS_CODEC_H264; vc.codec <= KS_CODEC_AV1; vc.codec++) {
		if (!ks_test_va_offers(f.device, prof[vc.codec], VA_RT_FORMAT_YUV420))
			continue;
		for (lp = 0; lp < 2; lp++) {
			if (!lp)
				setenv("KS_HIDE_LP", "1", 1);
			ck_assert_msg(ks_vapipe_open(&vc, &va, err, sizeof(err)) == 0, "%s", err);
			unsetenv("KS_HIDE_LP");
			ks_vapipe_describe(va, desc, sizeof(desc));
			ks_vapipe_close(va);
			ck_assert_msg(!strncmp(desc, want[vc.codec], strlen(want[vc.codec])), "%s",
				      desc);
			ck_assert_msg(strstr(desc, lp ? " VAEntrypointEncSliceLP," :
					     " VAEntrypointEncSlice,"), "%s", desc);
		}
		tested++;
	}
	ck_assert_uint_ge(tested, 1);
}
END_TEST

/* A driver that requires an HEVC tool the helper does not use is refused at open. */
START_TEST(vapipe_hevc_required_feature)
{
	struct ks_vapipe_config vc = { .codec = KS_CODEC_HEVC, .rc = KS_RC_CQP, .qp = 26 };
	struct ks_vapipe *va = NULL;
	struct fixture f;
	char err[512];
	int ret;

	fx_need_driver();
	memset(&f, 0, sizeof(f));
	snprintf(f.device, sizeof(f.device), "%s/kmscap-va-fake-render", ks_test_workdir());
	close(open(f.device, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	if (!ks_test_va_offers(f.device, VAProfileHEVCMain, VA_RT_FORMAT_YUV420))
		ks_skip("the test driver offers no HEVC");
	vc.device = f.device;
	vc.export_buf = fx_export;
	ks_require_wp = true;
	ret = ks_vapipe_open(&vc, &va, err, sizeof(err));
	ks_require_wp = false;
	if (!ret)
		ks_vapipe_close(va);
	ck_assert_int_eq(ret, -EOPNOTSUPP);
	ck_assert_msg(strstr(err, ": VAProfileHEVCMain requires weighted prediction (VAConfigAttribEncHEVCFeatures 0x") &&
		      strstr(err, "), which kmscap-stream does not use"), "%s", err);
	ck_assert_msg(!strncmp(err, f.device, strlen(f.device)), "%s", err);
}
END_TEST

/*
 * HEVC Main 10 hidden: an XR30 source is encoded with HEVC Main from NV12
 * (the choice is visible in describe; the test driver cannot convert RGB10
 * to NV12, so the encode itself is not checked).
 */
START_TEST(vapipe_hevc_without_main10)
{
	static const int no_main10[4] = { VAProfileHEVCMain10, KS_NOHIDE, KS_NOHIDE, KS_NOHIDE };
	struct ks_vapipe_config vc = {
		.codec = KS_CODEC_HEVC, .rc = KS_RC_CQP, .qp = 26, .idle = KS_IDLE_SKIP, .pool = 2,
	};
	struct kmscap_event ev;
	struct fixture f;
	char desc[160];

	ks_hide(no_main10);
	fx_open_codec(&f, &vc, "hevc-no10");
	ks_unhide();
	draw10(&f, 1, 0, 128, 96);
	event_for(&ev, 1, 1, 128, 96, KMSCAP_FRAME_FULL_DAMAGE | KMSCAP_FRAME_FIRST);
	ev.format = DRM_FORMAT_XRGB2101010;
	(void)ks_vapipe_frame(f.va, NULL, &ev, &f.out);
	ks_vapipe_describe(f.va, desc, sizeof(desc));
	ck_assert_msg(strncmp(desc, "VAProfileHEVCMain ", 18) == 0 && strstr(desc, "NV12"),
		      "%s", desc);
	fx_close(&f);
}
END_TEST

START_TEST(vapipe_bad_format)
{
	struct kmscap_event ev;
	struct fixture f;

	fx_open(&f, "badformat", KS_IDLE_SKIP);
	draw(&f, 1, 0, 128, 96);
	event_for(&ev, 1, 1, 128, 96, KMSCAP_FRAME_FULL_DAMAGE);
	ev.format = DRM_FORMAT_RGB565;
	ck_assert_int_eq(ks_vapipe_frame(f.va, NULL, &ev, &f.out), -EOPNOTSUPP);
	ck_assert_str_eq(ks_vapipe_error(f.va),
			 "buffer format RG16 is not an RGB format VA can import");
	fx_close(&f);
}
END_TEST

/* --gop 3: IDRs at frames 0, 3 and 6; --intra-refresh and --rc cbr (the test driver offers CBR). */
START_TEST(vapipe_gop_rc_intra_refresh)
{
	struct ks_vapipe_config vc = {
		.codec = KS_CODEC_H264, .rc = KS_RC_CBR, .bitrate = 2000000, .qp = 30,
		.gop = 3, .intra_refresh = true, .idle = KS_IDLE_SKIP, .pool = 2,
	};
	struct kmscap_event ev;
	struct fixture f;
	struct ks_nal nal;
	unsigned int i, n = 0, idr[8], counts[32];
	char desc[128];
	size_t pos = 0;
	uint8_t *dec;

	need_ffmpeg();
	fx_open_cfg(&f, &vc, "gop");
	/* the test driver offers CBR (validated, recorded, output still lossless) */
	ks_vapipe_describe(f.va, desc, sizeof(desc));
	ck_assert_msg(strstr(desc, "CBR") != NULL, "%s", desc);
	for (i = 0; i < 7; i++) {
		draw(&f, 1 + i % 2, i, 160, 128);
		event_for(&ev, i + 1, 1 + i % 2, 160, 128, KMSCAP_FRAME_FULL_DAMAGE);
		encode(&f, &ev);
	}
	/* which access units start an IDR */
	i = 0;
	while (ks_annexb_next(f.out.data, f.out.len, &pos, &nal) == 1) {
		if (ks_h264_nal_type(&nal) == 9)
			i++;
		if (ks_h264_nal_type(&nal) == 5 && n < 8)
			idr[n++] = i - 1;
	}
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(idr[0], 0);
	ck_assert_uint_eq(idr[1], 3);
	ck_assert_uint_eq(idr[2], 6);
	count_nals(&f.out, counts);
	ck_assert_uint_eq(counts[9], 7);
	ck_assert_uint_eq(decode(&f, "gop", 160, 128, &dec), 7);
	for (i = 0; i < 7; i++)
		compare(dec + (size_t)i * 160 * 128 * 3 / 2, i, 160, 128);
	free(dec);
	fx_close(&f);
}
END_TEST

/* ---- cursor compositing ---- */

#define CUR_ID 4
#define CUR_W 64
#define CUR_H 64
#define CUR_X 40
#define CUR_Y 30

/* Premultiplied ARGB of cursor pixel (x, y): opaque, half and clear parts. */
static void cur_pix(unsigned int x, unsigned int y, uint8_t *a, uint8_t *r, uint8_t *g,
		    uint8_t *b)
{
	*a = x < 32 ? 255 : y < 32 ? 128 : 0;
	*r = (uint8_t)(*a * ((x * 4) & 0xff) / 255);
	*g = (uint8_t)(*a * 200 / 255);
	*b = (uint8_t)(*a * ((y * 4) & 0xff) / 255);
}

static void draw_cursor(struct fixture *f)
{
	size_t size = CUR_W * 4 * CUR_H;
	uint8_t *map, a, r, g, b;
	unsigned int x, y;

	f->memfd[CUR_ID] = memfd_create("ks-fake-cursor", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	ck_assert_int_ge(f->memfd[CUR_ID], 0);
	ck_assert_int_eq(ftruncate(f->memfd[CUR_ID], (off_t)size), 0);
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, f->memfd[CUR_ID], 0);
	ck_assert_ptr_ne(map, MAP_FAILED);
	for (y = 0; y < CUR_H; y++) {
		for (x = 0; x < CUR_W; x++) {
			uint8_t *p = map + (y * CUR_W + x) * 4;

			cur_pix(x, y, &a, &r, &g, &b);
			p[0] = b;
			p[1] = g;
			p[2] = r;
			p[3] = a;
		}
	}
	munmap(map, size);
}

static void with_cursor(struct kmscap_event *ev, uint32_t extra)
{
	ev->flags |= KMSCAP_FRAME_CURSOR_VISIBLE | extra;
	ev->cursor_buffer_id = CUR_ID;
	ev->cursor_format = DRM_FORMAT_ARGB8888;
	ev->cursor_width = CUR_W;
	ev->cursor_height = CUR_H;
	ev->cursor_pitch = CUR_W * 4;
	ev->cursor_x = CUR_X;
	ev->cursor_y = CUR_Y;
}

static int clampi(long v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : (int)v;
}

static int luma709(uint8_t r, uint8_t g, uint8_t b)
{
	return clampi(lround(16 + 219 * (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255), 16, 235);
}

/*
 * The test driver blends: the decoded luma equals the cursor's colour where
 * the cursor is opaque, the frame where it is transparent or absent, and the
 * premultiplied blend where it is half transparent (rounding of the
 * driver's 2x2 chroma-aware path allowed: +-2).
 */
START_TEST(vapipe_cursor_composite)
{
	struct kmscap_event ev;
	struct fixture f;
	unsigned int x, y;
	uint8_t *dec, a, r, g, b, pr, pg, pb;

	need_ffmpeg();
	fx_open(&f, "cursor", KS_IDLE_SKIP);
	draw(&f, 1, 0, 320, 240);
	draw_cursor(&f);
	event_for(&ev, 1, 1, 320, 240, KMSCAP_FRAME_FULL_DAMAGE | KMSCAP_FRAME_FIRST);
	with_cursor(&ev, KMSCAP_FRAME_CURSOR_CHANGED);
	encode(&f, &ev);
	ck_assert_int_eq(ks_vapipe_blend_refused(f.va), 0);
	ck_assert_uint_eq(decode(&f, "cursor", 320, 240, &dec), 1);
	for (y = 0; y < 240; y++) {
		for (x = 0; x < 320; x++) {
			int got = dec[y * 320 + x], bg, want, lo, hi;
			bool in = x >= CUR_X && x < CUR_X + CUR_W && y >= CUR_Y && y < CUR_Y + CUR_H;

			pattern(0, x, y, &pr, &pg, &pb);
			bg = luma709(pr, pg, pb);
			a = 0;
			if (in)
				cur_pix(x - CUR_X, y - CUR_Y, &a, &r, &g, &b);
			if (a == 255) {
				want = luma709(r, g, b);
				lo = want - 1;
				hi = want + 1;
			} else if (a == 0) {
				lo = bg - 1;
				hi = bg + 1;
			} else {
				/* premultiplied: cursor + (1 - alpha) * frame */
				want = (int)lround(luma709(r, g, b) +
						   (1 - a / 255.0) * (bg - 16));
				lo = want - 2;
				hi = want + 2;
			}
			ck_assert_msg(got >= lo && got <= hi,
				      "luma at (%u, %u), cursor alpha %u: %d, expected %d..%d", x, y,
				      a, got, lo, hi);
		}
	}
	free(dec);
	fx_close(&f);
}
END_TEST

START_TEST(vapipe_cursor_separate_is_idle)
{
	struct ks_vapipe_config vc = {
		.codec = KS_CODEC_H264, .rc = KS_RC_CQP, .qp = 26, .idle = KS_IDLE_SKIP,
		.pool = 2, .cursor = KS_CURSOR_SEPARATE,
	};
	struct kmscap_event ev;
	struct fixture f;
	size_t len;

	fx_open_cfg(&f, &vc, "cursor-sep");
	draw(&f, 1, 0, 128, 96);
	event_for(&ev, 1, 1, 128, 96, KMSCAP_FRAME_FULL_DAMAGE | KMSCAP_FRAME_FIRST);
	encode(&f, &ev);
	len = f.out.len;
	ck_assert_uint_gt(len, 0);
	/* the cursor is not in the picture: moving it changes nothing */
	event_for(&ev, 2, 1, 128, 96, 0);
	with_cursor(&ev, KMSCAP_FRAME_CURSOR_MOVED | KMSCAP_FRAME_CURSOR_CHANGED);
	encode(&f, &ev);
	ck_assert_uint_eq(f.out.len, len);
	ck_assert_int_eq(ks_vapipe_blend_refused(f.va), 0);
	fx_close(&f);
}
END_TEST

/* ---- the whole chain: fake kmscap events -> io_uring loop -> VA -> file ---- */

struct chain {
	struct fixture f;
	int rd, wr;			/* SOCK_SEQPACKET: events */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int released;
	unsigned int frames;
	unsigned int w, h;
};

static int chain_read(void *opaque, struct kmscap_event *evs, size_t max)
{
	struct chain *c = opaque;
	size_t n = 0;
	ssize_t r;

	while (n < max) {
		r = recv(c->rd, &evs[n], sizeof(evs[n]), MSG_DONTWAIT);
		if (r != (ssize_t)sizeof(evs[n]))
			break;
		n++;
	}
	return (int)n;
}

static int chain_release(void *opaque, uint64_t seq)
{
	struct chain *c = opaque;

	(void)seq;
	pthread_mutex_lock(&c->lock);
	c->released++;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

static const struct ks_source_ops chain_src = { .read = chain_read, .release = chain_release };

/* Draws and sends frame i once frame i - 1 is back; SIGTERM after the last. */
static void *chain_feeder(void *arg)
{
	struct chain *c = arg;
	struct kmscap_event ev;
	unsigned int i;

	for (i = 0; i < c->frames; i++) {
		pthread_mutex_lock(&c->lock);
		while (c->released < i)
			pthread_cond_wait(&c->cond, &c->lock);
		pthread_mutex_unlock(&c->lock);
		draw(&c->f, 1 + i % 2, i, c->w, c->h);
		event_for(&ev, i + 1, 1 + i % 2, c->w, c->h, KMSCAP_FRAME_FULL_DAMAGE);
		if (send(c->wr, &ev, sizeof(ev), 0) != (ssize_t)sizeof(ev))
			break;
	}
	pthread_mutex_lock(&c->lock);
	while (c->released < c->frames)
		pthread_cond_wait(&c->cond, &c->lock);
	pthread_mutex_unlock(&c->lock);
	kill(getpid(), SIGTERM);	/* mid-stream: the display goes on */
	return NULL;
}

static int count_fds(void)
{
	int n = 0, fd;

	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

START_TEST(chain_sigterm_decodable)
{
	struct ks_loop_config lc = { 0 };
	struct ks_loop *loop;
	struct chain c = { .frames = 8, .w = 320, .h = 240 };
	char path[700];
	pthread_t thr;
	uint8_t *dec;
	int sv[2], out, fds, i;
	size_t len;

	need_ffmpeg();
	ck_assert_int_eq(ks_loop_block_signals(), 0);
	fds = count_fds();
	fx_open(&c.f, "chain", KS_IDLE_SKIP);
	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.cond, NULL);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	c.rd = sv[0];
	c.wr = sv[1];
	snprintf(path, sizeof(path), "%s/chain.h264", c.f.dir);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(out, 0);
	lc.src_fd = c.rd;
	lc.src = &chain_src;
	lc.src_opaque = &c;
	lc.out_fd = out;
	lc.enc = &ks_vapipe_ops;
	lc.enc_opaque = c.f.va;
	lc.stats_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ck_assert_int_eq(ks_loop_new(&lc, &loop), 0);
	ck_assert_int_eq(pthread_create(&thr, NULL, chain_feeder, &c), 0);
	ck_assert_int_eq(ks_loop_run(loop), KS_STOP_SIGNAL);
	pthread_join(thr, NULL);
	ck_assert_uint_eq(ks_loop_stats(loop)->total.encoded, c.frames);
	ck_assert_uint_eq(ks_loop_stats(loop)->total.released, c.frames);
	ck_assert_uint_eq(c.released, c.frames);
	ks_loop_free(loop);
	close(out);
	close(lc.stats_fd);
	close(c.rd);
	close(c.wr);
	fx_close(&c.f);
	/* nothing leaks: every fd, import and surface is gone */
	ck_assert_int_eq(count_fds(), fds);

	/* the file ends cleanly: every frame decodes and matches */
	c.f.out.data = (uint8_t *)ks_test_read_file(path, &len);
	c.f.out.len = len;
	ck_assert_uint_eq(decode(&c.f, "chain-dec", c.w, c.h, &dec), c.frames);
	for (i = 0; i < (int)c.frames; i++)
		compare(dec + (size_t)i * c.w * c.h * 3 / 2, (unsigned int)i, c.w, c.h);
	free(dec);
	free(c.f.out.data);
}
END_TEST

Suite *ks_suite_vapipe(void)
{
	Suite *s = suite_create("vapipe");

	KS_ADD_T(s, vapipe_encode_decode, 120);
	KS_ADD_T(s, vapipe_driver_headers, 120);
	KS_ADD_T(s, vapipe_cropped_size, 120);
	KS_ADD_T(s, vapipe_mode_change_idr, 120);
	KS_ADD_T(s, vapipe_idle_skip_repeat, 60);
	KS_ADD(s, vapipe_blank_frame);
	KS_ADD(s, vapipe_no_device);
	KS_ADD(s, vapipe_no_hevc_entrypoint);
	KS_ADD(s, vapipe_bad_format);
	KS_ADD_T(s, vapipe_gop_rc_intra_refresh, 60);
	KS_ADD_T(s, vapipe_cursor_composite, 60);
	KS_ADD(s, vapipe_cursor_separate_is_idle);
	KS_ADD_T(s, chain_sigterm_decodable, 120);
	KS_ADD_T(s, vapipe_hevc_encode_decode, 120);
	KS_ADD_T(s, vapipe_hevc_cropped, 120);
	KS_ADD_T(s, vapipe_hevc_main10, 120);
	KS_ADD_T(s, vapipe_av1_encode_decode, 120);
	KS_ADD_T(s, vapipe_av1_ten_bit, 120);
	KS_ADD_T(s, vapipe_hevc_cbr_driver_headers, 120);
	KS_ADD_T(s, vapipe_av1_intra_only, 120);
	KS_ADD(s, vapipe_ten_bit_to_8bit_h264);
	KS_ADD(s, vapipe_hevc_without_main10);
	KS_ADD(s, vapipe_entrypoint_choice);
	KS_ADD(s, vapipe_hevc_required_feature);
	KS_ADD_T(s, vapipe_hevc_gpb, 120);
	KS_ADD_T(s, vapipe_hevc_gpb_driver_headers, 120);
	return s;
}
