/* SPDX-License-Identifier: MIT */
/*
 * va_vgem.h - the cases and the pictures of the vadriver VM test, shared by
 * the VM half (va_vgem.c: vgem dumb buffers -> dma-buf -> VA import -> VPP ->
 * H.264 encode or P010 read-back) and the host half (va_vgem_check.c:
 * ffmpeg decode, comparison with its own BT.709 reference).
 *
 * The pictures are defined as 10-bit R'G'B' values; the 8-bit formats carry
 * the upper 8 bits (v >> 2).  The X bits of every pixel hold junk that
 * depends on the position and the frame: the driver must ignore them.
 */
#ifndef KMSCAP_VA_VGEM_H
#define KMSCAP_VA_VGEM_H

#include <stdbool.h>
#include <stdint.h>

#include <drm_fourcc.h>

enum kmscap_vv_out {
	KMSCAP_VV_H264_HIGH,	/* VPP to NV12, H.264 High, CABAC */
	KMSCAP_VV_H264_CB,	/* VPP to NV12, H.264 Constrained Baseline, CAVLC */
	KMSCAP_VV_P010,		/* VPP to P010, read back with vaGetImage */
};

struct kmscap_vv_case {
	const char *name;	/* file names in /out, TAP names */
	uint32_t drm_format;	/* of the vgem dumb buffer */
	bool legacy_prime;	/* VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME, else DRM_PRIME_2 */
	unsigned int w, h;	/* the picture */
	unsigned int buf_w, buf_h;	/* the dumb buffer (pitch = buf_w * 4 or more) */
	unsigned int row0;	/* the picture starts this many rows into the buffer */
	enum kmscap_vv_out out;
	unsigned int frames;
};

/*
 * xr24: XRGB8888, PRIME_2, the whole buffer, High + CABAC, 320x240;
 * xb24: XBGR8888, legacy PRIME, a 200x120 picture in a 256x128 buffer
 *       (pitch > width, cropping in the SPS), Constrained Baseline + CAVLC;
 * xr30: XRGB2101010, PRIME_2, a 160x96 picture 4 rows into a 176x100
 *       buffer (plane offset), VPP to P010 (the driver encodes 8-bit only).
 */
static const struct kmscap_vv_case kmscap_vv_cases[] = {
	{ "xr24-prime2-high", DRM_FORMAT_XRGB8888, false, 320, 240, 320, 240, 0,
	  KMSCAP_VV_H264_HIGH, 6 },
	{ "xb24-prime-cb", DRM_FORMAT_XBGR8888, true, 200, 120, 256, 128, 0,
	  KMSCAP_VV_H264_CB, 5 },
	{ "xr30-prime2-p010", DRM_FORMAT_XRGB2101010, false, 160, 96, 176, 100, 4,
	  KMSCAP_VV_P010, 4 },
};

#define KMSCAP_VV_NUM_CASES (sizeof(kmscap_vv_cases) / sizeof(kmscap_vv_cases[0]))

/* The buffers of a case, used in turn: frame n is drawn into buffer n % 2. */
#define KMSCAP_VV_BUFS 2

static inline uint32_t kmscap_vv_hash(unsigned int n, unsigned int x, unsigned int y)
{
	uint32_t v = x * 0x9e3779b1u ^ y * 0x85ebca6bu ^ (n + 1) * 0xc2b2ae35u;

	v ^= v >> 15;
	v *= 0x2c1b3c6du;
	v ^= v >> 12;
	v *= 0x297a2d39u;
	return v ^ (v >> 15);
}

/*
 * 10-bit R'G'B' of pixel (x, y) of frame @n of a @w x @h picture: 8x8 tiles
 * of three kinds that move with the frame number: noise, gradients that
 * shift with @n, and the eight corners of the RGB cube (0 and 1023).
 */
static inline void kmscap_vv_rgb10(unsigned int n, unsigned int x, unsigned int y,
				   unsigned int w, unsigned int h, unsigned int rgb[3])
{
	uint32_t v = kmscap_vv_hash(n, x, y);
	unsigned int corner = (x / 8 + 3 * (y / 8) + n) % 8;

	switch ((x / 8 + y / 8 + n) % 3) {
	case 0:
		rgb[0] = v & 1023;
		rgb[1] = (v >> 10) & 1023;
		rgb[2] = (v >> 20) & 1023;
		break;
	case 1:
		rgb[0] = (x * 1023 / (w - 1) + 40 * n) % 1024;
		rgb[1] = y * 1023 / (h - 1);
		rgb[2] = ((x + y) * 4 + 97 * n) % 1024;
		break;
	default:
		rgb[0] = corner & 1 ? 1023 : 0;
		rgb[1] = corner & 2 ? 1023 : 0;
		rgb[2] = corner & 4 ? 1023 : 0;
		break;
	}
}

/* The junk in the X bits: 8 bits for 8888, the low 2 of them for 2101010. */
static inline uint32_t kmscap_vv_junk(unsigned int n, unsigned int x, unsigned int y)
{
	return (x * 7 + y * 3 + n * 29 + 1) & 0xff;
}

#endif /* KMSCAP_VA_VGEM_H */
