// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* JSON of scoping: run.scope, each process's parent, threads, fail_if. */
#include <string.h>
#include "sys/json_writer.h"
#include "render/render.h"
#include "model/report_join.h"
#include "render/render_json_common.h"

void mt_render_json_scope(struct jw *w, const struct mt_report *r)
{
	const struct mt_scope_report *s = &r->scope;

	jw_obj_begin(w, "scope");
	jw_str(w, "kind", mt_scope_kind_key(mt_report_scope_kind(r)));
	if (s->kind == MT_SCOPE_CGROUP) {
		jw_str(w, "cgroup", s->cgroup);
		jw_u64(w, "cgroup_id", s->cgroup_id);
	}
	if (s->kind == MT_SCOPE_COMMAND) {
		jw_str(w, "command", s->command);
		jw_u64(w, "pid", s->command_pid);
		if (s->command_exited && !s->signal)
			jw_i64(w, "exit_code", s->exit_code);
		else
			jw_null(w, "exit_code");
		if (s->signal)
			jw_i64(w, "signal", s->signal);
		else
			jw_null(w, "signal");
		jw_u64(w, "forks_followed", s->n[MT_SCOPE_FORKS]);
		jw_u64(w, "forks_not_followed", s->n[MT_SCOPE_FILTER_FULL]);
		jw_u64(w, "execs", s->n[MT_SCOPE_EXECS]);
	}
	jw_str(w, "attribution", "current-task");
	jw_str(w, "frees_charged_to", mt_procx_owner_charged(r) ? "owner" : "current-task");
	jw_obj_end(w);
}

void mt_render_json_proc_parent(struct jw *w, const struct mt_report *r, __u32 tgid)
{
	__u32 ppid = mt_scope_parent(&r->scope, tgid);

	if (ppid)
		jw_u64(w, "parent", ppid);
	else
		jw_null(w, "parent");
}

static void classes(struct jw *w, const struct mt_report *r, const struct mt_thread_row *t)
{
	jw_obj_begin(w, "classes");
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		if (!r->run.class_traced[k])
			continue;
		mt_jw_row_class(w, k, t->allocs, t->bytes, t->frees, t->bytes_freed);
	}
	jw_obj_end(w);
}

void mt_render_json_threads(struct jw *w, const struct mt_report *r)
{
	const struct mt_scope_report *s = &r->scope;

	if (!s->per_thread)
		return;
	jw_arr_begin(w, "threads");
	for (size_t i = 0; i < s->nr_threads; i++) {
		const struct mt_thread_row *t = &s->threads[i];

		jw_obj_begin(w, NULL);
		jw_u64(w, "tid", t->tid);
		jw_u64(w, "tgid", t->tgid);
		jw_str(w, "comm", t->comm);
		classes(w, r, t);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void mt_render_json_ci(struct jw *w, const struct mt_report *r)
{
	const struct mt_ci_report *ci = &r->ci;

	if (!ci->nr)
		return;
	jw_arr_begin(w, "fail_if");
	for (size_t i = 0; i < ci->nr; i++) {
		const struct mt_ci_result *c = &ci->res[i];

		jw_obj_begin(w, NULL);
		jw_str(w, "expr", c->expr.text);
		jw_str(w, "metric", c->expr.metric);
		if (c->measured)
			jw_i64(w, "value", c->value);
		else
			jw_null(w, "value");
		jw_i64(w, "threshold", c->threshold);
		/* relative to --baseline: the baseline's value, and what moved most */
		if (c->expr.rel) {
			jw_i64(w, "baseline", mt_round_ll(c->base));
			jw_str(w, "moved_most", c->movers);
		}
		jw_bool(w, "failed", c->failed);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}
