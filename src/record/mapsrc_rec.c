// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The recorded map source: lookups in the tables of a record file, no BPF. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "record/mapsrc_rec.h"

static const struct mt_rec_map *find(void *ctx, const char *map)
{
	return mt_rec_find_map(ctx, map);
}

static int rec_desc(void *ctx, const char *map, struct mt_map_desc *d)
{
	const struct mt_rec_map *m = find(ctx, map);

	if (!m)
		return -ENOENT;
	d->type = m->h.type;
	d->key_size = m->h.key_size;
	d->value_size = m->h.value_size;
	d->max_entries = m->h.max_entries;
	d->nr_slots = m->h.nr_slots;
	d->stride = m->h.stride;
	return 0;
}

/* Index in kernel order of key, or -1. */
static long index_of(const struct mt_rec_map *m, const void *key)
{
	size_t lo = 0, hi = m->h.nr_entries;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		__u32 i = m->sorted[mid];
		int c = memcmp(key, m->keys + (size_t)i * m->h.key_size, m->h.key_size);

		if (!c) {
			/* the first of equal keys, as the sort put them */
			while (mid > 0 &&
			       !memcmp(key, m->keys + (size_t)m->sorted[mid - 1] * m->h.key_size,
				       m->h.key_size))
				mid--;
			return m->sorted[mid];
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static int rec_lookup(void *ctx, const char *map, const void *key, void *vals)
{
	const struct mt_rec_map *m = find(ctx, map);
	size_t vsz;
	long i;

	if (!m)
		return -ENOENT;
	i = index_of(m, key);
	if (i < 0)
		return -ENOENT;
	vsz = (size_t)m->h.nr_slots * m->h.stride;
	memcpy(vals, m->vals + (size_t)i * vsz, vsz);
	return 0;
}

static int rec_next_key(void *ctx, const char *map, const void *prev, void *next)
{
	const struct mt_rec_map *m = find(ctx, map);
	long i = -1;

	if (!m)
		return -ENOENT;
	if (prev)
		i = index_of(m, prev); /* a key not in the map restarts, as in the kernel */
	if ((size_t)(i + 1) >= m->h.nr_entries)
		return -ENOENT;
	memcpy(next, m->keys + (size_t)(i + 1) * m->h.key_size, m->h.key_size);
	return 0;
}

static ssize_t rec_global(void *ctx, const char *section, void *buf, size_t len)
{
	const struct mt_rec_section *s = mt_rec_find_section(ctx, section);

	if (!s)
		return -ENOENT;
	memcpy(buf, s->data, len < s->size ? len : s->size);
	return (ssize_t)s->size;
}

static bool rec_event_traced(void *ctx, const char *group, const char *name)
{
	char key[160];
	const char *v;

	snprintf(key, sizeof(key), "event.%s:%s", group, name);
	v = mt_rec_get(ctx, key);
	return v && !strcmp(v, "1");
}

static const struct mt_mapsrc_ops rec_ops = {
	.desc = rec_desc,
	.lookup = rec_lookup,
	.next_key = rec_next_key,
	.global = rec_global,
	.event_traced = rec_event_traced,
};

void mt_mapsrc_rec_init(struct mt_mapsrc *s, const struct mt_recfile *rf)
{
	s->ops = &rec_ops;
	s->ctx = (void *)rf;
}
