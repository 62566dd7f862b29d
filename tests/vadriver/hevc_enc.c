// SPDX-License-Identifier: MIT
/*
 * hevc_enc.c - HEVC encode (not yet: HEVC is not listed, no hook is called).
 */
#include <stdlib.h>

#include "kmscap_va.h"

uint32_t kmscap_va_hevc_attrib(VAProfile profile, VAEntrypoint ep, VAConfigAttribType type)
{
	return VA_ATTRIB_NOT_SUPPORTED;
}

long kmscap_va_hevc_buffer_size(VABufferType type)
{
	return -1;
}

VAStatus kmscap_va_hevc_create(struct kmscap_va_driver *drv, struct kmscap_va_context *c)
{
	return VA_STATUS_ERROR_UNSUPPORTED_PROFILE;
}

VAStatus kmscap_va_hevc_render(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
			       struct kmscap_va_buffer *b)
{
	return VA_STATUS_ERROR_UNSUPPORTED_PROFILE;
}

VAStatus kmscap_va_hevc_execute(struct kmscap_va_driver *drv, struct kmscap_va_context *c)
{
	return VA_STATUS_ERROR_UNSUPPORTED_PROFILE;
}

void kmscap_va_hevc_reset_picture(struct kmscap_va_context *c)
{
}

void kmscap_va_hevc_destroy(struct kmscap_va_context *c)
{
	free(c->hevc);
	c->hevc = NULL;
}
