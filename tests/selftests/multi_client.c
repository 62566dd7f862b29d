// SPDX-License-Identifier: MIT
/*
 * multi_client: several capture clients on one display and several
 * displays at once.  Every client of a display gets every frame of that
 * display (same seq, buffer id, timestamp) and none of another display,
 * whether it waits with poll(), epoll or a blocking read(); a non-blocking
 * fd with nothing queued reads -EAGAIN; INFO counts the clients.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "kmscap_test.h"

#define FLIPS 12
#define NCL 3

struct kmscap_disp {
	struct kmscap_display_create c;
	struct kmscap_t_kms k;
	struct kmscap_t_buf buf[2];
	int cl[NCL];
	int ncl;
};

static void kmscap_disp_init(int ctl, struct kmscap_disp *d, uint32_t w, uint32_t h)
{
	int r;

	kmscap_t_create_or_die(ctl, w, h, 60000, &d->c);
	kmscap_t_kms_open_or_die(&d->k, d->c.card_minor);
	kmscap_t_buf_create_or_die(d->k.fd, w, h, DRM_FORMAT_XRGB8888, &d->buf[0]);
	kmscap_t_buf_create_or_die(d->k.fd, w, h, DRM_FORMAT_XRGB8888, &d->buf[1]);
	r = kmscap_t_modeset(&d->k, d->buf[1].fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", d->c.card_minor, kmscap_t_errname(r));
}

/* Read one event from client @i of @d using its own waiting style. */
static struct kmscap_event kmscap_get(struct kmscap_disp *d, int i, int epfd)
{
	struct kmscap_event ev;
	ssize_t n;
	int r;

	switch (i) {
	case 0:	/* poll */
		r = kmscap_t_read_event(d->cl[i], &ev, 3000);
		KT_ASSERT(r == 1, "display %u client %d (poll): %s", d->c.id, i,
			  kmscap_t_errname(r));
		break;
	case 1: { /* epoll */
		struct epoll_event ee;

		r = epoll_wait(epfd, &ee, 1, 3000);
		KT_ASSERT(r == 1 && (ee.events & EPOLLIN),
			  "display %u client %d: epoll_wait %d events 0x%x", d->c.id, i, r,
			  r == 1 ? ee.events : 0);
		n = read(d->cl[i], &ev, sizeof(ev));
		KT_ASSERT(n == sizeof(ev), "client %d read after EPOLLIN: %zd (%s)", i, n,
			  n < 0 ? strerror(errno) : "short");
		break;
	}
	default: /* blocking read */
		n = read(d->cl[i], &ev, sizeof(ev));
		KT_ASSERT(n == sizeof(ev), "client %d blocking read: %zd (%s)", i, n,
			  n < 0 ? strerror(errno) : "short");
		break;
	}
	KT_ASSERT(ev.type == KMSCAP_EVENT_FRAME && ev.display_id == d->c.id,
		  "client %d of display %u got type %u display %u", i, d->c.id, ev.type,
		  ev.display_id);
	return ev;
}

static void kmscap_no_event(int fd, const char *what)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	KT_ASSERT(poll(&p, 1, 0) == 0, "%s: unexpected pending event (revents 0x%x)", what,
		  p.revents);
}

