// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Establish this boot's layout from what the kernel shows: /proc/zoneinfo, /proc/kallsyms
 * (text symbols only here), /proc/modules, and, as root, kernel events: the calibration
 * (struct page vs PFN, kmalloc pointer vs PFN) and one vmalloc made on purpose, whose
 * alloc_vmap_area event carries the range vmalloc() asks for (VMALLOC_START..VMALLOC_END).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "collect/calib.h"
#include "collect/kernel_info.h"
#include "collect/layout_probe.h"
#include "collect/live_report.h"
#include "collect/loader.h"
#include "sys/util.h"

static void unknown(struct mt_range *r, const char *why)
{
	r->known = false;
	snprintf(r->how, sizeof(r->how), "%s", why);
}

static void kallsyms_text(struct mt_layout *l)
{
	unsigned long long a, text = 0, etext = 0;
	char line[512], name[256], type;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f) {
		unknown(&l->text, "no /proc/kallsyms");
		return;
	}
	while (fgets(line, sizeof(line), f) && !(text && etext))
		if (sscanf(line, "%llx %c %255s", &a, &type, name) == 3) {
			if (!strcmp(name, "_text"))
				text = a;
			else if (!strcmp(name, "_etext"))
				etext = a;
		}
	fclose(f);
	if (!text || !etext) {
		unknown(&l->text, "/proc/kallsyms hides addresses (kptr_restrict, or not root)");
		return;
	}
	l->text = (struct mt_range){ true, text, etext, "/proc/kallsyms _text.._etext" };
}

static void modules(struct mt_layout *l)
{
	unsigned long long lo = 0, hi = 0, size, addr;
	char line[512];
	FILE *f = fopen("/proc/modules", "re");

	if (!f) {
		unknown(&l->modules, "no /proc/modules: this kernel has no loadable modules");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char name[64], *p = strstr(line, " 0x");

		if (sscanf(line, "%63s %llu", name, &size) != 2 || !p)
			continue;
		addr = strtoull(p + 1, NULL, 16);
		if (!addr)
			continue;
		if (!lo || addr < lo)
			lo = addr;
		if (addr + size > hi)
			hi = addr + size;
	}
	fclose(f);
	if (!lo) {
		unknown(&l->modules, "no module loaded, or addresses hidden (not root)");
		return;
	}
	l->modules =
		(struct mt_range){ true, lo, hi,
				   "/proc/modules: span of loaded modules (the area is larger)" };
}

static void iomem(struct mt_layout *l)
{
	FILE *f = fopen("/proc/iomem", "re");

	if (!f) {
		snprintf(l->ram_how, sizeof(l->ram_how), "unknown: no /proc/iomem");
		return;
	}
	if (mt_layout_parse_iomem(f, l))
		snprintf(l->ram_how, sizeof(l->ram_how), "/proc/iomem System RAM");
	else
		snprintf(l->ram_how, sizeof(l->ram_how),
			 "unknown: /proc/iomem shows no addresses (not root)");
	fclose(f);
}

static __u32 page_struct_size(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	__s64 sz = 0;
	__s32 id;

	if (libbpf_get_error(btf))
		return 0;
	id = btf__find_by_name_kind(btf, "page", BTF_KIND_STRUCT);
	if (id > 0)
		sz = btf__resolve_size(btf, id);
	btf__free(btf);
	return sz > 0 ? (__u32)sz : 0;
}

/* vmalloc() a buffer on purpose: a BPF array map this large is vmalloc'ed by the kernel. */
static void vmalloc_range(struct mt_layout *l, const struct mt_calib *c)
{
	struct mt_loader_opts lo = {};
	struct mt_loader ld;
	struct mt_report *r;
	__u32 self = getpid();
	int fd, best = -1;

	r = calloc(1, sizeof(*r));
	if (!r)
		return;
	lo.pids = &self;
	lo.nr_pids = 1;
	lo.calib = c;
	lo.zones = &l->zones;
	lo.page_shift = l->page_shift;
	lo.class_mask = 1u << MT_CLASS_VIRTUAL;
	lo.include_self = true; /* the vmalloc to see is this process's own */
	if (mt_loader_start(&ld, &lo)) {
		unknown(&l->vmalloc, "failed to load the vmalloc tracepoint programs");
		free(r);
		return;
	}
	if (!mt_loader_event_traced(&ld, "vmalloc", "alloc_vmap_area")) {
		unknown(&l->vmalloc, "no vmalloc:alloc_vmap_area tracepoint on this kernel");
		goto out;
	}
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "mt_layout", 4, 4096, 256, NULL);
	if (fd >= 0)
		close(fd);
	mt_loader_detach(&ld);
	mt_report_init(r);
	if (mt_loader_collect(&ld, r)) {
		unknown(&l->vmalloc, "failed to read the vmalloc events");
		goto out;
	}
	/* the widest range asked: vmalloc() asks VMALLOC_START..VMALLOC_END */
	for (int i = 0; i < r->x.nr_vranges; i++)
		if (best < 0 || r->x.vranges[i].vend - r->x.vranges[i].vstart >
					r->x.vranges[best].vend - r->x.vranges[best].vstart)
			best = i;
	if (best < 0) {
		unknown(&l->vmalloc, "no alloc_vmap_area seen for a 1 MiB BPF array map");
	} else {
		l->vmalloc = (struct mt_range){
			true, r->x.vranges[best].vstart, r->x.vranges[best].vend + 1,
			"vstart/vend of alloc_vmap_area for a vmalloc made on purpose"
		};
		/* vend is inclusive on x86_64 (VMALLOC_END = ...ffff) */
		if ((r->x.vranges[best].vend & 0xfff) == 0)
			l->vmalloc.end = r->x.vranges[best].vend;
	}
	mt_report_free(r);
