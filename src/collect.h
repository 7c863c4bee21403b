/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The collector: kernel-side aggregates -> report model, through a map source only, so a
 * live run and a recorded file give the same report from the same code.
 */
#ifndef MT_COLLECT_H
#define MT_COLLECT_H

#include "mapsrc.h"
#include "model.h"

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
int mt_collect_each(const struct mt_mapsrc *s, const char *map, size_t key_size,
		    size_t elem_size,
		    int (*fn)(struct mt_report *r, const void *key, const void *vals, int nr_slots),
		    struct mt_report *r);

/* stats, procs, caches, the scoping, pairing and class maps into r, then mt_report_finish(),
 * mt_scope_finish() and mt_classes_finish() (fill r->x's BTF names before); the caller runs mt_pair_finish() once r->pair.ksyms is set. r->run,
 * r->scope's and r->pair's options are the caller's. */
int mt_collect(const struct mt_mapsrc *s, struct mt_report *r);

#endif /* MT_COLLECT_H */
