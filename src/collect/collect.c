// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "collect/collect.h"
#include "collect/collect_classes.h"
#include "collect/collect_latency.h"
#include "collect/collect_stalls.h"
#include "collect/map_read.h"
#include "model/report_join.h"

static int add_proc(struct mt_report *r, const void *key, const void *vals, int ncpu)
{
	__u32 tgid;

	memcpy(&tgid, key, sizeof(tgid));
	return mt_report_add_proc(r, tgid, vals, ncpu) ? -ENOMEM : 0;
}

static int add_cache(struct mt_report *r, const void *key, const void *vals, int ncpu)
{
	__u64 k;

	memcpy(&k, key, sizeof(k));
	return mt_report_add_cache(r, k, vals, ncpu) ? -ENOMEM : 0;
}

static int add_thread(struct mt_report *r, const void *key, const void *vals, int ncpu)
{
	__u32 tid;

	memcpy(&tid, key, sizeof(tid));
	return mt_scope_add_thread(&r->scope, tid, vals, ncpu) ? -ENOMEM : 0;
}

static int add_tree(struct mt_report *r, const void *key, const void *vals, int nr)
{
	__u32 tgid;

	memcpy(&tgid, key, sizeof(tgid));
	return mt_scope_add_tree(&r->scope, tgid, vals) ? -ENOMEM : 0;
}

/* The followed tree (a plain hash), the scoping counters, the per-thread table. */
static int collect_scope(const struct mt_mapsrc *s, struct mt_report *r)
{
	struct mt_scope_stats *st;
	__u32 zero = 0;
	int nr, err;

	err = mt_collect_each(s, "tree", sizeof(__u32), sizeof(struct mt_tree_node), add_tree, r);
	if (err)
		return err;
	st = mt_collect_lookup(s, "scope_stats", &zero, sizeof(*st), &nr, &err);
	if (st) {
		mt_scope_add_stats(&r->scope, st, nr);
		free(st);
	} else if (err != -ENOENT) {
		return err;
	}
	if (r->scope.per_thread)
		return mt_collect_each(s, "threads", sizeof(__u32), sizeof(struct mt_thread),
				       add_thread, r);
	return 0;
}

static int add_proc_faults(struct mt_report *r, const void *k, const void *v, int ncpu)
{
	__u32 tgid = *(const __u32 *)k;
	struct mt_fault_proc *pc;
	int err;

	pc = mt_fault_with_slots(v, ncpu, tgid, r->x.fault_slots, r->x.nr_fault_slots);
	if (!pc)
		return -ENOMEM;
	err = mt_procx_add_faults(&r->px, tgid, pc, ncpu + 1) ? -ENOMEM : 0;
	free(pc);
	return err;
}

static int add_owner_frees(struct mt_report *r, const void *k, const void *v, int ncpu)
{
	return mt_procx_add_owner(&r->px, *(const __u32 *)k, v, ncpu) ? -ENOMEM : 0;
}

/*
 * Per process beyond allocations: every process's faults (the fault section keeps only
 * the top rows) and the frees matched to their owner (pairing only).
 */
static int collect_procx(const struct mt_mapsrc *s, struct mt_report *r)
{
	int err;

	err = mt_collect_each(s, "fault_procs", sizeof(__u32), sizeof(struct mt_fault_proc),
			      add_proc_faults, r);
	if (!err && r->pair.opts.pairs)
		err = mt_collect_each(s, "owner_frees", sizeof(__u32),
				      sizeof(struct mt_owner_frees), add_owner_frees, r);
	mt_procx_finish(&r->px);
	return err;
}

static int add_site(struct mt_report *r, const void *k, const void *v, int ncpu)
{
	return mt_pair_add_site(&r->pair, k, v, ncpu);
}

static int add_stack_agg(struct mt_report *r, const void *k, const void *v, int ncpu)
{
	return mt_pair_add_stack_agg(&r->pair, k, v, ncpu);
}

static int add_frames(struct mt_report *r, const void *k, const void *v, int ncpu)
{
	__s32 id;

	memcpy(&id, k, sizeof(id));
	return mt_pair_add_frames(&r->pair, id, v, r->pair.stack_depth);
}

static int add_obj(struct mt_report *r, const void *k, const void *v, int ncpu)
{
	return mt_pair_add_obj(&r->pair, k, v);
}

/* The call sites' per-CPU front (bpf/pair.bpf.h): counts not yet moved into `sites`. */
static int collect_site_front(const struct mt_mapsrc *s, struct mt_report *r)
{
	struct mt_site_front *f;
	__u32 zero = 0;
	int nr, err;

	f = mt_collect_lookup(s, "site_front", &zero, sizeof(*f), &nr, &err);
	if (!f)
		return err == -ENOENT ? 0 : err;
	err = mt_pair_fold_site_front(&r->pair, f, nr);
	free(f);
	return err;
}

/*
 * The pairing counters per CPU. A recording made before percpu was a pairing kind of its
 * own has arrays of MT_CLASS_MAX: spread into today's layout rather than misread.
 */
static struct mt_pair_stats *read_pair_stats(const struct mt_mapsrc *s, int *nr, int *err)
{
	const size_t old = MT_PAIR_STATS_CLASSES_SIZE;
	struct mt_pair_stats *st;
	struct mt_map_desc d;
	__u32 zero = 0;
	char *raw;

