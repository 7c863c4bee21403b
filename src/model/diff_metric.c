// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The metrics a --fail-if may compare with a baseline ("cache.kmalloc-64.allocs > base +
 * 1000"): values of the flattened report (diff.h), named SECTION.NAME.METRIC, so a run and
 * its baseline are read by the same code whether the baseline is a recording or a JSON
 * report, and nothing named by a pid or an address is compared across boots.
 */
#include <stdio.h>
#include <string.h>
#include "model/diff.h"
#include "model/model.h"

static const struct {
	const char *prefix;
	int sec;
	const char *metrics[5];
} sections[] = {
	{ "class", MT_DSEC_CLASS, { "allocs", "frees", "bytes", "bytes_freed" } },
	{ "cache", MT_DSEC_CACHE, { "allocs", "frees", "net_allocs", "bytes" } },
	{ "site", MT_DSEC_SITE, { "allocs", "bytes", "out_count", "out_bytes" } },
	{ "process", MT_DSEC_PROC, { "allocs", "bytes" } },
	{ "outstanding", MT_DSEC_OUT, { "count", "bytes" } },
};

#define NR_SECTIONS (sizeof(sections) / sizeof(sections[0]))

const char *mt_dset_metric_help(void)
{
	return "class.CLASS.M, cache.NAME.M, site.SYMBOL+0xOFF.M, process.COMM.M, "
	       "outstanding[.KIND].M (memtrace run --list-metrics)";
}

void mt_dset_metrics_list(FILE *f)
{
	fprintf(f, "\nMetrics for --fail-if 'METRIC OP base...' with --baseline FILE (names as in "
		   "'memtrace diff'):\n");
	for (size_t i = 0; i < NR_SECTIONS; i++) {
		fprintf(f, "  %s.%s{", sections[i].prefix,
			sections[i].sec == MT_DSEC_OUT	 ? "[slab.|pages.|vmalloc.|percpu.]" :
			sections[i].sec == MT_DSEC_CLASS ? "CLASS." :
			sections[i].sec == MT_DSEC_CACHE ? "NAME." :
			sections[i].sec == MT_DSEC_SITE	 ? "SYMBOL+0xOFF." :
							   "COMM.");
		for (size_t k = 0; k < 5 && sections[i].metrics[k]; k++)
			fprintf(f, "%s%s", k ? "," : "", sections[i].metrics[k]);
		fprintf(f, "}\n");
	}
}

/* Split "cache.kmalloc-64.allocs"; the name may hold dots, the metric never does. */
static int split(const char *m, int *sec, char *name, size_t len, const char **metric)
{
	const char *dot = strchr(m, '.'), *last = strrchr(m, '.');
	size_t i;

	if (!dot)
		return -1;
	for (i = 0; i < NR_SECTIONS; i++)
		if (strlen(sections[i].prefix) == (size_t)(dot - m) &&
		    !strncmp(m, sections[i].prefix, (size_t)(dot - m)))
			break;
	if (i == NR_SECTIONS)
		return -1;
	*metric = last + 1;
	if (last == dot) {
		/* outstanding.bytes: all allocators together */
		if (sections[i].sec != MT_DSEC_OUT)
			return -1;
		name[0] = '\0';
	} else {
		snprintf(name, len, "%.*s", (int)(last - dot - 1), dot + 1);
	}
	for (size_t k = 0; k < 5 && sections[i].metrics[k]; k++)
		if (!strcmp(*metric, sections[i].metrics[k])) {
			*sec = sections[i].sec;
			return 0;
		}
	return -1;
}

int mt_dset_metric_check(const char *metric, bool *bytes)
{
	char name[MT_DIFF_NAME_LEN];
	const char *m;
	int sec;

	if (split(metric, &sec, name, sizeof(name), &m))
		return -1;
	if (sec == MT_DSEC_OUT && name[0]) {
		bool known = false;

		for (int k = 0; k < MT_PAIR_KINDS; k++)
			known |= !strcmp(name, mt_pair_kind_key(k));
		if (!known)
			return -1;
	}
	*bytes = mt_diff_metric_is_bytes(m);
	return 0;
}

