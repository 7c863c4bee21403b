// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The pairing model (src/model/model_pair.c) and its renderers: synthetic outstanding objects,
 * call-site and stack totals, aggregated per class, process, call site and stack; the
 * --min-age cut; folded stacks (root first, glue frames left out, weights); the JSON keys
 * parsed back; losses in the totals; kernel virtual split in its two kinds (vmalloc,
 * percpu), one of which a kernel may lack; pair_stats recorded in the older layout.
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
#include "model/model.h"
#include "render/render.h"
#include "model/report_join.h"

#define NCPU 2
#define SEC 1000000000ULL

/* a tiny kernel: glue, allocator, two callers */
static const char *syms = "ffffffff81000000 T bpf_trace_run4\n"
			  "ffffffff81000100 T __kmalloc_cache_noprof\n"
			  "ffffffff81000200 t do_eventfd\n"
			  "ffffffff81000300 T __x64_sys_eventfd2\n"
			  "ffffffff81000400 T do_syscall_64\n"
			  "ffffffff81000500 T alloc_pipe_info\n"
			  "ffffffff81000600 T bpf_map_alloc_percpu\n"
			  "ffffffff81000700 T array_map_alloc\n"
			  "ffffffffc0000000 t bpf_prog_0123_kmalloc_btf\t[bpf]\n";

#define A_GLUE 0xffffffff81000010ULL
#define A_ALLOC 0xffffffff81000120ULL
#define A_EVENTFD 0xffffffff81000241ULL
#define A_SYS 0xffffffff81000310ULL
#define A_ENTRY 0xffffffff81000420ULL
#define A_PIPE 0xffffffff81000533ULL
#define A_JIT 0xffffffffc0000044ULL
#define A_PCPU 0xffffffff81000659ULL
#define A_ARRAY 0xffffffff81000792ULL

struct fixture {
	struct mt_report r;
	struct mt_ksyms ks;
};

static void obj(struct mt_report *r, __u64 addr, int cls, __u32 tgid, __u64 size, __u64 site,
		__s32 stack, __u64 age_ns)
{
	struct mt_obj_key k = { .addr = addr, .cls = cls };
	struct mt_obj o = { .ts_ns = r->pair.end_ns - age_ns,
			    .size = size,
			    .call_site = site,
			    .tgid = tgid,
			    .stack_id = stack };

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
	site(r, A_SYS, MT_CLASS_LOGICAL, 50, 50 * 16, 50 * 16); /* nothing outstanding */
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
	s = find_site(p, 0, MT_CLASS_PHYSICAL); /* pages: no call site, no totals */
	assert_non_null(s);
	assert_int_equal(s->allocs, 0);
	assert_int_equal(s->out_count, 2);
	assert_int_equal(p->sites[0].call_site, A_PIPE); /* most bytes allocated first */
	assert_int_equal(p->sites[1].call_site, A_SYS);
	/* by outstanding bytes: pages, pipe, eventfd; the syscall site has none left */
	assert_int_equal(p->nr_sites_out, 3);
	assert_int_equal(p->sites_out[0].row->call_site, 0);
	assert_int_equal(p->sites_out[1].row->call_site, A_PIPE);
	assert_int_equal(p->sites_out[2].row->call_site, A_EVENTFD);
	/* stacks: frames joined, glue found */
	assert_int_equal(p->nr_stacks, 3);
	assert_int_equal(p->stacks[0].stack_id, -1); /* 20 KiB allocated */
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

	p->min_age_ns = 2500000000ULL; /* 2.5 s: hides the 0.5 s and 2 s contexts */
	assert_int_equal(mt_pair_finish(&fx->r), 0);
	assert_int_equal(p->young_count, 2);
	assert_int_equal(p->young_bytes, 128);
	assert_int_equal(p->out[MT_CLASS_LOGICAL].count, 2);
	assert_int_equal(find_site(p, A_EVENTFD, MT_CLASS_LOGICAL)->out_count, 1);
}

