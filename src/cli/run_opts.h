/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* memtrace run and record: their options, and the pieces of a run (cmd_run.c drives them). */
#ifndef MT_RUN_OPTS_H
#define MT_RUN_OPTS_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include "model/model.h"
#include "render/render.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct run_opts {
	double duration; /* 0: until Ctrl-C */
	double interval; /* --interval: seconds between timeline points; 0: the default, 1 */
	__u32 pids[16];
	int nr_pids;
	const char *json; /* NULL, a path, or "-" for stdout */
	int top;
	bool force_tracepoint;
	const char *cgroup; /* --cgroup PATH */
	__u64 cgroup_id;
	__u32 cgroup_level;
	bool per_thread;
	struct mt_expr fail_if[32];
	int nr_fail_if;
	const char *baseline; /* --baseline FILE: what 'base' in a --fail-if reads */
	char **cmd;	      /* -- CMD ARGS, NULL-terminated (argv's own) */
	struct mt_pair_opts pair;
	double min_age;		 /* seconds; 0: show every outstanding object */
	const char *folded;	 /* folded stacks by bytes allocated */
	const char *folded_out;	 /* folded stacks by bytes outstanding */
	__u32 class_mask;	 /* 0: every class */
	const char *openmetrics; /* NULL or a path, written at the end */
	const char *html;	 /* --html: NULL, a path, or "-" for stdout */
	const char *pprof;	 /* --pprof: NULL, a path, or "-" for stdout */
	const char *output;	 /* record: -o FILE */
	bool force;		 /* record: -f, replace an existing FILE */
	bool no_kallsyms;	 /* record: leave /proc/kallsyms out */
	bool latency;		 /* --latency: allocator call latency too */
	bool no_stalls;		 /* --no-stalls */
	int force_call_hook;	 /* hidden: enum mt_call_hook, NONE = best available */
	bool include_self;	 /* --include-self */
	__u32 max_procs;	 /* --max-procs; 0: the default */
	bool raw_addresses;	 /* run: --raw-addresses, kernel addresses in the report */
};

/* "run" or "record": record is run's trace with the kernel side written to a file. */
extern const char *run_cmd_name;

/* run_options.c: argv into o; -1 to go on, else the exit status (usage printed). */
int run_parse(int argc, char **argv, struct run_opts *o);

/* run_output.c: the files a run writes. */
int check_json_target(const char *path);
int write_folded(const char *path, const struct mt_report *r, const struct mt_render_opts *ro,
		 bool outstanding);
void load_ksyms(struct mt_ksyms *ks, struct mt_pair_report *p);
/* --baseline: read once (0, or MT_EXIT_ERROR after one line), kept until exit; NULL if none. */
int run_baseline_load(const char *path);
struct mt_dset *run_baseline(void);
/* The exit status: see usage_run(). */
int run_verdict(const struct mt_report *r);

/* run_wait.c: how a run ends (signals, -p processes exiting, the command, the duration). */
extern volatile sig_atomic_t stop_signal, nr_signals;
extern volatile pid_t cmd_pid;
void on_signal(int sig, siginfo_t *si, void *uc);
struct pid_watch {
	int n, left;
	__u32 pid[MT_MAX_CLI_PIDS];
	int fd[MT_MAX_CLI_PIDS]; /* pidfd, or -1: look at /proc */
	bool exited[MT_MAX_CLI_PIDS];
};
void watch_open(struct pid_watch *w, const __u32 *pids, int n);
void watch_close(struct pid_watch *w);
void sleep_until_done(double start, double duration, struct pid_watch *w);
void cmd_line(char *buf, size_t len, char *const *argv);
void wait_command(struct mt_scope_report *s);
void start_message(const struct run_opts *o, const struct mt_scope_report *s);

#endif /* MT_RUN_OPTS_H */
