/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Allocator call latency (bpf/alloclat.bpf.c), its own object and lifecycle. Starting it
 * never fails the run: where no hook can attach, it says which failed and why, in one line.
 */
#ifndef MT_ALLOCLAT_H
#define MT_ALLOCLAT_H

#include "collect/loader.h"
#include "model/model_latency.h"

struct alloclat_bpf;
struct bpf_link;

struct mt_alloclat {
	struct alloclat_bpf *skel;
	struct bpf_link *links[2 * MT_CALL_SLOTS]; /* kprobe path: attached by hand */
	int hook;				   /* enum mt_call_hook attached */
	const char *func[MT_CALL_SLOTS];	   /* hooked function per slot, or NULL */
	bool unhooked[MT_CALL_SLOTS];		   /* the kernel has it, the hook refused it */
	char why[256];				   /* when hook is MT_HOOK_NONE */
	char missing[256];			   /* hooked, but not every allocator: which not
							 * and why, "; "-separated, one line */
};

/* force_hook: MT_HOOK_NONE tries fentry then kprobe; else only that one. pid_filter_fd:
 * the main object's pid filter, shared (or -1: fill our own from o->pids). 0 when
 * attached (a->missing names any allocator left out), else -errno with a->why set and
 * nothing left loaded. */
int mt_alloclat_start(struct mt_alloclat *a, const struct mt_loader_opts *o, int force_hook,
		      int pid_filter_fd);
void mt_alloclat_detach(struct mt_alloclat *a);
/* Hook, functions, reason and (when attached) the measurements, into m. */
int mt_alloclat_collect(struct mt_alloclat *a, struct mt_latency *m);
void mt_alloclat_destroy(struct mt_alloclat *a);

#endif /* MT_ALLOCLAT_H */
