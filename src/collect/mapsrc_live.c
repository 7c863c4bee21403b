// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The live map source: libbpf lookups on the loaded skeleton. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/loader.h"
#include "collect/mapsrc_live.h"
#include "memtrace.skel.h"

static struct bpf_map *find(void *ctx, const char *name)
{
	const struct mt_loader *l = ctx;

	return l->skel ? bpf_object__find_map_by_name(l->skel->obj, name) : NULL;
}

void mt_map_desc_of(const struct bpf_map *m, struct mt_map_desc *d)
{
	d->type = bpf_map__type(m);
	d->key_size = bpf_map__key_size(m);
	d->value_size = bpf_map__value_size(m);
	d->max_entries = bpf_map__max_entries(m);
	if (mt_map_type_percpu(d->type)) {
		int n = libbpf_num_possible_cpus();

		d->nr_slots = n > 0 ? n : 1;
		d->stride = (d->value_size + 7) & ~7U;
	} else {
		d->nr_slots = 1;
		d->stride = d->value_size;
	}
}

/* ".rodata" for libbpf's "memtrac.rodata": the section an internal map holds. */
const char *mt_map_section(const struct bpf_map *m)
{
	const char *dot;

	if (!bpf_map__is_internal(m))
		return NULL;
	dot = strchr(bpf_map__name(m), '.');
	return dot ? dot : bpf_map__name(m);
}

static int live_desc(void *ctx, const char *name, struct mt_map_desc *d)
{
	struct bpf_map *m = find(ctx, name);

	if (!m || bpf_map__is_internal(m))
		return -ENOENT;
	mt_map_desc_of(m, d);
	return 0;
}

static int live_lookup(void *ctx, const char *name, const void *key, void *vals)
{
	struct bpf_map *m = find(ctx, name);

	if (!m)
		return -ENOENT;
	return bpf_map_lookup_elem(bpf_map__fd(m), key, vals) ? -errno : 0;
}

static int live_next_key(void *ctx, const char *name, const void *prev, void *next)
{
	struct bpf_map *m = find(ctx, name);

	if (!m)
		return -ENOENT;
	return bpf_map_get_next_key(bpf_map__fd(m), prev, next) ? -errno : 0;
}

static ssize_t live_global(void *ctx, const char *section, void *buf, size_t len)
{
	const struct mt_loader *l = ctx;
	struct bpf_map *m;
	__u32 zero = 0;

	if (!l->skel)
		return -ENOENT;
	bpf_object__for_each_map(m, l->skel->obj)
	{
		const char *sec = mt_map_section(m);
		size_t size = bpf_map__value_size(m);
		char *tmp;
		int err;

		if (!sec || strcmp(sec, section) != 0)
			continue;
		tmp = malloc(size ? size : 1);
		if (!tmp)
			return -ENOMEM;
		err = bpf_map_lookup_elem(bpf_map__fd(m), &zero, tmp) ? -errno : 0;
		if (!err)
			memcpy(buf, tmp, len < size ? len : size);
		free(tmp);
		return err ? err : (ssize_t)size;
	}
	return -ENOENT;
}

static bool live_event_traced(void *ctx, const char *group, const char *name)
{
	return mt_loader_event_traced(ctx, group, name);
}

static const struct mt_mapsrc_ops live_ops = {
	.desc = live_desc,
	.lookup = live_lookup,
	.next_key = live_next_key,
	.global = live_global,
	.event_traced = live_event_traced,
};

void mt_mapsrc_live_init(struct mt_mapsrc *s, const struct mt_loader *l)
{
	s->ops = &live_ops;
	s->ctx = (void *)l;
}
