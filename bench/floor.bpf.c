// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The floor of the overhead benchmark: empty programs on the tracepoints memtrace uses,
 * attached the way memtrace attaches them (raw_tp for kmem events, whose pointers memtrace
 * does arithmetic on; tp_btf for vmalloc and page-fault events), and the same on classic
 * tracepoints for
 * reference. raw_tp and tp_btf cost the same (both run through bpf_trace_run). Whatever a tracer costs beyond these is its own work.
 * bench/floor.c keeps one flavour and the events it is asked for.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define FAST(sec, name)                                                                            \
	SEC(sec) int name(void *ctx)                                                               \
	{                                                                                          \
		return 0;                                                                          \
	}
#define CLASSIC(grp, ev, name)                                                                     \
	SEC("tracepoint/" grp "/" ev) int name(void *ctx)                                          \
	{                                                                                          \
		return 0;                                                                          \
	}

FAST("raw_tp/kmalloc", f_kmalloc)
FAST("raw_tp/kmem_cache_alloc", f_kc_alloc)
FAST("raw_tp/kfree", f_kfree)
FAST("raw_tp/kmem_cache_free", f_kc_free)
FAST("raw_tp/mm_page_alloc", f_page_alloc)
FAST("raw_tp/mm_page_free", f_page_free)
FAST("tp_btf/alloc_vmap_area", f_vmap_alloc)
FAST("tp_btf/free_vmap_area_noflush", f_vmap_free)
FAST("tp_btf/page_fault_user", f_fault_user)
FAST("tp_btf/page_fault_kernel", f_fault_kernel)

CLASSIC("kmem", "kmalloc", c_kmalloc)
CLASSIC("kmem", "kmem_cache_alloc", c_kc_alloc)
CLASSIC("kmem", "kfree", c_kfree)
CLASSIC("kmem", "kmem_cache_free", c_kc_free)
CLASSIC("kmem", "mm_page_alloc", c_page_alloc)
CLASSIC("kmem", "mm_page_free", c_page_free)
CLASSIC("vmalloc", "alloc_vmap_area", c_vmap_alloc)
CLASSIC("vmalloc", "free_vmap_area_noflush", c_vmap_free)
CLASSIC("exceptions", "page_fault_user", c_fault_user)
CLASSIC("exceptions", "page_fault_kernel", c_fault_kernel)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
