/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Alloc/free pairing, call sites and kernel stacks, for any class: an allocation handler
 * calls mt_track_alloc() once, a free handler mt_track_free() once. Everything here is
 * behind .rodata switches the verifier resolves at load time, so a run without
 * --outstanding/--stacks/call sites pays nothing for it.
 * Included by memtrace.bpf.h; the maps are defined in maps.bpf.c.
 */
#ifndef MT_PAIR_BPF_H
#define MT_PAIR_BPF_H

#define MT_E2BIG 7
#define MT_ENOMEM 12
#define MT_EEXIST 17

extern const volatile bool track_pairs;	  /* outstanding map + lifetimes */
extern const volatile bool track_stacks;  /* kernel stack per allocation */
extern const volatile bool track_sites;	  /* per-call-site totals */
extern const volatile __u32 stack_sample; /* 1 in N allocations records its stack */

struct mt_pair_stats_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mt_pair_stats);
};

/* Plain (preallocated) hash, not LRU: an LRU would evict live objects without a trace. */
struct mt_outstanding_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MT_OUTSTANDING_ENTRIES);
	__type(key, struct mt_obj_key);
	__type(value, struct mt_obj);
};

struct mt_stack_traces_map {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, MT_STACK_ENTRIES);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MT_STACK_DEPTH * sizeof(__u64));
};

struct mt_sites_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MT_SITE_ENTRIES);
	__type(key, struct mt_site_key);
	__type(value, struct mt_site);
};

struct mt_owner_frees_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MT_MAX_PROCS); /* as procs; 1 without pairing, set by the loader */
	__type(key, __u32);
	__type(value, struct mt_owner_frees);
};

struct mt_site_front_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mt_site_front);
};

struct mt_stack_aggs_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MT_STACK_ENTRIES);
	__type(key, struct mt_stack_key);
	__type(value, struct mt_stack_agg);
};

extern struct mt_pair_stats_map pair_stats SEC(".maps");
extern struct mt_outstanding_map outstanding SEC(".maps");
extern struct mt_stack_traces_map stack_traces SEC(".maps");
extern struct mt_sites_map sites SEC(".maps");
extern struct mt_site_front_map site_front SEC(".maps");
extern struct mt_stack_aggs_map stack_aggs SEC(".maps");
extern struct mt_owner_frees_map owner_frees SEC(".maps");

static __always_inline struct mt_pair_stats *mt_pair_stats_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&pair_stats, &zero);
}

/*
 * The stack of this allocation, or -1. No BPF_F_REUSE_STACKID: with it a colliding stack
 * silently overwrites the bucket and every older id then names the wrong stack; without
 * it the kernel answers -EEXIST, which is counted.
 */
static __always_inline __s32 mt_stack_id(void *ctx, struct mt_pair_stats *ps)
{
	long id = bpf_get_stackid(ctx, &stack_traces, 0);

	if (id >= 0)
		return id;
	if (id == -MT_EEXIST)
		ps->lost[MT_PLOSS_STACK_COLLISION]++;
	else if (id == -MT_ENOMEM)
		ps->lost[MT_PLOSS_STACK_FULL]++;
	else
		ps->lost[MT_PLOSS_STACK_ERR]++;
	return -1;
}

/* The call site's row of the hash, created on first sight; NULL (counted) when full. */
static __always_inline struct mt_site *mt_site_row(struct mt_pair_stats *ps,
						   const struct mt_site_key *k)
{
	struct mt_site *s, zero = {};

	s = bpf_map_lookup_elem(&sites, k);
	if (s)
		return s;
	bpf_map_update_elem(&sites, k, &zero, BPF_NOEXIST);
	s = bpf_map_lookup_elem(&sites, k);
	if (!s)
		ps->lost[MT_PLOSS_SITE_FULL]++;
	return s;
}

/*
 * Count an allocation at call_site: in its slot of this CPU's front (struct mt_site_front),
 * after moving the counts of the key that held the slot into that key's row. An event
 * nested in an interrupt while another counts here (busy) goes to the hash directly, so
 * neither ever sees a slot half moved.
 */
