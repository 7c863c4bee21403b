// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Bad invocations, table-driven: each must exit with its documented code, print exactly
 * one line on stderr that says what is wrong, and load nothing. Runs the real binary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <linux/capability.h>

static const char *memtrace = "build/memtrace";

struct bad {
	const char *argv[8]; /* after the binary */
	int code;	     /* expected exit status */
	const char *says;    /* a substring of the one stderr line */
	const char *env;     /* NAME=VALUE to set, or NULL */
	bool drop_root;	     /* run as nobody */
	bool drop_caps;	     /* stay root, without CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON */
	bool pid_exits;	     /* "%PID": a process that exits 2 s later (needs root) */
	int lines;	     /* stderr lines, when not 1 */
};

#define FIXTURE "tests/fixtures/record-mix-2000.rec"
#define FIXTURE_JSON "tests/fixtures/record-mix-2000.json"
/* call sites, stacks, vmalloc, percpu and faults, recorded with --no-kallsyms: every call
 * site and frame is an address kallsyms could not name */
#define FIXTURE_SITES "tests/fixtures/record-sites.rec"

static const struct bad cases[] = {
	{ { NULL }, 2, "Usage: memtrace" },
	{ { "frob" }, 2, "unknown command 'frob'" },
	{ { "--frob" }, 2, "unknown option '--frob'" },
	{ { "run", "--bogus" }, 2, "unknown option '--bogus'" },
	{ { "run", "-x" }, 2, "unknown option '-x'" },
	{ { "run", "-d" }, 2, "option '-d' needs a value" },
	{ { "run", "--duration" }, 2, "needs a value" },
	{ { "run", "-d", "-5" }, 2, "duration '-5' out of range" },
	{ { "run", "-d", "0" }, 2, "duration '0' out of range" },
	{ { "run", "-d", "abc" }, 2, "invalid duration 'abc'" },
	{ { "run", "-d", "5s" }, 2, "invalid duration '5s'" },
	{ { "run", "-d", "1e30" }, 2, "out of range" },
	{ { "run", "-d", "nan" }, 2, "invalid duration 'nan'" },
	{ { "run", "-p", "abc" }, 2, "invalid PID 'abc'" },
	{ { "run", "-p", "0" }, 2, "invalid PID '0'" },
	{ { "run", "-p", "-1" }, 2, "invalid PID '-1'" },
	{ { "run", "-p", "99999999" }, 2, "invalid PID '99999999'" },
	{ { "run", "-p", "4000000" }, 2, "no process with PID 4000000" },
	{ { "run", "-p", "1,," }, 2, "invalid PID list '1,,'" },
	{ { "run", "-p", "1,2x" }, 2, "invalid PID '2x'" },
	{ { "run", "-d", "0x10" }, 2, "invalid duration '0x10'" },
	{ { "run", "-p", "," }, 2, "invalid PID list" },
	{ { "run", "--top", "0" }, 2, "invalid --top '0'" },
	{ { "run", "--top", "x" }, 2, "invalid --top 'x'" },
	{ { "run", "--json", "" }, 2, "--json needs a file name" },
	{ { "run", "--json", "/nonexistent/dir/r.json" },
	  2,
	  "cannot write '/nonexistent/dir/r.json'" },
	{ { "run", "--json", "/proc/version" }, 2, "cannot write '/proc/version'" },
	/* --pprof FILE: checked before tracing like --json, written atomically after */
	{ { "run", "--pprof", "" }, 2, "--pprof needs a file name or '-'" },
	{ { "run", "--pprof", "/nonexistent/dir/p.pb.gz" },
	  2,
	  "cannot write '/nonexistent/dir/p.pb.gz'" },
	{ { "run", "--pprof", "/tmp" }, 2, "cannot write '/tmp': it is a directory" },
	{ { "record", "-o", "x.rec", "--pprof", "" }, 2, "memtrace record: --pprof needs a file" },
	{ { "record", "-o", "x.rec", "--pprof", "/dev/zero" },
	  2,
	  "'/dev/zero': not a regular file" },
	{ { "report", FIXTURE, "--pprof" }, 2, "option '--pprof' needs a value" },
	{ { "report", FIXTURE, "--pprof", "/nonexistent/dir/p.pb.gz" },
	  1,
	  "failed to write the pprof profile to '/nonexistent/dir/p.pb.gz'" },
	{ { "report", FIXTURE, "--pprof", "/dev/zero" },
	  1,
	  "failed to write the pprof profile to '/dev/zero': not a regular file" },
	{ { "report", FIXTURE, "--json", "-", "--pprof", "-" },
	  2,
	  "only one output can go to stdout ('-')" },
	{ { "run", "--pprof", "/etc/mt-cli.pb.gz" },
	  2,
	  "cannot write '/etc/mt-cli.pb.gz': Permission denied",
	  NULL,
	  true },
	{ { "run", "stray" }, 2, "unexpected argument 'stray'" },
	{ { "run", "--min-age", "0" }, 2, "--min-age '0' out of range" },
	{ { "run", "--min-age", "x" }, 2, "invalid --min-age 'x'" },
	{ { "run", "--min-age", "-1" }, 2, "--min-age '-1' out of range" },
	{ { "run", "--min-age" }, 2, "option '--min-age' needs a value" },
	{ { "run", "--interval", "0.05" }, 2, "--interval '0.05' out of range (0.1..3600 s)" },
	{ { "run", "--interval", "3601" }, 2, "--interval '3601' out of range" },
	{ { "run", "--interval", "-1" }, 2, "--interval '-1' out of range" },
	{ { "run", "--interval", "1s" }, 2, "invalid --interval '1s'" },
	{ { "run", "--interval" }, 2, "option '--interval' needs a value" },
	{ { "top", "--json", "-" }, 2, "--json and --html need a file: stdout is top's screen" },
	{ { "top", "--html", "" }, 2, "--html needs a file name" },
	{ { "top", "--json", "/nonexistent/x.json" }, 2, "cannot write '/nonexistent/x.json'" },
	{ { "record", "-o", "x.rec", "--interval", "0" }, 2, "--interval '0' out of range" },
	{ { "run", "--outstanding-entries", "0" }, 2, "invalid --outstanding-entries '0'" },
	{ { "run", "--outstanding-entries", "16777217" },
	  2,
	  "invalid --outstanding-entries '16777217'" },
	{ { "run", "--stack-entries", "x" }, 2, "invalid --stack-entries 'x'" },
	{ { "run", "--stack-entries", "2000000" }, 2, "invalid --stack-entries '2000000'" },
	{ { "run", "--call-site-entries", "0" }, 2, "invalid --call-site-entries '0'" },
	{ { "run", "--folded", "" }, 2, "--folded needs a file name" },
	{ { "run", "--folded-outstanding", "" }, 2, "--folded-outstanding needs a file name" },
	{ { "run", "--folded", "/nonexistent/dir/f" }, 2, "cannot write '/nonexistent/dir/f'" },
	{ { "run", "--folded-outstanding", "/proc/version" }, 2, "cannot write '/proc/version'" },
	{ { "run", "--outstanding", "stray" }, 2, "unexpected argument 'stray'" },
	{ { "run", "--class", "frob" }, 2, "invalid --class 'frob'" },
	{ { "run", "--class", "" }, 2, "invalid --class list ''" },
	{ { "run", "--class", "bus,," }, 2, "invalid --class list 'bus,,'" },
	{ { "run", "--class" }, 2, "needs a value" },
	{ { "layout", "--frob" }, 2, "unknown option '--frob'" },
	{ { "addr" }, 2, "needs at least one ADDR" },
	{ { "addr", "xyz" }, 2, "invalid address 'xyz'" },
	{ { "addr", "0x1ffffffffffffffff" }, 2, "invalid address" },
	{ { "addr", "--phys", "-1" }, 2, "invalid address '-1'" },
	{ { "addr", "0x0000900000000000" }, 2, "out of range for x86_64" },
	{ { "addr", "--phys", "0x10000000000000" }, 2, "out of range for x86_64 physical" },
	{ { "run", "--latency=1" }, 2, "unknown option '--latency=1'" },
	{ { "run", "--latency", "--force-call-hook", "uprobe" },
	  2,
	  "invalid --force-call-hook 'uprobe' (fentry or kprobe)" },
	{ { "run", "--force-call-hook=kprobe" }, 2, "--force-call-hook needs --latency" },
	{ { "run", "--latency", "--force-call-hook" }, 2, "needs a value" },
	{ { "help", "frob" }, 2, "unknown command 'frob'" },
	/* issue 6: scoping, -- CMD, CI mode, check */
	{ { "run", "--fail-if" }, 2, "option '--fail-if' needs a value" },
	/* --baseline: what base reads; checked before anything is attached */
	{ { "run", "--fail-if", "cache.filp.allocs > base" }, 2, "give --baseline FILE" },
	{ { "run", "--baseline", "" }, 2, "--baseline needs a FILE" },
	{ { "run", "--baseline", FIXTURE, "--fail-if", "classes.physical.net_bytes > base" },
	  2,
	  "cannot be compared with a baseline" },
	{ { "run", "--baseline", FIXTURE, "--fail-if", "cache.filp.allocs > base + 1KiB" },
	  2,
	  "'cache.filp.allocs' is a count" },
	{ { "run", "--baseline", FIXTURE, "--fail-if", "cache.filp.allocs > base / 2" },
	  2,
	  "expected '* FACTOR', '+ NUMBER' or '- NUMBER' after 'base'" },
	{ { "run", "--no-call-sites", "--baseline", FIXTURE, "--fail-if",
	    "site.kfree+0x10.allocs > base" },
	  2,
	  "needs call sites" },
	{ { "run", "--fail-if", "" }, 2, "expected a metric name" },
	{ { "run", "--fail-if", "lost >" }, 2, "expected a number" },
	{ { "run", "--fail-if", "lost = 1" }, 2, "use '=='" },
	{ { "run", "--fail-if", "lost > 1MB" }, 2, "unknown unit 'MB' (use MiB)" },
	{ { "run", "--fail-if", "lost > 1KiB" }, 2, "'lost' is a count" },
	{ { "run", "--fail-if", "duration > 5" }, 2, "give a unit" },
	{ { "run", "--fail-if", "outstanding.slabs > 1MiB" },
	  2,
	  "unknown metric 'outstanding.slabs'" },
	{ { "run", "--fail-if", "outstanding.slab > 1ms" },
	  2,
	  "'outstanding.slab' is a bytes: a time unit does not apply" },
	{ { "run", "--fail-if", "outstanding.slab.count > 1KiB" },
	  2,
	  "'outstanding.slab.count' is a count" },
	{ { "run", "--fail-if", "stall.direct_reclaim.p99 > 10" },
	  2,
	  "'stall.direct_reclaim.p99' is a time: give a unit" },
	{ { "run", "--fail-if", "stall.direct_reclaim.p95 > 10ms" },
	  2,
	  "unknown metric 'stall.direct_reclaim.p95'" },
	{ { "run", "--fail-if", "stall.direct_reclaim.count > 1s" },
	  2,
	  "is a count: a time unit does not apply" },
	{ { "run", "--fail-if", "lost > 0", "--fail-if", "lost >> 0" }, 2, "unknown operator '>>'" },
	{ { "run", "--fail-if", "lost > 99999999999999999999" }, 2, "out of range" },
	{ { "run", "--cgroup" }, 2, "option '--cgroup' needs a value" },
	{ { "run", "--cgroup", "" }, 2, "--cgroup needs a cgroup v2 directory" },
	{ { "run", "--cgroup", "/nonexistent" }, 2, "cannot use cgroup '/nonexistent'" },
	{ { "run", "--cgroup", "/proc" }, 2, "'/proc' is not a cgroup v2 directory" },
	{ { "run", "--cgroup", "/sys/fs/cgroup/unified/cgroup.procs" },
	  2,
	  "is not a cgroup v2 directory" },
	{ { "run", "--" }, 2, "'--' needs a command" },
	{ { "run", "--", "no-such-command-xyz" }, 2, "command not found: 'no-such-command-xyz'" },
	{ { "run", "--", "/etc/passwd" }, 2, "command not found: '/etc/passwd'" },
	{ { "run", "--", "/tmp" }, 2, "command not found: '/tmp'" },
	{ { "run", "-d", "1", "--", "true" }, 2, "-d and -- CMD exclude each other" },
	{ { "run", "-p", "1", "--", "true" }, 2, "exclude each other" },
	{ { "run", "-p", "1", "--cgroup", "/sys/fs/cgroup/unified" }, 2, "exclude each other" },
	{ { "run", "--cgroup", "/sys/fs/cgroup/unified", "--", "true" }, 2, "exclude each other" },
	{ { "run", "true" }, 2, "a command goes after '--'" },
	{ { "check", "--bogus" }, 2, "unknown option '--bogus'" },
	{ { "check", "stray" }, 2, "unexpected argument 'stray'" },
	{ { "run", "-o", "x.rec" }, 2, "unknown option '-o'" },
	{ { "run", "--openmetrics", "" }, 2, "--openmetrics needs a file name" },
	{ { "run", "--openmetrics", "/nonexistent/dir/m.prom" }, 2, "cannot write '/none" },
	/* record: run's options and its own; the file is checked before anything loads */
	{ { "record" }, 2, "-o FILE is required" },
	{ { "record", "-d", "1" }, 2, "-o FILE is required" },
	{ { "record", "-o" }, 2, "option '-o' needs a value" },
	{ { "record", "-o", "" }, 2, "-o needs a file name" },
	{ { "record", "-o", "/nonexistent/dir/x.rec" }, 2, "cannot write '/nonexistent/dir/x" },
	{ { "record", "-o", "/tmp" }, 2, "cannot write '/tmp': it is a directory" },
	{ { "record", "-o", "/tmp", "-f" }, 2, "it is a directory" },
	{ { "record", "-o", "/proc/version" }, 2, "'/proc/version' exists (-f replaces it)" },
	{ { "record", "-o", "x.rec", "-d", "abc" }, 2, "memtrace record: invalid duration 'abc'" },
	{ { "record", "-o", "x.rec", "-p", "0" }, 2, "memtrace record: invalid PID '0'" },
	{ { "record", "-o", "x.rec", "--bogus" }, 2, "unknown option '--bogus'" },
	{ { "record", "-o", "x.rec", "stray" }, 2, "unexpected argument 'stray'" },
	{ { "record", "-o", "x.rec", "--json", "/nonexistent/dir/r.json" }, 2, "cannot write" },
	/* report: the file is read with no root; every unreadable kind is one line, exit 1 */
	{ { "report" }, 2, "a recording FILE is required" },
	{ { "report", "" }, 2, "FILE is empty" },
	{ { "report", "a.rec", "b.rec" }, 2, "unexpected argument 'b.rec'" },
	{ { "report", "--bogus", "a.rec" }, 2, "unknown option '--bogus'" },
	{ { "report", "--top", "0", "a.rec" }, 2, "invalid --top '0'" },
	{ { "report", "--json", "", "a.rec" }, 2, "--json needs a file name" },
	{ { "report", "a.rec", "--json" }, 2, "option '--json' needs a value" },
	{ { "report", "/nonexistent.rec" }, 1, "cannot read '/nonexistent.rec': No such file" },
	{ { "report", "/tmp" }, 1, "cannot read '/tmp': Is a directory" },
	{ { "report", "/dev/zero" }, 1, "cannot read '/dev/zero': not a regular file" },
	{ { "report", "/etc/passwd" }, 1, "'/etc/passwd': not a memtrace recording" },
	{ { "report", "/proc/version" }, 1, "not a memtrace recording" },
	{ { "report", "tests/fixtures/record-major2.rec" },
	  1,
	  "recorded in format 2.0, newer than this memtrace reads (1.x)" },
	{ { "report", "tests/fixtures/record-major2.rec" }, 1, "newer", NULL, true },
	/* diff: trouble is 2, as for diff(1) */
	{ { "diff" }, 2, "needs a BASE and a NEW recording" },
	{ { "diff", FIXTURE }, 2, "needs a BASE and a NEW recording" },
	{ { "diff", "--bogus", FIXTURE, FIXTURE }, 2, "unknown option '--bogus'" },
	{ { "diff", FIXTURE, FIXTURE, "--min-bytes", "x" }, 2, "'x' is not a non-negative number" },
	{ { "diff", FIXTURE, FIXTURE, "--min-count", "-1" }, 2, "is not a non-negative number" },
	{ { "diff", FIXTURE, FIXTURE, "--min-rel" }, 2, "option '--min-rel' needs a value" },
	{ { "diff", FIXTURE, FIXTURE, "--top", "0" }, 2, "invalid --top '0'" },
	{ { "diff", FIXTURE, "" }, 2, "NEW is empty" },
	{ { "diff", FIXTURE, FIXTURE, "--json", "-", "--folded", "-" }, 2, "cannot both go" },
	{ { "diff", FIXTURE, "/nonexistent.rec" }, 2, "cannot read '/nonexistent.rec': No such" },
	{ { "diff", "/etc/passwd", FIXTURE }, 2, "'/etc/passwd': not a memtrace recording" },
	{ { "diff", "tests/fixtures/layout-x86_64-kaslr.json", FIXTURE },
	  2,
	  "not a memtrace JSON report" },
	{ { "diff", FIXTURE, "tests/fixtures/record-major2.rec" }, 2, "newer than this memtrace" },
	{ { "diff", FIXTURE, FIXTURE, "--json", "/proc/version" },
	  2,
	  "cannot write '/proc/version'" },
	/* top */
	{ { "top", "--bogus" }, 2, "unknown option '--bogus'" },
	{ { "top", "stray" }, 2, "unexpected argument 'stray'" },
	{ { "top", "-i" }, 2, "option '-i' needs a value" },
	{ { "top", "-i", "0" }, 2, "interval '0' out of range" },
	{ { "top", "-i", "0.05" }, 2, "interval '0.05' out of range" },
	{ { "top", "-i", "abc" }, 2, "invalid interval 'abc'" },
	{ { "top", "-n", "0" }, 2, "invalid rows '0'" },
	{ { "top", "-n", "x" }, 2, "invalid rows 'x'" },
	{ { "top", "--sort", "size" }, 2, "invalid --sort 'size'" },
	{ { "top", "-c", "0" }, 2, "invalid count '0'" },
	{ { "top", "-p", "abc" }, 2, "memtrace top: invalid PID 'abc'" },
	{ { "top", "-p", "4000000" }, 2, "memtrace top: no process with PID 4000000" },
	{ { "top", "--openmetrics", "/nonexistent/dir/m.prom" }, 2, "cannot write" },
	{ { "top", "--listen", "abc" }, 2, "invalid --listen 'abc'" },
	{ { "top", "--listen", "127.0.0.1:0" }, 2, "invalid --listen '127.0.0.1:0'" },
	{ { "top", "--listen", "65536" }, 2, "invalid --listen '65536'" },
	{ { "top", "--listen", "1.2.3:80" }, 2, "invalid --listen '1.2.3:80'" },
	{ { "top", "--listen", "localhost:80" }, 2, "invalid --listen" },
	{ { "top", "--listen", "192.0.2.1:9464" }, 2, "cannot listen on '192.0.2.1:9464'" },
	{ { "top", "-c", "1" }, 1, "run as root", NULL, true },
	{ { "run", "-d", "1" }, 1, "kernel lacks BTF", "MEMTRACE_VMLINUX_BTF=/nonexistent" },
	{ { "run", "-d", "1" }, 1, "run as root", NULL, true },
	/* issue 9: the rest of the list, and the option tables shared by commands */
	{ { "run", "-d", "31622401" }, 2, "duration '31622401' out of range" },
	{ { "run", "-d", "" }, 2, "invalid duration ''" },
	{ { "run", "--top", "100001" }, 2, "invalid --top '100001'" },
	{ { "run", "--outstanding-entries", "-1" }, 2, "invalid --outstanding-entries '-1'" },
	{ { "run", "--fail-if", "classes.physical.net_bytes > 0.5B" },
	  2,
	  "not a whole number of bytes" },
	{ { "run", "--fail-if", "classes.physical.net_bytes > 1.5.3KiB" }, 2, "unexpected '.3" },
	{ { "run", "--fail-if", "classes.physical.net_bytes > 1 KB" }, 2, "(use KiB)" },
	{ { "run", "--json", "/dev/zero" }, 2, "cannot write '/dev/zero': not a regular file" },
	{ { "run", "--json", "/tmp" }, 2, "cannot write '/tmp': it is a directory" },
	{ { "run", "--openmetrics", "/dev/null" }, 2, "'/dev/null': not a regular file" },
	{ { "run", "--folded", "/tmp" }, 2, "cannot write '/tmp': it is a directory" },
	{ { "record", "-o", "/dev/zero", "-f" }, 2, "'/dev/zero': not a regular file" },
	{ { "top", "--openmetrics", "/dev/zero" }, 2, "'/dev/zero': not a regular file" },
	{ { "report", "--json", "/dev/zero", FIXTURE },
	  1,
	  "failed to write JSON to '/dev/zero': not a regular file" },
	{ { "report", "--json", "/nonexistent/dir/r.json", FIXTURE },
	  1,
	  "failed to write JSON to '/nonexistent/dir/r.json'" },
	{ { "report", "--openmetrics", "/nonexistent/dir/m.prom", FIXTURE },
	  1,
	  "failed to write metrics to '/nonexistent/dir/m.prom'" },
	{ { "report", "/etc/shadow" },
	  1,
	  "cannot read '/etc/shadow': Permission denied",
	  NULL,
	  true },
	{ { "run", "--json", "/etc/mt-cli.json" },
	  2,
	  "cannot write '/etc/mt-cli.json': Permission denied",
	  NULL,
	  true },
	{ { "record", "-o", "/etc/mt-cli.rec" },
	  2,
	  "cannot write '/etc/mt-cli.rec': Permission denied",
	  NULL,
	  true },
	{ { "run", "--", "/dev/zero" }, 2, "command not found: '/dev/zero'" },
	{ { "run", "--output", "x.rec" }, 2, "unknown option '--output'" },
	{ { "run", "-f" }, 2, "unknown option '-f'" },
	{ { "run", "--no-kallsyms" }, 2, "unknown option '--no-kallsyms'" },
	{ { "record", "-o", "x.rec", "--fail-if", "lost > 0" }, 2, "unknown option '--fail-if'" },
	{ { "record", "-o", "x.rec", "--latency" }, 2, "unknown option '--latency'" },
	{ { "record", "-o", "x.rec", "--list-metrics" }, 2, "unknown option '--list-metrics'" },
	{ { "record", "-o", "x.rec", "--no-kallsyms", "stray" }, 2, "unexpected argument 'stray'" },
	{ { "record", "-o", "x.rec", "--class", "frob" }, 2, "memtrace record: invalid --class" },
	{ { "record", "-o", "x.rec", "--folded", "" }, 2, "--folded needs a file name" },
	{ { "record", "-o", "x.rec", "--min-age" }, 2, "option '--min-age' needs a value" },
	{ { "layout", "stray" }, 2, "memtrace layout: unexpected argument 'stray'" },
	{ { "layout", "-x" }, 2, "memtrace layout: unknown option '-x' (see 'memtrace layout" },
	{ { "layout", "--json=1" }, 2, "unknown option '--json=1'" },
	{ { "check", "--json", "stray" }, 2, "memtrace check: unexpected argument 'stray'" },
	{ { "check", "-x" }, 2, "memtrace check: unknown option '-x' (see 'memtrace check" },
	{ { "report", FIXTURE, "--json", "-", "--openmetrics", "-" },
	  2,
	  "only one output can go to stdout ('-')" },
	{ { "run", "--json", "-", "--folded", "-" }, 2, "only one output can go to stdout ('-')" },
	{ { "top", "--openmetrics", "-" }, 2, "stdout is top's screen" },
	/* root without the capabilities: says which are missing */
	{ { "run", "-d", "1" },
	  1,
	  "root lacks CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON",
	  .drop_caps = true },
	{ { "top", "-c", "1" },
	  1,
	  "root lacks CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON",
	  .drop_caps = true },
	{ { "record", "-o", "/nonexistent/x.rec", "-d", "1" },
	  2,
	  "cannot write",
	  .drop_caps = true },
	/* the traced process exits mid-run: a line saying so, the report, exit 0 */
	{ { "run", "-p", "%PID" }, 0, "exited; the trace ends", .pid_exits = true, .lines = 2 },
	{ { "run", "-d", "60", "-p", "%PID" },
	  0,
	  "exited; the trace ends",
	  .pid_exits = true,
	  .lines = 2 },
};

