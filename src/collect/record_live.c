// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Recording the kernel side generically: every map and data section of the BPF object,
 * whatever feature defined it, so a new feature's maps are recorded with no code here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/mapsrc_live.h"
#include "memtrace.skel.h"
#include "collect/record_live.h"
#include "sys/util.h"

/* Maps user space can walk with get_next_key and read with lookup; the rest (ring buffers,
 * perf arrays, program arrays, map-in-map, storage maps) hold nothing a report reads. */
static bool dumpable(enum bpf_map_type t)
{
	switch (t) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_STACK_TRACE:
	case BPF_MAP_TYPE_LPM_TRIE:
		return true;
	default:
		return false;
	}
}

static int record_section(struct mt_rec_writer *w, const struct bpf_map *m, const char *sec)
{
	size_t size = bpf_map__value_size(m);
	struct mt_buf b = {};
	__u32 zero = 0;
	char *v = calloc(1, size ? size : 1);
	int err;

	if (!v)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(m), &zero, v) ? -errno : 0;
	if (!err) {
		mt_buf_u32(&b, strlen(sec));
		mt_buf_put(&b, sec, strlen(sec));
		mt_buf_put(&b, v, size);
		err = b.oom ? -ENOMEM : mt_rec_chunk(w, MT_CHUNK_SECTION, b.p, b.len);
	}
	mt_buf_free(&b);
	free(v);
	return err;
}

static int record_map(struct mt_rec_writer *w, const struct bpf_map *m)
{
	struct mt_rec_map_hdr h = {};
	struct mt_map_desc d;
	struct mt_buf keys = {}, vals = {}, out = {};
	int fd = bpf_map__fd(m), err = 0;
	char *key, *next, *v;
	void *prev = NULL;

	mt_map_desc_of(m, &d);
	key = malloc(d.key_size);
	next = malloc(d.key_size);
	v = malloc((size_t)d.nr_slots * d.stride + 1);
	if (!key || !next || !v) {
		err = -ENOMEM;
		goto out;
	}
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, d.key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, v))
			continue; /* deleted meanwhile */
		mt_buf_put(&keys, key, d.key_size);
		mt_buf_put(&vals, v, (size_t)d.nr_slots * d.stride);
		h.nr_entries++;
	}
	h.type = d.type;
	h.key_size = d.key_size;
	h.value_size = d.value_size;
	h.max_entries = d.max_entries;
	h.nr_slots = d.nr_slots;
	h.stride = d.stride;
	mt_rec_map_begin(&out, bpf_map__name(m), &h);
	mt_buf_put(&out, keys.p, keys.len);
	mt_buf_put(&out, vals.p, vals.len);
	if (keys.oom || vals.oom || out.oom)
		err = -ENOMEM;
	else
		err = mt_rec_chunk(w, MT_CHUNK_MAP, out.p, out.len);
out:
	mt_buf_free(&keys);
	mt_buf_free(&vals);
	mt_buf_free(&out);
	free(key);
	free(next);
	free(v);
	return err;
}

int mt_record_maps(struct mt_rec_writer *w, const struct mt_loader *l, int *nr_maps)
{
	struct bpf_map *m;
	int err = 0;

	*nr_maps = 0;
	bpf_object__for_each_map(m, l->skel->obj)
	{
		const char *sec = mt_map_section(m);

		if (!dumpable(bpf_map__type(m))) {
			mt_info("map %s (type %d) not recorded: nothing to read from it",
				bpf_map__name(m), bpf_map__type(m));
			continue;
		}
		err = sec ? record_section(w, m, sec) : record_map(w, m);
		if (err == -ENOMEM || w->err)
			return w->err ? w->err : err;
		if (err) {
			mt_warn("map %s not recorded: %s", bpf_map__name(m), strerror(-err));
			continue;
		}
		(*nr_maps)++;
	}
	return 0;
}
