// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The report model (src/model/model.c): summing per-CPU map values the way BPF per-CPU lookups
 * return them, naming caches, sorting, and the derived numbers both renderers share.
 * Inputs are synthetic per-CPU arrays whose sums are worked out in the tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/model.h"

#define NCPU 3

/* ---- mt_report_add_stats ---- */

static void test_add_stats_sums_cpus(void **state)
{
	struct mt_stats *cpu = calloc(NCPU, sizeof(*cpu));
	struct mt_report r;

	assert_non_null(cpu);
	mt_report_init(&r);
	/* distinct values per CPU in fields spread over the whole struct, first to last */
	for (int c = 0; c < NCPU; c++) {
		__u64 m = c + 1; /* CPU c contributes m times the base value */

		cpu[c].cls[MT_CLASS_LOGICAL].allocs = 10 * m;
		cpu[c].cls[MT_CLASS_LOGICAL].bytes_alloc = 1000 * m;
		cpu[c].cls[MT_CLASS_PHYSICAL].bytes_freed = 4096 * m;
		cpu[c].cls[MT_CLASS_HIGH].null_frees = 7 * m;
		cpu[c].size_hist[MT_CLASS_LOGICAL][0] = m;
		cpu[c].size_hist[MT_CLASS_PHYSICAL][12] = 100 * m;
		cpu[c].size_hist[MT_CLASS_HIGH][MT_HIST_SLOTS - 1] = 3 * m;
		cpu[c].order_allocs[0] = 5 * m;
		cpu[c].order_frees[MT_ORDER_SLOTS - 1] = m;
		cpu[c].zone_allocs[2] = 11 * m;
		cpu[c].zone_frees[MT_ZONE_UNKNOWN] = 13 * m;
		cpu[c].events = 1000000 * m;
		cpu[c].lost[MT_LOSS_RINGBUF] = m;
		cpu[c].lost[MT_LOSS_CACHE_FULL] = 17 * m; /* the struct's very last __u64 */
	}
	mt_report_add_stats(&r, cpu, NCPU);

	/* 1 + 2 + 3 = 6 times each base value */
	assert_int_equal(r.tot.cls[MT_CLASS_LOGICAL].allocs, 60);
	assert_int_equal(r.tot.cls[MT_CLASS_LOGICAL].bytes_alloc, 6000);
	assert_int_equal(r.tot.cls[MT_CLASS_PHYSICAL].bytes_freed, 6 * 4096);
	assert_int_equal(r.tot.cls[MT_CLASS_HIGH].null_frees, 42);
	assert_int_equal(r.tot.size_hist[MT_CLASS_LOGICAL][0], 6);
	assert_int_equal(r.tot.size_hist[MT_CLASS_PHYSICAL][12], 600);
	assert_int_equal(r.tot.size_hist[MT_CLASS_HIGH][MT_HIST_SLOTS - 1], 18);
	assert_int_equal(r.tot.order_allocs[0], 30);
	assert_int_equal(r.tot.order_frees[MT_ORDER_SLOTS - 1], 6);
	assert_int_equal(r.tot.zone_allocs[2], 66);
	assert_int_equal(r.tot.zone_frees[MT_ZONE_UNKNOWN], 78);
	assert_int_equal(r.tot.events, 6000000);
	assert_int_equal(r.tot.lost[MT_LOSS_RINGBUF], 6);
	assert_int_equal(r.tot.lost[MT_LOSS_CACHE_FULL], 102);
	/* fields no CPU set stay zero: the sum did not stray into neighbours */
	assert_int_equal(r.tot.cls[MT_CLASS_LOGICAL].frees, 0);
	assert_int_equal(r.tot.lost[MT_LOSS_PROC_FULL], 0);
	assert_int_equal(r.tot.zone_allocs[MT_ZONE_UNKNOWN], 0);
	/* nothing outside tot was touched */
	assert_int_equal(r.nr_procs, 0);
	assert_int_equal(r.nr_caches, 0);
	assert_int_equal(r.run.missed_runs, 0);

	/* a second map value adds to the first */
	mt_report_add_stats(&r, cpu, 1);
	assert_int_equal(r.tot.events, 7000000);
	assert_int_equal(r.tot.lost[MT_LOSS_CACHE_FULL], 119);
	/* zero CPUs add nothing */
	mt_report_add_stats(&r, cpu, 0);
	assert_int_equal(r.tot.events, 7000000);

	mt_report_free(&r);
	free(cpu);
}

