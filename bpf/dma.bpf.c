// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Bus addresses: the DMA API's mappings and coherent allocations (dma:*, 6.12+) and swiotlb
 * bounces. Whether a bus address equals the physical one tells a direct mapping from an
 * IOMMU or offset translation. Classic tracepoints only: DMA is rare next to slab and page
 * traffic, and their CO-RE relocated fields absorb the layout changes between 6.12 and
 * 6.18 (dma_map_page became dma_map_phys; dma_alloc gained a direction), where a tp_btf
 * program's positional arguments would silently misread. Devices are keyed by a hash of
 * the name the event records.
 */
#include "memtrace.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct mt_dma_dev);
} dma_devs SEC(".maps");

/* 6.12: dma_alloc/dma_free were events of their own, before the _class event classes. */
struct trace_event_raw_dma_alloc___old {
	u32 __data_loc_device;
	void *virt_addr;
	u64 dma_addr;
	size_t size;
} __attribute__((preserve_access_index));

struct trace_event_raw_dma_free___old {
	u32 __data_loc_device;
	void *virt_addr;
	u64 dma_addr;
	size_t size;
} __attribute__((preserve_access_index));

/* FNV-1a of the device name the event recorded (top bit set: never 0). */
static __always_inline __u64 dev_key(const char *name, char *buf)
{
	__u64 h = 0xcbf29ce484222325ULL;

	bpf_probe_read_kernel_str(buf, 32, name);
	for (int i = 0; i < 32 && buf[i]; i++)
		h = (h ^ (__u8)buf[i]) * 0x100000001b3ULL;
	return h | (1ULL << 63);
}

static __always_inline struct mt_class_stats *begin(void)
{
	__u32 tgid;

	return mt_begin(&tgid) ? mt_cstats() : NULL;
}

static __always_inline void dev_add(struct mt_class_stats *cs, const char *name, __u64 maps,
				    __u64 bytes, __u64 bounces)
{
	struct mt_dma_dev *d, fresh = {};
	__u64 key = dev_key(name, fresh.name);

	d = bpf_map_lookup_elem(&dma_devs, &key);
	if (!d) {
		bpf_map_update_elem(&dma_devs, &key, &fresh, BPF_NOEXIST);
		d = bpf_map_lookup_elem(&dma_devs, &key);
		if (!d) {
			cs->dma_dev_full++;
			return;
		}
	}
	d->maps += maps;
	d->bytes += bytes;
	d->bounces += bounces;
}

/* phys == ~0: not learnable. */
static __always_inline void translation(struct mt_class_stats *cs, __u64 phys, __u64 bus)
{
	if (phys == ~0ULL)
		cs->dma.phys_unknown++;
	else if (phys == bus)
		cs->dma.identity++;
	else
		cs->dma.translated++;
}

/* The bus class row: one mapping or coherent allocation of size bytes. */
static __always_inline void bus_class_alloc(__u64 size)
{
	struct mt_stats *st;
	__u32 zero = 0;

	st = bpf_map_lookup_elem(&stats, &zero);
	if (st) {
		st->cls[MT_CLASS_BUS].allocs++;
		st->cls[MT_CLASS_BUS].bytes_req += size;
		st->cls[MT_CLASS_BUS].bytes_alloc += size;
		st->size_hist[MT_CLASS_BUS][mt_slot(size)]++;
	}
}

static __always_inline void bus_class_free(__u64 frees, __u64 size)
{
	struct mt_stats *st;
	__u32 zero = 0;

	st = bpf_map_lookup_elem(&stats, &zero);
	if (st) {
		st->cls[MT_CLASS_BUS].frees += frees;
		st->cls[MT_CLASS_BUS].bytes_freed += size;
	}
}

static __always_inline void count_map(void *ctx, struct trace_event_raw_dma_map *e)
{
	struct mt_class_stats *cs = begin();
	__u64 size = e->size;

	if (!cs)
		return;
	cs->dma.maps++;
	cs->dma.map_bytes += size;
	cs->dma.dir[e->dir & (MT_DMA_DIRS - 1)]++;
	translation(cs, e->phys_addr, e->dma_addr);
	bus_class_alloc(size);
	dev_add(cs, (const char *)ctx + (e->__data_loc_device & 0xffff), 1, size, 0);
}

static __always_inline void count_unmap(struct trace_event_raw_dma_unmap *e)
{
	struct mt_class_stats *cs = begin();
	__u64 size = e->size;

	if (!cs)
		return;
	cs->dma.unmaps++;
	cs->dma.unmap_bytes += size;
	bus_class_free(1, size);
}

static __always_inline __u64 virt_to_phys(__u64 virt)
{
	if (!page_offset_base || virt < page_offset_base || virt >= direct_map_end)
		return ~0ULL;
	return virt - page_offset_base;
}

