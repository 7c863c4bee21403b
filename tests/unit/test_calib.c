// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The calibration solver (src/collect/calib_solve.c): from the ring-buffer records of memtrace's
 * own allocations it derives vmemmap_base and page_offset_base, which KASLR hides. A
 * wrong base silently misattributes every page to the wrong PFN and zone, so the tests
 * dwell on the streams it must refuse.
 *
 * x86_64 facts used: sizeof(struct page) 64, PAGE_SHIFT 12, both bases randomized in
 * 1 GiB (PUD) steps, buddy blocks of order n naturally aligned to 2^n pages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "collect/calib.h"

#define PAGE_STRUCT 64
#define SHIFT 12
#define ALIGN_1G (1ULL << 30)

#define VMEMMAP_STD 0xffffea0000000000ULL   /* without KASLR */
#define VMEMMAP_KASLR 0xffffd4a3c0000000ULL /* a randomized one: 1 GiB aligned */
#define DIRECT_STD 0xffff888000000000ULL
#define DIRECT_KASLR 0xffff9a1f40000000ULL

#define MAX_RECS 64

struct stream {
	struct mt_calib_rec r[MAX_RECS];
	size_t n;
	__u64 page_seq, pfn_seq, kmalloc_seq; /* each program numbers its own records */
};

static void push(struct stream *s, __u32 type, __u32 order, __u64 seq, __u64 value, __u64 bytes)
{
	assert_true(s->n < MAX_RECS);
	s->r[s->n++] = (struct mt_calib_rec){
		.type = type,
		.order = order,
		.seq = seq,
		.value = value,
		.bytes = bytes,
	};
}

/* One page allocation as both programs report it: struct page pointer, then PFN. */
static void page_alloc(struct stream *s, __u64 vmemmap, __u64 pfn, __u32 order)
{
	push(s, MT_REC_CALIB_PAGE, order, s->page_seq++, vmemmap + pfn * PAGE_STRUCT, 0);
	push(s, MT_REC_CALIB_PFN, order, s->pfn_seq++, pfn, 0);
}

static void kmalloc_rec(struct stream *s, __u64 ptr, __u64 bytes)
{
	push(s, MT_REC_CALIB_KMALLOC, 0, s->kmalloc_seq++, ptr, bytes);
}

/* A large kmalloc: its order-n page allocation, then the kmalloc with the direct-map
 * address of the same pages. */
static void large_kmalloc(struct stream *s, __u64 vmemmap, __u64 direct, __u64 pfn, __u32 order)
{
	page_alloc(s, vmemmap, pfn, order);
	kmalloc_rec(s, direct + (pfn << SHIFT), (1ULL << SHIFT) << order);
}

/* n order-0 allocations at scattered PFNs, as a busy system would hand them out */
static void pages(struct stream *s, __u64 vmemmap, int n)
{
	static const __u64 pfns[] = { 0x1a2b3, 0x4000,	 0x10ffff, 0x77,
				      0x5d5d5, 0x200000, 0x3,	   0x9abcd };

	for (int i = 0; i < n; i++)
		page_alloc(s, vmemmap, pfns[i % 8] + (__u64)(i / 8) * 0x100000, 0);
}

static int solve(const struct stream *s, struct mt_calib *c)
{
	/* start from garbage: the solver must reset every field it reports */
	memset(c, 0x5a, sizeof(*c));
	return mt_calib_solve(s->r, s->n, SHIFT, PAGE_STRUCT, ALIGN_1G, c);
}

static void test_vmemmap_standard(void **state)
{
	struct stream s = { 0 };
	struct mt_calib c;

	pages(&s, VMEMMAP_STD, 6);
	assert_int_equal(solve(&s, &c), 0);
	assert_true(c.vmemmap_base == VMEMMAP_STD);
	assert_int_equal(c.page_pairs, 6);
	assert_int_equal(c.kmalloc_pairs, 0);
	/* no large kmalloc in the stream: vmemmap is known, the direct map is not */
	assert_true(c.page_offset_base == 0);
	assert_non_null(strstr(c.why, "direct map"));
}

