// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>
#include "collect/calib.h"

/* The n-th record of a type, by its per-type sequence number. */
static const struct mt_calib_rec *nth(const struct mt_calib_rec *recs, size_t n, __u32 type,
				      __u64 seq)
{
	for (size_t i = 0; i < n; i++)
		if (recs[i].type == type && recs[i].seq == seq)
			return &recs[i];
	return NULL;
}

int mt_calib_solve(const struct mt_calib_rec *recs, size_t n, __u32 page_shift,
		   __u32 page_struct_size, __u64 align, struct mt_calib *c)
{
	const struct mt_calib_rec *last_pfn = NULL;
	__u64 base = 0;

	memset(c, 0, sizeof(*c));
	if (!page_struct_size) {
		snprintf(c->why, sizeof(c->why), "sizeof(struct page) unknown");
		return -1;
	}
	/*
	 * tp_btf and the classic tracepoint each saw the same page allocations of this thread
	 * in the same order: the k-th struct page and the k-th PFN are one page. Every pair
	 * must give the same base, or none is trusted.
	 */
	for (size_t i = 0; i < n; i++) {
		const struct mt_calib_rec *pg = &recs[i], *pf;
		__u64 b;

		if (pg->type != MT_REC_CALIB_PAGE)
			continue;
		pf = nth(recs, n, MT_REC_CALIB_PFN, pg->seq);
		if (!pf)
			break;
		if (pf->order != pg->order) {
			snprintf(c->why, sizeof(c->why), "page/PFN streams out of step at #%llu",
				 (unsigned long long)pg->seq);
			return -1;
		}
		b = pg->value - pf->value * page_struct_size;
		if (c->page_pairs && b != base) {
			snprintf(c->why, sizeof(c->why), "struct page/PFN pairs disagree");
			return -1;
		}
		base = b;
		c->page_pairs++;
	}
	if (c->page_pairs < 4) {
		snprintf(c->why, sizeof(c->why), "too few page allocations seen (%d)",
			 c->page_pairs);
		return -1;
	}
	if (align && (base & (align - 1))) {
		snprintf(c->why, sizeof(c->why), "vmemmap candidate %#llx is not aligned",
			 (unsigned long long)base);
		return -1;
	}
	c->vmemmap_base = base;

	/* A large kmalloc follows its own page allocation: pointer - (PFN << shift). */
	base = 0;
	for (size_t i = 0; i < n; i++) {
		const struct mt_calib_rec *r = &recs[i];
		__u64 b;

		if (r->type == MT_REC_CALIB_PFN) {
			last_pfn = r;
			continue;
		}
		if (r->type != MT_REC_CALIB_KMALLOC || !last_pfn)
			continue;
		if (r->bytes != (1ULL << page_shift) << last_pfn->order || last_pfn->order == 0 ||
		    (r->value & (r->bytes - 1)))
			continue;
		b = r->value - (last_pfn->value << page_shift);
		if (c->kmalloc_pairs && b != base) {
			snprintf(c->why, sizeof(c->why), "large kmalloc pairs disagree");
			return 0;
		}
		base = b;
		c->kmalloc_pairs++;
		last_pfn = NULL;
	}
	if (!c->kmalloc_pairs) {
		snprintf(c->why, sizeof(c->why), "no large kmalloc seen: direct map base unknown");
		return 0;
	}
	if (align && (base & (align - 1))) {
		snprintf(c->why, sizeof(c->why), "direct map candidate %#llx is not aligned",
			 (unsigned long long)base);
		return 0;
	}
	c->page_offset_base = base;
	return 0;
}
