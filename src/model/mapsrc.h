/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A map source: where a collector reads the kernel-side aggregates from. Collectors read
 * ONLY through this API, never through libbpf, so the same code builds the report from the
 * live BPF object (`run`, `top`: src/collect/mapsrc_live.c) and from a recorded file (`report`:
 * src/record/mapsrc_rec.c, plain C, no BPF, no root).
 *
 * Maps are named as in bpf/ (the C variable name: "stats", "procs", ...). Values come back
 * laid out the way a BPF lookup returns them: one value for ordinary maps; for per-CPU maps
 * (PERCPU_ARRAY, PERCPU_HASH, LRU_PERCPU_HASH) nr_slots values, each round_up(value_size, 8)
 * bytes apart (desc.stride). Size the buffer with mt_mapsrc_vals_size().
 *
 * Converting a collector: replace
 *	bpf_map_lookup_elem(bpf_map__fd(skel->maps.foo), &key, vals)
 * by	mt_mapsrc_lookup(src, "foo", &key, vals)
 * and a bpf_map_get_next_key() walk by mt_mapsrc_next_key(src, "foo", prev, next);
 * skel->bss->x by mt_mapsrc_global(src, ".bss", ...) at offsetof(struct memtrace_bpf__bss, x).
 * A map absent from a source (a file recorded before the map existed, or cut short) gives
 * -ENOENT: treat it as empty. A recording holds every map of the object, so a new feature's
 * maps are recorded and replayed with no record/report code of its own.
 */
#ifndef MT_MAPSRC_H
#define MT_MAPSRC_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct mt_map_desc {
	__u32 type; /* enum bpf_map_type */
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 nr_slots; /* values per lookup: possible CPUs for per-CPU maps, else 1 */
	__u32 stride;	/* bytes between slots: round_up(value_size, 8) if per-CPU */
};

struct mt_mapsrc_ops {
	int (*desc)(void *ctx, const char *map, struct mt_map_desc *d);
	int (*lookup)(void *ctx, const char *map, const void *key, void *vals);
	int (*next_key)(void *ctx, const char *map, const void *prev, void *next);
	ssize_t (*global)(void *ctx, const char *section, void *buf, size_t len);
	bool (*event_traced)(void *ctx, const char *group, const char *name);
};

struct mt_mapsrc {
	const struct mt_mapsrc_ops *ops;
	void *ctx;
};

/* 0 and *d filled, or -ENOENT when the source has no such map. */
int mt_mapsrc_desc(const struct mt_mapsrc *s, const char *map, struct mt_map_desc *d);
/* Bytes a lookup of this map writes: nr_slots * stride. 0 when the map is absent. */
size_t mt_mapsrc_vals_size(const struct mt_mapsrc *s, const char *map);
/* Values of key into vals (mt_mapsrc_vals_size() bytes). 0, -ENOENT (no map or no key). */
int mt_mapsrc_lookup(const struct mt_mapsrc *s, const char *map, const void *key, void *vals);
/* The key after prev (prev NULL: the first key). 0, or -ENOENT after the last key. The order
 * is the kernel's iteration order, kept in a recording, so both sources list keys alike. */
int mt_mapsrc_next_key(const struct mt_mapsrc *s, const char *map, const void *prev, void *next);
/* A global data section (".rodata", ".bss", ".data", ".data.<name>"): copies up to len bytes
 * into buf and returns the section's size, or -ENOENT. */
ssize_t mt_mapsrc_global(const struct mt_mapsrc *s, const char *section, void *buf, size_t len);
/* Whether the event group:name was attached in the run this source comes from. */
bool mt_mapsrc_event_traced(const struct mt_mapsrc *s, const char *group, const char *name);

/* Per-CPU map types: lookups return one value per possible CPU. */
bool mt_map_type_percpu(__u32 type);

#endif /* MT_MAPSRC_H */
