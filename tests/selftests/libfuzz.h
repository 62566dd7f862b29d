/* SPDX-License-Identifier: MIT */
/*
 * libfuzz: the pieces of the fuzz selftest (tests/selftests/fuzz.c) that
 * do not depend on its threads: the seed and the per-thread random
 * streams, the table of calls and errno values, the memory argument
 * pointers point into, and the ioctl layer (one random /dev/kmscap ioctl
 * or read(), checked against what the ABI documents).
 */
#ifndef KMSCAP_LIBFUZZ_H
#define KMSCAP_LIBFUZZ_H

#include <pthread.h>

#include "kmscap_test.h"

/* ---- the seed, and one random stream per thread ---------------------- */

struct kmscap_fz_rng {
	uint64_t s[4];
};

/* xoshiro256** seeded through splitmix64 from (@seed, @stream). */
void kmscap_fz_rng_init(struct kmscap_fz_rng *r, uint64_t seed, uint64_t stream);
uint64_t kmscap_fz_u64(struct kmscap_fz_rng *r);
/* 0..@n-1 (0 when @n is 0). */
uint32_t kmscap_fz_below(struct kmscap_fz_rng *r, uint32_t n);
/* @lo..@hi inclusive. */
uint32_t kmscap_fz_range(struct kmscap_fz_rng *r, uint32_t lo, uint32_t hi);
/* True with a probability of @percent %. */
bool kmscap_fz_chance(struct kmscap_fz_rng *r, unsigned int percent);
/* A value near an edge (0, 1, powers of two, the ABI's limits, ~0) or random. */
uint32_t kmscap_fz_edge32(struct kmscap_fz_rng *r);
uint64_t kmscap_fz_edge64(struct kmscap_fz_rng *r);

/*
 * The run's seed: kmscap_fuzz.seed=N on the kernel command line (the VM's
 * /proc/cmdline: make vm-check VM_FLAGS="--append kmscap_fuzz.seed=N"),
 * else $KMSCAP_FUZZ_SEED, else the clock.  kmscap_fuzz.scale=N (or
 * $KMSCAP_FUZZ_SCALE, 1..100) multiplies the number of operations.
 */
struct kmscap_fz_params {
	uint64_t seed;
	unsigned int scale;
	const char *from;	/* where the seed came from */
};

void kmscap_fz_params_get(struct kmscap_fz_params *p);

/* ---- calls and their results ----------------------------------------- */

enum kmscap_fz_op {
	/* kmscap ioctls, by number (wrong directions and sizes included) */
	KMSCAP_FZ_OP_VERSION,
	KMSCAP_FZ_OP_CREATE,
	KMSCAP_FZ_OP_INFO,
	KMSCAP_FZ_OP_LIST,
	KMSCAP_FZ_OP_CONFIG,
	KMSCAP_FZ_OP_DESTROY,
	KMSCAP_FZ_OP_ATTACH,
	KMSCAP_FZ_OP_EXPORT,
	KMSCAP_FZ_OP_RELEASE,
	KMSCAP_FZ_OP_STATS,
	KMSCAP_FZ_OP_GAMMA,
	KMSCAP_FZ_OP_BAD_NR,		/* magic 0xC6, unknown number */
	KMSCAP_FZ_OP_BAD_TYPE,		/* another magic */
	/* files */
	KMSCAP_FZ_OP_READ,
	KMSCAP_FZ_OP_POLL,
	KMSCAP_FZ_OP_OPEN,
	KMSCAP_FZ_OP_CLOSE,
	KMSCAP_FZ_OP_MMAP,
	KMSCAP_FZ_OP_DMABUF_SYNC,
	/* the display's card */
	KMSCAP_FZ_OP_ATOMIC,
	KMSCAP_FZ_OP_ATOMIC_TEST,
	KMSCAP_FZ_OP_ATOMIC_MODESET,
	KMSCAP_FZ_OP_SETCRTC,
	KMSCAP_FZ_OP_PAGE_FLIP,
	KMSCAP_FZ_OP_CURSOR,
	KMSCAP_FZ_OP_MOVE_CURSOR,
	KMSCAP_FZ_OP_DIRTYFB,
	KMSCAP_FZ_OP_ADDFB,
	KMSCAP_FZ_OP_RMFB,
	KMSCAP_FZ_OP_CREATE_DUMB,
	KMSCAP_FZ_OP_DESTROY_DUMB,
	KMSCAP_FZ_OP_BLOB,
	KMSCAP_FZ_OP_PROBE,
	KMSCAP_FZ_OP_DRM_EVENT,
	KMSCAP_FZ_NOPS
};

