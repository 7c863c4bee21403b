// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/collect_pair.h"
#include "collect/collect.h"
#include "collect/detach.h"
#include "collect/kernel_info.h"
#include "collect/loader.h"
#include "memtrace.skel.h"
#include "collect/probe.h"
#include "sys/util.h"
#include "collect/collect_classes.h"

/*
 * Every traced event: its tracepoint, its class, and its two attach flavours, of which the
 * loader keeps at most one. The fast flavour is raw_tp: for slab events because tp_btf
 * refuses their `const void *` arguments on 6.12, for page events because their struct
 * page pointer needs arithmetic (and vmemmap_base); the other is the classic tracepoint. A
 * new event is one row here and its programs in bpf/.
 */
struct ev_progs {
	const char *group, *name;
	size_t fast, classic; /* offsets of the programs in struct memtrace_bpf, or NONE */
	size_t fast_cast;     /* fast's twin reading through bpf_rdonly_cast; 0: none */
	int cls;	      /* enum mt_class it feeds, or -1 for a section that is no class */
	bool needs_vmemmap;
	bool follow; /* scoping: loaded only when following a command's forks */
	bool quiet;  /* one of several names for an event: absence is no news */
	bool kprobe; /* classic is a kprobe on the function `name` */
	bool stall;  /* a stall (latency) event: skipped with --no-stalls */
	bool task;   /* process lifecycle (task.bpf.c): in every run, core or not */
};

#define NONE ((size_t)-1)
#define PROG(p) offsetof(struct memtrace_bpf, progs.p)
#define EV(g, n, c, vm, f, cl)                                                                     \
	{ .group = (g),                                                                            \
	  .name = (n),                                                                             \
	  .cls = (c),                                                                              \
	  .needs_vmemmap = (vm),                                                                   \
	  .fast = PROG(f),                                                                         \
	  .classic = PROG(cl) }
