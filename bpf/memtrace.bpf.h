/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Shared by every the bpf files linked into memtrace.bpf.o: the maps and .rodata knobs
 * (defined once in maps.bpf.c, declared extern here so the static linker joins them) and
 * the helpers every handler uses on its hot path.
 */
#ifndef MT_MEMTRACE_BPF_H
#define MT_MEMTRACE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "memtrace.h"
#include "mt_hist.h"
#include "compat.bpf.h"

/* ZERO_OR_NULL_PTR(): kfree(NULL) and kfree(ZERO_SIZE_PTR) are traced but free nothing. */
#define MT_ZERO_SIZE_PTR 16

/* Knobs set by the loader before load (.rodata). */
extern const volatile bool filter_pids;	  /* count only tgids in pid_filter */
extern const volatile bool filter_cgroup; /* count only tasks in cgroup_id or below it */
extern const volatile __u64 cgroup_id;	  /* cgroup v2 id (kernfs inode) of --cgroup */
extern const volatile __u32 cgroup_level; /* its depth below the v2 root (root: 0) */
extern const volatile bool per_thread;	  /* also fill the per-thread table */
extern const volatile __u32 page_shift;
extern const volatile __u64 vmemmap_base;     /* 0: unknown, page -> PFN impossible */
extern const volatile __u64 page_offset_base; /* 0: unknown, __pa() impossible */
extern const volatile __u64 direct_map_end;   /* end of the direct map (exclusive) */
extern const volatile __u32 nr_zone_ranges;
extern const volatile __u64 zone_start_pfn[MT_MAX_ZONE_RANGES];
extern const volatile __u64 zone_end_pfn[MT_MAX_ZONE_RANGES];
extern const volatile __u32 self_tgid;	    /* memtrace's own process, left out; 0: counted */
extern const volatile __u64 trace_start_ns; /* bpf_ktime_get_ns() clock at load, for reports */

struct mt_stats_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mt_stats);
};

struct mt_pid_filter_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MT_MAX_PIDS);
	__type(key, __u32);
	__type(value, __u8);
};

struct mt_procs_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MT_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct mt_proc);
};

struct mt_proc_slot_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mt_proc_slot);
};

struct mt_caches_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct mt_cache);
};

struct mt_zstats_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mt_zone_stats);
};

struct mt_cstats_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mt_class_stats);
};

extern struct mt_stats_map stats SEC(".maps");
extern struct mt_zstats_map zstats SEC(".maps");
extern struct mt_cstats_map cstats SEC(".maps");
extern struct mt_pid_filter_map pid_filter SEC(".maps");
extern struct mt_procs_map procs SEC(".maps");
extern struct mt_proc_slot_map proc_slot SEC(".maps");
extern struct mt_caches_map caches SEC(".maps");

struct mt_threads_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1); /* MT_MAX_THREADS with --per-thread, set by the loader */
	__type(key, __u32);
	__type(value, struct mt_thread);
};

struct mt_scope_stats_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mt_scope_stats);
};

struct mt_tasks_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MT_MAX_TASKS);
	__type(key, __u32);
	__type(value, struct mt_task);
};

/* Written by user space only (src/collect/proc_reap.c): no program touches it. */
struct mt_procs_exited_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8192); /* MT_EXITED_ROWS: sized by the loader */
	__type(key, __u32);
	__type(value, struct mt_proc_exited);
};

/* The followed command tree (scope.bpf.c): each follower's parent and its comm after exec. */
struct mt_tree_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MT_MAX_FOLLOWED);
	__type(key, __u32);
	__type(value, struct mt_tree_node);
};

extern struct mt_tree_map tree SEC(".maps");
extern const volatile bool follow_forks; /* -- CMD: scope.bpf.c follows forks, names execs */
extern struct mt_threads_map threads SEC(".maps");
extern struct mt_tasks_map tasks SEC(".maps");
extern struct mt_procs_exited_map procs_exited SEC(".maps");
extern struct mt_scope_stats_map scope_stats SEC(".maps");

static __always_inline void mt_scope_count(int counter)
{
	__u32 zero = 0;
	struct mt_scope_stats *s = bpf_map_lookup_elem(&scope_stats, &zero);

	if (s && counter >= 0 && counter < MT_SCOPE_MAX)
		s->n[counter]++;
}

