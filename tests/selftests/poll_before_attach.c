// SPDX-License-Identifier: MIT
/*
 * poll_before_attach: an epoll set that watches a /dev/kmscap fd from
 * before its ATTACH must wake for the frames flipped after it.  The fd is
 * added to the epoll set unattached (poll() then says POLLERR), attached,
 * the ready list is drained, and a frame is flipped: epoll_wait must
 * report EPOLLIN.  A poll() that returns without registering the wait
 * queue on an unattached fd leaves the epoll entry with no queue to be
 * woken from, and the wait times out.
 */
#include <sys/epoll.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 320
#define H 240

int main(void)
{
	struct kmscap_display_create c;
	struct epoll_event ee = { .events = EPOLLIN }, got;
	struct kmscap_t_buf a, b;
	struct kmscap_event ev;
	struct kmscap_t_kms k;
	int ctl, cl, ep, r, n;

	kmscap_t_init("poll_before_attach", 60);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &a);
	kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &b);
	r = kmscap_t_modeset(&k, a.fb_id);
	KT_ASSERT(!r, "modeset: %s", kmscap_t_errname(r));

	cl = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	KT_ASSERT(cl >= 0, "open: %s", strerror(errno));
	ep = epoll_create1(EPOLL_CLOEXEC);
	KT_ASSERT(ep >= 0, "epoll_create1: %s", strerror(errno));
	ee.data.fd = cl;
	KT_ASSERT(!epoll_ctl(ep, EPOLL_CTL_ADD, cl, &ee), "EPOLL_CTL_ADD: %s", strerror(errno));

	r = kmscap_t_attach(cl, c.id, 4, 0);
	KT_ASSERT(!r, "ATTACH: %s", kmscap_t_errname(r));
	/* Whatever was ready before the attach (POLLERR) is re-polled and goes. */
	for (n = 0; n < 4 && epoll_wait(ep, &got, 1, 0) > 0; n++)
		KT_ASSERT(!(got.events & EPOLLIN), "EPOLLIN before any flip (events 0x%x)",
			  got.events);
	KT_ASSERT(epoll_wait(ep, &got, 1, 0) == 0,
		  "the epoll set still reports events 0x%x after the attach", got.events);

	r = kmscap_t_flip(&k, b.fb_id, 5000);
	KT_ASSERT(!r, "flip: %s", kmscap_t_errname(r));
	n = epoll_wait(ep, &got, 1, 3000);
	KT_ASSERT(n >= 0, "epoll_wait: %s", strerror(errno));
	if (n == 0)
		kmscap_t_fail("epoll_wait registered before ATTACH did not wake within 3 s "
			      "for a frame flipped after it");
	KT_ASSERT(got.events & EPOLLIN, "epoll_wait: events 0x%x without EPOLLIN", got.events);
	r = kmscap_t_read_event(cl, &ev, 1000);
	KT_ASSERT(r == 1 && ev.type == KMSCAP_EVENT_FRAME, "read after the wake-up: %s",
		  kmscap_t_errname(r));

	close(ep);
	close(cl);
	kmscap_t_buf_destroy(&a);
	kmscap_t_buf_destroy(&b);
	kmscap_t_kms_close(&k);
	KT_ASSERT(!kmscap_t_destroy(ctl, c.id), "DESTROY");
	kmscap_t_pass("an epoll set registered before ATTACH wakes for the frame after it");
}
