// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "collect/kernel_info.h"
#include "collect/probe.h"

/*
 * Parsing the kernel's BTF takes tens of milliseconds (several MB): calibration and probing
 * share one parse, freed when probing is done (mt_probe_close), before tracing starts.
 */
static struct btf *vmlinux_btf;
static bool vmlinux_btf_tried;

struct btf *mt_vmlinux_btf(void)
{
	if (vmlinux_btf_tried)
		return vmlinux_btf;
	vmlinux_btf_tried = true;
	if (!mt_have_kernel_btf())
		return NULL;
	vmlinux_btf = btf__parse(mt_vmlinux_btf_path(), NULL);
	if (libbpf_get_error(vmlinux_btf))
		vmlinux_btf = NULL;
	return vmlinux_btf;
}

void mt_probe_open(struct mt_probe *p)
{
	p->vmlinux = mt_vmlinux_btf();
}

void mt_probe_close(struct mt_probe *p)
{
	btf__free(vmlinux_btf);
	vmlinux_btf = NULL;
	vmlinux_btf_tried = false;
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

bool mt_probe_rdonly_cast(const struct mt_probe *p)
{
	/* 6.2+ has the kfunc; only 64-bit JITs guard the loads it allows (x86_32 has none) */
	return p->vmlinux && btf__pointer_size(p->vmlinux) == 8 &&
	       btf__find_by_name_kind(p->vmlinux, "bpf_rdonly_cast", BTF_KIND_FUNC) > 0;
}

int mt_find_vmlinux_btf(char *src, size_t len)
{
	struct btf *btf;

	if (mt_have_kernel_btf()) {
		snprintf(src, len, "%s", mt_vmlinux_btf_path());
		return 1;
	}
	if (getenv("MEMTRACE_VMLINUX_BTF"))
		return 0;
	/* libbpf also looks in /boot and /lib/modules for a detached vmlinux BTF */
	btf = btf__load_vmlinux_btf();
	if (libbpf_get_error(btf))
		return 0;
	btf__free(btf);
	snprintf(src, len, "a vmlinux file found by libbpf (no %s)", MT_VMLINUX_BTF);
	return 1;
}

int mt_possible_cpus(void)
{
	return libbpf_num_possible_cpus();
}
