/* SPDX-License-Identifier: MIT */
/*
 * va_test.h - helpers shared by the Check tests of the kmscap VA driver.
 */
#ifndef KMSCAP_VA_TEST_H
#define KMSCAP_VA_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <check.h>
#include <va/va.h>
#include <va/va_drm.h>
#include <va/va_drmcommon.h>
#include <va/va_enc_h264.h>
#include <va/va_vpp.h>

#include "../../check/check_tap.h"

/* A test that cannot run: reported as "ok N - name # SKIP reason". */
#define KMSCAP_VAT_SKIP_PREFIX KMSCAP_CHECK_SKIP_PREFIX
#define kmscap_vat_skip(...) ck_abort_msg(KMSCAP_VAT_SKIP_PREFIX __VA_ARGS__)

#define ck_assert_va(expr, expected)							\
	do {										\
		VAStatus _st = (expr), _ex = (expected);				\
		ck_assert_msg(_st == _ex, "%s returned %#x (%s), expected %#x (%s)",	\
			      #expr, _st, vaErrorStr(_st), _ex, vaErrorStr(_ex));	\
	} while (0)
#define ck_assert_va_ok(expr) ck_assert_va(expr, VA_STATUS_SUCCESS)

struct kmscap_vat {
	int fd;
	VADisplay dpy;
};

/* Allocation that fails the test instead of returning NULL. */
void *kmscap_vat_calloc(size_t n, size_t size);

void kmscap_vat_open(struct kmscap_vat *t);
void kmscap_vat_close(struct kmscap_vat *t);
const char *kmscap_vat_workdir(void);

/* Tightly packed NV12 frame (pitch = width). */
struct kmscap_vat_frame {
	unsigned int width, height;
	uint8_t *data;		/* width * height * 3 / 2 bytes */
};

void kmscap_vat_frame_gen(struct kmscap_vat_frame *f, unsigned int w, unsigned int h,
			  unsigned int seed);
void kmscap_vat_frame_free(struct kmscap_vat_frame *f);
void kmscap_vat_upload(VADisplay dpy, VASurfaceID s, const struct kmscap_vat_frame *f);
void kmscap_vat_download(VADisplay dpy, VASurfaceID s, struct kmscap_vat_frame *f);

/* H.264 encode session used by the encode and validation tests. */
#define KMSCAP_VAT_MAX_SLICES 8
struct kmscap_vat_enc {
	struct kmscap_vat t;
	VAProfile profile;
	unsigned int width, height, packed;
	VAConfigID config;
	VAContextID context;
	VASurfaceID input;
	VASurfaceID recon[2];
	VABufferID coded;
	unsigned int coded_size;
	VAEncSequenceParameterBufferH264 seq;
	VAEncPictureParameterBufferH264 pic;
	VAEncSliceParameterBufferH264 slice[KMSCAP_VAT_MAX_SLICES];
	unsigned int num_slices;
	unsigned int frame;	/* index of the next frame */
	unsigned int idr_frame;	/* index of the last IDR frame */
	unsigned int idr_count;
	bool omit_pic, omit_slices;	/* for the validation tests */
	uint8_t *out;
	size_t out_len, out_cap;
};

void kmscap_vat_enc_open(struct kmscap_vat_enc *e, VAProfile profile, unsigned int w,
			 unsigned int h, unsigned int packed, unsigned int coded_size);
/* The same with a rate control mode other than CQP. */
void kmscap_vat_enc_open_rc(struct kmscap_vat_enc *e, VAProfile profile, unsigned int w,
			    unsigned int h, unsigned int packed, unsigned int coded_size,
			    unsigned int rc_mode);
void kmscap_vat_enc_close(struct kmscap_vat_enc *e);
/* Fills seq/pic/slice defaults for frame index e->frame (IDR if idr). */
void kmscap_vat_enc_defaults(struct kmscap_vat_enc *e, bool idr, unsigned int slices);
/*
 * Submits one picture from the current parameters (seq only if with_seq),
 * plus any extra buffers, and returns the status of the first failing call.
 * On success the coded data is appended to e->out and e->frame advances.
 */
VAStatus kmscap_vat_enc_submit(struct kmscap_vat_enc *e, bool with_seq, VABufferID *extra,
			       unsigned int num_extra);
/* Creates a buffer of one element in @ctx into @ids[*@n], counting it in *@n. */
VAStatus kmscap_vat_add_buf(VADisplay dpy, VAContextID ctx, VABufferType type, unsigned int size,
			    const void *data, VABufferID *ids, unsigned int *n);
/*
 * The parameters of one encode picture: @seq (sent if @with_seq), @pic
 * (unless @omit_pic), the @num_slices slice parameters of @slice_size bytes
 * at @slices (unless @omit_slices).  KMSCAP_VAT_PARAMS() takes them from
 * an H.264 (kmscap_vat_enc) or HEVC (kmscap_vath) session, alike in names.
 */
#define KMSCAP_VAT_MAX_PARAM_SLICES 16
struct kmscap_vat_params {
	const void *seq, *pic, *slices;
	unsigned int seq_size, pic_size, slice_size, num_slices;
	bool with_seq, omit_pic, omit_slices;
};
#define KMSCAP_VAT_PARAMS(e, send_seq)						\
	((struct kmscap_vat_params) {						\
		.seq = &(e)->seq, .seq_size = sizeof((e)->seq),			\
		.pic = &(e)->pic, .pic_size = sizeof((e)->pic),			\
		.slices = (e)->slice, .slice_size = sizeof((e)->slice[0]),	\
		.num_slices = (e)->num_slices, .with_seq = (send_seq),		\
		.omit_pic = (e)->omit_pic, .omit_slices = (e)->omit_slices,	\
	})
/*
 * Creates the parameter buffers of @p, renders them and the @num_extra
 * buffers of @extra as one picture into @input, and destroys its own
 * buffers.  Returns the status of the first failing call.
 */
VAStatus kmscap_vat_submit_params(VADisplay dpy, VAContextID ctx, VASurfaceID input,
				  const struct kmscap_vat_params *p, const VABufferID *extra,
				  unsigned int num_extra);
/*
 * Appends the segments of the coded buffer to *@out (*@len bytes used of
 * *@cap), failing the test on an overflowed segment; returns the status
 * of vaMapBuffer(), or else of vaUnmapBuffer().
 */
VAStatus kmscap_vat_coded_append(VADisplay dpy, VABufferID coded, uint8_t **out, size_t *len,
				 size_t *cap);
/* Reads a decoder's output @yuv, which must hold @n frames of @fsize bytes. */
uint8_t *kmscap_vat_read_decoded(const char *yuv, size_t fsize, unsigned int n);
/* The value of "key=value" at a line start of ffprobe's output (static buffer), or NULL. */
char *kmscap_vat_probe_value(const char *out, const char *key);
bool kmscap_vat_write_file(const char *path, const void *data, size_t len);
/* Runs a shell command; returns its exit status, or -1. Output to *out if given. */
int kmscap_vat_run(const char *cmd, char **out);
bool kmscap_vat_have_tool(const char *name);
/* Skips the test without ffmpeg/ffprobe. */
void kmscap_vat_need_ffmpeg(void);
/*
 * Decodes e->out with ffmpeg and compares it byte for byte with frames;
 * ffprobe must report h264, profile, level, e's size and n frames.
 */
void kmscap_vat_check_stream(struct kmscap_vat_enc *e, const char *name,
			     struct kmscap_vat_frame *frames, unsigned int n, const char *profile,
			     const char *level);

/* Import helpers (test_import.c): an RGB memfd and its import. */
int kmscap_vat_rgb_memfd(const uint32_t *pixels, unsigned int w, unsigned int h,
			 unsigned int pitch, unsigned int offset);
VAStatus kmscap_vat_import_prime2(VADisplay dpy, int fd, uint32_t drm_format,
				  unsigned int va_fourcc, unsigned int w, unsigned int h,
				  unsigned int pitch, unsigned int offset, uint64_t modifier,
				  VASurfaceID *s);
VAStatus kmscap_vat_import_prime(VADisplay dpy, int fd, unsigned int va_fourcc,
				 unsigned int w, unsigned int h, unsigned int pitch,
				 VASurfaceID *s);
unsigned int kmscap_vat_rt_of(unsigned int va_fourcc);

/* VPP helpers (test_vpp.c). */
struct kmscap_vat_yuv {
	unsigned int w, h;
	int *y, *u, *v;		/* w*h, (w/2)*(h/2), (w/2)*(h/2) */
};
void kmscap_vat_yuv_free(struct kmscap_vat_yuv *o);
/* Runs one VPP picture; returns the status of the first failing call. */
VAStatus kmscap_vat_vpp(VADisplay dpy, VASurfaceID in, VASurfaceID out, const VARectangle *sr,
			const VARectangle *orr, uint32_t flags, uint32_t bg);
/* Reads back an NV12 or P010 surface into int planes (10-bit values for P010). */
void kmscap_vat_read(VADisplay dpy, VASurfaceID s, unsigned int w, unsigned int h,
		     struct kmscap_vat_yuv *o);
void kmscap_vat_compare(const struct kmscap_vat_yuv *got, const struct kmscap_vat_yuv *ref,
			const char *what);
VASurfaceID kmscap_vat_out_surface(VADisplay dpy, bool ten, unsigned int w, unsigned int h);
/* @n random colours of 0..@max, with black and white every 37th. */
void kmscap_vat_random_rgb(int (*rgb)[3], unsigned int n, int max, unsigned int seed);

/* One test case per test, named after it (the TAP line names the case). */
#define KMSCAP_VAT_ADD(suite, fn, timeout)				\
	do {								\
		TCase *_tc = tcase_create(#fn);				\
									\
		tcase_add_test(_tc, fn);				\
		if (timeout)						\
			tcase_set_timeout(_tc, timeout);		\
		suite_add_tcase(suite, _tc);				\
	} while (0)

Suite *kmscap_vat_suite_query(void);
Suite *kmscap_vat_suite_surface(void);
Suite *kmscap_vat_suite_import(void);
Suite *kmscap_vat_suite_vpp(void);
Suite *kmscap_vat_suite_vpp_rows(void);
Suite *kmscap_vat_suite_encode(void);
Suite *kmscap_vat_suite_validate(void);
Suite *kmscap_vat_suite_validate_objects(void);
Suite *kmscap_vat_suite_ffmpeg(void);
Suite *kmscap_vat_suite_tiling(void);

#endif /* KMSCAP_VA_TEST_H */
