/* SPDX-License-Identifier: MIT */
/* libcallgrind: a callgrind profile's instructions, VA-API's and the rest. */
#ifndef KMSCAP_LIBCALLGRIND_H
#define KMSCAP_LIBCALLGRIND_H

#include "kmscap_test.h"

struct kmscap_cg_cost {
	uint64_t total;		/* every instruction of the profile */
	uint64_t va;		/* in calls into libva* and *_drv_video.so, inclusive */
	uint64_t own;		/* self cost of the object @own of kmscap_cg_read() */
};

/*
 * Read the callgrind profile @path (events: Ir); @own is the path of the
 * program's own object as the profile names it.  0, or -errno (-EPROTO:
 * a format it does not understand, or self costs that do not add up to
 * the summary).
 */
int kmscap_cg_read(const char *path, const char *own, struct kmscap_cg_cost *out);

#endif
