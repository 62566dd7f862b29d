// SPDX-License-Identifier: MIT
/*
 * bad_ioctl: every /dev/kmscap ioctl fed with raw, wrong input:
 *  - sizes encoded in the ioctl number: smaller than the 1.0 revision
 *    (-EINVAL), an older revision (VERSION of 1.0: works, cut to its
 *    size), larger with a non-zero tail (-E2BIG), larger with a zero tail
 *    (works as usual);
 *  - unknown flags, non-zero pad, unknown ids, out-of-range values
 *    (queue_depth, hold_timeout_ns, modes), double ATTACH (-EBUSY);
 *  - LIST with a huge count and an invalid pointer (-EFAULT);
 *  - DISPLAY_GAMMA with flags or an unknown id;
 *  - unknown ioctl numbers (-ENOTTY);
 *  - read() with a buffer smaller than one event (-EINVAL) and with room
 *    for several events.
 * Everything goes through raw ioctl(2), never through libkmscap.
 */
#include <sys/ioctl.h>
#include <unistd.h>

#include "kmscap_test.h"

#define BIG 64	/* bytes appended for the "newer, larger struct" cases */

/* Refusal checks do not stop the test: every wrong answer is listed. */
static unsigned int kmscap_failures;

#define CHECK_RET(expr, want, what) do {					\
	int __r = (expr);							\
	if (__r != (want)) {							\
		kmscap_t_log("FAIL: line %d: %s: expected %s, got %s", __LINE__,	\
			     (what), kmscap_t_errname(want), kmscap_t_errname(__r)); \
		kmscap_failures++;						\
	}									\
} while (0)

static int kmscap_raw(int fd, unsigned int dir, unsigned int nr, unsigned int size, void *arg)
{
	return kmscap_t_ioctl(fd, _IOC(dir, KMSCAP_IOC_MAGIC, nr, size), arg);
}

/*
 * Size checks of one ioctl: @arg holds a valid payload of @size bytes for
 * which the normal call returns @want; the buffer behind it has room for
 * @size + BIG bytes.  @min is the size of the structure's 1.0 revision.
 * @check_tail: the kernel reads the struct (IOW/IOWR).
 */
static void kmscap_sizes_min(int fd, const char *name, unsigned int dir, unsigned int nr,
			     unsigned int size, unsigned int min, const void *arg, int want,
			     bool check_tail)
{
	uint8_t buf[512];
	char what[96];
	int r;

	KT_ASSERT(size + BIG <= sizeof(buf), "bad test");
	memset(buf, 0, sizeof(buf));
	memcpy(buf, arg, size);
	snprintf(what, sizeof(what), "%s with size %u (1.0 is %u)", name, min - 4, min);
	CHECK_RET(kmscap_raw(fd, dir, nr, min - 4, buf), -EINVAL, what);
	memcpy(buf, arg, size);
	snprintf(what, sizeof(what), "%s with size 0", name);
	CHECK_RET(kmscap_raw(fd, dir, nr, 0, buf), -EINVAL, what);
	if (check_tail) {
		memcpy(buf, arg, size);
		buf[size + BIG - 1] = 1;
		snprintf(what, sizeof(what), "%s with size %u, non-zero tail", name, size + BIG);
		CHECK_RET(kmscap_raw(fd, dir, nr, size + BIG, buf), -E2BIG, what);
	}
	memset(buf, 0, sizeof(buf));
	memcpy(buf, arg, size);
	snprintf(what, sizeof(what), "%s with size %u, zero tail", name, size + BIG);
	r = kmscap_raw(fd, dir, nr, size + BIG, buf);
	if (r != want) {
		kmscap_t_log("FAIL: %s: %s, the same call with the exact size gives %s", what,
			     kmscap_t_errname(r), kmscap_t_errname(want));
		kmscap_failures++;
	}
}

/* A structure unchanged since 1.0. */
static void kmscap_sizes(int fd, const char *name, unsigned int dir, unsigned int nr,
			 unsigned int size, const void *arg, int want, bool check_tail)
{
	kmscap_sizes_min(fd, name, dir, nr, size, size, arg, want, check_tail);
}

