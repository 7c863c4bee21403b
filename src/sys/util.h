/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Messages, number formatting and strict parsing shared by the CLI and the renderers. */
#ifndef MT_UTIL_H
#define MT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes, documented in --help and the README. */
enum mt_exit {
	MT_EXIT_OK = 0,
	MT_EXIT_ERROR = 1,   /* runtime failure: privileges, BTF, load, attach, I/O */
	MT_EXIT_USAGE = 2,   /* bad command line: nothing was loaded */
	MT_EXIT_FAIL_IF = 3, /* report printed; a --fail-if condition held */
	MT_EXIT_COMMAND = 4, /* report printed; the -- CMD exited non-zero or was killed */
};

extern int mt_verbose;

void mt_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mt_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "12.3 MiB"-style, into buf; exact bytes below 1 KiB. Negative values keep their sign. */
/*
 * Room for one more element of size bytes at (*arrp)[*n], zeroed, the array doubling as it
 * fills; *n counts it. NULL on ENOMEM (the array is left as it was).
 */
void *mt_push(void *arrp, size_t *n, size_t *cap, size_t size);
const char *mt_fmt_bytes(char *buf, size_t len, long long bytes);
/* 1,234,567 */
const char *mt_fmt_count(char *buf, size_t len, unsigned long long n);

/* Strict parsers: the whole string must be a number in range. 0 or -EINVAL/-ERANGE. */
int mt_parse_seconds(const char *s, double *out);
int mt_parse_u32(const char *s, unsigned int *out);
/* The options of a command that takes only --json, -v and -h (check, layout): -1 to go
 * on, else an exit code after the help or one line on stderr. */
int mt_parse_json_opts(int argc, char **argv, const char *cmd, void (*usage)(void), bool *json);

/*
 * A path memtrace may create or replace with an output file: absent or a regular file. A
 * rename over a directory fails only at the end, over /dev/zero or a FIFO it would replace
 * the node. 0, -EISDIR, or -EINVAL for any other kind.
 */
int mt_output_target_ok(const char *path);
/* The words for an error of the above or of mt_atomic_*(): "it is a directory", ... */
const char *mt_output_strerror(int err);

/* Write a file under its final name only once it is complete (tmp + fsync + rename);
 * refuses a path that is not absent or a regular file (mt_output_target_ok). */
struct mt_atomic_file {
	FILE *f;
	char *path;
	char *tmp;
};
int mt_atomic_open(struct mt_atomic_file *af, const char *path);
int mt_atomic_commit(struct mt_atomic_file *af); /* closes; 0 or -errno */
/*
 * An output file: "-" is stdout; any other path is written whole or not at all (atomic,
 * 0600). render writes to f, 0 or non-zero on failure. 0, or -errno (-EIO: render failed).
 */
int mt_write_output(const char *path, int (*render)(FILE *f, const void *ctx), const void *ctx);
void mt_atomic_abort(struct mt_atomic_file *af);

/* Seconds on CLOCK_MONOTONIC (the BPF clock, and the one deadlines are kept on). */
double now_s(void);

#endif /* MT_UTIL_H */
