// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The class sections (src/model/model_classes.c, render_text_classes.c, render_json_classes.c)
 * with synthetic per-CPU values: GFP decoding, zone asked vs got and fallbacks, per-CPU
 * merging, and that every section says measured / not selected / unavailable — in text
 * and in JSON (parsed back with json-c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "render/render.h"

static void zones_x86_64(struct mt_zone_table *t)
{
	memset(t, 0, sizeof(*t));
	t->nr = 3;
	t->z[0] = (struct mt_zone){ 0, "DMA", 1, 4095, 3998 };
	t->z[1] = (struct mt_zone){ 0, "DMA32", 4096, 1044480, 782336 };
	t->z[2] = (struct mt_zone){ 0, "Normal", 1048576, 5505024, 5505024 };
}

static void zones_i386(struct mt_zone_table *t)
{
	memset(t, 0, sizeof(*t));
	t->nr = 3;
	t->z[0] = (struct mt_zone){ 0, "DMA", 1, 4095, 3998 };
	t->z[1] = (struct mt_zone){ 0, "Normal", 4096, 225280, 225280 };
	t->z[2] = (struct mt_zone){ 0, "HighMem", 229376, 557056, 557056 };
}

static void test_gfp_zone_asked(void **state)
{
	assert_int_equal(mt_gfp_zone_asked(0, false), MT_ZT_NORMAL);
	assert_int_equal(mt_gfp_zone_asked(MT_GFP_DMA, false), MT_ZT_DMA);
	assert_int_equal(mt_gfp_zone_asked(MT_GFP_DMA32, false), MT_ZT_DMA32);
	/* __GFP_HIGHMEM without CONFIG_HIGHMEM is ZONE_NORMAL (gfp.h's OPT_ZONE_HIGHMEM) */
	assert_int_equal(mt_gfp_zone_asked(MT_GFP_HIGHMEM, false), MT_ZT_NORMAL);
	assert_int_equal(mt_gfp_zone_asked(MT_GFP_HIGHMEM, true), MT_ZT_HIGHMEM);
	/* GFP_HIGHUSER_MOVABLE */
	assert_int_equal(mt_gfp_zone_asked(MT_GFP_HIGHMEM | MT_GFP_MOVABLE, false), MT_ZT_MOVABLE);
	assert_int_equal(mt_gfp_zone_asked(MT_GFP_MOVABLE, false), MT_ZT_NORMAL);
	assert_int_equal(mt_gfp_zone_asked(MT_GFP_MOVABLE | MT_GFP_DMA32, false), MT_ZT_DMA32);
	/* GFP_ZONE_BAD */
	assert_int_equal(mt_gfp_zone_asked(MT_GFP_DMA | MT_GFP_DMA32, false), MT_ZT_INVALID);
	assert_int_equal(mt_gfp_zone_asked(MT_GFP_DMA | MT_GFP_HIGHMEM, false), MT_ZT_INVALID);
}

static void test_zone_effective_and_fallbacks(void **state)
{
	static __u64 m[MT_GFP_ZONE_COMBOS][MT_ZONE_SLOTS];
	struct mt_zone_table t;
	__u64 total;

	zones_x86_64(&t);
	/* no Movable zone here: GFP_HIGHUSER_MOVABLE starts from Normal */
	assert_int_equal(mt_zone_effective(&t, MT_ZT_MOVABLE), MT_ZT_NORMAL);
	assert_int_equal(mt_zone_effective(&t, MT_ZT_DMA32), MT_ZT_DMA32);
	memset(m, 0, sizeof(m));
	m[0][2] = 100;		/* asked Normal, got Normal */
	m[0][1] = 7;		/* asked Normal, got DMA32: a fallback */
	m[0][0] = 1;		/* asked Normal, got DMA: a fallback */
	m[MT_GFP_DMA32][1] = 5; /* asked DMA32, got DMA32 */
	m[MT_GFP_DMA32][0] = 2; /* asked DMA32, got DMA: a fallback */
	m[MT_GFP_DMA][0] = 3;	/* asked DMA, got DMA */
	/* Movable asked, no Movable zone here: Normal is no fallback */
	m[MT_GFP_HIGHMEM | MT_GFP_MOVABLE][2] = 50;
	m[0][MT_ZONE_UNKNOWN] = 4; /* outside every zone: neither placed nor fallback */
	assert_int_equal(mt_zone_fallbacks(&t, m, false, &total), 10);
	assert_int_equal(total, 168);

	/* i386: HIGHMEM asked and got Normal is a fallback; Normal asked never is HighMem */
	zones_i386(&t);
	memset(m, 0, sizeof(m));
	m[MT_GFP_HIGHMEM][2] = 9;
	m[MT_GFP_HIGHMEM][1] = 6;
	m[0][1] = 20;
	assert_int_equal(mt_zone_fallbacks(&t, m, true, &total), 6);
	assert_int_equal(total, 35);
	assert_int_equal(mt_zone_effective(&t, MT_ZT_MOVABLE), MT_ZT_HIGHMEM);
	/* the direct map (and the BPF side's __pa check) ends where HighMem starts */
	assert_int_equal(mt_zones_lowmem_end_pfn(&t), 229376);
	zones_x86_64(&t);
	assert_int_equal(mt_zones_lowmem_end_pfn(&t), 0x640000);
}

static void test_gfp_decode(void **state)
{
	struct mt_classes_report *x = calloc(1, sizeof(*x));
	char buf[256];

	/* without BTF names: the 6.1 table, which still has __GFP_ATOMIC at bit 9 */
	mt_classes_finish(x);
	assert_string_equal(mt_gfp_decode(x, 0xcc0, buf, sizeof(buf)),
			    "__GFP_IO|__GFP_FS|__GFP_DIRECT_RECLAIM|__GFP_KSWAPD_RECLAIM");
	assert_string_equal(mt_gfp_decode(x, 1 << 9, buf, sizeof(buf)), "__GFP_ATOMIC");
	assert_string_equal(mt_gfp_decode(x, 0, buf, sizeof(buf)), "none");
	assert_string_equal(mt_gfp_decode(x, 1ULL << 30, buf, sizeof(buf)), "bit30");
	/* names from a newer kernel's BTF replace the table bit by bit */
	snprintf(x->gfp_names[9], sizeof(x->gfp_names[9]), "__GFP_UNUSED");
	assert_string_equal(mt_gfp_decode(x, 1 << 9 | 1, buf, sizeof(buf)),
			    "__GFP_DMA|__GFP_UNUSED");
	/* a small buffer truncates, never overflows */
	mt_gfp_decode(x, 0xffffff, buf, 16);
	assert_true(strlen(buf) < 16);
	free(x);
}

static void test_merge_percpu(void **state)
{
	struct mt_classes_report *x = calloc(1, sizeof(*x));
	struct mt_zone_stats *zs = calloc(2, sizeof(*zs));
	struct mt_class_stats *cs = calloc(2, sizeof(*cs));
	struct mt_fault_proc fp[2] = {};

	zs[0].slab_ptr_min = 0xffff888100000000ULL;
	zs[0].slab_ptr_max = 0xffff888200000000ULL;
	zs[1].slab_ptr_min = 0xffff888000100000ULL; /* lower, on the other CPU */
	zs[1].slab_ptr_max = 0xffff888180000000ULL;
	zs[0].nr_samples = 3;
	zs[1].nr_samples = 4;
	zs[1].samples[0].ptr = 42;
	zs[0].page_asked_got[0][2] = 5;
	zs[1].page_asked_got[0][2] = 6;
	mt_classes_add_zone(x, zs, 2);
	assert_int_equal(x->zs.slab_ptr_min, 0xffff888000100000ULL);
	assert_int_equal(x->zs.slab_ptr_max, 0xffff888200000000ULL);
	assert_int_equal(x->zs.nr_samples, MT_SLAB_SAMPLES);
	assert_int_equal(x->zs.samples[3].ptr, 42);
	assert_int_equal(x->zs.page_asked_got[0][2], 11);

	/* a CPU that saw no vmalloc (min 0) does not make the minimum 0 */
	cs[0].virt.vmap_addr_min = 0xffffc90000010000ULL;
	cs[0].virt.vmap_addr_max = 0xffffc90000020000ULL;
	cs[0].virt.vmap_allocs = 2;
	cs[1].virt.vmap_allocs = 3;
	cs[1].faults_user = 7;
	mt_classes_add_class(x, cs, 2);
	assert_int_equal(x->cs.virt.vmap_addr_min, 0xffffc90000010000ULL);
	assert_int_equal(x->cs.virt.vmap_addr_max, 0xffffc90000020000ULL);
	assert_int_equal(x->cs.virt.vmap_allocs, 5);
	assert_int_equal(x->cs.faults_user, 7);

	/* fault rows: the comm from the CPU that has it; more rows than kept: the largest */
	memcpy(fp[1].comm, "workload", 9);
	fp[0].user_write = 10;
	fp[1].user_read = 5;
	fp[0].addr_min = 0x7000;
	fp[1].addr_min = 0x5000;
	fp[1].addr_max = 0x9000;
	for (int i = 0; i < MT_MAX_FAULT_ROWS + 5; i++) {
		struct mt_fault_proc small[1] = { { .user_read = 1 } };

		mt_classes_add_fault(x, 1000 + i, small, 1);
	}
	mt_classes_add_fault(x, 7, fp, 2);
	mt_classes_finish(x);
	assert_int_equal(x->nr_fault_procs, MT_MAX_FAULT_ROWS + 6);
	assert_int_equal(x->nr_faults, MT_MAX_FAULT_ROWS);
	assert_int_equal(x->faults[0].tgid, 7);
	assert_string_equal(x->faults[0].comm, "workload");
	assert_int_equal(x->faults[0].total, 15);
	assert_int_equal(x->faults[0].addr_min, 0x5000);
	free(x);
	free(zs);
	free(cs);
}

/*
 * The per-CPU fault fronts (bpf/fault.bpf.c fault_get): a valid slot of the row's tgid adds
 * to it, with the address span widened; a slot of another process or not valid does not.
 */
static void test_fault_slots_fold(void **state)
{
	struct mt_fault_proc pc[2] = { { .user_read = 1, .addr_min = 0x7000, .addr_max = 0x8000 },
				       { .kernel_write = 2 } };
	struct mt_fault_slot slots[3] = {
		{ .tgid = 7,
		  .state = MT_SLOT_VALID,
		  .f = { .user_write = 10, .ifetch = 1, .addr_min = 0x5000, .addr_max = 0x6000 } },
		{ .tgid = 8, .state = MT_SLOT_VALID, .f = { .user_read = 100 } },
		{ .tgid = 7, .state = MT_SLOT_MOVING, .f = { .user_read = 1000 } },
	};
	struct mt_classes_report *x = calloc(1, sizeof(*x));
	struct mt_fault_proc *v;

	(void)state;
	v = mt_fault_with_slots(pc, 2, 7, slots, 3);
	assert_non_null(v);
	assert_int_equal(v[0].user_read, 1); /* the rows themselves, unchanged */
	assert_int_equal(v[1].kernel_write, 2);
	assert_int_equal(v[2].user_write, 10); /* the valid slot of tgid 7 only */
	assert_int_equal(v[2].user_read, 0);
	assert_int_equal(v[2].ifetch, 1);
	mt_classes_add_fault(x, 7, v, 3);
	mt_classes_finish(x);
	assert_int_equal(x->faults[0].total, 13);
	assert_int_equal(x->faults[0].addr_min, 0x5000);
	assert_int_equal(x->faults[0].addr_max, 0x8000);
	free(v);
	/* no slots (a recording made before they existed): the rows alone */
	v = mt_fault_with_slots(pc, 2, 7, NULL, 0);
	assert_non_null(v);
	assert_int_equal(v[2].user_write + v[2].user_read + v[2].addr_min, 0);
	free(v);
	free(x);
}

static void report(struct mt_report *r, bool all_traced)
{
	mt_report_init(r);
	r->run.page_size = 4096;
	r->run.page_shift = 12;
	r->run.page_offset_base = 0xffff888000000000ULL;
	zones_x86_64(&r->zones);
	r->x.is_64bit = true;
	for (int k = 0; k < MT_CLASS_MAX; k++)
		r->run.class_traced[k] = all_traced && k != MT_CLASS_HIGH;
	r->x.vmalloc_traced = r->x.percpu_traced = r->x.fault_traced = all_traced;
	r->x.dma_traced = r->x.swiotlb_traced = all_traced;
	r->x.cs.virt.vmap_allocs = 12;
	r->x.cs.virt.vmap_bytes = 12 * 1052672;
	r->x.cs.virt.vmap_in_range = 12;
	r->x.cs.virt.vmap_addr_min = 0xffffc90000400000ULL;
	r->x.cs.virt.vmap_addr_max = 0xffffc90001000000ULL;
	r->x.cs.virt.vmap_size_hist[20] = 12;
	r->x.cs.virt.pcpu_allocs = 50;
	r->x.cs.faults_user = 77;
	r->x.zs.page_asked_got[0][2] = 100;
	r->x.zs.page_asked_got[0][1] = 3;
	r->x.zs.nr_samples = 1;
	r->x.zs.samples[0].ptr = 0xffff888101234560ULL;
	r->x.zs.samples[0].phys = 0x101234560ULL;
	r->x.nr_faults = 1;
	r->x.faults[0] = (struct mt_fault_row){ .tgid = 42,
						.comm = "workload",
						.user_write = 77,
						.addr_min = 0x7f0000000000ULL,
						.addr_max = 0x7f0000100000ULL,
						.total = 77 };
	mt_classes_finish(&r->x);
}

static char *text_raw(const struct mt_report *r, bool raw)
{
	struct mt_render_opts ro = { .top = 10, .raw_addresses = raw };
	char *buf = NULL, *copy, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	mt_render_text(f, r, &ro);
	fclose(f);
	copy = strdup(buf);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > 80)
			fail_msg("line is %zu columns: %s", strlen(line), line);
	free(copy);
	return buf;
}

