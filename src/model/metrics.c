// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The metric table of --fail-if, and the evaluation of the conditions after a run. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "model/diff.h"
#include "model/metrics.h"
#include "sys/util.h"

static int get_lost(const struct mt_report *r, long arg, long long *out)
{
	*out = (long long)(arg < 0	      ? mt_report_lost_total(r) :
			   arg == MT_LOSS_MAX ? r->run.missed_runs :
						r->tot.lost[arg]);
	return 0;
}

static int get_events(const struct mt_report *r, long arg, long long *out)
{
	*out = (long long)r->tot.events;
	return 0;
}

static int get_duration(const struct mt_report *r, long arg, long long *out)
{
	*out = (long long)(r->run.duration_s * 1e9);
	return 0;
}

static int get_processes(const struct mt_report *r, long arg, long long *out)
{
	*out = (long long)mt_report_nr_processes(r);
	return 0;
}

static int get_scope(const struct mt_report *r, long arg, long long *out)
{
	*out = (long long)r->scope.n[arg];
	return 0;
}

static int get_fragmentation(const struct mt_report *r, long arg, long long *out)
{
	const struct mt_counts *c = &r->tot.cls[MT_CLASS_LOGICAL];

	if (!r->run.class_traced[MT_CLASS_LOGICAL])
		return -1;
	*out = (long long)mt_counts_frag(c);
	return 0;
}

/* Per-class counts: arg is class * NR_FIELDS + field. */
enum {
	F_ALLOCS,
	F_FREES,
	F_BYTES_REQ,
	F_BYTES_ALLOC,
	F_BYTES_FREED,
	F_NET,
	F_UNSIZED,
	F_FAIL,
	F_NULL,
	NR_FIELDS
};

static const struct {
	const char *key; /* as in the JSON report's classes.<class> */
	enum mt_unit_kind unit;
} class_fields[NR_FIELDS] = {
	[F_ALLOCS] = { "allocs", MT_UNIT_NONE },
	[F_FREES] = { "frees", MT_UNIT_NONE },
	[F_BYTES_REQ] = { "bytes_requested", MT_UNIT_BYTES },
	[F_BYTES_ALLOC] = { "bytes_allocated", MT_UNIT_BYTES },
	[F_BYTES_FREED] = { "bytes_freed", MT_UNIT_BYTES },
	[F_NET] = { "net_bytes", MT_UNIT_BYTES },
	[F_UNSIZED] = { "frees_unsized", MT_UNIT_NONE },
	[F_FAIL] = { "failures", MT_UNIT_NONE },
	[F_NULL] = { "null_frees", MT_UNIT_NONE },
};

static int get_class(const struct mt_report *r, long arg, long long *out)
{
	int cls = (int)(arg / NR_FIELDS);
	const struct mt_counts *c = &r->tot.cls[cls];

	if (!r->run.class_traced[cls])
		return -1;
	switch (arg % NR_FIELDS) {
	case F_ALLOCS:
		*out = (long long)c->allocs;
		break;
	case F_FREES:
		*out = (long long)c->frees;
		break;
	case F_BYTES_REQ:
		*out = (long long)c->bytes_req;
		break;
	case F_BYTES_ALLOC:
		*out = (long long)c->bytes_alloc;
		break;
	case F_BYTES_FREED:
		*out = (long long)c->bytes_freed;
		break;
	case F_NET:
		*out = mt_counts_net(c);
		break;
	case F_UNSIZED:
		*out = (long long)c->frees_unsized;
		break;
	case F_FAIL:
		*out = (long long)c->failures;
		break;
	default:
		*out = (long long)c->null_frees;
		break;
	}
	return 0;
}

