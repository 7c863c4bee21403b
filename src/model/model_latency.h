/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The latency part of the report: stall and allocator-call durations, plain C. Filled from
 * the kernel-side per-CPU aggregates by the collector (or by unit tests), read by the
 * renderers.
 */
#ifndef MT_MODEL_LATENCY_H
#define MT_MODEL_LATENCY_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include "memtrace.h"

/* Allocator call slots: one hooked function each (kmalloc has two entry points). */
enum mt_call_slot {
	MT_CALL_KMALLOC,       /* variable-size kmalloc */
	MT_CALL_KMALLOC_CACHE, /* constant-size kmalloc, cache known at build time */
	MT_CALL_KMEM_CACHE_ALLOC,
	MT_CALL_PAGE_ALLOC,
	MT_CALL_VMALLOC,
	MT_CALL_SLOTS,
};

struct mt_lat_order_row {
	__u32 kind;
	__s32 order; /* MT_LAT_ORDER_NONE: not given */
	__u32 zone;  /* zone slot, MT_ZONE_UNKNOWN: not known */
	__u64 count, total_ns;
	__u64 hist[MT_HIST_SLOTS]; /* microseconds */
};

struct mt_lat_proc_row {
	__u32 tgid;
	char comm[MT_COMM_LEN + 1];
	__u64 count[MT_LAT_KINDS];
	__u64 total_ns[MT_LAT_KINDS];
	__u64 max_ns[MT_LAT_KINDS];
	__u64 stall_hist[MT_HIST_SLOTS];
	__u64 stall_count, stall_ns; /* over the outer stall kinds (not nested in
					 * another): the sort key */
	__u64 call_ns;		     /* over the call kinds: the second key */
};

struct mt_latency {
	bool stalls;			   /* stall tracking on for this run */
	bool traced[MT_LAT_KINDS];	   /* this kind's events (or functions) attached */
	bool calls_requested;		   /* --latency */
	int call_hook;			   /* enum mt_call_hook that attached */
	char call_func[MT_CALL_SLOTS][64]; /* function hooked per slot, "" if none */
	char call_why[256];		   /* why call latency is unavailable, one line */
	bool call_unhooked[MT_CALL_SLOTS]; /* the kernel has the function, the hook refused */
	char call_missing[256];		   /* hooked, but these slots not, and why */
	struct mt_lat_stats tot;	   /* per-CPU stats summed, max_ns maxed */
	__u64 open_at_end[MT_LAT_KINDS];   /* begins with no end when the run stopped */
	struct mt_lat_order_row *orders;
	size_t nr_orders, cap_orders;
	struct mt_lat_proc_row *procs;
	size_t nr_procs, cap_procs;
};

void mt_lat_free(struct mt_latency *m);
void mt_lat_add_stats(struct mt_latency *m, const struct mt_lat_stats *percpu, int ncpu);
int mt_lat_add_order(struct mt_latency *m, const struct mt_lat_okey *key,
		     const struct mt_lat_ostats *percpu, int ncpu);
int mt_lat_add_proc(struct mt_latency *m, __u32 tgid, const struct mt_lat_proc *percpu, int ncpu);
/* One entry of the open-pairs table read after detach: its begins never ended. */
void mt_lat_add_open(struct mt_latency *m, const struct mt_lat_key *key,
		     const struct mt_lat_open *o);
/* Sort: processes by stalled time, then call time; order rows by kind, order, zone. */
void mt_lat_finish(struct mt_latency *m);

/* Pairing losses of a kind: what the report shows as not measured. */
__u64 mt_lat_unmeasured(const struct mt_latency *m, int kind);
bool mt_lat_is_stall(int kind);
/* The report has the stall kinds with --stalls, the call kinds with --call-latency, and a
 * latency section when it has either. */
bool mt_lat_kind_shown(const struct mt_latency *m, int kind);
bool mt_lat_shown(const struct mt_latency *m);
/* Why allocator call latency was not measured (the loader's reason, else "not attached"),
 * or NULL: it was hooked. */
const char *mt_lat_call_unavailable(const struct mt_latency *m);
const char *mt_lat_kind_name(int kind);	 /* "direct reclaim" */
const char *mt_lat_kind_key(int kind);	 /* "direct_reclaim" */
const char *mt_call_hook_name(int hook); /* "fentry/fexit" */
int mt_call_slot_kind(int slot);	 /* enum mt_lat_kind of a slot */
const char *mt_call_slot_name(int slot); /* "kmalloc" */

#endif /* MT_MODEL_LATENCY_H */
