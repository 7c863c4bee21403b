// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The in-guest live tests of `make vmtest`: one small static binary run by tests/vm/init on
 * each kernel. There is no bpftrace in the guest, so the oracles are the numbers the
 * workload implies (N eventfd/close -> at least N kmallocs and kfrees of one kmalloc size;
 * N touched pages -> at least N order-0 pages), the classic-tracepoint fallback
 * (`--force-tracepoint`) run at the same time on the same pid (the two must agree exactly,
 * within the runs the kernel reports it skipped), and the report's own invariants (nothing
 * lost, zones summing to the page total, every kfree sized).
 *
 * Each test names the capabilities it needs; without them it is reported as skipped, with
 * the reason, never passed. Output, one line per test, read by tests/vm/run.sh:
 *   VMTEST-CAPS key=value ...
 *   VMTEST-RESULT <test> PASS|FAIL|SKIP <detail>
 *   N passed, N failed, N skipped
 * usage: vmcheck [TEST...]   (MEMTRACE and WORKLOAD name the binaries; default /bin/...)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "sys/minijson.h"

static const char *memtrace = "/bin/memtrace";
static const char *workload = "/bin/workload";
static bool verbose; /* --verbose: memtrace -v -v, and its stderr on the console on failure */

/* ---- verdicts ---- */

enum verdict {
	PASS,
	FAIL,
	SKIP
};
static const char *const verdict_name[] = { "PASS", "FAIL", "SKIP" };
static enum verdict verdict;
static char detail[1024];

static void set_verdict(enum verdict v, const char *fmt, ...)
{
	va_list ap;

	if (verdict != PASS)
		return; /* the first failure or skip is the one reported */
	verdict = v;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
}

/* Add a note to a passing test's detail (what was measured). */
static void note(const char *fmt, ...)
{
	size_t len = strlen(detail);
	va_list ap;

	if (verdict != PASS || len + 2 >= sizeof(detail))
		return;
	if (len)
		detail[len++] = ' ';
	va_start(ap, fmt);
	vsnprintf(detail + len, sizeof(detail) - len, fmt, ap);
	va_end(ap);
}

#define SKIP_UNLESS(cond, ...)                                                                     \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			set_verdict(SKIP, __VA_ARGS__);                                            \
			return;                                                                    \
		}                                                                                  \
	} while (0)
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			set_verdict(FAIL, __VA_ARGS__);                                            \
			return;                                                                    \
		}                                                                                  \
	} while (0)
/* An integer from a report; a missing key fails the test (never read as 0). */
#define JINT(var, j, path)                                                                         \
	do {                                                                                       \
		if (!mj_int((j), (path), &(var))) {                                                \
			set_verdict(FAIL, "report has no %s", (path));                             \
			return;                                                                    \
		}                                                                                  \
	} while (0)
/* Call a helper that may fail the test; stop this test if it did. */
#define STEP(call)                                                                                 \
	do {                                                                                       \
		call;                                                                              \
		if (verdict != PASS)                                                               \
			return;                                                                    \
	} while (0)

/* ---- capabilities of this kernel ---- */

struct caps {
	char release[128], machine[72];
	bool btf_builtin; /* /sys/kernel/btf/vmlinux */
	bool btf_file;	  /* a detached /boot/vmlinux-RELEASE (generated with pahole) */
	bool kmem_tp, vmalloc_tp, dma_tp, swiotlb_tp;
	bool kprobes; /* CONFIG_KPROBE_EVENTS: tracefs has kprobe_events */
	bool highmem; /* /proc/zoneinfo has a HighMem zone */
	bool disk;    /* /dev/sda: an AHCI disk for the DMA tests */
	int jit;      /* net.core.bpf_jit_enable, -1 unknown */
};

static struct caps caps;
static bool kernel_older(int major, int minor);

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static char *slurp(const char *path)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (!buf)
		return NULL;
	buf[0] = '\0';
	if (fd < 0)
		return buf;
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *b = realloc(buf, cap *= 2);

			if (!b)
				break;
			buf = b;
		}
	}
	buf[len] = '\0';
	close(fd);
	return buf;
}

static void probe_caps(void)
{
	struct utsname u;
	char path[256], *s;

	uname(&u);
	snprintf(caps.release, sizeof(caps.release), "%s", u.release);
	snprintf(caps.machine, sizeof(caps.machine), "%s", u.machine);
	snprintf(path, sizeof(path), "/boot/vmlinux-%s", u.release);
	caps.btf_builtin = exists("/sys/kernel/btf/vmlinux");
	caps.btf_file = exists(path);
	caps.kmem_tp = exists("/sys/kernel/tracing/events/kmem/kmalloc");
	caps.vmalloc_tp = exists("/sys/kernel/tracing/events/vmalloc/alloc_vmap_area");
	caps.dma_tp = exists("/sys/kernel/tracing/events/dma");
	caps.swiotlb_tp = exists("/sys/kernel/tracing/events/swiotlb/swiotlb_bounced");
	caps.kprobes = exists("/sys/kernel/tracing/kprobe_events");
	s = slurp("/proc/zoneinfo");
	caps.highmem = s && strstr(s, "zone  HighMem");
	free(s);
	caps.disk = exists("/dev/sda");
	s = slurp("/proc/sys/net/core/bpf_jit_enable");
	caps.jit = s && *s ? atoi(s) : -1;
	free(s);
	printf("VMTEST-CAPS release=%s arch=%s btf=%s kmem_tp=%d vmalloc_tp=%d dma_tp=%d "
	       "swiotlb_tp=%d kprobes=%d highmem=%d disk=%d jit=%d\n",
	       caps.release, caps.machine,
	       caps.btf_builtin ? "builtin" :
	       caps.btf_file	? "file" :
				  "none",
	       caps.kmem_tp, caps.vmalloc_tp, caps.dma_tp, caps.swiotlb_tp, caps.kprobes,
	       caps.highmem, caps.disk, caps.jit);
}

/* ---- processes ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct child {
	pid_t pid;
	int in, out; /* its stdin (we write), its stdout when not sent to a file */
	int status;  /* exit status once reaped, 128+signal if killed, -1 running */
};

static struct child spawn(char *const argv[], const char *out_path, const char *err_path)
{
	struct child c = { .pid = -1, .in = -1, .out = -1, .status = -1 };
	int in[2], out[2];

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return c;
	c.pid = fork();
	if (c.pid == 0) {
		int o = out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : out[1];
		int e = err_path ? open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : 2;

		dup2(in[0], 0);
		dup2(o, 1);
		dup2(e, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c.in = in[1];
	c.out = out[0];
	return c;
}

/* Reap c within timeout seconds (kill it after); true when it exited by itself. */
static bool reap(struct child *c, double timeout)
{
	double end = now() + timeout;
	int st;

	while (c->status < 0) {
		pid_t r = waitpid(c->pid, &st, WNOHANG);

		if (r == c->pid) {
			c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			break;
		}
		if (now() > end) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, &st, 0);
			c->status = 128 + SIGKILL;
			return false;
		}
		usleep(20 * 1000);
	}
	return true;
}

static void close_child(struct child *c)
{
	if (c->in >= 0)
		close(c->in);
	if (c->out >= 0)
		close(c->out);
	c->in = c->out = -1;
	if (c->status < 0)
		reap(c, 30);
}

static bool read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		if (read(fd, buf + n, 1) != 1)
			return false;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return true;
}

/* Wait until a file contains needle, or the child dies; false on either or on timeout. */
static bool wait_for(struct child *c, const char *path, const char *needle, double timeout)
{
	double end = now() + timeout;

	while (now() < end) {
		char *s = slurp(path);
		bool found = s && strstr(s, needle);
		int st;

		free(s);
		if (found)
			return true;
		if (waitpid(c->pid, &st, WNOHANG) == c->pid) {
			c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			return false;
		}
		usleep(50 * 1000);
	}
	return false;
}

/* A memtrace's whole stderr on the console, when a run fails and --verbose was given. */
static void dump(const char *path)
{
	char *s = slurp(path), *save = NULL;

	if (!verbose || !s)
		return;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		printf("VMTEST-LOG %s\n", l);
	free(s);
}

/* The last line of a file, for failure messages. */
static void last_line(const char *path, char *buf, size_t len)
{
	char *s = slurp(path), *end, *start;

	buf[0] = '\0';
	if (!s)
		return;
	end = s + strlen(s);
	while (end > s && end[-1] == '\n')
		*--end = '\0';
	start = strrchr(s, '\n');
	snprintf(buf, len, "%s", start ? start + 1 : s);
	free(s);
}

static struct mj *load_json(const char *path)
{
	char *s = slurp(path), err[128];
	struct mj *j;

	if (!s || !*s) {
		free(s);
		set_verdict(FAIL, "no JSON report in %s", path);
		return NULL;
	}
	j = mj_parse(s, err, sizeof(err));
	free(s);
	if (!j)
		set_verdict(FAIL, "JSON report does not parse: %s", err);
	return j;
}

/* ---- memtrace runs ---- */

static int run_no;

struct mtrun {
	struct child c;
	char json[64], out[64], err[64];
	struct mj *report;
	bool signalled; /* SIGINT sent: the trace is ending */
};

/* Start `memtrace run ARGS --json FILE`; mt_started() waits until it is tracing. */
static void mt_spawn(struct mtrun *m, const char *tag, const char *const args[])
{
	char *argv[16];
	int n = 0;

	snprintf(m->json, sizeof(m->json), "/tmp/%d-%s.json", run_no, tag);
	snprintf(m->out, sizeof(m->out), "/tmp/%d-%s.out", run_no, tag);
	snprintf(m->err, sizeof(m->err), "/tmp/%d-%s.err", run_no, tag);
	argv[n++] = (char *)memtrace;
	argv[n++] = "run";
	if (verbose)
		argv[n++] = "-vv";
	for (int i = 0; args[i] && n < 12; i++)
		argv[n++] = (char *)args[i];
	argv[n++] = "--json";
	argv[n++] = m->json;
	argv[n] = NULL;
	m->report = NULL;
	m->signalled = false;
	m->c = spawn(argv, m->out, m->err);
	if (m->c.pid < 0)
		set_verdict(FAIL, "cannot start memtrace");
}

/* Wait until a spawned memtrace says it is tracing; kill it if it never does. */
static void mt_started(struct mtrun *m, const char *tag)
{
	if (m->c.pid < 0)
		return;
	/* TCG is slow: start-up (calibration, load, attach) takes seconds here */
	if (!wait_for(&m->c, m->err, "memtrace: tracing", 180)) {
		char line[256];

		last_line(m->err, line, sizeof(line));
		dump(m->err);
		if (m->c.status < 0) {
			kill(m->c.pid, SIGKILL);
			reap(&m->c, 10);
		}
		set_verdict(FAIL, "memtrace (%s) did not start tracing (exit %d): %s", tag,
			    m->c.status, line);
	}
}

