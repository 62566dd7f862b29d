// SPDX-License-Identifier: MIT
/*
 * kmscap_test: helper library for the kmscap VM selftests, bench and demo.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/netlink.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "kmscap_test.h"

static const char *kmscap_t_name = "kmscap-test";

/* ---- reporting ------------------------------------------------------- */

static void kmscap_t_vprint(const char *prefix, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	printf("%s%s%s\n", kmscap_t_name, prefix, buf);
	fflush(stdout);
}

static void kmscap_t_watchdog(int sig)
{
	static const char msg[] = "FAIL: watchdog: test did not finish in time\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(KMSCAP_T_FAIL);
	_exit(KMSCAP_T_FAIL);
}

void kmscap_t_init(const char *name, unsigned int timeout_s)
{
	kmscap_t_name = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, kmscap_t_watchdog);
	if (timeout_s)
		alarm(timeout_s);
}

void kmscap_t_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kmscap_t_vprint(": ", fmt, ap);
	va_end(ap);
}

void kmscap_t_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kmscap_t_vprint(": FAIL: ", fmt, ap);
	va_end(ap);
	exit(KMSCAP_T_FAIL);
}

void kmscap_t_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kmscap_t_vprint(": SKIP: ", fmt, ap);
	va_end(ap);
	exit(KMSCAP_T_SKIP);
}

void kmscap_t_pass(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kmscap_t_vprint(": PASS: ", fmt, ap);
	va_end(ap);
	exit(KMSCAP_T_PASS);
}

const char *kmscap_t_errname(int neg_errno)
{
	/* a few rotating buffers: several names may appear in one message */
	static __thread char bufs[4][32];
	static __thread unsigned int next;
	char *buf = bufs[next++ % 4];

	switch (-neg_errno) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ENOTTY: return "ENOTTY";
	case E2BIG: return "E2BIG";
	case ERANGE: return "ERANGE";
	case ESTALE: return "ESTALE";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EOVERFLOW: return "EOVERFLOW";
	case ENXIO: return "ENXIO";
	case EPIPE: return "EPIPE";
	default:
		snprintf(buf, sizeof(bufs[0]), "errno %d", -neg_errno);
		return buf;
	}
}

/* ---- time ------------------------------------------------------------ */

uint64_t kmscap_t_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t kmscap_t_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void kmscap_t_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- /dev/kmscap ----------------------------------------------------- */

int kmscap_t_ioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do {
		r = ioctl(fd, req, arg);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

int kmscap_t_open_ctl_or_skip(void)
{
	int fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			kmscap_t_skip("%s missing (%s): kmscap.ko is not loaded",
				      KMSCAP_T_CTL, strerror(errno));
		kmscap_t_fail("open %s: %s", KMSCAP_T_CTL, strerror(errno));
	}
	return fd;
}

bool kmscap_t_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

int kmscap_t_version(int ctl, struct kmscap_version *v)
{
	memset(v, 0, sizeof(*v));
	return kmscap_t_ioctl(ctl, KMSCAP_IOC_VERSION, v);
}

void kmscap_t_require_cap(int ctl, uint64_t cap, const char *name)
{
	struct kmscap_version v;
	int r = kmscap_t_version(ctl, &v);

	KT_ASSERT(!r, "VERSION: %s", kmscap_t_errname(r));
	KT_ASSERT(v.caps & cap, "ABI %u.%u caps 0x%llx: no %s", v.major, v.minor,
		  (unsigned long long)v.caps, name);
}

int kmscap_t_create(int ctl, uint32_t w, uint32_t h, uint32_t mhz, uint32_t flags,
		    struct kmscap_display_create *out)
{
	struct kmscap_display_create c = {
		.width = w, .height = h, .refresh_mhz = mhz, .flags = flags,
	};
	int r = kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_CREATE, &c);

	if (out)
		*out = c;
	return r;
}

void kmscap_t_create_or_die(int ctl, uint32_t w, uint32_t h, uint32_t mhz,
			    struct kmscap_display_create *out)
{
	int r = kmscap_t_create(ctl, w, h, mhz, 0, out);

	if (r)
		kmscap_t_fail("%s: DISPLAY_CREATE %ux%u@%u.%03u Hz: %s", KMSCAP_T_CTL, w, h,
			      mhz / 1000, mhz % 1000, kmscap_t_errname(r));
}

int kmscap_t_destroy(int ctl, uint32_t id)
{
	struct kmscap_display_destroy d = { .id = id };

	return kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_DESTROY, &d);
}

int kmscap_t_info(int ctl, uint32_t id, struct kmscap_display_info *info)
{
	memset(info, 0, sizeof(*info));
	info->id = id;
	return kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_INFO, info);
}

int kmscap_t_config(int ctl, uint32_t id, uint32_t flags, uint32_t w, uint32_t h,
		    uint32_t mhz)
{
	struct kmscap_display_config c = {
		.id = id, .flags = flags, .width = w, .height = h, .refresh_mhz = mhz,
	};

	return kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_CONFIG, &c);
}

int kmscap_t_list(int ctl, uint32_t *ids, uint32_t cap)
{
	struct kmscap_display_list l = {
		.ids_ptr = (uintptr_t)ids, .count = ids ? cap : 0,
	};
	int r = kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_LIST, &l);

	return r ? r : (int)l.count;
}

/* ---- capture client -------------------------------------------------- */

int kmscap_t_attach(int fd, uint32_t display_id, uint32_t depth, uint64_t hold_ns)
{
	struct kmscap_attach a = {
		.display_id = display_id, .queue_depth = depth, .hold_timeout_ns = hold_ns,
	};

	return kmscap_t_ioctl(fd, KMSCAP_IOC_ATTACH, &a);
}

