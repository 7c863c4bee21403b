// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_classes.h"

static const char *const class_names[MT_CLASS_MAX] = {
	[MT_CLASS_LOGICAL] = "kernel logical", [MT_CLASS_PHYSICAL] = "physical",
	[MT_CLASS_VIRTUAL] = "kernel virtual", [MT_CLASS_BUS] = "bus",
	[MT_CLASS_USER] = "user virtual",      [MT_CLASS_HIGH] = "high memory",
};

static const char *const class_keys[MT_CLASS_MAX] = {
	[MT_CLASS_LOGICAL] = "kernel_logical", [MT_CLASS_PHYSICAL] = "physical",
	[MT_CLASS_VIRTUAL] = "kernel_virtual", [MT_CLASS_BUS] = "bus",
	[MT_CLASS_USER] = "user_virtual",      [MT_CLASS_HIGH] = "high_memory",
};

const char *mt_class_name(int cls)
{
	return cls >= 0 && cls < MT_CLASS_MAX ? class_names[cls] : "?";
}

const char *mt_class_key(int cls)
{
	return cls >= 0 && cls < MT_CLASS_MAX ? class_keys[cls] : "unknown";
}

void mt_classes_init(struct mt_classes_report *x)
{
	memset(x, 0, sizeof(*x));
}

static void add_u64s(__u64 *dst, const __u64 *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] += src[i];
}

static void min_nonzero(__u64 *dst, __u64 v)
{
	if (v && (!*dst || v < *dst))
		*dst = v;
}

static void max_of(__u64 *dst, __u64 v)
{
	if (v > *dst)
		*dst = v;
}

void mt_classes_add_zone(struct mt_classes_report *x, const struct mt_zone_stats *pc, int ncpu)
{
	struct mt_zone_stats *z = &x->zs;

	for (int c = 0; c < ncpu; c++) {
		const struct mt_zone_stats *v = &pc[c];

		add_u64s(&z->page_asked_got[0][0], &v->page_asked_got[0][0],
			 sizeof(v->page_asked_got) / sizeof(__u64));
		add_u64s(&z->slab_asked_got[0][0], &v->slab_asked_got[0][0],
			 sizeof(v->slab_asked_got) / sizeof(__u64));
		add_u64s(z->gfp_bits, v->gfp_bits, MT_GFP_BITS);
		/* what the kernel's front still holds, spread into its bits */
		for (int f = 0; f < MT_GFP_FRONT; f++)
			for (int b = 0; b < MT_GFP_BITS; b++)
				if ((v->gfp_front[f].gfp >> b) & 1)
					z->gfp_bits[b] += v->gfp_front[f].n;
		add_u64s(z->migratetype, v->migratetype, MT_MIGRATE_SLOTS);
		z->slab_not_logical += v->slab_not_logical;
		z->slab_unplaced += v->slab_unplaced;
		min_nonzero(&z->slab_ptr_min, v->slab_ptr_min);
		max_of(&z->slab_ptr_max, v->slab_ptr_max);
		for (__u64 i = 0; i < v->nr_samples && i < MT_SLAB_SAMPLES; i++)
			if (z->nr_samples < MT_SLAB_SAMPLES)
				z->samples[z->nr_samples++] = v->samples[i];
	}
}

void mt_classes_add_class(struct mt_classes_report *x, const struct mt_class_stats *pc, int ncpu)
{
	_Static_assert(sizeof(struct mt_class_stats) % sizeof(__u64) == 0, "all __u64");
	for (int c = 0; c < ncpu; c++) {
		__u64 lo = x->cs.virt.vmap_addr_min, hi = x->cs.virt.vmap_addr_max;

		add_u64s((__u64 *)&x->cs, (const __u64 *)&pc[c], sizeof(pc[c]) / sizeof(__u64));
		x->cs.virt.vmap_addr_min = lo;
		x->cs.virt.vmap_addr_max = hi;
		min_nonzero(&x->cs.virt.vmap_addr_min, pc[c].virt.vmap_addr_min);
		max_of(&x->cs.virt.vmap_addr_max, pc[c].virt.vmap_addr_max);
	}
}

void mt_classes_add_fault(struct mt_classes_report *x, __u32 tgid, const struct mt_fault_proc *pc,
			  int ncpu)
{
	struct mt_fault_row row = { .tgid = tgid };
	int at;

	for (int c = 0; c < ncpu; c++) {
		const struct mt_fault_proc *v = &pc[c];

		if (!row.comm[0] && v->comm[0])
			memcpy(row.comm, v->comm, MT_COMM_LEN);
		row.user_read += v->user_read;
		row.user_write += v->user_write;
		row.kernel_read += v->kernel_read;
		row.kernel_write += v->kernel_write;
		row.ifetch += v->ifetch;
		row.protection += v->protection;
		min_nonzero(&row.addr_min, v->addr_min);
		max_of(&row.addr_max, v->addr_max);
	}
	row.total = row.user_read + row.user_write + row.kernel_read + row.kernel_write;
	x->nr_fault_procs++;
	/* keep the most faulting rows: replace the smallest when full */
	if (x->nr_faults < MT_MAX_FAULT_ROWS) {
		x->faults[x->nr_faults++] = row;
		return;
	}
	at = 0;
	for (int i = 1; i < x->nr_faults; i++)
		if (x->faults[i].total < x->faults[at].total)
			at = i;
	if (row.total > x->faults[at].total)
		x->faults[at] = row;
}

