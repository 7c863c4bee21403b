// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Kernel logical addresses: slab objects from kmalloc and kmem_cache_alloc, and their frees.
 * One handler per event; tp_btf wrappers (the cheap attach type) and classic tracepoint
 * wrappers (the fallback), of which the loader keeps one set.
 */
#include "memtrace.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mt_cache_front);
} cache_front SEC(".maps");

/* A named cache's first sighting on this CPU fills in its name and geometry. */
static __always_inline struct mt_cache *cache_row(struct mt_stats *st, __u64 key,
						  const struct kmem_cache *s, const char *name)
{
	struct mt_cache *c, fresh = {};

	c = bpf_map_lookup_elem(&caches, &key);
	if (c)
		return c;
	if (s) {
		bpf_probe_read_kernel_str(fresh.name, sizeof(fresh.name),
					  (const char *)MT_READ_LONG(s, name));
		fresh.object_size = BPF_CORE_READ(s, object_size);
		fresh.size = BPF_CORE_READ(s, size);
	} else if (name) {
		bpf_probe_read_kernel_str(fresh.name, sizeof(fresh.name), name);
	}
	bpf_map_update_elem(&caches, &key, &fresh, BPF_NOEXIST);
	c = bpf_map_lookup_elem(&caches, &key);
	if (!c)
		st->lost[MT_LOSS_CACHE_FULL]++;
	return c;
}

/*
 * Count an allocation (req, alloc) or a free (freed) of the cache key: in the key's slot of
 * this CPU's front (struct mt_cache_front), after moving the counts of the key that held
 * the slot into its row; the slot comes from a hash of the key. An event nested in an
 * interrupt while another counts here (busy) goes to the hash directly, so neither ever
 * sees a slot half moved or counts into a slot that changed hands under it.
 */
static __always_inline void cache_count(struct mt_stats *st, __u64 key, const struct kmem_cache *s,
					const char *name, bool is_free, __u64 req, __u64 alloc,
					__u64 freed)
{
	struct mt_cache_front *f;
	struct mt_cache_slot *e;
	struct mt_cache *c;
	__u32 zero = 0, i;

	f = bpf_map_lookup_elem(&cache_front, &zero);
	if (!f || f->busy) {
		c = cache_row(st, key, s, name);
		if (!c)
			return;
		if (is_free) {
			c->frees++;
			c->bytes_freed += freed;
		} else {
			c->allocs++;
			c->bytes_req += req;
			c->bytes_alloc += alloc;
		}
		return;
	}
	f->busy = 1;
	i = mt_cache_slot_of(key);
	barrier_var(i);
	e = &f->slot[i & (MT_CACHE_SLOTS - 1)];
	if (e->key != key) {
		if (e->key) {
			c = bpf_map_lookup_elem(&caches, &e->key);
			if (c) {
				c->allocs += e->allocs;
				c->frees += e->frees;
				c->bytes_req += e->bytes_req;
				c->bytes_alloc += e->bytes_alloc;
				c->bytes_freed += e->bytes_freed;
			}
			e->key = 0;
		}
		if (!cache_row(st, key, s, name)) {
			f->busy = 0;
			return;
		}
		e->allocs = e->frees = e->bytes_req = e->bytes_alloc = e->bytes_freed = 0;
		e->key = key;
	}
	if (is_free) {
		e->frees++;
		e->bytes_freed += freed;
	} else {
		e->allocs++;
		e->bytes_req += req;
		e->bytes_alloc += alloc;
	}
	f->busy = 0;
}

/*
 * The size of the object at ptr, as ksize() would find it: the slab's cache size, or the
 * whole compound page for a large kmalloc. 0 when the kernel layout or the direct map is
 * unknown; the caller counts that as an unsized free rather than guessing. cast (a
 * constant in each caller): read through bpf_rdonly_cast (compat.bpf.h) instead of probe
 * reads; kfree's four reads were most of its cost.
 */
