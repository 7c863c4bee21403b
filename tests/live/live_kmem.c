// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Live tests: run the real memtrace binary (real BPF programs) as root against a workload
 * that makes the kernel allocate a known amount, and check its numbers against an
 * independent oracle: bpftrace on the classic tracepoints, filtered on the same pid,
 * attached over the same window. Per-task `perf stat` undercounts tracepoints on these
 * machines, so it is not used. Tests skip, saying why, when not root or bpftrace is absent.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

/* The bpftrace oracle: the same tracepoints, filtered on pid, printed as @name: value. */
static const char *oracle_fmt =
	"BEGIN { printf(\"READY\\n\"); }\n"
	"tracepoint:kmem:kmalloc, tracepoint:kmem:kmem_cache_alloc /pid == %d/ {\n"
	"  if (args->ptr != 0) { @sa = count(); @sb = sum(args->bytes_alloc);\n"
	"    @sr = sum(args->bytes_req); @sz[args->ptr] = args->bytes_alloc; }\n"
	"  else { @sfail = count(); } }\n"
	"tracepoint:kmem:kfree /pid == %d/ {\n"
	"  if ((uint64)args->ptr > 16) { @sf = count();\n"
	"    if (@sz[args->ptr]) { @fb = sum(@sz[args->ptr]); delete(@sz[args->ptr]); }\n"
	"    else { @funk = count(); } }\n"
	"  else { @snull = count(); } }\n"
	"tracepoint:kmem:kmem_cache_free /pid == %d/ { @sf = count();\n"
	"    if (@sz[args->ptr]) { @fb = sum(@sz[args->ptr]); delete(@sz[args->ptr]); }\n"
	"    else { @funk = count(); } }\n"
	"tracepoint:kmem:mm_page_alloc /pid == %d/ {\n"
	"  if (args->pfn != 0xffffffffffffffff) { @pa = count(); @pp = sum(1 << args->order); }\n"
	"  else { @pfail = count(); } }\n"
	"tracepoint:kmem:mm_page_free /pid == %d/ { @pf = count(); @pfp = sum(1 << args->order); }\n"
	"END { clear(@sz); }\n";

struct oracle {
	long long sa, sb, sr, sfail, sf, fb, funk, snull, pa, pp, pfail, pf, pfp;
};

