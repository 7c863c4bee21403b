// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The plain report: fits 80 columns, sections in the order a reader asks the questions. */
#include <string.h>
#include "model/hist.h"
#include "render/render.h"
#include "sys/util.h"

#define B(x) mt_fmt_bytes(b_##x, sizeof(b_##x), (long long)(x))

static void section(FILE *f, const char *title)
{
	fprintf(f, "\n%s\n", title);
}

/* memtrace's own cost, apart from the numbers; nothing for recordings that predate it. */
static void self_cost(FILE *f, const struct mt_report *r)
{
	const struct mt_run_info *ri = &r->run;
	__u64 own = r->scope.n[MT_SCOPE_SELF];
	char rss[32], maps[32], n[32];

	if (ri->self_cpu_s > 0 || ri->self_map_bytes)
		fprintf(f, "memtrace  own cost: CPU %.2f s, max RSS %s, BPF maps %s\n",
			ri->self_cpu_s, mt_fmt_bytes(rss, sizeof(rss), (long long)ri->self_max_rss),
			mt_fmt_bytes(maps, sizeof(maps), (long long)ri->self_map_bytes));
	if (own)
		fprintf(f,
			"          its own %s events are left out (--include-self counts them)\n",
			mt_fmt_count(n, sizeof(n), own));
	else if (ri->self_included)
		fprintf(f, "          its own events are counted (--include-self)\n");
	if (r->scope.n[MT_SCOPE_TASK_FULL])
		fprintf(f,
			"WARNING   %s execs or exits not noted (task table full): names may be "
			"stale\n",
			mt_fmt_count(n, sizeof(n), r->scope.n[MT_SCOPE_TASK_FULL]));
}

static void header(FILE *f, const struct mt_report *r)
{
	const struct mt_run_info *ri = &r->run;
	char n_ev[32], n_lost[32], n_l[32];
	__u64 lost = mt_report_lost_total(r);

	fprintf(f, "memtrace %s: kernel memory report\n", MEMTRACE_VERSION);
	fprintf(f, "kernel    %s %s, PAGE_SIZE %u (PAGE_SHIFT %u)\n", ri->release, ri->arch,
		ri->page_size, ri->page_shift);
	fprintf(f, "BTF       %s; attached with %s\n", ri->btf, ri->attach);
	mt_render_text_scope_line(f, r);
	fprintf(f, "duration  %.2f s; events %s; lost %s\n", ri->duration_s,
		mt_fmt_count(n_ev, sizeof(n_ev), r->tot.events),
		mt_fmt_count(n_lost, sizeof(n_lost), lost));
	self_cost(f, r);
	if (ri->recorded[0])
		fprintf(f, "recorded  %s\n", ri->recorded);
	if (ri->truncated)
		fprintf(f,
			"WARNING   the recording is truncated (%s): what it lost reads as zero\n",
			ri->truncated_why);
	if (lost) {
		if (ri->missed_runs)
			fprintf(f, "          missed BPF runs (not counted anywhere): %s\n",
				mt_fmt_count(n_l, sizeof(n_l), ri->missed_runs));
		for (int i = 0; i < MT_LOSS_MAX; i++)
			if (r->tot.lost[i])
				fprintf(f, "          %s: %s%s\n", mt_loss_name(i),
					mt_fmt_count(n_l, sizeof(n_l), r->tot.lost[i]),
					i == MT_LOSS_RINGBUF ? "" :
							       " (in totals, not in the table)");
		mt_render_text_pair_losses(f, r);
	}
}

static void classes(FILE *f, const struct mt_report *r)
{
	char b_alloc[32], b_freed[32], b_net[32], n_a[32], n_f[32], skipped[128] = "";

	section(f, "ADDRESS CLASSES (LDD3 fig. 15-1)");
	fprintf(f, "%-15s %11s %11s %11s %11s %12s\n", "class", "allocs", "frees", "allocated",
		"freed", "net");
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		const struct mt_counts *c = &r->tot.cls[k];
		long long net = mt_counts_net(c);
		__u64 alloc = c->bytes_alloc, freed = c->bytes_freed;

		if (!r->run.class_traced[k]) {
			size_t l = strlen(skipped);

			snprintf(skipped + l, sizeof(skipped) - l, "%s%s", l ? ", " : "",
				 mt_class_name(k));
			continue;
		}
		b_net[0] = '+';
		mt_fmt_bytes(b_net + (net > 0), sizeof(b_net) - 1, net);
		fprintf(f, "%-15s %11s %11s %11s %11s %12s\n", mt_class_name(k),
			mt_fmt_count(n_a, sizeof(n_a), c->allocs),
			mt_fmt_count(n_f, sizeof(n_f), c->frees), B(alloc), B(freed), b_net);
	}
	if (skipped[0])
		fprintf(f, "not measured (see below): %s\n", skipped);
	fprintf(f, "(classes are layers, not parts: slab memory is itself made of pages)\n");
	if (r->run.class_traced[MT_CLASS_USER])
		fprintf(f, "(user virtual: allocs are page faults)\n");
}

