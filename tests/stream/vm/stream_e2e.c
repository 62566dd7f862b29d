// SPDX-License-Identifier: MIT
/*
 * stream_e2e: the end-to-end runs of kmscap-stream, inside the test VM.
 *
 *   stream_e2e KMSCAP_STREAM VADRIVER_DIR FRAMES [SCENARIO]
 *
 * Each scenario creates a display, starts KMSCAP_STREAM on it with the
 * software test VA driver (in VADRIVER_DIR) on vgem's render node, flips
 * FRAMES numbered pictures (tests/stream/e2e_pattern.h) with blocking
 * atomic commits, and leaves its files in /out/SCENARIO/:
 *
 *   basic       640x480, the helper stops by itself after FRAMES frames;
 *   modechange  the same, with a mode change to 320x240 halfway;
 *   sigterm     no --frames: the helper gets SIGTERM after the last flip;
 *   fast        like sigterm, but with the default queue and hold timeout
 *               (kmscap-stream's: 100 ms at 30 Hz) and non-blocking flips as fast
 *               as the display takes them: the renderer outpaces the
 *               encoder, frames are dropped and must be counted;
 *   fast1       the same with --threads 1 (fast: the default, or
 *               $KMSCAP_STREAM_THREADS); the test driver converts 80 ms
 *               (fast) and 150 ms (fast1) slower than it can
 *               (KMSCAP_VA_VPP_DELAY_MS): a GPU slower than the display;
 *   static      the screen shows frame 0 before the helper starts, and
 *               nothing flips after: the helper (--frames 1) must get that
 *               frame at attach (KMSCAP_ATTACH_CURRENT_FRAME) and encode it;
 *   torn        like fast, with a hold timeout of 1 ms and two buffers: the
 *               renderer redraws a buffer as soon as the module revokes the
 *               helper's hold on it, while the helper is still converting
 *               it (each conversion 200 ms slower, the delay between its
 *               two halves); after every fourth frame it pauses for 1.5 s,
 *               so that some frames are converted before anything replaces
 *               them;
 *   torn1       the same with --threads 1: the frames go back in the ring
 *               and the module's status page says which were torn;
 *   cursor      --cursor separate: a cursor that moves every frame and
 *               changes its image halfway; records in cursor.bin;
 *   composite   the same cursor with the default --cursor composite: the
 *               driver blends it into the pictures (KMSCAP_VA_DEBUG=1);
 *   cbr         like basic, with --rc cbr --bitrate 4M and KMSCAP_VA_DEBUG=1:
 *               the driver logs the rate control parameters it recorded;
 *   hevc        --codec hevc, with the mode change of modechange (e2e.hevc);
 *   av1         --codec av1 --qp 0 (lossless), with the mode change (e2e.ivf);
 *   gamma       like basic with FRAMES / 2 frames, the flips at a quarter,
 *               half and three quarters of them setting GAMMA_LUT too: a
 *               LUT that is not the identity, modetest's ramp of i << 8
 *               (the identity at 8 bits), another that is not: the helper
 *               says twice (JSON "gamma" lines) that it does not apply it;
 *   hevc10      --codec hevc, FRAMES / 2 frames from XRGB2101010 buffers:
 *               HEVC Main 10 from P010 where the driver offers it;
 *               a codec scenario whose codec the driver does not offer
 *               leaves "unsupported" and the helper's message in
 *               skip.txt instead;
 *   mux         --format matroska into e2e.mkv, --cursor separate: 320x240 frames
 *               flipped with pauses between them and two cursor-only commits
 *               (idle: skipped) after the fourth, SIGTERM 1.5 s after the
 *               last flip; a second capture client records every frame's
 *               flip time and whether it was idle (flips.txt: "flip NS IDLE"),
 *               e2e.txt has "kill NS" and "exit NS" (CLOCK_MONOTONIC
 *               around the SIGTERM) and "status S";
 *   errors      a display that does not exist, and a capture as uid 65534
 *               of a display root owns;
 *   create      --create: the helper makes its own display, says after 2 s
 *               that nothing drives it, and removes it when it gets SIGTERM (create.txt: "status S", "seen N" the
 *               display ids it had, "left N" the displays left after it);
 *   syscalls1   like basic, with --threads 1 and the helper under strace -f -y
 *               (strace.txt; /usr/bin/strace, put into the VM by make
 *               vm-check, else skip.txt says so): the host counts its
 *               system calls per frame;
 *   syscalls2   the same with --threads 2;
 *   tiled       --create with --frames: the display takes the test driver's
 *               Intel X-tiling, and the renderer flips X-tiled vgem buffers
 *               added with that modifier (e2e_tiled.c; files as basic's).
 *
 * Files: e2e.h264 / e2e.hevc / e2e.ivf (the stream), stream.log (the helper's stderr, JSON
 * statistics), e2e.txt ("flips N", "switch N" for the first frame in the
 * new mode, "status S" = the helper's exit status); for errors one
 * NAME.txt per case: "status S", "id N", then the helper's stderr.  The
 * host half, tests/stream/test_e2e.c, checks them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "stream_e2e.h"
#include "../e2e_pattern.h"

#define KS_STRACE "/usr/bin/strace"

static const char *ks_bin, *ks_vadir;
static bool ks_va_debug;	/* KMSCAP_VA_DEBUG=1 for the next helper started */
static const char *ks_strace;	/* the next helper runs under strace -f -y -o this */
static const char *ks_vpp_delay;	/* KMSCAP_VA_VPP_DELAY_MS for it, if set */
char ks_render[300];

