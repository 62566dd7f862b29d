// SPDX-License-Identifier: MIT
/*
 * kmscap-bench-pipeline: capture + encode, zero-copy against copy-based,
 * and kmscap-stream's two thread models, side by side in one run.
 *
 *   kmscap-bench-pipeline KMSCAP_STREAM BENCH_COPY VADRIVER_DIR [FRAMES_1080P [FRAMES_2160P]]
 *                         [flips=N]
 *
 * Part 1, one frame in flight.  For each size (1080p, 2160p) a kmscap
 * display is created and one of three programs encodes what a renderer
 * flips onto it, with the software test VA driver on vgem's render node:
 *   stream1 KMSCAP_STREAM (kmscap-stream) --threads 1: DMA-BUF imported
 *           into VA-API, VPP to NV12, H.264 (CQP), all in the event loop's
 *           thread;
 *   stream2 the same with --threads 2: the encoder in its own thread;
 *   copy    BENCH_COPY (tests/bench/pipeline/kmscap-bench-copy): mmap,
 *           memcpy, release, RGB -> NV12 on the CPU, vaPutImage, then the
 *           same H.264 encode (CQP): kmscap-stream's encoder code, linked
 *           in, with the same options.
 * The renderer flips the next frame only when the encoded data of the
 * previous one has reached the program's output file, so each frame goes
 * through an idle pipeline (no queueing in the numbers).  Measured:
 *   cpu/frame  user+sys CPU time of the encoding process over frames 2..N
 *              (/proc/PID/stat after the first frame, then wait4()
 *              rusage): start-up, VA initialisation and the first frame's
 *              surface and context creation are not counted;
 *   stages     from the program's JSON summary: kmscap-stream's
 *              import_avg_us (export + VA import of a new buffer, once per
 *              buffer: "imports" of them), convert_avg_us (cache look-up +
 *              VPP until release) and encode_avg_us; the baseline's copy,
 *              CPU convert, upload and encode;
 *   latency    flip (the event's timestamp) -> coded data, p50/p99, from
 *              the same JSON.
 *
 * Part 2, a renderer faster than the encoder.  A 1080p@60 display; the
 * renderer flips between three pre-drawn buffers as fast as the display
 * takes them (non-blocking atomic commits, each waited for with its flip
 * event), flips=N times (default 180, 3 s at 60 Hz), while kmscap-stream
 * runs with the module's default queue (4) and hold timeout (one refresh
 * period), --threads 1 and then --threads 2; SIGTERM after the last flip.
 * Measured: the renderer's flip rate and its flip wait (commit to flip
 * event; a flip not held up by a capture client takes at most one
 * refresh period), kmscap-stream's frames encoded and dropped, CPU per
 * encoded frame, latency, and the module's counters for its client
 * (max_hold_wait_ns, dropped_timeout, dropped_queue: the "exit" line).
 *
 * With the software test driver VPP and encode run on the CPU in the
 * encoding process: they are in its cpu/frame, and the encode times say
 * nothing about a GPU.  Output: tables and "csv," lines; the CSVs also in
 * /out/kmscap-bench-pipeline.csv and /out/kmscap-bench-threads.csv.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "libpipe.h"
#include "../demo/kmscap_streamrun.h"

enum kmscap_bp_method { BP_STREAM1, BP_STREAM2, BP_COPY, BP_COUNT };
static const char *const kmscap_bp_name[BP_COUNT] = { "stream1", "stream2", "copy" };

static const struct { uint32_t w, h; const char *name; } kmscap_bp_res[] = {
	{ 1920, 1080, "1080p" },
	{ 3840, 2160, "2160p" },
};
#define BP_NRES KMSCAP_T_ARRAY_SIZE(kmscap_bp_res)

struct kmscap_bp_result {
	unsigned int frames, encoded;
	double cpu_us;			/* per frame, frames 2..N */
	double capture_us;		/* stream: VPP; copy: read+copy+release */
	double import_us;		/* stream: per import (once per buffer); copy: -1 */
	unsigned int imports;
	double convert_us;		/* copy: CPU RGB -> NV12 (stream: in capture_us) */
	double upload_us;		/* copy: vaPutImage */
	double encode_us;
	double lat_p50_us, lat_p99_us;
};

