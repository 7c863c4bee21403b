// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Address classification and zone lookup (src/model/layout.c) against two machine shapes:
 * - x86_64 with KASLR: bases randomized in 1 GiB steps (Documentation/arch/x86/x86_64/
 *   mm.rst), zones from tests/fixtures/zoneinfo-x86_64.txt (this host's), modules loaded;
 * - i386 with HIGHMEM (686-pae, 3 GiB guest): PAGE_OFFSET 0xc0000000, an 896 MiB direct
 *   map ending where the HighMem zone starts, modules inside the vmalloc area, no vmemmap;
 *   zones from tests/fixtures/zoneinfo-i386-highmem.txt.
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
#include "model/layout.h"

static void zones(const char *name, struct mt_zone_table *t)
{
	const char *dir = getenv("MT_FIXTURES");
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/fixtures", name);
	if (mt_zones_load(path, t))
		fail_msg("cannot read %s (run from the repository root or set MT_FIXTURES)", path);
}

#define R(s, e) { true, (s), (e), "fixture" }

static void x86_64_kaslr(struct mt_layout *l)
{
	memset(l, 0, sizeof(*l));
	mt_layout_arch_init(l, "x86_64", true);
	l->page_shift = 12;
	l->page_struct_size = 64;
	zones("zoneinfo-x86_64.txt", &l->zones);
	/* 0x640000 PFNs = 25 GiB of direct map */
	l->direct = (struct mt_range)R(0xffff9d2e40000000ULL, 0xffff9d3480000000ULL);
	l->vmalloc = (struct mt_range)R(0xffffb4a1c0000000ULL, 0xffffd4a1c0000000ULL);
	l->vmemmap = (struct mt_range)R(0xffffe3a980000000ULL, 0xffffe3a999000000ULL);
	l->text = (struct mt_range)R(0xffffffffa3600000ULL, 0xffffffffa4876f48ULL);
	l->modules = (struct mt_range)R(0xffffffffc0200000ULL, 0xffffffffc0a00000ULL);
}

static void i386_highmem(struct mt_layout *l)
{
	memset(l, 0, sizeof(*l));
	mt_layout_arch_init(l, "i686", false);
	l->page_shift = 12;
	l->page_struct_size = 32;
	zones("zoneinfo-i386-highmem.txt", &l->zones);
	l->highmem = true;
	l->user = (struct mt_range)R(0, 0xc0000000ULL);
	/* the direct map ends where HighMem starts: PFN 229376 = 896 MiB */
	l->direct = (struct mt_range)R(0xc0000000ULL, 0xc0000000ULL + (229376ULL << 12));
	l->vmalloc = (struct mt_range)R(0xf8800000ULL, 0xff7fe000ULL);
	l->text = (struct mt_range)R(0xc1000000ULL, 0xc1a00000ULL);
	l->modules = (struct mt_range)R(0xf8a00000ULL, 0xf8b00000ULL);
	l->vmemmap.known = false; /* i386: mem_map lives in the direct map */
	snprintf(l->vmemmap.how, sizeof(l->vmemmap.how), "fixture: no vmemmap");
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

static void test_x86_64_virtual(void **state)
{
	struct mt_layout l;
	struct mt_addr_info o;

	x86_64_kaslr(&l);
	assert_int_equal(cls(&l, 0x7ffd12345678ULL, false).cls, MT_ADDR_USER);
	assert_int_equal(cls(&l, 0x400000ULL, false).cls, MT_ADDR_USER);

	/* a kmalloc pointer: __pa is the offset into the direct map */
	o = cls(&l, 0xffff9d2f41234560ULL, false);
	assert_int_equal(o.cls, MT_ADDR_LOGICAL);
	assert_true(o.has_pa);
	assert_int_equal(o.pa, 0x101234560ULL);
	assert_int_equal(o.pfn, 0x101234);
	assert_string_equal(zone_of(&l, &o), "Normal");
	/* the first 16 MiB are ZONE_DMA, up to 4 GiB DMA32 */
	o = cls(&l, 0xffff9d2e40800000ULL, false);
	assert_string_equal(zone_of(&l, &o), "DMA");
	o = cls(&l, 0xffff9d2e40000000ULL + 0x80000000ULL, false);
	assert_string_equal(zone_of(&l, &o), "DMA32");
	/* the direct map's last byte and one past it */
	assert_int_equal(cls(&l, 0xffff9d347fffffffULL, false).cls, MT_ADDR_LOGICAL);
	assert_int_equal(cls(&l, 0xffff9d3480000000ULL, false).cls, MT_ADDR_KERNEL_OTHER);

	assert_int_equal(cls(&l, 0xffffb4a1c0001000ULL, false).cls, MT_ADDR_VMALLOC);
	assert_int_equal(cls(&l, 0xffffd4a1bfffffffULL, false).cls, MT_ADDR_VMALLOC);
	assert_int_equal(cls(&l, 0xffffffffa3700000ULL, false).cls, MT_ADDR_TEXT);
	assert_int_equal(cls(&l, 0xffffffffc0300000ULL, false).cls, MT_ADDR_MODULE);

	/* a struct page: the PFN it describes, and that page's zone */
	o = cls(&l, 0xffffe3a980000000ULL + 0x100000ULL * 64, false);
	assert_int_equal(o.cls, MT_ADDR_VMEMMAP);
	assert_int_equal(o.pfn, 0x100000);
	assert_string_equal(zone_of(&l, &o), "Normal");
}

static void test_x86_64_physical_and_range(void **state)
{
	struct mt_layout l;
	struct mt_addr_info o;

	x86_64_kaslr(&l);
	o = cls(&l, 0x1000000ULL, true);
	assert_int_equal(o.cls, MT_ADDR_PHYSICAL);
	assert_true(o.has_va);
	assert_int_equal(o.va, 0xffff9d2e41000000ULL);
	assert_string_equal(zone_of(&l, &o), "DMA32");
	/* past the last zone: not RAM, no __va */
	o = cls(&l, 0x700000000ULL, true);
	assert_int_equal(o.cls, MT_ADDR_NOT_RAM);
	assert_false(o.has_va);
	/* non-canonical virtual and beyond-MAXPHYADDR physical addresses cannot exist */
	assert_int_equal(mt_layout_classify(&l, 0x0000800000000000ULL, false, &o), -ERANGE);
	assert_int_equal(mt_layout_classify(&l, 0xffff7fffffffffffULL, false, &o), -ERANGE);
	assert_int_equal(mt_layout_classify(&l, 1ULL << 52, true, &o), -ERANGE);
	assert_int_equal(mt_layout_classify(&l, 0xffff800000000000ULL, false, &o), 0);
}

static void test_i386_highmem(void **state)
{
	struct mt_layout l;
	struct mt_addr_info o;

	i386_highmem(&l);
	assert_int_equal(cls(&l, 0x08048000ULL, false).cls, MT_ADDR_USER);
	/* kernel text lies inside the direct map on i386: text, the more specific, with __pa */
	o = cls(&l, 0xc1234560ULL, false);
	assert_int_equal(o.cls, MT_ADDR_TEXT);
	assert_int_equal(o.pa, 0x1234560);
	assert_string_equal(zone_of(&l, &o), "Normal");
	o = cls(&l, 0xc0100000ULL, false);
	assert_int_equal(o.cls, MT_ADDR_LOGICAL);
	assert_int_equal(o.pa, 0x100000);
	assert_string_equal(zone_of(&l, &o), "DMA");
	o = cls(&l, 0xe0000000ULL, false);
	assert_int_equal(o.cls, MT_ADDR_LOGICAL);
	assert_string_equal(zone_of(&l, &o), "Normal");
	/* modules are inside the vmalloc area: the more specific class wins */
	assert_int_equal(cls(&l, 0xf8a10000ULL, false).cls, MT_ADDR_MODULE);
	assert_int_equal(cls(&l, 0xf9000000ULL, false).cls, MT_ADDR_VMALLOC);
	/* the guard hole between the direct map and vmalloc, and the fixmap above */
	assert_int_equal(cls(&l, 0xf8400000ULL, false).cls, MT_ADDR_KERNEL_OTHER);
	assert_int_equal(cls(&l, 0xfffff000ULL, false).cls, MT_ADDR_KERNEL_OTHER);

	/* physical: below 896 MiB it has a __va; above, it is high memory, none */
	o = cls(&l, 0x10000000ULL, true);
	assert_int_equal(o.cls, MT_ADDR_PHYSICAL);
	assert_int_equal(o.va, 0xd0000000ULL);
	o = cls(&l, 0x40000000ULL, true);
	assert_int_equal(o.cls, MT_ADDR_HIGHMEM_PHYS);
	assert_false(o.has_va);
	assert_string_equal(zone_of(&l, &o), "HighMem");
	/* PAE: 36-bit physical, 32-bit virtual */
	assert_int_equal(mt_layout_classify(&l, 0x100000000ULL, false, &o), -ERANGE);
	assert_int_equal(mt_layout_classify(&l, 0x100000000ULL, true, &o), 0);
	assert_int_equal(mt_layout_classify(&l, 1ULL << 36, true, &o), -ERANGE);
}

static void test_iomem(void **state)
{
	static const char root[] = "00000000-00000fff : Reserved\n"
				   "00001000-0009fbff : System RAM\n"
				   "000a0000-000bffff : PCI Bus 0000:00\n"
				   "00100000-bfffffff : System RAM\n"
				   "  01000000-02276f47 : Kernel code\n"
				   "100000000-63fffffff : System RAM\n";
	static const char user[] = "00000000-00000000 : System RAM\n";
	struct mt_layout l;
	FILE *f;

	memset(&l, 0, sizeof(l));
	f = fmemopen((void *)root, strlen(root), "r");
	assert_int_equal(mt_layout_parse_iomem(f, &l), 3);
	fclose(f);
	assert_int_equal(l.ram[0].start, 0x1000);
	assert_int_equal(l.ram[0].end, 0x9fc00);
	assert_int_equal(l.ram[2].start, 0x100000000ULL);
	assert_int_equal(l.ram[2].end, 0x640000000ULL);
	/* not root: every address reads 0, which is no range */
	f = fmemopen((void *)user, strlen(user), "r");
	assert_int_equal(mt_layout_parse_iomem(f, &l), 0);
	fclose(f);
}

static void test_parse_hex(void **state)
{
	__u64 v;

	assert_int_equal(mt_parse_hex_addr("ffff888100000000", &v), 0);
	assert_int_equal(v, 0xffff888100000000ULL);
	assert_int_equal(mt_parse_hex_addr("0x1F", &v), 0);
	assert_int_equal(v, 0x1f);
	assert_int_equal(mt_parse_hex_addr("0xffffffffffffffff", &v), 0);
	assert_int_equal(mt_parse_hex_addr("0x1ffffffffffffffff", &v), -ERANGE);
	assert_int_equal(mt_parse_hex_addr("", &v), -EINVAL);
	assert_int_equal(mt_parse_hex_addr("0x", &v), -EINVAL);
	assert_int_equal(mt_parse_hex_addr("-1", &v), -EINVAL);
	assert_int_equal(mt_parse_hex_addr("12g", &v), -EINVAL);
	assert_int_equal(mt_parse_hex_addr(" 12", &v), -EINVAL);
}

/* The text layout fits 80 columns and marks unknown values rather than printing 0. */
static void test_render(void **state)
{
	struct mt_layout l;
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f;

	i386_highmem(&l);
	f = open_memstream(&buf, &len);
	mt_layout_render_text(f, &l);
	fclose(f);
	assert_non_null(strstr(buf, "vmemmap      unknown\n   (fixture: no vmemmap)"));
	assert_non_null(strstr(buf, "high memory: yes"));
	assert_non_null(strstr(buf, "0x00000000c0000000-0x00000000f8000000"));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > 80)
			fail_msg("line is %zu columns: %s", strlen(line), line);
	free(buf);

	/* and the 64-bit shape: no high memory, said in so many words */
	x86_64_kaslr(&l);
	buf = NULL;
	f = open_memstream(&buf, &len);
	mt_layout_render_text(f, &l);
	fclose(f);
	assert_non_null(strstr(buf, "high memory: none (64-bit"));
	assert_non_null(strstr(buf, "modules      0xffffffffc0200000-0xffffffffc0a00000"));
	save = NULL;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > 80)
			fail_msg("line is %zu columns: %s", strlen(line), line);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_64_virtual),
		cmocka_unit_test(test_x86_64_physical_and_range),
		cmocka_unit_test(test_i386_highmem),
		cmocka_unit_test(test_iomem),
		cmocka_unit_test(test_parse_hex),
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