int kmscap_t_client_or_die(uint32_t display_id, uint32_t depth, uint64_t hold_ns)
{
	int fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	int r;

	if (fd < 0)
		kmscap_t_fail("open %s: %s", KMSCAP_T_CTL, strerror(errno));
	r = kmscap_t_attach(fd, display_id, depth, hold_ns);
	if (r)
		kmscap_t_fail("%s: ATTACH display %u depth %u hold %llu ns: %s", KMSCAP_T_CTL,
			      display_id, depth, (unsigned long long)hold_ns,
			      kmscap_t_errname(r));
	return fd;
}

int kmscap_t_read_event(int fd, struct kmscap_event *ev, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	for (;;) {
		r = poll(&p, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return 0;
		if (!(p.revents & POLLIN)) {
			if (p.revents & (POLLHUP | POLLERR))
				return -EPIPE;
			continue;
		}
		n = read(fd, ev, sizeof(*ev));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n != sizeof(*ev))
			return -EIO;
		return 1;
	}
}

int kmscap_t_release(int fd, uint64_t seq)
{
	struct kmscap_release rel = { .seq = seq };

	return kmscap_t_ioctl(fd, KMSCAP_IOC_RELEASE, &rel);
}

int kmscap_t_export(int fd, uint32_t buffer_id, uint32_t flags, struct kmscap_export *exp)
{
	memset(exp, 0, sizeof(*exp));
	exp->buffer_id = buffer_id;
	exp->flags = flags;
	return kmscap_t_ioctl(fd, KMSCAP_IOC_EXPORT, exp);
}

int kmscap_t_stats(int fd, struct kmscap_client_stats *st)
{
	memset(st, 0, sizeof(*st));
	return kmscap_t_ioctl(fd, KMSCAP_IOC_STATS, st);
}

void kmscap_t_stats_print(const struct kmscap_client_stats *st, const char *what)
{
	kmscap_t_log("%s: flips %llu delivered %llu dropped_queue %llu dropped_timeout %llu "
		     "queued %llu held %llu revoked_unreleased %llu max_hold_wait %llu us",
		     what, (unsigned long long)st->flips, (unsigned long long)st->delivered,
		     (unsigned long long)st->dropped_queue,
		     (unsigned long long)st->dropped_timeout, (unsigned long long)st->queued,
		     (unsigned long long)st->held, (unsigned long long)st->revoked_unreleased,
		     (unsigned long long)(st->max_hold_wait_ns / 1000));
}

void kmscap_t_stats_check(const struct kmscap_client_stats *st, const char *what)
{
	uint64_t sum = st->delivered + st->dropped_queue + st->dropped_timeout + st->queued +
		       st->held;

	if (sum != st->flips) {
		kmscap_t_stats_print(st, what);
		kmscap_t_fail("%s: accounting broken: flips %llu != delivered + dropped_queue + "
			      "dropped_timeout + queued + held = %llu", what,
			      (unsigned long long)st->flips, (unsigned long long)sum);
	}
}

int kmscap_t_drain(int fd, int timeout_ms)
{
	struct kmscap_event ev;
	int n = 0, r;

	while ((r = kmscap_t_read_event(fd, &ev, timeout_ms)) == 1) {
		if (ev.type == KMSCAP_EVENT_FRAME) {
			r = kmscap_t_release(fd, ev.seq);
			if (r && r != -ESTALE)
				return r;
			n++;
		}
	}
	return r < 0 ? r : n;
}

void kmscap_t_maps_init(struct kmscap_t_maps *m, int client_fd)
{
	memset(m, 0, sizeof(*m));
	m->client_fd = client_fd;
}

struct kmscap_t_map *kmscap_t_maps_get(struct kmscap_t_maps *m, uint32_t buffer_id)
{
	struct kmscap_export exp;
	struct kmscap_t_map *map;
	unsigned int i;
	int r;

	for (i = 0; i < m->n; i++)
		if (m->map[i].buffer_id == buffer_id)
			return &m->map[i];
	if (m->n == KMSCAP_T_MAX_MAPS)
		kmscap_t_fail("more than %d distinct buffer ids seen", KMSCAP_T_MAX_MAPS);
	r = kmscap_t_export(m->client_fd, buffer_id, KMSCAP_EXPORT_CLOEXEC, &exp);
	if (r)
		kmscap_t_fail("%s: EXPORT buffer %u: %s", KMSCAP_T_CTL, buffer_id,
			      kmscap_t_errname(r));
	if (!exp.size)
		kmscap_t_fail("EXPORT buffer %u: size 0", buffer_id);
	map = &m->map[m->n];
	map->buffer_id = buffer_id;
	map->fd = (int)exp.fd;
	map->size = exp.size;
	map->ptr = mmap(NULL, exp.size, PROT_READ, MAP_SHARED, map->fd, 0);
	if (map->ptr == MAP_FAILED)
		kmscap_t_fail("mmap of exported buffer %u (dma-buf fd %d, %llu bytes): %s",
			      buffer_id, map->fd, (unsigned long long)exp.size, strerror(errno));
	m->n++;
	return map;
}

void kmscap_t_maps_fini(struct kmscap_t_maps *m)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		munmap(m->map[i].ptr, m->map[i].size);
		close(m->map[i].fd);
	}
	m->n = 0;
}

int kmscap_t_dmabuf_sync(int dmabuf_fd, bool start)
{
	struct dma_buf_sync s = {
		.flags = DMA_BUF_SYNC_READ | (start ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END),
	};

	return kmscap_t_ioctl(dmabuf_fd, DMA_BUF_IOCTL_SYNC, &s);
}

/* ---- DRM side -------------------------------------------------------- */

