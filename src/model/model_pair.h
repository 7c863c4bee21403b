/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The pairing model: lifetimes, what is still outstanding at the end of the run (per
 * class, process, call site, stack, with ages), allocations per call site and per stack.
 * Plain C: filled from the BPF maps by src/collect/collect_pair.c or by unit tests.
 */
#ifndef MT_MODEL_PAIR_H
#define MT_MODEL_PAIR_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include "memtrace.h"
#include "sys/kallsyms.h"

/* What the user asked for; the loader sizes the maps from it. */
struct mt_pair_opts {
	bool pairs;  /* outstanding map and lifetimes */
	bool stacks; /* kernel stacks (needs pairs) */
	bool sites;  /* per-call-site totals */
	__u32 outstanding_entries;
	__u32 stack_entries;
	__u32 site_entries;
	__u32 stack_sample; /* 1 in N allocations records its stack; 0 or 1: every one */
	__u32 stack_depth;  /* frames per stack (--stack-depth); 0: MT_STACK_DEPTH */
};

/* Outstanding at the end, for one kind (enum mt_pair_kind). */
struct mt_out_class {
	__u64 count, bytes;
	__u64 age_hist[MT_HIST_SLOTS]; /* log2 usecs since allocation */
};

struct mt_out_proc {
	__u32 tgid;
	char comm[MT_COMM_LEN + 1];
	__u64 count[MT_PAIR_KINDS], bytes[MT_PAIR_KINDS]; /* per enum mt_pair_kind */
	__u64 total_bytes;				  /* sort key */
};

/* A call site: what it allocated during the run and what of it is still outstanding. */
struct mt_site_row {
	__u64 call_site; /* 0: the event has no call site (pages, vmalloc) */
	int cls;	 /* enum mt_pair_kind */
	__u64 allocs, bytes_req, bytes_alloc;
	__u64 out_count, out_bytes;
};

struct mt_stack_row {
	__s32 stack_id;		    /* -1: stacks that could not be recorded */
	int cls;		    /* enum mt_pair_kind */
	__u64 allocs, bytes;	    /* allocated during the run */
	__u64 out_count, out_bytes; /* still outstanding */
	__u32 nr_frames;
	const __u64 *frames; /* innermost first; NULL when unknown */
	bool truncated;	     /* the walk filled every frame of the depth: callers cut off */
};

struct mt_stack_frames {
	__s32 id;
	__u32 n;
	bool truncated; /* all `depth` frames were filled: the walk stopped there */
	__u64 *ip;	/* n frames, allocated to size: --stack-depth 127 with a million
			 * stacks must not cost 127 slots for each 12-frame stack */
};

/* A row of another order of the same table. */
struct mt_site_ref {
	const struct mt_site_row *row;
};

struct mt_stack_ref {
	const struct mt_stack_row *row;
};

/* One outstanding object as read from the map. */
struct mt_obj_rec {
	struct mt_obj_key key;
	struct mt_obj obj;
};

struct mt_pair_report {
	struct mt_pair_opts opts; /* what was enabled in this run */
	__u64 min_age_ns;	  /* outstanding objects younger than this are not shown */
	__u64 end_ns;		  /* CLOCK_MONOTONIC when tracing stopped */
	struct mt_pair_stats tot; /* per-CPU counters summed */
	struct mt_out_class out[MT_PAIR_KINDS];
	__u64 young_count, young_bytes; /* outstanding but younger than min_age_ns */

	struct mt_obj_rec *objs;
	size_t nr_objs, cap_objs;
	struct mt_out_proc *procs;
	size_t nr_procs, cap_procs;
	struct mt_site_row *sites; /* by bytes allocated, descending */
	size_t nr_sites, cap_sites;
	struct mt_stack_row *stacks; /* by bytes allocated, descending */
	size_t nr_stacks, cap_stacks;
	/* the same rows by outstanding bytes, descending, those with none left out */
	struct mt_site_ref *sites_out;
	size_t nr_sites_out;
	struct mt_stack_ref *stacks_out;
	size_t nr_stacks_out;
	struct mt_stack_frames *frames;
	size_t nr_frames, cap_frames;
	bool stacks_scaled; /* mt_pair_scale_stacks has run */
	/*
	 * Frames per stack of the run: the stack map's value size, from the map itself (so a
	 * recording tells its own); and the stack rows whose walk filled them all, with their
	 * allocations (as shown, so scaled under --stack-sample): set by mt_pair_group.
	 */
	__u32 stack_depth;
	__u64 truncated_stacks, truncated_allocs;

