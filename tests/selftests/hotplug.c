// SPDX-License-Identifier: MIT
/*
 * hotplug: DISPLAY_CONFIG behaves like swapping a monitor.  Each change
 * sends a "change" uevent with HOTPLUG=1 for the display's card (seen on a
 * NETLINK_KOBJECT_UEVENT socket, as udev would), the connector's mode list
 * and status follow, INFO flags follow, and invalid configs are refused
 * without an event.
 */
#include <unistd.h>

#include "kmscap_test.h"

#define UEVENT_TIMEOUT_MS 5000

static drmModeConnectorPtr kmscap_conn(struct kmscap_t_kms *k)
{
	drmModeConnectorPtr c = drmModeGetConnector(k->fd, k->conn_id);

	if (!c)
		kmscap_t_fail("card%u: drmModeGetConnector %u: %s", k->minor, k->conn_id,
			      strerror(errno));
	return c;
}

static void kmscap_expect_uevent(int sock, unsigned int minor, const char *what)
{
	int r = kmscap_t_uevent_wait_hotplug(sock, minor, UEVENT_TIMEOUT_MS);

	if (r)
		kmscap_t_fail("%s: no change uevent with HOTPLUG=1 for dri/card%u within %d ms: %s",
			      what, minor, UEVENT_TIMEOUT_MS, kmscap_t_errname(r));
}

static void kmscap_expect_no_uevent(int sock, unsigned int minor, const char *what)
{
	int r = kmscap_t_uevent_wait_hotplug(sock, minor, 300);

	if (r != -ETIMEDOUT)
		kmscap_t_fail("%s: unexpected hotplug uevent for dri/card%u (%s)", what, minor,
			      kmscap_t_errname(r));
}

