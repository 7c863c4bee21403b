/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The per-process report beyond allocations: page faults, frees matched to their owner
 * (done by others, done of others) per tgid, and the joins with the outstanding and stall
 * tables, so that text and JSON show one row per process with everything known of it.
 * Plain C: filled by src/collect/collect.c through the map source, or by unit tests.
 */
#ifndef MT_MODEL_PROC_H
#define MT_MODEL_PROC_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include "memtrace.h"

struct mt_procx_row {
	__u32 tgid;
	bool has_faults; /* the process faulted while traced */
	__u64 faults_user, faults_kernel;
	bool has_owner;		  /* it has an owner_frees row */
	struct mt_owner_frees of; /* summed over CPUs */
};

struct mt_procx_report {
	struct mt_procx_row *rows; /* sorted by tgid once finished */
	size_t nr, cap;
	bool sorted;
};

void mt_procx_free(struct mt_procx_report *x);
int mt_procx_add_faults(struct mt_procx_report *x, __u32 tgid, const struct mt_fault_proc *pc,
			int ncpu);
int mt_procx_add_owner(struct mt_procx_report *x, __u32 tgid, const struct mt_owner_frees *pc,
		       int ncpu);
/* Sort by tgid and merge the rows of one tgid. */
void mt_procx_finish(struct mt_procx_report *x);
const struct mt_procx_row *mt_procx_find(const struct mt_procx_report *x, __u32 tgid);
/* Its page faults, user and kernel mode; 0 for no row (it never faulted). */
__u64 mt_procx_faults(const struct mt_procx_row *x);

#endif /* MT_MODEL_PROC_H */
