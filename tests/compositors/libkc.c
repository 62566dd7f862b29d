// SPDX-License-Identifier: MIT
/*
 * libkc: the host's root, the programs a compositor test starts in it,
 * and the capture checks (kc.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kc.h"
#include "kc_pattern.h"

#define KC_MAX_PROCS	8

static const char *kc_name;
static char kc_dir_path[64];
static struct kc_proc *kc_procs[KC_MAX_PROCS];
static struct kc_display *kc_displays[2];

/* Kill the process group of everything still running that the test started. */
static void kc_kill_all(void)
{
	unsigned int i;

	for (i = 0; i < KC_MAX_PROCS; i++) {
		if (kc_procs[i] && kc_procs[i]->pid > 0) {
			kill(-kc_procs[i]->pid, SIGKILL);
			waitpid(kc_procs[i]->pid, NULL, 0);
			kc_procs[i]->pid = 0;
		}
	}
	/* a test that failed leaves no display to the next one */
	for (i = 0; i < KMSCAP_T_ARRAY_SIZE(kc_displays); i++) {
		if (kc_displays[i]) {
			close(kc_displays[i]->client);
			kmscap_t_destroy(kc_displays[i]->ctl, kc_displays[i]->id);
		}
	}
}

static void kc_watchdog(int sig)
{
	static const char msg[] = "FAIL: watchdog: the test did not finish in time\n";
	unsigned int i;

	(void)sig;
	for (i = 0; i < KC_MAX_PROCS; i++)
		if (kc_procs[i] && kc_procs[i]->pid > 0)
			kill(-kc_procs[i]->pid, SIGKILL);
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(KMSCAP_T_FAIL);
	_exit(KMSCAP_T_FAIL);
}

/*
 * A udev daemon, as every host has: compositors learn of hotplugs from it
 * (libudev's monitor listens to udevd's messages, not to the kernel's).
 * It runs in the chroot until the test ends (kc_kill_all()).
 */
static void kc_start_udevd(void)
{
	static const char *const env[] = { "PATH=/usr/bin:/bin:/usr/sbin:/sbin", NULL };
	static const char *const argv[] = { "/lib/systemd/systemd-udevd", "--resolve-names=never",
					    NULL };
	static struct kc_proc udevd;

	if (!kc_have(argv[0])) {
		kmscap_t_log("no %s on the host (package udev): compositors will not hear of "
			     "hotplugs", argv[0]);
		return;
	}
	kc_start(&udevd, "udevd", 0, env, argv, -1);
	kc_wait_path("/run/udev/control", &udevd, 60);
}

void kc_init(const char *name, const char *prog, const char *package)
{
	const char *t = getenv("KMSCAP_TIMEOUT_S");
	unsigned int timeout = t ? (unsigned int)atoi(t) : 0;
	char path[256];

	kc_name = name;
	/* below the harness's own timeout, so that this one cleans up */
	kmscap_t_init(name, 0);
	signal(SIGALRM, kc_watchdog);
	alarm(timeout > 20 ? timeout - 10 : 110);
	atexit(kc_kill_all);
	if (access("/host/proc/self", F_OK))
		kmscap_t_skip("no host root at /host (the VM was booted without run-vm.sh "
			      "--hostroot)");
	snprintf(path, sizeof(path), "/host%s", prog);
	if (access(path, X_OK))
		kmscap_t_skip("%s is not installed on the host (apt-get install %s; tests/deps.sh)",
			      prog, package);
	if (chroot("/host") || chdir("/"))
		kmscap_t_fail("chroot /host: %s", strerror(errno));
	snprintf(kc_dir_path, sizeof(kc_dir_path), "/tmp/kc-%s", name);
	if (mkdir(kc_dir_path, 0755) && errno != EEXIST)
		kmscap_t_fail("mkdir %s: %s", kc_dir_path, strerror(errno));
	chmod(kc_dir_path, 0777);
	kc_start_udevd();
}

bool kc_have(const char *path)
{
	return !access(path, F_OK);
}

const char *kc_dir(void)
{
	return kc_dir_path;
}

void kc_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f || fputs(text, f) < 0 || fclose(f))
		kmscap_t_fail("cannot write %s: %s", path, strerror(errno));
}

