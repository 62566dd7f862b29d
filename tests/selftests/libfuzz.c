// SPDX-License-Identifier: MIT
/*
 * libfuzz: seed and random streams, call counts, argument memory and the
 * ioctl layer of the fuzz selftest (see libfuzz.h and fuzz.c).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "libfuzz.h"

/* ---- the seed, and one random stream per thread ---------------------- */

static uint64_t kmscap_fz_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void kmscap_fz_rng_init(struct kmscap_fz_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ull);
	unsigned int i;

	for (i = 0; i < 4; i++)
		r->s[i] = kmscap_fz_splitmix(&x);
}

static inline uint64_t kmscap_fz_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t kmscap_fz_u64(struct kmscap_fz_rng *r)
{
	uint64_t *s = r->s, res = kmscap_fz_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = kmscap_fz_rotl(s[3], 45);
	return res;
}

uint32_t kmscap_fz_below(struct kmscap_fz_rng *r, uint32_t n)
{
	return n ? (uint32_t)(((kmscap_fz_u64(r) >> 32) * n) >> 32) : 0;
}

uint32_t kmscap_fz_range(struct kmscap_fz_rng *r, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(kmscap_fz_u64(r) % ((uint64_t)hi - lo + 1));
}

bool kmscap_fz_chance(struct kmscap_fz_rng *r, unsigned int percent)
{
	return kmscap_fz_below(r, 100) < percent;
}

static const uint32_t kmscap_fz_edges32[] = {
	0, 1, 2, 3, 7, 8, 63, 64, 65, 255, 256, 257, 999, 1000, 1001, 4095, 4096,
	8191, 8192, 8193, 65535, 65536, 499999, 500000, 500001, 0x7fffffffu,
	0x80000000u, 0xfffffffeu, 0xffffffffu,
};

uint32_t kmscap_fz_edge32(struct kmscap_fz_rng *r)
{
	switch (kmscap_fz_below(r, 4)) {
	case 0:
		return (uint32_t)kmscap_fz_u64(r);
	case 1:
		return kmscap_fz_below(r, 70);
	default:
		return kmscap_fz_edges32[kmscap_fz_below(r, KMSCAP_T_ARRAY_SIZE(kmscap_fz_edges32))];
	}
}

uint64_t kmscap_fz_edge64(struct kmscap_fz_rng *r)
{
	static const uint64_t edges[] = {
		0, 1, 1000000, KMSCAP_MAX_HOLD_NS - 1, KMSCAP_MAX_HOLD_NS,
		KMSCAP_MAX_HOLD_NS + 1, 0xffffffffull, 0x100000000ull,
		0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull,
	};

	if (kmscap_fz_chance(r, 50))
		return edges[kmscap_fz_below(r, KMSCAP_T_ARRAY_SIZE(edges))];
	return kmscap_fz_chance(r, 50) ? kmscap_fz_u64(r) : kmscap_fz_edge32(r);
}

uint32_t kmscap_fz_never_id(struct kmscap_fz_rng *r)
{
	static const uint32_t never[] = { 0, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu };

	if (kmscap_fz_chance(r, 50))
		return never[kmscap_fz_below(r, KMSCAP_T_ARRAY_SIZE(never))];
	return 0x40000000u + kmscap_fz_below(r, 0xc0000000u);
}

/* The value of key=N in a space-separated @line, or false. */
static bool kmscap_fz_find_u64(const char *line, const char *key, uint64_t *val)
{
	size_t klen = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			char *end;

			*val = strtoull(p + klen + 1, &end, 0);
			return end != p + klen + 1;
		}
		p += klen;
	}
	return false;
}

void kmscap_fz_params_get(struct kmscap_fz_params *p)
{
	char line[4096] = "";
	const char *env;
	uint64_t v;
	FILE *f;

	f = fopen("/proc/cmdline", "re");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	p->scale = 1;
	env = getenv("KMSCAP_FUZZ_SEED");
	if (kmscap_fz_find_u64(line, "kmscap_fuzz.seed", &p->seed)) {
		p->from = "kmscap_fuzz.seed on the kernel command line";
	} else if (env && *env) {
		p->seed = strtoull(env, NULL, 0);
		p->from = "$KMSCAP_FUZZ_SEED";
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		v = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
		p->seed = kmscap_fz_splitmix(&v) ^ (uint64_t)getpid();
		p->seed &= 0xffffffffffffull;	/* short enough to type */
		p->from = "the clock";
	}
	env = getenv("KMSCAP_FUZZ_SCALE");
	if (!kmscap_fz_find_u64(line, "kmscap_fuzz.scale", &v))
		v = env ? strtoull(env, NULL, 0) : 1;
	p->scale = v < 1 ? 1 : v > 100 ? 100 : (unsigned int)v;
}

/* ---- calls and their results ----------------------------------------- */

static const char *const kmscap_fz_op_names[KMSCAP_FZ_NOPS] = {
	[KMSCAP_FZ_OP_VERSION] = "VERSION",
	[KMSCAP_FZ_OP_CREATE] = "DISPLAY_CREATE",
	[KMSCAP_FZ_OP_INFO] = "DISPLAY_INFO",
	[KMSCAP_FZ_OP_LIST] = "DISPLAY_LIST",
	[KMSCAP_FZ_OP_CONFIG] = "DISPLAY_CONFIG",
	[KMSCAP_FZ_OP_DESTROY] = "DISPLAY_DESTROY",
	[KMSCAP_FZ_OP_ATTACH] = "ATTACH",
	[KMSCAP_FZ_OP_EXPORT] = "EXPORT",
	[KMSCAP_FZ_OP_RELEASE] = "RELEASE",
	[KMSCAP_FZ_OP_STATS] = "STATS",
	[KMSCAP_FZ_OP_GAMMA] = "DISPLAY_GAMMA",
	[KMSCAP_FZ_OP_BAD_NR] = "unknown nr",
	[KMSCAP_FZ_OP_BAD_TYPE] = "foreign type",
	[KMSCAP_FZ_OP_READ] = "read",
	[KMSCAP_FZ_OP_POLL] = "poll",
	[KMSCAP_FZ_OP_OPEN] = "open",
	[KMSCAP_FZ_OP_CLOSE] = "close",
	[KMSCAP_FZ_OP_MMAP] = "mmap dma-buf",
	[KMSCAP_FZ_OP_DMABUF_SYNC] = "DMA_BUF_IOCTL_SYNC",
	[KMSCAP_FZ_OP_ATOMIC] = "atomic commit",
	[KMSCAP_FZ_OP_ATOMIC_TEST] = "atomic TEST_ONLY",
	[KMSCAP_FZ_OP_ATOMIC_MODESET] = "atomic modeset",
	[KMSCAP_FZ_OP_SETCRTC] = "SETCRTC",
	[KMSCAP_FZ_OP_PAGE_FLIP] = "PAGE_FLIP",
	[KMSCAP_FZ_OP_CURSOR] = "CURSOR/CURSOR2",
	[KMSCAP_FZ_OP_MOVE_CURSOR] = "CURSOR move",
	[KMSCAP_FZ_OP_DIRTYFB] = "DIRTYFB",
	[KMSCAP_FZ_OP_ADDFB] = "ADDFB2",
	[KMSCAP_FZ_OP_RMFB] = "RMFB",
	[KMSCAP_FZ_OP_CREATE_DUMB] = "CREATE_DUMB",
	[KMSCAP_FZ_OP_DESTROY_DUMB] = "DESTROY_DUMB",
	[KMSCAP_FZ_OP_BLOB] = "CREATEPROPBLOB",
	[KMSCAP_FZ_OP_PROBE] = "GETCONNECTOR",
	[KMSCAP_FZ_OP_DRM_EVENT] = "DRM event",
};

