// SPDX-License-Identifier: MIT
/*
 * display_quota: one user cannot take every display, nor watch another's.
 * max_displays is at most 64 (DRM's card minors).  uid 1001 creates
 * displays up to max_displays_per_user, the next CREATE fails with EDQUOT
 * while uid 1002 and root (CAP_SYS_ADMIN, exempt) still create theirs,
 * and once 1001 destroys one it may create again.  INFO of 1001's display,
 * with a client attached and frames flipped: 1001 and root see the
 * counters, uid 1002 sees the owner and mode but zero clients and frames,
 * no ACTIVE, and KMSCAP_INFO_RESTRICTED.  /dev/kmscap is made
 * world-accessible for the test and restored afterwards.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include "kmscap_test.h"

#define MAX_IDS	64

static unsigned int per_user;
static int id_pipe[2];
static uint32_t watched;

static unsigned int kmscap_param(const char *name)
{
	char path[128];
	unsigned int v;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/kmscap/parameters/%s", name);
	f = fopen(path, "r");
	KT_ASSERT(f, "%s: %s (old module without the parameter?)", path, strerror(errno));
	KT_ASSERT(fscanf(f, "%u", &v) == 1, "%s: not a number", path);
	fclose(f);
	return v;
}

static int kmscap_become_open(uid_t uid)
{
	int fd;

	kmscap_t_become(uid, NULL, 0);
	fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC);
	KT_ASSERT(fd >= 0, "uid %u: open %s: %s", uid, KMSCAP_T_CTL, strerror(errno));
	return fd;
}

/* uid 1001 fills its quota, is refused, frees one, creates again. */
static int kmscap_child_fill(void *arg)
{
	struct kmscap_display_create c;
	uint32_t ids[MAX_IDS];
	unsigned int i;
	int fd;

	(void)arg;
	fd = kmscap_become_open(1001);
	for (i = 0; i < per_user; i++) {
		KT_EXPECT_RET(kmscap_t_create(fd, 640, 480, 60000, 0, &c), 0,
			      "uid 1001: CREATE within its quota");
		ids[i] = c.id;
	}
	KT_EXPECT_RET(kmscap_t_create(fd, 640, 480, 60000, 0, &c), -EDQUOT,
		      "uid 1001: CREATE beyond max_displays_per_user");
	KT_EXPECT_RET(kmscap_t_destroy(fd, ids[0]), 0, "uid 1001: DESTROY");
	KT_EXPECT_RET(kmscap_t_create(fd, 640, 480, 60000, 0, &c), 0,
		      "uid 1001: CREATE after freeing one");
	ids[0] = c.id;
	KT_ASSERT(write(id_pipe[1], ids, per_user * sizeof(ids[0])) ==
		  (ssize_t)(per_user * sizeof(ids[0])), "pipe write");
	close(fd);
	return 0;
}

static int kmscap_child_other(void *arg)
{
	struct kmscap_display_create c;
	int fd;

	(void)arg;
	fd = kmscap_become_open(1002);
	KT_EXPECT_RET(kmscap_t_create(fd, 640, 480, 60000, 0, &c), 0,
		      "uid 1002: CREATE while uid 1001 is at its quota");
	KT_EXPECT_RET(kmscap_t_destroy(fd, c.id), 0, "uid 1002: DESTROY");
	close(fd);
	return 0;
}

static void kmscap_expect_counters(int fd, bool full, const char *who)
{
	struct kmscap_display_info info;

	KT_EXPECT_RET(kmscap_t_info(fd, watched, &info), 0, "INFO");
	KT_ASSERT(info.owner_uid == 1001 && info.width == 640 && info.height == 480,
		  "%s: INFO owner %u mode %ux%u", who, info.owner_uid, info.width, info.height);
	if (full)
		KT_ASSERT(info.clients == 1 && info.frames >= 1 &&
			  (info.flags & KMSCAP_INFO_ACTIVE) &&
			  !(info.flags & KMSCAP_INFO_RESTRICTED),
			  "%s: INFO clients %u frames %llu flags 0x%x, expected 1, >= 1, ACTIVE",
			  who, info.clients, (unsigned long long)info.frames, info.flags);
	else
		KT_ASSERT(info.clients == 0 && info.frames == 0 &&
			  !(info.flags & KMSCAP_INFO_ACTIVE) &&
			  (info.flags & KMSCAP_INFO_RESTRICTED),
			  "%s: INFO clients %u frames %llu flags 0x%x, expected 0, 0, RESTRICTED",
			  who, info.clients, (unsigned long long)info.frames, info.flags);
}

