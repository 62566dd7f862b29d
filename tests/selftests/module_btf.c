// SPDX-License-Identifier: MIT
/*
 * module_btf: kmscap.ko's BTF (scripts/module-btf.sh, run by make kmod)
 * is accepted by the kernel that loads it and describes the module.
 *  1. The kernel has BTF (/sys/kernel/btf/vmlinux) and the kmscap.ko it
 *     loaded (/etc/kmscap/kmscap.ko in the VM) has a .BTF section; else
 *     the test skips, naming which one is missing.
 *  2. /sys/kernel/btf/kmscap exists: the kernel parsed it against its own
 *     vmlinux BTF (a kernel with CONFIG_MODULE_ALLOW_BTF_MISMATCH, as
 *     Debian's, drops a module BTF that does not match, without a word).
 *  3. libbpf parses it as split BTF on that base; it has struct
 *     kmscap_display, whose drm member is a struct drm_device and whose
 *     owner member is the base's kuid_t (a type id of vmlinux's BTF);
 *     the uapi structs it has are exactly as large as the uapi header
 *     says; the tracepoints' records (trace_event_raw_kmscap_*) are there.
 * Without libbpf-dev at build time the test skips, saying so.
 */
#include <elf.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmscap_test.h"

#define KO_PATH "/etc/kmscap/kmscap.ko"
#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define MODULE_BTF "/sys/kernel/btf/kmscap"

/* Does the ELF file at @path have a section named @name? */
static bool kmscap_elf_has_section(const char *path, const char *name)
{
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	const char *strtab;
	bool found = false;
	struct stat st;
	void *map;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	KT_ASSERT(fd >= 0, "open %s: %s", path, strerror(errno));
	KT_ASSERT(!fstat(fd, &st), "stat %s: %s", path, strerror(errno));
	KT_ASSERT(st.st_size >= (off_t)sizeof(*eh), "%s: %lld bytes, not an ELF file",
		  path, (long long)st.st_size);
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	KT_ASSERT(map != MAP_FAILED, "mmap %s: %s", path, strerror(errno));
	close(fd);
	eh = map;
	KT_ASSERT(!memcmp(eh->e_ident, ELFMAG, SELFMAG) && eh->e_ident[EI_CLASS] == ELFCLASS64,
		  "%s is not a 64-bit ELF file", path);
	KT_ASSERT(eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(*sh) <= (uint64_t)st.st_size &&
		  eh->e_shstrndx < eh->e_shnum, "%s: section headers out of the file", path);
	sh = (const Elf64_Shdr *)((const char *)map + eh->e_shoff);
	strtab = (const char *)map + sh[eh->e_shstrndx].sh_offset;
	for (unsigned int i = 0; i < eh->e_shnum && !found; i++)
		found = sh[i].sh_name < sh[eh->e_shstrndx].sh_size &&
			!strcmp(strtab + sh[i].sh_name, name);
	munmap(map, st.st_size);
	return found;
}

#ifdef KMSCAP_T_LIBBPF
#include <bpf/btf.h>

static struct btf *base, *mod;

static const struct btf_type *kmscap_btf_struct(const char *name)
{
	int id = btf__find_by_name_kind(mod, name, BTF_KIND_STRUCT);

	KT_ASSERT(id > 0, "%s has no struct %s", MODULE_BTF, name);
	return btf__type_by_id(mod, id);
}

/* The member @name of struct @t, with its type's id. */
static const struct btf_member *kmscap_btf_member(const struct btf_type *t, const char *name)
{
	const struct btf_member *m = btf_members(t);

	for (unsigned int i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(mod, m->name_off), name))
			return m;
	kmscap_t_fail("struct %s in %s has no member %s",
		      btf__name_by_offset(mod, t->name_off), MODULE_BTF, name);
}

