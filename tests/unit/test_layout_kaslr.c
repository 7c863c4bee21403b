// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Address classification and zone lookup (src/model/layout.c) against a RECORDED x86_64 layout
 * with KASLR. This host boots without KASLR, so the fixtures come from a QEMU guest
 * (Debian 6.12, booted through its compressed bzImage so that the decompressor sets
 * KASLR_FLAG and the kernel randomizes the direct map, vmalloc and vmemmap bases and the
 * text; a direct vmlinux boot, as `make vmtest` does, leaves them at their defaults; q35,
 * 1 GiB, intel_iommu=on), each shape from one boot:
 *   x86_64-kaslr        -cpu max,la57=off: 4-level paging, the common shape
 *   x86_64-la57-kaslr   -cpu max: 5-level paging (LA57), the kernel half from
 *                       0xff00000000000000 (memtrace took these addresses for
 *                       non-canonical until this recording showed them)
 * and for each SHAPE:
 *   layout-SHAPE.json    `memtrace layout --json`
 *   zoneinfo-SHAPE.txt   /proc/zoneinfo
 *   kallsyms-SHAPE.txt   a few text symbols of /proc/kallsyms (as root)
 *   modules-SHAPE.txt    /proc/modules (ahci and its dependencies)
 *   run-SHAPE.json       `memtrace run --json` over a `memtrace layout` (a vmalloc made on
 *                        purpose) and 16 O_DIRECT disk reads
 * The addresses classified are the ones the kernel itself produced in that boot: kmalloc
 * pointers with the __pa/PFN/zone memtrace's BPF side computed, vmap areas, text symbols and
 * module bases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "model/layout.h"

static void fixture_path(char *path, size_t len, const char *name)
{
	const char *dir = getenv("MT_FIXTURES");

	snprintf(path, len, "%s/%s", dir ? dir : "tests/fixtures", name);
}