static void mt_start(struct mtrun *m, const char *tag, const char *const args[])
{
	mt_spawn(m, tag, args);
	if (verdict == PASS)
		mt_started(m, tag);
}

/* End the trace (SIGINT, once); mt_stop() waits for the report. */
static void mt_signal(struct mtrun *m)
{
	if (m->c.pid > 0 && m->c.status < 0 && !m->signalled)
		kill(m->c.pid, SIGINT);
	m->signalled = true;
}

/* SIGINT it, wait for the report, parse it. */
static void mt_stop(struct mtrun *m)
{
	char line[256];

	mt_signal(m);
	reap(&m->c, 120);
	close_child(&m->c);
	if (m->c.status != 0) {
		last_line(m->err, line, sizeof(line));
		dump(m->err);
		set_verdict(FAIL, "memtrace exited %d: %s", m->c.status, line);
		return;
	}
	m->report = load_json(m->json);
}

static void mt_free(struct mtrun *m)
{
	mj_free(m->report);
	m->report = NULL;
}

/*
 * The workload under two memtraces at once, both filtered on its pid and attached before it
 * starts: the default (fast) path and the classic-tracepoint fallback, the oracle for it.
 */
struct pair {
	struct mtrun fast, classic;
	int pid;
	long long tol;	    /* runs the kernel reported skipped, by either */
	bool classic_lossy; /* the kernel skips classic runs without counting them */
	bool differ;	    /* some count differed (within what is allowed) */
};

static void trace_pair(const char *mode, long n, struct pair *p)
{
	char nbuf[32], line[64], pidbuf[16];
	char *wargv[] = { (char *)workload, (char *)mode, nbuf, NULL };
	struct child w;

	memset(p, 0, sizeof(*p));
	run_no++;
	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	w = spawn(wargv, NULL, NULL);
	CHECK(w.pid > 0 && read_line(w.out, line, sizeof(line)) &&
		      sscanf(line, "ready %d", &p->pid) == 1,
	      "workload did not start");
	snprintf(pidbuf, sizeof(pidbuf), "%d", p->pid);
	{
		const char *fa[] = { "-p", pidbuf, NULL };
		const char *ca[] = { "-p", pidbuf, "--force-tracepoint", NULL };

		/*
		 * Both start at once, each on its own vCPU: start-up (calibration, BTF,
		 * verifier) is most of a test's time under TCG. The workload waits for `g`,
		 * sent once both say they are tracing. Not on the 32-bit guest: there (6.1
		 * 686-pae, kprobes on kmap) two start-ups at once locked both CPUs up once.
		 */
		bool together = sizeof(long) == 8;

		mt_spawn(&p->fast, "fast", fa);
		if (verdict == PASS && !together)
			mt_started(&p->fast, "fast");
		if (verdict == PASS)
			mt_spawn(&p->classic, "classic", ca);
		if (verdict == PASS && together)
			mt_started(&p->fast, "fast");
		if (verdict == PASS)
			mt_started(&p->classic, "classic");
	}
	if (verdict == PASS) {
		if (write(w.in, "g", 1) != 1 || !read_line(w.out, line, sizeof(line)) ||
		    strcmp(line, "done"))
			set_verdict(FAIL, "workload did not finish");
	}
	/* both stop at once too: each detaches, reads its maps and writes its report */
	mt_signal(&p->fast);
	mt_signal(&p->classic);
	if (p->fast.c.pid > 0)
		mt_stop(&p->fast);
	if (p->classic.c.pid > 0)
		mt_stop(&p->classic);
	close_child(&w);
	CHECK(w.status == 0, "workload exited %d", w.status);
}

static void pair_free(struct pair *p)
{
	mt_free(&p->fast);
	mt_free(&p->classic);
}

static bool str_is(struct mj *j, const char *path, const char *want)
{
	const char *s = mj_str(j, path);

	return s && !strcmp(s, want);
}

/* Nothing lost but runs the kernel itself skipped (and said so); the attach path is right. */
static void check_complete(struct pair *p)
{
	long long lost, missed, tol = 0;
	struct mtrun *runs[] = { &p->fast, &p->classic };

	for (int i = 0; i < 2; i++) {
		struct mj *r = runs[i]->report;

		JINT(lost, r, "run.lost.total");
		JINT(missed, r, "run.lost.missed_runs");
		CHECK(lost == missed, "%s: lost.total %lld beyond %lld missed runs",
		      i ? "classic" : "fast", lost, missed);
		tol += missed;
	}
	p->tol = tol;
	/*
	 * A classic tracepoint program is skipped while any other classic or kprobe program
	 * runs on the CPU (bpf_prog_active: an interrupt freeing memory over it); the kernel
	 * counts those skips in recursion_misses only since 6.7 (trace_call_bpf). Before, the
	 * classic oracle may be below the fast path by skips nobody reports.
	 */
	p->classic_lossy = kernel_older(6, 7);
	CHECK(str_is(p->classic.report, "run.attach", "tracepoint"),
	      "--force-tracepoint attached '%s', not 'tracepoint'",
	      mj_str(p->classic.report, "run.attach"));
	/* with the kernel's own BTF the fast path must be taken; a detached BTF (686-pae) does
	 * not allow tp_btf, and memtrace falls back to classic tracepoints by itself */
	if (caps.btf_builtin)
		CHECK(str_is(p->fast.report, "run.attach", "tp_btf/raw_tp"),
		      "fast path attached '%s', not 'tp_btf/raw_tp'",
		      mj_str(p->fast.report, "run.attach"));
	if (tol)
		note("(%lld runs skipped by the kernel: counts compared within that)", tol);
}

/*
 * fast == classic for a count, within the skipped runs (exact when none were); where the
 * kernel does not count classic skips, classic may only be lower.
 */
static void agree(struct pair *p, const char *path)
{
	long long f, c;

	JINT(f, p->fast.report, path);
	JINT(c, p->classic.report, path);
	if (f == c)
		return;
	p->differ = true;
	if (p->classic_lossy && c < f) {
		note("%s: classic %lld below fast %lld (%s counts no classic skips);", path, c, f,
		     caps.release);
		return;
	}
	CHECK((f < c ? c - f : f - c) <= p->tol,
	      "%s: fast path %lld, classic tracepoints %lld (tolerance %lld)", path, f, c, p->tol);
}

/* Bytes agree exactly when no run was skipped and every count agreed. */
static void agree_bytes(struct pair *p, const char *path)
{
	if (!p->tol && !p->differ)
		agree(p, path);
}

/* ---- the tests ---- */

/* This kernel is older than major.minor. */
static bool kernel_older(int major, int minor)
{
	int ma = 0, mi = 0;

	sscanf(caps.release, "%d.%d", &ma, &mi);
	return ma < major || (ma == major && mi < minor);
}

static bool have_btf(void)
{
	return caps.btf_builtin || caps.btf_file;
}

/*
 * One system-wide `memtrace run -d 1` serves every test that looks at what a default run
 * does on this kernel (run_json, need_class, full_load's fast path): under TCG a start-up
 * costs seconds. Made on first use; a failed one is not kept (the next test that needs it
 * tries again, and reports its own failure).
 */
static struct mtrun system_run_m;
static struct mj *system_report; /* its report, once it succeeded */

static struct mtrun *system_run(void)
{
	const char *args[] = { "-d", "1", NULL };

	if (system_report)
		return &system_run_m;
	run_no++;
	mt_start(&system_run_m, "sys", args);
	if (verdict == PASS)
		mt_stop(&system_run_m);
	if (verdict != PASS) {
		mt_free(&system_run_m);
		return NULL;
	}
	system_report = system_run_m.report;
	return &system_run_m;
}

/* memtrace run -d 1, system-wide: exit 0, a report that parses and describes this kernel. */
static void test_run_json(void)
{
	long long v, sized;
	struct mtrun *m;
	char *text;

	SKIP_UNLESS(have_btf(), "no BTF for %s", caps.release);
	STEP(m = system_run());
	CHECK(str_is(m->report, "kernel.release", caps.release), "kernel.release is '%s'",
	      mj_str(m->report, "kernel.release"));
	JINT(v, m->report, "schema_version");
	CHECK(v == 1, "schema_version %lld", v);
	JINT(v, m->report, "run.events");
	CHECK(v > 0, "no event counted system-wide in 1 s");
	JINT(sized, m->report, "kernel.kfree_sized");
	CHECK(sized, "kfree sizes unknown: calibration of the direct map failed");
	text = slurp(m->out);
	CHECK(text && strstr(text, "ADDRESS CLASSES"), "text report missing");
	free(text);
	note("attach=%s events=%lld", mj_str(m->report, "run.attach"), v);
}

/*
 * Pairing with frees charged to their owner (issue 6): the outstanding map and the
 * owner_frees path are pruned by the verifier unless --outstanding is given, so only a
 * paired run proves they load on this kernel. System-wide, so the free path runs a lot.
 */
static void test_owner(void)
{
	const char *args[] = { "-d", "1", "--outstanding", NULL };
	struct mtrun m;
	long long v;

	SKIP_UNLESS(have_btf(), "no BTF for %s", caps.release);
	run_no++;
	STEP(mt_start(&m, "owner", args));
	STEP(mt_stop(&m));
	CHECK(str_is(m.report, "run.scope.frees_charged_to", "owner"),
	      "run.scope.frees_charged_to is '%s'", mj_str(m.report, "run.scope.frees_charged_to"));
	JINT(v, m.report, "outstanding.classes.kernel_logical.paired_frees");
	CHECK(v > 0, "no slab free paired system-wide in 1 s");
	note("paired slab frees %lld", v);
	mt_free(&m);
}

/*
 * N x (eventfd + close): every eventfd kmallocs its context and close kfrees it, in the
 * workload's own context, so one kmalloc size class sees >= N allocations and >= N frees.
 * The kfree's size comes from the slab page itself (compound head, slab flag or page_type,
 * slab_cache->size): frees_unsized == 0 proves this kernel's page layout is decoded.
 */