static int kmscap_t_ensure_node(const char *path, unsigned int minor)
{
	struct stat st;

	if (!stat(path, &st))
		return 0;
	if (errno != ENOENT)
		return -errno;
	mkdir("/dev/dri", 0755);
	if (mknod(path, S_IFCHR | 0666, makedev(226, minor)) && errno != EEXIST)
		return -errno;
	return 0;
}

int kmscap_t_open_card(unsigned int minor)
{
	char path[64];
	int fd, r;

	snprintf(path, sizeof(path), "/dev/dri/card%u", minor);
	r = kmscap_t_ensure_node(path, minor);
	if (r)
		return r;
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int kmscap_t_open_driver(const char *name)
{
	unsigned int minor;

	for (minor = 0; minor < 64; minor++) {
		char sys[64];
		drmVersionPtr v;
		int fd;

		snprintf(sys, sizeof(sys), "/sys/class/drm/card%u", minor);
		if (access(sys, F_OK))
			continue;
		fd = kmscap_t_open_card(minor);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && v->name && !strcmp(v->name, name)) {
			drmFreeVersion(v);
			return fd;
		}
		if (v)
			drmFreeVersion(v);
		close(fd);
	}
	return -ENOENT;
}

int kmscap_t_open_render(const char *driver, char *path, size_t len)
{
	unsigned int minor;

	/* render nodes are minors 128..191 of major 226 */
	for (minor = 128; minor < 192; minor++) {
		char sys[64];
		drmVersionPtr v;
		bool match;
		int fd;

		snprintf(sys, sizeof(sys), "/sys/class/drm/renderD%u", minor);
		if (access(sys, F_OK))
			continue;
		if ((size_t)snprintf(path, len, "/dev/dri/renderD%u", minor) >= len)
			return -ENAMETOOLONG;
		if (kmscap_t_ensure_node(path, minor))
			continue;
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		match = v && v->name && !strcmp(v->name, driver);
		if (v)
			drmFreeVersion(v);
		if (match)
			return fd;
		close(fd);
	}
	if (len)
		path[0] = '\0';
	return -ENOENT;
}

int kmscap_t_render_node(const char *driver, char *path, size_t len)
{
	int fd = kmscap_t_open_render(driver, path, len);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

uint32_t kmscap_t_prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t id = 0, i;

	if (!props)
		return 0;
	for (i = 0; i < props->count_props && !id; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name))
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

int kmscap_t_prop_value(int fd, uint32_t obj, uint32_t type, const char *name,
			uint64_t *value)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, obj, type);
	int r = -ENOENT;
	uint32_t i;

	if (!props)
		return -errno ? -errno : -EINVAL;
	for (i = 0; i < props->count_props && r; i++) {
		drmModePropertyPtr p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name)) {
			*value = props->prop_values[i];
			r = 0;
		}
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return r;
}

static void kmscap_t_plane_props(int fd, uint32_t plane, struct kmscap_t_plane_props *pp)
{
	const uint32_t t = DRM_MODE_OBJECT_PLANE;

	pp->fb_id = kmscap_t_prop_id(fd, plane, t, "FB_ID");
	pp->crtc_id = kmscap_t_prop_id(fd, plane, t, "CRTC_ID");
	pp->src_x = kmscap_t_prop_id(fd, plane, t, "SRC_X");
	pp->src_y = kmscap_t_prop_id(fd, plane, t, "SRC_Y");
	pp->src_w = kmscap_t_prop_id(fd, plane, t, "SRC_W");
	pp->src_h = kmscap_t_prop_id(fd, plane, t, "SRC_H");
	pp->crtc_x = kmscap_t_prop_id(fd, plane, t, "CRTC_X");
	pp->crtc_y = kmscap_t_prop_id(fd, plane, t, "CRTC_Y");
	pp->crtc_w = kmscap_t_prop_id(fd, plane, t, "CRTC_W");
	pp->crtc_h = kmscap_t_prop_id(fd, plane, t, "CRTC_H");
	pp->damage = kmscap_t_prop_id(fd, plane, t, "FB_DAMAGE_CLIPS");
}

int kmscap_t_kms_reprobe(struct kmscap_t_kms *k)
{
	drmModeConnectorPtr c = drmModeGetConnector(k->fd, k->conn_id);
	int i, r = -ENOENT;

	if (!c)
		return -errno;
	for (i = 0; i < c->count_modes; i++) {
		if (c->modes[i].type & DRM_MODE_TYPE_PREFERRED) {
			k->mode = c->modes[i];
			r = 0;
			break;
		}
	}
	drmModeFreeConnector(c);
	return r;
}

void kmscap_t_kms_open_or_die(struct kmscap_t_kms *k, unsigned int minor)
{
	kmscap_t_kms_open_driver_or_die(k, minor, "kmscap");
}

