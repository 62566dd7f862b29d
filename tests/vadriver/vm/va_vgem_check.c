// SPDX-License-Identifier: MIT
/*
 * va_vgem_check: the host half of the vadriver VM test.
 *
 *   va_vgem_check OUTDIR RUNLOG STATUS TAPFILE
 *
 * OUTDIR holds what va_vgem wrote to /out in the VM, RUNLOG the output of
 * tests/vm/run-vm.sh and STATUS its exit status.  Writes TAPFILE, one line
 * per check:
 *
 *   - the VM run: va_vgem passed, /out came back, the kernel log is clean;
 *   - the checks va_vgem did in the VM (results.txt): the VA display on
 *     vgem's render node uses kmscap_test; per case the export of the vgem
 *     dumb buffers, their import, the conversion and encode (or P010
 *     read-back), and the driver's DMA_BUF_IOCTL_SYNC on the dma-bufs;
 *     at the end, the driver's debug log has no rejection and no object
 *     left at vaTerminate;
 *   - per H.264 case: ffprobe sees h264 with the case's profile, size and
 *     frame count, and ffmpeg decodes it without errors;
 *   - per case: every sample of every decoded (or read back P010) frame
 *     equals the BT.709 limited-range conversion of the pattern of
 *     va_vgem.h, computed here in exact integer arithmetic from the
 *     formula (Kr = 0.2126, Kb = 0.0722; chroma from the mean of 2x2
 *     pixels; rounded half up).  No tolerance: the driver codes losslessly.
 *
 * When the VM cannot run here (no qemu, no Debian kernel, ...), or va_vgem
 * found no vgem in it (OUTDIR/skip.txt), every line is a SKIP with the
 * reason.  Exit status 0 when nothing failed, else 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "va_vgem.h"

static FILE *kmscap_vvc_tap;
static unsigned int kmscap_vvc_n, kmscap_vvc_failed;
static const char *kmscap_vvc_skip;	/* every check skipped, for this reason */

/*
 * One TAP line; @fmt gives the SKIP reason or the diagnostic (may be NULL).
 * Once the whole run is skipped (kmscap_vvc_skip), every line is a SKIP.
 */
static void kmscap_vvc_line(bool ok, bool skip, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void kmscap_vvc_line(bool ok, bool skip, const char *name, const char *fmt, ...)
{
	char why[1024] = "", *nl;
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	}
	/* one line each: tool output must not become TAP lines */
	while ((nl = strchr(why, '\n')))
		*nl = nl[1] ? ';' : '\0';
	kmscap_vvc_n++;
	if (kmscap_vvc_skip) {
		fprintf(kmscap_vvc_tap, "ok %u - vadriver-vm: %s # SKIP %s\n", kmscap_vvc_n, name,
			kmscap_vvc_skip);
		return;
	}
	if (skip) {
		fprintf(kmscap_vvc_tap, "ok %u - vadriver-vm: %s # SKIP %s\n", kmscap_vvc_n, name,
			why);
		printf("  SKIP    vadriver-vm: %s (%s)\n", name, why);
		return;
	}
	fprintf(kmscap_vvc_tap, "%s %u - vadriver-vm: %s\n", ok ? "ok" : "not ok", kmscap_vvc_n,
		name);
	if (why[0])
		fprintf(kmscap_vvc_tap, "# %s\n", why);
	if (!ok) {
		kmscap_vvc_failed++;
		printf("  FAIL    vadriver-vm: %s: %s\n", name, why);
	}
}

