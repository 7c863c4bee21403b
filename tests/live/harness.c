// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "harness.h"

const char *memtrace = "build/memtrace";
const char *workload = "build/tests/workload";
static char tmpdir[] = "/tmp/memtrace-live.XXXXXX";
static int run_no;

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void next_run(void)
{
	run_no++;
}

const char *run_file(const char *name)
{
	static char buf[8][256];
	static int i;
	char *p = buf[i++ % 8];

	snprintf(p, 256, "%s/%d-%s", tmpdir, run_no, name);
	return p;
}

/* Start argv with stdout and stderr to files (or to pipes when out_path is NULL). */
struct child spawn(char *const argv[], const char *out_path, const char *err_path)
{
	struct child c = { .in = -1, .out = -1 };
	int in[2], out[2];

	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	c.pid = fork();
	assert_true(c.pid >= 0);
	if (c.pid == 0) {
		int o = out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : out[1];
		int e = err_path ? open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : 2;

		dup2(in[0], 0);
		dup2(o, 1);
		dup2(e, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c.in = in[1];
	c.out = out[0];
	return c;
}

char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t len = 0, cap = 4096, n;
	char *buf = malloc(cap);

	if (!buf)
		abort();
	buf[0] = '\0';
	if (!f)
		return buf;
	/* read to EOF: /proc files report size 0 */
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* Wait until the file contains needle; false after timeout seconds. */
bool wait_file(const char *path, const char *needle, double timeout)
{
	double end = now() + timeout;

	while (now() < end) {
		char *s = slurp(path);
		bool found = strstr(s, needle) != NULL;

		free(s);
		if (found)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

/* Read a line from the workload's stdout (it writes unbuffered, one line at a time). */
void read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		ssize_t r = read(fd, buf + n, 1);

		assert_true(r == 1);
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
}

/* The exit status (128+signal if killed), or -1 with pid still running after timeout s. */
static int wait_status(pid_t pid, double timeout)
{
	double end = now() + timeout;
	int st;

	while (now() < end) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		usleep(20 * 1000);
	}
	return -1;
}

static void kill_reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int wait_exit(pid_t pid, double timeout)
{
	int st = wait_status(pid, timeout);

	if (st < 0)
		kill_reap(pid);
	return st;
}

/* Print each thread's kernel stack: what a process that would not exit was waiting for. */
static void print_kernel_stacks(pid_t pid)
{
	char path[320], buf[2048];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		FILE *f;
		size_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		print_message("thread %s kernel stack:\n%s", e->d_name, buf);
	}
	closedir(d);
}

int wait_oracle(pid_t pid)
{
	double end = now() + ORACLE_EXIT_TIMEOUT;
	int st;

	while ((st = wait_status(pid, 2)) < 0 && now() < end)
		kill(pid, SIGINT);
	if (st < 0) {
		print_message("oracle %d still running %d s after SIGINT\n", pid,
			      ORACLE_EXIT_TIMEOUT);
		print_kernel_stacks(pid);
		kill_reap(pid);
	}
	return st;
}

bool have_cmd(const char *cmd)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "command -v %s >/dev/null 2>&1", cmd);
	return system(buf) == 0;
}

long long jget(struct json_object *root, const char *path)
{
	char buf[256], *save = NULL;
	struct json_object *o = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		if (!json_object_object_get_ex(o, k, &o)) {
			fail_msg("JSON has no %s", path);
			return -1;
		}
	}
	return json_object_get_int64(o);
}

/*
 * IDs of the BPF programs a process holds, from its fds' fdinfo ("prog_id:"), so programs
 * of other tracers running at the same time are never mistaken for memtrace's.
 */
int prog_ids_of(pid_t pid, int *ids, int max)
{
	char cmd[128], line[256];
	FILE *f;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "cat /proc/%d/fdinfo/* 2>/dev/null", pid);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		int id;
		bool dup = false;

		if (sscanf(line, "prog_id: %d", &id) != 1)
			continue;
		for (int i = 0; i < n; i++)
			dup |= ids[i] == id;
		if (!dup && n < max)
			ids[n++] = id;
	}
	pclose(f);
	return n;
}