static char *text(const struct mt_report *r)
{
	return text_raw(r, false);
}

static struct json_object *json_raw(const struct mt_report *r, bool raw)
{
	struct mt_render_opts ro = { .top = 10, .raw_addresses = raw };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_object *j;

	assert_int_equal(mt_render_json(f, r, &ro), 0);
	fclose(f);
	j = json_tokener_parse(buf);
	assert_non_null(j);
	free(buf);
	return j;
}

static struct json_object *json(const struct mt_report *r)
{
	return json_raw(r, false);
}

static struct json_object *get(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, k, &o))
			fail_msg("no %s", path);
	return o;
}

/*
 * GFP bits through the kernel's front of whole masks (bpf/page.bpf.c gfp_count, replayed
 * here step for step) and the reader's spread of what the front still holds: every bit of
 * every allocation is counted once, whatever the slots' collisions, on each CPU.
 */
static void front_count(struct mt_zone_stats *zs, __u64 gfp)
{
	__u32 i = mt_gfp_front_slot(gfp) & (MT_GFP_FRONT - 1);

	if (zs->gfp_front[i].gfp != gfp) {
		for (int b = 0; b < MT_GFP_BITS; b++)
			zs->gfp_bits[b] += ((zs->gfp_front[i].gfp >> b) & 1) * zs->gfp_front[i].n;
		zs->gfp_front[i].gfp = gfp;
		zs->gfp_front[i].n = 0;
	}
	zs->gfp_front[i].n++;
}

