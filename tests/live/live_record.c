// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Live tests of record/report, top and --openmetrics with the real binary and BPF:
 * - a recording of a known workload reports exactly the JSON the same invocation wrote
 *   live (record --json), field by field;
 * - an existing file is refused, and -f moves it aside only once the new one is complete;
 * - a recorder killed mid-trace, or stopped by a full disk, leaves a file that reports as
 *   truncated;
 * - top, not on a terminal, prints one block per interval whose rates add up to the
 *   workload's counted allocations; on a terminal (tmux) it redraws, quits on q and on
 *   Ctrl-C, and gives the terminal back as it found it;
 * - the metrics files pass promtool, and top --listen serves them over HTTP.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "harness.h"

static int skip_unless_root(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "skipped: live tests need root\n");
		return 1;
	}
	return 0;
}

static int run_cmd(char *const argv[], const char *out, const char *err, double timeout)
{
	struct child c = spawn(argv, out, err);
	int st = wait_exit(c.pid, timeout);

	close(c.in);
	close(c.out);
	return st;
}

/* Record the workload with -p; returns record's exit status. */
static int record_workload(const char *mode, long n, const char *rec, const char *json,
			   const char *prom, const char *flag)
{
	char *argv[16] = { (char *)memtrace, "record", "-o", (char *)rec };
	int i = 4, st;
	struct child mt;
	struct wl w;

	next_run(); /* fresh rec.err: never find an earlier run's "tracing" line */
	w = start_workload(mode, n);
	argv[i++] = "-p";
	argv[i++] = w.pidbuf;
	if (json) {
		argv[i++] = "--json";
		argv[i++] = (char *)json;
	}
	if (prom) {
		argv[i++] = "--openmetrics";
		argv[i++] = (char *)prom;
	}
	if (flag)
		argv[i++] = (char *)flag;
	argv[i] = NULL;
	mt = spawn(argv, run_file("rec.out"), run_file("rec.err"));
	if (!wait_file(run_file("rec.err"), "memtrace: tracing", 60)) {
		char *e = slurp(run_file("rec.err"));

		kill(mt.pid, SIGKILL);
		wait_exit(mt.pid, 10);
		end_workload(&w);
		print_message("record did not start: %s\n", e);
		free(e);
		return -1;
	}
	go_workload(&w);
	kill(mt.pid, SIGINT);
	st = wait_exit(mt.pid, 60);
	close(mt.in);
	close(mt.out);
	end_workload(&w);
	if (st) {
		char *e = slurp(run_file("rec.err"));

		print_message("record exited %d: %s\n", st, e);
		free(e);
	}
	return st;
}

/* Sum of key over the objects of the array at path (e.g. "slab.caches", "allocs"). */
static long long jsum(struct json_object *root, const char *arr_path, const char *key)
{
	struct json_object *a = root, *o;
	char buf[128], *tok, *save = NULL;
	long long n = 0;

	snprintf(buf, sizeof(buf), "%s", arr_path);
	for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
		assert_true(json_object_object_get_ex(a, tok, &a));
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		o = json_object_array_get_idx(a, i);
		n += jget(o, key);
	}
	return n;
}

/*
 * The per-process and per-cache tables must hold every counted event, including what the
 * per-CPU fronts (proc_slot, cache_front) had not yet moved into the hashes: with -p on a
 * single process, its row is the class total and the caches add up to it.
 */
static void assert_tables_complete(struct json_object *a)
{
	long long allocs = jget(a, "classes.kernel_logical.allocs");
	long long bytes = jget(a, "classes.kernel_logical.bytes_allocated");
	long long pages = jget(a, "classes.physical.allocs");

	assert_int_equal(jsum(a, "processes", "classes.kernel_logical.allocs"), allocs);
	assert_int_equal(jsum(a, "processes", "classes.kernel_logical.bytes_allocated"), bytes);
	assert_int_equal(jsum(a, "processes", "classes.physical.allocs"), pages);
	assert_int_equal(jsum(a, "slab.caches", "allocs"), allocs);
	assert_int_equal(jsum(a, "slab.caches", "bytes_allocated"), bytes);
}

