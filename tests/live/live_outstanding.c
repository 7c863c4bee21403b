// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Pairing, live: a workload keeps N eventfds open past the end of tracing, so exactly N
 * eventfd contexts (one kmalloc each, in do_eventfd) are outstanding for its pid, at the
 * do_eventfd call site; the same workload closing them leaves none of those outstanding
 * and N more paired lifetimes. bpftrace, filtered on the pid, counts the same allocations
 * independently. Also: stacks and folded output, and --min-age hiding young objects.
 */
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

#define N 300
/* eventfds the next trace() makes: N, but for the sampling test, which needs many */
static long run_n = N;

/* bpftrace: do_eventfd's kmallocs of the pid, and how many of them were freed (by anyone). */
static const char *oracle_fmt =
	"BEGIN { printf(\"READY\\n\"); }\n"
	"tracepoint:kmem:kmalloc /pid == %d/ {\n"
	"  @a[ksym(args->call_site)] = count(); @live[args->ptr] = args->call_site; }\n"
	"tracepoint:kmem:kfree /@live[args->ptr]/ {\n"
	"  @f[ksym(@live[args->ptr])] = count(); delete(@live[args->ptr]); }\n"
	"END { clear(@live); }\n";

struct run {
	struct json_object *mt;
	long long bt_allocs, bt_frees;
	int pid;
};

/*
 * The oracle is bpftrace on classic tracepoints, whose perf recursion guard can drop a
 * nested event silently (see harness.h): it may be below N by ORACLE_SLACK, never above.
 */
#define assert_oracle(val, want) assert_within(val, want, ORACLE_SLACK(want))

static long long oracle_value(const char *path, const char *name)
{
	char *s = slurp(path), *p, key[32];
	long long v = 0;

	snprintf(key, sizeof(key), "@%s[do_eventfd]: ", name);
	p = strstr(s, key);
	if (p)
		v = atoll(p + strlen(key));
	free(s);
	return v;
}

static void trace(const char *mode, const char *extra, const char *extra2, const char *extra3,
		  struct run *t)
{
	char nbuf[16], line[64], pidbuf[16], script[2048], json[256];
	char *wargv[] = { (char *)workload, (char *)mode, nbuf, NULL };
	struct child w, bt, mt;

	memset(t, 0, sizeof(*t));
	next_run();
	snprintf(json, sizeof(json), "%s", run_file("report.json"));
	snprintf(nbuf, sizeof(nbuf), "%ld", run_n);
	w = spawn(wargv, NULL, NULL);
	read_line(w.out, line, sizeof(line));
	assert_int_equal(sscanf(line, "ready %d", &t->pid), 1);
	snprintf(pidbuf, sizeof(pidbuf), "%d", t->pid);
	snprintf(script, sizeof(script), oracle_fmt, t->pid);
	{
		char *bargv[] = { "bpftrace", "-e", script, NULL };

		bt = spawn(bargv, run_file("bt.out"), run_file("bt.err"));
	}
	{
		char *margv[] = { (char *)memtrace, "run",	   "-p",
				  pidbuf,	    "--json",	   json,
				  "--outstanding",  (char *)extra, (char *)extra2,
				  (char *)extra3,   NULL };

		mt = spawn(margv, run_file("mt.out"), run_file("mt.err"));
	}
	assert_true(wait_file(run_file("bt.out"), "READY", 60));
	assert_true(wait_file(run_file("mt.err"), "memtrace: tracing", 60));
	assert_int_equal(write(w.in, "g", 1), 1);
	read_line(w.out, line, sizeof(line));
	assert_string_equal(line, "done");
	if (extra2 && !strcmp(extra, "--min-age"))
		usleep(1500 * 1000); /* let them age past --min-age 1 */
	/* stop both tracers while the kept eventfds are still open */
	kill(mt.pid, SIGINT);
	kill(bt.pid, SIGINT);
	/* generous: other helpers' load tests can keep both cores busy meanwhile */
	assert_int_equal(wait_exit(mt.pid, 180), 0);
	assert_int_equal(wait_oracle(bt.pid), 0);
	close(w.in);
	assert_int_equal(wait_exit(w.pid, 10), 0);
	close(w.out);
	close(mt.in);
	close(mt.out);
	close(bt.in);
	close(bt.out);
	t->bt_allocs = oracle_value(run_file("bt.out"), "a");
	t->bt_frees = oracle_value(run_file("bt.out"), "f");
	t->mt = json_object_from_file(json);
	assert_non_null(t->mt);
}

