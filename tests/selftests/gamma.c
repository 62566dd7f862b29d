// SPDX-License-Identifier: MIT
/*
 * gamma: the CRTC's gamma LUT, set as a compositor does, seen by capture
 * clients.
 *  - the CRTC has GAMMA_LUT, GAMMA_LUT_SIZE 256 and a legacy gamma size of
 *    256, VERSION says KMSCAP_CAP_GAMMA;
 *  - drmModeCrtcSetGamma and the atomic GAMMA_LUT property set the LUT:
 *    KMSCAP_IOC_DISPLAY_GAMMA reads back exactly what was set, dated by the
 *    seq of the frame that first showed it, and that frame's event (only
 *    that one) has KMSCAP_FRAME_GAMMA_CHANGED; setting an equal LUT again
 *    changes nothing; removing it is a change;
 *  - a client attaching to a display with a LUT sees the flag on its first
 *    event; two changes read one event at a time are both flagged;
 *  - refused: LUTs of 255 and 257 entries (atomic), a legacy size of 255,
 *    a blob of partial entries; the ioctl with flags, an unknown id, an
 *    unwritable array (EFAULT); a short array gets only its capacity,
 *    no array only the count; another user reads it as RESTRICTED.
 *  - kmscapctl gamma ID (the tool at KMSCAP_T_KMSCAPCTL, when built)
 *    prints the LUT's size, date, identity and entries, its removal, and
 *    refuses another user.
 * libdrm's modetest setting a mode on the card is gamma's other test
 * (modetest_gamma).
 */
#include <stdlib.h>
#include <unistd.h>

#include "kmscap_test.h"

#define N KMSCAP_GAMMA_SIZE

#ifndef KMSCAP_T_KMSCAPCTL
#define KMSCAP_T_KMSCAPCTL "build/user/kmscapctl"
#endif

static uint32_t display_id;
static bool have_ctl;
static char ctl_out[8192];

static uint16_t kmscap_ramp(unsigned int seed, unsigned int i, unsigned int ch)
{
	return (uint16_t)(65535 - i * 257 * (ch + 1) + seed * 1021);
}

static void kmscap_lut(unsigned int seed, struct drm_color_lut *lut, unsigned int n)
{
	unsigned int i;

	memset(lut, 0, n * sizeof(*lut));
	for (i = 0; i < n; i++) {
		lut[i].red = kmscap_ramp(seed, i, 0);
		lut[i].green = kmscap_ramp(seed, i, 1);
		lut[i].blue = kmscap_ramp(seed, i, 2);
	}
}

/* Run kmscapctl gamma on the display; its exit status, its output in ctl_out. */
static int kmscap_ctl_gamma(void)
{
	char id[16], *argv[] = { (char *)KMSCAP_T_KMSCAPCTL, (char *)"gamma", id, NULL };

	snprintf(id, sizeof(id), "%u", display_id);
	return kmscap_t_run_prog(argv, ctl_out, sizeof(ctl_out));
}

/* kmscapctl gamma prints ramp @seed, set by frame @seq, and its entries. */
static void kmscap_ctl_expect_lut(unsigned int seed, uint64_t seq)
{
	char want[128];
	unsigned int i, e;

	if (!have_ctl)
		return;
	KT_ASSERT(kmscap_ctl_gamma() == 0, "kmscapctl gamma %u failed", display_id);
	snprintf(want, sizeof(want), "display %u: gamma LUT of %u entries, set by frame %llu\n",
		 display_id, N, (unsigned long long)seq);
	KT_ASSERT(!strncmp(ctl_out, want, strlen(want)), "kmscapctl gamma: no line '%s'", want);
	KT_ASSERT(strstr(ctl_out, "\n  identity:  no at 8 bits, no at 10 bits\n"),
		  "kmscapctl gamma: no identity line saying no");
	for (i = 0; i <= 4; i++) {
		e = i * (N - 1) / 4;
		snprintf(want, sizeof(want), "\n  %-7u 0x%04x  0x%04x  0x%04x\n", e,
			 kmscap_ramp(seed, e, 0), kmscap_ramp(seed, e, 1), kmscap_ramp(seed, e, 2));
		KT_ASSERT(strstr(ctl_out, want), "kmscapctl gamma: no entry line '%s'", want + 1);
	}
}

static int kmscap_gamma(int ctl, uint32_t id, struct kmscap_gamma_entry *e, uint32_t cap,
			struct kmscap_display_gamma *g)
{
	memset(g, 0, sizeof(*g));
	g->id = id;
	g->entries_ptr = (uintptr_t)e;
	g->count = cap;
	return kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_GAMMA, g);
}

