// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect_pair.h"
#include "kernel_info.h"
#include "loader.h"
#include "memtrace.skel.h"
#include "probe.h"
#include "util.h"
#include "collect_classes.h"

/*
 * Every traced event: its tracepoint, its class, and its two attach flavours, of which the
 * loader keeps at most one. The fast flavour is raw_tp: for slab events because tp_btf
 * refuses their `const void *` arguments on 6.12, for page events because their struct
 * page pointer needs arithmetic (and vmemmap_base); the other is the classic tracepoint. A
 * new event is one row here and its programs in bpf/.
 */
struct ev_progs {
	const char *group, *name;
	size_t fast, classic;	/* offsets of the programs in struct memtrace_bpf, or NONE */
	int cls;		/* enum mt_class it feeds, or -1 for a section that is no class */
	bool needs_vmemmap;
	bool follow;		/* scoping: loaded only when following a command's forks */
	bool quiet;		/* one of several names for an event: absence is no news */
	bool kprobe;		/* classic is a kprobe on the function `name` */
};

#define NONE ((size_t)-1)
#define PROG(p) offsetof(struct memtrace_bpf, progs.p)
#define EV(g, n, c, vm, f, cl)                                                             \
	{ .group = (g), .name = (n), .cls = (c), .needs_vmemmap = (vm), .fast = PROG(f),  \
	  .classic = PROG(cl) }
/* an event with only one flavour */
#define EV_FAST(g, n, c, f)                                                                \
	{ .group = (g), .name = (n), .cls = (c), .fast = PROG(f), .classic = NONE }
#define EV_CLASSIC(g, n, c, cl)                                                            \
	{ .group = (g), .name = (n), .cls = (c), .fast = NONE, .classic = PROG(cl) }
/* an older or newer name of an event: absent on most kernels, so not worth a warning */
#define EV_ALT(g, n, c, cl)                                                                \
	{ .group = (g), .name = (n), .cls = (c), .fast = NONE, .classic = PROG(cl),       \
	  .quiet = true }
#define EV_KPROBE(func, c, p)                                                              \
	{ .group = "kprobe", .name = (func), .cls = (c), .fast = NONE, .classic = PROG(p), \
	  .quiet = true, .kprobe = true }
/* a scoping event of scope.bpf.c, only with -- CMD */
#define EV_FOLLOW(g, n, f, cl)                                                             \
	{ .group = (g), .name = (n), .cls = -1, .follow = true, .fast = PROG(f),          \
	  .classic = PROG(cl) }

