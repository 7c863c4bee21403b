// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A build machine in a few minutes: 30,000 short processes while `memtrace top --listen`
 * runs, scraped every second by a real Prometheus server (Debian's prometheus, started here
 * on loopback with its own config and storage, stopped after). At the end: nothing lost to
 * a full table, the workload's series in Prometheus equal bpftrace's count within 1%, the
 * series stay bounded, and memtrace's RSS is within ~10% of what it was after start-up.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "harness.h"

#define NR_PROCESSES 30000

/* A TCP port free on loopback now. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* The body of GET path from 127.0.0.1:port (HTTP/1.0), or NULL; the caller frees it. */
static char *http_get(int port, const char *path)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	size_t len = 0, cap = 65536;
	char req[1200], *buf, *body;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return NULL;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return NULL;
	}
	buf = malloc(cap);
	while (buf && (n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (len + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[len] = '\0';
	body = strstr(buf, "\r\n\r\n");
	if (!body || strncmp(buf, "HTTP/1.", 7) || strncmp(buf + 9, "200", 3)) {
		free(buf);
		return NULL;
	}
	memmove(buf, body + 4, strlen(body + 4) + 1);
	return buf;
}

/* A PromQL instant query's first value, or -1 when it has none. */
static double promql(int port, const char *query)
{
	char path[1024], *q = path, *body;
	struct json_object *j, *res, *v;
	double val = -1;

	q += snprintf(path, sizeof(path), "/api/v1/query?query=");
	for (const char *s = query; *s && q < path + sizeof(path) - 4; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_')
			*q++ = *s;
		else
			q += sprintf(q, "%%%02X", (unsigned char)*s);
	}
	*q = '\0';
	body = http_get(port, path);
	if (!body)
		return -1;
	j = json_tokener_parse(body);
	free(body);
	if (j && json_object_object_get_ex(j, "data", &res) &&
	    json_object_object_get_ex(res, "result", &res) && json_object_array_length(res) > 0 &&
	    json_object_object_get_ex(json_object_array_get_idx(res, 0), "value", &v))
		val = atof(json_object_get_string(json_object_array_get_idx(v, 1)));
	json_object_put(j);
	return val;
}

/* VmRSS of pid, bytes. */
static long long rss_of(pid_t pid)
{
	char path[64], *s, *p;
	long long kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	s = slurp(path);
	p = s ? strstr(s, "VmRSS:") : NULL;
	if (p)
		kb = atoll(p + 6);
	free(s);
	return kb * 1024;
}

static bool wait_query(int port, const char *query, double timeout)
{
	for (double end = now() + timeout; now() < end; usleep(200 * 1000))
		if (promql(port, query) >= 0)
			return true;
	return false;
}

static void test_soak_with_prometheus(void **state)
{
	char listen[64], web[64], cfgpath[512], tsdb[512], cfgarg[600], tsdbarg[600], *cfg;
	char nbuf[16], script[512], *out, *p;
	struct child mt, prom, bt, w;
	long long rss_start, rss_end, sa = -1;
	double series_start, series_end, v, lost, other_lost;
	int mport, pport;
	FILE *f;

	if (skip_unless_live())
		skip();
	if (!have_cmd("prometheus")) {
		print_message("skipped: prometheus (Debian package prometheus) is not installed\n");
		skip();
	}
	next_run();
	mport = free_port();
	pport = free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", mport);
	snprintf(web, sizeof(web), "--web.listen-address=127.0.0.1:%d", pport);
	snprintf(cfgpath, sizeof(cfgpath), "%s", run_file("prometheus.yml"));
	snprintf(tsdb, sizeof(tsdb), "%s", run_file("tsdb"));
	f = fopen(cfgpath, "w");
	assert_non_null(f);
	fprintf(f,
		"global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
		"scrape_configs:\n  - job_name: memtrace\n    scrape_interval: 1s\n"
		"    static_configs:\n      - targets: ['%s']\n",
		listen);
	fclose(f);
	snprintf(cfgarg, sizeof(cfgarg), "--config.file=%s", cfgpath);
	snprintf(tsdbarg, sizeof(tsdbarg), "--storage.tsdb.path=%s", tsdb);

	{
		char *margv[] = { (char *)memtrace, "top", "-i", "1", "--listen", listen, NULL };

		mt = spawn(margv, run_file("top.out"), run_file("top.err"));
	}
	{
		char *pargv[] = { "prometheus", cfgarg, tsdbarg, web, "--log.level=warn", NULL };

		prom = spawn(pargv, run_file("prom.out"), run_file("prom.err"));
	}
	{
		static const char *oracle =
			"BEGIN { printf(\"READY\\n\"); }\n"
			"tracepoint:kmem:kmalloc, tracepoint:kmem:kmem_cache_alloc "
			"/comm == \"workload\"/ { if (args->ptr != 0) { @sa = count(); } }\n";
		char *bargv[] = { "bpftrace", "-e", (char *)oracle, NULL };

		bt = spawn(bargv, run_file("bt.out"), run_file("bt.err"));
	}
	assert_true(wait_file(run_file("bt.out"), "READY", 60));
	/* memtrace answers, and Prometheus has scraped it a few times */
	assert_true(wait_query(pport, "up{job=\"memtrace\"} == 1", 90));
	sleep(3);
	rss_start = rss_of(mt.pid);
	series_start = promql(pport, "count({job=\"memtrace\"})");
	print_message("memtrace RSS after start-up %lld KiB; %g series\n", rss_start / 1024,
		      series_start);

	snprintf(nbuf, sizeof(nbuf), "%d", NR_PROCESSES);
	{
		char *wargv[] = { (char *)workload, "spawn", nbuf, NULL };

		w = spawn(wargv, run_file("w.out"), run_file("w.err"));
	}
	assert_int_equal(wait_exit(w.pid, 600), 0);
	close(w.in);
	sleep(4); /* the last ones leave the table, two more scrapes */
	rss_end = rss_of(mt.pid);

	kill(bt.pid, SIGINT);
	assert_int_equal(wait_oracle(bt.pid), 0);
	out = slurp(run_file("bt.out"));
	p = strstr(out, "@sa: ");
	if (p)
		sa = atoll(p + 5);
	free(out);

	v = promql(pport, "memtrace_process_allocations_total{comm=\"workload\","
			  "class=\"kernel_logical\"}");
	lost = promql(pport, "max_over_time(memtrace_lost_events_total"
			     "{reason=\"process_table_full\"}[1h])");
	/* every other loss but the kernel's own missed runs (counted, never hidden) */
	other_lost = promql(pport, "sum(memtrace_lost_events_total{reason!=\"missed_runs\"})");
	series_end = promql(pport, "count({job=\"memtrace\"})");
	print_message("workload: Prometheus %g, bpftrace %lld slab allocations; RSS %lld KiB at "
		      "the end; %g series; process_table_full %g\n",
		      v, sa, rss_end / 1024, series_end, lost);
	snprintf(script, sizeof(script), "%s", run_file("top.out"));
	kill(mt.pid, SIGINT);
	assert_int_equal(wait_exit(mt.pid, 60), 0);
	kill(prom.pid, SIGTERM);
	assert_int_equal(wait_exit(prom.pid, 60), 0);
	close(mt.in);
	close(prom.in);
	close(bt.in);

	assert_int_equal((long long)lost, 0);
	assert_int_equal((long long)other_lost, 0);
	/* every process of the workload is named workload: 20 eventfds each, and the rest */
	assert_true(sa >= 20LL * NR_PROCESSES);
	if (v < sa * 0.99 || v > sa * 1.01)
		fail_msg("the workload's series is %g, bpftrace counted %lld", v, sa);
	/* per name, bounded: at most 4 x 10 names and (other), 2 metrics, 3 classes */
	assert_true(promql(pport, "count({__name__=~\"memtrace_process_.*\"})") <= 2 * 41 * 3);
	assert_true(series_end <= series_start + 2 * 41 * 3);
	if (rss_end > rss_start + rss_start / 10)
		fail_msg("memtrace's RSS grew from %lld KiB to %lld KiB", rss_start / 1024,
			 rss_end / 1024);
	cfg = slurp(run_file("top.err"));
	assert_null(strstr(cfg, "error"));
	free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_soak_with_prometheus),
	};

	return cmocka_run_group_tests_name("live soak", tests, harness_setup, harness_teardown);
}