static int kmscap_child_owner_info(void *arg)
{
	(void)arg;
	kmscap_expect_counters(kmscap_become_open(1001), true, "owner uid 1001");
	return 0;
}

static int kmscap_child_stranger_info(void *arg)
{
	(void)arg;
	kmscap_expect_counters(kmscap_become_open(1002), false, "uid 1002");
	return 0;
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_display_info info;
	unsigned int max, i;
	uint32_t ids[MAX_IDS];
	struct kmscap_t_buf buf;
	struct kmscap_t_kms k;
	int ctl, n0, cl, r;

	kmscap_t_init("display_quota", 100);
	if (geteuid() != 0)
		kmscap_t_skip("needs root to switch to uids 1001 and 1002 (euid %u)", geteuid());
	ctl = kmscap_t_open_ctl_or_skip();
	max = kmscap_param("max_displays");
	per_user = kmscap_param("max_displays_per_user");
	KT_ASSERT(max >= 1 && max <= 64, "max_displays %u: DRM has 64 card minors", max);
	if (!per_user || per_user > max)
		per_user = max;
	n0 = kmscap_t_list(ctl, NULL, 0);
	KT_ASSERT(n0 >= 0, "LIST: %s", kmscap_t_errname(n0));
	kmscap_t_log("max_displays %u, max_displays_per_user %u, %d displays exist", max,
		     per_user, n0);
	if (per_user >= max || n0 + per_user + 2 > max || per_user > MAX_IDS)
		kmscap_t_skip("max_displays %u leaves no room to show max_displays_per_user %u "
			      "next to %d displays", max, per_user, n0);

	kmscap_t_node_set(KMSCAP_T_CTL, 0, 0, 0666);
	KT_ASSERT(!pipe(id_pipe), "pipe: %s", strerror(errno));

	kmscap_t_run_child(kmscap_child_fill, NULL, "uid 1001 filling its quota");
	KT_ASSERT(read(id_pipe[0], ids, per_user * sizeof(ids[0])) ==
		  (ssize_t)(per_user * sizeof(ids[0])), "no ids from the uid 1001 child");
	kmscap_t_run_child(kmscap_child_other, NULL, "uid 1002 next to a full quota");
	kmscap_t_create_or_die(ctl, 640, 480, 60000, &c);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");

	/* Activity on 1001's display: root (CAP_SYS_ADMIN) drives and captures it. */
	watched = ids[0];
	KT_EXPECT_RET(kmscap_t_info(ctl, watched, &info), 0, "INFO");
	kmscap_t_kms_open_or_die(&k, info.card_minor);
	cl = kmscap_t_client_or_die(watched, 0, 1000000);
	kmscap_t_buf_create_or_die(k.fd, 640, 480, DRM_FORMAT_XRGB8888, &buf);
	r = kmscap_t_atomic_modeset(&k, &buf);
	KT_ASSERT(!r, "atomic modeset: %s", kmscap_t_errname(r));
	KT_ASSERT(kmscap_t_drain(cl, 1000) >= 1, "no frame on the watched display");
	kmscap_expect_counters(ctl, true, "root");
	kmscap_t_run_child(kmscap_child_owner_info, NULL, "INFO as the owner");
	kmscap_t_run_child(kmscap_child_stranger_info, NULL, "INFO as uid 1002");

	close(cl);
	kmscap_t_buf_destroy(&buf);
	kmscap_t_kms_close(&k);
	for (i = 0; i < per_user; i++)
		KT_EXPECT_RET(kmscap_t_destroy(ctl, ids[i]), 0, "DESTROY of 1001's display");
	close(ctl);
	kmscap_t_pass("uid 1001 stopped at %u displays (EDQUOT), others not; counters shown "
		      "to the owner and root only", per_user);
}
