// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * /proc/zoneinfo parsing and PFN -> zone lookup (src/sys/zones.c). The table is copied into the
 * BPF programs' .rodata and the kernel side applies the same half-open [start, end) rule,
 * so a boundary wrong here puts pages in the wrong zone of the report.
 *
 * Fixtures are read relative to the repository root (where `make` runs the tests);
 * MT_FIXTURES overrides the directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sys/zones.h"

static void load_fixture(const char *name, struct mt_zone_table *t)
{
	const char *dir = getenv("MT_FIXTURES");
	char path[512];
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/fixtures", name);
	err = mt_zones_load(path, t);
	if (err)
		fail_msg("%s: %s (run from the repository root or set MT_FIXTURES)", path,
			 strerror(-err));
}

static void parse_text(const char *text, struct mt_zone_table *t)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(f);
	assert_int_equal(mt_zones_parse(f, t), 0);
	fclose(f);
}

static void assert_zone(const struct mt_zone *z, int node, const char *name, __u64 start,
			__u64 spanned, __u64 present)
{
	assert_int_equal(z->node, node);
	assert_string_equal(z->name, name);
	assert_int_equal(z->start_pfn, start);
	assert_int_equal(z->spanned, spanned);
	assert_int_equal(z->present, present);
}

/*
 * This machine's own /proc/zoneinfo (x86_64, 6.18, 2 CPUs): DMA, DMA32 and Normal are
 * populated; Movable and Device span nothing and print no start_pfn. The numbers below
 * were read off the fixture's "spanned", "present" and "start_pfn" lines.
 */
static void test_x86_64_zones(void **state)
{
	struct mt_zone_table t;

	load_fixture("zoneinfo-x86_64.txt", &t);
	assert_int_equal(t.nr, 3);
	assert_int_equal(t.skipped, 0);
	assert_zone(&t.z[0], 0, "DMA", 1, 4095, 3998);
	assert_zone(&t.z[1], 0, "DMA32", 4096, 1044480, 782336);
	assert_zone(&t.z[2], 0, "Normal", 1048576, 5505024, 5505024);
	/* Normal ends at 1048576 + 5505024 = 6553600 (25 GiB of PFN space) */
	assert_int_equal(mt_zones_max_pfn(&t), 6553600);
}

static void test_x86_64_lookup(void **state)
{
	struct mt_zone_table t;

	load_fixture("zoneinfo-x86_64.txt", &t);
	assert_int_equal(mt_zones_lookup(&t, 0), MT_ZONE_UNKNOWN); /* PFN 0 is in no zone */
	assert_int_equal(mt_zones_lookup(&t, 1), 0);
	assert_int_equal(mt_zones_lookup(&t, 4095), 0);
	assert_int_equal(mt_zones_lookup(&t, 4096), 1); /* 16 MiB */
	assert_int_equal(mt_zones_lookup(&t, 1048575), 1);
	assert_int_equal(mt_zones_lookup(&t, 1048576), 2); /* 4 GiB */
	assert_int_equal(mt_zones_lookup(&t, 6553599), 2);
	assert_int_equal(mt_zones_lookup(&t, 6553600), MT_ZONE_UNKNOWN);
	assert_int_equal(mt_zones_lookup(&t, UINT64_MAX), MT_ZONE_UNKNOWN);
}

/*
 * A 32-bit machine with 3 GiB: DMA below 16 MiB, Normal up to the 896 MiB lowmem line
 * (229376 pages), HighMem above it; Movable empty.
 */
static void test_i386_highmem_zones(void **state)
{
	struct mt_zone_table t;

	load_fixture("zoneinfo-i386-highmem.txt", &t);
	assert_int_equal(t.nr, 3);
	assert_int_equal(t.skipped, 0);
	assert_zone(&t.z[0], 0, "DMA", 1, 4095, 3998);
	assert_zone(&t.z[1], 0, "Normal", 4096, 225280, 225280);
	assert_zone(&t.z[2], 0, "HighMem", 229376, 557056, 557056);
	for (int i = 0; i < t.nr; i++)
		assert_string_not_equal(t.z[i].name, "Movable");
	/* 3 GiB / 4 KiB = 786432 */
	assert_int_equal(mt_zones_max_pfn(&t), 786432);
}

