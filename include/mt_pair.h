/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Allocation/free pairing in the kernel, call sites and kernel stacks: the records and keys
 * the BPF side (bpf/pair.bpf.h) shares with the collector (src/collect/collect.c). Included from
 * memtrace.h; generic over enum mt_pair_kind, so any allocator pairs with one call each side.
 */
#ifndef MT_PAIR_H
#define MT_PAIR_H

/*
 * Frames kept per kernel stack: the stack map's value size, which is also where
 * bpf_get_stackid() stops walking. --stack-depth sets it before load, up to the kernel's
 * PERF_MAX_STACK_DEPTH (the walk is cut at sysctl kernel.perf_event_max_stack, 127 by default).
 */
#define MT_STACK_DEPTH 64U
#define MT_STACK_DEPTH_MAX 127U

/* Default map sizes; each has a `memtrace run` flag. */
#define MT_OUTSTANDING_ENTRIES 262144U /* objects tracked at once, all classes together */
#define MT_STACK_UNSAMPLED (-2)	       /* stack_id of an allocation --stack-sample skipped */
#define MT_STACK_ENTRIES 16384U	       /* distinct kernel stacks */
#define MT_SITE_ENTRIES 16384U	       /* distinct (call site, class) pairs */

/*
 * What pairing keeps apart: the allocators. Each address class is one kind, of the same
 * value, except kernel virtual, which is two allocators whose objects live and die on
 * unrelated time scales: vmap areas (MT_PAIR_VMALLOC, the class's own value) and percpu
 * objects (MT_PAIR_PERCPU, after the classes). The cls arguments of mt_track_alloc() and
 * mt_track_free() and the cls fields of the pairing keys below hold a kind.
 */
enum mt_pair_kind {
	MT_PAIR_SLAB = MT_CLASS_LOGICAL,    /* kmalloc, kmem_cache_alloc */
	MT_PAIR_PAGES = MT_CLASS_PHYSICAL,  /* the buddy allocator, by PFN */
	MT_PAIR_VMALLOC = MT_CLASS_VIRTUAL, /* vmap areas: alloc_vmap_area */
	MT_PAIR_PERCPU = MT_CLASS_MAX,	    /* percpu objects: __alloc_percpu */
	MT_PAIR_KINDS,
};

/* Why pairing, call-site or stack data is incomplete. Per-CPU counters in mt_pair_stats. */
enum mt_pair_loss {
	MT_PLOSS_OUTSTANDING_FULL, /* outstanding map full: an allocation went untracked */
	MT_PLOSS_OUTSTANDING_ERR,  /* outstanding map update/delete refused (-EBUSY: nested) */
	MT_PLOSS_STALE,		   /* an address was allocated again while still outstanding:
					 * its free was never seen (missed run, untraced path) */
	MT_PLOSS_STACK_FULL,	   /* stack map out of free entries (-ENOMEM) */
	MT_PLOSS_STACK_COLLISION,  /* stack hashed to a bucket holding another stack (-EEXIST) */
	MT_PLOSS_STACK_ERR,	   /* bpf_get_stackid failed otherwise (-EFAULT) */
	MT_PLOSS_SITE_FULL,	   /* call-site map full: allocation in totals, not per site */
	MT_PLOSS_STACK_AGG_FULL,   /* per-stack totals map full */
	MT_PLOSS_MAX,
};

/* Counted on every paired event, one per-CPU array slot, separate from struct mt_stats so
 * the default (unpaired) hot path does not carry it. */
struct mt_pair_stats {
	__u64 tracked[MT_PAIR_KINDS];	   /* allocations entered in the outstanding map */
	__u64 paired[MT_PAIR_KINDS];	   /* frees that found their allocation */
	__u64 paired_bytes[MT_PAIR_KINDS]; /* bytes of those allocations */
	__u64 unpaired[MT_PAIR_KINDS];	   /* frees of objects allocated before tracing started (or
					 * whose allocation was not tracked: see the losses) */
	__u64 lifetime_hist[MT_PAIR_KINDS][MT_HIST_SLOTS]; /* log2 usecs, alloc -> free */
	__u64 lost[MT_PLOSS_MAX];
};

