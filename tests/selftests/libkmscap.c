// SPDX-License-Identifier: MIT
/*
 * libkmscap: the library (build/user/libkmscap.a) against the module, each
 * result cross-checked with raw ioctls, libdrm and the pixels.
 *
 * - kmscap_open(): default path and $KMSCAP_DEVICE, the version it caches
 *   equals VERSION, close-on-exec, -ENOENT / -ENOTTY / -EACCES.
 * - Displays: create / info / list / config / set_mode / connect /
 *   disconnect / destroy agree with INFO and LIST; -EINVAL, -ENOENT, and
 *   -EPERM for another uid.
 * - Capture: attach (-EBUSY, -ENOENT), next_frame with a timeout,
 *   read_events of several frames, release (-ENOENT twice, -ESTALE after a
 *   revoked hold), stats with the accounting invariant and exact counts.
 * - Buffer cache: each buffer is exported once (same fd every time, one
 *   new fd per buffer), the pixels read through the cached DMA-BUF are the
 *   ones flipped; a frame with NEW_MODE closes the cached fds (a dup()ed
 *   one lives on), kmscap_invalidate_buffers() too; DESTROY gives every
 *   client a sticky hang-up and closes their cached fds.
 * - Every error is a negative errno value; no fd is left open at the end.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "libkmscap.h"

#define W		1024
#define H		768
#define NW		800
#define NH		600
#define HOLD_NS		2000000000ull	/* long: nothing is revoked by accident */
#define SHORT_HOLD_NS	50000000ull	/* 50 ms: revoked on purpose */
#define UID_OTHER	1001
#define UID_STRANGER	1002

static struct stat saved_st;
static pid_t parent_pid;
static uint32_t disp_a;		/* root's display, for the other-uid children */

/* Put back the owner and mode of /dev/kmscap however the test ends (parent only). */
static void kmscap_restore_node(void)
{
	if (getpid() != parent_pid)
		return;
	if (chown(KMSCAP_T_CTL, saved_st.st_uid, saved_st.st_gid) ||
	    chmod(KMSCAP_T_CTL, saved_st.st_mode & 07777))
		printf("libkmscap: restoring %s: %s\n", KMSCAP_T_CTL, strerror(errno));
}

static void kmscap_set_node_mode(mode_t mode)
{
	KT_ASSERT(!chown(KMSCAP_T_CTL, 0, 0) && !chmod(KMSCAP_T_CTL, mode),
		  "chown 0:0 / chmod %o %s: %s", mode, KMSCAP_T_CTL, strerror(errno));
}

static void kmscap_become(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		kmscap_t_fail("switching to uid %u: %s", uid, strerror(errno));
}

static bool kmscap_fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static bool kmscap_fd_cloexec(int fd)
{
	int f = fcntl(fd, F_GETFD);

	return f >= 0 && (f & FD_CLOEXEC);
}

/* Map a DMA-BUF and compare it with pattern @seed; fails the test on a mismatch. */
static void kmscap_check_pixels(int fd, uint64_t size, uint32_t pitch, uint32_t w, uint32_t h,
				uint32_t seed, const char *what)
{
	uint32_t bx = 0, by = 0;
	uint64_t bad;
	void *map;

	KT_ASSERT(size >= (uint64_t)pitch * h, "%s: DMA-BUF fd %d is %llu bytes, frame needs %llu",
		  what, fd, (unsigned long long)size, (unsigned long long)pitch * h);
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	KT_ASSERT(map != MAP_FAILED, "%s: mmap of DMA-BUF fd %d (%llu bytes): %s", what, fd,
		  (unsigned long long)size, strerror(errno));
	KT_EXPECT_RET(kmscap_t_dmabuf_sync(fd, true), 0, "DMA_BUF_IOCTL_SYNC start");
	bad = kmscap_t_verify(map, pitch, w, h, seed, &bx, &by);
	KT_EXPECT_RET(kmscap_t_dmabuf_sync(fd, false), 0, "DMA_BUF_IOCTL_SYNC end");
	munmap(map, size);
	KT_ASSERT(!bad, "%s: %llu of %ux%u pixels differ from pattern %u, first at %u,%u", what,
		  (unsigned long long)bad, w, h, seed, bx, by);
}

static struct kmscap_client_stats kmscap_get_stats(struct kmscap_dev *cl, const char *what)
{
	struct kmscap_client_stats st;

	KT_EXPECT_RET(kmscap_stats(cl, &st), 0, what);
	kmscap_t_stats_check(&st, what);
	return st;
}

