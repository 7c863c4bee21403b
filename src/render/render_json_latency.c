// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The "latency" object of the JSON report (docs/json-schema.md). */
#include "sys/json_writer.h"
#include "render/render.h"
#include "render/render_json_common.h"

static void kinds(struct jw *w, const struct mt_latency *m)
{
	jw_obj_begin(w, "kinds");
	for (int k = 0; k < MT_LAT_KINDS; k++) {
		const struct mt_lat_kind_stats *s = &m->tot.k[k];

		if (!mt_lat_kind_shown(m, k))
			continue;
		jw_obj_begin(w, mt_lat_kind_key(k));
		jw_str(w, "kind", mt_lat_is_stall(k) ? "stall" : "call");
		jw_bool(w, "traced", m->traced[k]);
		if (m->traced[k]) {
			jw_u64(w, "count", s->count);
			jw_u64(w, "total_ns", s->total_ns);
			jw_u64(w, "max_ns", s->max_ns);
			jw_u64(w, "unmeasured", mt_lat_unmeasured(m, k));
			jw_u64(w, "unpaired_ends", s->unpaired_ends);
			jw_u64(w, "open_at_end", m->open_at_end[k]);
			jw_u64(w, "too_deep", s->too_deep);
			jw_u64(w, "table_full", s->table_full);
			jw_u64(w, "detail_lost", s->detail_lost);
			if (k == MT_LAT_THROTTLED)
				jw_u64(w, "reached_timeout", s->reached_timeout);
			mt_jw_hist(w, "histogram_us", s->hist, MT_HIST_SLOTS);
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void orders(struct jw *w, const struct mt_report *r)
{
	const struct mt_latency *m = &r->lat;

	jw_arr_begin(w, "by_order");
	for (size_t i = 0; i < m->nr_orders; i++) {
		const struct mt_lat_order_row *o = &m->orders[i];
		const char *zone;

		jw_obj_begin(w, NULL);
		jw_str(w, "kind", mt_lat_kind_key(o->kind));
		if (o->order == MT_LAT_ORDER_NONE)
			jw_null(w, "order");
		else
			jw_i64(w, "order", o->order);
		zone = mt_zone_slot_name(&r->zones, o->zone);
		if (zone)
			jw_str(w, "zone", zone);
		else
			jw_null(w, "zone");
		jw_u64(w, "count", o->count);
		jw_u64(w, "total_ns", o->total_ns);
		mt_jw_hist(w, "histogram_us", o->hist, MT_HIST_SLOTS);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void procs(struct jw *w, const struct mt_latency *m)
{
	jw_arr_begin(w, "processes");
	for (size_t i = 0; i < m->nr_procs; i++) {
		const struct mt_lat_proc_row *p = &m->procs[i];

		jw_obj_begin(w, NULL);
		jw_u64(w, "tgid", p->tgid);
		jw_str(w, "comm", p->comm);
		jw_u64(w, "stall_count", p->stall_count);
		jw_u64(w, "stall_ns", p->stall_ns);
		jw_obj_begin(w, "kinds");
		for (int k = 0; k < MT_LAT_KINDS; k++) {
			if (!p->count[k])
				continue;
			jw_obj_begin(w, mt_lat_kind_key(k));
			jw_u64(w, "count", p->count[k]);
			jw_u64(w, "total_ns", p->total_ns[k]);
			jw_u64(w, "max_ns", p->max_ns[k]);
			jw_obj_end(w);
		}
		jw_obj_end(w);
		mt_jw_hist(w, "stall_histogram_us", p->stall_hist, MT_HIST_SLOTS);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void calls(struct jw *w, const struct mt_latency *m)
{
	const char *why = mt_lat_call_unavailable(m);

	jw_obj_begin(w, "calls");
	jw_bool(w, "requested", m->calls_requested);
	if (m->calls_requested) {
		if (why) {
			jw_null(w, "hook");
			jw_str(w, "unavailable", why);
		} else {
			jw_str(w, "hook", m->call_hook == MT_HOOK_FENTRY ? "fentry" : "kprobe");
			jw_null(w, "unavailable");
		}
		if (m->call_hook != MT_HOOK_NONE && m->call_missing[0])
			jw_str(w, "not_hooked", m->call_missing);
		else
			jw_null(w, "not_hooked");
		jw_obj_begin(w, "functions");
		for (int s = 0; s < MT_CALL_SLOTS; s++) {
			const char *key = mt_lat_kind_key(mt_call_slot_kind(s));

			/* kmalloc has two entry points: the constant-size one is its own key */
			if (s == MT_CALL_KMALLOC_CACHE)
				key = "kmalloc_cache";
			if (m->call_func[s][0] && m->call_hook != MT_HOOK_NONE)
				jw_str(w, key, m->call_func[s]);
			else
				jw_null(w, key);
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

void mt_render_json_latency(struct jw *w, const struct mt_report *r)
{
	const struct mt_latency *m = &r->lat;

	if (!mt_lat_shown(m))
		return;
	jw_obj_begin(w, "latency");
	jw_bool(w, "stalls", m->stalls);
	calls(w, m);
	kinds(w, m);
	orders(w, r);
	procs(w, m);
	jw_obj_end(w);
}