/* what: 0 text, 1 JSON, 2 folded by bytes allocated, 3 folded by bytes outstanding */
static char *render_raw(struct mt_report *r, int what, bool raw)
{
	struct mt_render_opts o = { .top = 10, .raw_addresses = raw };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (what == 0)
		mt_render_text(f, r, &o);
	else if (what == 1)
		assert_int_equal(mt_render_json(f, r, &o), 0);
	else if (what == 2)
		assert_int_equal(mt_render_folded(f, r, &o, false), 3);
	else
		assert_int_equal(mt_render_folded(f, r, &o, true), 3);
	fclose(f);
	return buf;
}

static char *render(struct mt_report *r, int what)
{
	return render_raw(r, what, false);
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
	assert_int_equal(
		json_object_array_length(json_object_object_get(o, "lifetime_histogram_us")), 2);
	assert_true(json_object_object_get_ex(j, "stacks", &o));
	assert_true(json_object_object_get_ex(o, "outstanding", &a));
	x = json_object_array_get_idx(a, 2);
	a = json_object_object_get(x, "frames");
	assert_int_equal(json_object_array_length(a), 4); /* glue left out */
	assert_string_equal(json_object_get_string(json_object_array_get_idx(a, 0)),
			    "__kmalloc_cache_noprof+0x20");
	json_object_put(j);
	free(s);
}

/* No kernel address in any output unless --raw-addresses: symbols name sites and frames. */
static void test_raw_addresses(void **state)
{
	struct fixture *fx = *state;
	struct mt_render_opts cooked = { .top = 10 }, raw = { .top = 10, .raw_addresses = true };
	struct json_object *j, *a, *x;
	char *s, name[64];

	assert_int_equal(mt_pair_finish(&fx->r), 0);
	for (int what = 0; what < 4; what++) {
		s = render(&fx->r, what);
		if (strstr(s, "0xffff"))
			fail_msg("output %d has a kernel address: %s", what, strstr(s, "0xffff"));
		free(s);
	}
	s = render(&fx->r, 0);
	assert_non_null(strstr(s, "do_eventfd+0x41"));
	free(s);
	/* an address kallsyms cannot name: far past the last symbol */
	assert_string_equal(mt_render_sym(&cooked, &fx->ks, A_JIT + (1ULL << 24), true, name,
					  sizeof(name)),
			    "[unknown]");
	assert_string_equal(mt_render_sym(&raw, &fx->ks, A_JIT + (1ULL << 24), true, name,
					  sizeof(name)),
			    "0xffffffffc1000044");
	assert_string_equal(mt_render_sym(&cooked, &fx->ks, A_EVENTFD, true, name, sizeof(name)),
			    "do_eventfd+0x41");
	s = render(&fx->r, 1);
	j = json_tokener_parse(s);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "call_sites", &a));
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		x = json_object_array_get_idx(a, i);
		assert_true(json_object_object_get_ex(x, "address", NULL));
		assert_true(
			json_object_is_type(json_object_object_get(x, "address"), json_type_null));
	}
	json_object_put(j);
	free(s);

	/* --raw-addresses: the call site's address is back */
	s = render_raw(&fx->r, 1, true);
	assert_non_null(strstr(s, "\"address\": \"0xffffffff81000241\""));
	free(s);
}

/*
 * --stack-sample 4: the fixture's per-stack rows are the sampled allocations; each is
 * scaled by 4 (once, however often it is asked), an unsampled outstanding object counts in
 * the class totals but in no stack, and both renderers mark the figures as estimates.
 */