static __always_inline __u64 slab_object_size(const void *ptr, const struct kmem_cache **sp,
					      bool cast)
{
	struct page *page = mt_virt_to_page(ptr);
	enum mt_slab_kind kind;
	int order;

	if (page)
		page = cast ? (struct page *)mt_cast_compound_head((__u64)page) :
			      mt_compound_head(page);
	if (!page)
		return 0;
	kind = cast ? mt_cast_page_slab_kind((__u64)page) : mt_page_slab_kind(page);
	switch (kind) {
	case MT_PAGE_SLAB:
		if (cast) {
			struct kmem_cache *s = mt_cast(struct slab, page)->slab_cache;

			*sp = s;
			return s->size;
		}
		*sp = (const struct kmem_cache *)MT_READ_LONG((struct slab *)page, slab_cache);
		return BPF_CORE_READ(*sp, size);
	case MT_PAGE_OTHER:
		/* large kmalloc: always a compound page (order >= 1), freed whole */
		if (!(cast ? mt_cast_page_is_head((__u64)page) : mt_page_is_head(page)))
			return 0;
		/* probe reads in both: rare, and on 6.2-6.5 the order is a byte inside what
		 * the kernel's BTF calls a pointer, which a cast load may not read */
		order = mt_compound_order(page);
		return order < 0 ? 0 : (1ULL << page_shift) << order;
	default:
		return 0;
	}
}

/* s->size and s->object_size of a cache the event names, the cheap way where it can. */
static __always_inline __u32 cache_size(const struct kmem_cache *s, bool cast)
{
	return cast ? mt_cast(struct kmem_cache, s)->size : BPF_CORE_READ(s, size);
}

static __always_inline __u32 cache_object_size(const struct kmem_cache *s, bool cast)
{
	return cast ? mt_cast(struct kmem_cache, s)->object_size : BPF_CORE_READ(s, object_size);
}

/*
 * Kernel logical means direct-mapped: __pa(ptr) = ptr - page_offset_base, whose PFN names
 * the zone the object's page came from. A pointer outside the direct map is counted, not
 * placed (it must never happen: the live test asserts 0). The first few are kept as
 * examples of the __pa() translation.
 */
static __always_inline void slab_zone(__u64 ptr, __u64 gfp)
{
	struct mt_zone_stats *zs = mt_zstats();
	__u64 pa, n;
	__u32 z;

	if (!zs)
		return;
	if (!zs->slab_ptr_min || ptr < zs->slab_ptr_min)
		zs->slab_ptr_min = ptr;
	if (ptr > zs->slab_ptr_max)
		zs->slab_ptr_max = ptr;
	if (!page_offset_base) {
		zs->slab_unplaced++;
		return;
	}
	if (ptr < page_offset_base || ptr >= direct_map_end) {
		zs->slab_not_logical++;
		return;
	}
	pa = ptr - page_offset_base;
	z = mt_pfn_zone(pa >> page_shift);
	barrier_var(z);
	zs->slab_asked_got[gfp & MT_GFP_ZONEMASK][z & (MT_ZONE_SLOTS - 1)]++;
	n = zs->nr_samples;
	if (n < MT_SLAB_SAMPLES) {
		barrier_var(n);
		zs->samples[n & (MT_SLAB_SAMPLES - 1)].ptr = ptr;
		zs->samples[n & (MT_SLAB_SAMPLES - 1)].phys = pa;
		zs->nr_samples = n + 1;
	}
}

static __always_inline int on_alloc(void *ctx, __u64 call_site, const void *ptr, __u64 req,
				    __u64 alloc, const struct kmem_cache *s, const char *name,
				    __u64 key, __u64 gfp)
{
	struct mt_counts *c;
	struct mt_stats *st;
	__u32 tgid;

	st = mt_begin(&tgid);
	if (!st)
		return 0;
	c = &st->cls[MT_CLASS_LOGICAL];
	if (!ptr) {
		c->failures++;
		return 0;
	}
	c->allocs++;
	c->bytes_req += req;
	c->bytes_alloc += alloc;
	st->size_hist[MT_CLASS_LOGICAL][mt_slot(alloc)]++;
	mt_proc_alloc(st, tgid, MT_CLASS_LOGICAL, alloc);
	slab_zone((__u64)ptr, gfp);
	if (key)
		cache_count(st, key, s, name, false, req, alloc, 0);
	mt_track_alloc(ctx, tgid, MT_CLASS_LOGICAL, (__u64)ptr, alloc, req, call_site);
	return 0;
}

