// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmscap: display timing and EDID generation.
 *
 * Timings follow the shape of CVT reduced blanking v2: an 80 pixel
 * horizontal blank (front porch 8, sync 32, back porch 40) and a vertical
 * blank of at least 460 us (front porch 3, sync 8, back porch >= 6 lines),
 * +hsync -vsync.  Modes that would run below a 10 MHz pixel clock, the
 * smallest EDID detailed timing that edid-decode accepts, get a wider
 * horizontal blank, then a taller vertical one.  htotal and vtotal are
 * then padded (up to 255 pixels and 63 lines, into the back porches)
 * until the pixel clock, rounded to the 10 kHz unit of EDID detailed
 * timings, gives the requested refresh rate to within 10 ppm and 0.25 mHz,
 * or the best pair found (never worse than 0.01%).
 *
 * The EDID is one EDID 1.4 base block.  Its manufacturer id "KCP" (KmsCaP)
 * is, to our knowledge, not assigned in the UEFI PNP id registry (it is
 * absent from the copy shipped in systemd 252's hwdb); it marks the
 * display as the virtual kmscap device and matches no kernel EDID quirk.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/string.h>
#endif

#include "edid.h"

#ifndef __KERNEL__
#include <errno.h>
#include <limits.h>
#include <string.h>

static inline u64 div64_u64(u64 dividend, u64 divisor)
{
	return dividend / divisor;
}
#endif

#define KMSCAP_HFRONT		8
#define KMSCAP_HSYNC		32
#define KMSCAP_HBACK		40
#define KMSCAP_VFRONT		3
#define KMSCAP_VSYNC		8
#define KMSCAP_VBACK_MIN	6
#define KMSCAP_VBLANK_MIN_NS	460000ULL
#define KMSCAP_MIN_CLOCK_MHZ	10000000000ULL	/* 10 MHz, in mHz */
#define KMSCAP_HBLANK_MAX	3840		/* 4095 less pad and fixed blank */
#define KMSCAP_HPAD		256
#define KMSCAP_VPAD		64
#define KMSCAP_GOOD_PPB		10000		/* 10 ppm */
#define KMSCAP_CLOCK_UNIT	10000000ULL	/* 10 kHz in mHz */

/* Limits of an EDID detailed timing descriptor and range limits. */
#define KMSCAP_DTD_MIN_CLOCK_KHZ	10000
#define KMSCAP_DTD_MAX_CLOCK_KHZ	655350
#define KMSCAP_DTD_MAX_12BIT		4095
#define KMSCAP_RANGE_MAX		510	/* Hz or kHz, with the +255 offset */
#define KMSCAP_RANGE_MAX_CLOCK		255	/* 10 MHz units */

/* kmscap_timing_check()'s refresh limits in 0.1 mHz, with 0.01% slack. */
#define KMSCAP_CHECK_MIN_REFRESH	(KMSCAP_TIMING_MIN_REFRESH_MHZ * 10ULL * 9999 / 10000)
#define KMSCAP_CHECK_MAX_REFRESH	(KMSCAP_TIMING_MAX_REFRESH_MHZ * 10ULL * 10001 / 10000)

/**
 * kmscap_timing_compute() - compute a display timing for a mode
 * @width: active width in pixels, %KMSCAP_TIMING_MIN_SIZE..%KMSCAP_TIMING_MAX_SIZE.
 * @height: active height in lines, same range.
 * @refresh_mhz: refresh rate in mHz,
 *	%KMSCAP_TIMING_MIN_REFRESH_MHZ..%KMSCAP_TIMING_MAX_REFRESH_MHZ.
 * @t: filled with the timing.
 *
 * The refresh rate implied by the result, clock * 1000 / (htotal * vtotal),
 * is within 0.01% of @refresh_mhz (measured worst case 22 ppm), and
 * kmscap_timing_refresh_mhz() gives @refresh_mhz back exactly for all but
 * about 1 in 10000 inputs, which are 1 mHz off.  The pixel clock is a
 * multiple of 10 kHz and at least 10 MHz.  Even 8192x8192 at 500 Hz fits:
 * htotal and vtotal stay below 11000 and the clock below 50 GHz.  The
 * padding search usually ends within a few hundred candidates (at most
 * 16384, each two 64-bit divisions); call it at configuration time only.
 *
 * Return: 0, -EINVAL for an argument out of range, or -ERANGE if a value
 * would not fit &struct drm_display_mode (u16 totals, int clock); the
 * latter does not happen for any argument in range.
 */
int kmscap_timing_compute(u32 width, u32 height, u32 refresh_mhz, struct kmscap_timing *t)
{
	u64 active_ns, px, x, q, err, ppb, best_ppb = ~0ULL, best_q = 0;
	u32 hmin, vmin, vlines, h, v, best_h = 0, best_v = 0;

	if (width < KMSCAP_TIMING_MIN_SIZE || width > KMSCAP_TIMING_MAX_SIZE ||
	    height < KMSCAP_TIMING_MIN_SIZE || height > KMSCAP_TIMING_MAX_SIZE ||
	    refresh_mhz < KMSCAP_TIMING_MIN_REFRESH_MHZ ||
	    refresh_mhz > KMSCAP_TIMING_MAX_REFRESH_MHZ)
		return -EINVAL;

	/* Vertical blank lines: the first whole line count lasting 460 us. */
	active_ns = div64_u64(1000000000000ULL, refresh_mhz) - KMSCAP_VBLANK_MIN_NS;
	vlines = div64_u64(KMSCAP_VBLANK_MIN_NS * height, active_ns) + 1;
	if (vlines < KMSCAP_VFRONT + KMSCAP_VSYNC + KMSCAP_VBACK_MIN)
		vlines = KMSCAP_VFRONT + KMSCAP_VSYNC + KMSCAP_VBACK_MIN;
	vmin = height + vlines;
	hmin = width + KMSCAP_HFRONT + KMSCAP_HSYNC + KMSCAP_HBACK;

	/* At least 10 MHz: widen the horizontal blank, then the vertical. */
	px = div64_u64(KMSCAP_MIN_CLOCK_MHZ + refresh_mhz - 1, refresh_mhz);
	if ((u64)hmin * vmin < px) {
		x = div64_u64(px + vmin - 1, vmin);
		hmin = x < width + KMSCAP_HBLANK_MAX ? x : width + KMSCAP_HBLANK_MAX;
		x = div64_u64(px + hmin - 1, hmin);
		vmin = x > vmin ? x : vmin;
	}

	/* Least padding giving the rate within 10 ppm and 0.25 mHz. */
	for (v = vmin; v < vmin + KMSCAP_VPAD; v++) {
		for (h = hmin; h < hmin + KMSCAP_HPAD; h++) {
			x = (u64)refresh_mhz * h * v;	/* pixel rate, mHz */
			q = div64_u64(x + KMSCAP_CLOCK_UNIT / 2, KMSCAP_CLOCK_UNIT);
			if (!q)
				continue;
			err = q * KMSCAP_CLOCK_UNIT;
			err = err > x ? err - x : x - err;
			ppb = div64_u64(err * 1000000000ULL, x);
			if (ppb < best_ppb) {
				best_ppb = ppb;
				best_q = q;
				best_h = h;
				best_v = v;
			}
			if (ppb <= KMSCAP_GOOD_PPB && ppb * refresh_mhz <= 250000000)
				goto found;
		}
	}
	if (best_ppb > 100000)	/* 0.01% */
		return -ERANGE;
found:
	if (best_h > 65535 || best_v > 65535 || best_q * 10 > INT_MAX)
		return -ERANGE;

	t->clock_khz = best_q * 10;
	t->hdisplay = width;
	t->hsync_start = width + KMSCAP_HFRONT;
	t->hsync_end = t->hsync_start + KMSCAP_HSYNC;
	t->htotal = best_h;
	t->vdisplay = height;
	t->vsync_start = height + KMSCAP_VFRONT;
	t->vsync_end = t->vsync_start + KMSCAP_VSYNC;
	t->vtotal = best_v;
	t->flags = KMSCAP_TIMING_PHSYNC | KMSCAP_TIMING_NVSYNC;
	return 0;
}

/**
 * kmscap_timing_refresh_mhz() - refresh rate of a timing
 * @t: a timing from kmscap_timing_compute().
 *
 * Return: clock / (htotal * vtotal) in mHz, rounded to nearest.
 */
u32 kmscap_timing_refresh_mhz(const struct kmscap_timing *t)
{
	u64 den = (u64)t->htotal * t->vtotal;

	if (!den)
		return 0;
	return div64_u64((u64)t->clock_khz * 1000000 + den / 2, den);
}

/**
 * kmscap_timing_check() - may a display run this timing?
 * @t: any timing, e.g. a mode set by a DRM master.
 *
 * The limits are those of the ioctl ABI: 64..8192 active pixels and lines,
 * 1..500 Hz, and a timing that makes sense (a pixel clock, sync pulses
 * inside the blanking, totals not below the active area and within
 * &struct drm_display_mode's u16).  The refresh rate may be off the range
 * by the 0.01% that kmscap_timing_compute() allows itself (it is within
 * 10 ppm), so a frame lasts at most 1.0001 s and at least 1.9998 ms: the
 * vblank timer's rate and the hold timeouts derived from the period stay
 * bounded.
 *
 * Return: %KMSCAP_TIMING_OK or the first reason the timing is refused.
 */
enum kmscap_timing_verdict kmscap_timing_check(const struct kmscap_timing *t)
{
	u64 den = (u64)t->htotal * t->vtotal, r;

	if (!t->clock_khz)
		return KMSCAP_TIMING_BAD_CLOCK;
	if (t->hdisplay < KMSCAP_TIMING_MIN_SIZE || t->hdisplay > KMSCAP_TIMING_MAX_SIZE)
		return KMSCAP_TIMING_BAD_WIDTH;
	if (t->vdisplay < KMSCAP_TIMING_MIN_SIZE || t->vdisplay > KMSCAP_TIMING_MAX_SIZE)
		return KMSCAP_TIMING_BAD_HEIGHT;
	if (t->hsync_start < t->hdisplay || t->hsync_end < t->hsync_start ||
	    t->htotal < t->hsync_end || t->htotal > 65535)
		return KMSCAP_TIMING_BAD_HTIMING;
	if (t->vsync_start < t->vdisplay || t->vsync_end < t->vsync_start ||
	    t->vtotal < t->vsync_end || t->vtotal > 65535)
		return KMSCAP_TIMING_BAD_VTIMING;
	/* Refresh rate in 0.1 mHz: den >= 64 * 64, clock < 2^32, no overflow. */
	r = div64_u64((u64)t->clock_khz * 10000000 + den / 2, den);
	if (r < KMSCAP_CHECK_MIN_REFRESH)
		return KMSCAP_TIMING_REFRESH_LOW;
	if (r > KMSCAP_CHECK_MAX_REFRESH)
		return KMSCAP_TIMING_REFRESH_HIGH;
	return KMSCAP_TIMING_OK;
}

static int kmscap_dtd_fits(const struct kmscap_timing *t)
{
	return t->clock_khz >= KMSCAP_DTD_MIN_CLOCK_KHZ &&
	       t->clock_khz <= KMSCAP_DTD_MAX_CLOCK_KHZ &&
	       t->hdisplay <= KMSCAP_DTD_MAX_12BIT && t->vdisplay <= KMSCAP_DTD_MAX_12BIT &&
	       t->htotal - t->hdisplay <= KMSCAP_DTD_MAX_12BIT &&
	       t->vtotal - t->vdisplay <= KMSCAP_DTD_MAX_12BIT &&
	       (t->clock_khz + t->htotal - 1) / t->htotal <= KMSCAP_RANGE_MAX;
}

/* 18-byte detailed timing descriptor; size in mm. */
static void kmscap_edid_dtd(u8 *d, const struct kmscap_timing *t, u32 hmm, u32 vmm)
{
	u32 clk = t->clock_khz / 10;
	u32 hblank = t->htotal - t->hdisplay, vblank = t->vtotal - t->vdisplay;
	u32 hso = t->hsync_start - t->hdisplay, hsw = t->hsync_end - t->hsync_start;
	u32 vso = t->vsync_start - t->vdisplay, vsw = t->vsync_end - t->vsync_start;

	d[0] = clk & 0xff;
	d[1] = clk >> 8;
	d[2] = t->hdisplay & 0xff;
	d[3] = hblank & 0xff;
	d[4] = (t->hdisplay >> 8) << 4 | hblank >> 8;
	d[5] = t->vdisplay & 0xff;
	d[6] = vblank & 0xff;
	d[7] = (t->vdisplay >> 8) << 4 | vblank >> 8;
	d[8] = hso & 0xff;
	d[9] = hsw & 0xff;
	d[10] = (vso & 0xf) << 4 | (vsw & 0xf);
	d[11] = (hso >> 8) << 6 | (hsw >> 8) << 4 | (vso >> 4) << 2 | vsw >> 4;
	d[12] = hmm & 0xff;
	d[13] = vmm & 0xff;
	d[14] = (hmm >> 8) << 4 | vmm >> 8;
	d[15] = 0;
	d[16] = 0;
	/* Digital separate sync; bit 2: +vsync, bit 1: +hsync. */
	d[17] = 0x18 | (t->flags & KMSCAP_TIMING_NVSYNC ? 0 : 0x04) |
		(t->flags & KMSCAP_TIMING_PHSYNC ? 0x02 : 0);
}

/* Display descriptor with a text of @n <= 13 characters. */
static void kmscap_edid_text(u8 *d, u8 tag, const char *s, size_t n)
{
	memset(d, 0, 5);
	d[3] = tag;
	memcpy(d + 5, s, n);
	if (n < KMSCAP_EDID_NAME_MAX) {
		d[5 + n] = 0x0a;
		memset(d + 6 + n, 0x20, KMSCAP_EDID_NAME_MAX - 1 - n);
	}
}

struct kmscap_range {
	u32 vmin, vmax, hmin, hmax, clock;
};

static void kmscap_range_add(struct kmscap_range *r, const struct kmscap_timing *t)
{
	u64 hz = (u64)t->clock_khz * 1000, den = (u64)t->htotal * t->vtotal;
	u32 vmin = div64_u64(hz, den), vmax = div64_u64(hz + den - 1, den);
	u32 hmin = t->clock_khz / t->htotal;
	u32 hmax = (t->clock_khz + t->htotal - 1) / t->htotal;
	u32 clock = (t->clock_khz + 9999) / 10000;

	r->vmin = vmin < r->vmin ? vmin : r->vmin;
	r->vmax = vmax > r->vmax ? vmax : r->vmax;
	r->hmin = hmin < r->hmin ? hmin : r->hmin;
	r->hmax = hmax > r->hmax ? hmax : r->hmax;
	r->clock = clock > r->clock ? clock : r->clock;
}

static u32 kmscap_clamp(u32 v, u32 max)
{
	return v < 1 ? 1 : v > max ? max : v;
}

/* Range limits descriptor, "range limits only", values clamped. */
static void kmscap_edid_range(u8 *d, const struct kmscap_range *r)
{
	u32 vals[4] = { r->vmin, r->vmax, r->hmin, r->hmax };
	int i;

	memset(d, 0, 5);
	d[3] = 0xfd;
	for (i = 0; i < 4; i++) {
		vals[i] = kmscap_clamp(vals[i], KMSCAP_RANGE_MAX);
		if (vals[i] > 255) {
			/* Offset flags: bits 1/3 for a maximum, 0/2 for a minimum. */
			d[4] |= (i & 1 ? 2 : 1) << (i & 2);
			vals[i] -= 255;
		}
		d[5 + i] = vals[i];
	}
	d[9] = kmscap_clamp(r->clock, KMSCAP_RANGE_MAX_CLOCK);
	d[10] = 0x01;
	d[11] = 0x0a;
	memset(d + 12, 0x20, 6);
}

/* Decimal digits of @v into @s (no terminator); returns their count. */
static size_t kmscap_utoa(char *s, u32 v)
{
	char tmp[10];
	size_t n = 0, i;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		s[i] = tmp[n - 1 - i];
	return n;
}

/* sRGB primaries and D65 white point, 10-bit CIE xy fractions. */
static const u16 kmscap_srgb[8] = { 655, 338, 307, 614, 154, 61, 320, 337 };

/**
 * kmscap_edid_build() - build the EDID of a kmscap display
 * @buf: output buffer.
 * @len: size of @buf, at least %KMSCAP_EDID_BLOCK.
 * @p: what to describe.
 *
 * Builds an EDID 1.4 base block: vendor %KMSCAP_EDID_VENDOR, digital input
 * with 8 bits per colour, sRGB, a physical size for 96 DPI (0, unknown,
 * when below 10 cm), and four descriptors: a detailed timing, range
 * limits, the monitor name and the serial number as a string.
 *
 * The detailed timing is the preferred mode when it fits the descriptor
 * (pixel clock <= 655.35 MHz, active and blanking <= 4095, line rate
 * <= 510 kHz); otherwise width and height are halved, keeping the refresh
 * rate, until it fits: 7680x4320@60 is described as 3840x2160@60 and
 * 8192x8192@500 as 512x512@500.  A compositor reading only the EDID then
 * sees that smaller mode, marked preferred; the kernel driver adds the
 * exact preferred mode to the connector itself.  The "preferred timing is
 * native" feature bit is only set when the descriptor is the exact mode.
 * The range limits cover both modes as far as the descriptor can express
 * (1..510 Hz and kHz, pixel clock up to 2550 MHz).  No extension block is
 * generated.
 *
 * Return: the EDID size in bytes (128), -ENOSPC if @len is too small,
 * -EINVAL for a mode, week, year or name out of range, -ERANGE as
 * kmscap_timing_compute().
 */
int kmscap_edid_build(u8 *buf, size_t len, const struct kmscap_edid_params *p)
{
	struct kmscap_range range = { ~0U, 0, ~0U, 0, 0 };
	struct kmscap_timing pref, dtd;
	u32 w = p->width, h = p->height, hmm, vmm;
	char name[KMSCAP_EDID_NAME_MAX], serial[10];
	size_t i, n, ns;
	u8 sum = 0;
	int ret;

	if (len < KMSCAP_EDID_BLOCK)
		return -ENOSPC;
	if (p->week > 54 || p->year < 1990 || p->year > 2245)
		return -EINVAL;
	ret = kmscap_timing_compute(w, h, p->refresh_mhz, &pref);
	if (ret)
		return ret;

	if (p->name) {
		for (n = 0; p->name[n]; n++)
			if (n >= KMSCAP_EDID_NAME_MAX || p->name[n] < 0x20 || p->name[n] > 0x7e)
				return -EINVAL;
		memcpy(name, p->name, n);
	} else {
		/* "kmscap N"; beyond 6 digits "kmscap" and the last 7 digits. */
		ns = kmscap_utoa(serial, p->display_id);
		memcpy(name, "kmscap ", 7);
		n = ns <= 6 ? 7 : 6;
		i = ns <= 6 ? 0 : ns - 7;
		memcpy(name + n, serial + i, ns - i);
		n += ns - i;
	}

	dtd = pref;
	while (!kmscap_dtd_fits(&dtd)) {
		if (w == KMSCAP_TIMING_MIN_SIZE && h == KMSCAP_TIMING_MIN_SIZE)
			return -ERANGE;
		w = w / 2 < KMSCAP_TIMING_MIN_SIZE ? KMSCAP_TIMING_MIN_SIZE : w / 2;
		h = h / 2 < KMSCAP_TIMING_MIN_SIZE ? KMSCAP_TIMING_MIN_SIZE : h / 2;
		ret = kmscap_timing_compute(w, h, p->refresh_mhz, &dtd);
		if (ret)
			return ret;
	}
	kmscap_range_add(&range, &pref);
	kmscap_range_add(&range, &dtd);

	/* Size at 96 DPI, or 0 ("unknown") when under 10 cm, as EDID asks. */
	hmm = (p->width * 254 + 480) / 960;
	vmm = (p->height * 254 + 480) / 960;
	if (hmm < 100 || vmm < 100) {
		hmm = 0;
		vmm = 0;
	}

	memset(buf, 0, KMSCAP_EDID_BLOCK);
	memset(buf + 1, 0xff, 6);
	buf[8] = (KMSCAP_EDID_VENDOR[0] - '@') << 2 | (KMSCAP_EDID_VENDOR[1] - '@') >> 3;
	buf[9] = ((KMSCAP_EDID_VENDOR[1] - '@') & 7) << 5 | (KMSCAP_EDID_VENDOR[2] - '@');
	buf[10] = p->product_code & 0xff;
	buf[11] = p->product_code >> 8;
	for (i = 0; i < 4; i++)
		buf[12 + i] = p->display_id >> (8 * i);
	buf[16] = p->week;
	buf[17] = p->year - 1990;
	buf[18] = 1;
	buf[19] = 4;
	buf[20] = 0xa0;				/* digital, 8 bpc, interface undefined */
	buf[21] = (hmm + 5) / 10;
	buf[22] = (vmm + 5) / 10;
	buf[23] = 120;				/* gamma 2.2 */
	buf[24] = 0x04 | (dtd.hdisplay == pref.hdisplay && dtd.vdisplay == pref.vdisplay ?
			  0x02 : 0);		/* sRGB, preferred timing native */
	for (i = 0; i < 8; i++) {
		buf[25 + i / 4] |= (kmscap_srgb[i] & 3) << (6 - 2 * (i % 4));
		buf[27 + i] = kmscap_srgb[i] >> 2;
	}
	memset(buf + 38, 0x01, 16);		/* no standard timings */

	kmscap_edid_dtd(buf + 54, &dtd, hmm, vmm);
	kmscap_edid_range(buf + 72, &range);
	kmscap_edid_text(buf + 90, 0xfc, name, n);
	ns = kmscap_utoa(serial, p->display_id);
	kmscap_edid_text(buf + 108, 0xff, serial, ns);

	for (i = 0; i < KMSCAP_EDID_BLOCK - 1; i++)
		sum += buf[i];
	buf[KMSCAP_EDID_BLOCK - 1] = -sum;
	return KMSCAP_EDID_BLOCK;
}
