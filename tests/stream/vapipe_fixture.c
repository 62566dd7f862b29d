// SPDX-License-Identifier: MIT
/*
 * The fixture of the VA pipeline tests (test_vapipe.c, test_conformance.c):
 * the pipeline opened on the test driver's fake render node, memfds that
 * stand in for kmscap's DMA-BUFs, the test pattern drawn into them, frame
 * events for them, and FFmpeg's reading of what comes out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "ks_test.h"
#include "vapipe_test.h"
#include "vapipe_fixture.h"

int fx_export(void *opaque, uint32_t id, uint64_t *size)
{
	struct fixture *f = opaque;
	struct stat st;

	if (id > MAX_BUFS || f->memfd[id] < 0)
		return -ENOENT;
	f->exports++;
	fstat(f->memfd[id], &st);
	*size = (uint64_t)st.st_size;
	return fcntl(f->memfd[id], F_DUPFD_CLOEXEC, 0);
}

void fx_need_driver(void)
{
	const char *name = getenv("LIBVA_DRIVER_NAME");
	const char *path = getenv("LIBVA_DRIVERS_PATH");
	char so[600];

	if (!name || strcmp(name, "kmscap_test") || !path)
		ks_skip("the test VA driver is not set up (build tests/vadriver first)");
	snprintf(so, sizeof(so), "%s/kmscap_test_drv_video.so", path);
	if (access(so, R_OK))
		ks_skip("%s does not exist (build tests/vadriver first)", so);
}

/*
 * Open the pipeline on the fake render node in the test's own directory;
 * with @skip_unoffered, skip if the driver does not offer the codec.
 */
void fx_open_vc(struct fixture *f, struct ks_vapipe_config *vc, const char *name,
		bool skip_unoffered)
{
	char err[512];
	int fd, ret, i;

	fx_need_driver();
	memset(f, 0, sizeof(*f));
	for (i = 0; i <= MAX_BUFS; i++)
		f->memfd[i] = -1;
	snprintf(f->dir, sizeof(f->dir), "%s/%s", ks_test_workdir(), name);
	mkdir(f->dir, 0755);
	/* the shim presents any file of this name as a render node */
	snprintf(f->device, sizeof(f->device), "%s/kmscap-va-fake-render", f->dir);
	fd = open(f->device, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	vc->device = f->device;
	vc->export_buf = fx_export;
	vc->export_opaque = f;
	ret = ks_vapipe_open(vc, &f->va, err, sizeof(err));
	if (skip_unoffered && ret == -EOPNOTSUPP && strstr(err, "has no encode entrypoint"))
		ks_skip("%s", err);
	ck_assert_msg(ret == 0, "ks_vapipe_open: %s", err);
}

void fx_open_cfg(struct fixture *f, struct ks_vapipe_config *vc, const char *name)
{
	fx_open_vc(f, vc, name, false);
}

void fx_close(struct fixture *f)
{
	int i;

	ks_vapipe_close(f->va);
	for (i = 0; i <= MAX_BUFS; i++)
		if (f->memfd[i] >= 0)
			close(f->memfd[i]);
	ks_buf_free(&f->out);
}

/* The RGB of pixel (x, y) of picture @n: gradients plus a moving block. */
void pattern(unsigned int n, unsigned int x, unsigned int y, uint8_t *r, uint8_t *g,
	     uint8_t *b)
{
	*r = (uint8_t)(x * 255 / 319);
	*g = (uint8_t)(y * 255 / 239);
	*b = (uint8_t)((x + y + 40 * n) & 0xff);
	if (x / 16 == n % 12 && y / 16 == 2 + n % 5) {
		*r = 255 - *r;
		*g = (uint8_t)(n * 37);
	}
}

/* Buffer @id (a memfd of @size bytes, made the first time), mapped to draw into. */
static uint8_t *fx_map(struct fixture *f, unsigned int id, size_t size)
{
	uint8_t *map;

	if (f->memfd[id] < 0) {
		f->memfd[id] = memfd_create("ks-fake-dmabuf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		ck_assert_int_ge(f->memfd[id], 0);
		ck_assert_int_eq(ftruncate(f->memfd[id], (off_t)size), 0);
	}
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, f->memfd[id], 0);
	ck_assert_ptr_ne(map, MAP_FAILED);
	return map;
}

/* Fill buffer @id (XRGB8888, pitch w*4 + 64) with picture @n. */
void draw(struct fixture *f, unsigned int id, unsigned int n, unsigned int w,
	  unsigned int h)
{
	size_t pitch = w * 4 + 64, size = pitch * h;
	uint8_t *map, r, g, b;
	unsigned int x, y;

	map = fx_map(f, id, size);
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			uint8_t *p = map + y * pitch + 4 * x;

			pattern(n, x, y, &r, &g, &b);
			p[0] = b;
			p[1] = g;
			p[2] = r;
			p[3] = 0x5a;	/* X: must be ignored */
		}
	}
	munmap(map, size);
}

