// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The pairing model (src/model_pair.c) and its renderers: synthetic outstanding objects,
 * call-site and stack totals, aggregated per class, process, call site and stack; the
 * --min-age cut; folded stacks (root first, glue frames left out, weights); the JSON keys
 * parsed back; losses in the totals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "render.h"

#define NCPU 2
#define SEC 1000000000ULL

/* a tiny kernel: glue, allocator, two callers */
static const char *syms =
	"ffffffff81000000 T bpf_trace_run4\n"
	"ffffffff81000100 T __kmalloc_cache_noprof\n"
	"ffffffff81000200 t do_eventfd\n"
	"ffffffff81000300 T __x64_sys_eventfd2\n"
	"ffffffff81000400 T do_syscall_64\n"
	"ffffffff81000500 T alloc_pipe_info\n"
	"ffffffffc0000000 t bpf_prog_0123_kmalloc_btf\t[bpf]\n";

#define A_GLUE 0xffffffff81000010ULL
#define A_ALLOC 0xffffffff81000120ULL
#define A_EVENTFD 0xffffffff81000241ULL
#define A_SYS 0xffffffff81000310ULL
#define A_ENTRY 0xffffffff81000420ULL
#define A_PIPE 0xffffffff81000533ULL
#define A_JIT 0xffffffffc0000044ULL

struct fixture {
	struct mt_report r;
	struct mt_ksyms ks;
};

static void obj(struct mt_report *r, __u64 addr, int cls, __u32 tgid, __u64 size, __u64 site,
		__s32 stack, __u64 age_ns)
{
	struct mt_obj_key k = { .addr = addr, .cls = cls };
	struct mt_obj o = { .ts_ns = r->pair.end_ns - age_ns, .size = size, .call_site = site,
			    .tgid = tgid, .stack_id = stack };

	assert_int_equal(mt_pair_add_obj(&r->pair, &k, &o), 0);
}

static void site(struct mt_report *r, __u64 addr, int cls, __u64 allocs, __u64 req, __u64 alloc)
{
	struct mt_site_key k = { .call_site = addr, .cls = cls };
	struct mt_site v[NCPU] = { { allocs - 1, req - 1, alloc - 1 }, { 1, 1, 1 } };

	assert_int_equal(mt_pair_add_site(&r->pair, &k, v, NCPU), 0);
}

static void site_into(struct mt_pair_report *p, __u64 addr, int cls, __u64 allocs, __u64 req,
		      __u64 alloc)
{
	struct mt_site_key k = { .call_site = addr, .cls = cls };
	struct mt_site v[NCPU] = { { allocs - 1, req - 1, alloc - 1 }, { 1, 1, 1 } };

	assert_int_equal(mt_pair_add_site(p, &k, v, NCPU), 0);
}

static void stack_agg(struct mt_report *r, __s32 id, int cls, __u64 allocs, __u64 bytes)
{
	struct mt_stack_key k = { .stack_id = id, .cls = cls };
	struct mt_stack_agg v[NCPU] = { { allocs, bytes }, { 0, 0 } };

	assert_int_equal(mt_pair_add_stack_agg(&r->pair, &k, v, NCPU), 0);
}

