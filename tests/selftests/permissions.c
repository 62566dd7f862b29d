// SPDX-License-Identifier: MIT
/*
 * permissions: a display belongs to its creator's euid.  Forked children
 * running as uid 1001 / 1002 (setresuid, no capabilities) may INFO
 * (without counters: KMSCAP_INFO_RESTRICTED) and LIST any display and
 * create their own, but DISPLAY_CONFIG / DESTROY / ATTACH on someone
 * else's display fail with -EPERM; root (CAP_SYS_ADMIN) may act on
 * every display.  /dev/kmscap is made world-accessible for the test (as the
 * udev rule would) and restored afterwards.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include "kmscap_test.h"

static uint32_t root_display, user_display;
static int id_pipe[2];

static int kmscap_open_as_user(void)
{
	int fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		kmscap_t_fail("uid %u: open %s: %s", geteuid(), KMSCAP_T_CTL, strerror(errno));
	return fd;
}

/* Everything a stranger may and may not do to display @id owned by someone else. */
static void kmscap_stranger(int fd, uint32_t id, uint32_t owner)
{
	struct kmscap_display_info info;
	uint32_t ids[64];
	int n, i, seen = 0;

	KT_EXPECT_RET(kmscap_t_info(fd, id, &info), 0, "INFO of another user's display");
	KT_ASSERT(info.owner_uid == owner, "INFO owner_uid %u, expected %u", info.owner_uid,
		  owner);
	KT_ASSERT(info.flags & KMSCAP_INFO_RESTRICTED,
		  "INFO of another user's display without KMSCAP_INFO_RESTRICTED (flags 0x%x)",
		  info.flags);
	n = kmscap_t_list(fd, ids, 64);
	KT_ASSERT(n > 0, "LIST as uid %u: %s", geteuid(), kmscap_t_errname(n));
	for (i = 0; i < n && i < 64; i++)
		seen |= ids[i] == id;
	KT_ASSERT(seen, "LIST as uid %u lacks display %u", geteuid(), id);
	KT_EXPECT_RET(kmscap_t_config(fd, id, KMSCAP_CONFIG_DISCONNECT, 0, 0, 0), -EPERM,
		      "CONFIG of another user's display");
	KT_EXPECT_RET(kmscap_t_config(fd, id, KMSCAP_CONFIG_MODE, 800, 600, 60000), -EPERM,
		      "CONFIG_MODE of another user's display");
	KT_EXPECT_RET(kmscap_t_destroy(fd, id), -EPERM, "DESTROY of another user's display");
	KT_EXPECT_RET(kmscap_t_attach(fd, id, 0, 0), -EPERM, "ATTACH to another user's display");
	/* The refused ATTACH left the fd unattached: attaching elsewhere still works later. */
	KT_EXPECT_RET(kmscap_t_info(fd, id, &info), 0, "INFO after refusals");
	KT_ASSERT(info.clients == 0, "display %u has %u clients after refused ATTACH", id,
		  info.clients);
}

static int kmscap_child_1001(void *arg)
{
	struct kmscap_display_create c;
	struct kmscap_display_info info;
	int fd, fd2;

	(void)arg;
	kmscap_t_become(1001, NULL, 0);
	fd = kmscap_open_as_user();
	kmscap_stranger(fd, root_display, 0);

	KT_EXPECT_RET(kmscap_t_create(fd, 800, 600, 60000, 0, &c), 0, "CREATE as uid 1001");
	KT_EXPECT_RET(kmscap_t_info(fd, c.id, &info), 0, "INFO of own display");
	KT_ASSERT(info.owner_uid == 1001, "own display owner_uid %u, expected 1001",
		  info.owner_uid);
	KT_EXPECT_RET(kmscap_t_config(fd, c.id, KMSCAP_CONFIG_MODE, 1024, 768, 60000), 0,
		      "CONFIG_MODE of own display");
	fd2 = kmscap_open_as_user();
	KT_EXPECT_RET(kmscap_t_attach(fd2, c.id, 0, 0), 0, "ATTACH to own display");
	close(fd2);
	KT_ASSERT(write(id_pipe[1], &c.id, sizeof(c.id)) == sizeof(c.id), "pipe write");
	close(fd);
	return 0;
}

static int kmscap_child_1002(void *arg)
{
	int fd;

	(void)arg;
	kmscap_t_become(1002, NULL, 0);
	fd = kmscap_open_as_user();
	kmscap_stranger(fd, user_display, 1001);
	kmscap_stranger(fd, root_display, 0);
	close(fd);
	return 0;
}

static int kmscap_child_1001_destroy(void *arg)
{
	struct kmscap_display_info info;
	int fd;

	(void)arg;
	kmscap_t_become(1001, NULL, 0);
	fd = kmscap_open_as_user();
	KT_EXPECT_RET(kmscap_t_destroy(fd, user_display), 0, "DESTROY of own display as 1001");
	KT_EXPECT_RET(kmscap_t_info(fd, user_display, &info), -ENOENT, "INFO after DESTROY");
	close(fd);
	return 0;
}

int main(void)
{
	struct kmscap_display_create c;
	int ctl, fd;

	kmscap_t_init("permissions", 100);
	if (geteuid() != 0)
		kmscap_t_skip("needs root to switch to uids 1001 and 1002 (euid %u)", geteuid());
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_node_set(KMSCAP_T_CTL, 0, 0, 0666);
	KT_ASSERT(!pipe(id_pipe), "pipe: %s", strerror(errno));

	kmscap_t_create_or_die(ctl, 1280, 720, 60000, &c);
	root_display = c.id;

	kmscap_t_run_child(kmscap_child_1001, NULL, "uid 1001");
	KT_ASSERT(read(id_pipe[0], &user_display, sizeof(user_display)) == sizeof(user_display),
		  "no display id from the uid 1001 child");
	kmscap_t_log("root display %u, uid 1001 display %u", root_display, user_display);
	kmscap_t_run_child(kmscap_child_1002, NULL, "uid 1002");

	/* CAP_SYS_ADMIN may configure and capture anyone's display. */
	KT_EXPECT_RET(kmscap_t_config(ctl, user_display, KMSCAP_CONFIG_DISCONNECT, 0, 0, 0), 0,
		      "CONFIG of uid 1001's display as root");
	KT_EXPECT_RET(kmscap_t_config(ctl, user_display, KMSCAP_CONFIG_CONNECT, 0, 0, 0), 0,
		      "CONFIG of uid 1001's display as root");
	fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	KT_ASSERT(fd >= 0, "open %s: %s", KMSCAP_T_CTL, strerror(errno));
	KT_EXPECT_RET(kmscap_t_attach(fd, user_display, 0, 0), 0,
		      "ATTACH to uid 1001's display as root");
	close(fd);

	kmscap_t_run_child(kmscap_child_1001_destroy, NULL, "uid 1001 destroying its display");
	KT_EXPECT_RET(kmscap_t_destroy(ctl, root_display), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("uids 1001/1002 get EPERM on foreign displays; owner and root allowed");
}
