// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: the event loop's dispatch.  One io_uring ring, one thread
 * (the ring thread):
 *
 *  - a POLL_ADD on the kmscap fd says when frame events are queued, and a
 *    READ linked to it (IOSQE_IO_LINK) reads them into the loop's buffer,
 *    decoded by the source (ks_source_ops.decode): waiting and reading are
 *    one io_uring_enter, along with the output's WRITEs.  The fd is
 *    O_NONBLOCK, so a READ alone would not wait: it fails with -EAGAIN,
 *    as the linked one does when another reader took the events first
 *    (then both are armed again).  A source without decode() is read with
 *    its read() after the POLL_ADD;
 *  - a READ on a signalfd for SIGINT, SIGTERM and SIGUSR1;
 *  - TIMEOUTs for the statistics tick, --duration and the waiting notice;
 *  - WRITEs of the output units (output.c);
 *  - READs of control lines (control.c);
 *  - a READ on the encode thread's eventfd (encode_thread.c).
 *
 * Nothing polls in a loop and nothing sleeps: the thread blocks only in
 * io_uring_submit_and_wait() (ring.c).  When several events are pending,
 * only the newest is encoded and the older ones are released (held.c) and
 * counted as dropped: latency wins over completeness (frames.c).
 *
 * Two thread models (Documentation/stream-threads.md): with threads 1
 * frames are encoded synchronously in the ring thread, and events that
 * arrive meanwhile wait in the module's queue; with threads 2 the encode
 * thread (encode_thread.c) runs the encoder on one frame at a time.
 * loop_priv.h says which thread owns which field.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <liburing.h>

#include "loop_priv.h"

const char *ks_stop_name(enum ks_stop s)
{
	static const char *const names[] = {
		"none", "signal", "frames", "duration", "hangup", "error",
	};

	return (unsigned int)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static void ks_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGUSR1);
}

int ks_loop_block_signals(void)
{
	sigset_t set;
	int ret;

	ks_sigset(&set);
	ret = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (ret)
		return -ret;
	/* a closed pipe or socket is an -EPIPE from the write, not a signal */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -errno;
	return 0;
}

void ks_loop_fail(struct ks_loop *l, int err, const char *fmt, ...)
{
	va_list ap;

	if (l->stop == KS_STOP_ERROR)
		return;	/* keep the first error */
	l->stop = KS_STOP_ERROR;
	l->err = err < 0 ? err : -EIO;
	va_start(ap, fmt);
	vsnprintf(l->errmsg, sizeof(l->errmsg), fmt, ap);
	va_end(ap);
}

int ks_loop_error(const struct ks_loop *l)
{
	return l->err;
}

const char *ks_loop_error_msg(const struct ks_loop *l)
{
	return l->errmsg;
}

uint64_t ks_loop_control_reads(const struct ks_loop *l)
{
	return l->ctl[KS_CTL_OUT].reads + l->ctl[KS_CTL_PATH].reads;
}

struct ks_stats *ks_loop_stats(struct ks_loop *l)
{
	return &l->stats;
}

/* The read buffer of a source the loop reads itself (ks_source_ops.decode). */
static int ks_src_buffers(struct ks_loop *l)
{
	const struct ks_source_ops *src = l->cfg.src;
	size_t one;

	if (!src->decode || !src->read_size)
		return 0;
	one = src->read_size(l->cfg.src_opaque);
	if (!one)
		return 0;
	if (one > 65536)
		return -EINVAL;
	l->rbuf_len = KS_READ_BATCH * one;
	/* no event that decodes to one is shorter than a framed hang-up */
	l->revs_max = l->rbuf_len / sizeof(struct kmscap_event_hangup);
	l->rbuf = malloc(l->rbuf_len);
	l->revs = calloc(l->revs_max, sizeof(*l->revs));
	return l->rbuf && l->revs ? 0 : -ENOMEM;
}

static bool ks_is_regular(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISREG(st.st_mode);
}

