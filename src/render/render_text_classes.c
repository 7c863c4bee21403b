// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The class sections of the plain report beyond slab and pages: each says whether it was
 * measured, not selected, or cannot be measured on this kernel, so an empty section is
 * never mistaken for a measurement of zero.
 */
#include <string.h>
#include "model/hist.h"
#include "render/render.h"
#include "sys/util.h"

#define N(x) mt_fmt_count(n_##x, sizeof(n_##x), (x))

/* Prints the title; returns false (after saying why) when there is nothing measured. */
static bool class_title(FILE *f, const struct mt_report *r, int cls, const char *title,
			const char *unavailable)
{
	fprintf(f, "\n%s\n", title);
	switch (mt_report_class_avail(r, cls)) {
	case MT_AVAIL_MEASURED:
		return true;
	case MT_AVAIL_NOT_SELECTED:
		fprintf(f, "not selected (--class)\n");
		return false;
	default:
		fprintf(f, "not measured: %s\n", unavailable);
		return false;
	}
}

/* A slab object as its offset into the direct map (its physical address, not secret). */
static const char *slab_ptr(char *buf, size_t len, const struct mt_report *r, __u64 ptr,
			    const struct mt_render_opts *o)
{
	if (o->raw_addresses)
		snprintf(buf, len, "%#llx", (unsigned long long)ptr);
	else if (ptr >= r->run.page_offset_base)
		snprintf(buf, len, "direct map+%#llx",
			 (unsigned long long)(ptr - r->run.page_offset_base));
	else
		snprintf(buf, len, "[outside the direct map]");
	return buf;
}

void mt_render_text_logical_extra(FILE *f, const struct mt_report *r,
				  const struct mt_render_opts *o)
{
	const struct mt_zone_stats *z = &r->x.zs;
	char n_unplaced[32], n_not_logical[32];
	__u64 not_logical = z->slab_not_logical, unplaced = z->slab_unplaced;

	if (!r->run.class_traced[MT_CLASS_LOGICAL])
		return;
	if (o->raw_addresses)
		fprintf(f, "\n__pa() of slab objects (direct map base %#llx)\n",
			(unsigned long long)r->run.page_offset_base);
	else
		fprintf(f, "\n__pa() of slab objects (direct map base %s)\n",
			r->run.page_offset_base ? "found; --raw-addresses prints it" : "unknown");
	if (!r->run.page_offset_base) {
		fprintf(f, "not measured: the direct map base was not established (%s unplaced)\n",
			N(unplaced));
		return;
	}
	for (__u64 i = 0; i < z->nr_samples; i++) {
		__u64 pa = z->samples[i].phys, pfn = pa >> r->run.page_shift;
		char virt[48];

		fprintf(f, "  %s -> phys %#llx  pfn %#llx  zone %s\n",
			slab_ptr(virt, sizeof(virt), r, z->samples[i].ptr, o),
			(unsigned long long)pa, (unsigned long long)pfn,
			mt_zone_pfn_name(&r->zones, pfn));
	}
	fprintf(f, "pointers outside the direct map: %s (must be 0)\n", N(not_logical));
}

static void matrix(FILE *f, const struct mt_report *r, const char *what,
		   const __u64 m[][MT_ZONE_SLOTS])
{
	bool hm = !r->x.is_64bit;
	__u64 total, fb = mt_zone_fallbacks(&r->zones, m, hm, &total);
	char n_fb[32], n_total[32], n_c[32];

	fprintf(f, "%s: %s placed, %s zone fallbacks (got a lower zone than asked)\n", what,
		N(total), N(fb));
	fprintf(f, "  %-16s", "asked \\ got");
	for (int z = 0; z < r->zones.nr && z < 4; z++)
		fprintf(f, " %8d:%-6s", r->zones.z[z].node, r->zones.z[z].name);
	fprintf(f, "\n");
	for (unsigned int a = 0; a < MT_GFP_ZONE_COMBOS; a++) {
		enum mt_zone_type t = mt_gfp_zone_asked(a, hm);
		char label[40];
		if (!mt_zone_asked_total(m[a]))
			continue;
		snprintf(label, sizeof(label), "%s%s [%s%s%s%s]", mt_zone_type_name(t),
			 mt_zone_effective(&r->zones, t) != t ? "*" : "", a & MT_GFP_DMA ? "D" : "",
			 a & MT_GFP_DMA32 ? "D32" : "", a & MT_GFP_HIGHMEM ? "H" : "",
			 a & MT_GFP_MOVABLE ? "M" : "");
		fprintf(f, "  %-16s", label);
		for (int z = 0; z < r->zones.nr && z < 4; z++)
			fprintf(f, " %15s", mt_fmt_count(n_c, sizeof(n_c), m[a][z]));
		fprintf(f, "\n");
	}
}

