// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_classes.h"
#include "model/model_pair.h"
#include "mt_hist.h"
#include "sys/util.h"

static const char *const loss_keys[MT_PLOSS_MAX] = {
	[MT_PLOSS_OUTSTANDING_FULL] = "outstanding_table_full",
	[MT_PLOSS_OUTSTANDING_ERR] = "outstanding_update_failed",
	[MT_PLOSS_STALE] = "missed_frees",
	[MT_PLOSS_STACK_FULL] = "stack_table_full",
	[MT_PLOSS_STACK_COLLISION] = "stack_collisions",
	[MT_PLOSS_STACK_ERR] = "stack_failed",
	[MT_PLOSS_SITE_FULL] = "call_site_table_full",
	[MT_PLOSS_STACK_AGG_FULL] = "stack_totals_table_full",
};

static const char *const loss_names[MT_PLOSS_MAX] = {
	[MT_PLOSS_OUTSTANDING_FULL] = "outstanding table full (allocations not paired)",
	[MT_PLOSS_OUTSTANDING_ERR] = "outstanding table update refused (nested)",
	[MT_PLOSS_STALE] = "address reused while outstanding (a free was missed)",
	[MT_PLOSS_STACK_FULL] = "stack table full",
	[MT_PLOSS_STACK_COLLISION] = "stack table hash collisions",
	[MT_PLOSS_STACK_ERR] = "stacks not readable",
	[MT_PLOSS_SITE_FULL] = "call-site table full",
	[MT_PLOSS_STACK_AGG_FULL] = "stack totals table full",
};

const char *mt_pair_loss_key(int loss)
{
	return loss >= 0 && loss < MT_PLOSS_MAX ? loss_keys[loss] : "unknown";
}

const char *mt_pair_loss_name(int loss)
{
	return loss >= 0 && loss < MT_PLOSS_MAX ? loss_names[loss] : "?";
}

void mt_pair_init(struct mt_pair_report *p)
{
	memset(p, 0, sizeof(*p));
}

void mt_pair_free(struct mt_pair_report *p)
{
	free(p->objs);
	free(p->procs);
	free(p->sites);
	free(p->stacks);
	for (size_t i = 0; i < p->nr_frames; i++)
		free(p->frames[i].ip);
	free(p->frames);
	free(p->sites_out);
	free(p->stacks_out);
	mt_pair_init(p);
}

void mt_pair_add_stats(struct mt_pair_report *p, const struct mt_pair_stats *percpu, int ncpu)
{
	_Static_assert(sizeof(struct mt_pair_stats) % sizeof(__u64) == 0, "all __u64");
	for (int c = 0; c < ncpu; c++) {
		const __u64 *src = (const __u64 *)&percpu[c];
		__u64 *dst = (__u64 *)&p->tot;

		for (size_t i = 0; i < sizeof(p->tot) / sizeof(__u64); i++)
			dst[i] += src[i];
	}
}

static bool cls_ok(__u32 cls)
{
	return cls < MT_PAIR_KINDS;
}

/* ---- kinds ---- */

int mt_pair_kind_class(int kind)
{
	return kind == MT_PAIR_PERCPU ? MT_CLASS_VIRTUAL : kind;
}

const char *mt_pair_kind_key(int kind)
{
	switch (kind) {
	case MT_PAIR_SLAB:
		return "slab";
	case MT_PAIR_PAGES:
		return "pages";
	case MT_PAIR_VMALLOC:
		return "vmalloc";
	case MT_PAIR_PERCPU:
		return "percpu";
	default:
		return mt_class_key(kind);
	}
}

const char *mt_pair_kind_name(int kind)
{
	if (kind == MT_PAIR_VMALLOC || kind == MT_PAIR_PERCPU)
		return mt_pair_kind_key(kind);
	return mt_class_name(kind);
}

bool mt_pair_class_split(int cls)
{
	return cls == MT_CLASS_VIRTUAL;
}

static void view_add(const struct mt_pair_report *p, int kind, struct mt_pair_view *v)
{
	v->count += p->out[kind].count;
	v->bytes += p->out[kind].bytes;
	v->tracked += p->tot.tracked[kind];
	v->paired += p->tot.paired[kind];
	v->paired_bytes += p->tot.paired_bytes[kind];
	v->unpaired += p->tot.unpaired[kind];
	for (int i = 0; i < MT_HIST_SLOTS; i++) {
		v->lifetime_hist[i] += p->tot.lifetime_hist[kind][i];
		v->age_hist[i] += p->out[kind].age_hist[i];
	}
}

void mt_pair_kind_view(const struct mt_pair_report *p, int kind, struct mt_pair_view *v)
{
	memset(v, 0, sizeof(*v));
	if (kind >= 0 && kind < MT_PAIR_KINDS)
		view_add(p, kind, v);
}

void mt_pair_class_view(const struct mt_pair_report *p, int cls, struct mt_pair_view *v)
{
	memset(v, 0, sizeof(*v));
	for (int k = 0; k < MT_PAIR_KINDS; k++)
		if (mt_pair_kind_class(k) == cls)
			view_add(p, k, v);
}

