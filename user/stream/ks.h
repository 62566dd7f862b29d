/* SPDX-License-Identifier: MIT */
/*
 * kmscap-stream: internal interfaces shared by the helper's files.
 *
 * Every function that can fail returns a negative errno value (never -1
 * with errno set).  Pieces that do not need VA-API or a kmscap device
 * (arguments, Annex B / IVF writers, statistics, the import cache and the
 * io_uring loop) are kept free of both, so the host unit tests can link
 * them alone.
 */
#ifndef KMSCAP_STREAM_KS_H
#define KMSCAP_STREAM_KS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kmscap.h"

struct ks_loop;

#define KS_PROG			"kmscap-stream"
#define KS_VERSION		"1.0.0"
#define KS_DEFAULT_DEVICE	"/dev/dri/renderD128"

/* Exit statuses. */
#define KS_EXIT_OK		0
#define KS_EXIT_FAIL		1
#define KS_EXIT_USAGE		2

/* ------------------------------------------------------------------ */
/* args.c                                                              */
/* ------------------------------------------------------------------ */

enum ks_codec { KS_CODEC_H264, KS_CODEC_HEVC, KS_CODEC_AV1 };
enum ks_rc { KS_RC_CBR, KS_RC_VBR, KS_RC_CQP };
enum ks_cursor { KS_CURSOR_COMPOSITE, KS_CURSOR_SEPARATE };
enum ks_idle { KS_IDLE_SKIP, KS_IDLE_REPEAT };
/* --format: raw (Annex B, IVF for AV1) or a container (mux.c) */
enum ks_format { KS_FORMAT_RAW, KS_FORMAT_MPEGTS, KS_FORMAT_MATROSKA };

#define KS_MAX_NOTICES		2
/* The notices of ks_args.notice[]. */
#define KS_NOTICE_KMSCAP \
	"notice: --kmscap is now --kmscap-device (the /dev/kmscap control device); the old name still works"
#define KS_NOTICE_DEVICE \
	"notice: --device is now --render-node (the VA-API render node); the old name still works"

struct ks_args {
	const char *kmscap_path;	/* --kmscap-device; NULL: libkmscap's default */
	const char *kmscap_opt;		/* ... as typed: --kmscap-device or --kmscap */
	const char *device;		/* --render-node: the VA-API render node */
	const char *device_opt;		/* ... as typed: --render-node or --device */
	/* notices to print before starting: an old option name was used */
	const char *notice[KS_MAX_NOTICES];
	unsigned int notices;
	bool have_display;
	uint32_t display_id;		/* --display */
	bool create;			/* --create MODE */
	uint32_t width, height, refresh_mhz;
	enum ks_codec codec;		/* --codec */
	enum ks_format format;		/* --format */
	const char *output;		/* --output / -o: FILE, -, tcp:HOST:PORT, unix:PATH */
	enum ks_rc rc;			/* --rc */
	uint32_t bitrate;		/* --bitrate, bits per second */
	uint32_t qp;			/* --qp */
	uint32_t gop;			/* --gop, 0: infinite */
	bool intra_refresh;		/* --intra-refresh */
	enum ks_cursor cursor;		/* --cursor */
	const char *cursor_out;		/* --cursor-out */
	enum ks_idle idle;		/* --idle */
	bool stats;			/* --stats */
	bool json;			/* --json */
	uint64_t frames;		/* --frames, 0: unlimited */
	uint64_t duration_ns;		/* --duration, 0: unlimited */
	uint32_t queue_depth;		/* --queue-depth, 0: module default */
	uint64_t hold_timeout_ns;	/* --hold-timeout, 0: one refresh period */
	uint32_t pool;			/* --pool: NV12 surfaces */
	uint32_t threads;		/* --threads: 1 one thread, 2 an encode thread */
	const char *control;		/* --control: a FIFO or unix socket of control lines */
	bool help;
	bool version;
};

