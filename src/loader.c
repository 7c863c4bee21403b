// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel_info.h"
#include "loader.h"
#include "memtrace.skel.h"
#include "probe.h"
#include "util.h"

/*
 * One event, its class, and its two attach flavours; the loader keeps at most one. The
 * fast flavour is tp_btf, or raw_tp for page events, whose struct page needs vmemmap_base.
 */
struct ev_progs {
	enum mt_event ev;
	int cls;
	bool needs_vmemmap;
	struct bpf_program *btf, *tp;
};

static int ev_table(struct memtrace_bpf *s, struct ev_progs *t)
{
	struct ev_progs all[] = {
		{ MT_EV_KMALLOC, MT_CLASS_LOGICAL, false, s->progs.kmalloc_btf, s->progs.kmalloc_tp },
		{ MT_EV_KMEM_CACHE_ALLOC, MT_CLASS_LOGICAL, false, s->progs.kmem_cache_alloc_btf,
		  s->progs.kmem_cache_alloc_tp },
		{ MT_EV_KFREE, MT_CLASS_LOGICAL, false, s->progs.kfree_btf, s->progs.kfree_tp },
		{ MT_EV_KMEM_CACHE_FREE, MT_CLASS_LOGICAL, false, s->progs.kmem_cache_free_btf,
		  s->progs.kmem_cache_free_tp },
		{ MT_EV_PAGE_ALLOC, MT_CLASS_PHYSICAL, true, s->progs.mm_page_alloc_raw,
		  s->progs.mm_page_alloc_tp },
		{ MT_EV_PAGE_FREE, MT_CLASS_PHYSICAL, true, s->progs.mm_page_free_raw,
		  s->progs.mm_page_free_tp },
	};

	memcpy(t, all, sizeof(all));
	return sizeof(all) / sizeof(all[0]);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && mt_verbose < 2)
		return 0;
	if (!mt_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Choose autoload per event; returns how many programs will load. */
static int choose(struct mt_loader *l, const struct mt_loader_opts *o, const struct mt_probe *p,
		  bool allow_btf)
{
	struct ev_progs t[MT_EV_MAX];
	int n = ev_table(l->skel, t), loaded = 0, nbtf = 0, ntp = 0;

	memset(l->class_traced, 0, sizeof(l->class_traced));
	for (int i = 0; i < n; i++) {
		bool use_btf = allow_btf && !o->force_tracepoint && p->tp_btf[t[i].ev] &&
			       (!t[i].needs_vmemmap || o->calib->vmemmap_base);
		bool use_tp = !use_btf && p->tracepoint[t[i].ev];

		bpf_program__set_autoload(t[i].btf, use_btf);
		bpf_program__set_autoload(t[i].tp, use_tp);
		if (use_btf || use_tp) {
			l->class_traced[t[i].cls] = true;
			loaded++;
			nbtf += use_btf;
			ntp += use_tp;
			mt_info("%s: %s", mt_event_name(t[i].ev),
				use_btf ? bpf_program__section_name(t[i].btf)
					: bpf_program__section_name(t[i].tp));
		} else {
			mt_warn("kmem:%s: not available on this kernel, not traced",
				mt_event_name(t[i].ev));
		}
	}
	snprintf(l->attach, sizeof(l->attach), "%s",
		 nbtf && ntp ? "mixed" : nbtf ? "tp_btf/raw_tp" : "tracepoint");
	return loaded;
}

static void set_rodata(struct memtrace_bpf *s, const struct mt_loader_opts *o)
{
	const struct mt_zone_table *z = o->zones;

	s->rodata->filter_pids = o->nr_pids > 0;
	s->rodata->page_shift = o->page_shift;
	s->rodata->vmemmap_base = o->calib->vmemmap_base;
	s->rodata->page_offset_base = o->calib->page_offset_base;
	s->rodata->direct_map_end = o->calib->page_offset_base +
				    (mt_zones_max_pfn(z) << o->page_shift);
	s->rodata->nr_zone_ranges = z->nr;
	for (int i = 0; i < z->nr; i++) {
		s->rodata->zone_start_pfn[i] = z->z[i].start_pfn;
		s->rodata->zone_end_pfn[i] = z->z[i].start_pfn + z->z[i].spanned;
	}
}

static int try_start(struct mt_loader *l, const struct mt_loader_opts *o,
		     const struct mt_probe *p, bool allow_btf)
{
	__u8 one = 1;
	int err;

	l->skel = memtrace_bpf__open();
	if (!l->skel)
		return -errno ? -errno : -ENOMEM;
	set_rodata(l->skel, o);
	if (!choose(l, o, p, allow_btf))
		return -ENOENT;
	err = memtrace_bpf__load(l->skel);
	if (err)
		return err;
	for (int i = 0; i < o->nr_pids; i++) {
		if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.pid_filter), &o->pids[i], &one,
					BPF_ANY))
			return -errno;
	}
	return memtrace_bpf__attach(l->skel);
}

