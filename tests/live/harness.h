/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Shared by the live tests (tests/live/live_*.c): start the real binary and helpers as
 * children with their output in files, wait for lines, read JSON reports, find the BPF
 * programs a process holds. Live tests run as root on a machine where other tracers may
 * run at the same time: they filter on their own pids and never assume an idle system.
 */
#ifndef MT_HARNESS_H
#define MT_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <cmocka.h>
#include <json-c/json.h>

extern const char *memtrace; /* $MEMTRACE or build/memtrace */
extern const char *workload; /* $WORKLOAD or build/tests/workload */

struct child {
	pid_t pid;
	int in;	 /* its stdin, a pipe we write */
	int out; /* its stdout when spawned with out_path NULL, a pipe we read */
};

/* cmocka group setup/teardown: a private temporary directory, SIGPIPE ignored. */
int harness_setup(void **state);
int harness_teardown(void **state);

double now(void);
/* Start a new numbered run: files named by run_file() are fresh from here on (a child
 * truncates its files only after fork, so a waiter must never read an old file). */
void next_run(void);
const char *run_file(const char *name);
/* Start argv with stdout and stderr to files (stdout to a pipe when out_path is NULL). */
struct child spawn(char *const argv[], const char *out_path, const char *err_path);
char *slurp(const char *path);
bool wait_file(const char *path, const char *needle, double timeout);
void read_line(int fd, char *buf, size_t len);
/* Exit status, 128+signal if killed; kills it and returns -1 after timeout seconds. */
int wait_exit(pid_t pid, double timeout);
/*
 * Wait for a bpftrace oracle sent SIGINT: its exit status, or -1 after ORACLE_EXIT_TIMEOUT
 * seconds, with its threads' kernel stacks printed. SIGINT goes again every 2 s: bpftrace
 * 0.17 can miss one (seen twice in CI: still polling its buffers, epoll_wait every 100 ms,
 * 300 s after SIGINT; it stops only when a signal interrupts that wait, it seems).
 * Detaching is slow too: on 6.18 each probe waits for an RCU Tasks Trace grace period
 * (perf_event_detach_bpf_prog), which on a loaded 2-core machine adds up to minutes.
 */
#define ORACLE_EXIT_TIMEOUT 300
int wait_oracle(pid_t pid);
bool have_cmd(const char *cmd);
/* An integer at a dotted path ("classes.physical.allocs"); fails the test if absent. */
long long jget(struct json_object *root, const char *path);
/* IDs of the BPF programs a process holds, from its fdinfo. */
int prog_ids_of(pid_t pid, int *ids, int max);
bool prog_id_exists(int id);
/* Wait up to 5 s for every program id to be freed; false (and which) if one stays. */
bool progs_gone(const int *ids, int n);

/* Runs the kernel skipped (recursion misses) for all BPF programs pid holds, summed. */
long long prog_misses_of(pid_t pid);

/* 1, with the reason on stderr, unless running as root with bpftrace (the oracle) there. */
int skip_unless_live(void);
/* 1, with the reason on stderr, when the kernel has no vmalloc tracepoints (before 6.4). */
int skip_unless_vmalloc_events(void);

/* processes[]'s row of tgid in a memtrace JSON report, or NULL. */
struct json_object *proc_of(struct json_object *mt, int tgid);

/*
 * tests/workload in a mode that waits: started (it prints "ready PID"), told to go (one
 * byte on its stdin; it answers "done"), ended (stdin closed: it exits 0).
 */
struct wl {
	struct child c;
	int pid;
	char pidbuf[16]; /* pid as text, for argv */
};
struct wl start_workload(const char *mode, long n);
/*
 * Stop memtrace (SIGINT), fail unless it exits with want_status, and parse the JSON report
 * it wrote to run_file("mt.json").
 */
struct json_object *stop_memtrace(struct child *c, int want_status);
void go_workload(struct wl *w);
void end_workload(struct wl *w);

/*
 * memtrace's count against the oracle's (bpftrace on classic tracepoints, same pid, same
 * window). The kernel skips a BPF program's run where it would recurse and counts it as a
 * missed run, for memtrace and the oracle alike. memtrace may therefore be below the oracle
 * by at most its own missed runs: that bound is exact, since memtrace never drops an event
 * it does not report. It may be above by the oracle's missed runs plus a small slack: the
 * oracle's classic path also passes through perf's per-CPU recursion guard, which drops
 * nested events silently (seen here: 8 of 8,036 frees on a loaded machine), so above the
 * oracle we allow 0.5% + 8. Double counting would show as +100%, far outside it.
 */
#define ORACLE_SLACK(b) ((b) / 200 + 8)
#define assert_count(mt, bt, mt_missed, bt_missed)                                                 \
	do {                                                                                       \
		long long m_ = (mt), b_ = (bt);                                                    \
		if (m_ < b_ - (long long)(mt_missed) ||                                            \
		    m_ > b_ + (long long)(bt_missed) + ORACLE_SLACK(b_))                           \
			fail_msg("%s = %lld, oracle %lld (missed runs: memtrace %lld, "            \
				 "oracle %lld)",                                                   \
				 #mt, m_, b_, (long long)(mt_missed), (long long)(bt_missed));     \
		if (m_ != b_)                                                                      \
			print_message("%s = %lld, oracle %lld: within tolerance\n", #mt, m_, b_);  \
	} while (0)

/* want - tol <= val <= want: the workload's count is known; the report says what it missed. */
#define assert_within(val, want, tol)                                                              \
	do {                                                                                       \
		long long v_ = (val), w_ = (want), t_ = (tol);                                     \
		if (v_ > w_ || v_ < w_ - t_)                                                       \
			fail_msg("%s = %lld, want %lld (tolerance %lld)", #val, v_, w_, t_);       \
	} while (0)

/*
 * How many of a workload's paired allocations may be missing from a report (--outstanding),
 * and why: none, unless the kernel skipped a run (system-wide missed runs: an interrupt's
 * event on a CPU already running the program) or refused a nested table update (an
 * interrupt's allocation landing on a bucket lock the interrupted program held). Both are
 * counted in the report; the tables are large enough never to fill here (asserted).
 */
long long pair_tolerance(struct json_object *mt);

#endif /* MT_HARNESS_H */
