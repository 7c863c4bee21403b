// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * floor [--classic] EVENT...: attach bench/floor.bpf.c's empty programs to the named
 * tracepoints (kmalloc, kmem_cache_alloc, kfree, kmem_cache_free, mm_page_alloc,
 * mm_page_free, alloc_vmap_area, free_vmap_area_noflush; default: the six kmem ones),
 * say "floor: attached N programs" on stderr, and hold them until SIGINT or SIGTERM; then
 * say "floor: missed runs N", the runs the kernel skipped because a program of the same
 * kind was already running on that CPU (an event nested in an interrupt).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

static const char *default_events[] = {
	"kmalloc",	 "kmem_cache_alloc", "kfree", "kmem_cache_free",
	"mm_page_alloc", "mm_page_free",     NULL,
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static bool wanted(const char *ev, char **events, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(events[i], ev))
			return true;
	return false;
}

/* Runs the kernel skipped because a program was already running on that CPU (nesting). */
static unsigned long long missed_runs(struct floor_bpf *skel)
{
	struct bpf_program *prog;
	unsigned long long n = 0;

	bpf_object__for_each_program(prog, skel->obj)
	{
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			n += info.recursion_misses;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct floor_bpf *skel;
	struct bpf_program *prog;
	sigset_t set, old;
	bool classic = false;
	char **events = argv + 1;
	int n = argc - 1, loaded = 0, err;

	if (n > 0 && !strcmp(argv[1], "--classic")) {
		classic = true;
		events++;
		n--;
	}
	if (n == 0) {
		events = (char **)default_events;
		n = sizeof(default_events) / sizeof(default_events[0]) - 1;
	}
	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "floor: failed to open BPF object: %s\n", strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, skel->obj)
	{
		const char *sec = bpf_program__section_name(prog);
		bool is_classic = !strncmp(sec, "tracepoint/", 11);
		bool on = is_classic == classic && wanted(strrchr(sec, '/') + 1, events, n);

		bpf_program__set_autoload(prog, on);
		loaded += on;
	}
	if (loaded != n) {
		fprintf(stderr, "floor: %d of the %d events named have a program\n", loaded, n);
		floor_bpf__destroy(skel);
		return 2;
	}
	err = floor_bpf__load(skel);
	if (!err)
		err = floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "floor: failed to load and attach: %s\n", strerror(-err));
		floor_bpf__destroy(skel);
		return 1;
	}
	/* blocked until sigsuspend, so a signal cannot slip in between the test and the wait */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "floor: attached %d %s programs\n", loaded,
		classic ? "classic tracepoint" : "tp_btf/raw_tp");
	while (!stop)
		sigsuspend(&old);
	floor_bpf__detach(skel);
	fprintf(stderr, "floor: missed runs %llu\n", missed_runs(skel));
	floor_bpf__destroy(skel);
	return 0;
}
