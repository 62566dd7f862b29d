// SPDX-License-Identifier: MIT
/*
 * va_vgem: the VM half of the vadriver VM test (make -C tests/vadriver vm-check).
 *
 *   va_vgem VADRIVER_DIR
 *
 * For every case of va_vgem.h: two dumb buffers on vgem's card node, each
 * exported with drmPrimeHandleToFD and imported once into the kmscap_test VA
 * driver (VADRIVER_DIR/kmscap_test_drv_video.so, on vgem's render node with
 * vaGetDisplayDRM), then frame n is drawn into buffer n % 2 through vgem's
 * mapping, converted with VPP and encoded as H.264, or converted to P010 and
 * read back with vaGetImage.  The driver must read each frame afresh from the
 * dma-buf: a copy taken at import time would show in the decoded frames.
 *
 * The driver's DMA_BUF_IOCTL_SYNC calls are seen by this program's ioctl()
 * (exported to the dlopen()ed driver: -Wl,--export-dynamic-symbol=ioctl), which
 * counts them per dma-buf with their results.
 *
 * Files in /out (checked by the host half, va_vgem_check.c):
 *   CASE.h264, CASE.p010  the output of each case
 *   results.txt           one line per check done here: "CASE CHECK ok: detail"
 *                         or "CASE CHECK fail: detail"
 *   stderr.txt            this program's stderr: libva's and the driver's messages
 *                         (KMSCAP_VA_DEBUG=1); it must hold none of the driver
 *   skip.txt              why the test cannot run in this VM (then nothing else)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <va/va.h>
#include <va/va_drm.h>
#include <va/va_drmcommon.h>
#include <va/va_enc_h264.h>
#include <va/va_vpp.h>

#include "kmscap_test.h"
#include "va_vgem.h"

/* ---- the driver's DMA_BUF_IOCTL_SYNC calls ---------------------------------- */

struct kmscap_vv_syncs {
	dev_t dev;
	ino_t ino;
	unsigned int start, end, failed, not_read;
	int err;		/* errno of the last failed call */
};

#define KMSCAP_VV_MAX_SYNCS 16

/* The driver runs in this thread only (vaEndPicture is synchronous). */
static struct kmscap_vv_syncs kmscap_vv_sync_tab[KMSCAP_VV_MAX_SYNCS];
static unsigned int kmscap_vv_sync_unknown;	/* on files not in the table */

static void kmscap_vv_note_sync(int fd, const struct dma_buf_sync *s, int err)
{
	struct stat st;
	unsigned int i;

	if (fstat(fd, &st)) {
		kmscap_vv_sync_unknown++;
		return;
	}
	for (i = 0; i < KMSCAP_VV_MAX_SYNCS; i++) {
		struct kmscap_vv_syncs *t = &kmscap_vv_sync_tab[i];

		if (t->dev != st.st_dev || t->ino != st.st_ino)
			continue;
		if (err) {
			t->failed++;
			t->err = err;
		} else if (s->flags & DMA_BUF_SYNC_END) {
			t->end++;
		} else {
			t->start++;
		}
		if (!(s->flags & DMA_BUF_SYNC_READ))
			t->not_read++;
		return;
	}
	kmscap_vv_sync_unknown++;
}

/* Every ioctl() of the process, the driver's included, comes through here. */
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	long r;
	int err;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	r = syscall(SYS_ioctl, fd, req, arg);
	if (req == DMA_BUF_IOCTL_SYNC) {
		err = r < 0 ? errno : 0;
		kmscap_vv_note_sync(fd, arg, err);
		errno = err;
	}
	return (int)r;
}

/* The test's own CPU access: straight to the kernel, not counted. */
static int kmscap_vv_own_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return syscall(SYS_ioctl, fd, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
}

static struct kmscap_vv_syncs *kmscap_vv_watch(int fd)
{
	struct stat st;
	unsigned int i;

	if (fstat(fd, &st))
		return NULL;
	for (i = 0; i < KMSCAP_VV_MAX_SYNCS; i++) {
		struct kmscap_vv_syncs *t = &kmscap_vv_sync_tab[i];

		if (!t->ino) {
			memset(t, 0, sizeof(*t));
			t->dev = st.st_dev;
			t->ino = st.st_ino;
			return t;
		}
	}
	return NULL;
}

static void kmscap_vv_unwatch(struct kmscap_vv_syncs *t)
{
	if (t)
		memset(t, 0, sizeof(*t));
}

/* ---- results ------------------------------------------------------------------ */

static FILE *kmscap_vv_results;
static unsigned int kmscap_vv_failures;

static bool kmscap_vv_result(const char *cname, const char *check, bool ok, const char *fmt,
			     ...) __attribute__((format(printf, 4, 5)));

