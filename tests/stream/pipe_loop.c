// SPDX-License-Identifier: MIT
/*
 * A loop fed through pipes (pipe_loop.h).
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ks_test.h"
#include "pipe_loop.h"

void ks_pipe_loop_open(struct ks_pipe_loop *pl, struct ks_loop_config *cfg)
{
	int p[2], o[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	ck_assert_int_eq(pipe2(o, O_CLOEXEC | O_NONBLOCK), 0);
	pl->src_rd = p[0];
	pl->src_wr = p[1];
	pl->out_rd = o[0];
	pl->out_wr = o[1];
	memset(cfg, 0, sizeof(*cfg));
	cfg->src_fd = pl->src_rd;
	cfg->out_fd = pl->out_wr;
	cfg->stats_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(cfg->stats_fd, 0);
}

void ks_pipe_loop_close(struct ks_pipe_loop *pl, const struct ks_loop_config *cfg, char *out,
			size_t outlen)
{
	ssize_t r = read(pl->out_rd, out, outlen - 1);

	out[r > 0 ? r : 0] = '\0';
	close(pl->out_rd);
	close(pl->out_wr);
	close(pl->src_rd);
	if (pl->src_wr >= 0)
		close(pl->src_wr);
	close(cfg->stats_fd);
}

size_t ks_framed_frame(unsigned char *buf, uint64_t seq)
{
	struct kmscap_event_frame f;

	memset(&f, 0, sizeof(f));
	f.base.type = KMSCAP_EVENT_FRAME;
	f.base.length = sizeof(f);
	f.flags = KMSCAP_FRAME_FULL_DAMAGE;
	f.seq = seq;
	f.width = 64;
	f.height = 48;
	f.num_planes = 1;
	f.damage_offset = sizeof(f);
	memcpy(buf, &f, sizeof(f));
	return sizeof(f);
}
