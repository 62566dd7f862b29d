// SPDX-License-Identifier: MIT
/*
 * image.c - VAImage support: NV12 and P010 images, vaDeriveImage,
 * vaGetImage and vaPutImage (no scaling, no format conversion).
 */
#include <stdlib.h>
#include <string.h>

#include "kmscap_va.h"

static const VAImageFormat kmscap_va_image_formats[KMSCAP_VA_NUM_IMAGE_FORMATS] = {
	{ .fourcc = VA_FOURCC_NV12, .byte_order = VA_LSB_FIRST, .bits_per_pixel = 12 },
	{ .fourcc = VA_FOURCC_P010, .byte_order = VA_LSB_FIRST, .bits_per_pixel = 24 },
};

VAStatus kmscap_va_query_image_formats(VADriverContextP ctx, VAImageFormat *list, int *num)
{
	memcpy(list, kmscap_va_image_formats, sizeof(kmscap_va_image_formats));
	*num = KMSCAP_VA_NUM_IMAGE_FORMATS;
	return VA_STATUS_SUCCESS;
}

static VAStatus kmscap_va_image_add(struct kmscap_va_driver *drv, struct kmscap_va_image *img,
				    VAImage *out)
{
	img->image.image_id = kmscap_va_obj_add(drv, KMSCAP_VA_OBJ_IMAGE, img);
	if (img->image.image_id == VA_INVALID_ID)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	*out = img->image;
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_create_image(VADriverContextP ctx, VAImageFormat *format, int width,
				int height, VAImage *image)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	struct kmscap_va_surface tmp = { 0 };
	struct kmscap_va_image *img;
	uint8_t *data;
	char fcc[5];

	if (format->fourcc != VA_FOURCC_NV12 && format->fourcc != VA_FOURCC_P010)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_IMAGE_FORMAT,
					"image format %s not supported (NV12, P010)",
					kmscap_va_fourcc_str(format->fourcc, fcc));
	if (width <= 0 || height <= 0 || width > KMSCAP_VA_MAX_WIDTH ||
	    height > KMSCAP_VA_MAX_HEIGHT)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_RESOLUTION_NOT_SUPPORTED,
					"image size %dx%d not supported", width, height);
	if ((width | height) & 1)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"4:2:0 image size %dx%d is not even", width, height);
	/* same layout rules as a surface, without the memfd */
	tmp.pitch[0] = ((width * (format->fourcc == VA_FOURCC_P010 ? 2 : 1)) + 63) / 64 * 64;
	tmp.offset[1] = tmp.pitch[0] * height;
	tmp.size = (size_t)tmp.pitch[0] * height * 3 / 2;

	img = calloc(1, sizeof(*img));
	data = calloc(1, tmp.size);
	if (!img || !data) {
		free(img);
		free(data);
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	}
	img->derived_from = VA_INVALID_SURFACE;
	img->image.format = kmscap_va_image_formats[format->fourcc == VA_FOURCC_P010];
	img->image.width = width;
	img->image.height = height;
	img->image.data_size = tmp.size;
	img->image.num_planes = 2;
	img->image.pitches[0] = tmp.pitch[0];
	img->image.pitches[1] = tmp.pitch[0];
	img->image.offsets[0] = 0;
	img->image.offsets[1] = tmp.offset[1];
	img->image.buf = kmscap_va_buffer_new_image(drv, data, tmp.size, true,
						    VA_INVALID_SURFACE);
	if (img->image.buf == VA_INVALID_ID) {
		free(img);
		free(data);
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	}
	return kmscap_va_image_add(drv, img, image);
}

