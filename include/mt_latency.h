/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Latency: how long tasks stall in reclaim, compaction and throttling (begin/end
 * tracepoint pairs), and how long allocator calls take (entry to return). Records, keys and
 * the pairing logic shared by bpf/ and src/: the pairing functions are plain C so the unit
 * tests drive exactly the code the BPF programs run.
 */
#ifndef MT_LATENCY_H
#define MT_LATENCY_H

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#include "memtrace.h"

/* What was timed. Stall kinds come first; allocator call kinds after MT_LAT_STALL_KINDS. */
enum mt_lat_kind {
	MT_LAT_DIRECT_RECLAIM,	/* vmscan:mm_vmscan_direct_reclaim_begin/end */
	MT_LAT_MEMCG_RECLAIM,	/* vmscan:mm_vmscan_memcg_reclaim_begin/end (limit hit) */
	MT_LAT_MEMCG_SOFTLIMIT, /* vmscan:mm_vmscan_memcg_softlimit_reclaim_begin/end (v1) */
	MT_LAT_NODE_RECLAIM,	/* vmscan:mm_vmscan_node_reclaim_begin/end (zone_reclaim_mode) */
	MT_LAT_COMPACTION,	/* compaction:mm_compaction_begin/end: one zone compacted */
	MT_LAT_KCOMPACTD,	/* compaction:mm_compaction_kcompactd_wake -> _sleep: one pass */
	MT_LAT_THROTTLED,	/* vmscan:mm_vmscan_throttled: usec_delayed, one event */
	MT_LAT_STALL_KINDS,
	MT_LAT_KMALLOC = MT_LAT_STALL_KINDS, /* kmalloc call, entry to return */
	MT_LAT_KMEM_CACHE_ALLOC,	     /* kmem_cache_alloc call */
	MT_LAT_PAGE_ALLOC,		     /* page allocator call */
	MT_LAT_VMALLOC,			     /* vmalloc call */
	MT_LAT_KINDS,
};

#define MT_LAT_CALL_KINDS (MT_LAT_KINDS - MT_LAT_STALL_KINDS)
#define MT_LAT_DEPTH 4	       /* nested begins remembered per task and kind */
#define MT_LAT_ORDER_NONE (-1) /* the begin event gives no order */

/* Per kind, in a per-CPU array summed by user space. Times in nanoseconds. */
struct mt_lat_kind_stats {
	__u64 count;		   /* pairs measured (throttled: events) */
	__u64 total_ns;		   /* sum of their durations */
	__u64 max_ns;		   /* longest (max over CPUs in user space) */
	__u64 unpaired_ends;	   /* an end with no begin on record: begun before the run, or
				 * its begin was dropped (table_full) or missed */
	__u64 table_full;	   /* a begin not remembered: the open-pairs table was full */
	__u64 too_deep;		   /* a begin nested deeper than MT_LAT_DEPTH: not timed */
	__u64 detail_lost;	   /* a measured pair not added to the per-order or per-process
				 * table (full): once per table missed */
	__u64 reached_timeout;	   /* throttled only: slept the whole usec_timeout */
	__u64 hist[MT_HIST_SLOTS]; /* log2 of the duration in microseconds */
};

struct mt_lat_stats {
	struct mt_lat_kind_stats k[MT_LAT_KINDS];
};

/* A task's open (begun, not yet ended) pairs of one kind: hash key. */
struct mt_lat_key {
	__u32 tid;  /* the task (thread), not the process: pairs are per task */
	__u32 kind; /* enum mt_lat_kind */
};

/*
 * Begins not yet ended, innermost last. Pairs nest LIFO within a task (an interrupt's
 * allocation inside the task's own, a soft-limit reclaim inside a direct reclaim), so an
 * end always closes the innermost begin. Keyed by task, never by CPU: a task that migrates
 * between begin and end still pairs, and bpf_ktime_get_ns() is one clock for every CPU.
 */
