// SPDX-License-Identifier: MIT
/*
 * kmscap-bench-pipeline: capture + encode, zero-copy against copy-based,
 * side by side in one run, at 1080p and 2160p.
 *
 *   kmscap-bench-pipeline KMSCAP_STREAM BENCH_COPY VADRIVER_DIR [FRAMES_1080P [FRAMES_2160P]]
 *
 * For each size a kmscap display is created and one of two programs
 * encodes what a renderer flips onto it, with the software test VA driver
 * on vgem's render node:
 *   stream  KMSCAP_STREAM (kmscap-stream): DMA-BUF imported into VA-API,
 *           VPP to NV12, H.264 (CQP);
 *   copy    BENCH_COPY (tests/bench/pipeline/kmscap-bench-copy): mmap,
 *           memcpy, release, RGB -> NV12 on the CPU, vaPutImage, the same
 *           H.264 encode (CQP).
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
 * With the software test driver VPP and encode run on the CPU in the
 * encoding process: they are in its cpu/frame, and the encode times say
 * nothing about a GPU.  Output: a table and "csv," lines; the CSV also in
 * /out/kmscap-bench-pipeline.csv.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "../demo/kmscap_streamrun.h"

enum kmscap_bp_method { BP_STREAM, BP_COPY, BP_COUNT };
static const char *const kmscap_bp_name[BP_COUNT] = { "stream", "copy" };

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

static off_t kmscap_bp_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_size;
}

/* 1 when every thread of @pid sleeps (none running or in uninterruptible wait). */
static int kmscap_bp_idle(pid_t pid)
{
	char path[300], buf[512], *p;
	struct dirent *d;
	int idle = 1;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while (idle && (d = readdir(dir))) {
		FILE *f;
		size_t n;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid, d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p && (p[2] == 'R' || p[2] == 'D'))
			idle = 0;
	}
	closedir(dir);
	return idle;
}

/*
 * Wait until the frame's coded data is in @path: the file grew past
 * @size, then stayed the same size for 10 ms with every thread of the
 * encoder asleep (a write still in progress shows a growing size).
 * Returns the new size.
 */
static off_t kmscap_bp_wait_frame(const char *path, off_t size, pid_t pid, const char *what,
				  unsigned int frame)
{
	unsigned int waited, stable = 0;
	off_t now, last = size;
	int status;

	for (waited = 0; stable < 10; waited++) {
		if (waited > 120000)
			kmscap_t_fail("%s: frame %u not encoded into %s within 120 s", what,
				      frame, path);
		if (waitpid(pid, &status, WNOHANG) == pid)
			kmscap_t_fail("%s: the encoder exited (status %#x) at frame %u", what,
				      status, frame);
		kmscap_t_sleep_ms(1);
		now = kmscap_bp_size(path);
		if (now > size && now == last && kmscap_bp_idle(pid))
			stable++;
		else
			stable = 0;
		last = now;
	}
	return last;
}

static void kmscap_bp_draw(struct kmscap_t_buf *b, unsigned int n)
{
	uint32_t y, band = (n * 37) % b->height;

	/* a full-frame change every time: a gradient shifted by n rows */
	for (y = 0; y < b->height; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)b->map + (size_t)y * b->pitch);
		uint32_t v = 0xff000000u | (((y + band) & 0xff) << 16) | ((n * 9) & 0xff) << 8, x;

		for (x = 0; x < b->width; x++)
			row[x] = v | (x & 0xff);
	}
}

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
	unsigned int i;
	off_t size;
	int status, ret;
	pid_t pid;

	snprintf(what, sizeof(what), "%s %s", kmscap_bp_res[r].name, kmscap_bp_name[m]);
	snprintf(out, sizeof(out), "/out/%s-%s.h264", kmscap_bp_res[r].name, kmscap_bp_name[m]);
	snprintf(log, sizeof(log), "/out/%s-%s.log", kmscap_bp_res[r].name, kmscap_bp_name[m]);
	kmscap_t_create_or_die(ctl, w, h, 60000, &dc);
	snprintf(id, sizeof(id), "%u", dc.id);
	snprintf(nframes, sizeof(nframes), "%u", frames);
	if (m == BP_STREAM) {
		const char *args[] = { kmscap_bp_stream, "--display", id, "--device",
				       kmscap_bp_render, "--rc", "cqp", "--queue-depth", "64",
				       "--hold-timeout", "10000", "--frames", nframes, "--json",
				       "-o", out, NULL };

		pid = kmscap_sr_spawn(args, kmscap_bp_vadir, log);
	} else {
		const char *args[] = { kmscap_bp_copy, "--display", id, "--device",
				       kmscap_bp_render, "--frames", nframes, "-o", out, NULL };

		pid = kmscap_sr_spawn(args, kmscap_bp_vadir, log);
	}
	kmscap_sr_wait_attached(ctl, dc.id, pid, log);
	kmscap_t_kms_open_or_die(&k, dc.card_minor);
	for (i = 0; i < 2; i++)
		kmscap_t_buf_create_or_die(k.fd, w, h, DRM_FORMAT_XRGB8888, &buf[i]);
	for (i = 0, size = 0; i < frames; i++) {
		kmscap_bp_draw(&buf[i & 1], i);
		if (!i)
			ret = kmscap_t_atomic_modeset(&k, &buf[0]);
		else
			ret = kmscap_t_atomic_flip(&k, &buf[i & 1], NULL, 0, false);
		KT_ASSERT(!ret, "%s: commit of frame %u: %s", what, i, kmscap_t_errname(ret));
		if (i == frames - 1)
			break;	/* the program exits after this one */
		size = kmscap_bp_wait_frame(out, size, pid, what, i);
		if (!i)
			cpu1 = kmscap_sr_proc_cpu_ns(pid);
	}
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
	if (m == BP_STREAM) {
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
	for (i = 0; i < 2; i++)
		kmscap_t_buf_destroy(&buf[i]);
	kmscap_t_kms_close(&k);
	ret = kmscap_t_destroy(ctl, dc.id);
	if (ret)
		kmscap_t_fail("DESTROY %u: %s", dc.id, kmscap_t_errname(ret));
	return res;
}

