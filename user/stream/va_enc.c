// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: what the encoders (va_h264.c, va_hevc.c, va_av1.c)
 * share: parameter and packed header buffers, the rate control misc
 * buffers (CBR or VBR with a one-frame VBV), running a picture, reading
 * the coded buffer, and the per-frame accounting.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bits.h"
#include "vapipe_priv.h"

static unsigned int ks_gcd(unsigned int a, unsigned int b)
{
	while (b) {
		unsigned int t = a % b;

		a = b;
		b = t;
	}
	return a;
}

void ks_va_fps(uint32_t mhz, unsigned int *num, unsigned int *den)
{
	unsigned int g;

	if (!mhz)
		mhz = 60000;
	g = ks_gcd(mhz, 1000);
	*num = mhz / g;
	*den = 1000 / g;
	if (*num > 65535) {
		*num = (mhz + 500) / 1000;
		*den = 1;
	}
}

int ks_va_add_buf(struct ks_vapipe *p, struct ks_va_pic *pic, VABufferType type,
		  unsigned int size, void *data)
{
	VAStatus st;

	if (pic->n >= sizeof(pic->ids) / sizeof(pic->ids[0]))
		return ks_va_fail(p, -ENOSPC, "encode: too many buffers in one picture");
	st = vaCreateBuffer(p->dpy, p->enc_ctx, type, size, 1, data, &pic->ids[pic->n]);
	if (st != VA_STATUS_SUCCESS)
		return ks_va_fail(p, ks_va_errno(st), "encode: vaCreateBuffer(%s): %s",
				  vaBufferTypeStr(type), vaErrorStr(st));
	pic->n++;
	return 0;
}

int ks_va_add_misc(struct ks_vapipe *p, struct ks_va_pic *pic, VAEncMiscParameterType type,
		   const void *data, size_t len)
{
	uint8_t buf[sizeof(VAEncMiscParameterBuffer) + 256];
	VAEncMiscParameterBuffer *m = (void *)buf;

	memset(buf, 0, sizeof(buf));
	m->type = type;
	memcpy(m->data, data, len);
	return ks_va_add_buf(p, pic, VAEncMiscParameterBufferType,
			     (unsigned int)(sizeof(*m) + len), buf);
}

int ks_va_add_packed(struct ks_vapipe *p, struct ks_va_pic *pic, uint32_t type,
		     const struct ks_bits *b, bool emulation)
{
	VAEncPackedHeaderParameterBuffer ph = {
		.type = type,
		.bit_length = (uint32_t)b->bits,
		.has_emulation_bytes = emulation,
	};
	int ret;

	if (b->overflow)
		return ks_va_fail(p, -ENOSPC, "encode: packed header too long");
	ret = ks_va_add_buf(p, pic, VAEncPackedHeaderParameterBufferType, sizeof(ph), &ph);
	if (!ret)
		ret = ks_va_add_buf(p, pic, VAEncPackedHeaderDataBufferType,
				    (unsigned int)(b->bits + 7) / 8, (void *)b->buf);
	return ret;
}

int ks_va_add_rc(struct ks_vapipe *p, struct ks_va_pic *pic, unsigned int initial_qp,
		 unsigned int min_qp, unsigned int max_qp, unsigned int rir_size)
{
	int ret = 0;

	if (p->rc_mode != VA_RC_CQP) {
		VAEncMiscParameterRateControl rc;
		VAEncMiscParameterHRD hrd;
		VAEncMiscParameterFrameRate fr;
		unsigned int num, den;
		uint32_t vbv;

		ks_va_fps(p->refresh_mhz, &num, &den);
		vbv = (uint32_t)((uint64_t)p->cfg.bitrate * den / num);
		memset(&rc, 0, sizeof(rc));
		rc.bits_per_second = p->cfg.bitrate;
		rc.target_percentage = p->rc_mode == VA_RC_CBR ? 100 : 90;
		rc.window_size = 1000 * den / num + 1;	/* one frame, in ms */
		rc.initial_qp = initial_qp;
		rc.min_qp = min_qp;
		rc.max_qp = max_qp;
		memset(&hrd, 0, sizeof(hrd));
		hrd.buffer_size = vbv;			/* a one-frame VBV */
		hrd.initial_buffer_fullness = vbv;
		memset(&fr, 0, sizeof(fr));
		fr.framerate = num | den << 16;
		ret = ks_va_add_misc(p, pic, VAEncMiscParameterTypeRateControl, &rc, sizeof(rc));
		if (!ret)
			ret = ks_va_add_misc(p, pic, VAEncMiscParameterTypeHRD, &hrd, sizeof(hrd));
		if (!ret)
			ret = ks_va_add_misc(p, pic, VAEncMiscParameterTypeFrameRate, &fr,
					     sizeof(fr));
	}
	if (!ret && p->have_rir) {
		VAEncMiscParameterRIR rir;

		memset(&rir, 0, sizeof(rir));
		rir.rir_flags.bits.enable_rir_column = 1;
		rir.intra_insert_size = (uint16_t)(rir_size ? rir_size : 1);
		ret = ks_va_add_misc(p, pic, VAEncMiscParameterTypeRIR, &rir, sizeof(rir));
	}
	return ret;
}

