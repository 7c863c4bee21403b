// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * memtrace top's model (src/render/top.c): two cumulative reports differenced into per-interval
 * increments, rows matched by tgid / cache key, idle rows left out, the sort keys, and
 * the block it prints.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "render/top.h"

static void add_proc(struct mt_report *r, __u32 tgid, const char *comm, __u64 allocs, __u64 bytes,
		     __u64 frees, __u64 freed)
{
	struct mt_proc p = {};

	snprintf(p.comm, sizeof(p.comm), "%s", comm);
	p.allocs[MT_CLASS_LOGICAL] = allocs;
	p.bytes[MT_CLASS_LOGICAL] = bytes;
	p.frees[MT_CLASS_PHYSICAL] = frees;
	p.bytes_freed[MT_CLASS_PHYSICAL] = freed;
	assert_int_equal(mt_report_add_proc(r, tgid, &p, 1), 0);
}

static void add_cache(struct mt_report *r, __u64 key, const char *name, __u64 allocs, __u64 bytes)
{
	struct mt_cache c = {};

	snprintf(c.name, sizeof(c.name), "%s", name);
	c.allocs = allocs;
	c.bytes_alloc = bytes;
	assert_int_equal(mt_report_add_cache(r, key, &c, 1), 0);
}

static void reports(struct mt_report *prev, struct mt_report *cur)
{
	mt_report_init(prev);
	mt_report_init(cur);
	prev->tot.cls[MT_CLASS_LOGICAL].allocs = 100;
	prev->tot.cls[MT_CLASS_LOGICAL].bytes_alloc = 6400;
	prev->tot.events = 1000;
	cur->tot.cls[MT_CLASS_LOGICAL].allocs = 300;
	cur->tot.cls[MT_CLASS_LOGICAL].bytes_alloc = 10400;
	cur->tot.events = 3000;
	cur->run.class_traced[MT_CLASS_LOGICAL] = true;
	/* prev in one order, cur in another: rows are matched by tgid, not position */
	add_proc(prev, 10, "idle", 5, 500, 0, 0);
	add_proc(prev, 20, "busy", 10, 1000, 1, 4096);
	add_proc(cur, 30, "new", 3, 9000, 0, 0);
	add_proc(cur, 20, "busy", 110, 3000, 2, 8192);
	add_proc(cur, 10, "idle", 5, 500, 0, 0);
	add_cache(prev, 0x1000, "dentry", 40, 4000);
	add_cache(cur, 0x2000, "filp", 1, 10);
	add_cache(cur, 0x1000, "dentry", 50, 5000);
	mt_report_finish(prev);
	mt_report_finish(cur);
}

static void test_deltas(void **state)
{
	struct mt_report prev, cur;
	struct mt_top_view v;

	reports(&prev, &cur);
	assert_int_equal(mt_top_view_make(&v, &prev, &cur, 2.0, MT_TOP_SORT_BYTES), 0);
	assert_int_equal(v.cls[MT_CLASS_LOGICAL].allocs, 200);
	assert_int_equal(v.cls[MT_CLASS_LOGICAL].bytes_alloc, 4000);
	assert_int_equal(v.events, 2000);
	assert_int_equal(v.nr_procs, 2);      /* "idle" did nothing this interval */
	assert_int_equal(v.procs[0].key, 30); /* 9000 new bytes */
	assert_int_equal(v.procs[0].bytes, 9000);
	assert_int_equal(v.procs[1].key, 20);
	assert_int_equal(v.procs[1].allocs, 100);
	assert_int_equal(v.procs[1].bytes, 2000);
	assert_int_equal(v.procs[1].frees, 1);
	assert_int_equal(v.procs[1].bytes_freed, 4096);
	assert_string_equal(v.procs[1].name, "busy");
	assert_int_equal(v.nr_caches, 2);
	assert_string_equal(v.caches[0].name, "dentry");
	assert_int_equal(v.caches[0].allocs, 10);
	assert_int_equal(v.caches[0].bytes, 1000);
	mt_top_view_free(&v);

	assert_int_equal(mt_top_view_make(&v, &prev, &cur, 2.0, MT_TOP_SORT_ALLOCS), 0);
	assert_int_equal(v.procs[0].key, 20);
	mt_top_view_free(&v);
	assert_int_equal(mt_top_view_make(&v, &prev, &cur, 2.0, MT_TOP_SORT_FREES), 0);
	assert_int_equal(v.procs[0].key, 20);
	mt_top_view_free(&v);
	assert_int_equal(mt_top_view_make(&v, &prev, &cur, 2.0, MT_TOP_SORT_NET), 0);
	assert_int_equal(v.procs[0].key, 30); /* +9000 against 2000 - 4096 */
	assert_int_equal(v.procs[1].key, 20);
	mt_top_view_free(&v);

	/* the first interval: since the start */
	assert_int_equal(mt_top_view_make(&v, NULL, &cur, 1.0, MT_TOP_SORT_BYTES), 0);
	assert_int_equal(v.nr_procs, 3);
	assert_int_equal(v.cls[MT_CLASS_LOGICAL].allocs, 300);
	mt_top_view_free(&v);
	mt_report_free(&prev);
	mt_report_free(&cur);
}

