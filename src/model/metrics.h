/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Named metrics over struct mt_report, for --fail-if and --list-metrics. A feature adds its
 * metrics as one table (an array of struct mt_metric ending with an empty row) in its own
 * file and one line in tables[] in metrics.c; names are dotted paths that mirror the JSON
 * report where one exists.
 */
#ifndef MT_METRICS_H
#define MT_METRICS_H

#include <stdio.h>
#include "model/expr.h"
#include "model/model.h"

struct mt_metric {
	const char *name;	/* "classes.kernel_logical.net_bytes" */
	enum mt_unit_kind unit; /* NONE for counts */
	const char *help;
	/* 0 with *out set, or -1 when the metric was not measured in this run */
	int (*get)(const struct mt_report *r, long arg, long long *out);
	long arg; /* passed to get: lets one getter serve a family */
};

size_t mt_metrics_count(void);
/* The i-th metric (0 <= i < mt_metrics_count()), families expanded. */
const struct mt_metric *mt_metric_at(size_t i);
const struct mt_metric *mt_metric_find(const char *name);
void mt_metrics_list(FILE *f);

/* Check an expression against the table: known metric, a unit that fits. 0 or -1 + err. */
int mt_metric_bind(const struct mt_expr *e, char *err, size_t errlen);
/*
 * Evaluate every condition into r->ci; returns how many failed. base: the baseline's values
 * (diff.h) for the conditions relative to it, NULL when there is none.
 */
struct mt_dset;
size_t mt_ci_evaluate(struct mt_report *r, const struct mt_expr *e, size_t n, struct mt_dset *base);
/* "12.5 MiB (13107200 B)", "3.2 ms", "17": a metric value for messages. */
const char *mt_metric_fmt(char *buf, size_t len, enum mt_unit_kind unit, long long v);

/* Tables of other sections (metrics_ext.c): outstanding.*, stall.<kind>.*. */
extern const struct mt_metric mt_outstanding_metrics[];
extern const struct mt_metric mt_stall_metrics[];
/*
 * The q-th percentile (q in thousandths: 990 is p99) of a log2 histogram of microseconds
 * (include/mt_hist.h), in nanoseconds: the top of the bucket it falls in, capped at max_ns
 * when max_ns is known (non-zero). 0 for an empty histogram.
 */
long long mt_hist_percentile_ns(const __u64 *hist, __u64 max_ns, int q);

#endif /* MT_METRICS_H */
