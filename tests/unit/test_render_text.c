// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The plain-text report (src/render/render_text.c): the facts a reader looks for are there, in
 * the right rows, --top is honoured, and the report fits an 80-column terminal as its
 * header comment promises. Output is captured in memory and searched line by line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "render/render.h"

#define MAX_LINES 512

struct out {
	char *buf;
	char *line[MAX_LINES];
	int nr;
};

static void render(struct out *o, const struct mt_report *r, int top)
{
	struct mt_render_opts ro = { .top = top };
	size_t len = 0;
	FILE *f;
	char *p;

	memset(o, 0, sizeof(*o));
	f = open_memstream(&o->buf, &len);
	assert_non_null(f);
	mt_render_text(f, r, &ro);
	assert_int_equal(fclose(f), 0);
	assert_true(len > 0);
	assert_int_equal(o->buf[len - 1], '\n');
	for (p = o->buf; *p;) {
		char *nl = strchr(p, '\n');

		assert_true(o->nr < MAX_LINES);
		*nl = '\0';
		o->line[o->nr++] = p;
		p = nl + 1;
	}
}

/* Index of the first line starting with prefix at or after from, or -1. */
static int find(const struct out *o, int from, const char *prefix)
{
	for (int i = from; i < o->nr; i++)
		if (!strncmp(o->line[i], prefix, strlen(prefix)))
			return i;
	return -1;
}

static int must_find(const struct out *o, int from, const char *prefix)
{
	int i = find(o, from, prefix);

	if (i < 0)
		fail_msg("no line starting with \"%s\"", prefix);
	return i;
}

static bool anywhere(const struct out *o, const char *s)
{
	for (int i = 0; i < o->nr; i++)
		if (strstr(o->line[i], s))
			return true;
	return false;
}

/* Each of the NULL-terminated words occurs in line, in this order, without overlapping. */
static void assert_in_order(const char *line, ...)
{
	const char *p = line, *w;
	va_list ap;

	va_start(ap, line);
	while ((w = va_arg(ap, const char *))) {
		const char *q = strstr(p, w);

		if (!q)
			fail_msg("\"%s\" not found in order in \"%s\"", w, line);
		p = q + strlen(w);
	}
	va_end(ap);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && !strcmp(s + a - b, tail);
}

static void assert_fits_80(const struct out *o)
{
	for (int i = 0; i < o->nr; i++)
		if (strlen(o->line[i]) > 80)
			fail_msg("line %d is %zu columns: \"%s\"", i + 1, strlen(o->line[i]),
				 o->line[i]);
}

static void add_cache(struct mt_report *r, const char *name, __u64 allocs, __u64 bytes)
{
	struct mt_cache v;

	memset(&v, 0, sizeof(v));
	snprintf(v.name, sizeof(v.name), "%s", name);
	v.allocs = allocs;
	v.frees = allocs / 2;
	v.bytes_alloc = bytes;
	v.bytes_req = bytes - bytes / 8;
	v.object_size = 64;
	v.size = 64;
	assert_int_equal(
		mt_report_add_cache(r, 0xffff888100000000ULL + 0x100 * r->nr_caches, &v, 1), 0);
}

static void add_proc(struct mt_report *r, __u32 tgid, const char *comm, __u64 slab_bytes)
{
	struct mt_proc v;

	memset(&v, 0, sizeof(v));
	snprintf(v.comm, sizeof(v.comm), "%s", comm);
	v.allocs[MT_CLASS_LOGICAL] = slab_bytes / 64;
	v.bytes[MT_CLASS_LOGICAL] = slab_bytes;
	assert_int_equal(mt_report_add_proc(r, tgid, &v, 1), 0);
}