static void test_gfp_front_spread(void **state)
{
	static const __u64 masks[] = { 0xcc0,	 0x400cc0, 0x140cca,   0x100cca,   0x800,  0xa20,
				       0x100cc0, 0,	   0xffffffff, 0x80000001, 0x1cc0, 0x2800 };
	struct mt_classes_report *x = calloc(1, sizeof(*x));
	struct mt_zone_stats *zs = calloc(2, sizeof(*zs));
	__u64 want[MT_GFP_BITS] = {}, lcg = 7;

	/* the common masks are not all in one slot */
	assert_int_not_equal(mt_gfp_front_slot(0xcc0), mt_gfp_front_slot(0x140cca));
	for (int k = 0; k < 20000; k++) {
		__u64 m;

		lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
		m = masks[(lcg >> 33) % (sizeof(masks) / sizeof(masks[0]))];
		front_count(&zs[(lcg >> 20) & 1], m);
		for (int b = 0; b < MT_GFP_BITS; b++)
			want[b] += (m >> b) & 1;
	}
	mt_classes_add_zone(x, zs, 2);
	for (int b = 0; b < MT_GFP_BITS; b++)
		assert_int_equal(x->zs.gfp_bits[b], want[b]);
	free(zs);
	free(x);
}

static void test_sections_measured(void **state)
{
	struct mt_report *r = calloc(1, sizeof(*r));
	struct json_object *j, *ex;
	char *t;

	report(r, true);
	t = text(r);
	assert_non_null(strstr(t, "vmap areas: 12 allocated (12.0 MiB), 0 failed"));
	assert_non_null(strstr(t, "percpu: 50 allocated"));
	assert_non_null(strstr(t, "0 observed: no device used the DMA API"));
	assert_non_null(strstr(t, "faults in user mode 77"));
	/* no kernel virtual address by default: a slab object as its direct-map offset */
	assert_non_null(strstr(t, "  direct map+0x101234560 -> phys 0x101234560  pfn 0x101234  "
				  "zone Normal"));
	assert_null(strstr(t, "0xffff"));
	assert_non_null(strstr(t, "user addresses 0x7f0000000000-0x7f0000100000"));
	assert_non_null(strstr(t, "pages: 103 placed, 3 zone fallbacks"));
	assert_non_null(strstr(t, "kmap() returns the"));
	free(t);
	t = text_raw(r, true);
	assert_non_null(strstr(t, "0xffff888101234560 -> phys 0x101234560  pfn 0x101234  "
				  "zone Normal"));
	free(t);

	j = json(r);
	assert_true(json_object_is_type(get(j, "classes.kernel_virtual.vmalloc.addr_min"),
					json_type_null));
	assert_true(
		json_object_is_type(get(j, "classes.kernel_logical.pointer_min"), json_type_null));
	ex = json_object_array_get_idx(get(j, "classes.kernel_logical.pa_examples"), 0);
	assert_true(json_object_is_type(get(ex, "virt"), json_type_null));
	assert_null(strstr(json_object_to_json_string(j), "0xffff"));
	json_object_put(j);

	j = json_raw(r, true);
	assert_string_equal(json_object_get_string(get(j, "classes.kernel_virtual.availability")),
			    "measured");
	assert_int_equal(json_object_get_int64(get(j, "classes.kernel_virtual.vmalloc.allocs")),
			 12);
	assert_string_equal(
		json_object_get_string(get(j, "classes.kernel_virtual.vmalloc.addr_min")),
		"0xffffc90000400000");
	assert_int_equal(json_object_get_int64(get(j, "classes.bus.dma.maps")), 0);
	assert_true(json_object_get_boolean(get(j, "classes.bus.swiotlb.traced")));
	assert_int_equal(json_object_get_int64(get(j, "classes.user_virtual.faults.user_mode")),
			 77);
	assert_string_equal(json_object_get_string(get(j, "classes.high_memory.availability")),
			    "none_on_64bit");
	assert_false(json_object_get_boolean(get(j, "classes.high_memory.exists")));
	assert_int_equal(json_object_get_int64(get(j, "zones_asked_got.pages.fallbacks")), 3);
	assert_int_equal(json_object_get_int64(get(j, "zones_asked_got.pages.placed")), 103);
	ex = json_object_array_get_idx(get(j, "classes.kernel_logical.pa_examples"), 0);
	assert_string_equal(json_object_get_string(get(ex, "phys")), "0x101234560");
	assert_string_equal(json_object_get_string(get(ex, "zone")), "Normal");
	json_object_put(j);
	mt_report_free(r);
	free(r);
}

