// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Live latency tests. A stall made on purpose: the workload, alone in a memory cgroup (v1,
 * memory.limit_in_bytes) four times smaller than the file it writes and reads back, makes
 * the kernel reclaim its page cache as it goes (no swap is needed: page cache of a real
 * file is reclaimable), so memcg reclaim begin/end pairs and reclaim throttling fire in
 * that task. memtrace -p counts them against bpftrace on the same tracepoints, filtered on
 * the same pid, over the same window. The cgroup is removed whatever happens to the test.
 * Then the allocator call latency path: where the kernel allows no hook (this machine) the
 * run still succeeds and says why in one line; where it does, calls are measured.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "harness.h"

#define MEMCG_ROOT "/sys/fs/cgroup/memory"
#define LIMIT_MIB 16
#define FILE_MIB (4 * LIMIT_MIB)

static char cgroup[256];
static pid_t workload_pid;

/* Kill our workload if still there, then remove the cgroup; safe to call twice. */
static void cgroup_cleanup(void)
{
	if (workload_pid > 0) {
		kill(workload_pid, SIGKILL);
		workload_pid = 0;
	}
	if (!cgroup[0])
		return;
	for (int i = 0; i < 50; i++) {
		if (!rmdir(cgroup) || errno == ENOENT)
			break;
		usleep(100 * 1000); /* a killed task leaves the cgroup shortly after */
	}
	cgroup[0] = '\0';
}

static int cg_teardown(void **state)
{
	cgroup_cleanup();
	return 0;
}

static bool write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fputs(val, f) >= 0;
	return fclose(f) == 0 && ok;
}

static const char *skip_reason(void)
{
	if (geteuid() != 0)
		return "live tests need root";
	if (!have_cmd("bpftrace"))
		return "bpftrace (the oracle) is not installed";
	if (access(MEMCG_ROOT "/memory.limit_in_bytes", F_OK))
		return "no cgroup v1 memory controller at " MEMCG_ROOT;
	return NULL;
}

/* bpftrace counts the pairs on the classic tracepoints, filtered on the workload's pid. */
static const char *oracle_fmt =
	"BEGIN { printf(\"READY\\n\"); }\n"
	"tracepoint:vmscan:mm_vmscan_memcg_reclaim_begin /pid == %d/ { @mb = count();\n"
	"  @ts[tid] = nsecs; }\n"
	"tracepoint:vmscan:mm_vmscan_memcg_reclaim_end /pid == %d/ { @me = count();\n"
	"  if (@ts[tid]) { @mns = sum(nsecs - @ts[tid]); delete(@ts[tid]); } }\n"
	"tracepoint:vmscan:mm_vmscan_direct_reclaim_begin /pid == %d/ { @db = count(); }\n"
	"tracepoint:vmscan:mm_vmscan_direct_reclaim_end /pid == %d/ { @de = count(); }\n"
	"tracepoint:compaction:mm_compaction_begin /pid == %d/ { @cb = count(); }\n"
	"tracepoint:vmscan:mm_vmscan_throttled /pid == %d/ { @tc = count();\n"
	"  @tus = sum(args->usec_delayed); }\n"
	"END { clear(@ts); }\n";

struct oracle {
	long long mb, me, mns, db, de, cb, tc, tus;
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
		F(mb) F(me) F(mns) F(db) F(de) F(cb) F(tc) F(tus)
#undef F
	}
	free(s);
}

static struct json_object *kind(struct json_object *mt, const char *k)
{
	struct json_object *lat, *kinds, *o;

	assert_true(json_object_object_get_ex(mt, "latency", &lat));
	assert_true(json_object_object_get_ex(lat, "kinds", &kinds));
	if (!json_object_object_get_ex(kinds, k, &o))
		fail_msg("latency.kinds has no %s", k);
	return o;
}