/* Slab and pages traced, 5 caches, 3 processes, 2 zones; numbers chosen to format simply. */
static void build_report(struct mt_report *r)
{
	struct mt_run_info *ri = &r->run;
	struct mt_stats *t = &r->tot;

	mt_report_init(r);
	snprintf(ri->release, sizeof(ri->release), "6.18.44-test");
	snprintf(ri->arch, sizeof(ri->arch), "x86_64");
	ri->page_size = 4096;
	ri->page_shift = 12;
	snprintf(ri->btf, sizeof(ri->btf), "/sys/kernel/btf/vmlinux");
	snprintf(ri->attach, sizeof(ri->attach), "tp_btf");
	ri->duration_s = 5.0;
	ri->class_traced[MT_CLASS_LOGICAL] = true;
	ri->class_traced[MT_CLASS_PHYSICAL] = true;
	ri->kfree_sized = true;

	t->events = 1234567;
	/* 1.5 MiB allocated, 512 KiB freed: net +1 MiB */
	t->cls[MT_CLASS_LOGICAL] = (struct mt_counts){
		.allocs = 1000,
		.frees = 400,
		.bytes_req = 1048576,
		.bytes_alloc = 1572864,
		.bytes_freed = 524288,
	};
	/* 10 allocs of 4 KiB, 30 frees: net -80 KiB */
	t->cls[MT_CLASS_PHYSICAL] = (struct mt_counts){
		.allocs = 10,
		.frees = 30,
		.bytes_req = 40960,
		.bytes_alloc = 40960,
		.bytes_freed = 122880,
	};
	t->size_hist[MT_CLASS_LOGICAL][6] = 1000;
	t->size_hist[MT_CLASS_PHYSICAL][12] = 10;
	t->order_allocs[0] = 10;
	t->order_frees[0] = 28;
	t->order_frees[2] = 2;

	r->zones.nr = 2;
	r->zones.z[0] = (struct mt_zone){ .node = 0,
					  .name = "DMA32",
					  .start_pfn = 4096,
					  .spanned = 1044480,
					  .present = 782336 };
	r->zones.z[1] = (struct mt_zone){ .node = 0,
					  .name = "Normal",
					  .start_pfn = 1048576,
					  .spanned = 5505024,
					  .present = 5505024 };
	t->zone_allocs[1] = 10;
	t->zone_frees[1] = 36;

	add_cache(r, "kmalloc-cg-64", 500, 32000);
	add_cache(r, "dentry", 300, 57344);
	add_cache(r, "inode_cache", 20, 12800);
	add_cache(r, "vm_area_struct", 100, 16000);
	add_cache(r, "filp", 80, 20480);
	add_proc(r, 1, "systemd", 64000);
	add_proc(r, 4242, "bash", 640000);
	add_proc(r, 77, "kworker/1:0", 6400);
	mt_report_finish(r);
}

static void test_header(void **state)
{
	struct mt_report r;
	struct out o;
	int i;

	build_report(&r);
	render(&o, &r, 10);
	assert_string_equal(o.line[0], "memtrace " MEMTRACE_VERSION ": kernel memory report");
	i = must_find(&o, 0, "kernel ");
	assert_in_order(o.line[i], "6.18.44-test", "x86_64", NULL);
	assert_true(ends_with(o.line[i], "PAGE_SIZE 4096 (PAGE_SHIFT 12)"));
	i = must_find(&o, 0, "BTF ");
	assert_in_order(o.line[i], "/sys/kernel/btf/vmlinux", "tp_btf", NULL);
	i = must_find(&o, 0, "scope ");
	assert_non_null(strstr(o.line[i], "system-wide"));
	i = must_find(&o, 0, "duration ");
	assert_in_order(o.line[i], "5.00 s", "events 1,234,567;", NULL);
	assert_true(ends_with(o.line[i], "; lost 0"));
	/* nothing lost: no breakdown lines */
	assert_false(anywhere(&o, "ring buffer full"));
	assert_false(anywhere(&o, "missed BPF runs"));
	free(o.buf);
	mt_report_free(&r);
}

static void test_header_pids_and_losses(void **state)
{
	struct mt_report r;
	struct out o;
	int i;

	build_report(&r);
	r.run.nr_pids = 2;
	r.run.pids[0] = 12;
	r.run.pids[1] = 34;
	r.run.missed_runs = 3;
	r.tot.lost[MT_LOSS_RINGBUF] = 1000;
	r.tot.lost[MT_LOSS_PROC_FULL] = 20;
	render(&o, &r, 10);
	i = must_find(&o, 0, "scope ");
	assert_in_order(o.line[i], "pid 12,34", "(all threads)", NULL);
	/* 3 + 1000 + 20 */
	i = must_find(&o, 0, "duration ");
	assert_true(ends_with(o.line[i], "; lost 1,023"));
	assert_in_order(o.line[i + 1], "missed BPF runs", "3", NULL);
	assert_true(anywhere(&o, "ring buffer full: 1,000"));
	assert_true(anywhere(&o, "process table full: 20"));
	/* a zero counter gets no line */
	assert_false(anywhere(&o, "cache table full"));
	free(o.buf);
	mt_report_free(&r);
}

