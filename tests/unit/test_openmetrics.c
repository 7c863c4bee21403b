// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The Prometheus text exposition (src/render/render_openmetrics.c): counter and histogram
 * shapes, label escaping, one series per cache name, and promtool's own verdict.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "render/render.h"

static char *render(const struct mt_report *r, int top)
{
	struct mt_render_opts ro = { .top = top };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(mt_render_openmetrics(f, r, &ro), 0);
	fclose(f);
	return buf;
}

static void synthetic(struct mt_report *r)
{
	struct mt_proc p[2] = {};
	struct mt_cache c[1] = {};

	mt_report_init(r);
	snprintf(r->run.release, sizeof(r->run.release), "6.1.0");
	snprintf(r->run.arch, sizeof(r->run.arch), "x86_64");
	snprintf(r->run.attach, sizeof(r->run.attach), "tp_btf");
	r->run.class_traced[MT_CLASS_LOGICAL] = true;
	r->run.class_traced[MT_CLASS_PHYSICAL] = true;
	r->tot.cls[MT_CLASS_LOGICAL].allocs = 6;
	r->tot.cls[MT_CLASS_LOGICAL].bytes_alloc = 300;
	r->tot.cls[MT_CLASS_LOGICAL].bytes_freed = 400;
	r->tot.size_hist[MT_CLASS_LOGICAL][0] = 1;		   /* 0..1 */
	r->tot.size_hist[MT_CLASS_LOGICAL][5] = 3;		   /* 32..63 */
	r->tot.size_hist[MT_CLASS_LOGICAL][MT_HIST_SLOTS - 1] = 2; /* clamped: +Inf */
	r->zones.nr = 1;
	r->zones.z[0] = (struct mt_zone){ 0, "Normal", 0x100000, 0x1000, 0x1000 };
	r->tot.zone_allocs[0] = 9;
	r->tot.zone_allocs[MT_ZONE_UNKNOWN] = 1;
	/* a comm with every character that needs escaping */
	memcpy(p[0].comm, "a\"b\\c\nd", 8);
	p[0].bytes[MT_CLASS_LOGICAL] = 100;
	p[0].allocs[MT_CLASS_LOGICAL] = 2;
	assert_int_equal(mt_report_add_proc(r, 42, p, 2), 0);
	/* two kmem_caches of one name are one series */
	snprintf(c[0].name, sizeof(c[0].name), "dup");
	c[0].allocs = 3;
	c[0].bytes_alloc = 96;
	assert_int_equal(mt_report_add_cache(r, 0xffff888000001000ULL, c, 1), 0);
	c[0].allocs = 4;
	assert_int_equal(mt_report_add_cache(r, 0xffff888000002000ULL, c, 1), 0);
	mt_report_finish(r);
}

static void test_shapes_and_escaping(void **state)
{
	struct mt_report r;
	char *s;

	synthetic(&r);
	s = render(&r, 10);
	assert_non_null(strstr(s, "# TYPE memtrace_allocations_total counter\n"
				  "memtrace_allocations_total{class=\"kernel_logical\"} 6\n"
				  "memtrace_allocations_total{class=\"physical\"} 0\n"));
	assert_null(strstr(s, "class=\"bus\"")); /* untraced classes are absent */
	assert_non_null(strstr(s, "memtrace_outstanding_bytes{class=\"kernel_logical\"} -100\n"));
	/* cumulative buckets, the clamped last slot only in +Inf, _count == +Inf */
	assert_non_null(strstr(s, "# TYPE memtrace_allocation_size_bytes histogram\n"));
	assert_non_null(strstr(s, "_bucket{class=\"kernel_logical\",le=\"1\"} 1\n"));
	assert_non_null(strstr(s, "_bucket{class=\"kernel_logical\",le=\"31\"} 1\n"));
	assert_non_null(strstr(s, "_bucket{class=\"kernel_logical\",le=\"63\"} 4\n"));
	assert_non_null(strstr(s, "_bucket{class=\"kernel_logical\",le=\"2147483647\"} 4\n"));
	assert_non_null(strstr(s, "_bucket{class=\"kernel_logical\",le=\"+Inf\"} 6\n"));
	assert_non_null(strstr(s, "_sum{class=\"kernel_logical\"} 300\n"));
	assert_non_null(strstr(s, "_count{class=\"kernel_logical\"} 6\n"));
	assert_non_null(strstr(s, "_allocated_total{node=\"0\",zone=\"Normal\"} 9\n"));
	assert_non_null(strstr(s, "_allocated_total{node=\"\",zone=\"unknown\"} 1\n"));
	assert_non_null(strstr(s, "memtrace_process_allocated_bytes_total{"
				  "comm=\"a\\\"b\\\\c\\nd\",class=\"kernel_logical\"} 100\n"));
	assert_null(strstr(s, "pid=")); /* series per pid would grow without bound */
	assert_non_null(strstr(s, "memtrace_slab_cache_allocations_total{cache=\"dup\"} 7\n"));
	/* and only once */
	assert_null(strstr(strstr(s, "{cache=\"dup\"} 7") + 1,
			   "memtrace_slab_cache_allocations_total{cache=\"dup\"}"));
	free(s);
	mt_report_free(&r);
}

