// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Process lifecycle into the report: names after exec and exits (the tasks hash of
 * bpf/task.bpf.c) on the live rows, then the rows of processes that ended and left the kernel
 * tables (procs_exited, written by collect/proc_reap.c). Both maps are absent from recordings
 * made before they existed: nothing to add then.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "collect/collect.h"
#include "collect/map_read.h"
#include "sys/util.h"

/*
 * Every entry of a hash keyed by tgid (__u32), one value each: fn(ctx, key, value). A map the
 * source lacks is empty.
 */
static int each_u32(const struct mt_mapsrc *s, const char *map, size_t elem_size,
		    int (*fn)(void *ctx, __u32 key, const void *val), void *ctx)
{
	__u32 key, next, *prev = NULL;
	int nr, err = 0;

	while (!err && mt_mapsrc_next_key(s, map, prev, &next) == 0) {
		void *val;

		key = next;
		prev = &key;
		val = mt_collect_lookup(s, map, &key, elem_size, &nr, &err);
		if (!val) {
			if (err == -ENOENT)
				err = 0; /* deleted meanwhile (live) */
			continue;
		}
		err = fn(ctx, key, val);
		free(val);
	}
	return err == -ENOENT ? 0 : err;
}

struct task_list {
	__u32 *tgids;
	struct mt_task *tasks;
	size_t nr, nr_tasks, cap_tgids, cap_tasks;
};

static int add_task(void *ctx, __u32 key, const void *val)
{
	struct task_list *tl = ctx;
	__u32 *tgid = mt_push(&tl->tgids, &tl->nr, &tl->cap_tgids, sizeof(*tgid));
	struct mt_task *t = mt_push(&tl->tasks, &tl->nr_tasks, &tl->cap_tasks, sizeof(*t));

	if (!tgid || !t)
		return -ENOMEM;
	*tgid = key;
	memcpy(t, val, sizeof(*t));
	return 0;
}

struct exited_ctx {
	struct mt_report *r;
	__u64 start_ns;
};

static int add_exited(void *ctx, __u32 key, const void *val)
{
	struct exited_ctx *c = ctx;

	return mt_report_add_exited(c->r, key, val, c->start_ns) ? -ENOMEM : 0;
}

int mt_collect_tasks(const struct mt_mapsrc *s, struct mt_report *r)
{
	struct task_list tl = {};
	struct exited_ctx c = { r, r->run.start_ns };
	int err;

	err = each_u32(s, "tasks", sizeof(struct mt_task), add_task, &tl);
	if (!err && tl.nr != tl.nr_tasks)
		err = -ENOMEM;
	if (!err && mt_report_apply_tasks(r, tl.tgids, tl.tasks, tl.nr, c.start_ns))
		err = -ENOMEM;
	free(tl.tgids);
	free(tl.tasks);
	if (!err)
		err = each_u32(s, "procs_exited", sizeof(struct mt_proc_exited), add_exited, &c);
	if (!err)
		mt_report_fold_ended(r);
	return err;
}
