// SPDX-License-Identifier: MIT
/*
 * edid: read the connector's EDID property blob through libdrm and parse it
 * independently of the module: header, per-block checksum, extension count,
 * monitor name "kmscap <id>", serial number = id, and the preferred detailed
 * timing matching the connector's preferred mode, before and after a mode
 * change.
 */
#include <stdlib.h>
#include <unistd.h>

#include "kmscap_test.h"

static drmModePropertyBlobPtr kmscap_get_edid(int fd, uint32_t conn_id)
{
	uint64_t blob_id;
	drmModePropertyBlobPtr blob;
	int r;

	r = kmscap_t_prop_value(fd, conn_id, DRM_MODE_OBJECT_CONNECTOR, "EDID", &blob_id);
	if (r)
		kmscap_t_fail("connector %u: no EDID property: %s", conn_id, kmscap_t_errname(r));
	if (!blob_id)
		kmscap_t_fail("connector %u: EDID property is 0 (no blob)", conn_id);
	blob = drmModeGetPropertyBlob(fd, (uint32_t)blob_id);
	if (!blob)
		kmscap_t_fail("connector %u: EDID blob %llu: %s", conn_id,
			      (unsigned long long)blob_id, strerror(errno));
	return blob;
}

/* Parse and check one EDID against display @id and the mode @m. */
static void kmscap_check_edid(const uint8_t *e, uint32_t len, uint32_t id,
			      const drmModeModeInfo *m)
{
	static const uint8_t hdr[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };
	char want_name[32], name[14] = "";
	bool have_name = false;
	uint32_t blk, i, serial;
	const uint8_t *d;

	KT_ASSERT(len >= 128 && len % 128 == 0, "EDID length %u", len);
	KT_ASSERT(!memcmp(e, hdr, sizeof(hdr)),
		  "EDID header %02x %02x %02x %02x %02x %02x %02x %02x",
		  e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]);
	KT_ASSERT(len == 128u * (1u + e[126]), "EDID is %u bytes but announces %u extensions",
		  len, e[126]);
	for (blk = 0; blk < len / 128; blk++) {
		uint8_t sum = 0;

		for (i = 0; i < 128; i++)
			sum += e[blk * 128 + i];
		KT_ASSERT(sum == 0, "EDID block %u checksum: sum %u mod 256", blk, sum);
	}
	KT_ASSERT(e[18] == 1 && (e[19] == 3 || e[19] == 4), "EDID version %u.%u", e[18], e[19]);
	/* Manufacturer id: three 5-bit letters 'A'..'Z', bit 15 zero. */
	KT_ASSERT(!(e[8] & 0x80), "EDID manufacturer id reserved bit set");
	for (i = 0; i < 3; i++) {
		uint16_t mid = (uint16_t)(e[8] << 8 | e[9]);
		unsigned int c = (mid >> (10 - 5 * i)) & 0x1f;

		KT_ASSERT(c >= 1 && c <= 26, "EDID manufacturer letter %u is %u", i, c);
	}
	serial = (uint32_t)e[12] | (uint32_t)e[13] << 8 | (uint32_t)e[14] << 16 |
		 (uint32_t)e[15] << 24;
	KT_ASSERT(serial == id, "EDID serial number %u, display id %u", serial, id);

	/* Descriptors at 54, 72, 90, 108; the first is the preferred timing. */
	d = e + 54;
	KT_ASSERT(d[0] | d[1], "EDID first descriptor is not a detailed timing");
	{
		uint32_t clk_khz = ((uint32_t)d[0] | (uint32_t)d[1] << 8) * 10;
		uint32_t ha = d[2] | (uint32_t)(d[4] & 0xf0) << 4;
		uint32_t hb = d[3] | (uint32_t)(d[4] & 0x0f) << 8;
		uint32_t va = d[5] | (uint32_t)(d[7] & 0xf0) << 4;
		uint32_t vb = d[6] | (uint32_t)(d[7] & 0x0f) << 8;

		kmscap_t_log("EDID preferred timing %ux%u htotal %u vtotal %u clock %u kHz",
			     ha, va, ha + hb, va + vb, clk_khz);
		/*
		 * A detailed timing holds at most 4095 pixels, 655.35 MHz and a
		 * 510 kHz line rate; a mode that fits must be the preferred timing
		 * itself (flagged native in byte 24), a larger one gets a smaller
		 * stand-in and the native flag clear.
		 */
		bool fits = m->hdisplay < 4096 && m->vdisplay < 4096 && m->clock <= 655350 &&
			    (uint32_t)m->clock <= 510u * m->htotal;

		KT_ASSERT(!!(e[24] & 0x02) == fits,
			  "EDID native-timing flag %u for a %ux%u mode at %u kHz", !!(e[24] & 0x02),
			  m->hdisplay, m->vdisplay, m->clock);
		if (!fits)
			KT_ASSERT(ha <= m->hdisplay && va <= m->vdisplay && clk_khz <= 655350,
				  "EDID stand-in timing %ux%u at %u kHz for a %ux%u mode", ha, va,
				  clk_khz, m->hdisplay, m->vdisplay);
		if (fits) {
			KT_ASSERT(ha == m->hdisplay && va == m->vdisplay,
				  "EDID detailed timing %ux%u, connector preferred %ux%u", ha, va,
				  m->hdisplay, m->vdisplay);
			KT_ASSERT(ha + hb == m->htotal && va + vb == m->vtotal,
				  "EDID totals %ux%u, mode totals %ux%u", ha + hb, va + vb,
				  m->htotal, m->vtotal);
			KT_ASSERT(clk_khz + 10 > (uint32_t)m->clock &&
				  (uint32_t)m->clock + 10 > clk_khz,
				  "EDID pixel clock %u kHz, mode clock %u kHz", clk_khz, m->clock);
		}
	}
	for (i = 0; i < 4; i++) {
		d = e + 54 + 18 * i;
		if (d[0] || d[1] || d[3] != 0xfc)
			continue;
		memcpy(name, d + 5, 13);
		name[13] = 0;
		for (blk = 0; blk < 13; blk++) {
			if (name[blk] == '\n') {
				name[blk] = 0;
				break;
			}
		}
		have_name = true;
	}
	snprintf(want_name, sizeof(want_name), "kmscap %u", id);
	KT_ASSERT(have_name, "EDID has no monitor name descriptor (0xfc)");
	KT_ASSERT(!strcmp(name, want_name), "EDID monitor name '%s', expected '%s'", name,
		  want_name);
}

