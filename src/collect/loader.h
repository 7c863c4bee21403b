/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The fixed lifecycle of the BPF side: open -> set .rodata -> size maps -> choose autoload
 * -> load -> fill filter maps -> attach; then detach -> read -> destroy.
 */
#ifndef MT_LOADER_H
#define MT_LOADER_H

#include <stdbool.h>
#include <unistd.h>
#include "collect/calib.h"
#include "collect/proc_reap.h"
#include "model/model.h"
#include "sys/zones.h"

struct memtrace_bpf;

struct mt_loader_opts {
	bool force_tracepoint; /* hidden switch: keep the classic fallback tested */
	bool no_stalls;	       /* do not attach the stall tracepoints */
	const __u32 *pids;
	int nr_pids;
	bool follow_forks;  /* -- CMD: add every process the pids fork (tree roots) */
	bool filter_cgroup; /* --cgroup */
	__u64 cgroup_id;
	__u32 cgroup_level;
	bool per_thread; /* fill the per-thread table */
	const struct mt_calib *calib;
	const struct mt_zone_table *zones;
	__u32 page_shift;
	struct mt_pair_opts pair; /* pairing, call sites, stacks and their map sizes */
	__u32 class_mask;	  /* 1 << enum mt_class per class to trace; 0: all */
	bool include_self;	  /* count memtrace's own process too */
	__u32 max_procs;	  /* live processes the kernel tables hold; 0: the default */
	bool reap;		  /* move ended processes out of the kernel tables as it runs */
};

struct mt_loader {
	struct memtrace_bpf *skel;
	char attach[16]; /* "tp_btf", "tracepoint" or "mixed" */
	bool class_traced[MT_CLASS_MAX];
	bool ev_traced[64];	  /* per row of the event table in loader.c */
	char kprobe_why[128];	  /* why the kmap kprobes were not used, or "" */
	struct mt_reaper *reaper; /* running with opts.reap, until detach */
	bool include_self;	  /* opts.include_self */
	__u64 start_ns;		  /* .rodata trace_start_ns: CLOCK_MONOTONIC at load */
	__u64 start_wall_ns;	  /* CLOCK_REALTIME then, for profiles' time stamps (--pprof) */
	struct mt_reap_stats reap;
};

/* The .rodata knobs of bpf/maps.bpf.c, in every skeleton that links it. */
#define MT_SET_RODATA(ro, o)                                                                       \
	do {                                                                                       \
		const struct mt_zone_table *z_ = (o)->zones;                                       \
		(ro)->filter_pids = (o)->nr_pids > 0;                                              \
		(ro)->filter_cgroup = (o)->filter_cgroup;                                          \
		(ro)->cgroup_id = (o)->cgroup_id;                                                  \
		(ro)->cgroup_level = (o)->cgroup_level;                                            \
		(ro)->per_thread = (o)->per_thread;                                                \
		(ro)->page_shift = (o)->page_shift;                                                \
		(ro)->vmemmap_base = (o)->calib->vmemmap_base;                                     \
		(ro)->page_offset_base = (o)->calib->page_offset_base;                             \
		(ro)->direct_map_end = (o)->calib->page_offset_base +                              \
				       (mt_zones_lowmem_end_pfn(z_) << (o)->page_shift);           \
		(ro)->self_tgid = (o)->include_self ? 0 : (__u32)getpid();                         \
		(ro)->nr_zone_ranges = z_->nr;                                                     \
		for (int i_ = 0; i_ < z_->nr; i_++) {                                              \
			(ro)->zone_start_pfn[i_] = z_->z[i_].start_pfn;                            \
			(ro)->zone_end_pfn[i_] = z_->z[i_].start_pfn + z_->z[i_].spanned;          \
		}                                                                                  \
	} while (0)

/* Returns 0 or -errno; on failure everything is already torn down and an error printed. */
int mt_loader_start(struct mt_loader *l, const struct mt_loader_opts *o);
void mt_loader_detach(struct mt_loader *l);
/* The pid filter map (after mt_loader_start): other objects share it, so processes that
 * -- CMD's children add are in their scope too. */
int mt_loader_pid_filter_fd(const struct mt_loader *l);
/* Whether group:name is attached in this run (after mt_loader_start). */
bool mt_loader_event_traced(const struct mt_loader *l, const char *group, const char *name);
/* The i-th row of the event table: false past the last (for recording which attached). */
bool mt_loader_event_at(const struct mt_loader *l, size_t i, const char **group, const char **name,
			bool *traced);
/* Runs the kernel skipped for these programs (recursion), summed. */
__u64 mt_loader_missed_runs(const struct mt_loader *l);
void mt_loader_destroy(struct mt_loader *l);

/* For `memtrace check`: the event table, and one program loaded and attached on its own. */
struct mt_loader_event_info {
	const char *group, *name;
	bool follow; /* a scoping event, loaded only with -- CMD */
	int cls;     /* enum mt_class, or -1 */
	bool alt;    /* another kernel's name of an event: absence is normal */
	bool kprobe; /* a kmap kprobe: `check` has a row of its own */
	bool stall;  /* a stall (latency) event, not part of the core set */
	const char *fast_sec, *classic_sec; /* section names, or NULL */
};
size_t mt_loader_nr_events(void);
void mt_loader_event_info(size_t i, struct mt_loader_event_info *out);
/* Load and attach only event i's fast (or classic) program. 0, or -errno; *stage names the
 * step that failed ("open", "load", "attach"). */
int mt_loader_try_one(size_t i, bool fast, const struct mt_loader_opts *o, const char **stage);

#endif /* MT_LOADER_H */
