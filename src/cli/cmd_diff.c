// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * memtrace diff [--base FILE]... BASE... NEW: compare runs (recordings or JSON reports) by
 * name (caches, comms, symbol+offset), flag what moved beyond the baselines' spread, exit as
 * diff(1) does.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cmds.h"
#include "cli/diff_load.h"
#include "model/diff.h"
#include "render/render_diff.h"
#include "sys/util.h"

/* diff(1): 0 no differences, 1 some, 2 trouble */
enum {
	DIFF_SAME = 0,
	DIFF_FLAGGED = 1,
	DIFF_TROUBLE = 2
};

void usage_diff(void)
{
	printf("Usage: memtrace diff [OPTIONS] BASE NEW\n"
	       "       memtrace diff [OPTIONS] --base A B C NEW\n"
	       "\n"
	       "Compare runs, each a recording ('memtrace record -o FILE') or a JSON report\n"
	       "('--json FILE'), per address class, slab cache, call site, stack, process and\n"
	       "outstanding memory. Things are matched by what survives a reboot: caches by\n"
	       "name, processes by comm, call sites and stack frames by symbol+offset from\n"
	       "each file's own kallsyms (KASLR moves addresses).\n"
	       "With several baselines the base is their mean, and a value is flagged only\n"
	       "when it moved by more than the largest distance of a baseline from that mean\n"
	       "(their spread) and by at least the minimum size. Flagged rows come first,\n"
	       "bytes before counts, by size of change. Stacks a run could not record (its\n"
	       "stack table full or colliding) are a loss, never a change.\n"
	       "\n"
	       "Options:\n"
	       "      --base FILE       a baseline run; with --base every argument but\n"
	       "                        the last is a baseline too (at most %d)\n"
	       "      --min-bytes N     smallest change in bytes that is flagged (default %.0f)\n"
	       "      --min-count N     smallest change in a count that is flagged (default %.0f)\n"
	       "      --min-rel PCT     smallest change relative to the base, in percent\n"
	       "                        (default %.0f)\n"
	       "      --all             also list values that changed but are not flagged\n"
	       "      --top N           rows in the text table (default 20; --json has all)\n"
	       "      --json FILE       also write every value as JSON to FILE; '-' writes JSON\n"
	       "                        alone to stdout\n"
	       "      --folded FILE     write stacks as 'root;...;leaf BASE NEW' (bytes\n"
	       "                        allocated), the input of flamegraph's difffolded.pl\n"
	       "                        convention ('-': stdout)\n"
	       "  -h, --help            this help\n"
	       "\n"
	       "Exit status (as diff(1)): 0 nothing flagged; 1 something flagged; 2 bad command\n"
	       "line or a file that cannot be read.\n"
	       "\n"
	       "The same names serve 'memtrace run --baseline FILE --fail-if' (e.g.\n"
	       "'cache.kmalloc-64.allocs > base + 1000'; see 'memtrace run --list-metrics').\n"
	       "\n"
	       "Examples:\n"
	       "  memtrace diff before.rec after.rec\n"
	       "  memtrace diff --base b1.rec b2.rec b3.rec new.rec --json diff.json\n",
	       MT_DIFF_MAX_BASE, MT_DIFF_MIN_BYTES, MT_DIFF_MIN_COUNT, MT_DIFF_MIN_REL * 100);
}

enum {
	OPT_BASE = MT_OPT_OWN,
	OPT_MIN_BYTES,
	OPT_MIN_COUNT,
	OPT_MIN_REL,
	OPT_ALL,
	OPT_FOLDED
};

struct diff_opts {
	const char *bases[MT_DIFF_MAX_BASE];
	int nr_bases;
	const char *newf, *json, *folded;
	int top;
	bool all;
	struct mt_diff_opts d;
};

static int usage_err(const char *fmt, const char *arg)
{
	mt_usage_err("diff", fmt, arg);
	return DIFF_TROUBLE;
}

static int parse_min(const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (!*arg || *end || errno || v < 0 || v != v)
		return usage_err("'%s' is not a non-negative number", arg);
	*out = v;
	return 0;
}

static int add_base(struct diff_opts *o, const char *f)
{
	if (o->nr_bases == MT_DIFF_MAX_BASE)
		return usage_err("more than %s baselines", "16");
	if (!*f)
		return usage_err("%sa FILE is empty", "");
	o->bases[o->nr_bases++] = f;
	return 0;
}

