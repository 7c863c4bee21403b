// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Processes that exec and end (src/model/model.c mt_report_apply_tasks, _add_exited): the
 * name after exec wins and the first is kept, ended processes keep exact counts in rows of
 * their own or folded by name, and the rows (live + ended + folded) add up to the totals in
 * text and JSON. Synthetic rows only, as the BPF side and the reaper would leave them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "render/render.h"

#define START_NS 1000000000ULL

static void proc(struct mt_report *r, __u32 tgid, const char *comm, __u64 allocs, __u64 bytes)
{
	struct mt_proc p = {};

	snprintf(p.comm, sizeof(p.comm), "%s", comm);
	p.allocs[MT_CLASS_LOGICAL] = allocs;
	p.bytes[MT_CLASS_LOGICAL] = bytes;
	assert_int_equal(mt_report_add_proc(r, tgid, &p, 1), 0);
	r->tot.cls[MT_CLASS_LOGICAL].allocs += allocs;
	r->tot.cls[MT_CLASS_LOGICAL].bytes_alloc += bytes;
}

static void exited(struct mt_report *r, __u32 key, __u32 tgid, __u32 nr, const char *comm,
		   __u64 allocs, __u64 bytes)
{
	struct mt_proc_exited e = { .tgid = tgid, .nr = nr, .exit_ns = START_NS + 2500000000ULL };

	snprintf(e.p.comm, sizeof(e.p.comm), "%s", comm);
	snprintf(e.exe, sizeof(e.exe), "/bin/%s", comm);
	e.execs = nr;
	e.p.allocs[MT_CLASS_LOGICAL] = allocs;
	e.p.bytes[MT_CLASS_LOGICAL] = bytes;
	assert_int_equal(mt_report_add_exited(r, key, &e, START_NS), 0);
	r->tot.cls[MT_CLASS_LOGICAL].allocs += allocs;
	r->tot.cls[MT_CLASS_LOGICAL].bytes_alloc += bytes;
}

/* Two live processes (one exec'd, one ended but not yet moved), one moved, 20,000 folded. */
static void build(struct mt_report *r)
{
	__u32 tgids[2] = { 200, 300 };
	struct mt_task t[2] = {};

	mt_report_init(r);
	r->run.class_traced[MT_CLASS_LOGICAL] = true;
	r->run.duration_s = 3;
	proc(r, 100, "bash", 1000, 64000);
	proc(r, 200, "bash", 500, 32000);
	proc(r, 300, "make", 50, 3200);
	/* forked as bash, exec'd sh, then alloc-prog */
	snprintf(t[0].comm, sizeof(t[0].comm), "alloc-prog");
	snprintf(t[0].prev[1], sizeof(t[0].prev[1]), "sh");
	snprintf(t[0].exe, sizeof(t[0].exe), "./alloc-prog");
	t[0].execs = 2;
	t[1].exit_ns = START_NS + 1500000000ULL;
	assert_int_equal(mt_report_apply_tasks(r, tgids, t, 2, START_NS), 0);
	exited(r, 1, 400, 1, "cc1", 7, 448);
	exited(r, MT_EXITED_FOLDED, 0, 19999, "true", 19999 * 3, 19999 * 96);
	/* the last true, ended but still in the kernel's table when it was read */
	{
		__u32 last = 500;
		struct mt_task lt = { .exit_ns = START_NS + 2600000000ULL };

		proc(r, last, "true", 3, 96);
		assert_int_equal(mt_report_apply_tasks(r, &last, &lt, 1, START_NS), 0);
	}
	mt_report_fold_ended(r);
	mt_report_finish(r);
}

static const struct mt_proc_row *row_of(const struct mt_report *r, const char *comm)
{
	for (size_t i = 0; i < r->nr_procs; i++)
		if (!strcmp(r->procs[i].comm, comm))
			return &r->procs[i];
	fail_msg("no row %s", comm);
	return NULL;
}

static void test_names_and_exits(void **state)
{
	const struct mt_proc_row *p;
	struct mt_report r;

	(void)state;
	build(&r);
	p = row_of(&r, "alloc-prog");
	assert_int_equal(p->tgid, 200);
	assert_string_equal(p->earlier[0], "bash");
	assert_string_equal(p->earlier[1], "sh");
	assert_string_equal(p->earlier[2], "");
	assert_string_equal(p->exe, "./alloc-prog");
	assert_false(p->exited);
	p = row_of(&r, "make");
	assert_true(p->exited);
	assert_int_equal(p->exit_ns, 1500000000ULL);
	assert_string_equal(p->earlier[0], ""); /* no exec: one name */
	p = row_of(&r, "true");
	assert_int_equal(p->nr, 20000);
	assert_int_equal(p->folded_key, MT_EXITED_FOLDED);
	assert_int_equal(mt_proc_join_tgid(p), MT_TGID_NONE);
	assert_int_equal(p->allocs[MT_CLASS_LOGICAL], 60000);
	assert_int_equal(mt_report_nr_processes(&r), 3 + 1 + 20000);
	mt_report_free(&r);
}

