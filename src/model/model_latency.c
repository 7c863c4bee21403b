// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>
#include "model/model_latency.h"

static const char *const kind_names[MT_LAT_KINDS] = {
	[MT_LAT_DIRECT_RECLAIM] = "direct reclaim",
	[MT_LAT_MEMCG_RECLAIM] = "memcg reclaim",
	[MT_LAT_MEMCG_SOFTLIMIT] = "memcg soft limit",
	[MT_LAT_NODE_RECLAIM] = "node reclaim",
	[MT_LAT_COMPACTION] = "compaction",
	[MT_LAT_KCOMPACTD] = "kcompactd pass",
	[MT_LAT_THROTTLED] = "reclaim throttled",
	[MT_LAT_KMALLOC] = "kmalloc",
	[MT_LAT_KMEM_CACHE_ALLOC] = "kmem_cache_alloc",
	[MT_LAT_PAGE_ALLOC] = "page allocator",
	[MT_LAT_VMALLOC] = "vmalloc",
};

static const char *const kind_keys[MT_LAT_KINDS] = {
	[MT_LAT_DIRECT_RECLAIM] = "direct_reclaim",
	[MT_LAT_MEMCG_RECLAIM] = "memcg_reclaim",
	[MT_LAT_MEMCG_SOFTLIMIT] = "memcg_softlimit_reclaim",
	[MT_LAT_NODE_RECLAIM] = "node_reclaim",
	[MT_LAT_COMPACTION] = "compaction",
	[MT_LAT_KCOMPACTD] = "kcompactd",
	[MT_LAT_THROTTLED] = "throttled",
	[MT_LAT_KMALLOC] = "kmalloc",
	[MT_LAT_KMEM_CACHE_ALLOC] = "kmem_cache_alloc",
	[MT_LAT_PAGE_ALLOC] = "page_alloc",
	[MT_LAT_VMALLOC] = "vmalloc",
};

static const struct {
	const char *name;
	int kind;
} call_slots[MT_CALL_SLOTS] = {
	[MT_CALL_KMALLOC] = { "kmalloc", MT_LAT_KMALLOC },
	[MT_CALL_KMALLOC_CACHE] = { "kmalloc (constant size)", MT_LAT_KMALLOC },
	[MT_CALL_KMEM_CACHE_ALLOC] = { "kmem_cache_alloc", MT_LAT_KMEM_CACHE_ALLOC },
	[MT_CALL_PAGE_ALLOC] = { "page allocator", MT_LAT_PAGE_ALLOC },
	[MT_CALL_VMALLOC] = { "vmalloc", MT_LAT_VMALLOC },
};

bool mt_lat_is_stall(int kind)
{
	return kind >= 0 && kind < MT_LAT_STALL_KINDS;
}

bool mt_lat_kind_shown(const struct mt_latency *m, int kind)
{
	return mt_lat_is_stall(kind) ? m->stalls : m->calls_requested;
}

bool mt_lat_shown(const struct mt_latency *m)
{
	return m->stalls || m->calls_requested;
}

const char *mt_lat_call_unavailable(const struct mt_latency *m)
{
	if (m->call_hook != MT_HOOK_NONE)
		return NULL;
	return m->call_why[0] ? m->call_why : "not attached";
}

const char *mt_lat_kind_name(int kind)
{
	return kind >= 0 && kind < MT_LAT_KINDS ? kind_names[kind] : "?";
}

const char *mt_lat_kind_key(int kind)
{
	return kind >= 0 && kind < MT_LAT_KINDS ? kind_keys[kind] : "unknown";
}

const char *mt_call_hook_name(int hook)
{
	return hook == MT_HOOK_FENTRY ? "fentry/fexit" :
	       hook == MT_HOOK_KPROBE ? "kprobe/kretprobe" :
					"none";
}

int mt_call_slot_kind(int slot)
{
	return slot >= 0 && slot < MT_CALL_SLOTS ? call_slots[slot].kind : -1;
}

const char *mt_call_slot_name(int slot)
{
	return slot >= 0 && slot < MT_CALL_SLOTS ? call_slots[slot].name : "?";
}

void mt_lat_free(struct mt_latency *m)
{
	free(m->orders);
	free(m->procs);
	m->orders = NULL;
	m->procs = NULL;
	m->nr_orders = m->cap_orders = m->nr_procs = m->cap_procs = 0;
}

