// SPDX-License-Identifier: MIT
/*
 * kmscap_tracefs: where tracefs is in the VM, mounted if need be.
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include "kmscap_test.h"

const char *kmscap_t_tracefs_or_skip(void)
{
	struct stat st;

	if (!stat("/sys/kernel/tracing/events", &st))
		return "/sys/kernel/tracing";
	if (!mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL)) {
		kmscap_t_log("mounted tracefs on /sys/kernel/tracing");
		return "/sys/kernel/tracing";
	}
	kmscap_t_log("mount -t tracefs /sys/kernel/tracing: %s", strerror(errno));
	if (!stat("/sys/kernel/debug/tracing/events", &st))
		return "/sys/kernel/debug/tracing";
	kmscap_t_skip("tracefs unavailable: no /sys/kernel/tracing/events, mounting tracefs "
		      "failed and no /sys/kernel/debug/tracing/events");
}
