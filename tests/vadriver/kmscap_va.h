/* SPDX-License-Identifier: MIT */
/*
 * kmscap_va.h - internal definitions of the kmscap strict software VA-API
 * test driver (kmscap_test_drv_video.so).
 */
#ifndef KMSCAP_VA_H
#define KMSCAP_VA_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <va/va.h>
#include <va/va_backend.h>
#include <va/va_backend_vpp.h>
#include <va/va_drmcommon.h>
#include <va/va_enc_h264.h>
#include <va/va_enc_hevc.h>
#include <va/va_str.h>
#include <va/va_vpp.h>

#define KMSCAP_VA_VENDOR	"kmscap strict software test driver (H.264 I_PCM, HEVC PCM, AV1 lossless encode, VPP)"
#define KMSCAP_VA_MAX_WIDTH	4096
#define KMSCAP_VA_MAX_HEIGHT	4096
#define KMSCAP_VA_MAX_REFS	4
#define KMSCAP_VA_MAX_SLICES	256
#define KMSCAP_VA_MAX_PACKED	16
#define KMSCAP_VA_MAX_ATTRIBS	16

enum kmscap_va_obj_type {
	KMSCAP_VA_OBJ_CONFIG,
	KMSCAP_VA_OBJ_CONTEXT,
	KMSCAP_VA_OBJ_SURFACE,
	KMSCAP_VA_OBJ_BUFFER,
	KMSCAP_VA_OBJ_IMAGE,
	KMSCAP_VA_OBJ_COUNT,
};

/* IDs are never reused, so a destroyed ID is recognised as such. */
struct kmscap_va_table {
	void **slots;
	unsigned int count;
	unsigned int cap;
	unsigned int base;
};

/* The codec of a profile: selects attributes, buffer sizes and encode hooks. */
enum kmscap_va_codec {
	KMSCAP_VA_CODEC_NONE,	/* VAProfileNone: video processing */
	KMSCAP_VA_CODEC_H264,
	KMSCAP_VA_CODEC_HEVC,
	KMSCAP_VA_CODEC_AV1,
	KMSCAP_VA_CODEC_UNSUPPORTED,
};

struct kmscap_va_config {
	VAProfile profile;
	enum kmscap_va_codec codec;
	VAEntrypoint entrypoint;
	unsigned int rt_format;
	unsigned int rc_mode;
	unsigned int packed_headers;
	bool hevc_gpb;		/* HEVC: KMSCAP_VA_HEVC_GPB was set, no P slices */
};

struct kmscap_va_surface {
	VASurfaceID id;
	unsigned int width, height;
	unsigned int rt_format;
	unsigned int fourcc;
	unsigned int pitch[2];
	unsigned int offset[2];
	size_t size;
	uint8_t *data;
	int memfd;		/* backing of driver-owned surfaces, -1 if imported */
	bool imported;
	int import_fd;		/* dup of the imported fd, for DMA_BUF_IOCTL_SYNC */
	bool import_is_memfd;
	void *map;
	size_t map_size;
	uint64_t modifier;	/* of an import: LINEAR or I915_FORMAT_MOD_X_TILED */
	uint8_t *detiled;	/* linear copy of an X-tiled import, made at each read */
	unsigned int derived;	/* number of live derived images */
	bool busy;		/* between vaBeginPicture and vaEndPicture */
	VAContextID busy_ctx;
};

struct kmscap_va_buffer {
	VABufferID id;
	VABufferType type;
	VAContextID context;
	unsigned int size;
	unsigned int num_elements;
	uint8_t *data;
	bool owns_data;
	bool mapped;
	/* coded buffers */
	VACodedBufferSegment seg;
	unsigned int coded_capacity;
	/* image buffers derived from a surface */
	VASurfaceID derived_surface;
};

struct kmscap_va_image {
	VAImage image;
	VASurfaceID derived_from;	/* VA_INVALID_SURFACE if not derived */
};

struct kmscap_va_packed {
	VAEncPackedHeaderParameterBuffer param;
	uint8_t *data;
	size_t size;
	int slice_index;	/* index of the slice this header precedes, or -1 */
};

/* The packed headers of one picture, in the order they came (packed.c). */
struct kmscap_va_packed_set {
	unsigned int num;
	struct kmscap_va_packed packed[KMSCAP_VA_MAX_PACKED];
	bool pending_param;	/* packed header parameter waiting for data */
	VAEncPackedHeaderParameterBuffer pending;
};

/*
 * Rate control parameters of a CBR/VBR context: validated and recorded (and
 * logged with KMSCAP_VA_DEBUG=1), but every macroblock is I_PCM, so the
 * bitrate is not honoured and the output stays lossless.
 */
