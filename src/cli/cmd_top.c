// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * memtrace top: the maps read every interval through the live map source, differenced
 * into rates (src/render/top.c). On a terminal the screen is redrawn and 'q' quits (stdin in
 * non-canonical mode, restored on every way out); otherwise one block per interval.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "cli/cmds.h"
#include "collect/collect.h"
#include "sys/listen.h"
#include "collect/live_report.h"
#include "collect/loader.h"
#include "collect/mapsrc_live.h"
#include "render/render.h"
#include "render/top.h"
#include "sys/util.h"

struct top_opts {
	double interval;
	int rows;
	int sort;
	long count; /* intervals before exiting; 0: until q or Ctrl-C */
	__u32 pids[MT_MAX_CLI_PIDS];
	int nr_pids;
	const char *openmetrics;
	const char *json, *html; /* written at exit: totals since the start and the timeline */
	const char *listen;	 /* [ADDR:]PORT serving /metrics, or NULL */
	int listen_fd;
	bool force_tracepoint;
	bool include_self;
	__u32 max_procs;
	bool raw_addresses; /* --raw-addresses, handed to the renderers */
};

/* The metrics top last rendered, served by --listen. */
static char *metrics;
static size_t metrics_len;

static volatile sig_atomic_t stop_signal;
static struct termios saved_tio;
static bool tio_saved;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void restore_terminal(void)
{
	if (tio_saved) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
		tio_saved = false;
	}
}

/* Keys without Enter and without echo; ISIG stays, so Ctrl-C still raises SIGINT. */
static void cbreak_terminal(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio))
		return;
	t = saved_tio;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (!tcsetattr(STDIN_FILENO, TCSANOW, &t)) {
		tio_saved = true;
		atexit(restore_terminal); /* exit() from anywhere still restores it */
	}
}

void usage_top(void)
{
	printf("Usage: memtrace top [-i SECS] [-n ROWS] [--sort KEY] [-p PID[,PID]] [-c COUNT]\n"
	       "                    [--openmetrics FILE] [--json FILE] [--html FILE]\n"
	       "                    [--raw-addresses]\n"
	       "\n"
	       "A live view of kernel memory: every interval, allocations, frees and bytes per\n"
	       "second per address class, the busiest processes and slab caches. On a terminal\n"
	       "the screen is redrawn; q or Ctrl-C quits. When stdout is not a terminal, one\n"
	       "block per interval is printed instead. Needs root (or CAP_BPF and CAP_PERFMON).\n"
	       "\n"
	       "Options:\n"
	       "  -i, --interval SECS   refresh every SECS seconds (default 1, at least 0.1)\n"
	       "  -n, --rows ROWS       rows in the process and cache tables (default 10)\n"
	       "      --sort KEY        order rows by bytes (default), allocs, frees or net\n"
	       "  -p, --pid PID[,PID]   only these processes (up to 16)\n"
	       "  -c, --count N         exit after N intervals\n"
	       "      --openmetrics FILE  rewrite Prometheus text format metrics (totals since\n"
	       "                        the start) to FILE atomically every interval\n"
	       "      --json FILE       at exit, write the report since the start as JSON, with a\n"
	       "                        timeline point per interval ('memtrace run --json')\n"
	       "      --html FILE       at exit, write the same as one self-contained HTML page\n"
	       "      --listen [ADDR:]PORT  serve the same metrics at http://ADDR:PORT/metrics\n"
	       "                        (IPv4; ADDR defaults to 127.0.0.1, loopback only)\n"
	       "      --max-procs N     live processes the kernel tables hold (default %u);\n"
	       "                        ended ones leave them, exact, as top runs\n"
	       "      --include-self    count memtrace's own process too\n"
	       "      --raw-addresses   as for 'memtrace run': allow kernel virtual addresses in\n"
	       "                        the output (top's screen and metrics print none today)\n"
	       "  -v, --verbose         say what was probed and chosen\n"
	       "  -h, --help            this help\n"
	       "\n"
	       "Exit status: 0 quit; 1 runtime error; 2 bad command line.\n"
	       "\n"
	       "Examples:\n"
	       "  sudo memtrace top\n"
	       "  sudo memtrace top -i 5 --sort allocs -n 20\n"
	       "  sudo memtrace top -c 3 -i 2 > log.txt      three blocks, two seconds apart\n"
	       "  sudo memtrace top --listen 9464 > /dev/null  curl localhost:9464/metrics\n",
	       MT_MAX_PROCS);
}

