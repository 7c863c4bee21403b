/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The report model: plain C, no libbpf. It is filled from the kernel-side aggregates (one
 * struct per CPU, summed here) by the collector, or by unit tests with synthetic values,
 * and read by the renderers.
 */
#ifndef MT_MODEL_H
#define MT_MODEL_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include "memtrace.h"
#include "model/model_latency.h"
#include "sys/zones.h"
#include "model/model_scope.h"
#include "model/model_ci.h"
#include "model/model_pair.h"
#include "model/model_classes.h"
#include "model/model_proc.h"
#include "model/model_timeline.h"

#define MT_JSON_SCHEMA_VERSION 1

struct mt_proc_row {
	__u32 tgid;
	char comm[MT_COMM_LEN + 1];
	__u64 allocs[MT_CLASS_MAX];
	__u64 bytes[MT_CLASS_MAX];
	__u64 frees[MT_CLASS_MAX];
	__u64 bytes_freed[MT_CLASS_MAX];
	__u64 total_bytes; /* sum of bytes over classes: the sort key */
	__u32 nr;	   /* processes in this row: 1, or how many exited ones were folded */
	__u32 folded_key;  /* a folded row's procs_exited key (>= MT_EXITED_FOLDED), else 0 */
	bool exited;	   /* it ended while traced */
	__u64 exit_ns;	   /* when: ns after the trace started (the last exit of a folded row) */
	__u32 execs;	   /* execs seen while traced */
	char earlier[MT_EARLIER_NAMES][MT_COMM_LEN + 1]; /* names before comm, oldest first */
	char exe[MT_EXE_LEN + 1]; /* the file its last exec ran; "" without */
};

struct mt_cache_row {
	__u64 key;
	char name[MT_CACHE_NAME_LEN + 16];
	bool is_kmalloc; /* a kmalloc size class, named kmalloc-<size> */
	__u64 allocs, frees, bytes_req, bytes_alloc, bytes_freed;
	__u32 object_size, size;
};

/* What this run could and could not see, for the header and for honesty in each section. */
struct mt_run_info {
	char release[65];
	char arch[65];
	__u32 page_size;
	__u32 page_shift;
	char btf[128];	 /* where the kernel's BTF came from */
	char attach[16]; /* "tp_btf" or "tracepoint" */
	double duration_s;
	int nr_pids; /* 0: system-wide */
	__u32 pids[16];
	bool class_traced[MT_CLASS_MAX];
	__u64 vmemmap_base; /* 0 when calibration could not establish it */
	__u64 page_offset_base;
	bool kfree_sized;	 /* kfree sizes are known on this kernel */
	__u64 missed_runs;	 /* BPF program runs the kernel skipped (recursion) */
	__u64 start_ns;		 /* the trace's start, CLOCK_MONOTONIC (the BPF clock) */
	__u64 start_wall_ns;	 /* the same instant, CLOCK_REALTIME ns since 1970; 0: unknown */
	char recorded[256];	 /* `report`: the record file read; "" for a live run */
	bool truncated;		 /* `report`: the file was cut short or corrupt */
	char truncated_why[160]; /* where and how */
	/* memtrace's own cost, apart from the numbers (scope.n[MT_SCOPE_SELF]: its events) */
	bool self_included;   /* --include-self: its events are in the numbers */
	double self_cpu_s;    /* its CPU time, user + system; 0: unknown */
	__u64 self_max_rss;   /* its peak resident set, bytes */
	__u64 self_map_bytes; /* kernel memory its BPF maps hold */
};

struct mt_report {
	struct mt_run_info run;
	struct mt_stats tot; /* per-CPU stats summed */
	struct mt_zone_table zones;
	struct mt_proc_row *procs;
	size_t nr_procs, cap_procs;
	struct mt_cache_row *caches;
	size_t nr_caches, cap_caches;
	struct mt_scope_report scope; /* what was traced: pids, command tree, cgroup; threads */
	struct mt_ci_report ci;	      /* --fail-if conditions and their verdicts */
	struct mt_pair_report pair;   /* pairing, call sites, stacks (src/model/model_pair.h) */
	struct mt_classes_report x;   /* the class sections beyond slab and pages */
	struct mt_latency lat;	      /* stalls and allocator call latency */
	struct mt_procx_report px;    /* per process: faults, frees by/of others */
	struct mt_timeline tl;	      /* per interval of the run (model_timeline.h) */
};

void mt_report_init(struct mt_report *r);
void mt_report_free(struct mt_report *r);