/* Every counter summed: compare against an independent per-field loop over named fields. */
static void test_add_stats_every_counter(void **state)
{
	struct mt_stats *cpu = calloc(2, sizeof(*cpu));
	struct mt_report r;

	assert_non_null(cpu);
	mt_report_init(&r);
	for (int c = 0; c < 2; c++) {
		for (int k = 0; k < MT_CLASS_MAX; k++) {
			cpu[c].cls[k].failures = 100 * k + c;
			for (int s = 0; s < MT_HIST_SLOTS; s++)
				cpu[c].size_hist[k][s] = 1000 * k + s + c;
		}
		for (int z = 0; z < MT_ZONE_SLOTS; z++)
			cpu[c].zone_allocs[z] = z * 3 + c;
	}
	mt_report_add_stats(&r, cpu, 2);
	for (int k = 0; k < MT_CLASS_MAX; k++) {
		assert_int_equal(r.tot.cls[k].failures, 200 * k + 1);
		for (int s = 0; s < MT_HIST_SLOTS; s++)
			assert_int_equal(r.tot.size_hist[k][s], 2000 * k + 2 * s + 1);
	}
	for (int z = 0; z < MT_ZONE_SLOTS; z++)
		assert_int_equal(r.tot.zone_allocs[z], z * 6 + 1);
	mt_report_free(&r);
	free(cpu);
}

/* ---- mt_report_add_proc ---- */

static void test_add_proc_sums_and_comm(void **state)
{
	struct mt_proc cpu[NCPU] = { 0 };
	struct mt_report r;
	const struct mt_proc_row *p;

	mt_report_init(&r);
	/* CPU 0 saw the process only after another CPU created its entry: no comm */
	strcpy(cpu[1].comm, "kworker/u8:3");
	strcpy(cpu[2].comm, "renamed"); /* a later sighting under a new name loses */
	cpu[0].allocs[MT_CLASS_LOGICAL] = 1;
	cpu[1].allocs[MT_CLASS_LOGICAL] = 2;
	cpu[2].allocs[MT_CLASS_LOGICAL] = 4;
	cpu[0].bytes[MT_CLASS_LOGICAL] = 64;
	cpu[2].bytes[MT_CLASS_LOGICAL] = 128;
	cpu[1].bytes[MT_CLASS_PHYSICAL] = 8192;
	cpu[0].frees[MT_CLASS_PHYSICAL] = 3;
	cpu[2].bytes_freed[MT_CLASS_PHYSICAL] = 12288;
	cpu[1].bytes[MT_CLASS_HIGH] = 5;

	assert_int_equal(mt_report_add_proc(&r, 4242, cpu, NCPU), 0);
	assert_int_equal(r.nr_procs, 1);
	p = &r.procs[0];
	assert_int_equal(p->tgid, 4242);
	assert_string_equal(p->comm, "kworker/u8:3");
	assert_int_equal(p->allocs[MT_CLASS_LOGICAL], 7);
	assert_int_equal(p->bytes[MT_CLASS_LOGICAL], 192);
	assert_int_equal(p->bytes[MT_CLASS_PHYSICAL], 8192);
	assert_int_equal(p->frees[MT_CLASS_PHYSICAL], 3);
	assert_int_equal(p->bytes_freed[MT_CLASS_PHYSICAL], 12288);
	/* the sort key is bytes allocated over every class: 192 + 8192 + 5 */
	assert_int_equal(p->total_bytes, 8389);
	mt_report_free(&r);
}

