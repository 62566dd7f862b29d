// SPDX-License-Identifier: MIT
/*
 * Mode strings: "WIDTHxHEIGHT[@HZ]" <-> width, height, refresh in mHz.
 * The refresh rate is parsed digit by digit as integers, so "143.912"
 * is exactly 143912 mHz with no floating-point rounding.
 */
#include <errno.h>
#include <stdio.h>

#include "libkmscap.h"

/* Larger than any valid value, small enough that digit * 10 cannot wrap. */
#define KMSCAP_PARSE_LIMIT	100000000U

static int kmscap_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Parse a run of decimal digits at *@p into @val.  Returns the number of
 * digits, or -ERANGE when the value exceeds KMSCAP_PARSE_LIMIT.
 */
static int kmscap_parse_uint(const char **p, uint32_t *val)
{
	const char *s = *p;
	uint32_t v = 0;
	int n = 0;

	while (kmscap_is_digit(*s)) {
		v = v * 10 + (uint32_t)(*s - '0');
		if (v > KMSCAP_PARSE_LIMIT) {
			/* skip the rest so that the caller reports overflow */
			while (kmscap_is_digit(*s))
				s++;
			*p = s;
			return -ERANGE;
		}
		s++;
		n++;
	}
	*p = s;
	*val = v;
	return n;
}

static int kmscap_fail(const char **why, const char *reason, int err)
{
	if (why)
		*why = reason;
	return err;
}

int kmscap_parse_mode_why(const char *s, uint32_t *width, uint32_t *height,
			  uint32_t *refresh_mhz, const char **why)
{
	uint32_t w, h, hz, frac = 0, mhz;
	int n, i;

	if (why)
		*why = NULL;
	if (!s || !*s)
		return kmscap_fail(why, "empty mode", -EINVAL);

	n = kmscap_parse_uint(&s, &w);
	if (n == -ERANGE)
		return kmscap_fail(why, "width is too large", -ERANGE);
	if (n == 0)
		return kmscap_fail(why, "expected WIDTHxHEIGHT[@HZ], e.g. 1920x1080@60", -EINVAL);
	if (*s != 'x' && *s != 'X')
		return kmscap_fail(why, "expected WIDTHxHEIGHT[@HZ], e.g. 1920x1080@60", -EINVAL);
	s++;
	n = kmscap_parse_uint(&s, &h);
	if (n == -ERANGE)
		return kmscap_fail(why, "height is too large", -ERANGE);
	if (n == 0)
		return kmscap_fail(why, "expected a height after 'x'", -EINVAL);

	if (*s == '\0') {
		mhz = 60000;
	} else if (*s == '@') {
		s++;
		n = kmscap_parse_uint(&s, &hz);
		if (n == -ERANGE)
			return kmscap_fail(why, "refresh rate is too large", -ERANGE);
		if (n == 0)
			return kmscap_fail(why, "expected a refresh rate in Hz after '@'", -EINVAL);
		if (*s == '.') {
			s++;
			for (i = 0; kmscap_is_digit(*s); i++, s++) {
				if (i == 3)
					return kmscap_fail(why,
							   "refresh rate has more than 3 decimals",
							   -EINVAL);
				frac = frac * 10 + (uint32_t)(*s - '0');
			}
			if (i == 0)
				return kmscap_fail(why, "expected digits after '.'", -EINVAL);
			for (; i < 3; i++)
				frac *= 10;
		}
		if (*s != '\0')
			return kmscap_fail(why, "unexpected characters after the refresh rate",
					   -EINVAL);
		if (hz > KMSCAP_MAX_REFRESH_MHZ / 1000)
			return kmscap_fail(why, "refresh rate must be 1..500 Hz", -ERANGE);
		mhz = hz * 1000 + frac;
	} else {
		return kmscap_fail(why, "unexpected characters after the height", -EINVAL);
	}

	if (w == 0 && h == 0)
		return kmscap_fail(why, "width and height must be 64..8192", -ERANGE);
	if (w < KMSCAP_MIN_SIZE || w > KMSCAP_MAX_SIZE)
		return kmscap_fail(why, "width must be 64..8192", -ERANGE);
	if (h < KMSCAP_MIN_SIZE || h > KMSCAP_MAX_SIZE)
		return kmscap_fail(why, "height must be 64..8192", -ERANGE);
	if (mhz < KMSCAP_MIN_REFRESH_MHZ || mhz > KMSCAP_MAX_REFRESH_MHZ)
		return kmscap_fail(why, "refresh rate must be 1..500 Hz", -ERANGE);

	if (width)
		*width = w;
	if (height)
		*height = h;
	if (refresh_mhz)
		*refresh_mhz = mhz;
	return 0;
}

int kmscap_parse_mode(const char *s, uint32_t *width, uint32_t *height, uint32_t *refresh_mhz)
{
	return kmscap_parse_mode_why(s, width, height, refresh_mhz, NULL);
}

int kmscap_format_mode(char *buf, size_t size, uint32_t width, uint32_t height,
		       uint32_t refresh_mhz)
{
	uint32_t hz = refresh_mhz / 1000, frac = refresh_mhz % 1000;
	int n;

	if (!buf)
		return -EINVAL;
	if (frac == 0)
		n = snprintf(buf, size, "%ux%u@%u", width, height, hz);
	else if (frac % 100 == 0)
		n = snprintf(buf, size, "%ux%u@%u.%u", width, height, hz, frac / 100);
	else if (frac % 10 == 0)
		n = snprintf(buf, size, "%ux%u@%u.%02u", width, height, hz, frac / 10);
	else
		n = snprintf(buf, size, "%ux%u@%u.%03u", width, height, hz, frac);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENOSPC;
	return n;
}