struct mt_fault_proc *mt_fault_with_slots(const struct mt_fault_proc *pc, int ncpu, __u32 tgid,
					  const struct mt_fault_slot *slots, int nr_slots)
{
	struct mt_fault_proc *v = calloc((size_t)ncpu + 1, sizeof(*v));

	if (!v)
		return NULL;
	memcpy(v, pc, (size_t)ncpu * sizeof(*v));
	for (int c = 0; c < nr_slots; c++)
		if (slots[c].state == MT_SLOT_VALID && slots[c].tgid == tgid)
			mt_fault_add(&v[ncpu], &slots[c].f);
	return v;
}

void mt_classes_add_dma(struct mt_classes_report *x, const struct mt_dma_dev *pc, int ncpu)
{
	struct mt_dma_row *row;

	if (x->nr_dma >= MT_MAX_DMA_ROWS)
		return;
	row = &x->dma[x->nr_dma++];
	memset(row, 0, sizeof(*row));
	for (int c = 0; c < ncpu; c++) {
		if (!row->name[0] && pc[c].name[0])
			memcpy(row->name, pc[c].name, sizeof(pc[c].name));
		row->maps += pc[c].maps;
		row->bytes += pc[c].bytes;
		row->bounces += pc[c].bounces;
	}
}

void mt_classes_add_vrange(struct mt_classes_report *x, const struct mt_vrange_key *k,
			   const struct mt_vrange_val *pc, int ncpu)
{
	struct mt_vrange_row *row;

	if (x->nr_vranges >= MT_MAX_VRANGE_ROWS)
		return;
	row = &x->vranges[x->nr_vranges++];
	row->vstart = k->vstart;
	row->vend = k->vend;
	row->allocs = row->bytes = 0;
	for (int c = 0; c < ncpu; c++) {
		row->allocs += pc[c].allocs;
		row->bytes += pc[c].bytes;
	}
}

