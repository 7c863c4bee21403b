/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * This boot's kernel memory map (LDD3 ch. 15 vocabulary) and address classification over
 * it: plain C, so classification is unit-tested against recorded layouts of other machines
 * (x86_64 with KASLR, 32-bit with HIGHMEM).
 */
#ifndef MT_LAYOUT_H
#define MT_LAYOUT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdio.h>
#include "sys/zones.h"

/* A virtual range [start, end) and how it was established; known false: could not be. */
struct mt_range {
	bool known;
	__u64 start, end;
	char how[160];
};

struct mt_layout {
	char arch[65];
	bool is_64bit;
	__u32 page_shift;
	__u32 page_struct_size;	    /* sizeof(struct page), for vmemmap -> PFN */
	__u64 addr_limit;	    /* highest valid virtual address + 1 (0: 2^64) */
	__u64 phys_limit;	    /* highest physical address + 1 the arch can address */
	__u64 hole_start, hole_end; /* non-canonical virtual addresses (x86_64), or 0, 0 */
	struct mt_range user;	    /* user virtual: [0, TASK_SIZE) */
	struct mt_range direct;	    /* kernel logical: PAGE_OFFSET .. direct map end */
	struct mt_range vmalloc;
	struct mt_range vmemmap; /* the struct page array */
	struct mt_range text;	 /* kernel text, _text.._etext */
	struct mt_range modules;
	struct mt_zone_table zones;
	char zones_how[64];
	bool highmem; /* a HighMem zone exists */
	struct {
		__u64 start, end; /* [start, end) physical */
	} ram[16];		  /* "System RAM" of /proc/iomem */
	int nr_ram;
	char ram_how[64]; /* where ram[] came from, or why it is empty */
};

enum mt_addr_class {
	MT_ADDR_USER,
	MT_ADDR_LOGICAL,
	MT_ADDR_VMALLOC,
	MT_ADDR_VMEMMAP,
	MT_ADDR_TEXT,
	MT_ADDR_MODULE,
	MT_ADDR_KERNEL_OTHER, /* kernel half, in no region this layout knows */
	MT_ADDR_PHYSICAL,
	MT_ADDR_HIGHMEM_PHYS, /* physical, no permanent kernel mapping */
	MT_ADDR_NOT_RAM,      /* a physical address in no zone */
};

struct mt_addr_info {
	enum mt_addr_class cls;
	bool has_pa, has_va, has_pfn;
	__u64 pa; /* __pa(addr) for logical; addr itself for physical */
	__u64 va; /* __va(pa) where the direct map covers it */
	__u64 pfn;
	int zone; /* index in layout->zones, -1: none */
};

const char *mt_addr_class_name(enum mt_addr_class c);
/* Classify a virtual address, or a physical one when phys. 0, or -ERANGE when the address
 * cannot exist on this arch (above addr_limit/phys_limit). */
int mt_layout_classify(const struct mt_layout *l, __u64 addr, bool phys, struct mt_addr_info *o);
/* Fill what follows from the arch alone (limits, hole, user range where constant). */
void mt_layout_arch_init(struct mt_layout *l, const char *machine, bool is_64bit);
/* x86_64 with 5-level paging (LA57): a larger user half and canonical hole than
 * mt_layout_arch_init() assumes; mt_layout_arch_probe() tells which the running kernel uses. */
void mt_layout_x86_64_5level(struct mt_layout *l);
/* -ERANGE when the address cannot exist on this arch, whatever the boot. */
int mt_layout_check_arch(const struct mt_layout *l, __u64 addr, bool phys);
/* The top-level "System RAM" ranges of /proc/iomem text; addresses all 0 (not root) are
 * refused. Returns how many were kept. */
int mt_layout_parse_iomem(FILE *f, struct mt_layout *l);
/* Strict hex ("0x" optional), at most 64 bits. 0 or -EINVAL/-ERANGE. */
int mt_parse_hex_addr(const char *s, __u64 *out);

void mt_layout_render_text(FILE *f, const struct mt_layout *l);
int mt_layout_render_json(FILE *f, const struct mt_layout *l);

#endif /* MT_LAYOUT_H */
