// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A process that makes the kernel allocate a known amount, only when told to, so that
 * every tracer watching it sees the same window:
 *   workload MODE N
 * prints "ready PID", waits for one byte on stdin, does the work, prints "done", then waits
 * for stdin to close before exiting (exit itself frees memory: keep it out of the window).
 * Modes: slab  N x (eventfd + close): kmalloc/kmem_cache_alloc and their frees
 *        pages N pages of anonymous memory touched one by one (no THP), then unmapped
 *        mix   both
 *        slabsecs  eventfd + close for N seconds, as fast as it can (load tests)
 *        hold  N pages touched and kept mapped until stdin closes (a known "leak")
 *        keep  N eventfds opened and left open until stdin closes (N outstanding contexts)
 *        churn N eventfds opened, then all closed (N contexts allocated and freed)
 *        calls slab N, pages N, then N/100 (at least 1) 1 MiB BPF array maps (one vmalloc
 *              each): every allocator whose call latency memtrace times; needs root.
 *              Prints "maxstep NS" (its longest single step) before "done"
 *        classes  N x (create and close a 1 MiB BPF array map: one vmalloc each, as
 *              bpf_map_area_alloc() vmallocs anything above PAGE_ALLOC_COSTLY_ORDER), one
 *              BPF percpu array of N entries (one percpu allocation per entry), then N
 *              pages touched (at least N user page faults); needs root
 *        vkeep N x 1 MiB BPF array maps (one vmalloc area each) and one BPF percpu array of N
 *              entries (N percpu allocations), all left open until stdin closes; needs root
 *        vchurn the same, then all closed (the kernel frees them from a workqueue)
 *        pass  a helper process (forked before "ready") and this one trade N eventfds each
 *              over a unix socket: the helper's close frees what this process allocated
 *              (frees in another context), this process's close frees the helper's
 *   workload forks N
 * forks 3 children at once (no handshake: for `memtrace run -- workload forks N`); each does
 * N x (eventfd + close) and touches N pages, prints "child PID" on stderr and exits; the
 * parent waits for all three and exits 0.
 *   workload short N
 * no handshake: N x (eventfd + close), then exit: one short process of a build.
 *   workload spawn N
 * no handshake: N short processes one after another (fork, exec of this program as
 * `workload short 20`, wait): every process involved is named workload from fork to exit.
 *   workload segv N
 * no handshake either: half a second, N x (eventfd + close), then a write through a NULL pointer (SIGSEGV),
 * for `memtrace run -- workload segv N`: a command that crashes.
 *        pagecache  write a file of N MiB under $MT_WORKLOAD_DIR (default /var/tmp), read it
 *                   back, remove it: in a memory cgroup smaller than N MiB the page cache
 *                   must be reclaimed as it goes (memcg reclaim), even with no swap
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>

/*
 * The longest single step (one eventfd+close, one page touch, one map create+close, one
 * mmap or munmap) of this run, CLOCK_MONOTONIC like bpf_ktime_get_ns(): no allocator call
 * made inside a step can have taken longer. "calls" mode prints it.
 */
static long long max_step_ns;

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void step_done(long long start)
{
	long long d = mono_ns() - start;

	if (d > max_step_ns)
		max_step_ns = d;
}

static int map_create(__u32 type, __u32 value_size, __u32 entries)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = 4;
	a.value_size = value_size;
	a.max_entries = entries;
	return (int)syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
}

/* N x (create and close a 1 MiB BPF array map): one vmalloc each */
static void vmaps(long n)
{
	for (long i = 0; i < n; i++) {
		long long t = mono_ns();
		int fd = map_create(BPF_MAP_TYPE_ARRAY, 4096, 256);

		if (fd < 0) {
			perror("bpf array map");
			exit(1);
		}
		close(fd);
		step_done(t);
	}
}

static void classes(long n)
{
	int fd;

	vmaps(n);
	fd = map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 8, (__u32)n);
	if (fd < 0) {
		perror("bpf percpu array map");
		exit(1);
	}
	close(fd);
}

