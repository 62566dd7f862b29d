// SPDX-License-Identifier: MIT
/*
 * revoked_frames: libkmscap's kmscap_frame_revoked() and
 * kmscap_prep_release_sqe() (LIBKMSCAP_1.5) on the real module: a frame
 * read and not revoked says 0; after DIRTYFB redrew its buffer, 1, and
 * the frame DIRTYFB brought says 0; the releases that
 * kmscap_prep_release_sqe() prepares complete with what kmscap_release()
 * would return (-ESTALE for the revoked frame, 0 for the other); the
 * status page is mapped once and unmapped by kmscap_close().
 */
#define _GNU_SOURCE
#include <unistd.h>

#include "kmscap_test.h"
#include "libkmscap.h"
#include "libring.h"

/* Mappings of /dev/kmscap in this process. */
static int kmscap_count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int n = 0;

	KT_ASSERT(f, "/proc/self/maps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (strstr(line, KMSCAP_T_CTL))
			n++;
	fclose(f);
	return n;
}

static int kmscap_uring_release(struct kmscap_ring *ring, struct kmscap_dev *cl, uint64_t seq)
{
	struct io_uring_sqe sqe;
	struct io_uring_cqe cqe;
	int r = kmscap_prep_release_sqe(cl, &sqe, seq);

	KT_ASSERT(!r, "kmscap_prep_release_sqe: %s", kmscap_t_errname(r));
	sqe.user_data = seq;
	kmscap_ring_submit(ring, &sqe);
	KT_ASSERT(kmscap_ring_wait(ring, &cqe, 3000) == 1 && cqe.user_data == seq,
		  "no completion of the release of %llu", (unsigned long long)seq);
	return cqe.res;
}

int main(void)
{
	drmModeClip clip = { 0, 0, 16, 16 };
	struct kmscap_display_create c;
	struct kmscap_event f, d;
	struct kmscap_ring ring;
	struct kmscap_t_buf b;
	struct kmscap_t_kms k;
	struct kmscap_dev *cl;
	int ctl, r;

	kmscap_t_init("revoked_frames", 60);
	ctl = kmscap_t_open_ctl_or_skip();
	r = kmscap_ring_init(&ring, 8, 0);
	KT_ASSERT(!r, "io_uring_setup: %s", kmscap_t_errname(r));
	kmscap_t_display_up(ctl, 640, 480, &c, &k, &b, 1, 0);

	KT_EXPECT_RET(kmscap_open(NULL, &cl), 0, "kmscap_open");
	KT_EXPECT_RET(kmscap_frame_revoked(cl, 1), -ENOTCONN, "kmscap_frame_revoked before attach");
	KT_EXPECT_RET(kmscap_attach(cl, c.id, 4, 10000000000ull), 0, "kmscap_attach");
	KT_EXPECT_RET(kmscap_t_flip(&k, b.fb_id, 3000), 0, "flip");
	r = kmscap_next_frame(cl, 3000, &f);
	KT_ASSERT(r == KMSCAP_NEXT_FRAME, "kmscap_next_frame: %d", r);
	KT_EXPECT_RET(kmscap_frame_revoked(cl, f.seq), 0, "a frame just read");
	KT_ASSERT(kmscap_count_maps() == 1, "%d mappings of %s after the first question",
		  kmscap_count_maps(), KMSCAP_T_CTL);

	r = drmModeDirtyFB(k.fd, b.fb_id, &clip, 1);
	KT_ASSERT(!r, "drmModeDirtyFB: %s", strerror(errno));
	KT_EXPECT_RET(kmscap_frame_revoked(cl, f.seq), 1, "the frame whose buffer DIRTYFB redrew");
	r = kmscap_next_frame(cl, 3000, &d);
	KT_ASSERT(r == KMSCAP_NEXT_FRAME, "kmscap_next_frame after DIRTYFB: %d", r);
	KT_EXPECT_RET(kmscap_frame_revoked(cl, d.seq), 0, "the frame DIRTYFB brought");
	KT_EXPECT_RET(kmscap_frame_revoked(cl, f.seq), 1, "the redrawn frame, asked again");
	KT_ASSERT(kmscap_count_maps() == 1, "%d mappings of %s after four questions",
		  kmscap_count_maps(), KMSCAP_T_CTL);

	KT_EXPECT_RET(kmscap_uring_release(&ring, cl, f.seq), -ESTALE,
		      "the ring's release of the revoked frame");
	KT_EXPECT_RET(kmscap_uring_release(&ring, cl, d.seq), 0, "the ring's release of the other");
	KT_EXPECT_RET(kmscap_release(cl, d.seq), -ENOENT, "kmscap_release after the ring's");
	kmscap_close(cl);
	KT_ASSERT(kmscap_count_maps() == 0, "%d mappings of %s after kmscap_close()",
		  kmscap_count_maps(), KMSCAP_T_CTL);

	kmscap_ring_fini(&ring);
	kmscap_t_display_down(ctl, &c, &k, &b, 1);
	close(ctl);
	kmscap_t_pass("kmscap_frame_revoked and kmscap_prep_release_sqe on the module");
}