void kmscap_t_kms_open_driver_or_die(struct kmscap_t_kms *k, unsigned int minor,
				     const char *driver)
{
	drmModeResPtr res;
	drmModePlaneResPtr pres;
	drmVersionPtr v;
	uint32_t i;
	int r;

	memset(k, 0, sizeof(*k));
	k->minor = minor;
	k->fd = kmscap_t_open_card(minor);
	if (k->fd < 0)
		kmscap_t_fail("open /dev/dri/card%u: %s", minor, kmscap_t_errname(k->fd));
	v = drmGetVersion(k->fd);
	if (!v)
		kmscap_t_fail("/dev/dri/card%u: drmGetVersion: %s", minor, strerror(errno));
	if (strcmp(v->name, driver))
		kmscap_t_fail("/dev/dri/card%u: driver is '%s', expected '%s'", minor,
			      v->name, driver);
	drmFreeVersion(v);
	if (drmSetClientCap(k->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1))
		kmscap_t_fail("/dev/dri/card%u: UNIVERSAL_PLANES cap: %s", minor,
			      strerror(errno));
	if (drmSetClientCap(k->fd, DRM_CLIENT_CAP_ATOMIC, 1))
		kmscap_t_fail("/dev/dri/card%u: ATOMIC cap: %s", minor, strerror(errno));

	res = drmModeGetResources(k->fd);
	if (!res)
		kmscap_t_fail("/dev/dri/card%u: drmModeGetResources: %s", minor,
			      strerror(errno));
	if (res->count_crtcs != 1 || res->count_connectors != 1)
		kmscap_t_fail("/dev/dri/card%u: %d CRTCs, %d connectors; expected 1 and 1",
			      minor, res->count_crtcs, res->count_connectors);
	k->crtc_id = res->crtcs[0];
	k->crtc_index = 0;
	k->conn_id = res->connectors[0];
	drmModeFreeResources(res);

	r = kmscap_t_kms_reprobe(k);
	if (r) {
		/* a disconnected monitor has no modes: fine, k->mode stays zero */
		drmModeConnectorPtr c = drmModeGetConnector(k->fd, k->conn_id);
		bool disconnected = c && c->connection == DRM_MODE_DISCONNECTED;

		drmModeFreeConnector(c);
		if (!disconnected)
			kmscap_t_fail("/dev/dri/card%u: connector %u has no preferred mode: %s",
				      minor, k->conn_id, kmscap_t_errname(r));
	}

	pres = drmModeGetPlaneResources(k->fd);
	if (!pres)
		kmscap_t_fail("/dev/dri/card%u: drmModeGetPlaneResources: %s", minor,
			      strerror(errno));
	for (i = 0; i < pres->count_planes; i++) {
		uint64_t type;

		if (kmscap_t_prop_value(k->fd, pres->planes[i], DRM_MODE_OBJECT_PLANE, "type",
					&type))
			continue;
		if (type == DRM_PLANE_TYPE_PRIMARY)
			k->primary_id = pres->planes[i];
		else if (type == DRM_PLANE_TYPE_CURSOR)
			k->cursor_id = pres->planes[i];
	}
	drmModeFreePlaneResources(pres);
	if (!k->primary_id || !k->cursor_id)
		kmscap_t_fail("/dev/dri/card%u: primary plane %u, cursor plane %u (0 = missing)",
			      minor, k->primary_id, k->cursor_id);
	kmscap_t_plane_props(k->fd, k->primary_id, &k->pp);
	kmscap_t_plane_props(k->fd, k->cursor_id, &k->cp);
	k->conn_crtc_id = kmscap_t_prop_id(k->fd, k->conn_id, DRM_MODE_OBJECT_CONNECTOR,
					   "CRTC_ID");
	k->crtc_mode_id = kmscap_t_prop_id(k->fd, k->crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID");
	k->crtc_active = kmscap_t_prop_id(k->fd, k->crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE");
	if (!k->pp.fb_id || !k->conn_crtc_id || !k->crtc_mode_id || !k->crtc_active)
		kmscap_t_fail("/dev/dri/card%u: missing atomic properties", minor);
}

void kmscap_t_kms_close(struct kmscap_t_kms *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

unsigned int kmscap_t_format_bpp(uint32_t format)
{
	switch (format) {
	case DRM_FORMAT_RGB565:
		return 16;
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
	case DRM_FORMAT_XRGB2101010:
	case DRM_FORMAT_ARGB2101010:
		return 32;
	default:
		return 0;
	}
}

int kmscap_t_buf_create(int fd, uint32_t w, uint32_t h, uint32_t format, bool add_fb,
			struct kmscap_t_buf *b)
{
	struct drm_mode_create_dumb cd = { 0 };
	struct drm_mode_map_dumb md = { 0 };
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	int r;

	memset(b, 0, sizeof(*b));
	b->drm_fd = fd;
	b->width = w;
	b->height = h;
	b->format = format;
	b->bpp = kmscap_t_format_bpp(format);
	if (!b->bpp)
		return -EINVAL;
	cd.width = w;
	cd.height = h;
	cd.bpp = b->bpp;
	r = kmscap_t_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd);
	if (r)
		return r;
	b->handle = cd.handle;
	b->pitch = cd.pitch;
	b->size = cd.size;
	md.handle = cd.handle;
	r = kmscap_t_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &md);
	if (r)
		goto err;
	b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, md.offset);
	if (b->map == MAP_FAILED) {
		r = -errno;
		b->map = NULL;
		goto err;
	}
	if (add_fb) {
		handles[0] = b->handle;
		pitches[0] = b->pitch;
		if (drmModeAddFB2(fd, w, h, format, handles, pitches, offsets, &b->fb_id, 0)) {
			r = -errno;
			goto err;
		}
	}
	return 0;
err:
	kmscap_t_buf_destroy(b);
	return r;
}

void kmscap_t_buf_create_or_die(int fd, uint32_t w, uint32_t h, uint32_t format,
				struct kmscap_t_buf *b)
{
	int r = kmscap_t_buf_create(fd, w, h, format, true, b);

	if (r)
		kmscap_t_fail("dumb buffer + fb %ux%u format %.4s on drm fd %d: %s", w, h,
			      (const char *)&format, fd, kmscap_t_errname(r));
}

void kmscap_t_prime_fb_or_die(struct kmscap_t_kms *k, int dmabuf_fd, uint32_t w, uint32_t h,
			      uint32_t pitch, struct kmscap_t_buf *fb)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { pitch }, offsets[4] = { 0 };

	memset(fb, 0, sizeof(*fb));
	if (drmPrimeFDToHandle(k->fd, dmabuf_fd, &handles[0]))
		kmscap_t_fail("PRIME import of dma-buf fd %d into card%u: %s", dmabuf_fd,
			      k->minor, strerror(errno));
	if (drmModeAddFB2(k->fd, w, h, DRM_FORMAT_XRGB8888, handles, pitches, offsets,
			  &fb->fb_id, 0))
		kmscap_t_fail("ADDFB2 %ux%u of the PRIME import on card%u: %s", w, h, k->minor,
			      strerror(errno));
	fb->drm_fd = k->fd;
	fb->handle = handles[0];
	fb->width = w;
	fb->height = h;
	fb->format = DRM_FORMAT_XRGB8888;
	fb->pitch = pitch;
}