/* N vmalloc'd maps and N percpu allocations, kept open (or closed when close_now). */
static void virt(long n, int close_now)
{
	int *fds = calloc(n + 1, sizeof(*fds));

	if (!fds) {
		perror("calloc");
		exit(1);
	}
	for (long i = 0; i < n; i++) {
		fds[i] = map_create(BPF_MAP_TYPE_ARRAY, 4096, 256);
		if (fds[i] < 0) {
			perror("bpf array map");
			exit(1);
		}
	}
	fds[n] = map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 8, (__u32)n);
	if (fds[n] < 0) {
		perror("bpf percpu array map");
		exit(1);
	}
	for (long i = 0; close_now && i <= n; i++)
		close(fds[i]);
	free(fds);
}

static void slab(long n)
{
	for (long i = 0; i < n; i++) {
		long long t = mono_ns();
		int fd = eventfd(0, 0);

		if (fd < 0) {
			perror("eventfd");
			exit(1);
		}
		close(fd);
		step_done(t);
	}
}

static void slab_for(long secs)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		slab(1000);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - start.tv_sec < secs);
}

/* N eventfds open at once; closed now (churn) or only at exit (keep). */
static void eventfds(long n, int close_now)
{
	int *fds = calloc(n, sizeof(*fds));

	if (!fds) {
		perror("calloc");
		exit(1);
	}
	for (long i = 0; i < n; i++) {
		fds[i] = eventfd(0, 0);
		if (fds[i] < 0) {
			perror("eventfd");
			exit(1);
		}
	}
	for (long i = 0; close_now && i < n; i++)
		close(fds[i]);
	free(fds);
}

/* Fds per message: below SCM_MAX_FD (253). */
#define PASS_BATCH 200

/* Send n fds over sk, 'F' messages of up to PASS_BATCH, then close them, then 'E'. */
static void send_fds(int sk, const int *fds, long n)
{
	char cbuf[CMSG_SPACE(PASS_BATCH * sizeof(int))];

	for (long i = 0; i < n; i += PASS_BATCH) {
		int k = n - i < PASS_BATCH ? (int)(n - i) : PASS_BATCH;
		char tag = 'F';
		struct iovec iov = { &tag, 1 };
		struct msghdr m = { .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = cbuf,
				    .msg_controllen = CMSG_SPACE(k * sizeof(int)) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(k * sizeof(int));
		memcpy(CMSG_DATA(c), fds + i, k * sizeof(int));
		if (sendmsg(sk, &m, 0) != 1) {
			perror("sendmsg");
			exit(1);
		}
	}
	/* ours are closed before the peer may close its copies: its close is the last */
	for (long i = 0; i < n; i++)
		close(fds[i]);
	if (write(sk, "E", 1) != 1) {
		perror("write");
		exit(1);
	}
}

/*
 * Receive fds until 'E' (0 at EOF), then close them all. The sender closed its copies
 * before sending 'E', so each close here drops the last reference and frees the file.
 */
static long recv_fds(int sk)
{
	char cbuf[CMSG_SPACE(PASS_BATCH * sizeof(int))];
	long got = 0, cap = 0;
	int *all = NULL;

	for (;;) {
		char tag;
		struct iovec iov = { &tag, 1 };
		struct msghdr m = { .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c;
		ssize_t r = recvmsg(sk, &m, 0);

		if (r <= 0) {
			free(all);
			return r < 0 ? -1 : 0;
		}
		if (tag == 'E')
			break;
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			if (got + k > cap) {
				cap = (got + k) * 2;
				all = realloc(all, cap * sizeof(*all));
				if (!all)
					exit(1);
			}
			memcpy(all + got, CMSG_DATA(c), k * sizeof(int));
			got += k;
		}
	}
	for (long i = 0; i < got; i++)
		close(all[i]);
	free(all);
	return got;
}

static int *open_eventfds(long n)
{
	int *fds = calloc(n, sizeof(*fds));

	for (long i = 0; fds && i < n; i++) {
		fds[i] = eventfd(0, 0);
		if (fds[i] < 0) {
			perror("eventfd");
			exit(1);
		}
	}
	if (!fds)
		exit(1);
	return fds;
}

/* The helper: close what comes in, answer with as many of its own, until EOF. */
static void pass_helper(int sk)
{
	long n;

	while ((n = recv_fds(sk)) > 0)
		send_fds(sk, open_eventfds(n), n);
	_exit(n < 0);
}

static int pass_setup(void)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv)) {
		perror("socketpair");
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		close(sv[0]);
		pass_helper(sv[1]);
	}
	close(sv[1]);
	return sv[0];
}