static const struct mt_metric core_metrics[] = {
	{ "lost", MT_UNIT_NONE, "events lost, all causes", get_lost, -1 },
	{ "lost.missed_runs", MT_UNIT_NONE, "BPF runs the kernel skipped", get_lost, MT_LOSS_MAX },
	{ "lost.ringbuf", MT_UNIT_NONE, "ring-buffer records dropped", get_lost, MT_LOSS_RINGBUF },
	{ "lost.process_table_full", MT_UNIT_NONE, "events in no process row", get_lost,
	  MT_LOSS_PROC_FULL },
	{ "lost.cache_table_full", MT_UNIT_NONE, "events in no cache row", get_lost,
	  MT_LOSS_CACHE_FULL },
	{ "events", MT_UNIT_NONE, "events counted", get_events, 0 },
	{ "duration", MT_UNIT_TIME, "time traced", get_duration, 0 },
	{ "processes", MT_UNIT_NONE, "processes seen", get_processes, 0 },
	{ "scope.forks", MT_UNIT_NONE, "processes followed from CMD", get_scope, MT_SCOPE_FORKS },
	{ "scope.not_followed", MT_UNIT_NONE, "forks not followed (table full)", get_scope,
	  MT_SCOPE_FILTER_FULL },
	{ "slab.fragmentation_bytes", MT_UNIT_BYTES, "slab allocated minus requested",
	  get_fragmentation, 0 },
	{},
};

/*
 * Every table of metrics. Another feature adds its own table here (its rows in its own
 * file, declared in metrics.h), e.g. outstanding.* or stall.*.
 */
static const struct mt_metric *const tables[] = {
	core_metrics,
	mt_outstanding_metrics,
	mt_stall_metrics,
};

#define NR_CLASS_METRICS ((size_t)MT_CLASS_MAX * NR_FIELDS)

static struct mt_metric class_metrics[NR_CLASS_METRICS];
static char class_names[NR_CLASS_METRICS][64];

static void init_class_metrics(void)
{
	if (class_metrics[0].name)
		return;
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		for (int f = 0; f < NR_FIELDS; f++) {
			int i = k * NR_FIELDS + f;

			snprintf(class_names[i], sizeof(class_names[i]), "classes.%s.%s",
				 mt_class_key(k), class_fields[f].key);
			class_metrics[i] = (struct mt_metric){
				class_names[i],
				class_fields[f].unit,
				"as in the JSON report",
				get_class,
				i,
			};
		}
	}
}

size_t mt_metrics_count(void)
{
	size_t n = NR_CLASS_METRICS;

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct mt_metric *m = tables[t]; m->name; m++)
			n++;
	return n;
}

const struct mt_metric *mt_metric_at(size_t i)
{
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct mt_metric *m = tables[t]; m->name; m++)
			if (i-- == 0)
				return m;
	init_class_metrics();
	return i < NR_CLASS_METRICS ? &class_metrics[i] : NULL;
}

const struct mt_metric *mt_metric_find(const char *name)
{
	for (size_t i = 0, n = mt_metrics_count(); i < n; i++) {
		const struct mt_metric *m = mt_metric_at(i);

		if (!strcmp(m->name, name))
			return m;
	}
	return NULL;
}

static const char *unit_word(enum mt_unit_kind u)
{
	return u == MT_UNIT_BYTES ? "bytes" : u == MT_UNIT_TIME ? "time" : "count";
}

void mt_metrics_list(FILE *f)
{
	fprintf(f, "Metrics for --fail-if (units: bytes B KiB MiB GiB TiB or a plain number;\n"
		   "time ns us ms s; counts: a plain number):\n");
	for (size_t i = 0, n = mt_metrics_count(); i < n; i++) {
		const struct mt_metric *m = mt_metric_at(i);

		fprintf(f, "  %-36s %-5s %.35s\n", m->name, unit_word(m->unit), m->help);
	}
	mt_dset_metrics_list(f);
}

/* A condition relative to a baseline names a flattened value (diff.h), not a table row. */
static int bind_rel(const struct mt_expr *e, char *err, size_t errlen)
{
	bool bytes;

	if (mt_dset_metric_check(e->metric, &bytes)) {
		snprintf(err, errlen, "'%s' cannot be compared with a baseline; these can: %s",
			 e->metric, mt_dset_metric_help());
		return -1;
	}
	if (e->unit == MT_UNIT_TIME || (e->unit == MT_UNIT_BYTES && !bytes)) {
		snprintf(err, errlen, "'%s' is a %s: a %s unit does not apply", e->metric,
			 bytes ? "size" : "count", e->unit == MT_UNIT_TIME ? "time" : "bytes");
		return -1;
	}
	return 0;
}

