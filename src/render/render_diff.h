/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* memtrace diff renderers: text, JSON (docs/json-schema.md, "diff"), difffolded. */
#ifndef MT_RENDER_DIFF_H
#define MT_RENDER_DIFF_H

#include <stdbool.h>
#include <stdio.h>
#include "model/diff.h"

#define MT_DIFF_JSON_SCHEMA_VERSION 1

/* limit: rows at most (0: all); all: also rows that moved but are not flagged. */
int mt_render_diff_text(FILE *f, const struct mt_diff *d, size_t limit, bool all);
int mt_render_diff_json(FILE *f, const struct mt_diff *d, const struct mt_diff_opts *o);
/* One line per stack of metric ("bytes", "out_bytes"): "root;...;leaf base new". */
int mt_render_diff_folded(FILE *f, const struct mt_diff *d, const char *metric);

#endif /* MT_RENDER_DIFF_H */
