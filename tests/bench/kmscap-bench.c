// SPDX-License-Identifier: MIT
/*
 * kmscap-bench: per-frame cost of the capture side at 720p, 1080p, 1440p
 * and 2160p, three ways, side by side:
 *   kmscap  read the frame event, look up the DMA-BUF exported the first
 *           time the buffer id was seen (cached), release;
 *   copy    read the frame event, copy the whole frame from the (cached)
 *           read-only mapping into client memory, release;
 *   getfb2  what kmsgrab does per frame: drmModeGetPlane + drmModeGetFB2 +
 *           drmPrimeHandleToFD, then close the fd and the GEM handle
 *           (the kmscap event only serves as the "new frame" trigger and
 *           is not counted).
 * A compositor thread page-flips two buffers on a kmscap display
 * (240 Hz mode, flip events) while the capture thread does one of the
 * above per frame.  Reported per frame: CPU time of the capture thread
 * (CLOCK_THREAD_CPUTIME_ID around the per-frame work, the wait excluded)
 * and wall time of the same work (CLOCK_MONOTONIC); plus, for the kmscap
 * path, the latency from the return of the flip ioctl to the wake-up of
 * the capture thread (p50/p99; negative when the event is queued before
 * the ioctl returns).
 *
 * With top=PATH (make bench passes build/user/kmscap-top when it is
 * built): the kmscap path at 1080p again, alternately without and with
 * kmscap-top --json attached (two runs each), side by side: the capture
 * thread's CPU per frame (its read and RELEASE hit tracepoints that run
 * the BPF programs), the wake-up latency, kmscap-top's own CPU per frame
 * (/proc/PID/schedstat over the run), and the ratio with/without.
 *
 * Usage: kmscap-bench [FRAMES] [top=PATH]   (default 120 frames per case)
 * Writes the CSV also to /out/kmscap-bench.csv when /out exists.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmscap_test.h"

enum kmscap_method { M_KMSCAP, M_COPY, M_GETFB2, M_COUNT };
static const char *const kmscap_method_name[M_COUNT] = { "kmscap", "copy", "getfb2" };

static const struct { uint32_t w, h; const char *name; } kmscap_res[] = {
	{ 1280, 720, "720p" },
	{ 1920, 1080, "1080p" },
	{ 2560, 1440, "1440p" },
	{ 3840, 2160, "2160p" },
};
#define NRES KMSCAP_T_ARRAY_SIZE(kmscap_res)

struct kmscap_result {
	double cpu_us, wall_us;		/* mean */
	double cpu_p50_us, wall_p50_us;	/* median */
	double lat_p50_us, lat_p99_us;
	unsigned int frames;
};

struct kmscap_run {
	enum kmscap_method m;
	unsigned int frames;
	int cl;			/* kmscap client */
	int drm_fd;		/* second fd of the card (getfb2) */
	uint32_t plane_id;
	uint64_t *t_flip;	/* flip ioctl return, per frame */
	uint64_t *t_wake;	/* capture wake-up, per frame */
	uint64_t *cpu, *wall;	/* per-frame samples */
	unsigned int done;
	char err[256];
};

