// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* memtrace run: trace until Ctrl-C or the duration, then print the report. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "calib.h"
#include "cmds.h"
#include "kernel_info.h"
#include "loader.h"
#include "render.h"
#include "util.h"
#include "zones.h"

struct run_opts {
	double duration;		/* 0: until Ctrl-C */
	__u32 pids[16];
	int nr_pids;
	const char *json;		/* NULL, a path, or "-" for stdout */
	int top;
	bool force_tracepoint;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

void usage_run(void)
{
	printf(
"Usage: memtrace run [OPTIONS]\n"
"\n"
"Trace kernel memory allocations until Ctrl-C (SIGINT), SIGTERM or the duration, then\n"
"print a report: per address class (kernel logical = slab objects, physical = pages)\n"
"allocations, frees and bytes; pages by order and zone; slab caches and fragmentation;\n"
"top processes; a log2 histogram of allocation sizes. Counting happens in the kernel,\n"
"exactly; anything that could not be counted is shown as lost. Needs root (or CAP_BPF\n"
"and CAP_PERFMON) and a kernel with BTF.\n"
"\n"
"Options:\n"
"  -d, --duration SECS   stop after SECS seconds (decimals allowed; default: Ctrl-C)\n"
"  -p, --pid PID[,PID]   only these processes, all their threads (up to 16)\n"
"      --json FILE       also write the report as JSON to FILE (written whole or not\n"
"                        at all); FILE '-' writes JSON alone to stdout\n"
"      --top N           rows in the process and cache tables (default 10)\n"
"  -v, --verbose         say what was probed and chosen; twice: libbpf's debug output\n"
"  -h, --help            this help\n"
"\n"
"Exit status: 0 report printed; 1 runtime error (privileges, BTF, load, attach, I/O);\n"
"2 bad command line (nothing was loaded).\n"
"\n"
"Examples:\n"
"  sudo memtrace run -d 5                  the whole system for 5 seconds\n"
"  sudo memtrace run -p 1234               one process, until Ctrl-C\n"
"  sudo memtrace run -d 10 --json out.json report as text and as JSON\n"
"  sudo memtrace run -d 2 --json - | jq .classes.kernel_logical\n");
}

static int usage_err(const char *fmt, const char *arg)
{
	fprintf(stderr, "memtrace run: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see 'memtrace run --help')\n");
	return MT_EXIT_USAGE;
}

static int parse_pids(const char *arg, struct run_opts *o)
{
	const char *p = arg;

	/* strict: "1,,2" and "1," are typos, not lists (strtok would skip the gaps) */
	for (;;) {
		size_t len = strcspn(p, ",");
		unsigned int pid;
		char tok[16], path[32];

		if (len == 0 || len >= sizeof(tok))
			return usage_err("invalid PID list '%s'", arg);
		memcpy(tok, p, len);
		tok[len] = '\0';
		if (mt_parse_u32(tok, &pid) || pid == 0 || pid > 4194304)
			return usage_err("invalid PID '%s'", tok);
		if (o->nr_pids == (int)(sizeof(o->pids) / sizeof(o->pids[0])))
			return usage_err("too many PIDs in '%s' (at most 16)", arg);
		snprintf(path, sizeof(path), "/proc/%u", pid);
		if (access(path, F_OK)) {
			fprintf(stderr, "memtrace run: no process with PID %u\n", pid);
			return MT_EXIT_USAGE;
		}
		o->pids[o->nr_pids++] = pid;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* Returns -1 to go on, else an exit code. */
static int parse(int argc, char **argv, struct run_opts *o)
{
	enum { OPT_JSON = 256, OPT_TOP, OPT_FORCE_TP };
	static const struct option longopts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		/* hidden: keeps the classic-tracepoint fallback tested on tp_btf kernels */
		{ "force-tracepoint", no_argument, NULL, OPT_FORCE_TP },
		{},
	};
	unsigned int top;
	int c, err;

	o->top = 10;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:p:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			err = mt_parse_seconds(optarg, &o->duration);
			if (err == -ERANGE)
				return usage_err("duration '%s' out of range (0 < SECS <= 1 year)",
						 optarg);
			if (err)
				return usage_err("invalid duration '%s'", optarg);
			break;
		case 'p':
			err = parse_pids(optarg, o);
			if (err)
				return err;
			break;
		case OPT_JSON:
			if (!*optarg)
				return usage_err("%s--json needs a file name or '-'", "");
			o->json = optarg;
			break;
		case OPT_TOP:
			if (mt_parse_u32(optarg, &top) || top == 0 || top > 100000)
				return usage_err("invalid --top '%s' (1..100000)", optarg);
			o->top = (int)top;
			break;
		case OPT_FORCE_TP:
			o->force_tracepoint = true;
			break;
		case 'v':
			mt_verbose++;
			break;
		case 'h':
			usage_run();
			return MT_EXIT_OK;
		case ':':
			return usage_err("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_err("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_err("unexpected argument '%s'", argv[optind]);
	return -1;
}

/* The JSON file's directory must be writable before we trace for minutes. */
static int check_json_target(const char *path)
{
	struct mt_atomic_file af;
	int err;

	if (!path || !strcmp(path, "-"))
		return 0;
	err = mt_atomic_open(&af, path);
	if (err) {
		fprintf(stderr, "memtrace run: cannot write '%s': %s\n", path, strerror(-err));
		return MT_EXIT_USAGE;
	}
	mt_atomic_abort(&af);
	return 0;
}

static int write_json(const char *path, const struct mt_report *r,
		      const struct mt_render_opts *ro)
{
	struct mt_atomic_file af;
	int err;

	if (!strcmp(path, "-"))
		return mt_render_json(stdout, r, ro) || fflush(stdout) ? -EIO : 0;
	err = mt_atomic_open(&af, path);
	if (err)
		return err;
	if (mt_render_json(af.f, r, ro)) {
		mt_atomic_abort(&af);
		return -EIO;
	}
	return mt_atomic_commit(&af);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int have_btf(char *src, size_t len)
{
	struct btf *btf;

	if (mt_have_kernel_btf()) {
		snprintf(src, len, "%s", mt_vmlinux_btf_path());
		return 1;
	}
	if (getenv("MEMTRACE_VMLINUX_BTF"))
		return 0;
	/* libbpf also looks in /boot and /lib/modules for a detached vmlinux BTF */
	btf = btf__load_vmlinux_btf();
	if (libbpf_get_error(btf))
		return 0;
	btf__free(btf);
	snprintf(src, len, "a vmlinux file found by libbpf (no %s)", MT_VMLINUX_BTF);
	return 1;
}

static void sleep_until_done(double start, double duration)
{
	while (!stop_signal) {
		double left = duration ? duration - (now_s() - start) : 0.2;
		struct timespec ts;

		if (duration && left <= 0)
			break;
		if (left > 0.2)
			left = 0.2;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
}

int do_run(int argc, char **argv)
{
	struct mt_render_opts ro = {};
	struct mt_loader_opts lo = {};
	struct sigaction sa = {};
	struct run_opts o = {};
	struct mt_loader l = {};
	struct mt_report r;
	struct mt_calib calib;
	struct mt_zone_table zones;
	const char *what;
	double start;
	int ret, err;

	ret = parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	ret = check_json_target(o.json);
	if (ret)
		return ret;
	if (mt_check_privileges(&what)) {
		mt_err("insufficient privileges: %s", what);
		return MT_EXIT_ERROR;
	}
	mt_report_init(&r);
	mt_kernel_info(&r.run);
	if (!have_btf(r.run.btf, sizeof(r.run.btf))) {
		mt_err("kernel lacks BTF (%s): memtrace needs CONFIG_DEBUG_INFO_BTF=y",
		       mt_vmlinux_btf_path());
		return MT_EXIT_ERROR;
	}
	err = mt_ensure_tracefs();
	if (err)
		mt_warn("failed to mount tracefs: %s; classic tracepoints unavailable",
			strerror(-err));
	err = mt_zones_load("/proc/zoneinfo", &zones);
	if (err) {
		mt_warn("failed to read /proc/zoneinfo: %s; pages will show no zone",
			strerror(-err));
		memset(&zones, 0, sizeof(zones));
	}
	if (mt_calibrate(&calib, r.run.page_shift))
		mt_info("calibration failed (%s): pages via classic tracepoints", calib.why);
	else if (!calib.page_offset_base)
		mt_info("direct map base unknown (%s): kfree sizes unknown", calib.why);

	lo.force_tracepoint = o.force_tracepoint;
	lo.pids = o.pids;
	lo.nr_pids = o.nr_pids;
	lo.calib = &calib;
	lo.zones = &zones;
	lo.page_shift = r.run.page_shift;

	/* handlers before attach: a Ctrl-C from here on ends the trace, never the process */
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (mt_loader_start(&l, &lo))
		return MT_EXIT_ERROR;

	start = now_s();
	if (o.duration)
		fprintf(stderr, "memtrace: tracing %s for %g s; Ctrl-C to stop early\n",
			o.nr_pids ? "the given processes" : "system-wide", o.duration);
	else
		fprintf(stderr, "memtrace: tracing %s; Ctrl-C to stop\n",
			o.nr_pids ? "the given processes" : "system-wide");
	sleep_until_done(start, o.duration);
	mt_loader_detach(&l);
	r.run.duration_s = now_s() - start;

	r.zones = zones;
	r.run.nr_pids = o.nr_pids;
	memcpy(r.run.pids, o.pids, sizeof(o.pids));
	r.run.vmemmap_base = calib.vmemmap_base;
	r.run.page_offset_base = calib.page_offset_base;
	r.run.kfree_sized = calib.vmemmap_base && calib.page_offset_base;
	err = mt_loader_collect(&l, &r);
	mt_loader_destroy(&l);
	if (err) {
		mt_err("failed to read BPF maps: %s", strerror(-err));
		mt_report_free(&r);
		return MT_EXIT_ERROR;
	}

	ro.top = o.top;
	ret = MT_EXIT_OK;
	if (!o.json || strcmp(o.json, "-") != 0) {
		mt_render_text(stdout, &r, &ro);
		if (fflush(stdout) || ferror(stdout)) {
			mt_err("failed to write the report: %s", strerror(errno));
			ret = MT_EXIT_ERROR;
		}
	}
	if (o.json) {
		err = write_json(o.json, &r, &ro);
		if (err) {
			mt_err("failed to write JSON to '%s': %s", o.json, strerror(-err));
			ret = MT_EXIT_ERROR;
		}
	}
	mt_report_free(&r);
	return ret;
}