int main(void)
{
	struct kmscap_disp a = { 0 }, b = { 0 };
	struct kmscap_display_info info;
	struct kmscap_client_stats st;
	struct epoll_event ee = { .events = EPOLLIN };
	struct kmscap_event ev, first;
	int ctl, epfd, nb, i, f, r;
	ssize_t n;

	kmscap_t_init("multi_client", 110);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_disp_init(ctl, &a, 800, 600);
	kmscap_disp_init(ctl, &b, 640, 480);

	for (i = 0; i < NCL; i++)
		a.cl[i] = kmscap_t_client_or_die(a.c.id, 0, 2000000000ull);
	a.ncl = NCL;
	b.cl[0] = kmscap_t_client_or_die(b.c.id, 0, 2000000000ull);
	b.ncl = 1;
	nb = open(KMSCAP_T_CTL, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	KT_ASSERT(nb >= 0, "open %s O_NONBLOCK: %s", KMSCAP_T_CTL, strerror(errno));
	KT_EXPECT_RET(kmscap_t_attach(nb, a.c.id, 0, 0), 0, "ATTACH non-blocking fd");
	n = read(nb, &ev, sizeof(ev));
	KT_ASSERT(n < 0 && errno == EAGAIN, "non-blocking read with nothing queued: %zd (%s)",
		  n, n < 0 ? strerror(errno) : "data");
	close(nb);

	epfd = epoll_create1(EPOLL_CLOEXEC);
	KT_ASSERT(epfd >= 0, "epoll_create1: %s", strerror(errno));
	KT_ASSERT(!epoll_ctl(epfd, EPOLL_CTL_ADD, a.cl[1], &ee), "epoll_ctl: %s",
		  strerror(errno));

	KT_EXPECT_RET(kmscap_t_info(ctl, a.c.id, &info), 0, "INFO");
	KT_ASSERT(info.clients == NCL, "INFO display %u: %u clients, %d attached", a.c.id,
		  info.clients, NCL);
	KT_EXPECT_RET(kmscap_t_info(ctl, b.c.id, &info), 0, "INFO");
	KT_ASSERT(info.clients == 1, "INFO display %u: %u clients, 1 attached", b.c.id,
		  info.clients);

	for (f = 0; f < FLIPS; f++) {
		/* display A */
		r = kmscap_t_flip(&a.k, a.buf[f & 1].fb_id, 3000);
		KT_ASSERT(!r, "display %u flip %d: %s", a.c.id, f, kmscap_t_errname(r));
		kmscap_no_event(b.cl[0], "client of display B after a flip on A");
		for (i = 0; i < NCL; i++) {
			ev = kmscap_get(&a, i, epfd);
			if (i == 0) {
				first = ev;
			} else {
				KT_ASSERT(ev.seq == first.seq && ev.buffer_id == first.buffer_id &&
					  ev.timestamp_ns == first.timestamp_ns,
					  "client %d got seq %llu buffer %u, client 0 seq %llu "
					  "buffer %u",
					  i, (unsigned long long)ev.seq, ev.buffer_id,
					  (unsigned long long)first.seq, first.buffer_id);
			}
			KT_EXPECT_RET(kmscap_t_release(a.cl[i], ev.seq), 0, "RELEASE");
		}
		/* display B */
		r = kmscap_t_flip(&b.k, b.buf[f & 1].fb_id, 3000);
		KT_ASSERT(!r, "display %u flip %d: %s", b.c.id, f, kmscap_t_errname(r));
		for (i = 0; i < NCL; i++)
			kmscap_no_event(a.cl[i], "client of display A after a flip on B");
		ev = kmscap_get(&b, 0, -1);
		KT_ASSERT(ev.width == 640 && ev.height == 480, "display B frame %ux%u", ev.width,
			  ev.height);
		KT_EXPECT_RET(kmscap_t_release(b.cl[0], ev.seq), 0, "RELEASE");
	}

	for (i = 0; i < NCL; i++) {
		KT_EXPECT_RET(kmscap_t_stats(a.cl[i], &st), 0, "STATS");
		kmscap_t_stats_check(&st, "display A client");
		KT_ASSERT(st.flips == FLIPS && st.delivered == FLIPS,
			  "display A client %d: flips %llu delivered %llu, expected %d", i,
			  (unsigned long long)st.flips, (unsigned long long)st.delivered, FLIPS);
	}
	KT_EXPECT_RET(kmscap_t_stats(b.cl[0], &st), 0, "STATS");
	KT_ASSERT(st.flips == FLIPS && st.delivered == FLIPS,
		  "display B client: flips %llu delivered %llu", (unsigned long long)st.flips,
		  (unsigned long long)st.delivered);

	/* Closing one client leaves the others attached. */
	close(a.cl[2]);
	KT_EXPECT_RET(kmscap_t_info(ctl, a.c.id, &info), 0, "INFO");
	KT_ASSERT(info.clients == NCL - 1, "INFO: %u clients after closing one", info.clients);
	r = kmscap_t_flip(&a.k, a.buf[0].fb_id, 3000);
	KT_ASSERT(!r, "flip: %s", kmscap_t_errname(r));
	for (i = 0; i < NCL - 1; i++) {
		ev = kmscap_get(&a, i, epfd);
		KT_EXPECT_RET(kmscap_t_release(a.cl[i], ev.seq), 0, "RELEASE");
	}

	close(epfd);
	for (i = 0; i < NCL - 1; i++)
		close(a.cl[i]);
	close(b.cl[0]);
	for (i = 0; i < 2; i++) {
		kmscap_t_buf_destroy(&a.buf[i]);
		kmscap_t_buf_destroy(&b.buf[i]);
	}
	kmscap_t_kms_close(&a.k);
	kmscap_t_kms_close(&b.k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, a.c.id), 0, "DESTROY");
	KT_EXPECT_RET(kmscap_t_destroy(ctl, b.c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("%d clients on one display + a second display, %d flips each", NCL, FLIPS);
}
