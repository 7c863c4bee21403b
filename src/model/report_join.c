// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What needs more than one section of the report: a section's finishing step that reads
 * another's rows (process names for the outstanding table, exec names for the process
 * table) and the per-process lookups across sections. The sections themselves (model_*.c)
 * know only their own structs, so they never include model.h.
 */
#include <stdio.h>
#include <string.h>
#include "model/model.h"
#include "model/report_join.h"

bool mt_pair_kind_traced(const struct mt_report *r, int kind)
{
	int cls = mt_pair_kind_class(kind);

	if (cls < 0 || cls >= MT_CLASS_MAX || !r->run.class_traced[cls])
		return false;
	if (kind == MT_PAIR_VMALLOC)
		return r->x.vmalloc_traced;
	if (kind == MT_PAIR_PERCPU)
		return r->x.percpu_traced;
	return true;
}

static const char *comm_of(const void *ctx, __u32 tgid)
{
	const struct mt_report *r = ctx;

	for (size_t i = 0; i < r->nr_procs; i++)
		if (r->procs[i].tgid == tgid)
			return r->procs[i].comm;
	return "?";
}

int mt_pair_finish(struct mt_report *r)
{
	return mt_pair_group(&r->pair, comm_of, r);
}

bool mt_procx_owner_charged(const struct mt_report *r)
{
	return r->pair.opts.pairs;
}

const struct mt_out_proc *mt_procx_outstanding(const struct mt_report *r, __u32 tgid)
{
	for (size_t i = 0; i < r->pair.nr_procs; i++)
		if (r->pair.procs[i].tgid == tgid)
			return &r->pair.procs[i];
	return NULL;
}

const struct mt_lat_proc_row *mt_procx_stalls(const struct mt_report *r, __u32 tgid)
{
	for (size_t i = 0; i < r->lat.nr_procs; i++)
		if (r->lat.procs[i].tgid == tgid)
			return &r->lat.procs[i];
	return NULL;
}

void mt_scope_finish(struct mt_report *r)
{
	struct mt_scope_report *s = &r->scope;

	mt_scope_sort(s);
	for (size_t i = 0; i < r->nr_procs; i++) {
		const struct mt_tree_row *t = mt_scope_tree_find(s, r->procs[i].tgid);

		if (t && t->comm[0])
			memcpy(r->procs[i].comm, t->comm, sizeof(r->procs[i].comm));
	}
	/* a followed process's main thread is named after its exec too */
	for (size_t i = 0; i < s->nr_threads; i++) {
		const struct mt_tree_row *t = mt_scope_tree_find(s, s->threads[i].tid);

		if (t && t->comm[0] && s->threads[i].tid == s->threads[i].tgid)
			memcpy(s->threads[i].comm, t->comm, sizeof(s->threads[i].comm));
	}
}
