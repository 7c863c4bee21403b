// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Scoping in the model and the renderers: the followed tree (parents, comm after exec), the
 * per-thread table, the scope line and the --fail-if verdicts, in text (80 columns) and in
 * JSON read back with json-c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/metrics.h"
#include "render/render.h"
#include "model/report_join.h"

static void add_proc(struct mt_report *r, __u32 tgid, const char *comm, __u64 slab)
{
	struct mt_proc p[2] = {};

	snprintf(p[0].comm, sizeof(p[0].comm), "%s", comm);
	p[0].allocs[MT_CLASS_LOGICAL] = 1;
	p[0].bytes[MT_CLASS_LOGICAL] = slab;
	p[1].bytes[MT_CLASS_LOGICAL] = slab; /* a second CPU */
	assert_int_equal(mt_report_add_proc(r, tgid, p, 2), 0);
}

static void add_tree(struct mt_report *r, __u32 tgid, __u32 ppid, const char *comm)
{
	struct mt_tree_node n = { .ppid = ppid, .execs = 1 };

	snprintf(n.comm, sizeof(n.comm), "%s", comm);
	assert_int_equal(mt_scope_add_tree(&r->scope, tgid, &n), 0);
}

/* A command (pid 100, "sh") that forked 101 ("ls") and 102, which forked 103. */
static void build(struct mt_report *r)
{
	struct mt_thread t[2] = {};
	struct mt_scope_stats st[2] = {};
	struct mt_expr e;
	char err[128];

	mt_report_init(r);
	snprintf(r->run.release, sizeof(r->run.release), "6.18.0");
	r->run.page_size = 4096;
	r->run.class_traced[MT_CLASS_LOGICAL] = true;
	r->run.class_traced[MT_CLASS_PHYSICAL] = true;
	r->scope.kind = MT_SCOPE_COMMAND;
	r->scope.command_pid = 100;
	snprintf(r->scope.command, sizeof(r->scope.command), "sh -c 'ls; x'");
	r->scope.command_exited = true;
	r->scope.exit_code = 3;
	r->scope.per_thread = true;
	add_proc(r, 101, "sh", 5000); /* comm before exec: the tree renames it */
	add_proc(r, 100, "memtrace", 1000);
	add_proc(r, 103, "worker", 300);
	add_tree(r, 103, 102, "worker");
	add_tree(r, 100, 0, "sh");
	add_tree(r, 101, 100, "ls");
	add_tree(r, 102, 100, "sh");
	st[0].n[MT_SCOPE_FORKS] = 2;
	st[1].n[MT_SCOPE_FORKS] = 1;
	mt_scope_add_stats(&r->scope, st, 2);
	t[0].tgid = 101;
	snprintf(t[0].comm, sizeof(t[0].comm), "sh");
	t[0].bytes[MT_CLASS_LOGICAL] = 7;
	t[1].bytes[MT_CLASS_LOGICAL] = 3;
	assert_int_equal(mt_scope_add_thread(&r->scope, 101, t, 2), 0);
	t[0].tgid = 100;
	snprintf(t[0].comm, sizeof(t[0].comm), "helper");
	t[0].bytes[MT_CLASS_LOGICAL] = 100;
	assert_int_equal(mt_scope_add_thread(&r->scope, 107, t, 1), 0);
	mt_report_finish(r);
	mt_scope_finish(r);
	assert_int_equal(mt_expr_parse("lost > 0", &e, err, sizeof(err)), 0);
	mt_ci_evaluate(r, &e, 1, NULL);
}

static void test_model(void **state)
{
	struct mt_report r;
	const struct mt_tree_row *t;

	build(&r);
	assert_int_equal(r.scope.n[MT_SCOPE_FORKS], 3);
	assert_int_equal(r.scope.nr_tree, 4);
	t = mt_scope_tree_find(&r.scope, 103);
	assert_non_null(t);
	assert_int_equal(t->ppid, 102);
	assert_null(mt_scope_tree_find(&r.scope, 999));
	/* processes sorted by bytes; named after their exec */
	assert_int_equal(r.procs[0].tgid, 101);
	assert_string_equal(r.procs[0].comm, "ls");
	assert_string_equal(r.procs[1].comm, "sh");
	/* threads: summed over CPUs, sorted, main thread renamed after exec */
	assert_int_equal(r.scope.nr_threads, 2);
	assert_int_equal(r.scope.threads[0].tid, 107);
	assert_string_equal(r.scope.threads[0].comm, "helper");
	assert_int_equal(r.scope.threads[1].total_bytes, 10);
	assert_string_equal(r.scope.threads[1].comm, "ls");
	assert_int_equal(r.ci.failed, 0);
	mt_report_free(&r);
}

