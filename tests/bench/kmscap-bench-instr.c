// SPDX-License-Identifier: MIT
/*
 * kmscap-bench-instr: instructions per frame that kmscap-stream itself
 * executes, outside VA-API, counted exactly by valgrind's callgrind, at
 * 1080p and 2160p, beside the copy baseline's.
 *
 *   kmscap-bench-instr VALGRIND KMSCAP_STREAM BENCH_COPY VADRIVER_DIR
 *                      [FRAMES_1080P [FRAMES_2160P]] [ips=N]
 *
 * For each size a kmscap display is created and VALGRIND --tool=callgrind
 * runs one of
 *   stream  KMSCAP_STREAM --threads 1 (DMA-BUF import, VPP, H.264 CQP, all
 *           in one thread), a profile dumped on every entry of
 *           ks_main_convert (the first of the loop's two calls a frame);
 *   copy    BENCH_COPY, the copy baseline of kmscap-bench-pipeline (mmap,
 *           memcpy, release, RGB -> NV12 on the CPU, vaPutImage, then
 *           kmscap-stream's encoder), dumped on every entry of
 *           ks_vapipe_encode_surface;
 * with the software test VA driver on vgem, while a renderer flips the
 * next frame only when the previous one's coded data is in the output
 * file (tests/bench/libpipe.c).  Each dump between two frames holds
 * exactly one frame's work; the first two (start-up, the first frame's
 * imports and surfaces) and the last (exit) are left out.  Per frame
 * (tests/bench/libcallgrind.c):
 *   total   every user-space instruction of the process;
 *   va      in calls into libva* and the driver (*_drv_video.so),
 *           inclusive: VPP, encode, vaPutImage and the libc they call;
 *   outside total - va: kmscap-stream with libkmscap, and the libc,
 *           liburing and libdrm calls it makes itself (the baseline: its
 *           copy and CPU conversion too);
 *   own     the program's own object alone (kmscap-stream and libkmscap
 *           are one, libkmscap linked statically);
 *   min/max outside over the measured frames;
 *   coded B the coded bytes a frame (kmscap-stream copies them once into
 *           its output unit: with the lossless test driver they grow with
 *           the picture, with a real encoder they follow the bitrate).
 * Kernel instructions (the syscalls, io_uring) are not counted: callgrind
 * sees user space only.  With ips=N, the instructions per second this
 * machine executes (make bench measures it on the host: tests/bench/
 * host-ips.sh), "core@60" is outside * 60 / N, the fraction of one core
 * the frames' user-space work outside VA-API takes at 60 frames a second.
 * Output: a table, "csv,instr," lines and /out/kmscap-bench-instr.csv.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "libcallgrind.h"
#include "libpipe.h"
#include "../demo/kmscap_streamrun.h"

enum kmscap_bi_method { BI_STREAM, BI_COPY, BI_COUNT };
static const char *const kmscap_bi_name[BI_COUNT] = { "stream", "copy" };
static const char *const kmscap_bi_dump[BI_COUNT] = { "ks_main_convert",
						      "ks_vapipe_encode_surface" };

static const struct { uint32_t w, h; const char *name; } kmscap_bi_res[] = {
	{ 1920, 1080, "1080p" },
	{ 3840, 2160, "2160p" },
};
#define BI_NRES KMSCAP_T_ARRAY_SIZE(kmscap_bi_res)

struct kmscap_bi_result {
	unsigned int frames;		/* measured: the dumps between two frames */
	double total, va, outside, own;	/* per frame */
	double coded;			/* coded bytes a frame (the summary's bytes / encoded) */
	uint64_t outside_min, outside_max;
};

static const char *kmscap_bi_valgrind, *kmscap_bi_prog[BI_COUNT], *kmscap_bi_vadir;
static char kmscap_bi_render[300];

/* Add up dumps 3..@frames of the profile @base (base.1 ... base.N). */
static struct kmscap_bi_result kmscap_bi_sum(const char *base, const char *own,
					     unsigned int frames, const char *what)
{
	struct kmscap_bi_result res = { .outside_min = UINT64_MAX };
	char path[160];
	unsigned int d;

	snprintf(path, sizeof(path), "%s.%u", base, frames + 1);
	if (!access(path, F_OK))
		kmscap_t_fail("%s: %s exists: %s was entered more often than once a frame",
			      what, path, own);
	for (d = 3; d <= frames; d++) {
		struct kmscap_cg_cost c;
		uint64_t outside;
		int r;

		snprintf(path, sizeof(path), "%s.%u", base, d);
		r = kmscap_cg_read(path, own, &c);
		if (r)
			kmscap_t_fail("%s: profile %s: %s", what, path,
				      r == -EPROTO ? "not a callgrind profile of Ir whose self "
				      "costs add up to its summary" : kmscap_t_errname(r));
		if (c.va > c.total)
			kmscap_t_fail("%s: %s: VA-API's %llu instructions exceed the total %llu",
				      what, path, (unsigned long long)c.va,
				      (unsigned long long)c.total);
		outside = c.total - c.va;
		res.total += c.total;
		res.va += c.va;
		res.own += c.own;
		res.outside += outside;
		if (outside < res.outside_min)
			res.outside_min = outside;
		if (outside > res.outside_max)
			res.outside_max = outside;
		res.frames++;
	}
	res.total /= res.frames;
	res.va /= res.frames;
	res.own /= res.frames;
	res.outside /= res.frames;
	return res;
}

