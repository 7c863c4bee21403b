// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Text sections of scoping: the scope line, the per-process tree, threads, CI verdicts. */
#include <string.h>
#include "model/metrics.h"
#include "render/render.h"
#include "model/report_join.h"
#include "sys/util.h"

void mt_render_text_scope_line(FILE *f, const struct mt_report *r)
{
	const struct mt_scope_report *s = &r->scope;
	const struct mt_run_info *ri = &r->run;

	switch (mt_report_scope_kind(r)) {
	case MT_SCOPE_COMMAND:
		fprintf(f, "scope     command pid %u and the %llu processes it forked\n",
			s->command_pid, (unsigned long long)s->n[MT_SCOPE_FORKS]);
		fprintf(f, "command   %.66s%s\n", s->command, strlen(s->command) > 66 ? "..." : "");
		if (s->command_exited && s->signal)
			fprintf(f, "          killed by signal %d (%.40s)\n", s->signal,
				strsignal(s->signal));
		else if (s->command_exited)
			fprintf(f, "          exited with status %d\n", s->exit_code);
		if (s->n[MT_SCOPE_FILTER_FULL])
			fprintf(f, "          %llu forked processes NOT followed (table full)\n",
				(unsigned long long)s->n[MT_SCOPE_FILTER_FULL]);
		break;
	case MT_SCOPE_CGROUP:
		fprintf(f, "scope     cgroup %.60s (id %llu) and below\n", s->cgroup,
			(unsigned long long)s->cgroup_id);
		break;
	case MT_SCOPE_PIDS:
		fprintf(f, "scope     pid");
		for (int i = 0; i < ri->nr_pids; i++)
			fprintf(f, "%s%u", i ? "," : " ", ri->pids[i]);
		fprintf(f, " (all threads)\n");
		break;
	default:
		fprintf(f, "scope     system-wide\n");
		return;
	}
	/* work done for a process elsewhere: say where it is counted */
	fprintf(f, "          work on its behalf in RCU, softirq or kworkers counts where it "
		   "ran\n");
	if (mt_procx_owner_charged(r))
		fprintf(f, "          frees are charged to the allocating process, whoever frees "
			   "(see\n          FREED IN ANOTHER CONTEXT)\n");
}

/* PROCESSES: the followed tree, each process with its parent; roots first by tgid. */
void mt_render_text_tree(FILE *f, const struct mt_report *r, int top)
{
	const struct mt_scope_report *s = &r->scope;
	int shown = 0;

	if (s->kind != MT_SCOPE_COMMAND || !r->nr_procs)
		return;
	fprintf(f, "\nPROCESS TREE (the command and what it forked; bytes allocated)\n");
	fprintf(f, "%8s %8s %-16s %10s %10s %10s %10s\n", "tgid", "parent", "comm", "slab",
		"slab net", "pages", "pages net");
	for (size_t i = 0; i < r->nr_procs && shown < top; i++, shown++) {
		const struct mt_proc_row *p = &r->procs[i];
		__u32 ppid = mt_scope_parent(s, p->tgid);
		char par[16] = "-", b[4][32];

		if (ppid)
			snprintf(par, sizeof(par), "%u", ppid);
		fprintf(f, "%8u %8s %-16s %10s %10s %10s %10s\n", p->tgid, par, p->comm,
			mt_fmt_bytes(b[0], sizeof(b[0]), (long long)p->bytes[MT_CLASS_LOGICAL]),
			mt_fmt_bytes(b[1], sizeof(b[1]),
				     (long long)(p->bytes[MT_CLASS_LOGICAL] -
						 p->bytes_freed[MT_CLASS_LOGICAL])),
			mt_fmt_bytes(b[2], sizeof(b[2]), (long long)p->bytes[MT_CLASS_PHYSICAL]),
			mt_fmt_bytes(b[3], sizeof(b[3]),
				     (long long)(p->bytes[MT_CLASS_PHYSICAL] -
						 p->bytes_freed[MT_CLASS_PHYSICAL])));
	}
	if (r->nr_procs > (size_t)shown)
		fprintf(f, "(%zu processes in all; --top N shows more)\n", r->nr_procs);
}

void mt_render_text_threads(FILE *f, const struct mt_report *r, int top)
{
	const struct mt_scope_report *s = &r->scope;
	int shown = 0;

	if (!s->per_thread)
		return;
	fprintf(f, "\nTHREADS (--per-thread)\n");
	fprintf(f, "%8s %8s %-16s %10s %10s %10s %10s\n", "tid", "tgid", "comm", "slab n",
		"slab bytes", "pages n", "page bytes");
	for (size_t i = 0; i < s->nr_threads && shown < top; i++, shown++) {
		const struct mt_thread_row *t = &s->threads[i];
		char n[2][32], b[2][32];

		fprintf(f, "%8u %8u %-16s %10s %10s %10s %10s\n", t->tid, t->tgid, t->comm,
			mt_fmt_count(n[0], sizeof(n[0]), t->allocs[MT_CLASS_LOGICAL]),
			mt_fmt_bytes(b[0], sizeof(b[0]), (long long)t->bytes[MT_CLASS_LOGICAL]),
			mt_fmt_count(n[1], sizeof(n[1]), t->allocs[MT_CLASS_PHYSICAL]),
			mt_fmt_bytes(b[1], sizeof(b[1]), (long long)t->bytes[MT_CLASS_PHYSICAL]));
	}
	if (s->nr_threads > (size_t)shown)
		fprintf(f, "(%zu threads in all; --top N shows more)\n", s->nr_threads);
	if (s->n[MT_SCOPE_THREAD_FULL])
		fprintf(f, "(%llu events not in this table: it was full; they are in the totals)\n",
			(unsigned long long)s->n[MT_SCOPE_THREAD_FULL]);
}

/* One line per --fail-if condition: the verdict a CI log needs. */
void mt_render_text_ci(FILE *f, const struct mt_report *r)
{
	const struct mt_ci_report *ci = &r->ci;

	if (!ci->nr)
		return;
	fprintf(f, "\nCHECKS (--fail-if)\n");
	for (size_t i = 0; i < ci->nr; i++) {
		const struct mt_ci_result *c = &ci->res[i];
		char v[64], b[64], t[64];

		if (!c->measured)
			fprintf(f, "FAIL  %s: not measured in this run\n", c->expr.text);
		else if (c->expr.rel)
			fprintf(f, "%s  %s: %s is %s, baseline %s, limit %s\n",
				c->failed ? "FAIL" : "ok  ", c->expr.text, c->expr.metric,
				mt_metric_fmt(v, sizeof(v), c->unit, c->value),
				mt_metric_fmt(b, sizeof(b), c->unit, mt_round_ll(c->base)),
				mt_metric_fmt(t, sizeof(t), c->unit, c->threshold));
		else
			fprintf(f, "%s  %s: %s is %s\n", c->failed ? "FAIL" : "ok  ", c->expr.text,
				c->expr.metric, mt_metric_fmt(v, sizeof(v), c->unit, c->value));
	}
}
