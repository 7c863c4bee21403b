/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Start-up calibration of vmemmap_base (struct page -> PFN) and page_offset_base (the
 * direct map), which KASLR randomizes and this kernel does not export. See bpf/calib.bpf.c.
 */
#ifndef MT_CALIB_H
#define MT_CALIB_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include "memtrace.h"

struct mt_calib {
	__u64 vmemmap_base;	/* 0: not established */
	__u64 page_offset_base; /* 0: not established */
	int page_pairs;		/* struct page/PFN pairs that agreed */
	int kmalloc_pairs;	/* large kmallocs that agreed */
	char why[160];		/* when something was not established: why */
};

/*
 * Pure pairing logic, unit-tested: records in ring-buffer order from one thread.
 * page_struct_size is sizeof(struct page); align is the KASLR granularity both bases must
 * honour (0 to skip the check). Fills c; returns 0 if vmemmap_base was established.
 */
int mt_calib_solve(const struct mt_calib_rec *recs, size_t n, __u32 page_shift,
		   __u32 page_struct_size, __u64 align, struct mt_calib *c);

/* Load the calibration programs, make this thread allocate, solve. 0 if vmemmap known. */
int mt_calibrate(struct mt_calib *c, __u32 page_shift);

#endif /* MT_CALIB_H */
