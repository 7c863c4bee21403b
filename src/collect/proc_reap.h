/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Moving ended processes out of the kernel's process table while a trace runs, so that a run
 * of hours with millions of short processes never fills it. A thread of its own, every
 * MT_REAP_INTERVAL_MS: each process bpf/task.bpf.c marked as ended more than a grace period
 * ago, and held by no CPU's front slot, leaves procs with its exact counts and gets a row in
 * procs_exited (one per process up to a bound, then one per name, then one for the rest).
 * Now and then, rows of processes that no longer exist but were never marked (their exit
 * not noted: task table full; or counts that came after the grace) leave the same way.
 */
#ifndef MT_PROC_REAP_H
#define MT_PROC_REAP_H

#include <linux/types.h>

struct memtrace_bpf;
struct mt_reaper;

#define MT_REAP_INTERVAL_MS 100
#define MT_REAP_GRACE_NS 100000000ULL /* the exit path still frees for a moment after the event */
#define MT_REAP_SWEEP_TICKS 20 /* how often rows of processes gone unnoticed are looked for */
#define MT_EXITED_SINGLE 256   /* rows of one exited process each: reports stay small */
#define MT_EXITED_NAMES 4095   /* then rows by name; then MT_EXITED_OTHER */
#define MT_EXITED_ROWS (MT_EXITED_SINGLE + MT_EXITED_NAMES + 1)

struct mt_reap_stats {
	__u64 reaped; /* processes moved out of the kernel table */
	__u64 folded; /* of them, into a row by name (or the last row) */
	__u64 failed; /* rows that could not be stored: their counts are missing */
	__u64 swept;  /* of reaped, found gone without a noted exit */
};

/* NULL on failure (errno set). */
struct mt_reaper *mt_reaper_start(struct memtrace_bpf *skel);
/* Stops the thread; what was not moved stays in the kernel tables, where reports read it. */
void mt_reaper_stop(struct mt_reaper *rp, struct mt_reap_stats *st);
/* Held while a report reads the tables, so that no process is read in both or neither. */
void mt_reaper_lock(struct mt_reaper *rp);
void mt_reaper_unlock(struct mt_reaper *rp);

#endif /* MT_PROC_REAP_H */