/* The do_eventfd row of an array of call sites, or NULL. */
static struct json_object *eventfd_site(struct json_object *sites)
{
	for (size_t i = 0; i < json_object_array_length(sites); i++) {
		struct json_object *s = json_object_array_get_idx(sites, i), *sym;

		if (json_object_object_get_ex(s, "symbol", &sym) &&
		    json_object_get_type(sym) == json_type_string &&
		    !strncmp(json_object_get_string(sym), "do_eventfd+", 11))
			return s;
	}
	return NULL;
}

static struct json_object *get(struct json_object *o, const char *k1, const char *k2)
{
	struct json_object *a = NULL, *b = NULL;

	assert_true(json_object_object_get_ex(o, k1, &a));
	if (!k2)
		return a;
	assert_true(json_object_object_get_ex(a, k2, &b));
	return b;
}

static long long hist_total(struct json_object *h)
{
	long long n = 0;

	for (size_t i = 0; i < json_object_array_length(h); i++)
		n += jget(json_object_array_get_idx(h, i), "count");
	return n;
}

static void test_kept_eventfds_are_outstanding(void **state)
{
	struct json_object *site, *procs, *p = NULL;
	long long tol;
	struct run t;

	if (skip_unless_live())
		skip();
	trace("keep", NULL, NULL, NULL, &t);
	print_message("bpftrace: %lld do_eventfd allocs, %lld freed\n", t.bt_allocs, t.bt_frees);
	tol = pair_tolerance(t.mt);
	assert_oracle(t.bt_allocs, N);
	assert_int_equal(t.bt_frees, 0);
	/* the allocating table: N calls at do_eventfd */
	site = eventfd_site(get(t.mt, "call_sites", NULL));
	assert_non_null(site);
	assert_within(jget(site, "allocs"), N, jget(t.mt, "run.lost.missed_runs"));
	/* outstanding at the end: exactly N at do_eventfd */
	site = eventfd_site(get(t.mt, "outstanding", "call_sites"));
	assert_non_null(site);
	assert_within(jget(site, "outstanding"), N, tol);
	assert_int_equal(jget(site, "outstanding_bytes"),
			 jget(site, "outstanding") *
				 (jget(site, "bytes_allocated") / jget(site, "allocs")));
	/* owned by the workload's pid */
	procs = get(t.mt, "outstanding", "processes");
	for (size_t i = 0; i < json_object_array_length(procs); i++)
		if (jget(json_object_array_get_idx(procs, i), "tgid") == t.pid)
			p = json_object_array_get_idx(procs, i);
	assert_non_null(p);
	assert_true(jget(p, "classes.kernel_logical.objects") >= N);
	assert_int_equal(jget(t.mt, "outstanding.classes.kernel_logical.objects"),
			 jget(p, "classes.kernel_logical.objects"));
	json_object_put(t.mt);
}

static void test_closed_eventfds_have_lifetimes(void **state)
{
	struct json_object *site, *cls;
	long long tol;
	struct run t;

	if (skip_unless_live())
		skip();
	trace("churn", NULL, NULL, NULL, &t);
	print_message("bpftrace: %lld do_eventfd allocs, %lld freed\n", t.bt_allocs, t.bt_frees);
	tol = pair_tolerance(t.mt);
	assert_oracle(t.bt_allocs, N);
	assert_oracle(t.bt_frees, N);
	site = eventfd_site(get(t.mt, "call_sites", NULL));
	assert_non_null(site);
	assert_within(jget(site, "allocs"), N, jget(t.mt, "run.lost.missed_runs"));
	/* a refused delete leaves its entry behind: counted, and the only way one stays */
	assert_true(jget(site, "outstanding") <= tol);
	if (!tol)
		assert_null(eventfd_site(get(t.mt, "outstanding", "call_sites")));
	cls = get(get(t.mt, "outstanding", "classes"), "kernel_logical", NULL);
	/* every paired free has its lifetime in the histogram; the N contexts among them */
	assert_true(jget(cls, "paired_frees") >= N);
	assert_int_equal(hist_total(get(cls, "lifetime_histogram_us", NULL)),
			 jget(cls, "paired_frees"));
	json_object_put(t.mt);
}

