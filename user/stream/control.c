// SPDX-License-Identifier: MIT
/*
 * kmscap-stream: control lines, read by the loop from the output when it is
 * a connected socket and from --control (a FIFO or a unix socket).  An end
 * of file (the peer shut its writing side) ends the reading, not the stream.
 *
 * The protocol (Documentation/stream.md, "Control messages"): lines of at
 * most KS_CTL_MAX_LINE bytes ending in '\n' (a '\r' before it is
 * dropped).  "idr" asks for an IDR; empty lines are ignored; anything
 * else, or a longer line, is ignored and counted, and the first one of
 * each source is named in one notice on the statistics fd (stderr).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <liburing.h>

#include "loop_priv.h"

int ks_control_open(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (stat(path, &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "--control %s: %s%s", path, strerror(-ret),
			 ret == -ENOENT ?
			 " (create a FIFO with mkfifo, or listen on a unix socket there)" : "");
		return ret;
	}
	if (S_ISFIFO(st.st_mode)) {
		/* read-write: our own writer keeps it open, so writers come and go */
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			snprintf(err, errlen, "--control %s: %s (a FIFO is opened to read and write)",
				 path, strerror(-ret));
			return ret;
		}
		return fd;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "--control %s: not a FIFO or a unix socket", path);
		return -EINVAL;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "--control %s: socket path too long (at most %zu bytes)",
			 path, sizeof(sun.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "--control %s: socket: %s", path, strerror(-ret));
		return ret;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ret = -errno;
		snprintf(err, errlen, "--control %s: cannot connect: %s", path, strerror(-ret));
		close(fd);
		return ret;
	}
	return fd;
}

static void ks_notice(struct ks_loop *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ks_notice(struct ks_loop *l, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), KS_PROG ": ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(l->cfg.stats_fd, line, (size_t)n) < 0) {
		/* notices are best effort, like the statistics */
	}
}

/* A line that is not understood: counted, and the first one named. */
static void ks_ctl_ignore(struct ks_loop *l, struct ks_ctl *c, const char *why)
{
	char shown[4 * KS_CTL_MAX_LINE + 1];
	size_t i, n = 0;

	l->stats.total.ctl_ignored++;
	if (c->noticed)
		return;
	c->noticed = true;
	for (i = 0; i < c->len; i++) {
		unsigned char ch = (unsigned char)c->line[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '\'')
			shown[n++] = (char)ch;
		else
			n += (size_t)sprintf(shown + n, "\\x%02x", ch);
	}
	shown[n] = '\0';
	ks_notice(l, "control from %s: %s '%s%s' ignored (further ones are only counted)",
		  c->name, why, shown, c->overlong ? "..." : "");
}

static void ks_ctl_line(struct ks_loop *l, struct ks_ctl *c)
{
	if (c->overlong)
		return ks_ctl_ignore(l, c, "line longer than " KS_STR(KS_CTL_MAX_LINE) " bytes");
	if (c->len && c->line[c->len - 1] == '\r')
		c->len--;
	if (!c->len)
		return;		/* empty: nothing to do */
	if (c->len == 3 && !memcmp(c->line, "idr", 3))
		return ks_request_idr(l);
	ks_ctl_ignore(l, c, "unknown line");
}

static void ks_ctl_bytes(struct ks_loop *l, struct ks_ctl *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = (char)c->rbuf[i];

		if (ch == '\n') {
			ks_ctl_line(l, c);
			c->len = 0;
			c->overlong = false;
		} else if (c->len < KS_CTL_MAX_LINE) {
			c->line[c->len++] = ch;
		} else {
			c->overlong = true;	/* the rest is skipped up to '\n' */
		}
	}
}

static void ks_arm_ctl(struct ks_loop *l, unsigned int i)
{
	struct ks_ctl *c = &l->ctl[i];
	struct io_uring_sqe *sqe;

	if (c->fd < 0 || c->read_armed || c->poll_armed || l->stop != KS_STOP_NONE)
		return;
	sqe = ks_sqe(l);
	if (!sqe)
		return ks_loop_fail(l, -EBUSY, "io_uring: no submission entry");
	io_uring_prep_read(sqe, c->fd, c->rbuf, sizeof(c->rbuf), (__u64)-1);
	io_uring_sqe_set_data64(sqe, KS_UD_CTL_READ | i << 8);
	c->read_armed = true;
	c->reads++;
}

void ks_arm_ctls(struct ks_loop *l)
{
	unsigned int i;

	for (i = 0; i < KS_NUM_CTL; i++)
		ks_arm_ctl(l, i);
}

/* No more control lines from @c (0: end of file, or -errno); the stream goes on. */
static void ks_ctl_end(struct ks_loop *l, struct ks_ctl *c, int err)
{
	/* a last line without its newline is not a command */
	if (c->overlong)
		ks_ctl_ignore(l, c, "line longer than " KS_STR(KS_CTL_MAX_LINE) " bytes");
	else if (c->len)
		ks_ctl_ignore(l, c, "unterminated line");
	c->len = 0;
	c->overlong = false;
	if (err)
		ks_notice(l, "control from %s: %s; no longer read", c->name, strerror(-err));
	c->fd = -1;	/* the fd is the caller's: not closed here */
}

void ks_handle_ctl(struct ks_loop *l, unsigned int i, bool poll, int res)
{
	struct ks_ctl *c = &l->ctl[i];
	struct io_uring_sqe *sqe;

	if (poll)
		c->poll_armed = false;
	else
		c->read_armed = false;
	if (res == -ECANCELED || l->stop != KS_STOP_NONE || c->fd < 0)
		return;
	if (poll) {
		if (res < 0)
			ks_ctl_end(l, c, res);
		/* readable, or an error the READ will report: read again */
		return ks_arm_ctl(l, i);
	}
	if (res == -EAGAIN) {
		/*
		 * a non-blocking file that io_uring cannot wait on by itself
		 * (sockets and FIFOs it can): wait until it is readable
		 */
		sqe = ks_sqe(l);
		if (!sqe)
			return ks_loop_fail(l, -EBUSY, "io_uring: no submission entry");
		io_uring_prep_poll_add(sqe, c->fd, POLLIN);
		io_uring_sqe_set_data64(sqe, KS_UD_CTL_POLL | i << 8);
		c->poll_armed = true;
		return;
	}
	if (res == -EINTR)
		return ks_arm_ctl(l, i);
	if (res <= 0)
		/* 0: the peer shut its writing side; an error: the connection is gone */
		return ks_ctl_end(l, c, res);
	ks_ctl_bytes(l, c, (size_t)res);
	ks_arm_ctl(l, i);
}
