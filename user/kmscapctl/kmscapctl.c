// SPDX-License-Identifier: MIT
/*
 * kmscapctl: create, list, reconfigure and remove kmscap virtual displays.
 * The commands are in kmscapctl_cmds.c, the parsing in kmscapctl_args.c.
 */
#include "kmscapctl.h"

int main(int argc, char **argv)
{
	return kmscapctl_main(argc, argv);
}