static void test_slab(void)
{
	const long n = 2000;
	long long allocs, frees, unsized, best = 0;
	struct mj *caches;
	struct pair p;
	bool found = false;

	SKIP_UNLESS(have_btf(), "no BTF for %s", caps.release);
	SKIP_UNLESS(caps.kmem_tp, "no kmem tracepoints");
	STEP(trace_pair("slab", n, &p));
	STEP(check_complete(&p));
	for (int i = 0; i < 2; i++) {
		struct mj *r = i ? p.classic.report : p.fast.report;
		const char *who = i ? "classic" : "fast";

		JINT(allocs, r, "classes.kernel_logical.allocs");
		JINT(frees, r, "classes.kernel_logical.frees");
		JINT(unsized, r, "classes.kernel_logical.frees_unsized");
		CHECK(allocs >= n, "%s: %lld slab allocations for %ld eventfds", who, allocs, n);
		CHECK(frees >= n, "%s: %lld slab frees for %ld closes", who, frees, n);
		CHECK(unsized == 0, "%s: %lld of %lld kfree sizes unknown on %s", who, unsized,
		      frees, caps.release);
	}
	caches = mj_get(p.fast.report, "slab.caches");
	for (size_t i = 0; mj_at(caches, i); i++) {
		struct mj *c = mj_at(caches, i);
		long long a, f;

		if (!str_is(c, "kind", "kmalloc") || !mj_int(c, "allocs", &a) ||
		    !mj_int(c, "frees", &f))
			continue;
		if (a >= n && f >= n) {
			found = true;
			note("eventfd ctx in %s: %lld allocs %lld frees;", mj_str(c, "name"), a, f);
			break;
		}
		if (a > best)
			best = a;
	}
	CHECK(found, "no kmalloc size class with >= %ld allocs and frees (best %lld allocs)", n,
	      best);
	STEP(agree(&p, "classes.kernel_logical.allocs"));
	STEP(agree(&p, "classes.kernel_logical.frees"));
	STEP(agree(&p, "classes.kernel_logical.failures"));
	STEP(agree(&p, "classes.kernel_logical.null_frees"));
	STEP(agree(&p, "classes.kernel_logical.frees_unsized"));
	STEP(agree_bytes(&p, "classes.kernel_logical.bytes_allocated"));
	STEP(agree_bytes(&p, "classes.kernel_logical.bytes_requested"));
	STEP(agree_bytes(&p, "classes.kernel_logical.bytes_freed"));
	JINT(allocs, p.fast.report, "classes.kernel_logical.allocs");
	JINT(frees, p.fast.report, "classes.kernel_logical.frees");
	note("allocs %lld frees %lld, fast %s classic", allocs, frees, p.differ ? "~" : "==");
	pair_free(&p);
}

/* The kmalloc-SIZE row of a report: allocs, frees, bytes freed; -1 each when absent. */
static void kmalloc_row(struct mj *r, long size, long long *a, long long *f, long long *bf)
{
	struct mj *caches = mj_get(r, "slab.caches");
	char name[32];

	*a = *f = *bf = -1;
	snprintf(name, sizeof(name), "kmalloc-%ld", size);
	for (size_t i = 0; mj_at(caches, i); i++) {
		struct mj *c = mj_at(caches, i);

		if (str_is(c, "name", name) && (!mj_int(c, "allocs", a) || !mj_int(c, "frees", f) ||
						!mj_int(c, "bytes_freed", bf)))
			set_verdict(FAIL, "%s row incomplete", name);
	}
}

/*
 * kfree() learns an object's size from its page: the compound head (6.x: compound_head;
 * 7.x: compound_info, possibly a mask), then the slab flag or page_type and
 * slab_cache->size, or the order of a large kmalloc's pages (6.1: page[1].compound_order;
 * 6.6+: folio->_flags_1). getxattr() kvzalloc()s its buffer and kvfree()s it before
 * returning, so N calls with a buffer of SIZE make N kmallocs and N kfrees of kmalloc-SIZE:
 * 2048 and 4096 live in multi-page slabs (most objects in tail pages), 65536 is a large
 * kmalloc (order-4 pages). A wrong decoding shows as unsized frees or frees in another row.
 */
static void test_kfree_sizes(void)
{
	static char buf[65536];
	const long sizes[] = { 2048, 4096, 65536 };
	const int n = 50;
	const char *args[4];
	char pidbuf[16], *err;
	bool refused, cast;
	long long a, f, bf, unsized;
	struct mtrun m;

	SKIP_UNLESS(have_btf(), "no BTF for %s", caps.release);
	SKIP_UNLESS(caps.kmem_tp, "no kmem tracepoints");
	snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
	args[0] = "-p";
	args[1] = pidbuf;
	args[2] = "-v"; /* says which kfree program loaded */
	args[3] = NULL;
	run_no++;
	STEP(mt_start(&m, "kfree", args));
	for (int s = 0; s < 3; s++)
		for (int i = 0; i < n; i++)
			(void)!getxattr("/", "user.vmcheck", buf, sizes[s]);
	STEP(mt_stop(&m));
	JINT(unsized, m.report, "classes.kernel_logical.frees_unsized");
	CHECK(unsized == 0, "%lld kfree sizes unknown on %s", unsized, caps.release);
	for (int s = 0; s < 3; s++) {
		STEP(kmalloc_row(m.report, sizes[s], &a, &f, &bf));
		CHECK(a >= n, "kmalloc-%ld: %lld allocations for %d getxattr calls", sizes[s], a,
		      n);
		CHECK(f >= n, "kmalloc-%ld: %lld frees sized %ld for %d getxattr calls", sizes[s],
		      f, sizes[s], n);
		CHECK(bf == f * sizes[s], "kmalloc-%ld: %lld bytes freed for %lld frees", sizes[s],
		      bf, f);
		note("kmalloc-%ld %lld/%lld;", sizes[s], a, f);
	}
	note("every kfree sized");
	/* 6.2+ 64-bit reads the slab page through bpf_rdonly_cast (slab.bpf.c's *_cast twins):
	 * they must load where the kernel has the kfunc, not fall back to probe reads */
	err = slurp(m.err);
	refused = err && strstr(err, "again with probe reads");
	cast = err && strstr(err, "kfree: raw_tp/kfree (reads via bpf_rdonly_cast)");
	free(err);
	mt_free(&m);
	CHECK(!refused, "bpf_rdonly_cast twins refused on %s", caps.release);
	CHECK(cast || kernel_older(6, 2) || sizeof(long) == 4,
	      "kfree's bpf_rdonly_cast twin not used on %s", caps.release);
	note(cast ? " (bpf_rdonly_cast)" : " (probe reads)");
}

/* Zones sum to the class's page total, and nothing fell outside every zone. */
static void check_zones(struct mj *r, const char *who)
{
	long long page, bytes_a, bytes_f, ua, uf, za = 0, zf = 0;
	struct mj *zones = mj_get(r, "pages.zones");

	JINT(page, r, "kernel.page_size");
	JINT(bytes_a, r, "classes.physical.bytes_allocated");
	JINT(bytes_f, r, "classes.physical.bytes_freed");
	JINT(ua, r, "pages.unknown_zone.pages_allocated");
	JINT(uf, r, "pages.unknown_zone.pages_freed");
	CHECK(zones && zones->type == MJ_ARR && zones->n > 0, "%s: no zones in the report", who);
	for (size_t i = 0; mj_at(zones, i); i++) {
		long long a, f;

		JINT(a, mj_at(zones, i), "pages_allocated");
		JINT(f, mj_at(zones, i), "pages_freed");
		za += a;
		zf += f;
	}
	CHECK(ua == 0 && uf == 0, "%s: %lld/%lld pages in no zone", who, ua, uf);
	CHECK(za * page == bytes_a, "%s: zones hold %lld pages allocated, class %lld bytes", who,
	      za, bytes_a);
	CHECK(zf * page == bytes_f, "%s: zones hold %lld pages freed, class %lld bytes", who, zf,
	      bytes_f);
}

/* N touched anonymous pages (no THP): >= N order-0 allocations for the pid. */
static void test_pages(void)
{
	const long n = 2000;
	long long order0 = -1, allocs, frees;
	struct mj *orders;
	struct pair p;

	SKIP_UNLESS(have_btf(), "no BTF for %s", caps.release);
	SKIP_UNLESS(caps.kmem_tp, "no kmem tracepoints");
	STEP(trace_pair("pages", n, &p));
	STEP(check_complete(&p));
	STEP(check_zones(p.fast.report, "fast"));
	STEP(check_zones(p.classic.report, "classic"));
	orders = mj_get(p.fast.report, "pages.orders");
	for (size_t i = 0; mj_at(orders, i); i++) {
		long long o;

		if (mj_int(mj_at(orders, i), "order", &o) && o == 0)
			JINT(order0, mj_at(orders, i), "allocs");
	}
	CHECK(order0 >= n, "%lld order-0 allocations for %ld touched pages", order0, n);
	JINT(allocs, p.fast.report, "classes.physical.allocs");
	JINT(frees, p.fast.report, "classes.physical.frees");
	/* frees are not asserted against N: 7.x frees some unmapped pages outside the pid */
	STEP(agree(&p, "classes.physical.allocs"));
	STEP(agree(&p, "classes.physical.frees"));
	STEP(agree(&p, "classes.physical.failures"));
	STEP(agree_bytes(&p, "classes.physical.bytes_allocated"));
	STEP(agree_bytes(&p, "classes.physical.bytes_freed"));
	note("order-0 %lld, allocs %lld frees %lld, zones sum, fast %s classic", order0, allocs,
	     frees, p.differ ? "~" : "==");
	pair_free(&p);
}

/* -p PID: the process table holds the workload alone, carrying the class totals. */
static void test_pid_filter(void)
{
	long long tgid, a, ta, b, tb;
	struct mj *procs, *row;
	struct pair p;

	SKIP_UNLESS(have_btf(), "no BTF for %s", caps.release);
	SKIP_UNLESS(caps.kmem_tp, "no kmem tracepoints");
	STEP(trace_pair("mix", 500, &p));
	STEP(check_complete(&p));
	for (int i = 0; i < 2; i++) {
		struct mj *r = i ? p.classic.report : p.fast.report;

		procs = mj_get(r, "processes");
		CHECK(procs && procs->type == MJ_ARR && procs->n == 1,
		      "%zu process rows with -p, want 1", procs ? procs->n : 0);
		row = mj_at(procs, 0);
		JINT(tgid, row, "tgid");
		CHECK(tgid == p.pid, "process row tgid %lld, workload %d", tgid, p.pid);
		CHECK(str_is(row, "comm", "workload"), "process row comm '%s'",
		      mj_str(row, "comm"));
		JINT(a, row, "classes.kernel_logical.allocs");
		JINT(ta, r, "classes.kernel_logical.allocs");
		JINT(b, row, "classes.physical.bytes_allocated");
		JINT(tb, r, "classes.physical.bytes_allocated");
		CHECK(a == ta && b == tb,
		      "process row (%lld, %lld) differs from totals (%lld, %lld)", a, b, ta, tb);
	}
	note("one row, tgid %d, totals match", p.pid);
	pair_free(&p);
}

/*
 * Processes on this kernel's exec and exit tracepoints (issue 15), fast path and classic:
 * 100 short processes, fork + exec each, are named after their exec, end as exited rows,
 * leave the kernel's process table as they end (the reaper says how many it moved), and the
 * rows add up to the totals.
 */
