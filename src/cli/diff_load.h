/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef MT_DIFF_LOAD_H
#define MT_DIFF_LOAD_H

struct mt_dset;

/*
 * Flatten path, a recording ('memtrace record -o') or a JSON report ('--json'), into s
 * (initialized by the caller; finished here). 0, or -1 after a one-line error on stderr.
 */
int mt_diff_load(const char *path, struct mt_dset *s);

#endif /* MT_DIFF_LOAD_H */
