// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: MPEG-TS and Matroska through libavformat.
 *
 * Time bases: MPEG-TS 1/90000 s (its clock), Matroska 1/1000 s (its
 * default timestamp scale); presentation time = flip time - the first
 * frame's flip time, rounded to the nearest tick.  No B-frames: the
 * decoding time is the presentation time.
 *
 * libavformat writes through an AVIOContext whose bytes land in a
 * ks_buf: the unit the loop then writes.  Writes after a seek back (the
 * Matroska trailer fills in the duration and the seek head of a regular
 * file) are kept as patches, applied to the file once the loop is done.
 * Every frame is its own Matroska cluster and each packet is flushed at
 * once, so nothing waits in the muxer for the next frame.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/mathematics.h>

#include "mux.h"

#define KS_MUX_IOBUF	65536

struct ks_mux_patch {
	uint64_t off;
	size_t len;
	uint8_t *data;
};

struct ks_mux {
	enum ks_format format;
	enum ks_codec codec;
	bool seekable;
	AVFormatContext *fc;
	AVStream *st;
	AVPacket *pkt;
	bool started;
	uint64_t t0_ns;			/* flip time of the first frame */
	int64_t last_pts;		/* in st->time_base */
	uint64_t packets;
	struct ks_buf *sink;		/* where bytes at the end of the stream go */
	struct ks_buf tmp;
	uint64_t pos, size;		/* the virtual file: write position, length */
	struct ks_mux_patch *patches;
	size_t npatches;
	int io_err;
};

