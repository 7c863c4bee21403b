// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Names the kernel's BTF gives to GFP bits and migratetypes, for the class sections. */
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "collect/collect_classes.h"

/* Names of enumerators of the kernel's BTF: ___GFP_<NAME>_BIT (6.10+) and MIGRATE_*. */
void mt_classes_names_from_btf(struct mt_classes_report *x)
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
				snprintf(x->gfp_names[v], sizeof(x->gfp_names[0]), "__GFP_%.*s",
					 (int)(len - 11), name + 7);
				snprintf(x->gfp_source, sizeof(x->gfp_source),
					 "kernel BTF (enum ___GFP_*_BIT)");
			} else if (tname && !strcmp(tname, "migratetype") &&
				   !strncmp(name, "MIGRATE_", 8) && v < MT_MIGRATE_SLOTS &&
				   strcmp(name, "MIGRATE_TYPES") != 0 &&
				   strcmp(name, "MIGRATE_PCPTYPES") != 0 &&
				   !x->migrate_names[v][0]) {
				snprintf(x->migrate_names[v], sizeof(x->migrate_names[0]), "%s",
					 name + 8);
			}
		}
	}
	btf__free(btf);
}
