// SPDX-License-Identifier: MIT
/*
 * replug: DISPLAY_CONFIG with KMSCAP_CONFIG_REPLUG replaces the monitor the
 * way compositors notice.  The connector goes disconnected with a hotplug
 * uevent, and the call does not come back before the DRM master has probed
 * it disconnected (a non-master's query does not count: it only reads the
 * cached state); then the new mode is plugged in with a second uevent.
 * Without a master the call ends after replug_timeout_ms; a display that is
 * already disconnected is just plugged in; a display destroyed during the
 * wait ends it; bad flag combinations are refused without an event.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "kmscap_test.h"

#define UEVENT_TIMEOUT_MS	5000
#define TIMEOUT_PARAM		"/sys/module/kmscap/parameters/replug_timeout_ms"

struct replug_call {
	int ctl;
	uint32_t id;
	uint32_t flags;
	uint32_t w, h, mhz;
	pthread_t thread;
	atomic_int done;
	int ret;
};

static void *replug_thread(void *arg)
{
	struct replug_call *c = arg;

	c->ret = kmscap_t_config(c->ctl, c->id, c->flags, c->w, c->h, c->mhz);
	atomic_store(&c->done, 1);
	return NULL;
}

static void replug_start(struct replug_call *c, int ctl, uint32_t id, uint32_t flags,
			 uint32_t w, uint32_t h)
{
	*c = (struct replug_call){ .ctl = ctl, .id = id, .flags = flags, .w = w, .h = h,
				   .mhz = w ? 60000 : 0 };
	if (pthread_create(&c->thread, NULL, replug_thread, c))
		kmscap_t_fail("pthread_create failed");
}

static int replug_join(struct replug_call *c)
{
	pthread_join(c->thread, NULL);
	return c->ret;
}

static void set_timeout_ms(unsigned int ms)
{
	FILE *f = fopen(TIMEOUT_PARAM, "w");

	if (!f)
		kmscap_t_fail("%s: %s", TIMEOUT_PARAM, strerror(errno));
	fprintf(f, "%u\n", ms);
	if (fclose(f))
		kmscap_t_fail("writing %s: %s", TIMEOUT_PARAM, strerror(errno));
}

static int connector_status(int fd, uint32_t conn_id)
{
	drmModeConnectorPtr c = drmModeGetConnector(fd, conn_id);
	int status;

	if (!c)
		kmscap_t_fail("drmModeGetConnector %u: %s", conn_id, strerror(errno));
	status = c->connection;
	drmModeFreeConnector(c);
	return status;
}

static void expect_uevent(int sock, unsigned int minor, const char *what)
{
	int r = kmscap_t_uevent_wait_hotplug(sock, minor, UEVENT_TIMEOUT_MS);

	if (r)
		kmscap_t_fail("%s: no hotplug uevent for dri/card%u within %d ms: %s", what,
			      minor, UEVENT_TIMEOUT_MS, kmscap_t_errname(r));
}

/* The master sees the monitor go, the call waits for that, then the new one comes. */
static void replug_with_master(int ctl, int sock)
{
	struct kmscap_display_create c;
	struct replug_call call;
	struct kmscap_t_kms k;
	int other, status;

	kmscap_t_create_or_die(ctl, 1920, 1080, 60000, &c);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	KT_ASSERT(drmIsMaster(k.fd), "card%u: the first opener is not the DRM master",
		  c.card_minor);
	other = kmscap_t_open_card(c.card_minor);
	KT_ASSERT(other >= 0, "second open of card%u: %s", c.card_minor, kmscap_t_errname(other));
	KT_ASSERT(!drmIsMaster(other), "card%u: a second opener is master too", c.card_minor);
	kmscap_t_uevent_flush(sock);

	replug_start(&call, ctl, c.id, KMSCAP_CONFIG_MODE | KMSCAP_CONFIG_REPLUG, 1280, 720);
	expect_uevent(sock, c.card_minor, "REPLUG (unplug)");
	/* Give a call that wrongly returns early the time to do so. */
	kmscap_t_sleep_ms(300);
	KT_ASSERT(!atomic_load(&call.done),
		  "REPLUG returned (%s) before the master probed the connector",
		  kmscap_t_errname(call.ret));
	status = connector_status(other, k.conn_id);
	KT_ASSERT(status == DRM_MODE_CONNECTED,
		  "a non-master's query shows status %d, expected the cached 'connected'", status);
	kmscap_t_sleep_ms(300);
	KT_ASSERT(!atomic_load(&call.done),
		  "REPLUG returned (%s) after a non-master's query, before the master's probe",
		  kmscap_t_errname(call.ret));

	status = connector_status(k.fd, k.conn_id);
	KT_ASSERT(status == DRM_MODE_DISCONNECTED,
		  "the master's probe during REPLUG shows status %d, expected disconnected", status);
	KT_EXPECT_RET(replug_join(&call), 0, "REPLUG 1280x720");
	expect_uevent(sock, c.card_minor, "REPLUG (plug)");
	status = connector_status(k.fd, k.conn_id);
	KT_ASSERT(status == DRM_MODE_CONNECTED, "status %d after REPLUG", status);
	KT_EXPECT_RET(kmscap_t_kms_reprobe(&k), 0, "preferred mode after REPLUG");
	KT_ASSERT(k.mode.hdisplay == 1280 && k.mode.vdisplay == 720,
		  "preferred mode %ux%u after REPLUG 1280x720", k.mode.hdisplay, k.mode.vdisplay);

	close(other);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
}

