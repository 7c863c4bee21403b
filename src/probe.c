// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kernel_info.h"
#include "probe.h"

void mt_probe_open(struct mt_probe *p)
{
	p->vmlinux = NULL;
	if (!mt_have_kernel_btf())
		return;
	p->vmlinux = btf__parse(mt_vmlinux_btf_path(), NULL);
	if (libbpf_get_error(p->vmlinux))
		p->vmlinux = NULL;
}

void mt_probe_close(struct mt_probe *p)
{
	btf__free(p->vmlinux);
	p->vmlinux = NULL;
}

bool mt_probe_btf_tracepoint(const struct mt_probe *p, const char *name)
{
	char tn[128];

	if (!p->vmlinux)
		return false;
	snprintf(tn, sizeof(tn), "btf_trace_%s", name);
	return btf__find_by_name_kind(p->vmlinux, tn, BTF_KIND_TYPEDEF) > 0;
}
