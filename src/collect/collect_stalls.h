/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reading the stall maps (stall.bpf.c) of a map source into the report. */
#ifndef MT_COLLECT_STALLS_H
#define MT_COLLECT_STALLS_H

#include "model/mapsrc.h"

struct mt_report;

/* The stall maps of the main object into r, through a map source (live or recorded): on
 * when any stall event attached. */
int mt_collect_stalls_report(const struct mt_mapsrc *s, struct mt_report *r);

#endif /* MT_COLLECT_STALLS_H */