int ks_loop_new(const struct ks_loop_config *cfg, struct ks_loop **out)
{
	struct ks_loop *l;
	sigset_t set;
	int ret;

	if (!cfg || !cfg->src || !cfg->enc || !cfg->enc->encode || cfg->src_fd < 0 ||
	    cfg->out_fd < 0)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->cfg = *cfg;
	l->w.efd = -1;
	pthread_mutex_init(&l->held_lock, NULL);
	l->out[KS_MAIN_OUT].fd = cfg->out_fd;
	l->out[KS_MAIN_OUT].regular = ks_is_regular(cfg->out_fd);
	l->out[KS_MAIN_OUT].name = "the output";
	l->out[KS_SIDE_OUT].fd = cfg->side_fd > 0 ? cfg->side_fd : -1;
	l->out[KS_SIDE_OUT].regular = cfg->side_fd > 0 && ks_is_regular(cfg->side_fd);
	l->out[KS_SIDE_OUT].name = "the cursor output";
	l->ctl[KS_CTL_OUT].fd = cfg->out_control ? cfg->out_fd : -1;
	l->ctl[KS_CTL_OUT].name = "the output socket";
	l->ctl[KS_CTL_PATH].fd = cfg->control_fd > 0 ? cfg->control_fd : -1;
	snprintf(l->ctl[KS_CTL_PATH].name_buf, sizeof(l->ctl[KS_CTL_PATH].name_buf),
		 "--control %s", cfg->control_name ? cfg->control_name : "");
	l->ctl[KS_CTL_PATH].name = l->ctl[KS_CTL_PATH].name_buf;
	if (!l->cfg.max_queued)
		l->cfg.max_queued = KS_DEFAULT_MAX_QUEUED;
	if (l->cfg.stats_fd <= 0)
		l->cfg.stats_fd = STDERR_FILENO;
	ks_sigset(&set);
	l->sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (l->sig_fd < 0) {
		ret = -errno;
		free(l);
		return ret;
	}
	ret = io_uring_queue_init(KS_RING_ENTRIES, &l->ring, 0);
	if (ret < 0) {
		close(l->sig_fd);
		free(l);
		return ret;
	}
	l->ring_ok = true;
	ret = ks_src_buffers(l);
	if (ret) {
		ks_loop_free(l);
		return ret;
	}
	if (!l->cfg.threads) {
		/* not chosen by the caller (tests): $KMSCAP_STREAM_THREADS, else 1 */
		const char *env = getenv(KS_THREADS_ENV);

		l->cfg.threads = env && !strcmp(env, "2") ? 2 : 1;
	}
	if (l->cfg.threads >= 2) {
		ret = ks_worker_start(l);
		if (ret) {
			io_uring_queue_exit(&l->ring);
			close(l->sig_fd);
			free(l);
			return ret;
		}
		l->threaded = true;
	}
	l->ring_release = !l->threaded && ks_ring_release_probe(l);
	ks_stats_init(&l->stats, ks_now_ns());
	*out = l;
	return 0;
}

static void ks_arm_src(struct ks_loop *l)
{
	struct io_uring_sqe *sqe;

	if (l->src_armed || l->stop != KS_STOP_NONE)
		return;
	/* the POLL_ADD and its READ go in one submission: never split the link */
	if (l->rbuf && io_uring_sq_space_left(&l->ring) < 2)
		io_uring_submit(&l->ring);
	sqe = ks_sqe(l);
	if (!sqe)
		return ks_loop_fail(l, -EBUSY, "io_uring: no submission entry");
	io_uring_prep_poll_add(sqe, l->cfg.src_fd, POLLIN);
	io_uring_sqe_set_data64(sqe, KS_UD_SRC_POLL);
	l->src_armed = true;
	if (!l->rbuf)
		return;
	/* a READ that runs once the POLL_ADD saw the fd readable */
	sqe->flags |= IOSQE_IO_LINK;
	sqe = ks_sqe(l);
	if (!sqe)
		return ks_loop_fail(l, -EBUSY, "io_uring: no submission entry");
	io_uring_prep_read(sqe, l->cfg.src_fd, l->rbuf, (unsigned int)l->rbuf_len, 0);
	io_uring_sqe_set_data64(sqe, KS_UD_SRC_READ);
}

/* The POLL_ADD of the kmscap fd completed with @res. */
static void ks_handle_src_poll(struct ks_loop *l, int res)
{
	if (!l->rbuf)
		l->src_armed = false;
	if (l->draining || (l->rbuf && res == -ECANCELED))
		return;
	if (res < 0)
		return ks_loop_fail(l, res, "polling the kmscap fd: %s", strerror(-res));
	if (res & POLLNVAL)
		return ks_loop_fail(l, -EBADF, "polling the kmscap fd: not open");
	if (l->rbuf) {
		/* the linked READ reads what is there; it says when to stop */
		if (res & POLLHUP)
			l->src_hup = true;
		else if ((res & POLLERR) && !(res & POLLIN))
			ks_loop_fail(l, -EIO, "kmscap fd reports an error (not attached?)");
		return;
	}
	if (res & (POLLIN | POLLHUP))
		ks_handle_events(l);
	if ((res & POLLHUP) && l->stop == KS_STOP_NONE)
		l->stop = KS_STOP_HANGUP;
	else if ((res & POLLERR) && l->stop == KS_STOP_NONE)
		ks_loop_fail(l, -EIO, "kmscap fd reports an error (not attached?)");
	ks_arm_src(l);
}