static void check_procs(const struct mtrun *m, int n)
{
	struct mj *procs = mj_get(m->report, "processes");
	long long a = 0, ta, lost, nr = 0, v, moved = -1;
	char *err = slurp(m->err), *p;

	CHECK(procs && procs->type == MJ_ARR, "no processes[]");
	for (size_t i = 0; i < procs->n; i++) {
		struct mj *row = mj_at(procs, i);

		JINT(v, row, "classes.kernel_logical.allocs");
		a += v;
		if (!str_is(row, "comm", "workload"))
			continue;
		JINT(v, row, "exited");
		CHECK(v, "a workload row did not end");
		JINT(v, row, "processes");
		nr += v;
	}
	JINT(ta, m->report, "classes.kernel_logical.allocs");
	CHECK(a == ta, "process rows add up to %lld slab allocations, totals %lld", a, ta);
	CHECK(nr == n + 1, "%lld processes named workload, want %d", nr, n + 1);
	JINT(lost, m->report, "run.lost.process_table_full");
	CHECK(lost == 0, "process_table_full %lld", lost);
	p = err ? strstr(err, "moved out of the kernel tables: ") : NULL;
	if (p)
		moved = atoll(p + strlen("moved out of the kernel tables: "));
	free(err);
	CHECK(moved >= n / 2, "the reaper moved %lld ended processes of %d", moved, n);
}

static void test_procs(void)
{
	const char *fa[] = { "-v", NULL };
	const char *ca[] = { "-v", "--force-tracepoint", NULL };
	const int n = 100;

	SKIP_UNLESS(have_btf(), "no BTF for %s", caps.release);
	SKIP_UNLESS(caps.kmem_tp, "no kmem tracepoints");
	for (int classic = 0; classic < 2; classic++) {
		char nbuf[16];
		char *wargv[] = { (char *)workload, "spawn", nbuf, NULL };
		struct mtrun m;
		struct child w;

		run_no++;
		snprintf(nbuf, sizeof(nbuf), "%d", n);
		STEP(mt_start(&m, classic ? "procs-tp" : "procs", classic ? ca : fa));
		w = spawn(wargv, NULL, NULL);
		CHECK(w.pid > 0 && reap(&w, 300) && w.status == 0, "workload spawn failed");
		close_child(&w);
		sleep(1); /* the last ones leave the table */
		STEP(mt_stop(&m));
		STEP(check_procs(&m, n));
		mt_free(&m);
	}
	note("%d short processes named after exec, ended and moved, fast and classic", n);
}

/*
 * Sections that other work adds to memtrace: each runs once memtrace reports the class as
 * traced, and is skipped (saying which of kernel or memtrace lacks it) until then.
 */
static void need_class(const char *cls)
{
	char path[64];
	long long traced = 0;

	STEP(system_run()); /* the short system-wide run says "is the class traced" */
	snprintf(path, sizeof(path), "classes.%s.traced", cls);
	mj_int(system_report, path, &traced);
	SKIP_UNLESS(traced, "memtrace does not trace the %s class on %s yet", cls, caps.release);
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int map_create(__u32 type, __u32 value_size, __u32 entries)
{
	union bpf_attr a = {};

	a.map_type = type;
	a.key_size = 4;
	a.value_size = value_size;
	a.max_entries = entries;
	return sys_bpf(BPF_MAP_CREATE, &a);
}

/*
 * Kernel virtual under `run -p SELF --outstanding`: N 256 KiB BPF array maps
 * (bpf_map_area_alloc() vmallocs each, >= 32 KiB) and a BPF percpu array of N entries (N
 * percpu objects), kept open until tracing stops. Returns the report (NULL and the verdict
 * set on failure).
 */
static struct mj *trace_virtual(int n, const char *tag)
{
	const char *args[8];
	int fds[64], made = 0;
	char pidbuf[16];
	struct mtrun m;

	snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
	args[0] = "-p";
	args[1] = pidbuf;
	args[2] = "--outstanding";
	args[3] = NULL;
	run_no++;
	mt_start(&m, tag, args);
	if (verdict != PASS)
		return NULL;
	for (; made < n && made < 63; made++) {
		fds[made] = map_create(BPF_MAP_TYPE_ARRAY, 4096, 64);
		if (fds[made] < 0)
			break;
	}
	if (made == n && (fds[n] = map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 8, n)) >= 0)
		made++;
	if (made != n + 1)
		set_verdict(FAIL, "BPF_MAP_CREATE: %s", strerror(errno));
	mt_stop(&m);
	for (int i = 0; i < made; i++)
		close(fds[i]);
	if (verdict != PASS) {
		mt_free(&m);
		return NULL;
	}
	return m.report;
}

/* Kept maps are exactly N outstanding percpu objects for this pid (within missed runs). */
static void check_percpu_pairs(struct mj *r, int n, long long *pc)
{
	long long missed;

	JINT(missed, r, "run.lost.missed_runs");
	JINT(*pc, r, "outstanding.classes.kernel_virtual.percpu.objects");
	CHECK(*pc <= n && *pc >= n - missed,
	      "%lld percpu objects outstanding for %d kept "
	      "(%lld missed runs)",
	      *pc, n, missed);
}

/* The vmap areas counted, and paired: N outstanding for N kept maps. */
static void test_vmalloc(void)
{
	const int n = 20;
	long long allocs, v, pc, missed;
	struct mj *r;

	SKIP_UNLESS(have_btf(), "no BTF for %s", caps.release);
	SKIP_UNLESS(caps.vmalloc_tp, "vmalloc tracepoints absent on %s", caps.release);
	STEP(need_class("kernel_virtual"));
	STEP(r = trace_virtual(n, "vmalloc"));
	JINT(allocs, r, "classes.kernel_virtual.vmalloc.allocs");
	CHECK(allocs >= n, "%lld vmap allocations for %d 256 KiB maps", allocs, n);
	CHECK(str_is(r, "outstanding.classes.kernel_virtual.vmalloc.availability", "measured"),
	      "vmalloc pairing not measured on a kernel with vmalloc tracepoints");
	JINT(missed, r, "run.lost.missed_runs");
	JINT(v, r, "outstanding.classes.kernel_virtual.vmalloc.objects");
	CHECK(v <= n && v >= n - missed,
	      "%lld vmap areas outstanding for %d kept maps (%lld "
	      "missed runs)",
	      v, n, missed);
	STEP(check_percpu_pairs(r, n, &pc));
	note("%lld vmap allocations for %d maps; outstanding: vmalloc %lld, percpu %lld", allocs, n,
	     v, pc);
	mj_free(r);
}

/*
 * A kernel without vmalloc tracepoints (6.1): vmalloc pairing says unavailable, with no
 * counts (never zeros), and percpu still pairs.
 */
static void test_vmalloc_absent(void)
{
	const int n = 20;
	long long pc;
	struct mj *r;

	SKIP_UNLESS(have_btf(), "no BTF for %s", caps.release);
	SKIP_UNLESS(!caps.vmalloc_tp, "%s has vmalloc tracepoints (see the vmalloc test)",
		    caps.release);
	STEP(need_class("kernel_virtual"));
	STEP(r = trace_virtual(n, "novmalloc"));
	CHECK(str_is(r, "outstanding.classes.kernel_virtual.vmalloc.availability", "unavailable"),
	      "vmalloc pairing not 'unavailable' on %s, which has no "
	      "vmalloc tracepoints",
	      caps.release);
	CHECK(!mj_get(r, "outstanding.classes.kernel_virtual.vmalloc.objects"),
	      "unavailable vmalloc pairing has counts");
	STEP(check_percpu_pairs(r, n, &pc));
	note("vmalloc pairing unavailable; outstanding percpu %lld", pc);
	mj_free(r);
}

/* ---- an in-guest oracle for kprobe counts: tracefs kprobe events filtered on one pid ---- */

/*
 * One kprobe event per function, group "vmk", each filtered on common_pid (the thread: the
 * tests call these functions from vmcheck's single thread). Trace lines are counted after
 * the window; the ring buffer is enlarged first and checked for overruns.
 */
struct kprobe_oracle {
	const char *func;  /* kernel function */
	const char *event; /* vmk/<event> */
	long long hits;	   /* trace lines of this event in the window */
};

static bool tracefs_put(const char *file, const char *val, bool append)
{
	char path[160];
	bool ok;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/%s", file);
	fd = open(path, O_WRONLY | (append ? O_APPEND : O_TRUNC));
	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

static void oracle_remove(struct kprobe_oracle *o, int n)
{
	char line[96];

	tracefs_put("events/vmk/enable", "0", false);
	for (int i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "-:vmk/%s\n", o[i].event);
		tracefs_put("kprobe_events", line, true);
	}
}

/* Create the events (disabled), filtered on pid; the trace buffer emptied. */
static void oracle_setup(struct kprobe_oracle *o, int n, pid_t pid)
{
	char line[160], file[96];

	oracle_remove(o, n); /* left over from an earlier run of this test */
	tracefs_put("buffer_size_kb", "8192", false);
	for (int i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "p:vmk/%s %s\n", o[i].event, o[i].func);
		CHECK(tracefs_put("kprobe_events", line, true), "tracefs: cannot add kprobe %s: %s",
		      o[i].func, strerror(errno));
		snprintf(file, sizeof(file), "events/vmk/%s/filter", o[i].event);
		snprintf(line, sizeof(line), "common_pid == %d", (int)pid);
		CHECK(tracefs_put(file, line, false), "tracefs: cannot filter %s", o[i].event);
	}
	CHECK(tracefs_put("trace", "", false), "tracefs: cannot clear the trace");
}

static void oracle_enable(bool on)
{
	CHECK(tracefs_put("events/vmk/enable", on ? "1" : "0", false),
	      "tracefs: cannot %s the kprobe events", on ? "enable" : "disable");
}

/* Count each event's lines; fail if the ring buffer dropped any. */
static void oracle_count(struct kprobe_oracle *o, int n)
{
	char *trace = slurp("/sys/kernel/tracing/trace"), pat[64], path[96];

	CHECK(trace, "tracefs: cannot read the trace");
	for (int i = 0; i < n; i++) {
		snprintf(pat, sizeof(pat), " %s: (", o[i].event);
		o[i].hits = 0;
		for (char *p = trace; (p = strstr(p, pat)); p++)
			o[i].hits++;
	}
	free(trace);
	for (int cpu = 0; cpu < 64; cpu++) {
		char *st, *ov;

		snprintf(path, sizeof(path), "/sys/kernel/tracing/per_cpu/cpu%d/stats", cpu);
		if (!exists(path))
			break;
		st = slurp(path);
		ov = st ? strstr(st, "overrun: ") : NULL;
		if (ov && atoll(ov + 9)) {
			free(st);
			set_verdict(FAIL, "tracefs ring buffer overran on cpu%d: oracle lost lines",
				    cpu);
			return;
		}
		free(st);
	}
}

