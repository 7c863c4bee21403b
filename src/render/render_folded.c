// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Folded stacks (Brendan Gregg's stackcollapse format): "root;...;leaf weight\n". Frames
 * are function names without offsets, so that calls from different lines of one function
 * merge the way flame graphs expect. The weight is the last space-separated field, so a
 * frame may hold spaces ("func [module]") but never ';' or a newline: those are replaced.
 */
#include <string.h>
#include "render/render.h"

static void frame(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == ';' || *s == '\n' || *s == '\r' ? '_' : *s, f);
}

int mt_render_folded(FILE *f, const struct mt_report *r, const struct mt_render_opts *o,
		     bool outstanding)
{
	const struct mt_pair_report *p = &r->pair;
	int lines = 0;

	for (size_t i = 0; i < p->nr_stacks; i++) {
		const struct mt_stack_row *s = &p->stacks[i];
		__u64 weight = outstanding ? s->out_bytes : s->bytes;
		char name[192];
		__u32 first;

		if (!weight)
			continue;
		/* the root is the class; a class of several allocators has them one level down */
		frame(f, mt_class_key(mt_pair_kind_class(s->cls)));
		if (mt_pair_class_split(mt_pair_kind_class(s->cls))) {
			fputc(';', f);
			frame(f, mt_pair_kind_key(s->cls));
		}
		if (s->stack_id < 0 || !s->frames)
			fputs(";[stack not recorded]", f);
		first = s->frames ? mt_pair_first_frame(p, s->frames, s->nr_frames) : 0;
		for (__u32 j = s->frames ? s->nr_frames : 0; j > first; j--) {
			fputc(';', f);
			frame(f, mt_render_sym(o, p->ksyms, s->frames[j - 1], false, name,
					       sizeof(name)));
		}
		fprintf(f, " %llu\n", (unsigned long long)weight);
		lines++;
	}
	return ferror(f) ? -1 : lines;
}
