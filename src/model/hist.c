// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdint.h>
#include <string.h>
#include "model/hist.h"

#define STARS_MAX 40

static void stars(FILE *f, __u64 val, __u64 max)
{
	int n;

	/* val * STARS_MAX must not wrap: scale both down alike, which keeps the ratio */
	while (max > UINT64_MAX / STARS_MAX) {
		val >>= 1;
		max >>= 1;
	}
	n = max ? (int)(val * STARS_MAX / max) : 0;

	if (n > STARS_MAX)
		n = STARS_MAX;
	for (int i = 0; i < STARS_MAX; i++)
		fputc(i < n ? '*' : ' ', f);
}

void mt_print_log2_hist(FILE *f, const __u64 *slots, int nr_slots, const char *unit)
{
	int last = -1, width;
	__u64 max = 0;

	for (int i = 0; i < nr_slots; i++) {
		if (slots[i]) {
			last = i;
			if (slots[i] > max)
				max = slots[i];
		}
	}
	if (last < 0) {
		fprintf(f, "     (no data)\n");
		return;
	}
	/* the same column widths print_log2_hist picks: wide only for 64-bit ranges */
	width = last <= 32 ? 10 : 20;
	fprintf(f, "%*s%-*s : count    distribution\n", last <= 32 ? 5 : 15, "",
		last <= 32 ? 19 : 29, unit);
	for (int i = 0; i <= last; i++) {
		fprintf(f, "%*llu -> %-*llu : %-8llu |", width,
			(unsigned long long)mt_hist_slot_low(i), width,
			(unsigned long long)mt_hist_slot_high(i), (unsigned long long)slots[i]);
		stars(f, slots[i], max);
		fprintf(f, "|\n");
	}
}
