// SPDX-License-Identifier: MIT
/*
 * va_test.c - helpers shared by the Check tests of the kmscap VA driver:
 * display setup, test frames, surface upload/download and an H.264 encode
 * session built the way an ordinary VA-API application builds one.
 *
 * Display: $KMSCAP_VA_RENDER_NODE (e.g. /dev/dri/renderD128 in the VM) if
 * set, else a memfd named "kmscap-va-fake-render" that the preloaded
 * kmscap_va_drmshim.so presents to libva as a render node.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "va_test.h"

void *kmscap_vat_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	ck_assert_msg(p, "out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void kmscap_vat_open(struct kmscap_vat *t)
{
	const char *node = getenv("KMSCAP_VA_RENDER_NODE");
	const char *vendor;
	int major, minor;
	VAStatus st;

	if (node) {
		t->fd = open(node, O_RDWR | O_CLOEXEC);
		ck_assert_msg(t->fd >= 0, "cannot open render node %s: %s", node,
			      strerror(errno));
	} else {
		t->fd = memfd_create("kmscap-va-fake-render", MFD_CLOEXEC);
		ck_assert_msg(t->fd >= 0, "memfd_create: %s", strerror(errno));
	}
	t->dpy = vaGetDisplayDRM(t->fd);
	if (!t->dpy) {
		close(t->fd);
		kmscap_vat_skip("vaGetDisplayDRM refused %s: preload kmscap_va_drmshim.so or set KMSCAP_VA_RENDER_NODE",
				node ? node : "the fake render node memfd");
	}
	vaSetInfoCallback(t->dpy, NULL, NULL);
	st = vaInitialize(t->dpy, &major, &minor);
	ck_assert_msg(st == VA_STATUS_SUCCESS,
		      "vaInitialize: %s (LIBVA_DRIVER_NAME=%s LIBVA_DRIVERS_PATH=%s)",
		      vaErrorStr(st), getenv("LIBVA_DRIVER_NAME"), getenv("LIBVA_DRIVERS_PATH"));
	vendor = vaQueryVendorString(t->dpy);
	ck_assert_msg(vendor && strstr(vendor, "kmscap"),
		      "vaInitialize loaded another driver (vendor \"%s\")", vendor);
}

void kmscap_vat_close(struct kmscap_vat *t)
{
	if (t->dpy)
		vaTerminate(t->dpy);
	t->dpy = NULL;
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

const char *kmscap_vat_workdir(void)
{
	const char *d = getenv("KMSCAP_VA_WORKDIR");

	if (!d)
		d = "vadriver-work";
	mkdir(d, 0755);
	return d;
}

void kmscap_vat_frame_gen(struct kmscap_vat_frame *f, unsigned int w, unsigned int h,
			  unsigned int seed)
{
	uint32_t rnd = 2463534242u ^ (seed * 2654435761u);
	unsigned int x, y;
	uint8_t *uv;

	f->width = w;
	f->height = h;
	f->data = kmscap_vat_calloc(1, (size_t)w * h * 3 / 2);
	ck_assert_ptr_nonnull(f->data);
	uv = f->data + (size_t)w * h;
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			rnd ^= rnd << 13;
			rnd ^= rnd >> 17;
			rnd ^= rnd << 5;
			/* gradients, noise, and runs of zeros and 0xff (start-code look-alikes) */
			if ((x / 8 + y / 8 + seed) % 5 == 0)
				f->data[y * w + x] = 0;
			else if ((x / 8 + y / 8 + seed) % 7 == 0)
				f->data[y * w + x] = 0xff;
			else
				f->data[y * w + x] = (x * 3 + y * 5 + seed * 17 +
						      (rnd & 15)) & 0xff;
		}
	}
	for (y = 0; y < h / 2; y++) {
		for (x = 0; x < w; x++) {
			rnd ^= rnd << 13;
			rnd ^= rnd >> 17;
			rnd ^= rnd << 5;
			uv[y * w + x] = (y % 4 == seed % 4) ? (x & 1 ? 1 : 0) :
					(128 + (int)(rnd % 64) - 32 + seed) & 0xff;
		}
	}
}

void kmscap_vat_frame_free(struct kmscap_vat_frame *f)
{
	free(f->data);
	f->data = NULL;
}

