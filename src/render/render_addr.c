// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What of a kernel address a report may print. A raw kernel virtual address gives away the
 * KASLR offset, and reports are read by people who may not read /proc/kallsyms: so a frame
 * or a call site is named by its symbol only, and an address goes out as it is only when
 * the report was asked with --raw-addresses (mt_render_opts.raw_addresses).
 */
#include "render/render.h"
#include "sys/kallsyms.h"

const char *mt_render_sym(const struct mt_render_opts *o, const struct mt_ksyms *ks, __u64 addr,
			  bool with_off, char *buf, size_t len)
{
	if (o->raw_addresses || (ks && mt_ksyms_find(ks, addr)))
		return mt_ksyms_fmt(ks, addr, with_off, buf, len);
	snprintf(buf, len, "[unknown]");
	return buf;
}

bool mt_render_kernel_va(const struct mt_report *r, __u64 addr)
{
	/* 64-bit kernels live in the upper half; a 32-bit one above PAGE_OFFSET (3G/1G split
	 * when the direct map base is not known) */
	if (r->x.is_64bit)
		return addr >> 63;
	return addr >= (r->run.page_offset_base ? r->run.page_offset_base : 0xc0000000ULL);
}

bool mt_render_fault_addrs(const struct mt_report *r, const struct mt_render_opts *o,
			   const struct mt_fault_row *p)
{
	return p->addr_min && (o->raw_addresses || !mt_render_kernel_va(r, p->addr_max));
}
