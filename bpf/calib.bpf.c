// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Start-up calibration, a skeleton of its own: the kernel's vmemmap_base and
 * page_offset_base are randomized (KASLR) and not exported as symbols, yet memtrace needs
 * them to turn a struct page into a PFN on the cheap tp_btf path and a kfree'd pointer into
 * its slab. memtrace's own thread allocates pages and one large kmalloc while these
 * programs report, for that thread only, what tp_btf and the classic tracepoint each see.
 * User space pairs the records (see src/collect/calib.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "memtrace.h"
#include "compat.bpf.h"

/*
 * Set by user space only after every program is attached: attaching allocates pages too,
 * and a stream that starts early would be out of step with the other.
 */
__u32 calib_tid;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} calib_rb SEC(".maps");

/* Sequence numbers per record type; only memtrace's own thread writes them. */
__u64 seq[4];
__u64 dropped;

static __always_inline int emit(__u32 type, __u64 value, __u32 order, __u64 bytes)
{
	struct mt_calib_rec *r;

	if (!calib_tid || (__u32)bpf_get_current_pid_tgid() != calib_tid || type >= 4)
		return 0;
	r = bpf_ringbuf_reserve(&calib_rb, sizeof(*r), 0);
	if (!r) {
		dropped++;
		return 0;
	}
	r->type = type;
	r->order = order;
	r->seq = seq[type]++;
	r->value = value;
	r->bytes = bytes;
	bpf_ringbuf_submit(r, 0);
	return 0;
}

/* raw_tp, like the fast path: it needs no kernel BTF (686-pae has only a detached one) */
SEC("raw_tp/mm_page_alloc")
int BPF_PROG(calib_page_raw, __u64 page, unsigned int order)
{
	return page ? emit(MT_REC_CALIB_PAGE, page, order, 0) : 0;
}

SEC("tracepoint/kmem/mm_page_alloc")
int calib_page_tp(struct trace_event_raw_mm_page_alloc *e)
{
	__u64 pfn = e->pfn; /* a direct read is sized for the running kernel */

	return pfn != MT_PFN_NONE(e) ? emit(MT_REC_CALIB_PFN, pfn, e->order, 0) : 0;
}

/* raw_tp: 6.12's tp_btf refuses to read kmalloc's `const void *ptr` (see slab.bpf.c) */
SEC("raw_tp/kmalloc")
int BPF_PROG(calib_kmalloc_raw, unsigned long call_site, __u64 ptr, __u64 bytes_req,
	     __u64 bytes_alloc)
{
	return ptr ? emit(MT_REC_CALIB_KMALLOC, ptr, 0, bytes_alloc) : 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
