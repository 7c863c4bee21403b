// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Number formatting, strict command-line parsing and atomic file writes (src/sys/util.c).
 * The parsers guard every option memtrace takes, so each rejection path is exercised, and
 * a rejected value must leave the output untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sys/util.h"

/* ---- mt_fmt_bytes ---- */

static void assert_bytes(long long v, const char *want)
{
	char buf[32];

	assert_ptr_equal(mt_fmt_bytes(buf, sizeof(buf), v), buf);
	assert_string_equal(buf, want);
}

static void test_fmt_bytes(void **state)
{
	/* exact below 1 KiB */
	assert_bytes(0, "0 B");
	assert_bytes(1, "1 B");
	assert_bytes(1023, "1023 B");
	/* then one decimal of the largest binary unit that keeps the value >= 1 */
	assert_bytes(1024, "1.0 KiB");
	assert_bytes(1536, "1.5 KiB");
	assert_bytes(1024 * 1024 - 1024, "1023.0 KiB");
	assert_bytes(3 * 1024 * 1024 / 2, "1.5 MiB");
	assert_bytes(1LL << 30, "1.0 GiB");
	assert_bytes(5LL << 40, "5.0 TiB");
	assert_bytes(1LL << 50, "1.0 PiB");
	/* PiB is the last unit: 2^60 is 1024 PiB, not an out-of-range unit */
	assert_bytes(1LL << 60, "1024.0 PiB");
}

static void test_fmt_bytes_negative(void **state)
{
	/* net bytes go negative when more is freed than allocated: the sign stays */
	assert_bytes(-1, "-1 B");
	assert_bytes(-1023, "-1023 B");
	assert_bytes(-1536, "-1.5 KiB");
	assert_bytes(-(3LL << 20) / 2, "-1.5 MiB");
	/* -2^63 has no positive counterpart in long long: 8192 PiB, computed unsigned */
	assert_bytes(LLONG_MIN, "-8192.0 PiB");
}

/* A short buffer truncates, terminated, without writing past it (ASan watches). */
static void test_fmt_bytes_short_buffer(void **state)
{
	char *buf = malloc(4);

	assert_non_null(buf);
	mt_fmt_bytes(buf, 4, 3 << 20);
	assert_string_equal(buf, "3.0");
	free(buf);
}

/* ---- mt_fmt_count ---- */

static void assert_count(unsigned long long v, const char *want)
{
	char buf[32];

	assert_ptr_equal(mt_fmt_count(buf, sizeof(buf), v), buf);
	assert_string_equal(buf, want);
}

static void test_fmt_count(void **state)
{
	assert_count(0, "0");
	assert_count(7, "7");
	assert_count(999, "999");
	assert_count(1000, "1,000");
	assert_count(9999, "9,999");
	assert_count(100000, "100,000");
	assert_count(999999, "999,999");
	assert_count(1000000, "1,000,000");
	assert_count(1234567, "1,234,567");
	/* 20 digits: the widest a __u64 gets, 26 characters with separators */
	assert_count(UINT64_MAX, "18,446,744,073,709,551,615");
}

static void test_fmt_count_short_buffer(void **state)
{
	char *buf = malloc(6);

	assert_non_null(buf);
	mt_fmt_count(buf, 6, 1234567);
	/* whatever fits, always terminated inside the buffer */
	assert_true(strlen(buf) < 6);
	assert_memory_equal(buf, "1,23", strlen(buf));
	free(buf);
}

/* ---- mt_parse_seconds ---- */

static void assert_seconds(const char *s, double want)
{
	double v = -1;

	assert_int_equal(mt_parse_seconds(s, &v), 0);
	assert_true(v == want);
}

static void assert_seconds_bad(const char *s, int err)
{
	double v = 42;
	int ret = mt_parse_seconds(s, &v);

	if (err)
		assert_int_equal(ret, err);
	else
		assert_true(ret == -EINVAL || ret == -ERANGE);
	assert_true(v == 42); /* untouched on failure */
}