static long long hist_sum(struct json_object *k)
{
	struct json_object *h;
	long long n = 0;

	assert_true(json_object_object_get_ex(k, "histogram_us", &h));
	for (size_t i = 0; i < json_object_array_length(h); i++)
		n += jget(json_object_array_get_idx(h, i), "count");
	return n;
}

/*
 * The pairs memtrace measured for a kind: count, histogram and losses agree with bpftrace,
 * exactly. Reclaim, compaction and throttling run in task context only, with preemption
 * off in the tracepoint: no program run on these events can be skipped for recursion on
 * either side (perf's per-CPU recursion guard drops only nested events), so no tolerance.
 */
static void check_kind(struct json_object *mt, const char *k, long long pairs)
{
	struct json_object *o = kind(mt, k);

	print_message("%s: memtrace %lld (histogram %lld, unmeasured %lld), bpftrace %lld\n", k,
		      jget(o, "count"), hist_sum(o), jget(o, "unmeasured"), pairs);
	assert_true(json_object_get_boolean(json_object_object_get(o, "traced")));
	assert_int_equal(jget(o, "count"), pairs);
	assert_int_equal(hist_sum(o), jget(o, "count"));
	assert_int_equal(jget(o, "unmeasured"), 0);
	assert_int_equal(jget(o, "table_full"), 0);
	assert_int_equal(jget(o, "detail_lost"), 0);
}