static void ks_draw(struct kmscap_t_buf *b, unsigned int n, bool ten)
{
	uint32_t x, y;

	for (y = 0; y < b->height; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)b->map + (size_t)y * b->pitch);

		for (x = 0; x < b->width; x++)
			row[x] = ten ? ks_e2e_xrgb30(n, x, y, b->width, b->height) :
				 ks_e2e_xrgb(n, x, y, b->width, b->height);
	}
}

pid_t ks_spawn(const char *const *args, const char *log, int *errfd, uid_t uid)
{
	const char *argv[32];
	int p[2] = { -1, -1 }, i = 0;
	pid_t pid;

	if (ks_strace) {
		argv[i++] = KS_STRACE;
		argv[i++] = "-f";
		argv[i++] = "-y";
		argv[i++] = "-qq";
		argv[i++] = "-o";
		argv[i++] = ks_strace;
	}
	argv[i++] = ks_bin;
	while (*args && i < 31)
		argv[i++] = *args++;
	argv[i] = NULL;
	if (errfd)
		KT_ASSERT(!pipe(p), "pipe: %s", strerror(errno));
	pid = fork();
	KT_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		int fd = log ? open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644) : p[1];

		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		setenv("LIBVA_DRIVER_NAME", "kmscap_test", 1);
		setenv("LIBVA_DRIVERS_PATH", ks_vadir, 1);
		if (ks_va_debug)
			setenv("KMSCAP_VA_DEBUG", "1", 1);
		if (ks_vpp_delay)
			setenv("KMSCAP_VA_VPP_DELAY_MS", ks_vpp_delay, 1);
		if (uid && (setgid(uid) || setuid(uid)))
			_exit(126);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	if (errfd) {
		close(p[1]);
		*errfd = p[0];
	}
	return pid;
}

/*
 * Wait until the helper is attached to @id; if it has exited, fail, or
 * with @may_exit return its exit status instead (else -1).
 */
static int ks_wait_attached(int ctl, uint32_t id, pid_t pid, const char *log, bool may_exit)
{
	struct kmscap_display_info info;
	unsigned int waited;
	int status, ret;

	for (waited = 0;; waited += 10) {
		ret = kmscap_t_info(ctl, id, &info);
		KT_ASSERT(!ret, "display info: %d", ret);
		if (info.clients)
			return -1;
		if (waited > 120000)
			kmscap_t_fail("kmscap-stream did not attach within 120 s");
		if (waitpid(pid, &status, WNOHANG) == pid) {
			if (may_exit)
				return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
			kmscap_t_fail("kmscap-stream exited early (status %#x), see %s", status,
				      log);
		}
		kmscap_t_sleep_ms(10);
	}
}

