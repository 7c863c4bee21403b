/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The contract between bpf/ and src/: every record, key, enum and constant that crosses
 * the kernel/user boundary is defined here, once. Included by BPF code (after vmlinux.h)
 * and by user space (after <linux/types.h>), so only __u32/__u64-style types are used and
 * every struct is naturally aligned with no implicit padding.
 */
#ifndef MEMTRACE_H
#define MEMTRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#include <stdbool.h>
#endif

#define MT_COMM_LEN 16
#define MT_MAX_PROCS 8192U /* live processes the tables keyed by tgid hold (--max-procs) */
/*
 * The procs row (no tgid is this large) that frees of objects whose owner had ended, and
 * left the tables, are charged to with pairing on: the rows still add up to the totals.
 */
#define MT_TGID_ENDED_OWNERS 0xfffffffeU
#define MT_ENDED_OWNERS_COMM "(ended owners)"
#define MT_CACHE_NAME_LEN 32
#define MT_HIST_SLOTS 32      /* log2 buckets: slot i holds [2^i, 2^(i+1)) */
#define MT_ORDER_SLOTS 16     /* page orders 0..14; slot 15 collects anything larger */
#define MT_MAX_ZONE_RANGES 15 /* node x zone PFN ranges passed to BPF in .rodata */
#define MT_ZONE_SLOTS (MT_MAX_ZONE_RANGES + 1) /* last slot: PFN in no known zone */
#define MT_ZONE_UNKNOWN MT_MAX_ZONE_RANGES

/* Address classes of Linux Device Drivers ch. 15, fig. 15-1. Order is the report order. */
enum mt_class {
	MT_CLASS_LOGICAL,  /* kernel logical: slab objects (kmalloc, kmem_cache) */
	MT_CLASS_PHYSICAL, /* physical: pages from the buddy allocator, by PFN */
	MT_CLASS_VIRTUAL,  /* kernel virtual: vmalloc/vmap areas, percpu */
	MT_CLASS_BUS,	   /* bus: DMA mappings */
	MT_CLASS_USER,	   /* user virtual: page faults */
	MT_CLASS_HIGH,	   /* high memory: kmap */
	MT_CLASS_MAX,
};

/* Why an event was not fully accounted. Each is a per-CPU counter printed in the report. */
enum mt_loss {
	MT_LOSS_RINGBUF,    /* ring buffer full: a record user space needed was dropped */
	MT_LOSS_PROC_FULL,  /* per-process map full: event counted in totals, not per process */
	MT_LOSS_CACHE_FULL, /* per-cache map full: event counted in totals, not per cache */
	MT_LOSS_MAX,
};

/* Per-class totals. Sizes are bytes; for pages, bytes are PAGE_SIZE << order. */
struct mt_counts {
	__u64 allocs;	     /* successful allocations */
	__u64 frees;	     /* frees of a real object (kfree(NULL) is not one) */
	__u64 bytes_req;     /* bytes the caller asked for (slab); equals bytes_alloc for pages */
	__u64 bytes_alloc;   /* bytes the allocator handed out */
	__u64 bytes_freed;   /* bytes returned, where the size is known at the free */
	__u64 frees_unsized; /* frees whose size this kernel does not let us learn */
	__u64 failures;	     /* allocations that returned NULL */
	__u64 null_frees;    /* kfree(NULL) and the like: traced, but nothing freed */
};

/*
 * Everything counted on every event lives in one per-CPU array slot, so a handler does one
 * map lookup and plain increments: no atomics, no contention, never lost.
 */
struct mt_stats {
	struct mt_counts cls[MT_CLASS_MAX];
	__u64 size_hist[MT_CLASS_MAX][MT_HIST_SLOTS]; /* log2 of bytes_alloc per allocation */
	__u64 order_allocs[MT_ORDER_SLOTS];	      /* page allocations by order */
	__u64 order_frees[MT_ORDER_SLOTS];
	__u64 zone_allocs[MT_ZONE_SLOTS]; /* pages (not calls) allocated per zone */
	__u64 zone_frees[MT_ZONE_SLOTS];  /* pages freed per zone */
	__u64 events;			  /* events that passed the filters */
	__u64 lost[MT_LOSS_MAX];
};

/* Per-process aggregates, a per-CPU hash keyed by tgid. */
struct mt_proc {
	char comm[MT_COMM_LEN]; /* the thread-group leader's comm at first sight */
	__u64 allocs[MT_CLASS_MAX];
	__u64 bytes[MT_CLASS_MAX]; /* bytes_alloc */
	__u64 frees[MT_CLASS_MAX];
	__u64 bytes_freed[MT_CLASS_MAX];
};

/* Add one process's counts to another's (not the comm), as mt_fault_add() does for faults. */
static inline void mt_proc_add(struct mt_proc *to, const struct mt_proc *from)
{
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		to->allocs[k] += from->allocs[k];
		to->bytes[k] += from->bytes[k];
		to->frees[k] += from->frees[k];
		to->bytes_freed[k] += from->bytes_freed[k];
	}
}

/*
 * The per-CPU front of the process table: the process this CPU counted last, with the counts
 * not yet added into its row of the per-process hash. Consecutive events on a CPU nearly
 * always belong to one process, so most events cost an array slot instead of a hash lookup;
 * the counts move into the hash when another process comes along. Readers add each valid
 * slot to the row of its tgid (the row always exists: it is created when a slot takes a
 * tgid).
 */
