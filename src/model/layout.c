// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sys/json_writer.h"
#include "model/layout.h"
#include "sys/util.h"

static const char *const class_names[] = {
	[MT_ADDR_USER] = "user virtual",
	[MT_ADDR_LOGICAL] = "kernel logical",
	[MT_ADDR_VMALLOC] = "kernel virtual (vmalloc)",
	[MT_ADDR_VMEMMAP] = "kernel virtual (vmemmap: struct page array)",
	[MT_ADDR_TEXT] = "kernel text",
	[MT_ADDR_MODULE] = "kernel virtual (module)",
	[MT_ADDR_KERNEL_OTHER] = "kernel (no region known here)",
	[MT_ADDR_PHYSICAL] = "physical",
	[MT_ADDR_HIGHMEM_PHYS] = "physical (high memory: no permanent kernel mapping)",
	[MT_ADDR_NOT_RAM] = "physical (in no zone: not RAM)",
};

const char *mt_addr_class_name(enum mt_addr_class c)
{
	return c <= MT_ADDR_NOT_RAM ? class_names[c] : "?";
}

static bool in(const struct mt_range *r, __u64 a)
{
	return r->known && a >= r->start && a < r->end;
}

static void place_phys(const struct mt_layout *l, __u64 pa, struct mt_addr_info *o)
{
	unsigned int z;

	o->pfn = pa >> l->page_shift;
	o->has_pfn = true;
	z = mt_zones_lookup(&l->zones, o->pfn);
	o->zone = z < (unsigned int)l->zones.nr ? (int)z : -1;
}

void mt_layout_arch_init(struct mt_layout *l, const char *machine, bool is_64bit)
{
	snprintf(l->arch, sizeof(l->arch), "%s", machine);
	l->is_64bit = is_64bit;
	if (!strcmp(machine, "x86_64")) {
		/* 4-level paging: 47-bit user half, sign-extended kernel half */
		l->addr_limit = 0;
		l->hole_start = 0x0000800000000000ULL;
		l->hole_end = 0xffff800000000000ULL;
		l->phys_limit = 1ULL << 52;
		l->user = (struct mt_range){
			true, 0, 0x7ffffffff000ULL,
			"x86_64 TASK_SIZE_MAX with 4-level paging (arch constant)"
		};
	} else if (!is_64bit) {
		l->addr_limit = 1ULL << 32;
		l->phys_limit = 1ULL << 36; /* PAE */
		l->user.known = false;
		snprintf(l->user.how, sizeof(l->user.how),
			 "32-bit: user space ends at PAGE_OFFSET (see direct map)");
	} else {
		l->user.known = false;
		snprintf(l->user.how, sizeof(l->user.how),
			 "this arch's TASK_SIZE is not known to memtrace");
	}
}

void mt_layout_x86_64_5level(struct mt_layout *l)
{
	/* 5-level paging (LA57): 56-bit user half, the kernel half from 0xff00000000000000 */
	l->hole_start = 0x0100000000000000ULL;
	l->hole_end = 0xff00000000000000ULL;
	l->user = (struct mt_range){ true, 0, 0x00fffffffffff000ULL,
				     "x86_64 TASK_SIZE_MAX with 5-level paging (arch constant)" };
}

int mt_layout_check_arch(const struct mt_layout *l, __u64 a, bool phys)
{
	if (phys)
		return l->phys_limit && a >= l->phys_limit ? -ERANGE : 0;
	if (l->addr_limit && a >= l->addr_limit)
		return -ERANGE;
	if (a >= l->hole_start && a < l->hole_end)
		return -ERANGE;
	return 0;
}

