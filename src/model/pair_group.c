// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Pairing's rows grouped for the report: outstanding objects filtered by age and counted per
 * process, call site and stack, the stacks given their frames and scaled by --stack-sample,
 * each table sorted the way the renderers show it. model_pair.c fills the rows from the maps.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_pair.h"
#include "mt_hist.h"
#include "sys/util.h"

static int cmp_u64(__u64 a, __u64 b)
{
	return a < b ? -1 : a > b;
}

static int cmp_obj_tgid(const void *a, const void *b)
{
	const struct mt_obj_rec *x = a, *y = b;

	return cmp_u64(x->obj.tgid, y->obj.tgid);
}

static int cmp_obj_site(const void *a, const void *b)
{
	const struct mt_obj_rec *x = a, *y = b;

	if (x->key.cls != y->key.cls)
		return cmp_u64(x->key.cls, y->key.cls);
	return cmp_u64(x->obj.call_site, y->obj.call_site);
}

static int cmp_obj_stack(const void *a, const void *b)
{
	const struct mt_obj_rec *x = a, *y = b;

	if (x->key.cls != y->key.cls)
		return cmp_u64(x->key.cls, y->key.cls);
	return x->obj.stack_id < y->obj.stack_id ? -1 : x->obj.stack_id > y->obj.stack_id;
}

static int cmp_site_key(const void *a, const void *b)
{
	const struct mt_site_row *x = a, *y = b;

	if (x->cls != y->cls)
		return x->cls - y->cls;
	return cmp_u64(x->call_site, y->call_site);
}

static int cmp_stack_key(const void *a, const void *b)
{
	const struct mt_stack_row *x = a, *y = b;

	if (x->cls != y->cls)
		return x->cls - y->cls;
	return x->stack_id < y->stack_id ? -1 : x->stack_id > y->stack_id;
}

