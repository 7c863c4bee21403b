// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Processes in system-wide runs, as on a build machine: a program exec'd during the run is
 * named after its exec with its exact counts (bpftrace, counting per pid from before the
 * process existed until after it was reaped, is the oracle); thousands of short processes
 * leave the kernel table as they end, with no loss and rows that add up to the totals;
 * memtrace's own process is left out unless --include-self.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

/* Slab and page allocations per tgid, system-wide, printed as "@sa[PID]: N". */
static const char *oracle =
	"BEGIN { printf(\"READY\\n\"); }\n"
	"tracepoint:kmem:kmalloc, tracepoint:kmem:kmem_cache_alloc {\n"
	"  if (args->ptr != 0) { @sa[pid] = count(); @sb[pid] = sum(args->bytes_alloc); } }\n"
	"tracepoint:kmem:mm_page_alloc {\n"
	"  if (args->pfn != 0xffffffffffffffff) { @pa[pid] = count(); } }\n";

/* @name[pid]'s value in bpftrace's output, 0 when absent. */
static long long oracle_of(const char *out, const char *name, int pid)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "@%s[%d]: ", name, pid);
	p = strstr(out, key);
	return p ? atoll(p + strlen(key)) : 0;
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return json_object_get_string(v);
}

/* The rows of processes[] add up to the class totals, and name how many processes in all. */
static long long check_rows_sum(struct json_object *mt)
{
	static const char *const cls[] = { "kernel_logical", "physical" };
	struct json_object *ps = json_object_object_get(mt, "processes");
	long long nproc = 0;

	for (size_t k = 0; k < 2; k++) {
		long long a = 0, b = 0;
		char path[96];

		for (size_t i = 0; i < json_object_array_length(ps); i++) {
			struct json_object *p = json_object_array_get_idx(ps, i), *c;

			c = json_object_object_get(json_object_object_get(p, "classes"), cls[k]);
			a += json_object_get_int64(json_object_object_get(c, "allocs"));
			b += json_object_get_int64(json_object_object_get(c, "bytes_allocated"));
		}
		snprintf(path, sizeof(path), "classes.%s.allocs", cls[k]);
		assert_int_equal(a, jget(mt, path));
		snprintf(path, sizeof(path), "classes.%s.bytes_allocated", cls[k]);
		assert_int_equal(b, jget(mt, path));
	}
	for (size_t i = 0; i < json_object_array_length(ps); i++)
		nproc += jget(json_object_array_get_idx(ps, i), "processes");
	return nproc;
}

/* Start memtrace run system-wide with extra options; wait until it traces. */
static struct child start_run(const char *a1, const char *a2)
{
	char *argv[] = { (char *)memtrace, "run",      "--json", (char *)run_file("mt.json"),
			 (char *)a1,	   (char *)a2, NULL };
	struct child c = spawn(argv, run_file("mt.out"), run_file("mt.err"));

	assert_true(wait_file(run_file("mt.err"), "memtrace: tracing", 60));
	return c;
}

/*
 * `( sleep; exec workload )`: the row of that pid is named workload, remembers it was sh,
 * and holds exactly what bpftrace counted for the pid over its whole life; the test
 * process that started it holds none of it.
 */
