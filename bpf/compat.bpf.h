/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel differences, in one place. vmlinux.h comes from a recent kernel; each flavoured
 * type below (name___suffix) describes an older layout, and CO-RE picks whichever the
 * running kernel has. Every shim names the kernel that changed things.
 */
#ifndef MT_COMPAT_BPF_H
#define MT_COMPAT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/*
 * Before 6.1 ("mm/sl[au]b: generalize kmalloc subsystem"), kmalloc and kmem_cache_alloc
 * shared the kmem_alloc event class and had no node field; the _node variants were separate
 * events. The classic-tracepoint fallback reads either layout.
 */
struct trace_event_raw_kmem_alloc___old {
	struct trace_entry ent;
	unsigned long call_site;
	const void *ptr;
	size_t bytes_req;
	size_t bytes_alloc;
	unsigned long gfp_flags;
} __attribute__((preserve_access_index));

/*
 * A long or pointer field of a kernel struct, read with the running kernel's size for it.
 * BPF_CORE_READ() copies as many bytes as vmlinux.h (x86_64's) gives the field: on a 32-bit
 * kernel (686-pae) that is 4 bytes too many, taken from the next field. x86 is
 * little-endian, so the value lands in the low bytes of a zeroed u64.
 */
#define MT_READ_LONG(src, field)                                                                   \
	({                                                                                         \
		__u64 __v = 0;                                                                     \
		bpf_probe_read_kernel(&__v, bpf_core_field_size((src)->field), &(src)->field);     \
		__v;                                                                               \
	})

/* The PFN a classic mm_page_alloc event gives for a failed allocation: -1UL, 32 bits wide
 * on a 32-bit kernel. */
#define MT_PFN_NONE(e) (bpf_core_field_size((e)->pfn) == 4 ? 0xffffffffULL : ~0ULL)

/* The struct page after this one: the running kernel's size of it (32 bytes on 686-pae). */
static __always_inline struct page *mt_page_next(struct page *page)
{
	return (struct page *)((char *)page + bpf_core_type_size(struct page));
}

/* 6.1+: kmem_cache_alloc's tp_btf passes the struct kmem_cache, not sizes. */
static __always_inline bool mt_kmem_cache_alloc_has_cache(void)
{
	return bpf_core_type_exists(struct trace_event_raw_kmem_cache_alloc);
}

/*
 * The classic kmem_cache_alloc event names the cache (__data_loc_name) on 6.18 and 7.3, not
 * on 6.1 or 6.12, which have sizes and gfp flags alone: there the fallback finds the cache
 * through the object's slab page.
 */
static __always_inline bool mt_kmem_cache_alloc_tp_has_name(void)
{
	return bpf_core_field_exists(struct trace_event_raw_kmem_cache_alloc, __data_loc_name);
}

/*
 * 6.10 moved PG_slab out of page->flags into page_type, 6.12 turned page_type into the
 * PGTY_* enum. 6.18 wraps page->flags in memdesc_flags_t. Only the two ends are handled;
 * on 6.10/6.11 kfree sizes are reported as unknown rather than guessed.
 */
struct page___flags_ulong {
	unsigned long flags;
} __attribute__((preserve_access_index));

enum pageflags___old {
	PG_slab = 0, /* value comes from the running kernel's BTF */
};

/* Before 6.6 the order of a compound page sat in the first tail page. */
struct page___compound_order {
	unsigned char compound_order;
} __attribute__((preserve_access_index));

enum mt_slab_kind {
	MT_PAGE_UNKNOWN, /* this kernel's page layout is not one we decode */
	MT_PAGE_SLAB,	 /* a slab page: the object's size is slab->slab_cache->size */
	MT_PAGE_OTHER,	 /* not a slab page: a large kmalloc or something else */
};

/* page->flags, a plain word before 6.18 and memdesc_flags_t since. */
static __always_inline unsigned long mt_page_flags(struct page *page)
{
	if (bpf_core_field_exists(struct page___flags_ulong, flags))
		return MT_READ_LONG((struct page___flags_ulong *)page, flags);
	return MT_READ_LONG(page, flags.f);
}

