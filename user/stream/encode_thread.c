// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: the encode thread (--threads 2, Documentation/stream-threads.md).
 * The ring thread hands it the newest frame through a one-slot mailbox; a
 * newer frame replaces one the encoder has not started, which is released
 * at once and counted as dropped.  Finished frames come back through an
 * eventfd that the ring reads, so the ring thread still sleeps only in
 * io_uring_submit_and_wait(), and the encode thread only on its condition
 * variable.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <liburing.h>

#include "loop_priv.h"

static void ks_worker_done(struct ks_loop *l, struct ks_job *job)
{
	struct ks_worker *w = &l->w;
	uint64_t one = 1;

	pthread_mutex_lock(&w->lock);
	*w->done_tail = job;
	w->done_tail = &job->next;
	pthread_mutex_unlock(&w->lock);
	/* an eventfd write does not block short of 2^64 - 2 unread */
	if (write(w->efd, &one, sizeof(one)) != sizeof(one)) {
		/* cannot happen for an eventfd; the ring would wait forever */
		abort();
	}
}

static void *ks_worker_main(void *arg)
{
	struct ks_loop *l = arg;
	struct ks_worker *w = &l->w;
	struct ks_job *job;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->quit && !w->next && !w->idr)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->idr) {
			/* SIGUSR1: in this thread, between two frames */
			w->idr = false;
			pthread_mutex_unlock(&w->lock);
			l->cfg.enc->request_idr(l->cfg.enc_opaque);
			pthread_mutex_lock(&w->lock);
			continue;
		}
		job = w->next;
		if (!job)
			break;	/* quit, and nothing handed over */
		w->next = NULL;
		pthread_mutex_unlock(&w->lock);

		job->ret = ks_frame_run(l, &job->f);
		ks_worker_done(l, job);

		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void ks_job_free(struct ks_job *job)
{
	ks_buf_free(&job->f.out);
	ks_buf_free(&job->f.side);
	free(job);
}

static void ks_add_counters(struct ks_counters *to, const struct ks_counters *from)
{
	uint64_t *t = (uint64_t *)to;
	const uint64_t *f = (const uint64_t *)from;
	size_t i;

	_Static_assert(sizeof(*to) % sizeof(uint64_t) == 0, "ks_counters: only uint64_t");
	for (i = 0; i < sizeof(*to) / sizeof(uint64_t); i++)
		t[i] += f[i];
}

/* In the ring thread: a frame the encode thread finished. */
static void ks_job_finish(struct ks_loop *l, struct ks_job *job)
{
	size_t i;

	ks_add_counters(&l->stats.total, &job->stats.total);
	for (i = 0; i < job->stats.lat.count; i++)
		ks_latency_add(&l->stats.lat, job->stats.lat.samples[i]);
	ks_stats_merge_coded(&l->stats, &job->stats);
	ks_frame_done(l, &job->f, job->ret);
	ks_job_free(job);
}

void ks_arm_worker(struct ks_loop *l)
{
	struct ks_worker *w = &l->w;
	struct io_uring_sqe *sqe;

	if (!l->threaded || w->efd_armed)
		return;
	sqe = ks_sqe(l);
	if (!sqe)
		return ks_loop_fail(l, -EBUSY, "io_uring: no submission entry");
	io_uring_prep_read(sqe, w->efd, &w->efd_val, sizeof(w->efd_val), 0);
	io_uring_sqe_set_data64(sqe, KS_UD_WORKER);
	w->efd_armed = true;
}

void ks_handle_worker(struct ks_loop *l, int res)
{
	struct ks_worker *w = &l->w;
	struct ks_job *list, *job;

	w->efd_armed = false;
	if (res < 0 && res != -ECANCELED && res != -EINTR) {
		ks_loop_fail(l, res, "reading the encode thread's eventfd: %s", strerror(-res));
		w->broken = true;
	}
	pthread_mutex_lock(&w->lock);
	list = w->done;
	w->done = NULL;
	w->done_tail = &w->done;
	pthread_mutex_unlock(&w->lock);
	while ((job = list)) {
		list = job->next;
		w->inflight--;
		ks_job_finish(l, job);
	}
	if (res != -ECANCELED && !w->broken)
		ks_arm_worker(l);
}

/* Hand @ev to the encode thread; a frame it has not started is superseded. */
void ks_submit(struct ks_loop *l, const struct kmscap_event *ev)
{
	struct ks_worker *w = &l->w;
	struct ks_job *job, *old;

	job = calloc(1, sizeof(*job));
	if (!job) {
		ks_held_release(l, ev->seq, &l->stats);
		return ks_loop_fail(l, -ENOMEM, "out of memory");
	}
	job->f.ev = *ev;
	job->f.stats = &job->stats;
	ks_stats_init(&job->stats, 0);
	pthread_mutex_lock(&w->lock);
	old = w->next;
	/* frames with the encoder, beyond the one this one would replace */
	if (l->out[KS_MAIN_OUT].queued + w->inflight - (old ? 1 : 0) >= l->cfg.max_queued) {
		/* the output does not keep up: drop rather than grow */
		pthread_mutex_unlock(&w->lock);
		free(job);
		l->stats.total.dropped++;
		ks_held_release(l, ev->seq, &l->stats);
		return;
	}
	if (old)
		ks_merge_dropped(&job->f.ev, &old->f.ev);
	w->next = job;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	if (old) {
		/* latest frame wins: released at once, counted */
		ks_held_release(l, old->f.ev.seq, &l->stats);
		l->stats.total.dropped++;
		ks_job_free(old);
	} else {
		w->inflight++;
	}
}

/* SIGUSR1 or an "idr" control line: the next frame is an IDR. */
void ks_request_idr(struct ks_loop *l)
{
	l->stats.total.idr_requests++;
	if (!l->cfg.enc->request_idr)
		return;
	if (!l->threaded)
		return l->cfg.enc->request_idr(l->cfg.enc_opaque);
	pthread_mutex_lock(&l->w.lock);
	l->w.idr = true;
	pthread_cond_signal(&l->w.cond);
	pthread_mutex_unlock(&l->w.lock);
}

int ks_worker_start(struct ks_loop *l)
{
	struct ks_worker *w = &l->w;
	int ret;

	w->efd = eventfd(0, EFD_CLOEXEC);
	if (w->efd < 0)
		return -errno;
	w->done_tail = &w->done;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	/* signals stay blocked in it: ks_loop_block_signals() ran before */
	ret = pthread_create(&w->thr, NULL, ks_worker_main, l);
	if (ret) {
		close(w->efd);
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
		return -ret;
	}
	w->running = true;
	return 0;
}

/* Ends the encode thread once it has done what it was handed. */
void ks_worker_stop(struct ks_loop *l)
{
	struct ks_worker *w = &l->w;
	struct ks_job *job;

	if (!w->running)
		return;
	pthread_mutex_lock(&w->lock);
	w->quit = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thr, NULL);
	w->running = false;
	/* what it finished and the ring did not collect */
	while ((job = w->done)) {
		w->done = job->next;
		ks_job_free(job);
	}
	w->done_tail = &w->done;
	w->inflight = 0;
}
