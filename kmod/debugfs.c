// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs: /sys/kernel/debug/kmscap/display-<id>/stats, and inject_event
 * (root only, for tests): writing a number N gives every client of the
 * display attached for framed events one event of type N, which no ABI
 * defines, so that tests can check that readers skip it; vblank_stall
 * (root only, for tests): writing 1 delays the next vblank callback as
 * &enum kmscap_vblank_stall says, reading gives the state (0, 1, 2).
 */

#include <linux/debugfs.h>
#include <linux/kstrtox.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

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

static ssize_t kmscap_debugfs_inject_write(struct file *file, const char __user *buf,
					   size_t count, loff_t *ppos)
{
	struct kmscap_display *disp = file->private_data;
	u32 type;
	int ret;

	ret = kstrtou32_from_user(buf, count, 0, &type);
	if (ret)
		return ret;
	ret = kmscap_capture_inject(disp, type);
	return ret ? ret : count;
}

static const struct file_operations kmscap_debugfs_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = kmscap_debugfs_inject_write,
	.llseek = no_llseek,
};

static int kmscap_debugfs_stall_get(void *data, u64 *val)
{
	struct kmscap_display *disp = data;

	*val = atomic_read(&disp->vblank_stall);
	return 0;
}

static int kmscap_debugfs_stall_set(void *data, u64 val)
{
	struct kmscap_display *disp = data;

	if (val != KMSCAP_VBLANK_STALL_ARMED)
		return -EINVAL;
	atomic_set(&disp->vblank_stall, KMSCAP_VBLANK_STALL_ARMED);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(kmscap_debugfs_stall_fops, kmscap_debugfs_stall_get,
			 kmscap_debugfs_stall_set, "%llu\n");

void kmscap_debugfs_display_add(struct kmscap_display *disp)
{
	char name[24];

	snprintf(name, sizeof(name), "display-%u", disp->id);
	disp->debugfs = debugfs_create_dir(name, kmscap_debugfs_root);
	debugfs_create_file("stats", 0444, disp->debugfs, disp, &kmscap_debugfs_stats_fops);
	debugfs_create_file("inject_event", 0200, disp->debugfs, disp,
			    &kmscap_debugfs_inject_fops);
	debugfs_create_file_unsafe("vblank_stall", 0600, disp->debugfs, disp,
				   &kmscap_debugfs_stall_fops);
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
