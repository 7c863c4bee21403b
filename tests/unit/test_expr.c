// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --fail-if: the expression parser (src/model/expr.c) with good and bad inputs and its units, the
 * metric table (src/model/metrics.c): lookup, unit checks, evaluation over a synthetic report.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "model/expr.h"
#include "model/metrics.h"

struct good {
	const char *in;
	const char *metric;
	enum mt_cmp op;
	long long value;
	enum mt_unit_kind unit;
};

static const struct good goods[] = {
	{ "lost > 0", "lost", MT_CMP_GT, 0, MT_UNIT_NONE },
	{ "lost>0", "lost", MT_CMP_GT, 0, MT_UNIT_NONE },
	{ "  lost   >=   3  ", "lost", MT_CMP_GE, 3, MT_UNIT_NONE },
	{ "outstanding.slab > 1MiB", "outstanding.slab", MT_CMP_GT, 1LL << 20, MT_UNIT_BYTES },
	{ "a.b < 1 KiB", "a.b", MT_CMP_LT, 1024, MT_UNIT_BYTES },
	{ "x <= 1.5KiB", "x", MT_CMP_LE, 1536, MT_UNIT_BYTES },
	{ "x == 7B", "x", MT_CMP_EQ, 7, MT_UNIT_BYTES },
	{ "x != 2GiB", "x", MT_CMP_NE, 2LL << 30, MT_UNIT_BYTES },
	{ "x > 1TiB", "x", MT_CMP_GT, 1LL << 40, MT_UNIT_BYTES },
	{ "classes.kernel_logical.net_bytes > 64KiB", "classes.kernel_logical.net_bytes", MT_CMP_GT,
	  65536, MT_UNIT_BYTES },
	{ "classes.physical.net_bytes < -4KiB", "classes.physical.net_bytes", MT_CMP_LT, -4096,
	  MT_UNIT_BYTES },
	{ "stall.direct_reclaim.p99 > 10ms", "stall.direct_reclaim.p99", MT_CMP_GT, 10000000,
	  MT_UNIT_TIME },
	{ "t > 250us", "t", MT_CMP_GT, 250000, MT_UNIT_TIME },
	{ "t > 1.5s", "t", MT_CMP_GT, 1500000000, MT_UNIT_TIME },
	{ "t > 3ns", "t", MT_CMP_GT, 3, MT_UNIT_TIME },
	{ "t > 0.001ms", "t", MT_CMP_GT, 1000, MT_UNIT_TIME },
	{ "n_2.x9 > +5", "n_2.x9", MT_CMP_GT, 5, MT_UNIT_NONE },
	{ "x > 9223372036854775807", "x", MT_CMP_GT, LLONG_MAX, MT_UNIT_NONE },
	/* found by tests/fuzz/fuzz_expr.c: fraction * unit passed 2^64 and wrapped, so a
	 * whole value was rejected as "not a whole number" */
	{ "t > 7.040820000000s", "t", MT_CMP_GT, 7040820000LL, MT_UNIT_TIME },
	{ "x > 0.000030517578125TiB", "x", MT_CMP_GT, 1LL << 25, MT_UNIT_BYTES },
};

struct bad {
	const char *in;
	const char *says; /* a substring of the error */
};