static void *kmscap_capture(void *arg)
{
	struct kmscap_run *run = arg;
	struct kmscap_t_maps maps;
	uint64_t seq0 = 0;
	void *copy = NULL;
	size_t copy_size = 0;
	struct { uint32_t id; int fd; } fds[16];
	unsigned int nfds = 0, j;

	kmscap_t_maps_init(&maps, run->cl);
	while (run->done < run->frames) {
		struct pollfd p = { .fd = run->cl, .events = POLLIN };
		struct kmscap_event ev;
		uint64_t c0, w0, idx;
		ssize_t n;
		int r;

		r = poll(&p, 1, 10000);
		if (r <= 0) {
			snprintf(run->err, sizeof(run->err), "no frame event within 10 s");
			break;
		}
		w0 = kmscap_t_now_ns();
		c0 = kmscap_t_thread_cpu_ns();
		if (run->m == M_GETFB2) {
			/* The trigger is not counted. */
			n = read(run->cl, &ev, sizeof(ev));
			if (n != sizeof(ev) || kmscap_t_release(run->cl, ev.seq)) {
				snprintf(run->err, sizeof(run->err), "read/release failed");
				break;
			}
			w0 = kmscap_t_now_ns();
			c0 = kmscap_t_thread_cpu_ns();
			{
				drmModePlanePtr pl = drmModeGetPlane(run->drm_fd, run->plane_id);
				drmModeFB2Ptr fb;
				int dfd = -1;

				if (!pl) {
					snprintf(run->err, sizeof(run->err), "GetPlane: %s",
						 strerror(errno));
					break;
				}
				fb = drmModeGetFB2(run->drm_fd, pl->fb_id);
				drmModeFreePlane(pl);
				if (!fb || !fb->handles[0]) {
					snprintf(run->err, sizeof(run->err),
						 "GetFB2: %s (needs CAP_SYS_ADMIN)",
						 fb ? "no handle" : strerror(errno));
					break;
				}
				if (drmPrimeHandleToFD(run->drm_fd, fb->handles[0], DRM_CLOEXEC,
						       &dfd)) {
					snprintf(run->err, sizeof(run->err), "PrimeHandleToFD: %s",
						 strerror(errno));
					break;
				}
				close(dfd);
				drmCloseBufferHandle(run->drm_fd, fb->handles[0]);
				drmModeFreeFB2(fb);
			}
			run->cpu[run->done] = kmscap_t_thread_cpu_ns() - c0;
			run->wall[run->done] = kmscap_t_now_ns() - w0;
			run->done++;
			continue;
		}
		n = read(run->cl, &ev, sizeof(ev));
		if (n != sizeof(ev) || ev.type != KMSCAP_EVENT_FRAME) {
			snprintf(run->err, sizeof(run->err), "read: %zd", n);
			break;
		}
		if (!seq0)
			seq0 = ev.seq;
		idx = ev.seq - seq0;
		if (idx < run->frames)
			run->t_wake[idx] = w0;
		if (run->m == M_KMSCAP) {
			/* export once per buffer id, keep the fd: what a zero-copy consumer does */
			unsigned int j;

			for (j = 0; j < nfds && fds[j].id != ev.buffer_id; j++)
				;
			if (j == nfds) {
				struct kmscap_export exp;

				if (nfds == KMSCAP_T_ARRAY_SIZE(fds) ||
				    kmscap_t_export(run->cl, ev.buffer_id, KMSCAP_EXPORT_CLOEXEC,
						    &exp)) {
					snprintf(run->err, sizeof(run->err), "EXPORT %u failed",
						 ev.buffer_id);
					break;
				}
				fds[nfds].id = ev.buffer_id;
				fds[nfds++].fd = (int)exp.fd;
			}
		} else {
			struct kmscap_t_map *map = kmscap_t_maps_get(&maps, ev.buffer_id);
			size_t sz = (size_t)ev.pitches[0] * ev.height;

			if (sz > copy_size) {
				free(copy);
				copy = malloc(sz);
				copy_size = sz;
				if (!copy)
					break;
			}
			kmscap_t_dmabuf_sync(map->fd, true);
			memcpy(copy, map->ptr, sz);
			kmscap_t_dmabuf_sync(map->fd, false);
		}
		r = kmscap_t_release(run->cl, ev.seq);
		if (r) {
			snprintf(run->err, sizeof(run->err), "RELEASE: %s", kmscap_t_errname(r));
			break;
		}
		run->cpu[run->done] = kmscap_t_thread_cpu_ns() - c0;
		run->wall[run->done] = kmscap_t_now_ns() - w0;
		run->done++;
	}
	free(copy);
	for (j = 0; j < nfds; j++)
		close(fds[j].fd);
	kmscap_t_maps_fini(&maps);
	return NULL;
}

static int kmscap_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static struct kmscap_result kmscap_bench_one(int ctl, uint32_t w, uint32_t h,
					     enum kmscap_method m, unsigned int frames)
{
	struct kmscap_display_create c;
	struct kmscap_result res = { 0 };
	struct kmscap_run run = { .m = m, .frames = frames };
	struct kmscap_t_buf buf[2];
	struct kmscap_t_kms k;
	pthread_t th;
	unsigned int i;
	int r;