/* Scatterlist DMA: segments, bytes (a lower bound when the event truncated a list), paired
 * unmaps, in text and JSON. */
static void test_bus_scatterlists(void **state)
{
	struct mt_report *r = calloc(1, sizeof(*r));
	struct json_object *j;
	char *t;

	report(r, true);
	r->x.cs.dma.sg_maps = 64;
	r->x.cs.dma.sg_ents = 64;
	r->x.cs.dma.sg_unmaps = 64;
	r->x.cs.dma.translated = 64;
	r->x.cs.dma_sg_bytes = 64 * 4096;
	r->x.cs.dma_sg_unmap_ents = 63;
	r->x.cs.dma_sg_unmap_bytes = 63 * 4096;
	r->x.cs.dma_sg_unmap_unpaired = 1;
	t = text(r);
	assert_non_null(strstr(t, "scatterlist maps 64 (64 bus segments, 256.0 KiB), unmaps 64"));
	assert_null(strstr(t, "0 observed"));
	free(t);
	j = json(r);
	assert_int_equal(json_object_get_int64(get(j, "classes.bus.dma.sg_bytes")), 262144);
	assert_int_equal(json_object_get_int64(get(j, "classes.bus.dma.sg_truncated")), 0);
	assert_int_equal(json_object_get_int64(get(j, "classes.bus.dma.sg_unmap_entries")), 63);
	assert_int_equal(json_object_get_int64(get(j, "classes.bus.dma.sg_unmap_bytes")),
			 63 * 4096);
	assert_int_equal(json_object_get_int64(get(j, "classes.bus.dma.sg_unmaps_unpaired")), 1);
	assert_int_equal(json_object_get_int64(get(j, "classes.bus.dma.bus_translated")), 64);
	json_object_put(j);
	/* a list longer than the event records: its bytes are a lower bound */
	r->x.cs.dma_sg_truncated = 1;
	t = text(r);
	assert_non_null(strstr(t, "(64 bus segments, >= 256.0 KiB)"));
	free(t);
	mt_report_free(r);
	free(r);
}