/* Commit GAMMA_LUT = @bytes of ramp @seed (0: no LUT); 0 or -errno. */
static int kmscap_set_atomic(struct kmscap_t_kms *k, unsigned int seed, size_t bytes,
			     uint32_t flags)
{
	struct drm_color_lut lut[N + 1];

	KT_ASSERT(bytes <= sizeof(lut), "bad test");
	kmscap_lut(seed, lut, N + 1);
	return kmscap_t_gamma_commit(k, NULL, lut, bytes, flags);
}

static int kmscap_set_legacy(struct kmscap_t_kms *k, unsigned int seed, unsigned int n)
{
	uint16_t r[N], g[N], b[N];
	unsigned int i;

	for (i = 0; i < N; i++) {
		r[i] = kmscap_ramp(seed, i, 0);
		g[i] = kmscap_ramp(seed, i, 1);
		b[i] = kmscap_ramp(seed, i, 2);
	}
	return drmModeCrtcSetGamma(k->fd, k->crtc_id, n, r, g, b) ? -errno : 0;
}

/* The next frame event of @cl (released); its flags. */
static uint32_t kmscap_next_frame(int cl, const char *after, uint64_t *seq)
{
	struct kmscap_event ev;
	int r = kmscap_t_read_event(cl, &ev, 3000);

	KT_ASSERT(r == 1, "no frame event within 3 s after %s (%s)", after, kmscap_t_errname(r));
	KT_ASSERT(ev.type == KMSCAP_EVENT_FRAME, "event type %u after %s", ev.type, after);
	KT_EXPECT_RET(kmscap_t_release(cl, ev.seq), 0, "RELEASE");
	if (seq)
		*seq = ev.seq;
	return ev.flags;
}

/* The display reads back LUT @seed (0: none), first shown by frame @seq. */
static void kmscap_expect_lut(int ctl, unsigned int seed, uint64_t seq, const char *after)
{
	static struct kmscap_gamma_entry e[N + 8];
	struct kmscap_display_gamma g;
	unsigned int i;

	memset(e, 0xa5, sizeof(e));
	KT_EXPECT_RET(kmscap_gamma(ctl, display_id, e, N + 8, &g), 0, "DISPLAY_GAMMA");
	KT_ASSERT(g.seq == seq, "after %s: LUT dated seq %llu, expected %llu", after,
		  (unsigned long long)g.seq, (unsigned long long)seq);
	KT_ASSERT(!g.out_flags, "after %s: out_flags 0x%x", after, g.out_flags);
	if (!seed) {
		KT_ASSERT(g.count == 0, "after %s: %u entries, expected no LUT", after, g.count);
		return;
	}
	KT_ASSERT(g.count == N, "after %s: %u entries, expected %u", after, g.count, N);
	for (i = 0; i < N; i++)
		KT_ASSERT(e[i].red == kmscap_ramp(seed, i, 0) &&
			  e[i].green == kmscap_ramp(seed, i, 1) &&
			  e[i].blue == kmscap_ramp(seed, i, 2) && !e[i].pad,
			  "after %s: entry %u is %u/%u/%u/%u, set %u/%u/%u", after, i, e[i].red,
			  e[i].green, e[i].blue, e[i].pad, kmscap_ramp(seed, i, 0),
			  kmscap_ramp(seed, i, 1), kmscap_ramp(seed, i, 2));
	KT_ASSERT(e[N].red == 0xa5a5a5a5u, "after %s: entry %u written beyond the LUT", after,
		  N);
}

/* Someone else's view of the display: restricted, nothing of the LUT. */
static int kmscap_stranger(void *arg)
{
	struct kmscap_gamma_entry e[4];
	struct kmscap_display_gamma g;
	int fd;

	(void)arg;
	kmscap_t_become(1001, NULL, 0);
	fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	KT_ASSERT(fd >= 0, "uid 1001: open %s: %s", KMSCAP_T_CTL, strerror(errno));
	memset(e, 0xa5, sizeof(e));
	KT_EXPECT_RET(kmscap_gamma(fd, display_id, e, 4, &g), 0,
		      "DISPLAY_GAMMA of another user's display");
	KT_ASSERT(g.out_flags == KMSCAP_GAMMA_RESTRICTED && !g.count && !g.seq &&
		  e[0].red == 0xa5a5a5a5u,
		  "uid 1001 reads root's LUT: out_flags 0x%x count %u seq %llu", g.out_flags,
		  g.count, (unsigned long long)g.seq);
	close(fd);
	if (have_ctl) {
		char want[96];

		snprintf(want, sizeof(want), "kmscapctl: display %u belongs to another user\n",
			 display_id);
		KT_ASSERT(kmscap_ctl_gamma() == 1 && !strcmp(ctl_out, want),
			  "kmscapctl gamma as uid 1001: expected status 1 and '%s'", want);
	}
	return 0;
}