const char *kmscap_fz_op_name(enum kmscap_fz_op op)
{
	return op < KMSCAP_FZ_NOPS ? kmscap_fz_op_names[op] : "?";
}

void kmscap_fz_count(struct kmscap_fz_counts *c, enum kmscap_fz_op op, long ret)
{
	unsigned long e = ret >= 0 ? 0 : (unsigned long)-ret;

	c->n[op][e < KMSCAP_FZ_NERR ? e : KMSCAP_FZ_NERR - 1]++;
}

void kmscap_fz_counts_add(struct kmscap_fz_counts *dst, const struct kmscap_fz_counts *src)
{
	unsigned int i, e;

	for (i = 0; i < KMSCAP_FZ_NOPS; i++)
		for (e = 0; e < KMSCAP_FZ_NERR; e++)
			dst->n[i][e] += src->n[i][e];
}

uint64_t kmscap_fz_counts_total(const struct kmscap_fz_counts *c)
{
	uint64_t total = 0;
	unsigned int i, e;

	for (i = 0; i < KMSCAP_FZ_NOPS; i++)
		for (e = 0; e < KMSCAP_FZ_NERR; e++)
			total += c->n[i][e];
	return total;
}

void kmscap_fz_counts_print(const struct kmscap_fz_counts *c)
{
	unsigned int i, e;

	for (i = 0; i < KMSCAP_FZ_NOPS; i++) {
		char line[1024];
		uint64_t calls = 0;
		size_t len;

		for (e = 0; e < KMSCAP_FZ_NERR; e++)
			calls += c->n[i][e];
		if (!calls)
			continue;
		len = snprintf(line, sizeof(line), "%-18s %8llu calls:", kmscap_fz_op_name(i),
			       (unsigned long long)calls);
		for (e = 0; e < KMSCAP_FZ_NERR && len < sizeof(line); e++) {
			const char *name;

			if (!c->n[i][e])
				continue;
			name = e == 0 ? "ok" : e == KMSCAP_FZ_NERR - 1 ? "other" :
			       strerrorname_np((int)e);
			len += snprintf(line + len, sizeof(line) - len, " %s %llu",
					name ? name : "?", (unsigned long long)c->n[i][e]);
		}
		kmscap_t_log("  %s", line);
	}
}

/* ---- where argument pointers point ----------------------------------- */

#define KMSCAP_FZ_PAGE	4096

