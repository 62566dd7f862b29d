// SPDX-License-Identifier: MIT
/*
 * modetest_gamma: libdrm's modetest sets a mode on a kmscap card (its
 * legacy path, "-s connector@crtc:#0"), which sets gamma too: it must
 * succeed without "failed to set gamma" (issue 14: the CRTC had no gamma
 * and modetest said "Function not implemented"), and the LUT modetest left
 * must read back through KMSCAP_IOC_DISPLAY_GAMMA: none (it cleared
 * GAMMA_LUT) or its linear ramp of i << 8 (drmModeCrtcSetGamma).
 * modetest opens the first card of the kmscap driver whose bus id is empty
 * (drmOpen("kmscap", NULL)): skipped when another kmscap display exists.
 * Skipped when modetest (package libdrm-tests) is not at KMSCAP_T_MODETEST;
 * make vm-check carries it into the VM with run-vm.sh --extra.
 */
#include <unistd.h>

#include "kmscap_test.h"

#ifndef KMSCAP_T_MODETEST
#define KMSCAP_T_MODETEST "/usr/bin/modetest"
#endif

int main(void)
{
	static struct kmscap_gamma_entry e[KMSCAP_GAMMA_SIZE];
	static char out[65536];
	struct kmscap_display_create c;
	struct kmscap_display_gamma g;
	char pipe_arg[64];
	struct kmscap_t_kms k;
	uint32_t ids[4];
	char *argv[6];
	unsigned int i;
	int ctl, status, n;
	bool ramp = true;

	kmscap_t_init("modetest_gamma", 100);
	if (access(KMSCAP_T_MODETEST, X_OK))
		kmscap_t_skip("%s: %s (package libdrm-tests)", KMSCAP_T_MODETEST,
			      strerror(errno));
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, 640, 480, 60000, &c);
	n = kmscap_t_list(ctl, ids, 4);
	if (n != 1) {
		kmscap_t_destroy(ctl, c.id);
		kmscap_t_skip("%d kmscap displays: modetest -M kmscap would open the first", n);
	}
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	snprintf(pipe_arg, sizeof(pipe_arg), "%u@%u:#0", k.conn_id, k.crtc_id);
	/* modetest must be the card's master. */
	kmscap_t_kms_close(&k);

	argv[0] = (char *)KMSCAP_T_MODETEST;
	argv[1] = (char *)"-M";
	argv[2] = (char *)"kmscap";
	argv[3] = (char *)"-s";
	argv[4] = pipe_arg;
	argv[5] = NULL;
	kmscap_t_log("%s -M kmscap -s %s </dev/null", KMSCAP_T_MODETEST, pipe_arg);
	status = kmscap_t_run_prog(argv, out, sizeof(out));
	KT_ASSERT(status == 0, "modetest exited with status %d", status);
	KT_ASSERT(strstr(out, "setting mode"), "modetest set no mode on card%u", c.card_minor);
	KT_ASSERT(!strstr(out, "failed to set mode"), "modetest could not set the mode");
	KT_ASSERT(!strstr(out, "failed to set gamma"), "modetest could not set gamma");

	memset(&g, 0, sizeof(g));
	g.id = c.id;
	g.entries_ptr = (uintptr_t)e;
	g.count = KMSCAP_GAMMA_SIZE;
	KT_EXPECT_RET(kmscap_t_ioctl(ctl, KMSCAP_IOC_DISPLAY_GAMMA, &g), 0, "DISPLAY_GAMMA");
	KT_ASSERT(g.count == 0 || g.count == KMSCAP_GAMMA_SIZE,
		  "after modetest: a LUT of %u entries", g.count);
	for (i = 0; i < g.count; i++)
		ramp &= e[i].red == i << 8 && e[i].green == i << 8 && e[i].blue == i << 8;
	KT_ASSERT(ramp, "after modetest: a LUT of %u entries that is not modetest's ramp",
		  g.count);
	kmscap_t_log("modetest left %s", g.count ? "its ramp of i << 8" : "no LUT");

	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("modetest set a mode and gamma on card%u, %s", c.card_minor,
		      g.count ? "its ramp read back" : "GAMMA_LUT cleared");
}