static __always_inline void mt_site_add(struct mt_pair_stats *ps, int cls, __u64 call_site,
					__u64 req, __u64 size)
{
	struct mt_site_key k = { .call_site = call_site, .cls = cls };
	struct mt_site_front *f;
	struct mt_site_slot *e;
	struct mt_site *s;
	__u32 zero = 0, i;

	f = bpf_map_lookup_elem(&site_front, &zero);
	if (!f || f->busy) {
		s = mt_site_row(ps, &k);
		if (s) {
			s->allocs++;
			s->bytes_req += req;
			s->bytes_alloc += size;
		}
		return;
	}
	f->busy = 1;
	i = mt_site_slot_of(call_site, cls);
	barrier_var(i);
	e = &f->slot[i & (MT_SITE_SLOTS - 1)];
	if (e->key.call_site != call_site || e->key.cls != (__u32)cls) {
		if (e->key.call_site) {
			s = bpf_map_lookup_elem(&sites, &e->key);
			if (s) {
				s->allocs += e->n.allocs;
				s->bytes_req += e->n.bytes_req;
				s->bytes_alloc += e->n.bytes_alloc;
			}
			e->key.call_site = 0;
		}
		if (!mt_site_row(ps, &k)) {
			f->busy = 0;
			return;
		}
		e->n.allocs = e->n.bytes_req = e->n.bytes_alloc = 0;
		e->key.cls = cls;
		e->key.call_site = call_site;
	}
	e->n.allocs++;
	e->n.bytes_req += req;
	e->n.bytes_alloc += size;
	f->busy = 0;
}

static __always_inline void mt_stack_add(struct mt_pair_stats *ps, int cls, __s32 id, __u64 size)
{
	struct mt_stack_key k = { .stack_id = id, .cls = cls };
	struct mt_stack_agg *a, zero = {};

	a = bpf_map_lookup_elem(&stack_aggs, &k);
	if (!a) {
		bpf_map_update_elem(&stack_aggs, &k, &zero, BPF_NOEXIST);
		a = bpf_map_lookup_elem(&stack_aggs, &k);
		if (!a) {
			ps->lost[MT_PLOSS_STACK_AGG_FULL]++;
			return;
		}
	}
	a->allocs++;
	a->bytes += size;
}

/*
 * A successful allocation of size bytes (req asked for) at addr, by tgid, from call_site
 * (0 when the event has none). cls is an enum mt_pair_kind (a class's own value, or
 * MT_PAIR_PERCPU). ctx is the program's context, for the stack.
 */
static __always_inline void mt_track_alloc(void *ctx, __u32 tgid, int cls, __u64 addr, __u64 size,
					   __u64 req, __u64 call_site)
{
	struct mt_obj_key k = { .addr = addr, .cls = cls };
	struct mt_pair_stats *ps;
	struct mt_obj v;
	long err;

	if (!track_pairs && !track_sites && !track_stacks)
		return;
	ps = mt_pair_stats_get();
	if (!ps || cls < 0 || cls >= MT_PAIR_KINDS)
		return;
	v.stack_id = -1;
	/*
	 * The stack walk is most of what --stacks costs (bench/README.md); --stack-sample
	 * walks one allocation in N, drawn at random so that no periodic pattern of the
	 * workload lines up with the sampling. Unsampled ones are still counted and paired.
	 */
	if (track_stacks && stack_sample > 1 && bpf_get_prandom_u32() % stack_sample)
		v.stack_id = MT_STACK_UNSAMPLED;
	else if (track_stacks)
		v.stack_id = mt_stack_id(ctx, ps);
	if (track_sites && call_site)
		mt_site_add(ps, cls, call_site, req, size);
	if (track_stacks && v.stack_id != MT_STACK_UNSAMPLED)
		mt_stack_add(ps, cls, v.stack_id, size);
	if (!track_pairs)
		return;
	v.ts_ns = bpf_ktime_get_ns();
	v.size = size;
	v.call_site = call_site;
	v.tgid = tgid;
	err = bpf_map_update_elem(&outstanding, &k, &v, BPF_NOEXIST);
	if (err == -MT_EEXIST) {
		ps->lost[MT_PLOSS_STALE]++;
		err = bpf_map_update_elem(&outstanding, &k, &v, BPF_ANY);
	}
	if (!err)
		ps->tracked[cls]++;
	else if (err == -MT_E2BIG)
		ps->lost[MT_PLOSS_OUTSTANDING_FULL]++;
	else
		ps->lost[MT_PLOSS_OUTSTANDING_ERR]++;
}

/*
 * A free of addr. Called for every free, whoever frees: the allocation belongs to whoever
 * made it, and with -p the object of a traced process may well be freed by a kworker.
 * in_scope says whether the freeing task passed the filters: only then is a free that
 * finds nothing an unpaired free of ours. When the allocation is found, *owner gets its
 * entry (before the delete) and the result is true.
 */
static __always_inline bool mt_track_free_owner(int cls, __u64 addr, bool in_scope,
						struct mt_obj *owner)
{
	struct mt_obj_key k = { .addr = addr, .cls = cls };
	struct mt_pair_stats *ps;
	struct mt_obj *v;
	__u32 slot;
	__u64 us;

