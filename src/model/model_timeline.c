// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The timeline's points: appending, merging pairs once there are too many. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_timeline.h"

void mt_timeline_init(struct mt_timeline *tl, double interval_s)
{
	memset(tl, 0, sizeof(*tl));
	tl->interval_s = interval_s;
	tl->per_point = 1;
}

void mt_timeline_free(struct mt_timeline *tl)
{
	free(tl->p);
	free(tl->last.procs);
	free(tl->last.caches);
	free(tl->scratch);
	memset(tl, 0, sizeof(*tl));
}

static int by_bytes(const void *a, const void *b)
{
	const struct mt_tl_named *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	if (x->allocs != y->allocs)
		return x->allocs < y->allocs ? 1 : -1;
	return strcmp(x->name, y->name); /* ties in a stable order */
}

/* The two lists' names summed, the most bytes first, at most MT_TL_TOP kept. */
static unsigned int merge_named(struct mt_tl_named *into, unsigned int n,
				const struct mt_tl_named *from, unsigned int m)
{
	struct mt_tl_named all[2 * MT_TL_TOP];
	unsigned int nr = n;

	memcpy(all, into, n * sizeof(*all));
	for (unsigned int i = 0; i < m; i++) {
		unsigned int j;

		for (j = 0; j < nr && strcmp(all[j].name, from[i].name) != 0; j++)
			;
		if (j == nr)
			all[nr++] = (struct mt_tl_named){ .allocs = 0 };
		memcpy(all[j].name, from[i].name, sizeof(all[j].name));
		all[j].allocs += from[i].allocs;
		all[j].bytes += from[i].bytes;
	}
	qsort(all, nr, sizeof(*all), by_bytes);
	if (nr > MT_TL_TOP)
		nr = MT_TL_TOP;
	memcpy(into, all, nr * sizeof(*all));
	return nr;
}

void mt_tl_point_merge(struct mt_tl_point *into, const struct mt_tl_point *from)
{
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		struct mt_tl_class *a = &into->cls[k];
		const struct mt_tl_class *b = &from->cls[k];

		a->allocs += b->allocs;
		a->frees += b->frees;
		a->bytes_alloc += b->bytes_alloc;
		a->bytes_freed += b->bytes_freed;
		a->net_bytes = b->net_bytes; /* a level: the later point's */
		a->net_objs = b->net_objs;
	}
	into->stalls += from->stalls;
	into->stall_ns += from->stall_ns;
	into->lost += from->lost;
	into->nr_procs = merge_named(into->procs, into->nr_procs, from->procs, from->nr_procs);
	into->nr_caches = merge_named(into->caches, into->nr_caches, from->caches, from->nr_caches);
	into->t_s = from->t_s;
	into->dt_s += from->dt_s;
	into->samples += from->samples;
}

/* Too many points: each pair becomes one, so the points stay evenly spaced. */
static void halve(struct mt_timeline *tl)
{
	size_t n = 0;

	if (!tl->p)
		return;
	for (size_t i = 0; i < tl->nr; i += 2) {
		tl->p[n] = tl->p[i];
		if (i + 1 < tl->nr)
			mt_tl_point_merge(&tl->p[n], &tl->p[i + 1]);
		n++;
	}
	tl->nr = n;
	tl->per_point *= 2;
	tl->interval_s *= 2;
}

int mt_timeline_append(struct mt_timeline *tl, const struct mt_tl_point *pt)
{
	size_t max = tl->max_points ? tl->max_points : MT_TL_MAX_POINTS;
	struct mt_tl_point *last = tl->nr ? &tl->p[tl->nr - 1] : NULL;

	if (!tl->per_point)
		tl->per_point = 1;
	if (last && last->samples < tl->per_point) {
		mt_tl_point_merge(last, pt);
		return 0;
	}
	if (tl->nr >= max && max >= 2)
		halve(tl);
	last = tl->nr ? &tl->p[tl->nr - 1] : NULL;
	if (last && last->samples < tl->per_point) {
		mt_tl_point_merge(last, pt);
		return 0;
	}
	if (tl->nr >= tl->cap || !tl->p) {
		size_t cap = tl->cap ? 2 * tl->cap : 64;
		struct mt_tl_point *p = realloc(tl->p, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		tl->p = p;
		tl->cap = cap;
	}
	tl->p[tl->nr] = *pt;
	if (!tl->p[tl->nr].samples)
		tl->p[tl->nr].samples = 1;
	tl->nr++;
	return 0;
}