/* A counter that went down (a row recreated after a map reset) is no negative rate. */
static void test_no_negative_rates(void **state)
{
	struct mt_report prev, cur;
	struct mt_top_view v;

	reports(&prev, &cur);
	assert_int_equal(mt_top_view_make(&v, &cur, &prev, 1.0, MT_TOP_SORT_BYTES), 0);
	assert_int_equal(v.cls[MT_CLASS_LOGICAL].allocs, 0);
	assert_int_equal(v.nr_procs, 0);
	mt_top_view_free(&v);
	mt_report_free(&prev);
	mt_report_free(&cur);
}

static void test_render_block(void **state)
{
	struct mt_report prev, cur;
	struct mt_top_view v;
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	reports(&prev, &cur);
	assert_int_equal(mt_top_view_make(&v, &prev, &cur, 2.0, MT_TOP_SORT_BYTES), 0);
	mt_top_render(f, &v, &cur, 3, 1, false);
	fclose(f);
	assert_non_null(
		strstr(buf, "memtrace top: interval 3 (2.00 s), system-wide; events/s 1,000\n"));
	/* 200 allocs, 4000 bytes over 2 s */
	assert_non_null(strstr(buf, "kernel logical           100            0      2.0 KiB/s"
				    "          0 B/s\n"));
	assert_null(strstr(buf, "physical ")); /* not traced: no row */
	assert_non_null(strstr(buf, "30      new"));
	assert_null(strstr(buf, "busy")); /* one row asked for */
	assert_non_null(strstr(buf, "dentry"));
	assert_null(strstr(buf, "LOST")); /* nothing lost: no line */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		assert_true(strlen(line) <= 80);
	free(buf);
	mt_top_view_free(&v);
	mt_report_free(&prev);
	mt_report_free(&cur);
}

/* A loss since the start is on every refresh, highlighted on a terminal. */
static void test_render_losses(void **state)
{
	struct mt_report prev, cur;
	struct mt_top_view v;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	reports(&prev, &cur);
	cur.tot.lost[MT_LOSS_PROC_FULL] = 2844966;
	cur.run.missed_runs = 4;
	assert_int_equal(mt_top_view_make(&v, &prev, &cur, 2.0, MT_TOP_SORT_BYTES), 0);
	mt_top_render(f, &v, &cur, 3, 1, true);
	fclose(f);
	assert_non_null(strstr(buf, "\033[1;31mLOST 2,844,970 events since the start: process "
				    "table full 2,844,966, missed BPF runs 4\033[0m\n"));
	free(buf);
	mt_top_view_free(&v);
	mt_report_free(&prev);
	mt_report_free(&cur);
}

static void test_sort_names(void **state)
{
	assert_int_equal(mt_top_sort_parse("bytes"), MT_TOP_SORT_BYTES);
	assert_int_equal(mt_top_sort_parse("net"), MT_TOP_SORT_NET);
	assert_int_equal(mt_top_sort_parse("Bytes"), -1);
	assert_int_equal(mt_top_sort_parse(""), -1);
	assert_string_equal(mt_top_sort_name(MT_TOP_SORT_FREES), "frees");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deltas),	     cmocka_unit_test(test_no_negative_rates),
		cmocka_unit_test(test_render_block), cmocka_unit_test(test_render_losses),
		cmocka_unit_test(test_sort_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
