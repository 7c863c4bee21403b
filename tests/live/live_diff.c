// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Live tests of memtrace diff on real recordings of the workload (pid-scoped: record -- CMD,
 * so other tracers and the rest of the machine stay out):
 * - the same workload recorded twice: nothing flagged, exit 0;
 * - the workload with 1,000 more eventfds kept open: exit 1, the filp cache, the eventfd
 *   context's kmalloc cache and a file-allocating call site flagged with exactly +1,000;
 * - run --baseline (a recording, or its JSON report) with --fail-if relative to it: exit 3
 *   on the larger workload with a line naming what moved, 0 on the same workload.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

/*
 * memtrace ... -- workload keep N, output to NAME.out/.err of a new run: the eventfds stay
 * open until the workload's stdin closes, right after the byte that says go. The status.
 */
static int drive_keep(char *const argv[], const char *name)
{
	char out[64], err[64];
	struct child c;
	int st;

	next_run();
	snprintf(out, sizeof(out), "%s.out", name);
	snprintf(err, sizeof(err), "%s.err", name);
	c = spawn(argv, run_file(out), run_file(err));
	assert_true(wait_file(run_file(out), "ready", 60));
	assert_int_equal(write(c.in, "x", 1), 1);
	close(c.in);
	st = wait_exit(c.pid, 120);
	close(c.out);
	return st;
}

/* record -o rec --stacks -- workload keep n */
static void record_keep(const char *rec, long n)
{
	char nbuf[24], *argv[] = { (char *)memtrace, "record", "-o", (char *)rec, "--stacks", "--",
				   (char *)workload, "keep",   nbuf, NULL };

	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	assert_int_equal(drive_keep(argv, "rec"), 0);
}

static int run_diff(const char *a, const char *b, const char *json)
{
	char *argv[] = { (char *)memtrace, "diff",	 (char *)a, (char *)b,
			 "--json",	   (char *)json, NULL };
	struct child c = spawn(argv, run_file("diff.out"), run_file("diff.err"));
	int st = wait_exit(c.pid, 60);

	close(c.in);
	close(c.out);
	return st;
}

/* the change row of section/metric whose name starts with prefix, or NULL */
static struct json_object *change_of(struct json_object *d, const char *sec, const char *prefix,
				     const char *metric)
{
	struct json_object *arr = json_object_object_get(d, "changes");

	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *r = json_object_array_get_idx(arr, i);
		const char *s = json_object_get_string(json_object_object_get(r, "section"));
		const char *n = json_object_get_string(json_object_object_get(r, "name"));
		const char *m = json_object_get_string(json_object_object_get(r, "metric"));

		if (!strcmp(s, sec) && !strncmp(n, prefix, strlen(prefix)) && !strcmp(m, metric))
			return r;
	}
	return NULL;
}

static double num(struct json_object *r, const char *key)
{
	return json_object_get_double(json_object_object_get(r, key));
}

static bool flagged(struct json_object *r)
{
	return json_object_get_boolean(json_object_object_get(r, "flagged"));
}

static void test_same_and_leak(void **state)
{
	char a[512], b[512], c[512], js[512];
	struct json_object *d, *r;
	int sites = 0;

	(void)state;
	if (skip_unless_live())
		skip();
	snprintf(a, sizeof(a), "%s", run_file("a.rec"));
	snprintf(b, sizeof(b), "%s", run_file("b.rec"));
	snprintf(c, sizeof(c), "%s", run_file("c.rec"));
	snprintf(js, sizeof(js), "%s", run_file("diff.json"));
	record_keep(a, 1000);
	record_keep(b, 1000);
	record_keep(c, 2000);

	if (run_diff(a, b, js) != 0) {
		char *o = slurp(run_file("diff.out"));

		print_message("the same workload twice was flagged:\n%s\n", o);
		free(o);
		fail();
	}
	assert_int_equal(run_diff(a, c, js), 1);
	d = json_object_from_file(js);
	assert_non_null(d);
	r = change_of(d, "cache", "filp", "allocs");
	assert_non_null(r);
	assert_true(flagged(r));
	assert_true(num(r, "change") == 1000);
	/* one eventfd_ctx each, from kmalloc(sizeof(*ctx)) at do_eventfd */
	r = change_of(d, "site", "slab do_eventfd+", "allocs");
	assert_non_null(r);
	assert_true(flagged(r));
	assert_true(num(r, "change") == 1000);
	/* the struct file's call site: a kernel's own name for it, exactly +1,000 */
	for (size_t i = 0; i < json_object_array_length(json_object_object_get(d, "changes"));
	     i++) {
		r = json_object_array_get_idx(json_object_object_get(d, "changes"), i);
		if (!strcmp(json_object_get_string(json_object_object_get(r, "section")), "site") &&
		    strstr(json_object_get_string(json_object_object_get(r, "name")), "alloc") &&
		    !strcmp(json_object_get_string(json_object_object_get(r, "metric")),
			    "allocs") &&
		    flagged(r) && num(r, "change") == 1000)
			sites++;
	}
	assert_true(sites >= 2);
	r = change_of(d, "process", "workload", "allocs");
	assert_true(r && flagged(r));
	json_object_put(d);
}

/* run --baseline base --fail-if expr -- workload keep n: the exit status */
static int run_baseline(const char *base, const char *expr, long n)
{
	char nbuf[24], *argv[] = { (char *)memtrace, "run",	   "--baseline", (char *)base,
				   "--fail-if",	     (char *)expr, "--",	 (char *)workload,
				   "keep",	     nbuf,	   NULL };

	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	return drive_keep(argv, "run");
}

static void test_baseline_fail_if(void **state)
{
	char a[512], js[512], *err;
	char *rep[] = { (char *)memtrace, "report", a, "--json", js, NULL };
	struct child c;

	(void)state;
	if (skip_unless_live())
		skip();
	next_run();
	snprintf(a, sizeof(a), "%s", run_file("base.rec"));
	snprintf(js, sizeof(js), "%s", run_file("base.json"));
	record_keep(a, 1000);
	c = spawn(rep, run_file("rep.out"), run_file("rep.err"));
	close(c.in);
	assert_int_equal(wait_exit(c.pid, 60), 0);
	close(c.out);

	/* 1,000 more struct files than the baseline: over base + 500, named */
	assert_int_equal(run_baseline(a, "cache.filp.allocs > base + 500", 2000), 3);
	err = slurp(run_file("run.err"));
	assert_non_null(err);
	print_message("%s", err);
	assert_non_null(
		strstr(err, "fail-if cache.filp.allocs > base + 500: cache.filp.allocs is"));
	assert_non_null(strstr(err, "moved most: cache "));
	free(err);
	/* the same workload against the JSON report of the baseline: within base * 1.2 */
	assert_int_equal(run_baseline(js, "cache.filp.allocs > base * 1.2", 1000), 0);
	assert_int_equal(run_baseline(js, "site.do_eventfd+0x34.allocs > base + 100", 1000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_and_leak),
		cmocka_unit_test(test_baseline_fail_if),
	};

	return cmocka_run_group_tests_name("live diff", tests, harness_setup, harness_teardown);
}
