// SPDX-License-Identifier: GPL-2.0-only
/*
 * The debug kernel's checkers, tripped on purpose: a stand-in kmscap.ko
 * that leaks allocations, locks two mutexes of one lock class (lockdep:
 * possible recursive locking) and reads past the end of an allocation
 * (KASAN: slab-out-of-bounds).  tests/vm/debug-canary.sh boots it and
 * checks that the VM run reports each, as it would for the real module.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

static void *kmscap_canary_kept;
static void *kmscap_canary_sink;

static noinline void kmscap_canary_leak(void)
{
	void *p = kmalloc(192, GFP_KERNEL);

	/* Hide the pointer from the compiler, keep it from kmemleak. */
	OPTIMIZER_HIDE_VAR(p);
	p = NULL;
}

/* A leak from the module's core code (no tail call: work follows). */
static noinline void kmscap_canary_leak_core(void)
{
	WRITE_ONCE(kmscap_canary_sink, kmalloc(192, GFP_KERNEL));
	WRITE_ONCE(kmscap_canary_sink, NULL);
}

static noinline void kmscap_canary_lock_twice(void)
{
	struct mutex *m = kcalloc(2, sizeof(*m), GFP_KERNEL);
	int i;

	if (!m)
		return;
	/* One init site: one lock class for both. */
	for (i = 0; i < 2; i++)
		mutex_init(&m[i]);
	mutex_lock(&m[0]);
	mutex_lock(&m[1]);
	mutex_unlock(&m[1]);
	mutex_unlock(&m[0]);
	kfree(m);
}

static noinline void kmscap_canary_overread(void)
{
	char *p = kmalloc(24, GFP_KERNEL);

	if (!p)
		return;
	OPTIMIZER_HIDE_VAR(p);
	pr_info("kmscap canary: byte past the end: %d\n", READ_ONCE(p[24]));
	kfree(p);
}

static int __init kmscap_canary_init(void)
{
	int i;

	kmscap_canary_kept = kmalloc(16, GFP_KERNEL);	/* referenced: no report */
	/*
	 * Four leaks: kmemleak scans whole stacks, and the last pointer may
	 * linger in a stale stack slot (a false negative); the others not.
	 */
	for (i = 0; i < 4; i++)
		kmscap_canary_leak();
	for (i = 0; i < 2; i++)
		kmscap_canary_leak_core();
	kmscap_canary_lock_twice();
	kmscap_canary_overread();
	return 0;
}

static void __exit kmscap_canary_exit(void)
{
	kfree(kmscap_canary_kept);
}

module_init(kmscap_canary_init);
module_exit(kmscap_canary_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmscap test canary for the debug kernel's checkers");