/* A comm filling all 16 bytes (no NUL from the kernel) still ends up a C string. */
static void test_add_proc_comm_full_width(void **state)
{
	struct mt_proc cpu[2];
	struct mt_report r;

	memset(cpu, 0, sizeof(cpu));
	memcpy(cpu[0].comm, "0123456789abcdef", MT_COMM_LEN);
	mt_report_init(&r);
	assert_int_equal(mt_report_add_proc(&r, 1, cpu, 2), 0);
	assert_int_equal(strlen(r.procs[0].comm), MT_COMM_LEN);
	assert_memory_equal(r.procs[0].comm, "0123456789abcdef", MT_COMM_LEN);
	mt_report_free(&r);
}

static void test_add_proc_no_comm(void **state)
{
	struct mt_proc cpu[2];
	struct mt_report r;

	memset(cpu, 0, sizeof(cpu));
	cpu[1].allocs[MT_CLASS_LOGICAL] = 1;
	mt_report_init(&r);
	assert_int_equal(mt_report_add_proc(&r, 7, cpu, 2), 0);
	assert_string_equal(r.procs[0].comm, "");
	assert_int_equal(r.procs[0].allocs[MT_CLASS_LOGICAL], 1);
	mt_report_free(&r);
}

/* ---- mt_report_add_cache ---- */

static void test_add_cache_kmalloc_named_by_size(void **state)
{
	struct mt_cache cpu[NCPU];
	struct mt_report r;
	const struct mt_cache_row *k;

	memset(cpu, 0, sizeof(cpu));
	/* kmalloc entries carry no name; even a stray one must not win over the size */
	strcpy(cpu[1].name, "stray");
	cpu[0].allocs = 3;
	cpu[1].allocs = 4;
	cpu[2].frees = 5;
	cpu[0].bytes_req = 3 * 200;
	cpu[1].bytes_req = 4 * 250;
	cpu[0].bytes_alloc = 3 * 256;
	cpu[1].bytes_alloc = 4 * 256;
	cpu[2].bytes_freed = 5 * 256;

	mt_report_init(&r);
	assert_int_equal(mt_report_add_cache(&r, 256 | MT_CACHE_KEY_KMALLOC, cpu, NCPU), 0);
	k = &r.caches[0];
	assert_true(k->is_kmalloc);
	assert_int_equal(k->key, 256 | MT_CACHE_KEY_KMALLOC);
	assert_string_equal(k->name, "kmalloc-256");
	assert_int_equal(k->size, 256);
	assert_int_equal(k->allocs, 7);
	assert_int_equal(k->frees, 5);
	assert_int_equal(k->bytes_req, 1600);
	assert_int_equal(k->bytes_alloc, 7 * 256);
	assert_int_equal(k->bytes_freed, 5 * 256);

	/* a large kmalloc (pages straight from the buddy allocator) */
	memset(cpu, 0, sizeof(cpu));
	cpu[0].allocs = 1;
	assert_int_equal(mt_report_add_cache(&r, 65536 | MT_CACHE_KEY_KMALLOC, cpu, 1), 0);
	assert_string_equal(r.caches[1].name, "kmalloc-65536");
	assert_int_equal(r.caches[1].size, 65536);
	mt_report_free(&r);
}

static void test_add_cache_named(void **state)
{
	/* 64-bit kernel pointers have the top two bits set: never a kmalloc key */
	const __u64 key = 0xffff888100042a00ULL;
	struct mt_cache cpu[NCPU];
	struct mt_report r;
	const struct mt_cache_row *k;

	memset(cpu, 0, sizeof(cpu));
	/* only the CPU that created the entry filled in name and geometry */
	strcpy(cpu[2].name, "dentry");
	cpu[2].object_size = 192;
	cpu[2].size = 192;
	cpu[0].allocs = 10;
	cpu[2].allocs = 5;
	cpu[0].bytes_alloc = 1920;
	cpu[2].bytes_alloc = 960;

	mt_report_init(&r);
	assert_int_equal(mt_report_add_cache(&r, key, cpu, NCPU), 0);
	k = &r.caches[0];
	assert_false(k->is_kmalloc);
	assert_string_equal(k->name, "dentry");
	assert_int_equal(k->object_size, 192);
	assert_int_equal(k->size, 192);
	assert_int_equal(k->allocs, 15);
	assert_int_equal(k->bytes_alloc, 2880);
	mt_report_free(&r);
}

