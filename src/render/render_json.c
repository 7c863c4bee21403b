// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The JSON report, schema documented in docs/json-schema.md. Keys are only ever added
 * within a schema_version; renaming or removing one bumps it.
 */
#include "sys/json_writer.h"
#include "mt_hist.h"
#include "render/render.h"

static void counts(struct jw *w, const struct mt_counts *c)
{
	jw_u64(w, "allocs", c->allocs);
	jw_u64(w, "frees", c->frees);
	jw_u64(w, "bytes_requested", c->bytes_req);
	jw_u64(w, "bytes_allocated", c->bytes_alloc);
	jw_u64(w, "bytes_freed", c->bytes_freed);
	jw_i64(w, "net_bytes", mt_counts_net(c));
	jw_u64(w, "frees_unsized", c->frees_unsized);
	jw_u64(w, "failures", c->failures);
	jw_u64(w, "null_frees", c->null_frees);
}

static void hist(struct jw *w, const char *key, const __u64 *slots, int n)
{
	jw_arr_begin(w, key);
	for (int i = 0; i < n; i++) {
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

static void run_info(struct jw *w, const struct mt_report *r, const struct mt_render_opts *o)
{
	const struct mt_run_info *ri = &r->run;

	jw_obj_begin(w, "kernel");
	jw_str(w, "release", ri->release);
	jw_str(w, "arch", ri->arch);
	jw_u64(w, "page_size", ri->page_size);
	jw_u64(w, "page_shift", ri->page_shift);
	jw_str(w, "btf", ri->btf);
	/* the bases are KASLR's secret: null unless --raw-addresses (kfree_sized says known) */
	if (ri->vmemmap_base && o->raw_addresses)
		jw_hex(w, "vmemmap_base", ri->vmemmap_base);
	else
		jw_null(w, "vmemmap_base");
	if (ri->page_offset_base && o->raw_addresses)
		jw_hex(w, "page_offset_base", ri->page_offset_base);
	else
		jw_null(w, "page_offset_base");
	jw_bool(w, "kfree_sized", ri->kfree_sized);
	jw_obj_end(w);

	jw_obj_begin(w, "run");
	jw_str(w, "attach", ri->attach);
	jw_dbl(w, "duration_s", ri->duration_s);
	jw_bool(w, "raw_addresses", o->raw_addresses);
	jw_arr_begin(w, "pids");
	for (int i = 0; i < ri->nr_pids; i++)
		jw_u64(w, NULL, ri->pids[i]);
	jw_arr_end(w);
	jw_u64(w, "events", r->tot.events);
	jw_obj_begin(w, "lost");
	jw_u64(w, "total", mt_report_lost_total(r));
	jw_u64(w, "missed_runs", ri->missed_runs);
	for (int i = 0; i < MT_LOSS_MAX; i++)
		jw_u64(w, mt_loss_key(i), r->tot.lost[i]);
	mt_render_json_pair_losses(w, r);
	jw_obj_end(w);
	jw_u64(w, "task_table_full", r->scope.n[MT_SCOPE_TASK_FULL]);
	jw_obj_begin(w, "self");
	jw_bool(w, "included", ri->self_included);
	jw_u64(w, "events_left_out", r->scope.n[MT_SCOPE_SELF]);
	jw_dbl(w, "cpu_s", ri->self_cpu_s);
	jw_u64(w, "max_rss_bytes", ri->self_max_rss);
	jw_u64(w, "bpf_map_bytes", ri->self_map_bytes);
	jw_obj_end(w);
	mt_render_json_scope(w, r);
	if (ri->recorded[0]) {
		jw_obj_begin(w, "recorded");
		jw_str(w, "file", ri->recorded);
		jw_bool(w, "truncated", ri->truncated);
		if (ri->truncated)
			jw_str(w, "truncated_why", ri->truncated_why);
		else
			jw_null(w, "truncated_why");
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void classes(struct jw *w, const struct mt_report *r, const struct mt_render_opts *o)
{
	jw_obj_begin(w, "classes");
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		jw_obj_begin(w, mt_class_key(k));
		jw_bool(w, "traced", r->run.class_traced[k]);
		if (r->run.class_traced[k]) {
			counts(w, &r->tot.cls[k]);
			hist(w, "size_histogram", r->tot.size_hist[k], MT_HIST_SLOTS);
		}
		mt_render_json_classes(w, r, k, o);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void slab(struct jw *w, const struct mt_report *r)
{
	const struct mt_counts *c = &r->tot.cls[MT_CLASS_LOGICAL];

	if (!r->run.class_traced[MT_CLASS_LOGICAL])
		return;
	jw_obj_begin(w, "slab");
	jw_u64(w, "bytes_requested", c->bytes_req);
	jw_u64(w, "bytes_allocated", c->bytes_alloc);
	jw_u64(w, "fragmentation_bytes", c->bytes_alloc - c->bytes_req);
	jw_arr_begin(w, "caches");
	for (size_t i = 0; i < r->nr_caches; i++) {
		const struct mt_cache_row *k = &r->caches[i];

		jw_obj_begin(w, NULL);
		jw_str(w, "name", k->name);
		jw_str(w, "kind", k->is_kmalloc ? "kmalloc" : "cache");
		jw_u64(w, "object_size", k->object_size);
		jw_u64(w, "size", k->size);
		jw_u64(w, "allocs", k->allocs);
		jw_u64(w, "frees", k->frees);
		jw_u64(w, "bytes_requested", k->bytes_req);
		jw_u64(w, "bytes_allocated", k->bytes_alloc);
		jw_u64(w, "bytes_freed", k->bytes_freed);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void pages(struct jw *w, const struct mt_report *r)
{
	const struct mt_stats *t = &r->tot;

	if (!r->run.class_traced[MT_CLASS_PHYSICAL])
		return;
	jw_obj_begin(w, "pages");
	jw_arr_begin(w, "orders");
	for (int o = 0; o < MT_ORDER_SLOTS; o++) {
		if (!t->order_allocs[o] && !t->order_frees[o])
			continue;
		jw_obj_begin(w, NULL);
		jw_u64(w, "order", o);
		jw_u64(w, "allocs", t->order_allocs[o]);
		jw_u64(w, "frees", t->order_frees[o]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_arr_begin(w, "zones");
	for (int z = 0; z < r->zones.nr; z++) {
		const struct mt_zone *zn = &r->zones.z[z];

		jw_obj_begin(w, NULL);
		jw_u64(w, "node", zn->node);
		jw_str(w, "zone", zn->name);
		jw_u64(w, "start_pfn", zn->start_pfn);
		jw_u64(w, "end_pfn", zn->start_pfn + zn->spanned);
		jw_u64(w, "present_pages", zn->present);
		jw_u64(w, "pages_allocated", t->zone_allocs[z]);
		jw_u64(w, "pages_freed", t->zone_frees[z]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_begin(w, "unknown_zone");
	jw_u64(w, "pages_allocated", t->zone_allocs[MT_ZONE_UNKNOWN]);
	jw_u64(w, "pages_freed", t->zone_frees[MT_ZONE_UNKNOWN]);
	jw_obj_end(w);
	jw_obj_end(w);
}

static void processes(struct jw *w, const struct mt_report *r)
{
	jw_arr_begin(w, "processes");
	for (size_t i = 0; i < r->nr_procs; i++) {
		const struct mt_proc_row *p = &r->procs[i];

		jw_obj_begin(w, NULL);
		if (mt_proc_join_tgid(p) == MT_TGID_NONE)
			jw_null(w, "tgid");
		else
			jw_u64(w, "tgid", p->tgid);
		jw_str(w, "comm", p->comm);
		mt_render_json_proc_parent(w, r, mt_proc_join_tgid(p));
		mt_render_json_proc_life(w, p);
		jw_obj_begin(w, "classes");
		for (int k = 0; k < MT_CLASS_MAX; k++) {
			/* faults, DMA and kmap are attributed in their own sections, not here */
			if (!r->run.class_traced[k] || k == MT_CLASS_USER || k == MT_CLASS_BUS ||
			    k == MT_CLASS_HIGH)
				continue;
			jw_obj_begin(w, mt_class_key(k));
			jw_u64(w, "allocs", p->allocs[k]);
			jw_u64(w, "bytes_allocated", p->bytes[k]);
			jw_u64(w, "frees", p->frees[k]);
			jw_u64(w, "bytes_freed", p->bytes_freed[k]);
			jw_obj_end(w);
		}
		jw_obj_end(w);
		mt_render_json_procx(w, r, mt_proc_join_tgid(p));
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

int mt_render_json(FILE *f, const struct mt_report *r, const struct mt_render_opts *o)
{
	struct jw w;

	/* JSON always carries every row (o->top unused): consumers filter */
	jw_init(&w, f, true);
	jw_obj_begin(&w, NULL);
	jw_u64(&w, "schema_version", MT_JSON_SCHEMA_VERSION);
	jw_str(&w, "memtrace_version", MEMTRACE_VERSION);
	run_info(&w, r, o);
	classes(&w, r, o);
	slab(&w, r);
	pages(&w, r);
	mt_render_json_zones(&w, r);
	processes(&w, r);
	mt_render_json_threads(&w, r);
	mt_render_json_ci(&w, r);
	mt_render_json_pair(&w, r, o);
	mt_render_json_latency(&w, r);
	mt_render_json_timeline(&w, r);
	jw_obj_end(&w);
	return jw_end(&w);
}