static void test_stack_sample(void **state)
{
	struct fixture *fx = *state;
	struct mt_pair_report *p = &fx->r.pair;
	const struct mt_stack_row *s = NULL;
	struct json_object *j, *o;
	char *txt;

	p->opts.stack_sample = 4;
	obj(&fx->r, 0xffff888000005000ULL, MT_CLASS_LOGICAL, 100, 64, A_EVENTFD, MT_STACK_UNSAMPLED,
	    2 * SEC);
	assert_int_equal(mt_pair_finish(&fx->r), 0);
	mt_pair_scale_stacks(p);
	assert_int_equal(p->out[MT_CLASS_LOGICAL].count, 5); /* exact: the unsampled one too */
	for (size_t i = 0; i < p->nr_stacks; i++) {
		assert_int_not_equal(p->stacks[i].stack_id, MT_STACK_UNSAMPLED);
		if (p->stacks[i].stack_id == 7)
			s = &p->stacks[i];
	}
	assert_non_null(s);
	assert_int_equal(s->allocs, 40);
	assert_int_equal(s->bytes, 4 * 640);
	assert_int_equal(s->out_count, 4 * 3);
	assert_int_equal(s->out_bytes, 4 * 3 * 64);
	txt = render(&fx->r, 0);
	assert_non_null(strstr(txt, "estimates: 1 allocation in 4 recorded its stack"));
	free(txt);
	txt = render(&fx->r, 1);
	j = json_tokener_parse(txt);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "stacks", &o));
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "sample")), 4);
	assert_true(json_object_get_boolean(json_object_object_get(o, "estimated")));
	json_object_put(j);
	free(txt);
}

/*
 * --stack-depth 4: a stack whose walk filled all 4 frames is truncated (its callers are
 * unknown), counted with its allocations and marked in both renderings; the fixture's
 * shorter stacks are not. The depth comes from the map's value size, as the collector reads it.
 */
static void test_stack_depth(void **state)
{
	struct fixture *fx = *state;
	struct mt_pair_report *p = &fx->r.pair;
	__u64 deep[4] = { A_JIT, A_GLUE, A_ALLOC, A_EVENTFD };
	struct json_object *j, *o, *a;
	char *txt;

	p->stack_depth = 4;
	stack_agg(&fx->r, 13, MT_CLASS_LOGICAL, 6, 6 * 64);
	assert_int_equal(mt_pair_add_frames(&fx->r.pair, 13, deep, 4), 0);
	assert_int_equal(mt_pair_finish(&fx->r), 0);
	assert_int_equal(p->truncated_stacks, 1);
	assert_int_equal(p->truncated_allocs, 6);
	for (size_t i = 0; i < p->nr_stacks; i++)
		assert_int_equal(p->stacks[i].truncated, p->stacks[i].stack_id == 13);
	txt = render(&fx->r, 0);
	assert_non_null(strstr(
		txt, "stack depth 4: 1 of 4 stacks truncated (filled every frame), 6 allocs"));
	assert_non_null(strstr(txt, "4 collisions, 0 table full, 0 failed"));
	assert_non_null(strstr(txt, "(truncated at --stack-depth 4: callers beyond it unknown)"));
	free(txt);
	txt = render(&fx->r, 1);
	j = json_tokener_parse(txt);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "stacks", &o));
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "depth")), 4);
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "truncated")), 1);
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "truncated_allocs")), 6);
	assert_true(json_object_object_get_ex(o, "allocating", &a));
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *row = json_object_array_get_idx(a, i);

		assert_int_equal(json_object_get_boolean(json_object_object_get(row, "truncated")),
				 json_object_get_int64(json_object_object_get(row, "stack_id")) ==
					 13);
	}
	json_object_put(j);
	free(txt);
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

/*
 * Kernel virtual on top of the fixture: 2 vmap areas (1 MiB + guard) and 3 percpu objects
 * of pid 100 outstanding; 4 vmalloc and 6 percpu lifetimes; the vmalloc tracepoints as
 * vmalloc says (a 6.1 kernel has none).
 */