static void test_round_trip(void **state)
{
	char rec[256], live[256], rep[256], prom[256];
	char *rargv[] = { (char *)memtrace, "report", rec, "--json", rep, NULL };
	struct json_object *a, *b, *run, *recorded;

	if (skip_unless_root())
		skip();
	next_run();
	snprintf(rec, sizeof(rec), "%s", run_file("mix.rec"));
	snprintf(live, sizeof(live), "%s", run_file("live.json"));
	snprintf(rep, sizeof(rep), "%s", run_file("report.json"));
	snprintf(prom, sizeof(prom), "%s", run_file("metrics.prom"));
	assert_int_equal(record_workload("mix", 3000, rec, live, prom, NULL), 0);
	assert_int_equal(run_cmd(rargv, run_file("report.out"), run_file("report.err"), 60), 0);

	a = json_object_from_file(live);
	b = json_object_from_file(rep);
	assert_non_null(a);
	assert_non_null(b);
	/* the workload's own work is there: 3,000 eventfds are at least 4 slab objects each */
	assert_true(jget(a, "classes.kernel_logical.allocs") >= 4 * 3000);
	assert_true(jget(a, "classes.physical.allocs") >= 3000);
	assert_true(json_object_object_get_ex(b, "run", &run));
	assert_true(json_object_object_get_ex(run, "recorded", &recorded));
	assert_false(json_object_get_boolean(json_object_object_get(recorded, "truncated")));
	json_object_object_del(run, "recorded");
	if (!json_object_equal(a, b))
		fail_msg("report differs from the live JSON:\nlive:   %s\nreport: %s",
			 json_object_to_json_string(a), json_object_to_json_string(b));
	assert_tables_complete(a);
	assert_tables_complete(b);
	print_message("report == live: kernel_logical.allocs %lld, physical.allocs %lld\n",
		      jget(a, "classes.kernel_logical.allocs"), jget(a, "classes.physical.allocs"));

	/* the metrics of the same run: promtool accepts them, the numbers are the JSON's */
	if (have_cmd("promtool")) {
		char cmd[400], want[128];
		char *m = slurp(prom);

		snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", prom);
		assert_int_equal(system(cmd), 0);
		snprintf(want, sizeof(want),
			 "memtrace_allocations_total{class=\"kernel_logical\"} %lld\n",
			 jget(a, "classes.kernel_logical.allocs"));
		assert_non_null(strstr(m, want));
		free(m);
	} else {
		print_message("promtool not installed: metrics not validated\n");
	}
	json_object_put(a);
	json_object_put(b);
}

/* -- CMD with fork following and --per-thread: the tree, the threads and the command's exit
 * come back from the file too. */
static void test_round_trip_command(void **state)
{
	char rec[256], live[256], rep[256];
	char *argv[] = { (char *)memtrace, "record", "-o",  rec,
			 "--per-thread",   "--json", live,  "--",
			 (char *)workload, "forks",  "300", NULL };
	char *rargv[] = { (char *)memtrace, "report", rec, "--json", rep, NULL };
	struct json_object *a, *b, *run;

	if (skip_unless_root())
		skip();
	next_run();
	snprintf(rec, sizeof(rec), "%s", run_file("cmd.rec"));
	snprintf(live, sizeof(live), "%s", run_file("cmd-live.json"));
	snprintf(rep, sizeof(rep), "%s", run_file("cmd-report.json"));
	assert_int_equal(run_cmd(argv, run_file("c.out"), run_file("c.err"), 120), 0);
	assert_int_equal(run_cmd(rargv, run_file("cr.out"), run_file("cr.err"), 60), 0);
	a = json_object_from_file(live);
	b = json_object_from_file(rep);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(jget(a, "run.scope.forks_followed"), 3);
	assert_true(json_object_object_get_ex(a, "threads", NULL));
	assert_true(json_object_object_get_ex(b, "run", &run));
	json_object_object_del(run, "recorded");
	if (!json_object_equal(a, b))
		fail_msg("report differs from the live JSON:\nlive:   %s\nreport: %s",
			 json_object_to_json_string(a), json_object_to_json_string(b));
	json_object_put(a);
	json_object_put(b);
}

static bool same_file(const char *x, const char *y)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "cmp -s %s %s", x, y);
	return system(cmd) == 0;
}