static void test_exec_named_system_wide(void **state)
{
	char script[512], line[64], *out;
	char *bargv[] = { "bpftrace", "-e", (char *)oracle, NULL };
	struct child bt, mt, sh;
	struct json_object *j, *p, *names;
	long long missed, bt_missed;
	const char *exe;
	int pid;

	if (skip_unless_live())
		skip();
	next_run();
	setenv("BPFTRACE_MAP_KEYS_MAX", "1000000", 1);
	bt = spawn(bargv, run_file("bt.out"), run_file("bt.err"));
	assert_true(wait_file(run_file("bt.out"), "READY", 60));
	mt = start_run(NULL, NULL);
	snprintf(script, sizeof(script), "sleep 0.3; exec %s slab 3000", workload);
	{
		char *sargv[] = { "sh", "-c", script, NULL };

		sh = spawn(sargv, NULL, NULL);
	}
	read_line(sh.out, line, sizeof(line));
	assert_int_equal(sscanf(line, "ready %d", &pid), 1);
	assert_int_equal(pid, sh.pid); /* exec keeps the pid */
	assert_int_equal(write(sh.in, "g", 1), 1);
	read_line(sh.out, line, sizeof(line));
	assert_string_equal(line, "done");
	close(sh.in);
	assert_int_equal(wait_exit(sh.pid, 10), 0); /* reaped: nothing more in its context */
	close(sh.out);
	usleep(500 * 1000); /* the reaper moves it out of the kernel table meanwhile */
	bt_missed = prog_misses_of(bt.pid);
	kill(bt.pid, SIGINT);
	kill(mt.pid, SIGINT);
	assert_int_equal(wait_exit(mt.pid, 60), 0);
	assert_int_equal(wait_oracle(bt.pid), 0);
	close(mt.in);
	close(bt.in);

	j = json_object_from_file(run_file("mt.json"));
	assert_non_null(j);
	out = slurp(run_file("bt.out"));
	missed = jget(j, "run.lost.missed_runs");
	assert_int_equal(jget(j, "run.lost.total"), missed);
	p = proc_of(j, pid);
	assert_non_null(p);
	assert_string_equal(str_of(p, "comm"), "workload");
	/* forked as this test, then sh, then workload */
	names = json_object_object_get(p, "earlier_comms");
	assert_int_equal(json_object_array_length(names), 2);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(names, 0)),
			    "live_procs");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(names, 1)), "sh");
	exe = str_of(p, "exe");
	assert_non_null(exe);
	assert_non_null(strstr(exe, "workload"));
	assert_true(jget(p, "execs") >= 1);
	assert_true(json_object_get_boolean(json_object_object_get(p, "exited")));
	print_message("pid %d: memtrace slab %lld pages %lld, bpftrace slab %lld pages %lld\n", pid,
		      jget(p, "classes.kernel_logical.allocs"), jget(p, "classes.physical.allocs"),
		      oracle_of(out, "sa", pid), oracle_of(out, "pa", pid));
	assert_true(oracle_of(out, "sa", pid) >= 3000);
	assert_count(jget(p, "classes.kernel_logical.allocs"), oracle_of(out, "sa", pid), missed,
		     bt_missed);
	assert_count(jget(p, "classes.kernel_logical.bytes_allocated"), oracle_of(out, "sb", pid),
		     missed * 8192, bt_missed * 8192);
	assert_count(jget(p, "classes.physical.allocs"), oracle_of(out, "pa", pid), missed,
		     bt_missed);
	/* the test process started sh: none of the workload's allocations are its own */
	p = proc_of(j, getpid());
	assert_true(!p || jget(p, "classes.kernel_logical.allocs") < 3000);
	check_rows_sum(j);
	free(out);
	json_object_put(j);
}

/*
 * 3,000 short processes through a table of 512: every one leaves it at its end, so nothing
 * is lost, all 3,000 are one row "true" (past 256 rows of their own, a name's processes
 * fold into one), and the rows add up to the totals. memtrace itself is not among them.
 */
static void test_short_processes_leave_the_table(void **state)
{
	struct json_object *j, *ps;
	long long trues = 0, nproc, true_rows = 0;
	char script[256];
	struct child mt;
	int st;

	if (geteuid() != 0)
		skip();
	next_run();
	mt = start_run("--max-procs", "512");
	snprintf(script, sizeof(script),
		 "i=0; while [ $i -lt 3000 ]; do /bin/true; i=$((i+1)); done");
	st = system(script);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	usleep(500 * 1000);
	j = stop_memtrace(&mt, 0);
	assert_int_equal(jget(j, "run.lost.process_table_full"), 0);
	assert_int_equal(jget(j, "run.task_table_full"), 0);
	nproc = check_rows_sum(j);
	ps = json_object_object_get(j, "processes");
	for (size_t i = 0; i < json_object_array_length(ps); i++) {
		struct json_object *p = json_object_array_get_idx(ps, i);

		if (!strcmp(str_of(p, "comm"), "true")) {
			assert_true(json_object_get_boolean(json_object_object_get(p, "exited")));
			trues += jget(p, "processes");
			true_rows++;
		}
	}
	print_message("%lld processes named true, %lld in all, in %zu rows\n", trues, nproc,
		      json_object_array_length(ps));
	assert_int_equal(trues, 3000);
	/* past the rows of their own, a name's processes are one row, exact */
	assert_int_equal(true_rows, 1);
	assert_null(proc_of(j, mt.pid));
	assert_true(jget(j, "run.self.events_left_out") > 0);
	assert_true(jget(j, "run.self.bpf_map_bytes") > 0);
	json_object_put(j);
}

/* --include-self counts memtrace's own process: it has a row, and nothing is left out. */
static void test_include_self(void **state)
{
	struct json_object *j;
	struct child mt;

	if (geteuid() != 0)
		skip();
	next_run();
	mt = start_run("--include-self", NULL);
	usleep(300 * 1000);
	j = stop_memtrace(&mt, 0);
	assert_non_null(proc_of(j, mt.pid));
	assert_int_equal(jget(j, "run.self.events_left_out"), 0);
	assert_true(json_object_get_boolean(json_object_object_get(
		json_object_object_get(json_object_object_get(j, "run"), "self"), "included")));
	json_object_put(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_named_system_wide),
		cmocka_unit_test(test_short_processes_leave_the_table),
		cmocka_unit_test(test_include_self),
	};

	return cmocka_run_group_tests_name("live procs", tests, harness_setup, harness_teardown);
}
