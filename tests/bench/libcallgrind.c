// SPDX-License-Identifier: MIT
/*
 * libcallgrind: instruction counts of one callgrind profile (one dump),
 * split into what the VA-API library and driver executed and the rest.
 *
 * The profile's format (valgrind's "callgrind format", events: Ir only):
 * "ob=" names the object of the functions that follow ("fn="), "cob=" the
 * object of the next called function (the caller's object when there is
 * none), a "calls=" line is followed by one line with the call's
 * inclusive cost, every other line that starts with a position is a self
 * cost of the current function, and "summary:" is the total.  Names are
 * compressed: "(id) name" defines an id, "(id)" reuses it.
 *
 * va    the inclusive cost of every call from an object that is not VA-API's
 *       into one that is (libva*.so, *_drv_video.so): the libraries, the
 *       driver, and whatever they call (libc's memcpy inside the driver
 *       counts as the driver's);
 * own   the self cost of the functions of one object (the program itself:
 *       kmscap-stream with libkmscap linked in statically);
 * total the profile's summary, checked against the sum of the self costs.
 */
#include <ctype.h>
#include <stdlib.h>

#include "libcallgrind.h"

enum { CG_OTHER, CG_VA, CG_OWN };

struct kmscap_cg_objs {
	unsigned char *cls;
	size_t n;
};

static bool kmscap_cg_is_va(const char *path)
{
	const char *base = strrchr(path, '/');
	static const char drv[] = "_drv_video.so";
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	return !strncmp(base, "libva", 5) ||
	       (n >= sizeof(drv) && !strcmp(base + n - (sizeof(drv) - 1), drv));
}

/* The class of the object named by "(id) name" or "(id)" (defined before). */
static int kmscap_cg_obj(struct kmscap_cg_objs *o, const char *spec, const char *own)
{
	char *end, name[4096];
	unsigned long id;
	int cls;

	if (*spec != '(')
		return -EINVAL;	/* uncompressed names: callgrind writes none */
	id = strtoul(spec + 1, &end, 10);
	if (*end != ')' || id > 1000000)
		return -EINVAL;
	if (id >= o->n) {
		unsigned char *c = realloc(o->cls, id + 1);

		if (!c)
			return -ENOMEM;
		memset(c + o->n, CG_OTHER, id + 1 - o->n);
		o->cls = c;
		o->n = id + 1;
	}
	if (end[1] == ' ') {
		snprintf(name, sizeof(name), "%s", end + 2);
		name[strcspn(name, "\n")] = '\0';
		cls = kmscap_cg_is_va(name) ? CG_VA : !strcmp(name, own) ? CG_OWN : CG_OTHER;
		o->cls[id] = cls;
	}
	return o->cls[id];
}

int kmscap_cg_read(const char *path, const char *own, struct kmscap_cg_cost *out)
{
	struct kmscap_cg_objs objs = { NULL, 0 };
	int cur = CG_OTHER, callee = -1, ret = 0;
	bool call_cost = false, have_summary = false;
	uint64_t self = 0;
	char line[8192];
	FILE *f;

	memset(out, 0, sizeof(*out));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		uint64_t cost;
		char *p;
		int c;

		if (!strncmp(line, "ob=", 3)) {
			c = kmscap_cg_obj(&objs, line + 3, own);
			if (c < 0)
				ret = c;
			else
				cur = c;
		} else if (!strncmp(line, "cob=", 4)) {
			c = kmscap_cg_obj(&objs, line + 4, own);
			if (c < 0)
				ret = c;
			else
				callee = c;
		} else if (!strncmp(line, "calls=", 6)) {
			call_cost = true;
		} else if (!strncmp(line, "summary:", 8)) {
			out->total = strtoull(line + 8, NULL, 10);
			have_summary = true;
		} else if (isdigit((unsigned char)line[0]) || line[0] == '+' || line[0] == '-' ||
			   line[0] == '*') {
			p = strchr(line, ' ');
			cost = p ? strtoull(p + 1, NULL, 10) : 0;
			if (call_cost) {
				if (cur != CG_VA && (callee < 0 ? cur : callee) == CG_VA)
					out->va += cost;
				call_cost = false;
				callee = -1;
			} else {
				self += cost;
				if (cur == CG_OWN)
					out->own += cost;
			}
		}
	}
	if (!ret && ferror(f))
		ret = -EIO;
	fclose(f);
	free(objs.cls);
	if (!ret && (!have_summary || self != out->total))
		ret = -EPROTO;	/* not a profile this parser understands */
	return ret;
}
