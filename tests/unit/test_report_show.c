// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What a report shows, decided in the model for every renderer (model.c, model_scope.c,
 * model_proc.c, model_classes.c, model_latency.c): text and JSON both print what these
 * say, so each rule is checked here once rather than in each renderer's tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "model/model.h"

static void test_class_avail(void **state)
{
	struct mt_report r;

	mt_report_init(&r);
	r.x.is_64bit = true;
	/* no --class: every class selected; traced or not is what decides */
	assert_true(mt_report_class_selected(&r, MT_CLASS_BUS));
	assert_int_equal(mt_report_class_avail(&r, MT_CLASS_BUS), MT_AVAIL_UNAVAILABLE);
	r.run.class_traced[MT_CLASS_BUS] = true;
	assert_int_equal(mt_report_class_avail(&r, MT_CLASS_BUS), MT_AVAIL_MEASURED);
	/* high memory on 64-bit: none to measure, before whether it was traced */
	r.run.class_traced[MT_CLASS_HIGH] = true;
	assert_int_equal(mt_report_class_avail(&r, MT_CLASS_HIGH), MT_AVAIL_NONE_ON_64BIT);
	r.x.is_64bit = false;
	assert_int_equal(mt_report_class_avail(&r, MT_CLASS_HIGH), MT_AVAIL_MEASURED);
	/* not selected comes first, even for a traced class or high memory on 64-bit */
	r.x.class_mask = 1u << MT_CLASS_LOGICAL;
	r.x.is_64bit = true;
	assert_false(mt_report_class_selected(&r, MT_CLASS_BUS));
	assert_int_equal(mt_report_class_avail(&r, MT_CLASS_BUS), MT_AVAIL_NOT_SELECTED);
	assert_int_equal(mt_report_class_avail(&r, MT_CLASS_HIGH), MT_AVAIL_NOT_SELECTED);
	assert_true(mt_report_class_selected(&r, MT_CLASS_LOGICAL));
	assert_string_equal(mt_class_avail_key(MT_AVAIL_MEASURED), "measured");
	assert_string_equal(mt_class_avail_key(MT_AVAIL_NOT_SELECTED), "not_selected");
	assert_string_equal(mt_class_avail_key(MT_AVAIL_NONE_ON_64BIT), "none_on_64bit");
	assert_string_equal(mt_class_avail_key(MT_AVAIL_UNAVAILABLE), "unavailable");
	mt_report_free(&r);
}

static void test_proc_class(void **state)
{
	struct mt_report r;

	mt_report_init(&r);
	for (int k = 0; k < MT_CLASS_MAX; k++)
		r.run.class_traced[k] = true;
	assert_true(mt_report_proc_class(&r, MT_CLASS_LOGICAL));
	assert_true(mt_report_proc_class(&r, MT_CLASS_PHYSICAL));
	assert_true(mt_report_proc_class(&r, MT_CLASS_VIRTUAL));
	/* attributed in their own sections */
	assert_false(mt_report_proc_class(&r, MT_CLASS_USER));
	assert_false(mt_report_proc_class(&r, MT_CLASS_BUS));
	assert_false(mt_report_proc_class(&r, MT_CLASS_HIGH));
	r.run.class_traced[MT_CLASS_VIRTUAL] = false;
	assert_false(mt_report_proc_class(&r, MT_CLASS_VIRTUAL));
	mt_report_free(&r);
}

static void test_scope_kind_and_parent(void **state)
{
	struct mt_tree_node n = { .ppid = 100 }, root = { .ppid = 0 };
	struct mt_report r;

	mt_report_init(&r);
	assert_int_equal(mt_report_scope_kind(&r), MT_SCOPE_SYSTEM);
	r.run.nr_pids = 1;
	assert_int_equal(mt_report_scope_kind(&r), MT_SCOPE_PIDS);
	r.scope.kind = MT_SCOPE_COMMAND;
	assert_int_equal(mt_report_scope_kind(&r), MT_SCOPE_COMMAND);

	assert_int_equal(mt_scope_parent(&r.scope, 101), 0);
	assert_int_equal(mt_scope_add_tree(&r.scope, 101, &n), 0);
	assert_int_equal(mt_scope_add_tree(&r.scope, 100, &root), 0);
	mt_scope_sort(&r.scope);
	assert_int_equal(mt_scope_parent(&r.scope, 101), 100);
	assert_int_equal(mt_scope_parent(&r.scope, 100), 0); /* the root */
	assert_int_equal(mt_scope_parent(&r.scope, 7), 0);   /* not followed */
	mt_report_free(&r);
}

