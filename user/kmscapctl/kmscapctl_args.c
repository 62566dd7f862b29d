// SPDX-License-Identifier: MIT
/*
 * kmscapctl command-line parsing.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "libkmscap.h"
#include "kmscapctl.h"

#define KMSCAPCTL_MAX_POS	4

struct kmscapctl_sub {
	const char *name;
	enum kmscapctl_op op;
	int min_args;
	int max_args;
	const char *usage;
};

static const struct kmscapctl_sub kmscapctl_subs[] = {
	{ "add", KMSCAPCTL_ADD, 1, 1, "add MODE [--disconnected]" },
	{ "list", KMSCAPCTL_LIST, 0, 0, "list" },
	{ "set-mode", KMSCAPCTL_SET_MODE, 2, 2, "set-mode ID MODE [--in-place]" },
	{ "connect", KMSCAPCTL_CONNECT, 1, 1, "connect ID" },
	{ "disconnect", KMSCAPCTL_DISCONNECT, 1, 1, "disconnect ID" },
	{ "remove", KMSCAPCTL_REMOVE, 1, 1, "remove ID" },
	{ "stats", KMSCAPCTL_STATS, 0, 1, "stats [ID]" },
	{ "gamma", KMSCAPCTL_GAMMA, 1, 1, "gamma ID" },
	{ "version", KMSCAPCTL_VERSION, 0, 0, "version" },
	{ "help", KMSCAPCTL_HELP, 0, 0, "help" },
};

void kmscapctl_usage(FILE *f)
{
	fputs("usage: kmscapctl [--kmscap-device PATH] COMMAND [ARGS]\n"
	      "\n"
	      "Manage kmscap virtual displays.\n"
	      "\n"
	      "commands:\n"
	      "  add MODE [--disconnected]  create a display, print its id and /dev/dri/cardN\n"
	      "  list                       list displays\n"
	      "  set-mode ID MODE [--in-place]\n"
	      "                             change a display's preferred mode: the monitor\n"
	      "                             is replaced (unplugged, then plugged in with the\n"
	      "                             new mode), which compositors follow; --in-place\n"
	      "                             only changes the mode list of the plugged monitor\n"
	      "  connect ID                 plug the virtual monitor in\n"
	      "  disconnect ID              unplug the virtual monitor\n"
	      "  remove ID                  destroy a display\n"
	      "  stats [ID]                 show display details and debugfs statistics\n"
	      "  gamma ID                   summarise the gamma LUT a compositor set on a display\n"
	      "  version                    show library, ABI and module versions\n"
	      "\n"
	      "MODE is WIDTHxHEIGHT[@HZ], e.g. 1920x1080 (60 Hz), 2560x1440@143.912;\n"
	      "sizes 64..8192, refresh 1..500 Hz with up to 3 decimals.\n"
	      "\n"
	      "options:\n"
	      "  -d, --kmscap-device PATH  kmscap control device (default $" KMSCAP_DEVICE_ENV
	      " or " KMSCAP_DEFAULT_DEVICE ");\n"
	      "                            --device, its old name, still works\n"
	      "  -h, --help                show this help\n"
	      "  --version                 show library, ABI and module versions\n", f);
}

static int kmscapctl_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int kmscapctl_parse_id(const char *s, uint32_t *id)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	*id = (uint32_t)v;
	return 0;
}

static int kmscapctl_mode(const char *s, struct kmscapctl_cmd *cmd, char *err, size_t errlen)
{
	const char *why;
	int ret;

	ret = kmscap_parse_mode_why(s, &cmd->width, &cmd->height, &cmd->refresh_mhz, &why);
	if (ret < 0)
		return kmscapctl_fail(err, errlen, "invalid mode '%s': %s", s, why);
	cmd->mode = s;
	return 0;
}

static int kmscapctl_id(const char *s, struct kmscapctl_cmd *cmd, char *err, size_t errlen)
{
	if (kmscapctl_parse_id(s, &cmd->id) < 0)
		return kmscapctl_fail(err, errlen,
				      "kmscapctl: invalid display id '%s': expected a number",
				      s);
	cmd->has_id = 1;
	return 0;
}

/* The control device, under its name or its old one (@opt as typed, for messages). */
static void kmscapctl_device(struct kmscapctl_cmd *cmd, const char *opt, const char *path)
{
	cmd->device = path;
	cmd->device_opt = opt;
	if (!strcmp(opt, "--device"))
		cmd->notice = KMSCAPCTL_DEVICE_NOTICE;
}

