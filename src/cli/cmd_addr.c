// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* memtrace addr: classify addresses against this boot's layout. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli/cmds.h"
#include "collect/kernel_info.h"
#include "collect/layout_probe.h"
#include "sys/util.h"

void usage_addr(void)
{
	printf("Usage: memtrace addr [--phys] ADDR...\n"
	       "\n"
	       "For each hexadecimal address, its class (user virtual, kernel logical, vmalloc,\n"
	       "vmemmap, kernel text, module; or physical with --phys) against this boot's layout\n"
	       "(see 'memtrace layout'), and for kernel logical and physical addresses the __pa()/\n"
	       "__va() counterpart, the PFN and the zone. Like 'memtrace layout' it prints kernel\n"
	       "addresses without --raw-addresses: it knows the layout only as far as the user\n"
	       "running it may (root), and echoes the addresses it is given.\n"
	       "\n"
	       "Options:\n"
	       "      --phys     the addresses are physical\n"
	       "  -h, --help     this help\n"
	       "\n"
	       "Examples:\n"
	       "  sudo memtrace addr ffff888100000000 ffffc90000000000\n"
	       "  sudo memtrace addr --phys 0x1000000\n");
}

static void show(const struct mt_layout *l, __u64 a, const struct mt_addr_info *o)
{
	printf("%#llx: %s", (unsigned long long)a, mt_addr_class_name(o->cls));
	if (o->has_pa && (o->cls == MT_ADDR_LOGICAL || o->cls == MT_ADDR_TEXT))
		printf("; __pa %#llx", (unsigned long long)o->pa);
	if (o->has_va)
		printf("; __va %#llx", (unsigned long long)o->va);
	if (o->has_pfn)
		printf("; pfn %#llx", (unsigned long long)o->pfn);
	if (o->zone >= 0)
		printf("; zone %s (node %d)", l->zones.z[o->zone].name, l->zones.z[o->zone].node);
	printf("\n");
}

int do_addr(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "phys", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct mt_layout l;
	bool phys = false;
	__u64 a;
	int c;

	opterr = 0;
	optind = 1;
	/* '+': "-1" is an operand to reject as an address, not an option */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'P':
			phys = true;
			break;
		case 'h':
			usage_addr();
			return MT_EXIT_OK;
		default:
			/* "-1" is a (negative, so invalid) address, not an unknown option */
			if (optopt >= '0' && optopt <= '9')
				fprintf(stderr,
					"memtrace addr: invalid address '%s' (not "
					"hexadecimal)\n",
					argv[optind - 1]);
			else
				fprintf(stderr, "memtrace addr: unknown option '%s'\n",
					argv[optind - 1]);
			return MT_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "memtrace addr: needs at least one ADDR (see 'memtrace addr "
				"--help')\n");
		return MT_EXIT_USAGE;
	}
	memset(&l, 0, sizeof(l));
	mt_layout_arch_probe(&l);
	for (int i = optind; i < argc; i++) {
		int err = mt_parse_hex_addr(argv[i], &a);

		if (!err && mt_layout_check_arch(&l, a, phys)) {
			fprintf(stderr,
				"memtrace addr: invalid address '%s' (out of range for %s%s)\n",
				argv[i], l.arch, phys ? " physical addresses" : "");
			return MT_EXIT_USAGE;
		}
		if (err) {
			fprintf(stderr, "memtrace addr: invalid address '%s' (%s)\n", argv[i],
				err == -ERANGE ? "more than 64 bits" : "not hexadecimal");
			return MT_EXIT_USAGE;
		}
	}
	mt_layout_probe(&l);
	if (!l.direct.known || !l.vmalloc.known)
		fprintf(stderr,
			"memtrace addr: some ranges are unknown (%s): see 'memtrace "
			"layout'\n",
			!l.direct.known ? l.direct.how : l.vmalloc.how);
	for (int i = optind; i < argc; i++) {
		struct mt_addr_info o;

		mt_parse_hex_addr(argv[i], &a);
		if (mt_layout_classify(&l, a, phys, &o)) {
			fprintf(stderr,
				"memtrace addr: invalid address '%s' (out of range for %s)\n",
				argv[i], l.arch);
			return MT_EXIT_USAGE;
		}
		show(&l, a, &o);
	}
	return MT_EXIT_OK;
}
