// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Live tests of scoping (issue 6): -p with two workloads at once, -- CMD following a
 * forking workload, --cgroup, --fail-if and the command's exit status, Ctrl-C forwarding,
 * and `memtrace check` against what this machine can do. The oracle is bpftrace on the
 * classic tracepoints, keyed by pid, attached before memtrace and stopped after it, so it
 * sees a superset of memtrace's window; each comparison is over pids whose whole traced
 * life lies inside both windows.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

/* Per-pid counts; FILTER is a bpftrace predicate, PRE extra probes. */
static const char *oracle_fmt =
	"BEGIN { printf(\"READY\\n\"); }\n"
	"%s\n"
	"tracepoint:kmem:kmalloc, tracepoint:kmem:kmem_cache_alloc /%s/ {\n"
	"  if (args->ptr != 0) { @sa[pid] = count(); @sb[pid] = sum(args->bytes_alloc); } }\n"
	"tracepoint:kmem:kfree /%s/ { if ((uint64)args->ptr > 16) { @sf[pid] = count(); } }\n"
	"tracepoint:kmem:kmem_cache_free /%s/ { @sf[pid] = count(); }\n"
	"tracepoint:kmem:mm_page_alloc /%s/ {\n"
	"  if (args->pfn != 0xffffffffffffffff) { @pa[pid] = count();\n"
	"    @pp[pid] = sum(1 << args->order); } }\n"
	"tracepoint:kmem:mm_page_free /%s/ { @pf[pid] = count(); @pfp[pid] = sum(1 << args->order); }\n"
	"";

#define MAX_PIDS 4096

struct counts {
	int pid;
	long long sa, sb, sf, pa, pp, pf, pfp;
};

struct oracle {
	struct child c;
	struct counts *pids;
	int n;
	long long missed; /* the oracle's own missed runs */
};

static struct counts *pid_counts(struct oracle *o, int pid)
{
	for (int i = 0; i < o->n; i++)
		if (o->pids[i].pid == pid)
			return &o->pids[i];
	if (o->n == MAX_PIDS)
		return NULL;
	memset(&o->pids[o->n], 0, sizeof(o->pids[0]));
	o->pids[o->n].pid = pid;
	return &o->pids[o->n++];
}

static const struct counts *oracle_get(struct oracle *o, int pid)
{
	static const struct counts zero;

	for (int i = 0; i < o->n; i++)
		if (o->pids[i].pid == pid)
			return &o->pids[i];
	return &zero;
}

static void oracle_start(struct oracle *o, const char *pre, const char *filter)
{
	static char script[8192];
	char *argv[] = { "bpftrace", "-e", script, NULL };

	snprintf(script, sizeof(script), oracle_fmt, pre, filter, filter, filter, filter, filter);
	setenv("BPFTRACE_MAP_KEYS_MAX", "100000", 1);
	o->c = spawn(argv, run_file("bt.out"), run_file("bt.err"));
	o->pids = calloc(MAX_PIDS, sizeof(*o->pids));
	o->n = 0;
	assert_true(wait_file(run_file("bt.out"), "READY", 60));
}

