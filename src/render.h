/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Renderers of the report model: they know the model, never the kernel or BPF. */
#ifndef MT_RENDER_H
#define MT_RENDER_H

#include <stdio.h>
#include "model.h"

struct mt_render_opts {
	int top;		/* rows in the process and cache tables */
};

void mt_render_text(FILE *f, const struct mt_report *r, const struct mt_render_opts *o);
/* Returns 0, or -1 if the writer detected a bug (unbalanced nesting). */
int mt_render_json(FILE *f, const struct mt_report *r, const struct mt_render_opts *o);

#endif /* MT_RENDER_H */
