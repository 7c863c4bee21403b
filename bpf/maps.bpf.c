// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The one definition of every map and .rodata knob shared by the the bpf files files. */
#include "memtrace.bpf.h"

const volatile bool filter_pids = false;
const volatile bool filter_cgroup = false;
const volatile __u64 cgroup_id = 0;
const volatile __u32 cgroup_level = 0;
const volatile bool per_thread = false;
const volatile __u32 page_shift = 12;
const volatile __u64 vmemmap_base = 0;
const volatile __u64 page_offset_base = 0;
const volatile __u64 direct_map_end = 0;
const volatile __u32 nr_zone_ranges = 0;
const volatile __u64 zone_start_pfn[MT_MAX_ZONE_RANGES] = {};
const volatile __u64 zone_end_pfn[MT_MAX_ZONE_RANGES] = {};
const volatile __u32 self_tgid = 0;
const volatile __u64 trace_start_ns = 0;

/* pairing, call sites, stacks (pair.bpf.h): off unless asked for */
const volatile bool track_pairs = false;
const volatile bool track_stacks = false;
const volatile __u32 stack_sample = 1; /* --stack-sample: 1 allocation in N walks its stack */
const volatile bool track_sites = false;

struct mt_stats_map stats SEC(".maps");
struct mt_zstats_map zstats SEC(".maps");
struct mt_cstats_map cstats SEC(".maps");
struct mt_pid_filter_map pid_filter SEC(".maps");
struct mt_procs_map procs SEC(".maps");
struct mt_proc_slot_map proc_slot SEC(".maps");
struct mt_caches_map caches SEC(".maps");
struct mt_threads_map threads SEC(".maps");
struct mt_scope_stats_map scope_stats SEC(".maps");
struct mt_pair_stats_map pair_stats SEC(".maps");
struct mt_outstanding_map outstanding SEC(".maps");
struct mt_stack_traces_map stack_traces SEC(".maps");
struct mt_sites_map sites SEC(".maps");
struct mt_site_front_map site_front SEC(".maps");
struct mt_stack_aggs_map stack_aggs SEC(".maps");
struct mt_owner_frees_map owner_frees SEC(".maps");

char LICENSE[] SEC("license") = "Dual BSD/GPL";
