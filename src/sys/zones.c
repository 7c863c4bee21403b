// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "sys/zones.h"

int mt_zones_parse(FILE *f, struct mt_zone_table *t)
{
	struct mt_zone cur = { .node = -1 };
	char line[512];
	unsigned long long v;
	int node;
	char name[16];

	memset(t, 0, sizeof(*t));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone %15s", &node, name) == 2) {
			cur = (struct mt_zone){ .node = node };
			memcpy(cur.name, name, sizeof(cur.name));
			continue;
		}
		if (cur.node < 0)
			continue;
		if (sscanf(line, " spanned %llu", &v) == 1)
			cur.spanned = v;
		else if (sscanf(line, " present %llu", &v) == 1)
			cur.present = v;
		else if (sscanf(line, " start_pfn: %llu", &v) == 1) {
			/* start_pfn closes a zone's block in every kernel since 4.x */
			cur.start_pfn = v;
			/* a PFN past 2^52 (2^64 bytes of 4 KiB pages) is corrupt input, and would
			 * wrap start + spanned (found by fuzz_zoneinfo) */
			if (cur.spanned && cur.start_pfn < MT_PFN_LIMIT &&
			    cur.spanned < MT_PFN_LIMIT) {
				if (t->nr < MT_MAX_ZONE_RANGES)
					t->z[t->nr++] = cur;
				else
					t->skipped++;
			}
			cur.node = -1;
		}
	}
	return ferror(f) ? -EIO : 0;
}

int mt_zones_load(const char *path, struct mt_zone_table *t)
{
	FILE *f = fopen(path, "re");
	int err;

	if (!f)
		return -errno;
	err = mt_zones_parse(f, t);
	fclose(f);
	return err;
}

unsigned int mt_zones_lookup(const struct mt_zone_table *t, __u64 pfn)
{
	for (int i = 0; i < t->nr; i++)
		if (pfn >= t->z[i].start_pfn && pfn < t->z[i].start_pfn + t->z[i].spanned)
			return i;
	return MT_ZONE_UNKNOWN;
}

__u64 mt_zones_lowmem_end_pfn(const struct mt_zone_table *t)
{
	__u64 end = 0;

	for (int i = 0; i < t->nr; i++)
		if (!strcmp(t->z[i].name, "HighMem") && (!end || t->z[i].start_pfn < end))
			end = t->z[i].start_pfn;
	return end ? end : mt_zones_max_pfn(t);
}

__u64 mt_zones_max_pfn(const struct mt_zone_table *t)
{
	__u64 max = 0;

	for (int i = 0; i < t->nr; i++)
		if (t->z[i].start_pfn + t->z[i].spanned > max)
			max = t->z[i].start_pfn + t->z[i].spanned;
	return max;
}
