// SPDX-License-Identifier: MIT
/*
 * kmscap-bench-copy: the copy-based baseline of the pipeline bench, what a
 * CPU grabber must do to encode a frame with VA-API: map the frame, copy it
 * into its own memory, release it, convert XRGB8888 to NV12 (BT.709,
 * limited range) on the CPU, upload with vaPutImage, and encode.  The
 * encoding is kmscap-stream's own: its option parser, its VA-API pipeline
 * opened with the same configuration (ks_vapipe_open) and its encoder
 * (the codec's encode() of user/stream/va_h264.c and va_enc.c, linked from
 * build/user/stream/libks-va.a), so with the same options both sides of
 * the bench write the same parameters and headers by construction.
 *
 *   kmscap-bench-copy --display ID --frames N [-o FILE] [kmscap-stream options]
 *
 * The options are kmscap-stream's (--render-node, --codec, --rc, --qp, --gop,
 * --pool, --queue-depth, --hold-timeout, ...), with two differences: the
 * rate control defaults to cqp, and without -o (or with "-o -") the coded
 * data is not written anywhere (stdout carries the summary).  --create is
 * refused.  It attaches to kmscap display ID (queue depth 64 and hold
 * timeout 10 s unless given), exports each buffer once and keeps it
 * mapped, and stops after N encoded frames.  The last line on stdout is
 * one JSON object:
 *   {"type":"summary","encoded":N,"bytes":B,"copy_avg_us":..,"convert_avg_us":..,
 *    "upload_avg_us":..,"encode_avg_us":..,"latency_p50_us":..,"latency_p99_us":..}
 * copy = read the event, sync, memcpy, release; convert = RGB -> NV12 on the
 * CPU; upload = vaPutImage; encode = until the coded data is read (copied
 * out of the coded buffer); latency = the event's flip time to the same
 * point, as kmscap-stream measures them.  Writing the output is not in
 * either.  Errors: one line on stderr naming the device or value, exit 1.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "kmscap_test.h"
#include <va/va.h>

#include "vapipe_test.h"

#define KMSCAP_BC_MAX_FRAMES 100000

struct kmscap_bc {
	struct ks_vapipe_config vc;	/* as kmscap-stream's main.c fills it */
	struct ks_vapipe *p;
	VADisplay dpy;			/* the pipeline's */
	uint32_t w, h;			/* the session's size, 0 before the first */
	VAImage img;			/* NV12, valid while w != 0 */
	struct ks_buf out;		/* one output unit */
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

/* kmscap-stream's pipeline: VA initialised, profile, entrypoint and config chosen. */
static void kmscap_bc_open(struct kmscap_bc *e)
{
	char err[512];

	if (ks_vapipe_open(&e->vc, &e->p, err, sizeof(err)))
		kmscap_bc_die("%s", err);
	e->dpy = ks_vapipe_display(e->p);
}

/*
 * The encode session for @w x @h, created by kmscap-stream's own code
 * (ks_vapipe_session(), as for a first frame of that size: the pool, the
 * reconstructed surfaces, the contexts and the coded buffer); then the
 * NV12 image vaPutImage uploads from.
 */