static void test_vmemmap_kaslr(void **state)
{
	struct stream s = { 0 };
	struct mt_calib c;

	assert_int_equal(VMEMMAP_KASLR & (ALIGN_1G - 1), 0); /* the premise */
	pages(&s, VMEMMAP_KASLR, 8);
	assert_int_equal(solve(&s, &c), 0);
	assert_true(c.vmemmap_base == VMEMMAP_KASLR);
	assert_int_equal(c.page_pairs, 8);
}

/* Pairs are matched by sequence number, not by position in the ring buffer. */
static void test_pairing_by_seq(void **state)
{
	static const __u64 pfns[] = { 0x1000, 0x2345, 0x10, 0xfffff, 0x54321 };
	struct stream s = { 0 };
	struct mt_calib c;

	/* all struct page records first, then the PFNs in reverse order */
	for (int i = 0; i < 5; i++)
		push(&s, MT_REC_CALIB_PAGE, 0, i, VMEMMAP_STD + pfns[i] * PAGE_STRUCT, 0);
	for (int i = 4; i >= 0; i--)
		push(&s, MT_REC_CALIB_PFN, 0, i, pfns[i], 0);
	assert_int_equal(solve(&s, &c), 0);
	assert_true(c.vmemmap_base == VMEMMAP_STD);
	assert_int_equal(c.page_pairs, 5);
}

/* Exactly four agreeing pairs are enough; three are not. */
static void test_pair_threshold(void **state)
{
	struct stream s = { 0 };
	struct mt_calib c;

	pages(&s, VMEMMAP_STD, 3);
	assert_int_equal(solve(&s, &c), -1);
	assert_int_equal(c.page_pairs, 3);
	assert_true(c.vmemmap_base == 0);
	assert_non_null(strstr(c.why, "too few"));
	assert_non_null(strstr(c.why, "(3)"));

	page_alloc(&s, VMEMMAP_STD, 0x123456, 0);
	assert_int_equal(solve(&s, &c), 0);
	assert_int_equal(c.page_pairs, 4);
	assert_true(c.vmemmap_base == VMEMMAP_STD);
}

static void test_empty_stream(void **state)
{
	struct mt_calib c;

	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(mt_calib_solve(NULL, 0, SHIFT, PAGE_STRUCT, ALIGN_1G, &c), -1);
	assert_int_equal(c.page_pairs, 0);
	assert_true(c.vmemmap_base == 0);
	assert_true(c.page_offset_base == 0);
	assert_true(c.why[0] != '\0');
}

/* The PFN program missed the last allocation: pairs up to it still count. */
static void test_trailing_unpaired_page(void **state)
{
	struct stream s = { 0 };
	struct mt_calib c;

	pages(&s, VMEMMAP_STD, 5);
	push(&s, MT_REC_CALIB_PAGE, 0, s.page_seq++, VMEMMAP_STD + 0x999 * PAGE_STRUCT, 0);
	assert_int_equal(solve(&s, &c), 0);
	assert_int_equal(c.page_pairs, 5);
	assert_true(c.vmemmap_base == VMEMMAP_STD);
}

/* The k-th records of the two programs are not the same allocation: trust nothing. */
static void test_streams_out_of_step(void **state)
{
	struct stream s = { 0 };
	struct mt_calib c;

	pages(&s, VMEMMAP_STD, 3);
	push(&s, MT_REC_CALIB_PAGE, 1, 3, VMEMMAP_STD + 0x2000 * PAGE_STRUCT, 0);
	push(&s, MT_REC_CALIB_PFN, 0, 3, 0x2000, 0); /* order 0 where the page said 1 */
	pages(&s, VMEMMAP_STD, 3);
	/* re-number the last three so the sequences stay gap-free */
	for (size_t i = s.n - 6; i < s.n; i++)
		s.r[i].seq += 1;
	assert_int_equal(solve(&s, &c), -1);
	assert_true(c.vmemmap_base == 0);
	assert_non_null(strstr(c.why, "out of step"));
	assert_non_null(strstr(c.why, "#3"));
}