static const struct ev_progs events[] = {
	EV("kmem", "kmalloc", MT_CLASS_LOGICAL, false, kmalloc_raw, kmalloc_tp),
	EV("kmem", "kmem_cache_alloc", MT_CLASS_LOGICAL, false, kmem_cache_alloc_raw,
	   kmem_cache_alloc_tp),
	EV("kmem", "kfree", MT_CLASS_LOGICAL, false, kfree_raw, kfree_tp),
	EV("kmem", "kmem_cache_free", MT_CLASS_LOGICAL, false, kmem_cache_free_raw,
	   kmem_cache_free_tp),
	EV("kmem", "mm_page_alloc", MT_CLASS_PHYSICAL, true, mm_page_alloc_raw, mm_page_alloc_tp),
	EV("kmem", "mm_page_free", MT_CLASS_PHYSICAL, true, mm_page_free_raw, mm_page_free_tp),
	EV_FOLLOW("sched", "sched_process_fork", sched_process_fork_btf, sched_process_fork_tp),
	EV_FOLLOW("sched", "sched_process_exec", sched_process_exec_btf, sched_process_exec_tp),
	EV("vmalloc", "alloc_vmap_area", MT_CLASS_VIRTUAL, false, alloc_vmap_area_btf,
	   alloc_vmap_area_tp),
	EV("vmalloc", "free_vmap_area_noflush", MT_CLASS_VIRTUAL, false,
	   free_vmap_area_noflush_btf, free_vmap_area_noflush_tp),
	EV("vmalloc", "purge_vmap_area_lazy", MT_CLASS_VIRTUAL, false, purge_vmap_area_lazy_btf,
	   purge_vmap_area_lazy_tp),
	EV("percpu", "percpu_alloc_percpu", MT_CLASS_VIRTUAL, false, percpu_alloc_percpu_btf,
	   percpu_alloc_percpu_tp),
	EV("percpu", "percpu_free_percpu", MT_CLASS_VIRTUAL, false, percpu_free_percpu_btf,
	   percpu_free_percpu_tp),
	EV("percpu", "percpu_alloc_percpu_fail", MT_CLASS_VIRTUAL, false,
	   percpu_alloc_percpu_fail_btf, percpu_alloc_percpu_fail_tp),
	EV("percpu", "percpu_create_chunk", MT_CLASS_VIRTUAL, false, percpu_create_chunk_btf,
	   percpu_create_chunk_tp),
	EV("percpu", "percpu_destroy_chunk", MT_CLASS_VIRTUAL, false, percpu_destroy_chunk_btf,
	   percpu_destroy_chunk_tp),
	EV("exceptions", "page_fault_user", MT_CLASS_USER, false, page_fault_user_btf,
	   page_fault_user_tp),
	EV("exceptions", "page_fault_kernel", MT_CLASS_USER, false, page_fault_kernel_btf,
	   page_fault_kernel_tp),
	EV_CLASSIC("dma", "dma_map_phys", MT_CLASS_BUS, dma_map_phys_tp),
	EV_ALT("dma", "dma_map_page", MT_CLASS_BUS, dma_map_page_tp),
	EV_ALT("dma", "dma_map_resource", MT_CLASS_BUS, dma_map_resource_tp),
	EV_CLASSIC("dma", "dma_unmap_phys", MT_CLASS_BUS, dma_unmap_phys_tp),
	EV_ALT("dma", "dma_unmap_page", MT_CLASS_BUS, dma_unmap_page_tp),
	EV_ALT("dma", "dma_unmap_resource", MT_CLASS_BUS, dma_unmap_resource_tp),
	EV_CLASSIC("dma", "dma_alloc", MT_CLASS_BUS, dma_alloc_tp),
	EV_ALT("dma", "dma_alloc_pages", MT_CLASS_BUS, dma_alloc_pages_tp),
	EV_CLASSIC("dma", "dma_free", MT_CLASS_BUS, dma_free_tp),
	EV_ALT("dma", "dma_free_pages", MT_CLASS_BUS, dma_free_pages_tp),
	EV_CLASSIC("dma", "dma_map_sg", MT_CLASS_BUS, dma_map_sg_tp),
	EV_CLASSIC("dma", "dma_unmap_sg", MT_CLASS_BUS, dma_unmap_sg_tp),
	EV_ALT("dma", "dma_map_sg_err", MT_CLASS_BUS, dma_map_sg_err_tp),
	EV_CLASSIC("swiotlb", "swiotlb_bounced", MT_CLASS_BUS, swiotlb_bounced_tp),
	EV_KPROBE("kmap_high", MT_CLASS_HIGH, kmap_high_kp),
	EV_KPROBE("kunmap_high", MT_CLASS_HIGH, kunmap_high_kp),
	EV_KPROBE("__kmap_local_pfn_prot", MT_CLASS_HIGH, kmap_local_kp),
	EV_KPROBE("kunmap_local_indexed", MT_CLASS_HIGH, kunmap_local_kp),
};

#define NR_EVENTS (sizeof(events) / sizeof(events[0]))
_Static_assert(NR_EVENTS <= sizeof(((struct mt_loader *)0)->ev_traced), "ev_traced too small");

