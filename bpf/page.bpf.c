// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Physical addresses: pages from the buddy allocator, by order and by zone.
 * mm_page_free fires for every page returned, batched or not (mm_page_free_batched fires in
 * addition for the batched ones), so frees are counted on mm_page_free alone.
 */
#include "memtrace.bpf.h"

static __always_inline void zone_add(__u64 *slots, __u64 pfn, __u32 order)
{
	__u32 z = mt_pfn_zone(pfn);

	barrier_var(z);
	slots[z & (MT_ZONE_SLOTS - 1)] += 1ULL << order;
}

/*
 * GFP bits through the per-CPU front of whole masks (struct mt_zone_stats): a handful of
 * masks make nearly every page allocation, so one compare and one add per allocation
 * replace 32 read-modify-writes over four cache lines; the 32 adds run only when another
 * mask takes the slot over. Only mm_page_alloc's program writes the front, and the kernel
 * never runs a program nested in itself, so no run sees a slot half moved.
 */
static __always_inline void gfp_count(struct mt_zone_stats *zs, __u64 gfp)
{
	__u32 i = mt_gfp_front_slot(gfp);
	__u64 old, n;

	barrier_var(i);
	i &= MT_GFP_FRONT - 1;
	if (zs->gfp_front[i].gfp != gfp) {
		old = zs->gfp_front[i].gfp;
		n = zs->gfp_front[i].n;
#pragma unroll
		for (int b = 0; b < MT_GFP_BITS; b++)
			zs->gfp_bits[b] += ((old >> b) & 1) * n;
		zs->gfp_front[i].gfp = gfp;
		zs->gfp_front[i].n = 0;
	}
	zs->gfp_front[i].n++;
}

/*
 * Zone asked (the GFP zone modifier bits) against zone got (the PFN's zone), GFP bits and
 * the migratetype: a second per-CPU array slot and straight-line adds, no map
 * update and no loop the verifier has to walk more than once (issue 7's cost budget).
 * Indexes are masked so 6.1's verifier can bound them.
 */
static __always_inline void page_zone_stats(__u64 pfn, __u32 order, __u64 gfp, int mt)
{
	struct mt_zone_stats *zs = mt_zstats();
	__u32 z = mt_pfn_zone(pfn), m = (__u32)mt;

	if (!zs)
		return;
	barrier_var(z);
	zs->page_asked_got[gfp & MT_GFP_ZONEMASK][z & (MT_ZONE_SLOTS - 1)] += 1ULL << order;
	gfp_count(zs, gfp);
	if (m >= MT_MIGRATE_SLOTS)
		m = MT_MIGRATE_SLOTS - 1;
	barrier_var(m);
	zs->migratetype[m & (MT_MIGRATE_SLOTS - 1)]++;
}

static __always_inline int on_page_alloc(void *ctx, __u64 pfn, bool ok, __u32 order, __u64 gfp,
					 int mt)
{
	struct mt_counts *c;
	struct mt_stats *st;
	__u64 bytes;
	__u32 tgid;

	st = mt_begin(&tgid);
	if (!st)
		return 0;
	c = &st->cls[MT_CLASS_PHYSICAL];
	if (!ok) {
		c->failures++;
		return 0;
	}
	bytes = (1ULL << page_shift) << (order & 31);
	c->allocs++;
	c->bytes_req += bytes;
	c->bytes_alloc += bytes;
	st->size_hist[MT_CLASS_PHYSICAL][mt_slot(bytes)]++;
	st->order_allocs[mt_order_slot(order)]++;
	zone_add(st->zone_allocs, pfn, order & 31);
	mt_proc_alloc(st, tgid, MT_CLASS_PHYSICAL, bytes);
	page_zone_stats(pfn, order & 31, gfp, mt);
	/* mm_page_alloc has no call site: pages are placed by their stack (--stacks) */
	mt_track_alloc(ctx, tgid, MT_CLASS_PHYSICAL, pfn, bytes, bytes, 0);
	return 0;
}

static __always_inline int on_page_free(__u64 pfn, __u32 order)
{
	struct mt_counts *c;
	struct mt_stats *st;
	struct mt_obj own = {}; /* see slab.bpf.c: an unwritten reload refused on i386 */
	bool owned;
	__u64 bytes;
	__u32 tgid;

	st = mt_begin(&tgid);
	/* in scope or not: the owner's pages may be freed by anyone (pair.bpf.h) */
	owned = mt_track_free_owner(MT_CLASS_PHYSICAL, pfn, st != NULL, &own);
	if (owned)
		mt_owner_free(tgid, MT_CLASS_PHYSICAL, &own);
	if (!st)
		return 0;
	c = &st->cls[MT_CLASS_PHYSICAL];
	bytes = (1ULL << page_shift) << (order & 31);
	c->frees++;
	c->bytes_freed += bytes;
	st->order_frees[mt_order_slot(order)]++;
	zone_add(st->zone_frees, pfn, order & 31);
	if (!track_pairs)
		mt_proc_free(st, tgid, MT_CLASS_PHYSICAL, bytes);
	else
		mt_proc_free_paired(tgid, MT_CLASS_PHYSICAL, bytes, owned ? own.tgid : 0);
	return 0;
}

/*
 * The fast path takes the struct page pointer and needs vmemmap_base (learned at start-up)
 * to turn it into a PFN. raw_tp rather than tp_btf: it costs the same (both run through
 * bpf_trace_run), but hands the pointer over as a plain number, where tp_btf's trusted
 * pointer forbids the arithmetic. The loader keeps these only once vmemmap_base is known.
 */
SEC("raw_tp/mm_page_alloc")
int BPF_PROG(mm_page_alloc_raw, __u64 page, unsigned int order, unsigned int gfp, int mt)
{
	return on_page_alloc(ctx, page ? mt_page_to_pfn(page) : 0, page != 0, order, gfp, mt);
}

SEC("raw_tp/mm_page_free")
int BPF_PROG(mm_page_free_raw, __u64 page, unsigned int order)
{
	return on_page_free(mt_page_to_pfn(page), order);
}

/* Classic tracepoints carry the PFN itself (-1 when the allocation failed). */
SEC("tracepoint/kmem/mm_page_alloc")
int mm_page_alloc_tp(struct trace_event_raw_mm_page_alloc *e)
{
	/* direct reads: the load is sized for the running kernel (4-byte pfn on 686-pae) */
	__u64 pfn = e->pfn;

	return on_page_alloc(e, pfn, pfn != MT_PFN_NONE(e), e->order, e->gfp_flags, e->migratetype);
}

SEC("tracepoint/kmem/mm_page_free")
int mm_page_free_tp(struct trace_event_raw_mm_page_free *e)
{
	return on_page_free(e->pfn, e->order);
}
