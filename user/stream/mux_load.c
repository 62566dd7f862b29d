// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: finding and loading the container plugin,
 * kmscap-stream-mux.so (mux.h), for --format mpegts / matroska only, so
 * that raw output never loads FFmpeg's libraries.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mux.h"

/* The directory of the running binary into @dir; false if unknown. */
static bool ks_mux_exe_dir(char *dir, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", dir, len - 1);
	char *slash;

	if (n <= 0 || (size_t)n >= len - 1)
		return false;
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return true;
}

/* Where the plugin is: next to the binary if there, else the installed place. */
static int ks_mux_plugin_path(char *path, size_t len)
{
	char dir[PATH_MAX];
	char *slash;
	int n;

	if (!ks_mux_exe_dir(dir, sizeof(dir)))
		return -ENOENT;
	n = snprintf(path, len, "%s/%s", dir, KS_MUX_PLUGIN_NAME);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (!access(path, F_OK))
		return 0;
	/* /usr/local/bin -> /usr/local (a binary in / keeps "") */
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	n = snprintf(path, len, "%s/%s/%s", dir, KS_MUX_PLUGIN_DIR, KS_MUX_PLUGIN_NAME);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

const struct ks_mux_ops *ks_mux_load(enum ks_format format, char *err, size_t errlen)
{
	const struct ks_mux_ops *ops;
	char path[PATH_MAX];
	void *h;
	int ret;

	ret = ks_mux_plugin_path(path, sizeof(path));
	if (ret) {
		snprintf(err, errlen, "--format %s needs %s: the directory of /proc/self/exe: %s",
			 ks_format_name(format), KS_MUX_PLUGIN_NAME, strerror(-ret));
		return NULL;
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "--format %s needs %s: %s", ks_format_name(format), path,
			 dlerror());
		return NULL;
	}
	ops = dlsym(h, KS_MUX_PLUGIN_SYMBOL);
	if (!ops) {
		snprintf(err, errlen, "--format %s needs %s: %s", ks_format_name(format), path,
			 dlerror());
		dlclose(h);
		return NULL;
	}
	if (ops->version != KS_MUX_PLUGIN_VERSION || ops->size != sizeof(*ops)) {
		snprintf(err, errlen, "--format %s needs %s: plugin version %u (%u bytes), "
			 "this kmscap-stream wants version %u (%zu bytes)", ks_format_name(format),
			 path, ops->version, ops->size, KS_MUX_PLUGIN_VERSION, sizeof(*ops));
		dlclose(h);
		return NULL;
	}
	return ops;
}
