// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Kernel virtual addresses: vmap areas (vmalloc, vmap, module and vmap-stack areas) and
 * percpu allocations. These events are rare next to slab and pages, so each may afford a
 * hash update: the outstanding areas remember their size, so a free (whose event carries
 * only the address) is sized when its allocation was seen.
 * With --outstanding each allocation is also paired with its free (bpf/pair.bpf.h), vmap
 * areas and percpu objects as two kinds, for their lifetimes and what is left at the end.
 * The vmalloc tracepoints appeared in 6.4 (absent on 6.1): the loader then leaves these
 * programs out and the section says so.
 * One handler per event; thin tp_btf/raw_tp wrappers (the fast path) and classic
 * tracepoint wrappers (the fallback), of which the loader keeps one set.
 */
#include "memtrace.bpf.h"

#define MT_LIVE_MAX 16384

struct mt_live_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MT_LIVE_MAX);
	__type(key, __u64);
	__type(value, __u64);
};

struct mt_live_map vmap_live SEC(".maps"); /* va_start -> size */
struct mt_live_map pcpu_live SEC(".maps"); /* percpu pointer -> bytes_alloc */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, struct mt_vrange_key);
	__type(value, struct mt_vrange_val);
} vranges SEC(".maps");

/* The class slot when this event is to be counted (pid filter passed), else NULL. */
static __always_inline struct mt_class_stats *begin(__u32 *tgid, struct mt_stats **st)
{
	*st = mt_begin(tgid);
	return *st ? mt_cstats() : NULL;
}

/* The kernel virtual row of the classes table: vmap areas and percpu together. */
static __always_inline void cls_alloc(struct mt_stats *st, __u64 req, __u64 bytes)
{
	struct mt_counts *c = &st->cls[MT_CLASS_VIRTUAL];

	c->allocs++;
	c->bytes_req += req;
	c->bytes_alloc += bytes;
	st->size_hist[MT_CLASS_VIRTUAL][mt_slot(bytes)]++;
}

static __always_inline void cls_free(struct mt_stats *st, __u64 *size)
{
	struct mt_counts *c = &st->cls[MT_CLASS_VIRTUAL];

	c->frees++;
	if (size)
		c->bytes_freed += *size;
	else
		c->frees_unsized++;
}

static __always_inline int on_vmap_alloc(void *ctx, __u64 addr, __u64 size, __u64 vstart,
					 __u64 vend, int failed)
{
	struct mt_vrange_key rk = { .vstart = vstart, .vend = vend };
	struct mt_vrange_val *rv, fresh = {};
	struct mt_virt_stats *v;
	struct mt_class_stats *cs;
	struct mt_stats *st;
	__u32 tgid;

	cs = begin(&tgid, &st);
	if (!cs)
		return 0;
	v = &cs->virt;
	if (failed) {
		v->vmap_failures++;
		st->cls[MT_CLASS_VIRTUAL].failures++;
		return 0;
	}
	cls_alloc(st, size, size);
	v->vmap_allocs++;
	v->vmap_bytes += size;
	v->vmap_size_hist[mt_slot(size)]++;
	if (addr >= vstart && addr + size <= vend)
		v->vmap_in_range++;
	else
		v->vmap_out_of_range++;
	if (!v->vmap_addr_min || addr < v->vmap_addr_min)
		v->vmap_addr_min = addr;
	if (addr + size > v->vmap_addr_max)
		v->vmap_addr_max = addr + size;
	if (bpf_map_update_elem(&vmap_live, &addr, &size, BPF_ANY))
		v->outstanding_full++;
	rv = bpf_map_lookup_elem(&vranges, &rk);
	if (!rv) {
		bpf_map_update_elem(&vranges, &rk, &fresh, BPF_NOEXIST);
		rv = bpf_map_lookup_elem(&vranges, &rk);
	}
	if (rv) {
		rv->allocs++;
		rv->bytes += size;
	}
	mt_proc_alloc(st, tgid, MT_CLASS_VIRTUAL, size);
	/* vmap areas have no call site in the event: --stacks says who */
	mt_track_alloc(ctx, tgid, MT_PAIR_VMALLOC, addr, size, size, 0);
	return 0;
}

