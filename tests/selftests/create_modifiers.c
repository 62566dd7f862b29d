// SPDX-License-Identifier: MIT
/*
 * create_modifiers: DISPLAY_CREATE with the modifiers a capture consumer
 * reads (ABI 1.4, KMSCAP_CAP_MODIFIERS):
 *  - bad lists are refused (too many, INVALID, a duplicate, a pointer
 *    without a count, a non-zero pad: EINVAL; an unreadable array: EFAULT)
 *    and leave no display behind;
 *  - the primary plane's IN_FORMATS lists exactly LINEAR and the listed
 *    modifiers for every format, the cursor plane LINEAR only;
 *  - ADDFB2 of a PRIME-imported vgem buffer with a listed modifier (Intel
 *    X-tiled) works, flips, and the frame event reports the modifier and
 *    the buffer's bytes as they are (kmscap never reads the layout);
 *  - an unlisted modifier, and a listed one on the display's own dumb
 *    buffer, are refused with EINVAL;
 *  - a 1.0-size CREATE still works and gives a linear-only display.
 */
#include <unistd.h>

#include "kmscap_test.h"

#define W 640	/* 2560 bytes a row: five X tiles (512 bytes wide) */
#define H 480	/* 60 rows of X tiles (8 rows high) */

#define NOT_LISTED	I915_FORMAT_MOD_4_TILED

static const uint64_t kmscap_listed[] = {
	I915_FORMAT_MOD_X_TILED, I915_FORMAT_MOD_Y_TILED, DRM_FORMAT_MOD_LINEAR,
};

/* The 1.0 structure and ioctl number, as a client built against 1.3 sends. */
struct kmscap_create_v10 {
	uint32_t width, height, refresh_mhz, flags, id, card_minor;
};
#define KMSCAP_IOC_DISPLAY_CREATE_V10 _IOWR(KMSCAP_IOC_MAGIC, 0x01, struct kmscap_create_v10)

static int kmscap_create_mods(int ctl, const uint64_t *mods, uint32_t n, uint32_t pad,
			      struct kmscap_display_create *c)
{
	memset(c, 0, sizeof(*c));
	c->width = W;
	c->height = H;
	c->refresh_mhz = 60000;
	c->modifiers_ptr = (uintptr_t)mods;
	c->num_modifiers = n;
	c->pad = pad;
	return kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_CREATE, c);
}

static void kmscap_bad_lists(int ctl)
{
	uint64_t many[KMSCAP_MAX_MODIFIERS + 1];
	const uint64_t invalid[] = { I915_FORMAT_MOD_X_TILED, DRM_FORMAT_MOD_INVALID };
	const uint64_t dup[] = { I915_FORMAT_MOD_X_TILED, DRM_FORMAT_MOD_LINEAR,
				 I915_FORMAT_MOD_X_TILED };
	struct kmscap_display_create c;
	uint32_t before[64];
	int n0, i;

	for (i = 0; i <= KMSCAP_MAX_MODIFIERS; i++)
		many[i] = I915_FORMAT_MOD_X_TILED + i;
	n0 = kmscap_t_list(ctl, before, 64);
	KT_EXPECT_RET(kmscap_create_mods(ctl, many, KMSCAP_MAX_MODIFIERS + 1, 0, &c), -EINVAL,
		      "CREATE with KMSCAP_MAX_MODIFIERS + 1 modifiers");
	KT_EXPECT_RET(kmscap_create_mods(ctl, invalid, 2, 0, &c), -EINVAL,
		      "CREATE listing DRM_FORMAT_MOD_INVALID");
	KT_EXPECT_RET(kmscap_create_mods(ctl, dup, 3, 0, &c), -EINVAL,
		      "CREATE listing X_TILED twice");
	KT_EXPECT_RET(kmscap_create_mods(ctl, dup, 0, 0, &c), -EINVAL,
		      "CREATE with a modifier pointer and a zero count");
	KT_EXPECT_RET(kmscap_create_mods(ctl, NULL, 0, 1, &c), -EINVAL,
		      "CREATE with a non-zero pad");
	KT_EXPECT_RET(kmscap_create_mods(ctl, (const uint64_t *)8, 1, 0, &c), -EFAULT,
		      "CREATE with an unreadable modifier array");
	KT_ASSERT(kmscap_t_list(ctl, before, 64) == n0,
		  "LIST: %d displays after the refused CREATEs, was %d",
		  kmscap_t_list(ctl, before, 64), n0);
	/* The largest list is taken. */
	KT_EXPECT_RET(kmscap_create_mods(ctl, many, KMSCAP_MAX_MODIFIERS, 0, &c), 0,
		      "CREATE with KMSCAP_MAX_MODIFIERS modifiers");
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
}