/* Stacks: the kept contexts' stack passes through do_eventfd; the folded file has it. */
static void test_stacks_and_folded(void **state)
{
	long long tol, lost_stacks, unrecorded = 0;
	struct json_object *stacks;
	char folded[256];
	bool found = false;
	struct run t;
	char *s;

	if (skip_unless_live())
		skip();
	snprintf(folded, sizeof(folded), "--folded-outstanding=%s", run_file("f.folded"));
	trace("keep", "--stacks", folded, NULL, &t);
	/* no kernel address without --raw-addresses: symbols name sites and frames */
	s = slurp(strchr(folded, '=') + 1);
	assert_null(strstr(s, "0xffff"));
	free(s);
	assert_null(strstr(json_object_to_json_string(t.mt), "0xffff"));
	tol = pair_tolerance(t.mt);
	lost_stacks = jget(t.mt, "run.lost.stack_collisions") +
		      jget(t.mt, "run.lost.stack_table_full") + jget(t.mt, "run.lost.stack_failed");
	stacks = get(get(t.mt, "stacks", NULL), "outstanding", NULL);
	for (size_t i = 0; i < json_object_array_length(stacks) && !found; i++) {
		struct json_object *st = json_object_array_get_idx(stacks, i), *fr;

		if (jget(st, "stack_id") == -1)
			unrecorded += jget(st, "outstanding");
		fr = get(st, "frames", NULL);
		for (size_t j = 0; j < json_object_array_length(fr); j++)
			if (strstr(json_object_get_string(json_object_array_get_idx(fr, j)),
				   "do_eventfd") &&
			    jget(st, "outstanding") >= N - tol)
				found = true;
	}
	if (!found) {
		print_message("no stack through do_eventfd with %d outstanding: lost %s\n"
			      "stacks %s\n",
			      N,
			      json_object_to_json_string(get(get(t.mt, "run", NULL), "lost", NULL)),
			      json_object_to_json_string(stacks));
		/*
		 * The one way it may be missing: its stack hashed to a bucket an earlier stack
		 * of the workload held. Then it is counted, and its objects are in the
		 * "not recorded" row.
		 */
		assert_true(lost_stacks >= N - tol && unrecorded >= N - tol);
		json_object_put(t.mt);
		return;
	}
	s = slurp(strchr(folded, '=') + 1);
	assert_non_null(strstr(s, "kernel_logical;"));
	assert_non_null(strstr(s, ";do_eventfd"));
	free(s);
	json_object_put(t.mt);
}

/* The folded file is accepted by a real flame-graph tool: speedscope's own importer. */
static void test_folded_accepted_by_speedscope(void **state)
{
	const char *npm = getenv("MT_NPM_DIR") ? getenv("MT_NPM_DIR") : "build/npm";
	char folded[300], path[256], cmd[1024], line[256] = "";
	unsigned long long weight = 0, sum = 0;
	int frames = 0, lines = 0;
	struct run t;
	char *s, *save = NULL;
	FILE *f;

	if (skip_unless_live())
		skip();
	snprintf(path, sizeof(path), "%s/node_modules/speedscope", npm);
	if (!have_cmd("node") || access(path, F_OK)) {
		fprintf(stderr, "skipped: speedscope not installed in %s (make deps needs npm)\n",
			npm);
		skip();
	}
	snprintf(path, sizeof(path), "%s", run_file("all.folded"));
	snprintf(folded, sizeof(folded), "--folded=%s", path);
	trace("keep", "--stacks", folded, NULL, &t);
	json_object_put(t.mt);
	s = slurp(path);
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		sum += strtoull(strrchr(l, ' ') + 1, NULL, 10);
		lines++;
	}
	free(s);
	assert_true(lines > 0);
	snprintf(cmd, sizeof(cmd), "node tests/live/speedscope_check.js %s %s", npm, path);
	f = popen(cmd, "r");
	assert_non_null(f);
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	assert_int_equal(pclose(f), 0);
	print_message("speedscope: %s", line);
	assert_int_equal(sscanf(line, "weight %llu frames %d", &weight, &frames), 2);
	/* every line was taken (a rejected line would be missing from the weight) */
	assert_int_equal(weight, sum);
	assert_true(frames > 2);
}