static int kmscap_new_fd(void)
{
	int fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);

	KT_ASSERT(fd >= 0, "open %s: %s", KMSCAP_T_CTL, strerror(errno));
	return fd;
}

int main(void)
{
	struct kmscap_display_create c, scratch;
	struct kmscap_display_info info;
	struct kmscap_display_list list;
	struct kmscap_display_config cfg;
	struct kmscap_display_destroy des;
	struct kmscap_version ver;
	struct kmscap_attach att;
	struct kmscap_export exp;
	struct kmscap_release rel;
	struct kmscap_client_stats st;
	struct kmscap_display_gamma gam;
	struct kmscap_event evs[3];
	struct kmscap_t_buf fb;
	struct kmscap_t_kms k;
	unsigned int nr;
	uint32_t before[64];
	int ctl, cl, fd, r, n, n0;
	ssize_t got;

	kmscap_t_init("bad_ioctl", 100);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, 640, 480, 60000, &c);

	/* ---- unknown numbers ---- */
	for (nr = 0x0b; nr < 0x100; nr += 0x1b) {
		char what[64];
		uint8_t buf[64] = { 0 };

		snprintf(what, sizeof(what), "unknown ioctl nr 0x%02x", nr);
		CHECK_RET(kmscap_raw(ctl, _IOC_READ | _IOC_WRITE, nr, 16, buf), -ENOTTY, what);
	}
	KT_EXPECT_RET(kmscap_t_ioctl(ctl, _IOWR('d', 0x01, struct kmscap_display_create), &c),
		      -ENOTTY, "ioctl with a foreign magic");

	/* ---- sizes ---- */
	memset(&ver, 0, sizeof(ver));
	kmscap_sizes_min(ctl, "VERSION", _IOC_READ, 0x00, sizeof(ver),
			 offsetof(struct kmscap_version, max_event_size), &ver, 0, false);

	n0 = kmscap_t_list(ctl, before, 64);
	KT_ASSERT(n0 >= 1 && n0 < 64, "LIST: %d", n0);
	memset(&scratch, 0, sizeof(scratch));
	scratch.width = 640;
	scratch.height = 480;
	scratch.refresh_mhz = 60000;
	kmscap_sizes_min(ctl, "DISPLAY_CREATE", _IOC_READ | _IOC_WRITE, 0x01, sizeof(scratch),
			 offsetof(struct kmscap_display_create, modifiers_ptr), &scratch, 0, true);
	/* exactly the zero-tail call created a display: find and destroy it */
	{
		uint32_t ids[64];
		int i, j, extra = 0;

		n = kmscap_t_list(ctl, ids, 64);
		KT_ASSERT(n == n0 + 1,
			  "LIST: %d displays after the CREATE size checks, expected %d", n,
			  n0 + 1);
		for (i = 0; i < n; i++) {
			bool old = false;

			for (j = 0; j < n0; j++)
				old |= before[j] == ids[i];
			if (!old) {
				KT_EXPECT_RET(kmscap_t_destroy(ctl, ids[i]), 0, "DESTROY");
				extra++;
			}
		}
		KT_ASSERT(extra == 1, "%d new displays", extra);
	}

	memset(&info, 0, sizeof(info));
	info.id = c.id;
	kmscap_sizes(ctl, "DISPLAY_INFO", _IOC_READ | _IOC_WRITE, 0x02, sizeof(info), &info, 0,
		     true);
	memset(&list, 0, sizeof(list));
	kmscap_sizes(ctl, "DISPLAY_LIST", _IOC_READ | _IOC_WRITE, 0x03, sizeof(list), &list, 0,
		     true);
	memset(&cfg, 0, sizeof(cfg));
	cfg.id = c.id;
	cfg.flags = KMSCAP_CONFIG_CONNECT;
	kmscap_sizes(ctl, "DISPLAY_CONFIG", _IOC_WRITE, 0x04, sizeof(cfg), &cfg, 0, true);
	memset(&des, 0, sizeof(des));
	des.id = 0xfffffff0u;
	kmscap_sizes(ctl, "DISPLAY_DESTROY", _IOC_WRITE, 0x05, sizeof(des), &des, -ENOENT, true);
	memset(&att, 0, sizeof(att));
	att.display_id = 0xfffffff0u;
	fd = kmscap_new_fd();
	kmscap_sizes(fd, "ATTACH", _IOC_WRITE, 0x06, sizeof(att), &att, -ENOENT, true);
	close(fd);

	cl = kmscap_t_client_or_die(c.id, 4, 0);
	memset(&exp, 0, sizeof(exp));
	exp.buffer_id = 0xfffffff0u;
	kmscap_sizes(cl, "EXPORT", _IOC_READ | _IOC_WRITE, 0x07, sizeof(exp), &exp, -ENOENT, true);
	memset(&rel, 0, sizeof(rel));
	rel.seq = 0xfffffffff0ull;
	kmscap_sizes(cl, "RELEASE", _IOC_WRITE, 0x08, sizeof(rel), &rel, -ENOENT, true);
	memset(&st, 0, sizeof(st));
	kmscap_sizes(cl, "STATS", _IOC_READ, 0x09, sizeof(st), &st, 0, false);
	memset(&gam, 0, sizeof(gam));
	gam.id = c.id;
	kmscap_sizes(ctl, "DISPLAY_GAMMA", _IOC_READ | _IOC_WRITE, 0x0a, sizeof(gam), &gam, 0,
		     true);

	/* ---- CREATE ---- */
	CHECK_RET(kmscap_t_create(ctl, 640, 480, 60000, ~KMSCAP_CREATE_FLAGS, NULL), -EINVAL,
		      "CREATE with unknown flags");
	CHECK_RET(kmscap_t_create(ctl, 0xffffffffu, 0xffffffffu, 60000, 0, NULL), -EINVAL,
		      "CREATE 4294967295x4294967295");
	CHECK_RET(kmscap_t_create(ctl, 640, 480, 0xffffffffu, 0, NULL), -EINVAL,
		      "CREATE at 4294967 Hz");

	/* ---- INFO / LIST ---- */
	CHECK_RET(kmscap_t_info(ctl, 0xfffffff0u, &info), -ENOENT, "INFO of an unknown id");
	memset(&list, 0, sizeof(list));
	list.pad = 1;
	CHECK_RET(kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_LIST, &list), -EINVAL,
		      "LIST with pad != 0");
	memset(&list, 0, sizeof(list));
	list.ids_ptr = 0x1000;
	list.count = 0xffffffffu;
	CHECK_RET(kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_LIST, &list), -EFAULT,
		      "LIST count 0xffffffff into unmapped 0x1000");
	memset(&list, 0, sizeof(list));
	list.ids_ptr = 0xffff888000000000ull;
	list.count = 4;
	CHECK_RET(kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_LIST, &list), -EFAULT,
		      "LIST into a kernel address");
	memset(&list, 0, sizeof(list));
	list.ids_ptr = 0;
	list.count = 0xffffffffu;
	r = kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_LIST, &list);
	if (r == 0) {
		/* uapi: ids_ptr 0 only counts, whatever the capacity */
		KT_ASSERT(list.count == (uint32_t)n0, "LIST NULL/huge: count %u, expected %d",
			  list.count, n0);
	} else if (r != -EFAULT) {
		kmscap_t_log("FAIL: LIST with NULL pointer and count 0xffffffff: %s, expected "
			     "0 (count only, uapi doc) or EFAULT", kmscap_t_errname(r));
		kmscap_failures++;
	}

	/* ---- DISPLAY_GAMMA (tests/selftests/gamma.c has the rest) ---- */
	memset(&gam, 0, sizeof(gam));
	gam.id = c.id;
	gam.flags = 1;
	CHECK_RET(kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_GAMMA, &gam), -EINVAL,
		  "DISPLAY_GAMMA with flags != 0");
	gam.flags = 0;
	gam.id = 0xfffffff0u;
	CHECK_RET(kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_GAMMA, &gam), -ENOENT,
		  "DISPLAY_GAMMA of an unknown id");

	/* ---- CONFIG ---- */
	CHECK_RET(kmscap_t_config(ctl, c.id, 0, 0, 0, 0), -EINVAL, "CONFIG flags 0");
	CHECK_RET(kmscap_t_config(ctl, c.id, 1u << 31, 0, 0, 0), -EINVAL,
		      "CONFIG unknown flag");
	CHECK_RET(kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_CONNECT | KMSCAP_CONFIG_DISCONNECT,
				      0, 0, 0), -EINVAL, "CONFIG CONNECT|DISCONNECT");
	CHECK_RET(kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_CONNECT, 640, 0, 0), -EINVAL,
		      "CONFIG_CONNECT with a width");
	CHECK_RET(kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_MODE, 8193, 480, 60000), -EINVAL,
		      "CONFIG_MODE width 8193");
	CHECK_RET(kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_MODE, 640, 480, 500001), -EINVAL,
		      "CONFIG_MODE 500.001 Hz");
	CHECK_RET(kmscap_t_config(ctl, 0xfffffff0u, KMSCAP_CONFIG_CONNECT, 0, 0, 0), -ENOENT,
		      "CONFIG of an unknown id");
	memset(&cfg, 0, sizeof(cfg));
	cfg.id = c.id;
	cfg.flags = KMSCAP_CONFIG_CONNECT;
	cfg.pad = 1;
	CHECK_RET(kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_CONFIG, &cfg), -EINVAL,
		      "CONFIG with pad != 0");

	/* ---- DESTROY ---- */
	memset(&des, 0, sizeof(des));
	des.id = c.id;
	des.pad = 1;
	CHECK_RET(kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_DESTROY, &des), -EINVAL,
		      "DESTROY with pad != 0");
	KT_EXPECT_RET(kmscap_t_info(ctl, c.id, &info), 0, "INFO after refused DESTROY");

	/* ---- ATTACH ---- */
	fd = kmscap_new_fd();
	memset(&att, 0, sizeof(att));
	att.display_id = c.id;
	att.flags = ~KMSCAP_ATTACH_FLAGS;
	CHECK_RET(kmscap_t_ioctl(fd, KMSCAP_IOC_ATTACH, &att), -EINVAL, "ATTACH unknown flags");
	att.flags = 0;
	att.pad = 1;
	CHECK_RET(kmscap_t_ioctl(fd, KMSCAP_IOC_ATTACH, &att), -EINVAL, "ATTACH pad != 0");
	CHECK_RET(kmscap_t_attach(fd, c.id, KMSCAP_MAX_QUEUE + 1, 0), -EINVAL,
		      "ATTACH queue_depth MAX+1");
	CHECK_RET(kmscap_t_attach(fd, c.id, 0xffffffffu, 0), -EINVAL,
		      "ATTACH queue_depth 0xffffffff");
	CHECK_RET(kmscap_t_attach(fd, c.id, 0, KMSCAP_MAX_HOLD_NS + 1), -EINVAL,
		      "ATTACH hold_timeout MAX+1");
	CHECK_RET(kmscap_t_attach(fd, c.id, 0, ~0ull), -EINVAL, "ATTACH hold_timeout ~0");
	CHECK_RET(kmscap_t_attach(fd, 0xfffffff0u, 0, 0), -ENOENT, "ATTACH to an unknown id");
	KT_ASSERT(kmscap_t_stats(fd, &st) < 0, "STATS on a never-attached fd succeeded");
	KT_ASSERT(kmscap_t_release(fd, 1) < 0, "RELEASE on a never-attached fd succeeded");
	KT_ASSERT(kmscap_t_export(fd, 1, 0, &exp) < 0, "EXPORT on a never-attached fd succeeded");
	KT_EXPECT_RET(kmscap_t_attach(fd, c.id, KMSCAP_MAX_QUEUE, KMSCAP_MAX_HOLD_NS), 0,
		      "ATTACH with the maximum queue and hold (after refusals)");
	CHECK_RET(kmscap_t_attach(fd, c.id, 0, 0), -EBUSY, "second ATTACH of one fd");
	close(fd);

	/* ---- EXPORT / RELEASE ---- */
	CHECK_RET(kmscap_t_export(cl, 0xfffffff0u, 0, &exp), -ENOENT, "EXPORT unknown buffer");
	CHECK_RET(kmscap_t_export(cl, 0, 0, &exp), -ENOENT, "EXPORT buffer 0");
	CHECK_RET(kmscap_t_release(cl, 0), -ENOENT, "RELEASE seq 0");

	/* ---- read() ---- */
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, 640, 480, DRM_FORMAT_XRGB8888, &fb);
	r = kmscap_t_modeset(&k, fb.fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", c.card_minor, kmscap_t_errname(r));
	kmscap_t_drain(cl, 100);
	KT_EXPECT_RET(kmscap_t_flip(&k, fb.fb_id, 3000), 0, "flip");
	KT_EXPECT_RET(kmscap_t_flip(&k, fb.fb_id, 3000), 0, "flip");
	got = read(cl, evs, sizeof(evs[0]) - 1);
	KT_ASSERT(got < 0 && errno == EINVAL, "read of %zu bytes (one event is %zu): %zd (%s)",
		  sizeof(evs[0]) - 1, sizeof(evs[0]), got, got < 0 ? strerror(errno) : "data");
	got = read(cl, evs, 0);
	KT_ASSERT(got <= 0 && (got == 0 || errno == EINVAL), "read of 0 bytes: %zd (%s)", got,
		  got < 0 ? strerror(errno) : "ok");
	got = read(cl, evs, sizeof(evs) - 8);
	KT_ASSERT(got == 2 * (ssize_t)sizeof(evs[0]),
		  "read with room for 2.9 events and 2 pending: %zd bytes (%s)", got,
		  got < 0 ? strerror(errno) : "events");
	KT_ASSERT(evs[0].type == KMSCAP_EVENT_FRAME && evs[1].type == KMSCAP_EVENT_FRAME &&
		  evs[1].seq == evs[0].seq + 1,
		  "two events read at once: types %u %u seqs %llu %llu",
		  evs[0].type, evs[1].type, (unsigned long long)evs[0].seq,
		  (unsigned long long)evs[1].seq);
	KT_EXPECT_RET(kmscap_t_release(cl, evs[0].seq), 0, "RELEASE");
	KT_EXPECT_RET(kmscap_t_release(cl, evs[1].seq), 0, "RELEASE");
	CHECK_RET(kmscap_t_release(cl, evs[1].seq), -ENOENT, "double RELEASE");
	CHECK_RET(kmscap_t_release(cl, evs[1].seq + 100), -ENOENT, "RELEASE of a future seq");
	CHECK_RET(kmscap_t_export(cl, evs[1].buffer_id, ~KMSCAP_EXPORT_FLAGS, &exp), -EINVAL,
		      "EXPORT with unknown flags");
	memset(&exp, 0, sizeof(exp));
	exp.buffer_id = evs[1].buffer_id;
	exp.pad = 1;
	CHECK_RET(kmscap_t_ioctl(cl, KMSCAP_IOC_EXPORT, &exp), -EINVAL, "EXPORT pad != 0");
	KT_EXPECT_RET(kmscap_t_export(cl, evs[1].buffer_id, 0, &exp), 0, "EXPORT");
	close((int)exp.fd);

	close(cl);
	kmscap_t_buf_destroy(&fb);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	if (kmscap_failures)
		kmscap_t_fail("%u refusal checks gave the wrong answer (listed above)",
			      kmscap_failures);
	kmscap_t_pass("sizes, flags, pads, ids, ranges, ENOTTY, EFAULT and short reads refused");
}
