// SPDX-License-Identifier: MIT
/*
 * test_av1.c - AV1 (VAProfileAV1Profile0) through libva: attributes, lossless
 * encodes of known pictures (8-bit and 10-bit, key, inter and intra-only
 * frames) decoded with ffmpeg (libdav1d) and compared sample by sample, and
 * one test per validation rule, each checking the status and the reason in
 * the driver's KMSCAP_VA_DEBUG log.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_av1.h"
#include "va_test.h"

#include <va/va_enc_av1.h>

#define EINVAL_P VA_STATUS_ERROR_INVALID_PARAMETER
#define AV1T_PACKED (VA_ENC_PACKED_HEADER_SEQUENCE | VA_ENC_PACKED_HEADER_PICTURE)

struct av1t {
	struct kmscap_vat t;
	unsigned int w, h, depth;
	VAConfigID cfg;
	VAContextID ctx;
	VASurfaceID input, recon[4];
	VABufferID coded;
	VAEncSequenceParameterBufferAV1 seq;
	VAEncPictureParameterBufferAV1 pic;
	struct kmscap_av1t_seq hs;
	struct kmscap_av1t_frame hf;
	VASurfaceID slot[8];
	unsigned int frame;
	/* what the next submission sends */
	bool send_seq, send_seq_hdr, send_frame_hdr, send_tg, omit_pic;
	bool leb4;		/* obu_size of both headers as a 4-byte leb128 */
	VAEncTileGroupBufferAV1 tg;
	const uint8_t *frame_hdr;	/* instead of the one written from hs/hf */
	size_t frame_hdr_len;
	VABufferID extra[4];
	unsigned int n_extra;
	/* output: IVF */
	uint8_t *ivf;
	size_t ivf_len, ivf_cap;
	unsigned int ivf_frames;
	char log[512];
	int saved_stderr;
};

static void av1t_append(struct av1t *a, const void *p, size_t n)
{
	if (a->ivf_len + n > a->ivf_cap) {
		a->ivf_cap = (a->ivf_len + n) * 2;
		a->ivf = realloc(a->ivf, a->ivf_cap);
		ck_assert_ptr_nonnull(a->ivf);
	}
	memcpy(a->ivf + a->ivf_len, p, n);
	a->ivf_len += n;
}