/* Nobody probes: the call ends after the timeout with the new monitor plugged in. */
static void replug_unwatched(int ctl, int sock)
{
	struct kmscap_display_create c;
	struct kmscap_display_info info;
	struct kmscap_t_kms k;
	int r;

	set_timeout_ms(100);
	kmscap_t_create_or_die(ctl, 1920, 1080, 60000, &c);
	kmscap_t_uevent_flush(sock);
	r = kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_MODE | KMSCAP_CONFIG_REPLUG, 1024, 768,
			    75000);
	KT_ASSERT(!r, "REPLUG without a master: %s", kmscap_t_errname(r));
	expect_uevent(sock, c.card_minor, "unwatched REPLUG (unplug)");
	expect_uevent(sock, c.card_minor, "unwatched REPLUG (plug)");
	KT_EXPECT_RET(kmscap_t_info(ctl, c.id, &info), 0, "INFO");
	KT_ASSERT((info.flags & KMSCAP_INFO_CONNECTED) && info.width == 1024 &&
		  info.height == 768 && info.refresh_mhz == 75000,
		  "INFO after REPLUG: flags 0x%x %ux%u@%u mHz", info.flags, info.width,
		  info.height, info.refresh_mhz);
	kmscap_t_kms_open_or_die(&k, c.card_minor);
	KT_ASSERT(k.mode.hdisplay == 1024 && k.mode.vdisplay == 768,
		  "preferred mode %ux%u after REPLUG 1024x768", k.mode.hdisplay, k.mode.vdisplay);

	/* REPLUG without MODE: the same monitor, unplugged and plugged in. */
	kmscap_t_uevent_flush(sock);
	r = kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_REPLUG, 0, 0, 0);
	KT_ASSERT(!r, "REPLUG without MODE: %s", kmscap_t_errname(r));
	expect_uevent(sock, c.card_minor, "REPLUG without MODE (unplug)");
	expect_uevent(sock, c.card_minor, "REPLUG without MODE (plug)");
	KT_EXPECT_RET(kmscap_t_kms_reprobe(&k), 0, "preferred mode after REPLUG without MODE");
	KT_ASSERT(k.mode.hdisplay == 1024 && k.mode.vdisplay == 768,
		  "preferred mode %ux%u after REPLUG without MODE", k.mode.hdisplay,
		  k.mode.vdisplay);
	kmscap_t_kms_close(&k);

	/* Already disconnected: plugged in with the new mode, one uevent. */
	KT_EXPECT_RET(kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_DISCONNECT, 0, 0, 0), 0,
		      "DISCONNECT");
	expect_uevent(sock, c.card_minor, "DISCONNECT");
	set_timeout_ms(10000);
	r = kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_MODE | KMSCAP_CONFIG_REPLUG, 800, 600,
			    60000);
	KT_ASSERT(!r, "REPLUG of a disconnected display: %s", kmscap_t_errname(r));
	expect_uevent(sock, c.card_minor, "REPLUG of a disconnected display");
	KT_EXPECT_RET(kmscap_t_info(ctl, c.id, &info), 0, "INFO");
	KT_ASSERT((info.flags & KMSCAP_INFO_CONNECTED) && info.width == 800,
		  "INFO after REPLUG of a disconnected display: flags 0x%x width %u",
		  info.flags, info.width);

	/* Refused: REPLUG with CONNECT or DISCONNECT; no uevent, nothing changed. */
	kmscap_t_uevent_flush(sock);
	KT_EXPECT_RET(kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_REPLUG | KMSCAP_CONFIG_CONNECT,
				      0, 0, 0), -EINVAL, "REPLUG|CONNECT");
	KT_EXPECT_RET(kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_REPLUG | KMSCAP_CONFIG_DISCONNECT,
				      0, 0, 0), -EINVAL, "REPLUG|DISCONNECT");
	KT_EXPECT_RET(kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_REPLUG, 640, 480, 60000),
		      -EINVAL, "REPLUG with a mode but without MODE");
	KT_EXPECT_RET(kmscap_t_config(ctl, c.id, KMSCAP_CONFIG_REPLUG | KMSCAP_CONFIG_MODE,
				      16, 16, 60000), -EINVAL, "REPLUG|MODE 16x16");
	r = kmscap_t_uevent_wait_hotplug(sock, c.card_minor, 300);
	KT_ASSERT(r == -ETIMEDOUT, "a refused REPLUG sent a uevent (%s)", kmscap_t_errname(r));
	KT_EXPECT_RET(kmscap_t_info(ctl, c.id, &info), 0, "INFO");
	KT_ASSERT((info.flags & KMSCAP_INFO_CONNECTED) && info.width == 800,
		  "refused REPLUGs changed the display: flags 0x%x width %u", info.flags,
		  info.width);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY");
}