	*err = mt_mapsrc_desc(s, "pair_stats", &d);
	if (*err || d.value_size != old)
		return mt_collect_lookup(s, "pair_stats", &zero, sizeof(*st), nr, err);
	raw = mt_collect_lookup(s, "pair_stats", &zero, old, nr, err);
	st = raw ? calloc(*nr, sizeof(*st)) : NULL;
	if (raw && !st)
		*err = -ENOMEM;
	for (int c = 0; st && c < *nr; c++)
		mt_pair_stats_from_classes(&st[c], raw + (size_t)c * old);
	free(raw);
	return st;
}

/*
 * The stacks' frames. The depth is the map's own value size (--stack-depth of the run that
 * filled it, live or recorded), so a stack that filled it is known to be cut off.
 */
static int collect_stack_traces(const struct mt_mapsrc *s, struct mt_report *r)
{
	struct mt_map_desc d;
	int err;

	err = mt_mapsrc_desc(s, "stack_traces", &d);
	if (err)
		return err == -ENOENT ? 0 : err;
	r->pair.stack_depth = d.value_size / sizeof(__u64);
	if (r->pair.stack_depth > MT_STACK_DEPTH_MAX)
		r->pair.stack_depth = MT_STACK_DEPTH_MAX;
	return mt_collect_each(s, "stack_traces", sizeof(__s32), MT_STACK_DEPTH_MAX * sizeof(__u64),
			       add_frames, r);
}

/* Pairing, call sites and stacks (bpf/pair.bpf.h), as r->pair.opts asked for them. */
static int collect_pair(const struct mt_mapsrc *s, struct mt_report *r)
{
	const struct mt_pair_opts *o = &r->pair.opts;
	struct mt_pair_stats *st;
	int nr, err;

	st = read_pair_stats(s, &nr, &err);
	if (st) {
		mt_pair_add_stats(&r->pair, st, nr);
		free(st);
	} else if (err != -ENOENT) {
		return err;
	}
	err = 0;
	if (o->sites)
		err = mt_collect_each(s, "sites", 0, sizeof(struct mt_site), add_site, r);
	if (!err && o->sites)
		err = collect_site_front(s, r);
	if (!err && o->stacks)
		err = mt_collect_each(s, "stack_aggs", 0, sizeof(struct mt_stack_agg),
				      add_stack_agg, r);
	if (!err && o->stacks)
		err = collect_stack_traces(s, r);
	if (!err && o->pairs)
		err = mt_collect_each(s, "outstanding", 0, sizeof(struct mt_obj), add_obj, r);
	return err;
}

/*
 * The per-CPU fronts of the process and cache hashes (bpf/memtrace.bpf.h, bpf/slab.bpf.c):
 * counts not yet moved into their hash rows. Absent from recordings made before they
 * existed, whose hashes then hold everything.
 */
static int collect_fronts(const struct mt_mapsrc *s, struct mt_report *r)
{
	struct mt_cache_front *front;
	struct mt_proc_slot *slots;
	__u32 zero = 0;
	int nr, err;

	slots = mt_collect_lookup(s, "proc_slot", &zero, sizeof(*slots), &nr, &err);
	if (slots) {
		err = mt_report_fold_proc_slots(r, slots, nr) ? -ENOMEM : 0;
		free(slots);
	}
	if (err && err != -ENOENT)
		return err;
	front = mt_collect_lookup(s, "cache_front", &zero, sizeof(*front), &nr, &err);
	if (front) {
		err = mt_report_fold_cache_front(r, front, nr) ? -ENOMEM : 0;
		free(front);
	}
	return err == -ENOENT ? 0 : err;
}

int mt_collect(const struct mt_mapsrc *s, struct mt_report *r)
{
	struct mt_fault_slot *fault_slots;
	struct mt_stats *st;
	__u32 zero = 0;
	int nr, err;

	st = mt_collect_lookup(s, "stats", &zero, sizeof(*st), &nr, &err);
	if (st) {
		mt_report_add_stats(r, st, nr);
		free(st);
	} else if (err != -ENOENT) {
		return err;
	}
	err = mt_collect_each(s, "procs", sizeof(__u32), sizeof(struct mt_proc), add_proc, r);
	if (!err)
		err = mt_collect_each(s, "caches", sizeof(__u64), sizeof(struct mt_cache),
				      add_cache, r);
	if (!err)
		err = collect_fronts(s, r);
	if (!err)
		err = mt_collect_tasks(s, r);
	if (!err)
		err = collect_scope(s, r);
	if (!err)
		err = collect_pair(s, r);
	if (err)
		goto out;
	/* the fault fronts, read by both fault tables; absent from older recordings */
	fault_slots = mt_collect_lookup(s, "fault_slot", &zero, sizeof(*fault_slots), &nr, &err);
	if (!fault_slots && err != -ENOENT)
		goto out;
	r->x.fault_slots = fault_slots;
	r->x.nr_fault_slots = fault_slots ? nr : 0;
	err = mt_collect_classes(s, r);
	if (!err)
		err = mt_collect_stalls_report(s, r);
	if (!err)
		err = collect_procx(s, r);
	r->x.fault_slots = NULL;
	r->x.nr_fault_slots = 0;
	free(fault_slots);
out:
	mt_report_finish(r);
	mt_scope_finish(r);
	mt_classes_finish(&r->x);
	return err;
}