/*
 * The shared part of a vmap-area or percpu free (kind: MT_PAIR_VMALLOC or MT_PAIR_PERCPU).
 * A vfree runs in a kworker as often as not, so, as for slab and pages, the free is
 * charged to the allocation's owner when the pairing knows it, and the live map (live,
 * address -> size) forgets the area whoever frees it, or a -p run would fill it with areas
 * its processes allocated and kworkers freed. *size gets the size when the allocation was
 * seen (else 0). The class slot when the freeing task is in scope, else NULL.
 */
static __always_inline struct mt_class_stats *virt_free(int kind, __u64 addr, void *live,
							__u64 *size)
{
	struct mt_class_stats *cs;
	struct mt_stats *st;
	struct mt_obj own = {}; /* see slab.bpf.c: an unwritten reload refused on i386 */
	bool owned;
	__u64 *sz;
	__u32 tgid;

	cs = begin(&tgid, &st);
	owned = mt_track_free_owner(kind, addr, cs != NULL, &own);
	if (owned)
		mt_owner_free(tgid, MT_CLASS_VIRTUAL, &own);
	sz = bpf_map_lookup_elem(live, &addr);
	*size = sz ? *sz : 0;
	if (sz)
		bpf_map_delete_elem(live, &addr);
	if (!cs)
		return NULL;
	cls_free(st, sz ? size : NULL);
	if (!track_pairs)
		mt_proc_free(st, tgid, MT_CLASS_VIRTUAL, *size);
	else
		mt_proc_free_paired(tgid, MT_CLASS_VIRTUAL, *size, owned ? own.tgid : 0);
	return cs;
}

/* One kind's free counters: frees, bytes freed, frees of allocations never seen. */
static __always_inline void kind_free(__u64 *frees, __u64 *bytes, __u64 *unsized, __u64 size)
{
	(*frees)++;
	if (size)
		*bytes += size;
	else
		(*unsized)++;
}

static __always_inline int on_vmap_free(__u64 addr)
{
	struct mt_class_stats *cs;
	__u64 size;

	cs = virt_free(MT_PAIR_VMALLOC, addr, &vmap_live, &size);
	if (cs)
		kind_free(&cs->virt.vmap_frees, &cs->virt.vmap_bytes_freed,
			  &cs->virt.vmap_frees_unsized, size);
	return 0;
}

static __always_inline int on_vmap_purge(__u32 npurged)
{
	struct mt_class_stats *cs;
	struct mt_stats *st;
	__u32 tgid;

	cs = begin(&tgid, &st);
	if (!cs)
		return 0;
	cs->virt.vmap_purges++;
	cs->virt.vmap_purged += npurged;
	return 0;
}

static __always_inline int on_pcpu_alloc(void *ctx, __u64 call_site, __u64 ptr, __u64 size,
					 __u64 bytes_alloc, bool atomic)
{
	struct mt_class_stats *cs;
	struct mt_stats *st;
	__u32 tgid;

	cs = begin(&tgid, &st);
	if (!cs)
		return 0;
	cls_alloc(st, size, bytes_alloc);
	cs->virt.pcpu_allocs++;
	cs->virt.pcpu_bytes_req += size;
	cs->virt.pcpu_bytes_alloc += bytes_alloc;
	cs->virt.pcpu_atomic += atomic;
	if (bpf_map_update_elem(&pcpu_live, &ptr, &bytes_alloc, BPF_ANY))
		cs->virt.outstanding_full++;
	mt_proc_alloc(st, tgid, MT_CLASS_VIRTUAL, bytes_alloc);
	mt_track_alloc(ctx, tgid, MT_PAIR_PERCPU, ptr, bytes_alloc, size, call_site);
	return 0;
}

static __always_inline int on_pcpu_free(__u64 ptr)
{
	struct mt_class_stats *cs;
	__u64 size;

	cs = virt_free(MT_PAIR_PERCPU, ptr, &pcpu_live, &size);
	if (cs)
		kind_free(&cs->virt.pcpu_frees, &cs->virt.pcpu_bytes_freed,
			  &cs->virt.pcpu_frees_unsized, size);
	return 0;
}

static __always_inline int on_pcpu_fail(void)
{
	struct mt_class_stats *cs;
	struct mt_stats *st;
	__u32 tgid;

	cs = begin(&tgid, &st);
	if (!cs)
		return 0;
	cs->virt.pcpu_failures++;
	st->cls[MT_CLASS_VIRTUAL].failures++;
	return 0;
}

static __always_inline int on_pcpu_chunk(bool created)
{
	struct mt_class_stats *cs;
	struct mt_stats *st;
	__u32 tgid;

	cs = begin(&tgid, &st);
	if (!cs)
		return 0;
	if (created)
		cs->virt.pcpu_chunks_created++;
	else
		cs->virt.pcpu_chunks_destroyed++;
	return 0;
}

