// SPDX-License-Identifier: MIT
/*
 * destroy_race: a destroy does not hold up the registry while the DRM
 * device is torn down.  A display runs a 64x64 mode at 1 Hz with a page
 * flip in flight, so its teardown waits for the next vblank, up to a
 * second.  Two threads destroy it at once: exactly one succeeds, the other
 * gets ENOENT at once.  Meanwhile INFO of the display says ENOENT, INFO of
 * another display answers and a new display is created, all before the
 * destroy returns (the old module held its global lock across the
 * teardown, so every lookup waited for it).  The new display's id is not
 * the destroyed one's: ids are never reused.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "kmscap_test.h"

struct kmscap_destroyer {
	pthread_t thread;
	int ctl;
	uint32_t id;
	int ret;
	uint64_t t_end;
};

static void *kmscap_destroy_thread(void *arg)
{
	struct kmscap_destroyer *d = arg;

	d->ret = kmscap_t_destroy(d->ctl, d->id);
	d->t_end = kmscap_t_now_ns();
	return NULL;
}

/*
 * Did @t come well before the winning destroy returned?  The margin keeps
 * a lookup that merely raced the winner's return from counting.
 */
static bool kmscap_during(uint64_t t, const struct kmscap_destroyer *winner)
{
	return t + 100000000ull < winner->t_end;
}

int main(void)
{
	struct kmscap_display_create slow, other, fresh;
	struct kmscap_destroyer d[2];
	struct kmscap_display_info info;
	uint64_t t0, t_gone = 0, t_info = 0, t_create = 0;
	const struct kmscap_destroyer *winner;
	struct kmscap_t_buf a, b;
	struct kmscap_t_kms k;
	int ctl, r, i;

	kmscap_t_init("destroy_race", 100);
	ctl = kmscap_t_open_ctl_or_skip();
	kmscap_t_create_or_die(ctl, 640, 480, 60000, &other);
	kmscap_t_create_or_die(ctl, 64, 64, 1000, &slow);
	kmscap_t_kms_open_or_die(&k, slow.card_minor);
	kmscap_t_buf_create_or_die(k.fd, 64, 64, DRM_FORMAT_XRGB8888, &a);
	kmscap_t_buf_create_or_die(k.fd, 64, 64, DRM_FORMAT_XRGB8888, &b);
	r = kmscap_t_atomic_modeset(&k, &a);
	KT_ASSERT(!r, "atomic modeset 64x64@1: %s", kmscap_t_errname(r));
	/* Its flip-done event comes at the next vblank, up to 1 s away. */
	r = kmscap_t_atomic_flip(&k, &b, NULL, 0, true);
	KT_ASSERT(!r, "non-blocking flip: %s", kmscap_t_errname(r));

	t0 = kmscap_t_now_ns();
	for (i = 0; i < 2; i++) {
		d[i] = (struct kmscap_destroyer){ .ctl = ctl, .id = slow.id };
		KT_ASSERT(!pthread_create(&d[i].thread, NULL, kmscap_destroy_thread, &d[i]),
			  "pthread_create");
	}
	/* The display leaves the registry at once. */
	for (;;) {
		r = kmscap_t_info(ctl, slow.id, &info);
		if (r == -ENOENT) {
			t_gone = kmscap_t_now_ns();
			break;
		}
		KT_ASSERT(!r, "INFO of the display being destroyed: %s", kmscap_t_errname(r));
		KT_ASSERT(kmscap_t_now_ns() - t0 < 5000000000ull,
			  "display %u still listed 5 s after two DESTROYs", slow.id);
	}
	KT_EXPECT_RET(kmscap_t_info(ctl, other.id, &info), 0, "INFO of another display");
	t_info = kmscap_t_now_ns();
	kmscap_t_create_or_die(ctl, 640, 480, 60000, &fresh);
	t_create = kmscap_t_now_ns();

	for (i = 0; i < 2; i++)
		pthread_join(d[i].thread, NULL);
	kmscap_t_log("destroys: %s after %.3f s, %s after %.3f s; gone from the registry "
		     "after %.3f s, INFO of another %.3f s, CREATE %.3f s",
		     kmscap_t_errname(d[0].ret), (d[0].t_end - t0) / 1e9,
		     kmscap_t_errname(d[1].ret), (d[1].t_end - t0) / 1e9, (t_gone - t0) / 1e9,
		     (t_info - t0) / 1e9, (t_create - t0) / 1e9);
	KT_ASSERT((d[0].ret == 0 && d[1].ret == -ENOENT) ||
		  (d[1].ret == 0 && d[0].ret == -ENOENT),
		  "concurrent DESTROYs returned %s and %s, expected 0 and ENOENT",
		  kmscap_t_errname(d[0].ret), kmscap_t_errname(d[1].ret));
	KT_ASSERT(fresh.id != slow.id, "new display got the destroyed display's id %u", slow.id);
	winner = d[0].ret == 0 ? &d[0] : &d[1];
	if (winner->t_end - t0 < 300000000ull)
		kmscap_t_fail("the teardown took only %.3f s: the flip in flight at 1 Hz should "
			      "have made it wait for the next vblank", (winner->t_end - t0) / 1e9);
	KT_ASSERT(kmscap_during(t_gone, winner),
		  "the display was listed until its teardown had finished");
	KT_ASSERT(kmscap_during(t_info, winner), "INFO of another display waited for the teardown");
	KT_ASSERT(kmscap_during(t_create, winner), "CREATE waited for the teardown");

	kmscap_t_buf_destroy(&a);
	kmscap_t_buf_destroy(&b);
	kmscap_t_kms_close(&k);
	KT_EXPECT_RET(kmscap_t_destroy(ctl, fresh.id), 0, "DESTROY");
	KT_EXPECT_RET(kmscap_t_destroy(ctl, other.id), 0, "DESTROY");
	close(ctl);
	kmscap_t_pass("one of two DESTROYs won; lookups and CREATE ran during the teardown");
}