static void kmscap_expect_counts(const struct kmscap_client_stats *st, const char *what,
				 uint64_t flips, uint64_t delivered, uint64_t queued, uint64_t held)
{
	if (st->flips == flips && st->delivered == delivered && st->queued == queued &&
	    st->held == held && !st->dropped_queue && !st->dropped_timeout)
		return;
	kmscap_t_stats_print(st, what);
	kmscap_t_fail("%s: expected flips %llu delivered %llu queued %llu held %llu, no drops",
		      what, (unsigned long long)flips, (unsigned long long)delivered,
		      (unsigned long long)queued, (unsigned long long)held);
}

/* ---- open ------------------------------------------------------------ */

static int kmscap_child_open_denied(void *arg)
{
	struct kmscap_dev *dev = NULL;

	(void)arg;
	kmscap_become(UID_STRANGER);
	KT_EXPECT_RET(kmscap_open(NULL, &dev), -EACCES, "kmscap_open as uid 1002 (0660)");
	return 0;
}

static void kmscap_open_checks(int ctl)
{
	struct kmscap_version raw, v;
	struct kmscap_dev *dev;
	int st;

	unsetenv(KMSCAP_DEVICE_ENV);
	KT_EXPECT_RET(kmscap_t_version(ctl, &raw), 0, "VERSION");
	KT_EXPECT_RET(kmscap_open(NULL, &dev), 0, "kmscap_open(NULL)");
	KT_ASSERT(!strcmp(kmscap_path(dev), KMSCAP_DEFAULT_DEVICE), "kmscap_path '%s'",
		  kmscap_path(dev));
	KT_EXPECT_RET(kmscap_get_version(dev, &v), 0, "kmscap_get_version");
	/* the 1.0 fields: an older program's structure has no more */
	KT_ASSERT(!memcmp(&v, &raw, offsetof(struct kmscap_version, max_event_size)),
		  "kmscap_get_version %u.%u caps 0x%llx max %u event %u, VERSION %u.%u caps "
		  "0x%llx max %u event %u", v.major, v.minor, (unsigned long long)v.caps,
		  v.max_displays, v.event_size, raw.major, raw.minor,
		  (unsigned long long)raw.caps, raw.max_displays, raw.event_size);
	KT_ASSERT(v.major == KMSCAP_ABI_MAJOR, "module ABI major %u, library built for %u",
		  v.major, KMSCAP_ABI_MAJOR);
	KT_ASSERT(kmscap_fd_cloexec(kmscap_fd(dev)), "kmscap_fd %d is not close-on-exec",
		  kmscap_fd(dev));
	kmscap_t_log("kmscap_open: %s, ABI %u.%u, max_displays %u, event size %u",
		     kmscap_path(dev), v.major, v.minor, v.max_displays, v.event_size);
	kmscap_close(dev);

	KT_EXPECT_RET(kmscap_open("/nonexistent/kmscap", &dev), -ENOENT,
		      "kmscap_open of a missing path");
	KT_EXPECT_RET(kmscap_open("/dev/null", &dev), -ENOTTY, "kmscap_open(/dev/null)");
	/* $KMSCAP_DEVICE is the default; an explicit path wins over it */
	KT_ASSERT(!setenv(KMSCAP_DEVICE_ENV, "/dev/null", 1), "setenv: %s", strerror(errno));
	KT_EXPECT_RET(kmscap_open(NULL, &dev), -ENOTTY,
		      "kmscap_open(NULL), KMSCAP_DEVICE=/dev/null");
	KT_EXPECT_RET(kmscap_open(KMSCAP_T_CTL, &dev), 0, "kmscap_open(/dev/kmscap) with "
		      "KMSCAP_DEVICE=/dev/null");
	kmscap_close(dev);
	unsetenv(KMSCAP_DEVICE_ENV);

	kmscap_set_node_mode(0660);
	st = kmscap_t_wait_child(kmscap_t_fork(kmscap_child_open_denied, NULL));
	KT_ASSERT(st == 0, "uid %u child: exit status %d", UID_STRANGER, st);
}

/* ---- displays ---------------------------------------------------------- */

