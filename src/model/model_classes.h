/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The class sections beyond slab and pages (kernel virtual, bus, user virtual, high
 * memory) and zones asked vs got: plain C, filled by src/collect/collect_classes.c from the BPF
 * maps or by unit tests with synthetic values.
 */
#ifndef MT_MODEL_CLASSES_H
#define MT_MODEL_CLASSES_H

#include <linux/types.h>
#include <stdbool.h>
#include "memtrace.h"
#include "sys/zones.h"

#define MT_MAX_FAULT_ROWS 64
#define MT_MAX_DMA_ROWS 32
#define MT_MAX_VRANGE_ROWS 16

/* Zone types in the kernel's order (enum zone_type): lower is "more restricted". */
enum mt_zone_type {
	MT_ZT_DMA,
	MT_ZT_DMA32,
	MT_ZT_NORMAL,
	MT_ZT_HIGHMEM,
	MT_ZT_MOVABLE,
	MT_ZT_DEVICE,
	MT_ZT_INVALID, /* a GFP zone modifier combination the kernel rejects */
	MT_ZT_MAX,
};

struct mt_fault_row {
	__u32 tgid;
	char comm[MT_COMM_LEN + 1];
	__u64 user_read, user_write, kernel_read, kernel_write, ifetch, protection;
	__u64 addr_min, addr_max; /* user addresses faulted on; min 0: none */
	__u64 total;
};

struct mt_dma_row {
	char name[33];
	__u64 maps, bytes, bounces;
};

struct mt_vrange_row {
	__u64 vstart, vend, allocs, bytes;
};

struct mt_classes_report {
	__u32 class_mask;   /* --class selection; 0: all */
	bool is_64bit;	    /* the traced kernel */
	char kmap_why[128]; /* why kmap is not counted, or "" when it is */
	bool vmalloc_traced, percpu_traced, fault_traced, dma_traced, swiotlb_traced;
	struct mt_zone_stats zs; /* summed over CPUs; min/max/samples merged */
	struct mt_class_stats cs;
	char gfp_names[MT_GFP_BITS][28]; /* "__GFP_IO"; "" where the bit is unnamed */
	char gfp_source[64];		 /* where the bit names came from */
	char migrate_names[MT_MIGRATE_SLOTS][24];
	struct mt_fault_row faults[MT_MAX_FAULT_ROWS];
	int nr_faults;	    /* rows kept (the most faulting processes) */
	int nr_fault_procs; /* processes seen */
	struct mt_dma_row dma[MT_MAX_DMA_ROWS];
	int nr_dma;
	struct mt_vrange_row vranges[MT_MAX_VRANGE_ROWS];
	int nr_vranges;
	/* while the maps are read: the per-CPU fault fronts, for mt_fault_with_slots() */
	const struct mt_fault_slot *fault_slots;
	int nr_fault_slots;
};

void mt_classes_init(struct mt_classes_report *x);
/* Merge per-CPU map values (ncpu of them, as a BPF per-CPU lookup returns them). */
void mt_classes_add_zone(struct mt_classes_report *x, const struct mt_zone_stats *pc, int ncpu);
void mt_classes_add_class(struct mt_classes_report *x, const struct mt_class_stats *pc, int ncpu);
void mt_classes_add_fault(struct mt_classes_report *x, __u32 tgid, const struct mt_fault_proc *pc,
			  int ncpu);
/*
 * A fault_procs row of tgid (pc, one value per CPU) with one more value after them: what the
 * per-CPU fronts (bpf/fault.bpf.c fault_get) still hold for tgid. ncpu + 1 values, malloc'd;
 * NULL when out of memory.
 */
struct mt_fault_proc *mt_fault_with_slots(const struct mt_fault_proc *pc, int ncpu, __u32 tgid,
					  const struct mt_fault_slot *slots, int nr_slots);
void mt_classes_add_dma(struct mt_classes_report *x, const struct mt_dma_dev *pc, int ncpu);
void mt_classes_add_vrange(struct mt_classes_report *x, const struct mt_vrange_key *k,
			   const struct mt_vrange_val *pc, int ncpu);
/* Sort tables; fill default names where the kernel's BTF gave none. */
void mt_classes_finish(struct mt_classes_report *x);

/* GFP zone modifiers (bits 0..3) -> the zone asked for, as gfp_zone() computes it. */
enum mt_zone_type mt_gfp_zone_asked(unsigned int zone_bits, bool highmem_configured);
enum mt_zone_type mt_zone_type_of(const char *zone_name);
const char *mt_zone_type_name(enum mt_zone_type t);
/* The zone an allocation asking `asked` starts from on this machine: the highest
 * populated zone type not above it. */
enum mt_zone_type mt_zone_effective(const struct mt_zone_table *zt, enum mt_zone_type asked);
/* Allocations that got a lower zone than they asked for (zone fallbacks), over the matrix
 * m[MT_GFP_ZONE_COMBOS][MT_ZONE_SLOTS]; *total gets all placed allocations. */
__u64 mt_zone_fallbacks(const struct mt_zone_table *zt, const __u64 m[][MT_ZONE_SLOTS],
			bool highmem_configured, __u64 *total);
/* Allocations asking the zone bits of one matrix row, in any zone or none: a row of 0 is
 * not shown. */
__u64 mt_zone_asked_total(const __u64 row[MT_ZONE_SLOTS]);
/* The name of zone slot i of the table, or NULL when it names none (MT_ZONE_UNKNOWN). */
const char *mt_zone_slot_name(const struct mt_zone_table *zt, unsigned int slot);
/* The name of the zone holding pfn, or "unknown". */
const char *mt_zone_pfn_name(const struct mt_zone_table *zt, __u64 pfn);
/* "__GFP_IO|__GFP_FS" style names of the set bits of gfp, into buf. */
const char *mt_gfp_decode(const struct mt_classes_report *x, __u64 gfp, char *buf, size_t len);
/* Default GFP bit names (6.10+ order, ___GFP_*_BIT) for kernels whose BTF lacks the enum. */
void mt_gfp_default_names(struct mt_classes_report *x);

const char *mt_class_name(int cls); /* "kernel logical" */
const char *mt_class_key(int cls);  /* "kernel_logical" */

#endif /* MT_MODEL_CLASSES_H */
