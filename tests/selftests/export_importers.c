// SPDX-License-Identifier: MIT
/*
 * export_importers: other drivers import a kmscap export of a buffer that
 * kmscap itself imported from vgem (the forwarding exporter of
 * kmod/export.c), on the kernel's own import paths:
 *  - vgem imports it (dma_buf_attach + map_dma_buf, forwarded to vgem's
 *    own dma-buf); its mmap shows the vgem buffer's pixels;
 *  - vkms, where the kernel has it (the debug kernel; Debian's has none:
 *    that part skips), imports it and scans it out, which vmaps it
 *    (drm_gem_fb_vmap -> dma_buf_vmap -> the forwarded vmap).
 * The harness fails the run on any lockdep, KASAN or WARN report: on the
 * debug kernel the nested dma-buf calls are checked there.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmscap_test.h"

/* vkms's default mode: its primary plane must cover the CRTC. */
#define W 1024
#define H 768
#define SEED 4242
#define VKMS_KO "/lib/kmscap/vkms.ko"

static int kmscap_shell(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * vgem imports the export: DRM's PRIME import attaches and maps it at once
 * (map_dma_buf, forwarded to vgem's own dma-buf).  DRM maps no imported
 * object for the CPU (MAP_DUMB refuses it), so the pixels are checked
 * through the export's own mmap instead.
 */
static void kmscap_via_vgem(int vgem, int export_fd, uint32_t pitch)
{
	uint32_t handle;
	uint64_t bad;
	void *p;
	int r;

	r = drmPrimeFDToHandle(vgem, export_fd, &handle);
	KT_ASSERT(!r, "vgem: import of the kmscap export: %s", strerror(errno));
	p = mmap(NULL, (size_t)pitch * H, PROT_READ, MAP_SHARED, export_fd, 0);
	KT_ASSERT(p != MAP_FAILED, "mmap of the kmscap export: %s", strerror(errno));
	bad = kmscap_t_verify(p, pitch, W, H, SEED, NULL, NULL);
	KT_ASSERT(!bad, "the kmscap export of a vgem buffer: %llu pixels differ",
		  (unsigned long long)bad);
	munmap(p, (size_t)pitch * H);
	drmCloseBufferHandle(vgem, handle);
	kmscap_t_log("vgem imported the forwarding export (attach + map_dma_buf); its pixels "
		     "are the vgem buffer's");
}

/* vkms imports the export and scans it out: prepare_fb vmaps it. */
static bool kmscap_via_vkms(int export_fd, uint32_t pitch)
{
	struct kmscap_t_buf fake;
	struct kmscap_t_kms v;
	unsigned int minor;
	struct stat st;
	int fd, r;

	if (stat(VKMS_KO, &st)) {
		kmscap_t_log("no %s for this kernel (Debian's has no vkms): vmap not tried",
			     VKMS_KO);
		return false;
	}
	r = kmscap_shell("insmod " VKMS_KO);
	KT_ASSERT(r == 0, "insmod %s: exit %d", VKMS_KO, r);
	for (minor = 0; minor < 64; minor++) {
		drmVersionPtr ver;

		fd = kmscap_t_open_card(minor);
		if (fd < 0)
			continue;
		ver = drmGetVersion(fd);
		r = ver && !strcmp(ver->name, "vkms");
		drmFreeVersion(ver);
		close(fd);
		if (r)
			break;
	}
	KT_ASSERT(minor < 64, "vkms loaded, but no vkms card");
	kmscap_t_kms_open_driver_or_die(&v, minor, "vkms");
	KT_ASSERT(v.mode.hdisplay == W && v.mode.vdisplay == H, "vkms's mode is %ux%u, not %ux%u",
		  v.mode.hdisplay, v.mode.vdisplay, W, H);
	kmscap_t_prime_fb_or_die(&v, export_fd, W, H, pitch, &fake);
	r = kmscap_t_atomic_modeset(&v, &fake);
	KT_ASSERT(!r, "vkms: modeset scanning out the kmscap export (vmap): %s",
		  kmscap_t_errname(r));
	kmscap_t_log("vkms scanned out the forwarding export (its prepare_fb vmaps it)");
	r = kmscap_t_atomic_flip(&v, &fake, NULL, 0, true);
	KT_ASSERT(!r && !kmscap_t_wait_flip(&v, 10000), "vkms: flip of the export");
	kmscap_t_prime_fb_close(&fake);
	kmscap_t_kms_close(&v);
	r = kmscap_shell("rmmod vkms");
	KT_ASSERT(r == 0, "rmmod vkms: exit %d", r);
	return true;
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_t_buf vbuf, onfb;
	struct kmscap_export exp;
	struct kmscap_event ev;
	struct kmscap_t_kms k;
	int ctl, vgem, client, prime_fd, r;
	bool vmapped;

	kmscap_t_init("export_importers", 120);
	ctl = kmscap_t_open_ctl_or_skip();
	vgem = kmscap_t_open_driver("vgem");
	if (vgem < 0)
		kmscap_t_skip("no vgem card: %s", kmscap_t_errname(vgem));
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);

	r = kmscap_t_buf_create(vgem, W, H, DRM_FORMAT_XRGB8888, false, &vbuf);
	KT_ASSERT(!r, "vgem buffer: %s", kmscap_t_errname(r));
	kmscap_t_fill(vbuf.map, vbuf.pitch, W, H, SEED);
	r = drmPrimeHandleToFD(vgem, vbuf.handle, DRM_CLOEXEC, &prime_fd);
	KT_ASSERT(!r, "vgem: export: %s", strerror(errno));
	kmscap_t_prime_fb_or_die(&k, prime_fd, W, H, vbuf.pitch, &onfb);

	client = kmscap_t_client_or_die(c.id, 4, 0);
	r = kmscap_t_atomic_modeset(&k, &onfb);
	KT_ASSERT(!r, "kmscap: modeset with the imported buffer: %s", kmscap_t_errname(r));
	kmscap_t_export_first_or_die(client, &ev, &exp);

	kmscap_via_vgem(vgem, exp.fd, vbuf.pitch);
	vmapped = kmscap_via_vkms(exp.fd, vbuf.pitch);

	close(exp.fd);
	KT_EXPECT_RET(kmscap_t_release(client, ev.seq), 0, "RELEASE");
	close(client);
	kmscap_t_kms_close(&k);
	kmscap_t_destroy(ctl, c.id);
	close(prime_fd);
	kmscap_t_buf_destroy(&vbuf);
	if (!vmapped)
		kmscap_t_pass("vgem mapped the forwarding export; vmap by vkms not tried "
			      "(no vkms for this kernel)");
	kmscap_t_pass("vgem mapped and vkms vmapped the forwarding export");
	return 0;
}