static void slab(FILE *f, const struct mt_report *r, int top)
{
	const struct mt_counts *c = &r->tot.cls[MT_CLASS_LOGICAL];
	char b_req[32], b_alloc[32], b_frag[32], n_u[32], n_n[32], n_x[32];
	__u64 req = c->bytes_req, alloc = c->bytes_alloc, frag = mt_counts_frag(c);
	int shown = 0;

	if (!r->run.class_traced[MT_CLASS_LOGICAL])
		return;
	section(f, "SLAB (kernel logical: kmalloc, kmem_cache)");
	/* one fact per line: each stays within 80 columns whatever the numbers */
	fprintf(f, "requested %s, allocated %s\n", B(req), B(alloc));
	fprintf(f, "internal fragmentation %s (%.1f%%)\n", B(frag),
		alloc ? 100.0 * (double)frag / (double)alloc : 0.0);
	fprintf(f, "failed allocations %s; kfree(NULL) %s\n",
		mt_fmt_count(n_x, sizeof(n_x), c->failures),
		mt_fmt_count(n_n, sizeof(n_n), c->null_frees));
	fprintf(f, "frees of unknown size %s%s\n", mt_fmt_count(n_u, sizeof(n_u), c->frees_unsized),
		r->run.kfree_sized ? "" : " (this kernel hides kfree sizes)");
	if (!r->nr_caches)
		return;
	fprintf(f, "\n%-22s %10s %10s %7s %10s %10s\n", "cache", "allocs", "frees", "objsize",
		"allocated", "frag");
	for (size_t i = 0; i < r->nr_caches && shown < top; i++) {
		const struct mt_cache_row *k = &r->caches[i];
		char n_a[32], n_f[32], b_a[32], b_fr[32];

		fprintf(f, "%-22.22s %10s %10s %7u %10s %10s\n", k->name,
			mt_fmt_count(n_a, sizeof(n_a), k->allocs),
			mt_fmt_count(n_f, sizeof(n_f), k->frees), k->size,
			mt_fmt_bytes(b_a, sizeof(b_a), (long long)k->bytes_alloc),
			mt_fmt_bytes(b_fr, sizeof(b_fr),
				     (long long)(k->bytes_alloc - k->bytes_req)));
		shown++;
	}
	if (r->nr_caches > (size_t)shown)
		fprintf(f, "(%zu caches in all; --top N shows more)\n", r->nr_caches);
}

static void pages(FILE *f, const struct mt_report *r)
{
	const struct mt_stats *t = &r->tot;
	char n_a[32], n_f[32];
	int last = -1;

	if (!r->run.class_traced[MT_CLASS_PHYSICAL])
		return;
	section(f, "PAGES (physical: buddy allocator)");
	for (int o = 0; o < MT_ORDER_SLOTS; o++)
		if (t->order_allocs[o] || t->order_frees[o])
			last = o;
	fprintf(f, "%-6s %12s %12s %12s\n", "order", "allocs", "frees", "bytes each");
	for (int o = 0; o <= last; o++) {
		char b_each[32];
		__u64 each = (__u64)r->run.page_size << o;

		fprintf(f, "%-6d %12s %12s %12s%s\n", o,
			mt_fmt_count(n_a, sizeof(n_a), t->order_allocs[o]),
			mt_fmt_count(n_f, sizeof(n_f), t->order_frees[o]), B(each),
			o == MT_ORDER_SLOTS - 1 ? " (or more)" : "");
	}
	if (last < 0)
		fprintf(f, "(no page allocations or frees)\n");

	fprintf(f, "\n%-4s %-8s %-23s %12s %12s\n", "node", "zone", "pfn range", "pages alloc",
		"pages freed");
	for (int z = 0; z < r->zones.nr; z++) {
		const struct mt_zone *zn = &r->zones.z[z];
		char range[40];

		snprintf(range, sizeof(range), "0x%llx-0x%llx", (unsigned long long)zn->start_pfn,
			 (unsigned long long)(zn->start_pfn + zn->spanned));
		fprintf(f, "%-4d %-8s %-23s %12s %12s\n", zn->node, zn->name, range,
			mt_fmt_count(n_a, sizeof(n_a), t->zone_allocs[z]),
			mt_fmt_count(n_f, sizeof(n_f), t->zone_frees[z]));
	}
	if (t->zone_allocs[MT_ZONE_UNKNOWN] || t->zone_frees[MT_ZONE_UNKNOWN])
		fprintf(f, "%-4s %-8s %-23s %12s %12s\n", "-", "unknown", "(outside every zone)",
			mt_fmt_count(n_a, sizeof(n_a), t->zone_allocs[MT_ZONE_UNKNOWN]),
			mt_fmt_count(n_f, sizeof(n_f), t->zone_frees[MT_ZONE_UNKNOWN]));
	if (r->zones.skipped)
		fprintf(f, "(%d more zones than memtrace tracks: their pages count as unknown)\n",
			r->zones.skipped);
}