void kmscap_vat_upload(VADisplay dpy, VASurfaceID s, const struct kmscap_vat_frame *f)
{
	unsigned int y, w = f->width, h = f->height;
	VAImage img;
	uint8_t *p;

	ck_assert_va_ok(vaDeriveImage(dpy, s, &img));
	ck_assert_uint_eq(img.format.fourcc, VA_FOURCC_NV12);
	ck_assert_va_ok(vaMapBuffer(dpy, img.buf, (void **)&p));
	for (y = 0; y < h; y++)
		memcpy(p + img.offsets[0] + (size_t)y * img.pitches[0], f->data + (size_t)y * w, w);
	for (y = 0; y < h / 2; y++)
		memcpy(p + img.offsets[1] + (size_t)y * img.pitches[1],
		       f->data + (size_t)w * h + (size_t)y * w, w);
	ck_assert_va_ok(vaUnmapBuffer(dpy, img.buf));
	ck_assert_va_ok(vaDestroyImage(dpy, img.image_id));
}

void kmscap_vat_download(VADisplay dpy, VASurfaceID s, struct kmscap_vat_frame *f)
{
	unsigned int y, w = f->width, h = f->height;
	VAImageFormat fmt = { .fourcc = VA_FOURCC_NV12, .byte_order = VA_LSB_FIRST,
			      .bits_per_pixel = 12 };
	VAImage img;
	uint8_t *p;

	ck_assert_va_ok(vaCreateImage(dpy, &fmt, w, h, &img));
	ck_assert_va_ok(vaGetImage(dpy, s, 0, 0, w, h, img.image_id));
	ck_assert_va_ok(vaMapBuffer(dpy, img.buf, (void **)&p));
	for (y = 0; y < h; y++)
		memcpy(f->data + (size_t)y * w, p + img.offsets[0] + (size_t)y * img.pitches[0], w);
	for (y = 0; y < h / 2; y++)
		memcpy(f->data + (size_t)w * h + (size_t)y * w,
		       p + img.offsets[1] + (size_t)y * img.pitches[1], w);
	ck_assert_va_ok(vaUnmapBuffer(dpy, img.buf));
	ck_assert_va_ok(vaDestroyImage(dpy, img.image_id));
}

void kmscap_vat_enc_open(struct kmscap_vat_enc *e, VAProfile profile, unsigned int w,
			 unsigned int h, unsigned int packed, unsigned int coded_size)
{
	kmscap_vat_enc_open_rc(e, profile, w, h, packed, coded_size, VA_RC_CQP);
}

void kmscap_vat_enc_open_rc(struct kmscap_vat_enc *e, VAProfile profile, unsigned int w,
			    unsigned int h, unsigned int packed, unsigned int coded_size,
			    unsigned int rc_mode)
{
	VAConfigAttrib attr[3] = {
		{ VAConfigAttribRTFormat, VA_RT_FORMAT_YUV420 },
		{ VAConfigAttribRateControl, rc_mode },
		{ VAConfigAttribEncPackedHeaders, packed },
	};
	unsigned int mbs = ((w + 15) / 16) * ((h + 15) / 16);
	VASurfaceID s[3];

	memset(e, 0, sizeof(*e));
	kmscap_vat_open(&e->t);
	e->profile = profile;
	e->width = w;
	e->height = h;
	e->packed = packed;
	ck_assert_va_ok(vaCreateConfig(e->t.dpy, profile, VAEntrypointEncSlice, attr,
				       packed ? 3 : 2, &e->config));
	ck_assert_va_ok(vaCreateSurfaces(e->t.dpy, VA_RT_FORMAT_YUV420, w, h, s, 3, NULL, 0));
	e->input = s[0];
	e->recon[0] = s[1];
	e->recon[1] = s[2];
	ck_assert_va_ok(vaCreateContext(e->t.dpy, e->config, w, h, VA_PROGRESSIVE, e->recon, 2,
					&e->context));
	e->coded_size = coded_size ? coded_size : mbs * 400 + 8192;
	ck_assert_va_ok(vaCreateBuffer(e->t.dpy, e->context, VAEncCodedBufferType,
				       e->coded_size, 1, NULL, &e->coded));
}

void kmscap_vat_enc_close(struct kmscap_vat_enc *e)
{
	free(e->out);
	e->out = NULL;
	kmscap_vat_close(&e->t);
}

static void kmscap_vat_invalid_pic(VAPictureH264 *p)
{
	memset(p, 0, sizeof(*p));
	p->picture_id = VA_INVALID_SURFACE;
	p->flags = VA_PICTURE_H264_INVALID;
}

