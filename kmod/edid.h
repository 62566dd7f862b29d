/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmscap: display timing and EDID generation.
 *
 * Pure C shared by the kernel module and the user-space unit tests: no
 * allocation, no locking, no library calls beyond memset/memcpy.
 */
#ifndef _KMSCAP_EDID_H
#define _KMSCAP_EDID_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#include <stddef.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

/* Accepted input range (the same as the ioctl ABI's KMSCAP_MIN/MAX_*). */
#define KMSCAP_TIMING_MIN_SIZE		64
#define KMSCAP_TIMING_MAX_SIZE		8192
#define KMSCAP_TIMING_MIN_REFRESH_MHZ	1000
#define KMSCAP_TIMING_MAX_REFRESH_MHZ	500000

/* &struct kmscap_timing.flags: sync polarity, as CVT reduced blanking. */
#define KMSCAP_TIMING_PHSYNC	(1U << 0)
#define KMSCAP_TIMING_NVSYNC	(1U << 1)

/* Size of one EDID block and of a buffer always large enough. */
#define KMSCAP_EDID_BLOCK	128
#define KMSCAP_EDID_MAX_SIZE	256

/* Manufacturer id written to every EDID: "KCP" (KmsCaP), see edid.c. */
#define KMSCAP_EDID_VENDOR	"KCP"
#define KMSCAP_EDID_NAME_MAX	13

/**
 * struct kmscap_timing - a complete progressive display timing
 * @clock_khz: pixel clock in kHz, always a multiple of 10 (the EDID
 *	detailed timing unit) and at most INT_MAX.
 * @hdisplay: active pixels per line.
 * @hsync_start: pixel at which horizontal sync starts.
 * @hsync_end: pixel at which horizontal sync ends.
 * @htotal: pixels per line including blanking, at most 65535.
 * @vdisplay: active lines.
 * @vsync_start: line at which vertical sync starts.
 * @vsync_end: line at which vertical sync ends.
 * @vtotal: lines per frame including blanking, at most 65535.
 * @flags: KMSCAP_TIMING_* sync polarity flags.
 *
 * The fields map one to one onto &struct drm_display_mode.
 */
struct kmscap_timing {
	u32 clock_khz;
	u32 hdisplay;
	u32 hsync_start;
	u32 hsync_end;
	u32 htotal;
	u32 vdisplay;
	u32 vsync_start;
	u32 vsync_end;
	u32 vtotal;
	u32 flags;
};

/**
 * struct kmscap_edid_params - what an EDID describes
 * @width: preferred mode width in pixels.
 * @height: preferred mode height in pixels.
 * @refresh_mhz: preferred mode refresh rate in mHz.
 * @display_id: written as the serial number, binary and as a string.
 * @product_code: manufacturer's product code.
 * @week: week of manufacture, 1..54, or 0 if unspecified.
 * @year: year of manufacture, 1990..2245.
 * @name: monitor name of at most %KMSCAP_EDID_NAME_MAX printable ASCII
 *	characters, or NULL for "kmscap <display_id>".
 */
struct kmscap_edid_params {
	u32 width;
	u32 height;
	u32 refresh_mhz;
	u32 display_id;
	u16 product_code;
	u8 week;
	u16 year;
	const char *name;
};

/* Why kmscap_timing_check() refuses a timing. */
enum kmscap_timing_verdict {
	KMSCAP_TIMING_OK = 0,
	KMSCAP_TIMING_BAD_CLOCK,	/* zero pixel clock */
	KMSCAP_TIMING_BAD_WIDTH,	/* hdisplay out of 64..8192 */
	KMSCAP_TIMING_BAD_HEIGHT,	/* vdisplay out of 64..8192 */
	KMSCAP_TIMING_BAD_HTIMING,	/* hsync_start, hsync_end, htotal out of order */
	KMSCAP_TIMING_BAD_VTIMING,	/* vsync_start, vsync_end, vtotal out of order */
	KMSCAP_TIMING_REFRESH_LOW,	/* below 1 Hz */
	KMSCAP_TIMING_REFRESH_HIGH,	/* above 500 Hz */
};

int kmscap_timing_compute(u32 width, u32 height, u32 refresh_mhz,
			  struct kmscap_timing *t);
u32 kmscap_timing_refresh_mhz(const struct kmscap_timing *t);
enum kmscap_timing_verdict kmscap_timing_check(const struct kmscap_timing *t);
int kmscap_edid_build(u8 *buf, size_t len, const struct kmscap_edid_params *p);

#endif /* _KMSCAP_EDID_H */
