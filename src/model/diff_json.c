// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * memtrace diff: a JSON report (docs/json-schema.md) flattened into the same named values as
 * a recording (diff_report.c), so BASE and NEW may be either. Each value is read from the
 * field the JSON renderer wrote it from; a field that is absent reads as 0, as an absent
 * row does in a recording.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "model/diff.h"
#include "model/model.h"
#include "sys/minijson.h"

static double num(struct mj *j, const char *path)
{
	struct mj *n = mj_get(j, path);

	if (!n || n->type != MJ_NUM)
		return 0;
	/* counts and bytes are u64: exact through the integer, not the double */
	return n->num >= 0 && !strpbrk(n->str, ".eE") ? (double)(unsigned long long)n->num : n->dbl;
}

static int add(struct mt_dset *s, int sec, const char *name, const char *metric, double v)
{
	return v ? mt_dset_add(s, sec, name, metric, v) : 0;
}

static int add_classes(struct mt_dset *s, struct mj *root)
{
	struct mj *cls = mj_get(root, "classes");
	int err = 0;

	for (size_t i = 0; cls && cls->type == MJ_OBJ && i < cls->n && !err; i++) {
		struct mj *c = cls->kids[i];

		err = add(s, MT_DSEC_CLASS, c->key, "allocs", num(c, "allocs"))			?:
			      add(s, MT_DSEC_CLASS, c->key, "frees", num(c, "frees"))		?:
			      add(s, MT_DSEC_CLASS, c->key, "bytes", num(c, "bytes_allocated")) ?:
			      add(s, MT_DSEC_CLASS, c->key, "bytes_freed", num(c, "bytes_freed"));
	}
	return err;
}

static int add_caches(struct mt_dset *s, struct mj *root)
{
	struct mj *arr = mj_get(root, "slab.caches"), *c;
	int err = 0;

	for (size_t i = 0; (c = mj_at(arr, i)) && !err; i++) {
		const char *n = mj_str(c, "name");
		double a = num(c, "allocs"), f = num(c, "frees");

		if (!n)
			continue;
		err = add(s, MT_DSEC_CACHE, n, "allocs", a)				?:
			      add(s, MT_DSEC_CACHE, n, "frees", f)			?:
			      add(s, MT_DSEC_CACHE, n, "net_allocs", a > f ? a - f : 0) ?:
			      add(s, MT_DSEC_CACHE, n, "bytes", num(c, "bytes_allocated"));
	}
	return err;
}

static int add_procs(struct mt_dset *s, struct mj *root)
{
	struct mj *arr = mj_get(root, "processes"), *p;
	int err = 0;

	for (size_t i = 0; (p = mj_at(arr, i)) && !err; i++) {
		struct mj *cls = mj_get(p, "classes");
		const char *comm = mj_str(p, "comm");
		double allocs = 0, bytes = 0;

		if (!comm)
			continue;
		for (size_t k = 0; cls && cls->type == MJ_OBJ && k < cls->n; k++) {
			allocs += num(cls->kids[k], "allocs");
			bytes += num(cls->kids[k], "bytes_allocated");
		}
		err = add(s, MT_DSEC_PROC, comm, "allocs", allocs) ?:
			      add(s, MT_DSEC_PROC, comm, "bytes", bytes);
	}
	return err;
}

/* outstanding.classes: kernel_virtual holds two allocators, each its own kind */
static int add_outstanding(struct mt_dset *s, struct mj *root)
{
	static const struct {
		const char *path;
		int kind;
	} kinds[] = {
		{ "outstanding.classes.kernel_logical", MT_PAIR_SLAB },
		{ "outstanding.classes.physical", MT_PAIR_PAGES },
		{ "outstanding.classes.kernel_virtual.vmalloc", MT_PAIR_VMALLOC },
		{ "outstanding.classes.kernel_virtual.percpu", MT_PAIR_PERCPU },
	};
	int err = 0;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && !err; i++) {
		struct mj *o = mj_get(root, kinds[i].path);
		const char *k = mt_pair_kind_key(kinds[i].kind);

		err = add(s, MT_DSEC_OUT, k, "count", num(o, "objects")) ?:
			      add(s, MT_DSEC_OUT, k, "bytes", num(o, "bytes"));
	}
	return err;
}