static void add_virtual(struct mt_report *r, bool vmalloc)
{
	struct mt_pair_stats *st = calloc(NCPU, sizeof(*st));
	__u64 vstack[MT_STACK_DEPTH] = { A_JIT, A_GLUE, A_ARRAY, A_ENTRY };
	__u64 pstack[MT_STACK_DEPTH] = { A_JIT, A_GLUE, A_PCPU, A_ENTRY };

	assert_non_null(st);
	r->run.class_traced[MT_CLASS_VIRTUAL] = true;
	r->x.vmalloc_traced = vmalloc;
	r->x.percpu_traced = true;
	if (vmalloc) {
		st[0].tracked[MT_PAIR_VMALLOC] = 6;
		st[0].paired[MT_PAIR_VMALLOC] = 4;
		st[0].paired_bytes[MT_PAIR_VMALLOC] = 4 * 1056768;
		st[1].lifetime_hist[MT_PAIR_VMALLOC][12] = 4;
		obj(r, 0xffffc90000100000ULL, MT_PAIR_VMALLOC, 100, 1056768, 0, 11, 2 * SEC);
		obj(r, 0xffffc90000300000ULL, MT_PAIR_VMALLOC, 100, 1056768, 0, 11, 2 * SEC);
		stack_agg(r, 11, MT_PAIR_VMALLOC, 6, 6 * 1056768);
		assert_int_equal(mt_pair_add_frames(&r->pair, 11, vstack, MT_STACK_DEPTH), 0);
	}
	st[1].tracked[MT_PAIR_PERCPU] = 9;
	st[1].paired[MT_PAIR_PERCPU] = 6;
	st[0].unpaired[MT_PAIR_PERCPU] = 1;
	st[0].lifetime_hist[MT_PAIR_PERCPU][3] = 6;
	mt_pair_add_stats(&r->pair, st, NCPU);
	free(st);
	obj(r, 0x3c0e0ULL, MT_PAIR_PERCPU, 100, 32, A_PCPU, 12, SEC);
	obj(r, 0x3c100ULL, MT_PAIR_PERCPU, 100, 32, A_PCPU, 12, SEC);
	obj(r, 0x3c120ULL, MT_PAIR_PERCPU, 100, 32, A_PCPU, 12, SEC);
	site(r, A_PCPU, MT_PAIR_PERCPU, 9, 9 * 8, 9 * 32);
	stack_agg(r, 12, MT_PAIR_PERCPU, 9, 9 * 32);
	assert_int_equal(mt_pair_add_frames(&r->pair, 12, pstack, MT_STACK_DEPTH), 0);
	assert_int_equal(mt_pair_finish(r), 0);
}

static struct json_object *jpath(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, k, &o))
			return NULL;
	return o;
}

static long long jint(struct json_object *o, const char *path)
{
	struct json_object *v = jpath(o, path);

	if (!v)
		fail_msg("JSON has no %s", path);
	return json_object_get_int64(v);
}