static int cmp_frames_id(const void *a, const void *b)
{
	const struct mt_stack_frames *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* descending by the first key, then ascending by the tie-breaker, for stable output */
static int cmp_proc_bytes(const void *a, const void *b)
{
	const struct mt_out_proc *x = a, *y = b;

	if (x->total_bytes != y->total_bytes)
		return x->total_bytes < y->total_bytes ? 1 : -1;
	return cmp_u64(x->tgid, y->tgid);
}

static int cmp_site_bytes(const void *a, const void *b)
{
	const struct mt_site_row *x = a, *y = b;

	if (x->bytes_alloc != y->bytes_alloc)
		return x->bytes_alloc < y->bytes_alloc ? 1 : -1;
	if (x->out_bytes != y->out_bytes)
		return x->out_bytes < y->out_bytes ? 1 : -1;
	return cmp_site_key(a, b);
}

static int cmp_site_out(const void *a, const void *b)
{
	const struct mt_site_row *x = ((const struct mt_site_ref *)a)->row;
	const struct mt_site_row *y = ((const struct mt_site_ref *)b)->row;

	if (x->out_bytes != y->out_bytes)
		return x->out_bytes < y->out_bytes ? 1 : -1;
	return cmp_site_key(x, y);
}

static int cmp_stack_bytes(const void *a, const void *b)
{
	const struct mt_stack_row *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	if (x->out_bytes != y->out_bytes)
		return x->out_bytes < y->out_bytes ? 1 : -1;
	return cmp_stack_key(a, b);
}

static int cmp_stack_out(const void *a, const void *b)
{
	const struct mt_stack_row *x = ((const struct mt_stack_ref *)a)->row;
	const struct mt_stack_row *y = ((const struct mt_stack_ref *)b)->row;

	if (x->out_bytes != y->out_bytes)
		return x->out_bytes < y->out_bytes ? 1 : -1;
	return cmp_stack_key(x, y);
}

/* Drop objects younger than min_age and count the rest per class. */
static void filter_age(struct mt_pair_report *p)
{
	size_t keep = 0;

	for (size_t i = 0; i < p->nr_objs; i++) {
		const struct mt_obj_rec *o = &p->objs[i];
		__u64 age = p->end_ns > o->obj.ts_ns ? p->end_ns - o->obj.ts_ns : 0;
		struct mt_out_class *c = &p->out[o->key.cls];

		if (age < p->min_age_ns) {
			p->young_count++;
			p->young_bytes += o->obj.size;
			continue;
		}
		c->count++;
		c->bytes += o->obj.size;
		c->age_hist[mt_hist_slot(age / 1000)]++;
		p->objs[keep++] = *o;
	}
	p->nr_objs = keep;
}

static int group_procs(struct mt_pair_report *p, mt_comm_fn comm_of, const void *ctx)
{
	struct mt_out_proc *row = NULL;

	if (p->nr_objs) /* qsort(NULL, 0) is undefined (UBSan) */
		qsort(p->objs, p->nr_objs, sizeof(*p->objs), cmp_obj_tgid);
	for (size_t i = 0; i < p->nr_objs; i++) {
		const struct mt_obj_rec *o = &p->objs[i];

		if (!row || row->tgid != o->obj.tgid) {
			row = mt_push(&p->procs, &p->nr_procs, &p->cap_procs, sizeof(*row));
			if (!row)
				return -ENOMEM;
			row->tgid = o->obj.tgid;
			snprintf(row->comm, sizeof(row->comm), "%s", comm_of(ctx, row->tgid));
		}
		row->count[o->key.cls]++;
		row->bytes[o->key.cls] += o->obj.size;
		row->total_bytes += o->obj.size;
	}
	if (p->nr_procs)
		qsort(p->procs, p->nr_procs, sizeof(*p->procs), cmp_proc_bytes);
	return 0;
}

static int group_sites(struct mt_pair_report *p)
{
	size_t known = p->nr_sites;
	struct mt_site_row *row = NULL, key = { 0 };

	if (known)
		qsort(p->sites, known, sizeof(*p->sites), cmp_site_key);
	if (p->nr_objs) /* qsort(NULL, 0) is undefined (UBSan) */
		qsort(p->objs, p->nr_objs, sizeof(*p->objs), cmp_obj_site);
	for (size_t i = 0; i < p->nr_objs; i++) {
		const struct mt_obj_rec *o = &p->objs[i];

		if (!row || row->cls != (int)o->key.cls || row->call_site != o->obj.call_site) {
			key.cls = o->key.cls;
			key.call_site = o->obj.call_site;
			row = known ? bsearch(&key, p->sites, known, sizeof(*p->sites),
					      cmp_site_key) :
				      NULL;
			if (!row) {
				/* a site with no allocation totals: pages, or call sites off */
				row = mt_push(&p->sites, &p->nr_sites, &p->cap_sites, sizeof(*row));
				if (!row)
					return -ENOMEM;
				row->cls = key.cls;
				row->call_site = key.call_site;
			}
		}
		row->out_count++;
		row->out_bytes += o->obj.size;
	}
	if (p->nr_sites)
		qsort(p->sites, p->nr_sites, sizeof(*p->sites), cmp_site_bytes);
	p->sites_out = calloc(p->nr_sites + 1, sizeof(*p->sites_out));
	if (!p->sites_out)
		return -ENOMEM;
	for (size_t i = 0; i < p->nr_sites; i++)
		if (p->sites[i].out_count)
			p->sites_out[p->nr_sites_out++].row = &p->sites[i];
	if (p->nr_sites_out)
		qsort(p->sites_out, p->nr_sites_out, sizeof(*p->sites_out), cmp_site_out);
	return 0;
}

__u32 mt_pair_stack_sample(const struct mt_pair_report *p)
{
	return p->opts.stack_sample > 1 ? p->opts.stack_sample : 1;
}

/*
 * --stack-sample N: a stack's rows hold the one allocation in N that walked its stack, so
 * N times them estimates the stack's share; the "no stack" row (a walk that failed) is a
 * sample too. The class, process and call-site totals are counted apart, exactly.
 */
void mt_pair_scale_stacks(struct mt_pair_report *p)
{
	__u64 n = mt_pair_stack_sample(p);

	if (n == 1 || p->stacks_scaled)
		return;
	for (size_t i = 0; i < p->nr_stacks; i++) {
		p->stacks[i].allocs *= n;
		p->stacks[i].bytes *= n;
		p->stacks[i].out_count *= n;
		p->stacks[i].out_bytes *= n;
	}
	p->stacks_scaled = true;
}

static int group_stacks(struct mt_pair_report *p)
{
	size_t known = p->nr_stacks;
	struct mt_stack_row *row = NULL, key = { 0 };

	if (known)
		qsort(p->stacks, known, sizeof(*p->stacks), cmp_stack_key);
	if (p->nr_objs) /* qsort(NULL, 0) is undefined (UBSan) */
		qsort(p->objs, p->nr_objs, sizeof(*p->objs), cmp_obj_stack);
	for (size_t i = 0; i < p->nr_objs && p->opts.stacks; i++) {
		const struct mt_obj_rec *o = &p->objs[i];

		if (o->obj.stack_id == MT_STACK_UNSAMPLED) /* in the counts, not in a stack */
			continue;
		if (!row || row->cls != (int)o->key.cls || row->stack_id != o->obj.stack_id) {
			key.cls = o->key.cls;
			key.stack_id = o->obj.stack_id;
			row = known ? bsearch(&key, p->stacks, known, sizeof(*p->stacks),
					      cmp_stack_key) :
				      NULL;
			if (!row) {
				row = mt_push(&p->stacks, &p->nr_stacks, &p->cap_stacks,
					      sizeof(*row));
				if (!row)
					return -ENOMEM;
				row->cls = key.cls;
				row->stack_id = key.stack_id;
			}
		}
		row->out_count++;
		row->out_bytes += o->obj.size;
	}
	mt_pair_scale_stacks(p);
	if (p->nr_frames)
		qsort(p->frames, p->nr_frames, sizeof(*p->frames), cmp_frames_id);
	for (size_t i = 0; i < p->nr_stacks; i++) {
		struct mt_stack_frames fk = { .id = p->stacks[i].stack_id }, *f;

		f = p->nr_frames ? bsearch(&fk, p->frames, p->nr_frames, sizeof(*p->frames),
					   cmp_frames_id) :
				   NULL;
		p->stacks[i].frames = f ? f->ip : NULL;
		p->stacks[i].nr_frames = f ? f->n : 0;
		p->stacks[i].truncated = f && f->truncated;
		if (p->stacks[i].truncated) {
			p->truncated_stacks++;
			p->truncated_allocs += p->stacks[i].allocs;
		}
	}
	if (p->nr_stacks)
		qsort(p->stacks, p->nr_stacks, sizeof(*p->stacks), cmp_stack_bytes);
	p->stacks_out = calloc(p->nr_stacks + 1, sizeof(*p->stacks_out));
	if (!p->stacks_out)
		return -ENOMEM;
	for (size_t i = 0; i < p->nr_stacks; i++)
		if (p->stacks[i].out_count)
			p->stacks_out[p->nr_stacks_out++].row = &p->stacks[i];
	if (p->nr_stacks_out)
		qsort(p->stacks_out, p->nr_stacks_out, sizeof(*p->stacks_out), cmp_stack_out);
	return 0;
}

int mt_pair_group(struct mt_pair_report *p, mt_comm_fn comm_of, const void *ctx)
{
	int err;

	filter_age(p);
	err = group_procs(p, comm_of, ctx);
	if (!err)
		err = group_sites(p);
	if (!err)
		err = group_stacks(p);
	return err;
}
