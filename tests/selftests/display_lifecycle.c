// SPDX-License-Identifier: MIT
/*
 * display_lifecycle: create displays of various modes, check what the DRM
 * side advertises (preferred mode, refresh computed from the timings), the
 * rejected sizes and rates, LIST, INFO, DESTROY, -ENOENT afterwards, id
 * uniqueness and the max_displays limit (-ENOSPC).
 */
#include <stdlib.h>
#include <unistd.h>

#include "kmscap_test.h"

#define MAX_IDS 256

static double kmscap_mode_hz(const drmModeModeInfo *m)
{
	return (double)m->clock * 1000.0 / ((double)m->htotal * (double)m->vtotal);
}

/* Check the DRM side of a display: driver, connector, preferred mode. */
static void kmscap_check_card(const struct kmscap_display_create *c, bool check_hz)
{
	double want = c->refresh_mhz / 1000.0, got;
	drmModeConnectorPtr conn;
	struct kmscap_t_kms k;
	int i, smaller = 0;

	kmscap_t_kms_open_or_die(&k, c->card_minor);
	conn = drmModeGetConnector(k.fd, k.conn_id);
	KT_ASSERT(conn, "card%u: drmModeGetConnector %u", c->card_minor, k.conn_id);
	KT_ASSERT(conn->connector_type == DRM_MODE_CONNECTOR_VIRTUAL,
		  "card%u: connector type %u, expected Virtual (%u)", c->card_minor,
		  conn->connector_type, DRM_MODE_CONNECTOR_VIRTUAL);
	KT_ASSERT(conn->connection == DRM_MODE_CONNECTED, "card%u: connector status %d",
		  c->card_minor, conn->connection);
	KT_ASSERT(k.mode.hdisplay == c->width && k.mode.vdisplay == c->height,
		  "card%u: preferred mode %ux%u, created %ux%u", c->card_minor,
		  k.mode.hdisplay, k.mode.vdisplay, c->width, c->height);
	KT_ASSERT(k.mode.htotal > k.mode.hdisplay && k.mode.vtotal > k.mode.vdisplay &&
		  k.mode.clock > 0, "card%u: preferred mode timings htotal %u vtotal %u clock %u",
		  c->card_minor, k.mode.htotal, k.mode.vtotal, k.mode.clock);
	got = kmscap_mode_hz(&k.mode);
	kmscap_t_log("card%u: preferred %ux%u clock %u kHz htotal %u vtotal %u -> %.4f Hz "
		     "(asked %.3f), %d modes", c->card_minor, k.mode.hdisplay, k.mode.vdisplay,
		     k.mode.clock, k.mode.htotal, k.mode.vtotal, got, want, conn->count_modes);
	if (check_hz)
		KT_ASSERT(got >= want - 0.01 && got <= want + 0.01,
			  "card%u: preferred mode refresh %.4f Hz, asked %.3f Hz (+-0.01)",
			  c->card_minor, got, want);
	for (i = 0; i < conn->count_modes; i++) {
		const drmModeModeInfo *m = &conn->modes[i];

		KT_ASSERT(m->hdisplay <= c->width && m->vdisplay <= c->height,
			  "card%u: mode %s %ux%u larger than the preferred %ux%u",
			  c->card_minor, m->name, m->hdisplay, m->vdisplay, c->width, c->height);
		if (m->hdisplay < c->width || m->vdisplay < c->height)
			smaller++;
	}
	if (c->width >= 1280 && c->height >= 720)
		KT_ASSERT(smaller > 0, "card%u: no common smaller mode next to %ux%u",
			  c->card_minor, c->width, c->height);
	drmModeFreeConnector(conn);
	kmscap_t_kms_close(&k);
}

