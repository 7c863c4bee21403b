// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sys/util.h"

int mt_verbose;

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "memtrace: %s", prefix);
	/* every caller va_start()s ap; the analyzer loses track across the call */
	vfprintf(stderr, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	fputc('\n', stderr);
}

void mt_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void mt_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void mt_info(const char *fmt, ...)
{
	va_list ap;

	if (!mt_verbose)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

const char *mt_fmt_bytes(char *buf, size_t len, long long bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned long long a = bytes < 0 ? -(unsigned long long)bytes : (unsigned long long)bytes;
	const char *sign = bytes < 0 ? "-" : "";
	double v = a / 1024.0;
	int u = 0;

	if (a < 1024) {
		snprintf(buf, len, "%s%llu B", sign, a);
		return buf;
	}
	/* 1023.95 and up would print as "1024.0": move to the next unit instead */
	while (v >= 1023.95 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%s%.1f %s", sign, v, units[u]);
	return buf;
}

const char *mt_fmt_count(char *buf, size_t len, unsigned long long n)
{
	char tmp[32];
	int l = snprintf(tmp, sizeof(tmp), "%llu", n), o = 0;

	for (int i = 0; i < l && o + 2 < (int)len; i++) {
		if (i && (l - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

int mt_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (s && *s == '-')
		return -ERANGE; /* a negative duration: say range, not syntax */
	/* plain decimal only: strtod would also take hex floats, "inf" and "nan" */
	if (!s || !*s || (*s != '.' && (*s < '0' || *s > '9')) || strpbrk(s, "xX"))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end)
		return -EINVAL;
	/* a year is already absurd for a trace; beyond it is surely a typo */
	if (errno == ERANGE || !isfinite(v) || v <= 0 || v > 366.0 * 24 * 3600)
		return -ERANGE;
	*out = v;
	return 0;
}

int mt_parse_json_opts(int argc, char **argv, const char *cmd, void (*usage)(void), bool *json)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			*json = true;
			break;
		case 'v':
			mt_verbose++;
			break;
		case 'h':
			usage();
			return MT_EXIT_OK;
		default:
			fprintf(stderr,
				"memtrace %s: unknown option '%s' (see 'memtrace %s "
				"--help')\n",
				cmd, argv[optind - 1], cmd);
			return MT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "memtrace %s: unexpected argument '%s'\n", cmd, argv[optind]);
		return MT_EXIT_USAGE;
	}
	return -1;
}

int mt_parse_u32(const char *s, unsigned int *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > 0xffffffffULL)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}

int mt_output_target_ok(const char *path)
{
	struct stat st;

	if (stat(path, &st) || S_ISREG(st.st_mode))
		return 0;
	return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
}

const char *mt_output_strerror(int err)
{
	return err == -EISDIR ? "it is a directory" :
	       err == -EINVAL ? "not a regular file" :
				strerror(-err);
}

int mt_atomic_open(struct mt_atomic_file *af, const char *path)
{
	int fd, err;

	memset(af, 0, sizeof(*af));
	err = mt_output_target_ok(path);
	if (err)
		return err;
	/* through a symlink to its file: a rename over the link would replace the link */
	af->path = realpath(path, NULL);
	if (!af->path)
		af->path = strdup(path);
	if (!af->path)
		return -ENOMEM;
	if (asprintf(&af->tmp, "%s.tmp.XXXXXX", af->path) < 0) {
		free(af->path);
		af->path = NULL;
		return -ENOMEM;
	}
	fd = mkstemp(af->tmp);
	if (fd < 0) {
		err = -errno;
		free(af->tmp);
		free(af->path);
		memset(af, 0, sizeof(*af));
		return err;
	}
	fchmod(fd, 0600); /* as perf.data: reports name kernel symbols */
	af->f = fdopen(fd, "w");
	if (!af->f) {
		err = -errno;
		close(fd);
		unlink(af->tmp);
		free(af->tmp);
		free(af->path);
		memset(af, 0, sizeof(*af));
		return err;
	}
	return 0;
}

int mt_atomic_commit(struct mt_atomic_file *af)
{
	int err = 0;

	errno = 0;
	if (fflush(af->f) || ferror(af->f) || fsync(fileno(af->f)))
		err = errno ? -errno : -EIO;
	if (fclose(af->f) && !err)
		err = -errno;
	af->f = NULL;
	if (!err && rename(af->tmp, af->path))
		err = -errno;
	if (err)
		unlink(af->tmp);
	free(af->tmp);
	free(af->path);
	memset(af, 0, sizeof(*af));
	return err;
}

void mt_atomic_abort(struct mt_atomic_file *af)
{
	if (af->f)
		fclose(af->f);
	if (af->tmp)
		unlink(af->tmp);
	free(af->tmp);
	free(af->path);
	memset(af, 0, sizeof(*af));
}

void *mt_push(void *arrp, size_t *n, size_t *cap, size_t size)
{
	void **arr = arrp;
	char *q;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;

		q = realloc(*arr, ncap * size);
		if (!q)
			return NULL;
		*arr = q;
		*cap = ncap;
	}
	q = (char *)*arr + (*n)++ * size;
	memset(q, 0, size);
	return q;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