static const char *kmscap_bp_stream, *kmscap_bp_copy, *kmscap_bp_vadir;
static char kmscap_bp_render[300];

static struct kmscap_bp_result kmscap_bp_one(int ctl, unsigned int r, enum kmscap_bp_method m,
					     unsigned int frames)
{
	uint32_t w = kmscap_bp_res[r].w, h = kmscap_bp_res[r].h;
	struct kmscap_bp_result res = { .frames = frames };
	struct kmscap_display_create dc;
	struct kmscap_t_buf buf[2];
	struct kmscap_t_kms k;
	char id[16], nframes[16], out[96], log[96], what[64], line[4096];
	uint64_t cpu1 = 0, cpu_total = 0;
	int status;
	pid_t pid;

	snprintf(what, sizeof(what), "%s %s", kmscap_bp_res[r].name, kmscap_bp_name[m]);
	snprintf(out, sizeof(out), "/out/%s-%s.h264", kmscap_bp_res[r].name, kmscap_bp_name[m]);
	snprintf(log, sizeof(log), "/out/%s-%s.log", kmscap_bp_res[r].name, kmscap_bp_name[m]);
	kmscap_t_create_or_die(ctl, w, h, 60000, &dc);
	snprintf(id, sizeof(id), "%u", dc.id);
	snprintf(nframes, sizeof(nframes), "%u", frames);
	if (m != BP_COPY) {
		const char *args[] = { kmscap_bp_stream, "--display", id, "--render-node",
				       kmscap_bp_render, "--rc", "cqp", "--queue-depth", "64",
				       "--hold-timeout", "10000", "--frames", nframes, "--json",
				       "--threads", m == BP_STREAM1 ? "1" : "2", "-o", out, NULL };

		pid = kmscap_sr_spawn(args, kmscap_bp_vadir, log);
	} else {
		/* kmscap-stream's options: its parser, its encoder, the same settings */
		const char *args[] = { kmscap_bp_copy, "--display", id, "--render-node",
				       kmscap_bp_render, "--rc", "cqp", "--queue-depth", "64",
				       "--hold-timeout", "10000", "--frames", nframes, "-o", out,
				       NULL };

		pid = kmscap_sr_spawn(args, kmscap_bp_vadir, log);
	}
	kmscap_sr_wait_attached(ctl, dc.id, pid, log);
	kmscap_bp_screen_open(&k, buf, &dc, w, h);
	cpu1 = kmscap_bp_render_paced(&k, buf, frames, pid, out, what);
	status = kmscap_sr_reap(pid, &cpu_total);
	if (status)
		kmscap_t_fail("%s: the encoder exited with status %d, see %s", what, status, log);
	if (!cpu1 || cpu_total < cpu1)
		kmscap_t_fail("%s: no CPU time sample of pid %d (/proc/%d/stat)", what, (int)pid,
			      (int)pid);
	res.cpu_us = (cpu_total - cpu1) / 1000.0 / (frames - 1);
	if (kmscap_sr_find_line(log, "\"type\":\"summary\"", line, sizeof(line)))
		kmscap_t_fail("%s: no JSON summary in %s", what, log);
	res.encoded = (unsigned int)kmscap_sr_json_num(line, "encoded");
	res.lat_p50_us = kmscap_sr_json_num(line, "latency_p50_us");
	res.lat_p99_us = kmscap_sr_json_num(line, "latency_p99_us");
	res.encode_us = kmscap_sr_json_num(line, "encode_avg_us");
	if (m != BP_COPY) {
		res.capture_us = kmscap_sr_json_num(line, "convert_avg_us");
		res.import_us = kmscap_sr_json_num(line, "import_avg_us");
		res.imports = (unsigned int)kmscap_sr_json_num(line, "imports");
		res.convert_us = -1;
		res.upload_us = -1;
	} else {
		res.capture_us = kmscap_sr_json_num(line, "copy_avg_us");
		res.import_us = -1;
		res.convert_us = kmscap_sr_json_num(line, "convert_avg_us");
		res.upload_us = kmscap_sr_json_num(line, "upload_avg_us");
	}
	if (res.encoded != frames)
		kmscap_t_fail("%s: %u of %u frames encoded (every frame waited for the last: "
			      "none may be dropped), see %s", what, res.encoded, frames, log);
	if (res.capture_us < 0 || res.encode_us < 0 || res.lat_p50_us < 0)
		kmscap_t_fail("%s: a per-stage time is missing in the summary: %s", what, line);
	printf("  %-6s %-6s %u frames: cpu %.0f us/frame; %s\n", kmscap_bp_res[r].name,
	       kmscap_bp_name[m], frames, res.cpu_us, line);
	kmscap_bp_screen_close(&k, buf, ctl, dc.id);
	return res;
}

