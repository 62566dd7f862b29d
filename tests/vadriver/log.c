// SPDX-License-Identifier: MIT
/*
 * log.c - rejection logging of the kmscap VA test driver.
 *
 * Every rejected call goes through kmscap_va_reject(), which prints the
 * reason to stderr when KMSCAP_VA_DEBUG=1 and returns the VA status.  With
 * VA_STATUS_SUCCESS it is a plain debug message (e.g. leaks at vaTerminate).
 */
#include <stdarg.h>
#include <stdio.h>

#include "kmscap_va.h"

VAStatus kmscap_va_reject(struct kmscap_va_driver *drv, VAStatus status, const char *func,
			  const char *fmt, ...)
{
	va_list ap;

	if (!drv || !drv->debug)
		return status;
	if (status == VA_STATUS_SUCCESS)
		fprintf(stderr, "kmscap_va: %s: ", func);
	else
		fprintf(stderr, "kmscap_va: %s: rejected with %s: ", func, vaErrorStr(status));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

const char *kmscap_va_fourcc_str(unsigned int fourcc, char buf[5])
{
	int i;

	for (i = 0; i < 4; i++) {
		char c = (fourcc >> (8 * i)) & 0xff;

		buf[i] = (c >= 32 && c < 127) ? c : '?';
	}
	buf[4] = '\0';
	return buf;
}