double mt_dset_metric(const struct mt_dset *s, const char *metric)
{
	char name[MT_DIFF_NAME_LEN];
	const struct mt_dval *v;
	const char *m;
	double sum = 0;
	int sec;

	if (split(metric, &sec, name, sizeof(name), &m))
		return 0;
	if (sec == MT_DSEC_CLASS || sec == MT_DSEC_CACHE || sec == MT_DSEC_PROC ||
	    (sec == MT_DSEC_OUT && name[0])) {
		v = mt_dset_find(s, sec, name, m);
		return v ? v->v : 0;
	}
	/* outstanding.bytes sums the allocators; site.SYM sums the allocators that use SYM */
	for (size_t i = 0; i < s->n; i++) {
		const char *n = s->v[i].name, *sp = strchr(n, ' ');

		if (s->v[i].sec != sec || strcmp(s->v[i].metric, m) != 0)
			continue;
		if (sec == MT_DSEC_OUT || (sp && !strcmp(sp + 1, name)))
			sum += s->v[i].v;
	}
	return sum;
}

/*
 * A row a developer acts on: a cache, a call site, a stack; not a class or a process, and
 * not the allocations that have no call site (pages, vmap areas: their stacks place them).
 */
static bool actionable(const struct mt_diff_row *r)
{
	return r->sec == MT_DSEC_CACHE || r->sec == MT_DSEC_STACK ||
	       (r->sec == MT_DSEC_SITE && !strstr(r->name, "(no call site)"));
}

static size_t mover(char *buf, size_t len, const struct mt_diff_row *r, bool first)
{
	/* a stack by its innermost frames: the root end is the same syscall entry */
	const char *n = r->name;
	size_t nl = strlen(n);

	if (nl > 96) {
		const char *cut = strchr(n + nl - 96, ';');

		n = cut ? cut : n + nl - 96;
	}
	return (size_t)snprintf(buf, len, "%s%s %s%s %s %+.0f%s", first ? "" : "; ",
				mt_diff_sec_key(r->sec), nl > 96 ? "..." : "", n, r->metric,
				r->delta, mt_diff_metric_is_bytes(r->metric) ? " B" : "");
}

/* One bit per metric a set can hold, for what a run measured at all. */
static unsigned int metric_bit(const char *m)
{
	static const char *const all[] = { "allocs",	 "frees",     "bytes",	   "bytes_freed",
					   "net_allocs", "out_count", "out_bytes", "count" };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(m, all[i]))
			return 1U << i;
	return 0;
}

static void measured(const struct mt_dset *s, unsigned int bits[MT_DSEC_MAX])
{
	for (size_t i = 0; i < s->n; i++)
		bits[s->v[i].sec] |= metric_bit(s->v[i].metric);
}

void mt_diff_movers(char *buf, size_t len, struct mt_dset *base, struct mt_dset *now)
{
	struct mt_diff_opts o = { MT_DIFF_MIN_BYTES, MT_DIFF_MIN_COUNT, MT_DIFF_MIN_REL };
	size_t at = 0, shown = 0;
	unsigned int in_base[MT_DSEC_MAX] = {}, in_now[MT_DSEC_MAX] = {};
	bool used[MT_DSEC_MAX] = {};
	struct mt_diff d;

	buf[0] = '\0';
	/*
	 * What one side did not measure at all did not move: stacks off in one run, or
	 * outstanding bytes in a baseline recorded with --outstanding and a run without.
	 */
	measured(base, in_base);
	measured(now, in_now);
	if (mt_diff_compute(&d, base, 1, now, &o))
		return;
	/* what diff would flag first (rows come flagged first, bytes before counts); when
	 * nothing passes its thresholds, what moved most in bytes; the top of each section,
	 * so the line names the cache, the call site and the stack */
	for (int pass = 0; pass < 2 && !shown; pass++)
		for (size_t i = 0; i < d.n && shown < 3 && at < len; i++) {
			const struct mt_diff_row *r = &d.rows[i];

			if (!actionable(r) || used[r->sec] || r->delta == 0 ||
			    !(in_base[r->sec] & in_now[r->sec] & metric_bit(r->metric)) ||
			    (pass == 0 && !r->flagged) ||
			    (pass == 1 && !mt_diff_metric_is_bytes(r->metric)))
				continue;
			at += mover(buf + at, len - at, r, !shown);
			used[r->sec] = true;
			shown++;
		}
	mt_diff_free(&d);
}
