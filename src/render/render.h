/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Renderers of the report model: they know the model, never the kernel or BPF. */
#ifndef MT_RENDER_H
#define MT_RENDER_H

#include <stdio.h>
#include "model/model.h"

/*
 * OpenMetrics per-process series across scrapes: the program names (comm) that have a
 * series of their own. A name joins when it is among the top names of a scrape and never
 * leaves (at most 4 x top names), so a series keeps its labels: rate() stays right.
 */
struct mt_om_name {
	char comm[MT_COMM_LEN + 1];
	__u64 bytes[MT_CLASS_MAX], allocs[MT_CLASS_MAX]; /* as last written */
};

struct mt_om_names {
	struct mt_om_name *name;
	size_t nr, cap;
	struct mt_om_name other;
};
void mt_om_names_free(struct mt_om_names *n);

struct mt_render_opts {
	int top;		/* rows in the process and cache tables */
	bool raw_addresses;	/* --raw-addresses: print kernel virtual addresses as they are */
	struct mt_om_names *om; /* OpenMetrics: names kept from scrape to scrape, or NULL */
	bool compact_json;	/* JSON on one line: the HTML page embeds it, 40% smaller */
};

/*
 * A frame or call site as "func+0x1a [mod]" (render_addr.c); one kallsyms cannot name is
 * "0x<hex>" with raw_addresses, else "[unknown]": no raw kernel address by default.
 */
const char *mt_render_sym(const struct mt_render_opts *o, const struct mt_ksyms *ks, __u64 addr,
			  bool with_off, char *buf, size_t len);
/* addr is in the traced kernel's half of the address space (its virtual addresses). */
bool mt_render_kernel_va(const struct mt_report *r, __u64 addr);
/* A fault row's address range goes out: user addresses; a kernel one (a kernel-mode fault)
 * only with raw_addresses. */
bool mt_render_fault_addrs(const struct mt_report *r, const struct mt_render_opts *o,
			   const struct mt_fault_row *p);

void mt_render_text(FILE *f, const struct mt_report *r, const struct mt_render_opts *o);
/* Returns 0, or -1 if the writer detected a bug (unbalanced nesting). */
int mt_render_json(FILE *f, const struct mt_report *r, const struct mt_render_opts *o);

/* Scoping sections (render_text_scope.c, render_json_scope.c). */
struct jw;
void mt_render_text_scope_line(FILE *f, const struct mt_report *r);
void mt_render_text_tree(FILE *f, const struct mt_report *r, int top);
void mt_render_text_threads(FILE *f, const struct mt_report *r, int top);
void mt_render_text_ci(FILE *f, const struct mt_report *r);
void mt_render_json_scope(struct jw *w, const struct mt_report *r);
void mt_render_json_proc_parent(struct jw *w, const struct mt_report *r, __u32 tgid);
void mt_render_json_threads(struct jw *w, const struct mt_report *r);
void mt_render_json_ci(struct jw *w, const struct mt_report *r);
/* Pairing, call sites and stacks (render_text_pair.c, render_json_pair.c). */
void mt_render_text_pair(FILE *f, const struct mt_report *r, const struct mt_render_opts *o);
void mt_render_text_pair_losses(FILE *f, const struct mt_report *r);
void mt_render_json_pair(struct jw *w, const struct mt_report *r, const struct mt_render_opts *o);
void mt_render_json_pair_losses(struct jw *w, const struct mt_report *r);
/*
 * Folded stacks, one "frame;frame;...;frame bytes" line per stack, root first, the class as
 * the root frame, for flamegraph.pl, speedscope and the like. outstanding: weight by bytes
 * still allocated at the end, else by bytes allocated. Returns lines written or -1.
 */
int mt_render_folded(FILE *f, const struct mt_report *r, const struct mt_render_opts *o,
		     bool outstanding);
/* Class sections beyond slab and pages (render_text_classes.c, render_json_classes.c). */
void mt_render_text_logical_extra(FILE *f, const struct mt_report *r,
				  const struct mt_render_opts *o);
void mt_render_text_physical_extra(FILE *f, const struct mt_report *r);
void mt_render_text_zones(FILE *f, const struct mt_report *r);
void mt_render_text_classes(FILE *f, const struct mt_report *r, const struct mt_render_opts *o);
void mt_render_json_classes(struct jw *w, const struct mt_report *r, int cls,
			    const struct mt_render_opts *o);
void mt_render_json_zones(struct jw *w, const struct mt_report *r);
/*
 * One self-contained HTML page (render_html.c): the JSON report embedded in it, drawn by the
 * page's own script (src/render/html/); no network. 0, or -1 on a writer or I/O error.
 */
int mt_render_html(const struct mt_report *r, const struct mt_render_opts *o, FILE *f);
/*
 * A gzip'd profile.proto shaped as a Go heap profile (render_pprof.c): alloc_objects,
 * alloc_space, inuse_objects, inuse_space per stack row (per call site without stacks).
 * 0, or -1 on allocation or I/O failure (and always in a build with PPROF=0).
 */
int mt_render_pprof(FILE *f, const struct mt_report *r, const struct mt_render_opts *o);
/* Prometheus text exposition format (node_exporter textfile collector); 0 or -1 on I/O. */
int mt_render_openmetrics(FILE *f, const struct mt_report *r, const struct mt_render_opts *o);
/* The timeline (render_json_timeline.c; the text report has none: it is for --json, --html). */
void mt_render_json_timeline(struct jw *w, const struct mt_report *r);
/* Latency (render_text_latency.c, render_json_latency.c). */
void mt_render_text_latency(FILE *f, const struct mt_report *r, const struct mt_render_opts *o);
void mt_render_json_latency(struct jw *w, const struct mt_report *r);

/* Per process beyond allocations (render_text_proc.c, render_json_proc.c). */
void mt_render_text_procx(FILE *f, const struct mt_report *r, int top);
/* Keys added to one processes[] entry: outstanding, freed_by_others, frees_of_others,
 * page_faults, stalls. */
void mt_render_json_procx(struct jw *w, const struct mt_report *r, __u32 tgid);
/* Keys of one processes[] entry from exec and exit: processes, exited, exit_s, execs,
 * earlier_comms, exe. */
void mt_render_json_proc_life(struct jw *w, const struct mt_proc_row *p);
/* A process row's id for text tables: "1234", "1234*" ended, "20000x" a folded row of 20000
 * ended processes of one name. */
const char *mt_proc_id(char *buf, size_t len, const struct mt_proc_row *p);

#endif /* MT_RENDER_H */
