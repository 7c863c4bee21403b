// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Closing a perf-event link (a classic tracepoint, a kprobe) waits in the kernel for an RCU
 * Tasks Trace grace period (perf_event_detach_bpf_prog -> synchronize_rcu_tasks_trace):
 * about 75 ms each on 6.18 here, seconds in a TCG guest. One after another, the eleven DMA
 * and swiotlb events alone held memtrace's exit for 0.8 s, and the events detached first
 * stopped counting that much before the last. Waiters on parallel threads share grace
 * periods, so the links go on a few threads at once.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <bpf/libbpf.h>
#include "collect/detach.h"

#define DETACH_THREADS 8

struct detach_work {
	/* the i-th link slot: from an array, or from a skeleton's program table */
	struct bpf_link **(*slot)(const void *ctx, size_t i);
	const void *ctx;
	size_t n;
	atomic_size_t next;
};

static void *detach_worker(void *arg)
{
	struct detach_work *w = arg;
	size_t i;

	while ((i = atomic_fetch_add(&w->next, 1)) < w->n) {
		struct bpf_link **l = w->slot(w->ctx, i);

		if (l && *l) {
			bpf_link__destroy(*l);
			*l = NULL;
		}
	}
	return NULL;
}

static void run(struct detach_work *w)
{
	pthread_t t[DETACH_THREADS - 1];
	size_t nt = 0, want = w->n < DETACH_THREADS ? w->n : DETACH_THREADS;
	sigset_t all, old;

	/* the workers take no signal: SIGINT and SIGCHLD stay with the main thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (; nt + 1 < want; nt++)
		if (pthread_create(&t[nt], NULL, detach_worker, w))
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	detach_worker(w); /* this thread too: all of it if no thread could start */
	while (nt--)
		pthread_join(t[nt], NULL);
}

static struct bpf_link **array_slot(const void *ctx, size_t i)
{
	return ((struct bpf_link * *const *)ctx)[i];
}

void mt_links_destroy(struct bpf_link **const *links, size_t n)
{
	struct detach_work w = { .slot = array_slot, .ctx = links, .n = n };

	run(&w);
}

static struct bpf_link **skel_slot(const void *ctx, size_t i)
{
	const struct bpf_object_skeleton *s = ctx;

	return ((struct bpf_prog_skeleton *)((char *)s->progs + i * (size_t)s->prog_skel_sz))->link;
}

void mt_skel_detach(struct bpf_object_skeleton *s)
{
	struct detach_work w = { .slot = skel_slot, .ctx = s };

	if (!s || s->prog_cnt <= 0)
		return;
	w.n = (size_t)s->prog_cnt;
	run(&w);
}