void kmscap_t_prime_fb_close(struct kmscap_t_buf *fb)
{
	drmModeRmFB(fb->drm_fd, fb->fb_id);
	drmCloseBufferHandle(fb->drm_fd, fb->handle);
}

void kmscap_t_export_first_or_die(int client, struct kmscap_event *ev, struct kmscap_export *exp)
{
	int r = kmscap_t_read_event(client, ev, 5000);

	if (r != 1 || !ev->buffer_id)
		kmscap_t_fail("no frame of a buffer on the display (%s)", kmscap_t_errname(r));
	r = kmscap_t_export(client, ev->buffer_id, KMSCAP_EXPORT_CLOEXEC, exp);
	if (r)
		kmscap_t_fail("EXPORT of buffer %u: %s", ev->buffer_id, kmscap_t_errname(r));
}

void kmscap_t_buf_destroy(struct kmscap_t_buf *b)
{
	struct drm_mode_destroy_dumb dd = { .handle = b->handle };

	if (b->fb_id)
		drmModeRmFB(b->drm_fd, b->fb_id);
	if (b->map)
		munmap(b->map, b->size);
	if (b->handle)
		kmscap_t_ioctl(b->drm_fd, DRM_IOCTL_MODE_DESTROY_DUMB, &dd);
	b->fb_id = 0;
	b->map = NULL;
	b->handle = 0;
}

void kmscap_t_display_up(int ctl, uint32_t w, uint32_t h, struct kmscap_display_create *c,
			 struct kmscap_t_kms *k, struct kmscap_t_buf *bufs, unsigned int n,
			 unsigned int shown)
{
	unsigned int i;
	int r;

	kmscap_t_create_or_die(ctl, w, h, 60000, c);
	kmscap_t_kms_open_or_die(k, c->card_minor);
	for (i = 0; i < n; i++)
		kmscap_t_buf_create_or_die(k->fd, w, h, DRM_FORMAT_XRGB8888, &bufs[i]);
	r = kmscap_t_modeset(k, bufs[shown].fb_id);
	if (r)
		kmscap_t_fail("card%u: modeset: %s", c->card_minor, kmscap_t_errname(r));
}

void kmscap_t_display_down(int ctl, const struct kmscap_display_create *c,
			   struct kmscap_t_kms *k, struct kmscap_t_buf *bufs, unsigned int n)
{
	unsigned int i;
	int r;

	for (i = 0; i < n; i++)
		kmscap_t_buf_destroy(&bufs[i]);
	kmscap_t_kms_close(k);
	r = kmscap_t_destroy(ctl, c->id);
	if (r)
		kmscap_t_fail("DESTROY of display %u: %s", c->id, kmscap_t_errname(r));
}

int kmscap_t_modeset(struct kmscap_t_kms *k, uint32_t fb_id)
{
	if (drmModeSetCrtc(k->fd, k->crtc_id, fb_id, 0, 0, &k->conn_id, 1, &k->mode))
		return -errno;
	return 0;
}

void kmscap_t_add_cursor(drmModeAtomicReqPtr req, const struct kmscap_t_kms *k,
			 const struct kmscap_t_buf *cur, int x, int y)
{
	const struct kmscap_t_plane_props *cp = &k->cp;

	drmModeAtomicAddProperty(req, k->cursor_id, cp->fb_id, cur->fb_id);
	drmModeAtomicAddProperty(req, k->cursor_id, cp->crtc_id, k->crtc_id);
	drmModeAtomicAddProperty(req, k->cursor_id, cp->src_x, 0);
	drmModeAtomicAddProperty(req, k->cursor_id, cp->src_y, 0);
	drmModeAtomicAddProperty(req, k->cursor_id, cp->src_w, (uint64_t)cur->width << 16);
	drmModeAtomicAddProperty(req, k->cursor_id, cp->src_h, (uint64_t)cur->height << 16);
	drmModeAtomicAddProperty(req, k->cursor_id, cp->crtc_x, (uint64_t)(int64_t)x);
	drmModeAtomicAddProperty(req, k->cursor_id, cp->crtc_y, (uint64_t)(int64_t)y);
	drmModeAtomicAddProperty(req, k->cursor_id, cp->crtc_w, cur->width);
	drmModeAtomicAddProperty(req, k->cursor_id, cp->crtc_h, cur->height);
}

int kmscap_t_cursor_commit(struct kmscap_t_kms *k, const struct kmscap_t_buf *cur, int x, int y,
			   bool nonblock)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t flags = nonblock ? DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT : 0;
	int r;

	if (!req)
		return -ENOMEM;
	kmscap_t_add_cursor(req, k, cur, x, y);
	if (nonblock)
		k->flip_pending = true;
	r = drmModeAtomicCommit(k->fd, req, flags, k) ? -errno : 0;
	if (r && nonblock)
		k->flip_pending = false;
	drmModeAtomicFree(req);
	return r;
}