out:
	mt_loader_destroy(&ld);
	free(r);
}

/*
 * Whether this x86_64 kernel runs 5-level paging: it hands out a user address above 47 bits
 * only then, and only when mmap's hint asks for one (4-level kernels ignore such a hint).
 */
static bool x86_64_5level(void)
{
#if UINTPTR_MAX > 0xffffffffu
	void *hint = (void *)(1ULL << 52), *p;
	bool la57;

	p = mmap(hint, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	la57 = (unsigned long long)(uintptr_t)p >= (1ULL << 47);
	munmap(p, 4096);
	return la57;
#else
	return false; /* a 32-bit process maps nothing above 4 GiB: it cannot tell */
#endif
}

void mt_layout_arch_probe(struct mt_layout *l)
{
	struct utsname u;

	uname(&u);
	mt_layout_arch_init(l, u.machine, mt_kernel_is_64bit());
	if (!strcmp(u.machine, "x86_64") && x86_64_5level())
		mt_layout_x86_64_5level(l);
}

void mt_layout_probe(struct mt_layout *l)
{
	struct mt_calib c;
	const char *why;
	int err;

	memset(l, 0, sizeof(*l));
	mt_layout_arch_probe(l);
	l->page_shift = (__u32)__builtin_ctzl((unsigned long)sysconf(_SC_PAGESIZE));
	l->page_struct_size = page_struct_size();
	err = mt_zones_load("/proc/zoneinfo", &l->zones);
	snprintf(l->zones_how, sizeof(l->zones_how), "%s",
		 err ? "nothing: /proc/zoneinfo unreadable" : "/proc/zoneinfo");
	for (int i = 0; i < l->zones.nr; i++)
		l->highmem |= !strcmp(l->zones.z[i].name, "HighMem");
	kallsyms_text(l);
	modules(l);
	iomem(l);
	if (mt_check_privileges(&why)) {
		char msg[160];

		snprintf(msg, sizeof(msg), "needs kernel events: %s", why);
		unknown(&l->direct, msg);
		unknown(&l->vmemmap, msg);
		unknown(&l->vmalloc, msg);
		return;
	}
	mt_ensure_tracefs();
	mt_calibrate(&c, l->page_shift);
	if (c.page_offset_base && l->zones.nr) {
		/* x86_64 maps all RAM: the direct map ends past the highest PFN of any zone */
		l->direct = (struct mt_range){
			true, c.page_offset_base,
			c.page_offset_base + (mt_zones_max_pfn(&l->zones) << l->page_shift),
			"calibration (kmalloc pointer vs its PFN) + zoneinfo's last PFN"
		};
		if (l->highmem) {
			for (int i = 0; i < l->zones.nr; i++)
				if (!strcmp(l->zones.z[i].name, "HighMem"))
					l->direct.end = c.page_offset_base +
							(l->zones.z[i].start_pfn << l->page_shift);
			snprintf(l->direct.how, sizeof(l->direct.how),
				 "calibration + start of the HighMem zone");
		}
		if (!l->user.known && !l->is_64bit)
			l->user = (struct mt_range){ true, 0, c.page_offset_base,
						     "32-bit: below PAGE_OFFSET" };
	} else {
		unknown(&l->direct, c.why[0] ? c.why : "calibration found no direct-map pointer");
	}
	if (c.vmemmap_base && l->page_struct_size)
		l->vmemmap = (struct mt_range){ true, c.vmemmap_base,
						c.vmemmap_base + mt_zones_max_pfn(&l->zones) *
									 l->page_struct_size,
						"calibration (struct page pointer vs its PFN)" };
	else
		unknown(&l->vmemmap, c.why[0] ? c.why : "calibration found no struct page pair");
	vmalloc_range(l, &c);
}
