/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The per-class aggregates beyond slab and pages (LDD3 fig. 15-1): kernel virtual
 * (vmalloc, percpu), bus (DMA, swiotlb), user virtual (page faults), high memory (kmap),
 * and the zone asked vs got matrices of pages and slab objects. Each lives in its own
 * per-CPU map so the slab/page hot path's struct mt_stats does not grow. Every struct is
 * all __u64 so user space sums the per-CPU copies word by word.
 */
#ifndef MT_CLASSES_H
#define MT_CLASSES_H

#define MT_GFP_ZONE_COMBOS 16 /* the four GFP zone modifier bits, as an index */
#define MT_GFP_BITS 32	      /* GFP flag bits counted one by one */
#define MT_MIGRATE_SLOTS 8    /* migratetype values 0..6; slot 7 collects the rest */
#define MT_SLAB_SAMPLES 4     /* slab objects per CPU kept as __pa examples */
#define MT_GFP_FRONT 16	      /* whole GFP masks counted per CPU before their bits */
#define MT_DMA_DIRS 4	      /* enum dma_data_direction values */

/* The GFP zone modifiers, bits 0..3 in every kernel since 2.6 (___GFP_*_BIT in 6.10+). */
#define MT_GFP_DMA 0x1u
#define MT_GFP_HIGHMEM 0x2u
#define MT_GFP_DMA32 0x4u
#define MT_GFP_MOVABLE 0x8u
#define MT_GFP_ZONEMASK 0xfu

/* A slab object's page: where __pa(ptr) put it. */
struct mt_slab_sample {
	__u64 ptr;  /* the kmalloc/kmem_cache_alloc pointer (kernel logical) */
	__u64 phys; /* ptr - page_offset_base: what __pa() returns */
};

/* Zones asked (GFP zone modifier bits) vs got (the PFN's zone), one per-CPU array slot. */
struct mt_zone_stats {
	__u64 page_asked_got[MT_GFP_ZONE_COMBOS][MT_ZONE_SLOTS]; /* pages, not calls */
	__u64 slab_asked_got[MT_GFP_ZONE_COMBOS][MT_ZONE_SLOTS]; /* objects */
	__u64 gfp_bits[MT_GFP_BITS];	     /* page allocations with GFP bit i set */
	__u64 migratetype[MT_MIGRATE_SLOTS]; /* page allocations by migratetype */
	__u64 slab_not_logical;		     /* slab pointers outside the direct map: must stay 0 */
	__u64 slab_unplaced; /* slab pointers not placed: the direct map base is unknown */
	__u64 slab_ptr_min;  /* lowest slab pointer seen (0: none) */
	__u64 slab_ptr_max;  /* highest slab pointer seen */
	__u64 nr_samples;    /* valid entries of samples[] */
	struct mt_slab_sample samples[MT_SLAB_SAMPLES];
	/*
	 * Page allocations counted by whole GFP mask, in a slot chosen by mt_gfp_front_slot();
	 * a slot taken over by another mask has its count spread into gfp_bits[] first, and
	 * the reader spreads what is left (mt_classes_add_zone). Last in the struct: older
	 * recordings read with it zeroed.
	 */
	struct {
		__u64 gfp; /* the mask */
		__u64 n;   /* page allocations with exactly this mask, not yet in gfp_bits */
	} gfp_front[MT_GFP_FRONT];
};

/* The front slot of a GFP mask: a multiplicative hash, the top bits. */
static inline __u32 mt_gfp_front_slot(__u64 gfp)
{
	return ((__u32)gfp * 2654435761u) >> 28;
}

_Static_assert(MT_GFP_FRONT == 16, "mt_gfp_front_slot keeps the top 4 bits");

/* Kernel virtual: vmap areas (vmalloc, vmap, module and stack areas) and percpu chunks. */
struct mt_virt_stats {
	__u64 vmap_allocs;		     /* alloc_vmap_area that succeeded */
	__u64 vmap_failures;		     /* alloc_vmap_area with failed set */
	__u64 vmap_bytes;		     /* size of the areas allocated */
	__u64 vmap_frees;		     /* free_vmap_area_noflush */
	__u64 vmap_frees_unsized;	     /* frees of areas allocated before the run */
	__u64 vmap_bytes_freed;		     /* size of freed areas allocated during the run */
	__u64 vmap_in_range;		     /* area inside the [vstart, vend) its caller asked */
	__u64 vmap_out_of_range;	     /* area outside it: must stay 0 */
	__u64 vmap_addr_min;		     /* lowest area start seen (0: none) */
	__u64 vmap_addr_max;		     /* highest area end seen */
	__u64 vmap_purges;		     /* purge_vmap_area_lazy calls */
	__u64 vmap_purged;		     /* lazily freed areas those purges released */
	__u64 vmap_size_hist[MT_HIST_SLOTS]; /* log2 of area size */
	__u64 pcpu_allocs;		     /* percpu_alloc_percpu */
	__u64 pcpu_failures;		     /* percpu_alloc_percpu_fail */
	__u64 pcpu_bytes_req;		     /* size asked, per CPU */
	__u64 pcpu_bytes_alloc;		     /* bytes_alloc: size times the number of CPUs */
	__u64 pcpu_frees;		     /* percpu_free_percpu */
	__u64 pcpu_frees_unsized;	     /* frees of areas allocated before the run */
	__u64 pcpu_bytes_freed;
	__u64 pcpu_atomic; /* allocations from atomic context */
	__u64 pcpu_chunks_created;
	__u64 pcpu_chunks_destroyed;
	__u64 outstanding_full; /* alloc not remembered (table full) */
};