	kmscap_t_create_or_die(ctl, w, h, 240000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	for (i = 0; i < 2; i++) {
		kmscap_t_buf_create_or_die(k.fd, w, h, DRM_FORMAT_XRGB8888, &buf[i]);
		memset(buf[i].map, 0x30 + i, buf[i].size);
	}
	r = kmscap_t_modeset(&k, buf[1].fb_id);
	if (r)
		kmscap_t_fail("card%u: modeset %ux%u: %s", c.card_minor, w, h, kmscap_t_errname(r));
	run.cl = kmscap_t_client_or_die(c.id, 0, 5000000000ull);
	run.drm_fd = kmscap_t_open_card(c.card_minor);
	if (run.drm_fd < 0)
		kmscap_t_fail("second open of card%u: %s", c.card_minor,
			      kmscap_t_errname(run.drm_fd));
	drmSetClientCap(run.drm_fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	run.plane_id = k.primary_id;
	run.t_flip = calloc(frames, sizeof(uint64_t));
	run.t_wake = calloc(frames, sizeof(uint64_t));
	run.cpu = calloc(frames, sizeof(uint64_t));
	run.wall = calloc(frames, sizeof(uint64_t));
	if (!run.t_flip || !run.t_wake || !run.cpu || !run.wall)
		kmscap_t_fail("out of memory");
	if (pthread_create(&th, NULL, kmscap_capture, &run))
		kmscap_t_fail("pthread_create failed");
	for (i = 0; i < frames && !run.err[0]; i++) {
		r = kmscap_t_page_flip(&k, buf[i & 1].fb_id);
		run.t_flip[i] = kmscap_t_now_ns();
		if (!r)
			r = kmscap_t_wait_flip(&k, 10000);
		if (r)
			kmscap_t_fail("%ux%u %s: flip %u: %s", w, h, kmscap_method_name[m], i,
				      kmscap_t_errname(r));
	}
	pthread_join(th, NULL);
	if (run.err[0])
		kmscap_t_fail("%ux%u %s: capture: %s", w, h, kmscap_method_name[m], run.err);
	res.frames = run.done;
	{
		uint64_t cpu_sum = 0, wall_sum = 0;

		for (i = 0; i < run.done; i++) {
			cpu_sum += run.cpu[i];
			wall_sum += run.wall[i];
		}
		res.cpu_us = cpu_sum / 1000.0 / run.done;
		res.wall_us = wall_sum / 1000.0 / run.done;
		kmscap_t_sort_u64(run.cpu, run.done);
		kmscap_t_sort_u64(run.wall, run.done);
		res.cpu_p50_us = run.cpu[run.done / 2] / 1000.0;
		res.wall_p50_us = run.wall[run.done / 2] / 1000.0;
	}
	if (m == M_KMSCAP) {
		int64_t *lat = calloc(frames, sizeof(int64_t));
		unsigned int n = 0;

		for (i = 0; i < frames; i++)
			if (run.t_wake[i] && run.t_flip[i])
				lat[n++] = (int64_t)(run.t_wake[i] - run.t_flip[i]);
		qsort(lat, n, sizeof(*lat), kmscap_cmp_i64);
		if (n) {
			res.lat_p50_us = lat[n / 2] / 1000.0;
			res.lat_p99_us = lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1000.0;
		}
		free(lat);
	}
	free(run.t_flip);
	free(run.t_wake);
	free(run.cpu);
	free(run.wall);
	close(run.drm_fd);
	close(run.cl);
	for (i = 0; i < 2; i++)
		kmscap_t_buf_destroy(&buf[i]);
	kmscap_t_kms_close(&k);
	r = kmscap_t_destroy(ctl, c.id);
	if (r)
		kmscap_t_fail("DESTROY %u: %s", c.id, kmscap_t_errname(r));
	return res;
}

/* CPU time of @pid so far in ns (/proc/PID/schedstat), or 0. */
static uint64_t kmscap_task_cpu_ns(pid_t pid)
{
	unsigned long long ns = 0;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

/* Start kmscap-top --json at @top (output into @out); return once it traces. */
static pid_t kmscap_top_start(const char *top, const char *out)
{
	const char *err = "/tmp/kmscap-bench-top.err";
	uint64_t t0 = kmscap_t_now_ns();
	pid_t pid;

	unlink(err);
	pid = fork();
	if (pid < 0)
		kmscap_t_fail("fork: %s", strerror(errno));
	if (!pid) {
		int o = open(out, O_WRONLY | O_CREAT | O_APPEND, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execl(top, top, "--json", "--interval", "1", (char *)NULL);
		_exit(127);
	}
	for (;;) {
		char line[256] = "";
		FILE *f = fopen(err, "re");
		int status;

		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = 0;
			fclose(f);
		}
		if (strstr(line, "kmscap-top: tracing"))
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid)
			kmscap_t_fail("%s did not start (status 0x%x): %s", top, status, line);
		if (kmscap_t_now_ns() - t0 > 60000000000ull) {
			kill(pid, SIGKILL);
			kmscap_t_fail("%s: not tracing after 60 s", top);
		}
		kmscap_t_sleep_ms(50);
	}
}

/* The kmscap path at 1080p without and with kmscap-top, alternately. */
static void kmscap_bench_top(int ctl, const char *top, unsigned int frames, FILE *csv)
{
	const char *out = access("/out", W_OK) ? "/dev/null" : "/out/kmscap-top-bench.json";
	struct kmscap_result r[2][2];
	double top_us[2] = { 0 }, cpu[2], lat[2], idle_us;
	unsigned int run, on;
	uint64_t c0, t0;
	pid_t pid;

	/* What kmscap-top costs with nothing to trace, for comparison. */
	pid = kmscap_top_start(top, "/dev/null");
	c0 = kmscap_task_cpu_ns(pid);
	t0 = kmscap_t_now_ns();
	kmscap_t_sleep_ms(2000);
	idle_us = (kmscap_task_cpu_ns(pid) - c0) / 1000.0 / ((kmscap_t_now_ns() - t0) / 1e9);
	kill(pid, SIGINT);
	if (kmscap_t_wait_child(pid))
		kmscap_t_fail("%s did not exit cleanly on SIGINT", top);

	for (run = 0; run < 2; run++) {
		for (on = 0; on < 2; on++) {
			pid = 0;
			c0 = 0;
			if (on) {
				pid = kmscap_top_start(top, out);
				c0 = kmscap_task_cpu_ns(pid);
			}
			r[on][run] = kmscap_bench_one(ctl, 1920, 1080, M_KMSCAP, frames);
			if (on) {
				top_us[run] = (kmscap_task_cpu_ns(pid) - c0) / 1000.0 / frames;
				kill(pid, SIGINT);
				if (kmscap_t_wait_child(pid))
					kmscap_t_fail("%s did not exit cleanly on SIGINT", top);
			}
			printf("  1080p  kmscap %-14s cpu p50 %9.1f mean %9.1f us/frame   wake-up "
			       "lat p50 %9.1f us\n", on ? "+ kmscap-top" : "", r[on][run].cpu_p50_us,
			       r[on][run].cpu_us, r[on][run].lat_p50_us);
		}
	}
	for (on = 0; on < 2; on++) {
		cpu[on] = (r[on][0].cpu_p50_us + r[on][1].cpu_p50_us) / 2;
		lat[on] = (r[on][0].lat_p50_us + r[on][1].lat_p50_us) / 2;
	}
	printf("\nkmscap-top attached (%s --json --interval 1), 1080p, kmscap path, mean of two "
	       "runs each:\n", top);
	printf("%-16s %14s %14s %18s\n", "", "cpu p50 us", "lat p50 us", "kmscap-top us/frame");
	printf("%-16s %14.1f %14.1f %18s\n", "without", cpu[0], lat[0], "-");
	printf("%-16s %14.1f %14.1f %18.1f\n", "with kmscap-top", cpu[1], lat[1],
	       (top_us[0] + top_us[1]) / 2);
	printf("ratio with/without: capture cpu p50 %.2f, wake-up latency p50 %.2f\n",
	       cpu[1] / cpu[0], lat[0] > 0 ? lat[1] / lat[0] : 0.0);
	printf("kmscap-top with nothing to trace: %.1f us of CPU per second\n", idle_us);
	printf("csv-top,case,cpu_p50_us,latency_p50_us,kmscap_top_us_per_frame\n");
	printf("csv-top,without,%.2f,%.2f,\n", cpu[0], lat[0]);
	printf("csv-top,with,%.2f,%.2f,%.2f\n", cpu[1], lat[1], (top_us[0] + top_us[1]) / 2);
	if (csv) {
		fprintf(csv, "1080p,1920,1080,kmscap-no-top,%u,%.2f,,,,%.2f,\n", frames, cpu[0],
			lat[0]);
		fprintf(csv, "1080p,1920,1080,kmscap+top,%u,%.2f,,,,%.2f,\n", frames, cpu[1],
			lat[1]);
	}
}

int main(int argc, char **argv)
{
	struct kmscap_result res[NRES][M_COUNT];
	unsigned int frames = 120;
	const char *top = NULL;
	unsigned int i, m;
	FILE *csv = NULL;
	int ctl;

	kmscap_t_init("kmscap-bench", 0);
	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strncmp(argv[i], "top=", 4))
			top = argv[i] + 4;
		else
			frames = (unsigned int)atoi(argv[i]);
	}
	if (top && access(top, X_OK)) {
		printf("kmscap-bench: %s: %s: no kmscap-top overhead case\n", top, strerror(errno));
		top = NULL;
	}
	if (frames < 10)
		frames = 10;
	ctl = kmscap_t_open_ctl_or_skip();
	if (!access("/out", W_OK))
		csv = fopen("/out/kmscap-bench.csv", "we");
	printf("kmscap-bench: %u frames per case; cpu = CLOCK_THREAD_CPUTIME_ID of the capture "
	       "thread around the per-frame work (wait excluded), wall = CLOCK_MONOTONIC of the "
	       "same work; p50 = median, mean includes first-use exports\n", frames);
	for (i = 0; i < NRES; i++) {
		for (m = 0; m < M_COUNT; m++) {
			res[i][m] = kmscap_bench_one(ctl, kmscap_res[i].w, kmscap_res[i].h, m,
						     frames);
			printf("  %-6s %-7s cpu p50 %9.1f mean %9.1f us/frame   wall p50 %9.1f "
			       "mean %9.1f us/frame\n", kmscap_res[i].name, kmscap_method_name[m],
			       res[i][m].cpu_p50_us, res[i][m].cpu_us, res[i][m].wall_p50_us,
			       res[i][m].wall_us);
		}
	}

