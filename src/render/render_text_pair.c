// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Plain-text sections of pairing: call sites, lifetimes, outstanding memory, stacks. */
#include <string.h>
#include "model/hist.h"
#include "render/render.h"
#include "sys/util.h"
#include "model/report_join.h"

/* How many frames of a stack the text report prints (the folded file has them all). */
#define TEXT_FRAMES 16
/* Stacks per list in the text report: each takes many lines. */
#define TEXT_STACKS 5

void mt_render_text_pair_losses(FILE *f, const struct mt_report *r)
{
	char n[32];

	for (int i = 0; i < MT_PLOSS_MAX; i++)
		if (r->pair.tot.lost[i])
			fprintf(f, "          %s: %s\n", mt_pair_loss_name(i),
				mt_fmt_count(n, sizeof(n), r->pair.tot.lost[i]));
}

static const char *site_name(const struct mt_render_opts *o, const struct mt_pair_report *p,
			     __u64 site, char *buf, size_t len)
{
	if (!site) {
		snprintf(buf, len, "(no call site: see --stacks)");
		return buf;
	}
	return mt_render_sym(o, p->ksyms, site, true, buf, len);
}

/* The call-site table of one kind: slab, or percpu (the other events carry no call site). */
static void call_sites_of(FILE *f, const struct mt_report *r, int kind, const char *title,
			  const struct mt_render_opts *o)
{
	int top = o->top;
	const struct mt_pair_report *p = &r->pair;
	size_t shown = 0, with_allocs = 0;

	fprintf(f, "\nCALL SITES (%s)\n", title);
	if (p->ksyms_why)
		fprintf(f, "(call sites unnamed: %s)\n%s", p->ksyms_why,
			o->raw_addresses ? "" : "(--raw-addresses prints their addresses)\n");
	fprintf(f, "%-30s %9s %9s %7s %8s %11s\n", "call site", "allocs", "allocated", "avg",
		"frag", "outstanding");
	for (size_t i = 0; i < p->nr_sites; i++) {
		const struct mt_site_row *s = &p->sites[i];
		char name[160], n_a[32], b_a[32], b_avg[32], b_fr[32], n_o[32];

		if (!s->allocs || s->cls != kind)
			continue;
		with_allocs++;
		if (shown >= (size_t)top)
			continue;
		shown++;
		fprintf(f, "%-30.30s %9s %9s %7s %8s %11s\n",
			site_name(o, p, s->call_site, name, sizeof(name)),
			mt_fmt_count(n_a, sizeof(n_a), s->allocs),
			mt_fmt_bytes(b_a, sizeof(b_a), (long long)s->bytes_alloc),
			mt_fmt_bytes(b_avg, sizeof(b_avg), (long long)(s->bytes_alloc / s->allocs)),
			mt_fmt_bytes(b_fr, sizeof(b_fr),
				     (long long)(s->bytes_alloc - s->bytes_req)),
			p->opts.pairs ? mt_fmt_count(n_o, sizeof(n_o), s->out_count) : "-");
	}
	if (!with_allocs)
		fprintf(f, "(no allocations)\n");
	else if (with_allocs > shown)
		fprintf(f, "(%zu call sites in all; --top N shows more)\n", with_allocs);
}

static void call_sites(FILE *f, const struct mt_report *r, const struct mt_render_opts *o)
{
	if (!r->pair.opts.sites)
		return;
	call_sites_of(f, r, MT_PAIR_SLAB, "kernel logical: callers of kmalloc/kmem_cache_alloc", o);
	if (mt_pair_kind_traced(r, MT_PAIR_PERCPU))
		call_sites_of(f, r, MT_PAIR_PERCPU, "percpu: callers of __alloc_percpu", o);
}

/* Why a kind is not measured though its class is. */
static const char *kind_why(int kind)
{
	return kind == MT_PAIR_VMALLOC ? "no vmalloc tracepoints on this kernel (added in 6.4)" :
					 "no percpu tracepoints on this kernel";
}