static void kmscap_t_add_plane(drmModeAtomicReqPtr req, struct kmscap_t_kms *k,
			       const struct kmscap_t_buf *b)
{
	const struct kmscap_t_plane_props *pp = &k->pp;
	uint32_t w = b->width < k->mode.hdisplay ? b->width : k->mode.hdisplay;
	uint32_t h = b->height < k->mode.vdisplay ? b->height : k->mode.vdisplay;

	drmModeAtomicAddProperty(req, k->primary_id, pp->fb_id, b->fb_id);
	drmModeAtomicAddProperty(req, k->primary_id, pp->crtc_id, k->crtc_id);
	drmModeAtomicAddProperty(req, k->primary_id, pp->src_x, 0);
	drmModeAtomicAddProperty(req, k->primary_id, pp->src_y, 0);
	drmModeAtomicAddProperty(req, k->primary_id, pp->src_w, (uint64_t)w << 16);
	drmModeAtomicAddProperty(req, k->primary_id, pp->src_h, (uint64_t)h << 16);
	drmModeAtomicAddProperty(req, k->primary_id, pp->crtc_x, 0);
	drmModeAtomicAddProperty(req, k->primary_id, pp->crtc_y, 0);
	drmModeAtomicAddProperty(req, k->primary_id, pp->crtc_w, w);
	drmModeAtomicAddProperty(req, k->primary_id, pp->crtc_h, h);
}

int kmscap_t_atomic_modeset(struct kmscap_t_kms *k, const struct kmscap_t_buf *b)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t blob = 0;
	int r;

	if (!req)
		return -ENOMEM;
	if (drmModeCreatePropertyBlob(k->fd, &k->mode, sizeof(k->mode), &blob)) {
		r = -errno;
		goto out;
	}
	drmModeAtomicAddProperty(req, k->conn_id, k->conn_crtc_id, k->crtc_id);
	drmModeAtomicAddProperty(req, k->crtc_id, k->crtc_mode_id, blob);
	drmModeAtomicAddProperty(req, k->crtc_id, k->crtc_active, 1);
	kmscap_t_add_plane(req, k, b);
	r = drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL) ? -errno : 0;
out:
	if (blob)
		drmModeDestroyPropertyBlob(k->fd, blob);
	drmModeAtomicFree(req);
	return r;
}

int kmscap_t_gamma_commit(struct kmscap_t_kms *k, const struct kmscap_t_buf *b,
			  const struct drm_color_lut *lut, size_t bytes, uint32_t flags)
{
	uint32_t prop = kmscap_t_prop_id(k->fd, k->crtc_id, DRM_MODE_OBJECT_CRTC, "GAMMA_LUT");
	drmModeAtomicReqPtr req;
	uint32_t blob = 0;
	int r;

	if (!prop)
		return -ENOENT;
	req = drmModeAtomicAlloc();
	if (!req)
		return -ENOMEM;
	if (bytes && drmModeCreatePropertyBlob(k->fd, lut, bytes, &blob)) {
		r = -errno;
		goto out;
	}
	drmModeAtomicAddProperty(req, k->crtc_id, prop, blob);
	if (b)
		kmscap_t_add_plane(req, k, b);
	r = drmModeAtomicCommit(k->fd, req, flags, NULL) ? -errno : 0;
out:
	if (blob)
		drmModeDestroyPropertyBlob(k->fd, blob);
	drmModeAtomicFree(req);
	return r;
}

int kmscap_t_atomic_flip(struct kmscap_t_kms *k, const struct kmscap_t_buf *b,
			 const struct drm_mode_rect *clips, unsigned int nclips, bool nonblock)
{
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	uint32_t blob = 0, flags = 0;
	int r;

	if (!req)
		return -ENOMEM;
	kmscap_t_add_plane(req, k, b);
	if (nclips) {
		if (!k->pp.damage) {
			r = -EOPNOTSUPP;
			goto out;
		}
		if (drmModeCreatePropertyBlob(k->fd, clips, nclips * sizeof(*clips), &blob)) {
			r = -errno;
			goto out;
		}
		drmModeAtomicAddProperty(req, k->primary_id, k->pp.damage, blob);
	}
	if (nonblock) {
		flags = DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT;
		k->flip_pending = true;
	}
	r = drmModeAtomicCommit(k->fd, req, flags, k) ? -errno : 0;
	if (r)
		k->flip_pending = false;
out:
	if (blob)
		drmModeDestroyPropertyBlob(k->fd, blob);
	drmModeAtomicFree(req);
	return r;
}

int kmscap_t_page_flip(struct kmscap_t_kms *k, uint32_t fb_id)
{
	k->flip_pending = true;
	if (drmModePageFlip(k->fd, k->crtc_id, fb_id, DRM_MODE_PAGE_FLIP_EVENT, k)) {
		k->flip_pending = false;
		return -errno;
	}
	return 0;
}

static void kmscap_t_flip_handler(int fd, unsigned int seq, unsigned int sec,
				  unsigned int usec, unsigned int crtc_id, void *data)
{
	struct kmscap_t_kms *k = data;

	(void)fd;
	(void)crtc_id;
	if (!k)
		return;
	k->flip_pending = false;
	k->flip_seq = seq;
	k->flip_ns = (uint64_t)sec * 1000000000ull + (uint64_t)usec * 1000ull;
	k->flips_done++;
}

int kmscap_t_wait_flip(struct kmscap_t_kms *k, int timeout_ms)
{
	drmEventContext ctx = {
		.version = 3,
		.page_flip_handler2 = kmscap_t_flip_handler,
	};
	uint64_t deadline = kmscap_t_now_ns() + (uint64_t)timeout_ms * 1000000ull;

	while (k->flip_pending) {
		struct pollfd p = { .fd = k->fd, .events = POLLIN };
		uint64_t now = kmscap_t_now_ns();
		int r;

		if (now >= deadline)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)((deadline - now) / 1000000ull) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			continue;
		if (p.revents & (POLLERR | POLLNVAL))
			return -EIO;
		if (drmHandleEvent(k->fd, &ctx))
			return -errno ? -errno : -EIO;
	}
	return 0;
}

