/* SPDX-License-Identifier: MIT */
/*
 * kmscap_test: small libdrm + raw-ioctl helper library shared by the VM
 * selftests, the bench and the demo.  Everything talks to the kernel with
 * plain ioctls so that the tests do not depend on libkmscap.
 *
 * Conventions: functions returning int return 0 (or a count) on success
 * and -errno on failure; functions named *_or_die() report the failure
 * with kmscap_t_fail() (exit 1) or kmscap_t_skip() (exit 77).
 */
#ifndef KMSCAP_TEST_H
#define KMSCAP_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "kmscap.h"

#define KMSCAP_T_PASS	0
#define KMSCAP_T_FAIL	1
#define KMSCAP_T_SKIP	77

#define KMSCAP_T_CTL	"/dev/kmscap"

#define KMSCAP_T_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- reporting ------------------------------------------------------- */

/* Name the test, make stdout line buffered, arm a watchdog of @timeout_s. */
void kmscap_t_init(const char *name, unsigned int timeout_s);
void kmscap_t_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kmscap_t_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void kmscap_t_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void kmscap_t_pass(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#define KT_ASSERT(cond, fmt, ...) do {						\
	if (!(cond))								\
		kmscap_t_fail("%s:%d: '%s' is false: " fmt, __FILE__, __LINE__,	\
			      #cond, ##__VA_ARGS__);				\
} while (0)

/* Assert that an expression returning 0 / -errno returned @want. */
#define KT_EXPECT_RET(expr, want, what) do {					\
	int __r = (expr);							\
	if (__r != (want))							\
		kmscap_t_fail("%s:%d: %s: expected %d (%s), got %d (%s)",	\
			      __FILE__, __LINE__, (what), (want),		\
			      kmscap_t_errname(want), __r,			\
			      kmscap_t_errname(__r));				\
} while (0)

/* "EINVAL"-style name of a negative errno (or "0"). */
const char *kmscap_t_errname(int neg_errno);

/* ---- time ------------------------------------------------------------ */

uint64_t kmscap_t_now_ns(void);
uint64_t kmscap_t_thread_cpu_ns(void);
void kmscap_t_sleep_ms(unsigned int ms);

/* ---- /dev/kmscap ----------------------------------------------------- */

/* ioctl() retried on EINTR; 0 or -errno. */
int kmscap_t_ioctl(int fd, unsigned long req, void *arg);
/* Open /dev/kmscap; skips the test when it does not exist. */
int kmscap_t_open_ctl_or_skip(void);
int kmscap_t_version(int ctl, struct kmscap_version *v);
/* VERSION, which must succeed and report capability @cap (named @name): else the test fails. */
void kmscap_t_require_cap(int ctl, uint64_t cap, const char *name);
/* Whether poll() says POLLIN on @fd within @timeout_ms (0: only look). */
bool kmscap_t_readable(int fd, int timeout_ms);
int kmscap_t_create(int ctl, uint32_t w, uint32_t h, uint32_t mhz, uint32_t flags,
		    struct kmscap_display_create *out);
int kmscap_t_destroy(int ctl, uint32_t id);
int kmscap_t_info(int ctl, uint32_t id, struct kmscap_display_info *info);
int kmscap_t_config(int ctl, uint32_t id, uint32_t flags, uint32_t w, uint32_t h,
		    uint32_t mhz);
/* Number of displays (ids into @ids up to @cap), or -errno. */
int kmscap_t_list(int ctl, uint32_t *ids, uint32_t cap);

/* Create a display and fail the test if that does not work. */
void kmscap_t_create_or_die(int ctl, uint32_t w, uint32_t h, uint32_t mhz,
			    struct kmscap_display_create *out);

/* ---- capture client -------------------------------------------------- */

int kmscap_t_attach(int fd, uint32_t display_id, uint32_t depth, uint64_t hold_ns);
/* Open a new /dev/kmscap fd attached to @display_id; fails the test on error. */
int kmscap_t_client_or_die(uint32_t display_id, uint32_t depth, uint64_t hold_ns);
/*
 * Wait up to @timeout_ms (-1: forever) for one event and read it.
 * Returns 1 when an event was read, 0 on timeout, -errno on error.
 */
int kmscap_t_read_event(int fd, struct kmscap_event *ev, int timeout_ms);
int kmscap_t_release(int fd, uint64_t seq);
int kmscap_t_export(int fd, uint32_t buffer_id, uint32_t flags, struct kmscap_export *exp);
int kmscap_t_stats(int fd, struct kmscap_client_stats *st);
/* Fail the test if the stats invariant does not hold (@what names the client). */
void kmscap_t_stats_check(const struct kmscap_client_stats *st, const char *what);
void kmscap_t_stats_print(const struct kmscap_client_stats *st, const char *what);
/* Read and release every pending event; returns how many frames were drained. */
int kmscap_t_drain(int fd, int timeout_ms);