static void test_add_cache_name_first_cpu_wins(void **state)
{
	struct mt_cache cpu[NCPU];
	struct mt_report r;

	memset(cpu, 0, sizeof(cpu));
	strcpy(cpu[1].name, "first");
	strcpy(cpu[2].name, "second");
	cpu[1].object_size = 100;
	cpu[1].size = 128;
	cpu[2].object_size = 1; /* geometry comes as a pair, from one CPU */
	cpu[2].size = 2;
	mt_report_init(&r);
	assert_int_equal(mt_report_add_cache(&r, 0xffff888100001000ULL, cpu, NCPU), 0);
	assert_string_equal(r.caches[0].name, "first");
	assert_int_equal(r.caches[0].object_size, 100);
	assert_int_equal(r.caches[0].size, 128);
	mt_report_free(&r);
}

static void test_add_cache_unnamed_and_long_name(void **state)
{
	struct mt_cache cpu[2];
	struct mt_report r;

	memset(cpu, 0, sizeof(cpu));
	cpu[0].frees = 1;
	mt_report_init(&r);
	/* a 32-bit kernel pointer (top bits 00) is a cache key too */
	assert_int_equal(mt_report_add_cache(&r, 0xc1234000ULL, cpu, 2), 0);
	assert_false(r.caches[0].is_kmalloc);
	assert_string_equal(r.caches[0].name, "(unnamed)");

	/* a name using all 32 bytes with no NUL keeps all 32 and is terminated */
	memset(cpu, 0, sizeof(cpu));
	memset(cpu[0].name, 'x', MT_CACHE_NAME_LEN);
	assert_int_equal(mt_report_add_cache(&r, 0xffff888100002000ULL, cpu, 2), 0);
	assert_int_equal(strlen(r.caches[1].name), MT_CACHE_NAME_LEN);
	mt_report_free(&r);
}

static void test_cache_key_space(void **state)
{
	/* 01 in the top two bits is kmalloc; 11 (64-bit pointer), 00 (32-bit) and 10 are not */
	assert_true(MT_CACHE_KEY_IS_KMALLOC(MT_CACHE_KEY_KMALLOC | 8));
	assert_false(MT_CACHE_KEY_IS_KMALLOC(0xffff888100000000ULL));
	assert_false(MT_CACHE_KEY_IS_KMALLOC(0x00000000c0000000ULL));
	assert_false(MT_CACHE_KEY_IS_KMALLOC(0x8000000000000000ULL));
}

/* ---- mt_report_finish ---- */

static void add_proc_bytes(struct mt_report *r, __u32 tgid, __u64 slab, __u64 pages)
{
	struct mt_proc v;

	memset(&v, 0, sizeof(v));
	snprintf(v.comm, sizeof(v.comm), "p%u", tgid);
	v.bytes[MT_CLASS_LOGICAL] = slab;
	v.bytes[MT_CLASS_PHYSICAL] = pages;
	assert_int_equal(mt_report_add_proc(r, tgid, &v, 1), 0);
}

static void add_cache_full(struct mt_report *r, const char *name, __u64 bytes, __u64 allocs,
			   __u64 frees)
{
	struct mt_cache v;

	memset(&v, 0, sizeof(v));
	snprintf(v.name, sizeof(v.name), "%s", name);
	v.bytes_alloc = bytes;
	v.allocs = allocs;
	v.frees = frees;
	assert_int_equal(mt_report_add_cache(r, 0xffff888100000000ULL + r->nr_caches * 64, &v, 1),
			 0);
}

static void add_cache_bytes(struct mt_report *r, const char *name, __u64 bytes, __u64 allocs)
{
	add_cache_full(r, name, bytes, allocs, 0);
}

