// SPDX-License-Identifier: MIT
/*
 * ks_hide_profiles.so: preloaded into kmscap-stream by test_errors.c, it
 * makes libva's profile and entrypoint queries leave out the VAProfile
 * numbers listed in $KS_HIDE_PROFILES ("17,18"), and with $KS_HIDE_LP
 * set VAEntrypointEncSliceLP of every profile, so that the binary can be
 * run against a driver that lacks a codec or an entrypoint while the
 * test driver offers them all.  Everything else goes to the real libva.
 * Linked into stream_check too, where test_vapipe.c sets the variables
 * for the pipeline in the test process.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <va/va.h>

static bool ks_hidden(VAProfile p)
{
	const char *s = getenv("KS_HIDE_PROFILES");
	char *end;

	while (s && *s) {
		long v = strtol(s, &end, 10);

		if (end == s)
			break;
		if (v == (long)p)
			return true;
		s = *end == ',' ? end + 1 : end;
	}
	return false;
}

VAStatus vaQueryConfigProfiles(VADisplay dpy, VAProfile *list, int *num);
VAStatus vaQueryConfigProfiles(VADisplay dpy, VAProfile *list, int *num)
{
	VAStatus (*real)(VADisplay, VAProfile *, int *) =
		(VAStatus (*)(VADisplay, VAProfile *, int *))dlsym(RTLD_NEXT,
								    "vaQueryConfigProfiles");
	VAStatus st = real(dpy, list, num);
	int i, n = 0;

	if (st != VA_STATUS_SUCCESS)
		return st;
	for (i = 0; i < *num; i++)
		if (!ks_hidden(list[i]))
			list[n++] = list[i];
	*num = n;
	return st;
}

VAStatus vaQueryConfigEntrypoints(VADisplay dpy, VAProfile prof, VAEntrypoint *list, int *num);
VAStatus vaQueryConfigEntrypoints(VADisplay dpy, VAProfile prof, VAEntrypoint *list, int *num)
{
	VAStatus (*real)(VADisplay, VAProfile, VAEntrypoint *, int *) =
		(VAStatus (*)(VADisplay, VAProfile, VAEntrypoint *, int *))dlsym(
			RTLD_NEXT, "vaQueryConfigEntrypoints");
	const char *lp = getenv("KS_HIDE_LP");
	VAStatus st;
	int i, n = 0;

	if (ks_hidden(prof)) {
		*num = 0;
		return VA_STATUS_ERROR_UNSUPPORTED_PROFILE;
	}
	st = real(dpy, prof, list, num);
	for (i = 0; st == VA_STATUS_SUCCESS && i < *num; i++)
		if (!lp || !*lp || list[i] != VAEntrypointEncSliceLP)
			list[n++] = list[i];
	if (st == VA_STATUS_SUCCESS)
		*num = n;
	return st;
}