static void kmscap_bad_ioctls(int ctl)
{
	struct kmscap_gamma_entry e[N];
	struct kmscap_display_gamma g;

	memset(&g, 0, sizeof(g));
	g.id = display_id;
	g.flags = 1;
	KT_EXPECT_RET(kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_GAMMA, &g), -EINVAL,
		      "DISPLAY_GAMMA with flags 1");
	g.flags = 1u << 31;
	KT_EXPECT_RET(kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_GAMMA, &g), -EINVAL,
		      "DISPLAY_GAMMA with flags 1 << 31");
	KT_EXPECT_RET(kmscap_gamma(ctl, 0xfffffff0u, e, N, &g), -ENOENT,
		      "DISPLAY_GAMMA of an unknown id");
	KT_EXPECT_RET(kmscap_gamma(ctl, display_id, (void *)0x1000, N, &g), -EFAULT,
		      "DISPLAY_GAMMA into unmapped 0x1000");
	KT_EXPECT_RET(kmscap_gamma(ctl, display_id, (void *)(uintptr_t)0xffff888000000000ull,
				   N, &g), -EFAULT, "DISPLAY_GAMMA into a kernel address");
	/* A bad array the kernel has no reason to touch is no fault. */
	KT_EXPECT_RET(kmscap_gamma(ctl, display_id, (void *)0x1000, 0, &g), 0,
		      "DISPLAY_GAMMA with capacity 0");
	KT_ASSERT(g.count == N, "capacity 0: count %u, expected %u", g.count, N);
	KT_EXPECT_RET(kmscap_gamma(ctl, display_id, NULL, 0xffffffffu, &g), 0,
		      "DISPLAY_GAMMA without an array, capacity 0xffffffff");
	KT_ASSERT(g.count == N, "no array: count %u, expected %u", g.count, N);
	/* Only the capacity is written. */
	memset(e, 0xa5, sizeof(e));
	KT_EXPECT_RET(kmscap_gamma(ctl, display_id, e, 10, &g), 0, "DISPLAY_GAMMA capacity 10");
	KT_ASSERT(g.count == N && e[9].red != 0xa5a5a5a5u && e[10].red == 0xa5a5a5a5u,
		  "capacity 10: count %u, entry 9 red 0x%x, entry 10 red 0x%x", g.count,
		  e[9].red, e[10].red);
	/* out_flags is out only: what comes in is ignored. */
	memset(&g, 0, sizeof(g));
	g.id = display_id;
	g.out_flags = 0xffffffffu;
	KT_EXPECT_RET(kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_GAMMA, &g), 0,
		      "DISPLAY_GAMMA with out_flags set on the way in");
	KT_ASSERT(!g.out_flags && g.count == N, "out_flags 0x%x count %u", g.out_flags, g.count);
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_display_gamma g;
	struct kmscap_version v;
	struct kmscap_t_buf buf;
	struct kmscap_t_kms k;
	drmModeCrtcPtr crtc;
	uint64_t size = 0, seq, lut_seq;
	uint32_t flags;
	int ctl, cl, cl2, r;

	kmscap_t_init("gamma", 100);
	if (geteuid() != 0)
		kmscap_t_skip("needs root to read the LUT as uid 1001 too (euid %u)", geteuid());
	ctl = kmscap_t_open_ctl_or_skip();
	KT_EXPECT_RET(kmscap_t_version(ctl, &v), 0, "VERSION");
	KT_ASSERT(v.minor >= 3 && (v.caps & KMSCAP_CAP_GAMMA),
		  "ABI %u.%u caps 0x%llx: no KMSCAP_CAP_GAMMA", v.major, v.minor,
		  (unsigned long long)v.caps);
	kmscap_t_create_or_die(ctl, 640, 480, 60000, &c);
	display_id = c.id;
	have_ctl = !access(KMSCAP_T_KMSCAPCTL, X_OK);
	if (!have_ctl)
		kmscap_t_log("%s: %s: kmscapctl gamma is not tested", KMSCAP_T_KMSCAPCTL,
			     strerror(errno));
	else if (kmscap_ctl_gamma() || strncmp(ctl_out, "display ", 8) ||
		 !strstr(ctl_out, ": no gamma LUT (identity), none ever set\n"))
		kmscap_t_fail("kmscapctl gamma %u before any LUT: no 'none ever set' line",
			      c.id);
	kmscap_t_kms_open_or_die(&k, c.card_minor);

	KT_ASSERT(kmscap_t_prop_id(k.fd, k.crtc_id, DRM_MODE_OBJECT_CRTC, "GAMMA_LUT"),
		  "card%u: CRTC %u has no GAMMA_LUT property", c.card_minor, k.crtc_id);
	KT_EXPECT_RET(kmscap_t_prop_value(k.fd, k.crtc_id, DRM_MODE_OBJECT_CRTC,
					  "GAMMA_LUT_SIZE", &size), 0, "GAMMA_LUT_SIZE");
	KT_ASSERT(size == N, "GAMMA_LUT_SIZE %llu, expected %u", (unsigned long long)size, N);
	crtc = drmModeGetCrtc(k.fd, k.crtc_id);
	KT_ASSERT(crtc && crtc->gamma_size == N, "legacy gamma size %d, expected %u",
		  crtc ? crtc->gamma_size : -1, N);
	drmModeFreeCrtc(crtc);

	cl = kmscap_t_client_or_die(c.id, 8, 0);
	KT_EXPECT_RET(kmscap_gamma(ctl, c.id, NULL, 0, &g), 0, "DISPLAY_GAMMA before a frame");
	KT_ASSERT(!g.count && !g.seq && !g.out_flags, "before a frame: count %u seq %llu",
		  g.count, (unsigned long long)g.seq);

	kmscap_t_buf_create_or_die(k.fd, 640, 480, DRM_FORMAT_XRGB8888, &buf);
	r = kmscap_t_modeset(&k, buf.fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", c.card_minor, kmscap_t_errname(r));
	flags = kmscap_next_frame(cl, "the modeset", NULL);
	KT_ASSERT(!(flags & KMSCAP_FRAME_GAMMA_CHANGED), "GAMMA_CHANGED without a LUT");
	kmscap_expect_lut(ctl, 0, 0, "the modeset");

	/* Legacy, as modetest and X do. */
	KT_EXPECT_RET(kmscap_set_legacy(&k, 1, N), 0, "drmModeCrtcSetGamma of 256 entries");
	flags = kmscap_next_frame(cl, "drmModeCrtcSetGamma", &seq);
	KT_ASSERT(flags & KMSCAP_FRAME_GAMMA_CHANGED, "no GAMMA_CHANGED after the legacy set");
	kmscap_expect_lut(ctl, 1, seq, "drmModeCrtcSetGamma");
	lut_seq = seq;
	KT_EXPECT_RET(kmscap_t_flip(&k, buf.fb_id, 3000), 0, "page flip");
	flags = kmscap_next_frame(cl, "a flip", NULL);
	KT_ASSERT(!(flags & KMSCAP_FRAME_GAMMA_CHANGED), "GAMMA_CHANGED on a plain flip");
	kmscap_expect_lut(ctl, 1, lut_seq, "a plain flip");

	/* Atomic GAMMA_LUT, as a Wayland compositor does. */
	KT_EXPECT_RET(kmscap_set_atomic(&k, 2, N * sizeof(struct drm_color_lut), 0), 0,
		      "atomic GAMMA_LUT of 256 entries");
	flags = kmscap_next_frame(cl, "GAMMA_LUT", &seq);
	KT_ASSERT(flags & KMSCAP_FRAME_GAMMA_CHANGED, "no GAMMA_CHANGED after GAMMA_LUT");
	kmscap_expect_lut(ctl, 2, seq, "GAMMA_LUT");
	kmscap_ctl_expect_lut(2, seq);
	lut_seq = seq;

	/* A client attaching now learns of the LUT with its first frame. */
	cl2 = kmscap_t_client_or_die(c.id, 8, 0);
	/* The same LUT in a new blob: no change. */
	KT_EXPECT_RET(kmscap_set_atomic(&k, 2, N * sizeof(struct drm_color_lut), 0), 0,
		      "atomic GAMMA_LUT, the same again");
	flags = kmscap_next_frame(cl, "the same GAMMA_LUT again", NULL);
	KT_ASSERT(!(flags & KMSCAP_FRAME_GAMMA_CHANGED), "GAMMA_CHANGED for an equal LUT");
	flags = kmscap_next_frame(cl2, "attach", NULL);
	KT_ASSERT((flags & (KMSCAP_FRAME_GAMMA_CHANGED | KMSCAP_FRAME_FIRST)) ==
		  (KMSCAP_FRAME_GAMMA_CHANGED | KMSCAP_FRAME_FIRST),
		  "first event after attach with a LUT set: flags 0x%x", flags);
	kmscap_expect_lut(ctl, 2, lut_seq, "an equal GAMMA_LUT");

	/* Refused LUTs change nothing. */
	KT_EXPECT_RET(kmscap_set_atomic(&k, 3, (N - 1) * sizeof(struct drm_color_lut),
					DRM_MODE_ATOMIC_TEST_ONLY), -EINVAL,
		      "GAMMA_LUT of 255 entries (TEST_ONLY)");
	KT_EXPECT_RET(kmscap_set_atomic(&k, 3, (N - 1) * sizeof(struct drm_color_lut), 0),
		      -EINVAL, "GAMMA_LUT of 255 entries");
	KT_EXPECT_RET(kmscap_set_atomic(&k, 3, (N + 1) * sizeof(struct drm_color_lut), 0),
		      -EINVAL, "GAMMA_LUT of 257 entries");
	KT_EXPECT_RET(kmscap_set_atomic(&k, 3, N * sizeof(struct drm_color_lut) - 2, 0),
		      -EINVAL, "GAMMA_LUT of 2046 bytes");
	KT_EXPECT_RET(kmscap_set_legacy(&k, 3, N - 1), -EINVAL,
		      "drmModeCrtcSetGamma of 255 entries");
	kmscap_expect_lut(ctl, 2, lut_seq, "refused LUTs");

	kmscap_bad_ioctls(ctl);
	kmscap_t_node_set(KMSCAP_T_CTL, 0, 0, 0666);
	kmscap_t_run_child(kmscap_stranger, NULL, "uid 1001 reading the LUT");

	/* Removing the LUT is a change, dated too. */
	KT_EXPECT_RET(kmscap_set_atomic(&k, 0, 0, 0), 0, "GAMMA_LUT 0");
	flags = kmscap_next_frame(cl, "GAMMA_LUT 0", &seq);
	KT_ASSERT(flags & KMSCAP_FRAME_GAMMA_CHANGED, "no GAMMA_CHANGED when the LUT goes");
	flags = kmscap_next_frame(cl2, "GAMMA_LUT 0", NULL);
	KT_ASSERT(flags & KMSCAP_FRAME_GAMMA_CHANGED, "second client: no GAMMA_CHANGED");
	kmscap_expect_lut(ctl, 0, seq, "GAMMA_LUT 0");
	if (have_ctl) {
		char want[96];

		snprintf(want, sizeof(want), "display %u: no gamma LUT (identity)\n"
			 "  removed by frame %llu\n", c.id, (unsigned long long)seq);
		KT_ASSERT(kmscap_ctl_gamma() == 0 && !strcmp(ctl_out, want),
			  "kmscapctl gamma after GAMMA_LUT 0: expected '%s'", want);
	}

	/*
	 * Two changes queued, read one event at a time: the read that has no
	 * room for the second event must not use up its flag.
	 */
	KT_EXPECT_RET(kmscap_set_atomic(&k, 4, N * sizeof(struct drm_color_lut), 0), 0,
		      "GAMMA_LUT 4");
	KT_EXPECT_RET(kmscap_set_atomic(&k, 5, N * sizeof(struct drm_color_lut), 0), 0,
		      "GAMMA_LUT 5");
	flags = kmscap_next_frame(cl, "GAMMA_LUT 4", NULL);
	KT_ASSERT(flags & KMSCAP_FRAME_GAMMA_CHANGED, "no GAMMA_CHANGED for the first of two");
	flags = kmscap_next_frame(cl, "GAMMA_LUT 5", &seq);
	KT_ASSERT(flags & KMSCAP_FRAME_GAMMA_CHANGED, "no GAMMA_CHANGED for the second of two, "
		  "read after a read that had room for one event only");
	kmscap_expect_lut(ctl, 5, seq, "GAMMA_LUT 5");
	kmscap_t_drain(cl2, 100);

	close(cl2);
	close(cl);
	kmscap_t_buf_destroy(&buf);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("legacy and atomic gamma read back exactly, flagged once per change; "
		      "bad LUTs and bad DISPLAY_GAMMA calls refused");
}