struct kmscap_va_rc {
	bool have_rc, have_hrd, have_fr;
	VAEncMiscParameterRateControl rc;
	VAEncMiscParameterHRD hrd;
	unsigned int fr_num, fr_den;
	bool changed;		/* log again at the next picture */
};

struct kmscap_va_enc_state {
	bool have_seq;		/* a sequence is in effect for this picture */
	bool seq_in_pic;	/* this picture brought a sequence buffer */
	VAEncSequenceParameterBufferH264 seq;
	bool have_pic;
	VAEncPictureParameterBufferH264 pic;
	unsigned int num_slices;
	VAEncSliceParameterBufferH264 *slices;
	struct kmscap_va_packed_set pk;
	/* sequence state across pictures */
	bool have_active;
	VAEncSequenceParameterBufferH264 active_seq;
	VASurfaceID dpb[16];	/* reconstructed reference pictures, oldest first */
	unsigned int dpb_count;
	uint8_t last_pps[64];	/* last generated PPS, re-sent when it changes */
	size_t last_pps_len;
	bool caller_pps;	/* the last IDR came with a packed PPS */
	bool started;		/* an IDR has been encoded */
	unsigned int prev_frame_num;
	bool prev_was_ref;
	unsigned int frames;
	struct kmscap_va_rc rc;	/* persists across pictures */
};

/* A VPP layer after the first one, composited onto the output. */
#define KMSCAP_VA_MAX_LAYERS	8
struct kmscap_va_layer {
	VASurfaceID surface;
	VARectangle surface_region, output_region;
	bool have_surface_region, have_output_region;
	bool have_blend;
	VABlendState blend;
	uint32_t filter_flags;
};

struct kmscap_va_context {
	VAContextID id;
	struct kmscap_va_config config;
	unsigned int width, height;
	VASurfaceID *targets;
	unsigned int num_targets;
	VASurfaceID render_target;	/* VA_INVALID_SURFACE outside a picture */
	/*
	 * H.264 state; for every encode codec, enc.rc holds the rate control
	 * parameters (see kmscap_va_enc_render() below).
	 */
	struct kmscap_va_enc_state enc;
	struct kmscap_va_hevc_state *hevc;	/* HEVC contexts (hevc_enc.c) */
	void *av1;		/* AV1 contexts: private to av1_enc.c, freed by its destroy hook */
	/* video processing */
	bool have_pipeline;
	VAProcPipelineParameterBuffer pipeline;
	VARectangle surface_region, output_region;
	bool have_surface_region, have_output_region;
	unsigned int num_layers;	/* further layers, blended in order */
	struct kmscap_va_layer layers[KMSCAP_VA_MAX_LAYERS];
};

struct kmscap_va_driver {
	pthread_mutex_t lock;
	struct kmscap_va_table tables[KMSCAP_VA_OBJ_COUNT];
	bool debug;
	/* KMSCAP_VA_VPP_DELAY_MS: a GPU slower than the display (vpp.c) */
	unsigned int vpp_delay_ms;
	/* KMSCAP_VA_HEVC_GPB, read once per display (kmscap_va_hevc_gpb()) */
	bool hevc_gpb, hevc_gpb_read;
};

static inline struct kmscap_va_driver *kmscap_va_drv(VADriverContextP ctx)
{
	return ctx->pDriverData;
}

/* vtable.c */
void kmscap_va_fill_vtable(struct VADriverVTable *vt, struct VADriverVTableVPP *vpp);

