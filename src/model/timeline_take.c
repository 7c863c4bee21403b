// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A snapshot of the cumulative report into the timeline: the differences from the last
 * snapshot, per class, per process name and per cache. Processes are summed by name, not
 * by pid: thousands of short processes of one build are one line ("cc1"), and a process
 * that ended is still counted under its name (its row stays in the report).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/model.h"
#include "model/model_timeline.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct mt_tl_named *)a)->name, ((const struct mt_tl_named *)b)->name);
}

/* Rows summed by name into a sorted array; *out is malloc'ed (NULL when n is 0). */
static int sum_by_name(struct mt_tl_named **out, size_t *nr, struct mt_tl_named *rows, size_t n)
{
	size_t k = 0;

	qsort(rows, n, sizeof(*rows), by_name);
	for (size_t i = 0; i < n; i++) {
		if (k && !strcmp(rows[k - 1].name, rows[i].name)) {
			rows[k - 1].allocs += rows[i].allocs;
			rows[k - 1].bytes += rows[i].bytes;
		} else {
			rows[k++] = rows[i];
		}
	}
	*out = rows;
	*nr = k;
	return 0;
}

static int cum_procs(const struct mt_report *r, struct mt_tl_cum *c)
{
	struct mt_tl_named *rows = calloc(r->nr_procs + 1, sizeof(*rows));

	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < r->nr_procs; i++) {
		const struct mt_proc_row *p = &r->procs[i];

		snprintf(rows[i].name, sizeof(rows[i].name), "%s", p->comm);
		for (int k = 0; k < MT_CLASS_MAX; k++) {
			rows[i].allocs += p->allocs[k];
			rows[i].bytes += p->bytes[k];
		}
	}
	return sum_by_name(&c->procs, &c->nr_procs, rows, r->nr_procs);
}

static int cum_caches(const struct mt_report *r, struct mt_tl_cum *c)
{
	struct mt_tl_named *rows = calloc(r->nr_caches + 1, sizeof(*rows));

	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < r->nr_caches; i++) {
		snprintf(rows[i].name, sizeof(rows[i].name), "%s", r->caches[i].name);
		rows[i].allocs = r->caches[i].allocs;
		rows[i].bytes = r->caches[i].bytes_alloc;
	}
	return sum_by_name(&c->caches, &c->nr_caches, rows, r->nr_caches);
}

static __u64 delta(__u64 now, __u64 then)
{
	return now > then ? now - then : 0;
}

/*
 * Each name's growth since the last snapshot, the most bytes first, the top kept. A name
 * can shrink (the process that had it exec'd and took another): that counts as none.
 */
static unsigned int top_deltas(struct mt_timeline *tl, struct mt_tl_named *top,
			       const struct mt_tl_named *now, size_t n,
			       const struct mt_tl_named *then, size_t m)
{
	size_t j = 0, k = 0;
	unsigned int nr;

	for (size_t i = 0; i < n; i++) {
		struct mt_tl_named d = {};
		int c = 1;

		while (j < m && (c = strcmp(then[j].name, now[i].name)) < 0)
			j++;
		d.allocs = now[i].allocs;
		d.bytes = now[i].bytes;
		if (j < m && !c) {
			d.allocs = delta(now[i].allocs, then[j].allocs);
			d.bytes = delta(now[i].bytes, then[j].bytes);
		}
		if (!d.allocs && !d.bytes)
			continue;
		memcpy(d.name, now[i].name, sizeof(d.name));
		tl->scratch[k++] = d;
	}
	/* the top MT_TL_TOP by bytes: a partial selection, the list can be long */
	nr = 0;
	for (size_t i = 0; i < k; i++) {
		unsigned int pos = nr;

		while (pos > 0 && (top[pos - 1].bytes < tl->scratch[i].bytes ||
				   (top[pos - 1].bytes == tl->scratch[i].bytes &&
				    strcmp(top[pos - 1].name, tl->scratch[i].name) > 0)))
			pos--;
		if (pos >= MT_TL_TOP)
			continue;
		if (nr < MT_TL_TOP)
			nr++;
		memmove(&top[pos + 1], &top[pos], (nr - 1 - pos) * sizeof(*top));
		top[pos] = tl->scratch[i];
	}
	return nr;
}

static int scratch_fit(struct mt_timeline *tl, size_t n)
{
	struct mt_tl_named *s;

	if (n <= tl->cap_scratch)
		return 0;
	s = realloc(tl->scratch, n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	tl->scratch = s;
	tl->cap_scratch = n;
	return 0;
}

int mt_timeline_take(struct mt_timeline *tl, const struct mt_report *r, double t_s)
{
	struct mt_tl_point pt = { .t_s = t_s, .dt_s = t_s - tl->last_t_s, .samples = 1 };
	struct mt_tl_cum now = {};
	int err;

	for (int k = 0; k < MT_CLASS_MAX; k++)
		now.cls[k] = r->tot.cls[k];
	for (int k = 0; k < MT_LAT_KINDS; k++) {
		if (!mt_lat_is_stall(k))
			continue;
		now.stalls += r->lat.tot.k[k].count;
		now.stall_ns += r->lat.tot.k[k].total_ns;
	}
	now.lost = mt_report_lost_total(r);
	err = cum_procs(r, &now);
	if (!err)
		err = cum_caches(r, &now);
	if (!err)
		err = scratch_fit(tl, 1 + (now.nr_procs > now.nr_caches ? now.nr_procs :
									  now.nr_caches));
	if (err) {
		free(now.procs);
		free(now.caches);
		return err;
	}
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		const struct mt_counts *a = &now.cls[k], *b = &tl->last.cls[k];
		struct mt_tl_class *c = &pt.cls[k];

		c->allocs = delta(a->allocs, b->allocs);
		c->frees = delta(a->frees, b->frees);
		c->bytes_alloc = delta(a->bytes_alloc, b->bytes_alloc);
		c->bytes_freed = delta(a->bytes_freed, b->bytes_freed);
		c->net_bytes = (__s64)a->bytes_alloc - (__s64)a->bytes_freed;
		c->net_objs = (__s64)a->allocs - (__s64)a->frees;
	}
	pt.stalls = delta(now.stalls, tl->last.stalls);
	pt.stall_ns = delta(now.stall_ns, tl->last.stall_ns);
	pt.lost = delta(now.lost, tl->last.lost);
	pt.nr_procs = top_deltas(tl, pt.procs, now.procs, now.nr_procs, tl->last.procs,
				 tl->last.nr_procs);
	pt.nr_caches = top_deltas(tl, pt.caches, now.caches, now.nr_caches, tl->last.caches,
				  tl->last.nr_caches);
	err = mt_timeline_append(tl, &pt);
	if (err) {
		free(now.procs);
		free(now.caches);
		return err;
	}
	free(tl->last.procs);
	free(tl->last.caches);
	tl->last = now;
	tl->last_t_s = t_s;
	return 0;
}