VAStatus kmscap_va_derive_image(VADriverContextP ctx, VASurfaceID surface, VAImage *image)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	VAStatus st = VA_STATUS_SUCCESS;
	struct kmscap_va_surface *s = kmscap_va_surface_get(drv, surface, &st, __func__);
	struct kmscap_va_image *img;

	if (!s)
		return st;
	if (s->imported || (s->fourcc != VA_FOURCC_NV12 && s->fourcc != VA_FOURCC_P010))
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_OPERATION_FAILED,
					"surface %#x is not a driver-owned NV12/P010 surface",
					surface);
	if (s->busy)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_SURFACE_BUSY,
					"surface %#x is the target of an unfinished picture",
					surface);
	img = calloc(1, sizeof(*img));
	if (!img)
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	img->derived_from = surface;
	img->image.format = kmscap_va_image_formats[s->fourcc == VA_FOURCC_P010];
	img->image.width = s->width;
	img->image.height = s->height;
	img->image.data_size = s->size;
	img->image.num_planes = 2;
	img->image.pitches[0] = s->pitch[0];
	img->image.pitches[1] = s->pitch[1];
	img->image.offsets[0] = s->offset[0];
	img->image.offsets[1] = s->offset[1];
	img->image.buf = kmscap_va_buffer_new_image(drv, s->data, s->size, false, surface);
	if (img->image.buf == VA_INVALID_ID) {
		free(img);
		return VA_STATUS_ERROR_ALLOCATION_FAILED;
	}
	s->derived++;
	return kmscap_va_image_add(drv, img, image);
}

VAStatus kmscap_va_destroy_image(VADriverContextP ctx, VAImageID image)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	struct kmscap_va_image *img = kmscap_va_obj_remove(drv, KMSCAP_VA_OBJ_IMAGE, image);
	struct kmscap_va_surface *s;
	struct kmscap_va_buffer *b;

	if (!img)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_IMAGE,
					"image %#x does not exist or was destroyed", image);
	b = kmscap_va_obj_remove(drv, KMSCAP_VA_OBJ_BUFFER, img->image.buf);
	if (b)
		kmscap_va_buffer_free(b);
	if (img->derived_from != VA_INVALID_SURFACE) {
		s = kmscap_va_obj_get(drv, KMSCAP_VA_OBJ_SURFACE, img->derived_from, NULL);
		if (s && s->derived)
			s->derived--;
	}
	free(img);
	return VA_STATUS_SUCCESS;
}

static VAStatus kmscap_va_image_lookup(struct kmscap_va_driver *drv, VAImageID id,
				       struct kmscap_va_image **img, uint8_t **data,
				       const char *func)
{
	struct kmscap_va_buffer *b;
	VAStatus st = VA_STATUS_SUCCESS;

	*img = kmscap_va_obj_get(drv, KMSCAP_VA_OBJ_IMAGE, id, NULL);
	if (!*img)
		return kmscap_va_reject(drv, VA_STATUS_ERROR_INVALID_IMAGE, func,
					"image %#x does not exist or was destroyed", id);
	b = kmscap_va_buffer_get(drv, (*img)->image.buf, &st, func);
	if (!b)
		return st;
	*data = b->data;
	return VA_STATUS_SUCCESS;
}

static void kmscap_va_copy_planes(uint8_t *dst, const unsigned int *dpitch,
				  const unsigned int *doff, unsigned int dx, unsigned int dy,
				  const uint8_t *src, const unsigned int *spitch,
				  const unsigned int *soff, unsigned int sx, unsigned int sy,
				  unsigned int w, unsigned int h, unsigned int cpp)
{
	unsigned int y;

	for (y = 0; y < h; y++)
		memcpy(dst + doff[0] + (size_t)(dy + y) * dpitch[0] + dx * cpp,
		       src + soff[0] + (size_t)(sy + y) * spitch[0] + sx * cpp, w * cpp);
	for (y = 0; y < h / 2; y++)
		memcpy(dst + doff[1] + (size_t)(dy / 2 + y) * dpitch[1] + dx * cpp,
		       src + soff[1] + (size_t)(sy / 2 + y) * spitch[1] + sx * cpp, w * cpp);
}

static VAStatus kmscap_va_check_rect(struct kmscap_va_driver *drv, const char *what,
				     int x, int y, unsigned int w, unsigned int h,
				     unsigned int max_w, unsigned int max_h, const char *func)
{
	if (x < 0 || y < 0 || !w || !h || x + w > max_w || y + h > max_h)
		return kmscap_va_reject(drv, VA_STATUS_ERROR_INVALID_PARAMETER, func,
					"%s rectangle %d,%d %ux%u outside %ux%u", what, x, y, w,
					h, max_w, max_h);
	if ((x | y | w | h) & 1)
		return kmscap_va_reject(drv, VA_STATUS_ERROR_INVALID_PARAMETER, func,
					"%s rectangle %d,%d %ux%u not even (4:2:0)", what, x, y,
					w, h);
	return VA_STATUS_SUCCESS;
}

