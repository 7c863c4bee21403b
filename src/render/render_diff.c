// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * memtrace diff output: a text table (flagged rows first, by size of change), JSON, and
 * folded stacks in flamegraph's difffolded.pl convention ("stack base new").
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "render/render_diff.h"
#include "sys/json_writer.h"
#include "sys/util.h"

static const char *fmt_val(char *buf, size_t len, const char *metric, double v)
{
	if (mt_diff_metric_is_bytes(metric))
		return mt_fmt_bytes(buf, len, (long long)(v < 0 ? v - 0.5 : v + 0.5));
	snprintf(buf, len, "%.0f", v);
	return buf;
}

static const char *fmt_rel(char *buf, size_t len, double rel)
{
	if (isinf(rel))
		snprintf(buf, len, "new");
	else
		snprintf(buf, len, "%+.1f%%", rel * 100);
	return buf;
}

int mt_render_diff_text(FILE *f, const struct mt_diff *d, size_t limit, bool all)
{
	char b[4][48], rel[24];
	size_t shown = 0;

	fprintf(f, "memtrace diff: %zu of %zu values flagged (%d baseline run%s)\n\n",
		d->nr_flagged, d->n, d->nr_base, d->nr_base > 1 ? "s" : "");
	if (d->nr_unrecorded)
		fprintf(f,
			"Some stacks were not recorded (stack table full or colliding: see each "
			"report's losses);\nstack rows are flagged only beyond what was lost.\n\n");
	if (!d->nr_flagged && !all) {
		fprintf(f, "No change beyond the baseline's spread and the minimum size.\n");
		return ferror(f) ? -1 : 0;
	}
	fprintf(f, "  %-11s %-12s %12s %12s %12s %9s %12s  %s\n", "SECTION", "METRIC", "BASE",
		"SPREAD", "NEW", "CHANGE%", "CHANGE", "NAME");
	for (size_t i = 0; i < d->n && (!limit || shown < limit); i++) {
		const struct mt_diff_row *r = &d->rows[i];

		if (!r->flagged && !(all && r->delta != 0))
			continue;
		fprintf(f, "%c %-11s %-12s %12s %12s %12s %9s %12s  %s\n", r->flagged ? '!' : ' ',
			mt_diff_sec_key(r->sec), r->metric,
			fmt_val(b[0], sizeof(b[0]), r->metric, r->mean),
			fmt_val(b[1], sizeof(b[1]), r->metric, r->spread),
			fmt_val(b[2], sizeof(b[2]), r->metric, r->newv),
			fmt_rel(rel, sizeof(rel), r->rel),
			fmt_val(b[3], sizeof(b[3]), r->metric, r->delta), r->name);
		shown++;
	}
	return ferror(f) ? -1 : 0;
}

int mt_render_diff_json(FILE *f, const struct mt_diff *d, const struct mt_diff_opts *o)
{
	struct jw w;

	jw_init(&w, f, true);
	jw_obj_begin(&w, NULL);
	jw_u64(&w, "schema_version", MT_DIFF_JSON_SCHEMA_VERSION);
	jw_u64(&w, "baseline_runs", (unsigned long long)d->nr_base);
	jw_dbl(&w, "min_bytes", o->min_bytes);
	jw_dbl(&w, "min_count", o->min_count);
	jw_dbl(&w, "min_rel", o->min_rel);
	jw_u64(&w, "flagged", d->nr_flagged);
	jw_u64(&w, "unrecorded_stack_changes", d->nr_unrecorded);
	jw_arr_begin(&w, "changes");
	for (size_t i = 0; i < d->n; i++) {
		const struct mt_diff_row *r = &d->rows[i];

		jw_obj_begin(&w, NULL);
		jw_str(&w, "section", mt_diff_sec_key(r->sec));
		jw_str(&w, "name", r->name);
		jw_str(&w, "metric", r->metric);
		jw_dbl(&w, "base_mean", r->mean);
		jw_dbl(&w, "base_spread", r->spread);
		jw_dbl(&w, "new", r->newv);
		jw_dbl(&w, "change", r->delta);
		if (isinf(r->rel))
			jw_null(&w, "change_rel");
		else
			jw_dbl(&w, "change_rel", r->rel);
		jw_bool(&w, "flagged", r->flagged);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	if (jw_end(&w))
		return -1;
	return ferror(f) ? -1 : 0;
}

int mt_render_diff_folded(FILE *f, const struct mt_diff *d, const char *metric)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct mt_diff_row *r = &d->rows[i];

		if (r->sec != MT_DSEC_STACK || strcmp(r->metric, metric) != 0)
			continue;
		fprintf(f, "%s %.0f %.0f\n", r->name, r->mean, r->newv);
	}
	return ferror(f) ? -1 : 0;
}
