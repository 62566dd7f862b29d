// SPDX-License-Identifier: MIT
/*
 * vtable.c - the driver's VA entry points.  Each one runs under the driver
 * lock, so that an application may call into one VADisplay from several
 * threads; the implementations never call each other through the vtable.
 */
#include "kmscap_va.h"

#define KMSCAP_VA_LOCKED(fn, proto, args)				\
static VAStatus fn##_locked proto					\
{									\
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);		\
	VAStatus ret;							\
									\
	pthread_mutex_lock(&drv->lock);					\
	ret = fn args;							\
	pthread_mutex_unlock(&drv->lock);				\
	return ret;							\
}

KMSCAP_VA_LOCKED(kmscap_va_query_config_profiles,
		 (VADriverContextP ctx, VAProfile *l, int *n), (ctx, l, n))
KMSCAP_VA_LOCKED(kmscap_va_query_config_entrypoints,
		 (VADriverContextP ctx, VAProfile p, VAEntrypoint *l, int *n), (ctx, p, l, n))
KMSCAP_VA_LOCKED(kmscap_va_get_config_attributes,
		 (VADriverContextP ctx, VAProfile p, VAEntrypoint e, VAConfigAttrib *l, int n),
		 (ctx, p, e, l, n))
KMSCAP_VA_LOCKED(kmscap_va_create_config,
		 (VADriverContextP ctx, VAProfile p, VAEntrypoint e, VAConfigAttrib *l, int n,
		  VAConfigID *id), (ctx, p, e, l, n, id))
KMSCAP_VA_LOCKED(kmscap_va_destroy_config, (VADriverContextP ctx, VAConfigID id), (ctx, id))
KMSCAP_VA_LOCKED(kmscap_va_query_config_attributes,
		 (VADriverContextP ctx, VAConfigID id, VAProfile *p, VAEntrypoint *e,
		  VAConfigAttrib *l, int *n), (ctx, id, p, e, l, n))
KMSCAP_VA_LOCKED(kmscap_va_create_surfaces,
		 (VADriverContextP ctx, int w, int h, int f, int n, VASurfaceID *s),
		 (ctx, w, h, f, n, s))
KMSCAP_VA_LOCKED(kmscap_va_create_surfaces2,
		 (VADriverContextP ctx, unsigned int f, unsigned int w, unsigned int h,
		  VASurfaceID *s, unsigned int n, VASurfaceAttrib *a, unsigned int na),
		 (ctx, f, w, h, s, n, a, na))
KMSCAP_VA_LOCKED(kmscap_va_destroy_surfaces, (VADriverContextP ctx, VASurfaceID *l, int n),
		 (ctx, l, n))
KMSCAP_VA_LOCKED(kmscap_va_query_surface_attributes,
		 (VADriverContextP ctx, VAConfigID c, VASurfaceAttrib *l, unsigned int *n),
		 (ctx, c, l, n))
KMSCAP_VA_LOCKED(kmscap_va_create_context,
		 (VADriverContextP ctx, VAConfigID c, int w, int h, int f, VASurfaceID *t,
		  int n, VAContextID *id), (ctx, c, w, h, f, t, n, id))
KMSCAP_VA_LOCKED(kmscap_va_destroy_context, (VADriverContextP ctx, VAContextID c), (ctx, c))
KMSCAP_VA_LOCKED(kmscap_va_create_buffer,
		 (VADriverContextP ctx, VAContextID c, VABufferType t, unsigned int s,
		  unsigned int n, void *d, VABufferID *id), (ctx, c, t, s, n, d, id))
KMSCAP_VA_LOCKED(kmscap_va_buffer_set_num_elements,
		 (VADriverContextP ctx, VABufferID b, unsigned int n), (ctx, b, n))
KMSCAP_VA_LOCKED(kmscap_va_map_buffer, (VADriverContextP ctx, VABufferID b, void **p),
		 (ctx, b, p))
KMSCAP_VA_LOCKED(kmscap_va_unmap_buffer, (VADriverContextP ctx, VABufferID b), (ctx, b))
KMSCAP_VA_LOCKED(kmscap_va_destroy_buffer, (VADriverContextP ctx, VABufferID b), (ctx, b))
KMSCAP_VA_LOCKED(kmscap_va_buffer_info,
		 (VADriverContextP ctx, VABufferID b, VABufferType *t, unsigned int *s,
		  unsigned int *n), (ctx, b, t, s, n))
KMSCAP_VA_LOCKED(kmscap_va_sync_buffer, (VADriverContextP ctx, VABufferID b, uint64_t t),
		 (ctx, b, t))
KMSCAP_VA_LOCKED(kmscap_va_begin_picture, (VADriverContextP ctx, VAContextID c, VASurfaceID s),
		 (ctx, c, s))
KMSCAP_VA_LOCKED(kmscap_va_render_picture,
		 (VADriverContextP ctx, VAContextID c, VABufferID *b, int n), (ctx, c, b, n))
KMSCAP_VA_LOCKED(kmscap_va_end_picture, (VADriverContextP ctx, VAContextID c), (ctx, c))
KMSCAP_VA_LOCKED(kmscap_va_sync_surface, (VADriverContextP ctx, VASurfaceID s), (ctx, s))
KMSCAP_VA_LOCKED(kmscap_va_sync_surface2, (VADriverContextP ctx, VASurfaceID s, uint64_t t),
		 (ctx, s, t))