static void oracle_stop(struct oracle *o)
{
	char *s, *save = NULL;
	int status;

	o->missed = prog_misses_of(o->c.pid);
	kill(o->c.pid, SIGINT);
	status = wait_oracle(o->c.pid);
	close(o->c.in);
	close(o->c.out);
	if (status) {
		char *e = slurp(run_file("bt.err"));

		fail_msg("bpftrace exited %d: %s", status, e);
	}
	s = slurp(run_file("bt.out"));
	for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[8];
		int pid;
		long long v;
		struct counts *c;

		if (sscanf(line, "@%7[a-z][%d]: %lld", name, &pid, &v) != 3)
			continue;
		c = pid_counts(o, pid);
		if (!c)
			continue;
#define F(x)                                                                                       \
	if (!strcmp(name, #x))                                                                     \
		c->x = v;
		F(sa) F(sb) F(sf) F(pa) F(pp) F(pf) F(pfp)
#undef F
	}
	free(s);
}

/*
 * Only missed runs may be lost (a run the kernel skips where it would recurse, counted);
 * assert_count (harness.h) allows for memtrace's and the oracle's on each side.
 */
static long long tolerance(struct json_object *mt)
{
	long long lost = jget(mt, "run.lost.total"), missed = jget(mt, "run.lost.missed_runs");

	if (missed)
		print_message("missed runs (system-wide): %lld\n", missed);
	assert_int_equal(lost, missed);
	return missed;
}

/* A process row equals the oracle's counts for that pid; bytes exactly when counts are. */
static void check_proc(struct json_object *p, const struct counts *b, long long tol,
		       long long bt_missed)
{
	long long page = 4096;

	print_message("pid %d: bpftrace slab %lld/%lld pages %lld/%lld; memtrace slab %lld/%lld "
		      "pages %lld/%lld\n",
		      b->pid, b->sa, b->sf, b->pa, b->pf, jget(p, "classes.kernel_logical.allocs"),
		      jget(p, "classes.kernel_logical.frees"), jget(p, "classes.physical.allocs"),
		      jget(p, "classes.physical.frees"));
	assert_count(jget(p, "classes.kernel_logical.allocs"), b->sa, tol, bt_missed);
	assert_count(jget(p, "classes.kernel_logical.frees"), b->sf, tol, bt_missed);
	assert_count(jget(p, "classes.physical.allocs"), b->pa, tol, bt_missed);
	assert_count(jget(p, "classes.physical.frees"), b->pf, tol, bt_missed);
	if (jget(p, "classes.kernel_logical.allocs") != b->sa ||
	    jget(p, "classes.physical.allocs") != b->pa ||
	    jget(p, "classes.physical.frees") != b->pf)
		return; /* a missed run's bytes are unknown: exact bytes need exact counts */
	assert_int_equal(jget(p, "classes.kernel_logical.bytes_allocated"), b->sb);
	assert_int_equal(jget(p, "classes.physical.bytes_allocated"), b->pp * page);
	assert_int_equal(jget(p, "classes.physical.bytes_freed"), b->pfp * page);
}

/* Start memtrace with extra args; wait until it traces. */
static struct child start_memtrace(const char *const *args)
{
	const char *argv[24] = { memtrace, "run", "--json", NULL };
	int n = 3;
	struct child c;

	argv[n++] = run_file("mt.json");
	for (int i = 0; args[i] && n < 23; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	c = spawn((char *const *)argv, run_file("mt.out"), run_file("mt.err"));
	return c;
}

/* Two workloads run at once: the -p one appears with the oracle's counts, the other not. */
static void test_pid_scope_two_workloads(void **state)
{
	struct wl a, b;
	struct oracle o;
	struct child mt;
	struct json_object *j;
	char filter[64], pid[16];
	long long tol;

	if (skip_unless_live())
		skip();
	next_run();
	a = start_workload("mix", 1000);
	b = start_workload("mix", 1000);
	snprintf(filter, sizeof(filter), "pid == %d || pid == %d", a.pid, b.pid);
	oracle_start(&o, "", filter);
	snprintf(pid, sizeof(pid), "%d", a.pid);
	mt = start_memtrace((const char *[]){ "-p", pid, NULL });
	assert_true(wait_file(run_file("mt.err"), "memtrace: tracing", 60));
	go_workload(&a);
	go_workload(&b);
	j = stop_memtrace(&mt, 0);
	oracle_stop(&o);
	end_workload(&a);
	end_workload(&b);

	tol = tolerance(j);
	assert_string_equal(
		json_object_get_string(json_object_object_get(
			json_object_object_get(json_object_object_get(j, "run"), "scope"), "kind")),
		"pids");
	assert_non_null(proc_of(j, a.pid));
	check_proc(proc_of(j, a.pid), oracle_get(&o, a.pid), tol, o.missed);
	/* the other one worked as hard, and is not there */
	assert_true(oracle_get(&o, b.pid)->sa >= 1000);
	assert_null(proc_of(j, b.pid));
	assert_int_equal(json_object_array_length(json_object_object_get(j, "processes")), 1);
	json_object_put(j);
	free(o.pids);
}

/*
 * -- CMD: memtrace starts `workload forks N`, which forks 3 children that each do known
 * work. Every tgid appears with its parent, and each one's counts, and their sum, equal the
 * oracle's. The oracle counts the command from the moment memtrace releases it (its child
 * returns from the one-byte read of the go pipe: nothing runs in it between memtrace's
 * attach and that point) and, after exec, by comm.
 */
static void command_follows_forks(bool classic)
{
	const long n = 500;
	struct oracle o;
	struct child mt;
	struct json_object *j, *procs, *scope, *threads;
	long long tol, sum_mt = 0, sum_bt = 0, pages_mt = 0, pages_bt = 0;
	int root, kids[3], nk = 0;
	char *err, *p, nbuf[16];

	next_run();
	oracle_start(&o,
		     "tracepoint:syscalls:sys_exit_read /comm == \"memtrace\" && "
		     "args->ret == 1/ { @go[pid] = 1; }",
		     "@go[pid] || comm == \"workload\"");
	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	mt = start_memtrace((const char *[]){ "--per-thread",
					      classic ? "--force-tracepoint" : "--per-thread", "--",
					      workload, "forks", nbuf, NULL });
	assert_int_equal(wait_exit(mt.pid, 120), 0);
	close(mt.in);
	close(mt.out);
	oracle_stop(&o);
	j = json_object_from_file(run_file("mt.json"));
	assert_non_null(j);

	err = slurp(run_file("mt.err"));
	for (p = err; (p = strstr(p, "child ")) && nk < 3; p++)
		kids[nk++] = atoi(p + 6);
	free(err);
	assert_int_equal(nk, 3);
	scope = json_object_object_get(json_object_object_get(j, "run"), "scope");
	assert_string_equal(json_object_get_string(json_object_object_get(scope, "kind")),
			    "command");
	root = (int)jget(scope, "pid");
	assert_int_equal(jget(scope, "exit_code"), 0);
	assert_int_equal(jget(scope, "forks_followed"), 3);
	assert_int_equal(jget(scope, "forks_not_followed"), 0);

	tol = tolerance(j);
	procs = json_object_object_get(j, "processes");
	assert_int_equal(json_object_array_length(procs), 4);
	assert_non_null(proc_of(j, root));
	assert_string_equal(
		json_object_get_string(json_object_object_get(proc_of(j, root), "comm")),
		"workload");
	for (int i = 0; i < nk; i++) {
		struct json_object *k = proc_of(j, kids[i]);

		assert_non_null(k);
		assert_int_equal(jget(k, "parent"), root);
		assert_true(jget(k, "classes.kernel_logical.allocs") >= n);
		assert_true(jget(k, "classes.physical.allocs") >= n);
	}
	for (size_t i = 0; i < json_object_array_length(procs); i++) {
		struct json_object *pr = json_object_array_get_idx(procs, i);
		const struct counts *b = oracle_get(&o, (int)jget(pr, "tgid"));

		check_proc(pr, b, tol, o.missed);
		sum_bt += b->sa;
		pages_bt += b->pa;
	}
	/* --per-thread: each single-threaded process is one thread with the same counts */
	threads = json_object_object_get(j, "threads");
	assert_int_equal(json_object_array_length(threads), 4);
	for (size_t i = 0; i < json_object_array_length(threads); i++) {
		struct json_object *t = json_object_array_get_idx(threads, i);

		assert_int_equal(jget(t, "tid"), jget(t, "tgid"));
		assert_int_equal(jget(t, "classes.kernel_logical.allocs"),
				 jget(proc_of(j, (int)jget(t, "tgid")),
				      "classes.kernel_logical.allocs"));
	}
	if (classic)
		assert_string_equal(json_object_get_string(json_object_object_get(
					    json_object_object_get(j, "run"), "attach")),
				    "tracepoint");
	sum_mt = jget(j, "classes.kernel_logical.allocs");
	pages_mt = jget(j, "classes.physical.allocs");
	assert_count(sum_mt, sum_bt, tol, o.missed);
	assert_count(pages_mt, pages_bt, tol, o.missed);
	json_object_put(j);
	free(o.pids);
}

static void test_command_follows_forks(void **state)
{
	if (skip_unless_live())
		skip();
	command_follows_forks(false);
}

/* The classic fork and exec tracepoints follow the same tree. */
static void test_command_follows_forks_classic(void **state)
{
	if (skip_unless_live())
		skip();
	command_follows_forks(true);
}

static char cgdir[128];
static struct wl cg_a = { .pid = -1 }, cg_b = { .pid = -1 };

/* Always: no workload left running, the cgroup gone. */
static int cgroup_teardown(void **state)
{
	struct wl *w[] = { &cg_a, &cg_b };

	for (int i = 0; i < 2; i++) {
		if (w[i]->pid > 0) {
			kill(w[i]->pid, SIGKILL);
			waitpid(w[i]->pid, NULL, 0);
			w[i]->pid = -1;
		}
	}
	if (cgdir[0] && rmdir(cgdir) && errno != ENOENT)
		fprintf(stderr, "failed to remove %s: %s\n", cgdir, strerror(errno));
	cgdir[0] = '\0';
	return 0;
}

/* --cgroup: of two workloads, only the one moved into the cgroup appears. */
static void test_cgroup_scope(void **state)
{
	struct oracle o;
	struct child mt;
	struct json_object *j;
	char filter[64], path[192], pid[16];
	long long tol;
	int fd;

	if (skip_unless_live())
		skip();
	if (access("/sys/fs/cgroup/unified/cgroup.procs", F_OK)) {
		fprintf(stderr, "skipped: no cgroup v2 hierarchy at /sys/fs/cgroup/unified\n");
		skip();
	}
	next_run();
	snprintf(cgdir, sizeof(cgdir), "/sys/fs/cgroup/unified/memtrace-live-%d", getpid());
	assert_int_equal(mkdir(cgdir, 0755), 0);
	cg_a = start_workload("mix", 1000);
	cg_b = start_workload("mix", 1000);
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgdir);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	snprintf(pid, sizeof(pid), "%d", cg_a.pid);
	assert_int_equal(write(fd, pid, strlen(pid)), (ssize_t)strlen(pid));
	close(fd);

	snprintf(filter, sizeof(filter), "pid == %d || pid == %d", cg_a.pid, cg_b.pid);
	oracle_start(&o, "", filter);
	mt = start_memtrace((const char *[]){ "--cgroup", cgdir, NULL });
	assert_true(wait_file(run_file("mt.err"), "memtrace: tracing", 60));
	go_workload(&cg_a);
	go_workload(&cg_b);
	j = stop_memtrace(&mt, 0);
	oracle_stop(&o);
	end_workload(&cg_a);
	cg_a.pid = -1;
	end_workload(&cg_b);
	cg_b.pid = -1;

	tol = tolerance(j);
	assert_string_equal(
		json_object_get_string(json_object_object_get(
			json_object_object_get(json_object_object_get(j, "run"), "scope"), "kind")),
		"cgroup");
	assert_int_equal(json_object_array_length(json_object_object_get(j, "processes")), 1);
	check_proc(proc_of(j, atoi(pid)), oracle_get(&o, atoi(pid)), tol, o.missed);
	assert_true(oracle_get(&o, atoi(pid))->sa >= 1000);
	json_object_put(j);
	free(o.pids);
}

/* Run memtrace with args to its end; returns the exit status, stderr in *err. */
static int run_to_end(const char *const *args, char **err)
{
	struct child c = start_memtrace(args);
	int status = wait_exit(c.pid, 120);

	close(c.in);
	close(c.out);
	*err = slurp(run_file("mt.err"));
	return status;
}

static int count_lines(const char *s, const char *needle)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/*
 * --fail-if: a workload holding 2000 touched pages (7.8 MiB) trips a 4 MiB threshold on its
 * net page bytes (exit 3, one line), one that unmaps them does not (exit 0).
 */
static void fail_if_case(const char *mode, int want)
{
	struct wl w;
	struct child mt;
	struct json_object *j, *fi;
	char pid[16], *err;

	next_run();
	w = start_workload(mode, 2000);
	snprintf(pid, sizeof(pid), "%d", w.pid);
	/*
	 * lost.process_table_full, not lost: "lost" also counts missed runs, which are
	 * system-wide and happen on a busy machine whatever the scoped workload does.
	 */
	mt = start_memtrace((const char *[]){ "-p", pid, "--fail-if", "lost.process_table_full > 0",
					      "--fail-if", "classes.physical.net_bytes > 4MiB",
					      NULL });
	assert_true(wait_file(run_file("mt.err"), "memtrace: tracing", 60));
	go_workload(&w);
	j = stop_memtrace(&mt, want);
	end_workload(&w);
	err = slurp(run_file("mt.err"));
	print_message("%s: net page bytes %lld; stderr: %s", mode,
		      jget(j, "classes.physical.net_bytes"), err);
	assert_int_equal(count_lines(err, "memtrace: fail-if"), want ? 1 : 0);
	if (want)
		assert_non_null(strstr(err, "memtrace: fail-if classes.physical.net_bytes > 4MiB: "
					    "classes.physical.net_bytes is "));
	fi = json_object_object_get(j, "fail_if");
	assert_int_equal(json_object_array_length(fi), 2);
	assert_false(json_object_get_boolean(
		json_object_object_get(json_object_array_get_idx(fi, 0), "failed")));
	assert_int_equal(json_object_get_boolean(json_object_object_get(
				 json_object_array_get_idx(fi, 1), "failed")),
			 want != 0);
	free(err);
	json_object_put(j);
}

static void test_fail_if_trips_on_leak(void **state)
{
	if (skip_unless_live())
		skip();
	fail_if_case("hold", 3);
}

static void test_fail_if_passes_without_leak(void **state)
{
	if (skip_unless_live())
		skip();
	fail_if_case("pages", 0);
}

/* The command's status: 0 passes through as 0; failure is 4 with one line saying which. */
static void test_command_exit_status(void **state)
{
	struct json_object *j;
	char *err;

	if (geteuid() != 0)
		skip();
	next_run();
	assert_int_equal(run_to_end((const char *[]){ "--", "true", NULL }, &err), 0);
	free(err);
	next_run();
	assert_int_equal(run_to_end((const char *[]){ "--", "sh", "-c", "exit 7", NULL }, &err), 4);
	assert_non_null(strstr(err, "memtrace: command exited with status 7\n"));
	free(err);
	j = json_object_from_file(run_file("mt.json"));
	assert_non_null(j);
	assert_int_equal(jget(j, "run.scope.exit_code"), 7);
	json_object_put(j);
	next_run();
	assert_int_equal(run_to_end((const char *[]){ "--", "sh", "-c", "kill -9 $$", NULL }, &err),
			 4);
	assert_non_null(strstr(err, "memtrace: command killed by signal 9"));
	free(err);
	/* both a failed command and a tripped condition: the command's failure wins */
	next_run();
	assert_int_equal(run_to_end((const char *[]){ "--fail-if", "events > 0", "--", "sh", "-c",
						      "exit 1", NULL },
				    &err),
			 4);
	assert_int_equal(count_lines(err, "memtrace: fail-if events > 0"), 1);
	free(err);
}

/* SIGINT to memtrace alone is passed on to the command; memtrace reports once it ends. */
static void test_sigint_forwarded(void **state)
{
	struct child c;
	double t0;
	int status;
	char *out;

	if (geteuid() != 0)
		skip();
	next_run();
	c = start_memtrace((const char *[]){ "--", "sleep", "60", NULL });
	assert_true(wait_file(run_file("mt.err"), "memtrace: tracing", 60));
	usleep(200 * 1000);
	t0 = now();
	kill(c.pid, SIGINT);
	status = wait_exit(c.pid, 30);
	close(c.in);
	close(c.out);
	assert_true(now() - t0 < 10);
	assert_int_equal(status, 4);
	out = slurp(run_file("mt.err"));
	assert_non_null(strstr(out, "command killed by signal 2"));
	free(out);
	out = slurp(run_file("mt.out"));
	assert_non_null(strstr(out, "ADDRESS CLASSES"));
	free(out);
}

/*
 * Ctrl-C at a terminal: the kernel signals the whole foreground process group, memtrace and
 * the command alike. memtrace must not stop (nor signal again): it waits for the command and
 * then reports. memtrace runs here as a session leader on a pseudo-terminal.
 */
static int ctrl_c_on_tty(const char *script, double wait_before)
{
	const char *argv[] = { memtrace, "run", "--json", NULL, "--", "sh", "-c", script, NULL };
	int m, status;
	pid_t pid;

	next_run();
	argv[3] = run_file("mt.json");
	m = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int s, o, e;

		setsid();
		s = open(ptsname(m), O_RDWR);
		o = open(run_file("mt.out"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		e = open(run_file("mt.err"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (s < 0 || o < 0 || e < 0 || ioctl(s, TIOCSCTTY, 0))
			_exit(126);
		dup2(s, 0);
		dup2(o, 1);
		dup2(e, 2);
		execv(memtrace, (char *const *)argv);
		_exit(127);
	}
	assert_true(wait_file(run_file("mt.err"), "memtrace: tracing", 60));
	usleep((useconds_t)(wait_before * 1e6));
	assert_int_equal(write(m, "\x03", 1), 1); /* ^C: VINTR, ISIG is on by default */
	status = wait_exit(pid, 30);
	close(m);
	return status;
}

static void test_ctrl_c_on_tty(void **state)
{
	char *err, *out;

	if (geteuid() != 0)
		skip();
	/* the command dies of the SIGINT; memtrace reports that, once */
	assert_int_equal(ctrl_c_on_tty("exec sleep 60", 0.3), 4);
	err = slurp(run_file("mt.err"));
	assert_non_null(strstr(err, "memtrace: command killed by signal 2"));
	free(err);
	out = slurp(run_file("mt.out"));
	assert_non_null(strstr(out, "ADDRESS CLASSES"));
	free(out);
	/* a command that ignores it runs to its end, and memtrace with it */
	assert_int_equal(ctrl_c_on_tty("trap '' INT; sleep 2; exit 0", 0.3), 0);
	out = slurp(run_file("mt.out"));
	assert_non_null(strstr(out, "exited with status 0"));
	free(out);
}

static bool bpftrace_attaches(const char *probe)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "timeout 60 bpftrace -e '%s { exit(); } "
		 "interval:ms:100 { exit(); }' >/dev/null 2>&1",
		 probe);
	return system(cmd) == 0;
}

static struct json_object *check_row(struct json_object *j, const char *name)
{
	struct json_object *rows = json_object_object_get(j, "checks");

	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		struct json_object *r = json_object_array_get_idx(rows, i);

		if (!strcmp(json_object_get_string(json_object_object_get(r, "name")), name))
			return r;
	}
	fail_msg("memtrace check has no row '%s'", name);
	return NULL;
}

static bool row_ok(struct json_object *j, const char *name)
{
	return json_object_get_boolean(json_object_object_get(check_row(j, name), "ok"));
}

/* memtrace check says what this machine can do, each fact checked independently. */
static void test_check_matches_machine(void **state)
{
	const char *argv[] = { memtrace, "check", "--json", NULL };
	static const char *const tps[][2] = {
		{ "kmem", "kmalloc" },
		{ "kmem", "kmem_cache_alloc" },
		{ "kmem", "kfree" },
		{ "kmem", "kmem_cache_free" },
		{ "kmem", "mm_page_alloc" },
		{ "kmem", "mm_page_free" },
		{ "sched", "sched_process_fork" },
		{ "sched", "sched_process_exec" },
	};
	struct json_object *j;
	struct child c;
	char name[128], path[256];
	int status;

	if (skip_unless_live())
		skip();
	next_run();
	c = spawn((char *const *)argv, run_file("check.json"), run_file("check.err"));
	status = wait_exit(c.pid, 120);
	close(c.in);
	close(c.out);
	j = json_object_from_file(run_file("check.json"));
	assert_non_null(j);
	assert_int_equal(status, 0);
	assert_true(json_object_get_boolean(json_object_object_get(j, "core_ok")));
	assert_true(row_ok(j, "privileges"));
	assert_int_equal(row_ok(j, "kernel BTF"), access("/sys/kernel/btf/vmlinux", R_OK) == 0);
	for (size_t i = 0; i < sizeof(tps) / sizeof(tps[0]); i++) {
		snprintf(name, sizeof(name), "tracepoint %s:%s", tps[i][0], tps[i][1]);
		snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/%s", tps[i][0],
			 tps[i][1]);
		assert_int_equal(row_ok(j, name), access(path, F_OK) == 0);
		snprintf(name, sizeof(name), "tracepoint/%s/%s", tps[i][0], tps[i][1]);
		snprintf(path, sizeof(path), "tracepoint:%s:%s", tps[i][0], tps[i][1]);
		assert_int_equal(row_ok(j, name), bpftrace_attaches(path));
	}
	/*
	 * fentry (kfunc) and kprobe as bpftrace finds them. bpftrace 0.17 cannot attach raw
	 * tracepoints (it aborts), so raw_tp is held to the kernel BTF having the typedef
	 * raw_tp programs attach through, as bpftool dumps it.
	 */
	assert_int_equal(row_ok(j, "hook raw_tp"),
			 system("bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | "
				"grep -q \"btf_trace_mm_page_alloc\"") == 0);
	assert_int_equal(row_ok(j, "hook fentry"), bpftrace_attaches("kfunc:kfree"));
	assert_int_equal(row_ok(j, "hook kprobe"), bpftrace_attaches("kprobe:kfree"));
	/* tp_btf (the sched events; kmem events are raw_tp): every program of that kind
	 * attached, and BTF has the typedefs */
	assert_int_equal(row_ok(j, "hook tp_btf"), row_ok(j, "tp_btf/sched_process_fork") &&
							   row_ok(j, "tp_btf/sched_process_exec") &&
							   row_ok(j, "kernel BTF"));
	/* the facts of this machine as documented (KERNELS.md): say so if they changed */
	if (row_ok(j, "hook fentry") || row_ok(j, "hook kprobe"))
		print_message("note: fentry or kprobes work here; KERNELS.md says they do not\n");
	json_object_put(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pid_scope_two_workloads),
		cmocka_unit_test(test_command_follows_forks),
		cmocka_unit_test(test_command_follows_forks_classic),
		cmocka_unit_test_teardown(test_cgroup_scope, cgroup_teardown),
		cmocka_unit_test(test_fail_if_trips_on_leak),
		cmocka_unit_test(test_fail_if_passes_without_leak),
		cmocka_unit_test(test_command_exit_status),
		cmocka_unit_test(test_sigint_forwarded),
		cmocka_unit_test(test_ctrl_c_on_tty),
		cmocka_unit_test(test_check_matches_machine),
	};

	return cmocka_run_group_tests_name("live scope", tests, harness_setup, harness_teardown);
}