static int usage_err(const char *fmt, const char *arg)
{
	fprintf(stderr, "memtrace top: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see 'memtrace top --help')\n");
	return MT_EXIT_USAGE;
}

/* A file top will write: refused now if it cannot be, not after an hour of top. */
static int writable(const char *path)
{
	struct mt_atomic_file af;
	int err;

	if (!path)
		return 0;
	err = mt_atomic_open(&af, path);
	if (err) {
		fprintf(stderr, "memtrace top: cannot write '%s': %s\n", path,
			mt_output_strerror(err));
		return -1;
	}
	mt_atomic_abort(&af);
	return 0;
}

static int parse(int argc, char **argv, struct top_opts *o)
{
	enum {
		OPT_SORT = MT_OPT_OWN,
		OPT_OPENMETRICS,
		OPT_FORCE_TP,
		OPT_LISTEN,
		OPT_INCLUDE_SELF,
		OPT_MAX_PROCS,
		OPT_RAW_ADDRESSES
	};
	static const struct option longopts[] = {
		{ "json", required_argument, NULL, MT_OPT_JSON },
		{ "html", required_argument, NULL, MT_OPT_HTML },
		{ "interval", required_argument, NULL, 'i' },
		{ "rows", required_argument, NULL, 'n' },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "pid", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ "openmetrics", required_argument, NULL, OPT_OPENMETRICS },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "include-self", no_argument, NULL, OPT_INCLUDE_SELF },
		{ "max-procs", required_argument, NULL, OPT_MAX_PROCS },
		{ "raw-addresses", no_argument, NULL, OPT_RAW_ADDRESSES },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "force-tracepoint", no_argument, NULL, OPT_FORCE_TP },
		{},
	};
	unsigned int u;
	int c, err;

	o->interval = 1;
	o->rows = 10;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":i:n:p:c:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			err = mt_parse_seconds(optarg, &o->interval);
			if (err == -ERANGE || (!err && o->interval < 0.1))
				return usage_err("interval '%s' out of range (0.1 to 1 year)",
						 optarg);
			if (err)
				return usage_err("invalid interval '%s'", optarg);
			break;
		case 'n':
			if (mt_parse_u32(optarg, &u) || u == 0 || u > 1000)
				return usage_err("invalid rows '%s' (1..1000)", optarg);
			o->rows = (int)u;
			break;
		case 'c':
			if (mt_parse_u32(optarg, &u) || u == 0)
				return usage_err("invalid count '%s' (a positive number)", optarg);
			o->count = u;
			break;
		case OPT_SORT:
			o->sort = mt_top_sort_parse(optarg);
			if (o->sort < 0)
				return usage_err("invalid --sort '%s' (bytes|allocs|frees|net)",
						 optarg);
			break;
		case 'p':
			err = mt_parse_pids("top", optarg, o->pids, &o->nr_pids);
			if (err)
				return err;
			break;
		case OPT_OPENMETRICS:
		case MT_OPT_JSON:
		case MT_OPT_HTML: {
			/* the files top writes: a name each, checked alike */
			const char **to = c == MT_OPT_JSON ? &o->json :
					  c == MT_OPT_HTML ? &o->html :
							     &o->openmetrics;
			const char *opt = c == MT_OPT_JSON ? "json" :
					  c == MT_OPT_HTML ? "html" :
							     "openmetrics";

			if (!*optarg)
				return usage_err("--%s needs a file name", opt);
			*to = optarg;
			break;
		}
		case OPT_LISTEN:
			o->listen = optarg;
			break;
		case OPT_FORCE_TP:
			o->force_tracepoint = true;
			break;
		case OPT_INCLUDE_SELF:
			o->include_self = true;
			break;
		case OPT_MAX_PROCS:
			err = mt_parse_max_procs("top", optarg, &o->max_procs);
			if (err)
				return err;
			break;
		case OPT_RAW_ADDRESSES:
			o->raw_addresses = true;
			break;
		case 'v':
			mt_verbose++;
			break;
		case 'h':
			usage_top();
			return MT_EXIT_OK;
		case ':':
			return usage_err("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_err("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_err("unexpected argument '%s'", argv[optind]);
	if (mt_output_is_stdout(o->openmetrics))
		return usage_err("--openmetrics %s: stdout is top's screen (--listen serves them)",
				 "-");
	if (mt_output_is_stdout(o->json) || mt_output_is_stdout(o->html))
		return usage_err("%s--json and --html need a file: stdout is top's screen", "");

	if (writable(o->openmetrics) || writable(o->json) || writable(o->html))
		return MT_EXIT_USAGE;
	o->listen_fd = -1;
	if (o->listen) {
		o->listen_fd = mt_listen_open(o->listen);
		if (o->listen_fd == -EINVAL)
			return usage_err("invalid --listen '%s' ([IPv4 ADDR:]PORT)", o->listen);
		if (o->listen_fd < 0) {
			fprintf(stderr, "memtrace top: cannot listen on '%s': %s\n", o->listen,
				strerror(-o->listen_fd));
			return MT_EXIT_USAGE;
		}
	}
	return -1;
}