static struct bpf_program *prog_at(struct memtrace_bpf *s, size_t off)
{
	return off == NONE ? NULL : *(struct bpf_program **)((char *)s + off);
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
		  bool allow_fast)
{
	int loaded = 0, nfast = 0, nclassic = 0;

	memset(l->class_traced, 0, sizeof(l->class_traced));
	memset(l->ev_traced, 0, sizeof(l->ev_traced));
	for (size_t i = 0; i < NR_EVENTS; i++) {
		const struct ev_progs *e = &events[i];
		struct bpf_program *fast = prog_at(l->skel, e->fast);
		struct bpf_program *classic = prog_at(l->skel, e->classic);
		bool wanted = (!e->follow || o->follow_forks) &&
			      (e->cls < 0 || !o->class_mask || (o->class_mask & (1u << e->cls)));
		bool use_fast = wanted && fast && allow_fast && !o->force_tracepoint &&
				mt_probe_btf_tracepoint(p, e->name) &&
				(!e->needs_vmemmap || o->calib->vmemmap_base);
		bool use_classic = wanted && classic && !use_fast &&
				   (e->kprobe ? mt_kprobe_usable(e->name, &l->kprobe_why[0],
								 sizeof(l->kprobe_why))
					      : mt_tracepoint_exists(e->group, e->name));

		if (fast)
			bpf_program__set_autoload(fast, use_fast);
		if (classic)
			bpf_program__set_autoload(classic, use_classic);
		if (!wanted)
			continue;
		if (!use_fast && !use_classic) {
			if (e->quiet)
				mt_info("%s:%s: not on this kernel", e->group, e->name);
			else
				mt_warn("%s:%s: not available on this kernel, not traced", e->group,
					e->name);
			continue;
		}
		if (e->cls >= 0)
			l->class_traced[e->cls] = true;
		l->ev_traced[i] = true;
		loaded++;
		nfast += use_fast;
		nclassic += use_classic;
		mt_info("%s:%s: %s", e->group, e->name,
			bpf_program__section_name(use_fast ? fast : classic));
	}
	snprintf(l->attach, sizeof(l->attach), "%s",
		 nfast && nclassic ? "mixed" : nfast ? "tp_btf/raw_tp" : "tracepoint");
	/*
	 * A classic tracepoint program is skipped when it fires inside another classic or
	 * kprobe program on the same CPU (bpf_prog_active, e.g. an interrupt freeing memory
	 * over one); only since 6.7 does the kernel count those skips in recursion_misses.
	 * Measured on 6.1: 3% of the frees of an eventfd loop, reported nowhere. Say so.
	 */
	if (nclassic && mt_kernel_older(6, 7))
		mt_warn("classic tracepoints on a kernel before 6.7: runs the kernel skips (nested in "
			"another BPF program) are not counted, so counts may be low");
	return loaded;
}

static void set_rodata(struct memtrace_bpf *s, const struct mt_loader_opts *o)
{
	const struct mt_zone_table *z = o->zones;

	s->rodata->filter_pids = o->nr_pids > 0;
	s->rodata->filter_cgroup = o->filter_cgroup;
	s->rodata->cgroup_id = o->cgroup_id;
	s->rodata->cgroup_level = o->cgroup_level;
	s->rodata->per_thread = o->per_thread;
	s->rodata->follow_forks = o->follow_forks;
	s->rodata->page_shift = o->page_shift;
	s->rodata->vmemmap_base = o->calib->vmemmap_base;
	s->rodata->page_offset_base = o->calib->page_offset_base;
	s->rodata->direct_map_end = o->calib->page_offset_base +
				    (mt_zones_lowmem_end_pfn(z) << o->page_shift);
	s->rodata->nr_zone_ranges = z->nr;
	for (int i = 0; i < z->nr; i++) {
		s->rodata->zone_start_pfn[i] = z->z[i].start_pfn;
		s->rodata->zone_end_pfn[i] = z->z[i].start_pfn + z->z[i].spanned;
	}
}

/* Tables that are large only when asked for: a default run stays small and cheap. */
static int size_maps(struct memtrace_bpf *s, const struct mt_loader_opts *o)
{
	int err = 0;

	if (o->follow_forks)
		err = bpf_map__set_max_entries(s->maps.pid_filter, MT_MAX_FOLLOWED);
	if (!err && o->per_thread)
		err = bpf_map__set_max_entries(s->maps.threads, MT_MAX_THREADS);
	return err;
}

static int try_start(struct mt_loader *l, const struct mt_loader_opts *o,
		     const struct mt_probe *p, bool allow_fast)
{
	__u8 one = 1;
	int err;

	l->skel = memtrace_bpf__open();
	if (!l->skel)
		return -errno ? -errno : -ENOMEM;
	set_rodata(l->skel, o);
	err = size_maps(l->skel, o);
	if (!err)
		err = mt_pair_prepare(l->skel, &o->pair);
	if (err)
		return err;
	if (!choose(l, o, p, allow_fast))
		return -ENOENT;
	err = memtrace_bpf__load(l->skel);
	if (err)
		return err;
	for (int i = 0; i < o->nr_pids; i++) {
		struct mt_tree_node root = {};

		if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.pid_filter), &o->pids[i], &one,
					BPF_ANY))
			return -errno;
		/* the roots of the followed tree: exec renames them, forks hang below them */
		if (o->follow_forks &&
		    bpf_map_update_elem(bpf_map__fd(l->skel->maps.tree), &o->pids[i], &root,
					BPF_ANY))
			return -errno;
	}
	return memtrace_bpf__attach(l->skel);
}

