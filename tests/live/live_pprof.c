// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --pprof, live, read back by the real reader: go tool pprof. A workload keeps N eventfds
 * open past the end of tracing (so there is something in use), memtrace traces it with
 * --stacks and writes JSON and a profile of the same run. pprof's totals of alloc_space,
 * alloc_objects and inuse_space must be the JSON's per-stack sums exactly, and its top
 * function by alloc_space the JSON's top call site (the allocators' frames are dropped, so
 * the leaf is the caller). The same again through record and report FILE.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "harness.h"

#define N 300

struct totals {
	long long alloc_space, alloc_objects, inuse_space;
	char top[128];	     /* the top function by alloc_space */
	char time_line[128]; /* -raw's "Time:" line */
};

static int skip_unless_go(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "skipped: live tests need root\n");
		return 1;
	}
	if (!have_cmd("go")) {
		fprintf(stderr,
			"skipped: no go (make deps installs golang-go for go tool pprof)\n");
		return 1;
	}
	return 0;
}

/* go tool pprof offline: its caches in the test's directory, no network. */
static FILE *pprof(const char *args, const char *file)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "HOME=%s GOCACHE=%s GOPATH=%s GOPROXY=off GOFLAGS= go tool pprof %s %s 2>&1",
		 run_file("gohome"), run_file("gocache"), run_file("gopath"), args, file);
	return popen(cmd, "r");
}

/* "Total samples = 192048B" of -top with -sample_index=index; and the top function. */
static long long pprof_total(const char *file, const char *index, const char *unit, char *top,
			     size_t top_len)
{
	char args[128], line[512];
	long long total = -1;
	bool next_is_top = false;
	FILE *f;

	snprintf(args, sizeof(args), "-top -nodecount=3 -sample_index=%s -unit=%s", index, unit);
	f = pprof(args, file);
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "Total samples = ");

		print_message("pprof %s: %s", index, line);
		if (p)
			total = atoll(p + strlen("Total samples = "));
		if (next_is_top && top) {
			char *name = strrchr(line, ' ');

			snprintf(top, top_len, "%.127s", name ? name + 1 : line);
			top[strcspn(top, "\n")] = '\0';
			next_is_top = false;
		}
		if (strstr(line, "flat%") && strstr(line, "cum%"))
			next_is_top = true;
	}
	assert_int_equal(pclose(f), 0);
	return total;
}

static void read_profile(const char *file, struct totals *t)
{
	char line[512];
	FILE *f;

	memset(t, 0, sizeof(*t));
	t->alloc_space = pprof_total(file, "alloc_space", "bytes", t->top, sizeof(t->top));
	t->alloc_objects = pprof_total(file, "alloc_objects", "count", NULL, 0);
	t->inuse_space = pprof_total(file, "inuse_space", "bytes", NULL, 0);
	f = pprof("-raw", file);
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Time: ", 6))
			snprintf(t->time_line, sizeof(t->time_line), "%.127s", line);
	assert_int_equal(pclose(f), 0);
	assert_true(t->time_line[0]);
}

static long long sum_stacks(struct json_object *mt, const char *key)
{
	struct json_object *st, *rows, *v;
	long long sum = 0;

	assert_true(json_object_object_get_ex(mt, "stacks", &st));
	assert_true(json_object_object_get_ex(st, "allocating", &rows));
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		assert_true(json_object_object_get_ex(json_object_array_get_idx(rows, i), key, &v));
		sum += json_object_get_int64(v);
	}
	return sum;
}

/*
 * The JSON's call sites summed per function (pprof names functions, not offsets): fail
 * unless fn is one of those with the most bytes allocated (a tie may go either way).
 */
static void assert_top_site(struct json_object *mt, const char *fn)
{
	struct json_object *sites, *v;
	long long best = 0, mine = 0;
	size_t n;

	assert_true(json_object_object_get_ex(mt, "call_sites", &sites));
	n = json_object_array_length(sites);
	for (size_t i = 0; i < n; i++) {
		const char *sym_i;
		long long sum = 0;
		size_t len_i;

		if (!json_object_object_get_ex(json_object_array_get_idx(sites, i), "symbol", &v) ||
		    json_object_get_type(v) != json_type_string)
			continue;
		sym_i = json_object_get_string(v);
		len_i = strcspn(sym_i, "+");
		for (size_t j = 0; j < n; j++) {
			struct json_object *s = json_object_array_get_idx(sites, j), *sj, *b;
			const char *sym_j;

			if (!json_object_object_get_ex(s, "symbol", &sj) ||
			    json_object_get_type(sj) != json_type_string)
				continue;
			sym_j = json_object_get_string(sj);
			if (strcspn(sym_j, "+") == len_i && !strncmp(sym_i, sym_j, len_i) &&
			    json_object_object_get_ex(s, "bytes_allocated", &b))
				sum += json_object_get_int64(b);
		}
		if (sum > best)
			best = sum;
		if (strlen(fn) == len_i && !strncmp(sym_i, fn, len_i))
			mine = sum;
	}
	print_message("pprof's top %s: %lld bytes at its JSON call sites, the top one %lld\n", fn,
		      mine, best);
	assert_true(best > 0);
	assert_int_equal(mine, best);
}

