// SPDX-License-Identifier: MIT
/*
 * release_completes: the release that frees the last buffer a waiting
 * flip waits for completes the flip itself, in the releasing task, with
 * no hand-over to a kernel worker (one wake-up and task switch per frame
 * less for a client whose holds end after the next flip, as an
 * auto-release client's always do).  Told by the task that records the
 * kmscap_flip_wait_end tracepoint: for a RELEASE ioctl and for the read
 * of a KMSCAP_ATTACH_AUTO_RELEASE client, it is this test's own thread,
 * never a kworker; one such line per flip proves each flip waited (the
 * hold timeout is 10 s, so only the release can end the wait), and the
 * flip's page-flip event comes after the release.  Skips when tracefs
 * cannot be found or mounted.
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kmscap_test.h"

#define W 320
#define H 240
#define ROUNDS 4

static const char *tracefs;
static uint32_t display_id;

static void kmscap_tf_write_or_die(const char *file, const char *val)
{
	char path[160];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tracefs, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	KT_ASSERT(fd >= 0, "open %s: %s", path, strerror(errno));
	KT_ASSERT(write(fd, val, strlen(val)) == (ssize_t)strlen(val), "write '%s' to %s: %s",
		  val, path, strerror(errno));
	close(fd);
}

/*
 * The kmscap_flip_wait_end lines of our display: how many, and how many
 * were recorded by task @tid ("<comm>-<tid> [cpu] ..." at the start).
 */
static void kmscap_wait_ends(pid_t tid, unsigned int *all, unsigned int *mine, char *other,
			     size_t olen)
{
	char path[160], line[512], pat[32], me[32];
	FILE *f;

	*all = *mine = 0;
	other[0] = 0;
	snprintf(path, sizeof(path), "%s/trace", tracefs);
	f = fopen(path, "re");
	KT_ASSERT(f, "open %s: %s", path, strerror(errno));
	snprintf(pat, sizeof(pat), " display=%u ", display_id);
	snprintf(me, sizeof(me), "-%d ", (int)tid);
	while (fgets(line, sizeof(line), f)) {
		const char *ev = strstr(line, ": kmscap_flip_wait_end:");

		if (!ev || !strstr(line, pat))
			continue;
		(*all)++;
		if (strstr(line, me) && strstr(line, me) < ev) {
			(*mine)++;
			continue;
		}
		kmscap_t_log("not ours: %.*s", (int)(strlen(line) - 1), line);
		if (!other[0])
			snprintf(other, olen, "%.*s", (int)(ev - line), line);
	}
	fclose(f);
}

/*
 * Until the flip of frame @seq is queued, waiting for its buffer (its
 * kmscap_flip_wait_start line): a nonblocking commit publishes its frame
 * and queues its flip in a worker, after the page-flip ioctl returned.
 */
static void kmscap_wait_queued(uint64_t seq, const char *what)
{
	uint64_t end = kmscap_t_now_ns() + 5000000000ull;
	char path[160], line[512], pat[80];
	bool seen = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", tracefs);
	snprintf(pat, sizeof(pat), ": kmscap_flip_wait_start: display=%u seq=%llu ", display_id,
		 (unsigned long long)seq);
	while (!seen) {
		KT_ASSERT(kmscap_t_now_ns() < end, "%s: the flip of frame %llu did not wait for "
			  "its buffer within 5 s (no kmscap_flip_wait_start)", what,
			  (unsigned long long)seq);
		f = fopen(path, "re");
		KT_ASSERT(f, "open %s: %s", path, strerror(errno));
		while (!seen && fgets(line, sizeof(line), f))
			seen = strstr(line, pat);
		fclose(f);
		if (!seen)
			usleep(1000);
	}
}

static int kmscap_client(uint32_t flags)
{
	struct kmscap_attach at = { .display_id = display_id, .flags = flags, .queue_depth = 8,
				    .hold_timeout_ns = KMSCAP_MAX_HOLD_NS };
	int fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	int r;

	KT_ASSERT(fd >= 0, "open %s: %s", KMSCAP_T_CTL, strerror(errno));
	r = kmscap_t_ioctl(fd, KMSCAP_IOC_ATTACH, &at);
	KT_ASSERT(!r, "ATTACH display %u flags 0x%x: %s", display_id, flags,
		  kmscap_t_errname(r));
	return fd;
}

static struct kmscap_event kmscap_read_or_die(int fd, const char *what)
{
	struct kmscap_event ev;
	int r = kmscap_t_read_event(fd, &ev, 5000);

	KT_ASSERT(r == 1, "%s: read: %s", what, r ? kmscap_t_errname(r) : "no event in 5 s");
	return ev;
}

