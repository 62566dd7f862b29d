// SPDX-License-Identifier: MIT
/*
 * kmscapctl: the real tool (build/user/kmscapctl, which make vm-check puts
 * into the VM at the same path) run with fork + exec against the module,
 * as root and as the test users.  Its output and exit status are checked
 * against what the module says through raw ioctls, libdrm and debugfs:
 * add ("ID /dev/dri/cardN"), list, set-mode, connect / disconnect, stats
 * (with the debugfs lines), remove, version; and the exact messages for a
 * missing display, an invalid mode, a /dev/kmscap the user may not open,
 * a display of another user and a full display table.
 *
 * /dev/kmscap is root:root 0660 in the VM (no udev): uid 1002 cannot open
 * it.  The test then gives it the udev rule's root:kmscap 0660 so that
 * kmscap1 (a member of group kmscap) can, and puts the owner and mode
 * back when it ends.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmscap_test.h"

#ifndef KMSCAP_T_KMSCAPCTL
#define KMSCAP_T_KMSCAPCTL	"/usr/bin/kmscapctl"
#endif
/* Overrides the path built in (tests/selftests/Makefile KMSCAPCTL=). */
#define KMSCAP_T_KMSCAPCTL_ENV	"KMSCAP_KMSCAPCTL"

#define KMSCAP_GROUP		"kmscap"	/* the udev rule's group */
#define UID_MEMBER		1001	/* kmscap1, member of group kmscap */
#define UID_STRANGER		1002	/* kmscap2, not a member */
#define RUN_TIMEOUT_MS		20000
#define MAX_IDS			256

static const char *ctl_path;
static struct stat saved_st;
static pid_t parent_pid;

struct kmscap_user {
	uid_t uid;
	gid_t gid;
	unsigned int ngroups;
	gid_t groups[2];
};

static const struct kmscap_user user_root = { 0, 0, 0, { 0 } };
static gid_t kmscap_gid;
/* groups[1] is group kmscap, looked up in /etc/group */
static struct kmscap_user user_member = {
	UID_MEMBER, UID_MEMBER, 2, { UID_MEMBER, 0 }
};
static const struct kmscap_user user_stranger = {
	UID_STRANGER, UID_STRANGER, 1, { UID_STRANGER }
};

struct kmscap_run {
	int status;		/* exit status, 128 + signal */
	char out[16384];
	char err[4096];
};

/* Put back the owner and mode of /dev/kmscap however the test ends (parent only). */
static void kmscap_restore_node(void)
{
	if (getpid() != parent_pid)
		return;
	if (chown(KMSCAP_T_CTL, saved_st.st_uid, saved_st.st_gid) ||
	    chmod(KMSCAP_T_CTL, saved_st.st_mode & 07777))
		printf("kmscapctl: restoring %s: %s\n", KMSCAP_T_CTL, strerror(errno));
}

static void kmscap_set_node(gid_t gid, mode_t mode)
{
	KT_ASSERT(!chown(KMSCAP_T_CTL, 0, gid), "chown %s 0:%u: %s", KMSCAP_T_CTL, gid,
		  strerror(errno));
	KT_ASSERT(!chmod(KMSCAP_T_CTL, mode), "chmod %s %o: %s", KMSCAP_T_CTL, mode,
		  strerror(errno));
}

/* Child side: become @u, wire the pipes, exec the tool.  Never returns. */
static void kmscap_child(const struct kmscap_user *u, int out_fd, int err_fd, char **argv)
{
	alarm(0);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
		_exit(126);
	unsetenv(KMSCAP_T_KMSCAPCTL_ENV);
	unsetenv("KMSCAP_DEVICE");
	unsetenv("KMSCAP_DEBUGFS");
	if (u->uid && (setgroups(u->ngroups, u->groups) || setresgid(u->gid, u->gid, u->gid) ||
		       setresuid(u->uid, u->uid, u->uid))) {
		fprintf(stderr, "test: switching to uid %u: %s\n", u->uid, strerror(errno));
		_exit(126);
	}
	execv(ctl_path, argv);
	fprintf(stderr, "test: exec %s: %s\n", ctl_path, strerror(errno));
	_exit(127);
}