/* Not available (e.g. 6.1: no vmalloc tracepoints) is said, never printed as zero. */
static void test_sections_unavailable(void **state)
{
	struct mt_report *r = calloc(1, sizeof(*r));
	struct json_object *j;
	char *t;

	report(r, true);
	r->x.vmalloc_traced = false; /* 6.1 */
	r->run.class_traced[MT_CLASS_BUS] = false;
	r->run.class_traced[MT_CLASS_USER] = false;
	t = text(r);
	assert_non_null(strstr(t, "vmap areas: not measured: no vmalloc tracepoints"));
	assert_null(strstr(t, "vmap areas: 12"));
	assert_non_null(strstr(t, "BUS (DMA mappings, coherent allocations, swiotlb)\n"
				  "not measured: no dma tracepoints"));
	assert_null(strstr(t, "0 observed"));
	assert_non_null(strstr(t, "USER VIRTUAL (page faults)\nnot measured:"));
	free(t);
	j = json(r);
	assert_false(json_object_get_boolean(get(j, "classes.kernel_virtual.vmalloc.traced")));
	assert_false(json_object_object_get_ex(get(j, "classes.kernel_virtual.vmalloc"), "allocs",
					       NULL));
	assert_string_equal(json_object_get_string(get(j, "classes.bus.availability")),
			    "unavailable");
	assert_false(json_object_object_get_ex(get(j, "classes.bus"), "dma", NULL));
	json_object_put(j);

	/* --class: not selected, in so many words */
	r->x.class_mask = 1u << MT_CLASS_VIRTUAL;
	t = text(r);
	assert_non_null(strstr(t, "USER VIRTUAL (page faults)\nnot selected (--class)"));
	assert_non_null(strstr(t, "HIGH MEMORY (kmap)\nnot selected (--class)"));
	free(t);
	j = json(r);
	assert_string_equal(json_object_get_string(get(j, "classes.user_virtual.availability")),
			    "not_selected");
	json_object_put(j);

	/* a 32-bit kernel without kprobes: one line saying so */
	r->x.class_mask = 0;
	r->x.is_64bit = false;
	snprintf(r->x.kmap_why, sizeof(r->x.kmap_why),
		 "kprobes are not configured on this kernel: kmap not counted");
	t = text(r);
	assert_non_null(strstr(t, "HIGH MEMORY (kmap)\nnot measured: kprobes are not configured"));
	free(t);
	/* and with them: the counts */
	r->run.class_traced[MT_CLASS_HIGH] = true;
	r->x.cs.kmap.kmap_high = 5;
	r->x.cs.kmap.kmap_local = 9000;
	t = text(r);
	assert_non_null(strstr(t, "kmap_high 5, kunmap_high 0, kmap_local 9000"));
	free(t);
	j = json(r);
	assert_int_equal(json_object_get_int64(get(j, "classes.high_memory.kmap.kmap_local")),
			 9000);
	assert_true(json_object_get_boolean(get(j, "classes.high_memory.exists")));
	json_object_put(j);
	mt_report_free(r);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gfp_zone_asked),
		cmocka_unit_test(test_zone_effective_and_fallbacks),
		cmocka_unit_test(test_gfp_decode),
		cmocka_unit_test(test_merge_percpu),
		cmocka_unit_test(test_fault_slots_fold),
		cmocka_unit_test(test_gfp_front_spread),
		cmocka_unit_test(test_sections_measured),
		cmocka_unit_test(test_sections_unavailable),
		cmocka_unit_test(test_bus_scatterlists),
	};

	return cmocka_run_group_tests_name("classes", tests, NULL, NULL);
}