/* The READ linked to the POLL_ADD completed with @res. */
static void ks_handle_src_read(struct ks_loop *l, int res)
{
	l->src_armed = false;
	if (res >= 0)
		ks_handle_read(l, (size_t)res);
	else if (res != -EAGAIN && res != -EINTR && res != -ECANCELED && !l->draining)
		/* -EAGAIN: another reader took the events; -ECANCELED: the poll failed */
		return ks_loop_fail(l, res, "reading the kmscap fd: %s", strerror(-res));
	if (l->src_hup && l->stop == KS_STOP_NONE)
		l->stop = KS_STOP_HANGUP;
	ks_arm_src(l);
}

static void ks_arm_signal(struct ks_loop *l)
{
	struct io_uring_sqe *sqe;

	if (l->sig_armed)
		return;
	sqe = ks_sqe(l);
	if (!sqe)
		return ks_loop_fail(l, -EBUSY, "io_uring: no submission entry");
	io_uring_prep_read(sqe, l->sig_fd, &l->siginfo, sizeof(l->siginfo), 0);
	io_uring_sqe_set_data64(sqe, KS_UD_SIGNAL);
	l->sig_armed = true;
}

/* A line of @text on the statistics fd (a notice only: a failed write is ignored). */
static void ks_write_notice(struct ks_loop *l, const char *text)
{
	dprintf(l->cfg.stats_fd, "%s\n", text);
}

static void ks_print_stats(struct ks_loop *l, bool final)
{
	char line[1024];
	uint64_t now = ks_now_ns();
	int n;

	n = ks_stats_format(&l->stats, now, final, l->cfg.json, line, sizeof(line) - 1);
	if (n > 0) {
		line[n++] = '\n';
		if (write(l->cfg.stats_fd, line, (size_t)n) < 0) {
			/* statistics are best effort */
		}
	}
	if (!final)
		ks_stats_mark(&l->stats, now);
}

void ks_handle_cqe(struct ks_loop *l, struct io_uring_cqe *cqe)
{
	uint64_t ud = io_uring_cqe_get_data64(cqe);
	unsigned int qi = (ud >> 8) & 0xff, ci = qi;
	int res = cqe->res;

	if ((ud & 0xff) == KS_UD_RELEASE) {
		/* not counted in flight: a release that failed */
		if (res == -ESTALE || res == -ENOENT)
			/* revoked (and maybe forgotten) before it came back */
			l->stats.total.stale_releases++;
		else if (res < 0)
			ks_loop_fail(l, res, "releasing frame %llu in the ring: %s",
				     (unsigned long long)(ud >> 8), strerror(-res));
		return;
	}
	l->inflight--;
	if (qi >= KS_NUM_OUT)
		qi = KS_MAIN_OUT;
	if (ci >= KS_NUM_CTL)
		ci = KS_CTL_OUT;
	switch (ud & 0xff) {
	case KS_UD_SRC_POLL:
		ks_handle_src_poll(l, res);
		break;
	case KS_UD_SRC_READ:
		ks_handle_src_read(l, res);
		break;
	case KS_UD_SIGNAL:
		l->sig_armed = false;
		if (res != (int)sizeof(l->siginfo)) {
			if (res != -ECANCELED)
				ks_loop_fail(l, res < 0 ? res : -EIO,
					     "reading the signalfd failed");
			break;
		}
		if (l->siginfo.ssi_signo == SIGUSR1) {
			ks_request_idr(l);
		} else if (l->draining) {
			/* a second SIGINT/SIGTERM: stop waiting for the output */
			l->out[KS_MAIN_OUT].failed = true;
			l->out[KS_SIDE_OUT].failed = true;
			ks_loop_fail(l, -EINTR, "output abandoned on a second signal");
		} else if (l->stop == KS_STOP_NONE) {
			l->stop = KS_STOP_SIGNAL;
		}
		ks_arm_signal(l);
		break;
	case KS_UD_STATS:
		l->stats_armed = false;
		if (res != -ETIME || l->draining)
			break;
		ks_print_stats(l, false);
		ks_arm_timeout(l, &l->stats_ts, l->cfg.stats_interval_ns, KS_UD_STATS,
			       &l->stats_armed);
		break;
	case KS_UD_WAITING:
		l->waiting_armed = false;
		if (res == -ETIME && !l->stats.total.frames_in && l->cfg.waiting_notice)
			ks_write_notice(l, l->cfg.waiting_notice);
		break;
	case KS_UD_DURATION:
		l->dur_armed = false;
		if (res == -ETIME && l->stop == KS_STOP_NONE)
			l->stop = KS_STOP_DURATION;
		break;
	case KS_UD_WRITE:
		ks_handle_write(l, qi, res);
		break;
	case KS_UD_WORKER:
		ks_handle_worker(l, res);
		break;
	case KS_UD_CTL_READ:
	case KS_UD_CTL_POLL:
		ks_handle_ctl(l, ci, (ud & 0xff) == KS_UD_CTL_POLL, res);
		break;
	case KS_UD_OUT_POLL:
		l->out[qi].poll_armed = false;
		if (res < 0 && res != -ECANCELED) {
			ks_loop_fail(l, res, "polling %s: %s", l->out[qi].name, strerror(-res));
			l->out[qi].failed = true;
		} else if (res > 0 && (res & (POLLERR | POLLNVAL)) && !(res & POLLOUT)) {
			ks_loop_fail(l, -EPIPE, "%s was closed", l->out[qi].name);
			l->out[qi].failed = true;
		}
		break;
	default:
		break;
	}
}