/*
 * The IN_FORMATS blob of @plane must pair each of its formats with exactly
 * @mods (in any order): LINEAR and the listed ones.
 */
static void kmscap_check_in_formats(struct kmscap_t_kms *k, uint32_t plane, const char *name,
				    const uint64_t *mods, unsigned int nmods)
{
	const struct drm_format_modifier_blob *blob;
	const struct drm_format_modifier *fm;
	const uint32_t *formats;
	drmModePropertyBlobPtr b;
	uint64_t id = 0;
	unsigned int f, i, j, seen;
	int r;

	r = kmscap_t_prop_value(k->fd, plane, DRM_MODE_OBJECT_PLANE, "IN_FORMATS", &id);
	KT_ASSERT(!r && id, "card%u: %s plane %u has no IN_FORMATS (%s)", k->minor, name, plane,
		  kmscap_t_errname(r));
	b = drmModeGetPropertyBlob(k->fd, id);
	KT_ASSERT(b, "card%u: IN_FORMATS blob %llu: %s", k->minor, (unsigned long long)id,
		  strerror(errno));
	blob = b->data;
	formats = (const uint32_t *)((const char *)blob + blob->formats_offset);
	fm = (const struct drm_format_modifier *)((const char *)blob + blob->modifiers_offset);
	KT_ASSERT(blob->count_modifiers == nmods, "%s plane: IN_FORMATS has %u modifiers, "
		  "expected %u", name, blob->count_modifiers, nmods);
	for (i = 0; i < blob->count_modifiers; i++) {
		for (j = 0; j < nmods && mods[j] != fm[i].modifier; j++)
			;
		KT_ASSERT(j < nmods, "%s plane: IN_FORMATS lists modifier 0x%llx, not asked for",
			  name, (unsigned long long)fm[i].modifier);
		for (f = 0, seen = 0; f < blob->count_formats; f++) {
			if (f < fm[i].offset || f >= fm[i].offset + 64 ||
			    !(fm[i].formats & (1ull << (f - fm[i].offset))))
				continue;
			seen++;
		}
		KT_ASSERT(seen == blob->count_formats, "%s plane: modifier 0x%llx with %u of %u "
			  "formats", name, (unsigned long long)fm[i].modifier, seen,
			  blob->count_formats);
	}
	kmscap_t_log("%s plane: IN_FORMATS: %u formats, each with the %u modifiers asked for "
		     "(first format %.4s)", name, blob->count_formats, nmods,
		     (const char *)&formats[0]);
	drmModeFreePropertyBlob(b);
}

struct kmscap_vgem_fb {
	struct kmscap_t_buf vgem;
	int prime_fd;
	uint32_t handle;	/* on the kmscap card */
};

static int kmscap_vgem_import(int vgem, struct kmscap_t_kms *k, struct kmscap_vgem_fb *v)
{
	int r = kmscap_t_buf_create(vgem, W, H, DRM_FORMAT_XRGB8888, false, &v->vgem);

	KT_ASSERT(!r, "vgem dumb buffer %ux%u: %s", W, H, kmscap_t_errname(r));
	KT_ASSERT(v->vgem.pitch % 512 == 0, "vgem pitch %u is not whole X tiles", v->vgem.pitch);
	r = drmPrimeHandleToFD(vgem, v->vgem.handle, DRM_CLOEXEC, &v->prime_fd);
	KT_ASSERT(!r, "vgem: drmPrimeHandleToFD: %s", strerror(errno));
	r = drmPrimeFDToHandle(k->fd, v->prime_fd, &v->handle);
	KT_ASSERT(!r, "card%u: drmPrimeFDToHandle of the vgem dma-buf: %s", k->minor,
		  strerror(errno));
	return 0;
}

