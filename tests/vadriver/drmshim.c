// SPDX-License-Identifier: MIT
/*
 * drmshim.c - LD_PRELOAD shim that lets libva's vaGetDisplayDRM() accept a
 * test file descriptor on a host without any DRM device.
 *
 * libva 2.17's vaGetDisplayDRM(fd) only asks libdrm's drmGetNodeTypeFromFd()
 * whether fd is a DRM node; vaInitialize() then asks drmGetVersion() for the
 * kernel driver name (unless LIBVA_DRIVER_NAME is set).  For any fd whose
 * path contains "kmscap-va-fake-render" (a memfd of that name, or a regular
 * file such as /tmp/x/kmscap-va-fake-render) this shim answers "render node"
 * and a version named "kmscap_test"; every other fd goes to the real libdrm.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#define KMSCAP_VA_FAKE_NAME	"kmscap-va-fake-render"
#define KMSCAP_VA_FAKE_DRIVER	"kmscap_test"

__attribute__((visibility("default"))) int drmGetNodeTypeFromFd(int fd);
__attribute__((visibility("default"))) drmVersionPtr drmGetVersion(int fd);

static int kmscap_va_shim_is_fake(int fd)
{
	char link[64], path[PATH_MAX];
	ssize_t n;

	if (fd < 0)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	return strstr(path, KMSCAP_VA_FAKE_NAME) != NULL;
}

int drmGetNodeTypeFromFd(int fd)
{
	int (*real)(int);

	if (kmscap_va_shim_is_fake(fd))
		return DRM_NODE_RENDER;
	real = (int (*)(int))dlsym(RTLD_NEXT, "drmGetNodeTypeFromFd");
	return real ? real(fd) : -1;
}

drmVersionPtr drmGetVersion(int fd)
{
	drmVersionPtr (*real)(int);
	drmVersionPtr v;

	if (!kmscap_va_shim_is_fake(fd)) {
		real = (drmVersionPtr (*)(int))dlsym(RTLD_NEXT, "drmGetVersion");
		return real ? real(fd) : NULL;
	}
	/* freed by the real drmFreeVersion(), which uses free() */
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->version_major = 1;
	v->name = strdup(KMSCAP_VA_FAKE_DRIVER);
	v->name_len = strlen(KMSCAP_VA_FAKE_DRIVER);
	v->date = strdup("20260101");
	v->date_len = 8;
	v->desc = strdup("kmscap VA test shim");
	v->desc_len = strlen(v->desc);
	return v;
}
