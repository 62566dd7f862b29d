// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: attach to (or create) a kmscap display, encode every
 * captured frame with VA-API and write the bitstream out.
 *
 * Order of setup: signals, the container plugin (--format not raw), VA-API (fails early, before anything is
 * created), output, kmscap (create, attach), then the io_uring loop.
 * Teardown is the reverse; a display this process created is removed on
 * every exit path.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ks.h"
#include "libkmscap.h"
#include "mux.h"
#include "vapipe.h"

struct ks_main {
	struct ks_args args;
	int out_fd;
	bool out_is_file;		/* a regular file, not appended to: rewritable */
	off_t out_base;			/* ... its offset where the stream starts */
	struct kmscap_dev *ctl;		/* creates / destroys the display */
	struct kmscap_dev *cap;		/* the capture client */
	uint32_t display_id;
	bool created;
	uint32_t card_minor;		/* the display's /dev/dri/cardN */
	struct ks_vapipe *va;
	int side_fd;			/* --cursor-out, or -1 */
	int control_fd;			/* --control, or -1 */
	int fds_at_start;
	size_t held_at_exit;		/* frames the loop still held when it ended */
	int surfaces_at_exit;		/* VA surfaces alive when the pipeline closed */
	struct ks_cursor_side cursor;
	uint32_t refresh_mhz;		/* the display's refresh rate at attach */
	/* the module's counters of this client at exit (KMSCAP_IOC_STATS) */
	bool have_module_stats;
	struct kmscap_client_stats module;
	uint64_t hold_timeout_ns;	/* attached with */
	const struct ks_mux_ops *mux_ops; /* the loaded plugin: --format not raw */
	struct ks_mux *mux;		/* --format mpegts / matroska, else NULL */
	uint64_t last_flip_ns;		/* the newest frame handed to the encoder */
	struct kmscap_event last_muxed;	/* ... and the newest one muxed */
	uint64_t end_ns;		/* the end of the recording (the muxer's last frame) */
	struct ks_gamma gamma;		/* the notice about the display's gamma LUT */
};

static void ks_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void ks_err(const char *fmt, ...)
{
	va_list ap;

	fputs(KS_PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "tcp:HOST:PORT" or "unix:PATH": a connected stream socket. */
static int ks_connect(const char *dest)
{
	int fd, ret;

	if (!strncmp(dest, "unix:", 5)) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		if (strlen(dest + 5) >= sizeof(sun.sun_path)) {
			ks_err("output %s: socket path too long", dest);
			return -ENAMETOOLONG;
		}
		strcpy(sun.sun_path, dest + 5);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
			ret = -errno;
			ks_err("output %s: cannot connect: %s", dest, strerror(-ret));
			close(fd);
			return ret;
		}
		return fd;
	} else {
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
		char host[256];
		const char *port = strrchr(dest + 4, ':');

		if (!port || port == dest + 4 || (size_t)(port - dest - 4) >= sizeof(host)) {
			ks_err("output %s: expected tcp:HOST:PORT", dest);
			return -EINVAL;
		}
		memcpy(host, dest + 4, (size_t)(port - dest - 4));
		host[port - dest - 4] = '\0';
		ret = getaddrinfo(host, port + 1, &hints, &res);
		if (ret) {
			ks_err("output %s: %s", dest, gai_strerror(ret));
			return -EHOSTUNREACH;
		}
		fd = -ECONNREFUSED;
		for (ai = res; ai; ai = ai->ai_next) {
			int s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
				       ai->ai_protocol);

			if (s < 0)
				continue;
			if (!connect(s, ai->ai_addr, ai->ai_addrlen)) {
				fd = s;
				break;
			}
			fd = -errno;
			close(s);
		}
		freeaddrinfo(res);
		if (fd < 0)
			ks_err("output %s: cannot connect: %s", dest, strerror(-fd));
		return fd;
	}
}

