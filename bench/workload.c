// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The benchmark's workload: makes the kernel allocate and free, as fast as one process
 * (or -j N processes) can, through one known path per mode, and prints the rate.
 *
 *   workload MODE [-d SECS | -n OPS] [-j N] [-p PIDFILE]
 *
 * Modes (one "op" each):
 *   slab     eventfd() + close(): a kmalloc'd eventfd_ctx, a struct file from its
 *            kmem_cache, and their frees
 *   page     mmap 2 MiB anonymous, MADV_NOHUGEPAGE, touch every page, munmap: 512 order-0
 *            page allocations and frees, plus page tables and the VMA
 *   vmalloc  create and close a BPF array map of 128 KiB (bpf_map_area_alloc() vmallocs
 *            anything over PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER): vmalloc:alloc_vmap_area
 *            on create, free_vmap_area_noflush when the deferred free runs
 *   mix      the three in turn, one per op
 *
 * -d runs each worker for SECS seconds (default 1); -n runs exactly OPS ops per worker
 * (for measuring events per op under `perf stat -a`). With -p the workers are forked, their
 * pids written to PIDFILE, and they wait for SIGUSR1 to the parent before starting, so a
 * tracer can be set up on exactly those pids. The last line on stdout is
 *   MODE ops N secs S ops_per_s R
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define PAGE_OP_BYTES (2UL << 20)
#define MAX_WORKERS 64

static long page_size;

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void op_slab(void)
{
	int fd = eventfd(0, 0);

	if (fd < 0)
		die("eventfd");
	close(fd);
}

static void op_page(void)
{
	volatile char *p = mmap(NULL, PAGE_OP_BYTES, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	/* order-0 pages, one fault each: a THP would be one order-9 event instead */
	if (madvise((void *)p, PAGE_OP_BYTES, MADV_NOHUGEPAGE))
		die("madvise");
	for (size_t off = 0; off < PAGE_OP_BYTES; off += page_size)
		p[off] = 1;
	munmap((void *)p, PAGE_OP_BYTES);
}

static void op_vmalloc(void)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 16384; /* 128 KiB of values: past the kmalloc cut-off, vmalloc'd */
	fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	if (fd < 0)
		die("bpf(BPF_MAP_CREATE) (needs root)");
	close(fd);
}

static void op_mix(void)
{
	static unsigned int i;

	switch (i++ % 3) {
	case 0:
		op_slab();
		break;
	case 1:
		op_page();
		break;
	default:
		op_vmalloc();
		break;
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs ops for secs (or exactly n when n > 0); returns ops done, elapsed time in *secs. */
static long run(void (*op)(void), double *secs, long n)
{
	double start = now_s(), end = start + *secs;
	long done = 0;

	if (n > 0) {
		for (; done < n; done++)
			op();
	} else {
		/* check the clock every 16 ops: clock_gettime is cheap but not free */
		do {
			for (int i = 0; i < 16; i++)
				op();
			done += 16;
		} while (now_s() < end);
	}
	*secs = now_s() - start;
	return done;
}

static void usage(void)
{
	fprintf(stderr, "usage: workload slab|page|vmalloc|mix [-d SECS | -n OPS] [-j N] "
			"[-p PIDFILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct {
		long ops;
		double secs;
	} res;
	void (*op)(void) = NULL;
	const char *mode, *pidfile = NULL;
	double secs = 1, total_secs = 0;
	long n = 0, total_ops = 0;
	int jobs = 1, fds[2], c, sig;
	pid_t pids[MAX_WORKERS];
	sigset_t set;

	if (argc < 2)
		usage();
	mode = argv[1];
	if (!strcmp(mode, "slab"))
		op = op_slab;
	else if (!strcmp(mode, "page"))
		op = op_page;
	else if (!strcmp(mode, "vmalloc"))
		op = op_vmalloc;
	else if (!strcmp(mode, "mix"))
		op = op_mix;
	else
		usage();
	optind = 2;
	while ((c = getopt(argc, argv, "d:n:j:p:")) != -1) {
		switch (c) {
		case 'd':
			secs = atof(optarg);
			break;
		case 'n':
			n = atol(optarg);
			break;
		case 'j':
			jobs = atoi(optarg);
			break;
		case 'p':
			pidfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (secs <= 0 || n < 0 || jobs < 1 || jobs > MAX_WORKERS || optind != argc)
		usage();
	page_size = sysconf(_SC_PAGESIZE);

	if (jobs == 1 && !pidfile) {
		total_ops = run(op, &secs, n);
		total_secs = secs;
		goto out;
	}
	/* workers: blocked SIGUSR1 is inherited, so none can miss the start signal */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (pipe(fds))
		die("pipe");
	for (int j = 0; j < jobs; j++) {
		pids[j] = fork();
		if (pids[j] < 0)
			die("fork");
		if (pids[j] == 0) {
			close(fds[0]);
			if (pidfile)
				sigwait(&set, &sig);
			res.secs = secs;
			res.ops = run(op, &res.secs, n);
			if (write(fds[1], &res, sizeof(res)) != sizeof(res))
				die("write");
			_exit(0);
		}
	}
	close(fds[1]);
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (!f)
			die(pidfile);
		for (int j = 0; j < jobs; j++)
			fprintf(f, "%d\n", pids[j]);
		if (fclose(f))
			die(pidfile);
		sigwait(&set, &sig);
		for (int j = 0; j < jobs; j++)
			kill(pids[j], SIGUSR1);
	}
	while (read(fds[0], &res, sizeof(res)) == sizeof(res)) {
		total_ops += res.ops;
		if (res.secs > total_secs)
			total_secs = res.secs;
	}
	for (int j = 0; j < jobs; j++)
		waitpid(pids[j], NULL, 0);
out:
	printf("%s ops %ld secs %.4f ops_per_s %.1f\n", mode, total_ops, total_secs,
	       total_ops / total_secs);
	return 0;
}