#define KS_DEFAULT_BITRATE	8000000u
#define KS_DEFAULT_QP		26u
#define KS_DEFAULT_POOL		3u
#define KS_MAX_POOL		16u
/* --threads default: $KMSCAP_STREAM_THREADS if set (1 or 2), else this */
#define KS_THREADS_ENV		"KMSCAP_STREAM_THREADS"
#define KS_DEFAULT_THREADS	2u

void ks_args_init(struct ks_args *a);
/*
 * Parse argv into @a.  Returns 0, or -EINVAL with a one-line message in
 * @err (no program name, no newline).  Options may be given as
 * "--opt value" or "--opt=value".
 */
int ks_args_parse(struct ks_args *a, int argc, char **argv, char *err, size_t errlen);
void ks_args_usage(FILE *f);
/*
 * The hold timeout kmscap-stream attaches with unless --hold-timeout says
 * otherwise: long enough for a new buffer's import plus its conversion
 * (KS_HOLD_FLOOR_NS), and at least three refresh periods of the display
 * (@refresh_mhz, 0 if unknown).
 */
#define KS_HOLD_FLOOR_NS	50000000ull
/* No frame this long after the start: say so, once (the loop's waiting notice). */
#define KS_WAITING_NS		2000000000ull
uint64_t ks_default_hold_ns(uint32_t refresh_mhz);
const char *ks_codec_name(enum ks_codec c);
/* "raw", "mpegts", "matroska" (libavformat's names of the containers) */
const char *ks_format_name(enum ks_format f);
const char *ks_rc_name(enum ks_rc rc);
/* "10", "10s", "500ms", "2m", "1.5s" -> ns.  0 or -EINVAL / -ERANGE. */
int ks_parse_duration(const char *s, uint64_t *ns);
/* "8000000", "8000k", "8M", "2.5M" -> bits/s.  0 or -EINVAL / -ERANGE. */
int ks_parse_bitrate(const char *s, uint32_t *bps);

/* ------------------------------------------------------------------ */
/* buf.c: a growable byte buffer, one output unit                      */
/* ------------------------------------------------------------------ */

struct ks_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

int ks_buf_reserve(struct ks_buf *b, size_t extra);
int ks_buf_append(struct ks_buf *b, const void *data, size_t len);
void ks_buf_reset(struct ks_buf *b);
void ks_buf_free(struct ks_buf *b);

/* ------------------------------------------------------------------ */
/* annexb.c: H.264 / HEVC access units                                 */
/* ------------------------------------------------------------------ */

/* Append an H.264 access unit delimiter (primary_pic_type 7: any slice). */
int ks_annexb_aud_h264(struct ks_buf *au);
/* Append one NAL unit (header + escaped payload) behind a 4-byte start code. */
int ks_annexb_append_nal(struct ks_buf *au, const void *nal, size_t len);
/*
 * Append bitstream that already is Annex B (as VA coded buffers are); it
 * must begin with a 3- or 4-byte start code (-EBADMSG otherwise).
 */
int ks_annexb_append_stream(struct ks_buf *au, const void *data, size_t len);

struct ks_nal {
	const uint8_t *data;	/* first byte of the NAL header */
	size_t len;		/* up to the next start code, trailing zeros excluded */
	size_t sc_len;		/* 3 or 4 */
};

/*
 * Iterate NAL units: *@pos starts at 0.  Returns 1 with @nal set, 0 at the
 * end, -EBADMSG if the data does not start with a start code.
 */
int ks_annexb_next(const uint8_t *data, size_t len, size_t *pos, struct ks_nal *nal);
static inline unsigned int ks_h264_nal_type(const struct ks_nal *n)
{
	return n->len ? n->data[0] & 0x1f : 0;
}

/* ------------------------------------------------------------------ */
/* ivf.c: AV1 in IVF                                                   */
/* ------------------------------------------------------------------ */

#define KS_IVF_HEADER_SIZE	32
#define KS_IVF_FRAME_HEADER	12