/* An existing file is refused untouched; -f keeps it as FILE.old, only at the end. */
static void test_force_moves_old_aside(void **state)
{
	char rec[256], saved[256], old[300], cmd[600];
	char *argv[] = { (char *)memtrace, "record", "-o", rec, "-d", "0.2", NULL };
	char *rargv[] = { (char *)memtrace, "report", rec, NULL };
	char *e;

	if (skip_unless_root())
		skip();
	next_run();
	snprintf(rec, sizeof(rec), "%s", run_file("f.rec"));
	snprintf(saved, sizeof(saved), "%s", run_file("saved.rec"));
	snprintf(old, sizeof(old), "%s.old", rec);
	assert_int_equal(record_workload("slab", 100, rec, NULL, NULL, NULL), 0);
	snprintf(cmd, sizeof(cmd), "cp %s %s", rec, saved);
	assert_int_equal(system(cmd), 0);

	assert_int_equal(run_cmd(argv, run_file("again.out"), run_file("again.err"), 60), 2);
	e = slurp(run_file("again.err"));
	assert_non_null(strstr(e, "exists (-f replaces it)"));
	free(e);
	assert_true(same_file(rec, saved));

	assert_int_equal(record_workload("slab", 200, rec, NULL, NULL, "-f"), 0);
	assert_true(same_file(old, saved)); /* the old recording, moved aside whole */
	assert_false(same_file(rec, saved));
	assert_int_equal(run_cmd(rargv, run_file("r.out"), run_file("r.err"), 60), 0);
	e = slurp(run_file("r.out"));
	assert_non_null(strstr(e, "kernel logical"));
	free(e);
	snprintf(cmd, sizeof(cmd), "test $(ls %s.tmp.* 2>/dev/null | wc -l) -eq 0", rec);
	assert_int_equal(system(cmd), 0); /* no temporary left */
}

/* SIGKILL while tracing: the header survives; report says truncated and exits 0. */
static void test_killed_recorder(void **state)
{
	char rec[256], json[256];
	char *argv[] = { (char *)memtrace, "record", "-o", rec, NULL };
	char *rargv[] = { (char *)memtrace, "report", rec, "--json", json, NULL };
	struct json_object *j;
	struct child mt;
	char *e;

	if (skip_unless_root())
		skip();
	next_run();
	snprintf(rec, sizeof(rec), "%s", run_file("killed.rec"));
	snprintf(json, sizeof(json), "%s", run_file("killed.json"));
	mt = spawn(argv, run_file("k.out"), run_file("k.err"));
	assert_true(wait_file(run_file("k.err"), "memtrace: tracing", 60));
	kill(mt.pid, SIGKILL);
	assert_int_equal(wait_exit(mt.pid, 10), 128 + SIGKILL);
	close(mt.in);
	close(mt.out);
	assert_int_equal(run_cmd(rargv, run_file("kr.out"), run_file("kr.err"), 60), 0);
	e = slurp(run_file("kr.err"));
	print_message("report of a killed recording: %s", e);
	assert_non_null(strstr(e, "is truncated (no END chunk"));
	free(e);
	e = slurp(run_file("kr.out"));
	assert_non_null(strstr(e, "WARNING   the recording is truncated"));
	free(e);
	j = json_object_from_file(json);
	assert_non_null(j);
	assert_int_equal(jget(j, "run.recorded.truncated"), 1);
	assert_int_equal(jget(j, "classes.kernel_logical.allocs"), 0); /* the maps were lost */
	json_object_put(j);
}

/* A full disk: exit 1 with the reason; what was written reports as truncated. */
static void test_record_on_full_disk(void **state)
{
	char dir[] = "/tmp/memtrace-recfull.XXXXXX", rec[300];
	char *argv[] = { (char *)memtrace, "record", "-o", rec, "-d", "0.3", NULL };
	char *rargv[] = { (char *)memtrace, "report", rec, NULL };
	char *e;

	if (skip_unless_root())
		skip();
	assert_non_null(mkdtemp(dir));
	/* room for the header, not for the compressed /proc/kallsyms (about 1 MiB) */
	assert_int_equal(mount("tmpfs", dir, "tmpfs", 0, "size=64k"), 0);
	snprintf(rec, sizeof(rec), "%s/full.rec", dir);
	next_run();
	assert_int_equal(run_cmd(argv, run_file("d.out"), run_file("d.err"), 60), 1);
	e = slurp(run_file("d.err"));
	print_message("%s", e);
	assert_non_null(strstr(e, "No space left on device"));
	assert_non_null(strstr(e, "reads as a truncated recording"));
	free(e);
	assert_int_equal(run_cmd(rargv, run_file("dr.out"), run_file("dr.err"), 60), 0);
	e = slurp(run_file("dr.err"));
	assert_non_null(strstr(e, "is truncated"));
	free(e);
	umount(dir);
	rmdir(dir);
}