/* Cache of exported, mapped buffers of one client, keyed by buffer id. */
#define KMSCAP_T_MAX_MAPS	16
struct kmscap_t_map {
	uint32_t buffer_id;
	int fd;
	uint64_t size;
	void *ptr;
};

struct kmscap_t_maps {
	int client_fd;
	unsigned int n;
	struct kmscap_t_map map[KMSCAP_T_MAX_MAPS];
};

void kmscap_t_maps_init(struct kmscap_t_maps *m, int client_fd);
/* Export + mmap(PROT_READ) a buffer once, then return the cached mapping. */
struct kmscap_t_map *kmscap_t_maps_get(struct kmscap_t_maps *m, uint32_t buffer_id);
void kmscap_t_maps_fini(struct kmscap_t_maps *m);

/* DMA_BUF_IOCTL_SYNC start/end of a CPU read. */
int kmscap_t_dmabuf_sync(int dmabuf_fd, bool start);

/* ---- DRM side -------------------------------------------------------- */

/* /dev/dri/card<minor>, created with mknod when the node is missing. */
int kmscap_t_open_card(unsigned int minor);
/* First card whose driver name is @name, or -ENOENT. */
int kmscap_t_open_driver(const char *name);
/*
 * The render node whose DRM driver (DRM_IOCTL_VERSION) is @driver, found
 * through /sys/class/drm/renderD<minor> and created with mknod when the
 * node is missing: opened read-write, its path in @path.  The fd, or
 * -ENOENT when no render node has that driver.
 */
int kmscap_t_open_render(const char *driver, char *path, size_t len);
/* The same, closed again: 0 with the path in @path, or -ENOENT. */
int kmscap_t_render_node(const char *driver, char *path, size_t len);

struct kmscap_t_plane_props {
	uint32_t fb_id, crtc_id;
	uint32_t src_x, src_y, src_w, src_h;
	uint32_t crtc_x, crtc_y, crtc_w, crtc_h;
	uint32_t damage;
};

struct kmscap_t_kms {
	int fd;
	unsigned int minor;
	uint32_t crtc_id;
	unsigned int crtc_index;
	uint32_t conn_id;
	uint32_t primary_id;
	uint32_t cursor_id;
	drmModeModeInfo mode;		/* preferred mode of the connector */
	struct kmscap_t_plane_props pp;	/* primary plane */
	struct kmscap_t_plane_props cp;	/* cursor plane */
	uint32_t conn_crtc_id;
	uint32_t crtc_mode_id;
	uint32_t crtc_active;
	/* last completed page flip */
	bool flip_pending;
	unsigned int flip_seq;
	uint64_t flip_ns;
	uint64_t flips_done;
};

/*
 * Open the card of a kmscap display, enable atomic, find its objects and the
 * preferred mode (left zero when the connector is disconnected).
 */
void kmscap_t_kms_open_or_die(struct kmscap_t_kms *k, unsigned int minor);
/* The same for the card of another DRM driver (vkms, ...). */
void kmscap_t_kms_open_driver_or_die(struct kmscap_t_kms *k, unsigned int minor,
				     const char *driver);
void kmscap_t_kms_close(struct kmscap_t_kms *k);
/* Preferred mode of the connector (after a re-probe), 0 or -errno. */
int kmscap_t_kms_reprobe(struct kmscap_t_kms *k);
uint32_t kmscap_t_prop_id(int fd, uint32_t obj, uint32_t type, const char *name);
/* Current value of a property; 0 or -errno. */
int kmscap_t_prop_value(int fd, uint32_t obj, uint32_t type, const char *name,
			uint64_t *value);

struct kmscap_t_buf {
	int drm_fd;
	uint32_t handle;
	uint32_t fb_id;
	uint32_t width, height, format, bpp;
	uint32_t pitch;
	uint64_t size;
	void *map;
};

/*
 * Commit only the cursor plane: @cur at (@x, @y).  NONBLOCK with a flip
 * event (collect it with kmscap_t_wait_flip()), or a blocking commit.
 */
int kmscap_t_cursor_commit(struct kmscap_t_kms *k, const struct kmscap_t_buf *cur, int x, int y,
			   bool nonblock);