/* Sleep until the deadline, answering /metrics meanwhile; false if q or a signal says stop. */
static bool wait_interval(double until, bool keys, int listen_fd)
{
	while (!stop_signal) {
		double left = until - now_s();
		struct pollfd p[2] = { { .fd = keys ? STDIN_FILENO : -1, .events = POLLIN },
				       { .fd = listen_fd, .events = POLLIN } };
		char ch;

		if (left <= 0)
			return true;
		/* at most 100 ms at a time, so a signal is seen promptly */
		if (poll(p, 2, left > 0.1 ? 100 : (int)(left * 1000) + 1) <= 0)
			continue;
		if ((p[0].revents & POLLIN) && read(STDIN_FILENO, &ch, 1) == 1 &&
		    (ch == 'q' || ch == 'Q'))
			return false;
		if (p[1].revents & POLLIN)
			mt_listen_serve(listen_fd, metrics, metrics_len);
	}
	return false;
}

/* Render the metrics --listen serves. */
static int keep_metrics(const struct mt_report *r, const struct mt_render_opts *ro)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	if (mt_render_openmetrics(f, r, ro) || fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	free(metrics);
	metrics = buf;
	metrics_len = len;
	return 0;
}

/* The cumulative report now: the same collector as run and report. */
static int snapshot(const struct mt_loader *l, const struct mt_report *base, double start,
		    struct mt_report *r)
{
	mt_report_init(r);
	r->run = base->run;
	r->zones = base->zones;
	r->run.duration_s = now_s() - start;
	return mt_loader_collect(l, r);
}

