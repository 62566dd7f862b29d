// SPDX-License-Identifier: MIT
/*
 * export_dynamic: the forwarding export of a buffer whose exporter is
 * dynamic (it may move its buffers unless they are pinned, as a GPU
 * driver's VRAM buffers) passes pins and moves on to that origin.
 *
 * tests/dmabuf-peer/kmscap_peer.ko plays the origin's exporter and the
 * export's importers (no driver of a GPU-less kernel does).  A compositor
 * imports the peer's buffer into the display and shows it; a client
 * exports the frame; then the peer imports that export:
 *  - as a dynamic importer: attaching leaves the origin unpinned, its
 *    dma_buf_pin() pins the origin and dma_buf_unpin() unpins it, and a
 *    move of the origin reaches the importer's move_notify;
 *  - as a static importer: attaching pins the origin, detaching unpins;
 * both map the export for a device and vmap it and see the pixels the
 * compositor drew.  The peer asserts the reservation locking on the
 * debug kernel (lockdep).
 */
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmscap_peer.h"
#include "kmscap_test.h"

#define W 640
#define H 480
#define SEED 777
#define PEER_KO "/lib/kmscap/kmscap_peer.ko"

static int kmscap_shell(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static uint32_t kmscap_peer_pins(int peer, int buf_fd)
{
	struct kmscap_peer_count cnt = { .fd = buf_fd };

	KT_ASSERT(!ioctl(peer, KMSCAP_PEER_IOC_COUNT, &cnt), "peer COUNT: %s", strerror(errno));
	return cnt.pins;
}

static void kmscap_peer_check(int peer, int export_fd, int origin_fd, bool dynamic,
			      uint32_t base, uint64_t hash)
{
	struct kmscap_peer_import imp = {
		.fd = export_fd,
		.origin_fd = origin_fd,
		.flags = dynamic ? KMSCAP_PEER_IMPORT_DYNAMIC : 0,
	};
	const char *how = dynamic ? "dynamic" : "static";

	KT_ASSERT(!ioctl(peer, KMSCAP_PEER_IOC_IMPORT, &imp), "peer %s IMPORT of the export: %s",
		  how, strerror(errno));
	kmscap_t_log("%s import: origin pins before %u attached %u pinned %u mapped %u "
		     "unpinned %u detached %u; moves heard %u", how,
		     imp.pins[KMSCAP_PEER_BEFORE], imp.pins[KMSCAP_PEER_ATTACHED],
		     imp.pins[KMSCAP_PEER_PINNED], imp.pins[KMSCAP_PEER_MAPPED],
		     imp.pins[KMSCAP_PEER_UNMAPPED], imp.pins[KMSCAP_PEER_DETACHED], imp.moves);
	KT_ASSERT(imp.pins[KMSCAP_PEER_BEFORE] == base, "%s: origin pins %u before, not %u", how,
		  imp.pins[KMSCAP_PEER_BEFORE], base);
	if (dynamic) {
		/* Movable until pinned, then pinned exactly once until unpinned. */
		KT_ASSERT(imp.pins[KMSCAP_PEER_ATTACHED] == base,
			  "dynamic: attaching to the export pins the origin (%u pins, not %u)",
			  imp.pins[KMSCAP_PEER_ATTACHED], base);
		KT_ASSERT(imp.pins[KMSCAP_PEER_PINNED] == base + 1,
			  "dynamic: the export pinned leaves the origin with %u pins, not %u",
			  imp.pins[KMSCAP_PEER_PINNED], base + 1);
		KT_ASSERT(imp.pins[KMSCAP_PEER_UNMAPPED] == base,
			  "dynamic: unmapped and unpinned, the origin has %u pins, not %u",
			  imp.pins[KMSCAP_PEER_UNMAPPED], base);
	} else {
		/* Pinned (and mapped) from attach to detach. */
		KT_ASSERT(imp.pins[KMSCAP_PEER_ATTACHED] > base &&
			  imp.pins[KMSCAP_PEER_UNMAPPED] > base,
			  "static: attached, the origin has %u pins, not more than %u",
			  imp.pins[KMSCAP_PEER_ATTACHED], base);
	}
	KT_ASSERT(imp.pins[KMSCAP_PEER_MAPPED] > base,
		  "%s: the origin has %u pins while the export is mapped", how,
		  imp.pins[KMSCAP_PEER_MAPPED]);
	KT_ASSERT(imp.pins[KMSCAP_PEER_DETACHED] == base,
		  "%s: detached, the origin has %u pins, not %u", how,
		  imp.pins[KMSCAP_PEER_DETACHED], base);
	KT_ASSERT(imp.moves == (dynamic ? 1u : 0u),
		  "%s: the import heard %u moves of the origin, not %u", how, imp.moves,
		  dynamic ? 1u : 0u);
	KT_ASSERT(imp.map_hash == hash, "%s: the device mapping of the export shows other pixels",
		  how);
	KT_ASSERT(imp.vmap_hash == hash, "%s: the vmap of the export shows other pixels", how);
}

int main(void)
{
	struct kmscap_peer_export pexp = { .size = (uint64_t)W * 4 * H };
	struct kmscap_display_create c;
	struct kmscap_t_buf onfb;
	struct kmscap_export exp;
	struct kmscap_event ev;
	struct kmscap_t_kms k;
	int ctl, peer, client, r, i;
	uint32_t base;
	uint64_t hash;
	struct stat st;
	void *map;

	kmscap_t_init("export_dynamic", 120);
	ctl = kmscap_t_open_ctl_or_skip();
	if (stat(PEER_KO, &st))
		kmscap_t_skip("no %s built for this kernel (make builds it with kmod)", PEER_KO);
	r = kmscap_shell("insmod " PEER_KO);
	KT_ASSERT(r == 0, "insmod %s: exit %d", PEER_KO, r);
	peer = open(KMSCAP_PEER_DEV, O_RDWR | O_CLOEXEC);
	KT_ASSERT(peer >= 0, "open %s: %s", KMSCAP_PEER_DEV, strerror(errno));

	KT_ASSERT(!ioctl(peer, KMSCAP_PEER_IOC_EXPORT, &pexp), "peer EXPORT: %s", strerror(errno));
	map = mmap(NULL, pexp.size, PROT_READ | PROT_WRITE, MAP_SHARED, pexp.fd, 0);
	KT_ASSERT(map != MAP_FAILED, "mmap of the peer's buffer: %s", strerror(errno));
	kmscap_t_fill(map, W * 4, W, H, SEED);
	hash = kmscap_peer_hash(KMSCAP_PEER_HASH_INIT, map, pexp.size / 4);

	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_prime_fb_or_die(&k, pexp.fd, W, H, W * 4, &onfb);
	client = kmscap_t_client_or_die(c.id, 4, 0);
	r = kmscap_t_atomic_modeset(&k, &onfb);
	KT_ASSERT(!r, "kmscap: modeset with the imported buffer: %s", kmscap_t_errname(r));
	kmscap_t_export_first_or_die(client, &ev, &exp);

	/* kmscap's own import is static: the origin stays pinned for it. */
	base = kmscap_peer_pins(peer, pexp.fd);
	KT_ASSERT(base >= 1, "kmscap's import of the peer's buffer holds no pin");
	kmscap_peer_check(peer, exp.fd, pexp.fd, true, base, hash);
	kmscap_peer_check(peer, exp.fd, pexp.fd, false, base, hash);
	KT_ASSERT(kmscap_peer_pins(peer, pexp.fd) == base, "the origin's pins changed");

	close(exp.fd);
	KT_EXPECT_RET(kmscap_t_release(client, ev.seq), 0, "RELEASE");
	close(client);
	kmscap_t_prime_fb_close(&onfb);
	kmscap_t_kms_close(&k);
	kmscap_t_destroy(ctl, c.id);
	munmap(map, pexp.size);
	close(pexp.fd);
	close(peer);
	/* Every buffer of the peer's released (kmscap's import too): it unloads. */
	for (i = 0, r = -1; i < 50 && r; i++) {
		r = kmscap_shell("rmmod kmscap_peer 2>/dev/null");
		if (r)
			usleep(100 * 1000);
	}
	KT_ASSERT(r == 0, "rmmod kmscap_peer fails 5 s after the display was destroyed: "
		  "a buffer of it is still referenced");
	kmscap_t_pass("a dynamic origin's export forwards pin, unpin and moves; static and "
		      "dynamic importers map and vmap its pixels");
	return 0;
}