void ks_va_pic_free(struct ks_vapipe *p, struct ks_va_pic *pic)
{
	unsigned int i;

	for (i = 0; i < pic->n; i++)
		vaDestroyBuffer(p->dpy, pic->ids[i]);
	pic->n = 0;
}

int ks_va_run(struct ks_vapipe *p, struct ks_va_pic *pic, VASurfaceID input,
	      const struct kmscap_event *ev)
{
	VAStatus st = vaBeginPicture(p->dpy, p->enc_ctx, input);

	if (st == VA_STATUS_SUCCESS) {
		st = vaRenderPicture(p->dpy, p->enc_ctx, pic->ids, (int)pic->n);
		if (st == VA_STATUS_SUCCESS)
			st = vaEndPicture(p->dpy, p->enc_ctx);
		else
			vaEndPicture(p->dpy, p->enc_ctx);
	}
	if (st == VA_STATUS_SUCCESS)
		st = vaSyncSurface(p->dpy, input);
	ks_va_pic_free(p, pic);
	if (st != VA_STATUS_SUCCESS)
		return ks_va_fail(p, ks_va_errno(st), "encode: %s frame %llu failed: %s",
				  vaProfileStr(p->profile), (unsigned long long)ev->seq,
				  vaErrorStr(st));
	return 0;
}

int ks_va_read_coded(struct ks_vapipe *p, struct ks_buf *out, bool annexb)
{
	VACodedBufferSegment *seg;
	VAStatus st;
	int ret = 0;

	st = vaMapBuffer(p->dpy, p->coded, (void **)&seg);
	if (st != VA_STATUS_SUCCESS)
		return ks_va_fail(p, ks_va_errno(st), "encode: mapping the coded buffer: %s",
				  vaErrorStr(st));
	for (; seg && !ret; seg = seg->next) {
		if (seg->status & VA_CODED_BUF_STATUS_SLICE_OVERFLOW_MASK) {
			ret = ks_va_fail(p, -ENOBUFS, "encode: coded buffer of %u bytes overflowed",
					 p->coded_size);
			break;
		}
		if (!seg->size)
			continue;
		if (annexb) {
			ret = ks_annexb_append_stream(out, seg->buf, seg->size);
			if (ret == -EBADMSG)
				ks_va_fail(p, ret,
					   "encode: the driver's coded data is not Annex B");
		} else {
			ret = ks_buf_append(out, seg->buf, seg->size);
		}
	}
	vaUnmapBuffer(p->dpy, p->coded);
	return ret;
}

bool ks_va_need_key(const struct ks_vapipe *p)
{
	return p->idr_pending || p->prev_recon < 0 ||
	       (p->cfg.gop && p->frames_since_idr >= p->cfg.gop);
}

void ks_va_picture_done(struct ks_vapipe *p, const struct kmscap_event *ev,
			struct ks_stats *stats, bool repeat, bool key, int cur)
{
	uint64_t now = ks_now_ns();

	p->idr_pending = false;
	p->prev_recon = cur;
	p->frames_since_idr++;
	if (!stats)
		return;
	if (now > ev->timestamp_ns)
		ks_latency_add(&stats->lat, now - ev->timestamp_ns);
	ks_stats_coded(stats, ev->seq, now);
	if (repeat)
		stats->total.repeated++;
	else
		stats->total.encoded++;
	stats->total.idr += key;
}
