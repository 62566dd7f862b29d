// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs: /sys/kernel/debug/kmscap/display-<id>/stats
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "kmscap_drv.h"

static struct dentry *kmscap_debugfs_root;

static int kmscap_debugfs_stats_show(struct seq_file *m, void *unused)
{
	struct kmscap_display *disp = m->private;
	struct kmscap_display_stats st;
	struct kmscap_client *client;
	unsigned int n = 0;

	spin_lock(&disp->capture_lock);
	st = disp->stats;
	seq_printf(m, "frames %llu\n", st.frames);
	seq_printf(m, "clients %u\n", disp->nclients);
	seq_printf(m, "drops_queue %llu\n", st.drops_queue);
	seq_printf(m, "drops_timeout %llu\n", st.drops_timeout);
	seq_printf(m, "holds %llu\n", st.holds);
	seq_printf(m, "hold_waits %llu\n", st.hold_waits);
	seq_printf(m, "hold_wait_ns_max %llu\n", st.hold_wait_ns_max);
	seq_printf(m, "revoked %llu\n", st.revoked);
	list_for_each_entry(client, &disp->clients, link) {
		const struct kmscap_client_stats *cs = &client->stats;

		seq_printf(m, "client%u flips %llu delivered %llu dropped_queue %llu dropped_timeout %llu queued %llu held %llu\n",
			   n++, cs->flips, cs->delivered, cs->dropped_queue,
			   cs->dropped_timeout, cs->queued, cs->held);
	}
	spin_unlock(&disp->capture_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kmscap_debugfs_stats);

void kmscap_debugfs_display_add(struct kmscap_display *disp)
{
	char name[24];

	snprintf(name, sizeof(name), "display-%u", disp->id);
	disp->debugfs = debugfs_create_dir(name, kmscap_debugfs_root);
	debugfs_create_file("stats", 0444, disp->debugfs, disp, &kmscap_debugfs_stats_fops);
}

void kmscap_debugfs_display_remove(struct kmscap_display *disp)
{
	debugfs_remove_recursive(disp->debugfs);
	disp->debugfs = NULL;
}

void kmscap_debugfs_init(void)
{
	kmscap_debugfs_root = debugfs_create_dir(KMSCAP_NAME, NULL);
}

void kmscap_debugfs_exit(void)
{
	debugfs_remove_recursive(kmscap_debugfs_root);
}
