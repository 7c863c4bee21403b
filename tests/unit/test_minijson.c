// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The JSON reader of the in-guest tests (tests/vm/minijson.c): the guest has no json-c, and
 * this reader is how every VM test sees memtrace's report, so an oracle that misread it
 * could pass a wrong report. Checked here against json-c on a real-shaped report, and on the
 * cases that must not read as 0: missing keys, wrong types, malformed documents.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <string.h>
#include "sys/minijson.h"

static const char *report =
	"{\"schema_version\": 1, \"kernel\": {\"release\": \"6.1.0-56-amd64\", \"btf\": "
	"\"a \\\"quoted\\\" \\\\ path\\n\", \"kfree_sized\": true, \"vmemmap_base\": null},"
	" \"run\": {\"duration_s\": 1.25, \"lost\": {\"total\": 0, \"missed_runs\": 0}},"
	" \"classes\": {\"kernel_logical\": {\"traced\": true, \"allocs\": 9007199254740993,"
	" \"net_bytes\": -4096}, \"bus\": {\"traced\": false}},"
	" \"slab\": {\"caches\": [{\"name\": \"kmalloc-64\", \"allocs\": 2000},"
	" {\"name\": \"filp\", \"allocs\": 3}]}, \"processes\": []}";

static void test_paths_agree_with_json_c(void **state)
{
	struct json_object *jc = json_tokener_parse(report), *o;
	struct mj *j = mj_parse(report, NULL, 0);
	long long v;

	assert_non_null(jc);
	assert_non_null(j);
	assert_true(mj_int(j, "schema_version", &v));
	assert_int_equal(v, 1);
	/* counts past 2^53 are exact (read as integers, not through a double) */
	assert_true(mj_int(j, "classes.kernel_logical.allocs", &v));
	json_object_object_get_ex(json_object_object_get(json_object_object_get(jc, "classes"),
							 "kernel_logical"),
				  "allocs", &o);
	assert_int_equal(v, json_object_get_int64(o));
	assert_true(mj_int(j, "classes.kernel_logical.net_bytes", &v));
	assert_int_equal(v, -4096);
	assert_true(mj_int(j, "kernel.kfree_sized", &v));
	assert_int_equal(v, 1);
	assert_true(mj_int(j, "classes.bus.traced", &v));
	assert_int_equal(v, 0);
	assert_string_equal(mj_str(j, "kernel.release"), "6.1.0-56-amd64");
	json_object_object_get_ex(json_object_object_get(jc, "kernel"), "btf", &o);
	assert_string_equal(mj_str(j, "kernel.btf"), json_object_get_string(o));
	assert_true(mj_get(j, "run.duration_s")->dbl == 1.25);
	assert_int_equal(mj_get(j, "slab.caches")->n, 2);
	assert_string_equal(mj_str(mj_at(mj_get(j, "slab.caches"), 1), "name"), "filp");
	assert_null(mj_at(mj_get(j, "slab.caches"), 2));
	assert_int_equal(mj_get(j, "processes")->n, 0);
	mj_free(j);
	json_object_put(jc);
}

/* Absent keys and wrong types are absent, never 0. */
static void test_missing_is_not_zero(void **state)
{
	struct mj *j = mj_parse(report, NULL, 0);
	long long v = 42;

	assert_false(mj_int(j, "run.lost.nonexistent", &v));
	assert_false(mj_int(j, "classes.dma.allocs", &v));
	assert_false(mj_int(j, "kernel.release", &v));	    /* a string */
	assert_false(mj_int(j, "kernel.vmemmap_base", &v)); /* null */
	assert_false(mj_int(j, "kernel.release.deeper", &v));
	assert_int_equal(v, 42);
	assert_null(mj_str(j, "schema_version"));
	assert_null(mj_at(mj_get(j, "kernel"), 0)); /* not an array */
	mj_free(j);
}

static void test_malformed_documents_fail(void **state)
{
	static const char *bad[] = {
		"",
		"{",
		"{\"a\": 1,}",
		"{\"a\" 1}",
		"{\"a\": 1} x",
		"[1, 2",
		"{\"a\": \"x}",
		"{\"a\": tru}",
		"{\"a\": -}",
		"{a: 1}",
		"{\"a\": \"\\q\"}",
		"{\"a\": \"\x01\"}",
	};
	char err[64];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_null(mj_parse(bad[i], err, sizeof(err)));
		assert_true(err[0] != '\0');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths_agree_with_json_c),
		cmocka_unit_test(test_missing_is_not_zero),
		cmocka_unit_test(test_malformed_documents_fail),
	};

	return cmocka_run_group_tests_name("minijson", tests, NULL, NULL);
}