/* The kinds of the traced classes in report order, each class's kinds together. */
static int kinds_shown(const struct mt_report *r, int kinds[MT_PAIR_KINDS])
{
	int n = 0;

	for (int cls = 0; cls < MT_CLASS_MAX; cls++)
		for (int k = 0; k < MT_PAIR_KINDS && r->run.class_traced[cls]; k++)
			if (mt_pair_kind_class(k) == cls)
				kinds[n++] = k;
	return n;
}

/* "kernel logical"; for a class split in kinds, "kernel virtual: vmalloc". */
static const char *kind_title(int k, char *buf, size_t len)
{
	int cls = mt_pair_kind_class(k);

	if (!mt_pair_class_split(cls))
		return mt_class_name(cls);
	snprintf(buf, len, "%s: %s", mt_class_name(cls), mt_pair_kind_name(k));
	return buf;
}

static void lifetimes(FILE *f, const struct mt_report *r)
{
	const struct mt_pair_report *p = &r->pair;
	int kinds[MT_PAIR_KINDS], n = kinds_shown(r, kinds);

	for (int i = 0; i < n; i++) {
		char n_p[32], n_u[32], t[64];
		int k = kinds[i];
		struct mt_pair_view v;

		fprintf(f, "\nLIFETIMES, %s (allocation to free)\n", kind_title(k, t, sizeof(t)));
		if (!mt_pair_kind_traced(r, k)) {
			fprintf(f, "unavailable: %s\n", kind_why(k));
			continue;
		}
		/* the numbers JSON's outstanding.classes has for the kind */
		mt_pair_kind_view(p, k, &v);
		fprintf(f, "%s frees paired with their allocation; %s frees of objects\n",
			mt_fmt_count(n_p, sizeof(n_p), v.paired),
			mt_fmt_count(n_u, sizeof(n_u), v.unpaired));
		fprintf(f, "allocated before tracing began (unpaired, not an error)\n");
		mt_print_log2_hist(f, v.lifetime_hist, MT_HIST_SLOTS, "usecs");
	}
}

/* The processes with vmap areas or percpu objects outstanding, in the order of the table. */
static void procs_virtual(FILE *f, const struct mt_pair_report *p, int top)
{
	size_t shown = 0, with = 0;

	for (size_t i = 0; i < p->nr_procs; i++) {
		const struct mt_out_proc *o = &p->procs[i];
		char n_v[32], b_v[32], n_p[32], b_p[32];

		if (!o->count[MT_PAIR_VMALLOC] && !o->count[MT_PAIR_PERCPU])
			continue;
		if (!with++) {
			fprintf(f, "\nOUTSTANDING BY PROCESS, kernel virtual\n");
			fprintf(f, "%8s %-16s %12s %12s %12s %12s\n", "tgid", "comm", "vmap areas",
				"vmap bytes", "percpu objs", "percpu bytes");
		}
		if (shown >= (size_t)top)
			continue;
		shown++;
		fprintf(f, "%8u %-16s %12s %12s %12s %12s\n", o->tgid, o->comm,
			mt_fmt_count(n_v, sizeof(n_v), o->count[MT_PAIR_VMALLOC]),
			mt_fmt_bytes(b_v, sizeof(b_v), (long long)o->bytes[MT_PAIR_VMALLOC]),
			mt_fmt_count(n_p, sizeof(n_p), o->count[MT_PAIR_PERCPU]),
			mt_fmt_bytes(b_p, sizeof(b_p), (long long)o->bytes[MT_PAIR_PERCPU]));
	}
	if (with > shown)
		fprintf(f, "(%zu processes in all; --top N shows more)\n", with);
}

