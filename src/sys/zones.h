/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Memory zones of this machine, from /proc/zoneinfo, and PFN -> zone lookup. */
#ifndef MT_ZONES_H
#define MT_ZONES_H

#include <linux/types.h>
#include <stdio.h>
#include "memtrace.h"

/* No machine has a PFN this large; zoneinfo values past it are rejected as corrupt. */
#define MT_PFN_LIMIT (1ULL << 52)

struct mt_zone {
	int node;
	char name[16]; /* DMA, DMA32, Normal, Movable, HighMem, Device */
	__u64 start_pfn;
	__u64 spanned; /* pages spanned: the range is [start_pfn, start_pfn + spanned) */
	__u64 present;
};

struct mt_zone_table {
	int nr;
	struct mt_zone z[MT_MAX_ZONE_RANGES];
	int skipped; /* populated zones beyond MT_MAX_ZONE_RANGES (reported, not hidden) */
};

/* Parse zoneinfo text; zones that span no pages are left out. Returns 0 or -errno. */
int mt_zones_parse(FILE *f, struct mt_zone_table *t);
int mt_zones_load(const char *path, struct mt_zone_table *t);
/* Index of the zone holding pfn, or MT_ZONE_UNKNOWN; the same rule as the BPF side. */
unsigned int mt_zones_lookup(const struct mt_zone_table *t, __u64 pfn);
/* One past the highest PFN of any zone. */
__u64 mt_zones_max_pfn(const struct mt_zone_table *t);
/* One past the last PFN the direct map covers: where HighMem starts (32-bit), else the
 * highest PFN of any zone. */
__u64 mt_zones_lowmem_end_pfn(const struct mt_zone_table *t);

#endif /* MT_ZONES_H */
