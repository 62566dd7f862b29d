// SPDX-License-Identifier: MIT
/*
 * kmscapctl: create, list, reconfigure and remove kmscap virtual displays.
 * Everything but main(), so that unit tests can run the commands against
 * a fake device.
 */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libkmscap.h"
#include "kmscapctl.h"

#define KMSCAPCTL_DEBUGFS	"/sys/kernel/debug/kmscap"
/* Overrides KMSCAPCTL_DEBUGFS, for tests. */
#define KMSCAPCTL_DEBUGFS_ENV	"KMSCAP_DEBUGFS"

/*
 * Print an error for @err in @ctx.  Messages that already start with the
 * thing at fault (the device path, "invalid mode '...'") stand alone; the
 * others get the program name in front.
 */
static int kmscapctl_error(int err, enum kmscap_err_ctx ctx, const char *subject)
{
	char buf[256];

	kmscap_strerror_ctx(err, ctx, subject, buf, sizeof(buf));
	if (ctx == KMSCAP_ERR_OPEN || !strncmp(buf, "invalid mode", 12))
		fprintf(stderr, "%s\n", buf);
	else
		fprintf(stderr, "kmscapctl: %s\n", buf);
	return 1;
}

static int kmscapctl_display_error(int err, uint32_t id)
{
	char s[16];

	snprintf(s, sizeof(s), "%u", id);
	return kmscapctl_error(err, KMSCAP_ERR_DISPLAY, s);
}

static void kmscapctl_owner(uint32_t uid, char *buf, size_t size)
{
	struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name)
		snprintf(buf, size, "%s", pw->pw_name);
	else
		snprintf(buf, size, "%u", uid);
}

static int kmscapctl_add(struct kmscap_dev *dev, const struct kmscapctl_cmd *cmd)
{
	uint32_t id, minor;
	int ret;

	ret = kmscap_display_create(dev, cmd->width, cmd->height, cmd->refresh_mhz,
				    cmd->create_flags, &id, &minor);
	if (ret < 0)
		return kmscapctl_error(ret, KMSCAP_ERR_CREATE, cmd->mode);
	printf("%u /dev/dri/card%u\n", id, minor);
	return 0;
}

static int kmscapctl_list(struct kmscap_dev *dev)
{
	struct kmscap_display_info info;
	char mode[KMSCAP_MODE_STRLEN], owner[64], card[32];
	uint32_t *ids;
	int n, i, ret;

	n = kmscap_display_list(dev, &ids);
	if (n < 0) {
		fprintf(stderr, "kmscapctl: %s: cannot list displays: %s\n", kmscap_path(dev),
			strerror(-n));
		return 1;
	}
	printf("%-4s %-18s %-9s %-10s %-15s %-7s %s\n", "ID", "MODE", "CONNECTED", "OWNER",
	       "CARD", "CLIENTS", "FRAMES");
	for (i = 0; i < n; i++) {
		ret = kmscap_display_info(dev, ids[i], &info);
		if (ret == -ENOENT)
			continue;	/* removed meanwhile */
		if (ret < 0) {
			uint32_t id = ids[i];

			free(ids);
			return kmscapctl_display_error(ret, id);
		}
		kmscap_format_mode(mode, sizeof(mode), info.width, info.height, info.refresh_mhz);
		kmscapctl_owner(info.owner_uid, owner, sizeof(owner));
		snprintf(card, sizeof(card), "/dev/dri/card%u", info.card_minor);
		printf("%-4u %-18s %-9s %-10s %-15s %-7u %llu\n", info.id, mode,
		       info.flags & KMSCAP_INFO_CONNECTED ? "yes" : "no", owner, card,
		       info.clients, (unsigned long long)info.frames);
	}
	free(ids);
	return 0;
}

/* Print one debugfs file, each line indented. */
static void kmscapctl_cat(const char *path, const char *label)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	if (label)
		printf("  %s:\n", label);
	while (fgets(line, sizeof(line), f))
		printf("%s%s", label ? "    " : "  ", line);
	fclose(f);
}

/* Print a debugfs file, or every regular file of a debugfs directory. */
static int kmscapctl_cat_entry(const char *path)
{
	struct dirent *de;
	struct stat st;
	char sub[1024];
	DIR *d;

	if (stat(path, &st) < 0)
		return 0;
	if (S_ISREG(st.st_mode)) {
		kmscapctl_cat(path, NULL);
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return 0;
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub))
			continue;
		if (stat(sub, &st) == 0 && S_ISREG(st.st_mode))
			kmscapctl_cat(sub, de->d_name);
	}
	closedir(d);
	return 1;
}

/* The debugfs layout belongs to the module; accept the usual namings. */
static void kmscapctl_debugfs(uint32_t id)
{
	static const char *const fmts[] = { "%s/display-%u", "%s/display%u", "%s/%u" };
	const char *root = getenv(KMSCAPCTL_DEBUGFS_ENV);
	char path[512];
	size_t i;

	if (!root || !*root)
		root = KMSCAPCTL_DEBUGFS;
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		snprintf(path, sizeof(path), fmts[i], root, id);
		if (access(path, R_OK) == 0) {
			printf("  debugfs:    %s\n", path);
			fflush(stdout);
			kmscapctl_cat_entry(path);
			return;
		}
	}
	printf("  debugfs:    not readable (%s; needs root and a mounted debugfs)\n", root);
}

