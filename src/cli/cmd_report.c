// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * memtrace report FILE: the report of a recording, through the same collector and
 * renderers as run, reading the maps from the file (no BPF, no root).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli/cmds.h"
#include "cli/report_load.h"
#include "record/record.h"
#include "sys/kallsyms.h"
#include "sys/util.h"

void usage_report(void)
{
	printf("Usage: memtrace report FILE [--json FILE|-] [--top N] [--openmetrics FILE]\n"
	       "                       [--html FILE|-] [--pprof FILE|-] [--raw-addresses]\n"
	       "\n"
	       "Print the report of a file written by 'memtrace record': the same text and JSON\n"
	       "'memtrace run' prints, computed by the same code from the recorded maps. Needs\n"
	       "no root, no BPF and not the machine it was recorded on. A file cut short\n"
	       "(recorder killed, disk full) reports everything up to its last complete chunk\n"
	       "and says it is truncated; what was lost reads as zero.\n"
	       "\n"
	       "Options:\n"
	       "      --json FILE       also write the report as JSON to FILE; '-' writes JSON\n"
	       "                        alone to stdout\n"
	       "      --top N           rows in the process and cache tables (default 10)\n"
	       "      --openmetrics FILE  also write Prometheus text format metrics to FILE;\n"
	       "                        '-' writes them alone to stdout\n"
	       "      --html FILE       also write one self-contained HTML page (summary, timeline,\n"
	       "                        flame graphs, histograms, sortable tables; no network\n"
	       "                        needed to view it); '-' writes it alone to stdout\n"
	       "      --pprof FILE      also write a gzip'd pprof profile, as a Go heap profile\n"
	       "                        (alloc_/inuse_objects, alloc_/inuse_space) per recorded\n"
	       "                        kernel stack, else per call site; '-': it alone to stdout\n"
	       "      --raw-addresses   print the recorded kernel virtual addresses (call sites,\n"
	       "                        unnamed frames, pointer ranges, direct map base); by\n"
	       "                        default the report names call sites by symbol+offset\n"
	       "                        and leaves kernel addresses out\n"
	       "  -h, --help            this help\n"
	       "\n"
	       "Exit status: 0 report printed (also from a truncated file, with a warning on\n"
	       "stderr); 1 FILE unreadable, not a memtrace recording, or of a newer format major\n"
	       "version;\n"
	       "2 bad command line.\n"
	       "\n"
	       "Examples:\n"
	       "  memtrace report mem.rec\n"
	       "  memtrace report mem.rec --json - | jq .classes.physical\n"
	       "  memtrace report mem.rec --html mem.html\n"
	       "  memtrace report mem.rec --pprof mem.pb.gz; go tool pprof -top mem.pb.gz\n");
}

static int usage_err(const char *fmt, const char *arg)
{
	return mt_usage_err("report", fmt, arg);
}

struct report_opts {
	const char *file, *json, *openmetrics, *html, *pprof;
	int top;
	bool raw_addresses;
};

static int parse(int argc, char **argv, struct report_opts *o)
{
	enum {
		OPT_RAW_ADDRESSES = MT_OPT_OWN
	};
	static const struct option longopts[] = {
		{ "json", required_argument, NULL, MT_OPT_JSON },
		{ "raw-addresses", no_argument, NULL, OPT_RAW_ADDRESSES },
		{ "top", required_argument, NULL, MT_OPT_TOP },
		{ "openmetrics", required_argument, NULL, MT_OPT_OPENMETRICS },
		{ "html", required_argument, NULL, MT_OPT_HTML },
		{ "pprof", required_argument, NULL, MT_OPT_PPROF },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c, err;

	o->top = 10;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case MT_OPT_JSON:
		case MT_OPT_TOP:
		case MT_OPT_OPENMETRICS:
			err = mt_parse_output_opt("report", c, optarg, &o->json, &o->top,
						  &o->openmetrics);
			if (err)
				return err;
			break;
		case MT_OPT_HTML:
			err = mt_parse_html_opt("report", optarg, &o->html);
			if (err)
				return err;
			break;
		case MT_OPT_PPROF:
			err = mt_parse_pprof_opt("report", optarg, &o->pprof);
			if (err)
				return err;
			break;
		case OPT_RAW_ADDRESSES:
			o->raw_addresses = true;
			break;
		case 'h':
			usage_report();
			return MT_EXIT_OK;
		case ':':
			return usage_err("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_err("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return usage_err("%sa recording FILE is required", "");
	if (optind + 1 < argc)
		return usage_err("unexpected argument '%s'", argv[optind + 1]);
	o->file = argv[optind];
	if (!*o->file)
		return usage_err("%sFILE is empty", "");
	if (mt_output_is_stdout(o->json) + mt_output_is_stdout(o->openmetrics) +
		    mt_output_is_stdout(o->html) + mt_output_is_stdout(o->pprof) >
	    1)
		return usage_err("%sonly one output can go to stdout ('-')", "");
	return -1;
}

int do_report(int argc, char **argv)
{
	struct mt_render_opts ro = {};
	struct report_opts o = {};
	struct mt_recfile rf;
	struct mt_ksyms ksyms;
	struct mt_report r;
	int ret;

	ret = parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	mt_report_init(&r);
	mt_ksyms_init(&ksyms);
	ret = mt_report_load(o.file, "reporting", &rf, &r, &ksyms);
	if (ret) {
		mt_report_free(&r);
		mt_ksyms_free(&ksyms);
		return ret;
	}
	ro.top = o.top;
	ro.raw_addresses = o.raw_addresses;
	ret = mt_write_report(&r, &ro, true,
			      &(struct mt_outputs){ o.json, o.openmetrics, o.html, o.pprof });
	mt_report_free(&r);
	mt_ksyms_free(&ksyms);
	mt_rec_free(&rf);
	return ret;
}
