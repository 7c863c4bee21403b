// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The report in the Prometheus text exposition format, for node_exporter's textfile
 * collector: counters end in _total, histograms have cumulative _bucket{le} series with
 * _sum and _count, label values are escaped. Counters are totals since the run started.
 */
#include <stdlib.h>
#include <string.h>
#include "mt_hist.h"
#include "render/render.h"

/* Label values: backslash, double quote and newline are the three escapes. */
static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void meta(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

#define CLASS_COUNTER(field, name, help)                                                           \
	do {                                                                                       \
		meta(f, name, "counter", help);                                                    \
		for (int k = 0; k < MT_CLASS_MAX; k++)                                             \
			if (r->run.class_traced[k])                                                \
				fprintf(f, name "{class=\"%s\"} %llu\n", mt_class_key(k),          \
					(unsigned long long)r->tot.cls[k].field);                  \
	} while (0)

static void classes(FILE *f, const struct mt_report *r)
{
	CLASS_COUNTER(allocs, "memtrace_allocations_total", "Successful allocations.");
	CLASS_COUNTER(frees, "memtrace_frees_total", "Frees of a real object.");
	CLASS_COUNTER(bytes_alloc, "memtrace_allocated_bytes_total",
		      "Bytes the allocator handed out.");
	CLASS_COUNTER(bytes_req, "memtrace_requested_bytes_total", "Bytes the callers asked for.");
	CLASS_COUNTER(bytes_freed, "memtrace_freed_bytes_total",
		      "Bytes returned, where the size is known at the free.");
	CLASS_COUNTER(failures, "memtrace_allocation_failures_total",
		      "Allocations that returned NULL.");
	meta(f, "memtrace_outstanding_bytes", "gauge",
	     "Bytes allocated minus bytes freed while tracing.");
	for (int k = 0; k < MT_CLASS_MAX; k++)
		if (r->run.class_traced[k])
			fprintf(f, "memtrace_outstanding_bytes{class=\"%s\"} %lld\n",
				mt_class_key(k), mt_counts_net(&r->tot.cls[k]));

	meta(f, "memtrace_allocation_size_bytes", "histogram", "Bytes per allocation.");
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		unsigned long long cum = 0;

		if (!r->run.class_traced[k])
			continue;
		/* the last slot also holds everything clamped into it: it is +Inf's */
		for (int i = 0; i < MT_HIST_SLOTS - 1; i++) {
			cum += r->tot.size_hist[k][i];
			fprintf(f,
				"memtrace_allocation_size_bytes_bucket"
				"{class=\"%s\",le=\"%llu\"} %llu\n",
				mt_class_key(k), (unsigned long long)mt_hist_slot_high(i), cum);
		}
		cum += r->tot.size_hist[k][MT_HIST_SLOTS - 1];
		fprintf(f, "memtrace_allocation_size_bytes_bucket{class=\"%s\",le=\"+Inf\"} %llu\n",
			mt_class_key(k), cum);
		fprintf(f, "memtrace_allocation_size_bytes_sum{class=\"%s\"} %llu\n",
			mt_class_key(k), (unsigned long long)r->tot.cls[k].bytes_alloc);
		fprintf(f, "memtrace_allocation_size_bytes_count{class=\"%s\"} %llu\n",
			mt_class_key(k), cum);
	}
}

static void zones(FILE *f, const struct mt_report *r)
{
	static const char *const names[2] = { "memtrace_zone_pages_allocated_total",
					      "memtrace_zone_pages_freed_total" };

	if (!r->run.class_traced[MT_CLASS_PHYSICAL])
		return;
	for (int w = 0; w < 2; w++) {
		meta(f, names[w], "counter",
		     w ? "Pages freed per zone." : "Pages allocated per zone.");
		for (int i = 0; i < r->zones.nr; i++) {
			fprintf(f, "%s{node=\"%d\",zone=\"", names[w], r->zones.z[i].node);
			esc(f, r->zones.z[i].name);
			fprintf(f, "\"} %llu\n",
				(unsigned long long)(w ? r->tot.zone_frees[i] :
							 r->tot.zone_allocs[i]));
		}
		fprintf(f, "%s{node=\"\",zone=\"unknown\"} %llu\n", names[w],
			(unsigned long long)(w ? r->tot.zone_frees[MT_ZONE_UNKNOWN] :
						 r->tot.zone_allocs[MT_ZONE_UNKNOWN]));
	}
	meta(f, "memtrace_page_allocations_total", "counter", "Page allocations by order.");
	for (int o = 0; o < MT_ORDER_SLOTS; o++)
		fprintf(f, "memtrace_page_allocations_total{order=\"%d%s\"} %llu\n", o,
			o == MT_ORDER_SLOTS - 1 ? "+" : "",
			(unsigned long long)r->tot.order_allocs[o]);
}

#define MT_OM_NAMES_PER_TOP 4 /* names with a series of their own: at most 4 x top */

void mt_om_names_free(struct mt_om_names *n)
{
	free(n->name);
	memset(n, 0, sizeof(*n));
}

