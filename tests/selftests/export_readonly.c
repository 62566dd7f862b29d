// SPDX-License-Identifier: MIT
/*
 * export_readonly: what "read-only" means for an exported capture buffer.
 *
 * Enforced, by the VFS, because the dma-buf file is opened O_RDONLY: a
 * shared writable mmap (EACCES), an mprotect() of a read-only shared
 * mapping to PROT_WRITE (EACCES); a private writable mapping, if the
 * kernel allows one, is copy-on-write and never reaches the compositor's
 * buffer.
 *
 * Not enforced (Documentation/abi.md): the dma-buf core's ioctls do not
 * look at the file mode.  DMA_BUF_IOCTL_IMPORT_SYNC_FILE with
 * DMA_BUF_SYNC_WRITE is accepted on the read-only fd and the fence lands
 * in the reservation object the compositor's buffer shares: here a vgem
 * fence, not yet signalled, holds back the compositor's next flip onto
 * that buffer until vgem signals it.  The test asserts that behaviour, so
 * that a change to it is noticed.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W	640
#define H	480

static void kmscap_cpu_enforced(int dmabuf, const struct kmscap_t_buf *a, uint64_t size)
{
	uint32_t before;
	void *p;
	int fl;

	fl = fcntl(dmabuf, F_GETFL);
	KT_ASSERT(fl >= 0 && (fl & O_ACCMODE) == O_RDONLY, "export fd flags 0x%x, not O_RDONLY",
		  fl);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	KT_ASSERT(p == MAP_FAILED && (errno == EACCES || errno == EPERM),
		  "shared writable mmap of the export: %s",
		  p == MAP_FAILED ? strerror(errno) : "succeeded");

	p = mmap(NULL, size, PROT_READ, MAP_SHARED, dmabuf, 0);
	KT_ASSERT(p != MAP_FAILED, "shared read-only mmap: %s", strerror(errno));
	KT_ASSERT(*(volatile uint32_t *)p == *(uint32_t *)a->map,
		  "first pixel 0x%08x through the export, 0x%08x in the buffer",
		  *(volatile uint32_t *)p, *(uint32_t *)a->map);
	errno = 0;
	KT_ASSERT(mprotect(p, size, PROT_READ | PROT_WRITE) && (errno == EACCES || errno == EPERM),
		  "mprotect(PROT_WRITE) of a shared read-only mapping: %s",
		  errno ? strerror(errno) : "succeeded");
	munmap(p, size);

	before = *(uint32_t *)a->map;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, dmabuf, 0);
	if (p == MAP_FAILED) {
		kmscap_t_log("private writable mmap refused: %s", strerror(errno));
		return;
	}
	*(volatile uint32_t *)p = ~before;
	KT_ASSERT(*(volatile uint32_t *)a->map == before,
		  "a write through a private mapping of the export reached the buffer");
	kmscap_t_log("private writable mmap: copy-on-write, the buffer is unchanged");
	munmap(p, size);
}

/*
 * A write fence imported through the read-only fd delays the compositor.
 * Returns false (with the reason logged) when vgem is not there.
 */
static bool kmscap_sync_file_not_enforced(int dmabuf, struct kmscap_t_kms *k,
					  const struct kmscap_t_buf *a)
{
	struct kmscap_t_vgem_fence f;
	int r;

	if (kmscap_t_vgem_fence(&f)) {
		kmscap_t_log("no vgem device: IMPORT_SYNC_FILE not demonstrated");
		return false;
	}

	/* Accepted on the read-only export. */
	r = kmscap_t_vgem_fence_import(&f, dmabuf);
	KT_ASSERT(!r, "IMPORT_SYNC_FILE(WRITE) on the read-only export: %s (abi.md says it "
		  "is accepted)", kmscap_t_errname(r));

	/* The compositor's flip back onto that buffer now waits for vgem. */
	r = kmscap_t_atomic_flip(k, a, NULL, 0, true);
	KT_ASSERT(!r, "non-blocking flip onto the fenced buffer: %s", kmscap_t_errname(r));
	r = kmscap_t_wait_flip(k, 500);
	KT_ASSERT(r == -ETIMEDOUT, "flip onto the fenced buffer: %s within 500 ms, expected it "
		  "to wait for the imported fence", r ? kmscap_t_errname(r) : "done");
	kmscap_t_vgem_fence_signal(&f);
	r = kmscap_t_wait_flip(k, 5000);
	KT_ASSERT(!r, "flip after the fence was signalled: %s", kmscap_t_errname(r));
	return true;
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_t_buf a, b;
	struct kmscap_export ex;
	struct kmscap_event ev;
	struct kmscap_t_kms k;
	bool demo;
	int ctl, cl, r;

	kmscap_t_init("export_readonly", 100);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	cl = kmscap_t_client_or_die(c.id, 0, 1000000);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &a);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &b);
	kmscap_t_fill(a.map, a.pitch, W, H, 1);
	r = kmscap_t_atomic_modeset(&k, &a);
	KT_ASSERT(!r, "atomic modeset: %s", kmscap_t_errname(r));
	r = kmscap_t_read_event(cl, &ev, 3000);
	KT_ASSERT(r == 1 && ev.buffer_id, "no frame of buffer a: %s", kmscap_t_errname(r));
	r = kmscap_t_export(cl, ev.buffer_id, KMSCAP_EXPORT_CLOEXEC, &ex);
	KT_ASSERT(!r, "EXPORT: %s", kmscap_t_errname(r));
	KT_EXPECT_RET(kmscap_t_release(cl, ev.seq), 0, "RELEASE");

	kmscap_cpu_enforced(ex.fd, &a, ex.size);

	/* Show b, so that the next flip puts a back on screen. */
	r = kmscap_t_atomic_flip(&k, &b, NULL, 0, false);
	KT_ASSERT(!r, "flip to b: %s", kmscap_t_errname(r));
	kmscap_t_drain(cl, 200);
	demo = kmscap_sync_file_not_enforced(ex.fd, &k, &a);
	kmscap_t_drain(cl, 200);

	close(ex.fd);
	close(cl);
	kmscap_t_buf_destroy(&a);
	kmscap_t_buf_destroy(&b);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("shared writable mappings refused; %s",
		      demo ? "an imported write fence on the read-only fd held a flip back, as "
			     "documented" : "IMPORT_SYNC_FILE not shown (no vgem)");
}
