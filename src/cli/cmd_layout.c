// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* memtrace layout: this boot's kernel memory map, each value with where it came from. */
#include <stdio.h>
#include <string.h>
#include "cli/cmds.h"
#include "collect/layout_probe.h"
#include "sys/util.h"

void usage_layout(void)
{
	printf("Usage: memtrace layout [--json] [-v]\n"
	       "\n"
	       "Print this boot's kernel memory map in the terms of Linux Device Drivers ch. 15:\n"
	       "PAGE_SIZE, user space, the direct map (kernel logical, PAGE_OFFSET and size), the\n"
	       "vmalloc range, vmemmap, kernel text, modules, and each zone with node, PFN range,\n"
	       "spanned/present pages and physical range; whether high memory exists. Each value says\n"
	       "how it was obtained; one that could not be established is marked unknown. KASLR moves\n"
	       "these every boot: as root memtrace learns them from kernel events.\n"
	       "Kernel addresses are what it prints, with no --raw-addresses needed: each one\n"
	       "comes from a file only root can read in full (/proc/kallsyms, /proc/iomem,\n"
	       "/proc/modules) or from kernel events, which need root; without root they are\n"
	       "unknown. Its output is as secret as those files: keep it from other users.\n"
	       "\n"
	       "Options:\n"
	       "      --json     the same as JSON\n"
	       "  -v, --verbose  say what was probed\n"
	       "  -h, --help     this help\n"
	       "\n"
	       "Examples:\n"
	       "  sudo memtrace layout\n"
	       "  sudo memtrace layout --json | jq .vmalloc\n");
}

int do_layout(int argc, char **argv)
{
	struct mt_layout l;
	bool json = false;
	int ret;

	ret = mt_parse_json_opts(argc, argv, "layout", usage_layout, &json);
	if (ret >= 0)
		return ret;
	mt_layout_probe(&l);
	if (json)
		return mt_layout_render_json(stdout, &l) ? MT_EXIT_ERROR : MT_EXIT_OK;
	mt_layout_render_text(stdout, &l);
	return MT_EXIT_OK;
}