static void stall_run(const char *extra)
{
	char nbuf[16], line[64], pidbuf[16], script[2048], json[256], path[300];
	char *wargv[] = { (char *)workload, "pagecache", nbuf, NULL };
	struct json_object *mt, *procs, *p, *o;
	struct child w, bt, mt_c;
	long long memtrace_ns, bt_missed;
	struct oracle b;
	const char *why = skip_reason();
	int pid, status;

	if (why) {
		fprintf(stderr, "skipped: %s\n", why);
		skip();
	}
	next_run();
	snprintf(json, sizeof(json), "%s", run_file("lat.json"));
	snprintf(cgroup, sizeof(cgroup), MEMCG_ROOT "/memtrace-live-%d", getpid());
	assert_int_equal(mkdir(cgroup, 0755), 0);
	snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", cgroup);
	snprintf(line, sizeof(line), "%d", LIMIT_MIB << 20);
	assert_true(write_file(path, line));

	snprintf(nbuf, sizeof(nbuf), "%d", FILE_MIB);
	w = spawn(wargv, NULL, NULL);
	read_line(w.out, line, sizeof(line));
	assert_int_equal(sscanf(line, "ready %d", &pid), 1);
	workload_pid = pid;
	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	assert_true(write_file(path, pidbuf));

	snprintf(script, sizeof(script), oracle_fmt, pid, pid, pid, pid, pid, pid);
	{
		char *bargv[] = { "bpftrace", "-e", script, NULL };

		bt = spawn(bargv, run_file("bt.out"), run_file("bt.err"));
	}
	{
		char *margv[] = { (char *)memtrace, "run", "-p",	  pidbuf,
				  "--json",	    json,  (char *)extra, NULL };

		mt_c = spawn(margv, run_file("mt.out"), run_file("mt.err"));
	}
	assert_true(wait_file(run_file("bt.out"), "READY", 60));
	assert_true(wait_file(run_file("mt.err"), "memtrace: tracing", 60));
	assert_int_equal(write(w.in, "g", 1), 1);
	read_line(w.out, line, sizeof(line));
	assert_string_equal(line, "done");
	bt_missed = prog_misses_of(bt.pid);
	kill(mt_c.pid, SIGINT);
	kill(bt.pid, SIGINT);
	status = wait_exit(mt_c.pid, 60);
	if (status) {
		char *e = slurp(run_file("mt.err"));

		fail_msg("memtrace exited %d: %s", status, e);
	}
	status = wait_oracle(bt.pid);
	if (status) {
		char *e = slurp(run_file("bt.err"));

		print_message("bpftrace exited %d: %s\n", status, e);
		free(e);
	}
	assert_int_equal(status, 0);
	close(w.in);
	assert_int_equal(wait_exit(w.pid, 10), 0);
	workload_pid = 0;
	close(w.out);
	close(mt_c.in);
	close(mt_c.out);
	close(bt.in);
	close(bt.out);
	cgroup_cleanup();

	parse_oracle(run_file("bt.out"), &b);
	mt = json_object_from_file(json);
	assert_non_null(mt);
	if (extra && !strcmp(extra, "--force-tracepoint"))
		assert_string_equal(json_object_get_string(json_object_object_get(
					    json_object_object_get(mt, "run"), "attach")),
				    "tracepoint");
	print_message("bpftrace: memcg reclaim %lld/%lld, direct %lld/%lld, compaction %lld, "
		      "throttled %lld (%lld us)\n",
		      b.mb, b.me, b.db, b.de, b.cb, b.tc, b.tus);
	/* the stall happened, and every begin has its end */
	assert_true(b.mb > 0);
	assert_int_equal(b.mb, b.me);
	print_message("missed runs (system-wide, any event): memtrace %lld, oracle %lld\n",
		      jget(mt, "run.lost.missed_runs"), bt_missed);
	check_kind(mt, "memcg_reclaim", b.mb);
	check_kind(mt, "direct_reclaim", b.db);
	check_kind(mt, "compaction", b.cb);
	check_kind(mt, "throttled", b.tc);
	/* throttling carries its own duration: the total is exact, to the microsecond */
	assert_int_equal(jget(kind(mt, "throttled"), "total_ns"), b.tus * 1000);
	/*
	 * Both tracers time the same pairs with the same clock, each its programs' run apart
	 * at either end: the totals agree within a few microseconds per pair. Allow 25% (or
	 * 1 ms): the check is that memtrace measures the stall, not a constant.
	 */
	memtrace_ns = jget(kind(mt, "memcg_reclaim"), "total_ns");
	print_message("memcg reclaim time: memtrace %lld ns, bpftrace %lld ns\n", memtrace_ns,
		      b.mns);
	assert_true(memtrace_ns > 0);
	assert_true(llabs(memtrace_ns - b.mns) <= b.mns / 4 + 1000000);
	/* the per-order row (memcg reclaim passes order 0) and the process row agree */
	assert_true(
		json_object_object_get_ex(json_object_object_get(mt, "latency"), "by_order", &o));
	assert_int_equal(json_object_array_length(o), 1);
	assert_int_equal(jget(json_object_array_get_idx(o, 0), "order"), 0);
	assert_int_equal(jget(json_object_array_get_idx(o, 0), "count"), b.mb);
	assert_true(json_object_object_get_ex(json_object_object_get(mt, "latency"), "processes",
					      &procs));
	assert_int_equal(json_object_array_length(procs), 1);
	p = json_object_array_get_idx(procs, 0);
	assert_int_equal(jget(p, "tgid"), pid);
	assert_int_equal(jget(p, "kinds.memcg_reclaim.count"), b.mb);
	assert_int_equal(jget(p, "stall_ns"), memtrace_ns +
						      jget(kind(mt, "direct_reclaim"), "total_ns") +
						      jget(kind(mt, "compaction"), "total_ns"));
	json_object_put(mt);
	{
		char *out = slurp(run_file("mt.out"));

		assert_non_null(strstr(out, "STALL LATENCY, memcg reclaim"));
		free(out);
	}
}

static void test_memcg_stall_matches_bpftrace(void **state)
{
	stall_run(NULL);
}

/* The classic-tracepoint programs pair and time the same. */
static void test_memcg_stall_tracepoint_fallback(void **state)
{
	stall_run("--force-tracepoint");
}

/* Run memtrace briefly with extra options; returns its JSON report. */
static struct json_object *short_run(char *opt1, char *opt2, int *status)
{
	char *argv[] = { (char *)memtrace,	     "run", "-d", "0.5", "--json",
			 (char *)run_file("s.json"), opt1,  opt2, NULL };
	struct child c;