/* ADDFB2 of @handle with @modifier: the fb id, or -errno. */
static int kmscap_addfb_mod(struct kmscap_t_kms *k, uint32_t handle, uint32_t pitch,
			    uint64_t modifier, uint32_t *fb_id)
{
	uint32_t handles[4] = { handle }, pitches[4] = { pitch }, offsets[4] = { 0 };
	uint64_t mods[4] = { modifier };

	if (drmModeAddFB2WithModifiers(k->fd, W, H, DRM_FORMAT_XRGB8888, handles, pitches,
				       offsets, mods, fb_id, DRM_MODE_FB_MODIFIERS))
		return -errno;
	return 0;
}

static void kmscap_check_event(int cl, uint64_t modifier, uint32_t pitch,
			       struct kmscap_t_maps *maps, const struct kmscap_t_buf *src)
{
	struct kmscap_t_map *map;
	struct kmscap_event ev;
	uint64_t want, got;
	int r;

	r = kmscap_t_read_event(cl, &ev, 5000);
	KT_ASSERT(r == 1 && ev.type == KMSCAP_EVENT_FRAME && ev.buffer_id,
		  "no frame event (%s)", kmscap_t_errname(r));
	KT_ASSERT(ev.modifier == modifier, "frame %llu: modifier 0x%llx, expected 0x%llx",
		  (unsigned long long)ev.seq, (unsigned long long)ev.modifier,
		  (unsigned long long)modifier);
	KT_ASSERT(ev.pitches[0] == pitch, "frame %llu: pitch %u, expected %u",
		  (unsigned long long)ev.seq, ev.pitches[0], pitch);
	map = kmscap_t_maps_get(maps, ev.buffer_id);
	want = kmscap_t_checksum(src->map, src->pitch, src->pitch, H);
	KT_EXPECT_RET(kmscap_t_dmabuf_sync(map->fd, true), 0, "DMA_BUF_IOCTL_SYNC start");
	got = kmscap_t_checksum(map->ptr, ev.pitches[0], ev.pitches[0], H);
	KT_EXPECT_RET(kmscap_t_dmabuf_sync(map->fd, false), 0, "DMA_BUF_IOCTL_SYNC end");
	KT_ASSERT(got == want, "frame %llu (modifier 0x%llx): captured bytes differ from the "
		  "buffer's", (unsigned long long)ev.seq, (unsigned long long)modifier);
	KT_EXPECT_RET(kmscap_t_release(cl, ev.seq), 0, "RELEASE");
}

/* A display created with the 1.0 structure: linear only, as before. */
static void kmscap_old_create(int ctl, int vgem)
{
	struct kmscap_create_v10 c = { .width = W, .height = H, .refresh_mhz = 60000 };
	const uint64_t linear = DRM_FORMAT_MOD_LINEAR;
	struct kmscap_vgem_fb v;
	struct kmscap_t_kms k;
	uint32_t fb_id;
	int r;

	r = kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_CREATE_V10, &c);
	KT_ASSERT(!r, "CREATE with the 24-byte 1.0 structure: %s", kmscap_t_errname(r));
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_check_in_formats(&k, k.primary_id, "1.0 display's primary", &linear, 1);
	kmscap_vgem_import(vgem, &k, &v);
	KT_EXPECT_RET(kmscap_addfb_mod(&k, v.handle, v.vgem.pitch, I915_FORMAT_MOD_X_TILED,
				       &fb_id), -EINVAL,
		      "1.0 display: ADDFB2 of an imported buffer with X_TILED");
	drmCloseBufferHandle(k.fd, v.handle);
	close(v.prime_fd);
	kmscap_t_buf_destroy(&v.vgem);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY of the 1.0 display");
}

