// SPDX-License-Identifier: MIT
/*
 * av1_enc.c - AV1 encode hooks of the test driver (see kmscap_va.h).
 *
 * Placeholder until the AV1 encoder lands: AV1 is not available, so
 * VAProfileAV1Profile0 is neither listed nor accepted and none of the
 * other hooks is ever called.
 */
#include "kmscap_va.h"

bool kmscap_va_av1_available(void)
{
	return false;
}

uint32_t kmscap_va_av1_attrib(VAEntrypoint ep, VAConfigAttribType type)
{
	return VA_ATTRIB_NOT_SUPPORTED;
}

long kmscap_va_av1_buffer_size(VABufferType type)
{
	return -1;
}

VAStatus kmscap_va_av1_render(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
			      struct kmscap_va_buffer *b)
{
	return VA_STATUS_ERROR_UNSUPPORTED_PROFILE;
}

VAStatus kmscap_va_av1_execute(struct kmscap_va_driver *drv, struct kmscap_va_context *c)
{
	return VA_STATUS_ERROR_UNSUPPORTED_PROFILE;
}

void kmscap_va_av1_reset_picture(struct kmscap_va_context *c)
{
}

void kmscap_va_av1_destroy(struct kmscap_va_context *c)
{
	c->av1 = NULL;
}
