// SPDX-License-Identifier: MIT
/*
 * cred_passing: /dev/kmscap checks the credentials a file was opened
 * with, not the caller's.  A file root opened keeps root's rights in a
 * child that dropped to uid 1002 after the open (CONFIG, ATTACH, DESTROY
 * of root's display, CREATE of displays that root owns), while a file the
 * same child opens itself has only uid 1002's.  A file uid 1002 opened
 * and passed to root over a unix socket (SCM_RIGHTS) gains nothing: root
 * using it gets EPERM on root's display, a restricted INFO, and a display
 * it creates through it belongs to uid 1002.  /dev/kmscap is made
 * world-accessible for the test and restored afterwards.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kmscap_test.h"

static uint32_t root_display;
static int root_fd;
static int sock[2];

static void kmscap_send_fd(int s, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'k';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	KT_ASSERT(sendmsg(s, &msg, 0) == 1, "sendmsg: %s", strerror(errno));
}

static int kmscap_recv_fd(int s)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	KT_ASSERT(recvmsg(s, &msg, MSG_CMSG_CLOEXEC) == 1, "recvmsg: %s", strerror(errno));
	cm = CMSG_FIRSTHDR(&msg);
	KT_ASSERT(cm && cm->cmsg_type == SCM_RIGHTS, "no fd received");
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* Opened by root, used by uid 1002: root's rights. */
static int kmscap_child_inherits_root(void *arg)
{
	struct kmscap_display_create c;
	struct kmscap_display_info info;
	int own, cl;

	(void)arg;
	kmscap_t_become(1002, NULL, 0);
	KT_EXPECT_RET(kmscap_t_config(root_fd, root_display, KMSCAP_CONFIG_DISCONNECT, 0, 0, 0),
		      0, "uid 1002, root's file: CONFIG of root's display");
	KT_EXPECT_RET(kmscap_t_config(root_fd, root_display, KMSCAP_CONFIG_CONNECT, 0, 0, 0), 0,
		      "uid 1002, root's file: CONFIG of root's display");
	KT_EXPECT_RET(kmscap_t_info(root_fd, root_display, &info), 0, "INFO");
	KT_ASSERT(!(info.flags & KMSCAP_INFO_RESTRICTED),
		  "uid 1002, root's file: INFO of root's display restricted (flags 0x%x)",
		  info.flags);
	KT_EXPECT_RET(kmscap_t_create(root_fd, 640, 480, 60000, 0, &c), 0,
		      "uid 1002, root's file: CREATE");
	KT_EXPECT_RET(kmscap_t_info(root_fd, c.id, &info), 0, "INFO of the new display");
	KT_ASSERT(info.owner_uid == 0, "display created through root's file owned by uid %u",
		  info.owner_uid);

	/* A file this process opens itself has uid 1002's rights only. */
	own = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	KT_ASSERT(own >= 0, "uid 1002: open %s: %s", KMSCAP_T_CTL, strerror(errno));
	KT_EXPECT_RET(kmscap_t_destroy(own, c.id), -EPERM, "uid 1002, own file: DESTROY");
	KT_EXPECT_RET(kmscap_t_attach(own, root_display, 0, 0), -EPERM,
		      "uid 1002, own file: ATTACH to root's display");
	KT_EXPECT_RET(kmscap_t_info(own, root_display, &info), 0, "INFO");
	KT_ASSERT(info.flags & KMSCAP_INFO_RESTRICTED,
		  "uid 1002, own file: INFO of root's display not restricted (flags 0x%x)",
		  info.flags);
	close(own);

	KT_EXPECT_RET(kmscap_t_destroy(root_fd, c.id), 0, "uid 1002, root's file: DESTROY");
	cl = dup(root_fd);
	KT_ASSERT(cl >= 0, "dup: %s", strerror(errno));
	KT_EXPECT_RET(kmscap_t_attach(cl, root_display, 0, 0), 0,
		      "uid 1002, root's file: ATTACH to root's display");
	close(cl);
	return 0;
}