/* ---- part 2: a renderer faster than the encoder ---------------------------- */

#define BP_FAST_W	1920
#define BP_FAST_H	1080
#define BP_FAST_MHZ	60000
#define BP_FAST_NBUF	3

struct kmscap_bp_fast {
	unsigned int threads, flips;
	double render_s;		/* first flip to last flip event */
	double wait_max_us, wait_p50_us, wait_p99_us;	/* commit -> flip event */
	unsigned int waits_over_period;	/* flips that took longer than a period */
	double frames_in, encoded, dropped, lat_p50_us, lat_p99_us, cpu_per_enc_us;
	double max_hold_wait_us, hold_timeout_us, mod_dropped_timeout, mod_dropped_queue;
};

static int kmscap_bp_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of @n sorted values. */
static uint64_t kmscap_bp_pct(const uint64_t *v, unsigned int n, unsigned int pct)
{
	unsigned int rank = (pct * n + 99) / 100;

	return v[rank ? rank - 1 : 0];
}

static struct kmscap_bp_fast kmscap_bp_fast_one(int ctl, unsigned int threads,
						unsigned int flips)
{
	struct kmscap_bp_fast res = { .threads = threads, .flips = flips };
	struct kmscap_display_create dc;
	struct kmscap_t_buf buf[BP_FAST_NBUF];
	struct kmscap_t_kms k;
	char id[16], out[96], log[96], what[64], line[4096], nthreads[4];
	uint64_t *wait, t0, t1, start = 0, cpu = 0, period;
	unsigned int i;
	int status, ret;
	pid_t pid;

	snprintf(what, sizeof(what), "fast renderer, --threads %u", threads);
	snprintf(out, sizeof(out), "/out/fast-threads%u.h264", threads);
	snprintf(log, sizeof(log), "/out/fast-threads%u.log", threads);
	snprintf(nthreads, sizeof(nthreads), "%u", threads);
	wait = calloc(flips, sizeof(*wait));
	KT_ASSERT(wait, "out of memory");
	kmscap_t_create_or_die(ctl, BP_FAST_W, BP_FAST_H, BP_FAST_MHZ, &dc);
	snprintf(id, sizeof(id), "%u", dc.id);
	{
		/* the module's default queue and hold timeout: the renderer is not waited for */
		const char *args[] = { kmscap_bp_stream, "--display", id, "--render-node",
				       kmscap_bp_render, "--rc", "cqp", "--json", "--threads",
				       nthreads, "-o", out, NULL };

		pid = kmscap_sr_spawn(args, kmscap_bp_vadir, log);
	}
	kmscap_sr_wait_attached(ctl, dc.id, pid, log);
	kmscap_t_kms_open_or_die(&k, dc.card_minor);
	period = 1000000000000ull / BP_FAST_MHZ;
	for (i = 0; i < BP_FAST_NBUF; i++) {
		kmscap_t_buf_create_or_die(k.fd, BP_FAST_W, BP_FAST_H, DRM_FORMAT_XRGB8888,
					   &buf[i]);
		kmscap_bp_draw(&buf[i], i);
	}
	ret = kmscap_t_atomic_modeset(&k, &buf[0]);
	KT_ASSERT(!ret, "%s: modeset: %s", what, kmscap_t_errname(ret));
	for (i = 0; i < flips; i++) {
		t0 = kmscap_t_now_ns();
		if (!i)
			start = t0;
		ret = kmscap_t_atomic_flip(&k, &buf[(i + 1) % BP_FAST_NBUF], NULL, 0, true);
		KT_ASSERT(!ret, "%s: commit of flip %u: %s", what, i, kmscap_t_errname(ret));
		ret = kmscap_t_wait_flip(&k, 10000);
		KT_ASSERT(!ret, "%s: flip %u: %s", what, i, kmscap_t_errname(ret));
		t1 = kmscap_t_now_ns();
		wait[i] = t1 - t0;
		if (wait[i] > period)
			res.waits_over_period++;
		if (waitpid(pid, &status, WNOHANG) == pid)
			kmscap_t_fail("%s: kmscap-stream exited (status %#x) at flip %u, see %s",
				      what, status, i, log);
	}
	res.render_s = (kmscap_t_now_ns() - start) / 1e9;
	kill(pid, SIGTERM);
	status = kmscap_sr_reap(pid, &cpu);
	if (status)
		kmscap_t_fail("%s: kmscap-stream exited with status %d, see %s", what, status, log);
	qsort(wait, flips, sizeof(*wait), kmscap_bp_cmp_u64);
	res.wait_max_us = wait[flips - 1] / 1e3;
	res.wait_p50_us = kmscap_bp_pct(wait, flips, 50) / 1e3;
	res.wait_p99_us = kmscap_bp_pct(wait, flips, 99) / 1e3;
	free(wait);
	if (kmscap_sr_find_line(log, "\"type\":\"summary\"", line, sizeof(line)))
		kmscap_t_fail("%s: no JSON summary in %s", what, log);
	res.frames_in = kmscap_sr_json_num(line, "frames_in");
	res.encoded = kmscap_sr_json_num(line, "encoded");
	res.dropped = kmscap_sr_json_num(line, "dropped");
	res.lat_p50_us = kmscap_sr_json_num(line, "latency_p50_us");
	res.lat_p99_us = kmscap_sr_json_num(line, "latency_p99_us");
	printf("  fast   threads %u: %s\n", threads, line);
	if (kmscap_sr_find_line(log, "\"type\":\"exit\"", line, sizeof(line)))
		kmscap_t_fail("%s: no JSON exit line in %s", what, log);
	printf("  fast   threads %u: %s\n", threads, line);
	if (kmscap_sr_json_num(line, "threads") != threads)
		kmscap_t_fail("%s: the exit line says threads %.0f", what,
			      kmscap_sr_json_num(line, "threads"));
	if (kmscap_sr_json_num(line, "held") != 0 || kmscap_sr_json_num(line, "surfaces") != 0 ||
	    kmscap_sr_json_num(line, "fds") != 0)
		kmscap_t_fail("%s: something leaked: %s", what, line);
	res.max_hold_wait_us = kmscap_sr_json_num(line, "max_hold_wait_ns") / 1e3;
	res.hold_timeout_us = kmscap_sr_json_num(line, "hold_timeout_ns") / 1e3;
	res.mod_dropped_timeout = kmscap_sr_json_num(line, "module_dropped_timeout");
	res.mod_dropped_queue = kmscap_sr_json_num(line, "module_dropped_queue");
	if (res.encoded < 1)
		kmscap_t_fail("%s: nothing encoded, see %s", what, log);
	res.cpu_per_enc_us = cpu / 1e3 / res.encoded;
	for (i = 0; i < BP_FAST_NBUF; i++)
		kmscap_t_buf_destroy(&buf[i]);
	kmscap_t_kms_close(&k);
	ret = kmscap_t_destroy(ctl, dc.id);
	if (ret)
		kmscap_t_fail("DESTROY %u: %s", dc.id, kmscap_t_errname(ret));
	return res;
}

