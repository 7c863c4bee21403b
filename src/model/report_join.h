/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Finishing steps and lookups that join sections of the report (report_join.c). */
#ifndef MT_REPORT_JOIN_H
#define MT_REPORT_JOIN_H

#include <stdbool.h>
#include "model/model.h"

/* Whether the kind was traced: its class was, and for vmalloc/percpu, their tracepoints. */
bool mt_pair_kind_traced(const struct mt_report *r, int kind);
/* Group the outstanding objects by process (named from r->procs), call site and stack. */
int mt_pair_finish(struct mt_report *r);
/* Sort, and name each followed process by its comm after exec (after mt_report_finish). */
void mt_scope_finish(struct mt_report *r);
/* Frees are charged to the allocation's owner in this run (pairing was on). */
bool mt_procx_owner_charged(const struct mt_report *r);
/* The process's outstanding objects at the end (pairing on), or NULL: none left. */
const struct mt_out_proc *mt_procx_outstanding(const struct mt_report *r, __u32 tgid);
/* Its stall row, or NULL when it never stalled. */
const struct mt_lat_proc_row *mt_procx_stalls(const struct mt_report *r, __u32 tgid);

#endif /* MT_REPORT_JOIN_H */
