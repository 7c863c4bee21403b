// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * memtrace diff (src/model/diff*.c) on synthetic reports: matching by name across a KASLR
 * shift, the baselines' spread, the minimum sizes, the order of the rows, the renderers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/diff.h"
#include "model/expr.h"
#include "model/metrics.h"
#include "model/model.h"
#include "render/render_diff.h"
#include "sys/kallsyms.h"

static const struct mt_diff_opts defaults = {
	.min_bytes = MT_DIFF_MIN_BYTES,
	.min_count = MT_DIFF_MIN_COUNT,
	.min_rel = MT_DIFF_MIN_REL,
};

static void load_ksyms(struct mt_ksyms *ks, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "tests/fixtures/%s", name);
	mt_ksyms_init(ks);
	assert_int_equal(mt_ksyms_load(ks, path), 0);
}

/*
 * A report of one boot: _text at text, one kmalloc call site at kfree+0x10 and one stack
 * __kmalloc_noprof+0x20 <- vfree+0x40 <- exc_page_fault+0x8, a cache and two processes
 * named alike. The symbols' offsets from _text are those of the fixtures.
 */
struct boot {
	struct mt_report r;
	struct mt_site_row site;
	struct mt_stack_row stack;
	__u64 frames[3];
	struct mt_cache_row cache;
	struct mt_proc_row procs[2];
};

static void boot_make(struct boot *b, __u64 text, const struct mt_ksyms *ks, __u64 allocs)
{
	memset(b, 0, sizeof(*b));
	mt_report_init(&b->r);
	b->site = (struct mt_site_row){ .call_site = text + 0x3d01b0 + 0x10,
					.cls = MT_PAIR_SLAB,
					.allocs = allocs,
					.bytes_alloc = allocs * 64 };
	b->frames[0] = text + 0x3d5140 + 0x20;
	b->frames[1] = text + 0x3b3380 + 0x40;
	b->frames[2] = text + 0xce63b0 + 0x8;
	b->stack = (struct mt_stack_row){ .stack_id = 7,
					  .cls = MT_PAIR_SLAB,
					  .allocs = allocs,
					  .bytes = allocs * 64,
					  .nr_frames = 3,
					  .frames = b->frames };
	b->cache = (struct mt_cache_row){ .name = "kmalloc-64", .allocs = allocs, .frees = 10 };
	b->procs[0] =
		(struct mt_proc_row){ .tgid = (__u32)text, .comm = "make", .total_bytes = 4096 };
	b->procs[0].allocs[MT_CLASS_PHYSICAL] = 1;
	b->procs[1] = (struct mt_proc_row){ .tgid = (__u32)text + 1,
					    .comm = "make",
					    .total_bytes = 8192 };
	b->procs[1].allocs[MT_CLASS_PHYSICAL] = 2;
	b->r.pair.sites = &b->site;
	b->r.pair.nr_sites = 1;
	b->r.pair.stacks = &b->stack;
	b->r.pair.nr_stacks = 1;
	b->r.pair.ksyms = ks;
	b->r.caches = &b->cache;
	b->r.nr_caches = 1;
	b->r.procs = b->procs;
	b->r.nr_procs = 2;
	b->r.tot.cls[MT_CLASS_LOGICAL].allocs = allocs;
}

static void boot_set(struct boot *b, struct mt_dset *s)
{
	mt_dset_init(s);
	assert_int_equal(mt_dset_from_report(s, &b->r), 0);
}

static const struct mt_diff_row *row(const struct mt_diff *d, int sec, const char *name,
				     const char *metric)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->rows[i].sec == sec && !strcmp(d->rows[i].name, name) &&
		    !strcmp(d->rows[i].metric, metric))
			return &d->rows[i];
	return NULL;
}

#define STACK_NAME "slab;exc_page_fault+0x8;vfree+0x40;__kmalloc_noprof+0x20"