static FILE *fixture(const char *kind, const char *shape, const char *ext)
{
	char name[128], path[512];
	FILE *f;

	snprintf(name, sizeof(name), "%s-%s.%s", kind, shape, ext);
	fixture_path(path, sizeof(path), name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot read %s (run from the repository root or set MT_FIXTURES)", path);
	return f;
}

static struct json_object *json_fixture(const char *kind, const char *shape)
{
	char name[128], path[512];
	struct json_object *j;

	snprintf(name, sizeof(name), "%s-%s.json", kind, shape);
	fixture_path(path, sizeof(path), name);
	j = json_object_from_file(path);
	if (!j)
		fail_msg("cannot parse %s", path);
	return j;
}

static struct json_object *get(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
		if (!o || !json_object_object_get_ex(o, k, &o))
			fail_msg("fixture has no %s", path);
	return o;
}

static __u64 hex(struct json_object *o)
{
	const char *s = json_object_get_string(o);
	__u64 v;

	if (!s || mt_parse_hex_addr(s, &v))
		fail_msg("not a hex address: %s", s ? s : "(null)");
	return v;
}

static void range(struct json_object *j, const char *key, struct mt_range *r)
{
	struct json_object *o = get(j, key);

	r->known = json_object_get_boolean(get(o, "known"));
	if (r->known) {
		r->start = hex(get(o, "start"));
		r->end = hex(get(o, "end"));
	}
	snprintf(r->how, sizeof(r->how), "%s", json_object_get_string(get(o, "how")));
}

/* The recorded layout, as `memtrace layout` built it in the guest. */
static void recorded(struct mt_layout *l, const char *shape)
{
	struct json_object *j = json_fixture("layout", shape);
	char name[128], path[512];

	memset(l, 0, sizeof(*l));
	mt_layout_arch_init(l, json_object_get_string(get(j, "arch")),
			    json_object_get_boolean(get(j, "is_64bit")));
	/* the recorded user half says which paging the live probe found */
	if (hex(get(j, "user.end")) > (1ULL << 47))
		mt_layout_x86_64_5level(l);
	l->page_shift = (__u32)json_object_get_int(get(j, "page_shift"));
	l->page_struct_size = (__u32)json_object_get_int(get(j, "page_struct_size"));
	range(j, "user", &l->user);
	range(j, "direct_map", &l->direct);
	range(j, "vmalloc", &l->vmalloc);
	range(j, "vmemmap", &l->vmemmap);
	range(j, "kernel_text", &l->text);
	range(j, "modules", &l->modules);
	snprintf(name, sizeof(name), "zoneinfo-%s.txt", shape);
	fixture_path(path, sizeof(path), name);
	if (mt_zones_load(path, &l->zones))
		fail_msg("cannot read %s", path);
	json_object_put(j);
}

static struct mt_addr_info cls(const struct mt_layout *l, __u64 a, bool phys)
{
	struct mt_addr_info o;

	assert_int_equal(mt_layout_classify(l, a, phys, &o), 0);
	return o;
}

static const char *zone_of(const struct mt_layout *l, const struct mt_addr_info *o)
{
	return o->zone >= 0 ? l->zones.z[o->zone].name : "-";
}

/* The recording is of a KASLR boot: every randomized base is off its default. */
static void test_is_kaslr(void **state)
{
	struct mt_layout l;

	recorded(&l, *state);
	assert_true(l.direct.known && l.vmalloc.known && l.vmemmap.known && l.text.known &&
		    l.modules.known);
	assert_int_not_equal(l.direct.start, 0xffff888000000000ULL);
	assert_int_not_equal(l.vmalloc.start, 0xffffc90000000000ULL);
	assert_int_not_equal(l.vmemmap.start, 0xffffea0000000000ULL);
	assert_int_not_equal(l.text.start, 0xffffffff81000000ULL);
	/* memory KASLR moves the regions in PUD (1 GiB) steps, text in 2 MiB steps */
	assert_int_equal(l.direct.start & ((1ULL << 30) - 1), 0);
	assert_int_equal(l.vmalloc.start & ((1ULL << 30) - 1), 0);
	assert_int_equal(l.vmemmap.start & ((1ULL << 30) - 1), 0);
	assert_int_equal(l.text.start & ((1ULL << 21) - 1), 0);
	/* in the kernel half, in the order of Documentation/arch/x86/x86_64/mm.rst */
	assert_true(l.direct.start >= l.hole_end);
	assert_int_equal(l.user.end,
			 l.hole_start == (1ULL << 47) ? 0x7ffffffff000ULL : 0x00fffffffffff000ULL);
	assert_true(l.direct.end <= l.vmalloc.start);
	assert_true(l.vmalloc.end <= l.vmemmap.start);
	assert_true(l.vmemmap.end <= l.text.start);
	assert_true(l.text.end <= l.modules.start);
	/* the recorded zones: 1 GiB of RAM is DMA and DMA32 only */
	assert_true(l.zones.nr >= 2);
	assert_string_equal(l.zones.z[0].name, "DMA");
	assert_string_equal(l.zones.z[1].name, "DMA32");
}

/* kmalloc pointers of the run: kernel logical, with the __pa, PFN and zone the BPF side
 * computed for them in the guest. */
static void test_kmalloc_pointers(void **state)
{
	struct json_object *run = json_fixture("run", *state);
	struct json_object *ex = get(run, "classes.kernel_logical.pa_examples");
	struct mt_layout l;
	size_t n = json_object_array_length(ex);

	recorded(&l, *state);
	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(ex, i);
		__u64 virt = hex(get(e, "virt")), phys = hex(get(e, "phys"));
		struct mt_addr_info o = cls(&l, virt, false);

		assert_int_equal(o.cls, MT_ADDR_LOGICAL);
		assert_true(o.has_pa);
		assert_int_equal(o.pa, phys);
		assert_int_equal(o.pfn, hex(get(e, "pfn")));
		assert_string_equal(zone_of(&l, &o), json_object_get_string(get(e, "zone")));
		/* and back: the physical address, its __va and the same zone */
		o = cls(&l, phys, true);
		assert_int_equal(o.cls, MT_ADDR_PHYSICAL);
		assert_true(o.has_va);
		assert_int_equal(o.va, virt);
		assert_string_equal(zone_of(&l, &o), json_object_get_string(get(e, "zone")));
		/* its struct page in the randomized vmemmap describes the same PFN */
		o = cls(&l, l.vmemmap.start + (phys >> l.page_shift) * l.page_struct_size, false);
		assert_int_equal(o.cls, MT_ADDR_VMEMMAP);
		assert_int_equal(o.pfn, phys >> l.page_shift);
	}
	assert_int_equal(cls(&l, hex(get(run, "classes.kernel_logical.pointer_min")), false).cls,
			 MT_ADDR_LOGICAL);
	assert_int_equal(cls(&l, hex(get(run, "classes.kernel_logical.pointer_max")), false).cls,
			 MT_ADDR_LOGICAL);
	json_object_put(run);
}

/* vmap areas of the run (the vmalloc `memtrace layout` made): kernel virtual. */
static void test_vmalloc_areas(void **state)
{
	struct json_object *run = json_fixture("run", *state);
	struct json_object *v = get(run, "classes.kernel_virtual.vmalloc");
	struct mt_layout l;
	__u64 lo, hi;

	recorded(&l, *state);
	assert_true(json_object_get_int64(get(v, "allocs")) >= 1);
	lo = hex(get(v, "addr_min"));
	hi = hex(get(v, "addr_max")); /* exclusive */
	assert_int_equal(cls(&l, lo, false).cls, MT_ADDR_VMALLOC);
	assert_int_equal(cls(&l, hi - 1, false).cls, MT_ADDR_VMALLOC);
	/* nothing the kernel placed fell outside the range it asked */
	assert_int_equal(json_object_get_int64(get(v, "out_of_range")), 0);
	json_object_put(run);
}

