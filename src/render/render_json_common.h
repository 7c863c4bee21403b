/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What every render_json_*.c writes the same way (render_json_common.c): a histogram, a
 * number or null, a kernel address or null, one class of a process or thread row. One
 * writer each, so a key means the same in every section of docs/json-schema.md.
 */
#ifndef MT_RENDER_JSON_COMMON_H
#define MT_RENDER_JSON_COMMON_H

#include <linux/types.h>
#include "render/render.h"

struct jw;

/* A log2 histogram as [{low, high, count}], the empty slots left out. */
void mt_jw_hist(struct jw *w, const char *key, const __u64 *slots, int n);
/* v as "0x..." or, when 0 (not known), null. */
void mt_jw_hex_or_null(struct jw *w, const char *key, __u64 v);
/* A kernel virtual address: null unless --raw-addresses (render_addr.c says why). */
void mt_jw_kaddr(struct jw *w, const char *key, __u64 v, const struct mt_render_opts *o);
/* classes.<k> of a processes[] or threads[] entry: allocs, bytes_allocated, frees, freed. */
void mt_jw_row_class(struct jw *w, int k, const __u64 *allocs, const __u64 *bytes,
		     const __u64 *frees, const __u64 *bytes_freed);

#endif /* MT_RENDER_JSON_COMMON_H */