static void test_classes_table(void **state)
{
	struct mt_report r;
	struct out o;
	int h, i;

	build_report(&r);
	render(&o, &r, 10);
	h = must_find(&o, 0, "ADDRESS CLASSES");
	h = must_find(&o, h, "class ");
	assert_in_order(o.line[h], "allocs", "frees", "allocated", "freed", "net", NULL);

	i = must_find(&o, h, "kernel logical ");
	/* a gain carries its sign on the number, as a loss does */
	assert_in_order(o.line[i], "1,000", "400", "1.5 MiB", "512.0 KiB", " +1.0 MiB", NULL);
	/* right-aligned fixed columns: every row as long as the header */
	assert_int_equal(strlen(o.line[i]), strlen(o.line[h]));

	i = must_find(&o, h, "physical ");
	assert_in_order(o.line[i], "10", "30", "40.0 KiB", "120.0 KiB", " -80.0 KiB", NULL);
	assert_null(strchr(o.line[i], '+'));
	assert_int_equal(strlen(o.line[i]), strlen(o.line[h]));

	/* untraced classes get no row, only a mention, in class order */
	assert_int_equal(find(&o, h, "kernel virtual "), -1);
	assert_int_equal(find(&o, h, "bus "), -1);
	i = must_find(&o, h, "not measured (see below): ");
	assert_string_equal(o.line[i], "not measured (see below): kernel virtual, "
				       "bus, user virtual, high memory");
	free(o.buf);

	/* every class traced: nothing to mention */
	for (int k = 0; k < MT_CLASS_MAX; k++)
		r.run.class_traced[k] = true;
	render(&o, &r, 10);
	assert_false(anywhere(&o, "not measured (see below)"));
	assert_true(find(&o, 0, "high memory ") > 0);
	free(o.buf);
	mt_report_free(&r);
}

/* --top 2 with 5 caches and 3 processes: the 2 largest of each, then a count of all. */
static void test_top_limit(void **state)
{
	struct mt_report r;
	struct out o;
	int h, p;

	build_report(&r);
	render(&o, &r, 2);
	h = must_find(&o, 0, "cache ");
	/* by bytes allocated: dentry 57344, kmalloc-cg-64 32000, then filp, ... */
	assert_true(!strncmp(o.line[h + 1], "dentry ", 7));
	assert_in_order(o.line[h + 1], "300", "150", "64", "56.0 KiB", NULL);
	assert_true(!strncmp(o.line[h + 2], "kmalloc-cg-64 ", 14));
	assert_string_equal(o.line[h + 3], "(5 caches in all; --top N shows more)");
	assert_false(anywhere(&o, "filp"));
	assert_false(anywhere(&o, "vm_area_struct"));
	assert_false(anywhere(&o, "inode_cache"));

	p = must_find(&o, 0, "TOP PROCESSES");
	assert_in_order(o.line[p + 1], "tgid", "comm", NULL);
	assert_in_order(o.line[p + 2], "4242", "bash", "10,000", "625.0 KiB", NULL);
	assert_in_order(o.line[p + 3], "1", "systemd", NULL);
	/* the rest in one row, so the rows add up to the totals */
	assert_in_order(o.line[p + 4], "-", "(1 more)", NULL);
	assert_string_equal(o.line[p + 5], "(3 processes in all; --top N shows more)");
	assert_false(anywhere(&o, "kworker/1:0"));
	free(o.buf);

	/* room for every row: all shown, no hint */
	render(&o, &r, 5);
	assert_true(anywhere(&o, "inode_cache"));
	assert_true(anywhere(&o, "kworker/1:0"));
	assert_false(anywhere(&o, "in all"));
	free(o.buf);
	mt_report_free(&r);
}

static void test_pages_section(void **state)
{
	struct mt_report r;
	struct out o;
	int i;

	build_report(&r);
	r.tot.zone_allocs[MT_ZONE_UNKNOWN] = 4;
	render(&o, &r, 10);
	i = must_find(&o, 0, "PAGES ");
	i = must_find(&o, i, "order ");
	/* orders 0..2 (the last in use), each with its size: 4 KiB << order */
	assert_in_order(o.line[i + 1], "0", "10", "28", "4.0 KiB", NULL);
	assert_in_order(o.line[i + 2], "1", "0", "0", "8.0 KiB", NULL);
	assert_in_order(o.line[i + 3], "2", "0", "2", "16.0 KiB", NULL);
	assert_true(o.line[i + 4][0] == '\0');
	/* zones as hex PFN ranges, end exclusive: 4096 = 0x1000, 1048576 = 0x100000 */
	i = must_find(&o, i, "node ");
	assert_in_order(o.line[i + 1], "0", "DMA32", "0x1000-0x100000", "0", "0", NULL);
	assert_in_order(o.line[i + 2], "0", "Normal", "0x100000-0x640000", "10", "36", NULL);
	assert_in_order(o.line[i + 3], "-", "unknown", "4", NULL);
	free(o.buf);

	/* zones beyond the table are admitted to */
	r.zones.skipped = 5;
	render(&o, &r, 10);
	assert_true(anywhere(&o, "(5 more zones than memtrace tracks"));
	free(o.buf);
	mt_report_free(&r);
}