/* The 32-byte file header; @frames is 0 while streaming. */
void ks_ivf_header(uint8_t out[KS_IVF_HEADER_SIZE], uint32_t fourcc, uint16_t width,
		   uint16_t height, uint32_t rate, uint32_t scale, uint32_t frames);
/* Append frame header + payload as one unit. */
int ks_ivf_append_frame(struct ks_buf *unit, const void *data, size_t len, uint64_t pts);
#define KS_IVF_FOURCC_AV1	0x31305641u	/* "AV01" */

/* ------------------------------------------------------------------ */
/* stats.c                                                             */
/* ------------------------------------------------------------------ */

#define KS_LAT_WINDOW		1024

struct ks_latency {
	uint64_t samples[KS_LAT_WINDOW];
	size_t count;		/* valid samples, <= KS_LAT_WINDOW */
	size_t next;		/* ring position of the next sample */
	size_t window;		/* window size, <= KS_LAT_WINDOW */
};

void ks_latency_init(struct ks_latency *l, size_t window);
void ks_latency_add(struct ks_latency *l, uint64_t ns);
/*
 * Nearest-rank percentile (@pct 1..100) over the window: the smallest
 * sample with at least pct % of the samples <= it.  0 if empty.
 */
uint64_t ks_latency_pct(const struct ks_latency *l, unsigned int pct);

struct ks_counters {
	uint64_t frames_in;	/* frame events read */
	uint64_t encoded;	/* frames encoded and queued for output */
	uint64_t skipped;	/* idle frames skipped (--idle=skip) */
	uint64_t repeated;	/* idle frames re-emitted (--idle=repeat) */
	uint64_t dropped;	/* lost: by the module (event 'dropped') or by us */
	uint64_t blank;		/* blank frames (nothing to encode) */
	uint64_t torn;		/* revoked while converted (ESTALE): not encoded */
	uint64_t idr;		/* IDR frames */
	uint64_t bytes_out;	/* bytes written */
	uint64_t released;	/* frames given back to the module */
	uint64_t stale_releases;	/* given back in the ring after the module revoked them */
	uint64_t mode_changes;
	uint64_t idr_requests;	/* IDRs asked for: SIGUSR1 and "idr" control lines */
	uint64_t ctl_ignored;	/* control lines not understood (or too long) */
	uint64_t flip_done;	/* flip-done events read (ABI 1.3) */
	uint64_t flip_coded;	/* frames with both a flip-done and a coded time */
	/* time spent per stage, for the averages in the JSON lines */
	uint64_t imports, import_ns;	/* DMA-BUF export + VA import, once per new buffer */
	uint64_t converts, convert_ns;	/* VPP (cache look-up included), until the release */
	uint64_t encodes, encode_ns;	/* encode, until the coded buffer is read */
};

/*
 * Flip-done -> coded: the flip-done time and the coded time of recent
 * frames, by seq modulo KS_FLIP_SLOTS; whichever comes second makes the
 * sample.  0: not known (yet).
 */
#define KS_FLIP_SLOTS		64
struct ks_flip_slot {
	uint64_t seq, flip_ns, coded_ns;
};

struct ks_stats {
	struct ks_counters total;
	struct ks_counters last;	/* totals at the previous report */
	uint64_t start_ns, last_ns;
	struct ks_latency lat;
	struct ks_latency flip_lat;	/* flip-done -> coded, 0 if coded before */
	struct ks_flip_slot flip_slots[KS_FLIP_SLOTS];
};

/* CLOCK_MONOTONIC in ns: the clock of every time the statistics keep. */
uint64_t ks_now_ns(void);
void ks_stats_init(struct ks_stats *s, uint64_t now_ns);
/* Frame @seq's flip completed at @ns (the flip-done event's timestamp). */
void ks_stats_flip_done(struct ks_stats *s, uint64_t seq, uint64_t ns);
/* Frame @seq's coded buffer was ready at @ns (only its first time counts). */
void ks_stats_coded(struct ks_stats *s, uint64_t seq, uint64_t ns);
/* Add the coded times an encode thread's frame noted in @from to @to. */
void ks_stats_merge_coded(struct ks_stats *to, const struct ks_stats *from);
/*
 * Format one report line (no newline) for the interval since the last
 * report, or for the whole run if @final.  @json selects one JSON object.
 * Returns the length, -ENOSPC if @size is too small.
 */