/* tp_btf: argument order from the btf_trace_<name> typedefs of 6.18 (same since 6.4). */
SEC("tp_btf/alloc_vmap_area")
int BPF_PROG(alloc_vmap_area_btf, unsigned long addr, unsigned long size, unsigned long align,
	     unsigned long vstart, unsigned long vend, int failed)
{
	return on_vmap_alloc(ctx, addr, size, vstart, vend, failed);
}

SEC("tp_btf/free_vmap_area_noflush")
int BPF_PROG(free_vmap_area_noflush_btf, unsigned long va_start)
{
	return on_vmap_free(va_start);
}

SEC("tp_btf/purge_vmap_area_lazy")
int BPF_PROG(purge_vmap_area_lazy_btf, unsigned long start, unsigned long end, unsigned int npurged)
{
	return on_vmap_purge(npurged);
}

/*
 * raw_tp, not tp_btf, for the events that pass untyped pointers: 6.12's tp_btf refuses a
 * program reading a void * argument (see slab.bpf.c); raw_tp hands them over as numbers.
 */
SEC("raw_tp/percpu_alloc_percpu")
int BPF_PROG(percpu_alloc_percpu_btf, unsigned long call_site, bool reserved, bool is_atomic,
	     __u64 size, __u64 align, __u64 base_addr, int off, __u64 ptr, __u64 bytes_alloc)
{
	return on_pcpu_alloc(ctx, call_site, ptr, size, bytes_alloc, is_atomic);
}

SEC("raw_tp/percpu_free_percpu")
int BPF_PROG(percpu_free_percpu_btf, __u64 base_addr, int off, __u64 ptr)
{
	return on_pcpu_free(ptr);
}

SEC("tp_btf/percpu_alloc_percpu_fail")
int BPF_PROG(percpu_alloc_percpu_fail_btf)
{
	return on_pcpu_fail();
}

SEC("tp_btf/percpu_create_chunk")
int BPF_PROG(percpu_create_chunk_btf)
{
	return on_pcpu_chunk(true);
}

SEC("tp_btf/percpu_destroy_chunk")
int BPF_PROG(percpu_destroy_chunk_btf)
{
	return on_pcpu_chunk(false);
}

/*
 * Classic tracepoints (kernels without tp_btf, e.g. the 32-bit guests): direct ctx reads,
 * which CO-RE relocates with the field's own size (BPF_CORE_READ of a size_t read 8
 * bytes on i386).
 */
SEC("tracepoint/vmalloc/alloc_vmap_area")
int alloc_vmap_area_tp(struct trace_event_raw_alloc_vmap_area *e)
{
	return on_vmap_alloc(e, e->addr, e->size, e->vstart, e->vend, e->failed);
}

SEC("tracepoint/vmalloc/free_vmap_area_noflush")
int free_vmap_area_noflush_tp(struct trace_event_raw_free_vmap_area_noflush *e)
{
	return on_vmap_free(e->va_start);
}

SEC("tracepoint/vmalloc/purge_vmap_area_lazy")
int purge_vmap_area_lazy_tp(struct trace_event_raw_purge_vmap_area_lazy *e)
{
	return on_vmap_purge(e->npurged);
}

SEC("tracepoint/percpu/percpu_alloc_percpu")
int percpu_alloc_percpu_tp(struct trace_event_raw_percpu_alloc_percpu *e)
{
	return on_pcpu_alloc(e, e->call_site, (__u64)e->ptr, e->size, e->bytes_alloc, e->is_atomic);
}

SEC("tracepoint/percpu/percpu_free_percpu")
int percpu_free_percpu_tp(struct trace_event_raw_percpu_free_percpu *e)
{
	return on_pcpu_free((__u64)e->ptr);
}

SEC("tracepoint/percpu/percpu_alloc_percpu_fail")
int percpu_alloc_percpu_fail_tp(void *ctx)
{
	return on_pcpu_fail();
}

SEC("tracepoint/percpu/percpu_create_chunk")
int percpu_create_chunk_tp(void *ctx)
{
	return on_pcpu_chunk(true);
}

SEC("tracepoint/percpu/percpu_destroy_chunk")
int percpu_destroy_chunk_tp(void *ctx)
{
	return on_pcpu_chunk(false);
}
