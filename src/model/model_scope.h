/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a run was scoped to (system, pids, a command and the processes it forked, a cgroup),
 * the tree of followed processes and the optional per-thread table. Plain C, no libbpf.
 */
#ifndef MT_MODEL_SCOPE_H
#define MT_MODEL_SCOPE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include "memtrace.h"

enum mt_scope_kind {
	MT_SCOPE_SYSTEM,  /* everything */
	MT_SCOPE_PIDS,	  /* -p: those processes, all their threads */
	MT_SCOPE_COMMAND, /* -- CMD: the command and every process it forks */
	MT_SCOPE_CGROUP,  /* --cgroup: every task in a cgroup v2 directory or below */
};

struct mt_tree_row {
	__u32 tgid;
	__u32 ppid; /* parent within the traced tree, 0 for the root */
	__u32 execs;
	char comm[MT_COMM_LEN + 1]; /* after its last exec */
};

struct mt_thread_row {
	__u32 tid, tgid;
	char comm[MT_COMM_LEN + 1];
	__u64 allocs[MT_CLASS_MAX];
	__u64 bytes[MT_CLASS_MAX];
	__u64 frees[MT_CLASS_MAX];
	__u64 bytes_freed[MT_CLASS_MAX];
	__u64 total_bytes; /* sort key */
};

struct mt_scope_report {
	enum mt_scope_kind kind;
	char cgroup[256]; /* --cgroup PATH as given */
	__u64 cgroup_id;
	char command[256]; /* the command line, space-joined (-- CMD) */
	__u32 command_pid;
	bool command_exited;	  /* waited for: exit_code or signal is valid */
	int exit_code;		  /* its exit status, or -1 when killed */
	int signal;		  /* the signal that killed it, or 0 */
	bool per_thread;	  /* the thread table was asked for */
	__u64 n[MT_SCOPE_MAX];	  /* kernel-side counters, enum mt_scope_counter */
	struct mt_tree_row *tree; /* sorted by tgid */
	size_t nr_tree, cap_tree;
	struct mt_thread_row *threads; /* sorted by total_bytes, descending */
	size_t nr_threads, cap_threads;
};

struct mt_report;

void mt_scope_free(struct mt_scope_report *s);
int mt_scope_add_tree(struct mt_scope_report *s, __u32 tgid, const struct mt_tree_node *n);
int mt_scope_add_thread(struct mt_scope_report *s, __u32 tid, const struct mt_thread *percpu,
			int ncpu);
void mt_scope_add_stats(struct mt_scope_report *s, const struct mt_scope_stats *percpu, int ncpu);
/* Sort the tree and thread rows (mt_scope_tree_find() needs it). */
void mt_scope_sort(struct mt_scope_report *s);
const struct mt_tree_row *mt_scope_tree_find(const struct mt_scope_report *s, __u32 tgid);
/* Its parent within the traced tree, or 0: a root, or not in the tree. */
__u32 mt_scope_parent(const struct mt_scope_report *s, __u32 tgid);
const char *mt_scope_kind_key(enum mt_scope_kind k); /* "system", "pids", ... */

#endif /* MT_MODEL_SCOPE_H */
