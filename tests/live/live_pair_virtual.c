// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Pairing of the kernel virtual allocators, live. The workload creates N BPF array maps of
 * 1 MiB (bpf_map_area_alloc() vmallocs each: one alloc_vmap_area) and one BPF percpu array
 * of N entries (N __alloc_percpu calls from bpf_map_alloc_percpu), and keeps them open past
 * the end of tracing (vkeep): exactly N vmap areas and N percpu objects are outstanding for
 * its pid. Closing them (vchurn) has the kernel free them from a workqueue: none left, and
 * N lifetimes in each histogram. bpftrace, filtered on the pid, counts the allocations and
 * pairs the frees (by whichever task) independently. Then tables made too small: every
 * vmalloc/percpu allocation tracked or counted lost, every lost stack counted.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

#define N 50

/* The pid's vmap areas and percpu objects; their frees by anyone, one line each. */
static const char *oracle_fmt =
	"BEGIN { printf(\"READY\\n\"); }\n"
	"tracepoint:vmalloc:alloc_vmap_area /pid == %d && args->failed == 0/ {\n"
	"  @va = count(); @vb = sum(args->size); @vlive[args->addr] = 1; }\n"
	"tracepoint:vmalloc:free_vmap_area_noflush /@vlive[args->va_start]/ {\n"
	"  @vf = count(); delete(@vlive[args->va_start]); printf(\"VFREE\\n\"); }\n"
	"tracepoint:percpu:percpu_alloc_percpu /pid == %d/ {\n"
	"  @pa = count(); @pb = sum(args->bytes_alloc); @plive[args->ptr] = 1; }\n"
	"tracepoint:percpu:percpu_free_percpu /@plive[args->ptr]/ {\n"
	"  @pf = count(); delete(@plive[args->ptr]); printf(\"PFREE\\n\"); }\n"
	"END { clear(@vlive); clear(@plive); }\n";

struct oracle {
	long long va, vb, vf, pa, pb, pf;
	long long missed; /* runs the oracle's programs missed (system-wide) */
};

struct run {
	struct json_object *mt;
	char *text; /* the text report */
	struct oracle bt;
	int pid;
};

