// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* JSON of pairing, call sites and stacks; keys documented in docs/json-schema.md. */
#include "sys/json_writer.h"
#include "render/render.h"
#include "render/render_json_common.h"
#include "model/report_join.h"

void mt_render_json_pair_losses(struct jw *w, const struct mt_report *r)
{
	for (int i = 0; i < MT_PLOSS_MAX; i++)
		jw_u64(w, mt_pair_loss_key(i), r->pair.tot.lost[i]);
}

static void symbol(struct jw *w, const struct mt_pair_report *p, const char *key, __u64 addr)
{
	char name[192];

	if (addr && p->ksyms && mt_ksyms_find(p->ksyms, addr))
		jw_str(w, key, mt_ksyms_fmt(p->ksyms, addr, true, name, sizeof(name)));
	else
		jw_null(w, key);
}

/* The class and allocator of a call-site or stack row (its pairing kind). */
static void kind_keys(struct jw *w, int kind)
{
	jw_str(w, "class", mt_class_key(mt_pair_kind_class(kind)));
	jw_str(w, "allocator", mt_pair_kind_key(kind));
}

static void site(struct jw *w, const struct mt_pair_report *p, const struct mt_site_row *s,
		 const struct mt_render_opts *o)
{
	jw_obj_begin(w, NULL);
	/* null unless --raw-addresses: the symbol names the site */
	mt_jw_kaddr(w, "address", s->call_site, o);
	symbol(w, p, "symbol", s->call_site);
	kind_keys(w, s->cls);
	jw_u64(w, "allocs", s->allocs);
	jw_u64(w, "bytes_requested", s->bytes_req);
	jw_u64(w, "bytes_allocated", s->bytes_alloc);
	jw_u64(w, "outstanding", s->out_count);
	jw_u64(w, "outstanding_bytes", s->out_bytes);
	jw_obj_end(w);
}

static void stack(struct jw *w, const struct mt_pair_report *p, const struct mt_stack_row *s,
		  const struct mt_render_opts *o)
{
	char name[192];

	jw_obj_begin(w, NULL);
	jw_i64(w, "stack_id", s->stack_id);
	kind_keys(w, s->cls);
	jw_u64(w, "allocs", s->allocs);
	jw_u64(w, "bytes_allocated", s->bytes);
	jw_u64(w, "outstanding", s->out_count);
	jw_u64(w, "outstanding_bytes", s->out_bytes);
	jw_bool(w, "truncated", s->truncated);
	jw_arr_begin(w, "frames");
	for (__u32 i = s->frames ? mt_pair_first_frame(p, s->frames, s->nr_frames) : 0;
	     s->frames && i < s->nr_frames; i++)
		jw_str(w, NULL, mt_render_sym(o, p->ksyms, s->frames[i], true, name, sizeof(name)));
	jw_arr_end(w);
	jw_obj_end(w);
}

/* A class's or a kind's pairing numbers (docs/json-schema.md, `outstanding`). */
static void view(struct jw *w, const struct mt_pair_view *v)
{
	jw_u64(w, "objects", v->count);
	jw_u64(w, "bytes", v->bytes);
	jw_u64(w, "tracked", v->tracked);
	jw_u64(w, "paired_frees", v->paired);
	jw_u64(w, "paired_bytes", v->paired_bytes);
	jw_u64(w, "unpaired_frees", v->unpaired);
	mt_jw_hist(w, "lifetime_histogram_us", v->lifetime_hist, MT_HIST_SLOTS);
	mt_jw_hist(w, "age_histogram_us", v->age_hist, MT_HIST_SLOTS);
}

/* A process's outstanding in class k, if any: the sum, then per kind of a split class. */
static void proc_class(struct jw *w, const struct mt_out_proc *o, int k)
{
	__u64 n = 0, b = 0;

	for (int kind = 0; kind < MT_PAIR_KINDS; kind++) {
		if (mt_pair_kind_class(kind) != k)
			continue;
		n += o->count[kind];
		b += o->bytes[kind];
	}
	if (!n)
		return;
	jw_obj_begin(w, mt_class_key(k));
	jw_u64(w, "objects", n);
	jw_u64(w, "bytes", b);
	for (int kind = 0; mt_pair_class_split(k) && kind < MT_PAIR_KINDS; kind++) {
		if (mt_pair_kind_class(kind) != k || !o->count[kind])
			continue;
		jw_obj_begin(w, mt_pair_kind_key(kind));
		jw_u64(w, "objects", o->count[kind]);
		jw_u64(w, "bytes", o->bytes[kind]);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

void mt_render_json_pair(struct jw *w, const struct mt_report *r, const struct mt_render_opts *o)
{
	const struct mt_pair_report *p = &r->pair;

	if (p->opts.sites) {
		jw_arr_begin(w, "call_sites");
		for (size_t i = 0; i < p->nr_sites; i++)
			if (p->sites[i].allocs)
				site(w, p, &p->sites[i], o);
		jw_arr_end(w);
	}
	if (!p->opts.pairs)
		return;
	jw_obj_begin(w, "outstanding");
	jw_u64(w, "min_age_ns", p->min_age_ns);
	jw_u64(w, "younger_objects", p->young_count);
	jw_u64(w, "younger_bytes", p->young_bytes);
	jw_obj_begin(w, "classes");
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		struct mt_pair_view v;

		if (!r->run.class_traced[k])
			continue;
		jw_obj_begin(w, mt_class_key(k));
		mt_pair_class_view(p, k, &v);
		view(w, &v);
		for (int kind = 0; mt_pair_class_split(k) && kind < MT_PAIR_KINDS; kind++) {
			if (mt_pair_kind_class(kind) != k)
				continue;
			jw_obj_begin(w, mt_pair_kind_key(kind));
			if (mt_pair_kind_traced(r, kind)) {
				jw_str(w, "availability", "measured");
				mt_pair_kind_view(p, kind, &v);
				view(w, &v);
			} else {
				jw_str(w, "availability", "unavailable");
			}
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_arr_begin(w, "processes");
	for (size_t i = 0; i < p->nr_procs; i++) {
		const struct mt_out_proc *op = &p->procs[i];

		jw_obj_begin(w, NULL);
		jw_u64(w, "tgid", op->tgid);
		jw_str(w, "comm", op->comm);
		jw_obj_begin(w, "classes");
		for (int k = 0; k < MT_CLASS_MAX; k++)
			proc_class(w, op, k);
		jw_obj_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr_begin(w, "call_sites");
	for (size_t i = 0; i < p->nr_sites_out; i++)
		site(w, p, p->sites_out[i].row, o);
	jw_arr_end(w);
	jw_obj_end(w);
	if (!p->opts.stacks)
		return;
	jw_obj_begin(w, "stacks");
	/* --stack-sample N: the rows below are N times the sampled allocations' */
	jw_u64(w, "sample", mt_pair_stack_sample(p));
	jw_bool(w, "estimated", mt_pair_stack_sample(p) > 1);
	jw_u64(w, "depth", p->stack_depth ? p->stack_depth : MT_STACK_DEPTH);
	jw_u64(w, "truncated", p->truncated_stacks);
	jw_u64(w, "truncated_allocs", p->truncated_allocs);
	jw_arr_begin(w, "outstanding");
	for (size_t i = 0; i < p->nr_stacks_out; i++)
		stack(w, p, p->stacks_out[i].row, o);
	jw_arr_end(w);
	jw_arr_begin(w, "allocating");
	for (size_t i = 0; i < p->nr_stacks; i++)
		stack(w, p, &p->stacks[i], o);
	jw_arr_end(w);
	jw_obj_end(w);
}
