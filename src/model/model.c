// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/model.h"

static const char *const loss_keys[MT_LOSS_MAX] = {
	[MT_LOSS_RINGBUF] = "ringbuf",
	[MT_LOSS_PROC_FULL] = "process_table_full",
	[MT_LOSS_CACHE_FULL] = "cache_table_full",
};

static const char *const loss_names[MT_LOSS_MAX] = {
	[MT_LOSS_RINGBUF] = "ring buffer full",
	[MT_LOSS_PROC_FULL] = "process table full",
	[MT_LOSS_CACHE_FULL] = "cache table full",
};

const char *mt_loss_key(int loss)
{
	return loss >= 0 && loss < MT_LOSS_MAX ? loss_keys[loss] : "unknown";
}

const char *mt_loss_name(int loss)
{
	return loss >= 0 && loss < MT_LOSS_MAX ? loss_names[loss] : "?";
}

void mt_report_init(struct mt_report *r)
{
	memset(r, 0, sizeof(*r));
}

void mt_report_free(struct mt_report *r)
{
	free(r->procs);
	free(r->caches);
	mt_scope_free(&r->scope);
	mt_ci_free(&r->ci);
	mt_pair_free(&r->pair);
	mt_lat_free(&r->lat);
	mt_procx_free(&r->px);
	mt_timeline_free(&r->tl);
	mt_report_init(r);
}

/* Sum every __u64 of n structs laid out one per CPU: struct mt_stats is all __u64. */
static void add_u64s(__u64 *dst, const __u64 *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] += src[i];
}

void mt_report_add_stats(struct mt_report *r, const struct mt_stats *percpu, int ncpu)
{
	_Static_assert(sizeof(struct mt_stats) % sizeof(__u64) == 0, "mt_stats is all __u64");
	for (int c = 0; c < ncpu; c++)
		add_u64s((__u64 *)&r->tot, (const __u64 *)&percpu[c],
			 sizeof(struct mt_stats) / sizeof(__u64));
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
	memset((char *)q + *cap * size, 0, (ncap - *cap) * size);
	*cap = ncap;
	return q;
}

