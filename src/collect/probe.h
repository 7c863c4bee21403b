/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What this kernel lets memtrace hook, probed before load. */
#ifndef MT_PROBE_H
#define MT_PROBE_H

#include <stdbool.h>
#include <stddef.h>

struct btf;

struct mt_probe {
	struct btf *vmlinux; /* the running kernel's own BTF, or NULL */
};

/* The running kernel's own BTF, parsed once and shared until mt_probe_close(); NULL if none. */
struct btf *mt_vmlinux_btf(void);
void mt_probe_open(struct mt_probe *p);
void mt_probe_close(struct mt_probe *p);
/* tp_btf/raw_tp can attach: the kernel's BTF has btf_trace_<name>. tp_btf needs the running
 * kernel's own BTF; a detached BTF file is not enough. */
bool mt_probe_btf_tracepoint(const struct mt_probe *p, const char *name);
/* The kfunc bpf_rdonly_cast (6.2+) on a 64-bit kernel: the *_cast slab programs can load. */
bool mt_probe_rdonly_cast(const struct mt_probe *p);

/*
 * Is there a vmlinux BTF to load against? /sys/kernel/btf/vmlinux, or a detached vmlinux
 * file libbpf finds in /boot or /lib/modules; src says which. 1 or 0.
 */
int mt_find_vmlinux_btf(char *src, size_t len);
/* CPUs the kernel may bring up (per-CPU map values have one slot each). */
int mt_possible_cpus(void);

#endif /* MT_PROBE_H */