/* "kernel logical   1,234   ..." -> allocs/s of the class row of one block */
static double class_rate(const char *block, const char *cls)
{
	const char *p = strstr(block, cls);
	char num[32];
	size_t n = 0;

	if (!p)
		return -1;
	p += strlen(cls);
	while (*p == ' ')
		p++;
	while ((*p >= '0' && *p <= '9') || *p == ',') {
		if (*p != ',' && n < sizeof(num) - 1)
			num[n++] = *p;
		p++;
	}
	num[n] = '\0';
	return atof(num);
}

/* Not a terminal: one block per interval, rates that add up to what was counted. */
static void test_top_blocks(void **state)
{
	char prom[256], cmd[400];
	char *argv[] = { (char *)memtrace, "top", "-i", "1", "-c", "4", "-p", NULL,
			 "--openmetrics",  prom,  NULL };
	char *out, *m, *p;
	double sum = 0;
	long long total;
	struct child mt;
	struct wl w;
	int blocks = 0;

	if (skip_unless_root())
		skip();
	next_run();
	snprintf(prom, sizeof(prom), "%s", run_file("top.prom"));
	w = start_workload("slab", 20000);
	argv[7] = w.pidbuf;
	mt = spawn(argv, run_file("top.out"), run_file("top.err"));
	/* the first block is idle: the workload waits for us */
	assert_true(wait_file(run_file("top.out"), "interval 1 ", 60));
	go_workload(&w);
	assert_int_equal(wait_exit(mt.pid, 60), 0);
	close(mt.in);
	close(mt.out);
	end_workload(&w);

	out = slurp(run_file("top.out"));
	for (p = out; (p = strstr(p, "memtrace top: interval ")); p++) {
		char want[64];
		double dt = 0;

		blocks++;
		snprintf(want, sizeof(want), "memtrace top: interval %d (", blocks);
		assert_true(strncmp(p, want, strlen(want)) == 0);
		assert_int_equal(sscanf(p + strlen(want), "%lf", &dt), 1);
		assert_true(dt > 0.5 && dt < 3);
		if (blocks == 1)
			assert_true(class_rate(p, "kernel logical") == 0);
		sum += class_rate(p, "kernel logical") * dt;
	}
	if (blocks != 4)
		print_message("%s", out);
	assert_int_equal(blocks, 4);
	assert_non_null(strstr(out, "workload"));

	/* the last metrics file holds the totals since start: the blocks add up to them,
	 * within the rounding of rates to whole numbers and of dt to 10 ms */
	m = slurp(prom);
	p = strstr(m, "memtrace_allocations_total{class=\"kernel_logical\"} ");
	assert_non_null(p);
	total = atoll(p + strlen("memtrace_allocations_total{class=\"kernel_logical\"} "));
	print_message("allocations: %lld counted, %.0f from the rates\n", total, sum);
	assert_true(total >= 4 * 20000);
	assert_true(sum > total * 0.98 - 10 && sum < total * 1.02 + 10);
	if (have_cmd("promtool")) {
		snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", prom);
		assert_int_equal(system(cmd), 0);
	}
	free(m);
	free(out);
}

