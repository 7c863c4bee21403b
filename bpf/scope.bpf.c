// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Following a command's process tree in the kernel. When memtrace starts a command, the
 * command's pid is the first entry of pid_filter; every process forked by a process already
 * in the filter is added here, at the fork, before the child can run, so not one of its
 * allocations is missed and no user-space round trip is involved. The tree map records
 * each follower's parent (for the per-process report) and its comm after exec (task.bpf.c).
 */
#include "memtrace.bpf.h"

#define MT_EEXIST 17 /* not in vmlinux.h: a uapi errno value */

const volatile bool follow_forks = false; /* set with -- CMD */

struct mt_tree_map tree SEC(".maps");

static __always_inline int on_fork(__u32 ptgid, __u32 child)
{
	struct mt_tree_node node = { .ppid = ptgid };
	__u8 one = 1;
	long err;

	/* a new thread of a followed process is followed already: the filter is by tgid */
	if (!follow_forks || child == ptgid || !bpf_map_lookup_elem(&pid_filter, &ptgid))
		return 0;
	err = bpf_map_update_elem(&pid_filter, &child, &one, BPF_NOEXIST);
	if (err && err != -MT_EEXIST) {
		mt_scope_count(MT_SCOPE_FILTER_FULL);
		return 0;
	}
	mt_scope_count(MT_SCOPE_FORKS);
	/* the child runs the parent's program until it execs: it has the parent's comm */
	bpf_get_current_comm(&node.comm, sizeof(node.comm));
	if (bpf_map_update_elem(&tree, &child, &node, BPF_ANY))
		mt_scope_count(MT_SCOPE_TREE_FULL);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork_btf, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent->tgid, child->tgid);
}

/*
 * Classic fallback. The event runs in the parent and names the child by its pid (a tid):
 * for a new process that is its tgid; for a new thread it is a tid that never matches a
 * tgid, so adding it is harmless (it only takes a slot).
 */
SEC("tracepoint/sched/sched_process_fork")
int sched_process_fork_tp(struct trace_event_raw_sched_process_fork *e)
{
	return on_fork(bpf_get_current_pid_tgid() >> 32, BPF_CORE_READ(e, child_pid));
}