/* Sections of untraced classes are left out rather than shown empty. */
static void test_untraced_sections(void **state)
{
	struct mt_report r;
	struct out o;

	build_report(&r);
	r.run.class_traced[MT_CLASS_LOGICAL] = false;
	r.run.class_traced[MT_CLASS_PHYSICAL] = false;
	render(&o, &r, 10);
	assert_int_equal(find(&o, 0, "SLAB "), -1);
	assert_int_equal(find(&o, 0, "PAGES "), -1);
	assert_int_equal(find(&o, 0, "ALLOCATION SIZES"), -1);
	free(o.buf);
	mt_report_free(&r);
}

static void test_histograms(void **state)
{
	struct mt_report r;
	struct out o;
	int i;

	build_report(&r);
	render(&o, &r, 10);
	i = must_find(&o, 0, "ALLOCATION SIZES, kernel logical");
	assert_string_equal(o.line[i + 1], "     bytes               : count    distribution");
	/* 1000 allocations in slot 6 (64..127 bytes): the seventh row */
	assert_in_order(o.line[i + 2 + 6], "64", "->", "127", "1000", NULL);
	i = must_find(&o, i, "ALLOCATION SIZES, physical");
	assert_in_order(o.line[i + 2 + 12], "4096", "->", "8191", "10", NULL);
	free(o.buf);
	mt_report_free(&r);
}

static void test_fits_80_columns(void **state)
{
	struct mt_report r;
	struct out o;

	build_report(&r);
	render(&o, &r, 10);
	assert_fits_80(&o);
	free(o.buf);

	/* long values where the columns allow them: still within 80 */
	r.tot.cls[MT_CLASS_LOGICAL].allocs = 99999999999ULL;
	r.tot.cls[MT_CLASS_LOGICAL].bytes_freed = 1ULL << 40;
	r.caches[0].allocs = 9999999999ULL;
	snprintf(r.caches[0].name, sizeof(r.caches[0].name), "a-cache-name-longer-than-22");
	snprintf(r.procs[0].comm, sizeof(r.procs[0].comm), "fifteen-chars-x");
	r.tot.lost[MT_LOSS_CACHE_FULL] = 123456789;
	r.run.missed_runs = 5;
	render(&o, &r, 10);
	assert_fits_80(&o);
	free(o.buf);
	mt_report_free(&r);
}

/*
 * Regression: on a kernel that hides kfree sizes the slab summary line was once 92
 * columns even with every count 0.
 */
static void test_fits_80_columns_kfree_unsized(void **state)
{
	struct mt_report r;
	struct out o;

	build_report(&r);
	r.run.kfree_sized = false;
	render(&o, &r, 10);
	assert_fits_80(&o);
	free(o.buf);
	mt_report_free(&r);
}

/*
 * Regression: the fragmentation line once passed 80 columns when the three sizes took three
 * digits ("requested 123.0 MiB, allocated 234.0 MiB: 111.0 MiB (47.4%) ..." is 82).
 */
static void test_fits_80_columns_large_slab(void **state)
{
	struct mt_report r;
	struct out o;

	build_report(&r);
	r.tot.cls[MT_CLASS_LOGICAL].bytes_req = 123ULL << 20;
	r.tot.cls[MT_CLASS_LOGICAL].bytes_alloc = 234ULL << 20;
	render(&o, &r, 10);
	assert_fits_80(&o);
	free(o.buf);
	mt_report_free(&r);
}

/*
 * A cache seen only freeing (its objects were allocated before the trace) still gets a
 * row, after the caches that allocated; so with --top large enough every cache is listed
 * and no "--top N shows more" hint appears.
 */
static void test_free_only_cache(void **state)
{
	struct mt_report r;
	struct mt_cache v;
	struct out o;
	int h, i;

	build_report(&r);
	memset(&v, 0, sizeof(v));
	snprintf(v.name, sizeof(v.name), "freed-only");
	v.frees = 10;
	assert_int_equal(mt_report_add_cache(&r, 0xffff888100990000ULL, &v, 1), 0);
	mt_report_finish(&r);
	render(&o, &r, 100);
	h = must_find(&o, 0, "cache ");
	i = must_find(&o, h, "freed-only ");
	assert_int_equal(i, h + 6); /* the last of the six rows */
	assert_in_order(o.line[i], "0", "10", NULL);
	assert_false(anywhere(&o, "--top N shows more"));
	free(o.buf);
	mt_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_header_pids_and_losses),
		cmocka_unit_test(test_classes_table),
		cmocka_unit_test(test_top_limit),
		cmocka_unit_test(test_pages_section),
		cmocka_unit_test(test_untraced_sections),
		cmocka_unit_test(test_histograms),
		cmocka_unit_test(test_fits_80_columns),
		cmocka_unit_test(test_fits_80_columns_kfree_unsized),
		cmocka_unit_test(test_fits_80_columns_large_slab),
		cmocka_unit_test(test_free_only_cache),
	};

	return cmocka_run_group_tests_name("text report", tests, NULL, NULL);
}
