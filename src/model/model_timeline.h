/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The timeline: what happened in each interval of a run (--interval, default 1 s), taken
 * from the cumulative report every interval. A point holds the interval's allocations and
 * frees per class, the net bytes and objects at its end, stalls, losses and the names that
 * allocated most in it. The points' counts sum to the report's totals: the last point is
 * taken from the final report. Plain C: unit tests feed it synthetic reports.
 */
#ifndef MT_MODEL_TIMELINE_H
#define MT_MODEL_TIMELINE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include "memtrace.h"

#define MT_TL_TOP 5	      /* processes and caches kept per point */
#define MT_TL_MAX_POINTS 3600 /* then pairs of points merge and the interval doubles */
#define MT_TL_NAME_LEN 48     /* a comm or a cache name */

struct mt_report;

struct mt_tl_class {
	__u64 allocs, frees, bytes_alloc, bytes_freed; /* in the interval */
	__s64 net_bytes, net_objs; /* allocated minus freed since the start, at the point's end */
};

/* A process name or a cache: what it allocated in the interval (in a point) or since the
 * start (in the last snapshot's cumulative figures). */
struct mt_tl_named {
	char name[MT_TL_NAME_LEN];
	__u64 allocs, bytes;
};

struct mt_tl_point {
	double t_s;  /* the interval's end, seconds after the trace started */
	double dt_s; /* its length */
	struct mt_tl_class cls[MT_CLASS_MAX];
	__u64 stalls, stall_ns; /* stalls measured in the interval, their time */
	__u64 lost;		/* events lost in the interval, every kind (the report's total) */
	struct mt_tl_named procs[MT_TL_TOP];  /* by comm, most bytes first */
	struct mt_tl_named caches[MT_TL_TOP]; /* by cache name, most bytes first */
	unsigned int nr_procs, nr_caches;
	unsigned int samples; /* snapshots merged into it (internal) */
};

struct mt_tl_cum {
	struct mt_counts cls[MT_CLASS_MAX];
	__u64 stalls, stall_ns, lost;
	struct mt_tl_named *procs, *caches; /* sorted by name */
	size_t nr_procs, nr_caches;
};

struct mt_timeline {
	double interval_s;	/* of a point: the sampling interval, doubled by each merge */
	size_t max_points;	/* 0: MT_TL_MAX_POINTS */
	unsigned int per_point; /* snapshots per point: 1, then 2, 4, ... */
	struct mt_tl_point *p;
	size_t nr, cap;
	double last_t_s;
	struct mt_tl_cum last; /* at the last snapshot: the next point's deltas start here */
	/* every snapshot's names: the deltas are exact per name, the top kept per point */
	struct mt_tl_named *scratch;
	size_t nr_scratch, cap_scratch;
};

void mt_timeline_init(struct mt_timeline *tl, double interval_s);
void mt_timeline_free(struct mt_timeline *tl);
/*
 * One snapshot of the cumulative report at t_s seconds after the start: its differences
 * from the last snapshot become a point (or join the last one once points are merged).
 * 0 or -ENOMEM.
 */
int mt_timeline_take(struct mt_timeline *tl, const struct mt_report *r, double t_s);
/*
 * A finished point appended as is (a recording's timeline read back): merges as
 * mt_timeline_take's points do. 0 or -ENOMEM.
 */
int mt_timeline_append(struct mt_timeline *tl, const struct mt_tl_point *pt);
/* Sum of a point's figures into another (names merged, the top kept); levels from `from`. */
void mt_tl_point_merge(struct mt_tl_point *into, const struct mt_tl_point *from);

#endif /* MT_MODEL_TIMELINE_H */
