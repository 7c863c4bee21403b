// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Live tests of the class sections, `memtrace layout` and `memtrace addr`: the workload
 * makes the kernel vmalloc (1 MiB BPF array maps), allocate percpu memory (a BPF percpu
 * array) and take user page faults, a known number of each, while memtrace -p and a
 * bpftrace oracle filtered on the same pid watch. Then every slab pointer and vmalloc
 * address memtrace saw is classified by `memtrace addr` against `memtrace layout`.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

#define N 50

static const char *oracle_fmt =
	"BEGIN { printf(\"READY\\n\"); }\n"
	"tracepoint:vmalloc:alloc_vmap_area /pid == %d/ {\n"
	"  if (args->failed == 0) { @va = count(); @vb = sum(args->size); }\n"
	"  else { @vx = count(); } }\n"
	"tracepoint:vmalloc:free_vmap_area_noflush /pid == %d/ { @vf = count(); }\n"
	"tracepoint:percpu:percpu_alloc_percpu /pid == %d/ {\n"
	"  @pa = count(); @pb = sum(args->bytes_alloc); }\n"
	"tracepoint:percpu:percpu_free_percpu /pid == %d/ { @pf = count(); }\n"
	"tracepoint:exceptions:page_fault_user /pid == %d/ { @fu = count();\n"
	"  if (args->error_code & 2) { @fuw = count(); } }\n"
	"tracepoint:exceptions:page_fault_kernel /pid == %d/ { @fk = count(); }\n"
	"tracepoint:kmem:mm_page_alloc /pid == %d && args->pfn != 0xffffffffffffffff/ {\n"
	"  $g = (uint64)args->gfp_flags; $i = 0;\n"
	"  unroll(32) { if ($g & (1 << $i)) { @g[$i] = count(); } $i++; } }\n";

struct oracle {
	long long va, vb, vx, vf, pa, pb, pf, fu, fuw, fk;
	long long g[32];  /* the pid's page allocations with GFP bit i set */
	long long missed; /* runs the oracle's programs missed, system-wide */
};

