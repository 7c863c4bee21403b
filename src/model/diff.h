/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * memtrace diff: two or more reports flattened into named values and compared. Names are
 * what survives a reboot: caches by name, processes by comm, call sites and stacks by
 * symbol+offset (KASLR moves the addresses), never a pid or a raw address.
 */
#ifndef MT_DIFF_H
#define MT_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct mt_report;
struct mj;

enum mt_diff_sec {
	MT_DSEC_CLASS,
	MT_DSEC_CACHE,
	MT_DSEC_SITE,
	MT_DSEC_STACK,
	MT_DSEC_PROC,
	MT_DSEC_OUT, /* outstanding at the end, per allocator kind */
	MT_DSEC_MAX,
};

#define MT_DIFF_NAME_LEN 1024
#define MT_DIFF_MAX_BASE 16

/* One named value of one report: section, name ("kmalloc-64"), metric ("allocs"). */
struct mt_dval {
	int sec;
	char name[MT_DIFF_NAME_LEN];
	char metric[16];
	double v;
};

struct mt_dset {
	struct mt_dval *v;
	size_t n, cap;
	bool sorted;
};

void mt_dset_init(struct mt_dset *s);
void mt_dset_free(struct mt_dset *s);
/* Values with the same key add up (two processes named alike, one symbol's two sites). */
int mt_dset_add(struct mt_dset *s, int sec, const char *name, const char *metric, double v);
/* Sort by key and merge duplicates; done by mt_diff_compute when needed. */
void mt_dset_finish(struct mt_dset *s);
const struct mt_dval *mt_dset_find(const struct mt_dset *s, int sec, const char *name,
				   const char *metric);
/* Flatten a finished report (sites and stacks named through r->pair.ksyms). 0 or -ENOMEM. */
int mt_dset_from_report(struct mt_dset *s, const struct mt_report *r);

/*
 * Flatten a parsed JSON report (sys/minijson.h) into the same names as a recording's.
 * 0, or -EINVAL / -ENOMEM with the reason in why.
 */
int mt_dset_from_json(struct mt_dset *s, struct mj *root, char *why, size_t len);

/*
 * A stack's name, the same from a report and from JSON: folded order, root first, the
 * allocator (MT_STACK_UNRECORDED after it for a stack the table could not hold), then
 * ";frame" from the outermost to the innermost, ';' and newlines in a frame made '_'.
 * Both return the name's length, cut to fit len.
 */
#define MT_STACK_UNRECORDED ";[stack not recorded]"
size_t mt_diff_stack_begin(char *name, size_t len, const char *kind, bool recorded);
size_t mt_diff_stack_frame(char *name, size_t len, size_t at, const char *frame);

const char *mt_diff_sec_key(int sec); /* "cache" */
bool mt_diff_metric_is_bytes(const char *metric);

struct mt_diff_opts {
	double min_bytes; /* a byte value must move at least this much to be flagged */
	double min_count; /* a count value likewise */
	double min_rel;	  /* and by at least this fraction of its base mean */
};
#define MT_DIFF_MIN_BYTES (256.0 * 1024)
#define MT_DIFF_MIN_COUNT 100.0
#define MT_DIFF_MIN_REL 0.05

struct mt_diff_row {
	int sec;
	const char *name, *metric; /* point into the new or a base set */
	double mean, spread;	   /* over the baseline runs; spread: largest |run - mean| */
	double newv, delta, rel;   /* rel: delta / mean; HUGE_VAL when mean is 0 */
	bool flagged;
};

struct mt_diff {
	struct mt_diff_row *rows; /* by |delta| descending, bytes before counts on ties */
	size_t n;
	size_t nr_flagged;
	size_t nr_unrecorded; /* changed "[stack not recorded]" rows: losses, never flagged */
	int nr_base;
};

/*
 * Compare nr_base baselines with one new set (the sets are finished on the way). A value
 * is flagged when it moved by more than the baseline's spread, by at least the minimum
 * for its unit and by at least min_rel of its base mean. A value absent from a set reads as 0. 0 or -ENOMEM / -EINVAL.
 */
int mt_diff_compute(struct mt_diff *d, struct mt_dset *bases, int nr_base, struct mt_dset *newv,
		    const struct mt_diff_opts *o);
void mt_diff_free(struct mt_diff *d);

/*
 * --fail-if against a baseline (diff_metric.c): METRIC is SECTION.NAME.METRIC over the
 * flattened values. check: 0 (and *bytes: a byte metric) or -1 for a name outside the
 * vocabulary that mt_dset_metric_help() lists. A value absent from a set reads as 0.
 */
int mt_dset_metric_check(const char *metric, bool *bytes);
double mt_dset_metric(const struct mt_dset *s, const char *metric);
const char *mt_dset_metric_help(void);
void mt_dset_metrics_list(FILE *f); /* for --list-metrics */
/* The (at most three) caches, call sites or stacks that moved most in bytes, flagged as diff
 * flags them, as one line for a failing --fail-if; "" when none did. */
void mt_diff_movers(char *buf, size_t len, struct mt_dset *base, struct mt_dset *now);

#endif /* MT_DIFF_H */