unsigned int draw_xtiled(struct fixture *f, unsigned int id, unsigned int n, unsigned int w,
			 unsigned int h)
{
	size_t pitch = (w * 4 + 511) / 512 * 512, size = pitch * ((h + 7) / 8 * 8);
	uint8_t *map, r, g, b;
	unsigned int x, y;

	map = fx_map(f, id, size);
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			size_t xb = 4 * x;
			uint8_t *p = map + ((y / 8) * (pitch / 512) + xb / 512) * 4096 +
				     (y % 8) * 512 + xb % 512;

			pattern(n, x, y, &r, &g, &b);
			p[0] = b;
			p[1] = g;
			p[2] = r;
			p[3] = 0x5a;
		}
	}
	munmap(map, size);
	return pitch;
}

void event_for(struct kmscap_event *ev, uint64_t seq, unsigned int id, unsigned int w,
	       unsigned int h, uint32_t flags)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = KMSCAP_EVENT_FRAME;
	ev->flags = flags;
	ev->seq = seq;
	ev->timestamp_ns = ks_now_ns();
	ev->buffer_id = id;
	ev->format = DRM_FORMAT_XRGB8888;
	ev->width = w;
	ev->height = h;
	ev->num_planes = 1;
	ev->modifier = DRM_FORMAT_MOD_LINEAR;
	ev->pitches[0] = w * 4 + 64;
	ev->src_w = w;
	ev->src_h = h;
	ev->mode_width = w;
	ev->mode_height = h;
	ev->refresh_mhz = 60000;
}

void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

void need_ffmpeg(void)
{
	if (system("command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1"))
		ks_skip("ffmpeg/ffprobe are not installed");
}

/*
 * Every header of the stream @path (in format @fmt: h264, hevc, ivf) parses:
 * FFmpeg's trace_headers reads each parameter set, slice header or OBU
 * header, and the run fails on any error or warning it prints.
 */
void headers_clean(const char *path, const char *fmt)
{
	char cmd[1400], msg[2048];
	size_t n, i;
	FILE *fp;

	snprintf(cmd, sizeof(cmd),
		 "ffmpeg -nostdin -v warning -probesize 256M -f %s -i '%s' -c:v copy -bsf:v trace_headers -f null - 2>&1",
		 fmt, path);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	n = fread(msg, 1, sizeof(msg) - 1, fp);
	msg[n] = 0;
	for (i = 0; i < n; i++)
		if (msg[i] == '\n')
			msg[i] = ' ';
	ck_assert_msg(pclose(fp) == 0 && n == 0, "trace_headers on %s: %s", path, msg);
}

/* Run ffmpeg's trace_headers over @path; returns its log (caller frees). */
char *trace(const char *path, const char *fmt)
{
	char cmd[1200], *log;
	size_t len = 0, cap = 1 << 20;
	FILE *fp;

	snprintf(cmd, sizeof(cmd),
		 "ffmpeg -nostdin -v info -probesize 256M -f %s -i '%s' -c copy -bsf:v trace_headers -f null - 2>&1",
		 fmt, path);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	log = malloc(cap);
	ck_assert_ptr_nonnull(log);
	while (len + 1 < cap && fgets(log + len, (int)(cap - len), fp))
		len += strlen(log + len);
	log[len] = '\0';
	ck_assert_msg(pclose(fp) == 0, "ffmpeg trace_headers failed on %s: %.400s", path,
		      strstr(log, "Error") ? strstr(log, "Error") : log);
	return log;
}

/*
 * The value of the @nth (from 1) trace line naming @field: the lines look
 * like "[trace_headers @ 0x..] 112  general_level_idc   00011110 = 30".
 */
