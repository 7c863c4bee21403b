// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The process reaper (proc_reap.h). Why it is safe to take a process's row: its exit was
 * noted MT_REAP_GRACE_NS ago, so nothing runs in its context any more (its remains are freed
 * by its parent, in the parent's context), and no CPU's front slot holds counts for it, so no
 * later move can look for the row. The row is taken with one lookup-and-delete.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/proc_reap.h"
#include "model/model.h"
#include "sys/util.h"
#include "memtrace.h"
#include "memtrace.skel.h"

struct fold_name {
	char comm[MT_COMM_LEN];
	__u32 key;
};

struct mt_reaper {
	pthread_t thread;
	pthread_mutex_t lock; /* one tick, or one report reading the tables */
	pthread_mutex_t wake_lock;
	pthread_cond_t wake;
	bool stop;
	int tasks_fd, procs_fd, slot_fd, exited_fd;
	int fault_fd, fault_slot_fd; /* the fault table keyed by tgid and its fronts */
	int ncpu;
	size_t proc_stride, slot_stride, fault_stride, fault_slot_stride;
	void *proc_vals, *slot_vals, *fault_vals, *fault_slot_vals;
	char single[MT_EXITED_SINGLE][MT_COMM_LEN]; /* the name in the row of key i + 1; "" free */
	struct fold_name *names;		    /* rows by name: key MT_EXITED_FOLDED + index */
	size_t nr_names;
	__u32 *tgids; /* the tick's ended processes */
	size_t nr_tgids, cap_tgids;
	struct mt_reap_stats st;
	unsigned long ticks;
};

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* Both fronts read once per pass; false when they could not be (then nothing is taken). */
static bool read_slots(struct mt_reaper *rp)
{
	__u32 zero = 0;

	return !bpf_map_lookup_elem(rp->slot_fd, &zero, rp->slot_vals) &&
	       !bpf_map_lookup_elem(rp->fault_slot_fd, &zero, rp->fault_slot_vals);
}

/* Whether a CPU's front slot holds counts of tgid (they would move into its row later). */
static bool in_a_slot(const struct mt_reaper *rp, bool have_slots, __u32 tgid)
{
	if (!have_slots)
		return true; /* unknown: wait */
	for (int c = 0; c < rp->ncpu; c++) {
		const struct mt_proc_slot *s =
			(const void *)((const char *)rp->slot_vals + (size_t)c * rp->slot_stride);
		const struct mt_fault_slot *f = (const void *)((const char *)rp->fault_slot_vals +
							       (size_t)c * rp->fault_slot_stride);

		if ((s->state != MT_SLOT_EMPTY && s->tgid == tgid) ||
		    (f->state != MT_SLOT_EMPTY && f->tgid == tgid))
			return true;
	}
	return false;
}

/* tgid's fault row out of fault_procs into e (none: it never faulted while traced). */
static void take_faults(struct mt_reaper *rp, __u32 tgid, struct mt_proc_exited *e)
{
	if (bpf_map_lookup_and_delete_elem(rp->fault_fd, &tgid, rp->fault_vals))
		return;
	for (int c = 0; c < rp->ncpu; c++)
		mt_fault_add(&e->faults, (const void *)((const char *)rp->fault_vals +
							(size_t)c * rp->fault_stride));
}

/* This name's row of folded processes, 0 if it has none yet. */
static __u32 fold_find(const struct mt_reaper *rp, const char *comm)
{
	for (size_t i = 0; i < rp->nr_names; i++)
		if (!strncmp(rp->names[i].comm, comm, MT_COMM_LEN))
			return rp->names[i].key;
	return 0;
}

/* A new row for this name, or MT_EXITED_OTHER once MT_EXITED_NAMES names have rows. */
static __u32 fold_new(struct mt_reaper *rp, const char *comm)
{
	if (rp->nr_names >= MT_EXITED_NAMES)
		return MT_EXITED_OTHER;
	memcpy(rp->names[rp->nr_names].comm, comm, MT_COMM_LEN);
	rp->names[rp->nr_names].key = MT_EXITED_FOLDED + (__u32)rp->nr_names;
	return rp->names[rp->nr_names++].key;
}

/* e added into the folded row of key (created from e when it does not exist yet). */
static int fold_into(struct mt_reaper *rp, __u32 key, const struct mt_proc_exited *e)
{
	struct mt_proc_exited row;

	if (bpf_map_lookup_elem(rp->exited_fd, &key, &row)) {
		memset(&row, 0, sizeof(row));
		if (key == MT_EXITED_OTHER)
			snprintf(row.p.comm, sizeof(row.p.comm), "(other)");
		else
			memcpy(row.p.comm, e->p.comm, MT_COMM_LEN);
		memcpy(row.exe, e->exe, MT_EXE_LEN);
	}
	row.nr += e->nr;
	row.execs += e->execs;
	mt_fault_add(&row.faults, &e->faults);
	if (e->exit_ns > row.exit_ns)
		row.exit_ns = e->exit_ns;
	mt_proc_add(&row.p, &e->p);
	rp->st.folded += e->nr;
	return bpf_map_update_elem(rp->exited_fd, &key, &row, BPF_ANY) ? -errno : 0;
}

/*
 * One ended process into procs_exited. A name with a folded row adds to it; else the
 * process gets a row of its own while one is free; once none is, its name gets a folded row
 * and every row of its own of that name moves into it, freeing those: 20,000 runs of
 * /bin/true end as one row, whatever came between them.
 */
static int store(struct mt_reaper *rp, const struct mt_proc_exited *e)
{
	struct mt_proc_exited old;
	__u32 key = fold_find(rp, e->p.comm);
	int err;

	if (key)
		return fold_into(rp, key, e);
	for (__u32 i = 0; i < MT_EXITED_SINGLE; i++) {
		if (rp->single[i][0])
			continue;
		key = i + 1;
		if (bpf_map_update_elem(rp->exited_fd, &key, e, BPF_ANY))
			return -errno;
		snprintf(rp->single[i], MT_COMM_LEN, "%.15s", e->p.comm[0] ? e->p.comm : "?");
		return 0;
	}
	key = fold_new(rp, e->p.comm);
	err = fold_into(rp, key, e);
	for (__u32 i = 0; !err && i < MT_EXITED_SINGLE; i++) {
		__u32 k = i + 1;

		if (key != MT_EXITED_OTHER && strncmp(rp->single[i], e->p.comm, MT_COMM_LEN) != 0)
			continue;
		if (key == MT_EXITED_OTHER && fold_find(rp, rp->single[i]))
			continue;
		if (bpf_map_lookup_elem(rp->exited_fd, &k, &old))
			continue;
		err = fold_into(rp, key, &old);
		if (!err) {
			bpf_map_delete_elem(rp->exited_fd, &k);
			memset(rp->single[i], 0, MT_COMM_LEN);
		}
	}
	return err;
}

/* Take tgid's row out of procs into an exited row. */
static void reap_one(struct mt_reaper *rp, __u32 tgid, const struct mt_task *t)
{
	struct mt_proc_exited e = { .tgid = tgid, .nr = 1, .exit_ns = t->exit_ns };
	char first[MT_COMM_LEN] = "";

	take_faults(rp, tgid, &e);
	if (bpf_map_lookup_and_delete_elem(rp->procs_fd, &tgid, rp->proc_vals) == 0) {
		for (int c = 0; c < rp->ncpu; c++) {
			const struct mt_proc *v = (const void *)((const char *)rp->proc_vals +
								 (size_t)c * rp->proc_stride);

			if (!first[0] && v->comm[0])
				memcpy(first, v->comm, MT_COMM_LEN);
			mt_proc_add(&e.p, v);
		}
		/* the name users know is the one after the last exec */
		memcpy(e.p.comm, t->execs ? t->comm : first, MT_COMM_LEN);
		if (t->execs)
			mt_proc_earlier_names(e.earlier, first, t);
		e.execs = t->execs;
		memcpy(e.exe, t->exe, MT_EXE_LEN);
		if (store(rp, &e)) {
			rp->st.failed++;
			mt_warn("process %u: its counts could not be kept: %s", tgid,
				strerror(errno));
		} else {
			rp->st.reaped++;
		}
	}
	/* no row: it never allocated while traced, or the table was full */
	bpf_map_delete_elem(rp->tasks_fd, &tgid);
}

/* rp->tgids: the keys of the hash fd that want() picks, in the kernel's order. */
static void list_keys(struct mt_reaper *rp, int fd, bool (*want)(struct mt_reaper *, __u32, __u64),
		      __u64 now)
{
	__u32 key, next, *prev = NULL, *p;

	rp->nr_tgids = 0;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (!want(rp, key, now))
			continue;
		p = mt_push(&rp->tgids, &rp->nr_tgids, &rp->cap_tgids, sizeof(*p));
		if (!p)
			break;
		*p = key;
	}
}