struct mt_lat_open {
	__u64 ts[MT_LAT_DEPTH];	   /* begin time, ns */
	__s32 order[MT_LAT_DEPTH]; /* page order the begin gave, or MT_LAT_ORDER_NONE */
	__u32 depth;		   /* begins not yet ended; may exceed MT_LAT_DEPTH */
	__u32 tgid;		   /* the task's process, for begins still open at the end */
};

/* Per (kind, order, zone) breakdown: per-CPU hash key. */
struct mt_lat_okey {
	__u32 kind;
	__s32 order; /* MT_LAT_ORDER_NONE when the event gives none */
	__u32 zone;  /* zone slot of the returned page (page allocator), else
				 * MT_ZONE_UNKNOWN */
	__u32 pad;
};

struct mt_lat_ostats {
	__u64 count;
	__u64 total_ns;
	__u64 hist[MT_HIST_SLOTS]; /* microseconds */
};

/* Per process (tgid): per-CPU hash value. */
struct mt_lat_proc {
	char comm[MT_COMM_LEN]; /* the thread-group leader's comm at first sight */
	__u64 count[MT_LAT_KINDS];
	__u64 total_ns[MT_LAT_KINDS];
	__u64 max_ns[MT_LAT_KINDS];
	__u64 stall_hist[MT_HIST_SLOTS]; /* outer stall kinds together, microseconds */
};

/*
 * Stall kinds that are never inside another one, whose times a process's "stalled" total
 * adds up. Throttling happens inside reclaim or compaction (reclaim_throttle() callers),
 * soft-limit reclaim inside direct reclaim or kswapd, and a kcompactd pass contains its
 * compactions: adding those too would count the same time twice.
 */
static __always_inline bool mt_lat_is_outer_stall(__u32 kind)
{
	return kind == MT_LAT_DIRECT_RECLAIM || kind == MT_LAT_MEMCG_RECLAIM ||
	       kind == MT_LAT_NODE_RECLAIM || kind == MT_LAT_COMPACTION;
}

/* Outcome of one pairing step. */
enum mt_pair_result {
	MT_PAIR_OK,	  /* begin remembered / end matched: *delta_ns is valid */
	MT_PAIR_NO_BEGIN, /* end with nothing open */
	MT_PAIR_TOO_DEEP, /* begin past MT_LAT_DEPTH, or the end of such a begin */
};

/* A begin at now: push it. The caller counts MT_PAIR_TOO_DEEP. */
static __always_inline int mt_lat_push(struct mt_lat_open *o, __u64 now, __s32 order)
{
	__u32 d = o->depth;

	o->depth = d + 1;
	if (d >= MT_LAT_DEPTH)
		return MT_PAIR_TOO_DEEP;
	o->ts[d] = now;
	o->order[d] = order;
	return MT_PAIR_OK;
}

/*
 * An end at now: pop the innermost begin. On MT_PAIR_OK, *delta_ns and *order describe the
 * pair. A begin that was too deep to remember ends as MT_PAIR_TOO_DEEP (already counted
 * at its begin), so deeper levels never steal the timestamps of the ones below. The caller
 * frees the entry once depth is 0 again.
 */
static __always_inline int mt_lat_pop(struct mt_lat_open *o, __u64 now, __u64 *delta_ns,
				      __s32 *order)
{
	__u32 d = o->depth;

	if (!d)
		return MT_PAIR_NO_BEGIN;
	d--;
	o->depth = d;
	if (d >= MT_LAT_DEPTH)
		return MT_PAIR_TOO_DEEP;
	/* one monotonic clock for all CPUs; guard anyway so a bad entry is 0, not 2^64 */
	*delta_ns = now >= o->ts[d] ? now - o->ts[d] : 0;
	*order = o->order[d];
	return MT_PAIR_OK;
}

/* Allocator call hooks memtrace can use, in order of preference. */
enum mt_call_hook {
	MT_HOOK_NONE,
	MT_HOOK_FENTRY, /* fentry/fexit: cheapest, needs BTF and no lockdown refusal */
	MT_HOOK_KPROBE, /* kprobe/kretprobe: needs CONFIG_KPROBES */
};

#endif /* MT_LATENCY_H */