int mt_loader_start(struct mt_loader *l, const struct mt_loader_opts *o)
{
	struct mt_probe p;
	int err;

	memset(l, 0, sizeof(*l));
	libbpf_set_print(libbpf_print);
	mt_probe_open(&p);
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
	mt_probe_close(&p);
	if (!err && mt_verbose)
		mt_maps_memory_print(l->skel, stderr);
	return err;
}

bool mt_loader_event_traced(const struct mt_loader *l, const char *group, const char *name)
{
	for (size_t i = 0; i < NR_EVENTS; i++)
		if (!strcmp(events[i].group, group) && !strcmp(events[i].name, name))
			return l->ev_traced[i];
	return false;
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

	if (!l->skel)
		return 0;
	bpf_object__for_each_program(prog, l->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			n += info.recursion_misses;
	}
	return n;
}

struct collect_ctx {
	struct mt_report *r;
	const struct mt_proc_slot *slots;	/* proc_slot, one per possible CPU */
	const struct mt_cache_front *front;	/* cache_front, one per possible CPU */
};

/* Walk a per-CPU hash; values come back one per possible CPU. */
static int read_percpu_hash(int fd, size_t key_size, size_t val_size, int ncpu,
			    int (*add)(struct collect_ctx *, const void *key, void *vals, int),
			    struct collect_ctx *ctx)
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
		err = add(ctx, key, vals, ncpu);
		if (err)
			break;
	}
	free(vals);
	return err;
}

/* A process's hash row plus what each CPU still holds for it in its slot. */
static int add_proc(struct collect_ctx *ctx, const void *key, void *vals, int ncpu)
{
	__u32 tgid = *(const __u32 *)key;
	struct mt_proc *v = vals;

	for (int c = 0; c < ncpu; c++) {
		const struct mt_proc_slot *s = &ctx->slots[c];

		if (s->state != MT_SLOT_VALID || s->tgid != tgid)
			continue;
		for (int k = 0; k < MT_CLASS_MAX; k++) {
			v[c].allocs[k] += s->p.allocs[k];
			v[c].bytes[k] += s->p.bytes[k];
			v[c].frees[k] += s->p.frees[k];
			v[c].bytes_freed[k] += s->p.bytes_freed[k];
		}
	}
	return mt_report_add_proc(ctx->r, tgid, v, ncpu);
}

/* A cache's hash row plus what each CPU still holds for it in its front. */
static int add_cache(struct collect_ctx *ctx, const void *key, void *vals, int ncpu)
{
	__u64 k = *(const __u64 *)key;
	struct mt_cache *v = vals;

	for (int c = 0; c < ncpu; c++) {
		const struct mt_cache_slot *e = &ctx->front[c].slot[mt_cache_slot_of(k)];

		if (e->key != k)
			continue;
		v[c].allocs += e->allocs;
		v[c].frees += e->frees;
		v[c].bytes_req += e->bytes_req;
		v[c].bytes_alloc += e->bytes_alloc;
		v[c].bytes_freed += e->bytes_freed;
	}
	return mt_report_add_cache(ctx->r, k, v, ncpu);
}

static int add_thread(struct collect_ctx *ctx, const void *key, void *vals, int ncpu)
{
	return mt_scope_add_thread(&ctx->r->scope, *(const __u32 *)key, vals, ncpu);
}

/* The followed tree (a plain hash) and the scoping counters. */
static int collect_scope(const struct mt_loader *l, struct mt_report *r, int ncpu)
{
	int fd = bpf_map__fd(l->skel->maps.tree), err = 0;
	struct collect_ctx ctx = { .r = r };
	struct mt_scope_stats *st;
	__u32 key, *prev = NULL, zero = 0;
	struct mt_tree_node n;

	while (bpf_map_get_next_key(fd, prev, &key) == 0) {
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &n))
			continue;
		if (mt_scope_add_tree(&r->scope, key, &n))
			return -ENOMEM;
	}
	st = calloc(ncpu, sizeof(*st));
	if (!st)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.scope_stats), &zero, st))
		err = -errno;
	else
		mt_scope_add_stats(&r->scope, st, ncpu);
	free(st);
	if (!err && r->scope.per_thread)
		err = read_percpu_hash(bpf_map__fd(l->skel->maps.threads), sizeof(__u32),
				       sizeof(struct mt_thread), ncpu, add_thread, &ctx);
	return err;
}