/* Whether the process tgid is gone (a zombie still exists). */
static bool process_gone(__u32 tgid)
{
	/* 0 is the idle task; MT_TGID_ENDED_OWNERS and the like are no process */
	return tgid && tgid < (1U << 30) && kill((pid_t)tgid, 0) && errno == ESRCH;
}

/*
 * Rows of processes gone without a mark: their exit was not noted (the task table was
 * full), or counts arrived in their context after they were moved (a long exit path). The
 * time of the sweep stands for the exit.
 */
static bool gone_unmarked(struct mt_reaper *rp, __u32 tgid, __u64 now)
{
	struct mt_task t;

	(void)now;
	return process_gone(tgid) && bpf_map_lookup_elem(rp->tasks_fd, &tgid, &t);
}

static void sweep(struct mt_reaper *rp, __u64 now)
{
	struct mt_task t;
	bool have_slots;

	list_keys(rp, rp->procs_fd, gone_unmarked, now);
	if (!rp->nr_tgids)
		return;
	have_slots = read_slots(rp);
	for (size_t i = 0; i < rp->nr_tgids; i++) {
		__u32 tgid = rp->tgids[i];

		memset(&t, 0, sizeof(t));
		t.exit_ns = now;
		if (!in_a_slot(rp, have_slots, tgid) && process_gone(tgid)) {
			reap_one(rp, tgid, &t);
			rp->st.swept++;
		}
	}
}

