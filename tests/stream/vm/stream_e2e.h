/* SPDX-License-Identifier: MIT */
/* What the scenarios of stream_e2e share (stream_e2e.c, e2e_tiled.c). */
#ifndef KS_STREAM_E2E_H
#define KS_STREAM_E2E_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The vgem render node the helper's VA-API driver runs on. */
extern char ks_render[300];

/*
 * Start the helper with @args (NULL-terminated, after the program name);
 * its stderr goes to @log, or to a pipe returned in *@errfd; @uid != 0
 * runs it as that user.
 */
pid_t ks_spawn(const char *const *args, const char *log, int *errfd, uid_t uid);

/*
 * The display a --create helper made, once it has its capture client: its
 * id and card minor (fails if the helper exits first, see @log).
 */
void ks_wait_created(int ctl, pid_t pid, const char *log, uint32_t *id, uint32_t *minor);

/* tiled: the helper's display takes X-tiled vgem buffers (e2e_tiled.c). */
void ks_tiled(unsigned int n);

#endif