void kmscap_vat_enc_defaults(struct kmscap_vat_enc *e, bool idr, unsigned int slices)
{
	VAEncSequenceParameterBufferH264 *seq = &e->seq;
	VAEncPictureParameterBufferH264 *pic = &e->pic;
	unsigned int wmb = (e->width + 15) / 16, hmb = (e->height + 15) / 16;
	unsigned int i, n, total = wmb * hmb, pos = 0;
	VAPictureH264 ref;

	if (idr) {
		if (e->frame)
			e->idr_count++;
		e->idr_frame = e->frame;
	}
	n = e->frame - e->idr_frame;

	memset(seq, 0, sizeof(*seq));
	seq->level_idc = 30;
	seq->intra_period = 30;
	seq->intra_idr_period = 30;
	seq->ip_period = 1;
	seq->max_num_ref_frames = 1;
	seq->picture_width_in_mbs = wmb;
	seq->picture_height_in_mbs = hmb;
	seq->seq_fields.bits.chroma_format_idc = 1;
	seq->seq_fields.bits.frame_mbs_only_flag = 1;
	seq->seq_fields.bits.direct_8x8_inference_flag = 1;
	seq->seq_fields.bits.log2_max_frame_num_minus4 = 0;
	seq->seq_fields.bits.pic_order_cnt_type = 0;
	seq->seq_fields.bits.log2_max_pic_order_cnt_lsb_minus4 = 2;
	if (wmb * 16 != e->width || hmb * 16 != e->height) {
		seq->frame_cropping_flag = 1;
		seq->frame_crop_right_offset = (wmb * 16 - e->width) / 2;
		seq->frame_crop_bottom_offset = (hmb * 16 - e->height) / 2;
	}
	seq->vui_parameters_present_flag = 1;
	seq->vui_fields.bits.timing_info_present_flag = 1;
	seq->vui_fields.bits.fixed_frame_rate_flag = 1;
	seq->num_units_in_tick = 1;
	seq->time_scale = 50;

	memset(pic, 0, sizeof(*pic));
	pic->CurrPic.picture_id = e->recon[e->frame % 2];
	pic->CurrPic.frame_idx = n % 16;
	pic->CurrPic.TopFieldOrderCnt = 2 * n;
	pic->CurrPic.BottomFieldOrderCnt = 2 * n;
	for (i = 0; i < 16; i++)
		kmscap_vat_invalid_pic(&pic->ReferenceFrames[i]);
	kmscap_vat_invalid_pic(&ref);
	if (!idr) {
		ref.picture_id = e->recon[(e->frame + 1) % 2];
		ref.frame_idx = (n - 1) % 16;
		ref.flags = VA_PICTURE_H264_SHORT_TERM_REFERENCE;
		ref.TopFieldOrderCnt = 2 * (n - 1);
		ref.BottomFieldOrderCnt = 2 * (n - 1);
		pic->ReferenceFrames[0] = ref;
	}
	pic->coded_buf = e->coded;
	pic->frame_num = n % 16;
	pic->pic_init_qp = 26;
	pic->pic_fields.bits.idr_pic_flag = idr;
	pic->pic_fields.bits.reference_pic_flag = 1;
	pic->pic_fields.bits.deblocking_filter_control_present_flag = 1;

	e->num_slices = slices;
	for (i = 0; i < slices; i++) {
		VAEncSliceParameterBufferH264 *s = &e->slice[i];
		unsigned int j, cnt = total / slices + (i < total % slices);

		memset(s, 0, sizeof(*s));
		s->macroblock_address = pos;
		s->num_macroblocks = cnt;
		pos += cnt;
		s->macroblock_info = VA_INVALID_ID;
		s->slice_type = idr ? 2 : 0;
		s->idr_pic_id = e->idr_count;
		s->pic_order_cnt_lsb = (2 * n) % 64;
		for (j = 0; j < 32; j++) {
			kmscap_vat_invalid_pic(&s->RefPicList0[j]);
			kmscap_vat_invalid_pic(&s->RefPicList1[j]);
		}
		if (!idr)
			s->RefPicList0[0] = ref;
	}
}

/*
 * Renders one picture into @input: the @own buffers at the start of @ids
 * (created for it, destroyed after), then the @num_extra of @extra (@ids
 * has room for them), unless @st, the status of creating the own ones,
 * already failed.  Returns the first failing status.
 */
static VAStatus kmscap_vat_picture(VADisplay dpy, VAContextID ctx, VASurfaceID input,
				   VAStatus st, VABufferID *ids, unsigned int own,
				   const VABufferID *extra, unsigned int num_extra)
{
	unsigned int i, n = own;
	VAStatus st2;

	for (i = 0; i < num_extra; i++)
		ids[n++] = extra[i];
	if (st == VA_STATUS_SUCCESS)
		st = vaBeginPicture(dpy, ctx, input);
	if (st == VA_STATUS_SUCCESS) {
		st = vaRenderPicture(dpy, ctx, ids, n);
		st2 = vaEndPicture(dpy, ctx);
		if (st == VA_STATUS_SUCCESS)
			st = st2;
	}
	for (i = 0; i < own; i++)
		vaDestroyBuffer(dpy, ids[i]);
	return st;
}