static struct kmscap_bi_result kmscap_bi_one(int ctl, unsigned int r, enum kmscap_bi_method m,
					     unsigned int frames)
{
	uint32_t w = kmscap_bi_res[r].w, h = kmscap_bi_res[r].h;
	struct kmscap_display_create dc;
	struct kmscap_t_buf buf[2];
	struct kmscap_t_kms k;
	char id[16], nframes[16], out[96], log[96], what[64], dump[64], cgout[128], base[96];
	char line[4096];
	struct kmscap_bi_result res;
	uint64_t cpu = 0;
	int status;
	pid_t pid;

	snprintf(what, sizeof(what), "%s %s", kmscap_bi_res[r].name, kmscap_bi_name[m]);
	snprintf(out, sizeof(out), "/out/instr-%s-%s.h264", kmscap_bi_res[r].name,
		 kmscap_bi_name[m]);
	snprintf(log, sizeof(log), "/out/instr-%s-%s.log", kmscap_bi_res[r].name,
		 kmscap_bi_name[m]);
	snprintf(base, sizeof(base), "/out/callgrind-%s-%s", kmscap_bi_res[r].name,
		 kmscap_bi_name[m]);
	snprintf(cgout, sizeof(cgout), "--callgrind-out-file=%s", base);
	snprintf(dump, sizeof(dump), "--dump-before=%s", kmscap_bi_dump[m]);
	kmscap_t_create_or_die(ctl, w, h, 60000, &dc);
	snprintf(id, sizeof(id), "%u", dc.id);
	snprintf(nframes, sizeof(nframes), "%u", frames);
	{
		/* kmscap-bench-pipeline's options; the stream in one thread */
		const char *args[] = { kmscap_bi_valgrind, "--tool=callgrind", dump, cgout,
				       kmscap_bi_prog[m], "--display", id, "--device",
				       kmscap_bi_render, "--rc", "cqp", "--queue-depth", "64",
				       "--hold-timeout", "10000", "--frames", nframes, "-o", out,
				       "--threads", "1", "--json", NULL };

		if (m == BI_COPY)
			args[19] = NULL;	/* the baseline has no threads and no --json */
		pid = kmscap_sr_spawn(args, kmscap_bi_vadir, log);
	}
	kmscap_sr_wait_attached(ctl, dc.id, pid, log);
	kmscap_bp_screen_open(&k, buf, &dc, w, h);
	kmscap_bp_render_paced(&k, buf, frames, pid, out, what);
	status = kmscap_sr_reap(pid, &cpu);
	if (status)
		kmscap_t_fail("%s: valgrind exited with status %d, see %s", what, status, log);
	res = kmscap_bi_sum(base, kmscap_bi_prog[m], frames, what);
	if (kmscap_sr_find_line(log, "\"type\":\"summary\"", line, sizeof(line)) ||
	    kmscap_sr_json_num(line, "encoded") != frames)
		kmscap_t_fail("%s: no summary of %u frames encoded in %s", what, frames, log);
	res.coded = kmscap_sr_json_num(line, "bytes") / frames;
	printf("  %-6s %-6s %u frames under callgrind (%.1f s of CPU): outside VA-API %.0f "
	       "instructions a frame (min %llu, max %llu), VA-API %.0f, %.0f coded bytes\n",
	       kmscap_bi_res[r].name, kmscap_bi_name[m], frames, cpu / 1e9, res.outside,
	       (unsigned long long)res.outside_min, (unsigned long long)res.outside_max,
	       res.va, res.coded);
	kmscap_bp_screen_close(&k, buf, ctl, dc.id);
	return res;
}

