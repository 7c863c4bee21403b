// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Faults a user will meet: a full disk under --json, a reader that goes away (SIGPIPE),
 * and in every case nothing left loaded in the kernel and no half-written file.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

static bool all_gone(const int *ids, int n)
{
	for (int i = 0; i < n; i++) {
		bool gone = false;

		for (int tries = 0; tries < 50 && !gone; tries++) {
			gone = !prog_id_exists(ids[i]);
			if (!gone)
				usleep(100 * 1000);
		}
		if (!gone)
			return false;
	}
	return true;
}

/* --json into a full filesystem: an error, exit 1, and no file under the final name. */
static void test_json_on_full_disk(void **state)
{
	char dir[] = "/tmp/memtrace-full.XXXXXX", path[300], big[300];
	char *argv[] = { (char *)memtrace, "run", "-d", "0.5", "--json", path, NULL };
	struct child c;
	struct stat st;
	char *err;
	int status;
	FILE *f;

	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	assert_int_equal(mount("tmpfs", dir, "tmpfs", 0, "size=64k"), 0);
	snprintf(path, sizeof(path), "%s/report.json", dir);
	/* leave a few bytes: the temporary file can be created, the report cannot be written */
	snprintf(big, sizeof(big), "%s/filler", dir);
	f = fopen(big, "w");
	assert_non_null(f);
	for (int i = 0; i < 64 * 1024 && fputc('x', f) != EOF; i++)
		;
	fclose(f);
	truncate(big, 64 * 1024 - 4096 * 2);

	next_run();
	c = spawn(argv, run_file("full.out"), run_file("full.err"));
	status = wait_exit(c.pid, 60);
	close(c.in);
	close(c.out);
	err = slurp(run_file("full.err"));
	print_message("stderr: %s", err);
	assert_int_equal(status, 1);
	assert_non_null(strstr(err, "failed to write JSON"));
	assert_int_equal(stat(path, &st), -1);	/* no half file under the final name */
	assert_int_equal(errno, ENOENT);
	free(err);
	{
		char cmd[400];

		/* nor a leftover temporary: only the filler remains */
		snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1", dir);
		assert_int_equal(system(cmd), 0);
	}
	umount(dir);
	rmdir(dir);
}

/* The reader of the report goes away: memtrace dies of SIGPIPE or exits, leaving nothing. */
static void test_sigpipe_leaves_nothing_loaded(void **state)
{
	char *argv[] = { (char *)memtrace, "run", NULL };
	int ids[256], n, status;
	struct child c;
	bool tracing;

	if (geteuid() != 0)
		skip();
	next_run();
	/* stdout is a pipe we close before it writes the report */
	c = spawn(argv, NULL, run_file("pipe.err"));
	tracing = wait_file(run_file("pipe.err"), "memtrace: tracing", 60);
	n = prog_ids_of(c.pid, ids, 256);
	close(c.out);
	kill(c.pid, SIGINT);
	status = wait_exit(c.pid, 30);
	close(c.in);
	assert_true(tracing);
	assert_true(n > 0);
	print_message("exit status after the reader left: %d\n", status);
	assert_true(status == 128 + SIGPIPE || status == 1);
	assert_true(all_gone(ids, n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_on_full_disk),
		cmocka_unit_test(test_sigpipe_leaves_nothing_loaded),
	};

	return cmocka_run_group_tests_name("live robustness", tests, harness_setup,
					   harness_teardown);
}