/* Opens the display with the debug log in a file, config, surfaces, context. */
static void av1t_open_cfg(struct av1t *a, unsigned int w, unsigned int h, unsigned int depth,
			  VAConfigAttrib *attr, unsigned int nattr, unsigned int coded_size)
{
	unsigned int rt = depth == 10 ? VA_RT_FORMAT_YUV420_10 : VA_RT_FORMAT_YUV420;
	VASurfaceID s[5];
	unsigned int i;
	int fd;

	memset(a, 0, sizeof(*a));
	a->w = w;
	a->h = h;
	a->depth = depth;
	snprintf(a->log, sizeof(a->log), "%s/av1-debug-%d.log", kmscap_vat_workdir(), getpid());
	fd = open(a->log, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	a->saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
	setenv("KMSCAP_VA_DEBUG", "1", 1);
	kmscap_vat_open(&a->t);
	unsetenv("KMSCAP_VA_DEBUG");
	ck_assert_va_ok(vaCreateConfig(a->t.dpy, VAProfileAV1Profile0, VAEntrypointEncSlice, attr,
				       nattr, &a->cfg));
	ck_assert_va_ok(vaCreateSurfaces(a->t.dpy, rt, w, h, s, 5, NULL, 0));
	a->input = s[0];
	for (i = 0; i < 4; i++)
		a->recon[i] = s[1 + i];
	ck_assert_va_ok(vaCreateContext(a->t.dpy, a->cfg, w, h, VA_PROGRESSIVE, a->recon, 4,
					&a->ctx));
	ck_assert_va_ok(vaCreateBuffer(a->t.dpy, a->ctx, VAEncCodedBufferType,
				       coded_size ? coded_size : w * h * 4 + 65536, 1, NULL,
				       &a->coded));
	for (i = 0; i < 8; i++)
		a->slot[i] = VA_INVALID_SURFACE;
	a->hs.width = w;
	a->hs.height = h;
	a->hs.bit_depth = depth;
	a->hs.level_idx = 8;
}

static void av1t_open(struct av1t *a, unsigned int w, unsigned int h, unsigned int depth)
{
	VAConfigAttrib attr[3] = {
		{ VAConfigAttribRTFormat, depth == 10 ? VA_RT_FORMAT_YUV420_10 :
		  VA_RT_FORMAT_YUV420 },
		{ VAConfigAttribRateControl, VA_RC_CQP },
		{ VAConfigAttribEncPackedHeaders, AV1T_PACKED },
	};

	av1t_open_cfg(a, w, h, depth, attr, 3, 0);
}

static void av1t_close(struct av1t *a)
{
	kmscap_vat_close(&a->t);
	fflush(stderr);
	if (a->saved_stderr > 0) {
		dup2(a->saved_stderr, 2);
		close(a->saved_stderr);
		a->saved_stderr = -1;
	}
	free(a->ivf);
	a->ivf = NULL;
}

/* The debug log so far must contain every one of the given strings. */
static void av1t_log_has(struct av1t *a, const char *want)
{
	char buf[16384] = "";
	FILE *f;
	size_t n;

	fflush(stderr);
	f = fopen(a->log, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_msg(strstr(buf, want), "the driver's debug log lacks \"%s\": %s", want, buf);
}

/* Parameters and headers of frame a->frame: key, inter (slot 0) or intra-only. */
static void av1t_defaults(struct av1t *a, unsigned int type)
{
	unsigned int i;

	memset(&a->seq, 0, sizeof(a->seq));
	a->seq.seq_profile = 0;
	a->seq.seq_level_idx = (uint8_t)a->hs.level_idx;
	a->seq.intra_period = 30;
	a->seq.ip_period = 1;
	a->seq.seq_fields.bits.enable_order_hint = 1;
	a->seq.seq_fields.bits.enable_intra_edge_filter = 1;
	a->seq.seq_fields.bits.enable_filter_intra = a->hs.enable_filter_intra;
	a->seq.seq_fields.bits.use_128x128_superblock = a->hs.use_128x128_superblock;
	a->seq.seq_fields.bits.enable_cdef = a->hs.enable_cdef;
	a->seq.seq_fields.bits.bit_depth_minus8 = a->depth - 8;
	a->seq.seq_fields.bits.subsampling_x = 1;
	a->seq.seq_fields.bits.subsampling_y = 1;
	a->seq.order_hint_bits_minus_1 = KMSCAP_AV1T_ORDER_HINT_BITS - 1;

	kmscap_av1t_frame_defaults(&a->hf, type == 0, a->frame);
	a->hf.frame_type = type;
	if (type == 2)
		a->hf.refresh_frame_flags = 0x02;
	memset(&a->pic, 0, sizeof(a->pic));
	a->pic.frame_width_minus_1 = (uint16_t)(a->w - 1);
	a->pic.frame_height_minus_1 = (uint16_t)(a->h - 1);
	/* a reconstructed surface that no reference slot holds */
	for (i = 0; i < 4; i++) {
		unsigned int j;

		for (j = 0; j < 8 && a->slot[j] != a->recon[i]; j++)
			;
		if (j == 8)
			break;
	}
	ck_assert_uint_lt(i, 4);
	a->pic.reconstructed_frame = a->recon[i];
	a->pic.coded_buf = a->coded;
	for (i = 0; i < 8; i++)
		a->pic.reference_frames[i] = type == 0 ? VA_INVALID_SURFACE : a->slot[i];
	a->pic.primary_ref_frame = 7;
	a->pic.tile_cols = 1;
	a->pic.tile_rows = 1;
	a->send_seq = a->send_seq_hdr = type == 0;
	a->send_frame_hdr = true;
	a->send_tg = true;
	a->omit_pic = false;
	a->leb4 = false;
	a->frame_hdr = NULL;
	a->n_extra = 0;
	memset(&a->tg, 0, sizeof(a->tg));
}

/* Picture parameters from the frame header fields in a->hf. */
static void av1t_sync_pic(struct av1t *a)
{
	unsigned int i;

	a->pic.picture_flags.bits.frame_type = a->hf.frame_type;
	a->pic.picture_flags.bits.error_resilient_mode = a->hf.frame_type == 0;
	a->pic.picture_flags.bits.disable_cdf_update = a->hf.disable_cdf_update;
	a->pic.picture_flags.bits.disable_frame_end_update_cdf =
		a->hf.disable_cdf_update || a->hf.disable_frame_end_update_cdf;
	a->pic.picture_flags.bits.reduced_tx_set = a->hf.reduced_tx_set;
	a->pic.order_hint = (uint8_t)a->hf.order_hint;
	a->pic.refresh_frame_flags = a->hf.frame_type == 0 && a->hf.show_frame ? 0xff :
				     (uint8_t)a->hf.refresh_frame_flags;
	a->pic.primary_ref_frame = (uint8_t)(a->hf.frame_type == 1 ? a->hf.primary_ref_frame : 7);
	for (i = 0; i < 7; i++)
		a->pic.ref_frame_idx[i] = (uint8_t)a->hf.ref_frame_idx[i];
	a->pic.base_qindex = (uint8_t)a->hf.base_q_idx;
	a->pic.y_dc_delta_q = (int8_t)a->hf.delta_q_y_dc;
}

static VAStatus av1t_buf(struct av1t *a, VABufferType type, unsigned int size, const void *data,
			 VABufferID *ids, unsigned int *n)
{
	return kmscap_vat_add_buf(a->t.dpy, a->ctx, type, size, data, ids, n);
}

static VAStatus av1t_packed(struct av1t *a, unsigned int type, const uint8_t *data, size_t len,
			    VABufferID *ids, unsigned int *n)
{
	VAEncPackedHeaderParameterBuffer prm = { .type = type, .bit_length = len * 8,
						 .has_emulation_bytes = 0 };
	VAStatus st = av1t_buf(a, VAEncPackedHeaderParameterBufferType, sizeof(prm), &prm, ids, n);

	return st ? st : av1t_buf(a, VAEncPackedHeaderDataBufferType, len, data, ids, n);
}

/* Rewrites a one-byte-size OBU with its obu_size as a padded 4-byte leb128. */
static size_t av1t_leb4(uint8_t *obu, size_t len, size_t cap)
{
	size_t payload = len - 2, i;

	ck_assert_uint_lt(obu[1], 0x80);
	ck_assert_uint_le(len + 3, cap);
	memmove(obu + 5, obu + 2, payload);
	for (i = 0; i < 4; i++)
		obu[1 + i] = (uint8_t)(((payload >> (7 * i)) & 0x7f) | (i < 3 ? 0x80 : 0));
	return payload + 5;
}

/*
 * Submits one picture; returns the first failing status.  On success the
 * temporal unit goes into the IVF data and the reference slots advance.
 */
static VAStatus av1t_submit(struct av1t *a)
{
	VABufferID ids[16];
	unsigned int n = 0, i;
	uint8_t seqhdr[128], framehdr[256];
	size_t seqlen, framelen;
	VACodedBufferSegment *seg;
	VAStatus st;

	seqlen = kmscap_av1t_write_seq(seqhdr, sizeof(seqhdr), &a->hs);
	framelen = kmscap_av1t_write_frame_hdr(framehdr, sizeof(framehdr), &a->hs, &a->hf);
	ck_assert_uint_gt(seqlen, 0);
	ck_assert_uint_gt(framelen, 0);
	if (a->leb4) {
		seqlen = av1t_leb4(seqhdr, seqlen, sizeof(seqhdr));
		framelen = av1t_leb4(framehdr, framelen, sizeof(framehdr));
	}
	st = vaBeginPicture(a->t.dpy, a->ctx, a->input);
	if (st)
		return st;
	if (a->send_seq)
		st = av1t_buf(a, VAEncSequenceParameterBufferType, sizeof(a->seq), &a->seq, ids,
			      &n);
	if (!st && !a->omit_pic)
		st = av1t_buf(a, VAEncPictureParameterBufferType, sizeof(a->pic), &a->pic, ids, &n);
	if (!st && a->send_seq_hdr)
		st = av1t_packed(a, VAEncPackedHeaderSequence, seqhdr, seqlen, ids, &n);
	if (!st && a->send_frame_hdr)
		st = av1t_packed(a, VAEncPackedHeaderPicture,
				 a->frame_hdr ? a->frame_hdr : framehdr,
				 a->frame_hdr ? a->frame_hdr_len : framelen, ids, &n);
	if (!st && a->send_tg)
		st = av1t_buf(a, VAEncSliceParameterBufferType, sizeof(a->tg), &a->tg, ids, &n);
	for (i = 0; i < a->n_extra && n < 16; i++)
		ids[n++] = a->extra[i];
	if (!st)
		st = vaRenderPicture(a->t.dpy, a->ctx, ids, n);
	if (!st)
		st = vaEndPicture(a->t.dpy, a->ctx);
	else
		vaEndPicture(a->t.dpy, a->ctx);
	if (st)
		return st;
	ck_assert_va_ok(vaSyncSurface(a->t.dpy, a->input));
	ck_assert_va_ok(vaMapBuffer(a->t.dpy, a->coded, (void **)&seg));
	ck_assert_ptr_nonnull(seg);
	ck_assert_uint_eq(seg->status & VA_CODED_BUF_STATUS_SLICE_OVERFLOW_MASK, 0);
	ck_assert_uint_gt(seg->size, 0);
	/* the driver starts the temporal unit with a temporal delimiter */
	ck_assert_uint_eq(((uint8_t *)seg->buf)[0], 0x12);
	{
		uint8_t fh[12];

		kmscap_av1t_ivf_frame_header(fh, seg->size, a->ivf_frames++);
		av1t_append(a, fh, sizeof(fh));
		av1t_append(a, seg->buf, seg->size);
	}
	ck_assert_va_ok(vaUnmapBuffer(a->t.dpy, a->coded));
	for (i = 0; i < 8; i++)
		if (a->pic.refresh_frame_flags & (1u << i))
			a->slot[i] = a->pic.reconstructed_frame;
	a->frame++;
	return VA_STATUS_SUCCESS;
}

/* A frame of known samples: 8-bit NV12 or 10-bit P010 (value << 6), tightly packed. */
struct av1t_frame {
	uint8_t *data;
	size_t size;
};

static void av1t_gen(struct av1t *a, struct av1t_frame *f, unsigned int seed)
{
	struct kmscap_vat_frame nv12;
	unsigned int i, n = a->w * a->h * 3 / 2;

	kmscap_vat_frame_gen(&nv12, a->w, a->h, seed);
	if (a->depth == 8) {
		f->data = nv12.data;
		f->size = n;
		return;
	}
	f->size = (size_t)n * 2;
	f->data = kmscap_vat_calloc(n, 2);
	for (i = 0; i < n; i++) {
		/* 10 bits: the 8-bit pattern and two bits of its position */
		uint16_t v = (uint16_t)(nv12.data[i] << 2 | ((i * 7 + seed) & 3));

		((uint16_t *)f->data)[i] = (uint16_t)(v << 6);
	}
	free(nv12.data);
}

static void av1t_upload(struct av1t *a, const struct av1t_frame *f)
{
	unsigned int bps = a->depth == 10 ? 2 : 1, y;
	VAImage img;
	uint8_t *p;

	ck_assert_va_ok(vaDeriveImage(a->t.dpy, a->input, &img));
	ck_assert_va_ok(vaMapBuffer(a->t.dpy, img.buf, (void **)&p));
	for (y = 0; y < a->h; y++)
		memcpy(p + img.offsets[0] + (size_t)y * img.pitches[0],
		       f->data + (size_t)y * a->w * bps, (size_t)a->w * bps);
	for (y = 0; y < a->h / 2; y++)
		memcpy(p + img.offsets[1] + (size_t)y * img.pitches[1],
		       f->data + ((size_t)a->w * a->h + (size_t)y * a->w) * bps,
		       (size_t)a->w * bps);
	ck_assert_va_ok(vaUnmapBuffer(a->t.dpy, img.buf));
	ck_assert_va_ok(vaDestroyImage(a->t.dpy, img.image_id));
}

/* The surface's samples equal f (the reconstructed frame of a lossless encode). */
static void av1t_check_surface(struct av1t *a, VASurfaceID s, const struct av1t_frame *f)
{
	unsigned int bps = a->depth == 10 ? 2 : 1, y;
	VAImage img;
	uint8_t *p;

	ck_assert_va_ok(vaDeriveImage(a->t.dpy, s, &img));
	ck_assert_va_ok(vaMapBuffer(a->t.dpy, img.buf, (void **)&p));
	for (y = 0; y < a->h; y++)
		ck_assert_msg(!memcmp(p + img.offsets[0] + (size_t)y * img.pitches[0],
				      f->data + (size_t)y * a->w * bps, (size_t)a->w * bps),
			      "reconstructed frame: luma row %u differs from the input", y);
	for (y = 0; y < a->h / 2; y++)
		ck_assert_msg(!memcmp(p + img.offsets[1] + (size_t)y * img.pitches[1],
				      f->data + ((size_t)a->w * a->h + (size_t)y * a->w) * bps,
				      (size_t)a->w * bps),
			      "reconstructed frame: chroma row %u differs from the input", y);
	ck_assert_va_ok(vaUnmapBuffer(a->t.dpy, img.buf));
	ck_assert_va_ok(vaDestroyImage(a->t.dpy, img.image_id));
}

/* Decodes path with ffmpeg's decoder into yuv and compares every sample with frames. */
static void av1t_decode_compare(struct av1t *a, const char *decoder, const char *path,
				const char *yuv, struct av1t_frame *frames, unsigned int n)
{
	size_t fsize = frames[0].size;
	char cmd[2048], *out = NULL;
	unsigned int i;
	uint8_t *dec;

	snprintf(cmd, sizeof(cmd),
		 "ffmpeg -nostdin -v error -c:v %s -i '%s' -f rawvideo -pix_fmt %s -y '%s' 2>&1",
		 decoder, path, a->depth == 10 ? "p010le" : "nv12", yuv);
	ck_assert_msg(kmscap_vat_run(cmd, &out) == 0, "ffmpeg (%s) failed on %s: %s", decoder,
		      path, out);
	ck_assert_msg(!strstr(out, "rror"), "ffmpeg reported errors decoding %s: %s", path, out);
	free(out);
	dec = kmscap_vat_read_decoded(yuv, fsize, n);
	for (i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < fsize && dec[i * fsize + j] == frames[i].data[j]; j++)
			;
		ck_assert_msg(j == fsize, "%s (%s): decoded frame %u differs from the input at byte %zu",
			      path, decoder, i, j);
	}
	free(dec);
}

/* Decodes the IVF with ffmpeg (libdav1d, and libaom) and compares every sample. */
static void av1t_check_stream(struct av1t *a, const char *name, struct av1t_frame *frames,
			      unsigned int n)
{
	char path[512], yuv[512], cmd[2048], *out = NULL, *v;
	uint8_t hdr[32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.ivf", kmscap_vat_workdir(), name);
	snprintf(yuv, sizeof(yuv), "%s/%s.yuv", kmscap_vat_workdir(), name);
	kmscap_av1t_ivf_header(hdr, a->w, a->h, a->ivf_frames);
	f = fopen(path, "wb");
	ck_assert_msg(f, "cannot write %s", path);
	ck_assert_uint_eq(fwrite(hdr, 1, 32, f), 32);
	ck_assert_uint_eq(fwrite(a->ivf, 1, a->ivf_len, f), a->ivf_len);
	ck_assert_int_eq(fclose(f), 0);
	av1t_decode_compare(a, "libdav1d", path, yuv, frames, n);
	/* a second, independent decoder where ffmpeg has it */
	if (!kmscap_vat_run("ffmpeg -hide_banner -decoders 2>/dev/null | grep -q libaom-av1", NULL))
		av1t_decode_compare(a, "libaom-av1", path, yuv, frames, n);
	snprintf(cmd, sizeof(cmd),
		 "ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=codec_name,profile,width,height,pix_fmt,nb_read_frames -of default=noprint_wrappers=1 '%s'",
		 path);
	ck_assert_msg(kmscap_vat_run(cmd, &out) == 0, "ffprobe failed on %s", path);
	v = kmscap_vat_probe_value(out, "codec_name");
	ck_assert_msg(v && !strcmp(v, "av1"), "codec_name %s", v);
	v = kmscap_vat_probe_value(out, "profile");
	ck_assert_msg(v && !strcmp(v, "Main"), "profile %s, expected Main", v);
	v = kmscap_vat_probe_value(out, "width");
	ck_assert_msg(v && (unsigned int)atoi(v) == a->w, "width %s", v);
	v = kmscap_vat_probe_value(out, "height");
	ck_assert_msg(v && (unsigned int)atoi(v) == a->h, "height %s", v);
	v = kmscap_vat_probe_value(out, "pix_fmt");
	ck_assert_msg(v && !strcmp(v, a->depth == 10 ? "yuv420p10le" : "yuv420p"), "pix_fmt %s", v);
	v = kmscap_vat_probe_value(out, "nb_read_frames");
	ck_assert_msg(v && (unsigned int)atoi(v) == n, "nb_read_frames %s, expected %u", v, n);
	free(out);
}

static void av1t_need_tools(void)
{
	kmscap_vat_need_ffmpeg();
	if (kmscap_vat_run("ffmpeg -hide_banner -decoders 2>/dev/null | grep -q libdav1d", NULL))
		kmscap_vat_skip("ffmpeg without the libdav1d decoder");
}

/* Encodes the frame types in order (0 key, 1 inter, 2 intra-only) and checks the decode. */
static void av1t_sequence(const char *name, unsigned int w, unsigned int h, unsigned int depth,
			  const unsigned int *types, unsigned int n, bool adapt,
			  bool filter_intra)
{
	struct av1t_frame *frames = kmscap_vat_calloc(n, sizeof(*frames));
	struct av1t a;
	unsigned int i;

	av1t_need_tools();
	av1t_open(&a, w, h, depth);
	a.hs.enable_filter_intra = filter_intra;
	for (i = 0; i < n; i++) {
		av1t_gen(&a, &frames[i], i * 3 + w);
		av1t_upload(&a, &frames[i]);
		av1t_defaults(&a, types[i]);
		/*
		 * CDF adaptation on every other frame (disable_cdf_update 0);
		 * frames 3, 7, ... also save the adapted CDFs in their slots
		 */
		if (adapt && i % 2) {
			a.hf.disable_cdf_update = false;
			a.hf.disable_frame_end_update_cdf = i % 4 == 1;
		}
		if (i == 2 && types[i] == 1) {
			a.send_seq = a.send_seq_hdr = true;	/* re-sent, unchanged */
			/* CDFs from slot 0: frame 1 left the defaults there */
			if (adapt)
				a.hf.primary_ref_frame = 0;
		}
		if (i == 4 && types[i] == 1 && adapt) {
			/*
			 * CDFs from slot 1: the ones frame 3 adapted and saved,
			 * adapted further from symbol counts reset to 0
			 */
			a.hf.ref_frame_idx[0] = 1;
			a.hf.primary_ref_frame = 0;
			a.hf.disable_cdf_update = false;
			a.hf.disable_frame_end_update_cdf = true;
		}
		/* 4-byte obu_size fields, as VAConfigAttribEncAV1Ext2 suggests */
		a.leb4 = i == 0 && n > 2;
		av1t_sync_pic(&a);
		ck_assert_va_ok(av1t_submit(&a));
		av1t_check_surface(&a, a.pic.reconstructed_frame, &frames[i]);
	}
	av1t_check_stream(&a, name, frames, n);
	for (i = 0; i < n; i++)
		free(frames[i].data);
	free(frames);
	av1t_close(&a);
}

START_TEST(av1_1080p_key_inter)
{
	static const unsigned int types[] = { 0, 1, 1 };

	av1t_sequence("av1-1080p", 1920, 1080, 8, types, 3, false, false);
}
END_TEST

START_TEST(av1_200x120_key_inter_intra_only_adapt)
{
	static const unsigned int types[] = { 0, 1, 1, 2, 1, 0, 1 };

	av1t_sequence("av1-200x120", 200, 120, 8, types, 7, true, false);
}
END_TEST

START_TEST(av1_10bit_p010)
{
	static const unsigned int types[] = { 0, 1, 2, 1 };

	av1t_sequence("av1-10bit", 200, 120, 10, types, 4, true, false);
}
END_TEST

START_TEST(av1_odd_sizes_filter_intra)
{
	static const unsigned int types[] = { 0, 1 };

	/* not a multiple of 8 or 64: partial superblocks and padded 4x4 blocks */
	av1t_sequence("av1-66x34", 66, 34, 8, types, 2, true, true);
	av1t_sequence("av1-130x250", 130, 250, 10, types, 2, false, false);
}
END_TEST

/* ---- attributes ---- */

START_TEST(av1_query_attributes)
{
	struct kmscap_vat t;
	VAProfile profiles[32];
	VAEntrypoint eps[8];
	int n, i;
	bool found = false;
	VAConfigAttrib at[] = {
		{ VAConfigAttribRTFormat }, { VAConfigAttribRateControl },
		{ VAConfigAttribEncPackedHeaders }, { VAConfigAttribEncMaxRefFrames },
		{ VAConfigAttribMaxPictureWidth }, { VAConfigAttribMaxPictureHeight },
		{ VAConfigAttribEncAV1 }, { VAConfigAttribEncAV1Ext1 },
		{ VAConfigAttribEncAV1Ext2 },
		{ VAConfigAttribEncMaxSlices }, { VAConfigAttribEncSliceStructure },
		{ VAConfigAttribEncHEVCFeatures },
	};
	VAConfigAttribValEncAV1 av1;
	VAConfigAttribValEncAV1Ext1 ext1;
	VAConfigAttribValEncAV1Ext2 ext2;

	kmscap_vat_open(&t);
	ck_assert_va_ok(vaQueryConfigProfiles(t.dpy, profiles, &n));
	for (i = 0; i < n; i++)
		found |= profiles[i] == VAProfileAV1Profile0;
	ck_assert_msg(found, "VAProfileAV1Profile0 not listed");
	ck_assert_va_ok(vaQueryConfigEntrypoints(t.dpy, VAProfileAV1Profile0, eps, &n));
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(eps[0], VAEntrypointEncSlice);
	ck_assert_int_eq(eps[1], VAEntrypointEncSliceLP);
	ck_assert_va_ok(vaGetConfigAttributes(t.dpy, VAProfileAV1Profile0, VAEntrypointEncSlice,
					      at, sizeof(at) / sizeof(at[0])));
	ck_assert_uint_eq(at[0].value, VA_RT_FORMAT_YUV420 | VA_RT_FORMAT_YUV420_10);
	ck_assert_uint_eq(at[1].value, VA_RC_CQP);
	ck_assert_uint_eq(at[2].value, AV1T_PACKED);
	ck_assert_uint_eq(at[3].value, 7 | 7 << 16);
	ck_assert_uint_eq(at[4].value, 4096);
	ck_assert_uint_eq(at[5].value, 4096);
	av1.value = at[6].value;
	ck_assert_uint_eq(av1.bits.support_128x128_superblock, 0);
	ck_assert_uint_eq(av1.bits.support_filter_intra, 1);
	ck_assert_uint_eq(av1.bits.support_intra_edge_filter, 1);
	ck_assert_uint_eq(av1.bits.support_palette_mode, 0);
	ck_assert_uint_eq(av1.bits.support_allow_intrabc, 0);
	ck_assert_uint_eq(av1.bits.support_superres, 0);
	ck_assert_uint_eq(av1.value, 0x14);
	ext1.value = at[7].value;
	ck_assert_uint_eq(ext1.bits.interpolation_filter, 0x1f);
	ck_assert_uint_eq(ext1.bits.segment_feature_support, 0);
	ext2.value = at[8].value;
	ck_assert_uint_eq(ext2.bits.tx_mode_support, 1);
	ck_assert_uint_eq(ext2.bits.max_tile_num_minus1, 0);
	ck_assert_uint_eq(ext2.bits.obu_size_bytes_minus1, 3);
	ck_assert_uint_eq(at[9].value, VA_ATTRIB_NOT_SUPPORTED);
	ck_assert_uint_eq(at[10].value, VA_ATTRIB_NOT_SUPPORTED);
	ck_assert_uint_eq(at[11].value, VA_ATTRIB_NOT_SUPPORTED);
	kmscap_vat_close(&t);
}
END_TEST

static VAStatus av1t_config(VAConfigAttribType type, uint32_t value)
{
	struct kmscap_vat t;
	VAConfigAttrib at = { type, value };
	VAConfigID cfg;
	VAStatus st;

	kmscap_vat_open(&t);
	st = vaCreateConfig(t.dpy, VAProfileAV1Profile0, VAEntrypointEncSlice, &at, 1, &cfg);
	kmscap_vat_close(&t);
	return st;
}

START_TEST(av1_config_rules)
{
	ck_assert_va_ok(av1t_config(VAConfigAttribRTFormat, VA_RT_FORMAT_YUV420_10));
	ck_assert_va_ok(av1t_config(VAConfigAttribEncAV1, 0x14));
	ck_assert_va(av1t_config(VAConfigAttribRateControl, VA_RC_CBR),
		     VA_STATUS_ERROR_INVALID_VALUE);
	ck_assert_va(av1t_config(VAConfigAttribRateControl, VA_RC_VBR),
		     VA_STATUS_ERROR_INVALID_VALUE);
	ck_assert_va(av1t_config(VAConfigAttribEncPackedHeaders, VA_ENC_PACKED_HEADER_SLICE),
		     VA_STATUS_ERROR_INVALID_VALUE);
	ck_assert_va(av1t_config(VAConfigAttribEncAV1, 0x15), VA_STATUS_ERROR_INVALID_VALUE);
	ck_assert_va(av1t_config(VAConfigAttribRTFormat, VA_RT_FORMAT_YUV444),
		     VA_STATUS_ERROR_UNSUPPORTED_RT_FORMAT);
	ck_assert_va(av1t_config(VAConfigAttribEncMaxSlices, 1), VA_STATUS_ERROR_INVALID_VALUE);
}
END_TEST

/* ---- validation: one test per rule, status and logged reason ---- */

/*
 * Opens a 200x120 session (8-bit unless the body says otherwise), encodes a
 * key frame when "keyed", prepares the next frame (type), applies the body,
 * and expects status and the reason.
 */
#define AV1T_RULE(name, keyed, type, status, reason, ...)		\
	START_TEST(name)						\
	{								\
		struct av1t a;						\
									\
		av1t_open(&a, 200, 120, 8);				\
		if (keyed) {						\
			av1t_defaults(&a, 0);				\
			av1t_sync_pic(&a);				\
			ck_assert_va_ok(av1t_submit(&a));		\
		}							\
		av1t_defaults(&a, type);				\
		av1t_sync_pic(&a);					\
		__VA_ARGS__;						\
		ck_assert_va(av1t_submit(&a), status);			\
		av1t_log_has(&a, reason);				\
		av1t_close(&a);						\
	}								\
	END_TEST

AV1T_RULE(av1_no_picture_params, false, 0, EINVAL_P, "without a picture parameter buffer",
	  a.omit_pic = true)
AV1T_RULE(av1_first_without_seq_params, false, 0, EINVAL_P,
	  "first picture without a sequence parameter buffer", a.send_seq = false)
AV1T_RULE(av1_no_packed_frame_header, true, 1, EINVAL_P, "without a packed frame header",
	  a.send_frame_hdr = false)
AV1T_RULE(av1_first_without_packed_seq, false, 0, EINVAL_P,
	  "without a packed sequence header", a.send_seq_hdr = false)
AV1T_RULE(av1_seq_profile_1, false, 0, EINVAL_P, "seq_profile 1", a.seq.seq_profile = 1)
AV1T_RULE(av1_seq_bit_depth, false, 0, EINVAL_P, "bit_depth_minus8 2",
	  a.seq.seq_fields.bits.bit_depth_minus8 = 2)
AV1T_RULE(av1_seq_subsampling, false, 0, EINVAL_P, "only 4:2:0",
	  a.seq.seq_fields.bits.subsampling_y = 0)
AV1T_RULE(av1_seq_128x128, false, 0, EINVAL_P, "use_128x128_superblock 1: not offered",
	  a.seq.seq_fields.bits.use_128x128_superblock = 1)
AV1T_RULE(av1_seq_warped_motion, false, 0, EINVAL_P, "warped motion",
	  a.seq.seq_fields.bits.enable_warped_motion = 1)
AV1T_RULE(av1_seq_changed_on_inter, true, 1, EINVAL_P,
	  "sequence parameters changed on a frame that is not a key frame",
	  { a.send_seq = true; a.seq.intra_period = 7; })
AV1T_RULE(av1_seq_hdr_level_differs, false, 0, EINVAL_P,
	  "packed sequence header: seq_level_idx 9", a.hs.level_idx = 9)
AV1T_RULE(av1_seq_hdr_cdef_differs, false, 0, EINVAL_P, "packed sequence header: enable_cdef 1",
	  a.hs.enable_cdef = true)
AV1T_RULE(av1_seq_hdr_size_differs, false, 0, EINVAL_P,
	  "max_frame_width_minus_1 201, but the parameters (or the 200x120 context) say 199",
	  a.hs.width = 202)
AV1T_RULE(av1_seq_hdr_film_grain, false, 0, EINVAL_P, "film_grain_params_present 1",
	  a.hs.film_grain = true)
AV1T_RULE(av1_seq_hdr_changed_on_inter, true, 1, EINVAL_P,
	  "a different sequence header on a frame that is not a key frame",
	  { a.send_seq_hdr = true; a.hs.enable_filter_intra = true; })
AV1T_RULE(av1_frame_size_differs, false, 0, EINVAL_P, "frame size 198x120 differs",
	  a.pic.frame_width_minus_1 = 197)
AV1T_RULE(av1_first_not_key, false, 1, EINVAL_P, "first picture has frame_type 1",
	  { a.send_seq = a.send_seq_hdr = true; })
AV1T_RULE(av1_lossy_base_qindex, false, 0, EINVAL_P,
	  "this test driver only encodes AV1 lossless (base_qindex 0",
	  { a.hf.base_q_idx = 10; av1t_sync_pic(&a); })
AV1T_RULE(av1_lossy_delta_q, false, 0, EINVAL_P, "only encodes AV1 lossless",
	  a.pic.u_ac_delta_q = -3)
AV1T_RULE(av1_lossy_header_only, false, 0, EINVAL_P,
	  "packed frame header: frame header: base_q_idx 12",
	  a.hf.base_q_idx = 12)
AV1T_RULE(av1_superres_flag, false, 0, EINVAL_P, "use_superres",
	  a.pic.picture_flags.bits.use_superres = 1)
AV1T_RULE(av1_frame_obu_flag, false, 0, EINVAL_P, "enable_frame_obu",
	  a.pic.picture_flags.bits.enable_frame_obu = 1)
AV1T_RULE(av1_tx_mode_select, false, 0, EINVAL_P, "tx_mode ONLY_4X4",
	  a.pic.mode_control_flags.bits.tx_mode = 2)
AV1T_RULE(av1_segmentation_param, false, 0, EINVAL_P, "segmentation is not supported",
	  a.pic.segments.seg_flags.bits.segmentation_enabled = 1)
AV1T_RULE(av1_segmentation_header, false, 0, EINVAL_P, "segmentation_enabled 1",
	  a.hf.segmentation = true)
AV1T_RULE(av1_loop_filter_level, false, 0, EINVAL_P, "no loop filter, CDEF or restoration",
	  a.pic.filter_level[0] = 4)
AV1T_RULE(av1_two_tile_columns_param, false, 0, EINVAL_P, "tile_cols 2",
	  a.pic.tile_cols = 2)
AV1T_RULE(av1_two_tile_columns_header, false, 0, EINVAL_P, "2 x 1 tiles",
	  a.hf.tile_cols_log2_1 = true)
AV1T_RULE(av1_tile_group_range, false, 0, EINVAL_P, "tile group 0..1", a.tg.tg_end = 1)
AV1T_RULE(av1_recon_destroyed, false, 0, VA_STATUS_ERROR_INVALID_SURFACE,
	  "used after vaDestroySurfaces",
	  vaDestroySurfaces(a.t.dpy, &a.recon[0], 1))
AV1T_RULE(av1_recon_is_input, false, 0, EINVAL_P, "is the input surface",
	  a.pic.reconstructed_frame = a.input)
AV1T_RULE(av1_recon_still_referenced, true, 1, EINVAL_P,
	  "is still the reference frame in slot 0", a.pic.reconstructed_frame = a.recon[0])
AV1T_RULE(av1_reference_not_in_slot, true, 1, EINVAL_P, "is not the reconstructed frame in slot 3",
	  a.pic.reference_frames[3] = a.recon[2])
AV1T_RULE(av1_ref_idx_empty_slot, true, 1, EINVAL_P,
	  "ref_frame_idx[0] 0: no reference frame in that slot",
	  a.pic.reference_frames[0] = VA_INVALID_SURFACE)
AV1T_RULE(av1_primary_ref_in_intra, false, 0, EINVAL_P, "primary_ref_frame 0 in an intra frame",
	  a.pic.primary_ref_frame = 0)
AV1T_RULE(av1_header_frame_type_differs, false, 0, EINVAL_P,
	  "packed frame header: frame_type 2, but the picture parameters say 0",
	  { a.hf.frame_type = 2; a.hf.refresh_frame_flags = 1; })
AV1T_RULE(av1_header_refresh_differs, true, 1, EINVAL_P, "refresh_frame_flags 1, but",
	  a.pic.refresh_frame_flags = 3)
AV1T_RULE(av1_header_order_hint_differs, true, 1, EINVAL_P, "order_hint 1, but",
	  a.pic.order_hint = 5)
AV1T_RULE(av1_header_screen_content, false, 0, EINVAL_P, "allow_screen_content_tools 1",
	  a.hs.screen_content = true)
AV1T_RULE(av1_header_truncated, false, 0, EINVAL_P, "packed frame header: frame header OBU",
	  { static uint8_t hdr[256]; size_t l = kmscap_av1t_write_frame_hdr(hdr, sizeof(hdr),
	    &a.hs, &a.hf); hdr[1] -= 1; a.frame_hdr = hdr; a.frame_hdr_len = l - 1; })
AV1T_RULE(av1_header_is_temporal_delimiter, false, 0, EINVAL_P,
	  "the driver writes the temporal delimiter itself",
	  { static const uint8_t td[2] = { 0x12, 0 }; a.frame_hdr = td; a.frame_hdr_len = 2; })
AV1T_RULE(av1_header_two_obus, false, 0, EINVAL_P, "bytes after the OBU",
	  { static uint8_t hdr[256]; size_t l = kmscap_av1t_write_frame_hdr(hdr, sizeof(hdr),
	    &a.hs, &a.hf); hdr[l] = 0x12; hdr[l + 1] = 0; a.frame_hdr = hdr;
	    a.frame_hdr_len = l + 2; })
AV1T_RULE(av1_coded_buf_not_coded, false, 0, VA_STATUS_ERROR_INVALID_BUFFER,
	  "not a coded buffer",
	  { VABufferID b; VAEncTileGroupBufferAV1 tg = { 0 };
	    ck_assert_va_ok(vaCreateBuffer(a.t.dpy, a.ctx, VAEncSliceParameterBufferType,
					   sizeof(tg), 1, &tg, &b));
	    a.pic.coded_buf = b; })
AV1T_RULE(av1_rc_misc_in_cqp, false, 0, EINVAL_P, "rate control parameters sent in CQP mode",
	  { struct { VAEncMiscParameterBuffer h; VAEncMiscParameterRateControl rc; } m;
	    memset(&m, 0, sizeof(m)); m.h.type = VAEncMiscParameterTypeRateControl;
	    m.rc.bits_per_second = 1000000;
	    ck_assert_va_ok(vaCreateBuffer(a.t.dpy, a.ctx, VAEncMiscParameterBufferType,
					   sizeof(m), 1, &m, &a.extra[0]));
	    a.n_extra = 1; })

START_TEST(av1_packed_header_rules)
{
	struct av1t a;
	VAEncPackedHeaderParameterBuffer prm = { .type = VAEncPackedHeaderPicture,
						 .bit_length = 20 };
	VAEncPackedHeaderParameterBuffer slice = { .type = VAEncPackedHeaderSlice,
						   .bit_length = 16 };
	VAEncPackedHeaderParameterBuffer emu = { .type = VAEncPackedHeaderPicture,
						 .bit_length = 16, .has_emulation_bytes = 1 };
	VABufferID b[2];

	av1t_open(&a, 200, 120, 8);
	ck_assert_va_ok(vaBeginPicture(a.t.dpy, a.ctx, a.input));
	ck_assert_va_ok(vaCreateBuffer(a.t.dpy, a.ctx, VAEncPackedHeaderParameterBufferType,
				       sizeof(prm), 1, &prm, &b[0]));
	ck_assert_va(vaRenderPicture(a.t.dpy, a.ctx, b, 1), EINVAL_P);
	av1t_log_has(&a, "AV1 OBUs are whole bytes");
	ck_assert_va_ok(vaCreateBuffer(a.t.dpy, a.ctx, VAEncPackedHeaderParameterBufferType,
				       sizeof(slice), 1, &slice, &b[0]));
	ck_assert_va(vaRenderPicture(a.t.dpy, a.ctx, b, 1), EINVAL_P);
	av1t_log_has(&a, "AV1 takes the sequence header");
	ck_assert_va_ok(vaCreateBuffer(a.t.dpy, a.ctx, VAEncPackedHeaderParameterBufferType,
				       sizeof(emu), 1, &emu, &b[0]));
	ck_assert_va(vaRenderPicture(a.t.dpy, a.ctx, b, 1), EINVAL_P);
	av1t_log_has(&a, "has_emulation_bytes");
	ck_assert_va_ok(vaCreateBuffer(a.t.dpy, a.ctx, VAEncPackedHeaderDataBufferType, 4, 1,
				       "abcd", &b[1]));
	ck_assert_va(vaRenderPicture(a.t.dpy, a.ctx, &b[1], 1), EINVAL_P);
	av1t_log_has(&a, "without a parameter buffer before it");
	prm.bit_length = 16;
	ck_assert_va_ok(vaCreateBuffer(a.t.dpy, a.ctx, VAEncPackedHeaderParameterBufferType,
				       sizeof(prm), 1, &prm, &b[0]));
	ck_assert_va_ok(vaRenderPicture(a.t.dpy, a.ctx, b, 1));
	ck_assert_va(vaEndPicture(a.t.dpy, a.ctx), EINVAL_P);
	av1t_log_has(&a, "packed header parameter without data at vaEndPicture");
	av1t_close(&a);
}
END_TEST

START_TEST(av1_config_without_packed_headers)
{
	VAConfigAttrib attr[2] = {
		{ VAConfigAttribRTFormat, VA_RT_FORMAT_YUV420 },
		{ VAConfigAttribRateControl, VA_RC_CQP },
	};
	struct av1t a;

	av1t_open_cfg(&a, 200, 120, 8, attr, 2, 0);
	av1t_defaults(&a, 0);
	av1t_sync_pic(&a);
	ck_assert_va(av1t_submit(&a), EINVAL_P);
	av1t_log_has(&a, "not declared in the config");
	a.send_seq_hdr = a.send_frame_hdr = false;
	ck_assert_va(av1t_submit(&a), EINVAL_P);
	av1t_log_has(&a, "does not write AV1 headers itself");
	av1t_close(&a);
}
END_TEST

START_TEST(av1_coded_buffer_too_small)
{
	VAConfigAttrib attr[3] = {
		{ VAConfigAttribRTFormat, VA_RT_FORMAT_YUV420 },
		{ VAConfigAttribRateControl, VA_RC_CQP },
		{ VAConfigAttribEncPackedHeaders, AV1T_PACKED },
	};
	struct av1t_frame f;
	VACodedBufferSegment *seg;
	struct av1t a;

	av1t_open_cfg(&a, 200, 120, 8, attr, 3, 1000);
	av1t_gen(&a, &f, 1);
	av1t_upload(&a, &f);
	av1t_defaults(&a, 0);
	av1t_sync_pic(&a);
	ck_assert_va(av1t_submit(&a), VA_STATUS_ERROR_NOT_ENOUGH_BUFFER);
	av1t_log_has(&a, "overflowed");
	ck_assert_va_ok(vaMapBuffer(a.t.dpy, a.coded, (void **)&seg));
	ck_assert_uint_ne(seg->status & VA_CODED_BUF_STATUS_SLICE_OVERFLOW_MASK, 0);
	ck_assert_va_ok(vaUnmapBuffer(a.t.dpy, a.coded));
	free(f.data);
	av1t_close(&a);
}
END_TEST

START_TEST(av1_tile_group_buffer_size)
{
	struct av1t a;
	VABufferID b;
	uint8_t junk[64] = { 0 };

	av1t_open(&a, 200, 120, 8);
	ck_assert_va(vaCreateBuffer(a.t.dpy, a.ctx, VAEncSliceParameterBufferType,
				    sizeof(VAEncTileGroupBufferAV1) + 4, 1, junk, &b), EINVAL_P);
	av1t_log_has(&a, "element size");
	ck_assert_va(vaCreateBuffer(a.t.dpy, a.ctx, VAEncPictureParameterBufferType,
				    sizeof(VAEncPictureParameterBufferH264), 1, NULL, &b),
		     EINVAL_P);
	ck_assert_va(vaCreateBuffer(a.t.dpy, a.ctx, VAEncMacroblockMapBufferType, 16, 1, NULL, &b),
		     VA_STATUS_ERROR_UNSUPPORTED_BUFFERTYPE);
	av1t_close(&a);
}
END_TEST

/* 4096 x 2320 needs two tiles (MAX_TILE_AREA is 4096 x 2304): refused */
START_TEST(av1_frame_larger_than_one_tile)
{
	struct av1t a;

	av1t_open(&a, 4096, 2320, 8);
	av1t_defaults(&a, 0);
	av1t_sync_pic(&a);
	ck_assert_va(av1t_submit(&a), EINVAL_P);
	av1t_log_has(&a, "frame 4096x2320 larger than one tile");
	av1t_close(&a);
}
END_TEST

START_TEST(av1_surface_format_for_10bit)
{
	struct av1t a;
	VASurfaceID nv12;

	av1t_open(&a, 200, 120, 10);
	ck_assert_va_ok(vaCreateSurfaces(a.t.dpy, VA_RT_FORMAT_YUV420, 200, 120, &nv12, 1, NULL,
					 0));
	av1t_defaults(&a, 0);
	av1t_sync_pic(&a);
	a.pic.reconstructed_frame = nv12;
	ck_assert_va(av1t_submit(&a), VA_STATUS_ERROR_INVALID_SURFACE);
	av1t_log_has(&a, "must be P010");
	av1t_close(&a);
}
END_TEST

Suite *kmscap_vat_suite_av1(void)
{
	Suite *s = suite_create("av1");

	KMSCAP_VAT_ADD(s, av1_query_attributes, 0);
	KMSCAP_VAT_ADD(s, av1_config_rules, 0);
	KMSCAP_VAT_ADD(s, av1_1080p_key_inter, 120);
	KMSCAP_VAT_ADD(s, av1_200x120_key_inter_intra_only_adapt, 60);
	KMSCAP_VAT_ADD(s, av1_10bit_p010, 60);
	KMSCAP_VAT_ADD(s, av1_odd_sizes_filter_intra, 60);
	KMSCAP_VAT_ADD(s, av1_no_picture_params, 0);
	KMSCAP_VAT_ADD(s, av1_first_without_seq_params, 0);
	KMSCAP_VAT_ADD(s, av1_no_packed_frame_header, 0);
	KMSCAP_VAT_ADD(s, av1_first_without_packed_seq, 0);
	KMSCAP_VAT_ADD(s, av1_seq_profile_1, 0);
	KMSCAP_VAT_ADD(s, av1_seq_bit_depth, 0);
	KMSCAP_VAT_ADD(s, av1_seq_subsampling, 0);
	KMSCAP_VAT_ADD(s, av1_seq_128x128, 0);
	KMSCAP_VAT_ADD(s, av1_seq_warped_motion, 0);
	KMSCAP_VAT_ADD(s, av1_seq_changed_on_inter, 0);
	KMSCAP_VAT_ADD(s, av1_seq_hdr_level_differs, 0);
	KMSCAP_VAT_ADD(s, av1_seq_hdr_cdef_differs, 0);
	KMSCAP_VAT_ADD(s, av1_seq_hdr_size_differs, 0);
	KMSCAP_VAT_ADD(s, av1_seq_hdr_film_grain, 0);
	KMSCAP_VAT_ADD(s, av1_seq_hdr_changed_on_inter, 0);
	KMSCAP_VAT_ADD(s, av1_frame_size_differs, 0);
	KMSCAP_VAT_ADD(s, av1_first_not_key, 0);
	KMSCAP_VAT_ADD(s, av1_lossy_base_qindex, 0);
	KMSCAP_VAT_ADD(s, av1_lossy_delta_q, 0);
	KMSCAP_VAT_ADD(s, av1_lossy_header_only, 0);
	KMSCAP_VAT_ADD(s, av1_superres_flag, 0);
	KMSCAP_VAT_ADD(s, av1_frame_obu_flag, 0);
	KMSCAP_VAT_ADD(s, av1_tx_mode_select, 0);
	KMSCAP_VAT_ADD(s, av1_segmentation_param, 0);
	KMSCAP_VAT_ADD(s, av1_segmentation_header, 0);
	KMSCAP_VAT_ADD(s, av1_loop_filter_level, 0);
	KMSCAP_VAT_ADD(s, av1_two_tile_columns_param, 0);
	KMSCAP_VAT_ADD(s, av1_two_tile_columns_header, 0);
	KMSCAP_VAT_ADD(s, av1_tile_group_range, 0);
	KMSCAP_VAT_ADD(s, av1_recon_destroyed, 0);
	KMSCAP_VAT_ADD(s, av1_recon_is_input, 0);
	KMSCAP_VAT_ADD(s, av1_recon_still_referenced, 0);
	KMSCAP_VAT_ADD(s, av1_reference_not_in_slot, 0);
	KMSCAP_VAT_ADD(s, av1_ref_idx_empty_slot, 0);
	KMSCAP_VAT_ADD(s, av1_primary_ref_in_intra, 0);
	KMSCAP_VAT_ADD(s, av1_header_frame_type_differs, 0);
	KMSCAP_VAT_ADD(s, av1_header_refresh_differs, 0);
	KMSCAP_VAT_ADD(s, av1_header_order_hint_differs, 0);
	KMSCAP_VAT_ADD(s, av1_header_screen_content, 0);
	KMSCAP_VAT_ADD(s, av1_header_truncated, 0);
	KMSCAP_VAT_ADD(s, av1_header_is_temporal_delimiter, 0);
	KMSCAP_VAT_ADD(s, av1_header_two_obus, 0);
	KMSCAP_VAT_ADD(s, av1_coded_buf_not_coded, 0);
	KMSCAP_VAT_ADD(s, av1_rc_misc_in_cqp, 0);
	KMSCAP_VAT_ADD(s, av1_packed_header_rules, 0);
	KMSCAP_VAT_ADD(s, av1_config_without_packed_headers, 0);
	KMSCAP_VAT_ADD(s, av1_coded_buffer_too_small, 0);
	KMSCAP_VAT_ADD(s, av1_tile_group_buffer_size, 0);
	KMSCAP_VAT_ADD(s, av1_frame_larger_than_one_tile, 0);
	KMSCAP_VAT_ADD(s, av1_surface_format_for_10bit, 0);
	return s;
}