/* What the per-CPU process slots still hold lands on the rows of their tgids. */
static void test_fold_proc_slots(void **state)
{
	struct mt_proc cpu[NCPU] = { 0 };
	struct mt_proc_slot slot[NCPU];
	struct mt_report r;

	memset(slot, 0, sizeof(slot));
	mt_report_init(&r);
	strcpy(cpu[0].comm, "a");
	cpu[0].allocs[MT_CLASS_LOGICAL] = 1;
	cpu[0].bytes[MT_CLASS_LOGICAL] = 10;
	assert_int_equal(mt_report_add_proc(&r, 100, cpu, NCPU), 0);
	/* CPU 0 still counts for 100; CPU 1 for 200, whose row is missing; CPU 2 is moving
	 * (never seen by a reader after the BPF side is done) and empty ones are skipped */
	slot[0] = (struct mt_proc_slot){ .tgid = 100, .state = MT_SLOT_VALID };
	slot[0].p.allocs[MT_CLASS_LOGICAL] = 5;
	slot[0].p.bytes[MT_CLASS_LOGICAL] = 50;
	slot[0].p.frees[MT_CLASS_PHYSICAL] = 2;
	slot[0].p.bytes_freed[MT_CLASS_PHYSICAL] = 8192;
	slot[1] = (struct mt_proc_slot){ .tgid = 200, .state = MT_SLOT_VALID };
	slot[1].p.allocs[MT_CLASS_PHYSICAL] = 3;
	slot[1].p.bytes[MT_CLASS_PHYSICAL] = 12288;
	slot[2] = (struct mt_proc_slot){ .tgid = 100, .state = MT_SLOT_EMPTY };
	slot[2].p.allocs[MT_CLASS_LOGICAL] = 1000;
	assert_int_equal(mt_report_fold_proc_slots(&r, slot, NCPU), 0);
	mt_report_finish(&r);
	assert_int_equal(r.nr_procs, 2);
	assert_int_equal(r.procs[0].tgid, 200);
	assert_int_equal(r.procs[0].allocs[MT_CLASS_PHYSICAL], 3);
	assert_int_equal(r.procs[0].total_bytes, 12288);
	assert_int_equal(r.procs[1].tgid, 100);
	assert_string_equal(r.procs[1].comm, "a");
	assert_int_equal(r.procs[1].allocs[MT_CLASS_LOGICAL], 6);
	assert_int_equal(r.procs[1].bytes[MT_CLASS_LOGICAL], 60);
	assert_int_equal(r.procs[1].frees[MT_CLASS_PHYSICAL], 2);
	assert_int_equal(r.procs[1].bytes_freed[MT_CLASS_PHYSICAL], 8192);
	assert_int_equal(r.procs[1].total_bytes, 60);
	mt_report_free(&r);
}

/* The cache front's used slots land on the rows of their keys, on every CPU. */
static void test_fold_cache_front(void **state)
{
	const __u64 key = 0xffff888100042a00ULL, km = 64 | MT_CACHE_KEY_KMALLOC;
	struct mt_cache_front *f = calloc(NCPU, sizeof(*f));
	struct mt_cache cpu[NCPU];
	struct mt_report r;

	assert_non_null(f);
	memset(cpu, 0, sizeof(cpu));
	strcpy(cpu[0].name, "dentry");
	cpu[0].size = 192;
	cpu[0].allocs = 1;
	mt_report_init(&r);
	assert_int_equal(mt_report_add_cache(&r, key, cpu, NCPU), 0);
	f[0].slot[mt_cache_slot_of(key)] = (struct mt_cache_slot){ key, 4, 3, 700, 768, 576 };
	f[2].slot[mt_cache_slot_of(key)] = (struct mt_cache_slot){ key, 1, 0, 100, 192, 0 };
	f[1].slot[mt_cache_slot_of(km)] = (struct mt_cache_slot){ km, 2, 1, 100, 128, 64 };
	assert_int_equal(mt_report_fold_cache_front(&r, f, NCPU), 0);
	mt_report_finish(&r);
	assert_int_equal(r.nr_caches, 2);
	assert_string_equal(r.caches[0].name, "dentry");
	assert_int_equal(r.caches[0].allocs, 6);
	assert_int_equal(r.caches[0].frees, 3);
	assert_int_equal(r.caches[0].bytes_req, 800);
	assert_int_equal(r.caches[0].bytes_alloc, 960);
	assert_int_equal(r.caches[0].bytes_freed, 576);
	assert_string_equal(r.caches[1].name, "kmalloc-64");
	assert_int_equal(r.caches[1].allocs, 2);
	assert_int_equal(r.caches[1].bytes_freed, 64);
	mt_report_free(&r);
	free(f);
}