static int ks_export(void *opaque, uint32_t buffer_id, uint64_t *size)
{
	struct ks_main *m = opaque;
	int ret = kmscap_export(m->cap, buffer_id, KMSCAP_EXPORT_CLOEXEC, size);

	if (ret < 0) {
		char buf[256], id[16];

		snprintf(id, sizeof(id), "%u", buffer_id);
		ks_err("%s", kmscap_strerror_ctx(ret, KMSCAP_ERR_EXPORT, id, buf, sizeof(buf)));
	}
	return ret;
}

/* FILE, - (stdout), tcp:HOST:PORT or unix:PATH; returns the fd. */
static int ks_open_dest(const char *o, const char *what)
{
	int fd;

	if (!strcmp(o, "-")) {
		if (isatty(STDOUT_FILENO)) {
			ks_err("refusing to write %s to a terminal: %s", what,
			       "use -o FILE or a pipe");
			return -ENOTTY;
		}
		return STDOUT_FILENO;
	}
	if (!strncmp(o, "tcp:", 4) || !strncmp(o, "unix:", 5))
		return ks_connect(o);
	fd = open(o, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fd = -errno;
		ks_err("output %s: %s", o, strerror(-fd));
	}
	return fd;
}

static int ks_open_output(struct ks_main *m)
{
	struct stat st;

	m->out_fd = ks_open_dest(m->args.output, "a bitstream");
	if (m->out_fd < 0)
		return m->out_fd;
	m->out_is_file = !fstat(m->out_fd, &st) && S_ISREG(st.st_mode) &&
			 !(fcntl(m->out_fd, F_GETFL) & O_APPEND);
	m->out_base = m->out_is_file ? lseek(m->out_fd, 0, SEEK_CUR) : 0;
	if (m->out_base < 0)
		m->out_is_file = false;
	if (m->args.cursor == KS_CURSOR_SEPARATE) {
		if (!strcmp(m->args.cursor_out, "-") && m->out_fd == STDOUT_FILENO) {
			ks_err("--cursor-out: stdout already carries the bitstream");
			return -EINVAL;
		}
		m->side_fd = ks_open_dest(m->args.cursor_out, "cursor data");
		if (m->side_fd < 0)
			return m->side_fd;
		ks_cursor_init(&m->cursor, ks_export, m);
	}
	if (m->args.format != KS_FORMAT_RAW) {
		char err[512];
		int ret = m->mux_ops->new(m->args.format, m->args.codec, m->out_is_file, &m->mux,
					  err, sizeof(err));

		if (ret) {
			ks_err("%s", err);
			return ret;
		}
	}
	if (m->args.control) {
		char err[512];

		m->control_fd = ks_control_open(m->args.control, err, sizeof(err));
		if (m->control_fd < 0) {
			ks_err("%s", err);
			return m->control_fd;
		}
	}
	return 0;
}

/* A tcp: or unix: output is a connected socket: its peer may send control lines. */
static bool ks_output_is_socket(const char *o)
{
	return !strncmp(o, "tcp:", 4) || !strncmp(o, "unix:", 5);
}

/* @n events libkmscap decoded (or an error): their gamma noted, @n returned. */
static int ks_src_noted(struct ks_main *m, const struct kmscap_event *evs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		ks_gamma_note(&m->gamma, &evs[i]);
	return n;
}

static int ks_src_read(void *opaque, struct kmscap_event *evs, size_t max)
{
	struct ks_main *m = opaque;

	return ks_src_noted(m, evs, kmscap_read_events(m->cap, evs, max));
}

static size_t ks_src_read_size(void *opaque)
{
	struct ks_main *m = opaque;

	return kmscap_event_read_size(m->cap);
}

static int ks_src_decode(void *opaque, const void *buf, size_t len, struct kmscap_event *evs,
			 size_t max)
{
	struct ks_main *m = opaque;

	return ks_src_noted(m, evs, kmscap_events_from_buffer(m->cap, buf, len, evs, max));
}

static int ks_src_release(void *opaque, uint64_t seq)
{
	struct ks_main *m = opaque;

	return kmscap_release(m->cap, seq);
}