static void kmscap_btf_check(void)
{
	static const struct { const char *name; size_t size; } uapi[] = {
		{ "kmscap_event", sizeof(struct kmscap_event) },
		{ "kmscap_event_frame", sizeof(struct kmscap_event_frame) },
		{ "kmscap_client_stats", sizeof(struct kmscap_client_stats) },
		{ "kmscap_display_create", sizeof(struct kmscap_display_create) },
		{ "kmscap_export", sizeof(struct kmscap_export) },
	};
	static const char *const records[] = {
		"trace_event_raw_kmscap_frame_publish", "trace_event_raw_kmscap_frame_read",
		"trace_event_raw_kmscap_frame_release", "trace_event_raw_kmscap_flip_done",
		"trace_event_raw_kmscap_client_attach", "trace_event_raw_kmscap_client_detach",
	};
	const struct btf_type *disp, *t;
	const struct btf_member *m;
	unsigned int base_cnt;
	const char *tname;

	base = btf__parse(VMLINUX_BTF, NULL);
	KT_ASSERT(base, "libbpf cannot parse %s: %s", VMLINUX_BTF, strerror(errno));
	mod = btf__parse_split(MODULE_BTF, base);
	KT_ASSERT(mod, "libbpf cannot parse %s on the base %s: %s", MODULE_BTF, VMLINUX_BTF,
		  strerror(errno));
	base_cnt = btf__type_cnt(base);
	kmscap_t_log("%s: %u types of its own after the %u of %s", MODULE_BTF,
		     btf__type_cnt(mod) - base_cnt, base_cnt, VMLINUX_BTF);
	KT_ASSERT(btf__type_cnt(mod) > base_cnt, "%s has no type of its own", MODULE_BTF);

	disp = kmscap_btf_struct("kmscap_display");
	m = kmscap_btf_member(disp, "drm");
	t = btf__type_by_id(mod, m->type);
	tname = t ? btf__name_by_offset(mod, t->name_off) : "?";
	KT_ASSERT(t && btf_is_struct(t) && !strcmp(tname, "drm_device"),
		  "kmscap_display.drm is type %u '%s', not struct drm_device", m->type, tname);
	m = kmscap_btf_member(disp, "owner");
	t = btf__type_by_id(mod, m->type);
	tname = t ? btf__name_by_offset(mod, t->name_off) : "?";
	KT_ASSERT(m->type < base_cnt && t && !strcmp(tname, "kuid_t"),
		  "kmscap_display.owner is type %u '%s', not vmlinux's kuid_t (ids below %u)",
		  m->type, tname, base_cnt);

	for (unsigned int i = 0; i < KMSCAP_T_ARRAY_SIZE(uapi); i++) {
		t = kmscap_btf_struct(uapi[i].name);
		KT_ASSERT(t->size == uapi[i].size, "struct %s is %u bytes in %s, %zu in kmscap.h",
			  uapi[i].name, t->size, MODULE_BTF, uapi[i].size);
	}
	for (unsigned int i = 0; i < KMSCAP_T_ARRAY_SIZE(records); i++)
		kmscap_btf_struct(records[i]);
	btf__free(mod);
	btf__free(base);
}
#else
static void kmscap_btf_check(void)
{
	kmscap_t_skip("module_btf was built without libbpf (pkg-config libbpf: install libbpf-dev)");
}
#endif

int main(void)
{
	bool kernel_btf, ko_btf;

	kmscap_t_init("module_btf", 60);
	KT_ASSERT(!access("/sys/module/kmscap", F_OK), "kmscap is not loaded");
	kernel_btf = !access(VMLINUX_BTF, R_OK);
	ko_btf = kmscap_elf_has_section(KO_PATH, ".BTF");
	if (!kernel_btf)
		kmscap_t_skip("this kernel has no BTF (%s absent: built without CONFIG_DEBUG_INFO_BTF); %s %s",
			      VMLINUX_BTF, KO_PATH, ko_btf ? "has a .BTF section" : "has no .BTF section either");
	if (!ko_btf)
		kmscap_t_skip("%s has no .BTF section (make kmod's \"BTF none\" line says why: no pahole, or no vmlinux with BTF)",
			      KO_PATH);
	KT_ASSERT(!access(MODULE_BTF, R_OK),
		  "%s does not exist although %s has .BTF: the kernel refused it (not built against this kernel's vmlinux BTF?)",
		  MODULE_BTF, KO_PATH);
	kmscap_btf_check();
	kmscap_t_pass("%s: kmscap's types, split on this kernel's BTF", MODULE_BTF);
}
