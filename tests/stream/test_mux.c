// SPDX-License-Identifier: MIT
/*
 * kmscap-stream tests: --format mpegts / matroska (user/stream/mux.c).
 *
 * The VA pipeline (test driver) encodes frames whose flip times the test
 * chooses, among them idle frames the pipeline skips, and the muxer puts
 * its units into a container as kmscap-stream does; then ffprobe must
 * read the file without a warning, give every frame the presentation
 * time of its flip (rebased to the first, within one tick of the time
 * base), decode every frame, and, in Matroska, give the recording the
 * duration that was captured: from the first flip to the end of the
 * capture, the last picture repeated there (main.c's end of a recording).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ks_test.h"
#include "mux.h"
#include "vapipe_fixture.h"

#define W 192
#define H 128

/* Flip times (ms after T0) and whether the frame changed the picture. */
static const struct {
	unsigned int ms;
	bool damage;
} ks_flips[] = {
	{ 0, true }, { 17, true }, { 33, true }, { 50, false }, { 67, false },
	{ 1500, true }, { 1517, true }, { 2000, false }, { 2017, false },
};
#define T0		5000123456789ull	/* an arbitrary CLOCK_MONOTONIC time */
#define END_MS		3250			/* SIGTERM, long after the last flip */

struct mux_run {
	struct fixture f;
	struct ks_mux *mux;
	struct ks_buf file;
	uint64_t want_ns[16];		/* the presentation times, rebased flip times */
	unsigned int frames;
};

static void mux_add(struct mux_run *r, struct ks_buf *unit, uint64_t flip_ns)
{
	char err[256];
	int ret = ks_mux_unit(r->mux, unit, flip_ns, W, H, err, sizeof(err));

	ck_assert_msg(ret == 0, "ks_mux_unit: %s", err);
	ck_assert_uint_gt(unit->len, 0);
	ck_assert_int_eq(ks_buf_append(&r->file, unit->data, unit->len), 0);
	ck_assert_uint_lt(r->frames, 16);
	r->want_ns[r->frames++] = flip_ns - T0;
}

/*
 * The stream written after 5 bytes already in the file (stdout redirected
 * into a file others wrote to first): the rewrites land 5 bytes later, and
 * the stream equals the one written at offset 0.
 */
static void check_base(struct mux_run *r, const char *path)
{
	char with[800];
	char *a, *b;
	size_t alen, blen;
	int fd;

	snprintf(with, sizeof(with), "%s.base", path);
	fd = open(with, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "HEAD!", 5), 5);
	ck_assert_int_eq(write(fd, r->file.data, r->file.len), (ssize_t)r->file.len);
	ck_assert_int_eq(ks_mux_apply_patches(r->mux, fd, 5), 0);
	close(fd);
	a = ks_test_read_file(path, &alen);
	b = ks_test_read_file(with, &blen);
	ck_assert_uint_eq(blen, alen + 5);
	ck_assert_mem_eq(b, "HEAD!", 5);
	ck_assert_msg(!memcmp(a, b + 5, alen), "%s: the stream differs from %s", with, path);
	/* and the trailer did rewrite something */
	ck_assert_msg(alen != r->file.len || memcmp(a, r->file.data, alen), "%s: no rewrite",
		      path);
	free(a);
	free(b);
}

/* Encode the flips, end the recording at END_MS, write <workdir>/<tag>/<tag>.<ext>. */
static void mux_record(struct mux_run *r, enum ks_codec codec, enum ks_format format,
		       bool seekable, const char *tag, char *path, size_t pathlen)
{
	/* --qp 0: the test driver codes AV1 lossless only */
	struct ks_vapipe_config vc = { .codec = codec, .rc = KS_RC_CQP, .qp = 0,
				       .idle = KS_IDLE_SKIP, .pool = 3 };
	struct kmscap_event ev;
	struct ks_buf unit = { 0 };
	char err[256];
	unsigned int i;
	int fd, ret;

	need_ffmpeg();
	memset(r, 0, sizeof(*r));
	fx_open_vc(&r->f, &vc, tag, true);
	ret = ks_mux_new(format, codec, seekable, &r->mux, err, sizeof(err));
	ck_assert_msg(ret == 0, "ks_mux_new: %s", err);
	for (i = 0; i < sizeof(ks_flips) / sizeof(ks_flips[0]); i++) {
		draw(&r->f, 1 + i % 2, i, W, H);
		event_for(&ev, i + 1, 1 + i % 2, W, H,
			  ks_flips[i].damage ? KMSCAP_FRAME_FULL_DAMAGE : 0);
		if (!i)
			ev.flags |= KMSCAP_FRAME_FIRST;
		ev.timestamp_ns = T0 + ks_flips[i].ms * 1000000ull;
		ks_buf_reset(&unit);
		ret = ks_vapipe_frame(r->f.va, NULL, &ev, &unit);
		ck_assert_msg(ret == 0, "frame %u: %s", i, ks_vapipe_error(r->f.va));
		/* idle frames are skipped: no unit, no presentation time */
		ck_assert_uint_eq(unit.len > 0, ks_flips[i].damage);
		if (unit.len)
			mux_add(r, &unit, ev.timestamp_ns);
	}
	/* the end: the last picture again at the end of the capture */
	ev.timestamp_ns = T0 + END_MS * 1000000ull;
	ck_assert_int_eq(ks_mux_wants_end(r->mux, ev.timestamp_ns), 1);
	ks_buf_reset(&unit);
	ck_assert_int_eq(ks_vapipe_repeat(r->f.va, &ev, &unit), 0);
	mux_add(r, &unit, ev.timestamp_ns);
	ck_assert_int_eq(ks_mux_wants_end(r->mux, ev.timestamp_ns), 0);
	ks_buf_reset(&unit);
	ret = ks_mux_finish(r->mux, &unit, err, sizeof(err));
	ck_assert_msg(ret == 0, "ks_mux_finish: %s", err);
	ck_assert_int_eq(ks_buf_append(&r->file, unit.data, unit.len), 0);
	ks_buf_free(&unit);
	snprintf(path, pathlen, "%s/%s.%s", r->f.dir, tag,
		 format == KS_FORMAT_MPEGTS ? "ts" : "mkv");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, r->file.data, r->file.len), (ssize_t)r->file.len);
	ck_assert_int_eq(ks_mux_apply_patches(r->mux, fd, 0), 0);
	close(fd);
	if (seekable)
		check_base(r, path);
}

