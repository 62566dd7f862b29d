/* SPDX-License-Identifier: MIT */
/*
 * kmscapctl internals, kept apart from main() so that unit tests can
 * exercise the parsing and the commands without a kmscap device.
 */
#ifndef KMSCAPCTL_H
#define KMSCAPCTL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum kmscapctl_op {
	KMSCAPCTL_HELP,
	KMSCAPCTL_VERSION,
	KMSCAPCTL_ADD,
	KMSCAPCTL_LIST,
	KMSCAPCTL_SET_MODE,
	KMSCAPCTL_CONNECT,
	KMSCAPCTL_DISCONNECT,
	KMSCAPCTL_REMOVE,
	KMSCAPCTL_STATS,
	KMSCAPCTL_GAMMA,
};

/**
 * struct kmscapctl_cmd - a parsed command line
 * @op: the subcommand.
 * @device: --kmscap-device PATH (-d, or its old name --device), or NULL for
 *	the library default.
 * @device_opt: the option @device came with, as typed (for messages).
 * @notice: a line to print on stderr before running the command (an old
 *	option name was used), or NULL.
 * @has_id: @id was given (always for set-mode/connect/disconnect/remove/gamma,
 *	optional for stats).
 * @id: display id.
 * @mode: the mode argument as typed (add, set-mode), else NULL.
 * @width: parsed from @mode.
 * @height: parsed from @mode.
 * @refresh_mhz: parsed from @mode.
 * @create_flags: KMSCAP_CREATE_* for add.
 * @config_flags: KMSCAP_CONFIG_* for set-mode: MODE, with REPLUG unless
 *	--in-place.
 */
struct kmscapctl_cmd {
	enum kmscapctl_op op;
	const char *device;
	const char *device_opt;
	const char *notice;
	int has_id;
	uint32_t id;
	const char *mode;
	uint32_t width;
	uint32_t height;
	uint32_t refresh_mhz;
	uint32_t create_flags;
	uint32_t config_flags;
};

/* What kmscapctl says when --device, the old name of --kmscap-device, is used. */
#define KMSCAPCTL_DEVICE_NOTICE \
	"kmscapctl: notice: --device is now --kmscap-device (the /dev/kmscap control device); the old name still works"

/*
 * Parse @argv (argv[0] is the program name).  Returns 0, or -EINVAL with
 * the line to print on stderr (no newline) in @err, e.g.
 * "kmscapctl: set-mode: missing MODE" or "invalid mode '0x0': ...".
 */
int kmscapctl_parse_args(int argc, char *const argv[], struct kmscapctl_cmd *cmd,
			 char *err, size_t errlen);

/* Parse a display id: decimal digits only, up to UINT32_MAX. */
int kmscapctl_parse_id(const char *s, uint32_t *id);

void kmscapctl_usage(FILE *f);

/*
 * The whole tool (kmscapctl_cmds.c): parse @argv, run the command, print
 * results on stdout and errors on stderr; returns the exit status.
 * $KMSCAP_DEBUGFS overrides /sys/kernel/debug/kmscap for "stats".
 */
int kmscapctl_main(int argc, char *const argv[]);

#endif /* KMSCAPCTL_H */