static void outstanding(FILE *f, const struct mt_report *r, const struct mt_render_opts *ro)
{
	const struct mt_pair_report *p = &r->pair;
	int top = ro->top;
	char b[32], n[32], t[64], min_age[32] = "";
	int kinds[MT_PAIR_KINDS], nk = kinds_shown(r, kinds);
	size_t shown = 0;

	if (p->min_age_ns)
		snprintf(min_age, sizeof(min_age), ", older than %gs", (double)p->min_age_ns / 1e9);
	fprintf(f, "\nOUTSTANDING AT END (allocated while tracing, not freed%s)\n", min_age);
	fprintf(f, "%-24s %12s %12s\n", "class", "objects", "bytes");
	for (int i = 0; i < nk; i++) {
		int k = kinds[i];
		struct mt_pair_view v;

		if (!mt_pair_kind_traced(r, k)) {
			fprintf(f, "%-24s %25s\n", kind_title(k, t, sizeof(t)), "unavailable");
			continue;
		}
		mt_pair_kind_view(p, k, &v);
		fprintf(f, "%-24s %12s %12s\n", kind_title(k, t, sizeof(t)),
			mt_fmt_count(n, sizeof(n), v.count),
			mt_fmt_bytes(b, sizeof(b), (long long)v.bytes));
	}
	if (p->young_count)
		fprintf(f, "(%s younger objects, %s, not shown: --min-age)\n",
			mt_fmt_count(n, sizeof(n), p->young_count),
			mt_fmt_bytes(b, sizeof(b), (long long)p->young_bytes));
	for (int i = 0; i < nk; i++) {
		struct mt_pair_view v;

		mt_pair_kind_view(p, kinds[i], &v);
		if (!v.count)
			continue;
		fprintf(f, "\nAGE OF OUTSTANDING, %s\n", kind_title(kinds[i], t, sizeof(t)));
		mt_print_log2_hist(f, v.age_hist, MT_HIST_SLOTS, "usecs");
	}
	if (p->nr_procs) {
		/* slab and pages here, kernel virtual below; other classes' rows are in the JSON */
		fprintf(f, "\nOUTSTANDING BY PROCESS (that allocated it, whoever frees)\n");
		fprintf(f, "%8s %-16s %12s %12s %12s %12s\n", "tgid", "comm", "slab objs",
			"slab bytes", "page blocks", "page bytes");
		for (shown = 0; shown < p->nr_procs && shown < (size_t)top; shown++) {
			const struct mt_out_proc *o = &p->procs[shown];
			char n_s[32], b_s[32], n_p[32], b_p[32];

			fprintf(f, "%8u %-16s %12s %12s %12s %12s\n", o->tgid, o->comm,
				mt_fmt_count(n_s, sizeof(n_s), o->count[MT_CLASS_LOGICAL]),
				mt_fmt_bytes(b_s, sizeof(b_s),
					     (long long)o->bytes[MT_CLASS_LOGICAL]),
				mt_fmt_count(n_p, sizeof(n_p), o->count[MT_CLASS_PHYSICAL]),
				mt_fmt_bytes(b_p, sizeof(b_p),
					     (long long)o->bytes[MT_CLASS_PHYSICAL]));
		}
		if (p->nr_procs > shown)
			fprintf(f, "(%zu processes in all; --top N shows more)\n", p->nr_procs);
		procs_virtual(f, p, top);
	}
	if (p->nr_sites_out) {
		fprintf(f, "\nOUTSTANDING BY CALL SITE\n");
		fprintf(f, "%-40s %-15s %10s %10s\n", "call site", "class", "objects", "bytes");
		for (shown = 0; shown < p->nr_sites_out && shown < (size_t)top; shown++) {
			const struct mt_site_row *s = p->sites_out[shown].row;
			char name[160];

			fprintf(f, "%-40.40s %-15s %10s %10s\n",
				site_name(ro, p, s->call_site, name, sizeof(name)),
				mt_pair_kind_name(s->cls), mt_fmt_count(n, sizeof(n), s->out_count),
				mt_fmt_bytes(b, sizeof(b), (long long)s->out_bytes));
		}
		if (p->nr_sites_out > shown)
			fprintf(f, "(%zu call sites in all; --top N shows more)\n",
				p->nr_sites_out);
	}
}