static VAStatus kmscap_va_image_surface(struct kmscap_va_driver *drv, VASurfaceID surface,
					VAImageID image, struct kmscap_va_surface **s,
					struct kmscap_va_image **img, uint8_t **data,
					const char *func)
{
	VAStatus st = VA_STATUS_SUCCESS;
	char a[5], b[5];

	*s = kmscap_va_surface_get(drv, surface, &st, func);
	if (!*s)
		return st;
	st = kmscap_va_image_lookup(drv, image, img, data, func);
	if (st != VA_STATUS_SUCCESS)
		return st;
	if ((*s)->imported || (*s)->fourcc != (*img)->image.format.fourcc)
		return kmscap_va_reject(drv, VA_STATUS_ERROR_INVALID_IMAGE_FORMAT, func,
					"surface %#x (%s) and image %#x (%s) formats differ",
					surface, kmscap_va_fourcc_str((*s)->fourcc, a), image,
					kmscap_va_fourcc_str((*img)->image.format.fourcc, b));
	if ((*s)->busy)
		return kmscap_va_reject(drv, VA_STATUS_ERROR_SURFACE_BUSY, func,
					"surface %#x is the target of an unfinished picture",
					surface);
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_get_image(VADriverContextP ctx, VASurfaceID surface, int x, int y,
			     unsigned int width, unsigned int height, VAImageID image)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	struct kmscap_va_surface *s;
	struct kmscap_va_image *img;
	uint8_t *data;
	VAStatus st;

	st = kmscap_va_image_surface(drv, surface, image, &s, &img, &data, __func__);
	if (st != VA_STATUS_SUCCESS)
		return st;
	st = kmscap_va_check_rect(drv, "surface", x, y, width, height, s->width, s->height,
				  __func__);
	if (st != VA_STATUS_SUCCESS)
		return st;
	if (width > img->image.width || height > img->image.height)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_INVALID_PARAMETER,
					"%ux%u region larger than image %ux%u", width, height,
					img->image.width, img->image.height);
	if (data == s->data)
		return VA_STATUS_SUCCESS;	/* derived image: same memory */
	kmscap_va_copy_planes(data, img->image.pitches, img->image.offsets, 0, 0, s->data,
			      s->pitch, s->offset, x, y, width, height,
			      s->fourcc == VA_FOURCC_P010 ? 2 : 1);
	return VA_STATUS_SUCCESS;
}

VAStatus kmscap_va_put_image(VADriverContextP ctx, VASurfaceID surface, VAImageID image,
			     int src_x, int src_y, unsigned int src_w, unsigned int src_h,
			     int dst_x, int dst_y, unsigned int dst_w, unsigned int dst_h)
{
	struct kmscap_va_driver *drv = kmscap_va_drv(ctx);
	struct kmscap_va_surface *s;
	struct kmscap_va_image *img;
	uint8_t *data;
	VAStatus st;

	st = kmscap_va_image_surface(drv, surface, image, &s, &img, &data, __func__);
	if (st != VA_STATUS_SUCCESS)
		return st;
	if (src_w != dst_w || src_h != dst_h)
		return KMSCAP_VA_REJECT(drv, VA_STATUS_ERROR_UNIMPLEMENTED,
					"scaling %ux%u -> %ux%u in vaPutImage (use VPP)", src_w,
					src_h, dst_w, dst_h);
	st = kmscap_va_check_rect(drv, "image", src_x, src_y, src_w, src_h, img->image.width,
				  img->image.height, __func__);
	if (st == VA_STATUS_SUCCESS)
		st = kmscap_va_check_rect(drv, "surface", dst_x, dst_y, dst_w, dst_h, s->width,
					  s->height, __func__);
	if (st != VA_STATUS_SUCCESS)
		return st;
	if (data == s->data)
		return VA_STATUS_SUCCESS;
	kmscap_va_copy_planes(s->data, s->pitch, s->offset, dst_x, dst_y, data,
			      img->image.pitches, img->image.offsets, src_x, src_y, src_w, src_h,
			      s->fourcc == VA_FOURCC_P010 ? 2 : 1);
	return VA_STATUS_SUCCESS;
}
