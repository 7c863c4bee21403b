// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `memtrace check` only: empty programs of the optional attach types, each loaded and
 * attached on its own to learn whether this kernel allows it (fentry needs BTF and no
 * lockdown; kprobes need CONFIG_KPROBES). kfree exists under that name on every kernel
 * memtrace supports.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("fentry/kfree")
int BPF_PROG(check_fentry, const void *p)
{
	return 0;
}

SEC("kprobe/kfree")
int check_kprobe(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