struct ks_scenario {
	const char *name;
	bool modechange;
	bool sigterm;
	bool fast;
	bool cursor;
	bool composite;		/* the cursor with --cursor composite */
	const char *rc;		/* --rc, default cqp */
	const char *bitrate;	/* --bitrate, if set */
	bool va_debug;		/* KMSCAP_VA_DEBUG=1: the driver's log in stream.log */
	const char *codec;	/* --codec, default h264 */
	const char *qp;		/* --qp, if set */
	bool ten;		/* XRGB2101010 buffers */
	bool half;		/* FRAMES / 2 frames */
	const char *threads;	/* --threads, if set */
	const char *hold;	/* --hold-timeout (ms) of a fast scenario, if set */
	bool two_buffers;	/* the renderer alternates between two buffers */
	bool pauses;		/* 1.5 s after every fourth flip */
	bool static_screen;	/* one frame on screen before the helper attaches */
	const char *vpp_delay;	/* the test driver's conversion this much slower (ms) */
	bool gamma;		/* GAMMA_LUT changes with three flips */
	bool strace;		/* the helper under strace: strace.txt */
};

/* The LUT frame @i of @n sets in the gamma scenario: 0 none, 1 ramp @lut. */
static int ks_gamma_lut(unsigned int i, unsigned int n, struct drm_color_lut *lut,
			unsigned int size)
{
	unsigned int e;

	if (i != n / 4 && i != n / 2 && i != 3 * n / 4)
		return 0;
	for (e = 0; e < size; e++) {
		/* n / 2: modetest's ramp; else a darker, then a brighter curve */
		uint32_t v = i == n / 2 ? e << 8 : i == n / 4 ? e * e : 65535 - (size - 1 - e) *
			     (size - 1 - e);

		lut[e].red = lut[e].green = lut[e].blue = (uint16_t)v;
		lut[e].reserved = 0;
	}
	return 1;
}

/* Blocking atomic commit: primary plane @b, the cursor @cur at frame @n's place. */
static int ks_commit_cursor(struct kmscap_t_kms *k, const struct kmscap_t_buf *b,
			    const struct kmscap_t_buf *cur, unsigned int n)
{
	const struct kmscap_t_plane_props *pp = &k->pp;
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	int x, y, r;

	if (!req)
		return -ENOMEM;
	ks_e2e_cursor_pos(n, &x, &y);
	drmModeAtomicAddProperty(req, k->primary_id, pp->fb_id, b->fb_id);
	drmModeAtomicAddProperty(req, k->primary_id, pp->crtc_id, k->crtc_id);
	drmModeAtomicAddProperty(req, k->primary_id, pp->src_w, (uint64_t)b->width << 16);
	drmModeAtomicAddProperty(req, k->primary_id, pp->src_h, (uint64_t)b->height << 16);
	drmModeAtomicAddProperty(req, k->primary_id, pp->crtc_w, b->width);
	drmModeAtomicAddProperty(req, k->primary_id, pp->crtc_h, b->height);
	kmscap_t_add_cursor(req, k, cur, x, y);
	r = drmModeAtomicCommit(k->fd, req, 0, NULL) ? -errno : 0;
	drmModeAtomicFree(req);
	return r;
}

static void ks_draw_cursor(struct kmscap_t_buf *b, unsigned int gen)
{
	uint32_t x, y;

	for (y = 0; y < b->height; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)b->map + (size_t)y * b->pitch);

		for (x = 0; x < b->width; x++)
			row[x] = ks_e2e_cursor_px(gen, x, y);
	}
}

#define KS_NBUF 4