int kmscap_t_flip(struct kmscap_t_kms *k, uint32_t fb_id, int timeout_ms)
{
	int r = kmscap_t_page_flip(k, fb_id);

	return r ? r : kmscap_t_wait_flip(k, timeout_ms);
}

/* ---- fences (vgem) ---------------------------------------------------- */

/* include/uapi/drm/vgem_drm.h (not shipped by libdrm) */
struct kmscap_t_vgem_fence_attach {
	uint32_t handle;
	uint32_t flags;
	uint32_t out_fence;
	uint32_t pad;
};

struct kmscap_t_vgem_fence_signal {
	uint32_t fence;
	uint32_t flags;
};

#define KMSCAP_T_VGEM_FENCE_WRITE	0x1
#define KMSCAP_T_IOCTL_VGEM_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct kmscap_t_vgem_fence_attach)
#define KMSCAP_T_IOCTL_VGEM_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + 0x2, struct kmscap_t_vgem_fence_signal)

int kmscap_t_vgem_fence(struct kmscap_t_vgem_fence *f)
{
	struct kmscap_t_vgem_fence_attach att = { .flags = KMSCAP_T_VGEM_FENCE_WRITE };
	struct dma_buf_export_sync_file ex = { .flags = DMA_BUF_SYNC_READ, .fd = -1 };
	int r, vfd;

	memset(f, 0, sizeof(*f));
	f->vgem = kmscap_t_open_driver("vgem");
	if (f->vgem < 0)
		return f->vgem;
	r = kmscap_t_buf_create(f->vgem, 64, 64, DRM_FORMAT_XRGB8888, false, &f->vb);
	KT_ASSERT(!r, "vgem dumb buffer: %s", kmscap_t_errname(r));
	att.handle = f->vb.handle;
	KT_ASSERT(!drmIoctl(f->vgem, KMSCAP_T_IOCTL_VGEM_FENCE_ATTACH, &att),
		  "VGEM_FENCE_ATTACH: %s", strerror(errno));
	f->fence = att.out_fence;
	KT_ASSERT(!drmPrimeHandleToFD(f->vgem, f->vb.handle, DRM_CLOEXEC, &vfd),
		  "vgem export: %s", strerror(errno));
	KT_ASSERT(!ioctl(vfd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex), "EXPORT_SYNC_FILE: %s",
		  strerror(errno));
	close(vfd);
	f->sync_file = ex.fd;
	return 0;
}

int kmscap_t_vgem_fence_import(const struct kmscap_t_vgem_fence *f, int dmabuf)
{
	struct dma_buf_import_sync_file im = { .flags = DMA_BUF_SYNC_WRITE, .fd = f->sync_file };

	return kmscap_t_ioctl(dmabuf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &im);
}

void kmscap_t_vgem_fence_signal(struct kmscap_t_vgem_fence *f)
{
	struct kmscap_t_vgem_fence_signal sig = { .fence = f->fence };

	KT_ASSERT(!drmIoctl(f->vgem, KMSCAP_T_IOCTL_VGEM_FENCE_SIGNAL, &sig),
		  "VGEM_FENCE_SIGNAL: %s", strerror(errno));
	close(f->sync_file);
	kmscap_t_buf_destroy(&f->vb);
	close(f->vgem);
	f->vgem = -1;
}

/* ---- pixels ---------------------------------------------------------- */

void kmscap_t_fill(void *map, uint32_t pitch, uint32_t w, uint32_t h, uint32_t seed)
{
	uint32_t x, y;

	for (y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)map + (size_t)y * pitch);
		uint32_t v = (seed * 0x9e3779b1u) ^ (y * 0x85ebca6bu);

		for (x = 0; x < w; x++) {
			row[x] = v;
			v += 0x27d4eb2fu;
		}
	}
}

uint64_t kmscap_t_verify(const void *map, uint32_t pitch, uint32_t w, uint32_t h,
			 uint32_t seed, uint32_t *bx, uint32_t *by)
{
	uint64_t bad = 0;
	uint32_t x, y;

	for (y = 0; y < h; y++) {
		const uint32_t *row = (const uint32_t *)((const uint8_t *)map + (size_t)y * pitch);
		uint32_t v = (seed * 0x9e3779b1u) ^ (y * 0x85ebca6bu);

		for (x = 0; x < w; x++, v += 0x27d4eb2fu) {
			if (row[x] == v)
				continue;
			if (!bad && bx && by) {
				*bx = x;
				*by = y;
			}
			bad++;
		}
	}
	return bad;
}

uint64_t kmscap_t_checksum(const void *map, uint32_t pitch, uint32_t row_bytes, uint32_t h)
{
	uint64_t hash = 0xcbf29ce484222325ull;
	uint32_t x, y;

	for (y = 0; y < h; y++) {
		const uint8_t *row = (const uint8_t *)map + (size_t)y * pitch;

		for (x = 0; x < row_bytes; x++) {
			hash ^= row[x];
			hash *= 0x100000001b3ull;
		}
	}
	return hash;
}

/* ---- system ---------------------------------------------------------- */

int kmscap_t_uevent_open(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = 1,
	};
	int sz = 1 << 20;
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

