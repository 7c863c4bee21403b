// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_proc.h"

void mt_procx_free(struct mt_procx_report *x)
{
	free(x->rows);
	memset(x, 0, sizeof(*x));
}

static struct mt_procx_row *push(struct mt_procx_report *x, __u32 tgid)
{
	struct mt_procx_row *row;

	if (x->nr == x->cap) {
		size_t ncap = x->cap ? x->cap * 2 : 64;
		void *q = realloc(x->rows, ncap * sizeof(*x->rows));

		if (!q)
			return NULL;
		x->rows = q;
		x->cap = ncap;
	}
	row = &x->rows[x->nr++];
	memset(row, 0, sizeof(*row));
	row->tgid = tgid;
	x->sorted = false;
	return row;
}

int mt_procx_add_faults(struct mt_procx_report *x, __u32 tgid, const struct mt_fault_proc *pc,
			int ncpu)
{
	struct mt_procx_row *row = push(x, tgid);

	if (!row)
		return -ENOMEM;
	row->has_faults = true;
	for (int c = 0; c < ncpu; c++) {
		row->faults_user += pc[c].user_read + pc[c].user_write;
		row->faults_kernel += pc[c].kernel_read + pc[c].kernel_write;
	}
	return 0;
}

int mt_procx_add_owner(struct mt_procx_report *x, __u32 tgid, const struct mt_owner_frees *pc,
		       int ncpu)
{
	struct mt_procx_row *row = push(x, tgid);

	_Static_assert(sizeof(struct mt_owner_frees) % sizeof(__u64) == 0, "all __u64");
	if (!row)
		return -ENOMEM;
	row->has_owner = true;
	for (int c = 0; c < ncpu; c++) {
		const __u64 *src = (const __u64 *)&pc[c];
		__u64 *dst = (__u64 *)&row->of;

		for (size_t i = 0; i < sizeof(row->of) / sizeof(__u64); i++)
			dst[i] += src[i];
	}
	return 0;
}

static int cmp_tgid(const void *a, const void *b)
{
	const struct mt_procx_row *x = a, *y = b;

	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

void mt_procx_finish(struct mt_procx_report *x)
{
	size_t out = 0;

	if (x->nr)
		qsort(x->rows, x->nr, sizeof(*x->rows), cmp_tgid);
	for (size_t i = 0; i < x->nr; i++) {
		struct mt_procx_row *r = &x->rows[i], *o;

		if (!out || x->rows[out - 1].tgid != r->tgid) {
			x->rows[out++] = *r;
			continue;
		}
		o = &x->rows[out - 1];
		if (r->has_faults) {
			o->has_faults = true;
			o->faults_user += r->faults_user;
			o->faults_kernel += r->faults_kernel;
		}
		if (r->has_owner) {
			const __u64 *src = (const __u64 *)&r->of;
			__u64 *dst = (__u64 *)&o->of;

			o->has_owner = true;
			for (size_t k = 0; k < sizeof(o->of) / sizeof(__u64); k++)
				dst[k] += src[k];
		}
	}
	x->nr = out;
	x->sorted = true;
}

const struct mt_procx_row *mt_procx_find(const struct mt_procx_report *x, __u32 tgid)
{
	struct mt_procx_row key = { .tgid = tgid };

	if (!x->nr)
		return NULL;
	if (x->sorted)
		return bsearch(&key, x->rows, x->nr, sizeof(*x->rows), cmp_tgid);
	for (size_t i = 0; i < x->nr; i++)
		if (x->rows[i].tgid == tgid)
			return &x->rows[i];
	return NULL;
}

__u64 mt_procx_faults(const struct mt_procx_row *x)
{
	return x ? x->faults_user + x->faults_kernel : 0;
}
