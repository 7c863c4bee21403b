// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --fail-if metrics of the pairing and stall sections: outstanding.* (what is still
 * allocated when the run ends, from the outstanding map) and stall.<kind>.* (reclaim,
 * compaction and throttling times).
 */
#include "model/metrics.h"
#include "model/report_join.h"

/*
 * arg: a kind (enum mt_pair_kind), OUT_VIRTUAL for both kernel-virtual allocators or
 * OUT_ALL for every kind; + OUT_COUNT for the object count instead of bytes.
 */
#define OUT_ALL 0xff
#define OUT_VIRTUAL 0xfe
#define OUT_COUNT 0x100

static bool out_kind_wanted(int want, int k)
{
	if (want == OUT_ALL)
		return true;
	if (want == OUT_VIRTUAL)
		return k == MT_PAIR_VMALLOC || k == MT_PAIR_PERCPU;
	return k == want;
}

static int get_outstanding(const struct mt_report *r, long arg, long long *out)
{
	int want = (int)(arg & 0xff);
	bool count = arg & OUT_COUNT, any = false;
	__u64 n = 0;

	if (!r->pair.opts.pairs)
		return -1;
	for (int k = 0; k < MT_PAIR_KINDS; k++) {
		if (!out_kind_wanted(want, k))
			continue;
		/* a gate on an allocator this kernel cannot trace is unknown, never 0 */
		if (!mt_pair_kind_traced(r, k)) {
			if (want == OUT_ALL || want == OUT_VIRTUAL)
				continue;
			return -1;
		}
		any = true;
		n += count ? r->pair.out[k].count : r->pair.out[k].bytes;
	}
	if (!any)
		return -1;
	*out = (long long)n;
	return 0;
}

#define OUT_ROWS(name, kind, what)                                                                 \
	{ "outstanding." name, MT_UNIT_BYTES, what " bytes left at the end", get_outstanding,      \
	  kind },                                                                                  \
	{                                                                                          \
		"outstanding." name ".count", MT_UNIT_NONE, what " objects left at the end",       \
			get_outstanding, (kind) | OUT_COUNT                                        \
	}

const struct mt_metric mt_outstanding_metrics[] = {
	OUT_ROWS("slab", MT_PAIR_SLAB, "slab"),
	OUT_ROWS("page", MT_PAIR_PAGES, "page"),
	OUT_ROWS("vmalloc", MT_PAIR_VMALLOC, "vmalloc"),
	OUT_ROWS("percpu", MT_PAIR_PERCPU, "percpu"),
	OUT_ROWS("virtual", OUT_VIRTUAL, "vmalloc+percpu"),
	OUT_ROWS("total", OUT_ALL, "all allocators:"),
	{},
};

/* arg: kind * NR_SF + field. */
enum {
	SF_COUNT,
	SF_TOTAL,
	SF_MAX,
	SF_P50,
	SF_P90,
	SF_P99,
	NR_SF
};

/*
 * The q-th percentile (q in thousandths) of a log2 histogram in microseconds, as the
 * upper edge of its bucket in nanoseconds, never above the exact max: an upper bound, the
 * safe side for a "> threshold" gate. 0 when empty.
 */
long long mt_hist_percentile_ns(const __u64 *hist, __u64 max_ns, int q)
{
	__u64 n = 0, total = 0, rank;

	for (int i = 0; i < MT_HIST_SLOTS; i++)
		total += hist[i];
	if (!total)
		return 0;
	/* the smallest rank with at least q/1000 of the samples at or below it */
	rank = (total * (__u64)q + 999) / 1000;
	if (!rank)
		rank = 1;
	for (int i = 0; i < MT_HIST_SLOTS; i++) {
		n += hist[i];
		if (n >= rank) {
			/* slot 0 holds 0 and 1 us; slot i holds [2^i, 2^(i+1)) us */
			__u64 edge_ns = (i + 1 < 64 ? (1ULL << (i + 1)) : ~0ULL) * 1000ULL;

			return (long long)(max_ns && edge_ns > max_ns ? max_ns : edge_ns);
		}
	}
	return (long long)max_ns;
}

static int get_stall(const struct mt_report *r, long arg, long long *out)
{
	int kind = (int)(arg / NR_SF);
	const struct mt_lat_kind_stats *k = &r->lat.tot.k[kind];

	if (!r->lat.stalls || !r->lat.traced[kind])
		return -1;
	switch (arg % NR_SF) {
	case SF_COUNT:
		*out = (long long)k->count;
		break;
	case SF_TOTAL:
		*out = (long long)k->total_ns;
		break;
	case SF_MAX:
		*out = (long long)k->max_ns;
		break;
	case SF_P50:
		*out = mt_hist_percentile_ns(k->hist, k->max_ns, 500);
		break;
	case SF_P90:
		*out = mt_hist_percentile_ns(k->hist, k->max_ns, 900);
		break;
	default:
		*out = mt_hist_percentile_ns(k->hist, k->max_ns, 990);
		break;
	}
	return 0;
}

#define STALL_ROWS(key, kind)                                                                      \
	{ "stall." key ".count", MT_UNIT_NONE, "stalls measured", get_stall,                       \
	  (kind) * NR_SF + SF_COUNT },                                                             \
		{ "stall." key ".total", MT_UNIT_TIME, "time stalled, summed", get_stall,          \
		  (kind) * NR_SF + SF_TOTAL },                                                     \
		{ "stall." key ".max", MT_UNIT_TIME, "longest stall", get_stall,                   \
		  (kind) * NR_SF + SF_MAX },                                                       \
		{ "stall." key ".p50", MT_UNIT_TIME, "median (log2 bucket top)", get_stall,        \
		  (kind) * NR_SF + SF_P50 },                                                       \
		{ "stall." key ".p90", MT_UNIT_TIME, "90th pct (log2 bucket top)", get_stall,      \
		  (kind) * NR_SF + SF_P90 },                                                       \
	{                                                                                          \
		"stall." key ".p99", MT_UNIT_TIME, "99th pct (log2 bucket top)", get_stall,        \
			(kind) * NR_SF + SF_P99                                                    \
	}

const struct mt_metric mt_stall_metrics[] = {
	STALL_ROWS("direct_reclaim", MT_LAT_DIRECT_RECLAIM),
	STALL_ROWS("memcg_reclaim", MT_LAT_MEMCG_RECLAIM),
	STALL_ROWS("memcg_softlimit_reclaim", MT_LAT_MEMCG_SOFTLIMIT),
	STALL_ROWS("node_reclaim", MT_LAT_NODE_RECLAIM),
	STALL_ROWS("compaction", MT_LAT_COMPACTION),
	STALL_ROWS("kcompactd", MT_LAT_KCOMPACTD),
	STALL_ROWS("throttled", MT_LAT_THROTTLED),
	{},
};