#define KMSCAP_FZ_NERR	136	/* errno values counted one by one; larger ones last */

struct kmscap_fz_counts {
	uint64_t n[KMSCAP_FZ_NOPS][KMSCAP_FZ_NERR];
};

/* Count one call of @op that returned @ret (>= 0: success, else -errno). */
void kmscap_fz_count(struct kmscap_fz_counts *c, enum kmscap_fz_op op, long ret);
void kmscap_fz_counts_add(struct kmscap_fz_counts *dst, const struct kmscap_fz_counts *src);
uint64_t kmscap_fz_counts_total(const struct kmscap_fz_counts *c);
/* Print one line per operation: calls, then each result with its count. */
void kmscap_fz_counts_print(const struct kmscap_fz_counts *c);
const char *kmscap_fz_op_name(enum kmscap_fz_op op);

/* ---- where argument pointers point ----------------------------------- */

/*
 * Per thread: 5 read-write pages, a PROT_NONE page, a read-only page and
 * another PROT_NONE page.  Every pointer a call gets is one of these
 * kinds (or NULL, or an address that is not user memory at all).
 */
enum kmscap_fz_ptr {
	KMSCAP_FZ_PTR_GOOD,		/* read-write, aligned */
	KMSCAP_FZ_PTR_ODD,		/* read-write, misaligned */
	KMSCAP_FZ_PTR_RO,		/* a read-only page */
	KMSCAP_FZ_PTR_STRADDLE,		/* read-write, then PROT_NONE inside the struct */
	KMSCAP_FZ_PTR_NULL,
	KMSCAP_FZ_PTR_NONE,		/* a PROT_NONE page */
	KMSCAP_FZ_PTR_KERNEL,		/* the kernel's direct map */
	KMSCAP_FZ_PTR_NONCANON,		/* not canonical */
	KMSCAP_FZ_PTR_TOP,		/* the last bytes below the user address limit */
	KMSCAP_FZ_NPTRS
};

#define KMSCAP_FZ_RW_BYTES	(5 * 4096)
#define KMSCAP_FZ_BIG_BYTES	(1 << 20)

struct kmscap_fz_arena {
	uint8_t *base;
	uint8_t *rw;		/* KMSCAP_FZ_RW_BYTES */
	uint8_t *none;		/* one PROT_NONE page */
	uint8_t *ro;		/* one read-only page */
	uint8_t *big;		/* KMSCAP_FZ_BIG_BYTES for large reads, elsewhere */
};

void kmscap_fz_arena_init(struct kmscap_fz_arena *a);
void kmscap_fz_arena_fini(struct kmscap_fz_arena *a);
enum kmscap_fz_ptr kmscap_fz_pick_ptr(struct kmscap_fz_rng *r, unsigned int good_percent);
/*
 * A pointer of @kind to @len bytes of @data (copied there first where
 * the memory can hold it; @data may be NULL for output-only arguments).
 * @readable and @writable are set to how many bytes from the pointer on
 * the kernel can read and write.
 */
uint8_t *kmscap_fz_place(struct kmscap_fz_arena *a, struct kmscap_fz_rng *r,
			 enum kmscap_fz_ptr kind, const void *data, size_t len,
			 size_t *readable, size_t *writable);
const char *kmscap_fz_ptr_name(enum kmscap_fz_ptr kind);

/* ---- the ioctl layer -------------------------------------------------- */

/* One fuzzing thread. */
struct kmscap_fz_ctx {
	const char *name;
	struct kmscap_fz_rng rng;
	struct kmscap_fz_counts *counts;
	struct kmscap_fz_arena arena;
	/*
	 * Racing phase: other threads change displays and clients
	 * concurrently, and the ATTACH hold timeouts this thread asks for
	 * stay below race_hold_max_ns (a client that never reads may hold
	 * the compositor threads' buffers that long).
	 */
	bool race;
	uint64_t race_hold_max_ns;
};

/* Ids a call may use, besides edge values and ids that never exist. */
struct kmscap_fz_targets {
	const uint32_t *ids;		/* displays (live or recently destroyed) */
	unsigned int nids;
	const uint32_t *bufs;		/* buffer ids seen in events */
	unsigned int nbufs;
	const uint64_t *seqs;		/* frame sequence numbers seen */
	unsigned int nseqs;
	/*
	 * What the caller knows for certain (the single-threaded phase):
	 * which of @ids exist (bit i), whether the fd is attached, how many
	 * displays exist.  Without it only the state-independent answers
	 * are checked.
	 */
	bool know;
	uint32_t live_mask;
	bool attached;
	unsigned int ndisplays;
	/* DESTROY may only name these (index into @ids), else ids that never exist. */
	uint32_t destroy_mask;
};