static void kmscap_bp_col(char *s, size_t n, double v)
{
	if (v < 0)
		snprintf(s, n, "-");
	else
		snprintf(s, n, "%.0f", v);
}

int main(int argc, char **argv)
{
	struct kmscap_bp_result res[BP_NRES][BP_COUNT];
	unsigned int frames[BP_NRES] = { 10, 4 }, i, m;
	FILE *csv = NULL;
	int ctl;

	kmscap_t_init("kmscap-bench-pipeline", 0);
	if (argc < 4)
		kmscap_t_fail("usage: kmscap-bench-pipeline KMSCAP_STREAM BENCH_COPY VADRIVER_DIR "
			      "[FRAMES_1080P [FRAMES_2160P]]");
	kmscap_bp_stream = argv[1];
	kmscap_bp_copy = argv[2];
	kmscap_bp_vadir = argv[3];
	for (i = 0; i < BP_NRES && (int)i + 4 < argc; i++)
		frames[i] = (unsigned int)atoi(argv[i + 4]);
	for (i = 0; i < BP_NRES; i++)
		if (frames[i] < 3 || frames[i] > 10000)
			kmscap_t_fail("frames at %s: %u, expected 3..10000", kmscap_bp_res[i].name,
				      frames[i]);
	for (i = 0; i < 2; i++)
		if (access(argv[i + 1], X_OK))
			kmscap_t_fail("%s: %s", argv[i + 1], strerror(errno));
	if (kmscap_sr_vgem_render(kmscap_bp_render, sizeof(kmscap_bp_render)))
		kmscap_t_skip("no vgem render node in the VM");
	ctl = kmscap_t_open_ctl_or_skip();
	mkdir("/out", 0755);
	printf("kmscap-bench-pipeline: capture + H.264 encode with the software test VA driver "
	       "on %s; %u frames at 1080p, %u at 2160p, one frame in flight\n",
	       kmscap_bp_render, frames[0], frames[1]);
	for (i = 0; i < BP_NRES; i++)
		for (m = 0; m < BP_COUNT; m++)
			res[i][m] = kmscap_bp_one(ctl, i, m, frames[i]);
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
				 kmscap_bp_name[m], x->encoded, x->cpu_us, imp, x->capture_us, conv, up,
				 x->encode_us, x->lat_p50_us, x->lat_p99_us);
			printf("csv,pipeline,%s\n", line);
			if (csv)
				fprintf(csv, "%s\n", line);
		}
	}
	if (csv)
		fclose(csv);
	for (i = 0; i < BP_NRES; i++)
		printf("%s: cpu copy / stream %.2f, capture copy+cpuconv+upload / stream "
		       "VPP %.2f\n", kmscap_bp_res[i].name,
		       res[i][BP_COPY].cpu_us / res[i][BP_STREAM].cpu_us,
		       (res[i][BP_COPY].capture_us + res[i][BP_COPY].convert_us +
			res[i][BP_COPY].upload_us) / res[i][BP_STREAM].capture_us);
	return 0;
}