static void parse_oracle(const char *path, struct oracle *o)
{
	char *s = slurp(path), *save = NULL;

	memset(o, 0, sizeof(*o));
	for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[32];
		long long v;

		if (sscanf(line, "@%31[a-z]: %lld", name, &v) != 2)
			continue;
#define F(x)                                                                                       \
	if (!strcmp(name, #x))                                                                     \
		o->x = v;
		F(sa)
		F(sb) F(sr) F(sfail) F(sf) F(fb) F(funk) F(snull) F(pa) F(pp) F(pfail) F(pf) F(pfp)
#undef F
	}
	free(s);
}

struct traced {
	struct oracle bt;
	struct json_object *mt; /* memtrace's JSON report */
	int mt_status;
	int workload_pid;
	long long mt_missed; /* runs each side's programs missed, system-wide */
	long long bt_missed;
};

/* Run the workload under memtrace -p and bpftrace at once; both attached before it starts. */
static void trace_workload(const char *mode, long n, const char *extra, struct traced *t)
{
	char nbuf[32], line[64], pidbuf[16], script[4096];
	char *wargv[] = { (char *)workload, (char *)mode, nbuf, NULL };
	char json[256];
	struct child w, bt, mt;
	int pid, status;

	memset(t, 0, sizeof(*t));
	next_run();
	snprintf(json, sizeof(json), "%s", run_file("report.json"));
	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	w = spawn(wargv, NULL, NULL);
	read_line(w.out, line, sizeof(line));
	assert_int_equal(sscanf(line, "ready %d", &pid), 1);
	t->workload_pid = pid;
	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);

	snprintf(script, sizeof(script), oracle_fmt, pid, pid, pid, pid, pid);
	{
		char *bargv[] = { "bpftrace", "-e", script, NULL };

		setenv("BPFTRACE_MAP_KEYS_MAX", "1000000", 1);
		bt = spawn(bargv, run_file("bt.out"), run_file("bt.err"));
	}
	{
		char *margv[] = { (char *)memtrace, "run",	  "-p",		 pidbuf,
				  "--json",	    (char *)json, (char *)extra, NULL };

		mt = spawn(margv, run_file("mt.out"), run_file("mt.err"));
	}
	assert_true(wait_file(run_file("bt.out"), "READY", 60));
	assert_true(wait_file(run_file("mt.err"), "memtrace: tracing", 60));

	assert_int_equal(write(w.in, "g", 1), 1);
	read_line(w.out, line, sizeof(line));
	assert_string_equal(line, "done");

	t->bt_missed = prog_misses_of(bt.pid);
	kill(mt.pid, SIGINT);
	kill(bt.pid, SIGINT);
	t->mt_status = wait_exit(mt.pid, 60);
	status = wait_oracle(bt.pid);
	if (status) {
		char *e = slurp(run_file("bt.err")), *o = slurp(run_file("bt.out"));

		print_message("bpftrace exited %d\nstderr: %s\nstdout: %.2000s\n", status, e, o);
		free(e);
		free(o);
	}
	assert_int_equal(status, 0);
	close(w.in);
	assert_int_equal(wait_exit(w.pid, 10), 0);
	close(w.out);
	close(mt.in);
	close(mt.out);
	close(bt.in);
	close(bt.out);

	if (t->mt_status != 0) {
		char *e = slurp(run_file("mt.err"));

		fail_msg("memtrace exited %d: %s", t->mt_status, e);
	}
	parse_oracle(run_file("bt.out"), &t->bt);
	t->mt = json_object_from_file(json);
	assert_non_null(t->mt);
}

/* Nothing may be lost but missed runs, which the count checks allow for on both sides. */
static void check_lost(struct traced *t)
{
	long long lost = jget(t->mt, "run.lost.total"),
		  missed = jget(t->mt, "run.lost.missed_runs");

	if (missed || t->bt_missed)
		print_message("missed runs (system-wide): memtrace %lld, oracle %lld\n", missed,
			      t->bt_missed);
	if (lost != missed)
		print_message("lost: %s\n", json_object_to_json_string(json_object_object_get(
						    json_object_object_get(t->mt, "run"), "lost")));
	assert_int_equal(lost, missed);
	t->mt_missed = missed;
}

/* Slab counts and bytes as bpftrace saw them, and kfree sizes known. */
static void check_slab(struct traced *t, long n)
{
	struct json_object *m = t->mt;
	const struct oracle *b = &t->bt;

	print_message("slab: bpftrace allocs %lld frees %lld null %lld; memtrace allocs %lld "
		      "frees %lld\n",
		      b->sa, b->sf, b->snull, jget(m, "classes.kernel_logical.allocs"),
		      jget(m, "classes.kernel_logical.frees"));
	assert_true(b->sa >= n); /* each eventfd allocates at least its context */
	assert_true(b->sf >= n);
	assert_count(jget(m, "classes.kernel_logical.allocs"), b->sa, t->mt_missed, t->bt_missed);
	assert_count(jget(m, "classes.kernel_logical.failures"), b->sfail, t->mt_missed,
		     t->bt_missed);
	assert_count(jget(m, "classes.kernel_logical.frees"), b->sf, t->mt_missed, t->bt_missed);
	assert_count(jget(m, "classes.kernel_logical.null_frees"), b->snull, t->mt_missed,
		     t->bt_missed);
	/* every free's size was learned from the slab itself */
	assert_int_equal(jget(m, "classes.kernel_logical.frees_unsized"), 0);
	/* exact bytes only when the counts were exact: a missed run's bytes are unknown */
	if (jget(m, "classes.kernel_logical.allocs") != b->sa ||
	    jget(m, "classes.kernel_logical.frees") != b->sf)
		return;
	assert_int_equal(jget(m, "classes.kernel_logical.bytes_allocated"), b->sb);
	assert_int_equal(jget(m, "classes.kernel_logical.bytes_requested"), b->sr);
	/* the sizes learned at kfree agree with the sizes bpftrace remembered at allocation */
	if (b->funk == 0)
		assert_int_equal(jget(m, "classes.kernel_logical.bytes_freed"), b->fb);
	else
		assert_true(jget(m, "classes.kernel_logical.bytes_freed") >= b->fb);
}

