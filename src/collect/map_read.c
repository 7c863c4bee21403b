// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reading a map of a map source into arrays of one struct, whatever size it was recorded at. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "collect/map_read.h"

void *mt_collect_lookup(const struct mt_mapsrc *s, const char *map, const void *key,
			size_t elem_size, int *nr_slots, int *err)
{
	struct mt_map_desc d;
	char *raw, *out;
	size_t n;

	*err = mt_mapsrc_desc(s, map, &d);
	if (*err)
		return NULL;
	raw = malloc((size_t)d.nr_slots * d.stride + 1);
	out = calloc(d.nr_slots, elem_size);
	if (!raw || !out) {
		free(raw);
		free(out);
		*err = -ENOMEM;
		return NULL;
	}
	*err = mt_mapsrc_lookup(s, map, key, raw);
	if (*err) {
		free(raw);
		free(out);
		return NULL;
	}
	n = d.value_size < elem_size ? d.value_size : elem_size;
	for (__u32 c = 0; c < d.nr_slots; c++)
		memcpy(out + c * elem_size, raw + (size_t)c * d.stride, n);
	free(raw);
	*nr_slots = (int)d.nr_slots;
	return out;
}

int mt_collect_each(const struct mt_mapsrc *s, const char *map, size_t key_size, size_t elem_size,
		    int (*fn)(struct mt_report *r, const void *key, const void *vals, int nr_slots),
		    struct mt_report *r)
{
	struct mt_map_desc d;
	char *key, *next;
	void *prev = NULL;
	int err;

	err = mt_mapsrc_desc(s, map, &d);
	if (err)
		return err == -ENOENT ? 0 : err;
	if (!key_size)
		key_size = d.key_size; /* the caller takes the map's own key */
	if (d.key_size != key_size)
		return -EPROTO; /* a different map under the same name */
	key = malloc(key_size);
	next = malloc(key_size);
	if (!key || !next) {
		free(key);
		free(next);
		return -ENOMEM;
	}
	while (mt_mapsrc_next_key(s, map, prev, next) == 0) {
		int nr;
		void *vals;

		memcpy(key, next, key_size);
		prev = key;
		vals = mt_collect_lookup(s, map, key, elem_size, &nr, &err);
		if (!vals) {
			if (err == -ENOENT)
				continue; /* deleted meanwhile (live): nothing to add */
			break;
		}
		err = fn(r, key, vals, nr);
		free(vals);
		if (err)
			break;
	}
	free(key);
	free(next);
	return err == -ENOENT ? 0 : err;
}
