// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Allocator call latency, entry to return: kmalloc, kmem_cache_alloc, the page allocator,
 * vmalloc. Its own object (alloclat.bpf.lo, linked with maps and lat_maps), loaded apart
 * from the tracepoint programs: where the kernel refuses fentry (lockdown) or has no
 * kprobes, only this object fails and the run goes on. The loader (src/collect/alloclat.c) picks
 * the function names this kernel has (6.10+ renamed them *_noprof), sets them as attach
 * targets, and keeps either the fentry/fexit or the kprobe/kretprobe programs.
 * Times are inclusive: a kmalloc that refills its slab includes the page allocation.
 */
#include "latency.bpf.h"

/* The zone of the page the allocator returned, when vmemmap_base is known. */
static __always_inline __u32 page_zone(__u64 page)
{
	if (!page || !vmemmap_base)
		return MT_ZONE_UNKNOWN;
	return mt_pfn_zone(mt_page_to_pfn(page));
}

static __always_inline __s32 order_of(__u64 order)
{
	return order < 64 ? (__s32)order : MT_LAT_ORDER_NONE;
}

/* fentry/fexit. A return value is read with bpf_get_func_ret(): the argument count differs
 * between kernels' versions of the same function. */

#define FENTRY_PAIR(slot, kind)                                                                    \
	SEC("fentry")                                                                              \
	int BPF_PROG(slot##_entry)                                                                 \
	{                                                                                          \
		lat_begin(kind, MT_LAT_ORDER_NONE);                                                \
		return 0;                                                                          \
	}                                                                                          \
	SEC("fexit")                                                                               \
	int BPF_PROG(slot##_exit)                                                                  \
	{                                                                                          \
		lat_end(kind, MT_ZONE_UNKNOWN, true);                                              \
		return 0;                                                                          \
	}

FENTRY_PAIR(kmalloc, MT_LAT_KMALLOC)
FENTRY_PAIR(kmalloc_cache, MT_LAT_KMALLOC)
FENTRY_PAIR(kmem_cache_alloc, MT_LAT_KMEM_CACHE_ALLOC)
FENTRY_PAIR(vmalloc, MT_LAT_VMALLOC)

/* page allocator: (gfp_t gfp, unsigned int order, ...) on every kernel since 5.x */
SEC("fentry")
int BPF_PROG(page_alloc_entry, gfp_t gfp, unsigned int order)
{
	lat_begin(MT_LAT_PAGE_ALLOC, order_of(order));
	return 0;
}

SEC("fexit")
int BPF_PROG(page_alloc_exit)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	lat_end(MT_LAT_PAGE_ALLOC, page_zone(ret), true);
	return 0;
}

/* kprobe/kretprobe: the fallback. Attached by function name at run time (no target here). */

#define KPROBE_PAIR(slot, kind)                                                                    \
	SEC("kprobe")                                                                              \
	int BPF_KPROBE(slot##_kp)                                                                  \
	{                                                                                          \
		lat_begin(kind, MT_LAT_ORDER_NONE);                                                \
		return 0;                                                                          \
	}                                                                                          \
	SEC("kretprobe")                                                                           \
	int BPF_KRETPROBE(slot##_krp)                                                              \
	{                                                                                          \
		lat_end(kind, MT_ZONE_UNKNOWN, true);                                              \
		return 0;                                                                          \
	}

KPROBE_PAIR(kmalloc, MT_LAT_KMALLOC)
KPROBE_PAIR(kmalloc_cache, MT_LAT_KMALLOC)
KPROBE_PAIR(kmem_cache_alloc, MT_LAT_KMEM_CACHE_ALLOC)
KPROBE_PAIR(vmalloc, MT_LAT_VMALLOC)

/*
 * The page allocator's second argument, the order. BPF_KPROBE's argument macros name
 * x86_64's registers (si); a 32-bit x86 kernel (686-pae) passes the first three arguments
 * in ax, dx, cx. struct pt_regs has r8 only on x86_64. Read with a probe read: direct loads
 * from either branch get merged into one at a computed ctx offset, which the verifier
 * refuses.
 */
static __always_inline __u64 kprobe_arg2(struct pt_regs *regs)
{
	if (bpf_core_field_exists(regs->r8))
		return MT_READ_LONG(regs, si);
	return MT_READ_LONG(regs, dx);
}

SEC("kprobe")
int page_alloc_kp(struct pt_regs *ctx)
{
	lat_begin(MT_LAT_PAGE_ALLOC, order_of(kprobe_arg2(ctx)));
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(page_alloc_krp, void *ret)
{
	lat_end(MT_LAT_PAGE_ALLOC, page_zone((__u64)ret), true);
	return 0;
}