static int ks_src_prep_release(void *opaque, struct io_uring_sqe *sqe, uint64_t seq)
{
	struct ks_main *m = opaque;

	return kmscap_prep_release_sqe(m->cap, sqe, seq);
}

static int ks_src_revoked(void *opaque, uint64_t seq)
{
	struct ks_main *m = opaque;

	return kmscap_frame_revoked(m->cap, seq);
}

static int ks_src_flip_done(void *opaque, struct kmscap_event_flip_done *out, size_t max)
{
	struct ks_main *m = opaque;

	return kmscap_read_flip_done(m->cap, out, max);
}

static const struct ks_source_ops ks_kmscap_source = {
	.read = ks_src_read,
	.release = ks_src_release,
	.flip_done = ks_src_flip_done,
	.read_size = ks_src_read_size,
	.decode = ks_src_decode,
	.prep_release = ks_src_prep_release,
	.revoked = ks_src_revoked,
};

/* The encoder's unit of @ev into the container, in place (the picture size as vapipe.c's). */
static int ks_main_mux_unit(struct ks_main *m, struct ks_buf *unit,
			    const struct kmscap_event *ev, char *err, size_t errlen)
{
	return m->mux_ops->unit(m->mux, unit, ev->timestamp_ns,
				(ev->src_w ? ev->src_w : ev->width) & ~1u,
				(ev->src_h ? ev->src_h : ev->height) & ~1u, err, errlen);
}

static int ks_main_mux(struct ks_main *m, struct ks_frame *f)
{
	int ret;

	ret = ks_main_mux_unit(m, &f->out, &f->ev, f->err, sizeof(f->err));
	if (ret)
		return ret;
	m->last_muxed = f->ev;
	return 0;
}

/*
 * The end of a container recording: when its last frames were skipped as
 * idle (or nothing flipped until a signal or --duration stopped it), the
 * last picture once more at the end, so that the recording lasts as long
 * as the capture did; then the trailer.  The end is the newest frame's
 * flip when --frames stopped the capture, else now.
 */
static int ks_main_mux_end(struct ks_main *m, enum ks_stop why, struct ks_buf *out,
			   char *finish_err, size_t errlen)
{
	struct kmscap_event ev = m->last_muxed;
	struct ks_buf unit = { 0 };
	char err[256] = "";
	int ret;

	m->end_ns = why == KS_STOP_FRAMES ? m->last_flip_ns : ks_now_ns();
	/* after an error only the trailer, which keeps what is there playable */
	if (why != KS_STOP_ERROR && m->mux_ops->wants_end(m->mux, m->end_ns)) {
		ev.timestamp_ns = m->end_ns;
		ret = ks_vapipe_repeat(m->va, &ev, &unit);
		if (!ret && unit.len)
			ret = ks_main_mux_unit(m, &unit, &ev, err, sizeof(err));
		else if (ret)
			snprintf(err, sizeof(err), "the last picture at the end: %s",
				 ks_vapipe_error(m->va));
		if (!ret && ks_buf_append(out, unit.data, unit.len))
			snprintf(err, sizeof(err), "the last picture at the end: out of memory");
		ks_buf_free(&unit);
		/* the recording ends at its last frame then; the trailer still goes out */
		if (ret || err[0])
			ks_err("%s", err);
	}
	return m->mux_ops->finish(m->mux, out, finish_err, errlen);
}

/* The loop's encoder, convert step: cursor side data, then the VA pipeline's. */
static int ks_main_convert(void *opaque, struct ks_frame *f)
{
	struct ks_main *m = opaque;
	int ret;

	if (m->side_fd >= 0) {
		ret = ks_cursor_frame(&m->cursor, &f->ev, &f->side);
		if (ret)
			ks_err("cursor of frame %llu left out: %s", (unsigned long long)f->ev.seq,
			       strerror(-ret));
	}
	m->last_flip_ns = f->ev.timestamp_ns;
	return ks_vapipe_ops.convert(m->va, f);
}

