// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Names the kernel's BTF gives to GFP bits and migratetypes, for the class sections. */
#include <pthread.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "collect/collect_classes.h"

/* Names of enumerators of the kernel's BTF: ___GFP_<NAME>_BIT (6.10+) and MIGRATE_*. */
/*
 * Read once per process: parsing the kernel's BTF takes ~10 ms, and the timeline and top
 * collect a report every interval. The names cannot change while the kernel runs.
 */
static struct {
	char gfp_names[MT_GFP_BITS][28];
	char gfp_source[64];
	char migrate_names[MT_MIGRATE_SLOTS][24];
} names;
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void load_names(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	__u32 n;

	if (libbpf_get_error(btf))
		return;
	n = btf__type_cnt(btf);
	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *tname;
		const struct btf_enum *e;

		if (!btf_is_enum(t))
			continue;
		tname = btf__name_by_offset(btf, t->name_off);
		e = btf_enum(t);
		for (int i = 0; i < btf_vlen(t); i++) {
			const char *name = btf__name_by_offset(btf, e[i].name_off);
			size_t len = strlen(name);

			__u32 v = e[i].val;

			if (!strncmp(name, "___GFP_", 7) && len > 11 &&
			    !strcmp(name + len - 4, "_BIT") &&
			    strcmp(name, "___GFP_LAST_BIT") != 0 && v < MT_GFP_BITS) {
				snprintf(names.gfp_names[v], sizeof(names.gfp_names[0]),
					 "__GFP_%.*s", (int)(len - 11), name + 7);
				snprintf(names.gfp_source, sizeof(names.gfp_source),
					 "kernel BTF (enum ___GFP_*_BIT)");
			} else if (tname && !strcmp(tname, "migratetype") &&
				   !strncmp(name, "MIGRATE_", 8) && v < MT_MIGRATE_SLOTS &&
				   strcmp(name, "MIGRATE_TYPES") != 0 &&
				   strcmp(name, "MIGRATE_PCPTYPES") != 0 &&
				   !names.migrate_names[v][0]) {
				snprintf(names.migrate_names[v], sizeof(names.migrate_names[0]),
					 "%s", name + 8);
			}
		}
	}
	btf__free(btf);
}

void mt_classes_names_from_btf(struct mt_classes_report *x)
{
	_Static_assert(sizeof(names.gfp_names) == sizeof(x->gfp_names), "one shape");
	_Static_assert(sizeof(names.migrate_names) == sizeof(x->migrate_names), "one shape");
	pthread_once(&names_once, load_names);
	/* what the BTF names, over what x had: as reading it into x did */
	for (int v = 0; v < MT_GFP_BITS; v++)
		if (names.gfp_names[v][0])
			memcpy(x->gfp_names[v], names.gfp_names[v], sizeof(x->gfp_names[v]));
	if (names.gfp_source[0])
		memcpy(x->gfp_source, names.gfp_source, sizeof(x->gfp_source));
	for (int v = 0; v < MT_MIGRATE_SLOTS; v++)
		if (!x->migrate_names[v][0])
			memcpy(x->migrate_names[v], names.migrate_names[v],
			       sizeof(x->migrate_names[v]));
}