static void test_virtual_kinds(void **state)
{
	struct fixture *fx = *state;
	struct mt_report *r = &fx->r;
	struct json_object *j, *a, *row = NULL;
	struct mt_render_opts o = { .top = 10 };
	char *s, *buf = NULL;
	size_t len = 0;
	FILE *f;

	add_virtual(r, true);
	assert_int_equal(r->pair.out[MT_PAIR_VMALLOC].count, 2);
	assert_int_equal(r->pair.out[MT_PAIR_PERCPU].count, 3);
	assert_int_equal(r->pair.procs[0].tgid, 100); /* 2 MiB of vmap areas: first */
	assert_int_equal(r->pair.procs[0].count[MT_PAIR_PERCPU], 3);
	s = render(r, 1);
	j = json_tokener_parse(s);
	assert_non_null(j);
	/* the class is the sum of its kinds; each kind has its own numbers */
	assert_int_equal(jint(j, "outstanding.classes.kernel_virtual.objects"), 5);
	assert_int_equal(jint(j, "outstanding.classes.kernel_virtual.bytes"), 2 * 1056768 + 96);
	assert_int_equal(jint(j, "outstanding.classes.kernel_virtual.tracked"), 15);
	assert_int_equal(jint(j, "outstanding.classes.kernel_virtual.paired_frees"), 10);
	assert_string_equal(json_object_get_string(jpath(
				    j, "outstanding.classes.kernel_virtual.vmalloc.availability")),
			    "measured");
	assert_int_equal(jint(j, "outstanding.classes.kernel_virtual.vmalloc.objects"), 2);
	assert_int_equal(jint(j, "outstanding.classes.kernel_virtual.vmalloc.paired_bytes"),
			 4 * 1056768);
	assert_int_equal(jint(j, "outstanding.classes.kernel_virtual.percpu.objects"), 3);
	assert_int_equal(jint(j, "outstanding.classes.kernel_virtual.percpu.unpaired_frees"), 1);
	a = jpath(j, "outstanding.classes.kernel_virtual.percpu.lifetime_histogram_us");
	assert_int_equal(json_object_array_length(a), 1);
	assert_int_equal(jint(json_object_array_get_idx(a, 0), "count"), 6);
	a = jpath(j, "outstanding.classes.kernel_virtual.lifetime_histogram_us");
	assert_int_equal(json_object_array_length(a), 2);
	/* slab's numbers are untouched by the split */
	assert_int_equal(jint(j, "outstanding.classes.kernel_logical.objects"), 4);
	assert_null(jpath(j, "outstanding.classes.kernel_logical.vmalloc"));
	/* per process: the class, then its kinds */
	a = jpath(j, "outstanding.processes");
	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (jint(json_object_array_get_idx(a, i), "tgid") == 100)
			row = json_object_array_get_idx(a, i);
	assert_non_null(row);
	assert_int_equal(jint(row, "classes.kernel_virtual.objects"), 5);
	assert_int_equal(jint(row, "classes.kernel_virtual.vmalloc.bytes"), 2 * 1056768);
	assert_int_equal(jint(row, "classes.kernel_virtual.percpu.objects"), 3);
	/* call sites and stacks: class and allocator */
	a = jpath(j, "call_sites");
	row = NULL;
	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (!strcmp(json_object_get_string(
				    jpath(json_object_array_get_idx(a, i), "allocator")),
			    "percpu"))
			row = json_object_array_get_idx(a, i);
	assert_non_null(row);
	assert_string_equal(json_object_get_string(jpath(row, "class")), "kernel_virtual");
	assert_string_equal(json_object_get_string(jpath(row, "symbol")),
			    "bpf_map_alloc_percpu+0x59");
	assert_int_equal(jint(row, "outstanding"), 3);
	a = jpath(j, "stacks.outstanding");
	row = json_object_array_get_idx(a, 0); /* the vmap areas: most bytes */
	assert_string_equal(json_object_get_string(jpath(row, "allocator")), "vmalloc");
	assert_int_equal(jint(row, "outstanding"), 2);
	row = jpath(j, "stacks.allocating");
	for (size_t i = 0; i < json_object_array_length(row); i++)
		assert_non_null(jpath(json_object_array_get_idx(row, i), "allocator"));
	json_object_put(j);
	free(s);

	/* folded: the allocator one level below the class */
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(mt_render_folded(f, r, &o, true), 5);
	fclose(f);
	assert_non_null(strstr(buf, "kernel_virtual;vmalloc;do_syscall_64;array_map_alloc "
				    "2113536\n"));
	assert_non_null(strstr(buf, "kernel_virtual;percpu;do_syscall_64;bpf_map_alloc_percpu "
				    "96\n"));
	assert_non_null(strstr(buf, "kernel_logical;do_syscall_64;"));
	free(buf);

	s = render(r, 0);
	for (const char *want = "LIFETIMES, kernel virtual: vmalloc (allocation to free)\n"
				"4 frees paired\0"
				"LIFETIMES, kernel virtual: percpu (allocation to free)\n"
				"6 frees paired\0"
				"kernel virtual: vmalloc             2      2.0 MiB\n\0"
				"kernel virtual: percpu              3         96 B\n\0"
				"OUTSTANDING BY PROCESS, kernel virtual\0"
				"     100 workload                    2      2.0 MiB            3"
				"         96 B\n\0"
				"CALL SITES (percpu: callers of __alloc_percpu)\n\0"
				"AGE OF OUTSTANDING, kernel virtual: percpu\0"
				"#1 vmalloc: 6 allocs\0";
	     *want; want += strlen(want) + 1)
		if (!strstr(s, want))
			fail_msg("text report lacks '%s':\n%s", want, s);
	for (char *l = s; *l; l = strchr(l, '\n') + 1)
		assert_true(strchr(l, '\n') - l <= 80);
	free(s);
}