/* Append what @fd has to @buf; 0 at end of file, 1 if there may be more. */
static int kmscap_slurp(int fd, char *buf, size_t size, size_t *len, const char *what)
{
	ssize_t n;

	if (*len + 1 >= size)
		kmscap_t_fail("kmscapctl wrote more than %zu bytes on %s", size - 1, what);
	n = read(fd, buf + *len, size - 1 - *len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	KT_ASSERT(n >= 0, "reading the %s of kmscapctl: %s", what, strerror(errno));
	*len += (size_t)n;
	buf[*len] = '\0';
	return n > 0;
}

static void kmscap_log_text(const char *what, const char *text)
{
	const char *p = text, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		kmscap_t_log("  %s| %.*s", what, (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}

/*
 * Run kmscapctl as @u with the NULL-terminated arguments after @u; the
 * exit status, stdout and stderr go to @r.
 */
static void kmscap_ctl(struct kmscap_run *r, const struct kmscap_user *u, ...)
{
	char *argv[8], cmd[256];
	int po[2], pe[2], argc = 0, open_fds = 2;
	size_t olen = 0, elen = 0, clen;
	uint64_t deadline;
	pid_t pid;
	va_list ap;

	argv[argc++] = "kmscapctl";
	cmd[0] = '\0';
	va_start(ap, u);
	while (argc < 7 && (argv[argc] = va_arg(ap, char *))) {
		clen = strlen(cmd);
		snprintf(cmd + clen, sizeof(cmd) - clen, " %s", argv[argc]);
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;

	KT_ASSERT(!pipe2(po, O_CLOEXEC) && !pipe2(pe, O_CLOEXEC), "pipe2: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	KT_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		kmscap_child(u, po[1], pe[1], argv);
	close(po[1]);
	close(pe[1]);

	memset(r, 0, sizeof(*r));
	deadline = kmscap_t_now_ns() + RUN_TIMEOUT_MS * 1000000ull;
	while (open_fds) {
		struct pollfd p[2] = { { .fd = po[0], .events = POLLIN },
				       { .fd = pe[0], .events = POLLIN } };
		uint64_t now = kmscap_t_now_ns();
		int n;

		if (now >= deadline) {
			kill(pid, SIGKILL);
			kmscap_t_fail("uid %u: kmscapctl%s did not finish in %d ms", u->uid, cmd,
				      RUN_TIMEOUT_MS);
		}
		n = poll(p, 2, (int)((deadline - now) / 1000000) + 1);
		if (n < 0 && errno == EINTR)
			continue;
		KT_ASSERT(n >= 0, "poll: %s", strerror(errno));
		if (p[0].revents && po[0] >= 0 &&
		    !kmscap_slurp(po[0], r->out, sizeof(r->out), &olen, "stdout")) {
			close(po[0]);
			po[0] = -1;
			open_fds--;
		}
		if (p[1].revents && pe[0] >= 0 &&
		    !kmscap_slurp(pe[0], r->err, sizeof(r->err), &elen, "stderr")) {
			close(pe[0]);
			pe[0] = -1;
			open_fds--;
		}
	}
	r->status = kmscap_t_wait_child(pid);
	kmscap_t_log("uid %u: kmscapctl%s -> exit %d", u->uid, cmd, r->status);
	kmscap_log_text("out", r->out);
	kmscap_log_text("err", r->err);
	KT_ASSERT(r->status != 126 && r->status != 127, "kmscapctl%s was not run: %s", cmd,
		  r->err);
}

/* Exit status 0, nothing on stderr. */
static void kmscap_expect_ok(const struct kmscap_run *r, const char *what)
{
	KT_ASSERT(r->status == 0, "kmscapctl %s: exit status %d, stderr '%s'", what, r->status,
		  r->err);
	KT_ASSERT(r->err[0] == '\0', "kmscapctl %s succeeded but wrote '%s' on stderr", what,
		  r->err);
}

/* Exit status 1, nothing on stdout, exactly @msg (one line) on stderr. */
static void kmscap_expect_err(const struct kmscap_run *r, const char *what, const char *msg)
{
	KT_ASSERT(r->status == 1, "kmscapctl %s: exit status %d, expected 1", what, r->status);
	KT_ASSERT(r->out[0] == '\0', "kmscapctl %s failed but wrote '%s' on stdout", what,
		  r->out);
	if (strncmp(r->err, msg, strlen(msg)) || strcmp(r->err + strlen(msg), "\n"))
		kmscap_t_fail("kmscapctl %s: stderr '%s', expected '%s\\n'", what, r->err, msg);
}

/* The line of @text that starts with @prefix, copied into @line; 0 or -ENOENT. */
static int kmscap_find_line(const char *text, const char *prefix, char *line, size_t size)
{
	size_t plen = strlen(prefix);
	const char *p = text, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (!strncmp(p, prefix, plen)) {
			snprintf(line, size, "%.*s", (int)(nl - p), p);
			return 0;
		}
		p = *nl ? nl + 1 : nl;
	}
	return -ENOENT;
}

/* @text has the whole line @line. */
static bool kmscap_has_line(const char *text, const char *line)
{
	size_t len = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[len] == '\n' || p[len] == '\0'))
			return true;
		p++;
	}
	return false;
}

static void kmscap_expect_line(const char *text, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void kmscap_expect_line(const char *text, const char *what, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	KT_ASSERT(kmscap_has_line(text, line), "kmscapctl %s: no line '%s' in its output", what,
		  line);
}

/* "add MODE ...": parse and check the exact "ID /dev/dri/cardN" line. */
static void kmscap_parse_add(const struct kmscap_run *r, const char *what, uint32_t *id,
			     uint32_t *minor)
{
	char want[64];

	kmscap_expect_ok(r, what);
	KT_ASSERT(sscanf(r->out, "%u /dev/dri/card%u", id, minor) == 2,
		  "kmscapctl %s printed '%s', expected 'ID /dev/dri/cardN'", what, r->out);
	snprintf(want, sizeof(want), "%u /dev/dri/card%u\n", *id, *minor);
	KT_ASSERT(!strcmp(r->out, want), "kmscapctl %s printed '%s', expected exactly '%s'", what,
		  r->out, want);
}

struct kmscap_row {
	uint32_t id, clients;
	unsigned long long frames;
	char mode[40], connected[8], owner[64], card[40];
};

/* The row of display @id in the output of "list"; fails when absent. */
static void kmscap_list_row(const char *out, uint32_t id, struct kmscap_row *row)
{
	char prefix[16], line[512];

	snprintf(prefix, sizeof(prefix), "%u ", id);
	KT_ASSERT(!kmscap_find_line(out, prefix, line, sizeof(line)),
		  "kmscapctl list: no row for display %u", id);
	KT_ASSERT(sscanf(line, "%u %39s %7s %63s %39s %u %llu", &row->id, row->mode,
			 row->connected, row->owner, row->card, &row->clients,
			 &row->frames) == 7, "kmscapctl list: cannot parse row '%s'", line);
}

static unsigned int kmscap_count_rows(const char *out)
{
	unsigned int n = 0;
	const char *p;

	for (p = out; *p; p++)
		n += *p == '\n';
	return n ? n - 1 : 0;	/* minus the header */
}

static void kmscap_owner_name(uid_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name)
		snprintf(buf, size, "%s", pw->pw_name);
	else
		snprintf(buf, size, "%u", uid);
}

/*
 * Check a "list" row, printed for @viewer, against root's INFO of the same
 * display: another user's display shows no clients and no frames.
 */
static void kmscap_check_row(int ctl, const char *out, uint32_t id, const char *mode,
			     uid_t viewer)
{
	struct kmscap_display_info info;
	struct kmscap_row row;
	char owner[64], card[40];

	KT_EXPECT_RET(kmscap_t_info(ctl, id, &info), 0, "INFO");
	kmscap_list_row(out, id, &row);
	kmscap_owner_name(info.owner_uid, owner, sizeof(owner));
	snprintf(card, sizeof(card), "/dev/dri/card%u", info.card_minor);
	KT_ASSERT(!strcmp(row.mode, mode), "list: display %u mode '%s', expected '%s'", id,
		  row.mode, mode);
	KT_ASSERT(!strcmp(row.connected, info.flags & KMSCAP_INFO_CONNECTED ? "yes" : "no"),
		  "list: display %u connected '%s', INFO flags 0x%x", id, row.connected,
		  info.flags);
	KT_ASSERT(!strcmp(row.owner, owner), "list: display %u owner '%s', INFO uid %u (%s)", id,
		  row.owner, info.owner_uid, owner);
	KT_ASSERT(!strcmp(row.card, card), "list: display %u card '%s', INFO says %s", id,
		  row.card, card);
	if (viewer && viewer != info.owner_uid)
		info.clients = info.frames = 0;
	KT_ASSERT(row.clients == info.clients && row.frames == info.frames,
		  "list as uid %u: display %u clients %u frames %llu, expected %u / %llu",
		  viewer, id, row.clients, row.frames, info.clients,
		  (unsigned long long)info.frames);
}

static int kmscap_count_displays(int ctl)
{
	int n = kmscap_t_list(ctl, NULL, 0);

	KT_ASSERT(n >= 0, "LIST: %s", kmscap_t_errname(n));
	return n;
}

/* An id no display has. */
static uint32_t kmscap_unused_id(int ctl)
{
	uint32_t ids[MAX_IDS], max = 0;
	int n = kmscap_t_list(ctl, ids, MAX_IDS), i;

	KT_ASSERT(n >= 0 && n <= MAX_IDS, "LIST: %d", n);
	for (i = 0; i < n; i++)
		if (ids[i] > max)
			max = ids[i];
	return max + 1000;
}

static void kmscap_expect_info(int ctl, uint32_t id, uint32_t w, uint32_t h, uint32_t mhz,
			       bool connected, uid_t owner, const char *what)
{
	struct kmscap_display_info info;

	KT_EXPECT_RET(kmscap_t_info(ctl, id, &info), 0, what);
	KT_ASSERT(info.width == w && info.height == h && info.refresh_mhz == mhz,
		  "%s: display %u is %ux%u@%u mHz, expected %ux%u@%u", what, id, info.width,
		  info.height, info.refresh_mhz, w, h, mhz);
	KT_ASSERT(!!(info.flags & KMSCAP_INFO_CONNECTED) == connected,
		  "%s: display %u flags 0x%x, expected %s", what, id, info.flags,
		  connected ? "connected" : "disconnected");
	KT_ASSERT(info.owner_uid == owner, "%s: display %u owner %u, expected %u", what, id,
		  info.owner_uid, owner);
}

/* The connector of @k as libdrm sees it after a probe. */
static int kmscap_connector_status(struct kmscap_t_kms *k)
{
	drmModeConnector *c = drmModeGetConnector(k->fd, k->conn_id);
	int st;

	KT_ASSERT(c, "card%u: drmModeGetConnector %u: %s", k->minor, k->conn_id,
		  strerror(errno));
	st = c->connection;
	drmModeFreeConnector(c);
	return st;
}

static void kmscap_version_check(int ctl)
{
	struct kmscap_version v;
	struct kmscap_run r;

	KT_EXPECT_RET(kmscap_t_version(ctl, &v), 0, "VERSION");
	kmscap_ctl(&r, &user_root, "version", NULL);
	kmscap_expect_ok(&r, "version");
	kmscap_expect_line(r.out, "version", "module ABI:      %u.%u", v.major, v.minor);
	kmscap_expect_line(r.out, "version", "max displays:    %u", v.max_displays);
	kmscap_expect_line(r.out, "version", "event size:      %u", v.event_size);
}

/* Flip @n frames on @k with a capture client @cl reading and releasing each. */
static void kmscap_flip_frames(struct kmscap_t_kms *k, struct kmscap_t_buf *buf, int cl, int n)
{
	struct kmscap_event ev;
	int i, r;

	for (i = 0; i < n; i++) {
		r = kmscap_t_flip(k, buf[i & 1].fb_id, 3000);
		KT_ASSERT(!r, "card%u: flip %d: %s", k->minor, i, kmscap_t_errname(r));
		r = kmscap_t_read_event(cl, &ev, 3000);
		KT_ASSERT(r == 1 && ev.type == KMSCAP_EVENT_FRAME, "frame %d: %s type %u", i,
			  kmscap_t_errname(r), ev.type);
		KT_EXPECT_RET(kmscap_t_release(cl, ev.seq), 0, "RELEASE");
	}
}

/* "stats ID" with a client attached and frames flipped: INFO, debugfs, STATS agree. */
static void kmscap_stats_check(int ctl, uint32_t id, int cl, const char *mode)
{
	struct kmscap_display_info info;
	struct kmscap_client_stats st;
	char ids[16], owner[64];
	uint64_t dframes;
	struct kmscap_run r;

	snprintf(ids, sizeof(ids), "%u", id);
	kmscap_ctl(&r, &user_root, "stats", ids, NULL);
	kmscap_expect_ok(&r, "stats ID");
	KT_EXPECT_RET(kmscap_t_info(ctl, id, &info), 0, "INFO");
	KT_EXPECT_RET(kmscap_t_stats(cl, &st), 0, "STATS");
	kmscap_t_stats_check(&st, "client");
	KT_EXPECT_RET(kmscap_t_debugfs_stat(id, "frames", &dframes), 0, "debugfs frames");
	KT_ASSERT(info.frames > 0 && dframes == info.frames,
		  "display %u: INFO frames %llu, debugfs frames %llu", id,
		  (unsigned long long)info.frames, (unsigned long long)dframes);
	kmscap_owner_name(info.owner_uid, owner, sizeof(owner));

	KT_ASSERT(!strncmp(r.out, "display ", 8), "stats ID: output starts with '%.20s'", r.out);
	kmscap_expect_line(r.out, "stats ID", "display %u", id);
	kmscap_expect_line(r.out, "stats ID", "  mode:       %s", mode);
	kmscap_expect_line(r.out, "stats ID", "  connected:  yes");
	kmscap_expect_line(r.out, "stats ID", "  active:     %s",
			   info.flags & KMSCAP_INFO_ACTIVE ? "yes" : "no");
	kmscap_expect_line(r.out, "stats ID", "  owner:      %s (uid %u)", owner,
			   info.owner_uid);
	kmscap_expect_line(r.out, "stats ID", "  card:       /dev/dri/card%u", info.card_minor);
	kmscap_expect_line(r.out, "stats ID", "  clients:    %u", info.clients);
	kmscap_expect_line(r.out, "stats ID", "  frames:     %llu",
			   (unsigned long long)info.frames);
	/* the debugfs part */
	kmscap_expect_line(r.out, "stats ID", "  debugfs:    /sys/kernel/debug/kmscap/display-%u",
			   id);
	kmscap_expect_line(r.out, "stats ID", "  stats:");
	kmscap_expect_line(r.out, "stats ID", "    frames %llu", (unsigned long long)dframes);
	kmscap_expect_line(r.out, "stats ID", "    clients %u", info.clients);
	kmscap_expect_line(r.out, "stats ID",
			   "    client0 flips %llu delivered %llu dropped_queue %llu "
			   "dropped_timeout %llu queued %llu held %llu",
			   (unsigned long long)st.flips, (unsigned long long)st.delivered,
			   (unsigned long long)st.dropped_queue,
			   (unsigned long long)st.dropped_timeout, (unsigned long long)st.queued,
			   (unsigned long long)st.held);
}

/* Errors about a display id no display has. */
static void kmscap_no_such_display(int ctl)
{
	char ids[16], msg[64];
	struct kmscap_run r;
	uint32_t none = kmscap_unused_id(ctl);

	snprintf(ids, sizeof(ids), "%u", none);
	snprintf(msg, sizeof(msg), "kmscapctl: no such display %u", none);
	kmscap_ctl(&r, &user_root, "remove", ids, NULL);
	kmscap_expect_err(&r, "remove of a missing display", msg);
	kmscap_ctl(&r, &user_root, "set-mode", ids, "800x600", NULL);
	kmscap_expect_err(&r, "set-mode of a missing display", msg);
	kmscap_ctl(&r, &user_root, "connect", ids, NULL);
	kmscap_expect_err(&r, "connect of a missing display", msg);
	kmscap_ctl(&r, &user_root, "stats", ids, NULL);
	kmscap_expect_err(&r, "stats of a missing display", msg);
}

/* Modes refused before anything reaches the module. */
static void kmscap_invalid_modes(int ctl, uint32_t id, uint32_t w, uint32_t h, uint32_t mhz)
{
	int before = kmscap_count_displays(ctl);
	char ids[16];
	struct kmscap_run r;

	kmscap_ctl(&r, &user_root, "add", "0x0", NULL);
	kmscap_expect_err(&r, "add 0x0", "invalid mode '0x0': width and height must be 64..8192");
	kmscap_ctl(&r, &user_root, "add", "1920x", NULL);
	kmscap_expect_err(&r, "add 1920x", "invalid mode '1920x': expected a height after 'x'");
	KT_ASSERT(kmscap_count_displays(ctl) == before,
		  "%d displays after refused adds, %d before", kmscap_count_displays(ctl), before);
	snprintf(ids, sizeof(ids), "%u", id);
	kmscap_ctl(&r, &user_root, "set-mode", ids, "1920x1080@600", NULL);
	kmscap_expect_err(&r, "set-mode 1920x1080@600",
			  "invalid mode '1920x1080@600': refresh rate must be 1..500 Hz");
	kmscap_expect_info(ctl, id, w, h, mhz, true, 0, "INFO after a refused set-mode");
}

/*
 * /dev/kmscap root:root 0660: uid 1002 cannot open it.  Then root:kmscap
 * 0660 (the udev rule): kmscap1 may create and list, but not touch root's
 * display; kmscap2 still cannot open it.
 */
static void kmscap_users(int ctl, uint32_t id, uint32_t w, uint32_t h, uint32_t mhz,
			 const char *mode)
{
	static const char denied[] =
		"/dev/kmscap: permission denied \u2014 is your user in group kmscap?";
	int before = kmscap_count_displays(ctl);
	char ids[16], msg[64], cids[16];
	uint32_t cid, cminor;
	struct kmscap_run r;

	snprintf(ids, sizeof(ids), "%u", id);
	kmscap_set_node(0, 0660);
	kmscap_ctl(&r, &user_stranger, "list", NULL);
	kmscap_expect_err(&r, "list as uid 1002 (root:root 0660)", denied);
	kmscap_ctl(&r, &user_stranger, "add", "800x600", NULL);
	kmscap_expect_err(&r, "add as uid 1002 (root:root 0660)", denied);
	kmscap_ctl(&r, &user_member, "list", NULL);
	kmscap_expect_err(&r, "list as uid 1001 (root:root 0660)", denied);
	KT_ASSERT(kmscap_count_displays(ctl) == before, "%d displays after refused adds, %d before",
		  kmscap_count_displays(ctl), before);

	kmscap_set_node(kmscap_gid, 0660);
	kmscap_ctl(&r, &user_stranger, "list", NULL);
	kmscap_expect_err(&r, "list as uid 1002 (root:kmscap 0660)", denied);

	snprintf(msg, sizeof(msg), "kmscapctl: display %u belongs to another user", id);
	kmscap_ctl(&r, &user_member, "remove", ids, NULL);
	kmscap_expect_err(&r, "remove of root's display as uid 1001", msg);
	kmscap_ctl(&r, &user_member, "set-mode", ids, "800x600", NULL);
	kmscap_expect_err(&r, "set-mode of root's display as uid 1001", msg);
	kmscap_ctl(&r, &user_member, "disconnect", ids, NULL);
	kmscap_expect_err(&r, "disconnect of root's display as uid 1001", msg);
	kmscap_expect_info(ctl, id, w, h, mhz, true, 0, "INFO after refused changes by uid 1001");

	kmscap_ctl(&r, &user_member, "add", "800x600@50", NULL);
	kmscap_parse_add(&r, "add as uid 1001", &cid, &cminor);
	kmscap_expect_info(ctl, cid, 800, 600, 50000, true, UID_MEMBER, "INFO of uid 1001's");
	kmscap_ctl(&r, &user_member, "list", NULL);
	kmscap_expect_ok(&r, "list as uid 1001");
	kmscap_check_row(ctl, r.out, cid, "800x600@50", UID_MEMBER);
	kmscap_check_row(ctl, r.out, id, mode, UID_MEMBER);
	KT_ASSERT(kmscap_count_rows(r.out) == (unsigned int)kmscap_count_displays(ctl),
		  "list as uid 1001: %u rows, LIST has %d displays", kmscap_count_rows(r.out),
		  kmscap_count_displays(ctl));
	kmscap_ctl(&r, &user_member, "stats", ids, NULL);
	kmscap_expect_ok(&r, "stats of root's display as uid 1001");
	kmscap_expect_line(r.out, "stats as uid 1001", "display %u", id);
	kmscap_expect_line(r.out, "stats as uid 1001", "  debugfs:    not readable "
			   "(/sys/kernel/debug/kmscap; needs root and a mounted debugfs)");

	/* root (CAP_SYS_ADMIN) may remove anyone's display */
	snprintf(cids, sizeof(cids), "%u", cid);
	kmscap_ctl(&r, &user_root, "remove", cids, NULL);
	kmscap_expect_ok(&r, "remove of uid 1001's display as root");
	KT_ASSERT(r.out[0] == '\0', "remove printed '%s'", r.out);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, cid), -ENOENT, "DESTROY after kmscapctl remove");
}