/* The encode step: the VA pipeline's, then the container's. */
static int ks_main_encode(void *opaque, struct ks_frame *f)
{
	struct ks_main *m = opaque;
	int ret;

	ret = ks_vapipe_ops.encode(m->va, f);
	if (ret || !m->mux || !f->out.len)
		return ret;
	return ks_main_mux(m, f);
}

static void ks_main_idr(void *opaque)
{
	struct ks_main *m = opaque;

	ks_vapipe_ops.request_idr(m->va);
}

static int ks_main_flush(void *opaque, enum ks_stop why, struct ks_buf *out, char *err,
			 size_t errlen)
{
	struct ks_main *m = opaque;
	int ret = ks_vapipe_ops.flush(m->va, why, out, err, errlen);

	if (ret || !m->mux)
		return ret;
	return ks_main_mux_end(m, why, out, err, errlen);
}

static const struct ks_encoder_ops ks_main_encoder = {
	.convert = ks_main_convert,
	.encode = ks_main_encode,
	.request_idr = ks_main_idr,
	.flush = ks_main_flush,
};

static int ks_open_va(struct ks_main *m)
{
	struct ks_vapipe_config vc = {
		.device = m->args.device,
		.codec = m->args.codec,
		.rc = m->args.rc,
		.bitrate = m->args.bitrate,
		.qp = m->args.qp,
		.gop = m->args.gop,
		.intra_refresh = m->args.intra_refresh,
		.idle = m->args.idle,
		.pool = m->args.pool,
		.cursor = m->args.cursor,
		.export_buf = ks_export,
		.export_opaque = m,
	};
	char err[512];
	int ret;

	ret = ks_vapipe_open(&vc, &m->va, err, sizeof(err));
	if (ret)
		ks_err("%s", err);
	return ret;
}

/*
 * --create: the display takes the modifiers the VA-API driver imports
 * besides linear, so that a GPU compositor may render tiled buffers; a
 * module without KMSCAP_CAP_MODIFIERS gets a linear display, with a notice.
 */
static int ks_create_display(struct ks_main *m, uint32_t *minor)
{
	const struct ks_args *a = &m->args;
	uint64_t mods[KMSCAP_MAX_MODIFIERS];
	unsigned int n = ks_vapipe_import_modifiers(m->va, mods, KMSCAP_MAX_MODIFIERS), i;
	char list[KMSCAP_MAX_MODIFIERS * 20] = "";
	int ret;

	ret = kmscap_display_create_modifiers(m->ctl, a->width, a->height, a->refresh_mhz, 0,
					      mods, n, &m->display_id, minor);
	if (ret != -EOPNOTSUPP) {
		for (i = 0; !ret && !a->json && i < n; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s0x%llx",
				 i ? ", " : "", (unsigned long long)mods[i]);
		if (*list)
			fprintf(stderr, KS_PROG ": the display takes the VA-API driver's modifiers "
				"%s besides linear\n", list);
		return ret;
	}
	if (!a->json)
		fprintf(stderr, KS_PROG ": the kmscap module predates modifiers "
			"(KMSCAP_CAP_MODIFIERS): a linear-only display\n");
	return kmscap_display_create(m->ctl, a->width, a->height, a->refresh_mhz, 0,
				     &m->display_id, minor);
}