static void test_i386_highmem_lookup(void **state)
{
	struct mt_zone_table t;

	load_fixture("zoneinfo-i386-highmem.txt", &t);
	assert_int_equal(mt_zones_lookup(&t, 0), MT_ZONE_UNKNOWN);
	assert_int_equal(mt_zones_lookup(&t, 1), 0);
	assert_int_equal(mt_zones_lookup(&t, 4095), 0);
	assert_int_equal(mt_zones_lookup(&t, 4096), 1);
	assert_int_equal(mt_zones_lookup(&t, 229375), 1); /* last lowmem page */
	assert_int_equal(mt_zones_lookup(&t, 229376), 2); /* first highmem page */
	assert_int_equal(mt_zones_lookup(&t, 786431), 2);
	assert_int_equal(mt_zones_lookup(&t, 786432), MT_ZONE_UNKNOWN);
	assert_int_equal(mt_zones_lookup(&t, 1ULL << 40), MT_ZONE_UNKNOWN);
}

/* Two nodes: the node number comes from each block's own header. */
static void test_two_nodes(void **state)
{
	static const char text[] = "Node 0, zone   Normal\n"
				   "        spanned  1000\n"
				   "        present  900\n"
				   "  start_pfn:           0\n"
				   "Node 1, zone   Normal\n"
				   "        spanned  2000\n"
				   "        present  2000\n"
				   "  start_pfn:           1000\n"
				   "Node 1, zone  Movable\n"
				   "        spanned  0\n"
				   "        present  0\n";
	struct mt_zone_table t;

	parse_text(text, &t);
	assert_int_equal(t.nr, 2);
	assert_zone(&t.z[0], 0, "Normal", 0, 1000, 900);
	assert_zone(&t.z[1], 1, "Normal", 1000, 2000, 2000);
	/* a zone starting at PFN 0 holds PFN 0 */
	assert_int_equal(mt_zones_lookup(&t, 0), 0);
	assert_int_equal(mt_zones_lookup(&t, 999), 0);
	assert_int_equal(mt_zones_lookup(&t, 1000), 1);
	assert_int_equal(mt_zones_lookup(&t, 2999), 1);
	assert_int_equal(mt_zones_lookup(&t, 3000), MT_ZONE_UNKNOWN);
	assert_int_equal(mt_zones_max_pfn(&t), 3000);
}

/*
 * A block cut off before its start_pfn line (a truncated read) gives no range to trust;
 * the zones before it still count. And "present" cannot stand in for "spanned".
 */
static void test_incomplete_block(void **state)
{
	static const char text[] = "Node 0, zone      DMA\n"
				   "        spanned  4095\n"
				   "        present  3998\n"
				   "  start_pfn:           1\n"
				   "Node 0, zone   Normal\n"
				   "        spanned  5000\n"
				   "        present  5000\n";
	struct mt_zone_table t;

	parse_text(text, &t);
	assert_int_equal(t.nr, 1);
	assert_string_equal(t.z[0].name, "DMA");
	assert_int_equal(mt_zones_lookup(&t, 4096), MT_ZONE_UNKNOWN);
}

/* Lines before the first zone header (or unrelated text) are not zones. */
static void test_noise_before_header(void **state)
{
	static const char text[] = "        spanned  77\n"
				   "  start_pfn:           5\n"
				   "garbage\n"
				   "Node 0, zone   Normal\n"
				   "        spanned  10\n"
				   "  start_pfn:           20\n";
	struct mt_zone_table t;

	parse_text(text, &t);
	assert_int_equal(t.nr, 1);
	assert_int_equal(t.z[0].start_pfn, 20);
	assert_int_equal(t.z[0].spanned, 10);
	assert_int_equal(t.z[0].present, 0); /* no present line: 0, not a neighbour's */
}

/*
 * Kernels print no start_pfn for an empty zone, but should one appear, an empty range
 * must still not take one of the MT_MAX_ZONE_RANGES slots. And a start_pfn line only
 * closes the block it ends: a stray second one adds no copy of the zone.
 */
static void test_empty_zone_with_start_pfn(void **state)
{
	static const char text[] = "Node 0, zone  Movable\n"
				   "        spanned  0\n"
				   "        present  0\n"
				   "  start_pfn:           0\n"
				   "Node 0, zone   Normal\n"
				   "        spanned  100\n"
				   "        present  100\n"
				   "  start_pfn:           4096\n"
				   "  start_pfn:           8192\n";
	struct mt_zone_table t;

	parse_text(text, &t);
	assert_int_equal(t.nr, 1);
	assert_int_equal(t.skipped, 0);
	assert_string_equal(t.z[0].name, "Normal");
	assert_int_equal(t.z[0].start_pfn, 4096);
	assert_int_equal(mt_zones_lookup(&t, 8192), MT_ZONE_UNKNOWN);
}

