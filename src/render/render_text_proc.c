// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Text: one row per process with everything known of it, and frees done in other contexts. */
#include "render/render.h"
#include "sys/util.h"
#include "model/report_join.h"

const char *mt_proc_id(char *buf, size_t len, const struct mt_proc_row *p)
{
	if (p->tgid == MT_TGID_ENDED_OWNERS)
		snprintf(buf, len, "-");
	else if (p->folded_key)
		snprintf(buf, len, "%ux", p->nr);
	else
		snprintf(buf, len, "%u%s", p->tgid, p->exited ? "*" : "");
	return buf;
}

static const char *fmt_ms(char *buf, size_t len, __u64 ns)
{
	snprintf(buf, len, "%.1fms", (double)ns / 1e6);
	return buf;
}

static __u64 out_bytes(const struct mt_out_proc *o)
{
	return o ? o->total_bytes : 0;
}

/* PER PROCESS: tgid, parent in the traced tree, comm, bytes, outstanding, faults, stalls. */
static void per_process(FILE *f, const struct mt_report *r, int top)
{
	bool owner = mt_procx_owner_charged(r);
	int shown = 0;

	fprintf(f, "\nPER PROCESS (bytes allocated; still allocated at the end; faults; stalls)\n");
	fprintf(f, "%7s %7s %-14s %9s %9s %9s %8s %9s\n", "tgid", "parent", "comm", "slab", "pages",
		"outstand", "faults", "stalled");
	for (size_t i = 0; i < r->nr_procs && shown < top; i++, shown++) {
		const struct mt_proc_row *p = &r->procs[i];
		__u32 tgid = mt_proc_join_tgid(p);
		__u32 ppid = mt_scope_parent(&r->scope, tgid);
		const struct mt_procx_row *x = mt_procx_find(&r->px, tgid);
		const struct mt_lat_proc_row *l = mt_procx_stalls(r, tgid);
		char par[16] = "-", b[3][32], o[32] = "-", fl[32] = "-", st[32] = "-", id[24];

		if (ppid)
			snprintf(par, sizeof(par), "%u", ppid);
		if (owner)
			mt_fmt_bytes(o, sizeof(o),
				     (long long)out_bytes(mt_procx_outstanding(r, tgid)));
		if (r->x.fault_traced)
			mt_fmt_count(fl, sizeof(fl), mt_procx_faults(x));
		if (r->lat.stalls)
			fmt_ms(st, sizeof(st), l ? l->stall_ns : 0);
		fprintf(f, "%7s %7s %-14.14s %9s %9s %9s %8s %9s\n", mt_proc_id(id, sizeof(id), p),
			par, p->comm,
			mt_fmt_bytes(b[0], sizeof(b[0]), (long long)p->bytes[MT_CLASS_LOGICAL]),
			mt_fmt_bytes(b[1], sizeof(b[1]), (long long)p->bytes[MT_CLASS_PHYSICAL]), o,
			fl, st);
	}
	if (r->nr_procs > (size_t)shown)
		fprintf(f, "(%llu processes in all; --top N shows more)\n",
			(unsigned long long)mt_report_nr_processes(r));
	if (!owner)
		fprintf(f,
			"(outstanding per process needs --outstanding: frees are then matched to\n"
			" the allocating process, whoever frees)\n");
}

static bool has_cross(const struct mt_procx_row *x)
{
	for (int k = 0; x && x->has_owner && k < MT_CLASS_MAX; k++)
		if (x->of.by_others[k] || x->of.of_others[k])
			return true;
	return false;
}

static __u64 sum(const __u64 *v)
{
	__u64 n = 0;

	for (int k = 0; k < MT_CLASS_MAX; k++)
		n += v[k];
	return n;
}

/* FREED IN ANOTHER CONTEXT: frees matched to the owner that ran elsewhere (pairing only). */
static void cross_frees(FILE *f, const struct mt_report *r, int top)
{
	int shown = 0, with = 0;

	if (!mt_procx_owner_charged(r))
		return;
	for (size_t i = 0; i < r->nr_procs; i++)
		with += has_cross(mt_procx_find(&r->px, mt_proc_join_tgid(&r->procs[i])));
	if (!with)
		return;
	fprintf(f, "\nFREED IN ANOTHER CONTEXT (kernel work for a process done elsewhere)\n");
	fprintf(f, "%7s %-14s %10s %10s %10s %10s %10s\n", "tgid", "comm", "by others", "bytes",
		"by kthread", "of others'", "bytes");
	for (size_t i = 0; i < r->nr_procs && shown < top; i++) {
		const struct mt_proc_row *p = &r->procs[i];
		const struct mt_procx_row *x = mt_procx_find(&r->px, mt_proc_join_tgid(p));
		char n[3][32], b[2][32], id[24];

		if (!has_cross(x))
			continue;
		fprintf(f, "%7s %-14.14s %10s %10s %10s %10s %10s\n", mt_proc_id(id, sizeof(id), p),
			p->comm, mt_fmt_count(n[0], sizeof(n[0]), sum(x->of.by_others)),
			mt_fmt_bytes(b[0], sizeof(b[0]), (long long)sum(x->of.by_others_bytes)),
			mt_fmt_count(n[1], sizeof(n[1]), sum(x->of.by_kthread)),
			mt_fmt_count(n[2], sizeof(n[2]), sum(x->of.of_others)),
			mt_fmt_bytes(b[1], sizeof(b[1]), (long long)sum(x->of.of_others_bytes)));
		shown++;
	}
	if (with > shown)
		fprintf(f, "(%d processes; --top N shows more)\n", with);
	fprintf(f, "(by others: its objects freed by another process or a kernel thread (RCU,\n"
		   " softirq, kworker), charged to it; of others': frees it did of objects it\n"
		   " did not allocate while traced, not charged to it)\n");
}

void mt_render_text_procx(FILE *f, const struct mt_report *r, int top)
{
	if (!r->nr_procs)
		return;
	per_process(f, r, top);
	cross_frees(f, r, top);
}