int ks_stats_format(const struct ks_stats *s, uint64_t now_ns, bool final, bool json,
		    char *buf, size_t size);
/* Start a new interval. */
void ks_stats_mark(struct ks_stats *s, uint64_t now_ns);

/* ------------------------------------------------------------------ */
/* import_cache.c: buffer id -> imported VA surface                    */
/* ------------------------------------------------------------------ */

/* What an import depends on; a change of any field means a new import. */
struct ks_layout {
	uint32_t format;
	uint32_t width, height;
	uint64_t modifier;
	uint32_t pitch, offset;
};

struct ks_import_ops {
	/* Export @buffer_id: a new fd the caller closes, or a negative errno. */
	int (*export_buf)(void *opaque, uint32_t buffer_id, uint64_t *size);
	/* Import @fd with @layout; store the handle (a VASurfaceID) in *@handle. */
	int (*import)(void *opaque, int fd, uint64_t size, const struct ks_layout *layout,
		      uint32_t *handle);
	void (*destroy)(void *opaque, uint32_t handle);
};

struct ks_import_entry {
	uint32_t buffer_id;
	struct ks_layout layout;
	uint32_t handle;
	uint64_t last_use;
};

struct ks_import_cache {
	struct ks_import_ops ops;
	void *opaque;
	struct ks_import_entry *entries;
	size_t count, max;
	uint64_t clock;
	uint64_t imports, hits, evictions, drops;
};

int ks_import_cache_init(struct ks_import_cache *c, const struct ks_import_ops *ops,
			 void *opaque, size_t max);
/* Destroys every cached import. */
void ks_import_cache_fini(struct ks_import_cache *c);
/*
 * The handle for @buffer_id in @layout: cached, or exported + imported
 * now (the export fd is closed after the import).  @buffer_id 0 is -EINVAL.
 */
int ks_import_cache_get(struct ks_import_cache *c, uint32_t buffer_id,
			const struct ks_layout *layout, uint32_t *handle);
void ks_import_cache_drop_all(struct ks_import_cache *c);
/* Drop everything on a hang-up or NEW_MODE frame; 1 if it did. */
int ks_import_cache_note_event(struct ks_import_cache *c, const struct kmscap_event *ev);

/* ------------------------------------------------------------------ */
/* cursor.c: cursor side data (--cursor separate)                      */
/* ------------------------------------------------------------------ */

#define KS_CURSOR_HEADER	52

struct ks_cursor_side {
	int (*export_buf)(void *opaque, uint32_t buffer_id, uint64_t *size);
	void *opaque;
	bool have_state, visible, have_pos;
	uint32_t buffer_id;
	int64_t x, y;
	uint64_t records;
};

void ks_cursor_init(struct ks_cursor_side *c, int (*export_buf)(void *, uint32_t, uint64_t *),
		    void *opaque);
/*
 * Append a record (and the image, when it changed) to @side if the cursor
 * changed with @ev; nothing otherwise.  The format is described in
 * cursor.c and Documentation/stream.md.
 */
int ks_cursor_frame(struct ks_cursor_side *c, const struct kmscap_event *ev,
		    struct ks_buf *side);

/* ------------------------------------------------------------------ */
/* loop.c and its files (loop_priv.h): the io_uring event loop        */
/* ------------------------------------------------------------------ */

/* Where frame events come from and go back to. */
struct io_uring_sqe;

