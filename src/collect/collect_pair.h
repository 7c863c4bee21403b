/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The loader's side of pairing, call sites and stacks: configure before load, read after. */
#ifndef MT_COLLECT_PAIR_H
#define MT_COLLECT_PAIR_H

#include "model/model.h"

struct memtrace_bpf;

/* Set the .rodata switches and size the maps (unused maps get one entry). Before load. */
int mt_pair_prepare(struct memtrace_bpf *s, const struct mt_pair_opts *o);
/* Read the pairing maps into r->pair (after detach). 0 or -errno. */
int mt_pair_collect(struct memtrace_bpf *s, struct mt_report *r);
/* One line per map with the kernel memory it holds (fdinfo memlock), and the total. */
void mt_maps_memory_print(struct memtrace_bpf *s, FILE *f);
/* Kernel memory the object's maps hold (their memlock), bytes. */
__u64 mt_maps_memory(struct memtrace_bpf *s);

#endif /* MT_COLLECT_PAIR_H */
