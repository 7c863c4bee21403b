// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A recording into a report: what 'memtrace report' prints and 'memtrace diff' compares. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli/cmds.h"
#include "cli/report_load.h"
#include "collect/collect.h"
#include "collect/collect_classes.h"
#include "model/report_join.h"
#include "record/mapsrc_rec.h"
#include "record/record_header.h"
#include "record/record_timeline.h"
#include "sys/kallsyms.h"
#include "sys/util.h"

static int load(const char *path, struct mt_recfile *rf)
{
	int err = mt_rec_load(path, rf);

	switch (err) {
	case 0:
		return 0;
	case -EINVAL:
	case -EPROTONOSUPPORT:
		mt_err("'%s': %s", path, rf->why);
		break;
	case -ENODEV:
		mt_err("cannot read '%s': not a regular file", path);
		break;
	default:
		mt_err("cannot read '%s': %s", path, strerror(-err));
	}
	return MT_EXIT_ERROR;
}

/* the recording machine's symbols, as run would have named them */
static void set_ksyms(struct mt_recfile *rf, struct mt_report *r, struct mt_ksyms *ks)
{
	FILE *f = rf->kallsyms ? fmemopen(rf->kallsyms, rf->kallsyms_len, "r") : NULL;

	if (!f)
		r->pair.ksyms_why = "the recording has no kallsyms (--no-kallsyms)";
	else if (mt_ksyms_parse(ks, f))
		r->pair.ksyms_why = "the recorded kallsyms are unreadable";
	else if (ks->zero_addrs)
		r->pair.ksyms_why = "the recorded kallsyms hide addresses (kptr_restrict)";
	else
		r->pair.ksyms = ks;
	if (f)
		fclose(f);
}

int mt_report_load(const char *path, const char *doing, struct mt_recfile *rf, struct mt_report *r,
		   struct mt_ksyms *ks)
{
	int err = load(path, rf);

	if (err)
		return err;
	if (mt_rec_header_get(rf, r)) {
		mt_err("'%s': %s", path,
		       rf->truncated ? "truncated before its header: nothing to report" :
				       "a recording without a header");
		mt_rec_free(rf);
		return MT_EXIT_ERROR;
	}
	snprintf(r->run.recorded, sizeof(r->run.recorded), "%s", path);
	if (rf->truncated) {
		r->run.truncated = true;
		snprintf(r->run.truncated_why, sizeof(r->run.truncated_why), "%s", rf->why);
		mt_warn("'%s' is truncated (%s): %s what it holds", path, rf->why, doing);
	}
	if (r->pair.opts.sites || r->pair.opts.stacks)
		set_ksyms(rf, r, ks);
	{
		struct mt_mapsrc src;

		mt_mapsrc_rec_init(&src, rf);
		mt_classes_names_from_btf(&r->x);
		err = mt_collect(&src, r);
	}
	mt_lat_finish(&r->lat);
	if (!err)
		err = mt_pair_finish(r);
	if (err) {
		mt_err("'%s': recorded maps unreadable: %s", path, strerror(-err));
		mt_rec_free(rf);
		return MT_EXIT_ERROR;
	}
	/* a damaged timeline costs only itself: the report goes on without one */
	if (rf->timeline && mt_rec_timeline_parse(rf->timeline, rf->timeline_len, &r->tl))
		mt_warn("'%s': the recorded timeline is unreadable: none in this report", path);
	return 0;
}