static void ks_run(const struct ks_scenario *sc, unsigned int n)
{
	struct kmscap_display_create dc;
	struct kmscap_t_buf buf[KS_NBUF], cur[2];
	struct drm_color_lut lut[KMSCAP_GAMMA_SIZE];
	struct kmscap_t_kms k;
	char dir[64], log[96], out[96], txt[96], id[16], frames[16], curout[96], trace[96];
	const char *args[32], *codec = sc->codec ? sc->codec : "h264";
	uint32_t fmt = sc->ten ? DRM_FORMAT_XRGB2101010 : DRM_FORMAT_XRGB8888;
	unsigned int i, a = 0, w = KS_E2E_W, h = KS_E2E_H, sw = n;
	int ctl, status, ret;
	FILE *f;
	pid_t pid;

	snprintf(dir, sizeof(dir), "/out/%s", sc->name);
	mkdir(dir, 0755);
	snprintf(log, sizeof(log), "%s/stream.log", dir);
	snprintf(out, sizeof(out), "%s/e2e.%s", dir, !strcmp(codec, "av1") ? "ivf" : codec);
	if (sc->half)
		n /= 2;
	if (sc->static_screen)
		n = 1;
	snprintf(txt, sizeof(txt), "%s/e2e.txt", dir);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, w, h, 30000, &dc);
	snprintf(id, sizeof(id), "%u", dc.id);
	snprintf(frames, sizeof(frames), "%u", n);
	args[a++] = "--display";
	args[a++] = id;
	args[a++] = "--render-node";
	args[a++] = ks_render;
	args[a++] = "--rc";
	args[a++] = sc->rc ? sc->rc : "cqp";
	args[a++] = "--codec";
	args[a++] = codec;
	if (sc->qp) {
		args[a++] = "--qp";
		args[a++] = sc->qp;
	}
	if (sc->bitrate) {
		args[a++] = "--bitrate";
		args[a++] = sc->bitrate;
	}
	if (!sc->sigterm) {
		args[a++] = "--frames";
		args[a++] = frames;
	}
	if (!sc->fast) {
		/* the renderer waits for the helper: nothing is dropped by the module */
		args[a++] = "--queue-depth";
		args[a++] = "64";
		args[a++] = "--hold-timeout";
		args[a++] = "10000";
	}
	if (sc->hold) {
		args[a++] = "--hold-timeout";
		args[a++] = sc->hold;
	}
	if (sc->cursor && !sc->composite) {
		snprintf(curout, sizeof(curout), "%s/cursor.bin", dir);
		args[a++] = "--cursor";
		args[a++] = "separate";
		args[a++] = "--cursor-out";
		args[a++] = curout;
	}
	if (sc->threads) {
		args[a++] = "--threads";
		args[a++] = sc->threads;
	}
	args[a++] = "--json";
	args[a++] = "-o";
	args[a++] = out;
	args[a] = NULL;
	ks_va_debug = sc->va_debug;
	ks_vpp_delay = sc->vpp_delay;
	if (sc->strace && access(KS_STRACE, X_OK)) {
		snprintf(txt, sizeof(txt), "%s/skip.txt", dir);
		f = fopen(txt, "w");
		KT_ASSERT(f, "%s: %s", txt, strerror(errno));
		fprintf(f, "no strace: %s: %s\n", KS_STRACE, strerror(errno));
		fclose(f);
		kmscap_t_destroy(ctl, dc.id);
		close(ctl);
		return;
	}
	snprintf(trace, sizeof(trace), "%s/strace.txt", dir);
	ks_strace = sc->strace ? trace : NULL;
	if (sc->static_screen) {
		/* frame 0 on screen, then nothing changes */
		kmscap_t_kms_open_or_die(&k, dc.card_minor);
		for (i = 0; i < KS_NBUF; i++)
			kmscap_t_buf_create_or_die(k.fd, w, h, fmt, &buf[i]);
		ks_draw(&buf[0], 0, sc->ten);
		ret = kmscap_t_atomic_modeset(&k, &buf[0]);
		KT_ASSERT(!ret, "%s: modeset of frame 0: %d", sc->name, ret);
	}
	pid = ks_spawn(args, log, NULL, 0);
	ks_va_debug = false;
	ks_vpp_delay = NULL;
	ks_strace = NULL;
	status = ks_wait_attached(ctl, dc.id, pid, log, sc->codec != NULL);
	if (status >= 0) {
		/* the driver does not offer the codec: say so, next scenario */
		snprintf(txt, sizeof(txt), "%s/skip.txt", dir);
		f = fopen(txt, "w");
		KT_ASSERT(f, "%s: %s", txt, strerror(errno));
		fprintf(f, "unsupported: helper status %d\n", status);
		fclose(f);
		kmscap_t_destroy(ctl, dc.id);
		close(ctl);
		kmscap_t_log("%s: the helper exited with %d before attaching", sc->name, status);
		return;
	}

	if (!sc->static_screen) {
		kmscap_t_kms_open_or_die(&k, dc.card_minor);
		for (i = 0; i < KS_NBUF; i++)
			kmscap_t_buf_create_or_die(k.fd, w, h, fmt, &buf[i]);
	}
	if (sc->cursor) {
		for (i = 0; i < 2; i++) {
			kmscap_t_buf_create_or_die(k.fd, KS_E2E_CUR, KS_E2E_CUR,
						   DRM_FORMAT_ARGB8888, &cur[i]);
			ks_draw_cursor(&cur[i], i);
		}
	}
	for (i = 0; i < (sc->static_screen ? 0 : n); i++) {
		struct kmscap_t_buf *b = &buf[i % (sc->two_buffers ? 2 : KS_NBUF)];
		bool modeset = !i;

		if (sc->modechange && i == n / 2) {
			/* a new monitor mode: reprobe, new buffers, modeset */
			ret = kmscap_t_config(ctl, dc.id, KMSCAP_CONFIG_MODE, 320, 240, 30000);
			KT_ASSERT(!ret, "DISPLAY_CONFIG 320x240: %d", ret);
			ret = kmscap_t_kms_reprobe(&k);
			KT_ASSERT(!ret && k.mode.hdisplay == 320, "reprobe: %d, %ux%u", ret,
				  k.mode.hdisplay, k.mode.vdisplay);
			w = 320;
			h = 240;
			for (a = 0; a < KS_NBUF; a++) {
				kmscap_t_buf_destroy(&buf[a]);
				kmscap_t_buf_create_or_die(k.fd, w, h, fmt, &buf[a]);
			}
			sw = i;
			modeset = true;
		}
		ks_draw(b, i, sc->ten);
		if (modeset)
			ret = kmscap_t_atomic_modeset(&k, b);
		else if (sc->gamma && ks_gamma_lut(i, n, lut, KMSCAP_GAMMA_SIZE))
			ret = kmscap_t_gamma_commit(&k, b, lut, sizeof(lut), 0);
		else if (sc->cursor)
			ret = ks_commit_cursor(&k, b, &cur[i >= n / 2], i);
		else
			ret = kmscap_t_atomic_flip(&k, b, NULL, 0, sc->fast);
		KT_ASSERT(!ret, "%s: commit of frame %u: %d", sc->name, i, ret);
		if (sc->fast && !modeset) {
			ret = kmscap_t_wait_flip(&k, 10000);
			KT_ASSERT(!ret, "%s: flip of frame %u: %d", sc->name, i, ret);
		}
		if (sc->pauses && i % 4 == 3)
			kmscap_t_sleep_ms(1500);
	}
	/*
	 * A fast renderer replaces every frame before a slow (emulated)
	 * conversion ends, and each is revoked and dropped as torn: the last
	 * one is left on screen long enough to be encoded.
	 */
	if (sc->fast)
		kmscap_t_sleep_ms(2000);
	if (sc->sigterm)
		kill(pid, SIGTERM);
	status = kmscap_t_wait_child(pid);
	f = fopen(txt, "w");
	KT_ASSERT(f, "%s: %s", txt, strerror(errno));
	fprintf(f, "flips %u\nswitch %u\nstatus %d\n", n, sw, status);
	fclose(f);
	for (i = 0; i < KS_NBUF; i++)
		kmscap_t_buf_destroy(&buf[i]);
	for (i = 0; sc->cursor && i < 2; i++)
		kmscap_t_buf_destroy(&cur[i]);
	kmscap_t_kms_close(&k);
	kmscap_t_destroy(ctl, dc.id);
	close(ctl);
	kmscap_t_log("%s: %u frames flipped, helper status %d", sc->name, n, status);
}