static void pass(int sk, long n)
{
	int *fds = open_eventfds(n);

	send_fds(sk, fds, n);
	free(fds);
	if (recv_fds(sk) != n) {
		fprintf(stderr, "pass: helper did not answer\n");
		exit(1);
	}
}

static volatile char *touch(long n)
{
	long ps = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)n * ps;
	long long t = mono_ns();
	volatile char *p =
		mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	if (madvise((void *)p, len, MADV_NOHUGEPAGE))
		perror("madvise");
	step_done(t);
	for (size_t off = 0; off < len; off += ps) {
		t = mono_ns();
		p[off] = 1;
		step_done(t);
	}
	return p;
}

static void pages(long n)
{
	volatile char *p = touch(n);
	long long t = mono_ns();

	munmap((void *)p, (size_t)n * sysconf(_SC_PAGESIZE));
	step_done(t);
}

static void pagecache(long mib)
{
	const char *dir = getenv("MT_WORKLOAD_DIR") ?: "/var/tmp";
	static char buf[1 << 20];
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/memtrace-workload.%d", dir, getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	unlink(path); /* gone even if we are killed; the open fd keeps the data */
	memset(buf, 0x5a, sizeof(buf));
	for (long i = 0; i < mib; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			perror("write");
			exit(1);
		}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		perror("lseek");
		exit(1);
	}
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

int main(int argc, char **argv)
{
	int sk = -1;
	char c;
	long n;

	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr,
			"usage: workload slab|pages|mix|calls|slabsecs|hold|keep|churn|classes|"
			"forks|segv|pagecache|vkeep|vchurn|pass|short|spawn N\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(argv[1], "short")) {
		slab(n);
		return 0;
	}
	if (!strcmp(argv[1], "spawn")) {
		/* by its own path: exec names a process after the file's base name */
		char self[4096];
		ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (len <= 0)
			return 1;
		self[len] = '\0';
		for (long i = 0; i < n; i++) {
			char *args[] = { self, "short", "20", NULL };
			pid_t pid = fork();
			int st;

			if (pid < 0) {
				perror("fork");
				return 1;
			}
			if (pid == 0) {
				execv(self, args);
				_exit(127);
			}
			if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
				return 1;
		}
		return 0;
	}
	if (!strcmp(argv[1], "forks")) {
		for (int i = 0; i < 3; i++) {
			pid_t pid = fork();

			if (pid < 0) {
				perror("fork");
				return 1;
			}
			if (pid == 0) {
				slab(n);
				pages(n);
				fprintf(stderr, "child %d\n", getpid());
				_exit(0);
			}
		}
		for (int i = 0; i < 3; i++) {
			int st;

			if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
				return 1;
		}
		return 0;
	}
	if (!strcmp(argv[1], "segv")) {
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core); /* a crash, not a core dump to wait for */
		usleep(500 * 1000); /* a test can see the tracer's programs meanwhile */
		slab(n);
		*(volatile int *)(uintptr_t)(n - n) = 1;
		return 1;
	}
	if (!strcmp(argv[1], "pass"))
		sk = pass_setup();
	printf("ready %d\n", getpid());
	if (read(0, &c, 1) != 1)
		return 1;
	if (!strcmp(argv[1], "pass"))
		pass(sk, n);
	if (!strcmp(argv[1], "slab") || !strcmp(argv[1], "mix") || !strcmp(argv[1], "calls"))
		slab(n);
	if (!strcmp(argv[1], "classes"))
		classes(n);
	if (!strcmp(argv[1], "pages") || !strcmp(argv[1], "mix") || !strcmp(argv[1], "classes") ||
	    !strcmp(argv[1], "calls"))
		pages(n);
	if (!strcmp(argv[1], "calls")) {
		vmaps(n / 100 ?: 1);
		printf("maxstep %lld\n", max_step_ns);
	}
	if (!strcmp(argv[1], "slabsecs"))
		slab_for(n);
	if (!strcmp(argv[1], "hold"))
		touch(n);
	if (!strcmp(argv[1], "keep") || !strcmp(argv[1], "churn"))
		eventfds(n, !strcmp(argv[1], "churn"));
	if (!strcmp(argv[1], "pagecache"))
		pagecache(n);
	if (!strcmp(argv[1], "vkeep") || !strcmp(argv[1], "vchurn"))
		virt(n, !strcmp(argv[1], "vchurn"));
	printf("done\n");
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
