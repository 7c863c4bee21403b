/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reading a map of a map source: one key's values, or every key's, into the report. */
#ifndef MT_MAP_READ_H
#define MT_MAP_READ_H

#include "model/mapsrc.h"
#include "model/model.h"

/*
 * Read map values of type T (sizeof elem_size) for every slot into a fresh array of
 * nr_slots elements, copying min(value_size, elem_size) bytes of each: a recording made by
 * a memtrace whose struct was shorter or longer still reads, new fields as zero.
 * Returns the array (free() it) and *nr_slots, or NULL with *err set (-ENOENT: no map).
 */
void *mt_collect_lookup(const struct mt_mapsrc *s, const char *map, const void *key,
			size_t elem_size, int *nr_slots, int *err);

/*
 * Call fn for every key of a map with its values as mt_collect_lookup() returns them.
 * A map absent from the source is empty. Stops at fn's first non-zero return.
 */
int mt_collect_each(const struct mt_mapsrc *s, const char *map, size_t key_size, size_t elem_size,
		    int (*fn)(struct mt_report *r, const void *key, const void *vals, int nr_slots),
		    struct mt_report *r);

#endif /* MT_MAP_READ_H */