int mt_report_add_proc(struct mt_report *r, __u32 tgid, const struct mt_proc *percpu, int ncpu)
{
	struct mt_proc_row *row;
	void *p;

	p = grow(r->procs, &r->cap_procs, r->nr_procs, sizeof(*r->procs));
	if (!p)
		return -1;
	r->procs = p;
	row = &r->procs[r->nr_procs++];
	memset(row, 0, sizeof(*row));
	row->tgid = tgid;
	row->nr = tgid != MT_TGID_ENDED_OWNERS; /* that row holds frees, not a process */
	for (int c = 0; c < ncpu; c++) {
		const struct mt_proc *v = &percpu[c];

		/* only the CPU that created the row copied the comm */
		if (!row->comm[0] && v->comm[0])
			memcpy(row->comm, v->comm, MT_COMM_LEN);
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

int mt_report_add_cache(struct mt_report *r, __u64 key, const struct mt_cache *percpu, int ncpu)
{
	struct mt_cache_row *row;
	void *p;

	p = grow(r->caches, &r->cap_caches, r->nr_caches, sizeof(*r->caches));
	if (!p)
		return -1;
	r->caches = p;
	row = &r->caches[r->nr_caches++];
	memset(row, 0, sizeof(*row));
	row->key = key;
	row->is_kmalloc = MT_CACHE_KEY_IS_KMALLOC(key);
	for (int c = 0; c < ncpu; c++) {
		const struct mt_cache *v = &percpu[c];

		if (!row->name[0] && v->name[0])
			memcpy(row->name, v->name, MT_CACHE_NAME_LEN);
		if (!row->size && v->size) {
			row->size = v->size;
			row->object_size = v->object_size;
		}
		row->allocs += v->allocs;
		row->frees += v->frees;
		row->bytes_req += v->bytes_req;
		row->bytes_alloc += v->bytes_alloc;
		row->bytes_freed += v->bytes_freed;
	}
	if (row->is_kmalloc) {
		__u64 size = key & ~MT_CACHE_KEY_KMALLOC;

		snprintf(row->name, sizeof(row->name), "kmalloc-%llu", (unsigned long long)size);
		row->size = (__u32)size;
	}
	if (!row->name[0])
		snprintf(row->name, sizeof(row->name), "(unnamed)");
	return 0;
}

struct tgid_idx {
	__u32 tgid;
	size_t i;
};

static int cmp_tgid_idx(const void *a, const void *b)
{
	const struct tgid_idx *x = a, *y = b;

	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static __u64 since(__u64 ns, __u64 start_ns)
{
	return ns > start_ns ? ns - start_ns : 0;
}

void mt_proc_earlier_names(char out[MT_EARLIER_NAMES][MT_COMM_LEN], const char *first_sight,
			   const struct mt_task *t)
{
	const char *cand[1 + MT_EXEC_NAMES];
	int n = 0;

	memset(out, 0, (size_t)MT_EARLIER_NAMES * MT_COMM_LEN);
	cand[0] = first_sight;
	for (int k = 0; k < MT_EXEC_NAMES; k++)
		cand[1 + k] = t->prev[k];
	for (int k = 0; k < 1 + MT_EXEC_NAMES && n < MT_EARLIER_NAMES; k++) {
		/* "" is no name; a name repeated (first sight after an exec) is one */
		if (!cand[k][0] || (n && !strncmp(out[n - 1], cand[k], MT_COMM_LEN)))
			continue;
		memcpy(out[n++], cand[k], strnlen(cand[k], MT_COMM_LEN - 1));
	}
	/* the current name is no earlier one */
	if (n && !strncmp(out[n - 1], t->comm, MT_COMM_LEN))
		memset(out[--n], 0, MT_COMM_LEN);
}

int mt_report_apply_tasks(struct mt_report *r, const __u32 *tgids, const struct mt_task *tasks,
			  size_t n, __u64 start_ns)
{
	struct tgid_idx *x = calloc(r->nr_procs + 1, sizeof(*x));
	size_t nx = 0;

	if (!x)
		return -1;
	for (size_t i = 0; i < r->nr_procs; i++)
		if (!r->procs[i].exited)
			x[nx++] = (struct tgid_idx){ r->procs[i].tgid, i };
	qsort(x, nx, sizeof(*x), cmp_tgid_idx);
	for (size_t k = 0; k < n; k++) {
		struct tgid_idx key = { tgids[k], 0 }, *hit;
		const struct mt_task *t = &tasks[k];
		struct mt_proc_row *row;

		hit = nx ? bsearch(&key, x, nx, sizeof(*x), cmp_tgid_idx) : NULL;
		if (!hit)
			continue; /* no allocation of its own: no row to name */
		row = &r->procs[hit->i];
		if (t->execs) {
			char names[MT_EARLIER_NAMES][MT_COMM_LEN];

			mt_proc_earlier_names(names, row->comm, t);
			for (int k = 0; k < MT_EARLIER_NAMES; k++) {
				memcpy(row->earlier[k], names[k], MT_COMM_LEN);
				row->earlier[k][MT_COMM_LEN] = '\0';
			}
			memcpy(row->comm, t->comm, MT_COMM_LEN);
			row->comm[MT_COMM_LEN] = '\0';
			memcpy(row->exe, t->exe, MT_EXE_LEN);
			row->exe[MT_EXE_LEN] = '\0';
			row->execs = t->execs;
		}
		if (t->exit_ns) {
			row->exited = true;
			row->exit_ns = since(t->exit_ns, start_ns);
		}
	}
	free(x);
	return 0;
}

int mt_report_add_exited(struct mt_report *r, __u32 key, const struct mt_proc_exited *e,
			 __u64 start_ns)
{
	struct mt_proc_row *row;

	if (mt_report_add_proc(r, e->tgid, &e->p, 1))
		return -1;
	row = &r->procs[r->nr_procs - 1];
	row->nr = e->nr;
	row->folded_key = key >= MT_EXITED_FOLDED ? key : 0;
	row->exited = true;
	row->exit_ns = since(e->exit_ns, start_ns);
	row->execs = e->execs;
	/* its faults join the per-process fault tables as if it still had its row there */
	if (!row->folded_key && (e->faults.user_read || e->faults.user_write ||
				 e->faults.kernel_read || e->faults.kernel_write)) {
		struct mt_fault_proc f = e->faults;

		memcpy(f.comm, e->p.comm, MT_COMM_LEN);
		mt_classes_add_fault(&r->x, e->tgid, &f, 1);
		if (mt_procx_add_faults(&r->px, e->tgid, &f, 1))
			return -1;
	}
	for (int k = 0; k < MT_EARLIER_NAMES; k++)
		memcpy(row->earlier[k], e->earlier[k], MT_COMM_LEN);
	memcpy(row->exe, e->exe, MT_EXE_LEN);
	return 0;
}

void mt_report_fold_ended(struct mt_report *r)
{
	bool *gone = calloc(r->nr_procs + 1, sizeof(*gone));
	size_t out = 0;

	if (!gone)
		return; /* the rows stay apart: still exact */
	for (size_t i = 0; i < r->nr_procs; i++) {
		struct mt_proc_row *p = &r->procs[i], *f = NULL;

		for (size_t j = 0; p->exited && !p->folded_key && !f && j < r->nr_procs; j++)
			if (r->procs[j].folded_key && !strcmp(r->procs[j].comm, p->comm))
				f = &r->procs[j];
		if (!f)
			continue;
		f->nr += p->nr;
		f->execs += p->execs;
		if (p->exit_ns > f->exit_ns)
			f->exit_ns = p->exit_ns;
		for (int k = 0; k < MT_CLASS_MAX; k++) {
			f->allocs[k] += p->allocs[k];
			f->bytes[k] += p->bytes[k];
			f->frees[k] += p->frees[k];
			f->bytes_freed[k] += p->bytes_freed[k];
		}
		f->total_bytes += p->total_bytes;
		gone[i] = true;
	}
	for (size_t i = 0; i < r->nr_procs; i++)
		if (!gone[i])
			r->procs[out++] = r->procs[i];
	r->nr_procs = out;
	free(gone);
}

__u64 mt_report_nr_processes(const struct mt_report *r)
{
	__u64 n = 0;

	for (size_t i = 0; i < r->nr_procs; i++)
		n += r->procs[i].nr;
	return n;
}

int mt_report_fold_proc_slots(struct mt_report *r, const struct mt_proc_slot *percpu, int ncpu)
{
	for (int c = 0; c < ncpu; c++) {
		const struct mt_proc_slot *s = &percpu[c];
		struct mt_proc_row *row = NULL;

		if (s->state != MT_SLOT_VALID)
			continue;
		for (size_t i = 0; i < r->nr_procs && !row; i++)
			if (r->procs[i].tgid == s->tgid && !r->procs[i].exited)
				row = &r->procs[i];
		if (!row) {
			if (mt_report_add_proc(r, s->tgid, &s->p, 1))
				return -1;
			continue;
		}
		for (int k = 0; k < MT_CLASS_MAX; k++) {
			row->allocs[k] += s->p.allocs[k];
			row->bytes[k] += s->p.bytes[k];
			row->frees[k] += s->p.frees[k];
			row->bytes_freed[k] += s->p.bytes_freed[k];
			row->total_bytes += s->p.bytes[k];
		}
	}
	return 0;
}

int mt_report_fold_cache_front(struct mt_report *r, const struct mt_cache_front *percpu, int ncpu)
{
	for (int c = 0; c < ncpu; c++) {
		for (int i = 0; i < MT_CACHE_SLOTS; i++) {
			const struct mt_cache_slot *e = &percpu[c].slot[i];
			struct mt_cache_row *row = NULL;

			if (!e->key)
				continue;
			for (size_t j = 0; j < r->nr_caches && !row; j++)
				if (r->caches[j].key == e->key)
					row = &r->caches[j];
			if (!row) {
				struct mt_cache fresh = {};

				if (mt_report_add_cache(r, e->key, &fresh, 1))
					return -1;
				row = &r->caches[r->nr_caches - 1];
			}
			row->allocs += e->allocs;
			row->frees += e->frees;
			row->bytes_req += e->bytes_req;
			row->bytes_alloc += e->bytes_alloc;
			row->bytes_freed += e->bytes_freed;
		}
	}
	return 0;
}

static int cmp_procs(const void *a, const void *b)
{
	const struct mt_proc_row *x = a, *y = b;

	if (x->total_bytes != y->total_bytes)
		return x->total_bytes < y->total_bytes ? 1 : -1;
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->folded_key != y->folded_key)
		return x->folded_key < y->folded_key ? -1 : 1;
	return (int)x->exited - (int)y->exited;
}

static int cmp_caches(const void *a, const void *b)
{
	const struct mt_cache_row *x = a, *y = b;

	if (x->bytes_alloc != y->bytes_alloc)
		return x->bytes_alloc < y->bytes_alloc ? 1 : -1;
	if (x->allocs != y->allocs)
		return x->allocs < y->allocs ? 1 : -1;
	if (x->frees != y->frees)
		return x->frees < y->frees ? 1 : -1;
	return strcmp(x->name, y->name);
}

void mt_report_finish(struct mt_report *r)
{
	if (r->nr_procs)
		qsort(r->procs, r->nr_procs, sizeof(*r->procs), cmp_procs);
	if (r->nr_caches)
		qsort(r->caches, r->nr_caches, sizeof(*r->caches), cmp_caches);
}

__u64 mt_report_lost_total(const struct mt_report *r)
{
	__u64 n = r->run.missed_runs;

	for (int i = 0; i < MT_LOSS_MAX; i++)
		n += r->tot.lost[i];
	return n + mt_pair_lost_total(&r->pair);
}

long long mt_counts_net(const struct mt_counts *c)
{
	return (long long)c->bytes_alloc - (long long)c->bytes_freed;
}
