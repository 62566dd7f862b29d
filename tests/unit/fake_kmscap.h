/* SPDX-License-Identifier: MIT */
/*
 * A fake kmscap module for unit tests, in one header (include it from one
 * test file per binary).
 *
 * The "device" is a FIFO: libkmscap opens it O_RDWR and reads events
 * from it, the test writes events into it.  The kmscap ioctls are
 * answered by this file's own ioctl(), which the linker prefers over
 * libc's for the statically linked library; every other ioctl goes to
 * the kernel.  (POLLHUP and end-of-file cannot be produced with a FIFO
 * opened read-write; the VM selftests cover them.)
 *
 * setup() / teardown() are a Check fixture: a fresh FIFO at @path and a
 * reset @fake.  open_dev() opens @dev on it, and @writer, through which
 * send_event() feeds events.
 */
#ifndef KMSCAP_FAKE_KMSCAP_H
#define KMSCAP_FAKE_KMSCAP_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kmscap_check.h"
#include "libkmscap.h"

#define FAKE_MAX_IDS 64

static struct fake_module {
	struct kmscap_version version;
	int calls[16];			/* per ioctl number */
	int fail_nr;			/* ioctl number that fails ... */
	int fail_errno;			/* ... with this errno */
	uint32_t fail_id;		/* display id for which INFO, CONFIG and ... */
	int fail_id_errno;		/* ... DESTROY fail with this errno, if not 0 */
	/* displays, and how many appear on each DISPLAY_LIST call */
	uint32_t ids[FAKE_MAX_IDS];
	uint32_t nids;
	uint32_t grow_on_list;
	/* last arguments seen */
	struct kmscap_display_create create;
	struct kmscap_display_config config;
	struct kmscap_display_destroy destroy;
	struct kmscap_attach attach;
	struct kmscap_release release;
	struct kmscap_export export;
	int export_calls_for[FAKE_MAX_IDS];
} fake;

static inline void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.version.major = KMSCAP_ABI_MAJOR;
	fake.version.minor = KMSCAP_ABI_MINOR;
	fake.version.caps = KMSCAP_CAP_DAMAGE | KMSCAP_CAP_HOLD;
	fake.version.max_displays = 16;
	fake.version.event_size = sizeof(struct kmscap_event);
	fake.fail_nr = -1;
}

static int kmscap_hook_ioctl(unsigned long req, void *arg)
{
	unsigned int nr = _IOC_NR(req);

	if (nr < 16)
		fake.calls[nr]++;
	if ((int)nr == fake.fail_nr) {
		errno = fake.fail_errno;
		return -1;
	}
	/* the display id is the first field of these three */
	if (fake.fail_id_errno && (req == KMSCAP_IOC_DISPLAY_INFO ||
				   req == KMSCAP_IOC_DISPLAY_CONFIG ||
				   req == KMSCAP_IOC_DISPLAY_DESTROY) &&
	    *(uint32_t *)arg == fake.fail_id) {
		errno = fake.fail_id_errno;
		return -1;
	}

	switch (req) {
	case KMSCAP_IOC_VERSION:
		memcpy(arg, &fake.version, sizeof(fake.version));
		return 0;
	case KMSCAP_IOC_DISPLAY_CREATE: {
		struct kmscap_display_create *c = arg;

		fake.create = *c;
		c->id = 5;
		c->card_minor = 2;
		return 0;
	}
	case KMSCAP_IOC_DISPLAY_INFO: {
		struct kmscap_display_info *i = arg;
		uint32_t id = i->id;

		memset(i, 0, sizeof(*i));
		i->id = id;
		i->flags = KMSCAP_INFO_CONNECTED;
		i->width = 1920;
		i->height = 1080;
		i->refresh_mhz = 59940;
		i->owner_uid = 1000;
		i->card_minor = id + 1;
		i->clients = 2;
		i->frames = 12345678901ULL;
		return 0;
	}
	case KMSCAP_IOC_DISPLAY_LIST: {
		struct kmscap_display_list *l = arg;
		uint32_t *out = (uint32_t *)(uintptr_t)l->ids_ptr;
		uint32_t i;

		if (l->pad || (!out && l->count)) {
			errno = EINVAL;
			return -1;
		}
		/* displays created between two calls */
		while (fake.grow_on_list && fake.nids < FAKE_MAX_IDS) {
			fake.ids[fake.nids] = 100 + fake.nids;
			fake.nids++;
			if (fake.nids % 8 == 0) {
				fake.grow_on_list--;
				break;
			}
		}
		for (i = 0; i < l->count && i < fake.nids; i++)
			out[i] = fake.ids[i];
		l->count = fake.nids;
		return 0;
	}
	case KMSCAP_IOC_DISPLAY_CONFIG:
		fake.config = *(struct kmscap_display_config *)arg;
		return 0;
	case KMSCAP_IOC_DISPLAY_DESTROY:
		fake.destroy = *(struct kmscap_display_destroy *)arg;
		return 0;
	case KMSCAP_IOC_ATTACH:
		fake.attach = *(struct kmscap_attach *)arg;
		return 0;
	case KMSCAP_IOC_EXPORT: {
		struct kmscap_export *e = arg;
		int fd;

		fake.export = *e;
		if (e->buffer_id < FAKE_MAX_IDS)
			fake.export_calls_for[e->buffer_id]++;
		fd = memfd_create("fake-dmabuf",
				  e->flags & KMSCAP_EXPORT_CLOEXEC ? MFD_CLOEXEC : 0);
		if (fd < 0)
			return -1;
		e->fd = fd;
		e->size = 8192;
		return 0;
	}
	case KMSCAP_IOC_RELEASE:
		fake.release = *(struct kmscap_release *)arg;
		return 0;
	case KMSCAP_IOC_STATS: {
		struct kmscap_client_stats *s = arg;

		memset(s, 0, sizeof(*s));
		s->flips = 10;
		s->delivered = 7;
		s->dropped_queue = 1;
		s->queued = 2;
		return 0;
	}
	}
	errno = ENOTTY;
	return -1;
}