void mt_lat_add_stats(struct mt_latency *m, const struct mt_lat_stats *percpu, int ncpu)
{
	for (int c = 0; c < ncpu; c++) {
		for (int k = 0; k < MT_LAT_KINDS; k++) {
			const struct mt_lat_kind_stats *s = &percpu[c].k[k];
			struct mt_lat_kind_stats *d = &m->tot.k[k];

			d->count += s->count;
			d->total_ns += s->total_ns;
			if (s->max_ns > d->max_ns)
				d->max_ns = s->max_ns;
			d->unpaired_ends += s->unpaired_ends;
			d->table_full += s->table_full;
			d->too_deep += s->too_deep;
			d->detail_lost += s->detail_lost;
			d->reached_timeout += s->reached_timeout;
			for (int i = 0; i < MT_HIST_SLOTS; i++)
				d->hist[i] += s->hist[i];
		}
	}
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *q;

	if (n < *cap)
		return p;
	ncap = *cap ? *cap * 2 : 32;
	q = realloc(p, ncap * size);
	if (!q)
		return NULL;
	memset((char *)q + *cap * size, 0, (ncap - *cap) * size);
	*cap = ncap;
	return q;
}

int mt_lat_add_order(struct mt_latency *m, const struct mt_lat_okey *key,
		     const struct mt_lat_ostats *percpu, int ncpu)
{
	struct mt_lat_order_row *row;
	void *p = grow(m->orders, &m->cap_orders, m->nr_orders, sizeof(*m->orders));

	if (!p)
		return -1;
	m->orders = p;
	row = &m->orders[m->nr_orders++];
	memset(row, 0, sizeof(*row));
	row->kind = key->kind;
	row->order = key->order;
	row->zone = key->zone;
	for (int c = 0; c < ncpu; c++) {
		row->count += percpu[c].count;
		row->total_ns += percpu[c].total_ns;
		for (int i = 0; i < MT_HIST_SLOTS; i++)
			row->hist[i] += percpu[c].hist[i];
	}
	return 0;
}

int mt_lat_add_proc(struct mt_latency *m, __u32 tgid, const struct mt_lat_proc *percpu, int ncpu)
{
	struct mt_lat_proc_row *row = NULL;
	void *p;

	/* stalls and calls come from two objects' tables: one row per process */
	for (size_t i = 0; i < m->nr_procs && !row; i++)
		if (m->procs[i].tgid == tgid)
			row = &m->procs[i];
	if (!row) {
		p = grow(m->procs, &m->cap_procs, m->nr_procs, sizeof(*m->procs));
		if (!p)
			return -1;
		m->procs = p;
		row = &m->procs[m->nr_procs++];
		memset(row, 0, sizeof(*row));
		row->tgid = tgid;
	}
	for (int c = 0; c < ncpu; c++) {
		const struct mt_lat_proc *v = &percpu[c];

		if (!row->comm[0] && v->comm[0])
			memcpy(row->comm, v->comm, MT_COMM_LEN);
		for (int k = 0; k < MT_LAT_KINDS; k++) {
			row->count[k] += v->count[k];
			row->total_ns[k] += v->total_ns[k];
			if (v->max_ns[k] > row->max_ns[k])
				row->max_ns[k] = v->max_ns[k];
		}
		for (int i = 0; i < MT_HIST_SLOTS; i++)
			row->stall_hist[i] += v->stall_hist[i];
	}
	row->stall_count = row->stall_ns = row->call_ns = 0;
	for (int k = 0; k < MT_LAT_KINDS; k++) {
		if (mt_lat_is_outer_stall(k)) {
			row->stall_count += row->count[k];
			row->stall_ns += row->total_ns[k];
		} else if (!mt_lat_is_stall(k)) {
			row->call_ns += row->total_ns[k];
		}
	}
	return 0;
}

void mt_lat_add_open(struct mt_latency *m, const struct mt_lat_key *key,
		     const struct mt_lat_open *o)
{
	/* begins past MT_LAT_DEPTH were counted as too_deep already: not twice */
	if (key->kind < MT_LAT_KINDS)
		m->open_at_end[key->kind] += o->depth < MT_LAT_DEPTH ? o->depth : MT_LAT_DEPTH;
}

static int cmp_procs(const void *a, const void *b)
{
	const struct mt_lat_proc_row *x = a, *y = b;

	if (x->stall_ns != y->stall_ns)
		return x->stall_ns < y->stall_ns ? 1 : -1;
	if (x->call_ns != y->call_ns)
		return x->call_ns < y->call_ns ? 1 : -1;
	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static int cmp_orders(const void *a, const void *b)
{
	const struct mt_lat_order_row *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->zone < y->zone ? -1 : x->zone > y->zone;
}

void mt_lat_finish(struct mt_latency *m)
{
	if (m->nr_procs)
		qsort(m->procs, m->nr_procs, sizeof(*m->procs), cmp_procs);
	if (m->nr_orders)
		qsort(m->orders, m->nr_orders, sizeof(*m->orders), cmp_orders);
}

__u64 mt_lat_unmeasured(const struct mt_latency *m, int kind)
{
	const struct mt_lat_kind_stats *s = &m->tot.k[kind];

	/* a begin dropped for a full table shows up as an unpaired end: not counted twice */
	return s->unpaired_ends + s->too_deep + m->open_at_end[kind];
}
