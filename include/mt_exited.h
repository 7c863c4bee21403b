/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Processes that ended while traced, as user space keeps them in procs_exited (a BPF map). */
#ifndef MT_EXITED_H
#define MT_EXITED_H

/*
 * A process that ended, moved out of the kernel tables by user space into the procs_exited
 * hash (written by user space only, so that recordings carry it like any map). Keys below
 * MT_EXITED_FOLDED hold one process each; past the bound, processes fold into one row per
 * name (keys from MT_EXITED_FOLDED up), and past that bound too into one last row,
 * MT_EXITED_OTHER. Counts stay exact in every case.
 */
#define MT_EXITED_FOLDED (1U << 31)
#define MT_EXITED_OTHER 0xffffffffU

struct mt_proc_exited {
	__u32 tgid;    /* 0 in a folded row */
	__u32 nr;      /* processes in this row */
	__u64 exit_ns; /* the (last) exit, bpf_ktime_get_ns() */
	__u32 execs;   /* execs seen while traced (summed when folded) */
	__u32 pad;
	char earlier[MT_EARLIER_NAMES][MT_COMM_LEN]; /* its names before, oldest first */
	char exe[MT_EXE_LEN];			     /* as struct mt_task */
	struct mt_proc p;	     /* its counts; p.comm the name after the last exec */
	struct mt_fault_proc faults; /* its page faults (comm unused) */
};

#endif /* MT_EXITED_H */