#include "ioctl_hook.h"

/* ---- fixture: a FIFO as the device ------------------------------------- */

static char dir[64];
static char path[96];
static struct kmscap_dev *dev;
static int writer = -1;

static inline void setup(void)
{
	fake_reset();
	snprintf(dir, sizeof(dir), "/tmp/kmscap-fake-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kmscap", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	dev = NULL;
	writer = -1;
}

static inline void teardown(void)
{
	kmscap_close(dev);
	dev = NULL;
	if (writer >= 0)
		close(writer);
	writer = -1;
	unlink(path);
	rmdir(dir);
}

static inline void open_dev(void)
{
	ck_assert_int_eq(kmscap_open(path, &dev), 0);
	ck_assert_ptr_nonnull(dev);
	writer = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	ck_assert_int_ge(writer, 0);
}

static inline void frame_event(struct kmscap_event *ev, uint64_t seq, uint32_t buffer_id)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = KMSCAP_EVENT_FRAME;
	ev->flags = KMSCAP_FRAME_FULL_DAMAGE;
	ev->seq = seq;
	ev->display_id = 5;
	ev->buffer_id = buffer_id;
	ev->width = 640;
	ev->height = 480;
	ev->num_planes = 1;
	ev->pitches[0] = 2560;
}

/* Framed bytes of @ev (a frame with no damage) at @buf: its length. */
static inline size_t framed_frame(unsigned char *buf, const struct kmscap_event *ev)
{
	struct kmscap_event_frame f;

	memset(&f, 0, sizeof(f));
	f.base.type = KMSCAP_EVENT_FRAME;
	f.base.length = sizeof(f);
	f.flags = ev->flags;
	f.seq = ev->seq;
	f.display_id = ev->display_id;
	f.buffer_id = ev->buffer_id;
	f.width = ev->width;
	f.height = ev->height;
	f.num_planes = ev->num_planes;
	f.pitches[0] = ev->pitches[0];
	f.damage_offset = sizeof(f);
	memcpy(buf, &f, sizeof(f));
	return sizeof(f);
}

/*
 * Framed bytes of a flip-done event of frame @seq at @buf, @extra bytes
 * longer than this ABI's (a later module's fields: anything): its length.
 */
static inline size_t framed_flip_done(unsigned char *buf, uint64_t seq, uint32_t flags,
				      uint64_t wait_ns, uint32_t extra)
{
	struct kmscap_event_flip_done d;

	memset(&d, 0, sizeof(d));
	d.base.type = KMSCAP_EVENT_FLIP_DONE;
	d.base.length = sizeof(d) + extra;
	d.flags = flags;
	d.display_id = 5;
	d.seq = seq;
	d.vblank_seq = 1000 + seq;
	d.timestamp_ns = 5000000000ull + seq * 16666666ull;
	d.commit_ns = d.timestamp_ns - 3000000;
	d.hold_wait_ns = wait_ns;
	memset(buf, 0x77, d.base.length);
	memcpy(buf, &d, sizeof(d));
	return d.base.length;
}

/* Write one event padded to the module's event_size. */
static inline void send_event(const struct kmscap_event *ev)
{
	unsigned char buf[sizeof(*ev) + 256];
	size_t n = fake.version.event_size;

	ck_assert_uint_le(n, sizeof(buf));
	memset(buf, 0, sizeof(buf));
	memcpy(buf, ev, sizeof(*ev) < n ? sizeof(*ev) : n);
	ck_assert_int_eq(write(writer, buf, n), (ssize_t)n);
}

static inline int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline int fd_is_closed(int fd)
{
	return fcntl(fd, F_GETFD) < 0 && errno == EBADF;
}


#endif /* KMSCAP_FAKE_KMSCAP_H */
