// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* JSON of the class sections beyond slab and pages; keys in docs/json-schema.md. */
#include "sys/json_writer.h"
#include "render/render.h"
#include "render/render_json_common.h"

static void logical(struct jw *w, const struct mt_report *r, const struct mt_render_opts *o)
{
	const struct mt_zone_stats *z = &r->x.zs;

	jw_u64(w, "not_direct_mapped", z->slab_not_logical);
	jw_u64(w, "unplaced", z->slab_unplaced);
	mt_jw_kaddr(w, "pointer_min", z->slab_ptr_min, o);
	mt_jw_kaddr(w, "pointer_max", z->slab_ptr_max, o);
	jw_arr_begin(w, "pa_examples");
	for (__u64 i = 0; i < z->nr_samples; i++) {
		__u64 pfn = z->samples[i].phys >> r->run.page_shift;

		jw_obj_begin(w, NULL);
		mt_jw_kaddr(w, "virt", z->samples[i].ptr, o);
		jw_hex(w, "phys", z->samples[i].phys);
		jw_hex(w, "pfn", pfn);
		jw_str(w, "zone", mt_zone_pfn_name(&r->zones, pfn));
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void physical(struct jw *w, const struct mt_report *r)
{
	const struct mt_zone_stats *z = &r->x.zs;

	jw_arr_begin(w, "migratetypes");
	for (int i = 0; i < MT_MIGRATE_SLOTS; i++) {
		if (!z->migratetype[i])
			continue;
		jw_obj_begin(w, NULL);
		jw_u64(w, "value", i);
		jw_str(w, "name", r->x.migrate_names[i]);
		jw_u64(w, "allocs", z->migratetype[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_str(w, "gfp_names_source", r->x.gfp_source);
	jw_arr_begin(w, "gfp_flags");
	for (int i = 0; i < MT_GFP_BITS; i++) {
		char bit[16];

		if (!z->gfp_bits[i])
			continue;
		snprintf(bit, sizeof(bit), "bit%d", i);
		jw_obj_begin(w, NULL);
		jw_u64(w, "bit", i);
		jw_str(w, "name", r->x.gfp_names[i][0] ? r->x.gfp_names[i] : bit);
		jw_u64(w, "allocs", z->gfp_bits[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void virt(struct jw *w, const struct mt_report *r, const struct mt_render_opts *o)
{
	const struct mt_virt_stats *v = &r->x.cs.virt;

	jw_obj_begin(w, "vmalloc");
	jw_bool(w, "traced", r->x.vmalloc_traced);
	if (r->x.vmalloc_traced) {
		jw_u64(w, "allocs", v->vmap_allocs);
		jw_u64(w, "failures", v->vmap_failures);
		jw_u64(w, "bytes_allocated", v->vmap_bytes);
		jw_u64(w, "frees", v->vmap_frees);
		jw_u64(w, "frees_unsized", v->vmap_frees_unsized);
		jw_u64(w, "bytes_freed", v->vmap_bytes_freed);
		jw_u64(w, "purges", v->vmap_purges);
		jw_u64(w, "purged_areas", v->vmap_purged);
		jw_u64(w, "in_range", v->vmap_in_range);
		jw_u64(w, "out_of_range", v->vmap_out_of_range);
		mt_jw_kaddr(w, "addr_min", v->vmap_addr_min, o);
		mt_jw_kaddr(w, "addr_max", v->vmap_addr_max, o);
		jw_arr_begin(w, "ranges");
		for (int i = 0; i < r->x.nr_vranges; i++) {
			jw_obj_begin(w, NULL);
			mt_jw_kaddr(w, "vstart", r->x.vranges[i].vstart, o);
			mt_jw_kaddr(w, "vend", r->x.vranges[i].vend, o);
			jw_u64(w, "size", r->x.vranges[i].vend - r->x.vranges[i].vstart);
			jw_u64(w, "allocs", r->x.vranges[i].allocs);
			jw_u64(w, "bytes", r->x.vranges[i].bytes);
			jw_obj_end(w);
		}
		jw_arr_end(w);
	}
	jw_obj_end(w);
	jw_obj_begin(w, "percpu");
	jw_bool(w, "traced", r->x.percpu_traced);
	if (r->x.percpu_traced) {
		jw_u64(w, "allocs", v->pcpu_allocs);
		jw_u64(w, "failures", v->pcpu_failures);
		jw_u64(w, "bytes_requested", v->pcpu_bytes_req);
		jw_u64(w, "bytes_allocated", v->pcpu_bytes_alloc);
		jw_u64(w, "frees", v->pcpu_frees);
		jw_u64(w, "frees_unsized", v->pcpu_frees_unsized);
		jw_u64(w, "bytes_freed", v->pcpu_bytes_freed);
		jw_u64(w, "atomic", v->pcpu_atomic);
		jw_u64(w, "chunks_created", v->pcpu_chunks_created);
		jw_u64(w, "chunks_destroyed", v->pcpu_chunks_destroyed);
	}
	jw_obj_end(w);
	jw_u64(w, "outstanding_table_full", v->outstanding_full);
}

static void bus(struct jw *w, const struct mt_report *r)
{
	const struct mt_dma_stats *d = &r->x.cs.dma;
	static const char *const dirs[MT_DMA_DIRS] = { "bidirectional", "to_device", "from_device",
						       "none" };

	jw_obj_begin(w, "dma");
	jw_u64(w, "maps", d->maps);
	jw_u64(w, "map_bytes", d->map_bytes);
	jw_u64(w, "unmaps", d->unmaps);
	jw_u64(w, "unmap_bytes", d->unmap_bytes);
	jw_u64(w, "sg_maps", d->sg_maps);
	jw_u64(w, "sg_entries", d->sg_ents);
	jw_u64(w, "sg_unmaps", d->sg_unmaps);
	jw_u64(w, "sg_bytes", r->x.cs.dma_sg_bytes);
	jw_u64(w, "sg_truncated", r->x.cs.dma_sg_truncated);
	jw_u64(w, "sg_unmap_entries", r->x.cs.dma_sg_unmap_ents);
	jw_u64(w, "sg_unmap_bytes", r->x.cs.dma_sg_unmap_bytes);
	jw_u64(w, "sg_unmaps_unpaired", r->x.cs.dma_sg_unmap_unpaired);
	jw_u64(w, "map_errors", d->map_errors);
	jw_u64(w, "coherent_allocs", d->allocs);
	jw_u64(w, "coherent_bytes", d->alloc_bytes);
	jw_u64(w, "coherent_frees", d->frees);
	jw_u64(w, "bus_equals_phys", d->identity);
	jw_u64(w, "bus_translated", d->translated);
	jw_u64(w, "phys_unknown", d->phys_unknown);
	jw_obj_begin(w, "direction");
	for (int i = 0; i < MT_DMA_DIRS; i++)
		jw_u64(w, dirs[i], d->dir[i]);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_begin(w, "swiotlb");
	jw_bool(w, "traced", r->x.swiotlb_traced);
	jw_u64(w, "bounces", d->bounces);
	jw_u64(w, "bounce_bytes", d->bounce_bytes);
	jw_obj_end(w);
	jw_arr_begin(w, "devices");
	for (int i = 0; i < r->x.nr_dma; i++) {
		jw_obj_begin(w, NULL);
		jw_str(w, "name", r->x.dma[i].name);
		jw_u64(w, "maps", r->x.dma[i].maps);
		jw_u64(w, "bytes", r->x.dma[i].bytes);
		jw_u64(w, "bounces", r->x.dma[i].bounces);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void user(struct jw *w, const struct mt_report *r, const struct mt_render_opts *o)
{
	jw_obj_begin(w, "faults");
	jw_u64(w, "user_mode", r->x.cs.faults_user);
	jw_u64(w, "kernel_mode", r->x.cs.faults_kernel);
	jw_u64(w, "process_table_full", r->x.cs.fault_proc_full);
	jw_u64(w, "nr_processes", r->x.nr_fault_procs);
	jw_arr_begin(w, "processes");
	for (int i = 0; i < r->x.nr_faults; i++) {
		const struct mt_fault_row *p = &r->x.faults[i];
		bool show;

		jw_obj_begin(w, NULL);
		jw_u64(w, "tgid", p->tgid);
		jw_str(w, "comm", p->comm);
		jw_u64(w, "user_read", p->user_read);
		jw_u64(w, "user_write", p->user_write);
		jw_u64(w, "kernel_read", p->kernel_read);
		jw_u64(w, "kernel_write", p->kernel_write);
		jw_u64(w, "instruction_fetch", p->ifetch);
		jw_u64(w, "protection", p->protection);
		show = mt_render_fault_addrs(r, o, p);
		mt_jw_hex_or_null(w, "addr_min", show ? p->addr_min : 0);
		mt_jw_hex_or_null(w, "addr_max", show ? p->addr_max : 0);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void high(struct jw *w, const struct mt_report *r)
{
	const struct mt_kmap_stats *k = &r->x.cs.kmap;

	jw_bool(w, "exists", !r->x.is_64bit);
	if (r->x.kmap_why[0] && !r->run.class_traced[MT_CLASS_HIGH])
		jw_str(w, "why", r->x.kmap_why);
	if (!r->run.class_traced[MT_CLASS_HIGH])
		return;
	jw_obj_begin(w, "kmap");
	jw_u64(w, "kmap_high", k->kmap_high);
	jw_u64(w, "kunmap_high", k->kunmap_high);
	jw_u64(w, "kmap_local", k->kmap_local);
	jw_u64(w, "kunmap_local", k->kunmap_local);
	jw_obj_end(w);
}

/* Keys added inside classes.<class>, after the common counts. */
void mt_render_json_classes(struct jw *w, const struct mt_report *r, int cls,
			    const struct mt_render_opts *o)
{
	jw_str(w, "availability", mt_class_avail_key(mt_report_class_avail(r, cls)));
	if (cls == MT_CLASS_HIGH) {
		if (mt_report_class_selected(r, cls))
			high(w, r);
		return;
	}
	if (!r->run.class_traced[cls])
		return;
	switch (cls) {
	case MT_CLASS_LOGICAL:
		logical(w, r, o);
		break;
	case MT_CLASS_PHYSICAL:
		physical(w, r);
		break;
	case MT_CLASS_VIRTUAL:
		virt(w, r, o);
		break;
	case MT_CLASS_BUS:
		bus(w, r);
		break;
	case MT_CLASS_USER:
		user(w, r, o);
		break;
	}
}

static void matrix(struct jw *w, const char *key, const struct mt_report *r,
		   const __u64 m[][MT_ZONE_SLOTS])
{
	bool hm = !r->x.is_64bit;
	__u64 total, fb = mt_zone_fallbacks(&r->zones, m, hm, &total);

	jw_obj_begin(w, key);
	jw_u64(w, "placed", total);
	jw_u64(w, "fallbacks", fb);
	jw_arr_begin(w, "asked");
	for (unsigned int a = 0; a < MT_GFP_ZONE_COMBOS; a++) {
		enum mt_zone_type t = mt_gfp_zone_asked(a, hm);
		if (!mt_zone_asked_total(m[a]))
			continue;
		jw_obj_begin(w, NULL);
		jw_u64(w, "gfp_zone_bits", a);
		jw_str(w, "zone", mt_zone_type_name(t));
		jw_str(w, "effective_zone", mt_zone_type_name(mt_zone_effective(&r->zones, t)));
		jw_arr_begin(w, "got");
		for (int z = 0; z < r->zones.nr; z++) {
			if (!m[a][z])
				continue;
			jw_obj_begin(w, NULL);
			jw_u64(w, "node", r->zones.z[z].node);
			jw_str(w, "zone", r->zones.z[z].name);
			jw_u64(w, "count", m[a][z]);
			jw_obj_end(w);
		}
		if (m[a][MT_ZONE_UNKNOWN]) {
			jw_obj_begin(w, NULL);
			jw_null(w, "node");
			jw_str(w, "zone", "unknown");
			jw_u64(w, "count", m[a][MT_ZONE_UNKNOWN]);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

void mt_render_json_zones(struct jw *w, const struct mt_report *r)
{
	jw_obj_begin(w, "zones_asked_got");
	if (mt_report_has_asked_got(r, false))
		matrix(w, "pages", r, r->x.zs.page_asked_got);
	if (mt_report_has_asked_got(r, true))
		matrix(w, "slab_objects", r, r->x.zs.slab_asked_got);
	jw_obj_end(w);
}