/* Put the whole of @cur on the cursor plane at (@x, @y) (may be negative) in @req. */
void kmscap_t_add_cursor(drmModeAtomicReqPtr req, const struct kmscap_t_kms *k,
			 const struct kmscap_t_buf *cur, int x, int y);

unsigned int kmscap_t_format_bpp(uint32_t format);
/* Dumb buffer + mapping + framebuffer (fb only when @add_fb). */
int kmscap_t_buf_create(int fd, uint32_t w, uint32_t h, uint32_t format, bool add_fb,
			struct kmscap_t_buf *b);
void kmscap_t_buf_create_or_die(int fd, uint32_t w, uint32_t h, uint32_t format,
				struct kmscap_t_buf *b);
void kmscap_t_buf_destroy(struct kmscap_t_buf *b);
/*
 * A framebuffer (XRGB8888, @pitch) of the dma-buf @dmabuf_fd, PRIME-imported
 * into the card of @k; kmscap_t_prime_fb_close() removes it and the import.
 */
void kmscap_t_prime_fb_or_die(struct kmscap_t_kms *k, int dmabuf_fd, uint32_t w, uint32_t h,
			      uint32_t pitch, struct kmscap_t_buf *fb);
void kmscap_t_prime_fb_close(struct kmscap_t_buf *fb);
/* The first frame event @client reads (within 5 s), and its buffer exported. */
void kmscap_t_export_first_or_die(int client, struct kmscap_event *ev, struct kmscap_export *exp);

/* Legacy modeset of the preferred mode with @fb_id. */
int kmscap_t_modeset(struct kmscap_t_kms *k, uint32_t fb_id);
/*
 * A display of @w x @h at 60 Hz, its card open in @k, @n XRGB8888 buffers
 * in @bufs, buffer @shown on screen by a legacy modeset; the test fails
 * otherwise.  kmscap_t_display_down() undoes it, DESTROY included.
 */
void kmscap_t_display_up(int ctl, uint32_t w, uint32_t h, struct kmscap_display_create *c,
			 struct kmscap_t_kms *k, struct kmscap_t_buf *bufs, unsigned int n,
			 unsigned int shown);
void kmscap_t_display_down(int ctl, const struct kmscap_display_create *c,
			   struct kmscap_t_kms *k, struct kmscap_t_buf *bufs, unsigned int n);
/* Atomic modeset: CRTC active with the preferred mode, primary plane = @b. */
int kmscap_t_atomic_modeset(struct kmscap_t_kms *k, const struct kmscap_t_buf *b);
/*
 * Atomic page flip of the primary plane to @b, with optional damage clips;
 * @nonblock: DRM_MODE_ATOMIC_NONBLOCK | PAGE_FLIP_EVENT (wait with
 * kmscap_t_wait_flip()), else a blocking commit.
 */
int kmscap_t_atomic_flip(struct kmscap_t_kms *k, const struct kmscap_t_buf *b,
			 const struct drm_mode_rect *clips, unsigned int nclips, bool nonblock);
/*
 * Atomic commit of the CRTC's GAMMA_LUT: a blob of @bytes of @lut (0: no
 * LUT), with the primary plane showing @b unless NULL; @flags as
 * drmModeAtomicCommit() takes them (0: blocking).  0 or -errno (-ENOENT:
 * the CRTC has no GAMMA_LUT).
 */
int kmscap_t_gamma_commit(struct kmscap_t_kms *k, const struct kmscap_t_buf *b,
			  const struct drm_color_lut *lut, size_t bytes, uint32_t flags);
/* Legacy page flip with event; kmscap_t_wait_flip() collects the event. */
int kmscap_t_page_flip(struct kmscap_t_kms *k, uint32_t fb_id);
/* 0 when the pending flip completed, -ETIMEDOUT, or -errno. */
int kmscap_t_wait_flip(struct kmscap_t_kms *k, int timeout_ms);
/* Page flip and wait for its event. */
int kmscap_t_flip(struct kmscap_t_kms *k, uint32_t fb_id, int timeout_ms);

/* ---- fences (vgem) ---------------------------------------------------- */

/*
 * An unsignalled write fence of vgem's (it signals by itself after vgem's
 * 10 s timeout at the latest), as a sync file, to put on the reservation
 * of any dma-buf: a commit showing that buffer waits for it.
 */
struct kmscap_t_vgem_fence {
	int vgem;
	struct kmscap_t_buf vb;
	uint32_t fence;
	int sync_file;
};