/* One pair off by a single struct page: the bases disagree, none is trusted. */
static void test_pairs_disagree(void **state)
{
	struct stream s = { 0 };
	struct mt_calib c;

	pages(&s, VMEMMAP_STD, 6);
	s.r[8].value += PAGE_STRUCT; /* the 5th struct page record */
	assert_int_equal(s.r[8].type, MT_REC_CALIB_PAGE);
	assert_int_equal(solve(&s, &c), -1);
	assert_true(c.vmemmap_base == 0);
	assert_non_null(strstr(c.why, "disagree"));
}

/* Consistent pairs, but a base no KASLR layout can produce: refused. */
static void test_vmemmap_unaligned(void **state)
{
	struct stream s = { 0 };
	struct mt_calib c;

	pages(&s, VMEMMAP_STD + 0x1000, 6);
	assert_int_equal(solve(&s, &c), -1);
	assert_true(c.vmemmap_base == 0);
	assert_non_null(strstr(c.why, "not aligned"));

	/* align 0 turns the check off */
	assert_int_equal(mt_calib_solve(s.r, s.n, SHIFT, PAGE_STRUCT, 0, &c), 0);
	assert_true(c.vmemmap_base == VMEMMAP_STD + 0x1000);
}

static void test_page_struct_size_unknown(void **state)
{
	struct stream s = { 0 };
	struct mt_calib c;

	pages(&s, VMEMMAP_STD, 6);
	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(mt_calib_solve(s.r, s.n, SHIFT, 0, ALIGN_1G, &c), -1);
	assert_true(c.vmemmap_base == 0);
	assert_int_equal(c.page_pairs, 0);
	assert_non_null(strstr(c.why, "struct page"));
}

/* ---- page_offset_base from large kmallocs ---- */

static void test_direct_map(void **state)
{
	const __u64 pfn = 0x12340; /* a multiple of 16: order-4 blocks are aligned so */
	struct stream s = { 0 };
	struct mt_calib c;

	pages(&s, VMEMMAP_STD, 4);
	large_kmalloc(&s, VMEMMAP_STD, DIRECT_STD, pfn, 4);
	assert_int_equal(s.r[s.n - 1].bytes, 65536);
	assert_int_equal(solve(&s, &c), 0);
	assert_true(c.vmemmap_base == VMEMMAP_STD);
	assert_int_equal(c.page_pairs, 5); /* the kmalloc's pages pair up too */
	assert_int_equal(c.kmalloc_pairs, 1);
	/* pointer - (PFN << 12) */
	assert_true(c.page_offset_base == (DIRECT_STD + (pfn << SHIFT)) - (pfn << SHIFT));
	assert_true(c.page_offset_base == DIRECT_STD);
	assert_string_equal(c.why, "");
}

static void test_direct_map_kaslr_two_agree(void **state)
{
	struct stream s = { 0 };
	struct mt_calib c;

	pages(&s, VMEMMAP_KASLR, 4);
	large_kmalloc(&s, VMEMMAP_KASLR, DIRECT_KASLR, 0x12340, 4);
	pages(&s, VMEMMAP_KASLR, 2);
	large_kmalloc(&s, VMEMMAP_KASLR, DIRECT_KASLR, 0x80002, 1); /* 8 KiB, order 1 */
	assert_int_equal(solve(&s, &c), 0);
	assert_true(c.vmemmap_base == VMEMMAP_KASLR);
	assert_int_equal(c.kmalloc_pairs, 2);
	assert_true(c.page_offset_base == DIRECT_KASLR);
}