int mt_metric_bind(const struct mt_expr *e, char *err, size_t errlen)
{
	const struct mt_metric *m;

	if (e->rel)
		return bind_rel(e, err, errlen);
	m = mt_metric_find(e->metric);

	if (!m) {
		snprintf(err, errlen, "unknown metric '%s' (memtrace run --list-metrics)",
			 e->metric);
		return -1;
	}
	if (e->unit == MT_UNIT_NONE && m->unit == MT_UNIT_TIME) {
		snprintf(err, errlen, "'%s' is a time: give a unit (ns, us, ms, s)", m->name);
		return -1;
	}
	if (e->unit != MT_UNIT_NONE && e->unit != m->unit) {
		snprintf(err, errlen, "'%s' is a %s: a %s unit does not apply", m->name,
			 unit_word(m->unit), unit_word(e->unit));
		return -1;
	}
	return 0;
}

const char *mt_metric_fmt(char *buf, size_t len, enum mt_unit_kind unit, long long v)
{
	char b[32];

	if (unit == MT_UNIT_BYTES && (v >= 1024 || v <= -1024))
		snprintf(buf, len, "%s (%lld B)", mt_fmt_bytes(b, sizeof(b), v), v);
	else if (unit == MT_UNIT_BYTES)
		snprintf(buf, len, "%lld B", v);
	else if (unit == MT_UNIT_TIME)
		snprintf(buf, len, "%.3f ms", (double)v / 1e6);
	else
		snprintf(buf, len, "%lld", v);
	return buf;
}

void mt_ci_free(struct mt_ci_report *ci)
{
	free(ci->res);
	ci->res = NULL;
	ci->nr = ci->failed = 0;
}

/* base * factor + addend, rounded to the nearest whole unit */
static long long rel_threshold(const struct mt_expr *e, double base)
{
	double t = base * e->factor + (double)e->value;

	return t >= 9.2e18 ? LLONG_MAX : t <= -9.2e18 ? LLONG_MIN : mt_round_ll(t);
}

size_t mt_ci_evaluate(struct mt_report *r, const struct mt_expr *e, size_t n, struct mt_dset *base)
{
	char movers[sizeof(r->ci.res->movers)];
	bool have_now = false, movers_done = false;
	struct mt_dset now;

	mt_ci_free(&r->ci);
	if (!n)
		return 0;
	r->ci.res = calloc(n, sizeof(*r->ci.res));
	if (!r->ci.res)
		return n; /* cannot record verdicts: fail safe */
	mt_dset_init(&now);
	for (size_t i = 0; i < n; i++) {
		struct mt_ci_result *res = &r->ci.res[i];
		const struct mt_metric *m = e[i].rel ? NULL : mt_metric_find(e[i].metric);

		res->expr = e[i];
		res->threshold = e[i].value;
		if (e[i].rel) {
			bool bytes = false;

			mt_dset_metric_check(e[i].metric, &bytes);
			res->unit = bytes ? MT_UNIT_BYTES : MT_UNIT_NONE;
			if (!have_now && base)
				have_now = !mt_dset_from_report(&now, r);
			res->measured = have_now;
			if (have_now) {
				res->value = mt_round_ll(mt_dset_metric(&now, e[i].metric));
				res->base = mt_dset_metric(base, e[i].metric);
				res->threshold = rel_threshold(&e[i], res->base);
			}
		} else {
			res->unit = m ? m->unit : MT_UNIT_NONE;
			res->measured = m && m->get(r, m->arg, &res->value) == 0;
		}
		/* a condition that could not be checked must not pass silently */
		res->failed = !res->measured || mt_expr_holds(res->value, e[i].op, res->threshold);
		/* the same two runs for every condition: what moved is worked out once */
		if (res->failed && e[i].rel && have_now) {
			if (!movers_done)
				mt_diff_movers(movers, sizeof(movers), base, &now);
			movers_done = true;
			memcpy(res->movers, movers, sizeof(res->movers));
		}
		r->ci.failed += res->failed;
	}
	mt_dset_free(&now);
	r->ci.nr = n;
	return r->ci.failed;
}