KMSCAP_VA_LOCKED(kmscap_va_query_surface_status,
		 (VADriverContextP ctx, VASurfaceID s, VASurfaceStatus *status), (ctx, s, status))
KMSCAP_VA_LOCKED(kmscap_va_query_image_formats,
		 (VADriverContextP ctx, VAImageFormat *l, int *n), (ctx, l, n))
KMSCAP_VA_LOCKED(kmscap_va_create_image,
		 (VADriverContextP ctx, VAImageFormat *f, int w, int h, VAImage *i),
		 (ctx, f, w, h, i))
KMSCAP_VA_LOCKED(kmscap_va_derive_image, (VADriverContextP ctx, VASurfaceID s, VAImage *i),
		 (ctx, s, i))
KMSCAP_VA_LOCKED(kmscap_va_destroy_image, (VADriverContextP ctx, VAImageID i), (ctx, i))
KMSCAP_VA_LOCKED(kmscap_va_get_image,
		 (VADriverContextP ctx, VASurfaceID s, int x, int y, unsigned int w,
		  unsigned int h, VAImageID i), (ctx, s, x, y, w, h, i))
KMSCAP_VA_LOCKED(kmscap_va_put_image,
		 (VADriverContextP ctx, VASurfaceID s, VAImageID i, int sx, int sy,
		  unsigned int sw, unsigned int sh, int dx, int dy, unsigned int dw,
		  unsigned int dh), (ctx, s, i, sx, sy, sw, sh, dx, dy, dw, dh))
KMSCAP_VA_LOCKED(kmscap_va_export_surface_handle,
		 (VADriverContextP ctx, VASurfaceID s, uint32_t m, uint32_t f, void *d),
		 (ctx, s, m, f, d))
KMSCAP_VA_LOCKED(kmscap_va_query_video_proc_filters,
		 (VADriverContextP ctx, VAContextID c, VAProcFilterType *f, unsigned int *n),
		 (ctx, c, f, n))
KMSCAP_VA_LOCKED(kmscap_va_query_video_proc_filter_caps,
		 (VADriverContextP ctx, VAContextID c, VAProcFilterType t, void *caps,
		  unsigned int *n), (ctx, c, t, caps, n))
KMSCAP_VA_LOCKED(kmscap_va_query_video_proc_pipeline_caps,
		 (VADriverContextP ctx, VAContextID c, VABufferID *f, unsigned int n,
		  VAProcPipelineCaps *caps), (ctx, c, f, n, caps))

void kmscap_va_fill_vtable(struct VADriverVTable *vt, struct VADriverVTableVPP *vpp)
{
	vt->vaQueryConfigProfiles = kmscap_va_query_config_profiles_locked;
	vt->vaQueryConfigEntrypoints = kmscap_va_query_config_entrypoints_locked;
	vt->vaGetConfigAttributes = kmscap_va_get_config_attributes_locked;
	vt->vaCreateConfig = kmscap_va_create_config_locked;
	vt->vaDestroyConfig = kmscap_va_destroy_config_locked;
	vt->vaQueryConfigAttributes = kmscap_va_query_config_attributes_locked;
	vt->vaCreateSurfaces = kmscap_va_create_surfaces_locked;
	vt->vaCreateSurfaces2 = kmscap_va_create_surfaces2_locked;
	vt->vaDestroySurfaces = kmscap_va_destroy_surfaces_locked;
	vt->vaQuerySurfaceAttributes = kmscap_va_query_surface_attributes_locked;
	vt->vaCreateContext = kmscap_va_create_context_locked;
	vt->vaDestroyContext = kmscap_va_destroy_context_locked;
	vt->vaCreateBuffer = kmscap_va_create_buffer_locked;
	vt->vaBufferSetNumElements = kmscap_va_buffer_set_num_elements_locked;
	vt->vaMapBuffer = kmscap_va_map_buffer_locked;
	vt->vaUnmapBuffer = kmscap_va_unmap_buffer_locked;
	vt->vaDestroyBuffer = kmscap_va_destroy_buffer_locked;
	vt->vaBufferInfo = kmscap_va_buffer_info_locked;
	vt->vaSyncBuffer = kmscap_va_sync_buffer_locked;
	vt->vaBeginPicture = kmscap_va_begin_picture_locked;
	vt->vaRenderPicture = kmscap_va_render_picture_locked;
	vt->vaEndPicture = kmscap_va_end_picture_locked;
	vt->vaSyncSurface = kmscap_va_sync_surface_locked;
	vt->vaSyncSurface2 = kmscap_va_sync_surface2_locked;
	vt->vaQuerySurfaceStatus = kmscap_va_query_surface_status_locked;
	vt->vaQueryImageFormats = kmscap_va_query_image_formats_locked;
	vt->vaCreateImage = kmscap_va_create_image_locked;
	vt->vaDeriveImage = kmscap_va_derive_image_locked;
	vt->vaDestroyImage = kmscap_va_destroy_image_locked;
	vt->vaGetImage = kmscap_va_get_image_locked;
	vt->vaPutImage = kmscap_va_put_image_locked;
	vt->vaExportSurfaceHandle = kmscap_va_export_surface_handle_locked;
	if (vpp) {
		vpp->vaQueryVideoProcFilters = kmscap_va_query_video_proc_filters_locked;
		vpp->vaQueryVideoProcFilterCaps = kmscap_va_query_video_proc_filter_caps_locked;
		vpp->vaQueryVideoProcPipelineCaps =
			kmscap_va_query_video_proc_pipeline_caps_locked;
	}
}