/*
 * "slab do_eventfd+0x34", as diff_report.c names it: the allocator, then the symbol.
 * call_sites lists the sites that allocated, outstanding.call_sites those still holding
 * memory (some of which allocated before the run): each metric comes from one list only.
 */
static int add_site_list(struct mt_dset *s, struct mj *arr, bool allocs, bool outs)
{
	char name[MT_DIFF_NAME_LEN];
	struct mj *t;
	int err = 0;

	for (size_t i = 0; (t = mj_at(arr, i)) && !err; i++) {
		const char *kind = mj_str(t, "allocator"), *sym = mj_str(t, "symbol");
		const char *addr = mj_str(t, "address");

		if (!kind)
			continue;
		snprintf(name, sizeof(name), "%s %s", kind,
			 sym  ? sym :
			 addr ? addr :
				"(no call site)");
		if (allocs)
			err = add(s, MT_DSEC_SITE, name, "allocs", num(t, "allocs")) ?:
				      add(s, MT_DSEC_SITE, name, "bytes",
					  num(t, "bytes_allocated"));
		if (outs && !err)
			err = add(s, MT_DSEC_SITE, name, "out_count", num(t, "outstanding")) ?:
				      add(s, MT_DSEC_SITE, name, "out_bytes",
					  num(t, "outstanding_bytes"));
	}
	return err;
}

static int add_sites(struct mt_dset *s, struct mj *root)
{
	struct mj *out = mj_get(root, "outstanding.call_sites");

	return add_site_list(s, mj_get(root, "call_sites"), true, !out) ?:
		       add_site_list(s, out, false, true);
}

/* folded order as in diff_report.c: the allocator, then the outermost to innermost frame */
static int add_stacks(struct mt_dset *s, struct mj *root)
{
	struct mj *arr = mj_get(root, "stacks.allocating"), *t;
	char name[MT_DIFF_NAME_LEN];
	int err = 0;

	for (size_t i = 0; (t = mj_at(arr, i)) && !err; i++) {
		struct mj *fr = mj_get(t, "frames");
		const char *kind = mj_str(t, "allocator");
		long long id = -1;
		size_t len;

		if (!kind)
			continue;
		mj_int(t, "stack_id", &id);
		len = mt_diff_stack_begin(name, sizeof(name), kind, id >= 0 && fr && fr->n);
		for (size_t j = fr ? fr->n : 0; j > 0; j--)
			len = mt_diff_stack_frame(
				name, sizeof(name), len,
				fr->kids[j - 1]->type == MJ_STR ? fr->kids[j - 1]->str : "?");
		err = add(s, MT_DSEC_STACK, name, "allocs", num(t, "allocs"))		      ?:
			      add(s, MT_DSEC_STACK, name, "bytes", num(t, "bytes_allocated")) ?:
			      add(s, MT_DSEC_STACK, name, "out_count", num(t, "outstanding")) ?:
			      add(s, MT_DSEC_STACK, name, "out_bytes", num(t, "outstanding_bytes"));
	}
	return err;
}

int mt_dset_from_json(struct mt_dset *s, struct mj *root, char *why, size_t len)
{
	long long v;
	int err;

	if (!root || root->type != MJ_OBJ || !mj_int(root, "schema_version", &v) ||
	    !mj_get(root, "classes")) {
		snprintf(why, len, "not a memtrace JSON report (no schema_version, no classes)");
		return -EINVAL;
	}
	if (v > MT_JSON_SCHEMA_VERSION) {
		snprintf(why, len, "a JSON report of a newer schema (%lld; this memtrace reads %d)",
			 v, MT_JSON_SCHEMA_VERSION);
		return -EINVAL;
	}
	err = add_classes(s, root)	       ?:
		      add_caches(s, root)      ?:
		      add_procs(s, root)       ?:
		      add_outstanding(s, root) ?:
		      add_sites(s, root)       ?:
						 add_stacks(s, root);
	if (err)
		snprintf(why, len, "%s", strerror(-err));
	else
		mt_dset_finish(s);
	return err;
}