static void test_parse_seconds_good(void **state)
{
	assert_seconds("5", 5.0);
	assert_seconds("0.5", 0.5);
	assert_seconds(".5", 0.5);
	assert_seconds("5.", 5.0);
	assert_seconds("10.25", 10.25);
	/* strtod syntax is accepted whole, exponent included: "1e1" is ten seconds */
	assert_seconds("1e1", 10.0);
	/* the upper bound, a leap year of seconds, is allowed; a second more is not */
	assert_seconds("31622400", 366.0 * 24 * 3600);
}

static void test_parse_seconds_bad(void **state)
{
	assert_seconds_bad(NULL, -EINVAL);
	assert_seconds_bad("", -EINVAL);
	assert_seconds_bad("+5", -EINVAL);
	assert_seconds_bad(" 5", -EINVAL); /* strtod would skip the space */
	assert_seconds_bad("5 ", -EINVAL);
	assert_seconds_bad("abc", -EINVAL);
	assert_seconds_bad("5s", -EINVAL);
	assert_seconds_bad("nan", -EINVAL);
	assert_seconds_bad("inf", -EINVAL);
	assert_seconds_bad("infinity", -EINVAL);
	assert_seconds_bad(".", -EINVAL);
	/* numbers, but not durations a trace can run for; a minus sign says so too */
	assert_seconds_bad("-1", -ERANGE);
	assert_seconds_bad("-0.5", -ERANGE);
	assert_seconds_bad("0", -ERANGE);
	assert_seconds_bad("0.0", -ERANGE);
	assert_seconds_bad("31622401", -ERANGE);
	assert_seconds_bad("1e99", -ERANGE);
	/* beyond double: rejected, whichever of the two codes */
	assert_seconds_bad("1e999", 0);
}

/* ---- mt_parse_u32 ---- */

static void assert_u32(const char *s, unsigned int want)
{
	unsigned int v = 12345;

	assert_int_equal(mt_parse_u32(s, &v), 0);
	assert_int_equal(v, want);
}

static void assert_u32_bad(const char *s, int err)
{
	unsigned int v = 12345;
	int ret = mt_parse_u32(s, &v);

	if (err)
		assert_int_equal(ret, err);
	else
		assert_true(ret == -EINVAL || ret == -ERANGE);
	assert_int_equal(v, 12345);
}

static void test_parse_u32(void **state)
{
	assert_u32("0", 0);
	assert_u32("42", 42);
	assert_u32("007", 7); /* decimal, not octal */
	assert_u32("4294967295", UINT32_MAX);

	assert_u32_bad(NULL, -EINVAL);
	assert_u32_bad("", -EINVAL);
	assert_u32_bad("-1", -EINVAL); /* strtoull would wrap it to 2^64 - 1 */
	assert_u32_bad("+1", -EINVAL);
	assert_u32_bad(" 1", -EINVAL);
	assert_u32_bad("12x", -EINVAL);
	assert_u32_bad("0x10", -EINVAL);
	assert_u32_bad("1.5", -EINVAL);
	assert_u32_bad("4294967296", -ERANGE);
	/* beyond even unsigned long long: rejected, whichever of the two codes */
	assert_u32_bad("99999999999999999999999", 0);
}

/* ---- mt_atomic_* ---- */

struct tmpdir {
	char path[64];
};

static void tmpdir_make(struct tmpdir *d)
{
	snprintf(d->path, sizeof(d->path), "/tmp/mt-test-util.XXXXXX");
	assert_non_null(mkdtemp(d->path));
}

/* Entries in the directory other than . and ..; the one name, if exactly one, in *name. */
static int dir_entries(const struct tmpdir *d, char *name, size_t len)
{
	DIR *dir = opendir(d->path);
	struct dirent *e;
	int n = 0;

	assert_non_null(dir);
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (name)
			snprintf(name, len, "%s", e->d_name);
		n++;
	}
	closedir(dir);
	return n;
}

