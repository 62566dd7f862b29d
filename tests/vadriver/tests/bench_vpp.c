// SPDX-License-Identifier: MIT
/*
 * bench_vpp.c - host benchmark of the VPP pixel work: the row functions
 * the driver runs (vpp_row.c) against the per-pixel code they replaced
 * (vpp_ref.c), on the same pictures in the same run, after checking that
 * both wrote the same bytes.  Per case, the best and the median of N runs
 * (default 5; the first argument) in milliseconds, and the ratio.
 *
 *   make -C tests/vadriver bench-vpp [BENCH_VPP_RUNS=5]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vpp_ref.h"

static double kmscap_bv_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int kmscap_bv_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void kmscap_bv_img(struct kmscap_va_img *img, unsigned int w, unsigned int h, bool yuv,
			  bool p010, uint32_t seed)
{
	size_t n, i;

	memset(img, 0, sizeof(*img));
	img->width = w;
	img->height = h;
	img->pitch[0] = yuv ? (p010 ? 2 : 1) * w : 4 * w;
	img->pitch[1] = img->pitch[0];
	img->offset[1] = yuv ? img->pitch[0] * h : 0;
	n = yuv ? img->offset[1] + img->pitch[1] * (h / 2) : img->pitch[0] * h;
	img->data = malloc(n);
	if (!img->data)
		exit(2);
	/* a smooth gradient with noise, and solid bands, like a desktop */
	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		img->data[i] = (uint8_t)((i / 4 % w) * 255 / w + ((i / 4 / w) % 64 < 32 ?
								 (seed >> 24) % 16 : 0));
	}
}

struct kmscap_bv_case {
	const char *name;
	enum kmscap_va_rgbfmt fmt;
	bool p010, bilinear, blend;
	unsigned int sw, sh, dw, dh;
};

static void kmscap_bv_run(const struct kmscap_bv_case *c, int runs, int impl, double *t,
			  struct kmscap_va_img *src, struct kmscap_va_img *dst)
{
	VARectangle sr = { 0, 0, c->sw, c->sh }, orr = { 0, 0, c->dw, c->dh };
	int i, rc = 0;

	if (c->blend)
		orr = (VARectangle){ 700, 400, c->sw, c->sh };
	for (i = 0; i < runs; i++) {
		double t0 = kmscap_bv_now();

		if (c->blend && impl)
			rc |= kmscap_va_blend_rgb(src, c->fmt, true, dst, &sr, &orr,
						  KMSCAP_VA_BLEND_PREMULT, 255);
		else if (c->blend)
			kmscap_ref_blend_rgb(src, c->fmt, true, dst, &sr, &orr,
					     KMSCAP_VA_BLEND_PREMULT, 255);
		else if (impl)
			rc |= kmscap_va_convert_rgb(src, c->fmt, dst, c->p010, &sr, &orr,
						    c->bilinear);
		else
			rc |= kmscap_ref_convert_rgb(src, c->fmt, dst, c->p010, &sr, &orr,
						     c->bilinear);
		t[i] = kmscap_bv_now() - t0;
	}
	if (rc)
		exit(2);
	qsort(t, runs, sizeof(*t), kmscap_bv_cmp);
}

int main(int argc, char **argv)
{
	static const struct kmscap_bv_case cases[] = {
		{ "1080p XRGB8888 -> NV12 1:1", KMSCAP_VA_BGRX8, false, true, false,
		  1920, 1080, 1920, 1080 },
		{ "2160p XRGB8888 -> NV12 1:1", KMSCAP_VA_BGRX8, false, true, false,
		  3840, 2160, 3840, 2160 },
		{ "1080p XRGB2101010 -> P010 1:1", KMSCAP_VA_XRGB10, true, true, false,
		  1920, 1080, 1920, 1080 },
		{ "1440p -> 1080p bilinear", KMSCAP_VA_BGRX8, false, true, false,
		  2560, 1440, 1920, 1080 },
		{ "1440p -> 1080p nearest", KMSCAP_VA_BGRX8, false, false, false,
		  2560, 1440, 1920, 1080 },
		{ "64x64 ARGB cursor blend", KMSCAP_VA_BGRX8, false, false, true,
		  64, 64, 1920, 1080 },
	};
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	size_t k;

	if (runs < 1 || runs > 1000)
		runs = 5;
	printf("%-32s %12s %12s %12s %12s %8s\n", "case (ms per frame)", "ref best", "ref median",
	       "rows best", "rows median", "ratio");
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct kmscap_bv_case *c = &cases[k];
		struct kmscap_va_img src, d0, d1;
		double *t0 = calloc(runs, sizeof(double)), *t1 = calloc(runs, sizeof(double));
		size_t n;

		if (!t0 || !t1)
			return 2;
		kmscap_bv_img(&src, c->sw, c->sh, false, false, 1);
		kmscap_bv_img(&d0, c->dw, c->dh, true, c->p010, 2);
		kmscap_bv_img(&d1, c->dw, c->dh, true, c->p010, 2);
		n = d0.offset[1] + d0.pitch[1] * (c->dh / 2);
		/* each blend run blends again onto its own previous result: both alike */
		kmscap_bv_run(c, runs, 0, t0, &src, &d0);
		kmscap_bv_run(c, runs, 1, t1, &src, &d1);
		if (memcmp(d0.data, d1.data, n)) {
			printf("%s: the row functions wrote other bytes than the reference\n",
			       c->name);
			return 1;
		}
		printf("%-32s %12.2f %12.2f %12.2f %12.2f %7.1fx\n", c->name, t0[0],
		       t0[runs / 2], t1[0], t1[runs / 2], t0[runs / 2] / t1[runs / 2]);
		free(src.data);
		free(d0.data);
		free(d1.data);
		free(t0);
		free(t1);
	}
	return 0;
}