static int parse(int argc, char **argv, struct diff_opts *o)
{
	static const struct option longopts[] = {
		{ "base", required_argument, NULL, OPT_BASE },
		{ "min-bytes", required_argument, NULL, OPT_MIN_BYTES },
		{ "min-count", required_argument, NULL, OPT_MIN_COUNT },
		{ "min-rel", required_argument, NULL, OPT_MIN_REL },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "folded", required_argument, NULL, OPT_FOLDED },
		{ "json", required_argument, NULL, MT_OPT_JSON },
		{ "top", required_argument, NULL, MT_OPT_TOP },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *om = NULL;
	int c, err;

	o->top = 20;
	o->d.min_bytes = MT_DIFF_MIN_BYTES;
	o->d.min_count = MT_DIFF_MIN_COUNT;
	o->d.min_rel = MT_DIFF_MIN_REL;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_BASE:
			err = add_base(o, optarg);
			break;
		case OPT_MIN_BYTES:
			err = parse_min(optarg, &o->d.min_bytes);
			break;
		case OPT_MIN_COUNT:
			err = parse_min(optarg, &o->d.min_count);
			break;
		case OPT_MIN_REL:
			err = parse_min(optarg, &o->d.min_rel);
			o->d.min_rel /= 100;
			break;
		case OPT_ALL:
			o->all = true;
			err = 0;
			break;
		case OPT_FOLDED:
			if (!*optarg)
				return usage_err("%s--folded needs a FILE", "");
			o->folded = optarg;
			err = 0;
			break;
		case MT_OPT_JSON:
		case MT_OPT_TOP:
			err = mt_parse_output_opt("diff", c, optarg, &o->json, &o->top, &om) ?
				      DIFF_TROUBLE :
				      0;
			break;
		case 'h':
			usage_diff();
			return MT_EXIT_OK;
		case ':':
			return usage_err("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_err("unknown option '%s'", argv[optind - 1]);
		}
		if (err)
			return err;
	}
	if (argc - optind < (o->nr_bases ? 1 : 2))
		return usage_err("%sneeds a BASE and a NEW recording", "");
	for (; optind < argc - 1; optind++)
		if (add_base(o, argv[optind]))
			return DIFF_TROUBLE;
	o->newf = argv[argc - 1];
	if (!*o->newf)
		return usage_err("%sNEW is empty", "");
	if (o->json && o->folded && !strcmp(o->json, "-") && !strcmp(o->folded, "-"))
		return usage_err("%s--json and --folded cannot both go to stdout", "");
	return -1;
}

struct diff_out {
	const struct mt_diff *d;
	const struct diff_opts *o;
};

static int render_json(FILE *f, const void *ctx)
{
	const struct diff_out *w = ctx;

	return mt_render_diff_json(f, w->d, &w->o->d);
}

static int render_folded(FILE *f, const void *ctx)
{
	const struct diff_out *w = ctx;

	return mt_render_diff_folded(f, w->d, "bytes");
}

/* 0, or -1 after one line */
static int write_out(const char *path, const struct mt_diff *d, const struct diff_opts *o,
		     bool json)
{
	struct diff_out w = { d, o };
	int err = mt_write_output(path, json ? render_json : render_folded, &w);

	if (err)
		mt_err("cannot write '%s': %s", path, mt_output_strerror(err));
	return err ? -1 : 0;
}

int do_diff(int argc, char **argv)
{
	struct mt_dset sets[MT_DIFF_MAX_BASE + 1];
	struct diff_opts o = {};
	struct mt_diff d;
	int ret, n = 0;
	bool stdout_taken;

	ret = parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	ret = DIFF_TROUBLE;
	for (; n <= o.nr_bases; n++) {
		mt_dset_init(&sets[n]);
		if (mt_diff_load(n < o.nr_bases ? o.bases[n] : o.newf, &sets[n])) {
			n++;
			goto out;
		}
	}
	if (mt_diff_compute(&d, sets, o.nr_bases, &sets[o.nr_bases], &o.d)) {
		mt_err("out of memory");
		goto out;
	}
	stdout_taken = (o.json && !strcmp(o.json, "-")) || (o.folded && !strcmp(o.folded, "-"));
	if (!stdout_taken && mt_render_diff_text(stdout, &d, (size_t)o.top, o.all))
		mt_err("cannot write the report: %s", strerror(errno));
	else if ((!o.json || !write_out(o.json, &d, &o, true)) &&
		 (!o.folded || !write_out(o.folded, &d, &o, false)))
		ret = d.nr_flagged ? DIFF_FLAGGED : DIFF_SAME;
	mt_diff_free(&d);
out:
	while (n--)
		mt_dset_free(&sets[n]);
	return ret;
}