static void kmscap_bi_report(struct kmscap_bi_result res[BI_NRES][BI_COUNT], double ips)
{
	FILE *csv = NULL;
	unsigned int i, m;
	char core[32];

	printf("\ninstructions per frame, user space (callgrind; outside = total - VA-API: "
	       "libva and the driver, with what they call;\nown = the program's object alone; "
	       "core@60 = outside * 60 / the instructions a second of this machine%s):\n",
	       ips > 0 ? "" : " (no ips=)");
	printf("%-6s %-7s %6s %14s %14s %12s %12s %12s %12s %9s %11s\n", "res", "method",
	       "frames", "total", "va", "outside", "own", "outside min", "outside max", "core@60",
	       "coded B");
	for (i = 0; i < BI_NRES; i++)
		for (m = 0; m < BI_COUNT; m++) {
			const struct kmscap_bi_result *x = &res[i][m];

			if (ips > 0)
				snprintf(core, sizeof(core), "%.5f", x->outside * 60 / ips);
			else
				snprintf(core, sizeof(core), "-");
			printf("%-6s %-7s %6u %14.0f %14.0f %12.0f %12.0f %12llu %12llu %9s %11.0f\n",
			       kmscap_bi_res[i].name, kmscap_bi_name[m], x->frames, x->total,
			       x->va, x->outside, x->own, (unsigned long long)x->outside_min,
			       (unsigned long long)x->outside_max, core, x->coded);
		}
	if (ips > 0)
		printf("(this machine: %.0f million instructions a second, ips=)\n", ips / 1e6);
	for (m = 0; m < BI_COUNT; m++)
		printf("%s: outside VA-API 2160p / 1080p %.3f\n", kmscap_bi_name[m],
		       res[1][m].outside / res[0][m].outside);

	if (!access("/out", W_OK))
		csv = fopen("/out/kmscap-bench-instr.csv", "we");
	printf("\ncsv,instr,resolution,width,height,method,frames,total_per_frame,"
	       "va_per_frame,outside_per_frame,own_per_frame,outside_min,outside_max,"
	       "core_at_60hz,coded_bytes_per_frame\n");
	if (csv)
		fprintf(csv, "resolution,width,height,method,frames,total_per_frame,va_per_frame,"
			"outside_per_frame,own_per_frame,outside_min,outside_max,core_at_60hz,"
			"coded_bytes_per_frame\n");
	for (i = 0; i < BI_NRES; i++)
		for (m = 0; m < BI_COUNT; m++) {
			const struct kmscap_bi_result *x = &res[i][m];
			char line[256];

			if (ips > 0)
				snprintf(core, sizeof(core), "%.6f", x->outside * 60 / ips);
			else
				core[0] = '\0';
			snprintf(line, sizeof(line),
				 "%s,%u,%u,%s,%u,%.0f,%.0f,%.0f,%.0f,%llu,%llu,%s,%.0f",
				 kmscap_bi_res[i].name, kmscap_bi_res[i].w, kmscap_bi_res[i].h,
				 kmscap_bi_name[m], x->frames, x->total, x->va, x->outside, x->own,
				 (unsigned long long)x->outside_min,
				 (unsigned long long)x->outside_max, core, x->coded);
			printf("csv,instr,%s\n", line);
			if (csv)
				fprintf(csv, "%s\n", line);
		}
	if (csv)
		fclose(csv);
}

int main(int argc, char **argv)
{
	struct kmscap_bi_result res[BI_NRES][BI_COUNT];
	unsigned int frames[BI_NRES] = { 5, 4 }, i, m, nf = 0;
	double ips = 0;
	int ctl, a;

	kmscap_t_init("kmscap-bench-instr", 0);
	if (argc < 5)
		kmscap_t_fail("usage: kmscap-bench-instr VALGRIND KMSCAP_STREAM BENCH_COPY "
			      "VADRIVER_DIR [FRAMES_1080P [FRAMES_2160P]] [ips=N]");
	kmscap_bi_valgrind = argv[1];
	kmscap_bi_prog[BI_STREAM] = argv[2];
	kmscap_bi_prog[BI_COPY] = argv[3];
	kmscap_bi_vadir = argv[4];
	for (a = 5; a < argc; a++) {
		if (!strncmp(argv[a], "ips=", 4))
			ips = atof(argv[a] + 4);
		else if (nf < BI_NRES)
			frames[nf++] = (unsigned int)atoi(argv[a]);
		else
			kmscap_t_fail("unexpected argument '%s'", argv[a]);
	}
	for (i = 0; i < BI_NRES; i++)
		if (frames[i] < 3 || frames[i] > 1000)
			kmscap_t_fail("frames at %s: %u, expected 3..1000 (the first and the "
				      "last are not measured)", kmscap_bi_res[i].name, frames[i]);
	for (i = 0; i < 3; i++)
		if (access(argv[i + 1], X_OK))
			kmscap_t_fail("%s: %s", argv[i + 1], strerror(errno));
	if (kmscap_t_render_node("vgem", kmscap_bi_render, sizeof(kmscap_bi_render)))
		kmscap_t_skip("no vgem render node in the VM");
	ctl = kmscap_t_open_ctl_or_skip();
	mkdir("/out", 0755);
	/* callgrind under TCG: a 2160p frame takes minutes */
	kmscap_bp_frame_timeout_ms = 1800000;
	printf("kmscap-bench-instr: callgrind instruction counts; %u frames at 1080p, %u at "
	       "2160p (%u and %u measured), one frame in flight, test VA driver on %s\n",
	       frames[0], frames[1], frames[0] - 2, frames[1] - 2, kmscap_bi_render);
	for (i = 0; i < BI_NRES; i++)
		for (m = 0; m < BI_COUNT; m++)
			res[i][m] = kmscap_bi_one(ctl, i, m, frames[i]);
	close(ctl);
	kmscap_bi_report(res, ips);
	return 0;
}
