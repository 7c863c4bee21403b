// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Faults a user will meet: a full disk under --json, a reader that goes away (SIGPIPE), a
 * traced command that crashes or is killed, and in every case nothing left loaded in the
 * kernel and no half-written file.
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
	assert_int_equal(stat(path, &st), -1); /* no half file under the final name */
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
	assert_true(progs_gone(ids, n));
}

/*
 * The traced command dies: memtrace still writes the whole report (text and JSON), says how
 * the command ended, exits 4 (the command failed) and leaves no program loaded. how: "segv"
 * (the command crashes on its own) or "kill" (SIGKILL from outside, here from the test).
 */
static void command_dies(const char *how, int sig)
{
	char json[256], n[16], *err, *out, *p, want[96];
	char *segv[] = { (char *)memtrace, "run",  "--json", json, "--",
			 (char *)workload, "segv", n,	     NULL };
	char *sleeper[] = { (char *)memtrace, "run", "--json", json, "--", "sleep", "60", NULL };
	int ids[256], nids, status, cmd_pid = 0;
	struct json_object *j;
	struct child c;

	if (geteuid() != 0)
		skip();
	next_run();
	snprintf(json, sizeof(json), "%s", run_file("dies.json"));
	snprintf(n, sizeof(n), "%d", 1000);
	c = spawn(!strcmp(how, "segv") ? segv : sleeper, run_file("dies.out"),
		  run_file("dies.err"));
	assert_true(wait_file(run_file("dies.err"), "memtrace: tracing", 60));
	nids = prog_ids_of(c.pid, ids, 256); /* the segv workload waits 0.5 s first */
	err = slurp(run_file("dies.err"));
	p = strstr(err, "(pid ");
	if (p)
		cmd_pid = atoi(p + 5);
	free(err);
	assert_true(cmd_pid > 0);
	assert_true(nids > 0);
	if (!strcmp(how, "kill")) {
		usleep(300 * 1000);
		assert_int_equal(kill(cmd_pid, SIGKILL), 0);
	}
	status = wait_exit(c.pid, 60);
	close(c.in);
	err = slurp(run_file("dies.err"));
	print_message("%s: exit %d, stderr: %s", how, status, err);
	assert_int_equal(status, 4);
	snprintf(want, sizeof(want), "memtrace: command killed by signal %d (%s)\n", sig,
		 strsignal(sig));
	assert_non_null(strstr(err, want));
	free(err);
	out = slurp(run_file("dies.out"));
	assert_non_null(strstr(out, "ADDRESS CLASSES"));
	free(out);
	j = json_object_from_file(json);
	assert_non_null(j);
	assert_int_equal(jget(j, "run.scope.signal"), sig);
	assert_int_equal(jget(j, "run.scope.pid"), cmd_pid);
	assert_int_equal(jget(j, "run.lost.total"), jget(j, "run.lost.missed_runs"));
	/* the crashing command did its 1,000 eventfds first: each is at least one allocation */
	if (!strcmp(how, "segv"))
		assert_true(jget(j, "classes.kernel_logical.allocs") >= 1000);
	json_object_put(j);
	assert_true(progs_gone(ids, nids));
}

static void test_command_segfaults(void **state)
{
	command_dies("segv", SIGSEGV);
}

static void test_command_killed(void **state)
{
	command_dies("kill", SIGKILL);
}

/* Peak resident memory of a process, in KiB (VmHWM). */
static long peak_rss_kib(pid_t pid)
{
	char path[64], *s, *p;
	long kib = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	s = slurp(path);
	p = strstr(s, "VmHWM:");
	if (p)
		kib = strtol(p + 6, NULL, 10);
	free(s);
	return kib;
}

/*
 * Load: two processes, one per core, allocate as fast as they can for LOAD_SECONDS
 * (default 60). memtrace must keep up or count what it drops, stay small, and count no
 * event twice: its totals for the two pids against bpftrace's for the same pids and window.
 */
