// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* memtrace: where Linux kernel memory goes. Subcommands are dispatched from cmds[]. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include "cli/cmds.h"
#include "sys/util.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	void (*usage)(void);
	const char *summary;
};

static const struct cmd cmds[] = {
	{ "run", do_run, usage_run, "trace, then print the report (Ctrl-C, -d SECS or -- CMD)" },
	{ "check", do_check, usage_check, "CI preflight: what this kernel lets memtrace hook" },
	{ "layout", do_layout, usage_layout, "this boot's kernel memory map, values and sources" },
	{ "addr", do_addr, usage_addr, "classify addresses: class, __pa/__va, zone" },
	{ "record", do_record, usage_record, "trace into a file (-o FILE) for 'report'" },
	{ "report", do_report, usage_report, "print the report of a recorded file, no root" },
	{ "top", do_top, usage_top, "live view: rates per class, top processes and caches" },
	{ "diff", do_diff, usage_diff, "compare runs (recordings, JSON reports); exit 1 if grown" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: memtrace [--version] [--help] COMMAND [OPTIONS]\n"
		   "\n"
		   "memtrace shows where Linux kernel memory goes, with eBPF: per address class\n"
		   "(Linux Device Drivers ch. 15), zone, process and slab cache.\n"
		   "\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f,
		"\n"
		"'memtrace COMMAND --help' describes a command.\n"
		"Exit status: 0 success, 1 runtime error, 2 bad command line; memtrace run also\n"
		"3 a --fail-if condition held, 4 the -- CMD failed (see 'memtrace run --help').\n");
}

int main(int argc, char **argv)
{
	/* a report piped into another program still comes out line by line */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/*
	 * Start-up parses the kernel's BTF (several MB) more than once. With glibc's sliding
	 * mmap threshold the first free makes later copies land on the heap, where the freed
	 * holes linger: a fixed threshold returns every big buffer whole (peak RSS 24 -> 20 MB).
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	if (argc < 2) {
		usage(stderr);
		return MT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
				if (!strcmp(argv[2], cmds[i].name)) {
					cmds[i].usage();
					return MT_EXIT_OK;
				}
			}
			fprintf(stderr, "memtrace: unknown command '%s'\n", argv[2]);
			return MT_EXIT_USAGE;
		}
		usage(stdout);
		return MT_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("memtrace %s\n", MEMTRACE_VERSION);
		return MT_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		fprintf(stderr, "memtrace: unknown option '%s' (see 'memtrace --help')\n", argv[1]);
	else
		fprintf(stderr, "memtrace: unknown command '%s' (see 'memtrace --help')\n",
			argv[1]);
	return MT_EXIT_USAGE;
}
