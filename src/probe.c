// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kernel_info.h"
#include "probe.h"

static const char *const names[MT_EV_MAX] = {
	[MT_EV_KMALLOC] = "kmalloc",
	[MT_EV_KMEM_CACHE_ALLOC] = "kmem_cache_alloc",
	[MT_EV_KFREE] = "kfree",
	[MT_EV_KMEM_CACHE_FREE] = "kmem_cache_free",
	[MT_EV_PAGE_ALLOC] = "mm_page_alloc",
	[MT_EV_PAGE_FREE] = "mm_page_free",
};

const char *mt_event_name(enum mt_event ev)
{
	return ev < MT_EV_MAX ? names[ev] : "?";
}

void mt_probe_events(struct mt_probe *p)
{
	struct btf *btf = NULL;

	/* tp_btf needs the running kernel's own BTF: a detached BTF file is not enough */
	if (mt_have_kernel_btf()) {
		btf = btf__parse(mt_vmlinux_btf_path(), NULL);
		if (libbpf_get_error(btf))
			btf = NULL;
	}
	for (int i = 0; i < MT_EV_MAX; i++) {
		char tn[64];

		snprintf(tn, sizeof(tn), "btf_trace_%s", names[i]);
		p->tp_btf[i] = btf && btf__find_by_name_kind(btf, tn, BTF_KIND_TYPEDEF) > 0;
		p->tracepoint[i] = mt_tracepoint_exists("kmem", names[i]);
	}
	btf__free(btf);
}