static void kmscap_bc_session(struct kmscap_bc *e, uint32_t w, uint32_t h)
{
	VAImageFormat fmt = { .fourcc = VA_FOURCC_NV12, .byte_order = VA_LSB_FIRST,
			      .bits_per_pixel = 12 };

	if (e->w)
		vaDestroyImage(e->dpy, e->img.image_id);
	e->w = 0;
	if (ks_vapipe_session(e->p, w, h, DRM_FORMAT_XRGB8888))
		kmscap_bc_die("%s", ks_vapipe_error(e->p));
	KMSCAP_BC_VA(vaCreateImage(e->dpy, &fmt, (int)w, (int)h, &e->img),
		     "vaCreateImage (NV12)");
	e->w = w;
	e->h = h;
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

/*
 * Upload the converted picture into the next surface of the pool and
 * encode it with kmscap-stream's encoder; the output unit in e->out.
 * Returns the time the coded data has been read.
 */
static uint64_t kmscap_bc_encode(struct kmscap_bc *e, const struct kmscap_event *ev,
			     uint64_t *t_up, uint64_t *t_enc)
{
	VASurfaceID dst = ks_vapipe_next_surface(e->p);
	uint64_t t0 = kmscap_t_now_ns(), t1;

	KMSCAP_BC_VA(vaPutImage(e->dpy, dst, e->img.image_id, 0, 0, e->w, e->h, 0, 0, e->w,
				e->h), "vaPutImage (NV12)");
	t1 = kmscap_t_now_ns();
	*t_up += t1 - t0;
	ks_buf_reset(&e->out);
	if (ks_vapipe_encode_surface(e->p, dst, ev, &e->out))
		kmscap_bc_die("%s", ks_vapipe_error(e->p));
	t0 = kmscap_t_now_ns();
	*t_enc += t0 - t1;
	return t0;
}

int main(int argc, char **argv)
{
	struct kmscap_bc e = { .p = NULL };
	struct kmscap_t_maps maps;
	struct ks_args a;
	const char *output = NULL;
	uint64_t t_copy = 0, t_conv = 0, t_up = 0, t_enc = 0, bytes = 0, *lat;
	unsigned int frames, done = 0;
	uint8_t *copy = NULL;
	size_t copy_size = 0;
	char err[512];
	FILE *out = NULL;
	int c, cl;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ks_args_init(&a);
	a.rc = KS_RC_CQP;
	if (ks_args_parse(&a, argc, argv, err, sizeof(err)))
		kmscap_bc_die("%s", err);
	if (a.create || !a.have_display || !a.frames || a.frames > KMSCAP_BC_MAX_FRAMES) {
		fprintf(stderr, "usage: kmscap-bench-copy --display ID --frames 1..%u [-o FILE] "
			"[kmscap-stream options]\n", KMSCAP_BC_MAX_FRAMES);
		return 2;
	}
	frames = (unsigned int)a.frames;
	if (strcmp(a.output, "-"))
		output = a.output;
	/* what kmscap-stream's main.c passes to ks_vapipe_open() */
	e.vc = (struct ks_vapipe_config){
		.device = a.device,
		.codec = a.codec,
		.rc = a.rc,
		.bitrate = a.bitrate,
		.qp = a.qp,
		.gop = a.gop,
		.intra_refresh = a.intra_refresh,
		.idle = a.idle,
		.pool = a.pool,
		.cursor = a.cursor,
	};
	if (output) {
		out = fopen(output, "we");
		if (!out)
			kmscap_bc_die("output %s: %s", output, strerror(errno));
	}
	lat = calloc(frames, sizeof(*lat));
	if (!lat)
		kmscap_bc_die("out of memory");
	kmscap_bc_open(&e);
	cl = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	if (cl < 0)
		kmscap_bc_die("%s: %s", KMSCAP_T_CTL, strerror(errno));
	c = kmscap_t_attach(cl, a.display_id, a.queue_depth ? a.queue_depth : 64,
			    a.hold_timeout_ns ? a.hold_timeout_ns : 10000000000ull);
	if (c)
		kmscap_bc_die("attach to display %u: %s", a.display_id, kmscap_t_errname(c));
	kmscap_t_maps_init(&maps, cl);
	while (done < frames) {
		struct pollfd pfd = { .fd = cl, .events = POLLIN };
		struct kmscap_t_map *map;
		struct kmscap_event ev;
		uint32_t w, h;
		uint64_t t0, t1, t2, t3;
		size_t sz;
		void *ip;

		if (poll(&pfd, 1, 30000) <= 0)
			kmscap_bc_die("display %u: no frame within 30 s", a.display_id);
		t0 = kmscap_t_now_ns();
		if (read(cl, &ev, sizeof(ev)) != sizeof(ev))
			kmscap_bc_die("%s: short read", KMSCAP_T_CTL);
		if (ev.type != KMSCAP_EVENT_FRAME || ev.flags & KMSCAP_FRAME_BLANK ||
		    !ev.buffer_id)
			continue;
		if (ev.format != DRM_FORMAT_XRGB8888 && ev.format != DRM_FORMAT_ARGB8888)
			kmscap_bc_die("display %u: format %#x is not XRGB8888", a.display_id,
				      ev.format);
		/* the visible part, even sizes for 4:2:0, as kmscap-stream encodes it */
		w = (ev.src_w ? ev.src_w : ev.width) & ~1u;
		h = (ev.src_h ? ev.src_h : ev.height) & ~1u;
		if (w != e.w || h != e.h)
			kmscap_bc_session(&e, w, h);
		map = kmscap_t_maps_get(&maps, ev.buffer_id);
		if (!map)
			kmscap_bc_die("display %u: export/mmap of buffer %u failed", a.display_id,
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
		kmscap_bc_convert(copy + (size_t)ev.src_y * ev.pitches[0] + (size_t)ev.src_x * 4,
				  ev.pitches[0], w, h, ip, &e.img);
		vaUnmapBuffer(e.dpy, e.img.buf);
		t2 = kmscap_t_now_ns();
		t3 = kmscap_bc_encode(&e, &ev, &t_up, &t_enc);
		t_copy += t1 - t0;
		t_conv += t2 - t1;
		sz = e.out.len;
		bytes += sz;
		lat[done++] = t3 > ev.timestamp_ns ? t3 - ev.timestamp_ns : 0;
		/* the bench waits for each frame in the file: write it whole now */
		if (out && (fwrite(e.out.data, 1, sz, out) != sz || fflush(out)))
			kmscap_bc_die("output %s: %s", output, strerror(errno));
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
	free(lat);
	if (out)
		fclose(out);
	if (e.w)
		vaDestroyImage(e.dpy, e.img.image_id);
	ks_vapipe_close(e.p);
	ks_buf_free(&e.out);
	return 0;
}