static void check_pages(struct traced *t, long n)
{
	struct json_object *m = t->mt, *zones;
	const struct oracle *b = &t->bt;
	long long page = jget(m, "kernel.page_size"), zsum = 0;

	print_message("pages: bpftrace allocs %lld (%lld pages) frees %lld; memtrace allocs "
		      "%lld frees %lld\n",
		      b->pa, b->pp, b->pf, jget(m, "classes.physical.allocs"),
		      jget(m, "classes.physical.frees"));
	assert_true(b->pa >= n); /* one page per touched page, plus page tables */
	assert_count(jget(m, "classes.physical.allocs"), b->pa, t->mt_missed, t->bt_missed);
	assert_count(jget(m, "classes.physical.failures"), b->pfail, t->mt_missed, t->bt_missed);
	assert_count(jget(m, "classes.physical.frees"), b->pf, t->mt_missed, t->bt_missed);
	/* every page lands in exactly one of this machine's zones */
	assert_true(json_object_object_get_ex(json_object_object_get(m, "pages"), "zones", &zones));
	for (size_t i = 0; i < json_object_array_length(zones); i++)
		zsum += jget(json_object_array_get_idx(zones, i), "pages_allocated");
	assert_int_equal(zsum * page, jget(m, "classes.physical.bytes_allocated"));
	assert_int_equal(jget(m, "pages.unknown_zone.pages_allocated"), 0);
	if (jget(m, "classes.physical.allocs") != b->pa ||
	    jget(m, "classes.physical.frees") != b->pf)
		return;
	assert_int_equal(jget(m, "classes.physical.bytes_allocated"), b->pp * page);
	assert_int_equal(jget(m, "classes.physical.bytes_freed"), b->pfp * page);
}

/* With -p, the process table holds just the workload, with the class totals. */
static void check_process_row(struct traced *t)
{
	struct json_object *procs, *p;

	assert_true(json_object_object_get_ex(t->mt, "processes", &procs));
	assert_int_equal(json_object_array_length(procs), 1);
	p = json_object_array_get_idx(procs, 0);
	assert_int_equal(jget(p, "tgid"), t->workload_pid);
	assert_string_equal(json_object_get_string(json_object_object_get(p, "comm")), "workload");
	assert_int_equal(jget(p, "classes.kernel_logical.allocs"),
			 jget(t->mt, "classes.kernel_logical.allocs"));
	assert_int_equal(jget(p, "classes.physical.bytes_allocated"),
			 jget(t->mt, "classes.physical.bytes_allocated"));
}

static void test_slab_matches_bpftrace(void **state)
{
	struct traced t;

	if (skip_unless_live())
		skip();
	trace_workload("slab", 2000, NULL, &t);
	check_lost(&t);
	check_slab(&t, 2000);
	check_process_row(&t);
	json_object_put(t.mt);
}

static void test_pages_match_bpftrace(void **state)
{
	struct traced t;

	if (skip_unless_live())
		skip();
	trace_workload("pages", 2000, NULL, &t);
	check_lost(&t);
	check_pages(&t, 2000);
	check_process_row(&t);
	json_object_put(t.mt);
}

/* The classic-tracepoint fallback counts the same as the fast path. */
static void test_tracepoint_fallback_matches_bpftrace(void **state)
{
	struct traced t;

	if (skip_unless_live())
		skip();
	trace_workload("mix", 1000, "--force-tracepoint", &t);
	assert_string_equal(json_object_get_string(json_object_object_get(
				    json_object_object_get(t.mt, "run"), "attach")),
			    "tracepoint");
	check_lost(&t);
	check_slab(&t, 1000);
	check_pages(&t, 1000);
	json_object_put(t.mt);
}