	if (!track_pairs)
		return false;
	ps = mt_pair_stats_get();
	if (!ps || cls < 0 || cls >= MT_PAIR_KINDS)
		return false;
	v = bpf_map_lookup_elem(&outstanding, &k);
	if (!v) {
		if (in_scope)
			ps->unpaired[cls]++;
		return false;
	}
	*owner = *v;
	us = (bpf_ktime_get_ns() - v->ts_ns) / 1000;
	slot = mt_hist_slot(us);
	/* clang knows slot < 32 and drops a plain check; the verifier does not know it */
	barrier_var(slot);
	ps->lifetime_hist[cls][slot & (MT_HIST_SLOTS - 1)]++;
	ps->paired[cls]++;
	ps->paired_bytes[cls] += v->size;
	if (bpf_map_delete_elem(&outstanding, &k))
		ps->lost[MT_PLOSS_OUTSTANDING_ERR]++;
	return true;
}

static __always_inline void mt_track_free(int cls, __u64 addr, bool in_scope)
{
	struct mt_obj owner;

	mt_track_free_owner(cls, addr, in_scope, &owner);
}

/* tgid's row of owner_frees on this CPU, created on first use; NULL when the map is full. */
static __always_inline struct mt_owner_frees *mt_owner_frees_get(__u32 tgid)
{
	struct mt_owner_frees *x, fresh = {};

	x = bpf_map_lookup_elem(&owner_frees, &tgid);
	if (x)
		return x;
	bpf_map_update_elem(&owner_frees, &tgid, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&owner_frees, &tgid);
}

/* The row of MT_TGID_ENDED_OWNERS, created on first use; NULL when procs is full. */
static __always_inline struct mt_proc *mt_ended_owners_row(void)
{
	__u32 key = MT_TGID_ENDED_OWNERS;
	struct mt_proc *p, fresh = {};

	p = bpf_map_lookup_elem(&procs, &key);
	if (p)
		return p;
	__builtin_memcpy(fresh.comm, MT_ENDED_OWNERS_COMM, sizeof(MT_ENDED_OWNERS_COMM));
	bpf_map_update_elem(&procs, &key, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&procs, &key);
}

#define MT_PF_KTHREAD 0x00200000 /* include/linux/sched.h, unchanged since 2.6 */

/*
 * The free of an object found in the outstanding map is the owner's, whoever runs it: it is
 * charged to the owner's process row (so its frees and "outstanding" stay right when a
 * kworker, an RCU callback or another process frees), and counted as done in another
 * context when the current task is not of the owner's process. Runs in and out of scope.
 * A softirq that interrupts the owner itself runs as the owner and counts as its own.
 */
static __always_inline void mt_owner_free(__u32 cur_tgid, int cls, const struct mt_obj *o)
{
	struct mt_owner_frees *x;
	struct task_struct *task;
	struct mt_proc *p;
	__u32 owner = o->tgid;

	if (cls < 0 || cls >= MT_CLASS_MAX)
		return;
	/* the row exists since the allocation (else procs was full: counted there), unless
	 * the owner ended and left the table: then the frees go to one row for all such */
	p = bpf_map_lookup_elem(&procs, &owner);
	if (!p)
		p = mt_ended_owners_row();
	if (p) {
		p->frees[cls]++;
		p->bytes_freed[cls] += o->size;
	}
	if (owner == cur_tgid)
		return;
	x = mt_owner_frees_get(owner);
	if (!x)
		return;
	x->by_others[cls]++;
	x->by_others_bytes[cls] += o->size;
	task = (struct task_struct *)bpf_get_current_task();
	if (BPF_CORE_READ(task, flags) & MT_PF_KTHREAD)
		x->by_kthread[cls]++;
}

/* An in-scope free of an object this process did not allocate while traced: not its. */
static __always_inline void mt_not_own_free(__u32 tgid, int cls, __u64 bytes)
{
	struct mt_owner_frees *x;

	if (cls < 0 || cls >= MT_CLASS_MAX)
		return;
	x = mt_owner_frees_get(tgid);
	if (!x)
		return;
	x->of_others[cls]++;
	x->of_others_bytes[cls] += bytes;
}

/*
 * The in-scope side of a free with pairing on: the thread table counts the work the thread
 * did; the process row was charged by mt_owner_free() when the object was this process's,
 * and a free of anything else (owner another process, or allocated before the run) is
 * counted apart, never as this process's free. owner is 0 when the object was not found.
 */
static __always_inline void mt_proc_free_paired(__u32 tgid, int cls, __u64 bytes, __u32 owner)
{
	mt_thread_add(tgid, cls, bytes, true);
	if (owner != tgid)
		mt_not_own_free(tgid, cls, bytes);
}

#endif /* MT_PAIR_BPF_H */