void mt_pair_stats_from_classes(struct mt_pair_stats *out, const void *old)
{
	const __u64 *o = old;

	memset(out, 0, sizeof(*out));
	memcpy(out->tracked, o, MT_CLASS_MAX * sizeof(__u64));
	o += MT_CLASS_MAX;
	memcpy(out->paired, o, MT_CLASS_MAX * sizeof(__u64));
	o += MT_CLASS_MAX;
	memcpy(out->paired_bytes, o, MT_CLASS_MAX * sizeof(__u64));
	o += MT_CLASS_MAX;
	memcpy(out->unpaired, o, MT_CLASS_MAX * sizeof(__u64));
	o += MT_CLASS_MAX;
	memcpy(out->lifetime_hist, o, (size_t)MT_CLASS_MAX * MT_HIST_SLOTS * sizeof(__u64));
	o += (size_t)MT_CLASS_MAX * MT_HIST_SLOTS;
	memcpy(out->lost, o, MT_PLOSS_MAX * sizeof(__u64));
}

int mt_pair_add_site(struct mt_pair_report *p, const struct mt_site_key *k,
		     const struct mt_site *percpu, int ncpu)
{
	struct mt_site_row *row;

	if (!cls_ok(k->cls))
		return 0;
	row = mt_push(&p->sites, &p->nr_sites, &p->cap_sites, sizeof(*row));
	if (!row)
		return -ENOMEM;
	row->call_site = k->call_site;
	row->cls = k->cls;
	for (int c = 0; c < ncpu; c++) {
		row->allocs += percpu[c].allocs;
		row->bytes_req += percpu[c].bytes_req;
		row->bytes_alloc += percpu[c].bytes_alloc;
	}
	return 0;
}

int mt_pair_fold_site_front(struct mt_pair_report *p, const struct mt_site_front *percpu, int ncpu)
{
	for (int c = 0; c < ncpu; c++) {
		for (int i = 0; i < MT_SITE_SLOTS; i++) {
			const struct mt_site_slot *e = &percpu[c].slot[i];
			struct mt_site_row *row = NULL;

			if (!e->key.call_site || !cls_ok(e->key.cls))
				continue;
			for (size_t j = 0; j < p->nr_sites && !row; j++)
				if (p->sites[j].call_site == e->key.call_site &&
				    p->sites[j].cls == (int)e->key.cls)
					row = &p->sites[j];
			if (!row) {
				row = mt_push(&p->sites, &p->nr_sites, &p->cap_sites, sizeof(*row));
				if (!row)
					return -ENOMEM;
				row->call_site = e->key.call_site;
				row->cls = e->key.cls;
			}
			row->allocs += e->n.allocs;
			row->bytes_req += e->n.bytes_req;
			row->bytes_alloc += e->n.bytes_alloc;
		}
	}
	return 0;
}

int mt_pair_add_stack_agg(struct mt_pair_report *p, const struct mt_stack_key *k,
			  const struct mt_stack_agg *percpu, int ncpu)
{
	struct mt_stack_row *row;

	if (!cls_ok(k->cls))
		return 0;
	row = mt_push(&p->stacks, &p->nr_stacks, &p->cap_stacks, sizeof(*row));
	if (!row)
		return -ENOMEM;
	row->stack_id = k->stack_id;
	row->cls = k->cls;
	for (int c = 0; c < ncpu; c++) {
		row->allocs += percpu[c].allocs;
		row->bytes += percpu[c].bytes;
	}
	return 0;
}

int mt_pair_add_frames(struct mt_pair_report *p, __s32 id, const __u64 *ips, __u32 n)
{
	struct mt_stack_frames *f;
	bool truncated;
	__u64 *ip;

	if (n > MT_STACK_DEPTH_MAX)
		n = MT_STACK_DEPTH_MAX;
	truncated = n && ips[n - 1];
	while (n && !ips[n - 1])
		n--;
	ip = malloc((n ? n : 1) * sizeof(*ip));
	if (!ip)
		return -ENOMEM;
	f = mt_push(&p->frames, &p->nr_frames, &p->cap_frames, sizeof(*f));
	if (!f) {
		free(ip);
		return -ENOMEM;
	}
	if (n)
		memcpy(ip, ips, n * sizeof(*ips));
	f->id = id;
	f->n = n;
	f->truncated = truncated;
	f->ip = ip;
	return 0;
}

int mt_pair_add_obj(struct mt_pair_report *p, const struct mt_obj_key *k, const struct mt_obj *o)
{
	struct mt_obj_rec *rec;

	if (!cls_ok(k->cls))
		return 0;
	rec = mt_push(&p->objs, &p->nr_objs, &p->cap_objs, sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	rec->key = *k;
	rec->obj = *o;
	return 0;
}

static bool is_glue(const char *name)
{
	static const char *const prefixes[] = {
		"bpf_trace_run", "__bpf_trace_", "trace_call_bpf", "perf_trace_",
		"perf_tp_",	 "__traceiter_", "bpf_prog_",	   "__bpf_prog_",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

__u32 mt_pair_first_frame(const struct mt_pair_report *p, const __u64 *ips, __u32 n)
{
	__u32 i, last_glue = 0;
	bool glue = false;

	if (!p->ksyms)
		return 0;
	/* the glue sits within the first few frames; unnamed ones above it are JIT code */
	for (i = 0; i < n && i < 8; i++) {
		const struct mt_ksym *s = mt_ksyms_find(p->ksyms, ips[i]);

		if (s && is_glue(s->name)) {
			glue = true;
			last_glue = i;
		}
	}
	return glue ? last_glue + 1 : 0;
}

__u64 mt_pair_lost_total(const struct mt_pair_report *p)
{
	__u64 n = 0;

	for (int i = 0; i < MT_PLOSS_MAX; i++)
		n += p->tot.lost[i];
	return n;
}