static bool kmscap_vv_result(const char *cname, const char *check, bool ok, const char *fmt,
			     ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(kmscap_vv_results, "%s %s %s: %s\n", cname, check, ok ? "ok" : "fail", msg);
	fflush(kmscap_vv_results);
	kmscap_t_log("%s %s: %s: %s", cname, check, ok ? "ok" : "FAIL", msg);
	if (!ok)
		kmscap_vv_failures++;
	return ok;
}

/* Skip, and tell the host half why (/out/skip.txt). */
static void kmscap_vv_skip_all(const char *why)
{
	FILE *f = fopen("/out/skip.txt", "w");

	if (f) {
		fprintf(f, "%s\n", why);
		fclose(f);
	}
	kmscap_t_skip("%s", why);
}

/*
 * The driver's log (KMSCAP_VA_DEBUG=1: every rejection with its reason, and
 * the objects left at vaTerminate) goes to stderr, which is this file.
 */
#define KMSCAP_VV_STDERR "/out/stderr.txt"

static void kmscap_vv_capture_stderr(void)
{
	int fd = open(KMSCAP_VV_STDERR, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
		kmscap_t_fail("%s: %s", KMSCAP_VV_STDERR, strerror(errno));
	close(fd);
	setvbuf(stderr, NULL, _IONBF, 0);
}

/* Copy the captured stderr to the log; the driver must have said nothing. */
static void kmscap_vv_check_driver_log(void)
{
	char line[512], first[512] = "";
	unsigned int lines = 0, driver = 0;
	FILE *f = fopen(KMSCAP_VV_STDERR, "r");

	if (!f) {
		kmscap_vv_result("all", "driver-log", false, "%s: %s", KMSCAP_VV_STDERR,
				 strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		kmscap_t_log("stderr: %s", line);
		lines++;
		if (!strncmp(line, "kmscap_va:", 10) && !driver++)
			snprintf(first, sizeof(first), "%s", line);
	}
	fclose(f);
	kmscap_vv_result("all", "driver-log", !driver,
			 "KMSCAP_VA_DEBUG=1: %u line(s) of the driver (rejections, objects left "
			 "at vaTerminate) in %u line(s) of stderr%s%s", driver, lines,
			 driver ? "; first: " : "", first);
}

/* ---- devices ------------------------------------------------------------------ */

static char kmscap_vv_render_path[64];

/* "exp_name" and "size" of a dma-buf from /proc/self/fdinfo. */
static int kmscap_vv_fdinfo(int fd, char *exp_name, size_t len, unsigned long long *size)
{
	char path[64], line[256];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "exp_name:", 9)) {
			snprintf(exp_name, len, "%s", line + 9 + strspn(line + 9, " \t"));
			exp_name[strcspn(exp_name, "\n")] = '\0';
			found |= 1;
		} else if (!strncmp(line, "size:", 5)) {
			*size = strtoull(line + 5, NULL, 10);
			found |= 2;
		}
	}
	fclose(f);
	return found == 3 ? 0 : -ENOENT;
}

/* ---- one case ----------------------------------------------------------------- */

struct kmscap_vv_run {
	const struct kmscap_vv_case *c;
	int card;
	VADisplay dpy;
	struct kmscap_t_buf buf[KMSCAP_VV_BUFS];
	int fd[KMSCAP_VV_BUFS];
	struct kmscap_vv_syncs *sync[KMSCAP_VV_BUFS];
	VASurfaceID rgb[KMSCAP_VV_BUFS];
	VASurfaceID yuv, recon[2];
	VAConfigID vpp_cfg, enc_cfg;
	VAContextID vpp_ctx, enc_ctx;
	VABufferID coded;
	unsigned int coded_size;
	FILE *out;
	char out_path[96];
};

static unsigned int kmscap_vv_va_fourcc(uint32_t drm)
{
	switch (drm) {
	case DRM_FORMAT_XRGB8888:
		return VA_FOURCC_BGRX;
	case DRM_FORMAT_XBGR8888:
		return VA_FOURCC_RGBX;
	case DRM_FORMAT_XRGB2101010:
		return VA_FOURCC_X2R10G10B10;
	default:
		return 0;
	}
}

static bool kmscap_vv_ten_bit(uint32_t drm)
{
	return drm == DRM_FORMAT_XRGB2101010;
}