static int cmp_faults(const void *a, const void *b)
{
	const struct mt_fault_row *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static int cmp_dma(const void *a, const void *b)
{
	const struct mt_dma_row *x = a, *y = b;

	if (x->maps + x->bounces != y->maps + y->bounces)
		return x->maps + x->bounces < y->maps + y->bounces ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int cmp_vranges(const void *a, const void *b)
{
	const struct mt_vrange_row *x = a, *y = b;

	if (x->allocs != y->allocs)
		return x->allocs < y->allocs ? 1 : -1;
	return x->vstart < y->vstart ? -1 : x->vstart > y->vstart;
}

/*
 * The GFP bit names of 6.1 (include/linux/gfp_types.h, ___GFP_* #defines with
 * CONFIG_KASAN_HW_TAGS bits): the layout before 6.10 turned them into the ___GFP_*_BIT enum,
 * which the collector reads from the running kernel's BTF instead when it exists.
 */
static const char *const gfp_61[] = {
	"__GFP_DMA",
	"__GFP_HIGHMEM",
	"__GFP_DMA32",
	"__GFP_MOVABLE",
	"__GFP_RECLAIMABLE",
	"__GFP_HIGH",
	"__GFP_IO",
	"__GFP_FS",
	"__GFP_ZERO",
	"__GFP_ATOMIC",
	"__GFP_DIRECT_RECLAIM",
	"__GFP_KSWAPD_RECLAIM",
	"__GFP_WRITE",
	"__GFP_NOWARN",
	"__GFP_RETRY_MAYFAIL",
	"__GFP_NOFAIL",
	"__GFP_NORETRY",
	"__GFP_MEMALLOC",
	"__GFP_COMP",
	"__GFP_NOMEMALLOC",
	"__GFP_HARDWALL",
	"__GFP_THISNODE",
	"__GFP_ACCOUNT",
	"__GFP_ZEROTAGS",
	"__GFP_SKIP_ZERO",
	"__GFP_SKIP_KASAN_UNPOISON",
	"__GFP_SKIP_KASAN_POISON",
	"__GFP_NOLOCKDEP",
};

void mt_gfp_default_names(struct mt_classes_report *x)
{
	for (size_t i = 0; i < sizeof(gfp_61) / sizeof(gfp_61[0]); i++)
		snprintf(x->gfp_names[i], sizeof(x->gfp_names[i]), "%s", gfp_61[i]);
	snprintf(x->gfp_source, sizeof(x->gfp_source), "built-in table (6.1 gfp_types.h)");
}

static const char *const migrate_default[] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA/Isolate", "Isolate",
};

void mt_classes_finish(struct mt_classes_report *x)
{
	if (!x->gfp_source[0])
		mt_gfp_default_names(x);
	for (int i = 0; i < MT_MIGRATE_SLOTS; i++)
		if (!x->migrate_names[i][0])
			snprintf(x->migrate_names[i], sizeof(x->migrate_names[i]), "%s",
				 i < 6 ? migrate_default[i] : "other");
	qsort(x->faults, x->nr_faults, sizeof(x->faults[0]), cmp_faults);
	qsort(x->dma, x->nr_dma, sizeof(x->dma[0]), cmp_dma);
	qsort(x->vranges, x->nr_vranges, sizeof(x->vranges[0]), cmp_vranges);
}

/* gfp_zone(): GFP_ZONE_TABLE of include/linux/gfp.h; GFP_ZONE_BAD combinations invalid. */
enum mt_zone_type mt_gfp_zone_asked(unsigned int bits, bool highmem_configured)
{
	switch (bits & MT_GFP_ZONEMASK) {
	case 0:
	case MT_GFP_MOVABLE:
		return MT_ZT_NORMAL;
	case MT_GFP_DMA:
	case MT_GFP_MOVABLE | MT_GFP_DMA:
		return MT_ZT_DMA;
	case MT_GFP_DMA32:
	case MT_GFP_MOVABLE | MT_GFP_DMA32:
		return MT_ZT_DMA32;
	case MT_GFP_HIGHMEM:
		return highmem_configured ? MT_ZT_HIGHMEM : MT_ZT_NORMAL;
	case MT_GFP_MOVABLE | MT_GFP_HIGHMEM:
		return MT_ZT_MOVABLE;
	default:
		return MT_ZT_INVALID;
	}
}

static const char *const zt_names[MT_ZT_MAX] = {
	[MT_ZT_DMA] = "DMA",	     [MT_ZT_DMA32] = "DMA32",	  [MT_ZT_NORMAL] = "Normal",
	[MT_ZT_HIGHMEM] = "HighMem", [MT_ZT_MOVABLE] = "Movable", [MT_ZT_DEVICE] = "Device",
	[MT_ZT_INVALID] = "invalid",
};

const char *mt_zone_type_name(enum mt_zone_type t)
{
	return t < MT_ZT_MAX ? zt_names[t] : "?";
}

enum mt_zone_type mt_zone_type_of(const char *name)
{
	for (int t = 0; t < MT_ZT_INVALID; t++)
		if (!strcmp(name, zt_names[t]))
			return t;
	return MT_ZT_INVALID;
}

enum mt_zone_type mt_zone_effective(const struct mt_zone_table *zt, enum mt_zone_type asked)
{
	enum mt_zone_type best = MT_ZT_INVALID;

	if (asked >= MT_ZT_INVALID)
		return MT_ZT_INVALID;
	for (int i = 0; i < zt->nr; i++) {
		enum mt_zone_type t = mt_zone_type_of(zt->z[i].name);

		if (t <= asked && (best == MT_ZT_INVALID || t > best))
			best = t;
	}
	return best;
}

__u64 mt_zone_fallbacks(const struct mt_zone_table *zt, const __u64 m[][MT_ZONE_SLOTS],
			bool highmem_configured, __u64 *total)
{
	__u64 fb = 0;

	*total = 0;
	for (unsigned int a = 0; a < MT_GFP_ZONE_COMBOS; a++) {
		enum mt_zone_type eff;

		eff = mt_zone_effective(zt, mt_gfp_zone_asked(a, highmem_configured));

		for (int z = 0; z < zt->nr && z < MT_MAX_ZONE_RANGES; z++) {
			enum mt_zone_type got = mt_zone_type_of(zt->z[z].name);

			*total += m[a][z];
			if (eff != MT_ZT_INVALID && got < eff)
				fb += m[a][z];
		}
	}
	return fb;
}

__u64 mt_zone_asked_total(const __u64 row[MT_ZONE_SLOTS])
{
	__u64 n = 0;

	for (int z = 0; z < MT_ZONE_SLOTS; z++)
		n += row[z];
	return n;
}

const char *mt_zone_slot_name(const struct mt_zone_table *zt, unsigned int slot)
{
	return slot < (unsigned int)zt->nr ? zt->z[slot].name : NULL;
}

const char *mt_zone_pfn_name(const struct mt_zone_table *zt, __u64 pfn)
{
	const char *name = mt_zone_slot_name(zt, mt_zones_lookup(zt, pfn));

	return name ? name : "unknown";
}

const char *mt_gfp_decode(const struct mt_classes_report *x, __u64 gfp, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!gfp) {
		snprintf(buf, len, "none");
		return buf;
	}
	for (int i = 0; i < MT_GFP_BITS && n < len; i++) {
		if (!(gfp & (1ULL << i)))
			continue;
		if (x->gfp_names[i][0])
			n += snprintf(buf + n, len - n, "%s%s", n ? "|" : "", x->gfp_names[i]);
		else
			n += snprintf(buf + n, len - n, "%sbit%d", n ? "|" : "", i);
	}
	return buf;
}
