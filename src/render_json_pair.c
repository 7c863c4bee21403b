// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* JSON of pairing, call sites and stacks; keys documented in docs/json-schema.md. */
#include "json_writer.h"
#include "mt_hist.h"
#include "render.h"

void mt_render_json_pair_losses(struct jw *w, const struct mt_report *r)
{
	for (int i = 0; i < MT_PLOSS_MAX; i++)
		jw_u64(w, mt_pair_loss_key(i), r->pair.tot.lost[i]);
}

static void hist(struct jw *w, const char *key, const __u64 *slots)
{
	jw_arr_begin(w, key);
	for (int i = 0; i < MT_HIST_SLOTS; i++) {
		if (!slots[i])
			continue;
		jw_obj_begin(w, NULL);
		jw_u64(w, "low", mt_hist_slot_low(i));
		jw_u64(w, "high", mt_hist_slot_high(i));
		jw_u64(w, "count", slots[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void symbol(struct jw *w, const struct mt_pair_report *p, const char *key, __u64 addr)
{
	char name[192];

	if (addr && p->ksyms && mt_ksyms_find(p->ksyms, addr))
		jw_str(w, key, mt_ksyms_fmt(p->ksyms, addr, true, name, sizeof(name)));
	else
		jw_null(w, key);
}

static void site(struct jw *w, const struct mt_pair_report *p, const struct mt_site_row *s)
{
	jw_obj_begin(w, NULL);
	if (s->call_site)
		jw_hex(w, "address", s->call_site);
	else
		jw_null(w, "address");
	symbol(w, p, "symbol", s->call_site);
	jw_str(w, "class", mt_class_key(s->cls));
	jw_u64(w, "allocs", s->allocs);
	jw_u64(w, "bytes_requested", s->bytes_req);
	jw_u64(w, "bytes_allocated", s->bytes_alloc);
	jw_u64(w, "outstanding", s->out_count);
	jw_u64(w, "outstanding_bytes", s->out_bytes);
	jw_obj_end(w);
}

static void stack(struct jw *w, const struct mt_pair_report *p, const struct mt_stack_row *s)
{
	char name[192];

	jw_obj_begin(w, NULL);
	jw_i64(w, "stack_id", s->stack_id);
	jw_str(w, "class", mt_class_key(s->cls));
	jw_u64(w, "allocs", s->allocs);
	jw_u64(w, "bytes_allocated", s->bytes);
	jw_u64(w, "outstanding", s->out_count);
	jw_u64(w, "outstanding_bytes", s->out_bytes);
	jw_arr_begin(w, "frames");
	for (__u32 i = s->frames ? mt_pair_first_frame(p, s->frames, s->nr_frames) : 0;
	     s->frames && i < s->nr_frames; i++)
		jw_str(w, NULL, mt_ksyms_fmt(p->ksyms, s->frames[i], true, name, sizeof(name)));
	jw_arr_end(w);
	jw_obj_end(w);
}

void mt_render_json_pair(struct jw *w, const struct mt_report *r)
{
	const struct mt_pair_report *p = &r->pair;

	if (p->opts.sites) {
		jw_arr_begin(w, "call_sites");
		for (size_t i = 0; i < p->nr_sites; i++)
			if (p->sites[i].allocs)
				site(w, p, &p->sites[i]);
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
		if (!r->run.class_traced[k])
			continue;
		jw_obj_begin(w, mt_class_key(k));
		jw_u64(w, "objects", p->out[k].count);
		jw_u64(w, "bytes", p->out[k].bytes);
		jw_u64(w, "tracked", p->tot.tracked[k]);
		jw_u64(w, "paired_frees", p->tot.paired[k]);
		jw_u64(w, "paired_bytes", p->tot.paired_bytes[k]);
		jw_u64(w, "unpaired_frees", p->tot.unpaired[k]);
		hist(w, "lifetime_histogram_us", p->tot.lifetime_hist[k]);
		hist(w, "age_histogram_us", p->out[k].age_hist);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_arr_begin(w, "processes");
	for (size_t i = 0; i < p->nr_procs; i++) {
		const struct mt_out_proc *o = &p->procs[i];

		jw_obj_begin(w, NULL);
		jw_u64(w, "tgid", o->tgid);
		jw_str(w, "comm", o->comm);
		jw_obj_begin(w, "classes");
		for (int k = 0; k < MT_CLASS_MAX; k++) {
			if (!o->count[k])
				continue;
			jw_obj_begin(w, mt_class_key(k));
			jw_u64(w, "objects", o->count[k]);
			jw_u64(w, "bytes", o->bytes[k]);
			jw_obj_end(w);
		}
		jw_obj_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr_begin(w, "call_sites");
	for (size_t i = 0; i < p->nr_sites_out; i++)
		site(w, p, p->sites_out[i].row);
	jw_arr_end(w);
	jw_obj_end(w);
	if (!p->opts.stacks)
		return;
	jw_obj_begin(w, "stacks");
	jw_arr_begin(w, "outstanding");
	for (size_t i = 0; i < p->nr_stacks_out; i++)
		stack(w, p, p->stacks_out[i].row);
	jw_arr_end(w);
	jw_arr_begin(w, "allocating");
	for (size_t i = 0; i < p->nr_stacks; i++)
		stack(w, p, &p->stacks[i]);
	jw_arr_end(w);
	jw_obj_end(w);
}
