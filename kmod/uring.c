// SPDX-License-Identifier: GPL-2.0-only
/*
 * io_uring commands on /dev/kmscap (IORING_OP_URING_CMD, since ABI 1.5).
 *
 * A client that waits for frames in an io_uring (a poll linked to a read)
 * gives each frame back in the same ring: the release of one frame and
 * the read of the next go in together, and one io_uring_enter() does
 * both.  The one command is KMSCAP_IOC_RELEASE, with its struct
 * kmscap_release at the start of the entry's command area; the result is
 * the ioctl's, in the completion.
 *
 * The command area lies in memory the caller shares with the kernel (the
 * submission queue, or io_uring's copy of it for a deferred request): it
 * is copied once, then checked and used from the copy only.
 */

#include <linux/fs.h>
#include <linux/string.h>
#include KMSCAP_IO_URING_CMD_H

#include "kmscap_drv.h"

/* The uring_cmd_flags a caller may set: io_uring keeps the top 8 bits. */
#define KMSCAP_URING_CMD_USER_FLAGS	0x00ffffffU

/* The command area: 16 bytes of the 64-byte entry, 80 of a 128-byte one. */
#define KMSCAP_URING_CMD_SIZE		16
#define KMSCAP_URING_CMD_SIZE128	80

/**
 * kmscap_client_uring_cmd - file_operations.uring_cmd of /dev/kmscap
 * @ioucmd: the command
 * @issue_flags: IO_URING_F_*; with IO_URING_F_NONBLOCK the release does
 *	not wait for another thread's read (-EAGAIN: io_uring retries it
 *	from a worker, where it may)
 *
 * Return: the completion's result: what %KMSCAP_IOC_RELEASE returns,
 * -ENOTTY for another command, -EINVAL for flags or a non-zero tail.
 */
int kmscap_client_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	struct kmscap_client *client = ioucmd->file->private_data;
	size_t size = issue_flags & IO_URING_F_SQE128 ? KMSCAP_URING_CMD_SIZE128 :
			KMSCAP_URING_CMD_SIZE;
	u8 area[KMSCAP_URING_CMD_SIZE128];
	struct kmscap_release req;

	BUILD_BUG_ON(sizeof(req) > KMSCAP_URING_CMD_SIZE);
	if (ioucmd->cmd_op != KMSCAP_IOC_RELEASE)
		return -ENOTTY;
	if (ioucmd->flags & KMSCAP_URING_CMD_USER_FLAGS)
		return -EINVAL;
	memcpy(area, kmscap_uring_cmd_payload(ioucmd), size);
	if (memchr_inv(area + sizeof(req), 0, size - sizeof(req)))
		return -EINVAL;
	memcpy(&req, area, sizeof(req));
	if (!READ_ONCE(client->disp))
		return -EINVAL;
	return kmscap_capture_release(client, req.seq, issue_flags & IO_URING_F_NONBLOCK);
}