/* ---- high memory (kmap) ---- */

/* The first page frame of the HighMem zone, from /proc/zoneinfo; 0 when there is none. */
static unsigned long long highmem_start_pfn(void)
{
	char *s = slurp("/proc/zoneinfo"), *z, *sp;
	unsigned long long pfn = 0;

	z = s ? strstr(s, "zone  HighMem") : NULL;
	sp = z ? strstr(z, "start_pfn:") : NULL;
	if (sp)
		pfn = strtoull(sp + 10, NULL, 10);
	free(s);
	return pfn;
}

/* The page frame behind a virtual address of ours (root reads PFNs in pagemap), 0 if none. */
static unsigned long long pfn_of(const void *addr)
{
	unsigned long long e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off64_t off = (off64_t)((unsigned long)addr / 4096) * 8;

	if (fd < 0)
		return 0;
	if (pread64(fd, &e, sizeof(e), off) != sizeof(e))
		e = 0;
	close(fd);
	if (!(e >> 63))
		return 0; /* not present */
	return e & ((1ULL << 55) - 1);
}

/*
 * The kmap workload, in a child of its own so that nothing else runs in its pid: N reads of
 * one HighMem page of its own through /proc/self/mem, then one read of each page of a tmpfs
 * file. It says "ready H" (H: how many file pages are in HighMem) once prepared, does the
 * reads on one byte from `go`, says "done", and exits when `go` closes.
 */
#define KMAP_MEM_READS 200
#define KMAP_FILE_PAGES 512

