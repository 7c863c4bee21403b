// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "collect/calib.h"
#include "calib.skel.h"
#include "collect/probe.h"
#include "sys/util.h"

#define CALIB_PAGES 32
#define CALIB_MAX_RECS 4096

struct recs {
	struct mt_calib_rec r[CALIB_MAX_RECS];
	size_t n;
};

static int on_rec(void *ctx, void *data, size_t size)
{
	struct recs *rs = ctx;

	if (size < sizeof(struct mt_calib_rec) || rs->n >= CALIB_MAX_RECS)
		return 0;
	memcpy(&rs->r[rs->n++], data, sizeof(struct mt_calib_rec));
	return 0;
}

/* What the calibration programs watch: page faults on fresh anonymous memory... */
static void touch_pages(long page_size)
{
	size_t len = CALIB_PAGES * (size_t)page_size;
	volatile char *p =
		mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	madvise((void *)p, len, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < len; off += page_size)
		p[off] = 1;
	munmap((void *)p, len);
}

/* ...and getxattr() with a 64 KiB buffer, which kvzalloc()s it: a large kmalloc (order 4)
 * before the lookup fails with ENODATA. */
static void large_kmalloc(void)
{
	static char buf[65536];

	for (int i = 0; i < 3; i++)
		(void)!getxattr("/", "user.memtrace.calibration", buf, sizeof(buf));
}

/* sizeof(struct page), from the kernel's BTF that probing parses anyway (else libbpf's). */
static __u32 page_struct_size(void)
{
	struct btf *shared = mt_vmlinux_btf();
	struct btf *btf = shared ? shared : btf__load_vmlinux_btf();
	__s32 id;
	__s64 sz = 0;

	if (libbpf_get_error(btf))
		return 0;
	id = btf__find_by_name_kind(btf, "page", BTF_KIND_STRUCT);
	if (id > 0)
		sz = btf__resolve_size(btf, id);
	if (!shared)
		btf__free(btf);
	return sz > 0 ? (__u32)sz : 0;
}

int mt_calibrate(struct mt_calib *c, __u32 page_shift)
{
	struct ring_buffer *rb = NULL;
	struct calib_bpf *skel;
	struct recs *rs;
	__u64 align = 0;
	int err;

	memset(c, 0, sizeof(*c));
	rs = calloc(1, sizeof(*rs));
	skel = calib_bpf__open();
	if (!rs || !skel) {
		snprintf(c->why, sizeof(c->why), "failed to open calibration programs");
		err = -ENOMEM;
		goto out;
	}
	err = calib_bpf__load(skel);
	if (!err)
		err = calib_bpf__attach(skel);
	if (err) {
		snprintf(c->why, sizeof(c->why), "failed to load calibration programs: %s",
			 strerror(-err));
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.calib_rb), on_rec, rs, NULL);
	if (!rb) {
		err = -errno;
		snprintf(c->why, sizeof(c->why), "failed to create ring buffer: %s",
			 strerror(errno));
		goto out;
	}
	skel->bss->calib_tid = (__u32)syscall(SYS_gettid);
	touch_pages(1L << page_shift);
	large_kmalloc();
	touch_pages(1L << page_shift);
	calib_bpf__detach(skel);
	ring_buffer__consume(rb);
#if defined(__x86_64__)
	/* KASLR moves both bases in PUD (1 GiB) steps; an unaligned result is a mismatch */
	align = 1ULL << 30;
#endif
	if (getenv("MT_CALIB_DUMP"))
		for (size_t i = 0; i < rs->n; i++)
			fprintf(stderr, "%u seq=%llu order=%u val=%llx bytes=%llu\n", rs->r[i].type,
				(unsigned long long)rs->r[i].seq, rs->r[i].order,
				(unsigned long long)rs->r[i].value,
				(unsigned long long)rs->r[i].bytes);
	err = mt_calib_solve(rs->r, rs->n, page_shift, page_struct_size(), align, c);
	if (!err && skel->bss->dropped)
		mt_info("calibration: %llu records dropped",
			(unsigned long long)skel->bss->dropped);
	mt_info("calibration: %zu records, %d page pairs, %d kmalloc pairs, vmemmap %#llx, "
		"direct map %#llx%s%s",
		rs->n, c->page_pairs, c->kmalloc_pairs, (unsigned long long)c->vmemmap_base,
		(unsigned long long)c->page_offset_base, c->why[0] ? ": " : "", c->why);
out:
	ring_buffer__free(rb);
	calib_bpf__destroy(skel);
	free(rs);
	return err;
}
