// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Stalls: time a task spends in direct, memcg, soft-limit and node reclaim, in compaction,
 * in a kcompactd pass, and throttled in reclaim. Each begin/end tracepoint pair fires in
 * the stalled task's own context, so the pair is matched per task (latency.bpf.h). These
 * events fire only on the slow paths they time (microseconds to seconds each), so tracing
 * them costs nothing measurable; they are on by default. tp_btf wrappers and classic
 * tracepoint fallbacks; the loader keeps one set per event.
 */
#include "latency.bpf.h"

/* kcompactd_sleep follows every kcompactd loop, including timeouts with no wake. */
#define END_ALONE_IS_NORMAL false
#define ZONE_NA MT_ZONE_UNKNOWN

/* mm_vmscan_throttled fires after the sleep: usec_delayed is what the task stalled. */
static __always_inline int on_throttled(int usec_timeout, int usec_delayed)
{
	__u64 us = usec_delayed > 0 ? usec_delayed : 0;

	lat_single(MT_LAT_THROTTLED, us * 1000, usec_delayed >= usec_timeout);
	return 0;
}

/* compact_control.order: -1 for a whole-zone compaction (/proc/sys/vm/compact_memory) */
static __always_inline __s32 cc_order(struct compact_control *cc)
{
	int order = BPF_CORE_READ(cc, order);

	return order >= 0 ? order : MT_LAT_ORDER_NONE;
}

SEC("tp_btf/mm_vmscan_direct_reclaim_begin")
int BPF_PROG(direct_reclaim_begin_btf, int order)
{
	lat_begin(MT_LAT_DIRECT_RECLAIM, order);
	return 0;
}