static __always_inline bool mt_page_is_head(struct page *page)
{
	return mt_page_flags(page) & (1UL << bpf_core_enum_value(enum pageflags, PG_head));
}

/* Is this (head) page a slab page? */
static __always_inline enum mt_slab_kind mt_page_slab_kind(struct page *head)
{
	if (bpf_core_enum_value_exists(enum pagetype, PGTY_slab)) {
		unsigned int type = BPF_CORE_READ(head, page_type);

		return (type >> 24) == bpf_core_enum_value(enum pagetype, PGTY_slab) ?
			       MT_PAGE_SLAB :
			       MT_PAGE_OTHER;
	}
	if (bpf_core_enum_value_exists(enum pageflags___old, PG_slab) &&
	    bpf_core_field_exists(struct page___flags_ulong, flags)) {
		return mt_page_flags(head) &
				       (1UL << bpf_core_enum_value(enum pageflags___old, PG_slab)) ?
			       MT_PAGE_SLAB :
			       MT_PAGE_OTHER;
	}
	return MT_PAGE_UNKNOWN;
}

/*
 * The order of a compound head page; -1 when this kernel's layout is not known. Up to 6.5
 * the order is a field of the first tail page (6.1: page[1].compound_order, which folio
 * calls _folio_order); since 6.6 it is the low byte of folio->_flags_1 (page[1].flags).
 * 6.1 already has a _flags_1 in struct folio, holding tail flags, not the order: test for
 * the old field first, or every large kmalloc freed on 6.1 is sized as one page.
 */
static __always_inline int mt_compound_order(struct page *head)
{
	struct page *tail = mt_page_next(head);

	if (bpf_core_field_exists(struct page___compound_order, compound_order))
		return BPF_CORE_READ((struct page___compound_order *)tail, compound_order);
	if (bpf_core_field_exists(struct folio, _flags_1))
		return MT_READ_LONG((struct folio *)head, _flags_1) & 0xff;
	return -1;
}

/* page->compound_head up to 6.x; renamed compound_info in 7.x, with a second encoding. */
struct page___compound_head {
	unsigned long compound_head;
} __attribute__((preserve_access_index));

struct page___compound_info {
	unsigned long compound_info;
} __attribute__((preserve_access_index));

/*
 * The head page of a (possibly tail) page; NULL when this kernel's layout is not known.
 * Bit 0 marks a tail page. Up to 6.x the rest is the head's address. 7.x (compound_info)
 * keeps that where struct page's size is not a power of two, and otherwise, with the
 * hugetlb vmemmap optimisation, stores a mask that turns the tail's address into the
 * head's: all ones down to the folio's size in struct pages. A mask is contiguous high ones
 * (~m + 1 is a power of two), which no struct page address is: tell them apart by that.
 */
static __always_inline struct page *mt_compound_head(struct page *page)
{
	unsigned long info;

	if (bpf_core_field_exists(struct page___compound_head, compound_head)) {
		info = MT_READ_LONG((struct page___compound_head *)page, compound_head);
		return info & 1 ? (struct page *)(info - 1) : page;
	}
	if (bpf_core_field_exists(struct page___compound_info, compound_info)) {
		info = MT_READ_LONG((struct page___compound_info *)page, compound_info);
		if (!(info & 1))
			return page;
		info &= ~1UL;
		if (((~info + 1) & ~info) == 0)
			return (struct page *)((unsigned long)page & info);
		return (struct page *)info;
	}
	return NULL;
}

/*
 * The classic page-fault events: x86's own event class (trace_event_raw_x86_exceptions) up
 * to 6.12 at least (6.1, 6.12, 686-pae 6.1), the generic trace_event_raw_exceptions in
 * vmlinux.h (6.18, 7.3). Same fields, longs (4 bytes on a 32-bit kernel). Read through
 * MT_READ_LONG: the compiler hoists the field offsets out of the two branches, and the
 * verifier refuses a load through a ctx pointer plus an offset held in a register.
 */
struct trace_event_raw_x86_exceptions___old {
	struct trace_entry ent;
	unsigned long address;
	unsigned long ip;
	unsigned long error_code;
} __attribute__((preserve_access_index));