int do_top(int argc, char **argv)
{
	struct mt_render_opts ro = {};
	struct mt_om_names om = {};
	struct mt_loader_opts lo = {};
	struct sigaction sa = {};
	struct top_opts o = {};
	struct mt_loader l = {};
	struct mt_report base, prev, cur;
	struct mt_timeline tl;
	struct mt_calib calib;
	struct mt_zone_table zones;
	bool tty = isatty(STDOUT_FILENO), have_prev = false;
	double start, last;
	int ret, err = 0;

	ret = parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	mt_report_init(&base);
	ret = mt_trace_prepare(&base, &zones, &calib);
	if (ret) {
		if (o.listen_fd >= 0)
			close(o.listen_fd);
		return ret;
	}
	lo.force_tracepoint = o.force_tracepoint;
	lo.pids = o.pids;
	lo.nr_pids = o.nr_pids;
	lo.calib = &calib;
	lo.zones = &zones;
	lo.page_shift = base.run.page_shift;
	lo.include_self = o.include_self;
	lo.max_procs = o.max_procs;
	lo.reap = true;
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (mt_loader_start(&l, &lo)) {
		if (o.listen_fd >= 0)
			close(o.listen_fd);
		return MT_EXIT_ERROR;
	}
	base.zones = zones;
	base.run.nr_pids = o.nr_pids;
	memcpy(base.run.pids, o.pids, sizeof(o.pids));
	base.run.vmemmap_base = calib.vmemmap_base;
	base.run.page_offset_base = calib.page_offset_base;
	base.run.kfree_sized = calib.vmemmap_base && calib.page_offset_base;
	ro.top = o.rows;
	ro.om = &om; /* per-process series keep their names from scrape to scrape */
	ro.raw_addresses = o.raw_addresses;

	if (tty)
		cbreak_terminal();
	start = last = now_s();
	mt_report_init(&prev);
	mt_timeline_init(&tl, o.interval);
	for (long n = 1; !o.count || n <= o.count; n++) {
		struct mt_top_view v;
		double t;

		if (!wait_interval(start + n * o.interval, tio_saved, o.listen_fd))
			break;
		t = now_s();
		err = snapshot(&l, &base, start, &cur);
		/* every interval a timeline point, for --json and --html at exit */
		if (!err && (o.json || o.html))
			err = mt_timeline_take(&tl, &cur, t - start);
		if (!err)
			err = mt_top_view_make(&v, have_prev ? &prev : NULL, &cur, t - last,
					       o.sort);
		if (err) {
			mt_err("failed to read BPF maps: %s", strerror(-err));
			mt_report_free(&cur);
			break;
		}
		if (tty)
			fputs("\033[H\033[2J", stdout); /* home, clear */
		mt_top_render(stdout, &v, &cur, (int)n, o.rows, tty);
		if (tty)
			printf("\n(q quits; sorted by %s)\n", mt_top_sort_name(o.sort));
		else
			putchar('\n');
		fflush(stdout);
		mt_top_view_free(&v);
		if (o.openmetrics && (err = mt_write_openmetrics(o.openmetrics, &cur, &ro))) {
			mt_err("failed to write metrics to '%s': %s", o.openmetrics,
			       mt_output_strerror(err));
			mt_report_free(&cur);
			break;
		}
		if (o.listen_fd >= 0 && (err = keep_metrics(&cur, &ro))) {
			mt_err("failed to render metrics: %s", strerror(-err));
			mt_report_free(&cur);
			break;
		}
		mt_report_free(&prev);
		prev = cur;
		have_prev = true;
		last = t;
	}
	restore_terminal();
	/* the last snapshot is the report since the start; the timeline goes with it */
	if (!err && have_prev && (o.json || o.html)) {
		prev.tl = tl;
		mt_timeline_init(&tl, 0);
		if (mt_write_report(&prev, &ro, false,
				    &(struct mt_outputs){ .json = o.json, .html = o.html }) !=
		    MT_EXIT_OK)
			err = -EIO;
	}
	mt_timeline_free(&tl);
	if (o.listen_fd >= 0)
		close(o.listen_fd);
	free(metrics);
	metrics = NULL;
	mt_om_names_free(&om);
	mt_report_free(&prev);
	mt_loader_destroy(&l);
	return err ? MT_EXIT_ERROR : MT_EXIT_OK; /* each failure said what it was */
}