/* What a call did that the caller must follow up. */
struct kmscap_fz_result {
	enum kmscap_fz_op op;
	int ret;
	uint32_t created_id;		/* CREATE succeeded, id known */
	bool created_unknown;		/* CREATE may have succeeded, id unreadable */
	uint32_t destroyed_id;		/* DESTROY succeeded */
	bool attached;			/* ATTACH succeeded */
	int export_fd;			/* EXPORT succeeded: the new fd, else -1 */
	bool export_unknown;		/* EXPORT may have made an fd it could not report */
	struct kmscap_event ev[2];	/* read(): the first events */
	unsigned int nev;
};

/*
 * One random call on @fd: a kmscap ioctl (right or wrong number,
 * direction, size, type byte, fields, pointer) or a read().  @strict: @fd
 * is certainly a /dev/kmscap file opened O_NONBLOCK (else it may be
 * something else, e.g. /dev/null, ENOTTY is fine too, and a read() may
 * block: the caller interrupts it with a signal).  Fails the test on an
 * answer the ABI rules out.
 */
void kmscap_fz_call(struct kmscap_fz_ctx *c, int fd, bool strict,
		    const struct kmscap_fz_targets *tg, struct kmscap_fz_result *res);

/* Check a frame or hang-up event read from a client of @display_id (0: any). */
void kmscap_fz_check_event(const struct kmscap_event *ev, uint32_t display_id,
			   const char *who);

/* A display id that never exists (ids are allocated from 1 and below 2^30 here). */
uint32_t kmscap_fz_never_id(struct kmscap_fz_rng *r);

/* ---- small shared helpers --------------------------------------------- */

/* Relaxed atomic access to fields other threads write (hints, flags). */
#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* Count one call made outside the ioctl layer; returns @ret. */
int kmscap_fz_did(struct kmscap_fz_ctx *c, enum kmscap_fz_op op, int ret);
/* open(/dev/kmscap), counted; fails the test if it does not open. */
int kmscap_fz_open_ctl(struct kmscap_fz_ctx *c, bool nonblock);

/* ---- a compositor and its capture client (libfuzzkms.c) ---------------- */

/*
 * The hold timeouts clients ask for while racing: a client that never
 * reads holds the compositors' buffers up to that long.
 */
#define KMSCAP_FZ_HOLD_MAX_NS	30000000ull

#define KMSCAP_FZ_NPRIM		4	/* [3] is 1024x768 and covers every mode set later */
#define KMSCAP_FZ_NCUR		4	/* [3] is 300x64: too large for the cursor plane */

/*
 * A compositor runs displays one after another: it creates one, opens its
 * card, sets a mode, publishes its id in @id for the racers and the
 * capture client, makes random atomic and legacy calls on it (until a
 * racer destroys it, or for a while) and destroys it, until *@stop.  Its
 * capture client reads, holds, exports and releases frames of whatever
 * display is published, and checks every event and its STATS.
 */
struct kmscap_fz_kms {
	/* set by the caller */
	char name[16], cname[16];
	struct kmscap_fz_ctx c;		/* the compositor */
	struct kmscap_fz_ctx cc;	/* its capture client */
	const int *stop;
	pthread_t thread, capture;
	/* published */
	uint32_t id;			/* the display, 0 between displays */
	uint64_t published_at;
	/* the compositor's own */
	int ctl;
	struct kmscap_t_kms k;
	/*
	 * The CRTC's GAMMA_LUT property, looked up while nobody can destroy
	 * the display: later a lookup fails once it is gone, and libdrm
	 * "commits" a request left empty without asking the kernel.
	 */
	uint32_t gamma_lut;
	struct kmscap_t_buf prim[KMSCAP_FZ_NPRIM], cur[KMSCAP_FZ_NCUR];
	drmModeModeInfo mode;
	bool enabled, dead;
	int shown;			/* index of prim on screen, or -1 */
	int pending;			/* flip-done events to come */
	/* results */
	unsigned int displays, commits, events, modes_ok, modes_refused, destroyed_under;
	unsigned int frames, exports, stale, reattach;
};

void *kmscap_fz_kms_thread(void *arg);
void *kmscap_fz_capture_thread(void *arg);

#endif /* KMSCAP_LIBFUZZ_H */