static void stack(FILE *f, const struct mt_render_opts *o, const struct mt_pair_report *p,
		  const struct mt_stack_row *s, int rank)
{
	char n_a[32], b_a[32], n_o[32], b_o[32], name[160];
	__u32 first;

	fprintf(f, "#%d %s: %s allocs, %s; outstanding %s, %s\n", rank, mt_pair_kind_name(s->cls),
		mt_fmt_count(n_a, sizeof(n_a), s->allocs),
		mt_fmt_bytes(b_a, sizeof(b_a), (long long)s->bytes),
		mt_fmt_count(n_o, sizeof(n_o), s->out_count),
		mt_fmt_bytes(b_o, sizeof(b_o), (long long)s->out_bytes));
	if (s->stack_id < 0) {
		fprintf(f, "    (stack not recorded: see the losses in the header)\n");
		return;
	}
	if (!s->frames) {
		fprintf(f, "    (stack %d not in the stack table)\n", s->stack_id);
		return;
	}
	first = mt_pair_first_frame(p, s->frames, s->nr_frames);
	for (__u32 i = first; i < s->nr_frames && i < first + TEXT_FRAMES; i++)
		fprintf(f, "    %.76s\n",
			mt_render_sym(o, p->ksyms, s->frames[i], true, name, sizeof(name)));
	if (s->nr_frames > first + TEXT_FRAMES)
		fprintf(f, "    ... %u more frames (--folded has them all)\n",
			s->nr_frames - first - TEXT_FRAMES);
	if (s->truncated)
		fprintf(f, "    ... (truncated at --stack-depth %u: callers beyond it unknown)\n",
			p->stack_depth);
}

/*
 * What the stack rows below leave out, always printed with --stacks (zeros too): walks that
 * found no room or collided, and stacks cut at the depth, whose outer callers are missing.
 */
static void stack_status(FILE *f, const struct mt_pair_report *p)
{
	const __u64 *l = p->tot.lost;
	char a[32], b[32], c[32], d[32], e[32];

	fprintf(f,
		"(stack depth %u: %s of %zu stacks truncated (filled every frame), %s allocs;\n"
		" stacks not recorded: %s collisions, %s table full, %s failed)\n",
		p->stack_depth ? p->stack_depth : MT_STACK_DEPTH,
		mt_fmt_count(a, sizeof(a), p->truncated_stacks), p->nr_stacks,
		mt_fmt_count(b, sizeof(b), p->truncated_allocs),
		mt_fmt_count(c, sizeof(c), l[MT_PLOSS_STACK_COLLISION]),
		mt_fmt_count(d, sizeof(d), l[MT_PLOSS_STACK_FULL]),
		mt_fmt_count(e, sizeof(e), l[MT_PLOSS_STACK_ERR]));
}

static void stacks(FILE *f, const struct mt_report *r, const struct mt_render_opts *o)
{
	const struct mt_pair_report *p = &r->pair;
	size_t i;

	if (!p->opts.stacks)
		return;
	fprintf(f, "\nTOP OUTSTANDING STACKS (by bytes still allocated)\n");
	stack_status(f, p);
	if (mt_pair_stack_sample(p) > 1)
		fprintf(f,
			"(estimates: 1 allocation in %u recorded its stack, figures scaled by %u;\n"
			" the class, process and call-site totals above are exact)\n",
			mt_pair_stack_sample(p), mt_pair_stack_sample(p));
	if (p->ksyms_why)
		fprintf(f, "(frames unnamed: %s)\n%s", p->ksyms_why,
			o->raw_addresses ? "" : "(--raw-addresses prints their addresses)\n");
	for (i = 0; i < p->nr_stacks_out && i < TEXT_STACKS; i++)
		stack(f, o, p, p->stacks_out[i].row, (int)i + 1);
	if (!p->nr_stacks_out)
		fprintf(f, "(nothing outstanding)\n");
	fprintf(f, "\nTOP ALLOCATING STACKS (by bytes allocated)\n");
	for (i = 0; i < p->nr_stacks && i < TEXT_STACKS; i++)
		stack(f, o, p, &p->stacks[i], (int)i + 1);
	if (!p->nr_stacks)
		fprintf(f, "(no allocations)\n");
}

void mt_render_text_pair(FILE *f, const struct mt_report *r, const struct mt_render_opts *o)
{
	call_sites(f, r, o);
	if (!r->pair.opts.pairs)
		return;
	lifetimes(f, r);
	outstanding(f, r, o);
	stacks(f, r, o);
}