/* a slab event whose fast flavour has a bpf_rdonly_cast twin, <prefix>_raw and _cast */
#define EV_CAST(g, n, c, prefix, cl)                                                               \
	{ .group = (g),                                                                            \
	  .name = (n),                                                                             \
	  .cls = (c),                                                                              \
	  .fast = PROG(prefix##_raw),                                                              \
	  .fast_cast = PROG(prefix##_cast),                                                        \
	  .classic = PROG(cl) }
/* an event with only one flavour */
#define EV_FAST(g, n, c, f)                                                                        \
	{ .group = (g), .name = (n), .cls = (c), .fast = PROG(f), .classic = NONE }
#define EV_CLASSIC(g, n, c, cl)                                                                    \
	{ .group = (g), .name = (n), .cls = (c), .fast = NONE, .classic = PROG(cl) }
/* an older or newer name of an event: absent on most kernels, so not worth a warning */
#define EV_ALT(g, n, c, cl)                                                                        \
	{ .group = (g), .name = (n), .cls = (c), .fast = NONE, .classic = PROG(cl), .quiet = true }
#define EV_KPROBE(func, c, p)                                                                      \
	{ .group = "kprobe",                                                                       \
	  .name = (func),                                                                          \
	  .cls = (c),                                                                              \
	  .fast = NONE,                                                                            \
	  .classic = PROG(p),                                                                      \
	  .quiet = true,                                                                           \
	  .kprobe = true }
/* a scoping event of scope.bpf.c, only with -- CMD */
#define EV_FOLLOW(g, n, f, cl)                                                                     \
	{ .group = (g),                                                                            \
	  .name = (n),                                                                             \
	  .cls = -1,                                                                               \
	  .follow = true,                                                                          \
	  .fast = PROG(f),                                                                         \
	  .classic = PROG(cl) }
/* a process lifecycle event of task.bpf.c: exec names, exits empty the process table */
#define EV_TASK(g, n, f, cl)                                                                       \
	{ .group = (g), .name = (n), .cls = -1, .task = true, .fast = PROG(f), .classic = PROG(cl) }
/* a stall event of bpf/stall.bpf.c: <prefix>_btf and <prefix>_tp; off with --no-stalls */
#define EV_STALL(g, n, prefix)                                                                     \
	{ .group = (g),                                                                            \
	  .name = (n),                                                                             \
	  .cls = -1,                                                                               \
	  .stall = true,                                                                           \
	  .fast = PROG(prefix##_btf),                                                              \
	  .classic = PROG(prefix##_tp) }

static const struct ev_progs events[] = {
	EV("kmem", "kmalloc", MT_CLASS_LOGICAL, false, kmalloc_raw, kmalloc_tp),
	EV_CAST("kmem", "kmem_cache_alloc", MT_CLASS_LOGICAL, kmem_cache_alloc,
		kmem_cache_alloc_tp),
	EV_CAST("kmem", "kfree", MT_CLASS_LOGICAL, kfree, kfree_tp),
	EV_CAST("kmem", "kmem_cache_free", MT_CLASS_LOGICAL, kmem_cache_free, kmem_cache_free_tp),
	EV("kmem", "mm_page_alloc", MT_CLASS_PHYSICAL, true, mm_page_alloc_raw, mm_page_alloc_tp),
	EV("kmem", "mm_page_free", MT_CLASS_PHYSICAL, true, mm_page_free_raw, mm_page_free_tp),
	EV_FOLLOW("sched", "sched_process_fork", sched_process_fork_btf, sched_process_fork_tp),
	EV_TASK("sched", "sched_process_exec", sched_process_exec_btf, sched_process_exec_tp),
	EV_TASK("sched", "sched_process_exit", sched_process_exit_btf, sched_process_exit_tp),
	EV("vmalloc", "alloc_vmap_area", MT_CLASS_VIRTUAL, false, alloc_vmap_area_btf,
	   alloc_vmap_area_tp),
	EV("vmalloc", "free_vmap_area_noflush", MT_CLASS_VIRTUAL, false, free_vmap_area_noflush_btf,
	   free_vmap_area_noflush_tp),
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
	/* 6.18 renamed dma_map_page/dma_unmap_page to _phys: one of each pair exists where dma:*
	 * does (6.12+), so neither name's absence is news; dma_map_sg still warns on 6.1 */
	EV_ALT("dma", "dma_map_phys", MT_CLASS_BUS, dma_map_phys_tp),
	EV_ALT("dma", "dma_map_page", MT_CLASS_BUS, dma_map_page_tp),
	EV_ALT("dma", "dma_map_resource", MT_CLASS_BUS, dma_map_resource_tp),
	EV_ALT("dma", "dma_unmap_phys", MT_CLASS_BUS, dma_unmap_phys_tp),
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
	EV_STALL("vmscan", "mm_vmscan_direct_reclaim_begin", direct_reclaim_begin),
	EV_STALL("vmscan", "mm_vmscan_direct_reclaim_end", direct_reclaim_end),
	EV_STALL("vmscan", "mm_vmscan_memcg_reclaim_begin", memcg_reclaim_begin),
	EV_STALL("vmscan", "mm_vmscan_memcg_reclaim_end", memcg_reclaim_end),
	EV_STALL("vmscan", "mm_vmscan_memcg_softlimit_reclaim_begin", softlimit_reclaim_begin),
	EV_STALL("vmscan", "mm_vmscan_memcg_softlimit_reclaim_end", softlimit_reclaim_end),
	EV_STALL("vmscan", "mm_vmscan_node_reclaim_begin", node_reclaim_begin),
	EV_STALL("vmscan", "mm_vmscan_node_reclaim_end", node_reclaim_end),
	EV_STALL("compaction", "mm_compaction_begin", compaction_begin),
	EV_STALL("compaction", "mm_compaction_end", compaction_end),
	EV_STALL("compaction", "mm_compaction_kcompactd_wake", kcompactd_wake),
	EV_STALL("compaction", "mm_compaction_kcompactd_sleep", kcompactd_sleep),
	EV_STALL("vmscan", "mm_vmscan_throttled", throttled),
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

/* The kmem events (slab and page allocator): the core every report needs. */
static bool ev_is_core(const struct ev_progs *e)
{
	return e->cls == MT_CLASS_LOGICAL || e->cls == MT_CLASS_PHYSICAL;
}

/*
 * Choose autoload per event; returns how many programs will load. core_only keeps the kmem
 * events and the scoping ones: the fallback when another section's programs do not load.
 */
static int choose(struct mt_loader *l, const struct mt_loader_opts *o, const struct mt_probe *p,
		  bool allow_fast, bool core_only, bool cast)
{
	int loaded = 0, nfast = 0, nclassic = 0;

	memset(l->class_traced, 0, sizeof(l->class_traced));
	memset(l->ev_traced, 0, sizeof(l->ev_traced));
	for (size_t i = 0; i < NR_EVENTS; i++) {
		const struct ev_progs *e = &events[i];
		struct bpf_program *fast = prog_at(l->skel, e->fast);
		struct bpf_program *twin = e->fast_cast ? prog_at(l->skel, e->fast_cast) : NULL;
		struct bpf_program *classic = prog_at(l->skel, e->classic);
		bool wanted = (!e->follow || o->follow_forks) && (!e->stall || !o->no_stalls) &&
			      (e->cls < 0 || !o->class_mask || (o->class_mask & (1u << e->cls))) &&
			      (!core_only || ev_is_core(e) || e->follow || e->task);
		bool use_fast = wanted && fast && allow_fast && !o->force_tracepoint &&
				mt_probe_btf_tracepoint(p, e->name) &&
				(!e->needs_vmemmap || o->calib->vmemmap_base);
		bool use_classic = wanted && classic && !use_fast &&
				   (e->kprobe ? mt_kprobe_usable(e->name, &l->kprobe_why[0],
								 sizeof(l->kprobe_why)) :
						mt_tracepoint_exists(e->group, e->name));

		if (e->stall && o->no_stalls)
			use_fast = use_classic = false;
		if (twin) {
			/* one of the two fast twins: the cheaper one where the kernel allows it */
			bpf_program__set_autoload(fast, false);
			bpf_program__set_autoload(twin, false);
			if (cast)
				fast = twin;
		}
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
		/* the attach mode names how the kmem events went; other sections vary by kernel */
		nfast += use_fast && ev_is_core(e);
		nclassic += use_classic && ev_is_core(e);
		mt_info("%s:%s: %s%s", e->group, e->name,
			bpf_program__section_name(use_fast ? fast : classic),
			use_fast && twin && fast == twin ? " (reads via bpf_rdonly_cast)" : "");
	}
	snprintf(l->attach, sizeof(l->attach), "%s",
		 nfast && nclassic ? "mixed" :
		 nfast		   ? "tp_btf/raw_tp" :
				     "tracepoint");
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

static __u64 wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static void set_rodata(struct memtrace_bpf *s, const struct mt_loader_opts *o)
{
	struct timespec ts;

	MT_SET_RODATA(s->rodata, o);
	s->rodata->follow_forks = o->follow_forks;
	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC: exits are told relative to this */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->rodata->trace_start_ns = (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* Tables that are large only when asked for: a default run stays small and cheap. */
static int size_maps(struct memtrace_bpf *s, const struct mt_loader_opts *o)
{
	int err = 0;

	if (o->follow_forks)
		err = bpf_map__set_max_entries(s->maps.pid_filter, MT_MAX_FOLLOWED);
	if (!err && o->per_thread)
		err = bpf_map__set_max_entries(s->maps.threads, MT_MAX_THREADS);
	if (!err && o->max_procs) {
		/* the tables keyed by tgid; owner_frees shrinks again without pairing */
		err = bpf_map__set_max_entries(s->maps.procs, o->max_procs);
		if (!err)
			err = bpf_map__set_max_entries(s->maps.owner_frees, o->max_procs);
		if (!err)
			err = bpf_map__set_max_entries(s->maps.fault_procs, o->max_procs);
		if (!err)
			err = bpf_map__set_max_entries(s->maps.tasks, 2 * o->max_procs);
	}
	if (!err)
		err = bpf_map__set_max_entries(s->maps.procs_exited, MT_EXITED_ROWS);
	return err;
}

static int try_start(struct mt_loader *l, const struct mt_loader_opts *o, const struct mt_probe *p,
		     bool allow_fast, bool core_only, bool cast)
{
	__u8 one = 1;
	int err;

	l->skel = memtrace_bpf__open();
	if (!l->skel)
		return -errno ? -errno : -ENOMEM;
	set_rodata(l->skel, o);
	l->start_ns = l->skel->rodata->trace_start_ns;
	l->start_wall_ns = wall_ns();
	err = size_maps(l->skel, o);
	if (!err)
		err = mt_pair_prepare(l->skel, &o->pair);
	if (err)
		return err;
	if (o->no_stalls) {
		/* the latency tables stay empty: do not reserve their memory */
		bpf_map__set_max_entries(l->skel->maps.lat_open, 1);
		bpf_map__set_max_entries(l->skel->maps.lat_orders, 1);
		bpf_map__set_max_entries(l->skel->maps.lat_procs, 1);
	}
	if (!choose(l, o, p, allow_fast, core_only, cast))
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
		if (o->follow_forks && bpf_map_update_elem(bpf_map__fd(l->skel->maps.tree),
							   &o->pids[i], &root, BPF_ANY))
			return -errno;
	}
	return memtrace_bpf__attach(l->skel);
}

int mt_loader_start(struct mt_loader *l, const struct mt_loader_opts *o)
{
	struct mt_probe p;
	bool cast;
	int err = 0;

	memset(l, 0, sizeof(*l));
	libbpf_set_print(libbpf_print);
	mt_probe_open(&p);
	cast = mt_probe_rdonly_cast(&p);
	/*
	 * Fast path first, then classic tracepoints; each, if a section beyond the kmem core
	 * fails to load (a verifier or layout difference on this kernel), once more with the
	 * core alone: the slab and page report never depends on the other sections. The slab
	 * programs' bpf_rdonly_cast twins go first where the kernel has the kfunc; should the
	 * verifier of a kernel not tried refuse them, the same attempt runs again without.
	 */
	for (int attempt = 0; attempt < 4; attempt++) {
		bool fast = attempt < 2, core_only = attempt % 2;

		if (attempt && err == -ENOENT)
			break; /* no kmem tracepoint at all: nothing else will do */
		memtrace_bpf__destroy(l->skel); /* the failed attempt's; NULL at first */
		l->skel = NULL;
		err = try_start(l, o, &p, fast, core_only, cast);
		if (err && err != -ENOENT && fast && cast) {
			mt_info("fast-path programs reading through bpf_rdonly_cast failed: %s; "
				"again with probe reads",
				strerror(-err));
			cast = false;
			attempt--;
			continue;
		}
		if (!err) {
			if (core_only)
				mt_warn("programs of the sections beyond slab and pages failed to load "
					"on this kernel: tracing slab and pages only (-v says why)");
			break;
		}
		mt_info("%s programs%s failed: %s", fast ? "fast-path" : "classic",
			core_only ? " (kmem only)" : "", strerror(-err));
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
	l->include_self = o->include_self;
	if (!err && o->reap) {
		l->reaper = mt_reaper_start(l->skel);
		if (!l->reaper)
			mt_warn("ended processes stay in the kernel tables: %s", strerror(errno));
	}
	return err;
}

int mt_loader_pid_filter_fd(const struct mt_loader *l)
{
	return l->skel ? bpf_map__fd(l->skel->maps.pid_filter) : -1;
}

bool mt_loader_event_traced(const struct mt_loader *l, const char *group, const char *name)
{
	for (size_t i = 0; i < NR_EVENTS; i++)
		if (!strcmp(events[i].group, group) && !strcmp(events[i].name, name))
			return l->ev_traced[i];
	return false;
}

bool mt_loader_event_at(const struct mt_loader *l, size_t i, const char **group, const char **name,
			bool *traced)
{
	if (i >= NR_EVENTS)
		return false;
	*group = events[i].group;
	*name = events[i].name;
	*traced = l->ev_traced[i];
	return true;
}

void mt_loader_detach(struct mt_loader *l)
{
	/* first: what it has not moved yet stays in the tables the report reads */
	if (l->reaper) {
		mt_reaper_stop(l->reaper, &l->reap);
		l->reaper = NULL;
		mt_info("ended processes moved out of the kernel tables: %llu (%llu folded by "
			"name, %llu found gone unmarked), %llu failed",
			(unsigned long long)l->reap.reaped, (unsigned long long)l->reap.folded,
			(unsigned long long)l->reap.swept, (unsigned long long)l->reap.failed);
	}
	if (l->skel)
		mt_skel_detach(l->skel->skeleton);
}

__u64 mt_loader_missed_runs(const struct mt_loader *l)
{
	struct bpf_program *prog;
	__u64 n = 0;

	if (!l->skel)
		return 0;
	bpf_object__for_each_program(prog, l->skel->obj)
	{
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			n += info.recursion_misses;
	}
	return n;
}

void mt_loader_destroy(struct mt_loader *l)
{
	mt_reaper_stop(l->reaper, &l->reap);
	l->reaper = NULL;
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
	out->stall = events[i].stall;
	/* raw_tp where the event passes untyped pointers (kmem, percpu alloc/free), else tp_btf */
	if (events[i].fast != NONE)
		out->fast_sec = !strcmp(events[i].group, "kmem") ||
						!strcmp(events[i].name, "percpu_alloc_percpu") ||
						!strcmp(events[i].name, "percpu_free_percpu") ?
					"raw_tp" :
					"tp_btf";
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