static int ks_open_kmscap(struct ks_main *m)
{
	const struct ks_args *a = &m->args;
	struct kmscap_version v = { 0 };
	uint32_t flags;
	char buf[256], subj[64];
	uint32_t minor = 0;
	int ret;

	ret = kmscap_open(a->kmscap_path, &m->ctl);
	if (ret == 0)
		ret = kmscap_open(a->kmscap_path, &m->cap);
	if (ret) {
		const char *path = a->kmscap_path ? a->kmscap_path : getenv(KMSCAP_DEVICE_ENV);

		if (!path || !*path)
			path = KMSCAP_DEFAULT_DEVICE;
		ks_err("%s", kmscap_strerror_ctx(ret, KMSCAP_ERR_OPEN, path, buf, sizeof(buf)));
		return ret;
	}
	if (a->create) {
		ret = ks_create_display(m, &minor);
		if (ret) {
			kmscap_format_mode(subj, sizeof(subj), a->width, a->height,
					   a->refresh_mhz);
			ks_err("%s", kmscap_strerror_ctx(ret, KMSCAP_ERR_CREATE, subj, buf,
							 sizeof(buf)));
			return ret;
		}
		m->created = true;
		m->card_minor = minor;
		kmscap_format_mode(subj, sizeof(subj), a->width, a->height, a->refresh_mhz);
		if (a->json)
			fprintf(stderr, "{\"type\":\"created\",\"display\":%u,\"card\":%u}\n",
				m->display_id, minor);
		else
			fprintf(stderr, KS_PROG ": created display %u (%s) on /dev/dri/card%u\n",
				m->display_id, subj, minor);
		m->refresh_mhz = a->refresh_mhz;
	} else {
		struct kmscap_display_info info;

		m->display_id = a->display_id;
		ret = kmscap_display_info(m->ctl, m->display_id, &info);
		if (ret) {
			snprintf(subj, sizeof(subj), "%u", m->display_id);
			ks_err("%s", kmscap_strerror_ctx(ret, KMSCAP_ERR_DISPLAY, subj, buf,
							 sizeof(buf)));
			return ret;
		}
		m->refresh_mhz = info.refresh_mhz;
		m->card_minor = info.card_minor;
	}
	/*
	 * Not the module's default of one refresh period: the first frame of
	 * every buffer is imported before it is converted, and a hold revoked
	 * meanwhile loses that frame (torn).
	 */
	m->hold_timeout_ns = a->hold_timeout_ns ? a->hold_timeout_ns :
			     ks_default_hold_ns(m->refresh_mhz);
	/*
	 * The picture on screen first: a static screen gives a stream at
	 * once; and flip-done events for the statistics where the module
	 * has them (ABI 1.3), deferred to the next frame where it can (ABI
	 * 1.5): the statistics need them, not at once, and the loop then
	 * wakes once per frame.
	 */
	kmscap_get_version(m->cap, &v);
	flags = KMSCAP_ATTACH_CURRENT_FRAME;
	if (v.caps & KMSCAP_CAP_FLIP_DONE)
		flags |= KMSCAP_ATTACH_FLIP_DONE;
	if ((v.caps & KMSCAP_CAP_FLIP_DONE) && (v.caps & KMSCAP_CAP_FLIP_DONE_DEFER))
		flags |= KMSCAP_ATTACH_FLIP_DONE_DEFER;
	ret = kmscap_attach_flags(m->cap, m->display_id, a->queue_depth, m->hold_timeout_ns,
				  flags);
	if (ret == -EOPNOTSUPP)	/* a module older than ABI 1.2 */
		ret = kmscap_attach(m->cap, m->display_id, a->queue_depth, m->hold_timeout_ns);
	if (ret) {
		snprintf(subj, sizeof(subj), "%u", m->display_id);
		ks_err("%s", kmscap_strerror_ctx(ret, KMSCAP_ERR_ATTACH, subj, buf, sizeof(buf)));
		return ret;
	}
	return 0;
}

static void ks_cleanup(struct ks_main *m)
{
	int ret;

	/* closing the capture handle ends every hold it still has */
	kmscap_close(m->cap);
	m->cap = NULL;
	m->surfaces_at_exit = ks_vapipe_close(m->va);
	m->va = NULL;
	if (m->created) {
		ret = kmscap_display_destroy(m->ctl, m->display_id);
		if (ret)
			ks_err("removing display %u: %s", m->display_id, strerror(-ret));
	}
	kmscap_close(m->ctl);
	m->ctl = NULL;
	if (m->mux)
		m->mux_ops->free(m->mux);
	m->mux = NULL;
	if (m->out_fd > STDERR_FILENO)
		close(m->out_fd);
	if (m->side_fd > STDERR_FILENO)
		close(m->side_fd);
	if (m->control_fd > STDERR_FILENO)
		close(m->control_fd);
}