static char *kmscap_vvc_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *d = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		d = malloc((size_t)n + 1);
		if (d && fread(d, 1, (size_t)n, f) != (size_t)n) {
			free(d);
			d = NULL;
		}
		if (d) {
			d[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return d;
}

/* Runs @cmd with sh; its exit status (-1 if it could not run), output in *@out. */
static int kmscap_vvc_run(const char *cmd, char **out)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	FILE *p = popen(cmd, "r");
	size_t r;
	int st;

	if (!buf || !p) {
		free(buf);
		if (p)
			pclose(p);
		*out = strdup("(popen failed)");
		return -1;
	}
	while ((r = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += r;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	buf[len] = '\0';
	st = pclose(p);
	*out = buf;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool kmscap_vvc_have(const char *tool)
{
	char cmd[128], *out;
	int st;

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	st = kmscap_vvc_run(cmd, &out);
	free(out);
	return st == 0;
}

/* ---- the reference ------------------------------------------------------------ */

/* num / den (den > 0) rounded half up, i.e. floor(num / den + 1/2). */
static long long kmscap_vvc_round(long long num, long long den)
{
	long long a = 2 * num + den, b = 2 * den;

	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

struct kmscap_vvc_ref {
	unsigned int w, h;
	unsigned int *y, *cb, *cr;	/* w*h, (w/2)*(h/2), (w/2)*(h/2) */
};

/* BT.709 limited range of frame @n; 8-bit (M = 255, s = 1) or 10-bit (1023, 4). */
static void kmscap_vvc_reference(const struct kmscap_vv_case *c, unsigned int n, bool ten,
				 struct kmscap_vvc_ref *ref)
{
	const long long M = ten ? 1023 : 255, s = ten ? 4 : 1;
	unsigned int x, y, i, rgb[3];

	for (y = 0; y < c->h; y++) {
		for (x = 0; x < c->w; x++) {
			kmscap_vv_rgb10(n, x, y, c->w, c->h, rgb);
			if (!ten)
				for (i = 0; i < 3; i++)
					rgb[i] >>= 2;
			/* Y = 16 s + 219 s (Kr R + Kg G + Kb B) / M, K in 1/10000 */
			ref->y[y * c->w + x] = (unsigned int)kmscap_vvc_round(
				16 * s * 10000 * M +
				219 * s * (2126LL * rgb[0] + 7152LL * rgb[1] + 722LL * rgb[2]),
				10000 * M);
		}
	}
	for (y = 0; y < c->h / 2; y++) {
		for (x = 0; x < c->w / 2; x++) {
			long long S[3] = { 0, 0, 0 }, L;

			for (i = 0; i < 4; i++) {
				kmscap_vv_rgb10(n, 2 * x + i % 2, 2 * y + i / 2, c->w, c->h, rgb);
				S[0] += ten ? rgb[0] : rgb[0] >> 2;
				S[1] += ten ? rgb[1] : rgb[1] >> 2;
				S[2] += ten ? rgb[2] : rgb[2] >> 2;
			}
			/*
			 * With the means S/4: Y' = L / 40000, and
			 * Cb = 128 s + 224 s (B - Y') / (2 (1 - Kb) M)
			 *    = 128 s + 224 s (10000 SB - L) / (8 * 9278 M); Cr with 7874.
			 */
			L = 2126 * S[0] + 7152 * S[1] + 722 * S[2];
			ref->cb[y * (c->w / 2) + x] = (unsigned int)(128 * s + kmscap_vvc_round(
				224 * s * (10000 * S[2] - L), 8 * 9278 * M));
			ref->cr[y * (c->w / 2) + x] = (unsigned int)(128 * s + kmscap_vvc_round(
				224 * s * (10000 * S[0] - L), 8 * 7874 * M));
		}
	}
}

/* ---- the checks --------------------------------------------------------------- */

/* The line of results.txt for @cname @check: "ok"/"fail" and the detail. */
static void kmscap_vvc_vm_check(const char *results, const char *cname, const char *check)
{
	char name[128], key[128];
	const char *p = results;
	size_t klen;

	snprintf(name, sizeof(name), "%s: %s (in the VM)", cname, check);
	snprintf(key, sizeof(key), "%s %s ", cname, check);
	klen = strlen(key);
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		int len = eol ? (int)(eol - p) : (int)strlen(p);

		if (!strncmp(p, key, klen)) {
			bool ok = !strncmp(p + klen, "ok: ", 4);
			const char *detail = p + klen + (ok ? 4 : 6);

			kmscap_vvc_line(ok, false, name, "%.*s", len - (int)(detail - p), detail);
			return;
		}
		p = eol ? eol + 1 : NULL;
	}
	kmscap_vvc_line(false, false, name, "no result from the VM (see build/vm/va_vgem.log)");
}

struct kmscap_vvc_diff {
	unsigned long long samples, bad;
	unsigned int frame, x, y, got, want, maxdiff;
	const char *plane;
};

static void kmscap_vvc_cmp(struct kmscap_vvc_diff *d, unsigned int frame, const char *plane,
			   unsigned int x, unsigned int y, unsigned int got, unsigned int want)
{
	unsigned int diff = got > want ? got - want : want - got;

	d->samples++;
	if (!diff)
		return;
	if (!d->bad++) {
		d->frame = frame;
		d->plane = plane;
		d->x = x;
		d->y = y;
		d->got = got;
		d->want = want;
	}
	if (diff > d->maxdiff)
		d->maxdiff = diff;
}

/* Sample @i of a plane: 8-bit, or 16-bit little-endian P010 (value in bits 15..6). */
static unsigned int kmscap_vvc_sample(const uint8_t *p, size_t i, bool ten, bool *low_bits)
{
	unsigned int v;

	if (!ten)
		return p[i];
	v = p[2 * i] | p[2 * i + 1] << 8;
	if (v & 63)
		*low_bits = true;
	return v >> 6;
}

/* Frames of @c in @data (NV12 or P010, tightly packed) against the reference. */
static void kmscap_vvc_pixels(const struct kmscap_vv_case *c, const uint8_t *data, size_t len,
			      bool ten, const char *what)
{
	size_t bps = ten ? 2 : 1, frame = (size_t)c->w * c->h * 3 / 2 * bps;
	struct kmscap_vvc_ref ref = { c->w, c->h };
	struct kmscap_vvc_diff d = { 0 };
	bool low_bits = false;
	unsigned int n, x, y;
	char name[128];

	snprintf(name, sizeof(name), "%s: pixels", c->name);
	if (len != frame * c->frames) {
		kmscap_vvc_line(false, false, name, "%s: %zu bytes, expected %u frames of %zu",
				what, len, c->frames, frame);
		return;
	}
	ref.y = calloc((size_t)c->w * c->h, sizeof(unsigned int));
	ref.cb = calloc((size_t)c->w * c->h / 4, sizeof(unsigned int));
	ref.cr = calloc((size_t)c->w * c->h / 4, sizeof(unsigned int));
	if (!ref.y || !ref.cb || !ref.cr) {
		kmscap_vvc_line(false, false, name, "out of memory");
		goto out;
	}
	for (n = 0; n < c->frames; n++) {
		const uint8_t *f = data + n * frame, *uv = f + (size_t)c->w * c->h * bps;

		kmscap_vvc_reference(c, n, ten, &ref);
		for (y = 0; y < c->h; y++)
			for (x = 0; x < c->w; x++)
				kmscap_vvc_cmp(&d, n, "Y", x, y,
					       kmscap_vvc_sample(f, (size_t)y * c->w + x, ten,
								 &low_bits),
					       ref.y[y * c->w + x]);
		for (y = 0; y < c->h / 2; y++) {
			for (x = 0; x < c->w / 2; x++) {
				size_t i = (size_t)y * c->w + 2 * x;

				kmscap_vvc_cmp(&d, n, "Cb", x, y,
					       kmscap_vvc_sample(uv, i, ten, &low_bits),
					       ref.cb[y * (c->w / 2) + x]);
				kmscap_vvc_cmp(&d, n, "Cr", x, y,
					       kmscap_vvc_sample(uv, i + 1, ten, &low_bits),
					       ref.cr[y * (c->w / 2) + x]);
			}
		}
	}
	if (d.bad || low_bits)
		kmscap_vvc_line(false, false, name,
				"%s: %llu of %llu samples differ from the BT.709 reference "
				"(max %u); first: frame %u %s (%u,%u) = %u, expected %u%s", what,
				d.bad, d.samples, d.maxdiff, d.frame, d.plane ? d.plane : "-",
				d.x, d.y, d.got, d.want,
				low_bits ? "; P010 samples with low 6 bits set" : "");
	else
		kmscap_vvc_line(true, false, name,
				"%s: all %llu samples of %u frames %ux%u equal the %s BT.709 "
				"limited-range reference", what, d.samples, c->frames, c->w, c->h,
				ten ? "10-bit" : "8-bit");
out:
	free(ref.y);
	free(ref.cb);
	free(ref.cr);
}

static const char *kmscap_vvc_field(const char *text, const char *key, char *val, size_t len)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "%s=", key);
	for (p = text; (p = strstr(p, pat)); p++) {
		if (p == text || p[-1] == '\n') {
			p += strlen(pat);
			snprintf(val, len, "%.*s", (int)strcspn(p, "\n"), p);
			return val;
		}
	}
	snprintf(val, len, "(none)");
	return val;
}

static void kmscap_vvc_h264(const struct kmscap_vv_case *c, const char *dir, bool ffmpeg)
{
	const char *profile = c->out == KMSCAP_VV_H264_HIGH ? "High" : "Constrained Baseline";
	char in[600], raw[640], cmd[1400], name[128], codec[32], prof[64], w[16], h[16], nb[16];
	char *out;
	uint8_t *data;
	size_t len = 0;
	int st;

	snprintf(in, sizeof(in), "%s/%s.h264", dir, c->name);
	snprintf(raw, sizeof(raw), "%s/%s.nv12", dir, c->name);
	snprintf(name, sizeof(name), "%s: decode", c->name);
	if (!ffmpeg) {
		kmscap_vvc_line(true, true, name, "ffmpeg/ffprobe not installed (Debian ffmpeg)");
		snprintf(name, sizeof(name), "%s: pixels", c->name);
		kmscap_vvc_line(true, true, name, "ffmpeg/ffprobe not installed (Debian ffmpeg)");
		return;
	}
	if (access(in, R_OK)) {
		kmscap_vvc_line(false, false, name, "%s: %s (no stream from the VM)", in,
				strerror(errno));
		snprintf(name, sizeof(name), "%s: pixels", c->name);
		kmscap_vvc_line(false, false, name, "no stream from the VM");
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "ffprobe -v error -count_frames -select_streams v:0 -show_entries "
		 "stream=codec_name,profile,width,height,nb_read_frames -of default=nw=1 '%s' 2>&1",
		 in);
	st = kmscap_vvc_run(cmd, &out);
	kmscap_vvc_field(out, "codec_name", codec, sizeof(codec));
	kmscap_vvc_field(out, "profile", prof, sizeof(prof));
	kmscap_vvc_field(out, "width", w, sizeof(w));
	kmscap_vvc_field(out, "height", h, sizeof(h));
	kmscap_vvc_field(out, "nb_read_frames", nb, sizeof(nb));
	if (st || strcmp(codec, "h264") || strcmp(prof, profile) ||
	    strtoul(w, NULL, 10) != c->w || strtoul(h, NULL, 10) != c->h ||
	    strtoul(nb, NULL, 10) != c->frames) {
		kmscap_vvc_line(false, false, name,
				"ffprobe %s (status %d): codec %s, profile %s, %sx%s, %s frames; "
				"expected h264, %s, %ux%u, %u frames; output: %s", in, st, codec,
				prof, w, h, nb, profile, c->w, c->h, c->frames, out);
		free(out);
		snprintf(name, sizeof(name), "%s: pixels", c->name);
		kmscap_vvc_line(false, false, name, "the stream is not what was encoded");
		return;
	}
	free(out);
	snprintf(cmd, sizeof(cmd),
		 "ffmpeg -nostdin -v error -i '%s' -f rawvideo -pix_fmt nv12 -y '%s' 2>&1",
		 in, raw);
	st = kmscap_vvc_run(cmd, &out);
	if (st || out[0]) {
		kmscap_vvc_line(false, false, name, "ffmpeg decoding %s: status %d: %s", in, st,
				out);
		free(out);
		snprintf(name, sizeof(name), "%s: pixels", c->name);
		kmscap_vvc_line(false, false, name, "ffmpeg could not decode the stream");
		return;
	}
	free(out);
	kmscap_vvc_line(true, false, name, "h264 %s %ux%u, %u frames, decoded by ffmpeg without "
			"errors", profile, c->w, c->h, c->frames);
	data = (uint8_t *)kmscap_vvc_slurp(raw, &len);
	if (!data) {
		snprintf(name, sizeof(name), "%s: pixels", c->name);
		kmscap_vvc_line(false, false, name, "%s: %s", raw, strerror(errno));
		return;
	}
	kmscap_vvc_pixels(c, data, len, false, "ffmpeg's NV12 decode");
	free(data);
}

static void kmscap_vvc_p010(const struct kmscap_vv_case *c, const char *dir)
{
	char path[600], name[128];
	uint8_t *data;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/%s.p010", dir, c->name);
	data = (uint8_t *)kmscap_vvc_slurp(path, &len);
	if (!data) {
		snprintf(name, sizeof(name), "%s: pixels", c->name);
		kmscap_vvc_line(false, false, name, "%s: %s (nothing from the VM)", path,
				strerror(errno));
		return;
	}
	kmscap_vvc_pixels(c, data, len, true, "the P010 read back in the VM");
	free(data);
}

/* run-vm.sh died before booting because something it needs is missing here. */
static const char *kmscap_vvc_no_vm(const char *runlog)
{
	static const char *const why[] = {
		"qemu-system-x86_64 missing", "cannot read /boot/vmlinuz",
		"no /usr/src/linux-headers", "/kernel missing: install linux-image",
		"busybox not found", "is not statically linked",
	};
	static char reason[300];
	unsigned int i;
	const char *p;

	for (i = 0; runlog && i < sizeof(why) / sizeof(why[0]); i++) {
		p = strstr(runlog, why[i]);
		if (!p)
			continue;
		while (p > runlog && p[-1] != '\n')
			p--;
		snprintf(reason, sizeof(reason), "the VM cannot run here: %.*s",
			 (int)strcspn(p, "\n"), p);
		return reason;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	char path[600], *results, *runlog, *skip, name[128];
	const char *dir;
	bool ffmpeg;
	unsigned int i;
	int status;

	if (argc != 5) {
		fprintf(stderr, "usage: va_vgem_check OUTDIR RUNLOG STATUS TAPFILE\n");
		return 2;
	}
	dir = argv[1];
	runlog = kmscap_vvc_slurp(argv[2], NULL);
	status = atoi(argv[3]);
	kmscap_vvc_tap = fopen(argv[4], "w");
	if (!kmscap_vvc_tap) {
		fprintf(stderr, "va_vgem_check: %s: %s\n", argv[4], strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/results.txt", dir);
	results = kmscap_vvc_slurp(path, NULL);
	snprintf(path, sizeof(path), "%s/skip.txt", dir);
	skip = kmscap_vvc_slurp(path, NULL);
	if (skip) {
		skip[strcspn(skip, "\n")] = '\0';
		kmscap_vvc_skip = skip;
	} else if (!results && !runlog) {
		kmscap_vvc_skip = "no VM run (make -C tests/vadriver vm-check runs one)";
	} else if (!results) {
		kmscap_vvc_skip = kmscap_vvc_no_vm(runlog);
	}
	ffmpeg = kmscap_vvc_have("ffmpeg") && kmscap_vvc_have("ffprobe");

	kmscap_vvc_line(status == 0, false, "VM run: va_vgem passed, /out copied, kernel log clean",
			status ? "tests/vm/run-vm.sh exit status %d (see build/vm/va_vgem.log)" :
				 NULL, status);
	kmscap_vvc_vm_check(results, "all", "display");
	for (i = 0; i < KMSCAP_VV_NUM_CASES; i++) {
		const struct kmscap_vv_case *c = &kmscap_vv_cases[i];
		bool p010 = c->out == KMSCAP_VV_P010;

		kmscap_vvc_vm_check(results, c->name, "export");
		kmscap_vvc_vm_check(results, c->name, "import");
		kmscap_vvc_vm_check(results, c->name, p010 ? "vpp-p010" : "vpp-encode");
		kmscap_vvc_vm_check(results, c->name, "dmabuf-sync");
		if (kmscap_vvc_skip) {
			snprintf(name, sizeof(name), "%s: decode", c->name);
			if (!p010)
				kmscap_vvc_line(true, true, name, NULL);
			snprintf(name, sizeof(name), "%s: pixels", c->name);
			kmscap_vvc_line(true, true, name, NULL);
		} else if (p010) {
			kmscap_vvc_p010(c, dir);
		} else {
			kmscap_vvc_h264(c, dir, ffmpeg);
		}
	}
	kmscap_vvc_vm_check(results, "all", "driver-log");
	fprintf(kmscap_vvc_tap, "1..%u\n", kmscap_vvc_n);
	fclose(kmscap_vvc_tap);
	printf("  vadriver-vm: %u checks, %u failed%s%s\n", kmscap_vvc_n, kmscap_vvc_failed,
	       kmscap_vvc_skip ? ", all skipped: " : "", kmscap_vvc_skip ? kmscap_vvc_skip : "");
	free(results);
	free(runlog);
	free(skip);
	return kmscap_vvc_failed ? 1 : 0;
}