void kmscap_fz_arena_init(struct kmscap_fz_arena *a)
{
	a->base = mmap(NULL, 8 * KMSCAP_FZ_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_ASSERT(a->base != MAP_FAILED, "mmap: %s", strerror(errno));
	a->big = mmap(NULL, KMSCAP_FZ_BIG_BYTES, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_ASSERT(a->big != MAP_FAILED, "mmap: %s", strerror(errno));
	a->rw = a->base;
	a->none = a->base + 5 * KMSCAP_FZ_PAGE;
	a->ro = a->base + 6 * KMSCAP_FZ_PAGE;
	KT_ASSERT(!mprotect(a->none, KMSCAP_FZ_PAGE, PROT_NONE) &&
		  !mprotect(a->ro, KMSCAP_FZ_PAGE, PROT_READ) &&
		  !mprotect(a->ro + KMSCAP_FZ_PAGE, KMSCAP_FZ_PAGE, PROT_NONE),
		  "mprotect: %s", strerror(errno));
}

void kmscap_fz_arena_fini(struct kmscap_fz_arena *a)
{
	munmap(a->base, 8 * KMSCAP_FZ_PAGE);
	munmap(a->big, KMSCAP_FZ_BIG_BYTES);
}

static const char *const kmscap_fz_ptr_names[KMSCAP_FZ_NPTRS] = {
	"good", "misaligned", "read-only", "straddling PROT_NONE", "NULL", "PROT_NONE",
	"kernel", "non-canonical", "top of user space",
};

const char *kmscap_fz_ptr_name(enum kmscap_fz_ptr kind)
{
	return kind < KMSCAP_FZ_NPTRS ? kmscap_fz_ptr_names[kind] : "?";
}

enum kmscap_fz_ptr kmscap_fz_pick_ptr(struct kmscap_fz_rng *r, unsigned int good_percent)
{
	if (kmscap_fz_chance(r, good_percent))
		return KMSCAP_FZ_PTR_GOOD;
	return (enum kmscap_fz_ptr)(1 + kmscap_fz_below(r, KMSCAP_FZ_NPTRS - 1));
}

uint8_t *kmscap_fz_place(struct kmscap_fz_arena *a, struct kmscap_fz_rng *r,
			 enum kmscap_fz_ptr kind, const void *data, size_t len,
			 size_t *readable, size_t *writable)
{
	uint8_t *p;
	size_t room;

	*readable = *writable = 0;
	switch (kind) {
	case KMSCAP_FZ_PTR_GOOD:
	case KMSCAP_FZ_PTR_ODD:
		room = KMSCAP_FZ_RW_BYTES - (len < KMSCAP_FZ_RW_BYTES ? len : KMSCAP_FZ_RW_BYTES);
		p = a->rw + (room > 64 ? kmscap_fz_below(r, 8) * 8 : 0);
		if (kind == KMSCAP_FZ_PTR_ODD)
			p += room > 64 ? 1 + kmscap_fz_below(r, 7) : 0;
		*readable = *writable = a->rw + KMSCAP_FZ_RW_BYTES - p;
		break;
	case KMSCAP_FZ_PTR_RO:
		p = a->ro;
		if (data && len) {
			KT_ASSERT(!mprotect(a->ro, KMSCAP_FZ_PAGE, PROT_READ | PROT_WRITE),
				  "mprotect: %s", strerror(errno));
			memcpy(p, data, len < KMSCAP_FZ_PAGE ? len : KMSCAP_FZ_PAGE);
			KT_ASSERT(!mprotect(a->ro, KMSCAP_FZ_PAGE, PROT_READ), "mprotect: %s",
				  strerror(errno));
		}
		*readable = KMSCAP_FZ_PAGE;
		return p;
	case KMSCAP_FZ_PTR_STRADDLE:
		/* at least one byte readable, the rest of the struct not */
		room = len > 1 ? 1 + kmscap_fz_below(r, (uint32_t)len - 1) : 1;
		p = a->none - room;
		*readable = *writable = room;
		break;
	case KMSCAP_FZ_PTR_NULL:
		return NULL;
	case KMSCAP_FZ_PTR_NONE:
		return a->none + kmscap_fz_below(r, 64) * 8;
	case KMSCAP_FZ_PTR_KERNEL:
		return (uint8_t *)(uintptr_t)(kmscap_fz_chance(r, 50) ? 0xffff888000001000ull :
					      0xffffffff81000000ull);
	case KMSCAP_FZ_PTR_NONCANON:
		return (uint8_t *)(uintptr_t)0x8000000000000000ull;
	case KMSCAP_FZ_PTR_TOP:
	default:
		return (uint8_t *)(uintptr_t)(0x7ffffffff000ull - 8);
	}
	if (data && len)
		memcpy(p, data, len < *writable ? len : *writable);
	return p;
}

/* ---- the ioctl layer -------------------------------------------------- */

union kmscap_fz_arg {
	struct kmscap_version version;
	struct kmscap_display_create create;
	struct kmscap_display_info info;
	struct kmscap_display_list list;
	struct kmscap_display_config config;
	struct kmscap_display_destroy destroy;
	struct kmscap_attach attach;
	struct kmscap_export exp;
	struct kmscap_release release;
	struct kmscap_client_stats stats;
	struct kmscap_display_gamma gamma;
	uint8_t bytes[64];
};

static const struct {
	unsigned long cmd;
	/* errors the ABI allows besides EINVAL, EFAULT, E2BIG (zero-terminated) */
	int errs[6];
} kmscap_fz_iocs[] = {
	[KMSCAP_FZ_OP_VERSION] = { KMSCAP_IOC_VERSION, { 0 } },
	[KMSCAP_FZ_OP_CREATE] = { KMSCAP_IOC_DISPLAY_CREATE, { ENOSPC, EDQUOT, ENOMEM } },
	[KMSCAP_FZ_OP_INFO] = { KMSCAP_IOC_DISPLAY_INFO, { ENOENT } },
	[KMSCAP_FZ_OP_LIST] = { KMSCAP_IOC_DISPLAY_LIST, { ENOMEM } },
	[KMSCAP_FZ_OP_CONFIG] = { KMSCAP_IOC_DISPLAY_CONFIG, { ENOENT, EPERM } },
	[KMSCAP_FZ_OP_DESTROY] = { KMSCAP_IOC_DISPLAY_DESTROY, { ENOENT, EPERM } },
	[KMSCAP_FZ_OP_ATTACH] = { KMSCAP_IOC_ATTACH, { ENOENT, EPERM, EBUSY } },
	[KMSCAP_FZ_OP_EXPORT] = { KMSCAP_IOC_EXPORT, { ENOENT, ENOMEM, EMFILE } },
	[KMSCAP_FZ_OP_RELEASE] = { KMSCAP_IOC_RELEASE, { ENOENT, ESTALE } },
	[KMSCAP_FZ_OP_STATS] = { KMSCAP_IOC_STATS, { 0 } },
	[KMSCAP_FZ_OP_GAMMA] = { KMSCAP_IOC_DISPLAY_GAMMA, { ENOENT, ENOMEM } },
};

#define KMSCAP_FZ_NIOCS	11

/* The call as made, for failure messages. */
struct kmscap_fz_desc {
	unsigned int type, nr, dir, size;
	enum kmscap_fz_ptr ptr;
	union kmscap_fz_arg arg;
};

static void kmscap_fz_fail_call(const struct kmscap_fz_ctx *c, const struct kmscap_fz_desc *d,
				int got, const char *why)
{
	unsigned int i, n = d->nr < KMSCAP_FZ_NIOCS ? _IOC_SIZE(kmscap_fz_iocs[d->nr].cmd) : 32;
	char hex[2 * sizeof(d->arg) + 1];

	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", d->arg.bytes[i]);
	kmscap_t_fail("%s: ioctl type 0x%02x nr 0x%02x dir %u size %u, %s pointer, argument %s: "
		      "got %s: %s", c->name, d->type, d->nr, d->dir, d->size,
		      kmscap_fz_ptr_name(d->ptr), hex, kmscap_t_errname(got), why);
}

static bool kmscap_fz_in(int err, const int *errs)
{
	for (; *errs; errs++)
		if (*errs == err)
			return true;
	return false;
}

/* A display id: one of the targets, an edge value or one that never exists. */
static uint32_t kmscap_fz_pick_id(struct kmscap_fz_rng *r, const struct kmscap_fz_targets *tg,
				  int *index)
{
	*index = -1;
	if (tg->nids && kmscap_fz_chance(r, 70)) {
		*index = (int)kmscap_fz_below(r, tg->nids);
		return tg->ids[*index];
	}
	return kmscap_fz_chance(r, 50) ? kmscap_fz_never_id(r) : kmscap_fz_edge32(r);
}

static bool kmscap_fz_mode_ok(uint32_t w, uint32_t h, uint32_t mhz)
{
	return w >= KMSCAP_MIN_SIZE && w <= KMSCAP_MAX_SIZE && h >= KMSCAP_MIN_SIZE &&
	       h <= KMSCAP_MAX_SIZE && mhz >= KMSCAP_MIN_REFRESH_MHZ &&
	       mhz <= KMSCAP_MAX_REFRESH_MHZ;
}

/* A preferred mode: mostly valid and small (cheap to create), else edge values. */
static void kmscap_fz_pick_mode(struct kmscap_fz_rng *r, uint32_t *w, uint32_t *h, uint32_t *mhz)
{
	if (kmscap_fz_chance(r, 60)) {
		*w = kmscap_fz_range(r, 64, 800);
		*h = kmscap_fz_range(r, 64, 600);
		*mhz = kmscap_fz_chance(r, 80) ? kmscap_fz_range(r, 1000, 500000) :
		       kmscap_fz_chance(r, 50) ? 1000 : 500000;
		if (kmscap_fz_chance(r, 5))
			*w = 8192;
		return;
	}
	*w = kmscap_fz_chance(r, 50) ? kmscap_fz_range(r, 64, 800) : kmscap_fz_edge32(r);
	*h = kmscap_fz_chance(r, 50) ? kmscap_fz_range(r, 64, 600) : kmscap_fz_edge32(r);
	*mhz = kmscap_fz_chance(r, 50) ? kmscap_fz_range(r, 1000, 500000) : kmscap_fz_edge32(r);
}

/* Garbage for a field the kernel must check: usually 0, else anything. */
static uint32_t kmscap_fz_junk(struct kmscap_fz_rng *r, unsigned int percent)
{
	return kmscap_fz_chance(r, percent) ? kmscap_fz_edge32(r) | 1u << kmscap_fz_below(r, 32) : 0;
}

/*
 * Fill the argument of kmscap ioctl @op, to be passed through a pointer of
 * kind @ptr.  Returns whether the kernel's validation must refuse it with
 * EINVAL; *@ok_expected is set when the call must succeed given what @tg
 * says for certain.
 */
static bool kmscap_fz_fill(struct kmscap_fz_ctx *c, enum kmscap_fz_op op,
			   enum kmscap_fz_ptr ptr, const struct kmscap_fz_targets *tg,
			   union kmscap_fz_arg *a, bool *ok_expected, int *expect_err)
{
	struct kmscap_fz_rng *r = &c->rng;
	uint64_t hold_max = c->race ? c->race_hold_max_ns : KMSCAP_MAX_HOLD_NS;
	bool inval = false;
	int idx;

	*ok_expected = false;
	*expect_err = 0;
	for (idx = 0; idx < (int)sizeof(*a); idx++)	/* outputs start as garbage */
		a->bytes[idx] = kmscap_fz_chance(r, 50) ? 0 : (uint8_t)kmscap_fz_u64(r);
	switch (op) {
	case KMSCAP_FZ_OP_VERSION:
		*ok_expected = true;
		break;
	case KMSCAP_FZ_OP_CREATE:
		kmscap_fz_pick_mode(r, &a->create.width, &a->create.height, &a->create.refresh_mhz);
		a->create.flags = kmscap_fz_chance(r, 20) ? KMSCAP_CREATE_DISCONNECTED :
				  kmscap_fz_junk(r, 15);
		/*
		 * A display made costs a thousand refusals (a DRM device, 0.2 s on
		 * the debug kernel): mostly one field is wrong, except where the
		 * result cannot be written back (does the display stay?).
		 */
		switch (ptr == KMSCAP_FZ_PTR_RO || kmscap_fz_chance(r, 1) ? 4 :
			kmscap_fz_below(r, 4)) {
		case 0:
			a->create.width = kmscap_fz_chance(r, 50) ? 63 : 8193;
			break;
		case 1:
			a->create.height = kmscap_fz_below(r, 64);
			break;
		case 2:
			a->create.refresh_mhz = kmscap_fz_chance(r, 50) ? 999 : 500001;
			break;
		case 3:
			a->create.flags |= 2u << kmscap_fz_below(r, 31);
			break;
		default:
			break;
		}
		inval = (a->create.flags & ~KMSCAP_CREATE_FLAGS) ||
			!kmscap_fz_mode_ok(a->create.width, a->create.height,
					   a->create.refresh_mhz);
		break;
	case KMSCAP_FZ_OP_INFO:
		a->info.id = kmscap_fz_pick_id(r, tg, &idx);
		if (tg->know && idx >= 0 && (tg->live_mask & 1u << idx))
			*ok_expected = true;
		else if (tg->know && idx < 0 && a->info.id >= 0x40000000u)
			*expect_err = -ENOENT;
		break;
	case KMSCAP_FZ_OP_LIST:
		a->list.ids_ptr = 0;	/* set by the caller */
		a->list.count = kmscap_fz_chance(r, 50) ? kmscap_fz_below(r, 20) :
				kmscap_fz_edge32(r);
		a->list.pad = kmscap_fz_junk(r, 10);
		inval = a->list.pad;
		*ok_expected = true;
		break;
	case KMSCAP_FZ_OP_CONFIG: {
		static const uint32_t good[] = {
			KMSCAP_CONFIG_MODE, KMSCAP_CONFIG_CONNECT, KMSCAP_CONFIG_DISCONNECT,
			KMSCAP_CONFIG_MODE | KMSCAP_CONFIG_CONNECT,
			KMSCAP_CONFIG_MODE | KMSCAP_CONFIG_DISCONNECT,
			KMSCAP_CONFIG_MODE | KMSCAP_CONFIG_REPLUG,
		};
		uint32_t f;

		a->config.id = kmscap_fz_pick_id(r, tg, &idx);
		f = kmscap_fz_chance(r, 80) ? good[kmscap_fz_below(r, KMSCAP_T_ARRAY_SIZE(good))] :
		    kmscap_fz_chance(r, 30) ? 0 :
		    kmscap_fz_chance(r, 30) ? KMSCAP_CONFIG_CONNECT | KMSCAP_CONFIG_DISCONNECT :
		    kmscap_fz_edge32(r);
		a->config.flags = f;
		if ((f & KMSCAP_CONFIG_MODE) || kmscap_fz_chance(r, 10)) {
			kmscap_fz_pick_mode(r, &a->config.width, &a->config.height,
					    &a->config.refresh_mhz);
		} else {
			a->config.width = a->config.height = a->config.refresh_mhz = 0;
		}
		a->config.pad = kmscap_fz_junk(r, 10);
		inval = !f || (f & ~KMSCAP_CONFIG_FLAGS) || a->config.pad ||
			((f & KMSCAP_CONFIG_CONNECT) && (f & KMSCAP_CONFIG_DISCONNECT)) ||
			((f & KMSCAP_CONFIG_REPLUG) &&
			 (f & (KMSCAP_CONFIG_CONNECT | KMSCAP_CONFIG_DISCONNECT)));
		if (f & KMSCAP_CONFIG_MODE)
			inval |= !kmscap_fz_mode_ok(a->config.width, a->config.height,
						    a->config.refresh_mhz);
		else
			inval |= a->config.width || a->config.height || a->config.refresh_mhz;
		if (tg->know && idx >= 0 && (tg->live_mask & 1u << idx))
			*ok_expected = true;
		break;
	}
	case KMSCAP_FZ_OP_DESTROY:
		/* only the ids the caller allows, or ids that never exist */
		idx = -1;
		if (tg->destroy_mask && kmscap_fz_chance(r, 5)) {
			do
				idx = (int)kmscap_fz_below(r, tg->nids);
			while (!(tg->destroy_mask & 1u << idx));
			a->destroy.id = tg->ids[idx];
		} else {
			a->destroy.id = kmscap_fz_never_id(r);
			if (tg->know)
				*expect_err = -ENOENT;
		}
		a->destroy.pad = kmscap_fz_junk(r, 10);
		inval = a->destroy.pad;
		if (tg->know && idx >= 0 && (tg->live_mask & 1u << idx))
			*ok_expected = true;
		break;
	case KMSCAP_FZ_OP_ATTACH:
		a->attach.display_id = kmscap_fz_pick_id(r, tg, &idx);
		/* junk flags always have an unknown bit: the fuzzer reads 1.0 events */
		a->attach.flags = kmscap_fz_junk(r, 8);
		if (a->attach.flags)
			a->attach.flags |= ~KMSCAP_ATTACH_FLAGS;
		a->attach.queue_depth = kmscap_fz_chance(r, 80) ?
					kmscap_fz_below(r, KMSCAP_MAX_QUEUE + 1) :
					kmscap_fz_edge32(r);
		a->attach.pad = kmscap_fz_junk(r, 8);
		a->attach.hold_timeout_ns = kmscap_fz_chance(r, 80) ?
					    kmscap_fz_u64(r) % (hold_max + 1) :
					    kmscap_fz_edge64(r);
		inval = (a->attach.flags & ~KMSCAP_ATTACH_FLAGS) || a->attach.pad ||
			a->attach.queue_depth > KMSCAP_MAX_QUEUE ||
			a->attach.hold_timeout_ns > KMSCAP_MAX_HOLD_NS;
		/* a valid but long timeout is only asked for with a refusal */
		if (!inval && a->attach.hold_timeout_ns > hold_max)
			a->attach.flags = ~KMSCAP_ATTACH_FLAGS, inval = true;
		if (tg->know && tg->attached)
			*expect_err = -EBUSY;
		else if (tg->know && idx >= 0 && (tg->live_mask & 1u << idx))
			*ok_expected = true;
		break;
	case KMSCAP_FZ_OP_EXPORT:
		a->exp.buffer_id = tg->nbufs && kmscap_fz_chance(r, 60) ?
				   tg->bufs[kmscap_fz_below(r, tg->nbufs)] : kmscap_fz_edge32(r);
		a->exp.flags = kmscap_fz_chance(r, 50) ? KMSCAP_EXPORT_CLOEXEC :
			       kmscap_fz_junk(r, 20);
		a->exp.pad = kmscap_fz_junk(r, 8);
		inval = (a->exp.flags & ~KMSCAP_EXPORT_FLAGS) || a->exp.pad;
		if (tg->know && !tg->attached)
			inval = true;
		break;
	case KMSCAP_FZ_OP_RELEASE:
		a->release.seq = tg->nseqs && kmscap_fz_chance(r, 60) ?
				 tg->seqs[kmscap_fz_below(r, tg->nseqs)] : kmscap_fz_edge64(r);
		if (tg->know && !tg->attached)
			inval = true;
		break;
	case KMSCAP_FZ_OP_STATS:
		if (tg->know)
			*ok_expected = tg->attached, inval = !tg->attached;
		break;
	case KMSCAP_FZ_OP_GAMMA:
		a->gamma.id = kmscap_fz_pick_id(r, tg, &idx);
		a->gamma.flags = kmscap_fz_junk(r, 10);
		a->gamma.entries_ptr = 0;	/* set by the caller */
		a->gamma.count = kmscap_fz_chance(r, 50) ? kmscap_fz_below(r, KMSCAP_GAMMA_SIZE + 2) :
				 kmscap_fz_edge32(r);
		inval = a->gamma.flags;
		if (tg->know && idx >= 0 && (tg->live_mask & 1u << idx))
			*ok_expected = true;
		else if (tg->know && idx < 0 && a->gamma.id >= 0x40000000u)
			*expect_err = -ENOENT;
		break;
	default:
		break;
	}
	return inval;
}

/* VFS ioctl types that do_vfs_ioctl() handles before the driver sees them. */
static bool kmscap_fz_vfs_type(unsigned int type)
{
	return type == 0x00 || type == 'T' || type == 'X' || type == 'f' || type == 0x94;
}

static void kmscap_fz_check_result(struct kmscap_fz_ctx *c, const struct kmscap_fz_desc *d,
				   enum kmscap_fz_op op, const uint8_t *p, int ret,
				   size_t ksize)
{
	size_t i;

	if (ret)
		return;
	if (op == KMSCAP_FZ_OP_VERSION) {
		const struct kmscap_version *v = (const void *)p;

		if (v->major != KMSCAP_ABI_MAJOR || v->event_size != sizeof(struct kmscap_event))
			kmscap_fz_fail_call(c, d, ret, "VERSION reports another ABI");
	}
	if (op == KMSCAP_FZ_OP_STATS) {
		const struct kmscap_client_stats *st = (const void *)p;

		kmscap_t_stats_check(st, c->name);
	}
	/* read-only calls clear the unknown tail */
	if (!(d->dir & _IOC_WRITE))
		for (i = ksize; i < d->size; i++)
			if (p[i])
				kmscap_fz_fail_call(c, d, ret, "the tail of a larger "
						    "structure was not cleared");
}

/* What a call left behind that the caller must follow up. */
static void kmscap_fz_note(enum kmscap_fz_op op, const union kmscap_fz_arg *a,
			   const uint8_t *p, bool copied_in, int ret,
			   struct kmscap_fz_result *res)
{
	if (op == KMSCAP_FZ_OP_CREATE) {
		if (!ret)
			res->created_id = ((const struct kmscap_display_create *)p)->id;
		/* refused while copying the result out: made or not? */
		res->created_unknown = ret == -EFAULT && copied_in;
	} else if (op == KMSCAP_FZ_OP_DESTROY && !ret) {
		res->destroyed_id = a->destroy.id;
	} else if (op == KMSCAP_FZ_OP_ATTACH && !ret) {
		res->attached = true;
	} else if (op == KMSCAP_FZ_OP_EXPORT) {
		if (!ret)
			res->export_fd = (int)((const struct kmscap_export *)p)->fd;
		res->export_unknown = ret == -EFAULT && copied_in;
	}
}

/* The size of the 1.0 revision of @op's structure: the smallest taken. */
static uint32_t kmscap_fz_min_size(enum kmscap_fz_op op)
{
	if (op == KMSCAP_FZ_OP_VERSION)
		return offsetof(struct kmscap_version, max_event_size);
	if (op == KMSCAP_FZ_OP_CREATE)
		return offsetof(struct kmscap_display_create, modifiers_ptr);
	return _IOC_SIZE(kmscap_fz_iocs[op].cmd);
}

static void kmscap_fz_ioctl(struct kmscap_fz_ctx *c, int fd, bool strict,
			    const struct kmscap_fz_targets *tg, struct kmscap_fz_result *res)
{
	struct kmscap_fz_rng *r = &c->rng;
	struct kmscap_fz_desc d = { .type = KMSCAP_IOC_MAGIC };
	enum kmscap_fz_op op = (enum kmscap_fz_op)kmscap_fz_below(r, KMSCAP_FZ_NIOCS);
	size_t ksize = _IOC_SIZE(kmscap_fz_iocs[op].cmd), readable, writable, len;
	size_t kmin = kmscap_fz_min_size(op);
	unsigned int kdir = _IOC_DIR(kmscap_fz_iocs[op].cmd), kind = kmscap_fz_below(r, 100);
	bool inval, ok_expected, tail_junk = false, list_bad = false;
	uint32_t ids[80];
	static struct kmscap_gamma_entry lut[KMSCAP_GAMMA_SIZE];
	uint8_t *p;
	int expect_err, want = 1, ret;	/* want 1: no exact expectation */

	d.ptr = kmscap_fz_pick_ptr(r, 80);
	inval = kmscap_fz_fill(c, op, d.ptr, tg, &d.arg, &ok_expected, &expect_err);
	d.nr = (unsigned int)op;
	d.dir = kdir;
	d.size = (unsigned int)ksize;
	if (kind < 8) {			/* unknown number */
		op = KMSCAP_FZ_OP_BAD_NR;
		d.nr = kmscap_fz_range(r, KMSCAP_FZ_NIOCS, 255);
		d.dir = kmscap_fz_below(r, 4);
		d.size = kmscap_fz_chance(r, 50) ? kmscap_fz_below(r, 128) :
			 kmscap_fz_below(r, 1 << 14);
		want = -ENOTTY;
	} else if (kind < 13) {		/* another type byte */
		op = KMSCAP_FZ_OP_BAD_TYPE;
		do
			d.type = kmscap_fz_chance(r, 30) ? 'd' : kmscap_fz_below(r, 256);
		while (d.type == KMSCAP_IOC_MAGIC || kmscap_fz_vfs_type(d.type));
		want = -ENOTTY;
	} else if (kind < 20) {		/* the wrong direction */
		do
			d.dir = kmscap_fz_below(r, 4);
		while (d.dir == kdir);
		want = -ENOTTY;
	} else if (kind < 30) {		/* smaller than any revision */
		d.size = kmscap_fz_below(r, (uint32_t)kmin);
		want = -EINVAL;
	} else if (kind < 45) {		/* larger, zero or junk tail */
		d.size = (unsigned int)ksize + (kmscap_fz_chance(r, 95) ? 1 + kmscap_fz_below(r, 64) :
			 kmscap_fz_range(r, 1, (1 << 14) - 1 - (uint32_t)ksize));
		tail_junk = kmscap_fz_chance(r, 40);
	}
	len = d.size > ksize ? d.size : ksize;
	if (d.ptr == KMSCAP_FZ_PTR_RO && len > KMSCAP_FZ_RW_BYTES / 5)
		d.ptr = KMSCAP_FZ_PTR_GOOD;	/* the read-only page is one page */
	if (op == KMSCAP_FZ_OP_LIST) {
		/* the array: mostly good, sometimes not writable */
		enum kmscap_fz_ptr ak = kmscap_fz_pick_ptr(r, 70);
		size_t ar, aw;
		uint8_t *ap;

		if (ak == KMSCAP_FZ_PTR_GOOD || ak == KMSCAP_FZ_PTR_ODD || ak == KMSCAP_FZ_PTR_STRADDLE)
			ak = KMSCAP_FZ_PTR_GOOD;
		ap = ak == KMSCAP_FZ_PTR_GOOD ? (uint8_t *)ids :
		     kmscap_fz_place(&c->arena, r, ak, NULL, 0, &ar, &aw);
		if (kmscap_fz_chance(r, 20))
			ap = NULL;
		d.arg.list.ids_ptr = (uintptr_t)ap;
		if (ap == (uint8_t *)ids && d.arg.list.count > KMSCAP_T_ARRAY_SIZE(ids))
			d.arg.list.count = KMSCAP_T_ARRAY_SIZE(ids);
		list_bad = ap && ap != (uint8_t *)ids;
	}
	if (op == KMSCAP_FZ_OP_GAMMA) {
		/* the array: mostly good; a bad one faults only where a LUT is set */
		enum kmscap_fz_ptr ak = kmscap_fz_pick_ptr(r, 70);
		size_t ar, aw;

		if (ak == KMSCAP_FZ_PTR_GOOD || ak == KMSCAP_FZ_PTR_ODD || ak == KMSCAP_FZ_PTR_STRADDLE)
			d.arg.gamma.entries_ptr = (uintptr_t)lut;
		else
			d.arg.gamma.entries_ptr = (uintptr_t)kmscap_fz_place(&c->arena, r, ak, NULL, 0,
									     &ar, &aw);
		if (kmscap_fz_chance(r, 20))
			d.arg.gamma.entries_ptr = 0;
		if (d.arg.gamma.entries_ptr == (uintptr_t)lut &&
		    d.arg.gamma.count > KMSCAP_T_ARRAY_SIZE(lut))
			d.arg.gamma.count = KMSCAP_T_ARRAY_SIZE(lut);
		if (d.arg.gamma.entries_ptr && d.arg.gamma.entries_ptr != (uintptr_t)lut &&
		    d.arg.gamma.count)
			ok_expected = false;
	}
	p = kmscap_fz_place(&c->arena, r, d.ptr, &d.arg, ksize, &readable, &writable);
	if (d.size > ksize && p && readable >= len) {
		if (d.ptr != KMSCAP_FZ_PTR_RO) {
			memset(p + ksize, 0, d.size - ksize);
			if (tail_junk)
				p[ksize + kmscap_fz_below(r, d.size - (uint32_t)ksize)] =
					1 + kmscap_fz_below(r, 255);
		} else {
			tail_junk = false;
			for (size_t i = ksize; i < d.size; i++)
				tail_junk |= p[i] != 0;
		}
	}

	ret = kmscap_t_ioctl(fd, _IOC(d.dir, d.type, d.nr, d.size), p);
	kmscap_fz_count(c->counts, op, ret);
	res->op = op;
	res->ret = ret;
	if (op < KMSCAP_FZ_NIOCS)
		kmscap_fz_note(op, &d.arg, p, readable >= len, ret, res);

	/* What the ABI says about this call, in the order the kernel checks. */
	if (want == 1 && d.size < kmin)
		want = -EINVAL;
	if (want == 1 && (kdir & _IOC_WRITE)) {
		if (readable < ksize)
			want = -EFAULT;
		else if (d.size > ksize && readable < d.size)
			want = 2;	/* EFAULT or E2BIG, depending on where the junk is */
		else if (d.size > ksize && tail_junk)
			want = -E2BIG;
	}
	if (want == 1 && inval)
		want = -EINVAL;
	if (want == 1 && expect_err)
		want = expect_err;
	if (want == 1 && op == KMSCAP_FZ_OP_LIST && list_bad && tg->know && tg->ndisplays &&
	    d.arg.list.count)
		want = -EFAULT;
	/* the result goes out; a read-only call also clears the tail */
	if (want == 1 && (kdir & _IOC_READ) && writable < (kdir & _IOC_WRITE ? ksize : len) &&
	    (ok_expected || ret == -EFAULT))
		want = -EFAULT;
	if (want == 1 && ok_expected && (tg->know || op == KMSCAP_FZ_OP_VERSION))
		want = 0;

	if (!strict && ret == -ENOTTY)
		return;		/* not a kmscap file (any more) */
	if (want <= 0 && ret != want) {
		char why[96];

		snprintf(why, sizeof(why), "expected %s", kmscap_t_errname(want));
		kmscap_fz_fail_call(c, &d, ret, why);
	}
	if (want == 2 && ret != -EFAULT && ret != -E2BIG)
		kmscap_fz_fail_call(c, &d, ret, "expected EFAULT or E2BIG");
	if (ret && ret != -EINVAL && ret != -EFAULT && ret != -E2BIG && ret != -ENOTTY &&
	    !kmscap_fz_in(-ret, kmscap_fz_iocs[op < KMSCAP_FZ_NIOCS ? op : 0].errs))
		kmscap_fz_fail_call(c, &d, ret, "an error the ABI does not list for this call");
	if (ret == -ENOTTY && want != -ENOTTY)
		kmscap_fz_fail_call(c, &d, ret, "ENOTTY for a known command");
	if (op < KMSCAP_FZ_NIOCS && p && writable >= len)
		kmscap_fz_check_result(c, &d, op, p, ret, ksize);
	if (op == KMSCAP_FZ_OP_LIST && !ret && tg->know &&
	    ((struct kmscap_display_list *)p)->count != tg->ndisplays)
		kmscap_fz_fail_call(c, &d, ret, "LIST counted another number of displays");
}

static void kmscap_fz_read(struct kmscap_fz_ctx *c, int fd, bool strict,
			   const struct kmscap_fz_targets *tg, struct kmscap_fz_result *res)
{
	static const size_t lens[] = {
		0, 1, sizeof(struct kmscap_event) - 1, sizeof(struct kmscap_event),
		sizeof(struct kmscap_event) + 1, 2 * sizeof(struct kmscap_event),
		3 * sizeof(struct kmscap_event) - 8, 65 * sizeof(struct kmscap_event),
		1 << 20,
	};
	struct kmscap_fz_rng *r = &c->rng;
	enum kmscap_fz_ptr kind = kmscap_fz_pick_ptr(r, 85);
	size_t len = lens[kmscap_fz_below(r, KMSCAP_T_ARRAY_SIZE(lens))], readable, writable;
	uint8_t *p;
	ssize_t n;
	int ret;

	if (len > KMSCAP_FZ_RW_BYTES && (kind == KMSCAP_FZ_PTR_GOOD || kind == KMSCAP_FZ_PTR_ODD)) {
		p = c->arena.big;
		writable = KMSCAP_FZ_BIG_BYTES;
	} else {
		p = kmscap_fz_place(&c->arena, r, kind, NULL, 0, &readable, &writable);
	}
	/* no retry on EINTR: a racer's blocking read ends on its timer's signal */
	n = read(fd, p, len);
	ret = n < 0 ? -errno : 0;
	kmscap_fz_count(c->counts, KMSCAP_FZ_OP_READ, ret);
	res->op = KMSCAP_FZ_OP_READ;
	res->ret = ret;
	if (n > 0) {
		size_t i, nev = (size_t)n / sizeof(struct kmscap_event);

		if (n % sizeof(struct kmscap_event) || (size_t)n > len || writable < (size_t)n)
			kmscap_t_fail("%s: read of %zu bytes into a %s pointer returned %zd",
				      c->name, len, kmscap_fz_ptr_name(kind), n);
		for (i = 0; i < nev; i++) {
			struct kmscap_event ev;

			memcpy(&ev, p + i * sizeof(ev), sizeof(ev));
			kmscap_fz_check_event(&ev, 0, c->name);
			if (res->nev < KMSCAP_T_ARRAY_SIZE(res->ev))
				res->ev[res->nev++] = ev;
		}
		return;
	}
	if (!strict)
		return;
	if (ret && ret != -EINVAL && ret != -EAGAIN && ret != -EFAULT && ret != -ENOMEM)
		kmscap_t_fail("%s: read of %zu bytes into a %s pointer: %s", c->name, len,
			      kmscap_fz_ptr_name(kind), kmscap_t_errname(ret));
	/* not attached, or room for less than one event: EINVAL */
	if (tg->know && len && writable >= len && kind <= KMSCAP_FZ_PTR_ODD &&
	    (!tg->attached || len < sizeof(struct kmscap_event)) && ret != -EINVAL)
		kmscap_t_fail("%s: read of %zu bytes on a%s client: %s, expected EINVAL", c->name,
			      len, tg->attached ? "n attached" : " detached", kmscap_t_errname(ret));
}

void kmscap_fz_call(struct kmscap_fz_ctx *c, int fd, bool strict,
		    const struct kmscap_fz_targets *tg, struct kmscap_fz_result *res)
{
	memset(res, 0, sizeof(*res));
	res->export_fd = -1;
	if (kmscap_fz_chance(&c->rng, 12))
		kmscap_fz_read(c, fd, strict, tg, res);
	else
		kmscap_fz_ioctl(c, fd, strict, tg, res);
}

int kmscap_fz_did(struct kmscap_fz_ctx *c, enum kmscap_fz_op op, int ret)
{
	kmscap_fz_count(c->counts, op, ret);
	return ret;
}

int kmscap_fz_open_ctl(struct kmscap_fz_ctx *c, bool nonblock)
{
	int fd = open(KMSCAP_T_CTL, O_RDWR | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0));

	kmscap_fz_did(c, KMSCAP_FZ_OP_OPEN, fd < 0 ? -errno : 0);
	KT_ASSERT(fd >= 0, "%s: open %s: %s", c->name, KMSCAP_T_CTL, strerror(errno));
	return fd;
}

/* ---- events ---------------------------------------------------------- */

#define KMSCAP_FZ_FRAME_FLAGS	0x1ffu

void kmscap_fz_check_event(const struct kmscap_event *ev, uint32_t display_id, const char *who)
{
	const char *bad = NULL;
	uint32_t i;

	if (ev->type == KMSCAP_EVENT_HANGUP) {
		if (display_id && ev->display_id != display_id)
			bad = "hang-up of another display";
	} else if (ev->type != KMSCAP_EVENT_FRAME) {
		bad = "unknown event type";
	} else if (display_id && ev->display_id != display_id) {
		bad = "frame of another display";
	} else if (!ev->seq) {
		bad = "frame sequence number 0";
	} else if (ev->flags & ~KMSCAP_FZ_FRAME_FLAGS) {
		bad = "unknown frame flags";
	} else if (ev->pad) {
		bad = "pad not zero";
	} else if ((ev->flags & KMSCAP_FRAME_BLANK) && ev->buffer_id) {
		bad = "a blank frame with a buffer";
	} else if (ev->num_damage > KMSCAP_MAX_DAMAGE) {
		bad = "more than KMSCAP_MAX_DAMAGE rectangles";
	} else if ((ev->flags & KMSCAP_FRAME_FULL_DAMAGE) && ev->num_damage) {
		bad = "full damage with rectangles";
	} else if ((ev->flags & KMSCAP_FRAME_DAMAGE_MERGED) && ev->num_damage != 1) {
		bad = "merged damage is not one rectangle";
	} else if (!(ev->flags & KMSCAP_FRAME_CURSOR_VISIBLE) && ev->cursor_buffer_id) {
		bad = "a hidden cursor with a buffer";
	} else if ((ev->flags & KMSCAP_FRAME_CURSOR_VISIBLE) &&
		   (!ev->cursor_width || ev->cursor_width > 256 || !ev->cursor_height ||
		    ev->cursor_height > 256)) {
		bad = "a visible cursor of an impossible size";
	} else if (!(ev->flags & KMSCAP_FRAME_BLANK)) {
		if (!ev->width || !ev->height || !ev->num_planes || ev->num_planes > 4)
			bad = "a frame without a proper buffer";
		else if ((uint64_t)ev->src_x + ev->src_w > ev->width ||
			 (uint64_t)ev->src_y + ev->src_h > ev->height)
			bad = "source rectangle outside the buffer";
		else if (ev->mode_width < KMSCAP_MIN_SIZE || ev->mode_width > KMSCAP_MAX_SIZE ||
			 ev->mode_height < KMSCAP_MIN_SIZE || ev->mode_height > KMSCAP_MAX_SIZE ||
			 ev->refresh_mhz < 999 || ev->refresh_mhz > 500100)
			bad = "a mode outside the limits";
		for (i = 0; !bad && i < ev->num_damage; i++) {
			const struct kmscap_rect *d = &ev->damage[i];

			if (d->x1 >= d->x2 || d->y1 >= d->y2 || d->x2 > ev->width ||
			    d->y2 > ev->height)
				bad = "a damage rectangle empty or outside the buffer";
		}
	}
	if (bad)
		kmscap_t_fail("%s: event type %u flags 0x%x seq %llu display %u buffer %u %ux%u "
			      "src %u,%u+%ux%u mode %ux%u@%u damage %u [%u,%u-%u,%u] cursor %u "
			      "%ux%u pad %u: %s", who, ev->type, ev->flags,
			      (unsigned long long)ev->seq, ev->display_id, ev->buffer_id, ev->width,
			      ev->height, ev->src_x, ev->src_y, ev->src_w, ev->src_h,
			      ev->mode_width, ev->mode_height, ev->refresh_mhz, ev->num_damage,
			      ev->damage[0].x1, ev->damage[0].y1, ev->damage[0].x2,
			      ev->damage[0].y2, ev->cursor_buffer_id, ev->cursor_width,
			      ev->cursor_height, ev->pad, bad);
}