/*
 * Tables far too small: every allocation is either tracked or counted as lost, and every
 * stack either recorded or counted (the stack row -1 holds the allocations whose stack was
 * lost, so the two counts must agree).
 */
static void test_losses_are_counted(void **state)
{
	long long allocs, tracked = 0, lost_stacks, unrecorded = -1;
	struct json_object *stacks, *cls;
	struct run t;

	if (skip_unless_live())
		skip();
	trace("keep", "--stacks", "--stack-entries=2", "--outstanding-entries=64", &t);
	allocs =
		jget(t.mt, "classes.kernel_logical.allocs") + jget(t.mt, "classes.physical.allocs");
	cls = get(t.mt, "outstanding", "classes");
	tracked = jget(cls, "kernel_logical.tracked") + jget(cls, "physical.tracked");
	print_message("allocs %lld tracked %lld full %lld\n", allocs, tracked,
		      jget(t.mt, "run.lost.outstanding_table_full"));
	assert_true(jget(t.mt, "run.lost.outstanding_table_full") > 0);
	assert_true(tracked <= 64);
	assert_int_equal(tracked + jget(t.mt, "run.lost.outstanding_table_full") +
				 jget(t.mt, "run.lost.outstanding_update_failed"),
			 allocs);
	lost_stacks = jget(t.mt, "run.lost.stack_collisions") +
		      jget(t.mt, "run.lost.stack_table_full") + jget(t.mt, "run.lost.stack_failed");
	assert_true(lost_stacks > 0);
	stacks = get(get(t.mt, "stacks", NULL), "allocating", NULL);
	for (size_t i = 0; i < json_object_array_length(stacks); i++) {
		struct json_object *st = json_object_array_get_idx(stacks, i);

		if (jget(st, "stack_id") == -1)
			unrecorded = (unrecorded < 0 ? 0 : unrecorded) + jget(st, "allocs");
	}
	assert_int_equal(jget(t.mt, "run.lost.stack_totals_table_full"), 0);
	assert_int_equal(unrecorded, lost_stacks);
	assert_true(jget(t.mt, "run.lost.total") >=
		    lost_stacks + jget(t.mt, "run.lost.outstanding_table_full"));
	json_object_put(t.mt);
}

/*
 * --stack-sample 4: counts stay exact (the do_eventfd call site has every one of the
 * workload's allocations, as without sampling), and the stack that allocated them, scaled
 * by 4, estimates that known number. Sampled is a binomial draw, n/4 on average with a
 * standard deviation of sqrt(n * 3/16): 4 times it is 1.4 % of n = 16,000, so 8 % is more
 * than five deviations. Stacks lost to a collision are counted, and widen it by 4 each.
 */