/* kmalloc records that cannot be the pages just allocated are passed over. */
static void test_kmalloc_ignored(void **state)
{
	const __u64 pfn = 0x12340;
	struct stream s = { 0 };
	struct mt_calib c;

	/* no page allocation before it: nothing to pair with */
	kmalloc_rec(&s, DIRECT_STD + (pfn << SHIFT), 65536);
	pages(&s, VMEMMAP_STD, 4);
	/* order 4 is 64 KiB: a 32 KiB kmalloc was served from elsewhere */
	page_alloc(&s, VMEMMAP_STD, pfn, 4);
	kmalloc_rec(&s, DIRECT_STD + (pfn << SHIFT), 32768);
	/* the size fits but the pointer is not 64 KiB aligned: not this block */
	page_alloc(&s, VMEMMAP_STD, pfn, 4);
	kmalloc_rec(&s, DIRECT_STD + (pfn << SHIFT) + 4096, 65536);
	/* order 0: a page-sized kmalloc comes from a slab, not straight from the pages */
	page_alloc(&s, VMEMMAP_STD, 0x5000, 0);
	kmalloc_rec(&s, DIRECT_STD + (0x5000ULL << SHIFT), 4096);
	assert_int_equal(solve(&s, &c), 0);
	assert_true(c.vmemmap_base == VMEMMAP_STD);
	assert_int_equal(c.kmalloc_pairs, 0);
	assert_true(c.page_offset_base == 0);
	assert_non_null(strstr(c.why, "direct map"));
}

/* One page allocation pairs with one kmalloc: a second kmalloc after it is not paired. */
static void test_kmalloc_uses_pfn_once(void **state)
{
	const __u64 pfn = 0x12340;
	struct stream s = { 0 };
	struct mt_calib c;

	pages(&s, VMEMMAP_STD, 4);
	large_kmalloc(&s, VMEMMAP_STD, DIRECT_STD, pfn, 4);
	/* would give a different base if it were paired with the same PFN */
	kmalloc_rec(&s, DIRECT_STD + (1ULL << 30) + (pfn << SHIFT), 65536);
	assert_int_equal(solve(&s, &c), 0);
	assert_int_equal(c.kmalloc_pairs, 1);
	assert_true(c.page_offset_base == DIRECT_STD);
}

/* Two large kmallocs that imply different bases: vmemmap stands, the direct map does not. */
static void test_kmalloc_disagree(void **state)
{
	struct stream s = { 0 };
	struct mt_calib c;

	pages(&s, VMEMMAP_STD, 4);
	large_kmalloc(&s, VMEMMAP_STD, DIRECT_STD, 0x12340, 4);
	large_kmalloc(&s, VMEMMAP_STD, DIRECT_STD + (1ULL << 30), 0x20000, 4);
	assert_int_equal(solve(&s, &c), 0);
	assert_true(c.vmemmap_base == VMEMMAP_STD);
	assert_true(c.page_offset_base == 0);
	assert_non_null(strstr(c.why, "disagree"));
}

static void test_direct_map_unaligned(void **state)
{
	struct stream s = { 0 };
	struct mt_calib c;

	pages(&s, VMEMMAP_STD, 4);
	/* 64 KiB off a 1 GiB boundary: every pointer is still 64 KiB aligned */
	large_kmalloc(&s, VMEMMAP_STD, DIRECT_STD + 0x10000, 0x12340, 4);
	assert_int_equal(solve(&s, &c), 0);
	assert_true(c.vmemmap_base == VMEMMAP_STD);
	assert_int_equal(c.kmalloc_pairs, 1);
	assert_true(c.page_offset_base == 0);
	assert_non_null(strstr(c.why, "not aligned"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmemmap_standard),
		cmocka_unit_test(test_vmemmap_kaslr),
		cmocka_unit_test(test_pairing_by_seq),
		cmocka_unit_test(test_pair_threshold),
		cmocka_unit_test(test_empty_stream),
		cmocka_unit_test(test_trailing_unpaired_page),
		cmocka_unit_test(test_streams_out_of_step),
		cmocka_unit_test(test_pairs_disagree),
		cmocka_unit_test(test_vmemmap_unaligned),
		cmocka_unit_test(test_page_struct_size_unknown),
		cmocka_unit_test(test_direct_map),
		cmocka_unit_test(test_direct_map_kaslr_two_agree),
		cmocka_unit_test(test_kmalloc_ignored),
		cmocka_unit_test(test_kmalloc_uses_pfn_once),
		cmocka_unit_test(test_kmalloc_disagree),
		cmocka_unit_test(test_direct_map_unaligned),
	};

	return cmocka_run_group_tests_name("vmemmap / direct map calibration", tests, NULL, NULL);
}
