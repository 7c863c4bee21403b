// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * log2 bucketing (include/mt_hist.h) and the text histogram (src/model/hist.c). The BPF programs
 * use the same inline functions, so an off-by-one here would shift every bucket the kernel
 * fills; the expected values come from a plain loop and from libbpf-tools' print_log2_hist,
 * not from the branch-only code under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/hist.h"

/* floor(log2(v)), 0 for 0: the obvious loop, slow but beyond doubt */
static __u32 ref_log2(__u64 v)
{
	__u32 r = 0;

	while (v > 1) {
		v >>= 1;
		r++;
	}
	return r;
}

static void test_log2_small(void **state)
{
	/* slot 0 holds 0 and 1, as in libbpf-tools; then each power of two opens a slot */
	assert_int_equal(mt_log2_u64(0), 0);
	assert_int_equal(mt_log2_u64(1), 0);
	assert_int_equal(mt_log2_u64(2), 1);
	assert_int_equal(mt_log2_u64(3), 1);
	assert_int_equal(mt_log2_u64(4), 2);
	assert_int_equal(mt_log2_u64(7), 2);
	assert_int_equal(mt_log2_u64(8), 3);
	assert_int_equal(mt_log2_u64(4095), 11);
	assert_int_equal(mt_log2_u64(4096), 12);
}

/* Every power-of-two edge: each of the six branch stages decides some of these. */
static void test_log2_every_edge(void **state)
{
	for (int k = 1; k < 64; k++) {
		__u64 p = 1ULL << k;

		assert_int_equal(mt_log2_u64(p - 1), k - 1);
		assert_int_equal(mt_log2_u64(p), k);
		assert_int_equal(mt_log2_u64(p + 1), k == 1 ? 1 : k);
		assert_int_equal(mt_log2_u64(p | (p - 1)), k); /* all ones below bit k */
	}
	assert_int_equal(mt_log2_u64(UINT64_MAX), 63);
}

/* The comparison-free twin agrees with mt_log2_u64() on every 32-bit edge and a spread. */
static void test_log2_flat_matches(void **state)
{
	__u64 x = 12345;

	assert_int_equal(mt_log2_u32_flat(0), 0);
	assert_int_equal(mt_log2_u32_flat(UINT32_MAX), 31);
	for (int k = 1; k < 32; k++) {
		__u64 p = 1ULL << k;

		assert_int_equal(mt_log2_u32_flat(p - 1), mt_log2_u64(p - 1));
		assert_int_equal(mt_log2_u32_flat(p), mt_log2_u64(p));
		assert_int_equal(mt_log2_u32_flat(p + 1), mt_log2_u64(p + 1));
	}
	for (int i = 0; i < 100000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		assert_int_equal(mt_log2_u32_flat(x >> 32 >> (x & 31)),
				 mt_log2_u64(x >> 32 >> (x & 31)));
	}
}

/* A spread of non-edge values against the loop, with a fixed LCG so failures reproduce. */
static void test_log2_matches_loop(void **state)
{
	__u64 x = 0x9e3779b97f4a7c15ULL;

	for (int i = 0; i < 100000; i++) {
		__u64 v;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		v = x >> (x & 63); /* vary the magnitude, not just the low bits */
		if (mt_log2_u64(v) != ref_log2(v))
			fail_msg("mt_log2_u64(%#llx) = %u, want %u", (unsigned long long)v,
				 mt_log2_u64(v), ref_log2(v));
	}
}

static void test_slot_clamps(void **state)
{
	/* below 2^32 the slot is the log2 itself */
	assert_int_equal(mt_hist_slot(0), 0);
	assert_int_equal(mt_hist_slot(1), 0);
	assert_int_equal(mt_hist_slot(1ULL << 31), 31);
	assert_int_equal(mt_hist_slot((1ULL << 32) - 1), 31);
	/* 4 GiB and up would index past the array: they pile into the last slot */
	assert_int_equal(mt_hist_slot(1ULL << 32), MT_HIST_SLOTS - 1);
	assert_int_equal(mt_hist_slot(1ULL << 40), MT_HIST_SLOTS - 1);
	assert_int_equal(mt_hist_slot(UINT64_MAX), MT_HIST_SLOTS - 1);
}