long field(const char *log, const char *name, int nth)
{
	const char *p = log;
	size_t n = strlen(name);
	int want = nth;

	while ((p = strstr(p, name))) {
		const char *eol = strchr(p, '\n'), *eq;

		if ((p == log || p[-1] == ' ') && p[n] == ' ' && --nth == 0) {
			eq = strstr(p, " = ");
			ck_assert_msg(eq && (!eol || eq < eol), "no value for %s", name);
			return strtol(eq + 3, NULL, 10);
		}
		p += n;
	}
	ck_abort_msg("%s (#%d) is not in the trace", name, want);
	return -1;
}

/* The 10-bit RGB of pixel (x, y) of picture @n: the 8-bit pattern plus low bits. */
void pattern10(unsigned int n, unsigned int x, unsigned int y, unsigned int *r,
	       unsigned int *g, unsigned int *b)
{
	uint8_t r8, g8, b8;

	pattern(n, x, y, &r8, &g8, &b8);
	*r = r8 * 4u + (x & 3);
	*g = g8 * 4u + (y & 3);
	*b = b8 * 4u + ((x + y) & 3);
}

/* Fill buffer @id (XRGB2101010, pitch w*4 + 64) with picture @n. */
void draw10(struct fixture *f, unsigned int id, unsigned int n, unsigned int w,
	    unsigned int h)
{
	size_t pitch = w * 4 + 64, size = pitch * h;
	unsigned int x, y, r, g, b;
	uint8_t *map;

	map = fx_map(f, id, size);
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			uint32_t v;

			pattern10(n, x, y, &r, &g, &b);
			v = 2u << 30 | r << 20 | g << 10 | b;	/* X bits set: ignored */
			memcpy(map + y * pitch + 4 * x, &v, 4);
		}
	}
	munmap(map, size);
}

static void fx_pattern_rgb(const void *arg, unsigned int x, unsigned int y, double *r,
			   double *g, double *b)
{
	uint8_t r8, g8, b8;

	pattern(*(const unsigned int *)arg, x, y, &r8, &g8, &b8);
	*r = r8;
	*g = g8;
	*b = b8;
}

/* BT.709 limited range, from the definition; chroma from the 2x2 mean. */
static void fx_expected_nv12(unsigned int n, unsigned int w, unsigned int h, uint8_t *out)
{
	ks_test_yuv420(fx_pattern_rgb, &n, w, h, 255, false, out);
}

size_t decode(struct fixture *f, const char *tag, unsigned int w, unsigned int h,
	      uint8_t **frames)
{
	char in[600], out[600], cmd[1400];
	size_t len;

	snprintf(in, sizeof(in), "%s/%s.h264", f->dir, tag);
	snprintf(out, sizeof(out), "%s/%s.nv12", f->dir, tag);
	write_file(in, f->out.data, f->out.len);
	headers_clean(in, "h264");
	snprintf(cmd, sizeof(cmd),
		 "ffmpeg -nostdin -v error -y -i '%s' -f rawvideo -pix_fmt nv12 '%s'", in, out);
	ck_assert_msg(system(cmd) == 0, "ffmpeg could not decode %s", in);
	*frames = (uint8_t *)ks_test_read_file(out, &len);
	ck_assert_msg(len % (w * h * 3 / 2) == 0, "decoded %zu bytes: not whole %ux%u frames",
		      len, w, h);
	return len / (w * h * 3 / 2);
}

void compare(const uint8_t *got, unsigned int n, unsigned int w, unsigned int h)
{
	size_t size = (size_t)w * h * 3 / 2, i;
	uint8_t *want = malloc(size);

	ck_assert_ptr_nonnull(want);
	fx_expected_nv12(n, w, h, want);
	for (i = 0; i < size; i++) {
		int d = (int)got[i] - (int)want[i];

		ck_assert_msg(d >= -1 && d <= 1,
			      "picture %u: %s byte %zu (x %zu, y %zu) is %u, expected %u", n,
			      i < (size_t)w * h ? "luma" : "chroma", i,
			      i < (size_t)w * h ? i % w : (i - (size_t)w * h) % w,
			      i < (size_t)w * h ? i / w : (i - (size_t)w * h) / w, got[i], want[i]);
	}
	free(want);
}