static int kmscapctl_stats_one(struct kmscap_dev *dev, uint32_t id)
{
	struct kmscap_display_info info;
	char mode[KMSCAP_MODE_STRLEN], owner[64];
	int ret;

	ret = kmscap_display_info(dev, id, &info);
	if (ret < 0)
		return ret;
	kmscap_format_mode(mode, sizeof(mode), info.width, info.height, info.refresh_mhz);
	kmscapctl_owner(info.owner_uid, owner, sizeof(owner));
	printf("display %u\n", info.id);
	printf("  mode:       %s\n", mode);
	printf("  connected:  %s\n", info.flags & KMSCAP_INFO_CONNECTED ? "yes" : "no");
	printf("  active:     %s\n", info.flags & KMSCAP_INFO_ACTIVE ? "yes" : "no");
	printf("  owner:      %s (uid %u)\n", owner, info.owner_uid);
	printf("  card:       /dev/dri/card%u\n", info.card_minor);
	printf("  clients:    %u\n", info.clients);
	printf("  frames:     %llu\n", (unsigned long long)info.frames);
	fflush(stdout);
	kmscapctl_debugfs(id);
	return 0;
}

static int kmscapctl_stats(struct kmscap_dev *dev, const struct kmscapctl_cmd *cmd)
{
	uint32_t *ids;
	int n, i, ret;

	if (cmd->has_id) {
		ret = kmscapctl_stats_one(dev, cmd->id);
		return ret < 0 ? kmscapctl_display_error(ret, cmd->id) : 0;
	}
	n = kmscap_display_list(dev, &ids);
	if (n < 0) {
		fprintf(stderr, "kmscapctl: %s: cannot list displays: %s\n", kmscap_path(dev),
			strerror(-n));
		return 1;
	}
	if (n == 0)
		printf("no displays\n");
	for (i = 0; i < n; i++) {
		ret = kmscapctl_stats_one(dev, ids[i]);
		if (ret < 0 && ret != -ENOENT) {
			uint32_t id = ids[i];

			free(ids);
			return kmscapctl_display_error(ret, id);
		}
	}
	free(ids);
	return 0;
}

/*
 * A module older than ABI 1.3 cannot replace the monitor: change the mode
 * in place, and say that compositors may not follow.
 */
static int kmscapctl_set_mode(struct kmscap_dev *dev, const struct kmscapctl_cmd *cmd)
{
	uint32_t flags = cmd->config_flags;
	struct kmscap_version v;

	if ((flags & KMSCAP_CONFIG_REPLUG) && kmscap_get_version(dev, &v) == 0 &&
	    !(v.caps & KMSCAP_CAP_REPLUG)) {
		fprintf(stderr,
			"kmscapctl: the module (ABI %u.%u) cannot replace the monitor: changing the mode in place; compositors may keep the old mode until the display is reconnected\n",
			v.major, v.minor);
		flags &= ~KMSCAP_CONFIG_REPLUG;
	}
	return kmscap_display_config(dev, cmd->id, flags, cmd->width, cmd->height,
				     cmd->refresh_mhz);
}

/* The gamma LUT of display @id: its size, a few entries, whether it is the identity. */
static int kmscapctl_gamma(struct kmscap_dev *dev, uint32_t id)
{
	struct kmscap_gamma_entry lut[KMSCAP_GAMMA_SIZE];
	struct kmscap_version v;
	uint64_t seq = 0;
	uint32_t i, e;
	int n;

	n = kmscap_display_gamma(dev, id, lut, KMSCAP_GAMMA_SIZE, &seq);
	if (n == -ENOTTY && !kmscap_get_version(dev, &v)) {
		fprintf(stderr, "kmscapctl: %s: the module's ABI %u.%u has no gamma (1.3 does)\n",
			kmscap_path(dev), v.major, v.minor);
		return 1;
	}
	if (n < 0)
		return kmscapctl_display_error(n, id);
	if (n == 0) {
		printf("display %u: no gamma LUT (identity)%s\n", id,
		       seq ? "" : ", none ever set");
		if (seq)
			printf("  removed by frame %llu\n", (unsigned long long)seq);
		return 0;
	}
	if ((uint32_t)n > KMSCAP_GAMMA_SIZE) {
		fprintf(stderr, "kmscapctl: display %u: a gamma LUT of %d entries, more than the "
			"%u this kmscapctl knows\n", id, n, KMSCAP_GAMMA_SIZE);
		return 1;
	}
	printf("display %u: gamma LUT of %d entries, set by frame %llu\n", id, n,
	       (unsigned long long)seq);
	printf("  identity:  %s at 8 bits, %s at 10 bits\n",
	       kmscap_gamma_identity(lut, (uint32_t)n, 8) ? "yes" : "no",
	       kmscap_gamma_identity(lut, (uint32_t)n, 10) ? "yes" : "no");
	printf("  %-7s %-7s %-7s %s\n", "entry", "red", "green", "blue");
	for (i = 0; i <= 4; i++) {
		e = i * ((uint32_t)n - 1) / 4;
		printf("  %-7u 0x%04x  0x%04x  0x%04x\n", e, lut[e].red, lut[e].green, lut[e].blue);
	}
	return 0;
}

