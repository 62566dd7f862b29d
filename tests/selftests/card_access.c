// SPDX-License-Identifier: MIT
/*
 * card_access: only a display's owner (or CAP_SYS_ADMIN) can open its
 * /dev/dri/cardN, whatever the node's mode.  The nodes get what the udev
 * rule gives them (root:kmscap 0660; there is no udev in the VM), so uid
 * 1001, a member of group kmscap, passes the VFS check on every kmscap
 * card: the kernel must refuse it root's card (EACCES) and let it open
 * its own, as DRM master.  A node made world-writable still keeps uid 1002
 * out of 1001's card, so a stranger can never become the master first;
 * root opens any card.  Node modes are restored however the test ends.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmscap_test.h"

#define KMSCAP_GID	990

struct kmscap_node {
	char path[64];
	struct stat st;
	bool saved;
};

/* /dev/kmscap, root's card, 1001's card */
static struct kmscap_node nodes[3];
static pid_t parent_pid;
static int id_pipe[2];

static void kmscap_restore_nodes(void)
{
	unsigned int i;

	if (getpid() != parent_pid)
		return;
	for (i = 0; i < KMSCAP_T_ARRAY_SIZE(nodes); i++) {
		if (!nodes[i].saved)
			continue;
		/* A card node goes with its display. */
		if ((chown(nodes[i].path, nodes[i].st.st_uid, nodes[i].st.st_gid) ||
		     chmod(nodes[i].path, nodes[i].st.st_mode & 07777)) && errno != ENOENT)
			printf("card_access: restoring %s: %s\n", nodes[i].path, strerror(errno));
	}
}

/* Give @path the owner and mode of the udev rule, or @mode. */
static void kmscap_node_set(struct kmscap_node *n, const char *path, mode_t mode)
{
	if (!n->saved) {
		snprintf(n->path, sizeof(n->path), "%s", path);
		KT_ASSERT(!stat(path, &n->st), "stat %s: %s", path, strerror(errno));
		n->saved = true;
	}
	KT_ASSERT(!chown(path, 0, KMSCAP_GID), "chown %s: %s", path, strerror(errno));
	KT_ASSERT(!chmod(path, mode), "chmod %s: %s", path, strerror(errno));
}

static void kmscap_card_node(struct kmscap_node *n, unsigned int minor, mode_t mode)
{
	char path[64];
	int fd;

	/* kmscap_t_open_card() creates the node when devtmpfs has none. */
	fd = kmscap_t_open_card(minor);
	KT_ASSERT(fd >= 0, "open card%u as root: %s", minor, kmscap_t_errname(fd));
	close(fd);
	snprintf(path, sizeof(path), "/dev/dri/card%u", minor);
	kmscap_node_set(n, path, mode);
}