/* Stop memtrace with sig while tracing; return its exit status; check nothing stays loaded. */
static int stop_with(int sig)
{
	char *argv[] = { (char *)memtrace, "run", NULL };
	int ids[256], n, status;
	bool tracing;
	struct child c;

	next_run();
	c = spawn(argv, run_file("sig.out"), run_file("sig.err"));
	tracing = wait_file(run_file("sig.err"), "memtrace: tracing", 60);
	n = prog_ids_of(c.pid, ids, 256);
	kill(c.pid, sig);
	status = wait_exit(c.pid, 30);
	close(c.in);
	close(c.out);
	assert_true(tracing);
	assert_true(n >= 6); /* one program per traced kmem event at least */
	if (!progs_gone(ids, n))
		fail_msg("a BPF program is still loaded after signal %d", sig);
	return status;
}

static void test_sigint_prints_report_and_unloads(void **state)
{
	char *out;

	if (geteuid() != 0 || !have_cmd("bpftool"))
		skip(); /* bpftool prog show is the independent check that ids are gone */
	assert_int_equal(stop_with(SIGINT), 0);
	out = slurp(run_file("sig.out"));
	assert_non_null(strstr(out, "ADDRESS CLASSES"));
	/*
	 * Complete, but for runs the kernel itself skipped (system-wide, an interrupt that
	 * allocates while a program runs on its CPU: other work on this machine can cause
	 * them at any time); those are reported, and must be all there is.
	 */
	if (!strstr(out, "lost 0")) {
		const char *l = strstr(out, "; lost "), *m = strstr(out, "missed BPF runs");
		long long lost = l ? atoll(l + 7) : -1, missed = -1;

		if (m && strchr(m, ':'))
			missed = atoll(strchr(m, ':') + 1);
		print_message("lost %lld, of which missed runs %lld\n", lost, missed);
		assert_true(lost > 0 && lost == missed);
	}
	free(out);
}

static void test_sigterm_prints_report(void **state)
{
	char *out;

	if (geteuid() != 0 || !have_cmd("bpftool"))
		skip(); /* bpftool prog show is the independent check that ids are gone */
	assert_int_equal(stop_with(SIGTERM), 0);
	out = slurp(run_file("sig.out"));
	assert_non_null(strstr(out, "ADDRESS CLASSES"));
	free(out);
}

static void test_sigkill_leaves_nothing_attached(void **state)
{
	if (geteuid() != 0 || !have_cmd("bpftool"))
		skip(); /* bpftool prog show is the independent check that ids are gone */
	assert_int_equal(stop_with(SIGKILL), 128 + SIGKILL);
}

/* --json - writes one JSON document, alone, on stdout. */
static void test_json_stdout(void **state)
{
	char *argv[] = { (char *)memtrace, "run", "-d", "0.5", "--json", "-", NULL };
	struct json_object *j;
	struct child c;

	if (geteuid() != 0)
		skip();
	next_run();
	c = spawn(argv, run_file("js.out"), run_file("js.err"));
	assert_int_equal(wait_exit(c.pid, 60), 0);
	close(c.in);
	close(c.out);
	j = json_object_from_file(run_file("js.out"));
	assert_non_null(j);
	assert_int_equal(jget(j, "schema_version"), 1);
	assert_true(jget(j, "run.events") > 0);
	json_object_put(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slab_matches_bpftrace),
		cmocka_unit_test(test_pages_match_bpftrace),
		cmocka_unit_test(test_tracepoint_fallback_matches_bpftrace),
		cmocka_unit_test(test_sigint_prints_report_and_unloads),
		cmocka_unit_test(test_sigterm_prints_report),
		cmocka_unit_test(test_sigkill_leaves_nothing_attached),
		cmocka_unit_test(test_json_stdout),
	};

	return cmocka_run_group_tests_name("live kmem", tests, harness_setup, harness_teardown);
}