/* Fill the display table with "add"; the next one gets the ENOSPC message. */
static void kmscap_table_full(int ctl)
{
	uint32_t ids[MAX_IDS], minor;
	struct kmscap_version v;
	struct kmscap_run r;
	char s[16];
	int n, i, added = 0;

	KT_EXPECT_RET(kmscap_t_version(ctl, &v), 0, "VERSION");
	n = kmscap_count_displays(ctl);
	KT_ASSERT(v.max_displays <= MAX_IDS && n <= (int)v.max_displays,
		  "max_displays %u, %d displays", v.max_displays, n);
	for (i = n; i < (int)v.max_displays; i++) {
		kmscap_ctl(&r, &user_root, "add", "64x64@1", NULL);
		kmscap_parse_add(&r, "add below max_displays", &ids[added], &minor);
		added++;
	}
	kmscap_ctl(&r, &user_root, "add", "64x64@1", NULL);
	kmscap_expect_err(&r, "add at max_displays",
			  "kmscapctl: too many displays (module limit max_displays)");
	KT_ASSERT(kmscap_count_displays(ctl) == (int)v.max_displays,
		  "%d displays, max_displays %u", kmscap_count_displays(ctl), v.max_displays);
	for (i = 0; i < added; i++) {
		snprintf(s, sizeof(s), "%u", ids[i]);
		kmscap_ctl(&r, &user_root, "remove", s, NULL);
		kmscap_expect_ok(&r, "remove");
	}
	KT_ASSERT(kmscap_count_displays(ctl) == n, "%d displays after removing the %d added, "
		  "%d before", kmscap_count_displays(ctl), added, n);
}