/* After the loop: what the module counted for this client. */
static void ks_read_module_stats(struct ks_main *m)
{
	m->have_module_stats = !kmscap_stats(m->cap, &m->module);
}

/*
 * After the loop: the rewrites of the trailer into a regular file, and
 * with --json what the recording spans ({"type":"mux"}: first and last
 * presentation as flip times, CLOCK_MONOTONIC ns).
 */
static int ks_main_mux_done(struct ks_main *m)
{
	int num, den, ret = 0;

	if (m->out_is_file) {
		ret = m->mux_ops->apply_patches(m->mux, m->out_fd, m->out_base);
		if (ret)
			ks_err("output %s: completing the %s trailer: %s", m->args.output,
			       ks_format_name(m->args.format), strerror(-ret));
	}
	m->mux_ops->time_base(m->mux, &num, &den);
	if (m->args.json)
		fprintf(stderr, "{\"type\":\"mux\",\"format\":\"%s\",\"time_base\":\"%d/%d\","
			"\"packets\":%llu,\"first_ns\":%llu,\"end_ns\":%llu}\n",
			ks_format_name(m->args.format), num, den,
			(unsigned long long)m->mux_ops->packets(m->mux),
			(unsigned long long)m->mux_ops->first_ns(m->mux), (unsigned long long)m->end_ns);
	return ret;
}

static int ks_run(struct ks_main *m)
{
	const struct ks_args *a = &m->args;
	struct ks_loop_config lc = {
		.src_fd = kmscap_fd(m->cap),
		.src = &ks_kmscap_source,
		.src_opaque = m,
		.out_fd = m->out_fd,
		.side_fd = m->side_fd,
		.enc = &ks_main_encoder,
		.enc_opaque = m,
		.stats_interval_ns = a->stats ? 1000000000ull : 0,
		.json = a->json,
		.max_frames = a->frames,
		.duration_ns = a->duration_ns,
		.stats_fd = STDERR_FILENO,
		.threads = a->threads,
		.out_control = ks_output_is_socket(a->output),
		.control_fd = m->control_fd,
		.control_name = a->control,
	};
	struct ks_loop *loop;
	enum ks_stop why;
	char desc[128], waiting[160];
	int ret;

	m->gamma.dev = m->cap;
	m->gamma.display_id = m->display_id;
	m->gamma.json = a->json;
	m->gamma.fd = STDERR_FILENO;

	/* said once, if nothing shows on the display for a while */
	if (a->json)
		snprintf(waiting, sizeof(waiting),
			 "{\"type\":\"waiting\",\"display\":%u,\"card\":%u}", m->display_id,
			 m->card_minor);
	else
		snprintf(waiting, sizeof(waiting),
			 KS_PROG ": waiting for the first frame on /dev/dri/card%u (is a compositor driving it?)",
			 m->card_minor);
	lc.waiting_notice = waiting;
	lc.waiting_ns = KS_WAITING_NS;
	ret = ks_loop_new(&lc, &loop);
	if (ret) {
		ks_err("setting up io_uring: %s", strerror(-ret));
		return ret;
	}
	if (!a->json)
		fprintf(stderr, KS_PROG ": display %u -> %s, %s\n", m->display_id, a->output,
			ks_vapipe_describe(m->va, desc, sizeof(desc)));
	why = ks_loop_run(loop);
	ret = 0;
	if (m->mux && why != KS_STOP_ERROR)
		ret = ks_main_mux_done(m);
	if (why == KS_STOP_ERROR) {
		ks_err("%s", ks_loop_error_msg(loop));
		ret = ks_loop_error(loop);
	} else if (why == KS_STOP_HANGUP && !a->json) {
		fprintf(stderr, KS_PROG ": display %u went away\n", m->display_id);
	}
	m->held_at_exit = ks_loop_held(loop);
	ks_loop_free(loop);
	ks_read_module_stats(m);
	return ret;
}