/* Add one map value per CPU (ncpu of them, laid out as BPF per-CPU lookups return them). */
void mt_report_add_stats(struct mt_report *r, const struct mt_stats *percpu, int ncpu);
int mt_report_add_proc(struct mt_report *r, __u32 tgid, const struct mt_proc *percpu, int ncpu);
int mt_report_add_cache(struct mt_report *r, __u64 key, const struct mt_cache *percpu, int ncpu);
/*
 * What exec and exit told of live rows (bpf/task.bpf.c): the name after the last exec, the
 * exit. n rows of tgids[i], tasks[i]; start_ns is the trace's start on the same clock.
 */
int mt_report_apply_tasks(struct mt_report *r, const __u32 *tgids, const struct mt_task *tasks,
			  size_t n, __u64 start_ns);
/*
 * The names a process had before its current one, oldest first and "" past the last: the
 * name at first sight (its row's comm), then those of execs before the last (t->prev).
 */
void mt_proc_earlier_names(char out[MT_EARLIER_NAMES][MT_COMM_LEN], const char *first_sight,
			   const struct mt_task *t);
/* A row of a process that ended and left the kernel tables (procs_exited, key). */
int mt_report_add_exited(struct mt_report *r, __u32 key, const struct mt_proc_exited *e,
			 __u64 start_ns);
/* The tgid to join a row with the other per-process tables on: none for a folded row. */
#define MT_TGID_NONE 0xffffffffU
static inline __u32 mt_proc_join_tgid(const struct mt_proc_row *p)
{
	return p->folded_key || p->tgid == MT_TGID_ENDED_OWNERS ? MT_TGID_NONE : p->tgid;
}
/*
 * Ended processes still in the kernel's table when it was read (the last ones, or one a
 * CPU's front still held) join their name's folded row when it has one, so that a name
 * past the rows of their own is one row in every report. Counts move whole.
 */
void mt_report_fold_ended(struct mt_report *r);
/* Processes the rows hold: live ones, exited ones, and those folded into rows by name. */
__u64 mt_report_nr_processes(const struct mt_report *r);
/*
 * Add what the per-CPU fronts still hold (bpf/memtrace.bpf.h mt_proc_get, bpf/slab.bpf.c
 * cache_get: counts not yet moved into the hashes) to the rows added above; one value per
 * CPU. A slot whose row is missing (a recording cut short) gets a row of its own.
 */
int mt_report_fold_proc_slots(struct mt_report *r, const struct mt_proc_slot *percpu, int ncpu);
int mt_report_fold_cache_front(struct mt_report *r, const struct mt_cache_front *percpu, int ncpu);

/* Sort the tables, descending: processes by bytes; caches by bytes allocated, then allocs,
 * then frees (free-only caches last). */
void mt_report_finish(struct mt_report *r);

/* Derived numbers, shared by every renderer so text and JSON cannot disagree. */
__u64 mt_report_lost_total(const struct mt_report *r);
long long mt_counts_net(const struct mt_counts *c);
/* Internal fragmentation: bytes allocated beyond those requested (slab rounds sizes up). */
__u64 mt_counts_frag(const struct mt_counts *c);
const char *mt_loss_key(int loss);  /* "ringbuf" */
const char *mt_loss_name(int loss); /* "ring buffer full" */

/*
 * What a report shows, decided here once so that text, JSON and the others cannot disagree
 * on which section or row is there; each renderer only prints it its own way.
 */
enum mt_class_avail {
	MT_AVAIL_MEASURED,
	MT_AVAIL_NOT_SELECTED,	/* --class named others */
	MT_AVAIL_NONE_ON_64BIT, /* high memory: a 64-bit kernel has none */
	MT_AVAIL_UNAVAILABLE,	/* selected, but this kernel lacks what measures it */
};
bool mt_report_class_selected(const struct mt_report *r, int cls);
enum mt_class_avail mt_report_class_avail(const struct mt_report *r, int cls);
const char *mt_class_avail_key(enum mt_class_avail a); /* "not_selected" */
/* The classes a process row carries: faults, DMA and kmap are attributed in their own
 * sections, not to processes. */
bool mt_report_proc_class(const struct mt_report *r, int cls);
/* The scope as reported: -p narrows a system-wide filter to "pids". */
enum mt_scope_kind mt_report_scope_kind(const struct mt_report *r);
/* The zones asked-vs-got matrices the report has: the pages' when physical is traced, the
 * slab objects' (slab) when logical is and the direct map base is known (an object's pfn
 * needs it). */
bool mt_report_has_asked_got(const struct mt_report *r, bool slab);

#endif /* MT_MODEL_H */
