// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The timeline, live: two workloads traced by pid allocate in two bursts seconds apart.
 * The timeline has two peaks, as far apart as the bursts were, and nothing between them;
 * its points sum to the report's totals per class and per process name, and losses too;
 * a recording's `report --json` has the same timeline as the recording run's own --json.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

#define BURST 20000 /* eventfd + close each: a few slab objects */
#define GAP_S 3.0   /* between the two bursts */
#define INTERVAL "0.5"

static struct json_object *points_of(struct json_object *mt)
{
	struct json_object *tl, *pts;

	assert_true(json_object_object_get_ex(mt, "timeline", &tl));
	assert_true(json_object_is_type(tl, json_type_object));
	assert_true(json_object_object_get_ex(tl, "points", &pts));
	return pts;
}

static long long point_get(struct json_object *p, const char *cls, const char *key)
{
	struct json_object *c, *v;

	if (!json_object_object_get_ex(p, "classes", &c) ||
	    !json_object_object_get_ex(c, cls, &c) || !json_object_object_get_ex(c, key, &v))
		return 0;
	return json_object_get_int64(v);
}

/* Bytes the processes named comm allocated in this point (0 if not among its top). */
static long long point_proc(struct json_object *p, const char *comm)
{
	struct json_object *ps = json_object_object_get(p, "processes");

	for (size_t i = 0; ps && i < json_object_array_length(ps); i++) {
		struct json_object *e = json_object_array_get_idx(ps, i);

		if (!strcmp(json_object_get_string(json_object_object_get(e, "comm")), comm))
			return jget(e, "bytes_allocated");
	}
	return 0;
}

/* A processes[] row's bytes allocated, every class. */
static long long proc_bytes(struct json_object *p)
{
	struct json_object *classes = json_object_object_get(p, "classes");
	long long sum = 0;

	assert_non_null(classes);
	json_object_object_foreach(classes, key, c)
	{
		(void)key;
		sum += jget(c, "bytes_allocated");
	}
	return sum;
}

/* The points' counts sum to the report's totals: classes, losses, the workload's name. */
static void assert_sums(struct json_object *mt, int pid1, int pid2)
{
	static const char *const cls[] = { "kernel_logical", "physical", "kernel_virtual", "bus",
					   "user_virtual" };
	static const char *const keys[] = { "allocs", "frees", "bytes_allocated", "bytes_freed" };
	struct json_object *pts = points_of(mt), *classes, *p1, *p2;
	long long lost = 0, wl = 0;
	char path[96];

	assert_true(json_object_object_get_ex(mt, "classes", &classes));
	for (size_t k = 0; k < sizeof(cls) / sizeof(cls[0]); k++) {
		for (size_t q = 0; q < sizeof(keys) / sizeof(keys[0]); q++) {
			long long sum = 0;

			for (size_t i = 0; i < json_object_array_length(pts); i++)
				sum += point_get(json_object_array_get_idx(pts, i), cls[k],
						 keys[q]);
			snprintf(path, sizeof(path), "classes.%s.%s", cls[k], keys[q]);
			if (sum != jget(mt, path))
				fail_msg("timeline %s sums to %lld, the report says %lld", path,
					 sum, jget(mt, path));
		}
	}
	for (size_t i = 0; i < json_object_array_length(pts); i++) {
		lost += jget(json_object_array_get_idx(pts, i), "lost");
		wl += point_proc(json_object_array_get_idx(pts, i), "workload");
	}
	assert_int_equal(lost, jget(mt, "run.lost.total"));
	p1 = proc_of(mt, pid1);
	p2 = pid2 ? proc_of(mt, pid2) : NULL;
	assert_non_null(p1);
	assert_true(p2 || !pid2);
	/* both pids are named workload: one name in the timeline */
	assert_int_equal(wl, proc_bytes(p1) + (p2 ? proc_bytes(p2) : 0));
}