VAStatus kmscap_vat_submit_params(VADisplay dpy, VAContextID ctx, VASurfaceID input,
				  const struct kmscap_vat_params *p, const VABufferID *extra,
				  unsigned int num_extra)
{
	VABufferID ids[2 + KMSCAP_VAT_MAX_PARAM_SLICES + 16];
	const uint8_t *slice = p->slices;
	VAStatus st = VA_STATUS_SUCCESS;
	unsigned int n = 0, i;

	ck_assert_uint_le(p->num_slices, KMSCAP_VAT_MAX_PARAM_SLICES);
	ck_assert_uint_le(num_extra, 16);
	if (p->with_seq)
		st = kmscap_vat_add_buf(dpy, ctx, VAEncSequenceParameterBufferType, p->seq_size,
					p->seq, ids, &n);
	if (st == VA_STATUS_SUCCESS && !p->omit_pic)
		st = kmscap_vat_add_buf(dpy, ctx, VAEncPictureParameterBufferType, p->pic_size,
					p->pic, ids, &n);
	for (i = 0; i < p->num_slices && st == VA_STATUS_SUCCESS && !p->omit_slices; i++)
		st = kmscap_vat_add_buf(dpy, ctx, VAEncSliceParameterBufferType, p->slice_size,
					slice + (size_t)i * p->slice_size, ids, &n);
	return kmscap_vat_picture(dpy, ctx, input, st, ids, n, extra, num_extra);
}

VAStatus kmscap_vat_coded_append(VADisplay dpy, VABufferID coded, uint8_t **out, size_t *len,
				 size_t *cap)
{
	VACodedBufferSegment *seg;
	VAStatus st = vaMapBuffer(dpy, coded, (void **)&seg);

	if (st != VA_STATUS_SUCCESS)
		return st;
	for (; seg; seg = seg->next) {
		ck_assert_uint_eq(seg->status & VA_CODED_BUF_STATUS_SLICE_OVERFLOW_MASK, 0);
		if (*len + seg->size > *cap) {
			*cap = 2 * (*len + seg->size);
			*out = realloc(*out, *cap);
			ck_assert_ptr_nonnull(*out);
		}
		memcpy(*out + *len, seg->buf, seg->size);
		*len += seg->size;
	}
	return vaUnmapBuffer(dpy, coded);
}

uint8_t *kmscap_vat_read_decoded(const char *yuv, size_t fsize, unsigned int n)
{
	FILE *f = fopen(yuv, "rb");
	uint8_t *dec;
	long len;

	ck_assert_msg(f, "no decoded output %s", yuv);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	ck_assert_msg(len == (long)(fsize * n), "%s: decoded %ld bytes, expected %u frames of %zu",
		      yuv, len, n, fsize);
	dec = kmscap_vat_calloc(1, len);
	ck_assert_uint_eq(fread(dec, 1, len, f), (size_t)len);
	fclose(f);
	return dec;
}

VAStatus kmscap_vat_add_buf(VADisplay dpy, VAContextID ctx, VABufferType type, unsigned int size,
			    const void *data, VABufferID *ids, unsigned int *n)
{
	VAStatus st = vaCreateBuffer(dpy, ctx, type, size, 1, (void *)data, &ids[*n]);

	if (st == VA_STATUS_SUCCESS)
		(*n)++;
	return st;
}

VAStatus kmscap_vat_enc_submit(struct kmscap_vat_enc *e, bool with_seq, VABufferID *extra,
			       unsigned int num_extra)
{
	VADisplay dpy = e->t.dpy;
	VAContextID ctx = e->context;
	VASurfaceStatus status;
	VAStatus st;

	st = kmscap_vat_submit_params(dpy, ctx, e->input, &KMSCAP_VAT_PARAMS(e, with_seq), extra,
				      num_extra);
	if (st != VA_STATUS_SUCCESS)
		return st;
	st = vaSyncSurface(dpy, e->input);
	if (st != VA_STATUS_SUCCESS)
		return st;
	st = vaQuerySurfaceStatus(dpy, e->input, &status);
	if (st != VA_STATUS_SUCCESS)
		return st;
	ck_assert_int_eq(status, VASurfaceReady);
	st = kmscap_vat_coded_append(dpy, e->coded, &e->out, &e->out_len, &e->out_cap);
	if (st != VA_STATUS_SUCCESS)
		return st;
	e->frame++;
	return VA_STATUS_SUCCESS;
}