struct ks_source_ops {
	/* Read up to @max events without blocking; count, 0 if none, or -errno. */
	int (*read)(void *opaque, struct kmscap_event *evs, size_t max);
	/* Give frame @seq back. */
	int (*release)(void *opaque, uint64_t seq);
	/*
	 * Optional: take up to @max flip-done events that read() came across;
	 * count, 0 if none, or -errno.
	 */
	int (*flip_done)(void *opaque, struct kmscap_event_flip_done *out, size_t max);
	/*
	 * Optional, both or neither: the loop reads the source's fd itself,
	 * a POLL_ADD linked to a READ in the ring (waiting and reading in one
	 * io_uring_enter), into a buffer of KS_READ_BATCH times read_size()
	 * bytes, and hands each READ's bytes to decode() instead of calling
	 * read().  read_size(): the room one event needs (0: use read()).
	 * decode(): the events in @len bytes (0: end of file) into @evs, which
	 * has room for every event of them; count, 0 if none, or -errno.
	 */
	size_t (*read_size)(void *opaque);
	int (*decode)(void *opaque, const void *buf, size_t len, struct kmscap_event *evs,
		      size_t max);
	/*
	 * Optional, both or neither: with threads 1 the loop gives frames back
	 * in its ring, the release of frame N in the io_uring_enter() that
	 * waits for N+1.  prep_release(): fill @sqe with the release of @seq
	 * (-EOPNOTSUPP: the source cannot; the loop then uses release()).
	 * revoked(): whether frame @seq, read, was revoked since: 1 or 0
	 * without a system call, or -errno (the loop then uses release()).
	 */
	int (*prep_release)(void *opaque, struct io_uring_sqe *sqe, uint64_t seq);
	int (*revoked)(void *opaque, uint64_t seq);
};

/* Why ks_loop_run() returned. */
enum ks_stop {
	KS_STOP_NONE,
	KS_STOP_SIGNAL,		/* SIGINT / SIGTERM */
	KS_STOP_FRAMES,		/* --frames reached */
	KS_STOP_DURATION,	/* --duration elapsed */
	KS_STOP_HANGUP,		/* the display went away */
	KS_STOP_ERROR,		/* an error (see ks_loop_error) */
};

/*
 * One frame through the encoder.  The loop fills @ev and @stats, and
 * @released before encode(); the encoder fills @out, @side and, when it
 * fails, @err.  The encoder never sees the loop: the loop alone reads
 * events, releases frames and writes the output.
 */
struct ks_frame {
	struct kmscap_event ev;
	/*
	 * This frame's counters: the loop's with threads 1; with threads 2
	 * the frame's own, added to the loop's by the ring thread.
	 */
	struct ks_stats *stats;
	/*
	 * For encode(): what releasing the frame after convert() returned.
	 * -ESTALE: the module had revoked the hold and the compositor may
	 * have redrawn the buffer while it was read; what convert() made of
	 * it must not be encoded.
	 */
	int released;
	struct ks_buf out;		/* the output unit; left empty: nothing to write */
	struct ks_buf side;		/* side data (cursor records) */
	char err[512];			/* why the frame failed (no newline); "": not said */
};

/* What to do with a frame (the VA pipeline, or a fake in tests). */
struct ks_encoder_ops {
	/*
	 * Optional: all that reads the frame's buffer (import, conversion).
	 * When it returns the buffer is no longer read: the loop releases the
	 * frame and, unless convert() failed, calls encode() with the
	 * release's result.  Without convert() the loop releases the frame
	 * after encode().  Both return 0 or a negative errno.
	 */
	int (*convert)(void *opaque, struct ks_frame *f);
	/* Encode the frame into f->out (and side data into f->side). */
	int (*encode)(void *opaque, struct ks_frame *f);
	/* The next frame is an IDR (SIGUSR1, an "idr" control line). */
	void (*request_idr)(void *opaque);
	/*
	 * End of stream (@why the loop stopped): anything still in the
	 * encoder, and a trailer, into @out; on failure a message in @err.
	 */
	int (*flush)(void *opaque, enum ks_stop why, struct ks_buf *out, char *err,
		     size_t errlen);
};