void kc_start(struct kc_proc *p, const char *name, uid_t uid, const char *const *env,
	      const char *const *argv, int stdin_fd)
{
	unsigned int i;
	int fd;

	memset(p, 0, sizeof(*p));
	p->name = name;
	snprintf(p->log, sizeof(p->log), "%s/%s.log", kc_dir_path, name);
	fd = open(p->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		kmscap_t_fail("%s: %s", p->log, strerror(errno));
	for (i = 0; i < KC_MAX_PROCS && kc_procs[i]; i++)
		;
	KT_ASSERT(i < KC_MAX_PROCS, "more than %d programs", KC_MAX_PROCS);
	p->pid = fork();
	KT_ASSERT(p->pid >= 0, "fork: %s", strerror(errno));
	if (!p->pid) {
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		alarm(0);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (stdin_fd >= 0)
			dup2(stdin_fd, STDIN_FILENO);
		else
			dup2(open("/dev/null", O_RDONLY), STDIN_FILENO);
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid))) {
			dprintf(STDERR_FILENO, "kc: cannot become uid %u: %s\n", uid,
				strerror(errno));
			_exit(126);
		}
		execve(argv[0], (char *const *)argv, (char *const *)env);
		dprintf(STDERR_FILENO, "kc: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(p->pid, p->pid);
	close(fd);
	kc_procs[i] = p;
	kmscap_t_log("started %s (pid %d, uid %u): %s ...", name, p->pid, uid, argv[0]);
}

static void kc_reaped(struct kc_proc *p, int status)
{
	unsigned int i;

	p->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	/* what it left in its group */
	kill(-p->pid, SIGKILL);
	for (i = 0; i < KC_MAX_PROCS; i++)
		if (kc_procs[i] == p)
			kc_procs[i] = NULL;
	p->pid = 0;
}

bool kc_ended(struct kc_proc *p)
{
	int status;

	if (!p->pid)
		return true;
	if (waitpid(p->pid, &status, WNOHANG) != p->pid)
		return false;
	kc_reaped(p, status);
	return true;
}

bool kc_wait(struct kc_proc *p, unsigned int timeout_s)
{
	uint64_t end = kmscap_t_now_ns() + (uint64_t)timeout_s * 1000000000ull;

	while (!kc_ended(p)) {
		if (kmscap_t_now_ns() > end)
			return false;
		kmscap_t_sleep_ms(50);
	}
	return true;
}

int kc_stop(struct kc_proc *p, int sig)
{
	if (p->pid)
		kill(p->pid, sig);
	if (!kc_wait(p, 30)) {
		kc_show_log(p, 30);
		kmscap_t_fail("%s (pid %d) did not end within 30 s of signal %d", p->name, p->pid,
			      sig);
	}
	return p->status;
}

pid_t kc_child(const struct kc_proc *p, const char *comm)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	pid_t found = -1;

	while (dir && found < 0 && (de = readdir(dir))) {
		char path[300], stat[512], name[64];
		int ppid;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		/* "pid (comm) state ppid": no spaces in the names we look for */
		if (fgets(stat, sizeof(stat), f) &&
		    sscanf(stat, "%*d (%63[^)]) %*c %d", name, &ppid) == 2 &&
		    ppid == p->pid && !strcmp(name, comm))
			found = atoi(de->d_name);
		fclose(f);
	}
	if (dir)
		closedir(dir);
	return found;
}

