// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>
#include "collect/alloclat_pick.h"

/*
 * 6.10 ("mm: introduce slabobj_ext ... memory allocation profiling") renamed the allocator
 * entry points *_noprof. Constant-size kmalloc went through kmem_cache_alloc_trace (< 6.1),
 * kmalloc_trace (6.1-6.9), kmalloc_trace_noprof (6.10) and __kmalloc_cache_noprof (6.11+).
 * Since 6.15 __alloc_pages_noprof wraps __alloc_frozen_pages_noprof, which the slab
 * allocator also calls directly: hook the inner one where it exists.
 */
static const char *const kmalloc_names[] = { "__kmalloc_noprof", "__kmalloc", NULL };
static const char *const kmalloc_cache_names[] = { "__kmalloc_cache_noprof", "kmalloc_trace_noprof",
						   "kmalloc_trace", "kmem_cache_alloc_trace",
						   NULL };
static const char *const kmem_cache_alloc_names[] = { "kmem_cache_alloc_noprof", "kmem_cache_alloc",
						      NULL };
static const char *const page_alloc_names[] = { "__alloc_frozen_pages_noprof",
						"__alloc_pages_noprof", "__alloc_pages", NULL };
static const char *const vmalloc_names[] = { "__vmalloc_node_range_noprof", "__vmalloc_node_range",
					     NULL };

static const char *const *const candidates[MT_CALL_SLOTS] = {
	[MT_CALL_KMALLOC] = kmalloc_names,
	[MT_CALL_KMALLOC_CACHE] = kmalloc_cache_names,
	[MT_CALL_KMEM_CACHE_ALLOC] = kmem_cache_alloc_names,
	[MT_CALL_PAGE_ALLOC] = page_alloc_names,
	[MT_CALL_VMALLOC] = vmalloc_names,
};

const char *const *mt_alloclat_candidates(int slot)
{
	return slot >= 0 && slot < MT_CALL_SLOTS ? candidates[slot] : NULL;
}

const char *mt_alloclat_pick(int slot, mt_has_func_fn has, void *ctx)
{
	const char *const *c = mt_alloclat_candidates(slot);

	for (; c && *c; c++)
		if (has(*c, ctx))
			return *c;
	return NULL;
}

int mt_alloclat_pick_all(mt_has_func_fn has, void *ctx, const char *names[MT_CALL_SLOTS])
{
	int n = 0;

	for (int s = 0; s < MT_CALL_SLOTS; s++) {
		names[s] = mt_alloclat_pick(s, has, ctx);
		n += names[s] != NULL;
	}
	return n;
}