static void kmscap_bp_fast_all(unsigned int flips)
{
	struct kmscap_bp_fast r[2];
	FILE *csv = NULL;
	unsigned int t;
	int ctl = kmscap_t_open_ctl_or_skip();

	printf("\nfast renderer: %ux%u@%u, %u flips between %u pre-drawn buffers as fast as the "
	       "display takes them; kmscap-stream with the default queue and hold timeout\n",
	       BP_FAST_W, BP_FAST_H, BP_FAST_MHZ / 1000, flips, BP_FAST_NBUF);
	for (t = 0; t < 2; t++)
		r[t] = kmscap_bp_fast_one(ctl, t + 1, flips);
	close(ctl);
	printf("\n%-7s %6s %8s %9s %9s %9s %6s %7s %7s %8s %9s %9s %11s %9s %9s %7s %7s\n",
	       "threads", "flips", "flip/s", "wait p50", "wait p99", "wait max", ">per",
	       "in", "encoded", "dropped", "lat p50", "lat p99", "cpu/encoded", "holdwait",
	       "timeout", "mod to", "mod q");
	for (t = 0; t < 2; t++)
		printf("%-7u %6u %8.2f %9.0f %9.0f %9.0f %6u %7.0f %7.0f %8.0f %9.0f %9.0f %11.0f "
		       "%9.0f %9.0f %7.0f %7.0f\n", r[t].threads, r[t].flips,
		       r[t].flips / r[t].render_s, r[t].wait_p50_us, r[t].wait_p99_us,
		       r[t].wait_max_us, r[t].waits_over_period, r[t].frames_in, r[t].encoded,
		       r[t].dropped, r[t].lat_p50_us, r[t].lat_p99_us, r[t].cpu_per_enc_us,
		       r[t].max_hold_wait_us, r[t].hold_timeout_us, r[t].mod_dropped_timeout,
		       r[t].mod_dropped_queue);
	printf("(us; wait: the renderer's commit -> flip event, >per: flips that took longer "
	       "than one refresh period; in/encoded/dropped: kmscap-stream's summary; holdwait: "
	       "the module's max_hold_wait_ns for the stream's client; mod to / mod q: the "
	       "module's dropped_timeout / dropped_queue)\n");
	if (!access("/out", W_OK))
		csv = fopen("/out/kmscap-bench-threads.csv", "we");
	printf("\ncsv,threads,threads,flips,flips_per_s,flip_wait_p50_us,flip_wait_p99_us,"
	       "flip_wait_max_us,flips_over_period,frames_in,encoded,dropped,latency_p50_us,"
	       "latency_p99_us,cpu_per_encoded_us,max_hold_wait_us,hold_timeout_us,"
	       "module_dropped_timeout,module_dropped_queue\n");
	if (csv)
		fprintf(csv, "threads,flips,flips_per_s,flip_wait_p50_us,flip_wait_p99_us,"
			"flip_wait_max_us,flips_over_period,frames_in,encoded,dropped,"
			"latency_p50_us,latency_p99_us,cpu_per_encoded_us,max_hold_wait_us,"
			"hold_timeout_us,module_dropped_timeout,module_dropped_queue\n");
	for (t = 0; t < 2; t++) {
		char line[512];

		snprintf(line, sizeof(line),
			 "%u,%u,%.2f,%.0f,%.0f,%.0f,%u,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,"
			 "%.0f", r[t].threads, r[t].flips,
			 r[t].flips / r[t].render_s, r[t].wait_p50_us, r[t].wait_p99_us,
			 r[t].wait_max_us, r[t].waits_over_period, r[t].frames_in, r[t].encoded,
			 r[t].dropped, r[t].lat_p50_us, r[t].lat_p99_us, r[t].cpu_per_enc_us,
			 r[t].max_hold_wait_us, r[t].hold_timeout_us, r[t].mod_dropped_timeout,
			 r[t].mod_dropped_queue);
		printf("csv,threads,%s\n", line);
		if (csv)
			fprintf(csv, "%s\n", line);
	}
	if (csv)
		fclose(csv);
}

