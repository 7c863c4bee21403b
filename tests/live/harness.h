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

extern const char *memtrace;	/* $MEMTRACE or build/memtrace */
extern const char *workload;	/* $WORKLOAD or build/tests/workload */

struct child {
	pid_t pid;
	int in;		/* its stdin, a pipe we write */
	int out;	/* its stdout when spawned with out_path NULL, a pipe we read */
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
bool have_cmd(const char *cmd);
/* An integer at a dotted path ("classes.physical.allocs"); fails the test if absent. */
long long jget(struct json_object *root, const char *path);
/* IDs of the BPF programs a process holds, from its fdinfo. */
int prog_ids_of(pid_t pid, int *ids, int max);
bool prog_id_exists(int id);

/* memtrace's count equals the oracle's, or is below it by at most tol missed runs. */
#define assert_count(mt, bt, tol)                                                          \
	do {                                                                               \
		long long m_ = (mt), b_ = (bt);                                            \
		if (!(m_ <= b_ && b_ - m_ <= (tol)))                                       \
			fail_msg("%s = %lld, oracle %lld, tolerance %lld", #mt, m_, b_,    \
				 (long long)(tol));                                        \
	} while (0)

#endif /* MT_HARNESS_H */