/* The same work on two boots whose kernels sit 24 MiB apart matches by symbol. */
static void test_kaslr_by_symbol(void **state)
{
	struct mt_ksyms ka, kb;
	struct boot *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct mt_dset sa, sb;
	struct mt_diff d;
	const struct mt_diff_row *r;

	(void)state;
	load_ksyms(&ka, "kallsyms-x86_64-kaslr.txt");
	load_ksyms(&kb, "kallsyms-x86_64-la57-kaslr.txt");
	boot_make(a, 0xffffffff9fc00000ULL, &ka, 1000);
	boot_make(b, 0xffffffff9e400000ULL, &kb, 1000);
	assert_int_not_equal(a->site.call_site, b->site.call_site);
	boot_set(a, &sa);
	boot_set(b, &sb);
	assert_int_equal(mt_diff_compute(&d, &sa, 1, &sb, &defaults), 0);
	assert_int_equal(d.nr_flagged, 0);
	r = row(&d, MT_DSEC_SITE, "slab kfree+0x10", "allocs");
	assert_non_null(r);
	assert_true(r->mean == 1000 && r->newv == 1000 && r->delta == 0);
	r = row(&d, MT_DSEC_STACK, STACK_NAME, "bytes");
	assert_non_null(r);
	assert_true(r->mean == 64000 && r->newv == 64000);
	/* processes by comm: the two "make" add up, whatever their pids */
	r = row(&d, MT_DSEC_PROC, "make", "bytes");
	assert_non_null(r);
	assert_true(r->mean == 12288 && r->newv == 12288);
	mt_diff_free(&d);
	mt_dset_free(&sa);
	mt_dset_free(&sb);

	/* the control: without symbols the addresses differ and nothing lines up */
	a->r.pair.ksyms = NULL;
	b->r.pair.ksyms = NULL;
	boot_set(a, &sa);
	boot_set(b, &sb);
	assert_int_equal(mt_diff_compute(&d, &sa, 1, &sb, &defaults), 0);
	assert_null(row(&d, MT_DSEC_SITE, "slab kfree+0x10", "allocs"));
	assert_true(d.nr_flagged > 0);
	mt_diff_free(&d);
	mt_dset_free(&sa);
	mt_dset_free(&sb);
	mt_ksyms_free(&ka);
	mt_ksyms_free(&kb);
	free(a);
	free(b);
}

/* 1,000 more allocations at one site: flagged under the cache, the site and the stack. */
static void test_leak_flagged(void **state)
{
	struct mt_ksyms ks;
	struct boot *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct mt_dset sa, sb;
	struct mt_diff d;
	const struct mt_diff_row *r;
	FILE *f;
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	load_ksyms(&ks, "kallsyms-x86_64-kaslr.txt");
	boot_make(a, 0xffffffff9fc00000ULL, &ks, 500);
	boot_make(b, 0xffffffff9fc00000ULL, &ks, 1500);
	boot_set(a, &sa);
	boot_set(b, &sb);
	assert_int_equal(mt_diff_compute(&d, &sa, 1, &sb, &defaults), 0);
	r = row(&d, MT_DSEC_CACHE, "kmalloc-64", "allocs");
	assert_true(r && r->flagged && r->delta == 1000 && fabs(r->rel - 2.0) < 1e-9);
	r = row(&d, MT_DSEC_CACHE, "kmalloc-64", "net_allocs");
	assert_true(r && r->flagged && r->delta == 1000);
	r = row(&d, MT_DSEC_SITE, "slab kfree+0x10", "allocs");
	assert_true(r && r->flagged && r->delta == 1000);
	r = row(&d, MT_DSEC_STACK, STACK_NAME, "allocs");
	assert_true(r && r->flagged && r->delta == 1000);
	/* 64,000 bytes is under the default 64 KiB: the byte rows are not flagged */
	r = row(&d, MT_DSEC_STACK, STACK_NAME, "bytes");
	assert_true(r && !r->flagged && r->delta == 64000);
	r = row(&d, MT_DSEC_SITE, "slab kfree+0x10", "bytes");
	assert_true(r && !r->flagged);
	/* unchanged rows are never flagged; flagged rows come first */
	r = row(&d, MT_DSEC_CACHE, "kmalloc-64", "frees");
	assert_true(r && !r->flagged);
	assert_true(d.rows[0].flagged);
	for (size_t i = 1; i < d.n; i++)
		assert_true(d.rows[i - 1].flagged || !d.rows[i].flagged);

	f = open_memstream(&buf, &len);
	assert_int_equal(mt_render_diff_folded(f, &d, "bytes"), 0);
	fclose(f);
	assert_string_equal(buf, STACK_NAME " 32000 96000\n");
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(mt_render_diff_text(f, &d, 20, false), 0);
	fclose(f);
	assert_non_null(strstr(buf, "flagged"));
	assert_non_null(strstr(buf, "slab kfree+0x10"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_int_equal(mt_render_diff_json(f, &d, &defaults), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"schema_version\": 1"));
	assert_non_null(strstr(buf, "\"name\": \"kmalloc-64\""));
	free(buf);
	mt_diff_free(&d);
	mt_dset_free(&sa);
	mt_dset_free(&sb);
	mt_ksyms_free(&ks);
	free(a);
	free(b);
}

static void one(struct mt_dset *s, double v)
{
	mt_dset_init(s);
	assert_int_equal(mt_dset_add(s, MT_DSEC_CACHE, "filp", "allocs", v), 0);
}

/* Three baselines 900, 1000, 1100: mean 1000, spread 100. */
static void test_spread(void **state)
{
	static const struct {
		double newv;
		bool flagged;
	} cases[] = {
		{ 1050, false },		  /* inside the spread */
		{ 950, false },	 { 1100, false }, /* at its edge: as far as a baseline run went */
		{ 1250, true },			  /* beyond it and beyond the minimum */
		{ 800, true },			  /* a drop is a change too */
	};
	struct mt_dset bases[3], n;
	struct mt_diff d;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		one(&bases[0], 900);
		one(&bases[1], 1000);
		one(&bases[2], 1100);
		one(&n, cases[i].newv);
		assert_int_equal(mt_diff_compute(&d, bases, 3, &n, &defaults), 0);
		assert_int_equal(d.n, 1);
		assert_true(d.rows[0].mean == 1000 && d.rows[0].spread == 100);
		assert_int_equal(d.rows[0].flagged, cases[i].flagged);
		assert_int_equal(d.nr_flagged, cases[i].flagged);
		mt_diff_free(&d);
		for (int j = 0; j < 3; j++)
			mt_dset_free(&bases[j]);
		mt_dset_free(&n);
	}
}