void kmscap_t_uevent_flush(int sock)
{
	char buf[8192];

	while (recv(sock, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

int kmscap_t_uevent_wait_hotplug(int sock, unsigned int minor, int timeout_ms)
{
	uint64_t deadline = kmscap_t_now_ns() + (uint64_t)timeout_ms * 1000000ull;
	char want_dev[32];

	snprintf(want_dev, sizeof(want_dev), "DEVNAME=dri/card%u", minor);
	for (;;) {
		struct pollfd p = { .fd = sock, .events = POLLIN };
		bool change = false, hotplug = false, dev = false;
		uint64_t now = kmscap_t_now_ns();
		char buf[8192];
		ssize_t n, off;
		int r;

		if (now >= deadline)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)((deadline - now) / 1000000ull) + 1);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		n = recv(sock, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n <= 0)
			continue;
		buf[n] = 0;
		for (off = 0; off < n; off += strlen(buf + off) + 1) {
			const char *kv = buf + off;

			if (!strcmp(kv, "ACTION=change"))
				change = true;
			else if (!strcmp(kv, "HOTPLUG=1"))
				hotplug = true;
			else if (!strcmp(kv, want_dev))
				dev = true;
		}
		if (change && hotplug && dev)
			return 0;
	}
}

int kmscap_t_debugfs_stat(uint32_t id, const char *key, uint64_t *val)
{
	char path[96], line[256];
	size_t klen = strlen(key);
	int r = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kmscap/display-%u/stats", id);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && (line[klen] == ' ' || line[klen] == '\t')) {
			char *end;

			*val = strtoull(line + klen + 1, &end, 0);
			r = end == line + klen + 1 ? -EINVAL : 0;
			break;
		}
	}
	fclose(f);
	return r;
}

bool kmscap_t_kernel_has(const char *name)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], sym[256];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %255s", sym) == 1 && !strcmp(sym, name);
	fclose(f);
	return found;
}

int kmscap_t_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	KT_ASSERT(d, "opendir /proc/self/fd: %s", strerror(errno));
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

long kmscap_t_meminfo_kb(const char *key)
{
	size_t klen = strlen(key);
	char line[256];
	long v = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

pid_t kmscap_t_fork(int (*fn)(void *arg), void *arg)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		kmscap_t_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		alarm(0);
		exit(fn(arg));
	}
	return pid;
}

void kmscap_t_run_child(int (*fn)(void *arg), void *arg, const char *what)
{
	int st = kmscap_t_wait_child(kmscap_t_fork(fn, arg));

	if (st != 0)
		kmscap_t_fail("%s: child exited with status %d", what, st);
}

int kmscap_t_run_prog(char *const argv[], char *out, size_t size)
{
	const char *p, *nl;
	size_t len = 0;
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	KT_ASSERT(!pipe(fds), "pipe: %s", strerror(errno));
	pid = fork();
	KT_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		int null = open("/dev/null", O_RDONLY);

		alarm(0);
		if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(fds[1], STDOUT_FILENO) < 0 ||
		    dup2(fds[1], STDERR_FILENO) < 0)
			_exit(126);
		execv(argv[0], argv);
		fprintf(stderr, "test: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], out + len, size - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		KT_ASSERT(n > 0, "reading the output of %s: %s", argv[0], strerror(errno));
		len += (size_t)n;
		KT_ASSERT(len + 1 < size, "%s wrote more than %zu bytes", argv[0], size - 1);
	}
	out[len] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		KT_ASSERT(errno == EINTR, "waitpid: %s", strerror(errno));
	for (p = out; *p; p = *nl ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		kmscap_t_log("  %s| %.*s", strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0],
			     (int)(nl - p), p);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void kmscap_t_become(uid_t uid, const gid_t *groups, size_t ngroups)
{
	if (setgroups(ngroups, groups) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		kmscap_t_fail("switching to uid %u: %s", uid, strerror(errno));
	KT_ASSERT(geteuid() == uid, "euid %u after setresuid(%u)", geteuid(), uid);
}

#define KMSCAP_T_MAX_NODES	8

static struct kmscap_t_node {
	char path[64];
	uid_t uid;
	gid_t gid;
	mode_t mode;
} kmscap_t_nodes[KMSCAP_T_MAX_NODES];
static unsigned int kmscap_t_nnodes;
static pid_t kmscap_t_nodes_pid;

static void kmscap_t_nodes_restore(void)
{
	unsigned int i;

	if (getpid() != kmscap_t_nodes_pid)
		return;
	for (i = kmscap_t_nnodes; i--;) {
		const struct kmscap_t_node *n = &kmscap_t_nodes[i];

		if ((chown(n->path, n->uid, n->gid) || chmod(n->path, n->mode)) && errno != ENOENT)
			printf("%s: restoring %s: %s\n", kmscap_t_name, n->path, strerror(errno));
	}
}

void kmscap_t_node_set(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	struct kmscap_t_node *n = kmscap_t_nodes;
	struct stat st;

	while (n < kmscap_t_nodes + kmscap_t_nnodes && strcmp(n->path, path))
		n++;
	if (n == kmscap_t_nodes + kmscap_t_nnodes) {
		KT_ASSERT(kmscap_t_nnodes < KMSCAP_T_MAX_NODES, "more than %d nodes changed",
			  KMSCAP_T_MAX_NODES);
		KT_ASSERT(strlen(path) < sizeof(n->path), "node path %s too long", path);
		KT_ASSERT(!stat(path, &st), "stat %s: %s", path, strerror(errno));
		snprintf(n->path, sizeof(n->path), "%s", path);
		n->uid = st.st_uid;
		n->gid = st.st_gid;
		n->mode = st.st_mode & 07777;
		kmscap_t_nnodes++;
		if (!kmscap_t_nodes_pid) {
			kmscap_t_nodes_pid = getpid();
			atexit(kmscap_t_nodes_restore);
		}
	}
	KT_ASSERT(!chown(path, uid, gid) && !chmod(path, mode), "%s: chown %u:%u, chmod %o: %s",
		  path, uid, gid, mode, strerror(errno));
}

int kmscap_t_wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

static int kmscap_t_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void kmscap_t_sort_u64(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), kmscap_t_cmp_u64);
}

pid_t kmscap_t_spawn(char *const argv[], const char *out)
{
	pid_t pid = fork();

	KT_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (o < 0 || dup2(o, 1) < 0 || dup2(o, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}