/*
 * Is the current task in scope? Each filter is off unless asked for, and the verifier
 * prunes a disabled one entirely (.rodata is constant), so a system-wide run pays nothing.
 * The cgroup test is on the ancestor at the cgroup's own level, so tasks in its descendants
 * count too, as with every cgroup v2 controller.
 */
static __always_inline bool mt_in_scope(__u32 tgid)
{
	/* memtrace's own map reads and ring drains are not the system's memory */
	if (self_tgid && tgid == self_tgid) {
		mt_scope_count(MT_SCOPE_SELF);
		return false;
	}
	if (filter_pids && !bpf_map_lookup_elem(&pid_filter, &tgid))
		return false;
	if (filter_cgroup && bpf_get_current_ancestor_cgroup_id(cgroup_level) != cgroup_id)
		return false;
	return true;
}

/*
 * The per-CPU stats slot when this event is to be counted, else NULL. The pid check comes
 * first so a filtered run pays one hash lookup for events of other processes and nothing
 * else.
 */
static __always_inline struct mt_stats *mt_begin(__u32 *tgid)
{
	__u32 zero = 0;
	struct mt_stats *st;

	*tgid = bpf_get_current_pid_tgid() >> 32;
	if (!mt_in_scope(*tgid))
		return NULL;
	st = bpf_map_lookup_elem(&stats, &zero);
	if (st)
		st->events++;
	return st;
}

/* This process's per-CPU row of the hash, created on first sight with the group leader's comm. */
static __always_inline struct mt_proc *mt_proc_row(struct mt_stats *st, __u32 tgid)
{
	struct mt_proc *p, fresh = {};
	struct task_struct *task;

	p = bpf_map_lookup_elem(&procs, &tgid);
	if (p)
		return p;
	task = (struct task_struct *)bpf_get_current_task();
	/* group_leader read at the kernel's pointer size (4 bytes on a 32-bit kernel) */
	task = (struct task_struct *)MT_READ_LONG(task, group_leader);
	bpf_probe_read_kernel_str(fresh.comm, sizeof(fresh.comm), &task->comm);
	bpf_map_update_elem(&procs, &tgid, &fresh, BPF_NOEXIST);
	p = bpf_map_lookup_elem(&procs, &tgid);
	if (!p)
		st->lost[MT_LOSS_PROC_FULL]++;
	return p;
}

/* This thread's per-CPU row (--per-thread only), created on first sight. */
static __always_inline struct mt_thread *mt_thread_get(__u32 tgid)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct mt_thread *t, fresh = {};

	t = bpf_map_lookup_elem(&threads, &tid);
	if (t)
		return t;
	fresh.tgid = tgid;
	bpf_get_current_comm(&fresh.comm, sizeof(fresh.comm));
	bpf_map_update_elem(&threads, &tid, &fresh, BPF_NOEXIST);
	t = bpf_map_lookup_elem(&threads, &tid);
	if (!t)
		mt_scope_count(MT_SCOPE_THREAD_FULL);
	return t;
}

static __always_inline void mt_thread_add(__u32 tgid, int cls, __u64 bytes, bool is_free)
{
	struct mt_thread *t;

	if (!per_thread || cls < 0 || cls >= MT_CLASS_MAX)
		return;
	t = mt_thread_get(tgid);
	if (!t)
		return;
	if (is_free) {
		t->frees[cls]++;
		t->bytes_freed[cls] += bytes;
	} else {
		t->allocs[cls]++;
		t->bytes[cls] += bytes;
	}
}

/*
 * Where this event's per-process counts go: this CPU's slot (struct mt_proc_slot), after
 * moving the previous process's counts into its hash row when the process changed. An event
 * nested in an interrupt sees the same current task as the event it interrupted, so it can
 * only find the slot on another process while the outer event is moving it: it then counts
 * in the hash row directly rather than touch the slot halfway through.
 */