int mt_loader_collect(const struct mt_loader *l, struct mt_report *r)
{
	int ncpu = libbpf_num_possible_cpus(), err;
	struct collect_ctx ctx = { .r = r };
	struct mt_proc_slot *slots = NULL;
	struct mt_cache_front *front = NULL;
	struct mt_stats *st;
	__u32 zero = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	st = calloc(ncpu, sizeof(*st));
	slots = calloc(ncpu, sizeof(*slots));
	front = calloc(ncpu, sizeof(*front));
	if (!st || !slots || !front) {
		free(st);
		free(slots);
		free(front);
		return -ENOMEM;
	}
	err = bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.stats), &zero, st) ? -errno : 0;
	if (!err)
		mt_report_add_stats(r, st, ncpu);
	free(st);
	if (!err)
		err = bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.proc_slot), &zero, slots) ?
		      -errno : 0;
	if (!err)
		err = bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.cache_front), &zero, front) ?
		      -errno : 0;
	ctx.slots = slots;
	ctx.front = front;
	if (!err)
		err = read_percpu_hash(bpf_map__fd(l->skel->maps.procs), sizeof(__u32),
				       sizeof(struct mt_proc), ncpu, add_proc, &ctx);
	if (!err)
		err = read_percpu_hash(bpf_map__fd(l->skel->maps.caches), sizeof(__u64),
				       sizeof(struct mt_cache), ncpu, add_cache, &ctx);
	free(slots);
	free(front);
	if (!err)
		err = collect_scope(l, r, ncpu);
	if (!err)
		err = mt_pair_collect(l->skel, r);
	if (!err)
		err = mt_collect_classes(l, r, ncpu);
	memcpy(r->run.class_traced, l->class_traced, sizeof(l->class_traced));
	snprintf(r->run.attach, sizeof(r->run.attach), "%s", l->attach);
	r->run.missed_runs = mt_loader_missed_runs(l);
	mt_report_finish(r);
	mt_scope_finish(r);
	mt_classes_finish(&r->x);
	if (!err)
		err = mt_pair_finish(r);
	return err;
}

void mt_loader_destroy(struct mt_loader *l)
{
	memtrace_bpf__destroy(l->skel);
	l->skel = NULL;
}

size_t mt_loader_nr_events(void)
{
	return NR_EVENTS;
}

void mt_loader_event_info(size_t i, struct mt_loader_event_info *out)
{
	memset(out, 0, sizeof(*out));
	if (i >= NR_EVENTS)
		return;
	out->group = events[i].group;
	out->name = events[i].name;
	out->follow = events[i].follow;
	out->cls = events[i].cls;
	out->alt = events[i].quiet && !events[i].kprobe;
	out->kprobe = events[i].kprobe;
	/* raw_tp where the event passes untyped pointers (kmem, percpu alloc/free), else tp_btf */
	if (events[i].fast != NONE)
		out->fast_sec = !strcmp(events[i].group, "kmem") ||
				!strcmp(events[i].name, "percpu_alloc_percpu") ||
				!strcmp(events[i].name, "percpu_free_percpu") ? "raw_tp" : "tp_btf";
	if (events[i].classic != NONE)
		out->classic_sec = "tracepoint";
}

int mt_loader_try_one(size_t i, bool fast, const struct mt_loader_opts *o, const char **stage)
{
	struct memtrace_bpf *s;
	struct bpf_program *want, *prog;
	struct bpf_link *link;
	int err;

	libbpf_set_print(libbpf_print);
	*stage = "open";
	if (i >= NR_EVENTS)
		return -EINVAL;
	s = memtrace_bpf__open();
	if (!s)
		return -errno ? -errno : -ENOMEM;
	want = prog_at(s, fast ? events[i].fast : events[i].classic);
	if (!want) {
		memtrace_bpf__destroy(s);
		return -ENOENT;
	}
	set_rodata(s, o);
	for (prog = bpf_object__next_program(s->obj, NULL); prog;
	     prog = bpf_object__next_program(s->obj, prog))
		bpf_program__set_autoload(prog, prog == want);
	*stage = "load";
	err = memtrace_bpf__load(s);
	if (!err) {
		*stage = "attach";
		link = bpf_program__attach(want);
		err = libbpf_get_error(link);
		if (!err)
			bpf_link__destroy(link);
	}
	memtrace_bpf__destroy(s);
	return err;
}