	next_run();
	argv[5] = (char *)run_file("s.json");
	c = spawn(argv, run_file("s.out"), run_file("s.err"));
	*status = wait_exit(c.pid, 60);
	close(c.in);
	close(c.out);
	return json_object_from_file(run_file("s.json"));
}

static void test_call_latency_degrades_or_measures(void **state)
{
	struct json_object *j, *calls, *hook;
	char *err, *out;
	int status;

	if (geteuid() != 0)
		skip();
	j = short_run("--latency", NULL, &status);
	err = slurp(run_file("s.err"));
	out = slurp(run_file("s.out"));
	assert_int_equal(status, 0);
	assert_non_null(j);
	assert_true(
		json_object_object_get_ex(json_object_object_get(j, "latency"), "calls", &calls));
	assert_true(json_object_get_boolean(json_object_object_get(calls, "requested")));
	hook = json_object_object_get(calls, "hook");
	if (!hook) {
		/* no hook here: one line says which failed and why, and the report is whole */
		const char *why =
			json_object_get_string(json_object_object_get(calls, "unavailable"));
		char *l = strstr(err, "allocator call latency unavailable: ");

		print_message("unavailable: %s\n", why);
		assert_non_null(l);
		assert_non_null(strstr(l, "fentry: "));
		assert_non_null(strstr(l, "kprobe: "));
		assert_non_null(strstr(l, why));
		assert_non_null(strstr(out, "ALLOCATOR CALL LATENCY"));
		assert_non_null(strstr(out, "unavailable: fentry: "));
		assert_non_null(strstr(out, "ADDRESS CLASSES"));
		assert_true(jget(j, "run.events") > 0);
		assert_false(json_object_get_boolean(json_object_object_get(
			json_object_object_get(
				json_object_object_get(json_object_object_get(j, "latency"),
						       "kinds"),
				"kmalloc"),
			"traced")));
	} else {
		/* a kernel that permits a hook: system-wide, kmalloc is called all the time */
		print_message("hooked with %s\n", json_object_get_string(hook));
		assert_true(jget(j, "latency.kinds.kmalloc.count") > 0);
		assert_null(strstr(err, "unavailable"));
	}
	free(err);
	free(out);
	json_object_put(j);
}

/* Forcing the kprobe path tries only it: the line names kprobe alone. */
static void test_force_kprobe_hook(void **state)
{
	struct json_object *j, *calls;
	const char *why;
	int status;

	if (geteuid() != 0)
		skip();
	j = short_run("--latency", "--force-call-hook=kprobe", &status);
	assert_int_equal(status, 0);
	assert_non_null(j);
	calls = json_object_object_get(json_object_object_get(j, "latency"), "calls");
	if (json_object_object_get(calls, "hook")) {
		assert_string_equal(json_object_get_string(json_object_object_get(calls, "hook")),
				    "kprobe");
	} else {
		why = json_object_get_string(json_object_object_get(calls, "unavailable"));
		assert_non_null(strstr(why, "kprobe: "));
		assert_null(strstr(why, "fentry"));
	}
	json_object_put(j);
}

/* --no-stalls: no stall programs, no latency section. */
static void test_no_stalls(void **state)
{
	struct json_object *j;
	int status;

	if (geteuid() != 0)
		skip();
	j = short_run("--no-stalls", NULL, &status);
	assert_int_equal(status, 0);
	assert_non_null(j);
	assert_false(json_object_object_get_ex(j, "latency", NULL));
	json_object_put(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_memcg_stall_matches_bpftrace, cg_teardown),
		cmocka_unit_test_teardown(test_memcg_stall_tracepoint_fallback, cg_teardown),
		cmocka_unit_test(test_call_latency_degrades_or_measures),
		cmocka_unit_test(test_force_kprobe_hook),
		cmocka_unit_test(test_no_stalls),
	};

	atexit(cgroup_cleanup);
	return cmocka_run_group_tests_name("live latency", tests, harness_setup, harness_teardown);
}