/* The call-site front's used slots land on the rows of their (call site, class) keys. */
static void test_fold_site_front(void **state)
{
	struct mt_site_front *f = calloc(NCPU, sizeof(*f));
	struct mt_site_slot a = { { 0xffffffff81000010ULL, MT_CLASS_LOGICAL }, { 3, 30, 32 } };
	struct mt_site_slot b = { { 0xffffffff81000010ULL, MT_CLASS_VIRTUAL }, { 1, 4096, 8192 } };
	struct mt_pair_report p;

	assert_non_null(f);
	mt_pair_init(&p);
	site_into(&p, 0xffffffff81000010ULL, MT_CLASS_LOGICAL, 10, 100, 128);
	f[0].slot[mt_site_slot_of(a.key.call_site, a.key.cls)] = a;
	f[1].slot[mt_site_slot_of(a.key.call_site, a.key.cls)] = a;
	f[1].slot[mt_site_slot_of(b.key.call_site, b.key.cls)] = b;
	assert_int_equal(mt_pair_fold_site_front(&p, f, NCPU), 0);
	assert_int_equal(p.nr_sites, 2);
	assert_int_equal(p.sites[0].cls, MT_CLASS_LOGICAL);
	assert_int_equal(p.sites[0].allocs, 16);
	assert_int_equal(p.sites[0].bytes_req, 160);
	assert_int_equal(p.sites[0].bytes_alloc, 192);
	assert_int_equal(p.sites[1].cls, MT_CLASS_VIRTUAL);
	assert_int_equal(p.sites[1].allocs, 1);
	assert_int_equal(p.sites[1].bytes_alloc, 8192);
	mt_pair_free(&p);
	free(f);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct mt_pair_stats *st = calloc(NCPU, sizeof(*st));
	struct mt_proc procs[NCPU] = { { .comm = "workload" } };
	__u64 eventfd_stack[MT_STACK_DEPTH] = { A_JIT, A_GLUE, A_ALLOC, A_EVENTFD, A_SYS, A_ENTRY };
	__u64 pipe_stack[MT_STACK_DEPTH] = { A_JIT, A_GLUE, A_ALLOC, A_PIPE, A_ENTRY };
	struct mt_report *r;
	FILE *f;

	if (!fx || !st)
		return -1;
	r = &fx->r;
	mt_report_init(r);
	f = fmemopen((void *)syms, strlen(syms), "r");
	mt_ksyms_init(&fx->ks);
	if (!f || mt_ksyms_parse(&fx->ks, f))
		return -1;
	fclose(f);
	r->pair.ksyms = &fx->ks;
	r->pair.opts = (struct mt_pair_opts){ .pairs = true, .stacks = true, .sites = true };
	r->pair.end_ns = 1000 * SEC;
	r->run.class_traced[MT_CLASS_LOGICAL] = r->run.class_traced[MT_CLASS_PHYSICAL] = true;
	mt_report_add_proc(r, 100, procs, NCPU);

	st[0].paired[MT_CLASS_LOGICAL] = 5;
	st[1].paired[MT_CLASS_LOGICAL] = 2;
	st[0].unpaired[MT_CLASS_LOGICAL] = 3;
	st[0].lifetime_hist[MT_CLASS_LOGICAL][4] = 5;
	st[1].lifetime_hist[MT_CLASS_LOGICAL][10] = 2;
	st[1].lost[MT_PLOSS_STACK_COLLISION] = 4;
	st[0].lost[MT_PLOSS_OUTSTANDING_FULL] = 1;
	mt_pair_add_stats(&r->pair, st, NCPU);
	free(st);

	/* 3 eventfd contexts of pid 100 (ages 2 s, 3 s, 0.5 s), 1 pipe of pid 200, 2 pages */
	obj(r, 0xffff888000001000ULL, MT_CLASS_LOGICAL, 100, 64, A_EVENTFD, 7, 2 * SEC);
	obj(r, 0xffff888000002000ULL, MT_CLASS_LOGICAL, 100, 64, A_EVENTFD, 7, 3 * SEC);
	obj(r, 0xffff888000003000ULL, MT_CLASS_LOGICAL, 100, 64, A_EVENTFD, 7, SEC / 2);
	obj(r, 0xffff888000004000ULL, MT_CLASS_LOGICAL, 200, 1024, A_PIPE, 9, 5 * SEC);
	obj(r, 0x1234, MT_CLASS_PHYSICAL, 100, 4096, 0, -1, 4 * SEC);
	obj(r, 0x1235, MT_CLASS_PHYSICAL, 200, 8192, 0, -1, 4 * SEC);
	site(r, A_EVENTFD, MT_CLASS_LOGICAL, 10, 480, 640);
	site(r, A_PIPE, MT_CLASS_LOGICAL, 2, 1500, 2048);
	site(r, A_SYS, MT_CLASS_LOGICAL, 50, 50 * 16, 50 * 16);	/* nothing outstanding */
	stack_agg(r, 7, MT_CLASS_LOGICAL, 10, 640);
	stack_agg(r, 9, MT_CLASS_LOGICAL, 2, 2048);
	stack_agg(r, -1, MT_CLASS_PHYSICAL, 5, 5 * 4096);
	assert_int_equal(mt_pair_add_frames(&r->pair, 7, eventfd_stack, MT_STACK_DEPTH), 0);
	assert_int_equal(mt_pair_add_frames(&r->pair, 9, pipe_stack, MT_STACK_DEPTH), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	mt_report_free(&fx->r);
	mt_ksyms_free(&fx->ks);
	free(fx);
	return 0;
}

static const struct mt_site_row *find_site(const struct mt_pair_report *p, __u64 addr, int cls)
{
	for (size_t i = 0; i < p->nr_sites; i++)
		if (p->sites[i].call_site == addr && p->sites[i].cls == cls)
			return &p->sites[i];
	return NULL;
}

static void test_aggregates(void **state)
{
	struct fixture *fx = *state;
	struct mt_pair_report *p = &fx->r.pair;
	const struct mt_site_row *s;

	assert_int_equal(mt_pair_finish(&fx->r), 0);
	assert_int_equal(p->tot.paired[MT_CLASS_LOGICAL], 7);
	assert_int_equal(p->tot.unpaired[MT_CLASS_LOGICAL], 3);
	assert_int_equal(mt_pair_lost_total(p), 5);
	assert_int_equal(mt_report_lost_total(&fx->r), 5);
	assert_int_equal(p->out[MT_CLASS_LOGICAL].count, 4);
	assert_int_equal(p->out[MT_CLASS_LOGICAL].bytes, 3 * 64 + 1024);
	assert_int_equal(p->out[MT_CLASS_PHYSICAL].count, 2);
	assert_int_equal(p->out[MT_CLASS_PHYSICAL].bytes, 12288);
	/* ages: 0.5 s = 500000 us is in slot 18, 2 s and 3 s in 20 and 21, 5 s in 22 */
	assert_int_equal(p->out[MT_CLASS_LOGICAL].age_hist[18], 1);
	assert_int_equal(p->out[MT_CLASS_LOGICAL].age_hist[20], 1);
	assert_int_equal(p->out[MT_CLASS_LOGICAL].age_hist[21], 1);
	assert_int_equal(p->out[MT_CLASS_LOGICAL].age_hist[22], 1);
	/* per process, by bytes: 200 (1024 + 8192) before 100 (192 + 4096); comm from procs */
	assert_int_equal(p->nr_procs, 2);
	assert_int_equal(p->procs[0].tgid, 200);
	assert_string_equal(p->procs[0].comm, "?");
	assert_int_equal(p->procs[1].tgid, 100);
	assert_string_equal(p->procs[1].comm, "workload");
	assert_int_equal(p->procs[1].count[MT_CLASS_LOGICAL], 3);
	assert_int_equal(p->procs[1].bytes[MT_CLASS_PHYSICAL], 4096);
	/* call sites: allocation totals summed over CPUs and the outstanding joined in */
	s = find_site(p, A_EVENTFD, MT_CLASS_LOGICAL);
	assert_non_null(s);
	assert_int_equal(s->allocs, 10);
	assert_int_equal(s->bytes_alloc, 640);
	assert_int_equal(s->out_count, 3);
	assert_int_equal(s->out_bytes, 192);
	s = find_site(p, 0, MT_CLASS_PHYSICAL);	/* pages: no call site, no totals */
	assert_non_null(s);
	assert_int_equal(s->allocs, 0);
	assert_int_equal(s->out_count, 2);
	assert_int_equal(p->sites[0].call_site, A_PIPE);	/* most bytes allocated first */
	assert_int_equal(p->sites[1].call_site, A_SYS);
	/* by outstanding bytes: pages, pipe, eventfd; the syscall site has none left */
	assert_int_equal(p->nr_sites_out, 3);
	assert_int_equal(p->sites_out[0].row->call_site, 0);
	assert_int_equal(p->sites_out[1].row->call_site, A_PIPE);
	assert_int_equal(p->sites_out[2].row->call_site, A_EVENTFD);
	/* stacks: frames joined, glue found */
	assert_int_equal(p->nr_stacks, 3);
	assert_int_equal(p->stacks[0].stack_id, -1);	/* 20 KiB allocated */
	assert_null(p->stacks[0].frames);
	assert_int_equal(p->stacks[1].stack_id, 9);
	assert_int_equal(p->stacks[1].nr_frames, 5);
	assert_int_equal(mt_pair_first_frame(p, p->stacks[1].frames, 5), 2);
	assert_int_equal(p->nr_stacks_out, 3);
	assert_int_equal(p->stacks_out[0].row->stack_id, -1);
	assert_int_equal(p->stacks_out[2].row->stack_id, 7);
	assert_int_equal(p->stacks_out[2].row->out_count, 3);
}

static void test_min_age(void **state)
{
	struct fixture *fx = *state;
	struct mt_pair_report *p = &fx->r.pair;

	p->min_age_ns = 2500000000ULL;	/* 2.5 s: hides the 0.5 s and 2 s contexts */
	assert_int_equal(mt_pair_finish(&fx->r), 0);
	assert_int_equal(p->young_count, 2);
	assert_int_equal(p->young_bytes, 128);
	assert_int_equal(p->out[MT_CLASS_LOGICAL].count, 2);
	assert_int_equal(find_site(p, A_EVENTFD, MT_CLASS_LOGICAL)->out_count, 1);
}

static char *render(struct mt_report *r, int what)
{
	struct mt_render_opts o = { .top = 10 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (what == 0)
		mt_render_text(f, r, &o);
	else if (what == 1)
		assert_int_equal(mt_render_json(f, r, &o), 0);
	else if (what == 2)
		assert_int_equal(mt_render_folded(f, r, false), 3);
	else
		assert_int_equal(mt_render_folded(f, r, true), 3);
	fclose(f);
	return buf;
}

static void test_folded(void **state)
{
	struct fixture *fx = *state;
	char *s;

	assert_int_equal(mt_pair_finish(&fx->r), 0);
	s = render(&fx->r, 2);
	/* root first, the class as the root frame, no offsets, no glue; weight = bytes */
	assert_non_null(strstr(s, "kernel_logical;do_syscall_64;__x64_sys_eventfd2;do_eventfd;"
				  "__kmalloc_cache_noprof 640\n"));
	assert_non_null(strstr(s, "kernel_logical;do_syscall_64;alloc_pipe_info;"
				  "__kmalloc_cache_noprof 2048\n"));
	assert_non_null(strstr(s, "physical;[stack not recorded] 20480\n"));
	assert_null(strstr(s, "bpf_"));
	free(s);
	s = render(&fx->r, 3);
	assert_non_null(strstr(s, "__kmalloc_cache_noprof 192\n"));
	assert_non_null(strstr(s, "physical;[stack not recorded] 12288\n"));
	/* every line: frames, one space, a number */
	for (char *l = s; *l; l = strchr(l, '\n') + 1) {
		char line[512], *sp;

		snprintf(line, sizeof(line), "%.*s", (int)(strchr(l, '\n') - l), l);
		sp = strrchr(line, ' ');
		assert_non_null(sp);
		assert_true(strtoull(sp + 1, NULL, 10) > 0);
		assert_int_equal(strspn(sp + 1, "0123456789"), strlen(sp + 1));
	}
	free(s);
}

static void test_json(void **state)
{
	struct fixture *fx = *state;
	struct json_object *j, *o, *a, *x;
	char *s;

	assert_int_equal(mt_pair_finish(&fx->r), 0);
	s = render(&fx->r, 1);
	j = json_tokener_parse(s);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "run", &o));
	assert_true(json_object_object_get_ex(o, "lost", &o));
	assert_true(json_object_object_get_ex(o, "stack_collisions", &x));
	assert_int_equal(json_object_get_int64(x), 4);
	assert_true(json_object_object_get_ex(o, "total", &x));
	assert_int_equal(json_object_get_int64(x), 5);
	assert_true(json_object_object_get_ex(j, "outstanding", &o));
	assert_true(json_object_object_get_ex(o, "call_sites", &a));
	assert_int_equal(json_object_array_length(a), 3);
	x = json_object_array_get_idx(a, 2);
	assert_string_equal(json_object_get_string(json_object_object_get(x, "symbol")),
			    "do_eventfd+0x41");
	assert_int_equal(json_object_get_int64(json_object_object_get(x, "outstanding")), 3);
	x = json_object_array_get_idx(a, 0);
	assert_true(json_object_get_type(json_object_object_get(x, "symbol")) == json_type_null);
	assert_true(json_object_object_get_ex(o, "classes", &o));
	assert_true(json_object_object_get_ex(o, "kernel_logical", &o));
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "unpaired_frees")), 3);
	assert_int_equal(json_object_array_length(json_object_object_get(o,
				"lifetime_histogram_us")), 2);
	assert_true(json_object_object_get_ex(j, "stacks", &o));
	assert_true(json_object_object_get_ex(o, "outstanding", &a));
	x = json_object_array_get_idx(a, 2);
	a = json_object_object_get(x, "frames");
	assert_int_equal(json_object_array_length(a), 4);	/* glue left out */
	assert_string_equal(json_object_get_string(json_object_array_get_idx(a, 0)),
			    "__kmalloc_cache_noprof+0x20");
	json_object_put(j);
	free(s);
}

static void test_text(void **state)
{
	struct fixture *fx = *state;
	char *s, *l;

	assert_int_equal(mt_pair_finish(&fx->r), 0);
	s = render(&fx->r, 0);
	for (const char *want = "CALL SITES\0LIFETIMES, kernel logical\0OUTSTANDING AT END\0"
				"OUTSTANDING BY PROCESS\0OUTSTANDING BY CALL SITE\0"
				"TOP OUTSTANDING STACKS\0TOP ALLOCATING STACKS\0do_eventfd+0x41\0"
				"stack table hash collisions: 4\0outstanding table full\0";
	     *want; want += strlen(want) + 1)
		if (!strstr(s, want))
			fail_msg("text report lacks '%s'", want);
	/* 80 columns */
	for (l = s; *l; l = strchr(l, '\n') + 1)
		assert_true(strchr(l, '\n') - l <= 80);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_site_front),
		cmocka_unit_test_setup_teardown(test_aggregates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_min_age, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
	};

	return cmocka_run_group_tests_name("pairing model", tests, NULL, NULL);
}
