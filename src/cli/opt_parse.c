// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Option values every command parses the same way (cmds.h): the usage error line, output
 * files, --max-procs, -p PID lists. One wording for all, checked before anything loads.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli/cmds.h"
#include "sys/util.h"

int mt_usage_err(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "memtrace %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see 'memtrace %s --help')\n", cmd);
	return MT_EXIT_USAGE;
}

int mt_parse_output_opt(const char *cmd, int c, const char *arg, const char **json, int *top,
			const char **openmetrics)
{
	unsigned int n;

	switch (c) {
	case MT_OPT_JSON:
		if (!*arg)
			return mt_usage_err(cmd, "%s--json needs a file name or '-'", "");
		*json = arg;
		return 0;
	case MT_OPT_OPENMETRICS:
		if (!*arg)
			return mt_usage_err(cmd, "%s--openmetrics needs a file name", "");
		*openmetrics = arg;
		return 0;
	default:
		if (mt_parse_u32(arg, &n) || n == 0 || n > 100000)
			return mt_usage_err(cmd, "invalid --top '%s' (1..100000)", arg);
		*top = (int)n;
		return 0;
	}
}

int mt_parse_html_opt(const char *cmd, const char *arg, const char **html)
{
	if (!*arg)
		return mt_usage_err(cmd, "%s--html needs a file name or '-'", "");
	*html = arg;
	return 0;
}

int mt_parse_pprof_opt(const char *cmd, const char *arg, const char **pprof)
{
	if (!MT_PPROF)
		return mt_usage_err(cmd,
				    "%s--pprof is not in this build (made with PPROF=0, without "
				    "libprotobuf-c)",
				    "");
	if (!*arg)
		return mt_usage_err(cmd, "%s--pprof needs a file name or '-'", "");
	*pprof = arg;
	return 0;
}

int mt_parse_max_procs(const char *cmd, const char *arg, __u32 *max_procs)
{
	unsigned int n;

	if (mt_parse_u32(arg, &n) || n < 64 || n > (1U << 20))
		return mt_usage_err(cmd, "invalid --max-procs '%s' (64..1048576)", arg);
	*max_procs = n;
	return 0;
}

int mt_parse_pids(const char *cmd, const char *arg, __u32 *pids, int *nr_pids)
{
	const char *p = arg;

	/* strict: "1,,2" and "1," are typos, not lists (strtok would skip the gaps) */
	for (;;) {
		size_t len = strcspn(p, ",");
		unsigned int pid;
		char tok[16], path[32];

		if (len == 0 || len >= sizeof(tok))
			return mt_usage_err(cmd, "invalid PID list '%s'", arg);
		memcpy(tok, p, len);
		tok[len] = '\0';
		if (mt_parse_u32(tok, &pid) || pid == 0 || pid > 4194304)
			return mt_usage_err(cmd, "invalid PID '%s'", tok);
		if (*nr_pids == MT_MAX_CLI_PIDS)
			return mt_usage_err(cmd, "too many PIDs in '%s' (at most 16)", arg);
		snprintf(path, sizeof(path), "/proc/%u", pid);
		if (access(path, F_OK)) {
			fprintf(stderr, "memtrace %s: no process with PID %u\n", cmd, pid);
			return MT_EXIT_USAGE;
		}
		pids[(*nr_pids)++] = pid;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}