static void parse_oracle(const char *path, struct oracle *o)
{
	char *s = slurp(path), *save = NULL;

	for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[32];
		long long v;

		if (sscanf(line, "@%31[a-z]: %lld", name, &v) != 2)
			continue;
#define F(x)                                                                                       \
	if (!strcmp(name, #x))                                                                     \
		o->x = v;
		F(va) F(vb) F(vf) F(pa) F(pb) F(pf)
#undef F
	}
	free(s);
}

static int count_lines(const char *path, const char *line)
{
	char *s = slurp(path), *p = s;
	int n = 0;

	while ((p = strstr(p, line))) {
		n++;
		p += strlen(line);
	}
	free(s);
	return n;
}

/*
 * The workload in mode under memtrace -p --outstanding plus up to four arguments, and (with
 * oracle) bpftrace. A closing workload's maps are freed by a kworker after close(): with
 * the oracle, wait until it has seen their 2N frees before stopping the tracers.
 */
static void trace(const char *mode, bool oracle, const char *a1, const char *a2, const char *a3,
		  const char *a4, struct run *t)
{
	char nbuf[16], line[64], pidbuf[16], script[2048], json[256];
	char *wargv[] = { (char *)workload, (char *)mode, nbuf, NULL };
	struct child w, bt = { .pid = -1 }, mt;

	memset(t, 0, sizeof(*t));
	next_run();
	snprintf(json, sizeof(json), "%s", run_file("report.json"));
	snprintf(nbuf, sizeof(nbuf), "%d", N);
	w = spawn(wargv, NULL, NULL);
	read_line(w.out, line, sizeof(line));
	assert_int_equal(sscanf(line, "ready %d", &t->pid), 1);
	snprintf(pidbuf, sizeof(pidbuf), "%d", t->pid);
	snprintf(script, sizeof(script), oracle_fmt, t->pid, t->pid);
	if (oracle) {
		char *bargv[] = { "bpftrace", "-e", script, NULL };

		bt = spawn(bargv, run_file("bt.out"), run_file("bt.err"));
	}
	{
		char *margv[] = { (char *)memtrace, "run",	"-p",
				  pidbuf,	    "--json",	json,
				  "--outstanding",  (char *)a1, (char *)a2,
				  (char *)a3,	    (char *)a4, NULL };

		mt = spawn(margv, run_file("mt.out"), run_file("mt.err"));
	}
	if (oracle)
		assert_true(wait_file(run_file("bt.out"), "READY", 60));
	assert_true(wait_file(run_file("mt.err"), "memtrace: tracing", 60));
	assert_int_equal(write(w.in, "g", 1), 1);
	read_line(w.out, line, sizeof(line));
	assert_string_equal(line, "done");
	if (oracle && !strcmp(mode, "vchurn")) {
		double t0 = now();

		while ((count_lines(run_file("bt.out"), "VFREE") < N ||
			count_lines(run_file("bt.out"), "PFREE") < N) &&
		       now() - t0 < 60)
			usleep(100 * 1000);
	}
	if (oracle) {
		t->bt.missed = prog_misses_of(bt.pid);
		kill(bt.pid, SIGINT);
	}
	/* stop memtrace while the kept maps are still open */
	kill(mt.pid, SIGINT);
	assert_int_equal(wait_exit(mt.pid, 180), 0);
	if (oracle)
		assert_int_equal(wait_oracle(bt.pid), 0);
	close(w.in);
	assert_int_equal(wait_exit(w.pid, 10), 0);
	close(w.out);
	close(mt.in);
	close(mt.out);
	if (oracle) {
		close(bt.in);
		close(bt.out);
		parse_oracle(run_file("bt.out"), &t->bt);
		print_message("bpftrace: vmalloc %lld (%lld B) freed %lld; percpu %lld (%lld B) "
			      "freed %lld; missed %lld\n",
			      t->bt.va, t->bt.vb, t->bt.vf, t->bt.pa, t->bt.pb, t->bt.pf,
			      t->bt.missed);
	}
	t->mt = json_object_from_file(json);
	assert_non_null(t->mt);
	t->text = slurp(run_file("mt.out"));
}

static void run_free(struct run *t)
{
	json_object_put(t->mt);
	free(t->text);
}

static struct json_object *get(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, k, &o)) {
			fail_msg("JSON has no %s", path);
			return NULL;
		}
	return o;
}

static long long hist_total(struct json_object *h)
{
	long long n = 0;

	for (size_t i = 0; i < json_object_array_length(h); i++)
		n += jget(json_object_array_get_idx(h, i), "count");
	return n;
}

/* The workload's row of outstanding.processes, or NULL. */
static struct json_object *proc_row(struct run *t)
{
	struct json_object *procs = get(t->mt, "outstanding.processes");

	for (size_t i = 0; i < json_object_array_length(procs); i++)
		if (jget(json_object_array_get_idx(procs, i), "tgid") == t->pid)
			return json_object_array_get_idx(procs, i);
	return NULL;
}

/* The call-site row of bpf_map_alloc_percpu in a JSON array, or NULL. */
static struct json_object *percpu_site(struct json_object *sites)
{
	for (size_t i = 0; i < json_object_array_length(sites); i++) {
		struct json_object *s = json_object_array_get_idx(sites, i), *sym;

		if (json_object_object_get_ex(s, "symbol", &sym) &&
		    json_object_get_type(sym) == json_type_string &&
		    !strncmp(json_object_get_string(sym), "bpf_map_alloc_percpu+", 21))
			return s;
	}
	return NULL;
}

