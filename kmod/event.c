// SPDX-License-Identifier: GPL-2.0-only
/*
 * The client's side of capture: read() takes the queued frames (and the
 * hang-up) as events, poll() says when there are some.
 */

#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kmscap_drv.h"

static bool kmscap_client_readable(struct kmscap_client *client)
{
	struct kmscap_display *disp = client->disp;
	bool ready;

	spin_lock(&disp->capture_lock);
	ready = client->nqueued || (client->hangup && !client->hangup_read);
	if (!ready && client->hangup)
		ready = true;	/* end of file */
	spin_unlock(&disp->capture_lock);
	return ready;
}

/* Forget the oldest revoked holds beyond the limit (read_lock held). */
static void kmscap_client_trim_revoked(struct kmscap_client *client, struct list_head *dead)
{
	struct kmscap_hold *hold, *tmp;

	list_for_each_entry_safe(hold, tmp, &client->held, client_link) {
		if (client->nrevoked <= KMSCAP_MAX_REVOKED)
			break;
		if (!hold->revoked)
			continue;
		list_move_tail(&hold->client_link, dead);
		client->nrevoked--;
		client->stats.revoked_unreleased--;
	}
}

/**
 * kmscap_capture_read - read() on an attached client
 * @client: the client
 * @buf: user buffer
 * @count: its size; at least one event
 * @nonblock: O_NONBLOCK
 *
 * Return: bytes read (a multiple of the event size), 0 at end of file
 * after the hang-up event, or a negative errno.
 */
ssize_t kmscap_capture_read(struct kmscap_client *client, char __user *buf,
			    size_t count, bool nonblock)
{
	struct kmscap_display *disp = client->disp;
	struct kmscap_hold *taken[KMSCAP_MAX_QUEUE + 1];
	struct kmscap_event *evs;
	size_t n, i = 0, ntaken = 0;
	bool hangup_taken = false, first_was;
	u64 dropped_was;
	LIST_HEAD(dead);
	ssize_t ret;

	if (count < sizeof(*evs))
		return -EINVAL;
	/* At most the queue and the hang-up event can be returned. */
	n = min_t(size_t, count / sizeof(*evs), client->queue_depth + 1);
	evs = kcalloc(n, sizeof(*evs), GFP_KERNEL);
	if (!evs)
		return -ENOMEM;

	mutex_lock(&client->read_lock);
	for (;;) {
		spin_lock(&disp->capture_lock);
		if (client->nqueued || client->hangup)
			break;
		spin_unlock(&disp->capture_lock);
		if (nonblock) {
			ret = -EAGAIN;
			goto out_unlock;
		}
		mutex_unlock(&client->read_lock);
		ret = wait_event_interruptible(client->wq, kmscap_client_readable(client));
		mutex_lock(&client->read_lock);
		if (ret)
			goto out_unlock;
	}

	/* capture_lock held */
	kmscap_client_trim_revoked(client, &dead);
	first_was = client->first_pending;
	dropped_was = client->dropped_since;
	while (i < n && client->nqueued) {
		struct kmscap_hold *hold = list_first_entry(&client->queue, struct kmscap_hold,
							    client_link);

		evs[i] = hold->frame->ev;
		if (client->first_pending)
			evs[i].flags |= KMSCAP_FRAME_FIRST;
		client->first_pending = false;
		evs[i].dropped = client->dropped_since;
		client->dropped_since = 0;
		hold->read = true;
		list_move_tail(&hold->client_link, &client->held);
		client->nqueued--;
		client->stats.queued--;
		client->stats.held++;
		taken[ntaken++] = hold;
		i++;
	}
	if (i < n && !client->nqueued && client->hangup && !client->hangup_read) {
		evs[i].type = KMSCAP_EVENT_HANGUP;
		evs[i].display_id = disp->id;
		evs[i].seq = disp->seq;
		evs[i].timestamp_ns = ktime_get_ns();
		client->hangup_read = true;
		hangup_taken = true;
		i++;
	}
	spin_unlock(&disp->capture_lock);

	ret = i * sizeof(*evs);
	if (i && copy_to_user(buf, evs, ret)) {
		/*
		 * Undo: the client saw nothing, so nothing is lost: the holds go
		 * back to the queue, the next event read is still the first and
		 * reports the frames lost before it.  A hold revoked meanwhile
		 * is a frame lost (and counted as such): the client cannot
		 * release a frame it never saw.
		 */
		spin_lock(&disp->capture_lock);
		client->first_pending = first_was;
		client->dropped_since += dropped_was;
		while (ntaken--) {
			struct kmscap_hold *hold = taken[ntaken];

			if (hold->revoked) {
				list_move(&hold->client_link, &dead);
				client->nrevoked--;
				client->stats.revoked_unreleased--;
				client->dropped_since++;
				continue;
			}
			hold->read = false;
			list_move(&hold->client_link, &client->queue);
			client->nqueued++;
			client->stats.queued++;
			client->stats.held--;
		}
		if (hangup_taken)
			client->hangup_read = false;
		spin_unlock(&disp->capture_lock);
		ret = -EFAULT;
	}
out_unlock:
	mutex_unlock(&client->read_lock);
	kmscap_hold_free_list(&dead);
	kfree(evs);
	return ret;
}

/* The events of an attached client (the caller registered its wait queue). */
__poll_t kmscap_capture_poll(struct kmscap_client *client)
{
	struct kmscap_display *disp = client->disp;
	__poll_t mask = 0;

	spin_lock(&disp->capture_lock);
	if (client->nqueued || (client->hangup && !client->hangup_read))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (client->hangup)
		mask |= EPOLLHUP;
	spin_unlock(&disp->capture_lock);
	return mask;
}