static void parse_oracle(const char *path, struct oracle *o)
{
	char *s = slurp(path), *save = NULL;

	memset(o, 0, sizeof(*o));
	for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[32];
		long long v;

		int bit;

		if (sscanf(line, "@g[%d]: %lld", &bit, &v) == 2 && bit >= 0 && bit < 32)
			o->g[bit] = v;
		if (sscanf(line, "@%31[a-z]: %lld", name, &v) != 2)
			continue;
#define F(x)                                                                                       \
	if (!strcmp(name, #x))                                                                     \
		o->x = v;
		F(va) F(vb) F(vx) F(vf) F(pa) F(pb) F(pf) F(fu) F(fuw) F(fk)
#undef F
	}
	free(s);
}

/*
 * Run the classes workload under memtrace -p (plus up to two arguments) and, when bt is not
 * NULL, the oracle. Tests that need no oracle start none: a bpftrace takes minutes to
 * detach on a loaded machine.
 */
static struct json_object *trace_classes(const char *arg1, const char *arg2, struct oracle *bt,
					 int *wpid)
{
	char nbuf[16], line[64], pidbuf[16], script[4096], json[256];
	char *wargv[] = { (char *)workload, "classes", nbuf, NULL };
	struct child w, b = { .pid = -1 }, m;
	long long bt_missed = 0;
	int pid, st;

	next_run();
	snprintf(json, sizeof(json), "%s", run_file("report.json"));
	snprintf(nbuf, sizeof(nbuf), "%d", N);
	w = spawn(wargv, NULL, NULL);
	read_line(w.out, line, sizeof(line));
	assert_int_equal(sscanf(line, "ready %d", &pid), 1);
	*wpid = pid;
	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	snprintf(script, sizeof(script), oracle_fmt, pid, pid, pid, pid, pid, pid, pid);
	if (bt) {
		char *bargv[] = { "bpftrace", "-e", script, NULL };

		b = spawn(bargv, run_file("bt.out"), run_file("bt.err"));
	}
	{
		char *margv[] = { (char *)memtrace, "run",	  "-p", pidbuf, "--json", json,
				  (char *)arg1,	    (char *)arg2, NULL };

		m = spawn(margv, run_file("mt.out"), run_file("mt.err"));
	}
	if (bt)
		assert_true(wait_file(run_file("bt.out"), "READY", 60));
	assert_true(wait_file(run_file("mt.err"), "memtrace: tracing", 60));
	assert_int_equal(write(w.in, "g", 1), 1);
	read_line(w.out, line, sizeof(line));
	assert_string_equal(line, "done");
	if (bt) {
		bt_missed = prog_misses_of(b.pid);
		kill(b.pid, SIGINT);
	}
	kill(m.pid, SIGINT);
	st = wait_exit(m.pid, 180);
	if (st) {
		char *e = slurp(run_file("mt.err"));

		fail_msg("memtrace exited %d: %s", st, e);
	}
	close(m.in);
	close(m.out);
	/*
	 * The workload exits only once both tracers are gone: its exit allocates pages of its
	 * own (mmu_gather batches, GFP_NOWAIT), which an oracle still attached would count.
	 */
	if (bt) {
		assert_int_equal(wait_oracle(b.pid), 0);
		close(b.in);
		close(b.out);
		parse_oracle(run_file("bt.out"), bt);
		bt->missed = bt_missed;
	}
	close(w.in);
	assert_int_equal(wait_exit(w.pid, 10), 0);
	close(w.out);
	return json_object_from_file(json);
}

static struct json_object *obj(struct json_object *o, const char *path)
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

static const char *jstr(struct json_object *o, const char *path)
{
	return json_object_get_string(obj(o, path));
}

/* memtrace addr's one line for addr, into out. */
static void classify(const char *addr, char *out, size_t len)
{
	char *argv[] = { (char *)memtrace, "addr", (char *)addr, NULL };
	struct child c;
	char *s;

	next_run();
	c = spawn(argv, run_file("addr.out"), run_file("addr.err"));
	assert_int_equal(wait_exit(c.pid, 60), 0);
	close(c.in);
	close(c.out);
	s = slurp(run_file("addr.out"));
	snprintf(out, len, "%s", s);
	free(s);
	print_message("%s", out);
}

static void check_classes(struct json_object *m, const struct oracle *bp, int pid)
{
	struct json_object *procs, *p = NULL;
	struct oracle b = *bp;
	long long missed;

	missed = jget(m, "run.lost.missed_runs");
	assert_int_equal(jget(m, "run.lost.total"), missed);
	print_message("bpftrace: vmalloc %lld (%lld B) percpu %lld faults user %lld kernel %lld; "
		      "memtrace: vmalloc %lld percpu %lld faults %lld/%lld; missed %lld\n",
		      b.va, b.vb, b.pa, b.fu, b.fk,
		      jget(m, "classes.kernel_virtual.vmalloc.allocs"),
		      jget(m, "classes.kernel_virtual.percpu.allocs"),
		      jget(m, "classes.user_virtual.faults.user_mode"),
		      jget(m, "classes.user_virtual.faults.kernel_mode"), missed);
	/* the workload's own work, at least */
	assert_true(b.va >= N);
	assert_true(b.pa >= N);
	assert_true(b.fu >= N);
	/* and memtrace saw what the oracle saw (a missed run may only lower memtrace's) */
	assert_count(jget(m, "classes.kernel_virtual.vmalloc.allocs"), b.va, missed, b.missed);
	assert_count(jget(m, "classes.kernel_virtual.vmalloc.failures"), b.vx, missed, b.missed);
	assert_count(jget(m, "classes.kernel_virtual.vmalloc.frees"), b.vf, missed, b.missed);
	assert_count(jget(m, "classes.kernel_virtual.percpu.allocs"), b.pa, missed, b.missed);
	assert_count(jget(m, "classes.kernel_virtual.percpu.frees"), b.pf, missed, b.missed);
	assert_count(jget(m, "classes.user_virtual.faults.user_mode"), b.fu, missed, b.missed);
	assert_count(jget(m, "classes.user_virtual.faults.kernel_mode"), b.fk, missed, b.missed);
	if (!missed && !b.missed) {
		assert_int_equal(jget(m, "classes.kernel_virtual.vmalloc.bytes_allocated"), b.vb);
		assert_int_equal(jget(m, "classes.kernel_virtual.percpu.bytes_allocated"), b.pb);
	}
	/*
	 * GFP bits of the pid's page allocations, bit by bit (counted through the kernel's
	 * front of whole masks, spread by the reader)
	 */
	{
		struct json_object *g = obj(m, "classes.physical.gfp_flags");
		long long mg[32] = {};

		for (size_t i = 0; i < json_object_array_length(g); i++) {
			struct json_object *e = json_object_array_get_idx(g, i);

			mg[jget(e, "bit") & 31] = jget(e, "allocs");
		}
		for (int i = 0; i < 32; i++)
			if (mg[i] || b.g[i])
				print_message("gfp bit %d: memtrace %lld, bpftrace %lld\n", i,
					      mg[i], b.g[i]);
		assert_true(b.g[6] >= N); /* __GFP_IO: the workload's pages at least */
		for (int i = 0; i < 32; i++)
			assert_count(mg[i], b.g[i], missed, b.missed);
	}
	/* every area lay in the range its caller asked for */
	assert_int_equal(jget(m, "classes.kernel_virtual.vmalloc.out_of_range"), 0);
	assert_int_equal(jget(m, "classes.kernel_virtual.vmalloc.in_range"),
			 jget(m, "classes.kernel_virtual.vmalloc.allocs"));
	/* faults per process: the workload's row, reads + writes, equal to the oracle */
	procs = obj(m, "classes.user_virtual.faults.processes");
	for (size_t i = 0; i < json_object_array_length(procs); i++)
		if (jget(json_object_array_get_idx(procs, i), "tgid") == pid)
			p = json_object_array_get_idx(procs, i);
	assert_non_null(p);
	assert_count(jget(p, "user_read") + jget(p, "user_write"), b.fu, missed, b.missed);
	assert_count(jget(p, "user_write"), b.fuw, missed, b.missed);
	assert_true(jget(p, "user_write") >= N); /* each touch is a write */
	/* slab pointers: all direct-mapped */
	assert_int_equal(jget(m, "classes.kernel_logical.not_direct_mapped"), 0);
	/* no DMA in this process: measured, and zero — not absent */
	assert_string_equal(jstr(m, "classes.bus.availability"), "measured");
	assert_int_equal(jget(m, "classes.bus.dma.maps"), 0);
}

static void test_classes_match_bpftrace(void **state)
{
	struct json_object *m;
	struct oracle b;
	int pid;

	if ((skip_unless_live() || skip_unless_vmalloc_events()))
		skip();
	m = trace_classes(NULL, NULL, &b, &pid);
	assert_non_null(m);
	check_classes(m, &b, pid);
	json_object_put(m);
}

/* The classic-tracepoint programs of the same events count the same. */
static void test_classes_tracepoint_fallback(void **state)
{
	struct json_object *m;
	struct oracle b;
	int pid;

	if ((skip_unless_live() || skip_unless_vmalloc_events()))
		skip();
	m = trace_classes("--force-tracepoint", NULL, &b, &pid);
	assert_non_null(m);
	assert_string_equal(jstr(m, "run.attach"), "tracepoint");
	check_classes(m, &b, pid);
	json_object_put(m);
}

/* Every slab pointer and vmalloc address seen classifies as the class it must be. */
static void test_addresses_classify(void **state)
{
	struct json_object *m;
	char out[512];
	int pid;

	if ((skip_unless_live() || skip_unless_vmalloc_events()))
		skip();
	/* the pointers are kernel virtual addresses: the JSON has them only when asked */
	m = trace_classes("--raw-addresses", NULL, NULL, &pid);
	assert_non_null(m);
	classify(jstr(m, "classes.kernel_logical.pointer_min"), out, sizeof(out));
	assert_non_null(strstr(out, ": kernel logical; __pa "));
	classify(jstr(m, "classes.kernel_logical.pointer_max"), out, sizeof(out));
	assert_non_null(strstr(out, ": kernel logical; __pa "));
	classify(jstr(m, "classes.kernel_virtual.vmalloc.addr_min"), out, sizeof(out));
	assert_non_null(strstr(out, ": kernel virtual (vmalloc)"));
	/* addr_max is an end (exclusive): the last byte is the address to check */
	{
		char last[32];
		unsigned long long end;

		end = strtoull(jstr(m, "classes.kernel_virtual.vmalloc.addr_max"), NULL, 16);
		snprintf(last, sizeof(last), "%llx", end - 1);
		classify(last, out, sizeof(out));
		assert_non_null(strstr(out, ": kernel virtual (vmalloc)"));
	}
	json_object_put(m);
}

/* --class: only the chosen sections load; the others say they were not selected. */
static void test_class_selection(void **state)
{
	struct json_object *m;
	struct oracle b;
	int pid;

	if ((skip_unless_live() || skip_unless_vmalloc_events()))
		skip();
	m = trace_classes("--class", "virtual,user,bus,high", &b, &pid);
	assert_non_null(m);
	assert_string_equal(jstr(m, "classes.kernel_logical.availability"), "not_selected");
	assert_string_equal(jstr(m, "classes.physical.availability"), "not_selected");
	assert_string_equal(jstr(m, "classes.kernel_virtual.availability"), "measured");
	assert_count(jget(m, "classes.kernel_virtual.vmalloc.allocs"), b.va,
		     jget(m, "run.lost.missed_runs"), b.missed);
	assert_false(json_object_get_boolean(obj(m, "classes.kernel_logical.traced")));
	json_object_put(m);
}

/* layout: real values, consistent with what run calibrated and with /proc/zoneinfo. */
static void test_layout(void **state)
{
	char *argv[] = { (char *)memtrace, "layout", "--json", NULL };
	struct json_object *l;
	struct child c;
	char *text;

	if (geteuid() != 0)
		skip();
	next_run();
	c = spawn(argv, run_file("layout.json"), run_file("layout.err"));
	assert_int_equal(wait_exit(c.pid, 60), 0);
	close(c.in);
	close(c.out);
	l = json_object_from_file(run_file("layout.json"));
	assert_non_null(l);
	assert_int_equal(jget(l, "page_size"), sysconf(_SC_PAGESIZE));
	assert_true(json_object_get_boolean(obj(l, "direct_map.known")));
	assert_true(json_object_get_boolean(obj(l, "vmemmap.known")));
	assert_true(json_object_array_length(obj(l, "zones")) > 0);
	if (!access("/sys/kernel/tracing/events/vmalloc", F_OK))
		assert_true(json_object_get_boolean(obj(l, "vmalloc.known")));
	text = slurp("/proc/kallsyms");
	if (strstr(text, " T _text"))
		assert_true(json_object_get_boolean(obj(l, "kernel_text.known")));
	free(text);
	/* the regions do not overlap: direct map < vmalloc < vmemmap on x86_64 */
	if (!strcmp(jstr(l, "arch"), "x86_64")) {
		assert_true(strtoull(jstr(l, "direct_map.end"), NULL, 16) <=
			    strtoull(jstr(l, "vmalloc.start"), NULL, 16));
		assert_true(strtoull(jstr(l, "vmalloc.end"), NULL, 16) <=
			    strtoull(jstr(l, "vmemmap.start"), NULL, 16));
		assert_false(json_object_get_boolean(obj(l, "highmem")));
	}
	json_object_put(l);
}

/* 64-bit: the high memory section says there is none, in so many words. */
static void test_high_memory_64bit(void **state)
{
	struct json_object *m;
	int pid;
	char *out;

	if ((skip_unless_live() || skip_unless_vmalloc_events()))
		skip();
	if (sizeof(long) != 8)
		skip();
	m = trace_classes(NULL, NULL, NULL, &pid);
	assert_non_null(m);
	assert_string_equal(jstr(m, "classes.high_memory.availability"), "none_on_64bit");
	assert_false(json_object_get_boolean(obj(m, "classes.high_memory.exists")));
	out = slurp(run_file("mt.out"));
	assert_non_null(strstr(out, "kmap() returns the"));
	assert_non_null(strstr(out, "0 observed: no device used the DMA API"));
	free(out);
	json_object_put(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes_match_bpftrace),
		cmocka_unit_test(test_classes_tracepoint_fallback),
		cmocka_unit_test(test_addresses_classify),
		cmocka_unit_test(test_class_selection),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_high_memory_64bit),
	};

	return cmocka_run_group_tests_name("live classes", tests, harness_setup, harness_teardown);
}