static void test_faults_and_frag(void **state)
{
	struct mt_procx_row x = { .faults_user = 5, .faults_kernel = 2 };
	struct mt_counts c = { .bytes_req = 100, .bytes_alloc = 128 };

	assert_int_equal(mt_procx_faults(&x), 7);
	assert_int_equal(mt_procx_faults(NULL), 0);
	assert_int_equal(mt_counts_frag(&c), 28);
}

static void test_zones(void **state)
{
	struct mt_report r;
	__u64 row[MT_ZONE_SLOTS] = { 0 };

	mt_report_init(&r);
	r.zones.nr = 1;
	snprintf(r.zones.z[0].name, sizeof(r.zones.z[0].name), "Normal");
	r.zones.z[0].start_pfn = 0x100;
	r.zones.z[0].spanned = 0x100;
	assert_string_equal(mt_zone_slot_name(&r.zones, 0), "Normal");
	assert_null(mt_zone_slot_name(&r.zones, 1));
	assert_null(mt_zone_slot_name(&r.zones, MT_ZONE_UNKNOWN));
	assert_string_equal(mt_zone_pfn_name(&r.zones, 0x180), "Normal");
	assert_string_equal(mt_zone_pfn_name(&r.zones, 0x10), "unknown");

	assert_int_equal(mt_zone_asked_total(row), 0);
	row[0] = 3;
	row[MT_ZONE_UNKNOWN] = 4; /* placed outside every zone still counts as asked */
	assert_int_equal(mt_zone_asked_total(row), 7);

	assert_false(mt_report_has_asked_got(&r, false));
	assert_false(mt_report_has_asked_got(&r, true));
	r.run.class_traced[MT_CLASS_PHYSICAL] = true;
	r.run.class_traced[MT_CLASS_LOGICAL] = true;
	assert_true(mt_report_has_asked_got(&r, false));
	/* slab objects need the direct map base to find their pfn */
	assert_false(mt_report_has_asked_got(&r, true));
	r.run.page_offset_base = 0xffff888000000000ULL;
	assert_true(mt_report_has_asked_got(&r, true));
	mt_report_free(&r);
}

static void test_latency_shown(void **state)
{
	struct mt_latency m;

	memset(&m, 0, sizeof(m));
	assert_false(mt_lat_shown(&m));
	m.stalls = true;
	assert_true(mt_lat_shown(&m));
	for (int k = 0; k < MT_LAT_KINDS; k++)
		assert_int_equal(mt_lat_kind_shown(&m, k), mt_lat_is_stall(k));
	m.stalls = false;
	m.calls_requested = true;
	assert_true(mt_lat_shown(&m));
	for (int k = 0; k < MT_LAT_KINDS; k++)
		assert_int_equal(mt_lat_kind_shown(&m, k), !mt_lat_is_stall(k));

	/* call latency not hooked: the loader's reason, or a default; hooked: none */
	m.call_hook = MT_HOOK_NONE;
	assert_string_equal(mt_lat_call_unavailable(&m), "not attached");
	snprintf(m.call_why, sizeof(m.call_why), "no BTF");
	assert_string_equal(mt_lat_call_unavailable(&m), "no BTF");
	m.call_hook = MT_HOOK_FENTRY;
	assert_null(mt_lat_call_unavailable(&m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class_avail),
		cmocka_unit_test(test_proc_class),
		cmocka_unit_test(test_scope_kind_and_parent),
		cmocka_unit_test(test_faults_and_frag),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_latency_shown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