bool kmscap_vat_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f)
		return false;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

int kmscap_vat_run(const char *cmd, char **out)
{
	char buf[4096];
	size_t len = 0, n;
	FILE *p;
	int rc;

	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out) {
		*out = NULL;
		while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
			char *grown = realloc(*out, len + n + 1);

			ck_assert_ptr_nonnull(grown);
			*out = grown;
			memcpy(*out + len, buf, n);
			len += n;
			(*out)[len] = '\0';
		}
		if (!*out)
			*out = kmscap_vat_calloc(1, 1);
	} else {
		while (fread(buf, 1, sizeof(buf), p) > 0)
			;
	}
	rc = pclose(p);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

bool kmscap_vat_have_tool(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return kmscap_vat_run(cmd, NULL) == 0;
}

void kmscap_vat_need_ffmpeg(void)
{
	if (!kmscap_vat_have_tool("ffmpeg") || !kmscap_vat_have_tool("ffprobe"))
		kmscap_vat_skip("ffmpeg/ffprobe not installed (Debian package ffmpeg)");
}

char *kmscap_vat_probe_value(const char *out, const char *key)
{
	size_t klen = strlen(key);
	const char *p = out;
	static char val[128];

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, "\n");

			snprintf(val, sizeof(val), "%.*s", (int)n, p + klen + 1);
			return val;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/*
 * Decodes e->out with ffmpeg, compares it with frames[0..n-1], and checks
 * what ffprobe says about it.
 */
void kmscap_vat_check_stream(struct kmscap_vat_enc *e, const char *name,
			     struct kmscap_vat_frame *frames, unsigned int n, const char *profile,
			     const char *level)
{
	size_t fsize = (size_t)e->width * e->height * 3 / 2;
	char path[512], yuv[512], cmd[2048], *out = NULL, *v;
	unsigned int i;
	uint8_t *dec;

	snprintf(path, sizeof(path), "%s/%s.h264", kmscap_vat_workdir(), name);
	snprintf(yuv, sizeof(yuv), "%s/%s.nv12", kmscap_vat_workdir(), name);
	ck_assert_msg(kmscap_vat_write_file(path, e->out, e->out_len), "cannot write %s", path);
	snprintf(cmd, sizeof(cmd),
		 "ffmpeg -nostdin -v error -i '%s' -f rawvideo -pix_fmt nv12 -y '%s' 2>&1", path,
		 yuv);
	ck_assert_msg(kmscap_vat_run(cmd, &out) == 0, "ffmpeg failed to decode %s: %s", path, out);
	ck_assert_msg(!strstr(out, "rror"), "ffmpeg reported errors decoding %s: %s", path, out);
	free(out);

	dec = kmscap_vat_read_decoded(yuv, fsize, n);
	for (i = 0; i < n; i++)
		ck_assert_msg(!memcmp(dec + i * fsize, frames[i].data, fsize),
			      "%s: decoded frame %u differs from the input", path, i);
	free(dec);

	snprintf(cmd, sizeof(cmd),
		 "ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=codec_name,profile,level,width,height,nb_read_frames -of default=noprint_wrappers=1 '%s'",
		 path);
	ck_assert_msg(kmscap_vat_run(cmd, &out) == 0, "ffprobe failed on %s", path);
	v = kmscap_vat_probe_value(out, "codec_name");
	ck_assert_msg(v && !strcmp(v, "h264"), "codec_name %s", v);
	v = kmscap_vat_probe_value(out, "profile");
	ck_assert_msg(v && !strcmp(v, profile), "profile \"%s\", expected \"%s\"", v, profile);
	v = kmscap_vat_probe_value(out, "level");
	ck_assert_msg(v && !strcmp(v, level), "level %s, expected %s", v, level);
	v = kmscap_vat_probe_value(out, "width");
	ck_assert_msg(v && (unsigned int)atoi(v) == e->width, "width %s", v);
	v = kmscap_vat_probe_value(out, "height");
	ck_assert_msg(v && (unsigned int)atoi(v) == e->height, "height %s", v);
	v = kmscap_vat_probe_value(out, "nb_read_frames");
	ck_assert_msg(v && (unsigned int)atoi(v) == n, "nb_read_frames %s, expected %u", v, n);
	free(out);
}