/* Its exit was marked, longer than the grace period ago. */
static bool ended_long_enough(struct mt_reaper *rp, __u32 tgid, __u64 now)
{
	struct mt_task t;

	return !bpf_map_lookup_elem(rp->tasks_fd, &tgid, &t) && t.exit_ns &&
	       t.exit_ns + MT_REAP_GRACE_NS <= now;
}

static void tick(struct mt_reaper *rp)
{
	__u64 now = mono_ns();
	bool have_slots;
	struct mt_task t;

	if (++rp->ticks % MT_REAP_SWEEP_TICKS == 0)
		sweep(rp, now);
	list_keys(rp, rp->tasks_fd, ended_long_enough, now);
	if (!rp->nr_tgids)
		return;
	/* the slots after the list: a slot taken since can only be by a live process */
	have_slots = read_slots(rp);
	for (size_t i = 0; i < rp->nr_tgids; i++) {
		__u32 tgid = rp->tgids[i];

		if (in_a_slot(rp, have_slots, tgid) || bpf_map_lookup_elem(rp->tasks_fd, &tgid, &t))
			continue;
		if (!t.exit_ns)
			continue; /* the pid was taken again, by a program that exec'd */
		reap_one(rp, tgid, &t);
	}
}

static void *reaper_main(void *arg)
{
	struct mt_reaper *rp = arg;

	pthread_mutex_lock(&rp->wake_lock);
	while (!rp->stop) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += MT_REAP_INTERVAL_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&rp->wake, &rp->wake_lock, &ts);
		if (rp->stop)
			break;
		pthread_mutex_unlock(&rp->wake_lock);
		pthread_mutex_lock(&rp->lock);
		tick(rp);
		pthread_mutex_unlock(&rp->lock);
		pthread_mutex_lock(&rp->wake_lock);
	}
	pthread_mutex_unlock(&rp->wake_lock);
	return NULL;
}

