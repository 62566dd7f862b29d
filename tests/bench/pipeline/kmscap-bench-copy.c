// SPDX-License-Identifier: MIT
/*
 * kmscap-bench-copy: the copy-based baseline of the pipeline bench, what a
 * CPU grabber must do to encode a frame with VA-API: map the frame, copy it
 * into its own memory, release it, convert XRGB8888 to NV12 (BT.709,
 * limited range) on the CPU, upload with vaPutImage and encode H.264 (CQP,
 * I and P pictures, one reference, headers written by the driver).
 *
 *   kmscap-bench-copy --display ID --device RENDER --frames N [-o FILE]
 *
 * It attaches to kmscap display ID (queue depth 64, hold timeout 10 s),
 * exports each buffer once and keeps it mapped, and stops after N encoded
 * frames.  The last line on stdout is one JSON object:
 *   {"type":"summary","encoded":N,"bytes":B,"copy_avg_us":..,"convert_avg_us":..,
 *    "upload_avg_us":..,"encode_avg_us":..,"latency_p50_us":..,"latency_p99_us":..}
 * copy = read the event, sync, memcpy, release; convert = RGB -> NV12 on the
 * CPU; upload = vaPutImage; encode = until the coded data is read (copied
 * out of the coded buffer); latency = the event's flip time to the same
 * point, as kmscap-stream measures them.  Writing the output is not in
 * either.  Errors: one line on stderr
 * naming the device or value, exit 1.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdarg.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <va/va.h>
#include <va/va_drm.h>

#include "kmscap_test.h"

#define KMSCAP_BC_MAX_FRAMES 100000

struct kmscap_bc {
	VADisplay dpy;
	VAConfigID cfg;
	VAContextID ctx;
	VAProfile profile;
	VAEntrypoint entry;
	VASurfaceID src, recon[2];
	VABufferID coded;
	VAImage img;
	uint32_t w, h;
	unsigned int frame_num, n;
};

static void __attribute__((noreturn, format(printf, 1, 2))) kmscap_bc_die(const char *fmt, ...)
{
	va_list ap;

	fputs("kmscap-bench-copy: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

#define KMSCAP_BC_VA(call, what) do {						\
	VAStatus __st = (call);							\
	if (__st != VA_STATUS_SUCCESS)						\
		kmscap_bc_die("%s: %s", (what), vaErrorStr(__st));		\
} while (0)

static void kmscap_bc_open(struct kmscap_bc *e, const char *device)
{
	static const VAProfile prefs[] = { VAProfileH264High, VAProfileH264Main,
					   VAProfileH264ConstrainedBaseline };
	VAEntrypoint ents[16];
	int fd, major, minor, nent, i, j;

	fd = open(device, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		kmscap_bc_die("%s: %s", device, strerror(errno));
	e->dpy = vaGetDisplayDRM(fd);
	if (!e->dpy)
		kmscap_bc_die("%s: vaGetDisplayDRM failed", device);
	KMSCAP_BC_VA(vaInitialize(e->dpy, &major, &minor), device);
	for (i = 0; i < 3 && !e->entry; i++) {
		if (vaQueryConfigEntrypoints(e->dpy, prefs[i], ents, &nent) != VA_STATUS_SUCCESS)
			continue;
		for (j = 0; j < nent; j++) {
			if (ents[j] == VAEntrypointEncSliceLP ||
			    (ents[j] == VAEntrypointEncSlice && !e->entry)) {
				e->entry = ents[j];
				e->profile = prefs[i];
			}
		}
	}
	if (!e->entry)
		kmscap_bc_die("the VA-API driver on %s has no H.264 encode entrypoint", device);
}

/* Surfaces, context and coded buffer for @w x @h (again after a size change). */
static void kmscap_bc_setup(struct kmscap_bc *e, uint32_t w, uint32_t h)
{
	VAConfigAttrib attr[2] = {
		{ .type = VAConfigAttribRTFormat, .value = VA_RT_FORMAT_YUV420 },
		{ .type = VAConfigAttribRateControl, .value = VA_RC_CQP },
	};
	VASurfaceID all[3];
	VAImageFormat fmt = { .fourcc = VA_FOURCC_NV12, .byte_order = VA_LSB_FIRST,
			      .bits_per_pixel = 12 };

	if (e->w) {
		vaDestroyImage(e->dpy, e->img.image_id);
		vaDestroyBuffer(e->dpy, e->coded);
		vaDestroyContext(e->dpy, e->ctx);
		vaDestroySurfaces(e->dpy, &e->src, 1);
		vaDestroySurfaces(e->dpy, e->recon, 2);
		vaDestroyConfig(e->dpy, e->cfg);
	}
	e->w = w;
	e->h = h;
	e->n = 0;
	KMSCAP_BC_VA(vaCreateConfig(e->dpy, e->profile, e->entry, attr, 2, &e->cfg),
		     "vaCreateConfig (H.264 encode, CQP)");
	KMSCAP_BC_VA(vaCreateSurfaces(e->dpy, VA_RT_FORMAT_YUV420, w, h, all, 3, NULL, 0),
		     "vaCreateSurfaces (NV12)");
	e->src = all[0];
	e->recon[0] = all[1];
	e->recon[1] = all[2];
	KMSCAP_BC_VA(vaCreateContext(e->dpy, e->cfg, (int)((w + 15) & ~15u),
				     (int)((h + 15) & ~15u), VA_PROGRESSIVE, all, 3, &e->ctx),
		     "vaCreateContext (encode)");
	KMSCAP_BC_VA(vaCreateBuffer(e->dpy, e->ctx, VAEncCodedBufferType, w * h * 4 + 65536, 1,
				    NULL, &e->coded), "vaCreateBuffer (coded)");
	KMSCAP_BC_VA(vaCreateImage(e->dpy, &fmt, (int)w, (int)h, &e->img), "vaCreateImage (NV12)");
}