static void test_finish_sorts_procs(void **state)
{
	static const __u32 want[] = { 30, 10, 20, 40, 5 };
	struct mt_report r;

	mt_report_init(&r);
	/* totals: 10 -> 300, 20 -> 300, 30 -> 1000 (all pages), 40 -> 299, 5 -> 0 */
	add_proc_bytes(&r, 40, 299, 0);
	add_proc_bytes(&r, 20, 100, 200);
	add_proc_bytes(&r, 5, 0, 0);
	add_proc_bytes(&r, 30, 0, 1000);
	add_proc_bytes(&r, 10, 300, 0);
	mt_report_finish(&r);

	/* bytes descending; 10 and 20 tie at 300 and go by tgid ascending */
	assert_int_equal(r.nr_procs, 5);
	for (size_t i = 0; i < r.nr_procs; i++)
		assert_int_equal(r.procs[i].tgid, want[i]);
	/* rows moved whole: each comm still belongs to its tgid */
	assert_string_equal(r.procs[0].comm, "p30");
	assert_string_equal(r.procs[4].comm, "p5");
	mt_report_free(&r);
}

static void test_finish_sorts_caches(void **state)
{
	static const char *const want[] = {
		"big", "many", "few", "a-tie", "b-tie", "freed-much", "freed-little",
	};
	struct mt_report r;

	mt_report_init(&r);
	add_cache_bytes(&r, "b-tie", 100, 1);
	add_cache_full(&r, "freed-little", 0, 0, 5);
	add_cache_bytes(&r, "few", 500, 1);
	add_cache_bytes(&r, "big", 9000, 1);
	add_cache_full(&r, "freed-much", 0, 0, 50);
	add_cache_bytes(&r, "a-tie", 100, 1);
	add_cache_bytes(&r, "many", 500, 50);
	mt_report_finish(&r);

	/*
	 * bytes_alloc descending; equal bytes: more allocations first, then more frees (so
	 * caches seen only freeing come last, busiest first), then by name
	 */
	assert_int_equal(r.nr_caches, 7);
	for (size_t i = 0; i < r.nr_caches; i++)
		assert_string_equal(r.caches[i].name, want[i]);
	mt_report_free(&r);
}

static void test_finish_empty(void **state)
{
	struct mt_report r;

	mt_report_init(&r);
	mt_report_finish(&r);
	assert_int_equal(r.nr_procs, 0);
	assert_null(r.procs);
	mt_report_free(&r);
}

/* Growth past the first allocation (64 rows), several times over. */
static void test_many_procs_and_caches(void **state)
{
	enum {
		N = 1000
	};
	static bool seen[N];
	struct mt_report r;

	mt_report_init(&r);
	for (__u32 i = 0; i < N; i++) {
		/* 7919 is prime to N: a permutation of 0..N-1, inserted out of order */
		__u64 bytes = (i * 7919ULL) % N;

		add_proc_bytes(&r, i + 1, bytes, 0);
		add_cache_bytes(&r, "c", bytes, 1);
	}
	assert_int_equal(r.nr_procs, N);
	assert_int_equal(r.nr_caches, N);
	assert_true(r.cap_procs >= N);
	assert_true(r.cap_caches >= N);
	mt_report_finish(&r);

	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < N; i++) {
		const struct mt_proc_row *p = &r.procs[i];
		char want[MT_COMM_LEN];

		/* every byte count 0..N-1 once, so row i must hold N-1-i */
		assert_int_equal(p->total_bytes, N - 1 - i);
		assert_int_equal(r.caches[i].bytes_alloc, N - 1 - i);
		assert_in_range(p->tgid, 1, N);
		assert_false(seen[p->tgid - 1]);
		seen[p->tgid - 1] = true;
		/* the comm travelled with its row through every realloc and the sort */
		snprintf(want, sizeof(want), "p%u", p->tgid);
		assert_string_equal(p->comm, want);
	}
	mt_report_free(&r);
	/* free leaves an empty, reusable report */
	assert_null(r.procs);
	assert_int_equal(r.nr_procs, 0);
	assert_int_equal(r.cap_procs, 0);
	add_proc_bytes(&r, 1, 1, 1);
	assert_int_equal(r.nr_procs, 1);
	mt_report_free(&r);
}