static struct child start_run(const char *pids, const char *out)
{
	char *argv[] = { (char *)memtrace,
			 "run",
			 "-p",
			 (char *)pids,
			 "--interval",
			 INTERVAL,
			 "--json",
			 (char *)run_file("mt.json"),
			 NULL,
			 NULL,
			 NULL };
	struct child c;

	if (out) {
		argv[1] = "record";
		argv[8] = "-o";
		argv[9] = (char *)out;
	}
	c = spawn(argv, run_file("mt.out"), run_file("mt.err"));
	assert_true(wait_file(run_file("mt.err"), "memtrace: tracing", 60));
	return c;
}

/* Two bursts GAP_S apart: two peaks GAP_S apart, quiet between, sums exact. */
static void test_two_bursts(void **state)
{
	struct wl w1, w2;
	struct child mt;
	struct json_object *j, *pts;
	char pids[40];
	double go1, go2, peak_t[2] = { 0, 0 };
	long long peak[2] = { 0, 0 }, max = 0, total = 0;
	size_t n, first[2] = { 0, 0 }, last[2] = { 0, 0 };
	int groups = 0;

	(void)state;
	if (skip_unless_live())
		skip();
	next_run();
	w1 = start_workload("slab", BURST);
	w2 = start_workload("slab", BURST);
	snprintf(pids, sizeof(pids), "%d,%d", w1.pid, w2.pid);
	mt = start_run(pids, NULL);
	usleep(800 * 1000); /* the first burst well inside the trace */
	go1 = now();
	go_workload(&w1);
	usleep((useconds_t)(GAP_S * 1e6));
	go2 = now();
	go_workload(&w2);
	usleep(1200 * 1000);
	j = stop_memtrace(&mt, 0);
	end_workload(&w1);
	end_workload(&w2);

	assert_true(json_object_get_double(json_object_object_get(
			    json_object_object_get(j, "timeline"), "interval_s")) == 0.5);
	pts = points_of(j);
	n = json_object_array_length(pts);
	/* about 5 s of trace at 0.5 s a point, plus start-up and the end */
	if (n < 8 || n > 30)
		fail_msg("%zu points for about 5 s at 0.5 s", n);
	for (size_t i = 0; i < n; i++) {
		long long a =
			point_get(json_object_array_get_idx(pts, i), "kernel_logical", "allocs");

		total += a;
		max = a > max ? a : max;
	}
	assert_true(max > 0);
	/* points holding a real part of a burst, grouped where they are consecutive */
	for (size_t i = 0; i < n; i++) {
		struct json_object *p = json_object_array_get_idx(pts, i);
		long long a = point_get(p, "kernel_logical", "allocs");

		if (a * 10 < max)
			continue;
		if (!groups || i != last[groups - 1] + 1) {
			if (groups == 2)
				fail_msg("a third burst at point %zu (t %.2f s): %lld allocs", i,
					 json_object_get_double(json_object_object_get(p, "t_s")),
					 a);
			first[groups++] = i;
		}
		last[groups - 1] = i;
		if (a > peak[groups - 1]) {
			peak[groups - 1] = a;
			peak_t[groups - 1] =
				json_object_get_double(json_object_object_get(p, "t_s"));
		}
	}
	assert_int_equal(groups, 2);
	print_message("bursts %.2f s apart; peaks at %.2f and %.2f s (%lld, %lld allocs)\n",
		      go2 - go1, peak_t[0], peak_t[1], peak[0], peak[1]);
	/* the peaks are as far apart as the bursts, within a point and the scheduler's jitter */
	if (fabs((peak_t[1] - peak_t[0]) - (go2 - go1)) > 0.5 + 0.35)
		fail_msg("peaks %.2f s apart, bursts %.2f s", peak_t[1] - peak_t[0], go2 - go1);
	/* between them the traced processes sleep: next to nothing allocated */
	for (size_t i = last[0] + 1; i < first[1]; i++) {
		long long a =
			point_get(json_object_array_get_idx(pts, i), "kernel_logical", "allocs");

		if (a * 100 > total)
			fail_msg("point %zu between the bursts has %lld of %lld allocs", i, a,
				 total);
	}
	assert_true(first[1] - last[0] >= 4); /* 3 s at 0.5 s: at least 4 quiet points */
	assert_sums(j, w1.pid, w2.pid);
	json_object_put(j);
}