/* XRGB8888 -> NV12, BT.709 limited range, into the image's memory. */
static void kmscap_bc_convert(const uint8_t *src, uint32_t pitch, uint32_t w, uint32_t h,
			      uint8_t *dst, const VAImage *img)
{
	uint8_t *ybase = dst + img->offsets[0], *uvbase = dst + img->offsets[1];
	uint32_t x, y;

	for (y = 0; y < h; y++) {
		const uint32_t *row = (const uint32_t *)(src + (size_t)y * pitch);
		uint8_t *yr = ybase + (size_t)y * img->pitches[0];

		for (x = 0; x < w; x++) {
			uint32_t p = row[x];
			int r = p >> 16 & 0xff, g = p >> 8 & 0xff, b = p & 0xff;

			yr[x] = (uint8_t)((47 * r + 157 * g + 16 * b + 128) / 256 + 16);
		}
	}
	for (y = 0; y < h / 2; y++) {
		const uint32_t *r0 = (const uint32_t *)(src + (size_t)(2 * y) * pitch);
		const uint32_t *r1 = (const uint32_t *)(src + (size_t)(2 * y + 1) * pitch);
		uint8_t *uv = uvbase + (size_t)y * img->pitches[1];

		for (x = 0; x < w / 2; x++) {
			uint32_t a = r0[2 * x], b = r0[2 * x + 1], c = r1[2 * x], d = r1[2 * x + 1];
			int r = (int)((a >> 16 & 0xff) + (b >> 16 & 0xff) + (c >> 16 & 0xff) +
				      (d >> 16 & 0xff) + 2) / 4;
			int g = (int)((a >> 8 & 0xff) + (b >> 8 & 0xff) + (c >> 8 & 0xff) +
				      (d >> 8 & 0xff) + 2) / 4;
			int bl = (int)((a & 0xff) + (b & 0xff) + (c & 0xff) + (d & 0xff) + 2) / 4;

			uv[2 * x] = (uint8_t)((-26 * r - 86 * g + 112 * bl + 128) / 256 + 128);
			uv[2 * x + 1] = (uint8_t)((112 * r - 102 * g - 10 * bl + 128) / 256 + 128);
		}
	}
}