int kmscapctl_parse_args(int argc, char *const argv[], struct kmscapctl_cmd *cmd,
			 char *err, size_t errlen)
{
	const struct kmscapctl_sub *sub = NULL;
	const char *pos[KMSCAPCTL_MAX_POS];
	int npos = 0, disconnected = 0, in_place = 0, version = 0, opts_done = 0;
	size_t i;
	int a, ret;

	if (err && errlen)
		err[0] = '\0';
	if (!cmd || argc < 0 || (argc && !argv))
		return kmscapctl_fail(err, errlen, "kmscapctl: internal error: no arguments");
	memset(cmd, 0, sizeof(*cmd));

	for (a = 1; a < argc; a++) {
		const char *arg = argv[a];

		if (!opts_done && arg[0] == '-' && arg[1] != '\0') {
			if (!strcmp(arg, "--")) {
				opts_done = 1;
			} else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
				cmd->op = KMSCAPCTL_HELP;
				return 0;
			} else if (!strcmp(arg, "--version")) {
				version = 1;
			} else if (!strcmp(arg, "--disconnected")) {
				disconnected = 1;
			} else if (!strcmp(arg, "--in-place")) {
				in_place = 1;
			} else if (!strcmp(arg, "-d") || !strcmp(arg, "--kmscap-device") ||
				   !strcmp(arg, "--device")) {
				if (a + 1 >= argc)
					return kmscapctl_fail(err, errlen,
							      "kmscapctl: %s needs a PATH", arg);
				kmscapctl_device(cmd, arg, argv[++a]);
			} else if (!strncmp(arg, "--kmscap-device=", 16)) {
				kmscapctl_device(cmd, "--kmscap-device", arg + 16);
			} else if (!strncmp(arg, "--device=", 9)) {
				kmscapctl_device(cmd, "--device", arg + 9);
			} else {
				return kmscapctl_fail(err, errlen,
						      "kmscapctl: unknown option '%s' (try --help)",
						      arg);
			}
			continue;
		}
		if (npos == KMSCAPCTL_MAX_POS)
			return kmscapctl_fail(err, errlen,
					      "kmscapctl: too many arguments (try --help)");
		pos[npos++] = arg;
	}

	if (cmd->device && !*cmd->device)
		return kmscapctl_fail(err, errlen, "kmscapctl: %s needs a non-empty PATH",
				      cmd->device_opt);

	if (npos == 0) {
		if (version) {
			cmd->op = KMSCAPCTL_VERSION;
			return 0;
		}
		return kmscapctl_fail(err, errlen, "kmscapctl: missing command (try --help)");
	}

	for (i = 0; i < sizeof(kmscapctl_subs) / sizeof(kmscapctl_subs[0]); i++)
		if (!strcmp(pos[0], kmscapctl_subs[i].name))
			sub = &kmscapctl_subs[i];
	if (!sub)
		return kmscapctl_fail(err, errlen, "kmscapctl: unknown command '%s' (try --help)",
				      pos[0]);
	if (version)
		return kmscapctl_fail(err, errlen, "kmscapctl: --version takes no command");
	if (npos - 1 < sub->min_args)
		return kmscapctl_fail(err, errlen,
				      "kmscapctl: %s: missing %s (usage: kmscapctl %s)", sub->name,
				      sub->op == KMSCAPCTL_ADD ||
				      (sub->op == KMSCAPCTL_SET_MODE && npos == 2) ? "MODE" : "ID",
				      sub->usage);
	if (npos - 1 > sub->max_args)
		return kmscapctl_fail(err, errlen,
				      "kmscapctl: %s: too many arguments (usage: kmscapctl %s)",
				      sub->name, sub->usage);
	if (disconnected && sub->op != KMSCAPCTL_ADD)
		return kmscapctl_fail(err, errlen,
				      "kmscapctl: --disconnected is only valid with add");
	if (in_place && sub->op != KMSCAPCTL_SET_MODE)
		return kmscapctl_fail(err, errlen,
				      "kmscapctl: --in-place is only valid with set-mode");

	cmd->op = sub->op;
	switch (sub->op) {
	case KMSCAPCTL_ADD:
		ret = kmscapctl_mode(pos[1], cmd, err, errlen);
		if (ret)
			return ret;
		if (disconnected)
			cmd->create_flags |= KMSCAP_CREATE_DISCONNECTED;
		break;
	case KMSCAPCTL_SET_MODE:
		ret = kmscapctl_id(pos[1], cmd, err, errlen);
		if (ret)
			return ret;
		ret = kmscapctl_mode(pos[2], cmd, err, errlen);
		if (ret)
			return ret;
		cmd->config_flags = KMSCAP_CONFIG_MODE;
		if (!in_place)
			cmd->config_flags |= KMSCAP_CONFIG_REPLUG;
		break;
	case KMSCAPCTL_CONNECT:
	case KMSCAPCTL_DISCONNECT:
	case KMSCAPCTL_REMOVE:
	case KMSCAPCTL_GAMMA:
		ret = kmscapctl_id(pos[1], cmd, err, errlen);
		if (ret)
			return ret;
		break;
	case KMSCAPCTL_STATS:
		if (npos == 2) {
			ret = kmscapctl_id(pos[1], cmd, err, errlen);
			if (ret)
				return ret;
		}
		break;
	default:
		break;
	}
	return 0;
}