static __always_inline void count_alloc(void *ctx, __u32 loc, __u64 virt, __u64 bus, __u64 size)
{
	struct mt_class_stats *cs = begin();

	if (!cs)
		return;
	cs->dma.allocs++;
	cs->dma.alloc_bytes += size;
	translation(cs, virt_to_phys(virt), bus);
	bus_class_alloc(size);
	dev_add(cs, (const char *)ctx + (loc & 0xffff), 1, size, 0);
}

static __always_inline void count_free(__u64 size)
{
	struct mt_class_stats *cs = begin();

	if (!cs)
		return;
	cs->dma.frees++;
	cs->dma.free_bytes += size;
	bus_class_free(1, size);
}

SEC("tracepoint/dma/dma_map_phys")
int dma_map_phys_tp(struct trace_event_raw_dma_map *e)
{
	count_map(e, e);
	return 0;
}

/* 6.12-6.17: the same event class under its older name */
SEC("tracepoint/dma/dma_map_page")
int dma_map_page_tp(struct trace_event_raw_dma_map *e)
{
	count_map(e, e);
	return 0;
}

SEC("tracepoint/dma/dma_map_resource")
int dma_map_resource_tp(struct trace_event_raw_dma_map *e)
{
	count_map(e, e);
	return 0;
}

SEC("tracepoint/dma/dma_unmap_phys")
int dma_unmap_phys_tp(struct trace_event_raw_dma_unmap *e)
{
	count_unmap(e);
	return 0;
}

SEC("tracepoint/dma/dma_unmap_page")
int dma_unmap_page_tp(struct trace_event_raw_dma_unmap *e)
{
	count_unmap(e);
	return 0;
}

SEC("tracepoint/dma/dma_unmap_resource")
int dma_unmap_resource_tp(struct trace_event_raw_dma_unmap *e)
{
	count_unmap(e);
	return 0;
}

static __always_inline void alloc_event(void *ctx)
{
	if (bpf_core_type_exists(struct trace_event_raw_dma_alloc_class)) {
		struct trace_event_raw_dma_alloc_class *e = ctx;

		count_alloc(ctx, e->__data_loc_device, (__u64)e->virt_addr, e->dma_addr, e->size);
	} else {
		struct trace_event_raw_dma_alloc___old *e = ctx;

		count_alloc(ctx, e->__data_loc_device, (__u64)e->virt_addr, e->dma_addr, e->size);
	}
}

static __always_inline void free_event(void *ctx)
{
	if (bpf_core_type_exists(struct trace_event_raw_dma_free_class)) {
		struct trace_event_raw_dma_free_class *e = ctx;

		count_free(e->size);
	} else {
		struct trace_event_raw_dma_free___old *e = ctx;

		count_free(e->size);
	}
}

SEC("tracepoint/dma/dma_alloc")
int dma_alloc_tp(void *ctx)
{
	alloc_event(ctx);
	return 0;
}

SEC("tracepoint/dma/dma_alloc_pages")
int dma_alloc_pages_tp(void *ctx)
{
	alloc_event(ctx);
	return 0;
}

SEC("tracepoint/dma/dma_free")
int dma_free_tp(void *ctx)
{
	free_event(ctx);
	return 0;
}

SEC("tracepoint/dma/dma_free_pages")
int dma_free_pages_tp(void *ctx)
{
	free_event(ctx);
	return 0;
}

/*
 * Scatterlists. The event records up to DMA_TRACE_MAX_ENTRIES (128) segments: the physical
 * address of each input segment (nents), and the bus address and length of each mapped one
 * (ents; an IOMMU may merge input segments, so ents <= nents). Each bus segment counts as a
 * mapping of the bus class; dma_unmap_sg names the input segments' physical addresses only,
 * so a map is remembered by its first one to give the unmap its size.
 */
#define MT_DMA_SG_MAX 128

struct mt_dma_sg_live {
	__u64 ents;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* physical address of the first input segment */
	__type(value, struct mt_dma_sg_live);
} dma_sg_live SEC(".maps");

/* Element i (of size sz) of a __data_loc array of the event at ctx; 0 if unreadable. */
static __always_inline __u64 loc_elem(void *ctx, __u32 loc, __u32 i, __u32 sz)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sz & 15, (const char *)ctx + (loc & 0xffff) + i * sz);
	return v;
}

/*
 * The verifier walks the segment loop once per possible iteration (128), following every
 * branch of each: the body stays branch-light (the stats slot looked up once before it,
 * counts summed and added after it, a comparison-free log2), or this one program cost
 * 808,000 of the 1,000,000 verified instructions a program may take and 0.7 s, most of
 * memtrace's start-up (now 38,000 and 30 ms on 6.18).
 */
