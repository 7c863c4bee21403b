// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/collect_pair.h"
#include "memtrace.skel.h"
#include "sys/util.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's own, not in libc's errno.h */
#endif

static __u32 pow2_at_least(__u32 n)
{
	__u32 p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

int mt_pair_prepare(struct memtrace_bpf *s, const struct mt_pair_opts *o)
{
	int err;

	s->rodata->track_pairs = o->pairs;
	s->rodata->track_stacks = o->stacks;
	s->rodata->track_sites = o->sites;
	s->rodata->stack_sample = o->stack_sample ? o->stack_sample : 1;
	/*
	 * bpf_get_stackid() walks no further than the map's value holds, so the depth is both
	 * what is kept and what is paid for (bench/README.md, issue 20).
	 */
	err = bpf_map__set_value_size(s->maps.stack_traces,
				      (o->stack_depth ? o->stack_depth : MT_STACK_DEPTH) *
					      sizeof(__u64));
	if (err)
		return err;
	/* a map the programs never touch still costs its size in kernel memory: shrink it */
	err = bpf_map__set_max_entries(s->maps.outstanding, o->pairs ? o->outstanding_entries : 1);
	if (!err)
		err = bpf_map__set_max_entries(s->maps.stack_traces,
					       o->stacks ? o->stack_entries : 1);
	/*
	 * Stack ids are bucket numbers, below the power of two at or above stack_entries; room
	 * for each in two kinds plus the "no stack" row of every kind means this table
	 * cannot fill before the stack table does.
	 */
	if (!err)
		err = bpf_map__set_max_entries(
			s->maps.stack_aggs,
			o->stacks ? 2 * pow2_at_least(o->stack_entries) + MT_PAIR_KINDS : 1);
	if (!err)
		err = bpf_map__set_max_entries(s->maps.sites, o->sites ? o->site_entries : 1);
	if (!err && !o->pairs)
		err = bpf_map__set_max_entries(s->maps.owner_frees, 1);
	return err;
}

/* Every key of a map, then its value: fn gets (key, values) with values per CPU if percpu. */
static int walk(struct bpf_map *m, size_t val_size, bool percpu,
		int (*fn)(struct mt_report *, const void *key, const void *vals, int ncpu),
		struct mt_report *r)
{
	int fd = bpf_map__fd(m), ncpu = percpu ? libbpf_num_possible_cpus() : 1, err = 0;
	size_t ks = bpf_map__key_size(m);
	char *key = calloc(2, ks ? ks : 1), *next;
	void *vals = calloc(ncpu > 0 ? ncpu : 1, val_size);
	bool first = true;

	if (!key || !vals || ncpu <= 0) {
		err = -ENOMEM;
		goto out;
	}
	next = key + ks;
	while (bpf_map_get_next_key(fd, first ? NULL : key, next) == 0) {
		first = false;
		memcpy(key, next, ks);
		if (bpf_map_lookup_elem(fd, key, vals))
			continue;
		err = fn(r, key, vals, ncpu);
		if (err)
			break;
	}
out:
	free(key);
	free(vals);
	return err;
}

static int add_site(struct mt_report *r, const void *k, const void *v, int ncpu)
{
	return mt_pair_add_site(&r->pair, k, v, ncpu);
}

static int add_stack_agg(struct mt_report *r, const void *k, const void *v, int ncpu)
{
	return mt_pair_add_stack_agg(&r->pair, k, v, ncpu);
}

static int add_frames(struct mt_report *r, const void *k, const void *v, int ncpu)
{
	return mt_pair_add_frames(&r->pair, *(const __s32 *)k, v, r->pair.stack_depth);
}

static int add_obj(struct mt_report *r, const void *k, const void *v, int ncpu)
{
	return mt_pair_add_obj(&r->pair, k, v);
}

/* The outstanding map can hold hundreds of thousands: read it in batches where possible. */
static int read_outstanding(struct bpf_map *m, struct mt_report *r)
{
	const __u32 chunk = 4096;
	struct mt_obj_key *keys = calloc(chunk, sizeof(*keys));
	struct mt_obj *vals = calloc(chunk, sizeof(*vals));
	int fd = bpf_map__fd(m), err = 0;
	__u64 in = 0, out;
	bool first = true;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		__u32 n = chunk;

		err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &n, NULL);
		err = err ? -errno : 0;
		if (err && err != -ENOENT)
			break;
		for (__u32 i = 0; i < n; i++) {
			if (mt_pair_add_obj(&r->pair, &keys[i], &vals[i])) {
				err = -ENOMEM;
				goto out;
			}
		}
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		in = out;
		first = false;
	}
	if (err == -EINVAL || err == -ENOTSUPP || err == -EOPNOTSUPP) {
		/* no batch ops: one key at a time (objects read so far are read again) */
		r->pair.nr_objs = 0;
		err = walk(m, sizeof(struct mt_obj), false, add_obj, r);
	}
out:
	free(keys);
	free(vals);
	return err;
}

int mt_pair_collect(struct memtrace_bpf *s, struct mt_report *r)
{
	int ncpu = libbpf_num_possible_cpus(), err;
	struct mt_pair_stats *st;
	__u32 zero = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	st = calloc(ncpu, sizeof(*st));
	if (!st)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(s->maps.pair_stats), &zero, st) ? -errno : 0;
	if (!err)
		mt_pair_add_stats(&r->pair, st, ncpu);
	free(st);
	if (!err && r->pair.opts.sites)
		err = walk(s->maps.sites, sizeof(struct mt_site), true, add_site, r);
	if (!err && r->pair.opts.stacks)
		err = walk(s->maps.stack_aggs, sizeof(struct mt_stack_agg), true, add_stack_agg, r);
	r->pair.stack_depth = bpf_map__value_size(s->maps.stack_traces) / sizeof(__u64);
	if (!err && r->pair.opts.stacks)
		err = walk(s->maps.stack_traces, bpf_map__value_size(s->maps.stack_traces), false,
			   add_frames, r);
	if (!err && r->pair.opts.pairs)
		err = read_outstanding(s->maps.outstanding, r);
	return err;
}

static unsigned long long memlock_of(int fd)
{
	char path[64], line[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

__u64 mt_maps_memory(struct memtrace_bpf *s)
{
	struct bpf_map *m;
	__u64 total = 0;

	bpf_object__for_each_map(m, s->obj)
	{
		if (bpf_map__fd(m) >= 0)
			total += memlock_of(bpf_map__fd(m));
	}
	return total;
}

void mt_maps_memory_print(struct memtrace_bpf *s, FILE *f)
{
	unsigned long long total = 0;
	struct bpf_map *m;
	char b[32];

	fprintf(f, "memtrace: kernel memory held by memtrace's BPF maps:\n");
	bpf_object__for_each_map(m, s->obj)
	{
		unsigned long long v;

		if (bpf_map__fd(m) < 0)
			continue;
		v = memlock_of(bpf_map__fd(m));
		total += v;
		fprintf(f, "  %-16s %10u entries %12s\n", bpf_map__name(m), bpf_map__max_entries(m),
			mt_fmt_bytes(b, sizeof(b), (long long)v));
	}
	fprintf(f, "  %-16s %31s\n", "total", mt_fmt_bytes(b, sizeof(b), (long long)total));
}
