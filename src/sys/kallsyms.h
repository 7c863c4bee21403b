/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel text symbols from /proc/kallsyms, for naming call sites and stack frames:
 * "func+0x1a" or "func+0x1a [module]". Plain C, unit-tested on fixtures. Only text symbols
 * are kept (a data symbol can never contain a return address). Without root the kernel
 * shows every address as 0: then nothing can be named and zero_addrs says why.
 */
#ifndef MT_KALLSYMS_H
#define MT_KALLSYMS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* An address this far past its symbol is not in it (the gap after a module's last
 * function, or past _etext): larger than any kernel function, far smaller than the gaps. */
#define MT_KSYM_MAX_OFFSET (1ULL << 20)

struct mt_ksym {
	__u64 addr;
	const char *name;
	const char *module; /* NULL for the core kernel */
};

struct mt_ksyms {
	struct mt_ksym *syms; /* sorted by address */
	size_t n, cap;
	char **chunks; /* string storage */
	size_t nr_chunks;
	bool zero_addrs; /* every address read as 0: not root (kptr_restrict) */
};

void mt_ksyms_init(struct mt_ksyms *ks);
/* Parse a kallsyms-format stream; malformed lines are skipped. 0 or -errno. */
int mt_ksyms_parse(struct mt_ksyms *ks, FILE *f);
int mt_ksyms_load(struct mt_ksyms *ks, const char *path);
void mt_ksyms_free(struct mt_ksyms *ks);
/* The symbol containing addr, or NULL. */
const struct mt_ksym *mt_ksyms_find(const struct mt_ksyms *ks, __u64 addr);
/* "func+0x1a [mod]" (with_off) or "func [mod]"; "0x<hex>" when unknown. Returns buf. */
const char *mt_ksyms_fmt(const struct mt_ksyms *ks, __u64 addr, bool with_off, char *buf,
			 size_t len);

#endif /* MT_KALLSYMS_H */