SEC("tp_btf/mm_vmscan_direct_reclaim_end")
int BPF_PROG(direct_reclaim_end_btf)
{
	lat_end(MT_LAT_DIRECT_RECLAIM, ZONE_NA, true);
	return 0;
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_begin")
int BPF_PROG(memcg_reclaim_begin_btf, int order)
{
	lat_begin(MT_LAT_MEMCG_RECLAIM, order);
	return 0;
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_end")
int BPF_PROG(memcg_reclaim_end_btf)
{
	lat_end(MT_LAT_MEMCG_RECLAIM, ZONE_NA, true);
	return 0;
}

SEC("tp_btf/mm_vmscan_memcg_softlimit_reclaim_begin")
int BPF_PROG(softlimit_reclaim_begin_btf, int order)
{
	lat_begin(MT_LAT_MEMCG_SOFTLIMIT, order);
	return 0;
}

SEC("tp_btf/mm_vmscan_memcg_softlimit_reclaim_end")
int BPF_PROG(softlimit_reclaim_end_btf)
{
	lat_end(MT_LAT_MEMCG_SOFTLIMIT, ZONE_NA, true);
	return 0;
}

SEC("tp_btf/mm_vmscan_node_reclaim_begin")
int BPF_PROG(node_reclaim_begin_btf, int nid, int order)
{
	lat_begin(MT_LAT_NODE_RECLAIM, order);
	return 0;
}

SEC("tp_btf/mm_vmscan_node_reclaim_end")
int BPF_PROG(node_reclaim_end_btf)
{
	lat_end(MT_LAT_NODE_RECLAIM, ZONE_NA, true);
	return 0;
}

SEC("tp_btf/mm_compaction_begin")
int BPF_PROG(compaction_begin_btf, struct compact_control *cc)
{
	lat_begin(MT_LAT_COMPACTION, cc_order(cc));
	return 0;
}

SEC("tp_btf/mm_compaction_end")
int BPF_PROG(compaction_end_btf)
{
	lat_end(MT_LAT_COMPACTION, ZONE_NA, true);
	return 0;
}

SEC("tp_btf/mm_compaction_kcompactd_wake")
int BPF_PROG(kcompactd_wake_btf, int nid, int order)
{
	lat_begin(MT_LAT_KCOMPACTD, order);
	return 0;
}

SEC("tp_btf/mm_compaction_kcompactd_sleep")
int BPF_PROG(kcompactd_sleep_btf)
{
	lat_end(MT_LAT_KCOMPACTD, ZONE_NA, END_ALONE_IS_NORMAL);
	return 0;
}

SEC("tp_btf/mm_vmscan_throttled")
int BPF_PROG(throttled_btf, int nid, int usec_timeout, int usec_delayed)
{
	return on_throttled(usec_timeout, usec_delayed);
}

/* Classic tracepoints: the fallback where tp_btf cannot attach. */

SEC("tracepoint/vmscan/mm_vmscan_direct_reclaim_begin")
int direct_reclaim_begin_tp(struct trace_event_raw_mm_vmscan_direct_reclaim_begin_template *e)
{
	lat_begin(MT_LAT_DIRECT_RECLAIM, BPF_CORE_READ(e, order));
	return 0;
}

SEC("tracepoint/vmscan/mm_vmscan_direct_reclaim_end")
int direct_reclaim_end_tp(void *ctx)
{
	lat_end(MT_LAT_DIRECT_RECLAIM, ZONE_NA, true);
	return 0;
}

SEC("tracepoint/vmscan/mm_vmscan_memcg_reclaim_begin")
int memcg_reclaim_begin_tp(struct trace_event_raw_mm_vmscan_direct_reclaim_begin_template *e)
{
	lat_begin(MT_LAT_MEMCG_RECLAIM, BPF_CORE_READ(e, order));
	return 0;
}

SEC("tracepoint/vmscan/mm_vmscan_memcg_reclaim_end")
int memcg_reclaim_end_tp(void *ctx)
{
	lat_end(MT_LAT_MEMCG_RECLAIM, ZONE_NA, true);
	return 0;
}

SEC("tracepoint/vmscan/mm_vmscan_memcg_softlimit_reclaim_begin")
int softlimit_reclaim_begin_tp(struct trace_event_raw_mm_vmscan_direct_reclaim_begin_template *e)
{
	lat_begin(MT_LAT_MEMCG_SOFTLIMIT, BPF_CORE_READ(e, order));
	return 0;
}

SEC("tracepoint/vmscan/mm_vmscan_memcg_softlimit_reclaim_end")
int softlimit_reclaim_end_tp(void *ctx)
{
	lat_end(MT_LAT_MEMCG_SOFTLIMIT, ZONE_NA, true);
	return 0;
}

SEC("tracepoint/vmscan/mm_vmscan_node_reclaim_begin")
int node_reclaim_begin_tp(struct trace_event_raw_mm_vmscan_node_reclaim_begin *e)
{
	lat_begin(MT_LAT_NODE_RECLAIM, BPF_CORE_READ(e, order));
	return 0;
}

SEC("tracepoint/vmscan/mm_vmscan_node_reclaim_end")
int node_reclaim_end_tp(void *ctx)
{
	lat_end(MT_LAT_NODE_RECLAIM, ZONE_NA, true);
	return 0;
}

/* the classic compaction events carry PFNs, not the order */
SEC("tracepoint/compaction/mm_compaction_begin")
int compaction_begin_tp(void *ctx)
{
	lat_begin(MT_LAT_COMPACTION, MT_LAT_ORDER_NONE);
	return 0;
}

SEC("tracepoint/compaction/mm_compaction_end")
int compaction_end_tp(void *ctx)
{
	lat_end(MT_LAT_COMPACTION, ZONE_NA, true);
	return 0;
}

SEC("tracepoint/compaction/mm_compaction_kcompactd_wake")
int kcompactd_wake_tp(struct trace_event_raw_kcompactd_wake_template *e)
{
	lat_begin(MT_LAT_KCOMPACTD, BPF_CORE_READ(e, order));
	return 0;
}

SEC("tracepoint/compaction/mm_compaction_kcompactd_sleep")
int kcompactd_sleep_tp(void *ctx)
{
	lat_end(MT_LAT_KCOMPACTD, ZONE_NA, END_ALONE_IS_NORMAL);
	return 0;
}

SEC("tracepoint/vmscan/mm_vmscan_throttled")
int throttled_tp(struct trace_event_raw_mm_vmscan_throttled *e)
{
	return on_throttled(BPF_CORE_READ(e, usec_timeout), BPF_CORE_READ(e, usec_delayed));
}