/* N areas and N percpu objects kept: exactly N of each outstanding for the pid. */
static void check_kept(struct run *t, long long tol)
{
	struct json_object *p, *site;

	/* the workload's own pid: N of each, attributed to it */
	p = proc_row(t);
	assert_non_null(p);
	assert_within(jget(p, "classes.kernel_virtual.vmalloc.objects"), N, tol);
	assert_within(jget(p, "classes.kernel_virtual.percpu.objects"), N, tol);
	assert_int_equal(jget(p, "classes.kernel_virtual.objects"),
			 jget(p, "classes.kernel_virtual.vmalloc.objects") +
				 jget(p, "classes.kernel_virtual.percpu.objects"));
	/* -p: nothing but the pid's own is tracked, so the class totals are the pid's */
	assert_int_equal(jget(t->mt, "outstanding.classes.kernel_virtual.vmalloc.objects"),
			 jget(p, "classes.kernel_virtual.vmalloc.objects"));
	assert_int_equal(jget(t->mt, "outstanding.classes.kernel_virtual.percpu.objects"),
			 jget(p, "classes.kernel_virtual.percpu.objects"));
	assert_string_equal(
		json_object_get_string(
			get(t->mt, "outstanding.classes.kernel_virtual.vmalloc.availability")),
		"measured");
	/* nothing freed: no lifetimes */
	assert_int_equal(jget(t->mt, "outstanding.classes.kernel_virtual.paired_frees"), 0);
	/* the percpu objects at their call site */
	site = percpu_site(get(t->mt, "outstanding.call_sites"));
	assert_non_null(site);
	assert_string_equal(json_object_get_string(get(site, "allocator")), "percpu");
	assert_within(jget(site, "outstanding"), N, tol);
	/* the text report says the same */
	assert_non_null(strstr(t->text, "OUTSTANDING BY PROCESS, kernel virtual"));
	assert_non_null(strstr(t->text, "kernel virtual: vmalloc"));
	assert_non_null(strstr(t->text, "CALL SITES (percpu: callers of __alloc_percpu)"));
	if (!tol) {
		char row[128];

		snprintf(row, sizeof(row), "%-24s %12d", "kernel virtual: vmalloc", N);
		assert_non_null(strstr(t->text, row));
		snprintf(row, sizeof(row), "%-24s %12d", "kernel virtual: percpu", N);
		assert_non_null(strstr(t->text, row));
	}
}

/* The vmalloc stack of the kept areas passes through array_map_alloc; folded has it. */
static void check_stacks(struct run *t, const char *folded, long long tol)
{
	struct json_object *stacks = get(t->mt, "stacks.outstanding");
	long long lost = jget(t->mt, "run.lost.stack_collisions") +
			 jget(t->mt, "run.lost.stack_table_full") +
			 jget(t->mt, "run.lost.stack_failed");
	bool found = false;
	char *s;

	for (size_t i = 0; i < json_object_array_length(stacks) && !found; i++) {
		struct json_object *st = json_object_array_get_idx(stacks, i);
		struct json_object *fr = get(st, "frames");

		if (strcmp(json_object_get_string(get(st, "allocator")), "vmalloc"))
			continue;
		for (size_t j = 0; j < json_object_array_length(fr); j++)
			if (strstr(json_object_get_string(json_object_array_get_idx(fr, j)),
				   "array_map_alloc") &&
			    jget(st, "outstanding") >= N - tol)
				found = true;
	}
	if (!found) {
		/* only if its stack collided with another of the run's: then it is counted */
		print_message("no vmalloc stack through array_map_alloc: lost stacks %lld\n", lost);
		assert_true(lost >= N - tol);
		return;
	}
	s = slurp(folded);
	assert_non_null(strstr(s, "kernel_virtual;vmalloc;"));
	assert_non_null(strstr(s, ";array_map_alloc;"));
	free(s);
}

static void test_kept_areas_are_outstanding(void **state)
{
	char folded[300];
	long long tol;
	struct run t;

	if ((skip_unless_live() || skip_unless_vmalloc_events()))
		skip();
	snprintf(folded, sizeof(folded), "--folded-outstanding=%s", run_file("out.folded"));
	trace("vkeep", true, "--stacks", folded, NULL, NULL, &t);
	tol = pair_tolerance(t.mt);
	/* the oracle: this path makes exactly N of each, and nothing frees them */
	assert_within(t.bt.va, N, ORACLE_SLACK(N));
	assert_within(t.bt.pa, N, ORACLE_SLACK(N));
	assert_int_equal(t.bt.vf, 0);
	assert_int_equal(t.bt.pf, 0);
	check_kept(&t, tol);
	/* sizes: what the oracle summed (exact when nothing was skipped) */
	if (!tol && !t.bt.missed && t.bt.va == N && t.bt.pa == N) {
		assert_int_equal(jget(t.mt, "outstanding.classes.kernel_virtual.vmalloc.bytes"),
				 t.bt.vb);
		assert_int_equal(jget(t.mt, "outstanding.classes.kernel_virtual.percpu.bytes"),
				 t.bt.pb);
	}
	check_stacks(&t, strchr(folded, '=') + 1, tol);
	run_free(&t);
}