/* ---- derived numbers ---- */

static void test_lost_total(void **state)
{
	struct mt_report r;

	mt_report_init(&r);
	assert_int_equal(mt_report_lost_total(&r), 0);
	r.run.missed_runs = 1000;
	r.tot.lost[MT_LOSS_RINGBUF] = 1;
	r.tot.lost[MT_LOSS_PROC_FULL] = 20;
	r.tot.lost[MT_LOSS_CACHE_FULL] = 300;
	assert_int_equal(mt_report_lost_total(&r), 1321);
	r.run.missed_runs = 0;
	assert_int_equal(mt_report_lost_total(&r), 321);
}

static void test_counts_net(void **state)
{
	struct mt_counts c = { .bytes_alloc = 10000, .bytes_freed = 2500 };

	assert_int_equal(mt_counts_net(&c), 7500);
	/* more freed than allocated: memory from before the trace came back */
	c.bytes_alloc = 4096;
	c.bytes_freed = 3 * 4096;
	assert_true(mt_counts_net(&c) < 0);
	assert_int_equal(mt_counts_net(&c), -8192);
	c.bytes_freed = 4096;
	assert_int_equal(mt_counts_net(&c), 0);
	/* bytes_req has no part in it: net is what the allocator holds */
	c.bytes_req = 1;
	assert_int_equal(mt_counts_net(&c), 0);
}

static void test_names_and_keys(void **state)
{
	assert_string_equal(mt_class_name(MT_CLASS_LOGICAL), "kernel logical");
	assert_string_equal(mt_class_key(MT_CLASS_LOGICAL), "kernel_logical");
	assert_string_equal(mt_class_key(MT_CLASS_HIGH), "high_memory");
	assert_string_equal(mt_loss_key(MT_LOSS_RINGBUF), "ringbuf");
	assert_string_equal(mt_loss_name(MT_LOSS_RINGBUF), "ring buffer full");
	/* every class and loss has a name and a key, and keys are distinct */
	for (int i = 0; i < MT_CLASS_MAX; i++) {
		assert_non_null(mt_class_name(i));
		assert_non_null(mt_class_key(i));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(mt_class_key(i), mt_class_key(j));
	}
	for (int i = 0; i < MT_LOSS_MAX; i++) {
		assert_non_null(mt_loss_name(i));
		assert_non_null(mt_loss_key(i));
	}
	/* out of range indexes get a placeholder, never a read past the tables */
	assert_string_equal(mt_class_name(-1), "?");
	assert_string_equal(mt_class_name(MT_CLASS_MAX), "?");
	assert_string_equal(mt_class_key(MT_CLASS_MAX), "unknown");
	assert_string_equal(mt_loss_key(MT_LOSS_MAX), "unknown");
	assert_string_equal(mt_loss_name(-1), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_stats_sums_cpus),
		cmocka_unit_test(test_add_stats_every_counter),
		cmocka_unit_test(test_add_proc_sums_and_comm),
		cmocka_unit_test(test_add_proc_comm_full_width),
		cmocka_unit_test(test_add_proc_no_comm),
		cmocka_unit_test(test_add_cache_kmalloc_named_by_size),
		cmocka_unit_test(test_add_cache_named),
		cmocka_unit_test(test_add_cache_name_first_cpu_wins),
		cmocka_unit_test(test_add_cache_unnamed_and_long_name),
		cmocka_unit_test(test_cache_key_space),
		cmocka_unit_test(test_fold_proc_slots),
		cmocka_unit_test(test_fold_cache_front),
		cmocka_unit_test(test_finish_sorts_procs),
		cmocka_unit_test(test_finish_sorts_caches),
		cmocka_unit_test(test_finish_empty),
		cmocka_unit_test(test_many_procs_and_caches),
		cmocka_unit_test(test_lost_total),
		cmocka_unit_test(test_counts_net),
		cmocka_unit_test(test_names_and_keys),
	};

	return cmocka_run_group_tests_name("report model", tests, NULL, NULL);
}