static void tmpdir_remove(struct tmpdir *d)
{
	DIR *dir = opendir(d->path);
	struct dirent *e;
	char p[512];

	assert_non_null(dir);
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", d->path, e->d_name);
		unlink(p);
	}
	closedir(dir);
	assert_int_equal(rmdir(d->path), 0);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = malloc(4096);
	size_t n;

	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, 4095, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_atomic_commit(void **state)
{
	struct mt_atomic_file af;
	struct tmpdir d;
	char path[128], name[256];
	struct stat st;
	char *got;

	tmpdir_make(&d);
	snprintf(path, sizeof(path), "%s/report.json", d.path);
	assert_int_equal(mt_atomic_open(&af, path), 0);
	assert_non_null(af.f);
	fputs("{\"ok\":true}\n", af.f);
	fflush(af.f);

	/* while writing, a reader sees no report.json at all, only a temporary beside it */
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(dir_entries(&d, name, sizeof(name)), 1);
	assert_true(!strncmp(name, "report.json.tmp.", 16));

	assert_int_equal(mt_atomic_commit(&af), 0);
	got = slurp(path);
	assert_string_equal(got, "{\"ok\":true}\n");
	free(got);
	/* the temporary became the file: nothing else is left */
	assert_int_equal(dir_entries(&d, name, sizeof(name)), 1);
	assert_string_equal(name, "report.json");
	/* a report can carry kernel addresses: 0600, owner only, whatever the umask */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* the handle is spent */
	assert_null(af.f);
	assert_null(af.tmp);
	assert_null(af.path);
	tmpdir_remove(&d);
}

/* Committing over an existing file replaces it whole. */
static void test_atomic_replace(void **state)
{
	struct mt_atomic_file af;
	struct tmpdir d;
	char path[128];
	char *got;
	FILE *f;

	tmpdir_make(&d);
	snprintf(path, sizeof(path), "%s/out.txt", d.path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("an older and much longer report\n", f);
	fclose(f);

	assert_int_equal(mt_atomic_open(&af, path), 0);
	fputs("new\n", af.f);
	/* until the commit, the old content is what is there */
	got = slurp(path);
	assert_string_equal(got, "an older and much longer report\n");
	free(got);
	assert_int_equal(mt_atomic_commit(&af), 0);
	got = slurp(path);
	assert_string_equal(got, "new\n");
	free(got);
	assert_int_equal(dir_entries(&d, NULL, 0), 1);
	tmpdir_remove(&d);
}

static void test_atomic_abort(void **state)
{
	struct mt_atomic_file af;
	struct tmpdir d;
	char path[128];

	tmpdir_make(&d);
	snprintf(path, sizeof(path), "%s/report.json", d.path);
	assert_int_equal(mt_atomic_open(&af, path), 0);
	fputs("half a report", af.f);
	mt_atomic_abort(&af);
	/* neither the final name nor the temporary survives */
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(dir_entries(&d, NULL, 0), 0);
	assert_null(af.f);
	assert_null(af.tmp);
	/* aborting twice (an error path after a failed step) is harmless */
	mt_atomic_abort(&af);
	tmpdir_remove(&d);
}

static void test_atomic_open_fails(void **state)
{
	struct mt_atomic_file af;

	memset(&af, 0x5a, sizeof(af));
	assert_int_equal(mt_atomic_open(&af, "/nonexistent-dir/memtrace/report.json"), -ENOENT);
	/* nothing to clean up, nothing dangling */
	assert_null(af.f);
	assert_null(af.tmp);
	assert_null(af.path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_bytes),
		cmocka_unit_test(test_fmt_bytes_negative),
		cmocka_unit_test(test_fmt_bytes_short_buffer),
		cmocka_unit_test(test_fmt_count),
		cmocka_unit_test(test_fmt_count_short_buffer),
		cmocka_unit_test(test_parse_seconds_good),
		cmocka_unit_test(test_parse_seconds_bad),
		cmocka_unit_test(test_parse_u32),
		cmocka_unit_test(test_atomic_commit),
		cmocka_unit_test(test_atomic_replace),
		cmocka_unit_test(test_atomic_abort),
		cmocka_unit_test(test_atomic_open_fails),
	};

	return cmocka_run_group_tests_name("formatting, parsing, atomic files", tests, NULL, NULL);
}