int main(void)
{
	struct kmscap_t_buf buf[2];
	struct kmscap_t_kms k;
	struct kmscap_event ev;
	struct kmscap_run r;
	uint32_t a, amin, b, bmin;
	char as[16], bs[16], path[96];
	const char *env;
	int ctl, cl, n0, rr;

	kmscap_t_init("kmscapctl", 100);
	if (geteuid() != 0)
		kmscap_t_skip("needs root to switch to uids %u and %u (euid %u)", UID_MEMBER,
			      UID_STRANGER, geteuid());
	env = getenv(KMSCAP_T_KMSCAPCTL_ENV);
	ctl_path = env && *env ? env : KMSCAP_T_KMSCAPCTL;
	if (access(ctl_path, X_OK))
		kmscap_t_skip("no kmscapctl at %s (%s): make vm-check puts build/user/kmscapctl "
			      "into the VM; run-vm.sh needs --extra %s", ctl_path, strerror(errno),
			      ctl_path);
	ctl = kmscap_t_open_ctl_or_skip();
	{
		struct group *g = getgrnam(KMSCAP_GROUP);

		KT_ASSERT(g, "no group '%s' in /etc/group (tests/vm/mkinitramfs.sh makes it)",
			  KMSCAP_GROUP);
		kmscap_gid = g->gr_gid;
		user_member.groups[1] = kmscap_gid;
	}
	KT_ASSERT(!stat(KMSCAP_T_CTL, &saved_st), "stat %s: %s", KMSCAP_T_CTL, strerror(errno));
	parent_pid = getpid();
	atexit(kmscap_restore_node);
	kmscap_set_node(0, 0660);
	kmscap_t_log("tool %s, %s was %u:%u %o", ctl_path, KMSCAP_T_CTL, saved_st.st_uid,
		     saved_st.st_gid, saved_st.st_mode & 07777);
	n0 = kmscap_count_displays(ctl);

	kmscap_version_check(ctl);

	/* add: "ID /dev/dri/cardN", the display as asked, its card a kmscap DRM device */
	kmscap_ctl(&r, &user_root, "add", "1280x720@59.94", NULL);
	kmscap_parse_add(&r, "add 1280x720@59.94", &a, &amin);
	kmscap_expect_info(ctl, a, 1280, 720, 59940, true, 0, "INFO after add");
	kmscap_ctl(&r, &user_root, "add", "640x480", "--disconnected", NULL);
	kmscap_parse_add(&r, "add 640x480 --disconnected", &b, &bmin);
	kmscap_expect_info(ctl, b, 640, 480, 60000, false, 0, "INFO after add --disconnected");
	KT_ASSERT(a != b && amin != bmin, "two adds gave display %u card%u and %u card%u", a,
		  amin, b, bmin);
	{
		struct kmscap_display_info info;

		KT_EXPECT_RET(kmscap_t_info(ctl, a, &info), 0, "INFO");
		KT_ASSERT(info.card_minor == amin, "add printed card%u, INFO says card%u", amin,
			  info.card_minor);
	}
	kmscap_t_kms_open_or_die(&k, amin);
	{
		drmVersionPtr dv = drmGetVersion(k.fd);

		KT_ASSERT(dv && !strcmp(dv->name, "kmscap"), "/dev/dri/card%u is driver '%s'",
			  amin, dv ? dv->name : "?");
		drmFreeVersion(dv);
	}
	KT_ASSERT(k.mode.hdisplay == 1280 && k.mode.vdisplay == 720,
		  "card%u preferred mode %ux%u, expected 1280x720", amin, k.mode.hdisplay,
		  k.mode.vdisplay);
	snprintf(as, sizeof(as), "%u", a);
	snprintf(bs, sizeof(bs), "%u", b);

	/* list */
	kmscap_ctl(&r, &user_root, "list", NULL);
	kmscap_expect_ok(&r, "list");
	KT_ASSERT(!strncmp(r.out, "ID ", 3), "list: header '%.40s'", r.out);
	KT_ASSERT(kmscap_count_rows(r.out) == (unsigned int)n0 + 2,
		  "list: %u rows, expected %d", kmscap_count_rows(r.out), n0 + 2);
	kmscap_check_row(ctl, r.out, a, "1280x720@59.94", 0);
	kmscap_check_row(ctl, r.out, b, "640x480@60", 0);

	/* set-mode: INFO and the connector's preferred mode follow */
	kmscap_ctl(&r, &user_root, "set-mode", as, "1024x768@75", NULL);
	kmscap_expect_ok(&r, "set-mode");
	KT_ASSERT(r.out[0] == '\0', "set-mode printed '%s'", r.out);
	kmscap_expect_info(ctl, a, 1024, 768, 75000, true, 0, "INFO after set-mode");
	rr = kmscap_t_kms_reprobe(&k);
	KT_ASSERT(!rr, "card%u: re-probe: %s", amin, kmscap_t_errname(rr));
	KT_ASSERT(k.mode.hdisplay == 1024 && k.mode.vdisplay == 768,
		  "card%u preferred mode %ux%u after set-mode 1024x768@75", amin,
		  k.mode.hdisplay, k.mode.vdisplay);

	/* disconnect / connect: INFO and the DRM connector follow */
	kmscap_ctl(&r, &user_root, "disconnect", as, NULL);
	kmscap_expect_ok(&r, "disconnect");
	kmscap_expect_info(ctl, a, 1024, 768, 75000, false, 0, "INFO after disconnect");
	KT_ASSERT(kmscap_connector_status(&k) == DRM_MODE_DISCONNECTED,
		  "card%u connector status %d after disconnect", amin,
		  kmscap_connector_status(&k));
	kmscap_ctl(&r, &user_root, "connect", as, NULL);
	kmscap_expect_ok(&r, "connect");
	kmscap_expect_info(ctl, a, 1024, 768, 75000, true, 0, "INFO after connect");
	KT_ASSERT(kmscap_connector_status(&k) == DRM_MODE_CONNECTED,
		  "card%u connector status %d after connect", amin, kmscap_connector_status(&k));
	kmscap_ctl(&r, &user_root, "connect", bs, NULL);
	kmscap_expect_ok(&r, "connect of the --disconnected display");
	kmscap_expect_info(ctl, b, 640, 480, 60000, true, 0, "INFO after connect");

	/* stats: frames flipped with a capture client attached */
	rr = kmscap_t_kms_reprobe(&k);
	KT_ASSERT(!rr, "card%u: re-probe: %s", amin, kmscap_t_errname(rr));
	kmscap_t_buf_create_or_die(k.fd, 1024, 768, DRM_FORMAT_XRGB8888, &buf[0]);
	kmscap_t_buf_create_or_die(k.fd, 1024, 768, DRM_FORMAT_XRGB8888, &buf[1]);
	rr = kmscap_t_modeset(&k, buf[1].fb_id);
	KT_ASSERT(!rr, "card%u: modeset: %s", amin, kmscap_t_errname(rr));
	cl = kmscap_t_client_or_die(a, 0, 2000000000ull);
	kmscap_flip_frames(&k, buf, cl, 5);
	kmscap_stats_check(ctl, a, cl, "1024x768@75");
	kmscap_ctl(&r, &user_root, "stats", NULL);
	kmscap_expect_ok(&r, "stats");
	kmscap_expect_line(r.out, "stats", "display %u", a);
	kmscap_expect_line(r.out, "stats", "display %u", b);
	kmscap_expect_line(r.out, "stats", "  mode:       640x480@60");
	kmscap_expect_line(r.out, "stats", "  debugfs:    /sys/kernel/debug/kmscap/display-%u", b);

	kmscap_no_such_display(ctl);
	kmscap_invalid_modes(ctl, a, 1024, 768, 75000);
	kmscap_users(ctl, a, 1024, 768, 75000, "1024x768@75");
	kmscap_table_full(ctl);

	/* remove while captured: the client hangs up, debugfs and INFO forget it */
	kmscap_ctl(&r, &user_root, "remove", as, NULL);
	kmscap_expect_ok(&r, "remove");
	KT_ASSERT(r.out[0] == '\0', "remove printed '%s'", r.out);
	{
		struct kmscap_display_info info;

		KT_EXPECT_RET(kmscap_t_info(ctl, a, &info), -ENOENT, "INFO after remove");
	}
	rr = kmscap_t_read_event(cl, &ev, 3000);
	KT_ASSERT(rr == 1 && ev.type == KMSCAP_EVENT_HANGUP,
		  "client after remove: %s, event type %u", kmscap_t_errname(rr),
		  rr == 1 ? ev.type : 0);
	snprintf(path, sizeof(path), "/sys/kernel/debug/kmscap/display-%u", a);
	KT_ASSERT(access(path, F_OK) && errno == ENOENT, "%s still exists after remove", path);
	kmscap_ctl(&r, &user_root, "remove", as, NULL);
	{
		char msg[64];

		snprintf(msg, sizeof(msg), "kmscapctl: no such display %u", a);
		kmscap_expect_err(&r, "second remove", msg);
	}
	close(cl);
	kmscap_t_buf_destroy(&buf[0]);
	kmscap_t_buf_destroy(&buf[1]);
	kmscap_t_kms_close(&k);

	kmscap_ctl(&r, &user_root, "remove", bs, NULL);
	kmscap_expect_ok(&r, "remove");
	kmscap_ctl(&r, &user_root, "list", NULL);
	kmscap_expect_ok(&r, "list after remove");
	KT_ASSERT(kmscap_count_rows(r.out) == (unsigned int)n0, "list: %u rows, expected %d",
		  kmscap_count_rows(r.out), n0);
	KT_ASSERT(kmscap_count_displays(ctl) == n0, "%d displays left, %d before",
		  kmscap_count_displays(ctl), n0);
	close(ctl);
	kmscap_t_pass("add, list, set-mode, connect, disconnect, stats, remove, version and "
		      "their errors, as root and as uids %u / %u", UID_MEMBER, UID_STRANGER);
}
