/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* log2 histograms printed the way libbpf-tools' print_log2_hist users know them. */
#ifndef MT_HIST_PRINT_H
#define MT_HIST_PRINT_H

#include <linux/types.h>
#include <stdio.h>
#include "mt_hist.h"

/* Prints slots 0 .. the last non-empty one; prints "(no data)" when all are empty. */
void mt_print_log2_hist(FILE *f, const __u64 *slots, int nr_slots, const char *unit);

#endif /* MT_HIST_PRINT_H */
