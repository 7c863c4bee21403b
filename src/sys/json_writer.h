/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small streaming JSON writer: it tracks nesting so commas and keys come out right, and
 * escapes strings per RFC 8259. Output is compact, one document, no trailing newline
 * until jw_end().
 */
#ifndef MT_JSON_WRITER_H
#define MT_JSON_WRITER_H

#include <stdbool.h>
#include <stdio.h>

#define JW_MAX_DEPTH 32

struct jw {
	FILE *f;
	int depth;
	bool first[JW_MAX_DEPTH]; /* no member written yet at this level */
	bool pretty;
	bool overflow; /* nesting went past JW_MAX_DEPTH: a bug, reported */
};

void jw_init(struct jw *w, FILE *f, bool pretty);
void jw_obj_begin(struct jw *w, const char *key); /* key NULL inside arrays / at top */
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *val);
void jw_u64(struct jw *w, const char *key, unsigned long long val);
void jw_i64(struct jw *w, const char *key, long long val);
void jw_dbl(struct jw *w, const char *key, double val);
void jw_bool(struct jw *w, const char *key, bool val);
void jw_null(struct jw *w, const char *key);
void jw_hex(struct jw *w, const char *key, unsigned long long val); /* "0x..." string */
int jw_end(struct jw *w); /* newline; 0, or -1 if nesting was unbalanced */

#endif /* MT_JSON_WRITER_H */