int mt_layout_classify(const struct mt_layout *l, __u64 a, bool phys, struct mt_addr_info *o)
{
	memset(o, 0, sizeof(*o));
	o->zone = -1;
	if (mt_layout_check_arch(l, a, phys))
		return -ERANGE;
	if (phys) {
		o->pa = a;
		o->has_pa = true;
		place_phys(l, a, o);
		if (o->zone < 0)
			o->cls = MT_ADDR_NOT_RAM;
		else if (!strcmp(l->zones.z[o->zone].name, "HighMem"))
			o->cls = MT_ADDR_HIGHMEM_PHYS;
		else
			o->cls = MT_ADDR_PHYSICAL;
		if (l->direct.known && a < l->direct.end - l->direct.start &&
		    o->cls == MT_ADDR_PHYSICAL) {
			o->va = l->direct.start + a;
			o->has_va = true;
		}
		return 0;
	}
	/* most specific first: on 32-bit, modules live inside the vmalloc area */
	if (in(&l->user, a))
		o->cls = MT_ADDR_USER;
	else if (in(&l->text, a)) {
		/* i386 runs its text from the direct map: still text, with a __pa */
		o->cls = MT_ADDR_TEXT;
		if (in(&l->direct, a)) {
			o->pa = a - l->direct.start;
			o->has_pa = true;
			place_phys(l, o->pa, o);
		}
	} else if (in(&l->direct, a)) {
		o->cls = MT_ADDR_LOGICAL;
		o->pa = a - l->direct.start;
		o->has_pa = true;
		place_phys(l, o->pa, o);
	} else if (in(&l->modules, a))
		o->cls = MT_ADDR_MODULE;
	else if (in(&l->vmemmap, a)) {
		o->cls = MT_ADDR_VMEMMAP;
		if (l->page_struct_size) {
			o->pfn = (a - l->vmemmap.start) / l->page_struct_size;
			o->has_pfn = true;
			o->pa = o->pfn << l->page_shift; /* the page it describes */
			o->has_pa = true;
			place_phys(l, o->pa, o);
		}
	} else if (in(&l->vmalloc, a))
		o->cls = MT_ADDR_VMALLOC;
	else
		o->cls = MT_ADDR_KERNEL_OTHER;
	return 0;
}

int mt_parse_hex_addr(const char *s, __u64 *out)
{
	const char *p = s;
	__u64 v = 0;
	int digits = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return -EINVAL;
		if (v >> 60)
			return -ERANGE;
		v = v << 4 | (__u64)d;
		digits++;
	}
	*out = v;
	return 0;
}

int mt_layout_parse_iomem(FILE *f, struct mt_layout *l)
{
	unsigned long long s, e;
	char line[256];

	l->nr_ram = 0;
	while (fgets(line, sizeof(line), f)) {
		/* top level only: nested lines (Kernel code, ...) are indented */
		if (line[0] == ' ' || !strstr(line, " : System RAM"))
			continue;
		if (sscanf(line, "%llx-%llx", &s, &e) != 2 || e < s || (!s && !e))
			continue;
		if (l->nr_ram < (int)(sizeof(l->ram) / sizeof(l->ram[0]))) {
			l->ram[l->nr_ram].start = s;
			l->ram[l->nr_ram].end = e + 1;
			l->nr_ram++;
		}
	}
	return l->nr_ram;
}

static void range_line(FILE *f, const char *name, const struct mt_range *r)
{
	char b[32];

	if (!r->known) {
		fprintf(f, "%-12s unknown\n   (%s)\n", name, r->how);
		return;
	}
	fprintf(f, "%-12s 0x%016llx-0x%016llx %10s\n   from %s\n", name,
		(unsigned long long)r->start, (unsigned long long)r->end,
		mt_fmt_bytes(b, sizeof(b), (long long)(r->end - r->start)), r->how);
}

