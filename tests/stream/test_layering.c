// SPDX-License-Identifier: MIT
/*
 * The data path reads top to bottom (Documentation/stream.md, "The data
 * path"): the loop calls the encoder, never the other way round.  Checked
 * on the objects kmscap-stream is linked from, with nm: no object of the VA
 * pipeline (libks-va.a) refers to a symbol that an object of the loop
 * (loop.o and the files it is split into, in libks-core.a) defines, and no
 * loop object refers to one of the pipeline's.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ks_test.h"

/* The loop's objects in libks-core.a. */
static const char *const loop_objs[] = {
	"loop.o", "frames.o", "held.o", "ring.o", "output.o", "control.o", "encode_thread.o",
};

#define MAX_SYMS 1024

struct symset {
	char *name[MAX_SYMS];
	size_t n;
};

static bool is_loop_obj(const char *member)
{
	size_t i;

	for (i = 0; i < sizeof(loop_objs) / sizeof(loop_objs[0]); i++)
		if (!strcmp(member, loop_objs[i]))
			return true;
	return false;
}

/* libks-core.a or libks-va.a next to kmscap-stream ($KS_STREAM_BIN). */
static void archive_path(const char *name, char *path, size_t size)
{
	char bin[512];

	snprintf(bin, sizeof(bin), "%s", ks_test_bin());
	snprintf(path, size, "%s/%s", dirname(bin), name);
	if (access(path, R_OK))
		ks_skip("%s: %s (build user/stream first)", path, strerror(errno));
}

/*
 * The global symbols of @archive's members that @loop says (loop objects
 * or the others): defined ones into @def, undefined ones into @undef.
 */
static void read_syms(const char *archive, bool loop, struct symset *def, struct symset *undef)
{
	char cmd[700], line[1024], member[256], w1[512], w2[512], sym[512];
	size_t plen = strlen(archive);
	FILE *f;

	snprintf(cmd, sizeof(cmd), "nm -A -g '%s' 2>/dev/null", archive);
	f = popen(cmd, "r");
	if (!f)
		ks_skip("popen(%s): %s", cmd, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *p = line + plen + 1, *colon;
		struct symset *set;
		int n;

		/* "ARCHIVE:MEMBER: [ADDR] TYPE SYMBOL" */
		if (strncmp(line, archive, plen) || line[plen] != ':')
			continue;
		colon = strchr(p, ':');
		if (!colon || (size_t)(colon - p) >= sizeof(member))
			continue;
		memcpy(member, p, (size_t)(colon - p));
		member[colon - p] = '\0';
		if (is_loop_obj(member) != loop)
			continue;
		/* two words (undefined: TYPE SYMBOL) or three (ADDR TYPE SYMBOL) */
		n = sscanf(colon + 1, "%511s %511s %511s", w1, w2, sym);
		if (n == 2)
			set = !strcmp(w1, "U") ? undef : def;
		else if (n == 3)
			set = !strcmp(w2, "U") ? undef : def;
		else
			continue;
		ck_assert_uint_lt(set->n, MAX_SYMS);
		set->name[set->n++] = strdup(n == 2 ? w2 : sym);
	}
	if (pclose(f))
		ks_skip("%s failed (is binutils' nm installed?)", cmd);
}

static bool in_set(const struct symset *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return true;
	return false;
}

static void free_set(struct symset *s)
{
	while (s->n)
		free(s->name[--s->n]);
}

/* No undefined symbol of @from_loop's side is defined by the other side. */
static void check_calls(bool from_loop)
{
	static struct symset loop_def, loop_undef, va_def, va_undef;
	char core[600], va[600];
	const struct symset *undef, *def;
	size_t i;

	archive_path("libks-core.a", core, sizeof(core));
	archive_path("libks-va.a", va, sizeof(va));
	read_syms(core, true, &loop_def, &loop_undef);
	read_syms(va, false, &va_def, &va_undef);
	ck_assert_msg(loop_def.n && va_def.n, "nm found no symbols in %s or %s", core, va);
	ck_assert_msg(in_set(&loop_def, "ks_loop_run") && in_set(&va_def, "ks_vapipe_open"),
		      "nm's output was not understood");
	undef = from_loop ? &loop_undef : &va_undef;
	def = from_loop ? &va_def : &loop_def;
	for (i = 0; i < undef->n; i++)
		ck_assert_msg(!in_set(def, undef->name[i]), "%s calls %s of %s",
			      from_loop ? "the loop" : "the VA pipeline", undef->name[i],
			      from_loop ? "the VA pipeline" : "the loop");
	free_set(&loop_def);
	free_set(&loop_undef);
	free_set(&va_def);
	free_set(&va_undef);
}

START_TEST(layering_pipeline_calls_no_loop)
{
	check_calls(false);
}
END_TEST

START_TEST(layering_loop_calls_no_pipeline)
{
	check_calls(true);
}
END_TEST

Suite *ks_suite_layering(void)
{
	Suite *s = suite_create("layering");

	KS_ADD(s, layering_pipeline_calls_no_loop);
	KS_ADD(s, layering_loop_calls_no_pipeline);
	return s;
}
