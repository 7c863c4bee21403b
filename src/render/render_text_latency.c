// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The latency sections of the plain report: stalls, then allocator call latency. */
#include <string.h>
#include "model/hist.h"
#include "render/render.h"
#include "sys/util.h"

static const char *fmt_ns(char *buf, size_t len, __u64 ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
	return buf;
}

static void kind_row(FILE *f, const struct mt_latency *m, int k)
{
	const struct mt_lat_kind_stats *s = &m->tot.k[k];
	char n_c[32], n_u[32], t[32], a[32], x[32];

	if (!s->count) {
		fprintf(f, "%-18s %10s %11s %11s %11s %10s\n", mt_lat_kind_name(k), "0", "-", "-",
			"-", mt_fmt_count(n_u, sizeof(n_u), mt_lat_unmeasured(m, k)));
		return;
	}
	fprintf(f, "%-18s %10s %11s %11s %11s %10s\n", mt_lat_kind_name(k),
		mt_fmt_count(n_c, sizeof(n_c), s->count), fmt_ns(t, sizeof(t), s->total_ns),
		fmt_ns(a, sizeof(a), s->total_ns / s->count), fmt_ns(x, sizeof(x), s->max_ns),
		mt_fmt_count(n_u, sizeof(n_u), mt_lat_unmeasured(m, k)));
}

/* One line per kind and cause of loss, so "unmeasured" is never a mystery. */
static void losses(FILE *f, const struct mt_latency *m, int from, int to)
{
	for (int k = from; k < to; k++) {
		const struct mt_lat_kind_stats *s = &m->tot.k[k];
		const struct {
			__u64 n;
			const char *what;
		} causes[] = {
			{ s->unpaired_ends, "ends without a begin (begun before the run?)" },
			{ m->open_at_end[k], "begins still open when tracing stopped" },
			{ s->too_deep, "begins nested too deep to time" },
			{ s->table_full, "begins not stored: open-pairs table full" },
			{ s->detail_lost, "not in the per-order/process tables (full)" },
		};

		if (!m->traced[k])
			continue;
		for (size_t i = 0; i < sizeof(causes) / sizeof(causes[0]); i++) {
			char n[32];

			if (causes[i].n)
				fprintf(f, "  %s: %s %s\n", mt_lat_kind_name(k),
					mt_fmt_count(n, sizeof(n), causes[i].n), causes[i].what);
		}
	}
}

static void kind_table(FILE *f, const struct mt_latency *m, int from, int to)
{
	char skipped[256] = "";

	fprintf(f, "%-18s %10s %11s %11s %11s %10s\n", "kind", "count", "total", "avg", "max",
		"unmeasured");
	for (int k = from; k < to; k++) {
		if (!m->traced[k]) {
			size_t l = strlen(skipped);

			snprintf(skipped + l, sizeof(skipped) - l, "%s%s", l ? ", " : "",
				 mt_lat_kind_name(k));
			continue;
		}
		kind_row(f, m, k);
	}
	if (skipped[0])
		fprintf(f, "not traced on this kernel: %s\n", skipped);
	losses(f, m, from, to);
}

static void order_table(FILE *f, const struct mt_report *r, int from, int to)
{
	const struct mt_latency *m = &r->lat;
	bool any = false;

	for (size_t i = 0; i < m->nr_orders; i++) {
		const struct mt_lat_order_row *o = &m->orders[i];
		char n_c[32], t[32], a[32], ord[16];
		const char *zone = mt_zone_slot_name(&r->zones, o->zone);

		if ((int)o->kind < from || (int)o->kind >= to || !o->count)
			continue;
		if (!any)
			fprintf(f, "\n%-18s %5s %-8s %10s %11s %11s\n", "kind", "order", "zone",
				"count", "total", "avg");
		any = true;
		if (!zone)
			zone = "-";
		if (o->order == MT_LAT_ORDER_NONE)
			snprintf(ord, sizeof(ord), "-");
		else
			snprintf(ord, sizeof(ord), "%d", o->order);
		fprintf(f, "%-18s %5s %-8s %10s %11s %11s\n", mt_lat_kind_name(o->kind), ord, zone,
			mt_fmt_count(n_c, sizeof(n_c), o->count), fmt_ns(t, sizeof(t), o->total_ns),
			fmt_ns(a, sizeof(a), o->total_ns / o->count));
	}
}