static VABufferID kmscap_bc_buf(struct kmscap_bc *e, VABufferType type, unsigned int size,
				void *data)
{
	VABufferID id;

	KMSCAP_BC_VA(vaCreateBuffer(e->dpy, e->ctx, type, size, 1, data, &id), "vaCreateBuffer");
	return id;
}

static void kmscap_bc_invalid(VAPictureH264 *p)
{
	memset(p, 0, sizeof(*p));
	p->picture_id = VA_INVALID_SURFACE;
	p->flags = VA_PICTURE_H264_INVALID;
}

/*
 * Encode e->src; the coded data is copied into *@buf (grown as needed),
 * as kmscap-stream copies it into its output unit.  Returns its size.
 */
static size_t kmscap_bc_encode(struct kmscap_bc *e, uint8_t **buf, size_t *cap)
{
	VAEncSequenceParameterBufferH264 seq;
	VAEncPictureParameterBufferH264 pic;
	VAEncSliceParameterBufferH264 slice;
	unsigned int wmb = (e->w + 15) / 16, hmb = (e->h + 15) / 16, i, nb = 0;
	bool idr = e->n == 0;
	unsigned int cur = e->n % 2;
	VACodedBufferSegment *seg;
	VABufferID ids[4];
	size_t size = 0;

	memset(&seq, 0, sizeof(seq));
	seq.level_idc = wmb * hmb <= 8192 ? 42 : 52;
	seq.ip_period = 1;
	seq.max_num_ref_frames = 1;
	seq.picture_width_in_mbs = (uint16_t)wmb;
	seq.picture_height_in_mbs = (uint16_t)hmb;
	seq.seq_fields.bits.chroma_format_idc = 1;
	seq.seq_fields.bits.frame_mbs_only_flag = 1;
	seq.seq_fields.bits.direct_8x8_inference_flag = 1;
	seq.seq_fields.bits.log2_max_frame_num_minus4 = 4;
	seq.seq_fields.bits.pic_order_cnt_type = 2;
	if (wmb * 16 != e->w || hmb * 16 != e->h) {
		seq.frame_cropping_flag = 1;
		seq.frame_crop_right_offset = (wmb * 16 - e->w) / 2;
		seq.frame_crop_bottom_offset = (hmb * 16 - e->h) / 2;
	}

	memset(&pic, 0, sizeof(pic));
	pic.CurrPic.picture_id = e->recon[cur];
	pic.CurrPic.frame_idx = e->frame_num;
	pic.CurrPic.TopFieldOrderCnt = (int32_t)(2 * e->n);
	pic.CurrPic.BottomFieldOrderCnt = pic.CurrPic.TopFieldOrderCnt;
	for (i = 0; i < 16; i++)
		kmscap_bc_invalid(&pic.ReferenceFrames[i]);
	if (!idr) {
		pic.ReferenceFrames[0].picture_id = e->recon[!cur];
		pic.ReferenceFrames[0].frame_idx = e->frame_num - 1;
		pic.ReferenceFrames[0].flags = VA_PICTURE_H264_SHORT_TERM_REFERENCE;
		pic.ReferenceFrames[0].TopFieldOrderCnt = (int32_t)(2 * (e->n - 1));
		pic.ReferenceFrames[0].BottomFieldOrderCnt =
			pic.ReferenceFrames[0].TopFieldOrderCnt;
	}
	pic.coded_buf = e->coded;
	pic.frame_num = (uint16_t)e->frame_num;
	pic.pic_init_qp = 26;
	pic.pic_fields.bits.idr_pic_flag = idr;
	pic.pic_fields.bits.reference_pic_flag = 1;
	pic.pic_fields.bits.entropy_coding_mode_flag =
		e->profile != VAProfileH264ConstrainedBaseline;
	pic.pic_fields.bits.transform_8x8_mode_flag = e->profile == VAProfileH264High;
	pic.pic_fields.bits.deblocking_filter_control_present_flag = 1;

	memset(&slice, 0, sizeof(slice));
	slice.num_macroblocks = wmb * hmb;
	slice.slice_type = idr ? 2 : 0;
	for (i = 0; i < 32; i++) {
		kmscap_bc_invalid(&slice.RefPicList0[i]);
		kmscap_bc_invalid(&slice.RefPicList1[i]);
	}
	if (!idr)
		slice.RefPicList0[0] = pic.ReferenceFrames[0];

	if (idr)
		ids[nb++] = kmscap_bc_buf(e, VAEncSequenceParameterBufferType, sizeof(seq), &seq);
	ids[nb++] = kmscap_bc_buf(e, VAEncPictureParameterBufferType, sizeof(pic), &pic);
	ids[nb++] = kmscap_bc_buf(e, VAEncSliceParameterBufferType, sizeof(slice), &slice);
	KMSCAP_BC_VA(vaBeginPicture(e->dpy, e->ctx, e->src), "vaBeginPicture (encode)");
	KMSCAP_BC_VA(vaRenderPicture(e->dpy, e->ctx, ids, (int)nb), "vaRenderPicture (encode)");
	KMSCAP_BC_VA(vaEndPicture(e->dpy, e->ctx), "vaEndPicture (encode)");
	KMSCAP_BC_VA(vaSyncSurface(e->dpy, e->src), "vaSyncSurface (encode)");
	KMSCAP_BC_VA(vaMapBuffer(e->dpy, e->coded, (void **)&seg), "vaMapBuffer (coded)");
	for (; seg; seg = seg->next) {
		if (size + seg->size > *cap) {
			*cap = (size + seg->size) * 2;
			*buf = realloc(*buf, *cap);
			if (!*buf)
				kmscap_bc_die("out of memory for %zu bytes of coded data", *cap);
		}
		memcpy(*buf + size, seg->buf, seg->size);
		size += seg->size;
	}
	vaUnmapBuffer(e->dpy, e->coded);
	for (i = 0; i < nb; i++)
		vaDestroyBuffer(e->dpy, ids[i]);
	e->n++;
	e->frame_num = (e->frame_num + 1) % 256;
	return size;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "display", required_argument, NULL, 'd' },
		{ "device", required_argument, NULL, 'D' },
		{ "frames", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct kmscap_bc e = { 0 };
	struct kmscap_t_maps maps;
	const char *device = NULL, *output = NULL;
	uint64_t t_copy = 0, t_conv = 0, t_up = 0, t_enc = 0, bytes = 0, *lat;
	unsigned int frames = 0, done = 0;
	long display = -1;
	uint8_t *copy = NULL, *coded = NULL;
	size_t copy_size = 0, coded_cap = 0;
	FILE *out = NULL;
	int c, cl;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			display = strtol(optarg, NULL, 10);
			break;
		case 'D':
			device = optarg;
			break;
		case 'n':
			frames = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'o':
			output = optarg;
			break;
		default:
			return 2;
		}
	}
	if (display < 0 || !device || !frames || frames > KMSCAP_BC_MAX_FRAMES) {
		fprintf(stderr, "usage: kmscap-bench-copy --display ID --device RENDER "
			"--frames 1..%u [-o FILE]\n", KMSCAP_BC_MAX_FRAMES);
		return 2;
	}
	if (output) {
		out = fopen(output, "we");
		if (!out)
			kmscap_bc_die("output %s: %s", output, strerror(errno));
	}
	lat = calloc(frames, sizeof(*lat));
	if (!lat)
		kmscap_bc_die("out of memory");
	kmscap_bc_open(&e, device);
	cl = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	if (cl < 0)
		kmscap_bc_die("%s: %s", KMSCAP_T_CTL, strerror(errno));
	c = kmscap_t_attach(cl, (uint32_t)display, 64, 10000000000ull);
	if (c)
		kmscap_bc_die("attach to display %ld: %s", display, kmscap_t_errname(c));
	kmscap_t_maps_init(&maps, cl);
	while (done < frames) {
		struct pollfd p = { .fd = cl, .events = POLLIN };
		struct kmscap_t_map *map;
		struct kmscap_event ev;
		uint64_t t0, t1, t2, t3, t4;
		size_t sz;
		void *ip;

		if (poll(&p, 1, 30000) <= 0)
			kmscap_bc_die("display %ld: no frame within 30 s", display);
		t0 = kmscap_t_now_ns();
		if (read(cl, &ev, sizeof(ev)) != sizeof(ev))
			kmscap_bc_die("%s: short read", KMSCAP_T_CTL);
		if (ev.type != KMSCAP_EVENT_FRAME)
			continue;
		if (ev.format != DRM_FORMAT_XRGB8888 && ev.format != DRM_FORMAT_ARGB8888)
			kmscap_bc_die("display %ld: format %#x is not XRGB8888", display,
				      ev.format);
		if (ev.width != e.w || ev.height != e.h)
			kmscap_bc_setup(&e, ev.width, ev.height);
		map = kmscap_t_maps_get(&maps, ev.buffer_id);
		if (!map)
			kmscap_bc_die("display %ld: export/mmap of buffer %u failed", display,
				      ev.buffer_id);
		sz = (size_t)ev.pitches[0] * ev.height;
		if (sz > copy_size) {
			free(copy);
			copy = malloc(sz);
			copy_size = sz;
			if (!copy)
				kmscap_bc_die("out of memory for %zu bytes", sz);
		}
		kmscap_t_dmabuf_sync(map->fd, true);
		memcpy(copy, (const uint8_t *)map->ptr + ev.offsets[0], sz);
		kmscap_t_dmabuf_sync(map->fd, false);
		c = kmscap_t_release(cl, ev.seq);
		if (c)
			kmscap_bc_die("RELEASE %llu: %s", (unsigned long long)ev.seq,
				      kmscap_t_errname(c));
		t1 = kmscap_t_now_ns();
		KMSCAP_BC_VA(vaMapBuffer(e.dpy, e.img.buf, &ip), "vaMapBuffer (image)");
		kmscap_bc_convert(copy, ev.pitches[0], e.w, e.h, ip, &e.img);
		vaUnmapBuffer(e.dpy, e.img.buf);
		t2 = kmscap_t_now_ns();
		KMSCAP_BC_VA(vaPutImage(e.dpy, e.src, e.img.image_id, 0, 0, e.w, e.h, 0, 0, e.w,
					e.h), "vaPutImage (NV12)");
		t3 = kmscap_t_now_ns();
		sz = kmscap_bc_encode(&e, &coded, &coded_cap);
		t4 = kmscap_t_now_ns();
		bytes += sz;
		/* the bench waits for each frame in the file: write it whole now */
		if (out && (fwrite(coded, 1, sz, out) != sz || fflush(out)))
			kmscap_bc_die("output %s: %s", output, strerror(errno));
		t_copy += t1 - t0;
		t_conv += t2 - t1;
		t_up += t3 - t2;
		t_enc += t4 - t3;
		lat[done++] = t4 > ev.timestamp_ns ? t4 - ev.timestamp_ns : 0;
	}
	kmscap_t_sort_u64(lat, done);
	printf("{\"type\":\"summary\",\"encoded\":%u,\"bytes\":%llu,\"copy_avg_us\":%llu,"
	       "\"convert_avg_us\":%llu,\"upload_avg_us\":%llu,\"encode_avg_us\":%llu,"
	       "\"latency_p50_us\":%llu,\"latency_p99_us\":%llu}\n", done,
	       (unsigned long long)bytes, (unsigned long long)(t_copy / done / 1000),
	       (unsigned long long)(t_conv / done / 1000), (unsigned long long)(t_up / done / 1000),
	       (unsigned long long)(t_enc / done / 1000),
	       (unsigned long long)(lat[(done - 1) / 2] / 1000),
	       (unsigned long long)(lat[(done * 99 + 99) / 100 - 1] / 1000));
	kmscap_t_maps_fini(&maps);
	close(cl);
	free(copy);
	free(coded);
	free(lat);
	if (out)
		fclose(out);
	vaTerminate(e.dpy);
	return 0;
}
