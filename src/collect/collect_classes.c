// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The class sections' maps into the model, through a map source (live or recorded). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "collect/map_read.h"
#include "collect/collect_classes.h"

static int add_fault(struct mt_report *r, const void *k, const void *v, int nr)
{
	__u32 tgid = *(const __u32 *)k;
	struct mt_fault_proc *pc;

	pc = mt_fault_with_slots(v, nr, tgid, r->x.fault_slots, r->x.nr_fault_slots);
	if (!pc)
		return -ENOMEM;
	mt_classes_add_fault(&r->x, tgid, pc, nr + 1);
	free(pc);
	return 0;
}

static int add_dma(struct mt_report *r, const void *k, const void *v, int nr)
{
	mt_classes_add_dma(&r->x, v, nr);
	return 0;
}

static int add_vrange(struct mt_report *r, const void *k, const void *v, int nr)
{
	mt_classes_add_vrange(&r->x, k, v, nr);
	return 0;
}

int mt_collect_classes(const struct mt_mapsrc *s, struct mt_report *r)
{
	struct mt_classes_report *x = &r->x;
	__u32 zero = 0;
	int nr, err;
	void *v;

	v = mt_collect_lookup(s, "zstats", &zero, sizeof(struct mt_zone_stats), &nr, &err);
	if (v) {
		mt_classes_add_zone(x, v, nr);
		free(v);
	} else if (err != -ENOENT) {
		return err;
	}
	v = mt_collect_lookup(s, "cstats", &zero, sizeof(struct mt_class_stats), &nr, &err);
	if (v) {
		mt_classes_add_class(x, v, nr);
		free(v);
	} else if (err != -ENOENT) {
		return err;
	}
	err = mt_collect_each(s, "fault_procs", sizeof(__u32), sizeof(struct mt_fault_proc),
			      add_fault, r);
	if (!err)
		err = mt_collect_each(s, "dma_devs", sizeof(__u64), sizeof(struct mt_dma_dev),
				      add_dma, r);
	if (!err)
		err = mt_collect_each(s, "vranges", sizeof(struct mt_vrange_key),
				      sizeof(struct mt_vrange_val), add_vrange, r);
	/* the traced machine's word size, from the report's own arch (a recording may be
	 * reported on another machine) */
	x->is_64bit = strstr(r->run.arch, "64") || !strcmp(r->run.arch, "s390x");
	x->vmalloc_traced = mt_mapsrc_event_traced(s, "vmalloc", "alloc_vmap_area");
	x->percpu_traced = mt_mapsrc_event_traced(s, "percpu", "percpu_alloc_percpu");
	x->fault_traced = mt_mapsrc_event_traced(s, "exceptions", "page_fault_user");
	x->dma_traced = mt_mapsrc_event_traced(s, "dma", "dma_map_phys") ||
			mt_mapsrc_event_traced(s, "dma", "dma_map_page");
	x->swiotlb_traced = mt_mapsrc_event_traced(s, "swiotlb", "swiotlb_bounced");
	return err;
}