static void test_empty_input(void **state)
{
	struct mt_zone_table t;

	/* the parser must reset the table itself: start from garbage */
	memset(&t, 0x5a, sizeof(t));
	parse_text("", &t);
	assert_int_equal(t.nr, 0);
	assert_int_equal(t.skipped, 0);
	assert_int_equal(mt_zones_max_pfn(&t), 0);
	assert_int_equal(mt_zones_lookup(&t, 0), MT_ZONE_UNKNOWN);
	assert_int_equal(mt_zones_lookup(&t, 12345), MT_ZONE_UNKNOWN);
}

static void test_load_missing_file(void **state)
{
	struct mt_zone_table t;

	assert_int_equal(mt_zones_load("/nonexistent/memtrace/zoneinfo", &t), -ENOENT);
}

/*
 * More populated zones than the BPF side has room for (big NUMA machines): the first
 * MT_MAX_ZONE_RANGES are kept in file order, the rest are counted in skipped so the report
 * can say their pages went to "unknown". Empty zones in between are not counted at all.
 */
static void test_too_many_zones(void **state)
{
	static const char *const names[] = { "DMA", "DMA32", "Normal", "Movable" };
	char *text = NULL;
	size_t len = 0;
	struct mt_zone_table t;
	FILE *f;
	int pfn = 0;

	f = open_memstream(&text, &len);
	assert_non_null(f);
	for (int i = 0; i < 20; i++) {
		fprintf(f, "Node %d, zone %8s\n", i / 4, names[i % 4]);
		fprintf(f, "  pages free     12\n        spanned  1000\n        present  1000\n");
		fprintf(f, "  start_pfn:           %d\n", pfn);
		pfn += 1000;
		if (i % 4 == 3) { /* an empty Device zone closing each node */
			fprintf(f, "Node %d, zone   Device\n", i / 4);
			fprintf(f, "        spanned  0\n        present  0\n");
		}
	}
	assert_int_equal(fclose(f), 0);

	parse_text(text, &t);
	free(text);
	assert_int_equal(MT_MAX_ZONE_RANGES, 15);
	assert_int_equal(t.nr, MT_MAX_ZONE_RANGES);
	assert_int_equal(t.skipped, 5);
	for (int i = 0; i < t.nr; i++) {
		assert_int_equal(t.z[i].node, i / 4);
		assert_string_equal(t.z[i].name, names[i % 4]);
		assert_int_equal(t.z[i].start_pfn, i * 1000);
	}
	/* the 15th zone is the last one looked up; the 16th is beyond the table */
	assert_int_equal(mt_zones_lookup(&t, 14 * 1000 + 999), 14);
	assert_int_equal(mt_zones_lookup(&t, 15 * 1000), MT_ZONE_UNKNOWN);
	assert_int_equal(mt_zones_max_pfn(&t), 15 * 1000);
}

/* Regression (fuzz_zoneinfo): a corrupt span would wrap start + spanned past 2^64. */
static void test_corrupt_span_rejected(void **state)
{
	const char *text = "Node 0, zone   Normal\n"
			   "        spanned  18446744073709551615\n"
			   "  start_pfn:           4096\n"
			   "Node 0, zone   DMA32\n"
			   "        spanned  4096\n"
			   "  start_pfn:           4503599627370496\n"
			   "Node 0, zone   DMA\n"
			   "        spanned  4095\n"
			   "  start_pfn:           1\n";
	struct mt_zone_table t;

	parse_text(text, &t);
	assert_int_equal(t.nr, 1);
	assert_string_equal(t.z[0].name, "DMA");
	assert_int_equal(mt_zones_lookup(&t, 1), 0);
	assert_int_equal(mt_zones_lookup(&t, 4096), MT_ZONE_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_64_zones),
		cmocka_unit_test(test_x86_64_lookup),
		cmocka_unit_test(test_i386_highmem_zones),
		cmocka_unit_test(test_i386_highmem_lookup),
		cmocka_unit_test(test_two_nodes),
		cmocka_unit_test(test_incomplete_block),
		cmocka_unit_test(test_noise_before_header),
		cmocka_unit_test(test_empty_zone_with_start_pfn),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_too_many_zones),
		cmocka_unit_test(test_corrupt_span_rejected),
	};

	return cmocka_run_group_tests_name("zoneinfo parsing and PFN lookup", tests, NULL, NULL);
}
