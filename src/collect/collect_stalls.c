// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The stall maps into the latency model, through a map source (live or recorded). */
#include <errno.h>
#include <stdlib.h>
#include "collect/map_read.h"
#include "collect/collect_stalls.h"

/* The events each stall kind needs, begin then end (throttled is one event). */
static const struct {
	int kind;
	const char *group, *begin, *end;
} stall_events[] = {
	{ MT_LAT_DIRECT_RECLAIM, "vmscan", "mm_vmscan_direct_reclaim_begin",
	  "mm_vmscan_direct_reclaim_end" },
	{ MT_LAT_MEMCG_RECLAIM, "vmscan", "mm_vmscan_memcg_reclaim_begin",
	  "mm_vmscan_memcg_reclaim_end" },
	{ MT_LAT_MEMCG_SOFTLIMIT, "vmscan", "mm_vmscan_memcg_softlimit_reclaim_begin",
	  "mm_vmscan_memcg_softlimit_reclaim_end" },
	{ MT_LAT_NODE_RECLAIM, "vmscan", "mm_vmscan_node_reclaim_begin",
	  "mm_vmscan_node_reclaim_end" },
	{ MT_LAT_COMPACTION, "compaction", "mm_compaction_begin", "mm_compaction_end" },
	{ MT_LAT_KCOMPACTD, "compaction", "mm_compaction_kcompactd_wake",
	  "mm_compaction_kcompactd_sleep" },
	{ MT_LAT_THROTTLED, "vmscan", "mm_vmscan_throttled", "mm_vmscan_throttled" },
};

static int add_order(struct mt_report *r, const void *key, const void *vals, int nr)
{
	return mt_lat_add_order(&r->lat, key, vals, nr) ? -ENOMEM : 0;
}

static int add_proc(struct mt_report *r, const void *key, const void *vals, int nr)
{
	return mt_lat_add_proc(&r->lat, *(const __u32 *)key, vals, nr) ? -ENOMEM : 0;
}

static int add_open(struct mt_report *r, const void *key, const void *vals, int nr)
{
	mt_lat_add_open(&r->lat, key, vals);
	return 0;
}

int mt_collect_stalls_report(const struct mt_mapsrc *s, struct mt_report *r)
{
	struct mt_latency *m = &r->lat;
	struct mt_lat_stats *st;
	__u32 zero = 0;
	int nr, err;

	for (size_t i = 0; i < sizeof(stall_events) / sizeof(stall_events[0]); i++) {
		bool on = mt_mapsrc_event_traced(s, stall_events[i].group, stall_events[i].begin) &&
			  mt_mapsrc_event_traced(s, stall_events[i].group, stall_events[i].end);

		m->traced[stall_events[i].kind] = on;
		m->stalls |= on;
	}
	if (!m->stalls)
		return 0; /* --no-stalls, or a kernel without them */
	st = mt_collect_lookup(s, "lat_stats", &zero, sizeof(*st), &nr, &err);
	if (!st)
		return err == -ENOENT ? 0 : err;
	mt_lat_add_stats(m, st, nr);
	free(st);
	err = mt_collect_each(s, "lat_orders", sizeof(struct mt_lat_okey),
			      sizeof(struct mt_lat_ostats), add_order, r);
	if (!err)
		err = mt_collect_each(s, "lat_procs", sizeof(__u32), sizeof(struct mt_lat_proc),
				      add_proc, r);
	if (!err)
		err = mt_collect_each(s, "lat_open", sizeof(struct mt_lat_key),
				      sizeof(struct mt_lat_open), add_open, r);
	return err;
}
