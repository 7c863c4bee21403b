// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * memtrace diff: a report flattened into named values. Every name is one that means the
 * same thing on the next boot: no pids, no raw addresses (a call site or frame is named
 * symbol+offset; one the symbols do not know keeps its hex, which will not match across a
 * reboot, and that is the truth about it).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "model/diff.h"
#include "model/model.h"

static int add(struct mt_dset *s, int sec, const char *name, const char *metric, __u64 v)
{
	return v ? mt_dset_add(s, sec, name, metric, (double)v) : 0;
}

static int add_classes(struct mt_dset *s, const struct mt_report *r)
{
	int err = 0;

	for (int c = 0; c < MT_CLASS_MAX && !err; c++) {
		const struct mt_counts *k = &r->tot.cls[c];
		const char *n = mt_class_key(c);

		err = add(s, MT_DSEC_CLASS, n, "allocs", k->allocs)		?:
			      add(s, MT_DSEC_CLASS, n, "frees", k->frees)	?:
			      add(s, MT_DSEC_CLASS, n, "bytes", k->bytes_alloc) ?:
			      add(s, MT_DSEC_CLASS, n, "bytes_freed", k->bytes_freed);
	}
	return err;
}

static int add_caches(struct mt_dset *s, const struct mt_report *r)
{
	int err = 0;

	for (size_t i = 0; i < r->nr_caches && !err; i++) {
		const struct mt_cache_row *c = &r->caches[i];
		__u64 out = c->allocs > c->frees ? c->allocs - c->frees : 0;

		err = add(s, MT_DSEC_CACHE, c->name, "allocs", c->allocs)	?:
			      add(s, MT_DSEC_CACHE, c->name, "frees", c->frees) ?:
			      add(s, MT_DSEC_CACHE, c->name, "net_allocs", out) ?:
			      add(s, MT_DSEC_CACHE, c->name, "bytes", c->bytes_alloc);
	}
	return err;
}

static int add_procs(struct mt_dset *s, const struct mt_report *r)
{
	int err = 0;

	for (size_t i = 0; i < r->nr_procs && !err; i++) {
		const struct mt_proc_row *p = &r->procs[i];
		__u64 allocs = 0;

		for (int c = 0; c < MT_CLASS_MAX; c++)
			allocs += p->allocs[c];
		err = add(s, MT_DSEC_PROC, p->comm, "allocs", allocs) ?:
			      add(s, MT_DSEC_PROC, p->comm, "bytes", p->total_bytes);
	}
	return err;
}

static int add_pairs(struct mt_dset *s, const struct mt_report *r)
{
	const struct mt_pair_report *p = &r->pair;
	char name[MT_DIFF_NAME_LEN], sym[192];
	int err = 0;

	for (int k = 0; k < MT_PAIR_KINDS && !err; k++)
		err = add(s, MT_DSEC_OUT, mt_pair_kind_key(k), "count", p->out[k].count) ?:
			      add(s, MT_DSEC_OUT, mt_pair_kind_key(k), "bytes", p->out[k].bytes);
	for (size_t i = 0; i < p->nr_sites && !err; i++) {
		const struct mt_site_row *t = &p->sites[i];

		snprintf(name, sizeof(name), "%s %s", mt_pair_kind_key(t->cls),
			 t->call_site ?
				 mt_ksyms_fmt(p->ksyms, t->call_site, true, sym, sizeof(sym)) :
				 "(no call site)");
		err = add(s, MT_DSEC_SITE, name, "allocs", t->allocs)		    ?:
			      add(s, MT_DSEC_SITE, name, "bytes", t->bytes_alloc)   ?:
			      add(s, MT_DSEC_SITE, name, "out_count", t->out_count) ?:
			      add(s, MT_DSEC_SITE, name, "out_bytes", t->out_bytes);
	}
	for (size_t i = 0; i < p->nr_stacks && !err; i++) {
		const struct mt_stack_row *t = &p->stacks[i];
		__u32 first = t->frames ? mt_pair_first_frame(p, t->frames, t->nr_frames) : 0;
		size_t len;

		/* folded order, root first: the class, then outermost to innermost frame; the
		 * tracer's own frames (BPF program, trace hooks) left out, as in --folded */
		len = mt_diff_stack_begin(name, sizeof(name), mt_pair_kind_key(t->cls),
					  t->stack_id >= 0 && t->frames);
		for (__u32 j = t->frames ? t->nr_frames : 0; j > first; j--)
			len = mt_diff_stack_frame(name, sizeof(name), len,
						  mt_ksyms_fmt(p->ksyms, t->frames[j - 1], true,
							       sym, sizeof(sym)));
		err = add(s, MT_DSEC_STACK, name, "allocs", t->allocs)		     ?:
			      add(s, MT_DSEC_STACK, name, "bytes", t->bytes)	     ?:
			      add(s, MT_DSEC_STACK, name, "out_count", t->out_count) ?:
			      add(s, MT_DSEC_STACK, name, "out_bytes", t->out_bytes);
	}
	return err;
}

int mt_dset_from_report(struct mt_dset *s, const struct mt_report *r)
{
	int err = add_classes(s, r) ?: add_caches(s, r) ?: add_procs(s, r) ?: add_pairs(s, r);

	if (!err)
		mt_dset_finish(s);
	return err;
}
