// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The end of a live run: every map of the loaded object into the report. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include "collect/collect.h"
#include "collect/collect_classes.h"
#include "collect/collect_pair.h"
#include "collect/live_report.h"
#include "collect/mapsrc_live.h"
#include "model/report_join.h"

/* memtrace's own cost so far: CPU time and peak RSS of this process, its maps' memory. */
static void self_cost(const struct mt_loader *l, struct mt_run_info *ri)
{
	struct rusage ru;

	ri->self_included = l->include_self;
	if (!getrusage(RUSAGE_SELF, &ru)) {
		ri->self_cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
				 (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		ri->self_max_rss = (__u64)ru.ru_maxrss * 1024; /* kilobytes on Linux */
	}
	ri->self_map_bytes = l->skel ? mt_maps_memory(l->skel) : 0;
}

/* Every map is read through the live map source, as `report` reads a recording. */
int mt_loader_collect(const struct mt_loader *l, struct mt_report *r)
{
	struct mt_mapsrc src;
	int err;

	mt_mapsrc_live_init(&src, l);
	memcpy(r->run.class_traced, l->class_traced, sizeof(l->class_traced));
	snprintf(r->run.attach, sizeof(r->run.attach), "%s", l->attach);
	r->run.missed_runs = mt_loader_missed_runs(l);
	r->run.start_ns = l->start_ns;
	r->run.start_wall_ns = l->start_wall_ns;
	self_cost(l, &r->run);
	snprintf(r->x.kmap_why, sizeof(r->x.kmap_why), "%s", l->kprobe_why);
	mt_classes_names_from_btf(&r->x);
	mt_reaper_lock(l->reaper);
	err = mt_collect(&src, r);
	mt_reaper_unlock(l->reaper);
	if (!err)
		err = mt_pair_finish(r);
	return err;
}