/* The observer's event of the commit just made: its flip time and whether it is idle. */
static void ks_mux_observe(int obs, FILE *f, const char *what)
{
	const uint32_t busy = KMSCAP_FRAME_FULL_DAMAGE | KMSCAP_FRAME_NEW_MODE |
			      KMSCAP_FRAME_FIRST;
	struct kmscap_event ev;
	int ret;

	do {
		ret = kmscap_t_read_event(obs, &ev, 10000);
		KT_ASSERT(ret == 1, "mux: no frame event for %s: %d", what, ret);
	} while (ev.type != KMSCAP_EVENT_FRAME);
	/* idle as kmscap-stream --cursor separate sees it (vapipe.c) */
	fprintf(f, "flip %llu %d\n", (unsigned long long)ev.timestamp_ns,
		!ev.num_damage && !(ev.flags & busy));
	kmscap_t_release(obs, ev.seq);
}

/*
 * --format matroska: pictures flipped with pauses, two idle cursor-only
 * commits among them, the end long after the last flip (see the top).
 */
static void ks_mux(void)
{
	struct kmscap_display_create dc;
	struct kmscap_t_buf buf[2], cur;
	struct kmscap_t_kms k;
	char id[16];
	const char *args[] = { "--display", id, "--render-node", ks_render, "--rc", "cqp",
			       "--format", "matroska", "--cursor", "separate", "--cursor-out",
			       "/out/mux/cursor.bin", "--queue-depth", "64", "--hold-timeout",
			       "10000", "--json", "-o", "/out/mux/e2e.mkv", NULL };
	const unsigned int w = 320, h = 240;
	uint64_t kill_ns, exit_ns;
	unsigned int i;
	int ctl, obs, status, ret;
	FILE *f;
	pid_t pid;

	mkdir("/out/mux", 0755);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, w, h, 30000, &dc);
	snprintf(id, sizeof(id), "%u", dc.id);
	pid = ks_spawn(args, "/out/mux/stream.log", NULL, 0);
	ks_wait_attached(ctl, dc.id, pid, "/out/mux/stream.log", false);
	obs = kmscap_t_client_or_die(dc.id, 64, 10000000000ull);
	f = fopen("/out/mux/flips.txt", "w");
	KT_ASSERT(f, "/out/mux/flips.txt: %s", strerror(errno));
	kmscap_t_kms_open_or_die(&k, dc.card_minor);
	for (i = 0; i < 2; i++)
		kmscap_t_buf_create_or_die(k.fd, w, h, DRM_FORMAT_XRGB8888, &buf[i]);
	kmscap_t_buf_create_or_die(k.fd, KS_E2E_CUR, KS_E2E_CUR, DRM_FORMAT_ARGB8888, &cur);
	ks_draw_cursor(&cur, 0);
	for (i = 0; i < 6; i++) {
		ks_draw(&buf[i % 2], i, false);
		ret = i ? kmscap_t_atomic_flip(&k, &buf[i % 2], NULL, 0, false) :
		      kmscap_t_atomic_modeset(&k, &buf[0]);
		KT_ASSERT(!ret, "mux: commit of frame %u: %d", i, ret);
		ks_mux_observe(obs, f, "a picture");
		/*
		 * The first picture starts the encoder (its VA session, the
		 * first import), which took 0.2 s on the debug kernel: the
		 * next picture waits longer, so that none replaces one the
		 * encode thread has not taken yet (the test counts them all).
		 */
		kmscap_t_sleep_ms(i == 3 || i == 0 ? 1000 : 100);
		if (i != 3)
			continue;
		/* the cursor alone: the picture is the same, kmscap-stream skips it */
		ret = kmscap_t_cursor_commit(&k, &cur, 10, 10, false);
		KT_ASSERT(!ret, "mux: cursor commit: %d", ret);
		ks_mux_observe(obs, f, "a cursor commit");
		kmscap_t_sleep_ms(300);
		ret = kmscap_t_cursor_commit(&k, &cur, 40, 30, false);
		KT_ASSERT(!ret, "mux: cursor commit: %d", ret);
		ks_mux_observe(obs, f, "a cursor commit");
		kmscap_t_sleep_ms(700);
	}
	fclose(f);
	kmscap_t_sleep_ms(1500);
	kill_ns = kmscap_t_now_ns();
	kill(pid, SIGTERM);
	status = kmscap_t_wait_child(pid);
	exit_ns = kmscap_t_now_ns();
	f = fopen("/out/mux/e2e.txt", "w");
	KT_ASSERT(f, "/out/mux/e2e.txt: %s", strerror(errno));
	fprintf(f, "kill %llu\nexit %llu\nstatus %d\n", (unsigned long long)kill_ns,
		(unsigned long long)exit_ns, status);
	fclose(f);
	close(obs);
	for (i = 0; i < 2; i++)
		kmscap_t_buf_destroy(&buf[i]);
	kmscap_t_buf_destroy(&cur);
	kmscap_t_kms_close(&k);
	kmscap_t_destroy(ctl, dc.id);
	close(ctl);
	kmscap_t_log("mux: 6 pictures and 2 cursor commits, helper status %d", status);
}