static void test_slot_ranges(void **state)
{
	assert_int_equal(mt_hist_slot_low(0), 0);
	assert_int_equal(mt_hist_slot_high(0), 1);
	assert_int_equal(mt_hist_slot_low(1), 2);
	assert_int_equal(mt_hist_slot_high(1), 3);
	assert_int_equal(mt_hist_slot_low(12), 4096);
	assert_int_equal(mt_hist_slot_high(12), 8191);
	assert_int_equal(mt_hist_slot_low(MT_HIST_SLOTS - 1), 1ULL << 31);
	assert_int_equal(mt_hist_slot_high(MT_HIST_SLOTS - 1), (1ULL << 32) - 1);

	/* the ranges tile the number line and agree with the slot function at both ends */
	for (__u32 s = 0; s < MT_HIST_SLOTS; s++) {
		if (s)
			assert_int_equal(mt_hist_slot_low(s), mt_hist_slot_high(s - 1) + 1);
		assert_int_equal(mt_hist_slot(mt_hist_slot_low(s)), s);
		assert_int_equal(mt_hist_slot(mt_hist_slot_high(s)), s);
	}
}

/* ---- mt_print_log2_hist ---- */

struct capture {
	char *buf;
	size_t len;
	char *lines[MT_HIST_SLOTS + 4];
	int nr;
};

/* Print into memory, then split on '\n' in place; the last line must be terminated. */
static void print_hist(struct capture *c, const __u64 *slots, int n, const char *unit)
{
	FILE *f;
	char *p;

	memset(c, 0, sizeof(*c));
	f = open_memstream(&c->buf, &c->len);
	assert_non_null(f);
	mt_print_log2_hist(f, slots, n, unit);
	assert_int_equal(fclose(f), 0);
	assert_true(c->len > 0);
	assert_int_equal(c->buf[c->len - 1], '\n');
	for (p = c->buf; *p;) {
		char *nl = strchr(p, '\n');

		assert_true(c->nr < (int)(sizeof(c->lines) / sizeof(c->lines[0])));
		*nl = '\0';
		c->lines[c->nr++] = p;
		p = nl + 1;
	}
}

/*
 * One row as libbpf-tools' print_log2_hist writes it (its format, for idx_max <= 32),
 * with the bar built here: floor(count * 40 / max) stars, padded to 40.
 */
static void want_row(char *out, size_t len, __u64 low, __u64 high, __u64 count, __u64 max)
{
	char bar[41];
	int stars = (int)(count * 40 / max);

	for (int i = 0; i < 40; i++)
		bar[i] = i < stars ? '*' : ' ';
	bar[40] = '\0';
	snprintf(out, len, "%*llu -> %-*llu : %-8llu |%s|", 10, (unsigned long long)low, 10,
		 (unsigned long long)high, (unsigned long long)count, bar);
}

static int count_stars(const char *line)
{
	const char *bar = strchr(line, '|');
	int n = 0;

	assert_non_null(bar);
	for (bar++; *bar == '*'; bar++)
		n++;
	return n;
}

static void test_print_header(void **state)
{
	__u64 slots[MT_HIST_SLOTS] = { [3] = 1 };
	struct capture c;

	print_hist(&c, slots, MT_HIST_SLOTS, "bytes");
	/* libbpf-tools: "%*s%-*s : count    distribution" with 5 and 19 for <= 32 slots */
	assert_string_equal(c.lines[0], "     bytes               : count    distribution");
	/* the ':' of the header and of every row line up, at column 25 */
	for (int i = 0; i < c.nr; i++)
		assert_int_equal(strchr(c.lines[i], ':') - c.lines[i], 25);
	free(c.buf);
}

static void test_print_rows_and_bars(void **state)
{
	__u64 slots[MT_HIST_SLOTS] = { [0] = 1, [2] = 4, [3] = 2, [5] = 3 };
	struct capture c;
	char want[128];

	print_hist(&c, slots, MT_HIST_SLOTS, "bytes");
	/* header + slots 0..5 (the last non-empty), none after */
	assert_int_equal(c.nr, 1 + 6);

	want_row(want, sizeof(want), 0, 1, 1, 4);
	assert_string_equal(c.lines[1], want);
	want_row(want, sizeof(want), 2, 3, 0, 4); /* an empty slot inside the range prints */
	assert_string_equal(c.lines[2], want);
	want_row(want, sizeof(want), 4, 7, 4, 4);
	assert_string_equal(c.lines[3], want);
	want_row(want, sizeof(want), 32, 63, 3, 4);
	assert_string_equal(c.lines[6], want);

	/* star counts worked out by hand: max 4 is the full 40, 1/4 is 10, 2/4 20, 3/4 30 */
	assert_int_equal(count_stars(c.lines[1]), 10);
	assert_int_equal(count_stars(c.lines[2]), 0);
	assert_int_equal(count_stars(c.lines[3]), 40);
	assert_int_equal(count_stars(c.lines[4]), 20);
	assert_int_equal(count_stars(c.lines[5]), 0);
	assert_int_equal(count_stars(c.lines[6]), 30);
	/* every bar is 40 wide between its pipes, full or not */
	for (int i = 1; i < c.nr; i++) {
		const char *l = strchr(c.lines[i], '|'), *r = strrchr(c.lines[i], '|');

		assert_int_equal(r - l - 1, 40);
		assert_int_equal(r[1], '\0');
	}
	free(c.buf);
}