/* The processes of one name, summed: live, ended and folded rows alike. */
struct comm_sum {
	char comm[MT_COMM_LEN + 1];
	__u64 bytes[MT_CLASS_MAX], allocs[MT_CLASS_MAX], total;
};

static int cmp_total(const void *a, const void *b)
{
	const struct comm_sum *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->comm, y->comm);
}

static bool has_name(const struct mt_om_names *n, const char *comm)
{
	for (size_t i = 0; i < n->nr; i++)
		if (!strcmp(n->name[i].comm, comm))
			return true;
	return false;
}

/*
 * A process's counts go to its name after its last exec, so an exec moves them away from
 * the name it had: a series never goes down (Prometheus would read a counter reset); what
 * moved stays counted under the earlier name too.
 */
static __u64 monotonic(__u64 *last, __u64 now)
{
	if (now > *last)
		*last = now;
	return *last;
}

static struct comm_sum *sums_by_comm(const struct mt_report *r, size_t *nr)
{
	struct comm_sum *s = calloc(r->nr_procs + 1, sizeof(*s));
	size_t n = 0;

	for (size_t i = 0; s && i < r->nr_procs; i++) {
		const struct mt_proc_row *p = &r->procs[i];
		size_t j;

		for (j = 0; j < n && strcmp(s[j].comm, p->comm) != 0; j++)
			;
		if (j == n)
			snprintf(s[n++].comm, sizeof(s[0].comm), "%s", p->comm);
		for (int k = 0; k < MT_CLASS_MAX; k++) {
			s[j].bytes[k] += p->bytes[k];
			s[j].allocs[k] += p->allocs[k];
		}
		s[j].total += p->total_bytes;
	}
	if (s)
		qsort(s, n, sizeof(*s), cmp_total);
	*nr = n;
	return s;
}

/*
 * Per program name (comm), never per pid: pids die with every process and would grow the
 * series without bound. The top names by bytes allocated since the start have a series each
 * (kept once they have one: at most 4 x top names in all); every other process is in
 * comm="(other)".
 */
static void procs(FILE *f, const struct mt_report *r, size_t top, struct mt_om_names *kept)
{
	static const char *const names[2] = { "memtrace_process_allocated_bytes_total",
					      "memtrace_process_allocations_total" };
	struct mt_om_names once = {};
	struct mt_om_names *keep = kept ? kept : &once;
	struct comm_sum *s, other = { .comm = "(other)" };
	size_t n;

	s = sums_by_comm(r, &n);
	if (!s)
		return;
	/*
	 * A name gets a series once it is among the top busiest names by bytes allocated since
	 * the start, and keeps it for the run; at most MT_OM_NAMES_PER_TOP * top names ever do.
	 */
	for (size_t i = 0; i < n && i < top && keep->nr < top * MT_OM_NAMES_PER_TOP; i++) {
		void *q;

		if (has_name(keep, s[i].comm))
			continue;
		if (keep->nr == keep->cap) {
			size_t cap = keep->cap ? keep->cap * 2 : 16;

			q = realloc(keep->name, cap * sizeof(*keep->name));
			if (!q)
				break;
			keep->name = q;
			keep->cap = cap;
		}
		memset(&keep->name[keep->nr], 0, sizeof(keep->name[0]));
		snprintf(keep->name[keep->nr++].comm, sizeof(keep->name[0].comm), "%s", s[i].comm);
	}
	for (size_t i = 0; i < n; i++) {
		if (has_name(keep, s[i].comm))
			continue;
		for (int k = 0; k < MT_CLASS_MAX; k++) {
			other.bytes[k] += s[i].bytes[k];
			other.allocs[k] += s[i].allocs[k];
		}
	}
	snprintf(keep->other.comm, sizeof(keep->other.comm), "(other)");
	for (size_t i = 0; i <= keep->nr; i++) {
		struct mt_om_name *kn = i < keep->nr ? &keep->name[i] : &keep->other;
		const struct comm_sum *c = i < keep->nr ? NULL : &other;

		for (size_t j = 0; !c && j < n; j++)
			if (!strcmp(s[j].comm, kn->comm))
				c = &s[j];
		for (int k = 0; c && k < MT_CLASS_MAX; k++) {
			monotonic(&kn->bytes[k], c->bytes[k]);
			monotonic(&kn->allocs[k], c->allocs[k]);
		}
	}
	for (int w = 0; w < 2; w++) {
		meta(f, names[w], "counter",
		     w ? "Allocations per program name (comm), top names and (other)." :
			 "Bytes allocated per program name (comm), top names and (other).");
		for (size_t i = 0; i <= keep->nr; i++) {
			const struct mt_om_name *kn = i < keep->nr ? &keep->name[i] : &keep->other;

			for (int k = 0; k < MT_CLASS_MAX; k++) {
				if (!mt_report_proc_class(r, k))
					continue;
				fprintf(f, "%s{comm=\"", names[w]);
				esc(f, kn->comm);
				fprintf(f, "\",class=\"%s\"} %llu\n", mt_class_key(k),
					(unsigned long long)(w ? kn->allocs[k] : kn->bytes[k]));
			}
		}
	}
	mt_om_names_free(&once);
	free(s);
}