/* On a terminal: redraws, q quits, Ctrl-C quits, and the terminal modes come back. */
static void top_in_tmux(const char *key)
{
	char session[64], cmd[1200], stty[256], done[256], pane[256];
	char *s;
	bool ok = false, redrawn = false, sent = false, quit = false;

	next_run();
	snprintf(session, sizeof(session), "mt-top-%d-%s", getpid(), key);
	snprintf(stty, sizeof(stty), "%s", run_file("stty"));
	snprintf(done, sizeof(done), "%s", run_file("done"));
	snprintf(pane, sizeof(pane), "%s", run_file("pane"));
	snprintf(cmd, sizeof(cmd),
		 "tmux new-session -d -s %s -x 100 -y 50 "
		 "'%s top -i 0.3 -p %d; echo $? > %s.tmp; stty -a > %s; mv %s.tmp %s; sleep 60'",
		 session, memtrace, getpid(), done, stty, done, done);
	assert_int_equal(system(cmd), 0);
	/* start-up takes 0.3 s on an idle machine, many seconds on a loaded one */
	for (int i = 0; i < 600 && !ok; i++) {
		usleep(100 * 1000);
		snprintf(cmd, sizeof(cmd), "tmux capture-pane -p -t %s > %s", session, pane);
		if (system(cmd) == 0) {
			s = slurp(pane);
			ok = strstr(s, "memtrace top: interval 2 ") && strstr(s, "(q quits");
			free(s);
		}
	}
	s = slurp(pane);
	if (!ok)
		print_message("pane:\n%s\n", s);
	/* redrawn in place: one block on the screen, not one per interval */
	redrawn = ok && !strstr(s, "interval 1 ");
	free(s);
	if (ok) {
		snprintf(cmd, sizeof(cmd), "tmux send-keys -t %s %s", session, key);
		sent = system(cmd) == 0;
		quit = sent && wait_file(done, "\n", 60);
	}
	/* never leave a session (and its memtrace) running when an assertion below fails */
	snprintf(cmd, sizeof(cmd), "tmux kill-session -t %s 2>/dev/null", session);
	if (system(cmd))
		print_message("tmux session %s already gone\n", session);
	assert_true(ok);
	assert_true(redrawn);
	assert_true(sent);
	assert_true(quit);
	s = slurp(done);
	assert_int_equal(atoi(s), 0);
	free(s);
	s = slurp(stty);
	/* canonical mode and echo are back on: "-icanon"/"-echo" would mean left broken */
	assert_non_null(strstr(s, " icanon"));
	assert_non_null(strstr(s, " echo "));
	free(s);
}

static void test_top_terminal(void **state)
{
	if (skip_unless_root())
		skip();
	if (!have_cmd("tmux")) {
		print_message("skipped: tmux is not installed\n");
		skip();
	}
	top_in_tmux("q");
	top_in_tmux("C-c");
}

/* A free loopback port: bind port 0, read it back, let it go. */
static int free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* GET path from 127.0.0.1:port; the whole response into buf. */
static void http_get(int port, const char *path, char *buf, size_t len)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	size_t got = 0;
	char req[128];
	ssize_t n;

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", path);
	assert_int_equal(write(fd, req, n), n);
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	close(fd);
}

/* top --listen: /metrics is the Prometheus text, anything else 404. */
static void test_top_listen(void **state)
{
	char spec[32], pid[16], prom[256], cmd[400];
	char *argv[] = { (char *)memtrace, "top", "-i", "0.3", "-c", "8", "-p", pid,
			 "--listen",	   spec,  NULL };
	static char buf[1 << 20];
	struct child mt;
	char *body;
	int port;
	FILE *f;

	if (skip_unless_root())
		skip();
	next_run();
	port = free_port();
	snprintf(spec, sizeof(spec), "127.0.0.1:%d", port);
	snprintf(pid, sizeof(pid), "%d", getpid());
	snprintf(prom, sizeof(prom), "%s", run_file("listen.prom"));
	mt = spawn(argv, run_file("l.out"), run_file("l.err"));
	assert_true(wait_file(run_file("l.out"), "interval 2 ", 60));
	http_get(port, "/metrics", buf, sizeof(buf));
	assert_true(strncmp(buf, "HTTP/1.0 200 OK\r\n", 17) == 0);
	assert_non_null(strstr(buf, "Content-Type: text/plain; version=0.0.4"));
	body = strstr(buf, "\r\n\r\n");
	assert_non_null(body);
	assert_non_null(strstr(body, "\nmemtrace_events_total "));
	if (have_cmd("promtool")) {
		f = fopen(prom, "w");
		assert_non_null(f);
		fputs(body + 4, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", prom);
		assert_int_equal(system(cmd), 0);
	}
	http_get(port, "/", buf, sizeof(buf));
	assert_true(strncmp(buf, "HTTP/1.0 404", 12) == 0);
	assert_int_equal(wait_exit(mt.pid, 60), 0);
	close(mt.in);
	close(mt.out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_command),
		cmocka_unit_test(test_force_moves_old_aside),
		cmocka_unit_test(test_killed_recorder),
		cmocka_unit_test(test_record_on_full_disk),
		cmocka_unit_test(test_top_blocks),
		cmocka_unit_test(test_top_terminal),
		cmocka_unit_test(test_top_listen),
	};

	return cmocka_run_group_tests_name("live record, report, top", tests, harness_setup,
					   harness_teardown);
}
