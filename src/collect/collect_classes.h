/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Map reads of the class sections (kernel virtual, bus, user virtual, high memory, zones). */
#ifndef MT_COLLECT_CLASSES_H
#define MT_COLLECT_CLASSES_H

#include "model/mapsrc.h"
#include "model/model.h"

/* zstats, cstats, fault_procs, dma_devs, vranges into r->x, and which class events ran.
 * Plain C over a map source: the same for a live run and a recording. */
int mt_collect_classes(const struct mt_mapsrc *s, struct mt_report *r);
/* GFP bit and migratetype names from the running kernel's BTF (defaults where absent);
 * before mt_collect(), which finishes the class report. In btf_names.c (libbpf). */
void mt_classes_names_from_btf(struct mt_classes_report *x);

#endif /* MT_COLLECT_CLASSES_H */