/* Text symbols of /proc/kallsyms: kernel text; one past _etext is not. */
static void test_text_symbols(void **state)
{
	FILE *f = fixture("kallsyms", *state, "txt");
	struct mt_layout l;
	char line[256], name[128], type;
	unsigned long long a;
	int n = 0;

	recorded(&l, *state);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %127s", &a, &type, name) != 3)
			continue;
		if (!strcmp(name, "_etext"))
			assert_int_equal(a, l.text.end);
		if (a >= l.text.end) {
			/* _etext and init text (start_kernel): the image, not _text.._etext */
			assert_int_equal(cls(&l, a, false).cls, MT_ADDR_KERNEL_OTHER);
			continue;
		}
		assert_int_equal(cls(&l, a, false).cls, MT_ADDR_TEXT);
		n++;
	}
	fclose(f);
	assert_true(n >= 3);
}

/* Module bases of /proc/modules: module space, not text nor vmalloc. */
static void test_modules(void **state)
{
	FILE *f = fixture("modules", *state, "txt");
	struct mt_layout l;
	char line[512];
	int n = 0;

	recorded(&l, *state);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long base, size;
		char name[64];

		if (sscanf(line, "%63s %llu %*s %*s %*s %llx", name, &size, &base) != 3)
			continue;
		assert_int_equal(cls(&l, base, false).cls, MT_ADDR_MODULE);
		assert_int_equal(cls(&l, base + size - 1, false).cls, MT_ADDR_MODULE);
		n++;
	}
	fclose(f);
	assert_true(n >= 3);
}

/* Zone lookup at the recorded zone edges; the recorded default-layout addresses are not the
 * direct map any more. */
static void test_zone_edges(void **state)
{
	struct mt_layout l;
	struct mt_addr_info o;

	recorded(&l, *state);
	for (int z = 0; z < l.zones.nr; z++) {
		__u64 first = l.zones.z[z].start_pfn << l.page_shift;
		__u64 last = ((l.zones.z[z].start_pfn + l.zones.z[z].spanned) << l.page_shift) - 1;

		o = cls(&l, l.direct.start + first, false);
		assert_int_equal(o.cls, MT_ADDR_LOGICAL);
		assert_string_equal(zone_of(&l, &o), l.zones.z[z].name);
		o = cls(&l, last, true);
		assert_string_equal(zone_of(&l, &o), l.zones.z[z].name);
	}
	/* past the last zone: no RAM */
	o = cls(&l, mt_zones_max_pfn(&l.zones) << l.page_shift, true);
	assert_int_equal(o.cls, MT_ADDR_NOT_RAM);
	/* the unrandomized PAGE_OFFSET lies outside this boot's direct map */
	if (l.direct.start > 0xffff888000000000ULL || l.direct.end <= 0xffff888000000000ULL)
		assert_int_not_equal(cls(&l, 0xffff888000001000ULL, false).cls, MT_ADDR_LOGICAL);
}

/* 5-level only: its addresses are canonical there, and were not under 4-level rules. */
static void test_la57_canonical(void **state)
{
	struct mt_layout l, l4;
	struct mt_addr_info o;

	recorded(&l, *state);
	assert_int_equal(l.hole_start, 0x0100000000000000ULL);
	assert_int_equal(l.hole_end, 0xff00000000000000ULL);
	memset(&l4, 0, sizeof(l4));
	mt_layout_arch_init(&l4, "x86_64", true);
	assert_int_equal(mt_layout_classify(&l4, l.direct.start, false, &o), -ERANGE);
	/* a user address above 47 bits: user virtual with 5 levels */
	assert_int_equal(cls(&l, 0x00f0000000000000ULL, false).cls, MT_ADDR_USER);
	assert_int_equal(mt_layout_classify(&l, 0x0100000000000000ULL, false, &o), -ERANGE);
	assert_int_equal(mt_layout_classify(&l, 0xfeffffffffffffffULL, false, &o), -ERANGE);
}

#define SHAPE(t, s) { .name = #t " " s, .test_func = t, .initial_state = (void *)(s) }

int main(void)
{
#define four "x86_64-kaslr"
#define five "x86_64-la57-kaslr"
	const struct CMUnitTest tests[] = {
		SHAPE(test_is_kaslr, four),	  SHAPE(test_kmalloc_pointers, four),
		SHAPE(test_vmalloc_areas, four),  SHAPE(test_text_symbols, four),
		SHAPE(test_modules, four),	  SHAPE(test_zone_edges, four),
		SHAPE(test_is_kaslr, five),	  SHAPE(test_kmalloc_pointers, five),
		SHAPE(test_vmalloc_areas, five),  SHAPE(test_text_symbols, five),
		SHAPE(test_modules, five),	  SHAPE(test_zone_edges, five),
		SHAPE(test_la57_canonical, five),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
