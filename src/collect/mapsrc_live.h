/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The live map source: reads the loaded BPF object through libbpf. */
#ifndef MT_MAPSRC_LIVE_H
#define MT_MAPSRC_LIVE_H

#include "collect/loader.h"
#include "model/mapsrc.h"

struct bpf_map;

/* l must stay started (not destroyed) while s is used. */
void mt_mapsrc_live_init(struct mt_mapsrc *s, const struct mt_loader *l);
/* A map's description as a map source gives it (per-CPU slots, 8-byte stride). */
void mt_map_desc_of(const struct bpf_map *m, struct mt_map_desc *d);
/* The data section an internal map holds (".rodata", ".bss", ...), NULL for other maps. */
const char *mt_map_section(const struct bpf_map *m);

#endif /* MT_MAPSRC_LIVE_H */
