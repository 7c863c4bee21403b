// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The end of a live run: every map of the loaded object into the report. */
#include <stdio.h>
#include <string.h>
#include "collect/collect.h"
#include "collect/collect_classes.h"
#include "collect/live_report.h"
#include "collect/mapsrc_live.h"
#include "model/report_join.h"

/* Every map is read through the live map source, as `report` reads a recording. */
int mt_loader_collect(const struct mt_loader *l, struct mt_report *r)
{
	struct mt_mapsrc src;
	int err;

	mt_mapsrc_live_init(&src, l);
	memcpy(r->run.class_traced, l->class_traced, sizeof(l->class_traced));
	snprintf(r->run.attach, sizeof(r->run.attach), "%s", l->attach);
	r->run.missed_runs = mt_loader_missed_runs(l);
	snprintf(r->x.kmap_why, sizeof(r->x.kmap_why), "%s", l->kprobe_why);
	mt_classes_names_from_btf(&r->x);
	mt_reaper_lock(l->reaper);
	err = mt_collect(&src, r);
	mt_reaper_unlock(l->reaper);
	if (!err)
		err = mt_pair_finish(r);
	return err;
}