	printf("\nper-frame CPU time of the capture side, median, us:\n");
	printf("%-7s %-10s %10s %10s %10s %10s %11s %11s\n", "res", "size", "kmscap", "copy",
	       "getfb2", "copy/kms", "lat p50 us", "lat p99 us");
	for (i = 0; i < NRES; i++)
		printf("%-7s %4ux%-5u %10.1f %10.1f %10.1f %10.1f %11.1f %11.1f\n",
		       kmscap_res[i].name, kmscap_res[i].w, kmscap_res[i].h,
		       res[i][M_KMSCAP].cpu_p50_us, res[i][M_COPY].cpu_p50_us,
		       res[i][M_GETFB2].cpu_p50_us,
		       res[i][M_COPY].cpu_p50_us / res[i][M_KMSCAP].cpu_p50_us,
		       res[i][M_KMSCAP].lat_p50_us, res[i][M_KMSCAP].lat_p99_us);
	printf("(latency: flip ioctl return -> capture thread wake-up, kmscap path; negative = "
	       "woken before the ioctl returned)\n");

	printf("\ncsv,resolution,width,height,method,frames,cpu_p50_us,cpu_mean_us,wall_p50_us,"
	       "wall_mean_us,latency_p50_us,latency_p99_us\n");
	if (csv)
		fprintf(csv, "resolution,width,height,method,frames,cpu_p50_us,cpu_mean_us,"
			"wall_p50_us,wall_mean_us,latency_p50_us,latency_p99_us\n");
	for (i = 0; i < NRES; i++) {
		for (m = 0; m < M_COUNT; m++) {
			const struct kmscap_result *x = &res[i][m];
			char line[256];

			if (m == M_KMSCAP)
				snprintf(line, sizeof(line),
					 "%s,%u,%u,%s,%u,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f",
					 kmscap_res[i].name, kmscap_res[i].w, kmscap_res[i].h,
					 kmscap_method_name[m], x->frames, x->cpu_p50_us, x->cpu_us,
					 x->wall_p50_us, x->wall_us, x->lat_p50_us, x->lat_p99_us);
			else
				snprintf(line, sizeof(line), "%s,%u,%u,%s,%u,%.2f,%.2f,%.2f,%.2f,,",
					 kmscap_res[i].name, kmscap_res[i].w, kmscap_res[i].h,
					 kmscap_method_name[m], x->frames, x->cpu_p50_us, x->cpu_us,
					 x->wall_p50_us, x->wall_us);
			printf("csv,%s\n", line);
			if (csv)
				fprintf(csv, "%s\n", line);
		}
	}

	printf("\nratio kmscap cpu 2160p / 720p (median): %.2f (9x the pixels)\n",
	       res[NRES - 1][M_KMSCAP].cpu_p50_us / res[0][M_KMSCAP].cpu_p50_us);
	printf("ratio copy / kmscap cpu at 2160p (median): %.1f\n",
	       res[NRES - 1][M_COPY].cpu_p50_us / res[NRES - 1][M_KMSCAP].cpu_p50_us);
	printf("ratio getfb2 / kmscap cpu at 2160p (median): %.2f\n",
	       res[NRES - 1][M_GETFB2].cpu_p50_us / res[NRES - 1][M_KMSCAP].cpu_p50_us);
	if (top) {
		printf("\n");
		kmscap_bench_top(ctl, top, frames, csv);
	}
	if (csv)
		fclose(csv);
	close(ctl);
	return 0;
}
