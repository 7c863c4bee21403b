/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Subcommands, dispatched from the table in main.c. */
#ifndef MT_CMDS_H
#define MT_CMDS_H

#include "collect/calib.h"
#include "model/model.h"
#include "render/render.h"

int do_run(int argc, char **argv);
void usage_run(void);
int do_check(int argc, char **argv);
void usage_check(void);
int do_layout(int argc, char **argv);
void usage_layout(void);
int do_addr(int argc, char **argv);
void usage_addr(void);
int do_record(int argc, char **argv);
void usage_record(void);
int do_report(int argc, char **argv);
void usage_report(void);
int do_top(int argc, char **argv);
void usage_top(void);
int do_diff(int argc, char **argv);
void usage_diff(void);

#define MT_MAX_CLI_PIDS 16

/* The output options run, record and report share, with one parser so each is checked and
 * worded the same: their getopt values (a command's own start at MT_OPT_OWN). */
enum {
	MT_OPT_JSON = 256,
	MT_OPT_TOP,
	MT_OPT_OPENMETRICS,
	MT_OPT_HTML,
	MT_OPT_PPROF,
	MT_OPT_OWN
};
/* c one of the above: --json FILE|-, --top N, --openmetrics FILE into the pointers.
 * 0, or MT_EXIT_USAGE after one line on stderr. */
/* --max-procs N: 0, or the exit status after a one-line error. */
int mt_parse_max_procs(const char *cmd, const char *arg, __u32 *max_procs);
int mt_parse_output_opt(const char *cmd, int c, const char *arg, const char **json, int *top,
			const char **openmetrics);
/* --html FILE|- (MT_OPT_HTML): 0, or MT_EXIT_USAGE after one line on stderr. */
int mt_parse_html_opt(const char *cmd, const char *arg, const char **html);
/* --pprof FILE|- (MT_OPT_PPROF): the same; in a build without protobuf-c (PPROF=0), always
 * MT_EXIT_USAGE, saying so. */
int mt_parse_pprof_opt(const char *cmd, const char *arg, const char **pprof);
/* "memtrace CMD: " fmt (with arg) " (see 'memtrace CMD --help')" on stderr; MT_EXIT_USAGE. */
int mt_usage_err(const char *cmd, const char *fmt, const char *arg);

/* -p PID[,PID]: strict, each PID must exist. 0, or an exit code after one stderr line. */
int mt_parse_pids(const char *cmd, const char *arg, __u32 *pids, int *nr_pids);
/* Privileges, kernel facts, BTF, tracefs, zones, calibration: what run, record and top do
 * before loading. 0, or an exit code after one error line. */
int mt_trace_prepare(struct mt_report *r, struct mt_zone_table *zones, struct mt_calib *calib);
/* The report as JSON to path ("-": stdout), written whole or not at all. 0 or -errno. */
/* "-": the output goes to stdout (and the text report does not). */
bool mt_output_is_stdout(const char *path);
int mt_write_json(const char *path, const struct mt_report *r, const struct mt_render_opts *ro);
/* The report as Prometheus text format, written atomically (tmp + rename). 0 or -errno. */
int mt_write_openmetrics(const char *path, const struct mt_report *r,
			 const struct mt_render_opts *ro);
/* The report as one self-contained HTML page, written atomically. 0 or -errno. */
int mt_write_html(const char *path, const struct mt_report *r, const struct mt_render_opts *ro);
/* The report as a gzip'd pprof heap profile, written atomically. 0 or -errno. */
int mt_write_pprof(const char *path, const struct mt_report *r, const struct mt_render_opts *ro);
/* The files of run, record and report beside the text report (NULL: not asked for). */
struct mt_outputs {
	const char *json, *openmetrics, *html, *pprof;
};
/* The end of run, record and report: the text report on stdout when text is asked and no
 * other output goes there, then the JSON, metrics, HTML and pprof files when named.
 * MT_EXIT_OK, or MT_EXIT_ERROR after one line per output that failed. */
int mt_write_report(const struct mt_report *r, const struct mt_render_opts *ro, bool text,
		    const struct mt_outputs *out);

#endif /* MT_CMDS_H */
