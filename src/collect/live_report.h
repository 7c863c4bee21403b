/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The end of a live run: the loaded object's maps into the report. */
#ifndef MT_LIVE_REPORT_H
#define MT_LIVE_REPORT_H

#include "collect/loader.h"
#include "model/model.h"

/* Read every map into the report (after detach, so the numbers are final), through the
 * live map source, as `report` reads a recording. */
int mt_loader_collect(const struct mt_loader *l, struct mt_report *r);

#endif /* MT_LIVE_REPORT_H */
