// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The JSON writers the render_json_*.c sections share (render_json_common.h). */
#include "sys/json_writer.h"
#include "mt_hist.h"
#include "render/render_json_common.h"

void mt_jw_hist(struct jw *w, const char *key, const __u64 *slots, int n)
{
	jw_arr_begin(w, key);
	for (int i = 0; i < n; i++) {
		if (!slots[i])
			continue;
		jw_obj_begin(w, NULL);
		jw_u64(w, "low", mt_hist_slot_low(i));
		jw_u64(w, "high", mt_hist_slot_high(i));
		jw_u64(w, "count", slots[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void mt_jw_hex_or_null(struct jw *w, const char *key, __u64 v)
{
	if (v)
		jw_hex(w, key, v);
	else
		jw_null(w, key);
}

void mt_jw_kaddr(struct jw *w, const char *key, __u64 v, const struct mt_render_opts *o)
{
	mt_jw_hex_or_null(w, key, o->raw_addresses ? v : 0);
}

void mt_jw_row_class(struct jw *w, int k, const __u64 *allocs, const __u64 *bytes,
		     const __u64 *frees, const __u64 *bytes_freed)
{
	jw_obj_begin(w, mt_class_key(k));
	jw_u64(w, "allocs", allocs[k]);
	jw_u64(w, "bytes_allocated", bytes[k]);
	jw_u64(w, "frees", frees[k]);
	jw_u64(w, "bytes_freed", bytes_freed[k]);
	jw_obj_end(w);
}
