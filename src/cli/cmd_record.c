// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * memtrace record: run's trace, with the kernel side written to a file that `memtrace
 * report` reads anywhere (docs/record-format.md). The tracing itself is run's (cmd_run.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "cli/cmds.h"
#include "collect/probe.h"
#include "record/record_header.h"
#include "record/record_timeline.h"
#include "collect/record_live.h"
#include "cli/recorder.h"
#include "sys/util.h"

void usage_record(void)
{
	printf("Usage: memtrace record -o FILE [-f] [--no-kallsyms] [RUN OPTIONS] [-- CMD ARGS]\n"
	       "\n"
	       "Trace like 'memtrace run' and write what the report is made of to FILE: a\n"
	       "header (memtrace and format version, kernel, arch, page size, zones,\n"
	       "calibration, options, events attached), /proc/zoneinfo, /proc/kallsyms for\n"
	       "symbolizing call sites, and every BPF map and data section at the end.\n"
	       "'memtrace report FILE' prints the report run would have printed, on any machine,\n"
	       "without root or BPF. The file is zlib-compressed in chunks with a CRC each: a\n"
	       "file cut short still reports up to its last complete chunk.\n"
	       "Nothing is printed on stdout unless an output is given as '-' (--json -).\n"
	       "\n"
	       "Options:\n"
	       "  -o, --output FILE     the recording (required); an existing FILE is refused\n"
	       "  -f, --force           replace an existing FILE: the old one becomes FILE.old,\n"
	       "                        only once the new one is complete\n"
	       "      --no-kallsyms     leave /proc/kallsyms out (a smaller file)\n"
	       "  -d/--duration, -p/--pid, --cgroup, --per-thread, --json, --html, --pprof,\n"
	       "  --interval, --top, --openmetrics, --max-procs, --include-self,\n"
	       "  --raw-addresses, --no-call-sites, --outstanding, --min-age, --stacks,\n"
	       "  --folded, --folded-outstanding, --outstanding-entries, --stack-entries,\n"
	       "  --stack-sample, --stack-depth, --call-site-entries, --class, --no-stalls,\n"
	       "  -v/--verbose, -- CMD:\n"
	       "                        as for 'memtrace run' (--fail-if, --baseline,\n"
	       "                        --list-metrics and --latency are run's only)\n"
	       "  -h, --help            this help\n"
	       "\n"
	       "Exit status: 0 recorded; 1 runtime error (privileges, BTF, load, I/O: a file cut\n"
	       "by a write error stays, and reports as truncated); 2 bad command line or FILE\n"
	       "exists.\n"
	       "\n"
	       "Examples:\n"
	       "  sudo memtrace record -o mem.rec -d 10        the system for 10 s\n"
	       "  sudo memtrace record -o mem.rec -p 1234 -f   one process until Ctrl-C\n"
	       "  sudo memtrace record -o mem.rec -- make -j2  a command and what it forks\n"
	       "  memtrace report mem.rec --json -             anywhere, as any user\n");
}

int mt_recorder_open(struct mt_recorder *rc, const char *path, bool force)
{
	int fd, err;

	memset(rc, 0, sizeof(*rc));
	err = mt_output_target_ok(path);
	if (err) {
		fprintf(stderr, "memtrace record: cannot write '%s': %s\n", path,
			mt_output_strerror(err));
		return MT_EXIT_USAGE;
	}
	rc->path = strdup(path);
	if (!rc->path)
		return MT_EXIT_ERROR;
	if (force) {
		if (asprintf(&rc->tmp, "%s.tmp.XXXXXX", path) < 0) {
			rc->tmp = NULL;
			goto fail;
		}
		fd = mkstemp(rc->tmp);
		if (fd >= 0)
			fchmod(fd, 0600); /* as perf.data: reports name kernel symbols */
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			fchmod(fd, 0600); /* whatever the umask */
	}
	if (fd < 0) {
		if (errno == EEXIST)
			fprintf(stderr, "memtrace record: '%s' exists (-f replaces it)\n", path);
		else
			fprintf(stderr, "memtrace record: cannot write '%s': %s\n", path,
				strerror(errno));
		free(rc->tmp);
		rc->tmp = NULL;
		goto fail;
	}
	rc->f = fdopen(fd, "w");
	if (!rc->f) {
		close(fd);
		mt_recorder_abort(rc);
		return MT_EXIT_ERROR;
	}
	mt_rec_begin(&rc->w, rc->f);
	return 0;
fail:
	free(rc->path);
	rc->path = NULL;
	return MT_EXIT_USAGE;
}

static const char *written(const struct mt_recorder *rc)
{
	return rc->tmp ? rc->tmp : rc->path;
}

static int write_failed(struct mt_recorder *rc)
{
	mt_err("failed to write '%s': %s%s", written(rc), strerror(-rc->w.err),
	       rc->tmp ? "" : "; what was written reads as a truncated recording");
	return -1;
}

/* A whole text file into a chunk: KALLSYMS (raw), or FILE (path first). */
static int put_file(struct mt_recorder *rc, __u32 type, const char *path, const char *lost)
{
	struct mt_buf b = {};
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f) {
		mt_warn("failed to read %s: %s; %s", path, strerror(errno), lost);
		return 0;
	}
	if (type == MT_CHUNK_FILE) {
		mt_buf_u32(&b, strlen(path));
		mt_buf_put(&b, path, strlen(path));
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		mt_buf_put(&b, buf, n);
	fclose(f);
	if (!b.oom)
		mt_rec_chunk(&rc->w, type, b.p, b.len);
	mt_buf_free(&b);
	return rc->w.err;
}

int mt_recorder_start(struct mt_recorder *rc, const struct mt_report *r, const struct mt_loader *l,
		      const struct mt_calib *calib, int argc, char **argv, bool kallsyms)
{
	struct mt_buf b = {};
	const char *group, *name;
	bool traced;

	rc->started = true;
	mt_rec_header_put_run(&b, &r->run, &r->zones);
	mt_rec_header_put_scope(&b, &r->scope);
	mt_rec_header_put_pair(&b, &r->pair);
	mt_buf_printf(&b, "options");
	for (int i = 0; i < argc; i++)
		mt_buf_printf(&b, " %s", argv[i]);
	mt_buf_printf(&b, "\nnr_cpus %d\nstart_time %lld\n", mt_possible_cpus(),
		      (long long)time(NULL));
	mt_buf_printf(&b, "calib.page_pairs %d\ncalib.kmalloc_pairs %d\ncalib.why %s\n",
		      calib->page_pairs, calib->kmalloc_pairs, calib->why);
	for (size_t i = 0; mt_loader_event_at(l, i, &group, &name, &traced); i++)
		mt_buf_printf(&b, "event.%s:%s %d\n", group, name, traced);
	if (b.oom)
		rc->w.err = -ENOMEM;
	else
		mt_rec_chunk(&rc->w, MT_CHUNK_HEADER, b.p, b.len);
	mt_buf_free(&b);
	if (!rc->w.err)
		put_file(rc, MT_CHUNK_FILE, "/proc/zoneinfo", "not in the recording");
	if (!rc->w.err && kallsyms)
		put_file(rc, MT_CHUNK_KALLSYMS, "/proc/kallsyms",
			 "call sites will not be symbolized");
	if (!rc->w.err && fflush(rc->f))
		rc->w.err = -errno;
	return rc->w.err ? write_failed(rc) : 0;
}

int mt_recorder_finish(struct mt_recorder *rc, const struct mt_loader *l, const struct mt_report *r)
{
	struct mt_buf b = {};
	char *old = NULL;
	long size;
	int nr_maps;

	mt_record_maps(&rc->w, l, &nr_maps);
	if (r->tl.nr) {
		mt_rec_timeline_put(&b, &r->tl);
		if (b.oom)
			rc->w.err = rc->w.err ? rc->w.err : -ENOMEM;
		else
			mt_rec_chunk(&rc->w, MT_CHUNK_TIMELINE, b.p, b.len);
		mt_buf_free(&b);
	}
	mt_rec_header_put_end(&b, &r->run);
	mt_rec_header_put_scope(&b, &r->scope); /* now with the command's exit */
	mt_rec_header_put_pair(&b, &r->pair);	/* and the end time */
	mt_rec_header_put_classes(&b, &r->x);
	if (b.oom)
		rc->w.err = rc->w.err ? rc->w.err : -ENOMEM;
	else
		mt_rec_chunk(&rc->w, MT_CHUNK_HEADER, b.p, b.len);
	mt_buf_free(&b);
	mt_rec_end(&rc->w);
	size = ftell(rc->f);
	if (!rc->w.err && fsync(fileno(rc->f)))
		rc->w.err = -errno;
	if (fclose(rc->f) && !rc->w.err)
		rc->w.err = -errno;
	rc->f = NULL;
	if (rc->w.err)
		return write_failed(rc);
	if (rc->tmp) {
		/* the new file is complete: only now does the old one move aside */
		if (asprintf(&old, "%s.old", rc->path) < 0)
			old = NULL;
		if (old && rename(rc->path, old) && errno != ENOENT) {
			mt_err("failed to move '%s' aside: %s; the new recording is '%s'", rc->path,
			       strerror(errno), rc->tmp);
			free(old);
			return -1;
		}
		if (rename(rc->tmp, rc->path)) {
			mt_err("failed to rename '%s' to '%s': %s", rc->tmp, rc->path,
			       strerror(errno));
			free(old);
			return -1;
		}
		free(old);
		free(rc->tmp);
		rc->tmp = NULL;
	}
	fprintf(stderr, "memtrace: recorded %d maps in %u chunks, %ld bytes, to %s\n", nr_maps,
		rc->w.chunks, size, rc->path);
	free(rc->path);
	rc->path = NULL;
	return 0;
}

void mt_recorder_abort(struct mt_recorder *rc)
{
	if (rc->f)
		fclose(rc->f);
	rc->f = NULL;
	if (rc->tmp)
		unlink(rc->tmp); /* -f: the old file stays as it was */
	else if (rc->path && !rc->started)
		unlink(rc->path); /* nothing traced: leave nothing behind */
	free(rc->tmp);
	free(rc->path);
	memset(rc, 0, sizeof(*rc));
}