static __always_inline struct mt_proc *mt_proc_get(struct mt_stats *st, __u32 tgid)
{
	struct mt_proc_slot *s;
	struct mt_proc *p;
	__u32 zero = 0;

	s = bpf_map_lookup_elem(&proc_slot, &zero);
	if (!s)
		return NULL;
	if (s->state == MT_SLOT_VALID && s->tgid == tgid)
		return &s->p;
	if (s->state == MT_SLOT_MOVING)
		return mt_proc_row(st, tgid);
	if (s->state == MT_SLOT_VALID) {
		s->state = MT_SLOT_MOVING;
		p = bpf_map_lookup_elem(&procs, &s->tgid);
		for (int k = 0; p && k < MT_CLASS_MAX; k++) {
			p->allocs[k] += s->p.allocs[k];
			p->bytes[k] += s->p.bytes[k];
			p->frees[k] += s->p.frees[k];
			p->bytes_freed[k] += s->p.bytes_freed[k];
		}
	}
	s->state = MT_SLOT_MOVING;
	if (!mt_proc_row(st, tgid)) {
		s->state = MT_SLOT_EMPTY;
		return NULL;
	}
	__builtin_memset(&s->p, 0, sizeof(s->p));
	s->tgid = tgid;
	s->state = MT_SLOT_VALID;
	return &s->p;
}

static __always_inline void mt_proc_alloc(struct mt_stats *st, __u32 tgid, int cls, __u64 bytes)
{
	struct mt_proc *p = mt_proc_get(st, tgid);

	mt_thread_add(tgid, cls, bytes, false);
	if (!p)
		return;
	p->allocs[cls]++;
	p->bytes[cls] += bytes;
}

static __always_inline void mt_proc_free(struct mt_stats *st, __u32 tgid, int cls, __u64 bytes)
{
	struct mt_proc *p = mt_proc_get(st, tgid);

	mt_thread_add(tgid, cls, bytes, true);
	if (!p)
		return;
	p->frees[cls]++;
	p->bytes_freed[cls] += bytes;
}

/*
 * Array indexes the verifier can see are in range. The clamps are already in the values,
 * but 6.1's verifier loses them through the compiler's 32-bit zero extension ("R0 unbounded
 * memory access", the program does not load): mask after a compiler barrier. The slot
 * counts are powers of two, so the mask changes no clamped value.
 */
_Static_assert((MT_HIST_SLOTS & (MT_HIST_SLOTS - 1)) == 0, "MT_HIST_SLOTS not a power of 2");
_Static_assert((MT_ORDER_SLOTS & (MT_ORDER_SLOTS - 1)) == 0, "MT_ORDER_SLOTS not a power of 2");
_Static_assert((MT_ZONE_SLOTS & (MT_ZONE_SLOTS - 1)) == 0, "MT_ZONE_SLOTS not a power of 2");

static __always_inline __u32 mt_slot(__u64 v)
{
	__u32 s = mt_hist_slot(v);

	barrier_var(s);
	return s & (MT_HIST_SLOTS - 1);
}

static __always_inline __u32 mt_order_slot(__u32 order)
{
	__u32 s = order < MT_ORDER_SLOTS ? order : MT_ORDER_SLOTS - 1;

	barrier_var(s);
	return s & (MT_ORDER_SLOTS - 1);
}

/* Zone range index of a PFN; ranges come from /proc/zoneinfo via .rodata. */
static __always_inline __u32 mt_pfn_zone(__u64 pfn)
{
	for (__u32 i = 0; i < MT_MAX_ZONE_RANGES; i++) {
		if (i >= nr_zone_ranges)
			break;
		if (pfn >= zone_start_pfn[i] && pfn < zone_end_pfn[i])
			return i;
	}
	return MT_ZONE_UNKNOWN;
}

/* This CPU's zone asked/got slot (slab and page handlers). */
static __always_inline struct mt_zone_stats *mt_zstats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&zstats, &zero);
}

/* This CPU's slot for the classes off the slab/page hot path. */
static __always_inline struct mt_class_stats *mt_cstats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cstats, &zero);
}

/* page_to_pfn() for SPARSEMEM_VMEMMAP, with vmemmap_base learned at start-up. */
static __always_inline __u64 mt_page_to_pfn(__u64 page)
{
	return (page - vmemmap_base) / bpf_core_type_size(struct page);
}

/* virt_to_page() for a direct-map address; NULL when it is not one or the map is unknown. */
static __always_inline struct page *mt_virt_to_page(const void *addr)
{
	__u64 a = (__u64)addr;

	if (!page_offset_base || !vmemmap_base || a < page_offset_base || a >= direct_map_end)
		return NULL;
	return (struct page *)(vmemmap_base + ((a - page_offset_base) >> page_shift) *
						      bpf_core_type_size(struct page));
}

#include "pair.bpf.h"

#endif /* MT_MEMTRACE_BPF_H */