void mt_layout_render_text(FILE *f, const struct mt_layout *l)
{
	fprintf(f, "memtrace layout: this boot's kernel memory map (%s, %s)\n", l->arch,
		l->is_64bit ? "64-bit" : "32-bit");
	fprintf(f, "PAGE_SIZE    %u (PAGE_SHIFT %u); sizeof(struct page) %u\n", 1u << l->page_shift,
		l->page_shift, l->page_struct_size);
	range_line(f, "user", &l->user);
	range_line(f, "direct map", &l->direct);
	range_line(f, "vmalloc", &l->vmalloc);
	range_line(f, "vmemmap", &l->vmemmap);
	range_line(f, "kernel text", &l->text);
	range_line(f, "modules", &l->modules);
	fprintf(f, "\nzones (from %s)\n", l->zones_how);
	fprintf(f, "%-4s %-7s %-19s %9s %9s %s\n", "node", "zone", "pfn range", "spanned",
		"present", "physical range");
	for (int i = 0; i < l->zones.nr; i++) {
		const struct mt_zone *z = &l->zones.z[i];
		char pfns[40], phys[48];

		snprintf(pfns, sizeof(pfns), "%#llx-%#llx", (unsigned long long)z->start_pfn,
			 (unsigned long long)(z->start_pfn + z->spanned));
		snprintf(phys, sizeof(phys), "%#llx-%#llx",
			 (unsigned long long)(z->start_pfn << l->page_shift),
			 (unsigned long long)((z->start_pfn + z->spanned) << l->page_shift));
		fprintf(f, "%-4d %-7s %-19s %9llu %9llu %s\n", z->node, z->name, pfns,
			(unsigned long long)z->spanned, (unsigned long long)z->present, phys);
	}
	fprintf(f, "\nphysical RAM (%s)\n", l->ram_how);
	for (int i = 0; i < l->nr_ram; i++) {
		char b[32];

		fprintf(f, "  0x%012llx-0x%012llx %10s\n", (unsigned long long)l->ram[i].start,
			(unsigned long long)l->ram[i].end,
			mt_fmt_bytes(b, sizeof(b), (long long)(l->ram[i].end - l->ram[i].start)));
	}
	if (l->highmem)
		fprintf(f, "high memory: yes (the HighMem zone: no permanent kernel mapping,\n"
			   "             kmap() maps a page on demand)\n");
	else
		fprintf(f, "high memory: none%s\n",
			l->is_64bit ? " (64-bit: all RAM is in the direct map;\n"
				      "             kmap() returns page_address())" :
				      "");
}

static void range_json(struct jw *w, const char *key, const struct mt_range *r)
{
	jw_obj_begin(w, key);
	jw_bool(w, "known", r->known);
	if (r->known) {
		jw_hex(w, "start", r->start);
		jw_hex(w, "end", r->end);
	} else {
		jw_null(w, "start");
		jw_null(w, "end");
	}
	jw_str(w, "how", r->how);
	jw_obj_end(w);
}

int mt_layout_render_json(FILE *f, const struct mt_layout *l)
{
	struct jw w;

	jw_init(&w, f, true);
	jw_obj_begin(&w, NULL);
	jw_u64(&w, "schema_version", 1);
	jw_str(&w, "arch", l->arch);
	jw_bool(&w, "is_64bit", l->is_64bit);
	jw_u64(&w, "page_size", 1u << l->page_shift);
	jw_u64(&w, "page_shift", l->page_shift);
	jw_u64(&w, "page_struct_size", l->page_struct_size);
	range_json(&w, "user", &l->user);
	range_json(&w, "direct_map", &l->direct);
	range_json(&w, "vmalloc", &l->vmalloc);
	range_json(&w, "vmemmap", &l->vmemmap);
	range_json(&w, "kernel_text", &l->text);
	range_json(&w, "modules", &l->modules);
	jw_str(&w, "zones_how", l->zones_how);
	jw_arr_begin(&w, "zones");
	for (int i = 0; i < l->zones.nr; i++) {
		const struct mt_zone *z = &l->zones.z[i];

		jw_obj_begin(&w, NULL);
		jw_u64(&w, "node", z->node);
		jw_str(&w, "zone", z->name);
		jw_u64(&w, "start_pfn", z->start_pfn);
		jw_u64(&w, "spanned", z->spanned);
		jw_u64(&w, "present", z->present);
		jw_hex(&w, "phys_start", z->start_pfn << l->page_shift);
		jw_hex(&w, "phys_end", (z->start_pfn + z->spanned) << l->page_shift);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_str(&w, "system_ram_how", l->ram_how);
	jw_arr_begin(&w, "system_ram");
	for (int i = 0; i < l->nr_ram; i++) {
		jw_obj_begin(&w, NULL);
		jw_hex(&w, "start", l->ram[i].start);
		jw_hex(&w, "end", l->ram[i].end);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_bool(&w, "highmem", l->highmem);
	jw_obj_end(&w);
	return jw_end(&w);
}
