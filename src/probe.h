/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What this kernel lets memtrace hook, probed before load. */
#ifndef MT_PROBE_H
#define MT_PROBE_H

#include <stdbool.h>

enum mt_event {
	MT_EV_KMALLOC,
	MT_EV_KMEM_CACHE_ALLOC,
	MT_EV_KFREE,
	MT_EV_KMEM_CACHE_FREE,
	MT_EV_PAGE_ALLOC,
	MT_EV_PAGE_FREE,
	MT_EV_MAX,
};

struct mt_probe {
	bool tp_btf[MT_EV_MAX];		/* kernel BTF has btf_trace_<event> */
	bool tracepoint[MT_EV_MAX];	/* tracefs has the classic event */
};

const char *mt_event_name(enum mt_event ev);	/* "kmalloc" */
void mt_probe_events(struct mt_probe *p);

#endif /* MT_PROBE_H */
