// SPDX-License-Identifier: MIT
/*
 * efault_result: a call that makes something and cannot write its result
 * back leaves nothing behind.  DISPLAY_CREATE and EXPORT get their
 * argument in a read-only page: the kernel can read it but not write the
 * new id or fd back, so the call fails with EFAULT, and then no display
 * may exist that the caller cannot name (it would count against its
 * quota) and no fd may sit in its table (it would pin the buffer, the DRM
 * device and the module).  Found by the fuzz selftest: the module made
 * both.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 320
#define H 240

/* @len bytes of @arg in a page that is read-only afterwards (munmap it). */
static void *kmscap_ro_copy(const void *arg, size_t len)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	KT_ASSERT(p != MAP_FAILED, "mmap: %s", strerror(errno));
	memcpy(p, arg, len);
	KT_ASSERT(!mprotect(p, 4096, PROT_READ), "mprotect: %s", strerror(errno));
	return p;
}

static int kmscap_lowest_free_fd(void)
{
	int fd = fcntl(0, F_DUPFD_CLOEXEC, 0);

	KT_ASSERT(fd >= 0, "F_DUPFD: %s", strerror(errno));
	close(fd);
	return fd;
}

int main(void)
{
	struct kmscap_display_create c, req = { .width = W, .height = H, .refresh_mhz = 60000 };
	struct kmscap_export ex = { .flags = KMSCAP_EXPORT_CLOEXEC };
	struct kmscap_event ev;
	struct kmscap_t_buf a;
	struct kmscap_t_kms k;
	uint32_t ids[64];
	int ctl, cl, n0, n, r, fd;
	void *ro;

	kmscap_t_init("efault_result", 100);
	ctl = kmscap_t_open_ctl_or_skip();

	/* CREATE */
	n0 = kmscap_t_list(ctl, ids, 64);
	KT_ASSERT(n0 >= 0, "LIST: %s", kmscap_t_errname(n0));
	ro = kmscap_ro_copy(&req, sizeof(req));
	r = kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_CREATE, ro);
	munmap(ro, 4096);
	n = kmscap_t_list(ctl, ids, 64);
	if (n > n0)	/* leave nothing behind for the next test */
		kmscap_t_destroy(ctl, ids[n - 1]);
	KT_ASSERT(r == -EFAULT, "DISPLAY_CREATE with its argument read-only: %s, expected EFAULT",
		  kmscap_t_errname(r));
	KT_ASSERT(n == n0, "DISPLAY_CREATE failed with EFAULT but made a display (%d displays, "
		  "%d before)", n, n0);

	/* EXPORT of a buffer this client has seen */
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &a);
	cl = kmscap_t_client_or_die(c.id, 4, 0);
	r = kmscap_t_atomic_modeset(&k, &a);
	KT_ASSERT(!r, "atomic modeset: %s", kmscap_t_errname(r));
	r = kmscap_t_read_event(cl, &ev, 5000);
	KT_ASSERT(r == 1 && ev.type == KMSCAP_EVENT_FRAME && ev.buffer_id,
		  "no frame after the modeset: %s", kmscap_t_errname(r));
	ex.buffer_id = ev.buffer_id;
	fd = kmscap_lowest_free_fd();
	ro = kmscap_ro_copy(&ex, sizeof(ex));
	r = kmscap_t_ioctl(cl, KMSCAP_IOC_EXPORT, ro);
	munmap(ro, 4096);
	n = fcntl(fd, F_GETFD) >= 0;
	if (n)
		close(fd);
	KT_ASSERT(r == -EFAULT, "EXPORT with its argument read-only: %s, expected EFAULT",
		  kmscap_t_errname(r));
	KT_ASSERT(!n, "EXPORT failed with EFAULT but installed fd %d in the caller's table", fd);
	/* the same call with writable memory works */
	r = kmscap_t_export(cl, ev.buffer_id, KMSCAP_EXPORT_CLOEXEC, &ex);
	KT_ASSERT(!r, "EXPORT: %s", kmscap_t_errname(r));
	close((int)ex.fd);

	KT_EXPECT_RET(kmscap_t_release(cl, ev.seq), 0, "RELEASE");
	close(cl);
	kmscap_t_buf_destroy(&a);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("CREATE and EXPORT whose result cannot be written: EFAULT, nothing left");
}