static const struct bad bads[] = {
	{ "", "expected a metric name" },
	{ "   ", "expected a metric name" },
	{ "> 5", "expected a metric name" },
	{ "lost", "expected one of > >= < <= == !=" },
	{ "lost 5", "expected one of" },
	{ "lost = 5", "use '=='" },
	{ "lost => 5", "use '=='" },
	{ "lost >> 5", "unknown operator '>>'" },
	{ "lost === 5", "unknown operator '==='" },
	{ "lost >", "expected a number" },
	{ "lost > abc", "expected a number" },
	{ "lost > .5", "expected a number" },
	{ "lost > 5.", "expected a number" },
	{ "lost > 1.2.3", "unexpected '.3'" },
	{ "lost > 5 6", "unexpected '6'" },
	{ "lost > 5 && x > 1", "unexpected '&& x > 1'" },
	{ "lost > 1MB", "unknown unit 'MB' (use MiB)" },
	{ "lost > 1K", "unknown unit 'K' (use KiB)" },
	{ "lost > 1kb", "unknown unit 'kb' (use KiB)" },
	{ "lost > 1mib", "unknown unit 'mib' (use MiB)" },
	{ "lost > 1b", "unknown unit 'b' (use B)" },
	{ "lost > 1sec", "unknown unit 'sec' (use s)" },
	{ "lost > 1parsecs", "unknown unit 'parsecs'" },
	{ "lost > 0.5B", "not a whole number of bytes" },
	{ "lost > 0.5ns", "not a whole number of nanoseconds" },
	{ "lost > 1.5", "not a whole number" },
	{ "t > 1.9999999999999999s", "not a whole number of nanoseconds" },
	{ "t > 7.040820000001s", "not a whole number of nanoseconds" },
	{ "lost > 9223372036854775808", "out of range" },
	{ "lost > 99999999999999999999999", "out of range" },
	{ "lost > 8388608TiB", "out of range" },
	{ "Lost > 1", "expected a metric name" },
	{ "lOst > 1", "lowercase" },
	{ ".lost > 1", "malformed metric name" },
	{ "lost. > 1", "malformed metric name" },
	{ "a..b > 1", "malformed metric name" },
	{ "lost > 1 MiB MiB", "unexpected 'MiB'" },
	{ "lost-x > 1", "expected one of" },
	{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx > 1",
	  "metric name too long" },
};

static void test_parse_good(void **state)
{
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		struct mt_expr e;
		char err[256] = "";

		if (!g->metric)
			continue;
		if (mt_expr_parse(g->in, &e, err, sizeof(err)))
			fail_msg("'%s' should parse: %s", g->in, err);
		assert_string_equal(e.metric, g->metric);
		assert_int_equal(e.op, g->op);
		if (e.value != g->value)
			fail_msg("'%s': value %lld, want %lld", g->in, e.value, g->value);
		assert_int_equal(e.unit, g->unit);
		assert_string_equal(e.text, g->in);
	}
}

