/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Dump the loaded BPF object into a record file: every map and data section. */
#ifndef MT_RECORD_LIVE_H
#define MT_RECORD_LIVE_H

#include "collect/loader.h"
#include "record/record.h"

/* After detach, so the values are final. A MAP chunk per map, a SECTION chunk per data
 * section; returns 0 or the writer's error. *nr_maps counts the chunks written. */
int mt_record_maps(struct mt_rec_writer *w, const struct mt_loader *l, int *nr_maps);

#endif /* MT_RECORD_LIVE_H */