/* Run the helper as @uid with @args; write status, @id and its stderr to NAME.txt. */
static void ks_error_case(const char *name, const char *const *args, uid_t uid, uint32_t id)
{
	char path[96], buf[4096];
	int fd, status;
	ssize_t r;
	size_t len = 0;
	FILE *f;
	pid_t pid = ks_spawn(args, NULL, &fd, uid);

	while ((r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	close(fd);
	status = kmscap_t_wait_child(pid);
	snprintf(path, sizeof(path), "/out/errors/%s.txt", name);
	f = fopen(path, "w");
	KT_ASSERT(f, "%s: %s", path, strerror(errno));
	fprintf(f, "status %d\nid %u\n%s", status, id, buf);
	fclose(f);
}

static void ks_errors(void)
{
	struct kmscap_display_create dc;
	char id[16];
	int ctl = kmscap_t_open_ctl_or_skip();
	const char *nodisp[] = { "--display", "4000000000", "--render-node", ks_render, "--rc",
				 "cqp", "-o", "/dev/null", NULL };
	const char *other[] = { "--display", id, "--render-node", ks_render, "--rc", "cqp",
				"-o", "/dev/null", NULL };

	mkdir("/out/errors", 0755);
	ks_error_case("nodisplay", nodisp, 0, 4000000000u);
	kmscap_t_create_or_die(ctl, 320, 240, 30000, &dc);
	snprintf(id, sizeof(id), "%u", dc.id);
	/* the render node must not be what stops uid 65534 */
	chmod(ks_render, 0666);
	ks_error_case("notowner", other, 65534, dc.id);
	kmscap_t_destroy(ctl, dc.id);
	close(ctl);
}

void ks_wait_created(int ctl, pid_t pid, const char *log, uint32_t *id, uint32_t *minor)
{
	struct kmscap_display_info info;
	unsigned int waited;
	uint32_t ids[16];
	int status;

	for (waited = 0; waited < 120000; waited += 10) {
		if (kmscap_t_list(ctl, ids, 16) == 1 && !kmscap_t_info(ctl, ids[0], &info) &&
		    info.clients) {
			*id = ids[0];
			*minor = info.card_minor;
			return;
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			kmscap_t_fail("kmscap-stream --create exited early, see %s", log);
		kmscap_t_sleep_ms(10);
	}
	kmscap_t_fail("kmscap-stream --create: no display with its capture client in 120 s");
}

static void ks_create(void)
{
	const char *args[] = { "--create", "320x240@30", "--render-node", ks_render, "--rc",
			       "cqp", "--json", "-o", "/dev/null", NULL };
	uint32_t ids[16], id, minor;
	int ctl = kmscap_t_open_ctl_or_skip(), status, seen, left;
	FILE *f;
	pid_t pid;

	KT_ASSERT(kmscap_t_list(ctl, ids, 16) == 0, "displays exist before --create");
	pid = ks_spawn(args, "/out/create.log", NULL, 0);
	ks_wait_created(ctl, pid, "/out/create.log", &id, &minor);
	seen = (int)id;
	/* nothing drives the display: past 2 s the helper says it waits */
	kmscap_t_sleep_ms(3000);
	kill(pid, SIGTERM);
	status = kmscap_t_wait_child(pid);
	left = kmscap_t_list(ctl, ids, 16);
	f = fopen("/out/create.txt", "w");
	KT_ASSERT(f, "/out/create.txt: %s", strerror(errno));
	fprintf(f, "status %d\nseen %d\nleft %d\n", status, seen, left);
	fclose(f);
	close(ctl);
}

/* Skip, and tell the host half why (/out/skip.txt). */
static void ks_skip_all(const char *why)
{
	FILE *f = fopen("/out/skip.txt", "w");

	if (f) {
		fprintf(f, "%s\n", why);
		fclose(f);
	}
	kmscap_t_skip("%s", why);
}

/* Whether @name is in @only, a comma-separated list (NULL: every scenario). */
static bool ks_only(const char *only, const char *name)
{
	size_t len = strlen(name);
	const char *p = only;

	while (p) {
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return true;
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	return !only;
}

int main(int argc, char **argv)
{
	static const struct ks_scenario scenarios[] = {
		{ .name = "basic" },
		{ .name = "modechange", .modechange = true },
		{ .name = "sigterm", .sigterm = true },
		{ .name = "fast", .sigterm = true, .fast = true, .vpp_delay = "80" },
		{ .name = "fast1", .sigterm = true, .fast = true, .threads = "1",
		  .vpp_delay = "150" },
		{ .name = "static", .static_screen = true },
		{ .name = "torn", .sigterm = true, .fast = true, .hold = "1", .two_buffers = true,
		  .pauses = true, .vpp_delay = "200" },
		{ .name = "torn1", .sigterm = true, .fast = true, .hold = "1", .two_buffers = true,
		  .pauses = true, .vpp_delay = "200", .threads = "1" },
		{ .name = "cursor", .cursor = true },
		{ .name = "composite", .cursor = true, .composite = true, .va_debug = true },
		{ .name = "cbr", .rc = "cbr", .bitrate = "4M", .va_debug = true },
		{ .name = "hevc", .codec = "hevc", .modechange = true, .va_debug = true },
		{ .name = "av1", .codec = "av1", .qp = "0", .modechange = true, .va_debug = true },
		{ .name = "gamma", .half = true, .gamma = true },
		{ .name = "hevc10", .codec = "hevc", .ten = true, .half = true, .va_debug = true },
		{ .name = "syscalls1", .threads = "1", .strace = true },
		{ .name = "syscalls2", .threads = "2", .strace = true },
	};
	const char *only;
	unsigned int n, i;

	kmscap_t_init("stream_e2e", 900);
	if (argc != 4 && argc != 5)
		kmscap_t_fail("usage: stream_e2e KMSCAP_STREAM VADRIVER_DIR FRAMES [SCENARIO]");
	ks_bin = argv[1];
	ks_vadir = argv[2];
	n = (unsigned int)atoi(argv[3]);
	mkdir("/out", 0755);
	if (kmscap_t_render_node("vgem", ks_render, sizeof(ks_render)))
		ks_skip_all("no vgem render node in the VM");
	if (access(KMSCAP_T_CTL, F_OK))
		ks_skip_all("no " KMSCAP_T_CTL " in the VM (kmod/kmscap.ko not built?)");
	/* a fourth argument runs only those scenarios, a,b,... (by hand, while working on them) */
	only = argc == 5 ? argv[4] : NULL;
	for (i = 0; i < KMSCAP_T_ARRAY_SIZE(scenarios); i++)
		if (ks_only(only, scenarios[i].name))
			ks_run(&scenarios[i], n);
	if (ks_only(only, "mux"))
		ks_mux();
	if (!only) {
		ks_errors();
		ks_create();
	}
	if (ks_only(only, "tiled"))
		ks_tiled(n);
	kmscap_t_pass("%u scenarios of %u frames and the error cases ran", i, n);
}