enum mt_slot_state {
	MT_SLOT_EMPTY,	/* no event on this CPU yet */
	MT_SLOT_VALID,	/* counting for tgid */
	MT_SLOT_MOVING, /* its counts are being moved into the hash (BPF side only) */
};

struct mt_proc_slot {
	__u32 tgid;	  /* whose counts these are, when state is MT_SLOT_VALID */
	__u32 state;	  /* enum mt_slot_state */
	struct mt_proc p; /* counts since the slot took tgid; comm unused */
};

/*
 * What exec and exit tell of a process (bpf/task.bpf.c), a hash keyed by tgid with a row for
 * each traced process that exec'd or ended while traced. A process row's comm is taken at
 * first sight; an exec later renames the program, and the name users look for is the new one.
 * An exit marks the row: user space (src/collect/proc_reap.c) then moves the process's
 * counts out of the kernel table, so a run of hours with millions of short processes never
 * fills it.
 */
#define MT_EXE_LEN 64
#define MT_MAX_TASKS 16384

#define MT_EXEC_NAMES 2	   /* names of earlier execs a task row keeps */
#define MT_EARLIER_NAMES 3 /* names a process had before its current one, kept in reports */

struct mt_task {
	__u64 exit_ns;		/* bpf_ktime_get_ns() when its last thread exited; 0: alive */
	__u32 execs;		/* execs seen while traced */
	__u32 pad;		/* explicit: keeps the layout the same on every ABI */
	char comm[MT_COMM_LEN]; /* the comm after the last exec ("" without one) */
	char exe[MT_EXE_LEN];	/* the file name the last exec was given, cut to fit */
	char prev[MT_EXEC_NAMES][MT_COMM_LEN]; /* comm after the execs before, oldest first */
};

/*
 * Per-cache aggregates, a per-CPU hash. The key is the struct kmem_cache pointer for
 * kmem_cache_alloc/free; for kmalloc, whose tracepoint does not name the cache, the key is
 * the allocated size with MT_CACHE_KEY_KMALLOC set. A kernel pointer has its top two bits
 * both set (64-bit) or both clear (32-bit), never 01, so the two key spaces cannot collide.
 */
#define MT_CACHE_KEY_KMALLOC (1ULL << 62)
#define MT_CACHE_KEY_IS_KMALLOC(k) (((k) >> 62) == 1)

struct mt_cache {
	char name[MT_CACHE_NAME_LEN]; /* s->name, copied on the CPU that first saw the cache */
	__u64 allocs;
	__u64 frees;
	__u64 bytes_req;
	__u64 bytes_alloc;
	__u64 bytes_freed;
	__u32 object_size; /* s->object_size (kmalloc: 0) */
	__u32 size;	   /* s->size, bytes per object with metadata */
};

/*
 * The per-CPU front of the cache table, direct-mapped by a hash of the key: the counts of
 * the caches this CPU used last, not yet added into their rows of the per-cache hash. A
 * workload cycles through a handful of caches, so most events cost an array slot instead of
 * a hash lookup; a slot's counts move into the hash when another key maps to it. Readers add
 * each used slot to the row of its key (created when the slot took the key).
 */
#define MT_CACHE_SLOTS 64

struct mt_cache_slot {
	__u64 key; /* the per-cache hash key of these counts; 0: slot unused */
	__u64 allocs;
	__u64 frees;
	__u64 bytes_req;
	__u64 bytes_alloc;
	__u64 bytes_freed;
};

struct mt_cache_front {
	struct mt_cache_slot slot[MT_CACHE_SLOTS];
	__u64 busy; /* BPF side only: an event is counting here; one nested in an
				 * interrupt then counts in the hash directly */
};

/* The slot of a cache key: the top bits of a Fibonacci hash, so pointer keys spread too. */
static inline __u32 mt_cache_slot_of(__u64 key)
{
	return (__u32)((key * 0x9E3779B97F4A7C15ULL) >> 58) & (MT_CACHE_SLOTS - 1);
}

/* Ring-buffer record types: the tag is the first field of every record. */
enum mt_rec_type {
	MT_REC_CALIB_PAGE = 1, /* calibration: a page allocation seen by tp_btf */
	MT_REC_CALIB_PFN,      /* calibration: the same event seen by the classic tracepoint */
	MT_REC_CALIB_KMALLOC,  /* calibration: a kmalloc seen by raw_tp */
};

/*
 * Calibration record. Kernel 6.x hides vmemmap_base and page_offset_base (KASLR, no data
 * symbols in /proc/kallsyms here), yet a tp_btf page event gives a struct page pointer and
 * the classic one gives its PFN: pairing the two on memtrace's own thread yields vmemmap,
 * and a large kmalloc (pages + direct-map pointer) yields the direct map's base.
 */
struct mt_calib_rec {
	__u32 type;  /* enum mt_rec_type */
	__u32 order; /* page order (page/pfn records) */
	__u64 seq;   /* per-program sequence number on the calibrating thread */
	__u64 value; /* struct page *, PFN, or kmalloc pointer */
	__u64 bytes; /* kmalloc bytes_alloc */
};

/* Limits of the kernel-side filters set in .rodata. */
#define MT_MAX_PIDS 1024

#include "scope.h"
#include "mt_pair.h"
#include "mt_classes.h"
#include "mt_exited.h"
/* Latency records and pairing, its own topic. */
#include "mt_latency.h"

#endif /* MEMTRACE_H */