static bool kmscap_in(const uint32_t *ids, int n, uint32_t id)
{
	int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

int main(void)
{
	static const struct { uint32_t w, h, mhz, flags; const char *why; } bad[] = {
		{ 0, 0, 60000, 0, "0x0" },
		{ 63, 64, 60000, 0, "63x64" },
		{ 64, 63, 60000, 0, "64x63" },
		{ 8193, 1080, 60000, 0, "width 8193" },
		{ 1920, 8193, 60000, 0, "height 8193" },
		{ 1920, 1080, 0, 0, "0 Hz" },
		{ 1920, 1080, 999, 0, "0.999 Hz" },
		{ 1920, 1080, 501000, 0, "501 Hz" },
		{ 1920, 1080, 60000, 1u << 31, "unknown flag" },
	};
	struct kmscap_display_create d60, d5994, d8k, dmin, dmax, dlow, dnew;
	struct kmscap_display_info info;
	struct kmscap_version v;
	uint32_t ids[MAX_IDS], created[MAX_IDS], sentinel[2];
	int ctl, r, n0, n, i, ncreated = 0;
	unsigned int b;

	kmscap_t_init("display_lifecycle", 110);
	ctl = kmscap_t_open_ctl_or_skip();
	KT_EXPECT_RET(kmscap_t_version(ctl, &v), 0, "VERSION");
	n0 = kmscap_t_list(ctl, NULL, 0);
	KT_ASSERT(n0 >= 0, "LIST count only: %s", kmscap_t_errname(n0));
	kmscap_t_log("max_displays %u, %d displays exist", v.max_displays, n0);

	kmscap_t_create_or_die(ctl, 1920, 1080, 60000, &d60);
	kmscap_t_create_or_die(ctl, 1920, 1080, 59940, &d5994);
	kmscap_t_create_or_die(ctl, 7680, 4320, 60000, &d8k);
	KT_ASSERT(d60.id != d5994.id && d5994.id != d8k.id && d60.id != d8k.id,
		  "display ids not unique: %u %u %u", d60.id, d5994.id, d8k.id);
	KT_ASSERT(d60.card_minor != d5994.card_minor && d5994.card_minor != d8k.card_minor,
		  "card minors not unique: %u %u %u", d60.card_minor, d5994.card_minor,
		  d8k.card_minor);

	KT_EXPECT_RET(kmscap_t_info(ctl, d5994.id, &info), 0, "INFO of the 59.94 Hz display");
	KT_ASSERT(info.id == d5994.id && info.width == 1920 && info.height == 1080 &&
		  info.refresh_mhz == 59940, "INFO %u: %ux%u@%u mHz", info.id, info.width,
		  info.height, info.refresh_mhz);
	KT_ASSERT(info.owner_uid == geteuid(), "INFO owner_uid %u, euid %u", info.owner_uid,
		  geteuid());
	KT_ASSERT(info.card_minor == d5994.card_minor, "INFO card_minor %u, create said %u",
		  info.card_minor, d5994.card_minor);
	KT_ASSERT(info.clients == 0 && info.frames == 0, "INFO new display: clients %u frames %llu",
		  info.clients, (unsigned long long)info.frames);
	KT_ASSERT(info.flags & KMSCAP_INFO_CONNECTED, "INFO flags 0x%x lack CONNECTED",
		  info.flags);
	KT_ASSERT(!(info.flags & KMSCAP_INFO_ACTIVE), "INFO flags 0x%x: ACTIVE before modeset",
		  info.flags);

	kmscap_check_card(&d60, true);
	kmscap_check_card(&d5994, true);
	kmscap_check_card(&d8k, true);

	for (b = 0; b < KMSCAP_T_ARRAY_SIZE(bad); b++) {
		r = kmscap_t_create(ctl, bad[b].w, bad[b].h, bad[b].mhz, bad[b].flags, NULL);
		if (r == 0)
			kmscap_t_fail("DISPLAY_CREATE %s (%ux%u@%u mHz flags 0x%x) accepted",
				      bad[b].why, bad[b].w, bad[b].h, bad[b].mhz, bad[b].flags);
		KT_ASSERT(r == -EINVAL, "DISPLAY_CREATE %s: %s, expected EINVAL", bad[b].why,
			  kmscap_t_errname(r));
	}

	/* The limits themselves are accepted. */
	kmscap_t_create_or_die(ctl, 64, 64, 1000, &dmin);
	kmscap_t_create_or_die(ctl, 64, 64, 500000, &dmax);
	kmscap_t_create_or_die(ctl, 8192, 8192, 30000, &dlow);
	kmscap_check_card(&dmin, false);
	kmscap_check_card(&dlow, false);

	created[ncreated++] = d60.id;
	created[ncreated++] = d5994.id;
	created[ncreated++] = d8k.id;
	created[ncreated++] = dmin.id;
	created[ncreated++] = dmax.id;
	created[ncreated++] = dlow.id;

	n = kmscap_t_list(ctl, ids, MAX_IDS);
	KT_ASSERT(n == n0 + ncreated, "LIST: %d displays, expected %d", n, n0 + ncreated);
	for (i = 0; i < ncreated; i++)
		KT_ASSERT(kmscap_in(ids, n, created[i]), "LIST lacks display %u", created[i]);

	/* A short array: count tells the total, only capacity ids are written. */
	sentinel[0] = 0xdeadbeef;
	sentinel[1] = 0xdeadbeef;
	n = kmscap_t_list(ctl, sentinel, 1);
	KT_ASSERT(n == n0 + ncreated, "LIST capacity 1: count %d, expected %d", n,
		  n0 + ncreated);
	KT_ASSERT(sentinel[1] == 0xdeadbeef, "LIST capacity 1 wrote past the array (0x%x)",
		  sentinel[1]);
	KT_ASSERT(kmscap_in(ids, n, sentinel[0]), "LIST capacity 1 wrote id %u, not a display",
		  sentinel[0]);

	/* Destroy: gone from INFO, LIST, DESTROY. */
	for (i = 0; i < ncreated; i++) {
		KT_EXPECT_RET(kmscap_t_destroy(ctl, created[i]), 0, "DESTROY");
		KT_EXPECT_RET(kmscap_t_info(ctl, created[i], &info), -ENOENT,
			      "INFO of a destroyed display");
		KT_EXPECT_RET(kmscap_t_destroy(ctl, created[i]), -ENOENT,
			      "DESTROY of a destroyed display");
		KT_EXPECT_RET(kmscap_t_config(ctl, created[i], KMSCAP_CONFIG_DISCONNECT, 0, 0, 0),
			      -ENOENT, "CONFIG of a destroyed display");
	}
	n = kmscap_t_list(ctl, ids, MAX_IDS);
	KT_ASSERT(n == n0, "LIST after destroy: %d displays, expected %d", n, n0);
	for (i = 0; i < ncreated; i++)
		KT_ASSERT(!kmscap_in(ids, n, created[i]), "LIST still has destroyed display %u",
			  created[i]);

	/* Ids are never reused. */
	kmscap_t_create_or_die(ctl, 640, 480, 60000, &dnew);
	KT_ASSERT(!kmscap_in(created, ncreated, dnew.id), "display id %u reused", dnew.id);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, dnew.id), 0, "DESTROY");

	/* max_displays: exactly max - existing creations succeed, then -ENOSPC. */
	ncreated = 0;
	for (;;) {
		struct kmscap_display_create c;

		r = kmscap_t_create(ctl, 640, 480, 60000, 0, &c);
		if (r)
			break;
		KT_ASSERT(ncreated < MAX_IDS, "more than %d displays created", MAX_IDS);
		created[ncreated++] = c.id;
	}
	KT_ASSERT(r == -ENOSPC, "DISPLAY_CREATE past the limit: %s, expected ENOSPC",
		  kmscap_t_errname(r));
	KT_ASSERT(ncreated + n0 == (int)v.max_displays,
		  "%d displays could be created next to %d existing; max_displays %u", ncreated,
		  n0, v.max_displays);
	for (i = 0; i < ncreated; i++)
		KT_EXPECT_RET(kmscap_t_destroy(ctl, created[i]), 0, "DESTROY");
	/* After freeing one slot, creation works again. */
	kmscap_t_create_or_die(ctl, 640, 480, 60000, &dnew);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, dnew.id), 0, "DESTROY");
	n = kmscap_t_list(ctl, NULL, 0);
	KT_ASSERT(n == n0, "LIST at the end: %d displays, expected %d", n, n0);
	close(ctl);
	kmscap_t_pass("create/info/list/destroy, refresh 59.94, 8K, limits, ENOSPC at %u",
		      v.max_displays);
}