void mt_render_text_zones(FILE *f, const struct mt_report *r)
{
	const struct mt_zone_stats *z = &r->x.zs;

	if (!r->run.class_traced[MT_CLASS_PHYSICAL] && !r->run.class_traced[MT_CLASS_LOGICAL])
		return;
	fprintf(f, "\nZONES ASKED (GFP zone modifiers) VS GOT (the page's PFN)\n");
	if (mt_report_has_asked_got(r, false))
		matrix(f, r, "pages", z->page_asked_got);
	if (mt_report_has_asked_got(r, true))
		matrix(f, r, "slab objects", z->slab_asked_got);
	fprintf(f, "[GFP zone modifiers: D DMA, D32 DMA32, H HIGHMEM, M MOVABLE]\n");
	fprintf(f, "(* the zone asked for is not populated here: allocation starts below it)\n");
}

void mt_render_text_physical_extra(FILE *f, const struct mt_report *r)
{
	const struct mt_zone_stats *z = &r->x.zs;
	char n_c[32];

	if (!r->run.class_traced[MT_CLASS_PHYSICAL])
		return;
	fprintf(f, "\nmigratetype      allocs\n");
	for (int i = 0; i < MT_MIGRATE_SLOTS; i++)
		if (z->migratetype[i])
			fprintf(f, "%-16s %s\n", r->x.migrate_names[i],
				mt_fmt_count(n_c, sizeof(n_c), z->migratetype[i]));
	fprintf(f, "\nGFP flag              allocs with it (names: %s)\n", r->x.gfp_source);
	for (int i = 0; i < MT_GFP_BITS; i++) {
		if (!z->gfp_bits[i])
			continue;
		if (r->x.gfp_names[i][0])
			fprintf(f, "%-21s %s\n", r->x.gfp_names[i],
				mt_fmt_count(n_c, sizeof(n_c), z->gfp_bits[i]));
		else
			fprintf(f, "bit %-17d %s\n", i,
				mt_fmt_count(n_c, sizeof(n_c), z->gfp_bits[i]));
	}
}