int main(void)
{
	const uint64_t want[] = { DRM_FORMAT_MOD_LINEAR, I915_FORMAT_MOD_X_TILED,
				  I915_FORMAT_MOD_Y_TILED };
	struct kmscap_display_create c;
	struct kmscap_vgem_fb v;
	struct kmscap_t_buf dumb;
	struct kmscap_t_maps maps;
	struct kmscap_version ver;
	struct kmscap_t_kms k;
	uint32_t fb_tiled, fb_id;
	int ctl, vgem, cl, r;

	kmscap_t_init("create_modifiers", 100);
	ctl = kmscap_t_open_ctl_or_skip();
	r = kmscap_t_version(ctl, &ver);
	KT_ASSERT(!r, "VERSION: %s", kmscap_t_errname(r));
	KT_ASSERT(ver.caps & KMSCAP_CAP_MODIFIERS, "VERSION caps 0x%llx lack "
		  "KMSCAP_CAP_MODIFIERS", (unsigned long long)ver.caps);
	vgem = kmscap_t_open_driver("vgem");
	if (vgem < 0)
		kmscap_t_skip("no DRM card with driver name 'vgem' (vgem.ko not loaded)");

	kmscap_bad_lists(ctl);

	r = kmscap_create_mods(ctl, kmscap_listed, 3, 0, &c);
	KT_ASSERT(!r, "CREATE listing X_TILED, Y_TILED and LINEAR: %s", kmscap_t_errname(r));
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_check_in_formats(&k, k.primary_id, "primary", want, 3);
	kmscap_check_in_formats(&k, k.cursor_id, "cursor", want, 1);

	/* The display's own dumb buffers stay linear. */
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &dumb);
	kmscap_t_fill(dumb.map, dumb.pitch, W, H, 0x5151);
	KT_EXPECT_RET(kmscap_addfb_mod(&k, dumb.handle, dumb.pitch, I915_FORMAT_MOD_X_TILED,
				       &fb_id), -EINVAL, "ADDFB2 of a dumb buffer with X_TILED");

	/* X-tiled bytes in a vgem buffer: passed on as they are. */
	kmscap_vgem_import(vgem, &k, &v);
	kmscap_t_fill(v.vgem.map, v.vgem.pitch, W, H, 0x7171);
	KT_EXPECT_RET(kmscap_addfb_mod(&k, v.handle, v.vgem.pitch, NOT_LISTED, &fb_id), -EINVAL,
		      "ADDFB2 of an imported buffer with 4_TILED (not listed)");
	r = kmscap_addfb_mod(&k, v.handle, v.vgem.pitch, I915_FORMAT_MOD_X_TILED, &fb_tiled);
	KT_ASSERT(!r, "card%u: ADDFB2 of the imported buffer with X_TILED: %s", k.minor,
		  kmscap_t_errname(r));

	cl = kmscap_t_client_or_die(c.id, 0, 1000000000ull);
	kmscap_t_maps_init(&maps, cl);
	r = kmscap_t_modeset(&k, fb_tiled);
	KT_ASSERT(!r, "card%u: modeset with the X-tiled fb: %s", k.minor, kmscap_t_errname(r));
	kmscap_check_event(cl, I915_FORMAT_MOD_X_TILED, v.vgem.pitch, &maps, &v.vgem);
	r = kmscap_t_flip(&k, dumb.fb_id, 2000);
	KT_ASSERT(!r, "flip to the linear dumb buffer: %s", kmscap_t_errname(r));
	kmscap_check_event(cl, DRM_FORMAT_MOD_LINEAR, dumb.pitch, &maps, &dumb);
	r = kmscap_t_flip(&k, fb_tiled, 2000);
	KT_ASSERT(!r, "flip back to the X-tiled fb: %s", kmscap_t_errname(r));
	kmscap_check_event(cl, I915_FORMAT_MOD_X_TILED, v.vgem.pitch, &maps, &v.vgem);

	r = kmscap_t_flip(&k, dumb.fb_id, 2000);
	KT_ASSERT(!r, "flip to the dumb buffer: %s", kmscap_t_errname(r));
	kmscap_t_maps_fini(&maps);
	close(cl);
	drmModeRmFB(k.fd, fb_tiled);
	drmCloseBufferHandle(k.fd, v.handle);
	close(v.prime_fd);
	kmscap_t_buf_destroy(&v.vgem);
	kmscap_t_buf_destroy(&dumb);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");

	kmscap_old_create(ctl, vgem);
	close(vgem);
	close(ctl);
	kmscap_t_pass("CREATE's modifiers: advertised, taken for imports, reported, refused "
		      "otherwise; 1.0 CREATE linear");
}
