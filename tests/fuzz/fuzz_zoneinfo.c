// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target: the /proc/zoneinfo parser never crashes and keeps its invariants. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "sys/zones.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mt_zone_table t;
	FILE *f = fmemopen((void *)data, size, "r");

	if (!f)
		return 0;
	if (mt_zones_parse(f, &t) == 0) {
		if (t.nr < 0 || t.nr > MT_MAX_ZONE_RANGES)
			abort();
		for (int i = 0; i < t.nr; i++) {
			if (!t.z[i].spanned)
				abort(); /* empty zones are left out */
			if (mt_zones_lookup(&t, t.z[i].start_pfn) > (unsigned int)i)
				abort(); /* a zone's first PFN maps to it or an earlier one */
		}
		(void)mt_zones_max_pfn(&t);
	}
	fclose(f);
	return 0;
}
