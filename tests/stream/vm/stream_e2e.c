// SPDX-License-Identifier: MIT
/*
 * stream_e2e: the end-to-end run of kmscap-stream, inside the test VM.
 *
 *   stream_e2e KMSCAP_STREAM VADRIVER_DIR FRAMES
 *
 * Creates a 640x480@30 display, starts KMSCAP_STREAM on it with the
 * software test VA driver (VADRIVER_DIR) on vgem's render node, writing
 * /out/e2e.h264 and its JSON statistics to /out/stream.log, and flips
 * FRAMES numbered pictures (tests/stream/e2e_pattern.h) onto the display
 * with atomic commits.  The helper stops by itself after FRAMES frames.
 * /out/e2e.txt gets "flips N" and "status S".  The host side
 * (tests/stream/test_e2e.c) decodes and checks the pictures.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmscap_test.h"
#include "../e2e_pattern.h"

/* The render node whose driver is vgem. */
static int ks_vgem_render(char *path, size_t size)
{
	struct dirent *d;
	DIR *dir = opendir("/dev/dri");
	int found = -ENOENT;

	if (!dir)
		return -errno;
	while ((d = readdir(dir)) && found) {
		drmVersionPtr v;
		int fd;

		if (strncmp(d->d_name, "renderD", 7))
			continue;
		snprintf(path, size, "/dev/dri/%s", d->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && !strcmp(v->name, "vgem"))
			found = 0;
		drmFreeVersion(v);
		close(fd);
	}
	closedir(dir);
	return found;
}

static void ks_draw(struct kmscap_t_buf *b, unsigned int n)
{
	uint32_t x, y;

	for (y = 0; y < b->height; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)b->map + (size_t)y * b->pitch);

		for (x = 0; x < b->width; x++)
			row[x] = ks_e2e_xrgb(n, x, y);
	}
}

int main(int argc, char **argv)
{
	struct kmscap_display_create dc;
	struct kmscap_display_info info;
	struct kmscap_t_buf buf[2];
	struct kmscap_t_kms k;
	char render[64], id[16], frames[16];
	unsigned int n, i, waited;
	int ctl, status, ret, log;
	FILE *txt;
	pid_t pid;

	kmscap_t_init("stream_e2e", 900);
	if (argc != 4)
		kmscap_t_fail("usage: stream_e2e KMSCAP_STREAM VADRIVER_DIR FRAMES");
	n = (unsigned int)atoi(argv[3]);
	if (ks_vgem_render(render, sizeof(render)))
		kmscap_t_skip("no vgem render node in /dev/dri");
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, KS_E2E_W, KS_E2E_H, 30000, &dc);
	snprintf(id, sizeof(id), "%u", dc.id);
	snprintf(frames, sizeof(frames), "%u", n);
	mkdir("/out", 0755);

	pid = fork();
	KT_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		log = open("/out/stream.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (log >= 0)
			dup2(log, STDERR_FILENO);
		setenv("LIBVA_DRIVER_NAME", "kmscap_test", 1);
		setenv("LIBVA_DRIVERS_PATH", argv[2], 1);
		setenv("LIBVA_MESSAGING_LEVEL", "2", 1);
		execl(argv[1], argv[1], "--display", id, "--device", render, "--rc", "cqp",
		      "--frames", frames, "--queue-depth", "64", "--hold-timeout", "10000",
		      "--json", "-o", "/out/e2e.h264", (char *)NULL);
		_exit(127);
	}
	/* start flipping once the helper is attached */
	for (waited = 0;; waited += 10) {
		ret = kmscap_t_info(ctl, dc.id, &info);
		KT_ASSERT(!ret, "display info: %d", ret);
		if (info.clients)
			break;
		if (waited > 120000)
			kmscap_t_fail("kmscap-stream did not attach within 120 s");
		if (waitpid(pid, &status, WNOHANG) == pid)
			kmscap_t_fail("kmscap-stream exited early (status %#x), see /out/stream.log",
				      status);
		kmscap_t_sleep_ms(10);
	}
	kmscap_t_kms_open_or_die(&k, dc.card_minor);
	for (i = 0; i < 2; i++)
		kmscap_t_buf_create_or_die(k.fd, KS_E2E_W, KS_E2E_H, DRM_FORMAT_XRGB8888, &buf[i]);
	for (i = 0; i < n; i++) {
		ks_draw(&buf[i % 2], i);
		if (!i)
			ret = kmscap_t_atomic_modeset(&k, &buf[0]);
		else
			ret = kmscap_t_atomic_flip(&k, &buf[i % 2], NULL, 0, false);
		KT_ASSERT(!ret, "commit of frame %u: %d", i, ret);
	}
	status = kmscap_t_wait_child(pid);
	txt = fopen("/out/e2e.txt", "w");
	KT_ASSERT(txt, "/out/e2e.txt: %s", strerror(errno));
	fprintf(txt, "flips %u\nstatus %d\n", n, status);
	fclose(txt);
	for (i = 0; i < 2; i++)
		kmscap_t_buf_destroy(&buf[i]);
	kmscap_t_kms_close(&k);
	kmscap_t_destroy(ctl, dc.id);
	if (status)
		kmscap_t_fail("kmscap-stream exited with status %d, see /out/stream.log", status);
	kmscap_t_pass("%u frames flipped, stream in /out/e2e.h264", n);
}
