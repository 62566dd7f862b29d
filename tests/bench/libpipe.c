// SPDX-License-Identifier: MIT
/*
 * libpipe: pacing an encoder frame by frame, for the pipeline benches
 * (kmscap-bench-pipeline, kmscap-bench-instr): draw a frame that changes
 * everywhere, then wait until its coded data is whole in the encoder's
 * output file before the next flip.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libpipe.h"
#include "../demo/kmscap_streamrun.h"

unsigned int kmscap_bp_frame_timeout_ms = 120000;

off_t kmscap_bp_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_size;
}

/* 1 when every thread of @pid sleeps (none running or in uninterruptible wait). */
int kmscap_bp_idle(pid_t pid)
{
	char path[300], buf[512], *p;
	struct dirent *d;
	int idle = 1;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while (idle && (d = readdir(dir))) {
		FILE *f;
		size_t n;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid, d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p && (p[2] == 'R' || p[2] == 'D'))
			idle = 0;
	}
	closedir(dir);
	return idle;
}

/*
 * Wait until the frame's coded data is in @path: the file grew past
 * @size, then stayed the same size for 10 ms with every thread of the
 * encoder asleep (a write still in progress shows a growing size).
 * Returns the new size.
 */
off_t kmscap_bp_wait_frame(const char *path, off_t size, pid_t pid, const char *what,
				  unsigned int frame)
{
	unsigned int waited, stable = 0;
	off_t now, last = size;
	int status;

	for (waited = 0; stable < 10; waited++) {
		if (waited > kmscap_bp_frame_timeout_ms)
			kmscap_t_fail("%s: frame %u not encoded into %s within %u s", what,
				      frame, path, kmscap_bp_frame_timeout_ms / 1000);
		if (waitpid(pid, &status, WNOHANG) == pid)
			kmscap_t_fail("%s: the encoder exited (status %#x) at frame %u", what,
				      status, frame);
		kmscap_t_sleep_ms(1);
		now = kmscap_bp_size(path);
		if (now > size && now == last && kmscap_bp_idle(pid))
			stable++;
		else
			stable = 0;
		last = now;
	}
	return last;
}

void kmscap_bp_draw(struct kmscap_t_buf *b, unsigned int n)
{
	uint32_t y, band = (n * 37) % b->height;

	/* a full-frame change every time: a gradient shifted by n rows */
	for (y = 0; y < b->height; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)b->map + (size_t)y * b->pitch);
		uint32_t v = 0xff000000u | (((y + band) & 0xff) << 16) | ((n * 9) & 0xff) << 8, x;

		for (x = 0; x < b->width; x++)
			row[x] = v | (x & 0xff);
	}
}
void kmscap_bp_screen_open(struct kmscap_t_kms *k, struct kmscap_t_buf buf[2],
			   const struct kmscap_display_create *dc, uint32_t w, uint32_t h)
{
	unsigned int i;

	kmscap_t_kms_open_or_die(k, dc->card_minor);
	for (i = 0; i < 2; i++)
		kmscap_t_buf_create_or_die(k->fd, w, h, DRM_FORMAT_XRGB8888, &buf[i]);
}

void kmscap_bp_screen_close(struct kmscap_t_kms *k, struct kmscap_t_buf buf[2], int ctl,
			    uint32_t display_id)
{
	unsigned int i;
	int ret;

	for (i = 0; i < 2; i++)
		kmscap_t_buf_destroy(&buf[i]);
	kmscap_t_kms_close(k);
	ret = kmscap_t_destroy(ctl, display_id);
	if (ret)
		kmscap_t_fail("DESTROY %u: %s", display_id, kmscap_t_errname(ret));
}

uint64_t kmscap_bp_render_paced(struct kmscap_t_kms *k, struct kmscap_t_buf buf[2],
				unsigned int frames, pid_t pid, const char *out, const char *what)
{
	uint64_t cpu1 = 0;
	unsigned int i;
	off_t size;
	int ret;

	for (i = 0, size = 0; i < frames; i++) {
		kmscap_bp_draw(&buf[i & 1], i);
		if (!i)
			ret = kmscap_t_atomic_modeset(k, &buf[0]);
		else
			ret = kmscap_t_atomic_flip(k, &buf[i & 1], NULL, 0, false);
		KT_ASSERT(!ret, "%s: commit of frame %u: %s", what, i, kmscap_t_errname(ret));
		if (i == frames - 1)
			break;	/* the program exits after this one */
		size = kmscap_bp_wait_frame(out, size, pid, what, i);
		if (!i)
			cpu1 = kmscap_sr_proc_cpu_ns(pid);
	}
	return cpu1;
}