/* A kernel without vmalloc tracepoints (6.1): vmalloc says unavailable, never 0. */
static void test_vmalloc_unavailable(void **state)
{
	struct fixture *fx = *state;
	struct mt_report *r = &fx->r;
	struct json_object *j, *v;
	char *s;

	add_virtual(r, false);
	assert_false(mt_pair_kind_traced(r, MT_PAIR_VMALLOC));
	assert_true(mt_pair_kind_traced(r, MT_PAIR_PERCPU));
	s = render(r, 1);
	j = json_tokener_parse(s);
	assert_non_null(j);
	v = jpath(j, "outstanding.classes.kernel_virtual.vmalloc");
	assert_non_null(v);
	assert_string_equal(json_object_get_string(jpath(v, "availability")), "unavailable");
	assert_int_equal(json_object_object_length(v), 1); /* no counts: absent, not 0 */
	assert_int_equal(jint(j, "outstanding.classes.kernel_virtual.percpu.objects"), 3);
	assert_int_equal(jint(j, "outstanding.classes.kernel_virtual.objects"), 3);
	json_object_put(j);
	free(s);
	s = render(r, 0);
	assert_non_null(strstr(s, "LIFETIMES, kernel virtual: vmalloc (allocation to free)\n"
				  "unavailable: no vmalloc tracepoints on this kernel"));
	assert_non_null(strstr(s, "kernel virtual: vmalloc                unavailable\n"));
	assert_non_null(strstr(s, "kernel virtual: percpu              3"));
	free(s);
}

/* pair_stats recorded with arrays of MT_CLASS_MAX (before percpu was a kind) convert. */
static void test_old_pair_stats_layout(void **state)
{
	__u64 old[MT_PAIR_STATS_CLASSES_SIZE / sizeof(__u64)] = { 0 };
	struct mt_pair_stats st;
	size_t at = 0;

	(void)state;
	for (int i = 0; i < 4; i++) /* tracked, paired, paired_bytes, unpaired */
		for (int k = 0; k < MT_CLASS_MAX; k++)
			old[at++] = 100 * (i + 1) + k;
	old[at + MT_CLASS_VIRTUAL * MT_HIST_SLOTS + 5] = 77;
	at += MT_CLASS_MAX * MT_HIST_SLOTS;
	for (int l = 0; l < MT_PLOSS_MAX; l++)
		old[at++] = 1000 + l;
	assert_int_equal(at * sizeof(__u64), MT_PAIR_STATS_CLASSES_SIZE);
	memset(&st, 0xff, sizeof(st));
	mt_pair_stats_from_classes(&st, old);
	assert_int_equal(st.tracked[MT_CLASS_PHYSICAL], 101);
	assert_int_equal(st.paired[MT_CLASS_LOGICAL], 200);
	assert_int_equal(st.paired_bytes[MT_CLASS_VIRTUAL], 302);
	assert_int_equal(st.unpaired[MT_CLASS_HIGH], 400 + MT_CLASS_HIGH);
	assert_int_equal(st.lifetime_hist[MT_CLASS_VIRTUAL][5], 77);
	assert_int_equal(st.lost[MT_PLOSS_STACK_COLLISION], 1000 + MT_PLOSS_STACK_COLLISION);
	assert_int_equal(st.lost[MT_PLOSS_MAX - 1], 1000 + MT_PLOSS_MAX - 1);
	/* percpu did not exist: zero, not another field's numbers */
	assert_int_equal(st.tracked[MT_PAIR_PERCPU], 0);
	assert_int_equal(st.unpaired[MT_PAIR_PERCPU], 0);
	for (int i = 0; i < MT_HIST_SLOTS; i++)
		assert_int_equal(st.lifetime_hist[MT_PAIR_PERCPU][i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_site_front),
		cmocka_unit_test_setup_teardown(test_aggregates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_min_age, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raw_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stack_sample, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stack_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_virtual_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmalloc_unavailable, setup, teardown),
		cmocka_unit_test(test_old_pair_stats_layout),
	};

	return cmocka_run_group_tests_name("pairing model", tests, NULL, NULL);
}
