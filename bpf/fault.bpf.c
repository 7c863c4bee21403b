// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * User virtual addresses: page faults (x86's exceptions:page_fault_user/_kernel), by
 * process, read or write, in user or kernel mode, and the span of user addresses faulted
 * on. The x86 error code: bit 0 P (page present: a protection fault such as copy-on-write),
 * bit 1 W (write), bit 4 I (instruction fetch).
 */
#include "memtrace.bpf.h"

#define X86_PF_PROT 0x1
#define X86_PF_WRITE 0x2
#define X86_PF_INSTR 0x10

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MT_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct mt_fault_proc);
} fault_procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mt_fault_slot);
} fault_slot SEC(".maps");

/* This process's per-CPU hash row, created on first sight with the group leader's comm. */
static __always_inline struct mt_fault_proc *fault_row(struct mt_class_stats *cs, __u32 tgid)
{
	struct mt_fault_proc *p, fresh = {};
	struct task_struct *task;

	p = bpf_map_lookup_elem(&fault_procs, &tgid);
	if (p)
		return p;
	task = (struct task_struct *)bpf_get_current_task();
	BPF_CORE_READ_STR_INTO(&fresh.comm, task, group_leader, comm);
	bpf_map_update_elem(&fault_procs, &tgid, &fresh, BPF_NOEXIST);
	p = bpf_map_lookup_elem(&fault_procs, &tgid);
	if (!p)
		cs->fault_proc_full++;
	return p;
}

/*
 * Where this fault's counts go: this CPU's slot, after moving the previous process's counts
 * into its hash row when the process changed (mt_proc_get in memtrace.bpf.h, whose comment
 * says why a nested event finding the slot MOVING counts in the hash row directly).
 */
static __always_inline struct mt_fault_proc *fault_get(struct mt_class_stats *cs, __u32 tgid)
{
	struct mt_fault_slot *s;
	struct mt_fault_proc *p;
	__u32 zero = 0;

	s = bpf_map_lookup_elem(&fault_slot, &zero);
	if (!s)
		return NULL;
	if (s->state == MT_SLOT_VALID && s->tgid == tgid)
		return &s->f;
	if (s->state == MT_SLOT_MOVING)
		return fault_row(cs, tgid);
	if (s->state == MT_SLOT_VALID) {
		s->state = MT_SLOT_MOVING;
		p = bpf_map_lookup_elem(&fault_procs, &s->tgid);
		if (p)
			mt_fault_add(p, &s->f);
	}
	s->state = MT_SLOT_MOVING;
	if (!fault_row(cs, tgid)) {
		s->state = MT_SLOT_EMPTY;
		return NULL;
	}
	__builtin_memset(&s->f, 0, sizeof(s->f));
	s->tgid = tgid;
	s->state = MT_SLOT_VALID;
	return &s->f;
}

static __always_inline int on_fault(__u64 addr, __u64 err, bool user)
{
	struct mt_class_stats *cs;
	struct mt_fault_proc *p;
	struct mt_stats *st;
	bool write = err & X86_PF_WRITE;
	__u32 tgid;

	st = mt_begin(&tgid);
	cs = st ? mt_cstats() : NULL;
	if (!cs)
		return 0;
	st->cls[MT_CLASS_USER].allocs++; /* the class row counts faults as its events */
	if (user)
		cs->faults_user++;
	else
		cs->faults_kernel++;
	p = fault_get(cs, tgid);
	if (!p)
		return 0;
	if (user) {
		if (write)
			p->user_write++;
		else
			p->user_read++;
	} else {
		if (write)
			p->kernel_write++;
		else
			p->kernel_read++;
	}
	p->ifetch += !!(err & X86_PF_INSTR);
	p->protection += err & X86_PF_PROT;
	/* kernel-mode faults on kernel addresses (vmalloc sync) are no user range */
	if (user || addr < page_offset_base || !page_offset_base) {
		if (!p->addr_min || addr < p->addr_min)
			p->addr_min = addr;
		if (addr > p->addr_max)
			p->addr_max = addr;
	}
	return 0;
}

/* 6.18: (unsigned long address, struct pt_regs *regs, unsigned long error_code) */
SEC("tp_btf/page_fault_user")
int BPF_PROG(page_fault_user_btf, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	return on_fault(address, error_code, true);
}

SEC("tp_btf/page_fault_kernel")
int BPF_PROG(page_fault_kernel_btf, unsigned long address, struct pt_regs *regs,
	     unsigned long error_code)
{
	return on_fault(address, error_code, false);
}

/* the event's struct is named per kernel: see compat.bpf.h */
SEC("tracepoint/exceptions/page_fault_user")
int page_fault_user_tp(void *ctx)
{
	return on_fault(MT_FAULT_TP_FIELD(ctx, address), MT_FAULT_TP_FIELD(ctx, error_code), true);
}

SEC("tracepoint/exceptions/page_fault_kernel")
int page_fault_kernel_tp(void *ctx)
{
	return on_fault(MT_FAULT_TP_FIELD(ctx, address), MT_FAULT_TP_FIELD(ctx, error_code), false);
}