static __always_inline void on_map_sg(void *ctx, struct trace_event_raw_dma_map_sg *e)
{
	struct mt_class_stats *cs = begin();
	__u32 lphys = e->__data_loc_phys_addrs, lbus = e->__data_loc_dma_addrs;
	__u32 llen = e->__data_loc_lengths;
	__u32 nphys = (lphys >> 16) / 8, nbus = (lbus >> 16) / 8, nlen = (llen >> 16) / 4;
	__u64 unknown = 0, identity = 0;
	struct mt_dma_sg_live live = {};
	__u32 dir = e->dir & (MT_DMA_DIRS - 1);
	__u32 n = nbus < nlen ? nbus : nlen;
	struct mt_stats *st;
	__u32 zero = 0;
	__u64 first;

	if (!cs)
		return;
	st = bpf_map_lookup_elem(&stats, &zero);
	if (!st)
		return;
	cs->dma.sg_maps++;
	if (bpf_core_field_exists(e->full_ents)) {
		cs->dma.sg_ents += e->full_ents;
		cs->dma_sg_truncated += e->truncated;
	} else {
		cs->dma.sg_ents += nbus;
	}
	for (__u32 i = 0; i < MT_DMA_SG_MAX; i++) {
		__u64 len, bus, phys;
		__u32 slot;

		if (i >= n)
			break;
		len = loc_elem(ctx, llen, i, 4);
		bus = loc_elem(ctx, lbus, i, 8);
		/* unmerged, segment i maps input segment i; merged, only the first is known */
		phys = nphys == nbus || i == 0 ? loc_elem(ctx, lphys, i, 8) : ~0ULL;
		unknown += phys == ~0ULL;
		identity += phys == bus && phys != ~0ULL;
		slot = mt_log2_u32_flat(len);
		barrier_var(slot);
		st->size_hist[MT_CLASS_BUS][slot & (MT_HIST_SLOTS - 1)]++;
		live.ents++;
		live.bytes += len;
	}
	cs->dma.phys_unknown += unknown;
	cs->dma.identity += identity;
	cs->dma.translated += live.ents - unknown - identity;
	cs->dma.dir[dir] += live.ents;
	st->cls[MT_CLASS_BUS].allocs += live.ents;
	st->cls[MT_CLASS_BUS].bytes_req += live.bytes;
	st->cls[MT_CLASS_BUS].bytes_alloc += live.bytes;
	cs->dma_sg_bytes += live.bytes;
	if (nphys) {
		first = loc_elem(ctx, lphys, 0, 8);
		bpf_map_update_elem(&dma_sg_live, &first, &live, BPF_ANY);
	}
	dev_add(cs, (const char *)ctx + (e->__data_loc_device & 0xffff), live.ents, live.bytes, 0);
}

static __always_inline void on_unmap_sg(void *ctx, struct trace_event_raw_dma_unmap_sg *e)
{
	struct mt_class_stats *cs = begin();
	__u32 laddr = e->__data_loc_addrs;
	struct mt_dma_sg_live *live;
	__u64 first;

	if (!cs)
		return;
	cs->dma.sg_unmaps++;
	if (!(laddr >> 16)) {
		cs->dma_sg_unmap_unpaired++;
		return;
	}
	first = loc_elem(ctx, laddr, 0, 8);
	live = bpf_map_lookup_elem(&dma_sg_live, &first);
	if (!live) {
		cs->dma_sg_unmap_unpaired++;
		return;
	}
	cs->dma_sg_unmap_ents += live->ents;
	cs->dma_sg_unmap_bytes += live->bytes;
	bus_class_free(live->ents, live->bytes);
	bpf_map_delete_elem(&dma_sg_live, &first);
}

SEC("tracepoint/dma/dma_map_sg")
int dma_map_sg_tp(struct trace_event_raw_dma_map_sg *e)
{
	on_map_sg(e, e);
	return 0;
}

SEC("tracepoint/dma/dma_unmap_sg")
int dma_unmap_sg_tp(struct trace_event_raw_dma_unmap_sg *e)
{
	on_unmap_sg(e, e);
	return 0;
}

SEC("tracepoint/dma/dma_map_sg_err")
int dma_map_sg_err_tp(void *ctx)
{
	struct mt_class_stats *cs = begin();

	if (cs)
		cs->dma.map_errors++;
	return 0;
}

SEC("tracepoint/swiotlb/swiotlb_bounced")
int swiotlb_bounced_tp(struct trace_event_raw_swiotlb_bounced *e)
{
	struct mt_class_stats *cs = begin();
	__u64 size = e->size;

	if (!cs)
		return 0;
	cs->dma.bounces++;
	cs->dma.bounce_bytes += size;
	dev_add(cs, (const char *)e + (e->__data_loc_dev_name & 0xffff), 0, 0, 1);
	return 0;
}