static char *render_text(const struct mt_report *r)
{
	struct mt_render_opts o = { .top = 10 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	mt_render_text(f, r, &o);
	fclose(f);
	return buf;
}

static void test_text(void **state)
{
	struct mt_report r;
	char *s, *line, *save = NULL;

	build(&r);
	s = render_text(&r);
	assert_non_null(strstr(s, "scope     command pid 100 and the 3 processes it forked"));
	assert_non_null(strstr(s, "command   sh -c 'ls; x'"));
	assert_non_null(strstr(s, "exited with status 3"));
	assert_non_null(strstr(s, "RCU, softirq or kworkers counts where it ran"));
	assert_non_null(strstr(s, "PROCESS TREE"));
	assert_non_null(strstr(s, "     101      100 ls "));
	assert_non_null(strstr(s, "     100        - sh "));
	assert_non_null(strstr(s, "THREADS (--per-thread)"));
	assert_non_null(strstr(s, "     107      100 helper"));
	assert_non_null(strstr(s, "ok    lost > 0: lost is 0"));
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > 80)
			fail_msg("line over 80 columns: %s", line);
	free(s);
	mt_report_free(&r);
}

static void test_text_other_scopes(void **state)
{
	struct mt_report r;
	char *s;

	mt_report_init(&r);
	s = render_text(&r);
	assert_non_null(strstr(s, "scope     system-wide\n"));
	assert_null(strstr(s, "kworkers"));
	assert_null(strstr(s, "PROCESS TREE"));
	assert_null(strstr(s, "THREADS"));
	assert_null(strstr(s, "CHECKS"));
	free(s);
	r.scope.kind = MT_SCOPE_CGROUP;
	snprintf(r.scope.cgroup, sizeof(r.scope.cgroup), "/sys/fs/cgroup/unified/ci");
	r.scope.cgroup_id = 4242;
	s = render_text(&r);
	assert_non_null(
		strstr(s, "scope     cgroup /sys/fs/cgroup/unified/ci (id 4242) and below"));
	free(s);
	mt_report_free(&r);
}

static void test_json(void **state)
{
	struct mt_render_opts o = { .top = 10 };
	struct json_object *j, *v, *procs, *p, *th, *fi;
	struct mt_report r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	build(&r);
	f = open_memstream(&buf, &len);
	assert_int_equal(mt_render_json(f, &r, &o), 0);
	fclose(f);
	j = json_tokener_parse(buf);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(json_object_object_get(j, "run"), "scope", &v));
	assert_string_equal(json_object_get_string(json_object_object_get(v, "kind")), "command");
	assert_int_equal(json_object_get_int(json_object_object_get(v, "pid")), 100);
	assert_int_equal(json_object_get_int(json_object_object_get(v, "exit_code")), 3);
	assert_null(json_object_object_get(v, "signal"));
	assert_int_equal(json_object_get_int(json_object_object_get(v, "forks_followed")), 3);
	procs = json_object_object_get(j, "processes");
	p = json_object_array_get_idx(procs, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(p, "comm")), "ls");
	assert_int_equal(json_object_get_int(json_object_object_get(p, "parent")), 100);
	p = json_object_array_get_idx(procs, 1);
	assert_true(json_object_object_get_ex(p, "parent", &v));
	assert_null(v); /* the root has no parent in the tree */
	th = json_object_object_get(j, "threads");
	assert_int_equal(json_object_array_length(th), 2);
	assert_int_equal(json_object_get_int(
				 json_object_object_get(json_object_array_get_idx(th, 1), "tid")),
			 101);
	fi = json_object_object_get(j, "fail_if");
	assert_int_equal(json_object_array_length(fi), 1);
	p = json_object_array_get_idx(fi, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(p, "expr")), "lost > 0");
	assert_false(json_object_get_boolean(json_object_object_get(p, "failed")));
	json_object_put(j);
	free(buf);
	mt_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_other_scopes),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests_name("scope", tests, NULL, NULL);
}
