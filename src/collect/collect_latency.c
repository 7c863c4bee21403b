// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/collect_latency.h"
#include "memtrace.skel.h"

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

	return map ? bpf_map__fd(map) : -ENOENT;
}

typedef int (*add_fn)(struct mt_latency *m, const void *key, const void *vals, int ncpu);

/* Walk a hash; per-CPU values come back one per possible CPU (ncpu 1: a plain hash). */
static int walk(int fd, size_t key_size, size_t val_size, int ncpu, add_fn add,
		struct mt_latency *m)
{
	char key[32], next[32];
	void *vals, *prev = NULL;
	int err = 0;

	if (fd < 0)
		return fd;
	if (key_size > sizeof(key))
		return -EINVAL;
	vals = calloc(ncpu, val_size);
	if (!vals)
		return -ENOMEM;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, vals))
			continue;
		err = add(m, key, vals, ncpu);
		if (err)
			break;
	}
	free(vals);
	return err;
}

static int add_order(struct mt_latency *m, const void *key, const void *vals, int ncpu)
{
	return mt_lat_add_order(m, key, vals, ncpu) ? -ENOMEM : 0;
}

static int add_proc(struct mt_latency *m, const void *key, const void *vals, int ncpu)
{
	return mt_lat_add_proc(m, *(const __u32 *)key, vals, ncpu) ? -ENOMEM : 0;
}

static int add_open(struct mt_latency *m, const void *key, const void *vals, int ncpu)
{
	mt_lat_add_open(m, key, vals);
	return 0;
}

int mt_collect_latency(struct bpf_object *obj, struct mt_latency *m)
{
	int ncpu = libbpf_num_possible_cpus(), fd, err;
	struct mt_lat_stats *st;
	__u32 zero = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	fd = map_fd(obj, "lat_stats");
	if (fd < 0)
		return fd;
	st = calloc(ncpu, sizeof(*st));
	if (!st)
		return -ENOMEM;
	err = bpf_map_lookup_elem(fd, &zero, st) ? -errno : 0;
	if (!err)
		mt_lat_add_stats(m, st, ncpu);
	free(st);
	if (!err)
		err = walk(map_fd(obj, "lat_orders"), sizeof(struct mt_lat_okey),
			   sizeof(struct mt_lat_ostats), ncpu, add_order, m);
	if (!err)
		err = walk(map_fd(obj, "lat_procs"), sizeof(__u32), sizeof(struct mt_lat_proc),
			   ncpu, add_proc, m);
	if (!err)
		err = walk(map_fd(obj, "lat_open"), sizeof(struct mt_lat_key),
			   sizeof(struct mt_lat_open), 1, add_open, m);
	return err;
}