/* The classic-tracepoint programs pair the same (the fallback of kernels without tp_btf). */
static void test_kept_areas_tracepoint_fallback(void **state)
{
	struct run t;

	if ((skip_unless_live() || skip_unless_vmalloc_events()))
		skip();
	trace("vkeep", false, "--force-tracepoint", NULL, NULL, NULL, &t);
	assert_string_equal(json_object_get_string(get(t.mt, "run.attach")), "tracepoint");
	check_kept(&t, pair_tolerance(t.mt));
	run_free(&t);
}

static void test_closed_areas_have_lifetimes(void **state)
{
	struct json_object *v, *p;
	long long tol;
	struct run t;

	if ((skip_unless_live() || skip_unless_vmalloc_events()))
		skip();
	trace("vchurn", true, NULL, NULL, NULL, NULL, &t);
	tol = pair_tolerance(t.mt);
	assert_within(t.bt.va, N, ORACLE_SLACK(N));
	assert_within(t.bt.pa, N, ORACLE_SLACK(N));
	/* the kworker freed them all while tracing (the oracle paired every one) */
	assert_int_equal(t.bt.vf, t.bt.va);
	assert_int_equal(t.bt.pf, t.bt.pa);
	/* nothing of the pid's is left */
	p = proc_row(&t);
	if (p && json_object_object_get_ex(get(p, "classes"), "kernel_virtual", &v))
		assert_true(jget(v, "objects") <= tol);
	assert_true(jget(t.mt, "outstanding.classes.kernel_virtual.objects") <= tol);
	/* N paired lifetimes per kind, freed by a task that is not the pid: the free is
	 * paired whoever frees */
	v = get(t.mt, "outstanding.classes.kernel_virtual.vmalloc");
	assert_within(jget(v, "paired_frees"), t.bt.vf, tol);
	assert_within(jget(v, "paired_frees"), N, tol);
	assert_int_equal(hist_total(get(v, "lifetime_histogram_us")), jget(v, "paired_frees"));
	assert_int_equal(jget(v, "tracked"), jget(v, "paired_frees") + jget(v, "objects"));
	v = get(t.mt, "outstanding.classes.kernel_virtual.percpu");
	assert_within(jget(v, "paired_frees"), t.bt.pf, tol);
	assert_within(jget(v, "paired_frees"), N, tol);
	assert_int_equal(hist_total(get(v, "lifetime_histogram_us")), jget(v, "paired_frees"));
	assert_int_equal(jget(v, "tracked"), jget(v, "paired_frees") + jget(v, "objects"));
	/* the class total is the two kinds' */
	assert_int_equal(jget(t.mt, "outstanding.classes.kernel_virtual.paired_frees"),
			 jget(t.mt, "outstanding.classes.kernel_virtual.vmalloc.paired_frees") +
				 jget(t.mt,
				      "outstanding.classes.kernel_virtual.percpu.paired_frees"));
	/*
	 * Charged to the owner: the kworker's frees of the workload's areas and objects are
	 * the workload's frees (with their sizes), done in another context by a kernel thread.
	 */
	p = proc_of(t.mt, t.pid);
	assert_non_null(p);
	print_message("pid %d: kernel virtual allocs %lld frees %lld (%lld B of %lld B), "
		      "by others %lld, by kernel threads %lld\n",
		      t.pid, jget(p, "classes.kernel_virtual.allocs"),
		      jget(p, "classes.kernel_virtual.frees"),
		      jget(p, "classes.kernel_virtual.bytes_freed"),
		      jget(p, "classes.kernel_virtual.bytes_allocated"),
		      jget(p, "freed_by_others.kernel_virtual.frees"),
		      jget(p, "freed_by_others.kernel_virtual.by_kernel_threads"));
	assert_within(jget(p, "classes.kernel_virtual.frees"), t.bt.vf + t.bt.pf, tol);
	assert_within(jget(p, "freed_by_others.kernel_virtual.frees"), t.bt.vf + t.bt.pf, tol);
	assert_within(jget(p, "freed_by_others.kernel_virtual.by_kernel_threads"),
		      t.bt.vf + t.bt.pf, tol);
	if (!tol && !t.bt.missed)
		assert_int_equal(jget(p, "classes.kernel_virtual.bytes_freed"), t.bt.vb + t.bt.pb);
	assert_non_null(strstr(t.text, "LIFETIMES, kernel virtual: vmalloc"));
	assert_non_null(strstr(t.text, "LIFETIMES, kernel virtual: percpu"));
	run_free(&t);
}

