// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>
#include "model/model_scope.h"

static const char *const kind_keys[] = {
	[MT_SCOPE_SYSTEM] = "system",
	[MT_SCOPE_PIDS] = "pids",
	[MT_SCOPE_COMMAND] = "command",
	[MT_SCOPE_CGROUP] = "cgroup",
};

const char *mt_scope_kind_key(enum mt_scope_kind k)
{
	return k <= MT_SCOPE_CGROUP ? kind_keys[k] : "unknown";
}

void mt_scope_free(struct mt_scope_report *s)
{
	free(s->tree);
	free(s->threads);
	s->tree = NULL;
	s->threads = NULL;
	s->nr_tree = s->cap_tree = s->nr_threads = s->cap_threads = 0;
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *q;

	if (n < *cap)
		return p;
	ncap = *cap ? *cap * 2 : 64;
	q = realloc(p, ncap * size);
	if (!q)
		return NULL;
	*cap = ncap;
	return q;
}

int mt_scope_add_tree(struct mt_scope_report *s, __u32 tgid, const struct mt_tree_node *n)
{
	struct mt_tree_row *row;
	void *p = grow(s->tree, &s->cap_tree, s->nr_tree, sizeof(*s->tree));

	if (!p)
		return -1;
	s->tree = p;
	row = &s->tree[s->nr_tree++];
	memset(row, 0, sizeof(*row));
	row->tgid = tgid;
	row->ppid = n->ppid;
	row->execs = n->execs;
	memcpy(row->comm, n->comm, MT_COMM_LEN);
	return 0;
}

int mt_scope_add_thread(struct mt_scope_report *s, __u32 tid, const struct mt_thread *percpu,
			int ncpu)
{
	struct mt_thread_row *row;
	void *p = grow(s->threads, &s->cap_threads, s->nr_threads, sizeof(*s->threads));

	if (!p)
		return -1;
	s->threads = p;
	row = &s->threads[s->nr_threads++];
	memset(row, 0, sizeof(*row));
	row->tid = tid;
	for (int c = 0; c < ncpu; c++) {
		const struct mt_thread *v = &percpu[c];

		/* only the CPU that created the row filled in tgid and comm */
		if (!row->comm[0] && v->comm[0])
			memcpy(row->comm, v->comm, MT_COMM_LEN);
		if (!row->tgid)
			row->tgid = v->tgid;
		for (int k = 0; k < MT_CLASS_MAX; k++) {
			row->allocs[k] += v->allocs[k];
			row->bytes[k] += v->bytes[k];
			row->frees[k] += v->frees[k];
			row->bytes_freed[k] += v->bytes_freed[k];
		}
	}
	for (int k = 0; k < MT_CLASS_MAX; k++)
		row->total_bytes += row->bytes[k];
	return 0;
}

void mt_scope_add_stats(struct mt_scope_report *s, const struct mt_scope_stats *percpu, int ncpu)
{
	for (int c = 0; c < ncpu; c++)
		for (int i = 0; i < MT_SCOPE_MAX; i++)
			s->n[i] += percpu[c].n[i];
}

static int cmp_tree(const void *a, const void *b)
{
	const struct mt_tree_row *x = a, *y = b;

	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static int cmp_threads(const void *a, const void *b)
{
	const struct mt_thread_row *x = a, *y = b;

	if (x->total_bytes != y->total_bytes)
		return x->total_bytes < y->total_bytes ? 1 : -1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

const struct mt_tree_row *mt_scope_tree_find(const struct mt_scope_report *s, __u32 tgid)
{
	struct mt_tree_row key = { .tgid = tgid };

	if (!s->nr_tree)
		return NULL;
	return bsearch(&key, s->tree, s->nr_tree, sizeof(*s->tree), cmp_tree);
}

__u32 mt_scope_parent(const struct mt_scope_report *s, __u32 tgid)
{
	const struct mt_tree_row *t = mt_scope_tree_find(s, tgid);

	return t ? t->ppid : 0;
}

void mt_scope_sort(struct mt_scope_report *s)
{
	if (s->nr_tree)
		qsort(s->tree, s->nr_tree, sizeof(*s->tree), cmp_tree);
	if (s->nr_threads)
		qsort(s->threads, s->nr_threads, sizeof(*s->threads), cmp_threads);
}
