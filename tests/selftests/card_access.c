// SPDX-License-Identifier: MIT
/*
 * card_access: only a display's owner (or CAP_SYS_ADMIN) can open its
 * /dev/dri/cardN, whatever the node's mode.  The nodes get what the udev
 * rule gives them (root:kmscap 0660; there is no udev in the VM), so uid
 * 1001, a member of group kmscap, passes the VFS check on every kmscap
 * card: the kernel must refuse it root's card (EACCES) and let it open
 * its own, as DRM master.  A node made world-writable still keeps uid 1002
 * out of 1001's card, so a stranger can never become the master first;
 * root opens any card.  Node owners and modes are restored however the
 * test ends.
 */
#define _GNU_SOURCE
#include <unistd.h>

#include "kmscap_test.h"

static const gid_t kmscap_member_groups[] = { KMSCAP_T_GID };
static unsigned int root_minor, user_minor;
static int id_pipe[2];

static void kmscap_card_path(char *path, size_t len, unsigned int minor)
{
	snprintf(path, len, "/dev/dri/card%u", minor);
}

/* As the udev rule: root:kmscap, @mode (kmscap_t_open_card() makes a missing node). */
static void kmscap_card_node(unsigned int minor, mode_t mode)
{
	char path[64];
	int fd;

	fd = kmscap_t_open_card(minor);
	KT_ASSERT(fd >= 0, "open card%u as root: %s", minor, kmscap_t_errname(fd));
	close(fd);
	kmscap_card_path(path, sizeof(path), minor);
	kmscap_t_node_set(path, 0, KMSCAP_T_GID, mode);
}

/* Open card @minor as the current uid: the fd or -errno. */
static int kmscap_card_open(unsigned int minor)
{
	char path[64];
	int fd;

	kmscap_card_path(path, sizeof(path), minor);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void kmscap_card_refused(unsigned int minor, const char *whose)
{
	int fd = kmscap_card_open(minor);

	KT_ASSERT(fd == -EACCES, "uid %u opened %s card%u: %s, expected EACCES", geteuid(),
		  whose, minor, fd >= 0 ? "it opened" : kmscap_t_errname(fd));
}

static int kmscap_child_member(void *arg)
{
	struct kmscap_display_create c;
	int ctl;

	(void)arg;
	kmscap_t_become(1001, kmscap_member_groups, 1);
	kmscap_card_refused(root_minor, "root's");
	ctl = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	KT_ASSERT(ctl >= 0, "uid 1001: open %s: %s", KMSCAP_T_CTL, strerror(errno));
	KT_EXPECT_RET(kmscap_t_create(ctl, 640, 480, 60000, 0, &c), 0, "CREATE as uid 1001");
	KT_ASSERT(write(id_pipe[1], &c, sizeof(c)) == sizeof(c), "pipe write");
	close(ctl);
	return 0;
}

static int kmscap_child_owner(void *arg)
{
	int fd, fd2;

	(void)arg;
	kmscap_t_become(1001, kmscap_member_groups, 1);
	fd = kmscap_card_open(user_minor);
	KT_ASSERT(fd >= 0, "uid 1001: open its own card%u: %s", user_minor, kmscap_t_errname(fd));
	KT_ASSERT(drmIsMaster(fd), "uid 1001: first opener of its own card%u is not DRM master",
		  user_minor);
	fd2 = kmscap_card_open(user_minor);
	KT_ASSERT(fd2 >= 0, "uid 1001: second open of card%u: %s", user_minor,
		  kmscap_t_errname(fd2));
	close(fd2);
	close(fd);
	return 0;
}

static int kmscap_child_stranger(void *arg)
{
	(void)arg;
	kmscap_t_become(1002, NULL, 0);
	kmscap_card_refused(user_minor, "uid 1001's (mode 0666)");
	kmscap_card_refused(root_minor, "root's (mode 0666)");
	return 0;
}

int main(void)
{
	struct kmscap_display_create root_disp, user_disp;
	int ctl, fd;

	kmscap_t_init("card_access", 100);
	if (geteuid() != 0)
		kmscap_t_skip("needs root to switch to uids 1001 and 1002 (euid %u)", geteuid());
	ctl = kmscap_t_open_ctl_or_skip();
	KT_ASSERT(!pipe(id_pipe), "pipe: %s", strerror(errno));

	/* As the udev rule: root:kmscap 0660. */
	kmscap_t_node_set(KMSCAP_T_CTL, 0, KMSCAP_T_GID, 0660);
	kmscap_t_create_or_die(ctl, 800, 600, 60000, &root_disp);
	root_minor = root_disp.card_minor;
	kmscap_card_node(root_minor, 0660);

	kmscap_t_run_child(kmscap_child_member, NULL, "uid 1001 on root's card");
	KT_ASSERT(read(id_pipe[0], &user_disp, sizeof(user_disp)) == sizeof(user_disp),
		  "no display from the uid 1001 child");
	user_minor = user_disp.card_minor;
	kmscap_card_node(user_minor, 0660);
	kmscap_t_log("root's display %u is card%u, uid 1001's display %u is card%u",
		     root_disp.id, root_minor, user_disp.id, user_minor);
	kmscap_t_run_child(kmscap_child_owner, NULL, "uid 1001 on its own card");

	/* Even world-writable nodes keep a stranger out. */
	kmscap_card_node(root_minor, 0666);
	kmscap_card_node(user_minor, 0666);
	kmscap_t_run_child(kmscap_child_stranger, NULL, "uid 1002 on 0666 cards");

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