/* A new fence: 0, or -ENOENT without a vgem device. */
int kmscap_t_vgem_fence(struct kmscap_t_vgem_fence *f);
/* DMA_BUF_IOCTL_IMPORT_SYNC_FILE of the fence as a write into @dmabuf: 0 or -errno. */
int kmscap_t_vgem_fence_import(const struct kmscap_t_vgem_fence *f, int dmabuf);
/* Signal the fence and close what it used. */
void kmscap_t_vgem_fence_signal(struct kmscap_t_vgem_fence *f);

/* ---- pixels ---------------------------------------------------------- */

/* 32-bit value of pixel (x, y) of pattern @seed; different seeds differ in every pixel. */
static inline uint32_t kmscap_t_pattern_px(uint32_t seed, uint32_t x, uint32_t y)
{
	return ((seed * 0x9e3779b1u) ^ (y * 0x85ebca6bu)) + x * 0x27d4eb2fu;
}

void kmscap_t_fill(void *map, uint32_t pitch, uint32_t w, uint32_t h, uint32_t seed);
/* Number of pixels that differ from pattern @seed; first bad pixel in @bx/@by. */
uint64_t kmscap_t_verify(const void *map, uint32_t pitch, uint32_t w, uint32_t h,
			 uint32_t seed, uint32_t *bx, uint32_t *by);
/* FNV-1a 64 over the @w * @bytespp visible bytes of each of @h rows. */
uint64_t kmscap_t_checksum(const void *map, uint32_t pitch, uint32_t row_bytes, uint32_t h);

/* ---- system ---------------------------------------------------------- */

/* NETLINK_KOBJECT_UEVENT socket, or -errno. */
int kmscap_t_uevent_open(void);
/*
 * Wait for a "change" uevent with HOTPLUG=1 for dri/card<minor>.
 * 0 when seen, -ETIMEDOUT, or -errno.
 */
int kmscap_t_uevent_wait_hotplug(int sock, unsigned int minor, int timeout_ms);
/* Discard every queued uevent. */
void kmscap_t_uevent_flush(int sock);

/* /sys/kernel/debug/kmscap/display-<id>/stats value of @key; 0 or -errno. */
int kmscap_t_debugfs_stat(uint32_t id, const char *key, uint64_t *val);
/* How many fds this process has open (/proc/self/fd). */
int kmscap_t_count_fds(void);
/* /proc/meminfo value of @key in kB, or -1. */
long kmscap_t_meminfo_kb(const char *key);
/* Does the running kernel have function @name (/proc/kallsyms)? e.g. kasan_report. */
bool kmscap_t_kernel_has(const char *name);

/*
 * tracefs: /sys/kernel/tracing (mounted there if need be) or
 * /sys/kernel/debug/tracing; skips the test when there is none.
 */
const char *kmscap_t_tracefs_or_skip(void);

/* fork(); the child runs @fn(@arg) and exits with its return value. */
pid_t kmscap_t_fork(int (*fn)(void *arg), void *arg);
/* Exit status of @pid (128 + signal when killed), -1 on error. */
int kmscap_t_wait_child(pid_t pid);
/* kmscap_t_fork() + kmscap_t_wait_child(); fails the test (naming @what) unless 0. */
void kmscap_t_run_child(int (*fn)(void *arg), void *arg, const char *what);
/*
 * Run the program @argv[0] with stdin from /dev/null; what it writes on
 * stdout and stderr goes, NUL-terminated, to @out (the test fails if it
 * writes @size bytes or more) and to the log.  Returns its exit status
 * (128 + signal when killed).
 */
int kmscap_t_run_prog(char *const argv[], char *out, size_t size);
/*
 * Start the program @argv[0] with its stdout and stderr into the file
 * @out (truncated), and return at once: its pid (the test fails if fork()
 * does; 126/127: the file or the program could not be opened).
 */
pid_t kmscap_t_spawn(char *const argv[], const char *out);

/* ---- other users (the VM has uids 1001, 1002 and group 990) ----------- */

#define KMSCAP_T_GID	990	/* group kmscap; uid 1001 is a member */

/* Become @uid (real, effective, saved; gid @uid too) with @ngroups supplementary groups. */
void kmscap_t_become(uid_t uid, const gid_t *groups, size_t ngroups);
/*
 * Give device node @path owner @uid:@gid and @mode, as a udev rule would
 * (the VM has no udev).  The first change of a node records its owner and
 * mode, which come back when the process that made it exits (a node that
 * is gone by then, like the card of a destroyed display, is skipped).
 */
void kmscap_t_node_set(const char *path, uid_t uid, gid_t gid, mode_t mode);

/* Sort helper for latency percentiles (in place). */
void kmscap_t_sort_u64(uint64_t *v, size_t n);

#endif /* KMSCAP_TEST_H */