/* The 32-bit word of picture pixel (x, y) of frame n in format @drm. */
static uint32_t kmscap_vv_word(uint32_t drm, unsigned int n, unsigned int x, unsigned int y,
			       unsigned int w, unsigned int h)
{
	unsigned int c[3];
	uint32_t j = kmscap_vv_junk(n, x, y);

	kmscap_vv_rgb10(n, x, y, w, h, c);
	switch (drm) {
	case DRM_FORMAT_XRGB8888:
		return j << 24 | (c[0] >> 2) << 16 | (c[1] >> 2) << 8 | c[2] >> 2;
	case DRM_FORMAT_XBGR8888:
		return j << 24 | (c[2] >> 2) << 16 | (c[1] >> 2) << 8 | c[0] >> 2;
	default: /* XRGB2101010 */
		return (j & 3) << 30 | c[0] << 20 | c[1] << 10 | c[2];
	}
}

/*
 * Draw frame @n into buffer @b through vgem's mapping, bracketed by the
 * test's own DMA_BUF_IOCTL_SYNC on the exported fd.  Rows and columns
 * outside the picture get junk: a wrong pitch or offset reads it.
 */
static int kmscap_vv_draw(struct kmscap_vv_run *r, unsigned int b, unsigned int n)
{
	const struct kmscap_vv_case *c = r->c;
	struct kmscap_t_buf *kb = &r->buf[b];
	unsigned int x, y;
	int ret;

	ret = kmscap_vv_own_sync(r->fd[b], DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	if (ret)
		return ret;
	for (y = 0; y < kb->height; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)kb->map + (size_t)y * kb->pitch);
		bool in = y >= c->row0 && y < c->row0 + c->h;

		for (x = 0; x < kb->pitch / 4; x++)
			row[x] = in && x < c->w ?
				 kmscap_vv_word(c->drm_format, n, x, y - c->row0, c->w, c->h) :
				 kmscap_vv_hash(n + 1000, x, y);
	}
	return kmscap_vv_own_sync(r->fd[b], DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

static bool kmscap_vv_export(struct kmscap_vv_run *r)
{
	const struct kmscap_vv_case *c = r->c;
	unsigned long long size = 0;
	char exp_name[64] = "";
	unsigned int b;
	uint32_t handle = 0;
	int ret;

	for (b = 0; b < KMSCAP_VV_BUFS; b++) {
		struct kmscap_t_buf *kb = &r->buf[b];

		ret = kmscap_t_buf_create(r->card, c->buf_w, c->buf_h, c->drm_format, false, kb);
		if (ret)
			return kmscap_vv_result(c->name, "export", false,
						"vgem dumb buffer %ux%u %.4s: %s", c->buf_w,
						c->buf_h, (const char *)&c->drm_format,
						kmscap_t_errname(ret));
		if (drmPrimeHandleToFD(r->card, kb->handle, DRM_CLOEXEC, &r->fd[b]))
			return kmscap_vv_result(c->name, "export", false,
						"vgem: drmPrimeHandleToFD of handle %u: %s",
						kb->handle, strerror(errno));
		ret = kmscap_vv_fdinfo(r->fd[b], exp_name, sizeof(exp_name), &size);
		if (ret || strcmp(exp_name, "drm") || size != kb->size)
			return kmscap_vv_result(c->name, "export", false,
						"fd %d is not the vgem buffer's dma-buf: "
						"fdinfo %s, exp_name '%s', size %llu "
						"(buffer %llu)", r->fd[b],
						kmscap_t_errname(ret), exp_name, size,
						(unsigned long long)kb->size);
		/* the same object: importing it back on vgem gives the same handle */
		if (drmPrimeFDToHandle(r->card, r->fd[b], &handle) || handle != kb->handle)
			return kmscap_vv_result(c->name, "export", false,
						"vgem: dma-buf fd %d imports as handle %u, "
						"not %u: %s", r->fd[b], handle, kb->handle,
						strerror(errno));
		r->sync[b] = kmscap_vv_watch(r->fd[b]);
		if (!r->sync[b])
			return kmscap_vv_result(c->name, "export", false,
						"cannot watch dma-buf fd %d: %s", r->fd[b],
						strerror(errno));
	}
	return kmscap_vv_result(c->name, "export", true,
				"%u vgem dumb buffers %ux%u %.4s, pitch %u, exported as dma-bufs "
				"(exp_name %s, %llu bytes)", KMSCAP_VV_BUFS, c->buf_w, c->buf_h,
				(const char *)&c->drm_format, r->buf[0].pitch, exp_name, size);
}

static VAStatus kmscap_vv_import_one(struct kmscap_vv_run *r, unsigned int b)
{
	const struct kmscap_vv_case *c = r->c;
	unsigned int fourcc = kmscap_vv_va_fourcc(c->drm_format);
	unsigned int rt = kmscap_vv_ten_bit(c->drm_format) ? VA_RT_FORMAT_RGB32_10 :
							     VA_RT_FORMAT_RGB32;
	uint32_t offset = c->row0 * r->buf[b].pitch;
	VADRMPRIMESurfaceDescriptor d;
	VASurfaceAttribExternalBuffers eb;
	uintptr_t handle = (uintptr_t)r->fd[b];
	VASurfaceAttrib a[2] = {
		{ .type = VASurfaceAttribMemoryType, .flags = VA_SURFACE_ATTRIB_SETTABLE,
		  .value = { .type = VAGenericValueTypeInteger } },
		{ .type = VASurfaceAttribExternalBufferDescriptor,
		  .flags = VA_SURFACE_ATTRIB_SETTABLE,
		  .value = { .type = VAGenericValueTypePointer } },
	};

	if (c->legacy_prime) {
		memset(&eb, 0, sizeof(eb));
		eb.pixel_format = fourcc;
		eb.width = c->w;
		eb.height = c->h;
		eb.data_size = (uint32_t)r->buf[b].size;
		eb.num_planes = 1;
		eb.pitches[0] = r->buf[b].pitch;
		eb.offsets[0] = offset;
		eb.buffers = &handle;
		eb.num_buffers = 1;
		a[0].value.value.i = VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME;
		a[1].value.value.p = &eb;
	} else {
		memset(&d, 0, sizeof(d));
		d.fourcc = fourcc;
		d.width = c->w;
		d.height = c->h;
		d.num_objects = 1;
		d.objects[0].fd = r->fd[b];
		d.objects[0].size = (uint32_t)r->buf[b].size;
		d.objects[0].drm_format_modifier = DRM_FORMAT_MOD_LINEAR;
		d.num_layers = 1;
		d.layers[0].drm_format = c->drm_format;
		d.layers[0].num_planes = 1;
		d.layers[0].offset[0] = offset;
		d.layers[0].pitch[0] = r->buf[b].pitch;
		a[0].value.value.i = VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2;
		a[1].value.value.p = &d;
	}
	return vaCreateSurfaces(r->dpy, rt, c->w, c->h, &r->rgb[b], 1, a, 2);
}

static bool kmscap_vv_import(struct kmscap_vv_run *r)
{
	const struct kmscap_vv_case *c = r->c;
	const char *mem = c->legacy_prime ? "DRM_PRIME" : "DRM_PRIME_2";
	unsigned int b;
	VAStatus st;

	for (b = 0; b < KMSCAP_VV_BUFS; b++) {
		st = kmscap_vv_import_one(r, b);
		if (st != VA_STATUS_SUCCESS)
			return kmscap_vv_result(c->name, "import", false,
						"vaCreateSurfaces with %s of dma-buf fd %d (%.4s, "
						"pitch %u, offset %u): %s", mem, r->fd[b],
						(const char *)&c->drm_format, r->buf[b].pitch,
						c->row0 * r->buf[b].pitch, vaErrorStr(st));
	}
	return kmscap_vv_result(c->name, "import", true,
				"%u dma-bufs imported with %s as %ux%u surfaces (offset %u)",
				KMSCAP_VV_BUFS, mem, c->w, c->h, c->row0 * r->buf[0].pitch);
}

static VAStatus kmscap_vv_setup(struct kmscap_vv_run *r)
{
	const struct kmscap_vv_case *c = r->c;
	bool p010 = c->out == KMSCAP_VV_P010;
	VASurfaceAttrib a = {
		.type = VASurfaceAttribPixelFormat, .flags = VA_SURFACE_ATTRIB_SETTABLE,
		.value = { .type = VAGenericValueTypeInteger,
			   .value.i = p010 ? VA_FOURCC_P010 : VA_FOURCC_NV12 },
	};
	VAConfigAttrib ea[2] = {
		{ VAConfigAttribRTFormat, VA_RT_FORMAT_YUV420 },
		{ VAConfigAttribRateControl, VA_RC_CQP },
	};
	unsigned int mbs = ((c->w + 15) / 16) * ((c->h + 15) / 16);
	VAProfile profile = c->out == KMSCAP_VV_H264_HIGH ? VAProfileH264High :
							    VAProfileH264ConstrainedBaseline;
	VAStatus st;

	st = vaCreateSurfaces(r->dpy, p010 ? VA_RT_FORMAT_YUV420_10 : VA_RT_FORMAT_YUV420, c->w,
			      c->h, &r->yuv, 1, &a, 1);
	if (st == VA_STATUS_SUCCESS)
		st = vaCreateConfig(r->dpy, VAProfileNone, VAEntrypointVideoProc, NULL, 0,
				    &r->vpp_cfg);
	if (st == VA_STATUS_SUCCESS)
		st = vaCreateContext(r->dpy, r->vpp_cfg, c->w, c->h, VA_PROGRESSIVE, &r->yuv, 1,
				     &r->vpp_ctx);
	if (st != VA_STATUS_SUCCESS || p010)
		return st;
	st = vaCreateSurfaces(r->dpy, VA_RT_FORMAT_YUV420, c->w, c->h, r->recon, 2, &a, 1);
	if (st == VA_STATUS_SUCCESS)
		st = vaCreateConfig(r->dpy, profile, VAEntrypointEncSlice, ea, 2, &r->enc_cfg);
	if (st == VA_STATUS_SUCCESS)
		st = vaCreateContext(r->dpy, r->enc_cfg, c->w, c->h, VA_PROGRESSIVE, r->recon, 2,
				     &r->enc_ctx);
	r->coded_size = mbs * 400 + 8192;
	if (st == VA_STATUS_SUCCESS)
		st = vaCreateBuffer(r->dpy, r->enc_ctx, VAEncCodedBufferType, r->coded_size, 1,
				    NULL, &r->coded);
	return st;
}

/* One VA picture: the buffers are created, rendered and destroyed. */
static VAStatus kmscap_vv_picture(struct kmscap_vv_run *r, VAContextID ctx, VASurfaceID target,
				  const VABufferType *types, void *const *data,
				  const unsigned int *sizes, unsigned int n)
{
	VABufferID ids[4];
	unsigned int i, made = 0;
	VAStatus st = VA_STATUS_SUCCESS, st2;

	for (i = 0; i < n && st == VA_STATUS_SUCCESS; i++) {
		st = vaCreateBuffer(r->dpy, ctx, types[i], sizes[i], 1, data[i], &ids[i]);
		if (st == VA_STATUS_SUCCESS)
			made++;
	}
	if (st == VA_STATUS_SUCCESS)
		st = vaBeginPicture(r->dpy, ctx, target);
	if (st == VA_STATUS_SUCCESS) {
		st = vaRenderPicture(r->dpy, ctx, ids, n);
		st2 = vaEndPicture(r->dpy, ctx);
		if (st == VA_STATUS_SUCCESS)
			st = st2;
	}
	if (st == VA_STATUS_SUCCESS)
		st = vaSyncSurface(r->dpy, target);
	for (i = 0; i < made; i++)
		vaDestroyBuffer(r->dpy, ids[i]);
	return st;
}

static VAStatus kmscap_vv_vpp(struct kmscap_vv_run *r, unsigned int b)
{
	VAProcPipelineParameterBuffer p;
	VABufferType type = VAProcPipelineParameterBufferType;
	unsigned int size = sizeof(p);
	void *data = &p;

	memset(&p, 0, sizeof(p));
	p.surface = r->rgb[b];
	p.surface_color_standard = VAProcColorStandardBT709;
	p.output_color_standard = VAProcColorStandardBT709;
	return kmscap_vv_picture(r, r->vpp_ctx, r->yuv, &type, &data, &size, 1);
}

static void kmscap_vv_no_pic(VAPictureH264 *p)
{
	memset(p, 0, sizeof(*p));
	p->picture_id = VA_INVALID_SURFACE;
	p->flags = VA_PICTURE_H264_INVALID;
}

/* Encode r->yuv as frame @n: IDR for n == 0, else P referring to frame n - 1. */
static VAStatus kmscap_vv_encode(struct kmscap_vv_run *r, unsigned int n, size_t *bytes)
{
	const struct kmscap_vv_case *c = r->c;
	unsigned int wmb = (c->w + 15) / 16, hmb = (c->h + 15) / 16, i;
	bool high = c->out == KMSCAP_VV_H264_HIGH;
	VAEncSequenceParameterBufferH264 seq;
	VAEncPictureParameterBufferH264 pic;
	VAEncSliceParameterBufferH264 slice;
	VABufferType types[3] = { VAEncPictureParameterBufferType,
				  VAEncSliceParameterBufferType,
				  VAEncSequenceParameterBufferType };
	void *data[3] = { &pic, &slice, &seq };
	unsigned int sizes[3] = { sizeof(pic), sizeof(slice), sizeof(seq) };
	VACodedBufferSegment *seg;
	VAPictureH264 ref;
	VAStatus st;

	memset(&seq, 0, sizeof(seq));
	seq.level_idc = 30;
	seq.intra_period = 0;
	seq.intra_idr_period = 0;
	seq.ip_period = 1;
	seq.max_num_ref_frames = 1;
	seq.picture_width_in_mbs = wmb;
	seq.picture_height_in_mbs = hmb;
	seq.seq_fields.bits.chroma_format_idc = 1;
	seq.seq_fields.bits.frame_mbs_only_flag = 1;
	seq.seq_fields.bits.direct_8x8_inference_flag = 1;
	seq.seq_fields.bits.log2_max_frame_num_minus4 = 0;
	seq.seq_fields.bits.pic_order_cnt_type = 0;
	seq.seq_fields.bits.log2_max_pic_order_cnt_lsb_minus4 = 2;
	if (wmb * 16 != c->w || hmb * 16 != c->h) {
		/* 4:2:0 frame: the offsets count in pairs of samples */
		seq.frame_cropping_flag = 1;
		seq.frame_crop_right_offset = (wmb * 16 - c->w) / 2;
		seq.frame_crop_bottom_offset = (hmb * 16 - c->h) / 2;
	}

	kmscap_vv_no_pic(&ref);
	if (n) {
		ref.picture_id = r->recon[(n - 1) % 2];
		ref.frame_idx = n - 1;
		ref.flags = VA_PICTURE_H264_SHORT_TERM_REFERENCE;
		ref.TopFieldOrderCnt = 2 * (n - 1);
		ref.BottomFieldOrderCnt = 2 * (n - 1);
	}
	memset(&pic, 0, sizeof(pic));
	pic.CurrPic.picture_id = r->recon[n % 2];
	pic.CurrPic.frame_idx = n;
	pic.CurrPic.TopFieldOrderCnt = 2 * n;
	pic.CurrPic.BottomFieldOrderCnt = 2 * n;
	for (i = 0; i < 16; i++)
		kmscap_vv_no_pic(&pic.ReferenceFrames[i]);
	pic.ReferenceFrames[0] = ref;
	pic.coded_buf = r->coded;
	pic.frame_num = n;
	pic.pic_init_qp = 26;
	pic.pic_fields.bits.idr_pic_flag = !n;
	pic.pic_fields.bits.reference_pic_flag = 1;
	pic.pic_fields.bits.entropy_coding_mode_flag = high;
	pic.pic_fields.bits.deblocking_filter_control_present_flag = 1;

	memset(&slice, 0, sizeof(slice));
	slice.num_macroblocks = wmb * hmb;
	slice.macroblock_info = VA_INVALID_ID;
	slice.slice_type = n ? 0 : 2;	/* P : I */
	slice.pic_order_cnt_lsb = 2 * n;
	for (i = 0; i < 32; i++) {
		kmscap_vv_no_pic(&slice.RefPicList0[i]);
		kmscap_vv_no_pic(&slice.RefPicList1[i]);
	}
	slice.RefPicList0[0] = ref;

	/* the sequence parameters with the IDR only */
	st = kmscap_vv_picture(r, r->enc_ctx, r->yuv, types, data, sizes, n ? 2 : 3);
	if (st != VA_STATUS_SUCCESS)
		return st;
	st = vaMapBuffer(r->dpy, r->coded, (void **)&seg);
	if (st != VA_STATUS_SUCCESS)
		return st;
	for (*bytes = 0; seg; seg = seg->next) {
		if (seg->status & VA_CODED_BUF_STATUS_SLICE_OVERFLOW_MASK ||
		    fwrite(seg->buf, 1, seg->size, r->out) != seg->size) {
			st = VA_STATUS_ERROR_OPERATION_FAILED;
			break;
		}
		*bytes += seg->size;
	}
	vaUnmapBuffer(r->dpy, r->coded);
	return st;
}

/* Read r->yuv (P010) back with vaGetImage; write it tightly packed. */
static VAStatus kmscap_vv_read_p010(struct kmscap_vv_run *r, size_t *bytes)
{
	const struct kmscap_vv_case *c = r->c;
	VAImageFormat fmt = { .fourcc = VA_FOURCC_P010, .byte_order = VA_LSB_FIRST,
			      .bits_per_pixel = 24 };
	unsigned int y;
	VAImage img;
	uint8_t *p;
	VAStatus st;

	*bytes = 0;
	st = vaCreateImage(r->dpy, &fmt, c->w, c->h, &img);
	if (st != VA_STATUS_SUCCESS)
		return st;
	st = vaGetImage(r->dpy, r->yuv, 0, 0, c->w, c->h, img.image_id);
	if (st == VA_STATUS_SUCCESS)
		st = vaMapBuffer(r->dpy, img.buf, (void **)&p);
	if (st == VA_STATUS_SUCCESS) {
		for (y = 0; y < c->h; y++)
			*bytes += fwrite(p + img.offsets[0] + (size_t)y * img.pitches[0], 1,
					 2 * c->w, r->out);
		for (y = 0; y < c->h / 2; y++)
			*bytes += fwrite(p + img.offsets[1] + (size_t)y * img.pitches[1], 1,
					 2 * c->w, r->out);
		vaUnmapBuffer(r->dpy, img.buf);
		if (*bytes != (size_t)c->w * c->h * 3)
			st = VA_STATUS_ERROR_OPERATION_FAILED;
	}
	vaDestroyImage(r->dpy, img.image_id);
	return st;
}

static bool kmscap_vv_frames(struct kmscap_vv_run *r)
{
	const struct kmscap_vv_case *c = r->c;
	bool p010 = c->out == KMSCAP_VV_P010;
	const char *check = p010 ? "vpp-p010" : "vpp-encode";
	unsigned int n, b, before;
	size_t bytes, total = 0;
	VAStatus st;
	int ret;

	st = kmscap_vv_setup(r);
	if (st != VA_STATUS_SUCCESS)
		return kmscap_vv_result(c->name, check, false,
					"surfaces, configs and contexts %ux%u: %s", c->w, c->h,
					vaErrorStr(st));
	snprintf(r->out_path, sizeof(r->out_path), "/out/%s.%s", c->name,
		 p010 ? "p010" : "h264");
	r->out = fopen(r->out_path, "wb");
	if (!r->out)
		return kmscap_vv_result(c->name, check, false, "%s: %s", r->out_path,
					strerror(errno));
	for (n = 0; n < c->frames; n++) {
		b = n % KMSCAP_VV_BUFS;
		ret = kmscap_vv_draw(r, b, n);
		if (ret)
			return kmscap_vv_result(c->name, check, false,
						"frame %u: DMA_BUF_IOCTL_SYNC (write) on dma-buf "
						"fd %d: %s", n, r->fd[b], kmscap_t_errname(ret));
		before = r->sync[b]->start;
		st = kmscap_vv_vpp(r, b);
		if (st != VA_STATUS_SUCCESS)
			return kmscap_vv_result(c->name, check, false,
						"frame %u: VPP of the surface of dma-buf fd %d: %s",
						n, r->fd[b], vaErrorStr(st));
		/* the conversion read the buffer: it must have synced it */
		if (r->sync[b]->start == before)
			return kmscap_vv_result(c->name, check, false,
						"frame %u: VPP read dma-buf fd %d without "
						"DMA_BUF_IOCTL_SYNC START", n, r->fd[b]);
		st = p010 ? kmscap_vv_read_p010(r, &bytes) : kmscap_vv_encode(r, n, &bytes);
		if (st != VA_STATUS_SUCCESS)
			return kmscap_vv_result(c->name, check, false, "frame %u: %s: %s", n,
						p010 ? "vaGetImage of the P010 surface" :
						       "H.264 encode", vaErrorStr(st));
		total += bytes;
	}
	if (fclose(r->out)) {
		r->out = NULL;
		return kmscap_vv_result(c->name, check, false, "%s: %s", r->out_path,
					strerror(errno));
	}
	r->out = NULL;
	return kmscap_vv_result(c->name, check, true, "%u frames, %zu bytes in %s", c->frames,
				total, r->out_path);
}

/*
 * The driver's DMA_BUF_IOCTL_SYNC on each dma-buf: every call succeeded,
 * all of them READ, START and END paired, one pair at import and at least
 * one per conversion of the buffer.
 */
static void kmscap_vv_check_sync(struct kmscap_vv_run *r)
{
	const struct kmscap_vv_case *c = r->c;
	char msg[400];
	size_t len = 0;
	unsigned int b, uses;
	bool ok = true;

	for (b = 0; b < KMSCAP_VV_BUFS; b++) {
		const struct kmscap_vv_syncs *t = r->sync[b];

		uses = 1 + (c->frames + KMSCAP_VV_BUFS - 1 - b) / KMSCAP_VV_BUFS;
		if (t->failed || t->not_read || t->start != t->end || t->start < uses)
			ok = false;
		len += (size_t)snprintf(msg + len, sizeof(msg) - len,
					"%sdma-buf fd %d: %u START + %u END READ (at least %u "
					"expected), %u not READ, %u failed%s%s", b ? "; " : "",
					r->fd[b], t->start, t->end, uses, t->not_read, t->failed,
					t->failed ? ", last: " : "",
					t->failed ? strerror(t->err) : "");
		if (len >= sizeof(msg))
			break;
	}
	kmscap_vv_result(c->name, "dmabuf-sync", ok, "%s", msg);
}

static void kmscap_vv_cleanup(struct kmscap_vv_run *r)
{
	unsigned int b;

	if (r->out)
		fclose(r->out);
	if (r->coded != VA_INVALID_ID)
		vaDestroyBuffer(r->dpy, r->coded);
	if (r->enc_ctx != VA_INVALID_ID)
		vaDestroyContext(r->dpy, r->enc_ctx);
	if (r->enc_cfg != VA_INVALID_ID)
		vaDestroyConfig(r->dpy, r->enc_cfg);
	if (r->vpp_ctx != VA_INVALID_ID)
		vaDestroyContext(r->dpy, r->vpp_ctx);
	if (r->vpp_cfg != VA_INVALID_ID)
		vaDestroyConfig(r->dpy, r->vpp_cfg);
	if (r->recon[0] != VA_INVALID_SURFACE)
		vaDestroySurfaces(r->dpy, r->recon, 2);
	if (r->yuv != VA_INVALID_SURFACE)
		vaDestroySurfaces(r->dpy, &r->yuv, 1);
	for (b = 0; b < KMSCAP_VV_BUFS; b++) {
		if (r->rgb[b] != VA_INVALID_SURFACE)
			vaDestroySurfaces(r->dpy, &r->rgb[b], 1);
		if (r->fd[b] >= 0)
			close(r->fd[b]);
		kmscap_vv_unwatch(r->sync[b]);
		if (r->buf[b].map)
			kmscap_t_buf_destroy(&r->buf[b]);
	}
}

static void kmscap_vv_case(const struct kmscap_vv_case *c, int card, VADisplay dpy)
{
	struct kmscap_vv_run r;
	unsigned int b;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.card = card;
	r.dpy = dpy;
	r.yuv = r.recon[0] = r.recon[1] = VA_INVALID_SURFACE;
	r.vpp_cfg = r.enc_cfg = VA_INVALID_ID;
	r.vpp_ctx = r.enc_ctx = r.coded = VA_INVALID_ID;
	for (b = 0; b < KMSCAP_VV_BUFS; b++) {
		r.fd[b] = -1;
		r.rgb[b] = VA_INVALID_SURFACE;
	}
	if (kmscap_vv_export(&r) && kmscap_vv_import(&r)) {
		kmscap_vv_frames(&r);
		kmscap_vv_check_sync(&r);
	}
	kmscap_vv_cleanup(&r);
}

int main(int argc, char **argv)
{
	int card, render, major = 0, minor = 0;
	const char *vendor;
	unsigned int i;
	VADisplay dpy;
	VAStatus st;

	kmscap_t_init("va_vgem", 280);
	if (argc != 2)
		kmscap_t_fail("usage: va_vgem VADRIVER_DIR");
	mkdir("/out", 0755);
	kmscap_vv_results = fopen("/out/results.txt", "w");
	if (!kmscap_vv_results)
		kmscap_t_fail("/out/results.txt: %s", strerror(errno));
	kmscap_vv_capture_stderr();
	card = kmscap_t_open_driver("vgem");
	render = kmscap_t_open_render("vgem", kmscap_vv_render_path,
				      sizeof(kmscap_vv_render_path));
	if (card < 0 || render < 0)
		kmscap_vv_skip_all("no vgem card and render node in the VM (vgem not loaded?)");

	setenv("LIBVA_DRIVER_NAME", "kmscap_test", 1);
	setenv("LIBVA_DRIVERS_PATH", argv[1], 1);
	setenv("KMSCAP_VA_DEBUG", "1", 1);
	dpy = vaGetDisplayDRM(render);
	st = dpy ? vaInitialize(dpy, &major, &minor) : VA_STATUS_ERROR_INVALID_DISPLAY;
	vendor = st == VA_STATUS_SUCCESS ? vaQueryVendorString(dpy) : NULL;
	if (!kmscap_vv_result("all", "display", vendor && strstr(vendor, "kmscap"),
			      "vaGetDisplayDRM(%s) + vaInitialize with kmscap_test from %s: %s, "
			      "VA-API %d.%d, vendor '%s'", kmscap_vv_render_path, argv[1],
			      vaErrorStr(st), major, minor, vendor ? vendor : "(none)"))
		kmscap_t_fail("no VA display with the kmscap_test driver on %s",
			      kmscap_vv_render_path);

	for (i = 0; i < KMSCAP_VV_NUM_CASES; i++)
		kmscap_vv_case(&kmscap_vv_cases[i], card, dpy);

	vaTerminate(dpy);
	kmscap_vv_check_driver_log();
	close(render);
	close(card);
	fclose(kmscap_vv_results);
	if (kmscap_vv_failures)
		kmscap_t_fail("%u of the checks failed (see /out/results.txt)",
			      kmscap_vv_failures);
	kmscap_t_pass("%u cases: vgem dma-bufs imported, converted and encoded or read back",
		      i);
}