static void virt(FILE *f, const struct mt_report *r, const struct mt_render_opts *o)
{
	const struct mt_virt_stats *v = &r->x.cs.virt;
	char n_a[32], n_b[32], n_c[32], n_d[32];

	if (!class_title(f, r, MT_CLASS_VIRTUAL, "KERNEL VIRTUAL (vmalloc/vmap areas, percpu)",
			 "no vmalloc or percpu tracepoint on this kernel"))
		return;
	if (!r->x.vmalloc_traced) {
		fprintf(f, "vmap areas: not measured: no vmalloc tracepoints (added in 6.4)\n");
	} else {
		fprintf(f, "vmap areas: %s allocated (%s), %s failed\n",
			mt_fmt_count(n_a, sizeof(n_a), v->vmap_allocs),
			mt_fmt_bytes(n_b, sizeof(n_b), (long long)v->vmap_bytes),
			mt_fmt_count(n_c, sizeof(n_c), v->vmap_failures));
		fprintf(f, "  freed %s (%s; %s allocated before the run)\n",
			mt_fmt_count(n_a, sizeof(n_a), v->vmap_frees),
			mt_fmt_bytes(n_b, sizeof(n_b), (long long)v->vmap_bytes_freed),
			mt_fmt_count(n_c, sizeof(n_c), v->vmap_frees_unsized));
		fprintf(f, "  lazy purges %s releasing %s areas\n",
			mt_fmt_count(n_a, sizeof(n_a), v->vmap_purges),
			mt_fmt_count(n_b, sizeof(n_b), v->vmap_purged));
		fprintf(f, "  inside the range asked %s, outside %s (must be 0)\n",
			mt_fmt_count(n_a, sizeof(n_a), v->vmap_in_range),
			mt_fmt_count(n_b, sizeof(n_b), v->vmap_out_of_range));
		/* kernel virtual addresses: only with --raw-addresses, else the ranges by size */
		if (v->vmap_allocs && o->raw_addresses)
			fprintf(f, "  addresses seen %#llx-%#llx\n",
				(unsigned long long)v->vmap_addr_min,
				(unsigned long long)v->vmap_addr_max);
		for (int i = 0; i < r->x.nr_vranges; i++)
			if (o->raw_addresses)
				fprintf(f, "  range %#llx-%#llx: %s areas\n",
					(unsigned long long)r->x.vranges[i].vstart,
					(unsigned long long)r->x.vranges[i].vend,
					mt_fmt_count(n_a, sizeof(n_a), r->x.vranges[i].allocs));
			else
				fprintf(f, "  range %d (%s): %s areas\n", i + 1,
					mt_fmt_bytes(n_b, sizeof(n_b),
						     (long long)(r->x.vranges[i].vend -
								 r->x.vranges[i].vstart)),
					mt_fmt_count(n_a, sizeof(n_a), r->x.vranges[i].allocs));
	}
	if (!r->x.percpu_traced) {
		fprintf(f, "percpu: not measured: no percpu tracepoints on this kernel\n");
	} else {
		fprintf(f, "percpu: %s allocated, %s failed\n",
			mt_fmt_count(n_a, sizeof(n_a), v->pcpu_allocs),
			mt_fmt_count(n_d, sizeof(n_d), v->pcpu_failures));
		fprintf(f, "  %s asked per CPU, %s over all CPUs\n",
			mt_fmt_bytes(n_b, sizeof(n_b), (long long)v->pcpu_bytes_req),
			mt_fmt_bytes(n_c, sizeof(n_c), (long long)v->pcpu_bytes_alloc));
		fprintf(f, "  freed %s (%s allocated before the run); chunks +%s -%s\n",
			mt_fmt_count(n_a, sizeof(n_a), v->pcpu_frees),
			mt_fmt_count(n_b, sizeof(n_b), v->pcpu_frees_unsized),
			mt_fmt_count(n_c, sizeof(n_c), v->pcpu_chunks_created),
			mt_fmt_count(n_d, sizeof(n_d), v->pcpu_chunks_destroyed));
	}
	if (r->x.vmalloc_traced && v->vmap_allocs) {
		fprintf(f, "\nvmap area sizes\n");
		mt_print_log2_hist(f, v->vmap_size_hist, MT_HIST_SLOTS, "bytes");
	}
}

static void bus(FILE *f, const struct mt_report *r)
{
	const struct mt_dma_stats *d = &r->x.cs.dma;
	char n_a[32], n_b[32], n_c[32], n_d[32];

	if (!class_title(f, r, MT_CLASS_BUS, "BUS (DMA mappings, coherent allocations, swiotlb)",
			 "no dma tracepoints on this kernel (they appeared in 6.12)"))
		return;
	fprintf(f, "streaming maps %s (%s), unmaps %s\n", mt_fmt_count(n_a, sizeof(n_a), d->maps),
		mt_fmt_bytes(n_b, sizeof(n_b), (long long)d->map_bytes),
		mt_fmt_count(n_c, sizeof(n_c), d->unmaps));
	fprintf(f, "scatterlist maps %s (%s bus segments, %s%s), unmaps %s\n",
		mt_fmt_count(n_a, sizeof(n_a), d->sg_maps),
		mt_fmt_count(n_b, sizeof(n_b), d->sg_ents), r->x.cs.dma_sg_truncated ? ">= " : "",
		mt_fmt_bytes(n_c, sizeof(n_c), (long long)r->x.cs.dma_sg_bytes),
		mt_fmt_count(n_d, sizeof(n_d), d->sg_unmaps));
	fprintf(f, "coherent allocations %s (%s), frees %s; map errors %s\n",
		mt_fmt_count(n_a, sizeof(n_a), d->allocs),
		mt_fmt_bytes(n_b, sizeof(n_b), (long long)d->alloc_bytes),
		mt_fmt_count(n_c, sizeof(n_c), d->frees),
		mt_fmt_count(n_a, sizeof(n_a), d->map_errors));
	fprintf(f, "bus address == physical %s, translated %s, physical unknown %s\n",
		mt_fmt_count(n_a, sizeof(n_a), d->identity),
		mt_fmt_count(n_b, sizeof(n_b), d->translated),
		mt_fmt_count(n_c, sizeof(n_c), d->phys_unknown));
	fprintf(f, "direction: bidirectional %llu, to device %llu, from device %llu, none %llu\n",
		(unsigned long long)d->dir[0], (unsigned long long)d->dir[1],
		(unsigned long long)d->dir[2], (unsigned long long)d->dir[3]);
	if (r->x.swiotlb_traced)
		fprintf(f, "swiotlb bounces %s (%s)\n", mt_fmt_count(n_a, sizeof(n_a), d->bounces),
			mt_fmt_bytes(n_b, sizeof(n_b), (long long)d->bounce_bytes));
	else
		fprintf(f, "swiotlb bounces: not measured (no swiotlb tracepoint)\n");
	if (!d->maps && !d->allocs && !d->sg_maps && !d->bounces)
		fprintf(f, "0 observed: no device used the DMA API while traced\n");
	for (int i = 0; i < r->x.nr_dma; i++)
		fprintf(f, "  %-32.32s maps %s  %s  bounces %s\n", r->x.dma[i].name,
			mt_fmt_count(n_a, sizeof(n_a), r->x.dma[i].maps),
			mt_fmt_bytes(n_b, sizeof(n_b), (long long)r->x.dma[i].bytes),
			mt_fmt_count(n_c, sizeof(n_c), r->x.dma[i].bounces));
}