/* The minimums: absolute per unit and relative to the base. */
static void test_minimums(void **state)
{
	struct mt_diff_opts o = defaults;
	struct mt_dset b, n;
	struct mt_diff d;

	(void)state;
	one(&b, 100000);
	one(&n, 101000); /* +1,000 is over min_count but only 1% */
	assert_int_equal(mt_diff_compute(&d, &b, 1, &n, &o), 0);
	assert_false(d.rows[0].flagged);
	mt_diff_free(&d);
	o.min_rel = 0;
	assert_int_equal(mt_diff_compute(&d, &b, 1, &n, &o), 0);
	assert_true(d.rows[0].flagged);
	mt_diff_free(&d);
	o.min_count = 1001;
	assert_int_equal(mt_diff_compute(&d, &b, 1, &n, &o), 0);
	assert_false(d.rows[0].flagged);
	mt_diff_free(&d);
	mt_dset_free(&b);
	mt_dset_free(&n);

	/* a value only the new run has: relative change "new", absolute minimum still applies */
	mt_dset_init(&b);
	mt_dset_init(&n);
	assert_int_equal(mt_dset_add(&n, MT_DSEC_CACHE, "x", "bytes", 1 << 20), 0);
	assert_int_equal(mt_dset_add(&n, MT_DSEC_CACHE, "y", "bytes", 1024), 0);
	assert_int_equal(mt_diff_compute(&d, &b, 1, &n, &defaults), 0);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.rows[0].name, "x");
	assert_true(d.rows[0].flagged && isinf(d.rows[0].rel));
	assert_false(d.rows[1].flagged);
	mt_diff_free(&d);
	assert_int_equal(mt_diff_compute(&d, &b, 0, &n, &defaults), -EINVAL);
	mt_dset_free(&b);
	mt_dset_free(&n);
}

/* Same keys add up; the lookup finds each key after the merge. */
static void test_dset_merge(void **state)
{
	struct mt_dset s;
	const struct mt_dval *v;

	(void)state;
	mt_dset_init(&s);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(mt_dset_add(&s, MT_DSEC_PROC, i % 2 ? "a" : "b", "allocs", 1), 0);
	mt_dset_finish(&s);
	assert_int_equal(s.n, 2);
	v = mt_dset_find(&s, MT_DSEC_PROC, "a", "allocs");
	assert_true(v && v->v == 500);
	assert_null(mt_dset_find(&s, MT_DSEC_CACHE, "a", "allocs"));
	mt_dset_free(&s);
}