static void test_parse_bad(void **state)
{
	int failures = 0;

	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct mt_expr e;
		char err[256] = "";

		if (!mt_expr_parse(bads[i].in, &e, err, sizeof(err))) {
			print_error("'%s' parsed, should not\n", bads[i].in);
			failures++;
		} else if (!strstr(err, bads[i].says)) {
			print_error("'%s': error '%s' lacks '%s'\n", bads[i].in, err, bads[i].says);
			failures++;
		} else if (strchr(err, '\n')) {
			print_error("'%s': error is not one line\n", bads[i].in);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_parse_too_long(void **state)
{
	char in[300], err[256];
	struct mt_expr e;

	memset(in, ' ', sizeof(in));
	memcpy(in, "lost > 1", 8);
	in[sizeof(in) - 1] = '\0';
	assert_int_equal(mt_expr_parse(in, &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
}

static void test_compare(void **state)
{
	assert_true(mt_expr_holds(5, MT_CMP_GT, 4));
	assert_false(mt_expr_holds(4, MT_CMP_GT, 4));
	assert_true(mt_expr_holds(4, MT_CMP_GE, 4));
	assert_true(mt_expr_holds(-5, MT_CMP_LT, -4));
	assert_true(mt_expr_holds(4, MT_CMP_LE, 4));
	assert_false(mt_expr_holds(5, MT_CMP_LE, 4));
	assert_true(mt_expr_holds(4, MT_CMP_EQ, 4));
	assert_true(mt_expr_holds(3, MT_CMP_NE, 4));
	assert_false(mt_expr_holds(4, MT_CMP_NE, 4));
	assert_string_equal(mt_cmp_str(MT_CMP_GE), ">=");
	assert_string_equal(mt_cmp_str(MT_CMP_NE), "!=");
}

static int bind(const char *s, char *err, size_t len)
{
	struct mt_expr e;

	assert_int_equal(mt_expr_parse(s, &e, err, len), 0);
	return mt_metric_bind(&e, err, len);
}

static void test_metric_lookup(void **state)
{
	char err[256];
	size_t n = mt_metrics_count();

	assert_true(n > 50);
	/* every metric is found by its own name, and names are unique */
	for (size_t i = 0; i < n; i++) {
		const struct mt_metric *m = mt_metric_at(i);

		assert_non_null(m);
		assert_ptr_equal(mt_metric_find(m->name), m);
		assert_non_null(m->get);
	}
	assert_null(mt_metric_at(n));
	assert_non_null(mt_metric_find("lost"));
	assert_non_null(mt_metric_find("classes.kernel_logical.net_bytes"));
	assert_non_null(mt_metric_find("classes.physical.allocs"));
	assert_null(mt_metric_find("classes.nosuch.allocs"));
	assert_null(mt_metric_find("los"));

	assert_int_equal(bind("lost > 0", err, sizeof(err)), 0);
	assert_int_equal(bind("classes.kernel_logical.net_bytes > 64KiB", err, sizeof(err)), 0);
	assert_int_equal(bind("classes.kernel_logical.net_bytes > 65536", err, sizeof(err)), 0);
	assert_int_equal(bind("duration > 2s", err, sizeof(err)), 0);

	assert_int_equal(bind("outstanding.slab > 1MiB", err, sizeof(err)), 0);
	assert_int_equal(bind("outstanding.slabs > 1MiB", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown metric 'outstanding.slabs'"));
	assert_int_equal(bind("lost > 1KiB", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'lost' is a count"));
	assert_int_equal(bind("classes.physical.bytes_allocated > 5ms", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is a bytes: a time unit"));
	assert_int_equal(bind("duration > 5", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "give a unit"));
}

static void test_evaluate(void **state)
{
	struct mt_report r;
	struct mt_expr e[5];
	char err[128];
	const char *in[] = {
		"lost > 0",				    /* 3 missed + 2 ringbuf */
		"classes.kernel_logical.net_bytes > 64KiB", /* 100000 - 10000 */
		"classes.kernel_logical.net_bytes > 1MiB",
		"classes.physical.allocs > 0", /* not traced */
		"events == 42",
	};

	mt_report_init(&r);
	r.run.missed_runs = 3;
	r.tot.lost[MT_LOSS_RINGBUF] = 2;
	r.tot.events = 42;
	r.run.class_traced[MT_CLASS_LOGICAL] = true;
	r.tot.cls[MT_CLASS_LOGICAL].bytes_alloc = 100000;
	r.tot.cls[MT_CLASS_LOGICAL].bytes_freed = 10000;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(mt_expr_parse(in[i], &e[i], err, sizeof(err)), 0);
		assert_int_equal(mt_metric_bind(&e[i], err, sizeof(err)), 0);
	}
	assert_int_equal(mt_ci_evaluate(&r, e, 5, NULL), 4);
	assert_int_equal(r.ci.nr, 5);
	assert_true(r.ci.res[0].failed);
	assert_int_equal(r.ci.res[0].value, 5);
	assert_true(r.ci.res[1].failed);
	assert_int_equal(r.ci.res[1].value, 90000);
	assert_false(r.ci.res[2].failed);
	/* a metric this run did not measure fails: a CI gate must not pass by default */
	assert_false(r.ci.res[3].measured);
	assert_true(r.ci.res[3].failed);
	assert_true(r.ci.res[4].failed);
	mt_report_free(&r);
}

static void test_fmt(void **state)
{
	char b[64];

	assert_string_equal(mt_metric_fmt(b, sizeof(b), MT_UNIT_NONE, 17), "17");
	assert_string_equal(mt_metric_fmt(b, sizeof(b), MT_UNIT_BYTES, 100), "100 B");
	assert_non_null(strstr(mt_metric_fmt(b, sizeof(b), MT_UNIT_BYTES, 1 << 20), "(1048576 B)"));
	assert_string_equal(mt_metric_fmt(b, sizeof(b), MT_UNIT_TIME, 1500000), "1.500 ms");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_too_long),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_metric_lookup),
		cmocka_unit_test(test_evaluate),
		cmocka_unit_test(test_fmt),
	};

	return cmocka_run_group_tests_name("expr and metrics", tests, NULL, NULL);
}