static void kmscap_bp_col(char *s, size_t n, double v)
{
	if (v < 0)
		snprintf(s, n, "-");
	else
		snprintf(s, n, "%.0f", v);
}

/*
 * The bytes of @path before its first slice NAL unit (types 1 and 5): the
 * access unit delimiter, SPS and PPS of the first access unit, into @buf.
 * Returns their count; fails the bench when there is no slice.
 */
static size_t kmscap_bp_headers(const char *path, uint8_t *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n, i;

	KT_ASSERT(f, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, size, f);
	fclose(f);
	for (i = 0; i + 3 < n; i++) {
		unsigned int type;

		if (buf[i] || buf[i + 1] || buf[i + 2] != 1)
			continue;
		type = buf[i + 3] & 0x1f;
		if (type == 1 || type == 5)
			return i && !buf[i - 1] ? i - 1 : i;
	}
	kmscap_t_fail("%s: no slice NAL unit in its first %zu bytes", path, n);
}

/*
 * The baseline encodes with kmscap-stream's own encoder and options: the
 * parameter sets of both outputs must be the same bytes.
 */
static void kmscap_bp_same_headers(unsigned int r)
{
	static uint8_t a[4096], b[4096];
	char pa[96], pb[96];
	size_t na, nb;

	snprintf(pa, sizeof(pa), "/out/%s-%s.h264", kmscap_bp_res[r].name,
		 kmscap_bp_name[BP_STREAM1]);
	snprintf(pb, sizeof(pb), "/out/%s-%s.h264", kmscap_bp_res[r].name,
		 kmscap_bp_name[BP_COPY]);
	na = kmscap_bp_headers(pa, a, sizeof(a));
	nb = kmscap_bp_headers(pb, b, sizeof(b));
	KT_ASSERT(na == nb && !memcmp(a, b, na),
		  "%s and %s differ before the first slice (%zu and %zu header bytes): the "
		  "baseline does not encode as kmscap-stream does", pa, pb, na, nb);
	printf("  %s  copy and stream1: the same %zu bytes of AUD, SPS and PPS\n",
	       kmscap_bp_res[r].name, na);
}

