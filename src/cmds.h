/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Subcommands, dispatched from the table in main.c. */
#ifndef MT_CMDS_H
#define MT_CMDS_H

#include "calib.h"
#include "model.h"
#include "render.h"

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

#define MT_MAX_CLI_PIDS 16

/* -p PID[,PID]: strict, each PID must exist. 0, or an exit code after one stderr line. */
int mt_parse_pids(const char *cmd, const char *arg, __u32 *pids, int *nr_pids);
/* Privileges, kernel facts, BTF, tracefs, zones, calibration: what run, record and top do
 * before loading. 0, or an exit code after one error line. */
int mt_trace_prepare(struct mt_report *r, struct mt_zone_table *zones, struct mt_calib *calib);
/* The report as JSON to path ("-": stdout), written whole or not at all. 0 or -errno. */
int mt_write_json(const char *path, const struct mt_report *r, const struct mt_render_opts *ro);
/* The report as Prometheus text format, written atomically (tmp + rename). 0 or -errno. */
int mt_write_openmetrics(const char *path, const struct mt_report *r,
			 const struct mt_render_opts *ro);

#endif /* MT_CMDS_H */