void kc_show_log(const struct kc_proc *p, unsigned int lines)
{
	char line[512];
	unsigned int n = 0, i = 0;
	FILE *f = fopen(p->log, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		n++;
	rewind(f);
	kmscap_t_log("--- the last lines of %s ---", p->log);
	while (fgets(line, sizeof(line), f))
		if (i++ + lines >= n)
			printf("  | %s", line);
	fclose(f);
}

void kc_alive_or_die(struct kc_proc *p, const char *while_what)
{
	if (!kc_ended(p))
		return;
	kc_show_log(p, 40);
	kmscap_t_fail("%s ended with status %d %s", p->name, p->status, while_what);
}

void kc_wait_path(const char *path, struct kc_proc *p, unsigned int timeout_s)
{
	uint64_t end = kmscap_t_now_ns() + (uint64_t)timeout_s * 1000000000ull;

	while (!kc_have(path)) {
		kc_alive_or_die(p, "before it made its socket");
		if (kmscap_t_now_ns() > end) {
			kc_show_log(p, 40);
			kmscap_t_fail("%s made no %s within %u s", p->name, path, timeout_s);
		}
		kmscap_t_sleep_ms(100);
	}
}

void kc_wait_output(struct kc_proc *p, const char *prefix, unsigned int timeout_s)
{
	uint64_t end = kmscap_t_now_ns() + (uint64_t)timeout_s * 1000000000ull;
	char line[512];

	for (;;) {
		FILE *f = fopen(p->log, "re");
		bool found = false;

		while (f && !found && fgets(line, sizeof(line), f))
			found = !strncmp(line, prefix, strlen(prefix));
		if (f)
			fclose(f);
		if (found)
			return;
		kc_alive_or_die(p, "before it said what was expected");
		if (kmscap_t_now_ns() > end) {
			kc_show_log(p, 40);
			kmscap_t_fail("%s did not say '%s' within %u s", p->name, prefix,
				      timeout_s);
		}
		kmscap_t_sleep_ms(100);
	}
}

void kc_seat_start(struct kc_proc *seatd)
{
	static const char *const env[] = { "PATH=/usr/bin:/bin:/usr/sbin:/sbin", NULL };
	static const char *const argv[] = { "/usr/sbin/seatd", "-u", "compositor", "-g",
					    "compositor", NULL };

	if (!kc_have(argv[0]))
		kmscap_t_skip("%s is not installed on the host (apt-get install seatd; "
			      "tests/deps.sh)", argv[0]);
	mkdir("/run/user", 0755);
	if ((mkdir("/run/user/1000", 0700) && errno != EEXIST) ||
	    chown("/run/user/1000", KC_UID, KC_UID))
		kmscap_t_fail("/run/user/1000 for uid %u: %s", KC_UID, strerror(errno));
	kc_start(seatd, "seatd", 0, env, argv, -1);
	kc_wait_path("/run/seatd.sock", seatd, 60);
}

void kc_display_create(struct kc_display *d)
{
	struct kmscap_display_create dc;
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(d->ctl, KC_W, KC_H, KC_MHZ, &dc);
	d->id = dc.id;
	d->minor = dc.card_minor;
	snprintf(d->card_name, sizeof(d->card_name), "card%u", d->minor);
	snprintf(d->card, sizeof(d->card), "/dev/dri/card%u", d->minor);
	/* depth 4, a hold of one refresh: the compositor never waits long */
	d->client = kmscap_t_client_or_die(d->id, 4, 0);
	kmscap_t_maps_init(&d->maps, d->client);
	for (i = 0; i < KMSCAP_T_ARRAY_SIZE(kc_displays) && kc_displays[i]; i++)
		;
	KT_ASSERT(i < KMSCAP_T_ARRAY_SIZE(kc_displays), "more than %zu displays",
		  KMSCAP_T_ARRAY_SIZE(kc_displays));
	kc_displays[i] = d;
	kmscap_t_log("display %u: %s, %ux%u at %u mHz", d->id, d->card, KC_W, KC_H, KC_MHZ);
}

struct kc_mismatch {
	uint64_t bad;
	uint32_t x, y, got, want;
	char what[160];
};

bool kc_pattern(uint32_t x, uint32_t y, uint32_t *want)
{
	*want = kc_pattern_px(x, y);
	return true;
}

/* Compare frame @ev with @picture; true when every pixel it names is right. */
static bool kc_frame_is(struct kc_display *d, const struct kmscap_event *ev, kc_picture_fn picture,
			struct kc_mismatch *m)
{
	struct kmscap_t_map *map;
	const uint8_t *base;
	uint32_t x, y;

	memset(m, 0, sizeof(*m));
	if (ev->format != DRM_FORMAT_XRGB8888 && ev->format != DRM_FORMAT_ARGB8888) {
		snprintf(m->what, sizeof(m->what), "format %.4s, not XRGB8888",
			 (const char *)&ev->format);
		return false;
	}
	if (ev->src_w != KC_W || ev->src_h != KC_H) {
		snprintf(m->what, sizeof(m->what), "%ux%u, not %ux%u", ev->src_w, ev->src_h,
			 KC_W, KC_H);
		return false;
	}
	map = kmscap_t_maps_get(&d->maps, ev->buffer_id);
	kmscap_t_dmabuf_sync(map->fd, true);
	base = (const uint8_t *)map->ptr + ev->offsets[0];
	for (y = 0; y < KC_H; y++) {
		const uint32_t *row = (const uint32_t *)(base + (size_t)(y + ev->src_y) *
							 ev->pitches[0]) + ev->src_x;

		for (x = 0; x < KC_W; x++) {
			uint32_t got = row[x] & 0xffffff, want;

			if (picture(x, y, &want) && got != want && !m->bad++) {
				m->x = x;
				m->y = y;
				m->got = got;
				m->want = want;
			}
		}
	}
	kmscap_t_dmabuf_sync(map->fd, false);
	if (m->bad)
		snprintf(m->what, sizeof(m->what),
			 "%llu pixels differ, the first at (%u, %u): %06x, expected %06x",
			 (unsigned long long)m->bad, m->x, m->y, m->got, m->want);
	return !m->bad;
}

int kc_next_frame(struct kc_display *d, struct kmscap_event *ev)
{
	int r = kmscap_t_read_event(d->client, ev, 1000);

	KT_ASSERT(r >= 0, "display %u: reading an event: %s", d->id, kmscap_t_errname(r));
	if (r && ev->type == KMSCAP_EVENT_FRAME)
		d->frames++;
	return r && ev->type == KMSCAP_EVENT_FRAME;
}

void kc_release_frame(struct kc_display *d, const struct kmscap_event *ev)
{
	int r = kmscap_t_release(d->client, ev->seq);

	/* a hold the module revoked (the compositor reused the buffer) */
	d->stale += r == -ESTALE;
	KT_ASSERT(!r || r == -ESTALE, "display %u: RELEASE of frame %llu: %s", d->id,
		  (unsigned long long)ev->seq, kmscap_t_errname(r));
}

uint64_t kc_expect_picture(struct kc_display *d, struct kc_proc *comp, kc_picture_fn picture,
			   unsigned int timeout_s)
{
	uint64_t end = kmscap_t_now_ns() + (uint64_t)timeout_s * 1000000000ull, n = 0;
	struct kc_mismatch m = { .what = "no frame at all" };
	struct kmscap_event ev;

	for (;;) {
		if (kc_next_frame(d, &ev)) {
			bool ok = ev.buffer_id && kc_frame_is(d, &ev, picture, &m);

			if (!ev.buffer_id)
				snprintf(m.what, sizeof(m.what), "a blank frame");
			n++;
			kmscap_t_log("frame %llu: buffer %u, %ux%u, %u damage rectangles: %s",
				     (unsigned long long)ev.seq, ev.buffer_id, ev.width, ev.height,
				     ev.num_damage, ok ? "the picture" : m.what);
			kc_release_frame(d, &ev);
			if (ok) {
				kmscap_t_log("frame %llu shows the picture, pixel for pixel (%llu "
					     "frames read)", (unsigned long long)ev.seq,
					     (unsigned long long)n);
				return n;
			}
		}
		kc_alive_or_die(comp, "before the picture was on the display");
		if (kmscap_t_now_ns() > end) {
			kc_show_log(comp, 40);
			kmscap_t_fail("no frame of %llu read in %u s showed the picture: the last "
				      "one: %s", (unsigned long long)n, timeout_s, m.what);
		}
	}
}

uint64_t kc_count_frames(struct kc_display *d, struct kc_proc *comp, unsigned int timeout_s,
			 uint64_t *changes)
{
	uint64_t end = kmscap_t_now_ns() + (uint64_t)timeout_s * 1000000000ull, n = 0;
	uint64_t last = 0;
	struct kmscap_event ev;

	*changes = 0;
	while (!kc_ended(comp)) {
		if (kmscap_t_now_ns() > end)
			break;
		if (!kc_next_frame(d, &ev))
			continue;
		n++;
		if (ev.buffer_id) {
			struct kmscap_t_map *map = kmscap_t_maps_get(&d->maps, ev.buffer_id);
			uint32_t bpp = kmscap_t_format_bpp(ev.format);
			uint64_t sum;

			KT_ASSERT(ev.src_w == KC_W && ev.src_h == KC_H && bpp,
				  "frame %llu: %ux%u (format %.4s), expected %ux%u",
				  (unsigned long long)ev.seq, ev.src_w, ev.src_h,
				  (const char *)&ev.format, KC_W, KC_H);
			kmscap_t_dmabuf_sync(map->fd, true);
			sum = kmscap_t_checksum((const uint8_t *)map->ptr + ev.offsets[0],
						ev.pitches[0], ev.width * bpp / 8, ev.height);
			kmscap_t_dmabuf_sync(map->fd, false);
			if (sum != last)
				(*changes)++;
			last = sum;
		}
		kc_release_frame(d, &ev);
	}
	return n;
}

void kc_run_or_die(const char *name, const char *const *env, const char *const *argv,
			  unsigned int timeout_s)
{
	struct kc_proc p;

	kc_start(&p, name, 0, env, argv, -1);
	if (!kc_wait(&p, timeout_s)) {
		kc_show_log(&p, 30);
		kmscap_t_fail("%s did not end within %u s", name, timeout_s);
	}
	if (p.status) {
		kc_show_log(&p, 30);
		kmscap_t_fail("%s ended with status %d (output: %s)", name, p.status, p.log);
	}
}

/* Decode @h264 into RGB: the last picture, malloc()ed; fails unless it is w x h. */
static uint8_t *kc_decode_last(const char *h264, unsigned int *npics)
{
	static const char *const env[] = { "PATH=/usr/bin:/bin", NULL };
	char rgb[160];
	const char *argv[] = { "/usr/bin/ffmpeg", "-nostdin", "-v", "error", "-y", "-i", h264,
			       "-f", "rawvideo", "-pix_fmt", "rgb24", rgb, NULL };
	const size_t fsize = (size_t)KC_W * KC_H * 3;
	uint8_t *pic;
	struct stat st;
	FILE *f;

	snprintf(rgb, sizeof(rgb), "%s/stream.rgb", kc_dir());
	kc_run_or_die("ffmpeg", env, argv, 120);
	KT_ASSERT(!stat(rgb, &st) && st.st_size > 0 && (size_t)st.st_size % fsize == 0,
		  "%s (decoded %s): %lld bytes, not whole %ux%u pictures", rgb, h264,
		  (long long)st.st_size, KC_W, KC_H);
	*npics = (unsigned int)((size_t)st.st_size / fsize);
	pic = malloc(fsize);
	f = fopen(rgb, "re");
	KT_ASSERT(pic && f && !fseeko(f, st.st_size - (off_t)fsize, SEEK_SET) &&
		  fread(pic, 1, fsize, f) == fsize, "reading %s: %s", rgb, strerror(errno));
	fclose(f);
	return pic;
}

void kc_stream_cmd(struct kc_stream_cmd *c, const struct kc_display *d, const char *out,
		   const char *const *extra)
{
	unsigned int n = 0;
	int r;

	if (!kc_have(KC_STREAM) || !kc_have(KC_VADRIVER "/kmscap_test_drv_video.so"))
		kmscap_t_fail("%s or the test VA driver in %s was not built (make user vadriver)",
			      KC_STREAM, KC_VADRIVER);
	memset(c, 0, sizeof(*c));
	r = kmscap_t_render_node("vgem", c->render, sizeof(c->render));
	KT_ASSERT(!r, "no render node of vgem for the test VA driver: %s", kmscap_t_errname(r));
	snprintf(c->id, sizeof(c->id), "%u", d->id);
	snprintf(c->out, sizeof(c->out), "%s", out);
	snprintf(c->drivers, sizeof(c->drivers), "LIBVA_DRIVERS_PATH=%s", KC_VADRIVER);
	c->env[0] = "PATH=/usr/bin:/bin";
	c->env[1] = "LIBVA_DRIVER_NAME=kmscap_test";
	c->env[2] = c->drivers;
	c->argv[n++] = KC_STREAM;
	c->argv[n++] = "--display";
	c->argv[n++] = c->id;
	c->argv[n++] = "--render-node";
	c->argv[n++] = c->render;
	c->argv[n++] = "--json";
	c->argv[n++] = "-o";
	c->argv[n++] = c->out;
	while (extra && *extra && n < KMSCAP_T_ARRAY_SIZE(c->argv) - 1)
		c->argv[n++] = *extra++;
}

void kc_stream_check(struct kc_display *d, bool pattern)
{
	static const char *const frames[] = { "--frames", "1", NULL };
	unsigned int npics, cx, cy, bad = 0, fx = 0, fy = 0, fgot = 0;
	struct kc_stream_cmd c;
	char out[160];
	uint8_t *pic;

	snprintf(out, sizeof(out), "%s/stream.h264", kc_dir());
	kc_stream_cmd(&c, d, out, frames);
	kc_run_or_die("kmscap-stream", c.env, c.argv, 120);
	pic = kc_decode_last(out, &npics);
	kmscap_t_log("kmscap-stream: %s, %u picture(s) of %ux%u decoded by ffmpeg", out, npics,
		     KC_W, KC_H);
	for (cy = 0; pattern && cy < KC_H / KC_CELL; cy++) {
		for (cx = 0; cx < KC_W / KC_CELL; cx++) {
			/* the middle of the cell, as the nearest of the 8 colours */
			const uint8_t *px = pic + ((size_t)(cy * KC_CELL + KC_CELL / 2) * KC_W +
						   cx * KC_CELL + KC_CELL / 2) * 3;
			unsigned int got = (px[0] > 0x70) << 2 | (px[1] > 0x70) << 1 | (px[2] > 0x70);

			if (got != kc_cell_colour(cx, cy) && !bad++) {
				fx = cx;
				fy = cy;
				fgot = (unsigned int)px[0] << 16 | px[1] << 8 | px[2];
			}
		}
	}
	free(pic);
	if (bad)
		kmscap_t_fail("the decoded stream %s: %u of %u cells have the wrong colour, the "
			      "first at (%u, %u): %06x, expected colour %u", out, bad,
			      (KC_W / KC_CELL) * (KC_H / KC_CELL), fx * KC_CELL, fy * KC_CELL,
			      fgot, kc_cell_colour(fx, fy));
	if (pattern)
		kmscap_t_log("the decoded stream shows the picture: all %u cells have their colour",
			     (KC_W / KC_CELL) * (KC_H / KC_CELL));
}

/* Framebuffers on card @minor (debugfs dri/N/framebuffer), or -errno. */
static int kc_framebuffers(unsigned int minor)
{
	char path[64], line[256];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/framebuffer", minor);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, "framebuffer[", 12);
	fclose(f);
	return n;
}

void kc_display_finish(struct kc_display *d, const char *comp)
{
	struct kmscap_client_stats st;
	struct kmscap_event ev;
	unsigned int i;
	int r, fbs;

	while (kc_next_frame(d, &ev))
		kc_release_frame(d, &ev);
	r = kmscap_t_stats(d->client, &st);
	KT_ASSERT(!r, "display %u: STATS: %s", d->id, kmscap_t_errname(r));
	kmscap_t_stats_print(&st, "capture client");
	kmscap_t_stats_check(&st, "capture client");
	if (st.queued || st.held)
		kmscap_t_fail("after %s ended and every event was read and released, %llu frames "
			      "are queued and %llu held", comp, (unsigned long long)st.queued,
			      (unsigned long long)st.held);
	KT_ASSERT(st.delivered + d->stale == d->frames, "the client read %llu frames and "
		  "released %llu after their holds were revoked, STATS say %llu were delivered",
		  (unsigned long long)d->frames, (unsigned long long)d->stale,
		  (unsigned long long)st.delivered);
	fbs = kc_framebuffers(d->minor);
	KT_ASSERT(fbs >= 0, "debugfs dri/%u/framebuffer: %s", d->minor, kmscap_t_errname(fbs));
	if (fbs)
		kmscap_t_fail("%s ended, every frame was released, yet %d framebuffers are left "
			      "on %s (/sys/kernel/debug/dri/%u/framebuffer)", comp, fbs, d->card,
			      d->minor);
	kmscap_t_maps_fini(&d->maps);
	close(d->client);
	for (i = 0; i < KMSCAP_T_ARRAY_SIZE(kc_displays); i++)
		if (kc_displays[i] == d)
			kc_displays[i] = NULL;
	r = kmscap_t_destroy(d->ctl, d->id);
	KT_ASSERT(!r, "DESTROY display %u: %s", d->id, kmscap_t_errname(r));
	close(d->ctl);
	kmscap_t_log("%s ended: %llu frames captured, nothing queued, held or left on %s", comp,
		     (unsigned long long)d->frames, d->card);
}