static int ks_mux_err(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int ks_mux_err(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static int ks_mux_patch_add(struct ks_mux *m, const uint8_t *buf, size_t len)
{
	struct ks_mux_patch *p;

	p = realloc(m->patches, (m->npatches + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	m->patches = p;
	p += m->npatches;
	p->data = malloc(len);
	if (!p->data)
		return -ENOMEM;
	memcpy(p->data, buf, len);
	p->off = m->pos;
	p->len = len;
	m->npatches++;
	return 0;
}

static int ks_mux_write(void *opaque, uint8_t *buf, int size)
{
	struct ks_mux *m = opaque;
	size_t len = (size_t)size, before = 0;
	int ret = 0;

	if (m->pos < m->size) {
		/* a rewrite of bytes already handed to the loop */
		before = m->size - m->pos < len ? (size_t)(m->size - m->pos) : len;
		ret = ks_mux_patch_add(m, buf, before);
		m->pos += before;
	}
	if (!ret && len > before) {
		ret = m->sink ? ks_buf_append(m->sink, buf + before, len - before) : -EIO;
		m->pos += len - before;
	}
	if (m->pos > m->size)
		m->size = m->pos;
	if (ret) {
		m->io_err = ret;
		return AVERROR(-ret);
	}
	return size;
}

static int64_t ks_mux_seek(void *opaque, int64_t off, int whence)
{
	struct ks_mux *m = opaque;
	int64_t to;

	switch (whence & ~AVSEEK_FORCE) {
	case AVSEEK_SIZE:
		return (int64_t)m->size;
	case SEEK_SET:
		to = off;
		break;
	case SEEK_CUR:
		to = (int64_t)m->pos + off;
		break;
	case SEEK_END:
		to = (int64_t)m->size + off;
		break;
	default:
		return AVERROR(EINVAL);
	}
	/* no holes: the loop writes the file front to back */
	if (to < 0 || (uint64_t)to > m->size)
		return AVERROR(EINVAL);
	m->pos = (uint64_t)to;
	return to;
}

static enum AVCodecID ks_mux_codec_id(enum ks_codec c)
{
	switch (c) {
	case KS_CODEC_HEVC:
		return AV_CODEC_ID_HEVC;
	case KS_CODEC_AV1:
		return AV_CODEC_ID_AV1;
	default:
		return AV_CODEC_ID_H264;
	}
}

int ks_mux_new(enum ks_format format, enum ks_codec codec, bool seekable, struct ks_mux **out,
	       char *err, size_t errlen)
{
	const char *name = ks_format_name(format);
	enum AVCodecID id = ks_mux_codec_id(codec);
	struct ks_mux *m;
	uint8_t *iobuf;
	int ret;

	if (format == KS_FORMAT_RAW)
		return ks_mux_err(err, errlen, -EINVAL, "--format raw needs no muxer");
	m = calloc(1, sizeof(*m));
	if (!m)
		return ks_mux_err(err, errlen, -ENOMEM, "muxer: out of memory");
	m->format = format;
	m->codec = codec;
	m->seekable = seekable;
	ret = avformat_alloc_output_context2(&m->fc, NULL, name, NULL);
	if (ret < 0 || !m->fc) {
		ks_mux_free(m);
		return ks_mux_err(err, errlen, -ENOENT,
				  "--format %s: libavformat has no %s muxer", name, name);
	}
	/*
	 * 0: the muxer refuses the codec (< 0: it does not say).  FFmpeg 5.1
	 * writes AV1 into MPEG-TS as private data nothing reads back.
	 */
	if (!avformat_query_codec(m->fc->oformat, id, FF_COMPLIANCE_NORMAL) ||
	    (format == KS_FORMAT_MPEGTS && codec == KS_CODEC_AV1)) {
		ks_mux_free(m);
		return ks_mux_err(err, errlen, -EINVAL,
				  "--format %s: kmscap-stream cannot put %s into %s with this libavformat (%s); use --format %s",
				  name, ks_codec_name(codec), name, LIBAVFORMAT_IDENT,
				  format == KS_FORMAT_MPEGTS ? "matroska" : "raw");
	}
	m->st = avformat_new_stream(m->fc, NULL);
	m->pkt = av_packet_alloc();
	iobuf = av_malloc(KS_MUX_IOBUF);
	if (iobuf)
		m->fc->pb = avio_alloc_context(iobuf, KS_MUX_IOBUF, 1, m, NULL, ks_mux_write,
					       seekable ? ks_mux_seek : NULL);
	if (!m->fc->pb)
		av_free(iobuf);
	if (!m->st || !m->pkt || !m->fc->pb) {
		ks_mux_free(m);
		return ks_mux_err(err, errlen, -ENOMEM, "muxer: out of memory");
	}
	m->fc->pb->seekable = seekable ? AVIO_SEEKABLE_NORMAL : 0;
	m->fc->flags |= AVFMT_FLAG_FLUSH_PACKETS;
	m->st->codecpar->codec_type = AVMEDIA_TYPE_VIDEO;
	m->st->codecpar->codec_id = id;
	m->st->time_base = format == KS_FORMAT_MPEGTS ? (AVRational){ 1, 90000 } :
			   (AVRational){ 1, 1000 };
	*out = m;
	return 0;
}

void ks_mux_free(struct ks_mux *m)
{
	size_t i;

	if (!m)
		return;
	if (m->fc) {
		if (m->fc->pb) {
			av_freep(&m->fc->pb->buffer);
			avio_context_free(&m->fc->pb);
		}
		avformat_free_context(m->fc);
	}
	av_packet_free(&m->pkt);
	for (i = 0; i < m->npatches; i++)
		free(m->patches[i].data);
	free(m->patches);
	ks_buf_free(&m->tmp);
	free(m);
}

/* Length of the leb128 at @p (at most 8 bytes) into *@v; 0 if cut off. */
static size_t ks_leb128(const uint8_t *p, size_t left, uint64_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < 8 && i < left; i++) {
		*v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80))
			return i + 1;
	}
	return 0;
}

/*
 * The AV1 temporal unit of an IVF unit (the file header, if there, and
 * the frame header skipped); NULL if it is not one.
 */
static const uint8_t *ks_mux_ivf_payload(const struct ks_buf *unit, size_t *len)
{
	const uint8_t *p = unit->data;
	size_t left = unit->len;

	if (left >= KS_IVF_HEADER_SIZE && !memcmp(p, "DKIF", 4)) {
		p += KS_IVF_HEADER_SIZE;
		left -= KS_IVF_HEADER_SIZE;
	}
	if (left <= KS_IVF_FRAME_HEADER)
		return NULL;
	*len = left - KS_IVF_FRAME_HEADER;
	return p + KS_IVF_FRAME_HEADER;
}

/*
 * Parameter sets (SPS, PPS, VPS) or the AV1 sequence header of @data into
 * @ps, in the unit's own form; 1 if the unit is a key frame.
 */
static int ks_mux_scan(const struct ks_mux *m, const uint8_t *data, size_t len,
		       struct ks_buf *ps)
{
	struct ks_nal nal;
	size_t pos = 0, hl;
	uint64_t sz;
	int key = 0, ret;

	if (m->codec == KS_CODEC_AV1) {
		while (pos < len) {
			unsigned int type = data[pos] >> 3 & 0xf;
			size_t h = 1 + (data[pos] >> 2 & 1);

			if (!(data[pos] & 2) || pos + h >= len)
				return -EBADMSG;	/* obu_has_size_field is always 1 here */
			hl = ks_leb128(data + pos + h, len - pos - h, &sz);
			if (!hl || sz > len - pos - h - hl)
				return -EBADMSG;
			if (type == 1) {	/* OBU_SEQUENCE_HEADER */
				key = 1;
				if (ps && ks_buf_append(ps, data + pos, h + hl + sz))
					return -ENOMEM;
			}
			pos += h + hl + sz;
		}
		return key;
	}
	while ((ret = ks_annexb_next(data, len, &pos, &nal)) == 1) {
		unsigned int t = m->codec == KS_CODEC_HEVC ? (nal.data[0] >> 1 & 0x3f) :
				 ks_h264_nal_type(&nal);
		bool is_ps = m->codec == KS_CODEC_HEVC ? t >= 32 && t <= 34 : t == 7 || t == 8;

		if (m->codec == KS_CODEC_HEVC ? t >= 16 && t <= 23 : t == 5)
			key = 1;
		if (is_ps && ps && ks_annexb_append_nal(ps, nal.data, nal.len))
			return -ENOMEM;
	}
	return ret < 0 ? ret : key;
}

static int ks_mux_header(struct ks_mux *m, const uint8_t *data, size_t len, uint32_t w,
			 uint32_t h, char *err, size_t errlen)
{
	AVCodecParameters *par = m->st->codecpar;
	struct ks_buf ps = { 0 };
	AVDictionary *opts = NULL;
	int ret;

	ret = ks_mux_scan(m, data, len, &ps);
	if (ret <= 0 || !ps.len) {
		ks_buf_free(&ps);
		return ks_mux_err(err, errlen, ret < 0 ? ret : -EPROTO,
				  "%s: the first %s frame is no key frame with its headers",
				  ks_format_name(m->format), ks_codec_name(m->codec));
	}
	par->extradata = av_mallocz(ps.len + AV_INPUT_BUFFER_PADDING_SIZE);
	if (!par->extradata) {
		ks_buf_free(&ps);
		return ks_mux_err(err, errlen, -ENOMEM, "muxer: out of memory");
	}
	memcpy(par->extradata, ps.data, ps.len);
	par->extradata_size = (int)ps.len;
	ks_buf_free(&ps);
	par->width = (int)w;
	par->height = (int)h;
	if (m->format == KS_FORMAT_MATROSKA && !m->seekable)
		av_dict_set(&opts, "live", "1", 0);
	ret = avformat_write_header(m->fc, &opts);
	av_dict_free(&opts);
	if (ret < 0)
		return ks_mux_err(err, errlen, m->io_err ? m->io_err : -EIO,
				  "%s: writing the header: %s", ks_format_name(m->format),
				  av_err2str(ret));
	return 0;
}

static int64_t ks_mux_pts(const struct ks_mux *m, uint64_t flip_ns)
{
	uint64_t d = flip_ns > m->t0_ns ? flip_ns - m->t0_ns : 0;

	return av_rescale_q_rnd((int64_t)d, (AVRational){ 1, 1000000000 }, m->st->time_base,
				AV_ROUND_NEAR_INF);
}

int ks_mux_unit(struct ks_mux *m, struct ks_buf *unit, uint64_t flip_ns, uint32_t width,
		uint32_t height, char *err, size_t errlen)
{
	const uint8_t *data = unit->data;
	size_t len = unit->len;
	struct ks_buf swap;
	int64_t pts;
	int key, ret;

	if (m->codec == KS_CODEC_AV1 && !(data = ks_mux_ivf_payload(unit, &len)))
		return ks_mux_err(err, errlen, -EBADMSG, "%s: an AV1 unit is no IVF frame",
				  ks_format_name(m->format));
	ks_buf_reset(&m->tmp);
	m->sink = &m->tmp;
	if (!m->started) {
		ret = ks_mux_header(m, data, len, width, height, err, errlen);
		if (ret)
			return ret;
		m->started = true;
		m->t0_ns = flip_ns;
		m->last_pts = -1;
	}
	key = ks_mux_scan(m, data, len, NULL);
	if (key < 0)
		return ks_mux_err(err, errlen, key, "%s: a %s unit does not parse",
				  ks_format_name(m->format), ks_codec_name(m->codec));
	pts = ks_mux_pts(m, flip_ns);
	if (pts <= m->last_pts)
		pts = m->last_pts + 1;
	av_packet_unref(m->pkt);
	m->pkt->data = (uint8_t *)data;
	m->pkt->size = (int)len;
	m->pkt->pts = pts;
	m->pkt->dts = pts;
	m->pkt->stream_index = 0;
	m->pkt->flags = key ? AV_PKT_FLAG_KEY : 0;
	ret = av_write_frame(m->fc, m->pkt);
	/* the end of the frame: its Matroska cluster closed, the bytes out */
	if (ret >= 0)
		ret = av_write_frame(m->fc, NULL);
	avio_flush(m->fc->pb);
	m->pkt->data = NULL;
	m->pkt->size = 0;
	if (ret < 0 || m->io_err)
		return ks_mux_err(err, errlen, m->io_err ? m->io_err : -EIO,
				  "%s: writing a frame: %s", ks_format_name(m->format),
				  av_err2str(ret < 0 ? ret : AVERROR(-m->io_err)));
	m->last_pts = pts;
	m->packets++;
	swap = *unit;
	*unit = m->tmp;
	m->tmp = swap;
	m->sink = NULL;
	return 0;
}

int ks_mux_wants_end(const struct ks_mux *m, uint64_t end_ns)
{
	return m->started && ks_mux_pts(m, end_ns) > m->last_pts;
}

int ks_mux_finish(struct ks_mux *m, struct ks_buf *out, char *err, size_t errlen)
{
	int ret;

	if (!m->started)
		return 0;
	m->sink = out;
	ret = av_write_trailer(m->fc);
	avio_flush(m->fc->pb);
	m->sink = NULL;
	m->started = false;
	if (ret < 0 || m->io_err)
		return ks_mux_err(err, errlen, m->io_err ? m->io_err : -EIO,
				  "%s: writing the trailer: %s", ks_format_name(m->format),
				  av_err2str(ret < 0 ? ret : AVERROR(-m->io_err)));
	return 0;
}

int ks_mux_apply_patches(struct ks_mux *m, int fd, off_t base)
{
	size_t i;

	for (i = 0; i < m->npatches; i++) {
		const struct ks_mux_patch *p = &m->patches[i];
		ssize_t w = pwrite(fd, p->data, p->len, base + (off_t)p->off);

		if (w < 0)
			return -errno;
		if ((size_t)w != p->len)
			return -EIO;
	}
	return 0;
}

uint64_t ks_mux_packets(const struct ks_mux *m)
{
	return m->packets;
}

uint64_t ks_mux_first_ns(const struct ks_mux *m)
{
	return m->t0_ns;
}

void ks_mux_time_base(const struct ks_mux *m, int *num, int *den)
{
	*num = m->st->time_base.num;
	*den = m->st->time_base.den;
}

/* The plugin's table (mux.h), the one symbol kmscap-stream-mux.so exports. */
__attribute__((visibility("default"))) const struct ks_mux_ops ks_mux_plugin = {
	.version = KS_MUX_PLUGIN_VERSION,
	.size = sizeof(struct ks_mux_ops),
	.new = ks_mux_new,
	.free = ks_mux_free,
	.unit = ks_mux_unit,
	.wants_end = ks_mux_wants_end,
	.finish = ks_mux_finish,
	.apply_patches = ks_mux_apply_patches,
	.packets = ks_mux_packets,
	.first_ns = ks_mux_first_ns,
	.time_base = ks_mux_time_base,
};
