// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * High memory: on CONFIG_HIGHMEM kernels (32-bit), pages above the direct map must be
 * mapped before the kernel touches them. No tracepoint covers kmap, so these are kprobes,
 * which the loader keeps only where the kernel has kprobes and the functions exist (on
 * 64-bit there is no high memory and kmap() is page_address()). The programs read no
 * argument: BPF_KPROBE's argument macros assume x86_64 registers, where i386 passes the
 * first three in ax, dx, cx.
 */
#include "memtrace.bpf.h"

static __always_inline int count(int what)
{
	struct mt_class_stats *cs;
	struct mt_stats *st;
	__u32 tgid;

	st = mt_begin(&tgid);
	cs = st ? mt_cstats() : NULL;
	if (!cs)
		return 0;
	switch (what) {
	case 0:
		cs->kmap.kmap_high++;
		st->cls[MT_CLASS_HIGH].allocs++;
		break;
	case 1:
		cs->kmap.kunmap_high++;
		st->cls[MT_CLASS_HIGH].frees++;
		break;
	case 2:
		cs->kmap.kmap_local++;
		break;
	default:
		cs->kmap.kunmap_local++;
		break;
	}
	return 0;
}

SEC("kprobe/kmap_high")
int kmap_high_kp(void *ctx)
{
	return count(0);
}

SEC("kprobe/kunmap_high")
int kunmap_high_kp(void *ctx)
{
	return count(1);
}

SEC("kprobe/__kmap_local_pfn_prot")
int kmap_local_kp(void *ctx)
{
	return count(2);
}

SEC("kprobe/kunmap_local_indexed")
int kunmap_local_kp(void *ctx)
{
	return count(3);
}