static void proc_line(FILE *f, const char *id, const char *comm, const struct mt_proc_row *p)
{
	char n_s[32], n_p[32], b_s[32], b_p[32];

	fprintf(f, "%8s %-16s %12s %12s %12s %12s\n", id, comm,
		mt_fmt_count(n_s, sizeof(n_s), p->allocs[MT_CLASS_LOGICAL]),
		mt_fmt_bytes(b_s, sizeof(b_s), (long long)p->bytes[MT_CLASS_LOGICAL]),
		mt_fmt_count(n_p, sizeof(n_p), p->allocs[MT_CLASS_PHYSICAL]),
		mt_fmt_bytes(b_p, sizeof(b_p), (long long)p->bytes[MT_CLASS_PHYSICAL]));
}

static void processes(FILE *f, const struct mt_report *r, int top)
{
	char id[24];
	int shown = 0;

	if (!r->nr_procs)
		return;
	section(f, "TOP PROCESSES (kernel memory allocated while they ran)");
	fprintf(f, "%8s %-16s %12s %12s %12s %12s\n", "tgid", "comm", "slab allocs", "slab bytes",
		"page allocs", "page bytes");
	struct mt_proc_row rest = { .tgid = 0 };
	bool ended = false;

	for (size_t i = 0; i < r->nr_procs; i++) {
		const struct mt_proc_row *p = &r->procs[i];

		if (shown < top) {
			proc_line(f, mt_proc_id(id, sizeof(id), p), p->comm, p);
			ended |= p->exited;
			shown++;
			continue;
		}
		/* the rest in one row, so that the rows add up to the class totals */
		rest.nr += p->nr;
		for (int k = 0; k < MT_CLASS_MAX; k++) {
			rest.allocs[k] += p->allocs[k];
			rest.bytes[k] += p->bytes[k];
		}
	}
	if (rest.nr) {
		char more[32];

		snprintf(more, sizeof(more), "(%u more)", rest.nr);
		proc_line(f, "-", more, &rest);
		fprintf(f, "(%llu processes in all; --top N shows more)\n",
			(unsigned long long)mt_report_nr_processes(r));
	}
	if (ended)
		fprintf(f,
			"(tgid*: ended while traced; Nx: N ended processes of one name, one row)\n");
}

static void histograms(FILE *f, const struct mt_report *r)
{
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		if (!r->run.class_traced[k])
			continue;
		fprintf(f, "\nALLOCATION SIZES, %s\n", mt_class_name(k));
		mt_print_log2_hist(f, r->tot.size_hist[k], MT_HIST_SLOTS, "bytes");
	}
}

void mt_render_text(FILE *f, const struct mt_report *r, const struct mt_render_opts *o)
{
	header(f, r);
	classes(f, r);
	slab(f, r, o->top);
	mt_render_text_logical_extra(f, r, o);
	pages(f, r);
	mt_render_text_physical_extra(f, r);
	mt_render_text_zones(f, r);
	mt_render_text_classes(f, r, o);
	processes(f, r, o->top);
	mt_render_text_tree(f, r, o->top);
	mt_render_text_procx(f, r, o->top);
	mt_render_text_threads(f, r, o->top);
	histograms(f, r);
	mt_render_text_ci(f, r);
	mt_render_text_pair(f, r, o);
	mt_render_text_latency(f, r, o);
}