static void kmap_child(int go, int out, unsigned long long hstart)
{
	const long ps = 4096;
	static char buf[4096];
	char *region, *page = NULL, *file, msg[32];
	int high_file = 0, fd, memfd;

	/* a page of ours in HighMem (anonymous memory is GFP_HIGHUSER: nearly always) */
	region = mmap(NULL, 64 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		_exit(1);
	for (int i = 0; i < 64 && !page; i++) {
		region[i * ps] = 1;
		if (pfn_of(region + i * ps) >= hstart)
			page = region + i * ps;
	}
	/* the file, written and mapped first to see where its pages are */
	fd = open("/tmp/kmap.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	memfd = open("/proc/self/mem", O_RDONLY);
	if (!page || fd < 0 || memfd < 0)
		_exit(2);
	memset(buf, 0x5a, sizeof(buf));
	for (int i = 0; i < KMAP_FILE_PAGES; i++)
		if (write(fd, buf, ps) != ps)
			_exit(3);
	file = mmap(NULL, KMAP_FILE_PAGES * ps, PROT_READ, MAP_SHARED, fd, 0);
	if (file == MAP_FAILED)
		_exit(4);
	for (int i = 0; i < KMAP_FILE_PAGES; i++) {
		volatile char c = file[i * ps];

		(void)c;
		high_file += pfn_of(file + i * ps) >= hstart;
	}
	munmap(file, KMAP_FILE_PAGES * ps);
	snprintf(msg, sizeof(msg), "ready %d\n", high_file);
	if (write(out, msg, strlen(msg)) < 0 || read(go, msg, 1) != 1)
		_exit(5);
	for (int i = 0; i < KMAP_MEM_READS; i++)
		if (pread64(memfd, buf, ps, (off64_t)(unsigned long)page) != ps)
			_exit(6);
	for (int i = 0; i < KMAP_FILE_PAGES; i++)
		if (pread64(fd, buf, ps, (off64_t)i * ps) != ps)
			_exit(7);
	if (write(out, "done\n", 5) != 5)
		_exit(8);
	while (read(go, msg, 1) > 0)
		;
	_exit(0);
}

/*
 * High memory on a HIGHMEM kernel (32-bit): memtrace's kmap kprobes against the same
 * functions counted by tracefs kprobe events on the same pid (the oracle's window encloses
 * memtrace's, and the child does nothing outside memtrace's), and against numbers the
 * workload fixes:
 *  - N reads of one HighMem page through /proc/self/mem: access_remote_vm() kmap()s the
 *    page for each (6.1), and nothing else the child does calls kmap(): exactly N
 *    kmap_high and N kunmap_high;
 *  - one read of each page of a tmpfs file: the copy to user space maps each HighMem page
 *    with kmap_local_page(), so >= one __kmap_local_pfn_prot per such page (pipe I/O of the
 *    handshake adds a few: pipe buffers are HighMem pages too).
 * Which pages are HighMem is read from /proc/self/pagemap against the zone's start_pfn.
 */
static void test_kmap(void)
{
	struct kprobe_oracle o[] = {
		{ "kmap_high", "kmap_high", 0 },
		{ "kunmap_high", "kunmap_high", 0 },
		{ "__kmap_local_pfn_prot", "kmap_local", 0 },
		{ "kunmap_local_indexed", "kunmap_local", 0 },
	};
	const char *mt_keys[] = { "classes.high_memory.kmap.kmap_high",
				  "classes.high_memory.kmap.kunmap_high",
				  "classes.high_memory.kmap.kmap_local",
				  "classes.high_memory.kmap.kunmap_local" };
	const int no = sizeof(o) / sizeof(o[0]);
	unsigned long long hstart;
	long long mt[4], allocs, frees;
	char pidbuf[16], line[64];
	const char *args[4];
	int high_file = 0, go[2], out[2];
	struct child c = { .pid = -1, .in = -1, .out = -1, .status = -1 };
	struct mtrun m = { .c = { .pid = -1, .in = -1, .out = -1, .status = -1 } };

	SKIP_UNLESS(have_btf(), "no BTF for %s", caps.release);
	SKIP_UNLESS(caps.highmem, "no high memory on %s (%s)", caps.release, caps.machine);
	SKIP_UNLESS(caps.kprobes, "kprobes not configured on %s", caps.release);
	/* a HIGHMEM kernel with kprobes: memtrace must count kmap here, a skip would hide it */
	need_class("high_memory");
	if (verdict == SKIP) {
		const char *why = mj_str(system_report, "classes.high_memory.why");

		verdict = PASS;
		set_verdict(FAIL, "memtrace does not trace kmap on %s: %s", caps.release,
			    why ? why : "(no reason given)");
	}
	if (verdict != PASS)
		return;
	hstart = highmem_start_pfn();
	CHECK(hstart, "no HighMem start_pfn in /proc/zoneinfo");
	CHECK(!pipe2(go, O_CLOEXEC) && !pipe2(out, O_CLOEXEC), "pipe: %s", strerror(errno));
	c.pid = fork();
	if (c.pid == 0) {
		close(go[1]); /* or `go` would never reach end-of-file */
		close(out[0]);
		kmap_child(go[0], out[1], hstart);
	}
	close(go[0]);
	close(out[1]);
	c.in = go[1];
	c.out = out[0];
	CHECK(c.pid > 0 && read_line(c.out, line, sizeof(line)) &&
		      sscanf(line, "ready %d", &high_file) == 1,
	      "kmap workload did not start");

	snprintf(pidbuf, sizeof(pidbuf), "%d", c.pid);
	oracle_setup(o, no, c.pid);
	if (verdict == PASS)
		oracle_enable(true);
	args[0] = "-p";
	args[1] = pidbuf;
	args[2] = NULL;
	run_no++;
	if (verdict == PASS)
		mt_start(&m, "kmap", args);
	if (verdict == PASS && (write(c.in, "g", 1) != 1 || !read_line(c.out, line, sizeof(line)) ||
				strcmp(line, "done")))
		set_verdict(FAIL, "kmap workload did not finish");
	if (m.c.pid > 0)
		mt_stop(&m);
	oracle_enable(false);
	close_child(&c);
	if (c.status != 0)
		set_verdict(FAIL, "kmap workload exited %d", c.status);
	oracle_count(o, no);
	oracle_remove(o, no);
	if (verdict != PASS) {
		mt_free(&m);
		return;
	}
	for (int i = 0; i < no; i++)
		JINT(mt[i], m.report, mt_keys[i]);
	JINT(allocs, m.report, "classes.high_memory.allocs");
	JINT(frees, m.report, "classes.high_memory.frees");
	mt_free(&m);
	CHECK(allocs == mt[0] && frees == mt[1],
	      "classes.high_memory allocs/frees %lld/%lld, kmap_high/kunmap_high %lld/%lld", allocs,
	      frees, mt[0], mt[1]);
	for (int i = 0; i < no; i++)
		CHECK(mt[i] == o[i].hits,
		      "%s: memtrace %lld, tracefs kprobe %lld (kmap_high %lld/"
		      "%lld kunmap_high %lld/%lld kmap_local %lld/%lld kunmap_local %lld/%lld)",
		      o[i].func, mt[i], o[i].hits, mt[0], o[0].hits, mt[1], o[1].hits, mt[2],
		      o[2].hits, mt[3], o[3].hits);
	/* the child kmap()s nothing else in the window: exact (measured so on 6.1 686-pae) */
	CHECK(mt[0] == KMAP_MEM_READS && mt[1] == KMAP_MEM_READS,
	      "kmap_high %lld, kunmap_high %lld for %d reads of a HighMem page", mt[0], mt[1],
	      KMAP_MEM_READS);
	CHECK(high_file > 0 && mt[2] >= high_file, "kmap_local %lld for %d HighMem file pages read",
	      mt[2], high_file);
	note("memtrace == tracefs kprobes: kmap_high %lld kunmap_high %lld kmap_local %lld "
	     "kunmap_local %lld, for %d /proc/self/mem reads of a HighMem page and %d of %d "
	     "file pages in HighMem",
	     mt[0], mt[1], mt[2], mt[3], KMAP_MEM_READS, high_file, KMAP_FILE_PAGES);
}

/* ---- allocator call latency (--latency), per hook kind ---- */

/*
 * The functions memtrace must pick on this kernel, per call slot (functions.<slot>): the old
 * names before 6.10, *_noprof from 6.10 (6.11 renamed kmalloc_trace_noprof
 * __kmalloc_cache_noprof), and from 6.15 the page allocator's inner
 * __alloc_frozen_pages_noprof. NULL: not checked (a kernel between the ones named here).
 */
static const char *lat_expected(const char *slot)
{
	static const struct {
		const char *slot, *old, *v612, *v615;
	} names[] = {
		{ "kmalloc", "__kmalloc", "__kmalloc_noprof", "__kmalloc_noprof" },
		{ "kmalloc_cache", "kmalloc_trace", "__kmalloc_cache_noprof",
		  "__kmalloc_cache_noprof" },
		{ "kmem_cache_alloc", "kmem_cache_alloc", "kmem_cache_alloc_noprof",
		  "kmem_cache_alloc_noprof" },
		{ "page_alloc", "__alloc_pages", "__alloc_pages_noprof",
		  "__alloc_frozen_pages_noprof" },
		{ "vmalloc", "__vmalloc_node_range", "__vmalloc_node_range_noprof",
		  "__vmalloc_node_range_noprof" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(names[i].slot, slot))
			continue;
		if (kernel_older(6, 10))
			return kernel_older(6, 1) ? NULL : names[i].old;
		if (kernel_older(6, 11))
			return NULL;
		return kernel_older(6, 15) ? names[i].v612 : names[i].v615;
	}
	return NULL;
}

struct lat_kind {
	long long count, total_ns, max_ns, unmeasured, hist_sum, hist_high_us;
};

/*
 * A call kind's row: traced, its numbers, its histogram adding up to its count, its times
 * plausible. Every call was made inside one step of the workload (one eventfd+close, one
 * page touch, one map, one mmap or munmap), which timed its steps with the same clock:
 * none can be longer than the longest step (max_step_ns, + 1 ms for the clocks' reads).
 * That is the independent bound; below it, a call over 1 s is a failure unless the guest
 * itself stalled that long (TCG on a loaded host), which the longest step then shows.
 */
static void lat_kind_read(struct mj *r, const char *kind, long long max_step_ns, struct lat_kind *k)
{
	char path[96];
	struct mj *o, *h;
	long long v;

	memset(k, 0, sizeof(*k));
	snprintf(path, sizeof(path), "latency.kinds.%s", kind);
	o = mj_get(r, path);
	CHECK(o, "report has no %s", path);
	CHECK(str_is(o, "kind", "call"), "%s.kind is '%s'", path, mj_str(o, "kind"));
	CHECK(mj_int(o, "traced", &v) && v, "%s: not traced", path);
	JINT(k->count, o, "count");
	JINT(k->total_ns, o, "total_ns");
	JINT(k->max_ns, o, "max_ns");
	JINT(k->unmeasured, o, "unmeasured");
	JINT(v, o, "table_full");
	CHECK(v == 0, "%s: %lld begins not remembered (table full)", path, v);
	JINT(v, o, "detail_lost");
	CHECK(v == 0, "%s: %lld pairs not in the detail tables", path, v);
	h = mj_get(o, "histogram_us");
	CHECK(h && h->type == MJ_ARR, "%s has no histogram_us", path);
	for (size_t i = 0; mj_at(h, i); i++) {
		long long c, hi;

		JINT(c, mj_at(h, i), "count");
		JINT(hi, mj_at(h, i), "high");
		k->hist_sum += c;
		if (hi > k->hist_high_us)
			k->hist_high_us = hi;
	}
	CHECK(k->hist_sum == k->count, "%s: histogram holds %lld of %lld calls", path, k->hist_sum,
	      k->count);
	/* plausible: every call took time, none a second (TCG is slow, but not that slow) */
	CHECK(k->count > 0, "%s: no call measured", path);
	CHECK(k->total_ns >= k->count && k->max_ns > 0 && k->max_ns <= k->total_ns,
	      "%s: %lld calls in %lld ns, longest %lld ns", path, k->count, k->total_ns, k->max_ns);
	CHECK(k->max_ns <= max_step_ns + 1000000,
	      "%s: a call of %lld ns, but no step of the "
	      "workload took over %lld ns",
	      path, k->max_ns, max_step_ns);
	CHECK((k->max_ns < 1000000000LL && k->hist_high_us < 1000000) ||
		      max_step_ns >= 1000000000LL,
	      "%s: a call of %lld ns (histogram up to %lld us)", path, k->max_ns, k->hist_high_us);
}

/* Successful kmalloc events of a report: its kmalloc-<size> rows (kmem_cache_alloc rows are
 * named after their cache). */
static long long kmalloc_events(struct mj *r)
{
	struct mj *caches = mj_get(r, "slab.caches");
	long long n = 0;

	for (size_t i = 0; mj_at(caches, i); i++) {
		struct mj *c = mj_at(caches, i);
		long long a;

		if (str_is(c, "kind", "kmalloc") && mj_int(c, "allocs", &a))
			n += a;
	}
	return n;
}

/*
 * The page allocator's rows of latency.by_order: they hold every measured call (each has an
 * order), the workload's order-0 ones among them, each in a named zone of the machine. *zone
 * gets the zone holding most order-0 calls.
 */
static void lat_page_orders(struct mj *r, long long count, long long *order0, const char **zone)
{
	struct mj *rows = mj_get(r, "latency.by_order");
	long long sum = 0, best = 0, unzoned = 0;

	*order0 = 0;
	*zone = "none";
	CHECK(rows && rows->type == MJ_ARR, "report has no latency.by_order");
	for (size_t i = 0; mj_at(rows, i); i++) {
		struct mj *o = mj_at(rows, i);
		const char *z = mj_str(o, "zone");
		long long c, ord;

		if (!str_is(o, "kind", "page_alloc"))
			continue;
		JINT(c, o, "count");
		JINT(ord, o, "order");
		sum += c;
		if (!z)
			unzoned += c;
		if (ord == 0) {
			*order0 += c;
			if (z && c > best) {
				best = c;
				*zone = z;
			}
		}
	}
	CHECK(sum == count, "page_alloc: by_order rows hold %lld of %lld calls", sum, count);
	/* a failed allocation returns no page: no zone (none fail here) */
	CHECK(unzoned == 0, "page_alloc: %lld calls in no zone", unzoned);
}

/*
 * `memtrace run -p PID --latency [--force-call-hook=HOOK]` around the workload's "calls"
 * mode: N eventfd+close (>= N constant-size kmallocs of the eventfd context and >= N
 * kmem_cache_allocs of its struct file), N touched anonymous pages (>= N order-0 page
 * allocations) and N/100 1 MiB BPF maps (>= N/100 vmallocs), from one pid, with nothing else
 * in it. In the same run the kmem tracepoints count the same pid over the same window (both
 * attached before the workload starts, detached after it is done and idle), so:
 *  - kmalloc and kmem_cache_alloc: each hooked call fires its tracepoint exactly once, but
 *    the tracepoints also fire from entry points that are not hooked (kmalloc_node,
 *    __kmalloc_node_track_caller behind kstrdup/kmemdup, kmem_cache_alloc_lru behind every
 *    dentry and xarray node, kmem_cache_alloc_node): N <= calls <= events;
 *  - the page allocator: mm_page_alloc fires only inside the hooked function (__alloc_pages;
 *    from 6.15 __alloc_frozen_pages_noprof, which __alloc_pages_noprof wraps), once per
 *    call, failures included: calls == events;
 *  - vmalloc: every __vmalloc_node_range reserves one area (alloc_vmap_area, 6.4+), as do
 *    vmap() and ioremap(): N/100 <= calls <= vmalloc area events where those exist.
 * Allowed for, on the side each can lower: the tracepoint runs the kernel says it skipped
 * (missed_runs), and calls seen in part only (unmeasured). Latencies must be plausible: every
 * call took some time, none a second. HOOK "auto" gives no --force-call-hook: fentry where
 * it takes every allocator (6.5+: 6.1's trampoline refuses __vmalloc_node_range's 9
 * arguments), else kprobes.
 */
#define LAT_N 2000

static void call_latency(const char *hook)
{
	char nbuf[16], pidbuf[16], line[64], hookarg[48];
	char *wargv[] = { (char *)workload, "calls", nbuf, NULL };
	const char *kinds[] = { "kmalloc", "kmem_cache_alloc", "page_alloc", "vmalloc" };
	const char *slots[] = { "kmalloc", "kmalloc_cache", "kmem_cache_alloc", "page_alloc",
				"vmalloc" };
	const char *want_hook = hook, *zone, *not_hooked;
	struct lat_kind k[4];
	long long missed, fail_slab, fail_page, ev_kmalloc, ev_cache, ev_page, vm_ev = -1, v;
	long long order0, max_step = 0;
	struct mtrun m = { .c = { .pid = -1, .in = -1, .out = -1, .status = -1 } };
	const char *args[6];
	bool fentry_old = kernel_older(6, 5), vmalloc_hooked;
	struct child w;
	char *text;
	int pid, na = 0;

	SKIP_UNLESS(have_btf(), "no BTF for %s", caps.release);
	SKIP_UNLESS(caps.kmem_tp, "no kmem tracepoints");
	if (!strcmp(hook, "auto"))
		want_hook = caps.btf_builtin && !fentry_old ? "fentry" : "kprobe";
	if (!strcmp(want_hook, "fentry"))
		SKIP_UNLESS(caps.btf_builtin, "fentry needs the kernel's own BTF, which %s lacks",
			    caps.release);
	else
		SKIP_UNLESS(caps.kprobes, "kprobes not configured on %s", caps.release);
	/* forced fentry on a 6-argument trampoline: every allocator but vmalloc */
	vmalloc_hooked = strcmp(want_hook, "fentry") || !fentry_old;
	run_no++;
	snprintf(nbuf, sizeof(nbuf), "%d", LAT_N);
	w = spawn(wargv, NULL, NULL);
	CHECK(w.pid > 0 && read_line(w.out, line, sizeof(line)) &&
		      sscanf(line, "ready %d", &pid) == 1,
	      "workload did not start");
	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	snprintf(hookarg, sizeof(hookarg), "--force-call-hook=%s", hook);
	args[na++] = "-p";
	args[na++] = pidbuf;
	args[na++] = "--latency";
	if (strcmp(hook, "auto"))
		args[na++] = hookarg;
	args[na] = NULL;
	mt_start(&m, hook, args);
	if (verdict == PASS && (write(w.in, "g", 1) != 1 || !read_line(w.out, line, sizeof(line)) ||
				sscanf(line, "maxstep %lld", &max_step) != 1 ||
				!read_line(w.out, line, sizeof(line)) || strcmp(line, "done")))
		set_verdict(FAIL, "workload did not finish");
	if (m.c.pid > 0)
		mt_stop(&m);
	close_child(&w);
	if (verdict == PASS && w.status != 0)
		set_verdict(FAIL, "workload exited %d", w.status);
	if (verdict != PASS) {
		mt_free(&m);
		return;
	}

	/* the hook expected, on the functions this kernel names; nothing said unavailable */
	text = slurp(m.err);
	if (text && strstr(text, "unavailable")) {
		char *l = strstr(text, "unavailable"), *e;

		while (l > text && l[-1] != '\n')
			l--;
		e = strchr(l, '\n');
		if (e)
			*e = '\0';
		set_verdict(FAIL, "%s", l);
	} else if (!vmalloc_hooked && (!text || !strstr(text, "not every allocator hooked with "
							      "fentry: vmalloc"))) {
		set_verdict(FAIL, "no warning that vmalloc is not hooked with fentry on %s",
			    caps.release);
	}
	free(text);
	if (verdict != PASS) {
		mt_free(&m);
		return;
	}
	CHECK(str_is(m.report, "latency.calls.hook", want_hook),
	      "latency.calls.hook is '%s', "
	      "want %s",
	      mj_str(m.report, "latency.calls.hook"), want_hook);
	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		char path[64];
		const char *got, *want = lat_expected(slots[i]);

		snprintf(path, sizeof(path), "latency.calls.functions.%s", slots[i]);
		got = mj_str(m.report, path);
		if (!vmalloc_hooked && !strcmp(slots[i], "vmalloc")) {
			CHECK(!got, "%s is %s: fentry hooked it on %s", path, got, caps.release);
			continue;
		}
		CHECK(got, "%s: no function hooked", path);
		CHECK(!want || !strcmp(got, want), "%s is %s on %s, want %s", path, got,
		      caps.release, want);
	}
	not_hooked = mj_str(m.report, "latency.calls.not_hooked");
	if (vmalloc_hooked) {
		CHECK(!not_hooked, "latency.calls.not_hooked: %s", not_hooked);
	} else {
		CHECK(not_hooked && strstr(not_hooked, "vmalloc (__vmalloc_node_range): ENOTSUPP"),
		      "latency.calls.not_hooked is '%s'", not_hooked);
		CHECK(mj_int(m.report, "latency.kinds.vmalloc.traced", &v) && !v,
		      "latency.kinds.vmalloc traced with nothing hooked");
	}
	text = slurp(m.out);
	CHECK(text && strstr(text, "ALLOCATOR CALL LATENCY"), "text report has no call latency");
	free(text);

	for (int i = 0; i < (vmalloc_hooked ? 4 : 3); i++)
		STEP(lat_kind_read(m.report, kinds[i], max_step, &k[i]));
	if (!vmalloc_hooked)
		memset(&k[3], 0, sizeof(k[3]));
	JINT(missed, m.report, "run.lost.missed_runs");
	JINT(v, m.report, "run.lost.cache_table_full");
	CHECK(v == 0, "%lld slab events not in the cache table", v);
	JINT(fail_slab, m.report, "classes.kernel_logical.failures");
	JINT(fail_page, m.report, "classes.physical.failures");
	JINT(v, m.report, "classes.kernel_logical.allocs");
	ev_kmalloc = kmalloc_events(m.report);
	ev_cache = v - ev_kmalloc;
	JINT(ev_page, m.report, "classes.physical.allocs");
	ev_page += fail_page;
	if (mj_int(m.report, "classes.kernel_virtual.vmalloc.allocs", &vm_ev)) {
		JINT(v, m.report, "classes.kernel_virtual.vmalloc.failures");
		vm_ev += v;
	}

	CHECK(k[0].count >= LAT_N && k[0].count <= ev_kmalloc + fail_slab + missed,
	      "kmalloc: %lld calls, %lld tracepoint events (+%lld failed, %lld missed), %d "
	      "eventfds",
	      k[0].count, ev_kmalloc, fail_slab, missed, LAT_N);
	CHECK(k[1].count >= LAT_N && k[1].count <= ev_cache + fail_slab + missed,
	      "kmem_cache_alloc: %lld calls, %lld tracepoint events (+%lld failed, %lld missed), "
	      "%d eventfds",
	      k[1].count, ev_cache, fail_slab, missed, LAT_N);
	CHECK(k[2].count >= LAT_N && k[2].count <= ev_page + missed &&
		      k[2].count + k[2].unmeasured >= ev_page,
	      "page_alloc: %lld calls (+%lld unmeasured), %lld mm_page_alloc events (%lld missed), "
	      "%d pages touched",
	      k[2].count, k[2].unmeasured, ev_page, missed, LAT_N);
	STEP(lat_page_orders(m.report, k[2].count, &order0, &zone));
	CHECK(order0 >= LAT_N, "page_alloc: %lld order-0 calls for %d touched pages", order0,
	      LAT_N);
	if (vmalloc_hooked) {
		CHECK(k[3].count >= LAT_N / 100, "vmalloc: %lld calls for %d 1 MiB maps",
		      k[3].count, LAT_N / 100);
		if (vm_ev >= 0)
			CHECK(k[3].count <= vm_ev + missed,
			      "vmalloc: %lld calls, %lld vmap area "
			      "events (%lld missed)",
			      k[3].count, vm_ev, missed);
	}
	note("%s on %s/%s/%s/%s: calls/events kmalloc %lld/%lld, kmem_cache_alloc %lld/%lld, "
	     "page_alloc %lld/%lld (order 0: %lld, mostly %s), vmalloc %lld/%s%lld; mean ns %lld "
	     "%lld %lld %lld, max us %lld %lld %lld %lld; unmeasured %lld %lld %lld %lld; missed "
	     "%lld; longest workload step %lld us%s",
	     want_hook, mj_str(m.report, "latency.calls.functions.kmalloc_cache"),
	     mj_str(m.report, "latency.calls.functions.kmem_cache_alloc"),
	     mj_str(m.report, "latency.calls.functions.page_alloc"),
	     mj_str(m.report, "latency.calls.functions.vmalloc"), k[0].count, ev_kmalloc,
	     k[1].count, ev_cache, k[2].count, ev_page, order0, zone, k[3].count,
	     vm_ev >= 0 ? "" : "(no tp)", vm_ev, k[0].total_ns / k[0].count,
	     k[1].total_ns / k[1].count, k[2].total_ns / k[2].count,
	     k[3].count ? k[3].total_ns / k[3].count : 0, k[0].max_ns / 1000, k[1].max_ns / 1000,
	     k[2].max_ns / 1000, k[3].max_ns / 1000, k[0].unmeasured, k[1].unmeasured,
	     k[2].unmeasured, k[3].unmeasured, missed, max_step / 1000,
	     vmalloc_hooked ? "" : "; vmalloc not hooked (ENOTSUPP), as expected");
	mt_free(&m);
}

static void test_latency_fentry(void)
{
	call_latency("fentry");
}

static void test_latency_kprobe(void)
{
	call_latency("kprobe");
}

/* No --force-call-hook: the best hook this kernel has for every allocator. */
static void test_latency_auto(void)
{
	call_latency("auto");
}

/* Read N blocks of the AHCI disk with O_DIRECT: each is one DMA mapping of the device. */
static int read_disk(int n)
{
	void *buf;
	int fd, done = 0;

	if (posix_memalign(&buf, 4096, 4096))
		return -1;
	fd = open("/dev/sda", O_RDONLY | O_DIRECT);
	if (fd < 0) {
		free(buf);
		return -1;
	}
	for (int i = 0; i < n; i++)
		done += pread(fd, buf, 4096, (off_t)i * 4096) == 4096;
	close(fd);
	free(buf);
	return done;
}

static void tracefs_write(const char *file, const char *val)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd >= 0) {
		if (write(fd, val, strlen(val)) < 0)
			set_verdict(FAIL, "write %s: %s", path, strerror(errno));
		close(fd);
	}
}