static void kmscap_check_display(int ctl, uint32_t w, uint32_t h, uint32_t mhz)
{
	struct kmscap_display_create c;
	drmModePropertyBlobPtr blob;
	struct kmscap_t_kms k;
	int r;

	kmscap_t_create_or_die(ctl, w, h, mhz, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	blob = kmscap_get_edid(k.fd, k.conn_id);
	kmscap_t_log("display %u (%ux%u@%u mHz): EDID %u bytes", c.id, w, h, mhz, blob->length);
	kmscap_check_edid(blob->data, blob->length, c.id, &k.mode);
	drmModeFreePropertyBlob(blob);

	/* A new mode gives a new EDID describing it. */
	r = kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_MODE, 1280, 720, 50000);
	KT_ASSERT(!r, "CONFIG_MODE 1280x720@50 on display %u: %s", c.id, kmscap_t_errname(r));
	r = kmscap_t_kms_reprobe(&k);
	KT_ASSERT(!r, "re-probe connector after CONFIG_MODE: %s", kmscap_t_errname(r));
	KT_ASSERT(k.mode.hdisplay == 1280 && k.mode.vdisplay == 720,
		  "preferred mode after CONFIG_MODE %ux%u, expected 1280x720", k.mode.hdisplay,
		  k.mode.vdisplay);
	blob = kmscap_get_edid(k.fd, k.conn_id);
	kmscap_check_edid(blob->data, blob->length, c.id, &k.mode);
	drmModeFreePropertyBlob(blob);

	kmscap_t_kms_close(&k);
	r = kmscap_t_destroy(ctl, c.id);
	KT_ASSERT(!r, "DESTROY %u: %s", c.id, kmscap_t_errname(r));
}

int main(void)
{
	int ctl;

	kmscap_t_init("edid", 100);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_check_display(ctl, 1920, 1080, 60000);
	kmscap_check_display(ctl, 2560, 1440, 59940);
	kmscap_check_display(ctl, 7680, 4320, 30000);
	/* Fit in size but not in a detailed timing's pixel clock. */
	kmscap_check_display(ctl, 3840, 2160, 144000);
	kmscap_check_display(ctl, 2560, 1440, 240000);
	close(ctl);
	kmscap_t_pass("EDID header, checksums, name, serial and preferred timing verified");
}