static void assert_matches_json(const struct totals *t, struct json_object *mt)
{
	assert_int_equal(t->alloc_space, sum_stacks(mt, "bytes_allocated"));
	assert_int_equal(t->alloc_objects, sum_stacks(mt, "allocs"));
	assert_int_equal(t->inuse_space, sum_stacks(mt, "outstanding_bytes"));
	/* the kept eventfd contexts at least are still allocated */
	assert_true(t->inuse_space > 0);
	assert_true(t->alloc_objects >= N);
	assert_top_site(mt, t->top);
}

static void assert_0600(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

/* memtrace CMD (run or record) on the workload's pid, stopped while the eventfds are open */
static struct json_object *trace(const char *cmd, const char *pprof_file, const char *rec)
{
	char json[256], pp[300];
	struct json_object *mt;
	struct wl w;
	struct child c;

	next_run();
	snprintf(json, sizeof(json), "%s", run_file("mt.json"));
	snprintf(pp, sizeof(pp), "--pprof=%s", pprof_file);
	w = start_workload("keep", N);
	{
		/* slab only: the call sites are the slab's, so the top of both is comparable */
		char *argv[] = { (char *)memtrace,  (char *)cmd, "-p",	   w.pidbuf, "--stacks",
				 "--class",	    "logical",	 "--json", json,     pp,
				 rec ? "-o" : NULL, (char *)rec, NULL };

		c = spawn(argv, run_file("mt.out"), run_file("mt.err"));
	}
	assert_true(wait_file(run_file("mt.err"), "memtrace: tracing", 60));
	go_workload(&w);
	mt = stop_memtrace(&c, 0);
	end_workload(&w);
	return mt;
}

static void test_run_pprof_equals_json(void **state)
{
	char file[256];
	struct totals t;
	struct json_object *mt;

	if (skip_unless_go())
		skip();
	snprintf(file, sizeof(file), "%s", run_file("run.pb.gz"));
	mt = trace("run", file, NULL);
	assert_0600(file);
	read_profile(file, &t);
	assert_matches_json(&t, mt);
	json_object_put(mt);
}

/* record writes the profile of its run; report FILE writes the same profile again */
static void test_record_and_report_pprof(void **state)
{
	char rec[256], live[256], again[300], *argv[6];
	struct totals a, b;
	struct json_object *mt;
	struct child c;

	if (skip_unless_go())
		skip();
	snprintf(rec, sizeof(rec), "%s", run_file("mt.rec"));
	snprintf(live, sizeof(live), "%s", run_file("record.pb.gz"));
	mt = trace("record", live, rec);
	read_profile(live, &a);
	assert_matches_json(&a, mt);

	snprintf(again, sizeof(again), "%s.report.pb.gz", rec);
	argv[0] = (char *)memtrace;
	argv[1] = "report";
	argv[2] = rec;
	argv[3] = "--pprof";
	argv[4] = again;
	argv[5] = NULL;
	c = spawn(argv, run_file("report.out"), run_file("report.err"));
	assert_int_equal(wait_exit(c.pid, 60), 0);
	close(c.in);
	close(c.out);
	assert_0600(again);
	read_profile(again, &b);
	assert_int_equal(b.alloc_space, a.alloc_space);
	assert_int_equal(b.alloc_objects, a.alloc_objects);
	assert_int_equal(b.inuse_space, a.inuse_space);
	assert_string_equal(b.top, a.top);
	/* the recording keeps the start's wall-clock time to the nanosecond */
	assert_string_equal(b.time_line, a.time_line);
	json_object_put(mt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_pprof_equals_json),
		cmocka_unit_test(test_record_and_report_pprof),
	};

	return cmocka_run_group_tests_name("live pprof", tests, harness_setup, harness_teardown);
}
