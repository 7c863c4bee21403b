/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Scoping (issue 6): which tasks are counted, the tree of processes memtrace follows from a
 * command it started, and the optional per-thread table. Included from memtrace.h.
 */
#ifndef MT_SCOPE_H
#define MT_SCOPE_H

/* pid_filter's size when following forks: every process the command forks takes a slot. */
#define MT_MAX_FOLLOWED 32768
/* Per-thread table size when --per-thread is given (1 otherwise: it costs nothing then). */
#define MT_MAX_THREADS 16384

/* One followed process, a hash keyed by tgid. */
struct mt_tree_node {
	__u32 ppid;		/* parent's tgid within the traced tree; 0 for the root */
	__u32 execs;		/* exec()s this process did while traced */
	char comm[MT_COMM_LEN]; /* comm after its last exec (the parent's before) */
};

/* Per-thread aggregates, a per-CPU hash keyed by tid; filled only with --per-thread. */
struct mt_thread {
	__u32 tgid;		/* the thread's process */
	__u32 pad;		/* explicit: keeps the __u64s aligned */
	char comm[MT_COMM_LEN]; /* the thread's own comm at first sight */
	__u64 allocs[MT_CLASS_MAX];
	__u64 bytes[MT_CLASS_MAX]; /* bytes_alloc */
	__u64 frees[MT_CLASS_MAX];
	__u64 bytes_freed[MT_CLASS_MAX];
};

/* Per-CPU counters of the scoping programs (scope.bpf.c), one array slot. */
enum mt_scope_counter {
	MT_SCOPE_FORKS,	      /* new processes forked inside the tree and added to the filter */
	MT_SCOPE_EXECS,	      /* exec()s inside the tree */
	MT_SCOPE_FILTER_FULL, /* forked processes NOT followed: pid_filter was full */
	MT_SCOPE_TREE_FULL,   /* followed, but no room to record their parent */
	MT_SCOPE_THREAD_FULL, /* events not in the per-thread table (full); still in totals */
	MT_SCOPE_SELF,	      /* events of memtrace's own process, left out (--include-self) */
	MT_SCOPE_TASK_FULL,   /* execs or exits not noted: the task table was full */
	MT_SCOPE_MAX,
};

struct mt_scope_stats {
	__u64 n[MT_SCOPE_MAX];
};

#endif /* MT_SCOPE_H */