/* The relative forms of --fail-if, and what is refused before anything is attached. */
static void test_relative_expr(void **state)
{
	struct mt_expr e;
	char err[512];

	(void)state;
	assert_int_equal(
		mt_expr_parse("cache.kmalloc-64.allocs > base + 1000", &e, err, sizeof(err)), 0);
	assert_true(e.rel && e.factor == 1 && e.value == 1000);
	assert_string_equal(e.metric, "cache.kmalloc-64.allocs");
	assert_int_equal(mt_metric_bind(&e, err, sizeof(err)), 0);
	assert_int_equal(mt_expr_parse("outstanding.bytes > base * 1.05", &e, err, sizeof(err)), 0);
	assert_true(e.rel && e.factor == 1.05 && e.value == 0);
	assert_int_equal(mt_metric_bind(&e, err, sizeof(err)), 0);
	assert_int_equal(mt_expr_parse("cache.TCPv6.bytes<=base-1MiB", &e, err, sizeof(err)), 0);
	assert_true(e.rel && e.value == -(1 << 20) && e.unit == MT_UNIT_BYTES);
	assert_string_equal(e.metric, "cache.TCPv6.bytes");
	assert_int_equal(mt_metric_bind(&e, err, sizeof(err)), 0);
	assert_int_equal(mt_expr_parse("site.do_eventfd+0x34.allocs >= base", &e, err, sizeof(err)),
			 0);
	assert_int_equal(mt_metric_bind(&e, err, sizeof(err)), 0);

	assert_int_equal(mt_expr_parse("cache.filp.allocs > base * x", &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expected a factor after 'base *'"));
	assert_int_equal(mt_expr_parse("cache.filp.allocs > base 5", &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "after 'base'"));
	assert_int_equal(mt_expr_parse("cache.filp.allocs > basement", &e, err, sizeof(err)), -1);
	/* a table metric is not a flattened value; a count takes no unit */
	assert_int_equal(mt_expr_parse("classes.physical.net_bytes > base", &e, err, sizeof(err)),
			 0);
	assert_int_equal(mt_metric_bind(&e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot be compared with a baseline"));
	assert_int_equal(mt_expr_parse("cache.filp.allocs > base + 1KiB", &e, err, sizeof(err)), 0);
	assert_int_equal(mt_metric_bind(&e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is a count"));
	assert_int_equal(mt_expr_parse("cache.filp.nope > base", &e, err, sizeof(err)), 0);
	assert_int_equal(mt_metric_bind(&e, err, sizeof(err)), -1);
	assert_int_equal(mt_expr_parse("outstanding.heap.bytes > base", &e, err, sizeof(err)), 0);
	assert_int_equal(mt_metric_bind(&e, err, sizeof(err)), -1);
}

/*
 * Conditions against a baseline: the base value and the limit come from the baseline set,
 * the value from the run; a failing one names the cache, call site and stack that moved.
 */
static void test_baseline_verdicts(void **state)
{
	const char *texts[] = {
		"cache.kmalloc-64.allocs > base + 1000", /* 3000 > 2000: fails */
		"cache.kmalloc-64.allocs > base * 4",	 /* 3000 > 4000: holds not */
		"site.kfree+0x10.allocs > base + 2000",	 /* 3000 > 3000: holds not */
		"process.make.bytes != base",		 /* 12288 both */
		"class.kernel_logical.allocs >= base * 3",
	};
	struct mt_expr e[5];
	struct mt_ksyms ks;
	struct boot *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct mt_dset base;
	char err[256];

	(void)state;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(mt_expr_parse(texts[i], &e[i], err, sizeof(err)), 0);
		assert_int_equal(mt_metric_bind(&e[i], err, sizeof(err)), 0);
	}
	load_ksyms(&ks, "kallsyms-x86_64-kaslr.txt");
	boot_make(a, 0xffffffff9fc00000ULL, &ks, 1000);
	boot_make(b, 0xffffffff9fc00000ULL, &ks, 3000);
	boot_set(a, &base);
	assert_int_equal(mt_ci_evaluate(&b->r, e, 5, &base), 2);
	assert_true(b->r.ci.res[0].failed && b->r.ci.res[0].measured);
	assert_int_equal(b->r.ci.res[0].value, 3000);
	assert_true(b->r.ci.res[0].base == 1000);
	assert_int_equal(b->r.ci.res[0].threshold, 2000);
	assert_non_null(strstr(b->r.ci.res[0].movers, "cache kmalloc-64 allocs +2000"));
	assert_non_null(strstr(b->r.ci.res[0].movers, "site slab kfree+0x10 allocs +2000"));
	assert_non_null(strstr(b->r.ci.res[0].movers, "stack slab;exc_page_fault+0x8;vfree+0x40;"));
	assert_false(b->r.ci.res[1].failed);
	assert_int_equal(b->r.ci.res[1].threshold, 4000);
	assert_false(b->r.ci.res[2].failed);
	assert_false(b->r.ci.res[3].failed);
	assert_int_equal(b->r.ci.res[3].value, 12288);
	assert_true(b->r.ci.res[4].failed);
	/* without a baseline a relative condition is never passed silently */
	assert_int_equal(mt_ci_evaluate(&b->r, e, 5, NULL), 5);
	assert_false(b->r.ci.res[1].measured);
	mt_ci_free(&b->r.ci);
	mt_dset_free(&base);
	mt_ksyms_free(&ks);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kaslr_by_symbol),
		cmocka_unit_test(test_leak_flagged),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_minimums),
		cmocka_unit_test(test_dset_merge),
		cmocka_unit_test(test_relative_expr),
		cmocka_unit_test(test_baseline_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