/* Truncation, not rounding: 1/3 of 40 is 13.3, print_log2_hist shows 13. */
static void test_print_bar_rounds_down(void **state)
{
	__u64 slots[MT_HIST_SLOTS] = { [0] = 1, [1] = 3, [2] = 2 };
	struct capture c;

	print_hist(&c, slots, MT_HIST_SLOTS, "bytes");
	assert_int_equal(c.nr, 4);
	assert_int_equal(count_stars(c.lines[1]), 13);
	assert_int_equal(count_stars(c.lines[2]), 40);
	assert_int_equal(count_stars(c.lines[3]), 26);
	free(c.buf);
}

/* Rows always start at slot 0, even when the first values are large. */
static void test_print_leading_empty_slots(void **state)
{
	__u64 slots[MT_HIST_SLOTS] = { [12] = 1000000 };
	unsigned long long low, high, count;
	struct capture c;

	print_hist(&c, slots, MT_HIST_SLOTS, "bytes");
	assert_int_equal(c.nr, 1 + 13);
	for (int s = 0; s <= 12; s++) {
		assert_int_equal(sscanf(c.lines[1 + s], "%llu -> %llu : %llu", &low, &high, &count),
				 3);
		assert_int_equal(low, mt_hist_slot_low(s));
		assert_int_equal(high, mt_hist_slot_high(s));
		assert_int_equal(count, s == 12 ? 1000000 : 0);
	}
	assert_int_equal(count_stars(c.lines[13]), 40);
	free(c.buf);
}

/* The last slot in use: 32 rows, and 2^32 - 1 still fits the 10-wide column. */
static void test_print_last_slot(void **state)
{
	__u64 slots[MT_HIST_SLOTS] = { [MT_HIST_SLOTS - 1] = 7 };
	struct capture c;
	char want[128];

	print_hist(&c, slots, MT_HIST_SLOTS, "bytes");
	assert_int_equal(c.nr, 1 + MT_HIST_SLOTS);
	want_row(want, sizeof(want), 2147483648ULL, 4294967295ULL, 7, 7);
	assert_string_equal(c.lines[MT_HIST_SLOTS], want);
	free(c.buf);
}

/* The unit is a parameter: it is the header's first word, padded to the same column. */
static void test_print_unit(void **state)
{
	__u64 slots[4] = { 0, 1 };
	struct capture c;

	print_hist(&c, slots, 4, "pages");
	assert_string_equal(c.lines[0], "     pages               : count    distribution");
	assert_int_equal(c.nr, 1 + 2); /* nr_slots is honoured: slots past 1 are empty */
	free(c.buf);
}

/*
 * Regression: count * 40 once wrapped past 2^64 / 40 and the fullest row got 8 stars
 * instead of 40; stars() now scales before multiplying.
 */
static void test_print_huge_counts(void **state)
{
	__u64 slots[2] = { 1ULL << 60, 1ULL << 59 };
	struct capture c;

	print_hist(&c, slots, 2, "bytes");
	assert_int_equal(count_stars(c.lines[1]), 40);
	assert_int_equal(count_stars(c.lines[2]), 20);
	free(c.buf);
}

static void test_print_no_data(void **state)
{
	__u64 slots[MT_HIST_SLOTS] = { 0 };
	struct capture c;

	print_hist(&c, slots, MT_HIST_SLOTS, "bytes");
	/* one line, no header or rows: an all-zero histogram says so instead of 32 rows */
	assert_int_equal(c.nr, 1);
	assert_non_null(strstr(c.lines[0], "(no data)"));
	assert_null(strstr(c.lines[0], "distribution"));
	free(c.buf);

	/* nr_slots 0 reads nothing: the same answer, and ASan sees no read */
	print_hist(&c, slots, 0, "bytes");
	assert_int_equal(c.nr, 1);
	assert_non_null(strstr(c.lines[0], "(no data)"));
	free(c.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log2_small),
		cmocka_unit_test(test_log2_every_edge),
		cmocka_unit_test(test_log2_matches_loop),
		cmocka_unit_test(test_log2_flat_matches),
		cmocka_unit_test(test_slot_clamps),
		cmocka_unit_test(test_slot_ranges),
		cmocka_unit_test(test_print_header),
		cmocka_unit_test(test_print_rows_and_bars),
		cmocka_unit_test(test_print_bar_rounds_down),
		cmocka_unit_test(test_print_leading_empty_slots),
		cmocka_unit_test(test_print_last_slot),
		cmocka_unit_test(test_print_unit),
		cmocka_unit_test(test_print_huge_counts),
		cmocka_unit_test(test_print_no_data),
	};

	return cmocka_run_group_tests_name("log2 histogram", tests, NULL, NULL);
}