enum ks_stop ks_loop_run(struct ks_loop *l)
{
	struct ks_buf pro = { 0 };
	int ret;

	if (l->cfg.prologue_len &&
	    (ks_buf_append(&pro, l->cfg.prologue, l->cfg.prologue_len) ||
	     ks_enqueue(l, KS_MAIN_OUT, &pro))) {
		ks_buf_free(&pro);
		ks_loop_fail(l, -ENOMEM, "out of memory");
		return l->stop;
	}
	ks_stats_init(&l->stats, ks_now_ns());
	ks_arm_signal(l);
	ks_arm_src(l);
	ks_arm_worker(l);
	ks_arm_ctls(l);
	ks_arm_timeout(l, &l->stats_ts, l->cfg.stats_interval_ns, KS_UD_STATS, &l->stats_armed);
	ks_arm_timeout(l, &l->dur_ts, l->cfg.duration_ns, KS_UD_DURATION, &l->dur_armed);
	if (l->cfg.waiting_notice)
		ks_arm_timeout(l, &l->waiting_ts, l->cfg.waiting_ns, KS_UD_WAITING,
			       &l->waiting_armed);

	while (l->stop == KS_STOP_NONE) {
		ks_arm_writes(l);
		ks_arm_ctls(l);
		ret = ks_turn(l);
		if (ret < 0)
			ks_loop_fail(l, ret, "io_uring: %s", strerror(-ret));
	}

	/*
	 * The encode thread finishes what it was handed (at most the frame
	 * it encodes and the newest one): its output is queued like any.
	 */
	while (l->threaded && l->w.inflight && !l->w.broken) {
		ks_arm_writes(l);
		ks_arm_worker(l);
		ret = ks_turn(l);
		if (ret < 0) {
			ks_loop_fail(l, ret, "io_uring: %s", strerror(-ret));
			break;
		}
	}
	ks_worker_stop(l);
	/* finish: frames back first, then the encoder's tail, then the output */
	ks_release_all(l);
	l->draining = true;
	if (!l->out[KS_MAIN_OUT].failed)
		ks_flush_encoder(l);
	while (ks_pending_output(l)) {
		ks_arm_writes(l);
		ret = ks_turn(l);
		if (ret < 0) {
			ks_loop_fail(l, ret, "io_uring: %s", strerror(-ret));
			break;
		}
	}
	ks_cancel_all(l);
	ks_free_units(l);
	ks_print_stats(l, true);
	return l->stop;
}

void ks_loop_free(struct ks_loop *l)
{
	if (!l)
		return;
	ks_worker_stop(l);
	ks_release_all(l);
	if (l->ring_ok) {
		ks_cancel_all(l);
		io_uring_queue_exit(&l->ring);
	}
	ks_free_units(l);
	ks_buf_free(&l->scratch);
	ks_buf_free(&l->frame.out);
	ks_buf_free(&l->frame.side);
	free(l->rbuf);
	free(l->revs);
	if (l->w.efd >= 0) {
		close(l->w.efd);
		pthread_mutex_destroy(&l->w.lock);
		pthread_cond_destroy(&l->w.cond);
	}
	pthread_mutex_destroy(&l->held_lock);
	close(l->sig_fd);
	free(l);
}
