/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Latency handlers shared by stall.bpf.c (tracepoint pairs) and alloclat.bpf.c (allocator
 * calls): remember a begin per task and kind, close it at the end, histogram the time. The
 * maps are defined once in lat_maps.bpf.c, which is linked into both objects.
 */
#ifndef MT_LATENCY_BPF_H
#define MT_LATENCY_BPF_H

#include "memtrace.bpf.h"

struct mt_lat_stats_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mt_lat_stats);
};

/* Open pairs: shared by all CPUs (a task may end on another CPU than it began). */
struct mt_lat_open_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct mt_lat_key);
	__type(value, struct mt_lat_open);
};

struct mt_lat_orders_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct mt_lat_okey);
	__type(value, struct mt_lat_ostats);
};

struct mt_lat_procs_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 2048);
	__type(key, __u32);
	__type(value, struct mt_lat_proc);
};

extern struct mt_lat_stats_map lat_stats SEC(".maps");
extern struct mt_lat_open_map lat_open SEC(".maps");
extern struct mt_lat_orders_map lat_orders SEC(".maps");
extern struct mt_lat_procs_map lat_procs SEC(".maps");
/* All-zero rows to insert: the rows are too big for the 512-byte BPF stack. */
extern const volatile struct mt_lat_ostats lat_zero_ostats;
extern const volatile struct mt_lat_proc lat_zero_proc;

static __always_inline struct mt_lat_kind_stats *lat_kind(__u32 kind)
{
	struct mt_lat_stats *s;
	__u32 zero = 0;

	s = bpf_map_lookup_elem(&lat_stats, &zero);
	if (!s || kind >= MT_LAT_KINDS)
		return NULL;
	return &s->k[kind];
}

/* The run's scope (-p, -- CMD and its forks, --cgroup), as for every other event. */
static __always_inline bool lat_pid_ok(__u32 tgid)
{
	return mt_in_scope(tgid);
}

/* One measured duration: the kind's histogram, its order/zone row, its process row. */
static __always_inline void lat_record(struct mt_lat_kind_stats *ks, __u32 kind, __u64 ns,
				       __s32 order, __u32 zone, __u32 tgid)
{
	struct mt_lat_okey okey = {};
	struct task_struct *task;
	struct mt_lat_ostats *os;
	struct mt_lat_proc *p;
	__u32 slot = mt_hist_slot_us(ns);

	/* slot < 32 already; hide that from clang so the mask stays for the verifier */
	barrier_var(slot);
	slot &= MT_HIST_SLOTS - 1;
	ks->count++;
	ks->total_ns += ns;
	if (ns > ks->max_ns)
		ks->max_ns = ns;
	ks->hist[slot]++;

	if (order != MT_LAT_ORDER_NONE || zone != MT_ZONE_UNKNOWN) {
		okey.kind = kind;
		okey.order = order;
		okey.zone = zone;
		os = bpf_map_lookup_elem(&lat_orders, &okey);
		if (!os) {
			bpf_map_update_elem(&lat_orders, &okey, (void *)&lat_zero_ostats,
					    BPF_NOEXIST);
			os = bpf_map_lookup_elem(&lat_orders, &okey);
		}
		if (os) {
			os->count++;
			os->total_ns += ns;
			os->hist[slot]++;
		} else {
			ks->detail_lost++;
		}
	}

	p = bpf_map_lookup_elem(&lat_procs, &tgid);
	if (!p) {
		bpf_map_update_elem(&lat_procs, &tgid, (void *)&lat_zero_proc, BPF_NOEXIST);
		p = bpf_map_lookup_elem(&lat_procs, &tgid);
	}
	if (!p || kind >= MT_LAT_KINDS) {
		ks->detail_lost++;
		return;
	}
	/* per-CPU rows: each CPU names its own copy the first time; user space takes any */
	if (!p->comm[0]) {
		task = (struct task_struct *)bpf_get_current_task();
		BPF_CORE_READ_STR_INTO(&p->comm, task, group_leader, comm);
	}
	p->count[kind]++;
	p->total_ns[kind] += ns;
	if (ns > p->max_ns[kind])
		p->max_ns[kind] = ns;
	if (mt_lat_is_outer_stall(kind))
		p->stall_hist[slot]++;
}

/* A begin: remember when, per task and kind. */
static __always_inline void lat_begin(__u32 kind, __s32 order)
{
	__u64 now = bpf_ktime_get_ns(), id = bpf_get_current_pid_tgid();
	struct mt_lat_key key = { .tid = (__u32)id, .kind = kind };
	struct mt_lat_open *o, fresh = {};
	struct mt_lat_kind_stats *ks;
	__u32 tgid = id >> 32;

	if (!lat_pid_ok(tgid))
		return;
	ks = lat_kind(kind);
	if (!ks)
		return;
	o = bpf_map_lookup_elem(&lat_open, &key);
	if (!o) {
		fresh.tgid = tgid;
		bpf_map_update_elem(&lat_open, &key, &fresh, BPF_NOEXIST);
		o = bpf_map_lookup_elem(&lat_open, &key);
		if (!o) {
			ks->table_full++;
			return;
		}
	}
	if (mt_lat_push(o, now, order) == MT_PAIR_TOO_DEEP)
		ks->too_deep++;
}

/*
 * An end: close the task's innermost begin of this kind and record the time. count_unpaired
 * is false where an end without a begin is the normal case (kcompactd_sleep also follows
 * every timeout), so it is no loss.
 */
static __always_inline void lat_end(__u32 kind, __u32 zone, bool count_unpaired)
{
	__u64 now = bpf_ktime_get_ns(), id = bpf_get_current_pid_tgid(), delta = 0;
	struct mt_lat_key key = { .tid = (__u32)id, .kind = kind };
	struct mt_lat_kind_stats *ks;
	struct mt_lat_open *o;
	__s32 order = MT_LAT_ORDER_NONE;
	__u32 tgid = id >> 32;
	int r;

	if (!lat_pid_ok(tgid))
		return;
	ks = lat_kind(kind);
	if (!ks)
		return;
	o = bpf_map_lookup_elem(&lat_open, &key);
	if (!o) {
		if (count_unpaired)
			ks->unpaired_ends++;
		return;
	}
	r = mt_lat_pop(o, now, &delta, &order);
	/* read before the delete: a freed element is reused at once */
	if (!o->depth)
		bpf_map_delete_elem(&lat_open, &key);
	if (r == MT_PAIR_NO_BEGIN) {
		if (count_unpaired)
			ks->unpaired_ends++;
		return;
	}
	if (r == MT_PAIR_OK)
		lat_record(ks, kind, delta, order, zone, tgid);
}

/* A stall reported whole by one event (mm_vmscan_throttled). */
static __always_inline void lat_single(__u32 kind, __u64 ns, bool reached_timeout)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct mt_lat_kind_stats *ks;
	__u32 tgid = id >> 32;

	if (!lat_pid_ok(tgid))
		return;
	ks = lat_kind(kind);
	if (!ks)
		return;
	if (reached_timeout)
		ks->reached_timeout++;
	lat_record(ks, kind, ns, MT_LAT_ORDER_NONE, MT_ZONE_UNKNOWN, tgid);
}

#endif /* MT_LATENCY_BPF_H */