static void mux_run_free(struct mux_run *r)
{
	ks_mux_free(r->mux);
	ks_buf_free(&r->file);
	fx_close(&r->f);
}

/* Run @cmd; its whole output (stdout and stderr) into @out; the exit status. */
static int run_cmd(const char *cmd, char *out, size_t size)
{
	FILE *fp = popen(cmd, "r");
	size_t n;

	ck_assert_ptr_nonnull(fp);
	n = fread(out, 1, size - 1, fp);
	out[n] = '\0';
	return pclose(fp);
}

unsigned int ks_probe_packets(const char *path, long long *den, long long *pts,
			      unsigned int max, unsigned int *keys)
{
	char cmd[1400], out[8192], *line, *save = NULL;
	unsigned int n = 0;
	int ret;

	/* the stream's time base, then every packet's pts, dts and flags; nothing else */
	snprintf(cmd, sizeof(cmd),
		 "ffprobe -v warning -select_streams v -show_entries stream=time_base:packet=pts,dts,flags -of csv=p=0 '%s' 2>&1",
		 path);
	ret = run_cmd(cmd, out, sizeof(out));
	ck_assert_msg(ret == 0, "%s: %s", cmd, out);
	/* the stream's line comes after the packets' */
	line = strstr(out, "\n1/");
	ck_assert_msg(line && sscanf(line + 1, "1/%lld", den) == 1, "%s: no time base: %s", path,
		      out);
	*line = '\0';
	*keys = 0;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char dts[24], flags[8];

		ck_assert_msg(n < max, "%s: more than %u packets", path, max);
		ck_assert_msg(sscanf(line, "%lld,%23[^,],%7s", &pts[n], dts, flags) == 3,
			      "%s: not a packet line (a warning?): %s", path, line);
		/* Matroska stores no dts: FFmpeg gives one only where it infers it */
		ck_assert_msg(!strcmp(dts, "N/A") || atoll(dts) == pts[n],
			      "%s: packet %u: dts %s, pts %lld", path, n, dts, pts[n]);
		*keys += flags[0] == 'K';
		n++;
	}
	return n;
}

unsigned int ks_probe_frames(const char *path)
{
	char cmd[1400], out[64];
	int ret;

	snprintf(cmd, sizeof(cmd),
		 "ffprobe -v warning -select_streams v -show_entries frame=pts -of csv=p=0 '%s' 2>&1 | grep -c .",
		 path);
	ret = run_cmd(cmd, out, sizeof(out));
	ck_assert_msg(ret == 0, "%s: %s", cmd, out);
	return (unsigned int)atoi(out);
}

double ks_probe_duration(const char *path)
{
	char cmd[1400], out[256];
	double dur;
	int ret;

	snprintf(cmd, sizeof(cmd),
		 "ffprobe -v warning -show_entries format=duration -of csv=p=0 '%s' 2>&1", path);
	ret = run_cmd(cmd, out, sizeof(out));
	ck_assert_msg(ret == 0 && sscanf(out, "%lf", &dur) == 1, "%s: duration: %s", path, out);
	return dur;
}