#define MT_FAULT_TP_FIELD(ctx, f)                                                                  \
	(bpf_core_type_exists(struct trace_event_raw_exceptions) ?                                 \
		 MT_READ_LONG((struct trace_event_raw_exceptions *)(ctx), f) :                     \
		 MT_READ_LONG((struct trace_event_raw_x86_exceptions___old *)(ctx), f))

/*
 * 6.2+ (kfunc bpf_rdonly_cast): a kernel address as a read-only BTF pointer, whose fields
 * are then plain loads (the JIT guards each like a probe read: a bad address reads 0)
 * instead of one bpf_probe_read_kernel() call each, 15-20 ns apiece here. 6.1 has no such
 * kfunc and the i386 JIT no guarded loads: the programs that use it (the *_cast twins in
 * slab.bpf.c) load only where the loader finds the kfunc on a 64-bit kernel, elsewhere
 * their probe-reading twins do the same work.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

#define mt_cast(type, addr)                                                                        \
	((type *)bpf_rdonly_cast((const void *)(unsigned long)(addr),                              \
				 bpf_core_type_id_kernel(type)))

/*
 * A word of a kernel struct read through mt_cast() as a number. The verifier types a load by
 * the kernel's BTF, taking the first member of a union: at page->compound_head that is
 * lru.next, a pointer, on which it refuses bit tests. Pointer minus pointer is a plain
 * number to a privileged program: subtract the cast pointer, add its address back.
 */
#define mt_cast_ptr_word(type, addr, field)                                                        \
	({                                                                                         \
		type *__p = mt_cast(type, addr);                                                   \
		unsigned long __w = (unsigned long)__p->field;                                     \
		asm volatile("%0 -= %1" : "+r"(__w) : "r"(__p));                                   \
		__w + (unsigned long)(addr);                                                       \
	})

/* mt_compound_head(), mt_page_slab_kind() and mt_page_is_head() above, on a page given by its
 * address, through mt_cast(). */
static __always_inline __u64 mt_cast_compound_head(__u64 page)
{
	unsigned long info;

	if (bpf_core_field_exists(struct page___compound_head, compound_head)) {
		info = mt_cast_ptr_word(struct page___compound_head, page, compound_head);
		return info & 1 ? info - 1 : page;
	}
	if (bpf_core_field_exists(struct page___compound_info, compound_info)) {
		info = mt_cast_ptr_word(struct page___compound_info, page, compound_info);
		if (!(info & 1))
			return page;
		info &= ~1UL;
		if (((~info + 1) & ~info) == 0)
			return page & info;
		return info;
	}
	return 0;
}

static __always_inline unsigned long mt_cast_page_flags(__u64 page)
{
	if (bpf_core_field_exists(struct page___flags_ulong, flags))
		return mt_cast(struct page___flags_ulong, page)->flags;
	return mt_cast(struct page, page)->flags.f;
}

static __always_inline bool mt_cast_page_is_head(__u64 page)
{
	return mt_cast_page_flags(page) & (1UL << bpf_core_enum_value(enum pageflags, PG_head));
}

static __always_inline enum mt_slab_kind mt_cast_page_slab_kind(__u64 head)
{
	if (bpf_core_enum_value_exists(enum pagetype, PGTY_slab)) {
		unsigned int type = mt_cast(struct page, head)->page_type;

		return (type >> 24) == bpf_core_enum_value(enum pagetype, PGTY_slab) ?
			       MT_PAGE_SLAB :
			       MT_PAGE_OTHER;
	}
	if (bpf_core_enum_value_exists(enum pageflags___old, PG_slab) &&
	    bpf_core_field_exists(struct page___flags_ulong, flags)) {
		return mt_cast_page_flags(head) &
				       (1UL << bpf_core_enum_value(enum pageflags___old, PG_slab)) ?
			       MT_PAGE_SLAB :
			       MT_PAGE_OTHER;
	}
	return MT_PAGE_UNKNOWN;
}

#endif /* MT_COMPAT_BPF_H */