static void reaper_free(struct mt_reaper *rp)
{
	free(rp->proc_vals);
	free(rp->slot_vals);
	free(rp->fault_vals);
	free(rp->fault_slot_vals);
	free(rp->names);
	free(rp->tgids);
	free(rp);
}

struct mt_reaper *mt_reaper_start(struct memtrace_bpf *skel)
{
	struct mt_reaper *rp = calloc(1, sizeof(*rp));
	int err;

	if (!rp)
		return NULL;
	rp->ncpu = libbpf_num_possible_cpus();
	if (rp->ncpu <= 0) {
		free(rp);
		errno = EINVAL;
		return NULL;
	}
	rp->tasks_fd = bpf_map__fd(skel->maps.tasks);
	rp->procs_fd = bpf_map__fd(skel->maps.procs);
	rp->slot_fd = bpf_map__fd(skel->maps.proc_slot);
	rp->fault_fd = bpf_map__fd(skel->maps.fault_procs);
	rp->fault_slot_fd = bpf_map__fd(skel->maps.fault_slot);
	rp->exited_fd = bpf_map__fd(skel->maps.procs_exited);
	rp->proc_stride = (sizeof(struct mt_proc) + 7) & ~(size_t)7;
	rp->slot_stride = (sizeof(struct mt_proc_slot) + 7) & ~(size_t)7;
	rp->fault_stride = (sizeof(struct mt_fault_proc) + 7) & ~(size_t)7;
	rp->fault_slot_stride = (sizeof(struct mt_fault_slot) + 7) & ~(size_t)7;
	rp->proc_vals = calloc((size_t)rp->ncpu, rp->proc_stride);
	rp->slot_vals = calloc((size_t)rp->ncpu, rp->slot_stride);
	rp->fault_vals = calloc((size_t)rp->ncpu, rp->fault_stride);
	rp->fault_slot_vals = calloc((size_t)rp->ncpu, rp->fault_slot_stride);
	rp->names = calloc(MT_EXITED_NAMES, sizeof(*rp->names));
	if (!rp->proc_vals || !rp->slot_vals || !rp->fault_vals || !rp->fault_slot_vals ||
	    !rp->names) {
		reaper_free(rp);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&rp->lock, NULL);
	pthread_mutex_init(&rp->wake_lock, NULL);
	pthread_cond_init(&rp->wake, NULL);
	err = pthread_create(&rp->thread, NULL, reaper_main, rp);
	if (err) {
		reaper_free(rp);
		errno = err;
		return NULL;
	}
	return rp;
}

void mt_reaper_stop(struct mt_reaper *rp, struct mt_reap_stats *st)
{
	if (!rp)
		return;
	pthread_mutex_lock(&rp->wake_lock);
	rp->stop = true;
	pthread_cond_signal(&rp->wake);
	pthread_mutex_unlock(&rp->wake_lock);
	pthread_join(rp->thread, NULL);
	if (st)
		*st = rp->st;
	pthread_mutex_destroy(&rp->lock);
	pthread_mutex_destroy(&rp->wake_lock);
	pthread_cond_destroy(&rp->wake);
	reaper_free(rp);
}

void mt_reaper_lock(struct mt_reaper *rp)
{
	if (rp)
		pthread_mutex_lock(&rp->lock);
}

void mt_reaper_unlock(struct mt_reaper *rp)
{
	if (rp)
		pthread_mutex_unlock(&rp->lock);
}