static void check_probe(struct mux_run *r, const char *path, int tb_den, bool exact_duration)
{
	long long den, pts[16], want;
	unsigned int i, n, keys;
	double dur;

	n = ks_probe_packets(path, &den, pts, 16, &keys);
	ck_assert_int_eq(den, tb_den);
	ck_assert_uint_eq(n, r->frames);
	for (i = 0; i < n; i++) {
		want = (long long)((r->want_ns[i] * (uint64_t)den + 500000000ull) / 1000000000ull);
		/* rebased flip time, within one tick */
		ck_assert_msg(llabs(pts[i] - pts[0] - want) <= 1,
			      "%s: packet %u: pts %lld - %lld, expected %lld (1/%lld s)", path, i,
			      pts[i], pts[0], want, den);
	}
	ck_assert_uint_eq(keys, 1);
	/* every frame decodes, without a warning */
	ck_assert_uint_eq(ks_probe_frames(path), r->frames);
	if (!exact_duration)
		return;
	dur = ks_probe_duration(path);
	/* the captured wall time: the first flip to the end */
	ck_assert_msg(fabs(dur - END_MS / 1000.0) <= 1.0 / tb_den,
		      "%s: duration %f s, captured %u ms", path, dur, END_MS);
}

static void run_mux(enum ks_codec codec, enum ks_format format, bool seekable, const char *tag)
{
	struct mux_run r;
	char path[700];

	mux_record(&r, codec, format, seekable, tag, path, sizeof(path));
	check_probe(&r, path, format == KS_FORMAT_MPEGTS ? 90000 : 1000,
		    format == KS_FORMAT_MATROSKA && seekable);
	mux_run_free(&r);
}

START_TEST(mux_mpegts_h264)
{
	run_mux(KS_CODEC_H264, KS_FORMAT_MPEGTS, false, "mux-ts-h264");
}
END_TEST

START_TEST(mux_mpegts_hevc)
{
	run_mux(KS_CODEC_HEVC, KS_FORMAT_MPEGTS, false, "mux-ts-hevc");
}
END_TEST

START_TEST(mux_matroska_h264)
{
	run_mux(KS_CODEC_H264, KS_FORMAT_MATROSKA, true, "mux-mkv-h264");
}
END_TEST

START_TEST(mux_matroska_hevc)
{
	run_mux(KS_CODEC_HEVC, KS_FORMAT_MATROSKA, true, "mux-mkv-hevc");
}
END_TEST

START_TEST(mux_matroska_av1)
{
	run_mux(KS_CODEC_AV1, KS_FORMAT_MATROSKA, true, "mux-mkv-av1");
}
END_TEST

/* A pipe: Matroska as a live stream, nothing rewritten afterwards. */
START_TEST(mux_matroska_live)
{
	run_mux(KS_CODEC_H264, KS_FORMAT_MATROSKA, false, "mux-mkv-live");
}
END_TEST

/* FFmpeg 5.1 has no AV1 in MPEG-TS: an error naming both, and what to use. */
START_TEST(mux_mpegts_av1_refused)
{
	struct ks_mux *m = NULL;
	char err[256] = "";
	int ret = ks_mux_new(KS_FORMAT_MPEGTS, KS_CODEC_AV1, false, &m, err, sizeof(err));

	if (ret == 0) {
		ks_mux_free(m);
		ks_skip("this libavformat puts AV1 into MPEG-TS");
	}
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_msg(strstr(err, "--format mpegts") && strstr(err, "av1") &&
		      strstr(err, "use --format matroska"), "%s", err);
}
END_TEST

/* The first unit must be a key frame with its parameter sets. */
START_TEST(mux_first_not_key)
{
	static const uint8_t p_slice[] = { 0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x41, 0x9a, 0x02 };
	struct ks_buf unit = { 0 };
	struct ks_mux *m;
	char err[256];

	ck_assert_int_eq(ks_mux_new(KS_FORMAT_MPEGTS, KS_CODEC_H264, false, &m, err,
				    sizeof(err)), 0);
	ck_assert_int_eq(ks_buf_append(&unit, p_slice, sizeof(p_slice)), 0);
	ck_assert_int_eq(ks_mux_unit(m, &unit, 1000, W, H, err, sizeof(err)), -EPROTO);
	ck_assert_msg(strstr(err, "no key frame"), "%s", err);
	ck_assert_int_eq(ks_mux_wants_end(m, 2000), 0);
	ks_buf_reset(&unit);
	ck_assert_int_eq(ks_mux_finish(m, &unit, err, sizeof(err)), 0);
	ck_assert_uint_eq(unit.len, 0);
	ks_buf_free(&unit);
	ks_mux_free(m);
}
END_TEST

Suite *ks_suite_mux(void)
{
	Suite *s = suite_create("mux");

	KS_ADD_T(s, mux_mpegts_h264, 120);
	KS_ADD_T(s, mux_mpegts_hevc, 120);
	KS_ADD_T(s, mux_matroska_h264, 120);
	KS_ADD_T(s, mux_matroska_hevc, 120);
	KS_ADD_T(s, mux_matroska_av1, 120);
	KS_ADD_T(s, mux_matroska_live, 120);
	KS_ADD(s, mux_mpegts_av1_refused);
	KS_ADD(s, mux_first_not_key);
	return s;
}