/* The outstanding map's key: an address (slab object, vmalloc area, percpu pointer) or a
 * PFN (pages), with its kind so the address spaces cannot collide. */
struct mt_obj_key {
	__u64 addr;
	__u32 cls; /* enum mt_pair_kind */
	__u32 pad; /* always 0 */
};

/* What is known of a live allocation. */
struct mt_obj {
	__u64 ts_ns;	 /* bpf_ktime_get_ns() at allocation (CLOCK_MONOTONIC) */
	__u64 size;	 /* bytes allocated */
	__u64 call_site; /* the allocator's caller (tracepoint call_site); 0 if none */
	__u32 tgid;	 /* the process that allocated: owns it until freed */
	__s32 stack_id;	 /* kernel stack in stack_traces, or -1 (no --stacks, or lost) */
};

/* Per-call-site allocation totals, a per-CPU hash. */
struct mt_site_key {
	__u64 call_site; /* return address into the allocator's caller */
	__u32 cls;	 /* enum mt_pair_kind */
	__u32 pad;
};

struct mt_site {
	__u64 allocs;
	__u64 bytes_req;   /* bytes asked for */
	__u64 bytes_alloc; /* bytes handed out */
};

/*
 * The per-CPU front of the call-site table, direct-mapped by a hash of the key: the counts
 * of the call sites this CPU saw last, not yet added into their rows of `sites`. Call sites
 * are counted in the default mode, on every allocation: most of them now cost an array slot
 * instead of a hash lookup. A slot's counts move into the hash when another key maps to it;
 * the row is created when the slot takes the key. Readers add each used slot to the row of
 * its key.
 */
#define MT_SITE_SLOTS 128

struct mt_site_slot {
	struct mt_site_key key; /* whose counts these are; call_site 0: slot unused */
	struct mt_site n;	/* counts since the slot took the key */
};

struct mt_site_front {
	struct mt_site_slot slot[MT_SITE_SLOTS];
	__u32 busy; /* BPF side only: an event is counting here; one nested in an
				 * interrupt then counts in the hash directly */
	__u32 pad;
};

/* The slot of a call-site key: the top bits of a Fibonacci hash. */
static inline __u32 mt_site_slot_of(__u64 call_site, __u32 cls)
{
	return (__u32)(((call_site ^ cls) * 0x9E3779B97F4A7C15ULL) >> 57) & (MT_SITE_SLOTS - 1);
}

/* Per-stack allocation totals (--stacks), a per-CPU hash. */
struct mt_stack_key {
	__s32 stack_id; /* -1: the stack could not be recorded (see the losses) */
	__u32 cls;	/* enum mt_pair_kind */
};

struct mt_stack_agg {
	__u64 allocs;
	__u64 bytes; /* bytes allocated */
};

/*
 * Frees matched to the allocation's owner (the tgid in the outstanding entry), a per-CPU
 * hash keyed by tgid, filled only with pairing on. A process's own frees land in its
 * struct mt_proc row whoever frees; this says how many of them ran in another context, and
 * which frees a traced process did of objects it did not allocate (not charged to it).
 */
struct mt_owner_frees {
	__u64 by_others[MT_CLASS_MAX];	     /* this process's objects freed by another
						 * process or kernel thread (RCU callbacks,
						 * softirq, kworkers, a process it passed them to) */
	__u64 by_others_bytes[MT_CLASS_MAX]; /* their bytes (as allocated) */
	__u64 by_kthread[MT_CLASS_MAX];	     /* of by_others: the freeing task was a kernel
						 * thread (PF_KTHREAD: kworker, ksoftirqd, rcuc) */
	__u64 of_others[MT_CLASS_MAX];	     /* frees this process did of objects it did
						 * not allocate while traced: another's, or
						 * older than the run; not charged to it */
	__u64 of_others_bytes[MT_CLASS_MAX]; /* their bytes, where the free knows them */
};

#endif /* MT_PAIR_H */
