/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Facts about the running kernel and this process's rights, read before anything loads. */
#ifndef MT_KERNEL_INFO_H
#define MT_KERNEL_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include "model/model.h"

#define MT_VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/* release, arch, page size and shift into ri. */
void mt_kernel_info(struct mt_run_info *ri);
/* 0 when this process may load and attach tracing programs; else -EPERM and *what says
 * what is missing ("root or CAP_BPF and CAP_PERFMON"). */
int mt_check_privileges(const char **what);
bool mt_have_kernel_btf(void);
/* /sys/kernel/btf/vmlinux, or $MEMTRACE_VMLINUX_BTF (a test hook: when set, libbpf's
 * fallback locations are not searched either). */
const char *mt_vmlinux_btf_path(void);
/* Make sure tracefs is reachable (classic tracepoints need it); mounts it if need be. */
int mt_ensure_tracefs(void);
bool mt_tracepoint_exists(const char *group, const char *name);
/* The running kernel's release is older than major.minor. */
bool mt_kernel_older(int major, int minor);
/* The running kernel is 64-bit (from uname, not from this binary). */
bool mt_kernel_is_64bit(void);
bool mt_kprobes_configured(void);
/* A kmap kprobe on func can attach: a 32-bit kernel with kprobes and the function. If not,
 * why says so in one line. */
bool mt_kprobe_usable(const char *func, char *why, size_t len);

#endif /* MT_KERNEL_INFO_H */