int main(void)
{
	struct kmscap_display_create c;
	struct kmscap_display_info info;
	drmModeConnectorPtr conn;
	struct kmscap_t_kms k;
	bool found_old = false;
	int ctl, sock, r, i;

	kmscap_t_init("hotplug", 100);
	ctl = kmscap_t_open_ctl_or_skip();
	sock = kmscap_t_uevent_open();
	if (sock < 0)
		kmscap_t_fail("NETLINK_KOBJECT_UEVENT socket: %s", kmscap_t_errname(sock));

	kmscap_t_create_or_die(ctl, 1920, 1080, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	kmscap_t_uevent_flush(sock);

	/* Mode change. */
	r = kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_MODE, 1280, 1024, 75000);
	KT_ASSERT(!r, "CONFIG_MODE 1280x1024@75 display %u: %s", c.id, kmscap_t_errname(r));
	kmscap_expect_uevent(sock, c.card_minor, "CONFIG_MODE");
	conn = kmscap_conn(&k);
	KT_ASSERT(conn->connection == DRM_MODE_CONNECTED, "status %d after CONFIG_MODE",
		  conn->connection);
	r = kmscap_t_kms_reprobe(&k);
	KT_ASSERT(!r, "no preferred mode after CONFIG_MODE: %s", kmscap_t_errname(r));
	KT_ASSERT(k.mode.hdisplay == 1280 && k.mode.vdisplay == 1024,
		  "preferred mode %ux%u after CONFIG_MODE 1280x1024", k.mode.hdisplay,
		  k.mode.vdisplay);
	for (i = 0; i < conn->count_modes; i++) {
		const drmModeModeInfo *m = &conn->modes[i];

		if (m->hdisplay == 1920 && m->vdisplay == 1080)
			found_old = true;
		KT_ASSERT(m->hdisplay <= 1280 && m->vdisplay <= 1024,
			  "mode %ux%u listed although the monitor now tops at 1280x1024",
			  m->hdisplay, m->vdisplay);
	}
	KT_ASSERT(!found_old, "1920x1080 still listed after CONFIG_MODE 1280x1024");
	drmModeFreeConnector(conn);
	KT_EXPECT_RET(kmscap_t_info(ctl, c.id, &info), 0, "INFO");
	KT_ASSERT(info.width == 1280 && info.height == 1024 && info.refresh_mhz == 75000,
		  "INFO after CONFIG_MODE: %ux%u@%u mHz", info.width, info.height,
		  info.refresh_mhz);

	/* Disconnect. */
	r = kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_DISCONNECT, 0, 0, 0);
	KT_ASSERT(!r, "CONFIG_DISCONNECT display %u: %s", c.id, kmscap_t_errname(r));
	kmscap_expect_uevent(sock, c.card_minor, "CONFIG_DISCONNECT");
	conn = kmscap_conn(&k);
	KT_ASSERT(conn->connection == DRM_MODE_DISCONNECTED, "status %d after DISCONNECT",
		  conn->connection);
	drmModeFreeConnector(conn);
	KT_EXPECT_RET(kmscap_t_info(ctl, c.id, &info), 0, "INFO");
	KT_ASSERT(!(info.flags & KMSCAP_INFO_CONNECTED), "INFO flags 0x%x after DISCONNECT",
		  info.flags);

	/* Connect again: status and the configured mode come back. */
	r = kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_CONNECT, 0, 0, 0);
	KT_ASSERT(!r, "CONFIG_CONNECT display %u: %s", c.id, kmscap_t_errname(r));
	kmscap_expect_uevent(sock, c.card_minor, "CONFIG_CONNECT");
	conn = kmscap_conn(&k);
	KT_ASSERT(conn->connection == DRM_MODE_CONNECTED, "status %d after CONNECT",
		  conn->connection);
	KT_ASSERT(conn->count_modes > 0, "no modes after CONNECT");
	drmModeFreeConnector(conn);
	r = kmscap_t_kms_reprobe(&k);
	KT_ASSERT(!r && k.mode.hdisplay == 1280 && k.mode.vdisplay == 1024,
		  "preferred mode after CONNECT %ux%u (%s)", k.mode.hdisplay, k.mode.vdisplay,
		  kmscap_t_errname(r));
	KT_EXPECT_RET(kmscap_t_info(ctl, c.id, &info), 0, "INFO");
	KT_ASSERT(info.flags & KMSCAP_INFO_CONNECTED, "INFO flags 0x%x after CONNECT",
		  info.flags);

	/* Mode + disconnect in one call; then connect. */
	r = kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_MODE | KMSCAP_CONFIG_DISCONNECT,
			    800, 600, 60000);
	KT_ASSERT(!r, "CONFIG_MODE|DISCONNECT: %s", kmscap_t_errname(r));
	kmscap_expect_uevent(sock, c.card_minor, "CONFIG_MODE|DISCONNECT");
	r = kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_CONNECT, 0, 0, 0);
	KT_ASSERT(!r, "CONFIG_CONNECT: %s", kmscap_t_errname(r));
	kmscap_expect_uevent(sock, c.card_minor, "CONFIG_CONNECT after MODE|DISCONNECT");
	r = kmscap_t_kms_reprobe(&k);
	KT_ASSERT(!r && k.mode.hdisplay == 800 && k.mode.vdisplay == 600,
		  "preferred mode %ux%u, expected 800x600 (%s)", k.mode.hdisplay,
		  k.mode.vdisplay, kmscap_t_errname(r));

	/* Refused configs change nothing and send nothing. */
	kmscap_t_uevent_flush(sock);
	KT_EXPECT_RET(kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_CONNECT | KMSCAP_CONFIG_DISCONNECT,
				      0, 0, 0), -EINVAL, "CONFIG CONNECT|DISCONNECT");
	KT_EXPECT_RET(kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_MODE, 32, 32, 60000), -EINVAL,
		      "CONFIG_MODE 32x32");
	KT_EXPECT_RET(kmscap_t_config(ctl, c.id, 0, 0, 0, 0), -EINVAL, "CONFIG flags 0");
	kmscap_expect_no_uevent(sock, c.card_minor, "refused CONFIGs");
	r = kmscap_t_kms_reprobe(&k);
	KT_ASSERT(!r && k.mode.hdisplay == 800 && k.mode.vdisplay == 600,
		  "preferred mode %ux%u after refused CONFIGs, expected 800x600",
		  k.mode.hdisplay, k.mode.vdisplay);

	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");

	/* A display created disconnected shows up so, then connects. */
	r = kmscap_t_create(ctl, 1024, 768, 60000, KMSCAP_CREATE_DISCONNECTED, &c);
	KT_ASSERT(!r, "CREATE with KMSCAP_CREATE_DISCONNECTED: %s", kmscap_t_errname(r));
	KT_EXPECT_RET(kmscap_t_info(ctl, c.id, &info), 0, "INFO");
	KT_ASSERT(!(info.flags & KMSCAP_INFO_CONNECTED), "INFO flags 0x%x of a display created "
		  "disconnected", info.flags);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	conn = kmscap_conn(&k);
	KT_ASSERT(conn->connection == DRM_MODE_DISCONNECTED,
		  "connector status %d of a display created disconnected", conn->connection);
	drmModeFreeConnector(conn);
	kmscap_t_uevent_flush(sock);
	r = kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_CONNECT, 0, 0, 0);
	KT_ASSERT(!r, "CONFIG_CONNECT: %s", kmscap_t_errname(r));
	kmscap_expect_uevent(sock, c.card_minor, "CONFIG_CONNECT of a disconnected-created display");
	conn = kmscap_conn(&k);
	KT_ASSERT(conn->connection == DRM_MODE_CONNECTED, "status %d after CONNECT",
		  conn->connection);
	drmModeFreeConnector(conn);
	r = kmscap_t_kms_reprobe(&k);
	KT_ASSERT(!r && k.mode.hdisplay == 1024 && k.mode.vdisplay == 768,
		  "preferred mode %ux%u after CONNECT, created 1024x768", k.mode.hdisplay,
		  k.mode.vdisplay);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
	close(sock);
	close(ctl);
	kmscap_t_pass("uevents, mode list and connector status follow DISPLAY_CONFIG");
}
