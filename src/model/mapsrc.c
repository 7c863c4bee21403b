// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The map-source front end: argument checks shared by the live and recorded sources. */
#include <errno.h>
#include <linux/bpf.h>
#include "model/mapsrc.h"

bool mt_map_type_percpu(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

int mt_mapsrc_desc(const struct mt_mapsrc *s, const char *map, struct mt_map_desc *d)
{
	return s->ops->desc(s->ctx, map, d);
}

size_t mt_mapsrc_vals_size(const struct mt_mapsrc *s, const char *map)
{
	struct mt_map_desc d;

	if (mt_mapsrc_desc(s, map, &d))
		return 0;
	return (size_t)d.nr_slots * d.stride;
}

int mt_mapsrc_lookup(const struct mt_mapsrc *s, const char *map, const void *key, void *vals)
{
	return s->ops->lookup(s->ctx, map, key, vals);
}

int mt_mapsrc_next_key(const struct mt_mapsrc *s, const char *map, const void *prev, void *next)
{
	return s->ops->next_key(s->ctx, map, prev, next);
}

ssize_t mt_mapsrc_global(const struct mt_mapsrc *s, const char *section, void *buf, size_t len)
{
	return s->ops->global(s->ctx, section, buf, len);
}

bool mt_mapsrc_event_traced(const struct mt_mapsrc *s, const char *group, const char *name)
{
	return s->ops->event_traced ? s->ops->event_traced(s->ctx, group, name) : false;
}
