// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect_latency.h"
#include "memtrace.skel.h"

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

void mt_collect_stall_traced(const struct mt_loader *l, struct mt_latency *m)
{
	for (size_t i = 0; i < sizeof(stall_events) / sizeof(stall_events[0]); i++)
		m->traced[stall_events[i].kind] =
			mt_loader_event_traced(l, stall_events[i].group, stall_events[i].begin) &&
			mt_loader_event_traced(l, stall_events[i].group, stall_events[i].end);
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

	return map ? bpf_map__fd(map) : -ENOENT;
}

typedef int (*add_fn)(struct mt_latency *m, const void *key, const void *vals, int ncpu);

/* Walk a hash; per-CPU values come back one per possible CPU (ncpu 1: a plain hash). */
static int walk(int fd, size_t key_size, size_t val_size, int ncpu, add_fn add,
		struct mt_latency *m)
{
	char key[32], next[32];
	void *vals, *prev = NULL;
	int err = 0;

	if (fd < 0)
		return fd;
	if (key_size > sizeof(key))
		return -EINVAL;
	vals = calloc(ncpu, val_size);
	if (!vals)
		return -ENOMEM;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, vals))
			continue;
		err = add(m, key, vals, ncpu);
		if (err)
			break;
	}
	free(vals);
	return err;
}

static int add_order(struct mt_latency *m, const void *key, const void *vals, int ncpu)
{
	return mt_lat_add_order(m, key, vals, ncpu) ? -ENOMEM : 0;
}

static int add_proc(struct mt_latency *m, const void *key, const void *vals, int ncpu)
{
	return mt_lat_add_proc(m, *(const __u32 *)key, vals, ncpu) ? -ENOMEM : 0;
}

static int add_open(struct mt_latency *m, const void *key, const void *vals, int ncpu)
{
	mt_lat_add_open(m, key, vals);
	return 0;
}

int mt_collect_latency(struct bpf_object *obj, struct mt_latency *m)
{
	int ncpu = libbpf_num_possible_cpus(), fd, err;
	struct mt_lat_stats *st;
	__u32 zero = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	fd = map_fd(obj, "lat_stats");
	if (fd < 0)
		return fd;
	st = calloc(ncpu, sizeof(*st));
	if (!st)
		return -ENOMEM;
	err = bpf_map_lookup_elem(fd, &zero, st) ? -errno : 0;
	if (!err)
		mt_lat_add_stats(m, st, ncpu);
	free(st);
	if (!err)
		err = walk(map_fd(obj, "lat_orders"), sizeof(struct mt_lat_okey),
			   sizeof(struct mt_lat_ostats), ncpu, add_order, m);
	if (!err)
		err = walk(map_fd(obj, "lat_procs"), sizeof(__u32), sizeof(struct mt_lat_proc),
			   ncpu, add_proc, m);
	if (!err)
		err = walk(map_fd(obj, "lat_open"), sizeof(struct mt_lat_key),
			   sizeof(struct mt_lat_open), 1, add_open, m);
	return err;
}

int mt_collect_stalls(const struct mt_loader *l, struct mt_latency *m)
{
	m->stalls = true;
	mt_collect_stall_traced(l, m);
	return mt_collect_latency(l->skel->obj, m);
}
