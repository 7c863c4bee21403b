/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * memtrace top's model: the difference of two cumulative reports (the maps read at two
 * instants) as per-second rates per class, per process and per slab cache. Plain C, no BPF.
 */
#ifndef MT_TOP_H
#define MT_TOP_H

#include <stdio.h>
#include "model/model.h"

enum mt_top_sort {
	MT_TOP_SORT_BYTES,  /* bytes allocated per second (default) */
	MT_TOP_SORT_ALLOCS, /* allocations per second */
	MT_TOP_SORT_FREES,  /* frees per second */
	MT_TOP_SORT_NET,    /* bytes allocated minus freed per second */
	MT_TOP_SORT_MAX,
};

/* One row's increments over the interval. */
struct mt_top_delta {
	__u64 key;   /* tgid (a folded row: 1 << 32 | its key), or the cache key */
	char id[24]; /* processes: the tgid as text tables show it (mt_proc_id) */
	char name[MT_CACHE_NAME_LEN + 16]; /* comm or cache name */
	__u64 allocs, frees, bytes, bytes_freed;
};

struct mt_top_view {
	double dt;			    /* seconds between the two reads */
	struct mt_counts cls[MT_CLASS_MAX]; /* increments per class */
	__u64 events;
	struct mt_top_delta *procs, *caches; /* sorted by the chosen key, busiest first */
	size_t nr_procs, nr_caches;
};

/* "bytes" -> MT_TOP_SORT_BYTES; -1 if unknown. */
int mt_top_sort_parse(const char *s);
const char *mt_top_sort_name(int sort);
/* cur - prev (prev NULL: since the start); rows with no activity are left out. */
int mt_top_view_make(struct mt_top_view *v, const struct mt_report *prev,
		     const struct mt_report *cur, double dt, int sort);
void mt_top_view_free(struct mt_top_view *v);
/*
 * One block: title, what was lost since the start (on every refresh: highlighted when color),
 * per-class rates, top processes, top caches; fits 80 columns.
 */
void mt_top_render(FILE *f, const struct mt_top_view *v, const struct mt_report *cur, int interval,
		   int rows, bool color);

#endif /* MT_TOP_H */
