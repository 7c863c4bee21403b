// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Process lifecycle, in every run: exec renames a process (its row in procs keeps the comm
 * of first sight; users look for the program by its new name), and the exit of a process's
 * last thread marks it for user space to move its counts out of the kernel tables
 * (src/collect/proc_reap.c). Both fire once per exec or exit, never on the allocation path.
 */
#include "memtrace.bpf.h"

struct mt_tasks_map tasks SEC(".maps");
struct mt_procs_exited_map procs_exited SEC(".maps");

/* This tgid's row, created empty on first use; NULL (and counted) when the table is full. */
static __always_inline struct mt_task *task_row(__u32 tgid)
{
	static const struct mt_task fresh;
	struct mt_task *t;

	t = bpf_map_lookup_elem(&tasks, &tgid);
	if (t)
		return t;
	bpf_map_update_elem(&tasks, &tgid, &fresh, BPF_NOEXIST);
	t = bpf_map_lookup_elem(&tasks, &tgid);
	if (!t)
		mt_scope_count(MT_SCOPE_TASK_FULL);
	return t;
}

/* After the new program's name is set; filename is the kernel's copy of the exec path. */
static __always_inline int on_exec(const char *filename)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct mt_tree_node *n;
	struct mt_task *t;

	if (!mt_in_scope(tgid))
		return 0;
	t = task_row(tgid);
	if (t) {
		/* the name of the exec before this one moves down the short history */
		if (t->execs) {
			__builtin_memcpy(t->prev[0], t->prev[1], MT_COMM_LEN);
			__builtin_memcpy(t->prev[1], t->comm, MT_COMM_LEN);
		}
		bpf_get_current_comm(&t->comm, sizeof(t->comm));
		bpf_probe_read_kernel_str(&t->exe, sizeof(t->exe), filename);
		t->execs++;
	}
	if (!follow_forks)
		return 0;
	n = bpf_map_lookup_elem(&tree, &tgid);
	if (!n)
		return 0;
	bpf_get_current_comm(&n->comm, sizeof(n->comm));
	n->execs++;
	mt_scope_count(MT_SCOPE_EXECS);
	return 0;
}

/*
 * A thread exits. Only the last one ends the process: signal->live reached zero just before
 * this tracepoint (do_exit), whichever thread it is, so a leader that ends before its
 * threads does not end the process.
 */
static __always_inline int on_exit(struct task_struct *task)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct signal_struct *sig;
	struct mt_task *t;
	int live = 1;

	if (!mt_in_scope(tgid))
		return 0;
	/* the pointer read at the kernel's pointer size (4 bytes on a 32-bit kernel) */
	sig = (struct signal_struct *)MT_READ_LONG(task, signal);
	bpf_probe_read_kernel(&live, sizeof(live), &sig->live.counter);
	if (live)
		return 0;
	t = task_row(tgid);
	if (t)
		t->exit_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec_btf, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	return on_exec((const char *)MT_READ_LONG(bprm, filename));
}

SEC("tracepoint/sched/sched_process_exec")
int sched_process_exec_tp(struct trace_event_raw_sched_process_exec *e)
{
	__u32 loc = BPF_CORE_READ(e, __data_loc_filename);

	return on_exec((const char *)e + (loc & 0xffff));
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit_btf)
{
	return on_exit((struct task_struct *)bpf_get_current_task());
}

SEC("tracepoint/sched/sched_process_exit")
int sched_process_exit_tp(void *ctx)
{
	return on_exit((struct task_struct *)bpf_get_current_task());
}