int mt_loader_start(struct mt_loader *l, const struct mt_loader_opts *o)
{
	struct mt_probe p = {};
	int err;

	memset(l, 0, sizeof(*l));
	libbpf_set_print(libbpf_print);
	mt_probe_events(&p);
	err = try_start(l, o, &p, true);
	if (err && strcmp(l->attach, "tracepoint") != 0 && err != -ENOENT) {
		/* tp_btf can fail where BTF is external or the kernel refuses it: fall back */
		mt_info("tp_btf programs failed (%s); trying classic tracepoints", strerror(-err));
		memtrace_bpf__destroy(l->skel);
		l->skel = NULL;
		err = try_start(l, o, &p, false);
	}
	if (err) {
		if (err == -ENOENT)
			mt_err("no kmem tracepoint is available on this kernel");
		else
			mt_err("failed to load and attach BPF programs: %s%s", strerror(-err),
			       err == -EPERM ? " (kernel lockdown or missing capability?)" : "");
		memtrace_bpf__destroy(l->skel);
		l->skel = NULL;
	}
	return err;
}

void mt_loader_detach(struct mt_loader *l)
{
	if (l->skel)
		memtrace_bpf__detach(l->skel);
}

__u64 mt_loader_missed_runs(const struct mt_loader *l)
{
	struct bpf_program *prog;
	__u64 n = 0;

	bpf_object__for_each_program(prog, l->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			n += info.recursion_misses;
	}
	return n;
}

/* Walk a per-CPU hash; values come back one per possible CPU. */
static int read_percpu_hash(int fd, size_t key_size, size_t val_size, int ncpu,
			    int (*add)(struct mt_report *, const void *key, const void *vals, int),
			    struct mt_report *r)
{
	char key[8], next[8];
	void *vals = calloc(ncpu, val_size);
	void *prev = NULL;
	int err = 0;

	if (!vals)
		return -ENOMEM;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, vals))
			continue;	/* deleted meanwhile: nothing deletes, but be safe */
		err = add(r, key, vals, ncpu);
		if (err)
			break;
	}
	free(vals);
	return err;
}

static int add_proc(struct mt_report *r, const void *key, const void *vals, int ncpu)
{
	return mt_report_add_proc(r, *(const __u32 *)key, vals, ncpu);
}

static int add_cache(struct mt_report *r, const void *key, const void *vals, int ncpu)
{
	return mt_report_add_cache(r, *(const __u64 *)key, vals, ncpu);
}

int mt_loader_collect(const struct mt_loader *l, struct mt_report *r)
{
	int ncpu = libbpf_num_possible_cpus(), err;
	struct mt_stats *st;
	__u32 zero = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	st = calloc(ncpu, sizeof(*st));
	if (!st)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.stats), &zero, st) ? -errno : 0;
	if (!err)
		mt_report_add_stats(r, st, ncpu);
	free(st);
	if (!err)
		err = read_percpu_hash(bpf_map__fd(l->skel->maps.procs), sizeof(__u32),
				       sizeof(struct mt_proc), ncpu, add_proc, r);
	if (!err)
		err = read_percpu_hash(bpf_map__fd(l->skel->maps.caches), sizeof(__u64),
				       sizeof(struct mt_cache), ncpu, add_cache, r);
	memcpy(r->run.class_traced, l->class_traced, sizeof(l->class_traced));
	snprintf(r->run.attach, sizeof(r->run.attach), "%s", l->attach);
	r->run.missed_runs = mt_loader_missed_runs(l);
	mt_report_finish(r);
	return err;
}

void mt_loader_destroy(struct mt_loader *l)
{
	memtrace_bpf__destroy(l->skel);
	l->skel = NULL;
}
