/* SPDX-License-Identifier: MIT */
/*
 * kmscap-stream: what the files of the event loop share.  Not for the
 * encoder: it sees ks.h's struct ks_frame only, never the loop.
 *
 *   loop.c           dispatch of the completions; start, run, stop
 *   frames.c         frame events to the encoder (ks_frame_run) and back
 *   ring.c           io_uring plumbing: entries, timeouts, a turn, cancel
 *   held.c           the frames read and not yet released
 *   output.c         the output queues and their WRITEs
 *   control.c        control lines ("idr") and their READs
 *   encode_thread.c  the encode thread of --threads 2 and its mailbox
 *
 * Threads and locks.  The ring thread runs ks_loop_run() and everything
 * the ring completes; it alone touches a field unless the field's comment
 * says otherwise.  With --threads 2 the encode thread runs
 * ks_frame_run() on the job it took, and touches only:
 *   - the job it took from w.next, until it puts it on w.done;
 *   - struct ks_worker's fields under w.lock;
 *   - held[] and nheld under held_lock (it releases the frame it encodes);
 *   - cfg, which nobody changes after ks_loop_new(), and through it the
 *     encoder (which only it calls while it runs) and src->release().
 * The loop's statistics are the ring thread's: the encode thread counts
 * into its job's own record, added to them when the ring collects the job.
 */
#ifndef KMSCAP_STREAM_LOOP_PRIV_H
#define KMSCAP_STREAM_LOOP_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/signalfd.h>

#include <liburing.h>

#include "ks.h"

enum ks_ud {
	KS_UD_SRC_POLL = 1,
	KS_UD_SIGNAL,
	KS_UD_STATS,
	KS_UD_DURATION,
	KS_UD_WAITING,		/* no frame yet: the waiting notice */
	KS_UD_WRITE,		/* | queue index << 8 */
	KS_UD_OUT_POLL,		/* | queue index << 8 */
	KS_UD_CANCEL,
	KS_UD_WORKER,		/* the encode thread's eventfd */
	KS_UD_CTL_READ,		/* | control input << 8 */
	KS_UD_CTL_POLL,		/* | control input << 8 */
	KS_UD_SRC_READ,		/* the READ linked to KS_UD_SRC_POLL */
	KS_UD_RELEASE,		/* | seq << 8: a failed release in the ring */
};

#define KS_MAIN_OUT		0
#define KS_SIDE_OUT		1
#define KS_NUM_OUT		2
#define KS_MAX_SIDE_QUEUED	64

#define KS_CTL_OUT		0	/* control lines from the output socket */
#define KS_CTL_PATH		1	/* from --control */
#define KS_NUM_CTL		2
#define KS_CTL_READ_SIZE	256
#define KS_STR_(x)		#x
#define KS_STR(x)		KS_STR_(x)

#define KS_RING_ENTRIES		16
#define KS_READ_BATCH		16
#define KS_MAX_HELD		(KMSCAP_MAX_QUEUE + KS_READ_BATCH)
#define KS_DEFAULT_MAX_QUEUED	8

/* One unit queued for an output, @off bytes of it written. */
struct ks_unit {
	struct ks_unit *next;
	struct ks_buf buf;
	size_t off;
};

/* One output: the bitstream, or the cursor side data. */
struct ks_outq {
	int fd;			/* -1: none */
	const char *name;
	struct ks_unit *head, *tail;
	size_t queued;
	bool write_armed, poll_armed;
	bool failed;		/* nothing more can be written */
	bool regular;		/* a regular file: its WRITEs never wait for a reader */
};

/* One source of control lines. */
struct ks_ctl {
	int fd;			/* -1: none, or no longer read */
	const char *name;	/* for notices */
	char name_buf[300];
	bool read_armed, poll_armed;
	bool noticed;		/* the one notice about an unknown line was given */
	uint64_t reads;		/* READs submitted */
	size_t len;		/* bytes of the current line in line[] */
	bool overlong;		/* the current line is longer than KS_CTL_MAX_LINE */
	char line[KS_CTL_MAX_LINE];
	uint8_t rbuf[KS_CTL_READ_SIZE];
};

/*
 * One frame for the encode thread, and what became of it.  Filled by the
 * ring thread, the encode thread's from w.next until on w.done, then the
 * ring thread's again.
 */
struct ks_job {
	struct ks_job *next;	/* on w.done: under w.lock */
	struct ks_frame f;	/* f.stats is &stats */
	struct ks_stats stats;	/* this frame's counters, added to the loop's */
	int ret;		/* what ks_frame_run() returned */
};

/* The encode thread (threads 2). */
struct ks_worker {
	/* ring thread (start and stop) */
	pthread_t thr;
	bool running;
	int efd;		/* written by the encode thread, read through the ring */
	uint64_t efd_val;
	bool efd_armed;
	unsigned int inflight;	/* handed over and not collected */
	bool broken;		/* the eventfd cannot be read: nothing comes back */
	/* both threads, under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* the encode thread waits on it for the fields below */
	struct ks_job *next;	/* handed over, not started: the newest frame */
	struct ks_job *done, **done_tail;
	bool idr;		/* request_idr() to be called before the next frame */
	bool quit;
};