/* Names before the current one: no repeats, no empty ones, not the current one. */
static void test_earlier_names(void **state)
{
	char out[MT_EARLIER_NAMES][MT_COMM_LEN];
	struct mt_task t = { .execs = 1 };

	(void)state;
	snprintf(t.comm, sizeof(t.comm), "make");
	mt_proc_earlier_names(out, "make", &t); /* first seen after its exec */
	assert_string_equal(out[0], "");
	mt_proc_earlier_names(out, "bash", &t);
	assert_string_equal(out[0], "bash");
	assert_string_equal(out[1], "");
	t.execs = 3;
	snprintf(t.prev[0], sizeof(t.prev[0]), "sh");
	snprintf(t.prev[1], sizeof(t.prev[1]), "env");
	mt_proc_earlier_names(out, "bash", &t);
	assert_string_equal(out[0], "bash");
	assert_string_equal(out[1], "sh");
	assert_string_equal(out[2], "env");
	mt_proc_earlier_names(out, "sh", &t); /* first seen after the first exec */
	assert_string_equal(out[0], "sh");
	assert_string_equal(out[1], "env");
	assert_string_equal(out[2], "");
}

static void test_json_rows_sum_to_totals(void **state)
{
	struct mt_render_opts ro = { .top = 10 };
	struct json_object *root, *ps, *cls;
	unsigned long long allocs = 0, bytes = 0, nproc = 0;
	struct mt_report r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	build(&r);
	f = open_memstream(&buf, &len);
	assert_int_equal(mt_render_json(f, &r, &ro), 0);
	fclose(f);
	root = json_tokener_parse(buf);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "processes", &ps));
	for (size_t i = 0; i < json_object_array_length(ps); i++) {
		struct json_object *p = json_object_array_get_idx(ps, i), *v, *c, *k;
		const char *comm;

		assert_true(json_object_object_get_ex(p, "comm", &v));
		comm = json_object_get_string(v);
		assert_true(json_object_object_get_ex(p, "classes", &c));
		assert_true(json_object_object_get_ex(c, "kernel_logical", &k));
		assert_true(json_object_object_get_ex(k, "allocs", &v));
		allocs += json_object_get_uint64(v);
		assert_true(json_object_object_get_ex(k, "bytes_allocated", &v));
		bytes += json_object_get_uint64(v);
		assert_true(json_object_object_get_ex(p, "processes", &v));
		nproc += json_object_get_uint64(v);
		assert_true(json_object_object_get_ex(p, "exited", &v));
		if (!strcmp(comm, "true")) {
			assert_true(json_object_get_boolean(v));
			assert_true(json_object_object_get_ex(p, "tgid", &v));
			assert_null(v); /* a folded row is no one process */
			assert_true(json_object_object_get_ex(p, "exit_s", &v));
			assert_true(json_object_get_double(v) > 2.59 &&
				    json_object_get_double(v) < 2.61);
		} else if (!strcmp(comm, "alloc-prog")) {
			assert_false(json_object_get_boolean(v));
			assert_true(json_object_object_get_ex(p, "earlier_comms", &v));
			assert_int_equal(json_object_array_length(v), 2);
			assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)),
					    "bash");
			assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 1)),
					    "sh");
			assert_true(json_object_object_get_ex(p, "exe", &v));
			assert_string_equal(json_object_get_string(v), "./alloc-prog");
			assert_true(json_object_object_get_ex(p, "exit_s", &v));
			assert_null(v);
		}
	}
	assert_true(json_object_object_get_ex(root, "classes", &cls));
	assert_true(json_object_object_get_ex(cls, "kernel_logical", &cls));
	assert_true(json_object_object_get_ex(cls, "allocs", &ps));
	assert_int_equal(allocs, json_object_get_uint64(ps));
	assert_int_equal(bytes, r.tot.cls[MT_CLASS_LOGICAL].bytes_alloc);
	assert_int_equal(nproc, 20004);
	json_object_put(root);
	free(buf);
	mt_report_free(&r);
}

/* The text table: ids say ended and folded, and the rest row completes the sum. */
static void test_text_ids_and_rest(void **state)
{
	struct mt_render_opts ro = { .top = 2 };
	struct mt_report r;
	char *buf = NULL, *p;
	size_t len = 0;
	FILE *f;

	(void)state;
	build(&r);
	f = open_memstream(&buf, &len);
	mt_render_text(f, &r, &ro);
	fclose(f);
	/* by bytes: true (1.8 MiB, folded) first, then bash */
	p = strstr(buf, "TOP PROCESSES");
	assert_non_null(p);
	assert_non_null(strstr(p, "  20000x true "));
	assert_non_null(strstr(p, "     100 bash "));
	/* the rest: alloc-prog 500, make 50 and cc1 7 allocations, 3 processes */
	assert_non_null(strstr(p, "       - (3 more)                  557 "));
	assert_non_null(strstr(p, "(20004 processes in all; --top N shows more)"));
	assert_non_null(strstr(p, "(tgid*: ended while traced; Nx: N ended processes"));
	free(buf);
	ro.top = 10;
	buf = NULL;
	f = open_memstream(&buf, &len);
	mt_render_text(f, &r, &ro);
	fclose(f);
	assert_non_null(strstr(buf, "    300* make "));
	assert_non_null(strstr(buf, "     200 alloc-prog "));
	free(buf);
	mt_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_exits),
		cmocka_unit_test(test_earlier_names),
		cmocka_unit_test(test_json_rows_sum_to_totals),
		cmocka_unit_test(test_text_ids_and_rest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
