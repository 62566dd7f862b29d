/* SPDX-License-Identifier: MIT */
/*
 * test_hevc.h - the HEVC encode session shared by test_hevc.c and
 * test_hevc_validate.c.
 */
#ifndef KMSCAP_TEST_HEVC_H
#define KMSCAP_TEST_HEVC_H

#include "va_test.h"

#include <va/va_enc_hevc.h>

Suite *kmscap_vat_suite_hevc(void);
Suite *kmscap_vat_suite_hevc_validate(void);

#define KMSCAP_VATH_MAX_SLICES 4

struct kmscap_vath {
	struct kmscap_vat t;
	VAProfile profile;
	bool main10;
	unsigned int width, height, packed;
	VAConfigID config;
	VAContextID context;
	VASurfaceID input, recon[3];
	VABufferID coded;
	unsigned int coded_size;
	unsigned int ctb_log2, pcm_max_log2;	/* 0: 32 if offered, the largest offered */
	VAConfigAttribValEncHEVCFeatures features;
	VAConfigAttribValEncHEVCBlockSizes sizes;
	VAEncSequenceParameterBufferHEVC seq;
	VAEncPictureParameterBufferHEVC pic;
	VAEncSliceParameterBufferHEVC slice[KMSCAP_VATH_MAX_SLICES];
	unsigned int num_slices;
	unsigned int frame;		/* index of the next frame */
	int32_t ref_poc;		/* POC of the previous (reference) picture */
	VASurfaceID ref_surface;
	bool omit_pic, omit_slices;
	uint8_t *out;
	size_t out_len, out_cap;
};

/* A frame as the decoder outputs it: NV12, or P010 (little endian, value << 6). */
struct kmscap_vath_frame {
	unsigned int width, height, bps;	/* bytes per sample: 1 or 2 */
	uint8_t *data;				/* luma, then interleaved CbCr */
};

void kmscap_vath_frame_gen(struct kmscap_vath_frame *f, unsigned int w, unsigned int h,
			   bool ten, unsigned int seed);
void kmscap_vath_upload(VADisplay dpy, VASurfaceID s, const struct kmscap_vath_frame *f);
void kmscap_vath_open_rc(struct kmscap_vath *e, VAProfile profile, unsigned int w,
			 unsigned int h, unsigned int packed, unsigned int rc_mode);
void kmscap_vath_open(struct kmscap_vath *e, VAProfile profile, unsigned int w,
		      unsigned int h, unsigned int packed);
void kmscap_vath_close(struct kmscap_vath *e);
void kmscap_vath_invalid(VAPictureHEVC *p);
/* Parameters of frame e->frame: an IDR, or a P picture referring to the previous one. */
void kmscap_vath_defaults(struct kmscap_vath *e, bool idr, unsigned int slices);
/* Submits the current parameters and extra buffers; on success appends the coded data. */
VAStatus kmscap_vath_submit(struct kmscap_vath *e, bool with_seq, VABufferID *extra,
			    unsigned int num_extra);
/* Decodes e->out with ffmpeg and compares it with frames[0..n-1]. */
void kmscap_vath_check(struct kmscap_vath *e, const char *name,
		       struct kmscap_vath_frame *frames, unsigned int n);

#endif /* KMSCAP_TEST_HEVC_H */
