// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* JSON: the per-process keys beyond allocations (processes[].outstanding, ...). */
#include "sys/json_writer.h"
#include "render/render.h"
#include "model/report_join.h"

/* What exec and exit told of the process; see docs/json-schema.md, processes. */
void mt_render_json_proc_life(struct jw *w, const struct mt_proc_row *p)
{
	jw_u64(w, "processes", p->nr);
	jw_bool(w, "exited", p->exited);
	if (p->exited)
		jw_dbl(w, "exit_s", (double)p->exit_ns / 1e9);
	else
		jw_null(w, "exit_s");
	jw_u64(w, "execs", p->execs);
	jw_arr_begin(w, "earlier_comms");
	for (int k = 0; k < MT_EARLIER_NAMES && p->earlier[k][0]; k++)
		jw_str(w, NULL, p->earlier[k]);
	jw_arr_end(w);
	if (p->exe[0])
		jw_str(w, "exe", p->exe);
	else
		jw_null(w, "exe");
}

void mt_render_json_procx(struct jw *w, const struct mt_report *r, __u32 tgid)
{
	const struct mt_procx_row *x = mt_procx_find(&r->px, tgid);
	const struct mt_lat_proc_row *l = mt_procx_stalls(r, tgid);
	bool owner = mt_procx_owner_charged(r);
	static const struct mt_owner_frees none;
	const struct mt_owner_frees *of = x && x->has_owner ? &x->of : &none;

	if (owner) {
		const struct mt_out_proc *o = mt_procx_outstanding(r, tgid);

		jw_obj_begin(w, "outstanding");
		for (int k = 0; k < MT_CLASS_MAX; k++) {
			if (!mt_report_proc_class(r, k))
				continue;
			jw_obj_begin(w, mt_class_key(k));
			jw_u64(w, "objects", o ? o->count[k] : 0);
			jw_u64(w, "bytes", o ? o->bytes[k] : 0);
			jw_obj_end(w);
		}
		jw_u64(w, "total_bytes", o ? o->total_bytes : 0);
		jw_obj_end(w);
		jw_obj_begin(w, "freed_by_others");
		for (int k = 0; k < MT_CLASS_MAX; k++) {
			if (!mt_report_proc_class(r, k))
				continue;
			jw_obj_begin(w, mt_class_key(k));
			jw_u64(w, "frees", of->by_others[k]);
			jw_u64(w, "bytes", of->by_others_bytes[k]);
			jw_u64(w, "by_kernel_threads", of->by_kthread[k]);
			jw_obj_end(w);
		}
		jw_obj_end(w);
		jw_obj_begin(w, "frees_of_others");
		for (int k = 0; k < MT_CLASS_MAX; k++) {
			if (!mt_report_proc_class(r, k))
				continue;
			jw_obj_begin(w, mt_class_key(k));
			jw_u64(w, "frees", of->of_others[k]);
			jw_u64(w, "bytes", of->of_others_bytes[k]);
			jw_obj_end(w);
		}
		jw_obj_end(w);
	} else {
		jw_null(w, "outstanding");
		jw_null(w, "freed_by_others");
		jw_null(w, "frees_of_others");
	}
	if (r->x.fault_traced) {
		jw_obj_begin(w, "page_faults");
		jw_u64(w, "user", x ? x->faults_user : 0);
		jw_u64(w, "kernel", x ? x->faults_kernel : 0);
		jw_u64(w, "total", mt_procx_faults(x));
		jw_obj_end(w);
	} else {
		jw_null(w, "page_faults");
	}
	if (r->lat.stalls) {
		jw_obj_begin(w, "stalls");
		jw_u64(w, "count", l ? l->stall_count : 0);
		jw_u64(w, "total_ns", l ? l->stall_ns : 0);
		jw_obj_end(w);
	} else {
		jw_null(w, "stalls");
	}
}