/* The first address after "key...=" ("=1234" or "={0x1234,...}") in [p, eol). */
static bool hex_after(const char *p, const char *eol, const char *key, unsigned long long *v)
{
	const char *k = strstr(p, key), *eq;
	char *end;

	if (!k || k >= eol || !(eq = strchr(k, '=')) || eq >= eol)
		return false;
	eq++;
	if (*eq == '{')
		eq++;
	*v = strtoull(eq, &end, 16);
	return end != eq;
}

/*
 * The guest's DMA set-up works: N O_DIRECT reads of the AHCI disk fire >= N dma_map events
 * (tracefs is the oracle here: this checks the QEMU configuration, not memtrace); with the
 * emulated IOMMU (intel_iommu=on) or swiotlb=force every bus address differs from its
 * physical one, with neither none does (1 GB of guest memory, all under the AHCI's mask).
 */
static void test_dma_smoke(void)
{
	const int n = 64;
	char *trace, *p, *cmdline = slurp("/proc/cmdline");
	bool iommu = cmdline && strstr(cmdline, "intel_iommu=on");
	bool swiotlb = cmdline && strstr(cmdline, "swiotlb=force");
	long maps = 0, translated = 0, bounced = 0;
	int done;

	free(cmdline);
	SKIP_UNLESS(caps.dma_tp, "dma tracepoints absent on %s", caps.release);
	SKIP_UNLESS(caps.disk, "no AHCI disk (/dev/sda) in this VM");
	tracefs_write("trace", "");
	tracefs_write("events/dma/enable", "1");
	if (caps.swiotlb_tp)
		tracefs_write("events/swiotlb/swiotlb_bounced/enable", "1");
	done = read_disk(n);
	tracefs_write("events/dma/enable", "0");
	if (caps.swiotlb_tp)
		tracefs_write("events/swiotlb/swiotlb_bounced/enable", "0");
	CHECK(done == n, "read %d of %d blocks from /dev/sda", done, n);
	trace = slurp("/sys/kernel/tracing/trace");
	for (p = trace; p && (p = strstr(p, "dma_map_")); p++) {
		char *eol = strchr(p, '\n');
		unsigned long long d, ph;

		maps++;
		if (eol && hex_after(p, eol, "dma_addr", &d) &&
		    hex_after(p, eol, "phys_addr", &ph) && d != ph)
			translated++;
	}
	for (p = trace; p && (p = strstr(p, "swiotlb_bounced:")); p++)
		bounced++;
	free(trace);
	CHECK(maps >= n, "%ld dma_map events for %d disk reads", maps, n);
	/* VT-d hands out I/O virtual addresses; a forced swiotlb maps into its bounce pool */
	if (iommu || swiotlb)
		CHECK(translated >= n, "%ld of %ld mappings with bus != physical address (%s)",
		      translated, maps, iommu ? "intel_iommu=on" : "swiotlb=force");
	else
		CHECK(!translated,
		      "%ld of %ld mappings with bus != physical address without an "
		      "IOMMU or swiotlb=force",
		      translated, maps);
	if (swiotlb)
		CHECK(bounced >= n, "%ld swiotlb bounces for %d reads with swiotlb=force", bounced,
		      n);
	note("%ld dma_map events for %d reads, %ld with bus != physical address, %ld bounced", maps,
	     n, translated, bounced);
}

/*
 * What tracefs recorded of the DMA API while memtrace ran: the oracle of test_dma. A
 * dma_map_sg line reads "... ents=1/1 dma_addrs={0x..} sizes={0x1000} phys_addrs={..}";
 * each element of sizes is one bus segment. Single mappings (dma_map_page/_phys) are counted
 * by line.
 */