bool prog_id_exists(int id)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "bpftool prog show id %d >/dev/null 2>&1", id);
	return system(cmd) == 0;
}

bool progs_gone(const int *ids, int n)
{
	for (int i = 0; i < n; i++) {
		bool gone = false;

		/* the kernel frees a program shortly after its last reference goes */
		for (int tries = 0; tries < 50 && !gone; tries++) {
			gone = !prog_id_exists(ids[i]);
			if (!gone)
				usleep(100 * 1000);
		}
		if (!gone) {
			print_message("BPF program id %d is still loaded\n", ids[i]);
			return false;
		}
	}
	return true;
}

long long prog_misses_of(pid_t pid)
{
	long long sum = 0;
	int ids[256], n = prog_ids_of(pid, ids, 256);

	for (int i = 0; i < n; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			sum += info.recursion_misses;
		close(fd);
	}
	return sum;
}

int harness_setup(void **state)
{
	const char *m = getenv("MEMTRACE"), *w = getenv("WORKLOAD");

	if (m)
		memtrace = m;
	if (w)
		workload = w;
	if (!mkdtemp(tmpdir))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int harness_teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd);
}

int skip_unless_live(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "skipped: live tests need root\n");
		return 1;
	}
	if (!have_cmd("bpftrace")) {
		fprintf(stderr, "skipped: bpftrace (the oracle) is not installed\n");
		return 1;
	}
	return 0;
}

int skip_unless_vmalloc_events(void)
{
	if (access("/sys/kernel/tracing/events/vmalloc/alloc_vmap_area", F_OK) &&
	    access("/sys/kernel/debug/tracing/events/vmalloc/alloc_vmap_area", F_OK)) {
		fprintf(stderr, "skipped: no vmalloc tracepoints on this kernel (< 6.4)\n");
		return 1;
	}
	return 0;
}

struct json_object *proc_of(struct json_object *mt, int tgid)
{
	struct json_object *procs;

	if (!json_object_object_get_ex(mt, "processes", &procs))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(procs); i++) {
		struct json_object *p = json_object_array_get_idx(procs, i);

		if (jget(p, "tgid") == tgid)
			return p;
	}
	return NULL;
}

struct wl start_workload(const char *mode, long n)
{
	char nbuf[32], line[64];
	char *argv[] = { (char *)workload, (char *)mode, nbuf, NULL };
	struct wl w;

	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	w.c = spawn(argv, NULL, NULL);
	read_line(w.c.out, line, sizeof(line));
	assert_int_equal(sscanf(line, "ready %d", &w.pid), 1);
	snprintf(w.pidbuf, sizeof(w.pidbuf), "%d", w.pid);
	return w;
}

void go_workload(struct wl *w)
{
	char line[64];

	assert_int_equal(write(w->c.in, "g", 1), 1);
	read_line(w->c.out, line, sizeof(line));
	assert_string_equal(line, "done");
}

void end_workload(struct wl *w)
{
	if (w->c.in >= 0)
		close(w->c.in);
	w->c.in = -1;
	assert_int_equal(wait_exit(w->pid, 10), 0);
	close(w->c.out);
}

struct json_object *stop_memtrace(struct child *c, int want_status)
{
	struct json_object *j;
	int status;

	kill(c->pid, SIGINT);
	status = wait_exit(c->pid, 180);
	close(c->in);
	close(c->out);
	if (status != want_status) {
		char *e = slurp(run_file("mt.err"));

		fail_msg("memtrace exited %d (want %d): %s", status, want_status, e);
	}
	j = json_object_from_file(run_file("mt.json"));
	assert_non_null(j);
	return j;
}

long long pair_tolerance(struct json_object *mt)
{
	long long missed = jget(mt, "run.lost.missed_runs");
	long long refused = jget(mt, "run.lost.outstanding_update_failed");

	if (missed || refused)
		print_message("missed runs %lld, refused updates %lld (system-wide)\n", missed,
			      refused);
	assert_int_equal(jget(mt, "run.lost.outstanding_table_full"), 0);
	assert_int_equal(jget(mt, "run.lost.call_site_table_full"), 0);
	return missed + refused;
}
