// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "collect_classes.h"
#include "kernel_info.h"
#include "memtrace.skel.h"

static int lookup0(int fd, void *vals)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(fd, &zero, vals) ? -errno : 0;
}

/* Walk a per-CPU hash with keys of key_size, calling add for each. */
static int walk(int fd, size_t key_size, size_t val_size, int ncpu,
		void (*add)(struct mt_classes_report *, const void *, const void *, int),
		struct mt_classes_report *x)
{
	char key[32], next[32];
	void *vals = calloc(ncpu, val_size), *prev = NULL;

	if (!vals)
		return -ENOMEM;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		if (!bpf_map_lookup_elem(fd, key, vals))
			add(x, key, vals, ncpu);
	}
	free(vals);
	return 0;
}

static void add_fault(struct mt_classes_report *x, const void *k, const void *v, int ncpu)
{
	mt_classes_add_fault(x, *(const __u32 *)k, v, ncpu);
}

static void add_dma(struct mt_classes_report *x, const void *k, const void *v, int ncpu)
{
	mt_classes_add_dma(x, v, ncpu);
}

static void add_vrange(struct mt_classes_report *x, const void *k, const void *v, int ncpu)
{
	mt_classes_add_vrange(x, k, v, ncpu);
}

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

int mt_collect_classes(const struct mt_loader *l, struct mt_report *r, int ncpu)
{
	struct mt_classes_report *x = &r->x;
	struct memtrace_bpf *s = l->skel;
	void *buf;
	int err;

	buf = calloc(ncpu, sizeof(struct mt_zone_stats) > sizeof(struct mt_class_stats) ?
				   sizeof(struct mt_zone_stats) : sizeof(struct mt_class_stats));
	if (!buf)
		return -ENOMEM;
	err = lookup0(bpf_map__fd(s->maps.zstats), buf);
	if (!err)
		mt_classes_add_zone(x, buf, ncpu);
	if (!err)
		err = lookup0(bpf_map__fd(s->maps.cstats), buf);
	if (!err)
		mt_classes_add_class(x, buf, ncpu);
	free(buf);
	if (!err)
		err = walk(bpf_map__fd(s->maps.fault_procs), sizeof(__u32),
			   sizeof(struct mt_fault_proc), ncpu, add_fault, x);
	if (!err)
		err = walk(bpf_map__fd(s->maps.dma_devs), sizeof(__u64), sizeof(struct mt_dma_dev),
			   ncpu, add_dma, x);
	if (!err)
		err = walk(bpf_map__fd(s->maps.vranges), sizeof(struct mt_vrange_key),
			   sizeof(struct mt_vrange_val), ncpu, add_vrange, x);
	x->is_64bit = mt_kernel_is_64bit();
	snprintf(x->kmap_why, sizeof(x->kmap_why), "%s", l->kprobe_why);
	x->vmalloc_traced = mt_loader_event_traced(l, "vmalloc", "alloc_vmap_area");
	x->percpu_traced = mt_loader_event_traced(l, "percpu", "percpu_alloc_percpu");
	x->fault_traced = mt_loader_event_traced(l, "exceptions", "page_fault_user");
	x->dma_traced = mt_loader_event_traced(l, "dma", "dma_map_phys") ||
			mt_loader_event_traced(l, "dma", "dma_map_page");
	x->swiotlb_traced = mt_loader_event_traced(l, "swiotlb", "swiotlb_bounced");
	mt_classes_names_from_btf(x);
	return err;
}