/* Become @uid with the supplementary groups /etc/group gives it in the VM. */
static void kmscap_become(uid_t uid)
{
	gid_t member = KMSCAP_GID;

	if (setgroups(uid == 1001 ? 1 : 0, &member) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		kmscap_t_fail("switching to uid %u: %s", uid, strerror(errno));
}

static int kmscap_open_path(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static unsigned int root_minor, user_minor;

static int kmscap_child_member(void *arg)
{
	struct kmscap_display_create c;
	char path[64];
	int ctl, fd;

	(void)arg;
	kmscap_become(1001);
	snprintf(path, sizeof(path), "/dev/dri/card%u", root_minor);
	fd = kmscap_open_path(path);
	KT_ASSERT(fd == -EACCES, "uid 1001 (group kmscap) opened root's %s: %s, expected EACCES",
		  path, fd >= 0 ? "it opened" : kmscap_t_errname(fd));

	ctl = kmscap_open_path(KMSCAP_T_CTL);
	KT_ASSERT(ctl >= 0, "uid 1001: open %s: %s", KMSCAP_T_CTL, kmscap_t_errname(ctl));
	KT_EXPECT_RET(kmscap_t_create(ctl, 640, 480, 60000, 0, &c), 0, "CREATE as uid 1001");
	KT_ASSERT(write(id_pipe[1], &c, sizeof(c)) == sizeof(c), "pipe write");
	close(ctl);
	return 0;
}

static int kmscap_child_owner(void *arg)
{
	char path[64];
	int fd, fd2;

	(void)arg;
	kmscap_become(1001);
	snprintf(path, sizeof(path), "/dev/dri/card%u", user_minor);
	fd = kmscap_open_path(path);
	KT_ASSERT(fd >= 0, "uid 1001: open its own %s: %s", path, kmscap_t_errname(fd));
	KT_ASSERT(drmIsMaster(fd), "uid 1001: first opener of its own %s is not DRM master",
		  path);
	fd2 = kmscap_open_path(path);
	KT_ASSERT(fd2 >= 0, "uid 1001: second open of %s: %s", path, kmscap_t_errname(fd2));
	close(fd2);
	close(fd);
	return 0;
}

static int kmscap_child_stranger(void *arg)
{
	char path[64];
	int fd;

	(void)arg;
	kmscap_become(1002);
	snprintf(path, sizeof(path), "/dev/dri/card%u", user_minor);
	fd = kmscap_open_path(path);
	KT_ASSERT(fd == -EACCES, "uid 1002 opened uid 1001's %s (mode 0666): %s, expected EACCES",
		  path, fd >= 0 ? "it opened" : kmscap_t_errname(fd));
	snprintf(path, sizeof(path), "/dev/dri/card%u", root_minor);
	fd = kmscap_open_path(path);
	KT_ASSERT(fd == -EACCES, "uid 1002 opened root's %s (mode 0666): %s, expected EACCES",
		  path, fd >= 0 ? "it opened" : kmscap_t_errname(fd));
	return 0;
}

static void kmscap_run(int (*fn)(void *), const char *what)
{
	int st = kmscap_t_wait_child(kmscap_t_fork(fn, NULL));

	if (st != 0)
		kmscap_t_fail("%s: child exited with status %d", what, st);
}

int main(void)
{
	struct kmscap_display_create root_disp, user_disp;
	int ctl, fd;

	kmscap_t_init("card_access", 100);
	if (geteuid() != 0)
		kmscap_t_skip("needs root to switch to uids 1001 and 1002 (euid %u)", geteuid());
	ctl = kmscap_t_open_ctl_or_skip();
	parent_pid = getpid();
	atexit(kmscap_restore_nodes);
	KT_ASSERT(!pipe(id_pipe), "pipe: %s", strerror(errno));

	/* As the udev rule: root:kmscap 0660. */
	kmscap_node_set(&nodes[0], KMSCAP_T_CTL, 0660);
	kmscap_t_create_or_die(ctl, 800, 600, 60000, &root_disp);
	root_minor = root_disp.card_minor;
	kmscap_card_node(&nodes[1], root_minor, 0660);

	kmscap_run(kmscap_child_member, "uid 1001 on root's card");
	KT_ASSERT(read(id_pipe[0], &user_disp, sizeof(user_disp)) == sizeof(user_disp),
		  "no display from the uid 1001 child");
	user_minor = user_disp.card_minor;
	kmscap_card_node(&nodes[2], user_minor, 0660);
	kmscap_t_log("root's display %u is card%u, uid 1001's display %u is card%u",
		     root_disp.id, root_minor, user_disp.id, user_minor);
	kmscap_run(kmscap_child_owner, "uid 1001 on its own card");

	/* Even world-writable nodes keep a stranger out. */
	KT_ASSERT(!chmod(nodes[1].path, 0666) && !chmod(nodes[2].path, 0666), "chmod 0666: %s",
		  strerror(errno));
	kmscap_run(kmscap_child_stranger, "uid 1002 on 0666 cards");

	/* CAP_SYS_ADMIN opens every card. */
	fd = kmscap_t_open_card(user_minor);
	KT_ASSERT(fd >= 0, "root: open uid 1001's card%u: %s", user_minor, kmscap_t_errname(fd));
	close(fd);

	KT_EXPECT_RET(kmscap_t_destroy(ctl, user_disp.id), 0, "DESTROY of 1001's display as root");
	KT_EXPECT_RET(kmscap_t_destroy(ctl, root_disp.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("card nodes: owner (as master) and root may open; a group member and a "
		      "stranger get EACCES");
}