static int kmscapctl_version(struct kmscap_dev *dev)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} caps[] = {
		{ KMSCAP_CAP_DAMAGE, "damage" },
		{ KMSCAP_CAP_CURSOR, "cursor" },
		{ KMSCAP_CAP_PRIME_IMPORT, "prime-import" },
		{ KMSCAP_CAP_HOLD, "hold" },
		{ KMSCAP_CAP_HOTPLUG, "hotplug" },
		{ KMSCAP_CAP_FLIP_DONE, "flip-done" },
		{ KMSCAP_CAP_GAMMA, "gamma" },
		{ KMSCAP_CAP_AUTO_RELEASE, "auto-release" },
		{ KMSCAP_CAP_REPLUG, "replug" },
		{ KMSCAP_CAP_MODIFIERS, "modifiers" },
		{ KMSCAP_CAP_URING_RELEASE, "uring-release" },
		{ KMSCAP_CAP_STATUS_PAGE, "status-page" },
		{ KMSCAP_CAP_FLIP_DONE_DEFER, "flip-done-defer" },
		{ KMSCAP_CAP_FRAME_RING, "frame-ring" },
	};
	struct kmscap_version v;
	uint64_t rest;
	size_t i;

	kmscap_get_version(dev, &v);
	printf("module ABI:      %u.%u\n", v.major, v.minor);
	printf("capabilities:   ");
	rest = v.caps;
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (v.caps & caps[i].bit) {
			printf(" %s", caps[i].name);
			rest &= ~caps[i].bit;
		}
	}
	if (rest)
		printf(" unknown(0x%llx)", (unsigned long long)rest);
	printf("\n");
	printf("max displays:    %u\n", v.max_displays);
	printf("event size:      %u\n", v.event_size);
	return 0;
}

int kmscapctl_main(int argc, char *const argv[])
{
	struct kmscapctl_cmd cmd;
	struct kmscap_dev *dev;
	char err[256];
	const char *path;
	int ret, rc = 0;

	if (kmscapctl_parse_args(argc, argv, &cmd, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (cmd.notice)
		fprintf(stderr, "%s\n", cmd.notice);
	if (cmd.op == KMSCAPCTL_HELP) {
		kmscapctl_usage(stdout);
		return 0;
	}
	if (cmd.op == KMSCAPCTL_VERSION) {
		printf("kmscapctl:       %s\n", LIBKMSCAP_VERSION);
		printf("built for ABI:   %u.%u\n", KMSCAP_ABI_MAJOR, KMSCAP_ABI_MINOR);
		fflush(stdout);
	}

	path = cmd.device;
	if (!path)
		path = getenv(KMSCAP_DEVICE_ENV);
	if (!path || !*path)
		path = KMSCAP_DEFAULT_DEVICE;
	ret = kmscap_open(path, &dev);
	if (ret < 0)
		return kmscapctl_error(ret, KMSCAP_ERR_OPEN, path);

	switch (cmd.op) {
	case KMSCAPCTL_ADD:
		rc = kmscapctl_add(dev, &cmd);
		break;
	case KMSCAPCTL_LIST:
		rc = kmscapctl_list(dev);
		break;
	case KMSCAPCTL_SET_MODE:
		ret = kmscapctl_set_mode(dev, &cmd);
		if (ret == -EINVAL)
			rc = kmscapctl_error(ret, KMSCAP_ERR_MODE, cmd.mode);
		else if (ret < 0)
			rc = kmscapctl_display_error(ret, cmd.id);
		break;
	case KMSCAPCTL_CONNECT:
		ret = kmscap_display_connect(dev, cmd.id);
		if (ret < 0)
			rc = kmscapctl_display_error(ret, cmd.id);
		break;
	case KMSCAPCTL_DISCONNECT:
		ret = kmscap_display_disconnect(dev, cmd.id);
		if (ret < 0)
			rc = kmscapctl_display_error(ret, cmd.id);
		break;
	case KMSCAPCTL_REMOVE:
		ret = kmscap_display_destroy(dev, cmd.id);
		if (ret < 0)
			rc = kmscapctl_display_error(ret, cmd.id);
		break;
	case KMSCAPCTL_STATS:
		rc = kmscapctl_stats(dev, &cmd);
		break;
	case KMSCAPCTL_VERSION:
		rc = kmscapctl_version(dev);
		break;
	case KMSCAPCTL_GAMMA:
		rc = kmscapctl_gamma(dev, cmd.id);
		break;
	default:
		break;
	}
	kmscap_close(dev);
	return rc;
}