/* log.c */
VAStatus kmscap_va_reject(struct kmscap_va_driver *drv, VAStatus status, const char *func,
			  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define KMSCAP_VA_REJECT(drv, status, ...) \
	kmscap_va_reject((drv), (status), __func__, __VA_ARGS__)
const char *kmscap_va_fourcc_str(unsigned int fourcc, char buf[5]);

/* object.c */
int kmscap_va_table_init(struct kmscap_va_table *t, unsigned int base);
void kmscap_va_table_fini(struct kmscap_va_table *t);
unsigned int kmscap_va_obj_add(struct kmscap_va_driver *drv, enum kmscap_va_obj_type type,
			       void *obj);
void *kmscap_va_obj_get(struct kmscap_va_driver *drv, enum kmscap_va_obj_type type,
			unsigned int id, bool *destroyed);
void *kmscap_va_obj_remove(struct kmscap_va_driver *drv, enum kmscap_va_obj_type type,
			   unsigned int id);
struct kmscap_va_surface *kmscap_va_surface_get(struct kmscap_va_driver *drv, VASurfaceID id,
						VAStatus *err, const char *func);
struct kmscap_va_buffer *kmscap_va_buffer_get(struct kmscap_va_driver *drv, VABufferID id,
					      VAStatus *err, const char *func);

/* config.c */
VAStatus kmscap_va_query_config_profiles(VADriverContextP ctx, VAProfile *list, int *num);
VAStatus kmscap_va_query_config_entrypoints(VADriverContextP ctx, VAProfile profile,
					    VAEntrypoint *list, int *num);
VAStatus kmscap_va_get_config_attributes(VADriverContextP ctx, VAProfile profile,
					 VAEntrypoint entrypoint, VAConfigAttrib *list, int num);
VAStatus kmscap_va_create_config(VADriverContextP ctx, VAProfile profile,
				 VAEntrypoint entrypoint, VAConfigAttrib *list, int num,
				 VAConfigID *config_id);
VAStatus kmscap_va_destroy_config(VADriverContextP ctx, VAConfigID config_id);
VAStatus kmscap_va_query_config_attributes(VADriverContextP ctx, VAConfigID config_id,
					   VAProfile *profile, VAEntrypoint *entrypoint,
					   VAConfigAttrib *list, int *num);
bool kmscap_va_is_h264(VAProfile profile);
enum kmscap_va_codec kmscap_va_codec_of(VAProfile profile);
bool kmscap_va_is_encode(VAEntrypoint ep);

/* surface.c */
VAStatus kmscap_va_create_surfaces2(VADriverContextP ctx, unsigned int format,
				    unsigned int width, unsigned int height,
				    VASurfaceID *surfaces, unsigned int num,
				    VASurfaceAttrib *attribs, unsigned int num_attribs);
VAStatus kmscap_va_create_surfaces(VADriverContextP ctx, int width, int height, int format,
				   int num, VASurfaceID *surfaces);
VAStatus kmscap_va_destroy_surfaces(VADriverContextP ctx, VASurfaceID *list, int num);
VAStatus kmscap_va_query_surface_attributes(VADriverContextP ctx, VAConfigID config,
					    VASurfaceAttrib *list, unsigned int *num);
VAStatus kmscap_va_sync_surface(VADriverContextP ctx, VASurfaceID id);
VAStatus kmscap_va_sync_surface2(VADriverContextP ctx, VASurfaceID id, uint64_t timeout_ns);
VAStatus kmscap_va_query_surface_status(VADriverContextP ctx, VASurfaceID id,
					VASurfaceStatus *status);
VAStatus kmscap_va_export_surface_handle(VADriverContextP ctx, VASurfaceID id,
					 uint32_t mem_type, uint32_t flags, void *descriptor);
void kmscap_va_surface_free(struct kmscap_va_surface *s);
int kmscap_va_surface_alloc(struct kmscap_va_surface *s, unsigned int fourcc,
			    unsigned int width, unsigned int height);

/* import.c */
VAStatus kmscap_va_import_surface(struct kmscap_va_driver *drv, struct kmscap_va_surface *s,
				  unsigned int rt_format, unsigned int width,
				  unsigned int height, uint32_t mem_type, const void *desc,
				  unsigned int index);
VAStatus kmscap_va_import_begin_read(struct kmscap_va_driver *drv,
				     struct kmscap_va_surface *s);
void kmscap_va_import_end_read(struct kmscap_va_surface *s);
bool kmscap_va_import_fourcc_ok(unsigned int fourcc, unsigned int *rt_format);

/* image.c */
VAStatus kmscap_va_query_image_formats(VADriverContextP ctx, VAImageFormat *list, int *num);
VAStatus kmscap_va_create_image(VADriverContextP ctx, VAImageFormat *format, int width,
				int height, VAImage *image);
VAStatus kmscap_va_derive_image(VADriverContextP ctx, VASurfaceID surface, VAImage *image);
VAStatus kmscap_va_destroy_image(VADriverContextP ctx, VAImageID image);
VAStatus kmscap_va_get_image(VADriverContextP ctx, VASurfaceID surface, int x, int y,
			     unsigned int width, unsigned int height, VAImageID image);
VAStatus kmscap_va_put_image(VADriverContextP ctx, VASurfaceID surface, VAImageID image,
			     int src_x, int src_y, unsigned int src_w, unsigned int src_h,
			     int dst_x, int dst_y, unsigned int dst_w, unsigned int dst_h);
#define KMSCAP_VA_NUM_IMAGE_FORMATS 2

/* buffer.c */
VAStatus kmscap_va_create_buffer(VADriverContextP ctx, VAContextID context,
				 VABufferType type, unsigned int size,
				 unsigned int num_elements, void *data, VABufferID *buf_id);
VAStatus kmscap_va_buffer_set_num_elements(VADriverContextP ctx, VABufferID buf_id,
					   unsigned int num_elements);
VAStatus kmscap_va_map_buffer(VADriverContextP ctx, VABufferID buf_id, void **pbuf);
VAStatus kmscap_va_unmap_buffer(VADriverContextP ctx, VABufferID buf_id);
VAStatus kmscap_va_destroy_buffer(VADriverContextP ctx, VABufferID buf_id);
VAStatus kmscap_va_buffer_info(VADriverContextP ctx, VABufferID buf_id, VABufferType *type,
			       unsigned int *size, unsigned int *num_elements);
VAStatus kmscap_va_sync_buffer(VADriverContextP ctx, VABufferID buf_id, uint64_t timeout_ns);
void kmscap_va_buffer_free(struct kmscap_va_buffer *b);
VABufferID kmscap_va_buffer_new_image(struct kmscap_va_driver *drv, uint8_t *data,
				      unsigned int size, bool owns, VASurfaceID derived);

/*
 * Coded buffer output, shared by the encoders.  An execute function looks
 * up its coded buffer with kmscap_va_coded_get() (rejects anything but a
 * VAEncCodedBufferType buffer with VA_STATUS_ERROR_INVALID_BUFFER), starts
 * with kmscap_va_coded_begin(), appends bytes with kmscap_va_coded_raw()
 * (as is: OBUs, packed headers with their emulation bytes) or
 * kmscap_va_coded_nal() (start code 00 00 00 01, then the RBSP with
 * emulation prevention), and ends with kmscap_va_coded_finish(), which
 * fills the buffer's single VACodedBufferSegment (vaMapBuffer returns it)
 * or, if the data did not fit, sets VA_CODED_BUF_STATUS_SLICE_OVERFLOW_MASK
 * and returns VA_STATUS_ERROR_NOT_ENOUGH_BUFFER.  coded->coded_capacity is
 * the buffer's size in bytes.
 */
struct kmscap_va_coded_out {
	struct kmscap_va_buffer *coded;
	uint8_t *buf;
	size_t cap, len;
	bool overflow;
};

struct kmscap_va_buffer *kmscap_va_coded_get(struct kmscap_va_driver *drv, VABufferID id,
					     VAStatus *st, const char *func);
void kmscap_va_coded_begin(struct kmscap_va_coded_out *o, struct kmscap_va_buffer *coded);
void kmscap_va_coded_raw(struct kmscap_va_coded_out *o, const void *data, size_t n);
void kmscap_va_coded_nal(struct kmscap_va_coded_out *o, const uint8_t *rbsp, size_t n);
VAStatus kmscap_va_coded_finish(struct kmscap_va_driver *drv, struct kmscap_va_coded_out *o);

/* context.c */
VAStatus kmscap_va_create_context(VADriverContextP ctx, VAConfigID config_id, int width,
				  int height, int flag, VASurfaceID *targets, int num_targets,
				  VAContextID *context);
VAStatus kmscap_va_destroy_context(VADriverContextP ctx, VAContextID context);
VAStatus kmscap_va_begin_picture(VADriverContextP ctx, VAContextID context,
				 VASurfaceID target);
VAStatus kmscap_va_render_picture(VADriverContextP ctx, VAContextID context,
				  VABufferID *buffers, int num);
VAStatus kmscap_va_end_picture(VADriverContextP ctx, VAContextID context);

/* vpp.c */
VAStatus kmscap_va_vpp_render(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
			      struct kmscap_va_buffer *b);
VAStatus kmscap_va_vpp_execute(struct kmscap_va_driver *drv, struct kmscap_va_context *c);
VAStatus kmscap_va_query_video_proc_filters(VADriverContextP ctx, VAContextID context,
					    VAProcFilterType *filters, unsigned int *num);
VAStatus kmscap_va_query_video_proc_filter_caps(VADriverContextP ctx, VAContextID context,
						VAProcFilterType type, void *caps,
						unsigned int *num);
VAStatus kmscap_va_query_video_proc_pipeline_caps(VADriverContextP ctx,
						  VAContextID context, VABufferID *filters,
						  unsigned int num, VAProcPipelineCaps *caps);

/* vpp_yuv.c */
VAStatus kmscap_va_vpp_scale_yuv(const struct kmscap_va_surface *src,
				 struct kmscap_va_surface *dst, const VARectangle *sr,
				 const VARectangle *orr, bool bilinear);

/*
 * h264_enc.c.  kmscap_va_enc_render() also serves the other codecs for
 * VAEncMiscParameterBufferType buffers: it validates rate control, HRD and
 * frame rate parameters into c->enc.rc (rejecting QPs above 51); the
 * execute function then calls kmscap_va_enc_check_rc() (h264_validate.c
 * declares it, h264_enc.c implements it) before encoding.
 */
VAStatus kmscap_va_enc_render(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
			      struct kmscap_va_buffer *b);
/* A VAEncMiscParameterBufferType buffer of any encode codec, into c->enc.rc. */
VAStatus kmscap_va_enc_misc(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
			    struct kmscap_va_buffer *b);
VAStatus kmscap_va_enc_execute(struct kmscap_va_driver *drv, struct kmscap_va_context *c);
void kmscap_va_enc_reset_picture(struct kmscap_va_enc_state *e);

/* h264_validate.c */
VAStatus kmscap_va_enc_check_seq(struct kmscap_va_driver *drv, struct kmscap_va_context *c);
VAStatus kmscap_va_enc_check_pic(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
				 unsigned int *nal_ref_idc);
VAStatus kmscap_va_enc_check_slices(struct kmscap_va_driver *drv, struct kmscap_va_context *c);
VAStatus kmscap_va_enc_check_rc(struct kmscap_va_driver *drv, struct kmscap_va_context *c);
void kmscap_va_dpb_update(struct kmscap_va_enc_state *e, bool idr, bool ref);

/* h264_bitstream.c */
struct kmscap_va_bits {
	uint8_t *buf;
	size_t cap;
	size_t bitpos;
	bool overflow;
};

void kmscap_va_bits_init(struct kmscap_va_bits *b, uint8_t *buf, size_t cap);
void kmscap_va_bits_put(struct kmscap_va_bits *b, unsigned int nbits, uint32_t value);
void kmscap_va_bits_ue(struct kmscap_va_bits *b, uint32_t value);
void kmscap_va_bits_se(struct kmscap_va_bits *b, int32_t value);
void kmscap_va_bits_align_zero(struct kmscap_va_bits *b);
void kmscap_va_bits_trailing(struct kmscap_va_bits *b);
/*
 * The start that the H.264 and HEVC VUI share: aspect ratio, no overscan
 * info, BT.709 limited range colour, no chroma location.
 */
void kmscap_va_bits_vui_start(struct kmscap_va_bits *b, bool aspect_ratio, unsigned int idc,
			      unsigned int sar_width, unsigned int sar_height);
size_t kmscap_va_nal_escape(uint8_t *dst, size_t cap, const uint8_t *rbsp, size_t len);
size_t kmscap_va_nal_unescape(uint8_t *dst, const uint8_t *src, size_t len);

/* The NAL units of a packed header (kmscap_va_packed_split()). */
#define KMSCAP_VA_MAX_NALS 16
struct kmscap_va_nals {
	const uint8_t *base;
	unsigned int n;
	bool too_many;
	size_t off[KMSCAP_VA_MAX_NALS], len[KMSCAP_VA_MAX_NALS];
};

/*
 * The NAL units of @p, without their start codes: escaped data split at
 * its start codes; unescaped data is one NAL unit after the first start
 * code.  -1: no start code, or more than KMSCAP_VA_MAX_NALS units.
 */
struct kmscap_va_packed;
int kmscap_va_packed_split(const struct kmscap_va_packed *p, struct kmscap_va_nals *out);

/* Bit reader over an RBSP (rbits.c): a read past the end sets @err. */
struct kmscap_va_rbits {
	const uint8_t *p;
	size_t len, pos;
	bool err;
};

uint32_t kmscap_va_rbits_u(struct kmscap_va_rbits *r, unsigned int n);
uint32_t kmscap_va_rbits_ue(struct kmscap_va_rbits *r);
int32_t kmscap_va_rbits_se(struct kmscap_va_rbits *r);
/* rbsp_trailing_bits() ending the RBSP exactly. */
bool kmscap_va_rbits_trailing(struct kmscap_va_rbits *r);
unsigned int kmscap_va_h264_profile_idc(VAProfile profile, unsigned int *constraints);
void kmscap_va_h264_write_sps(struct kmscap_va_bits *b, VAProfile profile,
			      const VAEncSequenceParameterBufferH264 *seq);
void kmscap_va_h264_write_pps(struct kmscap_va_bits *b, VAProfile profile,
			      const VAEncPictureParameterBufferH264 *pic);
void kmscap_va_h264_write_slice_header(struct kmscap_va_bits *b,
				       const VAEncSequenceParameterBufferH264 *seq,
				       const VAEncPictureParameterBufferH264 *pic,
				       const VAEncSliceParameterBufferH264 *slice,
				       unsigned int nal_ref_idc);
void kmscap_va_bits_put_bytes(struct kmscap_va_bits *b, const uint8_t *src, size_t n);
void kmscap_va_h264_write_pcm_samples(struct kmscap_va_bits *b,
				      const struct kmscap_va_surface *s, unsigned int mbx,
				      unsigned int mby);
void kmscap_va_h264_write_pcm_mbs(struct kmscap_va_bits *b, const struct kmscap_va_surface *s,
				  const VAEncSequenceParameterBufferH264 *seq,
				  const VAEncSliceParameterBufferH264 *slice);

/* packed.c: shared by the H.264 and HEVC encoders */
void kmscap_va_packed_reset(struct kmscap_va_packed_set *set);
/* A packed header parameter or data buffer; @slice_aligned: slice headers end byte-aligned. */
VAStatus kmscap_va_packed_render(struct kmscap_va_driver *drv, const struct kmscap_va_context *c,
				 struct kmscap_va_packed_set *set, struct kmscap_va_buffer *b,
				 bool slice_aligned);
/* Appends the @b->num_elements slice parameters (of @elem bytes) of @b to *@slices. */
VAStatus kmscap_va_slices_append(struct kmscap_va_driver *drv, void **slices, unsigned int *num,
				 const struct kmscap_va_buffer *b, size_t elem);
/* The packed header that precedes slice @index, or NULL. */
struct kmscap_va_packed *kmscap_va_packed_slice(struct kmscap_va_packed_set *set,
						unsigned int index);
/*
 * A copy of packed header @p after its start code of @sc bytes, emulation
 * prevention bytes removed if it has them; *@n: its length.  NULL if out
 * of memory.
 */
uint8_t *kmscap_va_packed_rbsp(const struct kmscap_va_packed *p, size_t sc, size_t *n);
/* Length of the Annex B start code at @p (3 or 4 bytes), 0 if none. */
size_t kmscap_va_start_code(const uint8_t *p, size_t n);
/*
 * Calls @fn for every NAL unit (start code excluded) of the Annex B buffer
 * @p; returns how many, or -1 if it does not begin with a start code.
 */
int kmscap_va_for_each_nal(const uint8_t *p, size_t n,
			   void (*fn)(void *arg, const uint8_t *nal, size_t len), void *arg);

/*
 * Where an H.264 or HEVC context keeps the parameters of the picture being
 * rendered, for kmscap_va_enc_render_slots() and kmscap_va_enc_check_begun().
 */
struct kmscap_va_enc_slots {
	struct kmscap_va_packed_set *pk;
	void *seq, *pic;
	size_t seq_size, pic_size;
	bool *have_seq, *seq_in_pic, *have_pic;
	void **slices;
	unsigned int *num_slices;
	size_t slice_size;
	bool slice_aligned;	/* packed slice headers end byte-aligned */
	const char *what;	/* "an encode picture", named in rejections */
};

/*
 * The slots of @st, a struct kmscap_va_enc_state (H.264) or
 * kmscap_va_hevc_state: both name their fields alike.
 */
#define KMSCAP_VA_ENC_SLOTS(st, aligned, name)						\
	((struct kmscap_va_enc_slots) {							\
		.pk = &(st)->pk,							\
		.seq = &(st)->seq, .seq_size = sizeof((st)->seq),			\
		.pic = &(st)->pic, .pic_size = sizeof((st)->pic),			\
		.have_seq = &(st)->have_seq, .seq_in_pic = &(st)->seq_in_pic,		\
		.have_pic = &(st)->have_pic,						\
		.slices = (void **)&(st)->slices, .num_slices = &(st)->num_slices,	\
		.slice_size = sizeof(*(st)->slices),					\
		.slice_aligned = (aligned), .what = (name),				\
	})

/* A sequence, picture, slice, packed header or misc parameter buffer. */
VAStatus kmscap_va_enc_render_slots(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
				    struct kmscap_va_buffer *b,
				    const struct kmscap_va_enc_slots *s);
/* At vaEndPicture: no packed header parameter left without data, a sequence and a picture. */
VAStatus kmscap_va_enc_check_begun(struct kmscap_va_driver *drv,
				   const struct kmscap_va_enc_slots *s);
/*
 * Sizes of the fixed-layout encode buffers of a codec whose sequence,
 * picture and slice parameters are @seq, @pic and @slice bytes (-1: not
 * taken): 0 for the free-form ones, -1 for a type an encode context does
 * not take.
 */
long kmscap_va_enc_buffer_size(VABufferType type, long seq, long pic, long slice);
/* Copies @src into the reconstructed surface @id (lossless coding). */
void kmscap_va_copy_recon(struct kmscap_va_driver *drv, const struct kmscap_va_surface *src,
			  VASurfaceID id);

/* cabac.c: the arithmetic encoder of H.264 and HEVC */
#define KMSCAP_VA_CABAC_MAX_CTX	40
struct kmscap_va_cabac {
	struct kmscap_va_bits *b;
	uint32_t low, range;
	unsigned int outstanding;
	bool first;
	uint8_t state[KMSCAP_VA_CABAC_MAX_CTX];
	uint8_t mps[KMSCAP_VA_CABAC_MAX_CTX];
};

/* Context @ctx from (m, n) at slice QP @qp (H.264 9.3.1.1, HEVC 9.3.2.2). */
void kmscap_va_cabac_init_ctx(struct kmscap_va_cabac *c, int ctx, int m, int n, int qp);
void kmscap_va_cabac_init_engine(struct kmscap_va_cabac *c);
void kmscap_va_cabac_decision(struct kmscap_va_cabac *c, int ctx, unsigned int bin);
/* A terminate bin; 1 flushes the engine (before PCM samples, at the slice end). */
void kmscap_va_cabac_terminate(struct kmscap_va_cabac *c, unsigned int bin);

/* h264_cabac.c */
void kmscap_va_h264_write_pcm_mbs_cabac(struct kmscap_va_bits *b,
					const struct kmscap_va_surface *s,
					const VAEncSequenceParameterBufferH264 *seq,
					const VAEncPictureParameterBufferH264 *pic,
					const VAEncSliceParameterBufferH264 *slice);

/*
 * hevc_*.c: HEVC Main/Main10 encode, every CU coded as PCM (CABAC).
 * kmscap_va_hevc_attrib() returns VA_ATTRIB_NOT_SUPPORTED for attributes
 * it does not offer; kmscap_va_hevc_buffer_size() the element size of a
 * parameter buffer type, 0 for free-form types, -1 if not accepted.
 */
#define KMSCAP_VA_HEVC_MAX_REFS	4	/* list 0; list 1 only in GPB mode (= list 0) */

/* What the encoder needs from an SPS/PPS, generated or parsed from a packed one. */
struct kmscap_va_hevc_sps_info {
	unsigned int width, height;	/* pic_width/height_in_luma_samples */
	unsigned int bit_depth_luma, bit_depth_chroma;
	unsigned int log2_min_cb, log2_ctb, log2_min_tb, log2_max_tb;
	bool pcm_enabled, pcm_loop_filter_disabled;
	unsigned int pcm_bit_depth_luma, pcm_bit_depth_chroma;
	unsigned int log2_min_pcm, log2_max_pcm;
	bool scaling_list, sao;
};

struct kmscap_va_hevc_pps_info {
	int init_qp;
	bool transquant_bypass, tiles, entropy_coding_sync, dependent_slices;
};

struct kmscap_va_hevc_ref {
	VASurfaceID surface;
	int32_t poc;
};

struct kmscap_va_hevc_state {
	bool have_seq;		/* a sequence is in effect for this picture */
	bool seq_in_pic;	/* this picture brought a sequence buffer */
	VAEncSequenceParameterBufferHEVC seq;
	bool have_pic;
	VAEncPictureParameterBufferHEVC pic;
	unsigned int num_slices;
	VAEncSliceParameterBufferHEVC *slices;
	struct kmscap_va_packed_set pk;
	/* across pictures */
	bool have_active;
	VAEncSequenceParameterBufferHEVC active_seq;
	bool started;		/* an IDR has been encoded */
	bool caller_headers;	/* the last IDR came with packed VPS/SPS/PPS */
	struct kmscap_va_hevc_ref dpb[KMSCAP_VA_HEVC_MAX_REFS + 1];
	unsigned int dpb_count;
	int32_t prev_poc;
	uint8_t last_pps[64];	/* last generated PPS, re-sent when it changes */
	size_t last_pps_len;
	unsigned int frames;
};

/*
 * KMSCAP_VA_HEVC_GPB=1 (read at the display's first config query, then
 * fixed): HEVC emulates a low-power encoder that codes no P slices
 * (VAConfigAttribPredictionDirection with VA_PREDICTION_DIRECTION_BI_NOT_EMPTY):
 * B slices whose RefPicList1 repeats RefPicList0 instead.
 */
bool kmscap_va_hevc_gpb(struct kmscap_va_driver *drv);
uint32_t kmscap_va_hevc_attrib(VAProfile profile, VAEntrypoint ep, VAConfigAttribType type,
			       bool gpb);
long kmscap_va_hevc_buffer_size(VABufferType type);
VAStatus kmscap_va_hevc_create(struct kmscap_va_driver *drv, struct kmscap_va_context *c);
VAStatus kmscap_va_hevc_render(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
			       struct kmscap_va_buffer *b);
VAStatus kmscap_va_hevc_execute(struct kmscap_va_driver *drv, struct kmscap_va_context *c);
void kmscap_va_hevc_reset_picture(struct kmscap_va_context *c);
void kmscap_va_hevc_destroy(struct kmscap_va_context *c);

/* hevc_validate.c */
unsigned int kmscap_va_hevc_features(void);
unsigned int kmscap_va_hevc_block_sizes(void);
VAStatus kmscap_va_hevc_check_seq(struct kmscap_va_driver *drv, struct kmscap_va_context *c);
VAStatus kmscap_va_hevc_check_pic(struct kmscap_va_driver *drv, struct kmscap_va_context *c);
VAStatus kmscap_va_hevc_check_slices(struct kmscap_va_driver *drv,
				     struct kmscap_va_context *c);
VAStatus kmscap_va_hevc_check_sps_info(struct kmscap_va_driver *drv,
				       const struct kmscap_va_hevc_state *h,
				       const struct kmscap_va_hevc_sps_info *si);
VAStatus kmscap_va_hevc_check_pps_info(struct kmscap_va_driver *drv,
				       const struct kmscap_va_hevc_state *h,
				       const struct kmscap_va_hevc_pps_info *pi);
void kmscap_va_hevc_sps_info_of(const VAEncSequenceParameterBufferHEVC *seq,
				struct kmscap_va_hevc_sps_info *si);

/* hevc_bitstream.c */
void kmscap_va_hevc_write_vps(struct kmscap_va_bits *b,
			      const VAEncSequenceParameterBufferHEVC *seq);
void kmscap_va_hevc_write_sps(struct kmscap_va_bits *b, const struct kmscap_va_context *c,
			      const VAEncSequenceParameterBufferHEVC *seq);
void kmscap_va_hevc_write_pps(struct kmscap_va_bits *b,
			      const VAEncSequenceParameterBufferHEVC *seq,
			      const VAEncPictureParameterBufferHEVC *pic);
void kmscap_va_hevc_write_slice_header(struct kmscap_va_bits *b,
				       const struct kmscap_va_hevc_state *h,
				       const VAEncSliceParameterBufferHEVC *sl);
int kmscap_va_hevc_parse_sps(const uint8_t *rbsp, size_t len,
			     struct kmscap_va_hevc_sps_info *si);
int kmscap_va_hevc_parse_pps(const uint8_t *rbsp, size_t len,
			     struct kmscap_va_hevc_pps_info *pi);

/* hevc_cabac.c */
void kmscap_va_hevc_write_slice_data(struct kmscap_va_bits *b,
				     const struct kmscap_va_surface *s,
				     const struct kmscap_va_hevc_state *h,
				     const VAEncSliceParameterBufferHEVC *sl);

/*
 * av1_*.c (engineer B): AV1 encode hooks.
 * kmscap_va_av1_available(): false keeps VAProfileAV1Profile0 out of the
 *   profile list and rejects it with VA_STATUS_ERROR_UNSUPPORTED_PROFILE.
 * kmscap_va_av1_attrib(): value of a config attribute for AV1 with the
 *   entrypoint (EncSlice or EncSliceLP), VA_ATTRIB_NOT_SUPPORTED if not
 *   offered.  vaCreateConfig checks the caller's values against it: RT
 *   format (one bit; the default is its lowest bit), rate control (one
 *   bit), EncPackedHeaders/EncInterlaced/EncIntraRefresh/EncSliceStructure
 *   (subset), EncAV1/EncAV1Ext1/EncAV1Ext2 (must equal the value offered),
 *   anything else (at most the value offered).
 * kmscap_va_av1_buffer_size(): element size of a buffer type in an AV1
 *   context, 0 for free-form, -1 to fall back to the common types
 *   (VAEncPackedHeaderParameter/Data, misc, coded); other types are then
 *   rejected with VA_STATUS_ERROR_UNSUPPORTED_BUFFERTYPE.
 * kmscap_va_av1_render(): one buffer of vaRenderPicture (the common checks:
 *   context, mapped, are done).  c->av1 is NULL until the hook allocates it.
 * kmscap_va_av1_execute(): vaEndPicture; the input surface is
 *   c->render_target (already checked: NV12 for an 8-bit config, P010 for a
 *   YUV420_10 one, covering the context rounded up to 16).
 * kmscap_va_av1_reset_picture(): at vaBeginPicture and after vaEndPicture.
 * kmscap_va_av1_destroy(): at vaDestroyContext; frees c->av1.
 */
bool kmscap_va_av1_available(void);
uint32_t kmscap_va_av1_attrib(VAEntrypoint ep, VAConfigAttribType type);
long kmscap_va_av1_buffer_size(VABufferType type);
VAStatus kmscap_va_av1_render(struct kmscap_va_driver *drv, struct kmscap_va_context *c,
			      struct kmscap_va_buffer *b);
VAStatus kmscap_va_av1_execute(struct kmscap_va_driver *drv, struct kmscap_va_context *c);
void kmscap_va_av1_reset_picture(struct kmscap_va_context *c);
void kmscap_va_av1_destroy(struct kmscap_va_context *c);

/*
 * h264_packed.c: the caller's packed non-slice headers of the picture:
 * every NAL unit's type into *@types, SPS and PPS parsed and checked
 * against the picture's parameters; then written to the output, escaped
 * unless they already are.
 */
VAStatus kmscap_va_h264_check_packed(struct kmscap_va_driver *drv,
				     const struct kmscap_va_context *c, uint32_t *types);
void kmscap_va_h264_emit_packed(const struct kmscap_va_context *c, struct kmscap_va_coded_out *o);

#endif /* KMSCAP_VA_H */