struct ks_loop_config {
	int src_fd;			/* polled for POLLIN / POLLHUP */
	const struct ks_source_ops *src;
	void *src_opaque;
	int out_fd;
	int side_fd;			/* cursor side data; 0 or -1: none */
	const struct ks_encoder_ops *enc;
	void *enc_opaque;
	uint64_t stats_interval_ns;	/* 0: no periodic statistics */
	bool json;
	uint64_t max_frames;		/* 0: unlimited */
	uint64_t duration_ns;		/* 0: unlimited */
	size_t max_queued;		/* output units queued before dropping frames */
	int stats_fd;			/* where statistics go (stderr) */
	/*
	 * Written once to @stats_fd, with a newline, when no frame event
	 * came within @waiting_ns of the start (NULL or 0: never).
	 */
	const char *waiting_notice;
	uint64_t waiting_ns;
	/* Prepend this to the output before the first unit (e.g. IVF header). */
	const void *prologue;
	size_t prologue_len;
	/*
	 * 1: frames are encoded in the loop's thread; 2: in an encode thread,
	 * one at a time, the newest pending frame replacing an older one (see
	 * Documentation/stream-threads.md); 0: $KMSCAP_STREAM_THREADS if it
	 * is 2, else 1.
	 */
	unsigned int threads;
	/*
	 * Control lines (Documentation/stream.md, "Control messages"): read
	 * from @out_fd too when @out_control (a connected socket), and from
	 * @control_fd (--control; 0 or -1: none), named @control_name in
	 * notices.
	 */
	bool out_control;
	int control_fd;
	const char *control_name;
};

/*
 * Block SIGINT, SIGTERM and SIGUSR1 in the calling thread (and threads it
 * creates later) and ignore SIGPIPE; must run before other threads exist.
 */
int ks_loop_block_signals(void);
int ks_loop_new(const struct ks_loop_config *cfg, struct ks_loop **out);
void ks_loop_free(struct ks_loop *l);
/* Run until a stop condition; returns the reason (the output is flushed). */
enum ks_stop ks_loop_run(struct ks_loop *l);
int ks_loop_error(const struct ks_loop *l);
const char *ks_loop_error_msg(const struct ks_loop *l);
/* The loop's statistics (the ring thread's: read them after ks_loop_run()). */
struct ks_stats *ks_loop_stats(struct ks_loop *l);
/* Frames read and not yet released (0 once ks_loop_run() returned). */
size_t ks_loop_held(const struct ks_loop *l);
/* READs of control lines submitted so far (none after an end of file). */
uint64_t ks_loop_control_reads(const struct ks_loop *l);
const char *ks_stop_name(enum ks_stop s);

/* The longest control line understood; longer lines are ignored (counted). */
#define KS_CTL_MAX_LINE		64
/*
 * Open --control @path for reading control lines: an existing FIFO
 * (opened read-write, so writers may come and go without an end of file)
 * or a listening unix stream socket (connected to).  Returns the fd
 * (blocking, close-on-exec) or a negative errno with a one-line message
 * naming @path in @err.
 */
int ks_control_open(const char *path, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* gamma.c                                                             */
/* ------------------------------------------------------------------ */

struct kmscap_dev;

/* What kmscap-stream said about the display's gamma LUT. */
struct ks_gamma {
	struct kmscap_dev *dev;
	uint32_t display_id;
	bool json;
	int fd;			/* where the notice goes (stderr) */
	bool noticed;		/* the LUT is not the identity, and that was said */
	bool failed;		/* reading the LUT failed, and that was said */
};

/*
 * A frame event was read: on KMSCAP_FRAME_GAMMA_CHANGED, read the LUT and
 * say once, on @g->fd, that a LUT which is not the identity at the frame's
 * depth is not applied to the stream.
 */
void ks_gamma_note(struct ks_gamma *g, const struct kmscap_event *ev);

#endif /* KMSCAP_STREAM_KS_H */