int main(int argc, char **argv)
{
	struct kmscap_bp_result res[BP_NRES][BP_COUNT];
	unsigned int frames[BP_NRES] = { 10, 4 }, i, m, nf = 0, flips = 180;
	FILE *csv = NULL;
	int ctl, a;

	kmscap_t_init("kmscap-bench-pipeline", 0);
	if (argc < 4)
		kmscap_t_fail("usage: kmscap-bench-pipeline KMSCAP_STREAM BENCH_COPY VADRIVER_DIR "
			      "[FRAMES_1080P [FRAMES_2160P]] [flips=N]");
	kmscap_bp_stream = argv[1];
	kmscap_bp_copy = argv[2];
	kmscap_bp_vadir = argv[3];
	for (a = 4; a < argc; a++) {
		if (!strncmp(argv[a], "flips=", 6))
			flips = (unsigned int)atoi(argv[a] + 6);
		else if (nf < BP_NRES)
			frames[nf++] = (unsigned int)atoi(argv[a]);
		else
			kmscap_t_fail("unexpected argument '%s'", argv[a]);
	}
	if (flips < 10 || flips > 100000)
		kmscap_t_fail("flips=%u, expected 10..100000", flips);
	for (i = 0; i < BP_NRES; i++)
		if (frames[i] < 3 || frames[i] > 10000)
			kmscap_t_fail("frames at %s: %u, expected 3..10000", kmscap_bp_res[i].name,
				      frames[i]);
	for (i = 0; i < 2; i++)
		if (access(argv[i + 1], X_OK))
			kmscap_t_fail("%s: %s", argv[i + 1], strerror(errno));
	if (kmscap_t_render_node("vgem", kmscap_bp_render, sizeof(kmscap_bp_render)))
		kmscap_t_skip("no vgem render node in the VM");
	ctl = kmscap_t_open_ctl_or_skip();
	mkdir("/out", 0755);
	printf("kmscap-bench-pipeline: capture + H.264 encode with the software test VA driver "
	       "on %s; %u frames at 1080p, %u at 2160p, one frame in flight\n",
	       kmscap_bp_render, frames[0], frames[1]);
	for (i = 0; i < BP_NRES; i++) {
		for (m = 0; m < BP_COUNT; m++)
			res[i][m] = kmscap_bp_one(ctl, i, m, frames[i]);
		kmscap_bp_same_headers(i);
	}
	close(ctl);

	printf("\nper frame, us (cpu: user+sys of the encoding process, frames 2..N; "
	       "capture: stream = VPP to NV12 until release, copy = read + memcpy + release;\n"
	       "import: stream's DMA-BUF export + VA import, per imported buffer, imports "
	       "in brackets):\n");
	printf("%-6s %-7s %6s %10s %12s %10s %10s %10s %10s %10s %10s\n", "res", "method",
	       "frames", "cpu", "import", "capture", "cpuconv", "upload", "encode", "lat p50",
	       "lat p99");
	for (i = 0; i < BP_NRES; i++) {
		for (m = 0; m < BP_COUNT; m++) {
			const struct kmscap_bp_result *x = &res[i][m];
			char conv[16], up[16], imp[32];

			kmscap_bp_col(conv, sizeof(conv), x->convert_us);
			kmscap_bp_col(up, sizeof(up), x->upload_us);
			if (x->import_us < 0)
				snprintf(imp, sizeof(imp), "-");
			else
				snprintf(imp, sizeof(imp), "%.0f (%u)", x->import_us, x->imports);
			printf("%-6s %-7s %6u %10.0f %12s %10.0f %10s %10s %10.0f %10.0f %10.0f\n",
			       kmscap_bp_res[i].name, kmscap_bp_name[m], x->encoded, x->cpu_us,
			       imp, x->capture_us, conv, up, x->encode_us, x->lat_p50_us,
			       x->lat_p99_us);
		}
	}
	printf("(software test driver: its VPP and encode run on the CPU inside the encoding "
	       "process and are in cpu; encode times say nothing about a GPU)\n");

	if (!access("/out", W_OK))
		csv = fopen("/out/kmscap-bench-pipeline.csv", "we");
	printf("\ncsv,pipeline,resolution,width,height,method,frames,cpu_per_frame_us,"
	       "import_us,imports,capture_us,cpu_convert_us,upload_us,encode_us,latency_p50_us,"
	       "latency_p99_us\n");
	if (csv)
		fprintf(csv, "resolution,width,height,method,frames,cpu_per_frame_us,import_us,"
			"imports,capture_us,cpu_convert_us,upload_us,encode_us,latency_p50_us,"
			"latency_p99_us\n");
	for (i = 0; i < BP_NRES; i++) {
		for (m = 0; m < BP_COUNT; m++) {
			const struct kmscap_bp_result *x = &res[i][m];
			char conv[16] = "", up[16] = "", imp[32] = "", line[256];

			if (x->import_us >= 0)
				snprintf(imp, sizeof(imp), "%.0f,%u", x->import_us, x->imports);
			else
				snprintf(imp, sizeof(imp), ",");
			if (x->convert_us >= 0)
				snprintf(conv, sizeof(conv), "%.0f", x->convert_us);
			if (x->upload_us >= 0)
				snprintf(up, sizeof(up), "%.0f", x->upload_us);
			snprintf(line, sizeof(line),
				 "%s,%u,%u,%s,%u,%.0f,%s,%.0f,%s,%s,%.0f,%.0f,%.0f",
				 kmscap_bp_res[i].name, kmscap_bp_res[i].w, kmscap_bp_res[i].h,
				 kmscap_bp_name[m], x->encoded, x->cpu_us, imp, x->capture_us, conv,
				 up, x->encode_us, x->lat_p50_us, x->lat_p99_us);
			printf("csv,pipeline,%s\n", line);
			if (csv)
				fprintf(csv, "%s\n", line);
		}
	}
	if (csv)
		fclose(csv);
	for (i = 0; i < BP_NRES; i++)
		printf("%s: cpu copy / stream1 %.2f, capture copy+cpuconv+upload / stream1 "
		       "VPP %.2f; stream2 / stream1: cpu %.2f, latency p50 %.2f\n",
		       kmscap_bp_res[i].name,
		       res[i][BP_COPY].cpu_us / res[i][BP_STREAM1].cpu_us,
		       (res[i][BP_COPY].capture_us + res[i][BP_COPY].convert_us +
			res[i][BP_COPY].upload_us) / res[i][BP_STREAM1].capture_us,
		       res[i][BP_STREAM2].cpu_us / res[i][BP_STREAM1].cpu_us,
		       res[i][BP_STREAM2].lat_p50_us / res[i][BP_STREAM1].lat_p50_us);

	kmscap_bp_fast_all(flips);
	return 0;
}
