// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* memtrace run and record: option parsing, checked before anything loads (usage: run_usage.c). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cmds.h"
#include "cli/run_opts.h"
#include "model/metrics.h"
#include "sys/scope_user.h"
#include "sys/util.h"

/* "run" or "record": record is run's trace with the kernel side written to a file. */
const char *run_cmd_name = "run";

/* --stack-depth's message names the bound as text: usage_err takes one string argument */
_Static_assert(MT_STACK_DEPTH_MAX == 127, "invalid --stack-depth's message says 127");

static int usage_err(const char *fmt, const char *arg)
{
	return mt_usage_err(run_cmd_name, fmt, arg);
}

static int check_scope(struct run_opts *o);
/* --class: short names and the JSON keys both work. */
static int parse_classes(const char *arg, struct run_opts *o)
{
	static const char *const shortn[MT_CLASS_MAX] = {
		[MT_CLASS_LOGICAL] = "logical", [MT_CLASS_PHYSICAL] = "physical",
		[MT_CLASS_VIRTUAL] = "virtual", [MT_CLASS_BUS] = "bus",
		[MT_CLASS_USER] = "user",	[MT_CLASS_HIGH] = "high",
	};
	const char *p = arg;

	for (;;) {
		size_t len = strcspn(p, ",");
		char tok[32];
		int k;

		if (len == 0 || len >= sizeof(tok))
			return usage_err("invalid --class list '%s'", arg);
		memcpy(tok, p, len);
		tok[len] = '\0';
		for (k = 0; k < MT_CLASS_MAX; k++)
			if (!strcmp(tok, shortn[k]) || !strcmp(tok, mt_class_key(k)))
				break;
		if (k == MT_CLASS_MAX)
			return usage_err("invalid --class '%s' (logical, physical, virtual, "
					 "bus, user, high)",
					 tok);
		o->class_mask |= 1u << k;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* Returns -1 to go on, else an exit code. */
int run_parse(int argc, char **argv, struct run_opts *o)
{
	enum {
		OPT_FORCE_TP = MT_OPT_OWN,
		OPT_CGROUP,
		OPT_PER_THREAD,
		OPT_FAIL_IF,
		OPT_LIST_METRICS,
		OPT_BASELINE,
		OPT_SITES,
		OPT_OUT,
		OPT_MIN_AGE,
		OPT_STACKS,
		OPT_FOLDED,
		OPT_FOLDED_OUT,
		OPT_OUT_ENTRIES,
		OPT_STACK_ENTRIES,
		OPT_STACK_SAMPLE,
		OPT_STACK_DEPTH,
		OPT_SITE_ENTRIES,
		OPT_NO_KALLSYMS,
		OPT_CLASS,
		OPT_LATENCY,
		OPT_NO_STALLS,
		OPT_FORCE_HOOK,
		OPT_INCLUDE_SELF,
		OPT_MAX_PROCS,
		OPT_RAW_ADDRESSES,
		OPT_INTERVAL
	};
	/* run's and record's options: these, and each command's own below */
	static const struct option common[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "json", required_argument, NULL, MT_OPT_JSON },
		{ "top", required_argument, NULL, MT_OPT_TOP },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "per-thread", no_argument, NULL, OPT_PER_THREAD },
		{ "openmetrics", required_argument, NULL, MT_OPT_OPENMETRICS },
		{ "html", required_argument, NULL, MT_OPT_HTML },
		{ "pprof", required_argument, NULL, MT_OPT_PPROF },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "no-call-sites", no_argument, NULL, OPT_SITES },
		{ "outstanding", no_argument, NULL, OPT_OUT },
		{ "min-age", required_argument, NULL, OPT_MIN_AGE },
		{ "stacks", no_argument, NULL, OPT_STACKS },
		{ "folded", required_argument, NULL, OPT_FOLDED },
		{ "folded-outstanding", required_argument, NULL, OPT_FOLDED_OUT },
		{ "outstanding-entries", required_argument, NULL, OPT_OUT_ENTRIES },
		{ "stack-entries", required_argument, NULL, OPT_STACK_ENTRIES },
		{ "stack-sample", required_argument, NULL, OPT_STACK_SAMPLE },
		{ "stack-depth", required_argument, NULL, OPT_STACK_DEPTH },
		{ "call-site-entries", required_argument, NULL, OPT_SITE_ENTRIES },
		{ "class", required_argument, NULL, OPT_CLASS },
		{ "no-stalls", no_argument, NULL, OPT_NO_STALLS },
		{ "include-self", no_argument, NULL, OPT_INCLUDE_SELF },
		{ "max-procs", required_argument, NULL, OPT_MAX_PROCS },
		{ "raw-addresses", no_argument, NULL, OPT_RAW_ADDRESSES },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		/* hidden: keeps the classic-tracepoint fallback tested on tp_btf kernels */
		{ "force-tracepoint", no_argument, NULL, OPT_FORCE_TP },
	};
	static const struct option run_only[] = {
		{ "fail-if", required_argument, NULL, OPT_FAIL_IF },
		{ "list-metrics", no_argument, NULL, OPT_LIST_METRICS },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "latency", no_argument, NULL, OPT_LATENCY },
		/* hidden: try only this allocator-call hook (the kernel matrix tests each) */
		{ "force-call-hook", required_argument, NULL, OPT_FORCE_HOOK },
		{},
	};
	static const struct option record_only[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-kallsyms", no_argument, NULL, OPT_NO_KALLSYMS },
		{},
	};
	struct option longopts[ARRAY_SIZE(common) + ARRAY_SIZE(run_only) + ARRAY_SIZE(record_only)];
	bool record = !strcmp(run_cmd_name, "record");
	char why[256];
	unsigned int n;
	int c, err;

	/* common, then the command's own (ending with the empty row) */
	memcpy(longopts, common, sizeof(common));
	memcpy(longopts + ARRAY_SIZE(common), record ? record_only : run_only,
	       record ? sizeof(record_only) : sizeof(run_only));
	o->top = 10;
	/*
	 * Call-site totals are on by default: one per-CPU hash update per slab allocation,
	 * measured within the run-to-run noise of the default mode (bpf_stats run_time_ns).
	 */
	o->pair.sites = true;
	o->pair.outstanding_entries = MT_OUTSTANDING_ENTRIES;
	o->pair.stack_entries = MT_STACK_ENTRIES;
	o->pair.stack_sample = 1;
	o->pair.stack_depth = MT_STACK_DEPTH;
	o->pair.site_entries = MT_SITE_ENTRIES;
	opterr = 0;
	optind = 1;
	/* '+': stop at the first non-option, so CMD's own options stay CMD's */
	while ((c = getopt_long(argc, argv, record ? "+:d:p:vho:f" : "+:d:p:vh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'o':
			if (!*optarg)
				return usage_err("%s-o needs a file name", "");
			o->output = optarg;
			break;
		case 'f':
			o->force = true;
			break;
		case OPT_NO_KALLSYMS:
			o->no_kallsyms = true;
			break;
		case MT_OPT_JSON:
		case MT_OPT_TOP:
		case MT_OPT_OPENMETRICS:
			err = mt_parse_output_opt(run_cmd_name, c, optarg, &o->json, &o->top,
						  &o->openmetrics);
			if (err)
				return err;
			break;
		case MT_OPT_HTML:
			err = mt_parse_html_opt(run_cmd_name, optarg, &o->html);
			if (err)
				return err;
			break;
		case MT_OPT_PPROF:
			err = mt_parse_pprof_opt(run_cmd_name, optarg, &o->pprof);
			if (err)
				return err;
			/* a heap profile's in-use values are the outstanding objects */
			o->pair.pairs = true;
			break;
		case OPT_INTERVAL:
			err = mt_parse_seconds(optarg, &o->interval);
			if (err == -ERANGE || (!err && (o->interval < 0.1 || o->interval > 3600)))
				return usage_err("--interval '%s' out of range (0.1..3600 s)",
						 optarg);
			if (err)
				return usage_err("invalid --interval '%s'", optarg);
			break;
		case 'd':
			err = mt_parse_seconds(optarg, &o->duration);
			if (err == -ERANGE)
				return usage_err("duration '%s' out of range (0 < SECS <= 1 year)",
						 optarg);
			if (err)
				return usage_err("invalid duration '%s'", optarg);
			break;
		case 'p':
			err = mt_parse_pids(run_cmd_name, optarg, o->pids, &o->nr_pids);
			if (err)
				return err;
			break;
		case OPT_SITES:
			o->pair.sites = false;
			break;
		case OPT_OUT:
			o->pair.pairs = true;
			break;
		case OPT_STACKS:
			o->pair.stacks = true;
			break;
		case OPT_MIN_AGE:
			err = mt_parse_seconds(optarg, &o->min_age);
			if (err == -ERANGE)
				return usage_err("--min-age '%s' out of range (0 < SECS <= 1 year)",
						 optarg);
			if (err)
				return usage_err("invalid --min-age '%s'", optarg);
			o->pair.pairs = true;
			break;
		case OPT_FOLDED:
		case OPT_FOLDED_OUT:
			if (!*optarg)
				return usage_err("%s needs a file name",
						 c == OPT_FOLDED ? "--folded" :
								   "--folded-outstanding");
			*(c == OPT_FOLDED ? &o->folded : &o->folded_out) = optarg;
			o->pair.stacks = true;
			break;
		case OPT_OUT_ENTRIES:
			if (mt_parse_u32(optarg, &n) || n == 0 || n > (1U << 24))
				return usage_err("invalid --outstanding-entries '%s' (1..16777216)",
						 optarg);
			o->pair.outstanding_entries = n;
			break;
		case OPT_STACK_ENTRIES:
			if (mt_parse_u32(optarg, &n) || n == 0 || n > (1U << 20))
				return usage_err("invalid --stack-entries '%s' (1..1048576)",
						 optarg);
			o->pair.stack_entries = n;
			break;
		case OPT_STACK_SAMPLE:
			if (mt_parse_u32(optarg, &n) || n == 0 || n > (1U << 20))
				return usage_err("invalid --stack-sample '%s' (1..1048576)",
						 optarg);
			o->pair.stack_sample = n;
			o->pair.stacks = true;
			break;
		case OPT_STACK_DEPTH:
			if (mt_parse_u32(optarg, &n) || n == 0 || n > MT_STACK_DEPTH_MAX)
				return usage_err("invalid --stack-depth '%s' (1..127)", optarg);
			o->pair.stack_depth = n;
			o->pair.stacks = true;
			break;
		case OPT_SITE_ENTRIES:
			if (mt_parse_u32(optarg, &n) || n == 0 || n > (1U << 20))
				return usage_err("invalid --call-site-entries '%s' (1..1048576)",
						 optarg);
			o->pair.site_entries = n;
			break;
		case OPT_INCLUDE_SELF:
			o->include_self = true;
			break;
		case OPT_MAX_PROCS:
			err = mt_parse_max_procs(run_cmd_name, optarg, &o->max_procs);
			if (err)
				return err;
			break;
		case OPT_CLASS:
			err = parse_classes(optarg, o);
			if (err)
				return err;
			break;
		case OPT_FORCE_TP:
			o->force_tracepoint = true;
			break;
		case OPT_CGROUP:
			if (!*optarg)
				return usage_err("%s--cgroup needs a cgroup v2 directory", "");
			o->cgroup = optarg;
			break;
		case OPT_PER_THREAD:
			o->per_thread = true;
			break;
		case OPT_BASELINE:
			if (!*optarg)
				return usage_err("%s--baseline needs a FILE", "");
			o->baseline = optarg;
			break;
		case OPT_FAIL_IF:
			if (o->nr_fail_if == (int)(sizeof(o->fail_if) / sizeof(o->fail_if[0])))
				return usage_err("%stoo many --fail-if (at most 32)", "");
			if (mt_expr_parse(optarg, &o->fail_if[o->nr_fail_if], why, sizeof(why)) ||
			    mt_metric_bind(&o->fail_if[o->nr_fail_if], why, sizeof(why))) {
				fprintf(stderr, "memtrace run: --fail-if '%s': %s\n", optarg, why);
				return MT_EXIT_USAGE;
			}
			o->nr_fail_if++;
			break;
		case OPT_LIST_METRICS:
			mt_metrics_list(stdout);
			return MT_EXIT_OK;
		case OPT_LATENCY:
			o->latency = true;
			break;
		case OPT_NO_STALLS:
			o->no_stalls = true;
			break;
		case OPT_RAW_ADDRESSES:
			o->raw_addresses = true;
			break;
		case OPT_FORCE_HOOK:
			if (!strcmp(optarg, "fentry"))
				o->force_call_hook = MT_HOOK_FENTRY;
			else if (!strcmp(optarg, "kprobe"))
				o->force_call_hook = MT_HOOK_KPROBE;
			else
				return usage_err(
					"invalid --force-call-hook '%s' (fentry or kprobe)",
					optarg);
			break;
		case 'v':
			mt_verbose++;
			break;
		case 'h':
			if (record)
				usage_record();
			else
				usage_run();
			return MT_EXIT_OK;
		case ':':
			return usage_err("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_err("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind > 1 && !strcmp(argv[optind - 1], "--")) {
		if (optind == argc)
			return usage_err("%s'--' needs a command to run", "");
		o->cmd = argv + optind;
	} else if (optind < argc) {
		return usage_err("unexpected argument '%s' (a command goes after '--')",
				 argv[optind]);
	}
	/* stacks are kept per outstanding object too */
	if (o->pair.stacks)
		o->pair.pairs = true;
	/* an outstanding.* condition needs the outstanding map: never "not measured" */
	for (int i = 0; i < o->nr_fail_if; i++)
		if (!strncmp(o->fail_if[i].metric, "outstanding.", 12))
			o->pair.pairs = true;
	for (int i = 0; i < o->nr_fail_if; i++) {
		if (o->fail_if[i].rel && !o->baseline)
			return usage_err("--fail-if '%s' compares with base: give --baseline FILE",
					 o->fail_if[i].text);
		/* a call site the run does not count would read 0 and pass: never silently */
		if (o->fail_if[i].rel && !strncmp(o->fail_if[i].metric, "site.", 5) &&
		    !o->pair.sites)
			return usage_err("--fail-if '%s' needs call sites (not --no-call-sites)",
					 o->fail_if[i].text);
	}
	if (record && !o->output)
		return usage_err("%s-o FILE is required", "");
	if (mt_output_is_stdout(o->json) + mt_output_is_stdout(o->openmetrics) +
		    mt_output_is_stdout(o->folded) + mt_output_is_stdout(o->folded_out) +
		    mt_output_is_stdout(o->html) + mt_output_is_stdout(o->pprof) >
	    1)
		return usage_err("%sonly one output can go to stdout ('-')", "");
	return check_scope(o);
}

/* Scopes exclude each other; each is checked before anything loads. Returns -1 to go on. */
static int check_scope(struct run_opts *o)
{
	char why[512];

	if (o->force_call_hook && !o->latency)
		return usage_err("%s--force-call-hook needs --latency", "");
	if (!!o->nr_pids + !!o->cmd + !!o->cgroup > 1)
		return usage_err("%s-p, -- CMD and --cgroup exclude each other", "");
	if (o->cmd && o->duration)
		return usage_err("%s-d and -- CMD exclude each other: the command's end ends "
				 "the trace",
				 "");
	if (o->cmd && mt_cmd_find(o->cmd[0])) {
		fprintf(stderr, "memtrace %s: command not found: '%s'\n", run_cmd_name, o->cmd[0]);
		return MT_EXIT_USAGE;
	}
	if (o->cgroup &&
	    mt_cgroup_resolve(o->cgroup, &o->cgroup_id, &o->cgroup_level, why, sizeof(why))) {
		fprintf(stderr, "memtrace %s: %s\n", run_cmd_name, why);
		return MT_EXIT_USAGE;
	}
	return -1;
}
