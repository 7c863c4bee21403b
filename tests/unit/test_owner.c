// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The per-process report beyond allocations (src/model/model_proc.c, render_*_proc.c) and the
 * outstanding.* / stall.* metrics (src/model/metrics_ext.c), over synthetic reports: lookup,
 * units, values, "not measured" when the run could not measure them, percentiles from a
 * log2 histogram, and the JSON keys parsed back.
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
#include "model/metrics.h"
#include "render/render.h"
#include "model/report_join.h"

static long long value_of(const struct mt_report *r, const char *name, int *measured)
{
	const struct mt_metric *m = mt_metric_find(name);
	long long v = -12345;

	assert_non_null(m);
	*measured = m->get(r, m->arg, &v) == 0;
	return v;
}

static void assert_metric(const struct mt_report *r, const char *name, long long want)
{
	int measured;
	long long v = value_of(r, name, &measured);

	if (!measured)
		fail_msg("%s not measured", name);
	if (v != want)
		fail_msg("%s = %lld, want %lld", name, v, want);
}

static void assert_unmeasured(const struct mt_report *r, const char *name)
{
	int measured;

	value_of(r, name, &measured);
	if (measured)
		fail_msg("%s measured, want not", name);
}

static void test_lookup_and_units(void **state)
{
	static const struct {
		const char *name;
		enum mt_unit_kind unit;
	} want[] = {
		{ "outstanding.slab", MT_UNIT_BYTES },
		{ "outstanding.slab.count", MT_UNIT_NONE },
		{ "outstanding.page", MT_UNIT_BYTES },
		{ "outstanding.page.count", MT_UNIT_NONE },
		{ "outstanding.vmalloc", MT_UNIT_BYTES },
		{ "outstanding.percpu.count", MT_UNIT_NONE },
		{ "outstanding.virtual", MT_UNIT_BYTES },
		{ "outstanding.total", MT_UNIT_BYTES },
		{ "outstanding.total.count", MT_UNIT_NONE },
		{ "stall.direct_reclaim.p99", MT_UNIT_TIME },
		{ "stall.direct_reclaim.p50", MT_UNIT_TIME },
		{ "stall.direct_reclaim.count", MT_UNIT_NONE },
		{ "stall.memcg_reclaim.total", MT_UNIT_TIME },
		{ "stall.memcg_softlimit_reclaim.max", MT_UNIT_TIME },
		{ "stall.node_reclaim.p90", MT_UNIT_TIME },
		{ "stall.compaction.count", MT_UNIT_NONE },
		{ "stall.kcompactd.total", MT_UNIT_TIME },
		{ "stall.throttled.max", MT_UNIT_TIME },
	};
	static const char *const unknown[] = {
		"outstanding",	     "outstanding.slabs",    "outstanding.slab.bytes",
		"stall.p99",	     "stall.direct_reclaim", "stall.direct_reclaim.p95",
		"stall.kmalloc.p99",
	};
	char err[256];
	struct mt_expr e;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct mt_metric *m = mt_metric_find(want[i].name);

		if (!m)
			fail_msg("%s not found", want[i].name);
		assert_int_equal(m->unit, want[i].unit);
	}
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		if (mt_metric_find(unknown[i]))
			fail_msg("%s found", unknown[i]);
	/* the examples bind; units that do not fit are refused before the run */
	assert_int_equal(mt_expr_parse("outstanding.slab > 1MiB", &e, err, sizeof(err)), 0);
	assert_int_equal(mt_metric_bind(&e, err, sizeof(err)), 0);
	assert_int_equal(mt_expr_parse("stall.direct_reclaim.p99 > 10ms", &e, err, sizeof(err)), 0);
	assert_int_equal(mt_metric_bind(&e, err, sizeof(err)), 0);
	assert_int_equal(mt_expr_parse("stall.direct_reclaim.p99 > 10", &e, err, sizeof(err)), 0);
	assert_int_equal(mt_metric_bind(&e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is a time"));
	assert_int_equal(mt_expr_parse("outstanding.slab > 10ms", &e, err, sizeof(err)), 0);
	assert_int_equal(mt_metric_bind(&e, err, sizeof(err)), -1);
	assert_int_equal(mt_expr_parse("outstanding.slab.count > 1KiB", &e, err, sizeof(err)), 0);
	assert_int_equal(mt_metric_bind(&e, err, sizeof(err)), -1);
	assert_int_equal(mt_expr_parse("stall.bogus.p99 > 1ms", &e, err, sizeof(err)), 0);
	assert_int_equal(mt_metric_bind(&e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown metric"));
}

static void fill(struct mt_report *r)
{
	mt_report_init(r);
	for (int k = 0; k < MT_CLASS_MAX; k++)
		r->run.class_traced[k] = true;
	r->pair.opts.pairs = true;
	r->pair.out[MT_CLASS_LOGICAL].count = 3;
	r->pair.out[MT_CLASS_LOGICAL].bytes = 3 * 192;
	r->pair.out[MT_CLASS_PHYSICAL].count = 2;
	r->pair.out[MT_CLASS_PHYSICAL].bytes = 2 * 4096 + 8192;
	r->pair.out[MT_PAIR_VMALLOC].count = 1;
	r->pair.out[MT_PAIR_VMALLOC].bytes = 65536;
	r->pair.out[MT_PAIR_PERCPU].count = 4;
	r->pair.out[MT_PAIR_PERCPU].bytes = 4 * 8;
	r->x.vmalloc_traced = true;
	r->x.percpu_traced = true;
	r->lat.stalls = true;
	for (int k = 0; k < MT_LAT_STALL_KINDS; k++)
		r->lat.traced[k] = true;
}

static void test_outstanding_values(void **state)
{
	struct mt_report r;

	fill(&r);
	assert_metric(&r, "outstanding.slab", 576);
	assert_metric(&r, "outstanding.slab.count", 3);
	assert_metric(&r, "outstanding.page", 16384);
	assert_metric(&r, "outstanding.page.count", 2);
	assert_metric(&r, "outstanding.vmalloc", 65536);
	assert_metric(&r, "outstanding.percpu.count", 4);
	assert_metric(&r, "outstanding.virtual", 65536 + 32);
	assert_metric(&r, "outstanding.virtual.count", 5);
	assert_metric(&r, "outstanding.total", 576 + 16384 + 65536 + 32);
	assert_metric(&r, "outstanding.total.count", 10);
	/* 6.1: no vmalloc tracepoints. vmalloc is unknown, never 0; the sums leave it out */
	r.x.vmalloc_traced = false;
	assert_unmeasured(&r, "outstanding.vmalloc");
	assert_metric(&r, "outstanding.virtual", 32);
	assert_metric(&r, "outstanding.total.count", 9);
	/* a class this run did not trace is not measured, never 0 */
	r.run.class_traced[MT_CLASS_VIRTUAL] = false;
	assert_unmeasured(&r, "outstanding.virtual");
	assert_metric(&r, "outstanding.slab", 576);
	/* without pairing nothing of it is measured */
	r.pair.opts.pairs = false;
	assert_unmeasured(&r, "outstanding.slab");
	assert_unmeasured(&r, "outstanding.total.count");
	mt_report_free(&r);
}

static void test_percentile(void **state)
{
	__u64 h[MT_HIST_SLOTS] = { 0 };

	assert_int_equal(mt_hist_percentile_ns(h, 0, 990), 0);
	/* 98 stalls of 2..3 us, 2 of 1024..2047 us: p50 and p90 in slot 1, p99 in slot 10 */
	h[1] = 98;
	h[10] = 2;
	assert_int_equal(mt_hist_percentile_ns(h, 0, 500), 4000);
	assert_int_equal(mt_hist_percentile_ns(h, 0, 900), 4000);
	assert_int_equal(mt_hist_percentile_ns(h, 0, 990), 2048000);
	/* never above the exact maximum */
	assert_int_equal(mt_hist_percentile_ns(h, 1500000, 990), 1500000);
	assert_int_equal(mt_hist_percentile_ns(h, 1500000, 500), 4000);
	/* one sample: every percentile is its bucket */
	memset(h, 0, sizeof(h));
	h[0] = 1;
	assert_int_equal(mt_hist_percentile_ns(h, 0, 10), 2000);
	assert_int_equal(mt_hist_percentile_ns(h, 700, 990), 700);
}

static void test_stall_values(void **state)
{
	struct mt_lat_kind_stats *k;
	struct mt_report r;

	fill(&r);
	k = &r.lat.tot.k[MT_LAT_DIRECT_RECLAIM];
	k->count = 100;
	k->total_ns = 123456789;
	k->max_ns = 1500000;
	k->hist[1] = 98;
	k->hist[10] = 2;
	assert_metric(&r, "stall.direct_reclaim.count", 100);
	assert_metric(&r, "stall.direct_reclaim.total", 123456789);
	assert_metric(&r, "stall.direct_reclaim.max", 1500000);
	assert_metric(&r, "stall.direct_reclaim.p50", 4000);
	assert_metric(&r, "stall.direct_reclaim.p99", 1500000);
	/* traced and never stalled: 0, measured */
	assert_metric(&r, "stall.compaction.p99", 0);
	assert_metric(&r, "stall.compaction.count", 0);
	/* a kind whose events did not attach, or --no-stalls: not measured */
	r.lat.traced[MT_LAT_NODE_RECLAIM] = false;
	assert_unmeasured(&r, "stall.node_reclaim.count");
	r.lat.stalls = false;
	assert_unmeasured(&r, "stall.direct_reclaim.p99");
	mt_report_free(&r);
}

/* --fail-if over the new metrics: verdicts as the values say. */
static void test_evaluate(void **state)
{
	struct mt_expr e[3];
	struct mt_report r;
	char err[128];

	fill(&r);
	r.lat.tot.k[MT_LAT_DIRECT_RECLAIM].hist[14] = 1; /* 16..32 ms */
	r.lat.tot.k[MT_LAT_DIRECT_RECLAIM].count = 1;
	assert_int_equal(mt_expr_parse("outstanding.slab > 0", &e[0], err, sizeof(err)), 0);
	assert_int_equal(mt_expr_parse("outstanding.page > 1MiB", &e[1], err, sizeof(err)), 0);
	assert_int_equal(mt_expr_parse("stall.direct_reclaim.p99 > 10ms", &e[2], err, sizeof(err)),
			 0);
	assert_int_equal(mt_ci_evaluate(&r, e, 3, NULL), 2);
	assert_true(r.ci.res[0].failed);
	assert_int_equal(r.ci.res[0].value, 576);
	assert_false(r.ci.res[1].failed);
	assert_true(r.ci.res[2].failed);
	assert_int_equal(r.ci.res[2].value, 32768000);
	mt_report_free(&r);
}

static void add_owner(struct mt_report *r, __u32 tgid, __u64 by_others, __u64 kth, __u64 of_others)
{
	struct mt_owner_frees pc[2];

	memset(pc, 0, sizeof(pc));
	/* split over two CPUs: the model sums them */
	pc[0].by_others[MT_CLASS_LOGICAL] = by_others - 1;
	pc[1].by_others[MT_CLASS_LOGICAL] = 1;
	pc[0].by_others_bytes[MT_CLASS_LOGICAL] = by_others * 64;
	pc[1].by_kthread[MT_CLASS_LOGICAL] = kth;
	pc[0].of_others[MT_CLASS_LOGICAL] = of_others;
	pc[1].of_others_bytes[MT_CLASS_LOGICAL] = of_others * 32;
	assert_int_equal(mt_procx_add_owner(&r->px, tgid, pc, 2), 0);
}

static void add_faults(struct mt_report *r, __u32 tgid, __u64 user, __u64 kern)
{
	struct mt_fault_proc pc[2];

	memset(pc, 0, sizeof(pc));
	pc[0].user_read = user / 2;
	pc[1].user_write = user - user / 2;
	pc[1].kernel_read = kern;
	assert_int_equal(mt_procx_add_faults(&r->px, tgid, pc, 2), 0);
}

/* Two processes: 100 (its objects freed by others) and 200 (freed others' objects). */
static void procs_report(struct mt_report *r)
{
	struct mt_proc pc = { .comm = "owner" };
	struct mt_tree_node node = { .ppid = 100, .comm = "child" };
	struct mt_obj_key k = { .addr = 0x1000, .cls = MT_CLASS_LOGICAL };
	struct mt_obj o = { .size = 192, .tgid = 100, .stack_id = -1 };
	struct mt_lat_proc lp = { .comm = "owner" };

	fill(r);
	memset(r->pair.out, 0, sizeof(r->pair.out));
	r->x.fault_traced = true;
	pc.allocs[MT_CLASS_LOGICAL] = 10;
	pc.bytes[MT_CLASS_LOGICAL] = 1920;
	pc.frees[MT_CLASS_LOGICAL] = 9;
	pc.bytes_freed[MT_CLASS_LOGICAL] = 1728;
	assert_int_equal(mt_report_add_proc(r, 100, &pc, 1), 0);
	memcpy(pc.comm, "child", 6);
	pc.allocs[MT_CLASS_LOGICAL] = 1;
	pc.bytes[MT_CLASS_LOGICAL] = 64;
	pc.frees[MT_CLASS_LOGICAL] = 1;
	pc.bytes_freed[MT_CLASS_LOGICAL] = 64;
	assert_int_equal(mt_report_add_proc(r, 200, &pc, 1), 0);
	assert_int_equal(mt_scope_add_tree(&r->scope, 200, &node), 0);
	r->scope.kind = MT_SCOPE_COMMAND;
	/* one outstanding object of 100's, one of 200's faults, 100 stalled 3 ms */
	assert_int_equal(mt_pair_add_obj(&r->pair, &k, &o), 0);
	add_owner(r, 100, 6, 2, 0);
	add_owner(r, 200, 0, 0, 5);
	add_faults(r, 200, 7, 1);
	add_faults(r, 200, 2, 0); /* a second row of one tgid (merged) */
	mt_procx_finish(&r->px);
	lp.count[MT_LAT_DIRECT_RECLAIM] = 2;
	lp.total_ns[MT_LAT_DIRECT_RECLAIM] = 3000000;
	assert_int_equal(mt_lat_add_proc(&r->lat, 100, &lp, 1), 0);
	mt_lat_finish(&r->lat);
	mt_report_finish(r);
	mt_scope_finish(r);
	assert_int_equal(mt_pair_finish(r), 0);
}

static void test_model(void **state)
{
	const struct mt_procx_row *x;
	struct mt_report r;

	procs_report(&r);
	x = mt_procx_find(&r.px, 100);
	assert_non_null(x);
	assert_true(x->has_owner);
	assert_false(x->has_faults);
	assert_int_equal(x->of.by_others[MT_CLASS_LOGICAL], 6);
	assert_int_equal(x->of.by_kthread[MT_CLASS_LOGICAL], 2);
	x = mt_procx_find(&r.px, 200);
	assert_non_null(x);
	assert_true(x->has_faults);
	assert_int_equal(x->faults_user, 9);
	assert_int_equal(x->faults_kernel, 1);
	assert_int_equal(x->of.of_others[MT_CLASS_LOGICAL], 5);
	assert_null(mt_procx_find(&r.px, 300));
	assert_int_equal(r.px.nr, 2);
	assert_non_null(mt_procx_outstanding(&r, 100));
	assert_null(mt_procx_outstanding(&r, 200));
	assert_non_null(mt_procx_stalls(&r, 100));
	assert_true(mt_procx_owner_charged(&r));
	mt_report_free(&r);
}

static struct json_object *proc_json(struct json_object *root, int tgid)
{
	struct json_object *procs = json_object_object_get(root, "processes");

	for (size_t i = 0; i < json_object_array_length(procs); i++) {
		struct json_object *p = json_object_array_get_idx(procs, i);

		if (json_object_get_int(json_object_object_get(p, "tgid")) == tgid)
			return p;
	}
	fail_msg("no process %d", tgid);
	return NULL;
}

static long long path(struct json_object *o, const char *a, const char *b, const char *c)
{
	struct json_object *x = json_object_object_get(o, a);

	if (b)
		x = json_object_object_get(x, b);
	if (c)
		x = json_object_object_get(x, c);
	if (!x)
		fail_msg("no %s.%s.%s", a, b ? b : "", c ? c : "");
	return json_object_get_int64(x);
}

static struct json_object *render_json(const struct mt_report *r)
{
	struct mt_render_opts o = { .top = 10 };
	struct json_object *root;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(mt_render_json(f, r, &o), 0);
	fclose(f);
	root = json_tokener_parse(buf);
	assert_non_null(root);
	free(buf);
	return root;
}

static void test_json(void **state)
{
	struct json_object *root, *p;
	struct mt_report r;

	procs_report(&r);
	root = render_json(&r);
	p = proc_json(root, 100);
	assert_int_equal(path(p, "outstanding", "kernel_logical", "objects"), 1);
	assert_int_equal(path(p, "outstanding", "kernel_logical", "bytes"), 192);
	assert_int_equal(path(p, "outstanding", "total_bytes", NULL), 192);
	assert_int_equal(path(p, "freed_by_others", "kernel_logical", "frees"), 6);
	assert_int_equal(path(p, "freed_by_others", "kernel_logical", "bytes"), 384);
	assert_int_equal(path(p, "freed_by_others", "kernel_logical", "by_kernel_threads"), 2);
	assert_int_equal(path(p, "frees_of_others", "kernel_logical", "frees"), 0);
	assert_int_equal(path(p, "page_faults", "total", NULL), 0);
	assert_int_equal(path(p, "stalls", "count", NULL), 2);
	assert_int_equal(path(p, "stalls", "total_ns", NULL), 3000000);
	assert_null(
		json_object_object_get(json_object_object_get(p, "outstanding"), "user_virtual"));
	p = proc_json(root, 200);
	assert_int_equal(path(p, "parent", NULL, NULL), 100);
	assert_int_equal(path(p, "outstanding", "kernel_logical", "objects"), 0);
	assert_int_equal(path(p, "frees_of_others", "kernel_logical", "frees"), 5);
	assert_int_equal(path(p, "frees_of_others", "kernel_logical", "bytes"), 160);
	assert_int_equal(path(p, "page_faults", "user", NULL), 9);
	assert_int_equal(path(p, "page_faults", "kernel", NULL), 1);
	assert_int_equal(path(p, "page_faults", "total", NULL), 10);
	assert_int_equal(path(p, "stalls", "total_ns", NULL), 0);
	assert_string_equal(
		json_object_get_string(json_object_object_get(
			json_object_object_get(json_object_object_get(root, "run"), "scope"),
			"frees_charged_to")),
		"owner");
	json_object_put(root);

	/* what this run did not measure is null, not 0 */
	r.pair.opts.pairs = false;
	r.x.fault_traced = false;
	r.lat.stalls = false;
	root = render_json(&r);
	p = proc_json(root, 100);
	assert_true(json_object_object_get_ex(p, "outstanding", NULL));
	assert_null(json_object_object_get(p, "outstanding"));
	assert_null(json_object_object_get(p, "freed_by_others"));
	assert_null(json_object_object_get(p, "frees_of_others"));
	assert_null(json_object_object_get(p, "page_faults"));
	assert_null(json_object_object_get(p, "stalls"));
	assert_true(json_object_object_get_ex(p, "stalls", NULL));
	assert_string_equal(
		json_object_get_string(json_object_object_get(
			json_object_object_get(json_object_object_get(root, "run"), "scope"),
			"frees_charged_to")),
		"current-task");
	json_object_put(root);
	mt_report_free(&r);
}

static char *render_text(const struct mt_report *r)
{
	struct mt_render_opts o = { .top = 10 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	mt_render_text(f, r, &o);
	fclose(f);
	return buf;
}

static void test_text(void **state)
{
	struct mt_report r;
	char *t, *s, *line, *save = NULL;

	procs_report(&r);
	t = render_text(&r);
	assert_non_null(strstr(t, "\nPER PROCESS ("));
	assert_non_null(strstr(t, "\nFREED IN ANOTHER CONTEXT ("));
	assert_non_null(strstr(t, "frees are charged to the allocating process"));
	/* 100: 192 B outstanding, no faults, 3 ms stalled; 200: parent 100, 10 faults */
	assert_non_null(strstr(t, "    100       - owner"));
	assert_non_null(strstr(t, "    200     100 child"));
	s = strstr(t, "    100       - owner");
	assert_non_null(strstr(s, "192 B"));
	assert_non_null(strstr(s, "3.0ms"));
	/* every line fits 80 columns */
	s = strdup(t);
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > 80)
			fail_msg("line over 80 columns: '%s'", line);
	free(s);
	free(t);

	r.pair.opts.pairs = false;
	t = render_text(&r);
	assert_null(strstr(t, "FREED IN ANOTHER CONTEXT"));
	assert_non_null(strstr(t, "outstanding per process needs --outstanding"));
	free(t);
	mt_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_and_units),
		cmocka_unit_test(test_outstanding_values),
		cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_stall_values),
		cmocka_unit_test(test_evaluate),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests_name("owner and per-process metrics", tests, NULL, NULL);
}