	const struct mt_ksyms *ksyms; /* for naming; NULL: addresses print as hex */
	const char *ksyms_why;	      /* why there are no names, or NULL */
};

/*
 * Pairing numbers of one kind, or of a class summed over its kinds (kernel virtual: vmalloc
 * and percpu), as the renderers show them.
 */
struct mt_pair_view {
	__u64 count, bytes; /* outstanding at the end (older than --min-age) */
	__u64 tracked, paired, paired_bytes, unpaired;
	__u64 lifetime_hist[MT_HIST_SLOTS];
	__u64 age_hist[MT_HIST_SLOTS];
};

struct mt_report;

/* The address class a kind belongs to. */
int mt_pair_kind_class(int kind);
/* "slab", "pages", "vmalloc", "percpu" (JSON `allocator`); others: the class key. */
const char *mt_pair_kind_key(int kind);
/* Text: the class name for the kinds that are a whole class, else "vmalloc", "percpu". */
const char *mt_pair_kind_name(int kind);
/* The class kernel virtual is split in kinds; the others are one kind each. */
bool mt_pair_class_split(int cls);
/* One kind's numbers; or a class's, summed over its kinds (an untraced kind is all 0). */
void mt_pair_kind_view(const struct mt_pair_report *p, int kind, struct mt_pair_view *v);
void mt_pair_class_view(const struct mt_pair_report *p, int cls, struct mt_pair_view *v);
/*
 * A pair_stats value recorded before percpu was a kind of its own (arrays of MT_CLASS_MAX):
 * its size in bytes, and its conversion to today's layout (percpu's slots zero).
 */
#define MT_PAIR_STATS_CLASSES_SIZE                                                                 \
	((4 * MT_CLASS_MAX + MT_CLASS_MAX * MT_HIST_SLOTS + MT_PLOSS_MAX) * sizeof(__u64))
void mt_pair_stats_from_classes(struct mt_pair_stats *out, const void *old);

void mt_pair_init(struct mt_pair_report *p);
void mt_pair_free(struct mt_pair_report *p);
void mt_pair_add_stats(struct mt_pair_report *p, const struct mt_pair_stats *percpu, int ncpu);
int mt_pair_add_site(struct mt_pair_report *p, const struct mt_site_key *k,
		     const struct mt_site *percpu, int ncpu);
/* Add what the per-CPU call-site fronts still hold (bpf/pair.bpf.h mt_site_add) to the rows
 * added above, one value per CPU; a slot whose row is missing gets a row of its own. */
int mt_pair_fold_site_front(struct mt_pair_report *p, const struct mt_site_front *percpu, int ncpu);
int mt_pair_add_stack_agg(struct mt_pair_report *p, const struct mt_stack_key *k,
			  const struct mt_stack_agg *percpu, int ncpu);
/* --stack-sample's N, 1 when every allocation's stack is walked. */
__u32 mt_pair_stack_sample(const struct mt_pair_report *p);
/* Per-stack rows times N under --stack-sample (estimates); once; mt_pair_group calls it. */
void mt_pair_scale_stacks(struct mt_pair_report *p);

/*
 * A stack map value: depth ips, innermost first, zero after the last frame (trailing zeros
 * are dropped); one whose last ip is set filled the map's depth and is marked truncated.
 * depth is clamped to MT_STACK_DEPTH_MAX.
 */
int mt_pair_add_frames(struct mt_pair_report *p, __s32 id, const __u64 *ips, __u32 depth);
int mt_pair_add_obj(struct mt_pair_report *p, const struct mt_obj_key *k, const struct mt_obj *o);
/*
 * Aggregate the outstanding objects (older than min_age_ns at end_ns) per class, process,
 * call site and stack; names processes from the report's process table; sort every table
 * by bytes, descending. 0 or -ENOMEM.
 */
/* A process's name by tgid, from whoever holds the process table. */
typedef const char *(*mt_comm_fn)(const void *ctx, __u32 tgid);
int mt_pair_group(struct mt_pair_report *p, mt_comm_fn comm_of, const void *ctx);

/*
 * Index of the first frame worth showing: the top of a recorded stack is memtrace's own
 * BPF program and the tracing glue that ran it (bpf_trace_run*, perf_trace_*), not the
 * allocation. Needs names; without them nothing is skipped.
 */
__u32 mt_pair_first_frame(const struct mt_pair_report *p, const __u64 *ips, __u32 n);

__u64 mt_pair_lost_total(const struct mt_pair_report *p);
const char *mt_pair_loss_key(int loss);	 /* "outstanding_table_full" */
const char *mt_pair_loss_name(int loss); /* "outstanding table full" */

#endif /* MT_MODEL_PAIR_H */