/* Opened by uid 1002, handed to root. */
static int kmscap_child_sends_own(void *arg)
{
	struct kmscap_display_create c;
	int fd;
	char done;

	(void)arg;
	kmscap_t_become(1002, NULL, 0);
	fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	KT_ASSERT(fd >= 0, "uid 1002: open %s: %s", KMSCAP_T_CTL, strerror(errno));
	KT_EXPECT_RET(kmscap_t_create(fd, 800, 600, 60000, 0, &c), 0, "CREATE as uid 1002");
	KT_ASSERT(write(sock[1], &c.id, sizeof(c.id)) == sizeof(c.id), "write: %s",
		  strerror(errno));
	kmscap_send_fd(sock[1], fd);
	close(fd);
	/* Stay until the parent is done, so that the file outlives us only by passing. */
	KT_ASSERT(read(sock[1], &done, 1) == 1, "read: %s", strerror(errno));
	return 0;
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_display_info info;
	uint32_t user_display;
	int st, passed;
	pid_t pid;

	kmscap_t_init("cred_passing", 100);
	if (geteuid() != 0)
		kmscap_t_skip("needs root to switch to uid 1002 (euid %u)", geteuid());
	root_fd = kmscap_t_open_ctl_or_skip();
	kmscap_t_node_set(KMSCAP_T_CTL, 0, 0, 0666);

	kmscap_t_create_or_die(root_fd, 1280, 720, 60000, &c);
	root_display = c.id;

	kmscap_t_run_child(kmscap_child_inherits_root, NULL, "uid 1002 child using root's file");

	KT_ASSERT(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock), "socketpair: %s",
		  strerror(errno));
	pid = kmscap_t_fork(kmscap_child_sends_own, NULL);
	KT_ASSERT(read(sock[0], &user_display, sizeof(user_display)) == sizeof(user_display),
		  "no display id from the uid 1002 child");
	passed = kmscap_recv_fd(sock[0]);
	KT_EXPECT_RET(kmscap_t_config(passed, root_display, KMSCAP_CONFIG_DISCONNECT, 0, 0, 0),
		      -EPERM, "root, uid 1002's file: CONFIG of root's display");
	KT_EXPECT_RET(kmscap_t_destroy(passed, root_display), -EPERM,
		      "root, uid 1002's file: DESTROY of root's display");
	KT_EXPECT_RET(kmscap_t_info(passed, root_display, &info), 0, "INFO");
	KT_ASSERT(info.flags & KMSCAP_INFO_RESTRICTED,
		  "root, uid 1002's file: INFO of root's display not restricted (flags 0x%x)",
		  info.flags);
	KT_EXPECT_RET(kmscap_t_info(passed, user_display, &info), 0, "INFO");
	KT_ASSERT(!(info.flags & KMSCAP_INFO_RESTRICTED) && info.owner_uid == 1002,
		  "root, uid 1002's file: INFO of 1002's display: flags 0x%x owner %u", info.flags,
		  info.owner_uid);
	KT_EXPECT_RET(kmscap_t_create(passed, 640, 480, 60000, 0, &c), 0,
		      "root, uid 1002's file: CREATE");
	KT_EXPECT_RET(kmscap_t_info(root_fd, c.id, &info), 0, "INFO");
	KT_ASSERT(info.owner_uid == 1002, "display created by root through uid 1002's file "
		  "owned by uid %u", info.owner_uid);
	KT_EXPECT_RET(kmscap_t_attach(passed, root_display, 0, 0), -EPERM,
		      "root, uid 1002's file: ATTACH to root's display");
	KT_ASSERT(write(sock[0], "x", 1) == 1, "write: %s", strerror(errno));
	st = kmscap_t_wait_child(pid);
	KT_ASSERT(st == 0, "uid 1002 child passing its file: exit status %d", st);
	close(passed);

	KT_EXPECT_RET(kmscap_t_destroy(root_fd, c.id), 0, "DESTROY");
	KT_EXPECT_RET(kmscap_t_destroy(root_fd, user_display), 0, "DESTROY");
	KT_EXPECT_RET(kmscap_t_destroy(root_fd, root_display), 0, "DESTROY");
	close(root_fd);
	kmscap_t_pass("rights follow the opener of the file: root's file kept them after "
		      "setresuid(1002), uid 1002's file passed to root gave none");
}