struct dma_oracle {
	long sg_maps, segs, sg_unmaps, singles;
	long long bytes;
};

static void dma_oracle_parse(const char *trace, struct dma_oracle *o)
{
	memset(o, 0, sizeof(*o));
	for (const char *p = trace; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *eol = strchr(p, '\n'), *s;

		if (!eol)
			eol = p + strlen(p);
		if ((s = strstr(p, "dma_map_sg:")) && s < eol) {
			o->sg_maps++;
			s = strstr(s, "sizes={");
			if (!s || s >= eol)
				continue;
			s += strlen("sizes={");
			while (s < eol && *s != '}') {
				char *end;
				unsigned long long v = strtoull(s, &end, 0);

				if (end == s)
					break;
				o->segs++;
				o->bytes += (long long)v;
				s = *end == ',' ? end + 1 : end;
			}
		} else if ((s = strstr(p, "dma_unmap_sg:")) && s < eol) {
			o->sg_unmaps++;
		} else if (((s = strstr(p, "dma_map_page:")) && s < eol) ||
			   ((s = strstr(p, "dma_map_phys:")) && s < eol)) {
			o->singles++;
		}
	}
}

/*
 * memtrace's bus class for N O_DIRECT reads of the AHCI disk, against tracefs recording the
 * same dma:* events over a window inside memtrace's. The guest does no other device I/O (no
 * NIC, no file system on the disk), so every count must match the oracle exactly; the reads
 * themselves make >= N bus segments of >= N x 4096 bytes. Each read completes (and its
 * mapping is unmapped) before pread returns, so every mapping is freed, with its size. The
 * bus addresses: with the emulated VT-d IOMMU (intel_iommu=on) every one is an I/O virtual
 * address, with swiotlb=force every one points into the bounce pool (and bounces), so none
 * equals its physical address; with neither, dma-direct maps 1:1.
 */
static void test_dma(void)
{
	const int n = 64;
	const char *args[] = { "-d", "120", NULL };
	char *trace, *cmdline = slurp("/proc/cmdline");
	bool iommu = cmdline && strstr(cmdline, "intel_iommu=on");
	bool swiotlb = cmdline && strstr(cmdline, "swiotlb=force");
	long long allocs, frees, balloc, bfreed, maps, sg_maps, sg_ents, sg_bytes, sg_unmaps;
	long long unpaired, same, translated, unknown, bounces, dev_maps = 0;
	struct dma_oracle o;
	struct mtrun m;
	struct mj *devs;
	int done;

	free(cmdline);
	SKIP_UNLESS(have_btf(), "no BTF for %s", caps.release);
	SKIP_UNLESS(caps.dma_tp, "dma tracepoints absent on %s", caps.release);
	SKIP_UNLESS(caps.disk, "no AHCI disk (/dev/sda) in this VM");
	STEP(need_class("bus"));
	run_no++;
	STEP(mt_start(&m, "dma", args)); /* system-wide: the driver maps in its own context */
	tracefs_write("trace", "");
	tracefs_write("events/dma/enable", "1");
	done = read_disk(n);
	tracefs_write("events/dma/enable", "0");
	STEP(mt_stop(&m));
	trace = slurp("/sys/kernel/tracing/trace");
	dma_oracle_parse(trace, &o);
	free(trace);
	CHECK(done == n, "read %d of %d blocks from /dev/sda", done, n);
	CHECK(o.segs >= n && o.bytes >= (long long)n * 4096,
	      "oracle: %ld bus segments, %lld bytes for %d reads of 4096", o.segs, o.bytes, n);
	JINT(allocs, m.report, "classes.bus.allocs");
	JINT(frees, m.report, "classes.bus.frees");
	JINT(balloc, m.report, "classes.bus.bytes_allocated");
	JINT(bfreed, m.report, "classes.bus.bytes_freed");
	JINT(maps, m.report, "classes.bus.dma.maps");
	JINT(sg_maps, m.report, "classes.bus.dma.sg_maps");
	JINT(sg_ents, m.report, "classes.bus.dma.sg_entries");
	JINT(sg_bytes, m.report, "classes.bus.dma.sg_bytes");
	JINT(sg_unmaps, m.report, "classes.bus.dma.sg_unmaps");
	JINT(unpaired, m.report, "classes.bus.dma.sg_unmaps_unpaired");
	JINT(same, m.report, "classes.bus.dma.bus_equals_phys");
	JINT(translated, m.report, "classes.bus.dma.bus_translated");
	JINT(unknown, m.report, "classes.bus.dma.phys_unknown");
	JINT(bounces, m.report, "classes.bus.swiotlb.bounces");
	devs = mj_get(m.report, "classes.bus.devices");
	for (size_t i = 0; devs && i < devs->n; i++) {
		long long v = 0;

		mj_int(mj_at(devs, i), "maps", &v);
		dev_maps += v;
	}
	mt_free(&m);
	CHECK(sg_maps == o.sg_maps && maps == o.singles && sg_unmaps == o.sg_unmaps,
	      "sg maps %lld, maps %lld, sg unmaps %lld; tracefs saw %ld, %ld, %ld", sg_maps, maps,
	      sg_unmaps, o.sg_maps, o.singles, o.sg_unmaps);
	CHECK(sg_ents == o.segs && sg_bytes == o.bytes,
	      "sg segments %lld (%lld bytes); tracefs saw %ld (%lld bytes)", sg_ents, sg_bytes,
	      o.segs, o.bytes);
	CHECK(allocs == o.segs + o.singles && balloc >= o.bytes,
	      "bus class: %lld mappings (%lld bytes); tracefs saw %ld (%lld bytes)", allocs, balloc,
	      o.segs + o.singles, o.bytes);
	CHECK(frees == allocs && bfreed == balloc && !unpaired,
	      "bus class: %lld of %lld mappings freed (%lld of %lld bytes), %lld unmaps unpaired",
	      frees, allocs, bfreed, balloc, unpaired);
	CHECK(dev_maps == allocs, "per-device rows sum to %lld mappings of %lld", dev_maps, allocs);
	CHECK(same + translated + unknown == allocs && !unknown,
	      "bus == physical %lld, translated %lld, unknown %lld for %lld mappings", same,
	      translated, unknown, allocs);
	if (iommu || swiotlb)
		CHECK(translated == allocs, "%lld of %lld bus addresses translated with %s",
		      translated, allocs, iommu ? "intel_iommu=on" : "swiotlb=force");
	else
		CHECK(same == allocs, "%lld of %lld bus addresses == physical without an IOMMU",
		      same, allocs);
	if (swiotlb)
		CHECK(bounces >= n, "%lld swiotlb bounces for %d reads with swiotlb=force", bounces,
		      n);
	note("%lld bus mappings (%lld bytes) for %d disk reads, %lld translated, %lld equal to "
	     "physical, %lld bounced",
	     allocs, balloc, n, translated, same, bounces);
}

/*
 * The whole program set loads on this kernel, on the fast path and on classic tracepoints:
 * no fallback to slab and pages alone (which memtrace survives with a warning, so nothing
 * else would notice), and every class whose events the kernel has is traced.
 */
static void test_full_load(void)
{
	static const struct {
		const char *cls, *event;
	} need[] = {
		{ "kernel_virtual", "/sys/kernel/tracing/events/percpu/percpu_alloc_percpu" },
		{ "user_virtual", "/sys/kernel/tracing/events/exceptions/page_fault_user" },
		{ "bus", "/sys/kernel/tracing/events/dma/dma_map_sg" },
	};
	const char *classic[] = { "-d", "0.5", "--force-tracepoint", NULL };

	SKIP_UNLESS(caps.btf_builtin, "no built-in BTF on %s: not asserted on a detached BTF",
		    caps.release);
	for (int i = 0; i < 2; i++) {
		const char *what = i ? "classic tracepoints" : "fast path";
		struct mtrun own, *m = &own;
		char *err;
		bool fell_back;

		/* the fast path: the default system-wide run (run_json's) */
		if (!i) {
			STEP(m = system_run());
		} else {
			run_no++;
			STEP(mt_start(&own, "classic", classic));
			STEP(mt_stop(&own));
		}
		err = slurp(m->err);
		fell_back = err && strstr(err, "failed to load on this kernel");
		free(err);
		if (fell_back) {
			dump(m->err);
			if (m == &own)
				mt_free(&own);
			CHECK(0, "%s: memtrace fell back to slab and pages only", what);
		}
		for (size_t c = 0; c < sizeof(need) / sizeof(need[0]); c++) {
			char path[64];
			long long traced = 0;

			if (!exists(need[c].event))
				continue;
			snprintf(path, sizeof(path), "classes.%s.traced", need[c].cls);
			mj_int(m->report, path, &traced);
			if (!traced) {
				if (m == &own)
					mt_free(&own);
				CHECK(0, "%s: the %s class is not traced though %s exists", what,
				      need[c].cls, need[c].event);
			}
		}
		if (m == &own)
			mt_free(&own);
	}
	note("every section loads on the fast path and on classic tracepoints");
}

static const struct test {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "run_json", test_run_json },
	{ "owner", test_owner },
	{ "slab", test_slab },
	{ "kfree_sizes", test_kfree_sizes },
	{ "pages", test_pages },
	{ "pid_filter", test_pid_filter },
	{ "procs", test_procs },
	{ "vmalloc", test_vmalloc },
	{ "vmalloc_absent", test_vmalloc_absent },
	{ "kmap", test_kmap },
	{ "latency_fentry", test_latency_fentry },
	{ "latency_kprobe", test_latency_kprobe },
	{ "latency_auto", test_latency_auto },
	{ "dma_smoke", test_dma_smoke },
	{ "dma", test_dma },
	{ "full_load", test_full_load },
};

int main(int argc, char **argv)
{
	int counts[3] = {};

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (getenv("MEMTRACE"))
		memtrace = getenv("MEMTRACE");
	if (getenv("WORKLOAD"))
		workload = getenv("WORKLOAD");
	if (argc > 1 && !strcmp(argv[1], "--verbose")) {
		verbose = true;
		argv++;
		argc--;
	}
	probe_caps();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		bool wanted = argc < 2;
		double t0 = now();

		for (int a = 1; a < argc; a++)
			wanted |= !strcmp(argv[a], tests[i].name);
		if (!wanted)
			continue;
		verdict = PASS;
		detail[0] = '\0';
		tests[i].fn();
		counts[verdict]++;
		printf("VMTEST-RESULT %s %s %s (%.1f s)\n", tests[i].name, verdict_name[verdict],
		       detail, now() - t0);
	}
	mt_free(&system_run_m); /* system_report with it */
	printf("%d passed, %d failed, %d skipped\n", counts[PASS], counts[FAIL], counts[SKIP]);
	return counts[FAIL] ? 1 : 0;
}