/* promtool, Prometheus's own checker, accepts the output (skipped when not installed). */
static void test_promtool_accepts(void **state)
{
	char path[] = "/tmp/mt-test-om.XXXXXX", cmd[256];
	struct mt_report r;
	char *s;
	int fd, rc;
	FILE *f;

	if (system("command -v promtool >/dev/null 2>&1")) {
		print_message("skipped: promtool (Debian package prometheus) is not installed\n");
		skip();
	}
	synthetic(&r);
	s = render(&r, 10);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(s, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	rc = system(cmd);
	unlink(path);
	free(s);
	mt_report_free(&r);
	assert_int_equal(rc, 0);
}

static void add(struct mt_report *r, __u32 tgid, const char *comm, __u64 bytes)
{
	struct mt_proc p = {};

	snprintf(p.comm, sizeof(p.comm), "%s", comm);
	p.bytes[MT_CLASS_LOGICAL] = bytes;
	p.allocs[MT_CLASS_LOGICAL] = bytes / 100;
	assert_int_equal(mt_report_add_proc(r, tgid, &p, 1), 0);
}

static char *scrape(const struct mt_report *r, struct mt_om_names *kept)
{
	struct mt_render_opts ro = { .top = 2, .om = kept };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(mt_render_openmetrics(f, r, &ro), 0);
	fclose(f);
	return buf;
}

static int series(const char *s, const char *name)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, name)); p++)
		n += p[-1] == '\n';
	return n;
}

#define BYTES "memtrace_process_allocated_bytes_total{comm=\""

/*
 * Per-process series are bounded (the top names and "(other)"), by name not pid, keep their
 * labels from scrape to scrape, and never go down, even when an exec moves counts to
 * another name.
 */
static void test_process_series_bounded_and_stable(void **state)
{
	struct mt_om_names kept = {};
	struct mt_report r;
	char *s;

	mt_report_init(&r);
	r.run.class_traced[MT_CLASS_LOGICAL] = true;
	add(&r, 10, "make", 5000);
	add(&r, 11, "cc1", 3000);
	add(&r, 12, "cc1", 3000); /* one name, two processes: one series */
	add(&r, 13, "as", 100);
	add(&r, 14, "ld", 200);
	mt_report_finish(&r);
	s = scrape(&r, &kept);
	assert_non_null(strstr(s, BYTES "cc1\",class=\"kernel_logical\"} 6000\n"));
	assert_non_null(strstr(s, BYTES "make\",class=\"kernel_logical\"} 5000\n"));
	assert_non_null(strstr(s, BYTES "(other)\",class=\"kernel_logical\"} 300\n"));
	assert_int_equal(series(s, BYTES), 3);
	free(s);

	/* ld becomes the busiest, and an exec renames make's process to "true" */
	for (size_t i = 0; i < r.nr_procs; i++) {
		struct mt_proc_row *p = &r.procs[i];

		if (!strcmp(p->comm, "ld"))
			p->bytes[MT_CLASS_LOGICAL] = p->total_bytes = 90000;
		if (!strcmp(p->comm, "make"))
			snprintf(p->comm, sizeof(p->comm), "true");
	}
	s = scrape(&r, &kept);
	assert_int_equal(series(s, BYTES), 4); /* ld joins, among the top 2 */
	assert_non_null(strstr(s, BYTES "ld\",class=\"kernel_logical\"} 90000\n"));
	/* make keeps its series and its count, though its process is named true now */
	assert_non_null(strstr(s, BYTES "make\",class=\"kernel_logical\"} 5000\n"));
	/* (other): as 100 and true 5000 */
	assert_non_null(strstr(s, BYTES "(other)\",class=\"kernel_logical\"} 5100\n"));
	free(s);

	/* names join only up to 4 x top (8 here): the ninth stays in (other) */
	for (int i = 0; i < 8; i++) {
		char comm[16];

		snprintf(comm, sizeof(comm), "big%d", i);
		add(&r, 100 + (__u32)i, comm, 1000000 + (__u64)i);
		mt_report_finish(&r);
		free(scrape(&r, &kept));
	}
	s = scrape(&r, &kept);
	assert_int_equal(series(s, BYTES), 9); /* 8 names and (other) */
	assert_null(strstr(s, BYTES "big7\""));
	free(s);
	mt_om_names_free(&kept);
	mt_report_free(&r);
}

/* Stack drops and the other pairing losses are series of their own with --outstanding only. */
static void test_pair_losses(void **state)
{
	struct mt_report r;
	char *s;

	synthetic(&r);
	s = render(&r, 10);
	assert_null(strstr(s, "reason=\"stack_collisions\""));
	free(s);
	r.pair.opts.pairs = r.pair.opts.stacks = true;
	r.pair.tot.lost[MT_PLOSS_STACK_COLLISION] = 7;
	s = render(&r, 10);
	assert_non_null(strstr(s, "memtrace_lost_events_total{reason=\"stack_collisions\"} 7\n"));
	assert_non_null(strstr(s, "memtrace_lost_events_total{reason=\"stack_table_full\"} 0\n"));
	free(s);
	mt_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pair_losses),
		cmocka_unit_test(test_shapes_and_escaping),
		cmocka_unit_test(test_promtool_accepts),
		cmocka_unit_test(test_process_series_bounded_and_stable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
