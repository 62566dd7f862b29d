// SPDX-License-Identifier: MIT
/*
 * driver.c - entry point, termination and stubs of the kmscap strict VA-API
 * test driver.  libva loads it as kmscap_test_drv_video.so (driver name
 * "kmscap_test") and calls __vaDriverInit_1_17().
 */
#include <stdlib.h>
#include <string.h>

#include "kmscap_va.h"

/* With KMSCAP_VA_DEBUG=1, objects the application did not destroy. */
static void kmscap_va_report_leaks(struct kmscap_va_driver *drv)
{
	static const char * const names[KMSCAP_VA_OBJ_COUNT] = {
		"config", "context", "surface", "buffer", "image",
	};
	unsigned int type, i, n;

	for (type = 0; type < KMSCAP_VA_OBJ_COUNT; type++) {
		struct kmscap_va_table *t = &drv->tables[type];

		for (i = 0, n = 0; i < t->count; i++) {
			struct kmscap_va_buffer *b = t->slots[i];

			/* an image's buffer goes with the image */
			if (b && !(type == KMSCAP_VA_OBJ_BUFFER && b->type == VAImageBufferType))
				n++;
		}
		if (n)
			kmscap_va_reject(drv, VA_STATUS_SUCCESS, "vaTerminate",
					 "%u %s(s) not destroyed by the application", n,
					 names[type]);
	}
}

static VAStatus kmscap_va_terminate(VADriverContextP ctx)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	struct kmscap_va_table *t;
	unsigned int i;

	if (!drv)
		return VA_STATUS_SUCCESS;
	kmscap_va_report_leaks(drv);
	t = &drv->tables[KMSCAP_VA_OBJ_CONTEXT];
	for (i = 0; i < t->count; i++)
		if (t->slots[i])
			kmscap_va_destroy_context(ctx, t->base + i);
	t = &drv->tables[KMSCAP_VA_OBJ_IMAGE];
	for (i = 0; i < t->count; i++)
		if (t->slots[i])
			kmscap_va_destroy_image(ctx, t->base + i);
	t = &drv->tables[KMSCAP_VA_OBJ_BUFFER];
	for (i = 0; i < t->count; i++)
		if (t->slots[i])
			kmscap_va_buffer_free(t->slots[i]);
	t = &drv->tables[KMSCAP_VA_OBJ_SURFACE];
	for (i = 0; i < t->count; i++)
		if (t->slots[i])
			kmscap_va_surface_free(t->slots[i]);
	t = &drv->tables[KMSCAP_VA_OBJ_CONFIG];
	for (i = 0; i < t->count; i++)
		free(t->slots[i]);
	for (i = 0; i < KMSCAP_VA_OBJ_COUNT; i++)
		kmscap_va_table_fini(&drv->tables[i]);
	pthread_mutex_destroy(&drv->lock);
	free(drv);
	ctx->pDriverData = NULL;
	return VA_STATUS_SUCCESS;
}

static VAStatus kmscap_va_unimplemented(VADriverContextP ctx, const char *what)
{
	return kmscap_va_reject(kmscap_va_drv(ctx), VA_STATUS_ERROR_UNIMPLEMENTED, what,
				"not implemented by the kmscap test driver");
}

static VAStatus kmscap_va_query_surface_error(VADriverContextP ctx, VASurfaceID surface,
					      VAStatus error_status, void **error_info)
{
	return kmscap_va_unimplemented(ctx, __func__);
}

static VAStatus kmscap_va_put_surface(VADriverContextP ctx, VASurfaceID surface, void *draw,
				      short srcx, short srcy, unsigned short srcw,
				      unsigned short srch, short destx, short desty,
				      unsigned short destw, unsigned short desth,
				      VARectangle *cliprects, unsigned int num_cliprects,
				      unsigned int flags)
{
	return kmscap_va_unimplemented(ctx, __func__);
}

static VAStatus kmscap_va_set_image_palette(VADriverContextP ctx, VAImageID image,
					    unsigned char *palette)
{
	return kmscap_va_unimplemented(ctx, __func__);
}

static VAStatus kmscap_va_query_subpicture_formats(VADriverContextP ctx, VAImageFormat *list,
						   unsigned int *flags, unsigned int *num)
{
	*num = 0;
	return VA_STATUS_SUCCESS;
}

static VAStatus kmscap_va_create_subpicture(VADriverContextP ctx, VAImageID image,
					    VASubpictureID *subpicture)
{
	return kmscap_va_unimplemented(ctx, __func__);
}

static VAStatus kmscap_va_destroy_subpicture(VADriverContextP ctx, VASubpictureID subpicture)
{
	return kmscap_va_unimplemented(ctx, __func__);
}

static VAStatus kmscap_va_set_subpicture_image(VADriverContextP ctx, VASubpictureID sub,
					       VAImageID image)
{
	return kmscap_va_unimplemented(ctx, __func__);
}