/*
 * Tables far too small, kernel virtual only: every vmalloc and percpu allocation of the pid
 * is either tracked or counted lost (20 places for 2N objects kept), and with one stack
 * bucket for the two stacks (the vmalloc one, the percpu one) the second collides: every
 * allocation whose stack was lost is counted, and is in the "not recorded" row. Text and
 * JSON both say so.
 */
static void test_losses_are_counted(void **state)
{
	long long allocs, tracked, full, lost_stacks, unrecorded = 0;
	struct json_object *stacks;
	struct run t;

	if ((skip_unless_live() || skip_unless_vmalloc_events()))
		skip();
	trace("vkeep", false, "--class", "virtual", "--outstanding-entries=20", NULL, &t);
	allocs = jget(t.mt, "classes.kernel_virtual.vmalloc.allocs") +
		 jget(t.mt, "classes.kernel_virtual.percpu.allocs");
	tracked = jget(t.mt, "outstanding.classes.kernel_virtual.tracked");
	full = jget(t.mt, "run.lost.outstanding_table_full");
	print_message("allocs %lld tracked %lld full %lld\n", allocs, tracked, full);
	assert_true(allocs >= 2 * N - jget(t.mt, "run.lost.missed_runs"));
	assert_true(tracked <= 20);
	assert_true(full >= 2 * N - 20 - jget(t.mt, "run.lost.missed_runs"));
	assert_int_equal(tracked + full + jget(t.mt, "run.lost.outstanding_update_failed"), allocs);
	assert_true(jget(t.mt, "run.lost.total") >= full);
	assert_non_null(strstr(t.text, "outstanding table full (allocations not paired): "));
	run_free(&t);

	trace("vkeep", false, "--class", "virtual", "--stacks", "--stack-entries=1", &t);
	lost_stacks = jget(t.mt, "run.lost.stack_collisions") +
		      jget(t.mt, "run.lost.stack_table_full") + jget(t.mt, "run.lost.stack_failed");
	print_message("stacks lost %lld (collisions %lld)\n", lost_stacks,
		      jget(t.mt, "run.lost.stack_collisions"));
	assert_true(jget(t.mt, "run.lost.stack_collisions") > 0);
	stacks = get(t.mt, "stacks.allocating");
	for (size_t i = 0; i < json_object_array_length(stacks); i++) {
		struct json_object *st = json_object_array_get_idx(stacks, i);

		if (jget(st, "stack_id") == -1)
			unrecorded += jget(st, "allocs");
	}
	assert_int_equal(unrecorded, lost_stacks);
	assert_true(jget(t.mt, "run.lost.total") >= lost_stacks);
	assert_non_null(strstr(t.text, "stack table hash collisions: "));
	run_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept_areas_are_outstanding),
		cmocka_unit_test(test_kept_areas_tracepoint_fallback),
		cmocka_unit_test(test_closed_areas_have_lifetimes),
		cmocka_unit_test(test_losses_are_counted),
	};

	return cmocka_run_group_tests_name("live pairing, kernel virtual", tests, harness_setup,
					   harness_teardown);
}
