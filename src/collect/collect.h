/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The collector: kernel-side aggregates -> report model, through a map source only, so a
 * live run and a recorded file give the same report from the same code.
 */
#ifndef MT_COLLECT_H
#define MT_COLLECT_H

#include "model/mapsrc.h"
#include "model/model.h"

/* stats, procs, caches, the scoping, pairing and class maps into r, then mt_report_finish(),
 * mt_scope_finish() and mt_classes_finish() (fill r->x's BTF names before); the caller runs mt_pair_finish() once r->pair.ksyms is set. r->run,
 * r->scope's and r->pair's options are the caller's. */
int mt_collect(const struct mt_mapsrc *s, struct mt_report *r);
/* Names after exec and exits on the rows collected so far, then the exited processes' rows
 * (collect_tasks.c; called by mt_collect after the process fronts). */
int mt_collect_tasks(const struct mt_mapsrc *s, struct mt_report *r);

#endif /* MT_COLLECT_H */