static void test_stack_sample(void **state)
{
	long long exact, est = 0, lost_stacks, tol;
	struct json_object *stacks, *site;
	struct rlimit rl;
	struct run t;

	if (skip_unless_live())
		skip();
	/* the workload holds all its eventfds at once; children inherit the limit */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	run_n = 16000;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)run_n + 64)
		run_n = (long)rl.rlim_max - 64;
	rl.rlim_cur = (rlim_t)run_n + 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	trace("churn", "--stack-sample=4", NULL, NULL, &t);
	assert_int_equal(jget(t.mt, "stacks.sample"), 4);
	assert_true(json_object_get_boolean(get(get(t.mt, "stacks", NULL), "estimated", NULL)));
	/* exact: every allocation of the workload at its call site, as the oracle saw */
	site = eventfd_site(get(t.mt, "call_sites", NULL));
	assert_non_null(site);
	exact = jget(site, "allocs");
	assert_within(exact, run_n, jget(t.mt, "run.lost.missed_runs"));
	assert_oracle(t.bt_allocs, run_n);
	/* the estimate: stacks whose allocator was called by do_eventfd (the context's kmalloc) */
	stacks = get(get(t.mt, "stacks", NULL), "allocating", NULL);
	for (size_t i = 0; i < json_object_array_length(stacks); i++) {
		struct json_object *st = json_object_array_get_idx(stacks, i);
		struct json_object *fr = get(st, "frames", NULL), *f1;

		if (jget(st, "allocs") % 4)
			fail_msg("stack %lld: %lld allocs, not a multiple of 4",
				 jget(st, "stack_id"), jget(st, "allocs"));
		f1 = json_object_array_get_idx(fr, 1);
		if (json_object_array_length(fr) > 1 &&
		    !strncmp(json_object_get_string(f1), "do_eventfd+", 11) &&
		    !strcmp(json_object_get_string(get(st, "allocator", NULL)), "slab"))
			est += jget(st, "allocs");
	}
	lost_stacks = jget(t.mt, "run.lost.stack_collisions") +
		      jget(t.mt, "run.lost.stack_table_full") + jget(t.mt, "run.lost.stack_failed");
	tol = exact * 8 / 100 + 4 * lost_stacks;
	print_message("--stack-sample 4: %lld allocations at do_eventfd, estimated %lld from its "
		      "stacks (%+.1f %%), %lld stacks lost\n",
		      exact, est, 100.0 * (double)(est - exact) / (double)exact, lost_stacks);
	if (est < exact - tol || est > exact + exact * 8 / 100)
		fail_msg("estimate %lld, exact %lld (tolerance %lld)", est, exact, tol);
	run_n = N;
	json_object_put(t.mt);
}

/*
 * --stack-depth 4: the kernel keeps 4 frames per stack (the program, its glue, the allocator
 * and its caller), so every stack of the eventfd contexts fills the depth: the report says
 * so, per row and in the count, and no row has more frames than kept.
 */
static void test_stack_depth(void **state)
{
	struct json_object *stacks;
	long long truncated = 0;
	struct run t;

	if (skip_unless_live())
		skip();
	trace("keep", "--stack-depth=4", NULL, NULL, &t);
	assert_int_equal(jget(t.mt, "stacks.depth"), 4);
	stacks = get(get(t.mt, "stacks", NULL), "allocating", NULL);
	for (size_t i = 0; i < json_object_array_length(stacks); i++) {
		struct json_object *st = json_object_array_get_idx(stacks, i);

		assert_true(json_object_array_length(get(st, "frames", NULL)) <= 4);
		truncated += json_object_get_boolean(get(st, "truncated", NULL));
	}
	assert_true(truncated > 0);
	assert_int_equal(jget(t.mt, "stacks.truncated"), truncated);
	json_object_put(t.mt);
}

/* --min-age hides what is younger: all kept objects are older than 1 s by the end. */
static void test_min_age(void **state)
{
	struct run t;

	if (skip_unless_live())
		skip();
	trace("keep", "--min-age", "1", NULL, &t);
	assert_int_equal(jget(t.mt, "outstanding.min_age_ns"), 1000000000LL);
	assert_non_null(eventfd_site(get(t.mt, "outstanding", "call_sites")));
	assert_within(jget(eventfd_site(get(t.mt, "outstanding", "call_sites")), "outstanding"), N,
		      pair_tolerance(t.mt));
	json_object_put(t.mt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept_eventfds_are_outstanding),
		cmocka_unit_test(test_closed_eventfds_have_lifetimes),
		cmocka_unit_test(test_stacks_and_folded),
		cmocka_unit_test(test_folded_accepted_by_speedscope),
		cmocka_unit_test(test_min_age),
		cmocka_unit_test(test_losses_are_counted),
		cmocka_unit_test(test_stack_sample),
		cmocka_unit_test(test_stack_depth),
	};

	return cmocka_run_group_tests_name("live outstanding", tests, harness_setup,
					   harness_teardown);
}