/* The vmalloc ranges callers passed (vstart/vend of alloc_vmap_area), a small hash. */
struct mt_vrange_key {
	__u64 vstart;
	__u64 vend;
};

struct mt_vrange_val {
	__u64 allocs; /* areas placed in this range */
	__u64 bytes;
};

/* Bus addresses: the DMA API and swiotlb. */
struct mt_dma_stats {
	__u64 maps; /* dma_map_phys/dma_map_page/dma_map_resource */
	__u64 unmaps;
	__u64 map_bytes;
	__u64 unmap_bytes;
	__u64 sg_maps; /* dma_map_sg calls */
	__u64 sg_ents; /* entries they mapped */
	__u64 sg_unmaps;
	__u64 map_errors; /* dma_map_sg_err, dma_alloc_sgt_err */
	__u64 allocs;	  /* dma_alloc, dma_alloc_pages: coherent allocations */
	__u64 alloc_bytes;
	__u64 frees;
	__u64 free_bytes;
	__u64 identity;		/* bus address == physical address */
	__u64 translated;	/* bus address != physical (IOMMU or offset) */
	__u64 phys_unknown;	/* physical address not learnable (not direct-mapped) */
	__u64 dir[MT_DMA_DIRS]; /* maps, sg bus segments and allocs by direction */
	__u64 bounces;		/* swiotlb_bounced */
	__u64 bounce_bytes;
};

/* Per-device DMA rows, a per-CPU hash keyed by struct device pointer. */
struct mt_dma_dev {
	char name[32]; /* dev_name() at first sight on this CPU */
	__u64 maps;    /* mappings (sg: per bus segment), coherent allocs */
	__u64 bytes;
	__u64 bounces;
};

/* User virtual: page faults per process, a per-CPU hash keyed by tgid. */
struct mt_fault_proc {
	char comm[MT_COMM_LEN];
	__u64 user_read; /* exceptions:page_fault_user, error_code W clear */
	__u64 user_write;
	__u64 kernel_read; /* exceptions:page_fault_kernel */
	__u64 kernel_write;
	__u64 ifetch;	  /* instruction fetches (error_code I) */
	__u64 protection; /* present page, access refused (error_code P): COW etc. */
	__u64 addr_min;	  /* lowest user address faulted on (0: none) */
	__u64 addr_max;
};

/* Add one process's fault counts to another's: sums, and the union of the address spans. */
static inline void mt_fault_add(struct mt_fault_proc *to, const struct mt_fault_proc *from)
{
	to->user_read += from->user_read;
	to->user_write += from->user_write;
	to->kernel_read += from->kernel_read;
	to->kernel_write += from->kernel_write;
	to->ifetch += from->ifetch;
	to->protection += from->protection;
	if (from->addr_min && (!to->addr_min || from->addr_min < to->addr_min))
		to->addr_min = from->addr_min;
	if (from->addr_max > to->addr_max)
		to->addr_max = from->addr_max;
}

/*
 * The per-CPU front of fault_procs (a one-element per-CPU array): one process's faults on
 * this CPU, moved into its hash row when another process faults here, as struct
 * mt_proc_slot does for allocations. The hash lookup was 100 of the 140 ns memtrace spent
 * per fault. The row of tgid exists while the slot holds it; readers add a valid slot's
 * counts to that row.
 */
struct mt_fault_slot {
	__u32 tgid;
	__u32 state;		/* enum mt_slot_state */
	struct mt_fault_proc f; /* counts since the slot took tgid; comm unused */
};

/* High memory: kmap on CONFIG_HIGHMEM kernels, counted by kprobes. */
struct mt_kmap_stats {
	__u64 kmap_high; /* kmap() of a highmem page: a permanent mapping */
	__u64 kunmap_high;
	__u64 kmap_local; /* __kmap_local_pfn_prot: a temporary per-CPU mapping */
	__u64 kunmap_local;
};

/* One per-CPU slot for every class that is not on the slab/page hot path. */
struct mt_class_stats {
	struct mt_virt_stats virt;
	struct mt_dma_stats dma;
	struct mt_kmap_stats kmap;
	__u64 faults_user; /* all processes in the filter */
	__u64 faults_kernel;
	__u64 fault_proc_full; /* faults counted here but not per process */
	__u64 dma_dev_full;    /* DMA counted here but not per device */
	/*
	 * Scatterlist detail (dma_map_sg/dma_unmap_sg), appended after the fields above so a
	 * recording made before they existed still replays: its shorter value is their prefix.
	 */
	__u64 dma_sg_bytes;	     /* bytes of the bus segments dma_map_sg recorded */
	__u64 dma_sg_truncated;	     /* dma_map_sg calls with more segments than the event
					 * records (128): their bytes are a lower bound */
	__u64 dma_sg_unmap_ents;     /* bus segments that dma_unmap_sg released (paired) */
	__u64 dma_sg_unmap_bytes;    /* their bytes, from the map they were paired with */
	__u64 dma_sg_unmap_unpaired; /* dma_unmap_sg of a list mapped before the run or whose
					 * pairing entry was evicted: no size */
};

#endif /* MT_CLASSES_H */