static int ks_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

/*
 * What is left when everything was given back (all zero, or a leak), and
 * how long flips waited for this client (the module's max_hold_wait_ns;
 * -1 where KMSCAP_IOC_STATS could not be read).
 */
static void ks_report_exit(const struct ks_main *m)
{
	int fds = ks_count_fds() - m->fds_at_start;
	const struct kmscap_client_stats *s = &m->module;
	long long wait = m->have_module_stats ? (long long)s->max_hold_wait_ns : -1;
	long long dq = m->have_module_stats ? (long long)s->dropped_queue : -1;
	long long dt = m->have_module_stats ? (long long)s->dropped_timeout : -1;
	long long flips = m->have_module_stats ? (long long)s->flips : -1;

	if (m->args.json)
		fprintf(stderr, "{\"type\":\"exit\",\"held\":%zu,\"surfaces\":%d,\"fds\":%d,"
			"\"threads\":%u,\"module_flips\":%lld,\"max_hold_wait_ns\":%lld,"
			"\"hold_timeout_ns\":%llu,\"module_dropped_timeout\":%lld,"
			"\"module_dropped_queue\":%lld}\n",
			m->held_at_exit, m->surfaces_at_exit, fds, m->args.threads, flips, wait,
			(unsigned long long)m->hold_timeout_ns, dt, dq);
	else if (m->args.stats)
		fprintf(stderr, KS_PROG ": at exit: %zu frames held, %d VA surfaces, "
			"%d fds leaked; %u thread%s; module: %lld flips, longest hold wait %lld.%03lld ms "
			"(hold timeout %llu.%03llu ms), dropped %lld by timeout, %lld by queue\n",
			m->held_at_exit, m->surfaces_at_exit, fds, m->args.threads,
			m->args.threads == 1 ? "" : "s", flips, wait < 0 ? -1 : wait / 1000000,
			wait < 0 ? 0 : wait / 1000 % 1000,
			(unsigned long long)m->hold_timeout_ns / 1000000,
			(unsigned long long)m->hold_timeout_ns / 1000 % 1000, dt, dq);
}

int main(int argc, char **argv)
{
	struct ks_main m = { .out_fd = -1, .side_fd = -1, .control_fd = -1 };
	char err[PATH_MAX + 256];
	unsigned int i;
	int ret;

	ks_args_init(&m.args);
	if (ks_args_parse(&m.args, argc, argv, err, sizeof(err))) {
		ks_err("%s (see --help)", err);
		return KS_EXIT_USAGE;
	}
	for (i = 0; i < m.args.notices; i++)
		ks_err("%s", m.args.notice[i]);
	if (m.args.help) {
		ks_args_usage(stdout);
		return KS_EXIT_OK;
	}
	if (m.args.version) {
		printf(KS_PROG " " KS_VERSION " (libkmscap " LIBKMSCAP_VERSION ")\n");
		return KS_EXIT_OK;
	}
	/* before libva or anything else can start a thread */
	ret = ks_loop_block_signals();
	if (ret) {
		ks_err("blocking signals: %s", strerror(-ret));
		return KS_EXIT_FAIL;
	}
	/* FFmpeg's libraries only for a container (mux.h) */
	if (m.args.format != KS_FORMAT_RAW) {
		m.mux_ops = ks_mux_load(m.args.format, err, sizeof(err));
		if (!m.mux_ops) {
			ks_err("%s", err);
			return KS_EXIT_FAIL;
		}
	}
	m.fds_at_start = ks_count_fds();
	ret = ks_open_va(&m);
	if (!ret)
		ret = ks_open_output(&m);
	if (!ret)
		ret = ks_open_kmscap(&m);
	if (!ret)
		ret = ks_run(&m);
	ks_cleanup(&m);
	if (!ret)
		ks_report_exit(&m);
	return ret ? KS_EXIT_FAIL : KS_EXIT_OK;
}
