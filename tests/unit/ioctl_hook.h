/* SPDX-License-Identifier: MIT */
/*
 * Include from one test file per binary, after defining
 *
 *	static int kmscap_hook_ioctl(unsigned long req, void *arg);
 *
 * which then answers every kmscap ioctl (_IOC_TYPE KMSCAP_IOC_MAGIC) of
 * the program, as the kernel would (-1 with errno on error): this
 * ioctl() is preferred by the linker over libc's for the statically
 * linked libkmscap.  Every other ioctl goes to the kernel.
 */
#ifndef KMSCAP_IOCTL_HOOK_H
#define KMSCAP_IOCTL_HOOK_H

#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kmscap.h"

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (_IOC_TYPE(req) == KMSCAP_IOC_MAGIC)
		return kmscap_hook_ioctl(req, arg);
	return (int)syscall(SYS_ioctl, fd, req, arg);
}

#endif /* KMSCAP_IOCTL_HOOK_H */
