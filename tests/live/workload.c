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
 *        classes  N x (create and close a 1 MiB BPF array map: one vmalloc each, as
 *              bpf_map_area_alloc() vmallocs anything above PAGE_ALLOC_COSTLY_ORDER), one
 *              BPF percpu array of N entries (one percpu allocation per entry), then N
 *              pages touched (at least N user page faults); needs root
 *        vkeep N x 1 MiB BPF array maps (one vmalloc area each) and one BPF percpu array of N
 *              entries (N percpu allocations), all left open until stdin closes; needs root
 *        vchurn the same, then all closed (the kernel frees them from a workqueue)
 *   workload forks N
 * forks 3 children at once (no handshake: for `memtrace run -- workload forks N`); each does
 * N x (eventfd + close) and touches N pages, prints "child PID" on stderr and exits; the
 * parent waits for all three and exits 0.
 *        pagecache  write a file of N MiB under $MT_WORKLOAD_DIR (default /var/tmp), read it
 *                   back, remove it: in a memory cgroup smaller than N MiB the page cache
 *                   must be reclaimed as it goes (memcg reclaim), even with no swap
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>

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

static void classes(long n)
{
	int fd;

	for (long i = 0; i < n; i++) {
		fd = map_create(BPF_MAP_TYPE_ARRAY, 4096, 256);
		if (fd < 0) {
			perror("bpf array map");
			exit(1);
		}
		close(fd);
	}
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
		int fd = eventfd(0, 0);

		if (fd < 0) {
			perror("eventfd");
			exit(1);
		}
		close(fd);
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

static volatile char *touch(long n)
{
	long ps = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)n * ps;
	volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	if (madvise((void *)p, len, MADV_NOHUGEPAGE))
		perror("madvise");
	for (size_t off = 0; off < len; off += ps)
		p[off] = 1;
	return p;
}

static void pages(long n)
{
	munmap((void *)touch(n), (size_t)n * sysconf(_SC_PAGESIZE));
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
	unlink(path);	/* gone even if we are killed; the open fd keeps the data */
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
	char c;
	long n;

	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: workload slab|pages|mix|slabsecs|hold|keep|churn|classes|"
			"forks|pagecache|vkeep|vchurn N\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
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
	printf("ready %d\n", getpid());
	if (read(0, &c, 1) != 1)
		return 1;
	if (!strcmp(argv[1], "slab") || !strcmp(argv[1], "mix"))
		slab(n);
	if (!strcmp(argv[1], "classes"))
		classes(n);
	if (!strcmp(argv[1], "pages") || !strcmp(argv[1], "mix") || !strcmp(argv[1], "classes"))
		pages(n);
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