static __always_inline int on_free(const void *ptr, const struct kmem_cache *s, __u64 key,
				   bool cast)
{
	const struct kmem_cache *owner = NULL;
	struct mt_counts *c;
	struct mt_stats *st;
	/* zeroed: without it clang -m32's register allocator reloads own.tgid on paths that
	 * never wrote it, and 6.1's verifier refuses the read of uninitialised stack */
	struct mt_obj own = {};
	bool owned = false;
	__u64 size;
	__u32 tgid;

	st = mt_begin(&tgid);
	/* in scope or not: the owner's object may be freed by anyone (pair.bpf.h) */
	if ((__u64)ptr > MT_ZERO_SIZE_PTR)
		owned = mt_track_free_owner(MT_CLASS_LOGICAL, (__u64)ptr, st != NULL, &own);
	if (owned)
		mt_owner_free(tgid, MT_CLASS_LOGICAL, &own);
	if (!st)
		return 0;
	c = &st->cls[MT_CLASS_LOGICAL];
	if ((__u64)ptr <= MT_ZERO_SIZE_PTR) {
		c->null_frees++;
		return 0;
	}
	size = s ? cache_size(s, cast) : slab_object_size(ptr, &owner, cast);
	c->frees++;
	if (size)
		c->bytes_freed += size;
	else
		c->frees_unsized++;
	if (!track_pairs)
		mt_proc_free(st, tgid, MT_CLASS_LOGICAL, size);
	else
		mt_proc_free_paired(tgid, MT_CLASS_LOGICAL, size, owned ? own.tgid : 0);
	if (!key && size)
		key = size | MT_CACHE_KEY_KMALLOC;
	if (!key)
		return 0;
	cache_count(st, key, s, NULL, true, 0, 0, size);
	return 0;
}

/*
 * The fast path is raw_tp, not tp_btf: every kmem event passes the object as `const void *`,
 * and on 6.12 tp_btf's typed context refuses to read a pointer to const void ("func
 * 'kmalloc' arg1 type UNKNOWN is not a struct": the program does not load), where 6.18
 * accepts it. raw_tp hands the same arguments over as plain numbers through the same
 * bpf_trace_run, at the same cost, on every kernel; the cache is read with CO-RE.
 */
SEC("raw_tp/kmalloc")
int BPF_PROG(kmalloc_raw, unsigned long call_site, __u64 ptr, __u64 bytes_req, __u64 bytes_alloc,
	     unsigned int gfp)
{
	return on_alloc(ctx, call_site, (const void *)ptr, bytes_req, bytes_alloc, NULL, NULL,
			bytes_alloc | MT_CACHE_KEY_KMALLOC, gfp);
}

/* 6.1+: (call_site, ptr, struct kmem_cache *s, gfp_flags, node) */
static __always_inline int kmem_cache_alloc_fast(void *ctx, unsigned long call_site, __u64 ptr,
						 __u64 cache, unsigned int gfp, bool cast)
{
	const struct kmem_cache *s = (const struct kmem_cache *)cache;

	return on_alloc(ctx, call_site, (const void *)ptr, cache_object_size(s, cast),
			cache_size(s, cast), s, NULL, cache, gfp);
}

SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(kmem_cache_alloc_raw, unsigned long call_site, __u64 ptr, __u64 cache,
	     unsigned int gfp)
{
	return kmem_cache_alloc_fast(ctx, call_site, ptr, cache, gfp, false);
}

SEC("raw_tp/kfree")
int BPF_PROG(kfree_raw, unsigned long call_site, __u64 ptr)
{
	return on_free((const void *)ptr, NULL, 0, false);
}

SEC("raw_tp/kmem_cache_free")
int BPF_PROG(kmem_cache_free_raw, unsigned long call_site, __u64 ptr, __u64 cache)
{
	return on_free((const void *)ptr, (const struct kmem_cache *)cache, cache, false);
}

/*
 * The same three with the kernel's structs read through bpf_rdonly_cast (6.2+, 64-bit): the
 * loader picks these over the three above where the kfunc is there (mt_probe_rdonly_cast).
 */
SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(kmem_cache_alloc_cast, unsigned long call_site, __u64 ptr, __u64 cache,
	     unsigned int gfp)
{
	return kmem_cache_alloc_fast(ctx, call_site, ptr, cache, gfp, true);
}

SEC("raw_tp/kfree")
int BPF_PROG(kfree_cast, unsigned long call_site, __u64 ptr)
{
	return on_free((const void *)ptr, NULL, 0, true);
}

SEC("raw_tp/kmem_cache_free")
int BPF_PROG(kmem_cache_free_cast, unsigned long call_site, __u64 ptr, __u64 cache)
{
	return on_free((const void *)ptr, (const struct kmem_cache *)cache, cache, true);
}

/*
 * Classic tracepoints: the fallback where the fast path cannot attach. Their fields are read
 * directly from the record: libbpf then relocates the load's size too, where BPF_CORE_READ
 * would copy vmlinux.h's 8 bytes of a 4-byte size_t or pointer on a 32-bit kernel.
 */

SEC("tracepoint/kmem/kmalloc")
int kmalloc_tp(void *ctx)
{
	struct trace_event_raw_kmalloc *e = ctx;
	__u64 req, alloc, site, gfp;
	const void *ptr;

	if (bpf_core_type_exists(struct trace_event_raw_kmalloc)) {
		site = e->call_site;
		ptr = e->ptr;
		req = e->bytes_req;
		alloc = e->bytes_alloc;
		gfp = e->gfp_flags;
	} else {
		struct trace_event_raw_kmem_alloc___old *o = ctx;

		/* probe reads: direct loads in both branches get merged into one load from a
		 * computed ctx offset, which 6.1's verifier refuses; pre-6.1 is 64-bit only */
		site = BPF_CORE_READ(o, call_site);
		ptr = BPF_CORE_READ(o, ptr);
		req = BPF_CORE_READ(o, bytes_req);
		alloc = BPF_CORE_READ(o, bytes_alloc);
		gfp = BPF_CORE_READ(o, gfp_flags);
	}
	return on_alloc(ctx, site, ptr, req, alloc, NULL, NULL, alloc | MT_CACHE_KEY_KMALLOC, gfp);
}

/* FNV-1a of a cache name: the classic event gives the name, not the struct kmem_cache. */
static __always_inline __u64 name_key(const char *name)
{
	char buf[MT_CACHE_NAME_LEN] = {};
	__u64 h = 0xcbf29ce484222325ULL;

	bpf_probe_read_kernel_str(buf, sizeof(buf), name);
	for (int i = 0; i < MT_CACHE_NAME_LEN && buf[i]; i++)
		h = (h ^ (__u8)buf[i]) * 0x100000001b3ULL;
	/* top bits 10: neither a kernel pointer (11/00) nor a kmalloc key (01) */
	return (h & ((1ULL << 62) - 1)) | (2ULL << 62);
}

SEC("tracepoint/kmem/kmem_cache_alloc")
int kmem_cache_alloc_tp(struct trace_event_raw_kmem_cache_alloc *e)
{
	const void *ptr = e->ptr;
	const struct kmem_cache *s = NULL;
	const char *name = NULL;
	__u64 key = 0;

	if (mt_kmem_cache_alloc_tp_has_name()) {
		name = (const char *)e + (e->__data_loc_name & 0xffff);
		key = name_key(name);
	} else if (ptr && slab_object_size(ptr, &s, false) && s) {
		/* no name in the event: the object's slab page names its cache */
		name = (const char *)MT_READ_LONG(s, name);
		key = name_key(name);
	}
	return on_alloc(e, e->call_site, ptr, e->bytes_req, e->bytes_alloc, NULL, name, key,
			e->gfp_flags);
}

SEC("tracepoint/kmem/kfree")
int kfree_tp(struct trace_event_raw_kfree *e)
{
	return on_free(e->ptr, NULL, 0, false);
}

SEC("tracepoint/kmem/kmem_cache_free")
int kmem_cache_free_tp(struct trace_event_raw_kmem_cache_free *e)
{
	const char *name = (const char *)e + (e->__data_loc_name & 0xffff);

	return on_free(e->ptr, NULL, name_key(name), false);
}
