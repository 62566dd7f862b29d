// SPDX-License-Identifier: MIT
/*
 * example_capture: examples/capture, the smallest complete libkmscap
 * client, against a display that flips: "capture ID 5" and "capture
 * --ring ID 5" (the frame ring, ABI 1.6) must each print five frames of
 * the display's buffers, with their size and format, and exit 0; with the
 * display destroyed under it, the example says that it went away and
 * exits 0.  The example is at KMSCAP_T_EXAMPLE (built by
 * tests/selftests/Makefile against build/user's libkmscap; make vm-check
 * puts it into the VM with --extra); without it the test skips, saying so.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmscap_test.h"

#ifndef KMSCAP_T_EXAMPLE
#define KMSCAP_T_EXAMPLE "/usr/local/lib/kmscap/capture"
#endif
#define OUT "/tmp/example_capture.out"

static struct kmscap_t_kms k;
static struct kmscap_t_buf b[2];

/* Whether the example has printed a frame line into OUT yet. */
static bool kmscap_example_has_frame(void)
{
	char buf[4096];
	ssize_t n;
	int fd = open(OUT, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return strstr(buf, "frame ");
}

/*
 * Run the example with @args while flipping until it exits (10 s at
 * most); with @destroy, destroy display @id once the example has printed
 * a frame (so it is attached: not before, or it would find no display).
 * Return its output; *@status its wait status.
 */
static char *kmscap_run_example(const char *const args[], int ctl, uint32_t id,
				bool destroy, int *status)
{
	static char out[8192];
	uint64_t t0 = kmscap_t_now_ns();
	bool destroyed = false;
	unsigned int i = 0;
	ssize_t n;
	pid_t pid;
	int fd;

	/* the last run's output must not count as this one's first frame */
	unlink(OUT);
	pid = kmscap_t_spawn((char *const *)args, OUT);
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);

		KT_ASSERT(w >= 0, "waitpid: %s", strerror(errno));
		if (w == pid)
			break;
		if (kmscap_t_now_ns() - t0 > 10000000000ull) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			kmscap_t_fail("%s %s did not exit within 10 s", KMSCAP_T_EXAMPLE, args[1]);
		}
		if (destroy && !destroyed && kmscap_example_has_frame()) {
			KT_EXPECT_RET(kmscap_t_destroy(ctl, id), 0, "DESTROY under the example");
			destroyed = true;
		}
		if (!destroyed) {
			int r = kmscap_t_flip(&k, b[i & 1].fb_id, 3000);

			KT_ASSERT(!r, "flip %u: %s", i, kmscap_t_errname(r));
			i++;
		}
		kmscap_t_sleep_ms(20);
	}
	fd = open(OUT, O_RDONLY | O_CLOEXEC);
	KT_ASSERT(fd >= 0, "%s: %s", OUT, strerror(errno));
	n = read(fd, out, sizeof(out) - 1);
	close(fd);
	out[n > 0 ? n : 0] = 0;
	return out;
}

/* Lines of @out that are frame lines of the display's buffers (a revocation's line is not). */
static unsigned int kmscap_frames(const char *out)
{
	const char *p = out, *end;
	unsigned int n = 0;
	char line[512];

	for (; *p; p = *end ? end + 1 : end) {
		size_t len;

		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		len = (size_t)(end - p) < sizeof(line) ? (size_t)(end - p) : sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = 0;
		if (!strncmp(line, "frame ", 6) && strstr(line, "XR24") && strstr(line, "640x480") &&
		    strstr(line, "dma-buf of"))
			n++;
	}
	return n;
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_version ver;
	char id[16];
	const char *plain[] = { KMSCAP_T_EXAMPLE, id, "5", NULL };
	const char *ring[] = { KMSCAP_T_EXAMPLE, "--ring", id, "5", NULL };
	const char *gone[] = { KMSCAP_T_EXAMPLE, "--ring", id, "100000", NULL };
	char *out;
	int ctl, status, r;

	kmscap_t_init("example_capture", 120);
	ctl = kmscap_t_open_ctl_or_skip();
	if (access(KMSCAP_T_EXAMPLE, X_OK))
		kmscap_t_skip("%s: %s (make selftests builds it with libkmscap; run-vm.sh --extra "
			      "puts it into the VM)", KMSCAP_T_EXAMPLE, strerror(errno));
	r = kmscap_t_version(ctl, &ver);
	KT_ASSERT(!r, "VERSION: %s", kmscap_t_errname(r));
	kmscap_t_display_up(ctl, 640, 480, &c, &k, b, 2, 0);
	snprintf(id, sizeof(id), "%u", c.id);

	out = kmscap_run_example(plain, ctl, c.id, false, &status);
	KT_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status) && kmscap_frames(out) == 5,
		  "capture %s 5: status 0x%x, %u frame lines:\n%s", id, status,
		  kmscap_frames(out), out);
	kmscap_t_log("capture %s 5: five frames, exit 0", id);
	if (!(ver.caps & KMSCAP_CAP_FRAME_RING))
		kmscap_t_skip("the module has no KMSCAP_CAP_FRAME_RING (ABI %u.%u): capture --ring "
			      "not run; the read path passed", ver.major, ver.minor);
	out = kmscap_run_example(ring, ctl, c.id, false, &status);
	KT_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status) && kmscap_frames(out) == 5,
		  "capture --ring %s 5: status 0x%x, %u frame lines:\n%s", id, status,
		  kmscap_frames(out), out);
	kmscap_t_log("capture --ring %s 5: five frames, exit 0", id);

	out = kmscap_run_example(gone, ctl, c.id, true, &status);
	KT_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status) && strstr(out, "went away"),
		  "capture --ring with the display destroyed: status 0x%x:\n%s", status, out);
	kmscap_t_log("capture --ring: the display went away, exit 0");
	kmscap_t_buf_destroy(&b[0]);
	kmscap_t_buf_destroy(&b[1]);
	kmscap_t_kms_close(&k);
	close(ctl);
	kmscap_t_pass("examples/capture reads five frames, and five from the frame ring, and "
		      "ends when the display goes");
}