static void histograms(FILE *f, const struct mt_latency *m, const char *what, int from, int to)
{
	for (int k = from; k < to; k++) {
		if (!m->traced[k] || !m->tot.k[k].count)
			continue;
		fprintf(f, "\n%s, %s\n", what, mt_lat_kind_name(k));
		mt_print_log2_hist(f, m->tot.k[k].hist, MT_HIST_SLOTS, "usecs");
	}
}

static void stall_procs(FILE *f, const struct mt_latency *m, int top)
{
	int shown = 0, with = 0;

	for (size_t i = 0; i < m->nr_procs; i++)
		with += m->procs[i].stall_count > 0;
	if (!with)
		return;
	fprintf(f, "\n%8s %-16s %10s %11s %11s  %s\n", "tgid", "comm", "stalls", "stalled",
		"longest", "worst kind");
	for (size_t i = 0; i < m->nr_procs && shown < top; i++) {
		const struct mt_lat_proc_row *p = &m->procs[i];
		char n_c[32], t[32], x[32];
		__u64 longest = 0;
		int worst = 0;

		if (!p->stall_count)
			continue;
		for (int k = 0; k < MT_LAT_STALL_KINDS; k++) {
			if (p->max_ns[k] > longest)
				longest = p->max_ns[k];
			if (p->total_ns[k] > p->total_ns[worst])
				worst = k;
		}
		fprintf(f, "%8u %-16s %10s %11s %11s  %s\n", p->tgid, p->comm,
			mt_fmt_count(n_c, sizeof(n_c), p->stall_count),
			fmt_ns(t, sizeof(t), p->stall_ns), fmt_ns(x, sizeof(x), longest),
			mt_lat_kind_name(worst));
		shown++;
	}
	if (with > shown)
		fprintf(f, "(%d processes stalled; --top N shows more)\n", with);
	fprintf(f, "(stalled: reclaim and compaction; throttling and soft-limit reclaim happen\n"
		   " inside them and are not added again)\n");
}

static void stalls(FILE *f, const struct mt_report *r, const struct mt_render_opts *o)
{
	const struct mt_latency *m = &r->lat;
	const struct mt_lat_kind_stats *thr = &m->tot.k[MT_LAT_THROTTLED];

	fprintf(f, "\nSTALLS (time tasks spent in reclaim, compaction, throttling)\n");
	kind_table(f, m, 0, MT_LAT_STALL_KINDS);
	if (thr->count)
		fprintf(f, "reclaim throttled: %llu of %llu slept their whole timeout\n",
			(unsigned long long)thr->reached_timeout, (unsigned long long)thr->count);
	order_table(f, r, 0, MT_LAT_STALL_KINDS);
	stall_procs(f, m, o->top);
	histograms(f, m, "STALL LATENCY", 0, MT_LAT_STALL_KINDS);
}

static void calls(FILE *f, const struct mt_report *r)
{
	const struct mt_latency *m = &r->lat;
	const char *why = mt_lat_call_unavailable(m);

	fprintf(f, "\nALLOCATOR CALL LATENCY (entry to return, inclusive)\n");
	if (why) {
		fprintf(f, "unavailable: %s\n", why);
		return;
	}
	fprintf(f, "hooked with %s:\n", mt_call_hook_name(m->call_hook));
	for (int s = 0; s < MT_CALL_SLOTS; s++)
		fprintf(f, "  %-24s %s\n", mt_call_slot_name(s),
			m->call_func[s][0]  ? m->call_func[s] :
			m->call_unhooked[s] ? "(not hooked: below)" :
					      "(not in this kernel)");
	if (m->call_missing[0]) {
		const char *p = m->call_missing, *e;

		/* one refused allocator per line: "slot (function): why" */
		fprintf(f, "not hooked:\n");
		for (; (e = strstr(p, "; ")); p = e + 2)
			fprintf(f, "  %.*s\n", (int)(e - p), p);
		fprintf(f, "  %s\n", p);
	}
	kind_table(f, m, MT_LAT_STALL_KINDS, MT_LAT_KINDS);
	order_table(f, r, MT_LAT_STALL_KINDS, MT_LAT_KINDS);
	histograms(f, m, "CALL LATENCY", MT_LAT_STALL_KINDS, MT_LAT_KINDS);
}

void mt_render_text_latency(FILE *f, const struct mt_report *r, const struct mt_render_opts *o)
{
	/* stall kinds from 0, call kinds from MT_LAT_STALL_KINDS: each part when JSON has them */
	if (mt_lat_kind_shown(&r->lat, 0))
		stalls(f, r, o);
	if (mt_lat_kind_shown(&r->lat, MT_LAT_STALL_KINDS))
		calls(f, r);
}