/* record's timeline goes into the file; report --json gives it back unchanged. */
static void test_recorded_timeline(void **state)
{
	char rec[4096], *rargv[] = { (char *)memtrace, "report", rec, "--json", NULL, NULL };
	struct json_object *live, *back, *a, *b;
	struct child mt, r;
	struct wl w1, w2;
	char pids[40];

	(void)state;
	if (skip_unless_live())
		skip();
	next_run();
	snprintf(rec, sizeof(rec), "%s", run_file("tl.rec"));
	w1 = start_workload("slab", BURST);
	w2 = start_workload("slab", BURST / 2);
	snprintf(pids, sizeof(pids), "%d,%d", w1.pid, w2.pid);
	mt = start_run(pids, rec);
	go_workload(&w1);
	usleep(1500 * 1000);
	go_workload(&w2);
	usleep(700 * 1000);
	live = stop_memtrace(&mt, 0);
	end_workload(&w1);
	end_workload(&w2);
	assert_sums(live, w1.pid, w2.pid);

	rargv[4] = (char *)run_file("back.json");
	r = spawn(rargv, run_file("r.out"), run_file("r.err"));
	assert_int_equal(wait_exit(r.pid, 60), 0);
	back = json_object_from_file(run_file("back.json"));
	assert_non_null(back);
	assert_true(json_object_object_get_ex(live, "timeline", &a));
	assert_true(json_object_object_get_ex(back, "timeline", &b));
	assert_true(json_object_array_length(json_object_object_get(a, "points")) >= 4);
	assert_string_equal(json_object_to_json_string(a), json_object_to_json_string(b));
	json_object_put(live);
	json_object_put(back);
}

/* top --json: a point per interval, summing to the totals of its last snapshot. */
static void test_top_timeline(void **state)
{
	char *argv[] = { (char *)memtrace, "top", "-i",	    "0.5", "-c", "6", "-p", NULL,
			 "--json",	   NULL,  "--html", NULL,  NULL };
	struct json_object *j, *pts;
	struct child top;
	struct wl w;
	double t0;
	size_t n;

	(void)state;
	if (skip_unless_live())
		skip();
	next_run();
	w = start_workload("slab", BURST);
	argv[7] = w.pidbuf;
	argv[9] = (char *)run_file("top.json");
	argv[11] = (char *)run_file("top.html");
	top = spawn(argv, run_file("top.out"), run_file("top.err"));
	/* its first block: attached and counting */
	assert_true(wait_file(run_file("top.out"), "memtrace top: interval 1", 60));
	t0 = now();
	go_workload(&w);
	print_message("burst %.2f s after the first block\n", now() - t0);
	assert_int_equal(wait_exit(top.pid, 60), 0);
	end_workload(&w);
	j = json_object_from_file(run_file("top.json"));
	assert_non_null(j);
	pts = points_of(j);
	n = json_object_array_length(pts);
	assert_int_equal(n, 6);
	assert_true(jget(j, "classes.kernel_logical.allocs") >= 4LL * BURST);
	assert_sums(j, w.pid, 0);
	json_object_put(j);
	j = NULL;
	assert_true(wait_file(run_file("top.html"), "</html>", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_bursts),
		cmocka_unit_test(test_recorded_timeline),
		cmocka_unit_test(test_top_timeline),
	};

	return cmocka_run_group_tests_name("live timeline", tests, harness_setup, harness_teardown);
}
