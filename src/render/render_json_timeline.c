// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The JSON report's `timeline` (docs/json-schema.md): one object per point, oldest first. */
#include "sys/json_writer.h"
#include "render/render.h"

static void named(struct jw *w, const char *key, const char *name_key, const struct mt_tl_named *n,
		  unsigned int nr)
{
	jw_arr_begin(w, key);
	for (unsigned int i = 0; i < nr; i++) {
		jw_obj_begin(w, NULL);
		jw_str(w, name_key, n[i].name);
		jw_u64(w, "allocs", n[i].allocs);
		jw_u64(w, "bytes_allocated", n[i].bytes);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void point(struct jw *w, const struct mt_report *r, const struct mt_tl_point *p)
{
	jw_obj_begin(w, NULL);
	jw_dbl(w, "t_s", p->t_s);
	jw_dbl(w, "dt_s", p->dt_s);
	jw_obj_begin(w, "classes");
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		const struct mt_tl_class *c = &p->cls[k];

		/* the classes the report has: traced ones (an untraced one is all zero) */
		if (!r->run.class_traced[k] && !c->allocs && !c->frees && !c->net_bytes)
			continue;
		jw_obj_begin(w, mt_class_key(k));
		jw_u64(w, "allocs", c->allocs);
		jw_u64(w, "frees", c->frees);
		jw_u64(w, "bytes_allocated", c->bytes_alloc);
		jw_u64(w, "bytes_freed", c->bytes_freed);
		jw_i64(w, "outstanding_bytes", c->net_bytes);
		jw_i64(w, "outstanding", c->net_objs);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	named(w, "processes", "comm", p->procs, p->nr_procs);
	named(w, "caches", "name", p->caches, p->nr_caches);
	jw_u64(w, "stalls", p->stalls);
	jw_u64(w, "stall_ns", p->stall_ns);
	jw_u64(w, "lost", p->lost);
	jw_obj_end(w);
}

void mt_render_json_timeline(struct jw *w, const struct mt_report *r)
{
	const struct mt_timeline *tl = &r->tl;

	if (!tl->nr) {
		jw_null(w, "timeline"); /* a recording made before timelines, or none taken */
		return;
	}
	jw_obj_begin(w, "timeline");
	jw_dbl(w, "interval_s", tl->interval_s);
	jw_arr_begin(w, "points");
	for (size_t i = 0; i < tl->nr; i++)
		point(w, r, &tl->p[i]);
	jw_arr_end(w);
	jw_obj_end(w);
}