/* Run one case; returns exit status, stderr in err (NUL-terminated). */
static int run_case(const struct bad *c, char *err, size_t len)
{
	int pipefd[2], st;
	ssize_t n, off = 0;
	pid_t pid;

	char pidarg[16] = "";
	pid_t victim = -1;

	if (c->pid_exits) {
		victim = fork();
		assert_true(victim >= 0);
		if (victim == 0) {
			sleep(2);
			_exit(0);
		}
		snprintf(pidarg, sizeof(pidarg), "%d", victim);
	}
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char *argv[10] = { memtrace };
		int i = 0;

		while (i < 8 && c->argv[i]) {
			argv[i + 1] = strcmp(c->argv[i], "%PID") ? c->argv[i] : pidarg;
			i++;
		}
		dup2(pipefd[1], 2);
		if (!freopen("/dev/null", "w", stdout))
			_exit(126);
		if (c->env)
			putenv((char *)c->env);
		if (c->drop_root && (setgid(65534) || setuid(65534)))
			_exit(125);
		/* out of the bounding set, so exec does not give them back to root */
		if (c->drop_caps &&
		    (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN) || prctl(PR_CAPBSET_DROP, CAP_BPF) ||
		     prctl(PR_CAPBSET_DROP, CAP_PERFMON)))
			_exit(124);
		execv(memtrace, (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], err + off, len - 1 - off)) > 0)
		off += n;
	err[off] = '\0';
	close(pipefd[0]);
	waitpid(pid, &st, 0);
	if (victim > 0) {
		char want[64];

		/* the line names the process that exited */
		snprintf(want, sizeof(want), "memtrace: process %d exited", victim);
		kill(victim, SIGKILL);
		waitpid(victim, NULL, 0);
		if (!strstr(err, want)) {
			print_error("no '%s'\n", want);
			return -1;
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_bad_invocations(void **state)
{
	int failures = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad *c = &cases[i];
		char err[4096], *nl;
		int code, lines = 0;

		if ((c->drop_root || c->drop_caps || c->pid_exits) && geteuid() != 0)
			continue; /* already not root: the case below covers it */
		code = run_case(c, err, sizeof(err));
		for (nl = err; (nl = strchr(nl, '\n')); nl++)
			lines++;
		/* no arguments prints the usage, not one line; everything else: one line */
		if (code != c->code || (c->says && !strstr(err, c->says)) ||
		    (c->argv[0] && lines != (c->lines ? c->lines : 1))) {
			print_error("case %zu (%s %s %s): exit %d (want %d), stderr: %s\n", i,
				    c->argv[0] ? c->argv[0] : "", c->argv[1] ? c->argv[1] : "",
				    c->argv[2] ? c->argv[2] : "", code, c->code, err);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/*
 * Output of a shell command into buf (first len - 1 bytes, NUL-terminated); the rest is read and
 * dropped so that the command never dies of SIGPIPE when its output outgrows buf. Exit status.
 */
static int cmd_out(const char *cmd, char *buf, size_t len)
{
	char sink[4096];
	size_t n = 0, got;
	FILE *f = popen(cmd, "r");

	if (!f)
		return -1;
	while (n < len - 1 && (got = fread(buf + n, 1, len - 1 - n, f)) > 0)
		n += got;
	buf[n] = '\0';
	while (fread(sink, 1, sizeof(sink), f) > 0)
		;
	return pclose(f);
}

/* --help, run --help and --version tell the truth and succeed. */
static void test_help_and_version(void **state)
{
	char cmd[512], buf[16384];

	snprintf(cmd, sizeof(cmd), "%s run --help", memtrace);
	assert_int_equal(cmd_out(cmd, buf, sizeof(buf)), 0);
	for (const char *opt = "--duration\0--pid\0--json\0--top\0--verbose\0Exit status\0"
			       "-- CMD\0--cgroup\0--per-thread\0--fail-if\0--list-metrics\0"
			       "  3  \0  4  \0"
			       "--no-call-sites\0--outstanding\0--min-age\0--stacks\0--folded\0"
			       "--folded-outstanding\0--outstanding-entries\0--stack-entries\0"
			       "--call-site-entries\0--latency\0--no-stalls\0";
	     *opt; opt += strlen(opt) + 1)
		assert_non_null(strstr(buf, opt));
	assert_non_null(strstr(buf, "--raw-addresses"));
	assert_non_null(strstr(buf, "--pprof FILE"));
	assert_null(strstr(buf, "force-tracepoint")); /* hidden on purpose */
	assert_null(strstr(buf, "force-call-hook"));  /* hidden on purpose */

	snprintf(cmd, sizeof(cmd), "%s run --list-metrics", memtrace);
	assert_int_equal(cmd_out(cmd, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "  lost "));
	assert_non_null(strstr(buf, "classes.kernel_logical.net_bytes"));

	for (const char *c = "report\0top\0record\0"; *c; c += strlen(c) + 1) {
		snprintf(cmd, sizeof(cmd), "%s %s --help", memtrace, c);
		assert_int_equal(cmd_out(cmd, buf, sizeof(buf)), 0);
		assert_non_null(strstr(buf, "--raw-addresses"));
		if (strcmp(c, "top"))
			assert_non_null(strstr(buf, "--pprof"));
	}

	snprintf(cmd, sizeof(cmd), "%s check --help", memtrace);
	assert_int_equal(cmd_out(cmd, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "--json"));
	assert_non_null(strstr(buf, "Exit status"));

	snprintf(cmd, sizeof(cmd), "%s --version", memtrace);
	assert_int_equal(cmd_out(cmd, buf, sizeof(buf)), 0);
	assert_true(strncmp(buf, "memtrace ", 9) == 0);

	snprintf(cmd, sizeof(cmd), "%s --help", memtrace);
	assert_int_equal(cmd_out(cmd, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "run "));
	assert_non_null(strstr(buf, "check "));
}

/* Output of memtrace argv... (NULL-terminated) run as user uid (-1: as is); exit status. */
static int run_out(int uid, char *out, size_t len, const char *const *argv)
{
	int pipefd[2], st;
	ssize_t n, off = 0;
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		if (uid >= 0 && (setgid(uid) || setuid(uid)))
			_exit(125);
		execv(memtrace, (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + off, len - 1 - off)) > 0)
		off += n;
	out[off] = '\0';
	close(pipefd[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* report needs no root: the golden recording reports as nobody. */
static void test_report_without_root(void **state)
{
	char copy[] = "/tmp/mt-cli-report.XXXXXX", cmd[512], out[65536];
	const char *argv[] = { memtrace, "report", copy, NULL };
	int fd = mkstemp(copy);

	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "cp tests/fixtures/record-mix-2000.rec %s && chmod 644 %s", copy,
		 copy);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(run_out(geteuid() == 0 ? 65534 : -1, out, sizeof(out), argv), 0);
	unlink(copy);
	assert_non_null(strstr(out, "kernel logical        8,004       8,004"));
	assert_non_null(strstr(out, "recorded  /tmp/mt-cli-report."));
	assert_null(strstr(out, "truncated"));
}

/* The lowest kernel virtual address of x86-64 (4- and 5-level paging) and arm64. */
#define KERNEL_VA_MIN 0xffff000000000000ULL

/* A JSON value that is, or spells, a kernel virtual address: its path, or NULL. */
static const char *kernel_addr_in(struct json_object *o, char *path, size_t len)
{
	size_t at = strlen(path);

	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, k, v)
		{
			snprintf(path + at, len - at, ".%s", k);
			if (kernel_addr_in(v, path, len))
				return path;
		}
		break;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			snprintf(path + at, len - at, "[%zu]", i);
			if (kernel_addr_in(json_object_array_get_idx(o, i), path, len))
				return path;
		}
		break;
	case json_type_int:
		if (json_object_get_uint64(o) >= KERNEL_VA_MIN)
			return path;
		break;
	case json_type_double:
		if (json_object_get_double(o) >= (double)KERNEL_VA_MIN)
			return path;
		break;
	case json_type_string: {
		const char *s = json_object_get_string(o);

		if (!strncmp(s, "0x", 2) && strtoull(s, NULL, 16) >= KERNEL_VA_MIN)
			return path;
		break;
	}
	default:
		break;
	}
	path[at] = '\0';
	return NULL;
}

/*
 * Reports name call sites by symbol and print no kernel virtual address unless
 * --raw-addresses (text and JSON, both fixtures); with it the call-site address is back.
 */
static void test_report_no_kernel_addresses(void **state)
{
	static char out[1 << 20];
	const char *const fixtures[] = { FIXTURE, FIXTURE_SITES };
	struct json_object *j, *sites, *a;
	char path[512];

	(void)state;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const char *text[] = { memtrace, "report", fixtures[i], NULL };
		const char *json[] = { memtrace, "report", fixtures[i], "--json", "-", NULL };

		assert_int_equal(run_out(-1, out, sizeof(out), text), 0);
		if (strstr(out, "0xffff"))
			fail_msg("%s: text has a kernel address: %.60s", fixtures[i],
				 strstr(out, "0xffff"));
		assert_int_equal(run_out(-1, out, sizeof(out), json), 0);
		if (strstr(out, "0xffff"))
			fail_msg("%s: JSON has a kernel address: %.60s", fixtures[i],
				 strstr(out, "0xffff"));
		j = json_tokener_parse(out);
		assert_non_null(j);
		path[0] = '\0';
		if (kernel_addr_in(j, path, sizeof(path)))
			fail_msg("%s: JSON %s is a kernel address", fixtures[i], path);
		assert_true(json_object_object_get_ex(j, "run", &a));
		assert_true(json_object_object_get_ex(a, "raw_addresses", &a));
		assert_false(json_object_get_boolean(a));
		json_object_put(j);
	}

	/* the recording has call sites: address null by default, back with --raw-addresses */
	{
		const char *json[] = { memtrace, "report", FIXTURE_SITES, "--json", "-", NULL };
		const char *raw[] = { memtrace, "report",	   FIXTURE_SITES, "--json",
				      "-",	"--raw-addresses", NULL };
		const char *text[] = { memtrace, "report", FIXTURE_SITES, "--raw-addresses", NULL };

		assert_int_equal(run_out(-1, out, sizeof(out), json), 0);
		j = json_tokener_parse(out);
		assert_non_null(j);
		assert_true(json_object_object_get_ex(j, "call_sites", &sites));
		assert_true(json_object_array_length(sites) > 0);
		a = json_object_array_get_idx(sites, 0);
		assert_true(json_object_object_get_ex(a, "address", &a));
		assert_true(json_object_is_type(a, json_type_null));
		json_object_put(j);

		assert_int_equal(run_out(-1, out, sizeof(out), raw), 0);
		j = json_tokener_parse(out);
		assert_non_null(j);
		assert_true(json_object_object_get_ex(j, "call_sites", &sites));
		a = json_object_array_get_idx(sites, 0);
		assert_true(json_object_object_get_ex(a, "address", &a));
		assert_true(json_object_is_type(a, json_type_string));
		assert_true(strtoull(json_object_get_string(a), NULL, 16) >= KERNEL_VA_MIN);
		assert_true(json_object_object_get_ex(j, "kernel", &a));
		assert_true(json_object_object_get_ex(a, "page_offset_base", &a));
		assert_true(json_object_is_type(a, json_type_string));
		json_object_put(j);

		assert_int_equal(run_out(-1, out, sizeof(out), text), 0);
		assert_non_null(strstr(out, "direct map base 0xffff"));
		assert_non_null(strstr(out, "\n0xffffffff8")); /* an unnamed call site */
	}
}

/* A recording against itself: nothing flagged (0); against a copy with a lower threshold
 * still nothing; the JSON goes to stdout alone. */
static void test_diff_same(void **state)
{
	const char *argv[] = { memtrace, "diff", FIXTURE, FIXTURE, NULL };
	const char *three[] = { memtrace, "diff",   "--base", FIXTURE, FIXTURE,
				FIXTURE,  "--json", "-",      FIXTURE, NULL };
	char out[1 << 20];

	(void)state;
	assert_int_equal(run_out(-1, out, sizeof(out), argv), 0);
	assert_non_null(strstr(out, "memtrace diff: 0 of "));
	assert_non_null(strstr(out, "No change beyond"));
	assert_int_equal(run_out(-1, out, sizeof(out), three), 0);
	assert_non_null(strstr(out, "\"baseline_runs\": 3"));
	assert_non_null(strstr(out, "\"flagged\": 0"));
	assert_null(strstr(out, "memtrace diff:"));
}

/*
 * A recording and its own JSON report flatten to the same values, in either order: with
 * every threshold at zero nothing is flagged, and --all lists no changed row at all.
 */
static void test_diff_json_matches_recording(void **state)
{
	const char *argv[] = { memtrace, "diff",	FIXTURE, FIXTURE_JSON,
			       "--all",	 "--min-bytes", "0",	 "--min-count",
			       "0",	 "--min-rel",	"0",	 NULL };
	const char *back[] = { memtrace, "diff", FIXTURE_JSON, FIXTURE, "--all", NULL };
	char out[1 << 16];

	(void)state;
	assert_int_equal(run_out(-1, out, sizeof(out), argv), 0);
	assert_non_null(strstr(out, "memtrace diff: 0 of 33 values flagged"));
	/* the header is the last line: no row changed */
	assert_non_null(strstr(out, "CHANGE  NAME\n"));
	assert_string_equal(strstr(out, "CHANGE  NAME\n"), "CHANGE  NAME\n");
	assert_int_equal(run_out(-1, out, sizeof(out), back), 0);
	assert_string_equal(strstr(out, "CHANGE  NAME\n"), "CHANGE  NAME\n");
}

/* A record that cannot trace (not root) leaves no file; an existing file is never
 * touched without -f. */
static void test_record_leaves_nothing(void **state)
{
	char path[] = "/tmp/mt-cli-rec.XXXXXX", out[4096], rec[64];
	const char *argv[] = { memtrace, "record", "-o", rec, "-d", "1", NULL };
	struct stat st;
	char *dir;

	if (geteuid() != 0) {
		print_message("skipped: needs root to drop to nobody\n");
		skip();
	}
	dir = mkdtemp(path);
	assert_non_null(dir);
	assert_int_equal(chmod(dir, 0777), 0);
	snprintf(rec, sizeof(rec), "%s/x.rec", dir);
	assert_int_equal(run_out(65534, out, sizeof(out), argv), 1);
	assert_non_null(strstr(out, "run as root"));
	assert_int_equal(stat(rec, &st), -1);
	rmdir(dir);
}

/* Run memtrace argv... with umask 000 in dir; exit status. Output to /dev/null. */
static int run_umask0(const char *dir, const char *const *argv)
{
	char *bin = realpath(memtrace, NULL); /* before the chdir */
	int st;
	pid_t pid;

	assert_non_null(bin);
	pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		umask(0);
		if (chdir(dir) || null < 0)
			_exit(125);
		dup2(null, 1);
		dup2(null, 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	free(bin);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void assert_mode_0600(const char *dir, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st)) {
		print_error("%s was not written\n", path);
		fail();
	}
	if ((st.st_mode & 07777) != 0600) {
		print_error("%s is %04o, not 0600\n", path, st.st_mode & 07777);
		fail();
	}
	unlink(path);
}

/*
 * Every file memtrace writes is 0600 whatever the umask (reports name kernel symbols, a
 * recording embeds /proc/kallsyms): as perf.data. '-' is stdout, never a file named '-'.
 */
static void test_files_are_0600(void **state)
{
	char tmpl[] = "/tmp/mt-cli-mode.XXXXXX", fixture[512], cwd[256], path[512];
	char *dir = mkdtemp(tmpl);
	struct stat st;

	assert_non_null(dir);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(fixture, sizeof(fixture), "%s/" FIXTURE, cwd);
	{
		const char *argv[] = { memtrace,	"report", fixture,   "--json",	"r.json",
				       "--openmetrics", "r.om",	  "--pprof", "r.pb.gz", NULL };
		const char *dash[] = { memtrace, "report", fixture, "--openmetrics", "-", NULL };
		const char *raw[] = { memtrace, "report", fixture, "--raw-addresses",
				      "--json", "r.json", NULL };
		int fd;

		assert_int_equal(run_umask0(dir, argv), 0);
		assert_mode_0600(dir, "r.json");
		assert_mode_0600(dir, "r.om");
		assert_mode_0600(dir, "r.pb.gz");
		/* a world-readable file of that name is replaced by a 0600 one, not reused */
		snprintf(path, sizeof(path), "%s/r.json", dir);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		assert_true(fd >= 0);
		assert_int_equal(fchmod(fd, 0666), 0);
		close(fd);
		assert_int_equal(run_umask0(dir, raw), 0);
		assert_mode_0600(dir, "r.json");
		assert_int_equal(run_umask0(dir, dash), 0);
		snprintf(path, sizeof(path), "%s/-", dir);
		assert_int_equal(stat(path, &st), -1);
	}
	if (geteuid() != 0) {
		print_message("run and record skipped: not root\n");
		rmdir(dir);
		return;
	}
	{
		const char *run[] = { memtrace,
				      "run",
				      "-d",
				      "0.3",
				      "--json",
				      "j.json",
				      "--openmetrics",
				      "m.om",
				      "--stacks",
				      "--folded",
				      "f.txt",
				      "--folded-outstanding",
				      "o.txt",
				      "--pprof",
				      "p.pb.gz",
				      NULL };
		const char *rec[] = { memtrace, "record", "-d", "0.3", "-o", "x.rec", NULL };
		const char *recf[] = { memtrace, "record", "-d", "0.3", "-f", "-o", "x.rec", NULL };

		assert_int_equal(run_umask0(dir, run), 0);
		assert_mode_0600(dir, "j.json");
		assert_mode_0600(dir, "m.om");
		assert_mode_0600(dir, "f.txt");
		assert_mode_0600(dir, "o.txt");
		assert_mode_0600(dir, "p.pb.gz");
		assert_int_equal(run_umask0(dir, rec), 0);
		assert_int_equal(run_umask0(dir, recf), 0); /* -f: through a temporary file */
		assert_mode_0600(dir, "x.rec");
		assert_mode_0600(dir, "x.rec.old"); /* what -f replaced */
	}
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_invocations),
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_report_without_root),
		cmocka_unit_test(test_report_no_kernel_addresses),
		cmocka_unit_test(test_diff_same),
		cmocka_unit_test(test_diff_json_matches_recording),
		cmocka_unit_test(test_record_leaves_nothing),
		cmocka_unit_test(test_files_are_0600),
	};

	if (getenv("MEMTRACE"))
		memtrace = getenv("MEMTRACE");
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