static void user(FILE *f, const struct mt_report *r, const struct mt_render_opts *o)
{
	int top = o->top;
	char n_a[32], n_b[32], n_c[32], n_d[32];

	if (!class_title(f, r, MT_CLASS_USER, "USER VIRTUAL (page faults)",
			 "no exceptions:page_fault_* tracepoints on this kernel/arch"))
		return;
	fprintf(f, "faults in user mode %s, in kernel mode %s (%s processes)\n",
		mt_fmt_count(n_a, sizeof(n_a), r->x.cs.faults_user),
		mt_fmt_count(n_b, sizeof(n_b), r->x.cs.faults_kernel),
		mt_fmt_count(n_c, sizeof(n_c), (unsigned long long)r->x.nr_fault_procs));
	if (!r->x.nr_faults)
		return;
	fprintf(f, "%8s %-16s %10s %10s %10s %10s\n", "tgid", "comm", "user read", "user write",
		"kern read", "kern write");
	for (int i = 0; i < r->x.nr_faults && i < top; i++) {
		const struct mt_fault_row *p = &r->x.faults[i];
		fprintf(f, "%8u %-16s %10s %10s %10s %10s\n", p->tgid, p->comm,
			mt_fmt_count(n_a, sizeof(n_a), p->user_read),
			mt_fmt_count(n_b, sizeof(n_b), p->user_write),
			mt_fmt_count(n_c, sizeof(n_c), p->kernel_read),
			mt_fmt_count(n_d, sizeof(n_d), p->kernel_write));
		if (mt_render_fault_addrs(r, o, p))
			fprintf(f, "%8s user addresses %#llx-%#llx\n", "",
				(unsigned long long)p->addr_min, (unsigned long long)p->addr_max);
	}
}

static void high(FILE *f, const struct mt_report *r)
{
	const struct mt_kmap_stats *k = &r->x.cs.kmap;

	fprintf(f, "\nHIGH MEMORY (kmap)\n");
	switch (mt_report_class_avail(r, MT_CLASS_HIGH)) {
	case MT_AVAIL_MEASURED:
		break;
	case MT_AVAIL_NOT_SELECTED:
		fprintf(f, "not selected (--class)\n");
		return;
	case MT_AVAIL_NONE_ON_64BIT:
		fprintf(f,
			"none: a 64-bit kernel maps all RAM in the direct map, so kmap() "
			"returns the\ndirect-map address (page_address()) and there is nothing to "
			"count\n");
		if (r->x.kmap_why[0])
			fprintf(f, "kmap probes: %s\n", r->x.kmap_why);
		return;
	case MT_AVAIL_UNAVAILABLE:
		fprintf(f, "not measured: %s\n", r->x.kmap_why[0] ? r->x.kmap_why : "no kprobes");
		return;
	}
	fprintf(f, "kmap_high %llu, kunmap_high %llu, kmap_local %llu, kunmap_local %llu\n",
		(unsigned long long)k->kmap_high, (unsigned long long)k->kunmap_high,
		(unsigned long long)k->kmap_local, (unsigned long long)k->kunmap_local);
}

void mt_render_text_classes(FILE *f, const struct mt_report *r, const struct mt_render_opts *o)
{
	virt(f, r, o);
	bus(f, r);
	user(f, r, o);
	high(f, r);
}