static void test_load_two_cores(void **state)
{
	const char *env = getenv("LOAD_SECONDS");
	char secs[16], pids[64], line[64], script[1024], json[256];
	struct child w[2], bt, mt;
	long long bt_allocs = 0, bt_frees = 0, bt_missed, mt_missed;
	int pid[2], status;
	long rss;
	struct json_object *j;

	if (geteuid() != 0 || !have_cmd("bpftrace"))
		skip();
	snprintf(secs, sizeof(secs), "%s", env && *env ? env : "60");
	next_run();
	for (int i = 0; i < 2; i++) {
		char *argv[] = { (char *)workload, "slabsecs", secs, NULL };

		w[i] = spawn(argv, NULL, NULL);
		read_line(w[i].out, line, sizeof(line));
		assert_int_equal(sscanf(line, "ready %d", &pid[i]), 1);
	}
	snprintf(pids, sizeof(pids), "%d,%d", pid[0], pid[1]);
	snprintf(script, sizeof(script),
		 "BEGIN { printf(\"READY\\n\"); }\n"
		 "tracepoint:kmem:kmalloc, tracepoint:kmem:kmem_cache_alloc "
		 "/(pid == %d || pid == %d) && args->ptr != 0/ { @a = count(); }\n"
		 "tracepoint:kmem:kfree, tracepoint:kmem:kmem_cache_free "
		 "/(pid == %d || pid == %d) && (uint64)args->ptr > 16/ { @f = count(); }\n",
		 pid[0], pid[1], pid[0], pid[1]);
	{
		char *argv[] = { "bpftrace", "-e", script, NULL };

		bt = spawn(argv, run_file("bt.out"), run_file("bt.err"));
	}
	snprintf(json, sizeof(json), "%s", run_file("load.json"));
	{
		char *argv[] = { (char *)memtrace, "run", "-p", pids, "--json", json, NULL };

		mt = spawn(argv, run_file("mt.out"), run_file("mt.err"));
	}
	assert_true(wait_file(run_file("bt.out"), "READY", 60));
	assert_true(wait_file(run_file("mt.err"), "memtrace: tracing", 60));
	for (int i = 0; i < 2; i++)
		assert_int_equal(write(w[i].in, "g", 1), 1);
	for (int i = 0; i < 2; i++) {
		read_line(w[i].out, line, sizeof(line));
		assert_string_equal(line, "done");
	}
	rss = peak_rss_kib(mt.pid);
	bt_missed = prog_misses_of(bt.pid);
	kill(mt.pid, SIGINT);
	kill(bt.pid, SIGINT);
	status = wait_exit(mt.pid, 120);
	assert_int_equal(wait_oracle(bt.pid), 0);
	for (int i = 0; i < 2; i++) {
		close(w[i].in);
		assert_int_equal(wait_exit(w[i].pid, 10), 0);
		close(w[i].out);
	}
	assert_int_equal(status, 0);
	{
		char *o = slurp(run_file("bt.out")), *p;

		if ((p = strstr(o, "@a: ")))
			bt_allocs = atoll(p + 4);
		if ((p = strstr(o, "@f: ")))
			bt_frees = atoll(p + 4);
		free(o);
	}
	j = json_object_from_file(json);
	assert_non_null(j);
	mt_missed = jget(j, "run.lost.missed_runs");
	print_message("load: %s s, bpftrace allocs %lld frees %lld; memtrace allocs %lld frees "
		      "%lld; missed runs memtrace %lld oracle %lld; memtrace peak RSS %ld KiB\n",
		      secs, bt_allocs, bt_frees, jget(j, "classes.kernel_logical.allocs"),
		      jget(j, "classes.kernel_logical.frees"), mt_missed, bt_missed, rss);
	assert_true(bt_allocs > 0);
	/* nothing lost but counted missed runs */
	assert_int_equal(jget(j, "run.lost.total"), mt_missed);
	assert_count(jget(j, "classes.kernel_logical.allocs"), bt_allocs, mt_missed, bt_missed);
	assert_count(jget(j, "classes.kernel_logical.frees"), bt_frees, mt_missed, bt_missed);
	/* bounded memory: maps are sized up front, user space keeps no per-event state */
	assert_true(rss > 0 && rss < 64 * 1024);
	json_object_put(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_on_full_disk),
		cmocka_unit_test(test_sigpipe_leaves_nothing_loaded),
		cmocka_unit_test(test_command_segfaults),
		cmocka_unit_test(test_command_killed),
		cmocka_unit_test(test_load_two_cores),
	};

	return cmocka_run_group_tests_name("live robustness", tests, harness_setup,
					   harness_teardown);
}