static bool kmscap_in(const uint32_t *ids, int n, uint32_t id)
{
	int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* kmscap_display_list() has exactly the ids LIST has; returns how many. */
static int kmscap_list_check(struct kmscap_dev *dev, int ctl, uint32_t **out)
{
	uint32_t raw[256], *ids = NULL;
	int n, rn, i;

	n = kmscap_display_list(dev, &ids);
	KT_ASSERT(n >= 0, "kmscap_display_list: %s", kmscap_t_errname(n));
	rn = kmscap_t_list(ctl, raw, 256);
	KT_ASSERT(rn == n, "kmscap_display_list: %d ids, LIST %d", n, rn);
	KT_ASSERT(n > 0 || !ids, "kmscap_display_list: 0 ids but an array");
	for (i = 0; i < n; i++)
		KT_ASSERT(kmscap_in(raw, rn, ids[i]), "kmscap_display_list has %u, LIST not",
			  ids[i]);
	if (out)
		*out = ids;
	else
		free(ids);
	return n;
}

/* INFO through the library equals the raw one and has the given mode. */
static void kmscap_info_check(struct kmscap_dev *dev, int ctl, uint32_t id, uint32_t w,
			      uint32_t h, uint32_t mhz, bool connected, const char *what)
{
	struct kmscap_display_info li, ri;

	KT_EXPECT_RET(kmscap_display_info(dev, id, &li), 0, what);
	KT_EXPECT_RET(kmscap_t_info(ctl, id, &ri), 0, "INFO");
	KT_ASSERT(li.id == id && li.width == ri.width && li.height == ri.height &&
		  li.refresh_mhz == ri.refresh_mhz && li.flags == ri.flags &&
		  li.owner_uid == ri.owner_uid && li.card_minor == ri.card_minor &&
		  li.clients == ri.clients,
		  "%s: kmscap_display_info %u: %ux%u@%u flags 0x%x, INFO %ux%u@%u flags 0x%x", what,
		  id, li.width, li.height, li.refresh_mhz, li.flags, ri.width, ri.height,
		  ri.refresh_mhz, ri.flags);
	KT_ASSERT(li.width == w && li.height == h && li.refresh_mhz == mhz,
		  "%s: display %u is %ux%u@%u mHz, expected %ux%u@%u", what, id, li.width,
		  li.height, li.refresh_mhz, w, h, mhz);
	KT_ASSERT(!!(li.flags & KMSCAP_INFO_CONNECTED) == connected,
		  "%s: display %u flags 0x%x, expected %s", what, id, li.flags,
		  connected ? "connected" : "disconnected");
}

static int kmscap_child_other_uid(void *arg)
{
	struct kmscap_display_info info;
	struct kmscap_dev *dev;

	(void)arg;
	kmscap_become(UID_OTHER);
	KT_EXPECT_RET(kmscap_open(NULL, &dev), 0, "kmscap_open as uid 1001 (0666)");
	KT_EXPECT_RET(kmscap_display_info(dev, disp_a, &info), 0, "info of root's display");
	KT_ASSERT(info.owner_uid == 0, "owner_uid %u of root's display", info.owner_uid);
	KT_EXPECT_RET(kmscap_display_destroy(dev, disp_a), -EPERM, "destroy of root's display");
	KT_EXPECT_RET(kmscap_display_set_mode(dev, disp_a, 800, 600, 60000), -EPERM,
		      "set_mode of root's display");
	KT_EXPECT_RET(kmscap_display_disconnect(dev, disp_a), -EPERM,
		      "disconnect of root's display");
	KT_EXPECT_RET(kmscap_attach(dev, disp_a, 0, 0), -EPERM, "attach to root's display");
	kmscap_close(dev);
	return 0;
}

/* Create display A (returned) and B; B is destroyed before returning. */
static uint32_t kmscap_display_checks(struct kmscap_dev *dev, int ctl, uint32_t *minor)
{
	uint32_t a, b = 0, none, *before, *after;
	int n0, n, i, st;

	n0 = kmscap_list_check(dev, ctl, &before);
	KT_EXPECT_RET(kmscap_display_create(dev, 1280, 720, 59940, 0, &a, minor), 0,
		      "kmscap_display_create 1280x720@59.94");
	kmscap_info_check(dev, ctl, a, 1280, 720, 59940, true, "after create");
	{
		struct kmscap_display_info info;

		KT_EXPECT_RET(kmscap_t_info(ctl, a, &info), 0, "INFO");
		KT_ASSERT(info.card_minor == *minor && info.owner_uid == geteuid(),
			  "display %u: card%u owner %u, create said card%u, euid %u", a,
			  info.card_minor, info.owner_uid, *minor, geteuid());
	}
	/* id and minor may be NULL: find the new display in the list */
	KT_EXPECT_RET(kmscap_display_create(dev, 640, 480, 60000, KMSCAP_CREATE_DISCONNECTED,
					    NULL, NULL), 0, "kmscap_display_create, NULL outputs");
	n = kmscap_list_check(dev, ctl, &after);
	KT_ASSERT(n == n0 + 2, "%d displays after two creates, %d before", n, n0);
	for (i = 0; i < n; i++)
		if (after[i] != a && !kmscap_in(before, n0, after[i]))
			b = after[i];
	KT_ASSERT(b && kmscap_in(after, n, a), "the new displays %u and %u are not both listed",
		  a, b);
	free(before);
	free(after);
	kmscap_info_check(dev, ctl, b, 640, 480, 60000, false, "after create DISCONNECTED");
	kmscap_t_log("created display %u (card%u) and %u; %d displays before", a, *minor, b, n0);

	KT_EXPECT_RET(kmscap_display_create(dev, 63, 64, 60000, 0, NULL, NULL), -EINVAL,
		      "create 63x64");
	KT_EXPECT_RET(kmscap_display_create(dev, 64, 64, 500001, 0, NULL, NULL), -EINVAL,
		      "create at 500.001 Hz");
	KT_EXPECT_RET(kmscap_display_create(dev, 640, 480, 60000, 1u << 31, NULL, NULL), -EINVAL,
		      "create with an unknown flag");
	KT_ASSERT(kmscap_list_check(dev, ctl, NULL) == n0 + 2, "refused creates changed LIST");

	KT_EXPECT_RET(kmscap_display_connect(dev, b), 0, "connect");
	kmscap_info_check(dev, ctl, b, 640, 480, 60000, true, "after connect");
	KT_EXPECT_RET(kmscap_display_disconnect(dev, b), 0, "disconnect");
	kmscap_info_check(dev, ctl, b, 640, 480, 60000, false, "after disconnect");
	KT_EXPECT_RET(kmscap_display_config(dev, b, KMSCAP_CONFIG_CONNECT, 0, 0, 0), 0,
		      "config CONNECT");
	kmscap_info_check(dev, ctl, b, 640, 480, 60000, true, "after config CONNECT");
	KT_EXPECT_RET(kmscap_display_config(dev, b, KMSCAP_CONFIG_MODE, 800, 600, 50000), 0,
		      "config MODE");
	kmscap_info_check(dev, ctl, b, 800, 600, 50000, true, "after config MODE");
	KT_EXPECT_RET(kmscap_display_config(dev, b, 1u << 30, 0, 0, 0), -EINVAL,
		      "config with an unknown flag");
	KT_EXPECT_RET(kmscap_display_set_mode(dev, a, W, H, 75000), 0, "set_mode 1024x768@75");
	kmscap_info_check(dev, ctl, a, W, H, 75000, true, "after set_mode");
	KT_EXPECT_RET(kmscap_display_set_mode(dev, a, 0, 0, 60000), -EINVAL, "set_mode 0x0");
	kmscap_info_check(dev, ctl, a, W, H, 75000, true, "after a refused set_mode");

	none = a > b ? a + 1000 : b + 1000;
	{
		struct kmscap_display_info info;

		KT_EXPECT_RET(kmscap_display_info(dev, none, &info), -ENOENT, "info of no display");
	}
	KT_EXPECT_RET(kmscap_display_destroy(dev, none), -ENOENT, "destroy of no display");
	KT_EXPECT_RET(kmscap_display_set_mode(dev, none, 800, 600, 60000), -ENOENT,
		      "set_mode of no display");
	KT_EXPECT_RET(kmscap_display_connect(dev, none), -ENOENT, "connect of no display");

	/* another uid: may look, may not touch */
	disp_a = a;
	kmscap_set_node_mode(0666);
	st = kmscap_t_wait_child(kmscap_t_fork(kmscap_child_other_uid, NULL));
	KT_ASSERT(st == 0, "uid %u child: exit status %d", UID_OTHER, st);
	kmscap_set_node_mode(0660);
	kmscap_info_check(dev, ctl, a, W, H, 75000, true, "after uid 1001's attempts");

	KT_EXPECT_RET(kmscap_display_destroy(dev, b), 0, "destroy");
	KT_EXPECT_RET(kmscap_display_destroy(dev, b), -ENOENT, "second destroy");
	KT_ASSERT(kmscap_list_check(dev, ctl, NULL) == n0 + 1, "LIST after destroy");
	return a;
}

/* ---- capture ------------------------------------------------------------ */

struct kmscap_cap {
	struct kmscap_t_kms k;
	struct kmscap_t_buf buf[3];	/* patterns 11, 12, 13 */
	uint32_t id;
};

/* Flip @b and wait for the flip to complete. */
static void kmscap_flip(struct kmscap_cap *c, const struct kmscap_t_buf *b)
{
	int r = kmscap_t_flip(&c->k, b->fb_id, 5000);

	KT_ASSERT(!r, "card%u: flip: %s", c->k.minor, kmscap_t_errname(r));
}

/* Wait for the next frame with kmscap_next_frame() and check what it says. */
static void kmscap_expect_frame(struct kmscap_dev *cl, struct kmscap_cap *c,
				struct kmscap_event *ev, uint32_t w, uint32_t h, const char *what)
{
	int r = kmscap_next_frame(cl, 3000, ev);

	KT_ASSERT(r == KMSCAP_NEXT_FRAME, "%s: kmscap_next_frame: %d (%s)", what, r,
		  r < 0 ? kmscap_t_errname(r) : r == KMSCAP_NEXT_TIMEOUT ? "timeout" : "hang-up");
	KT_ASSERT(ev->type == KMSCAP_EVENT_FRAME && ev->display_id == c->id && ev->buffer_id &&
		  ev->width == w && ev->height == h && ev->format == DRM_FORMAT_XRGB8888,
		  "%s: event type %u display %u buffer %u %ux%u format 0x%x", what, ev->type,
		  ev->display_id, ev->buffer_id, ev->width, ev->height, ev->format);
}

/* Buffer id and cached fd of each framebuffer, learned from the first frames. */
struct kmscap_seen {
	uint32_t buffer_id[3];
	int fd[3];
};

static void kmscap_capture_checks(struct kmscap_dev *dev, struct kmscap_cap *c)
{
	struct kmscap_event ev, evs[8];
	struct kmscap_client_stats st;
	struct kmscap_dev *cl, *cl2, *cl3;
	struct kmscap_seen seen = { { 0 }, { -1, -1, -1 } };
	uint64_t size, seq;
	int i, r, fd, fds0, keep, efd;
	uint32_t old_buf0, bogus;
	struct kmscap_t_buf nb;

	KT_EXPECT_RET(kmscap_open(NULL, &cl), 0, "kmscap_open (client)");
	KT_EXPECT_RET(kmscap_next_frame(cl, 0, &ev), -ENOTCONN, "next_frame before attach");
	KT_EXPECT_RET(kmscap_read_events(cl, evs, 8), -ENOTCONN, "read_events before attach");
	KT_EXPECT_RET(kmscap_attach(cl, c->id + 1000, 0, 0), -ENOENT, "attach to no display");
	KT_EXPECT_RET(kmscap_attach(cl, c->id, 4, HOLD_NS), 0, "attach");
	KT_EXPECT_RET(kmscap_attach(cl, c->id, 4, HOLD_NS), -EBUSY, "second attach");
	KT_ASSERT(!kmscap_hung_up(cl), "hung up right after attach");
	r = kmscap_next_frame(cl, 100, &ev);
	KT_ASSERT(r == KMSCAP_NEXT_TIMEOUT, "next_frame(100 ms) with no flip: %d", r);
	KT_EXPECT_RET(kmscap_read_events(cl, evs, 8), 0, "read_events with nothing queued");

	/* Alternate two buffers: each one exported once, pixels through the cached fd. */
	fds0 = kmscap_t_count_fds();
	for (i = 0; i < 8; i++) {
		int slot = i & 1;

		kmscap_flip(c, &c->buf[slot]);
		kmscap_expect_frame(cl, c, &ev, W, H, "alternating flips");
		KT_ASSERT(!!(ev.flags & KMSCAP_FRAME_FIRST) == (i == 0),
			  "frame %d flags 0x%x (FIRST only on the first)", i, ev.flags);
		fd = kmscap_buffer_fd(cl, ev.buffer_id, &size);
		KT_ASSERT(fd >= 0, "kmscap_buffer_fd(%u): %s", ev.buffer_id, kmscap_t_errname(fd));
		KT_ASSERT(kmscap_fd_cloexec(fd), "cached DMA-BUF fd %d is not close-on-exec", fd);
		if (i < 2) {
			seen.buffer_id[slot] = ev.buffer_id;
			seen.fd[slot] = fd;
		} else {
			KT_ASSERT(ev.buffer_id == seen.buffer_id[slot],
				  "frame %d: buffer %u, the same framebuffer was buffer %u", i,
				  ev.buffer_id, seen.buffer_id[slot]);
			KT_ASSERT(fd == seen.fd[slot], "frame %d: buffer %u gave fd %d, first %d",
				  i, ev.buffer_id, fd, seen.fd[slot]);
		}
		kmscap_check_pixels(fd, size, ev.pitches[0], W, H, 11 + slot, "alternating flips");
		KT_EXPECT_RET(kmscap_release(cl, ev.seq), 0, "release");
		KT_EXPECT_RET(kmscap_release(cl, ev.seq), -ENOENT, "second release");
	}
	KT_ASSERT(seen.buffer_id[0] != seen.buffer_id[1] && seen.fd[0] != seen.fd[1],
		  "two framebuffers, buffers %u / %u, fds %d / %d", seen.buffer_id[0],
		  seen.buffer_id[1], seen.fd[0], seen.fd[1]);
	KT_ASSERT(kmscap_t_count_fds() == fds0 + 2, "%d fds open after 8 frames of 2 buffers, "
		  "%d before: each buffer must be exported once", kmscap_t_count_fds(), fds0);
	st = kmscap_get_stats(cl, "after 8 frames");
	kmscap_expect_counts(&st, "after 8 frames", 8, 8, 0, 0);
	kmscap_t_log("8 frames: buffers %u / %u exported once, as fds %d / %d", seen.buffer_id[0],
		     seen.buffer_id[1], seen.fd[0], seen.fd[1]);

	/* read_events: three flips of one buffer (no flip waits), read at once */
	for (i = 0; i < 3; i++)
		kmscap_flip(c, &c->buf[2]);
	r = kmscap_read_events(cl, evs, 8);
	KT_ASSERT(r == 3, "read_events after 3 flips: %d (%s)", r, kmscap_t_errname(r));
	for (i = 0; i < 3; i++)
		KT_ASSERT(evs[i].type == KMSCAP_EVENT_FRAME && evs[i].seq == evs[0].seq + i &&
			  evs[i].buffer_id == evs[0].buffer_id && evs[i].display_id == c->id,
			  "read_events [%d]: type %u seq %llu buffer %u (first seq %llu buffer %u)",
			  i, evs[i].type, (unsigned long long)evs[i].seq, evs[i].buffer_id,
			  (unsigned long long)evs[0].seq, evs[0].buffer_id);
	KT_ASSERT(evs[0].seq == ev.seq + 1, "read_events: seq %llu after %llu",
		  (unsigned long long)evs[0].seq, (unsigned long long)ev.seq);
	KT_EXPECT_RET(kmscap_read_events(cl, evs + 3, 5), 0, "read_events with nothing left");
	st = kmscap_get_stats(cl, "3 frames read, none released");
	kmscap_expect_counts(&st, "3 frames read, none released", 11, 8, 0, 3);
	seen.buffer_id[2] = evs[0].buffer_id;
	seen.fd[2] = kmscap_buffer_fd(cl, evs[0].buffer_id, &size);
	KT_ASSERT(seen.fd[2] >= 0, "kmscap_buffer_fd(%u): %s", evs[0].buffer_id,
		  kmscap_t_errname(seen.fd[2]));
	kmscap_check_pixels(seen.fd[2], size, evs[0].pitches[0], W, H, 13, "read_events frame");
	for (i = 0; i < 3; i++)
		KT_EXPECT_RET(kmscap_release(cl, evs[i].seq), 0, "release");
	st = kmscap_get_stats(cl, "after read_events");
	kmscap_expect_counts(&st, "after read_events", 11, 11, 0, 0);
	KT_ASSERT(kmscap_t_count_fds() == fds0 + 3, "%d fds open for 3 buffers, %d before",
		  kmscap_t_count_fds(), fds0);

	/* kmscap_export(): a new fd the caller owns; unknown buffers are -ENOENT */
	efd = kmscap_export(cl, seen.buffer_id[0], KMSCAP_EXPORT_CLOEXEC, &size);
	KT_ASSERT(efd >= 0 && efd != seen.fd[0], "kmscap_export(%u): %d (cached fd %d)",
		  seen.buffer_id[0], efd, seen.fd[0]);
	KT_ASSERT(kmscap_fd_cloexec(efd), "exported fd %d is not close-on-exec", efd);
	kmscap_check_pixels(efd, size, c->buf[0].pitch, W, H, 11, "kmscap_export fd");
	close(efd);
	bogus = seen.buffer_id[0] ^ seen.buffer_id[1] ^ seen.buffer_id[2] ^ 0x7fff0000u;
	KT_EXPECT_RET(kmscap_export(cl, bogus, 0, &size), -ENOENT, "kmscap_export of no buffer");
	KT_EXPECT_RET(kmscap_buffer_fd(cl, 0, &size), -EINVAL, "kmscap_buffer_fd(0)");

	/* -ESTALE: a second client holds a frame past its 50 ms hold timeout */
	KT_EXPECT_RET(kmscap_open(NULL, &cl2), 0, "kmscap_open (client 2)");
	KT_EXPECT_RET(kmscap_attach(cl2, c->id, 4, SHORT_HOLD_NS), 0, "attach client 2");
	kmscap_flip(c, &c->buf[0]);
	kmscap_expect_frame(cl, c, &ev, W, H, "client 1");
	KT_EXPECT_RET(kmscap_release(cl, ev.seq), 0, "release");
	kmscap_expect_frame(cl2, c, &ev, W, H, "client 2");
	seq = ev.seq;
	kmscap_flip(c, &c->buf[1]);	/* waits 50 ms for client 2, then revokes */
	kmscap_expect_frame(cl, c, &ev, W, H, "client 1");
	KT_EXPECT_RET(kmscap_release(cl, ev.seq), 0, "release");
	KT_EXPECT_RET(kmscap_release(cl2, seq), -ESTALE, "release after the hold timeout");
	st = kmscap_get_stats(cl2, "client 2");
	kmscap_t_stats_print(&st, "client 2 (hold 50 ms)");
	KT_ASSERT(st.flips == 2 && st.dropped_timeout == 1 && st.queued == 1,
		  "client 2: flips %llu dropped_timeout %llu queued %llu, expected 2 / 1 / 1",
		  (unsigned long long)st.flips, (unsigned long long)st.dropped_timeout,
		  (unsigned long long)st.queued);
	kmscap_close(cl2);

	/* A frame with NEW_MODE closes the cached fds; a dup()ed one lives on. */
	keep = dup(seen.fd[0]);
	KT_ASSERT(keep >= 0, "dup: %s", strerror(errno));
	old_buf0 = seen.buffer_id[0];
	KT_EXPECT_RET(kmscap_display_set_mode(dev, c->id, NW, NH, 60000), 0, "set_mode 800x600");
	r = kmscap_t_kms_reprobe(&c->k);
	KT_ASSERT(!r && c->k.mode.hdisplay == NW && c->k.mode.vdisplay == NH,
		  "card%u: re-probe %s, preferred mode %ux%u", c->k.minor, kmscap_t_errname(r),
		  c->k.mode.hdisplay, c->k.mode.vdisplay);
	kmscap_t_buf_create_or_die(c->k.fd, NW, NH, DRM_FORMAT_XRGB8888, &nb);
	kmscap_t_fill(nb.map, nb.pitch, NW, NH, 21);
	r = kmscap_t_modeset(&c->k, nb.fb_id);
	KT_ASSERT(!r, "card%u: modeset 800x600: %s", c->k.minor, kmscap_t_errname(r));
	kmscap_expect_frame(cl, c, &ev, NW, NH, "after the mode change");
	KT_ASSERT(ev.flags & KMSCAP_FRAME_NEW_MODE, "first 800x600 frame: flags 0x%x lack "
		  "NEW_MODE", ev.flags);
	kmscap_t_log("NEW_MODE frame seq %llu, %ux%u buffer %u, flags 0x%x",
		     (unsigned long long)ev.seq, ev.width, ev.height, ev.buffer_id, ev.flags);
	for (i = 0; i < 3; i++)
		KT_ASSERT(!kmscap_fd_open(seen.fd[i]), "cached fd %d (buffer %u) still open after "
			  "a NEW_MODE frame", seen.fd[i], seen.buffer_id[i]);
	KT_ASSERT(kmscap_t_count_fds() == fds0 + 1, "%d fds open after NEW_MODE (the dup), %d "
		  "before", kmscap_t_count_fds(), fds0);
	fd = kmscap_buffer_fd(cl, ev.buffer_id, &size);
	KT_ASSERT(fd >= 0, "kmscap_buffer_fd(%u) after NEW_MODE: %s", ev.buffer_id,
		  kmscap_t_errname(fd));
	kmscap_check_pixels(fd, size, ev.pitches[0], NW, NH, 21, "800x600 frame");
	kmscap_check_pixels(keep, c->buf[0].size, c->buf[0].pitch, W, H, 11,
			    "dup() of a cached fd after NEW_MODE");

	/* kmscap_invalidate_buffers(): closed, and exported again on demand */
	kmscap_invalidate_buffers(cl);
	KT_ASSERT(!kmscap_fd_open(fd), "cached fd %d open after kmscap_invalidate_buffers", fd);
	fd = kmscap_buffer_fd(cl, ev.buffer_id, &size);
	KT_ASSERT(fd >= 0, "kmscap_buffer_fd after invalidate: %s", kmscap_t_errname(fd));
	kmscap_check_pixels(fd, size, ev.pitches[0], NW, NH, 21, "re-exported 800x600 frame");
	KT_EXPECT_RET(kmscap_release(cl, ev.seq), 0, "release");
	st = kmscap_get_stats(cl, "after the mode change");
	kmscap_expect_counts(&st, "after the mode change", 14, 14, 0, 0);
	kmscap_t_stats_print(&st, "client 1");
	KT_ASSERT(ev.buffer_id != old_buf0, "new 800x600 buffer has the old buffer id %u",
		  old_buf0);

	/* Hang-up: client 1 waits in next_frame, client 3 uses read_events */
	KT_EXPECT_RET(kmscap_open(NULL, &cl3), 0, "kmscap_open (client 3)");
	KT_EXPECT_RET(kmscap_attach(cl3, c->id, 0, HOLD_NS), 0, "attach client 3");
	kmscap_flip(c, &nb);
	kmscap_expect_frame(cl, c, &ev, NW, NH, "client 1 before the hang-up");
	KT_EXPECT_RET(kmscap_release(cl, ev.seq), 0, "release");
	{
		struct pollfd p = { .fd = kmscap_fd(cl3), .events = POLLIN };

		KT_ASSERT(poll(&p, 1, 3000) == 1, "client 3: no event after a flip");
	}
	KT_ASSERT(kmscap_read_events(cl3, evs, 8) == 1 && evs[0].seq == ev.seq,
		  "client 3: read_events does not give seq %llu", (unsigned long long)ev.seq);
	efd = kmscap_buffer_fd(cl3, evs[0].buffer_id, &size);
	KT_ASSERT(efd >= 0, "client 3: kmscap_buffer_fd: %s", kmscap_t_errname(efd));
	KT_EXPECT_RET(kmscap_release(cl3, evs[0].seq), 0, "client 3 release");

	KT_EXPECT_RET(kmscap_display_destroy(dev, c->id), 0, "destroy while captured");
	r = kmscap_next_frame(cl, 3000, &ev);
	KT_ASSERT(r == KMSCAP_NEXT_HANGUP && ev.type == KMSCAP_EVENT_HANGUP,
		  "client 1 after destroy: next_frame %d, event type %u", r, ev.type);
	KT_ASSERT(kmscap_hung_up(cl), "client 1: kmscap_hung_up 0 after the hang-up");
	KT_ASSERT(!kmscap_fd_open(fd), "client 1: cached fd %d open after the hang-up", fd);
	r = kmscap_next_frame(cl, 0, &ev);
	KT_ASSERT(r == KMSCAP_NEXT_HANGUP, "client 1: second next_frame after the hang-up: %d",
		  r);
	{
		struct pollfd p = { .fd = kmscap_fd(cl3), .events = POLLIN };

		KT_ASSERT(poll(&p, 1, 3000) == 1, "client 3: no POLLIN/POLLHUP after destroy");
	}
	r = kmscap_read_events(cl3, evs, 8);
	KT_ASSERT(r == 1 && evs[0].type == KMSCAP_EVENT_HANGUP && evs[0].display_id == c->id,
		  "client 3 after destroy: read_events %d, type %u display %u", r,
		  r > 0 ? evs[0].type : 0, r > 0 ? evs[0].display_id : 0);
	KT_ASSERT(kmscap_hung_up(cl3), "client 3: kmscap_hung_up 0 after a hang-up event");
	KT_ASSERT(!kmscap_fd_open(efd), "client 3: cached fd %d open after the hang-up", efd);
	/* the DMA-BUF outlives the display */
	kmscap_check_pixels(keep, c->buf[0].size, c->buf[0].pitch, W, H, 11,
			    "dup()ed fd after destroy");
	close(keep);
	kmscap_close(cl3);
	KT_ASSERT(kmscap_t_count_fds() == fds0, "%d fds open after the hang-up, %d before the "
		  "first export", kmscap_t_count_fds(), fds0);
	kmscap_close(cl);
	kmscap_t_buf_destroy(&nb);
	KT_EXPECT_RET(kmscap_display_destroy(dev, c->id), -ENOENT, "destroy after destroy");
}

int main(void)
{
	struct kmscap_cap c = { 0 };
	struct kmscap_dev *dev;
	uint32_t minor;
	int ctl, fds0, i, r;

	kmscap_t_init("libkmscap", 100);
	if (geteuid() != 0)
		kmscap_t_skip("needs root to switch to uids %u and %u (euid %u)", UID_OTHER,
			      UID_STRANGER, geteuid());
	ctl = kmscap_t_open_ctl_or_skip();
	KT_ASSERT(!stat(KMSCAP_T_CTL, &saved_st), "stat %s: %s", KMSCAP_T_CTL, strerror(errno));
	parent_pid = getpid();
	atexit(kmscap_restore_node);
	fds0 = kmscap_t_count_fds();

	kmscap_open_checks(ctl);
	KT_EXPECT_RET(kmscap_open(NULL, &dev), 0, "kmscap_open");
	c.id = kmscap_display_checks(dev, ctl, &minor);

	kmscap_t_kms_open_or_die(&c.k, minor);
	KT_ASSERT(c.k.mode.hdisplay == W && c.k.mode.vdisplay == H,
		  "card%u preferred mode %ux%u, expected %ux%u", minor, c.k.mode.hdisplay,
		  c.k.mode.vdisplay, W, H);
	for (i = 0; i < 3; i++) {
		kmscap_t_buf_create_or_die(c.k.fd, W, H, DRM_FORMAT_XRGB8888, &c.buf[i]);
		kmscap_t_fill(c.buf[i].map, c.buf[i].pitch, W, H, 11 + i);
	}
	r = kmscap_t_modeset(&c.k, c.buf[2].fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", minor, kmscap_t_errname(r));
	kmscap_capture_checks(dev, &c);

	for (i = 0; i < 3; i++)
		kmscap_t_buf_destroy(&c.buf[i]);
	kmscap_t_kms_close(&c.k);
	kmscap_close(dev);
	KT_ASSERT(kmscap_t_count_fds() == fds0, "%d fds open at the end, %d at the start",
		  kmscap_t_count_fds(), fds0);
	close(ctl);
	kmscap_t_pass("open, displays, capture, release, stats, buffer cache, mode change and "
		      "hang-up through libkmscap");
}
