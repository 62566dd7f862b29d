/* SPDX-License-Identifier: MIT */
/*
 * kc: helpers of the compositor tests (the programs of tests/compositors), on top of
 * tests/common/kmscap_test.h.  Each test runs in the VM booted with
 * run-vm.sh --hostroot: it chroots into the host's root (/host) to run
 * the host's compositor on a kmscap display, captures that display with
 * a client of its own (and kmscap-stream), and checks what a user would
 * see and what the module accounts for.
 */
#ifndef KMSCAP_KC_H
#define KMSCAP_KC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kmscap_test.h"

/* Where the tests find our own programs (the same paths in the chroot). */
#ifndef KC_CLIENTS
#define KC_CLIENTS	"/nonexistent"
#endif
#ifndef KC_STREAM
#define KC_STREAM	"/nonexistent/kmscap-stream"
#endif
#ifndef KC_VADRIVER
#define KC_VADRIVER	"/nonexistent"
#endif

#define KC_W		640
#define KC_H		480
#define KC_MHZ		30000

/* A program started in the host's root, its output in @log. */
struct kc_proc {
	const char *name;
	pid_t pid;
	int status;		/* exit status once it has ended (128 + signal) */
	char log[128];
};

/* A kmscap display with a capture client of the test's own. */
struct kc_display {
	int ctl;
	uint32_t id;
	unsigned int minor;
	char card[32];		/* "/dev/dri/cardN" */
	char card_name[16];	/* "cardN" */
	int client;
	struct kmscap_t_maps maps;
	uint64_t frames;	/* frame events read */
	uint64_t stale;		/* of them released after the module revoked them */
};

/*
 * kmscap_t_init(@name), a watchdog that kills what the test started, and
 * the chroot into /host; skips (naming the package) when /host has no
 * @prog, and when the VM was booted without --hostroot.
 */
void kc_init(const char *name, const char *prog, const char *package);
/* Does the host have @path (an absolute path in the chroot)? */
bool kc_have(const char *path);
/* The directory of the test's files: /tmp/kc-NAME (created). */
const char *kc_dir(void);
/* Write @text into @path, failing the test on error. */
void kc_write_file(const char *path, const char *text);

/*
 * Start @argv (NULL-terminated) as @uid (0: root; else its gid too) with
 * exactly the environment @env (NULL-terminated "K=V"), in its own
 * process group, output into kc_dir()/NAME.log; @stdin_fd, if >= 0,
 * becomes its stdin (else /dev/null).
 */
void kc_start(struct kc_proc *p, const char *name, uid_t uid, const char *const *env,
	      const char *const *argv, int stdin_fd);
/* Has it ended?  Collects its status without waiting. */
bool kc_ended(struct kc_proc *p);
/* Wait up to @timeout_s for it to end; false when it still runs. */
bool kc_wait(struct kc_proc *p, unsigned int timeout_s);
/* Send @sig and wait up to 30 s for the end; fails the test if it does not end. */
int kc_stop(struct kc_proc *p, int sig);
/* The first process whose parent is @p and whose name is @comm, or -1. */
pid_t kc_child(const struct kc_proc *p, const char *comm);
/* Print the last @lines lines of its output. */
void kc_show_log(const struct kc_proc *p, unsigned int lines);
/* Fail (with its output) when @p has ended. */
void kc_alive_or_die(struct kc_proc *p, const char *while_what);
/* Wait for @path to exist while @p runs; fail after @timeout_s or if @p ends. */
void kc_wait_path(const char *path, struct kc_proc *p, unsigned int timeout_s);
/* Wait for a line starting with @prefix in @p's output; fail as kc_wait_path. */
void kc_wait_output(struct kc_proc *p, const char *prefix, unsigned int timeout_s);
/* Run @argv (in the chroot, as root) to its end; fail unless it exits 0. */
void kc_run_or_die(const char *name, const char *const *env, const char *const *argv,
		   unsigned int timeout_s);

/* The test user a wlroots compositor runs as ("compositor" of the VM's passwd). */
#define KC_UID		1000
/*
 * What a wlroots compositor needs to run as KC_UID: seatd (skips, naming
 * the package, when it is not installed) as root, its socket, and
 * /run/user/KC_UID.  Started as @seatd, ended with kc_stop().
 */
void kc_seat_start(struct kc_proc *seatd);

/*
 * Create a KC_W x KC_H display and attach the capture client; the display
 * is destroyed at exit if the test ends early.
 */
void kc_display_create(struct kc_display *d);
/* What pixel (x, y) must be (0xRRGGBB) in *@want; false: any value. */
typedef bool (*kc_picture_fn)(uint32_t x, uint32_t y, uint32_t *want);
/* kc_pattern.h's picture on the whole display. */
bool kc_pattern(uint32_t x, uint32_t y, uint32_t *want);
/*
 * Read frames until one shows @picture, pixel for pixel; fail with the
 * last mismatch after @timeout_s or when @comp ends.  Returns the number
 * of frames read until then.
 */
uint64_t kc_expect_picture(struct kc_display *d, struct kc_proc *comp, kc_picture_fn picture,
			   unsigned int timeout_s);
/* The next event within 1 s: 1 (a frame to release), 0 (none); fails on error. */
int kc_next_frame(struct kc_display *d, struct kmscap_event *ev);
/* Release frame @ev (ESTALE, a revoked hold, is fine). */
void kc_release_frame(struct kc_display *d, const struct kmscap_event *ev);
/*
 * Read frames for as long as @comp runs (at most @timeout_s); each frame
 * is checked for its size and counted, and the number of frames whose
 * contents differ from the one before is returned in *@changes.
 */
uint64_t kc_count_frames(struct kc_display *d, struct kc_proc *comp, unsigned int timeout_s,
			 uint64_t *changes);
/* kmscap-stream's command line on display @d with the test VA driver, writing @out. */
struct kc_stream_cmd {
	char render[64], id[16], out[160], drivers[200];
	const char *env[4];
	const char *argv[16];
};
/* Fill @c (kmscap-stream --display ID --render-node vgem's -o OUT --json, then @extra...). */
void kc_stream_cmd(struct kc_stream_cmd *c, const struct kc_display *d, const char *out,
		   const char *const *extra);
/*
 * kmscap-stream --frames 1 on the display (it gets the frame on screen at
 * attach) with the test VA driver; its stream decoded with ffmpeg must
 * show the picture, cell by cell (@pattern), or at least be @w x @h.
 */
void kc_stream_check(struct kc_display *d, bool pattern);
/*
 * After the compositor has ended: read and release what is left; the
 * client's accounting identity holds, nothing is queued or held, no
 * framebuffer of the compositor is left on the card (debugfs), then the
 * client detaches and the display is destroyed.
 */
void kc_display_finish(struct kc_display *d, const char *comp);

/*
 * libkc_mode.c: replace the monitor with a @w x @h one (KMSCAP_CONFIG_REPLUG,
 * what kmscapctl set-mode does) while kmscap-stream records the display:
 * the compositor @comp must go on by itself with @w x @h frames, and the one
 * stream must decode as KC_W x KC_H pictures followed by @w x @h ones.
 */
void kc_mode_change(struct kc_display *d, struct kc_proc *comp, uint32_t w, uint32_t h);

#endif /* KMSCAP_KC_H */