static VAStatus kmscap_va_set_subpicture_chromakey(VADriverContextP ctx, VASubpictureID sub,
						   unsigned int min, unsigned int max,
						   unsigned int mask)
{
	return kmscap_va_unimplemented(ctx, __func__);
}

static VAStatus kmscap_va_set_subpicture_global_alpha(VADriverContextP ctx,
						      VASubpictureID sub, float alpha)
{
	return kmscap_va_unimplemented(ctx, __func__);
}

static VAStatus kmscap_va_associate_subpicture(VADriverContextP ctx, VASubpictureID sub,
					       VASurfaceID *targets, int num, short src_x,
					       short src_y, unsigned short src_w,
					       unsigned short src_h, short dst_x, short dst_y,
					       unsigned short dst_w, unsigned short dst_h,
					       unsigned int flags)
{
	return kmscap_va_unimplemented(ctx, __func__);
}

static VAStatus kmscap_va_deassociate_subpicture(VADriverContextP ctx, VASubpictureID sub,
						 VASurfaceID *targets, int num)
{
	return kmscap_va_unimplemented(ctx, __func__);
}

static VAStatus kmscap_va_query_display_attributes(VADriverContextP ctx,
						   VADisplayAttribute *list, int *num)
{
	*num = 0;
	return VA_STATUS_SUCCESS;
}

static VAStatus kmscap_va_get_display_attributes(VADriverContextP ctx,
						 VADisplayAttribute *list, int num)
{
	return kmscap_va_unimplemented(ctx, __func__);
}

static VAStatus kmscap_va_set_display_attributes(VADriverContextP ctx,
						 VADisplayAttribute *list, int num)
{
	return kmscap_va_unimplemented(ctx, __func__);
}

/* Entry points without driver state, outside the lock. */
static void kmscap_va_fill_stubs(struct VADriverVTable *vt)
{
	vt->vaTerminate = kmscap_va_terminate;
	vt->vaQuerySurfaceError = kmscap_va_query_surface_error;
	vt->vaPutSurface = kmscap_va_put_surface;
	vt->vaSetImagePalette = kmscap_va_set_image_palette;
	vt->vaQuerySubpictureFormats = kmscap_va_query_subpicture_formats;
	vt->vaCreateSubpicture = kmscap_va_create_subpicture;
	vt->vaDestroySubpicture = kmscap_va_destroy_subpicture;
	vt->vaSetSubpictureImage = kmscap_va_set_subpicture_image;
	vt->vaSetSubpictureChromakey = kmscap_va_set_subpicture_chromakey;
	vt->vaSetSubpictureGlobalAlpha = kmscap_va_set_subpicture_global_alpha;
	vt->vaAssociateSubpicture = kmscap_va_associate_subpicture;
	vt->vaDeassociateSubpicture = kmscap_va_deassociate_subpicture;
	vt->vaQueryDisplayAttributes = kmscap_va_query_display_attributes;
	vt->vaGetDisplayAttributes = kmscap_va_get_display_attributes;
	vt->vaSetDisplayAttributes = kmscap_va_set_display_attributes;
}

__attribute__((visibility("default"))) VAStatus __vaDriverInit_1_17(VADriverContextP ctx);

VAStatus __vaDriverInit_1_17(VADriverContextP ctx)
{
	struct kmscap_va_driver *drv;
	const char *dbg = getenv("KMSCAP_VA_DEBUG");
	unsigned int i;

	drv = calloc(1, sizeof(*drv));
	if (!drv)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	pthread_mutex_init(&drv->lock, NULL);
	drv->debug = dbg && strcmp(dbg, "0") != 0;
	dbg = getenv("KMSCAP_VA_VPP_DELAY_MS");
	drv->vpp_delay_ms = dbg ? (unsigned int)strtoul(dbg, NULL, 10) : 0;
	for (i = 0; i < KMSCAP_VA_OBJ_COUNT; i++)
		kmscap_va_table_init(&drv->tables[i], (i + 1) << 24);
	kmscap_va_hevc_gpb(drv);	/* KMSCAP_VA_HEVC_GPB: fixed for this display from now */

	ctx->pDriverData = drv;
	ctx->version_major = VA_MAJOR_VERSION;
	ctx->version_minor = VA_MINOR_VERSION;
	ctx->max_profiles = 8;
	ctx->max_entrypoints = 4;
	ctx->max_attributes = KMSCAP_VA_MAX_ATTRIBS;
	ctx->max_image_formats = KMSCAP_VA_NUM_IMAGE_FORMATS;
	ctx->max_subpic_formats = 1;
	ctx->max_display_attributes = 1;
	ctx->str_vendor = KMSCAP_VA_VENDOR;

	kmscap_va_fill_stubs(ctx->vtable);
	kmscap_va_fill_vtable(ctx->vtable, ctx->vtable_vpp);
	return VA_STATUS_SUCCESS;
}