struct ks_loop {
	/* set by ks_loop_new(), then read-only: the encode thread reads them */
	struct ks_loop_config cfg;
	bool threaded;
	/* the ring: ring thread */
	struct io_uring ring;
	bool ring_ok;
	unsigned int inflight;	/* requests submitted and not completed, but releases */
	/*
	 * threads 1 with a source that can: frames go back in the ring
	 * (IOSQE_CQE_SKIP_SUCCESS: only a failure completes), the frame read
	 * is judged torn by the source's revoked() (held.c)
	 */
	bool ring_release;
	/*
	 * WRITEs armed since the last turn to regular files: their
	 * completions need not end a wait for the next frame (ring.c)
	 */
	unsigned int file_writes;
	int sig_fd;
	struct signalfd_siginfo siginfo;
	struct __kernel_timespec stats_ts, dur_ts, waiting_ts;
	bool src_armed, sig_armed, stats_armed, dur_armed, waiting_armed;
	/*
	 * The kmscap fd read through the ring (the source has decode()): the
	 * READ's buffer, and room for every event it can hold.  NULL: the
	 * source's read() after the POLL_ADD.
	 */
	uint8_t *rbuf;
	size_t rbuf_len;
	struct kmscap_event *revs;
	size_t revs_max;
	bool src_hup;		/* the POLL_ADD saw POLLHUP */
	/* output and control lines: ring thread */
	struct ks_outq out[KS_NUM_OUT];
	struct ks_ctl ctl[KS_NUM_CTL];
	/* frames: ring thread */
	struct ks_frame frame;	/* threads 1: the frame in the encoder */
	struct ks_buf scratch;	/* the encoder's flush() */
	struct ks_stats stats;
	/* both threads, under held_lock (ks_loop_held() reads nheld once both are done) */
	pthread_mutex_t held_lock;
	uint64_t held[KS_MAX_HELD];
	size_t nheld;
	/* the encode thread's mailbox: see struct ks_worker */
	struct ks_worker w;
	/* why it stops: ring thread */
	enum ks_stop stop;
	bool draining;
	int err;
	char errmsg[256];
};

/* held.c */
void ks_hold(struct ks_loop *l, uint64_t seq);
/*
 * Release frame @seq, counted in @stats; -ENOENT if it is not held.
 * -ESTALE: the module had revoked the hold, and what was read of the
 * frame may be torn.  With ring_release the release goes with the ring's
 * next submission, and the answer is the source's revoked() now.
 */
int ks_held_release(struct ks_loop *l, uint64_t seq, struct ks_stats *stats);
/* Every frame back, now (the ring's releases submitted first). */
void ks_release_all(struct ks_loop *l);

/* ring.c */
/* A submission entry, counted in flight; NULL if the ring has none. */
struct io_uring_sqe *ks_sqe(struct ks_loop *l);
/* Arm a TIMEOUT of @ns (0: none) with user data @ud unless *@armed. */
void ks_arm_timeout(struct ks_loop *l, struct __kernel_timespec *ts, uint64_t ns,
		    enum ks_ud ud, bool *armed);
int ks_turn(struct ks_loop *l);
/*
 * An entry releasing @seq in the next submission, its success silent:
 * 0, or -errno when the source cannot (nothing is queued then).
 */
int ks_ring_release(struct ks_loop *l, uint64_t seq);
/* Whether the source can release in the ring (ks_loop_new, threads 1). */
bool ks_ring_release_probe(struct ks_loop *l);
/* Cancel every request in flight and wait until they all completed. */
void ks_cancel_all(struct ks_loop *l);

/* output.c */
/* Queue @b (taken over: *b is left empty) for output @i. */
int ks_enqueue(struct ks_loop *l, unsigned int i, struct ks_buf *b);
/* Side data, then the unit; a failure stops the loop. */
void ks_queue_output(struct ks_loop *l, struct ks_buf *out, struct ks_buf *side);
/* A WRITE for every output that has a unit and none in flight. */
void ks_arm_writes(struct ks_loop *l);
void ks_handle_write(struct ks_loop *l, unsigned int i, int res);
bool ks_pending_output(const struct ks_loop *l);
void ks_free_units(struct ks_loop *l);

/* control.c */
/* A READ for every control source that is open and not read yet. */
void ks_arm_ctls(struct ks_loop *l);
/* A READ (@poll false) or POLL_ADD of control source @i completed with @res. */
void ks_handle_ctl(struct ks_loop *l, unsigned int i, bool poll, int res);

/* encode_thread.c */
int ks_worker_start(struct ks_loop *l);
void ks_worker_stop(struct ks_loop *l);
void ks_submit(struct ks_loop *l, const struct kmscap_event *ev);
/* The READ of the encode thread's eventfd, and its completion. */
void ks_arm_worker(struct ks_loop *l);
void ks_handle_worker(struct ks_loop *l, int res);
void ks_request_idr(struct ks_loop *l);

/* frames.c */
/* The kmscap fd is readable: read the events, hand the newest frame on. */
void ks_handle_events(struct ks_loop *l);
/* The same for the @len bytes the ring's READ put in rbuf (0: end of file). */
void ks_handle_read(struct ks_loop *l, size_t len);
/* Fold what a dropped frame said into the frame encoded instead. */
void ks_merge_dropped(struct kmscap_event *keep, const struct kmscap_event *old);
/* Run @f through the encoder, releasing the frame as soon as it is no longer read. */
int ks_frame_run(struct ks_loop *l, struct ks_frame *f);
/* In the ring thread: @f is done (@ret: what ks_frame_run() returned); queue its output. */
void ks_frame_done(struct ks_loop *l, struct ks_frame *f, int ret);
/* The end of the stream: what the encoder still has, and its trailer. */
void ks_flush_encoder(struct ks_loop *l);

/* loop.c */
/* Dispatch one completion (ks_turn()). */
void ks_handle_cqe(struct ks_loop *l, struct io_uring_cqe *cqe);
/* Stop the loop with an error (the first one is kept); @fmt: the message, no newline. */
void ks_loop_fail(struct ks_loop *l, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* KMSCAP_STREAM_LOOP_PRIV_H */