int main(void)
{
	unsigned int i, all, mine, want = 0;
	struct kmscap_display_create c;
	struct kmscap_t_buf buf[2];
	struct kmscap_event ev, prev;
	struct kmscap_t_kms k;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	char other[200], path[160];
	struct stat st;
	int ctl, fd, r;

	kmscap_t_init("release_completes", 60);
	ctl = kmscap_t_open_ctl_or_skip();
	tracefs = kmscap_t_tracefs_or_skip();
	snprintf(path, sizeof(path), "%s/events/kmscap/kmscap_flip_wait_end", tracefs);
	KT_ASSERT(!stat(path, &st), "%s does not exist", path);

	kmscap_t_create_or_die(ctl, W, H, 60000, &c);
	display_id = c.id;
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	for (i = 0; i < 2; i++)
		kmscap_t_buf_create_or_die(k.fd, W, H, DRM_FORMAT_XRGB8888, &buf[i]);
	r = kmscap_t_modeset(&k, buf[0].fb_id);
	KT_ASSERT(!r, "card%u: modeset: %s", c.card_minor, kmscap_t_errname(r));

	kmscap_tf_write_or_die("tracing_on", "0");
	kmscap_tf_write_or_die("trace", "");
	kmscap_tf_write_or_die("events/kmscap/kmscap_flip_wait_start/enable", "1");
	kmscap_tf_write_or_die("events/kmscap/kmscap_flip_wait_end/enable", "1");
	kmscap_tf_write_or_die("tracing_on", "1");

	/* RELEASE: flip to B, hold its frame, flip back to A (waits for B), release. */
	fd = kmscap_client(0);
	for (i = 0; i < ROUNDS; i++) {
		r = kmscap_t_page_flip(&k, buf[1].fb_id);
		if (!r)
			r = kmscap_t_wait_flip(&k, 5000);
		KT_ASSERT(!r, "RELEASE round %u: first flip: %s", i, kmscap_t_errname(r));
		ev = kmscap_read_or_die(fd, "RELEASE client");
		r = kmscap_t_page_flip(&k, buf[0].fb_id);
		KT_ASSERT(!r, "RELEASE round %u: second flip: %s", i, kmscap_t_errname(r));
		kmscap_wait_queued(ev.seq + 1, "RELEASE client");
		KT_EXPECT_RET(kmscap_t_release(fd, ev.seq), 0, "RELEASE of the held frame");
		r = kmscap_t_wait_flip(&k, 5000);
		KT_ASSERT(!r, "RELEASE round %u: the waiting flip did not complete after the "
			  "release: %s", i, kmscap_t_errname(r));
		ev = kmscap_read_or_die(fd, "RELEASE client");
		KT_EXPECT_RET(kmscap_t_release(fd, ev.seq), 0, "RELEASE of the second frame");
		want++;
	}
	close(fd);

	/* Auto-release: the read of the next frame releases the one held. */
	fd = kmscap_client(KMSCAP_ATTACH_AUTO_RELEASE);
	r = kmscap_t_page_flip(&k, buf[1].fb_id);
	if (!r)
		r = kmscap_t_wait_flip(&k, 5000);
	KT_ASSERT(!r, "auto-release: first flip: %s", kmscap_t_errname(r));
	prev = kmscap_read_or_die(fd, "auto-release client");
	for (i = 0; i < ROUNDS; i++) {
		r = kmscap_t_page_flip(&k, buf[i & 1].fb_id);
		KT_ASSERT(!r, "auto-release round %u: flip: %s", i, kmscap_t_errname(r));
		kmscap_wait_queued(prev.seq + 1, "auto-release client");
		ev = kmscap_read_or_die(fd, "auto-release client");
		KT_ASSERT(ev.seq > prev.seq, "auto-release: frame %llu after %llu",
			  (unsigned long long)ev.seq, (unsigned long long)prev.seq);
		r = kmscap_t_wait_flip(&k, 5000);
		KT_ASSERT(!r, "auto-release round %u: the waiting flip did not complete after "
			  "the read: %s", i, kmscap_t_errname(r));
		prev = ev;
		want++;
	}
	close(fd);

	kmscap_tf_write_or_die("tracing_on", "0");
	kmscap_wait_ends(tid, &all, &mine, other, sizeof(other));
	kmscap_tf_write_or_die("events/kmscap/kmscap_flip_wait_start/enable", "0");
	kmscap_tf_write_or_die("events/kmscap/kmscap_flip_wait_end/enable", "0");
	kmscap_t_log("%u flip waits ended, %u of them in this task (%d)", all, mine, (int)tid);
	KT_ASSERT(all == want, "%u kmscap_flip_wait_end lines for display %u, expected %u",
		  all, display_id, want);
	KT_ASSERT(mine == all, "a waiting flip was completed by another task than the "
		  "releasing one: '%s'", other);

	for (i = 0; i < 2; i++)
		kmscap_t_buf_destroy(&buf[i]);
	kmscap_t_kms_close(&k);
	r = kmscap_t_destroy(ctl, c.id);
	KT_ASSERT(!r, "DESTROY %u: %s", c.id, kmscap_t_errname(r));
	kmscap_t_pass("%u waiting flips completed by the release itself (%u RELEASE, %u "
		      "auto-release reads)", all, ROUNDS, ROUNDS);
	return 0;
}