/* Caches of one name (a name can repeat across kmem_caches) are one series, summed. */
static void caches(FILE *f, const struct mt_report *r, size_t top)
{
	static const char *const names[3] = { "memtrace_slab_cache_allocations_total",
					      "memtrace_slab_cache_frees_total",
					      "memtrace_slab_cache_allocated_bytes_total" };
	size_t n = r->nr_caches < top ? r->nr_caches : top;

	if (!r->run.class_traced[MT_CLASS_LOGICAL])
		return;
	for (int w = 0; w < 3; w++) {
		meta(f, names[w], "counter",
		     w == 0 ? "Allocations per slab cache (top caches)." :
		     w == 1 ? "Frees per slab cache (top caches)." :
			      "Bytes allocated per slab cache (top caches).");
		for (size_t i = 0; i < n; i++) {
			unsigned long long v = 0;
			bool seen = false;

			for (size_t j = 0; j < i && !seen; j++)
				seen = !strcmp(r->caches[j].name, r->caches[i].name);
			if (seen)
				continue;
			for (size_t j = i; j < r->nr_caches; j++) {
				const struct mt_cache_row *c = &r->caches[j];

				if (strcmp(c->name, r->caches[i].name) != 0)
					continue;
				v += w == 0 ? c->allocs : w == 1 ? c->frees : c->bytes_alloc;
			}
			fprintf(f, "%s{cache=\"", names[w]);
			esc(f, r->caches[i].name);
			fprintf(f, "\"} %llu\n", v);
		}
	}
}

/* memtrace's own cost, apart from the numbers, so that a fleet can watch it too. */
static void self_cost(FILE *f, const struct mt_report *r)
{
	meta(f, "memtrace_self_events_total", "counter",
	     "Events of memtrace's own process, left out of every other series.");
	fprintf(f, "memtrace_self_events_total %llu\n",
		(unsigned long long)r->scope.n[MT_SCOPE_SELF]);
	meta(f, "memtrace_self_cpu_seconds_total", "counter", "CPU time memtrace used.");
	fprintf(f, "memtrace_self_cpu_seconds_total %.3f\n", r->run.self_cpu_s);
	meta(f, "memtrace_self_max_rss_bytes", "gauge", "memtrace's peak resident set.");
	fprintf(f, "memtrace_self_max_rss_bytes %llu\n", (unsigned long long)r->run.self_max_rss);
	meta(f, "memtrace_self_bpf_map_bytes", "gauge", "Kernel memory memtrace's BPF maps hold.");
	fprintf(f, "memtrace_self_bpf_map_bytes %llu\n", (unsigned long long)r->run.self_map_bytes);
	meta(f, "memtrace_task_table_full_total", "counter",
	     "Execs and exits not noted (task table full): names may be stale.");
	fprintf(f, "memtrace_task_table_full_total %llu\n",
		(unsigned long long)r->scope.n[MT_SCOPE_TASK_FULL]);
}

int mt_render_openmetrics(FILE *f, const struct mt_report *r, const struct mt_render_opts *o)
{
	size_t top = o && o->top > 0 ? (size_t)o->top : 10;

	meta(f, "memtrace_info", "gauge", "memtrace and the kernel it traces; always 1.");
	fprintf(f, "memtrace_info{version=\"");
	esc(f, MEMTRACE_VERSION);
	fprintf(f, "\",release=\"");
	esc(f, r->run.release);
	fprintf(f, "\",arch=\"");
	esc(f, r->run.arch);
	fprintf(f, "\",attach=\"");
	esc(f, r->run.attach);
	fprintf(f, "\"} 1\n");
	meta(f, "memtrace_duration_seconds", "gauge", "Seconds traced so far.");
	fprintf(f, "memtrace_duration_seconds %.3f\n", r->run.duration_s);
	meta(f, "memtrace_events_total", "counter", "Events that passed the filters.");
	fprintf(f, "memtrace_events_total %llu\n", (unsigned long long)r->tot.events);
	meta(f, "memtrace_lost_events_total", "counter",
	     "Events not fully accounted, by reason (missed_runs: BPF runs the kernel skipped).");
	fprintf(f, "memtrace_lost_events_total{reason=\"missed_runs\"} %llu\n",
		(unsigned long long)r->run.missed_runs);
	for (int i = 0; i < MT_LOSS_MAX; i++)
		fprintf(f, "memtrace_lost_events_total{reason=\"%s\"} %llu\n", mt_loss_key(i),
			(unsigned long long)r->tot.lost[i]);
	/* pairing and stacks (stack collisions, a full stack table, ...): with --outstanding */
	for (int i = 0; r->pair.opts.pairs && i < MT_PLOSS_MAX; i++)
		fprintf(f, "memtrace_lost_events_total{reason=\"%s\"} %llu\n", mt_pair_loss_key(i),
			(unsigned long long)r->pair.tot.lost[i]);
	self_cost(f, r);
	classes(f, r);
	zones(f, r);
	procs(f, r, top, o ? o->om : NULL);
	caches(f, r, top);
	return ferror(f) ? -1 : 0;
}