/* Destroying the display ends a REPLUG's wait. */
static void replug_destroyed(int ctl, int sock)
{
	struct kmscap_display_create c;
	struct replug_call call;
	int r;

	set_timeout_ms(10000);
	kmscap_t_create_or_die(ctl, 1920, 1080, 60000, &c);
	kmscap_t_uevent_flush(sock);
	replug_start(&call, ctl, c.id, KMSCAP_CONFIG_MODE | KMSCAP_CONFIG_REPLUG, 1280, 720);
	expect_uevent(sock, c.card_minor, "REPLUG before DESTROY (unplug)");
	KT_ASSERT(!atomic_load(&call.done), "REPLUG returned (%s) with nobody probing",
		  kmscap_t_errname(call.ret));
	KT_EXPECT_RET(kmscap_t_destroy(ctl, c.id), 0, "DESTROY during REPLUG");
	r = replug_join(&call);
	KT_ASSERT(r == -ENOENT, "REPLUG cut short by DESTROY returned %s, expected ENOENT",
		  kmscap_t_errname(r));
}

int main(void)
{
	struct kmscap_version v;
	int ctl, sock;

	kmscap_t_init("replug", 100);
	ctl = kmscap_t_open_ctl_or_skip();
	KT_EXPECT_RET(kmscap_t_version(ctl, &v), 0, "VERSION");
	KT_ASSERT(v.caps & KMSCAP_CAP_REPLUG, "VERSION caps 0x%llx lack KMSCAP_CAP_REPLUG",
		  (unsigned long long)v.caps);
	if (access(TIMEOUT_PARAM, W_OK))
		kmscap_t_skip("%s is not writable here: %s", TIMEOUT_PARAM, strerror(errno));
	sock = kmscap_t_uevent_open();
	if (sock < 0)
		kmscap_t_fail("NETLINK_KOBJECT_UEVENT socket: %s", kmscap_t_errname(sock));

	set_timeout_ms(10000);
	replug_with_master(ctl, sock);
	replug_unwatched(ctl, sock);
	replug_destroyed(ctl, sock);
	set_timeout_ms(1000);
	close(sock);
	close(ctl);
	kmscap_t_pass("REPLUG waits for the master to see the monitor go, then plugs the new one");
}
